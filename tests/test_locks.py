"""Named locks: held while their holder lives, taken over with a warning once stale."""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update

from thaidigest import locks
from thaidigest.store import (
    BUSY_TIMEOUT,
    WAIT_FILE_SUFFIX,
    Store,
    StoreBusyError,
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


@pytest.mark.parametrize(
    ("holder", "acquired_ago", "why"),
    [
        ("{host}:{dead}", timedelta(0), "that process is gone"),
        ("{host}:{alive}", 2 * HOUR, "it has expired"),  # older than the crawl timeout
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


def test_a_lock_under_our_own_name_is_a_restart_reusing_the_pid_and_is_taken_over(store):
    locks.acquire(store, "daemon", HOUR)  # a container's pid 1, before its restart
    locks.acquire(store, "daemon", HOUR)  # pid 1 again: the holder cannot be another process


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
