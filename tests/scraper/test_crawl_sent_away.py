"""An article page redirected home, to a listing or to another article says the article
was removed, when the site serves other article pages in the same crawl. When it serves
none, every article sent home is a bot redirect: blocked, with the status and the target,
and no stored article counted removed."""

from __future__ import annotations

import sqlite3

from scraper import settings
from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from tests.scraper.crawling import crawl, write_config
from tests.scraper.test_crawl import last_report, stored

EVERY_THAIGOV_ARTICLE = r"^/news/contents/details/\d+$"
EVERY_MDES_ARTICLE = r"^/news/detail/"
STOP = settings.REFUSED_PAGES_TO_STOP_SITE


def sent_home(path: str) -> FaultPlan:
    return FaultPlan(rules=[FaultRule(path=path, fault="redirect", status=307, location="/")])


def test_every_stored_thaigov_article_sent_home_is_blocked_not_removed(tmp_path):
    """The bot redirect SITES.md describes: every article answers 307 to /. The crawl said
    "ok", all the stored articles "not found", nothing blocked."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    kept = stored(db)
    with FixtureSite(faults=sent_home(EVERY_THAIGOV_ARTICLE)) as site:
        second = crawl(site.base_url, db, config, "--source", "thaigov")
        home = site.base_url + "/"
    assert second.returncode == 1, second.stdout + second.stderr[-2000:]
    assert "thaigov: blocked " in second.stdout
    assert "not found 0," in second.stdout
    assert f"answered 307 -> {home} (refused {STOP} pages in a row)" in second.stdout
    report = last_report(db, "thaigov")
    answered = [entry for entry in report["blocked"] if entry["status"] is not None]
    assert len(answered) >= STOP  # and any answered on the wire at the stop
    assert all((entry["status"], entry["target"]) == (307, home) for entry in answered)
    assert report["not_found"] == 0
    assert stored(db) == kept


def test_every_mdes_article_a_listing_links_sent_home_is_blocked_on_a_first_crawl(tmp_path):
    """Nothing stored yet, the listings served: the articles they link are known to exist,
    and every one sent home is a block, not an empty site."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite(faults=sent_home(EVERY_MDES_ARTICLE)) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        home = site.base_url + "/"
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert "mdes: blocked " in result.stdout and "not found 0," in result.stdout
    report = last_report(db, "mdes")
    answered = [entry for entry in report["blocked"] if entry["status"] is not None]
    assert answered and all(entry["target"] == home for entry in answered)
    assert stored(db) == {}


def test_a_stored_mdes_article_the_site_removed_is_not_found_on_a_recrawl(tmp_path):
    """The one stored article recent enough to be rechecked answers 307 to /, the listings
    200 with nothing new: it was held as sent away and blocked, the crawl "blocked" and
    failing every day the article stayed in the revisit window."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        first = crawl(site.base_url, db, config, "--source", "mdes")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    with sqlite3.connect(db) as connection:  # only 11001 recent enough to be revisited
        changed = connection.execute(
            "UPDATE articles SET first_seen = '2020-01-01T00:00:00+00:00',"
            " published = '2020-01-01' WHERE source = 'mdes' AND source_id != '11001'"
        ).rowcount
    assert changed >= 1
    removed = FaultPlan(
        rules=[
            FaultRule(path=r"^/news/detail/11001(-|$)", fault="redirect", status=307, location="/")
        ]
    )
    with FixtureSite(faults=removed) as site:
        second = crawl(site.base_url, db, config, "--source", "mdes")
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert "mdes: ok " in second.stdout
    assert "new 0, updated 0," in second.stdout and "not found 1," in second.stdout
    report = last_report(db, "mdes")
    assert (report["blocked"], report["not_found"]) == ([], 1)
