"""The crawl report as stored and as ``thaidigest crawl`` prints it."""

from __future__ import annotations

from scraper.commands import format_report
from scraper.report import build_report


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
