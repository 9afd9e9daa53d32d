"""A site that refuses the pages of a crawl's walk, one after another, is stopped after
``REFUSED_PAGES_TO_STOP_SITE`` of them, not asked for every page; fewer in a row, or
refusals of pages asked again (revisits, rechecks), stop nothing; what a stopped crawl
did not ask, the next one does."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scraper import settings
from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from scraper.report import REFUSED_PAGES_STOP
from tests.scraper.crawling import (
    add_crawl_setting,
    crawl,
    manifest,
    run_thaidigest,
    write_config,
)
from thaidigest.config import DEFAULTS
from thaidigest.sites import article_path

STOP = settings.REFUSED_PAGES_TO_STOP_SITE
CONCURRENCY = DEFAULTS["sites"]["thaigov"]["concurrency"]
MISS_LIMIT = DEFAULTS["sites"]["thaigov"]["miss_limit"]
NEWEST = max(manifest()["thaigov_ids"])
EVERY_PAGE = r"^/(?!robots\.txt$)"  # robots.txt answers: the site is crawled at all
ARTICLE_ID = re.compile(r"^/news/contents/details/(\d+)$")
STOPPED_LINE = f"stopped after {STOP} pages in a row refused, none served between"
REASON = f"refused {STOP} pages in a row"
WALK_ONLY = "[sites.thaigov]\nsearch_keywords = []\n"


def walk_config(tmp_path: Path) -> Path:
    """The fast test config, thaigov walking ids only (no search page)."""
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[sites.thaigov]\n", WALK_ONLY), encoding="utf-8")
    return config


def ids_path(ids: range | list[int]) -> str:
    """A fault path matching the thaigov article URLs of ``ids``, exactly."""
    paths = "|".join(re.escape(article_path("thaigov", article_id)) for article_id in ids)
    return f"^(?:{paths})$"


def asked_ids(site: FixtureSite) -> list[int]:
    return [int(match[1]) for r in site.requests if (match := ARTICLE_ID.match(r.path))]


def stored_ids(db: Path, source: str = "thaigov") -> set[str]:
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            "select source_id from articles where source = ?", (source,)
        ).fetchall()
    finally:
        connection.close()
    return {row[0] for row in rows}


def site_pages(source: str) -> list[dict]:
    """The article pages of ``source`` the fixture site serves, as its manifest lists them."""
    return [p for p in manifest()["pages"] if p["site"] == source and p["kind"] == "article"]


def page_id(page: Any) -> str:
    """The article id of a manifest page or a recorded request (``path``)."""
    path = page["path"] if isinstance(page, dict) else page.path
    return path.rsplit("/", 1)[1].split("-", 1)[0]


def last_report(db: Path, source: str) -> dict:
    connection = sqlite3.connect(db)
    try:
        (report,) = connection.execute(
            "select report from crawl_runs where source = ? order by id desc limit 1", (source,)
        ).fetchone()
    finally:
        connection.close()
    return json.loads(report)


def scheduled_crawl(
    site: FixtureSite, db: Path, config: Path, source: str
) -> subprocess.CompletedProcess:
    """``thaidigest crawl`` as a scheduled job runs it: no ``--start-id``."""
    args = ["crawl", "--source", source, "--base-url", site.base_url]
    return run_thaidigest(*args, "--db", str(db), "--config", str(config))


def test_a_site_refusing_every_page_is_stopped_after_a_few_pages_of_its_walk(tmp_path):
    """thaigov refused every request: the crawl asked it for every page it had, each
    revisit, each id below the walk's start, then each id of the walk (72 requests after
    one clean crawl of the fixture site), a blocked line each."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    before = stored_ids(db)
    refusing = FaultRule(path=EVERY_PAGE, fault="status", status=403)
    with FixtureSite(faults=FaultPlan([refusing])) as site:
        result = scheduled_crawl(site, db, config, "thaigov")
        received = len(site.requests)
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    # robots.txt, the pages that stopped the site, and at most the others on the wire.
    assert STOP + 1 <= received <= STOP + CONCURRENCY, received
    report = last_report(db, "thaigov")
    assert report["status"] == "blocked"
    assert report[REFUSED_PAGES_STOP] == STOP
    assert STOPPED_LINE in result.stdout, result.stdout
    assert f"site stopped ({REASON}): " in result.stdout
    not_sent = [entry for entry in report["blocked"] if entry["status"] is None]
    assert [entry["reason"] for entry in not_sent] == [REASON]
    assert f"stopping {site.base_url}" in result.stderr  # one warning says so
    assert stored_ids(db) == before
    status = run_thaidigest("status", "--db", str(db), "--config", str(config))
    [line] = [line for line in status.stdout.splitlines() if "thaigov: crawls:" in line]
    assert "ok 1, blocked 1 (" in line and REASON in line, status.stdout


MDES_ARTICLE = r"^/news/detail/"


def test_mdes_refusing_fewer_pages_than_the_stop_stops_nothing_however_many_requests(tmp_path):
    """One page fewer than the stop refused through all its retries, then the next page's
    first try refused too: more refused requests in a row than pages, a burst MDES gets
    over. Nothing is stopped: every other article is stored, the next crawl the rest."""
    config = add_crawl_setting(walk_config(tmp_path), "retries = 1")
    tries = 2
    db = tmp_path / "db.sqlite"
    burst = FaultRule(path=MDES_ARTICLE, fault="status", status=403, times=tries * (STOP - 1) + 1)
    with FixtureSite(faults=FaultPlan([burst])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        articles = [r for r in site.requests if re.match(MDES_ARTICLE, r.path)]
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]  # STOP - 1 blocked
    refused = [r.status for r in articles].index(200)
    assert refused == tries * (STOP - 1) + 1 > STOP  # the refused requests in a row
    expected = {page_id(page) for page in site_pages("mdes")}
    assert {page_id(r) for r in articles} == expected  # every article asked
    report = last_report(db, "mdes")
    assert report[REFUSED_PAGES_STOP] == 0
    assert len([entry for entry in report["blocked"] if entry["status"] == 403]) == STOP - 1
    assert "site stopped" not in result.stdout and STOPPED_LINE not in result.stdout
    assert len(stored_ids(db, "mdes")) == len(expected) - (STOP - 1)
    with FixtureSite() as site:
        second = scheduled_crawl(site, db, config, "mdes")
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert stored_ids(db, "mdes") == expected


def test_refusals_of_the_pages_asked_again_do_not_stop_the_walk(tmp_path):
    """Every revisit and every id below the walk's start refused, back to back while the
    walk waits for its first page (one id ahead at a time: ``miss_limit = 1``): they are
    not counted, and the walk goes on and stores its articles. Counted, they stopped the
    site before the walk had found anything."""
    known_up_to = 87380
    config = walk_config(tmp_path)
    db = tmp_path / "db.sqlite"
    not_yet = FaultRule(path=ids_path(range(known_up_to + 1, NEWEST + 1)), fault="soft404")
    with FixtureSite(faults=FaultPlan([not_yet])) as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    assert max(map(int, stored_ids(db))) == known_up_to
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(WALK_ONLY, WALK_ONLY + "miss_limit = 1\n"), encoding="utf-8")
    asked_again = range(known_up_to - DEFAULTS["sites"]["thaigov"]["gap_window"], known_up_to + 1)
    faults = [
        FaultRule(path=ids_path(asked_again), fault="status", status=403),
        FaultRule(path=ids_path([known_up_to + 1]), fault="hang", delay=2.0),
    ]
    with FixtureSite(faults=FaultPlan(faults)) as site:
        result = scheduled_crawl(site, db, config, "thaigov")
        asked = asked_ids(site)
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]  # blocked pages
    rechecked = [article_id for article_id in asked if article_id in asked_again]
    assert len(rechecked) > STOP, rechecked  # all refused, more than the stop
    assert asked.index(known_up_to + 1) < asked.index(rechecked[0])  # the walk's page first
    first_gap = 87397  # the walk, one id ahead, ends at the first id with no article
    articles = {str(i) for i in manifest()["thaigov_ids"] if i < first_gap}
    assert stored_ids(db) == articles
    report = last_report(db, "thaigov")
    assert report[REFUSED_PAGES_STOP] == 0
    assert not [entry for entry in report["blocked"] if entry["status"] is None]  # all sent


# Each site's refusals from part-way through its first crawl: thaigov's article pages after
# its tenth; MDES (one retry a page, to keep it short) every page after its third.
STOPPED_PART_WAY = {
    "thaigov": (FaultRule(path=ARTICLE_ID.pattern, fault="status", status=403, after=10), ""),
    "mdes": (FaultRule(path=r"^/news/", fault="status", status=403, after=3), "retries = 1"),
}


@pytest.mark.parametrize("source", sorted(STOPPED_PART_WAY))
def test_the_crawl_after_a_stopped_one_asks_for_what_it_did_not_and_stores_it(tmp_path, source):
    """The pages not asked once the site was stopped are not missing: the next crawl, as
    a scheduled job runs it, asks for them and stores every article."""
    rule, retries = STOPPED_PART_WAY[source]
    config = walk_config(tmp_path)
    if retries:
        add_crawl_setting(config, retries)
    db = tmp_path / "db.sqlite"
    with FixtureSite(faults=FaultPlan([rule])) as site:
        first = crawl(site.base_url, db, config, "--source", source)
        asked_first = {r.path for r in site.requests}
    assert first.returncode == 1, first.stdout + first.stderr[-2000:]
    assert last_report(db, source)[REFUSED_PAGES_STOP] == STOP, first.stdout
    stored_first = stored_ids(db, source)
    with FixtureSite() as site:
        second = scheduled_crawl(site, db, config, source)
        asked_second = {r.path for r in site.requests}
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    expected = {page_id(page) for page in site_pages(source)}
    assert stored_first < expected
    assert stored_ids(db, source) == expected
    assert asked_second - asked_first  # what the stopped crawl did not ask
