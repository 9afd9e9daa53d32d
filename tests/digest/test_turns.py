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


# Holds the turn of the passes reading the stored articles of the database argv[1] again
# until its stdin closes.
HOLD_REREAD = """
import sys
from datetime import timedelta
from thaidigest import locks
from thaidigest.pipeline import SCORING_KEY
from thaidigest.store import Store

store = Store.open(sys.argv[1])
locks.acquire(store, locks.reread_lock(SCORING_KEY), timedelta(hours=1))
print("held", flush=True)
sys.stdin.read()
locks.release(store, locks.reread_lock(SCORING_KEY))
"""


def test_a_digests_folder_lock_lasts_minutes_unrenewed_so_one_killed_elsewhere_holds_none_up(
    tmp_path,
):
    # It lasted crawl.subprocess_timeout (an hour): a run killed in another container, which
    # cannot be checked from here, held every digest of its folder up that long.
    db, out, config = stored(tmp_path), tmp_path / "public", tmp_path / "thaidigest.toml"
    config.write_text("[relevance]\nthreshold = 0.9\n", encoding="utf-8")  # scored again
    rereading = subprocess.Popen(
        [sys.executable, "-c", HOLD_REREAD, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    store = Store.open(str(db))
    try:
        assert rereading.stdout.readline() == "held\n"
        arguments = ["digest", "--week", "2024-W34", "--out", str(out), "--db", str(db)]
        run = subprocess.Popen(
            [sys.executable, "-m", "thaidigest", *arguments, "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            said = run.stderr.readline()  # in its folder's turn, it waits for the rescoring
            assert "waiting for the pass reading the stored articles again" in said, said
            state = locks.lock_state(store, locks.digest_lock(out))
            assert state is not None and state.holder == f"{socket.gethostname()}:{run.pid}"
            lasts = parse_iso(state.expires_at) - parse_iso(state.since)
            assert timedelta(minutes=1) < lasts <= timedelta(minutes=5)
        finally:
            rereading.communicate("", timeout=60)
            stdout, stderr = run.communicate(timeout=120)
    finally:
        if rereading.poll() is None:
            rereading.kill()
        store.close()
    assert run.returncode == 0, stderr
    assert "digest 2024-W34: " in stdout
