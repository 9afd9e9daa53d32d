"""mdes.go.th page parsing, against saved pages built from real articles.

Expected values come from the seed and corpus text the pages were written from
(``pages/mdes/*.expected.json`` and the literals below), never from the parser.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urljoin

import pytest

from scraper.sites import ListingEntry, ListingPage, mdes

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


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def expected_json(name: str) -> dict:
    return json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))


def expected_article(name: str, url: str) -> dict[str, str | None]:
    """The expected PageArticle fields; image paths in the file resolve against ``url``."""
    expected = expected_json(name)
    image_path = expected.pop("image_path")
    return {**expected, "url": url, "image_url": urljoin(url, image_path) if image_path else None}


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


def test_featured_card_repeating_an_article_is_listed_once() -> None:
    listing = mdes.parse_listing(page("listing.html"), LISTING_URL)

    ids = [entry.source_id for entry in listing.entries]
    assert ids == [str(i) for i in range(10871, 10861, -1)]


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


def test_article_fields_match_the_seed() -> None:
    article = mdes.parse_article(page("article.html"), ARTICLE_URL)

    assert article is not None
    assert article.title == HEADLINE
    lines = article.body.split("\n")
    assert lines[:3] == [HEADLINE, HEADLINE, FIRST_PARAGRAPH]
    assert lines[-1].endswith(LAST_PARAGRAPH_END)
    assert article.category == "ข่าวประชาสัมพันธ์"
    assert article.image_url == f"{BASE}/uploads/news/2019/03/1447_01.jpg"
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


def test_renamed_classes_fall_back_to_generic_extraction() -> None:
    article = mdes.parse_article(page("article_renamed_classes.html"), ARTICLE_URL)

    assert article is not None
    assert article.extraction == "fallback"
    assert article.title == HEADLINE
    lines = article.body.split("\n")
    assert FIRST_PARAGRAPH in lines
    assert lines[-1].endswith(LAST_PARAGRAPH_END)
    assert article.category is None
    assert article.image_url is None


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
