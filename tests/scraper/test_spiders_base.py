"""How a spider decodes a page: saved bytes under the charset a server declares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from scraper.sites import thaigov
from scraper.spiders.thaigov import ThaigovSpider

PAGES = Path(__file__).parent / "pages" / "thaigov"
URL = "http://127.0.0.1:8000/news/contents/details/87382"


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
