"""Digest runs writing one folder take turns: a run that finds the folder's lock held
(an operator's ``digest --week`` while the daemon's digest job runs) waits for it, then
writes; neither loses the other's files, pages or feed entries."""

from __future__ import annotations

import socket
import subprocess
import sys

from tests.digest.test_commands import stored
from thaidigest import locks
from thaidigest.store import Store

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
    assert "digest 2024-W34: 1 item\n" in stdout
    assert (out / "digests" / "2024-W34.md").is_file()
    store = Store.open(str(db))
    try:
        assert locks.holder(store, locks.digest_lock(out)) is None  # given back
    finally:
        store.close()
