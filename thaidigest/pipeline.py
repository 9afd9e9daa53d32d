"""The configured ingestor: normalisation, deduplication, relevance, store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from thaidigest.ingest import Ingestor
from thaidigest.store import Store, utc_now


def build_ingestor(
    store: Store,
    *,
    config: dict[str, Any] | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Ingestor:
    """The one ingestor that import and crawl share."""
    return Ingestor(store, clock=clock)
