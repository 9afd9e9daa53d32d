"""mdes.go.th page parsing, against saved pages built from real articles.

Expected values come from the seed and corpus text the pages were written from
(``pages/mdes/*.expected.json`` and the literals below), never from the parser.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest

from scraper.fixture_site import DEFAULT_ROOT
from scraper.sites import ListingEntry, ListingPage, NotArticle, PageArticle, mdes
from thaidigest.dates import parse_date_line, parse_listing_date, publication_date
from thaidigest.model import Article, RawArticle
from thaidigest.normalise import normalise_article

PAGES = Path(__file__).parent / "pages" / "mdes"
BASE = "http://127.0.0.1:8765"
LISTING_URL = f"{BASE}/news/3"
ARTICLE_URL = f"{BASE}/news/detail/1447"

# Seed 004.
HEADLINE = "ดีอีใช้เวที “ASEAN Digital Ministers’ Retreat” หารือ 5 ความท้าทาย ดันอาเซียนสู่เศรษฐกิจดิจิทัล"
FIRST_PARAGRAPH = (
    "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม เป็นเจ้าภาพจัดการประชุมรัฐมนตรีอาเซียนด้านดิจิทัล"
    "อย่างไม่เป็นทางการ (ASEAN Digital Ministers’ Retreat) ระหว่างวันที่ 28 – 29 มีนาคม 2562 "
    "ณ โรงแรม บันยันทรี ภูเก็ต จังหวัดภูเก็ต โดยผู้เข้าร่วมการประชุมฯ ประกอบด้วย "
    "รัฐมนตรีและเจ้าหน้าที่อาวุโสของประเทศสมาชิกอาเซียน 10 ประเทศ ร่วมด้วยเลขาธิการอาเซียน "
    "โดยมี ดร. พิเชฐ ดุรงคเวโรจน์ รัฐมนตรีว่าการกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม "
    "เป็นประธานการประชุมในครั้งนี้"
)
LAST_PARAGRAPH_END = "ดร.พิเชฐฯ กล่าวทิ้งท้าย"

# The two headline layouts: inside the first .col-12 (with the lead image, a date line
# and a share bar) or before it; each with a "latest news" sidebar with links and one
# a script renders (no links). Bodies are corpus ids 90395 and 90035.
LAYOUTS = (
    "article_headline_inside",
    "article_headline_inside_no_links",
    "article_headline_before",
    "article_headline_before_no_links",
)
# The sidebar's headlines (corpus ids 90092, 90112, 90193, 90267).
SIDEBAR_HEADLINES = (
    "ดีอี จัดประชุมบูรณาการแก้ปัญหาอาชญากรรมออนไลน์",
    "ปลัดดีอี ให้การต้อนรับ เอกอัครราชทูตสวีเดน หารือด้านการลงทุน Start-ups",
    "ดีอี หารือ ระบบการบริหารจัดการข้อมูล ศูนย์ AOC 1441",
    "ปลัดดีอี เปิดงาน “SEC Capital Market Symposium 2024” เวทีสัมมนาพัฒนาความรู้ตลาดทุนไทย",
)


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def expected_json(name: str) -> dict:
    return json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))


def expected_article(name: str, url: str) -> dict[str, str | None]:
    """The expected PageArticle fields."""
    expected = expected_json(name)
    return {**expected, "url": url}


def test_listing_page_yields_links_with_their_card_dates_and_the_next_page() -> None:
    expected = expected_json("listing")

    listing = mdes.parse_listing(page("listing.html"), LISTING_URL)

    assert listing == ListingPage(
        entries=tuple(ListingEntry(**entry) for entry in expected["entries"]),
        next_url=expected["next_url"],
    )


def test_listing_reads_the_id_before_a_percent_encoded_thai_slug() -> None:
    listing = mdes.parse_listing(page("listing.html"), LISTING_URL)

    first = listing.entries[0]
    assert first.source_id == "10871"
    assert first.url.startswith("https://www.mdes.go.th/news/detail/10871-%E0%B8%94%E0%B8%B5")
    assert first.date_text == "01/01/2567"


def test_listing_link_with_its_id_in_thai_digits_is_that_article() -> None:
    html = '<div class="card-title-news"><a href="/news/detail/๑๐๘๗๑-ดีอี">ดีอี</a></div>'

    (entry,) = mdes.parse_listing(html, LISTING_URL).entries
    assert entry.source_id == "10871"


def test_featured_card_repeating_an_article_is_listed_once() -> None:
    listing = mdes.parse_listing(page("listing.html"), LISTING_URL)

    ids = [entry.source_id for entry in listing.entries]
    assert ids == [str(i) for i in range(10871, 10861, -1)]


def test_listing_with_numeric_dates_in_any_form_gives_each_article_its_date() -> None:
    expected = expected_json("listing_numeric_dates")["published"]

    listing = mdes.parse_listing(page("listing_numeric_dates.html"), f"{BASE}/news/3?page=3")

    assert {e.source_id: str(parse_listing_date(e.date_text or "")) for e in listing.entries} == (
        expected
    )


@pytest.mark.parametrize("today", ["2026-12-02", "2025-12-02"])
def test_a_listing_date_after_the_end_of_next_year_is_no_publication_date(today: str) -> None:
    """A year with a typo (``2667`` for ``2567``) is read, and not believed: the article's
    own date line or its first sighting decides. The bound moves with ``today``."""
    expected = expected_json("listing_future_dates")

    listing = mdes.parse_listing(page("listing_future_dates.html"), f"{BASE}/news/3?page=3")

    assert {e.source_id: e.date_text for e in listing.entries} == expected["date_text"]
    published = {
        e.source_id: publication_date(
            parse_listing_date(e.date_text or ""), date.fromisoformat(today)
        )
        for e in listing.entries
    }
    assert {key: day and day.isoformat() for key, day in published.items()} == (
        expected["published"][today]
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("23 ส.ค. 2567 เวลา 09.00-12.00 น.", date(2024, 8, 23)),  # a time range
        ("เวลา:10.30 น. 23 ส.ค. 2567", date(2024, 8, 23)),
        ("23/08/2567-10:30 น.", date(2024, 8, 23)),
        ("posted:10:30 23/08/2567", date(2024, 8, 23)),
        ("เวลา 10.12.45 น. 23 ส.ค. 2567", date(2024, 8, 23)),  # a time with seconds
        ("23.08.2567 10.12.45", date(2024, 8, 23)),
    ],
)
def test_a_time_after_a_dash_slash_or_colon_is_taken_off_the_date(line: str, expected) -> None:
    text = mdes.date_text(line)
    assert text is not None and parse_date_line(text) == expected


def test_a_dotted_time_with_seconds_alone_is_no_date() -> None:
    assert mdes.date_text("10.12.45") is None


@pytest.mark.parametrize(
    "line",
    ["02-141-6747", "081-234-5678", "พ.ศ. 2567", "1/2", "23/08", "ที่ 23/2567", "31/02/67"],
)
def test_numbers_that_are_no_date_are_no_date_line(line: str) -> None:
    assert mdes.date_text(line) is None
    assert mdes.date_text(f"วันที่ {line}") is None


def test_last_listing_page_resolves_relative_links_and_has_no_next_page() -> None:
    expected = expected_json("listing_last")
    url = f"{BASE}/news/3?page=3"

    listing = mdes.parse_listing(page("listing_last.html"), url)

    assert listing.next_url is None
    assert [(e.url, e.source_id, e.date_text) for e in listing.entries] == [
        (BASE + entry["path"], entry["source_id"], entry["date_text"])
        for entry in expected["entries"]
    ]


def pagination(last_item: str) -> str:
    return (
        '<html><body><ul class="pagination">'
        '<li class="page-item"><a class="page-link" href="/news/3?page=1">1</a></li>'
        f"{last_item}</ul></body></html>"
    )


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (pagination('<li class="page-item"><a href="/news/3?page=4">»</a></li>'), "/news/3?page=4"),
        (pagination('<li class="page-item active"><a href="/news/3?page=4">4</a></li>'), None),
        (pagination('<li class="page-item disabled"><a href="/news/3?page=4">»</a></li>'), None),
        (pagination('<li class="page-item"><a href="/news/3?page=3">3</a></li>'), None),
        (pagination('<li class="page-item"><a href="#">»</a></li>'), None),
        (pagination('<li class="page-item"><span>»</span></li>'), None),
        ("<html><body><p>no pagination</p></body></html>", None),
    ],
    ids=["next", "current", "disabled", "same-url", "anchor", "no-link", "missing"],
)
def test_next_page_is_the_last_pagination_link_only_when_it_leads_elsewhere(
    html: str, expected: str | None
) -> None:
    listing = mdes.parse_listing(html, f"{BASE}/news/3?page=3")

    assert listing.next_url == (BASE + expected if expected else None)


@pytest.mark.parametrize("html", [page("empty.html"), " \n "])
def test_empty_listing_page_has_no_entries_and_no_next_page(html: str) -> None:
    assert mdes.parse_listing(html, LISTING_URL) == ListingPage(entries=(), next_url=None)


def test_article_page_yields_every_field_from_the_selectors() -> None:
    article = mdes.parse_article(page("article.html"), ARTICLE_URL)

    assert article is not None
    assert asdict(article) == expected_article("article", ARTICLE_URL)


# Links urlsplit cannot read: a '[' opening no IPv6 host, a bracketed host that is no IP
# address (an editor's "[ลิงก์]" placeholder left in a footer).
UNREADABLE_LINKS = ("http://[::1/news/detail/55-x", "https://[ลิงก์]/")


@pytest.mark.parametrize("href", UNREADABLE_LINKS)
def test_a_link_no_browser_can_read_costs_the_article_page_nothing(href: str) -> None:
    """One such link anywhere on the page raised ValueError in the parser: the article was
    never stored, and the crawl still reported ok."""
    html = page("article.html").replace(
        "</body>", f'<footer><a href="{href}">ลิงก์</a></footer></body>'
    )

    article = mdes.parse_article(html, ARTICLE_URL)

    assert article is not None
    assert asdict(article) == expected_article("article", ARTICLE_URL)
    assert not mdes.is_soft_404(html, ARTICLE_URL) and mdes.not_article(html, ARTICLE_URL) is None


@pytest.mark.parametrize("href", UNREADABLE_LINKS)
def test_a_listing_link_no_browser_can_read_is_skipped_and_the_others_kept(href: str) -> None:
    """One such card link, or next-page link, raised ValueError: every link of the page lost."""
    expected = mdes.parse_listing(page("listing.html"), LISTING_URL)
    first_card = '<h3 class="card-title-news"><a href="'
    html = page("listing.html").replace(first_card, f'{first_card}{href}" data-was="', 1)
    next_link = 'href="https://www.mdes.go.th/news/3?page=2" rel="next"'
    html = html.replace(next_link, f'href="{href}" rel="next"')

    listing = mdes.parse_listing(html, LISTING_URL)

    assert listing.entries == expected.entries  # the featured card repeats the first article
    assert listing.next_url is None and listing.unreadable_next == href


def test_article_fields_match_the_seed() -> None:
    article = mdes.parse_article(page("article.html"), ARTICLE_URL)

    assert article is not None
    assert article.title == HEADLINE
    lines = article.body.split("\n")
    assert lines[:3] == [HEADLINE, HEADLINE, FIRST_PARAGRAPH]
    assert lines[-1].endswith(LAST_PARAGRAPH_END)
    assert article.category == "ข่าวประชาสัมพันธ์"
    assert article.date_text is None
    assert article.extraction == "selectors"


def test_body_skips_breadcrumb_and_share_columns_for_the_article_column() -> None:
    url = f"{BASE}/news/detail/10652"

    article = mdes.parse_article(page("article_breadcrumb_first.html"), url)

    assert article is not None
    assert asdict(article) == expected_article("article_breadcrumb_first", url)
    assert article.body.startswith("วันนี้ (8 มกราคม 2567) นายประเสริฐ จันทรรวงทอง")
    assert "หน้าหลัก" not in article.body
    assert "Facebook" not in article.body


def test_missing_article_column_falls_back_instead_of_taking_the_footer() -> None:
    html = page("article.html").replace('class="col-12 detail-news"', 'class="detail-news"')

    article = mdes.parse_article(html, ARTICLE_URL)

    assert article is not None
    assert article.extraction == "fallback"
    assert FIRST_PARAGRAPH in article.body.split("\n")
    assert article.title == HEADLINE


def text_taken_out(name: str) -> tuple[str, str]:
    """The saved page ``name`` with its article paragraphs taken out, and its headline."""
    html = page(f"{name}.html")
    for paragraph in expected_json(name)["body"].split("\n"):
        html = html.replace(f"<p>{paragraph}</p>", "")
    return html, expected_json(name)["title"]


@pytest.mark.parametrize(
    ("html", "headline"),
    [
        (page("article_image_only.html"), expected_json("article_headline_before")["title"]),
        (
            page("article_image_only.html").replace(
                '<p><img src="/uploads/news/2024/11/11352_02.jpg" class="img-fluid" alt=""></p>', ""
            ),
            expected_json("article_headline_before")["title"],
        ),
        text_taken_out("article_headline_inside"),
        text_taken_out("article_headline_before_no_links"),
    ],
    ids=["image", "empty column", "headline inside", "headline before, list without links"],
)
def test_an_article_with_no_text_is_its_headline_with_an_empty_body(
    html: str, headline: str
) -> None:
    article = mdes.parse_article(html, ARTICLE_URL)

    assert article is not None
    assert (article.title, article.body) == (headline, "")
    assert article.extraction == "fallback"


# A short release: one sentence and a photo caption, 103 characters in all.
SHORT_RELEASE = (
    "ดีอี มอบเครื่องคอมพิวเตอร์ 20 เครื่อง ให้โรงเรียนบ้านหนองบัว จังหวัดขอนแก่น",
    "ภาพ: ปลัดดีอี ร่วมพิธีส่งมอบ",
)


def text_replaced(name: str, lines: tuple[str, ...]) -> str:
    """The saved page ``name`` with its article paragraphs replaced by ``lines``."""
    html = page(f"{name}.html")
    paragraphs = expected_json(name)["body"].split("\n")
    html = html.replace(f"<p>{paragraphs[0]}</p>", "".join(f"<p>{line}</p>" for line in lines))
    for paragraph in paragraphs[1:]:
        html = html.replace(f"<p>{paragraph}</p>", "")
    assert not any(paragraph in html for paragraph in paragraphs)
    return html


@pytest.mark.parametrize("name", [*LAYOUTS, "article_breadcrumb_first"])
def test_a_short_release_keeps_its_text(name: str) -> None:
    """Under ``MIN_BODY_CHARS`` of text, the article column was no article column: the
    fallback read the page as its headline with an empty body, the release's text lost."""
    assert sum(map(len, SHORT_RELEASE)) < mdes.MIN_BODY_CHARS

    article = mdes.parse_article(text_replaced(name, SHORT_RELEASE), ARTICLE_URL)

    assert article is not None
    assert (article.title, article.body, article.date_text, article.extraction) == (
        expected_json(name)["title"],
        "\n".join(SHORT_RELEASE),
        expected_json(name)["date_text"],
        "selectors",
    )


@pytest.mark.parametrize(
    "lines",
    [
        ("ขออภัย ไม่พบข่าวที่ท่านต้องการ ข่าวนี้อาจถูกลบ",),
        ("ขออภัย ระบบขัดข้องชั่วคราว",),
        (expected_json("article_headline_before")["title"],),
    ],
    ids=["not-found message", "notice", "headline repeated"],
)
def test_a_short_column_of_a_message_or_the_headline_is_no_text(lines: tuple[str, ...]) -> None:
    article = mdes.parse_article(text_replaced("article_headline_before", lines), ARTICLE_URL)

    assert article is None or article.body == ""


IMAGE_ONLY_BACK_LINK = (
    '<div class="col-12 mt-4"><a class="btn btn-outline-primary" href="/news/3">ย้อนกลับ</a></div>'
)
IMAGE_ONLY_PICTURE = (
    '<p><img src="/uploads/news/2024/11/11352_02.jpg" class="img-fluid" alt=""></p>'
)
# Short lines that are no release's text: each in a column of its own, or in the article's.
NO_TEXT_LINES = {
    "category label": "หมวดหมู่: ข่าวประชาสัมพันธ์",
    "copyright line": "© 2567 กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม สงวนลิขสิทธิ์",
    "tags": "แท็ก: ดีอี MC-48",
    "source credit": "ที่มา: กองกลาง สป.ดศ.",
    "photo count": "ภาพทั้งหมด 12 ภาพ",
}


def image_only_with_column_after(column: str) -> str:
    """The image-only release with ``column`` after its back link, inside the content."""
    html = page("article_image_only.html")
    assert IMAGE_ONLY_BACK_LINK in html
    return html.replace(IMAGE_ONLY_BACK_LINK, IMAGE_ONLY_BACK_LINK + column)


@pytest.mark.parametrize(
    "html",
    [
        *(
            image_only_with_column_after(f'<div class="col-12"><p>{line}</p></div>')
            for line in NO_TEXT_LINES.values()
        ),
        image_only_with_column_after(
            '<div class="col-12 mt-4"><span class="btn" onclick="history.back()">'
            "ย้อนกลับหน้าก่อน</span></div>"
        ),
        page("article_image_only.html").replace(
            "</section>",
            '</section>\n<div class="copyright"><div class="container"><div class="row">'
            '<div class="col-12 text-center">สงวนลิขสิทธิ์ © 2567 '
            "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม</div></div></div></div>",
        ),
    ],
    ids=[*NO_TEXT_LINES, "back link as a span", "copyright bar after the content"],
)
def test_a_short_column_after_an_image_only_release_is_not_its_body(html: str) -> None:
    """A short release is read from the headline's own column or the first after it: a
    later short column (a label, a copyright bar) became the body of an image-only release."""
    article = mdes.parse_article(html, ARTICLE_URL)

    assert article is not None
    assert (article.title, article.body) == (expected_json("article_headline_before")["title"], "")


@pytest.mark.parametrize(
    "line", [*NO_TEXT_LINES.values(), "ย้อนกลับหน้าก่อน"], ids=[*NO_TEXT_LINES, "back"]
)
def test_a_label_in_the_column_of_an_image_only_release_is_not_its_body(line: str) -> None:
    html = page("article_image_only.html")
    assert IMAGE_ONLY_PICTURE in html

    article = mdes.parse_article(html.replace(IMAGE_ONLY_PICTURE, f"<p>{line}</p>"), ARTICLE_URL)

    assert article is not None
    assert (article.title, article.body) == (expected_json("article_headline_before")["title"], "")


def test_a_short_release_keeps_its_text_alone_when_a_label_column_follows() -> None:
    html = text_replaced("article_headline_before", SHORT_RELEASE)
    html = html.replace(
        IMAGE_ONLY_BACK_LINK,
        IMAGE_ONLY_BACK_LINK
        + f'<div class="col-12"><p>{NO_TEXT_LINES["category label"]}</p></div>',
    )
    assert NO_TEXT_LINES["category label"] in html

    article = mdes.parse_article(html, ARTICLE_URL)

    assert article is not None and article.body == "\n".join(SHORT_RELEASE)


IMAGE_ONLY_COLUMN = (
    '          <div class="col-12 col-lg-8 detail-news">\n'
    '            <p><img src="/uploads/news/2024/11/11352_02.jpg" class="img-fluid" alt=""></p>\n'
    "          </div>\n"
)


@pytest.mark.parametrize(
    "line",
    [
        "สอบถามข้อมูลเพิ่มเติม โทร 0 2141 6747",
        "ภาพ: กองประชาสัมพันธ์ สำนักงานปลัดกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
        "Copyright MDES",
    ],
)
def test_a_short_line_after_an_image_only_release_is_not_its_text(line: str) -> None:
    """A contact line, a photo credit or a copyright bar in the column after an image-only
    release is page furniture: the release keeps an empty body."""
    html = page("article_image_only.html")
    assert html.count(IMAGE_ONLY_COLUMN) == 1
    extra = f'<div class="col-12"><p>{line}</p></div>\n'

    article = mdes.parse_article(
        html.replace(IMAGE_ONLY_COLUMN, IMAGE_ONLY_COLUMN + extra), ARTICLE_URL
    )

    assert article is not None and article.body == ""


@pytest.mark.parametrize(
    "line",
    [
        "Copyright law for AI works: MDES opens a public hearing until 30 June",
        "Copyrighted AI works: ดีอี เปิดรับฟังความคิดเห็นถึง 30 มิ.ย.",
        "Copyright งานที่ปัญญาประดิษฐ์สร้าง ดีอีเปิดรับฟังความคิดเห็นถึงวันที่ 30 มิถุนายน 2567",
    ],
)
def test_a_short_release_opening_with_the_word_copyright_keeps_its_text(line: str) -> None:
    """``^copyright`` read a one-line release on copyright as a copyright notice."""
    article = mdes.parse_article(text_replaced("article_headline_before", (line,)), ARTICLE_URL)

    assert article is not None and article.body == line


@pytest.mark.parametrize(
    "line",
    [
        "Copyright © 2024 MDES",
        "Copyright 2567 กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
        "Copyright (c) MDES",
        "Copyright MDES. All rights reserved.",
        "Copyright MDES, all rights reserved by the ministry",
        "Copyright MDES",
        "Copyright: MDES 2024",
        "COPYRIGHT : 2567 MDES",
        "Copyright by กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
        "Copyright ® MDES",
    ],
)
def test_a_copyright_notice_in_the_column_of_an_image_only_release_is_not_its_body(
    line: str,
) -> None:
    html = page("article_image_only.html")
    assert IMAGE_ONLY_PICTURE in html

    article = mdes.parse_article(html.replace(IMAGE_ONLY_PICTURE, f"<p>{line}</p>"), ARTICLE_URL)

    assert article is not None and article.body == ""


def test_the_empty_article_template_is_no_article() -> None:
    """No headline and no text, the page title only the site's name: it was stored as an
    article headlined "| กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"."""
    headline = expected_json("article_headline_before")["title"]
    html = page("article_image_only.html").replace(headline, "")
    assert headline not in html

    assert mdes.parse_article(html, ARTICLE_URL) is None


def test_an_image_only_article_whose_headline_class_changed_is_its_page_titles_headline() -> None:
    """The empty template is refused for want of any headline; a page title naming one is
    an article all the same (a layout change), not "no article in the page"."""
    headline = expected_json("article_headline_before")["title"]
    html = page("article_image_only.html").replace('class="title-page"', 'class="page-heading"')
    assert 'class="title-page"' not in html

    article = mdes.parse_article(html, ARTICLE_URL)

    assert article is not None and (article.title, article.body) == (headline, "")


def test_renamed_classes_fall_back_to_generic_extraction() -> None:
    article = mdes.parse_article(page("article_renamed_classes.html"), ARTICLE_URL)

    assert article is not None
    assert article.extraction == "fallback"
    assert article.title == HEADLINE
    lines = article.body.split("\n")
    assert FIRST_PARAGRAPH in lines
    assert lines[-1].endswith(LAST_PARAGRAPH_END)
    assert article.category is None


@pytest.mark.parametrize("html", [page("empty.html"), "", "\n  "])
def test_empty_article_page_is_no_article(html: str) -> None:
    assert mdes.parse_article(html, ARTICLE_URL) is None


def test_article_page_without_any_text_is_no_article() -> None:
    html = '<html><body><h1 class="title-page"></h1><div class="col-12"></div></body></html>'

    assert mdes.parse_article(html, ARTICLE_URL) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.mdes.go.th/news/detail/10871-%E0%B8%94%E0%B8%B5%E0%B8%AD%E0%B8%B5", "10871"),
        ("https://www.mdes.go.th/news/detail/4600-ดีอี-ร่วมประชุม", "4600"),
        ("http://127.0.0.1:8765/news/detail/1447", "1447"),
        ("http://127.0.0.1:8765/news/detail/1447/", "1447"),
        ("https://www.mdes.go.th/news/detail/11000-MOU?ref=home", "11000"),
        ("https://www.mdes.go.th/news/3", None),
        ("https://www.mdes.go.th/news/detail/abc-slug", None),
        ("https://www.mdes.go.th/news/detail/12abc", None),
        # An escaped slash or line break is no part of an id.
        ("https://www.mdes.go.th/news/detail/10871%0A", None),
        ("https://www.mdes.go.th/news/detail/10871%2F", None),
        ("https://www.mdes.go.th/news%2Fdetail%2F10871", None),
        ("https://www.mdes.go.th/go/%2Fnews%2Fdetail%2F10871", None),
        ("https://www.mdes.go.th/news/detail/010871-slug", "10871"),  # one article
        # The id in Thai digits, raw or percent-encoded, is the article's own.
        ("https://www.mdes.go.th/news/detail/๑๐๘๗๑", "10871"),
        ("https://www.mdes.go.th/news/detail/%E0%B9%91%E0%B9%90-%E0%B8%94", "10"),
    ],
)
def test_article_id_is_the_number_before_the_slug(url: str, expected: str | None) -> None:
    assert mdes.article_id(url) == expected


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("https://www.mdes.go.th", "https://www.mdes.go.th/news/109"),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765/news/109"),
        ("http://127.0.0.1:8765/mdes/", "http://127.0.0.1:8765/mdes/news/109"),
    ],
)
def test_listing_url_builds_the_category_path_under_any_base(base: str, expected: str) -> None:
    assert mdes.listing_url(base, 109) == expected


# --- Both headline layouts ------------------------------------------------------


def parsed_body(html: str, other_headlines: tuple[str, ...] = ()) -> str:
    article = mdes.parse_article(html, ARTICLE_URL, other_headlines)
    assert article is not None
    assert article.extraction == "selectors"
    return article.body


def assert_no_furniture(body: str) -> None:
    for headline in SIDEBAR_HEADLINES:
        assert headline not in body
    for furniture in ("ข่าวล่าสุด", "แชร์", "พิมพ์", "เข้าชม", "ไฟล์แนบ", "ย้อนกลับ"):
        assert furniture not in body


@pytest.mark.parametrize("name", LAYOUTS)
def test_article_column_is_found_wherever_the_headline_sits(name: str) -> None:
    article = mdes.parse_article(page(f"{name}.html"), ARTICLE_URL)

    assert article is not None
    assert asdict(article) == expected_article(name, ARTICLE_URL)
    assert_no_furniture(article.body)


@pytest.mark.parametrize("name", LAYOUTS)
def test_page_date_is_the_articles_own_not_a_sidebar_date(name: str) -> None:
    article = mdes.parse_article(page(f"{name}.html"), ARTICLE_URL)

    assert article is not None and article.date_text
    published = parse_listing_date(article.date_text) or parse_date_line(article.date_text)
    assert published in (date(2024, 11, 19), date(2024, 11, 8))


def wrapped(html: str) -> str:
    """The content area inside two more wrappers, the outer one a .col-12."""
    return html.replace(
        '<div class="container">\n    <div class="row">',
        '<div class="container"><div class="col-12"><div class="inner">\n    <div class="row">',
        1,
    ).replace("</section>", "</div></div></section>", 1)


def headline_as_h2(html: str) -> str:
    return re.sub(r"<h1 class=\"title-page\">(.*?)</h1>", r'<h2 class="title-page">\1</h2>', html)


def headline_wrapped(html: str) -> str:
    return re.sub(
        r"(<h[12] class=\"title-page\">.*?</h[12]>)", r'<div class="head-box">\1</div>', html
    )


def page_in_a_form(html: str) -> str:
    """The whole body inside one <form>, as ASP.NET pages have it."""
    return html.replace("<body>", '<body><form id="aspnetForm" method="post">', 1).replace(
        "</body>", "</form></body>", 1
    )


def html5_article(html: str) -> str:
    """The content area an <article> with the headline in its own <header>."""
    html = html.replace('<section class="content-area">', "<article>", 1)
    html = html.replace("</section>", "</article>", 1)
    return re.sub(r"(<h[12] class=\"title-page\">.*?</h[12]>)", r"<header>\1</header>", html)


def sidebar_classes_renamed(html: str) -> str:
    html = re.sub(r'class="col-12 col-lg-4[^"]*" id="latest-news"', 'class="col-12 zq-7"', html)
    return html.replace('class="media-item"', 'class="q1"').replace('class="head-line"', "")


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize(
    "change",
    [
        wrapped,
        headline_as_h2,
        headline_wrapped,
        page_in_a_form,
        html5_article,
        sidebar_classes_renamed,
    ],
)
def test_article_column_survives_wrappers_headline_tags_and_unknown_sidebar_classes(
    name: str, change
) -> None:
    html = change(page(f"{name}.html"))

    body = parsed_body(html)

    assert body == expected_json(name)["body"]
    assert_no_furniture(body)


def sidebar_inside_column(html: str, *, heading: bool, links: bool, dates: bool) -> str:
    """The layout-B page with its "latest news" list moved to the end of the article column."""
    items = []
    for number, headline in enumerate(SIDEBAR_HEADLINES):
        text = f'<a href="/news/detail/{10100 + number}-x">{headline}</a>' if links else headline
        when = f'<span class="d">{25 + number}/11/2567</span>' if dates else ""
        items.append(f'<div class="it"><div class="t">{text}</div>{when}</div>')
    box = ("<h4>ข่าวล่าสุด</h4>" if heading else "") + "".join(items)
    html = re.sub(
        r'<div class="col-12 col-lg-4" id="latest-news">.*?\n      </div>\n', "", html, flags=re.S
    )
    last = expected_json("article_headline_inside")["body"].split("\n")[-1]
    return html.replace(f"{last}</p>", f'{last}</p>\n<div class="box">{box}</div>', 1)


@pytest.mark.parametrize(
    ("heading", "links", "dates", "known"),
    [
        (True, False, False, False),
        (False, True, False, False),
        (False, False, True, False),
        (False, False, False, True),
    ],
    ids=["heading", "links", "dates", "known-headlines"],
)
def test_list_of_other_headlines_inside_the_column_is_not_text(heading, links, dates, known):
    html = sidebar_inside_column(
        page("article_headline_inside.html"), heading=heading, links=links, dates=dates
    )
    others = SIDEBAR_HEADLINES if known else ()

    body = parsed_body(html, others)

    assert body == expected_json("article_headline_inside")["body"]


def test_short_lines_that_are_no_known_headline_stay_text() -> None:
    html = sidebar_inside_column(
        page("article_headline_inside.html"), heading=False, links=False, dates=False
    )

    body = parsed_body(html, ("ข่าวอื่นที่ไม่มีในหน้านี้ เรื่องหนึ่ง", "ข่าวอื่นที่ไม่มีในหน้านี้ เรื่องสอง"))

    assert body.endswith(SIDEBAR_HEADLINES[-1])  # nothing says they are headlines: kept


@pytest.mark.parametrize(
    "line",
    [
        "19/11/2567",
        "๑๙/๑๑/๒๕๖๗",
        "วันที่ 19/11/2567",
        "19/11/2567 10:30 น.",
        "19/11/2567 | เข้าชม 1,024 ครั้ง",
        "วันอังคารที่ 19 พฤศจิกายน 2567",
        "19 พฤศจิกายน 2567",
        "19 พ.ย. 67",
        "เผยแพร่เมื่อ 19 พ.ย. 2567",
        "วันที่ 19 พ.ย. 2567 เวลา 10:30 น.",
        "โพสต์เมื่อ: 19/11/2567 | ผู้ชม 1,024",
        "19/11/67",  # numeric, two-digit BE year
        "19.11.67",
        "19-11-2567",
        "๑๙/๑๑/๖๗",
        "วันที่ 19.11.2567 เวลา 10.30 น.",  # a dotted date is no time of day
        "19.11.67 10.30 น.",
        "November 19, 2024",
    ],
)
def test_date_line_inside_the_column_is_taken_out_and_read(line: str) -> None:
    html = page("article_headline_inside.html").replace("19/11/2567</p>", f"{line}</p>", 1)

    article = mdes.parse_article(html, ARTICLE_URL)

    assert article is not None
    assert article.body == expected_json("article_headline_inside")["body"]
    assert article.date_text is not None
    text = article.date_text
    assert (parse_listing_date(text) or parse_date_line(text)) == date(2024, 11, 19)


@pytest.mark.parametrize("name", LAYOUTS)
def test_sidebar_counters_and_share_bar_changing_leave_the_article_unchanged(name: str) -> None:
    html = page(f"{name}.html")
    changed = (
        html.replace("เข้าชม 2,315 ครั้ง", "เข้าชม 9,876 ครั้ง")
        .replace("1,204", "88,031")
        .replace(">แชร์<", ">แชร์ข่าวนี้<")
        .replace(SIDEBAR_HEADLINES[0], "ดีอี เตือนภัย ข่าวปลอม ล่าสุดประจำสัปดาห์ที่ผ่านมา")
        .replace("28/11/2567", "29/11/2567")
    )
    assert changed != html

    before = mdes.parse_article(html, ARTICLE_URL)
    after = mdes.parse_article(changed, ARTICLE_URL)

    assert before is not None and after is not None
    assert (after.title, after.body, after.date_text) == (
        before.title,
        before.body,
        before.date_text,
    )


def test_page_with_only_the_sidebar_as_a_column_falls_back_without_the_list() -> None:
    html = page("article_headline_inside.html").replace(
        'class="col-12 col-lg-8"', 'class="col-lg-8"', 1
    )

    article = mdes.parse_article(html, ARTICLE_URL)

    assert article is not None
    assert article.extraction == "fallback"
    assert expected_json("article_headline_inside")["body"].split("\n")[0] in article.body
    for headline in SIDEBAR_HEADLINES:
        assert headline not in article.body


# --- Text rules ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("แชร์", True),
        ("แชร์ พิมพ์ เข้าชม 2,315 ครั้ง", True),
        ("Share | Print | 1,204 views", True),
        ("Facebook Twitter LINE", True),
        ("อ่าน 57 ครั้ง", True),
        ("พิมพ์ภัทรา วิชัยกุล รัฐมนตรีว่าการกระทรวงอุตสาหกรรม", False),
        ("ผู้เข้าชมงานกว่า 3,000 คน ร่วมกิจกรรม", False),
        ("2567", False),
        ("ไฟล์แนบ: ข่าวประชาสัมพันธ์ (PDF)", True),
        ("Attachment: press release (PDF)", True),
        ("ไฟล์แนบท้ายประกาศกระทรวงมีผลบังคับใช้ทันที", False),
    ],
)
def test_furniture_lines_are_share_print_view_counter_and_attachment_lines(
    line: str, expected: bool
) -> None:
    assert mdes.is_furniture_line(line) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ข่าวล่าสุด", True),
        ("ข่าวที่เกี่ยวข้อง", True),
        ("Latest News", True),
        ("ข่าวอื่น ๆ", True),
        ("ข่าวล่าสุดของกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมในวันนี้ได้รายงานว่า", False),
        ("ข่าวประชาสัมพันธ์", False),
    ],
)
def test_list_headings(line: str, expected: bool) -> None:
    assert mdes.is_list_heading(line) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ดีอี ร่วมหารือ MC-48", False),  # too short to match reliably
        (SIDEBAR_HEADLINES[1], True),
        (SIDEBAR_HEADLINES[1][:30] + "...", True),
        (SIDEBAR_HEADLINES[1] + " 27/11/2567", True),
        ("ปลัดดีอี ให้การต้อนรับ เอกอัครราชทูตญี่ปุ่น", False),
    ],
)
def test_headlines_match_whole_cut_short_or_dated(line: str, expected: bool) -> None:
    assert mdes.Headlines(SIDEBAR_HEADLINES).matches(line) is expected


# --- Listing dates ----------------------------------------------------------------


def flat_listing(date_first: bool) -> str:
    cells = []
    for number in range(3):
        href = f"/news/detail/{500 + number}-x"
        link = f'<h5 class="card-title-news"><a href="{href}">ข่าว {number}</a></h5>'
        when = f'<span class="col date-news">0{number + 1}/02/2567</span>'
        cells.extend([when, link] if date_first else [link, when])
    return f'<html><body><div class="list">{"".join(cells)}</div></body></html>'


@pytest.mark.parametrize("date_first", [False, True], ids=["date-after", "date-before"])
def test_flat_listing_pairs_each_link_with_its_own_date(date_first: bool) -> None:
    listing = mdes.parse_listing(flat_listing(date_first), LISTING_URL)

    assert [(e.source_id, e.date_text, e.title) for e in listing.entries] == [
        ("500", "01/02/2567", "ข่าว 0"),
        ("501", "02/02/2567", "ข่าว 1"),
        ("502", "03/02/2567", "ข่าว 2"),
    ]


def test_featured_card_without_a_date_takes_the_date_of_its_repeat() -> None:
    html = (
        '<html><body><div class="featured"><h3 class="card-title-news">'
        '<a href="/news/detail/700-x">ข่าวเด่น</a></h3></div>'
        '<div class="card"><h5 class="card-title-news"><a href="/news/detail/700-x">ข่าวเด่น</a>'
        '</h5><div class="col date-news">07/03/2567</div></div></body></html>'
    )

    listing = mdes.parse_listing(html, LISTING_URL)

    assert [(e.source_id, e.date_text) for e in listing.entries] == [("700", "07/03/2567")]


@pytest.mark.parametrize("name", LAYOUTS)
def test_a_page_cut_anywhere_parses_without_error(name: str) -> None:
    html = page(f"{name}.html")
    body_start = html.index("<p>", html.index("title-page"))
    for cut in (*range(0, len(html), 1499), body_start + 700):
        article = mdes.parse_article(html[:cut], ARTICLE_URL)
        # Cut before its text, a page is its headline: only the fallback leaves the body empty.
        assert article is None or article.title
        assert article is None or article.body or article.extraction == "fallback"


def test_nul_bytes_and_a_page_read_in_the_wrong_charset_do_not_break_parsing() -> None:
    html = page("article_headline_inside.html")
    with_nul = html.replace("<p>", "<p>\x00", 3)
    mojibake = html.encode("utf-8").decode("cp874", errors="replace")

    article = mdes.parse_article(with_nul, ARTICLE_URL)
    garbled = mdes.parse_article(mojibake, ARTICLE_URL)

    assert article is not None and article.body == expected_json("article_headline_inside")["body"]
    assert garbled is None or isinstance(garbled.body, str)


def test_an_article_with_hundreds_of_unclosed_inline_tags_is_read_to_its_end() -> None:
    """A pasted text may leave a <span> open for each of its words: a page nested 300
    deep is read to its end (as thaigov's parser reads it), not cut at the 256th level."""
    html = page("article_headline_inside.html")
    text_starts = html.index("<p>", html.index("title-page")) + len("<p>")
    html = html[:text_starts] + "<span>" * 300 + html[text_starts:]

    assert parsed_body(html) == expected_json("article_headline_inside")["body"]


def test_a_headline_of_characters_that_show_nothing_is_no_headline() -> None:
    """Taken as the headline, ``&#8203;`` cleaned to nothing and the article was refused
    for want of one: the fallback reads the headline the page title holds."""
    html = page("article.html")
    headline = f'<h1 class="title-page">{HEADLINE}</h1>'
    assert headline in html

    article = mdes.parse_article(
        html.replace(headline, '<h1 class="title-page">&#8203;</h1>'), ARTICLE_URL
    )

    assert article is not None and article.title == HEADLINE


def test_a_short_article_in_a_block_named_like_furniture_is_kept() -> None:
    html = page("article_headline_inside.html")
    paragraphs = re.findall(r"        <p>.*?</p>\n", html)
    lines = ["ย่อหน้าแรกของข่าวสั้นที่มีความยาวพอสมควร " * 3, "ย่อหน้าที่สองของข่าวสั้น " * 4]
    short = "".join(f"<p>{line.strip()}</p>" for line in lines)
    html = html.replace("".join(paragraphs), f'<div class="news-view">{short}</div>\n', 1)

    body = parsed_body(html)

    assert body.split("\n") == [line.strip() for line in lines]


def test_a_sidebar_column_before_the_article_column_is_passed_over() -> None:
    """Headline above both columns; the list (no heading, links or dates) comes first."""
    html = page("article_headline_before_no_links.html")
    sidebar = re.search(r'      <div class="col-12 col-lg-4 box-x9".*?\n      </div>\n', html, re.S)
    assert sidebar is not None
    html = html.replace(sidebar.group(0), "").replace(
        '<div class="col-12 col-lg-8 detail-news">',
        sidebar.group(0) + '<div class="col-12 col-lg-8 detail-news">',
        1,
    )

    body = parsed_body(html)

    assert body == expected_json("article_headline_before_no_links")["body"]


def test_a_counter_beside_an_icon_above_the_text_is_not_text() -> None:
    html = page("article_headline_inside.html").replace(
        "เข้าชม 2,315 ครั้ง", '<i class="fa fa-eye"></i> 2,315', 1
    )

    assert parsed_body(html) == expected_json("article_headline_inside")["body"]


def without_headline(html: str) -> str:
    """A not-found page with no headline, its title the site's name only."""
    html = re.sub(r'<h1 class="title-page">[^<]*</h1>', "", html)
    html = re.sub(r'<meta property="og:title"[^>]*>\n', "", html)
    return re.sub(r"<title>[^|]*\| ", "<title>", html)


@pytest.mark.parametrize("html", [page("not_found.html"), without_headline(page("not_found.html"))])
def test_a_page_that_says_there_is_no_article_is_a_soft_404(html: str) -> None:
    assert "ไม่พบข่าวที่ท่านต้องการ" in html
    assert mdes.parse_article(html, ARTICLE_URL) is None
    assert mdes.is_soft_404(html, ARTICLE_URL)


def test_an_article_that_mentions_not_found_words_is_no_soft_404() -> None:
    html = page("article.html").replace(
        FIRST_PARAGRAPH, "ไม่พบข้อมูล ที่ยืนยันข่าวดังกล่าว " + FIRST_PARAGRAPH
    )

    article = mdes.parse_article(html, ARTICLE_URL)

    assert not mdes.is_soft_404(html, ARTICLE_URL)
    assert article is not None and article.title == HEADLINE
    assert article.extraction == "selectors"


MAINTENANCE = (
    '<html lang="th"><head><meta charset="utf-8"><title>ปิดปรับปรุงระบบ</title></head><body>'
    '<div class="container"><div class="row"><div class="col-12"><h1>ปิดปรับปรุงระบบชั่วคราว</h1>'
    "<p>ขออภัยในความไม่สะดวก เว็บไซต์อยู่ระหว่างการปรับปรุงระบบ "
    "กรุณาเข้าใช้งานใหม่อีกครั้งในภายหลัง</p></div></div></div></body></html>"
)


def test_a_maintenance_notice_is_not_an_article() -> None:
    assert mdes.parse_article(MAINTENANCE, ARTICLE_URL) is None
    assert mdes.not_article(MAINTENANCE, ARTICLE_URL) is NotArticle.NOTICE


def test_a_page_without_the_article_template_is_not_an_article() -> None:
    other = page("article_renamed_classes.html").replace(
        "| กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม</title>", "</title>"
    )
    assert mdes.parse_article(other, ARTICLE_URL) is None
    assert mdes.not_article(other, ARTICLE_URL) is NotArticle.OTHER_PAGE


@pytest.mark.parametrize("name", ["article_renamed_classes.html", "article_image_only.html"])
def test_an_article_the_fallback_reads_is_an_article(name: str) -> None:
    assert mdes.not_article(page(name), ARTICLE_URL) is None
    assert mdes.parse_article(page(name), ARTICLE_URL) is not None


# Pages on which a renamed headline class sends the page to the fallback extractor: the
# saved ones with the headline, date line and share bar inside the article column and an
# attachment line after it, and fixture-site pages (the headline repeated around the date).
SITE_ARTICLES = DEFAULT_ROOT / "news" / "detail"
HEADLINE_RENAMED = [
    *(page(f"{name}.html") for name in LAYOUTS[:2]),
    *(
        (SITE_ARTICLES / f"{article_id}.html").read_text(encoding="utf-8")
        for article_id in ("11001", "11004")
    ),
]


def normalised(article: PageArticle) -> Article:
    return normalise_article(
        RawArticle(
            url=article.url,
            source="mdes",
            title=article.title,
            body=article.body,
            category=article.category,
            extraction=article.extraction,
        )
    )


@pytest.mark.parametrize("html", HEADLINE_RENAMED, ids=[*LAYOUTS[:2], "site 11001", "site 11004"])
def test_a_fallback_read_has_the_selectors_date_and_text_without_the_pages_lines(html: str) -> None:
    selectors = mdes.parse_article(html, ARTICLE_URL)
    fallback = mdes.parse_article(html.replace('"title-page"', '"title-page-x"'), ARTICLE_URL)

    assert selectors is not None and selectors.extraction == "selectors"
    assert fallback is not None and fallback.extraction == "fallback"
    assert fallback.date_text == selectors.date_text
    lines = fallback.body.split("\n")
    assert selectors.category not in lines
    assert not [line for line in lines if line.startswith("ไฟล์แนบ")]
    read_by_selectors, read_by_fallback = normalised(selectors), normalised(fallback)
    assert read_by_fallback.title == read_by_selectors.title
    assert read_by_fallback.body == read_by_selectors.body


@pytest.mark.parametrize("reference", ["&#11;", "&#1;", "&#x1F;", "&#xFFFE;"])
@pytest.mark.parametrize("beside", [" R&amp;D", ""], ids=["beside an amp", "alone"])
def test_a_character_xml_cannot_hold_in_a_page_the_fallback_reads_is_no_error(
    reference: str, beside: str
) -> None:
    """As pages write them (a vertical tab pasted from Word): the HTML parser keeps them
    in the tree the fallback reads, and the fallback sets again a text holding ``&`` or
    such a character without it. Before, alone in a text, one made the extractor discard
    the whole page: no article."""
    html = HEADLINE_RENAMED[2].replace('"title-page"', '"title-page-x"')
    sentence = "ระหว่างวันที่ 28 – 29 มีนาคม 2562"
    assert sentence in html
    html = html.replace(sentence, f"{sentence}{beside}{reference}", 1)

    assert not mdes.is_soft_404(html, ARTICLE_URL)
    assert mdes.not_article(html, ARTICLE_URL) is None
    article = mdes.parse_article(html, ARTICLE_URL)
    assert article is not None and article.extraction == "fallback"
    shown_beside = " R&D" if beside else ""
    assert f"{sentence}{shown_beside} ณ โรงแรม บันยันทรี" in article.body


# Unicode's noncharacters, as a page may write them (a reference, or the character itself):
# never text, no XML document (a feed) may hold U+FFFE or U+FFFF.
NONCHARACTERS = ["&#xFFFE;", "&#xFFFF;", "\ufffe", "\uffff", "&#xFDD0;", "\ufdef"]


@pytest.mark.parametrize("noncharacter", NONCHARACTERS)
def test_a_noncharacter_in_a_paragraph_is_not_stored(noncharacter: str) -> None:
    """The selectors kept it in their text, and normalisation in the stored body."""
    html = HEADLINE_RENAMED[2]
    sentence = "ระหว่างวันที่ 28 – 29 มีนาคม 2562"
    assert html.count(sentence) == 1

    article = mdes.parse_article(html.replace(sentence, f"{sentence}{noncharacter}"), ARTICLE_URL)

    assert article is not None and article.extraction == "selectors"
    stored = normalised(article)
    assert f"{sentence} ณ โรงแรม บันยันทรี" in stored.body
    assert stored == normalised(mdes.parse_article(html, ARTICLE_URL))


# --- Lists in the text --------------------------------------------------------

# A release's own lists of links: its partners' sites, its attachments, a page of the
# site that is no article. Each is the intro line and the items, as the page shows them.
PARTNER_SITES = (
    "หน่วยงานที่ร่วมลงนาม ได้แก่",
    ("https://www.depa.or.th", "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล (depa)"),
    ("https://www.etda.or.th/th/", "สำนักงานพัฒนาธุรกรรมทางอิเล็กทรอนิกส์ (ETDA)"),
    ("https://www.ncsa.or.th", "สำนักงานคณะกรรมการการรักษาความมั่นคงปลอดภัยไซเบอร์แห่งชาติ"),
)
ATTACHED_DOCUMENTS = (
    "เอกสารประกอบการประชุม",
    ("/uploads/2567/11/mc48-statement.pdf", "ถ้อยแถลงของประเทศไทยในการประชุม MC-48 (ภาษาไทย)"),
    (
        "https://www.mdes.go.th/uploads/2567/11/mc48-en.pdf",
        "Thailand's statement at MC-48 (English)",
    ),
)
SITE_PAGES = (
    "ติดตามข้อมูลเพิ่มเติมได้ที่",
    ("/news/3", "ข่าวประชาสัมพันธ์ของกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"),
    ("/about/structure", "โครงสร้างหน่วยงานในสังกัดกระทรวง"),
)


def list_in_text(html: str, name: str, links: tuple, *, tags: str = "ul") -> str:
    """``html`` (the page ``name``) with ``links`` (an intro line, then (href, text) items)
    after the second paragraph: a <p> over a <ul> of <li>, or (``tags="div"``) over a <div>
    of a <p> each."""
    intro, *items = links
    anchors = [f'<a href="{href}">{text}</a>' for href, text in items]
    if tags == "ul":
        listed = "<ul>" + "".join(f"<li>{anchor}</li>" for anchor in anchors) + "</ul>"
    else:
        listed = "<div>" + "".join(f"<p>{anchor}</p>" for anchor in anchors) + "</div>"
    third = expected_json(name)["body"].split("\n")[2]
    assert f"<p>{third}" in html
    return html.replace(f"<p>{third}", f"<p>{intro}</p>{listed}\n<p>{third}", 1)


def body_with(name: str, links: tuple) -> str:
    """The expected body of ``name`` with ``links``' intro and item texts after its second line."""
    intro, *items = links
    lines = expected_json(name)["body"].split("\n")
    return "\n".join([*lines[:2], intro, *(text for _, text in items), *lines[2:]])


@pytest.mark.parametrize("name", ["article_headline_inside", "article_headline_before"])
@pytest.mark.parametrize("tags", ["ul", "div"])
@pytest.mark.parametrize(
    "links", [PARTNER_SITES, ATTACHED_DOCUMENTS, SITE_PAGES], ids=["sites", "documents", "pages"]
)
def test_a_list_of_links_to_other_sites_documents_or_pages_stays_text(
    name: str, tags: str, links: tuple
) -> None:
    """Any run of short link lines was taken for a list of other articles and dropped:
    the partners a release names, its attachments."""
    html = list_in_text(page(f"{name}.html"), name, links, tags=tags)

    body = parsed_body(html)

    assert body == body_with(name, links)
    assert_no_furniture(body)


@pytest.mark.parametrize("name", ["article_headline_inside", "article_headline_before"])
@pytest.mark.parametrize("tags", ["ul", "div"])
def test_a_list_of_links_to_other_articles_in_the_text_is_not_text(name: str, tags: str) -> None:
    """A "read also" list in the text: short lines linking to other articles of the site."""
    others = tuple(
        (f"https://www.mdes.go.th/news/detail/{10100 + number}-x", headline)
        for number, headline in enumerate(SIDEBAR_HEADLINES[:3])
    )
    html = list_in_text(page(f"{name}.html"), name, ("", *others), tags=tags)

    body = parsed_body(html)

    assert body == expected_json(name)["body"]
