"""Run the spiders in this process: ``thaidigest crawl``.

Twisted's reactor cannot restart, so one process runs one crawl (of one or
both sites); the scheduler starts ``thaidigest crawl`` as a subprocess.
Each site is locked in the database for the crawl's length, so two crawls of
one site never overlap; a lock older than ``crawl.subprocess_timeout`` is
stale and the next crawl takes it over, with a warning.

SIGTERM or Ctrl-C asks Scrapy to stop gracefully (the requests under way
finish); whatever the settings, the crawl is cut short ``STOP_GRACE``
seconds later. A crawl that did not finish, cut short here or killed
outright, is recorded as ``failed``: here at once, or by the next crawl of
the site when the process died.
"""

from __future__ import annotations

import contextlib
import signal
from datetime import timedelta
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from scraper.report import build_report
from scraper.spiders.mdes import MdesSpider
from scraper.spiders.thaigov import ThaigovSpider
from thaidigest import locks
from thaidigest.store import Store, utc_now

SPIDERS = {"thaigov": ThaigovSpider, "mdes": MdesSpider}
SOURCES = ("thaigov", "mdes")
STOP_GRACE = 5.0  # seconds between SIGTERM and the end of the crawl, whatever still runs
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
DIED = "the crawl process ended before the crawl did"
CUT_SHORT = "stopped before the end"


def crawl_settings(config: dict[str, Any], db_url: str) -> Settings:
    """Scrapy settings: the project's file with the user's ``[crawl]`` values on top."""
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    crawl = config["crawl"]
    settings.setdict(
        {
            "USER_AGENT": crawl["user_agent"],
            "ROBOTSTXT_OBEY": bool(crawl["obey_robots"]),
            "DOWNLOAD_TIMEOUT": float(crawl["timeout"]),
            "DOWNLOAD_MAXSIZE": int(crawl["max_page_bytes"]),
            "RETRY_TIMES": int(crawl["retries"]),
            "RETRY_BACKOFF_BASE": float(crawl["backoff_base"]),
            "THAIDIGEST_DB_URL": db_url,
            "THAIDIGEST_CONFIG": config,
        },
        priority="cmdline",
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
    """Crawl the given sites; the report of each, keyed by site. Raises LockHeld."""
    ttl = timedelta(seconds=float(config["crawl"]["subprocess_timeout"]))
    taken: list[str] = []
    crawlers: list[Crawler] = []
    try:
        for source in sources:
            locks.acquire(store, f"crawl:{source}", ttl)
            taken.append(source)
            # Holding the lock, any run of the site still "running" is a dead crawl's.
            for run_id in store.unfinished_crawl_runs(source):
                store.finish_crawl_run(run_id, utc_now(), "failed", unfinished_report(DIED))
        process = CrawlerProcess(crawl_settings(config, store.url), install_root_handler=True)
        for source in sources:
            arguments: dict[str, Any] = {"base_url": base_url}
            if source == "thaigov" and start_id is not None:
                arguments["start_id"] = start_id
            crawler = process.create_crawler(SPIDERS[source])
            crawlers.append(crawler)
            process.crawl(crawler, **arguments)
        _cut_short_after_a_stop_signal(STOP_GRACE)
        process.start()
    finally:
        for crawler in crawlers:
            run_id = getattr(crawler.spider, "crawl_run_id", None)
            if run_id in store.unfinished_crawl_runs(crawler.spider.name):
                report = unfinished_report(CUT_SHORT, crawler)
                store.finish_crawl_run(run_id, utc_now(), "failed", report)
        for source in taken:
            locks.release(store, f"crawl:{source}")
    return {source: store.last_crawl_runs(source)[0] for source in sources}


def unfinished_report(reason: str, crawler: Crawler | None = None) -> dict[str, Any]:
    """The report of a crawl that did not finish: what its crawler counted, if it is known."""
    spider = getattr(crawler, "spider", None)
    stats = crawler.stats.get_stats() if crawler is not None and crawler.stats else {}
    report = build_report(
        {**stats, "finish_reason": "unfinished"},
        getattr(spider, "blocked", []),
        getattr(spider, "errors", []),
    )
    report["status"] = "failed"
    report["unfinished"] = reason
    if spider is not None:
        report["source"] = spider.name
    return report


def _cut_short_after_a_stop_signal(grace: float) -> None:
    """Make SIGTERM and SIGINT stop the reactor ``grace`` seconds after Scrapy's own handling.

    Scrapy's graceful stop waits for every request under way, and a request
    that never completes (a server that hangs past a long timeout) would
    keep the crawl, its lock and its run alive. Installed once the reactor
    runs, after Scrapy's handlers, which it calls in turn.
    """
    from twisted.internet import reactor

    def stop_reactor() -> None:
        with contextlib.suppress(RuntimeError):  # already stopped
            reactor.stop()

    def install() -> None:
        for signum in STOP_SIGNALS:
            previous = signal.getsignal(signum)

            def on_signal(number: int, frame: Any, previous: Any = previous) -> None:
                reactor.callFromThread(reactor.callLater, grace, stop_reactor)
                if callable(previous):
                    previous(number, frame)

            signal.signal(signum, on_signal)

    reactor.callWhenRunning(reactor.callLater, 0, install)
