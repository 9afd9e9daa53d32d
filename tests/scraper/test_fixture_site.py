"""The loopback fixture server: routing, validators, soft 404s and scripted faults."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from urllib.parse import quote
from urllib.robotparser import RobotFileParser

import pytest
from parsel import Selector
from protego import Protego

from scraper.fixture_site import (
    BOT_CHECK_PATH,
    MDES_PATHS,
    OFFSITE_URL,
    RANDOM_FAULTS,
    FaultPlan,
    FaultRule,
    FixtureSite,
    main,
)

SITE = Path(__file__).resolve().parents[2] / "seeds" / "site"
MANIFEST = json.loads((SITE / "manifest.json").read_text(encoding="utf-8"))
TITLE_PREFIX = "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-"
THAIGOV_HEADLINE = "div.col-xs-12.col-sm-6.padding-sm1.news-2 h3.news-1.Circular.color2"
ARTICLE = "/news/contents/details/87382"
ARTICLE_TITLE = "ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญของเศรษฐกิจดิจิทัล"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers and body of one GET, errors and redirects included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with OPENER.open(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def site() -> FixtureSite:
    with FixtureSite(SITE) as running:
        yield running


def serve(*rules: FaultRule, root: Path = SITE) -> FixtureSite:
    """A started server applying ``rules``; use it as a context manager."""
    return FixtureSite(root, FaultPlan(list(rules)))


def test_article_has_validators_and_conditional_requests_get_304(site: FixtureSite) -> None:
    status, headers, body = fetch(site.url(ARTICLE))
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert ARTICLE_TITLE in body.decode("utf-8")
    etag, modified = headers["ETag"], headers["Last-Modified"]

    assert fetch(site.url(ARTICLE), {"If-None-Match": etag})[0] == 304
    assert fetch(site.url(ARTICLE), {"If-Modified-Since": modified})[0] == 304
    assert fetch(site.url(ARTICLE), {"If-None-Match": '"stale"'})[0] == 200
    conditional = [r for r in site.requests if r.path == ARTICLE and r.status == 304]
    assert [r.headers.get("If-None-Match") for r in conditional] == [etag, None]
    assert [r.headers.get("If-Modified-Since") for r in conditional] == [None, modified]


def test_editing_a_page_changes_its_etag_and_gives_200(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    page = root / "news/contents/details/87382.html"
    with FixtureSite(root) as running:
        _, headers, _ = fetch(running.url(ARTICLE))
        page.write_text(
            page.read_text(encoding="utf-8").replace("ดร.เอกพงษ์", "นายเอกพงษ์"), encoding="utf-8"
        )
        status, edited, body = fetch(running.url(ARTICLE), {"If-None-Match": headers["ETag"]})
    assert status == 200
    assert edited["ETag"] != headers["ETag"]
    assert "นายเอกพงษ์ ยังได้กล่าวถึง" in body.decode("utf-8")


@pytest.mark.parametrize(
    "article_id",
    [
        next(i for i in range(*MANIFEST["thaigov_window"]) if i not in MANIFEST["thaigov_ids"]),
        MANIFEST["thaigov_window"][1] + 1,
        5,
    ],
)
def test_missing_thaigov_id_is_a_soft_404(site: FixtureSite, article_id: int) -> None:
    status, _, body = fetch(site.url(f"/news/contents/details/{article_id}"))
    page = Selector(text=body.decode("utf-8"))
    assert status == 200
    assert page.css("title::text").get() == TITLE_PREFIX
    assert page.css(THAIGOV_HEADLINE).xpath("string()").get().strip() == ""


def test_mdes_detail_is_served_whatever_the_slug(site: FixtureSite) -> None:
    bodies = {
        fetch(site.url(f"/news/detail/11009-{quote(slug)}"))[2]
        for slug in ("ดีอี-ร่วมประชุม-APEC-2024", "ชื่ออื่น", "")
    }
    bodies.add(fetch(site.url("/news/detail/11009"))[2])
    (body,) = bodies
    title = Selector(text=body.decode("utf-8")).css(".title-page::text").get()
    assert title == ARTICLE_TITLE
    assert fetch(site.url("/news/detail/10999-missing"))[0] == 404


def test_listing_links_carry_the_servers_own_base_url(site: FixtureSite) -> None:
    status, _, body = fetch(site.url("/news/3"))
    page = Selector(text=body.decode("utf-8"))
    links = page.css(".card-title-news a::attr(href)").getall()
    next_page = page.css(".pagination > li")[-1].css("a::attr(href)").get()
    assert status == 200
    assert links
    assert all(link.startswith(site.base_url + "/news/detail/") for link in links)
    assert next_page == site.url("/news/3/page/2")
    assert b"{{BASE}}" not in body


def test_last_listing_page_has_no_next_link(site: FixtureSite) -> None:
    last = max(p["path"] for p in MANIFEST["pages"] if p["path"].startswith("/news/3"))
    body = fetch(site.url(last))[2].decode("utf-8")
    assert Selector(text=body).css(".pagination > li")[-1].css("a").get() is None


def test_every_manifest_path_resolves_to_its_page(site: FixtureSite) -> None:
    for entry in MANIFEST["pages"]:
        status, _, body = fetch(site.url(entry["path"]))
        assert status == 200, entry["path"]
        assert entry["title"] in body.decode("utf-8").replace("&amp;", "&"), entry["path"]


def test_manifest_lists_the_thaigov_window_and_both_sites() -> None:
    first, last = MANIFEST["thaigov_window"]
    articles = [p for p in MANIFEST["pages"] if p["kind"] == "article"]
    assert 87382 in MANIFEST["thaigov_ids"]
    assert all(first <= i <= last for i in MANIFEST["thaigov_ids"])
    assert len(MANIFEST["thaigov_ids"]) < last - first + 1  # the window has gaps
    assert {p["site"] for p in articles} == {"thaigov", "mdes"}
    assert any("same_release_as" in p for p in articles)
    assert all(p["text"] and p["source"] for p in articles)


def mdes_detail(entry: dict) -> Selector:
    return Selector(text=(SITE / entry["file"]).read_text(encoding="utf-8"))


def test_mdes_detail_pages_come_in_both_headline_layouts_and_both_sidebars() -> None:
    details = [p for p in MANIFEST["pages"] if p["site"] == "mdes" and p["kind"] == "article"]
    combinations = {(p["layout"], p["sidebar_links"]) for p in details}
    assert combinations == {
        ("headline_inside", True),
        ("headline_inside", False),
        ("headline_before", True),
        ("headline_before", False),
    }
    for entry in details:
        page = mdes_detail(entry)
        first_column = page.css(".col-12")[0]
        inside = first_column.css(".title-page")
        assert bool(inside) is (entry["layout"] == "headline_inside"), entry["path"]
        if inside:  # the lead image and the date line stand in the column too
            assert first_column.css(".carousel-item.active img")
            assert first_column.css("p::text").re(r"^\d{2}/\d{2}/25\d{2}$")
        sidebar = page.xpath("//*[h4[normalize-space()='ข่าวล่าสุด']]")
        assert len(sidebar) == 1
        titles = [" ".join(t.split()) for t in sidebar.css(".news-item-title ::text").getall()]
        assert [t for t in titles if t] == entry["sidebar_titles"]
        assert entry["title"] not in entry["sidebar_titles"]
        assert bool(sidebar.css("a")) is entry["sidebar_links"]


def test_served_robots_txt_can_be_replaced() -> None:
    with FixtureSite(SITE, robots_txt="User-agent: *\nDisallow: /news/\n") as running:
        status, headers, body = fetch(running.url("/robots.txt"))
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert body == b"User-agent: *\nDisallow: /news/\n"


def test_robots_txt_allows_news_and_disallows_admin(site: FixtureSite) -> None:
    robots = RobotFileParser(site.url("/robots.txt"))
    robots.read()
    assert robots.can_fetch("thaidigest", site.url(ARTICLE))
    assert robots.can_fetch("thaidigest", site.url("/news/3/page/2"))
    assert not robots.can_fetch("thaidigest", site.url("/admin/login"))


def test_robots_txt_asks_for_no_crawl_delay() -> None:
    """A crawl honours Crawl-delay (scraper.throttle): one here would slow every crawl
    of the tests and of ``make demo``, which ask for no delay."""
    robots = Protego.parse((SITE / "robots.txt").read_text(encoding="utf-8"))
    assert robots.crawl_delay("*") is None
    assert robots.crawl_delay("thaidigest") is None


def test_unknown_path_is_404(site: FixtureSite) -> None:
    assert fetch(site.url("/nowhere"))[0] == 404


def test_status_fault_fails_the_given_times_then_serves() -> None:
    with serve(FaultRule(ARTICLE, "status", times=1, status=503)) as running:
        statuses = [fetch(running.url(ARTICLE))[0] for _ in range(3)]
        faults = [r.fault for r in running.requests]
    assert statuses == [503, 200, 200]
    assert faults == ["status", None, None]


def test_a_fault_after_some_requests_serves_those_first_then_strikes() -> None:
    """A site that starts refusing part-way: ``after`` matches served, then ``times`` faults."""
    with serve(FaultRule(ARTICLE, "status", after=2, times=1, status=503)) as running:
        statuses = [fetch(running.url(ARTICLE))[0] for _ in range(4)]
    assert statuses == [200, 200, 503, 200]


def test_retry_after_fault_answers_429_with_retry_after() -> None:
    with serve(FaultRule(ARTICLE, "retry_after", times=1)) as running:
        status, headers, _ = fetch(running.url(ARTICLE))
    assert (status, headers["Retry-After"]) == (429, "1")


def test_burst_403_blocks_requests_over_the_limit_and_recovers() -> None:
    with serve(FaultRule(MDES_PATHS, "burst_403", limit=2, window=0.2)) as running:
        burst = [fetch(running.url("/news/3"))[0] for _ in range(3)]
        other_site = fetch(running.url(ARTICLE))[0]
        time.sleep(0.25)
        after = fetch(running.url("/news/3"))[0]
    assert burst == [200, 200, 403]
    assert other_site == 200
    assert after == 200


def test_redirect_offsite_points_outside_the_site() -> None:
    with serve(FaultRule(ARTICLE, "redirect_offsite")) as running:
        status, headers, _ = fetch(running.url(ARTICLE))
    assert (status, headers["Location"]) == (302, OFFSITE_URL)


def test_redirect_fault_sends_its_status_and_location() -> None:
    with serve(
        FaultRule("^/robots\\.txt$", "redirect", status=308, location=OFFSITE_URL)
    ) as running:
        status, headers, _ = fetch(running.url("/robots.txt"))
    assert (status, headers["Location"]) == (308, OFFSITE_URL)
    with pytest.raises(ValueError, match="3xx"):
        FaultRule(ARTICLE, "redirect", location=OFFSITE_URL)  # the default status is a 503


def test_redirect_307_points_to_the_bot_check() -> None:
    with serve(FaultRule(ARTICLE, "redirect_307")) as running:
        status, headers, _ = fetch(running.url(ARTICLE))
        check = fetch(headers["Location"])
    assert status == 307
    assert headers["Location"].startswith(running.url(BOT_CHECK_PATH))
    assert check[0] == 200
    assert b"headtitle" not in check[2]


def test_bot_check_fault_answers_the_challenge_with_200_even_to_a_revalidation() -> None:
    with serve(FaultRule(ARTICLE, "bot_check")) as running:
        status, _, body = fetch(running.url(ARTICLE), {"If-None-Match": "*"})
    assert status == 200
    assert b"<title>Just a moment...</title>" in body
    assert ARTICLE_TITLE.encode() not in body


def test_meta_refresh_answers_200_with_a_page_that_only_refreshes() -> None:
    with serve(FaultRule(ARTICLE, "meta_refresh", location="/", refresh=2)) as running:
        status, _, body = fetch(running.url(ARTICLE))
    refresh = Selector(text=body.decode()).css('meta[http-equiv="refresh"]::attr(content)')
    assert (status, refresh.getall()) == (200, ["2;url=/"])
    assert ARTICLE_TITLE.encode() not in body
    with pytest.raises(ValueError, match="location"):
        FaultRule(ARTICLE, "meta_refresh")


def test_auto_refresh_serves_the_page_reloading_itself() -> None:
    with serve(FaultRule(ARTICLE, "auto_refresh", refresh=300)) as running:
        status, _, body = fetch(running.url(ARTICLE))
    refresh = Selector(text=body.decode()).css('meta[http-equiv="refresh"]::attr(content)')
    assert (status, refresh.getall()) == (200, [f"300;url={ARTICLE}"])
    assert ARTICLE_TITLE.encode() in body


def test_redirect_loop_never_reaches_the_page() -> None:
    with serve(FaultRule(ARTICLE, "redirect_loop")) as running:
        url, seen = running.url(ARTICLE), []
        for _ in range(4):
            status, headers, _ = fetch(url)
            assert status == 302
            url = headers["Location"]
            seen.append(url)
    assert len(set(seen)) == 2


def test_cut_connection_raises_on_the_client() -> None:
    with serve(FaultRule(ARTICLE, "cut")) as running:
        response = urllib.request.urlopen(running.url(ARTICLE), timeout=5)
        with response, pytest.raises(http.client.IncompleteRead):
            response.read()


def test_cut_unframed_sends_half_a_page_with_no_length_that_reads_as_complete(
    site: FixtureSite,
) -> None:
    full = fetch(site.url(ARTICLE))[2]
    with serve(FaultRule(ARTICLE, "cut_unframed")) as running:
        status, headers, body = fetch(running.url(ARTICLE))  # no IncompleteRead
    assert status == 200
    assert "Content-Length" not in headers
    assert body == full[: len(full) // 2]
    assert b"</body>" not in body and b"</html>" not in body


def test_truncate_sends_half_a_page_with_a_correct_length(site: FixtureSite) -> None:
    full = fetch(site.url(ARTICLE))[2]
    with serve(FaultRule(ARTICLE, "truncate")) as running:
        status, headers, body = fetch(running.url(ARTICLE))
    assert status == 200
    assert int(headers["Content-Length"]) == len(body)
    assert len(body) < len(full) * 0.6
    assert b"</html>" not in body


def test_wrong_charset_sends_cp874_declared_as_utf8() -> None:
    with serve(FaultRule(ARTICLE, "wrong_charset")) as running:
        _, headers, body = fetch(running.url(ARTICLE))
    assert headers.get_content_charset() == "utf-8"
    assert ARTICLE_TITLE in body.decode("cp874")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_garble_sends_bytes_that_are_not_the_page(site: FixtureSite) -> None:
    with serve(FaultRule(ARTICLE, "garble")) as running:
        status, _, body = fetch(running.url(ARTICLE))
    assert status == 200
    assert ARTICLE_TITLE.encode() not in body


def test_huge_sends_twenty_megabytes() -> None:
    with serve(FaultRule(ARTICLE, "huge")) as running:
        _, headers, body = fetch(running.url(ARTICLE))
    assert int(headers["Content-Length"]) == len(body) == 20 * 2**20


def test_huge_chunked_streams_its_size_in_chunks_without_a_length() -> None:
    with serve(FaultRule(ARTICLE, "huge_chunked", size=300_000)) as running:
        _, headers, body = fetch(running.url(ARTICLE))
    assert "Content-Length" not in headers
    assert headers["Transfer-Encoding"] == "chunked"
    assert len(body) == 300_000 and ARTICLE_TITLE.encode() in body


def test_huge_gzip_sends_a_small_gzipped_body_of_its_size_decompressed() -> None:
    with serve(FaultRule(ARTICLE, "huge_gzip", size=300_000)) as running:
        _, headers, body = fetch(running.url(ARTICLE))
    assert headers["Content-Encoding"] == "gzip"
    assert int(headers["Content-Length"]) == len(body) < 10_000
    page = gzip.decompress(body)
    assert len(page) == 300_000 and ARTICLE_TITLE.encode() in page


def test_hang_answers_after_the_delay() -> None:
    with serve(FaultRule(ARTICLE, "hang", delay=0.3)) as running:
        start = time.monotonic()
        status = fetch(running.url(ARTICLE))[0]
    assert status == 200
    assert time.monotonic() - start >= 0.3


def test_a_slow_fault_is_received_at_once_and_answered_after_its_wait() -> None:
    """``slow`` keeps a request on the wire: the server has it (recorded) and has not
    answered yet; the answer is the fault's (a challenge here), not a hang's page."""
    answers: list[tuple[int, Message, bytes]] = []
    with serve(FaultRule(ARTICLE, "bot_check", slow=2.0)) as running:
        fetching = threading.Thread(target=lambda: answers.append(fetch(running.url(ARTICLE))))
        fetching.start()
        waited_until = time.monotonic() + 30  # a regression fails, never hangs
        while not running.requests:
            assert time.monotonic() < waited_until, "the request never reached the server"
            time.sleep(0.01)
        assert answers == []  # received, still on the wire
        fetching.join()
    status, _, body = answers[0]
    assert status == 200
    assert b"<title>Just a moment...</title>" in body


def test_soft404_fault_hides_an_existing_article() -> None:
    with serve(FaultRule(ARTICLE, "soft404")) as running:
        status, _, body = fetch(running.url(ARTICLE))
    assert status == 200
    assert Selector(text=body.decode("utf-8")).css("title::text").get() == TITLE_PREFIX


def test_random_mode_repeats_with_the_same_seed() -> None:
    def faults(seed: int) -> list[str | None]:
        with FixtureSite(SITE, FaultPlan(seed=seed, rate=0.5)) as running:
            for _ in range(12):
                with contextlib.suppress(http.client.IncompleteRead):
                    fetch(running.url("/news/7"))
            return [r.fault for r in running.requests]

    first = faults(7)
    assert first == faults(7)
    assert set(first) - {None} <= set(RANDOM_FAULTS)
    assert None in first
    assert set(first) != {None}


def test_unknown_fault_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        FaultRule(ARTICLE, "explode")


def test_main_refuses_a_directory_without_manifest(tmp_path: Path) -> None:
    assert main([str(tmp_path), "--port", "0"]) == 2


def test_main_on_a_port_in_use_is_one_line_not_a_traceback(capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--port", str(port)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"cannot listen on 127.0.0.1:{port}: address already in use"
    ]
