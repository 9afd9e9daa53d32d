"""A count and its noun in agreement (``1 item``, ``2 items``), for every message that
counts something."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None, *, thousands: bool = False) -> str:
    """``count`` and ``noun``, plural (``plural``, else ``noun`` and an s) unless the count
    is one: ``1 item``, ``0 items``, ``2 stored articles``; ``thousands``: the count with
    thousands separators (``1,000,000 blank lines``)."""
    number = f"{count:,}" if thousands else str(count)
    return f"{number} {noun if count == 1 else plural or noun + 's'}"
