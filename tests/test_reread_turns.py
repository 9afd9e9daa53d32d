"""Passes reading every stored article again take turns: a second (a crawl's and a
digest's, two digests') waits for the one already reading, then finds what that one
recorded and reads nothing, rather than score them all at once with it and say its
changes again."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from thaidigest.config import DEFAULTS, merge
from thaidigest.pipeline import Reread, build_ingestor, rescore_stored
from thaidigest.readers import read_paths
from thaidigest.store import Store

ROOT = Path(__file__).resolve().parents[1]
STRICT = merge(DEFAULTS, {"relevance": {"threshold": 0.9}})

# A pass scoring the stored articles of the database argv[1] with the threshold 0.9: it
# holds its turn from "held" until its stdin closes, then records what it scored with.
FIRST_PASS = """
import sys
from datetime import timedelta
from thaidigest import locks
from thaidigest.config import DEFAULTS, merge
from thaidigest.pipeline import SCORING_KEY, scoring_fingerprint
from thaidigest.store import Store

store = Store(sys.argv[1])
name = locks.reread_lock(SCORING_KEY)
locks.acquire(store, name, timedelta(hours=1))
print("held", flush=True)
sys.stdin.read()
strict = merge(DEFAULTS, {"relevance": {"threshold": 0.9}})
store.update_scores([], SCORING_KEY, scoring_fingerprint(strict, None))
locks.release(store, name)
"""


def test_a_rescoring_waits_for_the_pass_already_reading_then_reads_nothing_again(tmp_path, caplog):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    build_ingestor(store, config=DEFAULTS).ingest(list(read_paths([ROOT / "seeds"])))
    first = subprocess.Popen(
        [sys.executable, "-c", FIRST_PASS, store.url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    second: list[Reread] = []
    rescoring = threading.Thread(target=lambda: second.append(rescore_stored(store, STRICT)))
    try:
        assert first.stdout.readline() == "held\n"
        with caplog.at_level(logging.WARNING, logger="thaidigest.pipeline"):
            rescoring.start()
            deadline = time.monotonic() + 60
            while "waiting" not in caplog.text and rescoring.is_alive():
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert rescoring.is_alive(), second  # it waits its turn, having read nothing
            (said,) = caplog.messages
            assert said.startswith(
                "waiting for the pass reading the stored articles again to end: "
                f"reread:relevance_scoring is held by {socket.gethostname()}:{first.pid} since "
            ), said
            first.communicate("", timeout=60)  # the first pass ends
            rescoring.join(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
        if rescoring.ident is not None:
            rescoring.join(timeout=60)
        store.close()
    assert second == [Reread()]  # what it would score with was recorded meanwhile
