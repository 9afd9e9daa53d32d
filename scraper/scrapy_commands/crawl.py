"""``scrapy crawl SITE`` as Scrapy runs it, exiting as ``thaidigest crawl`` does.

Scrapy exits 0 whenever the crawler started, so a script or a cron job could not tell
a crawl from one the site's lock kept off. Here the exit status is
:data:`~thaidigest.locks.EXIT_LOCKED` (75) when another crawl held the lock, 1 when
the crawl's run was recorded as anything but ``ok`` (blocked, stopped, failed) or
not recorded at all (the database refused it), and 0 for an ``ok`` run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawl

from scraper.commands import EXIT_BLOCKED_OR_FAILED
from scraper.report import LOCKED, RUN_STATUS
from thaidigest.locks import EXIT_LOCKED

if TYPE_CHECKING:
    import argparse

    from scrapy.crawler import Crawler


def exit_status(stats: dict[str, Any]) -> int:
    """The exit status of a crawl from its crawler's final ``stats``."""
    if stats.get("finish_reason") == LOCKED:
        return EXIT_LOCKED
    return 0 if stats.get(RUN_STATUS) == "ok" else EXIT_BLOCKED_OR_FAILED


class Command(ScrapyCrawl):
    def __init__(self) -> None:
        super().__init__()
        self.crawlers: list[Crawler] = []

    def short_desc(self) -> str:
        return "Run a spider of the current project, by name (exit 75: site locked; 1: not ok)"

    def _create_crawler(self, spidercls: Any) -> Crawler:
        crawler = super()._create_crawler(spidercls)
        self.crawlers.append(crawler)
        return crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if self.exitcode == 0:
            for crawler in self.crawlers:
                assert crawler.stats is not None
                self.exitcode = max(self.exitcode, exit_status(crawler.stats.get_stats()))
