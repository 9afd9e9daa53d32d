"""The ``thaidigest`` command line.

The commands and their options are a contract that people and scripts rely
on: add to them, never rename or remove.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from tqdm import tqdm

from thaidigest.export import export_record
from thaidigest.ingest import Rejected
from thaidigest.options import db_option
from thaidigest.pipeline import build_ingestor
from thaidigest.readers import read_paths
from thaidigest.store import Store


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thaidigest")
def main() -> None:
    """Watch Thai government news for digital-economy cooperation; publish a weekly digest."""


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
def import_command(paths: tuple[Path, ...], db: str | None) -> None:
    """Import .txt files, folders of them, and .jsonl / .jsonl.xz corpus files."""
    store = Store.open(db)
    ingestor = build_ingestor(store)

    def report(rejected: Rejected) -> None:
        tqdm.write(f"skipped {rejected.where}: {rejected.reason}", file=sys.stderr)

    items = tqdm(
        read_paths(list(paths)),
        unit=" articles",
        disable=not sys.stderr.isatty(),
        file=sys.stderr,
    )
    summary = ingestor.ingest(items, on_reject=report)
    click.echo(summary.line())
    sys.exit(1 if summary.rejected else 0)


@main.command("export")
@click.option(
    "--format", "format_", type=click.Choice(["jsonl"]), default="jsonl", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File [default: stdout].",
)
@db_option
def export_command(format_: str, output: Path | None, db: str | None) -> None:
    """Every stored article as one JSON object a line."""
    store = Store.open(db)
    stream = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for row in store.iter_articles():
            stream.write(json.dumps(export_record(row), ensure_ascii=False) + "\n")
    finally:
        if output:
            stream.close()


def _register_commands() -> None:
    from scraper.commands import crawl_command
    from thaidigest.demo import demo_command

    main.add_command(crawl_command)
    main.add_command(demo_command)


_register_commands()
