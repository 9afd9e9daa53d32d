"""The item pipeline: every crawled article goes the one way imports go."""

from __future__ import annotations

from collections import Counter
from typing import Any

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from sqlalchemy.engine import Connection

from scraper.config import DB_SETTING, crawl_config
from scraper.report import DATABASE_ERROR, refused_crawl
from thaidigest.ingest import OLDER
from thaidigest.model import RawArticle
from thaidigest.pipeline import build_ingestor
from thaidigest.store import Store, StoreError, add_crawl_counts


class StorePipeline:
    """Normalise, deduplicate, score and store each article in its own transaction.

    The article's outcome (new, updated, unchanged, suspicious, came back empty) is
    counted on the crawl's run in that transaction: a crawl killed before it reports
    (SIGKILL, the out-of-memory killer) leaves on its run the articles it stored, never
    fewer or more. The ingestor warns of a page come back with an empty body
    (thaidigest.ingest.empty_answer_kept, stored_empty).

    A database error is reported in one line on the crawl's errors (never the
    article's text) and ends the crawl: the next articles could not be stored either.
    """

    def __init__(self, crawler: Any, db_url: str) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        db_url = crawler.settings.get(DB_SETTING)
        if not db_url:
            raise NotConfigured(f"{DB_SETTING} is not set")
        return cls(crawler, db_url)

    def open_spider(self) -> None:
        """Open the store and build the ingestor, which first brings the stored verdicts
        and partners up to date (:func:`~thaidigest.pipeline.build_ingestor`): before the
        crawl's lock is taken and its run recorded (:class:`scraper.report.CrawlReport`). A
        database that refuses that refuses the crawl, before any request."""
        self.store = Store(self.db_url)
        config = crawl_config(self.crawler.settings)
        try:
            self.ingestor = build_ingestor(self.store, config=config, also_write=self.count_on_run)
        except StoreError as error:
            raise refused_crawl(self.crawler, self.crawler.spider, error) from None

    def count_on_run(self, conn: Connection, outcomes: list[str]) -> None:
        """Count the articles just written on the crawl's run, in their transaction."""
        run_id = getattr(self.crawler.spider, "crawl_run_id", None)
        if run_id is not None:
            stored = Counter("unchanged" if outcome == OLDER else outcome for outcome in outcomes)
            add_crawl_counts(conn, run_id, stored)

    def close_spider(self) -> None:
        self.store.close()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RawArticle):
            try:
                outcome = self.ingestor.ingest_one(item)
            except StoreError as error:
                self.crawler.spider.report_error(item.fetch_url or item.url, str(error))
                if not self.stopping:
                    self.stopping = True
                    deferred_from_coro(
                        self.crawler.engine.close_spider_async(reason=DATABASE_ERROR)
                    )
                return item
            self.crawler.stats.inc_value(f"thaidigest/{outcome}")
            if outcome == "rejected":
                self.crawler.spider.report_error(item.fetch_url or item.url, "no headline")
            elif outcome == "suspicious":
                self.crawler.spider.report_error(
                    item.fetch_url or item.url,
                    f"suspicious page: the fallback extractor read the headline {item.title!r},"
                    " not the stored article's; the stored version kept",
                )
        return item
