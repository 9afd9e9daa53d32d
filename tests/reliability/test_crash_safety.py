"""SIGKILL ``thaidigest import`` and ``thaidigest crawl`` at random points, then rerun them.

Each write is one transaction (an import batch, one crawled article), so a kill may
lose work in flight but must never leave half an article, a lost or doubled
version, a damaged database, or a lock that stops the next run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from tests.scraper.crawling import crawl_args, manifest
from thaidigest.locks import Holder
from thaidigest.urls import public_url

SEEDS = (11, 23, 37)
IMPORT_ARTICLES = 1100  # more than two batches of 500: worker processes prepare them
EDITED_EVERY = 3  # the second import file changes every third article
CRAWL_CONFIG = """
[crawl]
backoff_base = 0.05
timeout = {timeout}
retries = 2
[sites.thaigov]
delay = {delay}
concurrency = 2
[sites.mdes]
delay = {delay}
concurrency = 2
categories = [3, 7]
"""
TITLE_PREFIX = "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-"
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


# --- Checks shared with the other reliability tests ------------------------------------


def store_problems(db: Path) -> list[str]:
    """Everything wrong with a store's articles and versions; [] for a sound store.

    A file with no tables is sound: the process was killed after SQLite made the
    file and before the transaction creating the tables committed.
    """
    with sqlite3.connect(db) as conn:
        problems = []
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            problems.append(f"integrity_check: {integrity}")
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        if not tables:
            return problems
        if not {"articles", "article_versions"} <= tables:
            return [*problems, f"some tables but not the articles': {sorted(tables)}"]
        versions: dict[int, list[tuple[int, str]]] = {}
        for article_id, version, content_hash in conn.execute(
            "SELECT article_id, version, content_hash FROM article_versions ORDER BY version"
        ):
            versions.setdefault(article_id, []).append((version, content_hash))
        rows = conn.execute(
            "SELECT id, url, title, body, content_hash, versions FROM articles"
        ).fetchall()
        ids = {row[0] for row in rows}
        for article_id, url, title, body, content_hash, count in rows:
            mine = versions.get(article_id, [])
            if not title or not title.strip():
                problems.append(f"{url}: no title")
            if body is None:
                problems.append(f"{url}: no body")
            if not content_hash or len(content_hash) != 64:
                problems.append(f"{url}: no content hash")
            if [number for number, _ in mine] != list(range(1, count + 1)):
                problems.append(f"{url}: versions={count} but version rows {mine}")
            elif mine[-1][1] != content_hash:
                problems.append(f"{url}: newest version is not the current content")
        orphans = set(versions) - ids
        if orphans:
            problems.append(f"versions without an article: {sorted(orphans)}")
        doubled = conn.execute(
            "SELECT url FROM articles GROUP BY url HAVING count(*) > 1"
        ).fetchall()
        if doubled:
            problems.append(f"stored twice: {doubled}")
    return problems


def stored_articles(db: Path) -> dict[str, dict]:
    """url -> the content columns of every stored article."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return {
            row["url"]: dict(row)
            for row in conn.execute(
                "SELECT url, source_id, title, body, published, content_hash, versions"
                " FROM articles"
            )
        }


# --- Running and killing ------------------------------------------------------------


def thaidigest(*args: str) -> list[str]:
    return [sys.executable, "-m", "thaidigest", *args]


# Only a guard against a hang: on a loaded 2-core machine an import here took minutes.
HANG_GUARD = 600


def run(args: list[str], timeout: float = HANG_GUARD) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=ENV)


def start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, env=ENV
    )


def kill(process: subprocess.Popen) -> None:
    """SIGKILL (nothing runs in the victim afterwards) and reap it."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def count(db: Path, sql: str, *params: object) -> int:
    rows = query(db, sql, *params)
    return rows[0][0] if rows else 0


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    """Rows of ``sql``, or [] while the database or its tables do not exist yet."""
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the crawl to get that far")
        time.sleep(0.02)


# --- thaidigest import ----------------------------------------------------------------


def corpus_lines(edited: bool) -> list[str]:
    """Corpus-format JSON lines built from the fixture site's articles, one id each."""
    pages = [page for page in manifest()["pages"] if page["kind"] == "article"]
    lines = []
    for number in range(IMPORT_ARTICLES):
        page = pages[number % len(pages)]
        article_id = 500_000 + number
        closing = f"ลำดับที่ {number}"
        if edited and number % EDITED_EVERY == 0:
            closing += " (แก้ไขแล้ว)"
        record = {
            "id": article_id,
            "url": f"https://www.thaigov.go.th/news/contents/details/{article_id}",
            "category": page["category"],
            "scraped": "2024-09-01",
            "text": f"{TITLE_PREFIX}{page['title']} #{number}\n\n{page['text']}\n{closing}",
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    return lines


@pytest.fixture(scope="module")
def import_files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    first, second = folder / "first.jsonl", folder / "second.jsonl"
    first.write_text("\n".join(corpus_lines(edited=False)) + "\n", encoding="utf-8")
    second.write_text("\n".join(corpus_lines(edited=True)) + "\n", encoding="utf-8")
    return first, second


@pytest.fixture(scope="module")
def never_crashed(import_files, tmp_path_factory) -> Path:
    """A store that imported both files without interruption."""
    db = tmp_path_factory.mktemp("reference") / "db.sqlite"
    for path in import_files:
        result = run(thaidigest("import", str(path), "--db", str(db)))
        assert result.returncode == 0, result.stderr[-2000:]
    return db


@pytest.mark.parametrize("seed", SEEDS)
def test_killed_import_rerun_stores_each_article_and_version_once(
    seed, import_files, never_crashed, tmp_path
):
    rng = random.Random(seed)
    db = tmp_path / "db.sqlite"
    for path in import_files:
        victim = start(thaidigest("import", str(path), "--db", str(db)))
        time.sleep(rng.uniform(0.2, 2.0))
        kill(victim)
        if db.exists():
            assert store_problems(db) == []
        result = run(thaidigest("import", str(path), "--db", str(db)))
        assert result.returncode == 0, result.stderr[-2000:]
        assert "rejected 0" in result.stdout

    assert store_problems(db) == []
    articles = stored_articles(db)
    assert len(articles) == IMPORT_ARTICLES
    assert articles == stored_articles(never_crashed)
    edited = sum(row["versions"] == 2 for row in articles.values())
    assert edited == len(range(0, IMPORT_ARTICLES, EDITED_EVERY))
    assert {row["versions"] for row in articles.values()} == {1, 2}


def pin_clock_and_relevance(db: Path) -> None:
    """Same timestamps and relevance in every store, so digests differ only by content."""
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE articles SET first_seen = '2024-08-20T03:00:00Z',"
            " last_seen = '2024-08-20T03:00:00Z', last_changed = '2024-08-20T03:00:00Z',"
            " relevant = 1, relevance = 1.0, topics = '[\"asean\"]'"
        )
        conn.execute("UPDATE article_versions SET seen_at = '2024-08-20T03:00:00Z'")


def test_digest_of_a_store_that_survived_kills_is_byte_identical(
    import_files, never_crashed, tmp_path
):
    publish = pytest.importorskip("digest.publish")
    select = pytest.importorskip("digest.select")
    from thaidigest.config import DEFAULTS
    from thaidigest.store import Store

    rng = random.Random(SEEDS[0])
    crashed = tmp_path / "crashed.sqlite"
    for path in import_files:
        victim = start(thaidigest("import", str(path), "--db", str(crashed)))
        time.sleep(rng.uniform(0.2, 2.0))
        kill(victim)
        assert run(thaidigest("import", str(path), "--db", str(crashed))).returncode == 0
    reference = tmp_path / "reference.sqlite"
    reference.write_bytes(never_crashed.read_bytes())

    outputs = {}
    week = select.Week.parse("2024-W34")
    for name, db in (("crashed", crashed), ("reference", reference)):
        pin_clock_and_relevance(db)
        store = Store(f"sqlite:///{db}")
        try:
            result = publish.build_digest(store, tmp_path / name, week, DEFAULTS)
        finally:
            store.close()
        assert result.items > 0
        outputs[name] = {
            path.relative_to(tmp_path / name): path.read_bytes() for path in result.files
        }
    assert outputs["crashed"] == outputs["reference"]


# --- thaidigest crawl -----------------------------------------------------------------


def crawl_command(site: FixtureSite, db: Path, config: Path, source: str) -> list[str]:
    return thaidigest(*crawl_args(site.base_url, db, config, "--source", source))


def write_crawl_config(tmp_path: Path, timeout: float = 2, delay: float = 0.03) -> Path:
    path = tmp_path / "thaidigest.toml"
    path.write_text(CRAWL_CONFIG.format(timeout=timeout, delay=delay), encoding="utf-8")
    return path


def expected_urls(source: str) -> set[str]:
    return {
        public_url(page["site"], str(page["id"]))
        for page in manifest()["pages"]
        if page["kind"] == "article" and page["site"] == source
    }


@pytest.mark.parametrize("source", ["thaigov", "mdes"])
@pytest.mark.parametrize("seed", SEEDS)
def test_killed_crawl_leaves_a_sound_store_and_a_lock_the_rerun_takes_over(seed, source, tmp_path):
    rng = random.Random(seed)
    config = write_crawl_config(tmp_path)
    db = tmp_path / "db.sqlite"
    lock = f"crawl:{source}"
    with FixtureSite() as site:
        victim = start(crawl_command(site, db, config, source))
        try:
            wait_for(lambda: query(db, "SELECT holder FROM locks WHERE name = ?", lock))
            time.sleep(rng.uniform(0.0, 1.0))
        finally:
            kill(victim)
        held = query(db, "SELECT holder FROM locks WHERE name = ?", lock)
        if held:  # killed while crawling: the dead crawl's lock is still there
            assert Holder.parse(held[0][0]).pid == victim.pid
        # else the crawl had released its lock (it ended, or was ending, when the kill came)
        assert store_problems(db) == []

        rerun = run(crawl_command(site, db, config, source))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr[-2000:]
    assert "not crawling" not in rerun.stderr
    assert "Traceback" not in rerun.stderr
    assert query(db, "SELECT * FROM locks") == []  # released by the rerun
    # The killed crawl's run, if it started one and did not end it, is recorded as failed
    # by the rerun, not left "running" for ever.
    statuses = [status for (status,) in query(db, "SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses[-1] == "ok" and "running" not in statuses, statuses
    assert store_problems(db) == []
    assert set(stored_articles(db)) <= expected_urls(source)


def kill_stuck_crawl_then_rerun(
    tmp_path: Path, source: str, hanging_path: str, killed_when: Callable[[Path], bool]
) -> Path:
    """Crawl ``source`` while one page hangs; SIGKILL once ``killed_when(db)``; rerun cleanly."""
    config = write_crawl_config(tmp_path, timeout=20, delay=0)
    db = tmp_path / "db.sqlite"
    stuck = FaultRule(path=hanging_path, fault="hang", delay=30)
    with FixtureSite(faults=FaultPlan([stuck])) as site:
        victim = start(crawl_command(site, db, config, source))
        try:
            wait_for(lambda: killed_when(db))
        finally:
            kill(victim)
    stored = count(db, "SELECT count(*) FROM articles")
    with FixtureSite() as site:
        rerun = run(crawl_command(site, db, config, source))
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    # The killed crawl had stored articles, so it had a run: the rerun records it failed.
    runs = query(db, "SELECT status, report FROM crawl_runs ORDER BY id")
    assert [status for status, _ in runs] == ["failed", "ok"]
    killed = json.loads(runs[0][1])
    assert killed["unfinished"] == "the crawl process ended before the crawl did"
    # With the articles it stored, each counted in its transaction; what else it did (the
    # pages it fetched, blocked, failed on) is not known, so not given as 0.
    assert killed["new"] == stored > 0, killed
    assert killed["stored_only"] and "fetched" not in killed and "errors" not in killed, killed
    return db


def test_killed_thaigov_walk_loses_no_article_on_rerun(tmp_path):
    db = kill_stuck_crawl_then_rerun(
        tmp_path,
        "thaigov",
        r"^/news/contents/details/87362$",
        lambda db: count(db, "SELECT count(*) FROM articles") >= 20,
    )
    assert set(stored_articles(db)) == expected_urls("thaigov")


def test_killed_mdes_crawl_loses_no_article_on_rerun(tmp_path):
    first_page = ("11014", "11011", "11010")
    first_page_stored = "SELECT count(*) FROM articles WHERE source_id IN (?, ?, ?)"
    db = kill_stuck_crawl_then_rerun(
        tmp_path,
        "mdes",
        r"^/news/3/page/2$",
        lambda db: count(db, first_page_stored, *first_page) == 3,
    )
    assert set(stored_articles(db)) == expected_urls("mdes")


def test_sigterm_stops_a_crawl_stuck_on_a_hanging_page_and_records_it_stopped(tmp_path):
    config = write_crawl_config(tmp_path, timeout=600, delay=0)  # the page would hang 10 min
    db = tmp_path / "db.sqlite"
    stuck = FaultRule(path=r"^/news/3/page/2$", fault="hang", delay=900)
    with FixtureSite(faults=FaultPlan([stuck])) as site:
        crawl = subprocess.Popen(
            crawl_command(site, db, config, "mdes"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        try:
            wait_for(lambda: any(record.fault == "hang" for record in site.requests))
            time.sleep(1.0)  # the rest of the crawl is done: only the hanging page is left
            crawl.send_signal(signal.SIGTERM)
            stdout, stderr = crawl.communicate(timeout=60)
        finally:
            if crawl.poll() is None:
                kill(crawl)
    assert crawl.returncode == 1, stdout + stderr[-2000:]
    assert "Traceback" not in stderr
    assert "mdes: stopped" in stdout
    ((status, report),) = query(db, "SELECT status, report FROM crawl_runs")
    assert status == "stopped"
    assert json.loads(report)["new"] > 0  # what it did before the stop is counted
    assert query(db, "SELECT * FROM locks") == []
    assert store_problems(db) == []
