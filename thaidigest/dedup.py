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
updated with those hashes, without a Python call per shingle. With the
fingerprint, in the same pure stage, comes a *sketch* of the whole text:
its :data:`SKETCH_SIZE` smallest distinct (mixed) 5-gram hashes and how many
5-grams it has. The sketch is kept in memory, not stored.

Two articles are the same story when their exact hashes are equal, or when

1. (*similar*) the MinHash estimate of their 5-gram Jaccard similarity is
   at least :data:`THRESHOLD`, or
1b. (*contained*) they are published at most :data:`WINDOW_DAYS` days
   apart, at least :data:`CONTAINMENT` of the shorter text's distinct
   5-grams are in the longer one (computed exactly on the stored texts),
   the shorter text has at least :data:`MIN_CONTAINED_SHINGLES` 5-grams,
   and one headline is the other give or take a label before it, a cut end
   or one character (:func:`headlines_overlap`): a condensed republication,
   the lead kept and paragraphs dropped, whose Jaccard similarity with its
   original is only about the share of it that is left;

and, in every case, (2) the numbers in their texts mostly agree, (3) the
numbers in their headlines do not contradict each other and (4) their
publication dates, when both are known, are at most :data:`MAX_DAYS_APART`
days apart. Rules 2-4 keep recurring series apart: a weekly report repeats
last week's wording with new figures (``รายงานความคืบหน้าประจำสัปดาห์...``:
text similarity 0.79-0.91, number similarity 0.2-0.5), a daily report
changes the date in its headline (``... ประจำวันที่ 20 ตุลาคม`` /
``21 ตุลาคม``: text similarity 0.95), and an anniversary notice is reposted
word for word a year later. They hold between every two members of a
cluster, not only the pair that matched: a short or figure-less item that
duplicates two issues of a report joins one of them, and never chains them.

Candidates come from three places, and are always verified against the
stored rows (rule 1 against the stored signature, rule 1b against the stored
text), so an index entry gone stale (an article another process edited) can
miss a duplicate, never invent one:

- equal exact hashes;
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

Thresholds, chosen on the tuning part of ``bench/dedup.py`` (the corpus
split by publication day; 1,000 perturbed copies, 1,000 condensed copies,
700 series pairs, 700 same-topic pairs and 490 same-event pairs, 6,765
articles)::

    jaccard  containment  precision  recall  found: perturbed, condensed; false: series
    0.50     0.75         0.987      0.998          996,      999;         9
    0.60     0.70         0.991      0.998          996,     1000;         7
    0.60     0.75         0.991      0.998          996,     1000;         6  <- defaults
    0.60     0.80         0.991      0.998          995,     1000;         6
    0.60     0.85         0.991      0.997          995,      998;         6
    0.60     0.90         0.991      0.991          995,      986;         6
    0.70     0.75         0.992      0.995          992,      997;         5

The Jaccard threshold stays at 0.6: 0.5 adds series merges, 0.7 loses
perturbed copies. A condensed copy holds 0.95-1.0 of its 5-grams in the
original; each line a republisher adds to it (a label, a link) takes a few
points off a short one. 0.75 is the lowest containment that adds no false
merge on the tuning part (0.70 merges two issues of a series); the
headline rule, not the containment, is what keeps apart two releases of one
event (a storm warning and its upgrade: containment 0.82, other headlines).
On the held-out part (the other days, another seed, 6,740 articles):
precision 0.992, recall 0.997 (perturbed 0.995, condensed 0.999). Rule 1b
adds two false merges on the tuning part and none on the held-out part (a
summary of a statement, held in the statement, which the same-event
generator takes for another release). The rest are rule 1's: pairs the
generators take for two stories that are one (the same text reposted days
later under another headline: about half on the tuning part), and releases
of one template filled in for another province, school or ambassador (most
on the held-out part).

On the whole corpus, rule 1b joins 68 pairs that rule 1 misses. Read one by
one, most are a release and a shorter or longer version of it (a ministry's
and the government's, a teaser and the full text); a few are different
stories: one donation handover and the next, under the same headline a day
or two later, or two ministers at one meeting. A copy that keeps less than
about a quarter of its original (estimated Jaccard under
:data:`CANDIDATE_SIMILARITY`) is not compared by containment at all.

The other parameters: :data:`CANDIDATE_SIMILARITY` 0.25: a text held whole
in one 2.5 times its length has a Jaccard similarity of 0.4, and 0.25 leaves
2.5 standard deviations of the 64-permutation estimate. :data:`SKETCH_SIZE`
256 and :data:`SKETCH_MARGIN` 0.1: the shorter text's sample then holds
256 times the ratio of the lengths (100 at 0.4), whose estimate of a
containment near the threshold is good to about 0.04, and some 40 articles
in 1,000 have one of their candidates computed exactly.
:data:`WINDOW_DAYS` 3: of the corpus pairs rule 1b matches, 27 are published
the same day, 20 one day apart, 15 two and 10 three; a 7-day window joins
28 more (mostly the government's re-publication of a ministry's release,
4-7 days later, and a few more issues of a series) for twice the comparisons.

Clusters: an article joins the cluster of every article it duplicates
(merging them when there are several, and when rules 2-4 allow). Every
member's ``articles.duplicate_of`` holds the canonical URL of the cluster's
representative, whose own ``duplicate_of`` is NULL. The representative is
the earliest complete version: a complete extraction (not ``fallback``)
before a fallback one, then the earliest publication date (the first-seen
date when the date is unknown), then, on the same day, the longer text (a
condensed copy gives way to the full release), then the lowest id. An
article whose text changes leaves its cluster (handing the representative's
role to the earliest remaining member) and is matched again.

The index (exact hashes, LSH bands, the day window) lives in memory. It is
rebuilt lazily from the stored fingerprints and publication dates on first
use (no article text is read), and at the start of each later transaction
it picks up the fingerprints of articles other processes stored meanwhile.
The sketches of the last :data:`SKETCH_CACHE_SIZE` articles indexed are
kept; another candidate's is made from its stored text when it is needed.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import numpy as np
from datasketch import MinHash, MinHashLSH
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from thaidigest.dates import THAI_DIGITS, arabic_digits
from thaidigest.model import Article
from thaidigest.store import Store, articles, fingerprints

# --- Parameters as data ------------------------------------------------------

SHINGLE_CHARS = 5
SHINGLED_CHARS = 2500  # folded characters in the MinHash signature; the rest is in exact_hash only
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
# Containment: a text most of whose 5-grams are in a longer one is a condensed copy of it.
CONTAINMENT = 0.75  # share of the shorter text's distinct 5-grams found in the longer
MIN_CONTAINED_SHINGLES = 100  # 5-grams of the shorter text: a few sentences at least
HEADLINE_EDIT_SHINGLES = SHINGLE_CHARS  # 5-grams one changed character touches
CANDIDATE_SIMILARITY = 0.25  # estimated Jaccard from which a pair's containment is estimated
WINDOW_DAYS = 3  # articles dated this many days apart or fewer are compared one by one
SKETCH_SIZE = 256  # smallest 5-gram hashes kept of a text, to estimate containment
SKETCH_MARGIN = 0.1  # estimated containment this far under CONTAINMENT is computed exactly
SKETCH_CACHE_SIZE = 8192  # sketches kept in memory (1 KB each); others are made from the text
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
    codes = codes.astype(np.uint64)
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
    return _minhash_of_mixed(_fmix32(hashes))


def _minhash_of_mixed(mixed: np.ndarray) -> np.ndarray:
    if not len(mixed):
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    a, b = _PERMUTATIONS
    permuted = np.multiply.outer(a, mixed)  # one row per permutation
    permuted += b[:, np.newaxis]
    return permuted.min(axis=1)


@dataclass(frozen=True, eq=False)
class Sketch:
    """The smallest distinct mixed 5-gram hashes of a text, and how many 5-grams it has.

    Whole (``sketch(hashes, None)``), it is the text's set of 5-grams. Two
    sketches cut at the lower of their cuts are the same sample of both
    texts, so the sample's overlap estimates the texts'.
    """

    values: np.ndarray  # sorted and distinct
    count: int  # 5-grams in the text, repeats included
    whole: bool  # values holds every distinct 5-gram of the text

    @property
    def cut(self) -> int:
        """The value up to which the sketch holds every one of the text's 5-grams."""
        return 2**32 if self.whole else int(self.values[-1])


def sketch(hashes: np.ndarray, size: int | None = SKETCH_SIZE) -> Sketch:
    """The sketch of a text's 5-gram hashes (:func:`shingle_hashes`): all of them for None."""
    return _sketch_of_mixed(_fmix32(hashes), size)


def _sketch_of_mixed(mixed: np.ndarray, size: int | None) -> Sketch:
    # The 2 * size smallest, repeats included, hold the size smallest distinct ones
    # unless a text repeats itself; then the sketch is smaller, and still a sample.
    taken = len(mixed) if size is None else min(len(mixed), 2 * size)
    smallest = np.sort(np.partition(mixed, taken - 1)[:taken] if taken else mixed)
    distinct = np.ones(len(smallest), dtype=bool)  # np.unique is several times slower
    np.not_equal(smallest[1:], smallest[:-1], out=distinct[1:])
    values = smallest[distinct][:size]
    whole = taken == len(mixed) and (size is None or distinct.sum() <= size)
    return Sketch(values, len(mixed), whole)


@dataclass(frozen=True)
class Overlap:
    """How much of the shorter of two texts the longer holds."""

    contained: float  # share of the shorter text's distinct 5-grams found in the longer
    shorter: int  # 5-grams of the shorter text


def overlap(first: Sketch, second: Sketch) -> Overlap:
    """The overlap of two texts: exact for whole sketches, estimated for cut ones."""
    shorter, longer = sorted((first, second), key=lambda one: one.count)
    if not shorter.count:
        return Overlap(0.0, 0)
    cut = min(first.cut, second.cut)
    sample = shorter.values[shorter.values <= cut]
    shared = np.intersect1d(sample, longer.values, assume_unique=True)
    return Overlap(len(shared) / max(len(sample), 1), shorter.count)


def number_hashes(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct CRC-32 hashes of the numbers (runs of ASCII digits) in folded code points.

    The same as hashing each ``NUMBER`` match of the folded text, without
    decoding it: a number's code points are its ASCII bytes.
    """
    digits = (codes >= ord("0")) & (codes <= ord("9"))
    if not digits.any():
        return _EMPTY
    edges = np.flatnonzero(np.diff(digits, prepend=False, append=False)).tolist()
    text = codes.astype(np.uint8).tobytes()
    runs = zip(edges[::2], edges[1::2], strict=True)
    numbers = {zlib.crc32(text[start:end]) for start, end in runs}
    return np.array(sorted(numbers), dtype=np.uint32)


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """What deduplication keeps of an article: all but the sketch is stored."""

    exact_hash: str
    signature: np.ndarray  # NUM_PERM uint32 MinHash values
    numbers: np.ndarray  # sorted uint32 hashes of the distinct numbers
    shingled: bool  # False for a text too short to have a 5-gram
    sketch: Sketch  # of the whole text, for containment; kept in memory only

    def to_bytes(self) -> bytes:
        """The ``fingerprints.minhash`` column: signature then number hashes."""
        return np.concatenate([self.signature, self.numbers]).astype(SIGNATURE_DTYPE).tobytes()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickled as bytes: a worker process sends one with every article, and
        # pickling arrays one by one costs more than the arrays are worth.
        values = self.sketch.values.astype(SIGNATURE_DTYPE).tobytes()
        return _unpickle_fingerprint, (
            self.exact_hash,
            self.to_bytes(),
            self.shingled,
            values,
            self.sketch.count,
            self.sketch.whole,
        )


def _unpickle_fingerprint(
    exact_hash: str, blob: bytes, shingled: bool, values: bytes, count: int, whole: bool
) -> Fingerprint:
    signature, numbers = unpack(blob)
    sketched = Sketch(np.frombuffer(values, dtype=SIGNATURE_DTYPE).astype(np.uint32), count, whole)
    return Fingerprint(exact_hash, signature, numbers, shingled, sketched)


def fingerprint(title: str, body: str) -> Fingerprint:
    """The fingerprint of an article's headline and body."""
    codes = folded_codes(title, body)
    mixed = _fmix32(shingle_hashes(codes))
    return Fingerprint(
        exact_hash=hashlib.blake2b(codes.tobytes(), digest_size=16).hexdigest(),
        signature=_minhash_of_mixed(mixed[: SHINGLED_CHARS - SHINGLE_CHARS + 1]),
        numbers=number_hashes(codes),
        shingled=len(codes) >= SHINGLE_CHARS,
        sketch=_sketch_of_mixed(mixed, SKETCH_SIZE),
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


def headline_shingles(title: str) -> set[str]:
    """The 5-grams of a folded headline (the whole of it when shorter)."""
    folded = fold(title, "")
    return {folded[start : start + SHINGLE_CHARS] for start in range(max(len(folded) - 4, 1))}


def headlines_overlap(first: str, second: str) -> bool:
    """True when one headline is the other, give or take a label, a cut end or a character.

    ``ผู้ตรวจราชการฯ ลงพื้นที่มหาสารคาม...`` and ``...ลงพื้นที่ขอนแก่น...``, one
    template filled in for two provinces, each have a word the other lacks.
    """
    one, other = sorted((headline_shingles(first), headline_shingles(second)), key=len)
    return len(one - other) <= HEADLINE_EDIT_SHINGLES


def dated_alike(first: Any, second: Any) -> bool:
    """Rules 3 and 4 on two objects with ``title`` and ``published`` (ISO date or None)."""
    return days_apart(first.published, second.published) <= MAX_DAYS_APART and headlines_agree(
        first.title, second.title
    )


@dataclass(frozen=True, eq=False)
class Marks:
    """What rules 2-4, which keep a series apart, compare of an article."""

    title: str
    published: str | None  # ISO date
    numbers: np.ndarray  # sorted uint32 hashes of the distinct numbers

    @classmethod
    def of_row(cls, row: Any) -> Marks:
        """The marks of a stored row with its ``minhash`` column."""
        return cls(row.title, row.published, unpack(row.minhash)[1])


def compatible(first: Marks, second: Marks) -> bool:
    """False when two articles cannot be one story: too far apart, or other figures."""
    return dated_alike(first, second) and numbers_agree(first.numbers, second.numbers)


def representative_key(row: Any) -> tuple[bool, str, int, int]:
    """Sort key of cluster members: the representative sorts first.

    A complete extraction before a fallback one, then the earliest date
    (published, else first seen), then on the same day the longer text,
    then the lowest id.
    """
    return (
        row.extraction in INCOMPLETE_EXTRACTIONS,
        row.published or row.first_seen[:10],
        -row.length,
        row.id,
    )


def holds(found: Overlap, containment: float) -> bool:
    """Rule 1b's condition on an overlap."""
    return found.contained >= containment and found.shorter >= MIN_CONTAINED_SHINGLES


def may_contain(first: Sketch, second: Sketch, containment: float) -> bool:
    """Rule 1b estimated from two cut sketches: worth computing exactly."""
    return holds(overlap(first, second), containment - SKETCH_MARGIN)


RULES = ("exact", "similar", "contained")  # strongest first


class Match(NamedTuple):
    """How an article duplicates another; the stronger match sorts first."""

    strength: int  # the rule's place in RULES
    distance: float  # 1 - the similarity the rule measures

    @property
    def rule(self) -> str:
        return RULES[self.strength]


class Comparison:
    """An article compared with stored ones: which rule, if any, makes them one story."""

    def __init__(
        self, article: Article, fp: Fingerprint, threshold: float, containment: float
    ) -> None:
        self.article = article
        self.fp = fp
        published = article.published.isoformat() if article.published else None
        self.marks = Marks(article.title, published, fp.numbers)
        self.threshold = threshold
        self.containment = containment
        self._whole: Sketch | None = None

    def similar(self, other: Any) -> Match | None:
        """Rule 1 (or an exact copy), for a stored row with its fingerprint columns."""
        if not compatible(self.marks, Marks.of_row(other)):
            return None
        if other.exact_hash == self.fp.exact_hash:
            return Match(0, 0.0)
        similarity = estimated_jaccard(self.fp.signature, unpack(other.minhash)[0])
        return Match(1, 1 - similarity) if similarity >= self.threshold else None

    def contained(self, other: Any) -> Match | None:
        """Rule 1b computed exactly, for a stored row with its ``body``."""
        if not dated_alike(self.marks, other) or not headlines_overlap(
            self.article.title, other.title
        ):
            return None
        codes = folded_codes(other.title, other.body)
        if not numbers_agree(self.fp.numbers, number_hashes(codes)):
            return None
        if self._whole is None:
            self._whole = sketch(
                shingle_hashes(folded_codes(self.article.title, self.article.body)), None
            )
        found = overlap(self._whole, sketch(shingle_hashes(codes), None))
        return Match(2, 1 - found.contained) if holds(found, self.containment) else None


# --- The deduplicator (store side) -------------------------------------------

_CANDIDATE_COLUMNS = (
    articles.c.id,
    articles.c.url,
    articles.c.title,
    articles.c.published,
    articles.c.duplicate_of,
)
_MEMBER_COLUMNS = (
    *_CANDIDATE_COLUMNS,
    articles.c.first_seen,
    articles.c.extraction,
    (func.length(articles.c.title) + func.length(articles.c.body)).label("length"),
)
_IDS = bindparam("ids", expanding=True)
_SIMILAR = (
    select(*_CANDIDATE_COLUMNS, fingerprints.c.exact_hash, fingerprints.c.minhash)
    .join(fingerprints, fingerprints.c.article_id == articles.c.id)
    .where(articles.c.id.in_(_IDS))
)
_CONTAINED = select(*_CANDIDATE_COLUMNS, articles.c.body).where(articles.c.id.in_(_IDS))
_TEXTS = select(articles.c.id, articles.c.title, articles.c.body).where(articles.c.id.in_(_IDS))
_CLUSTERS = (
    select(*_MEMBER_COLUMNS, fingerprints.c.minhash)
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
        self._tables: list[dict[bytes, list[int]]] = [{} for _ in range(self.bands)]

    def keys(self, signature: np.ndarray) -> list[bytes]:
        """The signature's key in each band."""
        raw = signature[: self.bands * self.rows].astype(SIGNATURE_DTYPE).tobytes()
        width = self.rows * SIGNATURE_DTYPE.itemsize
        return [raw[start : start + width] for start in range(0, len(raw), width)]

    def insert(self, article_id: int, keys: list[bytes]) -> None:
        for table, key in zip(self._tables, keys, strict=True):
            bucket = table.get(key)
            if bucket is None:
                table[key] = [article_id]
            else:
                bucket.append(article_id)

    def remove(self, article_id: int, keys: list[bytes]) -> None:
        for table, key in zip(self._tables, keys, strict=True):
            table[key].remove(article_id)
            if not table[key]:
                del table[key]

    def query(self, keys: list[bytes]) -> set[int]:
        """The ids that share a band key with ``keys``."""
        found: set[int] = set()
        for table, key in zip(self._tables, keys, strict=True):
            if key in table:
                found.update(table[key])
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

    def near(self, day: int, signature: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ids filed within WINDOW_DAYS of ``day``, and their estimated Jaccard similarity."""
        found = [
            self._days[near]
            for near in range(day - WINDOW_DAYS, day + WINDOW_DAYS + 1)
            if near in self._days
        ]
        ids = np.concatenate([block.ids[: block.size] for block in found] or [_NO_IDS])
        signatures = np.concatenate(
            [block.signatures[: block.size] for block in found] or [_NO_SIGNATURES]
        )
        matching = (signatures == signature).sum(axis=1, dtype=np.uint8)
        return ids, matching / NUM_PERM


_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_SIGNATURES = np.zeros((0, NUM_PERM), dtype=np.uint32)


class Sketches:
    """The sketches of recently indexed articles, by id; the oldest make way."""

    def __init__(self, size: int = SKETCH_CACHE_SIZE) -> None:
        self.size = size
        self._sketches: OrderedDict[int, Sketch] = OrderedDict()

    def __contains__(self, article_id: int) -> bool:
        return article_id in self._sketches

    def __getitem__(self, article_id: int) -> Sketch:
        self._sketches.move_to_end(article_id)
        return self._sketches[article_id]

    def put(self, article_id: int, value: Sketch) -> None:
        self._sketches[article_id] = value
        self._sketches.move_to_end(article_id)
        if len(self._sketches) > self.size:
            self._sketches.popitem(last=False)

    def discard(self, article_id: int) -> None:
        self._sketches.pop(article_id, None)


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
        self._sketches = Sketches()
        self._exact_hashes: dict[int, str] = {}
        self._by_exact_hash: dict[str, set[int]] = {}
        self._synced_up_to = 0  # highest article id read from the table
        self._connection: Connection | None = None
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
        if article_id in self._signatures:
            self._forget(article_id)
            self._detach(conn, article_id)
        self._unwritten[article_id] = {
            "article_id": article_id,
            "exact_hash": fp.exact_hash,
            "minhash": fp.to_bytes(),
        }
        day = article.published.toordinal() if article.published else None
        similar = set(self._by_exact_hash.get(fp.exact_hash, ()))
        overlapping: set[int] = set()
        keys = self._lsh.keys(fp.signature)
        if fp.shingled and not similar:
            banded = list(self._lsh.query(keys))
            if banded:
                matching = self._signatures.of(banded) == fp.signature
                similarities = matching.sum(axis=1, dtype=np.uint8) / NUM_PERM
                similar.update(np.asarray(banded)[similarities >= self.threshold].tolist())
            if day is not None:
                ids, similarities = self._window.near(day, fp.signature)
                similar.update(ids[similarities >= self.threshold].tolist())
                nearby = (similarities >= CANDIDATE_SIMILARITY) & (similarities < self.threshold)
                overlapping.update(
                    key
                    for key in ids[nearby].tolist()
                    if key not in self._sketches  # to be made from the stored text
                    or may_contain(fp.sketch, self._sketches[key], self.containment)
                )
        self._remember(article_id, fp, day, keys)
        self._sketches.put(article_id, fp.sketch)
        if similar or overlapping:
            self._join(conn, article_id, article, fp, similar, overlapping)

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
        self._by_exact_hash.setdefault(fp.exact_hash, set()).add(article_id)

    def _forget(self, article_id: int) -> None:
        self._lsh.remove(article_id, self._lsh.keys(self._signatures.pop(article_id)))
        self._window.remove(article_id)
        self._sketches.discard(article_id)
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
    ) -> None:
        """Join the clusters of the candidates that duplicate the article.

        ``similar`` candidates (and exact copies) are verified against their
        stored fingerprints, ``overlapping`` ones against their stored texts.
        Rules 2-4 hold between every two members of the cluster that results,
        not only between the article and the candidate it duplicates: a short
        item contained in several issues of a report joins one of them at
        most, and never chains them into one cluster. Clusters are taken
        strongest match first.
        """
        comparison = Comparison(article, fp, self.threshold, self.containment)
        matches: dict[str, Match] = {}  # the best match in each cluster, by representative
        if similar:
            if not similar.isdisjoint(self._unwritten):
                self.flush(conn)
            for row in conn.execute(_SIMILAR, {"ids": list(similar)}):
                _keep_best(matches, row, comparison.similar(row))
        if overlapping:
            unknown = [key for key in overlapping if key not in self._sketches]
            if unknown:
                for key, title, body in conn.execute(_TEXTS, {"ids": unknown}):
                    self._sketches.put(key, sketch(shingle_hashes(folded_codes(title, body))))
            likely = [
                key
                for key in overlapping
                if key in self._sketches
                and may_contain(fp.sketch, self._sketches[key], self.containment)
            ]
            if likely:
                for row in conn.execute(_CONTAINED, {"ids": likely}):
                    _keep_best(matches, row, comparison.contained(row))
        if matches:
            self._merge(conn, article_id, comparison.marks, matches)

    def _merge(
        self, conn: Connection, article_id: int, marks: Marks, matches: dict[str, Match]
    ) -> None:
        """Merge the article and the matched clusters that agree with it and each other."""
        self.flush(conn)
        members: dict[str, list[Marks]] = {cluster: [] for cluster in matches}
        representatives = {}
        clusters = list(matches)
        parameters = {"urls": clusters, "representatives": clusters, "article_id": article_id}
        for row in conn.execute(_CLUSTERS, parameters):
            if row.id == article_id:
                new = row
                continue
            members[row.duplicate_of or row.url].append(Marks.of_row(row))
            if row.duplicate_of is None:
                representatives[row.url] = row
        joined = [marks]
        for cluster in sorted(matches, key=matches.__getitem__):
            if all(compatible(one, other) for one in members[cluster] for other in joined):
                joined += members[cluster]
                self.matched[matches[cluster].rule] += 1
            else:
                representatives.pop(cluster, None)
        if not representatives:
            return
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


class _Stored(NamedTuple):
    """What the index needs of a stored fingerprint."""

    signature: np.ndarray
    exact_hash: str


def _keep_best(matches: dict[str, Match], row: Any, match: Match | None) -> None:
    """Record ``match`` for the row's cluster when it is the cluster's best so far."""
    cluster = row.duplicate_of or row.url
    if match is not None and (cluster not in matches or match < matches[cluster]):
        matches[cluster] = match
