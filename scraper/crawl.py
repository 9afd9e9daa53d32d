"""Run the spiders in this process: ``thaidigest crawl``.

Twisted's reactor cannot restart, so one process runs one crawl (of one or
both sites); the scheduler starts ``thaidigest crawl`` as a subprocess.
Each site is locked in the database for the crawl's length, so two crawls of
one site never overlap. The lock lasts ``crawl.subprocess_timeout`` (the time the
scheduler gives any job, a crawl or a digest) and the crawl renews it every third
of that while it runs, however long it runs; the next crawl takes it over, with a
warning, once its holder is gone, or, for a holder it cannot see (another host,
another container), once the lock has expired (:mod:`thaidigest.locks`). A site
whose lock is held is skipped, recorded as a ``locked`` crawl run; the other site
is crawled.

A crawl stops within seconds of SIGTERM or SIGINT, whatever its downloads are
doing: it stops scheduling, gives the downloads in flight ``STOP_GRACE`` seconds,
then closes without them, records the run as ``stopped`` and releases its locks.
Nothing is lost by that: each article is stored in its own transaction, and the
crawl after one that did not finish looks further back. A second signal closes at
once; a crawl whose reactor does not answer is ended by ``SIGALRM`` at
``STOP_DEADLINE``. The handlers are in place before the first lock is taken, so a
signal however early after it (Scrapy still being built, the reactor not yet
running) records the run of each site locked ``stopped`` and releases the locks,
without starting the crawl. One before any lock is taken ends the process as it
would have before the crawl began (SIGTERM's default action; SIGINT's
``KeyboardInterrupt``): nothing is held or recorded. So does one during the pass that
reads every stored article again first (after an upgrade or an edited rules or partners
file), once the pass has stopped, before its next batch, and given its turn back
(:func:`thaidigest.pipeline.reread_once`). A crawl killed outright is recorded as
``failed`` by the next crawl of the site.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import Iterator
from datetime import timedelta
from types import FrameType
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from digest.select import BANGKOK
from scraper.config import CONFIG_SETTING, DB_SETTING, LOCKS_TAKEN_SETTING, crawl_values
from scraper.report import (
    REFUSAL_LINE,
    STOPPED_REASON,
    CrawlReport,
    build_report,
    noted,
    record_locked,
    refused_run,
    settle_dead_runs,
    unfinished_report,
)
from scraper.spiders.mdes import MdesSpider
from scraper.spiders.thaigov import ThaigovSpider
from thaidigest import locks
from thaidigest.ingest import STOP_SIGNALS
from thaidigest.locks import LockTimesFormatter
from thaidigest.pipeline import refind_partners_stored, rescore_stored
from thaidigest.store import FAILED, Store, StoreError, StoreWaitStopped, utc_now

SPIDERS = {"thaigov": ThaigovSpider, "mdes": MdesSpider}
STOP_GRACE = 2.0  # seconds downloads in flight get after a stop signal
STOP_DEADLINE = 4.0  # seconds after a stop signal by which the process is gone
CUT_SHORT = "stopped before the end"

log = logging.getLogger(__name__)


def crawl_settings(config: dict[str, Any], db_url: str) -> Settings:
    """Scrapy settings: the project's file with the user's ``[crawl]`` values on top."""
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.setdict(
        {
            **crawl_values(config),
            DB_SETTING: db_url,
            CONFIG_SETTING: config,
            LOCKS_TAKEN_SETTING: True,  # run_crawl takes them before the crawl starts
            # The crawl's own handler (crawl_log_handler), which Scrapy would replace with
            # one writing the machine's time for each crawler it builds.
            "LOG_INSTALL_ROOT_HANDLER": False,
        },
        priority="cmdline",
    )
    return settings


def crawl_log_handler(settings: Settings) -> logging.Handler:
    """The crawl's log on stderr (``thaidigest crawl``'s, and ``scrapy crawl``'s:
    :mod:`scraper.scrapy_commands.crawl`), Scrapy's lines and thaidigest's, as Scrapy formats them
    (``LOG_FORMAT``, from ``LOG_LEVEL``) but for the time: in Bangkok, as ``serve``'s and
    the daemon's logs give it (:func:`thaidigest.output.log_time`,
    ``2026-12-06T12:19:07+07:00``), not in the machine's zone (a container's is UTC), and
    so the times of a lock's holder a line quotes (:func:`thaidigest.locks.lock_times_in_zone`)."""
    handler = logging.StreamHandler()
    handler.setFormatter(LockTimesFormatter(settings["LOG_FORMAT"], BANGKOK))
    handler.setLevel(settings["LOG_LEVEL"])
    handler.addFilter(ExtractorLines(shown=handler.level <= logging.DEBUG))
    return handler


class ExtractorLines(logging.Filter):
    """The fallback extractor's (trafilatura's) lines below ERROR, shown only at DEBUG
    (``-vv``): a page's own line says what became of it. Its ``discarding data: URL``, twice
    for each read of a page it finds nothing in, came ten times over for a page retried
    before that page's one ``error: URL: no article and no soft 404 in the page``."""

    def __init__(self, shown: bool) -> None:
        super().__init__()
        self.shown = shown

    def filter(self, record: logging.LogRecord) -> bool:
        extractor = record.name.split(".")[0] == "trafilatura"
        return self.shown or not extractor or record.levelno >= logging.ERROR


@contextlib.contextmanager
def crawl_logging(settings: Settings) -> Iterator[None]:
    """The crawl's log handler (:func:`crawl_log_handler`) in place for the block, from
    run_crawl's first line (re-scoring's wait, a lock taken over or held, the database's
    refusal) to its last, then removed: a second crawl in the process logs each line once."""
    handler = crawl_log_handler(settings)
    level = logging.root.level
    logging.root.addHandler(handler)
    logging.root.setLevel(logging.NOTSET)  # the handler's level decides
    try:
        yield
    finally:
        logging.root.removeHandler(handler)
        logging.root.setLevel(level)


def run_crawl(
    sources: list[str],
    *,
    store: Store,
    config: dict[str, Any],
    base_url: str | None = None,
    start_id: int | None = None,
) -> dict[str, dict[str, Any]]:
    """Crawl the given sites; the crawl run of each, keyed by site.

    A site whose lock another crawl holds is not crawled: its run is recorded
    with the status ``locked``, the holder in the crawl's log (``not crawling: crawl:thaigov
    is held by …``), and the other sites are crawled all the same. A site
    whose crawl the database refused as it started (its lock or its run not
    recorded: a read-only file, a writer holding the database too long) sent no
    request: its run is one never stored, with the status ``refused``
    (:func:`scraper.report.refused_run`); the refusal is in the crawl's log, once for the
    sites refused for the same reason. So is every site when the database refuses the
    pass that brings the stored verdicts and partners up to date, before any lock.
    SIGTERM and SIGINT are handled from before the first lock is taken (see
    :class:`_SignalStop`): a site whose lock was taken has a run recorded
    ``stopped`` however early the signal came, and a site not reached is left
    out of the result.
    """
    settings = crawl_settings(config, store.url)
    with crawl_logging(settings):
        return _crawl(sources, store, config, settings, base_url, start_id)


def _crawl(
    sources: list[str],
    store: Store,
    config: dict[str, Any],
    settings: Settings,
    base_url: str | None,
    start_id: int | None,
) -> dict[str, dict[str, Any]]:
    """:func:`run_crawl`'s work, under its log handler."""
    # Stored verdicts and partners brought up to date before any lock is taken: after an
    # upgrade or an edited rules or partners file that reads every stored article, which a
    # stop signal must not wait for while a site is locked (the pipeline's own check is then
    # one read of each fingerprint); a signal stops the pass and ends the process as one
    # before any lock does (reread_once). A database that refuses it refuses every site's crawl.
    try:
        rescore_stored(store, config)
        refind_partners_stored(store, config)
    except StoreError as error:
        log.error(REFUSAL_LINE, error)
        return {source: refused_run(source) for source in sources}
    ttl = timedelta(seconds=float(config["crawl"]["subprocess_timeout"]))
    taken: list[str] = []
    run_ids: dict[str, int] = {}
    refusals_said: set[str] = set()  # a read-only file refuses every site's lock alike
    crawlers: list[Crawler] = []
    stop = _SignalStop()
    with stop.handling():
        try:
            for source in sources:
                if stop.received is not None:
                    break
                try:
                    locks.acquire(store, locks.crawl_lock(source), ttl, stopping=stop.noted)
                except StoreWaitStopped:  # signalled while the database was busy
                    break
                except StoreError as error:  # read-only, a writer holding it too long
                    if str(error) not in refusals_said:
                        log.error(REFUSAL_LINE, error)
                        refusals_said.add(str(error))
                    continue  # not in run_ids: a refused run
                except locks.LockHeld as held:
                    log.error(locks.LOCKED_LINE, held)
                    run_ids[source] = record_locked(store, source, str(held))
                    continue
                taken.append(source)
                settle_dead_runs(store, source)  # holding the lock: any running run is dead
            if taken and stop.received is None:
                process = CrawlerProcess(settings)
                for source in taken:
                    arguments: dict[str, Any] = {"base_url": base_url}
                    if source == "thaigov" and start_id is not None:
                        arguments["start_id"] = start_id
                    crawler = process.create_crawler(SPIDERS[source])
                    crawlers.append(crawler)
                    process.crawl(crawler, **arguments)
                with locks.kept(store, [locks.crawl_lock(source) for source in taken], ttl):
                    stop.run(process)
        finally:
            try:
                _record_unfinished(store, crawlers, run_ids)
                if stop.received is not None:
                    for source in taken:
                        if source not in run_ids:  # stopped before its spider started a run
                            run_ids[source] = record_stopped(store, source)
            finally:  # a database too busy to record the runs still has the locks released
                for source in taken:
                    locks.release(store, locks.crawl_lock(source))
    if stop.received is not None and not taken:
        signal.raise_signal(stop.received)  # as if it came before the crawl began
    reached = sources if stop.received is None else [s for s in sources if s in run_ids]
    return {
        source: store.crawl_run(run_ids[source]) if source in run_ids else refused_run(source)
        for source in reached
    }


def _record_unfinished(store: Store, crawlers: list[Crawler], run_ids: dict[str, int]) -> None:
    """Each crawler's run into ``run_ids``; one its spider left unfinished recorded failed."""
    for crawler in crawlers:
        run_id = getattr(crawler.spider, "crawl_run_id", None)
        if run_id is None:  # no spider, or it never started its run
            continue
        run_ids[crawler.spider.name] = run_id
        if run_id in store.unfinished_crawl_runs(crawler.spider.name):
            report = unfinished_report(CUT_SHORT, crawler)
            report.update(noted(store.crawl_run(run_id)["report"]))
            store.finish_crawl_run(run_id, utc_now(), FAILED, report)


def record_stopped(store: Store, source: str) -> int:
    """Record a crawl of ``source`` stopped by a signal before it sent a request; the run's id."""
    now = utc_now()
    run_id = store.start_crawl_run(source, now)
    report = build_report({"finish_reason": STOPPED_REASON}, [], [])
    report.update(source=source, duration=0)
    store.finish_crawl_run(run_id, now, report["status"], report)
    return run_id


class _SignalStop:
    """Stop a crawl on SIGTERM or SIGINT, as the module docstring says, whenever it comes.

    The handlers are in place from before the first lock is taken until the
    locks are released: before the reactor runs, and after it has stopped, a
    signal is only noted (``received``), and :func:`run_crawl` takes no further
    lock, builds no crawl and starts no reactor; a reactor that starts with a
    signal noted stops at once. While the reactor runs, the first signal stops
    the crawl within ``STOP_GRACE`` seconds, a second one at once.

    Scrapy's own graceful stop waits for every request already handed to the
    downloader: with a politeness delay and a hanging server, that is the
    download timeout and more.
    """

    def __init__(self) -> None:
        self.received: int | None = None  # the first signal
        self.process: CrawlerProcess | None = None  # set while its reactor runs
        self.stopping = False

    @contextlib.contextmanager
    def handling(self) -> Iterator[None]:
        """Handle SIGTERM and SIGINT in the block; the handlers before it are restored after."""
        previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
        for signum in STOP_SIGNALS:
            signal.signal(signum, self.on_signal)
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def noted(self) -> bool:
        """Whether a stop signal has come."""
        return self.received is not None

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        """Only signal-safe calls here: the reactor does the work in its own turn."""
        first = self.received is None
        if first:
            self.received = signum
        if self.process is None:  # the reactor is not running
            return
        from twisted.internet import reactor

        if first:
            signal.setitimer(signal.ITIMER_REAL, STOP_DEADLINE)  # SIGALRM's default action ends us
            reactor.callFromThread(self.stop_soon)
        else:
            reactor.callFromThread(self.close_now)

    def stop_soon(self) -> None:
        """Stop the crawl, once, and close it ``STOP_GRACE`` seconds later at the latest."""
        from twisted.internet import reactor

        if self.stopping or self.process is None or self.received is None:
            return
        self.stopping = True
        name = signal.Signals(self.received).name
        log.info("received %s: stopping the crawl within %g s", name, STOP_GRACE)
        self.process.stop()
        reactor.callLater(STOP_GRACE, self.close_now)

    def close_now(self) -> None:
        """Record each unfinished crawl run as stopped and stop the reactor."""
        from twisted.internet import reactor

        if self.process is None:
            return
        for crawler in list(self.process.crawlers):
            report = crawler.get_extension(CrawlReport)
            if report is not None and crawler.spider is not None:
                report.spider_closed(crawler.spider, STOPPED_REASON)
        with contextlib.suppress(RuntimeError):  # the reactor already stopped or stopping
            reactor.stop()

    def run(self, process: CrawlerProcess) -> None:
        """Run the crawl and return when it has ended or stopped; at once if a signal came."""
        from twisted.internet import reactor

        if self.received is not None:
            return
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        reactor.addSystemEventTrigger("after", "startup", self.started, process)
        try:
            process.start(install_signal_handlers=False)
        finally:
            self.process = None
            signal.setitimer(signal.ITIMER_REAL, 0)  # the reactor answered: no deadline now

    def started(self, process: CrawlerProcess) -> None:
        """The reactor runs: signals stop the crawl from now, and one already noted does now."""
        self.process = process
        if self.received is not None:
            signal.setitimer(signal.ITIMER_REAL, STOP_DEADLINE)
            self.stop_soon()
