"""A stored article is revisited at the address a crawl fetched it at (MDES: the slugged
one its listing linked), on the host crawled now; a crawl whose every stored article
rechecked is gone says so as an error."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from scraper.spiders.base import ALL_REVISITS_MISSING
from tests.scraper.crawling import copy_site, crawl, write_config
from tests.scraper.test_crawl import article_fetches, last_report, stored
from thaidigest.urls import public_url

# A site that answers an article only at its slugged address: /news/detail/11001 is a 404.
SLUG_REQUIRED = FaultRule(path=r"^/news/detail/\d+/?$", fault="status", status=404)
SLUGGED = re.compile(r"^/news/detail/\d+-.")
SAVED_PAGES = Path(__file__).parent / "pages"
EDITED = ("ที่ประชุมได้หารือกิจกรรม 2 เรื่องที่สำคัญ", "ที่ประชุมได้หารือกิจกรรม 3 เรื่องที่สำคัญ")


def edit_11001(root) -> None:
    page = root / "news" / "detail" / "11001.html"
    html = page.read_text(encoding="utf-8")
    assert EDITED[0] in html
    page.write_text(html.replace(*EDITED), encoding="utf-8")


def test_an_mdes_edit_is_found_on_a_site_that_serves_articles_only_at_their_slugged_address(
    tmp_path,
):
    """The revisit asked for /news/detail/{id}: every stored article "not found", the edit
    missed. The second crawl runs on another port: the address is taken on the host crawled."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    slug_required = FaultPlan(rules=[SLUG_REQUIRED])
    with FixtureSite(root, faults=slug_required) as site:
        first = crawl(site.base_url, db, config, "--source", "mdes")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    edit_11001(root)
    with FixtureSite(root, faults=slug_required) as site:
        second = crawl(site.base_url, db, config, "--source", "mdes")
        asked = [r.path for r in article_fetches(site, 0)]
        base_url = site.base_url
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert "new 0, updated 1," in second.stdout and "not found 0," in second.stdout
    assert asked and all(SLUGGED.match(path) for path in asked), asked
    assert last_report(db, "mdes")["errors"] == []
    row = stored(db)[public_url("mdes", "11001")]
    assert row["versions"] == 2 and EDITED[1] in row["body"]
    assert row["fetch_url"].startswith(f"{base_url}/news/detail/11001-")


def test_a_revisit_keeps_the_slugged_address_stored(tmp_path):
    """On a site that serves the bare address too, the revisit of an edited article stored
    /news/detail/{id} as where it was fetched, and every later revisit asked for that."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config, "--source", "mdes")
        slugged = stored(db)[public_url("mdes", "11001")]["fetch_url"]
        edit_11001(root)
        second = crawl(site.base_url, db, config, "--source", "mdes")
    assert SLUGGED.match(urlsplit(slugged).path), slugged
    for result in (first, second):
        assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "updated 1," in second.stdout
    row = stored(db)[public_url("mdes", "11001")]
    assert (row["versions"], row["fetch_url"]) == (2, slugged)


def test_a_crawl_where_every_stored_article_rechecked_answers_404_reports_an_error(tmp_path):
    """Each counted not found, the crawl said "ok" with no error, and the next one was
    incremental: a site that moved its articles looked like one that removed them all."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        first = crawl(site.base_url, db, config, "--source", "mdes")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    revisited = len(stored(db))
    gone = FaultRule(path=r"^/news/detail/", fault="status", status=404)
    with FixtureSite(faults=FaultPlan(rules=[gone])) as site:
        second = crawl(site.base_url, db, config, "--source", "mdes")
    report = last_report(db, "mdes")
    assert revisited >= 3 and report["not_found"] == revisited
    [error] = report["errors"]
    assert error["error"] == ALL_REVISITS_MISSING.format(count=revisited)
    assert urlsplit(error["url"]).path.startswith("/news/detail/")
    assert f"error: {error['url']}: all {revisited} stored articles" in second.stdout


def test_a_crawl_where_every_stored_thaigov_article_rechecked_is_a_soft_404_reports_an_error(
    tmp_path,
):
    """thaigov answers an id with no article with its empty page (200): each revisit so
    answered counted served, so a site that moved every article said "ok" with no error."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    revisited = len(stored(db))
    gone = FaultRule(path=r"^/news/contents/details/", fault="soft404")
    with FixtureSite(faults=FaultPlan(rules=[gone])) as site:
        second = crawl(site.base_url, db, config, "--source", "thaigov")
    report = last_report(db, "thaigov")
    assert revisited >= 3 and report["updated"] == 0 and report["not_found"] == 0
    [error] = report["errors"]
    assert error["error"] == ALL_REVISITS_MISSING.format(count=revisited)
    assert urlsplit(error["url"]).path.startswith("/news/contents/details/")
    assert f"error: {error['url']}: all {revisited} stored articles" in second.stdout
    assert len(stored(db)) == revisited  # each stored article kept


def test_a_crawl_where_every_stored_mdes_article_rechecked_says_not_found_reports_an_error(
    tmp_path,
):
    """MDES's page headlined "ไม่พบข้อมูล" at every stored article's address, its listings
    as before: the revisits counted served, the crawl "ok" with no error."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config, "--source", "mdes")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    revisited = len(stored(db))
    not_found = (SAVED_PAGES / "mdes" / "not_found.html").read_text(encoding="utf-8")
    for page in (root / "news" / "detail").glob("*.html"):
        page.write_text(not_found, encoding="utf-8")
    with FixtureSite(root) as site:
        second = crawl(site.base_url, db, config, "--source", "mdes")
    report = last_report(db, "mdes")
    assert revisited >= 3 and report["soft_404"] == revisited and report["updated"] == 0
    [error] = report["errors"]
    assert error["error"] == ALL_REVISITS_MISSING.format(count=revisited)
    assert f"error: {error['url']}: all {revisited} stored articles" in second.stdout
