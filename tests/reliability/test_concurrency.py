"""Two crawls at once: one per site at a time; the loser records a locked run, stores nothing.
Two imports at once: both store what they read, each article once.
Processes opening a new database at once: all open it, its tables made once."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from scraper.commands import EXIT_LOCKED
from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from tests.reliability.test_crash_safety import (
    ENV,
    crawl_command,
    expected_urls,
    store_problems,
    stored_articles,
    thaidigest,
    write_crawl_config,
)
from thaidigest import locks
from thaidigest.store import Store

# Keeps the first crawl busy long enough for the second to find the lock taken.
SLOW_PAGE = FaultRule(path=r"^/news/contents/details/87370$", fault="hang", delay=3.0)


def start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV
    )


def finish(processes: list[subprocess.Popen]) -> list[tuple[int, str, str]]:
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        results.append((process.returncode, stdout, stderr))
    return results


def crawl_runs(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT source, status FROM crawl_runs ORDER BY id").fetchall()


def test_second_crawl_of_a_site_exits_75_and_records_only_that_it_was_locked(tmp_path):
    config = write_crawl_config(tmp_path, timeout=5, delay=0)
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()  # both find the schema in place
    with FixtureSite(faults=FaultPlan([SLOW_PAGE])) as site:
        args = crawl_command(site, db, config, "thaigov")
        results = finish([start(args), start(args)])
        fetched = len(site.requests)

    codes = sorted(code for code, _, _ in results)
    assert codes == [0, EXIT_LOCKED], results
    (winner,) = [r for r in results if r[0] == 0]
    (loser,) = [r for r in results if r[0] == EXIT_LOCKED]
    # "is held by HOST:PID", or "was taken at the same moment" when both found it free
    assert re.match(
        r"not crawling: crawl:thaigov (is held by|was taken at the same moment)", loser[2]
    )
    assert loser[1] == ""
    assert "Traceback" not in winner[2] + loser[2]
    # Only the winner crawled: its articles and no request of the loser's, whose run says why.
    assert sorted(crawl_runs(db)) == [("thaigov", "locked"), ("thaigov", "ok")]
    assert set(stored_articles(db)) == expected_urls("thaigov")
    assert f"{fetched} requests" in winner[1]
    assert store_problems(db) == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM locks").fetchone()[0] == 0


def test_crawls_of_two_different_sites_run_side_by_side(tmp_path):
    config = write_crawl_config(tmp_path, timeout=5, delay=0)
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    with FixtureSite(faults=FaultPlan([SLOW_PAGE])) as site:
        results = finish(
            [
                start(crawl_command(site, db, config, "thaigov")),
                start(crawl_command(site, db, config, "mdes")),
            ]
        )
    assert [code for code, _, _ in results] == [0, 0], results
    assert sorted(crawl_runs(db)) == [("mdes", "ok"), ("thaigov", "ok")]
    assert set(stored_articles(db)) == expected_urls("thaigov") | expected_urls("mdes")
    assert store_problems(db) == []


def test_a_held_lock_skips_that_site_only(tmp_path):
    config = write_crawl_config(tmp_path, timeout=5, delay=0)
    db = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    locks.acquire(store, "crawl:thaigov", timedelta(hours=1))  # a live crawl of thaigov: us
    try:
        with FixtureSite() as site:
            result = subprocess.run(
                crawl_command(site, db, config, "all"), capture_output=True, text=True, env=ENV
            )
            thaigov_requests = [r for r in site.requests if r.path.startswith("/news/contents")]
    finally:
        store.close()

    assert result.returncode == 0, result.stderr
    assert re.search(r"^not crawling: crawl:thaigov is held by ", result.stderr, re.MULTILINE)
    assert result.stdout.startswith("mdes: ok"), result.stdout
    assert "thaigov" not in result.stdout
    assert thaigov_requests == []
    assert sorted(crawl_runs(db)) == [("mdes", "ok"), ("thaigov", "locked")]
    assert set(stored_articles(db)) == expected_urls("mdes")
    with sqlite3.connect(db) as conn:  # ours is left, the crawl's own is released
        assert conn.execute("SELECT name FROM locks").fetchall() == [("crawl:thaigov",)]


def test_two_imports_of_one_file_at_once_both_succeed_and_store_each_article_once(tmp_path):
    # Each batch looks up which of its URLs are stored, then writes: without the
    # write lock from the start, the other import could store them in between.
    records = tmp_path / "articles.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for number in range(3000):
            body = f"ย่อหน้าที่ {number} ของข่าว " * 20
            record = {
                "url": f"https://www.thaigov.go.th/news/contents/details/{100000 + number}",
                "text": f"หัวข้อข่าวที่ {number}\n\n{body}",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()  # the database exists before both start
    command = thaidigest("import", str(records), "--db", str(db), "--workers", "1")
    results = finish([start(command), start(command)])
    assert [code for code, _, _ in results] == [0, 0], [err[-500:] for _, _, err in results]
    news = sorted(int(re.search(r"new (\d+)", out)[1]) for _, out, _ in results)
    assert sum(news) == 3000  # each article stored by one of the two, once
    assert store_problems(db) == []
    assert len(stored_articles(db)) == 3000


def test_processes_opening_a_new_database_at_once_all_open_it_and_version_it_once(tmp_path):
    # Each open used to look for missing tables and create them unlocked: with a
    # few processes at once, one in about ten failed (`table meta already exists`).
    opening = "import sys; from thaidigest.store import Store; Store(sys.argv[1]).close()"
    for attempt in range(5):
        db = tmp_path / f"new-{attempt}.sqlite"
        results = finish(
            [start([sys.executable, "-c", opening, f"sqlite:///{db}"]) for _ in range(6)]
        )
        assert [code for code, _, _ in results] == [0] * 6, [err for _, _, err in results]
        with sqlite3.connect(db) as conn:
            versions = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'")
            assert len(versions.fetchall()) == 1
