from datetime import UTC, datetime, timedelta

from digest.select import Week
from thaidigest.health import (
    CrawlRun,
    Found,
    health_lines,
    not_crawled,
    run_reasons,
    settled,
    site_health,
)
from thaidigest.store import iso, parse_iso

END = datetime(2024, 8, 26, tzinfo=UTC)


def ago(days: float) -> str:
    return iso(END - timedelta(days=days))


def run(days: float, status: str = "ok", **report) -> CrawlRun:
    return CrawlRun(ago(days + 0.01), ago(days), status, report)


def found(days: float, extraction: str = "selectors", dated: bool = True) -> Found:
    return Found(ago(days), extraction, dated)


LONG_AGO = ago(100)


def health(runs, items, known_since=LONG_AGO, max_quiet_days=7, first_crawl=LONG_AGO):
    last_new = max((item.first_seen for item in items), default=None)
    return site_health(
        "thaigov", runs, items, last_new, known_since, END, max_quiet_days, first_crawl
    )


def test_the_week_is_counted_against_the_median_of_the_eight_before():
    # 3 this week; 10, 20, 30, 40, 50, 60, 70, 80 in the eight weeks before: median 45
    items = [found(1), found(2, "fallback"), found(3, dated=False)]
    for week, count in enumerate((10, 20, 30, 40, 50, 60, 70, 80), start=1):
        items.extend(found(7 * week + 1) for _ in range(count))
    items.extend(found(7 * 9 + 1) for _ in range(500))  # before the eight weeks: not counted
    site = health([run(1)], items)
    assert (site.found, site.median_found, site.fallback, site.undated) == (3, 45.0, 1, 1)
    assert health_lines(site)[1] == (
        "articles found: 3 (median of the 8 weeks before: 45); "
        "fallback extraction 33% (1); no date 1"
    )


def test_a_week_with_no_article_found_says_so_without_empty_shares():
    # Nothing found this week: no share of fallback extraction ("- (0)") and no "no date 0".
    items = [found(7 * week + 1) for week in range(1, 9) for _ in range(41)]
    site = health([run(1)], items)
    assert health_lines(site)[1] == "articles found: 0 (median of the 8 weeks before: 41)"


def test_weeks_before_the_first_crawl_do_not_drag_the_median_down():
    items = [found(1), found(8), found(8), found(9)]
    site = health([run(1)], items, known_since=ago(15))
    assert site.median_found == 3.0  # one week known before this one, not eight weeks of 0


def test_crawls_are_counted_by_outcome_with_the_reasons_they_failed():
    runs = [
        run(1),
        run(2),
        run(3, "blocked", blocked=[{"url": "u", "status": 403}]),
        run(4, "blocked", blocked=[{"url": "u", "status": 403}]),
        run(5, "blocked", blocked=[{"url": "u", "reason": "robots.txt", "rule": "Disallow: /"}]),
        run(6, "failed", errors=[]),
        run(9, "failed"),  # before the week
    ]
    site = health(runs, [found(1)])
    assert site.crawls == {"ok": 2, "failed": 1, "blocked": 3}
    assert site.reasons == ("HTTP 403 (×2)", "nothing fetched", "robots.txt Disallow: /")
    assert health_lines(site)[0] == (
        "crawls: ok 2, failed 1, blocked 3 (HTTP 403 (×2); nothing fetched; robots.txt Disallow: /)"
    )


def test_a_site_quiet_for_longer_than_allowed_while_crawling_ok_is_warned_about():
    site = health([run(0.5), run(3)], [found(10), found(12)])
    assert site.warning is not None
    assert site.warning.startswith(
        "thaigov: nothing new for 10.0 days (since 2024-08-16, Bangkok time)"
    )
    assert "(2 ok in the last 7 days)" in site.warning
    assert site.warning not in " ".join(health_lines(site))  # shown by the callers, once


def test_a_quiet_site_whose_crawls_fail_gets_no_quiet_warning():
    # Failing crawls are reported as such (and by the overdue-crawl check), not as a quiet site.
    site = health([run(1, "blocked", blocked=[{"url": "u", "status": 403}])], [found(10)])
    assert site.warning is None


def test_a_site_with_news_within_the_allowed_days_gets_no_warning():
    assert health([run(0.5)], [found(6.5)]).warning is None
    assert health([run(0.5)], [found(10)], max_quiet_days=14).warning is None


def test_a_site_that_never_yielded_an_article_while_crawling_ok_is_warned_about():
    site = health([run(0.5)], [], known_since=ago(8))
    assert site.warning is not None and "nothing new for 8.0 days (ever)" in site.warning
    assert health([run(0.5)], [], known_since=ago(2)).warning is None


def test_a_run_stored_with_an_errors_class_name_counts_as_the_same_reason():
    def unreachable(days: float, rule: str) -> CrawlRun:
        blocked = [{"url": "http://m/", "reason": "robots.txt", "rule": rule}]
        return run(days, "blocked", blocked=blocked)

    runs = [
        unreachable(1, "unreachable: connection refused"),
        unreachable(2, "unreachable: DownloadConnectionRefusedError"),  # an earlier version's
    ]
    assert run_reasons(runs) == ("robots.txt unreachable: connection refused (×2)",)


def test_reasons_of_a_stopped_or_unfinished_run():
    runs = [run(1, "stopped"), run(2, "failed", unfinished="crawl timed out after 3600 s")]
    assert run_reasons(runs) == ("crawl timed out after 3600 s",)


def test_an_outcome_is_not_repeated_as_its_own_reason():
    site = health([run(1, "stopped"), run(2, "stopped"), run(3)], [found(1)])
    crawls = health_lines(site)[0]
    assert crawls == "crawls: ok 1, stopped 2", crawls
    assert "(stopped" not in crawls


def test_a_week_that_ended_before_the_sites_first_crawl_or_article_says_it_was_not_watched():
    # A past week built from articles crawled or imported since (the demo's weeks): no
    # "crawls: none" and "articles found: 0" beside the items the digest lists.
    later = iso(END + timedelta(days=800))
    site = health([], [], known_since=later)
    assert not site.watched and site.warning is None
    (line,) = health_lines(site)
    assert line == (
        f"not watched yet: its first crawl or article found was on {later[:10]}, after this week"
    )


def test_a_site_never_crawled_and_with_no_article_says_it_was_not_watched():
    (line,) = health_lines(health([], [], known_since=None))
    assert line == "not watched yet: no crawl run and no article stored"


def test_a_site_first_crawled_during_the_week_is_watched():
    site = health([run(2)], [found(2)], known_since=ago(2))
    assert site.watched
    assert health_lines(site)[0] == "crawls: ok 1"


DIED = "the crawl process ended before the crawl did"
STORED = "stored_only"  # a report of the articles stored only: the rest is unknown


def test_a_run_left_running_by_a_gone_crawl_counts_as_failed():
    runs = [run(3, "running"), run(2, "ok"), run(1, "running")]
    # A live crawl holds the lock: only the newest running run can be it.
    alive = settled(runs, crawling=True, checked_at=END)
    assert [r.status for r in alive] == ["failed", "ok", "running"]
    assert alive[0].report == {"status": "failed", "unfinished": DIED, STORED: True}
    assert alive[1] is runs[1] and alive[2] is runs[2]
    # No live holder: every running run is a dead crawl's, as the next crawl records it.
    gone = settled(runs, crawling=False, checked_at=END)
    assert [r.status for r in gone] == ["failed", "ok", "failed"]
    assert run_reasons(gone) == (f"{DIED} (×2)",)
    assert health_lines(health(gone, [found(1)]))[0] == f"crawls: ok 1, failed 2 ({DIED} (×2))"


def test_a_killed_run_that_stored_articles_crawled_the_site():
    """A crawl killed before it reported leaves on its run the articles it stored, counted
    with them: the site was crawled, whether the next crawl has recorded the run or not."""
    recorded = run(1, "failed", new=20, updated=1, unfinished=DIED, stored_only=True)
    assert not_crawled(health([recorded], [found(1)])) is None
    gone = settled([run(1, "running", new=20)], crawling=False, checked_at=END)
    assert gone[0].report == {"new": 20, "status": "failed", "unfinished": DIED, STORED: True}
    assert not_crawled(health(gone, [found(1)])) is None
    nothing = run(1, "failed", unfinished=DIED, stored_only=True)
    assert not_crawled(health([nothing], [])) == f"failed: {DIED}"


def test_a_run_that_started_after_the_lock_was_looked_at_is_left_running():
    late = run(1, "running")
    checked = parse_iso(late.started_at) - timedelta(seconds=1)
    assert settled([late], crawling=False, checked_at=checked) == [late]
    # Times are whole seconds: one started in the second of the look may be after it.
    same_second = parse_iso(late.started_at)
    assert settled([late], crawling=False, checked_at=same_second) == [late]
    a_second_later = same_second + timedelta(seconds=1)
    assert settled([late], crawling=False, checked_at=a_second_later)[0].status == "failed"


def test_a_site_is_not_crawled_in_a_week_of_runs_that_all_failed_in_their_words():
    blocked = run(1, "blocked", blocked=[{"url": "u", "status": 403}])
    site = health([blocked, run(2, "failed"), run(3, "stopped")], [])
    assert not_crawled(site) == "failed, blocked, stopped: HTTP 403; nothing fetched"
    assert (
        health_lines(site)[0]
        == "crawls: failed 1, blocked 1, stopped 1 (HTTP 403; nothing fetched)"
    )
    assert not_crawled(health([run(9)], [])) == "no crawl run"  # crawled before the week only


def test_a_site_is_crawled_when_one_run_succeeded_or_one_is_still_going():
    failed = run(2, "failed")
    assert not_crawled(health([failed, run(1)], [])) is None
    assert not_crawled(health([failed, run(1, "running")], [])) is None  # a live crawl


def test_a_site_whose_runs_fetched_pages_was_crawled_whatever_they_ended():
    """One link robots.txt forbids marks a run blocked, a shutdown marks it stopped: the
    site was still crawled, as its articles found say beside it."""
    forbidden = [{"url": "u", "status": None, "rule": "Disallow: /print/"}]
    blocked = [run(day, "blocked", fetched=40, blocked=forbidden) for day in (1, 2, 3)]
    assert not_crawled(health(blocked, [])) is None
    assert not_crawled(health([run(1, "stopped", fetched=120)], [])) is None
    unfetched = run(1, "blocked", fetched=0, blocked=forbidden)
    nothing = health([unfetched, run(2, "stopped")], [])
    assert not_crawled(nothing) == "blocked, stopped: robots.txt Disallow: /print/"


def test_pages_the_database_refused_or_an_article_imported_are_no_crawl_of_the_site():
    """A run that fetched pages the store would not keep gathered nothing; an article of
    the site imported in the week (a backup restored while the site was down) is none of
    its crawls."""
    refused = [run(day, "failed", fetched=12, finish_reason="database error") for day in (1, 2)]
    assert (not_crawled(health(refused, [])) or "").startswith("failed")
    unfetched = run(1, "failed", fetched=0)
    assert (not_crawled(health([unfetched], [found(1)])) or "").startswith("failed")


def test_a_site_never_crawled_by_the_weeks_end_missed_no_crawl():
    """Its articles were imported (a corpus, the demo's weeks): a week without a crawl
    is no news of its crawls."""
    assert not_crawled(health([], [found(1)], first_crawl=None)) is None
    later = iso(END + timedelta(days=1))
    assert not_crawled(health([], [found(1)], first_crawl=later)) is None


# The end of 2026-W48 (23 to 29 November): Monday 30 November, 00:00 in Bangkok, which is
# 17:00 UTC on Sunday the 29th. A crawl at 20:00 UTC that Sunday is 03:00 Monday in Bangkok.
W48_END = Week(2026, 48).end()
SUNDAY_EVENING_UTC = "2026-11-29T20:00:00Z"


def test_a_site_first_crawled_after_the_week_in_bangkok_names_the_bangkok_day():
    site = site_health("thaigov", [], [], None, SUNDAY_EVENING_UTC, W48_END, 7)
    assert not site.watched
    assert health_lines(site) == [
        "not watched yet: its first crawl or article found was on 2026-11-30, after this week"
    ]


def test_the_quiet_warning_names_the_bangkok_day_of_the_newest_article_and_says_so():
    # Found at 20:00 UTC on Sunday 15 November: Monday the 16th in Bangkok.
    newest = Found("2026-11-15T20:00:00Z", "selectors", True)
    runs = [CrawlRun("2026-11-28T01:00:00Z", "2026-11-28T01:05:00Z", "ok")]
    site = site_health("thaigov", runs, [newest], newest.first_seen, LONG_AGO, W48_END, 7)
    assert site.warning is not None
    assert site.warning.startswith(
        "thaigov: nothing new for 13.9 days (since 2026-11-16, Bangkok time) while its crawls"
    )
