"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds: plain entries in, feed bytes out.

feedgen writes RSS and Atom and is kept inside this module; JSON Feed is plain
``json`` (https://jsonfeed.org/version/1.1), with the same ids and dates.

Entry ids are ``urn:uuid:`` UUID5s of a stable name (an article's canonical
URL, a digest's week), so they never change between runs. A story keeps the id
it was first published under when another of its copies becomes its
representative (:func:`story_id`), and its ``updated`` while it shows the same headline,
summary and date (:func:`shows_the_same`). Every date comes from the data, and every
format writes it in Bangkok time (:func:`in_bangkok`): a feed's own ``updated`` is
its newest entry's, so the same entries give the same bytes. A digest's entry is
updated when its content last changed, which the feed written before records
(:func:`render_dated_atom`).
Every string is cleaned by :mod:`digest.clean` (no character XML 1.0
forbids, no control or direction character, a headline cut to its length),
and an entry links only to a web address: an article without one (a text file
imported without a source line) links to the page that lists it, given by the
caller (``pages``), and has no link only when it is given none. RSS, whose
``link`` is a URI, gets it with Thai percent-encoded (:func:`thaidigest.urls.iri_to_uri`);
Atom's ``href`` (an IRI) and JSON Feed's ``url`` keep it as stored but for a ``%`` that
starts no escape, ``%25`` in every format (:func:`digest.clean.clean_link`), and the ids,
in every format, are the stored address's.

An entry names its language in every format: ``dc:language`` in RSS and Atom, an
item's ``language`` in JSON Feed, and, in an Atom feed in another language (an English
article in a feed in Thai), the entry's own ``xml:lang``, which its text inherits.

An entry's topics are its categories by id (``ai``), the key subscribers' filters use:
RSS's ``category`` text, Atom's ``term`` and JSON Feed's ``tags``. Atom adds the name the
digest shows (``label="Artificial intelligence · ปัญญาประดิษฐ์"``), which RSS has no place
for, and both name the scheme of topics, the address of the topic feeds' folder (Atom's
``scheme``, RSS's ``domain``).

An article's text is text in every format: Atom marks it ``type="text"``,
JSON Feed carries it as ``content_text``, and RSS, whose readers take an item's
``description`` and ``content:encoded`` as HTML and guess whether a title is,
gets it escaped in the description and in a title that reads as markup
(:func:`_rss_title`), and never in ``content:encoded``, which only HTML of our
own (a revision's list of changes, a digest) fills.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import NamedTuple
from urllib.parse import urljoin
from xml.etree import ElementTree

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from digest.clean import article_links, clean_headline, clean_line, clean_link, clean_text
from digest.markdown import (
    item_date,
    lede,
    markdown_to_html,
    render_changes,
    site_label,
    topic_heading,
    week_range,
)
from digest.ours import GENERATOR
from digest.select import BANGKOK, Item, Revision, Week, bangkok_day
from thaidigest.store import parse_iso
from thaidigest.urls import iri_to_uri

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
TOPICS = "topics"  # the folder of the topic feeds, whose address names the scheme of topics
# The title prefix of a revision entry, by the article's language.
REVISION_PREFIXES = {"en": "Updated", "th": "แก้ไข"}


@dataclass(frozen=True)
class Entry:
    """One feed entry."""

    id: str
    title: str
    link: str | None  # a web address, or None
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
    thai_title: str = ""  # what the archive page and the feed list add to the title


def stable_id(name: str) -> str:
    """A permanent entry or feed id for ``name``: ``urn:uuid:`` + UUID5."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def story_id(item: Item, written: Mapping[str, Dated]) -> str:
    """The id of the entry of ``item``'s story: the id a feed written before
    (``written``, its entries by id) holds for a member of the story, else its
    representative's URL's.

    Deduplication names a story by its representative, and a copy found after the
    story was published can take that role (dated earlier on the other site, the
    longer text on the same day, a complete extraction where the representative was
    read by the fallback, the URL that sorts first on a full tie), and so can a copy
    when the representative is edited to a later date. Readers key an entry by its
    id: a new one would announce the story again and drop the entry they hold (read,
    starred). So the story keeps the id of a member it was published under: the
    representative's own when published, else the member's published first (then the
    id that sorts first): two stories published apart and merged since are one entry,
    the older.
    """
    own = stable_id(item.url)
    if own in written:
        return own
    held = (stable_id(url) for url in item.also_on)
    kept = sorted((written[i].published or written[i].updated, i) for i in held if i in written)
    return kept[0][1] if kept else own


def article_entry(
    item: Item, page: str | None = None, written: Mapping[str, Dated] | None = None
) -> Entry:
    """The feed entry of a digest item, linked to the article, else to ``page``.

    Published: the published date at 00:00 Bangkok time, else when it was
    first seen (RSS has no other date for an entry), and then its summary opens with
    ``(date unknown, found 2024-08-20)``; updated: when its content last changed.
    A date after its content last changed (a release put up the evening before its
    date, a day or a year typed ahead by the site) is published when first seen, and stays
    so through edits until one is made after the date: never after its ``updated``, which
    validators refuse, nor in the future, which readers would sort first until that date.

    Its id is :func:`story_id`'s, given the entries of the feeds written before
    (``written``). Under the id of another member, it shows the representative
    (headline, summary, date) and links to it, the page that holds the text it shows.
    It keeps that entry's ``updated`` while it shows what that entry showed
    (:func:`shows_the_same`): a copy that reads word for word as the story did (the same
    release on the other site, a text file imported of it) changes no entry a reader
    holds by becoming the representative, though it was stored later. One that shows
    something else is updated no earlier than that entry was: its content changed, and
    a date gone back would hide that.
    """
    summary = lede(item.body, item.language)
    updated = parse_iso(item.last_changed)
    published = datetime.combine(item.day, time(), BANGKOK)
    if not item.dated or published > updated:  # no date, or one ahead of its content
        published = parse_iso(item.first_seen)
    if not item.dated:
        summary = f"({item_date(item)}) {summary}".strip()
    link, _ = article_links(item.url, item.also_on)
    entry_id = story_id(item, written or {})
    entry = Entry(
        id=entry_id,
        title=clean_headline(item.title),
        link=link or page,
        published=published,
        updated=updated,
        summary=summary,
        categories=item.topics,
        language=item.language,
        partners=item.partners,
    )
    if entry_id == stable_id(item.url) or not written:
        return entry
    held = written[entry_id]
    if shows_the_same(entry, held):  # an entry written before may be updated before published
        return replace(entry, updated=max(held.updated, published))
    return replace(entry, updated=max(updated, held.updated))


def shown_text(entry: Entry) -> tuple[str, str]:
    """The headline and summary of ``entry`` as every feed writes them (Atom's, JSON Feed's;
    RSS's the same, escaped where it must be)."""
    return clean_headline(entry.title), clean_text(entry.summary)


def shows_the_same(entry: Entry, written: Dated) -> bool:
    """Whether ``entry`` shows what the entry an Atom feed ``written`` before under its id
    showed: the same headline, summary and published date. Not its link: a reader sees
    the text and the date, and a copy of the same text at another address changes neither.
    False when what that entry showed was not read (:class:`Dated` made without it)."""
    return written.shown is not None and (shown_text(entry), entry.published) == (
        written.shown,
        written.published,
    )


def in_bangkok(moment: datetime) -> datetime:
    """``moment`` in Bangkok time, as every feed writes its dates (an entry's, a feed's own,
    an empty feed's, a digest's): the same instant, written ``2024-11-16T00:00:00+07:00``
    (``Sat, 16 Nov 2024 00:00:00 +0700`` in RSS), so that a reader showing the date as
    written shows the day the digest gives, not the day before in UTC."""
    return moment.astimezone(BANGKOK)


def revision_id(url: str, version: int) -> str:
    """The permanent id of an article's version ``version`` (2 and later)."""
    return stable_id(f"{url}#version-{version}")


def revision_entry(item: Item, revision: Revision, page: str | None = None) -> Entry:
    """The entry of one later version of an article: titled ``Updated: …`` (Thai ``แก้ไข: …``),
    published when the version was seen, its content what changed; linked
    as the article's entry is (to ``page`` when the version has no web address).

    A version of a copy folded into the item names the copy's site in its title
    (``Updated (mdes.go.th): …``) and links to the copy. A copy without a web address is
    named by its stored source (``Updated (file): …``), not as the digest names it
    (:data:`digest.markdown.IMPORTED`): every build writes the revision entries of its
    weeks again, each dated when its version was seen, so a title named anew would change
    entries readers already hold without dating them again; for the same reason its content
    lists the changes alone, as it always did, without the unchanged text each follows that
    the digest shows (:func:`~digest.markdown.change_lines`). (A version that moved a passage,
    listed as removed and added before a move was told as one (or not at all, in a change
    too long to align), says it moved when written again, and one that moved a passage and
    edited it a little or respaced it says so: the one change of content such an entry gets.)
    """
    seen = parse_iso(revision.seen_at)
    prefix = REVISION_PREFIXES.get(item.language, REVISION_PREFIXES["en"])
    if revision.url == item.url:
        link, _ = article_links(item.url, item.also_on)
    else:
        link = clean_link(revision.url)
        prefix = f"{prefix} ({site_label(revision.source, revision.url) or revision.source})"
    return Entry(
        id=revision_id(revision.url, revision.version),
        title=f"{prefix}: {clean_headline(revision.title)}",
        link=link or page,
        published=seen,
        updated=seen,
        content_html=markdown_to_html(render_changes(revision.diff, with_context=False)),
        categories=item.topics,
        language=item.language,
        partners=item.partners,
    )


def article_entries(
    items: Iterable[Item],
    pages: Mapping[str, str],
    written: Mapping[str, Dated] | None = None,
) -> list[Entry]:
    """Entries for ``items``, newest first: one per URL (the last given wins) and one per
    later version seen (a revision entry, listed before the articles of the day it was
    seen), a copy's with the item it was last given with. Each feed lists the first
    ``digest.max_entries`` of those it holds.

    ``pages``: by item URL, the page that lists the item, the link of an entry with
    no web address of its own (a reader follows an entry's link, and a ``urn:uuid:``
    id is what it would follow otherwise); ``written``: the entries of the feeds
    written before, by id, whose ids the stories keep (:func:`story_id`)."""
    by_url: dict[str, Item] = {}
    revisions: dict[tuple[str, int], tuple[str, Revision]] = {}  # with the item's URL
    for item in items:
        by_url[item.url] = item
        revisions.update(((r.url, r.version), (item.url, r)) for r in item.revisions)
    keyed = [
        (
            (-item.day.toordinal(), 1, -item.relevance, url, 0),
            article_entry(item, pages.get(url), written),
        )
        for url, item in by_url.items()
    ]
    for (url, version), (listed, revision) in revisions.items():
        item = by_url[listed]
        day = bangkok_day(revision.seen_at)
        key = (-day.toordinal(), 0, -item.relevance, url, -version)
        keyed.append((key, revision_entry(item, revision, pages.get(listed))))
    keyed.sort(key=lambda pair: pair[0])
    return [entry for _, entry in keyed]


def newest(entries: Sequence[Entry], default: datetime) -> datetime:
    """The feed's ``updated``: its newest entry's, or ``default`` for an empty feed."""
    return max((entry.updated for entry in entries), default=default)


# What a reader that guesses takes for HTML in an RSS text element: a tag or a character
# reference (feedparser looks for a closing tag or a reference; an opening tag, a comment
# or a declaration is taken here too).
_READS_AS_MARKUP = re.compile(r"<[A-Za-z/!?]|&#?[A-Za-z0-9]+;")


def _rss_title(text: str) -> str:
    """``text`` as an RSS title or channel description shows it to every reader.

    RSS never says whether a title is text or HTML, and readers guess: feedparser
    takes one holding a tag or a character reference for HTML (``ข่าว <b>ด่วน</b>``
    shows in bold, ``R&amp;D`` as ``R&D``), others show a title as text. Text that
    reads as markup is HTML-escaped, so that readers that guess show it as written;
    other text (``R&D``, ``5 < 6``) is written as it is, which both kinds of reader
    show as written, and the RSS Advisory Board's profile asks for: no HTML in a title."""
    return html.escape(text, quote=False) if _READS_AS_MARKUP.search(text) else text


class _EntryLanguage(BaseEntryExtension):
    """An Atom entry's own ``xml:lang``, which feedgen writes for the feed only: set to
    ``language`` when it is given."""

    def __init__(self) -> None:
        self.language: str | None = None

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        if self.language:
            entry.set(XML_LANG, self.language)
        return entry


def _generator(feed: FeedInfo, entries: Sequence[Entry], *, rss: bool = False) -> FeedGenerator:
    """The feed for feedgen. ``rss``: summaries escaped, for RSS readers take an item's
    ``description`` as HTML (Atom's summary is marked as text), titles and the feed's
    description that read as markup escaped (:func:`_rss_title`), no text as content:
    RSS has no text content, feedgen would write it unescaped in ``content:encoded``
    (HTML to every reader), and the description already carries it; and links as URIs
    (:func:`iri_to_uri`: RSS's ``link`` is a URI, Atom's ``href`` an IRI, which may hold
    Thai as stored).

    An entry's topics are categories by id; Atom's have the topic's name as their ``label``,
    which feedgen would write as RSS's text in place of the id.

    An Atom entry in another language than the feed's (an English article in a feed in
    Thai) has its own ``xml:lang``, so that readers render and hyphenate its text as
    English; RSS has no language of an item (``dc:language`` names it)."""
    shown = _rss_title if rss else str
    address = iri_to_uri if rss else str
    topics_scheme = urljoin(feed.site_url, f"{TOPICS}/")
    generator = FeedGenerator()
    generator.load_extension("dc")
    generator.register_extension("entry_language", BaseExtension, _EntryLanguage, rss=False)
    generator.id(feed.id)
    generator.title(shown(clean_line(feed.title)))
    generator.subtitle(shown(clean_line(feed.subtitle)))
    generator.author(name=clean_line(feed.title))
    # feedgen gives RSS the last link added: the site.
    generator.link(href=address(feed.self_url), rel="self")
    generator.link(href=address(feed.site_url), rel="alternate")
    generator.language(feed.language)
    generator.generator(GENERATOR)
    generator.updated(in_bangkok(feed.updated))
    for entry in entries:
        added = generator.add_entry(order="append")
        added.id(entry.id)
        headline, summary = shown_text(entry)
        added.title(shown(headline))
        link = clean_link(entry.link)
        if link:
            added.link(href=address(link), rel="alternate")
        added.published(in_bangkok(entry.published))
        added.updated(in_bangkok(entry.updated))
        if summary:
            added.summary(html.escape(summary, quote=False) if rss else summary)
        if entry.content_html:
            added.content(clean_text(entry.content_html), type="html")
        elif not link and not rss:  # an Atom entry with no link must have content
            added.content(summary or headline, type="text")
        for category in entry.categories:
            term = clean_line(category)
            label = {} if rss else {"label": clean_line(topic_heading(category))}
            added.category(term=term, scheme=address(topics_scheme), **label)
        if entry.language:
            added.dc.dc_language(entry.language)
        if entry.language != feed.language:
            added.entry_language.language = entry.language
    return generator


def render_atom(feed: FeedInfo, entries: Sequence[Entry]) -> bytes:
    """An Atom 1.0 document."""
    return _generator(feed, entries).atom_str(pretty=True)


def render_rss(feed: FeedInfo, entries: Sequence[Entry]) -> bytes:
    """An RSS 2.0 document."""
    return _generator(feed, entries, rss=True).rss_str(pretty=True)


def _json_item(entry: Entry) -> dict[str, object]:
    item: dict[str, object] = {"id": entry.id}
    link = clean_link(entry.link)
    if link:
        item["url"] = link
    headline, summary = shown_text(entry)
    item["title"] = headline
    if entry.content_html:
        item["content_html"] = clean_text(entry.content_html)
    else:  # an item must have content_html or content_text
        item["content_text"] = summary or headline
    if summary:
        item["summary"] = summary
    item["date_published"] = in_bangkok(entry.published).isoformat()  # RFC 3339
    item["date_modified"] = in_bangkok(entry.updated).isoformat()
    if entry.categories:
        item["tags"] = [clean_line(category) for category in entry.categories]
    if entry.language:
        item["language"] = entry.language
    return item


def render_json(feed: FeedInfo, entries: Sequence[Entry]) -> bytes:
    """A JSON Feed 1.1 document: the same entries, ids and dates as the RSS and Atom feeds."""
    document = {
        "version": JSON_FEED_VERSION,
        "title": clean_line(feed.title),
        "home_page_url": feed.site_url,
        "feed_url": feed.self_url,
        "description": clean_line(feed.subtitle),
        "language": feed.language,
        "authors": [{"name": clean_line(feed.title)}],
        "items": [_json_item(entry) for entry in entries],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def digest_id(week: Week) -> str:
    """The id of a week's digest entry, the same in every build."""
    return stable_id(f"thaidigest:digest:{week}")


def digest_entry(
    week: Week,
    title: str,
    body_html: str,
    link: str,
    now: datetime,
    published_before: datetime | None = None,
) -> Entry:
    """The entry of one weekly digest, published when its week ended.

    Updated when the week ended too, or at ``now`` for a week not over: the
    moment the digest tells the week as of. A later build that changes it
    dates it again (:func:`render_dated_atom`). A digest of a week not over is
    published at ``now`` instead, never in the future, or when the feed written
    before published it (``published_before``), so a rebuild keeps its date.
    """
    ended = week.end()
    published = min(ended, now, published_before or ended)
    return Entry(
        id=digest_id(week),
        title=f"{title}: week {week} ({week_range(week)})",
        link=link,
        published=published,
        updated=min(ended, now),
        content_html=body_html,
        language="en",
    )


class Recorded(NamedTuple):
    """An entry as an Atom document holds it."""

    updated: datetime
    # The entry's XML but its ``updated``, its ``published`` written in Bangkok time as
    # :func:`render_atom` writes it: everything a reader compares, whichever offset a
    # document written before gave its dates.
    content: bytes
    published: datetime | None = None


class Dated(NamedTuple):
    """When an entry an Atom document holds was last updated and published, and the headline
    and summary it shows: what a story's entry needs of the feeds written before (its id,
    :func:`story_id`, and whether it changed, :func:`shows_the_same`), read without the
    cost of writing each entry out again as :func:`atom_entries` does."""

    updated: datetime
    published: datetime | None = None
    shown: tuple[str, str] | None = None  # its headline and summary ("" for none)


def _dated_entries(
    document: bytes,
) -> Iterator[tuple[str, Dated, ElementTree.Element, ElementTree.Element]]:
    """Each entry of an Atom document with an id and a zoned ``updated``: its id, dates,
    element and ``updated`` element; none from a document that does not parse."""
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        return
    for entry in root.iter(f"{ATOM}entry"):
        entry_id, updated = entry.find(f"{ATOM}id"), entry.find(f"{ATOM}updated")
        if entry_id is None or updated is None or not entry_id.text:
            continue
        moment = _atom_date(updated)
        if moment is None:
            continue
        published = entry.find(f"{ATOM}published")
        title = entry.findtext(f"{ATOM}title")
        shown = None if title is None else (title, entry.findtext(f"{ATOM}summary") or "")
        dates = Dated(moment, None if published is None else _atom_date(published), shown)
        yield entry_id.text.strip(), dates, entry, updated


def atom_entries(document: bytes) -> dict[str, Recorded]:
    """The entries of an Atom document by id; none from a document that does not parse."""
    found: dict[str, Recorded] = {}
    for entry_id, dates, entry, updated in _dated_entries(document):
        entry.remove(updated)
        published = entry.find(f"{ATOM}published")
        if dates.published is not None:
            published.text = in_bangkok(dates.published).isoformat()
        entry.tail = None  # the indent after it, which depends on its place in the feed
        found[entry_id] = Recorded(dates.updated, ElementTree.tostring(entry), dates.published)
    return found


def atom_dates(document: bytes) -> dict[str, Dated]:
    """The dates of the entries of an Atom document by id; none from a document that does
    not parse."""
    return {entry_id: dates for entry_id, dates, _, _ in _dated_entries(document)}


class FeedHead(NamedTuple):
    """What an Atom document says of its feed: what a feed no build writes any more keeps, and
    what tells whether this project wrote it."""

    id: str
    title: str
    subtitle: str
    generator: str
    self_url: str  # its link of rel="self", empty without one


def feed_head(document: bytes) -> FeedHead | None:
    """The id, title, subtitle, generator and self link of an Atom document; None for one
    without an id or that does not parse."""
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        return None
    feed_id = (root.findtext(f"{ATOM}id") or "").strip()
    if not feed_id:
        return None
    title, subtitle, generator = (
        root.findtext(f"{ATOM}{name}") or "" for name in ("title", "subtitle", "generator")
    )
    self_url = next(
        (link.get("href", "") for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"),
        "",
    )
    return FeedHead(feed_id, title, subtitle, generator.strip(), self_url)


def feed_site_url(document: bytes) -> str | None:
    """The address an Atom document's feed links to as its site (its own link of
    ``rel="alternate"``): the ``digest.site_url`` the build that wrote it had, and every
    other link of the feeds it wrote starts with. None for a document without one, or that
    does not parse."""
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        return None
    return next(
        (
            link.get("href")
            for link in root.findall(f"{ATOM}link")
            if link.get("rel") == "alternate" and link.get("href")
        ),
        None,
    )


def empty_feed_updated(document: bytes) -> datetime | None:
    """When an Atom document that holds no entry was updated (the feed's own ``updated``);
    None for one with an entry, without a zoned ``updated``, or that does not parse."""
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        return None
    updated = root.find(f"{ATOM}updated")
    if root.find(f"{ATOM}entry") is not None or updated is None:
        return None
    return _atom_date(updated)


def _atom_date(element: ElementTree.Element) -> datetime | None:
    """The moment an Atom date element holds; None unless it is one with a time zone."""
    try:
        moment = datetime.fromisoformat((element.text or "").strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def render_dated_atom(
    feed: FeedInfo, entries: Sequence[Entry], previous: Mapping[str, Recorded], now: datetime
) -> bytes:
    """An Atom document of ``entries``, each updated when its content last changed, and the
    feed when its newest entry was (``now`` when it has none).

    An entry that ``previous`` (the entries of the feed written before, by id)
    holds keeps its ``updated`` there while it reads the same, and is updated
    ``now`` when it does not; an entry new to the feed keeps its own. Rebuilding
    the same feed so gives the same bytes, and a changed entry a later date,
    which tells readers to show it again.

    Whether an entry reads the same shows only once it is rendered: the feed is
    rendered once, with the dates kept, and a changed entry is dated again in
    that document rather than the feed rendered a second time.
    """
    kept = [replace(e, updated=previous[e.id].updated) if e.id in previous else e for e in entries]
    document = render_atom(replace(feed, updated=newest(kept, now)), kept)
    written = atom_entries(document)
    dated = [
        entry
        if entry.id not in previous or written[entry.id].content == previous[entry.id].content
        else replace(entry, updated=now)
        for entry in kept
    ]
    if dated == kept:
        return document
    return _dated_again(document, {entry.id: entry.updated for entry in dated}, newest(dated, now))


def _dated_again(document: bytes, updated: Mapping[str, datetime], feed_updated: datetime) -> bytes:
    """The Atom ``document`` rendered by :func:`render_atom` with each entry's ``updated`` and
    the feed's set to these, written as feedgen writes them (the same bytes as rendering
    the feed with these dates)."""
    root = etree.fromstring(document)
    root.find(f"{ATOM}updated").text = in_bangkok(feed_updated).isoformat()
    for entry in root.iter(f"{ATOM}entry"):
        entry_id = (entry.findtext(f"{ATOM}id") or "").strip()
        if entry_id in updated:
            entry.find(f"{ATOM}updated").text = in_bangkok(updated[entry_id]).isoformat()
    return etree.tostring(
        root.getroottree(), pretty_print=True, encoding="UTF-8", xml_declaration=True
    )
