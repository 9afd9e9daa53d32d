"""``thaidigest demo``: the whole product, offline, on the bundled fixture site.

It serves the fixture site (``seeds/site/``, installed as the package
``thaidigest_seeds``, so it runs from a wheel in any folder) on a loopback port,
crawls it with both spiders, imports the seed text files (the same stories once
more: deduplicated), builds the digests and feeds of the last weeks that hold relevant stories,
and shows the digest. Everything lands in one folder (default ``./demo``),
made afresh on each run, with the embedded SQLite database.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import click
from sqlalchemy import select

from scraper.fixture_site import DEFAULT_ROOT, SEEDS_DIR, FixtureSite
from thaidigest.store import Store, articles

FIRST_FIXTURE_ID = 87360
DEMO_CONFIG = """\
# Loopback fixture site: no politeness delay needed.
[sites.thaigov]
delay = 0
[sites.mdes]
delay = 0
categories = [3, 7]
[digest]
out = "{out}"
"""
DIGEST_LINES_SHOWN = 40
DIGEST_WEEKS = 6  # the demo archive shows the last weeks that hold relevant stories


def _thaidigest(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "thaidigest", *args]
    click.secho("$ thaidigest " + " ".join(args), fg="cyan")
    result = subprocess.run(command, capture_output=True, text=True)
    click.echo(result.stdout.rstrip())
    if result.returncode not in (0, 1):
        click.echo(result.stderr[-3000:], err=True)
        raise click.ClickException(f"thaidigest {args[0]} failed ({result.returncode})")
    return result


def relevant_weeks(store: Store) -> list[str]:
    """The ISO weeks that hold relevant stories, oldest first."""
    query = select(articles.c.published).where(
        articles.c.relevant.is_(True),
        articles.c.duplicate_of.is_(None),
        articles.c.published.is_not(None),
    )
    with store.engine.connect() as conn:
        days = [date.fromisoformat(value) for value in conn.execute(query).scalars()]
    return sorted({f"{day.isocalendar().year}-W{day.isocalendar().week:02d}" for day in days})


def run_demo(folder: Path, site_root: Path = DEFAULT_ROOT) -> Path:
    """Run the demo in ``folder``; the path of the digest it wrote."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db, out, config = folder / "thaidigest.sqlite", folder / "public", folder / "thaidigest.toml"
    config.write_text(DEMO_CONFIG.format(out=out.as_posix()), encoding="utf-8")
    common = ("--db", str(db), "--config", str(config))
    with FixtureSite(site_root) as site:
        click.secho(f"1. Crawling the bundled fixture site served at {site.base_url}", bold=True)
        _thaidigest(
            "crawl", "--base-url", site.base_url, "--start-id", str(FIRST_FIXTURE_ID), *common
        )
    click.secho("2. Importing the seed text files (the same stories again)", bold=True)
    _thaidigest("import", str(SEEDS_DIR), "--db", str(db))
    store = Store(f"sqlite:///{db}")
    try:
        weeks = relevant_weeks(store)[-DIGEST_WEEKS:]
    finally:
        store.close()
    if not weeks:
        raise click.ClickException("the crawl stored no relevant article")
    click.secho(f"3. Building the digests and feeds of {', '.join(weeks)}", bold=True)
    for week in weeks:
        _thaidigest("digest", "--week", week, "--out", str(out), *common)
    digest = out / "digests" / f"{week}.md"
    click.secho(f"4. The digest ({digest}), first {DIGEST_LINES_SHOWN} lines:", bold=True)
    lines = digest.read_text(encoding="utf-8").splitlines()
    click.echo("\n".join(lines[:DIGEST_LINES_SHOWN]))
    click.secho(
        f"\nEverything is in {folder}/: the database, the digests, feed.rss, feed.atom and "
        f"index.html. Browse it with: thaidigest serve --out {out}",
        bold=True,
    )
    return digest


@click.command("demo")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="Folder for the demo's database and output (made afresh).",
)
def demo_command(folder: Path) -> None:
    """Crawl the bundled fixture site offline and build a digest, end to end."""
    run_demo(folder)
