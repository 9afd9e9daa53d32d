"""The article as read (RawArticle) and as stored (Article)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

SOURCES = ("thaigov", "mdes", "file")
# How a page's article was read: by the site's selectors, or by the generic extractor
# when they found none (it reads any page with some text).
SELECTORS_EXTRACTION = "selectors"
FALLBACK_EXTRACTION = "fallback"
EXTRACTIONS = ("text", SELECTORS_EXTRACTION, FALLBACK_EXTRACTION)
# What storing an article did: a new article, a new version of a stored one, the same
# text again, a new version too unlike the stored one to replace it, or a crawled page
# whose body came back empty, the stored text kept (see thaidigest.ingest.came_back_empty).
CAME_BACK_EMPTY = "came_back_empty"
OUTCOMES = ("new", "updated", "unchanged", "suspicious", CAME_BACK_EMPTY)
TEXT_ENCODING = "utf-16-le"  # how a pickled article carries its headline and body
# A Thai article's language (normalisation's), the sites' own, which the pages a person
# reads, in English, mark its text with.
THAI = "th"


def _packed_text(text: str) -> str | bytes:
    """``text`` encoded as :data:`TEXT_ENCODING`, or as is when it holds a lone surrogate
    (strict UTF-16 refuses one; any other text decodes back the same)."""
    try:
        return text.encode(TEXT_ENCODING)
    except UnicodeEncodeError:
        return text


def _unpacked_text(packed: str | bytes) -> str:
    """The text :func:`_packed_text` packed."""
    return packed if isinstance(packed, str) else packed.decode(TEXT_ENCODING)


class _TextPickledAsUTF16:
    """Pickles its ``title`` and ``body`` as UTF-16 bytes.

    An import sends each raw article to a worker process and its normalised article
    back. Pickle writes a string as UTF-8, 3 bytes a Thai character; UTF-16 takes 2,
    and encodes and decodes Thai text several times faster (docs/measurements.md).
    """

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["title"] = _packed_text(state["title"])
        state["body"] = _packed_text(state["body"])
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # As pickle sets a frozen dataclass's state without __setstate__: in its __dict__.
        state["title"] = _unpacked_text(state["title"])
        state["body"] = _unpacked_text(state["body"])
        self.__dict__.update(state)


@dataclass(frozen=True)
class RawArticle(_TextPickledAsUTF16):
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
    where: str | None = None  # where a reader found it (FILE:LINE, a text file's path)
    # A .txt file's article must hold a body: normalising refuses one it leaves without
    # (NO_BODY in thaidigest.normalise). A page or a record may be a headline over an image.
    needs_body: bool = False


@dataclass(frozen=True)
class Article(_TextPickledAsUTF16):
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
