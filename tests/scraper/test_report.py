"""The crawl report as stored and as ``thaidigest crawl`` prints it."""

from __future__ import annotations

from types import SimpleNamespace

from scraper.commands import format_report
from scraper.report import build_report, unfinished_report


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
