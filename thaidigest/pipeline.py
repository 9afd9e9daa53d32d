"""The configured ingestor: normalisation, deduplication, relevance, store."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy.engine import Connection

from thaidigest.classifier import Model, load_model
from thaidigest.config import DEFAULTS, ConfigError, NotUTF8Error, read_toml_text
from thaidigest.fingerprint import Fingerprint, fingerprint
from thaidigest.folders import os_reason
from thaidigest.ingest import Fetched, History, Ingestor, Prepared, Scored, attempt, stops_held
from thaidigest.locks import LockHeld, reread_lock, turn
from thaidigest.model import RawArticle
from thaidigest.normalise import Normalised, normalise_with_address, renormalised
from thaidigest.partners import (
    PartnerTable,
    found_partners,
    packaged_files_digest,
    partner_table,
    partners,
    partners_digest,
)
from thaidigest.relevance import (
    Relevance,
    Rules,
    rules_digest,
    rules_from_text,
    score_each,
)
from thaidigest.store import Store, utc_now
from thaidigest.words import tokeniser_digest

log = logging.getLogger(__name__)

# How long a pass reading the stored articles again keeps its turn unless renewed, which
# it is while it runs (thaidigest.locks.kept): a pass killed elsewhere holds no one up longer.
REREAD_TTL = timedelta(minutes=10)


def user_rules_text(config: dict[str, Any]) -> str | None:
    """The text of the user's ``[relevance] rules`` file, if the configuration names one."""
    path = (config.get("relevance") or {}).get("rules")
    if not path:
        return None
    try:
        return read_toml_text(path)
    except OSError as error:
        raise ConfigError(f"relevance.rules: cannot read {path}: {os_reason(error)}") from None
    except NotUTF8Error as error:
        raise ConfigError(f"relevance.rules: {path}: {error}") from None


def checked_rules(config: dict[str, Any], user_rules: str | None) -> Rules:
    """The compiled rules; a :class:`ConfigError` naming the file when it holds a mistake."""
    try:
        return rules_from_text(user_rules)
    except (ValueError, TypeError, KeyError) as error:
        path = (config.get("relevance") or {}).get("rules")
        raise ConfigError(f"relevance.rules: {path}: {error}") from None


def rules_from_config(config: dict[str, Any]) -> Rules:
    """The packaged relevance rules, extended by the user's ``[relevance] rules`` file."""
    return checked_rules(config, user_rules_text(config))


def user_partners_text(config: dict[str, Any]) -> str | None:
    """The text of the user's ``[partners] file``, if the configuration names one."""
    path = (config.get("partners") or {}).get("file")
    if not path:
        return None
    try:
        return read_toml_text(path)
    except NotUTF8Error as error:
        raise ConfigError(f"partners.file: {path}: {error}") from None


def checked_partner_table(config: dict[str, Any], user_partners: str | None) -> PartnerTable:
    """The packaged names extended by ``user_partners`` (:func:`user_partners_text`); a
    :class:`ConfigError` naming the file when it holds a mistake."""
    try:
        return partner_table(user_partners)
    except ValueError as error:
        path = (config.get("partners") or {}).get("file")
        raise ConfigError(f"partners.file: {path}: {error}") from None


def model_from_config(config: dict[str, Any]) -> Model:
    """The relevance model of ``[relevance] model``, or the packaged one.

    A :class:`ConfigError` naming the file when it cannot be read or is not a model.
    """
    path = (config.get("relevance") or {}).get("model")
    try:
        return load_model(path)
    except (OSError, ValueError) as error:
        raise ConfigError(f"relevance.model: {path}: {error}") from None


def check_judging_files(config: dict[str, Any]) -> None:
    """Load the user's rules, partners and model files as a crawl's ingestor does; a
    :class:`ConfigError`, the one a job would stop at, when one holds a mistake. The
    daemon checks them when it starts, rather than run jobs that would all stop so."""
    rules_from_config(config)
    checked_partner_table(config, user_partners_text(config))
    model_from_config(config)


def threshold_from_config(config: dict[str, Any]) -> float:
    """The probability an article needs to be relevant (``[relevance] threshold``)."""
    return float(
        (config.get("relevance") or {}).get("threshold", DEFAULTS["relevance"]["threshold"])
    )


@dataclass(frozen=True)
class Reread:
    """Stored articles judged again after what judges them changed: how many were read,
    and how many of them were judged otherwise and written so. Nothing read: what judges
    them is the one recorded."""

    read: int = 0
    changed: int = 0


# Stored articles scored together, stage by stage, and read between two looks at whether
# a stop signal came (a pass stops before its next batch).
RESCORE_BATCH = 500
SCORING_KEY = "relevance_scoring"  # the meta row naming what scored the stored articles


NORMALISER_FILES = ("normalise.py",)  # what renormalised() reads a stored text with


def normaliser_digest() -> str:
    """sha256 of the packaged normaliser as installed: stored texts are scored and their
    partners found as it writes them (:func:`~thaidigest.normalise.renormalised`), so a
    release that changes it reads every stored article again."""
    return packaged_files_digest(NORMALISER_FILES)


def scoring_fingerprint(config: dict[str, Any], user_rules: str | None) -> str:
    """What decides a stored verdict: the model file, the rules, the packaged partner
    names and the rules that read them, the normaliser, the tokeniser the model's word
    stage reads with and the threshold.

    ``user_rules`` is the text of the user's rules file (:func:`user_rules_text`).
    """
    parts = (
        model_from_config(config).digest,
        rules_digest(user_rules),
        partners_digest(),  # the model's partner signals are found with these names and rules
        normaliser_digest(),
        tokeniser_digest(),
        repr(threshold_from_config(config)),
    )
    return _sha256("\0".join(parts))


class _Stopped(Exception):
    """A stop signal came during a pass: it stops before its next batch, having written
    nothing, and the signal acts once the pass has given its turn back (:func:`reread_once`)."""


def reread_once(
    store: Store,
    meta_key: str,
    fingerprint: str,
    reread_all: Callable[[Callable[[], bool]], Reread],
) -> Reread:
    """``reread_all(stopping)``, which reads every stored article again to find the field
    ``meta_key`` records the fingerprint of, unless ``fingerprint`` is recorded already.
    One pass at a time: a second (a crawl's and a digest's, or two digests' after an
    upgrade) waits, saying so on stderr, then finds the fingerprint the first recorded
    and reads nothing, instead of reading them all at once with it and counting its
    changes again.

    A stop signal (SIGTERM, SIGINT) that would end the process as it comes
    (:func:`~thaidigest.ingest.stops_held`: ``thaidigest crawl`` before its crawl is built,
    ``digest``, ``import``) ends the wait at once, or the pass before its next batch
    (``stopping()``, which the pass looks at), then acts once the turn is given back: the
    process ends holding nothing, its stored articles as they were (the pass writes in one
    transaction, at its end: a signal during it acts once it is written), and the next
    pass reads them all again. A pass killed outright leaves its turn to expire, or to be
    taken over by the next on its host and in its container."""
    if store.meta_value(meta_key) == fingerprint:
        return Reread()

    def waiting(held: LockHeld) -> None:
        log.warning("waiting for the pass reading the stored articles again to end: %s", held)

    with (
        stops_held() as stopping,
        turn(store, reread_lock(meta_key), REREAD_TTL, waiting=waiting, stopping=stopping),
    ):
        if store.meta_value(meta_key) == fingerprint:  # by the pass that went first
            return Reread()
        return reread_all(stopping)


def _batches(
    stored: Iterable[dict[str, Any]], stopping: Callable[[], bool]
) -> Iterator[list[dict[str, Any]]]:
    """The stored articles, :data:`RESCORE_BATCH` at a time; :class:`_Stopped` before the
    next batch, or the end, once ``stopping()``."""
    rows = iter(stored)
    while True:
        if stopping():
            raise _Stopped
        batch = list(islice(rows, RESCORE_BATCH))
        if not batch:
            return
        yield batch


def rescore_stored(store: Store, config: dict[str, Any]) -> Reread:
    """Score every stored article again when the model, rules or threshold changed.

    Stored ``relevance``, ``relevant`` and ``topics`` then always agree with the
    configuration in use (an upgrade, a moved threshold, an edited rules
    file); the new scores and the fingerprint are written in one transaction.
    Each stored text is scored as today's normaliser writes it
    (:func:`~thaidigest.normalise.renormalised`), as the same page imported today
    is: one an older release stored with ``ＡＳＥＡＮ`` or ``&nbsp;`` is scored as
    ``ASEAN`` and a space; the stored text stays as written.
    As partners are (:func:`refind_partners_stored`), an article stored anew meanwhile
    keeps the scores of its new text, an ingestor built before the rules or model changed
    takes the recorded fingerprint out as it writes, and a pass during which one wrote
    records no fingerprint: the next one scores every stored article again.
    Returns how many articles were scored again and how many of them changed (their
    relevance, verdict or topics), the only ones written; nothing when what scores them
    is the one recorded.
    """
    return _rescore(store, config, user_rules_text(config))


def _rescore(store: Store, config: dict[str, Any], user_rules: str | None) -> Reread:
    """:func:`rescore_stored` with the rules file's text already read (once: what is
    scored is what is fingerprinted, and what the ingestor built with it scores)."""
    fingerprint = scoring_fingerprint(config, user_rules)
    return reread_once(
        store,
        SCORING_KEY,
        fingerprint,
        lambda stopping: _rescore_all(store, config, user_rules, fingerprint, stopping),
    )


def _rescore_all(
    store: Store,
    config: dict[str, Any],
    user_rules: str | None,
    fingerprint: str,
    stopping: Callable[[], bool],
) -> Reread:
    """Score every stored article again, in :func:`reread_once`, and record ``fingerprint``."""
    rules, model = checked_rules(config, user_rules), model_from_config(config)
    threshold = threshold_from_config(config)
    begun = store.begin_finding(SCORING_KEY, fingerprint, stopping)  # see refind_partners_stored
    updates, read = [], 0
    for rows in _batches(store.iter_articles(), stopping):
        for row, again in zip(rows, scored_again(rows, rules, model, threshold), strict=True):
            if (again["relevance"], again["relevant"], json.loads(again["topics"])) != (
                row["relevance"],
                bool(row["relevant"]),
                json.loads(row["topics"]),
            ):
                score = (again["relevance"], again["relevant"], again["topics"])
                updates.append((row["id"], row["content_hash"], *score))
        read += len(rows)
    return Reread(read, store.update_scores(updates, SCORING_KEY, fingerprint, begun=begun))


def scored_again(
    rows: Sequence[Mapping[str, Any]], rules: Rules, model: Model, threshold: float
) -> list[dict[str, Any]]:
    """The stored articles ``rows`` with the ``relevance``, ``relevant`` and ``topics`` (a
    JSON list, sorted) that scoring them again with ``rules``, ``model`` and ``threshold``
    writes (:func:`rescore_stored`): each text as today's normaliser writes it, all stage by
    stage as the import scores them (:func:`~thaidigest.relevance.score_each`). The
    ValueError of a text the rules cannot read is raised."""
    batch = [(*renormalised(row["title"], row["body"]), row["language"], None) for row in rows]
    again = []
    for row, result in zip(
        rows, score_each(batch, rules, model=model, threshold=threshold), strict=True
    ):
        if isinstance(result, ValueError):
            raise result
        topics = json.dumps(sorted(result.topics))
        again.append(
            {**row, "relevance": result.score, "relevant": result.relevant, "topics": topics}
        )
    return again


def scores_current(store: Store, config: dict[str, Any], user_rules: str | None) -> bool:
    """True when the stored articles' scores are the ones ``config`` and ``user_rules`` (the
    text of its rules file) give them, as far as the store records: what scored them is
    what scores now, and :func:`rescore_stored` would read none of them again."""
    return store.meta_value(SCORING_KEY) == scoring_fingerprint(config, user_rules)


PARTNERS_KEY = "partners_found"  # the meta row naming what found the stored articles' partners


def partners_fingerprint(user_partners: str | None) -> str:
    """What decides a stored article's partners: the packaged names and the rules that
    read them (:func:`~thaidigest.partners.partners_digest`), the normaliser the stored
    texts are read with, and the text of the user's partners file, or its absence (a file
    moved but unchanged finds the same partners)."""
    user = "no file" if user_partners is None else _sha256(user_partners)
    return _sha256(f"{partners_digest()}\0{normaliser_digest()}\0{user}")


def partners_current(store: Store, user_partners: str | None) -> bool:
    """True when the stored articles' partners are the ones ``user_partners`` (the text of
    the partners file, or None) finds, as far as the store records: what found them is what
    finds them now, and :func:`refind_partners_stored` would read none of them again."""
    return store.meta_value(PARTNERS_KEY) == partners_fingerprint(user_partners)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def refind_partners_stored(store: Store, config: dict[str, Any]) -> Reread:
    """Find every stored article's partners again when what finds them changed.

    Stored ``partners`` then always agree with the names in use: a partner the user
    adds to their partners file is found in the articles stored before it too, and
    so is one an upgrade adds to the packaged table or a rule it changes. They are
    found as the ingestor finds them (with the user's table, from the stored headline
    and body as today's normaliser writes them) and those that changed written with the
    fingerprint in one transaction: a run that stops part-way leaves the partners found
    before, and the next run tries again. The articles are read as the store streams
    them, not held all at once; a few thousand take a second or two
    (``bench/refind_partners.py``).

    The recorded fingerprint names the table every stored article's partners were found
    with, whatever else writes to the store meanwhile. An ingestor built before the
    partners file changed stores articles with the old table's partners: writing them,
    it takes out a record that names another table (``found_with``, see
    :func:`~thaidigest.store.written_with`), and the next call finds every stored
    article's partners again. One that writes while this reads the stored articles
    would leave its articles, read before it wrote them, with its partners: this
    records that it begins first (:meth:`~thaidigest.store.Store.begin_finding`, a record
    of this pass alone), which such a write takes out too, and so does another pass
    beginning; it then writes the partners it found but not the fingerprint, and the
    next call finds them all again.
    Returns how many articles' partners were found again and how many of them changed
    and were written (not one stored anew meanwhile: see
    :meth:`~thaidigest.store.Store.update_partners`); nothing when what finds them is the
    one recorded.
    """
    return _refind_partners(store, config, user_partners_text(config))


def _refind_partners(store: Store, config: dict[str, Any], user_partners: str | None) -> Reread:
    """:func:`refind_partners_stored` with the partners file's text already read (once: what
    finds the partners is what is fingerprinted, and what the ingestor built with it finds)."""
    fingerprint = partners_fingerprint(user_partners)
    return reread_once(
        store,
        PARTNERS_KEY,
        fingerprint,
        lambda stopping: _refind_all(store, config, user_partners, fingerprint, stopping),
    )


def _refind_all(
    store: Store,
    config: dict[str, Any],
    user_partners: str | None,
    fingerprint: str,
    stopping: Callable[[], bool],
) -> Reread:
    """Find every stored article's partners again, in :func:`reread_once`, and record
    ``fingerprint``."""
    table = checked_partner_table(config, user_partners)
    begun = store.begin_finding(PARTNERS_KEY, fingerprint, stopping)
    changed, read = [], 0
    for rows in _batches(store.iter_articles(), stopping):
        for row in rows:
            # Read as today's normaliser writes it, as rescoring reads it (renormalised).
            found = list(partners(*renormalised(row["title"], row["body"]), table))
            if found != json.loads(row["partners"]):
                changed.append((row["id"], row["content_hash"], json.dumps(found)))
        read += len(rows)
    return Reread(read, store.update_partners(changed, PARTNERS_KEY, fingerprint, begun=begun))


@dataclass(frozen=True)
class ArticlePreparer:
    """Normalises, scores and fingerprints a raw article: the pure stage, picklable.

    It holds the text of the user's rules file, read once when the ingestor
    is built, not the compiled rules: a worker process receives a few bytes
    and compiles them once, and an edit to the file during an import
    changes nothing in it.
    """

    user_rules: str | None = None
    model_path: str | None = None
    threshold: float = DEFAULTS["relevance"]["threshold"]
    user_partners: str | None = None  # the text of the user's [partners] file

    def __call__(self, raw: RawArticle) -> Prepared:
        (prepared,) = self.each([raw])
        if isinstance(prepared, ValueError):
            raise prepared
        return prepared

    @property
    def preload(self) -> tuple[str, ...]:
        """The module that builds the packaged tables (:mod:`thaidigest.worker_tables`), for
        the workers' fork server to import (:func:`~thaidigest.ingest.worker_modules`), when
        this preparer scores with the packaged model: the model reads the packaged rules and
        partner names whatever the user's files add to them. A user's rules or partners are
        built by each worker on its first batch, as is a model file named in the settings
        (with its word stage, PyThaiNLP's dictionary)."""
        return ("thaidigest.worker_tables",) if self.model_path is None else ()

    def load_tables(self) -> None:
        """Build now what preparing the first batch would: the rules, the model, the partner
        tables and, for a model with a word stage, what it reads words with."""
        rules_from_text(self.user_rules)
        partner_table(None)
        partner_table(self.user_partners)
        stage = load_model(self.model_path).word_stage
        if stage is not None:
            stage.load()

    def each(self, raws: Sequence[RawArticle]) -> list[Prepared | ValueError]:
        """Each article prepared, or the :class:`ValueError` that rejects it, in order.

        Stage by stage: every article is normalised, then its partners found,
        then every one given its rule signals, its model probability (see
        :func:`~thaidigest.relevance.score_each`), and its fingerprint. A stage's tables (the rules'
        automaton, the model's vocabulary, the partner names) then stay in the
        CPU's caches for the whole list instead of evicting one another at
        each article: an import's workers take less CPU time
        (docs/measurements.md), for the same results.
        """
        normalised = [attempt(normalise_with_address, raw) for raw in raws]
        read = [each for each in normalised if isinstance(each, Normalised)]
        articles = [each.article for each in read]
        # The model sees the partners the packaged names find; the article's own
        # field, those of the user's table too (found again only when there is one).
        packaged, table = partner_table(None), partner_table(self.user_partners)
        named = [found_partners(article.title, article.body, packaged) for article in articles]
        rules, model = rules_from_text(self.user_rules), load_model(self.model_path)
        scores = score_each(
            [
                (article.title, article.body, article.language, names)
                for article, names in zip(articles, named, strict=True)
            ],
            rules,
            model=model,
            threshold=self.threshold,
        )
        prints = [attempt(fingerprint, article.title, article.body) for article in articles]
        found = [
            names.ids if table is packaged else partners(article.title, article.body, table)
            for article, names in zip(articles, named, strict=True)
        ]
        done = iter(zip(read, scores, prints, found, strict=True))
        return [
            each if isinstance(each, ValueError) else _prepared(raw, *next(done))
            for raw, each in zip(raws, normalised, strict=True)
        ]


def _prepared(
    raw: RawArticle,
    normalised: Normalised,
    result: Relevance | ValueError,
    fp: Fingerprint | ValueError,
    found: tuple[str, ...],
) -> Prepared | ValueError:
    for outcome in (result, fp):
        if isinstance(outcome, ValueError):
            return outcome
    return Prepared(
        Fetched.of(raw),
        normalised.article,
        Scored(result.score, result.relevant, result.topics, found),
        fp,
        History.of(raw, normalised.address_as_written),
    )


def build_ingestor(
    store: Store,
    *,
    config: dict[str, Any] | None = None,
    clock: Callable[[], datetime] = utc_now,
    workers: int = 1,
    also_write: Callable[[Connection, list[str]], None] | None = None,
) -> Ingestor:
    """The one ingestor that import and crawl share; ``workers`` processes prepare articles;
    ``also_write``: see :class:`~thaidigest.ingest.Ingestor`."""
    # Imported here, not with the module: the workers, which import this module for the
    # preparer, never deduplicate, and dedup.py loads datasketch, which loads SciPy.
    from thaidigest.dedup import Deduplicator

    config = config or DEFAULTS
    user_rules = user_rules_text(config)
    checked_rules(config, user_rules)  # a bad rules file fails here, before anything is read
    user_partners = user_partners_text(config)
    checked_partner_table(config, user_partners)  # and a bad partners file
    _rescore(store, config, user_rules)  # and so does a bad model file, before anything is read
    _refind_partners(store, config, user_partners)
    preparer = ArticlePreparer(
        user_rules,
        (config.get("relevance") or {}).get("model"),
        threshold_from_config(config),
        user_partners,
    )
    return Ingestor(
        store,
        preparer=preparer,
        deduplicator=Deduplicator(store),
        clock=clock,
        workers=workers,
        also_write=also_write,
        found_with={
            PARTNERS_KEY: partners_fingerprint(user_partners),
            SCORING_KEY: scoring_fingerprint(config, user_rules),
        },
    )
