"""Exact and near-duplicate detection across sites, incremental and persisted.

Each article gets a fingerprint row (table ``fingerprints``):

``exact_hash``
    BLAKE2b of the *folded* text: headline and body, Thai digits to ASCII,
    case folded, every character dropped that is neither a word character
    nor Thai (spaces, zero-width characters, punctuation). Re-wrapped lines
    and changed punctuation give the same hash.
``minhash``
    little-endian uint32 values: the MinHash signature (datasketch's
    ``affine32`` scheme, :data:`NUM_PERM` permutations) of the character
    5-grams of the first :data:`SHINGLED_CHARS` folded characters, followed
    by the sorted hashes of the distinct numbers in the folded text.

Shingle hashes are computed at once with numpy: a polynomial hash over the
UTF-32 code points, wrapping at 2**64, of which the high 32 bits are kept.
The signature equals that of ``MinHash(NUM_PERM, seed=1, hashfunc=int)``
updated with those hashes, without a Python call per shingle.

Two articles are duplicates when their exact hashes are equal, or when
(1) the MinHash estimate of their 5-gram Jaccard similarity is at least the
threshold, (2) the numbers in their texts mostly agree, (3) the numbers in
their headlines do not contradict each other, and in every case (4) their
publication dates, when both are known, are at most
:data:`MAX_DAYS_APART` days apart. Rules 2-4 keep recurring series apart:
a weekly report repeats last week's wording with new figures
(``รายงานความคืบหน้าประจำสัปดาห์...``: text similarity 0.79-0.91, number
similarity 0.2-0.5), a daily report changes the date in its headline
(``... ประจำวันที่ 20 ตุลาคม`` / ``21 ตุลาคม``: text similarity 0.95), and
an anniversary notice is reposted word for word a year later.

Threshold, chosen on the development set of ``bench/dedup.py`` over the
whole thaigov corpus: 2,000 sampled originals, one perturbed copy of each
(two to four of: re-wrapped, boilerplate lines added, a sentence dropped or
changed, headline tweaked; under another thaigov or an MDES URL), and hard
negatives: 1,000 pairs of consecutive issues of recurring series and 1,000
pairs of same-topic items of different events (7,230 articles)::

    threshold  precision  recall  false merges (series, same topic)
    0.50       0.987      0.997   16, 11
    0.60       0.994      0.995    6,  7
    0.70       0.994      0.986    6,  5
    0.80       0.997      0.928    3,  3

0.6 keeps recall at 0.995 with precision 0.994 (targets 0.95 and 0.98).
The copies missed are mostly short items (under 500 characters) in which
three edits change most of the text.

Clusters: an article joins the cluster of every article it duplicates
(merging them when there are several). Every member's
``articles.duplicate_of`` holds the canonical URL of the cluster's
representative, whose own ``duplicate_of`` is NULL. The representative is
the earliest complete version: a complete extraction (not ``fallback``)
before a fallback one, then the earliest publication date (the first-seen
date when the date is unknown), then the lowest id. An article whose text
changes leaves its cluster (handing the representative's role to the
earliest remaining member) and is matched again.

The index (LSH buckets and exact hashes) lives in memory. It is rebuilt
lazily from the stored fingerprints on first use (no article text is
read), and at the start of each later transaction it picks up the
fingerprints of articles other processes stored meanwhile. Candidates are
always verified against the stored rows, so an index entry gone stale (an
article another process edited) can miss a duplicate, never invent one.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from thaidigest.dates import THAI_DIGITS, arabic_digits
from thaidigest.model import Article
from thaidigest.store import Store, articles, fingerprints

# --- Parameters as data ------------------------------------------------------

SHINGLE_CHARS = 5
SHINGLED_CHARS = 2500  # folded characters shingled per article; the rest is in exact_hash only
NUM_PERM = 64
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"
THRESHOLD = 0.6
# LSH banding favours recall: candidates are verified against the threshold.
LSH_WEIGHTS = (0.2, 0.8)  # false positive, false negative
# Shared numbers over all distinct numbers, below which two texts with
# at least MIN_CHANGED_NUMBERS new numbers on each side are different reports.
MIN_NUMBER_SIMILARITY = 0.6
MIN_CHANGED_NUMBERS = 3
MAX_DAYS_APART = 30
# Multiplier of the polynomial shingle hash: odd, 64-bit, well mixed.
SHINGLE_BASE = np.uint64(0x9E3779B97F4A7C15)
SIGNATURE_DTYPE = np.dtype("<u4")
INCOMPLETE_EXTRACTIONS = ("fallback",)

KEPT_CHARACTER = re.compile(r"[\w\u0e00-\u0e7f]")
NUMBER = re.compile(r"[0-9]+")

_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))
_EMPTY = np.zeros(0, dtype=np.uint32)


# --- Fingerprints (pure) -----------------------------------------------------


def _folding_table() -> np.ndarray:
    """For each BMP code point, its folded code point, or 0 when folding drops it."""
    table = np.zeros(0x10000, dtype=np.uint32)
    for code in range(0x10000):
        char = chr(code)
        if char == "_" or not KEPT_CHARACTER.match(char):
            continue
        folded = char.translate(THAI_DIGITS).casefold()
        table[code] = ord(folded) if len(folded) == 1 else code
    return table


_FOLDING = _folding_table()


def folded_codes(title: str, body: str) -> np.ndarray:
    """Code points of the folded headline and body (see :func:`fold`)."""
    codes = np.frombuffer(f"{title}\n{body}".encode("utf-32-le"), dtype="<u4")
    folded = _FOLDING[np.minimum(codes, 0xFFFF)]
    return folded[folded != 0]


def fold(title: str, body: str) -> str:
    """Headline and body as one string of word characters: what duplicates share.

    Thai digits become ASCII, letters are case folded (one character to one),
    and spaces, zero-width characters, punctuation, symbols and characters
    beyond the Basic Multilingual Plane (emoji) are dropped.
    """
    return folded_codes(title, body).tobytes().decode("utf-32-le")


def shingle_hashes(codes: np.ndarray) -> np.ndarray:
    """32-bit hashes of the 5-grams of folded code points (one for a shorter text)."""
    codes = codes[:SHINGLED_CHARS].astype(np.uint64)
    width = min(SHINGLE_CHARS, len(codes))
    if width == 0:
        return _EMPTY
    count = len(codes) - width + 1
    hashes = codes[:count].copy()
    for offset in range(1, width):
        hashes *= SHINGLE_BASE
        hashes += codes[offset : offset + count]
    return (hashes >> np.uint64(32)).astype(np.uint32)


def _fmix32(values: np.ndarray) -> np.ndarray:
    shift1, multiply1, shift2, multiply2 = _FMIX32
    values = values ^ (values >> shift1)
    values = values * multiply1
    values = values ^ (values >> shift2)
    values = values * multiply2
    return values ^ (values >> shift1)


def minhash_values(hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature of a set of 32-bit hashes, as datasketch's affine32 scheme."""
    if not len(hashes):
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    a, b = _PERMUTATIONS
    permuted = np.multiply.outer(a, _fmix32(hashes))  # one row per permutation
    permuted += b[:, np.newaxis]
    return permuted.min(axis=1)


def number_hashes(folded: str) -> np.ndarray:
    """Sorted distinct CRC-32 hashes of the numbers written in a folded text."""
    numbers = {zlib.crc32(number.encode()) for number in NUMBER.findall(folded)}
    return np.array(sorted(numbers), dtype=np.uint32)


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """What deduplication stores of an article."""

    exact_hash: str
    signature: np.ndarray  # NUM_PERM uint32 MinHash values
    numbers: np.ndarray  # sorted uint32 hashes of the distinct numbers
    shingled: bool  # False for a text too short to have a 5-gram

    def to_bytes(self) -> bytes:
        """The ``fingerprints.minhash`` column: signature then number hashes."""
        return np.concatenate([self.signature, self.numbers]).astype(SIGNATURE_DTYPE).tobytes()


def fingerprint(title: str, body: str) -> Fingerprint:
    """The fingerprint of an article's headline and body."""
    codes = folded_codes(title, body)
    return Fingerprint(
        exact_hash=hashlib.blake2b(codes.tobytes(), digest_size=16).hexdigest(),
        signature=minhash_values(shingle_hashes(codes)),
        numbers=number_hashes(codes.tobytes().decode("utf-32-le")),
        shingled=len(codes) >= SHINGLE_CHARS,
    )


def unpack(blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Signature and number hashes from a ``fingerprints.minhash`` value."""
    values = np.frombuffer(blob, dtype=SIGNATURE_DTYPE).astype(np.uint32)
    return values[:NUM_PERM], values[NUM_PERM:]


def estimated_jaccard(first: np.ndarray, second: np.ndarray) -> float:
    """The MinHash estimate of the Jaccard similarity of two signatures."""
    return float(np.count_nonzero(first == second)) / len(first)


def numbers_agree(first: np.ndarray, second: np.ndarray) -> bool:
    """False when each text has figures the other lacks: a new issue of a report."""
    shared = len(np.intersect1d(first, second, assume_unique=True))
    changed = min(len(first), len(second)) - shared
    if changed < MIN_CHANGED_NUMBERS:
        return True
    return shared / (len(first) + len(second) - shared) >= MIN_NUMBER_SIMILARITY


def headline_numbers(title: str) -> Counter[str]:
    """The numbers written in a headline, with their counts."""
    return Counter(NUMBER.findall(arabic_digits(title)))


def headlines_agree(first: str, second: str) -> bool:
    """False when both headlines carry numbers and neither's contain the other's.

    ``ประกาศ ขสมก. ประจำวันที่ 19 ... COVID-19`` and ``... 20 ... COVID-19``
    disagree; a headline shortened or prefixed by a republisher agrees.
    """
    one, other = headline_numbers(first), headline_numbers(second)
    return not one or not other or not one - other or not other - one


def days_apart(first: str | None, second: str | None) -> int:
    """Days between two ISO dates; 0 when either is unknown."""
    if not first or not second:
        return 0
    return abs((date.fromisoformat(first) - date.fromisoformat(second)).days)


def representative_key(row: Any) -> tuple[bool, str, int]:
    """Sort key of cluster members: the representative sorts first."""
    return (row.extraction in INCOMPLETE_EXTRACTIONS, row.published or row.first_seen[:10], row.id)


# --- The deduplicator (store side) -------------------------------------------

_MEMBER_COLUMNS = (
    articles.c.id,
    articles.c.url,
    articles.c.title,
    articles.c.published,
    articles.c.first_seen,
    articles.c.extraction,
    articles.c.duplicate_of,
)


_INSERT = sqlite_insert(fingerprints)
_UPSERT = _INSERT.on_conflict_do_update(
    index_elements=[fingerprints.c.article_id],
    set_={"exact_hash": _INSERT.excluded.exact_hash, "minhash": _INSERT.excluded.minhash},
)
_STORED_AFTER = (
    select(fingerprints.c.article_id, fingerprints.c.exact_hash, fingerprints.c.minhash)
    .where(fingerprints.c.article_id > bindparam("after"))
    .order_by(fingerprints.c.article_id)
)


def _lsh_minhash(signature: np.ndarray) -> LeanMinHash:
    return LeanMinHash(seed=MINHASH_SEED, hashvalues=signature, scheme=MINHASH_SCHEME)


class Deduplicator:
    """Fingerprints stored articles; keeps ``duplicate_of`` pointing at the representative."""

    def __init__(self, store: Store, threshold: float = THRESHOLD) -> None:
        self.store = store
        self.threshold = threshold
        self.signatures_loaded = 0  # read from the table into the index
        self.reset()

    def reset(self) -> None:
        """Empty the index, to be read again from the table: after a rolled-back transaction."""
        self._lsh = MinHashLSH(threshold=self.threshold, num_perm=NUM_PERM, weights=LSH_WEIGHTS)
        self._signatures: dict[int, np.ndarray] = {}  # what the LSH index holds, to verify
        self._exact_hashes: dict[int, str] = {}
        self._by_exact_hash: dict[str, set[int]] = {}
        self._synced_up_to = 0  # highest article id read from the table
        self._connection: Connection | None = None
        self._unwritten: list[dict[str, Any]] = []  # fingerprint rows for the next flush

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
        at once when the article joins a cluster.
        """
        self._sync(conn)
        if fp is None:
            fp = fingerprint(article.title, article.body)
        if article_id in self._signatures:
            self._forget(article_id)
            self._detach(conn, article_id)
        self._unwritten.append(
            {"article_id": article_id, "exact_hash": fp.exact_hash, "minhash": fp.to_bytes()}
        )
        candidates = set(self._by_exact_hash.get(fp.exact_hash, ()))
        minhash = _lsh_minhash(fp.signature)
        if fp.shingled and not candidates:
            candidates.update(
                key
                for key in self._lsh.query(minhash)
                if estimated_jaccard(fp.signature, self._signatures[key]) >= self.threshold
            )
        self._remember(article_id, minhash, fp.exact_hash)
        if candidates:
            self.flush(conn)
            self._join(conn, article_id, article, fp, candidates)

    def flush(self, conn: Connection) -> None:
        """Write the fingerprints :meth:`assign` recorded: call it before the commit."""
        if self._unwritten:
            conn.execute(_UPSERT, self._unwritten)
            self._unwritten = []

    # --- the index ---

    def _remember(self, article_id: int, minhash: LeanMinHash, exact_hash: str) -> None:
        self._lsh.insert(article_id, minhash, check_duplication=False)
        self._signatures[article_id] = minhash.hashvalues
        self._exact_hashes[article_id] = exact_hash
        self._by_exact_hash.setdefault(exact_hash, set()).add(article_id)

    def _forget(self, article_id: int) -> None:
        self._lsh.remove(article_id)
        del self._signatures[article_id]
        exact_hash = self._exact_hashes.pop(article_id)
        self._by_exact_hash[exact_hash].discard(article_id)
        if not self._by_exact_hash[exact_hash]:
            del self._by_exact_hash[exact_hash]

    def _sync(self, conn: Connection) -> None:
        """Index the stored signatures not yet indexed: all at first, then other writers'."""
        if conn is self._connection:
            return
        self._connection = conn
        stored = conn.execute(_STORED_AFTER, {"after": self._synced_up_to})
        for article_id, exact_hash, blob in stored:
            self._synced_up_to = article_id
            if article_id not in self._signatures:
                self._remember(article_id, _lsh_minhash(unpack(blob)[0]), exact_hash)
                self.signatures_loaded += 1

    # --- clusters ---

    def _join(
        self,
        conn: Connection,
        article_id: int,
        article: Article,
        fp: Fingerprint,
        candidates: set[int],
    ) -> None:
        rows = conn.execute(
            select(*_MEMBER_COLUMNS, fingerprints.c.exact_hash, fingerprints.c.minhash)
            .join(fingerprints, fingerprints.c.article_id == articles.c.id)
            .where(articles.c.id.in_([*candidates, article_id]))
        ).all()
        new = next(row for row in rows if row.id == article_id)
        matches = [row for row in rows if row.id != article_id and self._same(new, fp, row)]
        if not matches:
            return
        representatives = {row.url: row for row in matches if row.duplicate_of is None}
        missing = {row.duplicate_of for row in matches} - {None, *representatives}
        if missing:
            for row in conn.execute(select(*_MEMBER_COLUMNS).where(articles.c.url.in_(missing))):
                representatives[row.url] = row
        first = min([new, *representatives.values()], key=representative_key)
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

    def _same(self, new: Any, fp: Fingerprint, other: Any) -> bool:
        """True when ``other`` (a stored row with its fingerprint) duplicates the new article."""
        if days_apart(new.published, other.published) > MAX_DAYS_APART:
            return False
        if other.exact_hash == fp.exact_hash:
            return True
        signature, numbers = unpack(other.minhash)
        return (
            estimated_jaccard(fp.signature, signature) >= self.threshold
            and numbers_agree(fp.numbers, numbers)
            and headlines_agree(new.title, other.title)
        )

    def _detach(self, conn: Connection, article_id: int) -> None:
        """Take a changed article out of its cluster, handing over its representative's role."""
        row = conn.execute(select(*_MEMBER_COLUMNS).where(articles.c.id == article_id)).one()
        if row.duplicate_of is not None:
            conn.execute(
                update(articles).where(articles.c.id == article_id).values(duplicate_of=None)
            )
            return
        members = conn.execute(
            select(*_MEMBER_COLUMNS).where(articles.c.duplicate_of == row.url)
        ).all()
        if not members:
            return
        first = min(members, key=representative_key)
        conn.execute(
            update(articles)
            .where(articles.c.duplicate_of == row.url)
            .values(duplicate_of=first.url)
        )
        conn.execute(update(articles).where(articles.c.id == first.id).values(duplicate_of=None))
