"""`thaidigest demo`, end to end, as a new user runs it."""

from __future__ import annotations

import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import textwrap
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import feedparser
import pytest

from digest.markdown import story_headlines
from schedules.spec import packaged_schedule
from tests.conftest import needs_file_permissions, thaidigest_without_file_permission_overrides
from tests.digest import article, ingest, mark
from thaidigest.demo import (
    DEMO_FILES,
    DEMO_FOLDERS,
    copies_stored_since,
    import_note,
    last_article_id,
    relevant_weeks,
    running_program,
    status_command_line,
    weeks_spanned,
)

# Digital cooperation stories of the fixture site that the former rules missed.
DEMO_STORIES = ("Seagate", "UNESCAP", "TCT")
README = Path(__file__).resolve().parents[1] / "README.md"


# A schedule an operator's shell may name: mailing, writing elsewhere, crawling one site.
OPERATORS_SCHEDULE = """\
timezone = "Asia/Bangkok"
[[job]]
name = "crawl"
task = "crawl"
cron = "0 * * * *"
args = { source = "thaigov" }
[[job]]
name = "digest"
task = "digest"
cron = "0 7 * * 1"
args = { out = "elsewhere", email = true }
"""


def with_operators_schedule(folder: Path) -> dict[str, str]:
    """This environment with THAIDIGEST_SCHEDULES naming :data:`OPERATORS_SCHEDULE`,
    written in ``folder``: the demo and the commands it names judge by the demo's own
    schedule whatever the shell holds."""
    schedule = folder / "operators-schedule.toml"
    schedule.write_text(OPERATORS_SCHEDULE, encoding="utf-8")
    return {**os.environ, "THAIDIGEST_SCHEDULES": str(schedule)}


@dataclass(frozen=True)
class DemoRun:
    cwd: Path  # the folder it ran in
    folder: Path  # its --dir
    output: str  # what it printed on stdout


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """One demo run, for the tests that read what it wrote or printed and change nothing."""
    cwd = tmp_path_factory.mktemp("demo-run")
    folder = cwd / "my demo"  # a name a shell splits unless it is quoted
    run = [sys.executable, "-m", "thaidigest", "demo", "--dir", str(folder)]
    environment = with_operators_schedule(cwd)
    result = subprocess.run(
        run, capture_output=True, text=True, timeout=600, cwd=cwd, env=environment
    )
    assert result.returncode == 0, result.stderr
    return DemoRun(cwd, folder, result.stdout)


@pytest.fixture(scope="module")
def demo_folder(demo_run: DemoRun) -> Path:
    return demo_run.folder


def test_the_demo_writes_the_feeds_and_keeps_the_cooperation_stories(demo_folder: Path) -> None:
    folder = demo_folder
    assert (folder / "public" / "feed.rss").stat().st_size > 0
    assert (folder / "public" / "feed.atom").stat().st_size > 0
    database = folder / "thaidigest.sqlite"
    export = [sys.executable, "-m", "thaidigest", "export", "--db", str(database)]
    lines = subprocess.run(export, check=True, capture_output=True, text=True).stdout
    records = [json.loads(line) for line in lines.splitlines()]
    for story in DEMO_STORIES:
        found = [r for r in records if story in r["title"]]
        assert found, story
        assert all(r["relevant"] and r["relevance"] >= 0.5 for r in found), story


def test_the_demos_feed_carries_every_story_its_digests_list(demo_folder: Path) -> None:
    """Its digests are of weeks of 2024 weeks apart: its feeds reach back to the first of
    them, not the default four weeks to the last."""
    digests = sorted((demo_folder / "public" / "digests").glob("*.md"))
    assert len(digests) > 1
    listed = [
        headline
        for digest in digests
        for headline in story_headlines(digest.read_text(encoding="utf-8"))
    ]
    feed = feedparser.parse((demo_folder / "public" / "feed.atom").read_bytes())
    assert listed
    assert set(listed) <= {entry.title for entry in feed.entries}


def test_the_demos_digests_judge_both_sites_whatever_schedule_the_shell_names(
    demo_folder: Path,
) -> None:
    """Run under an operator's THAIDIGEST_SCHEDULES crawling thaigov alone, the demo's
    digests still judge the two sites its own schedule crawls."""
    for digest in (demo_folder / "public" / "digests").glob("*.md"):
        text = digest.read_text(encoding="utf-8")
        assert "not judged" not in text, digest.name
    assert (demo_folder / "schedule.toml").read_text(encoding="utf-8") == packaged_schedule()


def _demo(folder: str, cwd: Path) -> subprocess.CompletedProcess:
    run = [sys.executable, "-m", "thaidigest", "demo", "--dir", folder]
    return subprocess.run(run, capture_output=True, text=True, timeout=600, cwd=cwd)


def named(output: str, lead: str) -> list[str]:
    """The commands the demo's ``output`` names after ``lead``."""
    return [line.split(lead, 1)[1] for line in output.splitlines() if lead in line]


def test_the_commands_the_demo_names_run_as_printed_without_thaidigest_on_path(
    demo_run: DemoRun, tmp_path: Path
) -> None:
    """As after ``make demo``, whose venv is not activated: the demo names the program that
    runs it, here ``python -m thaidigest`` with the interpreter's path, which no ``$PATH``
    changes (the venv's script, named by its path, is :func:`running_program`'s: a run
    through it would test the script installed, not this code). The health check judges
    its folder healthy: its digests are of weeks of 2024, before its first crawl, so no
    week over since that crawl is owed a digest, and its crawls are fresh."""
    no_programs = tmp_path / "bin"
    no_programs.mkdir()
    environment = {**with_operators_schedule(tmp_path), "PATH": str(no_programs)}  # make demo
    folder = demo_run.folder
    (browse,) = named(demo_run.output, "Browse it with: ")
    (check,) = named(demo_run.output, "Check its health with: ")

    checked = subprocess.run(
        check,
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=demo_run.cwd,  # where the demo ran
        env=environment,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"digest: {folder / 'public' / 'digests' / '2024-W'}" in checked.stdout
    assert "not judged" not in checked.stdout  # both sites, as the packaged schedule crawls

    with subprocess.Popen(
        f"exec {browse} --port 0",  # the default port may be taken here
        shell=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=demo_run.cwd,  # where the demo ran
        env=environment,
    ) as server:
        try:
            url = server.stdout.readline().split(" at ")[-1].strip()
            with urllib.request.urlopen(url + "feed.atom", timeout=10) as answer:
                assert answer.status == 200
        finally:
            server.terminate()


def test_the_demos_last_message_says_where_each_thing_it_wrote_is(demo_run: DemoRun) -> None:
    """The feeds, the archive page and the digests are in its output folder, not beside
    the database."""
    folder, public = demo_run.folder, demo_run.folder / "public"
    database, digests = folder / "thaidigest.sqlite", public / "digests"

    assert (
        f"The database is {database}; feed.rss, feed.atom and index.html are in {public}/, "
        f"the digests in {digests}/." in demo_run.output
    )
    assert database.is_file() and any(digests.glob("*.md"))
    for name in ("feed.rss", "feed.atom", "index.html"):
        assert (public / name).is_file(), name


def test_the_demo_echoes_each_step_as_a_shell_runs_it(demo_run: DemoRun) -> None:
    """With the program it names last, and its paths quoted: its folder's name holds a
    space."""
    (check,) = named(demo_run.output, "Check its health with: ")
    check_words = shlex.split(check)
    program = check_words[: check_words.index("status")]
    steps = [shlex.split(line[2:]) for line in demo_run.output.splitlines() if line[:2] == "$ "]

    assert [step[len(program)] for step in steps[:3]] == ["crawl", "import", "digest"]
    for step in steps:
        assert step[: len(program)] == program
        assert step[step.index("--db") + 1] == str(demo_run.folder / "thaidigest.sqlite")


@pytest.mark.parametrize(
    ("argv0", "on_path", "expected"),
    [
        # make demo: the venv's script, run by its path, not on PATH
        (".venv/bin/thaidigest", "", [".venv/bin/thaidigest"]),
        # the venv activated: its script is the thaidigest a shell finds
        (".venv/bin/thaidigest", ".venv/bin", ["thaidigest"]),
        # another thaidigest first on PATH would not run this one
        (".venv/bin/thaidigest", "other/bin", [".venv/bin/thaidigest"]),
        # a script in the folder itself: a bare name would be looked up in PATH
        ("thaidigest", "", ["./thaidigest"]),
        # python -m thaidigest
        ("/usr/lib/python3/thaidigest/__main__.py", "", [".venv/bin/python", "-m", "thaidigest"]),
        # python src/thaidigest: the package's folder, no program a shell runs
        ("src/thaidigest", "", [".venv/bin/python", "-m", "thaidigest"]),
        # a file of that name that is no program
        ("notes/thaidigest", "", [".venv/bin/python", "-m", "thaidigest"]),
    ],
)
def test_the_demo_names_the_program_that_runs_it_as_a_shell_here_finds_it(
    tmp_path: Path, argv0: str, on_path: str, expected: list[str]
) -> None:
    for script in (".venv/bin/thaidigest", "other/bin/thaidigest", "thaidigest"):
        executable_script(tmp_path / script)
    (tmp_path / "src" / "thaidigest").mkdir(parents=True)
    (tmp_path / "src" / "thaidigest" / "__main__.py").write_text("", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "thaidigest").write_text("#!/bin/sh\n", encoding="utf-8")
    search_path = os.pathsep.join([str(tmp_path / on_path)] if on_path else [])
    python = str(tmp_path / ".venv/bin/python")

    assert running_program(argv0, python, search_path, tmp_path) == expected


def executable_script(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)


def test_a_program_outside_the_folder_is_named_by_its_whole_path(tmp_path: Path) -> None:
    script = tmp_path / "my tools" / "thaidigest"
    executable_script(script)
    here = tmp_path / "elsewhere"
    program = running_program(str(script), "/usr/bin/python3", "", here)
    db, config = here / "demo" / "thaidigest.sqlite", here / "demo" / "thaidigest.toml"

    assert program == [str(script)]
    schedule = here / "demo" / "schedule.toml"
    assert shlex.split(status_command_line(program, db, config, schedule)) == [
        str(script),
        "status",
        "--db",
        str(db),
        "--config",
        str(config),
        "--schedules",
        str(schedule),
    ]


def test_the_demo_refuses_a_folder_of_other_files_and_deletes_none(tmp_path: Path) -> None:
    (tmp_path / "thesis.md").write_text("a year of work", encoding="utf-8")
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "index.html").write_text("my site", encoding="utf-8")

    result = _demo(".", cwd=tmp_path)

    assert result.returncode == 1
    assert "not empty" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "thesis.md").read_text(encoding="utf-8") == "a year of work"
    assert (tmp_path / "public" / "index.html").read_text(encoding="utf-8") == "my site"
    assert not (tmp_path / "thaidigest.sqlite").exists()


def test_a_rerun_replaces_what_the_demo_wrote_and_keeps_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    assert _demo(str(folder), cwd=tmp_path).returncode == 0
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    feed = folder / "public" / "feed.atom"
    feed.unlink()  # a file it wrote, gone: written afresh

    rerun = _demo(str(folder), cwd=tmp_path)

    assert rerun.returncode == 0, rerun.stderr
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert feed.stat().st_size > 0
    # What it wrote is what it clears before a run: its files, the database's, its folders.
    assert {p.name for p in folder.iterdir()} - {"notes.txt"} <= {*DEMO_FILES, *DEMO_FOLDERS}


def test_a_rerun_deletes_in_its_output_only_what_the_demo_left_there_as_it_is(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "demo"
    assert _demo(str(folder), cwd=tmp_path).returncode == 0
    public = folder / "public"
    notes = public / "digests" / "1999-W01.md"
    notes.write_text("my notes", encoding="utf-8")
    litter = public / ".DS_Store"
    litter.write_bytes(b"\x00\x00\x00\x01Bud1")
    staged = public / ".feed.atom.thaidigest-k3j_2x9a.tmp"  # a build killed before it moved it
    staged.write_text("<feed", encoding="utf-8")
    lookalike = public / ".index.html.backup_1.tmp"  # a user's, beside a file of the demo's
    lookalike.write_text("mine too", encoding="utf-8")

    rerun = _demo(str(folder), cwd=tmp_path)

    assert rerun.returncode == 0, rerun.stderr
    assert notes.read_text(encoding="utf-8") == "my notes"
    assert litter.read_bytes() == b"\x00\x00\x00\x01Bud1"
    assert not staged.exists()
    assert lookalike.read_text(encoding="utf-8") == "mine too"
    assert (public / "feed.atom").stat().st_size > 0


def test_a_rerun_keeps_a_page_of_the_demos_the_user_edited_and_stops_at_it(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "demo"
    assert _demo(str(folder), cwd=tmp_path).returncode == 0
    index = folder / "public" / "index.html"
    edited = index.read_text(encoding="utf-8") + "<p>my note</p>\n"
    index.write_text(edited, encoding="utf-8")

    refused = _demo(str(folder), cwd=tmp_path)

    assert refused.returncode == 1
    assert f"Error: {index}: a file thaidigest did not write" in refused.stderr
    assert index.read_text(encoding="utf-8") == edited

    index.unlink()
    assert _demo(str(folder), cwd=tmp_path).returncode == 0  # moved out: rerun as before
    assert index.stat().st_size > 0


def test_the_demos_settings_name_its_output_from_any_folder(tmp_path: Path) -> None:
    assert _demo("demo", cwd=tmp_path).returncode == 0  # a relative --dir
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    status = [sys.executable, "-m", "thaidigest", "status", "--db", "../demo/thaidigest.sqlite"]
    status += ["--config", "../demo/thaidigest.toml"]
    result = subprocess.run(status, capture_output=True, text=True, timeout=60, cwd=elsewhere)
    assert "digest: ../demo/public/digests/" in result.stdout, result.stdout  # beside the file


def test_the_demo_ignores_the_settings_of_the_folder_it_runs_from(tmp_path: Path) -> None:
    broken = tmp_path / "thaidigest.toml"
    broken.write_text("[digest\n", encoding="utf-8")  # not TOML: any command reading it stops
    run = [sys.executable, "-m", "thaidigest", "demo", "--dir", str(tmp_path / "demo")]
    env = {**os.environ, "THAIDIGEST_CONFIG": str(broken)}

    result = subprocess.run(run, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo" / "public" / "feed.atom").stat().st_size > 0


def test_a_demo_folder_under_a_file_is_one_line_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    result = _demo("afile/sub", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "Error: afile is not a folder\n"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_demo_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    result = _demo("/proc/x", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot make the folder /proc/x: ")
    assert result.stderr.count("\n") == 1


@needs_file_permissions
def test_a_demo_folder_that_cannot_be_written_is_one_line_in_lower_case(tmp_path: Path) -> None:
    """As every error line says its reason: it said Python's `Permission denied`."""
    folder = tmp_path / "demo"
    folder.mkdir(mode=0o555)
    result = thaidigest_without_file_permission_overrides("demo", "--dir", str(folder))
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: cannot write {folder / 'thaidigest.toml'}: permission denied\n"
    )


@pytest.mark.parametrize(
    ("weeks", "spanned"),
    [
        (["2024-W42"], 1),
        (["2024-W32", "2024-W34", "2024-W42"], 11),
        (["2024-W52", "2025-W01"], 2),
        (["2020-W53", "2021-W01"], 2),
    ],
)
def test_the_demo_weeks_span_from_the_first_to_the_last(weeks: list[str], spanned: int) -> None:
    assert weeks_spanned(weeks) == spanned


def test_a_week_whose_story_is_relevant_only_in_a_copy_is_a_demo_week(store) -> None:
    listed = article(1, "Short generic release", published=date(2024, 8, 20))
    copy = article(2, "The release with the details", published=date(2024, 8, 20))
    unlisted = article(3, "Not about cooperation", published=date(2024, 9, 3))
    ingest(store, [listed, copy, unlisted], "2024-09-04T03:00")
    mark(store, listed, relevant=False)
    mark(store, copy, duplicate_of=listed)
    mark(store, unlisted, relevant=False)
    assert relevant_weeks(store) == ["2024-W34"]


def test_the_demo_says_its_imported_articles_are_copies_of_crawled_stories(
    demo_run: DemoRun,
) -> None:
    """Under the import's own counts (the CLI contract, which scripts read), whose ``new 4``
    reads as deduplication failing, a line says how many of them the database holds as
    copies of stories the crawl stored."""
    lines = demo_run.output.splitlines()
    (at,) = [i for i, line in enumerate(lines) if line.startswith("read ")]
    new = int(re.fullmatch(r"read \d+, new (\d+), updated \d+, .*", lines[at])[1])
    crawled = sum(int(found) for found in re.findall(r"^  new (\d+),", demo_run.output, re.M))
    with sqlite3.connect(demo_run.folder / "thaidigest.sqlite") as db:
        rows = db.execute("SELECT url, duplicate_of FROM articles ORDER BY id").fetchall()
    story = {url: duplicate_of or url for url, duplicate_of in rows}
    crawled_stories = {story[url] for url, _ in rows[:crawled]}
    copies = [url for url, _ in rows[crawled:] if story[url] in crawled_stories]

    assert len(rows) == crawled + new
    assert new == len(copies) == 4  # each seed a story the fixture site has too
    assert lines[at + 1] == (
        f"  the {new} new articles are copies of stories the crawl stored: "
        "the digest lists each story once"
    )


def test_the_articles_stored_since_are_told_apart_by_their_stories(store) -> None:
    """A copy of a story stored before, and an article that took a stored one's place as
    its story's representative, are copies; an article of a story of its own is not."""
    release, other = article(1, "Release"), article(2, "Another story")
    ingest(store, [release, other], "2024-09-04T03:00")
    before = last_article_id(store)
    copy, taking_over, alone = article(3, "Copy"), article(4, "Earlier"), article(5, "Alone")
    ingest(store, [copy, taking_over, alone], "2024-09-05T03:00")
    for raw in (release, taking_over, alone):
        mark(store, raw)
    mark(store, copy, duplicate_of=release)
    mark(store, other, duplicate_of=taking_over)

    assert before == 2
    assert copies_stored_since(store, before) == (3, 2)
    assert copies_stored_since(store, last_article_id(store)) == (0, 0)


ONCE = ": the digest lists each story once"


@pytest.mark.parametrize(
    ("new", "copies", "line"),
    [
        (0, 0, None),
        (4, 4, f"  the 4 new articles are copies of stories the crawl stored{ONCE}"),
        (1, 1, f"  the new article is a copy of a story the crawl stored{ONCE}"),
        (4, 3, f"  3 of the 4 new articles are copies of stories the crawl stored{ONCE}"),
        (4, 1, f"  1 of the 4 new articles is a copy of a story the crawl stored{ONCE}"),
        (4, 0, "  none of the 4 new articles is a copy of a story the crawl stored"),
        (1, 0, "  the new article is no copy of a story the crawl stored"),
    ],
)
def test_the_import_note_says_how_many_new_articles_are_copies(
    new: int, copies: int, line: str | None
) -> None:
    assert import_note(new, copies) == line


def readme_explain_examples() -> list[tuple[list[str], list[str]]]:
    """The README's ``thaidigest explain`` examples: each command's words and the lines
    it shows of the output (``…`` where it leaves some out)."""
    text = README.read_text(encoding="utf-8")
    examples: list[tuple[list[str], list[str]]] = []
    for block in re.findall(r"```text\n(.*?)```", text, re.S):
        shown: list[str] | None = None  # the output lines of an explain example
        for line in textwrap.dedent(block).splitlines():
            if line.startswith("$ "):
                shown = [] if line.startswith("$ thaidigest explain ") else None
                if shown is not None:
                    examples.append((shlex.split(line[2:]), shown))
            elif shown is not None and line:
                shown.append(line)
    return examples


def shown_in_order(shown: list[str], output: list[str]) -> bool:
    """Whether ``output`` holds the lines ``shown`` whole, in their order, each run of them
    between ``…`` lines together."""
    printed = "\n" + "\n".join(output) + "\n"
    at = 0
    for run in "\n".join(shown).split("…"):
        run = "\n" + run.strip("\n") + "\n"
        if run == "\n\n":
            continue
        found = printed.find(run, at)
        if found < 0:
            return False
        at = found + len(run) - 1  # the next run starts on the line after
    return True


def test_the_readmes_explain_examples_run_as_shown_on_the_demo(demo_run: DemoRun) -> None:
    """Run on the demo's database and settings, as a new user runs them after ``make demo``
    or ``thaidigest demo``, each prints what the README shows: the demo's articles are
    there from a wheel too, unlike a corpus in tests/data or a seed's path in the source
    tree."""
    examples = readme_explain_examples()
    assert len(examples) >= 2
    for words, shown in examples:
        assert words[-4:] == ["--db", "demo/thaidigest.sqlite", "--config", "demo/thaidigest.toml"]
        demo = [str(demo_run.folder / name) for name in ("thaidigest.sqlite", "thaidigest.toml")]
        run = [sys.executable, "-m", *words[:-4], "--db", demo[0], "--config", demo[1]]
        result = subprocess.run(run, capture_output=True, text=True, timeout=120, cwd=demo_run.cwd)
        assert result.returncode == 0, result.stderr
        assert shown_in_order(shown, result.stdout.splitlines()), (words[2], result.stdout)
