"""A site is stopped for refusing pages only on proof that it refuses this client:
``REFUSED_PAGES_TO_STOP_SITE`` pages refused in a row, nothing served in the crawl, one of
them a page known to exist (a stored article revisited, an MDES listing). Refused guesses
(thaigov ids past its newest article, a withdrawn block) stop nothing and stall nothing;
what a stopped crawl did not ask, the next one does."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

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
# thaigov ids past its newest article (as the walk asks, ``miss_limit`` of them).
PAST_NEWEST = r"^/news/contents/details/(?:8740[1-9]|874[1-9]\d|875\d\d)$"
ARTICLE_ID = re.compile(r"^/news/contents/details/(\d+)$")
STOPPED_LINE = f"stopped after {STOP} pages in a row refused, none served in this crawl, one"
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


def conditional(request: Any) -> bool:
    """Whether a recorded request is a revisit: conditional on what was stored."""
    headers = {name.lower() for name in request.headers}
    return bool(headers & {"if-none-match", "if-modified-since"})


def first_crawl(tmp_path: Path, source: str, config: Path, *faults: FaultRule) -> Path:
    """The database of a first crawl of ``source`` that ended without a stop."""
    db = tmp_path / "db.sqlite"
    with FixtureSite(faults=FaultPlan(list(faults))) as site:
        result = crawl(site.base_url, db, config, "--source", source)
    assert last_report(db, source)[REFUSED_PAGES_STOP] == 0, result.stdout
    return db


def test_a_site_refusing_every_page_is_stopped_after_a_few_pages_a_revisit_among_them(
    tmp_path,
):
    """thaigov refused every request: the crawl asked it for every page it had, each
    revisit, each id below the walk's start, then each id of the walk (72 requests after
    one clean crawl of the fixture site), a blocked line each."""
    config = write_config(tmp_path)
    db = first_crawl(tmp_path, "thaigov", config)
    before = stored_ids(db)
    refusing = FaultRule(path=EVERY_PAGE, fault="status", status=403)
    with FixtureSite(faults=FaultPlan([refusing])) as site:
        result = scheduled_crawl(site, db, config, "thaigov")
        pages = [r for r in site.requests if r.path != "/robots.txt"]
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    # The pages that stopped the site, and at most the others on the wire.
    assert STOP <= len(pages) < STOP + CONCURRENCY, [r.path for r in pages]
    assert any(conditional(r) and page_id(r) in before for r in pages[:STOP])
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


def test_thaigov_refusing_the_ids_past_its_newest_is_not_stopped_and_revisited(tmp_path):
    """The site answers 403 for the ids past its newest article, which the walk asks
    (``miss_limit`` of them, default config): guesses, not proof that it refuses this
    client. Stopped for them, no revisit or recheck was ever sent, on every crawl."""
    config = tmp_path / "thaidigest.toml"
    config.write_text("[crawl]\nbackoff_base = 0.05\n[sites.thaigov]\ndelay = 0\n")
    db = first_crawl(tmp_path, "thaigov", config)
    stored = stored_ids(db)
    past = FaultRule(path=PAST_NEWEST, fault="status", status=403)
    with FixtureSite(faults=FaultPlan([past])) as site:
        result = scheduled_crawl(site, db, config, "thaigov")
        revisited = {page_id(r) for r in site.requests if conditional(r)}
        asked = asked_ids(site)
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]  # blocked pages
    assert last_report(db, "thaigov")[REFUSED_PAGES_STOP] == 0
    assert "site stopped" not in result.stdout and STOPPED_LINE not in result.stdout
    assert revisited == stored  # every stored article revisited (all recent)
    assert sorted(i for i in asked if i > NEWEST) == list(
        range(NEWEST + 1, NEWEST + MISS_LIMIT + 1)
    )


def test_a_refused_block_at_the_front_of_the_walk_does_not_stall_it(tmp_path):
    """A crawl knows the site up to an id; the next ids are refused for good (withdrawn
    items behind a 403), the ones after them served: each crawl stores those, none is
    stopped for the block."""
    known_up_to = 87384
    block = range(known_up_to + 1, known_up_to + 1 + STOP)
    config = walk_config(tmp_path)
    not_yet = FaultRule(path=ids_path(range(known_up_to + 1, NEWEST + 1)), fault="soft404")
    db = first_crawl(tmp_path, "thaigov", config, not_yet)
    assert max(map(int, stored_ids(db))) == known_up_to
    refused = FaultRule(path=ids_path(block), fault="status", status=403)
    for _ in range(2):
        with FixtureSite(faults=FaultPlan([refused])) as site:
            result = scheduled_crawl(site, db, config, "thaigov")
        assert last_report(db, "thaigov")[REFUSED_PAGES_STOP] == 0, result.stdout
        articles = {str(i) for i in manifest()["thaigov_ids"] if i not in block}
        assert stored_ids(db) == articles


def test_mdes_with_two_categories_refusing_every_page_is_stopped(tmp_path):
    """Its listings and revisits are pages known to exist: a few refused, none served,
    stop it (two listing pages alone never made the count of the walk's pages)."""
    config = add_crawl_setting(write_config(tmp_path), "retries = 1")
    db = first_crawl(tmp_path, "mdes", config)
    before = stored_ids(db, "mdes")
    refusing = FaultRule(path=EVERY_PAGE, fault="status", status=403)
    with FixtureSite(faults=FaultPlan([refusing])) as site:
        result = scheduled_crawl(site, db, config, "mdes")
        pages = [r for r in site.requests if r.path != "/robots.txt"]
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    tries = 2
    assert len(pages) == STOP * tries, [r.path for r in pages]  # MDES: one at a time
    assert last_report(db, "mdes")[REFUSED_PAGES_STOP] == STOP
    assert f"site stopped ({REASON}): " in result.stdout
    assert stored_ids(db, "mdes") == before


def test_the_crawl_after_a_stop_asks_every_id_the_stopped_one_did_not(tmp_path):
    """A stopped crawl stores nothing, so the walk's base stays where it was: the next
    crawl asks every id the stopped one did not, however small its ``recheck_window``."""
    known_up_to = 87370
    config = walk_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    small_window = WALK_ONLY + "recheck_window = 2\ngap_window = 0\n"
    config.write_text(text.replace(WALK_ONLY, small_window), encoding="utf-8")
    not_yet = FaultRule(path=ids_path(range(known_up_to + 1, NEWEST + 1)), fault="soft404")
    db = first_crawl(tmp_path, "thaigov", config, not_yet)
    refusing = FaultRule(path=EVERY_PAGE, fault="status", status=403)
    with FixtureSite(faults=FaultPlan([refusing])) as site:
        stopped = scheduled_crawl(site, db, config, "thaigov")
        asked_stopped = set(asked_ids(site))
    assert last_report(db, "thaigov")[REFUSED_PAGES_STOP] == STOP, stopped.stdout
    with FixtureSite() as site:
        second = scheduled_crawl(site, db, config, "thaigov")
        asked_second = set(asked_ids(site))
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    articles = {i for i in manifest()["thaigov_ids"] if i > known_up_to}
    assert articles - asked_stopped <= asked_second
    assert stored_ids(db) == {str(i) for i in manifest()["thaigov_ids"]}
