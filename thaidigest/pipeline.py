"""The configured ingestor: normalisation, deduplication, relevance, store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from thaidigest.config import DEFAULTS, ConfigError
from thaidigest.dedup import Deduplicator, fingerprint
from thaidigest.ingest import Fetched, Ingestor, Prepared, Scored
from thaidigest.model import RawArticle
from thaidigest.normalise import normalise_article
from thaidigest.relevance import Rules, rules_from_text, score
from thaidigest.store import Store, utc_now


def user_rules_text(config: dict[str, Any]) -> str | None:
    """The text of the user's ``[relevance] rules`` file, if the configuration names one."""
    path = (config.get("relevance") or {}).get("rules")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"relevance.rules: cannot read {path}: {error}") from None


def checked_rules(config: dict[str, Any], user_rules: str | None) -> Rules:
    """The compiled rules; a :class:`ConfigError` naming the file when it holds a mistake."""
    try:
        return rules_from_text(user_rules)
    except (ValueError, TypeError, KeyError) as error:
        path = (config.get("relevance") or {}).get("rules")
        raise ConfigError(f"relevance.rules: {path}: {error}") from None


def rules_from_config(config: dict[str, Any]) -> Rules:
    """The packaged relevance rules, extended by the user's ``[relevance] rules`` file."""
    return checked_rules(config, user_rules_text(config))


@dataclass(frozen=True)
class ArticlePreparer:
    """Normalises, scores and fingerprints a raw article: the pure stage, picklable.

    It holds the text of the user's rules file, read once when the ingestor
    is built, not the compiled rules: a worker process receives a few bytes
    and compiles them once, and an edit to the file during an import
    changes nothing in it.
    """

    user_rules: str | None = None

    def __call__(self, raw: RawArticle) -> Prepared:
        article = normalise_article(raw)
        result = score(article.title, article.body, rules_from_text(self.user_rules))
        return Prepared(
            Fetched.of(raw),
            article,
            Scored(result.score, result.relevant, result.topics),
            fingerprint(article.title, article.body),
        )


def build_ingestor(
    store: Store,
    *,
    config: dict[str, Any] | None = None,
    clock: Callable[[], datetime] = utc_now,
    workers: int = 1,
) -> Ingestor:
    """The one ingestor that import and crawl share; ``workers`` processes prepare articles."""
    config = config or DEFAULTS
    user_rules = user_rules_text(config)
    checked_rules(config, user_rules)  # a bad rules file fails here, before anything is read
    return Ingestor(
        store,
        preparer=ArticlePreparer(user_rules),
        deduplicator=Deduplicator(store),
        clock=clock,
        workers=workers,
    )
