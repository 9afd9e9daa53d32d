"""Digest runs writing one folder take turns: a run that finds the folder's lock held
(an operator's ``digest --week`` while the daemon's digest job runs) waits for it, then
writes; neither loses the other's files, pages or feed entries."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

from tests.digest.test_commands import stored
from thaidigest import locks
from thaidigest.store import Store, parse_iso

# Holds the lock of the folder argv[2] in the database argv[1] until its stdin closes.
HOLD_FOLDER = """
import sys
from datetime import timedelta
from pathlib import Path
from thaidigest import locks
from thaidigest.store import Store

store = Store.open(sys.argv[1])
locks.acquire(store, locks.digest_lock(Path(sys.argv[2])), timedelta(hours=1))
print("held", flush=True)
sys.stdin.read()
locks.release(store, locks.digest_lock(Path(sys.argv[2])))
"""


def test_a_digest_waits_for_the_run_writing_its_folder_then_writes(tmp_path):
    db, out = stored(tmp_path), tmp_path / "public"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_FOLDER, str(db), str(out)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "held\n"
        arguments = ["digest", "--week", "2024-W34", "--out", str(out), "--db", str(db)]
        run = subprocess.Popen(
            [sys.executable, "-m", "thaidigest", *arguments, "--served-locally"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            said = run.stderr.readline()  # the run waits, and says for whom
            assert said.startswith(
                f"waiting for the digest run writing {out} to end: "
                f"{locks.digest_lock(out)} is held by {socket.gethostname()}:{holder.pid} since "
            ), said
            assert run.poll() is None and not out.exists()
        finally:
            holder.communicate("", timeout=60)  # its turn over
            stdout, stderr = run.communicate(timeout=120)
    finally:
        if holder.poll() is None:
            holder.kill()
    assert run.returncode == 0, stderr
    assert "digest 2024-W34: " in stdout
    assert (out / "digests" / "2024-W34.md").is_file()
    store = Store.open(str(db))
    try:
        assert locks.holder(store, locks.digest_lock(out)) is None  # given back
    finally:
        store.close()


# `thaidigest digest ARGS` paused in its folder's turn, before it builds its weeks: it says
# "building" on stderr, then goes on once its stdin closes.
PAUSED_IN_ITS_TURN = """
import sys
import digest.commands
from thaidigest.cli import main

build = digest.commands.build_digest

def paused(*args, **kwargs):
    print("building", file=sys.stderr, flush=True)
    sys.stdin.read()
    return build(*args, **kwargs)

digest.commands.build_digest = paused
main(prog_name="thaidigest")
"""


def test_a_digests_folder_lock_lasts_minutes_unrenewed_so_one_killed_elsewhere_holds_none_up(
    tmp_path,
):
    # It lasted crawl.subprocess_timeout (an hour): a run killed in another container, which
    # cannot be checked from here, held every digest of its folder up that long.
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["digest", "--week", "2024-W34", "--out", str(out), "--db", str(db)]
    run = subprocess.Popen(
        [sys.executable, "-c", PAUSED_IN_ITS_TURN, *arguments, "--served-locally"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    store = Store.open(str(db))
    try:
        try:
            said = run.stderr.readline()
            assert said == "building\n", said
            state = locks.lock_state(store, locks.digest_lock(out))
            assert state is not None and state.holder == f"{socket.gethostname()}:{run.pid}"
            lasts = parse_iso(state.expires_at) - parse_iso(state.since)
            assert timedelta(minutes=1) < lasts <= timedelta(minutes=5)
        finally:
            stdout, stderr = run.communicate("", timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
        store.close()
    assert run.returncode == 0, stderr
    assert "digest 2024-W34: " in stdout
