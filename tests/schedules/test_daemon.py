"""The scheduler daemon: the job store across restarts, and ``thaidigest run`` end to end."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from schedules.daemon import build_scheduler, stop_scheduler, sync_jobs
from schedules.spec import parse_schedule
from scraper.fixture_site import FixtureSite
from tests.scraper.crawling import FIRST_THAIGOV_ID, write_config
from thaidigest.config import DEFAULTS, merge
from thaidigest.store import Store

GRACE = 20  # schedule.shutdown_grace in the end-to-end tests
DUE_LINE = re.compile(r"crawl: due at (?P<times>.+)$")


def schedule_text(*jobs: str) -> str:
    return 'timezone = "Asia/Bangkok"\n' + "".join(f"[[job]]\n{job}\n" for job in jobs)


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

    def __init__(self, tmp_path: Path, schedule: Path, db: Path, config: Path, log: str) -> None:
        self.log_path = tmp_path / log
        argv = ["run", "--schedules", str(schedule), "--db", str(db), "--config", str(config)]
        with self.log_path.open("w", encoding="utf-8") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "thaidigest", *argv],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
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


def test_daemon_runs_crawls_and_digests_without_overlap_and_stops_cleanly(tmp_path):
    db = tmp_path / "db.sqlite"
    config = daemon_config(tmp_path)
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
    runs = crawl_runs(db)
    for source in ("thaigov", "mdes"):
        mine = [run for run in runs if run["source"] == source]
        assert mine and all(run["status"] == "ok" for run in mine), runs
        for earlier, later in pairwise(mine):
            assert earlier["finished_at"] <= later["started_at"], runs
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] > 0
    assert re.search(r"digest: finished in [\d.]+ s, exit 0", log), log
    assert list((tmp_path / "public" / "digests").glob("*.md"))


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
        second.wait_for(lambda: "crawl: started" in second.log(), timeout=15)
        assert second.stop() == 0, second.log()
    log = second.log()
    due = [
        [datetime.fromisoformat(moment) for moment in match["times"].split(", ")]
        for match in map(DUE_LINE.search, log.splitlines())
        if match
    ]
    assert len(due[0]) == 1, log  # all the missed runs, coalesced into one
    missed = due[0][0]
    slots = (missed.timestamp() - next_run) / every
    assert slots > 0.99 and abs(slots - round(slots)) < 0.01, log  # on the stored timetable
    assert all(moment >= restarted for later in due[1:] for moment in later), log
    assert re.search(r"crawl: finished in [\d.]+ s, exit 0", log), log
    assert [run["status"] for run in crawl_runs(db)] == ["ok"]
