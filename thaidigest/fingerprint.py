"""Fingerprints of articles and the rules that make two of them one story: pure.

Nothing here touches the store: the worker processes of ``thaidigest import``
fingerprint articles with this module alone, and :mod:`thaidigest.dedup`
keeps the clusters in the database with it.

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
numbers in their headlines, read as numbers (:func:`headline_numbers`: a
copy writing ``1202`` for ``1,202`` or ``68`` for the year ``2568`` writes
the same number), do not contradict each other and (4) their publication
dates, when both are known, are at most :data:`MAX_DAYS_APART` days apart.
Rules 2-4 keep recurring series apart: a weekly report repeats last week's
wording with new figures (``รายงานความคืบหน้าประจำสัปดาห์...``:
text similarity 0.79-0.91, number similarity 0.2-0.5), a daily report
changes the date in its headline (``... ประจำวันที่ 20 ตุลาคม`` /
``21 ตุลาคม``: text similarity 0.95), and an anniversary notice is reposted
word for word a year later.

Rule 2 in full (:func:`numbers_agree`; a year written in full, ``2567``, and
short, ``67``, is one number): texts published on the same day are different
reports when each has at least :data:`MIN_CHANGED_NUMBERS` numbers the other
lacks and they share less than :data:`MIN_NUMBER_SIMILARITY` of their numbers;
texts published on different days when each has two, whatever they share:
each one's date is the third. An issue of a series repeats its template with
new figures, and may change only two: two issues of the Interior ministry's
informal-debt report a day apart (June 2024) differ in two numbers of eleven,
the day they name and one total. A republication keeps its original's figures
on any day: the government's version of a ministry's release, a day to a week
later, adds its own day at most and writes the year short. On the whole
corpus (pairs at an estimated Jaccard similarity of 0.6 or more that rules 3
and 4 allow), the date splits 235 pairs the old rule joined, and joins none:
read by sample, most are one template filled in for another province, day or
event, or the next issue of a report; republications that add a time or write a
date another way are about one in four of those published one to four days
apart (79) and one in twenty of those further apart (156).
A changed figure on the same day (a correction, a version) keeps the old
rule: two changed figures of a text do not make it another story, unless
(rule 2b, :func:`named_moments`) each text names a day or a time of day the
other does not: a report issued twice a day (``เมื่อเวลา 15.00 น.`` and
``18.00 น.``), yesterday's issue posted beside today's (``เมื่อวันที่ 13 มิ.ย.``
and ``วันนี้ (14 มิ.ย.)``), one template filled in for two events of a day (the
industry ministry's handovers at 14.30 and at 16.30 on 18 October 2022, under
one headline). A copy that leaves the day or the hour out names none the other
lacks. On the whole corpus, of the 429 same-day pairs that rule 1 joins (exact
copies aside), rule 2b splits 67; read one by one, all but a few are two events
(ceremonies of one occasion at other hours, an inspector's visits to other
provinces on other days, handovers); the few are one story: a rewrite naming
the day of its source (the government's version of a ministry's release of the
day before) or a day mistyped (``๑ กันยายน`` for ``๑๕``). Rule 2b reads the
texts, so it is checked where the clusters are merged (:mod:`thaidigest.dedup`),
between members of the same day that rules 2-4 allow, each text read once.

They hold between every two members of a
cluster, not only the pair that matched: a short or figure-less item that
duplicates two issues of a report joins one of them, and never chains them.
Rule 2b too, but for two copies of one report that each add a moment of their
own (reposts stamped ``อัปเดตเวลา 09.15 น.`` and ``11.40 น.``): they pass when
a member of the cluster names a day and a time of day, and both name everything
it names (:func:`moments_extend_one`), the report's own; any time a copy adds passes
(which is a posting time is not read), and a cluster is not checked again when
that member is edited or leaves; before that exception they
split from each other, though each agreed with the report. A member naming the
day alone passes none: on the same day every text names it, and a copy that
leaves the hour out would chain the handovers at 14.30 and at 16.30.

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
"""

from __future__ import annotations

import hashlib
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from thaidigest.dates import (
    BE_OFFSET,
    ENGLISH_MONTHS,
    ERA,
    THAI_DIGITS,
    THAI_MONTH_ABBREVIATIONS,
    THAI_MONTHS,
    arabic_digits,
    gregorian_year,
)
from thaidigest.model import Article
from thaidigest.urls import canonical_form_of_former

# --- Parameters as data ------------------------------------------------------

SHINGLE_CHARS = 5
SHINGLED_CHARS = 2500  # folded characters in the MinHash signature; the rest is in exact_hash only
NUM_PERM = 64
MINHASH_SEED = 1
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
MOMENTS_CACHE_SIZE = 8192  # what rule 2b read of texts, kept in memory (some 100 bytes each)
# Headlines whose numbers are kept read: a cluster's members are compared with each newcomer.
HEADLINE_NUMBERS_CACHE_SIZE = 8192
# Multiplier of the polynomial shingle hash: odd, 64-bit, well mixed.
SHINGLE_BASE = np.uint64(0x9E3779B97F4A7C15)
SIGNATURE_DTYPE = np.dtype("<u4")
INCOMPLETE_EXTRACTIONS = ("fallback",)

KEPT_CHARACTER = re.compile(r"[\w\u0e00-\u0e7f]")
NUMBER = re.compile(r"[0-9]+")
# Rule 3 reads a headline's numbers as numbers: "1,202" is 1202, not 1 and 202.
THOUSANDS = re.compile(r"(?<![\d,])\d{1,3}(?:,\d{3})+(?![\d,])")
# Where a headline's number is clearly a year, written short in the Buddhist Era ("68"), in
# full ("2568") or in the Common Era ("2025"): after a month, an era, "ปี" (not "3 ปี 60 บาท",
# a span of years and a price, nor "ทั้งปี 40 ล้านคน", "พันปี 12 สิงหาคม"), as the year of an
# edition or a document ("ครั้งที่ 1/68") or of a numeric date ("23/04/68"). Each is read as the
# full Buddhist year, the way headlines write most years, so a bare "2568" reads alike too.
_THAI_MONTH_NAME = "|".join(
    [
        *sorted(THAI_MONTHS, key=len, reverse=True),
        # Abbreviations with their dots, the last one required: "เม.ย.", "พ.ค.".
        *(
            r"(?<![ก-ฮ])" + r"\.?\s*".join(abbreviation) + r"\."
            for abbreviation in THAI_MONTH_ABBREVIATIONS
        ),
    ]
)
# Words ending in ปี after which a number is a count or a day: ทั้งปี (a year's total),
# รายปี (yearly), พันปี (in the Queen Mother's title).
_NOT_A_YEAR_BEFORE = "".join(f"(?<!{word})" for word in ("ทั้ง", "ราย", "พัน"))
_ENGLISH_MONTH_NAME = "|".join(sorted(ENGLISH_MONTHS, key=len, reverse=True))
HEADLINE_YEAR = re.compile(
    rf"(?:(?:{_THAI_MONTH_NAME})\s*(?:{ERA}\s*)?(?P<thai>\d{{4}}|\d{{2}})"
    rf"|\b(?:{_ENGLISH_MONTH_NAME})\b\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?)?\s+(?P<english>\d{{4}})"
    rf"|(?<!\d)(?<!\d\s)(?<!\d\s\s){_NOT_A_YEAR_BEFORE}ปี(?:งบประมาณ)?\s*(?:{ERA}\s*)?"
    r"(?P<year>\d{4}|\d{2})"
    rf"|{ERA}\s*(?P<era>\d{{4}}|\d{{2}})"
    rf"|ที่\s*\d{{1,4}}\s*/\s*(?P<edition>\d{{4}}|\d{{2}})(?![/\d])"  # not "ที่ 23/04/68"
    rf"|(?<![\d/.-])\d{{1,2}}(?P<separator>[/.-])(?:0?[1-9]|1[0-2])(?P=separator)(?P<date>\d{{4}}|\d{{2}}))"
    r"(?!\d)",
    re.IGNORECASE,
)
HEADLINE_YEAR_GROUPS = ("thai", "english", "year", "era", "edition", "date")
# Rule 2b (named_moments): the days and times of day a text names, "18 ต.ค.", "October 18".
_ENGLISH_MONTH_TITLE = "|".join(sorted(map(str.title, ENGLISH_MONTHS), key=len, reverse=True))
# Each starts with its number, which makes the search skip to the digits: whether a digit or a
# number comes just before it, and "เวลา", is looked at only where one is found.
NAMED_MOMENT = re.compile(
    r"(?P<number>\d{1,2})(?:"
    rf"(?!\d|[.,:/]\d)(?:\s*(?P<month>{_THAI_MONTH_NAME})"
    rf"|(?:st|nd|rd|th)?\s+(?P<english_month>{_ENGLISH_MONTH_TITLE})\b)"
    r"|[.:](?P<minute>[0-5]\d)(?!\d)(?P<clock>\s*(?:น\.|นาฬิกา))?)"
)
ENGLISH_MONTH_FIRST = re.compile(
    rf"\b(?P<month>{_ENGLISH_MONTH_TITLE})\.?\s+(?P<number>\d{{1,2}})(?!\d|[.,:/]\d)"
    r"(?:st|nd|rd|th)?\b"
)
AFTER_A_NUMBER = re.compile(r"\d[.,:/]?\Z")
IN_A_NAME = re.compile(r"[^\W\d_]-\Z")  # COVID-19, โควิด-19: a name's number, no day
TIME_WORD = re.compile(r"เวลา\s*\Z")
TIME_WORD_REACH = 12  # characters before a time searched for TIME_WORD and its spaces


def affine32_permutations(num_perm: int, seed: int) -> np.ndarray:
    """The ``a`` and ``b`` rows of ``MinHash(num_perm, seed=seed, scheme="affine32")``'s
    permutations (hash -> a * hash + b mod 2**32, ``a`` odd), drawn as datasketch draws
    them (tests compare the signatures with datasketch's). The one place the scheme is
    chosen: datasketch loads SciPy, a costly import (docs/measurements.md), which the
    import's worker processes, fingerprinting with this module alone, do without."""
    draw = np.random.RandomState(seed)
    a = draw.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = draw.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([a, b])


_PERMUTATIONS = affine32_permutations(NUM_PERM, MINHASH_SEED)
_SIGNED = SHINGLED_CHARS - SHINGLE_CHARS + 1  # 5-grams in the signature, at most
# The minimum over the signed 5-grams is taken first over blocks of this many of them.
_MINIMUM_BLOCK = 16
# The permutations' a and b tiled: NUM_PERM values for each 5-gram signed, one 5-gram after
# another (1.3 MB). For any number of 5-grams, the values to multiply and add are a prefix,
# one contiguous array: numpy works through those about twice as fast as through broadcast
# or strided ones.
_PERMUTATION_TILES = tuple(
    np.tile(values, -(-_SIGNED // _MINIMUM_BLOCK) * _MINIMUM_BLOCK) for values in _PERMUTATIONS
)
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))
_EMPTY = np.zeros(0, dtype=np.uint32)
# The number hashes of the Buddhist years 2500-2599 in full, sorted, and of each written short.
_YEARS = sorted((zlib.crc32(b"25%02d" % year), zlib.crc32(b"%02d" % year)) for year in range(100))
_FULL_YEARS = np.array([full for full, _ in _YEARS], dtype=np.uint32)
_SHORT_YEARS = np.array([short for _, short in _YEARS], dtype=np.uint32)


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
# Each folded code point as the byte numbers are read from: an ASCII digit as itself,
# any other as a space (see number_hashes).
_NUMBER_BYTES = np.full(len(_FOLDING), ord(" "), dtype=np.uint8)
_NUMBER_BYTES[ord("0") : ord("9") + 1] = np.arange(ord("0"), ord("9") + 1, dtype=np.uint8)


def folded_codes(title: str, body: str) -> np.ndarray:
    """Code points of the folded headline and body (see :func:`fold`)."""
    # UTF-16 code units index the table directly: a character beyond the BMP is two
    # surrogates, which folding drops as it drops the character. Half the bytes of UTF-32.
    units = np.frombuffer(f"{title}\n{body}".encode("utf-16-le"), dtype="<u2")
    folded = _FOLDING.take(units)  # take and compress: faster than indexing with arrays
    return folded.compress(folded != 0)


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
    hashes >>= np.uint64(32)
    return hashes.astype(np.uint32)


def _fmix32(values: np.ndarray) -> np.ndarray:
    shift1, multiply1, shift2, multiply2 = _FMIX32
    values = values ^ (values >> shift1)  # a new array: the rest works in place
    values *= multiply1
    values ^= values >> shift2
    values *= multiply2
    values ^= values >> shift1
    return values


def _minhash_of_mixed(mixed: np.ndarray) -> np.ndarray:
    """The MinHash signature of 32-bit hashes already mixed by :func:`_fmix32`: datasketch's
    with its affine32 scheme (a test compares them)."""
    if not len(mixed):
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    # Padded to whole blocks with the first hash again, which changes no minimum.
    count = len(mixed)
    padded = np.empty(-(-count // _MINIMUM_BLOCK) * _MINIMUM_BLOCK, dtype=np.uint32)
    padded[:count] = mixed
    padded[count:] = mixed[0]
    # One row per 5-gram, one column per permutation, all of it one contiguous array.
    permuted = padded.repeat(NUM_PERM)
    a, b = (values[: len(permuted)] for values in _PERMUTATION_TILES)
    np.multiply(permuted, a, out=permuted)
    np.add(permuted, b, out=permuted)
    # Minima down the columns of long rows (a block of 5-grams each), then of the block's
    # rows: numpy reduces rows of NUM_PERM values one short row at a time, several times slower.
    blocks = permuted.reshape(-1, _MINIMUM_BLOCK * NUM_PERM).min(axis=0)
    return blocks.reshape(_MINIMUM_BLOCK, NUM_PERM).min(axis=0)


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
    return _sketch_of_sorted(smallest, _firsts(smallest), len(mixed), size)


def _firsts(ordered: np.ndarray) -> np.ndarray:
    """Where each value of a sorted array first appears: np.unique is several times slower."""
    firsts = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=firsts[1:])
    return firsts


def _sketch_of_sorted(
    ordered: np.ndarray, firsts: np.ndarray, count: int, size: int | None
) -> Sketch:
    """The sketch of a text of ``count`` 5-grams from its smallest mixed hashes, sorted, with
    at least the ``2 * size`` smallest (all for None), and :func:`_firsts` of them."""
    taken = len(ordered) if size is None else min(len(ordered), 2 * size)
    firsts = firsts[:taken]
    values = ordered[:taken].compress(firsts)[:size]
    whole = taken == count and (size is None or firsts.sum() <= size)
    return Sketch(values, count, whole)


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
    values = shorter.values
    sample = values if cut > values[-1] else values[: np.searchsorted(values, cut, side="right")]
    # Both are sorted and distinct: looking each value up costs less than intersect1d's sort.
    places = longer.values.take(np.searchsorted(longer.values, sample), mode="clip")
    shared = np.count_nonzero(places == sample)
    return Overlap(shared / max(len(sample), 1), shorter.count)


def number_hashes(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct CRC-32 hashes of the numbers (runs of ASCII digits) in folded code points.

    The same as hashing each ``NUMBER`` match of the folded text, without
    decoding it: a number's code points are its ASCII bytes.
    """
    # Every other code point as a space: the numbers are then the words of the bytes.
    runs = _NUMBER_BYTES.take(codes).tobytes().split()
    if not runs:
        return _EMPTY
    return np.array(sorted(set(map(zlib.crc32, runs))), dtype=np.uint32)


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
        # Pickled as the bytes of its three arrays, one after another: a worker process
        # sends one with every article, and pickling arrays one by one costs more than the
        # arrays are worth.
        arrays = (self.signature, self.numbers, self.sketch.values)
        blob = b"".join(values.astype(SIGNATURE_DTYPE, copy=False).tobytes() for values in arrays)
        return _unpickle_fingerprint, (
            self.exact_hash,
            blob,
            len(self.numbers),
            self.shingled,
            self.sketch.count,
            self.sketch.whole,
        )


def _unpickle_fingerprint(
    exact_hash: str, blob: bytes, numbers: int, shingled: bool, count: int, whole: bool
) -> Fingerprint:
    # The arrays are read-only views of the pickle's bytes, not copies: nothing writes to a
    # fingerprint's arrays.
    values = np.frombuffer(blob, dtype=SIGNATURE_DTYPE).astype(np.uint32, copy=False)
    cut = NUM_PERM + numbers
    sketched = Sketch(values[cut:], count, whole)
    return Fingerprint(exact_hash, values[:NUM_PERM], values[NUM_PERM:cut], shingled, sketched)


def fingerprint(title: str, body: str) -> Fingerprint:
    """The fingerprint of an article's headline and body."""
    codes = folded_codes(title, body)
    mixed = _fmix32(shingle_hashes(codes))
    # Signing, the costliest step, takes each distinct 5-gram once: a third of them repeat.
    # When the whole text is signed (most articles), the same sort gives the sketch.
    signed = np.sort(mixed[:_SIGNED])
    firsts = _firsts(signed)
    signature = _minhash_of_mixed(signed.compress(firsts))
    if len(mixed) <= _SIGNED:
        sketched = _sketch_of_sorted(signed, firsts, len(mixed), SKETCH_SIZE)
    else:
        sketched = _sketch_of_mixed(mixed, SKETCH_SIZE)
    return Fingerprint(
        exact_hash=hashlib.blake2b(codes, digest_size=16).hexdigest(),  # the array's bytes
        signature=signature,
        numbers=number_hashes(codes),
        shingled=len(codes) >= SHINGLE_CHARS,
        sketch=sketched,
    )


def unpack(blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Signature and number hashes from a ``fingerprints.minhash`` value."""
    values = np.frombuffer(blob, dtype=SIGNATURE_DTYPE).astype(np.uint32)
    return values[:NUM_PERM], values[NUM_PERM:]


def estimated_jaccard(first: np.ndarray, second: np.ndarray) -> float:
    """The MinHash estimate of the Jaccard similarity of two signatures."""
    return float(np.count_nonzero(first == second)) / len(first)


def agreements(rows: np.ndarray, signature: np.ndarray) -> np.ndarray:
    """How many of its NUM_PERM values each row of ``rows`` shares with ``signature``."""
    return (rows == signature).sum(axis=1, dtype=np.uint8)


def least_agreements(similarity: float) -> int:
    """The fewest shared signature values whose estimated Jaccard is at least ``similarity``.

    A count compares as its estimate does (``count / NUM_PERM`` is exact), without the
    division and float arrays.
    """
    return math.ceil(similarity * NUM_PERM)


def short_years(numbers: np.ndarray) -> np.ndarray:
    """Number hashes with a Buddhist year written in full (``2567``) as written short (``67``).

    A republisher writes ``16 มิ.ย. 67`` for ``16 มิถุนายน 2567``: the same number.
    """
    places = np.searchsorted(_FULL_YEARS, numbers).clip(max=len(_FULL_YEARS) - 1)
    years = _FULL_YEARS[places] == numbers
    if not years.any():
        return numbers
    return np.unique(np.where(years, _SHORT_YEARS[places], numbers))


def numbers_agree(first: np.ndarray, second: np.ndarray, other_days: bool = False) -> bool:
    """False when each text has figures the other lacks: a new issue of a report.

    ``other_days``: the texts are published on different days. Each one's
    date is then a figure the other lacks, one of :data:`MIN_CHANGED_NUMBERS`,
    and two changed figures make another issue however many stay the same: a
    weekly report repeats its template with two new totals. A republication
    keeps its original's figures, on any day.
    """
    first, second = short_years(first), short_years(second)
    shared = len(np.intersect1d(first, second, assume_unique=True))
    changed = min(len(first), len(second)) - shared
    if other_days:
        return changed + 1 < MIN_CHANGED_NUMBERS
    if changed < MIN_CHANGED_NUMBERS:
        return True
    return shared / (len(first) + len(second) - shared) >= MIN_NUMBER_SIMILARITY


def headline_numbers(title: str) -> Counter[str]:
    """The numbers in a headline, with their counts, read as numbers.

    Thousands separators are joined (``1,202`` is ``1202``), leading zeros
    dropped (``04`` is ``4``) and a year where
    it is clearly one (:data:`HEADLINE_YEAR`) is its full Buddhist year:
    ``23 เม.ย. 68``, ``23 เมษายน 2568``, ``23 April 2025`` and ``ครั้งที่ 1/68``
    hold ``2568``. A number that may be no year (``ปิดเว็บ 68 เว็บไซต์``) is as
    written.
    """
    text = THOUSANDS.sub(lambda found: found[0].replace(",", ""), arabic_digits(title))
    years: Counter[str] = Counter()
    cut = 0
    rest = []
    for found in HEADLINE_YEAR.finditer(text):
        group = next(name for name in HEADLINE_YEAR_GROUPS if found[name])
        years[str(gregorian_year(found[group]) + BE_OFFSET)] += 1
        rest.append(text[cut : found.start(group)])
        cut = found.end(group)
    rest.append(text[cut:])
    return Counter(str(int(number)) for number in NUMBER.findall(" ".join(rest))) + years


def named_moments(title: str, body: str) -> frozenset[str]:
    """The days (``10-18``: month and day) and times of day (``14:30``) a text names.

    ``วันนี้ (18 ตุลาคม 2565) เวลา 14.30 น.`` names ``10-18`` and ``14:30``, and so
    do ``18 ต.ค. 65 เวลา 14:30`` and ``October 18, 2022 ... 14.30 น.``. A day is
    its day of the month and its month (a copy writes the year short or leaves it
    out); a time of day has ``เวลา`` before it or ``น.`` (นาฬิกา) after it, so
    ``1.28 แสนล้าน`` and ``2.5%`` are none.
    """
    text = arabic_digits(f"{title}\n{body}")
    moments = set()

    def after_time_word(found: re.Match[str]) -> bool:
        return bool(TIME_WORD.search(text[max(found.start() - TIME_WORD_REACH, 0) : found.start()]))

    for found in NAMED_MOMENT.finditer(text):
        before = text[max(found.start() - 2, 0) : found.start()]
        number = int(found["number"])
        if AFTER_A_NUMBER.search(before) or IN_A_NAME.search(before):
            continue
        if found["month"] and 1 <= number <= 31:
            compact = re.sub(r"[\s.]", "", found["month"])
            month = THAI_MONTHS.get(compact) or THAI_MONTH_ABBREVIATIONS[compact]
            moments.add(f"{month}-{number}")
        elif found["english_month"] and 1 <= number <= 31:
            moments.add(f"{ENGLISH_MONTHS[found['english_month'].lower()]}-{number}")
        elif found["minute"] and number <= 23 and (found["clock"] or after_time_word(found)):
            moments.add(f"{number}:{found['minute']}")
    for found in ENGLISH_MONTH_FIRST.finditer(text):
        number = int(found["number"])
        if 1 <= number <= 31:
            moments.add(f"{ENGLISH_MONTHS[found['month'].lower()]}-{number}")
    return frozenset(moments)


def moments_agree(first: frozenset[str], second: frozenset[str]) -> bool:
    """False when each text names a day or a time of day the other does not (rule 2b)."""
    return first <= second or second <= first


def moments_extend_one(
    first: frozenset[str], second: frozenset[str], others: Iterable[frozenset[str]]
) -> bool:
    """True when one of ``others`` names a day and a time of day, and both texts name all it
    names: two copies of one report, each with a moment of its own added (the time each was
    posted). A text naming the day alone does not join two that name other hours of it."""
    return any(
        other <= first and other <= second and _names_a_day_and_an_hour(other) for other in others
    )


def _names_a_day_and_an_hour(moments: frozenset[str]) -> bool:
    """Whether :func:`named_moments` found a day (``10-18``) and a time of day (``14:30``)."""
    return any("-" in moment for moment in moments) and any(":" in moment for moment in moments)


def headlines_agree(first: str, second: str) -> bool:
    """False when both headlines carry numbers and neither's contain the other's.

    ``ประกาศ ขสมก. ประจำวันที่ 19 ... COVID-19`` and ``... 20 ... COVID-19``
    disagree, and so do ``ครั้งที่ 3`` and ``ครั้งที่ 4``; a headline shortened
    or prefixed by a republisher agrees, and so does one writing a number or a
    year another way (:func:`headline_numbers`).
    """
    one, other = _read_headline_numbers(first), _read_headline_numbers(second)
    return not one or not other or not one - other or not other - one


# Deduplication compares a newcomer with every member of a cluster it may join, and the
# cluster's members with one another: each headline is read once, not once a comparison.
# The counters are shared, so only read (``-`` makes a new one).
_read_headline_numbers = lru_cache(maxsize=HEADLINE_NUMBERS_CACHE_SIZE)(headline_numbers)


def days_apart(first: str | None, second: str | None) -> int:
    """Days between two ISO dates; 0 when either is unknown."""
    if not first or not second:
        return 0
    return abs((date.fromisoformat(first) - date.fromisoformat(second)).days)


def dated_apart(first: str | None, second: str | None) -> bool:
    """True when both ISO dates are known and differ."""
    return days_apart(first, second) > 0


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
    return dated_alike(first, second) and numbers_agree(
        first.numbers, second.numbers, dated_apart(first.published, second.published)
    )


def representative_key(row: Any) -> tuple[bool, str, int, str]:
    """Sort key of cluster members: the representative sorts first (unless it is a row under
    a former form of its address beside its canonical row: :func:`representative`).

    A complete extraction before a fallback one, then the earliest date
    (published, else first seen), then on the same day the longer text as
    first seen (``first_length``: its first version's), then the canonical
    URL that sorts first. Not the order the store holds them in: two sites
    crawled at once store their articles in no fixed order, and a copy of
    each site's alike in all but its URL would represent the story by chance.
    Not the current text: a sentence added to a copy would make it the
    representative, the page and text the story is shown as (and, for a story
    not yet published, the URL its feed entry is named by).
    """
    return (
        row.extraction in INCOMPLETE_EXTRACTIONS,
        row.published or row.first_seen[:10],
        -row.first_length,
        row.url,
    )


def representative(members: Iterable[Any], candidates: Iterable[Any] | None = None) -> Any:
    """The representative of a story whose members (stored rows) are ``members``: the first
    of ``candidates`` (every member when not given) by :func:`representative_key`, unless a
    database made before stored it under a former form of its address
    (``details/%E0%B9%98...``, ``details/87382?lang=th``) and the row under the canonical
    form is a member too. That row, the same article, takes its place: the story is shown
    and linked at the address the site gives the article, never at the one an older
    release wrote (the old row's escapes sort before its digits). Alone, a row under a
    former form keeps its place: its address still opens the article.

    A merge's candidates are the new article and the merged clusters' representatives, not
    every member: a cluster an older release ranked otherwise keeps its representative
    when a copy of it is edited or joins it."""
    members = list(members)
    first = min(members if candidates is None else candidates, key=representative_key)
    canonical = canonical_form_of_former(first.url)
    if canonical is None:
        return first
    return next((member for member in members if member.url == canonical), first)


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
        # dated_alike, with the headlines' overlap tested before their numbers: it is cheaper
        # than reading the numbers, and refuses most candidates.
        if (
            days_apart(self.marks.published, other.published) > MAX_DAYS_APART
            or not headlines_overlap(self.article.title, other.title)
            or not headlines_agree(self.article.title, other.title)
        ):
            return None
        codes = folded_codes(other.title, other.body)
        apart = dated_apart(self.marks.published, other.published)
        if not numbers_agree(self.fp.numbers, number_hashes(codes), apart):
            return None
        if self._whole is None:
            self._whole = sketch(
                shingle_hashes(folded_codes(self.article.title, self.article.body)), None
            )
        found = overlap(self._whole, sketch(shingle_hashes(codes), None))
        return Match(2, 1 - found.contained) if holds(found, self.containment) else None
