"""Pure per-site HTML parsing: shared result types and text helpers.

Each site module (``thaigov``, ``mdes``) turns a decoded page and its URL into
these dataclasses. Nothing here touches the network.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from html import escape
from itertools import accumulate
from urllib.parse import unquote, urljoin, urlparse

import trafilatura
from lxml import etree
from parsel import Selector, SelectorList
from w3lib.html import get_base_url, get_meta_refresh

from scraper.sites.not_found import is_not_found_message, is_notice_message, is_notice_title
from thaidigest.dates import CONTRADICTED_DATE, PLACEHOLDER_DATES, parse_date_line
from thaidigest.normalise import INVISIBLE

# A whole page's HTML closes: one of these (lowercased) within its last bytes.
CLOSING_TAGS = (b"</body", b"</html")
CLOSING_TAGS_WITHIN = 16 * 1024  # bytes; what may follow them is a script or comment or two
# HTML5 lets a page leave both out: the sites' template then shows the page whole by its
# footer, a <footer> element right inside <body>, after the content. A page cut before it
# has none there: the parser closes what the cut left open, so a footer of the content's
# own (an article's) stands inside it, or, lifted to <body> by tags the article closed too
# often, has the rest of the article after it. So the template's footer has no paragraph,
# heading or article right after it, no loose text, and little text at all after it: a
# cookie notice or a dialog, :data:`MAX_TEXT_AFTER_FOOTER` characters at most, and scripts.
PAGE_FOOTER = (
    "/html/body/footer[not(following-sibling::*[self::p or self::h1 or self::h2 or self::h3"
    " or self::article or descendant::article or self::main or descendant::main])]"
    "[not(following-sibling::text()[normalize-space()])]"
)
TEXT_AFTER_FOOTER = (
    "following-sibling::*[not(self::script or self::style or self::noscript"
    " or self::template)]//text()[not(ancestor::script or ancestor::style)]"
)
MAX_TEXT_AFTER_FOOTER = 500  # characters
# The deepest nesting libxml2 reads (with huge_tree, as parsel and the MDES parser use it):
# past it, it stops and keeps what it had read, with no exception.
MAX_PARSED_DEPTH = 2048
_DEPTH_PARSER = etree.HTMLParser(recover=True, huge_tree=True, no_network=True, encoding="utf-8")
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
# What the fallback extractor's plain text puts before a list item's text ("- หน้าหลัก"
# for a breadcrumb's <li>), its indent lost with the line's other leading spaces.
LIST_ITEM_MARK = "- "
# Elements whose text the HTML parser keeps as written, decoding no character reference
# (the extractor reads the JSON in a script itself).
RAW_TEXT_TAGS = frozenset({"script", "style"})
# The characters XML cannot hold, which lxml refuses to set as an element's text: the C0
# controls but tab, line feed and carriage return, lone surrogates, U+FFFE and U+FFFF. The
# HTML parser keeps them where a page writes them as references (&#11;, a vertical tab
# pasted from Word; &#1;, &#x1F;, &#xFFFE;).
NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A text the fallback sets again before the extractor reads it: one holding an ``&`` or a
# character XML cannot hold (the extractor sets its texts again, and lxml refuses such a
# text: trafilatura then discards the whole page).
REWRITTEN_CHARS = re.compile(f"&|{NOT_XML_CHARS.pattern}")
# Elements whose content is never article text.
DROP_TAGS = frozenset({"script", "style", "noscript", "nav", "template", "svg", "iframe"})
# A page that is only a meta refresh sends its reader on within this many seconds (an
# article or listing that reloads itself waits minutes)...
MAX_REFRESH_DELAY = 30.0
# ...and shows no more text than a line or two saying where to: an article shows more.
MAX_REFRESH_PAGE_CHARS = 200
# A page in the site's whole template (menus, footer) sends its reader on too when it
# refreshes within this many seconds and its article body block is empty or holds only a
# short message ("ข่าวนี้ย้ายแล้ว"): a browser goes at once, and there is nothing to read.
MAX_TEMPLATE_REFRESH_DELAY = 5.0
# The most text such a message shows, all body blocks together: a sentence or two. It
# never holds a date line: every article's body block of the thaigov corpus opens with
# one (63,137 articles), the shortest too (a headline over an image), and without it
# their text is as short as a message (a 10-character headline). The corpus's other 104
# records are the site's empty page, whose block holds only a template's placeholder
# date (วันพฤหัสบดีที่ 1 มกราคม 2513, 1970-01-01): no article's date line, no text.
MAX_TEMPLATE_MESSAGE_CHARS = 120
# The dates an empty template prints in its date line (the site's empty page: 1970-01-01);
# not CONTRADICTED_DATE, which is an article's date line with a weekday typo.
TEMPLATE_DATES = PLACEHOLDER_DATES - {CONTRADICTED_DATE}
# The schemes a refresh sends a browser to; it stays on a page refreshing to another.
REFRESH_SCHEMES = frozenset({"http", "https"})
# The language a page's <html lang="..."> declares: its primary subtag ("th" of "th-TH").
HTML_LANGUAGE = re.compile(r"""<html\b[^>]*?\slang\s*=\s*["']?\s*([A-Za-z]+)""", re.IGNORECASE)
# Elements whose lines label a page rather than tell its article: menus, headers and
# footers, forms, list items and headings. A link's text is a label too.
LABEL_TAGS = frozenset(
    {"nav", "header", "footer", "aside", "form", "button", "select", "li"}
    | {"h1", "h2", "h3", "h4", "h5", "h6"}
)

__all__ = [
    "ListingEntry",
    "ListingPage",
    "NotArticle",
    "PageArticle",
    "TextMap",
    "absolute_url",
    "block_lines",
    "block_text",
    "fallback_extract",
    "first_text",
    "label_lines",
    "list_item_text",
    "one_line",
    "parses_whole",
    "refresh_target",
    "text_lines",
    "text_map",
    "url_path",
]


@dataclass(frozen=True)
class PageArticle:
    """One article as a site's page shows it, before normalisation."""

    url: str
    title: str
    body: str
    category: str | None
    date_text: str | None
    extraction: str  # "selectors" or "fallback"


class NotArticle(enum.Enum):
    """Why a page that answered 200 at an article URL holds no article to store."""

    NOTICE = "maintenance or error notice"  # the site is down or failed, for now
    OTHER_PAGE = "not an article page"  # no mark of the site's article template: a home page


@dataclass(frozen=True)
class ListingEntry:
    """One article link found on a listing page."""

    url: str
    source_id: str
    date_text: str | None
    title: str | None = None


@dataclass(frozen=True)
class ListingPage:
    """The article links of a listing page and the URL of the next page, if any; a next-page
    link that names no URL it can read (:func:`absolute_url`) is ``unreadable_next``, its
    ``href``: a next page the crawl cannot read, not the last page."""

    entries: tuple[ListingEntry, ...]
    next_url: str | None
    unreadable_next: str | None = None


def absolute_url(base: str, href: str) -> str | None:
    """``href`` made absolute against ``base``; None when either is an address urlsplit
    cannot read (``http://[::1/x``, a '[' opening no IPv6 host; ``https://[ลิงก์]/``, a
    bracketed host that is no IP address), which no browser follows either. Read as it
    was, one such link (a footer's typo) raised ValueError, and the page it stood on was
    lost: its article never stored, its listing's links never followed."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def url_path(url: str) -> str:
    """The path of ``url``; "" for an address urlsplit cannot read (see
    :func:`absolute_url`): no article's."""
    try:
        return urlparse(url).path
    except ValueError:
        return ""


def is_whole_page(body: bytes, html: str) -> bool:
    """Whether a page's bytes (``body``, ``html`` as decoded) end as a whole page does:
    ``</body>`` or ``</html>`` (any case) among their last :data:`CLOSING_TAGS_WITHIN`
    bytes, or, as HTML5 lets a page leave both out, the template's footer right inside
    ``<body>`` with none of an article's text after it (:data:`PAGE_FOOTER`).

    A page cut short (a connection closed early with no ``Content-Length``, a server
    that sent part of its page) is complete to HTTP, and lxml closes what it left
    open, so its text parses as a shorter article: stored, a bogus edit. Only what is
    missing at its end tells. The closing tags are read from the end, so a long page
    costs no more; a page without them is parsed for its footer.
    """
    tail = body[-CLOSING_TAGS_WITHIN:].lower()
    if any(tag in tail for tag in CLOSING_TAGS):
        return True
    return any(
        len("".join(footer.xpath(TEXT_AFTER_FOOTER).getall()).strip()) <= MAX_TEXT_AFTER_FOOTER
        for footer in Selector(text=html).xpath(PAGE_FOOTER)
    )


def parses_whole(html: str) -> bool:
    """Whether the HTML parser reads ``html`` to its end: False for a page nested deeper
    than :data:`MAX_PARSED_DEPTH` (unclosed ``<div>``s or ``<span>``s by the thousand),
    which lxml parses as the part above that depth, every line after it lost: the page's
    article stored as a shorter one, a bogus edit, with nothing said.

    A page of fewer tags than that cannot nest so deep, and costs no parse."""
    if html.count("<") < MAX_PARSED_DEPTH:
        return True
    etree.fromstring(html.encode("utf-8", "replace"), _DEPTH_PARSER)
    return not any(
        error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT or "Excessive depth" in error.message
        for error in _DEPTH_PARSER.error_log
    )


def page_language(html: str) -> str | None:
    """The language a page declares in its ``<html lang>``, lower case, without region
    (``th`` of ``th-TH``); None when it declares none."""
    found = HTML_LANGUAGE.search(html)
    return found[1].lower() if found else None


def refresh_target(
    html: str, url: str, header: str | None = None, body_block: str | None = None
) -> str | None:
    """Where a page that is only a meta refresh sends its reader: the absolute URL of its
    ``Refresh`` HTTP ``header`` if it names one, else of its ``<meta
    http-equiv="refresh">`` (outside ``script`` and ``noscript``), when the refresh comes within
    :data:`MAX_REFRESH_DELAY` seconds to an http(s) URL and the page's body shows at most
    :data:`MAX_REFRESH_PAGE_CHARS` characters of text; None for any other page, which is
    read as the page it is (an article that reloads itself every few minutes; a refresh
    to ``javascript:`` or ``data:``, where browsers do not go; a maintenance or error
    notice, short or in its title, which says the site serves no article now, not that
    the article moved or was taken down). The text of a link to the target (the URL it
    shows, maybe long and percent-encoded) does not count.

    A page showing more, the site's whole template (menus and footer), sends its reader
    on too when the refresh comes within :data:`MAX_TEMPLATE_REFRESH_DELAY` seconds to
    another address and the site's article ``body_block`` (a CSS selector) is there and
    holds at most a short message (:func:`_holds_at_most_a_message`): no text in it but
    the text of links (a print button), or a line or two saying the article moved. A page
    whose body block the selector does not find (a redesign) is read, as is an article,
    whose block holds its date line, headline and text, and a maintenance notice."""
    try:
        base_url = get_base_url(html, url)
    except ValueError:  # a <base href> no browser reads (absolute_url): the page's own
        base_url = url
    tag = f'<meta http-equiv="refresh" content="{escape(header)}">' if header else ""
    delay, target = _meta_refresh(tag, base_url)
    if target is None:
        delay, target = _meta_refresh(html, base_url)
    if target is None or delay > MAX_REFRESH_DELAY:
        return None
    if urlparse(target).scheme not in REFRESH_SCHEMES:
        return None
    page = Selector(text=html)
    for link in page.css("body a[href]"):
        linked = absolute_url(base_url, link.attrib["href"].strip())
        if linked is not None and unquote(linked) == unquote(target):
            _empty(link.root)
    shown = [line for body in page.css("body") for line in block_lines(body)]
    if is_notice_message(shown) or is_notice_title(first_text(page.css("title"))):
        return None  # the site is down: its notice is read, wherever it sends its reader
    if sum(map(len, shown)) <= MAX_REFRESH_PAGE_CHARS:
        return target
    if (
        body_block is not None
        and delay <= MAX_TEMPLATE_REFRESH_DELAY
        and unquote(target) != unquote(url)  # a page reloading itself is read
        and _holds_at_most_a_message(page.css(body_block))
    ):
        return target
    return None


def _meta_refresh(html: str, base_url: str) -> tuple[float, str | None]:
    """The delay and absolute target of ``html``'s meta refresh, as w3lib reads them; no
    target for one to an address urlsplit cannot read (:func:`absolute_url`), where a
    browser does not go: it stays on the page."""
    try:
        return get_meta_refresh(html, base_url)
    except ValueError:
        return 0.0, None


def _holds_at_most_a_message(blocks: SelectorList[Selector]) -> bool:
    """Whether there are ``blocks`` and, but for the text of their links, they show
    nothing or a short message: at most :data:`MAX_TEMPLATE_MESSAGE_CHARS` characters,
    no date line among them (an article's block opens with one; a placeholder date, the
    site's empty page's, is no text at all), no maintenance or
    error notice (the site serving no article now, not a moved one) and no not-found
    message (the site's empty page saying the article is gone: a soft 404)."""
    for block in blocks:
        for link in block.root.iterdescendants("a"):
            _empty(link)
    lines = [
        line
        for block in blocks
        for line in block_lines(block)
        if parse_date_line(line) not in TEMPLATE_DATES
    ]
    return (
        bool(blocks)
        and sum(map(len, lines)) <= MAX_TEMPLATE_MESSAGE_CHARS
        and not any(parse_date_line(line) is not None for line in lines)
        and not is_notice_message(lines)
        and not is_not_found_message(lines)
    )


def _empty(element: etree._Element) -> None:
    """Take the text and children out of ``element``, keeping its tail."""
    element.text = None
    for child in list(element):
        element.remove(child)


def _collect(
    element: etree._Element,
    out: list[str],
    marks: dict[etree._Element, tuple[int, int]] | None = None,
) -> None:
    """Append the text of ``element`` (not its tail) to ``out``, with "\\n" at block edges.

    With ``marks``, record for every element the lines it wrote, as ``(first, end)``
    counts of line breaks: its text lies between break ``first`` and break ``end``.
    """
    starts: list[int] = []
    add, push, pop = out.append, starts.append, starts.pop
    breaks = 0
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        tag = node.tag if isinstance(node.tag, str) else None  # comments have no str tag
        if event == "start":
            if tag in DROP_TAGS:
                walker.skip_subtree()
                push(breaks)
                continue
            if tag in BLOCK_TAGS or tag == "br":
                add("\n")
                breaks += 1
            elif tag in CELL_TAGS:
                add(" ")
            push(breaks)
            if tag is not None and node.text:
                add(node.text.replace("\n", " "))  # lines collapse their spaces later
            continue
        first = pop()
        if tag in BLOCK_TAGS:
            add("\n")
            breaks += 1
        if marks is not None and tag not in DROP_TAGS:
            marks[node] = (first, breaks)
        if node.tail and node is not element:
            add(node.tail.replace("\n", " "))


def _squeezed(text: str) -> str:
    """``text`` with its runs of white space as one space (NBSP is white space too),
    without the characters that show nothing (``INVISIBLE``: zero-width spaces, soft
    hyphens, byte-order marks, controls), as the normaliser writes it: a headline of
    ``&#8203;`` alone is no headline, and an empty page's title ends with no ``&shy;``."""
    words = text.split()
    if INVISIBLE.search(text) is not None:
        words = [word for word in (INVISIBLE.sub("", word) for word in words) if word]
    return " ".join(words)


def _squeezed_lines(text: str) -> list[str]:
    """Every line of ``text`` squeezed (:func:`_squeezed`), empty ones kept."""
    return [_squeezed(line) for line in text.split("\n")]


def text_lines(text: str) -> list[str]:
    """Split text into lines with inner whitespace collapsed and empty lines dropped."""
    return [line for line in _squeezed_lines(text) if line]


def block_lines(node: Selector) -> list[str]:
    """The text of an element, one line per block element or ``<br>``, in page order.

    Script, style and nav content is dropped; inner whitespace (NBSP included)
    collapses to one space; empty lines are dropped.
    """
    out: list[str] = []
    _collect(node.root, out)
    return text_lines("".join(out))


@dataclass(frozen=True)
class TextMap:
    """The lines of an element (as :func:`block_lines` makes them) and where each
    element inside it stands among them: ``lines[start:end]`` for ``span(element)``."""

    lines: list[str]
    _marks: dict[etree._Element, tuple[int, int]]  # element -> its line breaks
    _kept_before: list[int]  # non-empty lines before each line break

    def span(self, element: etree._Element) -> tuple[int, int]:
        """The lines ``element`` wrote, as a slice ``(start, end)``; (0, 0) if it wrote none."""
        mark = self._marks.get(element)
        if mark is None:
            return 0, 0
        return self._kept_before[mark[0]], self._kept_before[mark[1]]

    def line_of(self, element: etree._Element) -> int:
        """The index of the line where the text of an inline ``element`` stands."""
        mark = self._marks.get(element)
        return self._kept_before[mark[0]] if mark is not None else -1


def text_map(element: etree._Element) -> TextMap:
    """The lines of ``element`` with the span of every element inside it."""
    out: list[str] = []
    marks: dict[etree._Element, tuple[int, int]] = {}
    _collect(element, out, marks)
    raw = _squeezed_lines("".join(out))
    return TextMap([line for line in raw if line], marks, [0, *accumulate(map(bool, raw))])


def one_line(element: etree._Element) -> str:
    """An element's text on one line, squeezed (:func:`_squeezed`)."""
    return _squeezed("".join(element.itertext()))


def label_lines(root: etree._Element) -> frozenset[str]:
    """The lines a page shows as labels: the text of each link, and the lines of menus,
    headers, footers, forms, list items and headings (``LABEL_TAGS``); with each of them
    its runs of text between tags (:func:`_text_runs`).

    A generic extraction of a page without article text returns only these (and the
    headline, the date, the category): they tell such a page from an article. The
    extractor may split a label's line at its tags: the header's ``ขนาดตัวอักษร <a>ก</a>``
    (a font-size widget) comes out as ``ขนาดตัวอักษร`` and ``ก``, a footer's visitor count
    as its words and its number.
    """
    page = text_map(root)
    labels: set[str] = set()
    for link in root.iter("a"):
        labels.add(one_line(link))
        labels.update(_text_runs(link))
    walker = etree.iterwalk(root, events=("start",))
    for _event, element in walker:
        if element.tag not in LABEL_TAGS:
            continue
        labels.update(_text_runs(element))
        start, end = page.span(element)
        if start < end:
            labels.update(page.lines[start:end])
            walker.skip_subtree()  # its lines are in
        else:  # an inline element (a button), or one left out of the lines (a nav)
            labels.add(one_line(element))
    return frozenset(labels)


def _text_runs(element: etree._Element) -> set[str]:
    """The runs of text between the tags of ``element``, each squeezed
    (:func:`_squeezed`), empty ones left out; none from a script or style inside."""
    runs = set()
    walker = etree.iterwalk(element, events=("start",))
    for _event, node in walker:
        if node is not element and node.tail:
            runs.add(_squeezed(node.tail))
        if not isinstance(node.tag, str):  # a comment: no text shown
            continue
        if node.tag in RAW_TEXT_TAGS:
            walker.skip_subtree()
        elif node.text:
            runs.add(_squeezed(node.text))
    runs.discard("")
    return runs


def list_item_text(line: str) -> str:
    """A line of the fallback's text without the mark of a list item (:data:`LIST_ITEM_MARK`),
    to compare with the page's labels: a menu's or a breadcrumb's item is a label marked."""
    return line.removeprefix(LIST_ITEM_MARK)


def block_text(node: Selector) -> str:
    """``block_lines`` joined with newlines."""
    return "\n".join(block_lines(node))


def first_text(nodes: SelectorList[Selector]) -> str:
    """The text of the first matched element on one line (headlines, labels); "" if none."""
    return " ".join(block_lines(nodes[0])) if nodes else ""


def _escaped_again(tree: etree._Element) -> etree._Element:
    """``tree`` (changed in place) with every ``&`` of its text escaped once more, where
    the extractor reads text: elements' text and tails but in :data:`RAW_TEXT_TAGS`, and
    the ``content`` of ``<meta>`` elements (a title).

    The parser has decoded the page's character references once, as a browser does; the
    extractor decodes its result once more, so ``&amp;amp;``, which a browser shows as
    ``&amp;``, would come out as ``&``, and the text would no longer match the headline
    and labels the selectors read from the same page (a line to drop kept as text).
    A text holding a character XML cannot hold, which the parser keeps in the tree, is set
    again too, without it (:func:`_with_amp_escaped`): the extractor sets each text it
    keeps again, lxml refuses such a text, and the extractor then discards the whole page
    (no text, its article lost). Only a text holding either (:data:`REWRITTEN_CHARS`) is
    set again."""
    for element in tree.iter():
        if element.tail and REWRITTEN_CHARS.search(element.tail):
            element.tail = _with_amp_escaped(element.tail)
        if not isinstance(element.tag, str):  # a comment: no text shown
            continue
        text = element.text
        if text and element.tag not in RAW_TEXT_TAGS and REWRITTEN_CHARS.search(text):
            element.text = _with_amp_escaped(text)
        content = element.get("content")
        if element.tag == "meta" and content and REWRITTEN_CHARS.search(content):
            element.set("content", _with_amp_escaped(content))
    return tree


def _with_amp_escaped(text: str) -> str:
    """``text`` with every ``&`` escaped, and each character XML cannot hold
    (:data:`NOT_XML_CHARS`) a space if it is white space (a vertical tab, as the
    selectors read it), else left out (as the selectors and the normaliser leave out
    the C0 controls)."""
    return NOT_XML_CHARS.sub(
        lambda match: " " if match[0].isspace() else "", text.replace("&", "&amp;")
    )


def fallback_extract(html: str, url: str) -> tuple[str | None, str]:
    """Generic main-text extraction for pages our selectors no longer match.

    Returns ``(title, body)``: the title from the page metadata, else ``<title>``,
    else the first ``h1``; the body one paragraph per line, "" when nothing is found.
    """
    if not html.strip():
        return None, ""
    tree = trafilatura.load_html(html)
    document = (
        trafilatura.bare_extraction(
            _escaped_again(tree),
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
        )
        if tree is not None
        else None
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
