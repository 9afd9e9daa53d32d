"""Every command runs when the home folder cannot be written.

A systemd ``User=`` with no home, ``HOME=/nonexistent``, a read-only container: PyThaiNLP
makes its data folder (``~/pythainlp-data``) when it loads, unless told it may not write.
The commands run in a subprocess, as a service manager starts them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from thaidigest.cli import pythainlp_read_only

SEED_WEEK = "2024-W34"  # the week of the seed article 87382 (APEC 2024)


def _a_file(tmp_path: Path) -> Path:
    home = tmp_path / "home-file"
    home.write_text("not a folder", encoding="utf-8")
    return home


def _under_a_file(tmp_path: Path) -> Path:
    """Cannot be made by anyone, root included."""
    return _a_file(tmp_path) / "home"


def _read_only_folder(tmp_path: Path) -> Path:
    home = tmp_path / "read-only-home"
    home.mkdir()
    home.chmod(0o555)
    return home


UNWRITABLE_HOMES: dict[str, Callable[[Path], Path]] = {
    "a file": _a_file,
    "a folder under a file": _under_a_file,
    "a read-only folder": _read_only_folder,
}


def environment(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment with ``home`` as HOME and no PyThaiNLP setting of the user's."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTHAINLP_")}
    return {**env, "HOME": str(home), **extra}


def thaidigest(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "thaidigest", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


@pytest.mark.parametrize("make_home", UNWRITABLE_HOMES.values(), ids=UNWRITABLE_HOMES)
def test_import_digest_and_export_run_with_a_home_that_cannot_be_written(
    tmp_path: Path, make_home: Callable[[Path], Path]
) -> None:
    home = make_home(tmp_path)
    if home.is_dir() and os.access(home, os.W_OK):
        pytest.skip("root writes into a read-only folder; the other homes stop root too")
    env = environment(home)

    imported = thaidigest("import", str(SEEDS), "--db", "db.sqlite", env=env, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "read 5, new 5, updated 0, unchanged 0, rejected 0" in imported.stdout

    digest = thaidigest(
        "digest", "--week", SEED_WEEK, "--out", "public", "--db", "db.sqlite", env=env, cwd=tmp_path
    )
    assert digest.returncode == 0, digest.stderr
    assert f"digest {SEED_WEEK}: 1 item\n" in digest.stdout
    week = (tmp_path / "public" / "digests" / f"{SEED_WEEK}.md").read_text(encoding="utf-8")
    assert "APEC 2024" in week

    exported = thaidigest("export", "--db", "db.sqlite", env=env, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == 5
    assert not any("Traceback" in run.stderr for run in (imported, digest, exported))


def test_no_pythainlp_data_folder_is_made_in_the_home(tmp_path: Path) -> None:
    """Not even in a home that can be written: thaidigest needs nothing but what ships
    inside the PyThaiNLP package."""
    home = tmp_path / "home"
    home.mkdir()
    env = environment(home)

    imported = thaidigest("import", str(SEEDS), "--db", "db.sqlite", env=env, cwd=tmp_path)
    digest = thaidigest(
        "digest", "--week", SEED_WEEK, "--out", "public", "--db", "db.sqlite", env=env, cwd=tmp_path
    )

    assert (imported.returncode, digest.returncode) == (0, 0), imported.stderr + digest.stderr
    assert list(home.iterdir()) == []


PROBE = (
    "import thaidigest.cli\n"
    "from pythainlp.tokenize import sent_tokenize, word_tokenize\n"
    "from pythainlp.tools import get_pythainlp_data_path\n"
    "print(get_pythainlp_data_path())\n"
    "print(len(sent_tokenize('ฉันไปตลาด แล้วกลับบ้าน วันนี้อากาศดี', engine='crfcut')))\n"
    "print('|'.join(word_tokenize('ความร่วมมือด้านดิจิทัล', engine='newmm')))\n"
)


@pytest.mark.parametrize("variable", ["PYTHAINLP_DATA", "PYTHAINLP_DATA_DIR"])
def test_the_users_pythainlp_data_folder_is_kept(tmp_path: Path, variable: str) -> None:
    """thaidigest sets no data folder of its own, so one the user names (the deprecated
    PYTHAINLP_DATA_DIR too, which PyThaiNLP refuses beside PYTHAINLP_DATA) stays PyThaiNLP's."""
    mine = tmp_path / "my-pythainlp-data"
    env = environment(_under_a_file(tmp_path), **{variable: str(mine)})

    probe = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=300
    )

    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines() == [str(mine), "3", "ความร่วมมือ|ด้าน|ดิจิทัล"]


@pytest.mark.parametrize(
    ("users", "expected"),
    [
        ({}, {"PYTHAINLP_READ_ONLY": "1"}),
        ({"PYTHAINLP_READ_ONLY": "0"}, {"PYTHAINLP_READ_ONLY": "0"}),
        # PyThaiNLP refuses both names at once: the user's deprecated one stays alone.
        ({"PYTHAINLP_READ_MODE": "0"}, {"PYTHAINLP_READ_MODE": "0"}),
    ],
)
def test_pythainlp_is_read_only_unless_the_user_says_otherwise(
    users: dict[str, str], expected: dict[str, str]
) -> None:
    environ = {"HOME": "/nonexistent", **users}

    pythainlp_read_only(environ)

    assert environ == {"HOME": "/nonexistent", **expected}


def test_scrapys_own_crawl_command_loads_pythainlp_with_a_home_that_cannot_be_written(
    tmp_path: Path,
) -> None:
    # `scrapy crawl thaigov` in the project's folder reads scraper.settings first, not
    # thaidigest's command line; the pipeline then normalises Thai text.
    project = Path(__file__).resolve().parents[1]
    code = "import scraper.settings\nfrom pythainlp.util import normalize\nprint(normalize('ก'))"
    env = {**environment(_a_file(tmp_path)), "PYTHONPATH": str(project)}
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "ก"
