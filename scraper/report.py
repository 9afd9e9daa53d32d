"""The crawl report: what one crawl of one site did, stored as a crawl run.

Fields: requests (those sent: Scrapy counts a request when it enters the
downloader, so the ones still waiting for their turn there when their site
was stopped are taken off), responses by status (robots.txt included), fetched (the
listing, search and article pages that answered 200 or 304, as the spider
judged them), new, updated, unchanged, not_modified (304), soft_404 (article
pages that answered 200 with the site's empty page for an id with no
article), not_article (article pages that answered 200 with a page that is no
article: a maintenance or error notice, also listed under errors, or a page without
the site's article template, such as its home page), not_found (article pages
that answered 404 or 410, or that the site redirected to its home page, a listing or
another article while serving other article pages in the crawl), fallback,
rejected, suspicious (pages the fallback read under another headline than
the stored article's, which the selectors read: kept out, listed under errors),
came_back_empty (stored articles whose page came back with an empty body, the stored
text kept: see :func:`thaidigest.ingest.came_back_empty`),
offsite_links_ignored (links to another host, not followed),
empty_listings (listing pages with no article link), blocked
(each with URL, status and redirect target; a request robots.txt forbids has
the reason ``robots.txt``, the rule and the robots.txt URL instead; the
requests not sent once the site was stopped for a reason are one entry with
no status, the first URL and their ``count``), answered_after_stop (the
answers to requests already sent when the site was stopped that were
refusals too, so not used: once per reason, with the first URL, its status
and the ``count``; they were sent, so they are not "not sent"),
stopped_after_refused_pages (when the site was stopped for refusing that many
pages in a row, none served in the crawl, else 0), listed (MDES: the categories whose
page 1 listed articles), walk_start (thaigov: the id its walk started at, noted on the
run before the walk asked for an id, so a killed run's report holds it too), errors
(each with URL), duration, and a status: ``blocked`` when the site refused or
redirected us or robots.txt forbade a request, ``stopped`` when a signal
ended the crawl before it finished, ``failed`` when no page was fetched, the store
refused what was or the spider's start failed (an error says why), else ``ok``. Only
an ``ok`` run with no error counts as clean: the crawl after any other looks further
back for what it missed. A crawl that found the site's
lock held (another crawl of the site is running) fetches nothing and records a
run of its own with the status ``locked`` and the holder in ``locked``; the
next crawl passes over it when it asks how the previous one ended. A crawl the
database refused as it started (its run could not be recorded) fetches nothing and
records nothing: :func:`refused_run` is what it returns instead of a run.
"""

from __future__ import annotations

import atexit
import logging
import re
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from thaidigest import locks
from thaidigest.model import OUTCOMES
from thaidigest.network_errors import (
    ANSWER_CUT_SHORT,
    CONNECTION_CLOSED,
    CONNECTION_REFUSED,
    DNS_LOOKUP_FAILED,
    DOWNLOAD_CANCELLED,
    DOWNLOAD_FAILED,
    NO_ROUTE,
    NOT_IN_ITS_ENCODING,
    TIMED_OUT,
)
from thaidigest.store import (
    DATABASE_ERROR,
    DIED,
    FAILED,
    STOPPED,
    Store,
    StoreError,
    utc_now,
)

log = logging.getLogger(__name__)
COUNTS = (
    "fetched",
    "new",
    "updated",
    "unchanged",
    "not_modified",
    "soft_404",
    "not_article",
    "not_found",
    "fallback",
    "rejected",
    "suspicious",
    "came_back_empty",
    "offsite_links_ignored",
    "empty_listings",
)
# Marks the report of a run killed before it reported: it holds only the counts its crawl
# wrote on its run as it went, each outcome (thaidigest.model.OUTCOMES) of an article it
# stored, in that article's transaction.
STORED_ONLY = "stored_only"
STATUS_PREFIX = "downloader/response_status_count/"
# Requests Scrapy counted in downloader/request_count that waited in the downloader for
# their turn when their site was stopped, and so were never sent.
QUEUED_NOT_SENT = "thaidigest/site_stopped_queued"
RUN_STATUS = "thaidigest/run_status"  # the status recorded for the crawl's run, once it is
# The report's field (and the crawl's stat) of a site stopped for refusing pages, none
# served: how many it refused in a row (scraper.spiders.base); 0 when it was not.
REFUSED_PAGES_STOP = "stopped_after_refused_pages"
# The report's field (and the crawl's stat) of the listings whose first page listed articles,
# when its site has them (MDES categories): one the clean crawl before did not list (added to
# the settings since, empty then, or a run recorded before the field) is read as a first
# crawl reads it.
LISTED = "listed"
# The report's field of the id a thaigov crawl's id walk started at (an unclean crawl's is
# where the next one looks back from: scraper.spiders.thaigov), noted on the run as the
# walk starts (Store.note_crawl_run), before it asks for any id.
WALK_START = "walk_start"
# The fields a crawl notes on its run as it goes: a killed run's report holds them, and
# the crawl's own report, when it makes one, keeps them.
NOTED = (WALK_START,)
UNFINISHED_REASON = "unfinished"  # the finish reason of a run whose crawl did not finish
LOCKED = "locked"  # the status of a crawl run that did not start: the site's lock was held
# The status of a crawl the database refused as it started (its run not recorded): never
# stored, only returned by run_crawl; and the stat that holds the refusal's words, shown in
# Scrapy's stats dump (``thaidigest crawl -v``) beside the error logged.
REFUSED = "refused"
REFUSAL = "thaidigest/refusal"
# The line logged for such a crawl, with the database's words.
REFUSAL_LINE = "not crawling: the database refused the crawl: %s"
STOPPED_REASON = "shutdown"  # Scrapy's finish reason when a signal stopped the crawl
FINISHED_REASON = "finished"  # Scrapy's finish reason of a crawl that ran out of requests
# Scrapy's finish reason of a crawl whose spider's start raised (the store unreadable, a
# setting of the wrong kind), once the requests it made before are done; the stat the
# spider keeps the exception's words in (scraper.spiders.base), and the crawl's error.
START_ERROR = "start_error"
START_FAILURE = "thaidigest/start_failure"
DID_NOT_START = "the crawl did not start: its start failed ({cause})"
STARTED_IN_PART = (
    "the crawl started only in part: its start failed ({cause}); the pages still to read"
    " were not read"
)
UNKNOWN_CAUSE = "the crawl's log says why"
# The finish reasons thaidigest closes a crawl or records a run with, each reported in
# its own way (a status).
OWN_REASONS = (
    FINISHED_REASON,
    STOPPED_REASON,
    DATABASE_ERROR,
    LOCKED,
    UNFINISHED_REASON,
    START_ERROR,
)
# The error of a crawl Scrapy closed for another reason before its requests ran out (a
# limit: closespider_pagecount, closespider_timeout, ...; cancelled): pages were not read,
# so the crawl is not clean and the next one looks back for them.
CUT_SHORT = "the crawl was cut short ({reason}): the pages still to read were not read"
ROBOTS_REASON = "robots.txt"
NO_RULE = "no single rule"
# The start of the rule of a request forbidden because robots.txt could not be fetched
# (``unreachable: HTTP 503``, ``unreachable: connection refused``): RFC 9309 then
# forbids the whole site, though no line of robots.txt does.
UNREACHABLE = "unreachable"
# Runs stored before the network error was put in words name its class
# (``unreachable: DownloadConnectionRefusedError``): each with the words
# scraper.download_errors.PLAIN_WORDS gives it now (kept here, by name, so that
# reading a report loads no Scrapy), a failed download of no kind named there,
# DOWNLOAD_FAILED (its NO_MESSAGE), and a timeout "timed out": the seconds it was
# given, said now, were not stored.
CLASS_NAME_WORDS = {
    "DownloadConnectionRefusedError": CONNECTION_REFUSED,
    "ConnectionRefusedError": CONNECTION_REFUSED,
    "CannotResolveHostError": DNS_LOOKUP_FAILED,
    "DNSLookupError": DNS_LOOKUP_FAILED,
    "DownloadTimeoutError": TIMED_OUT,
    "TimeoutError": TIMED_OUT,
    "TCPTimedOutError": TIMED_OUT,
    "NoRouteError": NO_ROUTE,
    "ResponseDataLossError": ANSWER_CUT_SHORT,
    "ConnectionClosed": CONNECTION_CLOSED,
    "ConnectionLost": CONNECTION_CLOSED,
    "ConnectionDone": CONNECTION_CLOSED,
    "DownloadCancelledError": DOWNLOAD_CANCELLED,
    "DownloadFailedError": DOWNLOAD_FAILED,
    "ResponseFailed": DOWNLOAD_FAILED,
    "ResponseNeverReceived": DOWNLOAD_FAILED,
    "NotInItsEncoding": NOT_IN_ITS_ENCODING,
}
# A stored reason that is a bare class name (no space: the words and HTTP statuses stored
# now all hold one), and what one not in CLASS_NAME_WORDS reads as (DownloadCancelledError
# of a robots.txt over the size limit, a proxy's TunnelError, OSError, ...).
CLASS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
NO_NAMED_KIND = DOWNLOAD_FAILED


def robots_rules(blocked: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The URLs robots.txt forbade, by the :func:`stored_rule` that forbade them, in
    report order."""
    rules: dict[str, list[str]] = {}
    for entry in blocked:
        if entry.get("reason") == ROBOTS_REASON:
            rules.setdefault(stored_rule(entry.get("rule") or NO_RULE), []).append(entry["url"])
    return rules


def unreachable_reason(rule: str) -> str | None:
    """Why robots.txt could not be fetched, for a rule that says it could not
    (``unreachable: HTTP 503`` gives ``HTTP 503``); None for a rule of robots.txt."""
    prefix = f"{UNREACHABLE}: "
    return rule.removeprefix(prefix) if rule.startswith(prefix) else None


def stored_rule(rule: str) -> str:
    """``rule`` as a crawl records it now: a stored ``unreachable: CLASS`` of an earlier
    version gets its :data:`CLASS_NAME_WORDS`, a class not in it :data:`NO_NAMED_KIND`;
    any other rule is itself."""
    reason = unreachable_reason(rule)
    if reason is None or not CLASS_NAME.fullmatch(reason):
        return rule
    return f"{UNREACHABLE}: {CLASS_NAME_WORDS.get(reason, NO_NAMED_KIND)}"


def robots_note(rules: dict[str, list[str]]) -> str:
    """`` by robots.txt (RULE, ...)`` for the :func:`robots_rules` of a report, or
    `` (robots.txt unreachable: REASON)`` for those that say robots.txt could not be
    fetched (it forbade nothing: no answer from it is read as "disallow all"); "" when none."""
    unreachable = [reason for rule in rules if (reason := unreachable_reason(rule)) is not None]
    found = [rule for rule in rules if unreachable_reason(rule) is None]
    notes = [f" by robots.txt ({', '.join(found)})"] if found else []
    notes += [f" (robots.txt {UNREACHABLE}: {reason})" for reason in unreachable]
    return "".join(notes)


# Why a run of `scrapy crawl` never finished: a second Ctrl-C or SIGTERM forced the stop.
FORCED_STOP = "stopped at once by a second signal"


def site_stops(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Per reason a site was stopped for: the requests then not sent, and the answers
    received after the stop, not used; {} when neither (or the report predates them)."""
    stops: dict[str, tuple[int, int]] = {}
    for entry in report["blocked"]:
        if entry.get("status") is None and "count" in entry:  # not sent (robots.txt: no count)
            stops[entry["reason"]] = (entry["count"], 0)
    for entry in report.get("answered_after_stop", []):
        not_sent, _ = stops.get(entry["reason"], (0, 0))
        stops[entry["reason"]] = (not_sent, entry["count"])
    return stops


def build_report(
    stats: dict[str, Any],
    blocked: list[dict],
    errors: list[dict],
    answered_after_stop: Sequence[dict] = (),
    site_url: str = "",
) -> dict[str, Any]:
    """The report of a finished crawl from Scrapy's stats and the spider's lists.

    A crawl Scrapy closed for a reason of none of :data:`OWN_REASONS` (a
    ``CLOSESPIDER_*`` limit) gets an error (:data:`CUT_SHORT`, at ``site_url``), and no
    :data:`LISTED`: a listing it read may have been cut short past its first page. One
    whose spider's start failed (:data:`START_ERROR`) gets :func:`start_failure` and is
    ``failed``, whatever it fetched first."""
    reason = stats.get("finish_reason")
    if reason == START_ERROR:
        errors = [*errors, {"url": site_url, "error": start_failure(stats)}]
    elif reason is not None and reason not in OWN_REASONS:
        errors = [*errors, {"url": site_url, "error": CUT_SHORT.format(reason=reason)}]
    responses = {
        key.removeprefix(STATUS_PREFIX): value
        for key, value in sorted(stats.items())
        if key.startswith(STATUS_PREFIX)
    }
    report: dict[str, Any] = {
        "requests": stats.get("downloader/request_count", 0) - stats.get(QUEUED_NOT_SENT, 0),
        "responses": responses,
        **{name: stats.get(f"thaidigest/{name}", 0) for name in COUNTS},
        "blocked": blocked,
        "answered_after_stop": list(answered_after_stop),
        REFUSED_PAGES_STOP: stats.get(f"thaidigest/{REFUSED_PAGES_STOP}", 0),
        "errors": errors,
        "finish_reason": stats.get("finish_reason"),
    }
    if reason == FINISHED_REASON and (listed := stats.get(f"thaidigest/{LISTED}")) is not None:
        report[LISTED] = listed
    if blocked:
        report["status"] = "blocked"
    elif report["finish_reason"] == STOPPED_REASON:
        report["status"] = STOPPED
    elif not report["fetched"] or report["finish_reason"] in (DATABASE_ERROR, START_ERROR):
        report["status"] = FAILED
    else:
        report["status"] = "ok"
    return report


def start_failure(stats: Mapping[str, Any]) -> str:
    """The error of a crawl whose spider's start failed, from its crawler's ``stats``: it
    did not start, or, when the start had asked for pages before it failed (a request was
    sent), it started in part; with the exception's words (:data:`START_FAILURE`)."""
    cause = stats.get(START_FAILURE, UNKNOWN_CAUSE)
    if stats.get("downloader/request_count", 0):
        return STARTED_IN_PART.format(cause=cause)
    return DID_NOT_START.format(cause=cause)


def locked_report(source: str, holder: str) -> dict[str, Any]:
    """The report of a crawl of ``source`` that did not start: ``holder`` holds the lock."""
    report = build_report({}, [], [])
    report.update(source=source, status=LOCKED, locked=holder, duration=0)
    return report


def unfinished_report(reason: str, crawler: Any = None) -> dict[str, Any]:
    """The report of a crawl that did not finish: what its crawler counted, if it is known."""
    spider = getattr(crawler, "spider", None)
    stats = crawler.stats.get_stats() if crawler is not None and crawler.stats else {}
    report = build_report(
        {**stats, "finish_reason": UNFINISHED_REASON},
        getattr(spider, "blocked", []),
        getattr(spider, "errors", []),
        getattr(spider, "answered_after_stop", []),
    )
    report["status"] = FAILED
    report["unfinished"] = reason
    if spider is not None:
        report["source"] = spider.name
    return report


def refused_run(source: str) -> dict[str, Any]:
    """A crawl of ``source`` that the database refused as it started, as
    :func:`scraper.crawl.run_crawl` returns it: a run never stored, so without an id (why
    it was refused is logged, ``not crawling: the database refused the crawl: …``)."""
    report = build_report({"finish_reason": DATABASE_ERROR}, [], [])
    report.update(source=source, status=REFUSED, duration=0)
    return {"source": source, "status": REFUSED, "report": report}


def refused_crawl(crawler: Any, spider: Any, error: Exception) -> Exception:
    """The :class:`scrapy.exceptions.CloseSpider` that closes the crawl of ``spider`` the
    database refused as it started, before any request, once said in its log (``not
    crawling: the database refused the crawl: …``) and noted on the spider
    (``crawl_refused``, which keeps :class:`CrawlReport` from taking a lock or recording a
    run) and in the stats (:data:`REFUSAL`)."""
    from scrapy.exceptions import CloseSpider

    spider.logger.error(REFUSAL_LINE, error)
    spider.crawl_refused = True
    crawler.stats.set_value(REFUSAL, str(error))
    return CloseSpider(DATABASE_ERROR)


def record_locked(store: Store, source: str, holder: str) -> int:
    """Record a crawl of ``source`` that found its lock held; the run's id."""
    now = utc_now()
    run_id = store.start_crawl_run(source, now)
    store.finish_crawl_run(run_id, now, LOCKED, locked_report(source, holder))
    return run_id


def reported(report: Mapping[str, Any]) -> bool:
    """Whether a run's report holds the counts its crawl reported when it ended: not that
    of a run recorded killed (:data:`DIED`), which holds at most the articles its crawl
    stored (:func:`killed_report`; an earlier thaidigest's, every count 0)."""
    return report.get("unfinished") != DIED


def stored_never_counted(report: Mapping[str, Any]) -> bool:
    """Whether a run's counts of the articles its crawl stored are 0s no crawl counted: a
    run recorded killed (not :func:`reported`) by a thaidigest earlier than the counting
    of each article stored on its run, which gave every count 0 and did not mark it
    :data:`STORED_ONLY`."""
    return not reported(report) and not report.get(STORED_ONLY)


def stored_counted(report: Mapping[str, Any]) -> bool:
    """Whether a run's report holds the articles its crawl stored (the
    :data:`~thaidigest.model.OUTCOMES`): every report a crawl made does, and every run from
    its start (:meth:`~thaidigest.store.Store.start_crawl_run`), its crawl adding each
    article it stores. An earlier thaidigest began a run's report empty and added only the
    outcomes its crawl met (``{"updated": 3}``), or none before its crawl reported: a
    report with none of them is that of a crawl that stored nothing or was not counted,
    which cannot be told apart; and one of :func:`stored_never_counted` holds 0s only."""
    return not stored_never_counted(report) and any(name in report for name in OUTCOMES)


def pages_fetched(report: Mapping[str, Any]) -> int:
    """The pages a run fetched: its crawl's count, or, for a run killed before it reported
    (:func:`reported`), at least the article pages it stored."""
    if reported(report):
        return int(report.get("fetched") or 0)
    return sum(int(report.get(name) or 0) for name in OUTCOMES)


def noted(report: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of :data:`NOTED` a run's ``report`` holds."""
    return {name: report[name] for name in NOTED if name in report}


def killed_report(progress: Mapping[str, Any]) -> dict[str, Any]:
    """The report of a run whose process ended before the crawl did (:data:`DIED`):
    ``progress``, the counts of the articles it stored, which the crawl wrote on its run
    with each of them (:class:`scraper.pipelines.StorePipeline`; for a run of an earlier
    thaidigest, those it met, or none: :func:`stored_counted`), and no other count, for
    none is known: marked :data:`STORED_ONLY`, never given as 0."""
    return {**progress, "status": FAILED, "unfinished": DIED, STORED_ONLY: True}


def settle_dead_runs(store: Store, source: str) -> None:
    """Record as failed the runs of ``source`` still marked running: called by the holder
    of the site's crawl lock, which no live crawl of the site holds then (:data:`DIED`)."""
    for run_id in store.unfinished_crawl_runs(source):
        progress = store.crawl_run(run_id)["report"]
        store.finish_crawl_run(run_id, utc_now(), FAILED, killed_report(progress))


class CrawlReport:
    """Records a crawl run in the store when the spider opens and closes.

    A crawl ``thaidigest crawl`` starts holds its sites' locks already
    (:data:`scraper.config.LOCKS_TAKEN_SETTING`). One started another way (``scrapy crawl
    thaigov``) takes its site's lock here, before it records its run, keeps it renewed and
    releases it after: when another crawl holds it, the run is recorded ``locked`` and the
    spider closes before it sends a request (``not crawling: crawl:thaigov is held by …``).
    """

    def __init__(self, crawler: Any, db_url: str) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.store: Store | None = None
        self.run_id: int | None = None  # the run recorded, until it is finished
        self.lock: str | None = None  # the lock taken here, for a crawl not started by ours
        self.renewal: AbstractContextManager[None] | None = None
        self.recorded: dict[str, Any] | None = None  # the run's report, once it is recorded

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlReport:
        # Scrapy is imported here, by the crawl: `thaidigest status` reads reports without it.
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        from scraper.config import DB_SETTING

        db_url = crawler.settings.get(DB_SETTING)
        if not db_url:
            raise NotConfigured(f"{DB_SETTING} is not set")
        extension = cls(crawler, db_url)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any) -> None:
        """Take the site's lock if the crawl's starter did not, then record the run.

        Scrapy goes on crawling after any exception of a ``spider_opened`` handler but
        :class:`scrapy.exceptions.CloseSpider`: a database that refuses the lock or the
        run closes the spider (``database error``), what was taken given back.
        """
        from scrapy.exceptions import CloseSpider

        from scraper.config import LOCKS_TAKEN_SETTING

        if getattr(spider, "crawl_refused", False):  # as the pipeline opened: nothing to take
            return
        try:
            self.store = Store(self.db_url)
            if not self.crawler.settings.getbool(LOCKS_TAKEN_SETTING):
                self.take_lock(spider)
            self.started = utc_now()
            self.clock_started = time.monotonic()
            self.run_id = self.store.start_crawl_run(spider.name, self.started)
        except CloseSpider:
            raise
        except Exception as error:  # the store's, whatever its kind: no crawl without a run
            self.abandon()
            raise refused_crawl(self.crawler, spider, error) from None
        spider.crawl_run_id = self.run_id

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Record the run's report; once, though a stopped crawl may call it twice."""
        if self.store is None or self.run_id is None:
            return
        try:
            finished = utc_now()
            stats = self.crawler.stats.get_stats()
            report = build_report(
                {**stats, "finish_reason": reason},
                getattr(spider, "blocked", []),
                getattr(spider, "errors", []),
                getattr(spider, "answered_after_stop", []),
                site_url=getattr(spider, "base_url", ""),
            )
            report["source"] = spider.name
            report["duration"] = round(time.monotonic() - self.clock_started, 1)
            report.update(noted(self.store.crawl_run(self.run_id)["report"]))
            self.store.finish_crawl_run(self.run_id, finished, report["status"], report)
            self.run_id = None
            self.recorded = report
            self.crawler.stats.set_value(RUN_STATUS, report["status"])
        finally:
            self.abandon()

    def abandon(self) -> None:
        """Give back the lock :meth:`take_lock` took (a refusal is a warning: the lock
        then expires, or the next crawl takes it over from a process that is gone) and
        close the store."""
        if self.renewal is not None:
            self.renewal.__exit__(None, None, None)
            self.renewal = None
        atexit.unregister(self.at_exit)
        if self.store is not None:
            if self.lock is not None:
                try:
                    locks.release(self.store, self.lock)
                except StoreError as error:
                    log.warning("cannot release the %s lock: %s", self.lock, error)
            self.store.close()
        self.lock = None
        self.store = None

    def at_exit(self) -> None:
        """At the exit of a process whose crawl never closed its spider (Scrapy's forced
        shutdown, a second Ctrl-C, sends no ``spider_closed``): its run recorded stopped,
        the lock given back, whatever recording the run meets.

        The report is what its crawler had counted by then, but the articles it stored:
        those the crawl counted on its run with each of them, in its transaction, which
        are exact whatever the crawler's stats hold (a stats class that keeps none)."""
        try:
            if self.store is not None and self.run_id is not None:
                run_id, self.run_id = self.run_id, None
                report = unfinished_report(FORCED_STOP, self.crawler)
                report["status"] = STOPPED
                try:
                    stored = self.store.crawl_run(run_id)["report"]
                    report.update({name: int(stored.get(name) or 0) for name in OUTCOMES})
                    report.update(noted(stored))
                    self.store.finish_crawl_run(run_id, utc_now(), STOPPED, report)
                except (StoreError, SQLAlchemyError) as error:
                    log.warning("cannot record the stopped crawl run: %s", error)
        finally:
            self.abandon()

    def take_lock(self, spider: Any) -> None:
        """Take the site's crawl lock, as ``thaidigest crawl`` does, or close the spider.

        Raises :class:`scrapy.exceptions.CloseSpider` when another crawl holds the lock:
        Scrapy then closes the spider without sending a request.
        """
        from scrapy.exceptions import CloseSpider

        from scraper.config import crawl_config

        assert self.store is not None
        config = crawl_config(self.crawler.settings)
        ttl = timedelta(seconds=float(config["crawl"]["subprocess_timeout"]))
        name = locks.crawl_lock(spider.name)
        try:
            locks.acquire(self.store, name, ttl)
        except locks.LockHeld as held:
            record_locked(self.store, spider.name, str(held))
            spider.logger.error(locks.LOCKED_LINE, held)
            self.abandon()  # no store: spider_closed records nothing more
            raise CloseSpider(LOCKED) from None
        self.lock = name
        atexit.register(self.at_exit)
        settle_dead_runs(self.store, spider.name)
        self.renewal = locks.kept(self.store, [name], ttl)
        self.renewal.__enter__()
