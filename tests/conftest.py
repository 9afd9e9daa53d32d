"""Shared fixtures: the seed articles and a fresh store per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from thaidigest.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


def seed_path(prefix: str) -> Path:
    """The seed file whose name starts with ``prefix`` (``"001"``)."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store(f"sqlite:///{tmp_path / 'test.sqlite'}")
    yield opened
    opened.close()
