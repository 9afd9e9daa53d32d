"""``thaidigest crawl`` stopped by a signal: it closes in seconds and loses nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from tests.scraper.crawling import crawl, crawl_args
from tests.scraper.test_crawl import expected_urls, stored

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
