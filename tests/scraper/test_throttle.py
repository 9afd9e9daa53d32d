"""robots.txt's Crawl-delay: the least time between two requests to its host."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from scrapy.settings import Settings

from scraper.fixture_site import FixtureSite
from scraper.throttle import least_delay
from tests.scraper.crawling import crawl, scrapy_crawl

# No delay of our own, two requests at a time, MDES's listings of one category and
# their articles: about ten requests.
NO_DELAY_CONFIG = (
    "[crawl]\nbackoff_base = 0.05\ntimeout = 5\n"
    "[sites.mdes]\ndelay = 0\ncategories = [3]\npage_limit = 2\nconcurrency = 2\n"
)


def gaps(site: FixtureSite) -> list[float]:
    """The time between each two requests the site answered, robots.txt's included."""
    times = sorted(record.time for record in site.requests)
    assert len(times) >= 6, times
    return [later - earlier for earlier, later in pairwise(times)]


def test_the_crawl_delay_is_the_capped_one_or_the_sites_delay_whichever_is_longer() -> None:
    assert least_delay(0.0, 0.6, 30.0) == 0.6
    assert least_delay(2.0, 0.6, 30.0) == 2.0
    assert least_delay(1.0, 3600.0, 30.0) == 30.0
    assert least_delay(45.0, 3600.0, 30.0) == 45.0  # the site's own delay is never cut
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    assert settings.getfloat("ROBOTSTXT_CRAWL_DELAY_MAX") == 30.0


def test_requests_are_never_closer_than_the_crawl_delay_robots_txt_gives_us(
    tmp_path: Path,
) -> None:
    """A site delay of 0 and ``Crawl-delay: 0.6`` in the group that applies to us: every
    request, the first page's after robots.txt's too, at least 0.6 s after the one before;
    the group of a crawler named in our User-Agent (``bot``) does not apply."""
    robots = "User-agent: bot\nCrawl-delay: 20\n\nUser-agent: *\nCrawl-delay: 0.6\n"
    config = tmp_path / "thaidigest.toml"
    config.write_text(NO_DELAY_CONFIG, encoding="utf-8")
    with FixtureSite(robots_txt=robots) as site:
        result = crawl(site.base_url, tmp_path / "db.sqlite", config, "--source", "mdes")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    between = gaps(site)
    assert min(between) >= 0.55, between
    assert max(between) < 3, between  # AutoThrottle adapts above it, not to 20 s


def test_a_huge_crawl_delay_is_capped_and_said(tmp_path: Path) -> None:
    """``Crawl-delay: 3600`` waits ``ROBOTSTXT_CRAWL_DELAY_MAX`` (here 0.4 s, 30 by
    default) between requests, and a warning says so."""
    config, db = tmp_path / "thaidigest.toml", tmp_path / "db.sqlite"
    config.write_text(NO_DELAY_CONFIG, encoding="utf-8")
    with FixtureSite(robots_txt="User-agent: *\nCrawl-delay: 3600\n") as site:
        result = scrapy_crawl(
            "mdes", site.base_url, db, config, settings={"ROBOTSTXT_CRAWL_DELAY_MAX": "0.4"}
        )
    assert result.returncode == 0, result.stderr[-2000:]
    between = gaps(site)
    assert min(between) >= 0.35, between
    assert max(between) < 3, between
    assert (
        f"WARNING: mdes: {site.base_url}/robots.txt asks for Crawl-delay: 3600 s; waiting"
        " 0.4 s between requests, the most we wait (ROBOTSTXT_CRAWL_DELAY_MAX)"
    ) in result.stderr, result.stderr[-2000:]
