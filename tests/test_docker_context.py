"""The Docker build context: what ``.dockerignore`` keeps out of the image.

The Dockerfile copies the whole context (``COPY . .``) and installs from it; that
layer stays in the image even though ``/src`` is removed afterwards. A user's
``thaidigest.toml``, databases and ``.env`` files in the working copy must never be
in it, while everything the install needs must be.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def docker_ignores(path: str, patterns: list[str]) -> bool:
    """Whether Docker leaves ``path`` (relative to the context) out: patterns match
    from the context's root, ``*`` within one name, ``**/`` any folders, a folder
    with everything under it, and the last matching pattern (``!`` keeps) wins."""
    ignored = False
    for pattern in patterns:
        keep = pattern.startswith("!")
        body = re.escape(pattern.lstrip("!").strip("/"))
        body = body.replace(r"\*\*/", "(?:.*/)?").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        if re.fullmatch(f"{body}(?:/.*)?", path):
            ignored = not keep
    return ignored


PATTERNS = [
    line.strip()
    for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]


@pytest.mark.parametrize(
    "path",
    [
        "thaidigest.toml",
        "thaidigest.sqlite",
        "thaidigest.sqlite-wal",
        "work/news.sqlite",
        "news.db",
        ".env",
        "docker/.env.production",
        "data/thaidigest.sqlite",
        ".git/config",
    ],
)
def test_a_users_configuration_databases_and_secrets_stay_out_of_the_image(path: str) -> None:
    assert docker_ignores(path, PATTERNS)


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "README.md",
        "docker/thaidigest.toml",
        "thaidigest/relevance_rules.toml",
        "thaidigest/relevance_model.npz",
        "thaidigest/partners.toml",
        "scraper/settings.py",
        "seeds/000_8eb7cbd3a19608f9.txt",
    ],
)
def test_what_the_install_and_the_image_need_is_in_the_context(path: str) -> None:
    assert not docker_ignores(path, PATTERNS)
