"""Parse mdes.go.th (Ministry of Digital Economy and Society) listing and article pages.

The article text is "the first ``.col-12`` of the content area", a generic
Bootstrap class. The headline (``.title-page``) may stand inside that column,
with the lead image and a ``dd/mm/BE`` date line, or before it; other
``.col-12`` blocks hold breadcrumbs, share bars, attachments and a "latest
news" list of other headlines, which a page may render by script (no links).
So the parser:

1. lays out the text of the content region (the smallest element holding the
   headline and every column) as lines, and marks page furniture in it: blocks
   whose markup says so (``nav``, share or sidebar classes), the headline, and
   blocks of text that are lists of other articles' headlines (a "ข่าวล่าสุด" /
   "latest news" heading, short lines that match headlines the page links to
   or the caller knows, or headline/date pairs);
2. takes the column that holds the headline, else the first one after it, that
   still looks like an article once the furniture is out, narrowed to the
   innermost column holding nearly all of its text;
3. drops share, print and view-counter lines, and the date line above the
   text (kept as ``date_text``, as is a date between the headline and the
   column).

Selectors and text rules are data at the top of the module.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from cssselect import HTMLTranslator
from lxml import etree
from parsel import Selector

from scraper.sites import (
    ListingEntry,
    ListingPage,
    NotArticle,
    PageArticle,
    TextMap,
    absolute_url,
    fallback_extract,
    label_lines,
    one_line,
    text_map,
    url_path,
)
from scraper.sites.not_found import (
    is_not_found_message,
    is_not_found_title,
    is_notice_message,
    is_notice_title,
)
from thaidigest.dates import (
    DOTTED_TIME_WITH_SECONDS,
    NUMERIC_DATE,
    TIME_OF_DAY,
    arabic_digits,
    parse_date_line,
)
from thaidigest.normalise import comparable
from thaidigest.sites import MDES_ARTICLE_ID, MDES_SITE_NAME, id_in_path, listing_path

SELECTORS = {
    "listing_link": ".card-title-news a",
    "listing_date": ".date-news",
    "pagination_item": ".pagination > li",
    "headline": ".title-page",
    "body_candidates": ".col-12",
    "category": ".nav-item.active",
}
# A press release runs to paragraphs; breadcrumbs, menus and empty columns stay far below.
# A column this long is preferred to a shorter one; a short release (two sentences, a
# photo caption) is read from a shorter one only when no column is this long, and only
# from the headline's own column or the first column after it (_short_release).
MIN_BODY_CHARS = 120
# Short lines that are no release's text though they have letters: a label (category,
# tags, source), a copyright notice, a photo count, a back link. A short column of only
# these (and furniture) is no text: an image-only release keeps an empty body.
LABEL_LINE_PATTERNS = (
    r"^(?:หมวดหมู่|หมวด|ประเภท|แท็ก|แท็ค|คำค้น|ที่มา|แหล่งที่มา|เครดิต|"
    r"categor(?:y|ies)|tags?|keywords?|source|credits?)\s*:",
    r"^(?:©|\(c\)|สงวนลิขสิทธิ์)",
    # "Copyright" opens a notice with a mark, a year or the reservation after it, or when
    # a few words at most follow in a short line ("Copyright MDES 2024", "Copyright by
    # กระทรวง..."); a sentence is a release's text ("Copyright law for AI works: MDES opens
    # a hearing", and in Thai, whose words run together, a line of over 50 characters).
    r"^copyright\s*(?:©|\(c\)|[0-9๐-๙]{4}(?!\w))",
    r"^copyright\b.*(?:all rights reserved|สงวนลิขสิทธิ์)",
    r"^(?=.{0,50}$)copyright\b\W*(?:\S+\s*){0,5}$",
    r"(?:สงวนลิขสิทธิ์|all rights reserved)\.?$",
    r"^(?:ภาพ|รูป)(?:ภาพ)?\s*ทั้งหมด\s*[\d,]+\s*(?:ภาพ|รูป)?$",
    r"^[\d,]+\s*(?:photos?|images?|ภาพ|รูป)$",
    r"^(?:ย้อน)?กลับ(?:ไป)?(?:หน้า)?(?:ก่อน(?:หน้า)?|หลัก|ที่แล้ว)?$",
    r"^(?:go\s+)?back(?:\s+to\s+\w+)?$",
)
# Above this share of link text a block is a menu, not an article.
MAX_LINK_DENSITY = 0.5
# Page furniture around the content: no headline or column inside it counts. A header
# or footer inside an article, main or section is the article's own (headline, date).
PAGE_FURNITURE_TAGS = frozenset({"nav", "aside", "header", "footer"})
CONTENT_TAGS = frozenset({"article", "main", "section"})
# Elements inside a column that are furniture whatever they hold.
FURNITURE_TAGS = frozenset({"nav", "aside", "form", "button", "select"})
# Class or id words of small furniture blocks (at most MAX_BAR_CHARS of text in lines
# of at most MAX_BAR_LINE_CHARS): share and print bars, view counters, tags, breadcrumbs.
BAR_CLASS = re.compile(
    r"(?:^|[-_])(?:share|sharing|social|print|breadcrumbs?|tags?|views?|view-?count|counter|"
    r"visitors?|pagination|pager|banner|advert|ads)(?:[-_]|$)",
    re.IGNORECASE,
)
MAX_BAR_CHARS = 250
MAX_BAR_LINE_CHARS = 80
# Class or id words of lists of other articles and of slides: any block without a paragraph.
LIST_CLASS = re.compile(
    r"(?:^|[-_])(?:sidebar|widget|related|latest|recent|popular|carousel|slider)(?:[-_]|$)",
    re.IGNORECASE,
)
# Furniture by class never holds a paragraph: a block with a line longer than a
# headline is looked into, not dropped (a class word is only a hint).
MAX_HEADLINE_CHARS = 250
# Headings of a list of other articles. Matched at the start of a short line.
LIST_HEADING = re.compile(
    r"^(?:ข่าว\s*(?:ล่าสุด|อื่น|ที่เกี่ยวข้อง|ที่น่าสนใจ|แนะนำ|ยอดนิยม|เด่น|ประชาสัมพันธ์ล่าสุด|"
    r"กิจกรรมล่าสุด|อัปเดต|อัพเดท)|อ่าน(?:ข่าว)?(?:อื่น|เพิ่มเติม)|"
    r"(?:latest|related|recent|more|other|popular|top|trending)\s+(?:news|stories|articles|posts)"
    r"|you may also like|see also)",
    re.IGNORECASE,
)
MAX_HEADING_CHARS = 40
# A list is at least this many headlines; at least half of them must match known
# headlines, or come with a date line of their own.
MIN_LIST_ITEMS = 2
# Words of share and print bars and view counters: a short line made only of them
# (and of numbers and punctuation) is furniture.
FURNITURE_WORDS = (
    r"(?:จำนวน)?(?:ผู้)?(?:เข้าชม|ชม|เปิดอ่าน|อ่าน)(?:แล้ว)?\s*:?\s*[\d,]*\s*(?:ครั้ง|คน)?",
    r"[\d,.]+\s*(?:k\s*)?(?:views?|reads?|ครั้ง)",
    r"views?\s*:?\s*[\d,]*",
    r"แชร์(?:ข่าว|ข่าวนี้)?",
    r"share(?:\s+(?:this|on|to))?",
    r"พิมพ์(?:ข่าว|หน้านี้)?",
    r"print(?:\s+this)?",
    r"facebook|twitter|line|tweet|x|linkedin|telegram|e-?mail|อีเมล",
    r"คัดลอก(?:ลิงก์|ลิงค์)?|copy(?:\s+link)?",
    r"ย้อนกลับ|กลับ|back",
    r"ขนาดตัวอักษร|font\s*size",
)
MAX_FURNITURE_LINE_CHARS = 80
# A line naming an attached file: furniture (the fallback extractor reads it as text when
# it stands in a column of its own). No longer than MAX_FURNITURE_LINE_CHARS.
ATTACHMENT_LINE = re.compile(
    r"^(?:ไฟล์แนบ|เอกสารแนบ|ดาวน์โหลดเอกสาร|attachments?|attached files?)\s*:", re.IGNORECASE
)
# Words before a page's own date ("วันที่ 23/08/2567", "เผยแพร่ 23 ส.ค. 2567").
DATE_PREFIXES = (
    r"(?:เมื่อ|ลง)?วันที่|เผยแพร่(?:เมื่อ)?|โพสต์(?:เมื่อ)?|ประกาศ(?:เมื่อ)?|"
    r"อัปเดต(?:ล่าสุด)?|แก้ไข(?:ล่าสุด)?|เวลา|date|posted(?:\s+on)?|published(?:\s+on)?|"
    r"updated|time|at"
)
MAX_DATE_LINE_CHARS = 60
# The innermost column holding at least this share of an outer column's text is the article.
INNER_COLUMN_SHARE = 0.7
MAX_BODY_COLUMNS = 24  # body columns of a page that are examined
# Headlines are compared by their first characters (sidebars cut them short with "...").
HEADLINE_PREFIX_CHARS = 20
MIN_MATCHED_HEADLINE_CHARS = 12
# Lines are judged once (a line is looked at again for each block that holds it).
LINE_CACHE_SIZE = 8192
# Pagination items and links that do not lead anywhere new.
INACTIVE_PAGE_CLASSES = ("active", "disabled")
DEAD_HREF_PREFIXES = ("#", "javascript:")

ARTICLE_ID_RE = re.compile(rf"{MDES_ARTICLE_ID}(?:[-/]|\Z)")  # in a URL's path

_FURNITURE_WORDS = re.compile(r"(?<!\w)(?:" + "|".join(FURNITURE_WORDS) + r")(?!\w)", re.IGNORECASE)
# A time of day is noise, after a space, a prefix's colon, a dash or a slash ("09.00-12.00",
# "23/08/2567-10:30"). A dotted date ("23.08.67", "23.08.2567") is no time, nor is a part
# of one (after a digit or a dot), unless it reads as a time with seconds ("10.12.45").
_NOT_A_DOTTED_DATE = rf"(?<![\d.])(?!(?!{DOTTED_TIME_WITH_SECONDS}){NUMERIC_DATE})"
_DATE_NOISE = re.compile(
    rf"(?<!\w)(?:{DATE_PREFIXES})(?!\w)\s*:?|{_NOT_A_DOTTED_DATE}{TIME_OF_DAY}|[|•·]",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]")
_LABEL_LINE = re.compile("|".join(LABEL_LINE_PATTERNS), re.IGNORECASE)


_LISTING_DATES = etree.XPath(HTMLTranslator().css_to_xpath(SELECTORS["listing_date"]))


# huge_tree: libxml2 otherwise stops reading at the 256th nested element (a pasted text's
# unclosed <span>s reach it) and keeps what it read, the rest of the page silently lost;
# with it, at the 2048th, as parsel's parser (thaigov's, the listings') does.
_HTML_PARSER = etree.HTMLParser(
    recover=True,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    no_network=True,
    huge_tree=True,
)
# The article page's parts are found in one pass over the page; their selectors are
# class selectors (".a.b"), maybe with a descendant tag (".a.b p").
PAGE_PARTS = ("headline", "body_candidates", "category")
_CLASS_SELECTOR = re.compile(r"^((?:\.[\w-]+)+)(?:\s+([a-z][a-z0-9]*))?$")


def _class_words(css: str) -> tuple[frozenset[str], str | None]:
    match = _CLASS_SELECTOR.match(css.strip())
    if match is None:
        raise ValueError(f"not a class selector: {css!r}")
    return frozenset(match[1].strip(".").split(".")), match[2]


_PARTS = {name: _class_words(SELECTORS[name]) for name in PAGE_PARTS}
_PART_WORDS = frozenset(word for words, _ in _PARTS.values() for word in words)


@dataclass
class _Parts:
    """What one pass over an article page finds."""

    selected: dict[str, list[etree._Element]]  # by name in PAGE_PARTS, in page order
    order: dict[etree._Element, int]  # page order of the selected elements
    linked_headlines: list[str]  # texts of links to article pages


def _page_parts(root: etree._Element, own_id: str | None) -> _Parts:
    """The elements each of ``PAGE_PARTS`` selects and the links to other articles, in
    one pass (a tenth of the time four XPath queries take on a page this size)."""
    selected: dict[str, list[etree._Element]] = {name: [] for name in PAGE_PARTS}
    order: dict[etree._Element, int] = {}
    linked: list[str] = []
    for position, element in enumerate(root.iter(etree.Element)):
        if element.tag == "a":
            linked_id = article_id(element.get("href") or "")
            if linked_id is not None and linked_id != own_id:
                linked.append(one_line(element))
        value = element.get("class")
        if not value:
            continue
        words = value.split()
        if _PART_WORDS.isdisjoint(words):
            continue
        present = set(words)
        for name, (classes, descendant) in _PARTS.items():
            if classes <= present:
                order[element] = position
                if descendant is None:
                    selected[name].append(element)
                else:
                    selected[name].extend(element.iter(descendant))
    return _Parts(selected, order, linked)


def _in_page_furniture(element: etree._Element) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in PAGE_FURNITURE_TAGS and (
            ancestor.tag in FURNITURE_TAGS
            or not any(outer.tag in CONTENT_TAGS for outer in ancestor.iterancestors())
        ):
            return True
    return False


def _outside_furniture(elements: list[etree._Element]) -> list[etree._Element]:
    return [element for element in elements if not _in_page_furniture(element)]


def listing_url(base_url: str, category: int) -> str:
    """The news listing URL of ``category`` under ``base_url`` (any host or path prefix)."""
    return base_url.rstrip("/") + listing_path(category)


def article_id(url: str) -> str | None:
    """The ``{id}`` of ``/news/detail/{id}-{slug}`` (slug percent-encoded or absent)."""
    return id_in_path(ARTICLE_ID_RE, url_path(url))


# --- Text rules ---------------------------------------------------------------


@lru_cache(maxsize=LINE_CACHE_SIZE)
def date_text(line: str) -> str | None:
    """The date a short line states (``23/08/2567``, ``23.08.67``, ``23 สิงหาคม 2567``), else None.

    Prefix words, a time of day and view counters around the date are allowed.
    """
    if len(line) > MAX_DATE_LINE_CHARS:
        return None
    text = _FURNITURE_WORDS.sub(" ", _DATE_NOISE.sub(" ", arabic_digits(line)))
    text = " ".join(text.split()).strip(" ,:-")
    return text if parse_date_line(text) else None


@lru_cache(maxsize=LINE_CACHE_SIZE)
def is_furniture_line(line: str) -> bool:
    """True for a share or print bar or a view counter: their words, numbers and symbols
    only (a date with a counter beside it is a date line); and for a line that names an
    attached file (``ATTACHMENT_LINE``)."""
    if len(line) > MAX_FURNITURE_LINE_CHARS or date_text(line) is not None:
        return False
    if ATTACHMENT_LINE.match(line):
        return True
    rest = _FURNITURE_WORDS.sub("", line)
    return len(rest) < len(line) and not _LETTER.search(rest)


@lru_cache(maxsize=LINE_CACHE_SIZE)
def is_list_heading(line: str) -> bool:
    """True for the heading of a list of other articles ("ข่าวล่าสุด", "Latest news")."""
    return len(line) <= MAX_HEADING_CHARS and bool(LIST_HEADING.match(line.strip()))


class Headlines:
    """Headlines of other articles, matched against lines whole, cut short or dated.

    ``also`` adds the headlines another instance holds (a crawl's, to a page's own
    links); a line matching ``exclude`` (the page's own headline) matches nothing.
    """

    def __init__(
        self, headlines: Iterable[str] = (), *, also: Headlines | None = None, exclude: str = ""
    ) -> None:
        self._by_prefix: dict[str, set[str]] = {}
        self._also = also
        self._exclude = comparable(exclude)
        self.add(headlines)

    def add(self, headlines: Iterable[str]) -> None:
        """Learn more headlines."""
        for headline in headlines:
            key = comparable(headline)
            if len(key) >= MIN_MATCHED_HEADLINE_CHARS:
                self._by_prefix.setdefault(key[:HEADLINE_PREFIX_CHARS], set()).add(key)

    def __bool__(self) -> bool:
        return bool(self._by_prefix) or bool(self._also)

    def _match(self, key: str) -> bool:
        keys = self._by_prefix.get(key[:HEADLINE_PREFIX_CHARS], ())
        return any(key.startswith(known) or known.startswith(key) for known in keys) or (
            self._also is not None and self._also._match(key)
        )

    def matches(self, line: str) -> bool:
        """True when ``line`` is one of the headlines, possibly cut short or with a date."""
        key = comparable(line)
        if len(key) < MIN_MATCHED_HEADLINE_CHARS:
            return False
        own = self._exclude
        if own and (own.startswith(key) or key.startswith(own)):
            return False
        return self._match(key)


def is_headline_list(lines: list[str], others: Headlines, link_share: float = 0.0) -> bool:
    """True for lines that list other articles rather than tell one.

    A list has no paragraph (no line longer than a headline) and either starts with a
    list heading, or has ``MIN_LIST_ITEMS`` or more items of which at least half are
    known headlines, carry a date line, or (``link_share``, the share of the lines' text
    in links to article pages, above ``MAX_LINK_DENSITY``) are links to articles. Links
    elsewhere (another site, a document, a page of the site that is no article) make no
    list: a release names its partners' sites and its attachments that way.
    """
    if not lines or any(len(line) > MAX_HEADLINE_CHARS for line in lines):
        return False
    if is_list_heading(lines[0]):
        return True
    items = [line for line in lines if date_text(line) is None and not is_furniture_line(line)]
    if len(items) < MIN_LIST_ITEMS:
        return False
    half = max(MIN_LIST_ITEMS, (len(items) + 1) // 2)
    return (
        link_share > MAX_LINK_DENSITY
        or len(lines) - len(items) >= half
        or (bool(others) and sum(others.matches(line) for line in items) >= half)
    )


# --- The article --------------------------------------------------------------


@dataclass
class _Region:
    """A column laid out as lines, with what is furniture in it.

    What is asked of a run of lines is answered from prefix sums, or once per run:
    blocks nested in blocks often hold the same lines (wrappers), and a page nesting
    hundreds of them must not cost a pass over its lines each.
    """

    text: TextMap
    keep: list[bool]  # False for furniture lines
    link_chars: list[int]  # prefix sums of link characters per line
    article_link_chars: list[int]  # the same, of links to article pages only
    chars: list[int]  # prefix sums of characters per line
    paragraphs: list[int]  # prefix sums of lines longer than a headline
    lists: dict[tuple[int, int], bool] = field(default_factory=dict)  # is_headline_list

    def article_link_share(self, start: int, end: int) -> float:
        """The share of the text of lines ``start:end`` in links to article pages."""
        total = self.chars[end] - self.chars[start]
        linked = self.article_link_chars[end] - self.article_link_chars[start]
        return linked / total if total else 0.0

    def has_paragraph(self, start: int, end: int) -> bool:
        """Whether lines ``start:end`` hold a line longer than a headline."""
        return self.paragraphs[end] > self.paragraphs[start]

    def lists_headlines(self, start: int, end: int, others: Headlines) -> bool:
        """:func:`is_headline_list` of lines ``start:end``."""
        if (start, end) not in self.lists:
            lines = self.text.lines[start:end]
            self.lists[start, end] = is_headline_list(
                lines, others, self.article_link_share(start, end)
            )
        return self.lists[start, end]


def _is_furniture_markup(element: etree._Element, lines: list[str]) -> bool:
    """Whether the markup of a block without a paragraph says it is furniture."""
    if element.tag in FURNITURE_TAGS:
        return True
    words = f"{element.get('class') or ''} {element.get('id') or ''}".split()
    if any(LIST_CLASS.search(word) for word in words):
        return True
    small = sum(map(len, lines)) <= MAX_BAR_CHARS and max(map(len, lines)) <= MAX_BAR_LINE_CHARS
    return small and any(BAR_CLASS.search(word) for word in words)


def _lists_items(lines: list[str], others: Headlines) -> bool:
    """True for the items under a list heading: short lines, none of them prose."""
    return all(len(line) <= MAX_HEADLINE_CHARS for line in lines) and (
        is_headline_list(lines, others) or len(lines) <= 2
    )


def _mark(region: _Region, start: int, end: int) -> None:
    region.keep[start:end] = [False] * (end - start)


def _mark_furniture(element: etree._Element, region: _Region, others: Headlines) -> None:
    """Mark the furniture among the blocks inside ``element``, looking into the others."""
    children = [child for child in element if isinstance(child.tag, str)]
    index = 0
    while index < len(children):
        child = children[index]
        index += 1
        start, end = region.text.span(child)
        if start >= end:
            continue
        first = region.text.lines[start]
        if end - start == 1 and not is_list_heading(first):
            if len(first) <= MAX_HEADLINE_CHARS and _is_furniture_markup(child, [first]):
                _mark(region, start, end)
            continue  # one line is no list; furniture lines go later, line by line
        if region.has_paragraph(start, end):
            _mark_furniture(child, region, others)
        elif end - start == 1:
            # A heading alone: the list is in the blocks after it.
            _mark(region, start, end)
            while index < len(children):
                item_start, item_end = region.text.span(children[index])
                items = region.text.lines[item_start:item_end]
                if items and not _lists_items(items, others):
                    break
                _mark(region, item_start, item_end)
                index += 1
        elif region.lists_headlines(start, end, others) or _is_furniture_markup(
            child, region.text.lines[start:end]
        ):
            _mark(region, start, end)
        else:
            _mark_furniture(child, region, others)


def _region(column: etree._Element, headline: etree._Element, others: Headlines) -> _Region:
    """Lay out a column and mark its furniture."""
    text = text_map(column)
    link_chars = [0] * len(text.lines)
    article_link_chars = [0] * len(text.lines)
    for link in column.iter("a"):
        line = text.line_of(link)
        if 0 <= line < len(link_chars):
            link_chars[line] += len(one_line(link))
            if article_id(link.get("href") or "") is not None:
                article_link_chars[line] += len(one_line(link))
    region = _Region(
        text,
        keep=[True] * len(text.lines),
        link_chars=[0, *accumulate(link_chars)],
        article_link_chars=[0, *accumulate(article_link_chars)],
        chars=[0, *accumulate(len(line) for line in text.lines)],
        paragraphs=[0, *accumulate(len(line) > MAX_HEADLINE_CHARS for line in text.lines)],
    )
    start, end = text.span(headline)  # (0, 0) when the headline is outside the column
    _mark(region, start, end)
    _mark_furniture(column, region, others)
    return region


def _column_lines(region: _Region, column: etree._Element) -> list[int]:
    """The indexes of the column's lines that are not furniture."""
    start, end = region.text.span(column)
    lines = region.text.lines
    return [i for i in range(start, end) if region.keep[i] and not is_furniture_line(lines[i])]


def _body(region: _Region, kept: list[int], headline: str) -> tuple[list[str], str | None]:
    """The body lines of a column and the date line above its text, if any
    (see :func:`_body_lines`)."""
    return _body_lines([region.text.lines[index] for index in kept], headline)


def _body_lines(lines: list[str], headline: str) -> tuple[list[str], str | None]:
    """The body lines of an article's ``lines`` and the date line above its text, if any.

    Date lines and lines without a letter before the first line of text are taken out
    of the body; a line that repeats the headline there is text (press releases often
    start with it).
    """
    body: list[str] = []
    found: str | None = None
    in_header = True
    for line in lines:
        if in_header:
            when = date_text(line)
            if when is not None:
                found = found or when
                continue
            if not _LETTER.search(line):  # a counter next to an icon: "1,204"
                continue
            in_header = line == headline
        body.append(line)
    return body, found


def _column_body(
    region: _Region, column: etree._Element, headline: str
) -> tuple[list[str], str | None] | None:
    """The body and date of ``column`` if it looks like an article: not page furniture,
    ``MIN_BODY_CHARS`` of text or more, mostly prose rather than links."""
    kept = _column_lines(region, column)
    body, when = _body(region, kept, headline)
    chars = sum(len(line) for line in body)
    if chars < MIN_BODY_CHARS:
        return None
    return (body, when) if _link_share(region, kept, chars) <= MAX_LINK_DENSITY else None


def _link_share(region: _Region, kept: list[int], chars: int) -> float:
    """The share of link text in lines ``kept`` of ``chars`` characters."""
    links = sum(region.link_chars[i + 1] - region.link_chars[i] for i in kept)
    return links / chars


def _is_short_text(body: list[str], headline: str) -> bool:
    """Whether the lines of a column with less than ``MIN_BODY_CHARS`` are a short
    release's text: a line with a letter that is neither the headline nor a label,
    copyright, photo count or back link (``LABEL_LINE_PATTERNS``; the headline, dates,
    counters and furniture are out already), and no not-found or maintenance message
    (a soft 404's or a notice's column says only that)."""
    has_text = any(
        line != headline and _LETTER.search(line) and not _LABEL_LINE.search(line) for line in body
    )
    return has_text and not is_not_found_message(body) and not is_notice_message(body)


def _short_release(
    headline_element: etree._Element,
    headline: str,
    columns: list[etree._Element],
    order: dict[etree._Element, int],
    others: Headlines,
) -> tuple[list[str], str | None] | None:
    """The body and date of a short release (less than ``MIN_BODY_CHARS`` of text), or None.

    Its text is read from the headline's own column (the innermost holding it), else from
    the first column after the headline, each without the columns inside it: a later
    column (a category, tags, a copyright bar after an image-only release) is not the
    release's. Columns of furniture or dates alone, lists of other articles and columns
    that only hold columns are passed over in that search; an empty one (an image) is
    the release's, with no text (the next column's short text may as well be a contact
    line or a photo credit). The text must be :func:`_is_short_text` and mostly not
    links."""
    holding = [c for c in columns if _is_inside(headline_element, c)]
    after = [c for c in columns if order[c] > order[headline_element] and c not in holding]
    for column in (*holding[-1:], *after):
        region = _region(column, headline_element, others)
        start, end = region.text.span(column)
        nested = [region.text.span(inner) for inner in columns if _is_inside(inner, column)]
        own = {i for i in range(start, end) if not any(a <= i < b for a, b in nested)}
        kept = [i for i in _column_lines(region, column) if i in own]
        body, when = _body(region, kept, headline)
        if not body:
            if column in holding or own or nested:
                continue  # the headline's column without text, furniture, dates, a wrapper
            return None  # an empty column: the release's, with no text
        if is_headline_list(body, others):
            continue  # a list of other articles (a sidebar without links)
        chars = sum(map(len, body))
        if (
            not _is_short_text(body, headline)
            or _link_share(region, kept, chars) > MAX_LINK_DENSITY
        ):
            return None
        if column not in holding:
            when = _date_before(headline_element, column, others) or when
        return body, when
    return None


def _is_inside(element: etree._Element, ancestor: etree._Element) -> bool:
    return any(parent is ancestor for parent in element.iterancestors())


def _between(first: etree._Element, last: etree._Element) -> Iterator[etree._Element]:
    """The elements after ``first`` and before ``last`` in page order, whole subtrees."""
    holding_last = set(last.iterancestors())
    for anchor in (first, *first.iterancestors()):
        for sibling in anchor.itersiblings():
            if sibling is last:
                return
            if sibling in holding_last:
                yield from _before(sibling, last, holding_last)
                return
            yield sibling


def _before(
    container: etree._Element, last: etree._Element, holding_last: set[etree._Element]
) -> Iterator[etree._Element]:
    for child in container:
        if child is last:
            return
        if child in holding_last:
            yield from _before(child, last, holding_last)
            return
        yield child


def _date_before(headline: etree._Element, column: etree._Element, others: Headlines) -> str | None:
    """The first date line between the headline and the column, outside lists of articles."""
    for block in _between(headline, column):
        if not isinstance(block.tag, str) or block.tag in FURNITURE_TAGS:
            continue
        lines = text_map(block).lines
        if lines and not is_headline_list(lines, others):
            when = next(filter(None, map(date_text, lines)), None)
            if when is not None:
                return when
    return None


def _article_column(
    headline_element: etree._Element,
    headline: str,
    columns: list[etree._Element],
    order: dict[etree._Element, int],
    others: Headlines,
) -> tuple[list[str], str | None] | None:
    """The body and date of the article column, or None when no column looks like one.

    The columns holding the headline come first (outermost first), then those after it
    in page order. The first that looks like an article (not a list of other articles)
    and has a paragraph (a line longer than a headline) wins, else the first that looks
    like an article with ``MIN_BODY_CHARS`` of text; it is narrowed to the innermost column
    inside it that holds ``INNER_COLUMN_SHARE`` of its text. Without one, a short release
    (two sentences, a photo caption: :func:`_short_release`).
    """
    holding = [c for c in columns if _is_inside(headline_element, c)]
    after = [c for c in columns if order[c] > order[headline_element] and c not in holding]
    first: tuple[list[str], str | None] | None = None
    for column in (*holding, *after):
        region = _region(column, headline_element, others)
        found = _column_body(region, column, headline)
        if found is None or is_headline_list(found[0], others):
            continue  # no article, or only a list of others (the article's column is empty)
        chosen, total = column, sum(map(len, found[0]))
        for inner in columns:
            if _is_inside(inner, chosen):
                narrower = _column_body(region, inner, headline)
                if narrower and sum(map(len, narrower[0])) >= INNER_COLUMN_SHARE * total:
                    chosen, found = inner, narrower
        body, when = found
        if chosen not in holding:
            when = _date_before(headline_element, chosen, others) or when
        if any(len(line) > MAX_HEADLINE_CHARS for line in body):
            return body, when
        first = first or (body, when)
    return first or _short_release(headline_element, headline, columns, order, others)


def _document(html: str) -> etree._Element:
    """The parsed page: plain lxml elements (no lxml.html classes to look up on each access)."""
    if "\x00" in html:
        html = html.replace("\x00", "")
    root = etree.fromstring(html.encode("utf-8"), _HTML_PARSER)
    return root if root is not None else etree.fromstring("<html/>")


def _headline_element(candidates: list[etree._Element]) -> etree._Element | None:
    """The headline: of several ``.title-page`` (a section title, the headline), the longest."""
    found = [(len(one_line(h)), h) for h in _outside_furniture(candidates)]
    found = [(length, h) for length, h in found if length]
    return max(found, key=lambda pair: pair[0])[1] if found else None


def _clean_fallback(lines: list[str], others: Headlines) -> list[str]:
    """A generic extraction without furniture lines, lists of other articles and their
    items, wherever they stand: the selectors leave them out of the article's column, and
    a fallback read that kept one would differ from theirs, a bogus edit."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        if is_list_heading(line) and _lists_items(lines[index + 1 :], others):
            break
        if not is_furniture_line(line) and not (others and others.matches(line)):
            kept.append(line)
    return kept


def _names_the_site_only(page_title: str) -> bool:
    """Whether a page's title holds no headline: the site's name alone, maybe after a
    separator (`` | กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม``, the empty article template's)."""
    return not page_title.removesuffix(MDES_SITE_NAME).strip(" |-–—:")


def _page_title(root: etree._Element) -> str:
    title = root.find(".//title")
    return one_line(title) if title is not None else ""


def _headline_of(parts: _Parts) -> tuple[etree._Element | None, str]:
    """The headline element (see :func:`_headline_element`) and its text, "" if none."""
    element = _headline_element(parts.selected["headline"])
    return element, one_line(element) if element is not None else ""


def _says_not_found(root: etree._Element, headline: str) -> bool:
    """Whether the headline or the page title says only that the article is not there."""
    return is_not_found_title(headline) or is_not_found_title(_page_title(root))


def _fallback_says_not_found(title: str | None, body: str) -> bool:
    """Whether a page without a headline is a not-found message: by the title the
    fallback extractor found, or a body of hardly any text but such a message."""
    return is_not_found_title(title or "") or is_not_found_message(body.split("\n"))


def is_soft_404(html: str, url: str) -> bool:
    """True for an HTTP 200 page that says there is no such article: its headline or
    title says only that, or it has no headline and hardly any text but that."""
    if not html.strip():
        return False
    root = _document(html)
    _, headline = _headline_of(_page_parts(root, article_id(url)))
    if _says_not_found(root, headline):
        return True
    return not headline and _fallback_says_not_found(*fallback_extract(html, url))


def _is_template_page(root: etree._Element, parts: _Parts) -> bool:
    """Whether a page bears a mark of the site's article template: a headline element
    (``SELECTORS["headline"]``), or a title that ends with the ministry's name. The
    fallback reads any page with some text; one with neither mark (a web server's
    own error page, another site's page) is not an article page."""
    return bool(parts.selected["headline"]) or _page_title(root).endswith(MDES_SITE_NAME)


def _shows_notice(root: etree._Element, body: str, headline: str = "") -> bool:
    """Whether a page shows a maintenance or error notice where its content goes: its
    headline (if any), title or first ``h1`` says only that, or its ``body`` (the
    fallback's read) holds hardly any text but the notice."""
    first_h1 = root.find(".//h1")
    named = (headline, _page_title(root), one_line(first_h1) if first_h1 is not None else "")
    return any(is_notice_title(text) for text in named) or is_notice_message(body.split("\n"))


def _not_article(
    root: etree._Element, parts: _Parts, headline: str, fallback_body: str
) -> NotArticle | None:
    """Why a page the selectors did not read is no article for the fallback, or None:
    a maintenance or error notice (see :func:`_shows_notice`), or a page without the
    article template's marks."""
    if _shows_notice(root, fallback_body, headline):
        return NotArticle.NOTICE
    return None if _is_template_page(root, parts) else NotArticle.OTHER_PAGE


def is_notice_page(html: str, url: str) -> bool:
    """Whether the page ``html`` shows a maintenance or error notice where its content
    goes (see :func:`_shows_notice`): a listing page that lists nothing for that reason."""
    if not html.strip():
        return False
    return _shows_notice(_document(html), fallback_extract(html, url)[1])


def not_article(html: str, url: str) -> NotArticle | None:
    """Why an HTTP 200 page is neither an article nor a soft 404 (see ``_not_article``),
    or None: an article, a soft 404, an empty page or one without text (garbled)."""
    if not html.strip() or parse_article(html, url) is not None or is_soft_404(html, url):
        return None
    root = _document(html)
    parts = _page_parts(root, article_id(url))
    _, headline = _headline_of(parts)
    fallback_body = fallback_extract(html, url)[1]
    if not fallback_body:  # nothing to read: an unreadable page, retried
        return None
    return _not_article(root, parts, headline, fallback_body)


def _has_text(lines: list[str], labels: Collection[str], others: Headlines) -> bool:
    """Whether ``lines`` hold ``MIN_BODY_CHARS`` of article text: lines that are not
    labels, dates or counters, and do not list other articles."""
    unlabelled = [line for line in lines if line not in labels]
    if is_headline_list(unlabelled, others):
        return False
    text = (line for line in unlabelled if date_text(line) is None and _LETTER.search(line))
    return sum(map(len, text)) >= MIN_BODY_CHARS


def parse_article(
    html: str, url: str, other_headlines: Headlines | Iterable[str] = ()
) -> PageArticle | None:
    """Parse an article page; None for an empty page, one with no article text, one
    that says there is no such article (:func:`is_soft_404`), or one the fallback would
    read that is no article (:func:`not_article`).

    A page whose only text is labels (menus, links, the headline, the category, the
    date) is the headline with an empty body: a headline over an image.

    ``other_headlines`` are headlines of other articles (from the listings and the
    store): lines matching them in a block mark it as a list of other articles, even
    when the page shows the list without links.
    """
    if not html.strip():
        return None
    root = _document(html)
    parts = _page_parts(root, article_id(url))
    headline_element, headline = _headline_of(parts)
    if _says_not_found(root, headline):
        return None
    if not isinstance(other_headlines, Headlines):
        other_headlines = Headlines(other_headlines)
    known = Headlines(parts.linked_headlines, also=other_headlines, exclude=headline)
    categories = parts.selected["category"]
    category = one_line(categories[0]) or None if categories else None
    # Page order, outermost first; a real page has a handful (at most 6 in the saved
    # pages): a hostile one nesting hundreds would cost a pass over the page each.
    columns = _outside_furniture(parts.selected["body_candidates"])[:MAX_BODY_COLUMNS]
    found = None
    if headline_element is not None and columns:
        found = _article_column(headline_element, headline, columns, parts.order, known)
    if headline and found is not None:
        lines, when = found
        extraction = "selectors"
    else:
        title, body = fallback_extract(html, url)
        lines = _clean_fallback(body.split("\n") if body else [], known)
        if not lines or (not headline and _fallback_says_not_found(title, body)):
            return None
        if _not_article(root, parts, headline, body) is not None:
            return None
        if title and _names_the_site_only(title):
            title = None  # the empty template's page title: the site's name, no headline
        named = headline or title
        headline = named or lines[0]
        # The date lines above the text are the page's date, as the selectors read it.
        lines, when = _body_lines(lines, headline)
        if not _has_text(lines, label_lines(root) | {headline, category or ""}, known):
            if not named:  # no headline anywhere and no text: the empty article template
                return None
            lines = []  # a headline over an image: no label is a body
        extraction = "fallback"
    return PageArticle(
        url=url,
        title=headline,
        body="\n".join(lines),
        category=category,
        date_text=when,
        extraction=extraction,
    )


# --- Listings -----------------------------------------------------------------


def _next_href(page: Selector) -> str | None:
    """The ``href`` of the next-page link, if the page has a live one."""
    items = page.css(SELECTORS["pagination_item"])
    if not items:
        return None
    last = items[-1]
    classes = (last.attrib.get("class") or "").split()
    href = (last.css("a::attr(href)").get() or "").strip()
    inactive = any(c in classes for c in INACTIVE_PAGE_CLASSES)
    if inactive or not href or href.startswith(DEAD_HREF_PREFIXES):
        return None
    return href


def _listing_dates(root: etree._Element, links: list[etree._Element]) -> list[str | None]:
    """The listing date of each link.

    A card holds one link and one date: the nearest ancestor holding exactly one date
    gives it. In a flat list (the nearest ancestor with dates holds several) each link
    takes the date next to it, on the side dates stand in that list.

    Each ancestor's dates, and each flat list's order, are found once for all its
    links: a page of thousands of links (hostile, or a list without pages) reads
    in time linear in its size, not in the square of it.
    """
    dates = set(_LISTING_DATES(root))
    if not dates:
        return [None] * len(links)
    link_set = set(links)
    held_in: dict[etree._Element, list[etree._Element]] = {}  # an ancestor's dates
    flat_lists: dict[etree._Element, _FlatList] = {}
    found: list[str | None] = []
    for link in links:
        for ancestor in link.iterancestors():
            if ancestor not in held_in:
                held_in[ancestor] = [element for element in ancestor.iter() if element in dates]
            held = held_in[ancestor]
            if len(held) == 1:
                found.append(date_text(one_line(held[0])))
                break
            if held:
                if ancestor not in flat_lists:
                    flat_lists[ancestor] = _FlatList.of(ancestor, dates, link_set)
                found.append(flat_lists[ancestor].date_of(link))
                break
        else:
            found.append(None)
    return found


@dataclass(frozen=True)
class _FlatList:
    """The dates and links of a flat list, in document order."""

    sequence: list[etree._Element]
    position: dict[etree._Element, int]
    dates: set[etree._Element]

    @classmethod
    def of(
        cls, container: etree._Element, dates: set[etree._Element], links: set[etree._Element]
    ) -> _FlatList:
        sequence = [e for e in container.iter() if e in dates or e in links]
        return cls(sequence, {element: i for i, element in enumerate(sequence)}, dates)

    def date_of(self, link: etree._Element) -> str | None:
        """The date next to ``link``: before it when the list starts with a date, else after."""
        step = -1 if self.sequence[0] in self.dates else 1
        neighbour = self.position[link] + step
        if not 0 <= neighbour < len(self.sequence) or self.sequence[neighbour] not in self.dates:
            return None
        return date_text(one_line(self.sequence[neighbour]))


def parse_listing(html: str, url: str) -> ListingPage:
    """The article links (with their headline and listing date) and the next page."""
    if not html.strip():
        return ListingPage(entries=(), next_url=None)
    page = Selector(text=html)
    links = [link.root for link in page.css(SELECTORS["listing_link"])]
    entries: dict[str, ListingEntry] = {}
    for link, when in zip(links, _listing_dates(page.root, links), strict=True):
        absolute = absolute_url(url, (link.get("href") or "").strip())
        source_id = article_id(absolute) if absolute else None
        if not source_id:
            continue
        title = one_line(link) or None
        seen = entries.get(source_id)
        if seen is None:
            entries[source_id] = ListingEntry(absolute, source_id, when, title)
        elif seen.date_text is None and when:  # a featured card repeated with its date
            entries[source_id] = ListingEntry(seen.url, source_id, when, seen.title or title)
    next_href = _next_href(page)
    next_url = absolute_url(url, next_href) if next_href else None
    return ListingPage(
        entries=tuple(entries.values()),
        next_url=None if next_url == url else next_url,
        unreadable_next=next_href if next_href and next_url is None else None,
    )
