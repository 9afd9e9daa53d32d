"""RSS 2.0 and Atom 1.0 feeds: plain entries in, feed bytes out, feedgen kept inside.

Entry ids are ``urn:uuid:`` UUID5s of a stable name (an article's canonical
URL, a digest's week), so they never change between runs. Every date comes
from the data: a feed's own ``updated`` is its newest entry's, so the same
entries give the same bytes. Characters XML 1.0 forbids are removed from
every string.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time

from feedgen.feed import FeedGenerator

from digest.markdown import lede, one_line, week_range
from digest.select import BANGKOK, Item, Week

GENERATOR = "thaidigest"
# Not allowed anywhere in an XML 1.0 document.
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Entry:
    """One feed entry."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    summary: str = ""
    content_html: str = ""
    categories: tuple[str, ...] = ()
    language: str | None = None
    partners: tuple[str, ...] = ()  # partner ids: which partner feeds carry it


@dataclass(frozen=True)
class FeedInfo:
    """What a feed says about itself."""

    id: str
    title: str
    subtitle: str
    site_url: str
    self_url: str
    updated: datetime
    language: str = "th"


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return XML_FORBIDDEN.sub("", text)


def stable_id(name: str) -> str:
    """A permanent entry or feed id for ``name``: ``urn:uuid:`` + UUID5."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _utc(stored: str) -> datetime:
    return datetime.fromisoformat(stored.replace("Z", "+00:00")).astimezone(UTC)


def article_entry(item: Item) -> Entry:
    """The feed entry of a digest item.

    Published: the published date at 00:00 Bangkok time, else when it was
    first seen; updated: when its content last changed.
    """
    if item.dated:
        published = datetime.combine(item.day, time(), BANGKOK).astimezone(UTC)
    else:
        published = _utc(item.first_seen)
    return Entry(
        id=stable_id(item.url),
        title=one_line(item.title),
        link=item.url,
        published=published,
        updated=_utc(item.last_changed),
        summary=lede(item.body, item.language),
        categories=item.topics,
        language=item.language,
        partners=item.partners,
    )


def article_entries(items: Iterable[Item], limit: int) -> list[Entry]:
    """Entries for ``items``, one per URL (the last given wins), newest first, at most ``limit``."""
    by_url = {item.url: item for item in items}
    ordered = sorted(by_url.values(), key=lambda i: (-i.day.toordinal(), -i.relevance, i.url))
    return [article_entry(item) for item in ordered[:limit]]


def newest(entries: Sequence[Entry], default: datetime) -> datetime:
    """The feed's ``updated``: its newest entry's, or ``default`` for an empty feed."""
    return max((entry.updated for entry in entries), default=default)


def _generator(feed: FeedInfo, entries: Sequence[Entry]) -> FeedGenerator:
    generator = FeedGenerator()
    generator.load_extension("dc")
    generator.id(feed.id)
    generator.title(xml_safe(feed.title))
    generator.subtitle(xml_safe(feed.subtitle))
    generator.author(name=xml_safe(feed.title))
    # feedgen gives RSS the last link added: the site.
    generator.link(href=feed.self_url, rel="self")
    generator.link(href=feed.site_url, rel="alternate")
    generator.language(feed.language)
    generator.generator(GENERATOR)
    generator.updated(feed.updated)
    for entry in entries:
        added = generator.add_entry(order="append")
        added.id(entry.id)
        added.title(xml_safe(entry.title))
        added.link(href=entry.link, rel="alternate")
        added.published(entry.published)
        added.updated(entry.updated)
        if entry.summary:
            added.summary(xml_safe(entry.summary))
        if entry.content_html:
            added.content(xml_safe(entry.content_html), type="html")
        for category in entry.categories:
            added.category(term=xml_safe(category))
        if entry.language:
            added.dc.dc_language(entry.language)
    return generator


def render_atom(feed: FeedInfo, entries: Sequence[Entry]) -> bytes:
    """An Atom 1.0 document."""
    return _generator(feed, entries).atom_str(pretty=True)


def render_rss(feed: FeedInfo, entries: Sequence[Entry]) -> bytes:
    """An RSS 2.0 document."""
    return _generator(feed, entries).rss_str(pretty=True)


def digest_entry(week: Week, title: str, body_html: str, link: str) -> Entry:
    """The entry of one weekly digest, dated when its week ended."""
    ended = week.end().astimezone(UTC)
    return Entry(
        id=stable_id(f"thaidigest:digest:{week}"),
        title=f"{title}: week {week} ({week_range(week)})",
        link=link,
        published=ended,
        updated=ended,
        content_html=body_html,
        language="en",
    )
