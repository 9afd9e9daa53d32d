"""The MDES spider's requests for the articles a listing names."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from scraper.config import CONFIG_SETTING, DB_SETTING
from scraper.sites import mdes
from scraper.spiders.mdes import MdesSpider
from thaidigest.store import database_url

HOST = "http://127.0.0.1:8000"
LISTING_URL = f"{HOST}/news/3"
UTF8 = {"Content-Type": "text/html; charset=utf-8"}


def listing_spider(base_url: str = HOST) -> MdesSpider:
    """A spider as its start leaves it with no article stored and no listing read."""
    crawler = get_crawler(MdesSpider)
    crawler.stats.open_spider()
    spider = MdesSpider(base_url=base_url)
    spider.crawler = crawler
    spider.known, spider.undated, spider.requested = set(), set(), set()
    spider.headlines = mdes.Headlines([])
    spider.page_limit, spider.listed = 1, []
    return spider


def test_a_listing_link_in_thai_digits_requests_the_articles_own_address() -> None:
    """The link was requested as written, and the same article's plain link after it was
    skipped as requested: the article was fetched and stored under the Thai-digit address."""
    cards = "".join(
        f'<div class="card-title-news"><a href="{href}">ดีอี {n}</a></div>'
        for n, href in enumerate(("/news/detail/๑๐๘๗๑-ดีอี", "/news/detail/10871-ดีอี"))
    )
    html = f"<html><body>{cards}</body></html>".encode()
    request = Request(LISTING_URL, meta={"page_number": 1, "category": 3, "incremental": True})
    response = HtmlResponse(LISTING_URL, body=html, headers=UTF8, request=request)

    requests = list(listing_spider().parse_listing(response))

    assert [(r.url, r.meta["source_id"]) for r in requests] == [
        (f"{HOST}/news/detail/10871", "10871")
    ]


def test_a_plain_listing_link_is_requested_as_the_site_writes_it_slug_and_all() -> None:
    """The site links its articles as ``/news/detail/{id}-{slug}``: a new article is fetched
    at that address, not at one the site never wrote (a link whose id only starts with the
    article's, ``108710-…``, is another article's)."""
    links = ("/news/detail/10871-%E0%B8%94%E0%B8%B5", "/news/detail/108710-x", "/news/detail/10872")
    cards = "".join(
        f'<div class="card-title-news"><a href="{href}">ดีอี {n}</a></div>'
        for n, href in enumerate(links)
    )
    html = f"<html><body>{cards}</body></html>".encode()
    request = Request(LISTING_URL, meta={"page_number": 1, "category": 3, "incremental": True})
    response = HtmlResponse(LISTING_URL, body=html, headers=UTF8, request=request)

    requests = list(listing_spider().parse_listing(response))

    assert [(r.url, r.meta["source_id"]) for r in requests] == [
        (f"{HOST}{links[0]}", "10871"),
        (f"{HOST}{links[1]}", "108710"),
        (f"{HOST}{links[2]}", "10872"),
    ]


THAI_HOST = "https://ตัวอย่าง.ไทย"
IDNA_HOST = "https://xn--72c1a1bt4awk9o.xn--o3cw4h"  # as Scrapy asks for it


def test_links_to_a_host_in_thai_or_in_its_idna_form_are_on_the_crawled_site() -> None:
    """A site whose host is in Thai is fetched at its IDNA form, and its listings may link
    either: the links that wrote the host otherwise than the base URL were off-site."""
    links = (f"{THAI_HOST}/news/detail/1-ก", f"{IDNA_HOST}/news/detail/2-ข")
    cards = "".join(
        f'<div class="card-title-news"><a href="{href}">ดีอี {n}</a></div>'
        for n, href in enumerate(links)
    )
    html = f"<html><body>{cards}</body></html>".encode()
    listing_url = f"{IDNA_HOST}/news/3"
    request = Request(listing_url, meta={"page_number": 1, "category": 3, "incremental": True})
    response = HtmlResponse(listing_url, body=html, headers=UTF8, request=request)

    for base_url in (THAI_HOST, IDNA_HOST):
        spider = listing_spider(base_url)
        requests = list(spider.parse_listing(response))

        assert [r.meta["source_id"] for r in requests] == ["1", "2"], base_url
        assert spider.errors == []


def test_a_base_url_with_its_host_in_thai_lets_its_pages_through_scrapys_offsite_filter(
    tmp_path: Path,
) -> None:
    """Scrapy asks for a host in Thai in its IDNA form and compares that with
    ``allowed_domains``: a base URL in Thai named it in Thai, and every page was off-site."""
    settings = {CONFIG_SETTING: {}, DB_SETTING: database_url(str(tmp_path / "db.sqlite"))}
    crawler = get_crawler(MdesSpider, settings)
    spider = MdesSpider.from_crawler(crawler, base_url=THAI_HOST)
    offsite = OffsiteMiddleware.from_crawler(crawler)
    offsite.spider_opened(spider)

    assert offsite.should_follow(Request(f"{THAI_HOST}/news/3"), spider)
    assert not offsite.should_follow(Request("https://xn--o3cw4h.xn--o3cw4h/news/3"), spider)
    spider.closed("finished")


def test_the_robots_txt_of_either_spelling_of_the_host_passes_scrapys_offsite_filter(
    tmp_path: Path,
) -> None:
    """robots.txt's requests, unlike the spider's, go through the filter: on a crawl of
    ``www.mdes.go.th``, that of ``mdes.go.th``, asked for a redirect followed there, was
    filtered, and the page taken for forbidden by robots.txt. Another host stays out."""
    settings = {CONFIG_SETTING: {}, DB_SETTING: database_url(str(tmp_path / "db.sqlite"))}
    crawler = get_crawler(MdesSpider, settings)
    spider = MdesSpider.from_crawler(crawler, base_url="https://www.mdes.go.th")
    offsite = OffsiteMiddleware.from_crawler(crawler)
    offsite.spider_opened(spider)

    for host in ("www.mdes.go.th", "mdes.go.th"):
        assert offsite.should_follow(Request(f"https://{host}/robots.txt"), spider), host
    for host in ("wwwmdes.go.th", "example.org"):
        assert not offsite.should_follow(Request(f"https://{host}/robots.txt"), spider), host
    spider.closed("finished")


def test_a_next_page_link_no_browser_can_read_is_an_error_not_the_last_page() -> None:
    """``http://[::1/…`` (a '[' opening no IPv6 host) as the next page: skipped, it was read
    as no next page, so the older pages were not read and the crawl said ok; the next one,
    incremental, stopped at page 1 and never read them either."""
    href = "http://[::1/news/3?page=2"
    html = (
        '<html><body><div class="card-title-news"><a href="/news/detail/10871-x">ดีอี</a></div>'
        f'<ul class="pagination"><li class="active"><a href="#">1</a></li>'
        f'<li><a href="{href}">›</a></li></ul></body></html>'
    ).encode()
    request = Request(LISTING_URL, meta={"page_number": 1, "category": 3, "incremental": True})
    response = HtmlResponse(LISTING_URL, body=html, headers=UTF8, request=request)
    spider = listing_spider()
    spider.page_limit = 2

    requests = list(spider.parse_listing(response))

    assert [r.meta["source_id"] for r in requests] == ["10871"]
    assert [e["url"] for e in spider.errors] == [LISTING_URL]
    assert href in spider.errors[0]["error"]


def listing_with_next(href: str) -> bytes:
    """A listing page of one article whose pagination's next link is ``href``."""
    return (
        '<html><body><div class="card-title-news"><a href="/news/detail/10871-x">ดีอี</a></div>'
        f'<ul class="pagination"><li class="active"><a href="#">1</a></li>'
        f'<li><a href="{href}">›</a></li></ul></body></html>'
    ).encode()


def test_a_next_page_link_no_browser_can_read_on_the_page_at_page_limit_is_no_error() -> None:
    """The pages after the limit are not read by any crawl: nothing the next crawl gains by
    looking back (the limit's warning says what to raise)."""
    request = Request(LISTING_URL, meta={"page_number": 2, "incremental": True})
    body = listing_with_next("http://[::1/news/3?page=3")
    response = HtmlResponse(LISTING_URL, body=body, headers=UTF8, request=request)
    spider = listing_spider()
    spider.page_limit = 2

    requests = list(spider.parse_listing(response))

    assert [r.meta["source_id"] for r in requests] == ["10871"]
    assert spider.errors == []


SITE = "https://www.mdes.go.th"
OFFSITE_NEXT_LINKS = {
    "http-for-https": "http://www.mdes.go.th/news/3?page=2",  # a paginator behind TLS
    "another-subdomain": "https://news.mdes.go.th/news/3?page=2",
    "www-without-its-dot": "https://wwwmdes.go.th/news/3?page=2",
    "another-host": "https://example.org/news/3?page=2",
}


@pytest.mark.parametrize("href", OFFSITE_NEXT_LINKS.values(), ids=OFFSITE_NEXT_LINKS)
@pytest.mark.parametrize("page_number", [1, 2])
def test_a_next_page_link_off_the_crawled_site_is_an_error_before_page_limit(
    href: str, page_number: int
) -> None:
    """Not followed and taken as the last page, it put the category in ``listed``: the
    crawl said ok, the next one, incremental, stopped at page 1, and the older pages were
    never read. On the page at page_limit, whose next page no crawl reads, it is none."""
    url = f"{SITE}/news/3"
    request = Request(url, meta={"page_number": page_number, "category": 3, "incremental": False})
    response = HtmlResponse(url, body=listing_with_next(href), headers=UTF8, request=request)
    spider = listing_spider()
    spider.base_url, spider.page_limit = SITE, 2

    requests = list(spider.parse_listing(response))

    assert [r.url for r in requests] == [f"{SITE}/news/detail/10871-x"]
    assert spider.crawler.stats.get_value("thaidigest/offsite_links_ignored") == 1
    if page_number < spider.page_limit:
        assert [e["url"] for e in spider.errors] == [url]
        assert href in spider.errors[0]["error"]
    else:
        assert spider.errors == []


BARE = "https://mdes.go.th"
# A listing page linking its articles and its next page on the other spelling of its host.
SPELLINGS = {"www-dropped": (SITE, BARE), "www-added": (BARE, SITE)}


@pytest.mark.parametrize(("base_url", "linked"), SPELLINGS.values(), ids=SPELLINGS)
def test_links_to_the_other_spelling_of_the_host_are_followed_at_the_base_urls_own(
    base_url: str, linked: str
) -> None:
    """``mdes.go.th`` and ``www.mdes.go.th`` are one site: a listing that wrote the other
    spelling lost its articles and its older pages as off-site. Asked at the base URL's own
    spelling, in its download slot: one robots.txt and one delay for the one server."""
    html = (
        f'<html><body><div class="card-title-news"><a href="{linked}/news/detail/10871-x">'
        f'ดีอี</a></div><ul class="pagination"><li class="active"><a href="#">1</a></li>'
        f'<li><a href="{linked}/news/3?page=2">›</a></li></ul></body></html>'
    ).encode()
    url = f"{base_url}/news/3"
    request = Request(url, meta={"page_number": 1, "category": 3, "incremental": False})
    response = HtmlResponse(url, body=html, headers=UTF8, request=request)
    spider = listing_spider(base_url)
    spider.page_limit = 2

    requests = list(spider.parse_listing(response))

    assert [r.url for r in requests] == [
        f"{base_url}/news/detail/10871-x",
        f"{base_url}/news/3?page=2",
    ]
    assert {r.meta["download_slot"] for r in requests} == {urlsplit(base_url).hostname}
    assert spider.crawler.stats.get_value("thaidigest/offsite_links_ignored") is None
    assert spider.errors == []


def test_links_on_https_to_a_site_crawled_on_http_are_asked_at_the_base_url() -> None:
    """The site moved to https (its links say so), the base URL still on http: its pages
    are on the site, asked at the base URL (which the site redirects to https, followed)."""
    html = listing_with_next("https://mdes.go.th/news/3?page=2")
    base_url = "http://www.mdes.go.th"
    url = f"{base_url}/news/3"
    request = Request(url, meta={"page_number": 1, "category": 3, "incremental": False})
    response = HtmlResponse(url, body=html, headers=UTF8, request=request)
    spider = listing_spider(base_url)
    spider.page_limit = 2

    requests = list(spider.parse_listing(response))

    assert [r.url for r in requests][1:] == [f"{base_url}/news/3?page=2"]
    assert spider.errors == []
