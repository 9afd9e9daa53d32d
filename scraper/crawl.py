"""Run the spiders in this process: ``thaidigest crawl``.

Twisted's reactor cannot restart, so one process runs one crawl (of one or
both sites); the scheduler starts ``thaidigest crawl`` as a subprocess.
Each site is locked in the database for the crawl's length, so two crawls of
one site never overlap.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from scraper.spiders.mdes import MdesSpider
from scraper.spiders.thaigov import ThaigovSpider
from thaidigest import locks
from thaidigest.store import Store

SPIDERS = {"thaigov": ThaigovSpider, "mdes": MdesSpider}
SOURCES = ("thaigov", "mdes")
LOCK_MARGIN = timedelta(minutes=10)


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
            "RETRY_BACKOFF_BASE": float(crawl.get("backoff_base", 1.0)),
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
    ttl = timedelta(seconds=int(config["crawl"]["subprocess_timeout"])) + LOCK_MARGIN
    taken: list[str] = []
    try:
        for source in sources:
            locks.acquire(store, f"crawl:{source}", ttl)
            taken.append(source)
        process = CrawlerProcess(crawl_settings(config, store.url), install_root_handler=True)
        for source in sources:
            arguments: dict[str, Any] = {"base_url": base_url}
            if source == "thaigov" and start_id is not None:
                arguments["start_id"] = start_id
            process.crawl(SPIDERS[source], **arguments)
        process.start()
    finally:
        for source in taken:
            locks.release(store, f"crawl:{source}")
    return {source: store.last_crawl_runs(source)[0] for source in sources}
