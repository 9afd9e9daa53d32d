"""A DNS resolver for crawls run in tests: every name under ``localhost``
(``www.localhost``, ``news.localhost``) is the loopback address, as RFC 6761 (6.3) lets a
resolver answer, where this machine's resolver knows ``localhost`` alone. The fixture site
answers under ``localhost`` and ``www.localhost`` as a site does with ``www.`` and without,
and under ``news.localhost`` as another host of its domain would.

A crawl names it in a Scrapy setting: ``TWISTED_DNS_RESOLVER=`` :data:`LOOPBACK_NAMES`."""

from __future__ import annotations

from collections.abc import Sequence

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

LOOPBACK_NAMES = "tests.scraper.loopback_names.LoopbackNames"
LOOPBACK = "127.0.0.1"


class LoopbackNames(CachingThreadedResolver):
    """Scrapy's resolver, with every name under ``localhost`` on the loopback address."""

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        if name.lower().endswith(".localhost"):
            return defer.succeed(LOOPBACK)
        return super().getHostByName(name, timeout)
