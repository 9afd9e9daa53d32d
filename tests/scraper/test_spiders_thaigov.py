"""The thaigov spider's answers to an article id: what each one counts in the crawl report."""

from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from scraper.spiders.thaigov import ThaigovSpider

PAGES = Path(__file__).parent / "pages" / "thaigov"
URL = "http://127.0.0.1:8000/news/contents/details/87390"


def answer(status: int, body: bytes) -> HtmlResponse:
    request = Request(URL, meta={"source_id": "87390"})
    headers = {"Content-Type": "text/html; charset=utf-8"}
    return HtmlResponse(URL, status=status, body=body, headers=headers, request=request)


def counts(*responses: HtmlResponse) -> dict[str, int]:
    crawler = get_crawler(ThaigovSpider)
    crawler.stats.open_spider()
    spider = ThaigovSpider()
    spider.crawler = crawler
    for response in responses:
        assert list(spider.parse_article(response)) == []
    stats = crawler.stats.get_stats()
    return {name: stats.get(f"thaidigest/{name}", 0) for name in ("soft_404", "not_found")}


def test_an_http_404_is_counted_as_not_found_not_as_a_soft_404() -> None:
    missing = answer(404, b"<html><body><h1>404 Not Found</h1></body></html>")
    gone = answer(410, b"")
    assert counts(missing, gone) == {"soft_404": 0, "not_found": 2}


def test_an_empty_200_page_is_counted_as_a_soft_404() -> None:
    soft = answer(200, (PAGES / "soft_404.html").read_bytes())
    assert counts(soft) == {"soft_404": 1, "not_found": 0}
