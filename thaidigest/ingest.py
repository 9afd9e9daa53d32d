"""One path from a raw article to the store: normalise, deduplicate, score, store.

``thaidigest import`` and the spiders' pipeline both end here, so a text file
and a crawled page of the same article land in the same row.

Each article is first *prepared* by a pure function (normalised, scored,
fingerprinted: most of the work), then written. An import of
more than one batch prepares its batches in worker processes while this
process writes the previous ones; what is stored does not depend on it.

A batch is written in transactions of about :data:`TRANSACTION_SECONDS` (all of
it, unless deduplication makes its articles slow to write), and between two
of them the writers waiting for the lock, a crawl's, go first: a long import
never keeps a crawl out of the database for longer than that.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache, partial
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple, Protocol, TypeVar

from sqlalchemy import Table, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Dialect

from thaidigest.dates import publication_date
from thaidigest.held import signals_held
from thaidigest.model import (
    CAME_BACK_EMPTY,
    FALLBACK_EXTRACTION,
    OUTCOMES,
    SELECTORS_EXTRACTION,
    Article,
    RawArticle,
)
from thaidigest.normalise import (
    normalise_with_address,
    same_content,
    without_page_lines,
)
from thaidigest.store import (
    KEEP_SUPERSEDED_TEXT,
    Store,
    article_versions,
    articles,
    empty_answers,
    iso,
    utc_now,
    written_with,
)
from thaidigest.urls import former_form, stray_percent_forms
from thaidigest.workers import YOUNG_GC_THRESHOLD, ordered_map

log = logging.getLogger(__name__)

T = TypeVar("T")
BATCH_SIZE = 500
# A batch also ends at this many characters of text, so that a run of huge
# articles does not hold hundreds of them at once (a corpus batch of 500 holds
# about 3.5 million).
BATCH_CHARS = 8_000_000
# Seconds a transaction of an import holds the write lock, about: a writer waiting
# (a crawl's article, the daemon's lock) waits no longer. A batch takes far less,
# unless its articles join large clusters of near duplicates.
TRANSACTION_SECONDS = 1.0
# The outcome of an export record holding an earlier version of the stored article (an old
# export imported again): kept out, counted as unchanged (and apart, for a note: see
# :attr:`Summary.older`).
OLDER = "older"
KEPT_REJECTIONS = 100  # rejections a Summary keeps (all are counted and reported)
# Crawls in a row whose page of a stored article comes back with an empty body (its
# headline only) before the empty version is stored: a page emptied once or twice is a
# site's hiccup, its text kept; one empty this many times in a row lost its text.
EMPTY_ANSWERS_TO_STORE = 3
# Shown as escapes when a rejection is printed: they would drive the terminal.
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Rejected(NamedTuple):
    """An input that could not be read as an article, and why."""

    where: str  # a path, path:line or URL
    reason: str

    def describe(self) -> str:
        """``where: reason`` fit for a terminal: control characters shown as escapes."""
        text = f"{self.where}: {self.reason}"
        return UNPRINTABLE.sub(lambda match: match.group().encode("unicode_escape").decode(), text)


class Scored(NamedTuple):
    relevance: float
    relevant: bool
    topics: tuple[str, ...]
    partners: tuple[str, ...] = ()  # partner ids (thaidigest.partners), sorted


class Stored(NamedTuple):
    """What the store holds of an article the batch writes again."""

    id: int
    content_hash: str
    versions: int
    published: str | None  # YYYY-MM-DD
    title: str
    extraction: str
    last_changed: str  # ISO 8601 UTC
    has_body: bool  # the stored body is not empty
    empty_answers: int  # the crawls in a row its page came back empty: see came_back_empty


class Fetched(NamedTuple):
    """Where and how a raw article was fetched: kept on every visit, changed or not."""

    fetch_url: str | None
    etag: str | None
    last_modified: str | None

    @classmethod
    def of(cls, raw: RawArticle) -> Fetched:
        return cls(raw.fetch_url, raw.etag, raw.last_modified)

    @property
    def visit(self) -> bool:
        """Whether a crawl fetched the article (it names the URL it fetched), rather than
        an import read it from a file: only a visit says anything of the page."""
        return self.fetch_url is not None


# The validators of a page whose stored text an import replaced: see Ingestor._write_batch.
UNVALIDATED = {"etag": None, "last_modified": None}


class History(NamedTuple):
    """What the input says of an article's past (an export record's): a new row keeps it."""

    first_seen: str | None  # None: found now
    last_changed: str | None  # None: changed when found
    versions: int
    # An imported record's URL (a .txt file's ``ที่มา :`` line's) as a database made before
    # its canonical form's rule stored it (``details/87382?lang=th``, ``/ข่าว``), when that
    # form is not the canonical one: such a row is the record's (see
    # Ingestor._write_batch). None for a crawl's visit.
    stored_before: str | None = None

    @classmethod
    def of(cls, raw: RawArticle, address_as_written: str) -> History:
        """What ``raw`` says of its past; ``address_as_written``: the address it was read
        under (:attr:`~thaidigest.normalise.Normalised.address_as_written`)."""
        stored_before = former_form(address_as_written) if raw.fetch_url is None else None
        return cls(raw.first_seen, raw.last_changed, raw.versions, stored_before)

    @property
    def exported(self) -> bool:
        """Whether the input is an export record, which says when the article was found or
        last changed: a row as a database stored it, under the address it names."""
        return self.first_seen is not None or self.last_changed is not None

    def not_after(self, known: Stored) -> bool:
        """Whether the input says the article last changed no later than the stored version
        did (an input that says nothing of it, a ``.txt`` file or a corpus line, does not)."""
        return self.last_changed is not None and self.last_changed <= known.last_changed

    def times(self, now: str) -> tuple[str, str]:
        """``first_seen`` and ``last_changed`` for a new row: neither after ``now``, and no
        change before the article was found (ISO 8601 UTC strings sort as times)."""
        found = min(self.first_seen or now, now)
        return found, min(max(self.last_changed or found, found), now)


class Prepared(NamedTuple):
    """An article ready to be written: what the pure stage made of a raw one."""

    fetched: Fetched
    article: Article
    scored: Scored
    fingerprint: Any  # the deduplicator's fingerprint, or None to compute it on writing
    history: History

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A worker process sends one with every article: its named tuples as plain ones,
        # made again in one call, cost less than pickle's __getnewargs__ and __new__ of each.
        fetched, article, scored, fp, history = self
        return _unpickle_prepared, (tuple(fetched), article, tuple(scored), fp, tuple(history))


def _unpickle_prepared(
    fetched: tuple[Any, ...],
    article: Article,
    scored: tuple[Any, ...],
    fp: Any,
    history: tuple[Any, ...],
) -> Prepared:
    return Prepared(
        Fetched._make(fetched), article, Scored._make(scored), fp, History._make(history)
    )


Preparer = Callable[[RawArticle], Prepared]  # raises ValueError for an article it rejects
Item = RawArticle | Rejected


class Deduplicator(Protocol):
    def assign(self, conn: Connection, article_id: int, article: Article, fp: Any = None) -> None:
        """Record the article's fingerprints and set ``duplicate_of`` in its cluster."""

    def flush(self, conn: Connection) -> None:
        """Write what :meth:`assign` left to write, in the same transaction."""

    def reset(self) -> None:
        """Forget what it holds in memory: the transaction it was used in rolled back."""


@dataclass
class Summary:
    """Counts of one import or crawl."""

    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    suspicious: int = 0  # kept as stored: see :func:`suspicious_replacement`
    came_back_empty: int = 0  # kept as stored: see :func:`came_back_empty`
    rejected: int = 0
    rejections: list[Rejected] = field(default_factory=list)
    # Of the unchanged: export records of earlier versions of the stored articles, kept out (OLDER).
    older: int = 0

    def count(self, outcome: str) -> None:
        """Count one article read and its outcome (one of :data:`OUTCOMES`, or :data:`OLDER`)."""
        self.read += 1
        if outcome == OLDER:
            self.older += 1
            outcome = "unchanged"
        setattr(self, outcome, getattr(self, outcome) + 1)

    def line(self) -> str:
        kept = f", kept {self.suspicious} suspicious" if self.suspicious else ""
        return (
            f"read {self.read}, new {self.new}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}{kept}"
        )


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)  # the signals that ask a command to stop
# What each does in a process that leaves it alone: SIGTERM ends it, SIGINT raises
# KeyboardInterrupt (Python's own handler).
DEFAULT_ACTIONS = {signal.SIGTERM: signal.SIG_DFL, signal.SIGINT: signal.default_int_handler}


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold SIGINT (Ctrl-C) until the block ends, then let it act as it would have: a
    transaction and the counts of what it stored happen both or not at all, so an
    interrupted import says exactly what it stored. For one transaction's time
    (:data:`TRANSACTION_SECONDS`), and the wait for a database another process is
    writing to (up to its busy timeout), during which SQLite holds signals anyway. A
    crawl's handler (Scrapy's) is held and called the same way (:func:`signals_held`)."""
    with signals_held([signal.SIGINT]):
        yield


@contextmanager
def stops_held() -> Iterator[Callable[[], bool]]:
    """Hold SIGTERM and SIGINT until the block ends, then let the first act as it would
    have: the process ends, or KeyboardInterrupt unwinds it. Whether one came, for the
    block to stop where stopping leaves nothing half done, so that it holds nothing when
    the signal acts; a second one acts at once (Ctrl-C pressed again: through a wait for
    a busy database, say). Only a signal left to its default action is held
    (:data:`DEFAULT_ACTIONS`): a process that handles one itself (a crawl, once built)
    stops as its handler says."""
    at_default = [
        signum for signum in STOP_SIGNALS if signal.getsignal(signum) == DEFAULT_ACTIONS[signum]
    ]
    with signals_held(at_default, second_at_once=True) as received:
        yield lambda: bool(received)


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    """Keep the objects that exist when the block begins out of the garbage collector's
    full collections until it ends.

    They (modules and their tables, the caller's own) outlive an ingest, and walking
    them again every few thousand articles is time the importing process spends for
    nothing (docs/measurements.md).
    Cycles among them that die meanwhile are collected once the block ends. Nothing is
    frozen when something already is: a block within another, or beside one in another
    thread, leaves the freeze to the outer one (and a worker's own, see
    :func:`~thaidigest.workers.ordered_map`, is never undone).
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def young_collections_spaced() -> Iterator[None]:
    """Collect the garbage collector's youngest generation only every
    :data:`~thaidigest.workers.YOUNG_GC_THRESHOLD` net new objects until the block ends,
    as the workers do; the threshold before is given back after. A block within another,
    or beside one in another thread, leaves it to the outer one (as
    :func:`older_objects_frozen` does)."""
    before = gc.get_threshold()
    if before[0] == YOUNG_GC_THRESHOLD:
        yield
        return
    gc.set_threshold(YOUNG_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped an ingest; ``summary`` counts what it stored and rejected before."""

    def __init__(self, summary: Summary) -> None:
        super().__init__()
        self.summary = summary


NOT_SCORED = Scored(0.0, False, ())


def fallback_over_selectors(known: Stored, article: Article) -> bool:
    """Whether ``article`` is a page the fallback read, of an article the selectors read."""
    return article.extraction == FALLBACK_EXTRACTION and known.extraction == SELECTORS_EXTRACTION


def suspicious_replacement(known: Stored, article: Article) -> bool:
    """Whether ``article`` would replace a stored article the selectors read with a page
    the fallback read under another headline. The fallback reads any page with some text
    (a maintenance notice answered for every URL, a home page): such a page is kept out,
    the stored version kept. A redesign that keeps the headline still updates it, unless
    its text is the stored one but for the page's own lines (:func:`_same_stored_content`)."""
    return fallback_over_selectors(known, article) and article.title != known.title


def came_back_empty(known: Stored, fetch: Fetched, article: Article) -> bool:
    """Whether a crawl's visit read ``article``'s page with an empty body (its headline
    only) while the stored body ``known`` holds is not, fewer than
    :data:`EMPTY_ANSWERS_TO_STORE` times in a row: the stored text is kept (a site's
    hiccup on one page, not the text taken down). The last of those answers in a row is
    stored as any new text is; an import's empty body always is (a user's deliberate act)."""
    return (
        fetch.visit
        and not article.body
        and known.has_body
        and known.empty_answers + 1 < EMPTY_ANSWERS_TO_STORE
    )


def empty_answer_kept(page: str, answers: int) -> str:
    """The warning for a page come back empty ``answers`` times in a row, its text kept."""
    left = EMPTY_ANSWERS_TO_STORE - answers
    then = "the next one stores it empty" if left == 1 else f"{left} more store it empty"
    return (
        f"page came back with an empty body: {page}; the stored text kept (empty answer"
        f" {answers} of {EMPTY_ANSWERS_TO_STORE} in a row; {then})"
    )


def stored_empty(page: str, answers: int, text_version: int) -> str:
    """The warning for a page stored empty once it came back so ``answers`` times in a
    row, its text left in version ``text_version``."""
    return (
        f"page stored with an empty body: {page}: it came back empty on {answers} crawls in"
        f" a row; its text stays in version {text_version}"
    )


def normalise_only(raw: RawArticle) -> Prepared:
    """The plainest preparer: normalised, not scored, fingerprinted on writing."""
    normalised = normalise_with_address(raw)
    history = History.of(raw, normalised.address_as_written)
    return Prepared(Fetched.of(raw), normalised.article, NOT_SCORED, None, history)


def batched(items: Iterable[Item], size: int, chars: int = BATCH_CHARS) -> Iterator[list[Item]]:
    """Lists of at most ``size`` items, each ended early once it holds ``chars`` characters."""
    batch: list[Item] = []
    held = 0
    for item in items:
        batch.append(item)
        if isinstance(item, RawArticle):
            held += len(item.title) + len(item.body)
        if len(batch) >= size or held >= chars:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _store_versions(
    conn: Connection, versions: list[dict[str, Any]], written: dict[int, dict[str, Any]]
) -> None:
    """Insert the version rows held for a batch, then forget them. Each article's latest
    (in ``written``) is stored without its text, which its articles row holds: a later
    version in the batch keeps it (``KEEP_SUPERSEDED_TEXT``), as across batches."""
    if not versions:
        return
    for latest in written.values():
        latest["title"] = latest["body"] = None
    _insert_rows(conn, article_versions, versions)
    versions.clear()
    written.clear()


def next_transaction_size(size: int, took: float, most: int) -> int:
    """How many articles the next transaction writes, when the last wrote ``size`` in
    ``took`` seconds: about :data:`TRANSACTION_SECONDS` worth, between 1 and ``most``."""
    if took <= 0:
        return most
    return max(1, min(most, int(size * TRANSACTION_SECONDS / took)))


def prepare_batch(batch: list[Item], preparer: Preparer) -> list[Prepared | Rejected]:
    """Each item of a batch prepared, or rejected with the preparer's reason.

    A preparer with an ``each`` method (:class:`thaidigest.pipeline.ArticlePreparer`)
    prepares the batch's articles in one call, stage by stage.
    """
    raws = [item for item in batch if isinstance(item, RawArticle)]
    each = getattr(preparer, "each", None)
    results = iter(each(raws) if each else map(partial(attempt, preparer), raws))
    done: list[Prepared | Rejected] = []
    for item in batch:
        if isinstance(item, RawArticle):
            result = next(results)
            item = (
                Rejected(item.where or item.fetch_url or item.url, str(result))
                if isinstance(result, ValueError)
                else result
            )
        done.append(item)
    return done


def worker_modules(preparer: Preparer) -> tuple[str, ...]:
    """The modules the workers' fork server imports once, for every worker: the preparer's
    (and what it needs), PyThaiNLP's normaliser, which normalise.py loads only when a line
    needs it, and those the preparer names in its ``preload``, if it has one (a module that
    builds its tables: :attr:`thaidigest.pipeline.ArticlePreparer.preload`)."""
    return (preparer.__module__, "pythainlp.util", *getattr(preparer, "preload", ()))


def attempt(stage: Callable[..., T], *args: Any, **kwargs: Any) -> T | ValueError:
    """A stage's result for one article, or the ValueError that rejects the article.

    The error is returned without its traceback: its frames (the caller's among them) hold
    the whole batch, in a cycle with the error once the caller keeps it in a list, which
    only the garbage collector would free. Its text is what a rejection keeps.
    """
    try:
        return stage(*args, **kwargs)
    except ValueError as error:
        return error.with_traceback(None)


class Ingestor:
    """Writes raw articles into a store, in transactions of ``batch_size``.

    ``preparer`` must be picklable when ``workers`` is above 1: an input
    of more than one batch is then prepared in that many worker processes.

    ``found_with`` names, by their ``meta`` key, what the preparer finds a field it
    writes with (the partners and the scores: the fingerprints of its partner table and
    of its model, rules and threshold, fixed when it was built): a transaction that
    writes an article takes out a record naming another
    (:func:`~thaidigest.store.written_with`), so the next pass finds every stored
    article's partners or scores again with what is then in use.

    ``also_write(conn, outcomes)`` is called in each transaction that writes articles,
    with the outcome of each (:data:`OUTCOMES`, or :data:`OLDER`), so that what it writes
    commits with them or not at all: a crawl counts them on its run as it goes.
    """

    def __init__(
        self,
        store: Store,
        *,
        preparer: Preparer = normalise_only,
        deduplicator: Deduplicator | None = None,
        clock: Callable[[], datetime] = utc_now,
        batch_size: int = BATCH_SIZE,
        workers: int = 1,
        found_with: Mapping[str, str] | None = None,
        also_write: Callable[[Connection, list[str]], None] | None = None,
    ) -> None:
        self.store = store
        self.also_write = also_write
        self.found_with = dict(found_with or {})
        self.preparer = preparer
        self.deduplicator = deduplicator
        self.clock = clock
        self.batch_size = batch_size
        self.workers = workers
        self.transaction_size = batch_size  # articles the next transaction writes, at most

    def ingest(
        self,
        items: Iterable[Item],
        on_reject: Callable[[Rejected], None] | None = None,
    ) -> Summary:
        """Store every article of ``items``; count and report the rejected ones.

        Ctrl-C raises :class:`Interrupted` with the counts of what was stored (and
        rejected) before it: an article counts as read once its transaction is
        committed, so a rerun stores exactly the rest.
        """
        summary = Summary()
        try:
            with (
                older_objects_frozen(),
                young_collections_spaced(),
                closing(self._prepared_batches(items)) as batches,
            ):
                for batch in batches:
                    self._write(self._count(batch, summary, on_reject), summary)
        except KeyboardInterrupt as interrupt:
            raise Interrupted(summary) from interrupt
        return summary

    def _write(self, prepared: list[Prepared], summary: Summary) -> None:
        """Write a batch in transactions of about :data:`TRANSACTION_SECONDS` each, letting
        the writers that wait for the lock in after each; each article's outcome counted in
        ``summary`` with its transaction, Ctrl-C held meanwhile (:func:`interrupts_held`)."""
        start = 0
        while start < len(prepared):
            part = prepared[start : start + self.transaction_size]
            began = time.monotonic()
            with interrupts_held():
                for outcome in self._write_in_transaction(part):
                    summary.count(outcome)
            took = time.monotonic() - began
            self.transaction_size = next_transaction_size(len(part), took, self.batch_size)
            start += len(part)
            self.store.let_writers_in()

    def _write_in_transaction(self, prepared: list[Prepared]) -> list[str]:
        warnings: list[str] = []
        try:
            with self.store.transaction() as conn:
                outcomes = self._write_batch(conn, prepared, warnings)
                if self.also_write is not None:
                    self.also_write(conn, outcomes)
        except BaseException:
            if self.deduplicator is not None:
                self.deduplicator.reset()
            raise
        for warning in warnings:  # once committed: of what the store holds
            log.warning("%s", warning)
        return outcomes

    def ingest_one(self, raw: RawArticle) -> str:
        """Store one article in its own transaction; its outcome, or ``rejected``."""
        summary = self.ingest([raw])
        for outcome in (*OUTCOMES, "rejected"):
            if getattr(summary, outcome):
                return outcome
        raise AssertionError("an ingested article has an outcome")

    def _prepared_batches(self, items: Iterable[Item]) -> Iterator[list[Prepared | Rejected]]:
        """Batches of prepared items in input order: in workers when there is more than one."""
        batches = batched(items, self.batch_size)
        first = next(batches, None)
        if first is None:
            return
        second = next(batches, None)
        ahead = [first] if second is None else [first, second]
        prepare = partial(prepare_batch, preparer=self.preparer)
        if self.workers > 1 and second is not None:
            preload = worker_modules(self.preparer)
            yield from ordered_map(prepare, chain(ahead, batches), self.workers, preload)
        else:
            yield from map(prepare, chain(ahead, batches))

    @staticmethod
    def _count(
        batch: list[Prepared | Rejected],
        summary: Summary,
        on_reject: Callable[[Rejected], None] | None,
    ) -> list[Prepared]:
        """The prepared items of a batch; the rejected ones counted (as read) and reported."""
        prepared: list[Prepared] = []
        for item in batch:
            if isinstance(item, Prepared):
                prepared.append(item)
                continue
            summary.read += 1
            summary.rejected += 1
            if len(summary.rejections) < KEPT_REJECTIONS:
                summary.rejections.append(item)
            if on_reject is not None:
                on_reject(item)
        return prepared

    def _write_batch(
        self, conn: Connection, prepared: list[Prepared], warnings: list[str]
    ) -> list[str]:
        """Write a batch in the caller's transaction; the outcome of each article, and on
        ``warnings`` a line for each empty answer kept or stored (:func:`empty_answer_kept`,
        :func:`stored_empty`).

        Articles new to the store are inserted first, in one statement; then
        each article in input order is versioned, updated and deduplicated,
        so a URL given twice in a batch is new, then updated. A new headline or
        body is a new version (not one that differs in digit script, line breaks,
        runs of spaces, or characters a stored text holds that normalisation now
        writes otherwise alone: see :func:`same_content`), and so is another published
        date (a correction); a date where none was known only fills it in, and the
        deduplicator places the article again (its date, not its first-seen day, now
        ranks it among its copies and decides which are compared with it). A new article's first
        version takes the number its :class:`History` gives (1 but for an
        export record), so that a later version never reuses a published number; a known
        article keeps its text when the record holds the text of one of its earlier versions
        and says it last changed no later than the current one did (an old export imported
        again into the database it came from, after an edit: :func:`_an_earlier_version`),
        counted as :data:`OLDER`. A record of a text the article never had is a new version
        whatever its date: an import sets ``last_changed`` to its own time, so the next
        export of a chain imported in turn is dated before it.

        Only a crawl's visit (:attr:`Fetched.visit`) writes the fields of the page as
        fetched (``fetch_url``, ``etag``, ``last_modified``, ``last_seen``): an import
        leaves them as the last crawl left them, so the page is revisited as before.
        A visit whose page came back with an empty body keeps the stored text, counted
        as :data:`~thaidigest.model.CAME_BACK_EMPTY`, until it has done so
        :data:`EMPTY_ANSWERS_TO_STORE` times in a row (:func:`came_back_empty`), in
        the ``empty_answers`` table, whose row a visit with text deletes, and so does any
        version stored (an import's text too: the next empty answer counts from 1).
        """
        now = iso(self.clock())
        prepared = _to_rows_of_other_percent_forms(conn, _to_rows_stored_before(conn, prepared))
        urls = list({item.article.url for item in prepared})
        # A count whose last answer's visit is not the article's last one was ended by an
        # earlier thaidigest's visit, unaware of the table: none (see store.empty_answers).
        in_a_row = and_(
            empty_answers.c.article_id == articles.c.id,
            empty_answers.c.seen_at == articles.c.last_seen,
        )
        current = {
            row.url: Stored(
                row.id,
                row.content_hash,
                row.versions,
                row.published,
                row.title,
                row.extraction,
                row.last_changed,
                bool(row.has_body),
                row.empty_answers,
            )
            for row in conn.execute(
                select(
                    articles.c.url,
                    articles.c.id,
                    articles.c.content_hash,
                    articles.c.versions,
                    articles.c.published,
                    articles.c.title,
                    articles.c.extraction,
                    articles.c.last_changed,
                    (articles.c.body != "").label("has_body"),  # not length(): reads all
                    func.coalesce(empty_answers.c.answers, 0).label("empty_answers"),
                )
                .select_from(articles.outerjoin(empty_answers, in_a_row))
                .where(articles.c.url.in_(urls))
            )
        }
        counted = {known.id for known in current.values() if known.empty_answers}  # rows read
        inserted = self._insert_new(conn, prepared, current, now)
        outcomes: list[str] = []
        seen: dict[int, dict[str, Any]] = {}  # unchanged rows by id: the last visit's fields
        dated: dict[int, dict[str, Any]] = {}  # unchanged rows that learn their published date
        # Theirs, and those a visit's selectors read whose text the fallback stored: their
        # articles and fingerprints, to place again among their copies.
        redated: dict[int, tuple[Article, Any]] = {}
        versions: list[dict[str, Any]] = []
        written: dict[int, dict[str, Any]] = {}  # each article's last version in this batch
        streaks: dict[int, int] = {}  # empty answers in a row by id, this batch's last one empty
        answered: set[int] = set()  # ids whose empty answers this batch ended (text, a version)
        for fetch, article, scored, fingerprint, history in prepared:
            known = current.get(article.url)
            if known is not None and known.published and article.published is None:
                # A visit that shows no date (a revisit without its listing) keeps the known
                # one, if it is believed (an earlier version took years after next year).
                kept = publication_date(date.fromisoformat(known.published), self.clock().date())
                article = replace(article, published=kept)
            published = article.published.isoformat() if article.published else None
            if article.url in inserted:
                article_id, version, outcome = inserted.pop(article.url), history.versions, "new"
                changed = history.times(now)[1]
            elif known is not None and suspicious_replacement(known, article):
                outcomes.append("suspicious")  # the row untouched: this page was not it
                continue
            elif known is not None and came_back_empty(known, fetch, article):
                # The text and its scores stay; the visit is recorded without the empty
                # answer's ETag and Last-Modified, nor the stored text's: the next crawl
                # reads the page whole, never answered 304 for the empty page, and counts
                # on from a whole answer, empty or not (a 304 would count as neither).
                answers = known.empty_answers + 1
                seen[known.id] = {
                    "row_id": known.id,
                    **_visit(fetch, now),
                    **UNVALIDATED,
                    **_after_earlier_read(seen.get(known.id), NOTHING_READ_AGAIN),
                }
                streaks[known.id] = answers
                answered.discard(known.id)
                current[article.url] = known._replace(empty_answers=answers)
                warnings.append(empty_answer_kept(fetch.fetch_url or article.url, answers))
                outcomes.append(CAME_BACK_EMPTY)
                continue
            elif (
                known is not None
                and known.published in (None, published)  # a corrected date is a new version
                and (
                    known.content_hash == article.content_hash
                    or _same_stored_content(conn, known, article)
                )
            ):
                completed = False  # a fallback read's text read again by the selectors
                if fetch.visit:
                    read_again = _after_earlier_read(
                        seen.get(known.id), _read_again(known, article)
                    )
                    seen[known.id] = {"row_id": known.id, **_visit(fetch, now), **read_again}
                    streaks.pop(known.id, None)
                    answered.add(known.id)
                    completed = known.extraction == FALLBACK_EXTRACTION and bool(
                        read_again["extraction"]
                    )
                    known = current[article.url] = known._replace(
                        empty_answers=0, extraction=read_again["extraction"] or known.extraction
                    )
                if completed and known.id not in redated:  # ranked again among its copies
                    if known.content_hash == article.content_hash:
                        redated[known.id] = (article, fingerprint)
                    else:  # the row keeps its text, written another way: placed as it is
                        redated[known.id] = (_with_stored_text(conn, known.id, article), None)
                if known.published is None and published is not None:
                    dated[known.id] = {"row_id": known.id, "day": published, "at": known.versions}
                    if known.content_hash == article.content_hash:
                        redated[known.id] = (article, fingerprint)
                    else:  # the row keeps its text, written another way: placed as it is
                        redated[known.id] = (_with_stored_text(conn, known.id, article), None)
                    current[article.url] = known._replace(published=published)
                outcomes.append("unchanged")
                continue
            else:
                assert known is not None, "every new URL was inserted"
                if history.not_after(known) and _an_earlier_version(conn, known, article):
                    outcomes.append(OLDER)  # the stored text replaced the record's since
                    continue
                article_id, version, outcome = known.id, known.versions + 1, "updated"
                changed = now
                if fetch.visit and known.has_body and not article.body:
                    page = fetch.fetch_url or article.url
                    warnings.append(stored_empty(page, known.empty_answers + 1, known.versions))
                if article_id in written:  # its version of this batch is not stored yet
                    # Stored now, as a batch of its own would have: the copies of a story
                    # are ranked by their first version's text (dedup), which it holds.
                    _store_versions(conn, versions, written)
                # A version stored, an import's text as much as a page's: a run of empty
                # answers ends, the next one counts from 1 (the imported text kept by it).
                streaks.pop(article_id, None)
                answered.add(article_id)
                if fetch.visit:
                    seen.pop(article_id, None)  # this later visit's fields win
                    fetch_fields = _visit(fetch, now)
                else:
                    # An import's text: the page's ETag and Last-Modified validate the page
                    # as fetched, which the row no longer holds. Kept, a revisit would be
                    # answered 304 for as long as the page stays as fetched, and the
                    # imported text believed to be the page's: an older copy of the
                    # article (a seed saved before the site's edit) would hide that edit
                    # for good. Without them, the next crawl reads the page whole and
                    # stores its text if it differs (the fetch_url stays: the page is
                    # still revisited, and still counts as crawled for the walk).
                    fetch_fields = UNVALIDATED
                    if article_id in seen:  # an earlier visit in this batch: its validators too
                        seen[article_id].update(UNVALIDATED)
                dated.pop(article_id, None)  # this later version's date wins
                redated.pop(article_id, None)  # placed again as a new version
                if article_id not in written:  # the version it replaces is stored: give it its text
                    conn.execute(
                        KEEP_SUPERSEDED_TEXT, {"row_id": article_id, "superseded": known.versions}
                    )
                state = _state(article, scored, now)
                if article.category is None:  # a read naming none (the fallback's) keeps it
                    del state["category"]
                conn.execute(
                    update(articles).where(articles.c.id == article_id),
                    state | fetch_fields | {"versions": version},
                )
            current[article.url] = Stored(
                article_id,
                article.content_hash,
                version,
                published,
                article.title,
                article.extraction,
                changed,
                bool(article.body),
                0,
            )
            written[article_id] = {
                "article_id": article_id,
                "version": version,
                "seen_at": now,
                "content_hash": article.content_hash,
                "title": article.title,
                "body": article.body,
                "published": published,
            }
            versions.append(written[article_id])
            if self.deduplicator is not None:
                self.deduplicator.assign(conn, article_id, article, fingerprint)
            outcomes.append(outcome)
        wrote = bool(versions)
        _store_versions(conn, versions, written)
        if dated:  # the article's date, and its current version's, which it was learned for
            conn.execute(
                update(articles)
                .where(articles.c.id == bindparam("row_id"))
                .values(published=bindparam("day")),
                list(dated.values()),
            )
            conn.execute(
                update(article_versions)
                .where(
                    article_versions.c.article_id == bindparam("row_id"),
                    article_versions.c.version == bindparam("at"),
                )
                .values(published=bindparam("day")),
                list(dated.values()),
            )
        if seen:  # before the placing: the copies of a story are ranked by their extraction
            conn.execute(
                update(articles)
                .where(articles.c.id == bindparam("row_id"))
                .values(
                    fetch_url=bindparam("fetch_url"),
                    etag=bindparam("etag"),
                    last_modified=bindparam("last_modified"),
                    last_seen=bindparam("last_seen"),
                    category=func.coalesce(bindparam("category"), articles.c.category),
                    extraction=func.coalesce(bindparam("extraction"), articles.c.extraction),
                ),
                list(seen.values()),
            )
        if self.deduplicator is not None:
            # Its date, not its first-seen day, now ranks it among its copies and files
            # it in the day window: the deduplicator places it again, as a fresh import would.
            for row_id, (dated_article, dated_fingerprint) in redated.items():
                self.deduplicator.assign(conn, row_id, dated_article, dated_fingerprint)
            self.deduplicator.flush(conn)
        # An ended run's row deleted (only one the batch read: a visit that finds none, the
        # usual one, costs no statement), a going one's written again.
        ended = answered & counted
        if ended or streaks:
            ids = sorted(ended | streaks.keys())
            conn.execute(delete(empty_answers).where(empty_answers.c.article_id.in_(ids)))
        if streaks:
            conn.execute(
                insert(empty_answers),
                [
                    {"article_id": row_id, "answers": answers, "seen_at": now}
                    for row_id, answers in streaks.items()
                ],
            )
        if wrote:  # with the partners the preparer found
            for key, fingerprint in self.found_with.items():
                written_with(conn, key, fingerprint)
        return outcomes

    @staticmethod
    def _insert_new(
        conn: Connection,
        prepared: list[Prepared],
        current: dict[str, Stored],
        now: str,
    ) -> dict[str, int]:
        """Insert the first article of each URL the store lacks; their ids by URL.

        A row keeps when its :class:`History` says it was found and last changed.
        """
        rows: dict[str, dict[str, Any]] = {}
        for fetch, article, scored, _, history in prepared:
            if article.url not in current and article.url not in rows:
                row = _state(article, scored, now)
                row["first_seen"], row["last_changed"] = history.times(now)
                row.update(
                    url=article.url,
                    fetch_url=fetch.fetch_url,
                    etag=fetch.etag,
                    last_modified=fetch.last_modified,
                    last_seen=now,
                    versions=history.versions,
                )
                rows[article.url] = row
        if not rows:
            return {}
        _insert_rows(conn, articles, list(rows.values()))
        return dict(
            conn.execute(
                select(articles.c.url, articles.c.id).where(articles.c.url.in_(rows))
            ).all()
        )


def _to_rows_stored_before(conn: Connection, prepared: list[Prepared]) -> list[Prepared]:
    """``prepared``, each imported record whose URL a database made before stored in another
    form (:attr:`History.stored_before`) under that form when a row holds it: an export of
    such a database holds its article under both forms, and each record is its own row's,
    so an export imported again into the database it came from changes nothing."""
    former = {item.history.stored_before for item in prepared if item.history.stored_before}
    if not former:
        return prepared
    held = set(conn.execute(select(articles.c.url).where(articles.c.url.in_(former))).scalars())
    return [
        item._replace(article=replace(item.article, url=item.history.stored_before))
        if item.history.stored_before in held
        else item
        for item in prepared
    ]


def _to_rows_of_other_percent_forms(conn: Connection, prepared: list[Prepared]) -> list[Prepared]:
    """``prepared``, each article whose path holds a ``%`` that starts no escape, or a
    ``%25`` that starts none, under the form a row holds of its address
    (:func:`~thaidigest.urls.stray_percent_forms`: ``/100%/`` and ``/100%25/`` are one page)
    when no row holds its own; when none holds either, under the form the batch gave it
    first. A path is stored as written and every output publishes ``%25``: the link copied
    from a digest, imported or crawled, made a second row of the page, which the
    deduplicator made a copy of the first. A row under its own form stays the article's (a
    database written before may hold the page under both, its export both records), and an
    export record is always its own row's, as that database stored it: its export imported
    into an empty database gives both rows back, not the copy's text as a new version of
    the other (:attr:`History.exported`)."""
    exported = {item.article.url for item in prepared if item.history.exported}
    forms = {
        url: each
        for url in {
            item.article.url
            for item in prepared
            if "%" in item.article.url and not item.history.exported
        }
        if len(each := stray_percent_forms(url)) > 1
    }
    if not forms:
        return prepared
    wanted = {form for each in forms.values() for form in each}
    held = set(conn.execute(select(articles.c.url).where(articles.c.url.in_(wanted))).scalars())
    held |= exported  # each is a row under its own form once this batch is written
    row_of: dict[str, str] = {}  # each address the batch gives: the one its article is under
    for item in prepared:  # in input order: the first form given is a new row's
        url = item.article.url
        if url in forms and url not in row_of and not item.history.exported:
            given = [form for form in forms[url] if form in row_of]
            row_of[url] = next(
                (form for form in forms[url] if form in held),
                row_of[given[0]] if given else url,
            )
    return [
        item._replace(article=replace(item.article, url=row_of[item.article.url]))
        if row_of.get(item.article.url, item.article.url) != item.article.url
        and not item.history.exported
        else item
        for item in prepared
    ]


# What a visit that came back empty read again of the page: nothing (see _read_again).
NOTHING_READ_AGAIN: dict[str, str | None] = {"category": None, "extraction": None}


def _after_earlier_read(
    earlier: Mapping[str, Any] | None, read_again: dict[str, str | None]
) -> dict[str, str | None]:
    """``read_again`` (:func:`_read_again`) after the ``earlier`` visit of the same row in
    this batch, if any: a column the later read names nothing for keeps what the earlier
    one stored, which its row in the batch already holds (the page given twice)."""
    if earlier is None:
        return read_again
    return {
        column: earlier.get(column) if value is None else value
        for column, value in read_again.items()
    }


def _read_again(known: Stored, article: Article) -> dict[str, str | None]:
    """What a visit that read ``known``'s text again, unchanged, stores of its read, None
    for a column it keeps: the page's category when it names one (a site that files the
    article under another), and ``selectors`` when the site's selectors read the text
    (a text the fallback, or an import, stored). A fallback read of a text the selectors
    stored leaves it theirs: the text is theirs, and the fallback reads what it can."""
    return {
        "category": article.category,
        "extraction": (
            SELECTORS_EXTRACTION
            if article.extraction == SELECTORS_EXTRACTION != known.extraction
            else None
        ),
    }


def _visit(fetch: Fetched, now: str) -> dict[str, Any]:
    """The ``articles`` columns every visit of an article writes, changed or not."""
    return {**fetch._asdict(), "last_seen": now}


@cache
def _insert_statement(table: Table, columns: tuple[str, ...], dialect: Dialect) -> _Insert:
    """The SQL of an INSERT of ``columns`` into ``table`` for a driver taking parameters by
    position, and what picks them from a row's dict in their order."""
    compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
    return _Insert(str(compiled), itemgetter(*compiled.positiontup))


class _Insert(NamedTuple):
    sql: str
    parameters: Callable[[dict[str, Any]], tuple[Any, ...]]


def _insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, plain values the driver takes as they are)
    into ``table`` in one executemany.

    SQLAlchemy binds each row's parameters one by one in Python, a third of the cost of
    writing a new article; a driver taking parameters by position (SQLite's) is given
    the rows as tuples, through one statement compiled once.
    """
    if not conn.dialect.positional:
        conn.execute(table.insert(), rows)
        return
    statement = _insert_statement(table, tuple(rows[0]), conn.dialect)
    conn.exec_driver_sql(statement.sql, list(map(statement.parameters, rows)))


def _stored_text(conn: Connection, row_id: int) -> tuple[str, str]:
    """The headline and body stored for row ``row_id``."""
    row = conn.execute(
        select(articles.c.title, articles.c.body).where(articles.c.id == row_id)
    ).one()
    return row.title, row.body


def _same_stored_content(conn: Connection, known: Stored, article: Article) -> bool:
    """Whether the stored headline and body of ``known`` say what ``article``'s do, read
    the :func:`same_content` way (:func:`_says_the_same`): asked only of an article whose
    hash changed."""
    return _says_the_same(_stored_text(conn, known.id), known, article)


def _says_the_same(stored: tuple[str, str], known: Stored, article: Article) -> bool:
    """Whether a stored headline and body of ``known`` say what ``article``'s do, read the
    :func:`same_content` way: a text an older release wrote is read as today's normaliser
    writes it.

    A fallback read of an article the selectors read is compared without the page's own
    lines the stored text lacks (:func:`without_page_lines`): one read by the fallback
    is no edit, and the selectors' next read no second one.
    """
    body = article.body
    if fallback_over_selectors(known, article):
        labels = {article.category} if article.category else set()
        body = without_page_lines(body, stored, labels)
    return same_content(stored, (article.title, body), article.published)


def _an_earlier_version(conn: Connection, known: Stored, article: Article) -> bool:
    """Whether ``article``'s headline and body, as normalised, are those of a version of
    ``known`` before its current one.

    Each version row keeps the :func:`~thaidigest.normalise.content_hash` of its text, the
    first test, and the superseded versions their headline and body
    (:data:`KEEP_SUPERSEDED_TEXT`), read as the current version's is
    (:func:`_says_the_same`): a text an older release wrote hashes otherwise than the same
    text normalised today. A version written earlier in the same batch is stored before
    the next one is written (:func:`_store_versions`), so it is found here too.
    """
    earlier = (
        article_versions.c.article_id == known.id,
        article_versions.c.version < known.versions,
    )
    same_hash = select(article_versions.c.version).where(
        *earlier, article_versions.c.content_hash == article.content_hash
    )
    if conn.execute(same_hash.limit(1)).first() is not None:
        return True
    texts = select(article_versions.c.title, article_versions.c.body).where(
        *earlier, article_versions.c.title.is_not(None), article_versions.c.body.is_not(None)
    )
    return any(_says_the_same((row.title, row.body), known, article) for row in conn.execute(texts))


def _with_stored_text(conn: Connection, row_id: int, article: Article) -> Article:
    """``article`` with the headline and body row ``row_id`` holds (an unchanged visit's
    text may differ in digit script or a date line), which its fingerprint must be of."""
    title, body = _stored_text(conn, row_id)
    return replace(article, title=title, body=body)


def _state(article: Article, scored: Scored, now: str) -> dict[str, Any]:
    """The ``articles`` columns for an article's new content."""
    return {
        "source": article.source,
        "source_id": article.source_id,
        "title": article.title,
        "body": article.body,
        "published": article.published.isoformat() if article.published else None,
        "language": article.language,
        "category": article.category,
        "extraction": article.extraction,
        "content_hash": article.content_hash,
        "last_changed": now,
        "relevance": scored.relevance,
        "relevant": scored.relevant,
        "topics": json.dumps(sorted(scored.topics)),
        "partners": json.dumps(sorted(scored.partners)),
    }
