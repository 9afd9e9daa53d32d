"""Named locks: held while their holder lives, taken over with a warning once stale."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, update

from thaidigest import locks
from thaidigest import store as store_module
from thaidigest.store import (
    BUSY_TIMEOUT,
    WAIT_FILE_SUFFIX,
    Store,
    StoreBusyError,
    StoreWaitStopped,
    iso,
    meta,
    utc_now,
)
from thaidigest.store import locks as lock_rows

HOUR = timedelta(hours=1)


def set_holder(store, name: str, holder: str, acquired_ago: timedelta, ttl: timedelta) -> None:
    now = utc_now()
    with store.transaction() as conn:
        conn.execute(
            update(lock_rows)
            .where(lock_rows.c.name == name)
            .values(
                holder=holder,
                acquired_at=iso(now - acquired_ago),
                expires_at=iso(now - acquired_ago + ttl),
            )
        )


def dead_pid() -> int:
    pid = 4_000_000  # above any pid_max: no such process
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    return pid


def test_a_live_holder_within_its_time_keeps_the_lock(store):
    locks.acquire(store, "crawl:thaigov", HOUR)
    set_holder(store, "crawl:thaigov", f"{socket.gethostname()}:{os.getppid()}", timedelta(0), HOUR)
    with pytest.raises(locks.LockHeld, match="is held by"):
        locks.acquire(store, "crawl:thaigov", HOUR)


def test_a_holder_on_another_host_keeps_the_lock_until_it_expires_and_the_refusal_says_when(
    store,
):
    locks.acquire(store, "crawl:thaigov", HOUR)
    set_holder(store, "crawl:thaigov", "elsewhere.example:1", timedelta(minutes=10), HOUR)
    (_, expires_at) = lock_row(store, "crawl:thaigov")
    with pytest.raises(locks.LockHeld) as held:
        locks.acquire(store, "crawl:thaigov", HOUR)
    message = str(held.value)
    assert message.startswith("crawl:thaigov is held by elsewhere.example:1 since ")
    assert f" until {expires_at} unless renewed " in message
    assert "cannot be checked from here" in message


def test_a_live_holder_this_process_can_check_is_not_given_an_expiry(store):
    holding = as_another_process(store, "crawl:mdes", "-", "-", "hold", stdin=subprocess.PIPE)
    try:
        assert holding.stdout.readline() == "held\n"
        with pytest.raises(locks.LockHeld) as held:
            locks.acquire(store, "crawl:mdes", HOUR)
    finally:
        holding.communicate("", timeout=60)
    held_by = f"crawl:mdes is held by {socket.gethostname()}:{holding.pid} since "
    assert str(held.value).startswith(held_by)
    assert " until " not in str(held.value)  # it keeps the lock as long as it runs


@pytest.mark.parametrize(
    ("holder", "acquired_ago", "why"),
    [
        ("{host}:{dead}", timedelta(0), "that process is gone"),
        # A row written before holders had tokens: its pid may be another namespace's.
        ("{host}:{alive}", 2 * HOUR, "it has expired"),
        ("elsewhere.example:1", 2 * HOUR, "it has expired"),
    ],
    ids=["holder-gone", "live-holder-past-its-time", "other-machine-past-its-time"],
)
def test_a_stale_lock_is_taken_over_with_a_warning(store, caplog, holder, acquired_ago, why):
    locks.acquire(store, "crawl:mdes", HOUR)
    holder = holder.format(host=socket.gethostname(), dead=dead_pid(), alive=os.getppid())
    set_holder(store, "crawl:mdes", holder, acquired_ago, HOUR)
    with caplog.at_level(logging.WARNING, logger="thaidigest.locks"):
        locks.acquire(store, "crawl:mdes", HOUR)
    (record,) = caplog.records
    assert (
        f"taking over crawl:mdes from {holder}" in record.getMessage()
        and why in record.getMessage()
    )


# A process taking locks as another name: ``HOST:PID`` with PID forced (a container's
# pid 1), in the pid namespace given (an inode number, as /proc/self/ns/pid names it);
# "-" for either leaves the process's own.
# ``hold`` takes the lock, says so and keeps it until its stdin closes; ``die`` takes it
# and exits without releasing it (killed); ``try`` takes it, renews it and releases it,
# printing what each did.
AS_ANOTHER_PROCESS = """
import json, os, sys
from datetime import timedelta
from pathlib import Path
from thaidigest import locks
from thaidigest.store import Store

db, name, pid, namespace, action = sys.argv[1:]
if pid != "-":
    os.getpid = lambda: int(pid)
if namespace != "-":
    locks.pid_namespace = lambda: namespace
store = Store(db)
if action == "try":
    try:
        locks.acquire(store, name, timedelta(hours=1))
        acquired = "acquired"
    except locks.LockHeld as held:
        acquired = str(held)
    renewed = locks.renew(store, name, timedelta(hours=2))
    locks.release(store, name)
    print(json.dumps({"acquire": acquired, "renew": renewed}), flush=True)
    sys.exit(0)
locks.acquire(store, name, timedelta(hours=1))
if action == "die":
    os._exit(0)
print("held", flush=True)
sys.stdin.read()
locks.release(store, name)
"""


def as_another_process(store, name: str, pid: int | str, namespace: str, action: str, **popen):
    return subprocess.Popen(
        [sys.executable, "-c", AS_ANOTHER_PROCESS, store.url, name, str(pid), namespace, action],
        stdout=subprocess.PIPE,
        text=True,
        **popen,
    )


def lock_row(store, name: str) -> tuple | None:
    with store.engine.connect() as conn:
        return conn.execute(
            select(lock_rows.c.holder, lock_rows.c.expires_at).where(lock_rows.c.name == name)
        ).first()


def our_pid_namespace() -> str:
    return os.readlink("/proc/self/ns/pid").removeprefix("pid:[").removesuffix("]")


def test_two_processes_of_one_host_and_pid_in_two_pid_namespaces_keep_apart(store):
    # Two containers sharing a host name, each daemon its own namespace's pid 1.
    first = as_another_process(store, "daemon", 1, "4026530001", "hold", stdin=subprocess.PIPE)
    try:
        assert first.stdout.readline() == "held\n"
        held = lock_row(store, "daemon")
        second = as_another_process(store, "daemon", 1, "4026530002", "try")
        out, _ = second.communicate(timeout=60)
        tried = json.loads(out)
        # Neither takes the other's lock, nor renews it, nor releases it.
        assert tried["acquire"].startswith(f"daemon is held by {socket.gethostname()}:1 since")
        assert tried["renew"] is False
        assert lock_row(store, "daemon") == held
    finally:
        first.communicate("", timeout=60)
    assert first.returncode == 0 and lock_row(store, "daemon") is None  # released by its holder


def test_a_restart_reusing_the_pid_in_the_same_namespace_takes_the_lock_over(store, caplog):
    # A container's pid 1 killed, then pid 1 again in the same namespace: the holder is gone.
    namespace = our_pid_namespace()
    killed = as_another_process(store, "daemon", 1, namespace, "die")
    killed.communicate(timeout=60)
    assert lock_row(store, "daemon") is not None
    again = as_another_process(store, "daemon", 1, namespace, "try")
    out, _ = again.communicate(timeout=60)
    assert json.loads(out) == {"acquire": "acquired", "renew": True}
    assert lock_row(store, "daemon") is None  # and released


def test_a_live_holder_on_this_host_keeps_its_lock_past_its_expiry(store):
    # A crawl running longer than its lock's time: alive, so not stale.
    holding = as_another_process(store, "crawl:mdes", "-", "-", "hold", stdin=subprocess.PIPE)
    try:
        assert holding.stdout.readline() == "held\n"
        with store.transaction() as conn:
            conn.execute(update(lock_rows).values(expires_at=iso(utc_now() - HOUR)))
        held_by = f"is held by {socket.gethostname()}:{holding.pid} since"
        with pytest.raises(locks.LockHeld, match=held_by):
            locks.acquire(store, "crawl:mdes", HOUR)
    finally:
        holding.communicate("", timeout=60)


def test_a_holder_whose_pid_another_process_took_since_is_gone(store, caplog):
    # The holder was killed and its pid reused: the process running now started later.
    locks.acquire(store, "crawl:mdes", HOUR)
    parent = os.getppid()
    reused = locks.Holder(
        host=socket.gethostname(), pid=parent, namespace=our_pid_namespace(), start="1", token="x"
    )
    set_holder(store, "crawl:mdes", str(reused), timedelta(0), HOUR)
    with caplog.at_level(logging.WARNING, logger="thaidigest.locks"):
        locks.acquire(store, "crawl:mdes", HOUR)
    assert f"from {socket.gethostname()}:{parent}, held since" in caplog.text
    assert "that process is gone" in caplog.text


def test_renew_moves_the_expiry_only_for_its_holder(store):
    locks.acquire(store, "daemon", timedelta(minutes=5))
    assert locks.renew(store, "daemon", 2 * HOUR)
    set_holder(store, "daemon", "elsewhere.example:1", timedelta(0), HOUR)
    assert not locks.renew(store, "daemon", 2 * HOUR)
    with pytest.raises(locks.LockHeld):
        locks.acquire(store, "daemon", HOUR)


def test_a_renewal_given_a_short_wait_gives_up_then_and_leaves_the_usual_wait_behind(
    store, tmp_path
):
    locks.acquire(store, "daemon", HOUR)
    writer = sqlite3.connect(tmp_path / "test.sqlite", isolation_level=None)  # another process
    try:
        writer.execute("BEGIN EXCLUSIVE")
        began = time.monotonic()
        with pytest.raises(StoreBusyError, match="database is locked"):
            locks.renew(store, "daemon", HOUR, wait=0.2)
        assert time.monotonic() - began < 0.2 + 1  # not the 30 s busy timeout
    finally:
        writer.close()
    with store.engine.connect() as conn:  # the pool's one connection, the one that gave up
        usual = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert usual == round(BUSY_TIMEOUT * 1000)
    assert locks.renew(store, "daemon", HOUR)


def test_an_acquire_that_answers_a_stop_waits_the_busy_timeout_in_turns_and_fails_alike(
    store, tmp_path, monkeypatch
):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 3 * store_module.STOP_TURN)
    writer = sqlite3.connect(tmp_path / "test.sqlite", isolation_level=None)  # another process
    try:
        writer.execute("BEGIN EXCLUSIVE")
        began = time.monotonic()
        with pytest.raises(StoreBusyError, match="database is locked") as raised:
            locks.acquire(store, "daemon", HOUR, stopping=lambda: False)
        waited = time.monotonic() - began
    finally:
        writer.close()
    assert not isinstance(raised.value, StoreWaitStopped)
    assert store_module.BUSY_TIMEOUT <= waited < store_module.BUSY_TIMEOUT + 1
    assert locks.holder(store, "daemon") is None
    with store.engine.connect() as conn:  # the wait in turns leaves the usual one behind
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == round(
            store_module.BUSY_TIMEOUT * 1000
        )


def test_an_acquire_waiting_for_a_busy_database_gives_up_once_asked_to_stop(store, tmp_path):
    asked = threading.Event()
    writer = sqlite3.connect(tmp_path / "test.sqlite", isolation_level=None)  # another process
    try:
        writer.execute("BEGIN EXCLUSIVE")
        threading.Timer(0.2, asked.set).start()
        began = time.monotonic()
        with pytest.raises(StoreWaitStopped, match="given up: stopping"):
            locks.acquire(store, "daemon", HOUR, stopping=asked.is_set)
        waited = time.monotonic() - began
    finally:
        writer.close()
    assert waited < 0.2 + store_module.STOP_TURN + 0.5  # not the 30 s busy timeout
    assert locks.holder(store, "daemon") is None
    locks.acquire(store, "daemon", HOUR)  # the database free again: taken as usual


def test_a_writer_waiting_for_the_lock_goes_before_the_next_transaction_of_a_long_write(
    store, tmp_path
):
    crawl = Store(store.url)  # another writer, as a crawl is
    waiting_file = tmp_path / f"test.sqlite{WAIT_FILE_SUFFIX}"
    crawl_in = threading.Event()

    def crawl_writes() -> None:
        with crawl.transaction() as conn:
            crawl_in.set()
            conn.execute(insert(meta).values(key="crawl", value="in"))

    try:
        with store.transaction():  # a long write's transaction
            waiter = threading.Thread(target=crawl_writes)
            waiter.start()
            while not waiter_holds_the_wait_file(waiting_file):
                assert waiter.is_alive()
                time.sleep(0.01)
        began = time.monotonic()
        store.let_writers_in()
        assert crawl_in.wait(BUSY_TIMEOUT) and time.monotonic() - began < BUSY_TIMEOUT
        with store.transaction() as conn:  # the long write's next one: after the crawl's
            assert store_value(conn, "crawl") == "in"
        waiter.join()
    finally:
        crawl.close()


def waiter_holds_the_wait_file(path) -> bool:
    if not path.exists():
        return False
    with path.open("rb") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def store_value(conn, key: str) -> str | None:
    return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()


def test_let_writers_in_returns_at_once_when_no_writer_waits(store):
    began = time.monotonic()
    store.let_writers_in()
    assert time.monotonic() - began < 1


def test_the_reads_of_a_reading_see_no_write_committed_between_them(store):
    """Two reads that must agree (``status``: the runs mailing, the weeks they owe) see the
    database as of one moment, whatever another writer commits between them."""
    run = Store(store.url)  # another process's connections, as a digest run's
    try:
        with store.reading() as conn:
            assert store_value(conn, "mailing") is None
            with run.transaction() as writing:
                writing.execute(insert(meta).values(key="mailing", value="started"))
            assert store_value(conn, "mailing") is None
        with store.reading() as conn:  # the next reading sees it
            assert store_value(conn, "mailing") == "started"
    finally:
        run.close()


def test_a_holder_that_ended_and_awaits_its_parent_is_gone(store, caplog):
    # A crawl killed while the daemon that started it has not reaped it yet: a zombie.
    ended = as_another_process(store, "crawl:mdes", "-", "-", "die")
    try:
        while Path(f"/proc/{ended.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
            time.sleep(0.01)
        assert lock_row(store, "crawl:mdes") is not None
        with caplog.at_level(logging.WARNING, logger="thaidigest.locks"):
            locks.acquire(store, "crawl:mdes", HOUR)
        assert f"from {socket.gethostname()}:{ended.pid}, held since" in caplog.text
        assert "that process is gone" in caplog.text
    finally:
        ended.communicate(timeout=60)


# A stored time and how status and the daemon's log give it in Bangkok: a time without a
# zone (not written by iso(): an old or hand-edited database) read as UTC, as the store
# keeps its times; no such day and none in Bangkok's years as stored.
STORED_IN_BANGKOK = {
    "2024-08-25T18:00:00Z": "2024-08-26T01:00:00+07:00",
    "2024-08-25T18:00:00": "2024-08-26T01:00:00+07:00",
    "2024-08-25T18:00:00.250000": "2024-08-26T01:00:00+07:00",
    "2024-02-30T10:00:00Z": "2024-02-30T10:00:00Z",
    "9999-12-31T20:00:00Z": "9999-12-31T20:00:00Z",
}


@pytest.mark.parametrize("stored", STORED_IN_BANGKOK)
def test_a_stored_time_is_given_in_the_zone(stored):
    assert locks.stored_in_zone(stored, ZoneInfo("Asia/Bangkok")) == STORED_IN_BANGKOK[stored]


@pytest.mark.parametrize("stored", [stored for stored in STORED_IN_BANGKOK if stored.endswith("Z")])
def test_a_lock_messages_stored_times_are_given_in_the_zone_as_alone(stored):
    """A lock's times, written by iso(), as stored_in_zone gives them."""
    bangkok = ZoneInfo("Asia/Bangkok")
    shown = STORED_IN_BANGKOK[stored]
    message = f"crawl:mdes is held by host:12 since {stored}"
    assert locks.lock_times_in_zone(message, bangkok) == message.replace(stored, shown)
