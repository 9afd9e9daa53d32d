"""Run the spiders in this process: ``thaidigest crawl``.

Twisted's reactor cannot restart, so one process runs one crawl (of one or
both sites); the scheduler starts ``thaidigest crawl`` as a subprocess.
Each site is locked in the database for the crawl's length, so two crawls of
one site never overlap. The lock lasts ``crawl.subprocess_timeout`` (the time the
scheduler gives any job, a crawl or a digest) and the crawl renews it every third
of that while it runs, however long it runs; the next crawl takes it over, with a
warning, once its holder is gone, or, for a holder it cannot see (another host,
another container), once the lock has expired (:mod:`thaidigest.locks`). A site
whose lock is held is skipped, recorded as a ``locked`` crawl run; the other site
is crawled.

A crawl stops within seconds of SIGTERM or SIGINT, whatever its downloads are
doing: it stops scheduling, gives the downloads in flight ``STOP_GRACE`` seconds,
then closes without them, records the run as ``stopped`` and releases its locks.
Nothing is lost by that: each article is stored in its own transaction, and the
crawl after one that did not finish looks further back. A second signal closes at
once; a crawl whose reactor does not answer is ended by ``SIGALRM`` at
``STOP_DEADLINE``. A crawl killed outright is recorded as ``failed`` by the next
crawl of the site.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from datetime import timedelta
from types import FrameType
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.ossignal import install_shutdown_handlers

from scraper.config import CONFIG_SETTING, DB_SETTING, crawl_values
from scraper.report import LOCKED, STOPPED_REASON, CrawlReport, build_report, locked_report
from scraper.spiders.mdes import MdesSpider
from scraper.spiders.thaigov import ThaigovSpider
from thaidigest import locks
from thaidigest.store import Store, utc_now

SPIDERS = {"thaigov": ThaigovSpider, "mdes": MdesSpider}
STOP_GRACE = 2.0  # seconds downloads in flight get after a stop signal
STOP_DEADLINE = 4.0  # seconds after a stop signal by which the process is gone
DIED = "the crawl process ended before the crawl did"
CUT_SHORT = "stopped before the end"

log = logging.getLogger(__name__)


def crawl_settings(config: dict[str, Any], db_url: str) -> Settings:
    """Scrapy settings: the project's file with the user's ``[crawl]`` values on top."""
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.setdict(
        {**crawl_values(config), DB_SETTING: db_url, CONFIG_SETTING: config}, priority="cmdline"
    )
    return settings


def run_crawl(
    sources: list[str],
    *,
    store: Store,
    config: dict[str, Any],
    base_url: str | None = None,
    start_id: int | None = None,
) -> dict[str, dict[str, Any]]:
    """Crawl the given sites; the crawl run of each, keyed by site.

    A site whose lock another crawl holds is not crawled: its run is recorded
    with the status ``locked``, and the other sites are crawled all the same.
    """
    ttl = timedelta(seconds=float(config["crawl"]["subprocess_timeout"]))
    taken: list[str] = []
    run_ids: dict[str, int] = {}
    crawlers: list[Crawler] = []
    try:
        for source in sources:
            try:
                locks.acquire(store, f"crawl:{source}", ttl)
            except locks.LockHeld as held:
                run_ids[source] = record_locked(store, source, str(held))
                continue
            taken.append(source)
            # Holding the lock, any run of the site still "running" is a dead crawl's.
            for run_id in store.unfinished_crawl_runs(source):
                store.finish_crawl_run(run_id, utc_now(), "failed", unfinished_report(DIED))
        if taken:
            process = CrawlerProcess(crawl_settings(config, store.url))
            for source in taken:
                arguments: dict[str, Any] = {"base_url": base_url}
                if source == "thaigov" and start_id is not None:
                    arguments["start_id"] = start_id
                crawler = process.create_crawler(SPIDERS[source])
                crawlers.append(crawler)
                process.crawl(crawler, **arguments)
            with locks.kept(store, [f"crawl:{source}" for source in taken], ttl):
                _SignalStop(process).run()
    finally:
        for crawler in crawlers:
            run_id = getattr(crawler.spider, "crawl_run_id", None)
            if run_id is None:  # no spider, or it never started its run
                continue
            run_ids[crawler.spider.name] = run_id
            if run_id in store.unfinished_crawl_runs(crawler.spider.name):
                report = unfinished_report(CUT_SHORT, crawler)
                store.finish_crawl_run(run_id, utc_now(), "failed", report)
        for source in taken:
            locks.release(store, f"crawl:{source}")
    return {
        source: store.crawl_run(run_ids[source])
        if source in run_ids
        else store.last_crawl_runs(source)[0]
        for source in sources
    }


def record_locked(store: Store, source: str, holder: str) -> int:
    """Record a crawl of ``source`` that found its lock held; the run's id."""
    now = utc_now()
    run_id = store.start_crawl_run(source, now)
    store.finish_crawl_run(run_id, now, LOCKED, locked_report(source, holder))
    return run_id


class _SignalStop:
    """Stop a running crawl on SIGTERM or SIGINT, as the module docstring says.

    Scrapy's own graceful stop waits for every request already handed to the
    downloader: with a politeness delay and a hanging server, that is the
    download timeout and more.
    """

    def __init__(self, process: CrawlerProcess) -> None:
        self.process = process
        self.signalled = False

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        """Only signal-safe calls here: the reactor does the work in its own turn."""
        from twisted.internet import reactor

        if self.signalled:
            reactor.callFromThread(self.close_now)
            return
        self.signalled = True
        signal.setitimer(signal.ITIMER_REAL, STOP_DEADLINE)  # SIGALRM's default action ends us
        reactor.callFromThread(self.stop_soon, signal.Signals(signum).name)

    def stop_soon(self, name: str) -> None:
        from twisted.internet import reactor

        log.info("received %s: stopping the crawl within %g s", name, STOP_GRACE)
        self.process.stop()
        reactor.callLater(STOP_GRACE, self.close_now)

    def close_now(self) -> None:
        """Record each unfinished crawl run as stopped and stop the reactor."""
        from twisted.internet import reactor

        for crawler in list(self.process.crawlers):
            report = crawler.get_extension(CrawlReport)
            if report is not None and crawler.spider is not None:
                report.spider_closed(crawler.spider, STOPPED_REASON)
        with contextlib.suppress(RuntimeError):  # the reactor already stopped or stopping
            reactor.stop()

    def run(self) -> None:
        """Start the crawl and return when it has ended or stopped."""
        from twisted.internet import reactor

        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        reactor.addSystemEventTrigger("after", "startup", install_shutdown_handlers, self.on_signal)
        self.process.start(install_signal_handlers=False)


def unfinished_report(reason: str, crawler: Crawler | None = None) -> dict[str, Any]:
    """The report of a crawl that did not finish: what its crawler counted, if it is known."""
    spider = getattr(crawler, "spider", None)
    stats = crawler.stats.get_stats() if crawler is not None and crawler.stats else {}
    report = build_report(
        {**stats, "finish_reason": "unfinished"},
        getattr(spider, "blocked", []),
        getattr(spider, "errors", []),
        getattr(spider, "answered_after_stop", []),
    )
    report["status"] = "failed"
    report["unfinished"] = reason
    if spider is not None:
        report["source"] = spider.name
    return report
