"""Settings: one dict of defaults, merged with the user's TOML file.

The file is ``--config PATH``, else ``$THAIDIGEST_CONFIG``, else
``./thaidigest.toml`` when it exists. A user file only names what it
changes; tables merge key by key, so ``[sites.mdes] delay = 2`` keeps every
other default.
"""

from __future__ import annotations

import copy
import os
import tomllib
from pathlib import Path
from typing import Any

CONFIG_ENV = "THAIDIGEST_CONFIG"
DEFAULT_CONFIG_FILE = "thaidigest.toml"

DEFAULTS: dict[str, Any] = {
    "crawl": {
        # An honest User-Agent names the project and where to reach its operator.
        "user_agent": "thaidigest/0.1 (+https://github.com/thaidigest/thaidigest; news digest bot)",
        "obey_robots": True,
        "timeout": 30,  # seconds per request
        "max_page_bytes": 5 * 1024 * 1024,  # larger pages are refused
        "retries": 4,
        "revisit_days": 14,  # articles first seen this recently are checked for edits
        "subprocess_timeout": 3600,  # a scheduled crawl is stopped after this many seconds
    },
    "sites": {
        "thaigov": {
            "base_url": "https://www.thaigov.go.th",
            "delay": 1.0,  # seconds between requests
            "concurrency": 2,
            "miss_limit": 20,  # consecutive soft 404s that end the id walk
            # After a crawl that did not end cleanly, unstored ids this far below
            # the highest stored one are tried again.
            "recheck_window": 200,
            "start_id": None,  # where the walk starts when nothing is stored
            # Search pages are a second source of links, and give the first crawl
            # of an empty store its start (the newest article they list).
            "search_keywords": ["ดิจิทัล"],
        },
        "mdes": {
            "base_url": "https://www.mdes.go.th",
            "delay": 1.0,  # MDES answers bursts with 403: at least a second apart
            "concurrency": 1,
            "categories": [3, 7, 8, 9, 109, 115, 116, 119, 120],
            "page_limit": 20,  # listing pages per category per crawl
        },
    },
    "relevance": {
        "rules": None,  # a TOML file that extends the packaged rules
        # An article is relevant when the model's probability reaches this.
        "threshold": 0.5,
        "model": None,  # a model file of `thaidigest train-relevance`; None: the packaged one
    },
    "partners": {
        "file": None,  # a TOML file that extends the packaged partner names (partners.toml)
    },
    "digest": {
        "out": "public",
        "weeks": 4,  # weeks of relevant articles the feeds carry
        "max_entries": 100,
        "title": "thaidigest: Thai digital-economy cooperation news",
        # Where `thaidigest serve` or a web server publishes the output folder.
        "site_url": "http://127.0.0.1:8000/",
    },
    "email": {
        "enabled": False,
        "host": "localhost",
        "port": 587,
        "starttls": True,
        "username": None,
        "password_env": "THAIDIGEST_SMTP_PASSWORD",  # the password comes from this variable only
        "sender": "thaidigest@localhost",
        "recipients": [],
    },
    "schedule": {
        "misfire_grace_time": 3600,  # seconds late a missed run may still start
        "shutdown_grace": 30,  # seconds a running job gets after SIGTERM
    },
    "status": {
        "max_crawl_age_hours": 24,  # `thaidigest status` fails when the last good crawl is older
    },
}


class ConfigError(ValueError):
    """The configuration file cannot be read or holds a wrong value."""


def merge(defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``defaults`` with ``overrides`` merged in, table by table."""
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def config_path(path: str | Path | None = None) -> Path | None:
    """The configuration file in use, or None for the defaults alone."""
    if path:
        return Path(path)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """The defaults merged with the user's file (see :func:`config_path`)."""
    chosen = config_path(path)
    if chosen is None:
        return copy.deepcopy(DEFAULTS)
    try:
        with chosen.open("rb") as handle:
            return merge(DEFAULTS, tomllib.load(handle))
    except FileNotFoundError:
        raise ConfigError(f"{chosen}: no such configuration file") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{chosen}: {error}") from None
