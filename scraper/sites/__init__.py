"""Pure per-site HTML parsing: shared result types and text helpers.

Each site module (``thaigov``, ``mdes``) turns a decoded page and its URL into
these dataclasses. Nothing here touches the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura
from lxml import etree
from parsel import Selector, SelectorList

# Elements that start and end a line of text.
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
# Table cells stay on their row's line, separated by a space.
CELL_TAGS = frozenset({"td", "th"})
# Elements whose content is never article text.
DROP_TAGS = frozenset({"script", "style", "noscript", "nav", "template", "svg", "iframe"})

__all__ = [
    "ListingEntry",
    "ListingPage",
    "PageArticle",
    "block_lines",
    "block_text",
    "fallback_extract",
    "first_text",
    "text_lines",
]

_WHITESPACE = re.compile(r"\s+")  # str patterns match Unicode spaces, NBSP included


@dataclass(frozen=True)
class PageArticle:
    """One article as a site's page shows it, before normalisation."""

    url: str
    title: str
    body: str
    category: str | None
    date_text: str | None
    image_url: str | None
    extraction: str  # "selectors" or "fallback"


@dataclass(frozen=True)
class ListingEntry:
    """One article link found on a listing page."""

    url: str
    source_id: str
    date_text: str | None


@dataclass(frozen=True)
class ListingPage:
    """The article links of a listing page and the URL of the next page, if any."""

    entries: tuple[ListingEntry, ...]
    next_url: str | None


def _collect(element: etree._Element, out: list[str]) -> None:
    """Append the text of ``element`` (not its tail) to ``out``, with "\\n" at block edges."""
    tag = element.tag if isinstance(element.tag, str) else None  # comments have no str tag
    if tag in DROP_TAGS:
        return
    if tag in BLOCK_TAGS or tag == "br":
        out.append("\n")
    elif tag in CELL_TAGS:
        out.append(" ")
    if tag is not None and element.text:
        out.append(_WHITESPACE.sub(" ", element.text))
    for child in element:
        _collect(child, out)
        if child.tail:
            out.append(_WHITESPACE.sub(" ", child.tail))
    if tag in BLOCK_TAGS:
        out.append("\n")


def text_lines(text: str) -> list[str]:
    """Split text into lines with inner whitespace collapsed and empty lines dropped."""
    lines = (_WHITESPACE.sub(" ", line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


def block_lines(node: Selector) -> list[str]:
    """The text of an element, one line per block element or ``<br>``, in page order.

    Script, style and nav content is dropped; inner whitespace (NBSP included)
    collapses to one space; empty lines are dropped.
    """
    out: list[str] = []
    _collect(node.root, out)
    return text_lines("".join(out))


def block_text(node: Selector) -> str:
    """``block_lines`` joined with newlines."""
    return "\n".join(block_lines(node))


def first_text(nodes: SelectorList[Selector]) -> str:
    """The text of the first matched element on one line (headlines, labels); "" if none."""
    return " ".join(block_lines(nodes[0])) if nodes else ""


def fallback_extract(html: str, url: str) -> tuple[str | None, str]:
    """Generic main-text extraction for pages our selectors no longer match.

    Returns ``(title, body)``: the title from the page metadata, else ``<title>``,
    else the first ``h1``; the body one paragraph per line, "" when nothing is found.
    """
    if not html.strip():
        return None, ""
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    body = "\n".join(text_lines(document.text or "")) if document is not None else ""
    page = Selector(text=html)
    candidates = (
        document.title if document is not None else None,
        first_text(page.css("title")),
        first_text(page.css("h1")),
    )
    title = next((c.strip() for c in candidates if c and c.strip()), None)
    return title, body
