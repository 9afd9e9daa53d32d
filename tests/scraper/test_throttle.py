"""robots.txt's Crawl-delay: the least time between two requests to its host."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from scrapy.core.downloader import Slot
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from scraper.fixture_site import FixtureSite
from scraper.throttle import AutoThrottle, crawl_delay_read, jitter_above_floor, least_delay
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


def test_a_slot_keeps_only_the_jitter_that_never_waits_less_than_its_floor() -> None:
    """Scrapy waits between 1 - jitter and 1 + jitter times a slot's delay: at the floor
    none of the jitter is kept; above it, as much as keeps the shortest wait the floor."""
    assert jitter_above_floor(0.6, 0.6, 0.5) == 0.0
    assert jitter_above_floor(1.2, 0.6, 0.5) == pytest.approx(0.5)
    assert jitter_above_floor(1.2, 0.6, 0.9) == pytest.approx(0.5)
    assert jitter_above_floor(2.4, 0.6, 0.2) == pytest.approx(0.2)  # never more than given
    assert jitter_above_floor(2.4, 0.6, 1.5) == pytest.approx(0.75)  # above 1: down to 0
    assert jitter_above_floor(1.0, 0.0, 0.5) == 0.5  # no floor: the jitter given
    slot = Slot(concurrency=1, delay=0.8, jitter=jitter_above_floor(0.8, 0.6, 0.5))
    waits = [slot.download_delay() for _ in range(2000)]
    assert min(waits) >= 0.6 - 1e-9, min(waits)
    assert max(waits) > 0.8, max(waits)  # still random above the floor


def slot_after_crawl_delay(site_delay: float, jitter: float, crawl_delay: float) -> Slot:
    """A host's download slot (the site's delay, the user's jitter) once our AutoThrottle
    has read ``crawl_delay`` from its robots.txt."""
    crawler = get_crawler(
        settings_dict={
            "DOWNLOAD_DELAY": site_delay,
            "ROBOTSTXT_CRAWL_DELAY_MAX": 30.0,
            "DOWNLOAD_HANDLERS": {"http": None, "https": None},
        }
    )
    crawler.engine = crawler._create_engine()
    throttle = AutoThrottle(crawler)  # held: signals keep only a weak reference to it
    slot = Slot(concurrency=1, delay=site_delay, jitter=jitter)
    crawler.engine.downloader.slots["www.mdes.go.th"] = slot
    crawler.signals.send_catch_log(
        crawl_delay_read,
        slot="www.mdes.go.th",
        delay=crawl_delay,
        robots_url="https://www.mdes.go.th/robots.txt",
    )
    assert throttle.floors == {"www.mdes.go.th": max(site_delay, crawl_delay)}
    return slot


def test_a_crawl_delay_below_the_sites_delay_leaves_the_users_jitter_on_it() -> None:
    """Site delay 2 s, ``Crawl-delay: 0.5``: a jitter of 0.5 waits 1 to 3 s, never below
    0.5 s, so it is kept whole, as on a host with no Crawl-delay; 0.9 (down to 0.2 s) is
    cut to 0.75 (down to 0.5 s). A Crawl-delay above the site's delay is the delay, and no
    jitter is left on it."""
    slot = slot_after_crawl_delay(2.0, 0.5, 0.5)
    assert (slot.delay, slot.jitter) == (2.0, 0.5)
    slot = slot_after_crawl_delay(2.0, 0.9, 0.5)
    assert (slot.delay, slot.jitter) == (2.0, pytest.approx(0.75))
    assert min(slot.download_delay() for _ in range(2000)) >= 0.5 - 1e-9
    slot = slot_after_crawl_delay(2.0, 0.5, 3.0)
    assert (slot.delay, slot.jitter) == (3.0, 0.0)


@pytest.mark.parametrize(
    "jitter", [{"DOWNLOAD_DELAY_JITTER": "0.9"}, {"RANDOMIZE_DOWNLOAD_DELAY": "True"}]
)
def test_a_jitter_the_user_sets_never_sends_requests_closer_than_the_crawl_delay(
    tmp_path: Path, jitter: dict[str, str]
) -> None:
    """``Crawl-delay: 0.6`` and a jitter set on the command line (±90%, or Scrapy's older
    ±50%), which Scrapy would have wait as little as 0.06 or 0.3 s: every request at least
    0.6 s after the one before all the same."""
    config, db = tmp_path / "thaidigest.toml", tmp_path / "db.sqlite"
    config.write_text(NO_DELAY_CONFIG, encoding="utf-8")
    with FixtureSite(robots_txt="User-agent: *\nCrawl-delay: 0.6\n") as site:
        result = scrapy_crawl("mdes", site.base_url, db, config, settings=jitter)
    assert result.returncode == 0, result.stderr[-2000:]
    between = gaps(site)
    assert min(between) >= 0.55, between


def test_the_requests_waiting_in_the_downloader_wait_the_crawl_delay_after_autothrottle_adjusts(
    tmp_path: Path,
) -> None:
    """Four requests at a time: three wait in the host's download slot while one is sent.
    AutoThrottle lowers the slot's delay towards a loopback server's latency after each
    answer; the waiting requests, sent without reaching the downloader again, still go
    ``Crawl-delay: 0.6`` apart, and the crawl goes on (nothing raised on the way)."""
    config, db = tmp_path / "thaidigest.toml", tmp_path / "db.sqlite"
    config.write_text(NO_DELAY_CONFIG.replace("concurrency = 2", "concurrency = 4"), "utf-8")
    with FixtureSite(robots_txt="User-agent: *\nCrawl-delay: 0.6\n") as site:
        result = scrapy_crawl("mdes", site.base_url, db, config)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Error caught on signal handler" not in result.stderr, result.stderr[-3000:]
    between = gaps(site)
    assert min(between) >= 0.55, between
