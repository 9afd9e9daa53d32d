"""Parse thaigov.go.th (Royal Thai Government) article and search pages."""

from __future__ import annotations

import re
from collections.abc import Collection
from copy import deepcopy
from datetime import date

from lxml import etree
from parsel import Selector

from scraper.sites import (
    NotArticle,
    PageArticle,
    TextMap,
    absolute_url,
    block_lines,
    fallback_extract,
    first_text,
    label_lines,
    list_item_text,
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
from thaidigest.dates import DATE_LINE_SUFFIX, parse_date_line, parse_numeric_date_line
from thaidigest.normalise import COUNT, VIEW_COUNTER, comparable, without_visit_widgets
from thaidigest.sites import THAIGOV_ARTICLE_ID, THAIGOV_TITLE_PREFIX, article_path, id_in_path

SELECTORS = {
    "headline": "div.col-xs-12.col-sm-6.padding-sm1.news-2 h3.news-1.Circular.color2",
    "og_title": 'meta[property="og:title"]::attr(content)',
    "category": "span.Circular.headtitle-2.font_level6.color2.col-xs-9.remove-xs",
    "body": "div.border-normal.clearfix",
    "search_result": "div.col-xs-12.col-sm-9.col-md-10.news-2 p a::attr(href)",
}
# Characters of article text beyond the date, print and headline lines. Below it the body
# block holds only the page header (the text moved elsewhere); about 0.5% of real items,
# image-only posts, fall below it too and go through the fallback.
MIN_BODY_CHARS = 20
# The longest line taken for a news list entry's headline (above a date line of another
# day in a fallback read, or in a list of other news); a paragraph of text is longer.
MAX_ENTRY_CHARS = 200
MIN_LIST_ENTRIES = 2  # entries that make a list of news (headlines over other days' dates)
PRINT_LABEL = "พิมพ์"
# The template shows the date line above the headline, the print label between them. A
# fallback read, whose extractor may leave the date line out with the print button, takes
# the date line it finds at most this many lines above the headline element, only the
# print label between them.
MAX_DATE_LINE_ABOVE_HEADLINE = 3
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Where a headline or a date line is another article's (a latest-news list, a ticker, a
# sidebar, a footer): in a link or a list item, or inside one of these.
ELSEWHERE_TAGS = frozenset({"a", "li", "aside", "footer"})
# A headline the page title names may be cut short there: a start of this many characters
# (compared folded) names it. Only the title is cut short, never the headline element: a
# teaser that is a start of the headline ("ดีอี ร่วมประชุม APEC 2024") is not named by it.
MIN_NAMED_HEADLINE_CHARS = 12
# Page furniture the corpus shows outside the body block, which a template may put inside
# it: a share bar and a breadcrumb trail. A block in the body block whose class or id
# holds one of these words goes whole when its text is only its links, share words and
# separators, or the page's own name besides them (a trail's last crumb: the headline or
# the category, maybe cut short to MIN_NAMED_HEADLINE_CHARS or more, an ellipsis after it);
# the class alone never takes text away. In a block named a share bar (SHARE_CLASS), and
# in a line of share words, a number is a share counter ("1.2K", "1.2K views"), which
# changes from crawl to crawl.
FURNITURE_CLASS = re.compile(
    r"(?:^|[-_])(?:share|sharing|social|breadcrumbs?)(?:[-_]|$)", re.IGNORECASE
)
SHARE_CLASS = re.compile(r"(?:^|[-_])(?:share|sharing|social)(?:[-_]|$)", re.IGNORECASE)
SHARE_COUNTER = r"(?<!\w)\d[\d,.]*(?:\s*[km])?(?:\s*(?:ครั้ง|shares?|views?|วิว))?(?!\w)"
CUT_SHORT_MARKS = "….· "  # what ends a crumb cut short
MAX_LIST_HEADING_CHARS = 50
LIST_HEADING_TAGS = (*HEADING_TAGS, "strong", "b")
ARTICLE_LINK_SHARE = 0.5
# A view counter the template may put in the body block, its number beside an icon
# ("<span class="view-count"><i class="fa fa-eye"></i> 1,234</span>"): an element with a
# class or id word that names a count of views, visits or hits, whole ("view-count",
# "hit-counter", "counter", "pageviews"), holding a number and no letter but a counter's
# words (normalise.VIEW_COUNTER, ครั้ง, views), counts nothing of the article. Its number
# changes from crawl to crawl; kept, each crawl stored a new version of the article. A
# word that names a field or a list ("views-field", "view-content", "visitors", "hit")
# names no counter: its number is text. A counter with its words is read from the line
# (normalise.without_visit_widgets).
COUNTER_CLASS = re.compile(
    r"(?:(?:page)?views?|visits?|visitors?|hits?|reads?)[-_]?count(?:er)?s?|counter|page[-_]?views?",
    re.IGNORECASE,
)
# A list of other news the template may put in the body block, after the text (187
# articles of the public corpus end with one: "ข่าวที่เกี่ยวข้อง" over five other headlines).
# It rotates as news comes in; kept, each change stored a new version of an unchanged
# article. Two shapes go, no other: a box whose class or id names it such a list
# (RELATED_CLASS), its lines no longer than a headline (MAX_ENTRY_CHARS), wherever it
# stands; and a line that is only one of these headings over nothing but entries, which
# ends the body block's text: no entry (an empty list), or MIN_LIST_ENTRIES or more
# headline-long lines, links or not, written by blocks of one tag in one parent (the
# items of one list, a run of paragraphs) or by no block (lines between <br>s). Links
# with no heading (the article's own list), a heading over text or over a list with more
# text after it, and a box of paragraphs not so named stay; so does such a list when it
# is all the text the block holds.
# A third shape goes whatever its heading says ("ข่าวแนะนำ", "ข่าวยอดนิยม", "อ่านข่าวอื่น"), in
# the text or after it: a heading over a list of links to other articles of the site. The
# heading is a line of at most MAX_LIST_HEADING_CHARS that a heading or bold element
# (LIST_HEADING_TAGS) writes whole, with no link, first in the box or right above the
# list; under it, MIN_LIST_ENTRIES or more lines that are mostly (ARTICLE_LINK_SHARE of
# their characters or more) a link to an article page, and date lines, nothing else. A
# list linking to documents or other sites stays, and so do links with no heading.
RELATED_HEADINGS = (
    r"ข่าว\s*(?:ที่เกี่ยวข้อง|ล่าสุด|อื่น\s*ๆ?|ที่น่าสนใจ)",
    r"(?:related|latest|other|more)\s+(?:news|stories)",
)
RELATED_CLASS = re.compile(
    r"(?:^|[-_])(?:relate[ds]?(?:[-_]?(?:news|stories|posts|articles?))?|"
    r"(?:other|latest|more)[-_]?(?:news|stories|posts|articles?)|news[-_]?relate[ds]?)"
    r"(?:[-_]|$)",
    re.IGNORECASE,
)
# A line made only of these words (and separators) is a share bar when one of them is a
# share word or two name platforms ("แชร์ข่าวนี้ Facebook X LINE"). No line of the public
# corpus is: its lines naming platforms name an account too ("LINE : ไทยคู่ฟ้า (@thaigov)"),
# and its "share" is a verb in a sentence ("อย่าแชร์...").
SHARE_WORDS = (r"แชร์(?:ข่าว(?:นี้)?)?", r"share(?:\s+(?:this|on))?")
PLATFORM_WORDS = (r"facebook", r"twitter", r"x", r"line", r"tweet", r"e-?mail", r"อีเมล")
MAX_SHARE_BAR_CHARS = 80
# A breadcrumb trail's line opens with its first crumb and a separator ("หน้าหลัก > ข่าวสาร");
# a slash or a bar only between spaces ("Home/office" is a word).
BREADCRUMB_HOMES = (r"หน้าหลัก", r"หน้าแรก", r"home")
BREADCRUMB_SEPARATOR = r"\s*[>»›]|\s+[/|]\s"
# What separates crumbs and share buttons.
FURNITURE_SEPARATORS = ">»›/|:,•·-–()"

ARTICLE_ID_RE = re.compile(rf"{THAIGOV_ARTICLE_ID}/?\Z")
_SHARE_WORD = re.compile("|".join(SHARE_WORDS), re.IGNORECASE)
_BAR_WORD = re.compile(rf"(?<!\w)(?:{'|'.join(SHARE_WORDS + PLATFORM_WORDS)})(?!\w)", re.IGNORECASE)
_BREADCRUMB = re.compile(
    rf"^(?:{'|'.join(BREADCRUMB_HOMES)})(?:{BREADCRUMB_SEPARATOR})", re.IGNORECASE
)
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_SHARE_COUNTER = re.compile(SHARE_COUNTER, re.IGNORECASE)
_VIEW_COUNT = re.compile(rf"{VIEW_COUNTER}|(?:{COUNT})(?:\s*(?:ครั้ง|views?))?", re.IGNORECASE)
_RELATED_HEADING = re.compile(rf"(?:{'|'.join(RELATED_HEADINGS)})\s*:?", re.IGNORECASE)
# "วันศุกร์ที่ 23 สิงหาคม 2567": weekday, day, Thai month, Buddhist-Era year (any digits),
# maybe a time and an edit note after it ("เวลา 10:30 น.", "(แก้ไข 24 สิงหาคม 2567)").
DATE_LINE_RE = re.compile(
    r"^วัน(?:จันทร์|อังคาร|พุธ|พฤหัสบดี|ศุกร์|เสาร์|อาทิตย์)ที่\s*[0-9๐-๙]{1,2}\s+\S+\s+[0-9๐-๙]{4}"
    rf"{DATE_LINE_SUFFIX}$"
)


def article_url(base_url: str, article_id: int) -> str:
    """The article page URL for ``article_id`` under ``base_url`` (any host or path prefix)."""
    return base_url.rstrip("/") + article_path("thaigov", article_id)


def article_id(url: str) -> str | None:
    """The id of a ``/news/contents/details/{id}`` or ``ministry_details/{id}`` URL."""
    return id_in_path(ARTICLE_ID_RE, url_path(url))


def _page_title(page: Selector) -> str:
    return first_text(page.css("title"))


def _strip_prefix(title: str) -> str:
    return title.strip().removeprefix(THAIGOV_TITLE_PREFIX).strip()


def _names_exactly(name: str, headline: str) -> bool:
    """Whether a page title (``name``, its prefix off) is ``headline``, compared folded."""
    return bool(headline) and comparable(name) == comparable(headline)


def _names_cut_short(name: str, headline: str) -> bool:
    """Whether a page title (``name``, its prefix off) is ``headline`` cut short: a start
    of it of ``MIN_NAMED_HEADLINE_CHARS`` or more, compared folded."""
    named = comparable(name)
    return len(named) >= MIN_NAMED_HEADLINE_CHARS and comparable(headline).startswith(named)


def _links_elsewhere(element: etree._Element, own_id: str | None) -> bool:
    """Whether a headline element links to another article's page than ``own_id``'s (the
    page's own), or holds such a link: a teaser. With no ``own_id``, any article is another."""
    links = [*element.iterancestors("a"), *element.iter("a")]
    ids = (article_id(link.get("href") or "") for link in links)
    return any(linked is not None and linked != own_id for linked in ids)


def _headline(page: Selector, own_id: str | None) -> str:
    """The article's headline; "" when the page has none. ``own_id`` is the page's article
    id, None when unknown.

    A related-news teaser may wear the headline's markup and stand before it. Of the
    elements the headline selector finds, links to other articles than ``own_id``
    (teasers) are passed over unless all are such links; of the others, in page order,
    the one the page's ``<title>`` or ``og:title`` is is taken. Else, among those a title
    cut short is a start of (or, when none is, among all), the first a body block holds or
    repeats (the article's block does) is taken, passing over one cut short (an ellipsis
    after it) that starts a longer one the blocks hold too; else the first, passing over
    one cut short that starts a longer one, with text or not (the empty page's empty
    headline).
    """
    nodes = page.css(SELECTORS["headline"])
    not_teasers = [node for node in nodes if not _links_elsewhere(node.root, own_id)]
    texts = [" ".join(block_lines(node)) for node in not_teasers or nodes]
    names = [
        _strip_prefix(_page_title(page)),
        _strip_prefix(page.css(SELECTORS["og_title"]).get("")),
    ]
    exact = [text for text in texts if any(_names_exactly(name, text) for name in names)]
    if exact:
        return exact[0]
    cut_short = [text for text in texts if any(_names_cut_short(name, text) for name in names)]
    named = cut_short or texts
    in_blocks = {line for node in page.css(SELECTORS["body"]) for line in block_lines(node)}
    held = [text for text in named if text and text in in_blocks]
    whole = [text for text in held if not _starts_longer(text, held)]
    candidates = [text for text in named if not _starts_longer(text, named)]
    return next(iter(whole), candidates[0] if candidates else "")


def _starts_longer(text: str, texts: list[str]) -> bool:
    """Whether ``text`` is cut short (ends in an ellipsis) and starts a longer one of ``texts``."""
    stem = text.rstrip().removesuffix("...").removesuffix("…").rstrip()
    if stem == text.rstrip():
        return False
    return any(
        len(other) > len(text) and comparable(other).startswith(comparable(stem)) for other in texts
    )


def _soft_404(page: Selector, own_id: str | None) -> bool:
    """A page that says there is no article: a page title, headline or ``h1`` that says
    only that (a generic error page), or the site's empty page (bare title prefix, no
    headline) with no text in any body block (or no body block) or a short not-found
    message there (``not_found``). The page's labels (:func:`label_lines`: links, list
    items, headings) are no text: the empty page may list other news there. A page
    that says the site is down (:func:`_is_notice`) is no soft 404: the article is
    unknown, not missing.

    A page with a bare title and other text in its body block is an article whose
    title or headline markup changed: the fallback extractor reads it. ``own_id`` is the
    page's article id, None when unknown (:func:`_headline`).
    """
    title = _page_title(page)
    headline = _headline(page, own_id)
    named = (_strip_prefix(title), headline, first_text(page.css("h1")))
    if any(is_not_found_title(text) for text in named):
        return True
    if title != THAIGOV_TITLE_PREFIX or headline or _is_notice(page, headline):
        return False
    category = first_text(page.css(SELECTORS["category"]))
    blocks = [_body_block_lines(node, {category}) for node in page.css(SELECTORS["body"])]
    labels = label_lines(page.root)
    texts = (_without_entries(lines, labels) for lines in blocks)
    if max((_text_chars(lines, "") for lines in texts), default=0) < MIN_BODY_CHARS:
        return True
    return any(is_not_found_message(_text_lines(lines)) for lines in blocks)


def _without_entries(lines: list[str], labels: Collection[str]) -> list[str]:
    """A body block's ``lines`` without labels and a news list's entries (a sidebar may
    carry the body's class): its date lines below its first are other news's."""
    own = parse_date_line(lines[0]) if lines and DATE_LINE_RE.match(lines[0]) else None
    entries = _list_entries(lines, own)
    return [line for index, line in enumerate(lines) if line not in labels and index not in entries]


def is_soft_404(html: str) -> bool:
    """True for an HTTP 200 page with no article that says so (see ``_soft_404``): the
    site's "no such article" page, with or without a message, or a generic error page."""
    return bool(html.strip()) and _soft_404(Selector(text=html), None)


def _is_template_page(page: Selector) -> bool:
    """Whether a page bears a mark of the site's article template: the article title
    prefix, or a body block. The fallback reads any page with some text; one with
    neither mark (the home page the site may answer for an id with no article, a web
    server's own error page) is not an article page, whatever text it holds."""
    return _page_title(page).startswith(THAIGOV_TITLE_PREFIX) or bool(page.css(SELECTORS["body"]))


def _is_notice(page: Selector, headline: str) -> bool:
    """Whether a page the selectors did not read says only that the site is down or
    failed: its title, headline or ``h1`` says only that, or, with no headline (no
    article's structure: the site's template left empty), its body blocks hold hardly
    any text but such a notice (``ปิดปรับปรุงระบบ``). The page's labels are no text, as
    for :func:`_soft_404`: the empty page may list other news there."""
    named = (_strip_prefix(_page_title(page)), headline, first_text(page.css("h1")))
    if any(is_notice_title(text) for text in named):
        return True
    if headline:
        return False
    labels = label_lines(page.root)
    lines = [line for node in page.css(SELECTORS["body"]) for line in block_lines(node)]
    return is_notice_message(line for line in lines if line not in labels)


def _not_article(page: Selector, headline: str, fallback_body: str) -> NotArticle | None:
    """Why a page the selectors did not read is no article for the fallback, or None:
    a maintenance or error notice (:func:`_is_notice`, or a fallback body of hardly
    any text but the notice), or a page without the article template's marks."""
    if _is_notice(page, headline) or is_notice_message(fallback_body.split("\n")):
        return NotArticle.NOTICE
    return None if _is_template_page(page) else NotArticle.OTHER_PAGE


def not_article(html: str, url: str) -> NotArticle | None:
    """Why an HTTP 200 page is neither an article nor a soft 404 (see ``_not_article``),
    or None: an article, a soft 404, an empty page or one without text (garbled). A page
    whose headline is only a maintenance or error notice is that notice, whatever text
    the selectors read under it; a headline about one (``ประกาศปิดปรับปรุงระบบชั่วคราว 3
    วัน``) is an article's."""
    if not html.strip():
        return None
    page = Selector(text=html)
    own_id = article_id(url)
    headline = _headline(page, own_id)
    category = first_text(page.css(SELECTORS["category"]))
    if is_notice_title(headline):  # the template's headline says only that the site is down
        return NotArticle.NOTICE
    if _selectors_read(headline, _article_block(page, headline, category)):
        return None
    if _is_notice(page, headline):  # in the template too: read by no fallback
        return NotArticle.NOTICE
    if _soft_404(page, own_id):
        return None
    fallback_body = fallback_extract(html, url)[1]
    if not fallback_body:  # nothing to read: an unreadable page, retried
        return None
    return _not_article(page, headline, fallback_body)


def _list_entries(lines: list[str], own: date | None) -> set[int]:
    """Where in ``lines`` a list of other news has its entries' headlines: each line right
    above a date line of another day than the article's (``own``), if no longer than a
    headline (:data:`MAX_ENTRY_CHARS`), when there are :data:`MIN_LIST_ENTRIES` or more.
    One such pair is the article's own text as often (a meeting announced for a day)."""
    entries = {
        index - 1
        for index, line in enumerate(lines)
        if index
        and DATE_LINE_RE.match(line)
        and parse_date_line(line) != own
        and len(lines[index - 1]) <= MAX_ENTRY_CHARS
    }
    return entries if len(entries) >= MIN_LIST_ENTRIES else set()


def _without_page_lines(
    lines: list[str], page_lines: Collection[str], date_line: str | None
) -> tuple[list[str], str | None]:
    """A fallback extraction's ``lines`` without the page's own lines, wherever the
    extractor put them (often after the text), and the article's date line: the body
    block's (``date_line``), else the first date line among them.

    The page's own lines are ``page_lines`` (its labels, the headline, the category,
    the print label; one in a list, marked as its item: :func:`list_item_text`), the
    date lines, and a numeric date stating a date line's date
    (``23/08/2567`` under ``วันศุกร์ที่ 23 สิงหาคม 2567``); and a share bar or a breadcrumb
    trail, which the selectors leave out of the body block. The selectors' body block holds
    the others at its top, where the normaliser takes them out; left anywhere else in a
    fallback read, they would make its text differ from the selectors' read of the
    same page: a bogus edit, then another when the selectors read it again.

    A date line of another day is an entry of a list of other news (a "related news"
    column without links, read as text when the article has none: an image only), and
    the headline-long line right above it is that entry's headline: both go. So do view
    counters and last-visit stamps, as from the body block (:func:`_body_block_lines`).
    """
    lines = [line for line in map(without_visit_widgets, lines) if line]
    dates = [line for line in lines if DATE_LINE_RE.match(line)]
    date_line = date_line or (dates[0] if dates else None)
    stated = {parse_date_line(line) for line in dates} - {None}
    entries = _list_entries(lines, parse_date_line(date_line) if date_line else None)
    kept = [
        line
        for index, line in enumerate(lines)
        if line not in page_lines
        and list_item_text(line) not in page_lines
        and index not in entries
        and not DATE_LINE_RE.match(line)
        and parse_numeric_date_line(line) not in stated
        and not is_share_bar(line)
        and not is_breadcrumb(line)
    ]
    return kept, date_line


def is_share_bar(line: str) -> bool:
    """Whether a line is a share bar: share and platform words (``SHARE_WORDS``,
    ``PLATFORM_WORDS``) and separators only, a share word or two platforms among them;
    with a share word, share counters (``SHARE_COUNTER``) too."""
    if len(line) > MAX_SHARE_BAR_CHARS:
        return False
    words = _BAR_WORD.findall(line)
    shares = any(_SHARE_WORD.fullmatch(word) for word in words)
    rest = _BAR_WORD.sub(" ", line)
    if shares:
        rest = _SHARE_COUNTER.sub(" ", rest)
    return not _LETTER_OR_DIGIT.search(rest) and (shares or len(words) >= 2)


def is_breadcrumb(line: str) -> bool:
    """Whether a line is a breadcrumb trail: a home crumb, then a separator."""
    return _BREADCRUMB.match(line) is not None


def _is_furniture_block(element: etree._Element, page_names: Collection[str]) -> bool:
    """Whether an element named a share bar or a breadcrumb (``FURNITURE_CLASS``) holds
    nothing but its links, share words and separators (and counters, in a share bar), and
    maybe one of ``page_names``, whole or cut short (:func:`_is_name_cut_short`)."""
    words = f"{element.get('class') or ''} {element.get('id') or ''}".split()
    if not any(FURNITURE_CLASS.search(word) for word in words):
        return False
    rest = one_line(element)
    for link in element.iter("a"):
        text = one_line(link)
        if text:
            rest = rest.replace(text, " ", 1)
    if any(SHARE_CLASS.search(word) for word in words):
        rest = _SHARE_COUNTER.sub(" ", rest)
    rest = " ".join(rest.split()).strip(FURNITURE_SEPARATORS + " ")
    if rest in page_names or _is_name_cut_short(rest, page_names):
        return True
    return _LETTER_OR_DIGIT.search(_BAR_WORD.sub(" ", rest)) is None


def _is_name_cut_short(text: str, page_names: Collection[str]) -> bool:
    """Whether ``text`` is the start of one of ``page_names`` (``MIN_NAMED_HEADLINE_CHARS``
    or more, compared folded), maybe with an ellipsis after it: a trail's last crumb."""
    start = comparable(text.rstrip(CUT_SHORT_MARKS))
    return len(start) >= MIN_NAMED_HEADLINE_CHARS and any(
        comparable(name).startswith(start) for name in page_names
    )


def _is_view_counter(element: etree._Element) -> bool:
    """Whether an element has a class or id word that is a view counter's name
    (``COUNTER_CLASS``) and holds a number and no letter but a counter's words."""
    words = f"{element.get('class') or ''} {element.get('id') or ''}".split()
    if not any(COUNTER_CLASS.fullmatch(word) for word in words):
        return False
    text = one_line(element)
    rest = _VIEW_COUNT.sub(" ", text)
    return rest != text and _LETTER_OR_DIGIT.search(rest) is None


def _without_view_counters(root: etree._Element) -> etree._Element:
    """``root``, or a copy of it without the text of the view counters in it
    (:func:`_is_view_counter`)."""
    if not any(_is_view_counter(element) for element in root.iterdescendants(etree.Element)):
        return root
    copy = deepcopy(root)
    for element in list(copy.iterdescendants(etree.Element)):
        if _is_view_counter(element):
            element.text = None
            for child in list(element):
                element.remove(child)
    return copy


def _is_related_heading(line: str) -> bool:
    """Whether a line is only the heading of a list of other news (``RELATED_HEADINGS``)."""
    return _RELATED_HEADING.fullmatch(line.strip()) is not None


def _is_related_box(block: TextMap, element: etree._Element) -> bool:
    """Whether ``element`` is named a list of other news (``RELATED_CLASS``) and writes
    lines no longer than a headline (``MAX_ENTRY_CHARS``)."""
    words = f"{element.get('class') or ''} {element.get('id') or ''}".split()
    if not any(RELATED_CLASS.search(word) for word in words):
        return False
    start, end = block.span(element)
    return start < end and all(len(line) <= MAX_ENTRY_CHARS for line in block.lines[start:end])


def _article_link_chars(block: TextMap, root: etree._Element) -> dict[int, int]:
    """The characters of links to article pages in each line of ``block`` that has some."""
    chars: dict[int, int] = {}
    for link in root.iter("a"):
        line = block.line_of(link)
        if line >= 0 and article_id(link.get("href") or "") is not None:
            chars[line] = chars.get(line, 0) + len(one_line(link))
    return chars


def _list_heading_lines(block: TextMap, root: etree._Element, linked: Collection[int]) -> set[int]:
    """The lines of ``block`` that may head a list (see ``RELATED_HEADINGS``): written whole
    by a heading or bold element, short, no link to an article in them (``linked``)."""
    headings: set[int] = set()
    for element in root.iter(*LIST_HEADING_TAGS):
        start, end = block.span(element)
        if start == end:  # an inline element: the line, if it is all of it
            start = block.line_of(element)
            end = start + 1
        if (
            end == start + 1
            and 0 <= start < len(block.lines)
            and start not in linked
            and len(block.lines[start]) <= MAX_LIST_HEADING_CHARS
            and block.lines[start] == one_line(element)
        ):
            headings.add(start)
    return headings


def _headed_article_links(
    block: TextMap, element: etree._Element, linked: dict[int, int], headings: Collection[int]
) -> set[int]:
    """The lines of a heading and the list of links to other articles under it that
    ``element`` holds, the heading first in it or right above it (``RELATED_HEADINGS``);
    none when ``element`` is no such list."""
    start, end = block.span(element)
    if start in headings:
        heading = start
    elif start - 1 in headings:
        heading = start - 1
    else:
        return set()
    links = 0
    for index in range(heading + 1, end):  # stops at the first line of text: a page's wrappers
        line = block.lines[index]
        if len(line) <= MAX_ENTRY_CHARS and linked.get(index, 0) >= ARTICLE_LINK_SHARE * len(line):
            links += 1
        elif not DATE_LINE_RE.match(line) and parse_date_line(line) is None:
            return set()
    return set(range(heading, end)) if links >= MIN_LIST_ENTRIES else set()


def _related_box_lines(block: TextMap, root: etree._Element) -> set[int]:
    """The lines of the boxes in ``root`` that list other news: named so
    (:func:`_is_related_box`), or a heading over links to other articles
    (:func:`_headed_article_links`)."""
    lines: set[int] = set()
    linked = _article_link_chars(block, root)
    headings = _list_heading_lines(block, root, linked)
    walker = etree.iterwalk(root, events=("start",))
    for _event, element in walker:
        if not isinstance(element.tag, str):
            continue
        if _is_related_box(block, element):
            walker.skip_subtree()
            lines.update(range(*block.span(element)))
        elif found := _headed_article_links(block, element, linked, headings):
            walker.skip_subtree()
            lines.update(found)
    return lines


def _entry_blocks(
    block: TextMap, root: etree._Element, entries: set[int]
) -> list[etree._Element] | None:
    """The outermost blocks of ``root`` writing only lines of ``entries``, in page order;
    None when some of those lines are written by no block and others are."""
    covered: set[int] = set()
    outermost: list[etree._Element] = []
    walker = etree.iterwalk(root, events=("start",))
    for _event, element in walker:
        if element is root or not isinstance(element.tag, str):
            continue
        first, last = block.span(element)
        if first < last and set(range(first, last)) <= entries:
            outermost.append(element)
            covered.update(range(first, last))
            walker.skip_subtree()
    if outermost and covered != entries:
        return None
    return outermost


def _closing_list_lines(block: TextMap, root: etree._Element, left_out: set[int]) -> set[int]:
    """The lines of a list of other news ending ``root``'s text, the lines ``left_out``
    left out: its last line that is only a heading (``RELATED_HEADINGS``) and all after
    it, when those are entries (see ``RELATED_HEADINGS``); else none."""
    headings = [index for index, line in enumerate(block.lines) if _is_related_heading(line)]
    if not headings:
        return set()
    heading = headings[-1]
    entries = [index for index in range(heading + 1, len(block.lines)) if index not in left_out]
    if not entries:
        return {heading}
    lines = [block.lines[index] for index in entries]
    if len(lines) < MIN_LIST_ENTRIES or any(len(line) > MAX_ENTRY_CHARS for line in lines):
        return set()
    blocks = _entry_blocks(block, root, set(entries))
    if blocks is None or len({(element.tag, element.getparent()) for element in blocks}) > 1:
        return set()
    return {heading, *entries}


def _other_news_lines(block: TextMap, root: etree._Element, left_out: set[int]) -> set[int]:
    """The lines of ``root`` (laid out as ``block``) that list other news: its boxes so
    named and headed lists of links to other articles (:func:`_related_box_lines`), and a
    headed list ending its text besides them and
    the lines ``left_out`` (a share bar after it) (:func:`_closing_list_lines`)."""
    boxes = _related_box_lines(block, root)
    return boxes | _closing_list_lines(block, root, boxes | left_out)


def _other_news(page: Selector) -> set[str]:
    """The lines of the lists of other news on a page: boxes so named and headed lists of
    links to other articles anywhere in it (:func:`_related_box_lines`), and a headed list
    ending a body block (:func:`_other_news_lines`)."""
    lines: set[str] = set()
    for body in page.css("body"):
        block = text_map(body.root)
        lines.update(block.lines[index] for index in _related_box_lines(block, body.root))
    for node in page.css(SELECTORS["body"]):
        block = text_map(node.root)
        lines.update(block.lines[index] for index in _other_news_lines(block, node.root, set()))
    return lines


def _body_block_lines(node: Selector, page_names: Collection[str]) -> list[str]:
    """The lines of a body block without a share bar or a breadcrumb trail in it: blocks
    so named (:func:`_is_furniture_block`; ``page_names`` are the headline and category),
    and lines that are one (:func:`is_share_bar`, :func:`is_breadcrumb`); nor a list of
    other news (:func:`_other_news_lines`) unless it is all the text, nor view counters and
    last-visit stamps: all change from crawl to crawl. A counter is an element named one
    (:func:`_is_view_counter`), or a counter or stamp in a line, beside at most the print
    label or the date line (:func:`~thaidigest.normalise.without_visit_widgets`).
    """
    root = _without_view_counters(node.root)
    block = text_map(root)
    names = {name for name in page_names if name}
    dropped: set[int] = set()
    for element in root.iterdescendants(etree.Element):
        if not _is_furniture_block(element, names):
            continue
        start, end = block.span(element)
        if start == end:  # an inline element: the line, if it is all of it
            start = block.line_of(element)
            end = start + 1 if 0 <= start < len(block.lines) else start
            if start < end and block.lines[start] != one_line(element):
                continue
        dropped.update(range(start, end))
    lines = _kept_lines(block, dropped)
    without_other_news = _kept_lines(block, dropped | _other_news_lines(block, root, dropped))
    if _text_lines([line for line in without_other_news if line not in names]):
        return without_other_news
    return lines


def _kept_lines(block: TextMap, dropped: set[int]) -> list[str]:
    """The lines of ``block`` but ``dropped`` ones, share bars, breadcrumb trails, view
    counters and last-visit stamps."""
    lines = (
        without_visit_widgets(line)
        for index, line in enumerate(block.lines)
        if index not in dropped
    )
    return [line for line in lines if line and not is_share_bar(line) and not is_breadcrumb(line)]


def _date_line(lines: list[str]) -> str | None:
    return next((line for line in lines if DATE_LINE_RE.match(line)), None)


def _text_lines(lines: list[str], headline: str = "") -> list[str]:
    """``lines`` other than the date line (or any line that is only a date: a template's
    placeholder, another form), the print label and the headline."""
    header = {PRINT_LABEL, headline}
    return [
        line
        for line in lines
        if line not in header and not DATE_LINE_RE.match(line) and parse_date_line(line) is None
    ]


def _text_chars(lines: list[str], headline: str) -> int:
    """Characters in ``lines`` other than the date line, the print label and the headline."""
    return sum(map(len, _text_lines(lines, headline)))


def _has_text(lines: list[str], labels: Collection[str]) -> bool:
    """Whether ``lines`` hold a line of article text: one of ``MIN_BODY_CHARS`` or more
    characters that is not a label, a date line or the print label."""
    return any(line not in labels and _text_chars([line], "") >= MIN_BODY_CHARS for line in lines)


def _is_article_block(lines: list[str], headline: str) -> bool:
    """Whether a body block's lines are the article's: they repeat the headline or open
    with the date line (every article of the public corpus does both)."""
    return bool(lines) and (
        (bool(headline) and headline in lines) or DATE_LINE_RE.match(lines[0]) is not None
    )


def _article_block(page: Selector, headline: str, category: str) -> list[str]:
    """The lines of the body block holding the article, without a share bar, a
    breadcrumb trail or a list of other news (:func:`_body_block_lines`);
    [] when no block holds the article.

    The body class is generic: banners and sidebars may carry it too, before or after
    the article's block. Of the blocks that look like the article's, the one repeating
    the headline and, among those, the one with the most text is taken.
    """
    names = (headline, category)
    blocks = [_body_block_lines(node, names) for node in page.css(SELECTORS["body"])]
    candidates = [lines for lines in blocks if _is_article_block(lines, headline)]
    return max(
        candidates,
        key=lambda lines: (headline in lines, _text_chars(lines, headline)),
        default=[],
    )


def _fallback_headline(page: Selector, extracted_title: str | None) -> str:
    """The headline of a page the selectors did not read: its ``<title>`` after the
    site's prefix, else the title the extractor found, else the first ``h1``; "" if none.

    The page title holds the whole headline; the extractor's stops at a " - " or a "|",
    where titles put a site's name, and a headline may hold one ("… 73 เที่ยวบิน/วัน
    พร้อมรองรับเที่ยวบิน - ผู้โดยสาร"): another headline than the selectors', a suspicious page.
    """
    page_title = _page_title(page)
    if page_title.startswith(THAIGOV_TITLE_PREFIX) and _strip_prefix(page_title):
        return _strip_prefix(page_title)
    return _strip_prefix(extracted_title or "") or first_text(page.css("h1"))


def _is_elsewhere(element: etree._Element) -> bool:
    """Whether ``element`` is in, or holds, a link, a list item, a sidebar or a footer
    (:data:`ELSEWHERE_TAGS`): what stands there may be another article's."""
    return any(
        isinstance(node.tag, str) and node.tag in ELSEWHERE_TAGS
        for node in (*element.iterancestors(), *element.iter())
    )


def _date_line_above(page: Selector, headline: str) -> str | None:
    """The date line above the page's headline element, the nearest at most
    :data:`MAX_DATE_LINE_ABOVE_HEADLINE` lines up with only the print label between; None
    when there is none, or no one headline element.

    The headline element is the one heading (``h1``-``h6``) whose text is ``headline``
    (compared folded) and that is not, and whose date line is not, in a link, a list
    item, a sidebar or a footer (:func:`_is_elsewhere`): a latest-news list or a ticker
    shows this headline too, under another article's date line. A date line elsewhere
    is another day's, and a wrong date is worse than none.
    """
    bodies = page.css("body")
    if not headline or len(bodies) != 1:
        return None
    root = bodies[0].root
    block = text_map(root)
    headings = [
        element
        for element in root.iter(*HEADING_TAGS)
        if _names_exactly(one_line(element), headline) and not _is_elsewhere(element)
    ]
    if len(headings) != 1:
        return None
    start, end = block.span(headings[0])
    if start == end:
        return None
    elsewhere = [block.span(element) for element in root.iter(*ELSEWHERE_TAGS)]
    for index in range(start - 1, max(start - MAX_DATE_LINE_ABOVE_HEADLINE, 0) - 1, -1):
        line = block.lines[index]
        if any(first <= index < last for first, last in elsewhere):
            return None
        if DATE_LINE_RE.match(line):
            return line
        if line != PRINT_LABEL:
            return None
    return None


def _selectors_read(headline: str, lines: list[str]) -> bool:
    """Whether the selectors read the article: a headline and text in its body block."""
    return bool(headline) and _text_chars(lines, headline) >= MIN_BODY_CHARS


def parse_article(html: str, url: str) -> PageArticle | None:
    """Parse an article page; None for an empty page, a soft 404, a page without text,
    a page headlined only with a maintenance or error notice (``ปิดปรับปรุงระบบชั่วคราว``,
    whatever text is under it: an apology), or a page the fallback would read that is no
    article (:func:`not_article`).

    When neither the body block nor the fallback extractor holds article text (only
    labels: menus, links, the headline, the category, the date), the article is the
    headline with an empty body: a headline over an image. The fallback's text leaves
    out those lines wherever it holds them (:func:`_without_page_lines`), so that the
    page read either way makes one version.
    """
    if not html.strip():
        return None
    page = Selector(text=html)
    own_id = article_id(url)
    headline = _headline(page, own_id)
    if _soft_404(page, own_id) or is_notice_title(headline):  # a notice: see not_article
        return None
    category = first_text(page.css(SELECTORS["category"]))
    selector_lines = _article_block(page, headline, category)
    lines = selector_lines
    extraction = "selectors"
    if not _selectors_read(headline, lines):
        title, fallback_body = fallback_extract(html, url)
        if not fallback_body or _not_article(page, headline, fallback_body) is not None:
            return None
        extracted = fallback_body.split("\n")
        page_headline = headline
        labels = label_lines(page.root)
        headline = _fallback_headline(page, title) or extracted[0]
        # A label or the category in the article's body block is its text, as the
        # selectors read it; the headline and the print label are never text.
        never_text = {page_headline, headline, PRINT_LABEL}
        page_lines = (labels | {category}) - set(selector_lines) | never_text
        # Nor is a list of other news (:func:`_other_news`), unless it is all the text.
        lines, date_text = _without_page_lines(
            extracted, page_lines | _other_news(page), _date_line(selector_lines)
        )
        if not _has_text(lines, labels | never_text | {category}):
            lines, date_text = _without_page_lines(
                extracted, page_lines, _date_line(selector_lines)
            )
        # The extractor may leave out the date line above the headline (a redesign's
        # template, the body block gone): read from the page, the article keeps its date.
        date_text = date_text or _date_line_above(page, headline)
        if not _has_text(lines, labels | never_text | {category}):
            lines = []
        extraction = "fallback"
    else:
        date_text = _date_line(lines)
    return PageArticle(
        url=url,
        title=headline,
        body="\n".join(lines),
        category=category or None,
        date_text=date_text or _date_line(selector_lines),
        extraction=extraction,
    )


def parse_search(html: str, url: str) -> list[str]:
    """Absolute article URLs listed on a ``/search?keyword=`` page, in page order, no repeats."""
    if not html.strip():
        return []
    links = (
        absolute_url(url, href.strip())
        for href in Selector(text=html).css(SELECTORS["search_result"]).getall()
    )
    return list(dict.fromkeys(link for link in links if link and article_id(link)))
