"""The configured ingestor: normalisation, deduplication, relevance, store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from thaidigest.config import DEFAULTS
from thaidigest.dedup import Deduplicator
from thaidigest.ingest import Ingestor, Scored
from thaidigest.relevance import Rules, load_rules, score
from thaidigest.store import Store, utc_now


def rules_from_config(config: dict[str, Any]) -> Rules:
    """The packaged relevance rules, extended by the user's ``[relevance] rules`` file."""
    path = (config.get("relevance") or {}).get("rules")
    return load_rules(Path(path) if path else None)


def relevance_scorer(rules: Rules) -> Callable[[str, str], Scored]:
    """The ingestor's scorer for a set of relevance rules."""

    def scorer(title: str, body: str) -> Scored:
        result = score(title, body, rules)
        return Scored(result.score, result.relevant, result.topics)

    return scorer


def build_ingestor(
    store: Store,
    *,
    config: dict[str, Any] | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Ingestor:
    """The one ingestor that import and crawl share."""
    rules = rules_from_config(config or DEFAULTS)
    return Ingestor(
        store,
        scorer=relevance_scorer(rules),
        deduplicator=Deduplicator(store),
        clock=clock,
    )
