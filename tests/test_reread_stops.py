"""The pass that scores the stored articles again (after an upgrade, an edited rules file,
a moved threshold) stopped before it ends by a database that refuses it: the command ends
as its contract says, in one line, nothing written: the next command scores them all
again."""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import pytest

from scraper.fixture_site import FixtureSite
from tests.conftest import SEEDS
from tests.scraper.crawling import FAST_CONFIG, crawl_args
from tests.scraper.test_scrapy_command import PROJECT, environment, scrapy_args
from tests.test_read_only_media import NEEDS_READ_ONLY_MOUNT, read_only
from thaidigest.config import DEFAULTS
from thaidigest.pipeline import build_ingestor
from thaidigest.readers import read_paths
from thaidigest.store import Store

# Scored with the default threshold, then asked for with this one: every command that
# stores or reads verdicts scores the stored articles again first.
STRICTER = "[relevance]\nthreshold = 0.9\n"
REFUSED = "not crawling: the database refused the crawl: "


def stored_seeds(folder: Path) -> tuple[Path, Path]:
    """A database in ``folder`` holding the seed articles, scored with the defaults, and a
    settings file beside ``folder`` whose threshold asks for them to be scored again."""
    folder.mkdir()
    db = folder / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    build_ingestor(store, config=DEFAULTS).ingest(list(read_paths([SEEDS])))
    store.close()  # the last connection: no -wal or -shm file left beside it
    config = folder.parent / "thaidigest.toml"
    config.write_text(FAST_CONFIG + STRICTER, encoding="utf-8")
    return db, config


def verdicts(db: Path) -> list[tuple]:
    """The stored articles' scores."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT id, relevance, relevant, topics FROM articles ORDER BY id"
        ).fetchall()


def table(db: Path, name: str, columns: str = "*") -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT {columns} FROM {name}").fetchall()


def digest_args(tmp_path: Path, db: Path, config: Path) -> list[str]:
    out = tmp_path / "public"
    return [
        "digest",
        "--out",
        str(out),
        "--judged-sites",
        "none",
        "--db",
        str(db),
        "--config",
        str(config),
    ]


@NEEDS_READ_ONLY_MOUNT
@pytest.mark.parametrize("command", ["scrapy crawl", "thaidigest crawl", "thaidigest digest"])
def test_a_database_that_refuses_the_rescoring_ends_the_command_in_its_one_line(command, tmp_path):
    folder = tmp_path / "read-only"
    db, config = stored_seeds(folder)
    before = verdicts(db)
    why = f"attempt to write a readonly database ({folder} is on a read-only file system)"
    with FixtureSite() as site:
        if command == "scrapy crawl":
            ran = read_only(
                folder,
                *scrapy_args("mdes", site.base_url),
                env=environment(db, config),
                cwd=PROJECT,
            )
        elif command == "thaidigest crawl":
            arguments = crawl_args(site.base_url, db, config, "--source", "all")
            ran = read_only(folder, sys.executable, "-m", "thaidigest", *arguments)
        else:
            arguments = digest_args(tmp_path, db, config)
            ran = read_only(folder, sys.executable, "-m", "thaidigest", *arguments)
        requests = list(site.requests)
    assert ran.returncode == 1, ran.stderr[-3000:]
    assert "Traceback" not in ran.stderr, ran.stderr[-3000:]
    said = [line for line in ran.stderr.splitlines() if line]
    if command == "scrapy crawl":  # in Scrapy's log: time, [mdes] ERROR: …
        [line] = said
        assert line.endswith(f"[mdes] ERROR: {REFUSED}database {db}: {why}"), line
    elif command == "thaidigest crawl":  # one line for both sites: one pass refused
        [line] = said  # in the crawl's log: Bangkok time, [logger] ERROR: …
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00 \[scraper\.crawl\] ERROR: .*", line
        )
        assert line.endswith(f"] ERROR: {REFUSED}database {db}: {why}"), line
    else:
        assert said == [f"Error: database {db}: {why}"]
    assert ran.stdout == ""  # no crawl report, no digest
    assert requests == []
    assert verdicts(db) == before
    assert table(db, "locks") == table(db, "crawl_runs") == []
