"""The least time between two requests to a host: the site's delay, or the
``Crawl-delay`` its robots.txt gives us, whichever is longer.

:class:`scraper.robots.RobotsTxtMiddleware` reads the ``Crawl-delay`` of the group
that applies to us (:func:`scraper.robots.robots_agent`) and sends
:data:`crawl_delay_read` with the host's download slot. A ``Crawl-delay`` above
``ROBOTSTXT_CRAWL_DELAY_MAX`` (30 s) is capped, with a warning: a robots.txt asking
for an hour between requests would stall a crawl for days.

Scrapy's AutoThrottle knows one least delay for the whole crawl (``DOWNLOAD_DELAY``,
the site's) and lowers a slot's delay towards the server's latency down to it.
:class:`AutoThrottle` keeps each slot's own least delay (its floor): the slot's delay is
raised to it when a request reaches the downloader (Scrapy drops a slot idle for a
minute and makes it again with the site's delay) and after every adjustment. With
AutoThrottle off (``AUTOTHROTTLE_ENABLED``) it still holds the floors.

Scrapy waits a random time between ``1 - jitter`` and ``1 + jitter`` times a slot's
delay when a jitter is set (``DOWNLOAD_DELAY_JITTER``, 0 in the project's settings, or
``RANDOMIZE_DOWNLOAD_DELAY``: ±50%). A slot with a ``Crawl-delay`` keeps as much of its
jitter as never waits less than that ``Crawl-delay`` (:func:`jitter_above_floor`): none
while its delay is the ``Crawl-delay``, more as the site's delay or AutoThrottle raise it
above. The site's own delay is randomised as on a host with no ``Crawl-delay``.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.throttle import AutoThrottle as ScrapyAutoThrottle
from scrapy.http import Response

logger = logging.getLogger(__name__)

# Sent by scraper.robots with ``slot`` (the host's download slot), ``delay`` (the
# Crawl-delay of our group, seconds) and ``robots_url`` (the file that gave it).
crawl_delay_read = object()

MAX_SETTING = "ROBOTSTXT_CRAWL_DELAY_MAX"


def least_delay(site_delay: float, crawl_delay: float, most: float) -> float:
    """The least time between two requests: the site's delay or robots.txt's
    ``Crawl-delay`` capped at ``most``, whichever is longer."""
    return max(site_delay, min(crawl_delay, most))


def jitter_above_floor(delay: float, shortest: float, jitter: float) -> float:
    """The most of ``jitter`` a slot waiting ``delay`` (at least ``shortest``) may keep:
    Scrapy waits between ``delay * (1 - jitter)`` and ``delay * (1 + jitter)``, and no wait
    may be shorter than ``shortest`` (robots.txt's ``Crawl-delay``)."""
    if shortest <= 0:
        return jitter
    return max(0.0, min(jitter, 1 - shortest / delay))


class AutoThrottle(ScrapyAutoThrottle):
    """Scrapy's AutoThrottle, never below a host's robots.txt ``Crawl-delay``."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.floors: dict[str, float] = {}  # download slot -> least delay
        self.crawl_delays: dict[str, float] = {}  # download slot -> capped Crawl-delay
        self.jitters: dict[str, float] = {}  # download slot -> the jitter Scrapy gave it
        crawler.signals.connect(self._crawl_delay_read, signal=crawl_delay_read)
        crawler.signals.connect(self._raise_to_floor, signal=signals.request_reached_downloader)
        with suppress(NotConfigured):  # AutoThrottle off: the floors hold all the same
            super().__init__(crawler)

    def _crawl_delay_read(self, slot: str, delay: float, robots_url: str) -> None:
        settings = self.crawler.settings
        site_delay = settings.getfloat("DOWNLOAD_DELAY")
        most = settings.getfloat(MAX_SETTING)
        floor = least_delay(site_delay, delay, most)
        spider = self.crawler.spider
        name = spider.name if spider else ""
        if delay > most:
            logger.warning(
                "%s: %s asks for Crawl-delay: %g s; waiting %g s between requests, the most"
                " we wait (%s)",
                name,
                robots_url,
                delay,
                floor,
                MAX_SETTING,
                extra={"spider": spider},
            )
        elif floor > site_delay:
            logger.info(
                "%s: %s asks for Crawl-delay: %g s; waiting that long between requests",
                name,
                robots_url,
                delay,
                extra={"spider": spider},
            )
        self.floors[slot] = max(floor, self.floors.get(slot, 0.0))
        self.crawl_delays[slot] = max(min(delay, most), self.crawl_delays.get(slot, 0.0))
        self.crawler.stats.max_value("robotstxt/crawl_delay", self.floors[slot])
        self._hold_floor(slot)

    def _raise_to_floor(self, request: Request, spider: Spider | None = None) -> None:
        self._hold_floor(request.meta.get("download_slot"))

    def _hold_floor(self, key: str | None) -> None:
        """The slot's delay raised to its floor, and its jitter cut to what never waits less
        than the ``Crawl-delay``."""
        if key not in self.floors:
            return
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is None:
            return
        floor = self.floors[key]
        jitter = self.jitters.setdefault(key, slot.jitter)  # a slot made again gets it again
        slot.delay = max(slot.delay, floor)
        slot.jitter = jitter_above_floor(slot.delay, self.crawl_delays[key], jitter)

    def _response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        super()._response_downloaded(response, request, spider)
        self._raise_to_floor(request)
