"""Options commands share: ``--db``, ``--config`` and the digest folder ``--out``, the type
of an option that takes a day, and how their errors show."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from thaidigest.config import (
    CONFIG_ENV,
    DEFAULT_CONFIG_FILE,
    ConfigError,
    config_path,
    digest_folder,
    load_config,
)
from thaidigest.dates import BE_OFFSET, LAST_CE_YEAR
from thaidigest.folders import file_named_as_folder
from thaidigest.store import (
    DB_ENV,
    DEFAULT_DB,
    StoreError,
    database_url,
    shown_db,
    unusable_database,
)

EXIT_USAGE = 2  # a wrong option or setting: nothing was done
EXIT_INTERRUPTED = 128 + 2  # 130: stopped by Ctrl-C (SIGINT), as a shell reports it
# What ends the counts line of an import that Ctrl-C stopped.
IMPORT_INTERRUPTED = "(interrupted: import again to store the rest)"
DAY_PATTERN = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})")


class SettingsError(click.ClickException):
    """A wrong option value or setting: one line, exit status 2."""

    exit_code = EXIT_USAGE


class DayType(click.ParamType):
    """A day written ``YYYY-MM-DD``. A day the calendar does not have is refused as such
    (``2024-02-30 is not a date: day is out of range for month``), not as a wrong format;
    so is one in a Buddhist-era year, as Thai users write it, naming the day to give
    (``2567-01-01 has a Buddhist-era year: give 2024-01-01``): taken as it is, a year
    five centuries ahead would silently count nothing. One that is after ``LAST_CE_YEAR``
    either way is refused as out of range, naming no day."""

    name = "date"

    def convert(
        self, value: Any, parameter: click.Parameter | None, context: click.Context | None
    ) -> date:
        if isinstance(value, date):
            return value
        match = DAY_PATTERN.fullmatch(value)
        if not match:
            self.fail(f"{value!r} is not a date like 2024-08-19", parameter, context)
        year = int(match["year"])
        buddhist_era = year > LAST_CE_YEAR
        if buddhist_era and year - BE_OFFSET > LAST_CE_YEAR:  # no day to give: one after
            self.fail(  # LAST_CE_YEAR is refused in turn (9000-01-01 named 8457-01-01)
                f"{value}: year {year} is out of range (after {LAST_CE_YEAR}, and read as "
                f"Buddhist-era {year - BE_OFFSET}, after it too)",
                parameter,
                context,
            )
        try:
            day = date(
                year - BE_OFFSET if buddhist_era else year, int(match["month"]), int(match["day"])
            )
        except ValueError as error:
            self.fail(f"{value} is not a date: {error}", parameter, context)
        if buddhist_era:
            self.fail(
                f"{value} has a Buddhist-era year: give {day.isoformat()}", parameter, context
            )
        return day


DAY = DayType()


ParameterCallback = Callable[[click.Context, click.Parameter, Any], Any]


def refuse_blank(option: str, value: str, what: str) -> str:
    """``value``, or for one empty or blank the one error every option that names a file
    or folder gives (``--db is empty: give a database file or URL``; ``what``: what to
    give)."""
    if not value.strip():
        raise SettingsError(f"{option} is empty: give {what}")
    return value


def refuse_empty(option: str, what: str, judge_variable: Callable[[], object]) -> ParameterCallback:
    """The callback of an option that names a file (``what``: what to give) and has a
    variable: the option given empty or blank, or its variable set so, is an error, not the
    default (a mistake, such as an unset variable in a script).

    click takes a variable set to '' for an unset one, so the variable itself is judged,
    by ``judge_variable``: the one check of it, which raises a one-line error (a
    :class:`SettingsError`, :class:`ConfigError` or :class:`StoreError`) when it is blank.
    """

    def check(context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
        source = context.get_parameter_source(parameter.name or option)
        if value is None or source is ParameterSource.ENVIRONMENT:
            try:
                judge_variable()
            except (ConfigError, StoreError) as error:
                raise SettingsError(str(error)) from None
        else:
            refuse_blank(option, value, what)
        return value

    return check


_refuse_empty_db = refuse_empty("--db", "a database file or URL", lambda: database_url(None))


def _usable_db(context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
    """``--db``'s callback: an empty one is refused (:func:`refuse_empty`), and so is one
    no article can be kept in (:func:`thaidigest.store.unusable_database`): an in-memory
    database, or a URL of no database thaidigest reads, given or in ``THAIDIGEST_DB``
    (``--db sqlite://: an in-memory database keeps nothing: give a file``)."""
    value = _refuse_empty_db(context, parameter, value)
    if value is None:  # the default file
        return None
    reason = unusable_database(database_url(value))
    if reason is not None:
        from_variable = context.get_parameter_source(parameter.name or "db") is (
            ParameterSource.ENVIRONMENT
        )
        option = f"{DB_ENV}=" if from_variable else "--db "
        raise SettingsError(f"{option}{shown_db(value)}: {reason}")
    return value


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        envvar=DB_ENV,
        default=None,
        metavar="PATH|URL",
        callback=_usable_db,
        help=f"SQLite file or SQLAlchemy URL [default: ./{DEFAULT_DB}; env {DB_ENV}].",
    )(function)


def config_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--config",
        "config_file",
        envvar=CONFIG_ENV,
        default=None,
        metavar="FILE",
        callback=refuse_empty("--config", "a settings file", config_path),
        help=f"TOML settings file [default: ./{DEFAULT_CONFIG_FILE} if present; env {CONFIG_ENV}].",
    )(function)


def refuse_empty_folder(
    context: click.Context, parameter: click.Parameter, value: str | None
) -> Path | None:
    """The callback of a folder option (``--out``, ``demo --dir``): the folder given, or an
    error for one given empty or blank, which would be the current folder (``digest``
    writing into it, ``serve`` serving it, the demo filling it), or naming a file."""
    if value is None:
        return None
    folder = Path(refuse_blank(parameter.opts[0], value, "a folder"))
    if folder.exists() and not folder.is_dir():
        raise SettingsError(f"{parameter.opts[0]} {value}: is a file, not a folder")
    return folder


def output_folder(out: Path | None, config: Mapping[str, Any]) -> Path:
    """The digest folder a command writes, serves or reads (:func:`digest_folder`: its
    ``--out``, else ``digest.out``), refused when ``digest.out`` names a file as ``--out``
    is (:func:`refuse_empty_folder`): one line, exit 2, before the store is opened, not an
    error from the first write into it (``digest``) or a folder said to be missing (``serve``)."""
    folder = digest_folder(out, config)
    if out is None and (refusal := file_named_as_folder("digest.out", folder)):
        raise SettingsError(refusal)
    return folder


out_option = click.option(
    "--out",
    type=click.Path(),  # a str: click's Path('') would be the current folder
    default=None,
    callback=refuse_empty_folder,
    help="Output folder [default: digest.out from the settings, ./public].",
)


def load_config_or_exit(config_file: str | None) -> dict[str, Any]:
    """The configuration, or its one-line error and exit status 2."""
    try:
        return load_config(config_file)
    except ConfigError as error:
        raise SettingsError(str(error)) from None
