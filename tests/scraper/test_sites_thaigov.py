"""thaigov.go.th page parsing, against saved pages built from real articles.

Expected values come from the seed and corpus text the pages were written from
(``pages/thaigov/*.expected.json`` and the literals below), never from the parser.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from scraper.fixture_site import DEFAULT_ROOT
from scraper.sites import NotArticle, PageArticle, fallback_extract, label_lines, thaigov
from thaidigest.dates import parse_date_line
from thaidigest.model import Article, RawArticle
from thaidigest.normalise import normalise_article
from thaidigest.sites import THAIGOV_TITLE_PREFIX

PAGES = Path(__file__).parent / "pages" / "thaigov"
BASE = "http://127.0.0.1:8765"
URL = f"{BASE}/news/contents/details/87382"

# Seed 001 (https://www.thaigov.go.th/news/contents/details/87382).
HEADLINE = "ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญของเศรษฐกิจดิจิทัล"
DATE_LINE = "วันศุกร์ที่ 23 สิงหาคม 2567"
FIRST_PARAGRAPH = (
    "เมื่อวันที่ 18 - 22 สิงหาคม 2024 นายเอกพงษ์ หริ่มเจริญ "
    "ผู้ตรวจราชการกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม (ดีอี) "
    "ในฐานะประธานการประชุมกลุ่มงานขับเคลื่อนเศรษฐกิจดิจิทัลของเอเปค "
    "(APEC Digital Economy Steering Group: DESG) ได้เข้าร่วมการประชุม APEC 2024 "
    "โดยมีการสนทนาและการเสวนาที่สำคัญหลายหัวข้อที่ครอบคลุมถึงการขับเคลื่อนเศรษฐกิจดิจิทัล"
    "ในภูมิภาคของสมาชิกเขตเศรษฐกิจเอเปค ณ กรุงลิมา, สาธารณรัฐเปรู"
)
LAST_PARAGRAPH = (
    "ดร.เอกพงษ์ ยังได้กล่าวถึงความสำคัญของการทำงานร่วมกันระหว่างฟอรั่มต่าง ๆ ภายใน APEC "
    "โดยยินดีต้อนรับการร่วมมือข้ามฟอรั่มเพื่อขับเคลื่อนเศรษฐกิจดิจิทัลในภูมิภาค"
    "ให้เติบโตอย่างยั่งยืนและครอบคลุมมากยิ่งขึ้น"
)


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def expected_article(name: str, url: str) -> dict[str, str | None]:
    """The expected PageArticle fields."""
    expected = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    return {**expected, "url": url}


def test_thai_article_yields_every_field_from_the_selectors() -> None:
    article = thaigov.parse_article(page("article_th.html"), URL)

    assert article is not None
    assert asdict(article) == expected_article("article_th", URL)


def test_body_keeps_date_line_print_label_and_repeated_headline_first() -> None:
    article = thaigov.parse_article(page("article_th.html"), URL)

    assert article is not None
    assert article.body.split("\n")[:5] == [DATE_LINE, "พิมพ์", HEADLINE, HEADLINE, FIRST_PARAGRAPH]
    assert article.title == HEADLINE
    assert article.date_text == DATE_LINE


@pytest.mark.parametrize(
    "date_line",
    [
        f"{DATE_LINE} เวลา 10:30 น.",
        f"{DATE_LINE} (แก้ไข 24 สิงหาคม 2567)",
        f"{DATE_LINE} เวลา 10:30 น. (แก้ไข 24 สิงหาคม 2567)",
        f"{DATE_LINE} | 10:30",
        f"{DATE_LINE} - 24:00 น.",
        "วันศุกร์ที่ ๒๓ สิงหาคม ๒๕๖๗ - ๑๐.๓๐ น.",  # Thai digits, a time after a separator
    ],
)
def test_a_date_line_with_a_time_or_an_edit_note_is_the_pages_date(date_line: str) -> None:
    html = page("article_th.html").replace(DATE_LINE, date_line, 1)

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert article.date_text == date_line


def test_line_break_inside_a_paragraph_starts_a_new_line() -> None:
    article = thaigov.parse_article(page("article_th.html"), URL)

    assert article is not None
    lines = article.body.split("\n")
    fourth = lines.index(LAST_PARAGRAPH) - 1
    assert lines[fourth].endswith("เช่น Walmart, ABAC, PECC, CIPL และ World Economic Forum")
    assert lines[-2:] == ["-" * 51, "กลุ่มประชาสัมพันธ์และเผยแพร่ สำนักโฆษก"]


def test_scripts_share_bar_and_menus_stay_out_of_the_body() -> None:
    article = thaigov.parse_article(page("article_th.html"), URL)

    assert article is not None
    for noise in ("lightGallery", "Facebook", "แชร์ข่าวนี้", "ข่าวที่เกี่ยวข้อง", "หน้าหลัก", "gtag"):
        assert noise not in article.body


# A share bar and a breadcrumb trail, which the corpus shows outside the body block, put
# inside it (at its top or end) as a template may: as markup, or as text alone.
BODY_BLOCK = '<div class="border-normal clearfix">\n'
CREDIT = "<p>กลุ่มประชาสัมพันธ์และเผยแพร่ สำนักโฆษก</p>\n"
SHARE_BAR = (
    '<div class="share-bar clearfix"><span>แชร์ข่าวนี้</span> '
    '<a href="https://www.facebook.com/sharer/sharer.php">'
    '<i class="fa fa-facebook"></i> Facebook</a> '
    '<a href="https://twitter.com/intent/tweet"><i class="fa fa-twitter"></i> X</a> '
    '<a href="https://social-plugins.line.me/lineit/share">LINE</a></div>\n'
)
SHARE_TEXT = "<p>แชร์ : Facebook | Twitter | LINE</p>\n"
CRUMBS = '<a href="/">หน้าหลัก</a> &gt; <a href="/news/contents/main/1">ข่าวสาร</a>'
INSIDE_BODY_BLOCK = {
    "share bar at the end": (CREDIT, CREDIT + SHARE_BAR),
    "share bar as text": (CREDIT, CREDIT + SHARE_TEXT),
    "breadcrumb at the top": (BODY_BLOCK, f'{BODY_BLOCK}<div class="col-xs-12">{CRUMBS}</div>\n'),
    "breadcrumb to the category": (
        BODY_BLOCK,
        f'{BODY_BLOCK}<ol class="breadcrumb"><li><a href="/">หน้าหลัก</a></li>'
        '<li><a href="/news/contents/main/1">ข่าวสาร</a></li><li class="active">ด้านสังคม</li></ol>\n',
    ),
    "breadcrumb to the headline": (
        BODY_BLOCK,
        f'{BODY_BLOCK}<div class="breadcrumbs">{CRUMBS} &gt; <span>{HEADLINE}</span></div>\n',
    ),
    # A counter changes from crawl to crawl: kept, it made a new version each time.
    "share bar with a counter": (
        CREDIT,
        CREDIT + '<div class="share-bar"><span>แชร์</span> '
        '<a href="https://www.facebook.com/sharer/sharer.php">Facebook</a> '
        '<a href="https://social-plugins.line.me/lineit/share">LINE</a> <span>1.2K</span></div>\n',
    ),
    "share bar with a views counter": (
        CREDIT,
        CREDIT + '<div class="share-bar"><span>แชร์</span> '
        '<a href="https://www.facebook.com/sharer/sharer.php">Facebook</a> '
        '<a href="https://social-plugins.line.me/lineit/share">LINE</a> '
        "<span>1.2K views</span></div>\n",
    ),
    "share bar as text with a counter": (
        CREDIT,
        CREDIT + "<p>แชร์ 1.2K : Facebook | Twitter | LINE</p>\n",
    ),
    "breadcrumb to the headline cut short": (
        BODY_BLOCK,
        f'{BODY_BLOCK}<ol class="breadcrumb"><li><a href="/">หน้าหลัก</a></li>'
        '<li><a href="/news/contents/main/1">ข่าวสาร</a></li>'
        f'<li class="active">{HEADLINE[:25]}…</li></ol>\n',
    ),
}


def with_furniture_inside(placement: str) -> str:
    """``article_th.html`` without its share bar, the furniture put inside its body block."""
    html = page("article_th.html")
    share_bar = re.search(r'      <div class="share-bar clearfix">.*?</div>\n', html, re.S)
    assert share_bar is not None
    old, new = INSIDE_BODY_BLOCK[placement]
    assert html.count(old) == 1
    return html.replace(share_bar.group(0), "").replace(old, new)


@pytest.mark.parametrize("placement", INSIDE_BODY_BLOCK)
def test_a_share_bar_or_breadcrumb_inside_the_body_block_is_not_text(placement: str) -> None:
    """Both stayed in the article's text, as stored: the share bar after the credit line,
    the trail above the date line."""
    article = thaigov.parse_article(with_furniture_inside(placement), URL)

    assert article is not None
    assert asdict(article) == expected_article("article_th", URL)


@pytest.mark.parametrize("placement", INSIDE_BODY_BLOCK)
def test_a_fallback_read_leaves_the_share_bar_and_breadcrumb_out_too(placement: str) -> None:
    html = with_furniture_inside(placement)

    fallback = thaigov.parse_article(headline_renamed(html), URL)

    assert fallback is not None and fallback.extraction == "fallback"
    lines = fallback.body.split("\n")
    assert FIRST_PARAGRAPH in lines
    for furniture in ("แชร์", "Facebook", "LINE", "หน้าหลัก", "ข่าวสาร"):
        assert furniture not in fallback.body


# A view counter or a last-visit stamp put inside the body block, as a template may:
# beside the print button or the date line, in an element named a counter, a stamp's line.
# ``{n}`` is the count, another at each visit; ``{d}``, its last digit.
PRINT_BUTTON = '<i class="fa fa-print"></i> พิมพ์</a>'
DATE_SPAN = f'<span class="Circular font_level4 color4">{DATE_LINE}</span>'
VISIT_WIDGETS = {
    "worded counter in an element named a counter": (
        CREDIT,
        CREDIT + '<p class="counter">เข้าชม {n} ครั้ง</p>\n',
    ),
    "english counter beside the date line": (DATE_SPAN, DATE_SPAN + " <span>Views: {n}</span>"),
    "counter beside the print button": (PRINT_BUTTON, PRINT_BUTTON + " | <span>อ่าน {n} ครั้ง</span>"),
    "number beside the print button": (
        PRINT_BUTTON,
        PRINT_BUTTON + ' <span class="view-count"><i class="fa fa-eye"></i> {n}</span>',
    ),
    "counter beside the date line": (DATE_SPAN, DATE_SPAN + " <span>เข้าชม {n} ครั้ง</span>"),
    "number in a block named a counter": (
        CREDIT,
        CREDIT + '<div id="hit-counter"><i class="fa fa-eye"></i> {n}</div>\n',
    ),
    "last-visit stamp": (CREDIT, CREDIT + "<p>เข้าชมล่าสุด 7 ธ.ค. 2569 10:1{d} น.</p>\n"),
}


def with_visit_widget(placement: str, count: str) -> str:
    html = page("article_th.html")
    old, new = VISIT_WIDGETS[placement]
    assert html.count(old) == 1
    return html.replace(old, new.replace("{n}", count).replace("{d}", count[-1]))


@pytest.mark.parametrize("placement", VISIT_WIDGETS)
def test_a_view_counter_inside_the_body_block_is_not_text(placement: str) -> None:
    """Kept, each visit's count made the article's text another: a new version."""
    visits = [thaigov.parse_article(with_visit_widget(placement, n), URL) for n in ("1,234", "5")]

    for article in visits:
        assert article is not None
        assert asdict(article) == expected_article("article_th", URL)


# The worded ones: the generic extractor leaves the print button's row and a number
# without words out of its text itself.
WORDED_VISIT_WIDGETS = (
    "english counter beside the date line",
    "counter beside the date line",
    "last-visit stamp",
)


@pytest.mark.parametrize("placement", WORDED_VISIT_WIDGETS)
def test_a_fallback_read_leaves_a_worded_view_counter_out_too(placement: str) -> None:
    visits = [
        thaigov.parse_article(headline_renamed(with_visit_widget(placement, n)), URL)
        for n in ("1,234", "5")
    ]

    assert [article and article.extraction for article in visits] == ["fallback", "fallback"]
    texts = [normalised(article, URL) for article in visits if article is not None]
    assert texts[0].content_hash == texts[1].content_hash
    assert FIRST_PARAGRAPH in texts[0].body.split("\n")
    assert [article.date_text for article in visits if article is not None] == [DATE_LINE] * 2


# Article lines holding a number and ครั้ง, a visit's word or a reader's count.
TEXT_WITH_COUNTS = (
    "การประชุมคณะกรรมการ ครั้งที่ 3/2567",
    "ครั้งแรก",
    "110,308 ครั้ง",
    "1. ทีม อคิราห์ ยอดวิว 4,407 ครั้ง",
    "มีผู้เข้าชม 1,234 คน",
    "เข้าชม 1,234 ครั้ง",
    "Views: 1,234",
    "ผู้เข้าชม 5,000 คน",
)


def test_a_line_with_a_number_and_a_count_word_stays_in_the_body() -> None:
    lines = "".join(f"<p>{line}</p>\n" for line in TEXT_WITH_COUNTS)
    html = page("article_th.html").replace(CREDIT, CREDIT + lines, 1)

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert article.body.split("\n")[-len(TEXT_WITH_COUNTS) - 1 :] == [
        "กลุ่มประชาสัมพันธ์และเผยแพร่ สำนักโฆษก",
        *TEXT_WITH_COUNTS,
    ]
    assert normalised(article, URL).body.endswith("\n".join(TEXT_WITH_COUNTS))


# Numbers of the article in elements whose class names a field or a list, not a count of
# the page's views (a Drupal view's "views-field" and "view-content" hold its content).
NUMBERS_IN_NAMED_ELEMENTS = (
    ('<table><tr><td class="visitors">1,250,000</td></tr></table>', "1,250,000"),
    ('<span class="views-field views-field-field-budget">2,500</span>', "2,500"),
    ('<div class="hit">2567</div>', "2567"),
    ('<p class="view-content">2568</p>', "2568"),
)


def test_a_number_in_an_element_not_named_a_counter_stays_in_the_body() -> None:
    elements = "".join(f"{element}\n" for element, _number in NUMBERS_IN_NAMED_ELEMENTS)
    html = page("article_th.html").replace(CREDIT, CREDIT + elements, 1)

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert article.body.split("\n")[-len(NUMBERS_IN_NAMED_ELEMENTS) :] == [
        number for _element, number in NUMBERS_IN_NAMED_ELEMENTS
    ]


# Lines of the public corpus that name a platform or a share, and a sentence in a block
# named like a share bar: article text.
SHARE_LIKE_TEXT = (
    "อย่าแชร์...",
    "LINE : ไทยคู่ฟ้า (@thaigov)",
    "Facebook/Twitter : ไทยคู่ฟ้า",
    "ทวิตเตอร์ https://twitter.com/AFNCThailand",
    "> นักท่องเที่ยวจีน",
    "Facebook",
    "หน้าหลักของเว็บไซต์ได้ปรับปรุงใหม่ > ดูได้ที่ www.thaigov.go.th",
)


def test_text_that_names_a_share_or_a_platform_stays_in_the_body() -> None:
    lines = "".join(f"<p>{line}</p>\n" for line in SHARE_LIKE_TEXT[:-1])
    social = (
        f'<div class="social-media">{SHARE_LIKE_TEXT[-1]} '
        '<a href="https://www.facebook.com/thaigov">Facebook</a></div>\n'
    )
    html = page("article_th.html").replace(CREDIT, CREDIT + lines + social, 1)

    article = thaigov.parse_article(html, URL)

    assert article is not None
    body = article.body.split("\n")
    assert body[-len(SHARE_LIKE_TEXT) :] == [
        *SHARE_LIKE_TEXT[:-1],
        f"{SHARE_LIKE_TEXT[-1]} Facebook",
    ]


def test_the_empty_page_with_a_breadcrumb_in_its_body_block_is_a_soft_404() -> None:
    empty_block = '<div class="col-xs-12 padding-sm1 news-3 font_level4"></div>'
    trail = f"<p>{CRUMBS} &gt; <a href='/news/contents/main/1'>ข่าวทำเนียบรัฐบาล</a></p>"
    html = page("soft_404.html").replace(empty_block, trail, 1)
    assert trail in html

    assert thaigov.is_soft_404(html)
    assert thaigov.parse_article(html, URL) is None


# A list of other news put inside the body block, after the credit line, as 187 articles of
# the public corpus show one ("ข่าวที่เกี่ยวข้อง" over five other headlines). ``{first}`` is
# the first entry's headline, another when the list moves on.
OTHER_ARTICLE = '<a href="/news/contents/details/{id}">{headline}</a>'
FIRST_ENTRY = OTHER_ARTICLE.format(id="87377", headline="{first}")
SECOND_ENTRY = OTHER_ARTICLE.format(id="87378", headline="อนุทิน กำชับ ปภ. ดูแลความปลอดภัยประชาชน")
RELATED_BOXES = {
    "box with a heading and links": (
        '<div class="related"><h4>ข่าวที่เกี่ยวข้อง</h4>'
        f"<ul><li>{FIRST_ENTRY}</li><li>{SECOND_ENTRY}</li></ul></div>\n"
    ),
    "links in a list named related news": (
        f'<ul class="news-related"><li>{FIRST_ENTRY}</li><li>{SECOND_ENTRY}</li></ul>\n'
    ),
    "links in a box named latest news, a line each": (
        f'<p id="latest-news">{FIRST_ENTRY}<br>{SECOND_ENTRY}</p>\n'
    ),
    "links with their dates in a box named other news": (
        f'<div class="other-news"><ul><li>{FIRST_ENTRY} (23/08/2567)</li>'
        f"<li>{SECOND_ENTRY} - 22 ส.ค. 2567</li></ul></div>\n"
    ),
    "heading over links, a line each": (f"<p>ข่าวที่เกี่ยวข้อง<br>{FIRST_ENTRY}<br>{SECOND_ENTRY}</p>\n"),
    "headed list without links": (
        "<div><h4>ข่าวล่าสุด</h4><ul><li>{first}</li>"
        "<li>โฆษกรัฐบาลแถลงผลการประชุม ครม.</li></ul></div>\n"
    ),
    "headed paragraphs without links": (
        "<div><p><strong>ข่าวอื่นๆ</strong></p><p>{first}</p>"
        "<p>โฆษกรัฐบาลแถลงผลการประชุม ครม.</p></div>\n"
    ),
    "heading over a list beside it": (
        f"<h4>Related news</h4>\n<ul><li>{FIRST_ENTRY}</li><li>{SECOND_ENTRY}</li></ul>\n"
    ),
    "heading of an empty list": "<p>ข่าวที่เกี่ยวข้อง</p>\n",
    "box with any heading over links": (
        '<div class="box"><h4 class="Circular">ข่าวแนะนำ</h4>'
        f"<ul><li>{FIRST_ENTRY}</li><li>{SECOND_ENTRY}</li></ul></div>\n"
    ),
    "bold heading over links beside it": (
        f"<p><strong>ข่าวยอดนิยม</strong></p><ul><li>{FIRST_ENTRY}</li><li>{SECOND_ENTRY}</li></ul>\n"
    ),
    "any heading over links with their date lines": (
        f'<div class="box"><h5>อ่านข่าวอื่น</h5><p>{FIRST_ENTRY}<br>วันพฤหัสบดีที่ 22 สิงหาคม 2567'
        f"<br>{SECOND_ENTRY}<br>วันพุธที่ 21 สิงหาคม 2567</p></div>\n"
    ),
    "heading over a list, a share bar after it": (
        f"<h4>ข่าวที่เกี่ยวข้อง</h4><ul><li>{FIRST_ENTRY}</li><li>{SECOND_ENTRY}</li></ul>\n" + SHARE_BAR
    ),
}
ROTATED = ("ผู้ว่าฯ แพร่ สั่งการทุกภาคส่วนรับมือน้ำยมล้นตลิ่ง", "นายกฯ ลงพื้นที่ตรวจน้ำท่วม")


def with_related_box(layout: str, first: str) -> str:
    html = page("article_th.html")
    assert html.count(CREDIT) == 1
    return html.replace(CREDIT, CREDIT + RELATED_BOXES[layout].replace("{first}", first))


@pytest.mark.parametrize("layout", RELATED_BOXES)
def test_a_list_of_other_news_inside_the_body_block_is_not_text(layout: str) -> None:
    """Stored as the article's last lines, it made a new version each time it moved on."""
    for first in ROTATED:
        article = thaigov.parse_article(with_related_box(layout, first), URL)

        assert article is not None
        assert asdict(article) == expected_article("article_th", URL)


@pytest.mark.parametrize("layout", RELATED_BOXES)
def test_a_fallback_read_leaves_a_list_of_other_news_out_too(layout: str) -> None:
    reads = [
        thaigov.parse_article(headline_renamed(with_related_box(layout, first)), URL)
        for first in ROTATED
    ]

    assert [article and article.extraction for article in reads] == ["fallback", "fallback"]
    texts = [normalised(article, URL) for article in reads if article is not None]
    assert texts[0].body.split("\n")[-1] == "กลุ่มประชาสัมพันธ์และเผยแพร่ สำนักโฆษก"
    assert texts[0].content_hash == texts[1].content_hash


@pytest.mark.parametrize(
    "layout",
    ["box with any heading over links", "bold heading over links beside it"],
)
def test_a_headed_list_of_links_to_other_articles_within_the_text_is_not_text(layout: str) -> None:
    """Before the credit line, not ending the text: whatever its heading, it lists other news."""
    for first in ROTATED:
        box = RELATED_BOXES[layout].replace("{first}", first)
        html = page("article_th.html").replace(CREDIT, box + CREDIT, 1)

        article = thaigov.parse_article(html, URL)

        assert article is not None
        assert asdict(article) == expected_article("article_th", URL)


# Text with links to other articles, documents and other sites, lists of the article's own,
# and a line after a list of other news in one block, as the body block may hold them at
# the end of the text: (markup, lines it shows).
LINKED_TEXT = {
    "links to other articles without a heading": (
        f"<ul><li>{FIRST_ENTRY.replace('{first}', ROTATED[0])}</li><li>{SECOND_ENTRY}</li></ul>",
        [ROTATED[0], "อนุทิน กำชับ ปภ. ดูแลความปลอดภัยประชาชน"],
    ),
    "a link to another article in a sentence": (
        "<p>อ่านรายละเอียดการประชุมครั้งก่อนได้ที่ "
        f"{FIRST_ENTRY.replace('{first}', 'ข่าวการประชุมครั้งที่ 1')} และ "
        f"{SECOND_ENTRY}</p>",
        ["อ่านรายละเอียดการประชุมครั้งก่อนได้ที่ ข่าวการประชุมครั้งที่ 1 และ อนุทิน กำชับ ปภ. ดูแลความปลอดภัยประชาชน"],
    ),
    "links to documents and a partner's site": (
        '<ul><li><a href="/uploads/content/files/87382_1.pdf">ร่างแถลงการณ์ร่วม APEC 2024</a></li>'
        '<li><a href="https://www.apec.org/groups/digital-economy">APEC DESG</a></li></ul>',
        ["ร่างแถลงการณ์ร่วม APEC 2024", "APEC DESG"],
    ),
    "a heading over links to documents and a partner's site": (
        '<div class="box"><h4>เอกสารประกอบ</h4><ul>'
        '<li><a href="/uploads/content/files/87382_1.pdf">ร่างแถลงการณ์ร่วม APEC 2024</a></li>'
        '<li><a href="https://www.apec.org/groups/digital-economy">APEC DESG</a></li></ul></div>',
        ["เอกสารประกอบ", "ร่างแถลงการณ์ร่วม APEC 2024", "APEC DESG"],
    ),
    "a bold heading over links to other pages of the site": (
        "<p><strong>ติดตามข่าวสารเพิ่มเติม</strong></p><ul>"
        '<li><a href="/news/contents/main/1">ข่าวทำเนียบรัฐบาล</a></li>'
        '<li><a href="/news/contents/ministry/2">ข่าวกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม</a></li></ul>',
        ["ติดตามข่าวสารเพิ่มเติม", "ข่าวทำเนียบรัฐบาล", "ข่าวกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"],
    ),
    "a list of the article's own": (
        "<ul><li>มาตรการที่ 1 ส่งเสริมอีคอมเมิร์ซ</li><li>มาตรการที่ 2 สนับสนุน MSMEs</li></ul>",
        ["มาตรการที่ 1 ส่งเสริมอีคอมเมิร์ซ", "มาตรการที่ 2 สนับสนุน MSMEs"],
    ),
    "addresses of other articles": (
        '<p><a href="/news/contents/details/87377">https://www.thaigov.go.th/news/contents/details/87377</a></p>'
        '<p><a href="/news/contents/details/87378">https://www.thaigov.go.th/news/contents/details/87378</a></p>',
        [
            "https://www.thaigov.go.th/news/contents/details/87377",
            "https://www.thaigov.go.th/news/contents/details/87378",
        ],
    ),
    "a credit after a list of other news in one block": (
        '<div class="news-footer"><div class="related"><h4>ข่าวที่เกี่ยวข้อง</h4>'
        f"<ul><li>{FIRST_ENTRY.replace('{first}', ROTATED[0])}</li><li>{SECOND_ENTRY}</li></ul>"
        "</div><p>ภาพ: กลุ่มประชาสัมพันธ์ สำนักโฆษก</p></div>",
        ["ภาพ: กลุ่มประชาสัมพันธ์ สำนักโฆษก"],
    ),
    "a heading's words over text": (
        "<p>ข่าวที่เกี่ยวข้อง</p><p>ผู้สนใจติดต่อได้ที่กลุ่มประชาสัมพันธ์</p>",
        ["ข่าวที่เกี่ยวข้อง", "ผู้สนใจติดต่อได้ที่กลุ่มประชาสัมพันธ์"],
    ),
}


@pytest.mark.parametrize("text", LINKED_TEXT)
def test_text_with_links_or_a_list_of_its_own_stays_in_the_body(text: str) -> None:
    markup, shown = LINKED_TEXT[text]
    html = page("article_th.html").replace(CREDIT, CREDIT + markup, 1)

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert article.body.split("\n")[-len(shown) - 1 :] == [
        "กลุ่มประชาสัมพันธ์และเผยแพร่ สำนักโฆษก",
        *shown,
    ]


# Text of the article's own in the middle of it (the credit line after it) that a list of
# other news's heading or links may look like: (markup, lines it shows).
OWN_TEXT_LIKE_A_LIST = {
    "a list of projects linked to their pages": (
        "<p>โครงการภายใต้ความร่วมมือ มีดังนี้</p><ul>"
        '<li><a href="/news/contents/details/80000">โครงการ Cloud First ของรัฐบาล</a></li>'
        '<li><a href="/news/contents/details/80001">โครงการพัฒนาโครงข่าย 5G</a></li>'
        '<li><a href="/news/contents/details/80002">โครงการ Digital ID</a></li></ul>',
        [
            "โครงการภายใต้ความร่วมมือ มีดังนี้",
            "โครงการ Cloud First ของรัฐบาล",
            "โครงการพัฒนาโครงข่าย 5G",
            "โครงการ Digital ID",
        ],
    ),
    "a 'latest news' subheading over its bullets": (
        "<p><strong>ข่าวล่าสุด</strong></p><ul>"
        "<li>ที่ประชุมเห็นชอบกรอบความร่วมมือด้าน AI กับญี่ปุ่น</li>"
        "<li>ไทยจะเป็นเจ้าภาพการประชุมครั้งต่อไปในปี 2568</li></ul>",
        [
            "ข่าวล่าสุด",
            "ที่ประชุมเห็นชอบกรอบความร่วมมือด้าน AI กับญี่ปุ่น",
            "ไทยจะเป็นเจ้าภาพการประชุมครั้งต่อไปในปี 2568",
        ],
    ),
    "a heading over links to documents": (
        "<h4>เอกสารแนบ</h4><ul>"
        '<li><a href="/uploads/content/files/87382_1.pdf">ร่างแถลงการณ์ร่วม APEC 2024</a></li>'
        '<li><a href="/uploads/content/files/87382_2.pdf">กรอบความร่วมมือด้าน AI</a></li></ul>',
        ["เอกสารแนบ", "ร่างแถลงการณ์ร่วม APEC 2024", "กรอบความร่วมมือด้าน AI"],
    ),
    "a box of paragraphs under an 'of interest' heading": (
        "<div><p>ข่าวที่น่าสนใจ</p>"
        "<p>ที่ประชุมเห็นชอบกรอบความร่วมมือด้าน AI กับญี่ปุ่น และจะลงนามบันทึกความเข้าใจในเดือนหน้า</p>"
        "<p>ไทยจะเป็นเจ้าภาพการประชุมครั้งต่อไปในปี 2568</p></div>",
        [
            "ข่าวที่น่าสนใจ",
            "ที่ประชุมเห็นชอบกรอบความร่วมมือด้าน AI กับญี่ปุ่น และจะลงนามบันทึกความเข้าใจในเดือนหน้า",
            "ไทยจะเป็นเจ้าภาพการประชุมครั้งต่อไปในปี 2568",
        ],
    ),
}


@pytest.mark.parametrize("text", OWN_TEXT_LIKE_A_LIST)
def test_text_of_its_own_shaped_like_a_list_of_other_news_stays_in_the_body(text: str) -> None:
    """Only a list of other news that ends the text, or a box so named, is none of it."""
    markup, shown = OWN_TEXT_LIKE_A_LIST[text]
    html = page("article_th.html").replace(CREDIT, markup + CREDIT, 1)

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert article.extraction == "selectors"
    assert article.body.split("\n")[-len(shown) - 2 :] == [
        "---------------------------------------------------",
        *shown,
        "กลุ่มประชาสัมพันธ์และเผยแพร่ สำนักโฆษก",
    ]


# A round-up page: its text is only the day's articles, linked, maybe under a heading or in
# a box a list of other news could have.
DAYS_ARTICLES = [
    "นายกฯ ประชุมคณะรัฐมนตรีเศรษฐกิจ",
    "ดีอี ร่วมประชุม APEC 2024",
    "รัฐบาลเปิดตัวแอปทางรัฐ รุ่นใหม่",
    "ครม. เห็นชอบร่าง พ.ร.บ. ไซเบอร์",
]
DAYS_LINKS = "".join(
    OTHER_ARTICLE.format(id=81000 + number, headline=headline).join(("<p>", "</p>"))
    for number, headline in enumerate(DAYS_ARTICLES)
)
ROUND_UPS = {
    "links only": DAYS_LINKS,
    "under a heading": f"<p>ข่าวล่าสุด</p>{DAYS_LINKS}",
    "in a box named latest news": f'<div class="latest-news">{DAYS_LINKS}</div>',
}


@pytest.mark.parametrize("round_up", ROUND_UPS)
def test_a_round_up_of_the_days_articles_keeps_its_text(round_up: str) -> None:
    """Left out as a list of other news, its body was empty: a stored copy was emptied."""
    html = page("article_th.html")
    text_start = html.index("<p><strong>ดีอี")
    text_end = html.index(CREDIT) + len(CREDIT)
    html = html[:text_start] + ROUND_UPS[round_up] + html[text_end:]

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert article.extraction == "selectors"
    assert article.body.split("\n")[-len(DAYS_ARTICLES) :] == DAYS_ARTICLES


def test_a_fallback_read_of_a_round_up_under_a_heading_keeps_its_text() -> None:
    html = page("article_th.html")
    text_start = html.index("<p><strong>ดีอี")
    text_end = html.index(CREDIT) + len(CREDIT)
    headlines = "".join(f"<p>{headline}</p>" for headline in DAYS_ARTICLES)
    html = html[:text_start] + f"<p>ข่าวล่าสุด</p>{headlines}" + html[text_end:]

    article = thaigov.parse_article(headline_renamed(html), URL)

    assert article is not None
    assert article.extraction == "fallback"
    assert article.body.split("\n")[-len(DAYS_ARTICLES) :] == DAYS_ARTICLES


# A related-news teaser in the headline's markup, before the article's own headline.
TEASER = "นายกรัฐมนตรีเป็นประธานการประชุมคณะรัฐมนตรี"
TEASER_HEADLINE = f'<h3 class="news-1 Circular color2">{TEASER}</h3>'
TEASERS = {
    "linked": f'<a href="/news/contents/details/87380">{TEASER_HEADLINE}</a>',
    "not linked": TEASER_HEADLINE,
}


# Where a teaser goes: in the article's column before the body block (the headline in
# it), or before the headline standing above the body block.
TEASER_BEFORE = {
    "article_th.html": '<div class="border-normal clearfix">\n',
    "article_banner_headline_before.html": (
        '<div class="col-xs-12 col-sm-6 padding-sm1 news-2">\n        <h3 class="news-1'
    ),
}


def with_teaser(name: str, teaser: str, *, title: bool) -> str:
    """The page ``name`` with a teaser before its headline and body block, and without
    its ``<title>`` if not ``title``."""
    html = page(name)
    before = TEASER_BEFORE[name]
    assert html.count(before) == 1
    box = f'<div class="col-xs-12 col-sm-6 padding-sm1 news-2">{TEASERS[teaser]}</div>\n'
    html = html.replace(before, box + before)
    return html if title else re.sub(r"<title>.*?</title>", "", html, flags=re.S)


@pytest.mark.parametrize("title", [True, False], ids=["title", "no title"])
@pytest.mark.parametrize("teaser", TEASERS)
def test_another_articles_headline_before_the_body_is_not_the_headline(
    teaser: str, title: bool
) -> None:
    """The first element of the headline's markup was taken: the article stored under
    the teaser's headline."""
    article = thaigov.parse_article(with_teaser("article_th.html", teaser, title=title), URL)

    assert article is not None
    assert asdict(article) == expected_article("article_th", URL)


@pytest.mark.parametrize("title", [True, False], ids=["title", "no title"])
@pytest.mark.parametrize("teaser", TEASERS)
def test_another_articles_headline_before_the_headline_is_not_the_headline(
    teaser: str, title: bool
) -> None:
    html = with_teaser("article_banner_headline_before.html", teaser, title=title)

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert (article.title, article.date_text, article.extraction) == (
        HEADLINE,
        DATE_LINE,
        "selectors",
    )
    assert article.body.split("\n")[:4] == [DATE_LINE, HEADLINE, HEADLINE, FIRST_PARAGRAPH]


def test_the_empty_page_with_a_linked_teaser_in_the_headlines_markup_is_a_soft_404() -> None:
    empty = '<div class="col-xs-12 col-sm-6 padding-sm1 news-2" style="width:100%">'
    box = f'<div class="col-xs-12 col-sm-6 padding-sm1 news-2">{TEASERS["linked"]}</div>'
    html = page("soft_404.html").replace(empty, box + empty, 1)
    assert box in html

    assert thaigov.is_soft_404(html)
    assert thaigov.parse_article(html, URL) is None


def test_a_headline_linking_to_its_own_page_is_the_headline() -> None:
    own = f'<h3 class="news-1 Circular color2">{HEADLINE}</h3>'
    html = page("article_th.html").replace(own, f'<a href="/news/contents/details/87382">{own}</a>')
    assert html != page("article_th.html")

    article = thaigov.parse_article(html, URL)

    assert article is not None and article.title == HEADLINE


OWN_HEADLINE = f'<h3 class="news-1 Circular color2">{HEADLINE}</h3>'
# id -> (the teaser's text, whether it links to another article, whether the headline
# links to its own page)
TEASER_VARIANTS = {
    "own-linked headline, unlinked teaser": (TEASER, False, True),
    "own-linked headline, linked teaser": (TEASER, True, True),
    "teaser the headline and more": (f"{HEADLINE} (เพิ่มเติม)", False, False),
    "both linked, teaser the headline and more": (f"{HEADLINE} (เพิ่มเติม)", True, True),
    "teaser a start of the headline": ("ดีอี ร่วมประชุม APEC 2024", False, False),
    "both linked, teaser a start of the headline": ("ดีอี ร่วมประชุม APEC 2024", True, True),
}


@pytest.mark.parametrize("name", TEASER_BEFORE)
@pytest.mark.parametrize(
    ("text", "linked", "own_linked"), TEASER_VARIANTS.values(), ids=TEASER_VARIANTS
)
def test_the_headline_is_chosen_over_a_teaser_linking_elsewhere_or_sharing_its_start(
    name: str, text: str, linked: bool, own_linked: bool
) -> None:
    """Only a link to another article than the page's own marks a teaser, and the title
    names the headline exactly (or cut short), not a teaser it is a start of: the teaser
    was taken when the headline linked to its own page, or began or ended the same."""
    teaser = f'<h3 class="news-1 Circular color2">{text}</h3>'
    if linked:
        teaser = f'<a href="/news/contents/details/87380">{teaser}</a>'
    box = f'<div class="col-xs-12 col-sm-6 padding-sm1 news-2">{teaser}</div>\n'
    html = page(name).replace(TEASER_BEFORE[name], box + TEASER_BEFORE[name])
    assert box in html and html.count(OWN_HEADLINE) == 1
    if own_linked:  # the page's own id, that of URL
        html = html.replace(
            OWN_HEADLINE, f'<a href="/news/contents/details/87382">{OWN_HEADLINE}</a>'
        )

    article = thaigov.parse_article(html, URL)

    assert article is not None and article.title == HEADLINE


# id -> (the teaser's text, its link or None, where it stands: before the body block or
# after the headline)
CUT_TITLE_TEASERS = {
    "unlinked start, after": (HEADLINE[:35], None, "after"),
    "unlinked start, before": (HEADLINE[:35], None, "before"),
    "start linked to a listing": (HEADLINE[:35], "/news/contents/main/1", "after"),
    "start linked to the own id with a query": (
        HEADLINE[:35],
        "/news/contents/details/87382?x=1",
        "after",
    ),
    "own-id start cut short, after": (HEADLINE[:30] + "…", "/news/contents/details/87382", "after"),
    "own-id start cut short, before": (
        HEADLINE[:30] + "…",
        "/news/contents/details/87382",
        "before",
    ),
}


@pytest.mark.parametrize(
    ("text", "link", "where"), CUT_TITLE_TEASERS.values(), ids=CUT_TITLE_TEASERS
)
def test_a_title_cut_short_names_the_headline_not_a_teaser_holding_its_start(
    text: str, link: str | None, where: str
) -> None:
    """A page title cut short is a start of the headline and of a teaser holding a
    longer start of it (or that start and an ellipsis): the shortest was taken."""
    html = page("article_th.html")
    title = f"<title>{THAIGOV_TITLE_PREFIX}{HEADLINE}</title>"
    body_block = '<div class="border-normal clearfix">\n'
    assert title in html and body_block in html and html.count(OWN_HEADLINE) == 1
    html = html.replace(title, f"<title>{THAIGOV_TITLE_PREFIX}{HEADLINE[:20]}</title>")
    teaser = f'<h3 class="news-1 Circular color2">{text}</h3>'
    if link:
        teaser = f'<a href="{link}">{teaser}</a>'
    box = f'<div class="col-xs-12 col-sm-6 padding-sm1 news-2">{teaser}</div>\n'
    if where == "before":
        html = html.replace(body_block, box + body_block)
    else:
        html = html.replace(OWN_HEADLINE, OWN_HEADLINE + box)

    article = thaigov.parse_article(html, URL)

    assert article is not None and article.title == HEADLINE


@pytest.mark.parametrize("where", ["end", "before"])
def test_a_headline_with_an_ellipsis_the_body_block_holds_wins_over_a_longer_teaser(
    where: str,
) -> None:
    """The page's own headline ends in "..." and a teaser outside the body block starts
    the same, longer: the headline the body block repeats is the article's, cut short or
    not. (Where the block holds both, the whole one wins: a related-news line cut short is
    the likelier; see the next test.)"""
    cut = "ดีอี ร่วมประชุม APEC 2024..."
    html = page("article_th.html").replace(HEADLINE, cut)
    own = OWN_HEADLINE.replace(HEADLINE, cut)
    body_block = '<div class="border-normal clearfix">\n'
    assert html.count(own) == 1 and body_block in html
    html = re.sub(r"<title>.*?</title>", f"<title>{THAIGOV_TITLE_PREFIX}ดีอี ร่วมประชุม</title>", html)
    teaser = '<h3 class="news-1 Circular color2">ดีอี ร่วมประชุม APEC 2024 ครั้งที่สอง ที่กรุงลิมา</h3>'
    box = f'<div class="col-xs-12 col-sm-6 padding-sm1 news-2">{teaser}</div>\n'
    places = {"end": ("</body>", box + "</body>"), "before": (body_block, box + body_block)}
    html = html.replace(*places[where])

    article = thaigov.parse_article(html, URL)

    assert article is not None and article.title == cut


def test_a_teaser_cut_short_that_a_body_block_also_holds_does_not_take_the_headline() -> None:
    """A teaser ending in "..." before the headline, its text also in the body block (a
    related-news line): the headline the block holds whole is the article's."""
    html = page("article_th.html")
    body_block = '<div class="border-normal clearfix">\n'
    assert html.count(OWN_HEADLINE) == 1 and html.count(body_block) == 1
    cut = HEADLINE[:25] + "..."
    html = re.sub(
        r"<title>.*?</title>", f"<title>{THAIGOV_TITLE_PREFIX}{HEADLINE[:15]}</title>", html
    )
    teaser = OWN_HEADLINE.replace(HEADLINE, cut)
    box = f'<div class="col-xs-12 col-sm-6 padding-sm1 news-2">{teaser}</div>\n'
    html = html.replace(OWN_HEADLINE, box + OWN_HEADLINE)
    html = html.replace(body_block, body_block + f"<p>{cut}</p>\n")

    article = thaigov.parse_article(html, URL)

    assert article is not None and article.title == HEADLINE


def test_english_article_keeps_the_thai_date_line_and_its_category() -> None:
    url = f"{BASE}/news/contents/details/46297"
    article = thaigov.parse_article(page("article_en.html"), url)

    assert article is not None
    assert asdict(article) == expected_article("article_en", url)
    assert article.category == "Government News"
    assert article.date_text == "วันอังคารที่ 28 กันยายน 2564"


def test_nbsp_runs_collapse_to_single_spaces() -> None:
    article = thaigov.parse_article(page("article_en.html"), f"{BASE}/news/contents/details/46297")

    assert article is not None
    assert "\xa0" not in article.body
    assert "ranks Thailand at 44th among 110 countries, 4th in ASEAN" in article.body


# Seed 001 on the fixture site's page (headline before the body block), with a banner
# block and a "related news" block without links, both of the body block's class.
NOT_FOUND_MESSAGE = "ไม่พบข้อมูลข่าวที่ท่านต้องการ ข่าวนี้อาจถูกลบหรือยังไม่ได้เผยแพร่"  # soft_404_message.html
BANNER = "แบนเนอร์ประชาสัมพันธ์ โครงการคนละครึ่ง ลงทะเบียนได้ถึงสิ้นเดือนสิงหาคม"
RELATED = "“2 รมต.เกษตรฯ” ลุยมอบถุงยังชีพ ช่วยผู้ประสบภัยน้ำท่วม พะเยา-น่าน"


def test_of_several_body_blocks_the_one_holding_the_article_is_the_body() -> None:
    """A banner block before the body block and a sidebar block with links after it."""
    article = thaigov.parse_article(page("article_banner_first.html"), URL)

    assert article is not None
    assert asdict(article) == expected_article("article_th", URL)


def test_a_banner_and_a_dated_sidebar_without_links_are_passed_over() -> None:
    html = page("article_banner_headline_before.html")

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert article.extraction == "selectors"
    assert (article.title, article.date_text, article.category) == (HEADLINE, DATE_LINE, "ด้านสังคม")
    lines = article.body.split("\n")
    assert lines[:4] == [DATE_LINE, HEADLINE, HEADLINE, FIRST_PARAGRAPH]
    assert LAST_PARAGRAPH in lines
    assert BANNER not in article.body
    assert RELATED not in article.body


def test_a_short_article_beats_a_longer_dated_sidebar_block() -> None:
    html = page("article_banner_headline_before.html")
    start = html.index(FIRST_PARAGRAPH)
    short = html[:start] + html[html.index(LAST_PARAGRAPH, start) :]

    article = thaigov.parse_article(short, URL)

    assert article is not None
    assert article.extraction == "selectors"
    assert article.body.split("\n")[:4] == [DATE_LINE, HEADLINE, HEADLINE, LAST_PARAGRAPH]
    assert RELATED not in article.body


def test_a_banner_left_as_the_only_body_block_is_not_the_body() -> None:
    html = page("article_banner_headline_before.html").replace(
        '<div class="border-normal clearfix">\n<p class="Circular',
        '<div class="content-box">\n<p class="Circular',
        1,
    )

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert article.extraction == "fallback"
    assert FIRST_PARAGRAPH in article.body.split("\n")  # the generic extractor's text


def test_soft_404_is_not_an_article() -> None:
    html = page("soft_404.html")

    assert thaigov.is_soft_404(html)
    assert thaigov.parse_article(html, f"{BASE}/news/contents/details/99999") is None


# What the site's empty page may show in its body block for an id with no article: links
# to other news (a related-news list), the same on every such page.
OTHER_NEWS_LINKS = (
    '<div class="col-xs-12 padding-sm1 news-3 font_level4"><ul>'
    '<li><a href="/news/contents/details/87380">นายกรัฐมนตรีเป็นประธานการประชุมคณะรัฐมนตรี</a></li>'
    '<li><a href="/news/contents/details/87375">โฆษกรัฐบาลเผยผลการประชุม ครม.</a></li>'
    "</ul></div>"
)


def test_the_empty_page_with_links_to_other_news_in_its_body_is_a_soft_404() -> None:
    """Links are no article text: stored, the page was an article headlined with the
    menu's first link (หน้าหลัก), and an id walk counted every missing id as a hit."""
    empty_block = '<div class="col-xs-12 padding-sm1 news-3 font_level4"></div>'
    html = page("soft_404.html").replace(empty_block, OTHER_NEWS_LINKS, 1)
    assert OTHER_NEWS_LINKS in html

    assert thaigov.is_soft_404(html)
    assert thaigov.parse_article(html, URL) is None


# Other news without links, each headline above its own day's date line: a sidebar as
# the page may show one, with or without links (SITES.md).
OTHER_NEWS_TEXT = (
    "<p>นายกรัฐมนตรีเป็นประธานการประชุมคณะรัฐมนตรี ณ ทำเนียบรัฐบาล</p>"
    "<p>วันพฤหัสบดีที่ 22 สิงหาคม 2567</p>"
    "<p>โฆษกรัฐบาลเผยผลการประชุม ครม. วันนี้เรื่องสำคัญหลายเรื่อง</p>"
    "<p>วันพุธที่ 21 สิงหาคม 2567</p>"
)


def test_the_empty_page_with_other_dated_news_in_a_body_block_is_a_soft_404() -> None:
    """A sidebar carrying the body's class: its headlines are other news's, not text."""
    empty_block = '<div class="col-xs-12 padding-sm1 news-3 font_level4"></div>'
    sidebar = f'<div class="border-normal clearfix"><h4>ข่าวที่เกี่ยวข้อง</h4>{OTHER_NEWS_TEXT}</div>'
    html = page("soft_404.html").replace(empty_block, empty_block + sidebar, 1)
    assert sidebar in html

    assert thaigov.is_soft_404(html)
    assert thaigov.parse_article(html, URL) is None


@pytest.mark.parametrize(
    "message",
    [
        "ไม่พบข้อมูลข่าวสารที่ท่านต้องการ",
        "Data not found. Please try again later.",
        "วันพฤหัสบดี 1 มกราคม 2513",  # a placeholder date in another form than the site's
        "2024-08-23",
    ],
)
def test_the_empty_page_with_a_message_or_a_date_alone_is_a_soft_404(message: str) -> None:
    """Stored, each was an article headlined with the menu's first link (หน้าหลัก)."""
    empty_block = '<div class="col-xs-12 padding-sm1 news-3 font_level4"></div>'
    html = page("soft_404.html").replace(empty_block, f"<div><p>{message}</p></div>", 1)
    assert message in html

    assert thaigov.is_soft_404(html)
    assert thaigov.parse_article(html, URL) is None


def test_an_image_only_article_beside_other_dated_news_has_no_text_and_its_own_date() -> None:
    """The fallback read the sidebar as the text, and its first date as the article's."""
    related = '<div class="related">'
    html = page("article_image_only.html").replace(related, related + OTHER_NEWS_TEXT, 1)
    assert OTHER_NEWS_TEXT in html

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert article.title == "ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญของเศรษฐกิจดิจิทัล"
    assert article.body == ""
    assert article.date_text == "วันศุกร์ที่ 23 สิงหาคม 2567"


def test_a_fallback_read_keeps_text_above_a_date_line_of_the_articles_own_day() -> None:
    """Only a date line of another day marks a list of other news."""
    paragraph = "<p>ผลการประชุมจะเผยแพร่ภายหลังจากที่คณะรัฐมนตรีพิจารณาแล้วเสร็จ</p>"
    own_day = "<p>วันศุกร์ที่ 23 สิงหาคม 2567</p>"
    related = '<div class="related">'
    html = page("article_image_only.html").replace(related, paragraph + own_day + related, 1)

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert "ผลการประชุมจะเผยแพร่ภายหลังจากที่คณะรัฐมนตรีพิจารณาแล้วเสร็จ" in article.body.split("\n")


def test_a_fallback_read_keeps_a_line_above_one_date_of_another_day() -> None:
    """A meeting announced for a day in the text is no list of other news: one pair of a
    short line over a date line of another day is the article's own text."""
    announced = "<p>การประชุมครั้งต่อไปจะจัดขึ้นที่กรุงเทพมหานคร</p><p>วันจันทร์ที่ 2 กันยายน 2567</p>"
    related = '<div class="related">'
    html = page("article_image_only.html").replace(related, announced + related, 1)

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert "การประชุมครั้งต่อไปจะจัดขึ้นที่กรุงเทพมหานคร" in article.body.split("\n")


@pytest.mark.parametrize("shows_nothing", ["&#8203;", "&shy;", "\ufeff", "&#8203; &#x200B;"])
def test_a_headline_of_characters_that_show_nothing_is_no_headline(shows_nothing: str) -> None:
    """Taken as the headline, it cleaned to nothing and the article was refused for want
    of one: the page title holds the headline, as the fallback reads it."""
    expected = expected_article("article_th", URL)
    html = page("article_th.html")
    headline = f'<h3 class="news-1 Circular color2">{expected["title"]}</h3>'
    assert headline in html
    html = html.replace(headline, f'<h3 class="news-1 Circular color2">{shows_nothing}</h3>')

    article = thaigov.parse_article(html, URL)

    assert article is not None and article.title == expected["title"]


def test_real_article_is_not_a_soft_404() -> None:
    assert not thaigov.is_soft_404(page("article_th.html"))
    assert not thaigov.is_soft_404(page("article_renamed_classes.html"))


def test_bare_title_and_no_headline_with_a_full_body_is_an_article_not_a_soft_404() -> None:
    html = page("article_bare_title.html")

    article = thaigov.parse_article(html, URL)

    assert not thaigov.is_soft_404(html)
    assert article is not None and article.extraction == "fallback"
    expected = expected_article("article_th", URL)
    assert expected["body"].split("\n")[-1] in article.body.split("\n")


@pytest.mark.parametrize("html", [page("empty.html"), "", "  \n\t "])
def test_empty_page_is_no_article_and_no_soft_404(html: str) -> None:
    assert thaigov.parse_article(html, URL) is None
    assert not thaigov.is_soft_404(html)


def test_page_without_any_text_is_no_article() -> None:
    html = "<html><head><title>ข่าว</title></head><body><div class='x'></div></body></html>"

    assert thaigov.parse_article(html, URL) is None


def without_text(html: str) -> str:
    """``html`` with the paragraphs under the image in the body block taken out."""
    start = html.index('<div class="col-xs-12 padding-sm1 news-3 font_level4">')
    end = html.index("</div>", start)
    cut = html[start:end]
    kept = cut[: cut.index("<p>")]  # the opening tag, the image and the gallery script
    return html[:start] + kept + html[end:]


@pytest.mark.parametrize(
    ("name", "category"),
    [
        # Headline before the body block, menus, breadcrumb and related links on the page.
        ("article_image_only.html", "ด้านสังคม"),
        # Headline inside the body block.
        ("article_th.html", "ด้านสังคม"),
    ],
)
def test_an_article_with_no_text_is_its_headline_with_an_empty_body(
    name: str, category: str
) -> None:
    html = page(name) if name != "article_th.html" else without_text(page(name))

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert (article.title, article.body) == (HEADLINE, "")
    assert (article.date_text, article.category) == (DATE_LINE, category)
    assert article.extraction == "fallback"


def test_tis620_page_decoded_by_scrapy_gives_the_thai_headline() -> None:
    body = (PAGES / "article_tis620.html").read_bytes()
    response = HtmlResponse(url=f"{BASE}/news/contents/details/57312", body=body)

    article = thaigov.parse_article(response.text, response.url)

    assert article is not None
    assert article.title == (
        "ประเทศไทย โดยกระทรวงดิจิทัลฯ เป็นเจ้าภาพจัดการประชุมคณะทำงานร่วมอาเซียนด้านดิจิทัล "
        "ภายใต้ ADGSOM และ ATRC ประจำปี ๒๕๖๕"
    )
    assert article.date_text == "วันพุธที่ 27 กรกฎาคม 2565"
    assert article.category == "ด้านเศรษฐกิจ"
    assert article.body.split("\n")[-1] == "************"


def test_truncated_page_yields_the_text_before_the_cut() -> None:
    article = thaigov.parse_article(page("article_truncated.html"), URL)

    assert article is not None
    assert article.extraction == "selectors"
    assert article.title == HEADLINE
    lines = article.body.split("\n")
    assert lines[:5] == [DATE_LINE, "พิมพ์", HEADLINE, HEADLINE, FIRST_PARAGRAPH]
    assert lines[-1] == "จากการอภิปรายในหัวข้อต่าง ๆ ข้างต้น ได้มีการเน้นย้ำถึงประเด็น"
    assert len(lines) == 7


def test_renamed_classes_fall_back_to_generic_extraction() -> None:
    article = thaigov.parse_article(page("article_renamed_classes.html"), URL)

    assert article is not None
    assert article.extraction == "fallback"
    assert article.title == HEADLINE
    lines = article.body.split("\n")
    assert FIRST_PARAGRAPH in lines
    assert LAST_PARAGRAPH in lines
    assert "Facebook" not in article.body
    assert article.category is None


def test_renamed_classes_keep_the_date_line_above_the_headline() -> None:
    """The redesigned page still shows its date line above the headline, but the generic
    extractor leaves it out with the print button: the fallback read it from the page."""
    article = thaigov.parse_article(page("article_renamed_classes.html"), URL)

    assert article is not None
    assert article.extraction == "fallback"
    assert article.date_text == DATE_LINE
    assert DATE_LINE not in article.body.split("\n")


def test_a_fallback_read_takes_no_date_line_far_from_the_headline() -> None:
    """A date line of a news list elsewhere on the page (another day's) is not the
    article's: with none right above the headline, the date stays unknown."""
    html = page("article_renamed_classes.html").replace(
        '<span class="k024">วันศุกร์ที่ 23 สิงหาคม 2567</span>', ""
    )
    html = html.replace("</aside>", "<p>สรุปข่าวประจำสัปดาห์</p><p>วันจันทร์ที่ 19 สิงหาคม 2567</p></aside>")

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert article.extraction == "fallback"
    assert article.date_text is None


# A latest-news list where each headline, this article's too, stands under the date line
# of the item before it: another day's.
NEWS_LIST = (
    '<div class="t1"><h4>ข่าวล่าสุด</h4><ul>'
    '<li><a href="/news/contents/details/87399">นายกรัฐมนตรีลงพื้นที่ตรวจน้ำท่วม จังหวัดเชียงราย</a></li>'
    "<li>วันจันทร์ที่ 26 สิงหาคม 2567</li>"
    f'<li><a href="/news/contents/details/87382">{HEADLINE}</a></li>'
    f"<li>{DATE_LINE}</li></ul></div>"
)
OWN_DATE = f'<span class="k024">{DATE_LINE}</span>'


@pytest.mark.parametrize(
    ("own_date", "expected"),
    [(OWN_DATE, DATE_LINE), ("", None)],
    ids=["own-date-line", "no-own-date-line"],
)
def test_a_fallback_read_takes_no_date_line_of_a_news_list_showing_the_headline(
    own_date: str, expected: str | None
) -> None:
    """A news list before the article shows its headline under another article's date
    line (26 August): the date is read above the headline element only, or not at all."""
    html = page("article_renamed_classes.html").replace(OWN_DATE, own_date)
    html = html.replace('<nav class="k005"', NEWS_LIST + '<nav class="k005"')

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert article.extraction == "fallback"
    assert article.date_text == expected


def test_a_fallback_read_takes_no_date_line_of_a_list_right_above_the_headline() -> None:
    """A list item's date line is another article's, even right above the headline."""
    html = page("article_renamed_classes.html").replace(
        OWN_DATE, "<ul><li>ข่าวอื่นของวันก่อน</li><li>วันจันทร์ที่ 26 สิงหาคม 2567</li></ul>"
    )

    article = thaigov.parse_article(html, URL)

    assert article is not None
    assert article.extraction == "fallback"
    assert article.date_text is None


def test_text_moved_out_of_the_body_block_falls_back_and_keeps_the_date() -> None:
    article = thaigov.parse_article(page("article_body_moved.html"), URL)

    assert article is not None
    assert article.extraction == "fallback"
    assert article.title == HEADLINE
    assert FIRST_PARAGRAPH in article.body.split("\n")
    assert LAST_PARAGRAPH in article.body.split("\n")
    assert article.date_text == DATE_LINE
    assert article.category == "ด้านสังคม"


def test_search_page_lists_result_links_once_in_page_order() -> None:
    url = f"{BASE}/search?keyword=%E0%B8%94%E0%B8%B4%E0%B8%88%E0%B8%B4%E0%B8%97%E0%B8%B1%E0%B8%A5"
    paths = json.loads((PAGES / "search.expected.json").read_text(encoding="utf-8"))

    links = thaigov.parse_search(page("search.html"), url)

    # The third result links to the real host in the page itself.
    expected = [BASE + path for path in paths]
    expected[2] = "https://www.thaigov.go.th" + paths[2]
    assert links == expected


def test_search_result_with_its_id_in_thai_digits_is_that_article() -> None:
    html = (
        '<div class="col-xs-12 col-sm-9 col-md-10 news-2"><p>'
        '<a href="/news/contents/details/%E0%B9%98%E0%B9%97">ข่าว</a></p></div>'
    )
    links = thaigov.parse_search(html, f"{BASE}/search?keyword=x")
    assert [thaigov.article_id(link) for link in links] == ["87"]


@pytest.mark.parametrize("href", ["http://[::1/news/contents/details/87", "https://[ลิงก์]/"])
def test_a_search_result_link_no_browser_can_read_is_skipped_and_the_others_kept(
    href: str,
) -> None:
    """One such link (a '[' opening no IPv6 host, a bracketed host that is no IP address)
    raised ValueError: the page's every result lost."""
    result = '<p><a href="{}">ข่าว</a></p>'
    html = (
        '<div class="col-xs-12 col-sm-9 col-md-10 news-2">'
        + result.format(href)
        + result.format("/news/contents/details/88")
        + "</div>"
    )

    links = thaigov.parse_search(html, f"{BASE}/search?keyword=x")

    assert links == [f"{BASE}/news/contents/details/88"]


def test_search_page_without_results_is_empty() -> None:
    assert thaigov.parse_search(page("article_th.html"), URL) == []
    assert thaigov.parse_search("", URL) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.thaigov.go.th/news/contents/details/87382", "87382"),
        ("http://127.0.0.1:8765/news/contents/details/100600/", "100600"),
        ("https://www.thaigov.go.th/news/contents/ministry_details/77139", "77139"),
        ("https://www.thaigov.go.th/news/contents/details/87382?lang=th#top", "87382"),
        ("https://www.thaigov.go.th/news/contents/main/5", None),
        ("https://www.thaigov.go.th/news/contents/details/", None),
        ("https://www.thaigov.go.th/news/contents/details/87382/print", None),
        ("https://www.thaigov.go.th/news/contents/details/0087382", "87382"),  # one article
        # The id in Thai digits, raw or percent-encoded, is the article's own.
        ("https://www.thaigov.go.th/news/contents/details/๘๗๓๘๒", "87382"),
        ("http://127.0.0.1:8765/news/contents/details/%E0%B9%98%E0%B9%97", "87"),
        ("https://www.thaigov.go.th/news/contents/details/๘๗x", None),
        # An escaped slash or line break is no part of an id.
        ("https://www.thaigov.go.th/news/contents/details/87382%0A", None),
        ("https://www.thaigov.go.th/news/contents/details%2F87382", None),
        ("https://www.thaigov.go.th/sso/login/%2Fnews%2Fcontents%2Fdetails%2F87382", None),
        ("https://www.thaigov.go.th/news/contents/details/%2F87382", None),
    ],
)
def test_article_id_comes_from_details_urls_only(url: str, expected: str | None) -> None:
    assert thaigov.article_id(url) == expected


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("https://www.thaigov.go.th", "https://www.thaigov.go.th/news/contents/details/87382"),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765/news/contents/details/87382"),
        (
            "http://127.0.0.1:8765/thaigov",
            "http://127.0.0.1:8765/thaigov/news/contents/details/87382",
        ),
    ],
)
def test_article_url_builds_the_details_path_under_any_base(base: str, expected: str) -> None:
    assert thaigov.article_url(base, 87382) == expected


@pytest.mark.parametrize("name", ["soft_404_message.html", "not_found_page.html"])
def test_a_page_that_says_there_is_no_article_is_a_soft_404(name: str) -> None:
    html = page(name)

    assert thaigov.is_soft_404(html)
    assert thaigov.parse_article(html, f"{BASE}/news/contents/details/99999") is None


@pytest.mark.parametrize(
    "message",
    [
        "ข่าวนี้ถูกลบออกจากระบบแล้ว",
        "The news you requested could not be found.",
        "This article has been removed.",
    ],
)
def test_the_empty_page_saying_the_article_was_removed_is_a_soft_404(message: str) -> None:
    """Stored before as an article headlined by the page's skip link, its body the message."""
    html = page("soft_404_message.html").replace(NOT_FOUND_MESSAGE, message, 1)
    assert message in html

    assert thaigov.is_soft_404(html)
    assert thaigov.parse_article(html, f"{BASE}/news/contents/details/99999") is None


def test_an_article_that_mentions_not_found_words_is_no_soft_404() -> None:
    headline = "ดีอี ยืนยัน ไม่พบข้อมูลรั่วไหลจากระบบหมอพร้อม"
    html = page("article_th.html").replace(HEADLINE, headline)
    html = html.replace(FIRST_PARAGRAPH, "ไม่พบหน้าที่คุณต้องการ " + FIRST_PARAGRAPH)

    article = thaigov.parse_article(html, URL)

    assert not thaigov.is_soft_404(html)
    assert article is not None and article.title == headline
    assert article.extraction == "selectors"


def maintenance_page(title: str, heading: str, text: str) -> str:
    return (
        f'<html lang="th"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        '<nav><ul><li><a href="/">หน้าหลัก</a></li></ul></nav><div class="container">'
        f'<div class="col-12"><h1>{heading}</h1><p>{text}</p></div></div></body></html>'
    )


NOTICES = {
    "maintenance": maintenance_page(
        "ปิดปรับปรุงระบบ",
        "ปิดปรับปรุงระบบชั่วคราว",
        "ขออภัยในความไม่สะดวก เว็บไซต์อยู่ระหว่างการปรับปรุงระบบ กรุณาเข้าใช้งานใหม่อีกครั้งในภายหลัง",
    ),
    "maintenance in English": maintenance_page(
        "Under Maintenance",
        "Site under maintenance",
        "We are performing scheduled maintenance. We should be back online shortly.",
    ),
    "database error": maintenance_page(
        "Error",
        "A Database Error Occurred",
        "Unable to connect to your database server using the provided settings.",
    ),
}
HOME_PAGE = (
    '<html lang="th"><head><meta charset="utf-8"><title>รัฐบาลไทย</title></head><body>'
    '<nav><a href="/">หน้าหลัก</a></nav><div class="col-md-8"><h2>ข่าวเด่น</h2>'
    "<p>นายกรัฐมนตรีมอบนโยบายการพัฒนาเศรษฐกิจดิจิทัลแก่หน่วยงานภาครัฐทั่วประเทศ "
    "เพื่อยกระดับบริการประชาชนด้วยเทคโนโลยีดิจิทัล และส่งเสริมการลงทุนในภูมิภาค</p>"
    "<p>รัฐบาลเดินหน้าโครงการพัฒนาโครงสร้างพื้นฐานด้านคมนาคมเชื่อมโยงภูมิภาคอาเซียน "
    "เพื่อการค้าการลงทุนที่ยั่งยืนและการท่องเที่ยวของประเทศไทยในระยะยาว</p></div></body></html>"
)


@pytest.mark.parametrize("name", NOTICES)
def test_a_maintenance_or_error_notice_is_not_an_article(name: str) -> None:
    assert thaigov.parse_article(NOTICES[name], URL) is None
    assert thaigov.not_article(NOTICES[name], URL) is NotArticle.NOTICE


def test_a_notice_in_the_sites_template_is_not_an_article() -> None:
    notice = page("article_renamed_classes.html").replace(HEADLINE, "ปิดปรับปรุงระบบชั่วคราว")
    cut = re.sub(r"<p>.*</p>", "<p>ขออภัยในความไม่สะดวก</p>", notice, count=1, flags=re.S)
    assert thaigov.parse_article(cut, URL) is None
    assert thaigov.not_article(cut, URL) is NotArticle.NOTICE


TEXT_SLOT = '<div class="col-xs-12 padding-sm1 news-3 font_level4"></div>'
TEMPLATE_NOTICES = {
    "closed": "ปิดปรับปรุงระบบ",
    "under-way": "อยู่ระหว่างปรับปรุง",
    "english": "under maintenance",
    "with-an-apology": "ปิดปรับปรุง ขออภัย",
}


@pytest.mark.parametrize("notice", TEMPLATE_NOTICES.values(), ids=TEMPLATE_NOTICES)
def test_the_sites_empty_page_saying_it_is_in_maintenance_is_a_notice_not_a_soft_404(
    notice: str,
) -> None:
    """The site's empty page (bare title, no headline) with a short maintenance notice in
    its body block was a soft 404: a miss of the walk, the crawl clean, the id not asked
    again soon."""
    assert len(notice) < thaigov.MIN_BODY_CHARS  # no article text: the soft 404's measure
    html = page("soft_404.html")
    assert TEXT_SLOT in html
    html = html.replace(TEXT_SLOT, TEXT_SLOT.replace("></div>", f"><p>{notice}</p></div>"))
    assert not thaigov.is_soft_404(html)
    assert thaigov.not_article(html, URL) is NotArticle.NOTICE
    assert thaigov.parse_article(html, URL) is None


def test_the_sites_empty_page_listing_news_about_an_outage_is_a_soft_404() -> None:
    """The site's empty page listing other news, one headline opening with a notice's
    words, was taken for a notice by its link's text: an error, the id failed."""
    news = (
        '<ul><li><a href="/news/contents/details/90001">ระบบขัดข้อง ชั่วคราว กฟภ. เร่งแก้ไข</a></li>'
        '<li><a href="/news/contents/details/90002">นายกฯ ประชุม ครม.</a></li></ul>'
    )
    html = page("soft_404.html").replace(TEXT_SLOT, TEXT_SLOT.replace("></div>", f">{news}</div>"))
    assert news in html
    assert thaigov.is_soft_404(html)
    assert thaigov.not_article(html, URL) is None
    assert thaigov.parse_article(html, URL) is None


def test_the_template_headlined_only_with_a_maintenance_notice_is_a_notice() -> None:
    """The site's template with a notice for headline and title and an apology under it
    was read by the selectors: stored as an article, and a new version of the article
    stored at its address, headlined with the notice."""
    notice = "ปิดปรับปรุงระบบชั่วคราว"
    apology = "ขออภัยในความไม่สะดวก กรุณากลับมาใหม่ภายหลัง"
    html = (
        page("soft_404.html")
        .replace('color2"></h3>', f'color2">{notice}</h3>')
        .replace("</title>", f"{notice}</title>")
        .replace(TEXT_SLOT, TEXT_SLOT.replace("></div>", f"><p>{apology}</p></div>"))
    )
    assert html.count(notice) == 2 and apology in html
    assert thaigov.parse_article(html, URL) is None
    assert thaigov.not_article(html, URL) is NotArticle.NOTICE
    assert not thaigov.is_soft_404(html)


def test_an_article_headlined_about_a_maintenance_notice_is_an_article() -> None:
    headline = "ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญของเศรษฐกิจดิจิทัล"
    about = "ประกาศปิดปรับปรุงระบบชั่วคราว 3 วัน"
    html = page("article_th.html").replace(headline, about)
    assert about in html and headline not in html
    article = thaigov.parse_article(html, URL)
    assert article is not None and article.title == about
    assert article.extraction == "selectors"
    assert thaigov.not_article(html, URL) is None


def test_an_article_opening_with_a_maintenance_notice_is_an_article() -> None:
    notice = "ปิดปรับปรุงระบบชั่วคราว ขออภัยในความไม่สะดวก"
    opening = "เมื่อวันที่ 18 - 22 สิงหาคม 2024"
    html = page("article_th.html").replace(opening, f"{notice} {opening}", 1)
    assert notice in html
    article = thaigov.parse_article(html, URL)
    assert article is not None and f"{notice} {opening}" in article.body
    assert thaigov.not_article(html, URL) is None
    assert not thaigov.is_soft_404(html)


def test_a_page_without_the_article_template_is_not_an_article() -> None:
    assert thaigov.parse_article(HOME_PAGE, URL) is None
    assert thaigov.not_article(HOME_PAGE, URL) is NotArticle.OTHER_PAGE
    assert not thaigov.is_soft_404(HOME_PAGE)


@pytest.mark.parametrize(
    "name",
    ["article_renamed_classes.html", "article_body_moved.html", "article_bare_title.html"],
)
def test_an_article_the_fallback_reads_is_an_article(name: str) -> None:
    assert thaigov.not_article(page(name), URL) is None
    assert thaigov.parse_article(page(name), URL) is not None


# Fixture-site pages (one template: date line, maybe a numeric date and the print button,
# the headline twice, then the text) on which a renamed headline class sends the page to
# the fallback extractor, which puts the headline, the category and the date lines after
# the text: 87377 ends with category, date line and numeric date, 87372 (a short item)
# with category and date line, 87370 has a category with dots, 87381 is in English,
# 87385's headline holds " - " (where the extractor's own title stops: a site name's place).
SITE_ARTICLES = DEFAULT_ROOT / "news" / "contents" / "details"
HEADLINE_CLASS = 'class="news-1 Circular color2"'


def headline_renamed(html: str) -> str:
    """``html`` with the headline's class renamed: only the fallback reads it."""
    assert HEADLINE_CLASS in html
    return html.replace(HEADLINE_CLASS, 'class="news-1x Circular color2"')


def normalised(article: PageArticle, url: str) -> Article:
    return normalise_article(
        RawArticle(
            url=url,
            source="thaigov",
            title=article.title,
            body=article.body,
            category=article.category,
            extraction=article.extraction,
        )
    )


@pytest.mark.parametrize("article_id", ["87377", "87372", "87370", "87381", "87385"])
def test_a_fallback_read_has_the_selectors_text_without_the_pages_labels(article_id: str) -> None:
    url = f"{BASE}/news/contents/details/{article_id}"
    html = (SITE_ARTICLES / f"{article_id}.html").read_text(encoding="utf-8")

    selectors = thaigov.parse_article(html, url)
    fallback = thaigov.parse_article(headline_renamed(html), url)

    assert selectors is not None and selectors.extraction == "selectors"
    assert fallback is not None and fallback.extraction == "fallback"
    lines = fallback.body.split("\n")
    assert fallback.category == selectors.category  # the category is read...
    assert selectors.category not in lines  # ...and is no line of the text
    assert selectors.title not in lines
    assert not [line for line in lines if parse_date_line(line)]
    assert fallback.date_text == selectors.date_text
    # Normalised, the two reads are one version of the article.
    read_by_selectors, read_by_fallback = normalised(selectors, url), normalised(fallback, url)
    assert read_by_fallback.title == read_by_selectors.title
    assert read_by_fallback.body == read_by_selectors.body
    assert read_by_fallback.content_hash == read_by_selectors.content_hash


@pytest.mark.parametrize(
    "name", ["article_th.html", "article_banner_headline_before.html", "article_en.html"]
)
def test_no_headline_category_or_date_line_stands_in_a_fallback_read(name: str) -> None:
    """Other layouts: the headline first in the fallback's text (seed 001's paragraphs),
    or the headline before the body block and a dated "related news" block after it."""
    selectors = thaigov.parse_article(page(name), URL)
    fallback = thaigov.parse_article(headline_renamed(page(name)), URL)

    assert selectors is not None and fallback is not None
    assert fallback.extraction == "fallback"
    lines = fallback.body.split("\n")
    assert selectors.title not in lines
    assert selectors.category not in lines
    assert not [line for line in lines if parse_date_line(line)]
    assert fallback.date_text == selectors.date_text
    assert LAST_PARAGRAPH in lines or name == "article_en.html"


def test_a_line_of_the_text_that_reads_like_a_label_stays_in_a_fallback_read() -> None:
    """The category and a menu's link as a line of the article's own text (a heading
    in it) are text: the selectors keep them, so does the fallback."""
    separator = "<p>---------------------------------------------------</p>"
    html = page("article_th.html").replace(separator, f"<p>ด้านสังคม</p>\n{separator}", 1)

    selectors = thaigov.parse_article(html, URL)
    fallback = thaigov.parse_article(headline_renamed(html), URL)

    assert selectors is not None and fallback is not None
    assert (selectors.category, fallback.category) == ("ด้านสังคม", "ด้านสังคม")
    assert "ด้านสังคม" in selectors.body.split("\n")
    assert "ด้านสังคม" in fallback.body.split("\n")


def with_headline_and_empty_body(html: str, headline_source: str) -> str:
    """Fixture page ``html`` with seed 001's headline written ``headline_source`` (HTML)
    wherever it stands, and its body block's text taken out."""
    assert HEADLINE in html
    html = html.replace(HEADLINE, headline_source)
    emptied, count = re.subn(
        r'(<div class="text-content">).*?(</div>)', r"\1\2", html, count=1, flags=re.DOTALL
    )
    assert count == 1
    return emptied


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        # A template escaping twice: a browser shows "&amp;", the stored text "&" later.
        ("ดีอี ร่วมประชุม APEC 2024 &amp;amp; x", "ดีอี ร่วมประชุม APEC 2024 &amp; x"),
        ("ดีอี ร่วมประชุม APEC 2024 R&amp;D", "ดีอี ร่วมประชุม APEC 2024 R&D"),
        ("ดีอี ร่วมประชุม APEC 2024 &amp;lt;b&amp;gt;", "ดีอี ร่วมประชุม APEC 2024 &lt;b&gt;"),
    ],
)
def test_an_empty_body_block_under_an_escaped_headline_gives_an_empty_body(
    source: str, shown: str
) -> None:
    """The fallback reads the page's text as a browser shows it, as the selectors do: its
    headline lines are told from text, and no label of the header (its font-size widget,
    ``ขนาดตัวอักษร``) comes with them as the body."""
    html = (SITE_ARTICLES / "87382.html").read_text(encoding="utf-8")
    url = f"{BASE}/news/contents/details/87382"

    article = thaigov.parse_article(with_headline_and_empty_body(html, source), url)

    assert article is not None and article.extraction == "fallback"
    assert (article.title, article.body) == (shown, "")
    assert article.date_text == DATE_LINE


def test_the_fallbacks_text_and_title_read_as_a_browser_shows_them() -> None:
    html = (
        "<html><head><title>R&amp;amp;D &amp;lt;b&amp;gt; ข่าว</title></head><body><article>"
        + "<p>ผลการประชุม R&amp;amp;D ของกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม &amp;copy; 2567</p>" * 3
        + "</article></body></html>"
    )

    title, body = fallback_extract(html, URL)

    assert title == "R&amp;D &lt;b&gt; ข่าว"
    assert body.split("\n")[0] == "ผลการประชุม R&amp;D ของกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม &copy; 2567"


def test_a_labels_words_split_off_at_its_links_are_labels() -> None:
    """An extractor may split a label's line at its tags (the header's font-size widget,
    the footer's visitor count): each piece is a label too, never article text."""
    html = (SITE_ARTICLES / "87382.html").read_text(encoding="utf-8")

    labels = label_lines(Selector(text=html).root)

    assert {"ขนาดตัวอักษร ก ก ก", "ขนาดตัวอักษร", "ก"} <= labels
    assert {"จำนวนผู้เข้าชม", "1,284,551"} <= labels
    assert FIRST_PARAGRAPH not in labels


def test_a_breadcrumbs_items_marked_as_list_items_by_the_fallback_are_no_text() -> None:
    """The extractor writes a list item's line after a mark (``- หน้าหลัก``): the page's
    breadcrumb items so marked are labels all the same, never lines of the body."""
    html = (SITE_ARTICLES / "87382.html").read_text(encoding="utf-8")
    caption = "ภาพ: กองการสื่อสาร กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"
    column = '<div class="col-xs-12 col-md-3">'
    assert column in html
    html = with_headline_and_empty_body(html, HEADLINE).replace(
        column, f'<div class="caption">{caption}</div>{column}', 1
    )
    url = f"{BASE}/news/contents/details/87382"

    article = thaigov.parse_article(html, url)

    assert article is not None and article.extraction == "fallback"
    assert (article.title, article.body) == (HEADLINE, caption)


# Characters XML cannot hold, as pages write them (a vertical tab pasted from Word is
# the common one): the HTML parser keeps them in the tree the fallback reads.
NOT_XML_REFERENCES = ["&#11;", "&#1;", "&#x1F;", "&#xFFFE;"]


@pytest.mark.parametrize("reference", NOT_XML_REFERENCES)
def test_a_character_xml_cannot_hold_in_a_page_the_fallback_reads_is_no_error(
    reference: str,
) -> None:
    """Beside an ``&`` (a text the fallback escapes again) and in a text without one."""
    html = (SITE_ARTICLES / "87382.html").read_text(encoding="utf-8")
    phone = "<p>โทรศัพท์ 0 2283 4000</p>"
    assert phone in html
    html = with_headline_and_empty_body(html, HEADLINE).replace(
        phone, f"<p>โทรศัพท์{reference} 0 2283 4000 R&amp;D{reference}</p>", 1
    )
    url = f"{BASE}/news/contents/details/87382"

    article = thaigov.parse_article(html, url)

    assert article is not None and article.extraction == "fallback"
    assert (article.title, article.body) == (HEADLINE, "")


@pytest.mark.parametrize(
    ("reference", "shown"), [("&#11;", " "), ("&#1;", ""), ("&#x1F;", " "), ("&#xFFFE;", "")]
)
def test_a_character_xml_cannot_hold_beside_an_amp_is_read_as_the_selectors_read_it(
    reference: str, shown: str
) -> None:
    """White space (a vertical tab) as a space, another character left out."""
    paragraph = "ผลการประชุม R&amp;amp;D{}ของกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม ประจำปี 2567"
    html = (
        "<html><head><title>ข่าว</title></head><body><article>"
        + f"<p>{paragraph.format(reference)}</p>" * 3
        + "</article></body></html>"
    )

    _title, body = fallback_extract(html, URL)

    assert body.split("\n")[0] == paragraph.replace("&amp;amp;", "&amp;").format(shown)


def test_the_fallback_reads_the_text_after_a_line_break_as_a_browser_shows_it() -> None:
    """A thaigov body is lines separated by ``<br>``: every line after the first is the
    tail of a ``<br>``, escaped once more as an element's text is."""
    paragraph = "ผลการประชุมคณะกรรมการด้านการวิจัยและพัฒนาของกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"
    html = (
        "<html><head><title>ข่าว</title></head><body><article>"
        + f"<p>{paragraph}<br>บรรทัดสอง R&amp;amp;D {paragraph}</p>" * 3
        + "</article></body></html>"
    )

    _title, body = fallback_extract(html, URL)

    assert body.split("\n")[:2] == [paragraph, f"บรรทัดสอง R&amp;D {paragraph}"]


def test_the_fallback_reads_a_title_from_og_title_as_a_browser_shows_it() -> None:
    paragraph = "ผลการประชุมคณะกรรมการด้านการวิจัยและพัฒนาของกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"
    html = (
        '<html><head><meta property="og:title" content="R&amp;amp;D ข่าว"></head><body>'
        + f"<article>{f'<p>{paragraph}</p>' * 3}</article></body></html>"
    )

    title, _body = fallback_extract(html, URL)

    assert title == "R&amp;D ข่าว"


def test_a_headers_label_split_off_at_its_links_is_never_the_body() -> None:
    """A page whose body block is empty, read by the fallback whole: the header's widget
    label (a longer one than the fixture's ``ขนาดตัวอักษร``, long enough to pass for a
    line of text) comes out of the extractor without its links' words, and is no text."""
    html = (SITE_ARTICLES / "87382.html").read_text(encoding="utf-8")
    widget = 'ขนาดตัวอักษร <a href="#">ก</a>'
    assert widget in html
    label = "ปรับขนาดตัวอักษรและความคมชัดของหน้าเว็บไซต์"
    html = with_headline_and_empty_body(html, HEADLINE).replace(
        widget, f'{label} <a href="#">ก</a>', 1
    )
    url = f"{BASE}/news/contents/details/87382"

    article = thaigov.parse_article(html, url)

    assert article is not None and article.extraction == "fallback"
    assert (article.title, article.body) == (HEADLINE, "")


@pytest.mark.parametrize(("reference", "shown"), [("&#1;", ""), ("&#xFFFE;", ""), ("&#11;", " ")])
def test_a_character_xml_cannot_hold_in_a_text_without_an_amp_keeps_the_fallbacks_text(
    reference: str, shown: str
) -> None:
    """In a paragraph holding no ``&``: before, the extractor discarded the whole page and
    the fallback read an empty body. White space (a vertical tab) is a space, another
    character is left out, as in a text beside an ``&``."""
    word = "ผู้ตรวจราชการ"
    assert page("article_th.html").count(word) == 1
    html = headline_renamed(page("article_th.html"))

    fallback = thaigov.parse_article(html.replace(word, f"{word}{reference}"), URL)
    without = thaigov.parse_article(html.replace(word, f"{word}{shown}"), URL)

    assert fallback is not None and fallback.extraction == "fallback"
    assert without is not None and LAST_PARAGRAPH in without.body.split("\n")
    assert fallback.body == without.body


@pytest.mark.parametrize(("reference", "shown"), [("&#1;", ""), ("&#11;", " "), ("&#x1F;", " ")])
def test_a_control_character_in_the_text_is_stored_alike_from_the_selectors_and_the_fallback(
    reference: str, shown: str
) -> None:
    """The selectors leave a C0 control out of their text and read white space as a space,
    as the fallback does: normalised, the two reads are one version of the article."""
    url = f"{BASE}/news/contents/details/87382"
    html = (SITE_ARTICLES / "87382.html").read_text(encoding="utf-8")
    word = "ผู้ตรวจราชการ"
    assert html.count(word) == 1
    html = html.replace(word, f"{word}{reference}")

    selectors = thaigov.parse_article(html, url)
    fallback = thaigov.parse_article(headline_renamed(html), url)

    assert selectors is not None and selectors.extraction == "selectors"
    assert fallback is not None and fallback.extraction == "fallback"
    stored_body = normalised(selectors, url).body
    assert f"{word}{shown}กระทรวงดิจิทัล" in stored_body
    assert normalised(fallback, url).body == stored_body


# Unicode's noncharacters, as a page may write them (a reference, or the character itself):
# never text, no XML document (a feed) may hold U+FFFE or U+FFFF.
NONCHARACTERS = ["&#xFFFE;", "&#xFFFF;", "\ufffe", "\uffff", "&#xFDD0;", "\ufdef"]


@pytest.mark.parametrize("noncharacter", NONCHARACTERS)
def test_a_noncharacter_in_a_paragraph_is_not_stored(noncharacter: str) -> None:
    """The selectors kept it in their text, and normalisation in the stored body."""
    url = f"{BASE}/news/contents/details/87382"
    html = (SITE_ARTICLES / "87382.html").read_text(encoding="utf-8")
    word = "ผู้ตรวจราชการ"
    assert html.count(word) == 1

    article = thaigov.parse_article(html.replace(word, f"{word}{noncharacter}"), url)

    assert article is not None and article.extraction == "selectors"
    stored = normalised(article, url)
    assert f"{word}กระทรวงดิจิทัล" in stored.body
    assert stored == normalised(thaigov.parse_article(html, url), url)
