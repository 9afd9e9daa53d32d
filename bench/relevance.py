"""Relevance figures: precision / recall / F1 on the labelled set, and speed.

Usage: bench/relevance.py LABELS CORPUS [--rules FILE]

Streams the corpus once, scores every article (for the speed figure) and
compares the labelled ones with their labels, overall and per split. The
title/body split here is a simple local one: title = first line without the
site prefix, body = the remaining lines without the final source line.
"""

from __future__ import annotations

import argparse
import json
import lzma
import time
from pathlib import Path

from thaidigest.relevance import Relevance, load_rules, score

TITLE_PREFIX = "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-"
SOURCE_PREFIX = "ที่มา :"


def split_article(text: str) -> tuple[str, str]:
    """Title and body of one corpus article in the plain-text format."""
    first, _, rest = text.partition("\n")
    lines = rest.strip("\n").split("\n")
    if lines and lines[-1].startswith(SOURCE_PREFIX):
        lines = lines[:-1]
    return first.removeprefix(TITLE_PREFIX).strip(), "\n".join(lines).strip()


def read_labels(path: Path) -> dict[int, tuple[int, str, str]]:
    """``{id: (label, split, note)}`` from the labels TSV (``#`` lines are comments)."""
    labels: dict[int, tuple[int, str, str]] = {}
    with path.open(encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle if not line.startswith("#")]
    header, *body = rows
    column = {name: i for i, name in enumerate(header)}
    for row in body:
        labels[int(row[column["id"]])] = (
            int(row[column["label"]]),
            row[column["split"]],
            row[column["note"]],
        )
    return labels


def figures(pairs: list[tuple[int, bool]]) -> str:
    """Precision, recall and F1 of (label, predicted) pairs, as one line."""
    tp = sum(1 for label, guess in pairs if label and guess)
    fp = sum(1 for label, guess in pairs if not label and guess)
    fn = sum(1 for label, guess in pairs if label and not guess)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return (
        f"n={len(pairs):4d}  precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}"
        f"  (tp {tp}, fp {fp}, fn {fn})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", type=Path)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rules", type=Path, default=None, help="a user rules file")
    args = parser.parse_args()

    labels = read_labels(args.labels)
    rules = load_rules(args.rules)
    verdicts: dict[int, tuple[str, Relevance]] = {}
    scored = relevant = 0
    scoring = 0.0
    started = time.perf_counter()
    with lzma.open(args.corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            article = json.loads(line)
            title, body = split_article(article["text"])
            tick = time.perf_counter()
            verdict = score(title, body, rules)
            scoring += time.perf_counter() - tick
            scored += 1
            relevant += verdict.relevant
            if article["id"] in labels:
                verdicts[article["id"]] = (title, verdict)
    total = time.perf_counter() - started

    missing = sorted(set(labels) - set(verdicts))
    if missing:
        print(f"labelled ids not in the corpus: {missing}")
    for split in ("dev", "test", None):
        pairs = [
            (label, verdicts[i][1].relevant)
            for i, (label, part, _) in labels.items()
            if i in verdicts and (split is None or part == split)
        ]
        print(f"{split or 'all':>5}: {figures(pairs)}")

    for kind, want in (("false positives", 0), ("false negatives", 1)):
        print(f"\n{kind}:")
        for i, (label, part, note) in sorted(labels.items()):
            if i in verdicts and label == want and verdicts[i][1].relevant != bool(want):
                title, verdict = verdicts[i]
                print(f"  {i} [{part}] {title[:90]}\n      {verdict.reason}  -- {note}")

    print(
        f"\nscored {scored} articles ({relevant} relevant): scoring {scoring:.1f} s "
        f"= {scored / scoring:,.0f} articles/s; with reading and splitting {total:.1f} s"
    )


if __name__ == "__main__":
    main()
