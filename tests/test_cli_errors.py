"""Settings and database mistakes through the real command line: one line, the right status."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import (
    USER_FILE_MISTAKES,
    needs_file_permissions,
    seed_path,
    settings_naming_a_mistaken_file,
    thaidigest_in_locale,
    thaidigest_without_file_permission_overrides,
    without_file_permission_overrides,
)
from thaidigest.cli import main
from thaidigest.config import ConfigError, load_config
from thaidigest.store import Store, StoreError, database_url

WITH_CONFIG = {
    "import": ["import", "{seed}"],
    "explain": ["explain", "https://thaigov.go.th/news/contents/details/1"],
    "crawl": ["crawl", "--base-url", "http://127.0.0.1:9"],
    "digest": ["digest", "--week", "2024-W34"],
    "serve": ["serve", "--port", "0"],
    "run": ["run"],
    "status": ["status"],
}
WITH_DB = ["import", "export", "explain", "crawl", "digest", "run", "schedule", "status"]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("Error: "), output
    return lines[0]


@pytest.mark.parametrize("command", WITH_CONFIG)
def test_every_command_refuses_a_wrong_setting_with_one_line_and_status_2(command, tmp_path):
    config = tmp_path / "thaidigest.toml"
    config.write_text("[sites.thaigov]\nconcurrency = 0\n", encoding="utf-8")
    args = [part.format(seed=seed_path("001")) for part in WITH_CONFIG[command]]
    result = invoke(*args, "--config", str(config))
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert "sites.thaigov.concurrency" in line and str(config) in line


def test_status_reports_a_wrong_setting_rather_than_crashing(tmp_path):
    config = tmp_path / "thaidigest.toml"
    config.write_text('[status]\nmax_crawl_age_hours = "x"\n', encoding="utf-8")
    result = invoke("status", "--db", str(tmp_path / "db.sqlite"), "--config", str(config))
    assert result.exit_code == 2
    assert 'status.max_crawl_age_hours: must be a number, not "x"' in one_error_line(result.output)


def test_a_mistake_inside_the_rules_file_is_a_settings_error(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[nonsense]\n", encoding="utf-8")
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[relevance]\nrules = "{rules}"\n', encoding="utf-8")
    result = invoke(
        "import", str(seed_path("001")), "--db", str(tmp_path / "db"), "--config", str(config)
    )
    assert result.exit_code == 2
    assert "relevance.rules" in one_error_line(result.output)


def test_a_user_topic_named_like_a_packaged_one_is_refused_at_load(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[topics."Smart City"]\nen = ["smart district"]\n', encoding="utf-8")
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[relevance]\nrules = "{rules}"\n', encoding="utf-8")
    result = invoke(
        "import", str(seed_path("001")), "--db", str(tmp_path / "db"), "--config", str(config)
    )
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert "relevance.rules" in line and "'Smart City' and 'smart-city'" in line
    assert "smart-city.atom" in line


@pytest.mark.parametrize("kind", USER_FILE_MISTAKES)
@pytest.mark.parametrize(
    "args",
    [
        ["import", str(seed_path("001"))],
        ["digest", "--week", "2024-W34", "--served-locally"],
        ["crawl", "--base-url", "http://127.0.0.1:9"],
    ],
    ids=["import", "digest", "crawl"],
)
def test_a_mistaken_rules_partners_or_model_file_is_one_line_naming_it_and_status_2(
    args, kind, tmp_path
):
    config, refusal = settings_naming_a_mistaken_file(tmp_path, kind)
    out = ["--out", str(tmp_path / "public")] if args[0] == "digest" else []
    result = invoke(*args, *out, "--db", str(tmp_path / "db"), "--config", str(config))
    assert result.exit_code == 2
    assert one_error_line(result.output) == refusal
    assert "pickle" not in result.output
    assert not (tmp_path / "db").exists()  # refused before the database is made


def stored_rows(db: Path) -> list[str]:
    """Every row of the database ``db``, as SQL."""
    with sqlite3.connect(db) as conn:
        rows = list(conn.iterdump())
    conn.close()
    return rows


@pytest.mark.parametrize("kind", USER_FILE_MISTAKES)
@pytest.mark.parametrize(
    "args",
    [
        ["import", str(seed_path("002"))],
        ["digest", "--week", "2024-W34", "--served-locally"],
        ["crawl", "--base-url", "http://127.0.0.1:9"],
    ],
    ids=["import", "digest", "crawl"],
)
def test_a_mistaken_rules_partners_or_model_file_is_refused_before_the_database_is_written(
    args, kind, tmp_path
):
    """With a new threshold, the stored articles would be scored again: not before every
    file the scoring and the partners need is read whole."""
    db = tmp_path / "db.sqlite"
    assert invoke("import", str(seed_path("001")), "--db", str(db)).exit_code == 0
    before = stored_rows(db)
    config, refusal = settings_naming_a_mistaken_file(tmp_path, kind)
    text = config.read_text(encoding="utf-8")
    threshold = "threshold = 0.99\n"  # in the [relevance] table the file opens with, or its own
    table = "" if text.startswith("[relevance]") else "[relevance]\n"
    config.write_text(text + table + threshold, encoding="utf-8")
    out = ["--out", str(tmp_path / "public")] if args[0] == "digest" else []
    result = invoke(*args, *out, "--db", str(db), "--config", str(config))
    assert result.exit_code == 2
    assert one_error_line(result.output) == refusal
    assert stored_rows(db) == before
    assert not (tmp_path / "public").exists()


@pytest.mark.parametrize("kind", USER_FILE_MISTAKES)
def test_explain_refuses_a_mistaken_rules_partners_or_model_file_before_naming_the_article(
    kind, tmp_path
):
    db = str(tmp_path / "db")
    assert invoke("import", str(seed_path("001")), "--db", db).exit_code == 0
    config, refusal = settings_naming_a_mistaken_file(tmp_path, kind)
    result = invoke("explain", str(seed_path("001")), "--db", db, "--config", str(config))
    assert result.exit_code == 2
    assert one_error_line(result.output) == refusal  # no headline or URL before it


def test_a_user_topic_whose_name_shows_nothing_is_refused_at_load(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[topics."\\u200b\\u200e"]\nen = ["quantum"]\n', encoding="utf-8")
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[relevance]\nrules = "{rules}"\n', encoding="utf-8")
    result = invoke(
        "import", str(seed_path("001")), "--db", str(tmp_path / "db"), "--config", str(config)
    )
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert "relevance.rules" in line and "'\\u200b\\u200e' has a name that shows nothing" in line


def test_user_topics_whose_names_look_alike_are_refused_before_the_digest_writes(tmp_path):
    # "ไต้หวัน", the same with a space after it and with a zero-width space after it:
    # three feeds and one section "ไต้หวัน (2)" of one name a reader could not tell apart.
    db = str(tmp_path / "db")
    assert invoke("import", str(seed_path("001")), "--db", db).exit_code == 0
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[topics."ไต้หวัน"]\nth = ["ไต้หวัน"]\n[topics."ไต้หวัน "]\nth = ["ไต้หวัน"]\n'
        '[topics."ไต้หวัน\\u200b"]\nth = ["ไต้หวัน"]\n',
        encoding="utf-8",
    )
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[relevance]\nrules = "{rules}"\n', encoding="utf-8")
    out = tmp_path / "public"
    result = invoke("digest", "--db", db, "--config", str(config), "--out", str(out))
    assert result.exit_code == 2
    assert one_error_line(result.output) == (
        f"Error: relevance.rules: {rules}: topics 'ไต้หวัน' and 'ไต้หวัน ' are one name written"
        " two ways (they differ only in white space, invisible characters, Unicode"
        " normalisation or case): give one another name, or write its terms under the"
        " other's name to add them to that topic"
    )
    assert not out.exists()


def test_the_current_folder_given_as_the_settings_file_is_named_a_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("status", "--config", ".")
    assert result.exit_code == 2
    assert one_error_line(result.output) == "Error: .: is a folder, not a settings file"


@pytest.mark.parametrize("command", WITH_DB)
def test_an_empty_db_option_is_an_error_not_the_default(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [part.format(seed=seed_path("001")) for part in WITH_CONFIG.get(command, [command])]
    result = invoke(*args, "--db", "")
    assert result.exit_code == 2
    assert "--db is empty" in one_error_line(result.output)
    assert not (tmp_path / "data").exists()  # the default database was not made


@pytest.mark.parametrize("blank", ["", "  "])
@pytest.mark.parametrize("command", WITH_DB)
def test_an_empty_db_variable_is_an_error_not_the_default(command, blank, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("THAIDIGEST_DB", blank)
    args = [part.format(seed=seed_path("001")) for part in WITH_CONFIG.get(command, [command])]
    result = invoke(*args)
    assert result.exit_code == 2
    assert "THAIDIGEST_DB is set but empty" in one_error_line(result.output)
    assert not (tmp_path / "data").exists()  # the default database was not made


def test_an_empty_db_variable_is_refused_where_the_scrapy_crawl_reads_it(monkeypatch):
    monkeypatch.setenv("THAIDIGEST_DB", "")
    with pytest.raises(StoreError, match="THAIDIGEST_DB is set but empty"):
        database_url(None)


WITH_SETTINGS = {**WITH_CONFIG, "schedule": ["schedule"]}  # every command with --config
WITH_SCHEDULES = ["run", "schedule", "status"]


def in_a_folder_with_broken_settings(tmp_path: Path, monkeypatch) -> None:
    """Run from a folder whose ./thaidigest.toml, the default settings, is no TOML: a
    command that fell back on the defaults would stop there, not run a daemon or a server."""
    (tmp_path / "thaidigest.toml").write_text("[digest\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)


def command_args(command: str) -> list[str]:
    return [part.format(seed=seed_path("001")) for part in WITH_SETTINGS.get(command, [command])]


@pytest.mark.parametrize("blank", ["", "  "])
@pytest.mark.parametrize("command", WITH_SETTINGS)
def test_an_empty_config_option_is_an_error_not_the_defaults(command, blank, tmp_path, monkeypatch):
    in_a_folder_with_broken_settings(tmp_path, monkeypatch)
    result = invoke(*command_args(command), "--config", blank)
    assert result.exit_code == 2
    assert one_error_line(result.output) == "Error: --config is empty: give a settings file"


@pytest.mark.parametrize("blank", ["", "  "])
@pytest.mark.parametrize("command", WITH_SETTINGS)
def test_an_empty_config_variable_is_an_error_not_the_defaults(
    command, blank, tmp_path, monkeypatch
):
    in_a_folder_with_broken_settings(tmp_path, monkeypatch)
    monkeypatch.setenv("THAIDIGEST_CONFIG", blank)
    result = invoke(*command_args(command))
    assert result.exit_code == 2
    assert one_error_line(result.output) == (
        "Error: THAIDIGEST_CONFIG is set but empty: give a settings file, or unset it"
    )


def test_a_config_option_wins_over_an_empty_config_variable(tmp_path, monkeypatch):
    in_a_folder_with_broken_settings(tmp_path, monkeypatch)
    monkeypatch.setenv("THAIDIGEST_CONFIG", "")
    config = tmp_path / "mine.toml"
    config.write_text("[status]\nmax_crawl_age_hours = 1\n", encoding="utf-8")
    result = invoke("schedule", "--config", str(config), "--db", str(tmp_path / "none.sqlite"))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("blank", ["", "  "])
def test_an_empty_config_variable_is_refused_where_the_scrapy_crawl_reads_it(
    blank, tmp_path, monkeypatch
):
    in_a_folder_with_broken_settings(tmp_path, monkeypatch)
    monkeypatch.setenv("THAIDIGEST_CONFIG", blank)
    with pytest.raises(ConfigError, match="THAIDIGEST_CONFIG is set but empty"):
        load_config()


@pytest.mark.parametrize("blank", ["", "  "])
@pytest.mark.parametrize("command", WITH_SCHEDULES)
def test_an_empty_schedules_option_is_an_error_not_the_packaged_schedule(
    command, blank, tmp_path, monkeypatch
):
    in_a_folder_with_broken_settings(tmp_path, monkeypatch)
    result = invoke(command, "--schedules", blank)
    assert result.exit_code == 2
    assert one_error_line(result.output) == "Error: --schedules is empty: give a schedule file"


@pytest.mark.parametrize("blank", ["", "  "])
@pytest.mark.parametrize("command", WITH_SCHEDULES)
def test_an_empty_schedules_variable_is_an_error_not_the_packaged_schedule(
    command, blank, tmp_path, monkeypatch
):
    in_a_folder_with_broken_settings(tmp_path, monkeypatch)
    monkeypatch.setenv("THAIDIGEST_SCHEDULES", blank)
    result = invoke(command)
    assert result.exit_code == 2
    assert one_error_line(result.output) == (
        "Error: THAIDIGEST_SCHEDULES is set but empty: give a schedule file, or unset it"
    )


@pytest.mark.parametrize("command", ["status", "export", "import"])
def test_a_file_that_is_not_a_database_is_one_line_naming_it(command, tmp_path):
    db = tmp_path / "notes.sqlite"
    db.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    args = [part.format(seed=seed_path("001")) for part in WITH_CONFIG.get(command, [command])]
    result = invoke(*args, "--db", str(db))
    assert result.exit_code == 1
    assert one_error_line(result.output) == f"Error: database {db}: file is not a database"


@pytest.mark.parametrize("command", ["status", "export", "import"])
def test_a_schema_version_that_is_no_number_is_one_line_naming_the_database(command, tmp_path):
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    with sqlite3.connect(db) as conn:  # a meta table edited by hand
        conn.execute("UPDATE meta SET value = 'abc' WHERE key = 'schema_version'")
    conn.close()
    before = db.read_bytes()
    args = [part.format(seed=seed_path("001")) for part in WITH_CONFIG.get(command, [command])]
    result = invoke(*args, "--db", str(db))
    assert result.exit_code == 1
    assert one_error_line(result.output) == (
        f"Error: database {db}: its schema version 'abc' is not a whole number"
    )
    assert db.read_bytes() == before


@pytest.mark.skipif(
    without_file_permission_overrides() is None,
    reason="as root, needs setpriv to drop the right to write a file without permission",
)
@pytest.mark.parametrize("command", ["import", "digest"])
def test_a_database_file_made_read_only_is_one_line_naming_the_file_to_make_writable(
    command, tmp_path
):
    """The file read-only (its folder can be written): which file this user cannot write;
    then, the file made writable again, the ``-shm`` file its read-only open left beside it,
    read-only as the file was (before: SQLite's words alone, both times). Reading it is not
    refused."""
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    db.chmod(0o444)
    args = [part.format(seed=seed_path("001")) for part in WITH_CONFIG[command]]
    args += ["--out", str(tmp_path / "public")] if command == "digest" else []

    def run(*arguments: str) -> subprocess.CompletedProcess:
        command_line = [sys.executable, "-m", "thaidigest", *arguments, "--db", str(db)]
        prefix = without_file_permission_overrides()
        return subprocess.run([*prefix, *command_line], capture_output=True, text=True, timeout=120)

    refused = f"Error: database {db}: permission denied"
    result = run(*args)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == f"{refused} (the file cannot be written by this user)"
    assert "Error" not in run("status").stderr  # unhealthy, as no crawl ran: exit 1
    db.chmod(0o644)
    result = run(*args)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"{refused} (the file {db}-shm beside it cannot be written by this user)"
    )


# What this user may not do to a database: (the file's mode, its folder's mode), what the
# refusal says of it, and the commands refused.
DENIED = {
    "file-unreadable": (
        0o000,
        0o755,
        "the file cannot be read by this user",
        ["export", "status", "import", "crawl", "digest"],
    ),
    "file-read-only": (0o444, 0o755, "the file cannot be written by this user", ["import"]),
    "folder-closed": (
        0o644,
        0o644,
        "the folder {folder} cannot be entered by this user",
        ["export", "import"],
    ),
    "folder-read-only": (
        0o644,
        0o555,
        "the folder {folder} cannot be written by this user",
        ["export", "import"],
    ),
}


@needs_file_permissions
@pytest.mark.parametrize(
    ("case", "command"),
    [(case, command) for case, (*_, commands) in DENIED.items() for command in commands],
)
def test_a_database_this_user_may_not_use_says_permission_denied_and_what(case, command, tmp_path):
    """SQLite says only `unable to open database file`; a folder that cannot be entered was
    a PermissionError traceback."""
    file_mode, folder_mode, lacking, _ = DENIED[case]
    folder = tmp_path / "data"
    db = folder / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    args = [part.format(seed=seed_path("001")) for part in WITH_CONFIG.get(command, [command])]
    db.chmod(file_mode)
    folder.chmod(folder_mode)
    try:
        result = thaidigest_without_file_permission_overrides(*args, "--db", str(db))
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        f"Error: database {db}: permission denied ({lacking.format(folder=folder)})"
    ]


def test_a_refused_write_is_one_line_without_the_sql_or_the_article(tmp_path):
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    with sqlite3.connect(db) as conn:  # a database that refuses every new article
        conn.execute(
            "CREATE TRIGGER full BEFORE INSERT ON articles "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    body = "เนื้อหาข่าวความร่วมมือด้านดิจิทัลที่ยาวพอจะจำได้"
    corpus = tmp_path / "one.jsonl"
    record = {"id": 1, "url": "https://www.thaigov.go.th/news/contents/details/1"}
    record["text"] = f"หัวข้อข่าว\n\n{body}"
    corpus.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = invoke("import", str(corpus), "--db", str(db))
    assert result.exit_code == 1
    line = one_error_line(result.output)
    assert line == f"Error: database {db}: database or disk is full"
    assert body not in result.output and "INSERT" not in result.output


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
@pytest.mark.parametrize("command", [*WITH_DB, "partners"])
def test_every_command_refuses_an_in_memory_database_that_would_keep_nothing(
    command, url, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    args = [part.format(seed=seed_path("001")) for part in WITH_CONFIG.get(command, [command])]
    result = invoke(*args, "--db", url)
    assert result.exit_code == 2
    message = f"Error: --db {url}: an in-memory database keeps nothing: give a file"
    assert one_error_line(result.output) == message
    assert list(tmp_path.iterdir()) == []  # nothing imported, crawled or written


def test_an_in_memory_database_in_the_variable_is_refused_naming_it(tmp_path):
    seed = str(seed_path("001"))
    result = CliRunner().invoke(main, ["import", seed], env={"THAIDIGEST_DB": "sqlite://"})
    assert result.exit_code == 2
    message = "Error: THAIDIGEST_DB=sqlite://: an in-memory database keeps nothing: give a file"
    assert one_error_line(result.output) == message


@pytest.mark.parametrize("command", [*WITH_DB, "partners"])
def test_a_url_of_no_database_thaidigest_reads_is_refused_saying_what_to_give(
    command, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    args = [part.format(seed=seed_path("001")) for part in WITH_CONFIG.get(command, [command])]
    result = invoke(*args, "--db", "foo://x")
    assert result.exit_code == 2
    message = (
        "Error: --db foo://x: not a database URL thaidigest reads: "
        "give a file path or sqlite:///PATH"
    )
    assert one_error_line(result.output) == message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("postgresql+nosuchdriver://digest:hunter2@db.invalid/x", 2),
        ("mysql://digest:hunter2@db.invalid/x", 1),
    ],
    ids=["unknown-dialect", "driver-not-installed"],
)
def test_a_database_url_password_is_never_shown(url, status):
    result = invoke("status", "--db", url)
    assert result.exit_code == status
    line = one_error_line(result.output)
    assert "hunter2" not in line and "digest:***@db.invalid" in line


@pytest.mark.parametrize("url", ["example.org", "file:///srv/site", "http://127.0.0.1:9/\x01"])
def test_a_base_url_that_is_no_web_address_is_refused_before_crawling(url, tmp_path):
    result = invoke("crawl", "--base-url", url, "--db", str(tmp_path / "db.sqlite"))
    assert result.exit_code == 2
    assert "Invalid value for '--base-url'" in result.output
    assert not (tmp_path / "db.sqlite").exists()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/?x=1", "has a query (?x=1)"),
        ("http://127.0.0.1:8000/?", "has a query (?)"),
        ("http://host/#top", "has a fragment (#top)"),
    ],
    ids=["query", "bare-question-mark", "fragment"],
)
def test_a_base_url_with_a_query_or_fragment_is_refused_before_crawling(url, reason, tmp_path):
    """Every page's address is the base URL and a path: after a query or a fragment the
    path would be part of them (``http://host/?x=1/news/3``), no page of the site's."""
    result = invoke("crawl", "--base-url", url, "--db", str(tmp_path / "db.sqlite"))
    assert result.exit_code == 2
    assert f"Invalid value for '--base-url': {url!r} {reason}" in result.output
    assert not (tmp_path / "db.sqlite").exists()


@pytest.mark.parametrize(
    ("folder", "reason"),
    [("no such folder", "no such file or directory"), ("notes.txt", "{} is not a folder")],
    ids=["missing-folder", "file-in-the-way"],
)
def test_export_into_a_missing_folder_is_one_line_naming_the_file(tmp_path, folder, reason):
    """In the words of the other errors, lower case: it said `No such file or directory`
    and `Not a directory`, as Python's strerror writes them."""
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    (tmp_path / "notes.txt").write_text("notes\n", encoding="utf-8")
    output = tmp_path / folder / "out.jsonl"
    result = invoke("export", "--db", str(db), "-o", str(output))
    assert result.exit_code == 1
    assert one_error_line(result.output) == (
        f"Error: cannot write {output}: {reason.format(tmp_path / folder)}"
    )


def test_a_start_id_for_mdes_is_refused_not_ignored(tmp_path):
    db = tmp_path / "db.sqlite"
    args = ["--base-url", "http://127.0.0.1:9", "--db", str(db)]
    result = invoke("crawl", "--source", "mdes", "--start-id", "87360", *args)
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert "--start-id" in line and "--source mdes" in line
    assert not db.exists()  # nothing was crawled


READ_ONLY = {
    "export": ["export"],
    "explain": ["explain", "https://thaigov.go.th/news/contents/details/1"],
    "partners": ["partners"],
    "status": ["status"],
}


@pytest.mark.parametrize("command", READ_ONLY)
def test_a_command_that_only_reads_refuses_a_missing_database_and_makes_none(command, tmp_path):
    db = tmp_path / "mistyped" / "thaidigset.sqlite"
    result = invoke(*READ_ONLY[command], "--db", str(db))
    assert result.exit_code == 2
    assert one_error_line(result.output) == f"Error: database {db}: no such file"
    assert not (tmp_path / "mistyped").exists()


def test_explain_of_an_address_nothing_is_stored_under_is_wrong_input_status_2(store):
    result = invoke(
        "explain", "https://www.thaigov.go.th/news/contents/details/1", "--db", store.url
    )
    assert result.exit_code == 2
    stored_as = "https://thaigov.go.th/news/contents/details/1"  # the address as canonical
    assert one_error_line(result.output) == f"Error: no stored article at {stored_as}"


@pytest.mark.parametrize("address", ["http://[::1/100%", "http://[::1/x"])
def test_explain_of_an_address_no_url_parser_reads_is_stored_under_none_not_a_traceback(
    store, address
):
    result = invoke("explain", address, "--db", store.url)
    assert result.exit_code == 2, result.output
    assert one_error_line(result.output) == f"Error: no stored article at {address}"


@pytest.mark.parametrize("blank", ["", "  "])
def test_explain_of_an_empty_argument_is_a_usage_error(blank, tmp_path):
    result = invoke("explain", blank, "--db", str(tmp_path / "db.sqlite"))
    assert result.exit_code == 2
    assert one_error_line(result.output) == (
        "Error: URL|FILE is empty: give a stored article's address or its .txt file"
    )


def test_explain_of_a_text_file_that_is_not_there_says_so_status_2(store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("explain", "nosuch.txt", "--db", store.url)
    assert result.exit_code == 2
    assert one_error_line(result.output) == "Error: nosuch.txt: no such file"
    (tmp_path / "notes.txt").mkdir()
    result = invoke("explain", "notes.txt", "--db", store.url)
    assert result.exit_code == 2
    assert one_error_line(result.output) == "Error: notes.txt: is a folder, not a .txt file"


@pytest.mark.parametrize("folder", ["seeds/", "seeds"])
def test_explain_of_a_folder_says_it_is_a_folder_not_an_address(
    store, tmp_path, monkeypatch, folder
):
    """`explain seeds/` said `no stored article at seeds/`, as if it were an address."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds").mkdir()
    result = invoke("explain", folder, "--db", store.url)
    assert result.exit_code == 2
    assert one_error_line(result.output) == (
        f"Error: {folder}: is a folder, not a stored article's address or its .txt file"
    )


def test_explain_of_a_text_file_import_rejects_says_why_as_import_does_status_1(tmp_path):
    db = str(tmp_path / "db.sqlite")
    assert invoke("import", str(seed_path("001")), "--db", db).exit_code == 0
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Café numérique\n\nUn texte en Latin-1.\n".encode("latin-1"))
    imported = invoke("import", str(latin), "--db", db)
    assert imported.exit_code == 1  # rejected: bad input, as import counts it
    (skipped,) = [line for line in imported.output.splitlines() if line.startswith("skipped ")]
    explained = invoke("explain", str(latin), "--db", db)
    assert explained.exit_code == imported.exit_code
    assert one_error_line(explained.output) == "Error: " + skipped.removeprefix("skipped ")


@pytest.mark.parametrize(
    "address",
    ["thaigov.go.th/news/contents/details/87382", "www.thaigov.go.th/news/contents/details/87382"],
)
def test_explain_of_an_address_pasted_without_its_scheme_explains_the_article(address, tmp_path):
    db = str(tmp_path / "db.sqlite")
    assert invoke("import", str(seed_path("001")), "--db", db).exit_code == 0
    result = invoke("explain", address, "--db", db, "--out", str(tmp_path / "public"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "https://thaigov.go.th/news/contents/details/87382"


@pytest.mark.parametrize(
    "address",
    [
        "<https://thaigov.go.th/news/contents/details/87382>",
        " <https://www.thaigov.go.th/news/contents/details/87382> ",
        "<thaigov.go.th/news/contents/details/87382>",
    ],
)
def test_explain_of_an_address_in_angle_brackets_as_the_digest_writes_it_explains_it(
    address, tmp_path
):
    """The digest's Markdown, its `Also on` line and the mail's text write each link in
    angle brackets: copied with them, it was read as a path, `no stored article at
    <https:/thaigov.go.th/…>`, its `//` collapsed."""
    db = str(tmp_path / "db.sqlite")
    assert invoke("import", str(seed_path("001")), "--db", db).exit_code == 0
    result = invoke("explain", address, "--db", db, "--out", str(tmp_path / "public"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "https://thaigov.go.th/news/contents/details/87382"


def test_explain_of_an_address_in_angle_brackets_nothing_is_stored_under_names_it_whole(store):
    result = invoke("explain", "<https://mdes.go.th/news/detail/1>", "--db", store.url)
    assert result.exit_code == 2
    assert one_error_line(result.output) == (
        "Error: no stored article at https://mdes.go.th/news/detail/1"
    )


def test_explain_of_an_address_without_scheme_nothing_is_stored_under_names_both(store):
    result = invoke("explain", "mfa.go.th/en/content/1", "--db", store.url)
    assert result.exit_code == 2
    assert one_error_line(result.output) == (
        "Error: no stored article at https://mfa.go.th/en/content/1 or http://mfa.go.th/en/content/1"
    )


def test_explain_finds_an_article_stored_on_http_from_its_address_without_scheme(tmp_path):
    db = str(tmp_path / "db.sqlite")
    corpus = tmp_path / "corpus.jsonl"
    record = {"url": "http://mfa.go.th/en/content/1", "text": "Digital MOU\n\nThailand and Japan."}
    corpus.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert invoke("import", str(corpus), "--db", db).exit_code == 0
    result = invoke("explain", "mfa.go.th/en/content/1", "--db", db, "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "http://mfa.go.th/en/content/1"


@pytest.mark.parametrize("given", ["published", "stored", "published without its scheme"])
def test_explain_finds_an_article_whose_path_holds_a_stray_percent_by_its_link_as_published(
    given, tmp_path
):
    """Every output publishes a stray ``%`` as ``%25`` (clean_link) while the path is stored
    as written: the link a reader copies from the digest or a feed is the one explained."""
    from digest.clean import clean_link

    db = str(tmp_path / "db.sqlite")
    stored = "https://example.org/100%/x"
    text = tmp_path / "percent.txt"
    text.write_text(
        f"Digital MOU at 100%\n\nThailand and Japan sign a digital MOU.\n\nที่มา : {stored}\n",
        encoding="utf-8",
    )
    assert invoke("import", str(text), "--db", db).exit_code == 0
    published = clean_link(stored)
    assert published == "https://example.org/100%25/x"
    address = {
        "published": published,
        "stored": stored,
        "published without its scheme": published.removeprefix("https://"),
    }[given]
    result = invoke("explain", address, "--db", db, "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == stored


def test_explain_finds_an_article_imported_from_its_published_link_by_its_bare_percent(
    tmp_path,
):
    """A text file whose source line is the link copied from a digest stores its stray
    ``%`` as ``%25``: explain of the address as the page writes it (``/100%/``) said
    there was no stored article."""
    db = str(tmp_path / "db.sqlite")
    stored = "https://example.org/100%25/x"
    text = tmp_path / "percent.txt"
    text.write_text(
        f"Digital MOU at 100%\n\nThailand and Japan sign a digital MOU.\n\nที่มา : {stored}\n",
        encoding="utf-8",
    )
    assert invoke("import", str(text), "--db", db).exit_code == 0
    result = invoke("explain", "https://example.org/100%/x", "--db", db, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == stored


def test_import_still_makes_its_database(tmp_path):
    # (digest does not: a database that does not exist is refused, tests/digest/test_commands.py)
    db = tmp_path / "new" / "db.sqlite"
    args = [part.format(seed=seed_path("001")) for part in WITH_CONFIG["import"]]
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[digest]\nout = "{tmp_path / "public"}"\n', encoding="utf-8")
    result = invoke(*args, "--db", str(db), "--config", str(config))
    assert result.exit_code == 0, result.output
    assert db.exists()


def another_apps_database(path):
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers (name) VALUES ('Somchai')")
    conn.close()
    return path.read_bytes()


def run_on_database(command: str, db: Path) -> tuple[int, str]:
    """Exit code and output of ``command`` (as :data:`WITH_CONFIG` runs it) with ``--db db``."""
    args = [part.format(seed=seed_path("001")) for part in WITH_CONFIG.get(command, [command])]
    if command == "run":  # the daemon sets signal handlers: a process of its own
        result = subprocess.run(
            [sys.executable, "-m", "thaidigest", *args, "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.returncode, result.stdout + result.stderr
    outcome = invoke(*args, "--db", str(db))
    return outcome.exit_code, outcome.output


@pytest.mark.parametrize("command", [*WITH_DB, "partners"])
def test_every_command_refuses_another_apps_database_and_leaves_it_alone(command, tmp_path):
    db = tmp_path / "crm.sqlite"
    before = another_apps_database(db)
    exit_code, output = run_on_database(command, db)
    assert exit_code == 2
    assert one_error_line(output) == (
        f"Error: database {db}: not a thaidigest database (it holds other tables)"
    )
    assert db.read_bytes() == before  # no table added, journal mode unchanged
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.sqlite"]  # no -wal, no -shm


def test_another_apps_table_named_meta_is_not_taken_for_ours(tmp_path):
    db = tmp_path / "app.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO meta VALUES ('app_version', '7')")
    conn.close()
    before = db.read_bytes()
    result = invoke("import", str(seed_path("001")), "--db", str(db))
    assert result.exit_code == 2
    assert "not a thaidigest database (it holds other tables)" in one_error_line(result.output)
    assert db.read_bytes() == before


@pytest.mark.parametrize("command", READ_ONLY)
@pytest.mark.parametrize("kind", ["0-byte", "no tables"])
def test_a_command_that_only_reads_refuses_a_database_without_tables(command, kind, tmp_path):
    db = tmp_path / "db.sqlite"
    if kind == "0-byte":
        db.touch()
    else:
        sqlite3.connect(db).execute("PRAGMA user_version = 1").connection.close()
    before = db.read_bytes()
    result = invoke(*READ_ONLY[command], "--db", str(db))
    assert result.exit_code == 2
    assert one_error_line(result.output) == (
        f"Error: database {db}: not a thaidigest database (it holds no tables)"
    )
    assert db.read_bytes() == before


def test_a_command_that_writes_fills_an_empty_file(tmp_path):
    db = tmp_path / "db.sqlite"
    db.touch()
    result = invoke("import", str(seed_path("001")), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert Store(f"sqlite:///{db}").count_articles() == 1


@pytest.mark.parametrize("db", ["afile/x.sqlite", "afile/deeper/x.sqlite"])
def test_a_database_whose_folder_is_a_file_is_one_line_naming_that_file(db, tmp_path):
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    result = invoke("import", str(seed_path("001")), "--db", str(tmp_path / db))
    assert result.exit_code == 1
    line = one_error_line(result.output)
    assert line == f"Error: database {tmp_path / db}: {tmp_path / 'afile'} is not a folder"


@pytest.mark.parametrize("command", [*WITH_DB, "partners"])
def test_a_database_that_is_a_folder_is_one_line_saying_so(command, tmp_path):
    db = tmp_path / "data"
    db.mkdir()
    exit_code, output = run_on_database(command, db)
    assert exit_code == 1  # as a database whose folder is a file, or a file not a database
    assert one_error_line(output) == f"Error: database {db}: is a folder, not a database file"
    assert [p.name for p in tmp_path.iterdir()] == ["data"] and not any(db.iterdir())


def seeded_database(tmp_path: Path) -> Path:
    db = tmp_path / "db.sqlite"
    assert invoke("import", str(seed_path("000")), "--db", str(db)).exit_code == 0
    return db


def run_writing_to(stdout, *args: str) -> subprocess.CompletedProcess:
    """``thaidigest ARGS`` in a process of its own whose standard output is ``stdout``."""
    return subprocess.run(
        [sys.executable, "-m", "thaidigest", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [["export"], ["partners"], ["status"], ["digest", "--week", "2024-W34", "--out", "{out}"]],
    ids=["export", "partners", "status", "digest"],  # digest: not taken for its folder's
)
def test_a_full_disk_under_the_output_is_one_line_and_status_1(args, tmp_path):
    db = seeded_database(tmp_path)
    args = [arg.format(out=tmp_path / "public") for arg in args]
    with open("/dev/full", "w") as full:  # every write: No space left on device
        result = run_writing_to(full, *args, "--db", str(db))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Error: cannot write the output: no space left on device" in result.stderr.splitlines()


@pytest.mark.parametrize("command", ["export", "partners", "status"])
def test_a_closed_pipe_under_the_output_is_quiet_and_status_141(command, tmp_path):
    db = seeded_database(tmp_path)
    reader, writer = os.pipe()
    os.close(reader)  # as `| head -1` once it has its line: every write is EPIPE
    try:
        result = run_writing_to(writer, command, "--db", str(db))
    finally:
        os.close(writer)
    assert (result.returncode, result.stderr) == (141, "")


MOU_HEADLINE = "ดีอีลงนามบันทึกความเข้าใจกับญี่ปุ่นด้านปัญญาประดิษฐ์"


@pytest.mark.parametrize(
    ("encoding", "headline", "mou_topic"),
    [
        ("tis-620", MOU_HEADLINE, "Agreements and MoUs ? บันทึกความเข้าใจและข้อตกลง (mou)"),
        ("latin-1", "?" * len(MOU_HEADLINE), "Agreements and MoUs · " + "?" * 26 + " (mou)"),
    ],
)
def test_a_character_the_locales_encoding_lacks_is_shown_as_a_question_mark(
    encoding, headline, mou_topic, tmp_path
):
    """In a TIS-620 locale explain's topics line stopped at its middle dot (not in TIS-620),
    in a Latin-1 one at the headline, with a traceback."""
    article = tmp_path / "mou.txt"
    article.write_text(
        f"{MOU_HEADLINE}\n\n"
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมลงนามบันทึกความเข้าใจ (MoU) กับญี่ปุ่น"
        " ด้านปัญญาประดิษฐ์และเศรษฐกิจดิจิทัล\n\n"
        "ที่มา : https://www.mdes.go.th/news/detail/9001\n",
        encoding="utf-8",
    )
    db = tmp_path / "db.sqlite"
    assert invoke("import", str(article), "--db", str(db)).exit_code == 0

    result = thaidigest_in_locale(encoding, "explain", str(article), "--db", str(db))

    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    lines = result.stdout.decode(encoding).splitlines()
    assert lines[:2] == [headline, "https://mdes.go.th/news/detail/9001"]
    topics = next(line for line in lines if line.startswith("topics: "))
    assert mou_topic in topics, topics


# thaidigest's own options that print and exit, read before any command is looked up.
OWN_OUTPUT = {"help": ["--help"], "version": ["--version"]}


@pytest.mark.parametrize("args", OWN_OUTPUT.values(), ids=OWN_OUTPUT.keys())
def test_thaidigests_own_help_under_a_full_disk_is_one_line_and_status_1(args):
    """`thaidigest --help > /dev/full` ended in an OSError traceback, where `thaidigest
    export --help > /dev/full` said it in one line."""
    with open("/dev/full", "w") as full:
        result = run_writing_to(full, *args)
    assert (result.returncode, result.stderr) == (
        1,
        "Error: cannot write the output: no space left on device\n",
    )


@pytest.mark.parametrize("args", OWN_OUTPUT.values(), ids=OWN_OUTPUT.keys())
def test_thaidigests_own_help_under_a_closed_pipe_is_quiet_and_status_141(args):
    """`thaidigest --help | head -1` exited 1 (click's own handling of the closed pipe),
    where `thaidigest export --help | head -1` exits 141 as every command does."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = run_writing_to(writer, *args)
    finally:
        os.close(writer)
    assert (result.returncode, result.stderr) == (141, "")


# A usage error of a command, one of thaidigest itself, and a settings error: exit status 2.
ERRORS = {
    "usage": ["digest", "--week", "abc"],
    "top-level-usage": ["--week", "abc"],
    "settings": ["export", "--db", ""],
}


@pytest.mark.parametrize("args", ERRORS.values(), ids=ERRORS.keys())
def test_an_error_read_to_its_first_line_ends_with_its_own_status(args):
    """`thaidigest digest --week abc 2>&1 | head -1` gave exit status 1 or 2 at random: the
    reader went away before or after click's second write of the usage error."""
    for _ in range(3):
        process = subprocess.Popen(
            [sys.executable, "-m", "thaidigest", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # 2>&1
        )
        first = process.stdout.readline()
        process.stdout.close()  # | head -1
        assert process.wait(timeout=120) == 2, first


@pytest.mark.parametrize("args", ERRORS.values(), ids=ERRORS.keys())
def test_an_error_under_a_closed_pipe_is_quiet_and_status_141(args):
    reader, writer = os.pipe()
    os.close(reader)  # the reader gone before the error is written
    try:
        result = subprocess.run(
            [sys.executable, "-m", "thaidigest", *args], stdout=writer, stderr=writer, timeout=120
        )
    finally:
        os.close(writer)
    assert result.returncode == 141


@pytest.mark.parametrize(
    ("since", "problem"),
    [
        ("2024-02-30", "2024-02-30 is not a date: day is out of range for month"),
        ("2023-13-01", "2023-13-01 is not a date: month must be in 1..12"),
        ("2024/02/01", "'2024/02/01' is not a date like 2024-08-19"),
        ("24-2-1", "'24-2-1' is not a date like 2024-08-19"),
        ("๒๕๖๗-02-01", "'๒๕๖๗-02-01' is not a date like 2024-08-19"),
    ],
)
def test_a_date_that_does_not_exist_is_an_error_saying_so(since, problem, tmp_path):
    db = tmp_path / "db.sqlite"
    Store.open(str(db)).close()
    result = invoke("partners", "--since", since, "--db", str(db))
    assert result.exit_code == 2  # a usage error, shown as click shows the others (--week)
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert errors == [f"Error: Invalid value for '--since': {problem}"]


@pytest.mark.parametrize("blank", ["", "  "])
@pytest.mark.parametrize("command", ["explain", "digest", "serve"])
def test_an_empty_out_option_is_an_error_not_the_current_folder(
    command, blank, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    with_db = [] if command == "serve" else ["--db", str(tmp_path / "db.sqlite")]
    result = invoke(*WITH_CONFIG[command], "--out", blank, *with_db)
    assert result.exit_code == 2
    assert one_error_line(result.output) == "Error: --out is empty: give a folder"
    assert list(tmp_path.iterdir()) == []  # nothing written, no database made


@pytest.mark.parametrize("blank", ["", "  "])
def test_an_empty_host_is_an_error_not_every_address(blank, tmp_path, monkeypatch):
    """Given "" (a script's unset "$HOST"), serve listened on 0.0.0.0, every address of
    the machine, where its default is this machine only."""
    monkeypatch.chdir(tmp_path)
    Path("public").mkdir()
    result = invoke(*WITH_CONFIG["serve"], "--out", "public", "--host", blank)
    assert result.exit_code == 2
    assert one_error_line(result.output) == (
        "Error: --host is empty: give an address to listen on (127.0.0.1: this machine only)"
    )
    assert "Serving" not in result.output


@pytest.mark.parametrize(
    ("command", "option"),
    [("explain", "--out"), ("digest", "--out"), ("serve", "--out"), ("demo", "--dir")],
)
def test_a_folder_option_naming_a_file_is_one_line_saying_so(
    command, option, tmp_path, monkeypatch
):
    """click's own words were `Invalid value for '--out': Directory 'notes.txt' is a file.`"""
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("mine\n", encoding="utf-8")
    with_db = [] if command in ("serve", "demo") else ["--db", str(tmp_path / "db.sqlite")]
    result = invoke(*WITH_CONFIG.get(command, [command]), option, "notes.txt", *with_db)
    assert result.exit_code == 2
    assert one_error_line(result.output) == f"Error: {option} notes.txt: is a file, not a folder"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]  # nothing else written
    assert Path("notes.txt").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("command", ["explain", "digest", "serve"])
def test_a_settings_digest_out_naming_a_file_is_one_line_before_the_store_is_opened(
    command, tmp_path, monkeypatch
):
    """As --out naming a file is refused, so is digest.out: digest read the store, then
    said `cannot write the digest in notes.txt: notes.txt is not a folder`, exit 1, and
    serve did not name the setting. The --db names no file, which digest and explain
    refuse once they open the store: the folder's line comes first."""
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("mine\n", encoding="utf-8")
    Path("thaidigest.toml").write_text('[digest]\nout = "notes.txt"\n', encoding="utf-8")
    with_db = [] if command == "serve" else ["--db", str(tmp_path / "db.sqlite")]
    result = invoke(*WITH_CONFIG[command], *with_db)
    assert result.exit_code == 2
    assert one_error_line(result.output) == "Error: digest.out: notes.txt: is a file, not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "thaidigest.toml"]
    assert Path("notes.txt").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("command", ["run", "schedule", "status"])
@pytest.mark.parametrize(
    ("out", "setting"),
    [
        pytest.param(None, "digest.out", id="digest.out"),
        pytest.param("notes.txt", "schedule.toml: job 'digest': option out", id="the-jobs-out"),
    ],
)
def test_a_digest_jobs_folder_naming_a_file_is_refused_at_the_start_naming_its_setting(
    command, out, setting, tmp_path, monkeypatch
):
    """The daemon's digest job would stop at it, so run refuses to start, as for a file
    every job would stop at, and schedule and status refuse what run refuses. The line
    names the setting the user set: the job's out reached the job as --out, and the job
    said `--out notes.txt: is a file`, an option nobody typed."""
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("mine\n", encoding="utf-8")
    settings = '[digest]\nout = "notes.txt"\n' if out is None else ""
    Path("thaidigest.toml").write_text(settings, encoding="utf-8")
    args = "" if out is None else f'args = {{ out = "{out}" }}\n'
    Path("schedule.toml").write_text(  # should the daemon start: a digest once a year
        'timezone = "Asia/Bangkok"\n[[job]]\nname = "digest"\ntask = "digest"\n'
        f'cron = "0 7 1 1 *"\n{args}',
        encoding="utf-8",
    )
    arguments = [command, "--schedules", "schedule.toml", "--db", str(tmp_path / "db.sqlite")]
    if command == "run":  # a daemon that started would run until stopped: the timeout
        finished = subprocess.run(  # only ends a failing test
            [sys.executable, "-m", "thaidigest", *arguments],
            capture_output=True,
            text=True,
            timeout=60,
        )
        exit_code, output = finished.returncode, finished.stdout + finished.stderr
    else:
        result = invoke(*arguments)
        exit_code, output = result.exit_code, result.output
    assert exit_code == 2
    assert one_error_line(output) == f"Error: {setting}: notes.txt: is a file, not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt",
        "schedule.toml",
        "thaidigest.toml",
    ]


@pytest.mark.parametrize("blank", ["", "  "])
def test_an_empty_demo_folder_is_an_error_not_the_current_folder(blank, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("demo", "--dir", blank)
    assert result.exit_code == 2
    assert one_error_line(result.output) == "Error: --dir is empty: give a folder"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("blank", ["", "  "])
@pytest.mark.parametrize("option", ["--output", "-o"])
def test_an_empty_export_output_is_said_to_be_empty_as_db_and_out_are(
    option, blank, tmp_path, monkeypatch
):
    db = tmp_path / "db.sqlite"
    Store.open(str(db)).close()
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = invoke("export", "--db", str(db), option, blank)
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert line == "Error: --output is empty: give a .jsonl or .jsonl.xz file"
    assert list(here.iterdir()) == []  # nothing written


def test_a_buddhist_era_year_is_an_error_naming_the_day_to_give(tmp_path):
    db = tmp_path / "db.sqlite"
    Store.open(str(db)).close()
    result = invoke("partners", "--since", "2567-02-29", "--db", str(db))  # 2024's leap day
    assert result.exit_code == 2  # taken as it is, it would count nothing, silently
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert errors == [
        "Error: Invalid value for '--since': 2567-02-29 has a Buddhist-era year: give 2024-02-29"
    ]


def test_a_year_after_2300_either_way_is_out_of_range_naming_no_day(tmp_path):
    """9000-01-01 was refused naming 8457-01-01 to give, which is refused in turn."""
    db = tmp_path / "db.sqlite"
    Store.open(str(db)).close()
    result = invoke("partners", "--since", "9000-01-01", "--db", str(db))
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert errors == [
        "Error: Invalid value for '--since': 9000-01-01: year 9000 is out of range (after "
        "2300, and read as Buddhist-era 8457, after it too)"
    ]


def test_a_leap_day_is_a_date(tmp_path):
    db = tmp_path / "db.sqlite"
    Store.open(str(db)).close()
    result = invoke("partners", "--since", "2024-02-29", "--db", str(db))
    assert result.exit_code == 0, result.output
