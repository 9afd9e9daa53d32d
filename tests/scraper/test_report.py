"""The crawl report as stored and as ``thaidigest crawl`` prints it."""

from __future__ import annotations

from types import SimpleNamespace

from scraper.commands import format_report
from scraper.report import (
    CLASS_NAME_WORDS,
    CUT_SHORT,
    ROBOTS_REASON,
    START_FAILURE,
    build_report,
    robots_note,
    robots_rules,
    stored_rule,
    unfinished_report,
    unreachable_reason,
)


def test_http_404s_are_counted_apart_from_soft_404s() -> None:
    stats = {"thaidigest/fetched": 3, "thaidigest/soft_404": 2, "thaidigest/not_found": 5}
    report = build_report(stats, [], [])
    assert (report["soft_404"], report["not_found"]) == (2, 5)
    counts = format_report("thaigov", {"status": "ok", "report": report}).splitlines()[1]
    assert "soft 404 2, not found 5," in counts


def test_a_report_stored_before_not_found_was_counted_still_prints() -> None:
    report = build_report({"thaidigest/fetched": 3, "thaidigest/soft_404": 2}, [], [])
    report.pop("not_found", None)  # as stored by an earlier thaidigest
    counts = format_report("thaigov", {"status": "ok", "report": report}).splitlines()[1]
    assert "soft 404 2, not found 0," in counts


def test_requests_not_sent_and_answers_after_the_stop_are_one_line_per_reason() -> None:
    reason = "rate limited: 429 after 4 retries"
    blocked = [
        {"url": "http://t/1", "status": 429, "target": None, "reason": reason},
        {"url": "http://t/3", "status": None, "target": None, "reason": reason, "count": 7},
    ]
    late = [{"url": "http://t/2", "status": 429, "reason": reason, "count": 1}]
    report = build_report({"thaidigest/fetched": 3}, blocked, [], late)
    lines = format_report("thaigov", {"status": "blocked", "report": report}).splitlines()
    assert lines[2:] == [
        f"  blocked: http://t/1 answered 429 ({reason})",
        f"  blocked: http://t/3 not sent ({reason})",
        f"  site stopped ({reason}): 7 requests not sent, "
        "1 answer received after the stop, not used",
    ]


def test_a_report_stored_before_requests_not_sent_were_counted_prints_no_count() -> None:
    blocked = [{"url": "http://t/3", "status": None, "target": None, "reason": "bot check page"}]
    report = build_report({"thaidigest/fetched": 3}, blocked, [])
    report.pop("answered_after_stop")  # as stored by an earlier thaidigest
    printed = format_report("thaigov", {"status": "blocked", "report": report})
    assert printed.splitlines()[2:] == ["  blocked: http://t/3 not sent (bot check page)"]


def test_a_crawl_that_did_not_finish_keeps_the_answers_received_after_a_stop():
    # A crawl stopped by SIGTERM after a site's stop: its stored report is built from what
    # the crawler holds, and says what arrived after the stop as a finished one does.
    answered = [{"url": "http://127.0.0.1/news/contents/details/7", "status": 200,
                 "reason": "bot check page: Cloudflare challenge", "count": 2}]  # fmt: skip
    spider = SimpleNamespace(name="thaigov", blocked=[], errors=[], answered_after_stop=answered)
    crawler = SimpleNamespace(spider=spider, stats=SimpleNamespace(get_stats=lambda: {}))
    report = unfinished_report("stopped by SIGTERM", crawler)
    assert report["answered_after_stop"] == answered
    assert report["status"] == "failed"


def forbidden(url: str, rule: str) -> dict:
    """A request robots.txt stopped, as the crawl stores it."""
    return {"url": url, "status": None, "target": None, "reason": ROBOTS_REASON, "rule": rule}


def test_a_rule_says_why_robots_txt_could_not_be_fetched_or_is_a_rule_of_robots_txt() -> None:
    assert unreachable_reason("unreachable: HTTP 503") == "HTTP 503"
    assert unreachable_reason("unreachable: connection refused") == "connection refused"
    assert unreachable_reason("Disallow: /news/") is None
    assert unreachable_reason("Disallow: /unreachable: x") is None


def test_the_note_names_the_rules_robots_txt_gave_and_why_it_could_not_be_read() -> None:
    assert robots_note({}) == ""
    assert robots_note({"Disallow: /news/": ["u"]}) == " by robots.txt (Disallow: /news/)"
    assert robots_note({"unreachable: timed out": ["u"]}) == " (robots.txt unreachable: timed out)"
    # A crawl of two hosts: one robots.txt read and forbidding, the other unreadable.
    rules = robots_rules(
        [
            forbidden("http://a/news/1", "Disallow: /news/"),
            forbidden("http://b/1", "unreachable: HTTP 503"),
            forbidden("http://a/news/2", "Disallow: /news/"),
        ]
    )
    assert rules == {
        "Disallow: /news/": ["http://a/news/1", "http://a/news/2"],
        "unreachable: HTTP 503": ["http://b/1"],
    }
    assert robots_note(rules) == (
        " by robots.txt (Disallow: /news/) (robots.txt unreachable: HTTP 503)"
    )


def test_a_run_stored_with_an_errors_class_name_reads_as_a_run_stored_now() -> None:
    old = [forbidden("http://a/1", "unreachable: DownloadConnectionRefusedError")]
    assert robots_note(robots_rules(old)) == " (robots.txt unreachable: connection refused)"
    lines = format_report("mdes", {"status": "blocked", "report": build_report({}, old, [])})
    assert "robots.txt unreachable (connection refused): 1 request not sent" in lines
    assert "Error" not in lines
    assert stored_rule("unreachable: DownloadFailedError") == "unreachable: download failed"
    for rule in ("unreachable: HTTP 503", "unreachable: connection refused", "Disallow: /x"):
        assert stored_rule(rule) == rule


def test_each_class_name_once_stored_reads_as_the_words_its_errors_get_now() -> None:
    from scrapy.exceptions import DownloadFailedError

    from scraper.download_errors import NO_MESSAGE, PLAIN_WORDS

    for kinds, words in PLAIN_WORDS:
        for kind in kinds:
            if kind.__name__ in CLASS_NAME_WORDS:  # SSL's "Error" was never stored bare
                assert CLASS_NAME_WORDS[kind.__name__] == words, kind
    named = {kind.__name__ for kinds, _ in PLAIN_WORDS for kind in kinds}
    assert named - {"Error"} <= set(CLASS_NAME_WORDS)
    assert CLASS_NAME_WORDS[DownloadFailedError.__name__] == NO_MESSAGE


def test_a_stored_class_name_the_table_does_not_name_reads_as_a_failed_download() -> None:
    # What an earlier version stored for a robots.txt over the size limit, a proxy's
    # tunnel and the OS: never shown as a class name, whatever the class.
    for name in ("DownloadCancelledError", "TunnelError", "OSError", "twisted.SomeError"):
        assert "Error" not in stored_rule(f"unreachable: {name}")
    assert stored_rule("unreachable: TunnelError") == "unreachable: download failed"
    assert stored_rule("unreachable: DownloadCancelledError") == "unreachable: download cancelled"
    for rule in ("unreachable: larger than crawl.max_page_bytes", "unreachable: HTTP 429"):
        assert stored_rule(rule) == rule


def test_a_site_stopped_for_refusing_pages_is_said_in_plain_words() -> None:
    reason = "refused 5 pages in a row"
    blocked = [
        {"url": "http://t/5", "status": 403, "target": None, "reason": reason},
        {"url": "http://t/6", "status": None, "target": None, "reason": reason, "count": 9},
    ]
    stats = {"thaidigest/stopped_after_refused_pages": 5}
    report = build_report(stats, blocked, [])
    assert report["stopped_after_refused_pages"] == 5
    lines = format_report("thaigov", {"status": "blocked", "report": report}).splitlines()
    assert lines[-2:] == [
        f"  site stopped ({reason}): 9 requests not sent, 0 answers received after the stop,"
        " not used",
        "  stopped after 5 pages in a row refused, none served in this crawl, one of them known"
        " to exist: the site refuses this client for now, so it was asked for nothing more;"
        " the next crawl asks for what this one did not",
    ]
    unstopped = build_report({"thaidigest/fetched": 3}, blocked[:1], [])
    assert unstopped["stopped_after_refused_pages"] == 0
    assert "stopped after" not in format_report(
        "thaigov", {"status": "blocked", "report": unstopped}
    )


def test_a_crawl_a_closespider_limit_cut_short_is_an_error_and_counts_no_listing_read() -> None:
    stats = {"thaidigest/fetched": 9, "thaidigest/listed": [3, 7]}
    finished = build_report({**stats, "finish_reason": "finished"}, [], [], site_url="http://x")
    assert finished["listed"] == [3, 7] and finished["errors"] == []
    for reason in ("closespider_pagecount", "closespider_timeout", "cancelled"):
        report = build_report({**stats, "finish_reason": reason}, [], [], site_url="http://x")
        assert "listed" not in report
        assert report["errors"] == [{"url": "http://x", "error": CUT_SHORT.format(reason=reason)}]
        assert f"  error: http://x: the crawl was cut short ({reason})" in format_report(
            "mdes", {"status": report["status"], "report": report}
        )
    # thaidigest's own reasons keep their status, with no error added
    for reason, status in (("shutdown", "stopped"), ("database error", "failed")):
        report = build_report({**stats, "finish_reason": reason}, [], [])
        assert (report["status"], report["errors"]) == (status, [])


def test_a_crawl_whose_start_failed_is_failed_and_says_why_not_cut_short() -> None:
    """Scrapy closes the crawl ``start_error`` when the spider's start raised, once the
    requests it asked for before are done: not a limit cutting it short."""
    failure = {"finish_reason": "start_error", START_FAILURE: "ValueError: not a number: 'x'"}
    report = build_report(failure, [], [], site_url="http://x")
    assert report["status"] == "failed"
    assert report["errors"] == [
        {
            "url": "http://x",
            "error": "the crawl did not start: its start failed (ValueError: not a number: 'x')",
        }
    ]
    # Pages fetched before the start failed: failed all the same, and said so.
    stats = {**failure, "downloader/request_count": 3, "thaidigest/fetched": 2}
    report = build_report(stats, [], [], site_url="http://x")
    assert report["status"] == "failed"
    assert format_report("mdes", {"status": report["status"], "report": report}).endswith(
        "\n  error: http://x: the crawl started only in part: its start failed (ValueError:"
        " not a number: 'x'); the pages still to read were not read"
    )
    # No words kept (a stats collector that keeps none): the log has them.
    report = build_report({"finish_reason": "start_error"}, [], [], site_url="http://x")
    assert report["errors"][0]["error"] == (
        "the crawl did not start: its start failed (the crawl's log says why)"
    )
