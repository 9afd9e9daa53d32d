"""An article page redirected home, to a listing or to another article says the article
was removed, when the site serves other article pages in the same crawl. When it serves
none, every article sent home is a bot redirect: blocked, with the status and the target,
and no stored article counted removed."""

from __future__ import annotations

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
