"""``thaidigest status``: the last crawls and digest, and exit 1 when a crawl is overdue."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, event, insert, select, update

from digest.commands import digest_command
from digest.feeds import TOPICS
from digest.mail import MAILING, owe, weeks_owed, write_off
from digest.publish import PARTNERS
from digest.select import DIGESTS, Week
from schedules.commands import (
    DIGEST_GRACE,
    WRITTEN_SUBFOLDERS,
    digest_line,
    mail_owed_lines,
    mail_run_options,
    missing_digest,
    read_digests,
    schedule_command,
    status_command,
)
from scraper.report import settle_dead_runs
from tests.conftest import needs_file_permissions, thaidigest_without_file_permission_overrides
from tests.digest import article, ingest
from tests.digest.test_commands import mailed, smtp_sink
from tests.digest.test_mail import Inbox, LoopbackController, free_port
from thaidigest import locks
from thaidigest.model import RawArticle
from thaidigest.store import (
    Store,
    add_crawl_counts,
    crawl_runs,
    iso,
    parse_iso,
    undelivered,
    utc_now,
)
from thaidigest.store import locks as lock_rows

REPORT = {
    "new": 3,
    "updated": 1,
    "blocked": [{"url": "http://x/1", "status": 403}],
    "errors": [{"url": "http://x/2", "error": "timeout"}, {"url": "http://x/3", "error": "500"}],
}


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "thaidigest.toml"
    path.write_text(
        f'[digest]\nout = "{tmp_path / "public"}"\n[status]\nmax_crawl_age_hours = 24\n'
    )
    return path


def record_run(store: Store, source: str, hours_ago: float, status: str = "ok") -> None:
    finished = utc_now() - timedelta(hours=hours_ago)
    run_id = store.start_crawl_run(source, finished - timedelta(minutes=5))
    store.finish_crawl_run(run_id, finished, status, REPORT)


BANGKOK = ZoneInfo("Asia/Bangkok")  # the packaged schedule's time zone


def in_bangkok(stored: str) -> str:
    """A time stored in UTC as status shows it for the packaged schedule, as its log does."""
    return parse_iso(stored).astimezone(BANGKOK).isoformat()


def status(store: Store, config) -> tuple[int, str]:
    result = CliRunner().invoke(status_command, ["--db", store.url, "--config", str(config)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_fresh_crawls_of_both_sites_are_healthy_and_show_their_counts(store, config):
    record_run(store, "thaigov", hours_ago=2)
    record_run(store, "mdes", hours_ago=3)
    code, output = status(store, config)
    assert code == 0
    assert "thaigov: ok at " in output and "mdes: ok at " in output
    assert "new 3, updated 1, blocked 1, errors 2" in output
    assert "digest: none yet" in output


def test_status_says_its_times_in_the_schedules_zone_with_the_offset_as_the_daemons_log(
    store, config, tmp_path
):
    """A reader in Bangkok sees the clock of the daemon's log and of the crontab lines:
    `2026-12-07T07:30:00+07:00`, not the UTC the database stores, `…T00:30:00Z`."""
    record_run(store, "thaigov", hours_ago=30)
    record_run(store, "mdes", hours_ago=30)
    locks.acquire(store, locks.DAEMON_LOCK, timedelta(minutes=5))  # this process: alive
    with store.engine.connect() as conn:
        finished = conn.execute(
            select(crawl_runs.c.finished_at).where(crawl_runs.c.source == "thaigov")
        ).scalar()
        since = conn.execute(
            select(lock_rows.c.acquired_at).where(lock_rows.c.name == locks.DAEMON_LOCK)
        ).scalar()
    code, output = status(store, config)
    assert code == 1
    assert f"thaigov: ok at {in_bangkok(finished)} (30.0 h ago); " in output
    assert f"daemon: running, {socket.gethostname()}:{os.getpid()} since {in_bangkok(since)}" in (
        output
    )
    assert f"thaigov: last successful crawl {in_bangkok(finished)} is older than" in output
    assert finished not in output and since not in output  # no time in UTC as stored
    schedule = tmp_path / "utc.toml"
    schedule.write_text(
        'timezone = "UTC"\n[[job]]\nname = "c"\ntask = "crawl"\ncron = "0 * * * *"\n'
    )
    result = CliRunner().invoke(
        status_command,
        ["--db", store.url, "--config", str(config), "--schedules", str(schedule)],
    )
    in_utc = parse_iso(finished).isoformat()  # +00:00, as that daemon's log says it
    assert f"thaigov: ok at {in_utc} (30.0 h ago); " in result.output
    assert result.exit_code == 1


def test_a_site_whose_last_good_crawl_is_too_old_is_unhealthy(store, config):
    record_run(store, "thaigov", hours_ago=2)
    record_run(store, "mdes", hours_ago=30)
    code, output = status(store, config)
    assert code == 1
    assert "mdes: last successful crawl" in output and "older than 24 h" in output
    assert "thaigov: last successful" not in output


def test_a_site_never_crawled_is_unhealthy(store, config):
    record_run(store, "thaigov", hours_ago=1)
    code, output = status(store, config)
    assert code == 1
    assert "mdes: never crawled" in output
    assert "mdes: no successful crawl recorded" in output


def test_a_recent_failure_after_a_fresh_success_is_shown_but_still_healthy(store, config):
    record_run(store, "thaigov", hours_ago=5)
    record_run(store, "thaigov", hours_ago=1, status="blocked")
    record_run(store, "mdes", hours_ago=5)
    code, output = status(store, config)
    assert code == 0
    assert "thaigov: blocked at " in output


def test_only_failed_crawls_count_as_no_successful_crawl(store, config):
    record_run(store, "thaigov", hours_ago=1, status="failed")
    record_run(store, "mdes", hours_ago=1)
    code, output = status(store, config)
    assert code == 1
    assert "thaigov: no successful crawl recorded" in output


def test_the_newest_weekly_digest_is_named(store, config, tmp_path):
    crawling_since_before_the_last_week(store)
    digests = tmp_path / "public" / "digests"
    digests.mkdir(parents=True)
    for name in ("2024-W33.md", "2024-W34.md", "2024-W34.html", "notes.md"):
        (digests / name).write_text("# digest\n")
    code, output = status(store, config)
    digest_line = next(line for line in output.splitlines() if line.startswith("digest:"))
    assert digest_line.startswith(f"digest: {digests / '2024-W34.md'} written ")
    assert code == 1  # 2024-W34 is long past: the weeks since have no digest


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Asia/Bangkok", "2024-08-26T10:00:00+07:00"), ("UTC", "2024-08-26T03:00:00+00:00")],
)
def test_a_digests_written_time_is_said_in_the_schedules_zone_as_its_log_says_times(
    tmp_path, zone, shown
):
    digests = tmp_path / "digests"
    digests.mkdir()
    digest = digests / "2024-W34.md"
    digest.write_text("# digest\n")
    now = datetime(2024, 8, 26, 3, 0, tzinfo=UTC)
    os.utime(digest, (now.timestamp(), now.timestamp()))
    line = digest_line(read_digests(tmp_path), now, ZoneInfo(zone))
    assert f"written {shown} (0.0 h ago)" in line, line


def test_a_digest_written_a_second_ahead_of_the_clock_is_no_negative_zero_hours_ago(tmp_path):
    digests = tmp_path / "digests"
    digests.mkdir()
    digest = digests / "2024-W34.md"
    digest.write_text("# digest\n")
    now = utc_now()
    ahead = (now + timedelta(seconds=1)).timestamp()
    os.utime(digest, (ahead, ahead))
    assert digest_line(read_digests(tmp_path), now, UTC).endswith("(0.0 h ago)")


def test_a_crawl_robots_txt_forbade_names_the_rule(store, config):
    entry = {"status": None, "reason": "robots.txt", "rule": "Disallow: /news/"}
    forbidden = {
        "new": 0,
        "updated": 0,
        "blocked": [{**entry, "url": f"http://x/news/{i}"} for i in range(3)],
        "errors": [],
    }
    run_id = store.start_crawl_run("mdes", utc_now() - timedelta(minutes=5))
    store.finish_crawl_run(run_id, utc_now(), "blocked", forbidden)
    record_run(store, "thaigov", hours_ago=1)
    code, output = status(store, config)
    assert "mdes: blocked by robots.txt (Disallow: /news/) at " in output
    assert "blocked 3, errors 0" in output
    assert "thaigov: ok at " in output
    assert code == 1  # no successful mdes crawl


def write_digest(tmp_path, week: Week) -> None:
    digests = tmp_path / "public" / "digests"
    digests.mkdir(parents=True, exist_ok=True)
    (digests / f"{week}.md").write_text("# digest\n")


def crawled_fresh(store: Store) -> None:
    record_run(store, "thaigov", hours_ago=1)
    record_run(store, "mdes", hours_ago=1)


def crawling_since_before_the_last_week(store: Store) -> None:
    """Crawls of both sites, the first nine days ago and the last an hour ago, which found an
    article: the weeks over since the first crawl are owed their digest, and no site is
    quiet."""
    record_run(store, "thaigov", hours_ago=24 * 9)
    crawled_fresh(store)
    ingest(store, [article(1, "A release found an hour ago")], utc_now().isoformat()[:16])


def watched_long_ago(store: Store) -> None:
    """A text file imported a year ago: every week since was watched, so a mailing run
    mails even one that lists no story (``digest_command`` leaves a week nothing was
    watched in unmailed when it lists none), and no site's crawls are judged by it."""
    imported = RawArticle(
        url="file:///home/me/notes/001.txt", source="file", title="Notes", body="A line."
    )
    ingest(store, [imported], (utc_now() - timedelta(days=365)).isoformat()[:16])


def test_a_week_over_for_a_day_without_its_digest_is_unhealthy(store, config, tmp_path):
    crawling_since_before_the_last_week(store)
    last = Week.last_complete(utc_now())
    write_digest(tmp_path, last.shift(-2))  # the week after it ended over a day ago
    code, output = status(store, config)
    assert code == 1
    assert f"unhealthy: digest: no digest of {last.shift(-1)}" in output or (
        f"unhealthy: digest: no digest of {last}" in output
    )


def test_the_digest_of_the_last_complete_week_is_healthy(store, config, tmp_path):
    crawling_since_before_the_last_week(store)
    write_digest(tmp_path, Week.last_complete(utc_now()))
    code, output = status(store, config)
    assert code == 0, output
    assert "unhealthy" not in output


def test_a_preview_built_during_a_week_is_no_digest_of_it_once_the_week_is_over(
    store, config, tmp_path
):
    """A preview of a week in progress (`digest --week` of the current week), then its
    Monday run failed or did not happen: the week was never built whole nor mailed, and a
    scheduled digest builds it again (digest.select.complete_weeks). Status judged it by
    the file alone, and said the week's digest was there, exit 0."""
    crawling_since_before_the_last_week(store)
    last = Week.last_complete(utc_now())
    write_digest(tmp_path, last.shift(-2))  # built whole: written now, after its week
    for previewed in (last.shift(-1), last):  # the week due is one of them
        write_digest(tmp_path, previewed)
        during = (previewed.end() - timedelta(days=3)).timestamp()
        os.utime(tmp_path / "public" / DIGESTS / f"{previewed}.md", (during, during))
    code, output = status(store, config)
    assert code == 1, output
    due = Week.last_complete(utc_now() - DIGEST_GRACE)
    assert (
        f"unhealthy: digest: no digest of {due} in {tmp_path / 'public' / DIGESTS} 24 h after "
        f"the week ended, only a preview written before it ended (newest: {last}.md)"
    ) in output
    digest_line = next(line for line in output.splitlines() if line.startswith("digest:"))
    assert digest_line.endswith(": a preview, written before its week ended"), digest_line


def test_digests_of_weeks_before_the_first_crawl_owe_no_week_since(store, config, tmp_path):
    """The demo's folder: digests of its stories of 2024, built after its first crawl, today.
    No week over since that crawl is without its digest: none is owed."""
    crawled_fresh(store)
    write_digest(tmp_path, Week(2024, 42))
    code, output = status(store, config)
    assert code == 0, output
    assert "unhealthy" not in output


def test_a_database_fed_by_imports_alone_owes_the_weeks_since_its_first_import(
    store, config, tmp_path
):
    """No crawl ran, ever (imports only, or an export imported into a new database, whose
    articles keep when they were first found): the weeks since the first article was
    stored were watched, and the digest of each is owed."""
    watched_long_ago(store)
    last = Week.last_complete(utc_now())
    write_digest(tmp_path, last.shift(-5))
    code, output = status(store, config)
    assert code == 1
    assert f"unhealthy: digest: no digest of {last.shift(-1)}" in output or (
        f"unhealthy: digest: no digest of {last}" in output
    )


def test_no_digest_ever_is_unhealthy_once_crawls_ran_before_a_week_ended(store, config):
    record_run(store, "thaigov", hours_ago=24 * 9)  # crawling since before the last week
    crawled_fresh(store)
    code, output = status(store, config)
    assert code == 1
    assert "digest: none yet" in output
    assert "unhealthy: digest: no digest of " in output


def test_a_missing_digest_is_no_problem_without_a_digest_job(store, config, tmp_path):
    crawling_since_before_the_last_week(store)
    write_digest(tmp_path, Week.last_complete(utc_now()).shift(-5))
    crawl_only = tmp_path / "crawl.toml"
    crawl_only.write_text(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "c"\ntask = "crawl"\nevery = 3600\n'
    )
    arguments = ["--schedules", str(crawl_only), "--db", store.url, "--config", str(config)]
    result = CliRunner().invoke(status_command, arguments)
    assert result.exit_code == 0, result.output


def test_the_schedule_may_be_named_in_the_environment(store, config, tmp_path):
    """A container's health check runs status without options: THAIDIGEST_SCHEDULES gives
    it the schedule the daemon runs, here one without a digest job."""
    crawling_since_before_the_last_week(store)
    write_digest(tmp_path, Week.last_complete(utc_now()).shift(-5))
    crawl_only = tmp_path / "crawl.toml"
    crawl_only.write_text(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "c"\ntask = "crawl"\nevery = 3600\n'
    )
    arguments = ["--db", store.url, "--config", str(config)]
    assert CliRunner().invoke(status_command, arguments).exit_code == 1  # the packaged one
    result = CliRunner().invoke(
        status_command, arguments, env={"THAIDIGEST_SCHEDULES": str(crawl_only)}
    )
    assert result.exit_code == 0, result.output


def test_the_digest_job_folder_of_the_schedule_is_the_one_checked(store, config, tmp_path):
    crawling_since_before_the_last_week(store)
    elsewhere = tmp_path / "site"
    (elsewhere / "digests").mkdir(parents=True)
    (elsewhere / "digests" / f"{Week.last_complete(utc_now())}.md").write_text("# digest\n")
    schedule = tmp_path / "sched.toml"
    schedule.write_text(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "d"\ntask = "digest"\n'
        'cron = "0 7 * * 1"\nargs = { out = "site" }\n'
    )
    arguments = ["--schedules", str(schedule), "--db", store.url, "--config", str(config)]
    result = CliRunner().invoke(status_command, arguments)
    assert result.exit_code == 0, result.output


def crawl_only_schedule(tmp_path: Path) -> Path:
    schedule = tmp_path / "crawl.toml"
    schedule.write_text(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "c"\ntask = "crawl"\nevery = 3600\n'
    )
    return schedule


def test_status_refuses_a_digest_out_naming_a_file_without_a_digest_job_too(store, tmp_path):
    """status reads digest.out's digests when no job writes any, and digest by hand would
    refuse it: exit 2, the line digest says, not `digest: none yet in notes.txt/digests`.
    The daemon, which writes no digest, starts: schedule, which says whether it would,
    shows the jobs."""
    crawled_fresh(store)
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    config = tmp_path / "thaidigest.toml"
    config.write_text('[digest]\nout = "notes.txt"\n')
    arguments = ["--schedules", str(crawl_only_schedule(tmp_path)), "--db", store.url]
    result = CliRunner().invoke(status_command, [*arguments, "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: digest.out: {notes}: is a file, not a folder\n"
    result = CliRunner().invoke(schedule_command, [*arguments, "--config", str(config)])
    assert result.exit_code == 0, result.output


def unhealthy_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("unhealthy: ")]


@pytest.mark.parametrize("scheduled", [False, True], ids=["digest.out", "the-jobs-out"])
def test_a_digest_folder_a_file_stands_in_the_way_of_is_unhealthy_as_digest_fails(
    store, tmp_path, scheduled
):
    """digest would build the week, then fail, exit 1, with this reason: a health check
    says it now, not `digest: none yet in notes.txt/public/digests` and exit 0."""
    crawled_fresh(store)
    (tmp_path / "notes.txt").write_text("mine\n")
    folder = tmp_path / "notes.txt" / "public"
    config = tmp_path / "thaidigest.toml"
    schedule = tmp_path / "sched.toml"
    out = 'args = { out = "notes.txt/public" }\n' if scheduled else ""
    config.write_text("" if scheduled else '[digest]\nout = "notes.txt/public"\n')
    schedule.write_text(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "d"\ntask = "digest"\n'
        f'cron = "0 7 * * 1"\n{out}'
    )
    arguments = ["--schedules", str(schedule), "--db", store.url, "--config", str(config)]
    result = CliRunner().invoke(status_command, arguments)
    assert result.exit_code == 1, result.output
    assert unhealthy_lines(result.output) == [
        f"unhealthy: digest: cannot write the digest in {folder}: "
        f"{tmp_path / 'notes.txt'} is not a folder"
    ]
    assert not folder.parent.is_dir()


def digest_job_writing_in(out: Path, tmp_path: Path) -> list[str]:
    """The options of a status or schedule run on a schedule of one digest job writing in
    ``out`` (its own option) and settings of nothing: files written in ``tmp_path``."""
    schedule = tmp_path / "sched.toml"
    schedule.write_text(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "d"\ntask = "digest"\n'
        f'cron = "0 7 * * 1"\nargs = {{ out = "{out}" }}\n'
    )
    config = tmp_path / "thaidigest.toml"
    config.write_text("")
    return ["--schedules", str(schedule), "--config", str(config)]


@contextmanager
def folder_mode(folder: Path, mode: int) -> Iterator[None]:
    """``folder`` with the permissions ``mode`` while the block runs, 0o755 after it."""
    folder.chmod(mode)
    try:
        yield
    finally:
        folder.chmod(0o755)


@needs_file_permissions
@pytest.mark.parametrize("made", [True, False], ids=["the-folder", "its-parent"])
def test_a_digest_folder_this_user_may_not_write_is_unhealthy(store, tmp_path, made):
    """The folder, or the folder it is to be made in when missing: permission denied, as
    digest says when it fails to write it (exit 1)."""
    crawled_fresh(store)
    locked = tmp_path / "locked"
    locked.mkdir()
    out = locked if made else locked / "public"
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[digest]\nout = "{out}"\n')
    with folder_mode(locked, 0o555):
        done = thaidigest_without_file_permission_overrides(
            "status", "--db", store.url, "--config", str(config)
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert unhealthy_lines(done.stderr) == [
        f"unhealthy: digest: cannot write the digest in {out}: permission denied"
    ]


@needs_file_permissions
def test_a_digest_jobs_folder_inside_one_this_user_may_not_enter_is_unhealthy_not_a_crash(
    store, tmp_path
):
    """Whether the job's out is a file cannot be told in a folder this user may not enter:
    schedule shows the job, as it did before it checked, and status says it unhealthy as
    digest fails at it (permission denied), never a PermissionError traceback."""
    crawled_fresh(store)
    locked = tmp_path / "locked"
    locked.mkdir()
    out = locked / "public"
    arguments = [*digest_job_writing_in(out, tmp_path), "--db", store.url]
    with folder_mode(locked, 0o000):
        shown = thaidigest_without_file_permission_overrides("schedule", *arguments)
        checked = thaidigest_without_file_permission_overrides("status", *arguments)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert f"out={out}" in shown.stdout
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stderr
    assert unhealthy_lines(checked.stderr) == [
        f"unhealthy: digest: cannot write the digest in {out}: permission denied"
    ]


@needs_file_permissions
def test_a_digest_folder_this_user_may_not_read_is_not_said_to_hold_no_digest(store, tmp_path):
    """Its digests cannot be listed: status says so, not `digest: none yet in …` nor that a
    week has no digest there, which it cannot know; the one unhealthy line is digest's own
    failure (permission denied)."""
    crawling_since_before_the_last_week(store)  # a week over for a day is owed its digest
    locked = tmp_path / "locked"
    out = locked / "public"
    (out / DIGESTS).mkdir(parents=True)
    arguments = [*digest_job_writing_in(out, tmp_path), "--db", store.url]
    with folder_mode(locked, 0o000):
        checked = thaidigest_without_file_permission_overrides("status", *arguments)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    digest_lines = [line for line in checked.stdout.splitlines() if line.startswith("digest:")]
    assert digest_lines == [f"digest: cannot read {out / DIGESTS}: permission denied"]
    assert unhealthy_lines(checked.stderr) == [
        f"unhealthy: digest: cannot write the digest in {out}: permission denied"
    ]


@needs_file_permissions
def test_a_digest_folder_this_user_may_list_but_not_enter_is_no_traceback(store, tmp_path):
    """Its names can be listed (r), its files not looked at (no x): the newest digest's
    time cannot be read, and status says so as for a folder it may not read at all."""
    out = tmp_path / "public"
    (out / DIGESTS).mkdir(parents=True)
    (out / DIGESTS / "2024-W34.md").write_text("# digest\n")
    arguments = [*digest_job_writing_in(out, tmp_path), "--db", store.url]
    with folder_mode(out / DIGESTS, 0o444):
        checked = thaidigest_without_file_permission_overrides("status", *arguments)
    assert "Traceback" not in checked.stderr, checked.stderr
    digest_lines = [line for line in checked.stdout.splitlines() if line.startswith("digest:")]
    assert digest_lines == [f"digest: cannot read {out / DIGESTS}: permission denied"]


@needs_file_permissions
def test_a_digest_folder_this_user_may_write_in_but_not_list_is_unhealthy(store, tmp_path):
    """-wx: a digest could be written there, but whether a week lacks its digest cannot be
    told, so status is not healthy (exit 1), and says why."""
    crawling_since_before_the_last_week(store)  # a week over for a day is owed its digest
    out = tmp_path / "public"
    (out / DIGESTS).mkdir(parents=True)
    arguments = [*digest_job_writing_in(out, tmp_path), "--db", store.url]
    with folder_mode(out / DIGESTS, 0o300):
        checked = thaidigest_without_file_permission_overrides("status", *arguments)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert unhealthy_lines(checked.stderr) == [
        f"unhealthy: digest: cannot read {out / DIGESTS}: permission denied"
    ]


@needs_file_permissions
def test_a_folder_unlisted_is_unhealthy_beside_an_unwritable_one_its_name_begins(store, tmp_path):
    """``public`` (digests -wx) and ``public: old`` (r-x): the second cannot be written
    in, and the first's digests cannot be listed; each is said, the first not taken for
    the second, whose name begins with its own and ": "."""
    crawled_fresh(store)
    public, old = tmp_path / "public", tmp_path / "public: old"
    (public / DIGESTS).mkdir(parents=True)
    old.mkdir()
    schedule = tmp_path / "sched.toml"
    schedule.write_text(
        'timezone = "Asia/Bangkok"\n'
        + "".join(
            f'[[job]]\nname = "{name}"\ntask = "digest"\ncron = "0 7 * * 1"\n'
            f'args = {{ out = "{out}" }}\n'
            for name, out in (("new", public), ("old", old))
        )
    )
    config = tmp_path / "thaidigest.toml"
    config.write_text("")
    arguments = ["--schedules", str(schedule), "--config", str(config), "--db", store.url]
    with folder_mode(public / DIGESTS, 0o300), folder_mode(old, 0o555):
        checked = thaidigest_without_file_permission_overrides("status", *arguments)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert unhealthy_lines(checked.stderr) == [
        f"unhealthy: digest: cannot write the digest in {old}: permission denied",
        f"unhealthy: digest: cannot read {public / DIGESTS}: permission denied",
    ]


@needs_file_permissions
@pytest.mark.parametrize("inside", WRITTEN_SUBFOLDERS)
def test_a_folder_the_digest_writes_in_inside_its_out_this_user_may_not_write_is_unhealthy(
    store, tmp_path, inside
):
    """An earlier run as another user (root) made digests/ or a feeds' folder: digest fails
    writing in it, permission denied, though the output folder itself can be written."""
    crawled_fresh(store)
    out = tmp_path / "public"
    (out / inside).mkdir(parents=True)
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[digest]\nout = "{out}"\n')
    with folder_mode(out / inside, 0o555):
        done = thaidigest_without_file_permission_overrides(
            "status", "--db", store.url, "--config", str(config)
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert unhealthy_lines(done.stderr) == [
        f"unhealthy: digest: cannot write the digest in {out}: permission denied"
    ]


def test_the_folders_status_checks_inside_a_digest_folder_are_those_a_digest_writes_in():
    assert WRITTEN_SUBFOLDERS == (DIGESTS, TOPICS, PARTNERS)


BANGKOK = ZoneInfo("Asia/Bangkok")
# 2026-W48 ends on Monday 2026-11-30 00:00 in Bangkok.
W48 = Week.parse("2026-W48")


@pytest.mark.parametrize(
    ("newest", "watched_since", "now", "due"),
    [
        pytest.param(
            W48.shift(-1),
            None,
            datetime(2026, 11, 30, 10, tzinfo=BANGKOK),
            None,
            id="the-week-ended-hours-ago",
        ),
        pytest.param(
            W48.shift(-1),
            datetime(2026, 11, 20, tzinfo=BANGKOK),
            datetime(2026, 12, 1, 1, tzinfo=BANGKOK),
            W48,
            id="a-day-after-it-ended",
        ),
        pytest.param(
            Week.parse("2024-W42"),
            datetime(2026, 11, 20, tzinfo=BANGKOK),
            datetime(2026, 12, 5, tzinfo=BANGKOK),
            W48,
            id="weeks-behind",
        ),
        pytest.param(
            Week.parse("2024-W42"),
            datetime(2026, 12, 1, tzinfo=BANGKOK),
            datetime(2026, 12, 5, tzinfo=BANGKOK),
            None,
            id="digests-of-weeks-before-the-first-crawl",
        ),
        pytest.param(W48, None, datetime(2026, 12, 5, tzinfo=BANGKOK), None, id="written"),
        pytest.param(
            None,
            datetime(2026, 12, 1, tzinfo=BANGKOK),
            datetime(2026, 12, 5, tzinfo=BANGKOK),
            None,
            id="installed-after-it-ended",
        ),
        pytest.param(
            None,
            datetime(2026, 11, 20, tzinfo=BANGKOK),
            datetime(2026, 12, 5, tzinfo=BANGKOK),
            W48,
            id="running-when-it-ended",
        ),
        pytest.param(None, None, datetime(2026, 12, 5, tzinfo=BANGKOK), None, id="never-crawled"),
    ],
)
def test_a_digest_is_missing_a_day_after_its_week_ended(newest, watched_since, now, due):
    assert missing_digest(newest, watched_since, now) == due


def test_the_last_digest_shown_is_the_one_in_the_folder_the_schedules_digest_job_writes(
    store, config, tmp_path
):
    crawled_fresh(store)
    week = Week.last_complete(utc_now())
    elsewhere = tmp_path / "pubd" / "digests"
    elsewhere.mkdir(parents=True)
    (elsewhere / f"{week}.md").write_text("# digest\n")
    schedule = tmp_path / "sched.toml"
    schedule.write_text(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "d"\ntask = "digest"\n'
        'cron = "0 7 * * 1"\nargs = { out = "pubd" }\n'
    )
    arguments = ["--schedules", str(schedule), "--db", store.url, "--config", str(config)]
    result = CliRunner().invoke(status_command, arguments)
    assert result.exit_code == 0, result.output
    digest_lines = [line for line in result.output.splitlines() if line.startswith("digest:")]
    assert len(digest_lines) == 1, digest_lines  # not digest.out's folder, which has none
    assert digest_lines[0].startswith(f"digest: {elsewhere / f'{week}.md'} written ")


def test_each_folder_the_schedules_digests_write_has_its_last_digest_line(store, config, tmp_path):
    crawled_fresh(store)
    week = Week.last_complete(utc_now())
    write_digest(tmp_path, week)  # in digest.out, where the job without `out` writes
    schedule = tmp_path / "sched.toml"
    schedule.write_text(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "d"\ntask = "digest"\ncron = "0 7 * * 1"\n'
        '[[job]]\nname = "preview"\ntask = "digest"\ncron = "0 8 * * *"\n'
        'args = { out = "preview" }\n'
    )
    arguments = ["--schedules", str(schedule), "--db", store.url, "--config", str(config)]
    result = CliRunner().invoke(status_command, arguments)
    digest_lines = [line for line in result.output.splitlines() if line.startswith("digest:")]
    assert digest_lines[0].startswith(f"digest: {tmp_path / 'public' / 'digests' / f'{week}.md'}")
    assert digest_lines[1:] == [f"digest: none yet in {tmp_path / 'preview' / 'digests'}"]


def health_crawls(output: str, source: str) -> str:
    """The crawls line of ``source``'s Source health in ``thaidigest status`` output."""
    prefix = f"  {source}: crawls:"
    line = next(line for line in output.splitlines() if line.startswith(prefix))
    return line.removeprefix(f"  {source}: ")


def take_lock_and_die(store: Store, name: str) -> None:
    """Take the lock ``name`` in another process that then dies holding it."""
    code = (
        "import os, sys; from datetime import timedelta; from thaidigest import locks; "
        "from thaidigest.store import Store; "
        "locks.acquire(Store(sys.argv[1]), sys.argv[2], timedelta(hours=1)); "
        "os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, store.url, name], check=True)


def crawl_storing(store: Store, source: str, stored: dict[str, int]) -> int:
    """A crawl run started as a crawl starts it, that has stored articles of these outcomes
    (``new``, ``updated``, ...) so far, counted with them as a crawl counts them."""
    run_id = store.start_crawl_run(source, utc_now() - timedelta(seconds=2))
    with store.transaction() as conn:
        add_crawl_counts(conn, run_id, stored)
    return run_id


UNKNOWN = "; pages fetched, blocked and errors unknown: killed before it reported"


def test_a_crawl_killed_mid_run_is_not_shown_as_running(store, config):
    record_run(store, "mdes", hours_ago=1)
    take_lock_and_die(store, locks.crawl_lock("thaigov"))
    crawl_storing(store, "thaigov", {"new": 20, "updated": 1})  # as the killed crawl did
    _, output = status(store, config)
    line = next(line for line in output.splitlines() if line.startswith("thaigov: "))
    assert line.startswith("thaigov: unfinished: started at ")
    assert "the crawl process ended before the crawl did" in line
    assert "the next crawl records it failed" in line
    assert line.endswith(f"; new 20, updated 1{UNKNOWN}"), line  # what it stored, not 0
    # Source health counts it as the next crawl will record it: failed, not running.
    health = health_crawls(output, "thaigov")
    assert health == "crawls: failed 1 (the crawl process ended before the crawl did)", health


def test_a_killed_crawl_recorded_by_the_next_shows_what_it_stored_and_no_other_count(store, config):
    record_run(store, "mdes", hours_ago=1)
    crawl_storing(store, "thaigov", {"new": 20, "updated": 1, "unchanged": 4})
    settle_dead_runs(store, "thaigov")  # as the next crawl of the site does, holding its lock
    _, output = status(store, config)
    line = next(line for line in output.splitlines() if line.startswith("thaigov: "))
    assert line.startswith("thaigov: failed at "), line
    assert line.endswith(f"; new 20, updated 1{UNKNOWN}"), line


# Crawl runs as earlier thaidigests left them. One older than the counting of stored
# articles on a crawl's run began its report empty (the table's default) and, its crawl
# killed, had the next crawl record it failed with every count 0, which no crawl counted.
# A later one, still before the counts began at 0, added to the empty report only the
# outcomes its crawl met: a run that stored 3 updated articles holds {"updated": 3}, one
# that stored nothing holds no count, as one of the older thaidigest does.
EARLIER_STARTED = "{}"
EARLIER_STORED_UPDATED = '{"updated": 3}'
EARLIER_KILLED = (
    '{"answered_after_stop": [], "blocked": [], "empty_listings": 0, "errors": [], '
    '"fallback": 0, "fetched": 0, "finish_reason": "unfinished", "new": 0, '
    '"not_article": 0, "not_found": 0, "not_modified": 0, "offsite_links_ignored": 0, '
    '"rejected": 0, "requests": 0, "responses": {}, "soft_404": 0, "status": "failed", '
    '"suspicious": 0, "unchanged": 0, '
    '"unfinished": "the crawl process ended before the crawl did", "updated": 0}'
)
NOT_RECORDED = "new and updated not recorded (a crawl of an earlier thaidigest)"
NONE_RECORDED = (
    "new and updated: none recorded (a crawl of an earlier thaidigest: none stored, or not counted)"
)


def earlier_run(store: Store, source: str, status: str, report: str) -> None:
    """A crawl run of ``source`` as an earlier thaidigest stored it."""
    started = iso(utc_now() - timedelta(minutes=5))
    finished = None if status == "running" else iso(utc_now())
    with store.transaction() as conn:
        conn.execute(
            insert(crawl_runs).values(
                source=source,
                started_at=started,
                finished_at=finished,
                status=status,
                report=report,
            )
        )


def site_line(output: str, source: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(f"{source}: "))


@pytest.mark.parametrize(
    ("report", "stored"),
    [(EARLIER_STORED_UPDATED, "new 0, updated 3"), (EARLIER_STARTED, NONE_RECORDED)],
)
def test_a_killed_crawl_of_an_earlier_thaidigest_shows_what_its_run_recorded(
    store, config, report, stored
):
    earlier_run(store, "thaigov", "running", report)
    _, output = status(store, config)
    line = site_line(output, "thaigov")
    assert line.startswith("thaigov: unfinished: started at "), line
    assert line.endswith(f"; {stored}{UNKNOWN}"), line
    settle_dead_runs(store, "thaigov")  # the next crawl, of this thaidigest
    line = site_line(status(store, config)[1], "thaigov")
    assert line.startswith("thaigov: failed at "), line
    assert line.endswith(f"; {stored}{UNKNOWN}"), line


def test_a_crawl_an_earlier_thaidigest_recorded_killed_does_not_say_it_stored_nothing(
    store, config
):
    earlier_run(store, "thaigov", "failed", EARLIER_KILLED)
    line = site_line(status(store, config)[1], "thaigov")
    assert line.startswith("thaigov: failed at "), line
    assert line.endswith(f"; {NOT_RECORDED}{UNKNOWN}"), line


@pytest.mark.parametrize(
    ("report", "stored"),
    [(EARLIER_STORED_UPDATED, "new 0, updated 3 so far"), (EARLIER_STARTED, NONE_RECORDED)],
)
def test_a_running_crawl_of_an_earlier_thaidigest_shows_what_its_run_recorded(
    store, config, report, stored
):
    locks.acquire(store, locks.crawl_lock("thaigov"), timedelta(hours=1))  # this process: alive
    earlier_run(store, "thaigov", "running", report)
    line = site_line(status(store, config)[1], "thaigov")
    assert line.startswith("thaigov: running at "), line
    assert line.endswith(f"; {stored}"), line


def test_a_killed_crawl_that_stored_nothing_says_new_0(store, config):
    crawl_storing(store, "thaigov", {})
    assert site_line(status(store, config)[1], "thaigov").endswith(f"; new 0, updated 0{UNKNOWN}")
    settle_dead_runs(store, "thaigov")
    line = site_line(status(store, config)[1], "thaigov")
    assert line.startswith("thaigov: failed at "), line
    assert line.endswith(f"; new 0, updated 0{UNKNOWN}"), line


def test_a_crawl_that_still_holds_its_lock_is_shown_running(store, config):
    record_run(store, "mdes", hours_ago=1)
    locks.acquire(store, locks.crawl_lock("thaigov"), timedelta(hours=1))  # this process: alive
    crawl_storing(store, "thaigov", {"new": 2})
    _, output = status(store, config)
    line = next(line for line in output.splitlines() if line.startswith("thaigov: "))
    assert line.startswith("thaigov: running at ")
    assert line.endswith("; new 2, updated 0 so far"), line
    assert health_crawls(output, "thaigov") == "crawls: running 1"


def held_elsewhere(store: Store, name: str) -> str:
    """Make the lock ``name``, taken here, held by a process on another host since a
    minute ago; when it expires."""
    locks.acquire(store, name, timedelta(hours=1))
    with store.engine.begin() as conn:
        conn.execute(
            update(lock_rows)
            .where(lock_rows.c.name == name)
            .values(holder="elsewhere.example:1", acquired_at=iso(utc_now() - timedelta(minutes=1)))
        )
        return conn.execute(select(lock_rows.c.expires_at).where(lock_rows.c.name == name)).scalar()


def test_a_crawl_whose_lock_holder_cannot_be_checked_is_not_called_running(store, config):
    record_run(store, "mdes", hours_ago=1)
    expires_at = held_elsewhere(store, locks.crawl_lock("thaigov"))
    store.start_crawl_run("thaigov", utc_now())
    _, output = status(store, config)
    line = next(line for line in output.splitlines() if line.startswith("thaigov: "))
    assert line.startswith("thaigov: held by elsewhere.example:1 since "), line
    assert f"(cannot be checked from here; expires {in_bangkok(expires_at)} unless renewed)" in line
    assert "its run started at " in line and "running" not in line


def test_a_daemon_whose_lock_holder_cannot_be_checked_is_not_called_running(store, config):
    record_run(store, "thaigov", hours_ago=1)
    expires_at = held_elsewhere(store, locks.DAEMON_LOCK)
    line = daemon_status_line(store, config)
    assert line.startswith("daemon: held by elsewhere.example:1 since "), line
    assert line.endswith(
        f"(cannot be checked from here; expires {in_bangkok(expires_at)} unless renewed)"
    )


def test_a_crawl_skipped_for_its_lock_does_not_hide_the_crawl_that_holds_it(store, config):
    record_run(store, "mdes", hours_ago=1)
    record_run(store, "thaigov", hours_ago=5)
    locks.acquire(store, locks.crawl_lock("thaigov"), timedelta(hours=1))  # this process: alive
    store.start_crawl_run("thaigov", utc_now())  # the crawl running now
    record_run(store, "thaigov", hours_ago=0, status="locked")  # a second one, skipped
    _, output = status(store, config)
    line = next(line for line in output.splitlines() if line.startswith("thaigov: "))
    assert line.startswith("thaigov: running at ")


def test_a_site_whose_every_crawl_was_skipped_for_its_lock_says_so(store, config):
    record_run(store, "mdes", hours_ago=1)
    record_run(store, "thaigov", hours_ago=1, status="locked")
    _, output = status(store, config)
    assert "thaigov: locked at " in output


def daemon_status_line(store: Store, config) -> str:
    _, output = status(store, config)
    (line,) = [line for line in output.splitlines() if line.startswith("daemon: ")]
    return line


def test_status_says_whether_a_daemon_runs_the_databases_jobs(store, config):
    record_run(store, "thaigov", hours_ago=1)
    assert daemon_status_line(store, config) == "daemon: none running on this database"
    locks.acquire(store, locks.DAEMON_LOCK, timedelta(minutes=5))  # this process: alive
    assert daemon_status_line(store, config).startswith("daemon: running, ")


def test_status_says_a_killed_daemon_is_not_running(store, config):
    record_run(store, "thaigov", hours_ago=1)
    take_lock_and_die(store, locks.DAEMON_LOCK)
    line = daemon_status_line(store, config)
    assert line.startswith("daemon: not running: ") and "is gone" in line


def schedule_crawling(tmp_path, *sources: str):
    """A schedule file whose only jobs crawl ``sources``, one job each."""
    path = tmp_path / "crawls.toml"
    jobs = "".join(
        f'[[job]]\nname = "crawl-{source}"\ntask = "crawl"\nevery = 3600\n'
        f'args = {{ source = "{source}" }}\n'
        for source in sources
    )
    path.write_text(f'timezone = "Asia/Bangkok"\n{jobs}')
    return path


def status_with(store: Store, config, schedule) -> tuple[int, str]:
    arguments = ["--schedules", str(schedule), "--db", store.url, "--config", str(config)]
    result = CliRunner().invoke(status_command, arguments)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_a_site_no_crawl_job_crawls_is_not_scheduled_rather_than_unhealthy(store, config, tmp_path):
    record_run(store, "thaigov", hours_ago=1)
    schedule = schedule_crawling(tmp_path, "thaigov")
    code, output = status_with(store, config, schedule)
    assert code == 0, output
    assert "unhealthy" not in output
    assert "mdes: not scheduled: never crawled" in output.splitlines()
    assert f"  mdes: not judged: no crawl job of {schedule} crawls it" in output.splitlines()
    assert "thaigov: ok at " in output  # the scheduled site is shown as ever


def test_an_unscheduled_site_crawled_long_ago_shows_its_last_crawl_but_is_not_judged(
    store, config, tmp_path
):
    record_run(store, "thaigov", hours_ago=1)
    record_run(store, "mdes", hours_ago=24 * 30)  # no longer scheduled, and quiet since
    code, output = status_with(store, config, schedule_crawling(tmp_path, "thaigov"))
    assert code == 0, output
    assert "mdes: not scheduled: ok at " in output
    assert "mdes: last successful crawl" not in output


def test_a_scheduled_site_is_judged_beside_an_unscheduled_one(store, config, tmp_path):
    record_run(store, "thaigov", hours_ago=30)
    code, output = status_with(store, config, schedule_crawling(tmp_path, "thaigov"))
    assert code == 1
    unhealthy = [line for line in output.splitlines() if line.startswith("unhealthy: ")]
    assert len(unhealthy) == 1 and unhealthy[0].startswith("unhealthy: thaigov: last successful")


def test_sites_crawled_by_separate_jobs_are_all_judged(store, config, tmp_path):
    record_run(store, "thaigov", hours_ago=1)
    code, output = status_with(store, config, schedule_crawling(tmp_path, "thaigov", "mdes"))
    assert code == 1
    assert "unhealthy: mdes: no successful crawl recorded" in output
    assert "not scheduled" not in output


def test_a_schedule_without_a_crawl_job_judges_no_site(store, config, tmp_path):
    write_digest(tmp_path, Week.last_complete(utc_now()))
    schedule = tmp_path / "digest.toml"
    schedule.write_text(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "d"\ntask = "digest"\ncron = "0 7 * * 1"\n'
    )
    code, output = status_with(store, config, schedule)
    assert code == 0, output
    assert "thaigov: not scheduled: never crawled" in output
    assert "mdes: not scheduled: never crawled" in output


# --- Mail owed: a week a run could not mail to some recipients ----------------------------


@pytest.fixture
def mail_config(tmp_path):
    """Settings that mail the digest to a@ and b@example.org through ``port``, a week owed
    unhealthy ``max_owed_hours`` after it ended."""

    def written(port: int, max_owed_hours: float = 24) -> Path:
        path = tmp_path / "mail.toml"
        path.write_text(
            f'[digest]\nout = "{tmp_path / "public"}"\n[status]\nmax_crawl_age_hours = 24\n'
            f"max_mail_owed_hours = {max_owed_hours}\n"
            f'[email]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
            'sender = "digest@example.org"\nrecipients = ["a@example.org", "b@example.org"]\n'
        )
        return path

    return written


def ended_line(week: Week) -> str:
    return rf"the week ended {week.end():%Y-%m-%d} 00:00 Bangkok time \(\d+\.\d h ago\)"


def test_a_week_still_owed_a_week_and_an_hour_after_it_ended_is_unhealthy_for_its_recipients(
    store, mail_config
):
    watched_long_ago(store)
    crawled_fresh(store)
    week = Week.last_complete(utc_now())  # over less than a week ago
    inbox = Inbox()
    inbox.refuse = {"b@example.org"}
    server = LoopbackController(inbox, hostname="127.0.0.1", port=0)
    server.start()
    try:
        config = mail_config(server.port, max_owed_hours=24 * 7 + 1)
        arguments = ["--week", str(week), "--email", "--db", store.url, "--config", str(config)]
        mailing = CliRunner().invoke(digest_command, arguments)
    finally:
        server.stop()
    assert mailing.exit_code == 1, mailing.output
    older = week.shift(-2)  # over more than two weeks ago
    owe(store, older, ["a@example.org"])
    digests = config.parent / "public" / "digests"  # its send failed: its file is there
    (digests / f"{older}.md").write_text((digests / f"{week}.md").read_text())
    code, output = status(store, config)
    assert code == 1, output
    lines = [line for line in output.splitlines() if line.startswith("mail: ")]
    assert len(lines) == 2, lines
    assert re.fullmatch(
        rf"mail: {older} owed to a@example\.org \(1 of 2 recipients\); {ended_line(older)}",
        lines[0],
    ), lines[0]
    assert re.fullmatch(
        rf"mail: {week} owed to b@example\.org \(1 of 2 recipients\); {ended_line(week)}",
        lines[1],
    ), lines[1]
    assert output.index("digest: ") < output.index(lines[0])  # beside the digest it owes
    (problem,) = [line for line in output.splitlines() if line.startswith("unhealthy: mail:")]
    assert re.fullmatch(
        rf"unhealthy: mail: {older} still owed to a@example\.org \d+\.\d h after the week "
        r"ended, longer than status\.max_mail_owed_hours \(169 h\): retry with "
        rf"`thaidigest digest --config {re.escape(str(config))} --db {re.escape(store.url)} "
        r"--email`; if it fails again, check the \[email\] settings or remove the address "
        r"from email\.recipients",
        problem,
    ), problem


def test_a_week_owed_from_before_digest_weeks_is_said_to_be_written_off_as_the_next_run_does(
    store, mail_config, tmp_path
):
    crawled_fresh(store)
    last = Week.last_complete(utc_now())
    old, kept = last.shift(-2), last.shift(-1)  # digest.weeks = 2 keeps kept, not old
    owe(store, old, ["a@example.org"])
    owe(store, kept, ["a@example.org"])
    config = mail_config(free_port())
    config.write_text(config.read_text().replace("[digest]\n", "[digest]\nweeks = 2\n"))
    code, output = status(store, config)
    assert code == 1, output
    lines = [line for line in output.splitlines() if line.startswith("mail: ")]
    options = f"--config {config} --db {store.url}"
    writes_off = (
        f"older than the 2 weeks digest.weeks keeps: the next `thaidigest digest {options} "
        f"--email` writes it off; to mail it still: `thaidigest digest --week {old} {options} "
        "--email`"
    )
    assert lines[0].endswith(f"; {writes_off}"), lines
    assert "digest.weeks" not in lines[1]
    (problem,) = [line for line in output.splitlines() if f"unhealthy: mail: {old}" in line]
    assert f"(24 h): {writes_off}; if it fails again, check the [email] settings" in problem
    run = CliRunner().invoke(digest_command, shlex.split(writes_off.split("`")[1])[2:])
    assert f"WARNING: digest {old} was owed to a@example.org and cannot be mailed" in run.output
    assert f"WARNING: digest {kept} was owed" not in run.output


def test_the_retry_status_names_mails_from_the_mailing_jobs_folder_with_its_options(
    store, mail_config, tmp_path
):
    watched_long_ago(store)
    last = Week.last_complete(utc_now())
    schedule = tmp_path / "with space" / "schedule.toml"
    schedule.parent.mkdir()
    schedule.write_text(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "preview"\ntask = "digest"\n'
        'cron = "0 * * * *"\n[[job]]\nname = "digest"\ntask = "digest"\ncron = "0 7 * * 1"\n'
        'args = { out = "site", email = true }\n'
    )
    site = schedule.parent / "site"  # not digest.out: a run by hand without --out misses it
    config = mail_config(free_port())
    config.write_text(config.read_text().replace("enabled = true", "enabled = false"))
    arguments = ["--week", str(last.shift(-1)), "--email", "--out", str(site)]
    owing = CliRunner().invoke(digest_command, [*arguments, "--db", store.url, "--config", config])
    assert owing.exit_code == 1, owing.output
    code, output = status_with(store, config, schedule)
    assert code == 1, output
    (problem,) = [line for line in output.splitlines() if line.startswith("unhealthy: mail: ")]
    retry = (
        f"retry with `thaidigest digest --out '{site}' --config {config} --db {store.url} "
        f"--schedules '{schedule}' --email`"
    )
    assert retry in problem, problem
    with smtp_sink() as inbox:
        config.write_text(re.sub(r"port = \d+", f"port = {inbox.port}", config.read_text()))
        run = CliRunner().invoke(digest_command, shlex.split(retry.split("`")[1])[2:])
        assert run.exit_code == 0, run.output
        assert mailed(inbox) == [
            ("a@example.org", str(last.shift(-1))),
            ("b@example.org", str(last.shift(-1))),
            ("a@example.org", str(last)),
            ("b@example.org", str(last)),
        ]
    assert not (tmp_path / "public").exists()  # no stray site in digest.out


def test_a_week_owed_whose_digest_is_not_in_the_folder_is_to_be_built_again_with_week(
    store, mail_config, tmp_path
):
    watched_long_ago(store)
    week = Week.last_complete(utc_now()).shift(-1)
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "digest"\ntask = "digest"\n'
        'cron = "0 7 * * 1"\nargs = { out = "site", email = true }\n'
    )
    site = tmp_path / "site"
    config = mail_config(free_port())  # nothing listens: the week stays owed
    arguments = ["--week", str(week), "--email", "--out", str(site)]
    owing = CliRunner().invoke(digest_command, [*arguments, "--db", store.url, "--config", config])
    assert owing.exit_code == 1, owing.output
    (site / "digests" / f"{week}.md").unlink()  # as when its build failed
    code, output = status_with(store, config, schedule)
    assert code == 1, output
    rebuild = (
        f"its digest is not in {site / 'digests'}: build and mail it with `thaidigest digest "
        f"--week {week} --out {site} --config {config} --db {store.url} --schedules {schedule} "
        "--email`"
    )
    (line,) = [line for line in output.splitlines() if line.startswith(f"mail: {week} ")]
    assert line.endswith(f"; {rebuild}"), line
    (problem,) = [line for line in output.splitlines() if line.startswith("unhealthy: mail: ")]
    assert f"(24 h): {rebuild}; if it fails again" in problem, problem
    with smtp_sink() as inbox:
        config.write_text(re.sub(r"port = \d+", f"port = {inbox.port}", config.read_text()))
        run = CliRunner().invoke(digest_command, shlex.split(rebuild.split("`")[1])[2:])
        assert run.exit_code == 0, run.output
        assert mailed(inbox) == [("a@example.org", str(week)), ("b@example.org", str(week))]
    assert status_with(store, config, schedule)[1].count("mail: nothing owed") == 1


def test_the_retry_names_no_out_for_a_job_writing_digest_out_and_no_database_password():
    from schedules.spec import parse_schedule

    schedule = parse_schedule(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "d"\ntask = "digest"\n'
        'cron = "0 7 * * 1"\nargs = { email = true }\n',
        "schedule.toml",
    )
    config = {"email": {"enabled": False}, "digest": {"out": "public"}}
    given = [("--db", "postgresql://digest:secret@db/thaidigest")]
    assert mail_run_options(schedule, config, given) == (
        " --db 'postgresql://digest:***@db/thaidigest'"
    )


def test_a_week_a_running_digest_mails_is_being_mailed_not_unhealthy_until_its_run_is_gone(
    store, mail_config, tmp_path
):
    watched_long_ago(store)
    crawled_fresh(store)
    last = Week.last_complete(utc_now())
    write_digest(tmp_path, last)
    week = last.shift(-1)  # over for more than a week: unhealthy once owed and not mailed
    with socket.create_server(("127.0.0.1", 0)) as silent:  # takes the connection, says nothing
        config = mail_config(silent.getsockname()[1])
        command = "from digest.commands import digest_command; digest_command()"
        arguments = ["--week", str(week), "--email", "--db", store.url, "--config", str(config)]
        with subprocess.Popen(
            [sys.executable, "-c", command, *arguments],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        ) as run:
            try:
                deadline = time.monotonic() + 60
                while not weeks_owed(store, ["a@example.org"]):  # its session is opening
                    assert run.poll() is None and time.monotonic() < deadline
                    time.sleep(0.1)
                code, output = status(store, config)
                assert code == 0, output
                (line,) = [line for line in output.splitlines() if line.startswith("mail: ")]
                assert re.fullmatch(
                    rf"mail: {week} being mailed by a digest run \(\S+:{run.pid} since "
                    r"\S+\) to a@example\.org and b@example\.org \(2 of 2 recipients\); "
                    + ended_line(week),
                    line,
                ), line
            finally:
                run.kill()
    code, output = status(store, config)  # killed: its lock is left, its week owed
    assert code == 1, output
    assert f"mail: {week} owed to a@example.org and b@example.org" in output
    assert f"unhealthy: mail: {week} still owed" in output


def test_a_digest_run_mailing_removes_the_mailing_locks_of_runs_killed_while_mailing(
    store, mail_config
):
    watched_long_ago(store)
    take_lock_and_die(store, "mailing 0123456789abcdef")
    week = Week.last_complete(utc_now())
    config = mail_config(free_port())
    arguments = ["--week", str(week), "--email", "--db", store.url, "--config", str(config)]
    assert CliRunner().invoke(digest_command, arguments).exit_code == 1  # connection refused
    with store.engine.connect() as conn:
        assert conn.execute(select(lock_rows.c.name)).scalars().all() == []


def test_mail_with_nothing_owed_says_so_and_without_mail_nothing_is_said(
    store, config, mail_config, tmp_path
):
    crawled_fresh(store)
    write_digest(tmp_path, Week.last_complete(utc_now()))
    code, output = status(store, mail_config(free_port()))
    assert code == 0, output
    assert "mail: nothing owed" in output.splitlines()
    code, output = status(store, config)
    assert code == 0, output
    assert "mail:" not in output


NOW = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)  # Tuesday 13:00 in Bangkok
W48, W49 = Week(2026, 48), Week(2026, 49)  # over 205 h and 37 h before NOW
KEPT = {
    "oldest": W48,
    "kept_weeks": 2,
    "zone": BANGKOK,
}  # digest.weeks = 2 at NOW: W48 and W49 are mailed


def test_each_week_owed_is_a_line_oldest_first_with_the_moment_it_ended():
    weeks = {W48: ["Team <team@example.org>", "x@example.org"], W49: ["y@example.org"]}
    lines, problems = mail_owed_lines(weeks, 3, NOW, timedelta(hours=48), **KEPT)
    assert lines == [
        "mail: 2026-W48 owed to Team <team@example.org> and x@example.org (2 of 3 recipients); "
        "the week ended 2026-11-30 00:00 Bangkok time (205.0 h ago)",
        "mail: 2026-W49 owed to y@example.org (1 of 3 recipients); "
        "the week ended 2026-12-07 00:00 Bangkok time (37.0 h ago)",
    ]
    assert problems == [
        "mail: 2026-W48 still owed to Team <team@example.org> and x@example.org 205.0 h after "
        "the week ended, longer than status.max_mail_owed_hours (48 h): retry with "
        "`thaidigest digest --email`; if it fails again, check the [email] settings or remove "
        "the addresses from email.recipients"
    ]


@pytest.mark.parametrize(("max_owed_hours", "unhealthy"), [(37, False), (36.5, True)])
def test_a_week_is_unhealthy_once_over_for_longer_than_the_setting(max_owed_hours, unhealthy):
    weeks = {W49: ["y@example.org"]}
    _, problems = mail_owed_lines(weeks, 1, NOW, timedelta(hours=max_owed_hours), **KEPT)
    assert bool(problems) is unhealthy


def test_no_week_owed_is_nothing_owed():
    assert mail_owed_lines({}, 3, NOW, timedelta(hours=24), **KEPT) == (["mail: nothing owed"], [])


def dumped(path: Path) -> str:
    """The database at ``path`` as SQL: its tables, their columns and rows."""
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def test_a_schema_3_database_of_the_previous_thaidigest_is_read_unchanged(store, mail_config):
    crawled_fresh(store)
    week = Week.last_complete(utc_now())
    owe(store, week, ["b@example.org"])  # as the mailer records it, unchanged since schema 3
    with store.transaction() as conn:  # as a thaidigest before mailbox keys recorded it
        conn.execute(insert(undelivered).values(week=str(week), recipient="A <A@example.org>"))
    path = Path(store.engine.url.database)
    store.close()
    written = dumped(path)
    code, output = status(store, mail_config(free_port(), max_owed_hours=24 * 7 + 1))
    assert dumped(path) == written
    assert """INSERT INTO "meta" VALUES('schema_version','3');""" in written
    assert "owed_since" not in written
    assert code == 0, output
    assert re.search(
        rf"^mail: {week} owed to a@example\.org and b@example\.org \(2 of 2 recipients\); "
        rf"{ended_line(week)}; its digest is not in .*/digests: build and mail it with "
        rf"`thaidigest digest --week {week} .*--email`$",
        output,
        re.MULTILINE,
    ), output


def test_a_run_holding_its_mailing_lock_for_over_an_hour_is_stalled_and_its_weeks_judged(
    store, mail_config
):
    """A live run's mailing lock held off every verdict for as long as its process lived:
    one suspended (Ctrl-Z) or stopped in a debugger hid a week owed for days."""
    crawled_fresh(store)
    week = Week.last_complete(utc_now()).shift(-1)  # over for more than a week
    owe(store, week, ["a@example.org"])
    locks.acquire(store, "mailing stalled", timedelta(hours=3))  # this process: alive
    with store.transaction() as conn:
        conn.execute(
            update(lock_rows)
            .where(lock_rows.c.name == "mailing stalled")
            .values(acquired_at=iso(utc_now() - timedelta(hours=2)))
        )
    code, output = status(store, mail_config(free_port()))
    assert code == 1, output
    assert f"mail: {week} owed to a@example.org (1 of 2 recipients)" in output
    assert f"unhealthy: mail: {week} still owed to a@example.org" in output


def test_a_run_mailing_on_another_host_is_said_to_be_unverifiable_as_other_holders_are(
    store, mail_config
):
    crawled_fresh(store)
    week = Week.last_complete(utc_now()).shift(-1)
    owe(store, week, ["a@example.org"])
    now = utc_now()
    with store.transaction() as conn:
        conn.execute(
            insert(lock_rows).values(
                name="mailing 0123456789abcdef",
                holder="otherhost:4242 token=0123456789abcdef",
                acquired_at=iso(now - timedelta(minutes=1)),
                expires_at=iso(now + timedelta(minutes=9)),
            )
        )
    code, output = status(store, mail_config(free_port()))
    assert code == 0, output
    assert re.search(
        rf"mail: {week} being mailed by a digest run \(otherhost:4242 since \S+; cannot be "
        r"checked from here; expires \S+ unless renewed\) to a@example\.org",
        output,
    ), output


def test_a_run_starting_to_mail_while_status_reads_is_seen_with_its_weeks_or_not_at_all(
    store, mail_config
):
    """A digest run takes its mailing lock, then owes its weeks. ``status`` read the two
    apart: a run that did both between its reads left weeks owed that no run seemed to
    mail, a week over for more than a week called unhealthy while it was being mailed."""
    crawled_fresh(store)
    week = Week.last_complete(utc_now()).shift(-1)  # over for more than a week
    config = mail_config(free_port())
    run = Store(store.url)  # the digest run's own connections
    name = "mailing 0123456789abcdef"
    started: list[str] = []

    def run_starts_after_the_mailing_locks_are_read(conn, cursor, statement, parameters, *_):
        if MAILING in parameters and not started:
            started.append(statement)
            locks.acquire(run, name, timedelta(minutes=10))  # this process: alive
            owe(run, week, ["a@example.org"])

    event.listen(Engine, "after_cursor_execute", run_starts_after_the_mailing_locks_are_read)
    try:
        code, output = status(store, config)
    finally:
        event.remove(Engine, "after_cursor_execute", run_starts_after_the_mailing_locks_are_read)
    try:
        assert started, output  # the run started between the two reads
        assert code == 0, output
        assert "mail: nothing owed" in output
        code, output = status(store, config)  # the run, then its week
        assert code == 0, output
        assert f"mail: {week} being mailed by a digest run" in output
    finally:
        locks.release(run, name)
        run.close()


def test_a_run_ending_while_status_reads_is_seen_with_its_weeks_or_not_at_all(store, mail_config):
    """A digest run clears its weeks, then releases its mailing lock. ``status`` reading the
    weeks owed, then the runs mailing, apart, would see the weeks of a run ending between
    its reads and no run mailing them, a week over for more than a week unhealthy."""
    crawled_fresh(store)
    week = Week.last_complete(utc_now()).shift(-1)  # over for more than a week
    config = mail_config(free_port())
    run = Store(store.url)  # the digest run's own connections
    name = "mailing 0123456789abcdef"
    locks.acquire(run, name, timedelta(minutes=10))  # this process: alive
    owe(run, week, ["a@example.org"])
    ended: list[str] = []

    def run_ends_after_the_weeks_owed_are_read(conn, cursor, statement, *_):
        read = statement.lstrip().upper().startswith("SELECT") and "undelivered" in statement
        if read and conn.engine is not run.engine and not ended:
            ended.append(statement)
            write_off(run, week, ["a@example.org"])  # its week no longer owed
            locks.release(run, name)

    event.listen(Engine, "after_cursor_execute", run_ends_after_the_weeks_owed_are_read)
    try:
        code, output = status(store, config)
    finally:
        event.remove(Engine, "after_cursor_execute", run_ends_after_the_weeks_owed_are_read)
        run.close()
    assert ended, output  # the run ended between the reads
    assert code == 0, output
    assert f"mail: {week} being mailed by a digest run" in output  # as status began to read
    code, output = status(store, config)
    assert code == 0, output
    assert "mail: nothing owed" in output


def naive_run(store: Store, source: str, status: str, hours_ago: float) -> str:
    """A crawl run of ``source`` whose times were stored without a zone (not by iso(): an
    old or hand-edited database), in UTC as the store keeps them; its start as stored."""
    started = (utc_now() - timedelta(hours=hours_ago)).replace(tzinfo=None).isoformat()
    with store.transaction() as conn:
        conn.execute(
            insert(crawl_runs).values(
                source=source,
                started_at=started,
                finished_at=None if status == "running" else started,
                status=status,
                report=json.dumps(REPORT),
            )
        )
    return started


@pytest.mark.parametrize(
    ("status_stored", "hours_ago", "shown", "unhealthy"),
    [
        ("ok", 1, "thaigov: ok at {} (1.0 h ago); new 3, updated 1", None),
        (
            "ok",
            30,
            "thaigov: ok at {} (30.0 h ago)",
            "unhealthy: thaigov: last successful crawl {} is older than 24 h",
        ),
        (
            "running",
            1,
            "thaigov: unfinished: started at {} (1.0 h ago)",
            "unhealthy: thaigov: no successful crawl recorded",
        ),
    ],
    ids=["fresh", "stale", "unfinished"],
)
def test_a_crawl_time_stored_without_a_zone_is_shown_and_judged_as_utc(
    store, config, status_stored, hours_ago, shown, unhealthy
):
    """Not a TypeError traceback (naive minus aware), nor shown bare among the times in
    Bangkok's zone: the store keeps its times in UTC."""
    record_run(store, "mdes", hours_ago=1)
    naive = naive_run(store, "thaigov", status_stored, hours_ago)
    moment = datetime.fromisoformat(naive).replace(tzinfo=UTC)
    stored = moment.astimezone(ZoneInfo("Asia/Bangkok")).isoformat(timespec="seconds")
    assert stored.endswith("+07:00")
    result = CliRunner().invoke(status_command, ["--db", store.url, "--config", str(config)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert site_line(result.stdout, "thaigov").startswith(shown.format(stored)), result.stdout
    expected = [] if unhealthy is None else [unhealthy.format(stored)]
    # Crawled 30 h ago, a week that ended since may be owed its digest (from Tuesday 00:00
    # to 06:00 in Bangkok): the sites' lines are what is judged here.
    sites = [line for line in unhealthy_lines(result.stderr) if "unhealthy: digest:" not in line]
    assert sites == expected, result.stderr
    assert result.exit_code == (1 if unhealthy else 0), result.output
