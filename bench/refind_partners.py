"""Time finding the partners of stored articles again, as a changed partners file makes
the next import, crawl or digest do.

    .venv/bin/python bench/refind_partners.py /path/to/thaigov.jsonl.xz [--limit 5000]

The first ``--limit`` corpus articles are imported into a fresh temporary store; then
a partners file naming one more partner is set, taken out and set again, and each time
every stored article's partners are found again (``refind_partners_stored``). Prints the
wall-clock and CPU seconds of each run and per article, and of a run with nothing changed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from itertools import islice
from pathlib import Path

from thaidigest.config import DEFAULTS
from thaidigest.pipeline import Reread, build_ingestor, refind_partners_stored
from thaidigest.readers import read_jsonl_file
from thaidigest.store import Store

ADDED = '[[partner]]\nid = "org:TELWG"\nen = ["TELWG"]\n'  # a forum the packaged table lacks


def timed(store: Store, config: dict) -> tuple[Reread, float, float]:
    """Articles read again and changed, wall-clock and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    found = refind_partners_stored(store, config)
    return found, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        table = Path(folder) / "my_partners.toml"
        table.write_text(ADDED, encoding="utf-8")
        added = {**DEFAULTS, "partners": {"file": str(table)}}
        store = Store(f"sqlite:///{folder}/bench.sqlite")
        try:
            build_ingestor(store, config=DEFAULTS).ingest(
                islice(read_jsonl_file(args.corpus), args.limit)
            )
            print(f"{store.count_articles()} articles stored")
            for label, config in (("added", added), ("removed", DEFAULTS), ("added", added)):
                found, wall, cpu = timed(store, config)
                print(
                    f"file {label}: {found.read} read again ({found.changed} changed) in "
                    f"{wall:.2f} s ({wall / found.read * 1000:.3f} ms an article), CPU "
                    f"{cpu:.2f} s ({cpu / found.read * 1000:.3f} ms an article)"
                )
            found, wall, _ = timed(store, added)
            print(f"nothing changed: {found.read} read again in {wall * 1000:.1f} ms")
        finally:
            store.close()


if __name__ == "__main__":
    main()
