"""The schedule file: validation, crontab weekdays, and the command each job runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from schedules.commands import run_command, schedule_command, schedule_lines, status_command
from schedules.spec import (
    Job,
    ScheduleError,
    crontab_trigger,
    job_command,
    load_schedule,
    parse_schedule,
)
from tests.conftest import USER_FILE_MISTAKES, settings_naming_a_mistaken_file
from thaidigest.cli import main
from thaidigest.store import Store

BANGKOK = ZoneInfo("Asia/Bangkok")
GOOD_JOB = '[[job]]\nname = "crawl"\ntask = "crawl"\ncron = "0 */6 * * *"\n'
HEADER = 'timezone = "Asia/Bangkok"\n'

MALFORMED = [
    pytest.param("timezone = \n", ["not valid TOML"], id="bad-toml"),
    pytest.param(GOOD_JOB, ['no timezone: add timezone = "Asia/Bangkok"'], id="no-timezone"),
    pytest.param(
        "timezone = 7\n" + GOOD_JOB,
        ["timezone must be a name like 'Asia/Bangkok', not 7"],
        id="timezone-not-a-name",
    ),
    pytest.param('timezone = "Mars/Olympus"\n' + GOOD_JOB, ["Mars/Olympus"], id="unknown-timezone"),
    pytest.param(HEADER, ["no [[job]]"], id="no-jobs"),
    pytest.param(
        HEADER + "jobs = 1\n" + GOOD_JOB, ["unknown key jobs"], id="unknown-top-level-key"
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "mail"\nevery = 5\n',
        ["'x'", "unknown task 'mail'"],
        id="unknown-task",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 5\nargs = { week = "2024-W34" }\n',
        ["'x'", "unknown option 'week' for crawl"],
        id="option-of-another-task",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 5\nargs = { start_id = -3 }\n',
        ["'x'", "start_id must be a positive integer"],
        id="bad-option-value",
    ),
    pytest.param(
        HEADER
        + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 3600\nargs = { source = "thaigvo" }\n',
        ["'x'", 'option source must be one of thaigov, mdes, all, not "thaigvo"'],
        id="unknown-source",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 3600\n'
        'args = { source = "mdes", start_id = 87360 }\n',
        ["'x'", "start_id is a thaigov id", 'source "mdes"'],
        id="start-id-with-mdes",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 3600\n'
        'args = { base_url = "ftp://mirror.example/thaigov" }\n',
        ["'x'", "base_url must be an http:// or https:// address", '"ftp://mirror.example/'],
        id="base-url-not-on-the-web",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 3600\n'
        'args = { base_url = "https://" }\n',
        ["'x'", 'base_url must be an http:// or https:// address with a host, not "https://"'],
        id="base-url-without-host",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 3600\n'
        'args = { base_url = "http://127.0.0.1:8000/?x=1" }\n',
        ["'x'", "option base_url: 'http://127.0.0.1:8000/?x=1' has a query (?x=1)"],
        id="base-url-with-a-query",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 3600\n'
        'args = { base_url = "http://host/#top" }\n',
        ["'x'", "option base_url: 'http://host/#top' has a fragment (#top)"],
        id="base-url-with-a-fragment",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "digest"\nevery = 5\nargs = { week = 34 }\n',
        ["'x'", "option week must be an ISO week like 2024-W34, not 34"],
        id="week-not-a-string",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "digest"\nevery = 5\nargs = { week = "34" }\n',
        ["'x'", "option week: '34' is not a week like 2024-W34"],
        id="bad-week",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "digest"\nevery = 5\nargs = { week = "2023-W53" }\n',
        ["'x'", "option week: 2023 has no ISO week 53"],
        id="week-the-year-does-not-have",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "digest"\nevery = 5\nargs = { week = "2567-W34" }\n',
        ["'x'", "option week: 2567-W34 has a Buddhist-era year: give 2024-W34"],
        id="week-in-a-buddhist-era-year",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\ncron = "0 */6 * *"\n',
        ["'x'", "bad cron line", "expected 5"],
        id="cron-with-four-fields",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\ncron = "0 25 * * *"\n',
        ["'x'", 'bad cron line "0 25 * * *"'],
        id="cron-hour-out-of-range",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\ncron = "0 7 * * 8"\n',
        ["'x'", "bad cron line", "day of week"],
        id="cron-weekday-out-of-range",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\ncron = "0 7 * * *"\nevery = 60\n',
        ["'x'", "either cron or every"],
        id="both-cron-and-every",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\n',
        ["'x'", "either cron or every"],
        id="neither-cron-nor-every",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 0\n',
        ["'x'", "every must be from 60 seconds to ten years", "not 0"],
        id="zero-every",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = -30\n',
        ["'x'", "every must be from 60 seconds", "not -30"],
        id="negative-every",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = "30"\n',
        ["'x'", 'every must be a number of seconds, not "30"'],
        id="every-as-text",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = true\n',
        ["'x'", "every must be a number of seconds, not true"],
        id="every-true",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 3600\nargs = { start_id = false }\n',
        ["'x'", "start_id must be a positive integer, not false"],
        id="option-false",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 0.001\n',
        ["'x'", "every must be from 60 seconds", "not 0.001"],
        id="crawls-back-to-back",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 59\n',
        ["'x'", "every must be from 60 seconds"],
        id="every-under-a-minute",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 315360001\n',
        ["'x'", "to ten years (315360000), not 315360001"],
        id="every-over-ten-years",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "digest"\ncron = "0 7 1 * 1"\n',
        ["'x'", 'bad cron line "0 7 1 * 1"', "day of month and day of week", "two jobs"],
        id="cron-day-of-month-and-day-of-week",
    ),
    pytest.param(
        HEADER + GOOD_JOB + GOOD_JOB.replace("0 */6", "30 */6"),
        ["'crawl'", "duplicate job name"],
        id="duplicate-names",
    ),
    pytest.param(HEADER + '[[job]]\ntask = "crawl"\nevery = 5\n', ["job #1", "name"], id="no-name"),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 5\nhour = 3\n',
        ["'x'", "unknown key hour; known: args, cron, every, name, task"],
        id="unknown-job-key",
    ),
    # A misspelt key is suggested its closest known one, as the settings file does.
    pytest.param(
        'timezon = "Asia/Bangkok"\n' + GOOD_JOB,
        ["unknown key timezon; did you mean timezone?"],
        id="misspelt-timezone",
    ),
    pytest.param(
        HEADER + "jobs = 1\n" + GOOD_JOB,
        ["unknown key jobs; did you mean job?"],
        id="misspelt-top-level-key",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevry = 3600\n',
        ["'x'", "unknown key evry; did you mean every?"],
        id="misspelt-job-key",
    ),
    pytest.param(
        HEADER + '[[job]]\nnmae = "x"\ntask = "crawl"\nevery = 3600\n',
        ["job #1: unknown key nmae; did you mean name?"],
        id="misspelt-name",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 3600\nargs = { start-id = 5 }\n',
        ["'x'", "unknown option 'start-id' for crawl; did you mean start_id?"],
        id="option-spelt-as-on-the-command-line",
    ),
    # Each of the next was accepted by `schedule`, then `run` stopped with a traceback.
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "digest"\ncron = "0 0 31 2 *"\n',
        ["'x'", 'cron line "0 0 31 2 *" never runs'],
        id="cron-never-runs",
    ),
    pytest.param(
        HEADER + "job = [1, 2]\n", ["job #1", "must be a [[job]] table"], id="job-a-number"
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = ["crawl"]\nevery = 3600\n',
        ["'x'", "unknown task ['crawl']"],
        id="task-a-list",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "a\\nb"\ntask = "crawl"\nevery = 3600\n',
        ["job #1", "without control characters"],
        id="name-with-a-line-break",
    ),
    pytest.param(
        HEADER + '[[job]]\nname = "x"\ntask = "digest"\nevery = 3600\nargs = { out = " " }\n',
        ["'x'", 'option out must be a folder, not " "'],
        id="out-blank",
    ),
]


@pytest.mark.parametrize(("text", "fragments"), MALFORMED)
def test_malformed_schedule_is_rejected_naming_file_job_and_problem(tmp_path, text, fragments):
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message


def test_a_schedule_file_starting_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "schedule.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + GOOD_JOB).encode())
    assert [job.name for job in load_schedule(path).jobs] == ["crawl"]
    path.write_bytes(b"\xef\xbb\xbf" + b"timezone = \n")
    with pytest.raises(
        ScheduleError, match=r"not valid TOML: Invalid value \(at line 1, column 12\)"
    ):
        load_schedule(path)


def test_a_folder_given_as_the_schedule_file_is_a_schedule_error(tmp_path):
    with pytest.raises(ScheduleError, match="a folder, not a schedule file"):
        load_schedule(tmp_path)


def test_a_schedule_file_saved_as_utf16_is_named_so(tmp_path):
    path = tmp_path / "schedule.toml"
    path.write_text(HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 3600\n', "utf-16")
    with pytest.raises(ScheduleError) as refused:
        load_schedule(path)
    assert str(refused.value) == (
        f"{path}: not UTF-8 but UTF-16 (byte-order mark): TOML is UTF-8; save it as UTF-8"
    )
    path.write_text(HEADER + '[[job]]\r\nname = "x"\r\ntask = "crawl"\r\nevery = 3600\r\n')
    assert [job.name for job in load_schedule(path).jobs] == ["x"]


def test_missing_schedule_file_is_a_schedule_error(tmp_path):
    with pytest.raises(ScheduleError, match="no such schedule file"):
        load_schedule(tmp_path / "missing.toml")


def test_packaged_default_crawls_every_six_hours_and_digests_monday_morning_in_bangkok():
    schedule = load_schedule()
    assert schedule.timezone == "Asia/Bangkok"
    jobs = {job.name: job for job in schedule.jobs}
    assert jobs["crawl"].task == "crawl" and jobs["crawl"].args == {"source": "all"}
    after_noon = datetime(2024, 8, 26, 5, 30, tzinfo=UTC)  # 12:30 in Bangkok
    crawl_next = crontab_trigger(jobs["crawl"].cron, BANGKOK).get_next_fire_time(None, after_noon)
    assert crawl_next == datetime(2024, 8, 26, 18, 0, tzinfo=BANGKOK)
    tuesday = datetime(2024, 8, 27, tzinfo=UTC)
    digest_next = crontab_trigger(jobs["digest"].cron, BANGKOK).get_next_fire_time(None, tuesday)
    assert digest_next == datetime(2024, 9, 2, 7, 0, tzinfo=BANGKOK)
    assert digest_next.strftime("%A") == "Monday"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("61 * * * *", "minute 61 is out of range 0-59"),
        ("0 24 * * *", "hour 24 is out of range 0-23"),
        ("0 7 0 * *", "day of month 0 is out of range 1-31"),
        ("0 7 32 * *", "day of month 32 is out of range 1-31"),
        ("0 7 * 13 *", "month 13 is out of range 1-12"),
        ("0 7 * * 8", "day of week 8 is out of range 0-7"),
        ("0,30,75 * * * *", "minute 75 is out of range 0-59"),
        ("0-61/5 * * * *", "minute 61 is out of range 0-59"),
        ("0 22-2 * * *", "hour range 22-2 ends before it starts"),
        ("*/0 * * * *", "minute step 0: a step must be 1 or more"),
        ("0 7 * * 5-1", "day of week range 5-1 ends before it starts"),
    ],
)
def test_a_bad_cron_value_names_its_field_and_the_fields_range(line, problem):
    text = HEADER + f'[[job]]\nname = "x"\ntask = "crawl"\ncron = "{line}"\n'
    with pytest.raises(ScheduleError) as raised:
        parse_schedule(text, "schedule.toml")
    assert str(raised.value) == f"schedule.toml: job 'x': bad cron line \"{line}\": {problem}"


@pytest.mark.parametrize(
    ("weekdays", "expected"),
    [
        ("1", {"Monday"}),
        ("0", {"Sunday"}),
        ("7", {"Sunday"}),
        ("1-5", {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}),
        ("*/2", {"Sunday", "Tuesday", "Thursday", "Saturday"}),
        ("0,6", {"Saturday", "Sunday"}),
        ("mon-wed", {"Monday", "Tuesday", "Wednesday"}),
    ],
)
def test_crontab_weekdays_count_from_sunday(weekdays, expected):
    trigger = crontab_trigger(f"0 7 * * {weekdays}", BANGKOK)
    moment = datetime(2024, 8, 25, tzinfo=BANGKOK)  # a Sunday, before 07:00
    days = set()
    for _ in range(7):
        moment = trigger.get_next_fire_time(None, moment)
        days.add(moment.strftime("%A"))
        moment = moment.replace(hour=8)
    assert days == expected


def test_crawl_job_command_passes_options_and_config_but_never_the_database():
    job = Job(
        name="crawl",
        task="crawl",
        every=60,
        args={"source": "thaigov", "base_url": "http://127.0.0.1:8080", "start_id": 87360},
    )
    argv = job_command(job, "/etc/thaidigest.toml")
    assert argv == [
        sys.executable,
        "-m",
        "thaidigest",
        "crawl",
        "--source",
        "thaigov",
        "--base-url",
        "http://127.0.0.1:8080",
        "--start-id",
        "87360",
        "--config",
        "/etc/thaidigest.toml",
    ]


def test_digest_job_command_turns_true_flags_into_switches_and_drops_false_ones():
    mailed = Job(name="d", task="digest", cron="0 7 * * 1", args={"email": True, "out": "pub"})
    assert job_command(mailed, None)[3:] == ["digest", "--email", "--out", "pub"]
    quiet = Job(name="d", task="digest", cron="0 7 * * 1", args={"email": False})
    assert job_command(quiet, None)[3:] == ["digest"]


def test_schedule_lines_show_next_run_in_the_schedules_timezone():
    schedule = parse_schedule(
        HEADER
        + '[[job]]\nname = "weekly"\ntask = "digest"\ncron = "0 7 * * 1"\n'
        + '[[job]]\nname = "often"\ntask = "crawl"\nevery = 90\nargs = { source = "mdes" }\n',
        "test.toml",
    )
    tuesday = datetime(2024, 8, 27, 3, 0, tzinfo=UTC)
    weekly, often = schedule_lines(schedule, tuesday, {}, None)
    assert weekly.split() == [
        *("weekly", "digest", "cron", "0", "7", "*", "*", "1"),
        *("2024-09-02T07:00:00+07:00", "(computed", "from", "now)"),
    ]
    assert "every 90 s" in often and "2024-08-27T10:01:30+07:00 (computed from now)" in often
    assert often.endswith("source=mdes")
    stored = {"often": datetime(2024, 8, 27, 3, 0, 40, tzinfo=UTC)}
    _, often = schedule_lines(schedule, tuesday, stored, None)
    assert "2024-08-27T10:00:40+07:00 (job store)" in often


def test_schedule_command_reports_a_bad_file_with_exit_2_and_no_traceback(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 0\n')
    result = CliRunner().invoke(schedule_command, ["--schedules", str(path)])
    assert result.exit_code == 2
    assert "every must be from 60 seconds" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [schedule_command, run_command])
def test_a_bad_schedule_file_is_one_error_line_without_usage(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "bad.toml"
    path.write_text(HEADER + '[[job]]\nname = "x"\ntask = "crawl"\ncron = "0 25 * * *"\n')
    result = CliRunner().invoke(command, ["--schedules", str(path)])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()  # no usage line, no "Try --help"
    assert line.startswith(f"Error: {path}: job 'x': bad cron line \"0 25 * * *\""), line


MAIL_MISTAKES = [
    pytest.param("[email]\nenabled = true\n", "email.recipients", id="no-recipients"),
    pytest.param(
        '[email]\nenabled = true\nrecipients = ["a@example.org"]\nusername = "bot"\n',
        "$THAIDIGEST_SMTP_PASSWORD holds no password",
        id="username-without-password",
    ),
    pytest.param(
        '[email]\nenabled = true\nrecipients = ["a@example.org"]\n'
        'port = 465\nsecurity = "tls"\nstarttls = true\n',
        'email.starttls = true contradicts email.security = "tls"',
        id="starttls-contradicting-security",
    ),
    pytest.param(
        '[email]\nenabled = true\nrecipients = ["a@example.org"]\nport = 465\nstarttls = true\n',
        "email.starttls = true contradicts email.port = 465",
        id="starttls-on-the-implicit-tls-port",
    ),
    pytest.param(
        '[email]\nenabled = true\nrecipients = ["a@example.org"]\nport = 465\nstarttls = false\n',
        "email.starttls = false contradicts email.port = 465",
        id="plain-text-on-the-implicit-tls-port",
    ),
    pytest.param(
        '[email]\nenabled = true\nrecipients = ["a@example.org"]\nsecurity = "ssl"\n',
        'email.security: must be one of starttls, tls, none, not "ssl"',
        id="unknown-security",
    ),
    pytest.param(
        '[email]\nenabled = true\nrecipients = ["a@example.org"]\n',
        "no sender: set email.sender",
        id="no-sender",
    ),
]


def mail_settings(tmp_path: Path, monkeypatch, text: str) -> Path:
    monkeypatch.delenv("THAIDIGEST_SMTP_PASSWORD", raising=False)
    config = tmp_path / "thaidigest.toml"
    config.write_text(text, encoding="utf-8")
    return config


@pytest.mark.parametrize("command", [schedule_command, status_command])
@pytest.mark.parametrize(("settings", "named"), MAIL_MISTAKES)
def test_email_enabled_without_recipients_or_password_is_a_settings_error(
    tmp_path, monkeypatch, command, settings, named
):
    config = mail_settings(tmp_path, monkeypatch, settings)
    arguments = ["--db", str(tmp_path / "db.sqlite"), "--config", str(config)]
    result = CliRunner().invoke(command, arguments)
    assert result.exit_code == 2, result.output
    (line,) = result.output.splitlines()
    assert line.startswith(f"Error: {config}: ") and named in line, line


@pytest.mark.parametrize(
    ("cron", "problem"),
    [
        ("61 * * * *", 'bad cron line "61 * * * *": minute 61 is out of range 0-59'),
        ("0 0 31 2 *", 'cron line "0 0 31 2 *" never runs: no day matches it'),
        ("0 */6 * * * *", 'bad cron line "0 */6 * * * *": wrong number of fields; got 6'),
    ],
)
@pytest.mark.parametrize("command", ["schedule", "status", "digest"])
def test_every_command_reading_a_schedule_refuses_a_cron_line_the_daemon_refuses(
    tmp_path, command, cron, problem
):
    """status (a health check) and digest read the schedule as run does: a job whose line
    the daemon would refuse is a wrong setting, exit 2, not a healthy schedule."""
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(HEADER + GOOD_JOB.replace("0 */6 * * *", cron), encoding="utf-8")
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    out = ["--out", str(tmp_path / "out")] if command == "digest" else []
    result = CliRunner().invoke(
        main, [command, "--schedules", str(schedule), "--db", str(db), *out]
    )
    assert result.exit_code == 2, result.output
    (line,) = result.output.splitlines()
    assert line.startswith(f"Error: {schedule}: job 'crawl': {problem}"), line


def test_a_digest_job_mailing_without_recipients_is_refused_when_email_is_off(
    tmp_path, monkeypatch
):
    config = mail_settings(tmp_path, monkeypatch, "[email]\nenabled = false\n")
    schedule = tmp_path / "mail.toml"
    schedule.write_text(
        HEADER + '[[job]]\nname = "d"\ntask = "digest"\ncron = "0 7 * * 1"\n'
        "args = { email = true }\n"
    )
    arguments = ["--schedules", str(schedule), "--db", str(tmp_path / "db.sqlite")]
    result = CliRunner().invoke(schedule_command, [*arguments, "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "email.recipients" in result.output


def test_run_refuses_to_start_with_email_enabled_and_no_password(tmp_path, monkeypatch):
    config = mail_settings(tmp_path, monkeypatch, MAIL_MISTAKES[1].values[0])
    arguments = ["run", "--db", str(tmp_path / "db.sqlite"), "--config", str(config)]
    # A daemon that started would run until stopped: the timeout only ends a failing test.
    finished = subprocess.run(
        [sys.executable, "-m", "thaidigest", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "THAIDIGEST_SMTP_PASSWORD"},
    )
    assert finished.returncode == 2, finished.stdout + finished.stderr
    assert "$THAIDIGEST_SMTP_PASSWORD holds no password" in finished.stderr
    assert "running" not in finished.stdout


@pytest.mark.parametrize("kind", USER_FILE_MISTAKES)
def test_run_refuses_to_start_with_a_file_every_job_would_refuse(kind, tmp_path):
    config, refusal = settings_naming_a_mistaken_file(tmp_path, kind)
    schedule = tmp_path / "schedule.toml"  # should the daemon start: a digest once a year
    schedule.write_text(HEADER + '[[job]]\nname = "d"\ntask = "digest"\ncron = "0 7 1 1 *"\n')
    db = tmp_path / "db.sqlite"
    arguments = ["run", "--schedules", str(schedule), "--db", str(db), "--config", str(config)]
    # A daemon that started would run until stopped: the timeout only ends a failing test.
    finished = subprocess.run(
        [sys.executable, "-m", "thaidigest", *arguments], capture_output=True, text=True, timeout=60
    )
    assert finished.returncode == 2, finished.stdout + finished.stderr
    assert finished.stderr == refusal + "\n"  # the line each crawl and digest would stop at
    assert finished.stdout == ""
    assert not db.exists()


@pytest.mark.parametrize("kind", USER_FILE_MISTAKES)
@pytest.mark.parametrize("command", ["status", "schedule"])
def test_status_and_schedule_refuse_a_file_the_daemon_refuses_to_start_with(
    command, kind, tmp_path
):
    """status is the container's health check: a rules, partners or model file that stops
    the daemon and every job is an unhealthy setup, exit 2 with the daemon's line."""
    config, refusal = settings_naming_a_mistaken_file(tmp_path, kind)
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    result = CliRunner().invoke(main, [command, "--db", str(db), "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert result.output == refusal + "\n"


@pytest.mark.parametrize("source", ["", 'source = "thaigov", ', 'source = "all", '])
def test_a_start_id_with_thaigov_or_every_site_is_accepted(source):
    text = HEADER + '[[job]]\nname = "x"\ntask = "crawl"\nevery = 3600\n'
    (job,) = parse_schedule(text + f"args = {{ {source}start_id = 87360 }}\n", "ok.toml").jobs
    assert job.args["start_id"] == 87360


@pytest.mark.parametrize(
    "trigger", ["every = 60", "every = 315360000", 'cron = "0 7 1 * *"', 'cron = "0 7 */2 * 1"']
)
def test_a_minute_ten_years_and_one_day_field_restricted_are_accepted(trigger):
    text = HEADER + f'[[job]]\nname = "x"\ntask = "crawl"\n{trigger}\n'
    (job,) = parse_schedule(text, "ok.toml").jobs
    assert job.name == "x"


def test_a_digest_folder_in_a_schedule_file_is_relative_to_that_file(tmp_path, monkeypatch):
    folder = tmp_path / "etc"
    folder.mkdir()
    path = folder / "schedule.toml"
    path.write_text(
        HEADER
        + '[[job]]\nname = "weekly"\ntask = "digest"\ncron = "0 7 * * 1"\n'
        + 'args = { out = "public" }\n'
        + '[[job]]\nname = "home"\ntask = "digest"\ncron = "0 8 * * 1"\n'
        + 'args = { out = "/srv/d" }\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)  # the daemon runs from another folder
    weekly, home = load_schedule(path).jobs
    assert weekly.args["out"] == str(folder / "public")
    assert home.args["out"] == "/srv/d"  # an absolute folder stays as it is
    assert job_command(weekly, None)[-2:] == ["--out", str(folder / "public")]


def test_the_deploy_guides_schedule_example_is_valid_with_either_timetable():
    # The guide's example, as written (cron) and with its commented `every` line instead.
    guide = (Path(__file__).parents[2] / "docs" / "deploy.md").read_text(encoding="utf-8")
    (example,) = [
        block for block in re.findall(r"```toml\n(.*?)```", guide, re.S) if "[[job]]" in block
    ]
    every = re.sub(r"^cron = .*\n# (every = .*)$", r"\1", example, flags=re.M)
    assert every != example
    for text in (example, every):
        (job,) = parse_schedule(text, "deploy.md").jobs
        assert job.name == "crawl"


def test_the_schedule_command_counts_one_job_as_one_job(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "one.toml"
    path.write_text(HEADER + '[[job]]\nname = "x"\ntask = "crawl"\ncron = "0 7 * * *"\n')
    result = CliRunner().invoke(schedule_command, ["--schedules", str(path), "--db", "db.sqlite"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith(": 1 job, timezone Asia/Bangkok")


@pytest.mark.parametrize(
    ("sources", "crawled"),
    [
        pytest.param(["mdes"], ("mdes",), id="one-site"),
        pytest.param(["mdes", "thaigov"], ("thaigov", "mdes"), id="in-crawl-order"),
        pytest.param(["thaigov", "all"], ("thaigov", "mdes"), id="all-and-a-site"),
        pytest.param([None], ("thaigov", "mdes"), id="no-source-is-every-site"),
        pytest.param([], (), id="no-crawl-job"),
    ],
)
def test_the_sites_a_schedule_crawls_are_those_its_crawl_jobs_name(sources, crawled):
    jobs = "".join(
        f'[[job]]\nname = "c{number}"\ntask = "crawl"\nevery = 3600\n'
        + (f'args = {{ source = "{source}" }}\n' if source else "")
        for number, source in enumerate(sources)
    )
    digest = '[[job]]\nname = "d"\ntask = "digest"\ncron = "0 7 * * 1"\n'
    schedule = parse_schedule(f'timezone = "Asia/Bangkok"\n{jobs}{digest}', "test.toml")
    assert schedule.crawled_sites() == crawled
