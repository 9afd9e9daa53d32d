"""The command line the README documents is the one the commands build."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from thaidigest.cli import COMMANDS, load_command, main

README = Path(__file__).resolve().parents[1] / "README.md"
# The README's sentence naming the commands that take an option: "... (`a`, `b`) take `--db".
LISTED = {
    "db": r"commands that use the database \(([^)]*)\)\s+take `--db",
    "config_file": r"those that read settings \(([^)]*)\)\s+take `--config",
    None: r"and\s+((?:`[\w-]+`,?\s+(?:and\s+)?)+)take neither",
}


def listed(option: str | None) -> set[str]:
    """The commands the README says take ``option`` (None: those that take neither)."""
    found = re.search(LISTED[option], README.read_text(encoding="utf-8"))
    assert found, f"the README names no commands for {option}"
    return set(re.findall(r"`([\w-]+)`", found.group(1)))


def taking(option: str) -> set[str]:
    return {
        name
        for name in COMMANDS
        if option in {parameter.name for parameter in load_command(name).params}
    }


@pytest.mark.parametrize("option", ["db", "config_file"])
def test_the_readme_names_every_command_that_takes_the_option_and_no_other(option):
    assert listed(option) == taking(option)


def test_the_readme_names_the_commands_that_take_neither_option():
    assert listed(None) == set(COMMANDS) - taking("db") - taking("config_file")


@pytest.mark.parametrize("name", ["thaidigest", *sorted(COMMANDS)])
def test_every_option_says_what_it_does_and_no_help_shows_docstring_markup(name):
    command = main if name == "thaidigest" else load_command(name)
    shown = CliRunner().invoke(main, [*([] if command is main else [name]), "--help"])
    assert shown.exit_code == 0, shown.output
    undescribed = [
        "/".join(parameter.opts)
        for parameter in command.params
        if isinstance(parameter, click.Option) and not parameter.hidden and not parameter.help
    ]
    assert undescribed == []
    # reStructuredText markup (``--out``, :mod:`x`) is for the docs; a terminal shows it raw.
    assert "`" not in shown.output


@pytest.mark.parametrize("width", [50, 80, 120])
def test_the_command_list_shows_each_command_s_help_whole(width):
    """Click cut each command's docstring mid-phrase: `explain  Why a stored article is
    (not) relevant: its...`."""
    shown = CliRunner().invoke(main, ["--help"], terminal_width=width)
    assert shown.exit_code == 0, shown.output
    listing = shown.output.split("Commands:\n", 1)[1]
    assert not [line for line in listing.splitlines() if line.rstrip().endswith(("...", "…"))]
    described = " ".join(listing.split())
    for name, listed in COMMANDS.items():
        assert f"{name} {listed.short_help}" in described
