"""End to end: ``thaidigest crawl`` against the fixture site on a loopback port."""

from __future__ import annotations

import re
import sqlite3

from scraper.fixture_site import DEFAULT_ROOT, FaultPlan, FaultRule, FixtureSite
from tests.scraper.crawling import copy_site, crawl, manifest, run_thaidigest, write_config
from thaidigest.store import Store
from thaidigest.urls import public_url

ARTICLE_PATH = re.compile(r"^/news/(contents/details|detail)/\d+")


def expected_urls() -> set[str]:
    urls = set()
    for page in manifest()["pages"]:
        if page["kind"] == "article":
            urls.add(public_url(page["site"], str(page["id"])))
    return urls


def stored(db) -> dict[str, dict]:
    store = Store(f"sqlite:///{db}")
    try:
        return {row["url"]: row for row in store.iter_articles()}
    finally:
        store.close()


def article_fetches(site: FixtureSite, since: int) -> list:
    return [r for r in site.requests[since:] if ARTICLE_PATH.match(r.path)]


def test_crawl_stores_every_fixture_article_then_only_revalidates(tmp_path):
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config)
        assert first.returncode == 0, first.stderr[-2000:]
        articles = stored(db)
        assert set(articles) == expected_urls()
        by_path = {p["path"]: p for p in manifest(root)["pages"] if p["kind"] == "article"}
        seed_001 = articles[public_url("thaigov", "87382")]
        assert seed_001["title"] == by_path["/news/contents/details/87382"]["title"]
        assert seed_001["published"] == "2024-08-23"
        assert "พิมพ์" not in seed_001["body"].split("\n")
        assert all(row["extraction"] == "selectors" for row in articles.values())
        assert "soft 404 26" in first.stdout  # 6 gaps in the window and 20 misses past its end

        before_second = len(site.requests)
        second = crawl(site.base_url, db, config)
        assert second.returncode == 0, second.stderr[-2000:]
        assert "new 0, updated 0" in second.stdout
        assert stored(db).keys() == articles.keys()
        refetched = article_fetches(site, before_second)
        full_bodies = [r for r in refetched if r.status == 200 and r.path in by_path]
        assert full_bodies == []  # every known article answered 304
        assert sum(r.status == 304 for r in refetched) == len(articles)

        page = root / by_path["/news/contents/details/87382"]["file"]
        html = page.read_text(encoding="utf-8")
        edited = html.replace("การประชุม DESG ครั้งนี้", "การประชุม DESG ที่แก้ไขแล้วครั้งนี้", 1)
        assert edited != html
        page.write_text(edited, encoding="utf-8")
        third = crawl(site.base_url, db, config)
        assert third.returncode == 0, third.stderr[-2000:]
        assert "new 0, updated 1," in third.stdout
    after = stored(db)
    changed = after[public_url("thaigov", "87382")]
    assert changed["versions"] == 2
    assert "ที่แก้ไขแล้ว" in changed["body"]
    assert sum(row["versions"] for row in after.values()) == len(after) + 1


def test_bursts_of_403_and_a_503_lose_no_article(tmp_path):
    # MDES-like politeness: one request at a time, retries that back off past the burst window.
    config = write_config(tmp_path)
    config.write_text(
        config.read_text()
        .replace("backoff_base = 0.05", "backoff_base = 0.5")
        .replace("[sites.mdes]\ndelay = 0", "[sites.mdes]\ndelay = 0.3\nconcurrency = 1")
    )
    db = tmp_path / "db.sqlite"
    faults = FaultPlan(
        rules=[
            FaultRule(path=r"^/news/detail/", fault="burst_403", limit=2, window=1.0),
            FaultRule(path=r"^/news/contents/details/87382$", fault="status", status=503, times=1),
        ]
    )
    with FixtureSite(faults=faults) as site:
        result = crawl(site.base_url, db, config)
        statuses = [r.status for r in site.requests]
    assert 403 in statuses and 503 in statuses  # the faults did happen
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert set(stored(db)) == expected_urls()


def test_second_crawl_given_the_same_start_id_does_not_walk_known_ids(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        crawl(site.base_url, db, config, "--source", "thaigov")
        mark = len(site.requests)
        crawl(site.base_url, db, config, "--source", "thaigov")
        walked = [r for r in site.requests[mark:] if r.status == 200 and ARTICLE_PATH.match(r.path)]
    highest = max(manifest()["thaigov_ids"])
    assert walked  # the walk past the end is still tried ...
    assert all(int(r.path.rsplit("/", 1)[1]) > highest for r in walked)  # ... but only there


def test_first_crawl_without_start_id_starts_from_the_newest_search_result(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        result = run_thaidigest(
            "crawl", "--source", "thaigov", "--base-url", site.base_url,
            "--db", str(db), "--config", str(config),
        )  # fmt: skip
        searched = [r for r in site.requests if r.path.startswith("/search")]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert searched
    search_page = (DEFAULT_ROOT / "search.html").read_text(encoding="utf-8")
    listed = {int(i) for i in re.findall(r"/news/contents/details/(\d+)", search_page)}
    highest = max(manifest()["thaigov_ids"])
    ids = {int(url.rsplit("/", 1)[1]) for url in stored(db)}
    # every listed article, then every article past the newest one listed
    assert ids == listed | {i for i in manifest()["thaigov_ids"] if max(listed) < i <= highest}


def test_a_database_that_refuses_writes_ends_the_crawl_with_one_line(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    with sqlite3.connect(db) as conn:  # every article refused, crawl runs still recorded
        conn.execute(
            "CREATE TRIGGER full BEFORE INSERT ON articles "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    with FixtureSite() as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
    assert result.returncode == 1
    assert "mdes: failed" in result.stdout
    assert f"error: {site.base_url}" in result.stdout
    assert f"database {db}: database or disk is full" in result.stdout
    assert "Traceback" not in result.stderr and "INSERT" not in result.stderr
