"""The pass that scores the stored articles again (after an upgrade, an edited rules file,
a moved threshold) stopped before it ends, by a database that refuses it or by a stop
signal: the command ends as its contract says, holding nothing, nothing written, and the
next command scores them all again."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from scraper.fixture_site import FixtureSite
from tests.conftest import SEEDS
from tests.scraper.crawling import FAST_CONFIG, PROJECT, crawl_args, environment, scrapy_args
from tests.test_read_only_media import NEEDS_READ_ONLY_MOUNT, read_only
from thaidigest import locks
from thaidigest.config import DEFAULTS, load_config
from thaidigest.options import EXIT_INTERRUPTED
from thaidigest.pipeline import (
    SCORING_KEY,
    Reread,
    build_ingestor,
    rescore_stored,
    scoring_fingerprint,
)
from thaidigest.readers import read_paths
from thaidigest.store import Store

# Scored with the default threshold, then asked for with this one: every command that
# stores or reads verdicts scores the stored articles again first.
STRICTER = "[relevance]\nthreshold = 0.9\n"
REFUSED = "not crawling: the database refused the crawl: "


def stored_seeds(folder: Path) -> tuple[Path, Path]:
    """A database in ``folder`` holding the seed articles, scored with the defaults, and a
    settings file beside ``folder`` whose threshold asks for them to be scored again."""
    folder.mkdir()
    db = folder / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    build_ingestor(store, config=DEFAULTS).ingest(list(read_paths([SEEDS])))
    store.close()  # the last connection: no -wal or -shm file left beside it
    config = folder.parent / "thaidigest.toml"
    config.write_text(FAST_CONFIG + STRICTER, encoding="utf-8")
    return db, config


def verdicts(db: Path) -> list[tuple]:
    """The stored articles' scores."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT id, relevance, relevant, topics FROM articles ORDER BY id"
        ).fetchall()


def table(db: Path, name: str, columns: str = "*") -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT {columns} FROM {name}").fetchall()


def digest_args(tmp_path: Path, db: Path, config: Path) -> list[str]:
    out = tmp_path / "public"
    return [
        "digest",
        "--out",
        str(out),
        "--judged-sites",
        "none",
        "--db",
        str(db),
        "--config",
        str(config),
    ]


@NEEDS_READ_ONLY_MOUNT
@pytest.mark.parametrize("command", ["scrapy crawl", "thaidigest crawl", "thaidigest digest"])
def test_a_database_that_refuses_the_rescoring_ends_the_command_in_its_one_line(command, tmp_path):
    folder = tmp_path / "read-only"
    db, config = stored_seeds(folder)
    before = verdicts(db)
    why = f"attempt to write a readonly database ({folder} is on a read-only file system)"
    with FixtureSite() as site:
        if command == "scrapy crawl":
            ran = read_only(
                folder,
                *scrapy_args("mdes", site.base_url),
                env=environment(db, config),
                cwd=PROJECT,
            )
        elif command == "thaidigest crawl":
            arguments = crawl_args(site.base_url, db, config, "--source", "all")
            ran = read_only(folder, sys.executable, "-m", "thaidigest", *arguments)
        else:
            arguments = digest_args(tmp_path, db, config)
            ran = read_only(folder, sys.executable, "-m", "thaidigest", *arguments)
        requests = list(site.requests)
    assert ran.returncode == 1, ran.stderr[-3000:]
    assert "Traceback" not in ran.stderr, ran.stderr[-3000:]
    said = [line for line in ran.stderr.splitlines() if line]
    if command == "scrapy crawl":  # in Scrapy's log: time, [mdes] ERROR: …
        [line] = said
        assert line.endswith(f"[mdes] ERROR: {REFUSED}database {db}: {why}"), line
    elif command == "thaidigest crawl":  # one line for both sites: one pass refused
        [line] = said  # in the crawl's log: Bangkok time, [logger] ERROR: …
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00 \[scraper\.crawl\] ERROR: .*", line
        )
        assert line.endswith(f"] ERROR: {REFUSED}database {db}: {why}"), line
    else:  # refused before the pass: what is out of date, and what to do
        assert said == [
            f"Error: database {db}: its stored articles' verdicts (the model, rules or "
            "threshold changed since they were scored) cannot be brought up to date "
            f"({folder} is on a read-only file system): build the digest from a writable "
            "copy of it"
        ]
        assert not (tmp_path / "public").exists()
    assert ran.stdout == ""  # no crawl report, no digest
    assert requests == []
    assert verdicts(db) == before
    assert table(db, "locks") == table(db, "crawl_runs") == []


PAUSED = "paused in the pass"
# `thaidigest ARGS` (argv[2:]) with its pass over the stored articles paused once where
# argv[1] says: "reading", at the fourth article read (the second batch of two), or
# "writing", as it begins to write what it found. It says PAUSED on stderr, then goes on
# once a line comes on stdin: a signal sent meanwhile comes in the middle of the pass.
PAUSED_IN_THE_PASS = f"""
import sys
import thaidigest.pipeline
from thaidigest.cli import main
from thaidigest.store import Store

where = sys.argv.pop(1)
thaidigest.pipeline.RESCORE_BATCH = 2
paused = []

def pause():
    if not paused:
        paused.append(True)
        print("{PAUSED}", file=sys.stderr, flush=True)
        sys.stdin.readline()

if where == "reading":
    read = Store.iter_articles

    def iter_articles(self):
        for number, row in enumerate(read(self)):
            if number == 3:
                pause()
            yield row

    Store.iter_articles = iter_articles
else:
    write = Store.update_scores

    def update_scores(self, *args, **kwargs):
        pause()
        return write(self, *args, **kwargs)

    Store.update_scores = update_scores
main(prog_name="thaidigest")
"""


def command_args(command: str, tmp_path: Path, db: Path, config: Path, base_url: str) -> list[str]:
    if command == "crawl":
        return crawl_args(base_url, db, config, "--source", "all")
    return digest_args(tmp_path, db, config)


def signalled_in_the_pass(
    where: str, signum: int, arguments: list[str]
) -> subprocess.CompletedProcess:
    """``thaidigest ARGUMENTS`` sent ``signum`` while its pass is paused ``where``, then let
    go on; SIGINT's default action as from a terminal, even when the tests run in the
    background (where it is ignored)."""
    victim = subprocess.Popen(
        [sys.executable, "-c", PAUSED_IN_THE_PASS, where, *arguments],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert victim.stderr.readline() == f"{PAUSED}\n", victim.communicate(timeout=60)
        victim.send_signal(signum)
        stdout, stderr = victim.communicate("go on\n", timeout=60)
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
    return subprocess.CompletedProcess(victim.args, victim.returncode, stdout, stderr)


# As a signal before the pass would end the command: SIGTERM's default action; SIGINT's
# KeyboardInterrupt, which the command line ends with as a shell would report it.
ENDED_BY = {signal.SIGTERM: -signal.SIGTERM, signal.SIGINT: EXIT_INTERRUPTED}


@pytest.mark.parametrize(
    ("command", "signum"),
    [("crawl", signal.SIGTERM), ("crawl", signal.SIGINT), ("digest", signal.SIGTERM)],
)
def test_a_stop_signal_in_the_pass_ends_the_command_holding_nothing_its_verdicts_as_they_were(
    command, signum, tmp_path
):
    db, config = stored_seeds(tmp_path / "store")
    before = verdicts(db)
    with FixtureSite() as site:
        arguments = command_args(command, tmp_path, db, config, site.base_url)
        ran = signalled_in_the_pass("reading", signum, arguments)
        requests = list(site.requests)
    assert ran.returncode == ENDED_BY[signum], ran.stderr[-3000:]
    assert "Traceback" not in ran.stderr, ran.stderr[-3000:]
    assert ran.stdout == ""  # no crawl report, no digest
    assert requests == []
    # Its turn given back: the next pass neither waits for it nor takes it over.
    assert table(db, "locks") == table(db, "crawl_runs") == []
    assert verdicts(db) == before  # none written, and what scored them not recorded
    new = scoring_fingerprint(load_config(config), None)
    assert (new,) not in table(db, "meta", "value")
    store = Store(f"sqlite:///{db}")
    try:
        again = rescore_stored(store, load_config(config))
    finally:
        store.close()
    assert again.read == len(before) and again.changed > 0  # the next pass reads them all
    assert verdicts(db) != before


def test_a_stop_signal_as_the_pass_writes_ends_the_command_once_all_is_written(tmp_path):
    db, config = stored_seeds(tmp_path / "store")
    before = verdicts(db)
    with FixtureSite() as site:
        arguments = command_args("crawl", tmp_path, db, config, site.base_url)
        ran = signalled_in_the_pass("writing", signal.SIGTERM, arguments)
    assert ran.returncode == -signal.SIGTERM, ran.stderr[-3000:]
    assert table(db, "locks") == table(db, "crawl_runs") == []
    written = verdicts(db)
    assert written != before  # every verdict the pass found, and what it scored them with
    store = Store(f"sqlite:///{db}")
    try:
        assert store.meta_value(SCORING_KEY) == scoring_fingerprint(load_config(config), None)
        assert rescore_stored(store, load_config(config)) == Reread()
    finally:
        store.close()
    assert verdicts(db) == written


def test_a_second_stop_signal_ends_the_command_at_once_wherever_its_pass_is(tmp_path):
    """The first signal is held until the pass can stop; one sent again is not: a stop
    repeated (Ctrl-C pressed twice, a supervisor's second SIGTERM) acts where the pass
    is, here held up before its write (as by a busy database), which the first awaits."""
    db, config = stored_seeds(tmp_path / "store")
    before = verdicts(db)
    with FixtureSite() as site:
        arguments = command_args("digest", tmp_path, db, config, site.base_url)
        victim = subprocess.Popen(
            [sys.executable, "-c", PAUSED_IN_THE_PASS, "writing", *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert victim.stderr.readline() == f"{PAUSED}\n"
            # Sent again until it ends (signals sent at once merge into one), never let go
            # on: a command that holds the second too waits for that and never ends here.
            for _ in range(300):
                victim.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    victim.wait(timeout=0.2)
                    break
            returncode = victim.poll()
        finally:
            if victim.poll() is None:
                victim.kill()
                victim.wait()
            victim.stdin.close()
            victim.stdout.close()
            victim.stderr.close()
    assert returncode == -signal.SIGTERM
    assert verdicts(db) == before  # stopped before its one write


def test_a_stop_signal_ends_the_wait_for_another_pass_at_once(tmp_path):
    """A pass held back by another's turn ends its wait at the signal, holding nothing and
    leaving the other's turn as it was, rather than hold the signal until the other ends."""
    db, config = stored_seeds(tmp_path / "store")
    store = Store(f"sqlite:///{db}")
    name = locks.reread_lock(SCORING_KEY)
    locks.acquire(store, name, timedelta(hours=1))  # this process: a pass that runs
    try:
        with FixtureSite() as site:
            victim = subprocess.Popen(
                [sys.executable, "-m", "thaidigest", *crawl_args(site.base_url, db, config)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                waiting = "waiting for the pass reading the stored articles again to end"
                while waiting not in (line := victim.stderr.readline()):
                    assert line, victim.communicate(timeout=60)  # it ended without waiting
                victim.send_signal(signal.SIGTERM)
                _, stderr = victim.communicate(timeout=60)
            finally:
                if victim.poll() is None:
                    victim.kill()
                    victim.wait()
        assert victim.returncode == -signal.SIGTERM, stderr[-3000:]
        held_by = table(db, "locks", "name, holder")
        assert [(n, h.split(" ")[0]) for n, h in held_by] == [
            (name, f"{socket.gethostname()}:{os.getpid()}")
        ]
    finally:
        locks.release(store, name)
        store.close()
