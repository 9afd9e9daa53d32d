"""Options every command shares: ``--db`` and ``--config``, and how their errors show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from thaidigest.config import ConfigError, load_config

EXIT_USAGE = 2  # a wrong option or setting: nothing was done


class SettingsError(click.ClickException):
    """A wrong option value or setting: one line, exit status 2."""

    exit_code = EXIT_USAGE


def _db_value(
    _context: click.Context, _parameter: click.Parameter, value: str | None
) -> str | None:
    if value is not None and not value.strip():
        raise SettingsError("--db is empty: give a database file or URL")
    return value


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        envvar="THAIDIGEST_DB",
        default=None,
        metavar="PATH|URL",
        callback=_db_value,
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
    """The configuration, or its one-line error and exit status 2."""
    try:
        return load_config(config_file)
    except ConfigError as error:
        raise SettingsError(str(error)) from None
