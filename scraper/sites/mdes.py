"""Parse mdes.go.th (Ministry of Digital Economy and Society) listing and article pages."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

from cssselect import HTMLTranslator
from parsel import Selector

from scraper.sites import (
    ListingEntry,
    ListingPage,
    PageArticle,
    block_text,
    fallback_extract,
    first_text,
)

SELECTORS = {
    "listing_link": ".card-title-news a",
    "listing_date": ".col.date-news",
    "pagination_item": ".pagination > li",
    "headline": ".title-page",
    "image": ".carousel-item.active img::attr(src)",
    "body_candidates": ".col-12",
    "category": ".nav-item.active",
    "date": ".date-news",
}
DEFAULT_CATEGORIES = (3, 7, 8, 9, 109, 115, 116, 119, 120)
# A press release runs to paragraphs; breadcrumbs, menus and empty columns stay far below.
MIN_BODY_CHARS = 120
# Above this share of link text a block is a menu, not an article.
MAX_LINK_DENSITY = 0.5
# Ancestors that mark a .col-12 as page furniture rather than content.
FURNITURE_TAGS = ("nav", "header", "footer", "aside")
# Pagination items and links that do not lead anywhere new.
INACTIVE_PAGE_CLASSES = ("active", "disabled")
DEAD_HREF_PREFIXES = ("#", "javascript:")

ARTICLE_ID_RE = re.compile(r"/news/detail/(\d+)(?:-|/|$)")
_FOLLOWING_BODY_CANDIDATES = HTMLTranslator().css_to_xpath(
    SELECTORS["body_candidates"], prefix="following::"
)
_FURNITURE_ANCESTOR = "ancestor::*[" + " or ".join(f"self::{t}" for t in FURNITURE_TAGS) + "]"


def listing_url(base_url: str, category: int) -> str:
    """The news listing URL of ``category`` under ``base_url`` (any host or path prefix)."""
    return f"{base_url.rstrip('/')}/news/{category}"


def article_id(url: str) -> str | None:
    """The ``{id}`` of ``/news/detail/{id}-{slug}`` (slug percent-encoded or absent)."""
    match = ARTICLE_ID_RE.search(urlparse(url).path)
    return match.group(1) if match else None


def _entry_date(link: Selector) -> str | None:
    """The date of the card holding ``link``: the nearest ancestor with exactly one date."""
    for ancestor in reversed(link.xpath("ancestor::*")):
        dates = ancestor.css(SELECTORS["listing_date"])
        if len(dates) == 1:
            return first_text(dates) or None
        if dates:
            return None
    return None


def _next_url(page: Selector, url: str) -> str | None:
    items = page.css(SELECTORS["pagination_item"])
    if not items:
        return None
    last = items[-1]
    classes = (last.attrib.get("class") or "").split()
    href = (last.css("a::attr(href)").get() or "").strip()
    inactive = any(c in classes for c in INACTIVE_PAGE_CLASSES)
    if inactive or not href or href.startswith(DEAD_HREF_PREFIXES):
        return None
    next_url = urljoin(url, href)
    return None if next_url == url else next_url


def parse_listing(html: str, url: str) -> ListingPage:
    """The article links (with their listing dates) and the next page of a category listing."""
    if not html.strip():
        return ListingPage(entries=(), next_url=None)
    page = Selector(text=html)
    entries: dict[str, ListingEntry] = {}
    for link in page.css(SELECTORS["listing_link"]):
        absolute = urljoin(url, (link.attrib.get("href") or "").strip())
        source_id = article_id(absolute)
        if source_id and absolute not in entries:
            entries[absolute] = ListingEntry(absolute, source_id, _entry_date(link))
    return ListingPage(entries=tuple(entries.values()), next_url=_next_url(page, url))


def _link_density(node: Selector, text_length: int) -> float:
    link_chars = sum(len(block_text(a)) for a in node.css("a"))
    return link_chars / text_length


def _looks_like_article(node: Selector) -> bool:
    """A content column: not page furniture, long enough, mostly prose rather than links."""
    if node.xpath(_FURNITURE_ANCESTOR):
        return False
    length = len(block_text(node))
    return length >= MIN_BODY_CHARS and _link_density(node, length) <= MAX_LINK_DENSITY


def _body_node(headline: Selector) -> Selector | None:
    """The first ``.col-12`` after the headline that looks like the article text."""
    candidates = headline.xpath(_FOLLOWING_BODY_CANDIDATES)
    return next((node for node in candidates if _looks_like_article(node)), None)


def parse_article(html: str, url: str) -> PageArticle | None:
    """Parse an article page; None for an empty page or one with no article text."""
    if not html.strip():
        return None
    page = Selector(text=html)
    headlines = page.css(SELECTORS["headline"])
    headline = first_text(headlines)
    body_node = _body_node(headlines[0]) if headline else None
    body = block_text(body_node) if body_node is not None else ""
    extraction = "selectors"
    if not headline or not body:
        title, body = fallback_extract(html, url)
        if not body:
            return None
        headline = title or body.split("\n")[0]
        extraction = "fallback"
    image = page.css(SELECTORS["image"]).get()
    return PageArticle(
        url=url,
        title=headline,
        body=body,
        category=first_text(page.css(SELECTORS["category"])) or None,
        date_text=first_text(page.css(SELECTORS["date"])) or None,
        image_url=urljoin(url, image.strip()) if image and image.strip() else None,
        extraction=extraction,
    )
