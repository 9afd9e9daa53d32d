"""Exact and near-duplicate clusters, incremental and kept in the database.

The fingerprints and the rules that make two articles one story are pure
(:mod:`thaidigest.fingerprint`); this module keeps the fingerprint rows and
the clusters in the store, and the in-memory index that finds candidates.

Candidates come from three places, and are always verified against the
stored rows (rule 1 against the stored signature, rule 1b against the stored
text, rule 2b against the days and times the stored text names), so an index
entry gone stale (an article another process edited) can miss a duplicate,
never invent one:

- equal exact hashes, which spare the two searches below when the rules allow
  one of them; when they allow none (a word-for-word repost a year after its
  original), the searches run, else which copy of the repost's day was
  stored first would decide whether the two are one story;
- LSH over the signatures for rule 1 (:class:`BandIndex`: datasketch's
  optimal bands and rows for the threshold, in plain dicts);
- the day window (:class:`DayWindow`): every article dated within
  :data:`WINDOW_DAYS` days is compared signature to signature, in one
  vectorised comparison of about a hundred rows. Those at least
  :data:`THRESHOLD` similar are rule-1 candidates (LSH finds a pair at 0.6
  only 86% of the time); those at least :data:`CANDIDATE_SIMILARITY`
  similar have their containment estimated from the sketches, and those
  within :data:`SKETCH_MARGIN` of :data:`CONTAINMENT` are computed exactly.

Why a day window, and not datasketch's ``MinHashLSHEnsemble``, a lead
fingerprint or headline + date as the key: the ensemble is built once from
all its entries and takes no insertion, while this index is loaded from the
table and grows with every article; a fingerprint of the lead breaks when a
republisher puts a line before it or the paragraph dropped is the second;
an exact headline key breaks on a label or a cut. A republication is dated
within days of its original, whatever else it changes, and a day holds some
40 articles. Articles without a publication date are matched by rules 0 and
1 only (their first-seen day would put a whole import in one window).

Clusters: an article joins the cluster of every article it duplicates
(merging them when there are several, and when rules 2-4 allow). Every
member's ``articles.duplicate_of`` holds the canonical URL of the cluster's
representative, whose own ``duplicate_of`` is NULL. The representative is
the earliest complete version: a complete extraction (not ``fallback``)
before a fallback one, then the earliest publication date (the first-seen
date when the date is unknown), then, on the same day, the longer text as
first seen, its first version's (a condensed copy gives way to the full
release), then the canonical URL that sorts first, so that which copy was
stored first never decides; an article a database made before stored under a
former form of its address (``details/%E0%B9%98...``) and since under its
canonical one is represented by the canonical row, whichever of the two ranks
first (:func:`~thaidigest.fingerprint.representative`). The first version, not the current text: the
story is shown as its representative (whose URL names the feed entry of a
story not yet published; a published one keeps its entry,
:func:`digest.feeds.story_id`), and a sentence added to a copy must not make
that copy the story's page and text. An
article whose text changes (a new version) leaves its cluster, handing the
representative's role to the earliest remaining member, and is matched again
in the same transaction, by the same rules between it and every member: its
former cluster's members are rule-1 candidates whatever LSH finds (rule 1b's
are dated within the day window, which compares them anyway), so an edit
that keeps it the same story keeps it in, and one that makes it another
story (other figures, a contradicting headline) leaves it on its own or in
another cluster; a representative that stays takes its role back (its
first version ranks it as before, unless the edit moved its date). Only a
changed article is judged again: a new one costs nothing more.

The index (exact hashes, LSH bands, the day window) lives in memory. It is
rebuilt lazily from the stored fingerprints and publication dates on first
use (no article text is read), and at the start of each later transaction
it picks up the fingerprints of articles other processes stored meanwhile.
The sketches of the last :data:`SKETCH_CACHE_SIZE` articles indexed are
kept; another candidate's is made from its stored text when it is needed.
What rule 2b reads of a text, the days and times of day it names, is read
when two members of a cluster to be merged are of the same day and agree
otherwise, and kept for :data:`MOMENTS_CACHE_SIZE` articles, each with the
content hash of the text it was read from (``articles.content_hash``, of the text
as stored, punctuation and all), so that a large cluster's members are not read
again at each merge (an import of 1,700 near copies of six articles took four
times as long), and a text edited since, here or in another process, is read
again: not the exact hash, which a text with a dot or a colon added keeps, while
``18 ต.ค`` names no day and ``18 ต.ค.`` names one.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from datetime import date
from typing import Any, Generic, NamedTuple, TypeVar

import numpy as np
from datasketch import MinHashLSH
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from thaidigest.fingerprint import (
    CANDIDATE_SIMILARITY,
    CONTAINMENT,
    LSH_WEIGHTS,
    MOMENTS_CACHE_SIZE,
    NUM_PERM,
    SIGNATURE_DTYPE,
    SKETCH_CACHE_SIZE,
    THRESHOLD,
    WINDOW_DAYS,
    Comparison,
    Fingerprint,
    Marks,
    Match,
    Sketch,
    agreements,
    compatible,
    dated_apart,
    fingerprint,
    folded_codes,
    least_agreements,
    may_contain,
    moments_agree,
    moments_extend_one,
    named_moments,
    representative,
    shingle_hashes,
    sketch,
    unpack,
)
from thaidigest.model import Article
from thaidigest.store import Store, article_versions, articles, fingerprints

# --- The deduplicator (store side) -------------------------------------------

_CANDIDATE_COLUMNS = (
    articles.c.id,
    articles.c.url,
    articles.c.title,
    articles.c.published,
    articles.c.duplicate_of,
)
_FIRST_VERSION = article_versions.alias("first_version")
# The length of the text as first seen, which ranks the copies of a day (see the module's
# docstring). A superseded version holds its text; the current one's is the article's, as
# is that of an article whose first version is not written yet (new in this batch).
_FIRST_LENGTH = func.coalesce(
    select(
        func.coalesce(func.length(_FIRST_VERSION.c.title), func.length(articles.c.title))
        + func.coalesce(func.length(_FIRST_VERSION.c.body), func.length(articles.c.body))
    )
    .where(_FIRST_VERSION.c.article_id == articles.c.id)
    .order_by(_FIRST_VERSION.c.version)
    .limit(1)
    .scalar_subquery(),
    func.length(articles.c.title) + func.length(articles.c.body),
)
_MEMBER_COLUMNS = (
    *_CANDIDATE_COLUMNS,
    articles.c.first_seen,
    articles.c.extraction,
    _FIRST_LENGTH.label("first_length"),
)
_IDS = bindparam("ids", expanding=True)
_SIMILAR = (
    select(*_CANDIDATE_COLUMNS, fingerprints.c.exact_hash, fingerprints.c.minhash)
    .join(fingerprints, fingerprints.c.article_id == articles.c.id)
    .where(articles.c.id.in_(_IDS))
)
_CONTAINED = select(*_CANDIDATE_COLUMNS, articles.c.body).where(articles.c.id.in_(_IDS))
_CLUSTERS = (
    select(*_MEMBER_COLUMNS, articles.c.content_hash, fingerprints.c.minhash)
    .join(fingerprints, fingerprints.c.article_id == articles.c.id)
    .where(
        or_(
            articles.c.url.in_(bindparam("urls", expanding=True)),
            articles.c.duplicate_of.in_(bindparam("representatives", expanding=True)),
            articles.c.id == bindparam("article_id"),  # the article itself, to compare
        )
    )
)
_INSERT = sqlite_insert(fingerprints)
_UPSERT = _INSERT.on_conflict_do_update(
    index_elements=[fingerprints.c.article_id],
    set_={"exact_hash": _INSERT.excluded.exact_hash, "minhash": _INSERT.excluded.minhash},
)
_STORED_AFTER = (
    select(
        fingerprints.c.article_id,
        fingerprints.c.exact_hash,
        fingerprints.c.minhash,
        articles.c.published,
    )
    .join(articles, articles.c.id == fingerprints.c.article_id)
    .where(fingerprints.c.article_id > bindparam("after"))
    .order_by(fingerprints.c.article_id)
)


K = TypeVar("K", bytes, str)


class IdBuckets(Generic[K]):
    """Article ids by key; a key's only id is held bare, not in a list.

    Most keys (band keys, exact hashes) have one article. An int is not a
    container the garbage collector tracks, so a table of them is never
    traversed, while one list per key made every full collection of a large
    import walk a million of them.
    """

    def __init__(self) -> None:
        self._ids: dict[K, int | list[int]] = {}

    def add(self, key: K, article_id: int) -> None:
        held = self._ids.get(key)
        if held is None:
            self._ids[key] = article_id
        elif isinstance(held, int):
            self._ids[key] = [held, article_id]
        else:
            held.append(article_id)

    def discard(self, key: K, article_id: int) -> None:
        held = self._ids.get(key)
        if held == article_id:
            del self._ids[key]
        elif isinstance(held, list) and article_id in held:
            held.remove(article_id)
            if len(held) == 1:
                self._ids[key] = held[0]

    def collect(self, key: K, into: set[int]) -> None:
        """Add the ids under ``key`` to ``into``."""
        held = self._ids.get(key)
        if isinstance(held, int):
            into.add(held)
        elif held is not None:
            into.update(held)


class BandIndex:
    """Locality-sensitive hashing of MinHash signatures: one dict per band of rows.

    The bands and rows are datasketch's optimum for the threshold and
    weights. A band's key is its bytes, cut from the signature's once for
    a query and an insertion: a few microseconds where datasketch's
    ``MinHashLSH`` takes some 90, in its storage layer.
    """

    def __init__(self, threshold: float) -> None:
        banding = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, weights=LSH_WEIGHTS)
        self.bands, self.rows = banding.b, banding.r
        self._tables = [IdBuckets[bytes]() for _ in range(self.bands)]

    def keys(self, signature: np.ndarray) -> list[bytes]:
        """The signature's key in each band."""
        raw = signature[: self.bands * self.rows].astype(SIGNATURE_DTYPE).tobytes()
        width = self.rows * SIGNATURE_DTYPE.itemsize
        return [raw[start : start + width] for start in range(0, len(raw), width)]

    def insert(self, article_id: int, keys: list[bytes]) -> None:
        for table, key in zip(self._tables, keys, strict=True):
            table.add(key, article_id)

    def remove(self, article_id: int, keys: list[bytes]) -> None:
        for table, key in zip(self._tables, keys, strict=True):
            table.discard(key, article_id)

    def query(self, keys: list[bytes]) -> set[int]:
        """The ids that share a band key with ``keys``."""
        found: set[int] = set()
        for table, key in zip(self._tables, keys, strict=True):
            table.collect(key, found)
        return found


class Signatures:
    """The signatures the index holds, rows of one array, by article id."""

    def __init__(self) -> None:
        self._rows = np.zeros((1024, NUM_PERM), dtype=np.uint32)
        self._row_of: dict[int, int] = {}
        self._used = 0  # rows of a changed article are not reused

    def __contains__(self, article_id: int) -> bool:
        return article_id in self._row_of

    def add(self, article_id: int, signature: np.ndarray) -> None:
        if self._used == len(self._rows):
            self._rows = np.resize(self._rows, (2 * self._used, NUM_PERM))
        self._rows[self._used] = signature
        self._row_of[article_id] = self._used
        self._used += 1

    def pop(self, article_id: int) -> np.ndarray:
        return self._rows[self._row_of.pop(article_id)]

    def of(self, article_ids: list[int]) -> np.ndarray:
        """The signatures of ``article_ids``, one row each."""
        return self._rows[[self._row_of[key] for key in article_ids]]


class _Day:
    """The ids and signatures of the articles filed under one day."""

    def __init__(self) -> None:
        self.ids = np.zeros(8, dtype=np.int64)
        self.signatures = np.zeros((8, NUM_PERM), dtype=np.uint32)
        self.size = 0

    def add(self, article_id: int, signature: np.ndarray) -> None:
        if self.size == len(self.ids):
            self.ids = np.resize(self.ids, 2 * self.size)
            self.signatures = np.resize(self.signatures, (2 * self.size, NUM_PERM))
        self.ids[self.size] = article_id
        self.signatures[self.size] = signature
        self.size += 1

    def remove(self, article_id: int) -> None:
        (i,) = np.flatnonzero(self.ids[: self.size] == article_id)
        last = self.size - 1
        self.ids[i], self.signatures[i] = self.ids[last], self.signatures[last]
        self.size = last


class DayWindow:
    """Signatures filed by day: an article is compared with every one dated near it.

    LSH finds a pair reliably only well above the Jaccard threshold, and a
    condensed copy sits below it. Republications are dated within days of
    their original, and a day holds some 40 articles, so comparing with
    every signature of the nearby days takes one vectorised comparison.
    """

    def __init__(self) -> None:
        self._days: dict[int, _Day] = {}
        self._day_of: dict[int, int] = {}

    def add(self, article_id: int, day: int, signature: np.ndarray) -> None:
        self._days.setdefault(day, _Day()).add(article_id, signature)
        self._day_of[article_id] = day

    def remove(self, article_id: int) -> None:
        if article_id in self._day_of:
            self._days[self._day_of.pop(article_id)].remove(article_id)

    def near(self, day: int, signature: np.ndarray, least: int) -> list[tuple[int, int]]:
        """The ids filed within WINDOW_DAYS of ``day`` that share at least ``least`` values
        with ``signature``, each with how many (:func:`agreements`), in filing order."""
        found = [
            self._days[near]
            for near in range(day - WINDOW_DAYS, day + WINDOW_DAYS + 1)
            if near in self._days
        ]
        ids = np.concatenate([block.ids[: block.size] for block in found] or [_NO_IDS])
        signatures = np.concatenate(
            [block.signatures[: block.size] for block in found] or [_NO_SIGNATURES]
        )
        agreeing = agreements(signatures, signature)
        # Only the few rows at ``least`` or more become Python values: a handful of numpy
        # calls on the window, and none on the candidates.
        (rows,) = np.nonzero(agreeing >= least)
        return list(zip(ids[rows].tolist(), agreeing[rows].tolist(), strict=True))


_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_SIGNATURES = np.zeros((0, NUM_PERM), dtype=np.uint32)


Key = TypeVar("Key")
Value = TypeVar("Value")


class Recent(Generic[Key, Value]):
    """Values of recently used keys, at most ``size`` of them; the oldest make way."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Key, Value] = OrderedDict()

    def __contains__(self, key: Key) -> bool:
        return key in self._values

    def __getitem__(self, key: Key) -> Value:
        self._values.move_to_end(key)
        return self._values[key]

    def put(self, key: Key, value: Value) -> None:
        self._values[key] = value
        self._values.move_to_end(key)
        if len(self._values) > self.size:
            self._values.popitem(last=False)

    def discard(self, key: Key) -> None:
        self._values.pop(key, None)


class Deduplicator:
    """Fingerprints stored articles; keeps ``duplicate_of`` pointing at the representative."""

    def __init__(
        self, store: Store, threshold: float = THRESHOLD, containment: float = CONTAINMENT
    ) -> None:
        self.store = store
        self.threshold = threshold
        self.containment = containment
        self.signatures_loaded = 0  # read from the table into the index
        self.matched: Counter[str] = Counter()  # clusters joined, by rule (RULES)
        self.reset()

    def reset(self) -> None:
        """Empty the index, to be read again from the table: after a rolled-back transaction."""
        self._lsh = BandIndex(self.threshold)
        self._signatures = Signatures()  # what the index holds, to verify
        self._window = DayWindow()
        self._sketches = Recent[int, Sketch](SKETCH_CACHE_SIZE)  # of recently indexed articles
        self._exact_hashes: dict[int, str] = {}
        self._by_exact_hash = IdBuckets[str]()
        self._synced_up_to = 0  # highest article id read from the table
        self._connection: Connection | None = None
        self._texts: dict[int, tuple[str, str]] = {}  # this transaction's, read or new
        # What rule 2b read of recent texts (named_moments), by article id, with the content
        # hash of the text read: an edit in another process changes the hash, one here
        # forgets the entry.
        self._moments = Recent[int, tuple[str, frozenset[str]]](MOMENTS_CACHE_SIZE)
        self._unwritten: dict[int, dict[str, Any]] = {}  # fingerprint rows for the next flush

    def assign(
        self,
        conn: Connection,
        article_id: int,
        article: Article,
        fp: Fingerprint | None = None,
    ) -> None:
        """Record the article's fingerprint and set ``duplicate_of`` in its cluster.

        ``fp``, when given, is ``fingerprint(article.title, article.body)``
        computed beforehand (in a worker process). The fingerprint row is
        written by the next :meth:`flush` (in one statement for a batch), or
        at once when it is needed to verify a match.
        """
        self._sync(conn)
        if fp is None:
            fp = fingerprint(article.title, article.body)
        former: list[int] = []  # the other members of the cluster a changed article was in
        if article_id in self._signatures:
            self._forget(article_id)
            former = self._detach(conn, article_id)
        self._unwritten[article_id] = {
            "article_id": article_id,
            "exact_hash": fp.exact_hash,
            "minhash": fp.to_bytes(),
        }
        day = article.published.toordinal() if article.published else None
        exact: set[int] = set()
        self._by_exact_hash.collect(fp.exact_hash, exact)
        keys = self._lsh.keys(fp.signature)
        self._remember(article_id, fp, day, keys)
        self._sketches.put(article_id, fp.sketch)
        # An exact copy the rules allow spares the searches. The former cluster's members
        # are judged again whatever the index finds: LSH misses a fair share of pairs near
        # the threshold, and a typo fixed must not split a story.
        if exact and self._join(conn, article_id, article, fp, exact | set(former), set()):
            return
        # None the rules allow (a word-for-word repost a year later is refused its
        # original): the searches run, as for a text never seen (see the module's docstring).
        similar, overlapping = self._nearby(article_id, fp, day, keys)
        similar.update(former)
        if similar or overlapping:
            self._join(conn, article_id, article, fp, similar, overlapping)

    def _nearby(
        self, article_id: int, fp: Fingerprint, day: int | None, keys: list[bytes]
    ) -> tuple[set[int], set[int]]:
        """The rule-1 candidates (LSH, the day window) and the rule-1b ones (the day window)."""
        similar: set[int] = set()
        overlapping: set[int] = set()
        if not fp.shingled:
            return similar, overlapping
        # Estimates compared as counts of shared values (least_agreements).
        least_similar = least_agreements(self.threshold)
        banded = list(self._lsh.query(keys) - {article_id})
        if banded:
            agreeing = agreements(self._signatures.of(banded), fp.signature).tolist()
            similar.update(
                key for key, count in zip(banded, agreeing, strict=True) if count >= least_similar
            )
        if day is not None:
            least = min(least_similar, least_agreements(CANDIDATE_SIMILARITY))
            for key, count in self._window.near(day, fp.signature, least):
                if key == article_id:
                    continue
                if count >= least_similar:
                    similar.add(key)
                elif key not in self._sketches or may_contain(  # else made from the stored text
                    fp.sketch, self._sketches[key], self.containment
                ):
                    overlapping.add(key)
        return similar, overlapping

    def flush(self, conn: Connection) -> None:
        """Write the fingerprints :meth:`assign` recorded: call it before the commit."""
        if self._unwritten:
            conn.execute(_UPSERT, list(self._unwritten.values()))
            # This transaction holds the write lock: no other writer's row can come
            # between the last one read and these, so the next sync need not read them.
            self._synced_up_to = max(self._synced_up_to, *self._unwritten)
            self._unwritten = {}

    # --- the index ---

    def _remember(
        self, article_id: int, fp: Any, day: int | None, keys: list[bytes] | None = None
    ) -> None:
        """Index a fingerprint (or a stored one: ``signature`` and ``exact_hash`` suffice)."""
        self._lsh.insert(article_id, keys or self._lsh.keys(fp.signature))
        self._signatures.add(article_id, fp.signature)
        if day is not None:
            self._window.add(article_id, day, fp.signature)
        self._exact_hashes[article_id] = fp.exact_hash
        self._by_exact_hash.add(fp.exact_hash, article_id)

    def _forget(self, article_id: int) -> None:
        self._lsh.remove(article_id, self._lsh.keys(self._signatures.pop(article_id)))
        self._window.remove(article_id)
        self._sketches.discard(article_id)
        self._moments.discard(article_id)
        self._by_exact_hash.discard(self._exact_hashes.pop(article_id), article_id)
        self._texts.pop(article_id, None)

    def _sync(self, conn: Connection) -> None:
        """Index the stored signatures not yet indexed: all at first, then other writers'."""
        if conn is self._connection:
            return
        self._connection = conn
        self._texts = {}  # another process may have changed them since
        stored = conn.execute(_STORED_AFTER, {"after": self._synced_up_to})
        for article_id, exact_hash, blob, published in stored:
            self._synced_up_to = article_id
            if article_id not in self._signatures:
                day = date.fromisoformat(published).toordinal() if published else None
                self._remember(article_id, _Stored(unpack(blob)[0], exact_hash), day)
                self.signatures_loaded += 1

    # --- clusters ---

    def _join(
        self,
        conn: Connection,
        article_id: int,
        article: Article,
        fp: Fingerprint,
        similar: set[int],
        overlapping: set[int],
    ) -> bool:
        """Join the clusters of the candidates that duplicate the article; whether it joined one.

        ``similar`` candidates (and exact copies) are verified against their
        stored fingerprints, ``overlapping`` ones against their stored texts.
        Rules 2-4 hold between every two members of the cluster that results,
        not only between the article and the candidate it duplicates: a short
        item contained in several issues of a report joins one of them at
        most, and never chains them into one cluster. Clusters are taken
        strongest match first.
        """
        comparison = Comparison(article, fp, self.threshold, self.containment)
        self._texts[article_id] = (article.title, article.body)
        matches: dict[str, Match] = {}  # the best match in each cluster, by representative
        if similar:
            if not similar.isdisjoint(self._unwritten):
                self.flush(conn)
            for row in conn.execute(_SIMILAR, {"ids": list(similar)}):
                _keep_best(matches, row, comparison.similar(row))
        if overlapping:
            # A candidate whose sketch is not cached has its row read once: the
            # text makes the sketch, and the row is compared if the sketch says so.
            read: dict[int, Any] = {}
            unknown = [key for key in overlapping if key not in self._sketches]
            if unknown:
                for row in conn.execute(_CONTAINED, {"ids": unknown}):
                    read[row.id] = row
                    self._sketches.put(
                        row.id, sketch(shingle_hashes(folded_codes(row.title, row.body)))
                    )
            likely = [
                key
                for key in overlapping
                if key in self._sketches
                and may_contain(fp.sketch, self._sketches[key], self.containment)
            ]
            unread = [key for key in likely if key not in read]
            rows = [read[key] for key in likely if key in read]
            if unread:
                rows += conn.execute(_CONTAINED, {"ids": unread}).all()
            self._texts.update((row.id, (row.title, row.body)) for row in rows)
            for row in sorted(rows, key=lambda row: row.id):  # in id order, as one query gave them
                _keep_best(matches, row, comparison.contained(row))
        return bool(matches) and self._merge(conn, article_id, comparison.marks, matches)

    def _merge(
        self, conn: Connection, article_id: int, marks: Marks, matches: dict[str, Match]
    ) -> bool:
        """Merge the article and the matched clusters that agree with it and each other;
        whether any did."""
        self.flush(conn)
        members: dict[str, list[_Member]] = {cluster: [] for cluster in matches}
        rows: dict[str, list[Any]] = {cluster: [] for cluster in matches}
        representatives = {}
        clusters = list(matches)
        parameters = {"urls": clusters, "representatives": clusters, "article_id": article_id}
        for row in conn.execute(_CLUSTERS, parameters):
            if row.id == article_id:
                new = row
                continue
            members[row.duplicate_of or row.url].append(
                _Member(row.id, row.content_hash, Marks.of_row(row))
            )
            rows[row.duplicate_of or row.url].append(row)
            if row.duplicate_of is None:
                representatives[row.url] = row
        joined = [_Member(article_id, new.content_hash, marks)]
        joined_rows = [new]
        for cluster in sorted(matches, key=matches.__getitem__):
            together = [*members[cluster], *joined]
            if all(
                self._agree(conn, one, other, together)
                for one in members[cluster]
                for other in joined
            ):
                joined += members[cluster]
                joined_rows += rows[cluster]
                self.matched[matches[cluster].rule] += 1
            else:
                representatives.pop(cluster, None)
        if not representatives:
            return False
        # The canonical row of a representative stored under a former form of its address
        # takes its place from among every member: it may be that row's copy.
        first = representative(joined_rows, [new, *representatives.values()])
        for row in representatives.values():
            if row.id != first.id:
                conn.execute(
                    update(articles)
                    .where(articles.c.duplicate_of == row.url)
                    .values(duplicate_of=first.url)
                )
                conn.execute(
                    update(articles).where(articles.c.id == row.id).values(duplicate_of=first.url)
                )
        if first.id != article_id:
            conn.execute(
                update(articles).where(articles.c.id == article_id).values(duplicate_of=first.url)
            )
        if first.duplicate_of is not None:  # a copy until now
            conn.execute(
                update(articles).where(articles.c.id == first.id).values(duplicate_of=None)
            )
        return True

    def _agree(
        self, conn: Connection, one: _Member, other: _Member, together: list[_Member]
    ) -> bool:
        """Rules 2-4 between two articles and, published the same day, rule 2b, which two
        copies of one report in ``together`` (the cluster the merge would make) each adding a
        moment of its own pass (:func:`moments_extend_one`)."""
        if not compatible(one.marks, other.marks):
            return False
        if dated_apart(one.marks.published, other.marks.published):
            return True
        first, second = self._moments_of(conn, one), self._moments_of(conn, other)
        return moments_agree(first, second) or moments_extend_one(
            first, second, (self._moments_of(conn, member) for member in together)
        )

    def _moments_of(self, conn: Connection, member: _Member) -> frozenset[str]:
        """The days and times of day an article's text names: read once, not once a merge."""
        if member.id in self._moments:
            content_hash, moments = self._moments[member.id]
            if content_hash == member.content_hash:
                return moments
        text = self._texts.get(member.id)
        if text is None:
            row = conn.execute(_CONTAINED, {"ids": [member.id]}).one()
            text = (row.title, row.body)
        moments = named_moments(*text)
        self._moments.put(member.id, (member.content_hash, moments))
        return moments

    def _detach(self, conn: Connection, article_id: int) -> list[int]:
        """Take a changed article out of its cluster, handing over its representative's role;
        the ids of the cluster's other members."""
        row = conn.execute(select(*_MEMBER_COLUMNS).where(articles.c.id == article_id)).one()
        if row.duplicate_of is not None:
            conn.execute(
                update(articles).where(articles.c.id == article_id).values(duplicate_of=None)
            )
            others = conn.execute(
                select(articles.c.id).where(
                    or_(
                        articles.c.url == row.duplicate_of,
                        articles.c.duplicate_of == row.duplicate_of,
                    )
                )
            )
            return list(others.scalars())
        members = conn.execute(
            select(*_MEMBER_COLUMNS).where(articles.c.duplicate_of == row.url)
        ).all()
        if not members:
            return []
        first = representative(members)
        conn.execute(
            update(articles)
            .where(articles.c.duplicate_of == row.url)
            .values(duplicate_of=first.url)
        )
        conn.execute(update(articles).where(articles.c.id == first.id).values(duplicate_of=None))
        return [member.id for member in members]


class _Member(NamedTuple):
    """A member of a cluster, as the merge compares it."""

    id: int
    content_hash: str  # of its text as stored: what rule 2b read of it is kept with it
    marks: Marks


class _Stored(NamedTuple):
    """What the index needs of a stored fingerprint."""

    signature: np.ndarray
    exact_hash: str


def _keep_best(matches: dict[str, Match], row: Any, match: Match | None) -> None:
    """Record ``match`` for the row's cluster when it is the cluster's best so far."""
    cluster = row.duplicate_of or row.url
    if match is not None and (cluster not in matches or match < matches[cluster]):
        matches[cluster] = match
