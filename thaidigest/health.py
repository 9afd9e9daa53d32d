"""Source health: is each site still yielding articles? Pure judgement, one read.

For a period (a digest's week, or the seven days to now for ``thaidigest
status``) and each site: its crawls by outcome (ok / failed / blocked /
stopped) and why they did not succeed, the articles first seen against the
median of the eight periods before, the share extracted by the fallback
extractor, the articles with no date, and a **quiet warning** when the site
has found nothing new for longer than ``status.max_quiet_days`` while its
crawls succeed: a site whose layout changed, or that answers a block page as
HTTP 200, still crawls "ok" and simply stops yielding articles.

:func:`load_health` is the only function here that reads the store; it reads
the crawl runs by their index and the articles first seen in the nine
periods by ``first_seen``, and whether a live process holds each site's crawl
lock: a run still marked running whose crawl is gone (killed) counts as failed,
``the crawl process ended before the crawl did``, as the next crawl records it.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from digest.select import bangkok_day
from scraper.report import killed_report, pages_fetched, stored_rule
from thaidigest import locks
from thaidigest.model import FALLBACK_EXTRACTION
from thaidigest.plural import counted
from thaidigest.store import (
    DATABASE_ERROR,
    FAILED,
    RUNNING,
    Store,
    articles,
    crawl_runs,
    iso,
    stored_moment,
    utc_now,
)

HISTORY_PERIODS = 8  # the median of found articles is taken over this many periods before
PERIOD = timedelta(days=7)
OK = "ok"
# The outcomes a crawl run's status names, in the order they are shown.
OUTCOMES = ("ok", "failed", "blocked", "stopped", "locked", "running")
MAX_REASONS = 3  # reasons shown per site


@dataclass(frozen=True)
class CrawlRun:
    """What health needs of one crawl run."""

    started_at: str
    finished_at: str | None
    status: str
    report: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Found:
    """What health needs of one stored article: when it was first seen and how it was read."""

    first_seen: str
    extraction: str
    dated: bool


@dataclass(frozen=True)
class SiteHealth:
    """The health of one site over a period."""

    source: str
    crawls: Mapping[str, int]  # outcome -> runs started in the period
    reasons: tuple[str, ...]  # why runs failed or were blocked, most frequent first
    found: int  # articles first seen in the period
    median_found: float | None  # over the previous periods; None without any crawl history
    fallback: int  # of ``found``, extracted by the fallback extractor
    undated: int  # of ``found``, with no published date
    last_new: str | None  # when the newest article of the site was first seen
    quiet_days: float | None  # days since then (or since the first crawl), at the period's end
    warning: str | None  # the quiet-site warning
    known_since: str | None = None  # its first crawl or first stored article
    watched: bool = True  # known before the period's end: its crawls and finds are news
    crawled: bool = False  # a crawl run of it had started before the period's end
    fetched: int = 0  # pages its crawl runs of the period fetched and kept, whatever their outcome


def _outcome_order(outcome: str) -> tuple[int, str]:
    return (OUTCOMES.index(outcome) if outcome in OUTCOMES else len(OUTCOMES), outcome)


def run_reasons(runs: Iterable[CrawlRun]) -> tuple[str, ...]:
    """Why crawl runs did not succeed, most frequent first: ``HTTP 403 (×3)``, ``robots.txt …``,
    ``rate limited: 429 after 4 retries``: a blocked answer's reason, when the crawl gave one,
    rather than its status. A run that gave no reason (stopped by a shutdown) adds none:
    its outcome is counted beside the reasons already, ``stopped 2``, not
    ``stopped 2 (stopped (×2))``."""
    tally: Counter[str] = Counter()
    for run in runs:
        if run.status == OK:
            continue
        report = run.report
        found = []
        for entry in report.get("blocked", []):
            if entry.get("rule"):
                found.append(f"robots.txt {stored_rule(entry['rule'])}")
            elif entry.get("reason"):  # the crawl's own words: "rate limited: …", "redirect loop"
                found.append(str(entry["reason"]))
            elif entry.get("status"):
                found.append(f"HTTP {entry['status']}")
        if report.get("unfinished"):
            found.append(str(report["unfinished"]))
        if not found and run.status == "failed":
            errors = report.get("errors", [])
            found.append(counted(len(errors), "error") if errors else "nothing fetched")
        tally.update(set(found))
    ordered = sorted(tally.items(), key=lambda pair: (-pair[1], pair[0]))
    return tuple(f"{reason} (×{count})" if count > 1 else reason for reason, count in ordered)


def settled(runs: Sequence[CrawlRun], crawling: bool, checked_at: datetime) -> list[CrawlRun]:
    """``runs`` with each run still marked running whose crawl is gone counted as failed,
    as the site's next crawl records it (``the crawl process ended before the crawl did``).

    ``crawling``: whether a live process held the site's crawl lock at ``checked_at``.
    A crawl takes the lock before it records its run, so only the newest running run can
    be alive, and only while the lock is held; a run that may have started after the
    check (a crawl that took the lock just after it: in the second of ``checked_at``,
    read before the look, or later; times are whole seconds) is left running.
    """
    running = [run for run in runs if run.status == RUNNING]
    newest = max(running, key=lambda run: run.started_at, default=None)
    result = []
    for run in runs:
        alive = run is newest and crawling
        if run.status == RUNNING and not alive and stored_moment(run.started_at) < checked_at:
            run = CrawlRun(run.started_at, run.finished_at, FAILED, killed_report(run.report))
        result.append(run)
    return result


def crawl_locks(store: Store, sources: Sequence[str]) -> dict[str, tuple[bool, datetime]]:
    """Whether a live process holds each of ``sources``' crawl lock, and when that was
    looked at: the ``crawling`` and ``checked_at`` of :func:`settled`, found before the
    runs are read (a run read after it that is running while no lock is held is gone)."""
    looks = {}
    for source in sources:
        checked_at = utc_now()  # before the look: a run started since is no older than it
        looks[source] = (locks.held(store, locks.crawl_lock(source)), checked_at)
    return looks


def site_health(
    source: str,
    runs: Sequence[CrawlRun],
    found: Sequence[Found],
    last_new: str | None,
    known_since: str | None,
    end: datetime,
    max_quiet_days: float,
    first_crawl: str | None = None,
) -> SiteHealth:
    """The health of ``source`` over the period that ends at ``end``.

    ``runs``: the site's crawl runs that started in the last ``max(PERIOD,
    max_quiet_days)`` before ``end``; ``found``: its articles first seen in
    the period and the :data:`HISTORY_PERIODS` periods before; ``last_new``:
    when its newest article was first seen; ``known_since``: its first crawl
    or first article, whichever came first; ``first_crawl``: its first crawl
    run, if it has one. Only whole periods after
    ``known_since`` make the median, so a site added last month is not
    compared with weeks it was not watched. The warning names the Bangkok date
    of ``last_new``, as the digest's weeks are Bangkok weeks, and says so, as
    ``status`` gives its other times in the schedule's time zone, which may be another.
    """
    start = end - PERIOD
    in_period = [run for run in runs if start <= stored_moment(run.started_at) < end]
    crawls = Counter(run.status for run in in_period)
    seen = [(stored_moment(item.first_seen), item) for item in found]  # each parsed once
    per_period = Counter(int((end - at) / PERIOD) for at, _ in seen if at < end)
    this = [item for at, item in seen if start <= at < end]
    history_start = end - PERIOD * (HISTORY_PERIODS + 1)
    median_found = None
    if known_since is not None:
        watched_from = max(stored_moment(known_since), history_start)
        periods = [
            back
            for back in range(1, HISTORY_PERIODS + 1)
            if end - PERIOD * (back + 1) >= watched_from
        ]
        if periods:
            median_found = float(statistics.median(per_period[back] for back in periods))
    since = last_new or known_since
    quiet_days = (end - stored_moment(since)) / timedelta(days=1) if since else None
    warning = None
    if quiet_days is not None and quiet_days > max_quiet_days:
        quiet_start = end - timedelta(days=max_quiet_days)
        succeeded = [
            run
            for run in runs
            if run.status == OK
            and run.finished_at
            and quiet_start <= stored_moment(run.finished_at) <= end
        ]
        if succeeded:
            what = f"since {bangkok_day(since)}, Bangkok time" if last_new else "ever"
            warning = (
                f"{source}: nothing new for {quiet_days:.1f} days ({what}) while its crawls "
                f"succeed ({len(succeeded)} ok in the last {max_quiet_days:g} days); "
                "the site may have changed its layout or be answering with empty pages"
            )
    return SiteHealth(
        source=source,
        crawls=dict(sorted(crawls.items(), key=lambda pair: _outcome_order(pair[0]))),
        reasons=run_reasons(in_period)[:MAX_REASONS],
        found=len(this),
        median_found=median_found,
        fallback=sum(item.extraction == FALLBACK_EXTRACTION for item in this),
        undated=sum(not item.dated for item in this),
        last_new=last_new,
        quiet_days=quiet_days,
        warning=warning,
        known_since=known_since,
        watched=known_since is not None and stored_moment(known_since) < end,
        crawled=first_crawl is not None and stored_moment(first_crawl) < end,
        fetched=sum(
            pages_fetched(run.report)
            for run in in_period
            if run.report.get("finish_reason") != DATABASE_ERROR  # fetched, but nothing kept
        ),
    )


def until_now(now: datetime) -> datetime:
    """The end of a period that runs to ``now`` (whole seconds, as stored times are).

    A crawl that started in the second ``now`` falls in has happened: the
    period takes that second in, where a week's end leaves out its own.
    """
    return now + timedelta(seconds=1)


def load_health(
    store: Store, sources: Sequence[str], end: datetime, max_quiet_days: float
) -> list[SiteHealth]:
    """The health of each of ``sources`` over the seven days before ``end``."""
    reach = max(PERIOD, timedelta(days=max_quiet_days))
    history_start = end - PERIOD * (HISTORY_PERIODS + 1)
    result = []
    crawling = crawl_locks(store, sources)
    with store.engine.connect() as conn:
        for source in sources:
            run_rows = conn.execute(
                select(
                    crawl_runs.c.started_at,
                    crawl_runs.c.finished_at,
                    crawl_runs.c.status,
                    crawl_runs.c.report,
                ).where(
                    crawl_runs.c.source == source,
                    crawl_runs.c.started_at >= iso(end - reach),
                    crawl_runs.c.started_at < iso(end),
                )
            )
            runs = settled(
                [
                    CrawlRun(row.started_at, row.finished_at, row.status, json.loads(row.report))
                    for row in run_rows
                ],
                *crawling[source],
            )
            first_crawl = conn.execute(
                select(func.min(crawl_runs.c.started_at)).where(crawl_runs.c.source == source)
            ).scalar()
            first_article = conn.execute(
                select(func.min(articles.c.first_seen)).where(articles.c.source == source)
            ).scalar()
            known = [moment for moment in (first_crawl, first_article) if moment]
            found_rows = conn.execute(
                select(articles.c.first_seen, articles.c.extraction, articles.c.published).where(
                    articles.c.source == source,
                    articles.c.first_seen >= iso(history_start),
                    articles.c.first_seen < iso(end),
                )
            )
            found = [
                Found(row.first_seen, row.extraction, row.published is not None)
                for row in found_rows
            ]
            last_new = conn.execute(
                select(func.max(articles.c.first_seen)).where(
                    articles.c.source == source, articles.c.first_seen < iso(end)
                )
            ).scalar()
            result.append(
                site_health(
                    source,
                    runs,
                    found,
                    last_new,
                    min(known, default=None),
                    end,
                    max_quiet_days,
                    first_crawl,
                )
            )
    return result


def not_judged(schedule: str) -> str:
    """What ``status`` and the digest say of a site that no crawl job of ``schedule`` crawls:
    one crawled by hand, if at all, is not judged, as its quiet weeks are no news."""
    return f"not judged: no crawl job of {schedule} crawls it"


def not_crawled(health: SiteHealth) -> str | None:
    """Why a site was not crawled in the period, in the words of its crawls line
    (:func:`health_lines`): the outcomes of its runs and their reasons, ``blocked: robots.txt
    unreachable: connection refused``, ``failed, stopped: 3 errors``, or ``no crawl run``.

    None when one of its runs succeeded or is still going, when its runs fetched pages
    (a run blocked by one link robots.txt forbids, or stopped by a shutdown after it
    fetched, still crawled the site; one whose pages the database refused did not, and an
    article imported in the period is no crawl of the site), and for a site
    never crawled before the period's end (one whose articles were only imported, or not
    watched yet): no crawl of it was missed, and a week of imports stays as it reads."""
    if not health.crawled or OK in health.crawls or RUNNING in health.crawls:
        return None
    if health.fetched:
        return None
    outcomes = ", ".join(health.crawls) or "no crawl run"
    return f"{outcomes}: {'; '.join(health.reasons)}" if health.reasons else outcomes


def health_lines(health: SiteHealth) -> list[str]:
    """A site's health as two plain lines: its crawls, and what they found (with none
    found, the count and its median alone: no share of the fallback extraction, no count
    of articles without a date).

    A site not watched by the period's end (no crawl run, no article stored) has one
    line that says so instead: ``crawls: none`` and ``articles found: 0`` beside the
    items of a past week built from articles crawled or imported since would read as a
    site that stopped yielding. Only a digest's week can end before the site's first
    crawl or article, so that line speaks of a week, and names the Bangkok date of that
    crawl or article, as the week is Monday to Sunday in Bangkok.

    Its warning, if any, is the callers' to show: each puts it where it is seen.
    """
    if not health.watched:
        if health.known_since is None:
            return ["not watched yet: no crawl run and no article stored"]
        return [
            f"not watched yet: its first crawl or article found was on "
            f"{bangkok_day(health.known_since)}, after this week"
        ]
    if health.crawls:
        crawls = ", ".join(f"{outcome} {count}" for outcome, count in health.crawls.items())
    else:
        crawls = "none"
    if health.reasons:
        crawls += f" ({'; '.join(health.reasons)})"
    median = (
        f"median of the {HISTORY_PERIODS} weeks before: {health.median_found:g}"
        if health.median_found is not None
        else "no earlier weeks to compare"
    )
    found = f"articles found: {health.found} ({median})"
    if health.found:  # shares of the articles found: none found, none to tell of
        share = f"{health.fallback / health.found:.0%}"
        found += f"; fallback extraction {share} ({health.fallback}); no date {health.undated}"
    return [f"crawls: {crawls}", found]
