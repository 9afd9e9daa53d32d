"""The ``thaidigest`` command line.

The commands and their options are a contract that people and scripts rely
on: add to them, never rename or remove.

A command imports only what it runs: :data:`COMMANDS` names the module of each,
loaded when the command is looked up, so ``thaidigest export`` never loads
Scrapy, Twisted or APScheduler.
"""

from __future__ import annotations

import sys

# Ctrl-C as the command line itself loads (click, SQLAlchemy: a fifth of a second), before
# any command's module: no command began, so it ends as Ctrl-C as one loads does (see
# Commands.get_command), with `Aborted!` and exit status 130 (EXIT_INTERRUPTED, perhaps
# not loaded yet), not a traceback. sys alone is loaded before: Python loads it first.
try:
    import importlib
    import os
    from collections.abc import Iterator, MutableMapping
    from contextlib import contextmanager
    from typing import IO, Any, NamedTuple

    import click

    from thaidigest.config import ConfigError
    from thaidigest.options import EXIT_INTERRUPTED, IMPORT_INTERRUPTED, SettingsError
    from thaidigest.output import checked_stdout, show_error
    from thaidigest.store import NoDatabaseError, StoreError
except (KeyboardInterrupt, RuntimeError) as error:
    # Python 3.11 raises one met in a class's __set_name__ (a stdlib module's) as the cause
    # of a RuntimeError.
    if not isinstance(error, KeyboardInterrupt) and not isinstance(
        error.__cause__, KeyboardInterrupt
    ):
        raise
    sys.stderr.write("Aborted!\n")
    raise SystemExit(130) from None


class Listed(NamedTuple):
    """A command as the group lists it: where it is defined (``"module:attribute"`` of its
    click command), the phrase ``thaidigest --help`` shows for it, and the line it writes
    to stdout when Ctrl-C stops it while its module loads, before it began (None: it says
    ``Aborted!``, as when Ctrl-C stops it later)."""

    target: str
    short_help: str
    interrupted: str | None = None


# Each command, its module loaded only when it runs; each package keeps its own. The
# top-level help lists them from here, whole phrases: click would cut each command's
# docstring at 45 characters or so mid-phrase, and load every module, Scrapy's too, to do it.
COMMANDS = {
    "import": Listed(
        "thaidigest.commands:import_command",
        "Import .txt files, folders and .jsonl corpora.",
        f"read 0, new 0, updated 0, unchanged 0, rejected 0 {IMPORT_INTERRUPTED}",
    ),
    "export": Listed(
        "thaidigest.commands:export_command", "Every stored article as one JSON object a line."
    ),
    "explain": Listed(
        "thaidigest.commands:explain_command", "Say why a stored article is (not) relevant."
    ),
    "train-relevance": Listed(
        "thaidigest.commands:train_relevance_command",
        "Train the relevance model on labelled texts.",
    ),
    "partners": Listed(
        "thaidigest.commands:partners_command", "Count items per partner and per quarter."
    ),
    "crawl": Listed(
        "scraper.commands:crawl_command", "Crawl the sites for new and changed articles."
    ),
    "digest": Listed("digest.commands:digest_command", "Write the weekly digest and its feeds."),
    "serve": Listed("digest.commands:serve_command", "Serve the digest folder over HTTP."),
    "run": Listed(
        "schedules.commands:run_command", "Run the schedule's crawls and digests until stopped."
    ),
    "schedule": Listed(
        "schedules.commands:schedule_command", "List the schedule's jobs and when each next runs."
    ),
    "status": Listed(
        "schedules.commands:status_command", "Check the health of the crawls and the digests."
    ),
    "demo": Listed("thaidigest.demo:demo_command", "Run the offline end-to-end demo."),
}


def pythainlp_read_only(environ: MutableMapping[str, str]) -> None:
    """Put PyThaiNLP in read-only mode unless the user chose a mode (``environ``: the
    process's environment, passed on to every subprocess: the scheduler's jobs, the import
    workers).

    PyThaiNLP makes its data folder (``~/pythainlp-data``, or ``PYTHAINLP_DATA``) when it
    loads; with a home folder that cannot be written (a service user with no home, a
    read-only container) every command would stop there. thaidigest needs nothing in that
    folder: the word list of ``newmm``, the ``crfcut`` model and the Thai country names ship
    inside the PyThaiNLP package. Read-only mode makes no folder and downloads nothing. The
    user's own data folder is left alone, and so is a mode the user set, the deprecated
    ``PYTHAINLP_READ_MODE`` included (PyThaiNLP refuses both names at once).
    """
    if "PYTHAINLP_READ_ONLY" not in environ and "PYTHAINLP_READ_MODE" not in environ:
        environ["PYTHAINLP_READ_ONLY"] = "1"


# Before any command module loads, since those import PyThaiNLP.
pythainlp_read_only(os.environ)


def load_command(name: str) -> click.Command:
    """The click command ``name`` of :data:`COMMANDS`, its module imported now."""
    module, _, attribute = COMMANDS[name].target.partition(":")
    return getattr(importlib.import_module(module), attribute)


class ShownWhole(click.ClickException):
    """A click error (a usage or settings error) that shows itself in one write
    (:func:`thaidigest.output.show_error`), with its own exit status."""

    def __init__(self, error: click.ClickException) -> None:
        super().__init__(error.message)
        self.error = error
        self.exit_code = error.exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        show_error(self.error)


@contextmanager
def shown_whole() -> Iterator[None]:
    """Let the block's click errors out as :class:`ShownWhole`."""
    try:
        yield
    except ShownWhole:
        raise
    except click.ClickException as error:
        raise ShownWhole(error) from None


class Commands(click.Group):
    """The command group: commands loaded on use; a settings or database error is one
    line, never a traceback, and so is an output that cannot be written
    (:mod:`thaidigest.output`), by a command or by thaidigest's own ``--help`` and
    ``--version``; each error is shown in one write. A missing database given to a command
    that only reads is a settings error (exit 2), like a wrong setting."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their short help, from :data:`COMMANDS`: no command module is
        loaded to list them."""
        rows = [(name, COMMANDS[name].short_help) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            try:
                return load_command(cmd_name)
            except KeyboardInterrupt:  # Ctrl-C before the command began: its own line
                said = COMMANDS[cmd_name].interrupted
                if said is None:
                    raise
                click.echo(said)
                raise SystemExit(EXIT_INTERRUPTED) from None
        return super().get_command(ctx, cmd_name)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: object,
    ) -> click.Context:
        # A wrong option of thaidigest itself; its --help and --version, which print here,
        # before any command runs, to an output that may not be written as any command's.
        with shown_whole(), checked_stdout():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> object:
        with shown_whole():
            try:
                with checked_stdout():
                    return super().invoke(ctx)
            except (ConfigError, NoDatabaseError) as error:  # a wrong setting or --db: exit 2
                raise SettingsError(str(error)) from None
            except StoreError as error:
                raise click.ClickException(str(error)) from None
            except KeyboardInterrupt:  # Ctrl-C: as a shell reports it, not as a failure (1)
                click.echo("Aborted!", err=True)
                raise SystemExit(EXIT_INTERRUPTED) from None


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thaidigest")
def main() -> None:
    """Watch Thai government news for digital-economy cooperation; publish a weekly digest."""
