"""Options every command shares: ``--db`` and ``--config``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from thaidigest.config import ConfigError, load_config


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        envvar="THAIDIGEST_DB",
        default=None,
        metavar="PATH|URL",
        help="SQLite file or SQLAlchemy URL "
        "[default: ./data/thaidigest.sqlite; env THAIDIGEST_DB].",
    )(function)


def config_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--config",
        "config_file",
        envvar="THAIDIGEST_CONFIG",
        default=None,
        metavar="FILE",
        help="TOML settings file [default: ./thaidigest.toml if present; env THAIDIGEST_CONFIG].",
    )(function)


def load_config_or_exit(config_file: str | None) -> dict[str, Any]:
    """The configuration, or a clear error and exit status 2."""
    try:
        return load_config(config_file)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
