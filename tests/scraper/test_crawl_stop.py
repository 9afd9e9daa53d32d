"""``thaidigest crawl`` stopped by a signal: it closes in seconds and loses nothing."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

import scraper.crawl as crawl_module
from scraper.crawl import run_crawl
from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from tests.scraper.crawling import crawl, crawl_args, someone_waits_for_the_write_lock
from tests.scraper.test_crawl import expected_urls, stored
from thaidigest import store as store_module
from thaidigest.config import DEFAULTS, load_config
from thaidigest.options import EXIT_INTERRUPTED
from thaidigest.pipeline import (
    PARTNERS_KEY,
    SCORING_KEY,
    build_ingestor,
    partners_fingerprint,
    scoring_fingerprint,
)
from thaidigest.readers import read_paths
from thaidigest.store import Store, StoreError, iso, locks, utc_now

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# The default download timeout (30 s) and retries; no delay, to keep the test short.
CONFIG = """
[sites.thaigov]
delay = 0
[sites.mdes]
delay = 0
categories = [3, 7]
"""
HANGING_PAGE = r"^/news/contents/details/87362$"
DOWNLOAD_TIMEOUT = 30  # what a stop that waited for the hanging download would take
PROMPT_STOP = 2  # seconds a crawl may take to end after a signal, waiting for the database


def test_sigterm_closes_a_crawl_stuck_on_a_download_and_the_next_crawl_loses_nothing(tmp_path):
    config = tmp_path / "thaidigest.toml"
    config.write_text(CONFIG, encoding="utf-8")
    db = tmp_path / "db.sqlite"
    hang = FaultRule(path=HANGING_PAGE, fault="hang", delay=300)
    with FixtureSite(faults=FaultPlan([hang])) as site:
        victim = subprocess.Popen(
            [sys.executable, "-m", "thaidigest", *crawl_args(site.base_url, db, config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        deadline = time.monotonic() + 60
        while not any(request.fault == "hang" for request in site.requests):
            assert victim.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        victim.send_signal(signal.SIGTERM)
        began = time.monotonic()
        stdout, stderr = victim.communicate(timeout=120)
        took = time.monotonic() - began
    assert victim.returncode == 1, stderr[-2000:]  # a stopped run is not an ok run
    assert took < DOWNLOAD_TIMEOUT / 2, f"{took:.1f} s: it waited for the download"
    assert "thaigov: stopped" in stdout, stdout  # closed by the crawl, not killed
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT * FROM locks").fetchall() == []
        runs = conn.execute("SELECT source, status FROM crawl_runs").fetchall()
    assert ("thaigov", "stopped") in runs
    assert stored(db).keys() < expected_urls()  # it stopped part way

    with FixtureSite() as site:
        rerun = crawl(site.base_url, db, config)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert stored(db).keys() == expected_urls()  # the next crawl looked back for what it missed


# Every page but robots.txt hangs: whenever the signal comes, the crawl has not finished.
EVERY_PAGE_HANGS = FaultRule(path=r"^/(?!robots\.txt)", fault="hang", delay=300)
# The moments a stop may come after the crawl took its lock: at once (before Scrapy has
# built the crawl, let alone run it), and once the spider has started its crawl run. The
# crawl's own lock, not the turn a re-scoring of the stored articles takes before it.
AFTER_THE_LOCK = "SELECT name FROM locks WHERE name LIKE 'crawl:%'"
AFTER_THE_RUN_STARTED = "SELECT id FROM crawl_runs"


def rows(db, sql: str) -> list[tuple]:
    """Rows of ``sql``, [] while the crawl has not yet made the database or its tables."""
    if not db.exists():  # connecting would make it
        return []
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []


def start_crawl(site: FixtureSite, db, config, source: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "thaidigest",
            *crawl_args(site.base_url, db, config, "--source", source),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


@pytest.mark.parametrize(
    ("source", "signum", "moment"),
    [
        ("thaigov", signal.SIGTERM, AFTER_THE_LOCK),
        ("all", signal.SIGTERM, AFTER_THE_LOCK),  # one site's lock taken, maybe not the other's
        ("mdes", signal.SIGINT, AFTER_THE_LOCK),
        ("thaigov", signal.SIGTERM, AFTER_THE_RUN_STARTED),
    ],
)
def test_a_crawl_stopped_as_soon_as_it_holds_its_lock_records_it_stopped_and_releases_it(
    source, signum, moment, tmp_path
):
    config = tmp_path / "thaidigest.toml"
    config.write_text(CONFIG, encoding="utf-8")
    db = tmp_path / "db.sqlite"
    with FixtureSite(faults=FaultPlan([EVERY_PAGE_HANGS])) as site:
        victim = start_crawl(site, db, config, source)
        try:
            deadline = time.monotonic() + 60
            while not rows(db, moment):
                assert victim.poll() is None and time.monotonic() < deadline
                time.sleep(0.005)
            victim.send_signal(signum)
            stdout, stderr = victim.communicate(timeout=60)
        finally:
            if victim.poll() is None:
                victim.kill()
                victim.wait()
    assert victim.returncode == 1, stderr[-2000:]  # as for any stopped crawl, not killed
    assert "Traceback" not in stderr
    assert rows(db, "SELECT * FROM locks") == []
    runs = rows(db, "SELECT source, status FROM crawl_runs")
    first = "thaigov" if source == "all" else source  # the site whose lock is taken first
    assert (first, "stopped") in runs, runs
    assert {status for _, status in runs} == {"stopped"}, runs
    for ran, _ in runs:
        assert f"{ran}: stopped" in stdout, stdout


def test_a_crawl_stopped_before_it_takes_a_lock_ends_as_the_signal_ends_it_holding_nothing(
    tmp_path,
):
    config = tmp_path / "thaidigest.toml"
    config.write_text(CONFIG, encoding="utf-8")
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        victim = start_crawl(site, db, config, "all")
        victim.send_signal(signal.SIGTERM)  # still starting Python: long before any lock
        stdout, _ = victim.communicate(timeout=60)
        requests = list(site.requests)
    assert victim.returncode == -signal.SIGTERM  # 143 in a shell
    assert stdout == ""
    assert rows(db, "SELECT * FROM locks") == []
    assert rows(db, "SELECT * FROM crawl_runs") == []
    assert requests == []


def test_stored_verdicts_are_brought_up_to_date_before_a_crawl_takes_a_lock(tmp_path):
    # After an upgrade or an edited rules or partners file, reading every stored article
    # again comes before any lock, so a stop signal never waits for it while a site is
    # locked: here every site is locked by another crawl, and the scans happen all the same.
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    build_ingestor(store, config=DEFAULTS).ingest(list(read_paths([SEEDS])))
    store.update_scores([], SCORING_KEY, "before an upgrade")
    store.update_partners([], PARTNERS_KEY, "before an upgrade")
    now = utc_now()
    with store.transaction() as conn:
        for source in ("thaigov", "mdes"):
            conn.execute(
                insert(locks).values(
                    name=f"crawl:{source}",
                    holder="another-host:4242",
                    acquired_at=iso(now),
                    expires_at=iso(now + timedelta(hours=1)),
                )
            )
    runs = run_crawl(["thaigov", "mdes"], store=store, config=DEFAULTS)
    assert {run["status"] for run in runs.values()} == {"locked"}
    assert store.meta_value(SCORING_KEY) == scoring_fingerprint(DEFAULTS, None)
    assert store.meta_value(PARTNERS_KEY) == partners_fingerprint(None)
    store.close()


def test_two_crawls_in_one_process_log_each_line_once_with_its_time(tmp_path, monkeypatch, capfd):
    """Each takes a dead crawl's lock over, then is stopped before Scrapy starts: the
    take-over is a line of the crawl's log, and the handler is gone when run_crawl ends."""
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    take = crawl_module.locks.acquire

    def take_then_signal(store, name, *args, **kwargs):
        take(store, name, *args, **kwargs)
        if name.startswith("crawl:"):  # not the turn a re-scoring takes before it
            signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(crawl_module.locks, "acquire", take_then_signal)
    handlers = list(logging.root.handlers)
    dead = f"{socket.gethostname()}:4000000"  # above any pid_max: no such process
    for _ in range(2):
        now = utc_now()
        with store.transaction() as conn:
            conn.execute(
                insert(locks).values(
                    name="crawl:mdes",
                    holder=dead,
                    acquired_at=iso(now),
                    expires_at=iso(now + timedelta(hours=1)),
                )
            )
        runs = run_crawl(["mdes"], store=store, config=DEFAULTS)
        assert runs["mdes"]["status"] == "stopped"
        logged = capfd.readouterr().err
        taking_over = (
            rf"^\S+\+07:00 \[thaidigest\.locks\] WARNING: taking over crawl:mdes from {dead}"
        )
        assert len(re.findall(taking_over, logged, re.MULTILINE)) == 1, logged
        assert logging.root.handlers == handlers
    store.close()


def test_a_crawl_that_cannot_record_its_stop_still_releases_its_lock(tmp_path, monkeypatch):
    # A database too busy to record the stopped run (past its busy timeout) must not leave
    # the site locked until the lock expires.
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    take = crawl_module.locks.acquire

    def take_then_signal(store, name, *args, **kwargs):
        take(store, name, *args, **kwargs)
        if name.startswith("crawl:"):  # not the turn a re-scoring takes before it
            signal.raise_signal(signal.SIGTERM)  # the stop comes once the lock is held

    def busy(*_args, **_kwargs):
        raise StoreError("database is locked")

    monkeypatch.setattr(crawl_module.locks, "acquire", take_then_signal)
    monkeypatch.setattr(crawl_module, "record_stopped", busy)
    with pytest.raises(StoreError, match="database is locked"):
        run_crawl(["thaigov"], store=store, config=DEFAULTS)
    with store.engine.connect() as conn:
        assert conn.execute(select(locks)).all() == []
    store.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_crawl_signalled_while_it_waits_for_a_busy_database_ends_at_once_holding_nothing(
    signum, tmp_path
):
    config = tmp_path / "thaidigest.toml"
    config.write_text(CONFIG, encoding="utf-8")
    db = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    run_crawl([], store=store, config=load_config(config))  # stored verdicts up to date
    store.close()
    holder = sqlite3.connect(db, isolation_level=None)  # another writer, as a long import
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with FixtureSite() as site:
            victim = start_crawl(site, db, config, "all")
            try:
                deadline = time.monotonic() + 30
                while not someone_waits_for_the_write_lock(db):
                    assert victim.poll() is None and time.monotonic() < deadline
                    time.sleep(0.05)
                victim.send_signal(signum)
                began = time.monotonic()
                _, stderr = victim.communicate(timeout=store_module.BUSY_TIMEOUT + 10)
                took = time.monotonic() - began
            finally:
                if victim.poll() is None:
                    victim.kill()
                    victim.wait()
            requests = list(site.requests)
    finally:
        holder.close()
    assert took < PROMPT_STOP, f"{took:.1f} s after the signal\n{stderr[-2000:]}"
    # As a signal before any lock is taken ends it: SIGTERM's default action; SIGINT's
    # KeyboardInterrupt, which the command line ends with as a shell would report it.
    ended = -signal.SIGTERM if signum == signal.SIGTERM else EXIT_INTERRUPTED
    assert victim.returncode == ended, stderr
    assert "locked" not in stderr, stderr
    assert rows(db, "SELECT * FROM locks") == []
    assert rows(db, "SELECT * FROM crawl_runs") == []
    assert requests == []
