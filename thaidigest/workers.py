"""An ordered map over worker processes that reads its input only a little ahead.

An import's pure stage (normalise, score, fingerprint) takes most of its
time and needs nothing from the store, so worker processes run it while the
calling process writes what is already done. Unlike ``Executor.map``, which
submits its whole input at once, at most ``AHEAD`` tasks per worker are in
flight, so memory stays flat however long the input.

Workers start from a fork server, not a fork of the caller: the caller
holds database connections and may run threads, which a fork would copy in
whatever state they are in. The fork server imports the modules the caller
names once, and each worker starts as a fork of it with what they loaded and
built: for an import's preparer, its imports and, with the packaged model, its
tables (:mod:`thaidigest.worker_tables`; their cost: docs/measurements.md), which
each worker would otherwise repeat on its first batch while the caller waits.
They run at a lower priority than the caller, and exit when the caller dies,
even by SIGKILL.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import select
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

AHEAD = 2  # tasks in flight per worker
EXIT_ORPHANED = 70  # a worker's exit status when its caller died first
ORPHAN_POLL_SECONDS = 1.0
# Workers yield the CPU to the caller, the one stage that cannot run in parallel:
# with as many workers as CPUs, a fair share would slow the whole pipeline to it.
WORKER_NICENESS = 5
MAX_DEFAULT_WORKERS = 4
# Net new container objects between two collections of the youngest generation, in a worker
# and in an ingest (Python's default: 700). An article's objects are freed by reference
# counting once it is done; at 700 the collector still walked the batch in flight some 20
# times a batch: 10 us an article in a worker and 12 in the importing process, 6 and 1 at
# this threshold (gc callbacks, 10,000 corpus articles). Garbage in cycles waits longer.
YOUNG_GC_THRESHOLD = 20_000


def default_workers() -> int:
    """One worker per CPU this process may use, at most ``MAX_DEFAULT_WORKERS``."""
    # sched_getaffinity (Linux) counts the CPUs this process may run on, not all.
    affinity = getattr(os, "sched_getaffinity", None)
    cpus = len(affinity(0)) if affinity else os.cpu_count() or 1
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


def _start_worker(caller: int) -> None:
    """Run in each worker first: yield the CPU to the caller, and end when the caller does.

    Ctrl-C reaches every process of the terminal's group: the caller stops the
    workers (it cancels what is not started), so a worker ignores it rather than
    dying with a traceback of its own.

    What the fork server loaded (some 90,000 objects of modules and their tables) lives
    as long as the worker: frozen, the garbage collector's full collections skip it
    instead of walking it again every few thousand articles (docs/measurements.md). The
    youngest generation is collected less often (:data:`YOUNG_GC_THRESHOLD`).
    """
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(WORKER_NICENESS)
    threading.Thread(target=_exit_after, args=(caller,), daemon=True).start()


def _exit_after(caller: int) -> None:
    """Exit this worker once process ``caller`` is gone, however it ended.

    A caller killed with SIGKILL cannot shut its pool down, and its workers,
    which hold their own task queue open, would otherwise wait for tasks forever.
    """
    try:
        handle = os.pidfd_open(caller)
    except ProcessLookupError:
        os._exit(EXIT_ORPHANED)
    except (AttributeError, OSError):  # not Linux 5.3 or later: poll
        while True:
            time.sleep(ORPHAN_POLL_SECONDS)
            try:
                os.kill(caller, 0)
            except ProcessLookupError:
                os._exit(EXIT_ORPHANED)
    select.select([handle], [], [])
    os._exit(EXIT_ORPHANED)


def ordered_map(
    function: Callable[[T], R], items: Iterable[T], workers: int, preload: Sequence[str] = ()
) -> Iterator[R]:
    """``function(item)`` for each item, in order, computed by ``workers`` processes.

    ``function`` and the items must be picklable. ``preload`` names modules
    the fork server imports before it starts a worker: those the function needs
    (it takes effect when this process starts its fork server, at its first
    pool). Closing the iterator early cancels the tasks not yet started and
    waits for the running ones.
    """
    context = multiprocessing.get_context("forkserver")
    if preload:
        context.set_forkserver_preload(list(preload))
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= AHEAD * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
