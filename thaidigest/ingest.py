"""One path from a raw article to the store: normalise, deduplicate, score, store.

``thaidigest import`` and the spiders' pipeline both end here, so a text file
and a crawled page of the same article land in the same row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, NamedTuple, Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from thaidigest.model import Article, RawArticle
from thaidigest.normalise import normalise_article
from thaidigest.store import Store, article_versions, articles, iso, utc_now

BATCH_SIZE = 500
OUTCOMES = ("new", "updated", "unchanged")


class Rejected(NamedTuple):
    """An input that could not be read as an article, and why."""

    where: str  # a path, path:line or URL
    reason: str


class Scored(NamedTuple):
    relevance: float
    relevant: bool
    topics: tuple[str, ...]


class Scorer(Protocol):
    def __call__(self, title: str, body: str) -> Scored: ...


class Deduplicator(Protocol):
    def assign(self, conn: Connection, article_id: int, article: Article) -> None:
        """Record the article's fingerprints and set ``duplicate_of`` in its cluster."""


@dataclass
class Summary:
    """Counts of one import or crawl."""

    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejected] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"read {self.read}, new {self.new}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}"
        )


def _not_scored(title: str, body: str) -> Scored:
    return Scored(0.0, False, ())


class Ingestor:
    """Writes raw articles into a store, in transactions of ``batch_size``."""

    def __init__(
        self,
        store: Store,
        *,
        scorer: Scorer = _not_scored,
        deduplicator: Deduplicator | None = None,
        clock: Callable[[], datetime] = utc_now,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.store = store
        self.scorer = scorer
        self.deduplicator = deduplicator
        self.clock = clock
        self.batch_size = batch_size

    def ingest(
        self,
        items: Iterable[RawArticle | Rejected],
        on_reject: Callable[[Rejected], None] | None = None,
    ) -> Summary:
        """Store every article of ``items``; count and report the rejected ones."""
        summary = Summary()
        iterator = iter(items)
        while batch := list(islice(iterator, self.batch_size)):
            prepared = list(self._prepare(batch, summary, on_reject))
            if prepared:
                with self.store.transaction() as conn:
                    for outcome in self._write_batch(conn, prepared):
                        setattr(summary, outcome, getattr(summary, outcome) + 1)
        return summary

    def ingest_one(self, raw: RawArticle) -> str:
        """Store one article in its own transaction; its outcome, or ``rejected``."""
        summary = self.ingest([raw])
        for outcome in (*OUTCOMES, "rejected"):
            if getattr(summary, outcome):
                return outcome
        raise AssertionError("an ingested article has an outcome")

    def _prepare(
        self,
        batch: list[RawArticle | Rejected],
        summary: Summary,
        on_reject: Callable[[Rejected], None] | None,
    ) -> Iterator[tuple[RawArticle, Article]]:
        for item in batch:
            summary.read += 1
            if isinstance(item, RawArticle):
                try:
                    yield item, normalise_article(item)
                    continue
                except ValueError as error:
                    item = Rejected(item.fetch_url or item.url, str(error))
            summary.rejected += 1
            summary.rejections.append(item)
            if on_reject is not None:
                on_reject(item)

    def _write_batch(
        self, conn: Connection, prepared: list[tuple[RawArticle, Article]]
    ) -> list[str]:
        """Write a batch in the caller's transaction; the outcome of each article."""
        now = iso(self.clock())
        urls = list({article.url for _, article in prepared})
        current = {
            row.url: (row.id, row.content_hash, row.versions)
            for row in conn.execute(
                select(
                    articles.c.url, articles.c.id, articles.c.content_hash, articles.c.versions
                ).where(articles.c.url.in_(urls))
            )
        }
        outcomes: list[str] = []
        seen: list[dict[str, Any]] = []
        for raw, article in prepared:
            fetched = {
                "fetch_url": raw.fetch_url,
                "etag": raw.etag,
                "last_modified": raw.last_modified,
                "last_seen": now,
            }
            known = current.get(article.url)
            if known is not None and known[1] == article.content_hash:
                seen.append({"row_id": known[0], **fetched})
                outcomes.append("unchanged")
                continue
            state = self._state(article, now) | fetched
            if known is None:
                state |= {"url": article.url, "first_seen": now, "versions": 1}
                article_id = conn.execute(articles.insert(), state).inserted_primary_key[0]
                version, outcome = 1, "new"
            else:
                article_id, version, outcome = known[0], known[2] + 1, "updated"
                conn.execute(
                    update(articles).where(articles.c.id == article_id),
                    state | {"versions": version},
                )
            current[article.url] = (article_id, article.content_hash, version)
            conn.execute(
                article_versions.insert(),
                {
                    "article_id": article_id,
                    "version": version,
                    "seen_at": now,
                    "content_hash": article.content_hash,
                    "title": article.title,
                    "body": article.body,
                    "published": state["published"],
                },
            )
            if self.deduplicator is not None:
                self.deduplicator.assign(conn, article_id, article)
            outcomes.append(outcome)
        if seen:
            conn.execute(
                update(articles)
                .where(articles.c.id == bindparam("row_id"))
                .values(
                    fetch_url=bindparam("fetch_url"),
                    etag=bindparam("etag"),
                    last_modified=bindparam("last_modified"),
                    last_seen=bindparam("last_seen"),
                ),
                seen,
            )
        return outcomes

    def _state(self, article: Article, now: str) -> dict[str, Any]:
        scored = self.scorer(article.title, article.body)
        return {
            "source": article.source,
            "source_id": article.source_id,
            "title": article.title,
            "body": article.body,
            "published": article.published.isoformat() if article.published else None,
            "language": article.language,
            "category": article.category,
            "extraction": article.extraction,
            "content_hash": article.content_hash,
            "last_changed": now,
            "relevance": scored.relevance,
            "relevant": scored.relevant,
            "topics": json.dumps(sorted(scored.topics)),
        }
