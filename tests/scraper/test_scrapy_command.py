"""``scrapy crawl`` run directly, in the project's folder: it takes its site's lock as
``thaidigest crawl`` does, and keeps off a site another crawl holds."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from scraper.fixture_site import FixtureSite
from tests.scraper.crawling import write_config
from thaidigest import locks
from thaidigest.store import Store, utc_now

PROJECT = Path(__file__).resolve().parents[2]  # where scrapy.cfg is


def scrapy_crawl(source: str, base_url: str, db: Path, config: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "THAIDIGEST_DB": str(db),
        "THAIDIGEST_CONFIG": str(config),
        "PYTHONWARNINGS": "ignore",
    }
    return subprocess.run(
        [sys.executable, "-m", "scrapy.cmdline", "crawl", source, "-a", f"base_url={base_url}"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=PROJECT,
    )


def runs(db: Path) -> list[tuple[str, dict]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT status, report FROM crawl_runs ORDER BY id").fetchall()
    return [(status, json.loads(report)) for status, report in rows]


def test_scrapy_crawl_takes_the_sites_lock_and_gives_it_back(tmp_path: Path) -> None:
    config, db = write_config(tmp_path), tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    store.start_crawl_run("mdes", utc_now())  # as a crawl killed earlier left it
    store.close()
    with FixtureSite() as site:
        crawled = scrapy_crawl("mdes", site.base_url, db, config)
        articles = [r for r in site.requests if r.path.startswith("/news/detail/")]
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    assert articles, "the crawl fetched no article"
    (first, settled), (status, report) = runs(db)
    assert first == "failed" and status == "ok", runs(db)
    assert settled["unfinished"] == "the crawl process ended before the crawl did"
    assert report["new"] == len({r.path for r in articles})
    store = Store(f"sqlite:///{db}")
    try:
        assert locks.holder(store, locks.crawl_lock("mdes")) is None  # released
    finally:
        store.close()


def test_scrapy_crawl_keeps_off_a_site_another_crawl_holds(tmp_path: Path) -> None:
    config, db = write_config(tmp_path), tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    try:
        locks.acquire(store, locks.crawl_lock("mdes"), timedelta(hours=1))  # this process
        with FixtureSite() as site:
            crawled = scrapy_crawl("mdes", site.base_url, db, config)
            requests = list(site.requests)
        assert requests == []  # not robots.txt either
        assert "not crawling: crawl:mdes is held by " in crawled.stderr, crawled.stderr[-3000:]
        assert [status for status, _ in runs(db)] == ["locked"]
        assert locks.held(store, locks.crawl_lock("mdes"))  # still ours
    finally:
        store.close()
