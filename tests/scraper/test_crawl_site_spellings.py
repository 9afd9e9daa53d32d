"""Crawls of a site that names its host with ``www.`` and without, as one site: the fixture
site answers under ``localhost`` and ``www.localhost`` (and ``news.localhost``, another
host of the domain), each the loopback address (:mod:`tests.scraper.loopback_names`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from tests.scraper.crawling import copy_site, scrapy_crawl, write_config
from tests.scraper.loopback_names import LOOPBACK_NAMES
from tests.scraper.test_crawl import article_pages, last_report, stored
from thaidigest.urls import public_url

NAMES = {"TWISTED_DNS_RESOLVER": LOOPBACK_NAMES}


def link_listings_to(root: Path, base_url: str) -> None:
    """Have the listing pages of the fixture site at ``root`` link their articles and next
    pages at ``base_url`` (they link the address the site is served at, ``127.0.0.1``)."""
    listings = [root / "news" / "3.html", root / "news" / "7.html"]
    for listing in [*listings, *(root / "news").glob("*/page/*.html")]:
        html = listing.read_text(encoding="utf-8")
        listing.write_text(html.replace("{{BASE}}", base_url), encoding="utf-8")


def test_listings_linking_the_other_spelling_of_the_host_are_crawled_at_the_base_urls(tmp_path):
    """A site whose listings write ``www.`` where the base URL has none lost every article
    and every older page as off-site. Each is asked once, under the base URL's name (one
    robots.txt, one delay for the one server), and stored under its canonical address."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite(root) as site:
        link_listings_to(root, f"http://www.localhost:{site.port}")
        result = scrapy_crawl("mdes", f"http://localhost:{site.port}", db, config, NAMES)
        hosts = {request.headers.get("Host") for request in site.requests}
        pages = [request.path for request in site.requests if "/page/" in request.path]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "offsite links ignored 0" in result.stdout
    assert hosts == {f"localhost:{site.port}"}
    assert pages, "no older listing page was read"
    assert set(stored(db)) == {
        public_url("mdes", str(page["id"])) for page in article_pages("mdes")
    }


# The base URL's host, the host an article is redirected to, both on the fixture site's
# port, and whether it is followed: the other spelling of the base URL's host is the site;
# another host of its domain is not, though the same server answers there.
REDIRECTS = {
    "www-added": ("localhost", "www.localhost", True),
    "www-dropped": ("www.localhost", "localhost", True),
    "another-host": ("localhost", "news.localhost", False),
}


@pytest.mark.parametrize(("base", "host", "followed"), REDIRECTS.values(), ids=REDIRECTS)
def test_an_article_redirected_to_the_other_spelling_of_the_host_is_followed_and_stored(
    tmp_path, base, host, followed
):
    """A site that sends every page to its canonical host (``www.`` added or dropped) had
    each article blocked, and each crawl exited 1."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page = article_pages("mdes")[0]
    path = rf"^/news/detail/{page['id']}(-|$)"
    moved = FaultRule(path, "redirect", status=301, location="/", times=1)
    with FixtureSite(root, faults=FaultPlan(rules=[moved])) as site:
        base_url = f"http://{base}:{site.port}"
        link_listings_to(root, base_url)
        # The port is known once the site listens; the rule reads its location as it answers.
        moved.location = target = f"http://{host}:{site.port}/news/detail/{page['id']}"
        result = scrapy_crawl("mdes", base_url, db, config, NAMES)
        asked = [(r.headers.get("Host"), r.fault) for r in site.requests if re.match(path, r.path)]
    report = last_report(db, "mdes")
    first = (f"{base}:{site.port}", "redirect")
    if followed:
        assert result.returncode == 0, result.stdout + result.stderr[-2000:]
        assert asked == [first, (f"{host}:{site.port}", None)]
        assert public_url("mdes", str(page["id"])) in stored(db)
        assert report["blocked"] == []
    else:
        assert result.returncode == 1, result.stdout + result.stderr[-2000:]
        assert asked == [first]
        assert public_url("mdes", str(page["id"])) not in stored(db)
        [entry] = report["blocked"]
        assert (entry["status"], entry["target"]) == (301, target)
    assert report["errors"] == []
