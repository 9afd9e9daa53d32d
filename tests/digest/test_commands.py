import asyncio
import errno
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner

import digest.commands as commands
from digest.commands import digest_command, serve_command, weeks_left_out, weeks_to_build
from digest.mail import NO_SENDER, Owed, owe, owed
from digest.ours import TOP_FILES, WRITTEN
from digest.select import BANGKOK, Week, complete_weeks, digest_path
from schedules.commands import SCHEDULES_ENV, status_command
from schedules.spec import job_command, load_schedule
from tests.conftest import (
    ctrl_c,
    needs_file_permissions,
    started_from_a_terminal,
    thaidigest_without_file_permission_overrides,
)
from tests.digest import (
    ROBOTS_UNREACHABLE,
    article,
    at,
    crawled,
    ingest,
    ipv6_loopback_missing,
    link_of,
    mark,
)
from tests.digest.test_mail import (
    Inbox,
    LoopbackController,
    TLSInbox,
    free_port,
    make_certificate,
    server_context,
)
from tests.schedules.test_spec import MAIL_MISTAKES, mail_settings
from thaidigest.cli import main
from thaidigest.demo import digest_arguments
from thaidigest.model import RawArticle
from thaidigest.sites import SOURCES
from thaidigest.store import DB_ENV, Store, utc_now


def stored(tmp_path):
    """A database file holding one relevant article of week 2024-W34."""
    path = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{path}")
    raw = article(1, "ASEAN digital ministers meet")
    ingest(store, [raw], "2024-08-20T03:00")
    mark(store, raw, topics=["asean"])
    store.close()
    return path


def written_files(out: Path) -> set[Path]:
    return {path for path in out.rglob("*") if path.is_file()}


def test_digest_writes_the_week_and_counts_the_files_it_wrote_in_one_line(tmp_path):
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db), "--served-locally"]
    result = CliRunner().invoke(digest_command, arguments)
    assert result.exit_code == 0, result.output
    assert "ASEAN digital ministers meet" in (out / "digests" / "2024-W34.md").read_text()
    files = written_files(out) - {out / WRITTEN}  # what the build left there: no page, no feed
    # One line for the build, not one per file (a weekly job wrote some 55 into the log).
    assert result.output == f"digest 2024-W34: 1 item\nwrote {len(files)} files in {out}\n"
    again = CliRunner().invoke(digest_command, arguments)
    assert again.output == f"digest 2024-W34: 1 item\n{len(files)} files unchanged in {out}\n"
    (out / "index.html").unlink()
    listed = CliRunner().invoke(digest_command, [*arguments, "--verbose"])
    assert listed.output == (
        f"digest 2024-W34: 1 item\nwrote {out / 'index.html'}\n"
        f"wrote 1 file in {out} ({len(files) - 1} unchanged)\n"
    )


def test_a_later_weeks_build_counts_the_earlier_weeks_page_it_renders_not_its_markdown(tmp_path):
    # The folder holds one file more than the count: the earlier week's Markdown, which the
    # later build reads (its page, the archive) but does not write; its page, rendered
    # again the same, is counted unchanged.
    db, out = stored(tmp_path), tmp_path / "public"
    common = ["--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, ["--week", "2024-W34", *common]).exit_code == 0
    earlier = {path: path.stat().st_mtime_ns for path in (out / "digests").iterdir()}
    assert sorted(path.name for path in earlier) == ["2024-W34.html", "2024-W34.md"]
    later = CliRunner().invoke(digest_command, ["--week", "2024-W35", *common, "--verbose"])
    assert later.exit_code == 0, later.output
    files = written_files(out) - {
        out / WRITTEN
    }  # the build's record of its files is no digest file
    listed = {Path(line.removeprefix("wrote ")) for line in later.output.splitlines()[1:-1]}
    assert not listed & set(earlier)  # the W34 files left as they were
    assert {path: path.stat().st_mtime_ns for path in earlier} == earlier
    # Those it wrote and those it left, the W34 page among them: all but the W34 Markdown.
    unchanged = len(files) - 1 - len(listed)
    assert later.output.endswith(f"wrote {len(listed)} files in {out} ({unchanged} unchanged)\n")
    again = CliRunner().invoke(digest_command, ["--week", "2024-W35", *common])
    assert again.output.endswith(f"{len(files) - 1} files unchanged in {out}\n")


def test_database_comes_from_the_environment_and_out_from_the_settings(tmp_path):
    db, out = stored(tmp_path), tmp_path / "site"
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[digest]\nout = "{out}"\n')
    result = CliRunner().invoke(
        digest_command,
        ["--week", "2024-W34", "--config", str(config)],
        env={"THAIDIGEST_DB": str(db)},
    )
    assert result.exit_code == 0, result.output
    assert (out / "digests" / "2024-W34.md").is_file()


def test_a_scheduled_digest_writes_where_its_settings_file_says_from_any_folder(
    tmp_path, monkeypatch
):
    db = stored(tmp_path)
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "rules.toml").write_text("[groups.digital]\n", encoding="utf-8")
    config = folder / "thaidigest.toml"
    config.write_text('[digest]\nout = "public"\n[relevance]\nrules = "rules.toml"\n')
    elsewhere = tmp_path / "cron-home"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(
        main,
        ["digest", "--week", "2024-W34", "--db", str(db)],
        env={"THAIDIGEST_CONFIG": str(config)},
    )
    assert result.exit_code == 0, result.output
    assert (folder / "public" / "digests" / "2024-W34.md").is_file()
    assert list(elsewhere.iterdir()) == []  # nothing written in the current folder
    # An --out on the command line is the current folder's, as any command-line path.
    result = CliRunner().invoke(
        main,
        ["digest", "--week", "2024-W34", "--db", str(db), "--out", "site"],
        env={"THAIDIGEST_CONFIG": str(config)},
    )
    assert result.exit_code == 0, result.output
    assert (elsewhere / "site" / "digests" / "2024-W34.md").is_file()


def test_bad_week_is_a_clear_error_without_traceback(tmp_path):
    result = CliRunner().invoke(
        digest_command, ["--week", "2024-34", "--db", str(stored(tmp_path))]
    )
    assert result.exit_code == 2
    assert "'2024-34' is not a week like 2024-W34" in result.output
    assert "Traceback" not in result.output


def test_a_week_in_a_buddhist_era_year_is_refused_naming_the_week_to_give(tmp_path):
    out = tmp_path / "public"
    arguments = ["--week", "2567-W34", "--out", str(out), "--db", str(stored(tmp_path))]
    result = CliRunner().invoke(digest_command, arguments)
    assert result.exit_code == 2
    assert "2567-W34 has a Buddhist-era year: give 2024-W34" in result.output
    assert "has not started yet" not in result.output
    assert not out.exists()


def test_a_week_written_with_a_lower_case_w_is_built(tmp_path):
    out = tmp_path / "public"
    arguments = ["--week", "2024-w34", "--out", str(out), "--db", str(stored(tmp_path))]
    result = CliRunner().invoke(digest_command, arguments)
    assert result.exit_code == 0, result.output
    assert (out / "digests" / "2024-W34.md").is_file()


def test_email_failure_keeps_the_files_and_fails_the_run(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "thaidigest.toml"
    config.write_text(
        f'[email]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
        'sender = "digest@example.org"\nrecipients = ["a@example.org"]\n'
    )
    out = tmp_path / "public"
    result = CliRunner().invoke(
        digest_command,
        [
            "--week",
            "2024-W34",
            "--out",
            str(out),
            "--db",
            str(stored(tmp_path)),
            "--email",
            "--config",
            str(config),
        ],
    )
    assert result.exit_code == 1
    assert "the digest files are written, but mailing digest 2024-W34" in result.output
    assert "Traceback" not in result.output
    assert (out / "digests" / "2024-W34.md").is_file()


def test_email_is_sent_once_per_week_and_recipient(tmp_path):
    inbox = Inbox()
    controller = LoopbackController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        config = tmp_path / "thaidigest.toml"
        config.write_text(
            f'[email]\nhost = "127.0.0.1"\nport = {controller.port}\nstarttls = false\n'
            'sender = "digest@example.org"\nrecipients = ["a@example.org"]\n'
        )
        arguments = [
            "--week",
            "2024-W34",
            "--out",
            str(tmp_path / "public"),
            "--db",
            str(stored(tmp_path)),
            "--email",
            "--config",
            str(config),
        ]
        first = CliRunner().invoke(digest_command, arguments)
        second = CliRunner().invoke(digest_command, arguments)
    finally:
        controller.stop()
    assert first.exit_code == 0 and "mailed a@example.org" in first.output
    assert second.exit_code == 0 and "already mailed a@example.org" in second.output
    assert len(inbox.messages) == 1


def test_email_over_implicit_tls_trusts_the_ca_the_operator_names(tmp_path, monkeypatch):
    certificate = make_certificate(tmp_path)
    inbox = TLSInbox()
    controller = LoopbackController(
        inbox, hostname="127.0.0.1", port=0, ssl_context=server_context(certificate)
    )
    controller.start()
    try:
        config = tmp_path / "thaidigest.toml"
        config.write_text(
            f'[email]\nhost = "127.0.0.1"\nport = {controller.port}\nsecurity = "tls"\n'
            'sender = "digest@example.org"\nrecipients = ["a@example.org"]\n'
        )
        arguments = [
            *("--week", "2024-W34", "--out", str(tmp_path / "public")),
            *("--db", str(stored(tmp_path)), "--email", "--config", str(config)),
        ]
        untrusted = CliRunner().invoke(digest_command, arguments)
        # OpenSSL's own variable: a private CA for the default context, as for curl.
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
        trusted = CliRunner().invoke(digest_command, arguments)
    finally:
        controller.stop()
    assert untrusted.exit_code == 1, untrusted.output
    assert "the server's certificate is not trusted" in untrusted.output
    assert trusted.exit_code == 0 and "mailed a@example.org" in trusted.output, trusted.output
    assert inbox.encrypted == [True]


def quiet_mdes(tmp_path):
    """``stored``, and an mdes crawled fine from 2024-08-05 to 2024-08-21 that found nothing:
    judged, its health in 2024-W34 warns it may have changed its layout."""
    db = stored(tmp_path)
    store = Store(f"sqlite:///{db}")
    for day in ("2024-08-05", "2024-08-21"):
        run_id = store.start_crawl_run("mdes", at(f"{day}T01:00"))
        store.finish_crawl_run(run_id, at(f"{day}T01:05"), "ok", {})
    store.close()
    return db


def source_health(folder, week="2024-W34"):
    """The lines of the Source health section of ``week``'s digest in ``folder``."""
    markdown = (folder / "digests" / f"{week}.md").read_text(encoding="utf-8")
    return markdown.split("\n## Source health\n\n", 1)[1].splitlines()


def test_the_daemons_digest_judges_the_sites_its_schedule_crawled_when_loaded(tmp_path):
    schedule_file = tmp_path / "thaigov-only.toml"
    schedule_file.write_text(
        'timezone = "Asia/Bangkok"\n'
        '[[job]]\nname = "crawl"\ntask = "crawl"\nevery = 3600\nargs = { source = "thaigov" }\n'
        '[[job]]\nname = "digest"\ntask = "digest"\ncron = "0 7 * * 1"\n'
        'args = { out = "public", week = "2024-W34" }\n'
    )
    schedule = load_schedule(schedule_file)
    crawl, digest = (job_command(job, None, schedule.crawled_sites())[3:] for job in schedule.jobs)
    assert "--judged-sites" not in crawl
    # Edited since to crawl mdes too, half saved: the digest judges what the daemon crawls.
    schedule_file.write_text(schedule_file.read_text().replace('"thaigov"', '"all"')[:-20])
    # As the daemon runs the job: its argv, the database and its schedule in the environment.
    environment = {DB_ENV: f"sqlite:///{quiet_mdes(tmp_path)}", SCHEDULES_ENV: str(schedule_file)}
    result = CliRunner(env=environment).invoke(main, digest)
    assert result.exit_code == 0, result.output
    health = source_health(tmp_path / "public")
    assert health[0].startswith("- thaigov.go.th: crawls: none; articles found: 1 ")
    assert health[1:] == ["- mdes.go.th: not judged: no crawl job of the schedule crawls it"]


@pytest.mark.parametrize(
    ("judged_sites", "lines"),
    [
        ("mdes,thaigov", ["- thaigov.go.th: crawls: none; ", "- mdes.go.th: crawls: ok 1; "]),
        (" mdes ", ["- thaigov.go.th: not judged: ", "- mdes.go.th: crawls: ok 1; "]),
        ("none", ["- thaigov.go.th: not judged: ", "- mdes.go.th: not judged: "]),
    ],
)
def test_judged_sites_name_the_sites_judged_listed_in_the_order_status_lists_them(
    tmp_path, judged_sites, lines
):
    db, out = quiet_mdes(tmp_path), tmp_path / "public"
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db)]
    # The schedule in the environment is not read: its file is gone.
    runner = CliRunner(env={SCHEDULES_ENV: str(tmp_path / "gone.toml")})
    result = runner.invoke(digest_command, [*arguments, "--judged-sites", judged_sites])
    assert result.exit_code == 0, result.output
    health = source_health(out)
    assert [line[: len(start)] for line, start in zip(health, lines, strict=False)] == lines


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (
            ["--judged-sites", "thaigov,mdes.go.th"],
            "Invalid value for '--judged-sites': unknown site 'mdes.go.th': give sites of "
            "thaigov, mdes, comma-separated, or none",
        ),
        (["--judged-sites", ""], "Invalid value for '--judged-sites': unknown site ''"),
        (
            ["--judged-sites", "none,thaigov"],
            "Invalid value for '--judged-sites': none stands alone: give sites, or none",
        ),
        (
            ["--judged-sites", "thaigov", "--schedules", "schedule.toml"],
            "Error: --judged-sites and --schedules both say which sites are judged: give one",
        ),
    ],
)
def test_wrong_judged_sites_are_refused_before_anything_is_written(tmp_path, options, error):
    out = tmp_path / "public"
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(stored(tmp_path))]
    result = CliRunner().invoke(digest_command, [*arguments, *options])
    assert result.exit_code == 2
    assert error in result.output
    assert not out.exists()


def test_digest_takes_the_schedule_status_takes_and_judges_every_site_by_default(tmp_path):
    db, out = quiet_mdes(tmp_path), tmp_path / "public"
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db)]
    assert CliRunner().invoke(digest_command, arguments).exit_code == 0
    judged = source_health(out)
    assert judged[1].startswith("- mdes.go.th: crawls: ok 1; articles found: 0 ")
    assert judged[-1].startswith("**Warning:** mdes: nothing new for ")

    only_thaigov = tmp_path / "crawls.toml"
    only_thaigov.write_text(
        'timezone = "Asia/Bangkok"\n'
        '[[job]]\nname = "crawl"\ntask = "crawl"\nevery = 3600\nargs = { source = "thaigov" }\n'
    )
    runner = CliRunner(env={"THAIDIGEST_SCHEDULES": str(only_thaigov)})
    assert runner.invoke(digest_command, arguments).exit_code == 0
    assert source_health(out)[1:] == [
        "- mdes.go.th: not judged: no crawl job of the schedule crawls it"
    ]
    status = runner.invoke(status_command, ["--db", str(db)])
    assert f"  mdes: not judged: no crawl job of {only_thaigov} crawls it" in status.output


def test_an_mdes_only_schedules_digest_lists_thaigov_first_as_status_does(tmp_path):
    db, out = quiet_mdes(tmp_path), tmp_path / "public"
    only_mdes = tmp_path / "mdes.toml"
    only_mdes.write_text(
        'timezone = "Asia/Bangkok"\n'
        '[[job]]\nname = "crawl"\ntask = "crawl"\nevery = 3600\nargs = { source = "mdes" }\n'
    )
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db)]
    result = CliRunner().invoke(digest_command, [*arguments, "--schedules", str(only_mdes)])
    assert result.exit_code == 0, result.output
    health = source_health(out)
    status = CliRunner().invoke(status_command, ["--db", str(db), "--schedules", str(only_mdes)])
    listed = [line.split(":")[0].strip() for line in status.output.splitlines()]
    assert list(dict.fromkeys(site for site in listed if site in SOURCES)) == ["thaigov", "mdes"]
    assert health[0] == "- thaigov.go.th: not judged: no crawl job of the schedule crawls it"
    assert health[1].startswith("- mdes.go.th: crawls: ok 1; articles found: 0 ")


def mail_weeks(tmp_path, db, port, recipients, *weeks, digest="", out="public", email=""):
    """``thaidigest digest --week WEEK --email --out tmp_path/out`` for each of ``weeks`` in
    turn, mailing ``recipients`` through the SMTP server on ``port`` (``email``: more
    ``[email]`` settings); the last run's result."""
    config = tmp_path / "thaidigest.toml"
    config.write_text(
        f'[digest]\n{digest}\n[email]\nhost = "127.0.0.1"\nport = {port}\n'
        f'starttls = false\nsender = "digest@example.org"\nrecipients = {json.dumps(recipients)}\n'
        f"{email}"
    )
    for week in weeks:
        arguments = ["--week", str(week), "--out", str(tmp_path / out), "--db", str(db)]
        arguments += ["--email", "--config", str(config)]
        result = CliRunner().invoke(digest_command, arguments)
    return result


def mailed(inbox):
    """(recipient, week) of each message the inbox took, in the order they came."""
    found = []
    for recipients, content in inbox.messages:
        subject = message_from_bytes(content, policy=policy.default)["Subject"]
        found.extend((recipient, subject.split(" week ")[1].split()[0]) for recipient in recipients)
    return found


@contextmanager
def smtp_sink() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = LoopbackController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


def test_the_mail_text_part_reads_as_written_without_markdown_escapes(tmp_path):
    # The Markdown escapes these (https\\://, www\\., \\*, \\_, \\[, \\\\); the text part must not.
    headline = r"ดีอี *ร่วม* ประชุม_APEC [2024] ที่ www.mdes.go.th และ https://apec.org C:\temp"
    body = r"อ่านต่อที่ https://www.mdes.go.th/news/detail/1 หรือ www.thaigov.go.th *ด่วน* _มาก_ [1] a\b"
    db = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    raw = article(1, headline, body)
    ingest(store, [raw], "2024-08-20T03:00")
    mark(store, raw, topics=["apec"])
    store.close()
    with smtp_sink() as inbox:
        result = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], Week(2024, 34))
    assert result.exit_code == 0, result.output
    message = message_from_bytes(inbox.messages[0][1], policy=policy.default)
    text, html = message.iter_parts()
    plain = text.get_content().replace("\r\n", "\n")
    assert f"\n### {headline} <{link_of(raw)}>\n" in plain
    assert f"\n{body}\n" in plain
    assert plain.count("\\") == 2  # the headline's and the body's own, once each
    assert "<del>" not in plain and "**" not in plain
    assert headline in html.get_content() and body in html.get_content()  # as the page shows
    assert "https\\://" in (tmp_path / "public" / "digests" / "2024-W34.md").read_text()


def test_a_digest_that_failed_to_mail_is_sent_first_on_the_next_run(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    failed = mail_weeks(tmp_path, db, free_port(), ["a@example.org"], last.shift(-1))
    assert failed.exit_code == 1
    assert f"mailing digest {last.shift(-1)}" in failed.output
    with smtp_sink() as inbox:
        # b@example.org joins now: the current digest only, no back issue.
        recipients = ["a@example.org", "b@example.org"]
        result = mail_weeks(tmp_path, db, inbox.port, recipients, last)
        assert result.exit_code == 0, result.output
        assert mailed(inbox) == [
            ("a@example.org", str(last.shift(-1))),
            ("a@example.org", str(last)),
            ("b@example.org", str(last)),
        ]
        assert f"mailed a@example.org the digest of {last.shift(-1)}" in result.output
        again = mail_weeks(tmp_path, db, inbox.port, recipients, last)
        assert again.exit_code == 0 and len(inbox.messages) == 3


def test_a_failed_retry_fails_the_run_and_names_every_week_still_owed(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    port = free_port()
    mail_weeks(tmp_path, db, port, ["a@example.org"], last.shift(-1))
    result = mail_weeks(tmp_path, db, port, ["a@example.org"], last)
    assert result.exit_code == 1
    for week in (last.shift(-1), last):
        assert f"mailing digest {week} through 127.0.0.1:{port} failed" in result.output
    assert "a@example.org not mailed" in result.output
    with smtp_sink() as inbox:
        result = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last)
        assert result.exit_code == 0, result.output
        assert mailed(inbox) == [
            ("a@example.org", str(last.shift(-1))),
            ("a@example.org", str(last)),
        ]


def test_a_digest_owed_within_the_feeds_weeks_is_sent_oldest_first(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    port = free_port()
    mail_weeks(tmp_path, db, port, ["a@example.org"], last.shift(-2), last.shift(-1))
    with smtp_sink() as inbox:
        result = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last, digest="weeks = 3")
        assert result.exit_code == 0, result.output
        assert mailed(inbox) == [
            ("a@example.org", str(last.shift(-2))),
            ("a@example.org", str(last.shift(-1))),
            ("a@example.org", str(last)),
        ]
        assert f"mailed a@example.org the digest of {last.shift(-2)}" in result.output
        again = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last, digest="weeks = 3")
        assert again.exit_code == 0 and len(inbox.messages) == 3


@pytest.mark.parametrize("file_kept", [True, False], ids=["file kept", "file gone"])
def test_a_digest_owed_longer_than_the_feeds_weeks_is_written_off_loudly(tmp_path, file_kept):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    old = last.shift(-3)
    recipients = ["a@example.org", "b@example.org"]
    mail_weeks(tmp_path, db, free_port(), recipients, old)
    if not file_kept:
        (tmp_path / "public" / "digests" / f"{old}.md").unlink()
    with smtp_sink() as inbox:
        result = mail_weeks(tmp_path, db, inbox.port, recipients, last, digest="weeks = 2")
        # A year-old digest is not news to a recipient: never mailed late, however kept.
        assert mailed(inbox) == [("a@example.org", str(last)), ("b@example.org", str(last))]
        assert result.exit_code == 1
        written_off = (
            f"digest {old} was owed to a@example.org, b@example.org and cannot be mailed: "
            f"{old} is older than the 2 weeks digest.weeks keeps; no longer owed"
        )
        assert f"WARNING: {written_off}\n" in result.stderr
        assert written_off in result.stderr.split("Error: ")[1]
        again = mail_weeks(tmp_path, db, inbox.port, recipients, last, digest="weeks = 2")
        assert again.exit_code == 0, again.output
        assert str(old) not in again.output and len(inbox.messages) == 2


def test_the_write_off_warning_says_one_week_when_the_feeds_keep_one(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    old = last.shift(-1)
    mail_weeks(tmp_path, db, free_port(), ["a@example.org"], old, digest="weeks = 1")
    with smtp_sink() as inbox:
        result = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last, digest="weeks = 1")
    assert result.exit_code == 1
    assert (
        f"WARNING: digest {old} was owed to a@example.org and cannot be mailed: {old} is older "
        "than the 1 week digest.weeks keeps; no longer owed\n"
    ) in result.stderr


def test_a_week_owed_from_before_the_feeds_weeks_is_mailed_by_its_own_week_run(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    old = last.shift(-5)
    mail_weeks(tmp_path, db, free_port(), ["a@example.org"], old, digest="weeks = 2")
    with smtp_sink() as inbox:
        # What `thaidigest status` says to run to mail it still: --week builds it, any age.
        result = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], old, digest="weeks = 2")
        assert result.exit_code == 0, result.output
        assert mailed(inbox) == [("a@example.org", str(old))]
        again = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last, digest="weeks = 2")
        assert again.exit_code == 0, again.output
        assert "no longer owed" not in again.output and len(inbox.messages) == 2


def test_a_recipient_removed_and_added_back_is_mailed_the_weeks_still_owed_to_it(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    with smtp_sink() as inbox:
        inbox.refuse.add("b@example.org")
        both = ["a@example.org", "b@example.org"]
        assert mail_weeks(tmp_path, db, inbox.port, both, last.shift(-1)).exit_code == 1
        inbox.refuse.clear()
        # Removed from email.recipients: no run mails it, its week stays owed meanwhile.
        alone = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last)
        assert alone.exit_code == 0, alone.output
        back = mail_weeks(tmp_path, db, inbox.port, both, last)
        assert back.exit_code == 0, back.output
        assert mailed(inbox) == [
            ("a@example.org", str(last.shift(-1))),
            ("a@example.org", str(last)),
            ("b@example.org", str(last.shift(-1))),
            ("b@example.org", str(last)),
        ]


def test_a_recipient_refusing_every_week_is_owed_no_more_than_the_feeds_weeks(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    weeks = [last.shift(-4), last.shift(-3), last.shift(-2), last.shift(-1), last]
    with smtp_sink() as inbox:
        inbox.refuse.add("b@example.org")
        recipients = ["a@example.org", "b@example.org"]
        result = mail_weeks(tmp_path, db, inbox.port, recipients, *weeks, digest="weeks = 2")
        assert result.exit_code == 1
        # The last run tried the one week still owed and its own: one session each.
        assert result.output.count("not mailed to 1 recipient:") == 2
    store = Store(f"sqlite:///{db}")
    try:
        still = owed(store, recipients, last.shift(-1))
    finally:
        store.close()
    assert still == Owed(
        due={last.shift(-1): ["b@example.org"], last: ["b@example.org"]}, overdue={}
    )


def test_an_owed_week_is_never_written_off_for_a_file_missing_from_another_out(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    mail_weeks(tmp_path, db, free_port(), ["a@example.org"], last.shift(-1))
    preview = tmp_path / "preview"
    with smtp_sink() as inbox:
        result = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last, out="preview")
        assert result.exit_code == 1 and "no longer owed" not in result.output
        assert f"{preview / 'digests' / f'{last.shift(-1)}.md'} is gone" in result.output
        real = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last)
        assert real.exit_code == 0, real.output
        assert mailed(inbox) == [
            ("a@example.org", str(last)),
            ("a@example.org", str(last.shift(-1))),
        ]


def test_an_owed_digest_whose_file_is_gone_is_named_and_the_rest_is_sent(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    mail_weeks(tmp_path, db, free_port(), ["a@example.org"], last.shift(-1))
    gone = tmp_path / "public" / "digests" / f"{last.shift(-1)}.md"
    gone.unlink()
    with smtp_sink() as inbox:
        result = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last)
        assert mailed(inbox) == [("a@example.org", str(last))]
    assert result.exit_code == 1
    owing = f"digest {last.shift(-1)} is owed to a@example.org and cannot be mailed: {gone}"
    assert owing in result.output


def test_an_owed_digest_the_user_replaced_with_their_own_text_is_not_mailed(tmp_path):
    """The Markdown of a week owed was mailed as it stood: the user's notes written over it
    went to every recipient."""
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    mail_weeks(tmp_path, db, free_port(), ["a@example.org"], last.shift(-1))
    mine = tmp_path / "public" / "digests" / f"{last.shift(-1)}.md"
    mine.write_text("# my private notes\n")
    with smtp_sink() as inbox:
        result = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last)
        assert mailed(inbox) == [("a@example.org", str(last))]
        assert not any(b"private" in content for _, content in inbox.messages)
    assert result.exit_code == 1
    assert (
        f"digest {last.shift(-1)} is owed to a@example.org and cannot be mailed: {mine} is a "
        f"file changed since thaidigest wrote it (move it out of {mine.parent} and build it "
        f"again with --week {last.shift(-1)})"
    ) in result.output
    assert mine.read_text() == "# my private notes\n"


def test_serve_refuses_a_missing_folder_as_wrong_input(tmp_path):
    # Exit 2, as the commands that read the store refuse a --db that names no file.
    result = CliRunner().invoke(serve_command, ["--out", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert (
        result.output
        == f"Error: {tmp_path / 'nothing'}: no such folder; run `thaidigest digest` first\n"
    )


def test_serve_refuses_a_settings_out_naming_a_file_as_one(tmp_path, monkeypatch):
    """It said `notes.txt: no such folder; run `thaidigest digest` first`."""
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("mine\n", encoding="utf-8")
    Path("thaidigest.toml").write_text('[digest]\nout = "notes.txt"\n', encoding="utf-8")
    result = CliRunner().invoke(serve_command, [])
    assert result.exit_code == 2
    assert result.output == "Error: digest.out: notes.txt: is a file, not a folder\n"


@contextmanager
def served(out: Path, *options: str) -> Iterator[str]:
    """``thaidigest serve --out out --port 0 *options`` in a process of its own, running
    while the block runs: the line it prints first."""
    command = "from digest.commands import serve_command; serve_command()"
    with subprocess.Popen(
        [sys.executable, "-c", command, "--out", str(out), "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            yield process.stdout.readline()
        finally:
            process.terminate()


def test_serve_on_port_zero_prints_its_url_and_answers(tmp_path):
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("<!DOCTYPE html><title>archive</title>")
    with served(out) as line:
        assert line.startswith(f"Serving {out} at http://127.0.0.1:")
        url = line.split(" at ")[1].strip()
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
            assert b"archive" in response.read()


def test_serve_on_the_ipv6_loopback_prints_its_url_and_answers(tmp_path):
    missing = ipv6_loopback_missing()
    if missing:
        pytest.skip(missing)
    out = tmp_path / "public"
    out.mkdir()
    (out / "feed.atom").write_bytes(b"<feed/>")
    with served(out, "--host", "::1") as line:
        assert line.startswith(f"Serving {out} at http://[::1]:")
        url = line.split(" at ")[1].strip()
        with urllib.request.urlopen(url + "feed.atom", timeout=10) as response:
            assert response.read() == b"<feed/>"


def test_an_output_folder_that_cannot_be_made_is_one_line(tmp_path):
    db = stored(tmp_path)
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    out = tmp_path / "a-file" / "public"
    result = CliRunner().invoke(
        digest_command, ["--week", "2024-W34", "--out", str(out), "--db", str(db)]
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: cannot write the digest in {out}: {tmp_path / 'a-file'} is not a folder"
    ]
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_loopback_site_url_is_warned_about_once_and_a_public_one_is_not(tmp_path):
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db)]
    config = tmp_path / "thaidigest.toml"
    warned = []
    for site_url in (None, "http://localhost:8000/", "https://[::1]/", "https://news.example.org/"):
        config.write_text(f'[digest]\nsite_url = "{site_url}"\n' if site_url else "")
        result = CliRunner().invoke(digest_command, [*arguments, "--config", str(config)])
        assert result.exit_code == 0, result.output
        assert "WARNING" not in result.stdout
        warned.append([line for line in result.stderr.splitlines() if "site_url" in line])
    *local, public = warned
    for lines in local:  # the default, http://127.0.0.1:8000/, and the other loopback names
        assert len(lines) == 1 and lines[0].startswith("WARNING: ")
        assert "[digest] site_url" in lines[0]
    assert public == []


def test_the_demo_builds_its_local_digest_without_the_site_url_warning(tmp_path):
    arguments = digest_arguments("2024-W34", tmp_path / "out")
    result = CliRunner().invoke(digest_command, [*arguments, "--db", str(stored(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "digest 2024-W34: 1 item\n" in result.stdout
    assert "site_url" not in result.stderr


def serve_in_a_process(out, *options):
    command = "from digest.commands import serve_command; serve_command()"
    return subprocess.run(
        [sys.executable, "-c", command, "--out", str(out), *options],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_on_a_port_in_use_is_one_line_not_a_traceback(tmp_path):
    (tmp_path / "public").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve_in_a_process(tmp_path / "public", "--port", str(port))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: cannot listen on 127.0.0.1:{port}: address already in use\n"


def test_serve_on_a_host_that_is_no_address_is_one_line(tmp_path):
    (tmp_path / "public").mkdir()
    result = serve_in_a_process(tmp_path / "public", "--host", "256.1.1.1", "--port", "0")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot listen on 256.1.1.1:0: ")
    assert "Traceback" not in result.stderr


def test_a_week_that_has_not_started_is_refused_and_nothing_is_written(tmp_path):
    db, out = stored(tmp_path), tmp_path / "public"
    next_week = Week.last_complete(utc_now()).shift(2)
    years_ahead = next_week.shift(4 * 52)  # not a fixed week: 2030-W10 would start one day
    for week in (str(years_ahead), str(next_week)):
        arguments = ["--week", week, "--out", str(out), "--db", str(db)]
        result = CliRunner().invoke(digest_command, arguments)
        assert result.exit_code == 2
        assert result.output == f"Error: --week {week} has not started yet\n"
        assert not out.exists()  # no empty digest published in digests.atom


def test_the_current_week_not_yet_over_can_be_built(tmp_path):
    db, out = stored(tmp_path), tmp_path / "public"
    current = Week.last_complete(utc_now()).shift(1)
    result = CliRunner().invoke(
        digest_command, ["--week", str(current), "--out", str(out), "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "digests" / f"{current}.md").exists()


def email_config(tmp_path, port, recipients, *, enabled=False, email=""):
    """A settings file mailing ``recipients`` through the server on ``port`` (``email``:
    more ``[email]`` settings)."""
    config = tmp_path / "thaidigest.toml"
    config.write_text(
        f'[email]\nenabled = {json.dumps(enabled)}\nhost = "127.0.0.1"\nport = {port}\n'
        f'starttls = false\nsender = "digest@example.org"\nrecipients = {json.dumps(recipients)}\n'
        f"{email}"
    )
    return config


def test_a_week_not_over_is_not_mailed_by_email_enabled_but_mailed_once_over(tmp_path, monkeypatch):
    db, current = stored(tmp_path), Week.last_complete(utc_now()).shift(1)
    with smtp_sink() as inbox:
        config = email_config(tmp_path, inbox.port, ["a@example.org"], enabled=True)
        preview = ["--week", str(current), "--out", str(tmp_path / "preview")]
        result = CliRunner().invoke(
            digest_command, [*preview, "--db", str(db), "--config", str(config)]
        )
        assert result.exit_code == 0, result.output
        not_mailed = [line for line in result.output.splitlines() if "not mailed" in line]
        assert len(not_mailed) == 1
        assert not_mailed[0].startswith(f"digest {current} is not over until ")
        assert "mailed a@example.org" not in result.output and inbox.messages == []
        # The daemon's run on the Monday after: the complete week goes out.
        monkeypatch.setattr("digest.commands.utc_now", lambda: current.end().astimezone(UTC))
        arguments = ["--out", str(tmp_path / "public"), "--db", str(db), "--config", str(config)]
        result = CliRunner().invoke(digest_command, arguments)
        assert result.exit_code == 0, result.output
        assert "mailed a@example.org" in result.output
        assert "already mailed" not in result.output
    assert mailed(inbox) == [("a@example.org", str(current))]


def test_email_without_a_sender_is_refused_and_nothing_is_written(tmp_path):
    db, out = stored(tmp_path), tmp_path / "public"
    config = tmp_path / "thaidigest.toml"
    config.write_text('[email]\nrecipients = ["a@example.org"]\n')
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db), "--config", str(config)]
    result = CliRunner().invoke(digest_command, [*arguments, "--email"])
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: {config}: {NO_SENDER}\n"
    assert not out.exists()


def test_email_asked_for_a_week_not_over_is_refused_and_nothing_is_written(tmp_path):
    db, out = stored(tmp_path), tmp_path / "public"
    current = Week.last_complete(utc_now()).shift(1)
    with smtp_sink() as inbox:
        config = email_config(tmp_path, inbox.port, ["a@example.org"])
        arguments = ["--week", str(current), "--out", str(out), "--db", str(db)]
        result = CliRunner().invoke(
            digest_command, [*arguments, "--email", "--config", str(config)]
        )
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: --email: digest {current} is not over until ")
    assert result.output.endswith("; mail it once it is over\n")
    assert len(result.output.splitlines()) == 1
    assert inbox.messages == [] and not out.exists()


def test_email_refused_at_a_users_own_topic_feed_says_no_file_of_the_week_was_written(tmp_path):
    """The build's check comes after the week was recorded owed (a later run mails it): its
    line says no file was written, not 'nothing'."""
    db, out = stored(tmp_path), tmp_path / "public"
    mine = out / "topics" / "asean.atom"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"<feed>mine</feed>\n")
    with smtp_sink() as inbox:
        config = email_config(tmp_path, inbox.port, ["a@example.org"])
        arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db)]
        result = CliRunner().invoke(
            digest_command, [*arguments, "--email", "--config", str(config), "--served-locally"]
        )
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"Error: {mine}: a file thaidigest did not write, which the digest would replace; "
        f"no file of 2024-W34 was written: choose another folder for --out, or move it out "
        f"of {out}\n"
    )
    assert inbox.messages == [] and folder_contents(out) == {mine: b"<feed>mine</feed>\n"}


class HeldInbox(Inbox):
    """An inbox that keeps the first message it is sent in DATA until ``release`` is set,
    having set ``holding``: a slow server, in the middle of one run's send."""

    def __init__(self):
        super().__init__()
        self.holding, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.holding.is_set():
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        return await super().handle_DATA(server, session, envelope)


def test_two_runs_at_once_mail_each_recipient_once_and_the_loser_says_already_mailed(tmp_path):
    db = stored(tmp_path)
    inbox = HeldInbox()
    controller = LoopbackController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    config = email_config(tmp_path, controller.port, ["a@example.org", "b@example.org"])
    command = [sys.executable, "-m", "thaidigest", "digest", "--week", "2024-W34"]
    command += ["--out", str(tmp_path / "public"), "--db", str(db), "--config", str(config)]
    command += ["--email"]
    try:
        first = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            assert inbox.holding.wait(60), "the first run never reached DATA"
            # The first run is sending a@example.org now; a second run starts and ends.
            second = subprocess.run(command, capture_output=True, text=True, timeout=120)
        finally:
            inbox.release.set()
            first_output = first.communicate(timeout=120)[0]
    finally:
        controller.stop()
    assert second.returncode == 0, second.stdout + second.stderr
    assert first.returncode == 0, first_output
    assert {"already mailed a@example.org", "mailed b@example.org"} <= set(
        second.stdout.splitlines()
    )
    assert {"mailed a@example.org", "already mailed b@example.org"} <= set(
        first_output.splitlines()
    )
    assert "UNIQUE" not in second.stderr + first_output
    assert sorted(mailed(inbox)) == [("a@example.org", "2024-W34"), ("b@example.org", "2024-W34")]


def scheduled_digest(tmp_path, db, port, *, weeks=None):
    """``thaidigest digest --email`` as the schedule runs it: no --week."""
    config = tmp_path / "thaidigest.toml"
    kept = f"weeks = {weeks}\n" if weeks else ""
    config.write_text(
        f'[digest]\n{kept}[email]\nhost = "127.0.0.1"\nport = {port}\n'
        'starttls = false\nsender = "digest@example.org"\nrecipients = ["a@example.org"]\n'
    )
    arguments = ["--out", str(tmp_path / "public"), "--db", str(db), "--email"]
    return CliRunner().invoke(digest_command, [*arguments, "--config", str(config)])


def written_weeks(tmp_path) -> list[str]:
    return sorted(path.stem for path in (tmp_path / "public" / "digests").glob("*.md"))


def test_a_scheduled_digest_builds_and_mails_every_week_missed_oldest_first(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    with smtp_sink() as inbox:
        mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last.shift(-3))
        result = scheduled_digest(tmp_path, db, inbox.port)
        assert result.exit_code == 0, result.output
        missed = [str(last.shift(-2)), str(last.shift(-1)), str(last)]
        assert written_weeks(tmp_path) == [str(last.shift(-3)), *missed]
        assert mailed(inbox) == [("a@example.org", week) for week in [str(last.shift(-3)), *missed]]
        for week in missed:
            assert f"digest {week}: " in result.output
        again = scheduled_digest(tmp_path, db, inbox.port)  # nothing missed: the last week only
        assert again.exit_code == 0, again.output
        assert again.output.count("digest 20") == 1 and f"digest {last}: " in again.output
        assert len(inbox.messages) == 4


def test_a_preview_of_a_week_in_progress_is_built_again_and_mailed_by_a_catch_up(tmp_path):
    """A week previewed while in progress (`digest --week` of the current week) whose
    Monday run then failed or did not happen counted as built: the next scheduled run
    built the weeks after it only, and the week stayed the preview of its first days,
    never mailed."""
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    previewed = last.shift(-1)
    with smtp_sink() as inbox:
        mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last.shift(-2))
        preview = CliRunner().invoke(
            digest_command,
            ["--week", str(previewed), "--out", str(tmp_path / "public"), "--db", str(db)],
        )
        assert preview.exit_code == 0, preview.output
        # As a build during the week leaves it: written before the week ended.
        during = (previewed.end() - timedelta(days=3)).timestamp()
        os.utime(digest_path(tmp_path / "public", previewed), (during, during))
        result = scheduled_digest(tmp_path, db, inbox.port)
        assert result.exit_code == 0, result.output
        assert f"digest {previewed}: " in result.output
        weeks = (last.shift(-2), previewed, last)
        assert mailed(inbox) == [("a@example.org", str(week)) for week in weeks]


def test_a_preview_the_whole_week_repeats_byte_for_byte_is_the_weeks_digest_once_built(
    tmp_path,
):
    """A preview built during a week that the Monday run builds again with the same bytes
    (nothing changed since): the run left the unchanged file as it was, written before the
    week ended, so the week stayed a preview, built again by every scheduled run and
    judged missing by `thaidigest status`."""
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    out = tmp_path / "public"
    with smtp_sink() as inbox:
        mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last.shift(-1))
        preview = CliRunner().invoke(
            digest_command, ["--week", str(last), "--out", str(out), "--db", str(db)]
        )
        assert preview.exit_code == 0, preview.output
        during = (last.end() - timedelta(days=3)).timestamp()
        os.utime(digest_path(out, last), (during, during))
        result = scheduled_digest(tmp_path, db, inbox.port)
        assert result.exit_code == 0, result.output
        # The preview written again: the one file a build of the week over rewrites.
        assert f"digest {last}: 0 items\nwrote 1 file in {out} (34 unchanged)\n" in result.output
        # Built whole, as a scheduled digest and status count it: not built again.
        assert complete_weeks(out) == [last.shift(-1), last]
    config = tmp_path / "thaidigest.toml"
    config.write_text(f"[digest]\nout = {json.dumps(str(out))}\n")
    status = CliRunner().invoke(status_command, ["--db", str(db), "--config", str(config)])
    assert "unhealthy: digest" not in status.output, status.output
    digest_line = next(line for line in status.output.splitlines() if line.startswith("digest:"))
    assert digest_line.startswith(f"digest: {digest_path(out, last)} written "), digest_line
    assert digest_line.endswith(" ago)"), digest_line  # not ': a preview, written before…'


def test_a_catch_up_reaches_back_no_further_than_the_feeds_weeks(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    with smtp_sink() as inbox:
        mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last.shift(-10))
        result = scheduled_digest(tmp_path, db, inbox.port, weeks=3)
        assert result.exit_code == 0, result.output
        kept = [str(last.shift(-2)), str(last.shift(-1)), str(last)]
        assert written_weeks(tmp_path) == [str(last.shift(-10)), *kept]
        assert mailed(inbox)[1:] == [("a@example.org", week) for week in kept]


def test_a_catch_up_says_which_missed_weeks_it_leaves_unbuilt(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    with smtp_sink() as inbox:
        mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last.shift(-10))
        result = scheduled_digest(tmp_path, db, inbox.port, weeks=3)
        again = scheduled_digest(tmp_path, db, inbox.port, weeks=3)  # nothing missed now
    assert result.exit_code == 0, result.output
    # Six weeks of stories in no digest: said, with how to build them.
    folder = tmp_path / "public" / "digests"
    assert (
        f"WARNING: no digest of {last.shift(-9)} to {last.shift(-3)} in {folder}: a run "
        "without --week builds at most the last 3 weeks missed (digest.weeks); build one "
        f"with --week {last.shift(-9)}"
    ) in result.output.splitlines()
    assert again.exit_code == 0, again.output
    assert "WARNING: no digest" not in again.output


def test_weeks_to_build_keeps_no_fewer_than_one_week():
    """Below one week kept, the first week built would be the one in progress."""
    now = utc_now()
    last = Week.last_complete(now)
    watched_since = last.shift(-5).start()
    assert weeks_to_build([last.shift(-3)], now, 1, watched_since) == [last]
    with pytest.raises(ValueError, match="at least 1, not 0"):
        weeks_to_build([last.shift(-3)], now, 0, watched_since)


# The demo's public/ copied beside a database first crawled on Sunday 2026-12-06: its
# newest digest is of 2024-W42, and the last complete week 2026-W48.
SUNDAY = at("2026-12-06T02:00")
DEMO_WRITTEN = [Week.parse("2024-W34"), Week.parse("2024-W42")]


def test_a_catch_up_builds_no_week_over_before_watching_began():
    # It built the 11 weeks up to 2026-W48 (digest.weeks), empty, and warned of those before.
    assert weeks_to_build(DEMO_WRITTEN, SUNDAY, 11, SUNDAY) == []
    assert weeks_left_out(DEMO_WRITTEN, [], SUNDAY) is None
    assert weeks_to_build(DEMO_WRITTEN, SUNDAY, 11, None) == []  # nothing watched at all


def test_a_catch_up_builds_the_weeks_watched_and_warns_of_watched_weeks_only():
    mid_w47 = at("2026-11-19T05:00")  # a Thursday
    built = weeks_to_build(DEMO_WRITTEN, SUNDAY, 11, mid_w47)
    assert built == [Week.parse("2026-W47"), Week.parse("2026-W48")]
    assert weeks_left_out(DEMO_WRITTEN, built, mid_w47) is None
    mid_w30 = at("2026-07-23T05:00")  # more weeks watched than digest.weeks reaches back
    built = weeks_to_build(DEMO_WRITTEN, SUNDAY, 11, mid_w30)
    assert built[0] == Week.parse("2026-W38") and built[-1] == Week.parse("2026-W48")
    left_out = weeks_left_out(DEMO_WRITTEN, built, mid_w30)
    assert left_out == (Week.parse("2026-W30"), Week.parse("2026-W37"))


def test_a_scheduled_digest_of_a_database_first_filled_this_week_builds_nothing_and_says_so(
    tmp_path,
):
    """The demo's articles of 2024 imported today, its digests of 2024 in the folder: a
    run without --week built the weeks up to the last complete one, every one empty, and
    its feeds then held only those."""
    db, out = tmp_path / "db.sqlite", tmp_path / "public"
    store = Store(f"sqlite:///{db}")
    raw = article(1, "ASEAN digital ministers meet", published=date(2024, 8, 20))
    ingest(store, [raw], utc_now().isoformat(timespec="minutes")[:16])  # stored today
    mark(store, raw, topics=["asean"])
    began = store.watched_since().astimezone(BANGKOK)  # the week's zone, not UTC
    store.close()
    arguments = ["--out", str(out), "--db", str(db)]
    built = CliRunner().invoke(digest_command, ["--week", "2024-W34", *arguments])
    assert built.exit_code == 0, built.output  # a week before watching began: --week builds it
    feed = (out / "digests.atom").read_bytes()
    result = CliRunner().invoke(digest_command, arguments)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"no digest to build in {out / 'digests'}: no week has ended since watching began "
        f"({began:%Y-%m-%d %H:%M} Bangkok time, the first crawl or import); --week YYYY-Www "
        "builds any week\n"
    ), result.output
    assert "WARNING" not in result.output and "wrote" not in result.output
    assert written_weeks(tmp_path) == ["2024-W34"]
    assert (out / "digests.atom").read_bytes() == feed


def test_a_digest_of_a_database_that_does_not_exist_is_refused_and_leaves_the_folder(tmp_path):
    """A mistyped --db (or a run from the wrong folder, where the default path is not) once
    built the week from a new empty database: the published feeds and the week's digest
    emptied, exit 0."""
    db, out = tmp_path / "db.sqlite", tmp_path / "public"
    store = Store(f"sqlite:///{db}")
    raw = article(1, "ASEAN digital ministers meet", published=date(2024, 8, 20))
    ingest(store, [raw], "2024-08-20T10:00")
    mark(store, raw, topics=["asean"])
    store.close()
    built = CliRunner().invoke(
        digest_command, ["--week", "2024-W34", "--out", str(out), "--db", str(db)]
    )
    assert built.exit_code == 0, built.output
    published = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    typo = tmp_path / "db.sqlit"
    result = CliRunner().invoke(
        main, ["digest", "--week", "2024-W34", "--out", str(out), "--db", str(typo)]
    )
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: database {typo}: no such file\n"
    assert not typo.exists()
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == published


def published(tmp_path) -> tuple[Path, dict[Path, bytes]]:
    """A folder the digest of 2024-W34 was published in, and its files' bytes."""
    out = tmp_path / "public"
    built = CliRunner().invoke(
        digest_command, ["--week", "2024-W34", "--out", str(out), "--db", str(stored(tmp_path))]
    )
    assert built.exit_code == 0, built.output
    files = {path: path.read_bytes() for path in written_files(out)}
    assert b"ASEAN digital ministers meet" in files[out / "feed.atom"]
    return out, files


@pytest.mark.parametrize("kind", ["0-byte", "no tables"])
@pytest.mark.parametrize("week", [["--week", "2024-W34"], []])
def test_a_digest_of_a_database_file_without_tables_is_refused_and_leaves_both(
    tmp_path, kind, week
):
    """A file made empty (a failed copy, a wrong volume mounted) was filled with the schema
    and the week built from it: every published feed emptied, exit 0."""
    out, files = published(tmp_path)
    db = tmp_path / "empty.sqlite"
    if kind == "0-byte":
        db.touch()
    else:
        sqlite3.connect(db).execute("PRAGMA user_version = 1").connection.close()
    before = db.read_bytes()
    result = CliRunner().invoke(main, ["digest", *week, "--out", str(out), "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"Error: database {db}: not a thaidigest database (it holds no tables)\n"
    )
    assert db.read_bytes() == before
    assert {path: path.read_bytes() for path in written_files(out)} == files


def crawled_nothing(tmp_path) -> Path:
    """A database whose one crawl, three weeks ago, stored no article (the site down)."""
    db = tmp_path / "crawled.sqlite"
    store = Store(f"sqlite:///{db}")
    started = utc_now() - timedelta(weeks=3)
    run = store.start_crawl_run("thaigov", started)
    store.finish_crawl_run(run, started + timedelta(minutes=1), "failed", {"status": "failed"})
    store.close()
    return db


def test_a_digest_week_of_a_database_holding_no_article_is_refused_over_published_feeds(
    tmp_path,
):
    """A first crawl that stored nothing, then `digest --week` into the published folder:
    the week and every feed were written again empty, exit 0."""
    out, files = published(tmp_path)
    db = crawled_nothing(tmp_path)
    before = db.read_bytes()
    result = CliRunner().invoke(
        main, ["digest", "--week", "2024-W34", "--out", str(out), "--db", str(db)]
    )
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"Error: database {db} holds no article: a digest of it would write every feed in "
        f"{out} empty; crawl or import first\n"
    )
    assert db.read_bytes() == before
    assert {path: path.read_bytes() for path in written_files(out)} == files
    new = tmp_path / "new"  # no feed to empty: its Source health says why it lists none
    result = CliRunner().invoke(
        main, ["digest", "--week", "2024-W34", "--out", str(new), "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert "digest 2024-W34: 0 items\n" in result.output


def test_a_scheduled_digest_of_a_database_holding_no_article_builds_nothing(tmp_path):
    """Its crawl ran before the last complete week: that week was built empty, and with
    it every feed in the folder."""
    out, files = published(tmp_path)
    db = crawled_nothing(tmp_path)
    result = CliRunner().invoke(main, ["digest", "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"no digest to build in {out / 'digests'}: database {db} holds no article: a digest "
        f"of it would write every feed in {out} empty; crawl or import first\n"
    )
    assert {path: path.read_bytes() for path in written_files(out)} == files


def test_a_first_scheduled_digest_builds_the_last_complete_week_only(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    with smtp_sink() as inbox:
        result = scheduled_digest(tmp_path, db, inbox.port)
        assert result.exit_code == 0, result.output
        assert written_weeks(tmp_path) == [str(last)]


def test_a_catch_up_that_cannot_mail_leaves_every_week_owed(tmp_path):
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    with smtp_sink() as inbox:
        mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last.shift(-2))
    failed = scheduled_digest(tmp_path, db, free_port())  # SMTP down on Monday
    assert failed.exit_code == 1
    assert written_weeks(tmp_path) == [str(week) for week in (last.shift(-2), last.shift(-1), last)]
    with smtp_sink() as inbox:
        result = scheduled_digest(tmp_path, db, inbox.port)
        assert result.exit_code == 0, result.output
        assert mailed(inbox) == [
            ("a@example.org", str(last.shift(-1))),
            ("a@example.org", str(last)),
        ]


def disk_full_when_building(monkeypatch, full: Week):
    """``build_digest`` raising a full disk's error for the week ``full`` alone (a full disk
    cannot be had here: the one fault a real build would raise, for one week); the real
    ``build_digest``, to put back."""
    real_build = commands.build_digest

    def disk_full_for_one_week(store, out_dir, week, config, **options):
        if week == full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_build(store, out_dir, week, config, **options)

    monkeypatch.setattr(commands, "build_digest", disk_full_for_one_week)
    return real_build


def test_a_catch_up_whose_later_build_fails_leaves_the_week_it_wrote_owed(tmp_path, monkeypatch):
    """The weeks were owed only once all were built: a run whose second build failed (a
    full disk; or killed then) left the first written but owed to no one, and the next run,
    which builds only the weeks after the newest file, never mailed it."""
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    with smtp_sink() as inbox:
        mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last.shift(-2))
    real_build = disk_full_when_building(monkeypatch, last)
    with smtp_sink() as inbox:
        failed = scheduled_digest(tmp_path, db, inbox.port)
    assert failed.exit_code == 1
    assert failed.output.endswith(": no space left on device\n")
    assert written_weeks(tmp_path) == [str(last.shift(-2)), str(last.shift(-1))]
    assert inbox.messages == []
    monkeypatch.setattr(commands, "build_digest", real_build)  # space again
    with smtp_sink() as inbox:
        result = scheduled_digest(tmp_path, db, inbox.port)
    assert result.exit_code == 0, result.output
    assert written_weeks(tmp_path) == [str(week) for week in (last.shift(-2), last.shift(-1), last)]
    assert mailed(inbox) == [("a@example.org", str(last.shift(-1))), ("a@example.org", str(last))]


def test_a_catch_up_after_a_failed_one_builds_and_mails_no_week_before_the_first_find(
    tmp_path, monkeypatch
):
    """The empty weeks before the first crawl were built and owed by a catch-up; one whose
    last build failed left them owed, and the next mailed them from their files, each "No
    relevant items this week.". A catch-up builds only the weeks watched now."""
    last = Week.last_complete(utc_now())
    db = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    raw = article(1, "ASEAN digital ministers meet")
    first_find = last.start().astimezone(UTC).isoformat(timespec="minutes")[:16]
    ingest(store, [raw], first_find)  # the first article found, early in the last week
    mark(store, raw, topics=["asean"])
    store.close()
    with smtp_sink() as inbox:
        mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last.shift(-3))
    real_build = disk_full_when_building(monkeypatch, last)
    with smtp_sink() as inbox:
        failed = scheduled_digest(tmp_path, db, inbox.port)
    assert failed.exit_code == 1, failed.output
    monkeypatch.setattr(commands, "build_digest", real_build)  # space again
    with smtp_sink() as inbox:
        result = scheduled_digest(tmp_path, db, inbox.port)
    assert result.exit_code == 0, result.output
    assert written_weeks(tmp_path) == [str(last.shift(-3)), str(last)]
    assert mailed(inbox) == [("a@example.org", str(last))]
    store = Store(f"sqlite:///{db}")
    try:
        assert owed(store, ["a@example.org"], last.shift(-10)) == Owed(due={}, overdue={})
    finally:
        store.close()


def test_a_week_mailed_and_built_again_is_owed_to_no_one(tmp_path):
    """A week built again with --email after everyone had it was recorded as owed to them
    all the same: never mailed again, it stayed owed until written off with a warning."""
    db, last = stored(tmp_path), Week.last_complete(utc_now())
    recipients = ["a@example.org", "b@example.org"]
    with smtp_sink() as inbox:
        mail_weeks(tmp_path, db, inbox.port, recipients, last.shift(-1))
        again = mail_weeks(tmp_path, db, inbox.port, recipients, last.shift(-1))
        assert again.exit_code == 0, again.output
        assert "already mailed b@example.org" in again.output.splitlines()
        store = Store(f"sqlite:///{db}")
        try:
            assert owed(store, recipients, last.shift(-10)) == Owed(due={}, overdue={})
        finally:
            store.close()
        later = mail_weeks(tmp_path, db, inbox.port, recipients, last, digest="weeks = 1")
    assert later.exit_code == 0, later.output
    assert "cannot be mailed" not in later.output  # no week written off
    assert mailed(inbox) == [
        (recipient, str(week)) for week in (last.shift(-1), last) for recipient in recipients
    ]


@pytest.mark.parametrize("mailing", ["enabled", "--email"])
@pytest.mark.parametrize(("settings", "named"), MAIL_MISTAKES)
def test_settings_that_cannot_mail_are_refused_before_anything_is_written(
    tmp_path, monkeypatch, mailing, settings, named
):
    if mailing == "--email":
        settings = settings.replace("enabled = true", "enabled = false")
    config = mail_settings(tmp_path, monkeypatch, settings)
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db), "--config", str(config)]
    if mailing == "--email":
        arguments.append("--email")
    result = CliRunner().invoke(digest_command, arguments)
    assert result.exit_code == 2, result.output
    (line,) = result.output.splitlines()
    if mailing == "enabled":  # the line `status` and `run` give for the same settings
        status = CliRunner().invoke(status_command, ["--db", str(db), "--config", str(config)])
        assert (status.exit_code, status.output) == (2, result.output)
    assert line.startswith(f"Error: {config}: ") and named in line, line
    assert not out.exists()


def public_site(tmp_path) -> list[str]:
    """The ``--config`` option of settings whose ``digest.site_url`` is a public address:
    serve on port 0 says nothing on stderr of the port the default one names."""
    config = tmp_path / "public-site.toml"
    config.write_text('[digest]\nsite_url = "https://news.example.org/"\n')
    return ["--config", str(config)]


def test_serve_stopped_by_ctrl_c_exits_0(tmp_path):
    """Ctrl-C is how serve is stopped: its normal end, not a failure or an interruption."""
    (tmp_path / "public").mkdir()
    args = ["serve", "--out", str(tmp_path / "public"), "--port", "0", *public_site(tmp_path)]
    with started_from_a_terminal(*args) as serve:
        assert serve.stdout.readline().startswith("Serving ")
        out, err = ctrl_c(serve)
    assert (serve.returncode, out, err) == (0, "Stopped.\n", "")


def test_serve_stopped_by_sigterm_exits_0(tmp_path):
    """SIGTERM is how a service manager stops it (``docker stop``, systemd): the same normal
    end as Ctrl-C, not death by a signal, nor, as a container's pid 1, a signal ignored."""
    (tmp_path / "public").mkdir()
    args = ["serve", "--out", str(tmp_path / "public"), "--port", "0", *public_site(tmp_path)]
    with started_from_a_terminal(*args) as serve:
        assert serve.stdout.readline().startswith("Serving ")
        serve.send_signal(signal.SIGTERM)
        out, err = serve.communicate(timeout=60)
    assert (serve.returncode, out, err) == (0, "Stopped.\n", "")


def test_the_mail_of_a_week_whose_crawls_were_blocked_opens_saying_so(tmp_path):
    db = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    for source in SOURCES:
        crawled(store, source, "2024-08-21", "blocked", ROBOTS_UNREACHABLE)
    store.close()
    with smtp_sink() as inbox:
        result = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], Week(2024, 34))
    assert result.exit_code == 0, result.output
    message = message_from_bytes(inbox.messages[0][1], policy=policy.default)
    text, html = message.iter_parts()
    opening = (
        "No relevant items found this week, but thaigov.go.th and mdes.go.th could not be "
        "crawled (blocked: robots.txt unreachable: connection refused): see Source health."
    )
    assert text.get_content().replace("\r\n", "\n").split("\n\n")[2] == opening
    assert f"<p>{opening}</p>" in html.get_content()


def test_only_operators_get_the_source_health_and_everyone_the_week_once(tmp_path):
    """Every recipient got the Source health, which only those who run the crawls can act on."""
    last = Week.last_complete(utc_now())
    week = last.shift(-1)
    db = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    for source in SOURCES:
        crawled(store, source, week.monday.isoformat(), "blocked", ROBOTS_UNREACHABLE)
    store.close()
    recipients, operators = (
        ["ops@example.org", "a@example.org"],
        'operators = ["OPS@Example.org"]\n',
    )
    failed = mail_weeks(tmp_path, db, free_port(), recipients, week, email=operators)
    assert failed.exit_code == 1  # both owed the week, each its own text
    # One session for both texts, so one failure counting every recipient.
    assert failed.output.count(f"mailing digest {week} through") == 1
    assert "failed after 0 of 2 recipients: connection refused" in failed.output
    with smtp_sink() as inbox:
        # The owed week is mailed from its file, before the week asked for.
        result = mail_weeks(tmp_path, db, inbox.port, recipients, last, email=operators)
        assert result.exit_code == 0, result.output
        assert f"mailed ops@example.org the digest of {week}" in result.output
        assert f"mailed a@example.org the digest of {week}" in result.output
        texts = {}
        for (recipient,), content in inbox.messages:
            message = message_from_bytes(content, policy=policy.default)
            if message["Subject"].endswith(f"week {week}"):
                text, html = message.iter_parts()
                texts[recipient] = (text.get_content().replace("\r\n", "\n"), html.get_content())
        again = mail_weeks(tmp_path, db, inbox.port, recipients, week, last, email=operators)
        assert again.exit_code == 0 and "already mailed a@example.org" in again.output
        assert sorted(mailed(inbox)) == sorted(
            (recipient, str(each)) for recipient in recipients for each in (week, last)
        )
    assert sorted(texts) == ["a@example.org", "ops@example.org"]
    ops_text, ops_html = texts["ops@example.org"]
    assert "## Source health" in ops_text and "Source health</h2>" in ops_html
    assert ops_text.split("\n\n")[2].endswith("connection refused): see Source health.")
    reader_text, reader_html = texts["a@example.org"]
    assert "Source health" not in reader_text and "Source health" not in reader_html
    assert reader_text.split("\n\n")[2:] == [  # nothing after it
        "No relevant items found this week, but thaigov.go.th and mdes.go.th could not be "
        "crawled (blocked: robots.txt unreachable: connection refused).\n"
    ]


def test_an_operator_who_is_no_recipient_is_refused_before_anything_is_written(tmp_path):
    operators = 'operators = ["ops@example.org"]\n'
    result = mail_weeks(
        tmp_path, stored(tmp_path), free_port(), ["a@example.org"], Week(2024, 34), email=operators
    )
    assert result.exit_code == 2
    assert (
        'email.operators: "ops@example.org" is not one of email.recipients: list it there too'
        in result.output
    )
    assert not (tmp_path / "public").exists()


def watched_long_ago(db: Path) -> None:
    """A database file at ``db`` whose thaigov was crawled in 2024: every week since is
    mailed, with nothing in it."""
    store = Store(f"sqlite:///{db}")
    crawled(store, "thaigov", "2024-08-21", "ok")
    store.close()


def test_a_run_killed_while_mailing_an_operator_leaves_the_readers_owed_the_week(tmp_path):
    """The operators' text was mailed in a session of its own, and the readers were owed
    the week only once theirs opened: a run killed before then left them neither mailed
    nor owed it, and no later run mailed it to them."""
    last = Week.last_complete(utc_now())
    week = last.shift(-1)
    db = tmp_path / "db.sqlite"
    watched_long_ago(db)
    recipients = ["ops@example.org", "a@example.org", "b@example.org"]
    operators = 'operators = ["ops@example.org"]\n'
    inbox = HeldInbox()
    controller = LoopbackController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    config = email_config(tmp_path, controller.port, recipients, email=operators)
    command = [sys.executable, "-m", "thaidigest", "digest", "--week", str(week)]
    command += ["--out", str(tmp_path / "public"), "--db", str(db), "--config", str(config)]
    run = subprocess.Popen([*command, "--email"], stdout=subprocess.PIPE, text=True)
    try:
        assert inbox.holding.wait(60), "the run never reached DATA"
        run.kill()  # while its server takes the operator's message
        run.communicate(timeout=60)
    finally:
        inbox.release.set()
        controller.stop()
    store = Store(f"sqlite:///{db}")
    assert owed(store, recipients, week).due == {week: recipients}
    store.close()
    with smtp_sink() as sink:
        result = mail_weeks(tmp_path, db, sink.port, recipients, last, email=operators)
    assert {("a@example.org", str(week)), ("b@example.org", str(week))} <= set(mailed(sink))
    assert f"mailed a@example.org the digest of {week}" in result.output


def test_a_run_killed_while_mailing_an_owed_week_leaves_its_own_week_owed(tmp_path):
    """The week a run built was owed only once its own session opened, after those owed
    from before: a run killed while it mailed one of those left the new week written but
    owed to no one, and no later run, which builds only the weeks after it, mailed it."""
    last = Week.last_complete(utc_now())
    old = last.shift(-1)
    db = tmp_path / "db.sqlite"
    watched_long_ago(db)
    recipients = ["a@example.org", "b@example.org"]
    assert mail_weeks(tmp_path, db, free_port(), recipients, old).exit_code == 1  # owed now
    inbox = HeldInbox()
    controller = LoopbackController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    config = email_config(tmp_path, controller.port, recipients)
    command = [sys.executable, "-m", "thaidigest", "digest", "--week", str(last)]
    command += ["--out", str(tmp_path / "public"), "--db", str(db), "--config", str(config)]
    run = subprocess.Popen([*command, "--email"], stdout=subprocess.PIPE, text=True)
    try:
        assert inbox.holding.wait(60), "the run never reached DATA"
        run.kill()  # while its server takes the older week's first message
        run.communicate(timeout=60)
    finally:
        inbox.release.set()
        controller.stop()
    assert written_weeks(tmp_path) == [str(old), str(last)]
    store = Store(f"sqlite:///{db}")
    try:
        assert owed(store, recipients, old).due == {old: recipients, last: recipients}
    finally:
        store.close()
    with smtp_sink() as sink:  # a later run, which builds no digest of that week again
        result = mail_weeks(tmp_path, db, sink.port, recipients, old)
    assert result.exit_code == 0, result.output
    assert {(recipient, str(last)) for recipient in recipients} <= set(mailed(sink))
    assert f"mailed b@example.org the digest of {last}" in result.output


def test_those_mailed_are_said_though_another_of_the_session_was_refused(tmp_path):
    """One refused recipient failed the session's report: no "mailed" line was printed
    for those who got the week."""
    db = stored(tmp_path)
    recipients = ["a@example.org", "b@example.org", "c@example.org"]
    with smtp_sink() as inbox:
        inbox.refuse.add("b@example.org")
        result = mail_weeks(tmp_path, db, inbox.port, recipients, Week(2024, 34))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert {"mailed a@example.org", "mailed c@example.org"} <= set(lines)
    assert lines[-1] == (
        "Error: the digest files are written, but digest 2024-W34 not mailed to 1 "
        "recipient: b@example.org: 550 5.1.1 no such mailbox"
    )


class ClosingInbox(Inbox):
    """An inbox that answers the ``command`` (RCPT or DATA) for b@example.org with a 421,
    which closes the session (RFC 5321, 3.8)."""

    ANSWER = "421 4.7.0 too many messages, closing"

    def __init__(self, command):
        super().__init__()
        self.command = command

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.command == "RCPT" and address == "b@example.org":
            return self.ANSWER
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        if self.command == "DATA" and envelope.rcpt_tos == ["b@example.org"]:
            return self.ANSWER
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("command", ["RCPT", "DATA"])
def test_a_421_stops_the_session_and_is_said_with_whom_it_left_unmailed(tmp_path, command):
    """After a 421 the next recipient's send found the connection closed and the run said
    "connection closed before the answer ended": the server's own answer was lost."""
    db = stored(tmp_path)
    recipients = ["a@example.org", "b@example.org", "c@example.org"]
    inbox = ClosingInbox(command)
    controller = LoopbackController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        result = mail_weeks(tmp_path, db, controller.port, recipients, Week(2024, 34))
    finally:
        controller.stop()
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: the digest files are written, but digest 2024-W34 not mailed to 2 "
        f"recipients: b@example.org: {ClosingInbox.ANSWER}; c@example.org: not tried, as the "
        "server closed the connection when it refused b@example.org"
    )
    assert "mailed a@example.org" in result.output.splitlines()
    with smtp_sink() as sink:
        again = mail_weeks(tmp_path, db, sink.port, recipients, Week(2024, 34))
    assert again.exit_code == 0, again.output
    assert mailed(sink) == [("b@example.org", "2024-W34"), ("c@example.org", "2024-W34")]


class FailingAtMailInbox(Inbox):
    """An inbox that refuses b@example.org (550) and then fails the session at the next
    MAIL FROM, c@example.org's: with ``answer``, or, with none, by hanging up."""

    def __init__(self, answer):
        super().__init__()
        self.answer = answer
        self.refuse.add("b@example.org")
        self.mails = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mails += 1
        if self.mails == 3:  # a@, b@, then c@
            if self.answer is None:
                server.transport.close()
            return self.answer or "250 OK"
        envelope.mail_from = address
        return "250 OK"


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ("451 4.3.0 try again later", "451 4.3.0 try again later"),
        ("421 4.7.0 closing", "421 4.7.0 closing"),
        (None, "connection closed before the answer ended"),
    ],
    ids=["451", "421", "hung up"],
)
def test_a_session_failing_after_a_refusal_says_the_refusal_and_those_mailed(
    tmp_path, answer, said
):
    """A session that failed after a recipient was refused said only its last failure, as
    if every recipient not mailed had failed for it, and the refusal's own reason was lost."""
    db = stored(tmp_path)
    recipients = ["a@example.org", "b@example.org", "c@example.org", "d@example.org"]
    inbox = FailingAtMailInbox(answer)
    controller = LoopbackController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        result = mail_weeks(tmp_path, db, controller.port, recipients, Week(2024, 34))
    finally:
        controller.stop()
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "mailed a@example.org" in lines
    assert lines[-1] == (
        "Error: the digest files are written, but mailing digest 2024-W34 through "
        f"127.0.0.1:{controller.port} failed after 1 of 4 recipients: {said} "
        "(c@example.org, d@example.org not mailed); b@example.org: 550 5.1.1 no such mailbox"
    )
    with smtp_sink() as sink:
        again = mail_weeks(tmp_path, db, sink.port, recipients, Week(2024, 34))
    assert again.exit_code == 0, again.output
    assert mailed(sink) == [
        (r, "2024-W34") for r in ("b@example.org", "c@example.org", "d@example.org")
    ]


def test_weeks_before_any_site_was_watched_are_neither_built_nor_mailed_nor_owed(tmp_path):
    """A first mailing run on a database whose sites were first crawled last week mailed
    every recipient the weeks before too, each "No relevant items this week.", as if quiet;
    then it built them without mailing them; a catch-up builds only the weeks watched."""
    last = Week.last_complete(utc_now())
    db = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    raw = article(1, "ASEAN digital ministers meet")
    first_find = last.start().astimezone(UTC).isoformat(timespec="minutes")[:16]
    ingest(store, [raw], first_find)  # the first article found, early in the last week
    mark(store, raw, topics=["asean"])
    store.close()
    with smtp_sink() as inbox:
        mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], last.shift(-3))
        result = scheduled_digest(tmp_path, db, inbox.port)
    assert result.exit_code == 0, result.output
    assert written_weeks(tmp_path) == [str(last.shift(-3)), str(last)]
    assert "not mailed" not in result.output
    assert mailed(inbox) == [("a@example.org", str(last))]
    store = Store(f"sqlite:///{db}")
    try:
        assert owed(store, ["a@example.org"], last.shift(-10)) == Owed(due={}, overdue={})
    finally:
        store.close()


def test_a_week_of_an_import_only_database_is_mailed_once_its_text_file_was_stored(tmp_path):
    """A database fed only by ``thaidigest import`` of text files (source ``file``) has no
    site ever watched: with mail on, none of its weeks was mailed."""
    db = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    raw = RawArticle(
        url="file:///home/me/seeds/001.txt",
        source="file",
        title="ASEAN digital ministers meet",
        body="First paragraph of the article.\nSecond paragraph.",
    )
    ingest(store, [raw], "2024-08-20T03:00")
    mark(store, raw, topics=["asean"])
    store.close()
    with smtp_sink() as inbox:
        result = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], Week(2024, 34))
        before = mail_weeks(tmp_path, db, inbox.port, ["b@example.org"], Week(2024, 33))
    assert result.exit_code == 0, result.output
    assert "not mailed" not in result.output
    assert (
        "digest 2024-W33: not mailed: it lists no story, and nothing was crawled or imported "
        "by its end" in before.output
    )
    assert mailed(inbox) == [("a@example.org", "2024-W34")]


def test_a_week_nothing_was_watched_in_that_lists_a_story_found_later_is_mailed(tmp_path):
    """A site's first crawl finds stories published the week before: that week lists them,
    though nothing was crawled by its end, and is mailed (it was built, not mailed, never
    owed, and no later run could mail it)."""
    db = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    raw = article(1, "ASEAN digital ministers meet", published=date(2024, 8, 21))  # 2024-W34
    ingest(store, [raw], "2024-08-28T03:00")  # first found in 2024-W35
    mark(store, raw, topics=["asean"])
    store.close()
    with smtp_sink() as inbox:
        result = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], Week(2024, 34))
    assert result.exit_code == 0, result.output
    assert "digest 2024-W34: 1 item" in result.output
    assert "not mailed" not in result.output
    assert mailed(inbox) == [("a@example.org", "2024-W34")]


def test_an_empty_week_nothing_was_watched_in_owed_by_an_earlier_run_is_no_longer_owed(tmp_path):
    """A week an earlier run left owed (its server unreachable), by whose end nothing was
    crawled or imported and that lists no story, is neither mailed nor written off with an
    error when built again: it is no longer owed."""
    db = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    raw = article(1, "ASEAN digital ministers meet")
    ingest(store, [raw], "2024-08-28T03:00")  # first found in 2024-W35
    owe(store, Week(2024, 33), ["a@example.org"])
    store.close()
    with smtp_sink() as inbox:
        result = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], Week(2024, 33))
    assert result.exit_code == 0, result.output
    assert "digest 2024-W33: not mailed: it lists no story" in result.output
    assert mailed(inbox) == []
    store = Store(f"sqlite:///{db}")
    try:
        assert owed(store, ["a@example.org"], Week(2024, 1)) == Owed(due={}, overdue={})
    finally:
        store.close()


def test_the_mail_links_the_weeks_page_and_feeds_but_the_files_stay_as_they_were(tmp_path):
    db, week = stored(tmp_path), Week(2024, 34)
    with smtp_sink() as inbox:
        plain = mail_weeks(tmp_path, db, inbox.port, ["a@example.org"], week, out="plain")
        site = 'site_url = "https://news.example.org/"'
        leave = 'unsubscribe = "mailto:leave@example.org?subject={recipient}"'
        footed = mail_weeks(
            tmp_path, db, inbox.port, ["b@example.org"], week, digest=site, email=leave
        )
    assert plain.exit_code == 0 and footed.exit_code == 0, footed.output
    texts = {}
    for (recipient,), content in inbox.messages:
        parts = message_from_bytes(content, policy=policy.default).iter_parts()
        texts[recipient] = next(parts).get_content().replace("\r\n", "\n")
    assert "-- \n" not in texts["a@example.org"]  # a loopback site_url, no unsubscribe set
    assert texts["b@example.org"].endswith(
        "\n-- \nThis digest on the web: <https://news.example.org/digests/2024-W34.html>\n"
        "Feed of every story: <https://news.example.org/feed.atom>\n"
        "Feed of the digests: <https://news.example.org/digests.atom>\n"
        "All digests and feeds: <https://news.example.org/>\n"
        "Unsubscribe: <mailto:leave@example.org?subject=b@example.org>\n"
    )
    for name in ("digests/2024-W34.md", "digests/2024-W34.html"):
        assert "Unsubscribe" not in (tmp_path / "public" / name).read_text(encoding="utf-8")


HTTP_403 = {"blocked": [{"url": "https://www.thaigov.go.th/news", "status": 403}]}


@pytest.mark.parametrize(
    ("thaigov_runs", "said"),
    [
        (
            [("2024-08-21", "blocked"), ("2024-08-22", "blocked")],
            "thaigov.go.th could not be read this week (blocked), so its news may be missing.",
        ),
        # Read for part of the week: no news to a reader, Source health tells the operators.
        ([("2024-08-20", "ok"), ("2024-08-22", "blocked"), ("2024-08-23", "failed")], None),
        ([("2024-08-20", "ok"), ("2024-08-22", "stopped")], None),  # a shutdown: read again
    ],
)
def test_readers_are_told_in_a_sentence_when_a_site_could_not_be_read(tmp_path, thaigov_runs, said):
    """Readers' copy dropped the Source health: a week whose thaigov was blocked while mdes
    had stories read as complete."""
    db = stored(tmp_path)
    store = Store(f"sqlite:///{db}")
    for day, status in thaigov_runs:
        crawled(store, "thaigov", day, status, HTTP_403 if status == "blocked" else {})
    crawled(store, "mdes", "2024-08-21", "ok")
    store.close()
    recipients = ["ops@example.org", "a@example.org"]
    with smtp_sink() as inbox:
        result = mail_weeks(
            tmp_path,
            db,
            inbox.port,
            recipients,
            Week(2024, 34),
            email='operators = ["ops@example.org"]\n',
        )
        alike = mail_weeks(tmp_path, db, inbox.port, ["b@example.org"], Week(2024, 34), out="all")
    assert result.exit_code == 0 and alike.exit_code == 0, result.output + alike.output
    texts = {}
    for (recipient,), content in inbox.messages:
        parts = message_from_bytes(content, policy=policy.default).iter_parts()
        texts[recipient] = [part.get_content().replace("\r\n", "\n") for part in parts]
    reader_text, reader_html = texts["a@example.org"]
    blocks = reader_text.split("\n\n")
    assert blocks[2].startswith("1 item from thaigov.go.th (1)")
    if said is None:
        assert "could not be read" not in reader_text
    else:
        assert blocks[3] == said
        assert f"<p>{said}</p>" in reader_html
    # The operators, and everyone without operators, get Source health, not the sentence.
    markdown = (tmp_path / "public" / "digests" / "2024-W34.md").read_text(encoding="utf-8")
    for text, _ in (texts["ops@example.org"], texts["b@example.org"]):
        assert "could not be read" not in text and "## Source health" in text
    assert "could not be read" not in markdown


def folder_contents(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in written_files(folder)}


@pytest.mark.parametrize(
    "name",
    ["index.html", "feed.rss", "feed.atom", "feed.json", "digests.atom", "feeds.opml"],
)
def test_a_users_own_file_where_the_digest_writes_is_refused_and_left_as_it_was(tmp_path, name):
    """`digest --out .` in a folder holding the user's own index.html replaced it silently."""
    db, out = stored(tmp_path), tmp_path / "mine"
    out.mkdir()
    mine = out / name
    mine.write_bytes(b"<h1>mine</h1>\n")
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db), "--served-locally"]
    result = CliRunner().invoke(digest_command, arguments)
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"Error: {mine}: a file thaidigest did not write, which the digest would replace; "
        f"no file was written: choose another folder for --out, or move it out of {out}\n"
    )
    assert folder_contents(out) == {mine: b"<h1>mine</h1>\n"}  # nothing half-written


def test_a_users_own_file_a_week_writes_is_refused_before_anything_is_written(tmp_path):
    """The week's page is known only to the build: refused there, the folder as it was."""
    db, out = stored(tmp_path), tmp_path / "mine"
    mine = out / "digests" / "2024-W34.html"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"<p>my notes of the week</p>\n")
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[digest]\nout = "{out}"\n')
    arguments = ["--week", "2024-W34", "--config", str(config), "--db", str(db)]
    result = CliRunner().invoke(digest_command, [*arguments, "--served-locally"])
    assert result.exit_code == 2, result.output
    assert f"Error: {mine}: a file thaidigest did not write" in result.output
    assert "choose another folder for digest.out, or move it" in result.output
    assert folder_contents(out) == {mine: b"<p>my notes of the week</p>\n"}


@pytest.mark.parametrize(
    ("name", "week", "unwritten"),
    [
        ("index.html", "2024-W35", "no file"),  # refused before the database opens
        ("feeds.opml", "2024-W35", "no file"),
        ("feed.atom", "2024-W35", "no file"),  # its generator still thaidigest
        ("digests/2024-W34.md", "2024-W34", "no file of 2024-W34"),  # corrected by hand
        ("topics/ai.json", "2024-W35", "no file of 2024-W35"),
        ("partners/org-asean.atom", "2024-W35", "no file of 2024-W35"),
    ],
)
def test_a_file_the_digest_wrote_and_the_user_edited_is_refused_and_kept(
    tmp_path, name, week, unwritten
):
    """Every file of a folder a digest wrote was replaced by the next build, the user's
    edits lost: a page or a feed holding what no build left there is the user's now."""
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, ["--week", "2024-W34", *arguments]).exit_code == 0
    edited = out / name
    edited.write_bytes(edited.read_bytes() + b"<!-- my note -->\n")
    before = folder_contents(out)

    result = CliRunner().invoke(digest_command, ["--week", week, *arguments])

    assert result.exit_code == 2, result.output
    assert result.output == (
        f"Error: {edited}: a file changed since thaidigest wrote it, which the digest would "
        f"replace; {unwritten} was written: choose another folder for --out, or move it out "
        f"of {out} (or, if thaidigest wrote it, delete {out / WRITTEN})\n"
    )
    assert folder_contents(out) == before
    edited.rename(tmp_path / "mine")  # moved out, as the error says: the next build writes it
    again = CliRunner().invoke(digest_command, ["--week", week, *arguments])
    assert again.exit_code == 0, again.output
    assert b"my note" not in edited.read_bytes()


def test_a_page_copied_back_from_a_build_before_the_last_is_thaidigests_still(tmp_path):
    """The record held the content of the last build alone: an index.html restored from a
    copy of the build before, unchanged, was refused as changed since thaidigest wrote it."""
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, ["--week", "2024-W34", *arguments]).exit_code == 0
    index = out / "index.html"
    earlier = index.read_bytes()
    assert CliRunner().invoke(digest_command, ["--week", "2024-W35", *arguments]).exit_code == 0
    latest = index.read_bytes()
    assert latest != earlier  # it lists 2024-W35 now
    index.write_bytes(earlier)  # copied back from a backup of the build before

    again = CliRunner().invoke(digest_command, ["--week", "2024-W35", *arguments])

    assert again.exit_code == 0, again.output
    assert index.read_bytes() == latest
    index.write_bytes(earlier + b"<!-- my note -->\n")  # edited: the user's still
    edited = CliRunner().invoke(digest_command, ["--week", "2024-W35", *arguments])
    assert edited.exit_code == 2, edited.output
    assert f"{index}: a file changed since thaidigest wrote it" in edited.output


def test_a_build_that_kept_no_record_leaves_it_stale_not_the_folder_refused(tmp_path):
    """One build by a thaidigest keeping no record (an older image writing the volume) left
    the record behind every file it changed: the folder was refused for good, status
    unhealthy. Its top feeds, changed and marked as thaidigest's, say the record is stale."""
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, ["--week", "2024-W34", *arguments]).exit_code == 0
    record = (out / WRITTEN).read_bytes()
    assert CliRunner().invoke(digest_command, ["--week", "2024-W35", *arguments]).exit_code == 0
    (out / WRITTEN).write_bytes(record)  # as a build keeping no record leaves it

    again = CliRunner().invoke(digest_command, ["--week", "2024-W36", *arguments])

    assert again.exit_code == 0, again.output
    assert (out / "digests" / "2024-W36.md").is_file()
    assert (out / WRITTEN).read_bytes() != record  # recorded afresh: an edit now is refused
    (out / "index.html").write_text("<h1>mine</h1>\n")
    edited = CliRunner().invoke(digest_command, ["--week", "2024-W36", *arguments])
    assert edited.exit_code == 2, edited.output
    assert f"{out / 'index.html'}: a file changed since thaidigest wrote it" in edited.output


def test_a_users_own_file_where_a_new_week_of_a_digest_folder_writes_is_refused(tmp_path):
    """In a folder a digest wrote, any file but a feed was taken for thaidigest's."""
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, ["--week", "2024-W34", *arguments]).exit_code == 0
    mine = out / "digests" / "2024-W35.html"
    mine.write_bytes(b"<p>my notes of the week</p>\n")
    before = folder_contents(out)
    result = CliRunner().invoke(digest_command, ["--week", "2024-W35", *arguments])
    assert result.exit_code == 2, result.output
    assert f"Error: {mine}: a file thaidigest did not write, which the digest would replace; " in (
        result.output
    )
    assert folder_contents(out) == before


def test_status_names_a_page_the_user_edited_in_a_digest_jobs_folder(tmp_path):
    db, out = stored(tmp_path), tmp_path / "site"
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, arguments).exit_code == 0
    (out / "index.html").write_text("<h1>mine</h1>\n")
    schedule = a_digest_job_writing(tmp_path, out)
    result = CliRunner().invoke(status_command, ["--schedules", str(schedule), "--db", str(db)])
    assert result.exit_code == 1, result.output
    assert (
        f"unhealthy: digest: {out / 'index.html'}: a file changed since thaidigest wrote it, "
        f"which the digest would replace: no digest is written in {out} until it is moved out "
        f"of it, or another folder is chosen for {schedule}: job 'digest'"
    ) in result.output


def test_a_folder_whose_top_files_and_record_were_deleted_keeps_its_weeks_published(tmp_path):
    # The record and every top file deleted by hand: the next build publishes the weeks'
    # digests it finds, and so must the one after it (it recorded the page of each week but
    # not its Markdown, and dropped every week but the one built from the archive).
    db, out = stored(tmp_path), tmp_path / "public"
    common = ["--out", str(out), "--db", str(db), "--served-locally"]
    for week in ("2024-W34", "2024-W35"):
        assert CliRunner().invoke(digest_command, ["--week", week, *common]).exit_code == 0
    for name in (WRITTEN, *TOP_FILES):
        (out / name).unlink()
    for _ in range(2):
        built = CliRunner().invoke(digest_command, ["--week", "2024-W35", *common])
        assert built.exit_code == 0, built.output
        assert "not published" not in built.output
        index = (out / "index.html").read_text(encoding="utf-8")
        assert 'href="digests/2024-W34.html"' in index
        assert 'href="digests/2024-W35.html"' in index


def test_a_past_week_of_a_folder_an_earlier_thaidigest_wrote_is_built_again(tmp_path):
    """The first build that records what it wrote takes the digests already in a folder an
    earlier thaidigest wrote for its own: a later build of their week writes them again."""
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, ["--week", "2024-W34", *arguments]).exit_code == 0
    (out / WRITTEN).unlink()  # as an earlier thaidigest left the folder
    past = out / "digests" / "2024-W34.md"
    past.write_text(past.read_text() + "\nwritten so by an earlier thaidigest\n")
    assert CliRunner().invoke(digest_command, ["--week", "2024-W35", *arguments]).exit_code == 0
    again = CliRunner().invoke(digest_command, ["--week", "2024-W34", *arguments])
    assert again.exit_code == 0, again.output
    assert "earlier thaidigest" not in past.read_text()


def test_a_users_own_markdown_named_as_a_past_week_is_not_published(tmp_path):
    """A user's notes in digests/2024-W33.md were read as that week's digest: every build
    published them as its page, an entry of digests.atom and a link in index.html."""
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, arguments).exit_code == 0
    mine = out / "digests" / "2024-W33.md"
    mine.write_text("my private notes\n")

    result = CliRunner().invoke(digest_command, arguments)

    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"WARNING: {mine}: a file thaidigest did not write, not published as a digest (no "
        "page, no entry in digests.atom, no link in index.html): move it out of "
        f"{out / 'digests'} to build the digest of 2024-W33 with --week 2024-W33\n"
    )
    assert not (out / "digests" / "2024-W33.html").exists()
    for published in ("index.html", "digests.atom", "feed.atom", "feeds.opml"):
        text = (out / published).read_text()
        assert "private" not in text and "2024-W33" not in text, published
    assert mine.read_text() == "my private notes\n"  # kept as written


def test_a_past_weeks_digest_the_user_edited_is_not_published_again(tmp_path):
    """Edited since a build wrote it, a week's Markdown is the user's (a build of its week
    refuses to replace it): the other weeks' builds do not publish it either."""
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--out", str(out), "--db", str(db), "--served-locally"]
    for week in ("2024-W33", "2024-W34"):
        assert CliRunner().invoke(digest_command, ["--week", week, *arguments]).exit_code == 0
    assert "2024-W33" in (out / "index.html").read_text()
    edited = out / "digests" / "2024-W33.md"
    edited.write_text(edited.read_text() + "\nmy own remark\n")
    page = (out / "digests" / "2024-W33.html").read_bytes()

    result = CliRunner().invoke(digest_command, ["--week", "2024-W34", *arguments])

    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        f"WARNING: {edited}: a file changed since thaidigest wrote it, not published as a "
        "digest (no page, "
    )
    assert (out / "digests" / "2024-W33.html").read_bytes() == page  # as the build wrote it
    for published in ("index.html", "digests.atom"):
        text = (out / published).read_text()
        assert "my own remark" not in text and "2024-W33" not in text, published
    assert "my own remark" in edited.read_text()


def test_status_counts_no_users_markdown_named_as_a_week_as_a_digest(tmp_path):
    """status named the user's digests/2024-W35.md as the folder's newest digest."""
    db, out = stored(tmp_path), tmp_path / "site"
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, arguments).exit_code == 0
    (out / "digests" / "2024-W35.md").write_text("my private notes\n")
    schedule = a_digest_job_writing(tmp_path, out)

    result = CliRunner().invoke(status_command, ["--schedules", str(schedule), "--db", str(db)])

    assert f"digest: {out / 'digests' / '2024-W34.md'} written " in result.output
    assert "2024-W35" not in result.output


def test_a_week_markdown_in_a_folder_an_earlier_thaidigest_wrote_is_published_as_before(
    tmp_path,
):
    """A folder without the record of what the builds wrote holds an earlier thaidigest's
    digests: each is read and published, as before the record."""
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, arguments).exit_code == 0
    (out / WRITTEN).unlink()  # as an earlier thaidigest left the folder
    (out / "digests" / "2024-W33.md").write_text("# An earlier digest\n\nits one line\n")

    result = CliRunner().invoke(digest_command, arguments)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "its one line" in (out / "digests" / "2024-W33.html").read_text()
    assert 'href="digests/2024-W33.html"' in (out / "index.html").read_text()
    assert "its one line" in (out / "digests.atom").read_text()


def test_a_folder_a_digest_wrote_is_written_again_and_a_new_or_empty_one_is_made(tmp_path):
    db = stored(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    for out in (tmp_path / "new", empty):
        arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db), "--served-locally"]
        assert CliRunner().invoke(digest_command, arguments).exit_code == 0
        first = (out / "index.html").read_bytes()
        # Its files written over by another build (another week, another site address):
        # each page and feed it writes is thaidigest's.
        again = CliRunner().invoke(
            digest_command, ["--week", "2024-W35", "--out", str(out), "--db", str(db)]
        )
        assert again.exit_code == 0, again.output
        assert (out / "digests" / "2024-W35.md").is_file()
        assert (out / "index.html").read_bytes() != first


@pytest.mark.parametrize("gone", [("feed.atom",), ("feed.atom", "feed.rss")])
def test_a_folder_a_digest_wrote_without_its_feed_atom_is_written_again(tmp_path, gone):
    """Its feed.atom deleted, or a first build cut short before moving it into place: its
    other feeds (feed.rss, digests.atom, moved first) say the folder is thaidigest's, in a
    folder an earlier thaidigest wrote (no record of what it wrote) as in one with it."""
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, ["--week", "2024-W34", *arguments]).exit_code == 0
    (out / WRITTEN).unlink()
    for name in gone:
        (out / name).unlink()
    again = CliRunner().invoke(digest_command, ["--week", "2024-W35", *arguments])
    assert again.exit_code == 0, again.output
    assert (out / "digests" / "2024-W35.md").is_file()
    assert (out / "feed.atom").is_file()


def test_a_named_pipe_where_the_digest_writes_is_refused_never_opened(tmp_path):
    """A pipe at index.html is no file thaidigest wrote; reading it waited for a writer."""
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, ["--week", "2024-W34", *arguments]).exit_code == 0
    (out / "index.html").unlink()
    os.mkfifo(out / "index.html")
    code = "import sys; from digest.commands import digest_command; digest_command(sys.argv[1:])"
    result = subprocess.run(
        [sys.executable, "-c", code, "--week", "2024-W35", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert f"{out / 'index.html'}: a file thaidigest did not write" in result.stderr


def test_a_feed_naming_thaidigest_only_in_an_entrys_source_is_not_thaidigests(tmp_path):
    """An aggregator's feed.atom with no generator of its own, one entry copied from a
    thaidigest feed (Atom's <source> names the feed it came from): the first generator
    anywhere made the feed, and so the folder, thaidigest's, and both were replaced."""
    db, out = stored(tmp_path), tmp_path / "mine"
    out.mkdir()
    theirs = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        b"<id>urn:mine</id><title>Mine</title><updated>2024-08-19T00:00:00Z</updated>"
        b"<entry><id>urn:x</id><title>x</title><updated>2024-08-19T00:00:00Z</updated>"
        b"<source><generator>thaidigest</generator></source></entry></feed>\n"
    )
    (out / "feed.atom").write_bytes(theirs)
    (out / "index.html").write_bytes(b"<h1>mine</h1>\n")
    arguments = ["--week", "2024-W34", "--out", str(out), "--db", str(db), "--served-locally"]
    result = CliRunner().invoke(digest_command, arguments)
    assert result.exit_code == 2, result.output
    assert f"{out / 'index.html'}, {out / 'feed.atom'}: files thaidigest did not write" in (
        result.output
    )
    assert folder_contents(out) == {
        out / "feed.atom": theirs,
        out / "index.html": b"<h1>mine</h1>\n",
    }


def test_a_folder_of_a_digest_whose_title_is_long_is_written_again(tmp_path):
    """digest.title comes three times before a feed's generator: 3,000 Thai characters took
    it past the first 8 KiB, and the folder's next build was refused as no digest's."""
    db, out = stored(tmp_path), tmp_path / "public"
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[digest]\ntitle = "{"ข่าว" * 750}"\n')
    arguments = ["--out", str(out), "--db", str(db), "--config", str(config), "--served-locally"]
    assert CliRunner().invoke(digest_command, ["--week", "2024-W34", *arguments]).exit_code == 0
    assert (out / "feed.rss").read_bytes().index(b"<generator>") > 8192
    (out / WRITTEN).unlink()  # as an earlier thaidigest left it: its feeds tell it
    (out / "index.html").write_text("edited")  # replaced only in a folder a digest wrote
    again = CliRunner().invoke(digest_command, ["--week", "2024-W35", *arguments])
    assert again.exit_code == 0, again.output
    assert "edited" not in (out / "index.html").read_text()


@needs_file_permissions
def test_a_digest_feed_this_user_cannot_read_is_a_write_that_fails_not_a_users_own_file(
    tmp_path,
):
    """feed.atom left mode 0000 (another user's build): it cannot be told whose it is, so it
    is left to the write, which fails reading it, no file replaced, exit 1; it was called a
    file thaidigest did not write, with index.html and the rest, exit 2: move them out."""
    db, out = stored(tmp_path), tmp_path / "public"
    arguments = ["--out", str(out), "--db", str(db), "--served-locally"]
    assert CliRunner().invoke(digest_command, ["--week", "2024-W34", *arguments]).exit_code == 0
    before = folder_contents(out)
    (out / "feed.atom").chmod(0)
    try:
        result = thaidigest_without_file_permission_overrides(
            "digest", "--week", "2024-W35", *arguments
        )
    finally:
        (out / "feed.atom").chmod(0o644)
    assert result.returncode == 1, result.stderr
    assert "did not write" not in result.stderr
    assert f"cannot write the digest in {out}: " in result.stderr
    assert "permission denied" in result.stderr.lower()
    assert folder_contents(out) == before


def a_digest_job_writing(tmp_path, out: Path) -> Path:
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "digest"\ntask = "digest"\nevery = 3600\n'
        f'args = {{ out = "{out}" }}\n'
    )
    return schedule


def test_a_user_file_in_a_digest_jobs_folder_is_a_status_problem_and_stops_no_daemon(tmp_path):
    """A web server's own index.html in a shared volume: status unhealthy, exit 1, as for a
    folder the digest cannot write; run and schedule start (the job refuses it each run)."""
    from schedules.commands import check_digest_folders, schedule_command
    from thaidigest.config import DEFAULTS

    out = tmp_path / "site"
    out.mkdir()
    mine = out / "index.html"
    mine.write_text("<h1>mine</h1>\n")
    schedule = a_digest_job_writing(tmp_path, out)
    arguments = ["--schedules", str(schedule), "--db", str(stored(tmp_path))]
    result = CliRunner().invoke(status_command, arguments)
    assert result.exit_code == 1, result.output
    assert (
        f"unhealthy: digest: {mine}: a file thaidigest did not write, which the digest would "
        f"replace: no digest is written in {out} until it is moved out of it, or another "
        f"folder is chosen for {schedule}: job 'digest'"
    ) in result.output
    check_digest_folders(load_schedule(schedule), DEFAULTS)  # run starts: no SettingsError
    listed = CliRunner().invoke(schedule_command, arguments)
    assert listed.exit_code == 0, listed.output
    assert mine.read_text() == "<h1>mine</h1>\n"


def test_status_with_a_named_pipe_in_a_digest_folder_answers_promptly(tmp_path):
    """status read whatever stood at index.html whole: a pipe hung the health check."""
    db, out = stored(tmp_path), tmp_path / "site"
    out.mkdir()
    os.mkfifo(out / "index.html")
    schedule = a_digest_job_writing(tmp_path, out)
    code = "import sys; from schedules.commands import status_command; status_command(sys.argv[1:])"
    result = subprocess.run(
        [sys.executable, "-c", code, "--schedules", str(schedule), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert f"unhealthy: digest: {out / 'index.html'}: a file thaidigest" in result.stderr
