"""The fault matrix: one scripted fault of the fixture site per crawl, and what it costs.

Each case makes one article page (or one MDES listing page) misbehave and runs
``thaidigest crawl`` against it. A transient fault must be retried and cost
nothing; a persistent one must cost only the page it hit, named in the crawl
report (stdout and ``crawl_runs.report``) under ``blocked`` or ``errors``. No
fault may crash the crawl, store half an article, store mojibake, or send a
request anywhere but the fixture site.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scraper import fixture_site
from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from scraper.spiders.base import MAX_ARTICLE_REDIRECTS
from tests.reliability.test_crash_safety import store_problems, stored_articles
from tests.scraper.crawling import crawl, manifest
from thaidigest.urls import public_url

RETRIES = 2
TIMEOUT = 2  # seconds; a "hang" answers after HANG seconds
HANG = 3.0
MAX_PAGE_BYTES = 1 << 20  # the "huge" page is 20 MB
CONFIG = f"""
[crawl]
backoff_base = 0.05
timeout = {TIMEOUT}
retries = {RETRIES}
max_page_bytes = {MAX_PAGE_BYTES}
[sites.thaigov]
delay = 0
[sites.mdes]
delay = 0
categories = [3, 7]
"""
THAIGOV_ARTICLE = "/news/contents/details/87382"
MDES_ARTICLE_ID = "11009"
MDES_LISTING_PAGE_2 = "/news/3/page/2"
# Soft 404s of a clean thaigov crawl: 6 gaps in the window and 20 misses past its end.
CLEAN_SOFT_404 = 26
MOJIBAKE = ("\ufffd", "à¸", "à¹")


def site_urls(source: str) -> set[str]:
    return {
        public_url(page["site"], str(page["id"]))
        for page in manifest()["pages"]
        if page["kind"] == "article" and page["site"] == source
    }


def listed_from(listing_path: str) -> set[str]:
    """Articles reachable only through ``listing_path`` (it and the pages after it)."""
    pages = [p for p in manifest()["pages"] if p["kind"] == "listing"]
    category = listing_path.split("/")[2]
    number = int(listing_path.rsplit("/", 1)[1]) if "/page/" in listing_path else 1
    urls = set()
    for page in pages:
        parts = page["path"].split("/")
        page_number = int(parts[-1]) if "/page/" in page["path"] else 1
        if parts[2] == category and page_number >= number:
            urls |= {public_url("mdes", link.split("/")[3].split("-")[0]) for link in page["links"]}
    return urls


@dataclass(frozen=True)
class Case:
    """One fault, where it strikes, and what the crawl must make of it."""

    source: str
    path: str  # regex for FaultRule.path
    rule: dict
    outcome: str  # "stored", "errors", "blocked" or "soft_404"
    lost: frozenset[str] = field(default_factory=frozenset)  # public URLs not stored
    strikes: int = 1  # requests the fault answered (1 + retries when it is retried)
    detail: str = ""  # text the report's entry must hold ({offsite}: the off-site URL)

    @property
    def exit_code(self) -> int:
        return 1 if self.outcome == "blocked" else 0


THAIGOV = rf"^{THAIGOV_ARTICLE}$"
MDES = rf"^/news/detail/{MDES_ARTICLE_ID}(-|$)"
LISTING = rf"^{MDES_LISTING_PAGE_2}$"
ONE_THAIGOV = frozenset({public_url("thaigov", "87382")})
ONE_MDES = frozenset({public_url("mdes", MDES_ARTICLE_ID)})

RETRIED = RETRIES + 1
CASES = {
    # Transient: retried, nothing lost.
    "503-once": Case("thaigov", THAIGOV, {"fault": "status", "status": 503, "times": 1}, "stored"),
    "502-once": Case("thaigov", THAIGOV, {"fault": "status", "status": 502, "times": 1}, "stored"),
    "500-once": Case("thaigov", THAIGOV, {"fault": "status", "status": 500, "times": 1}, "stored"),
    "429-retry-after-once": Case(
        "thaigov", THAIGOV, {"fault": "retry_after", "times": 1}, "stored"
    ),
    "cut-once": Case("thaigov", THAIGOV, {"fault": "cut", "times": 1}, "stored"),
    "truncate-once": Case("thaigov", THAIGOV, {"fault": "truncate", "times": 1}, "stored"),
    "cut-unframed-once": Case("thaigov", THAIGOV, {"fault": "cut_unframed", "times": 1}, "stored"),
    "mdes-403-once": Case("mdes", MDES, {"fault": "burst_403", "limit": 0, "times": 1}, "stored"),
    "mdes-listing-503-once": Case(
        "mdes", LISTING, {"fault": "status", "status": 503, "times": 1}, "stored"
    ),
    # A listing page cut short or garbled was read as it came: its later links and the
    # pages after it lost, and the crawl counted clean.
    "mdes-listing-truncate-once": Case(
        "mdes", LISTING, {"fault": "truncate", "times": 1}, "stored"
    ),
    "mdes-listing-garble-once": Case("mdes", LISTING, {"fault": "garble", "times": 1}, "stored"),
    # Persistent: the page is named under errors, only it is lost.
    "500-always": Case(
        "thaigov", THAIGOV, {"fault": "status", "status": 500}, "errors", ONE_THAIGOV, RETRIED
    ),
    "hang": Case(
        "thaigov",
        THAIGOV,
        {"fault": "hang", "delay": HANG},
        "errors",
        ONE_THAIGOV,
        RETRIED,
        f"timed out after {TIMEOUT} s",
    ),
    "huge": Case(
        "thaigov",
        THAIGOV,
        {"fault": "huge"},
        "errors",
        ONE_THAIGOV,
        detail="larger than crawl.max_page_bytes",
    ),
    # The same streamed in chunks, its size said nowhere: cancelled past the limit.
    "huge-chunked": Case(
        "thaigov",
        THAIGOV,
        {"fault": "huge_chunked"},
        "errors",
        ONE_THAIGOV,
        detail="larger than crawl.max_page_bytes",
    ),
    # The same gzipped, a few kB on the wire: ignored once decompressed past the limit.
    "huge-gzip": Case(
        "thaigov",
        THAIGOV,
        {"fault": "huge_gzip"},
        "errors",
        ONE_THAIGOV,
        detail="larger than crawl.max_page_bytes",
    ),
    "truncate-always": Case(
        "thaigov",
        THAIGOV,
        {"fault": "truncate"},
        "errors",
        ONE_THAIGOV,
        RETRIED,
        "page cut short: neither </body>, </html> nor the page's footer at its end",
    ),
    "mdes-listing-500-always": Case(
        "mdes",
        LISTING,
        {"fault": "status", "status": 500},
        "errors",
        frozenset(listed_from(MDES_LISTING_PAGE_2)),
        RETRIED,
    ),
    "mdes-listing-truncate-always": Case(
        "mdes",
        LISTING,
        {"fault": "truncate"},
        "errors",
        # Read as far as it goes once its retries are spent: the first half of page 2
        # lists 11009; its other links and page 3 are lost.
        frozenset(listed_from(MDES_LISTING_PAGE_2) - {public_url("mdes", "11009")}),
        RETRIED,
        "page cut short: neither </body>, </html> nor the page's footer at its end",
    ),
    # Persistent refusals: named under blocked with the status and the target.
    "403-always": Case(
        "thaigov", THAIGOV, {"fault": "burst_403", "limit": 0}, "blocked", ONE_THAIGOV
    ),
    "mdes-403-always": Case(
        "mdes", MDES, {"fault": "burst_403", "limit": 0}, "blocked", ONE_MDES, RETRIED
    ),
    "307-bot-check": Case(
        "thaigov",
        THAIGOV,
        {"fault": "redirect_307"},
        "blocked",
        ONE_THAIGOV,
        detail=f'"target": "{{base}}{fixture_site.BOT_CHECK_PATH}?return={THAIGOV_ARTICLE}"',
    ),
    "redirect-offsite": Case(
        "thaigov",
        THAIGOV,
        {"fault": "redirect_offsite"},
        "blocked",
        ONE_THAIGOV,
        detail='"target": "{offsite}"',
    ),
    "redirect-loop": Case(
        "thaigov",
        THAIGOV,
        {"fault": "redirect_loop"},
        "blocked",
        ONE_THAIGOV,
        strikes=1 + MAX_ARTICLE_REDIRECTS,
        detail='"reason": "redirect loop"',
    ),
    # A listing sent to the home page: followed, it read as an empty listing, crawl clean.
    "mdes-listing-redirect-home": Case(
        "mdes",
        LISTING,
        {"fault": "redirect", "status": 302, "location": "/"},
        "blocked",
        frozenset(listed_from(MDES_LISTING_PAGE_2)),
        detail='"target": "{base}/"',
    ),
    # A garbled 200 answer is neither an article nor a soft 404: retried, then stored.
    "garble-once": Case("thaigov", THAIGOV, {"fault": "garble", "times": 1}, "stored"),
    # The site says "no such article": counted, not stored, not an error.
    "soft404": Case("thaigov", THAIGOV, {"fault": "soft404"}, "soft_404", ONE_THAIGOV),
}


@dataclass
class Crawled:
    returncode: int
    stdout: str
    stderr: str
    report: dict
    runs: int
    articles: dict[str, dict]
    requests: list  # fixture_site.RequestRecord
    base_url: str


def run_crawl(tmp_path: Path, source: str, rules: list[FaultRule]) -> Crawled:
    config = tmp_path / "thaidigest.toml"
    config.write_text(CONFIG, encoding="utf-8")
    db = tmp_path / "db.sqlite"
    with FixtureSite(faults=FaultPlan(rules)) as site:
        result = crawl(site.base_url, db, config, "--source", source)
        requests = list(site.requests)
        base_url = site.base_url
    with sqlite3.connect(db) as conn:
        reports = [json.loads(r) for (r,) in conn.execute("SELECT report FROM crawl_runs")]
    problems = store_problems(db)
    assert problems == []
    return Crawled(
        result.returncode,
        result.stdout,
        result.stderr,
        reports[-1],
        len(reports),
        stored_articles(db),
        requests,
        base_url,
    )


def named(entries: list[dict], path_regex: str) -> list[dict]:
    return [entry for entry in entries if re.search(path_regex, urlsplit(entry["url"]).path)]


@pytest.fixture
def offsite(monkeypatch):
    """A second server standing in for the off-site redirect target, to see if it is hit."""
    with FixtureSite() as elsewhere:
        monkeypatch.setattr(fixture_site, "OFFSITE_URL", elsewhere.url(THAIGOV_ARTICLE))
        yield elsewhere


@pytest.mark.parametrize("case", [pytest.param(case, id=name) for name, case in CASES.items()])
def test_fault_costs_at_most_the_page_it_hits_and_is_reported(case, tmp_path, offsite):
    rule = FaultRule(path=case.path, **case.rule)
    crawled = run_crawl(tmp_path, case.source, [rule])
    report = crawled.report

    assert "Traceback" not in crawled.stderr
    assert crawled.returncode == case.exit_code, crawled.stdout + crawled.stderr[-2000:]
    assert crawled.runs == 1
    assert sum(r.fault == rule.fault for r in crawled.requests) == case.strikes
    # Every request the crawler made reached the fixture site, nothing went elsewhere.
    assert report["requests"] == len(crawled.requests)
    assert offsite.requests == []

    expected = site_urls(case.source) - case.lost
    assert set(crawled.articles) == expected
    for row in crawled.articles.values():
        assert not any(bad in row["title"] + row["body"] for bad in MOJIBAKE), row["url"]

    blocked, errors = named(report["blocked"], case.path), named(report["errors"], case.path)
    if case.outcome == "stored":
        assert report["status"] == "ok"
        assert report["blocked"] == report["errors"] == []
    elif case.outcome == "errors":
        assert report["status"] == "ok"
        assert len(errors) == len(report["errors"]) == 1 and report["blocked"] == []
        assert f"error: {errors[0]['url']}" in crawled.stdout
    elif case.outcome == "blocked":
        assert report["status"] == "blocked"
        assert len(blocked) == len(report["blocked"]) == 1 and report["errors"] == []
        assert f"blocked: {blocked[0]['url']} answered {blocked[0]['status']}" in crawled.stdout
    else:
        assert report["status"] == "ok"
        assert report["blocked"] == report["errors"] == []
        assert report["soft_404"] == CLEAN_SOFT_404 + 1
    if case.detail:
        (entry,) = blocked or errors
        detail = case.detail.format(base=crawled.base_url, offsite=fixture_site.OFFSITE_URL)
        assert detail in json.dumps(entry, ensure_ascii=False)


def test_wrong_charset_is_decoded_right_or_rejected_never_stored_as_mojibake(tmp_path):
    rule = FaultRule(path=THAIGOV, fault="wrong_charset", declared="utf-8", actual="cp874")
    crawled = run_crawl(tmp_path, "thaigov", [rule])
    assert "Traceback" not in crawled.stderr
    titles = {p["path"]: p["title"] for p in manifest()["pages"] if p["kind"] == "article"}
    stored = crawled.articles.get(public_url("thaigov", "87382"))
    if stored is None:
        assert named(crawled.report["errors"], THAIGOV)  # rejected, and said so
    else:
        assert stored["title"] == titles[THAIGOV_ARTICLE]
    for row in crawled.articles.values():
        assert not any(bad in row["title"] + row["body"] for bad in MOJIBAKE), row["url"]


def test_wrong_charset_does_not_cost_other_articles(tmp_path):
    rule = FaultRule(path=THAIGOV, fault="wrong_charset")
    crawled = run_crawl(tmp_path, "thaigov", [rule])
    assert crawled.returncode == 0
    assert set(crawled.articles) - ONE_THAIGOV == site_urls("thaigov") - ONE_THAIGOV


def test_article_that_failed_in_one_crawl_is_fetched_by_the_next(tmp_path):
    unlisted = r"^/news/contents/details/87381$"  # not on the fixture's search page
    first = run_crawl(tmp_path, "thaigov", [FaultRule(path=unlisted, fault="status", status=500)])
    assert named(first.report["errors"], unlisted)
    second = run_crawl(tmp_path, "thaigov", [])
    assert set(second.articles) == site_urls("thaigov")


def test_a_listing_nested_past_the_parsers_depth_is_an_error_and_the_next_crawl_reads_it(
    tmp_path,
):
    """libxml2 stops at the 2048th nested element: the links past it were lost, unsaid."""
    first = run_crawl(tmp_path, "mdes", [FaultRule(path=LISTING, fault="deep")])
    (error,) = named(first.report["errors"], LISTING)
    assert "nested more than 2048 elements deep" in error["error"], error
    assert "links past that depth are not followed" in error["error"], error
    # The page's content was all past the depth: its links and the pages after it unread.
    assert listed_from(MDES_LISTING_PAGE_2) and not listed_from(MDES_LISTING_PAGE_2) & set(
        first.articles
    )
    second = run_crawl(tmp_path, "mdes", [])
    assert set(second.articles) == site_urls("mdes")


def test_a_search_page_nested_past_the_parsers_depth_is_an_error_and_the_next_crawl_reads_it(
    tmp_path,
):
    first = run_crawl(tmp_path, "thaigov", [FaultRule(path=r"^/search$", fault="deep")])
    (error,) = named(first.report["errors"], r"^/search$")
    assert "nested more than 2048 elements deep" in error["error"], error
    assert "links past that depth are not followed" in error["error"], error
    second = run_crawl(tmp_path, "thaigov", [])
    assert set(second.articles) == site_urls("thaigov")


def test_listing_page_that_failed_in_one_crawl_is_followed_by_the_next(tmp_path):
    rule = FaultRule(path=LISTING, fault="status", status=500)
    first = run_crawl(tmp_path, "mdes", [rule])
    assert named(first.report["errors"], LISTING)
    second = run_crawl(tmp_path, "mdes", [])
    assert set(second.articles) == site_urls("mdes")


def test_a_page_retried_by_the_spider_says_nothing_of_scrapys_meta_keys(tmp_path):
    """The spider's own retry (a listing cut short) copied the last download's meta:
    Scrapy warned on stderr of internal keys copied, a line each crawl with a retry."""
    crawled = run_crawl(tmp_path, "mdes", [FaultRule(path=LISTING, fault="truncate", times=1)])
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    assert "meta keys" not in crawled.stderr, crawled.stderr[-2000:]
