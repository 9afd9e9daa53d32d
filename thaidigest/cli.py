"""The ``thaidigest`` command line.

The commands and their options are a contract that people and scripts rely
on: add to them, never rename or remove.

A command imports only what it runs: :data:`COMMANDS` names the module of each,
loaded when the command is looked up, so ``thaidigest export`` never loads
Scrapy, Twisted or APScheduler.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import MutableMapping

import click

from thaidigest.config import ConfigError
from thaidigest.options import EXIT_INTERRUPTED, SettingsError
from thaidigest.output import checked_stdout
from thaidigest.store import NoDatabaseError, StoreError

# Command name -> "module:attribute" of its click command; each package keeps its own.
COMMANDS = {
    "import": "thaidigest.commands:import_command",
    "export": "thaidigest.commands:export_command",
    "explain": "thaidigest.commands:explain_command",
    "train-relevance": "thaidigest.commands:train_relevance_command",
    "partners": "thaidigest.commands:partners_command",
    "crawl": "scraper.commands:crawl_command",
    "digest": "digest.commands:digest_command",
    "serve": "digest.commands:serve_command",
    "run": "schedules.commands:run_command",
    "schedule": "schedules.commands:schedule_command",
    "status": "schedules.commands:status_command",
    "demo": "thaidigest.demo:demo_command",
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
    module, _, attribute = COMMANDS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


class Commands(click.Group):
    """The command group: commands loaded on use; a settings or database error is one
    line, never a traceback, and so is an output that cannot be written
    (:mod:`thaidigest.output`). A missing database given to a command that only reads is a
    settings error (exit 2), like a wrong setting."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            return load_command(cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
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
