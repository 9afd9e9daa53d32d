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

Ctrl-C reaches every process of the terminal's group, and the caller alone acts on it:
it stops the workers (it cancels what is not started). The fork server starts with
SIGINT blocked (:func:`_start_fork_server`), and every worker, a fork of it, keeps it
blocked, so none of them dies with a traceback of its own, even as the fork server
preloads, for seconds, or a worker starts. The caller holds it while it starts a
worker, which takes a fork's time once the fork server has preloaded: interrupted
half way, the pool would not know the worker, which could take the message that stops
another (a shutdown waiting forever) or find the pool's queues gone (a traceback).
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
from multiprocessing import forkserver, resource_tracker
from multiprocessing.context import ForkServerContext
from typing import TypeVar

from thaidigest.held import signals_held

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

    What the fork server loaded (some 90,000 objects of modules and their tables) lives
    as long as the worker: frozen, the garbage collector's full collections skip it
    instead of walking it again every few thousand articles (docs/measurements.md). The
    youngest generation is collected less often (:data:`YOUNG_GC_THRESHOLD`).
    """
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])
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


def _start_fork_server(context: ForkServerContext) -> None:
    """Start the fork server, unless it runs, and wait until it can start workers.

    It starts with SIGINT blocked: a signal mask is kept across fork and exec, so the
    fork server, and every worker it forks, never receives Ctrl-C, which would interrupt
    the modules it preloads with a traceback. Only this thread blocks it, for this moment:
    a Ctrl-C meanwhile waits for it, or another thread receives it, and it acts here as it
    would have. The resource tracker starts first, as the fork server's start would start
    it: its own start unblocks SIGINT when done, which would end the block too soon.

    The fork server starts a process only once it has preloaded: this waits for one that
    does nothing, so that a worker's start, with Ctrl-C held, takes a fork's time, not the
    preload's seconds. Interrupted meanwhile, the caller leaves it that process to start,
    which needs nothing of the caller, where a worker would find the pool's queues gone.
    """
    resource_tracker.ensure_running()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    ready = context.Process(target=int)
    ready.start()
    ready.join()


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
    _start_fork_server(context)
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            with signals_held([signal.SIGINT]):  # a worker it starts, it starts whole
                pending.append(pool.submit(function, item))
            if len(pending) >= AHEAD * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
