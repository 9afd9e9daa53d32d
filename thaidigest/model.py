"""The article as read (RawArticle) and as stored (Article)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SOURCES = ("thaigov", "mdes", "file")
# How a page's article was read: by the site's selectors, or by the generic extractor
# when they found none (it reads any page with some text).
SELECTORS_EXTRACTION = "selectors"
FALLBACK_EXTRACTION = "fallback"
EXTRACTIONS = ("text", SELECTORS_EXTRACTION, FALLBACK_EXTRACTION)


@dataclass(frozen=True)
class RawArticle:
    """An article as a reader found it: a text file, a corpus line or a page."""

    url: str
    source: str  # one of SOURCES
    title: str
    body: str
    source_id: str | None = None
    category: str | None = None
    published_hint: date | None = None  # a listing date or page metadata
    extraction: str = "text"  # one of EXTRACTIONS
    fetch_url: str | None = None  # where a spider fetched it (may be a mirror)
    etag: str | None = None
    last_modified: str | None = None
    # What an export record says of the article's past, kept when its URL is new to the store:
    first_seen: str | None = None  # when it was found (ISO 8601 UTC, as stored)
    last_changed: str | None = None  # when its text or date last changed (as stored)
    versions: int = 1  # the number of its latest version, which the next one follows


@dataclass(frozen=True)
class Article:
    """A normalised article, ready to deduplicate, score and store."""

    url: str
    source: str
    source_id: str | None
    title: str
    body: str
    published: date | None
    language: str
    category: str | None
    extraction: str
    content_hash: str
