"""``thaidigest run``: run the schedule's jobs, each as a ``thaidigest`` subprocess.

Twisted's reactor does not restart, so every crawl runs in its own process.
The jobs and their next run times live in the project's database (table
``apscheduler_jobs``), so a run that falls due while the daemon is down
happens once when it comes back (``coalesce``), not zero times and not once per
missed slot, however late; if ``schedule.misfire_grace_time`` is set, a run
later than that is dropped instead, with a warning. A run that starts more than
``LATE_NOTICE`` seconds after the first of the runs it stands for fell due (the next run
the job store held) is a warning that says how late, how many runs it folds into one,
and why, if it is known: missed
while the daemon was down (it fell due before this daemon started), or held back
while the database was busy (the job store refused, or the daemon waited for its
lock, after the run fell due) (:func:`late_notice`). A job never runs twice at
once (``max_instances = 1``): a run due while the job's previous run still goes
is skipped, with a warning that says so (in place of APScheduler's own), and one
daemon at a time runs a database's jobs:
it holds the lock ``daemon`` (:mod:`thaidigest.locks`), renewed every minute;
a second one finds it held and raises :class:`thaidigest.locks.LockHeld`. A
renewal the database refuses (busy, locked by another writer) is logged as a
warning and tried again a minute later: the lock lasts five minutes. So is a
release at exit, without changing the exit status: the lock left names a
process that is gone, which the next daemon on this host and in its pid namespace
takes over at once (one elsewhere or in another container, once it expires). A
daemon that finds its lock taken over (another daemon judged it stale) stops
its jobs as on SIGTERM, then raises :class:`thaidigest.locks.LockLost`, a
``LockHeld``: both end ``thaidigest run`` with exit status 75.

A job's next run time the database refuses to store (another writer holds it
past the busy timeout) is an error in the log, not the end of the scheduler:
it is stored before the scheduler next reads the jobs, which it tries again
every ``STORE_RETRY`` seconds, so the run handed over is not run twice
(:class:`_JobStore`). Should the scheduler's thread die all the same, on a
failure no one foresaw, the daemon logs why with its traceback, stops its jobs
as on SIGTERM, releases its lock and raises :class:`SchedulerDied`: ``thaidigest
run`` exits 1, for a supervisor (systemd's ``Restart=on-failure``, a Docker
restart policy) to start it again, rather than hold the lock with no job running.

On SIGTERM or SIGINT the daemon stops scheduling and passes the signal on to a
running crawl at once (a crawl closes within seconds and loses nothing; see
``scraper.crawl``); any other job, a digest, may finish: it gets SIGTERM
``TERM_BEFORE_KILL`` seconds before ``schedule.shutdown_grace`` seconds are over (one
reading the stored articles again stops holding nothing). Whatever still runs
then is killed, and the daemon exits 0. A
second signal kills at once. On Linux the kernel sends a job SIGTERM when the
daemon dies without stopping it (``PR_SET_PDEATHSIG``), so no crawl is left behind.
The wait for the lock at the start, and a renewal of it, waiting for a database
another writer holds give up at the signal (the daemon then stops as above, exit
0, having taken nothing), and the release at exit waits ``RELEASE_WAIT`` seconds
at most, so none holds the stop up for the busy timeout.

A log that cannot be written (``thaidigest run | head -1`` once ``head`` has
its line, a full disk) stops the daemon as SIGTERM does: it releases its lock
and raises the :class:`thaidigest.output.OutputError`, which ends ``thaidigest
run`` as any command whose output fails (:mod:`thaidigest.output`).

Every job, a crawl or a digest, runs for at most ``crawl.subprocess_timeout``
seconds: then it gets SIGTERM, and SIGKILL ``KILL_AFTER`` seconds later. A crawl
records the runs it was stopped in as ``stopped``, as on a shutdown: the daemon then
records them ``failed``, timed out (:func:`timeout_reason`), for ``status`` to say why.

A job's stdout is logged at INFO and its stderr at the level each line names
(Scrapy's ``INFO`` stays INFO), each line as the job writes it. Only a failed
job's exit is logged as an error, followed by its last ``STDERR_TAIL`` lines of
stderr again, as errors.

Every time the log gives is in the schedule's time zone, the one its crontab lines
are read in, with its offset from UTC (ISO 8601, ``2026-12-07T07:00:00+07:00``):
each line's own time stamp (:class:`LogFormatter`), the run times it names, the
time stamp a job's log line starts with, which the job writes in its machine's zone
(:func:`restamp`), and the times a line quotes from the database, which keeps them in
UTC (a lock's holder "since": :func:`lock_times_in_zone`). So a line's time and the
run it speaks of read alike, whatever the zone of the machine or container the daemon
runs in.

The database URL, which may hold a password, reaches each job in its
environment (``THAIDIGEST_DB``): it is never on a command line, which any
user may read, nor in the job store, which keeps each job's arguments.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import pickle
import re
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import IO, Any

from apscheduler.events import (
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job as StoredJob
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import inspect, select

from schedules.spec import Schedule, job_command, make_trigger, out_setting, overdue
from thaidigest import locks
from thaidigest import store as store_module
from thaidigest.config import CONFIG_ENV, DEFAULT_CONFIG_FILE
from thaidigest.folders import file_named_as_folder
from thaidigest.locks import (
    DAEMON_LOCK,
    EXIT_LOCKED,
    LockTimesFormatter,
    in_zone,
)
from thaidigest.options import EXIT_USAGE
from thaidigest.output import OutputError, log_time
from thaidigest.plural import counted
from thaidigest.store import DB_ENV, Store, StoreError, StoreWaitStopped

JOBS_TABLE = "apscheduler_jobs"
JOBSTORE = "default"
KILL_AFTER = 10  # seconds a job stopped for its timeout gets before it is killed
# Seconds before the end of the shutdown grace that a job still running (a digest) gets
# SIGTERM: one in its pass over the stored articles then stops holding nothing
# (thaidigest.pipeline.reread_once), where SIGKILL would leave that pass's turn to expire.
TERM_BEFORE_KILL = 1.0
REAP_WAIT = 2.0  # seconds to wait for killed jobs to be reaped
STOP_POLL = 0.1  # seconds between checks while waiting for a signal or for jobs to end
STDERR_TAIL = 20  # lines of a failed command's stderr that are logged as errors
# The lock outlives a daemon killed on another machine (or container) by at most this.
DAEMON_LOCK_TTL = timedelta(minutes=5)
DAEMON_LOCK_RENEW = 60.0  # seconds between renewals of the lock
RELEASE_WAIT = 1.0  # seconds the release of the lock at exit waits for a busy database
LATE_NOTICE = 60  # seconds late a run may start before a warning says so, and why
MAX_COUNTED_RUNS = 1000  # the runs a late run is said to fold are counted up to this many
# APScheduler's warnings that the daemon says in its own words (:func:`_log_skipped`,
# :func:`_log_missed`, with the run's time in the schedule's zone), by the logger that
# writes each and words it holds: taken out of the log.
APSCHEDULER_SAID_OURS = {
    "apscheduler.scheduler": "maximum number of running instances reached",
    "apscheduler.executors.default": "was missed by",
}
STORE_RETRY = 10.0  # seconds before the scheduler tries again a job store the database refused
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The time stamp a job's log line starts with, with its offset from UTC: a crawl's, in
# ISO 8601 (thaidigest.output.log_time, "2026-12-07T07:00:01+07:00"), or as Scrapy's own
# handler writes it (thaidigest.output.LOG_DATE_FORMAT, "2026-12-07T00:00:01+0000").
JOB_STAMP = re.compile(
    r"^(?P<stamp>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d))(?= )"
)
# The level a log line names after its optional time stamp and [logger]: Scrapy's
# "2024-09-01T10:00:00+0700 [scrapy.core.engine] INFO: ...", ours, or "WARNING:name:...".
LINE_LEVEL = re.compile(
    r"^(?:\d{4}-\d\d-\d\d[ T][\d:.,]+(?:Z|[+-]\d\d:?\d\d)? )?(?:\[[^\]]*\] )?"
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL)\b"
)
PR_SET_PDEATHSIG = 1  # prctl(2) option: a signal for the child when its parent dies

log = logging.getLogger("thaidigest.run")


def restamp(line: str, zone: tzinfo | None) -> str:
    """A job's log line with the time stamp it starts with given in ``zone``, as every
    time in the daemon's log is; a line without one (or with no offset to convert it
    from, or one that is no time: ``2024-02-30T10:00:00+07:00`` is text a job wrote), or
    no ``zone``, as it is."""
    match = JOB_STAMP.match(line)
    if match is None or zone is None:
        return line
    try:
        stamp = in_zone(datetime.fromisoformat(match["stamp"].replace(",", ".")), zone)
    except (ValueError, OverflowError):  # no such day or hour; a year past 9999 in zone
        return line
    return log_time(stamp) + line[match.end() :]


class LogFormatter(LockTimesFormatter):
    """The daemon's log format, :data:`LOG_FORMAT`, each line's time in the schedule's
    time zone ``zone`` (:func:`log_time`, to the second), not in the machine's, and so
    the times of a lock's holder it quotes from the database (:func:`lock_times_in_zone`)."""

    def __init__(self, zone: tzinfo) -> None:
        super().__init__(LOG_FORMAT, zone)


def line_level(line: str, previous: int) -> int:
    """The logging level a line of a job's stderr names; ``previous`` for a continuation."""
    match = LINE_LEVEL.match(line)
    return getattr(logging, match["level"]) if match else previous


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has Linux send the child SIGTERM when the daemon dies.

    The death signal fires when the forking thread ends: that is the job's thread,
    which waits for the child. Everything the child runs is bound here, before the fork.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()
    exit_now = os._exit
    getppid = os.getppid

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if getppid() != parent:  # the daemon died before prctl took effect
            exit_now(1)

    return preexec


def _signal_group(process: subprocess.Popen[str], signum: int) -> None:
    """Send ``signum`` to a job's process group (its own session), if it still runs."""
    if process.returncode is not None:  # reaped: its pid may belong to another process now
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


class _Subprocesses:
    """The job subprocesses running now; once stopping, no new one starts."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running: dict[subprocess.Popen[str], str] = {}  # process -> task
        self._signalled: set[subprocess.Popen[str]] = set()
        self._stopping = False
        self.environment: dict[str, str] | None = None  # None: this process's own

    def start(self, argv: list[str], task: str) -> subprocess.Popen[str] | None:
        """A new subprocess, or None when the daemon is stopping."""
        with self._changed:
            if self._stopping:
                return None
            # Its own session: a Ctrl-C meant for the daemon does not reach the job
            # (the daemon passes it on to a crawl itself).
            process = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                start_new_session=True,
                preexec_fn=_die_with_parent(),
                env=self.environment,
            )
            self._running[process] = task
            return process

    def finished(self, process: subprocess.Popen[str]) -> bool:
        """Forget a process that ended; whether the daemon's shutdown stopped it."""
        with self._changed:
            self._running.pop(process, None)
            self._changed.notify_all()
            return process in self._signalled

    def stop(self, signum: int, grace: float, forced: Callable[[], bool]) -> None:
        """Start nothing new; pass ``signum`` to crawls now; SIGTERM what else runs
        :data:`TERM_BEFORE_KILL` s before ``grace`` s are over (half-way through a grace
        shorter than twice that), and kill what runs then.

        ``forced()`` turning true (a second signal) kills at once.
        """
        deadline = time.monotonic() + grace
        term_at = deadline - min(TERM_BEFORE_KILL, grace / 2)  # a short grace halved
        with self._changed:
            self._stopping = True
            for process, task in self._running.items():
                if task == "crawl":
                    self._signalled.add(process)
                    _signal_group(process, signum)
            while self._running and not forced() and time.monotonic() < deadline:
                if time.monotonic() >= term_at:
                    for process in self._running:
                        if process not in self._signalled:
                            self._signalled.add(process)
                            _signal_group(process, signal.SIGTERM)
                self._changed.wait(STOP_POLL)
            if not self._running:
                return
            log.warning("killing %s still running", counted(len(self._running), "job"))
            for process in self._running:
                self._signalled.add(process)
                _signal_group(process, signal.SIGKILL)
            self._changed.wait_for(lambda: not self._running, timeout=REAP_WAIT)


_SUBPROCESSES = _Subprocesses()


@dataclass(frozen=True)
class DueRun:
    """A run handed to the pool: the times it runs for (the last one due: ``coalesce``), the
    time the job store held as its next run (the first one due: earlier when the run stands
    for runs missed while the daemon was down, or held back), both in the schedule's time
    zone, and how many runs it stands for."""

    run_times: list[datetime]
    first_due: datetime
    runs: int


# job id -> its run handed to the pool last (one at a time: max_instances);
# a dropped run's entry stays until the job's next run replaces it.
_DUE: dict[str, DueRun] = {}


def runs_due(trigger: BaseTrigger, first: datetime, last: datetime) -> int:
    """How many run times ``trigger`` has from ``first`` to ``last``, both included: the runs
    a coalesced run stands for (APScheduler counts them out the same way, then drops all but
    the last), counted up to ``MAX_COUNTED_RUNS + 1`` (the scheduler's thread counts them:
    a job every minute, down for a year, has half a million)."""
    runs, moment = 1, first
    while (
        runs <= MAX_COUNTED_RUNS
        and (moment := trigger.get_next_fire_time(moment, last)) is not None
        and moment <= last
    ):
        runs += 1
    return runs


class _Executor(ThreadPoolExecutor):
    """APScheduler's thread pool, noting when each run it is handed was due.

    APScheduler tells a job's function nothing of the run, and its
    ``EVENT_JOB_SUBMITTED`` fires whether or not the pool's thread then drops the
    run as later than ``misfire_grace_time``: :func:`run_job`, called only for a
    run that does run, takes the times from here and logs them. The job still
    holds the next run time the job store gave (APScheduler moves it on after
    handing the run over): the first of the runs missed, when the run stands for several.
    The times are noted in ``zone``, the schedule's, which the daemon's log gives them in.
    """

    def __init__(self, zone: tzinfo, max_workers: int) -> None:
        super().__init__(max_workers=max_workers)
        self.zone = zone

    def _do_submit_job(self, job: StoredJob, run_times: list[datetime]) -> None:
        first_due = job.next_run_time
        runs = runs_due(job.trigger, first_due, max(run_times))
        zoned = [in_zone(moment, self.zone) for moment in run_times]
        # Noted before the pool's thread starts it.
        _DUE[job.id] = DueRun(zoned, in_zone(first_due, self.zone), runs)
        super()._do_submit_job(job, run_times)


class _StderrLog:
    """A job's stderr, each line logged as it is written, at the level the line names
    (a crawl's ``not crawling: crawl:SITE is held by …``, an error, as a warning).

    The last ``STDERR_TAIL`` lines are kept, to be logged again as errors if the job fails.
    """

    def __init__(self, name: str, zone: tzinfo | None = None) -> None:
        """``zone``: the one the daemon's log gives times in (:func:`restamp`)."""
        self.name = name
        self.zone = zone
        self.level = logging.WARNING  # for text before any line names a level
        self.tail: deque[str] = deque(maxlen=STDERR_TAIL)

    def add(self, line: str) -> None:
        self.level = line_level(line, self.level)
        if self.level > logging.WARNING and locks.LOCKED_MESSAGE.search(line):
            self.level = logging.WARNING  # a crawl its lock keeps off: skipped, not failed
        line = restamp(line, self.zone)
        self.tail.append(line)
        log.log(self.level, "%s: ! %s", self.name, line)

    def last_line(self) -> str | None:
        return self.tail[-1] if self.tail else None

    def log_tail_as_errors(self) -> None:
        if not self.tail:
            return
        log.error("%s: its last %d line(s) of stderr:", self.name, len(self.tail))
        for line in self.tail:
            log.error("%s: !! %s", self.name, line)


def _pump(stream: IO[str], add: Callable[[str], None]) -> threading.Thread:
    """A thread that hands each line of ``stream`` to ``add``, then closes it."""

    def pump() -> None:
        with stream:
            for line in stream:
                add(line.rstrip("\n"))

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return thread


def _wait(process: subprocess.Popen[str], timeout: float) -> bool:
    """Wait for the process; whether it was stopped for running past ``timeout``."""
    try:
        process.wait(timeout=timeout)
        return False
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=KILL_AFTER)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        return True


class _Delays:
    """What tells why a run starts late: when the daemon started (wall clock, as run
    times are) and when the database last held the daemon up (a write or read of the
    job store refused, the wait for its lock at the start)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """As for a daemon starting now."""
        self.started: float = time.time()
        self.busy: float | None = None

    def note_busy(self) -> None:
        self.busy = time.time()


_DELAYS = _Delays()  # the daemon's: run_daemon resets it


class _Runs:
    """What :func:`run_job` needs of the daemon that runs it (None outside a daemon): its
    store, where it records that it stopped a crawl for its timeout, and the schedule's
    time zone, which its log gives every time in."""

    store: Store | None = None
    zone: tzinfo | None = None


_RUNS = _Runs()


def timeout_reason(timeout: float) -> str:
    """Why a crawl the daemon stopped for running too long did not finish."""
    return f"crawl timed out after {timeout:g} s (crawl.subprocess_timeout)"


def _record_timed_out(name: str, since: datetime, timeout: float) -> None:
    """Record the runs of a crawl stopped for its timeout as failed, timed out: the crawl
    only got SIGTERM, and recorded them ``stopped``, as a shutdown would. No other crawl
    ran meanwhile: it held the sites' locks."""
    if _RUNS.store is None:
        return
    try:
        _RUNS.store.fail_stopped_crawl_runs(since, timeout_reason(timeout))
    except StoreError as error:
        log.warning("%s: its runs could not be recorded as timed out: %s", name, error)


def late_notice(
    name: str,
    due: float,
    now: float,
    *,
    runs: int,
    daemon_started: float,
    busy: float | None,
) -> str | None:
    """The warning for a run first due at ``due`` that starts at ``now`` (epoch seconds),
    standing for ``runs`` runs due since, if it is more than ``LATE_NOTICE`` seconds late:
    missed while the daemon was down only when it fell due before the daemon started at
    ``daemon_started``; held back by a busy database when the database held the daemon up
    at ``busy``, after it fell due."""
    late = now - due
    if late <= LATE_NOTICE:
        return None
    if due < daemon_started:
        why = " (missed while the daemon was down)"
    elif busy is not None and busy >= due:
        why = " (held back while the database was busy)"
    else:
        why = ""
    running = "running it once now" if due < daemon_started or runs > 1 else "running it now"
    if runs > MAX_COUNTED_RUNS:
        folded = f"more than {MAX_COUNTED_RUNS:,} runs folded into one, "
    else:
        folded = f"{counted(runs, 'run')} folded into one, " if runs > 1 else ""
    return f"{name}: {late:.0f} s late{why}: {folded}{running}"


def settings_note(config_file: str | None) -> str:
    """Which settings the daemon and its jobs use, for its log: a service started in
    another folder than meant finds no ``thaidigest.toml`` and runs on the defaults."""
    if config_file is None:
        return (
            f"settings: the defaults (no {DEFAULT_CONFIG_FILE} in {os.getcwd()}, "
            f"no --config, no ${CONFIG_ENV})"
        )
    return f"settings {config_file}"


def _log_due(name: str, due: DueRun) -> None:
    log.info("%s: due at %s", name, ", ".join(log_time(moment) for moment in due.run_times))
    notice = late_notice(
        name,
        due.first_due.timestamp(),
        time.time(),
        runs=due.runs,
        daemon_started=_DELAYS.started,
        busy=_DELAYS.busy,
    )
    if notice is not None:
        log.warning("%s", notice)


def exit_text(status: int) -> str:
    """How a job ended, for the log: ``exit 1``, or ``killed by SIGKILL`` for the negative
    status ``subprocess`` gives a process a signal ended."""
    if status >= 0:
        return f"exit {status}"
    try:
        return f"killed by {signal.Signals(-status).name}"
    except ValueError:  # a real-time signal has no name
        return f"killed by signal {-status}"


def refused_folder(setting: str, out: str) -> str | None:
    """Why a digest job may not write the folder ``out`` its ``setting`` names: a file stands
    there, or a file thaidigest did not write where the digest writes; None when it may."""
    from digest.ours import foreign_top_files, refusal

    folder = Path(out)
    if refused := file_named_as_folder(setting, folder):
        return refused
    if foreign := foreign_top_files(folder):
        return refusal(folder, foreign, setting)
    return None


def run_job(
    name: str, task: str, argv: list[str], timeout: float, out: tuple[str, str] | None = None
) -> int | None:
    """Run one job's command and log how it went; its exit status, None if not started.

    The job store keeps a reference to this function, so it stays at module level.
    ``name`` is the job's id: the daemon's run logs when it was due (see :class:`_Executor`).
    ``out``: for a digest job whose schedule sets its folder, the setting naming it
    (:func:`schedules.spec.out_setting`) and the folder, its ``--out``: a file there is
    said naming that setting, and the job not started, exit 2, as the command would refuse
    it naming ``--out``, which the user never typed; so is a file there thaidigest did not
    write where the digest writes (a user's own ``index.html``, :mod:`digest.ours`).
    """
    due = _DUE.pop(name, None)
    if due:
        _log_due(name, due)
    if out is not None and (refusal := refused_folder(*out)):
        log.error("%s: not started, exit %d: %s", name, EXIT_USAGE, refusal)
        return EXIT_USAGE
    since = store_module.utc_now()  # before the job can record a run
    process = _SUBPROCESSES.start(argv, task)
    if process is None:
        log.info("%s: not started, the daemon is stopping", name)
        return None
    assert process.stdout is not None and process.stderr is not None
    started = time.monotonic()
    log.info("%s: started %s (pid %d)", name, task, process.pid)
    stderr = _StderrLog(name, _RUNS.zone)
    pumps = [
        _pump(process.stdout, lambda line: log.info("%s: | %s", name, line)),
        _pump(process.stderr, stderr.add),
    ]
    try:
        timed_out = _wait(process, timeout)
        for pump in pumps:
            pump.join()
    finally:
        stopped = _SUBPROCESSES.finished(process)
    duration = time.monotonic() - started
    status = process.returncode
    skipped = task == "crawl" and status == EXIT_LOCKED
    failed = not (status == 0 or skipped or stopped)
    if timed_out:
        log.error("%s: stopped after the %g s timeout, %s", name, timeout, exit_text(status))
        if task == "crawl":
            _record_timed_out(name, since, timeout)
    elif stopped:
        log.info("%s: stopped by the shutdown in %.1f s, %s", name, duration, exit_text(status))
    elif status == 0:
        log.info("%s: finished in %.1f s, exit 0", name, duration)
    elif skipped:
        reason = stderr.last_line() or "another crawl holds the lock"
        log.warning("%s: skipped in %.1f s, exit %d: %s", name, duration, status, reason)
    else:
        log.error("%s: failed in %.1f s, %s", name, duration, exit_text(status))
    if failed:
        stderr.log_tail_as_errors()
    return status


def _trigger_key(trigger: BaseTrigger) -> tuple[str, str, str]:
    """What makes two triggers fire at the same times (an interval's start aside)."""
    return type(trigger).__name__, str(trigger), str(getattr(trigger, "timezone", ""))


def sync_jobs(
    scheduler: BackgroundScheduler,
    schedule: Schedule,
    *,
    config_file: str | None,
    config: dict[str, Any],
) -> None:
    """Make the job store hold exactly the schedule's jobs.

    A job whose trigger is unchanged keeps its stored next run time, so a run
    missed while the daemon was down still happens; a new or re-timed job is
    (re)added; a job no longer in the schedule is removed.
    """
    wanted = {job.name for job in schedule.jobs}
    for dropped in scheduler.get_jobs():
        if dropped.id not in wanted:
            log.info("%s: removed, no longer in %s", dropped.id, schedule.source)
            scheduler.remove_job(dropped.id)
    options = {
        "func": run_job,
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": config["schedule"]["misfire_grace_time"],  # None: however late
    }
    timeout = float(config["crawl"]["subprocess_timeout"])  # every job's: digests too
    judged_sites = schedule.crawled_sites()  # of the schedule loaded: its file may change or go
    for job in schedule.jobs:
        trigger = make_trigger(job, schedule.zone)
        kwargs = {
            "name": job.name,
            "task": job.task,
            "argv": job_command(job, config_file, judged_sites, schedule.source),
            "timeout": timeout,
            "out": (out_setting(schedule.source, job), job.args["out"])
            if "out" in job.args
            else None,
        }
        stored: StoredJob | None = scheduler.get_job(job.name)
        if stored is not None and _trigger_key(stored.trigger) == _trigger_key(trigger):
            scheduler.modify_job(job.name, name=job.name, kwargs=kwargs, **options)
        else:
            scheduler.add_job(
                id=job.name,
                name=job.name,
                trigger=trigger,
                kwargs=kwargs,
                replace_existing=True,
                **options,
            )
        registered = scheduler.get_job(job.name)
        upcoming = registered.next_run_time if registered else None
        grace = options["misfire_grace_time"]
        fate = overdue(job, schedule.zone, upcoming, datetime.now(UTC), grace, "now")
        log.info(
            "%s: %s %s, next run %s%s",
            job.name,
            job.task,
            job.describe_trigger(),
            log_time(in_zone(upcoming, schedule.zone)) if upcoming else "never",
            f" ({fate})" if fate else "",  # missed while the daemon was down
        )


@dataclass(frozen=True)
class KeptRuns:
    """What the job store holds for ``thaidigest schedule``, read as the daemon would."""

    next_runs: dict[str, datetime | None]  # job name: its stored next run, trigger unchanged
    unreadable: dict[str, str]  # row id: why its job cannot be restored


def restore_job(state: bytes) -> StoredJob:
    """A job store row's job, restored as ``SQLAlchemyJobStore`` restores it: a row this
    fails on (another version's pickle, a torn write, a function that no longer imports)
    is one the daemon logs and removes when it starts, then adds the job afresh."""
    job = StoredJob.__new__(StoredJob)
    job.__setstate__(pickle.loads(state))
    return job


def unreadable_reason(error: Exception) -> str:
    """Why a row could not be restored, as one line."""
    return f"{type(error).__name__}: {' '.join(str(error).split())}".removesuffix(": ")


def kept_next_runs(store: Store, schedule: Schedule) -> KeptRuns:
    """The next run time the job store holds for each of the schedule's jobs that the
    daemon keeps as stored (:func:`sync_jobs`: its trigger unchanged), and why each row
    that cannot be restored cannot; read only, an unreadable row left where it is.

    A database without a job store holds none: its table is not created, as
    ``SQLAlchemyJobStore.start`` would.
    """
    with store.engine.connect() as conn:
        if not inspect(conn).has_table(JOBS_TABLE):
            return KeptRuns({}, {})
        table = SQLAlchemyJobStore(engine=store.engine, tablename=JOBS_TABLE).jobs_t
        rows = conn.execute(select(table.c.id, table.c.job_state)).all()
    triggers = {job.name: make_trigger(job, schedule.zone) for job in schedule.jobs}
    kept: dict[str, datetime | None] = {}
    unreadable: dict[str, str] = {}
    for row_id, state in rows:
        try:
            stored = restore_job(state)
            same = row_id in triggers and (
                _trigger_key(stored.trigger) == _trigger_key(triggers[row_id])
            )
        except Exception as error:  # whatever a foreign pickle raises, as the daemon catches
            unreadable[row_id] = unreadable_reason(error)
            continue
        if same:
            kept[row_id] = stored.next_run_time
    return KeptRuns(kept, unreadable)


def _log_skipped(zone: tzinfo, event: JobSubmissionEvent) -> None:
    log.warning(
        "%s: the run due at %s is skipped: its previous run is still going",
        event.job_id,
        log_time(in_zone(max(event.scheduled_run_times), zone)),
    )


class _Without(logging.Filter):
    """A log without the records whose message holds ``words``."""

    def __init__(self, words: str) -> None:
        super().__init__()
        self.words = words

    def filter(self, record: logging.LogRecord) -> bool:
        return self.words not in str(record.msg)


_SAID_OURS = {logger: _Without(words) for logger, words in APSCHEDULER_SAID_OURS.items()}


def _log_missed(zone: tzinfo, event: JobExecutionEvent) -> None:
    log.warning(
        "%s: the run due at %s is dropped: later than schedule.misfire_grace_time",
        event.job_id,
        log_time(in_zone(event.scheduled_run_time, zone)),
    )


class SchedulerDied(RuntimeError):
    """The scheduler's thread ended while the daemon ran: no job would run again."""


def _change(job: StoredJob | None) -> str:
    """What a kept write of :class:`_JobStore` holds: a job's next run, or its removal."""
    return "removal" if job is None else "next run"


class _JobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy job store, keeping a write the database refuses for later.

    Once it has handed a run to the pool, APScheduler 3 stores the job's next run
    time (or removes a job that has none) without catching anything: a database
    another writer held past the busy timeout ended the scheduler's thread, and no
    job ran again. Here a refused write is logged as an error and kept. Every read
    of the jobs makes the kept writes first, and raises while the database still
    refuses them: APScheduler logs that of its look for due jobs as a warning and
    looks again ``STORE_RETRY`` seconds later. So the run handed over is not found
    due a second time and run twice. A write still kept when the daemon stops is
    lost, with a warning: the next daemon finds that run due and runs it once more.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._unsaved: dict[str, StoredJob | None] = {}  # job id -> its new state; None: removed

    def _keep(self, job_id: str, job: StoredJob | None, error: StoreError) -> None:
        _DELAYS.note_busy()
        self._unsaved[job_id] = job
        log.error(
            "%s: its %s could not be stored, trying again in %g s: %s",
            job_id,
            _change(job),
            STORE_RETRY,
            error,
        )

    def _store_unsaved(self) -> None:
        for job_id, job in list(self._unsaved.items()):
            try:
                if job is None:
                    super().remove_job(job_id)
                else:
                    super().update_job(job)
            except JobLookupError:  # removed meanwhile: nothing to store
                pass
            except StoreError:
                _DELAYS.note_busy()
                raise
            del self._unsaved[job_id]
            log.info("%s: its %s stored at last", job_id, _change(job))

    def update_job(self, job: StoredJob) -> None:
        try:
            super().update_job(job)
        except StoreError as error:
            self._keep(job.id, job, error)
        else:
            self._unsaved.pop(job.id, None)

    def remove_job(self, job_id: str) -> None:
        try:
            super().remove_job(job_id)
        except StoreError as error:
            self._keep(job_id, None, error)
        else:
            self._unsaved.pop(job_id, None)

    def lookup_job(self, job_id: str) -> StoredJob | None:
        self._store_unsaved()
        return super().lookup_job(job_id)

    def get_all_jobs(self) -> list[StoredJob]:
        self._store_unsaved()
        return super().get_all_jobs()

    def get_due_jobs(self, now: datetime) -> list[StoredJob]:
        self._store_unsaved()
        return super().get_due_jobs(now)

    def shutdown(self) -> None:
        """Say which writes are lost: the daemon stops while the database refuses them."""
        for job_id, job in self._unsaved.items():
            log.warning(
                "%s: its %s was never stored: the next daemon finds the job as stored before",
                job_id,
                _change(job),
            )
        super().shutdown()

    def get_next_run_time(self) -> datetime | None:
        """When the scheduler next looks for due jobs: ``STORE_RETRY`` seconds from now
        while a write is kept (the stored times are not all true then) or the database
        refuses to be read, which APScheduler 3 does not catch here either."""
        retry = datetime.now(UTC) + timedelta(seconds=STORE_RETRY)
        if self._unsaved:
            return retry
        try:
            return super().get_next_run_time()
        except StoreError as error:
            _DELAYS.note_busy()
            log.warning("cannot read the job store, trying again in %g s: %s", STORE_RETRY, error)
            return retry


class WatchedScheduler(BackgroundScheduler):
    """APScheduler's background scheduler, whose thread's death is logged and can be seen.

    APScheduler 3 lets an exception it did not foresee end the thread that looks
    for due jobs, on stderr only, and the daemon would go on renewing its lock
    with no job ever running again: :func:`_run_locked` checks :meth:`alive`.
    """

    failure = "it ended"  # why the thread ended, as one line

    def _main_loop(self) -> None:
        try:
            super()._main_loop()
        except BaseException as error:  # the thread ends here: say why in the daemon's log
            self.failure = unreadable_reason(error)
            log.error("the scheduler thread died: %s", self.failure, exc_info=error)

    def alive(self) -> bool:
        """Whether the thread that looks for due jobs still runs."""
        return self._thread is not None and self._thread.is_alive()


def build_scheduler(schedule: Schedule, store: Store) -> WatchedScheduler:
    """A scheduler in the schedule's time zone, its jobs kept in the project's database."""
    scheduler = WatchedScheduler(
        timezone=schedule.zone,
        jobstores={JOBSTORE: _JobStore(engine=store.engine, tablename=JOBS_TABLE)},
        executors={"default": _Executor(schedule.zone, max_workers=len(schedule.jobs))},
        jobstore_retry_interval=STORE_RETRY,
    )
    scheduler.add_listener(partial(_log_missed, schedule.zone), EVENT_JOB_MISSED)
    scheduler.add_listener(partial(_log_skipped, schedule.zone), EVENT_JOB_MAX_INSTANCES)
    for logger, said_ours in _SAID_OURS.items():
        logging.getLogger(logger).addFilter(said_ours)  # once: a set
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler) -> None:
    """Stop scheduling; running jobs carry on.

    The job store is detached first: APScheduler 3 looks for due jobs once more
    after ``shutdown()``, and a job due then would fail to start yet have its
    stored next run time moved on, losing the run.
    """
    scheduler.remove_jobstore(JOBSTORE)
    scheduler.shutdown(wait=False)


class _Signals:
    """SIGTERM and SIGINT as they arrive. The handler only counts: no locks, no logging."""

    def __init__(self) -> None:
        self.first: int | None = None
        self.count = 0

    def handle(self, signum: int, _frame: Any) -> None:
        if self.first is None:
            self.first = signum
        self.count += 1

    def received(self) -> bool:
        return self.first is not None

    def forced(self) -> bool:
        return self.count > 1


def _log_received(signals: _Signals) -> None:
    if signals.first is not None:
        log.info("received %s: stopping", signal.Signals(signals.first).name)


def run_daemon(
    schedule: Schedule,
    *,
    db_url: str,
    config_file: str | None,
    config: dict[str, Any],
    output_error: Callable[[], OutputError | None] = lambda: None,
) -> None:
    """Run the schedule until SIGTERM or SIGINT, then stop as the module docstring says.

    ``output_error()``: why the log can no longer be written, once it cannot
    (:class:`thaidigest.output.OutputLogHandler`): the daemon stops then.
    """
    _DELAYS.reset()
    signals = _Signals()
    signal.signal(signal.SIGTERM, signals.handle)
    signal.signal(signal.SIGINT, signals.handle)
    _SUBPROCESSES.environment = {**os.environ, DB_ENV: db_url}
    store = Store(db_url)
    try:
        waited = time.monotonic()
        locks.acquire(store, DAEMON_LOCK, DAEMON_LOCK_TTL, stopping=signals.received)
        if time.monotonic() - waited > store_module.STOP_TURN:  # it waited for the database
            _DELAYS.note_busy()
    except StoreWaitStopped:  # signalled while the database was busy: nothing taken yet
        store.close()
        _log_received(signals)
        log.info("stopped")
        return
    except locks.LockHeld:
        store.close()
        raise
    _RUNS.store, _RUNS.zone = store, schedule.zone
    try:
        failure = _run_locked(
            schedule,
            store,
            signals,
            config_file=config_file,
            config=config,
            output_error=output_error,
        )
    finally:
        _RUNS.store = _RUNS.zone = None
        _release_lock(store)
        store.close()
    log.info("stopped")
    if failure is not None:
        raise failure


def _release_lock(store: Store) -> None:
    """Give the daemon's lock back on the way out.

    A database that refuses (locked by another writer, out of reach) is a
    warning, not a failed exit: the lock row names this process, which is gone
    once it exits, so the next daemon on this host takes it over at once, and
    one elsewhere when it expires (:data:`DAEMON_LOCK_TTL` at most).
    """
    try:
        locks.release(store, DAEMON_LOCK, wait=RELEASE_WAIT)
    except StoreError as error:  # the store's one-line error for any database failure
        log.warning("cannot release the %s lock: %s", DAEMON_LOCK, error)


def _renew_lock(store: Store, stopping: Callable[[], bool] = lambda: False) -> str | None:
    """Renew the daemon's lock: who took it over (``"another daemon"`` if they are gone
    already), else None.

    A renewal the database refuses (locked by another writer past
    :data:`thaidigest.store.BUSY_TIMEOUT`, or out of reach for now) is a warning and
    None: the next renewal tries again, and the lock outlasts a few missed ones.

    It waits for a busy database in turns and gives up, None, once ``stopping()``
    (:meth:`thaidigest.store.Store.transaction`): one long wait would hold SIGTERM
    up for the whole busy timeout. Giving up leaves the lock's expiry as it was, and
    the daemon that gives up stops.
    """
    try:
        held = locks.renew(store, DAEMON_LOCK, DAEMON_LOCK_TTL, stopping=stopping)
    except StoreWaitStopped:
        log.info("the %s lock's renewal given up: stopping", DAEMON_LOCK)
        return None
    except StoreError as error:  # the store's one-line error for any database failure
        _log_renewal_refused(error)
        return None
    if held:
        return None
    try:
        return locks.holder(store, DAEMON_LOCK) or "another daemon"
    except StoreError:  # not readable now: the jobs stop all the same
        return "another daemon"


def _log_renewal_refused(error: StoreError) -> None:
    log.warning(
        "cannot renew the %s lock, trying again in %g s: %s", DAEMON_LOCK, DAEMON_LOCK_RENEW, error
    )


def _run_locked(
    schedule: Schedule,
    store: Store,
    signals: _Signals,
    *,
    config_file: str | None,
    config: dict[str, Any],
    output_error: Callable[[], OutputError | None],
) -> locks.LockLost | SchedulerDied | OutputError | None:
    """Run the jobs until a signal (then None), until another daemon takes the lock
    over (:class:`thaidigest.locks.LockLost`), until the scheduler's thread dies
    (:class:`SchedulerDied`) or until the log cannot be written (``output_error()``):
    the error :func:`run_daemon` raises once its lock is released, so that a
    supervisor restarts a daemon whose jobs would never run again. A log that fails
    while the jobs stop is that error too, when no other one came first."""
    failure: locks.LockLost | SchedulerDied | OutputError | None = None
    log.info("database %s; %s", store.name, settings_note(config_file))
    scheduler = build_scheduler(schedule, store)
    scheduler.start(paused=True)
    sync_jobs(scheduler, schedule, config_file=config_file, config=config)
    scheduler.resume()
    log.info(
        "running %s from %s in %s",
        counted(len(schedule.jobs), "job"),
        schedule.source,
        schedule.timezone,
    )
    renewed = time.monotonic()
    while signals.first is None and output_error() is None:
        time.sleep(STOP_POLL)
        if not scheduler.alive():
            failure = SchedulerDied(f"the scheduler thread died: {scheduler.failure}")
            log.error("no job would run again: stopping, to exit 1 and be restarted")
            break
        if time.monotonic() - renewed < DAEMON_LOCK_RENEW:
            continue
        renewed = time.monotonic()
        taken_by = _renew_lock(store, signals.received)
        if taken_by is not None:  # taken over as stale: another daemon runs the jobs now
            log.error("the %s lock was taken over by %s: stopping", DAEMON_LOCK, taken_by)
            failure = locks.LockLost(f"{DAEMON_LOCK} was taken over by {taken_by}")
            break
    _log_received(signals)
    stop_scheduler(scheduler)
    _SUBPROCESSES.stop(
        signals.first or signal.SIGTERM,
        float(config["schedule"]["shutdown_grace"]),
        forced=signals.forced,
    )
    return failure or output_error()
