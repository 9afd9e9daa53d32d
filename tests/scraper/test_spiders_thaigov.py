"""The thaigov spider's answers to an article id: what each one counts in the crawl
report, and where the id walk goes on after it."""

from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from scraper.middlewares import SiteStopped
from scraper.report import settle_dead_runs
from scraper.spiders.thaigov import ThaigovSpider
from thaidigest.config import DEFAULTS
from thaidigest.store import Store, utc_now

PAGES = Path(__file__).parent / "pages" / "thaigov"
URL = "http://127.0.0.1:8000/news/contents/details/87390"
UTF8 = {"Content-Type": "text/html; charset=utf-8"}


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


def walking_spider(start: int, miss_limit: int) -> tuple[ThaigovSpider, list[Request]]:
    """A spider as its start leaves it with no article stored, and the walk's first requests."""
    crawler = get_crawler(ThaigovSpider)
    crawler.stats.open_spider()
    spider = ThaigovSpider(base_url="http://127.0.0.1:8000")
    spider.crawler = crawler
    spider.miss_limit = miss_limit
    spider.walk_limit = DEFAULTS["sites"]["thaigov"]["walk_limit"]
    spider.requested, spider.known, spider.failed = set(), set(), set()
    spider.held_hits = set()
    spider.highest_requested = spider.highest_hit = spider.walk_last = 0
    spider.probed = False
    return spider, list(spider.walk_from(start))


def walked_ids(requests) -> list[int]:
    return [int(request.meta["source_id"]) for request in requests]


def test_an_id_whose_request_failed_on_the_network_walks_one_id_further() -> None:
    """A timeout past its retries counted as a miss: the errback extended nothing."""
    spider, first = walking_spider(100, miss_limit=2)
    assert walked_ids(first) == [100, 101]
    timeout = Failure(TimeoutError("took longer than 5 s"))
    timeout.request = first[0]
    assert walked_ids(spider.on_error(timeout)) == [102]
    soft_404 = (PAGES / "soft_404.html").read_bytes()
    url = first[1].url
    missing = HtmlResponse(url, body=soft_404, headers=UTF8, request=first[1])
    assert walked_ids(spider.parse_article(missing)) == []  # 101 a miss, 102 the second


def test_a_request_not_sent_once_the_site_stopped_walks_no_further() -> None:
    spider, first = walking_spider(100, miss_limit=2)
    not_sent = Failure(SiteStopped(first[0].url, "rate limited: 429 after 4 retries"))
    not_sent.request = first[0]
    assert walked_ids(spider.on_error(not_sent)) == []


def test_a_network_error_on_the_wire_at_the_stop_walks_no_further() -> None:
    """A request on the wire when a bot check stopped the site, failing after: counted as a
    failed id, it walked one id further, only for that id to be counted not sent."""
    spider, first = walking_spider(100, miss_limit=2)
    spider.stop_reason = "bot check page: Cloudflare challenge"
    timeout = Failure(TimeoutError("took longer than 5 s"))
    timeout.request = first[1]
    assert walked_ids(spider.on_error(timeout)) == []


def answered(request: Request, page: str, status: int = 200) -> HtmlResponse:
    """The answer to ``request``: the saved thaigov ``page`` with ``status``."""
    body = (PAGES / page).read_bytes()
    return HtmlResponse(request.url, status=status, body=body, headers=UTF8, request=request)


def walk_ended_on_misses(start: int, miss_limit: int) -> ThaigovSpider:
    """A spider whose walk from ``start`` found no article: each id a soft 404."""
    spider, first = walking_spider(start, miss_limit)
    for request in first:
        assert walked_ids(spider.parse_article(answered(request, "soft_404.html"))) == []
    return spider


def test_a_walk_that_found_no_article_probes_five_ids_past_its_end_once() -> None:
    """A run of unpublished ids longer than miss_limit ended every crawl's walk at its
    start, and the articles past it were never asked."""
    spider = walk_ended_on_misses(100, miss_limit=4)  # 100 to 103
    assert walked_ids(spider.probe_requests()) == [105, 107, 111, 119, 135]
    assert spider.probe_requests() == []  # once a crawl


def test_a_probe_that_finds_an_article_walks_the_ids_before_it_and_past_it() -> None:
    spider = walk_ended_on_misses(100, miss_limit=4)
    probes = {int(request.meta["source_id"]): request for request in spider.probe_requests()}
    item, *walked = spider.parse_article(answered(probes[111], "article_th.html"))
    assert item.url == "https://thaigov.go.th/news/contents/details/111"  # stored as the site's
    assert walked_ids(walked) == [104, 106, 108, 109, 110, 112, 113, 114, 115]  # 105, 107 probed


def test_a_probe_that_fails_or_finds_nothing_walks_no_further() -> None:
    spider = walk_ended_on_misses(100, miss_limit=4)
    probes = spider.probe_requests()
    assert walked_ids(spider.parse_article(answered(probes[0], "soft_404.html"))) == []
    timeout = Failure(TimeoutError("took longer than 5 s"))
    timeout.request = probes[1]
    assert walked_ids(spider.on_error(timeout)) == []  # a guess: no failed id of the walk


def test_a_walk_that_found_an_article_or_was_refused_probes_nothing() -> None:
    spider, first = walking_spider(100, miss_limit=2)
    _, *walked = spider.parse_article(answered(first[0], "article_th.html"))
    for request in first[1:] + walked:  # 101, 102: two misses past the article
        assert walked_ids(spider.parse_article(answered(request, "soft_404.html"))) == []
    assert spider.probe_requests() == []
    refused = walk_ended_on_misses(100, miss_limit=2)
    refused.blocked.append({"url": URL, "status": 403})
    assert refused.probe_requests() == []


def record_run(store: Store, status: str, walk_start: int | None, **report: object) -> None:
    """A thaigov crawl run whose walk started at ``walk_start`` (None: a run recorded
    before walks noted their start), finished with ``status`` and ``report`` (the errors
    and blocked it lists, Scrapy's finish reason ``finished`` unless it gives another), or,
    for ``status`` None, killed before it reported."""
    run_id = store.start_crawl_run("thaigov", utc_now())
    if walk_start is not None:
        store.note_crawl_run(run_id, {"walk_start": walk_start})
    if status is not None:
        ended = {"errors": [], "blocked": [], "finish_reason": "finished", **report}
        store.finish_crawl_run(
            run_id, utc_now(), status, {**store.crawl_run(run_id)["report"], **ended}
        )


def rechecked(tmp_path: Path, runs: list[tuple]) -> tuple[int | None, list[int]]:
    """Where a crawl with the base 1000 rechecks from after ``runs`` (``record_run``'s
    arguments), with a ``recheck_window`` of 10 and no ``gap_window``, and the ids below
    that it asks again as failed before."""
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    for status, walk_start, *report in runs:
        record_run(store, status, walk_start, **dict(report))
    settle_dead_runs(store, "thaigov")
    spider = ThaigovSpider()
    spider.store = store
    spider.site = {"recheck_window": 10, "gap_window": 0}
    spider.known, spider.requested = {"400"}, set()
    try:
        lowest = spider.recheck_from(1000)
        return lowest, spider.failed_before(lowest) if lowest is not None else []
    finally:
        store.close()


def recheck_from(tmp_path: Path, runs: list[tuple]) -> int | None:
    return rechecked(tmp_path, runs)[0]


ERROR = ("errors", [{"url": URL, "error": "HTTP 500"}])


def test_a_crawl_after_a_killed_walk_rechecks_from_where_that_walk_started(tmp_path) -> None:
    assert recheck_from(tmp_path, [("ok", 900), (None, 950)]) == 950


def test_the_recheck_reaches_the_lowest_walk_start_since_the_last_clean_crawl(tmp_path) -> None:
    runs = [("ok", 500), (None, 600), ("blocked", 980), (None, 995), ("failed", 999)]
    assert recheck_from(tmp_path, runs) == 600


def test_a_crawl_that_ended_ok_with_errors_bounds_the_walk_starts_looked_back_to(tmp_path):
    """It asked for all it meant to: a page answering 500 in every crawl kept each unclean,
    and each looked back to the walk start before it, the range growing with the site."""
    runs = [(None, 600), ("ok", 950, ERROR), ("blocked", 980)]
    assert recheck_from(tmp_path, runs) == 980


def test_a_crawl_closed_by_a_limit_is_no_finished_one_for_the_walk_starts(tmp_path) -> None:
    """Ok, with its cut short error, it ended the look back: a walk start before it, of a
    crawl killed, was never looked back to again."""
    limit = ("finish_reason", "closespider_pagecount")
    cut = ("errors", [{"url": "http://127.0.0.1:8000", "error": "cut short"}])
    assert recheck_from(tmp_path, [(None, 600), ("ok", 950, limit, cut)]) == 600


def failed(*ids: int) -> tuple[str, list[dict[str, str]]]:
    return "errors", [{"url": URL.replace("87390", str(i)), "error": "HTTP 503"} for i in ids]


def test_ids_that_failed_below_the_recheck_are_asked_again_by_id(tmp_path) -> None:
    """A page failing in a crawl that ran out of requests was asked again only while
    within recheck_window of the base: a walk of a backlog left it behind for good."""
    runs = [("ok", 900, failed(500)), ("blocked", 995, failed(700, 400)), (None, 996)]
    assert rechecked(tmp_path, runs) == (990, [500, 700])  # 400 stored since


def test_after_a_clean_crawl_no_walk_start_widens_the_recheck(tmp_path) -> None:
    assert recheck_from(tmp_path, [(None, 600), ("ok", 980)]) is None


def test_a_walk_start_within_the_recheck_window_leaves_it_as_it_was(tmp_path) -> None:
    assert recheck_from(tmp_path, [("ok", 900), (None, 995), (None, None)]) == 990


def test_a_search_page_answered_before_the_walk_began_starts_no_walk_past_its_base() -> None:
    """A search page answered while start() still yielded revisits and rechecks, on a store
    whose walk has a base: its newest link started the walk, and start()'s own walk from
    the base then asked nothing below that link, ids never asked nor stored."""
    spider = walking_spider(77000, miss_limit=2)[0]
    spider.requested, spider.known = set(), set()  # as start() leaves it before walk_from
    spider.highest_requested = spider.highest_hit = spider.walk_last = 0
    spider.search_starts_walk = False  # start() found a base: the walk is its own
    search = (PAGES / "search.html").read_bytes()
    request = Request(f"{URL.rsplit('/news', 1)[0]}/search?keyword=x", meta={"keyword": "x"})
    list(spider.parse_search(HtmlResponse(request.url, body=search, headers=UTF8, request=request)))
    assert walked_ids(spider.walk_from(77000)) == [77000, 77001]  # below its links, 77144 last


def test_search_links_held_before_the_walk_began_are_not_fetched_again_when_released() -> None:
    """Held while the walk's limit was still 0, the links the walk then asked itself were
    fetched a second time at its end (no duplicate filter on article requests)."""
    spider = walking_spider(77000, miss_limit=2)[0]
    spider.requested, spider.known = set(), set()
    spider.highest_requested = spider.highest_hit = spider.walk_last = 0
    spider.search_starts_walk = False
    search = (PAGES / "search.html").read_bytes()
    request = Request(f"{URL.rsplit('/news', 1)[0]}/search?keyword=x", meta={"keyword": "x"})
    list(spider.parse_search(HtmlResponse(request.url, body=search, headers=UTF8, request=request)))
    links = sorted(spider.held_hits)
    walked = walked_ids(spider.walk_from(links[0]))  # the walk's base just below a link
    assert walked and set(walked) <= set(links)
    assert spider.held_to_fetch() == [link for link in links if link not in walked]


def test_a_search_link_held_below_the_walk_is_fetched_though_the_walk_reached_its_limit():
    """Held before the walk began (its limit still 0), a link below the limit was let go
    as past it when the walk then reached its limit: no later walk goes below its base."""
    spider = walking_spider(77000, miss_limit=2)[0]
    spider.requested, spider.known = set(), set()
    spider.highest_requested = spider.highest_hit = spider.walk_last = 0
    spider.walk_limit = 2
    spider.held_hits = {150, 5000}
    assert walked_ids(spider.walk_from(1001)) == [1001, 1002]  # the limit reached
    assert spider.held_to_fetch() == [150]
