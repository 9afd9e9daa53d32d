"""Import a whole corpus into a fresh database and print the figures.

    .venv/bin/python bench/import.py /path/to/thaigov.jsonl.xz [--limit N] [--workers N]

Prints articles/s, peak RSS (of this process and of the worker processes),
the share of articles with a published date, and the ratio of the import
time to the floor: the time merely to decompress and parse the same JSON
lines, the best of two runs (the first also reads the file into the page
cache, as the import finds it).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from itertools import islice
from pathlib import Path

from floor import floor_seconds
from sqlalchemy import func, select

from thaidigest.pipeline import build_ingestor
from thaidigest.readers import read_jsonl_file
from thaidigest.store import Store, articles
from thaidigest.workers import default_workers

FLOOR_RUNS = 2
SAMPLE_SECONDS = 0.5


def descendants(pid: int) -> list[int]:
    """Child processes of ``pid``, their children, and so on (Linux /proc)."""
    found: list[int] = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in map(int, children):
        found += [child, *descendants(child)]
    return found


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident set (VmHWM), or 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class HelperMemory(threading.Thread):
    """Samples the peak RSS of every process this one starts (workers, fork server)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            for pid in descendants(os.getpid()):
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), peak_rss_mib(pid))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="only the first N lines")
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="processes preparing articles [default: as `thaidigest import`]",
    )
    args = parser.parse_args()

    floor = min(floor_seconds(args.corpus, args.limit) for _ in range(FLOOR_RUNS))
    helpers = HelperMemory()
    helpers.start()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/bench.sqlite")
        ingestor = build_ingestor(store, workers=args.workers)
        started = time.perf_counter()
        summary = ingestor.ingest(islice(read_jsonl_file(args.corpus), args.limit))
        seconds = time.perf_counter() - started
        helpers.done.set()
        with store.engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(articles)).scalar_one()
            dated = conn.execute(
                select(func.count()).select_from(articles).where(articles.c.published.is_not(None))
            ).scalar_one()
        store.close()
    main_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    helper_mib = sorted(helpers.peaks.values(), reverse=True)
    print(f"import:        {summary.line()}")
    print(f"articles:      {stored} stored in {seconds:.1f} s = {stored / seconds:.0f} articles/s")
    print(f"published:     {dated}/{stored} = {100 * dated / max(stored, 1):.3f}% with a date")
    print(
        f"peak RSS:      {main_mib:.0f} MiB in this process; helper processes: "
        f"{', '.join(f'{mib:.0f} MiB' for mib in helper_mib) or 'none'}; "
        f"{main_mib + sum(helper_mib):.0f} MiB at most in all"
    )
    print(f"floor:         {floor:.1f} s to decompress and parse the JSON lines")
    print(f"ratio:         {seconds / floor:.1f}x the floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
