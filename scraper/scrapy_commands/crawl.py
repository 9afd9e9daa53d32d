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

Its log on stderr is ``thaidigest crawl``'s (:func:`scraper.crawl.crawl_log_handler`):
each line's time in Bangkok, whatever the machine's zone, and so the times of a lock's
holder a line quotes, where Scrapy's handler would give the machine's. It is put in place
as Scrapy puts its own, before the crawl with the command's settings, again for each
crawler with the crawler's (the user's ``crawl.log_level``, read as the spider is built),
and kept until the process ends (a run recorded as it exits logs then). A log asked to go
to a file (``--logfile``, ``LOG_FILE``) or nowhere (``--nolog``) is Scrapy's, in its format.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import click
from scrapy.commands.crawl import Command as ScrapyCrawl

from scraper.commands import EXIT_BLOCKED_OR_FAILED, format_report
from scraper.crawl import crawl_log_handler
from scraper.report import LOCKED, RUN_STATUS, CrawlReport
from thaidigest.locks import EXIT_LOCKED

if TYPE_CHECKING:
    import argparse

    from scrapy.crawler import Crawler
    from scrapy.settings import Settings


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
        self.log_handler: logging.Handler | None = None  # the crawl's, when it logs to stderr

    def short_desc(self) -> str:
        return (
            "Run a spider of the current project, by name, and print its crawl report"
            " (exit 75: site locked; 1: not ok)"
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if self.settings.getbool("LOG_ENABLED") and not self.settings.get("LOG_FILE"):
            self.settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
            self.log_with(self.settings)

    def log_with(self, settings: Settings) -> None:
        """The crawl's log handler for ``settings`` in place of the one it had before."""
        if self.log_handler is not None:
            logging.root.removeHandler(self.log_handler)
        self.log_handler = crawl_log_handler(settings)
        logging.root.addHandler(self.log_handler)
        logging.root.setLevel(logging.NOTSET)  # the handler's level decides

    def _create_crawler(self, spidercls: Any) -> Crawler:
        crawler = super()._create_crawler(spidercls)
        self.crawlers.append(crawler)
        if self.log_handler is not None:
            self.log_with(crawler.settings)
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
