"""The learned relevance model: a logistic regression over Thai-friendly features.

What a reader of the labelling guide looks at is the headline and the opening
(about 1,200 characters): is the main subject digital, is a partner named, is
it joint work. The model sees the same, as two blocks of features:

- ``opening``: character 3-grams of the headline, the headline again, and the
  first ``OPENING_CHARS`` characters of the body (Thai has no spaces, so
  character n-grams stand in for words; they also catch English names),
- ``signals``: the rule signals of :mod:`thaidigest.relevance` (how strongly
  each term group, digital, cooperation, negative, each topic, matched in the
  title, the lead and the body), the product of the article's digital and
  cooperation strengths (the guide's two conditions together:
  :func:`~thaidigest.relevance.role_signals`), and its partner signals (which
  kinds of partner the headline and opening name, and how many:
  :func:`~thaidigest.relevance.partner_signals`).

Why these, by 5-fold cross-validation on the train split (pooled F1 at the
0.5 threshold): 3-grams alone gave 0.799, 2-, 3- and 4-grams 0.797, and
3-grams are a third as many to hash and look up (measured on rounds 1-3).
With round 4's hard cases, at ``training.C`` 10 and 40: the headline as a
block of its own beside the opening, 0.742 and 0.746; the opening alone, 0.757
and 0.768; the headline counted twice in the opening, 0.763 and 0.770. One
block is also one lookup an article instead of two. A model scores the
n-gram sizes its file holds (the lengths of its n-grams), so a model trained
with other sizes is scored as it was trained.

Tried with rounds 1-5 (the same folds, pooled F1 0.773 at 0.5, precision
0.808), none kept: NB-SVM log-count-ratio scaling of the n-grams (0.692-0.755),
binary tf (0.761), ``min_df`` 2, 5, 10 (0.777, 0.772, 0.767), the signals
scaled by 0.5-3 (0.767-0.773), headline 4-grams as a block (0.764), the last 600
characters of the body (0.771), an opening of 900 or 1,000 characters (0.771,
0.767), a linear SVM calibrated (0.754-0.771). Balanced classes gave 0.786 by
recall, precision falling to 0.773. Products of the partner signals with the
digital and cooperation strengths, and the strengths squared, gave 0.776-0.783
on these folds, but on five other fold draws 0.001-0.004 more than today on
average, and less on one or two of them: within the spread, not worth a retrain.
A second stage over the model's logit and signals (gradient-boosted trees of depth 2-3,
or products of signals) moved pooled F1 by -0.014 to +0.008 on three fold draws: the
one product signal and the n-grams already carry the guide's AND (docs/measurements.md).

A second stage reads an article again by its words when the first is unsure of it
(:class:`WordStage`): a logistic regression over PyThaiNLP's words and word pairs of
the first 3,000 characters of the headline and body (:mod:`thaidigest.words`), whose
log-odds a logistic "stacker" weighs against the first stage's. Words see what
n-grams cut apart (``หุ่นยนต์`` is one word, not six 3-grams that other words share).
By 5-fold cross-validation on the train split, pooled F1 at 0.5 went from 0.740 to
0.765 and from 0.743 to 0.758 on two fold draws, by recall at the same precision.
Tokenising costs many times what the first stage does, so the stage is asked only for
a Thai article whose first-stage probability is between 0.2 and 0.8: on the folds that
band keeps the whole gain (0.1-0.9 and the whole range give the same F1), and over the
63,136 corpus articles it holds 3 in 1,000 (docs/measurements.md).

N-gram blocks are TF-IDF weighted (``1 + log(tf)`` times the training idf) and
scaled to unit length, as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``
does. The probability is ``1 / (1 + exp(-(bias + w . x)))``.

The labelled articles are almost all Thai (one relevant English article among
69), so n-gram weights say nothing about English except that it is rare among
relevant news. An article that is not in Thai is therefore scored by a second
head of the same file, a logistic regression over the rule signals alone,
which are bilingual by design (``relevance_rules.toml``).

The model file is an ``.npz`` of plain arrays (strings and floats), read with
``allow_pickle=False``: loading a model never runs code. A file larger than
``MAX_MODEL_BYTES``, or whose arrays would unpack to more, is refused before any array
is read: a few kilobytes of zip can unpack to gigabytes. N-grams are stored as
text, so a reviewer (and ``thaidigest explain``) can read which ones count;
they are matched by a 64-bit polynomial hash computed with numpy, which is
what keeps scoring to about a tenth of a millisecond an article.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import math
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np

from thaidigest.words import word_features

__all__ = [
    "BLOCKS",
    "STACKING",
    "WORD_BLOCK",
    "Contribution",
    "Model",
    "WordStage",
    "load_model",
    "model_bytes",
    "ngrams",
    "opening_text",
    "read_model",
    "sigmoid",
]

# What a model file is, for a file that is not one.
PLAIN_ARRAYS = "an .npz of plain arrays, as thaidigest train-relevance writes"
MIB = 2**20
# The most a model file, and its arrays unpacked, may hold: the packaged model's file has
# 2.2 MiB and its arrays 9.4 MiB (36,000 n-grams, 134,000 words and word pairs, most of
# it the words' text); 32 MiB leaves room for a model trained on three times the data.
MAX_MODEL_BYTES = 32 * MIB
# A zip member's flag bit saying it is encrypted: zipfile asks for a password to read it.
ZIP_ENCRYPTED = 0x1
# The ways of packing a zip member zipfile unpacks (numpy writes the first two); it has
# none for another (implode, AES).
ZIP_READABLE_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
# The .npy header readers of the format versions numpy writes plain arrays in.
NPY_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
DEFAULT_MODEL = "relevance_model.npz"
OPENING_CHARS = 1200  # what the labelling guide's readers read after the headline
NGRAM_SIZES = (3,)  # what training uses; see the module docstring
BLOCKS = ("opening",)  # the n-gram blocks; "signals" is the other block
WORD_BLOCK = "words"  # the word stage's features (WordStage), in contributions
# The largest a model file's number may be either side: a trained weight or idf is below
# 100; a number near the largest float would make an article's log-odds infinite or NaN.
MAX_MODEL_NUMBER = 1e6
# The arrays of a model file's word stage: all of them, or none (a model trained before it).
WORD_STAGE_ARRAYS = (
    "stack",
    "stack_band",
    "words_bias",
    "words_features",
    "words_idf",
    "words_weights",
)
# The word stage's change to an article's log-odds that no word stands for: the word model's
# intercept and the stacker's weighing of the first stage (Model.contributions).
STACKING = "(the word reading's start and its weighing of the first reading)"
_SALT = {"opening": 2}  # each block's seed, so that the same n-gram in two blocks hashes apart
_PRIME = np.uint64(1_099_511_628_211)  # above every code point, so no two n-grams mix
# Spreads a hash's bits into its top bits, a slot in the vocabulary's table (Knuth's
# multiplicative hashing): a polynomial hash's top bits hardly depend on its last character.
_MIX = np.uint64(0x9E3779B97F4A7C15)
_TEXTS_AT_ONCE = 256  # Block.vectors: 32 to 1,000 take about as long, 3,000 a third more
_TABLE_LOAD = 2  # a vocabulary's table has at least 2 slots an n-gram


def opening_text(title: str, body: str) -> str:
    """The headline and the start of the body: the text a labeller reads."""
    return f"{title}\n{body[:OPENING_CHARS]}"


def block_texts(title: str, body: str) -> dict[str, str]:
    """The text of each n-gram block, lower-cased (English names match in any case): the
    opening with its headline twice, which weighs the headline's n-grams as a reader does."""
    return {"opening": f"{title}\n{opening_text(title, body)}".lower()}


def ngrams(text: str, sizes: Sequence[int] = NGRAM_SIZES) -> list[str]:
    """Every character n-gram of ``text`` of the given sizes, in order, with repeats."""
    return [text[i : i + n] for n in sizes for i in range(len(text) - n + 1)]


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(
        np.uint64
    )


def ngram_hashes(text: str, block: str, sizes: Sequence[int] = NGRAM_SIZES) -> np.ndarray:
    """The hash of every n-gram of ``text`` in ``block``, as :func:`ngrams` lists them."""
    points = _codepoints(text)
    parts = [_hashes(points, block, n) for n in sizes if len(points) >= n]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def _hashes(points: np.ndarray, block: str, n: int) -> np.ndarray:
    """The hash of the n-gram starting at each code point of ``points`` that starts one."""
    count = len(points) - n + 1
    hashed = np.full(count, _SALT[block] * 16 + n, dtype=np.uint64)
    for k in range(n):
        hashed = hashed * _PRIME + points[k : k + count]
    return hashed


def _hash_each(grams: Sequence[str], block: str) -> np.ndarray:
    """The hash of each n-gram in ``grams``: those of one length, run together, are
    hashed as one text, of which every n-th n-gram is one of them."""
    hashes = np.zeros(len(grams), dtype=np.uint64)
    lengths = np.array([len(g) for g in grams])
    for n in np.unique(lengths).tolist():
        where = np.flatnonzero(lengths == n)
        joined = "".join(grams[i] for i in where)
        hashes[where] = ngram_hashes(joined, block, (n,))[::n]
    return hashes


@dataclass(frozen=True)
class Block:
    """One n-gram block: its vocabulary (sorted by hash), idf and weights."""

    grams: np.ndarray  # str, the n-grams, in the order of ``hashes``
    sizes: tuple[int, ...]  # the lengths of the n-grams: what a text is cut into
    hashes: np.ndarray  # uint64, sorted
    idf: np.ndarray  # float64
    weights: np.ndarray  # float64

    @classmethod
    def of(cls, grams: Sequence[str], idf: np.ndarray, weights: np.ndarray, name: str) -> Block:
        hashes = _hash_each(list(grams), name)
        order = np.argsort(hashes, kind="stable")
        if len(hashes) and np.any(np.diff(hashes[order]) == 0):
            raise ValueError(f"model block {name!r}: two n-grams share a hash")
        return cls(
            np.asarray(grams)[order],
            tuple(sorted({len(gram) for gram in grams})),
            hashes[order],
            np.asarray(idf, dtype=np.float64)[order],
            np.asarray(weights, dtype=np.float64)[order],
        )

    def vector(self, text: str, block: str) -> tuple[np.ndarray, np.ndarray]:
        """The positions in the vocabulary that ``text`` holds and their TF-IDF values."""
        return self.vectors([text], block)[0]

    def vectors(self, texts: Sequence[str], block: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`vector` of each of ``texts``, the same arrays, for less CPU time.

        Scored one by one, an article's few thousand n-grams take some forty numpy
        calls, and those calls' own cost is most of the time; here the n-grams of
        all the texts are hashed, looked up and counted by the same few calls, a few
        hundred texts at a time (more would not keep the arrays in the CPU's caches).
        """
        return [
            vector
            for start in range(0, len(texts), _TEXTS_AT_ONCE)
            for vector in self._vectors(texts[start : start + _TEXTS_AT_ONCE], block)
        ]

    def _vectors(self, texts: Sequence[str], block: str) -> list[tuple[np.ndarray, np.ndarray]]:
        if not len(self.hashes):
            return [(np.zeros(0, dtype=np.intp), np.zeros(0)) for _ in texts]
        bits = max(1, (len(self.hashes) - 1).bit_length())  # bits of a vocabulary position
        # Key of an n-gram found: its text's index, then its position; 32 bits sort faster.
        kind = np.uint32 if len(texts) << bits <= 1 << 32 else np.uint64
        points = _codepoints("".join(texts))
        lengths = [len(text) for text in texts]
        ends = np.cumsum(lengths, dtype=np.intp)
        owner = np.repeat(np.arange(len(texts), dtype=kind), lengths)
        keys = []
        for n in self.sizes:
            if len(points) < n:
                continue
            hashes = _hashes(points, block, n)
            whole = np.ones(len(hashes), dtype=bool)  # n-grams within one text
            for k in range(1, n):
                across = ends - k
                whole[across[(across >= 0) & (across < len(hashes))]] = False
            positions = self._positions(hashes)
            whole &= positions >= 0
            keys.append((owner[: len(hashes)][whole] << kind(bits)) | positions[whole].astype(kind))
        found = np.sort(np.concatenate(keys)) if keys else np.zeros(0, dtype=kind)
        # np.unique(..., return_counts=True), without its overhead.
        first = np.empty(len(found), dtype=bool)
        first[:1] = True
        np.not_equal(found[1:], found[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        counts = np.empty_like(starts)
        np.subtract(starts[1:], starts[:-1], out=counts[:-1])
        counts[-1:] = len(found) - starts[-1:]
        found = found[starts]
        positions = (found & kind((1 << bits) - 1)).astype(np.intp)
        values = (1.0 + np.log(counts)) * self.idf[positions]
        bounds = np.searchsorted(found >> kind(bits), np.arange(len(texts) + 1, dtype=kind))
        vectors = []
        for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            mine = values[start:end]
            norm = math.sqrt(float(mine @ mine))
            vectors.append((positions[start:end], mine / norm if norm else mine))
        return vectors

    def _positions(self, hashes: np.ndarray) -> np.ndarray:
        """The position of each hash in the vocabulary, -1 for those not in it."""
        table, at, spill, spilled = self._table
        slots = _slots(hashes, len(table))
        positions = at[slots].astype(np.intp)
        missed = np.flatnonzero(table[slots] != hashes)
        if len(missed) and len(spill):
            wanted = hashes[missed]
            where = np.minimum(np.searchsorted(spill, wanted), len(spill) - 1)
            positions[missed] = np.where(spill[where] == wanted, spilled[where], -1)
        elif len(missed):
            positions[missed] = -1
        return positions

    @cached_property
    def _table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The vocabulary as a hash table: one hash a slot (a binary search of the sorted
        hashes costs as much as the rest of the lookup), those whose slot was taken
        already in a sorted array of their own (about one in nine).

        ``(hash at slot, position at slot or -1, other hashes sorted, their positions)``.
        """
        size = 1 << max(1, (_TABLE_LOAD * len(self.hashes) - 1).bit_length())
        slots = _slots(self.hashes, size)
        _, first = np.unique(slots, return_index=True)
        table = np.zeros(size, dtype=np.uint64)
        at = np.full(size, -1, dtype=np.int32)
        table[slots[first]] = self.hashes[first]
        at[slots[first]] = first
        rest = np.ones(len(self.hashes), dtype=bool)
        rest[first] = False
        spilled = np.flatnonzero(rest)
        return table, at, self.hashes[spilled], spilled


def _slots(hashes: np.ndarray, size: int) -> np.ndarray:
    """The slot of each hash in a table of ``size`` (a power of two) slots."""
    return (hashes * _MIX) >> np.uint64(65 - size.bit_length())


@dataclass(frozen=True)
class WordStage:
    """The model's second stage: a logistic regression over the article's words
    (:func:`~thaidigest.words.word_features`, TF-IDF weighted as the n-grams are),
    stacked with the first stage: the article's log-odds become
    ``first * (first stage's) + words * (word model's) + bias``.

    It is asked only for a Thai article whose first-stage probability lies between
    ``low`` and ``high``: tokenising costs many times what the first stage does
    (docs/measurements.md), and outside that band it changes hardly a verdict (5-fold
    cross-validation on the train split: see :mod:`thaidigest.training`).
    """

    features: np.ndarray  # str, the words and word pairs, sorted
    idf: np.ndarray  # float64
    weights: np.ndarray  # float64
    word_bias: float  # the word model's intercept
    first: float  # the stacker's weight of the first stage's log-odds
    words: float  # its weight of the word model's log-odds
    bias: float  # its intercept
    low: float  # the first-stage probabilities between which the stage is asked
    high: float

    @cached_property
    def _position(self) -> dict[str, int]:
        return {str(feature): i for i, feature in enumerate(self.features.tolist())}

    def load(self) -> None:
        """Build now what the first article read by words would: the word index, and the
        dictionary trie PyThaiNLP's ``newmm`` cuts words with (their cost:
        docs/measurements.md).

        Not in words.py: its source is part of what a stored verdict was given with
        (:func:`~thaidigest.words.tokeniser_digest`), and this changes no word.
        """
        from pythainlp.tokenize import word_dict_trie

        self._position  # noqa: B018 (a cached property: built when first read)
        word_dict_trie()

    def asks(self, first_log_odds: float) -> bool:
        """Whether an article the first stage gave ``first_log_odds`` is read again by words."""
        return self.low <= sigmoid(first_log_odds) <= self.high

    def vector(self, features: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the ``features`` the stage knows and their TF-IDF values."""
        counts: dict[int, int] = {}
        for feature in features:
            position = self._position.get(feature)
            if position is not None:
                counts[position] = counts.get(position, 0) + 1
        positions = np.array(sorted(counts), dtype=np.intp)
        values = (1.0 + np.log([counts[p] for p in positions.tolist()])) * self.idf[positions]
        norm = math.sqrt(float(values @ values))
        return positions, values / norm if norm else values

    def word_log_odds(self, features: Sequence[str]) -> float:
        """The word model's log-odds alone."""
        positions, values = self.vector(features)
        return self.word_bias + float(values @ self.weights[positions])

    def stacked(self, first_log_odds: float, word_log_odds: float) -> float:
        """The article's log-odds from the two stages'."""
        return self.first * first_log_odds + self.words * word_log_odds + self.bias


class Contribution(NamedTuple):
    """How much one feature moved an article's log-odds (positive: towards relevant)."""

    block: str  # "opening" | "signals"
    feature: str  # the n-gram, or the rule signal ``group@place``
    value: float


@dataclass(frozen=True)
class Model:
    """A trained relevance model (see the module docstring)."""

    blocks: Mapping[str, Block]
    signal_names: tuple[str, ...]  # rule signals, ``group@place``
    signal_weights: np.ndarray
    bias: float
    signals_only_weights: np.ndarray  # the head for articles not in Thai
    signals_only_bias: float
    card: Mapping[str, object]  # how it was trained: data, settings, figures
    digest: str  # sha256 of the model file: what scored an article
    word_stage: WordStage | None = None  # None: a model trained before it (one stage)

    @cached_property
    def _signal_weight(self) -> dict[str, float]:
        return dict(zip(self.signal_names, self.signal_weights.tolist(), strict=True))

    @cached_property
    def _signals_only_weight(self) -> dict[str, float]:
        return dict(zip(self.signal_names, self.signals_only_weights.tolist(), strict=True))

    def signal_weight(self, language: str = "th") -> Mapping[str, float]:
        """The weight of each signal in the head that scores an article in ``language``."""
        return self._signal_weight if language == "th" else self._signals_only_weight

    def log_odds(
        self, title: str, body: str, signals: Mapping[str, float], language: str = "th"
    ) -> float:
        (total,) = self.log_odds_each([(title, body, signals, language)])
        return total

    def log_odds_each(
        self, articles: Sequence[tuple[str, str, Mapping[str, float], str]]
    ) -> list[float]:
        """:meth:`log_odds` of each ``(title, body, signals, language)``, the same floats:
        the n-grams of all the Thai articles are looked up together (:meth:`Block.vectors`).
        """
        thai = [i for i, article in enumerate(articles) if article[3] == "th"]
        totals = [
            self.bias if language == "th" else self.signals_only_bias for *_, language in articles
        ]
        for name in BLOCKS:
            block = self.blocks[name]
            texts = [block_texts(articles[i][0], articles[i][1])[name] for i in thai]
            for i, (positions, values) in zip(thai, block.vectors(texts, name), strict=True):
                totals[i] += float(values @ block.weights[positions])
        for i, (_, _, signals, language) in enumerate(articles):
            weight = self.signal_weight(language)
            totals[i] += sum(weight.get(name, 0.0) * value for name, value in signals.items())
        stage = self.word_stage
        if stage is not None:
            for i in thai:
                if stage.asks(totals[i]):
                    features = word_features(articles[i][0], articles[i][1])
                    totals[i] = stage.stacked(totals[i], stage.word_log_odds(features))
        return totals

    def stacks(
        self, title: str, body: str, signals: Mapping[str, float], language: str = "th"
    ) -> bool:
        """Whether the article's log-odds are those of the two stages stacked
        (:class:`WordStage`), not the first stage's alone."""
        if self.word_stage is None or language != "th":
            return False
        first = sum(c.value for c in self._first_stage(title, body, signals, language))
        return self.word_stage.asks(first)

    def probability(
        self, title: str, body: str, signals: Mapping[str, float], language: str = "th"
    ) -> float:
        """The probability that an article is relevant, in 0..1."""
        return sigmoid(self.log_odds(title, body, signals, language))

    def probabilities(
        self, articles: Sequence[tuple[str, str, Mapping[str, float], str]]
    ) -> list[float]:
        """:meth:`probability` of each ``(title, body, signals, language)``, for less CPU time."""
        return [sigmoid(total) for total in self.log_odds_each(articles)]

    def contributions(
        self, title: str, body: str, signals: Mapping[str, float], language: str = "th"
    ) -> list[Contribution]:
        """Every feature present in the article with its share of the log-odds, largest first.

        The intercept is listed as ``("bias", "intercept")``. When the word stage reads
        the article, the first stage's shares are listed as they are, and the ``words``
        block holds what reading the words changed: each word's share as the stacker
        weighs it, and :data:`STACKING`, the rest of the change (the word model's
        intercept and the stacker's weighing of the first stage). The shares add up to
        the log-odds either way.
        """
        found = self._first_stage(title, body, signals, language)
        stage = self.word_stage
        if stage is not None and language == "th" and stage.asks(sum(c.value for c in found)):
            found = _stacked_contributions(stage, found, word_features(title, body))
        return sorted(found, key=lambda c: (-abs(c.value), c.block, c.feature))

    def _first_stage(
        self, title: str, body: str, signals: Mapping[str, float], language: str
    ) -> list[Contribution]:
        """The first stage's contributions, unsorted."""
        if language != "th":
            weight = self._signals_only_weight
            found = [Contribution("bias", "intercept (signals-only head)", self.signals_only_bias)]
            found.extend(
                Contribution("signals", name, weight[name] * value)
                for name, value in signals.items()
                if name in weight and value
            )
            return found
        found = [Contribution("bias", "intercept", self.bias)]
        for name, text in block_texts(title, body).items():
            block = self.blocks[name]
            positions, values = block.vector(text, name)
            for position, value in zip(positions.tolist(), values.tolist(), strict=True):
                found.append(
                    Contribution(name, str(block.grams[position]), value * block.weights[position])
                )
        for signal, value in signals.items():
            if signal in self._signal_weight and value:
                found.append(Contribution("signals", signal, self._signal_weight[signal] * value))
        return found


def _stacked_contributions(
    stage: WordStage, first: Sequence[Contribution], features: Sequence[str]
) -> list[Contribution]:
    """The contributions to the stacked log-odds of an article whose first stage's are
    ``first`` and whose words are ``features`` (:meth:`Model.contributions`): ``first``,
    then what the word stage changed."""
    first_log_odds = sum(c.value for c in first)
    positions, values = stage.vector(features)
    words = [
        Contribution(WORD_BLOCK, str(stage.features[p]), stage.words * v * stage.weights[p])
        for p, v in zip(positions.tolist(), values.tolist(), strict=True)
    ]
    stacked = stage.stacked(first_log_odds, stage.word_log_odds(features))
    rest = stacked - first_log_odds - sum(c.value for c in words)
    return [*first, *words, Contribution(WORD_BLOCK, STACKING, rest)]


def sigmoid(x: float) -> float:
    """The probability of log-odds ``x``, in 0..1 (no overflow at either end)."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def model_bytes(
    *,
    blocks: Mapping[str, tuple[Sequence[str], np.ndarray, np.ndarray]],
    signal_names: Sequence[str],
    signal_weights: np.ndarray,
    bias: float,
    signals_only_weights: np.ndarray,
    signals_only_bias: float,
    card: Mapping[str, object],
    word_stage: WordStage | None = None,
) -> bytes:
    """A model as the bytes of an ``.npz`` of plain arrays, byte for byte the same for the
    same model: ``blocks`` maps a block name to its n-grams, idf and weights, and arrays are
    written in a fixed order with a fixed timestamp, so retraining on the same data writes
    the same file.

    The word stage's words are one text, a word or word pair a line: as an array of
    strings each would take the room of the longest.
    """
    arrays: dict[str, np.ndarray] = {}
    for name in BLOCKS:
        grams, idf, weights = blocks[name]
        order = sorted(range(len(grams)), key=lambda i: grams[i])
        arrays[f"{name}_ngrams"] = np.array([grams[i] for i in order], dtype=str)
        arrays[f"{name}_idf"] = np.asarray(idf, dtype=np.float64)[order]
        arrays[f"{name}_weights"] = np.asarray(weights, dtype=np.float64)[order]
    arrays["signal_names"] = np.array(list(signal_names), dtype=str)
    arrays["signal_weights"] = np.asarray(signal_weights, dtype=np.float64)
    arrays["bias"] = np.array([bias], dtype=np.float64)
    arrays["signals_only_weights"] = np.asarray(signals_only_weights, dtype=np.float64)
    arrays["signals_only_bias"] = np.array([signals_only_bias], dtype=np.float64)
    arrays["card"] = np.array([json.dumps(card, ensure_ascii=False, sort_keys=True)], dtype=str)
    if word_stage is not None:
        order = np.argsort(word_stage.features, kind="stable")
        arrays["words_features"] = np.array(["\n".join(word_stage.features[order].tolist())])
        arrays["words_idf"] = np.asarray(word_stage.idf, dtype=np.float64)[order]
        arrays["words_weights"] = np.asarray(word_stage.weights, dtype=np.float64)[order]
        arrays["words_bias"] = np.array([word_stage.word_bias], dtype=np.float64)
        arrays["stack"] = np.array([word_stage.first, word_stage.words, word_stage.bias])
        arrays["stack_band"] = np.array([word_stage.low, word_stage.high])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, arrays[key], allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def read_model(source: Path | bytes) -> Model:
    """Read a model :func:`model_bytes` wrote; never unpickles anything.

    Raises ValueError when the file is not such a model.
    """
    content = _model_file(source) if isinstance(source, Path) else source
    try:
        return _model_of(_plain_arrays(content), hashlib.sha256(content).hexdigest())
    except KeyError as missing:
        raise ValueError(f"not a thaidigest relevance model (it has no array {missing})") from None
    except (IndexError, json.JSONDecodeError) as error:
        raise ValueError(f"not a thaidigest relevance model ({error})") from None


def _model_file(path: Path) -> bytes:
    """The bytes of the model file at ``path``; ValueError, having read no more than
    ``MAX_MODEL_BYTES`` and a byte, when it holds more."""
    with path.open("rb") as file:
        content = file.read(MAX_MODEL_BYTES + 1)
    if len(content) > MAX_MODEL_BYTES:
        raise ValueError(
            f"not a thaidigest relevance model (larger than {MAX_MODEL_BYTES // MIB} MiB,"
            " the most a model file may be)"
        )
    return content


def _plain_arrays(content: bytes) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file's bytes, none of them unpickled.

    Raises ValueError, in words of its own, when the file is no ``.npz`` of plain
    arrays: numpy's would advise loading a pickle, which may run any code. One whose
    members declare more than ``MAX_MODEL_BYTES`` unpacked is refused before any is
    unpacked, as is one with an encrypted member or one packed in a way zipfile does not
    unpack, and an array whose header declares more than its member holds before it
    is read (numpy would make room for all it declares first).
    """
    refused = ValueError(f"not a thaidigest relevance model ({PLAIN_ARRAYS})")
    if not zipfile.is_zipfile(io.BytesIO(content)):  # else numpy reads an .npy or a pickle
        raise refused
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (ValueError, OSError, EOFError, zipfile.BadZipFile):
        raise refused from None
    with archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if unpacked > MAX_MODEL_BYTES:
            raise ValueError(
                f"not a thaidigest relevance model (its arrays would unpack to"
                f" {unpacked / MIB:,.0f} MiB, more than the {MAX_MODEL_BYTES // MIB} MiB"
                " a model may hold)"
            )
        if any(
            member.flag_bits & ZIP_ENCRYPTED or member.compress_type not in ZIP_READABLE_METHODS
            for member in members
        ):
            raise refused  # zipfile would ask for a password, or have no way to unpack it
        try:
            return {
                member.filename.removesuffix(".npy"): _member_array(archive, member)
                for member in members
            }
        except (
            ValueError,
            OSError,
            EOFError,
            NotImplementedError,  # a local header's flags zipfile does not read (bit 6)
            zipfile.BadZipFile,
            zlib.error,
            lzma.LZMAError,
        ):
            raise refused from None


def _member_array(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> np.ndarray:
    """The plain array of one ``.npy`` member; ValueError when it is none, or its header
    declares more bytes than the member holds unpacked (an item of no bytes, ``<U0``,
    counted as one: a billion of them are a billion strings)."""
    with archive.open(member) as stream:
        reader = NPY_HEADER_READERS.get(np.lib.format.read_magic(stream))
        if reader is None:
            raise ValueError(f"{member.filename}: not a plain .npy array")
        shape, _, dtype = reader(stream)
        if math.prod(shape) * max(dtype.itemsize, 1) > member.file_size:
            raise ValueError(f"{member.filename}: declares more than it holds")
    with archive.open(member) as stream:
        return np.lib.format.read_array(stream, allow_pickle=False)


def _model_of(data: Mapping[str, np.ndarray], digest: str) -> Model:
    unknown = sorted({key[: -len("_ngrams")] for key in data if key.endswith("_ngrams")})
    if unknown and unknown != sorted(BLOCKS):  # none: not a model at all (below)
        raise ValueError(
            f"a model with the n-gram blocks {', '.join(unknown) or 'none'}, not "
            f"{', '.join(BLOCKS)}: one trained by another version of thaidigest; "
            "retrain it with thaidigest train-relevance"
        )
    blocks = {}
    for name in BLOCKS:
        grams = _texts(data, f"{name}_ngrams")
        idf, weights = _numbers(data, f"{name}_idf"), _numbers(data, f"{name}_weights")
        if not len(grams) == len(idf) == len(weights):
            raise ValueError(f"block {name!r}: n-grams, idf and weights differ in length")
        blocks[name] = Block.of(grams, idf, weights, name)
    stage_arrays = sorted(key for key in data if key.startswith(("words_", "stack")))
    if stage_arrays and stage_arrays != sorted(WORD_STAGE_ARRAYS):
        raise ValueError(
            f"a word stage needs the arrays {', '.join(sorted(WORD_STAGE_ARRAYS))};"
            f" it has {', '.join(stage_arrays)}"
        )
    model = Model(
        blocks=blocks,
        signal_names=tuple(_texts(data, "signal_names")),
        signal_weights=_numbers(data, "signal_weights"),
        bias=_number(data, "bias"),
        signals_only_weights=_numbers(data, "signals_only_weights"),
        signals_only_bias=_number(data, "signals_only_bias"),
        card=json.loads(str(data["card"][0])),
        digest=digest,
        word_stage=_word_stage_of(data) if stage_arrays else None,
    )
    if not len(model.signal_names) == len(model.signal_weights) == len(model.signals_only_weights):
        raise ValueError("signal names and weights differ in length")
    return model


def _numbers(data: Mapping[str, np.ndarray], key: str, length: int | None = None) -> np.ndarray:
    """The array ``key`` as float64: ValueError unless it is a row of numbers (of
    ``length`` when given), none beyond :data:`MAX_MODEL_NUMBER` either side (a larger
    one, or an infinite one, would make an article's log-odds infinite or NaN)."""
    array = data[key]
    if array.ndim != 1 or array.dtype.kind not in "fiu":
        raise ValueError(f"{key} is not a row of numbers")
    if length is not None and len(array) != length:
        raise ValueError(f"{key} holds {len(array)} numbers, not {length}")
    numbers = array.astype(np.float64)
    if not np.all(np.abs(numbers) <= MAX_MODEL_NUMBER):  # NaN too
        raise ValueError(
            f"{key} holds a number that is not finite or beyond {MAX_MODEL_NUMBER:,.0f}"
        )
    return numbers


def _texts(data: Mapping[str, np.ndarray], key: str) -> list[str]:
    """The array ``key`` as a list of texts: ValueError unless it is a row of non-empty
    texts."""
    array = data[key]
    if array.ndim != 1 or array.dtype.kind != "U":
        raise ValueError(f"{key} is not a row of texts")
    texts = array.tolist()
    if "" in texts:
        raise ValueError(f"{key} holds an empty text")
    return texts


def _number(data: Mapping[str, np.ndarray], key: str) -> float:
    """The one number of the array ``key`` (:func:`_numbers`)."""
    return float(_numbers(data, key, 1)[0])


def _word_stage_of(data: Mapping[str, np.ndarray]) -> WordStage:
    """The word stage of a model file's arrays; ValueError when they do not make one."""
    text = data["words_features"]
    if text.shape != (1,) or text.dtype.kind != "U":
        raise ValueError("words_features is not one text")
    features = str(text[0]).split("\n") if str(text[0]) else []
    if len(set(features)) != len(features):
        raise ValueError("the word stage lists a word twice")
    first, words, bias = _numbers(data, "stack", 3).tolist()
    low, high = _numbers(data, "stack_band", 2).tolist()
    stage = WordStage(
        features=np.array(features, dtype=object),
        idf=_numbers(data, "words_idf"),
        weights=_numbers(data, "words_weights"),
        word_bias=_number(data, "words_bias"),
        first=first,
        words=words,
        bias=bias,
        low=low,
        high=high,
    )
    if not len(stage.features) == len(stage.idf) == len(stage.weights):
        raise ValueError("the word stage's words, idf and weights differ in length")
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(f"the word stage's band {low}-{high} is not within 0-1")
    return stage


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> Model:
    """The model file at ``path``, or the model shipped in the package; read once."""
    if path:
        return read_model(Path(path))
    return read_model(resources.files("thaidigest").joinpath(DEFAULT_MODEL).read_bytes())
