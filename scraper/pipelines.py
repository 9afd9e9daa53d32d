"""The item pipeline: every crawled article goes the one way imports go."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import NotConfigured

from thaidigest.model import RawArticle
from thaidigest.pipeline import build_ingestor
from thaidigest.store import Store


class StorePipeline:
    """Normalise, deduplicate, score and store each article in its own transaction."""

    def __init__(self, crawler: Any, db_url: str) -> None:
        self.crawler = crawler
        self.db_url = db_url

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        db_url = crawler.settings.get("THAIDIGEST_DB_URL")
        if not db_url:
            raise NotConfigured("THAIDIGEST_DB_URL is not set")
        return cls(crawler, db_url)

    def open_spider(self) -> None:
        self.store = Store(self.db_url)
        config = self.crawler.settings.getdict("THAIDIGEST_CONFIG")
        self.ingestor = build_ingestor(self.store, config=config)

    def close_spider(self) -> None:
        self.store.close()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RawArticle):
            outcome = self.ingestor.ingest_one(item)
            self.crawler.stats.inc_value(f"thaidigest/{outcome}")
            if outcome == "rejected":
                self.crawler.spider.report_error(item.fetch_url or item.url, "no headline")
        return item
