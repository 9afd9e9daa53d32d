"""Signals held while a block runs, then left to act as they would have: for work that
a signal would leave half done (a transaction, a worker process half started).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


@contextmanager
def signals_held(signums: Iterable[int], *, second_at_once: bool = False) -> Iterator[list[int]]:
    """Hold the signals ``signums`` until the block ends, then let the first that came act
    as it would have (its handler from before the block, by :func:`signal.raise_signal`);
    the list of those that came, for a block to end early by. With ``second_at_once``, a
    second signal acts at once, wherever the block is (Ctrl-C pressed again, a stop
    repeated: the one who sends it will not wait). Only the main thread can handle
    signals: elsewhere the block runs as it is, and so it does for a signal whose handler
    was not set from Python."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    held = [signum for signum in signums if signal.getsignal(signum) is not None]
    previous: dict[int, Any] = {}

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    def note(number: int, _frame: FrameType | None) -> None:
        received.append(number)
        if second_at_once and len(received) == 2:
            restore()
            signal.raise_signal(number)

    previous.update((signum, signal.signal(signum, note)) for signum in held)
    try:
        yield received
    finally:
        restore()
        if len(received) == 1 or (received and not second_at_once):
            signal.raise_signal(received[0])
