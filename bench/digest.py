"""Time the weekly digest build against the import, on 1k, 10k and all corpus articles.

    .venv/bin/python bench/digest.py /path/to/thaigov.jsonl.xz [--sizes 1000,10000,all]

Each size is imported into a fresh temporary store. Then a deterministic 2%
of the articles (every 50th id) is marked relevant with a topic, and the
article after each of them a relevant duplicate of it, so the feeds and the
"also on" lines have content. The stories are counted, and the digest built
for the week of the newest dated one, by the rule the digest lists with
(``digest.clusters.LISTED``: a representative with a relevant member). Prints
the import and build times and, for the largest size, the build/import ratio
(target: at most 5%).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from itertools import islice
from pathlib import Path

# Run as a script, this file would shadow the ``digest`` package it measures:
# import from the project folder instead of this one.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from sqlalchemy import func, select, text  # noqa: E402

from digest.clusters import LISTED  # noqa: E402
from digest.publish import build_digest  # noqa: E402
from digest.select import OTHER_TOPIC, TOPIC_LABELS, Week  # noqa: E402
from thaidigest.config import DEFAULTS  # noqa: E402
from thaidigest.pipeline import build_ingestor  # noqa: E402
from thaidigest.readers import read_jsonl_file  # noqa: E402
from thaidigest.store import Store, articles  # noqa: E402

RELEVANT_EVERY = 50  # 2%
TOPICS = [topic for topic in TOPIC_LABELS if topic != OTHER_TOPIC]


def mark_relevant(store: Store) -> int:
    """Mark every 50th article relevant and the next one its duplicate; the stories listed."""
    cases = " ".join(f"WHEN {index} THEN '[\"{topic}\"]'" for index, topic in enumerate(TOPICS))
    with store.transaction() as conn:
        conn.execute(
            text(
                "UPDATE articles SET relevant = 1, relevance = 0.5 + (id % 7) / 20.0, "
                f"topics = CASE (id / {RELEVANT_EVERY}) % {len(TOPICS)} {cases} END "
                f"WHERE id % {RELEVANT_EVERY} = 0"
            )
        )
        conn.execute(
            text(
                "UPDATE articles SET relevant = 1, duplicate_of = "
                "(SELECT url FROM articles AS shown WHERE shown.id = articles.id - 1) "
                f"WHERE id % {RELEVANT_EVERY} = 1 AND id > 1"
            )
        )
        return conn.execute(select(func.count()).select_from(articles).where(LISTED)).scalar_one()


def newest_week(store: Store) -> Week:
    """The week of the newest listed story with a published date."""
    query = select(func.max(articles.c.published)).where(LISTED)
    with store.engine.connect() as conn:
        newest = conn.execute(query).scalar_one()
    return Week.of(date.fromisoformat(newest))


def run(corpus: Path, size: int | None, folder: Path) -> tuple[int, float, float, float]:
    """Stored articles, import seconds, first and second build seconds."""
    store = Store(f"sqlite:///{folder}/bench.sqlite")
    started = time.perf_counter()
    build_ingestor(store).ingest(islice(read_jsonl_file(corpus), size))
    imported = time.perf_counter() - started
    stored = store.count_articles()
    listed = mark_relevant(store)
    week = newest_week(store)
    started = time.perf_counter()
    result = build_digest(store, folder / "public", week, DEFAULTS)
    first = time.perf_counter() - started
    started = time.perf_counter()
    build_digest(store, folder / "public", week, DEFAULTS)
    second = time.perf_counter() - started
    store.close()
    print(
        f"{stored:>6} articles: import {imported:7.1f} s | {listed} stories listed | "
        f"digest {week}: "
        f"{result.items} items, {len(result.files)} files, build {first * 1000:6.0f} ms "
        f"(again, unchanged: {second * 1000:.0f} ms)"
    )
    return stored, imported, first, second


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--sizes", default="1000,10000,all", help="comma-separated; 'all'")
    args = parser.parse_args()
    sizes = [None if size == "all" else int(size) for size in args.sizes.split(",")]
    figures = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            figures.append(run(args.corpus, size, Path(folder)))
    stored, imported, first, _ = figures[-1]
    ratio = 100 * first / imported
    print(f"ratio at {stored} articles: digest build / import = {ratio:.3f}% (target <= 5%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
