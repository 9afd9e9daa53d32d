"""Import a whole corpus into a fresh database and print the figures.

    .venv/bin/python bench/import.py /path/to/thaigov.jsonl.xz [--limit N]

Prints articles/s, peak RSS, the share of articles with a published date,
and the ratio of the import time to the floor: the time merely to
decompress and parse the same JSON lines.
"""

from __future__ import annotations

import argparse
import json
import lzma
import resource
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from sqlalchemy import func, select

from thaidigest.pipeline import build_ingestor
from thaidigest.readers import read_jsonl_file
from thaidigest.store import Store, articles


def floor_seconds(path: Path, limit: int | None) -> float:
    started = time.perf_counter()
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        for line in islice(lines, limit):
            json.loads(line)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="only the first N lines")
    args = parser.parse_args()

    floor = floor_seconds(args.corpus, args.limit)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/bench.sqlite")
        ingestor = build_ingestor(store)
        started = time.perf_counter()
        summary = ingestor.ingest(islice(read_jsonl_file(args.corpus), args.limit))
        seconds = time.perf_counter() - started
        with store.engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(articles)).scalar_one()
            dated = conn.execute(
                select(func.count()).select_from(articles).where(articles.c.published.is_not(None))
            ).scalar_one()
        store.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"import:        {summary.line()}")
    print(f"articles:      {stored} stored in {seconds:.1f} s = {stored / seconds:.0f} articles/s")
    print(f"published:     {dated}/{stored} = {100 * dated / max(stored, 1):.3f}% with a date")
    print(f"peak RSS:      {peak_mib:.0f} MiB")
    print(f"floor:         {floor:.1f} s to decompress and parse the JSON lines")
    print(f"ratio:         {seconds / floor:.1f}x the floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
