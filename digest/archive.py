"""The archive pages (``index.html``, one HTML page per weekly digest) and the
feed list (``feeds.opml``). Pure functions.

The pages are self-contained: inline CSS, no script, no external asset. The
index lists the digests newest first and links to every feed, each in its
formats; every page names the feeds in its head for autodiscovery (the index
all of them, a digest page the site-wide ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urljoin
from xml.etree import ElementTree

from digest.clean import article_links, clean_headline, clean_line
from digest.markdown import (
    bilingual_html,
    empty_week_line,
    item_date,
    item_source_label,
    lede,
    partners_phrase,
    status_marks,
    thai_marked_html,
    topic_name,
    week_range,
)
from digest.select import Item, Week, WeekDigest, digest_name, digest_page_name
from thaidigest.health import SiteHealth
from thaidigest.model import THAI
from thaidigest.urls import iri_to_uri

OPML_FILE = "feeds.opml"
# The archive index's file: the page a folder's address serves, by serve as by any web server.
INDEX_PAGE = "index.html"
THAI_TAGLINE = "สรุปข่าวความร่วมมือด้านเศรษฐกิจดิจิทัลรายสัปดาห์"
# The pages' own language, their words'; a Thai article's text on them says THAI.
PAGE_LANGUAGE = "en"
# Every colour written out, not a custom property (var(--accent)): Gmail and Outlook
# drop those, and this CSS styles the digest's mail too (publish.mail_page).
CSS = """
:root { color-scheme: light dark; }
body { font: 16px/1.6 system-ui, "Noto Sans Thai", "Sarabun", sans-serif;
  max-width: 46rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.3; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #8884; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-bottom: .2rem; }
a { color: #0b5cad; overflow-wrap: anywhere; }
ul { padding-left: 1.2rem; }
li { margin: .3rem 0; }
.muted { opacity: .75; font-size: .9rem; }
ul.items { list-style: none; padding-left: 0; }
ul.items p { margin: .2rem 0; }
@media (prefers-color-scheme: dark) { a { color: #7fb4ff; } }
"""


RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
JSON_FEED_TYPE = "application/feed+json"
OPML_TYPE = "text/x-opml"
FORMAT_NAMES = {RSS_TYPE: "RSS", ATOM_TYPE: "Atom", JSON_FEED_TYPE: "JSON Feed"}


@dataclass(frozen=True)
class FeedLink:
    """A feed file: its path relative to the index, type, and the feed's English and Thai title.

    The files of one feed in several formats share their titles.
    """

    href: str
    media_type: str
    title: str
    thai_title: str = ""

    def __post_init__(self) -> None:
        # A topic's or partner's name, from the user's files, is cleaned as all text shown.
        object.__setattr__(self, "title", clean_line(self.title))
        object.__setattr__(self, "thai_title", clean_line(self.thai_title))

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES.get(self.media_type, self.media_type)


def _grouped(feeds: Sequence[FeedLink]) -> list[list[FeedLink]]:
    """The feed files grouped by feed (the same titles), in the order given."""
    groups: dict[tuple[str, str], list[FeedLink]] = {}
    for feed in feeds:
        groups.setdefault((feed.title, feed.thai_title), []).append(feed)
    return list(groups.values())


def _head_links(feeds: Sequence[FeedLink], prefix: str = "") -> str:
    return "".join(
        f'<link rel="alternate" type="{escape(feed.media_type)}" '
        f'title="{escape(f"{feed.title} ({feed.format_name})")}" '
        f'href="{escape(prefix + feed.href)}">\n'
        for feed in feeds
    )


def _page(title: str, head_links: str, body: str) -> str:
    title = clean_line(title)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{PAGE_LANGUAGE}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n{head_links}"
        f"<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _feed_item(files: Sequence[FeedLink]) -> str:
    """One feed as a list item: its title, then a link per format."""
    label = bilingual_html(files[0].title, files[0].thai_title)
    formats = " · ".join(
        f'<a href="{escape(feed.href)}" type="{escape(feed.media_type)}">'
        f"{escape(feed.format_name)}</a>"
        for feed in files
    )
    return f"<li>{label}: {formats}</li>\n"


def _latest_item(item: Item) -> str:
    """One item of the latest digest: linked headline, source, date, topics, partners, lede;
    the headline and lede of a Thai article marked ``lang="th"``, as on the digest's page
    (:func:`digest.markdown.markdown_to_page_html`), the meta line English but for the
    names in Thai script in it (a topic's, a partner's), marked each."""
    own, _ = article_links(item.url, item.also_on)
    headline = escape(clean_headline(item.title))
    if own:
        headline = f'<a href="{escape(own)}">{headline}</a>'
    meta = [item_source_label(item), item_date(item), *status_marks(item)]
    topics = ", ".join(topic_name(topic) for topic in item.topics)
    if topics:
        meta.append(topics)
    partners = partners_phrase(item)
    if partners:
        meta.append(partners)
    opening = lede(item.body, item.language)
    marked = f' lang="{THAI}"' if item.language == THAI else ""
    return (
        f"<li><h3{marked}>{headline}</h3>\n"
        f'<p class="muted">{thai_marked_html(clean_line(" · ".join(meta)))}</p>\n'
        + (f"<p{marked}>{escape(opening)}</p>\n" if opening else "")
        + "</li>\n"
    )


def _latest(digest: WeekDigest, health: Sequence[SiteHealth]) -> str:
    heading = (
        f'<h2>Latest digest: <a href="{digest_page_name(digest.week)}">{digest.week}</a> '
        f'<span class="muted">{escape(week_range(digest.week))}</span></h2>\n'
    )
    if not digest.items:
        opening = escape(clean_line(empty_week_line(health)))
        return f"<section>\n{heading}<p>{opening}</p>\n</section>\n"
    items = "".join(_latest_item(item) for item in digest.items)
    return f'<section>\n{heading}<ul class="items">\n{items}</ul>\n</section>\n'


def render_index(
    title: str,
    weeks: Sequence[Week],
    feeds: Sequence[FeedLink],
    latest: WeekDigest | None = None,
    latest_health: Sequence[SiteHealth] = (),
) -> str:
    """The archive index: the latest digest's items, the weekly digests newest first, and
    every feed. Without an item, the latest digest's section opens as its digest does, from
    the health of the sites judged in its week (``latest_health``)."""
    title = clean_line(title)
    head = _head_links(feeds) + (
        f'<link rel="outline" type="{OPML_TYPE}" title="All feeds (OPML)" href="{OPML_FILE}">\n'
    )
    digests = "".join(
        f'<li><a href="{digest_page_name(week)}">Week {week}</a> '
        f'<span class="muted">{escape(week_range(week))} · '
        f'<a href="{digest_name(week)}">Markdown</a></span></li>\n'
        for week in sorted(weeks, reverse=True)
    )
    feed_items = "".join(_feed_item(files) for files in _grouped(feeds))
    body = (
        f"<header>\n<h1>{escape(title)}</h1>\n"
        f'<p lang="{THAI}">{escape(THAI_TAGLINE)}</p>\n</header>\n<main>\n'
        + (_latest(latest, latest_health) if latest is not None else "")
        + "<section>\n<h2>Weekly digests</h2>\n"
        + (f"<ul>\n{digests}</ul>\n" if digests else "<p>No digest yet.</p>\n")
        + "</section>\n<section>\n<h2>Feeds</h2>\n"
        f'<p>Every feed in one file, for a feed reader to import: <a href="{OPML_FILE}" '
        f'type="{OPML_TYPE}">{OPML_FILE}</a> (OPML).</p>\n'
        f"<ul>\n{feed_items}</ul>\n</section>\n"
        "</main>\n"
    )
    return _page(title, head, body)


def render_digest_page(
    title: str,
    body_html: str,
    back_link: str | None = None,
    feeds: Sequence[FeedLink] = (),
    feed_prefix: str = "",
) -> str:
    """A digest as a standalone HTML page; ``back_link`` leads to the index, ``feeds``
    (their paths after ``feed_prefix``) are named in its head for autodiscovery. What its
    body holds says it is English again (``<div lang="en">``): a webmail embeds a mail's
    body in its own page, without its ``<html lang="en">``."""
    nav = (
        f'<nav><a href="{escape(back_link)}">All digests and feeds</a></nav>\n' if back_link else ""
    )
    return _page(
        title,
        _head_links(feeds, feed_prefix),
        f'<div lang="{PAGE_LANGUAGE}">\n{nav}<main>\n{body_html}</main>\n</div>\n',
    )


def render_opml(title: str, site: str, feeds: Sequence[FeedLink]) -> bytes:
    """OPML 2.0: one outline per feed, in its Atom file when it has one (a reader that
    imported every format would hold each entry three times). Its addresses are URIs, as
    RSS's links are (:func:`thaidigest.urls.iri_to_uri`): an importer fetches each as it
    reads it, and a client that takes only URIs cannot fetch a ``site`` holding Thai."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = f"{clean_line(title)}: all feeds"
    body = ElementTree.SubElement(root, "body")
    for files in _grouped(feeds):
        chosen = next((feed for feed in files if feed.media_type == ATOM_TYPE), files[0])
        label = chosen.title + (f" · {chosen.thai_title}" if chosen.thai_title else "")
        ElementTree.SubElement(
            body,
            "outline",
            type="rss",
            text=clean_line(label),
            title=clean_line(label),
            xmlUrl=iri_to_uri(urljoin(site, chosen.href)),
            htmlUrl=iri_to_uri(site),
        )
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
