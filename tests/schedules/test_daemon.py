"""The scheduler daemon: the job store across restarts, and ``thaidigest run`` end to end."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import pickle
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_SUBMITTED
from apscheduler.triggers.cron import CronTrigger
from click.testing import CliRunner, Result
from sqlalchemy import insert

import schedules.spec
from digest.ours import WRITTEN
from digest.select import Week
from schedules import daemon
from schedules.commands import schedule_command
from schedules.daemon import (
    STDERR_TAIL,
    TERM_BEFORE_KILL,
    _Subprocesses,
    build_scheduler,
    line_level,
    run_job,
    stop_scheduler,
    sync_jobs,
)
from schedules.spec import load_schedule, parse_schedule
from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from tests.digest import article, ingest, mark
from tests.scraper.crawling import (
    FIRST_THAIGOV_ID,
    add_crawl_setting,
    someone_waits_for_the_write_lock,
    write_config,
)
from thaidigest import locks as thaidigest_locks
from thaidigest import store as store_module
from thaidigest.config import DEFAULTS, merge
from thaidigest.health import CrawlRun, run_reasons
from thaidigest.model import RawArticle
from thaidigest.store import Store

BANGKOK = ZoneInfo("Asia/Bangkok")
GRACE = 20  # schedule.shutdown_grace in the end-to-end tests
DUE_LINE = re.compile(r"crawl: due at (?P<times>.+)$")
CRAWL_PID = re.compile(r"crawl: started crawl \(pid (?P<pid>\d+)\)")
STOP_BOUND = 10  # seconds `thaidigest run` may take to exit after SIGTERM, a crawl running
ORPHAN_BOUND = 5  # seconds a crawl may outlive its SIGKILLed daemon
PROMPT_STOP = 5  # seconds `thaidigest run` may take to exit after SIGTERM, no job running
WAITING_STOP = 2  # seconds it may take to exit after a signal while it waits for its lock
RENEWAL_WAITING = 2  # seconds the database is locked before the signal: a renewal waits
SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
# `thaidigest run` with jobs every few seconds (a real schedule needs a minute or more).
FAST_RUN = (
    "import schedules.spec, thaidigest.cli; schedules.spec.MIN_EVERY = 1; "
    "thaidigest.cli.main(prog_name='thaidigest')"
)


def schedule_text(*jobs: str) -> str:
    return 'timezone = "Asia/Bangkok"\n' + "".join(f"[[job]]\n{job}\n" for job in jobs)


def hourly_digest_schedule(folder: Path) -> Path:
    """A schedule file in ``folder`` with one job: a digest every hour."""
    schedule = folder / "schedule.toml"
    schedule.write_text(schedule_text('name = "digest"\ntask = "digest"\nevery = 3600\n'))
    return schedule


def job_row(db: Path, name: str) -> float | None:
    """The stored next run time (epoch seconds) of a job, or None before it is stored."""
    try:
        with sqlite3.connect(db) as conn:
            row = conn.execute(
                "SELECT next_run_time FROM apscheduler_jobs WHERE id = ?", (name,)
            ).fetchone()
    except sqlite3.OperationalError:  # the table is not there yet
        return None
    return row[0] if row else None


# --- The job store across restarts (in this process) -----------------------------


@contextmanager
def paused_scheduler(store: Store, text: str, config: dict) -> Iterator:
    """A started, paused scheduler whose jobs were synced with the schedule ``text``."""
    schedule = parse_schedule(text, "test.toml")
    scheduler = build_scheduler(schedule, store)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, schedule, config_file=None, config=config)
        yield scheduler
    finally:
        stop_scheduler(scheduler)


@pytest.mark.parametrize(
    ("crawl_jobs", "judged"),
    [
        (['args = { source = "thaigov" }'], "thaigov"),
        (['args = { source = "mdes" }', 'args = { source = "thaigov" }'], "thaigov,mdes"),
        (['args = { source = "all" }'], "thaigov,mdes"),
        ([], "none"),
    ],
)
def test_the_daemons_digest_jobs_are_given_the_sites_its_crawl_jobs_crawl(
    tmp_path, crawl_jobs, judged
):
    crawls = [
        f'name = "crawl{number}"\ntask = "crawl"\nevery = 3600\n{args}\n'
        for number, args in enumerate(crawl_jobs)
    ]
    path = tmp_path / "schedule.toml"
    path.write_text(
        schedule_text(*crawls, 'name = "digest"\ntask = "digest"\ncron = "0 7 * * 1"\n')
    )
    schedule = load_schedule(path)
    scheduler = build_scheduler(schedule, Store(f"sqlite:///{tmp_path / 'db.sqlite'}"))
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, schedule, config_file=None, config=DEFAULTS)
        argv = {job.id: job.kwargs["argv"][3:] for job in scheduler.get_jobs()}
    finally:
        stop_scheduler(scheduler)
    assert argv.pop("digest") == ["digest", "--judged-sites", judged]
    assert all("--judged-sites" not in crawl for crawl in argv.values())


def test_restart_keeps_a_missed_next_run_time_and_the_job_options(tmp_path):
    config = merge(DEFAULTS, {"schedule": {"misfire_grace_time": 600}})
    text = schedule_text('name = "crawl"\ntask = "crawl"\nevery = 3600\n')
    missed = datetime.now(UTC) - timedelta(hours=3)
    with paused_scheduler(Store(f"sqlite:///{tmp_path / 'db.sqlite'}"), text, config) as first:
        first.modify_job("crawl", next_run_time=missed)  # the daemon was down since then
    with paused_scheduler(Store(f"sqlite:///{tmp_path / 'db.sqlite'}"), text, config) as second:
        job = second.get_job("crawl")
        assert job.next_run_time == missed
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 600)
        assert job.kwargs["argv"][3:] == ["crawl"]


def test_a_changed_trigger_is_retimed_and_a_dropped_job_removed(tmp_path):
    config = DEFAULTS
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    before = schedule_text(
        'name = "crawl"\ntask = "crawl"\nevery = 3600\n',
        'name = "digest"\ntask = "digest"\ncron = "0 7 * * 1"\n',
    )
    missed = datetime.now(UTC) - timedelta(hours=3)
    with paused_scheduler(Store(db), before, config) as first:
        first.modify_job("crawl", next_run_time=missed)
    after = schedule_text('name = "crawl"\ntask = "crawl"\nevery = 60\n')
    with paused_scheduler(Store(db), after, config) as second:
        assert [job.id for job in second.get_jobs()] == ["crawl"]
        next_run = second.get_job("crawl").next_run_time
        assert datetime.now(UTC) < next_run <= datetime.now(UTC) + timedelta(seconds=60)


def test_changed_options_are_stored_without_moving_the_next_run(tmp_path):
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    missed = datetime.now(UTC) - timedelta(minutes=10)
    job = 'name = "crawl"\ntask = "crawl"\ncron = "0 */6 * * *"\n'
    with paused_scheduler(Store(db), schedule_text(job), DEFAULTS) as first:
        first.modify_job("crawl", next_run_time=missed)
    edited = schedule_text(job + 'args = { source = "mdes" }\n')
    with paused_scheduler(Store(db), edited, DEFAULTS) as second:
        job = second.get_job("crawl")
        assert job.next_run_time == missed
        assert job.kwargs["argv"][3:6] == ["crawl", "--source", "mdes"]


def job_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT * FROM apscheduler_jobs ORDER BY id").fetchall()


def shown_time(epoch: float) -> str:
    """A job store row's next run time as ``schedule`` shows it, as ``status`` its times."""
    return datetime.fromtimestamp(epoch, ZoneInfo("Asia/Bangkok")).isoformat(timespec="seconds")


def schedule_result(tmp_path: Path, text: str, db: Path, config: str = "") -> Result:
    """``thaidigest schedule`` for the schedule ``text`` and the database ``db``, exited 0."""
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(text, encoding="utf-8")
    settings = tmp_path / "settings.toml"
    settings.write_text(config, encoding="utf-8")
    argv = ["--schedules", str(schedule), "--db", str(db), "--config", str(settings)]
    result = CliRunner().invoke(schedule_command, argv)
    assert result.exit_code == 0, result.output
    return result


def schedule_output(tmp_path: Path, text: str, db: Path, config: str = "") -> list[str]:
    """What ``thaidigest schedule`` prints for the schedule ``text`` and the database ``db``."""
    return schedule_result(tmp_path, text, db, config).output.splitlines()


@pytest.mark.parametrize(
    ("config", "every", "overdue_note"),
    [
        ("", 60, "overdue: runs once when the daemon starts"),
        (
            "[schedule]\nmisfire_grace_time = 600\n",
            86400,
            "overdue: dropped when the daemon starts, later than schedule.misfire_grace_time",
        ),
        # The run folds the missed ones into the last, a minute ago: within the grace.
        ("[schedule]\nmisfire_grace_time = 600\n", 60, "overdue: runs once when the daemon starts"),
    ],
)
def test_schedule_shows_the_next_run_times_the_daemons_job_store_holds(
    tmp_path, config, every, overdue_note
):
    db = tmp_path / "db.sqlite"
    text = schedule_text(
        f'name = "crawl"\ntask = "crawl"\nevery = {every}\n',
        'name = "digest"\ntask = "digest"\nevery = 90\n',
    )
    now = datetime.now(UTC)
    with paused_scheduler(Store(f"sqlite:///{db}"), text, DEFAULTS) as scheduler:
        scheduler.modify_job("crawl", next_run_time=now - timedelta(hours=3))  # daemon down
        scheduler.modify_job("digest", next_run_time=now + timedelta(seconds=45))  # not now + 90
    rows = job_rows(db)
    crawl, digest = schedule_output(tmp_path, text, db, config)[-2:]
    assert f"{shown_time(job_row(db, 'crawl'))} (job store; {overdue_note})" in crawl, crawl
    assert f"{shown_time(job_row(db, 'digest'))} (job store)" in digest, digest
    assert job_rows(db) == rows  # read only


def test_schedule_computes_a_next_run_the_job_store_does_not_hold_and_says_so(tmp_path):
    db = tmp_path / "db.sqlite"
    stored = schedule_text('name = "crawl"\ntask = "crawl"\nevery = 3600\n')
    with paused_scheduler(Store(f"sqlite:///{db}"), stored, DEFAULTS):
        pass
    rows = job_rows(db)
    # crawl re-timed (the daemon starts its timetable afresh), digest new.
    edited = schedule_text(
        'name = "crawl"\ntask = "crawl"\nevery = 60\n',
        'name = "digest"\ntask = "digest"\nevery = 90\n',
    )
    lines = schedule_output(tmp_path, edited, db)
    assert len(lines) == 3, lines  # no line saying there is no database
    assert all(line.endswith("(computed from now)") for line in lines[-2:]), lines
    assert shown_time(job_row(db, "crawl")) not in lines[-2]
    assert job_rows(db) == rows


def test_schedule_without_a_database_computes_the_next_runs_and_creates_nothing(tmp_path):
    """and says there is no database: a mistyped --db showed nothing amiss, exit 0."""
    db = tmp_path / "none.sqlite"
    lines = schedule_output(tmp_path, schedule_text('name = "c"\ntask = "crawl"\nevery = 60\n'), db)
    assert lines[1] == f"no database at {db} yet: run times computed from now", lines
    assert lines[-1].endswith("(computed from now)"), lines
    assert not db.exists()


def pickled_state(db: Path, name: str, **changes) -> bytes:
    """The job ``name``'s state as the job store holds it, with ``changes`` made."""
    with sqlite3.connect(db) as conn:
        (state,) = conn.execute(
            "SELECT job_state FROM apscheduler_jobs WHERE id = ?", (name,)
        ).fetchone()
    return pickle.dumps({**pickle.loads(state), **changes})


def spoil_row(db: Path, name: str, state: bytes) -> None:
    """Write ``state`` as the job store row of ``name``, adding the row if there is none."""
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO apscheduler_jobs (id, next_run_time, job_state) "
            "VALUES (?, ?, ?)",
            (name, time.time() - 3600, state),
        )


# What another version, a torn write or a refactoring leaves in a job store row.
UNREADABLE_STATES = {
    "not-a-pickle": (lambda db: b"\x80\x05garbage", "UnpicklingError"),
    "truncated": (lambda db: pickled_state(db, "crawl")[:40], "UnpicklingError"),
    "function-gone": (
        lambda db: pickled_state(db, "crawl", func="schedules.gone:run_job"),
        "schedules.gone:run_job",
    ),
    "newer-version": (lambda db: pickled_state(db, "crawl", version=2), "version 2"),
}


@pytest.mark.parametrize("kind", UNREADABLE_STATES)
def test_schedule_shows_an_unreadable_job_store_row_and_leaves_it_there(tmp_path, kind):
    db = tmp_path / "db.sqlite"
    text = schedule_text(
        'name = "crawl"\ntask = "crawl"\nevery = 3600\n',
        'name = "digest"\ntask = "digest"\nevery = 90\n',
    )
    with paused_scheduler(Store(f"sqlite:///{db}"), text, DEFAULTS):
        pass
    state, reason = UNREADABLE_STATES[kind]
    spoil_row(db, "crawl", state(db))
    rows = job_rows(db)
    result = schedule_result(tmp_path, text, db)
    crawl, digest = result.stdout.splitlines()[-2:]
    assert re.search(r"\(job store unreadable: [^)]*" + re.escape(reason), crawl), crawl
    assert crawl.endswith("; computed from now)"), crawl
    assert shown_time(rows[0][1]) not in crawl  # not the row's time: the daemon drops it
    assert digest.endswith("(job store)"), digest
    assert job_rows(db) == rows  # read only, the unreadable row included


def test_schedule_names_an_unreadable_row_of_no_scheduled_job_on_stderr(tmp_path):
    db = tmp_path / "db.sqlite"
    text = schedule_text('name = "crawl"\ntask = "crawl"\nevery = 3600\n')
    with paused_scheduler(Store(f"sqlite:///{db}"), text, DEFAULTS):
        pass
    spoil_row(db, "old-job", b"\x80\x05garbage")
    rows = job_rows(db)
    result = schedule_result(tmp_path, text, db)
    (warning,) = result.stderr.splitlines()
    assert warning.startswith("warning: job store row 'old-job' is unreadable: "), warning
    assert result.stdout.splitlines()[-1].endswith("(job store)"), result.stdout
    assert job_rows(db) == rows


def test_the_daemon_drops_an_unreadable_job_store_row_and_adds_the_job_afresh(tmp_path, caplog):
    db = tmp_path / "db.sqlite"
    text = schedule_text('name = "crawl"\ntask = "crawl"\nevery = 3600\n')
    with paused_scheduler(Store(f"sqlite:///{db}"), text, DEFAULTS):
        pass
    spoil_row(db, "old-job", pickled_state(db, "crawl", func="schedules.gone:run_job"))
    spoil_row(db, "crawl", b"\x80\x05garbage")
    before = datetime.now(UTC)
    with (
        caplog.at_level(logging.INFO),
        paused_scheduler(Store(f"sqlite:///{db}"), text, DEFAULTS) as scheduler,
    ):
        assert [job.id for job in scheduler.get_jobs()] == ["crawl"]
        next_run = scheduler.get_job("crawl").next_run_time
    assert before + timedelta(seconds=3600) <= next_run  # computed afresh, not the row's
    assert 'Unable to restore job "crawl" -- removing it' in caplog.text
    assert 'Unable to restore job "old-job" -- removing it' in caplog.text
    assert [row[0] for row in job_rows(db)] == ["crawl"]


def run_after_downtime(
    tmp_path, caplog, monkeypatch, config: dict, job: str, first_due: datetime
) -> str:
    """The daemon's log once the one job of the schedule, named ``digest`` or ``crawl``
    (``job``: its [[job]] table), stored as first due at ``first_due`` while the daemon
    was down, is handed to the pool by the real scheduler and its SQLite job store."""
    monkeypatch.setattr(daemon._SUBPROCESSES, "start", lambda argv, task: None)  # no subprocess
    monkeypatch.setattr(daemon, "_DELAYS", daemon._Delays())  # a daemon started now
    name = re.search(r'name = "(\w+)"', job)[1]
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    submitted = threading.Event()
    with (
        caplog.at_level(logging.INFO, logger="thaidigest.run"),
        paused_scheduler(store, schedule_text(job), config) as scheduler,
    ):
        # Called after the daemon's own listeners: they have all logged what they will.
        scheduler.add_listener(lambda event: submitted.set(), EVENT_JOB_SUBMITTED)
        scheduler.modify_job(name, next_run_time=first_due)
        scheduler.resume()  # as after a restart: the runs were missed during downtime
        deadline = time.monotonic() + 10
        while not (
            submitted.is_set()
            and (f"{name}: not started" in caplog.text or "dropped" in caplog.text)
        ):
            assert time.monotonic() < deadline, caplog.text
            time.sleep(0.05)
    return caplog.text


def run_a_week_late_digest(tmp_path, caplog, monkeypatch, config: dict) -> str:
    """The daemon's log once a weekly digest whose run fell due 2 days ago is handled.

    The crontab line is timed on that run, whatever the day: a fixed one (Monday 07:00)
    also fell due between it and now on two days of each week, two runs, not one."""
    first_due = (datetime.now(BANGKOK) - timedelta(days=2)).replace(second=0, microsecond=0)
    weekday = first_due.isoweekday() % 7  # crontab's: 0 is Sunday
    cron = f"{first_due.minute} {first_due.hour} * * {weekday}"
    job = f'name = "digest"\ntask = "digest"\ncron = "{cron}"\n'
    return run_after_downtime(tmp_path, caplog, monkeypatch, config, job, first_due)


def test_a_weekly_digest_missed_for_days_runs_once_after_restart(tmp_path, caplog, monkeypatch):
    log = run_a_week_late_digest(tmp_path, caplog, monkeypatch, DEFAULTS)
    assert log.count("digest: due at") == 1 and "digest: not started" in log  # run_job ran
    assert "s late (missed while the daemon was down): running it once now" in log


def test_a_run_later_than_a_set_grace_time_is_dropped_with_a_warning(tmp_path, caplog, monkeypatch):
    config = merge(DEFAULTS, {"schedule": {"misfire_grace_time": 3600}})
    log = run_a_week_late_digest(tmp_path, caplog, monkeypatch, config)
    assert "digest: the run due at" in log and "is dropped" in log
    assert "+07:00 is dropped" in log, log  # in the schedule's zone, whatever the machine's
    assert "was missed by" not in log, log  # APScheduler's own line, in another form
    assert "digest: not started" not in log
    # Dropped, and said so only: not announced as due, nor as running once now.
    assert "digest: due at" not in log and "running it once now" not in log, log


MISSED_NOTICE = re.compile(
    r"crawl: (?P<late>\d+) s late \(missed while the daemon was down\): "
    r"(?P<runs>\d+) runs folded into one, running it once now"
)


@pytest.mark.parametrize(
    ("trigger", "downtime"),
    [
        ('cron = "* * * * *"', timedelta(minutes=3)),
        ("every = 60", timedelta(minutes=7)),
    ],
)
def test_runs_missed_while_the_daemon_was_down_are_said_late_from_the_first_one(
    tmp_path, caplog, monkeypatch, trigger, downtime
):
    now = datetime.now(UTC)
    # On the trigger's timetable: a minute's start for the crontab line.
    first_due = now.replace(second=0, microsecond=0) - downtime
    job = f'name = "crawl"\ntask = "crawl"\n{trigger}\n'
    log = run_after_downtime(tmp_path, caplog, monkeypatch, DEFAULTS, job, first_due)
    (ran_for,) = [
        datetime.fromisoformat(match["times"])
        for match in map(DUE_LINE.search, log.splitlines())
        if match
    ]
    notice = MISSED_NOTICE.search(log)
    assert notice is not None, log
    # Overdue since the first run missed, not since the last one, which is under a minute.
    assert downtime.total_seconds() <= int(notice["late"]) < downtime.total_seconds() + 70, log
    assert int(notice["runs"]) == (ran_for - first_due) // timedelta(minutes=1) + 1, log


def wait_until(condition, timeout: float, why) -> None:
    """Return once ``condition()`` holds; fail with ``why()`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, why()
        time.sleep(0.05)


def thread_alive(scheduler) -> bool:
    """Whether the scheduler's thread, which looks for due jobs, still runs."""
    return scheduler._thread.is_alive()


def test_a_next_run_the_locked_database_refuses_is_logged_and_stored_later_and_runs_once(
    tmp_path, caplog, monkeypatch
):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.1)  # else each write waits 30 s
    monkeypatch.setattr(daemon, "STORE_RETRY", 0.2)  # else the next try is 10 s later
    monkeypatch.setattr(daemon._SUBPROCESSES, "start", lambda argv, task: None)  # no subprocess
    db = tmp_path / "db.sqlite"
    text = schedule_text('name = "crawl"\ntask = "crawl"\nevery = 3600\n')
    with (
        caplog.at_level(logging.INFO),
        paused_scheduler(Store(f"sqlite:///{db}"), text, DEFAULTS) as scheduler,
    ):
        due = datetime.now(UTC) - timedelta(seconds=1)
        scheduler.modify_job("crawl", next_run_time=due)
        with database_locked_by_another_writer(db):  # readers go on: WAL
            scheduler.resume()
            wait_until(
                lambda: "could not be stored" in caplog.text or not thread_alive(scheduler),
                timeout=10,
                why=lambda: caplog.text,
            )
            assert thread_alive(scheduler), caplog.text
            # It looks again, is refused again (APScheduler's warning), and carries on.
            wait_until(
                lambda: "Error getting due jobs" in caplog.text, timeout=10, why=lambda: caplog.text
            )
            assert thread_alive(scheduler), caplog.text
            assert job_row(db, "crawl") == due.timestamp()  # refused: still the old one
        wait_until(
            lambda: job_row(db, "crawl") > due.timestamp(), timeout=10, why=lambda: caplog.text
        )
        stored = datetime.fromtimestamp(job_row(db, "crawl"), UTC)
        assert stored - due == timedelta(hours=1), caplog.text  # the next slot, stored late
        assert thread_alive(scheduler), caplog.text
        wait_until(lambda: "stored at last" in caplog.text, timeout=10, why=lambda: caplog.text)
    (refused,) = [r for r in caplog.records if "could not be stored" in r.getMessage()]
    assert refused.name == "thaidigest.run" and refused.levelno == logging.ERROR
    assert "database is locked" in refused.getMessage()
    assert caplog.text.count("crawl: due at") == 1, caplog.text  # the slot ran once, not again


STARTED = 1_000_000.0  # a daemon's start, epoch seconds


@pytest.mark.parametrize(
    ("due", "busy", "runs", "expected"),
    [
        (STARTED - 100, None, 1, "crawl: 130 s late (missed while the daemon was down): running"),
        (STARTED - 100, STARTED + 10, 1, "crawl: 130 s late (missed while the daemon was down)"),
        (STARTED + 10, STARTED + 20, 1, "crawl: 20 s late (held back while the database was busy)"),
        (STARTED + 10, STARTED + 10, 1, "crawl: 20 s late (held back while the database was busy)"),
        (STARTED + 10, STARTED + 5, 1, "crawl: 20 s late: running it now"),  # busy before due
        (STARTED + 10, None, 1, "crawl: 20 s late: running it now"),
        (STARTED + 25, STARTED + 26, 1, None),  # 5 s late: no warning
        (
            STARTED - 100,
            None,
            3,
            "crawl: 130 s late (missed while the daemon was down): "
            "3 runs folded into one, running it once now",
        ),
        (
            STARTED + 10,
            STARTED + 20,
            2,
            "crawl: 20 s late (held back while the database was busy): "
            "2 runs folded into one, running it once now",
        ),
    ],
)
def test_a_late_run_is_said_missed_only_when_due_before_the_daemon_started(
    monkeypatch, due, busy, runs, expected
):
    monkeypatch.setattr(daemon, "LATE_NOTICE", 10)
    notice = daemon.late_notice(
        "crawl", due, STARTED + 30, runs=runs, daemon_started=STARTED, busy=busy
    )
    if expected is None:
        assert notice is None
    else:
        assert notice is not None and notice.startswith(expected), notice


def test_the_runs_a_late_run_folds_are_counted_up_to_a_limit_and_said_as_more():
    every_minute = CronTrigger.from_crontab("* * * * *", timezone=UTC)
    first = datetime(2024, 1, 1, tzinfo=UTC)
    assert daemon.runs_due(every_minute, first, first + timedelta(minutes=9)) == 10
    a_year = daemon.runs_due(every_minute, first, first + timedelta(days=365))
    assert a_year == daemon.MAX_COUNTED_RUNS + 1  # not all 525,601
    notice = daemon.late_notice(
        "crawl", STARTED - 100, STARTED + 30, runs=a_year, daemon_started=STARTED, busy=None
    )
    assert notice is not None
    assert f"more than {daemon.MAX_COUNTED_RUNS:,} runs folded into one" in notice, notice


def test_a_run_held_back_by_the_locked_database_is_said_late_for_it_not_missed(
    tmp_path, caplog, monkeypatch
):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.1)  # else each write waits 30 s
    monkeypatch.setattr(daemon, "STORE_RETRY", 0.2)  # else the next try is 10 s later
    monkeypatch.setattr(daemon, "LATE_NOTICE", 1)  # else a run must be held back a minute
    monkeypatch.setattr(daemon._SUBPROCESSES, "start", lambda argv, task: None)  # no subprocess
    monkeypatch.setattr(daemon, "_DELAYS", daemon._Delays())  # a daemon started now
    db = tmp_path / "db.sqlite"
    text = schedule_text(
        'name = "crawl"\ntask = "crawl"\nevery = 3600\n',
        'name = "digest"\ntask = "digest"\nevery = 3600\n',
    )
    with (
        caplog.at_level(logging.INFO),
        paused_scheduler(Store(f"sqlite:///{db}"), text, DEFAULTS) as scheduler,
    ):
        now = datetime.now(UTC)
        scheduler.modify_job("crawl", next_run_time=now + timedelta(seconds=0.2))
        scheduler.modify_job("digest", next_run_time=now + timedelta(seconds=0.5))
        with database_locked_by_another_writer(db):  # readers go on: WAL
            scheduler.resume()
            # The crawl runs on time; its next run is refused, and holds the digest back.
            wait_until(lambda: "could not be stored" in caplog.text, 10, lambda: caplog.text)
            time.sleep(2)
        wait_until(lambda: "digest: due at" in caplog.text, 10, lambda: caplog.text)
    log = caplog.text
    assert "missed while the daemon was down" not in log, log
    assert re.search(r"digest: \d+ s late \(held back while the database was busy\)", log), log
    assert "crawl: due at" in log and not re.search(r"crawl: \d+ s late", log), log  # on time


def test_a_run_due_while_the_previous_one_still_goes_is_skipped_with_one_line_of_ours(
    tmp_path, caplog, monkeypatch
):
    monkeypatch.setattr(schedules.spec, "MIN_EVERY", 1)
    real_start = daemon._SUBPROCESSES.start
    monkeypatch.setattr(  # a run that takes 2.5 s, every second
        daemon._SUBPROCESSES,
        "start",
        lambda argv, task: real_start([sys.executable, "-c", "import time; time.sleep(2.5)"], task),
    )
    text = schedule_text('name = "digest"\ntask = "digest"\nevery = 1\n')
    with (
        caplog.at_level(logging.INFO),
        paused_scheduler(Store(f"sqlite:///{tmp_path / 'db.sqlite'}"), text, DEFAULTS) as scheduler,
    ):
        scheduler.resume()
        wait_until(lambda: "digest: finished" in caplog.text, 10, lambda: caplog.text)
    skipped = [r for r in caplog.records if "is skipped" in r.getMessage()]
    assert skipped, caplog.text
    for record in skipped:
        assert record.name == "thaidigest.run" and record.levelno == logging.WARNING
        assert re.fullmatch(
            r"digest: the run due at \S+ is skipped: its previous run is still going",
            record.getMessage(),
        ), record.getMessage()
    assert "maximum number of running instances" not in caplog.text, caplog.text


def test_a_next_run_still_refused_when_the_daemon_stops_is_a_warning(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.1)  # else each write waits 30 s
    monkeypatch.setattr(daemon._SUBPROCESSES, "start", lambda argv, task: None)  # no subprocess
    db = tmp_path / "db.sqlite"
    schedule = parse_schedule(schedule_text('name = "crawl"\ntask = "crawl"\nevery = 3600\n'), "t")
    scheduler = build_scheduler(schedule, Store(f"sqlite:///{db}"))
    scheduler.start(paused=True)
    sync_jobs(scheduler, schedule, config_file=None, config=DEFAULTS)
    due = datetime.now(UTC) - timedelta(seconds=1)
    scheduler.modify_job("crawl", next_run_time=due)
    with caplog.at_level(logging.INFO), database_locked_by_another_writer(db):
        scheduler.resume()
        wait_until(lambda: "could not be stored" in caplog.text, 10, lambda: caplog.text)
        stop_scheduler(scheduler)
    (warning,) = [r for r in caplog.records if "never stored" in r.getMessage()]
    assert warning.levelno == logging.WARNING, caplog.text
    assert warning.getMessage().startswith("crawl: its next run was never stored"), caplog.text
    assert job_row(db, "crawl") == due.timestamp()  # the next daemon finds that run due


# --- Job logs and stopping jobs (in this process) -------------------------------------


@pytest.mark.parametrize(
    ("line", "previous", "expected"),
    [
        ("2026-01-05 07:00:01 [scrapy.core.engine] INFO: Spider opened", "ERROR", "INFO"),
        ("2026-01-05 07:00:01 [thaigov] ERROR: error: http://x/1: HTTP 500", "INFO", "ERROR"),
        ("2026-01-05 07:00:01 [scrapy.core.downloader] DEBUG: Crawled (200)", "INFO", "DEBUG"),
        ("2026-01-05 07:00:01,123 WARNING thaidigest.run: killing 1 job", "INFO", "WARNING"),
        ("2026-01-05T07:00:01+0700 WARNING thaidigest.run: killing 1 job", "INFO", "WARNING"),
        ("2026-01-05T07:00:01+0700 [thaigov] ERROR: error: http://x/1: HTTP 500", "INFO", "ERROR"),
        ("2026-01-05T00:00:01Z [thaigov] ERROR: error: http://x/1: HTTP 500", "INFO", "ERROR"),
        ("WARNING:py.warnings:a deprecation", "INFO", "WARNING"),
        ("Traceback (most recent call last):", "ERROR", "ERROR"),  # continues the last line
        (" 'downloader/request_count': 12,", "INFO", "INFO"),  # a multi-line stats dump
        ("Error: no such option: --bogus", "WARNING", "WARNING"),
        ("2026-01-05 07:00:01 [thaigov] INFO: the INFO: ERROR inside a message", "ERROR", "INFO"),
    ],
)
def test_a_job_stderr_line_is_logged_at_the_level_it_names(line, previous, expected):
    level = line_level(line, getattr(logging, previous))
    assert logging.getLevelName(level) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (  # a crawl on a machine in UTC
            "2026-12-07T00:00:01+0000 [scrapy.core.engine] INFO: Spider opened",
            "2026-12-07T07:00:01+07:00 [scrapy.core.engine] INFO: Spider opened",
        ),
        (
            "2026-12-06T19:00:01-0500 [thaigov] ERROR: error: http://x/1: HTTP 500",
            "2026-12-07T07:00:01+07:00 [thaigov] ERROR: error: http://x/1: HTTP 500",
        ),
        ("2026-12-07T00:00:01Z WARNING x: y", "2026-12-07T07:00:01+07:00 WARNING x: y"),
        # No offset: the zone it was written in is not known, so the stamp stays as it is.
        ("2026-12-07 00:00:01 [thaigov] INFO: x", "2026-12-07 00:00:01 [thaigov] INFO: x"),
        ("WARNING: digest.site_url is http://127.0.0.1:8000/", None),
        (" 'finish_time': datetime.datetime(2026, 12, 7, 0, 0, 1),", None),
        # Text a job wrote that looks like a stamp but is no time stays as it is: it
        # stopped the daemon reading the job's stderr.
        ("2024-02-30T10:00:00+07:00 is not a date", None),
        ("2024-12-01T24:00:00+07:00 x", None),
        ("2024-12-01T10:00:00+2400 x", None),
        ("0001-01-01T00:00:00+0700 x", None),
        ("9999-12-31T23:59:59-0700 x", None),
    ],
)
def test_a_job_log_lines_time_stamp_is_given_in_the_schedules_zone(line, expected):
    assert daemon.restamp(line, BANGKOK) == (expected or line)


def test_a_run_time_on_the_day_clocks_spring_forward_is_read_as_the_clock_reads_it():
    # APScheduler gives 02:30 New York time on 8 March 2026, which no clock there shows.
    new_york = ZoneInfo("America/New_York")
    due = datetime(2026, 3, 8, 2, 30, tzinfo=new_york)
    assert daemon.log_time(daemon.in_zone(due, new_york)) == "2026-03-08T03:30:00-04:00"
    assert daemon.in_zone(due, BANGKOK).timestamp() == due.timestamp()  # the same instant


def test_a_time_the_daemon_logs_is_to_the_whole_second():
    due = datetime(2026, 12, 6, 9, 29, 58, 87_490, tzinfo=BANGKOK)
    assert daemon.log_time(due) == "2026-12-06T09:29:58+07:00"
    line = "2026-12-06T02:29:58.087490+00:00 [scrapy.core.engine] INFO: Spider opened"
    assert daemon.restamp(line, BANGKOK).startswith("2026-12-06T09:29:58+07:00 [scrapy")


def test_the_next_run_of_a_job_run_every_n_seconds_is_logged_to_the_whole_second(tmp_path, caplog):
    """Its next run is N seconds after the moment it was added, microseconds and all."""
    text = schedule_text('name = "crawl"\ntask = "crawl"\nevery = 60\n')
    with (
        caplog.at_level(logging.INFO, logger="thaidigest.run"),
        paused_scheduler(Store(f"sqlite:///{tmp_path / 'db.sqlite'}"), text, DEFAULTS) as added,
    ):
        next_run = added.get_job("crawl").next_run_time
    (line,) = [r.getMessage() for r in caplog.records if "next run" in r.getMessage()]
    shown = daemon.in_zone(next_run, BANGKOK).replace(microsecond=0)
    assert line == f"crawl: crawl every 60 s, next run {shown.isoformat()}"


@pytest.mark.parametrize(
    ("trigger", "grace", "fate"),
    [
        ('cron = "* * * * *"', None, "runs once now"),
        ("every = 86400", 600, "dropped now, later than schedule.misfire_grace_time"),
        # The run folds the missed ones into the last, a minute ago: within the grace.
        ('cron = "* * * * *"', 600, "runs once now"),
    ],
)
def test_a_next_run_missed_while_the_daemon_was_down_is_said_overdue_at_start(
    tmp_path, caplog, trigger, grace, fate
):
    """As ``thaidigest schedule`` says it, not as a plain next run in the past."""
    config = merge(DEFAULTS, {"schedule": {"misfire_grace_time": grace}})
    text = schedule_text(f'name = "crawl"\ntask = "crawl"\n{trigger}\n')
    missed = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=3)
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with paused_scheduler(Store(db), text, config) as first:
        first.modify_job("crawl", next_run_time=missed)  # the daemon was down since then
    caplog.clear()
    with (
        caplog.at_level(logging.INFO, logger="thaidigest.run"),
        paused_scheduler(Store(db), text, config),
    ):
        pass
    (line,) = [r.getMessage() for r in caplog.records if "next run" in r.getMessage()]
    shown = daemon.in_zone(missed, BANGKOK).isoformat()
    described = parse_schedule(text, "test.toml").jobs[0].describe_trigger()
    assert line == f"crawl: crawl {described}, next run {shown} (overdue: {fate})"


def test_the_daemons_log_line_times_are_in_the_schedules_zone_with_its_offset():
    record = logging.LogRecord("thaidigest.run", logging.INFO, "", 0, "crawl: started", (), None)
    record.created = datetime(2026, 12, 7, 0, 0, 1, 500_000, tzinfo=UTC).timestamp()
    line = daemon.LogFormatter(BANGKOK).format(record)
    assert line == "2026-12-07T07:00:01+07:00 INFO thaidigest.run: crawl: started"


def formatted(logger: str, message: str, *args: object) -> str:
    """A record of ``logger`` as the daemon's log writes it, in Bangkok, its stamp left out."""
    record = logging.LogRecord(logger, logging.WARNING, "", 0, message, args, None)
    record.created = datetime(2026, 12, 7, 0, 0, 1, tzinfo=UTC).timestamp()
    line = daemon.LogFormatter(BANGKOK).format(record)
    stamp = "2026-12-07T07:00:01+07:00 WARNING "
    assert line.startswith(stamp), line
    return line.removeprefix(stamp)


@pytest.mark.parametrize(
    ("logger", "message", "args", "expected"),
    [
        (  # the daemon taking its lock over
            "thaidigest.locks",
            "taking over %s from %s, held since %s: %s",
            ("daemon", "host:12", "2026-12-06T23:00:00Z", "that process is gone"),
            "thaidigest.locks: taking over daemon from host:12, held since "
            "2026-12-07T06:00:00+07:00: that process is gone",
        ),
        (  # a crawl's line, as the daemon relays it
            "thaidigest.run",
            "%s: ! %s",
            (
                "crawl",
                "2026-12-07T07:00:00+07:00 WARNING thaidigest.locks: taking over crawl:mdes "
                "from host:12, held since 2026-12-06T23:00:00Z: that process is gone",
            ),
            "thaidigest.run: crawl: ! 2026-12-07T07:00:00+07:00 WARNING thaidigest.locks: "
            "taking over crawl:mdes from host:12, held since 2026-12-07T06:00:00+07:00: "
            "that process is gone",
        ),
        (  # a crawl skipped: its lock held elsewhere until it expires
            "thaidigest.run",
            "%s: skipped in %.1f s, exit %d: %s",
            (
                "crawl",
                0.3,
                75,
                "not crawling: crawl:thaigov is held by elsewhere:1 since 2026-12-06T23:00:00Z "
                "until 2026-12-07T00:00:00Z unless renewed",
            ),
            "thaidigest.run: crawl: skipped in 0.3 s, exit 75: not crawling: crawl:thaigov is "
            "held by elsewhere:1 since 2026-12-07T06:00:00+07:00 until "
            "2026-12-07T07:00:00+07:00 unless renewed",
        ),
        # A lock's time that is no time, or none the store writes, stays as it is.
        ("thaidigest.run", "%s", ("held since 2024-02-30T10:00:00Z: no such day",), None),
        ("thaidigest.run", "%s", ("held since 9999-12-31T23:59:59Z",), None),  # past 9999
        ("thaidigest.run", "%s", ("held since 2026-12-07T00:00:01.5Z",), None),
        ("thaidigest.run", "%s", ("held since 2026-12-07T00:00:01Z5",), None),
        # So does every time no lock's holder is named with: the database's are not alone.
        ("thaidigest.run", "%s", ("crawl: a title of 2026-12-07T00:00:01Z",), None),
        (  # a page's address, in a crawl's line the daemon relays: a query's + is a space
            "thaidigest.run",
            "%s: ! %s",
            (
                "crawl",
                "2026-12-07T07:00:00+07:00 [scrapy.core.engine] DEBUG: Crawled (200) <GET "
                "https://www.thaigov.go.th/news?from=2026-12-07T00:00:00Z&q=held%20since%20"
                "2026-12-07T00:00:00Z> (referer: None)",
            ),
            None,
        ),
    ],
)
def test_times_a_log_line_quotes_from_the_database_are_in_the_schedules_zone(
    logger, message, args, expected
):
    assert formatted(logger, message, *args) == (expected or f"{logger}: {message % args}")


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 6, 23, 0, tzinfo=UTC),
        datetime(2026, 12, 6, 23, 0, 59, 999_999, tzinfo=UTC),  # stored to the second
        datetime(2026, 12, 7, 6, 0, tzinfo=BANGKOK),  # stored in UTC
    ],
)
def test_the_lock_times_the_log_gives_in_the_schedules_zone_are_as_the_store_writes_them(moment):
    stored = store_module.iso(moment)
    assert store_module.STORED_TIME.fullmatch(stored), stored
    message = f"taking over daemon from host:12, held since {stored}: that process is gone"
    in_bangkok = daemon.log_time(daemon.in_zone(store_module.parse_iso(stored), BANGKOK))
    zoned = thaidigest_locks.lock_times_in_zone(message, BANGKOK)
    assert zoned == message.replace(stored, in_bangkok)


# 25 Scrapy-style INFO lines on stderr, then the given exit status.
NOISY_JOB = (
    "import sys\n"
    "for i in range(25):\n"
    "    print(f'2026-01-05 07:00:00 [scrapy.core.engine] INFO: line {i}', file=sys.stderr)\n"
    "sys.exit(int(sys.argv[1]))\n"
)


@pytest.mark.parametrize("status", [0, 3])
def test_job_stderr_keeps_its_level_and_a_failed_jobs_last_lines_follow_its_exit_as_errors(
    status, caplog
):
    caplog.set_level(logging.INFO, logger="thaidigest.run")
    argv = [sys.executable, "-c", NOISY_JOB, str(status)]
    assert run_job("crawl", "crawl", argv, timeout=60) == status
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    written = [(level, text) for level, text in messages if text.startswith("crawl: ! ")]
    assert [text.rsplit(" ", 1)[1] for _, text in written] == [str(i) for i in range(25)]
    assert {level for level, _ in written} == {"INFO"}  # as they were written
    (exit_at,) = [at for at, (_, text) in enumerate(messages) if "exit" in text]
    level, text = messages[exit_at]
    if not status:
        assert (level, text.split(" in ")[0]) == ("INFO", "crawl: finished")
        assert exit_at == len(messages) - 1
        return
    assert (level, text.split(" in ")[0]) == ("ERROR", "crawl: failed")
    repeated = messages[exit_at + 1 :]
    assert repeated[0] == ("ERROR", f"crawl: its last {STDERR_TAIL} line(s) of stderr:")
    assert repeated[1:] == [
        ("ERROR", f"crawl: !! 2026-01-05 07:00:00 [scrapy.core.engine] INFO: line {i}")
        for i in range(25 - STDERR_TAIL, 25)
    ]


# A crawl's stderr, quoting a time in the address of a page it fetched and the time a lock
# it took over was taken at, as the database keeps it.
CRAWL_QUOTING_TIMES = (
    "import sys\n"
    "print('2026-12-07T00:00:02+0000 [scrapy.core.engine] DEBUG: Crawled (200) <GET "
    "https://www.thaigov.go.th/news?from=2026-12-07T00:00:00Z> (referer: None)', "
    "file=sys.stderr)\n"
    "print('2026-12-07T00:00:02+0000 [thaidigest.locks] WARNING: taking over crawl:thaigov "
    "from host:12, held since 2026-12-06T23:00:00Z: that process is gone', file=sys.stderr)\n"
)


def test_a_relayed_crawl_line_keeps_an_addresss_time_and_gives_a_locks_in_the_schedules_zone(
    caplog,
):
    caplog.set_level(logging.DEBUG, logger="thaidigest.run")  # Scrapy's "Crawled" line's
    argv = [sys.executable, "-c", CRAWL_QUOTING_TIMES]
    assert run_job("crawl", "crawl", argv, timeout=60) == 0
    formatter = daemon.LogFormatter(BANGKOK)
    relayed = [
        formatter.format(record).split("] ", 1)[1]
        for record in caplog.records
        if record.getMessage().startswith("crawl: ! ")
    ]
    assert relayed == [
        "DEBUG: Crawled (200) <GET https://www.thaigov.go.th/news?from=2026-12-07T00:00:00Z> "
        "(referer: None)",
        "WARNING: taking over crawl:thaigov from host:12, held since 2026-12-07T06:00:00+07:00: "
        "that process is gone",
    ]


def test_a_digest_job_logs_one_line_for_the_files_it_wrote_not_one_a_file(
    tmp_path, caplog, monkeypatch
):
    db, out = tmp_path / "db.sqlite", tmp_path / "public"
    store = Store(f"sqlite:///{db}")
    ingest(store, [article(1, "ASEAN digital ministers meet")], "2024-08-20T03:00")
    store.close()
    monkeypatch.setenv(store_module.DB_ENV, str(db))
    job = schedules.spec.Job(
        "digest", "digest", every=3600, args={"week": "2024-W34", "out": str(out)}
    )
    caplog.set_level(logging.DEBUG, logger="thaidigest.run")
    assert run_job("digest", "digest", schedules.spec.job_command(job, None, ()), timeout=120) == 0
    written = sum(1 for path in out.rglob("*") if path.is_file() and path.name != WRITTEN)
    assert written > 20  # the week's pages and every feed: each had its own line in the log
    stdout = [record for record in caplog.records if record.getMessage().startswith("digest: | ")]
    assert [(record.levelname, record.getMessage()) for record in stdout[1:]] == [
        ("INFO", f"digest: | wrote {written} files in {out}")
    ]
    assert stdout[0].getMessage().startswith("digest: | digest 2024-W34: ")


def digest_job_as_stored(tmp_path, monkeypatch, *, out: str) -> tuple[Path, dict]:
    """A schedule of one digest job writing in ``out`` (in ``tmp_path``, the working folder,
    beside its database) and that job's keyword arguments as the daemon's job store keeps
    them."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "db.sqlite"
    monkeypatch.setenv(store_module.DB_ENV, str(db))
    schedule = tmp_path / "schedule.toml"
    job = f'name = "digest"\ntask = "digest"\nevery = 3600\nargs = {{ out = "{out}" }}\n'
    schedule.write_text(schedule_text(job))
    loaded = load_schedule(schedule)
    store = Store(f"sqlite:///{db}")
    scheduler = build_scheduler(loaded, store)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, loaded, config_file=None, config=DEFAULTS)
        return schedule, scheduler.get_job("digest").kwargs
    finally:
        stop_scheduler(scheduler)
        store.close()


def test_a_digest_jobs_out_a_file_since_the_start_is_said_naming_the_option_the_job_not_run(
    tmp_path, caplog, monkeypatch
):
    """The daemon gives a digest job its schedule's out as --out, which the job refused
    naming --out, an option nobody typed: a file there since the daemon started (run
    refuses one at its start) is said naming the schedule's option, and the job not run."""
    schedule, kwargs = digest_job_as_stored(tmp_path, monkeypatch, out="notes.txt")
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    caplog.set_level(logging.INFO, logger="thaidigest.run")
    assert run_job(**kwargs) == 2
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == [
        f"digest: not started, exit 2: {schedule}: job 'digest': option out: {notes}: "
        "is a file, not a folder"
    ]
    assert not any("started digest" in record.getMessage() for record in caplog.records)
    assert notes.read_text() == "mine\n"


def test_a_users_own_index_in_a_digest_jobs_out_is_said_naming_the_option_the_job_not_run(
    tmp_path, caplog, monkeypatch
):
    """A user's own index.html put in a digest job's folder after the daemon started: said
    naming the schedule's option, not --out, and the job not run; the file as it was."""
    schedule, kwargs = digest_job_as_stored(tmp_path, monkeypatch, out="site")
    mine = tmp_path / "site" / "index.html"
    mine.parent.mkdir()
    mine.write_text("<h1>mine</h1>\n")
    caplog.set_level(logging.INFO, logger="thaidigest.run")
    assert run_job(**kwargs) == 2
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].startswith(
        f"digest: not started, exit 2: {mine}: a file thaidigest did not write"
    )
    assert f"choose another folder for {schedule}: job 'digest': option out," in errors[0]
    assert not any("started digest" in record.getMessage() for record in caplog.records)
    assert mine.read_text() == "<h1>mine</h1>\n"


def test_a_users_own_feed_a_digest_job_finds_in_its_out_is_said_naming_the_option(
    tmp_path, caplog, monkeypatch
):
    """A user's own topic feed in a digest job's folder, which the daemon's check of the top
    files cannot see: the job refused it naming --out, which the user never typed, where
    the daemon names the schedule's option; the file as it was."""
    schedule, kwargs = digest_job_as_stored(tmp_path, monkeypatch, out="site")
    last = Week.last_complete(datetime.now(UTC))
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    raw = article(1, "Quantum computing centre opens", published=last.start().date())
    ingest(store, [raw], last.start().strftime("%Y-%m-%dT%H:%M"))
    mark(store, raw, topics=["quantum"])
    store.close()
    mine = tmp_path / "site" / "topics" / "quantum.atom"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"<feed>mine</feed>\n")
    caplog.set_level(logging.INFO, logger="thaidigest.run")
    assert run_job(**kwargs) == 2
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    said = [error for error in errors if "a file thaidigest did not write" in error]
    assert len(said) == 1, errors
    assert f"choose another folder for {schedule}: job 'digest': option out," in said[0]
    assert "--out" not in said[0]
    assert mine.read_bytes() == b"<feed>mine</feed>\n"
    assert [path for path in (tmp_path / "site").rglob("*") if path.is_file()] == [mine]


# A crawl as the daemon sees it: it records a run, and on SIGTERM records it stopped, as a
# shutdown would have it, and exits 1.
STOPPED_BY_SIGTERM = (
    "import os, signal, sys, time\n"
    "from thaidigest.store import Store, utc_now\n"
    "signals = []\n"
    "signal.signal(signal.SIGTERM, lambda *_: signals.append(1))\n"
    "store = Store(os.environ['THAIDIGEST_DB'])\n"
    "run = store.start_crawl_run('thaigov', utc_now())\n"
    "deadline = time.monotonic() + 60\n"
    "while not signals and time.monotonic() < deadline:\n"
    "    time.sleep(0.05)\n"
    "store.finish_crawl_run(run, utc_now(), 'stopped', {'status': 'stopped'})\n"
    "sys.exit(1)\n"
)


def test_a_crawl_stopped_for_its_timeout_is_recorded_failed_and_why(tmp_path, monkeypatch):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    before = store.start_crawl_run("mdes", store_module.utc_now() - timedelta(hours=1))
    store.finish_crawl_run(before, store_module.utc_now(), "stopped", {"status": "stopped"})
    monkeypatch.setenv(store_module.DB_ENV, store.url)
    monkeypatch.setattr(daemon._RUNS, "store", store)
    argv = [sys.executable, "-c", STOPPED_BY_SIGTERM]
    assert run_job("crawl", "crawl", argv, timeout=4) == 1
    (run,) = store.last_crawl_runs("thaigov")
    assert run["status"] == "failed"
    assert "timed out after 4 s" in run["report"]["unfinished"]
    (reason,) = run_reasons([CrawlRun("", None, run["status"], run["report"])])  # status shows
    assert "timed out after 4 s" in reason
    assert store.crawl_run(before)["status"] == "stopped"  # a shutdown's stop, left as it was
    store.close()


def test_a_crawl_its_lock_keeps_off_is_relayed_as_a_warning_and_logged_skipped_not_failed(
    tmp_path, monkeypatch, caplog
):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    thaidigest_locks.acquire(store, thaidigest_locks.crawl_lock("thaigov"), timedelta(hours=1))
    monkeypatch.setenv(store_module.DB_ENV, store.url)
    caplog.set_level(logging.INFO, logger="thaidigest.run")
    job = schedules.spec.Job(
        "crawl", "crawl", every=3600, args={"source": "thaigov", "base_url": "http://127.0.0.1:9"}
    )
    argv = schedules.spec.job_command(job, None)
    assert run_job("crawl", "crawl", argv, timeout=120) == thaidigest_locks.EXIT_LOCKED
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    relayed = [(level, text) for level, text in messages if "not crawling: " in text]
    assert [level for level, _ in relayed] == ["WARNING", "WARNING"], messages
    line, skipped = (text for _, text in relayed)
    assert line.startswith("crawl: ! ") and "ERROR" in line  # the crawl's own line, relayed
    assert "crawl:thaigov is held by" in line
    assert skipped.startswith("crawl: skipped in ")
    assert not [text for level, text in messages if level == "ERROR"], messages
    (run,) = store.last_crawl_runs("thaigov")
    assert run["status"] == "locked"
    store.close()


def test_a_crawl_the_database_refuses_is_still_relayed_as_an_error(caplog):
    refused = (
        "import sys\n"
        "print('2026-12-07T07:00:00+07:00 [scraper.crawl] ERROR: not crawling: the database "
        "refused the crawl: database x.sqlite: permission denied', file=sys.stderr)\n"
        "sys.exit(1)\n"
    )
    caplog.set_level(logging.INFO, logger="thaidigest.run")
    assert run_job("crawl", "crawl", [sys.executable, "-c", refused], timeout=60) == 1
    (relayed,) = [r for r in caplog.records if r.getMessage().startswith("crawl: ! ")]
    assert relayed.levelname == "ERROR"


def test_a_job_a_signal_killed_is_logged_with_the_signals_name(caplog):
    caplog.set_level(logging.INFO, logger="thaidigest.run")
    argv = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]
    assert run_job("crawl", "crawl", argv, timeout=60) == -signal.SIGKILL
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("crawl: failed")]
    assert line.endswith(", killed by SIGKILL")


# A warning on stderr, then a wait for the file named on the command line (10 s at most).
WARNS_THEN_WAITS = (
    "import os, sys, time\n"
    "print('2026-01-05 07:00:00 [thaigov] WARNING: blocked page', file=sys.stderr, flush=True)\n"
    "deadline = time.monotonic() + 10\n"
    "while not os.path.exists(sys.argv[1]) and time.monotonic() < deadline:\n"
    "    time.sleep(0.05)\n"
)


def test_a_job_stderr_line_is_logged_while_the_job_still_runs(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="thaidigest.run")
    go_on = tmp_path / "go-on"
    argv = [sys.executable, "-c", WARNS_THEN_WAITS, str(go_on)]
    job = threading.Thread(target=run_job, args=("crawl", "crawl", argv, 60))
    job.start()
    try:
        deadline = time.monotonic() + 8
        while "blocked page" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        logged_while_running = "blocked page" in caplog.text and "exit" not in caplog.text
    finally:
        go_on.touch()
        job.join(timeout=30)
    assert logged_while_running, caplog.text
    (record,) = [r for r in caplog.records if "blocked page" in r.getMessage()]
    assert record.levelname == "WARNING"


def started_jobs(jobs: _Subprocesses, *tasks: str) -> list[subprocess.Popen]:
    """Long-running jobs, each with a thread that reports its end as ``run_job`` does."""
    processes = [jobs.start(SLEEPER, task) for task in tasks]
    for process in processes:
        report_end = lambda p=process: (p.communicate(), jobs.finished(p))  # noqa: E731
        threading.Thread(target=report_end, daemon=True).start()
    return processes


# A job that outlives SIGTERM, as a digest mailing under its own handler might.
IGNORES_SIGTERM = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)",
]


def test_stop_passes_the_signal_to_a_crawl_at_once_and_kills_other_jobs_after_the_grace():
    jobs = _Subprocesses()
    crawl, digest = started_jobs(jobs, "crawl", "digest")
    stubborn = jobs.start(IGNORES_SIGTERM, "digest")
    threading.Thread(target=lambda: (stubborn.communicate(), jobs.finished(stubborn))).start()
    began = time.monotonic()
    jobs.stop(signal.SIGTERM, grace=TERM_BEFORE_KILL + 1.0, forced=lambda: False)
    assert crawl.returncode == -signal.SIGTERM  # the signal the daemon received, passed on
    # The others had the grace but its last TERM_BEFORE_KILL seconds, then SIGTERM (a
    # digest in its pass over the stored articles stops holding nothing), then SIGKILL.
    assert digest.returncode == -signal.SIGTERM
    assert stubborn.returncode == -signal.SIGKILL
    assert time.monotonic() - began >= 1.0  # the grace was given
    assert jobs.start(SLEEPER, "crawl") is None  # nothing new once stopping


def test_a_second_signal_kills_the_running_jobs_without_waiting_for_the_grace():
    jobs = _Subprocesses()
    (digest,) = started_jobs(jobs, "digest")
    began = time.monotonic()
    jobs.stop(signal.SIGTERM, grace=600, forced=lambda: True)
    assert digest.returncode == -signal.SIGKILL
    assert time.monotonic() - began < 60  # not the 600 s grace


def test_the_job_store_never_holds_the_database_url(tmp_path):
    secret = "db-with-a-secret-name"
    db = tmp_path / f"{secret}.sqlite"
    text = schedule_text('name = "crawl"\ntask = "crawl"\nevery = 3600\n')
    with paused_scheduler(Store(f"sqlite:///{db}"), text, DEFAULTS) as scheduler:
        argv = scheduler.get_job("crawl").kwargs["argv"]
    assert not any(secret in part for part in argv) and "--db" not in argv
    with sqlite3.connect(db) as conn:
        (state,) = conn.execute("SELECT job_state FROM apscheduler_jobs").fetchone()
    assert secret.encode() not in state


# --- `thaidigest run` in a subprocess ------------------------------------------------


class Daemon:
    """``thaidigest run`` in a subprocess, its log in a file."""

    def __init__(
        self,
        tmp_path: Path,
        schedule: Path,
        db: Path,
        config: Path,
        log: str,
        setup: str = "",
        machine_zone: str | None = None,
    ) -> None:
        """``setup``: Python statements run before the command (settings made shorter);
        ``machine_zone``: the time zone it runs in (``TZ``), else this process's."""
        self.log_path = tmp_path / log
        argv = ["run", "--schedules", str(schedule), "--db", str(db), "--config", str(config)]
        with self.log_path.open("w", encoding="utf-8") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-c", setup + FAST_RUN, *argv],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env={
                    **os.environ,
                    "PYTHONWARNINGS": "ignore",
                    **({"TZ": machine_zone} if machine_zone else {}),
                },
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def wait_for(self, condition, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, self.log()
            assert time.monotonic() < deadline, self.log()
            time.sleep(0.1)

    def stop(self, timeout: float = GRACE + 10) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


def crawl_runs(db: Path) -> list[dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute("SELECT * FROM crawl_runs ORDER BY id")]


def daemon_config(tmp_path: Path) -> Path:
    return write_config(
        tmp_path,
        f'[schedule]\nshutdown_grace = {GRACE}\n[digest]\nout = "{tmp_path / "public"}"\n',
    )


def watched_for_a_month(db: Path) -> None:
    """Make ``db`` with a text file imported 30 days ago: its last complete week was
    watched, so a digest job without a week builds it (one on a database first filled
    this week builds none)."""
    store = Store(f"sqlite:///{db}")
    text = RawArticle(
        url="file:///home/me/seeds/001.txt",
        source="file",
        title="ASEAN digital ministers meet",
        body="First paragraph of the article.\nSecond paragraph.",
    )
    ingest(store, [text], (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    store.close()


def test_daemon_runs_crawls_and_digests_without_overlap_and_stops_cleanly(tmp_path):
    db = tmp_path / "db.sqlite"
    watched_for_a_month(db)
    config = add_crawl_setting(daemon_config(tmp_path), 'log_level = "INFO"')
    with FixtureSite() as site:
        schedule = tmp_path / "schedule.toml"
        schedule.write_text(
            schedule_text(
                'name = "crawl"\ntask = "crawl"\nevery = 2\n'
                f'args = {{ base_url = "{site.base_url}", start_id = {FIRST_THAIGOV_ID} }}\n',
                'name = "digest"\ntask = "digest"\nevery = 3\n',
            )
        )
        daemon = Daemon(tmp_path, schedule, db, config, "run.log")
        daemon.wait_for(lambda: daemon.log().count("crawl: started") >= 2, timeout=30)
        stopped = time.monotonic()
        code = daemon.stop()
    log = daemon.log()
    assert code == 0, log
    assert time.monotonic() - stopped < GRACE + 5
    assert "received SIGTERM: stopping" in log
    assert re.search(r"crawl: finished in [\d.]+ s, exit 0", log), log
    assert "crawl: | thaigov: ok" in log  # the crawl report is logged
    # A crawl's stderr keeps its own level; nothing in a healthy run is an error.
    assert re.search(r" INFO thaidigest\.run: crawl: ! .*\[scrapy\.core\.engine\] INFO: ", log), log
    assert " ERROR " not in log, log
    runs = crawl_runs(db)
    for source in ("thaigov", "mdes"):
        mine = [run for run in runs if run["source"] == source]
        # Every run finished ok but the one the shutdown may have stopped.
        assert mine and all(run["status"] == "ok" for run in mine[:-1]), runs
        assert mine[-1]["status"] in ("ok", "stopped"), runs
        for earlier, later in pairwise(mine):
            assert earlier["finished_at"] <= later["started_at"], runs
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] > 0
    assert re.search(r"digest: finished in [\d.]+ s, exit 0", log), log
    assert list((tmp_path / "public" / "digests").glob("*.md"))
    # The default site_url is this machine: the digest job's warning is logged as one.
    assert re.search(r" WARNING thaidigest\.run: digest: ! WARNING: digest\.site_url is ", log), log


# An ISO 8601 time with its offset: "2026-12-07T07:00:01+07:00", "…T00:00:01.25+0000", "…Z".
LOGGED_TIME = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?P<fraction>\.\d+)?(?P<offset>Z|[+-]\d\d:?\d\d)"
)


def test_every_time_the_daemon_logs_is_in_the_schedules_zone_not_the_machines(tmp_path):
    db = tmp_path / "db.sqlite"
    config = add_crawl_setting(daemon_config(tmp_path), 'log_level = "INFO"')  # Scrapy's lines
    with FixtureSite() as site:
        schedule = tmp_path / "schedule.toml"
        schedule.write_text(  # schedule_text's zone: Asia/Bangkok, UTC+7 all year
            schedule_text(
                'name = "crawl"\ntask = "crawl"\nevery = 2\n'
                f'args = {{ source = "thaigov", base_url = "{site.base_url}", '
                f"start_id = {FIRST_THAIGOV_ID} }}\n"
            )
        )
        started = datetime.now(UTC)
        daemon = Daemon(tmp_path, schedule, db, config, "run.log", machine_zone="America/New_York")
        daemon.wait_for(lambda: "crawl: finished" in daemon.log(), timeout=60)
        assert daemon.stop() == 0, daemon.log()
    lines = daemon.log().splitlines()
    assert any(re.search(r"crawl: ! \S+ \[scrapy\.core\.engine\] INFO: ", line) for line in lines)
    assert any("next run" in line for line in lines) and any("due at" in line for line in lines)
    for line in lines:
        stamp = LOGGED_TIME.match(line)
        assert stamp is not None and stamp["offset"] == "+07:00", line
        assert abs(datetime.fromisoformat(stamp[0]) - started) < timedelta(minutes=2), line
        for logged in LOGGED_TIME.finditer(line):  # the run times, a job's own stamps
            assert logged["offset"] == "+07:00", line
            assert logged["fraction"] is None, line  # to the whole second


def test_a_schedule_file_removed_after_the_daemon_started_does_not_stop_its_digests(tmp_path):
    db = tmp_path / "db.sqlite"
    watched_for_a_month(db)
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(
        schedule_text(  # the crawl does not run in the test: its site is judged all the same
            'name = "crawl"\ntask = "crawl"\nevery = 3600\nargs = { source = "thaigov" }\n',
            'name = "digest"\ntask = "digest"\nevery = 2\n',
        )
    )
    daemon = Daemon(tmp_path, schedule, db, daemon_config(tmp_path), "run.log")
    daemon.wait_for(lambda: job_row(db, "digest") is not None, timeout=15)
    schedule.unlink()  # a ConfigMap's update, a release symlink moved on
    daemon.wait_for(lambda: "digest: f" in daemon.log(), timeout=60)  # finished, or failed
    assert daemon.stop() == 0, daemon.log()
    log = daemon.log()
    assert re.search(r"digest: finished in [\d.]+ s, exit 0", log), log
    (digest,) = (tmp_path / "public" / "digests").glob("*.md")
    health = digest.read_text(encoding="utf-8").split("\n## Source health\n\n", 1)[1]
    thaigov, mdes = health.splitlines()[:2]
    assert thaigov.startswith("- thaigov.go.th: ") and "not judged" not in thaigov, health
    assert mdes == "- mdes.go.th: not judged: no crawl job of the schedule crawls it", health


def test_runs_missed_while_stopped_happen_once_after_restart(tmp_path):
    every = 3
    db = tmp_path / "db.sqlite"
    config = daemon_config(tmp_path)
    with FixtureSite() as site:
        schedule = tmp_path / "schedule.toml"
        schedule.write_text(
            schedule_text(
                f'name = "crawl"\ntask = "crawl"\nevery = {every}\n'
                f'args = {{ source = "thaigov", base_url = "{site.base_url}", '
                f"start_id = {FIRST_THAIGOV_ID} }}\n"
            )
        )
        first = Daemon(tmp_path, schedule, db, config, "first.log")
        first.wait_for(lambda: job_row(db, "crawl") is not None, timeout=15)
        assert first.stop() == 0, first.log()
        assert "crawl: started" not in first.log()
        next_run = job_row(db, "crawl")
        time.sleep(max(0.0, next_run + every + 0.5 - time.time()))  # two runs missed

        restarted = datetime.now(UTC)
        second = Daemon(tmp_path, schedule, db, config, "second.log")
        # A crawl running at SIGTERM is stopped, so let the first one finish.
        second.wait_for(lambda: "crawl: finished" in second.log(), timeout=60)
        assert second.stop() == 0, second.log()
    log = second.log()
    due = [
        [datetime.fromisoformat(moment) for moment in match["times"].split(", ")]
        for match in map(DUE_LINE.search, log.splitlines())
        if match
    ]
    assert len(due[0]) == 1, log  # all the missed runs, coalesced into one
    # The log gives whole seconds (rounded down): the missed run, on the stored timetable
    # (next_run + k * every, k >= 1), lies within the second logged.
    missed = due[0][0].timestamp()
    slot = math.ceil((missed - next_run) / every)
    assert slot >= 1 and next_run + slot * every < missed + 1, log
    # The timetable itself kept, to the microsecond: the next run the daemon stored.
    slots = (job_row(db, "crawl") - next_run) / every
    assert slots > 1.99 and abs(slots - round(slots)) < 0.01, log
    began = restarted.replace(microsecond=0)
    assert all(moment >= began for later in due[1:] for moment in later), log
    assert re.search(r"crawl: finished in [\d.]+ s, exit 0", log), log
    statuses = [run["status"] for run in crawl_runs(db)]
    assert statuses[0] == "ok" and set(statuses[1:]) <= {"ok", "stopped"}, statuses


def test_a_second_daemon_on_the_same_database_exits_75_and_runs_nothing(tmp_path):
    db = tmp_path / "db.sqlite"
    config = daemon_config(tmp_path)
    schedule = hourly_digest_schedule(tmp_path)
    first = Daemon(tmp_path, schedule, db, config, "first.log")
    try:
        first.wait_for(lambda: "running 1 job from" in first.log(), timeout=30)
        argv = ["run", "--schedules", str(schedule), "--db", str(db), "--config", str(config)]
        second = subprocess.run(
            [sys.executable, "-c", FAST_RUN, *argv], capture_output=True, text=True, timeout=30
        )
    finally:
        assert first.stop() == 0, first.log()
    assert second.returncode == 75, second.stdout + second.stderr
    (line,) = second.stderr.splitlines()
    assert line.startswith("not running: daemon is held by ") and str(first.process.pid) in line
    assert re.search(r" since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00\b", line), line  # Bangkok's
    assert "running 1 job from" not in second.stdout
    assert locks(db) == []  # the first one released it on its way out
    third = Daemon(tmp_path, schedule, db, config, "third.log")  # the next one may start
    third.wait_for(lambda: "running 1 job from" in third.log(), timeout=30)
    assert third.stop() == 0, third.log()


def test_a_daemon_refused_by_another_hosts_says_since_and_until_when_in_the_schedules_zone(
    tmp_path,
):
    db = tmp_path / "db.sqlite"
    taken = store_module.utc_now() - timedelta(minutes=1)
    expires = taken + daemon.DAEMON_LOCK_TTL
    with Store(f"sqlite:///{db}").transaction() as conn:  # a daemon on another machine
        conn.execute(
            insert(store_module.locks).values(
                name=daemon.DAEMON_LOCK,
                holder="elsewhere.example:1",
                acquired_at=store_module.iso(taken),
                expires_at=store_module.iso(expires),
            )
        )
    argv = ["run", "--schedules", str(hourly_digest_schedule(tmp_path)), "--db", str(db)]
    argv += ["--config", str(daemon_config(tmp_path))]
    refused = subprocess.run(
        [sys.executable, "-c", FAST_RUN, *argv], capture_output=True, text=True, timeout=30
    )
    assert refused.returncode == 75, refused.stdout + refused.stderr
    (line,) = refused.stderr.splitlines()
    since, until = (daemon.log_time(daemon.in_zone(at, BANGKOK)) for at in (taken, expires))
    assert line.startswith(
        f"not running: daemon is held by elsewhere.example:1 since {since} until {until} "
        "unless renewed (its process cannot be checked from here:"
    ), line


def test_a_daemon_whose_lock_another_daemon_took_over_stops_and_exits_75(tmp_path):
    db = tmp_path / "db.sqlite"
    config = daemon_config(tmp_path)
    schedule = hourly_digest_schedule(tmp_path)
    renewing = "import schedules.daemon; schedules.daemon.DAEMON_LOCK_RENEW = 0.5; " + FAST_RUN
    argv = ["run", "--schedules", str(schedule), "--db", str(db), "--config", str(config)]
    with (tmp_path / "run.log").open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-c", renewing, *argv],
            stdout=log_file,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    try:
        deadline = time.monotonic() + 30
        while "running 1 job from" not in (tmp_path / "run.log").read_text(encoding="utf-8"):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        with sqlite3.connect(db) as conn:  # another daemon judged the lock stale and took it
            conn.execute("UPDATE locks SET holder = 'elsewhere:4242' WHERE name = 'daemon'")
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 75, stderr
    (line,) = stderr.decode().splitlines()
    assert line == "stopped: daemon was taken over by elsewhere:4242"
    assert locks(db) == [("daemon", "elsewhere:4242")]  # the new holder keeps it


# The scheduler's thread fails on its first look for due jobs, as on a bug of ours or
# APScheduler's that no handler expects; the rest of the daemon works.
BREAKS_THE_SCHEDULER = (
    "import apscheduler.jobstores.sqlalchemy as jobstores\n"
    "def broken(self): raise ZeroDivisionError('an unforeseen failure')\n"
    "jobstores.SQLAlchemyJobStore.get_next_run_time = broken\n"
)


def test_a_daemon_whose_scheduler_thread_died_logs_it_releases_its_lock_and_exits_1(tmp_path):
    db = tmp_path / "db.sqlite"
    config = daemon_config(tmp_path)
    schedule = hourly_digest_schedule(tmp_path)
    argv = ["run", "--schedules", str(schedule), "--db", str(db), "--config", str(config)]
    with (tmp_path / "run.log").open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-c", BREAKS_THE_SCHEDULER + FAST_RUN, *argv],
            stdout=log_file,
            stderr=subprocess.PIPE,
            # A POSIX zone string (no tz database needed): seven hours east of UTC.
            env={**os.environ, "PYTHONWARNINGS": "ignore", "TZ": "ICT-7"},
        )
    try:
        _, stderr = process.communicate(timeout=60)  # it must end by itself
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log = (tmp_path / "run.log").read_text(encoding="utf-8")
    assert process.returncode == 1, log + stderr.decode()
    (line,) = stderr.decode().splitlines()  # no thread traceback on stderr: it is in the log
    assert line.startswith("stopped: the scheduler thread died: ZeroDivisionError"), line
    # Each line's time says its zone: local time and its offset from UTC.
    when = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00"
    assert re.search(rf"^{when} ERROR thaidigest\.run: the scheduler thread died", log, re.M), log
    assert "ZeroDivisionError: an unforeseen failure" in log, log  # its traceback, logged
    assert locks(db) == []  # released: a restarted daemon takes over at once
    assert log.rstrip().endswith("stopped"), log


@contextmanager
def database_locked_by_another_writer(db: Path) -> Iterator[None]:
    """The database's write lock held by another connection, as by a long import."""
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        writer.close()


def test_a_lock_release_the_locked_database_refuses_is_a_warning_and_the_exit_stays_0(tmp_path):
    db = tmp_path / "db.sqlite"
    config = daemon_config(tmp_path)
    schedule = hourly_digest_schedule(tmp_path)
    quick = "import thaidigest.store; thaidigest.store.BUSY_TIMEOUT = 0.5; "  # not 30 s
    first = Daemon(tmp_path, schedule, db, config, "first.log", setup=quick)
    first.wait_for(lambda: "running 1 job from" in first.log(), timeout=30)
    with database_locked_by_another_writer(db):
        code = first.stop(timeout=STOP_BOUND)
    log = first.log()
    assert code == 0, log
    assert re.search(r" WARNING thaidigest\.run: cannot release the daemon lock: .*locked", log), (
        log
    )
    assert "Traceback" not in log and "Error:" not in log, log
    assert log.rstrip().endswith("stopped"), log
    # The lock left behind names a process that is gone: the next daemon takes it over.
    second = Daemon(tmp_path, schedule, db, config, "second.log")
    second.wait_for(lambda: "running 1 job from" in second.log(), timeout=30)
    assert second.stop() == 0, second.log()
    taking_over = f"taking over daemon from {socket.gethostname()}:{first.process.pid}"
    held_since = r", held since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00: that process is gone"
    assert re.search(re.escape(taking_over) + held_since, second.log()), second.log()


def test_sigterm_while_a_renewal_waits_on_the_locked_database_stops_the_daemon_in_seconds(
    tmp_path,
):
    db = tmp_path / "db.sqlite"
    config = daemon_config(tmp_path)
    schedule = hourly_digest_schedule(tmp_path)
    renewing = "import schedules.daemon; schedules.daemon.DAEMON_LOCK_RENEW = 0.5; "
    daemon = Daemon(tmp_path, schedule, db, config, "run.log", setup=renewing)
    try:
        daemon.wait_for(lambda: "running 1 job from" in daemon.log(), timeout=30)
        with database_locked_by_another_writer(db):
            # A renewal starts within 0.6 s, then waits up to the 30 s busy timeout.
            time.sleep(RENEWAL_WAITING)
            daemon.process.send_signal(signal.SIGTERM)
            began = time.monotonic()
            with contextlib.suppress(subprocess.TimeoutExpired):
                daemon.process.wait(timeout=PROMPT_STOP)
            took = time.monotonic() - began
    finally:
        if daemon.process.poll() is None:
            daemon.process.kill()
            daemon.process.wait()
    log = daemon.log()
    assert took < PROMPT_STOP, f"still running {took:.1f} s after SIGTERM\n{log}"
    assert daemon.process.returncode == 0, log
    assert "the daemon lock's renewal given up: stopping" in log, log  # it was waiting
    assert "received SIGTERM: stopping" in log, log
    assert "cannot renew" not in log and " ERROR " not in log, log


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_the_daemon_waits_for_a_busy_database_stops_it_at_once(signum, tmp_path):
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    config = daemon_config(tmp_path)
    schedule = hourly_digest_schedule(tmp_path)
    with database_locked_by_another_writer(db):
        daemon = Daemon(tmp_path, schedule, db, config, "run.log")
        try:
            deadline = time.monotonic() + 30
            while not someone_waits_for_the_write_lock(db):  # for its lock, in locks.acquire
                assert daemon.process.poll() is None, daemon.log()
                assert time.monotonic() < deadline, daemon.log()
                time.sleep(0.05)
            daemon.process.send_signal(signum)
            began = time.monotonic()
            with contextlib.suppress(subprocess.TimeoutExpired):
                daemon.process.wait(timeout=store_module.BUSY_TIMEOUT + 10)
            took = time.monotonic() - began
        finally:
            if daemon.process.poll() is None:
                daemon.process.kill()
                daemon.process.wait()
        log = daemon.log()
        assert took < WAITING_STOP, f"still running {took:.1f} s after the signal\n{log}"
        assert daemon.process.returncode == 0, log  # as a daemon stopped at any other time
        assert f"received {signal.Signals(signum).name}: stopping" in log, log
        assert log.rstrip().endswith("stopped"), log
        assert "locked" not in log and "running 1 job from" not in log, log
    assert locks(db) == []  # nothing taken


def lock_expiry(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT expires_at FROM locks WHERE name = 'daemon'").fetchone()[0]


def test_a_renewal_the_locked_database_refuses_is_a_warning_and_the_next_one_renews(
    tmp_path, caplog, monkeypatch
):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.1)  # else the renewal waits 30 s
    db = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    try:
        an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
        thaidigest_locks.acquire(store, daemon.DAEMON_LOCK, daemon.DAEMON_LOCK_TTL, an_hour_ago)
        expired = lock_expiry(db)
        writer = sqlite3.connect(db, isolation_level=None)  # another process, writing
        try:
            writer.execute("BEGIN EXCLUSIVE")
            with caplog.at_level(logging.WARNING, logger="thaidigest.run"):
                assert daemon._renew_lock(store) is None  # not taken over: carry on
        finally:
            writer.close()
        (record,) = caplog.records
        assert record.levelno == logging.WARNING
        assert record.getMessage().startswith("cannot renew the daemon lock")
        assert record.getMessage().endswith(f"database {db}: database is locked")
        assert lock_expiry(db) == expired
        assert daemon._renew_lock(store) is None
        assert lock_expiry(db) > expired
    finally:
        store.close()


def test_a_renewal_that_finds_the_lock_taken_over_names_the_new_holder(store):
    thaidigest_locks.acquire(store, daemon.DAEMON_LOCK, daemon.DAEMON_LOCK_TTL)
    with store.transaction() as conn:
        conn.exec_driver_sql("UPDATE locks SET holder = 'elsewhere:4242' WHERE name = 'daemon'")
    assert daemon._renew_lock(store) == "elsewhere:4242"


# --- Stopping `thaidigest run` with a crawl in progress -------------------------------


def running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (Linux /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def locks(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT name, holder FROM locks").fetchall()


def assert_stopped_crawl(db: Path) -> None:
    """The stuck thaigov walk was recorded as stopped (MDES may have finished) and unlocked."""
    runs = crawl_runs(db)
    assert [run["status"] for run in runs if run["source"] == "thaigov"] == ["stopped"], runs
    assert {run["status"] for run in runs} <= {"ok", "stopped"}, runs
    # The crawl let go of its locks (a SIGKILLed daemon's own lock stays: the next takes it over).
    assert [name for name, _ in locks(db) if name != "daemon"] == []


@contextmanager
def daemon_stuck_in_a_crawl(tmp_path: Path) -> Iterator[tuple[Daemon, int, Path]]:
    """The daemon, its crawl's pid and the database, the crawl waiting on a page that hangs.

    The settings are the defaults (a second between requests, a 30 s download
    timeout) but for the output folder and the fixture site's two MDES categories.
    """
    db = tmp_path / "db.sqlite"
    config = tmp_path / "thaidigest.toml"
    config.write_text(
        f'[sites.mdes]\ncategories = [3, 7]\n[digest]\nout = "{tmp_path / "public"}"\n',
        encoding="utf-8",
    )
    hang = FaultRule(path=r"^/news/contents/details/87362$", fault="hang", delay=300)
    with FixtureSite(faults=FaultPlan([hang])) as site:
        schedule = tmp_path / "schedule.toml"
        schedule.write_text(
            schedule_text(
                'name = "crawl"\ntask = "crawl"\nevery = 1\n'
                f'args = {{ base_url = "{site.base_url}", start_id = {FIRST_THAIGOV_ID} }}\n'
            )
        )
        daemon = Daemon(tmp_path, schedule, db, config, "run.log")
        try:
            daemon.wait_for(lambda: CRAWL_PID.search(daemon.log()), timeout=30)
            daemon.wait_for(lambda: any(r.fault == "hang" for r in site.requests), timeout=60)
            pid = int(CRAWL_PID.search(daemon.log())["pid"])
            yield daemon, pid, db
        finally:
            if daemon.process.poll() is None:
                daemon.process.kill()
                daemon.process.wait()


def test_sigterm_stops_the_daemon_and_its_hanging_crawl_within_seconds(tmp_path):
    with daemon_stuck_in_a_crawl(tmp_path) as (daemon, crawl_pid, db):
        daemon.process.send_signal(signal.SIGTERM)
        began = time.monotonic()
        code = daemon.process.wait(timeout=60)
        took = time.monotonic() - began
        crawl_left = running(crawl_pid)
    log = daemon.log()
    assert code == 0, log
    assert took < STOP_BOUND, f"exit after {took:.1f} s\n{log}"
    assert not crawl_left, log
    assert re.search(r"crawl: stopped by the shutdown in [\d.]+ s, exit 1", log), log
    assert "crawl: | thaigov: stopped" in log  # the crawl closed itself and said so
    assert_stopped_crawl(db)
    assert " ERROR " not in log, log


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_killed_daemon_takes_its_crawl_with_it(tmp_path):
    with daemon_stuck_in_a_crawl(tmp_path) as (daemon, crawl_pid, db):
        daemon.process.kill()
        daemon.process.wait()
        deadline = time.monotonic() + ORPHAN_BOUND
        while running(crawl_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not running(crawl_pid), f"crawl {crawl_pid} outlived its daemon by {ORPHAN_BOUND} s"
    # The kernel sent it SIGTERM: it recorded its runs as stopped and let go of its locks.
    assert_stopped_crawl(db)


def test_sigterm_as_soon_as_the_daemons_crawl_takes_its_lock_records_it_stopped(tmp_path):
    # The crawl is stopped before Scrapy has built it: its run is recorded stopped all the
    # same and its locks are released (it used to die of the signal, holding both for an hour).
    db = tmp_path / "db.sqlite"
    every_page_hangs = FaultRule(path=r"^/(?!robots\.txt)", fault="hang", delay=300)
    with FixtureSite(faults=FaultPlan([every_page_hangs])) as site:
        schedule = tmp_path / "schedule.toml"
        schedule.write_text(
            schedule_text(
                'name = "crawl"\ntask = "crawl"\nevery = 1\n'
                f'args = {{ base_url = "{site.base_url}", start_id = {FIRST_THAIGOV_ID} }}\n'
            )
        )
        daemon = Daemon(tmp_path, schedule, db, daemon_config(tmp_path), "run.log")
        try:
            daemon.wait_for(
                lambda: any(name == "crawl:thaigov" for name, _ in query_locks(db)), timeout=60
            )
            code = daemon.stop()
        finally:
            if daemon.process.poll() is None:
                daemon.process.kill()
                daemon.process.wait()
    log = daemon.log()
    assert code == 0, log
    assert re.search(r"crawl: stopped by the shutdown in [\d.]+ s, exit 1", log), log
    assert locks(db) == [], log  # the crawl's and the daemon's own
    runs = crawl_runs(db)
    assert ("thaigov", "stopped") in [(run["source"], run["status"]) for run in runs], runs
    assert {run["status"] for run in runs} == {"stopped"}, runs


def query_locks(db: Path) -> list[tuple]:
    """:func:`locks`, or [] while the daemon has not yet made the database or its tables."""
    try:
        return locks(db)
    except sqlite3.OperationalError:
        return []


def run_daemon_writing_to(stdout, tmp_path: Path, db: Path) -> subprocess.Popen:
    """``thaidigest run`` with a digest every second, its log written to ``stdout``."""
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(schedule_text('name = "digest"\ntask = "digest"\nevery = 1\n'))
    config = daemon_config(tmp_path)
    argv = ["run", "--schedules", str(schedule), "--db", str(db), "--config", str(config)]
    return subprocess.Popen(
        [sys.executable, "-c", FAST_RUN, *argv],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def finished(process: subprocess.Popen, timeout: float) -> tuple[int | None, str]:
    """The exit status and stderr of a process that must end by itself (None: it did not)."""
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        return None, stderr.decode()
    return process.returncode, stderr.decode()


def test_a_daemon_whose_log_reader_went_away_stops_quietly_releases_its_lock_and_exits_141(
    tmp_path,
):
    # `thaidigest run | head -1`: the reader takes a line and closes the pipe.
    db = tmp_path / "db.sqlite"
    reader, writer = os.pipe()
    try:
        process = run_daemon_writing_to(writer, tmp_path, db)
    finally:
        os.close(writer)
    with os.fdopen(reader, "rb") as log:
        first = log.readline()
    code, stderr = finished(process, timeout=GRACE + 30)
    assert first, stderr
    assert (code, stderr) == (141, ""), stderr
    assert locks(db) == []  # released on the way out


def test_a_daemon_whose_log_is_on_a_full_disk_stops_with_one_line_and_exit_1(tmp_path):
    db = tmp_path / "db.sqlite"
    with open("/dev/full", "w") as full:  # every write: No space left on device
        process = run_daemon_writing_to(full, tmp_path, db)
    code, stderr = finished(process, timeout=GRACE + 30)
    assert (code, stderr.splitlines()) == (
        1,
        ["Error: cannot write the output: no space left on device"],
    ), stderr
    assert locks(db) == []


def test_a_daemon_started_without_a_standard_output_logs_to_stderr(tmp_path):
    # `thaidigest run >&-`: Python has no sys.stdout; the log goes where logging puts it.
    db = tmp_path / "db.sqlite"
    schedule = hourly_digest_schedule(tmp_path)
    config = daemon_config(tmp_path)
    argv = ["run", "--schedules", str(schedule), "--db", str(db), "--config", str(config)]
    log_path = tmp_path / "stderr.log"
    with log_path.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-c", FAST_RUN, *argv],
            stderr=log_file,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    try:
        deadline = time.monotonic() + 30
        while "running 1 job from" not in log_path.read_text(encoding="utf-8"):
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=PROMPT_STOP + 10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log = log_path.read_text(encoding="utf-8")
    assert code == 0, log
    assert "Logging error" not in log and "Traceback" not in log, log
    assert log.rstrip().endswith("stopped"), log


def test_the_daemon_names_its_database_and_settings_file_when_it_starts(tmp_path):
    db = tmp_path / "db.sqlite"
    config = daemon_config(tmp_path)
    schedule = hourly_digest_schedule(tmp_path)
    daemon = Daemon(tmp_path, schedule, db, config, "run.log")
    try:
        daemon.wait_for(lambda: "running 1 job from" in daemon.log(), timeout=30)
    finally:
        assert daemon.stop() == 0, daemon.log()
    (line,) = [line for line in daemon.log().splitlines() if f"database {db}" in line]
    assert f"settings {config.resolve()}" in line


def test_a_daemon_on_the_default_settings_says_so_and_where_it_looked():
    note = daemon.settings_note(None)
    assert "the defaults" in note and os.getcwd() in note and "THAIDIGEST_CONFIG" in note
