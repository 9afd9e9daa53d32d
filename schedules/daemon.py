"""``thaidigest run``: run the schedule's jobs, each as a ``thaidigest`` subprocess.

Twisted's reactor does not restart, so every crawl runs in its own process.
The jobs and their next run times live in the project's database (table
``apscheduler_jobs``), so a run that falls due while the daemon is down
happens once when it comes back (``coalesce``), not zero times and not once per
missed slot, provided it is less than ``schedule.misfire_grace_time`` late. A
job never runs twice at once (``max_instances = 1``).

On SIGTERM or SIGINT the daemon stops scheduling, gives a running job
``schedule.shutdown_grace`` seconds to finish, then terminates it, and exits 0.

The database URL, which may hold a password, reaches each job in its
environment (``THAIDIGEST_DB``): it is never on a command line, which any
user may read, nor in the job store, which keeps each job's arguments.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from typing import Any

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job as StoredJob
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

from schedules.spec import Schedule, job_command, make_trigger
from thaidigest.store import DB_ENV, Store

JOBS_TABLE = "apscheduler_jobs"
JOBSTORE = "default"
EXIT_LOCKED = 75  # `thaidigest crawl`: another crawl holds the site's lock
KILL_AFTER = 10  # seconds a terminated subprocess gets before it is killed
STDERR_TAIL = 20  # lines of a failed command's stderr that are logged
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("thaidigest.run")


class _Subprocesses:
    """The job subprocesses running now; once stopping, no new one starts."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running: set[subprocess.Popen[str]] = set()
        self._stopping = False
        self.environment: dict[str, str] | None = None  # None: this process's own

    def start(self, argv: list[str]) -> subprocess.Popen[str] | None:
        """A new subprocess, or None when the daemon is stopping."""
        with self._changed:
            if self._stopping:
                return None
            # Its own session: a Ctrl-C meant for the daemon does not reach the crawl.
            process = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                start_new_session=True,
                env=self.environment,
            )
            self._running.add(process)
            return process

    def finished(self, process: subprocess.Popen[str]) -> None:
        with self._changed:
            self._running.discard(process)
            self._changed.notify_all()

    def stop(self, grace: float) -> None:
        """Start nothing new; wait ``grace`` seconds, then terminate, then kill what runs."""
        with self._changed:
            self._stopping = True
            if self._changed.wait_for(lambda: not self._running, timeout=grace):
                return
            log.warning("stopping %d running job(s) after %g s", len(self._running), grace)
            for process in self._running:
                process.terminate()
            if self._changed.wait_for(lambda: not self._running, timeout=KILL_AFTER):
                return
            for process in self._running:
                process.kill()
            self._changed.wait_for(lambda: not self._running, timeout=KILL_AFTER)


_SUBPROCESSES = _Subprocesses()


def _communicate(process: subprocess.Popen[str], timeout: float) -> tuple[str, str, bool]:
    """Stdout, stderr, and whether the process was stopped for running past ``timeout``."""
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        return stdout, stderr, False
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            stdout, stderr = process.communicate(timeout=KILL_AFTER)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
        return stdout, stderr, True


def run_job(name: str, task: str, argv: list[str], timeout: float) -> int | None:
    """Run one job's command and log how it went; its exit status, None if not started.

    The job store keeps a reference to this function, so it stays at module level.
    """
    process = _SUBPROCESSES.start(argv)
    if process is None:
        log.info("%s: not started, the daemon is stopping", name)
        return None
    started = time.monotonic()
    log.info("%s: started %s (pid %d)", name, task, process.pid)
    try:
        stdout, stderr, timed_out = _communicate(process, timeout)
    finally:
        _SUBPROCESSES.finished(process)
    duration = time.monotonic() - started
    for line in stdout.splitlines():
        log.info("%s: | %s", name, line)
    status = process.returncode
    skipped = task == "crawl" and status == EXIT_LOCKED
    if timed_out:
        log.error("%s: stopped after the %g s timeout, exit %d", name, timeout, status)
    elif status == 0:
        log.info("%s: finished in %.1f s, exit 0", name, duration)
    elif skipped:
        reason = stderr.strip().splitlines()[-1:] or ["another crawl holds the lock"]
        log.warning("%s: skipped in %.1f s, exit %d: %s", name, duration, status, reason[0])
    else:
        log.error("%s: failed in %.1f s, exit %d", name, duration, status)
    if status != 0 and not skipped:
        for line in stderr.splitlines()[-STDERR_TAIL:]:
            log.error("%s: ! %s", name, line)
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
        "misfire_grace_time": int(config["schedule"]["misfire_grace_time"]),
    }
    timeout = float(config["crawl"]["subprocess_timeout"])
    for job in schedule.jobs:
        trigger = make_trigger(job, schedule.zone)
        kwargs = {
            "name": job.name,
            "task": job.task,
            "argv": job_command(job, config_file),
            "timeout": timeout,
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
        log.info(
            "%s: %s %s, next run %s",
            job.name,
            job.task,
            job.describe_trigger(),
            registered.next_run_time.isoformat() if registered else "never",
        )


def _log_submission(event: JobSubmissionEvent) -> None:
    due = ", ".join(moment.isoformat() for moment in event.scheduled_run_times)
    log.info("%s: due at %s", event.job_id, due)


def build_scheduler(schedule: Schedule, store: Store) -> BackgroundScheduler:
    """A scheduler in the schedule's time zone, its jobs kept in the project's database."""
    scheduler = BackgroundScheduler(
        timezone=schedule.zone,
        jobstores={JOBSTORE: SQLAlchemyJobStore(engine=store.engine, tablename=JOBS_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=len(schedule.jobs))},
    )
    scheduler.add_listener(_log_submission, EVENT_JOB_SUBMITTED)
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler) -> None:
    """Stop scheduling; running jobs carry on.

    The job store is detached first: APScheduler 3 looks for due jobs once more
    after ``shutdown()``, and a job due then would fail to start yet have its
    stored next run time moved on, losing the run.
    """
    scheduler.remove_jobstore(JOBSTORE)
    scheduler.shutdown(wait=False)


def run_daemon(
    schedule: Schedule, *, db_url: str, config_file: str | None, config: dict[str, Any]
) -> None:
    """Run the schedule until SIGTERM or SIGINT, then stop as the module docstring says."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: Any) -> None:
        log.info("received %s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    _SUBPROCESSES.environment = {**os.environ, DB_ENV: db_url}
    store = Store(db_url)
    scheduler = build_scheduler(schedule, store)
    scheduler.start(paused=True)
    sync_jobs(scheduler, schedule, config_file=config_file, config=config)
    scheduler.resume()
    log.info(
        "running %d job(s) from %s in %s", len(schedule.jobs), schedule.source, schedule.timezone
    )
    while not stop.wait(1.0):
        pass
    stop_scheduler(scheduler)
    _SUBPROCESSES.stop(float(config["schedule"]["shutdown_grace"]))
    store.close()
    log.info("stopped")
