"""How a spider reads a page: saved bytes under the charset a server declares,
whether they are the whole page, and which of the dates it has an article takes."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from scrapy import signals
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from scraper.config import CONFIG_SETTING, DB_SETTING
from scraper.fixture_site import DEFAULT_ROOT, META_REFRESH_HTML
from scraper.middlewares import STOP_SITE
from scraper.sites import (
    CLOSING_TAGS_WITHIN,
    MAX_PARSED_DEPTH,
    MAX_REFRESH_PAGE_CHARS,
    MAX_TEMPLATE_MESSAGE_CHARS,
    NotArticle,
    PageArticle,
    is_whole_page,
    mdes,
    parses_whole,
    refresh_target,
    thaigov,
)
from scraper.spiders.base import (
    CALLBACK_FAILED,
    ITEM_FAILED,
    KNOWN_PAGE,
    NOT_MODIFIED_UNASKED,
    Answer,
    DateSource,
    SiteSpider,
    Verdict,
    first_believed_date,
    not_text_reason,
)
from scraper.spiders.mdes import MdesSpider
from scraper.spiders.thaigov import ThaigovSpider
from thaidigest.model import RawArticle
from thaidigest.store import database_url

SAVED_PAGES = Path(__file__).parent / "pages"
PAGES = SAVED_PAGES / "thaigov"
# The saved pages that are not whole pages: each site's empty answer, a page cut short.
NOT_WHOLE = {"thaigov/empty.html", "mdes/empty.html", "thaigov/article_truncated.html"}
URL = "http://127.0.0.1:8000/news/contents/details/87382"
UTF8_HTML = "text/html; charset=utf-8"


def response(page: str, charset: str | None) -> HtmlResponse:
    content_type = "text/html" + (f"; charset={charset}" if charset else "")
    body = (PAGES / page).read_bytes()
    return HtmlResponse(url=URL, body=body, headers={"Content-Type": content_type})


def test_utf8_page_with_one_invalid_byte_is_kept_with_one_replacement_character() -> None:
    decoded = ThaigovSpider().page_text(response("article_stray_byte.html", "utf-8"))

    assert decoded.text is not None and decoded.retry is None
    assert decoded.text.count("\ufffd") == 1
    article = thaigov.parse_article(decoded.text, URL)
    expected = json.loads((PAGES / "article_th.expected.json").read_text(encoding="utf-8"))
    assert article is not None and article.title == expected["title"]
    assert article.body == expected["body"].replace("DESG ครั้งนี้", "DESG\ufffd ครั้งนี้", 1)


@pytest.mark.parametrize("where", ["header", "meta"])
@pytest.mark.parametrize(
    ("word", "typed_in_tis620"),
    [
        ("ครั้งนี้", "ค"),  # a consonant opening a word
        ("ครั้งนี้", "คร"),  # two letters, one byte each
        ("ครั้งนี้", "้"),  # a tone mark on a consonant
        ("เข้าร่วม", "เ"),  # a leading vowel
    ],
    ids=["consonant", "two-letters", "tone-mark", "leading-vowel"],
)
def test_a_thai_letter_typed_in_tis620_inside_a_utf8_page_is_read_as_that_letter(
    where: str, word: str, typed_in_tis620: str
) -> None:
    """One or two bytes of TIS-620 in a page otherwise UTF-8: the page is not read as
    TIS-620 (mojibake) nor dropped, and the bytes are the Thai letters they stand for
    when they sit in Thai text, not U+FFFD."""
    original = (PAGES / "article_th.html").read_bytes()
    assert original.count(word.encode()) >= 1 and b'<meta charset="utf-8">' in original
    before, typed, after = word.partition(typed_in_tis620)
    broken = before.encode() + typed.encode("cp874") + after.encode()
    body = original.replace(word.encode(), broken, 1)
    headers = {"Content-Type": UTF8_HTML if where == "header" else "text/html"}
    page = HtmlResponse(url=URL, body=body, headers=headers)
    assert "\ufffd" in page.text  # what the declared charset makes of it

    decoded = ThaigovSpider().page_text(page)

    assert decoded.text == original.decode("utf-8")


def test_a_paragraph_in_tis620_inside_a_utf8_page_is_read_as_thai() -> None:
    original = (PAGES / "article_th.html").read_bytes()
    lines = original.splitlines(keepends=True)
    (pasted,) = [i for i, line in enumerate(lines) if "การประชุม DESG ครั้งนี้".encode() in line]
    lines[pasted] = lines[pasted].decode("utf-8").encode("cp874")  # pasted from an old page
    mixed = HtmlResponse(url=URL, body=b"".join(lines), headers={"Content-Type": UTF8_HTML})
    assert "\ufffd" in mixed.text  # what the declared charset makes of it

    decoded = ThaigovSpider().page_text(mixed)

    assert decoded.text == original.decode("utf-8")
    # A line that is not Thai in TIS-620 either (Latin-1: cp874 reads a lone Thai letter
    # for each accent or symbol, "Copyright ฉ 2024") is not guessed at.
    lines[pasted] = "<p>Café crème à Genève, 25°C. Économie. Copyright © 2024</p>\n".encode(
        "latin-1"
    )
    latin = HtmlResponse(url=URL, body=b"".join(lines), headers={"Content-Type": UTF8_HTML})
    kept = ThaigovSpider().page_text(latin).text
    assert kept is not None and "Caf\ufffd cr\ufffdme" in kept and "Copyright \ufffd 2024" in kept
    # With a BOM, and a line of neither beside the TIS-620 one: each line on its own.
    lines[pasted] = "<p>การประชุม DESG ครั้งนี้</p>\n".encode("cp874") + b"<p>\xa0x</p>\n"
    both = HtmlResponse(
        url=URL, body=b"\xef\xbb\xbf" + b"".join(lines), headers={"Content-Type": UTF8_HTML}
    )
    text = ThaigovSpider().page_text(both).text
    assert text is not None and text.startswith("<")
    assert "<p>การประชุม DESG ครั้งนี้</p>\n<p>\ufffdx</p>" in text


@pytest.mark.parametrize("where", ["header", "meta"])
def test_tis620_page_declared_utf8_is_decoded_as_thai(where: str) -> None:
    """Thai government sites mislabel pages: the declared UTF-8 gives U+FFFD for the
    TIS-620 bytes, so the page is read again from its bytes."""
    body = (PAGES / "article_tis620.html").read_bytes()
    assert b'<meta charset="tis-620">' in body
    if where == "meta":
        body = body.replace(b'<meta charset="tis-620">', b'<meta charset="utf-8">', 1)
    headers = {"Content-Type": UTF8_HTML if where == "header" else "text/html"}
    misread = HtmlResponse(url=URL, body=body, headers=headers)
    assert misread.encoding == "utf-8" and "\ufffd" in misread.text

    decoded = ThaigovSpider().page_text(misread)

    assert decoded.text == body.decode("cp874")


@pytest.mark.parametrize("declared", ["iso-8859-1", "cp1252", "windows-1252"])
def test_tis620_page_declared_latin1_is_decoded_as_thai(declared: str) -> None:
    misread = response("article_tis620.html", declared)
    assert "\ufffd" not in misread.text and "ประเทศไทย" not in misread.text  # the mojibake

    decoded = ThaigovSpider().page_text(misread)

    assert decoded.text is not None
    article = thaigov.parse_article(decoded.text, URL)
    assert article is not None
    assert article.title.startswith("ประเทศไทย โดยกระทรวงดิจิทัลฯ")
    assert article.date_text == "วันพุธที่ 27 กรกฎาคม 2565"


def test_latin1_page_that_is_not_thai_is_left_as_declared() -> None:
    html = "<html><body><p>" + "Café crème, déjà vu à Genève. " * 20 + "</p></body></html>"
    page = HtmlResponse(
        url=URL, body=html.encode("latin-1"), headers={"Content-Type": "text/html; charset=latin-1"}
    )

    assert ThaigovSpider().page_text(page).text == page.text


def page_without_charset(text: str, encoding: str, lang: str = "th") -> tuple[str, HtmlResponse]:
    """A short page in ``lang`` holding ``text``, its bytes in ``encoding``, no charset declared."""
    html = f'<html lang="{lang}"><head><title>{text}</title></head>'
    html += f"<body><p>{text}</p></body></html>"
    body = html.encode(encoding)
    return html, HtmlResponse(url=URL, body=body, headers={"Content-Type": "text/html"})


@pytest.mark.parametrize("encoding", ["cp874", "utf-8"])
@pytest.mark.parametrize("thai", ["รถ", "ข่าว"])
def test_a_short_thai_page_without_a_charset_is_read_as_thai(thai: str, encoding: str) -> None:
    """Scrapy read TIS-620 "รถ" as UTF-8 ("ö": its bytes are UTF-8 too) and "ข่าว" as
    charset_normalizer guessed (Big5)."""
    html, page = page_without_charset(thai, encoding)

    assert ThaigovSpider().page_text(page).text == html


@pytest.mark.parametrize("text", ["ö", "café", "© 2024 » News"])
def test_utf8_that_cp874_reads_as_thai_stays_utf8_on_an_english_or_declared_page(
    text: str,
) -> None:
    html, english = page_without_charset(text, "utf-8", lang="en")
    assert ThaigovSpider().page_text(english).text == html
    _, thai = page_without_charset(text, "utf-8")
    declared = thai.replace(headers={"Content-Type": UTF8_HTML})
    assert ThaigovSpider().page_text(declared).text == declared.text == thai.body.decode()


@pytest.mark.parametrize("text", ["café", "Zürich", "© 2024 » News"])
def test_utf8_accented_words_and_symbols_stay_utf8_on_a_thai_page_without_a_charset(
    text: str,
) -> None:
    html, page = page_without_charset(text, "utf-8")

    assert ThaigovSpider().page_text(page).text == html


def test_every_saved_and_fixture_site_page_is_whole_but_the_empty_and_cut_ones() -> None:
    saved = {str(p.relative_to(SAVED_PAGES)): p for p in SAVED_PAGES.rglob("*.html")}
    served = {str(p.relative_to(DEFAULT_ROOT)): p for p in DEFAULT_ROOT.rglob("*.html")}
    assert saved.keys() >= NOT_WHOLE and len(served) > 50
    for name, path in saved.items():
        assert is_whole_page(*page_bytes_and_text(path)) == (name not in NOT_WHOLE), name
    for name, path in served.items():
        assert is_whole_page(*page_bytes_and_text(path)), name


def page_bytes_and_text(path: Path) -> tuple[bytes, str]:
    body = path.read_bytes()
    return body, body.decode("utf-8", errors="replace")


PAGE = b"<html><body><p>" + "ข่าว".encode() * 4000 + b"</p>"
ENDINGS = {
    "closing-tags": (b"</body>\n</html>\n", True),
    "upper-case": (b"</BODY></HTML>", True),
    "body-only": (b"</body>", True),
    "html-only": (b"</html>", True),
    "a-script-after-them": (b"</body></html><script>track();</script>\n", True),
    "cut-mid-paragraph": (b"<p>\xe0\xb8\x82\xe0\xb9\x88", False),
    "cut-in-the-tag": (b"</bo", False),
    "closed-long-before-the-end": (b"</html>" + b" " * CLOSING_TAGS_WITHIN, False),
    # HTML5 lets a page leave out both closing tags: the template's footer tells it whole.
    "the-page-footer-without-closing-tags": (
        "<footer class='footer'><p>สงวนลิขสิทธิ์</p></footer>\n<script>x()</script>".encode(),
        True,
    ),
    "cut-in-the-page-footer": ("<footer class='footer'><p>สงวน".encode(), True),
    "cut-after-the-articles-own-footer": (
        "<article><p>ข่าว</p><footer>ข่าวโดย สำนักโฆษก</footer><p>ข่".encode(),
        False,
    ),
    "cut-after-a-footer-in-a-block": (b"<div><footer>x</footer><p>\xe0\xb8\x82", False),
    "a-cookie-notice-after-the-page-footer": (
        "<footer>สงวนลิขสิทธิ์</footer><div class='cookie'><p>ใช้คุกกี้</p><button>ตกลง</button>"
        "</div><div class='modal'><h3>ค้นหา</h3></div><script>x()</script>".encode(),
        True,
    ),
    # Tags the article closed once too often lift its own footer to <body>: cut after it.
    "cut-after-the-articles-own-footer-lifted-to-the-body": (
        "</div></div></div><footer>ภาพ: สำนักโฆษก</footer><p>ข่".encode(),
        False,
    ),
    "cut-below-a-footer-atop-the-page": (
        ("<footer class='topbar'>เมนู</footer><div class='content'><p>" + "ข่าว" * 200).encode(),
        False,
    ),
}


@pytest.mark.parametrize(("ending", "whole"), ENDINGS.values(), ids=ENDINGS)
def test_a_page_is_whole_when_it_closes_its_body_or_html_near_its_end(
    ending: bytes, whole: bool
) -> None:
    page = PAGE + ending
    assert is_whole_page(page, page.decode("utf-8", errors="replace")) is whole


def test_every_saved_page_parses_whole_and_one_nested_past_the_parsers_depth_does_not() -> None:
    for path in SAVED_PAGES.rglob("*.html"):
        assert parses_whole(path.read_text(encoding="utf-8", errors="replace")), path.name
    body = "<p>ข่าว</p>" * MAX_PARSED_DEPTH
    nested = [f"<html><body>{'<div>' * depth}{body}</body></html>" for depth in (2000, 2100)]
    assert [parses_whole(page) for page in nested] == [True, False]


# An article page of each site, the text starting at the first paragraph after this mark.
DEEP_ARTICLES = {
    "thaigov": (ThaigovSpider, PAGES / "article_th.html", "news-1", URL),
    "mdes": (
        MdesSpider,
        SAVED_PAGES / "mdes" / "article.html",
        "title-page",
        "http://127.0.0.1:8000/news/detail/1447",
    ),
}


@pytest.mark.parametrize(
    ("spider_class", "saved", "mark", "url"), DEEP_ARTICLES.values(), ids=DEEP_ARTICLES
)
def test_an_article_nested_deeper_than_the_parser_reads_is_reported_not_stored(
    spider_class: type[ThaigovSpider | MdesSpider], saved: Path, mark: str, url: str
) -> None:
    """libxml2 stops at the 2048th nested element and keeps what it read: stored, the
    article would lose every paragraph after the deep block, with nothing said."""
    html = saved.read_text(encoding="utf-8")
    text_starts = html.index("<p>", html.index(mark))
    deep = "<div>" * 3000 + "<p>ลึก</p>" + "</div>" * 3000
    page = (html[:text_starts] + deep + html[text_starts:]).encode()
    crawler = get_crawler(spider_class)
    crawler.stats.open_spider()
    spider = spider_class()
    spider.crawler, spider.headlines = crawler, mdes.Headlines(())
    request = Request(url, meta={"source_id": url.rsplit("/", 1)[1]})
    headers = {"Content-Type": "text/html; charset=utf-8"}
    answer = HtmlResponse(url, status=200, body=page, headers=headers, request=request)

    assert list(spider.parse_article(answer)) == []
    assert [error["url"] for error in spider.errors] == [url]
    assert f"nested more than {MAX_PARSED_DEPTH} elements deep" in spider.errors[0]["error"]


TODAY = date(2026, 12, 2)
LISTED, ON_PAGE, STORED = date(2022, 6, 20), date(2022, 6, 19), date(2022, 6, 18)
EPOCH = date(1970, 1, 1)  # an empty template's placeholder: no date
# (listing, page, stored) -> (mdes's date, thaigov's date)
DATES = {
    "first-crawl": ((LISTED, ON_PAGE, None), (LISTED, ON_PAGE)),
    "revisit": ((None, ON_PAGE, STORED), (STORED, ON_PAGE)),
    "revisit-of-an-undated-article": ((None, ON_PAGE, None), (ON_PAGE, ON_PAGE)),
    "listing-dates-a-stored-article": ((LISTED, ON_PAGE, STORED), (LISTED, ON_PAGE)),
    "placeholder-on-the-page": ((None, EPOCH, STORED), (STORED, STORED)),
    "placeholder-in-the-listing": ((EPOCH, ON_PAGE, None), (ON_PAGE, ON_PAGE)),
    "no-date-at-all": ((None, None, None), (None, None)),
}


@pytest.mark.parametrize(("found", "expected"), DATES.values(), ids=DATES)
def test_mdes_dates_an_article_by_its_listing_then_the_stored_date_thaigov_by_its_page(
    found: tuple[date | None, ...], expected: tuple[date | None, date | None]
) -> None:
    """An MDES listing's date is the article's: a revisit (no listing at hand) keeps the
    stored one over the page's date line. thaigov has no listing: its date line rules."""
    dates = dict(zip(DateSource, found, strict=True))  # listing, page, stored
    taken = tuple(
        first_believed_date(dates, spider.date_sources, TODAY)
        for spider in (MdesSpider, ThaigovSpider)
    )
    assert taken == expected


def test_a_page_dated_next_year_in_bangkok_keeps_its_date_on_its_new_year_s_day(
    new_year_in_bangkok,
) -> None:
    """At 31 December 2026 17:30 UTC it is 1 January 2027 in Bangkok: a page dated 2028
    (2571 BE) is dated next year there, believed, though the machine's UTC date would
    make 2028 the year after next."""
    page = PageArticle(URL, "ข่าว", "เนื้อข่าว", None, "3 มกราคม 2571", "selectors")
    answer = HtmlResponse(url=URL, body=b"", request=Request(URL))
    item = ThaigovSpider().article_item(answer, page, "87382", None)
    assert item.published_hint == date(2028, 1, 3)


HOST = "http://127.0.0.1:8000"
# <meta http-equiv="refresh" content=...>, the body -> where the page sends its reader.
REFRESHES = {
    "at-once-home": ("0;url=/", "", f"{HOST}/"),
    "in-five-seconds-saying-where": (
        "5; URL='/news/7'",
        "<p>กำลังนำท่านไปยัง <a href='/news/7'>ข่าว</a>: Redirecting to the news</p>",
        f"{HOST}/news/7",
    ),
    "to-another-host": ("0;url=http://example.invalid/x", "", "http://example.invalid/x"),
    "after-five-minutes": ("300;url=/", "", None),  # an auto-reload, not a redirect
    "with-an-article-below": ("0;url=/", "<p>" + "ข่าวทำเนียบรัฐบาล " * 20 + "</p>", None),
    "reload-with-no-url": ("0", "", None),  # no address: nowhere to go
    # Browsers do not go to these: the page was reported as a blocked redirect.
    "to-javascript": ("0;url=javascript:void(0)", "", None),
    "to-data": ("0;url=data:text/html,hi", "", None),
}


@pytest.mark.parametrize(("content", "body", "target"), REFRESHES.values(), ids=REFRESHES)
def test_a_page_that_is_only_a_quick_meta_refresh_names_its_target(
    content: str, body: str, target: str | None
) -> None:
    html = (
        f'<html><head><meta http-equiv="refresh" content="{content}"></head>'
        f"<body>{body}</body></html>"
    )
    assert refresh_target(html, f"{HOST}/news/3") == target


@pytest.mark.parametrize(
    ("body", "answer"),
    [("", Answer.MISSING), ("<p>" + "ข่าวทำเนียบรัฐบาล " * 20 + "</p>", Answer.PAGE)],
    ids=["empty page", "article below"],
)
def test_a_refresh_header_on_a_200_is_judged_as_the_meta_tag_is(body: str, answer: Answer) -> None:
    """An empty 200 whose ``Refresh`` header sends an article to a listing was read as a
    page (no article in it), not as the redirect its meta tag twin is (taken down)."""
    crawler = get_crawler(MdesSpider)
    crawler.stats.open_spider()
    spider = MdesSpider()
    spider.crawler = crawler
    url = f"{HOST}/news/detail/11009"
    headers = {"Content-Type": UTF8_HTML, "Refresh": "0; url=/news/3"}
    request = Request(url, meta={"source_id": "11009"})
    page = f"<html><body>{body}</body></html>".encode()
    response = HtmlResponse(url, status=200, body=page, headers=headers, request=request)
    served_an_article(spider, f"{HOST}/news/detail/11001")

    assert spider.judge(response).answer == answer


def test_a_refresh_page_showing_a_long_target_url_in_its_link_names_its_target() -> None:
    """The link text counted: a target with a percent-encoded Thai slug (over 500
    characters) made the page too long for a refresh page, and it was read as a page."""
    slug = quote("ดีอี-ร่วมหารือ-MC-48-ร่วมเดินหน้าผลักดันการเปลี่ยนผ่านสู่ดิจิทัล")
    target = f"{HOST}/news/detail/11352-{slug}"
    assert len(target) > MAX_REFRESH_PAGE_CHARS
    html = META_REFRESH_HTML.format(refresh=0, location=target)

    assert refresh_target(html, f"{HOST}/news/detail/11352") == target


def test_a_refresh_page_with_long_link_text_to_elsewhere_is_read() -> None:
    """Only the text of a link to the target is left out of the count."""
    links = "".join(f'<p><a href="/news/{n}">{"ข่าวทำเนียบรัฐบาล " * 3}</a></p>' for n in range(9))
    html = (
        '<html><head><meta http-equiv="refresh" content="0;url=/news/3"></head>'
        f"<body>{links}</body></html>"
    )

    assert refresh_target(html, f"{HOST}/news/3") is None


def test_a_meta_refresh_resolves_against_the_pages_base_and_skips_noscript() -> None:
    based = (
        '<html><head><base href="http://127.0.0.1:8000/news/">'
        '<meta http-equiv="refresh" content="0;url=detail/11009"></head><body></body></html>'
    )
    for_no_script = (
        '<html><head><noscript><meta http-equiv="refresh" content="0;url=/nojs">'
        "</noscript></head><body></body></html>"
    )
    assert refresh_target(based, f"{HOST}/news/contents/details/1") == f"{HOST}/news/detail/11009"
    assert refresh_target(for_no_script, f"{HOST}/news/3") is None


def test_every_saved_article_and_listing_with_an_instant_meta_refresh_is_still_read() -> None:
    """A refresh beside an article or a listing's links is no redirect: the page is read,
    its site's body block given or not (an article's holds its headline and text; a page
    whose block the selector does not find, a redesign, is read by the fallback).
    (A bare "not found" page that refreshes home at once is that redirect.)"""
    tag = '<meta http-equiv="refresh" content="0;url=/">'
    pages = [
        (path, spider.body_block)
        for site, spider in (("thaigov", ThaigovSpider), ("mdes", MdesSpider))
        for kind in ("article", "listing", "search")
        for path in (SAVED_PAGES / site).glob(f"{kind}*.html")
    ]
    assert len(pages) > 20
    for path, body_block in pages:
        html = path.read_text(encoding="utf-8", errors="replace")
        refreshing = re.sub("<head[^>]*>", lambda head: head[0] + tag, html, count=1)
        assert refreshing != html, path
        assert refresh_target(refreshing, f"{HOST}/news/3") is None, path
        assert refresh_target(refreshing, f"{HOST}/news/3", body_block=body_block) is None, path


MOVED = PAGES / "refresh_in_template.html"  # the site's template, body block empty
MOVED_TO = f"{HOST}/news/contents/ministry_details/87382"


def with_refresh(html: str, content: str) -> str:
    """``html`` with its meta refresh's content replaced by ``content``."""
    changed = re.sub(r'(http-equiv="refresh" content=")[^"]*', rf"\g<1>{content}", html)
    assert changed != html
    return changed


def served_an_article(spider: SiteSpider, url: str = URL.replace("87382", "87381")) -> None:
    """Have ``spider`` judge an article page at ``url`` answered with 200: the site serves
    articles in this crawl, so one it sends home was removed."""
    request = Request(url, meta={"source_id": url.rsplit("/", 1)[1]})
    page = HtmlResponse(url, body=b"<html></html>", headers={"Content-Type": UTF8_HTML},
                        request=request)  # fmt: skip
    assert spider.judge(page).answer is Answer.PAGE


def thaigov_spider() -> ThaigovSpider:
    """A thaigov spider with its crawler and stats, as a crawl gives it."""
    crawler = get_crawler(ThaigovSpider)
    crawler.stats.open_spider()
    spider = ThaigovSpider()
    spider.crawler = crawler
    return spider


def judged_article_page(html: str) -> Verdict:
    """What the thaigov spider makes of ``html`` answered with 200 for article 87382."""
    spider = thaigov_spider()
    request = Request(URL, meta={"source_id": "87382"})
    headers = {"Content-Type": UTF8_HTML}
    return spider.judge(HtmlResponse(URL, body=html.encode(), headers=headers, request=request))


def test_an_article_answered_with_the_template_refreshing_at_once_is_followed() -> None:
    """The site's template (menus and footer: more than a refresh page shows) with an empty
    body block and a 0-second refresh was read as a page; a browser goes on at once."""
    html = MOVED.read_text(encoding="utf-8")
    assert refresh_target(html, URL) is None  # too long for a page that only refreshes

    verdict = judged_article_page(html)

    assert verdict.answer is Answer.REDIRECT
    assert verdict.follow is not None and verdict.follow.url == MOVED_TO


def test_an_article_sent_to_its_id_in_thai_digits_is_followed_as_the_same_article() -> None:
    """A target naming the id in Thai digits, percent-encoded, was no article of the site's:
    the redirect was blocked and the article never read."""
    thai_87382 = "/news/contents/details/%E0%B9%98%E0%B9%97%E0%B9%93%E0%B9%98%E0%B9%92"
    html = with_refresh(MOVED.read_text(encoding="utf-8"), f"0;url={thai_87382}")

    verdict = judged_article_page(html)

    assert verdict.answer is Answer.REDIRECT
    assert verdict.follow is not None and verdict.follow.url == f"{HOST}{thai_87382}"


@pytest.mark.parametrize(
    "target",
    [
        "/sso/login/%2Fnews%2Fcontents%2Fdetails%2F87382",
        "/news/contents/details/87382%0A",
        "/news/contents/details%2F87382",
    ],
)
def test_an_article_sent_where_an_escaped_slash_or_line_break_makes_its_path_is_blocked(
    target: str,
) -> None:
    """A whole target read percent-decoded made a login page's address, or the article's
    address with a line break after it, the same article: the redirect was followed."""
    spider = thaigov_spider()
    request = Request(URL, meta={"source_id": "87382"})

    verdict = spider.judge(Response(URL, status=302, headers={"Location": target}, request=request))

    assert (verdict.answer, verdict.follow) == (Answer.BLOCKED, None)


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("/ข่าว/ปิดปรับปรุง".encode(), f"{HOST}/ข่าว/ปิดปรับปรุง"),
        (b"/news/\xe0\xb8x", f"{HOST}/news/%E0%B8x"),  # no UTF-8: its bytes escaped
    ],
    ids=["utf-8", "not-utf-8"],
)
def test_a_redirect_to_a_thai_address_is_reported_with_that_address_in_thai(
    location: bytes, shown: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A ``Location`` in UTF-8 was read as latin-1: the log and the crawl report showed
    ``/à¸\x82à¹\x88...``, an address no one could look at."""
    spider = thaigov_spider()
    request = Request(URL, meta={"source_id": "87382"})

    response = Response(URL, status=302, headers={"Location": location}, request=request)
    verdict = spider.judge(response)

    assert (verdict.answer, verdict.follow) == (Answer.BLOCKED, None)
    [entry] = spider.blocked
    assert entry["target"] == shown
    assert f"answered 302 -> {shown}" in caplog.text


@pytest.mark.parametrize("header", ["Location", "Refresh"])
def test_an_article_redirected_to_its_address_with_a_thai_query_follows_that_address(
    header: str,
) -> None:
    """Read as latin-1, the Thai query was followed encoded twice (``%C3%A0%C2%B8...``):
    another address than the one the site named."""
    spider = thaigov_spider()
    request = Request(URL, meta={"source_id": "87382"})
    target = f"{URL}?lang=ไทย"
    if header == "Location":
        response = Response(URL, status=301, headers={header: target.encode()}, request=request)
    else:
        headers = {header: f"0; url={target}".encode()}
        response = Response(URL, status=200, body=b"", headers=headers, request=request)

    verdict = spider.judge(response)

    assert verdict.answer is Answer.REDIRECT
    assert verdict.follow is not None
    assert verdict.follow.url == f"{URL}?lang={quote('ไทย')}"


def test_a_listing_redirected_to_its_address_written_in_thai_is_the_same_page() -> None:
    """The Thai keyword sent as UTF-8 characters is the page asked for, percent-encoded."""
    spider = thaigov_spider()
    asked = f"{HOST}/search?keyword={quote('ดิจิทัล')}"
    target = f"{HOST}/search/?keyword=ดิจิทัล".encode()

    response = Response(asked, status=301, headers={"Location": target}, request=Request(asked))
    verdict = spider.judge(response)

    assert verdict.answer is Answer.REDIRECT


UNREADABLE_ADDRESSES = ("http://[::1/news/contents/details/87382", "https://[ลิงก์]/")


@pytest.mark.parametrize("target", ["http://[::1/news/contents/details/87382", "https://[link]/"])
def test_a_redirect_to_an_address_no_browser_can_read_is_blocked_with_that_target(
    target: str,
) -> None:
    """Such a ``Location`` (a '[' opening no IPv6 host, a bracketed host that is no IP
    address) raised ValueError in the spider: the redirect was reported nowhere."""
    spider = thaigov_spider()
    request = Request(URL, meta={"source_id": "87382"})

    verdict = spider.judge(Response(URL, status=302, headers={"Location": target}, request=request))

    assert (verdict.answer, verdict.follow) == (Answer.BLOCKED, None)
    [entry] = spider.blocked
    assert (entry["status"], entry["target"]) == (302, target)


@pytest.mark.parametrize("address", UNREADABLE_ADDRESSES)
@pytest.mark.parametrize("where", ["base", "link", "refresh"])
def test_an_article_page_naming_an_address_no_browser_can_read_is_read(
    where: str, address: str
) -> None:
    """Such an address in the page's ``<base href>``, a link's or a meta refresh's raised
    ValueError as the spider judged the 200 answer: the article was lost."""
    html = (PAGES / "article_th.html").read_text(encoding="utf-8")
    html = {
        "base": html.replace("<head>", f'<head><base href="{address}">', 1),
        "link": html.replace(
            "<head>", '<head><meta http-equiv="refresh" content="0;url=/">', 1
        ).replace("</body>", f'<a href="{address}">ลิงก์</a></body>'),
        "refresh": html.replace(
            "<head>", f'<head><meta http-equiv="refresh" content="0;url={address}">', 1
        ),
    }[where]

    assert judged_article_page(html).answer is Answer.PAGE


ARTICLE_REDIRECTS = {
    "another-article": ("/news/contents/details/87390", 0, Answer.MISSING),
    "another-ministry-article": ("/news/contents/ministry_details/87390", 0, Answer.MISSING),
    "another-article-with-a-query": ("/news/contents/details/87390?ref=1", 0, Answer.BLOCKED),
    "itself-as-ministry-news": ("/news/contents/ministry_details/87382", 0, Answer.REDIRECT),
    "itself-past-the-hops-followed": ("/news/contents/details/87382", 3, Answer.BLOCKED),
}


@pytest.mark.parametrize(
    ("target", "hops", "answer"), ARTICLE_REDIRECTS.values(), ids=ARTICLE_REDIRECTS
)
def test_an_article_redirected_to_another_articles_id_is_missing_to_its_own_followed(
    target: str, hops: int, answer: Answer
) -> None:
    """A redirect to another article was blocked: the crawl not clean for an article the
    site took down (or merged into the other), reported as a refusal. Now missing, as a
    404, nothing stored under the address asked for; its own id stays followed, and a
    loop blocked."""
    spider = thaigov_spider()
    served_an_article(spider)
    request = Request(URL, meta={"source_id": "87382", "redirect_hops": hops})

    verdict = spider.judge(Response(URL, status=301, headers={"Location": target}, request=request))

    assert verdict.answer is answer
    assert (verdict.follow is not None) == (answer is Answer.REDIRECT)
    if answer is Answer.BLOCKED:
        [entry] = spider.blocked
        reason = "redirect loop" if hops else None
        assert (entry["target"], entry.get("reason")) == (HOST + target, reason)


THAIGOV = "https://www.thaigov.go.th"
THAIGOV_ARTICLE = "/news/contents/details/87382"
# Where a thaigov article at THAIGOV (or at http://www.thaigov.go.th) is redirected, and
# whether the redirect is followed: the host with www. or without is the one site, and
# https where http was asked for; another name, a port, or a move to http is not.
SITE_REDIRECTS = {
    "www-dropped": (THAIGOV, f"https://thaigov.go.th{THAIGOV_ARTICLE}", True),
    "www-added": ("https://thaigov.go.th", f"{THAIGOV}{THAIGOV_ARTICLE}", True),
    "to-https": ("http://www.thaigov.go.th", f"{THAIGOV}{THAIGOV_ARTICLE}", True),
    "to-https-without-www": (
        "http://www.thaigov.go.th",
        f"https://thaigov.go.th{THAIGOV_ARTICLE}",
        True,
    ),
    "to-http": (THAIGOV, f"http://www.thaigov.go.th{THAIGOV_ARTICLE}", False),
    "to-http-without-www": (THAIGOV, f"http://thaigov.go.th{THAIGOV_ARTICLE}", False),
    "another-port": (THAIGOV, f"https://thaigov.go.th:8443{THAIGOV_ARTICLE}", False),
    "another-subdomain": (THAIGOV, f"https://news.thaigov.go.th{THAIGOV_ARTICLE}", False),
    "www-without-its-dot": (THAIGOV, f"https://wwwthaigov.go.th{THAIGOV_ARTICLE}", False),
}


def spider_at(base_url: str) -> ThaigovSpider:
    """A thaigov spider crawling ``base_url``, with its crawler and stats."""
    spider = thaigov_spider()
    spider.base_url = base_url
    return spider


@pytest.mark.parametrize(
    ("base_url", "target", "followed"), SITE_REDIRECTS.values(), ids=SITE_REDIRECTS
)
def test_an_article_redirected_to_the_other_spelling_of_its_host_or_to_https_is_followed(
    base_url: str, target: str, followed: bool
) -> None:
    """A site that sends ``www.`` to its bare host (or the other way) or http to https had
    every article blocked: each crawl failed. Followed in the base host's download slot:
    the one server's delay, not a second one beside it."""
    spider = spider_at(base_url)
    asked = spider.article_url(87382)
    request = spider.page_request(asked, spider.parse_article, source_id="87382")

    verdict = spider.judge(
        Response(asked, status=301, headers={"Location": target}, request=request)
    )

    if followed:
        assert verdict.answer is Answer.REDIRECT and verdict.follow is not None
        assert verdict.follow.url == target
        assert verdict.follow.meta["download_slot"] == urlsplit(base_url).hostname
        assert spider.blocked == []
    else:
        assert (verdict.answer, verdict.follow) == (Answer.BLOCKED, None)
        [entry] = spider.blocked
        assert (entry["url"], entry["status"], entry["target"]) == (asked, 301, target)


def test_an_article_sent_home_on_the_other_spelling_of_its_host_was_taken_down() -> None:
    """The rules for a redirect within the site hold across the two spellings: the home page
    at ``thaigov.go.th`` is the home page of ``www.thaigov.go.th``."""
    spider = spider_at(THAIGOV)
    served_an_article(spider, f"{THAIGOV}/news/contents/details/87381")
    asked = spider.article_url(87382)
    request = spider.page_request(asked, spider.parse_article, source_id="87382")

    verdict = spider.judge(
        Response(asked, status=302, headers={"Location": "https://thaigov.go.th/"}, request=request)
    )

    assert (verdict.answer, spider.blocked) == (Answer.MISSING, [])


TEMPLATE_REFRESHES = {
    "in-five-seconds": ("5;url=/news/contents/ministry_details/87382", MOVED_TO),
    "in-six-seconds": ("6;url=/news/contents/ministry_details/87382", None),
    "reloading-itself": ("0;url=/news/contents/details/87382", None),
}


@pytest.mark.parametrize(("content", "target"), TEMPLATE_REFRESHES.values(), ids=TEMPLATE_REFRESHES)
def test_the_template_with_an_empty_body_block_redirects_within_seconds_elsewhere_only(
    content: str, target: str | None
) -> None:
    html = with_refresh(MOVED.read_text(encoding="utf-8"), content)
    assert refresh_target(html, URL, body_block=ThaigovSpider.body_block) == target


TEXT_SLOT = '<div class="col-xs-12 padding-sm1 news-3 font_level4"></div>'


def in_template(text: str, date_line: str = "", headline: str = "") -> str:
    """The moved page of the site's template (a 0-second refresh elsewhere) with
    ``date_line``, ``headline`` and ``text`` (paragraphs a line each) in its body block,
    where an article has them, and the headline in its title."""
    html = MOVED.read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n") if line)
    filled = (
        html.replace(TEXT_SLOT, TEXT_SLOT.replace("></div>", f">{paragraphs}</div>"))
        .replace('color4"></span>', f'color4">{date_line}</span>')
        .replace('color2"></h3>', f'color2">{headline}</h3>')
        .replace("</title>", f"{headline}</title>")
    )
    assert TEXT_SLOT in html
    return filled


MOVED_MESSAGES = {
    "thai": "ข่าวนี้ย้ายแล้ว",
    "english": "this news has moved",
    "two-lines": "ข่าวนี้ย้ายแล้ว\nกรุณารอสักครู่ ระบบจะนำท่านไปยังหน้าข่าวใหม่โดยอัตโนมัติ",
    "under-the-headline": "This news has moved. You will be taken to its new page in a moment.",
}


@pytest.mark.parametrize("message", MOVED_MESSAGES.values(), ids=MOVED_MESSAGES)
def test_the_template_refreshing_at_once_with_only_a_short_message_is_a_redirect(
    message: str,
) -> None:
    """A moved article's page whose body block says so in a line or two was read as a
    page: a soft 404 (the article behind it never fetched) or, a longer message, an
    article headlined with the menu's first line."""
    html = in_template(message)
    assert refresh_target(html, URL, body_block=ThaigovSpider.body_block) == MOVED_TO
    assert refresh_target(html, URL) is None  # more text than a page that only refreshes


# The shortest articles of the thaigov corpus (ids 38057, 69495, 77675): a date line over
# a headline as short as a message (and an image).
SHORT_ARTICLES = {
    "ten-character-headline": ("วันจันทร์ที่ 4 มกราคม 2564", "ใครเสี่ยง?", "ที่มา : กรมควบคุมโรค"),
    "headline-twice": ("วันพุธที่ 21 มิถุนายน 2566", "E-book", "E-book"),
    "headline-and-dots": ("วันศุกร์ที่ 19 มกราคม 2567", "ธงชัยเฉลิมพล", "..."),
    # The first, its date line with a weekday the date does not fall on (a typo): still
    # an article's date line, not the empty page's placeholder.
    "weekday-typo": ("วันอังคารที่ 4 มกราคม 2564", "ใครเสี่ยง?", "ที่มา : กรมควบคุมโรค"),
}


@pytest.mark.parametrize(
    ("date_line", "headline", "text"), SHORT_ARTICLES.values(), ids=SHORT_ARTICLES
)
def test_the_shortest_corpus_articles_refreshing_at_once_in_the_template_are_read(
    date_line: str, headline: str, text: str
) -> None:
    html = in_template(text, date_line, headline)
    assert refresh_target(html, URL, body_block=ThaigovSpider.body_block) is None


# The placeholder date the site's empty page prints in its body block (1970-01-01; corpus
# records 35683, 36049 and 102 others, whose title is the bare prefix): no article's date.
NULL_DATE_LINE = "วันพฤหัสบดีที่ 1 มกราคม 2513"


@pytest.mark.parametrize(
    "message", ["", *MOVED_MESSAGES.values()], ids=["no-message", *MOVED_MESSAGES]
)
def test_the_sites_empty_page_with_its_null_date_refreshing_at_once_elsewhere_is_a_redirect(
    message: str,
) -> None:
    """The site's empty page as it is, its placeholder date in its body block, was read
    whatever it said and wherever it refreshed at once, as a date line opens an article's
    block: a soft 404 or an article headlined with the menu's first line, the moved
    article never fetched."""
    html = in_template(message, NULL_DATE_LINE)
    assert refresh_target(html, URL, body_block=ThaigovSpider.body_block) == MOVED_TO


READ_IN_TEMPLATE = {
    "a-date-line": "วันศุกร์ที่ 23 สิงหาคม 2567\nข่าวนี้ย้ายแล้ว",
    "a-maintenance-notice": "ปิดปรับปรุงระบบชั่วคราว ขออภัยในความไม่สะดวก",
    "more-than-a-message": "ข่าวทำเนียบรัฐบาล " * 7,
}


@pytest.mark.parametrize("text", READ_IN_TEMPLATE.values(), ids=READ_IN_TEMPLATE)
def test_the_template_refreshing_at_once_with_more_than_a_moved_message_is_read(text: str) -> None:
    """Text in the body block, outside its links, that is no short message is something
    to read: not a redirect."""
    assert len(READ_IN_TEMPLATE["more-than-a-message"].strip()) > MAX_TEMPLATE_MESSAGE_CHARS
    assert refresh_target(in_template(text), URL, body_block=ThaigovSpider.body_block) is None


NOT_FOUND_MESSAGES = {
    "thai": "ไม่พบข้อมูลข่าวที่ท่านต้องการ",
    "english": "News not found. Redirecting to the news page",
    "removed": "ข่าวนี้ถูกลบออกจากระบบแล้ว",
}


@pytest.mark.parametrize("message", NOT_FOUND_MESSAGES.values(), ids=NOT_FOUND_MESSAGES)
def test_the_sites_empty_page_saying_not_found_stays_a_soft_404_whatever_refresh_it_carries(
    message: str,
) -> None:
    """The site's empty page with a not-found message in its body block and a refresh
    within seconds to a listing was judged a redirect there and blocked: no soft 404, and
    a crawl not clean, so that every later crawl went back over its whole recheck window."""
    html = with_refresh(in_template(message), "3;url=/news/contents/main/1")
    assert refresh_target(html, URL, body_block=ThaigovSpider.body_block) is None
    assert judged_article_page(html).answer is Answer.PAGE
    assert thaigov.is_soft_404(html)


NOTICE_PAGE = """<!DOCTYPE html><html lang="th"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{refresh}"><title>{title}</title></head>
<body><div class="container"><h1>{text}</h1></div></body></html>"""
NOTICE = "ปิดปรับปรุงระบบชั่วคราว ขออภัยในความไม่สะดวก"
REFRESHING_NOTICES = {
    "home-after-10-s": ("10;url=/", "ปิดปรับปรุงระบบ", NOTICE),
    "itself-at-once": ("0;url=/news/contents/details/87382", "ปิดปรับปรุงระบบ", NOTICE),
    "elsewhere-at-once": ("0;url=/maintenance.html", "ปิดปรับปรุงระบบ", NOTICE),
    "in-its-title-only": ("0;url=/", "Site under maintenance", ""),
}


@pytest.mark.parametrize(
    ("refresh", "title", "text"), REFRESHING_NOTICES.values(), ids=REFRESHING_NOTICES
)
def test_a_short_notice_page_is_a_notice_whatever_refresh_it_carries(
    refresh: str, title: str, text: str
) -> None:
    """A bare maintenance page with a refresh was judged by its refresh: home, the
    article taken down (not found, a miss of the walk, the crawl clean); to itself at
    once, a redirect loop (blocked); elsewhere, blocked. The site says it serves no
    article now: the id failed, its article unknown."""
    html = NOTICE_PAGE.format(refresh=refresh, title=title, text=text)
    assert refresh_target(html, URL) is None
    assert judged_article_page(html).answer is Answer.PAGE
    assert thaigov.not_article(html, URL) is NotArticle.NOTICE


ARTICLE_PAGE = (DEFAULT_ROOT / "news/contents/details/87382.html").read_text(encoding="utf-8")


def stops_after(answers: list[tuple[int, bool]], limit: int) -> list[tuple[int, str]]:
    """The stops a thaigov spider asks for as it judges ``answers`` in turn (status, and
    whether the page is known to exist), ``limit`` refused pages stopping the site: each
    as (the number of the answer that stopped it, from 1; the reason)."""
    crawler = get_crawler(ThaigovSpider, {"REFUSED_PAGES_TO_STOP_SITE": limit})
    crawler.stats.open_spider()
    spider = ThaigovSpider()
    spider.crawler = crawler
    stops: list[tuple[int, str]] = []
    number = 0  # of the answer being judged

    def stop_site(request: Request, reason: str) -> None:
        stops.append((number, reason))

    crawler.signals.connect(stop_site, signal=STOP_SITE)
    for number, (status, known) in enumerate(answers, start=1):
        article_id = str(87300 + number)
        url = URL.replace("87382", article_id)
        # A 304 answers a request naming the version stored (a revisit's).
        validator = {"If-None-Match": '"v1"'} if status == 304 else {}
        request = Request(url, meta={"source_id": article_id, KNOWN_PAGE: known}, headers=validator)
        body = ARTICLE_PAGE if status == 200 else f"<h1>{status}</h1>"
        headers = {"Content-Type": UTF8_HTML}
        spider.judge(HtmlResponse(url, status=status, body=body.encode(), headers=headers,
                                  request=request))  # fmt: skip
    return stops


GUESS, KNOWN = False, True  # an id not stored yet, a page known to exist (a revisit)


def test_refused_guesses_alone_never_stop_the_site() -> None:
    assert stops_after([(403, GUESS)] * 30, limit=2) == []


def test_refused_pages_in_a_row_one_known_stop_the_site_once() -> None:
    assert stops_after([(403, KNOWN)] * 5, limit=3) == [(3, "refused 3 pages in a row")]
    assert stops_after([(403, GUESS)] * 3 + [(451, KNOWN), (403, GUESS)], limit=2) == [
        (4, "refused 4 pages in a row")
    ]
    assert stops_after([(401, GUESS), (403, KNOWN)], limit=2) == [(2, "refused 2 pages in a row")]


def test_a_page_served_in_the_crawl_rules_out_the_stop() -> None:
    for served in (200, 304, 404):
        assert stops_after([(served, GUESS)] + [(403, KNOWN)] * 10, limit=2) == []
    assert stops_after([(403, KNOWN), (200, GUESS)] + [(403, KNOWN)] * 10, limit=2) == []


def test_an_error_between_refused_pages_neither_counts_nor_breaks_the_run() -> None:
    assert stops_after([(403, KNOWN), (500, GUESS), (403, GUESS)], limit=2) == [
        (3, "refused 2 pages in a row")
    ]
    assert stops_after([(500, KNOWN)] * 5, limit=2) == []


@pytest.mark.parametrize(
    ("validators", "answer"),
    [
        ({}, Answer.ERROR),
        ({"If-None-Match": '"5f3a"'}, Answer.NOT_MODIFIED),
        ({"If-Modified-Since": "Fri, 23 Aug 2024 03:00:00 GMT"}, Answer.NOT_MODIFIED),
    ],
)
def test_a_304_is_not_modified_only_to_a_request_naming_a_stored_version(
    validators: dict[str, str], answer: Answer
) -> None:
    crawler = get_crawler(ThaigovSpider)
    crawler.stats.open_spider()
    spider = ThaigovSpider()
    spider.crawler = crawler
    request = Request(URL, meta={"source_id": "87382"}, headers=validators)

    verdict = spider.judge(Response(URL, status=304, request=request))

    assert verdict.answer is answer
    errors = [] if validators else [{"url": URL, "error": NOT_MODIFIED_UNASKED}]
    assert spider.errors == errors
    assert crawler.stats.get_value("thaidigest/not_modified") == (1 if validators else None)


def test_zero_refused_pages_to_stop_never_stops() -> None:
    assert stops_after([(403, KNOWN)] * 10, limit=0) == []


def sent_home(spider: SiteSpider, article_id: str, known: bool) -> Answer:
    """What ``spider`` makes of thaigov article ``article_id`` answered 307 to /."""
    url = URL.replace("87382", article_id)
    request = Request(url, meta={"source_id": article_id, KNOWN_PAGE: known})
    return spider.judge(
        Response(url, status=307, headers={"Location": "/"}, request=request)
    ).answer


def not_found(spider: SiteSpider) -> int:
    return spider.crawler.stats.get_value("thaidigest/not_found", 0)


def test_articles_sent_home_before_an_article_is_served_are_removed_once_one_is() -> None:
    spider = thaigov_spider()
    assert [sent_home(spider, "87381", KNOWN), sent_home(spider, "87380", GUESS)] == [
        Answer.SENT_AWAY
    ] * 2
    assert not_found(spider) == 0

    served_an_article(spider)

    assert (not_found(spider), spider.blocked) == (2, [])
    assert sent_home(spider, "87379", KNOWN) is Answer.MISSING  # counted by the spider


def test_articles_sent_home_in_a_crawl_serving_none_are_blocked_with_status_and_target() -> None:
    spider = thaigov_spider()
    sent_home(spider, "87381", GUESS)
    sent_home(spider, "87380", KNOWN)

    spider.settle_sent_away()  # the crawl's end

    assert [(entry["url"][-5:], entry["status"], entry["target"]) for entry in spider.blocked] == [
        ("87381", 307, f"{HOST}/"),
        ("87380", 307, f"{HOST}/"),
    ]
    assert not_found(spider) == 0


def test_guesses_alone_sent_home_in_a_crawl_serving_none_are_not_found() -> None:
    """thaigov ids past its newest article, which a site may send home."""
    spider = thaigov_spider()
    for article_id in ("87401", "87402"):
        sent_home(spider, article_id, GUESS)

    spider.settle_sent_away()

    assert (not_found(spider), spider.blocked) == (2, [])


def spider_refusing_at(limit: int) -> ThaigovSpider:
    """A thaigov spider whose site is stopped after ``limit`` pages refused in a row."""
    crawler = get_crawler(ThaigovSpider, {"REFUSED_PAGES_TO_STOP_SITE": limit})
    crawler.stats.open_spider()
    spider = ThaigovSpider()
    spider.crawler = crawler
    return spider


def served_a_search_page(spider: SiteSpider) -> None:
    """Have ``spider`` judge a search page (no article) answered with 200."""
    url = f"{HOST}/news/contents/search?page=1"
    page = HtmlResponse(url, body=b"<html></html>", headers={"Content-Type": UTF8_HTML},
                        request=Request(url))  # fmt: skip
    assert spider.judge(page).answer is Answer.PAGE


def test_a_stored_article_sent_home_on_a_site_serving_its_other_pages_is_removed() -> None:
    """A recrawl rechecking the one stored article the site took down: fewer sent home
    than the refusal limit, the search pages served. It was blocked, the crawl "blocked"
    and failing until the article left the revisit window."""
    spider = spider_refusing_at(5)
    served_a_search_page(spider)
    assert sent_home(spider, "87381", KNOWN) is Answer.SENT_AWAY

    spider.settle_sent_away()

    assert (not_found(spider), spider.blocked) == (1, [])


def test_as_many_articles_sent_home_as_the_refusal_limit_are_blocked_though_search_served() -> None:
    """Every article sent home while the search pages answer: a bot redirect."""
    spider = spider_refusing_at(3)
    served_a_search_page(spider)
    for article_id in ("87381", "87380", "87379"):
        sent_home(spider, article_id, KNOWN)

    spider.settle_sent_away()

    assert [entry["url"][-5:] for entry in spider.blocked] == ["87381", "87380", "87379"]
    assert not_found(spider) == 0


def test_a_revisit_asks_the_address_built_from_the_id_under_the_base_urls_prefix() -> None:
    """A base URL with a path (a mirror serving the site under /tg): the revisits asked
    the stored address's path on the new host, without /tg, and each answered 404."""
    thaigov = ThaigovSpider(base_url="http://mirror.example/tg/")
    mdes = MdesSpider(base_url="http://mirror.example/tg")
    stored_thaigov = "http://127.0.0.1:8000/news/contents/details/87382"

    assert thaigov.revisit_url(stored_thaigov, "87382") == (
        "http://mirror.example/tg/news/contents/details/87382"
    )
    assert [
        mdes.revisit_url(fetch_url, "11001")
        for fetch_url in (
            "http://127.0.0.1:8000/news/detail/11001-%E0%B8%81-report",  # the slug kept
            "http://old.example/pre/news/detail/11001",  # no slug
            "http://127.0.0.1:8000/news/detail/11002-another",  # another id's slug
            None,  # only imported
        )
    ] == [
        "http://mirror.example/tg/news/detail/11001-%E0%B8%81-report",
        "http://mirror.example/tg/news/detail/11001",
        "http://mirror.example/tg/news/detail/11001",
        "http://mirror.example/tg/news/detail/11001",
    ]


def test_articles_sent_home_in_a_row_one_known_stop_the_site_as_refusals_do() -> None:
    crawler = get_crawler(ThaigovSpider, {"REFUSED_PAGES_TO_STOP_SITE": 3})
    crawler.stats.open_spider()
    spider = ThaigovSpider()
    spider.crawler = crawler
    stops: list[str] = []

    def stop_site(request: Request, reason: str) -> None:
        stops.append(reason)

    crawler.signals.connect(stop_site, signal=STOP_SITE)

    for article_id in ("87381", "87380", "87379"):
        sent_home(spider, article_id, KNOWN)

    assert stops == ["refused 3 pages in a row"]
    assert [entry.get("reason") for entry in spider.blocked] == [
        None,
        None,
        "refused 3 pages in a row",
    ]
    assert not_found(spider) == 0


def raised(error: Exception) -> Failure:
    """The failure Scrapy hands the signals of ``error`` raised: with its traceback."""
    try:
        raise error
    except type(error):
        return Failure()


@pytest.mark.parametrize("spider_class", [ThaigovSpider, MdesSpider])
def test_a_callback_or_the_pipeline_raising_on_a_page_is_an_error_of_the_crawl(
    tmp_path: Path, spider_class: type[ThaigovSpider | MdesSpider]
) -> None:
    """A parser that raised (an MDES article with a footer link urlsplit could not read,
    before that was fixed) lost the page: Scrapy logged the traceback and went on, the
    report had no error and said ok, and the next crawl, incremental, did not look back."""
    settings = {CONFIG_SETTING: {}, DB_SETTING: database_url(str(tmp_path / "db.sqlite"))}
    crawler = get_crawler(spider_class, settings)
    crawler.stats.open_spider()
    spider = spider_class.from_crawler(crawler)
    crawler.spider = spider
    page = Response(URL, request=Request(URL))
    article = RawArticle(
        url="https://thaigov.go.th/news/contents/details/87382",
        source="thaigov",
        title="ข่าว",
        body="ข่าว",
        fetch_url=URL,
    )
    try:
        crawler.signals.send_catch_log(
            signals.spider_error,
            failure=raised(ValueError("Invalid IPv6 URL")),
            response=page,
            spider=spider,
        )
        crawler.signals.send_catch_log(
            signals.item_error,
            item=article,
            response=page,
            spider=spider,
            failure=raised(KeyError("topics")),
        )
    finally:
        spider.store.close()

    assert spider.errors == [
        {"url": URL, "error": f"{CALLBACK_FAILED} (ValueError: Invalid IPv6 URL)"},
        {"url": URL, "error": f"{ITEM_FAILED} (KeyError: 'topics')"},
    ]


@pytest.mark.parametrize("with_request", [True, False], ids=["its-request", "no-request"])
def test_an_errback_raising_is_an_error_of_the_crawl_at_its_requests_url(
    tmp_path: Path, with_request: bool
) -> None:
    """An errback that raises: Scrapy sends ``spider_error`` with the download's failure as
    ``response`` (scrapy.core.scraper.Scraper.handle_spider_error), the request set on it
    by ``call_spider_async``. Its ``.url`` raised inside the handler and the error was lost."""
    settings = {CONFIG_SETTING: {}, DB_SETTING: database_url(str(tmp_path / "db.sqlite"))}
    crawler = get_crawler(ThaigovSpider, settings)
    crawler.stats.open_spider()
    spider = ThaigovSpider.from_crawler(crawler)
    crawler.spider = spider
    download_failure = raised(TimeoutError("timed out"))
    if with_request:
        download_failure.request = Request(URL)
    try:
        results = crawler.signals.send_catch_log(
            signals.spider_error,
            failure=raised(KeyError("bug in errback")),
            response=download_failure,
            spider=spider,
        )
    finally:
        spider.store.close()

    assert not [r for _, r in results if isinstance(r, Failure)]  # the handler did not raise
    assert spider.errors == [
        {
            "url": URL if with_request else "?",
            "error": f"{CALLBACK_FAILED} (KeyError: 'bug in errback')",
        }
    ]


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        # A PDF whose first bytes are ASCII: Scrapy takes it for text, its type says not.
        ("application/pdf", b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n", "Content-Type: application/pdf"),
        ("image/png; charset=binary", b"PNG but ASCII", "Content-Type: image/png; charset=binary"),
        ("application/vnd.ms-excel", b"a,b\n1,2\n", "Content-Type: application/vnd.ms-excel"),
        ("application/x-pdf", b"%PDF-1.4\n", "Content-Type: application/x-pdf"),
        ("application/rtf", b"{\\rtf1\\ansi x}", "Content-Type: application/rtf"),
        ("application/json", b'{"a": 1}', "Content-Type: application/json"),
        # A server's label for bytes it does not know, on a PDF.
        (
            "application/octet-stream",
            b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n",
            "Content-Type: application/octet-stream",
        ),
        # A page under a server's odd label: its bytes begin as a page's.
        ("application/x-httpd-php", b"\n<!DOCTYPE html><html><body>x</body></html>", None),
        ("application/x-httpd-php", b'<meta http-equiv="refresh" content="0;url=/x">', None),
        ("application/x-httpd-php", b"\xef\xbb\xbf<head><title>x</title></head>", None),
        # Two byte-order marks: a template's and an included file's.
        ("application/x-httpd-php", b"\xef\xbb\xbf\xef\xbb\xbf\n<!DOCTYPE html><p>x</p>", None),
        # Pages however labelled: read as pages.
        ("text/html; charset=utf-8", b"<html><body>x</body></html>", None),
        ("application/xhtml+xml", b"<html><body>x</body></html>", None),
        ("application/vnd.wap.xhtml+xml", b"<html><body>x</body></html>", None),
        ("application/octet-stream", b"<html><body>x</body></html>", None),
        ("", b"<html><body>x</body></html>", None),
    ],
)
def test_an_answer_whose_type_is_a_document_is_no_page_of_text(content_type, body, reason):
    headers = {"Content-Type": content_type} if content_type else {}
    answer = TextResponse("https://www.thaigov.go.th/x", body=body, headers=headers)
    said = not_text_reason(answer)
    if reason is None:
        assert said is None
    else:
        assert said == f"not a page of text ({reason}): nothing of it stored"


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="20">'
    + "ข่าว".encode()
    + b"</text></svg>"
)
SVG_DOCUMENT = (
    b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n'
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
    b' "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + SVG
)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("image/svg+xml", SVG),
        ("image/svg+xml", SVG_DOCUMENT),
        ("text/xml", SVG_DOCUMENT),
        ("application/xml; charset=utf-8", SVG),
        ("text/html", SVG),  # its bytes say what it is, whatever its label
        ("", b"<svg:svg xmlns:svg='http://www.w3.org/2000/svg'/>"),
    ],
)
def test_an_svg_image_is_no_page_of_text_however_labelled(content_type, body):
    """It begins with a tag and comes as XML, so it was read as a page: an article
    address answered with one was judged by its text (no article, a miss of the walk)."""
    headers = {"Content-Type": content_type} if content_type else {}
    answer = TextResponse("https://www.thaigov.go.th/x", body=body, headers=headers)
    said = f"an SVG image; Content-Type: {content_type}" if content_type else "an SVG image"
    assert not_text_reason(answer) == f"not a page of text ({said}): nothing of it stored"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        # An HTML page with an inline SVG: its doctype, not the SVG's, comes first.
        (
            "text/html",
            b"<!DOCTYPE html>\n<svg><use href='#logo'/></svg><html><body>x</body></html>",
        ),
        ("text/html", b"<html><body><svg></svg><p>x</p></body></html>"),
        # An SVG sprite a template prints before its page: the SVG does not end the bytes.
        (
            "text/html",
            b"<svg style='display:none'><symbol id='logo'/></svg>\n"
            b"<!DOCTYPE html><html><body>x</body></html>",
        ),
        # An image's label on a page's bytes is judged by the bytes, as image/png's is.
        ("image/svg+xml", b"<!DOCTYPE html><html><body>x</body></html>"),
        ("application/xml", b'<?xml version="1.0"?><html><body>x</body></html>'),
        ("text/html", b"<svgpage><p>x</p></svgpage>"),
    ],
)
def test_a_page_that_holds_an_svg_or_is_labelled_as_one_is_a_page(content_type, body):
    answer = TextResponse(
        "https://www.thaigov.go.th/x", body=body, headers={"Content-Type": content_type}
    )
    assert not_text_reason(answer) is None


def test_an_image_labelled_svg_that_is_no_page_is_no_page_of_text():
    answer = TextResponse(
        "https://www.thaigov.go.th/x", body=b"GIF89a", headers={"Content-Type": "image/svg+xml"}
    )
    assert not_text_reason(answer) == (
        "not a page of text (Content-Type: image/svg+xml): nothing of it stored"
    )


def test_an_answer_scrapy_takes_for_no_text_is_no_page_of_text_whatever_its_type():
    answer = Response("https://www.thaigov.go.th/x", body=b"\x00\x01", headers={})
    assert not_text_reason(answer) == "not a page of text (no Content-Type): nothing of it stored"


def test_no_page_of_text_names_every_content_encoding_it_was_sent_in():
    """The last alone read "Content-Encoding: compress" for a body still gzipped (Scrapy
    decodes no coding past one it does not know)."""
    answer = Response(
        "https://www.thaigov.go.th/x",
        body=b"\x1f\x8b\x08\x00",
        headers={"Content-Encoding": ["gzip", "compress"]},
    )
    assert not_text_reason(answer) == (
        "not a page of text (Content-Encoding: gzip, compress): nothing of it stored"
    )
