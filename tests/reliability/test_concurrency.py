"""Two crawls at once: one per site at a time; the loser records a locked run, stores nothing.
Two imports at once: both store what they read, each article once.
Processes opening a new database at once: all open it, its tables made once; an open
waits for a write lock held while it puts a new file in WAL mode.
A crawl during a long import: each waits its turn at the write lock, both store everything."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from scraper.commands import EXIT_LOCKED
from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from tests.conftest import DATA
from tests.reliability.test_crash_safety import (
    ENV,
    crawl_command,
    expected_urls,
    query,
    store_problems,
    stored_articles,
    thaidigest,
    wait_for,
    write_crawl_config,
)
from thaidigest import locks
from thaidigest.store import Store

# Near copies of the corpus sample's six articles: deduplication merges ever larger
# clusters, so each batch of such an import holds the write lock longer than the last
# (the second and later ones more than the 30 s a writer waits, on the old code).
NEAR_COPIES = 1700
# Keeps the first crawl busy long enough for the second to find the lock taken.
SLOW_PAGE = FaultRule(path=r"^/news/contents/details/87370$", fault="hang", delay=3.0)
# The start of the line of the crawl's log that says a site's lock is held: its time, its
# logger and its level, as every line of that log.
NOT_CRAWLING = r"^\S+ \[scraper\.crawl\] ERROR: not crawling: "


def start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV
    )


def finish(processes: list[subprocess.Popen]) -> list[tuple[int, str, str]]:
    results = []
    for process in processes:
        # Only a guard against a hang: two imports on a loaded 2-core machine take minutes.
        stdout, stderr = process.communicate(timeout=600)
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
    # "is held by HOST:PID", or "was taken at the same moment" when both found it free; after
    # a line saying it waited for the other's pass over the stored articles, when it did
    assert re.search(
        NOT_CRAWLING + r"crawl:thaigov (is held by|was taken at the same moment)",
        loser[2],
        re.MULTILINE,
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
    assert re.search(NOT_CRAWLING + "crawl:thaigov is held by ", result.stderr, re.MULTILINE)
    assert result.stdout.startswith("mdes: ok"), result.stdout
    assert "thaigov" not in result.stdout
    assert thaigov_requests == []
    assert sorted(crawl_runs(db)) == [("mdes", "ok"), ("thaigov", "locked")]
    assert set(stored_articles(db)) == expected_urls("mdes")
    with sqlite3.connect(db) as conn:  # ours is left, the crawl's own is released
        assert conn.execute("SELECT name FROM locks").fetchall() == [("crawl:thaigov",)]


def test_a_crawl_running_past_its_lock_time_keeps_its_lock(tmp_path):
    # The lock's time is crawl.subprocess_timeout (1 s here); the crawl's pages hang for a
    # minute. It renews its lock as it runs, so a second crawl finds the site held.
    config = add_crawl_setting(write_crawl_config(tmp_path, timeout=90, delay=0), 1)
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    hang = FaultRule(path=r"^/(?!robots\.txt)", fault="hang", delay=60.0)
    with FixtureSite(faults=FaultPlan([hang])) as site:
        first = start(crawl_command(site, db, config, "mdes"))
        try:
            # The site's lock, not the turn of the pass over the stored articles before it.
            expiry = "SELECT expires_at FROM locks WHERE name = 'crawl:mdes'"
            wait_for(lambda: query(db, expiry))
            ((first_expiry,),) = query(db, expiry)
            wait_for(lambda: query(db, expiry) > [(first_expiry,)])
            second = finish([start(crawl_command(site, db, config, "mdes"))])
            assert first.poll() is None  # the first crawl still runs
        finally:
            first.terminate()  # it stops within seconds, releasing its lock
            finish([first])

    ((code, stdout, stderr),) = second
    assert code == EXIT_LOCKED, stderr
    assert re.search(
        NOT_CRAWLING + rf"crawl:mdes is held by \S+:{first.pid} since", stderr, re.MULTILINE
    )
    assert "taking over" not in stderr
    assert stdout == ""
    assert first.returncode == 1  # stopped
    assert query(db, "SELECT * FROM locks") == []  # released by the first crawl


def add_crawl_setting(config: Path, subprocess_timeout: float) -> Path:
    text = config.read_text(encoding="utf-8")
    line = f"subprocess_timeout = {subprocess_timeout}"
    config.write_text(text.replace("[crawl]\n", f"[crawl]\n{line}\n", 1), encoding="utf-8")
    return config


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


def test_an_open_switching_a_new_file_to_wal_waits_for_a_write_lock_held_meanwhile(tmp_path):
    # SQLite answers "database is locked" at once, not after busy_timeout, to a connection
    # switching a file to WAL while another holds the write lock: six processes opening a
    # new file at once failed about once in forty rounds.
    db = tmp_path / "new.sqlite"
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, holder.execute, ["COMMIT"])
    release.start()
    try:
        Store(f"sqlite:///{db}").close()
    finally:
        release.join()
        holder.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        versions = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'")
        assert len(versions.fetchall()) == 1


def write_near_copies(path: Path, count: int) -> Path:
    """``count`` articles, each a near copy of one of the corpus sample's (its number added)."""
    lines = (DATA / "corpus_sample.jsonl").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines if line]
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            record = records[number % len(records)]
            source_id = 9_000_000 + number
            url = f"https://www.thaigov.go.th/news/contents/details/{source_id}"
            text = record["text"].replace("\n", f"\nฉบับที่ {number}\n", 1)
            fields = {"id": source_id, "url": url, "text": text}
            out.write(json.dumps(record | fields, ensure_ascii=False) + "\n")
    return path


def count_articles(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_a_crawl_during_a_long_import_waits_its_turn_and_both_store_everything(tmp_path):
    articles = write_near_copies(tmp_path / "articles.jsonl", NEAR_COPIES)
    config = write_crawl_config(tmp_path, timeout=5, delay=0)
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    importing = start(thaidigest("import", str(articles), "--db", str(db), "--workers", "2"))
    deadline = time.monotonic() + 120
    while count_articles(db) == 0:  # its first batch is in: the long ones come next
        assert importing.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    with FixtureSite() as site:
        crawling = start(crawl_command(site, db, config, "mdes"))
        (crawled, imported) = finish([crawling, importing])
    assert crawled[0] == 0, crawled[1] + crawled[2][-2000:]
    assert "mdes: ok" in crawled[1]
    assert imported[0] == 0, imported[2][-2000:]
    assert f"read {NEAR_COPIES}, new {NEAR_COPIES}," in imported[1]
    assert crawl_runs(db) == [("mdes", "ok")]
    stored = stored_articles(db)
    assert len(stored) == NEAR_COPIES + len(expected_urls("mdes"))
    assert expected_urls("mdes") <= stored.keys()
    assert store_problems(db) == []
