"""Train the relevance model from labelled articles (``thaidigest train-relevance``).

Labels are JSON lines with ``id``, ``label`` (1 relevant, 0 not) and
``split``; only the ``train`` split is used, so a held-out ``test`` split
stays unseen. Texts come from a corpus-format JSON lines file (plain or xz)
and go through the same normalisation as an import, so the model sees what
it will score.

Training is deterministic: articles in id order, a vocabulary of the n-grams
found in at least ``min_df`` training articles, and scikit-learn's
logistic regression (L-BFGS, L2 penalty ``1/C``). The same data gives the
same model file, byte for byte. scikit-learn is needed here only: scoring
uses the arrays of the model file (``pip install 'thaidigest[train]'``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from thaidigest.classifier import (
    BLOCKS,
    NGRAM_SIZES,
    OPENING_CHARS,
    WORD_BLOCK,
    Block,
    WordStage,
    block_texts,
    model_bytes,
    ngrams,
    read_model,
)
from thaidigest.ingest import Rejected
from thaidigest.model import Article
from thaidigest.normalise import normalise_article
from thaidigest.partners import partner_table_digest
from thaidigest.readers import read_jsonl_file, read_paths
from thaidigest.relevance import (
    PARTNER_SIGNALS,
    PLACES,
    ROLE_SIGNALS,
    Rules,
    model_inputs,
    rules_digest,
    rules_from_text,
    signals,
)
from thaidigest.words import WORD_CHARS, word_features

__all__ = ["Example", "read_examples", "read_labelled_articles", "train_model"]

C = 40.0  # inverse L2 strength: 5-fold cross-validation on the train split gives pooled F1
# 0.752 at C 5, 0.763 at 10, 0.768 at 20, 0.770 at 40, 0.773 at 80: a plateau from 20, 40 in it
SIGNALS_ONLY_C = 0.3  # the same for the signals-only head (articles not in Thai)
MIN_DF = 3  # n-grams seen in fewer training articles are left out of the vocabulary
SIGNAL_ROLES = ("digital", "cooperation", "negative")  # plus every topic
WORDS_C = 10.0  # the word stage's inverse L2 strength, as the baseline
WORDS_MIN_DF = 2  # words and word pairs in fewer training articles are left out
STACK_FOLDS = 4  # the folds whose held-out log-odds the stacker is fitted on
STACK_C = 1.0  # the stacker's inverse L2 strength (two weights and an intercept)
# The first-stage probabilities between which the word stage is asked: outside them it
# changed no more verdicts than within the folds' noise (docs/measurements.md).
STACK_BAND = (0.2, 0.8)
# Every fit is solved to its optimum, not near it: Newton steps until no gradient entry
# exceeds TOLERANCE. Each fit's objective has one minimum, so another CPU (other BLAS
# and numpy kernels, other last bits) lands within about 1e-8 of the same weights;
# lbfgs at scikit-learn's tolerance stopped up to 0.12 away, where the last bits sent it.
SOLVER = "newton-cg"
TOLERANCE = 1e-10


@dataclass(frozen=True)
class Example:
    """One labelled article, normalised."""

    id: int
    label: int
    title: str
    body: str
    language: str


def read_labels(path: Path, split: str = "train") -> dict[int, int]:
    """``{id: label}`` for the articles of ``split`` in a labels JSON lines file."""
    labels: dict[int, int] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            if record.get("split") != split:
                continue
            if record.get("label") not in (0, 1):
                raise ValueError(f"{path}:{number}: label must be 0 or 1")
            labels[int(record["id"])] = int(record["label"])
    return labels


def read_labelled_articles(corpus_path: Path, ids: Collection[int]) -> dict[int, Article]:
    """The corpus articles with these ids, normalised, by id (the first copy of each).

    Raises ValueError naming the ids the corpus does not hold.
    """
    articles: dict[int, Article] = {}
    for item in read_jsonl_file(corpus_path):
        if isinstance(item, Rejected) or item.source_id is None:
            continue
        key = int(item.source_id)
        if key in ids and key not in articles:
            articles[key] = normalise_article(item)
    missing = sorted(set(ids) - set(articles))
    if missing:
        raise ValueError(f"labelled ids not in {corpus_path} ({len(missing)}): {missing[:5]}")
    return articles


def read_examples(labels_path: Path, corpus_path: Path, split: str = "train") -> list[Example]:
    """The labelled articles of ``split``, normalised, in id order."""
    return read_splits(labels_path, corpus_path, (split,))[split]


def read_splits(
    labels_path: Path, corpus_path: Path, splits: Sequence[str]
) -> dict[str, list[Example]]:
    """:func:`read_examples` of each split, from one read of the corpus."""
    labels = {split: read_labels(labels_path, split) for split in splits}
    articles = read_labelled_articles(corpus_path, set().union(*labels.values()))
    return {
        split: [
            Example(key, chosen[key], article.title, article.body, article.language)
            for key, article in sorted(articles.items())
            if key in chosen
        ]
        for split, chosen in labels.items()
    }


def read_relevant_examples(
    paths: Sequence[Path], held_out: Collection[int] = ()
) -> tuple[list[Example], list[str]]:
    """Articles the user gives as examples of relevant news (``--relevant``), label 1.

    Any importable file or folder; they get ids -1, -2, ... in the order read.
    An article whose id is in ``held_out`` (the test split) is left out, so the
    held-out figures stay honest; the second list names the ones left out.
    """
    examples: list[Example] = []
    left_out: list[str] = []
    for item in read_paths(list(paths)):
        if isinstance(item, Rejected):
            raise ValueError(f"{item.where}: {item.reason}")
        article = normalise_article(item)
        if article.source_id and article.source_id.isdigit() and int(article.source_id) in held_out:
            left_out.append(article.url)
            continue
        examples.append(
            Example(-(len(examples) + 1), 1, article.title, article.body, article.language)
        )
    return examples, left_out


def signal_names(rules: Rules) -> list[str]:
    """The model's signals: each rule group of a scoring role or a topic, in each place,
    the role signals and the partner signals."""
    groups = sorted(
        {
            member.group
            for members in rules.members.values()
            for member in members
            if member.role in SIGNAL_ROLES or member.role.startswith("topic:")
        }
    )
    return [
        *(f"{group}@{place}" for group in groups for place in PLACES),
        *PARTNER_SIGNALS,
        *ROLE_SIGNALS,
    ]


def _vocabulary(texts: Iterable[str], min_df: int) -> tuple[list[str], np.ndarray]:
    frequency: dict[str, int] = {}
    count = 0
    for text in texts:
        count += 1
        for gram in set(ngrams(text)):
            frequency[gram] = frequency.get(gram, 0) + 1
    grams = sorted(g for g, f in frequency.items() if f >= min_df)
    df = np.array([frequency[g] for g in grams], dtype=np.float64)
    return grams, np.log((1.0 + count) / (1.0 + df)) + 1.0


def train_model(
    examples: Sequence[Example], output: Path, *, c: float = C, min_df: int = MIN_DF
) -> dict[str, object]:
    """Fit the model on ``examples`` and write it to ``output``; returns its card."""
    rules = rules_from_text(None)
    names = signal_names(rules)
    inputs = [
        model_inputs(e.title, e.body, rules, signals(e.title, e.body, rules)) for e in examples
    ]
    first = _first_stage(examples, inputs, names, c, min_df)
    word_stage = _word_stage(examples, inputs, names, c, min_df)
    labels = [e.label for e in examples]
    card = {
        "trained_on": {
            "articles": len(examples),
            "relevant": int(sum(labels)),
            "sha256": _digest(examples),
            # The rules whose signals the model was trained on (see rules_digest).
            "rules_sha256": rules_digest(),
            "partners_sha256": partner_table_digest(),
            # Its dictionary decides what a word is.
            "pythainlp": version("pythainlp"),
        },
        "settings": {
            "C": c,
            "signals_only_C": SIGNALS_ONLY_C,
            "min_df": min_df,
            "ngram_sizes": list(NGRAM_SIZES),
            "opening_chars": OPENING_CHARS,
            "words_C": WORDS_C,
            "words_min_df": WORDS_MIN_DF,
            "word_chars": WORD_CHARS,
            "stack_folds": STACK_FOLDS,
            "stack_band": list(STACK_BAND),
            "solver": SOLVER,
            "tolerance": TOLERANCE,
        },
        "vocabulary": {
            **{name: len(first["blocks"][name][0]) for name in BLOCKS},
            WORD_BLOCK: 0 if word_stage is None else len(word_stage.features),
        },
    }
    output.write_bytes(model_bytes(**first, card=card, word_stage=word_stage))
    return card


def _first_stage(
    examples: Sequence[Example],
    inputs: Sequence[Mapping[str, float]],
    names: Sequence[str],
    c: float,
    min_df: int,
) -> dict[str, Any]:
    """The first stage fitted on ``examples`` (their model ``inputs``): the arguments of
    :func:`~thaidigest.classifier.model_bytes` but the card and the word stage."""
    texts = [block_texts(e.title, e.body) for e in examples]
    labels = np.array([e.label for e in examples])
    matrices = []
    for name in BLOCKS:
        grams, idf = _vocabulary((t[name] for t in texts), min_df)
        block = Block.of(grams, idf, np.zeros(len(grams)), name)
        rows = block.vectors([t[name] for t in texts], name)
        indptr = np.cumsum([0] + [len(p) for p, _ in rows])
        indices = np.concatenate([p for p, _ in rows]) if rows else np.zeros(0, np.intp)
        values = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
        # Columns in the block's hash order: model_bytes sorts each block by n-gram.
        matrices.append((block, csr_matrix((values, indices, indptr), (len(rows), len(grams)))))
    signal_matrix = csr_matrix(np.array([[s.get(n, 0.0) for n in names] for s in inputs]))
    features = hstack([m for _, m in matrices] + [signal_matrix]).tocsr()
    fitted = _fit(c, features, labels)
    signals_only = _fit(SIGNALS_ONLY_C, signal_matrix, labels)
    weights = fitted.coef_[0]
    blocks = {}
    offset = 0
    for name, (block, matrix) in zip(BLOCKS, matrices, strict=True):
        width = matrix.shape[1]
        blocks[name] = (block.grams.tolist(), block.idf, weights[offset : offset + width])
        offset += width
    return {
        "blocks": blocks,
        "signal_names": list(names),
        "signal_weights": weights[offset:],
        "bias": float(fitted.intercept_[0]),
        "signals_only_weights": signals_only.coef_[0],
        "signals_only_bias": float(signals_only.intercept_[0]),
    }


def _word_stage(
    examples: Sequence[Example],
    inputs: Sequence[Mapping[str, float]],
    names: Sequence[str],
    c: float,
    min_df: int,
) -> WordStage | None:
    """The word stage fitted on the Thai ``examples``, and the stacker that weighs it
    against the first stage, fitted on both stages' log-odds of articles they were not
    trained on (``STACK_FOLDS``-fold, the examples' positions modulo it).

    None when a fold's training articles, or its Thai ones, are all of one label (a few
    examples, or Thai ones all of one label), or no word is in two of a fold's Thai
    training articles: no stage can be fitted, and the model scores by its first stage
    alone.
    """
    thai = [i for i, e in enumerate(examples) if e.language == "th"]
    labels = np.array([examples[i].label for i in thai])
    fold = np.array(thai, dtype=np.intp) % STACK_FOLDS
    every_label = [
        len({examples[i].label for i in range(len(examples)) if i % STACK_FOLDS != held}) == 2
        and len(set(labels[fold != held].tolist())) == 2
        for held in range(STACK_FOLDS)
    ]
    if not all(every_label) or len(set(labels.tolist())) < 2:
        return None
    words = [word_features(examples[i].title, examples[i].body) for i in thai]
    first_log_odds = np.zeros(len(thai))
    word_log_odds = np.zeros(len(thai))
    for held in range(STACK_FOLDS):
        fit = [i for i in range(len(examples)) if i % STACK_FOLDS != held]
        first = _first_stage([examples[i] for i in fit], [inputs[i] for i in fit], names, c, min_df)
        model = read_model(model_bytes(**first, card={}))
        scored = np.flatnonzero(fold == held)
        first_log_odds[scored] = model.log_odds_each(
            [
                (examples[thai[k]].title, examples[thai[k]].body, inputs[thai[k]], "th")
                for k in scored
            ]
        )
        trained = np.flatnonzero(fold != held)
        stage = _word_model([words[k] for k in trained], labels[trained])
        if stage is None:
            return None
        word_log_odds[scored] = [stage.word_log_odds(words[k]) for k in scored]
    stacker = _fit(STACK_C, np.c_[first_log_odds, word_log_odds], labels)
    (first_weight, word_weight), bias = stacker.coef_[0].tolist(), float(stacker.intercept_[0])
    fitted = _word_model(words, labels)
    if fitted is None:
        return None
    return replace(
        fitted,
        first=first_weight,
        words=word_weight,
        bias=bias,
        low=STACK_BAND[0],
        high=STACK_BAND[1],
    )


def _word_model(words: Sequence[Sequence[str]], labels: np.ndarray) -> WordStage | None:
    """A word model fitted on the ``words`` of articles (:func:`word_features`): its
    vocabulary (those in at least ``WORDS_MIN_DF`` articles), idf and weights, in a
    stage that stacks nothing yet; None when no word is in that many."""
    frequency: dict[str, int] = {}
    for features in words:
        for feature in set(features):
            frequency[feature] = frequency.get(feature, 0) + 1
    vocabulary = sorted(f for f, n in frequency.items() if n >= WORDS_MIN_DF)
    if not vocabulary:
        return None
    df = np.array([frequency[f] for f in vocabulary], dtype=np.float64)
    idf = np.log((1.0 + len(words)) / (1.0 + df)) + 1.0
    empty = WordStage(
        features=np.array(vocabulary, dtype=object),
        idf=idf,
        weights=np.zeros(len(vocabulary)),
        word_bias=0.0,
        first=1.0,
        words=0.0,
        bias=0.0,
        low=0.0,
        high=0.0,
    )
    rows = [empty.vector(features) for features in words]
    indptr = np.cumsum([0] + [len(p) for p, _ in rows])
    indices = np.concatenate([p for p, _ in rows]) if rows else np.zeros(0, np.intp)
    values = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
    matrix = csr_matrix((values, indices, indptr), (len(rows), len(vocabulary)))
    fitted = _fit(WORDS_C, matrix, labels)
    return replace(empty, weights=fitted.coef_[0], word_bias=float(fitted.intercept_[0]))


def _fit(c: float, features: Any, labels: np.ndarray) -> LogisticRegression:
    """A logistic regression of inverse L2 strength ``c`` fitted to its optimum."""
    # One BLAS thread: sums in a fixed order, so one machine writes the same bytes.
    with threadpool_limits(1):
        model = LogisticRegression(C=c, solver=SOLVER, tol=TOLERANCE, max_iter=10_000)
        return model.fit(features, labels)


def _digest(examples: Sequence[Example]) -> str:
    """A fingerprint of the training data, recorded in the model card."""
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.id}\t{e.label}\t{e.title}\t{e.body}\t{e.language}\n".encode())
    return digest.hexdigest()
