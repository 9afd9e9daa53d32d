"""Shared fixtures: the seed articles and a fresh store per test."""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from thaidigest import dates
from thaidigest.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


def seed_path(prefix: str) -> Path:
    """The seed file whose name starts with ``prefix`` (``"001"``)."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


# 31 December 2026, 17:30 UTC: in Bangkok (UTC+7) already 1 January 2027, so the end of
# next year is 2028-12-31 there but 2027-12-31 by a UTC machine's local date.
NEW_YEAR_IN_BANGKOK = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)


class _NewYearInBangkok(datetime):
    @classmethod
    def now(cls, tz=None):
        return (
            NEW_YEAR_IN_BANGKOK.astimezone(tz) if tz else NEW_YEAR_IN_BANGKOK.replace(tzinfo=None)
        )


class _UTCMachineDate(date):
    @classmethod
    def today(cls):  # a UTC machine's local date at the clock's moment
        return NEW_YEAR_IN_BANGKOK.date()


# The modules that judge the dates believed: a date.today() back in one of them reads a
# UTC machine's 31 December 2026, whatever the year the tests run in, and fails its test.
_JUDGING_MODULES = (
    "thaidigest.normalise",
    "thaidigest.readers",
    "thaidigest.commands",
    "scraper.spiders.base",
)


@pytest.fixture
def new_year_in_bangkok(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The clock at :data:`NEW_YEAR_IN_BANGKOK`, as the dates believed read it, and a UTC
    machine's local date at that moment (31 December 2026) as ``date.today()`` reads it."""
    monkeypatch.setattr(dates, "datetime", _NewYearInBangkok)
    for name in _JUDGING_MODULES:
        module = importlib.import_module(name)
        if getattr(module, "date", None) is date:
            monkeypatch.setattr(module, "date", _UTCMachineDate)
    return NEW_YEAR_IN_BANGKOK


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store(f"sqlite:///{tmp_path / 'test.sqlite'}")
    yield opened
    opened.close()


@contextmanager
def started_from_a_terminal(*args: str) -> Iterator[subprocess.Popen]:
    """``thaidigest ARGS`` as a terminal starts it: in a process group of its own, which
    Ctrl-C signals as a whole (:func:`ctrl_c`), and with SIGINT's default action even when
    the tests run in the background, where it is ignored and Python would never raise
    KeyboardInterrupt. Killed on leaving if it still runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "thaidigest", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def ctrl_c(process: subprocess.Popen, timeout: float = 60) -> tuple[str, str]:
    """Press Ctrl-C on ``process``'s terminal; its output once it has ended."""
    os.killpg(process.pid, signal.SIGINT)
    return process.communicate(timeout=timeout)


def without_file_permission_overrides() -> list[str] | None:
    """The command prefix that runs a program without root's right to read and enter any
    folder ([] when not root), None when root cannot drop it here (no setpriv)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        return None
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


# Skips a test that needs a file the user running thaidigest cannot read or write.
needs_file_permissions = pytest.mark.skipif(
    without_file_permission_overrides() is None,
    reason="as root, needs setpriv to drop the right to read and write any file",
)


def thaidigest_without_file_permission_overrides(*args: str) -> subprocess.CompletedProcess[str]:
    """``thaidigest ARGS`` run as :func:`without_file_permission_overrides` runs it, its
    output captured: a file's permissions hold for it as for any user."""
    prefix = without_file_permission_overrides()
    assert prefix is not None, "mark the test needs_file_permissions"
    return subprocess.run(
        [*prefix, sys.executable, "-m", "thaidigest", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def thaidigest_in_locale(encoding: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """``thaidigest ARGS`` run with ``encoding`` as its locale's (``PYTHONIOENCODING``), its
    output captured as bytes, for the test to decode as it expects them written."""
    return subprocess.run(
        [sys.executable, "-m", "thaidigest", *args],
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": encoding},
    )


# A rules, a partners and a model file every import, crawl and digest refuses: the
# setting naming it, the file's text and what the refusal says of it.
USER_FILE_MISTAKES = {
    "terms": (
        "relevance.rules",
        '[groups.mine]\nrole = "always"\nth = "ควอนตัม"\n',  # each character would be a term
        "group 'mine': th: must be a list, not \"ควอนตัม\"",
    ),
    "role": (
        "relevance.rules",
        '[groups.mine]\nrole = "sometimes"\nth = ["ควอนตัม"]\n',
        "group 'mine': role 'sometimes' is not one of digital, cooperation, negative, ignore,"
        " always, never",
    ),
    "partners": (
        "partners.file",
        '[countries]\nFI = "ฟินแลนด์"\n',
        '[countries] FI: must be a list, not "ฟินแลนด์"',
    ),
    "model": (
        "relevance.model",
        "garbage\n",
        "not a thaidigest relevance model"
        " (an .npz of plain arrays, as thaidigest train-relevance writes)",
    ),
}


def settings_naming_a_mistaken_file(folder: Path, kind: str) -> tuple[Path, str]:
    """A settings file in ``folder`` naming the file of ``USER_FILE_MISTAKES[kind]``, and the
    one line a command refuses it with."""
    setting, text, refusal = USER_FILE_MISTAKES[kind]
    mistaken = folder / f"mine.{kind}"
    mistaken.write_text(text, encoding="utf-8")
    table, key = setting.split(".")
    config = folder / "thaidigest.toml"
    config.write_text(f'[{table}]\n{key} = "{mistaken}"\n', encoding="utf-8")
    return config, f"Error: {setting}: {mistaken}: {refusal}"
