"""Named locks in the database: one crawl of a site at a time, across processes.

A lock row names its holder (host and pid) and an expiry. A lock whose
holder process is gone (same host, pid not running) or whose expiry has
passed is taken over, with a warning, so a crash never leaves a site locked
for good.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from thaidigest.store import Store, iso, locks, utc_now

log = logging.getLogger(__name__)

# The exit status of a command that found its lock held: EX_TEMPFAIL, try again later.
# The scheduler reads it as "skipped", not "failed".
EXIT_LOCKED = 75


class LockHeld(RuntimeError):
    """Another process holds the lock."""


class LockLost(LockHeld):
    """Another process took over a lock this one held (it judged the lock stale)."""


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _holder_alive(holder: str) -> bool:
    if holder == holder_name():  # our pid before a restart (a container's pid 1): not us now
        return False
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's process: trust the expiry
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def acquire(store: Store, name: str, ttl: timedelta, now: datetime | None = None) -> None:
    """Take the lock ``name`` or raise :class:`LockHeld` naming its holder."""
    now = now or utc_now()
    with store.transaction() as conn:
        row = conn.execute(select(locks).where(locks.c.name == name)).first()
        if row is not None:
            expired = row.expires_at <= iso(now)
            if not expired and _holder_alive(row.holder):
                raise LockHeld(f"{name} is held by {row.holder} since {row.acquired_at}")
            log.warning(
                "taking over %s from %s, held since %s: %s",
                name,
                row.holder,
                row.acquired_at,
                "it has expired" if expired else "that process is gone",
            )
            conn.execute(delete(locks).where(locks.c.name == name))
        try:
            conn.execute(
                insert(locks).values(
                    name=name,
                    holder=holder_name(),
                    acquired_at=iso(now),
                    expires_at=iso(now + ttl),
                )
            )
        except IntegrityError:
            raise LockHeld(f"{name} was taken at the same moment by another process") from None


def release(store: Store, name: str, *, wait: float | None = None) -> None:
    """Give the lock back if this process holds it.

    ``wait``: seconds to wait for a busy database (:meth:`Store.transaction`).
    """
    with store.transaction(wait) as conn:
        conn.execute(delete(locks).where(locks.c.name == name, locks.c.holder == holder_name()))


def holder(store: Store, name: str) -> str | None:
    """Who holds the lock ``name`` (``HOST:PID``), None when no one does."""
    with store.engine.connect() as conn:
        return conn.execute(select(locks.c.holder).where(locks.c.name == name)).scalar()


def renew(
    store: Store,
    name: str,
    ttl: timedelta,
    now: datetime | None = None,
    *,
    wait: float | None = None,
) -> bool:
    """Move the expiry of the lock ``name`` to ``ttl`` from now; False if we no longer hold it.

    ``wait``: seconds to wait for a busy database (:meth:`Store.transaction`).
    """
    now = now or utc_now()
    with store.transaction(wait) as conn:
        result = conn.execute(
            update(locks)
            .where(locks.c.name == name, locks.c.holder == holder_name())
            .values(expires_at=iso(now + ttl))
        )
    return result.rowcount == 1
