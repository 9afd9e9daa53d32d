"""Named locks in the database: one crawl of a site at a time, across processes.

A lock row names its holder: host and pid (``HOST:PID``, the name messages show),
then its pid namespace, its start time and a token drawn once per process
(:class:`Holder`). The token tells apart two processes whose host and pid are the
same (two containers sharing a host name, each running its namespace's pid 1): a
process renews and releases only a row bearing its own token, and never mistakes
another's row for its own.

A lock is taken over, with a warning, when its holder is gone or its expiry has
passed, so a crash never leaves a site locked for good. Whether the holder is gone
can be told only on this host and in this pid namespace, where its pid means the
same process: there, a pid not running, running a process started at another time
(the pid reused) or being our own (a restart: pid 1 again) is a holder gone, and a
holder still running keeps its lock however long it runs. A holder on another host
or in another pid namespace (another container) is trusted until its lock expires;
it renews the lock meanwhile (:func:`kept`).

A row written before holders had tokens (``HOST:PID`` alone) still works: on this
host, a pid not running is a holder gone; a running one keeps the lock until it
expires, as that pid may be another namespace's.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from thaidigest import store as store_module
from thaidigest.output import ZonedLogFormatter, log_time
from thaidigest.store import Store, StoreError, StoreWaitStopped, iso, locks, utc_now

log = logging.getLogger(__name__)

# The exit status of a command that found its lock held: EX_TEMPFAIL, try again later.
# The scheduler reads it as "skipped", not "failed".
EXIT_LOCKED = 75
RENEW_WAIT = 5.0  # seconds a renewal by kept() waits for a busy database; it retries later
TURN_POLL = 1.0  # seconds between two tries of a process waiting for its turn (turn())


DAEMON_LOCK = "daemon"  # the lock of the daemon that runs a database's jobs (`thaidigest run`)
# A lock's holder as this module names it in its messages, with the times it quotes
# from the database (thaidigest.store.STORED_TIME, UTC): "held since T", "is held by
# HOST:PID since T", and "... since T until T2 unless renewed" for a holder that cannot be
# checked; the daemon's own, a crawl's, `run`'s "not running: ...".
LOCK_HELD = re.compile(
    rf"\bheld (?:by \S+ )?since {store_module.STORED_TIME.pattern}"
    rf"(?: until {store_module.STORED_TIME.pattern} unless renewed)?\b"
)


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """``moment`` as a clock in ``zone`` reads it. By way of UTC: ``astimezone`` leaves a
    time already in ``zone`` as it is, and APScheduler gives run times in the schedule's
    zone as clock times that may not exist there (02:30 on the day clocks spring
    forward), while the same instant reads 03:30."""
    return moment.astimezone(UTC).astimezone(zone)


def stored_in_zone(stored: str, zone: tzinfo) -> str:
    """A time the database stores in UTC (:func:`thaidigest.store.iso`) given in ``zone``
    as :func:`log_time` gives it, ``2026-12-07T07:30:00+07:00``, as ``status``, the daemon's
    log and the crontab lines give their times; one without a zone (not written by ``iso``:
    an old or hand-edited database) read as UTC, as the store keeps its times and
    :func:`thaidigest.store.stored_moment` reckons with it, not shown bare among times
    in ``zone``; one that is no time (``2024-02-30T10:00:00Z``), or none in ``zone``'s
    years, as stored."""
    try:
        return log_time(in_zone(store_module.stored_moment(stored), zone))
    except (ValueError, OverflowError):  # no such day; a year past 9999 in zone
        return stored


def lock_times_in_zone(text: str, zone: tzinfo) -> str:
    """``text`` with the times of each lock holder it names (:data:`LOCK_HELD`), stored in
    UTC as :func:`thaidigest.store.iso` writes them (``Z``), given in ``zone``
    (:func:`stored_in_zone`); every other text as it is: a time in a crawled page's
    address is the site's, not the database's."""

    def holder_in_zone(held: re.Match[str]) -> str:
        return store_module.STORED_TIME.sub(lambda stored: stored_in_zone(stored[0], zone), held[0])

    return LOCK_HELD.sub(holder_in_zone, text)


class LockTimesFormatter(ZonedLogFormatter):
    """The log format ``fmt``, each line's time in ``zone`` (:func:`log_time`), and so the
    times of a lock's holder a line quotes from the database (:func:`lock_times_in_zone`):
    the daemon's log and a crawl's."""

    def format(self, record: logging.LogRecord) -> str:
        return lock_times_in_zone(super().format(record), self.zone)


def crawl_lock(source: str) -> str:
    """The name of the lock a crawl of the site ``source`` holds: ``crawl:thaigov``."""
    return f"crawl:{source}"


# The line a crawl logs, at ERROR, when it does not start because its site's lock is held,
# with the words of the LockHeld, which start with the lock's name: one line of the crawl's
# log, shown at any crawl.log_level. The daemon relays the line as a warning (LOCKED_MESSAGE
# finds it in a line of the crawl's log): a site so kept off is skipped, not failed.
LOCKED_LINE = "not crawling: %s"
LOCKED_MESSAGE = re.compile(re.escape(LOCKED_LINE % crawl_lock("")) + r"\S+ ")


def digest_lock(out_dir: Path) -> str:
    """The name of the lock a digest run holds while it writes the folder ``out_dir``:
    ``digest:/srv/thaidigest/public``, its absolute path with links resolved, so every
    way of naming one folder names one lock."""
    return f"digest:{out_dir.resolve()}"


def reread_lock(meta_key: str) -> str:
    """The name of the lock a pass holds while it reads every stored article again to
    find one field anew, the field whose fingerprint the meta row ``meta_key`` records
    (``reread:relevance_scoring``; :func:`thaidigest.pipeline.rescore_stored`)."""
    return f"reread:{meta_key}"


class LockHeld(RuntimeError):
    """Another process holds the lock."""


class LockLost(LockHeld):
    """Another process took over a lock this one held (it judged the lock stale)."""


@dataclass(frozen=True)
class Holder:
    """A lock's holder, stored as ``HOST:PID ns=INODE start=TICKS token=HEX``.

    ``namespace`` is the inode of the holder's pid namespace and ``start`` its start
    time in clock ticks after boot (``/proc``; None where there is none); ``token`` is
    None in a row written before holders had tokens (``HOST:PID`` alone).
    """

    host: str
    pid: int | None
    namespace: str | None = None
    start: str | None = None
    token: str | None = None

    @classmethod
    def parse(cls, text: str) -> Holder:
        name, *fields = text.split(" ")
        host, _, pid = name.rpartition(":")
        if not pid.isdigit():
            return cls(host=name, pid=None)
        values = dict(field.partition("=")[::2] for field in fields)
        return cls(
            host=host,
            pid=int(pid),
            namespace=values.get("ns"),
            start=values.get("start"),
            token=values.get("token"),
        )

    @property
    def name(self) -> str:
        """``HOST:PID``, as messages name the holder."""
        return self.host if self.pid is None else f"{self.host}:{self.pid}"

    def __str__(self) -> str:
        fields = {"ns": self.namespace, "start": self.start, "token": self.token}
        return " ".join([self.name, *(f"{key}={value}" for key, value in fields.items() if value)])


class Liveness(Enum):
    """What this process can tell of a lock's holder."""

    RUNNING = "running"  # it runs: the lock is held however old
    GONE = "gone"  # it has ended: the lock is taken over
    UNKNOWN = "unknown"  # another host's, another namespace's: the expiry tells


def pid_namespace() -> str | None:
    """The inode of this process's pid namespace, None without ``/proc``."""
    try:
        link = os.readlink("/proc/self/ns/pid")  # "pid:[4026531836]"
    except OSError:
        return None
    return link.removeprefix("pid:[").removesuffix("]")


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` from the third (state) on; None if unreadable."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as file:
            stat = file.read()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()  # after the command name, which may hold spaces


def _start_of(fields: list[str] | None) -> str | None:
    """The start time in :func:`_proc_stat`'s fields (field 22 of proc(5)); None if absent."""
    return fields[19] if fields and len(fields) > 19 else None


def process_start(pid: int) -> str | None:
    """When the process ``pid`` started, in clock ticks after boot; None if unknown."""
    return _start_of(_proc_stat(pid))


_this_process: list[Holder] = []  # this process's holder, made at its first use


def this_process() -> Holder:
    """This process as a lock holder: a new token in a new process, a forked one too."""
    pid = os.getpid()
    if not _this_process or _this_process[0].pid != pid:
        _this_process[:] = [
            Holder(
                host=socket.gethostname(),
                pid=pid,
                namespace=pid_namespace(),
                start=process_start(pid),
                token=secrets.token_hex(8),
            )
        ]
    return _this_process[0]


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def liveness(held: Holder, me: Holder) -> Liveness:
    """What ``me`` can tell of the process ``held``, as the module docstring says."""
    if held.host != me.host or held.pid is None:
        return Liveness.UNKNOWN  # another machine's process
    if held.token is None:  # a row from before tokens: its namespace unknown
        return Liveness.UNKNOWN if _pid_running(held.pid) else Liveness.GONE
    if held.token == me.token:
        return Liveness.RUNNING  # this process
    if held.namespace != me.namespace:
        return Liveness.UNKNOWN  # another container's process: its pid means nothing here
    if held.pid == me.pid or not _pid_running(held.pid):
        return Liveness.GONE  # our pid is not another process's: one before us, gone
    fields = _proc_stat(held.pid)
    if fields and fields[0] == "Z":
        return Liveness.GONE  # ended, not yet reaped by its parent
    started = _start_of(fields)
    if held.start and started is not None and started != held.start:
        return Liveness.GONE  # the pid reused by a process started since
    return Liveness.RUNNING


def keeps(found: Liveness, expires_at: str, now: datetime) -> bool:
    """Whether a holder seen as ``found`` (:func:`liveness`) still holds a lock that
    expires at ``expires_at``, at ``now``: it runs, or it cannot be seen (another host,
    another container) and the lock has not expired. A lock it does not keep is taken over
    by the next taker."""
    return found is Liveness.RUNNING or (found is Liveness.UNKNOWN and expires_at > iso(now))


def _held_message(name: str, held: Holder, since: str, expires_at: str, found: Liveness) -> str:
    """Why the lock ``name`` cannot be taken: who holds it since when, and, for a holder
    this process cannot check (``found``, :func:`liveness`), until when, as a holder gone
    (a container killed) keeps it until then."""
    message = f"{name} is held by {held.name} since {since}"
    if found is Liveness.UNKNOWN:
        message += (
            f" until {expires_at} unless renewed (its process cannot be checked from here:"
            " another host's or another container's; a lock whose holder is gone is taken"
            " over once it expires)"
        )
    return message


def acquire(
    store: Store,
    name: str,
    ttl: timedelta,
    now: datetime | None = None,
    *,
    stopping: Callable[[], bool] | None = None,
) -> None:
    """Take the lock ``name`` or raise :class:`LockHeld` naming its holder.

    ``stopping``: for a caller under its own signal handlers, whether it has been
    asked to stop; a wait for a busy database then gives up at the request with
    :class:`thaidigest.store.StoreWaitStopped` (:meth:`Store.transaction`).
    """
    now = now or utc_now()
    me = this_process()
    with store.transaction(stopping=stopping) as conn:
        row = conn.execute(select(locks).where(locks.c.name == name)).first()
        if row is not None:
            held = Holder.parse(row.holder)
            found = liveness(held, me)
            if keeps(found, row.expires_at, now):
                raise LockHeld(_held_message(name, held, row.acquired_at, row.expires_at, found))
            log.warning(
                "taking over %s from %s, held since %s: %s",
                name,
                held.name,
                row.acquired_at,
                "that process is gone" if found is Liveness.GONE else "it has expired",
            )
            conn.execute(delete(locks).where(locks.c.name == name))
        try:
            conn.execute(
                insert(locks).values(
                    name=name,
                    holder=str(me),
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
        conn.execute(
            delete(locks).where(locks.c.name == name, locks.c.holder == str(this_process()))
        )


@dataclass(frozen=True)
class LockState:
    """A lock's row as another process sees it."""

    holder: str  # HOST:PID
    since: str  # when it was taken
    kept: bool  # its holder still holds it (:func:`keeps`); else the next taker takes it over
    expires_at: str  # when it expires unless its holder renews it
    checkable: bool  # whether this process can tell if its holder runs (:data:`Liveness`)


def _state_of(row: Row[Any], now: datetime) -> LockState:
    """The lock of a row of ``locks`` as this process sees it at ``now``."""
    held_by = Holder.parse(row.holder)
    found = liveness(held_by, this_process())
    return LockState(
        holder=held_by.name,
        since=row.acquired_at,
        kept=keeps(found, row.expires_at, now),
        expires_at=row.expires_at,
        checkable=found is not Liveness.UNKNOWN,
    )


def lock_state(store: Store, name: str, now: datetime | None = None) -> LockState | None:
    """The lock ``name`` as this process sees it; None when no one holds it."""
    with store.engine.connect() as conn:
        row = conn.execute(select(locks).where(locks.c.name == name)).first()
    return None if row is None else _state_of(row, now or utc_now())


def lock_states(conn: Connection, prefix: str, now: datetime) -> dict[str, LockState]:
    """Every lock whose name starts with ``prefix``, by name, as this process sees it at
    ``now``, read on ``conn`` (one of :meth:`Store.reading` to read them with more)."""
    rows = conn.execute(select(locks).where(locks.c.name.startswith(prefix))).all()
    return {row.name: _state_of(row, now) for row in rows}


def held(store: Store, name: str, now: datetime | None = None) -> bool:
    """Whether a process that still holds it (:func:`keeps`) holds the lock ``name``."""
    state = lock_state(store, name, now)
    return state is not None and state.kept


def holder(store: Store, name: str) -> str | None:
    """Who holds the lock ``name`` (``HOST:PID``), None when no one does."""
    with store.engine.connect() as conn:
        stored = conn.execute(select(locks.c.holder).where(locks.c.name == name)).scalar()
    return None if stored is None else Holder.parse(stored).name


def renew(
    store: Store,
    name: str,
    ttl: timedelta,
    now: datetime | None = None,
    *,
    wait: float | None = None,
    stopping: Callable[[], bool] | None = None,
) -> bool:
    """Move the expiry of the lock ``name`` to ``ttl`` from now; False if we no longer hold it.

    ``wait``: seconds to wait for a busy database, and ``stopping``: whether to give
    that wait up (:meth:`Store.transaction`).
    """
    now = now or utc_now()
    with store.transaction(wait, stopping=stopping) as conn:
        result = conn.execute(
            update(locks)
            .where(locks.c.name == name, locks.c.holder == str(this_process()))
            .values(expires_at=iso(now + ttl))
        )
    return result.rowcount == 1


@contextmanager
def kept(store: Store, names: Sequence[str], ttl: timedelta) -> Iterator[None]:
    """Renew the locks ``names`` every third of ``ttl`` while the block runs.

    A holder elsewhere (another host, another container) judges a lock by its
    expiry alone: one renewed keeps a crawl running longer than ``ttl`` its own. A
    renewal the database refuses is a warning, tried again at the next turn; one
    that finds the lock taken over is a warning too.
    """
    stop = threading.Event()

    def renew_all() -> None:
        while not stop.wait(ttl.total_seconds() / 3):
            for name in names:
                try:
                    if not renew(store, name, ttl, wait=RENEW_WAIT):
                        log.warning("the %s lock was taken over by %s", name, holder(store, name))
                except StoreError as error:
                    log.warning("cannot renew the %s lock: %s", name, error)

    renewal = threading.Thread(target=renew_all, name="lock-renewal", daemon=True)
    renewal.start()
    try:
        yield
    finally:
        stop.set()
        renewal.join()


@contextmanager
def turn(
    store: Store,
    name: str,
    ttl: timedelta,
    *,
    waiting: Callable[[LockHeld], None],
    poll: float = TURN_POLL,
    stopping: Callable[[], bool] | None = None,
) -> Iterator[None]:
    """Hold the lock ``name`` while the block runs, renewed (:func:`kept`), once the
    process that holds it is done: while another holds it, try again every ``poll``
    seconds, having called ``waiting`` once with why. A holder gone is taken over as
    :func:`acquire` does, so a process killed in its turn holds no one up for long.

    ``stopping``: for a caller under its own signal handlers, whether it has been asked
    to stop; the wait, for the holder or for a busy database, then gives up at the next
    try with :class:`thaidigest.store.StoreWaitStopped`, having taken nothing."""
    told = False
    while True:
        try:
            acquire(store, name, ttl, stopping=stopping)
            break
        except LockHeld as held:
            if not told:
                waiting(held)
                told = True
            time.sleep(poll)
            if stopping is not None and stopping():
                raise StoreWaitStopped(
                    f"{name}: the wait for its holder given up: stopping"
                ) from None
    try:
        with kept(store, [name], ttl):
            yield
    finally:
        release(store, name)
