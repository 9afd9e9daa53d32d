"""A site that refuses every request is stopped after a few refusals in a row; a site
that refuses a burst, or one page, and serves the rest is crawled to its end."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from scraper import settings
from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from tests.scraper.crawling import add_crawl_setting, crawl, run_thaidigest, write_config
from thaidigest.config import DEFAULTS

EVERY_PATH = r"^/"  # robots.txt too: its 403 says only that there is none
LIMIT = settings.REFUSALS_TO_STOP_SITE
MDES_ARTICLE = r"^/news/detail/"


def refusing_everything() -> FaultPlan:
    return FaultPlan([FaultRule(path=EVERY_PATH, fault="status", status=403)])


def last_report(db: Path, source: str) -> dict:
    connection = sqlite3.connect(db)
    try:
        (report,) = connection.execute(
            "select report from crawl_runs where source = ? order by id desc limit 1", (source,)
        ).fetchone()
    finally:
        connection.close()
    return json.loads(report)


def blocked_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("  blocked: ")]


def test_a_site_refusing_every_request_is_stopped_after_refusals_in_a_row_not_asked_each_page(
    tmp_path,
):
    """thaigov does not retry a 403: each page of the walk was refused on its own, and
    the site was asked every page a crawl had for it, a blocked line and a warning each."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite(faults=refusing_everything()) as site:
        result = crawl(site.base_url, db, config, "--source", "thaigov")
        received = len(site.requests)
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    concurrency = DEFAULTS["sites"]["thaigov"]["concurrency"]
    # robots.txt, the refusals that stopped the site, and at most the others on the wire.
    assert received <= 1 + LIMIT + concurrency - 1, received
    reason = f"refused: 403 to {LIMIT} requests in a row"
    assert f"thaigov: blocked in {last_report(db, 'thaigov')['duration']} s;" in result.stdout
    answered = [line for line in blocked_lines(result.stdout) if " answered " in line]
    assert len(answered) == 1, result.stdout
    assert answered[0].endswith(f" and {LIMIT - 1} more answered 403 ({reason})")
    assert f"  site stopped ({reason}): " in result.stdout
    report = last_report(db, "thaigov")
    assert report["status"] == "blocked"
    refused = [entry for entry in report["blocked"] if entry["status"] == 403]
    assert len(refused) == LIMIT  # each one in the report, as it was answered
    assert {entry["reason"] for entry in refused} == {reason}
    # The first refusal and the stop are warnings; the refusals between them are INFO.
    warnings = [line for line in result.stderr.splitlines() if " WARNING: " in line]
    assert len(warnings) == 2, result.stderr
    assert f"for this crawl: {reason}" in warnings[1]
    status = run_thaidigest("status", "--db", str(db), "--config", str(config))
    assert f"  thaigov: crawls: blocked 1 ({reason})" in status.stdout.splitlines(), status.stdout


def test_mdes_refusing_every_request_is_stopped_once_a_second_page_is_refused_after_retries(
    tmp_path,
):
    """MDES retries a 403 (its bursts pass): the first page refused through all its
    retries, the next page's refusal stops the site (two listings here: none left unsent);
    it was asked every listing, each through all its retries."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite(faults=refusing_everything()) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        paths = [request.path for request in site.requests]
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    tries = 1 + DEFAULTS["crawl"]["retries"]
    first, second = (path for path in dict.fromkeys(paths) if path != "/robots.txt")
    assert paths == ["/robots.txt", *[first] * tries, second], paths
    reason = f"refused: 403 to {tries + 1} requests in a row"
    answered = [line for line in blocked_lines(result.stdout) if " answered " in line]
    assert answered == [f"  blocked: {site.url(first)} and 1 more answered 403 ({reason})"]
    assert last_report(db, "mdes")["status"] == "blocked"


def test_one_mdes_page_refused_until_its_last_retry_is_stored_and_stops_nothing(tmp_path):
    """More refusals in a row than the stop counts, all of one page that its last retry
    gets: a burst that passes, not the site refusing us."""
    retries = LIMIT + 1
    config = add_crawl_setting(write_config(tmp_path), f"retries = {retries}")
    db = tmp_path / "db.sqlite"
    burst = FaultRule(path=MDES_ARTICLE, fault="status", status=403, times=retries)
    with FixtureSite(faults=FaultPlan([burst])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        articles = [r for r in site.requests if re.search(MDES_ARTICLE, r.path)]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert [r.status for r in articles[: retries + 1]] == [403] * retries + [200]
    assert len({r.path for r in articles[: retries + 1]}) == 1  # one page, retried
    report = last_report(db, "mdes")
    assert report["status"] == "ok"
    assert report["blocked"] == []
    source_id = re.search(r"/news/detail/(\d+)", articles[0].path)[1]
    connection = sqlite3.connect(db)
    try:
        (stored,) = connection.execute(
            "select count(*) from articles where source = 'mdes' and source_id = ?", (source_id,)
        ).fetchone()
    finally:
        connection.close()
    assert stored == 1
