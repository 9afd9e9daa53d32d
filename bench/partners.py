"""Partner extraction figures: precision and recall over (article, partner) pairs, per split.

Usage: bench/partners.py LABELS CORPUS [--cost N]

LABELS is a partner labels JSON lines file (``id``, ``partners``, ``split``;
tests/data/partners/labels.jsonl), CORPUS the corpus JSON lines (plain or xz)
that holds their texts. Each article is normalised as the ingestor does, then
its partners are extracted from the headline and the opening. Prints, for each
split, precision and recall over (article, partner) pairs (and for each round of a
split that holds several), the pairs missed and found in excess (``--show train``;
never tune on the test split), and the cost per article. ``--cost N`` also times,
in CPU time, the first N corpus articles: the floor (decompress and parse), the
ingestor's pure stage (normalise, score, fingerprint, partners) and the partner
extraction alone.
"""

from __future__ import annotations

import argparse
import json
import time
from itertools import islice
from pathlib import Path

from floor import floor_seconds

from thaidigest.ingest import Rejected
from thaidigest.partners import partner_table, partners
from thaidigest.pipeline import ArticlePreparer
from thaidigest.readers import read_jsonl_file
from thaidigest.training import read_labelled_articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", type=Path)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--cost", type=int, metavar="N", help="time the first N corpus articles")
    parser.add_argument("--show", metavar="SPLIT", help="print the wrong pairs of SPLIT (train)")
    args = parser.parse_args()
    labels = {}
    with args.labels.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                labels[int(record["id"])] = record
    try:
        articles = read_labelled_articles(args.corpus, labels)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    texts = {key: (article.title, article.body) for key, article in articles.items()}
    table = partner_table()
    started = time.perf_counter()
    found = {key: set(partners(title, body, table)) for key, (title, body) in texts.items()}
    seconds = time.perf_counter() - started
    for split in sorted({record["split"] for record in labels.values()}):
        keys = sorted(key for key, record in labels.items() if record["split"] == split)
        if args.show == split:
            for key in keys:
                gold = set(labels[key]["partners"])
                if found[key] != gold:
                    extra, lost = sorted(found[key] - gold), sorted(gold - found[key])
                    print(f"  {split} {key}: extra {extra}, missed {lost}")
        print(f"{split}: {figures(keys, labels, found)}")
        rounds = sorted({labels[key]["round"] for key in keys})
        for number in rounds if len(rounds) > 1 else ():
            part = [key for key in keys if labels[key]["round"] == number]
            print(f"  {split}, round {number}: {figures(part, labels, found)}")
    print(f"cost: {seconds / len(texts) * 1e3:.3f} ms per article ({len(texts)} articles)")
    if args.cost:
        print(cost(args.corpus, args.cost))


def figures(keys: list[int], labels: dict[int, dict], found: dict[int, set[str]]) -> str:
    """Precision and recall over the (article, partner) pairs of the articles ``keys``."""
    right = wrong = missed = 0
    for key in keys:
        gold = set(labels[key]["partners"])
        right += len(found[key] & gold)
        wrong += len(found[key] - gold)
        missed += len(gold - found[key])
    precision = right / (right + wrong) if right + wrong else 0.0
    recall = right / (right + missed) if right + missed else 0.0
    return (
        f"{len(keys)} articles, {right + missed} labelled pairs: "
        f"precision {precision:.3f}, recall {recall:.3f} "
        f"({right} right, {wrong} extra, {missed} missed)"
    )


def cost(corpus: Path, limit: int) -> str:
    """CPU milliseconds per article: the floor, the pure stage, and partners within it."""
    raws = [
        item for item in islice(read_jsonl_file(corpus), limit) if not isinstance(item, Rejected)
    ]
    preparer = ArticlePreparer()
    table = partner_table()
    floor = min(floor_seconds(corpus, limit) for _ in range(2))  # wall time, as bench/import.py
    started = time.process_time()
    articles = []
    for raw in raws:
        try:
            articles.append(preparer(raw).article)
        except ValueError:
            continue  # rejected: no headline, no body
    pure = time.process_time() - started
    started = time.process_time()
    for article in articles:
        partners(article.title, article.body, table)
    alone = time.process_time() - started
    per = 1e3 / len(raws)
    return (
        f"cost on the first {len(raws)} corpus articles: floor {floor * per:.3f} ms, "
        f"pure stage {pure * per:.3f} ms, of which partners {alone * per:.3f} ms "
        f"({alone / floor:.2f}x the floor)"
    )


if __name__ == "__main__":
    main()
