"""``scrapy crawl SITE`` as Scrapy runs it, printing the crawl report and exiting as
``thaidigest crawl`` does.

Scrapy prints nothing but its log and exits 0 whenever the crawler started, so a user
saw no report and a script or a cron job could not tell a crawl from one the site's
lock kept off. Here the report of the crawl's run, as ``thaidigest crawl`` prints it
(:func:`scraper.commands.format_report`), goes to stdout once the run is recorded, and
the exit status is :data:`~thaidigest.locks.EXIT_LOCKED` (75) when another crawl held
the lock, 1 when the crawl's run was recorded as anything but ``ok`` (blocked, stopped,
failed) or not recorded at all (the database refused it), and 0 for an ``ok`` run. A
run not recorded has no report: its log says why (``not crawling: …``), and so does
that of a stop forced by a second signal, whose run is recorded as the process exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from scrapy.commands.crawl import Command as ScrapyCrawl

from scraper.commands import EXIT_BLOCKED_OR_FAILED, format_report
from scraper.report import LOCKED, RUN_STATUS, CrawlReport
from thaidigest.locks import EXIT_LOCKED

if TYPE_CHECKING:
    import argparse

    from scrapy.crawler import Crawler


def exit_status(stats: dict[str, Any]) -> int:
    """The exit status of a crawl from its crawler's final ``stats``."""
    if stats.get("finish_reason") == LOCKED:
        return EXIT_LOCKED
    return 0 if stats.get(RUN_STATUS) == "ok" else EXIT_BLOCKED_OR_FAILED


def recorded_report(crawler: Crawler) -> dict[str, Any] | None:
    """The report the crawl's run was recorded with, or None when no run was recorded
    with one (the site locked, the database refusing, a forced stop)."""
    extension = crawler.get_extension(CrawlReport)
    return None if extension is None else extension.recorded


class Command(ScrapyCrawl):
    def __init__(self) -> None:
        super().__init__()
        self.crawlers: list[Crawler] = []

    def short_desc(self) -> str:
        return (
            "Run a spider of the current project, by name, and print its crawl report"
            " (exit 75: site locked; 1: not ok)"
        )

    def _create_crawler(self, spidercls: Any) -> Crawler:
        crawler = super()._create_crawler(spidercls)
        self.crawlers.append(crawler)
        return crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if self.exitcode != 0:  # Scrapy could not start the crawl: its error says why
            return
        for crawler in self.crawlers:
            assert crawler.stats is not None
            self.exitcode = max(self.exitcode, exit_status(crawler.stats.get_stats()))
            report = recorded_report(crawler)
            if report is not None:  # as thaidigest crawl prints a run it recorded
                run = {"status": report["status"], "report": report}
                click.echo(format_report(report["source"], run))
