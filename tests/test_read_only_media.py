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


def media_database(tmp_path: Path) -> Path:
    """:func:`stored`'s database, in a folder of its own to be mounted read-only."""
    media = tmp_path / "media"
    media.mkdir()
    return stored(media)


def test_a_digest_of_a_database_on_a_read_only_file_system_is_built_from_what_it_stores(
    tmp_path,
):
    """Its verdicts and partners as the settings give them, nothing needs writing: the week
    is built as from a writable copy (before: refused, the folder's turn not recordable)."""
    db = media_database(tmp_path)
    before, beside = db.read_bytes(), sorted(db.parent.iterdir())
    arguments = ("digest", "--week", "2024-W34", "--served-locally", "--db")
    built = read_only(db.parent, *thaidigest(*arguments, str(db), "--out", str(tmp_path / "a")))
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""
    assert built.stdout.startswith("digest 2024-W34: 1 item\nwrote "), built.stdout
    assert db.read_bytes() == before
    assert sorted(db.parent.iterdir()) == beside
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(db, copy)
    writable = subprocess.run(
        thaidigest(*arguments, str(copy), "--out", str(tmp_path / "b")),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert writable.returncode == 0, writable.stderr
    written = {
        path.relative_to(tmp_path / "a"): path.read_bytes()
        for path in (tmp_path / "a").rglob("*")
        if path.is_file()
    }
    assert written == {
        path.relative_to(tmp_path / "b"): path.read_bytes()
        for path in (tmp_path / "b").rglob("*")
        if path.is_file()
    }


@pytest.mark.parametrize("asked", ["--email", "email.enabled"])
def test_a_mailing_digest_of_a_database_on_a_read_only_file_system_is_refused_in_one_line(
    asked, tmp_path
):
    """Who was mailed which week cannot be recorded: every run would mail it again."""
    db, out = media_database(tmp_path), tmp_path / "public"
    before = db.read_bytes()
    config = tmp_path / "thaidigest.toml"
    enabled = "enabled = true\n" if asked == "email.enabled" else ""
    config.write_text(
        f'[email]\n{enabled}host = "127.0.0.1"\nport = 1\nstarttls = false\n'
        'sender = "digest@example.org"\nrecipients = ["a@example.org"]\n',
        encoding="utf-8",
    )
    arguments = ["digest", "--week", "2024-W34", "--out", str(out), "--db", str(db)]
    arguments += ["--config", str(config), *(["--email"] if asked == "--email" else [])]
    built = read_only(db.parent, *thaidigest(*arguments))
    assert built.returncode == 1
    instead = ", or build it with email.enabled = false" if asked == "email.enabled" else ""
    assert built.stderr.splitlines() == [
        f"Error: {asked}: database {db} cannot record who was mailed which week "
        f"({db.parent} is on a read-only file system): mail from a writable copy of it{instead}"
    ], built.stderr
    assert built.stdout == ""
    assert not out.exists()
    assert db.read_bytes() == before


def test_a_digest_of_a_database_on_a_read_only_file_system_whose_partners_are_out_of_date(
    tmp_path,
):
    """A partners file the stored partners were not found with: they cannot be found again
    and stored, so the digest is refused in one line saying which and what to do."""
    db, out = media_database(tmp_path), tmp_path / "public"
    before = db.read_bytes()
    (tmp_path / "partners.toml").write_text("", encoding="utf-8")
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[partners]\nfile = "{tmp_path / "partners.toml"}"\n', encoding="utf-8")
    arguments = ["digest", "--week", "2024-W34", "--out", str(out), "--db", str(db)]
    built = read_only(db.parent, *thaidigest(*arguments, "--config", str(config)))
    assert built.returncode == 1
    assert built.stderr.splitlines() == [
        f"Error: database {db}: its stored articles' partners (the partner names, their rules "
        "or the partners file changed since they were found) cannot be brought up to date "
        f"({db.parent} is on a read-only file system): build the digest from a writable copy "
        "of it"
    ], built.stderr
    assert built.stdout == ""
    assert not out.exists()
    assert db.read_bytes() == before
