"""The floor the import benchmarks compare against: decompress and parse the corpus, no more."""

from __future__ import annotations

import json
import lzma
import time
from itertools import islice
from pathlib import Path


def floor_seconds(path: Path, limit: int | None) -> float:
    """Seconds to decompress and parse the first ``limit`` JSON lines of ``path`` (all: None)."""
    started = time.perf_counter()
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        for line in islice(lines, limit):
            json.loads(line)
    return time.perf_counter() - started
