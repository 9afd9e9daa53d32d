"""The archive pages: ``index.html`` and one HTML page per weekly digest. Pure functions.

The pages are self-contained: inline CSS, no script, no external asset. The
index lists the digests newest first and links to every feed, with
autodiscovery links in its head.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from digest.clean import clean_line
from digest.markdown import week_range
from digest.select import Week

THAI_TAGLINE = "สรุปข่าวความร่วมมือด้านเศรษฐกิจดิจิทัลรายสัปดาห์"
CSS = """
:root { color-scheme: light dark; --accent: #0b5cad; }
body { font: 16px/1.6 system-ui, "Noto Sans Thai", "Sarabun", sans-serif;
  max-width: 46rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.3; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #8884; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-bottom: .2rem; }
a { color: var(--accent); overflow-wrap: anywhere; }
ul { padding-left: 1.2rem; }
li { margin: .3rem 0; }
.muted { opacity: .75; font-size: .9rem; }
@media (prefers-color-scheme: dark) { :root { --accent: #7fb4ff; } }
"""


@dataclass(frozen=True)
class FeedLink:
    """A feed the index links to: its path relative to the index, type, English and Thai title."""

    href: str
    media_type: str
    title: str
    thai_title: str = ""


def _page(title: str, head_links: str, body: str) -> str:
    title = clean_line(title)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n{head_links}"
        f"<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _feed_label(feed: FeedLink) -> str:
    label = escape(feed.title)
    if feed.thai_title:
        label += f' · <span lang="th">{escape(feed.thai_title)}</span>'
    return label


def render_index(title: str, weeks: Sequence[Week], feeds: Sequence[FeedLink]) -> str:
    """The archive index: the weekly digests newest first, and every feed."""
    title = clean_line(title)
    head = "".join(
        f'<link rel="alternate" type="{escape(feed.media_type)}" '
        f'title="{escape(feed.title)}" href="{escape(feed.href)}">\n'
        for feed in feeds
    )
    digests = "".join(
        f'<li><a href="digests/{week}.html">Week {week}</a> '
        f'<span class="muted">{escape(week_range(week))} · '
        f'<a href="digests/{week}.md">Markdown</a></span></li>\n'
        for week in sorted(weeks, reverse=True)
    )
    feed_items = "".join(
        f'<li><a href="{escape(feed.href)}" type="{escape(feed.media_type)}">'
        f"{_feed_label(feed)}</a></li>\n"
        for feed in feeds
    )
    body = (
        f"<header>\n<h1>{escape(title)}</h1>\n"
        f'<p lang="th">{escape(THAI_TAGLINE)}</p>\n</header>\n<main>\n'
        f"<section>\n<h2>Weekly digests</h2>\n"
        + (f"<ul>\n{digests}</ul>\n" if digests else "<p>No digest yet.</p>\n")
        + f"</section>\n<section>\n<h2>Feeds</h2>\n<ul>\n{feed_items}</ul>\n</section>\n"
        "</main>\n"
    )
    return _page(title, head, body)


def render_digest_page(title: str, body_html: str, back_link: str | None = None) -> str:
    """A digest as a standalone HTML page; ``back_link`` leads to the index."""
    nav = (
        f'<nav><a href="{escape(back_link)}">All digests and feeds</a></nav>\n' if back_link else ""
    )
    return _page(title, "", f"{nav}<main>\n{body_html}</main>\n")
