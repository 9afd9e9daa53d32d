"""A database on a file system mounted read-only (a backup medium, a read-only volume of
a container): the commands that read it work; one that writes says why it cannot and
changes nothing; commits still in a write-ahead log beside it are never read past. A
digest's output folder there: one line with the reason, not a staging file's name.

SQLite reads a WAL database only with a ``-shm`` file beside it, which a read-only file
system cannot take: without the immutable open every command failed with "unable to open
database file". The tests mount a folder read-only in a mount namespace of their own
(``unshare -m``), the way a container's read-only volume is one.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATA, seed_path
from tests.digest.test_commands import stored

MOUNT_READ_ONLY = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'


def read_only(folder: Path, *command: str, **options: Any) -> subprocess.CompletedProcess[str]:
    """``command`` run with ``folder`` mounted read-only, in a mount namespace of its own;
    ``options``: more of :func:`subprocess.run`'s (``env``, ``cwd``)."""
    unshare = shutil.which("unshare") or "unshare"
    return subprocess.run(
        [unshare, "-m", "sh", "-c", MOUNT_READ_ONLY, "sh", str(folder), *command],
        capture_output=True,
        text=True,
        timeout=300,
        **options,
    )


def _can_mount_read_only() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = Path(__file__).parent
    try:
        return read_only(probe, "sh", "-c", '! touch "$0"/.probe', str(probe)).returncode == 0
    except OSError:
        return False


NEEDS_READ_ONLY_MOUNT = pytest.mark.skipif(
    not _can_mount_read_only(),
    reason="needs unshare and mount with the right to mount (root or a user namespace): "
    "a private read-only bind mount is how these tests make a read-only file system",
)
pytestmark = NEEDS_READ_ONLY_MOUNT


def thaidigest(*args: str) -> list[str]:
    return [sys.executable, "-m", "thaidigest", *args]


def imported_database(folder: Path) -> tuple[Path, set[str]]:
    """A database in ``folder`` holding the corpus sample; the URLs it stores."""
    db = folder / "stored.sqlite"
    done = subprocess.run(
        thaidigest("import", str(DATA / "corpus_sample.jsonl"), "--db", str(db)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    with closing(sqlite3.connect(db)) as conn:  # the last connection: no -wal, -shm left
        urls = {row[0] for row in conn.execute("SELECT url FROM articles")}
    assert urls
    assert sorted(path.name for path in folder.iterdir() if path.name.endswith("-shm")) == []
    return db, urls


def exported_urls(output: str) -> set[str]:
    return {json.loads(line)["url"] for line in output.splitlines() if line}


def test_commands_that_read_a_database_on_a_read_only_file_system_work(tmp_path):
    db, urls = imported_database(tmp_path)
    exported = read_only(tmp_path, *thaidigest("export", "--db", str(db)))
    assert exported.returncode == 0, exported.stderr
    assert exported_urls(exported.stdout) == urls
    url = min(urls)
    explained = read_only(tmp_path, *thaidigest("explain", url, "--db", str(db)))
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.splitlines()[1] == url
    assert "relevance: " in explained.stdout


def test_a_write_to_a_database_on_a_read_only_file_system_says_why_and_changes_nothing(
    tmp_path,
):
    db, _ = imported_database(tmp_path)
    before = db.read_bytes()
    seed = seed_path("000")
    imported = read_only(tmp_path, *thaidigest("import", str(seed), "--db", str(db)))
    assert imported.returncode == 1
    errors = [line for line in imported.stderr.splitlines() if line.startswith("Error: ")]
    assert errors == [
        f"Error: database {db}: attempt to write a readonly database "
        f"({tmp_path} is on a read-only file system)"
    ], imported.stderr
    assert "Traceback" not in imported.stderr
    assert db.read_bytes() == before


def test_a_new_database_on_a_read_only_file_system_is_refused_with_the_reason(tmp_path):
    db = tmp_path / "new.sqlite"
    seed = seed_path("000")
    imported = read_only(tmp_path, *thaidigest("import", str(seed), "--db", str(db)))
    assert imported.returncode == 1
    assert imported.stderr.strip().endswith(f"({tmp_path} is on a read-only file system)")
    assert not db.exists()


def test_commits_still_in_the_write_ahead_log_are_read_or_refused_never_skipped(tmp_path):
    # A database copied with its -wal while a writer had it open: an immutable open would
    # read the database file alone, without the articles only the log holds.
    source, urls = imported_database(tmp_path / "source")
    copy_folder = tmp_path / "copy"
    copy_folder.mkdir()
    writer = sqlite3.connect(source)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    first = writer.execute("SELECT url FROM articles ORDER BY id LIMIT 1").fetchone()[0]
    writer.execute("UPDATE articles SET url = ? WHERE url = ?", (f"{first}#later", first))
    writer.commit()
    for suffix in ("", "-wal"):
        shutil.copyfile(f"{source}{suffix}", copy_folder / f"stored.sqlite{suffix}")
    writer.close()
    assert (copy_folder / "stored.sqlite-wal").stat().st_size > 0
    db = copy_folder / "stored.sqlite"
    exported = read_only(copy_folder, *thaidigest("export", "--db", str(db)))
    if exported.returncode == 0:
        assert exported_urls(exported.stdout) == urls - {first} | {f"{first}#later"}
    else:
        assert "read-only file system" in exported.stderr


def test_a_digest_into_a_folder_on_a_read_only_file_system_says_why_in_one_line(tmp_path):
    db, out = stored(tmp_path), tmp_path / "public"
    out.mkdir()
    arguments = ("digest", "--week", "2024-W34", "--out", str(out), "--db", str(db))
    built = read_only(out, *thaidigest(*arguments))
    assert built.returncode == 1
    assert built.stderr.splitlines() == [
        f"Error: cannot write the digest in {out}: read-only file system"
    ], built.stderr
    assert list(out.iterdir()) == []


def test_status_says_a_digest_folder_on_a_read_only_file_system_is_unhealthy(tmp_path):
    """As digest fails to write it (exit 1), before a Monday's digest does."""
    db, out = stored(tmp_path), tmp_path / "public"
    out.mkdir()
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[digest]\nout = "{out}"\n', encoding="utf-8")
    checked = read_only(out, *thaidigest("status", "--db", str(db), "--config", str(config)))
    assert checked.returncode == 1, checked.stderr
    assert f"unhealthy: digest: cannot write the digest in {out}: read-only file system" in (
        checked.stderr.splitlines()
    ), checked.stderr


def test_a_database_of_the_previous_thaidigest_on_a_read_only_file_system_is_read(tmp_path):
    """A database the previous thaidigest made (schema 3 too) lacks the table in which a
    crawl counts a page's empty answers: the commands that only read do without it, so a
    backup of it on read-only media is read as it is, never refused for a table to add."""
    db, urls = imported_database(tmp_path)
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("DROP TABLE empty_answers")
        conn.commit()
    before = db.read_bytes()
    exported = read_only(tmp_path, *thaidigest("export", "--db", str(db)))
    assert exported.returncode == 0, exported.stderr
    assert exported_urls(exported.stdout) == urls
    status = read_only(tmp_path, *thaidigest("status", "--db", str(db)))
    # Unhealthy (no crawl recorded), not refused.
    assert all(line.startswith("unhealthy: ") for line in status.stderr.splitlines())
    assert f"articles found: {len(urls)} " in status.stdout, status.stderr
    assert db.read_bytes() == before
