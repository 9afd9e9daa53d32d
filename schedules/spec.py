"""The schedule file: which thaidigest commands run when.

A schedule is TOML::

    timezone = "Asia/Bangkok"

    [[job]]
    name = "crawl"                 # unique; the job's id in the job store
    task = "crawl"                 # a thaidigest command: "crawl" or "digest"
    cron = "0 */6 * * *"           # a 5-field crontab line, or instead
    # every = 3600                 # seconds between runs: 60 to ten years
    args = { source = "all" }      # the command's options, dashes as underscores

An option is checked as the command checks it: ``source`` is ``thaigov``,
``mdes`` or ``all``, ``start_id`` goes with ``thaigov`` or ``all`` only, and
``base_url`` is an http(s) address with a host, no query and no fragment.
A folder (the digest's ``out``) is relative to the schedule file's folder, as
a path in ``thaidigest.toml`` is to that file's.

A crontab line may restrict the day of the month or the day of the week, not
both: standard cron runs on either day, APScheduler only on a day that is
both, so such a line is refused rather than read another way.

:func:`parse_schedule` validates everything up front, so a mistake is reported
when the daemon starts, naming the file and the job, not hours later when the
job first fires.
"""

from __future__ import annotations

import math
import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.select import Week
from thaidigest.config import (
    CONTROL_CHARACTERS,
    NotUTF8Error,
    closest_key,
    file_relative,
    read_toml_text,
    shown_key,
    toml_value,
)
from thaidigest.folders import os_reason
from thaidigest.sites import (
    ALL_SITES,
    CRAWL_SOURCES,
    NO_SITES,
    SOURCES,
    START_ID_SOURCES,
    crawled_sites,
)
from thaidigest.urls import base_url_problem, web_url_problem

if TYPE_CHECKING:  # APScheduler's triggers load when a crontab line is read
    from apscheduler.triggers.base import BaseTrigger
    from apscheduler.triggers.cron import CronTrigger

DEFAULT_SCHEDULE = "default.toml"
DEFAULT_SCHEDULE_NAME = f"{DEFAULT_SCHEDULE} (packaged)"

# Crontab counts weekdays from Sunday (0 and 7); APScheduler 3 counts from Monday,
# so numeric weekdays are rewritten as names, which both read the same way.
CRONTAB_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# Bounds of `every`: a site's crawls back to back would hammer a government server,
# and beyond ten years the interval is a typo (or overflows the scheduler's clock).
MIN_EVERY = 60
MAX_EVERY = 10 * 365 * 24 * 3600
# One comma-separated part of a crontab field in numbers: *, 5, 1-5, */15, 0-30/5, 5/15.
CRONTAB_PART = re.compile(r"^(?:(?P<all>\*)|(?P<first>\d+)(?:-(?P<last>\d+))?)(?:/(?P<step>\d+))?$")
# The fields of a crontab line, in order, each with the numbers it takes (crontab's:
# a day of week is 0-7, Sunday being 0 or 7).
CRONTAB_FIELDS: tuple[tuple[str, int, int], ...] = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)


def _text(value: Any) -> bool:
    """A name or a folder: not blank, no control character (a line break would split the
    table ``thaidigest schedule`` prints; a folder named " " is a typo)."""
    return isinstance(value, str) and bool(value.strip()) and not CONTROL_CHARACTERS.search(value)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _week(value: Any) -> bool:
    """An ISO week the digest command accepts: its own parser, whose :class:`WeekError`
    says what is wrong with a string, as ``digest --week`` does (2024-W53 has no such week;
    ``2567-W34 has a Buddhist-era year: give 2024-W34``)."""
    if not isinstance(value, str):
        return False
    Week.parse(value)
    return True


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _base_url(value: Any) -> bool:
    """A base URL ``thaidigest crawl --base-url`` takes (its own check: http or https, a
    host; then no query and no fragment, said as the command says it)."""
    if not isinstance(value, str) or web_url_problem(value) is not None:
        return False
    if problem := base_url_problem(value):
        raise ValueError(problem)
    return True


def _crawl_source(value: Any) -> bool:
    """A source ``thaidigest crawl --source`` takes: a site slug or ``all``."""
    return isinstance(value, str) and value in CRAWL_SOURCES


# task -> option -> (check, what the value must be). A check returns False for a value
# of the wrong kind, or raises ValueError saying what is wrong with one of the right kind.
TASKS: dict[str, dict[str, tuple[Any, str]]] = {
    "crawl": {
        "source": (_crawl_source, f"one of {', '.join(CRAWL_SOURCES)}"),
        "base_url": (_base_url, "an http:// or https:// address with a host"),
        "start_id": (_positive_int, "a positive integer"),
    },
    "digest": {
        "out": (_text, "a folder"),
        "week": (_week, "an ISO week like 2024-W34"),
        "email": (_flag, "true or false"),
    },
}
PATH_OPTIONS = frozenset({"out"})  # relative to the schedule file's folder
TOP_LEVEL_KEYS = frozenset({"timezone", "job"})
JOB_KEYS = frozenset({"name", "task", "cron", "every", "args"})


class ScheduleError(ValueError):
    """The schedule file cannot be read or holds a wrong value."""


@dataclass(frozen=True)
class Job:
    """One scheduled command: a crontab line or an interval, and the command's options."""

    name: str
    task: str
    cron: str | None = None
    every: float | None = None  # seconds
    args: Mapping[str, Any] = field(default_factory=dict)

    def describe_trigger(self) -> str:
        """``cron 0 */6 * * *`` or ``every 30 s``."""
        return f"cron {self.cron}" if self.cron else f"every {self.every:g} s"


@dataclass(frozen=True)
class Schedule:
    """The jobs of a schedule file and the time zone their crontab lines are read in."""

    source: str  # the file, for messages
    timezone: str
    jobs: tuple[Job, ...]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def crawled_sites(self) -> tuple[str, ...]:
        """The sites its crawl jobs crawl, in crawl order; none without a crawl job."""
        crawled = {
            site
            for job in self.jobs
            if job.task == "crawl"
            for site in crawled_sites(job.args.get("source", ALL_SITES))
        }
        return tuple(site for site in SOURCES if site in crawled)


def parse_schedule(text: str, source: str, folder: Path | None = None) -> Schedule:
    """Validate a schedule file's text; ``source`` names it in every :class:`ScheduleError`.

    ``folder``: the file's, which a relative folder in a job's options is taken from.
    Every command that reads a schedule (``run``, ``schedule``, ``status``, ``digest``)
    reads it here, so a line the daemon would refuse is refused by each of them.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScheduleError(f"{source}: not valid TOML: {error}") from None
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise ScheduleError(f"{source}: {_unknown_key(unknown[0], TOP_LEVEL_KEYS)}")
    if "timezone" not in data:
        raise ScheduleError(
            f'{source}: no timezone: add timezone = "Asia/Bangkok" (the zone its cron '
            "lines are read and its times shown in) at the top"
        )
    timezone = data["timezone"]
    if not isinstance(timezone, str):
        raise ScheduleError(
            f"{source}: timezone must be a name like 'Asia/Bangkok', not {toml_value(timezone)}"
        )
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"{source}: unknown timezone {timezone!r}") from None
    tables = data.get("job", [])
    if not isinstance(tables, list) or not tables:
        raise ScheduleError(f"{source}: no [[job]] tables")
    jobs: list[Job] = []
    for number, table in enumerate(tables, start=1):
        job = _parse_job(table, number, source, ZoneInfo(timezone))
        if folder is not None:
            paths = {
                key: file_relative(job.args[key], folder) for key in PATH_OPTIONS & set(job.args)
            }
            job = replace(job, args={**job.args, **paths})
        if any(seen.name == job.name for seen in jobs):
            raise ScheduleError(f"{source}: job {job.name!r}: duplicate job name")
        jobs.append(job)
    return Schedule(source=source, timezone=timezone, jobs=tuple(jobs))


def _unknown_key(key: str, known: frozenset[str]) -> str:
    """The problem with an unknown key of the file or of a [[job]] table, with the closest
    known key to suggest (``timezon``: ``did you mean timezone?``), as the settings file
    suggests its own."""
    close = closest_key(key, known)
    hint = f"did you mean {close}?" if close else f"known: {', '.join(sorted(known))}"
    return f"unknown key {shown_key(key)}; {hint}"


def _parse_job(table: dict[str, Any], number: int, source: str, zone: ZoneInfo) -> Job:
    """One [[job]] table; its crontab line is read in ``zone``."""
    if not isinstance(table, dict):
        raise ScheduleError(f"{source}: job #{number}: must be a [[job]] table")
    name = table.get("name")
    # Before the name: a misspelt one (nmae) is said to be unknown, with name to suggest.
    unknown = sorted(set(table) - JOB_KEYS)
    if unknown:
        job = repr(name) if _text(name) else f"#{number}"
        raise ScheduleError(f"{source}: job {job}: {_unknown_key(unknown[0], JOB_KEYS)}")
    if not _text(name):
        raise ScheduleError(
            f"{source}: job #{number}: name must be a non-empty string without control characters"
        )

    def fail(problem: str) -> ScheduleError:
        return ScheduleError(f"{source}: job {name!r}: {problem}")

    task = table.get("task")
    if not isinstance(task, str) or task not in TASKS:
        raise fail(f"unknown task {task!r}; one of {', '.join(TASKS)}")
    args = table.get("args", {})
    if not isinstance(args, dict):
        raise fail("args must be a table")
    for option, value in args.items():
        if option not in TASKS[task]:
            close = closest_key(option, TASKS[task])  # start-id, as the command line spells it
            hint = f"did you mean {close}?" if close else f"one of {', '.join(TASKS[task])}"
            raise fail(f"unknown option {option!r} for {task}; {hint}")
        check, expected = TASKS[task][option]
        try:
            right = check(value)
        except ValueError as error:
            raise fail(f"option {option}: {error}") from None
        if not right:
            raise fail(f"option {option} must be {expected}, not {toml_value(value)}")
    site = args.get("source", ALL_SITES)
    if "start_id" in args and site not in START_ID_SOURCES:  # as `thaidigest crawl` refuses
        raise fail(
            f"option start_id is a thaigov id: it cannot be used with source {toml_value(site)}"
        )
    cron, every = table.get("cron"), table.get("every")
    if (cron is None) == (every is None):
        raise fail("give either cron or every, not both or neither")
    if cron is not None:
        if not isinstance(cron, str):
            raise fail("cron must be a crontab line like '0 */6 * * *'")
        try:
            trigger = crontab_trigger(cron, zone)
        except ValueError as error:
            raise fail(f"bad cron line {toml_value(cron)}: {error}") from None
        if trigger.get_next_fire_time(None, datetime.now(zone)) is None:  # 31 February
            raise fail(f"cron line {toml_value(cron)} never runs: no day matches it")
    elif isinstance(every, bool) or not isinstance(every, int | float):
        raise fail(f"every must be a number of seconds, not {toml_value(every)}")
    elif not MIN_EVERY <= every <= MAX_EVERY:
        raise fail(
            f"every must be from {MIN_EVERY} seconds to ten years ({MAX_EVERY}), "
            f"not {toml_value(every)}"
        )
    return Job(name=name, task=task, cron=cron, every=every, args=dict(args))


def packaged_schedule() -> str:
    """The text of the packaged default schedule, which ``thaidigest run`` runs when given none."""
    return resources.files(__package__).joinpath(DEFAULT_SCHEDULE).read_text("utf-8")


def load_schedule(path: str | Path | None = None) -> Schedule:
    """The schedule in ``path``, or the packaged default when ``path`` is None."""
    if path is None:
        return parse_schedule(packaged_schedule(), DEFAULT_SCHEDULE_NAME)
    try:
        text = read_toml_text(path)
    except FileNotFoundError:
        raise ScheduleError(f"{path}: no such schedule file") from None
    except IsADirectoryError:
        raise ScheduleError(f"{path}: a folder, not a schedule file") from None
    except OSError as error:
        raise ScheduleError(f"{path}: cannot read: {os_reason(error)}") from None
    except NotUTF8Error as error:  # Notepad's "Unicode"
        raise ScheduleError(f"{path}: {error}") from None
    return parse_schedule(text, str(path), Path(path).parent)


def crontab_field_problem(field: str, name: str, low: int, high: int) -> str | None:
    """What is wrong with the numbers of one crontab field named ``name``, which takes
    ``low`` to ``high``: ``minute 61 is out of range 0-59``, a range that ends before it
    starts, a step of 0; None when nothing is. Names (``mon``, ``jan``) and any other
    syntax are left to APScheduler, which says what is wrong with them."""
    for part in field.split(","):
        match = CRONTAB_PART.match(part)
        if not match:
            continue
        for number in (match["first"], match["last"]):
            if number is not None and not low <= int(number) <= high:
                return f"{name} {int(number)} is out of range {low}-{high}"
        if match["last"] is not None and int(match["first"]) > int(match["last"]):
            return f"{name} range {int(match['first'])}-{int(match['last'])} ends before it starts"
        if match["step"] is not None and int(match["step"]) < 1:
            return f"{name} step {int(match['step'])}: a step must be 1 or more"
    return None


def crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field (Sunday 0 or 7) as APScheduler 3 reads it (Monday 0),
    once :func:`crontab_field_problem` found nothing wrong with it.

    ``1-5`` becomes ``mon,tue,wed,thu,fri``; names and ``*`` are the same in both.
    """
    if field == "*":
        return field
    parts: list[str] = []
    for part in field.split(","):
        match = CRONTAB_PART.match(part)
        if not match:
            parts.append(part)  # names, or a mistake APScheduler reports
            continue
        first = 0 if match["all"] else int(match["first"])
        last = 7 if match["all"] else int(match["last"] or (7 if match["step"] else first))
        step = int(match["step"] or 1)
        for day in range(first, last + 1, step):
            name = CRONTAB_WEEKDAYS[day % 7]
            if name not in parts:
                parts.append(name)
    return ",".join(parts)


def crontab_trigger(line: str, zone: ZoneInfo) -> CronTrigger:
    """The trigger of a standard 5-field crontab line; raises ValueError.

    A number out of its field's range is said with the field's name and range
    (:func:`crontab_field_problem`), not as APScheduler says it. A line restricting
    both the day of the month and the day of the week is refused: cron runs it on
    either day, APScheduler only on both.
    """
    fields = line.split()
    if len(fields) != len(CRONTAB_FIELDS):
        raise ValueError(
            f"wrong number of fields; got {len(fields)}, expected {len(CRONTAB_FIELDS)}"
        )
    for value, (name, low, high) in zip(fields, CRONTAB_FIELDS, strict=True):
        problem = crontab_field_problem(value, name, low, high)
        if problem is not None:
            raise ValueError(problem)
    if not fields[2].startswith("*") and not fields[4].startswith("*"):  # as cron decides
        raise ValueError(
            "both day of month and day of week are restricted: cron runs on either day, "
            "this scheduler only on days that are both; make it two jobs"
        )
    fields[4] = crontab_weekdays(fields[4])
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger.from_crontab(" ".join(fields), timezone=zone)


def make_trigger(job: Job, zone: ZoneInfo) -> BaseTrigger:
    """The APScheduler trigger of a validated job."""
    from apscheduler.triggers.interval import IntervalTrigger

    if job.cron:
        return crontab_trigger(job.cron, zone)
    return IntervalTrigger(seconds=job.every, timezone=zone)


def next_run(job: Job, zone: ZoneInfo, now: datetime) -> datetime | None:
    """When a freshly registered job would first run after ``now``, in ``zone``."""
    if job.every:
        return (now + timedelta(seconds=job.every)).astimezone(zone)
    return make_trigger(job, zone).get_next_fire_time(None, now)


def runs_between(
    job: Job, zone: ZoneInfo, upcoming: datetime, start: datetime, end: datetime
) -> bool:
    """Whether the job, next due at ``upcoming``, has a run time from ``start`` to ``end``
    (both included): an interval job's times step from ``upcoming``, a crontab line's are
    its own."""
    if job.every:
        steps = max(0, math.ceil((start - upcoming).total_seconds() / job.every))
        return upcoming + timedelta(seconds=steps * job.every) <= end
    due = make_trigger(job, zone).get_next_fire_time(None, max(start, upcoming))
    return due is not None and due <= end


def overdue(
    job: Job,
    zone: ZoneInfo,
    upcoming: datetime | None,
    now: datetime,
    grace: float | None,
    when: str,
) -> str:
    """What the daemon does at its start (``when`` it does it) with a stored next run
    already past ``now``: ``overdue: runs once WHEN``, or ``overdue: dropped WHEN, …`` when
    the last of the runs missed is later than ``schedule.misfire_grace_time`` (``grace``),
    as APScheduler judges the run it folds them into; empty for one not past."""
    if upcoming is None or upcoming >= now:
        return ""
    if grace is not None and not runs_between(
        job, zone, upcoming, now - timedelta(seconds=grace), now
    ):
        return f"overdue: dropped {when}, later than schedule.misfire_grace_time"
    return f"overdue: runs once {when}"


def out_setting(source: str, job: Job) -> str:
    """The setting naming the folder the digest ``job`` of the schedule file ``source``
    writes, as an error names it: its ``out`` as the file's own errors name an option
    (``schedule.toml: job 'digest': option out``), else ``digest.out``."""
    return f"{source}: job {job.name!r}: option out" if "out" in job.args else "digest.out"


def job_command(
    job: Job,
    config_file: str | None,
    judged_sites: Sequence[str] | None = None,
    source: str | None = None,
) -> list[str]:
    """The argv of a job: ``python -m thaidigest TASK --option value ... --config``.

    A digest job is given ``judged_sites`` (the sites the crawl jobs of its schedule crawl)
    as ``--judged-sites``, so that its source health judges the sites of the schedule the
    daemon loaded, without reading a schedule file that may since have changed or gone;
    and, when its ``out`` is set in the schedule file ``source``, that setting
    (:func:`out_setting`) as ``--out-setting``, so that it names the folder as the user set
    it, not as ``--out``, which the user never typed.

    The database is not on it: its URL may hold a password, which anyone may
    read in a command line (``ps``). The daemon hands it over in the
    environment (see :func:`schedules.daemon.run_job`).
    """
    argv = [sys.executable, "-m", "thaidigest", job.task]
    for option, value in job.args.items():
        flag = "--" + option.replace("_", "-")
        if isinstance(value, bool):
            if value:
                argv.append(flag)
        else:
            argv.extend([flag, str(value)])
    if job.task == "digest" and judged_sites is not None:
        argv.extend(["--judged-sites", ",".join(judged_sites) or NO_SITES])
    if job.task == "digest" and "out" in job.args and source is not None:
        argv.extend(["--out-setting", out_setting(source, job)])
    if config_file:
        argv.extend(["--config", config_file])
    return argv
