"""A count and its noun in agreement (``1 item``, ``2 items``), for every message that
counts something; and a list in words (``A, B and C``), for every message that lists."""

from __future__ import annotations

from collections.abc import Sequence


def counted(count: int, noun: str, plural: str | None = None, *, thousands: bool = False) -> str:
    """``count`` and ``noun``, plural (``plural``, else ``noun`` and an s) unless the count
    is one: ``1 item``, ``0 items``, ``2 stored articles``; ``thousands``: the count with
    thousands separators (``1,000,000 blank lines``)."""
    number = f"{count:,}" if thousands else str(count)
    return f"{number} {noun if count == 1 else plural or noun + 's'}"


def listed(parts: Sequence[str]) -> str:
    """``parts`` as a sentence lists them: ``A``, ``A and B``, ``A, B and C``."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
