"""``thaidigest run``, ``thaidigest schedule`` and ``thaidigest status``."""

from __future__ import annotations

import logging
import os
import shlex
import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource
from sqlalchemy import select

from digest.ours import unrecorded
from digest.select import (
    DIGEST_FILE,
    DIGESTS,
    Week,
    bangkok_time,
    digest_path,
    digest_week,
    watched,
    written_once_over,
    written_weeks,
)
from scraper.report import (
    LOCKED,
    reported,
    robots_note,
    robots_rules,
    stored_counted,
    stored_never_counted,
)
from thaidigest import locks
from thaidigest.config import config_path, digest_folder, weeks_kept
from thaidigest.folders import file_named_as_folder, os_reason, why_cannot_write
from thaidigest.options import (
    SettingsError,
    config_option,
    db_option,
    load_config_or_exit,
    refuse_empty,
)
from thaidigest.output import log_time
from thaidigest.plural import counted, listed
from thaidigest.sites import SOURCES
from thaidigest.store import (
    DIED,
    RUNNING,
    ForeignDatabaseError,
    NoDatabaseError,
    Store,
    crawl_runs,
    database_url,
    display_url,
    shown_db,
    stored_moment,
    utc_now,
)

if TYPE_CHECKING:  # the scheduler loads with the commands that run it, not with `status`
    from schedules.daemon import KeptRuns
    from schedules.spec import Schedule

# Where a next run time comes from when the job store holds none for the job.
COMPUTED = "computed from now"
EXIT_UNHEALTHY = 1
EXIT_SCHEDULER_DIED = 1  # `run`: no job would run again; a supervisor restarts it on failure
# How long after a week ends its digest may be missing: the packaged schedule builds it
# on Monday at 07:00 in Bangkok, so a day covers that run and a slow or retried one.
DIGEST_GRACE = timedelta(days=1)
# Why a run's counts but its articles stored are not known (scraper.report.reported).
UNREPORTED = "killed before it reported"
# Why a run's articles stored are not known (scraper.report.stored_never_counted), and
# what is known of those of a run whose report holds none (scraper.report.stored_counted).
NOT_COUNTED = "not recorded (a crawl of an earlier thaidigest)"
NONE_RECORDED = "none recorded (a crawl of an earlier thaidigest: none stored, or not counted)"

SCHEDULES_ENV = "THAIDIGEST_SCHEDULES"


def _schedules_variable() -> None:
    """Refuse ``$THAIDIGEST_SCHEDULES`` set empty or blank: a mistake, not the packaged
    schedule (click takes a variable set to '' for an unset one)."""
    if SCHEDULES_ENV in os.environ and not os.environ[SCHEDULES_ENV].strip():
        raise SettingsError(f"{SCHEDULES_ENV} is set but empty: give a schedule file, or unset it")


schedules_option = click.option(
    "--schedules",
    "schedules_file",
    type=click.Path(dir_okay=False),
    # The daemon and the status its health check runs read one schedule when it is
    # set in the environment (a container's HEALTHCHECK names no options).
    envvar=SCHEDULES_ENV,
    default=None,
    metavar="FILE",
    callback=refuse_empty("--schedules", "a schedule file", _schedules_variable),
    help=f"Schedule TOML file [default: the packaged schedules/default.toml; env {SCHEDULES_ENV}].",
)


def load_schedule_or_exit(path: str | None) -> Schedule:
    """The schedule, read as the daemon reads it, or its error as one line (a wrong
    setting) and exit status 2."""
    from schedules.spec import ScheduleError, load_schedule

    try:
        return load_schedule(path)
    except ScheduleError as error:
        raise SettingsError(str(error)) from None


def mails_digest(config: Mapping[str, Any], schedule: Schedule) -> bool:
    """Whether the digest is mailed: ``[email] enabled``, or a digest job of the schedule
    with ``email = true``."""
    return bool(config["email"]["enabled"]) or any(
        job.task == "digest" and job.args.get("email") for job in schedule.jobs
    )


def check_mail_settings(
    config: Mapping[str, Any], schedule: Schedule, config_file: str | None
) -> None:
    """Refuse ``[email]`` settings that cannot mail a digest when the schedule mails one
    (:func:`digest.mail.refuse_unmailable`): when the daemon starts, not on Monday."""
    from digest.mail import refuse_unmailable

    if mails_digest(config, schedule):
        refuse_unmailable(config, config_file)


# The settings naming a user's file that the crawls and digests judge with.
JUDGING_FILE_SETTINGS = (("relevance", "rules"), ("partners", "file"), ("relevance", "model"))


def check_named_judging_files(config: dict[str, Any]) -> None:
    """Refuse, as ``run`` refuses to start, a rules, partners or model file the settings name
    that holds a mistake (:func:`thaidigest.pipeline.check_judging_files`). With none named,
    nothing is read: the packaged files are the tested ones, and the partner names would
    load PyThaiNLP, which ``status`` (the container's health check) otherwise never does."""
    if all(config[table][key] is None for table, key in JUDGING_FILE_SETTINGS):
        return
    from thaidigest.pipeline import check_judging_files

    check_judging_files(config)


def digest_folder_settings(
    schedule: Schedule, config: Mapping[str, Any], *, by_hand: bool = False
) -> list[tuple[str, Path]]:
    """The folders the schedule's digest jobs write, each with the setting the user set that
    names it (:func:`schedules.spec.out_setting`): a job's ``out``, else ``digest.out``.
    ``by_hand``: ``digest.out`` too when the schedule has no digest job, the folder
    ``status`` then reads, and ``digest`` by hand writes."""
    from schedules.spec import out_setting

    named = [
        (out_setting(schedule.source, job), digest_folder(job.args.get("out"), config))
        for job in schedule.jobs
        if job.task == "digest"
    ]
    if not named and by_hand:
        named = [("digest.out", digest_folder(None, config))]
    return named


def check_digest_folders(
    schedule: Schedule, config: Mapping[str, Any], *, by_hand: bool = False
) -> None:
    """Refuse, as ``run`` refuses to start, a folder the schedule's digest jobs write that is
    a file, naming the setting the user set (:func:`digest_folder_settings`):
    ``digest.out: notes.txt: is a file, not a folder``, the line ``digest`` itself stops at.
    A file thaidigest did not write in such a folder (a web server's own ``index.html`` in a
    shared volume) stops no command: the digest job refuses it, each run, and the crawls go
    on; ``status`` says it (:func:`foreign_problems`)."""
    for setting, folder in digest_folder_settings(schedule, config, by_hand=by_hand):
        if refused := file_named_as_folder(setting, folder):
            raise SettingsError(refused)


def foreign_problems(named: Sequence[tuple[str, Path]], judged: Collection[Path]) -> list[str]:
    """A problem line per digest folder of ``named`` (:func:`digest_folder_settings`) holding
    a file thaidigest did not write where a digest writes (a user's own ``index.html``,
    :mod:`digest.ours`), which its digest would refuse to replace; but for the ``judged``
    ones (:func:`unwritable_folders`: their line says what is wrong already). A folder two
    jobs write is said once, naming the first."""
    from digest.ours import foreign_problem, foreign_top_files

    problems, seen = [], set(judged)
    for setting, folder in named:
        if folder in seen:
            continue
        seen.add(folder)
        if foreign := foreign_top_files(folder):
            problems.append(foreign_problem(folder, foreign, setting))
    return problems


@click.command("run")
@schedules_option
@db_option
@config_option
def run_command(schedules_file: str | None, db: str | None, config_file: str | None) -> None:
    """Run the schedule (crawls, digests) until stopped; log to stdout.

    Exit 2 at the start when the settings, the schedule, or the rules, partners or
    model file they name hold a mistake its jobs would stop at, a digest job's folder
    (its out, else digest.out) being a file too. A file thaidigest did not write where a
    digest job writes (a web server's own index.html) does not stop it: that job refuses
    it each run, logging an error, and the crawls go on.

    Exit 75 when another daemon runs the jobs of the same database, at the start or
    after taking the lock over; exit 1 when the scheduler's thread died, for a
    supervisor to restart the daemon. A log that cannot be written stops the daemon
    as SIGTERM does, then ends it as any command whose output fails: exit 141 for a
    closed pipe, one line and exit 1 else.
    """
    from schedules.daemon import LogFormatter, SchedulerDied, run_daemon
    from thaidigest.locks import EXIT_LOCKED, LockHeld, LockLost, lock_times_in_zone
    from thaidigest.output import OutputLogHandler
    from thaidigest.pipeline import check_judging_files

    config = load_config_or_exit(config_file)
    schedule = load_schedule_or_exit(schedules_file)
    check_mail_settings(config, schedule, config_file)
    check_judging_files(config)  # a mistake every crawl and digest would stop at: now, once
    check_digest_folders(schedule, config)  # the digest jobs would: named as the user set it
    chosen = config_path(config_file)
    output = OutputLogHandler(sys.stdout)
    output.setFormatter(LogFormatter(schedule.zone))  # every time in the schedule's zone
    logging.basicConfig(handlers=[output], level=logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        run_daemon(
            schedule,
            db_url=database_url(db),
            config_file=str(chosen.resolve()) if chosen else None,
            config=config,
            output_error=lambda: output.error,
        )
    except LockLost as lost:  # another daemon took the lock over: it runs the jobs now
        click.echo(f"stopped: {lost}", err=True)
        sys.exit(EXIT_LOCKED)
    except LockHeld as held:  # another daemon runs this database's jobs
        click.echo(f"not running: {lock_times_in_zone(str(held), schedule.zone)}", err=True)
        sys.exit(EXIT_LOCKED)
    except SchedulerDied as died:  # its lock released: a restarted daemon takes over
        click.echo(f"stopped: {died}", err=True)
        sys.exit(EXIT_SCHEDULER_DIED)


def schedule_lines(
    schedule: Schedule,
    now: datetime,
    stored: Mapping[str, datetime | None],
    grace: float | None,
    unreadable: Mapping[str, str] | None = None,
) -> list[str]:
    """One line per job: name, task, trigger, the next run in the schedule's time zone as
    ``status`` and the daemon's log give their times (:func:`thaidigest.output.log_time`,
    ``2026-12-07T07:00:00+07:00``) and where it comes from, args.

    ``stored``: the next run times the daemon's job store holds (see
    :func:`schedules.daemon.kept_next_runs`); another job's is computed from ``now``.
    ``unreadable``: why a job's row in the job store cannot be read, by job name: its
    next run is computed from ``now`` too, as the daemon removes the row and adds the job
    afresh. ``grace``: ``schedule.misfire_grace_time``.
    """
    from schedules.spec import next_run, overdue

    unreadable = unreadable or {}
    rows = []
    for job in schedule.jobs:
        if job.name in stored:
            upcoming = stored[job.name]
            fate = overdue(job, schedule.zone, upcoming, now, grace, "when the daemon starts")
            source = f"job store; {fate}" if fate else "job store"
        else:
            upcoming = next_run(job, schedule.zone, now)
            source = COMPUTED
            if job.name in unreadable:
                source = f"job store unreadable: {unreadable[job.name]}; {source}"
        args = " ".join(f"{key}={value}" for key, value in job.args.items())
        when = log_time(locks.in_zone(upcoming, schedule.zone)) if upcoming else "never"
        rows.append((job.name, job.task, job.describe_trigger(), f"{when} ({source})", args))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return [
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)), row[4]]
        ).rstrip()
        for row in rows
    ]


def _stored_next_runs(db: str | None, schedule: Schedule) -> KeptRuns | None:
    """The next run times the daemon's job store in the database holds, and its rows that
    cannot be read; none without a job store; None when there is no database."""
    from schedules.daemon import kept_next_runs

    try:
        store = Store.open(db, create=False)
    except ForeignDatabaseError:  # another application's: refused, as every command does
        raise
    except NoDatabaseError:  # no command has written it yet
        return None
    try:
        return kept_next_runs(store, schedule)
    finally:
        store.close()


@click.command("schedule")
@schedules_option
@db_option
@config_option
def schedule_command(schedules_file: str | None, db: str | None, config_file: str | None) -> None:
    """List the schedule's jobs and when each next runs: as the daemon's job store in the
    database holds it, else computed from now, as for every job when there is no database
    yet (a line says so: a mistyped --db shows). Exit 2 when the daemon would not start: a
    mistake in the settings, the schedule, or the rules, partners or model file they name."""
    from schedules.daemon import KeptRuns

    config = load_config_or_exit(config_file)
    schedule = load_schedule_or_exit(schedules_file)
    check_mail_settings(config, schedule, config_file)
    check_named_judging_files(config)  # the daemon would not start
    check_digest_folders(schedule, config)
    stored = _stored_next_runs(db, schedule)
    kept = KeptRuns({}, {}) if stored is None else stored
    grace = config["schedule"]["misfire_grace_time"]
    named = {job.name for job in schedule.jobs}
    for row_id, reason in kept.unreadable.items():
        if row_id not in named:  # no job of the schedule: shown nowhere else
            click.echo(
                f"warning: job store row {row_id!r} is unreadable: {reason}; "
                "the daemon removes it when it starts",
                err=True,
            )
    jobs = counted(len(schedule.jobs), "job")
    click.echo(f"{schedule.source}: {jobs}, timezone {schedule.timezone}")
    if stored is None:
        click.echo(f"no database at {display_url(database_url(db))} yet: run times {COMPUTED}")
    for line in schedule_lines(schedule, utc_now(), kept.next_runs, grace, kept.unreadable):
        click.echo(line)


def _age(moment: datetime, now: datetime) -> str:
    """How long before ``now`` ``moment`` was, in hours. A moment a second after ``now`` (a
    digest's file time, written by a clock a second ahead) is ``0.0 h ago``, not ``-0.0``."""
    hours = (now - moment).total_seconds() / 3600
    return f"{hours:z.1f} h ago"


def describe_run(
    source: str,
    run: dict[str, Any] | None,
    now: datetime,
    *,
    process_gone: bool = False,
    scheduled: bool = True,
    lock: locks.LockState | None = None,
    zone: tzinfo,
) -> str:
    """A site's last crawl run as one line, its times in ``zone``
    (:func:`thaidigest.locks.stored_in_zone`);
    ``process_gone``: the run is still marked running, but no process holds its site's
    crawl lock (:func:`crawl_died`);
    ``scheduled``: False for a site no crawl job of the schedule crawls, which the line
    says first (``mdes: not scheduled: never crawled``); ``lock``: the site's crawl lock,
    whose holder a running run is not called running when this process cannot check it."""
    if not scheduled:
        source = f"{source}: not scheduled"
    if run is None:
        return f"{source}: never crawled"
    started = run["started_at"]
    if process_gone:
        return (
            f"{source}: unfinished: started at {locks.stored_in_zone(started, zone)} "
            f"({_age(stored_moment(started), now)}); "
            f"{DIED} (the next crawl records it failed); {run_counts(run['report'], killed=True)}"
        )
    if run["status"] == RUNNING and lock is not None and lock.kept and not lock.checkable:
        return (
            f"{source}: {unchecked_holder(lock, zone)}; its run started at "
            f"{locks.stored_in_zone(started, zone)} "
            f"({_age(stored_moment(started), now)})"
        )
    report = run["report"]
    when = run["finished_at"] or run["started_at"]
    why = robots_note(robots_rules(report.get("blocked", [])))
    return (
        f"{source}: {run['status']}{why} at {locks.stored_in_zone(when, zone)} "
        f"({_age(stored_moment(when), now)}); "
        f"{run_counts(report, running=run['status'] == RUNNING)}"
    )


def run_counts(report: dict[str, Any], *, running: bool = False, killed: bool = False) -> str:
    """What a run did, as ``status`` shows it: the articles it stored, new and updated, and
    the requests blocked and errors; for a ``running`` run, what it stored so far; for one
    whose process ended before it reported (``killed``, or so recorded:
    :func:`scraper.report.reported`), what it stored and that the rest is unknown, not 0;
    for a run of an earlier thaidigest, that what it stored was not recorded, or that none
    was (:func:`scraper.report.stored_counted`), not 0."""
    counted = stored_counted(report)
    if counted:
        stored = f"new {report.get('new', 0)}, updated {report.get('updated', 0)}"
    elif stored_never_counted(report):
        stored = f"new and updated {NOT_COUNTED}"
    else:
        stored = f"new and updated: {NONE_RECORDED}"
    if running:
        return f"{stored} so far" if counted else stored
    if killed or not reported(report):
        return f"{stored}; pages fetched, blocked and errors unknown: {UNREPORTED}"
    return (
        f"{stored}, blocked {len(report.get('blocked', []))}, "
        f"errors {len(report.get('errors', []))}"
    )


def crawl_died(run: dict[str, Any] | None, crawling: bool, checked_at: datetime) -> bool:
    """Whether ``run``, a site's last, is marked running though its crawl is gone: as
    :func:`thaidigest.health.settled` judges it from the site's lock, looked at before
    the run was read (:func:`thaidigest.health.crawl_locks`)."""
    from thaidigest.health import CrawlRun, settled

    if run is None:
        return False
    as_read = CrawlRun(run["started_at"], run["finished_at"], run["status"], run["report"])
    (judged,) = settled([as_read], crawling, checked_at)
    return judged.status != as_read.status


def unchecked_holder(state: locks.LockState, zone: tzinfo) -> str:
    """A lock held by a process this one cannot check (another host's, another
    container's), which may be gone: it keeps the lock until it expires. Times in ``zone``."""
    return (
        f"held by {state.holder} since {locks.stored_in_zone(state.since, zone)} (cannot be "
        f"checked from here; expires {locks.stored_in_zone(state.expires_at, zone)} unless renewed)"
    )


def daemon_line(state: locks.LockState | None, zone: tzinfo) -> str:
    """Whether a daemon runs this database's jobs, as one line, from its lock's ``state``,
    its times in ``zone``."""
    if state is None:
        return "daemon: none running on this database"
    if state.kept and not state.checkable:
        return f"daemon: {unchecked_holder(state, zone)}"
    since = locks.stored_in_zone(state.since, zone)
    if state.kept:
        return f"daemon: running, {state.holder} since {since}"
    return (
        f"daemon: not running: {state.holder}, running since {since}, is gone "
        "(killed, or its machine restarted)"
    )


def stale_crawls(
    last_ok: dict[str, str | None], now: datetime, max_age: timedelta, zone: tzinfo
) -> list[str]:
    """A problem line per site whose last successful crawl is missing or older than
    ``max_age``, its time in ``zone``."""
    problems = []
    for source, finished in last_ok.items():
        if finished is None:
            problems.append(f"{source}: no successful crawl recorded")
        elif now - stored_moment(finished) > max_age:
            hours = max_age / timedelta(hours=1)
            problems.append(
                f"{source}: last successful crawl {locks.stored_in_zone(finished, zone)} is "
                f"older than {hours:g} h"
            )
    return problems


def newest_digest(out_dir: Path) -> Path | None:
    """The newest weekly digest file in ``out_dir/digests``; None when there is none (the
    folder not made yet). A file named as one that thaidigest did not write, or that was
    changed since (:func:`digest.ours.unrecorded`), is none, as no build reads it. OSError
    when this user may not read the folder (or a folder on its way it may not enter): not
    known to hold none, which ``status`` says (:func:`digest_line`) and judges unhealthy
    (:func:`unwritable_folders`, :func:`unreadable_folders`), never as a traceback. Not
    ``Path.glob``, which takes a folder it may not read for an empty one."""
    try:
        names = os.listdir(out_dir / DIGESTS)
    except FileNotFoundError:
        return None
    found = [out_dir / DIGESTS / name for name in sorted(names) if DIGEST_FILE.match(name)]
    foreign = set(unrecorded(out_dir, found))
    written = [path for path in found if path not in foreign]
    return written[-1] if written else None


@dataclass(frozen=True)
class Digests:
    """What ``status`` reads of a digest folder's digests, once for all its lines
    (:func:`read_digests`): the newest and its file time, and the weeks whose digest was
    written once the week was over (:func:`digest.select.complete_weeks`, as a scheduled
    digest counts them: any other is a preview), or why they cannot be read."""

    folder: Path
    newest: Path | None = None
    modified: float | None = None  # the newest's file time, seconds since the epoch
    error: OSError | None = None
    complete: tuple[Week, ...] = ()  # oldest first
    previews: tuple[Week, ...] = ()  # the others: written before their week ended


def read_digests(folder: Path) -> Digests:
    """The newest digest in ``folder`` and its file time (:func:`newest_digest`), and the
    weeks written whole (:func:`digest.select.written_once_over`, as
    :func:`digest.select.complete_weeks` counts them), or the OSError that keeps
    them from this user: not "none yet", as it may hold some."""
    try:
        newest = newest_digest(folder)
        # A folder it may list but not enter (no x): its files' times cannot be read.
        modified = newest.stat().st_mtime if newest is not None else None
        written = written_weeks(folder)  # listed once: complete_weeks would list it again
        complete = tuple(week for week in written if written_once_over(folder, week))
        previews = tuple(week for week in written if week not in complete)
    except OSError as error:
        return Digests(folder, error=error)
    return Digests(folder, newest, modified, complete=complete, previews=previews)


def missing_digest(
    newest: Week | None, watched_since: datetime | None, now: datetime
) -> Week | None:
    """The week whose digest is missing at ``now``, or None: the newest week over for more
    than :data:`DIGEST_GRACE`, when ``newest`` (the newest week whose digest was written
    once the week was over, :func:`digest.select.complete_weeks`: a preview is none, as a
    scheduled digest counts it) is older or there is none, and watching began
    (``watched_since``: the first crawl or the first article stored,
    :meth:`thaidigest.store.Store.watched_since`) before that week ended
    (:func:`digest.select.watched`).

    The scheduled digest builds every week missed since the newest, so one missing
    means the job fails or does not run. A week over before anything was crawled or
    imported was never watched: a new install owes none, whatever digests its folder
    holds of weeks before (the demo's, of its stories of 2024 crawled today); a database
    fed by imports alone, or imported from an export, owes the weeks since its first
    article was stored.
    """
    due = Week.last_complete(now - DIGEST_GRACE)
    behind = newest is None or newest < due
    return due if behind and watched(due, watched_since) else None


def _last_ok_finished(store: Store, source: str) -> str | None:
    query = (
        select(crawl_runs.c.finished_at)
        .where(crawl_runs.c.source == source, crawl_runs.c.status == "ok")
        .order_by(crawl_runs.c.id.desc())
        .limit(1)
    )
    with store.engine.connect() as conn:
        return conn.execute(query).scalar()


def digest_folders(
    schedule: Schedule, config: Mapping[str, Any], *, weekly_only: bool = False
) -> list[Path]:
    """The folders the schedule's digest jobs write, each once, in job order
    (``weekly_only``: of the jobs without a fixed week, which build each week once over)."""
    folders = [
        digest_folder(job.args.get("out"), config)
        for job in schedule.jobs
        if job.task == "digest" and not (weekly_only and "week" in job.args)
    ]
    return list(dict.fromkeys(folders))


def digest_line(digests: Digests, now: datetime, zone: tzinfo) -> str:
    """A digest folder's newest digest and when it was written, in ``zone``, that it has
    none, or that its digests cannot be read (unhealthy: :func:`unwritable_folders`, else
    :func:`unreadable_folders`)."""
    folder = digests.folder / DIGESTS
    if digests.error is not None:
        return f"digest: cannot read {folder}: {os_reason(digests.error)}"
    if digests.newest is None or digests.modified is None:
        return f"digest: none yet in {folder}"
    written = datetime.fromtimestamp(digests.modified, zone)
    line = f"digest: {digests.newest} written {log_time(written)} ({_age(written, now)})"
    if _week_of(digests.newest) in digests.previews:
        return f"{line}: a preview, written before its week ended"
    return line


def _week_of(digest: Path | None) -> Week | None:
    return digest_week(digest) if digest else None


def mail_owed_lines(
    weeks: Mapping[Week, Sequence[str]],
    recipients: int,
    now: datetime,
    max_owed: timedelta,
    *,
    oldest: Week,
    kept_weeks: int,
    options: str = "",
    mailing: locks.LockState | None = None,
    folder: Path | None = None,
    zone: tzinfo,
) -> tuple[list[str], list[str]]:
    """What ``status`` says of the ``weeks`` owed to some of the ``recipients`` (how many
    ``email.recipients`` lists; :func:`digest.mail.weeks_owed`): a line per week, oldest
    first, with the moment it ended, or ``mail: nothing owed``; and a problem line per week
    still owed ``max_owed`` after it ended. A week is owed from its end (Monday 00:00 in
    Bangkok), when a run may first mail it: the database records no later moment. A week
    before ``oldest`` (:func:`digest.mail.oldest_mailed`, of the ``kept_weeks`` weeks
    ``digest.weeks`` keeps) is written off by the next run, unless ``--week`` builds it:
    its line says so. A week whose digest is not in ``folder`` (where the runs that mail
    write: :func:`mailing_folder`), as after a build that failed, is mailed by a run that
    builds it again, ``--week``: its line says so, as a run that only mails the files there
    cannot (not while a run mails, which may not have written it yet). The commands named
    to run take ``options`` (:func:`mail_run_options`).
    While a digest run is ``mailing`` (:func:`digest.mail.runs_mailing`: the earliest),
    every week is said to be being mailed by it, and none is judged: the run takes its lock
    before it owes its weeks, builds them, then mails or writes off each."""
    lines, problems = [], []
    limit = max_owed / timedelta(hours=1)
    owed_to = "owed to"
    if mailing is not None:
        unchecked = (
            ""
            if mailing.checkable
            else "; cannot be checked from here; expires "
            f"{locks.stored_in_zone(mailing.expires_at, zone)} unless renewed"
        )
        owed_to = (
            f"being mailed by a digest run ({mailing.holder} since "
            f"{locks.stored_in_zone(mailing.since, zone)}{unchecked}) to"
        )
    for week, names in weeks.items():
        ended = week.end()
        line = (
            f"mail: {week} {owed_to} {listed(names)} ({len(names)} of "
            f"{counted(recipients, 'recipient')}); the week ended "
            f"{bangkok_time(ended)} ({_age(ended, now)})"
        )
        retry = f"retry with `thaidigest digest{options} --email`"
        # A run mailing may not have written it yet: it owes a week before it builds it.
        if mailing is None and folder is not None and not digest_path(folder, week).is_file():
            retry = (
                f"its digest is not in {folder / DIGESTS}: build and mail it with "
                f"`thaidigest digest --week {week}{options} --email`"
            )
            if week >= oldest:
                line += f"; {retry}"
        if week < oldest:  # that run too writes it off
            retry = (
                f"older than the {counted(kept_weeks, 'week')} digest.weeks keeps: the next "
                f"`thaidigest digest{options} --email` writes it off; to mail it still: "
                f"`thaidigest digest --week {week}{options} --email`"
            )
            line += f"; {retry}"
        lines.append(line)
        if mailing is None and now - ended > max_owed:
            over = (now - ended) / timedelta(hours=1)
            addresses = "the address" if len(names) == 1 else "the addresses"
            problems.append(
                f"mail: {week} still owed to {listed(names)} {over:.1f} h after the week "
                f"ended, longer than status.max_mail_owed_hours ({limit:g} h): {retry}; if it "
                f"fails again, check the [email] settings or remove {addresses} from "
                "email.recipients"
            )
    return lines or ["mail: nothing owed"], problems


def _mailing_out(schedule: Schedule, config: Mapping[str, Any]) -> str | None:
    """The ``out`` of the schedule's first weekly digest job that mails (``email = true``,
    or any with ``[email] enabled``), when it sets one."""
    enabled = bool(config["email"]["enabled"])
    mailing = [
        job
        for job in schedule.jobs
        if job.task == "digest" and "week" not in job.args and (enabled or job.args.get("email"))
    ]
    return mailing[0].args.get("out") if mailing else None


def mailing_folder(schedule: Schedule, config: Mapping[str, Any]) -> Path:
    """The folder whose digests the schedule's runs mail: their ``out``, else
    ``digest.out``, where a run by hand writes."""
    return digest_folder(_mailing_out(schedule, config), config)


def mail_run_options(
    schedule: Schedule, config: Mapping[str, Any], given: Sequence[tuple[str, str]]
) -> str:
    """The options of a ``thaidigest digest`` run by hand that mails as the schedule does,
    each after a space and quoted for a shell: the ``--out`` of its first weekly digest job
    that mails (``email = true``, or any with ``[email] enabled``) when the job sets
    ``out``, whose folder holds the weeks owed, then the ``given`` options of ``status``
    (its ``--config``, ``--db``, ``--schedules`` given on the command line), a database
    URL's password masked."""
    options = []
    out = _mailing_out(schedule, config)
    if out:
        options.append(("--out", str(digest_folder(out, config))))
    options.extend((name, shown_db(value) if name == "--db" else value) for name, value in given)
    return "".join(f" {name} {shlex.quote(value)}" for name, value in options)


def missing_digests(
    read: Sequence[Digests], watched_since: datetime | None, now: datetime
) -> list[str]:
    """A problem line per digest folder ``read`` missing the digest of a week over for a
    day; none for one whose digests cannot be read: what it holds is unknown
    (:func:`unwritable_folders` or :func:`unreadable_folders` says why)."""
    problems = []
    for digests in read:
        if digests.error is not None:
            continue
        newest = digests.newest
        # Written whole, as a scheduled digest counts them: a preview is none.
        whole = digests.complete[-1] if digests.complete else None
        week = missing_digest(whole, watched_since, now)
        if week is not None:
            hours = DIGEST_GRACE / timedelta(hours=1)
            preview = ", only a preview written before it ended" if week in digests.previews else ""
            problems.append(
                f"digest: no digest of {week} in {digests.folder / DIGESTS} {hours:g} h after "
                f"the week ended{preview} (newest: {newest.name if newest else 'none'})"
            )
    return problems


# The folders a digest writes files in inside its output folder, when they exist: the
# digests (digest.select.DIGESTS), the topic feeds (digest.feeds.TOPICS) and the partner
# feeds (digest.publish.PARTNERS). One another user made (an earlier run as root) fails
# the digest as the output folder would.
WRITTEN_SUBFOLDERS = (DIGESTS, "topics", "partners")


def unwritable_folders(folders: Sequence[Path]) -> dict[Path, str]:
    """The digest folders no digest could be written in, each with why: it cannot be made
    when missing, or written (:func:`thaidigest.folders.why_cannot_write`), or one of the
    folders a digest writes in inside it (:data:`WRITTEN_SUBFOLDERS`) cannot.
    ``status`` says it as ``digest`` fails with it (:func:`unwritable_line`)."""
    unwritable = {}
    for folder in folders:
        why = why_cannot_write(folder)
        for inside in WRITTEN_SUBFOLDERS:
            if why is not None:
                break
            try:
                there = (folder / inside).exists()  # a file there fails the digest too
            except OSError:  # cannot be told: the folder's own check said nothing
                there = False
            why = why_cannot_write(folder / inside) if there else None
        if why is not None:
            unwritable[folder] = why
    return unwritable


def unwritable_line(folder: Path, why: str) -> str:
    """A digest folder no digest could be written in (:func:`unwritable_folders`) as a
    problem line: ``digest: cannot write the digest in public: read-only file system``."""
    return f"digest: cannot write the digest in {folder}: {why}"


def unreadable_folders(read: Sequence[Digests], judged: Collection[Path]) -> list[str]:
    """A problem line per digest folder ``read`` whose digests cannot be read
    (:func:`digest_line` says ``cannot read``), but for the ``judged`` ones
    (:func:`unwritable_folders`: their line says what is wrong already): one a digest may
    write in but this user not list (``-wx``), whose weeks without a digest cannot be told,
    is not healthy either."""
    return [
        f"digest: cannot read {digests.folder / DIGESTS}: {os_reason(digests.error)}"
        for digests in read
        if digests.error is not None and digests.folder not in judged
    ]


def _given_on_command_line() -> list[tuple[str, str]]:
    """The ``--config``, ``--db`` and ``--schedules`` of the running command given on its
    command line (not by the environment, which a run by hand shares), with their values."""
    context = click.get_current_context()
    options = {"--config": "config_file", "--db": "db", "--schedules": "schedules_file"}
    return [
        (option, str(context.params[name]))
        for option, name in options.items()
        if context.get_parameter_source(name) is ParameterSource.COMMANDLINE
    ]


@click.command("status")
@schedules_option
@db_option
@config_option
def status_command(schedules_file: str | None, db: str | None, config_file: str | None) -> None:
    """Show the last crawl of each site, its health over 7 days, the last digest and, when
    the digest is mailed, the weeks owed to recipients; exit 1 when a crawl is overdue, a
    site has found nothing new for too long while crawling ok, a digest folder shown cannot
    be made or written, or holds a file thaidigest did not write where the digest writes
    (a user's own index.html, which the digest refuses to replace), a week over for a day
    has no digest while the schedule has a digest job, or a week has been owed for too long.
    Only the sites the schedule's crawl jobs crawl are judged; the others are shown as not
    scheduled. Exit 2 when the settings, the schedule, or the rules, partners or model file
    they name hold a mistake, read as the daemon reads them (a crontab line it would refuse),
    or a digest folder shown is a file (digest.out, or a digest job's out)."""
    from thaidigest.health import (
        PERIOD,
        crawl_locks,
        health_lines,
        load_health,
        not_judged,
        until_now,
    )

    config = load_config_or_exit(config_file)
    schedule = load_schedule_or_exit(schedules_file)  # a line the daemon refuses: exit 2
    check_mail_settings(config, schedule, config_file)
    check_named_judging_files(config)  # a file the daemon and every job would stop at: exit 2
    check_digest_folders(schedule, config, by_hand=True)  # a file where its digests go: exit 2
    now = utc_now()
    zone = schedule.zone  # its times as the daemon's log and the crontab lines give theirs
    max_quiet_days = float(config["status"]["max_quiet_days"])
    scheduled = schedule.crawled_sites()  # the sites judged: another is crawled by hand, if at all
    store = Store.open(db, create=False)
    try:
        looks = crawl_locks(store, SOURCES)  # before the runs are read
        for source in SOURCES:
            # A crawl skipped as another held the lock is no crawl: the one holding it is.
            runs = store.last_crawl_runs(source, without=LOCKED) or store.last_crawl_runs(source)
            last = runs[0] if runs else None
            gone = crawl_died(last, *looks[source])
            lock = locks.lock_state(store, locks.crawl_lock(source))
            click.echo(
                describe_run(
                    source,
                    last,
                    now,
                    process_gone=gone,
                    scheduled=source in scheduled,
                    lock=lock,
                    zone=zone,
                )
            )
        click.echo(daemon_line(locks.lock_state(store, locks.DAEMON_LOCK), zone))
        last_ok = {source: _last_ok_finished(store, source) for source in scheduled}
        health = load_health(store, scheduled, until_now(now), max_quiet_days)
        watched_since = store.watched_since()
        owing, mailing = None, []
        if mails_digest(config, schedule):
            from digest.mail import mail_state, oldest_mailed

            mail = mail_state(store, config["email"]["recipients"], now)
            owing, mailing = mail.owed, mail.runs
    finally:
        store.close()
    click.echo(f"source health, the {PERIOD.days} days to now:")
    judged = {site.source: site for site in health}
    for source in SOURCES:
        if source not in judged:
            click.echo(f"  {source}: {not_judged(schedule.source)}")
            continue
        for line in health_lines(judged[source]):
            click.echo(f"  {source}: {line}")
    # Where the schedule's digest jobs write; digest.out for digests built by hand.
    shown = digest_folders(schedule, config) or [digest_folder(None, config)]
    read = {folder: read_digests(folder) for folder in shown}  # once: its lines agree
    for digests in read.values():
        click.echo(digest_line(digests, now, zone))
    mail_problems: list[str] = []
    if owing is not None:
        max_owed = timedelta(hours=float(config["status"]["max_mail_owed_hours"]))
        recipients = len(config["email"]["recipients"])
        mail_lines, mail_problems = mail_owed_lines(
            owing,
            recipients,
            now,
            max_owed,
            oldest=oldest_mailed(now, config),
            kept_weeks=weeks_kept(config),
            options=mail_run_options(schedule, config, _given_on_command_line()),
            mailing=mailing[0] if mailing else None,
            folder=mailing_folder(schedule, config),
            zone=zone,
        )
        for line in mail_lines:
            click.echo(line)
    max_age = timedelta(hours=float(config["status"]["max_crawl_age_hours"]))
    problems = stale_crawls(last_ok, now, max_age, zone)
    problems.extend(site.warning for site in health if site.warning)
    unwritable = unwritable_folders(shown)
    problems.extend(unwritable_line(folder, why) for folder, why in unwritable.items())
    problems.extend(unreadable_folders(list(read.values()), unwritable))
    named = digest_folder_settings(schedule, config, by_hand=True)  # the folders shown
    problems.extend(foreign_problems(named, unwritable))
    weekly = digest_folders(schedule, config, weekly_only=True)  # some of those shown
    problems.extend(missing_digests([read[folder] for folder in weekly], watched_since, now))
    problems.extend(mail_problems)
    for problem in problems:
        click.echo(f"unhealthy: {problem}", err=True)
    if problems:
        sys.exit(EXIT_UNHEALTHY)
