"""``thaidigest demo``: the whole product, offline, on the bundled fixture site.

It serves the fixture site (``seeds/site/``, installed as the package
``thaidigest_seeds``, so it runs from a wheel in any folder) on a loopback port,
crawls it with both spiders, imports the seed text files (the same stories once
more: deduplicated, and it says how many are copies), builds the digests and feeds of
the last weeks that hold relevant stories, shows the digest, and says how to browse the
result and check its health (``thaidigest status`` of the demo's database). Everything
lands in one folder (default ``./demo``), with the embedded SQLite database. Each run
replaces only what a demo wrote there (:data:`DEMO_FILES`, :data:`DEMO_FOLDERS`), and
refuses a folder that holds other files but no demo config of its own: a user's files are
never deleted, in its output folder either.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import click
from sqlalchemy import ColumnElement, FromClause, exists, func, select

from digest.clusters import LISTED
from digest.ours import STAGED_MARK, WRITTEN, foreign_files, load_written, recorded_name
from digest.select import Week, digest_path
from schedules.spec import packaged_schedule
from scraper.fixture_site import DEFAULT_ROOT, SEEDS_DIR, FixtureSite
from thaidigest.folders import FolderError, make_folder, os_reason
from thaidigest.options import refuse_empty_folder
from thaidigest.store import WAIT_FILE_SUFFIX, Store, articles, sqlite_url

FIRST_FIXTURE_ID = 87360
DEMO_DB, DEMO_TOML, DEMO_OUT = "thaidigest.sqlite", "thaidigest.toml", "public"
# The packaged schedule, copied: its digests and health are judged by it, not by a
# THAIDIGEST_SCHEDULES the shell holds (a schedule mailing, or writing elsewhere).
DEMO_SCHEDULE = "schedule.toml"
DEMO_CONFIG_MARK = "# Loopback fixture site: no politeness delay needed."
DEMO_CONFIG = f"""\
{DEMO_CONFIG_MARK}
[sites.thaigov]
delay = 0
[sites.mdes]
delay = 0
categories = [3, 7]
[digest]
out = "{DEMO_OUT}"
"""  # ends in [digest]: the demo adds its weeks there once it knows them (demo_weeks_setting)
# Everything the demo writes in its folder, and nothing else, is removed before a run.
DEMO_FILES = (
    DEMO_TOML,
    DEMO_SCHEDULE,
    *(DEMO_DB + suffix for suffix in ("", "-wal", "-shm", "-journal", WAIT_FILE_SUFFIX)),
)
DEMO_FOLDERS = (DEMO_OUT,)
DIGEST_LINES_SHOWN = 40
# What digest.publish.write_files stages beside a file (tempfile.mkstemp's name) until moved.
STAGED = re.compile(rf"\.(?P<name>.+)\.{STAGED_MARK}[a-z0-9_]{{8}}\.tmp")
DIGEST_WEEKS = 6  # the demo archive shows the last weeks that hold relevant stories


def _thaidigest(program: Sequence[str], *args: str) -> subprocess.CompletedProcess:
    """Run ``thaidigest ARGS`` with this interpreter, echoed as a shell here runs it with
    ``program`` (:func:`running_program`)."""
    command = [sys.executable, "-m", "thaidigest", *args]
    click.secho("$ " + shlex.join([*program, *args]), fg="cyan")
    result = subprocess.run(command, capture_output=True, text=True)
    click.echo(result.stdout.rstrip())
    if result.returncode not in (0, 1):
        click.echo(result.stderr[-3000:], err=True)
        raise click.ClickException(f"thaidigest {args[0]} failed ({result.returncode})")
    return result


def relevant_weeks(store: Store) -> list[str]:
    """The ISO weeks that hold relevant stories (the digest's: :mod:`digest.clusters`), oldest
    first."""
    query = select(articles.c.published).where(LISTED, articles.c.published.is_not(None))
    with store.engine.connect() as conn:
        days = [date.fromisoformat(value) for value in conn.execute(query).scalars()]
    return sorted({str(Week.of(day)) for day in days})


def last_article_id(store: Store) -> int:
    """The id of the article stored last (0 when none is): an article stored after it has
    a higher one."""
    with store.engine.connect() as conn:
        return conn.execute(select(func.max(articles.c.id))).scalar() or 0


OLDER = articles.alias("older")


def _story(table: FromClause) -> ColumnElement[str]:
    """The URL of the story a row of ``table`` (``articles`` or an alias) is in: its
    representative's (``duplicate_of``), or its own for the representative
    (:mod:`digest.clusters`)."""
    return func.coalesce(func.nullif(table.c.duplicate_of, ""), table.c.url)


def copies_stored_since(store: Store, last_id: int) -> tuple[int, int]:
    """How many articles were stored after the article ``last_id`` (the demo's import adds
    them after its crawl), and how many of those are in a story an article stored by then
    is in: copies that deduplication folded into a story already stored (or that took its
    place as the story's representative, the earlier article now its copy)."""
    in_older_story = exists().where(OLDER.c.id <= last_id, _story(OLDER) == _story(articles))
    query = select(in_older_story).where(articles.c.id > last_id)
    with store.engine.connect() as conn:
        folded = conn.execute(query).scalars().all()
    return len(folded), sum(folded)


def import_note(new: int, copies: int) -> str | None:
    """The line the demo prints under its import's counts, whose ``new 4`` reads as
    deduplication failing, when the import stored ``new`` articles, ``copies`` of them
    copies of stories the crawl stored; None when it stored none."""
    if not new:
        return None
    if not copies:
        which = "the new article" if new == 1 else f"none of the {new} new articles"
        return f"  {which} is {'no' if new == 1 else 'a'} copy of a story the crawl stored"
    if copies == new:
        said = "the new article is" if new == 1 else f"the {new} new articles are"
    else:
        said = f"{copies} of the {new} new articles {'is' if copies == 1 else 'are'}"
    copy = "a copy of a story" if copies == 1 else "copies of stories"
    return f"  {said} {copy} the crawl stored: the digest lists each story once"


def weeks_spanned(weeks: Sequence[str]) -> int:
    """How many weeks the ISO weeks ``weeks`` (oldest first) span, from the first to the
    last, each of them: 2024-W32 to 2024-W42 span 11."""
    first, last = Week.parse(weeks[0]), Week.parse(weeks[-1])
    return (last.monday - first.monday).days // 7 + 1


def demo_weeks_setting(weeks: Sequence[str]) -> str:
    """The line of the demo's ``[digest]`` settings that makes its feeds carry every week
    its digests list (``digest.weeks``, 4 by default, would leave only the last of its
    stories of 2024, weeks apart). Its other use, how far back a run without ``--week``
    catches up and mails, is none of the demo's: it builds each week by ``--week`` and
    mails nothing."""
    return f"weeks = {weeks_spanned(weeks)}\n"


def is_demo_folder(folder: Path) -> bool:
    """Whether ``folder`` holds the config an earlier demo wrote (its first line)."""
    try:
        with (folder / DEMO_TOML).open(encoding="utf-8") as config:
            return config.readline().rstrip("\n") == DEMO_CONFIG_MARK
    except (OSError, UnicodeDecodeError):
        return False


def clear_demo_folder(folder: Path) -> None:
    """Remove what an earlier demo wrote in ``folder``, and only that.

    A folder that holds anything but no demo config is refused, not cleared:
    ``--dir .`` or ``--dir ~`` must not take a user's own files. In the output folder only
    the files its digests left there as they are go (:func:`written_by_demo`): a file of
    the user's, or one of the demo's edited since, stays, and the digest judges it as it
    judges any file in its folder (refused where it would replace it).
    """
    if not folder.exists():
        return
    if not folder.is_dir():
        raise click.ClickException(f"{folder} is not a folder")
    if not is_demo_folder(folder):
        if any(folder.iterdir()):
            raise click.ClickException(
                f"{folder} is not empty and holds no earlier demo ({DEMO_TOML} written by "
                "thaidigest demo): give an empty or new folder with --dir"
            )
        return
    for name in DEMO_FILES:
        (folder / name).unlink(missing_ok=True)
    out = folder / DEMO_OUT
    if out.is_symlink() or not out.is_dir():
        return
    for path in written_by_demo(out):
        path.unlink(missing_ok=True)
    for parent, _, _ in sorted(os.walk(out), reverse=True):  # the deepest folders first
        with contextlib.suppress(OSError):  # one still holding a file of the user's stays
            Path(parent).rmdir()


def written_by_demo(out: Path) -> list[Path]:
    """The files in the demo's output folder ``out`` that its digests left there as they
    are (judged as ``digest`` judges its folder, by its record:
    :func:`digest.ours.foreign_files`), the record itself, and what a build cut short
    staged beside a file its record names (``.feed.atom.thaidigest-k3j_2x9a.tmp`` beside
    ``feed.atom``); not a link, a named pipe, a file of the user's (one named as if staged
    beside a file the record does not name too) or one the demo wrote and the user
    changed since."""
    files = []
    for parent, _, names in os.walk(out):  # links to folders are listed, not entered
        files += [
            path
            for path in (Path(parent) / name for name in names)
            if not path.is_symlink() and path.is_file()
        ]
    recorded = load_written(out) or {}
    staged = [
        path
        for path in files
        if (match := STAGED.fullmatch(path.name))
        and recorded_name(out, path.parent / match["name"]) in recorded
    ]
    judged = [path for path in files if path not in staged and path != out / WRITTEN]
    foreign = set(foreign_files(out, judged))
    ours = [path for path in judged if path not in foreign]
    return [*ours, *staged, *([out / WRITTEN] if out / WRITTEN in files else [])]


def digest_arguments(week: str, out: Path) -> list[str]:
    """The arguments of the demo's ``thaidigest digest`` of ``week`` (but the database and
    config): browsed with ``thaidigest serve`` on this machine, its loopback site_url is meant."""
    return ["--week", week, "--out", str(out), "--served-locally"]


def run_demo(folder: Path, site_root: Path = DEFAULT_ROOT) -> Path:
    """Run the demo in ``folder``; the path of the digest it wrote."""
    program = running_program(sys.argv[0], sys.executable, os.environ.get("PATH"), Path.cwd())
    clear_demo_folder(folder)
    db, out, config = folder / DEMO_DB, folder / DEMO_OUT, folder / DEMO_TOML
    schedule = folder / DEMO_SCHEDULE
    try:
        make_folder(folder)
        config.write_text(DEMO_CONFIG, encoding="utf-8")  # out: relative to the file
        schedule.write_text(packaged_schedule(), encoding="utf-8")
    except FolderError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # a folder we may not write in
        raise click.ClickException(f"cannot write {config}: {os_reason(error)}") from None
    common = ("--db", str(db), "--config", str(config))
    with FixtureSite(site_root) as site:
        click.secho(f"1. Crawling the bundled fixture site served at {site.base_url}", bold=True)
        _thaidigest(
            program,
            "crawl",
            "--base-url",
            site.base_url,
            "--start-id",
            str(FIRST_FIXTURE_ID),
            *common,
        )
    store = Store(sqlite_url(db))
    try:
        crawled_last = last_article_id(store)
        click.secho("2. Importing the seed text files (the same stories again)", bold=True)
        _thaidigest(program, "import", str(SEEDS_DIR), *common)
        if note := import_note(*copies_stored_since(store, crawled_last)):
            click.echo(note)
        weeks = relevant_weeks(store)[-DIGEST_WEEKS:]
    finally:
        store.close()
    if not weeks:
        raise click.ClickException("the crawl stored no relevant article")
    config.write_text(DEMO_CONFIG + demo_weeks_setting(weeks), encoding="utf-8")
    click.secho(f"3. Building the digests and feeds of {', '.join(weeks)}", bold=True)
    for week in weeks:
        _thaidigest(
            program, "digest", *digest_arguments(week, out), *common, "--schedules", str(schedule)
        )
    digest = digest_path(out, Week.parse(week))
    click.secho(f"4. The digest ({digest}), first {DIGEST_LINES_SHOWN} lines:", bold=True)
    lines = digest.read_text(encoding="utf-8").splitlines()
    click.echo("\n".join(lines[:DIGEST_LINES_SHOWN]))
    click.secho(
        f"\nThe database is {db}; feed.rss, feed.atom and index.html are in {out}/, the "
        f"digests in {digest.parent}/.\n"
        f"Browse it with: {shlex.join([*program, 'serve', '--out', str(out)])}\n"
        f"Check its health with: {status_command_line(program, db, config, schedule)}",
        bold=True,
    )
    return digest


def status_command_line(program: Sequence[str], db: Path, config: Path, schedule: Path) -> str:
    """The ``thaidigest status`` of the demo's database, settings and schedule, as a shell
    takes it."""
    return shlex.join(
        [*program, "status", "--db", str(db), "--config", str(config), "--schedules", str(schedule)]
    )


def running_program(argv0: str, python: str, search_path: str | None, cwd: Path) -> list[str]:
    """The words a shell in ``cwd`` runs this thaidigest with, as the demo's last lines name
    it: ``thaidigest`` when that command, looked up in ``search_path`` (``$PATH``), is the
    script running (``argv0``); else that script's path (``make demo`` runs
    ``.venv/bin/thaidigest``, a folder not on ``$PATH`` until the venv is activated), or
    ``python -m thaidigest`` with the running ``python`` when ``argv0`` is no executable
    file of that name: ``python -m thaidigest`` (its ``__main__.py``), ``python thaidigest``
    (the package's folder)."""
    script = cwd / argv0  # an absolute argv0 stays as it is
    if Path(argv0).stem != "thaidigest" or not is_executable_file(script):
        return [shell_path(Path(python), cwd), "-m", "thaidigest"]
    on_path = shutil.which("thaidigest", path=search_path)
    if on_path is not None and Path(on_path).resolve() == script.resolve():
        return ["thaidigest"]
    return [shell_path(script, cwd)]


def is_executable_file(path: Path) -> bool:
    """Whether ``path`` is a file (or a link to one) that a shell can run."""
    return path.is_file() and os.access(path, os.X_OK)


def shell_path(path: Path, cwd: Path) -> str:
    """``path`` (absolute) as a shell in ``cwd`` runs it: relative when it is under ``cwd``,
    with a slash so that the shell does not look it up in ``$PATH``. Not resolved: a venv's
    ``bin/python`` is a link to the system's, which would run without the venv."""
    if not path.is_relative_to(cwd):
        return str(path)
    relative = path.relative_to(cwd)
    return str(relative) if len(relative.parts) > 1 else f"./{relative}"


@click.command("demo")
@click.option(
    "--dir",
    "folder",
    type=click.Path(),  # a str: click's Path('') would be the current folder
    default="demo",
    callback=refuse_empty_folder,
    show_default=True,
    help="Folder for the demo's database and output: new, empty, or an earlier demo's "
    "(only what the demo wrote is replaced).",
)
def demo_command(folder: Path) -> None:
    """Crawl the bundled fixture site offline and build a digest, end to end."""
    run_demo(folder)
