import math
import re
import tomllib
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from tests.conftest import needs_file_permissions, thaidigest_without_file_permission_overrides
from thaidigest.config import (
    DEFAULTS,
    LONGEST_ADDRESS,
    RULES,
    ConfigError,
    check_settings,
    closest_key,
    load_config,
    merge,
    relation_problem,
    setting_keys,
    toml_value,
    weeks_kept,
)
from thaidigest.pipeline import user_partners_text, user_rules_text
from thaidigest.sites import MDES_CATEGORIES


def test_user_file_overrides_only_what_it_names(tmp_path):
    path = tmp_path / "thaidigest.toml"
    path.write_text('[sites.mdes]\ndelay = 2.5\n[email]\nrecipients = ["a@example.org"]\n')
    config = load_config(path)
    assert config["sites"]["mdes"]["delay"] == 2.5
    assert config["sites"]["mdes"]["concurrency"] == DEFAULTS["sites"]["mdes"]["concurrency"]
    assert config["email"]["recipients"] == ["a@example.org"]
    assert DEFAULTS["sites"]["mdes"]["delay"] == 1.0  # defaults are not changed in place


def test_merge_replaces_lists_and_scalars():
    assert merge({"a": {"b": [1, 2], "c": 1}}, {"a": {"b": [3]}}) == {"a": {"b": [3], "c": 1}}


def test_broken_or_missing_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[crawl\n")
    with pytest.raises(ConfigError, match=r"broken\.toml"):
        load_config(broken)
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "missing.toml")


@needs_file_permissions
def test_a_settings_file_that_cannot_be_read_says_why_in_words(tmp_path):
    """Python's words named the file a second time: `Error: cfg.toml: cannot read: [Errno 13]
    Permission denied: 'cfg.toml'`."""
    rules = tmp_path / "rules.toml"
    rules.write_text("[groups]\n", encoding="utf-8")
    rules.chmod(0)
    naming = tmp_path / "naming.toml"
    naming.write_text(f'[relevance]\nrules = "{rules}"\n', encoding="utf-8")
    closed = tmp_path / "closed.toml"
    closed.write_text("", encoding="utf-8")
    closed.chmod(0)
    for config, refusal in [
        (closed, f"Error: {closed}: cannot read: permission denied"),
        (naming, f"Error: {naming}: relevance.rules: cannot read {rules}: permission denied"),
    ]:
        result = thaidigest_without_file_permission_overrides(
            "status", "--config", str(config), "--db", str(tmp_path / "db.sqlite")
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.splitlines() == [refusal]


# --- The schema: made from DEFAULTS and RULES, checked when the file is loaded ----------

WRONG_SETTINGS = {
    "status-hours-a-string": (
        '[status]\nmax_crawl_age_hours = "x"\n',
        "status.max_crawl_age_hours",
    ),
    "email-port-a-string": ('[email]\nport = "abc"\n', "email.port"),
    "email-port-out-of-range": ("[email]\nport = 70000\n", "email.port"),
    "table-given-a-string": ('digest = "notatable"\n', "digest: must be a table"),
    "misspelt-table": ('[digset]\nout = "x"\n', "unknown key digset; did you mean digest?"),
    "misspelt-key": (
        '[crawl]\nuser_agnet = "x"\n',
        "unknown key crawl.user_agnet; did you mean crawl.user_agent?",
    ),
    "key-in-the-wrong-table": ('user_agent = "x"\n', "did you mean crawl.user_agent?"),
    "unknown-site": ("[sites.example]\ndelay = 1\n", "unknown key sites.example"),
    "escape-in-a-key": ('"a\\u001b[31m" = 1\n', "unknown key 'a\\x1b[31m'"),
    "missing-rules-file": ('[relevance]\nrules = "nowhere.toml"\n', "relevance.rules"),
    "zero-concurrency": ("[sites.thaigov]\nconcurrency = 0\n", "sites.thaigov.concurrency"),
    "negative-delay": ("[sites.mdes]\ndelay = -1\n", "sites.mdes.delay"),
    "zero-timeout": ("[crawl]\ntimeout = 0\n", "crawl.timeout"),
    "negative-subprocess-timeout": (
        "[crawl]\nsubprocess_timeout = -5\n",
        "crawl.subprocess_timeout",
    ),
    "unknown-log-level": (
        '[crawl]\nlog_level = "LOUD"\n',
        'crawl.log_level: must be one of DEBUG, INFO, WARNING, ERROR, not "LOUD"',
    ),
    "log-level-in-lower-case": (
        '[crawl]\nlog_level = "info"\n',
        'crawl.log_level: must be one of DEBUG, INFO, WARNING, ERROR (in that case), not "info"',
    ),
    "infinite-delay": ("[sites.mdes]\ndelay = inf\n", "sites.mdes.delay"),
    "bool-for-a-number": ("[digest]\nweeks = true\n", "digest.weeks"),
    "float-for-a-whole-number": ("[sites.mdes]\nconcurrency = 1.5\n", "sites.mdes.concurrency"),
    "wrong-list-item": ('[sites.mdes]\ncategories = [3, "x"]\n', "sites.mdes.categories"),
    "no-category": ("[sites.mdes]\ncategories = []\n", "sites.mdes.categories: must not be empty"),
    "category-zero": ("[sites.mdes]\ncategories = [3, 0]\n", "sites.mdes.categories: each item"),
    "negative-category": ("[sites.mdes]\ncategories = [-7]\n", "sites.mdes.categories: each item"),
    "unknown-smtp-security": (
        '[email]\nsecurity = "ssl"\n',
        'email.security: must be one of starttls, tls, none, not "ssl"',
    ),
    "starttls-not-true-or-false": ('[email]\nstarttls = "yes"\n', "email.starttls"),
    "string-for-a-list": ('[email]\nrecipients = "a@example.org"\n', "email.recipients"),
    "newline-in-a-header-value": ('[crawl]\nuser_agent = "a\\nb"\n', "crawl.user_agent"),
    "feed-address-not-on-the-web": ('[digest]\nsite_url = "file:///srv"\n', "digest.site_url"),
    # Each link of the feeds is written after it: the feeds' home page read
    # https://example.org/news/?x=1/ and https://example.org/news/#top/.
    "site-url-with-a-query": (
        '[digest]\nsite_url = "https://example.org/news/?x=1"\n',
        "digest.site_url: 'https://example.org/news/?x=1' has a query (?x=1): a site URL "
        "takes none, the digest writes each file's name after it",
    ),
    "site-url-with-a-fragment": (
        '[digest]\nsite_url = "https://example.org/news/#top"\n',
        "digest.site_url: 'https://example.org/news/#top' has a fragment (#top)",
    ),
    # Thai shows as written, as in every other setting's error, not as \u0e02 escapes.
    "site-url-in-thai-with-a-fragment": (
        '[digest]\nsite_url = "https://ข่าว.example.org/ดิจิทัล#ส่วน"\n',
        "digest.site_url: 'https://ข่าว.example.org/ดิจิทัล#ส่วน' has a fragment (#ส่วน)",
    ),
    "site-url-in-thai-not-on-the-web": (
        '[digest]\nsite_url = "ftp://ข่าว.example.org/"\n',
        "digest.site_url: 'ftp://ข่าว.example.org/' is not an http:// or https:// address",
    ),
    "base-url-with-a-direction-mark": (  # what does not show is still escaped
        '[sites.mdes]\nbase_url = "http://host/\u200e?x=1"\n',
        "sites.mdes.base_url: 'http://host/\\u200e?x=1' holds a control character (U+200E)",
    ),
    "base-url-with-a-query": (
        '[sites.thaigov]\nbase_url = "http://127.0.0.1:8000/?x=1"\n',
        "sites.thaigov.base_url: 'http://127.0.0.1:8000/?x=1' has a query (?x=1)",
    ),
    "base-url-with-a-fragment": (
        '[sites.mdes]\nbase_url = "http://host/#top"\n',
        "sites.mdes.base_url: 'http://host/#top' has a fragment (#top)",
    ),
    "zero-line-limit": ("[import]\nmax_line_bytes = 0\n", "import.max_line_bytes"),
    "timeout-past-the-clock": ("[crawl]\nsubprocess_timeout = 1e20\n", "crawl.subprocess_timeout"),
    "hours-past-the-calendar": ("[status]\nmax_crawl_age_hours = 1e300\n", "max_crawl_age_hours"),
    "weeks-past-the-calendar": ("[digest]\nweeks = 1000000\n", "digest.weeks: must be at most"),
}


@pytest.mark.parametrize(
    ("name", "known", "closest"),
    [
        ("user_agnet", ["user_agent", "timeout", "retries"], "user_agent"),
        ("digset", ["crawl", "digest", "email"], "digest"),
        ("evry", frozenset({"name", "task", "cron", "every", "args"}), "every"),
        ("colour", ["crawl", "digest", "email"], None),
    ],
)
def test_closest_key_is_the_known_key_a_misspelt_one_was_meant_to_be(name, known, closest):
    """One helper for the settings file and the schedule file, so both suggest alike."""
    assert closest_key(name, known) == closest


@pytest.mark.parametrize(("text", "named"), WRONG_SETTINGS.values(), ids=WRONG_SETTINGS.keys())
def test_wrong_setting_is_one_line_naming_the_file_and_the_key(tmp_path, text, named):
    path = tmp_path / "thaidigest.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and named in message
    assert "\n" not in message


def test_an_empty_category_list_says_how_to_get_the_defaults_or_choose(tmp_path):
    path = tmp_path / "thaidigest.toml"
    path.write_text("[sites.mdes]\ncategories = []\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert "remove the key" in message and "category numbers" in message


def test_mdes_categories_left_out_are_the_default_ones(tmp_path):
    path = tmp_path / "thaidigest.toml"
    path.write_text("[sites.mdes]\ndelay = 2\n", encoding="utf-8")
    assert load_config(path)["sites"]["mdes"]["categories"] == list(MDES_CATEGORIES)
    path.write_text("[sites.mdes]\ncategories = [7]\n", encoding="utf-8")
    assert load_config(path)["sites"]["mdes"]["categories"] == [7]


NOT_MAIL_ADDRESSES = [
    "not an address",
    "team",
    "team@",
    "@example.org",
    "a b@example.org",
    "team@exa mple.org",
    "team@@example.org",
    "a@example.org, b@example.org",
    "Team team@example.org",
    "Team <team>",
    "",
]


@pytest.mark.parametrize("address", NOT_MAIL_ADDRESSES)
@pytest.mark.parametrize("key", ["recipients", "sender"])
def test_a_mail_address_without_a_local_part_and_a_domain_is_refused_at_load(
    tmp_path, key, address
):
    value = toml_value([address] if key == "recipients" else address)
    path = tmp_path / "thaidigest.toml"
    path.write_text(f"[email]\n{key} = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: email.{key}: ") and toml_value(address) in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("team@example.org ", "spaces at its start or end"),
        (" team@example.org", "spaces at its start or end"),
        ("Doe, John <john@example.org>", 'a name holding a comma needs quotes ("Doe, John"'),
        # A mail header reads these as the mailbox "ThaiDigest", "Ops" or "Team", no domain.
        (
            "ThaiDigest [bot] <digest@example.org>",
            "a name holding [ ] ; : or \\ must be in double quotes: "
            '"ThaiDigest [bot]" <digest@example.org>',
        ),
        (
            "Ops [Bangkok] <ops-bkk@example.org>",
            'must be in double quotes: "Ops [Bangkok]" <ops-bkk@example.org>',
        ),
        ("Team; Ops <ops@example.org>", 'must be in double quotes: "Team; Ops" <ops@example.org>'),
        ("Ops: Bangkok <ops@example.org>", 'must be in double quotes: "Ops: Bangkok"'),
        ("Ops\\Bangkok <ops@example.org>", 'must be in double quotes: "Ops\\\\Bangkok"'),
        # The header parser itself fails on these (AttributeError, IndexError): refused too.
        (".NET Team <team@example.org>", 'must be in double quotes: ".NET Team" <team@'),
        (" :<a@example.org>", 'must be in double quotes: ":" <a@example.org>'),
        ("a@[", "it needs a local part and a domain, no spaces"),
        ("ผู้ใช้@example.org", "local part (before the @) is not ASCII"),
        ("a b@example.org", "it needs a local part and a domain, no spaces"),
        # A Thai domain is mailed in its IDNA form, whose labels hold 63 characters at most.
        ("team@" + "ตัวอย่าง" * 8 + ".ไทย", "its domain has no IDNA form"),
        # Longer than a mail server takes (RFC 5321), which the List-Unsubscribe check assumes.
        (
            "+" * 65 + "@example.org",
            "its local part (before the @) has 65 characters, and a mail server takes 64 at "
            "most (RFC 5321)",
        ),
        (
            f"{LONGEST_ADDRESS[:-4]}x.org",
            "it has 255 characters, and a mail server takes 254 at most (RFC 5321)",
        ),
        (
            "+" * 64 + "@" + ".".join(["ตัวอย่าง" * 3] * 5) + ".ไทย",
            "it has 270 characters, its domain in the IDNA form it is mailed in, and a mail "
            "server takes 254 at most",
        ),
    ],
)
def test_a_refused_mail_address_says_what_is_wrong_with_it(tmp_path, address, reason):
    path = tmp_path / "thaidigest.toml"
    path.write_text(f"[email]\nsender = {toml_value(address)}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(reason)):
        load_config(path)


@pytest.mark.parametrize(
    "address",
    [
        "team@example.org",
        "Team <team@example.org>",
        "digest@localhost",
        "ทีม <team@ตัวอย่าง.ไทย>",
        '"Ops [Bangkok]" <ops-bkk@example.org>',
        '".NET Team" <dotnet@example.org>',
        LONGEST_ADDRESS,
    ],
)
def test_a_mail_address_with_or_without_a_name_is_accepted(tmp_path, address):
    path = tmp_path / "thaidigest.toml"
    value = toml_value(address)
    path.write_text(f"[email]\nsender = {value}\nrecipients = [{value}]\n", encoding="utf-8")
    assert load_config(path)["email"]["recipients"] == [address]


def test_every_default_passes_its_own_check():
    check_settings(DEFAULTS)
    assert relation_problem(DEFAULTS, DEFAULTS) is None


# The gap_window ids asked again on every crawl lie within the recheck_window ids.
WIDER_GAP_THAN_RECHECK = {
    "gap-window-past-the-default-recheck": "gap_window = 300\n",
    "both-given": "gap_window = 60\nrecheck_window = 59\n",
}


@pytest.mark.parametrize("lines", WIDER_GAP_THAN_RECHECK.values(), ids=WIDER_GAP_THAN_RECHECK)
def test_a_gap_window_wider_than_the_recheck_window_is_one_line_naming_both(tmp_path, lines):
    path = tmp_path / "thaidigest.toml"
    path.write_text(f"[sites.thaigov]\n{lines}", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: sites.thaigov.gap_window: must be at most ")
    assert "sites.thaigov.recheck_window" in message and "\n" not in message


def test_a_recheck_window_below_the_default_gap_window_lowers_it(tmp_path):
    # A file written before gap_window existed: recheck_window = 0 turned the look back off.
    path = tmp_path / "thaidigest.toml"
    for recheck in (0, 10):
        path.write_text(f"[sites.thaigov]\nrecheck_window = {recheck}\n", encoding="utf-8")
        assert load_config(path)["sites"]["thaigov"]["gap_window"] == recheck
    path.write_text("[sites.thaigov]\nrecheck_window = 120\n", encoding="utf-8")
    assert (
        load_config(path)["sites"]["thaigov"]["gap_window"]
        == DEFAULTS["sites"]["thaigov"]["gap_window"]
    )


def test_a_gap_window_as_wide_as_the_recheck_window_is_accepted(tmp_path):
    path = tmp_path / "thaidigest.toml"
    path.write_text("[sites.thaigov]\ngap_window = 120\nrecheck_window = 120\n", encoding="utf-8")
    assert load_config(path)["sites"]["thaigov"]["gap_window"] == 120


def test_right_values_of_other_types_pass(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[groups.digital]\n", encoding="utf-8")
    path = tmp_path / "thaidigest.toml"
    path.write_text(
        f'[sites.thaigov]\nstart_id = 87360\ndelay = 2\n[relevance]\nrules = "{rules}"\n'
        '[email]\nusername = "digest"\nrecipients = ["a@example.org"]\nsecurity = "tls"\n'
        "[crawl]\ntimeout = 7.5\n[status]\nmax_crawl_age_hours = 0.5\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config["sites"]["thaigov"]["delay"] == 2 and config["crawl"]["timeout"] == 7.5
    assert config["email"]["security"] == "tls"


def test_a_new_default_is_checked_by_its_type_without_a_rule():
    defaults = {"status": {"max_idle_weeks": 7}}
    check_settings({"status": {"max_idle_weeks": 3}}, defaults)
    with pytest.raises(ConfigError, match=r"status\.max_idle_weeks: must be a whole number"):
        check_settings({"status": {"max_idle_weeks": "a week"}}, defaults)


def test_rules_name_only_keys_that_have_a_default():
    known = set(setting_keys(DEFAULTS))
    for key in RULES:
        parts = key.split(".")
        candidates = {
            ".".join(part if part != "*" else name for part in parts) for name in DEFAULTS["sites"]
        }
        assert candidates & known, key


UTF8_BOM = b"\xef\xbb\xbf"  # what Windows Notepad writes at the start of a UTF-8 file


def test_a_settings_file_starting_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "thaidigest.toml"
    path.write_bytes(UTF8_BOM + '[digest]\ntitle = "ข่าว"\nweeks = 2\n'.encode())
    config = load_config(path)
    assert config["digest"]["weeks"] == 2 and config["digest"]["title"] == "ข่าว"


def test_the_weeks_kept_are_digest_weeks_from_the_settings_file(tmp_path):
    path = tmp_path / "thaidigest.toml"
    path.write_text("[digest]\nmax_entries = 9\n")
    assert weeks_kept(load_config(path)) == DEFAULTS["digest"]["weeks"] == 4
    path.write_text("[digest]\nweeks = 9\n")
    assert weeks_kept(load_config(path)) == 9


@pytest.mark.parametrize("text", [b"[crawl\n", b"a = 1\r", b"a = \xef\xbb\xbf1\n"])
def test_a_byte_order_mark_changes_no_other_toml_error(tmp_path, text):
    plain, marked = tmp_path / "plain.toml", tmp_path / "marked.toml"
    plain.write_bytes(text)
    marked.write_bytes(UTF8_BOM + text)
    with pytest.raises(ConfigError) as without_mark:
        load_config(plain)
    with pytest.raises(ConfigError) as with_mark:
        load_config(marked)
    assert str(with_mark.value) == str(without_mark.value).replace("plain.toml", "marked.toml")


def test_rules_and_partner_files_starting_with_a_byte_order_mark_are_read(tmp_path):
    rules, partners = tmp_path / "rules.toml", tmp_path / "partners.toml"
    rules.write_bytes(UTF8_BOM + b"[groups.digital]\n")
    partners.write_bytes(UTF8_BOM)
    path = tmp_path / "thaidigest.toml"
    path.write_text('[relevance]\nrules = "rules.toml"\n[partners]\nfile = "partners.toml"\n')
    config = load_config(path)
    assert user_rules_text(config) == "[groups.digital]\n" and user_partners_text(config) == ""


@pytest.mark.parametrize(
    ("section", "key", "text"),
    [("relevance", "rules", "[groups.digital]\n"), ("partners", "file", "")],
)
def test_a_rules_or_partner_file_saved_as_utf16_is_named_so(tmp_path, section, key, text):
    named = tmp_path / "notepad.toml"
    named.write_bytes(f"{text}# ไทย\r\n".encode("utf-16"))  # Notepad's "Unicode", its mark too
    path = tmp_path / "thaidigest.toml"
    path.write_text(f'[{section}]\n{key} = "notepad.toml"\n')
    reason = f"{named}: not UTF-8 but UTF-16 (byte-order mark): TOML is UTF-8; save it as UTF-8"
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert str(refused.value) == f"{path}: {section}.{key}: {reason}"
    # Read again when a command runs (the file saved since the settings were checked).
    config = merge(DEFAULTS, {section: {key: str(named)}})
    read = user_rules_text if section == "relevance" else user_partners_text
    with pytest.raises(ConfigError) as refused:
        read(config)
    assert str(refused.value) == f"{section}.{key}: {reason}"
    named.write_bytes(f"{text}# ไทย\r\n".encode())
    assert read(config) == f"{text}# ไทย\n"


def test_a_folder_given_as_the_settings_file_is_named_a_folder(tmp_path):
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path)
    assert str(refused.value) == f"{tmp_path}: is a folder, not a settings file"


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        ("latin-1", "not UTF-8 (invalid at byte 21)"),
        ("utf-16", "not UTF-8 but UTF-16 (byte-order mark)"),  # Notepad's "Unicode"
        ("utf-16-be", "not UTF-8 but UTF-16 (byte-order mark)"),
        ("utf-32", "not UTF-8 but UTF-32 (byte-order mark)"),
    ],
)
def test_a_settings_file_that_is_not_utf8_is_named_so(tmp_path, encoding, reason):
    path = tmp_path / "bad.toml"
    mark = "\ufeff" if encoding.endswith("-be") else ""  # Python's utf-16 writes its own
    path.write_bytes(f'{mark}[digest]\ntitle = "café"\n'.encode(encoding))
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert str(refused.value) == f"{path}: {reason}: TOML is UTF-8; save it as UTF-8"


@pytest.mark.parametrize(
    ("value", "error"), [(0, "must be more than 0"), ("a week", "must be a number")]
)
def test_max_quiet_days_is_a_positive_number_of_days(value, error):
    assert merge(DEFAULTS, {})["status"]["max_quiet_days"] == 7
    check_settings({"status": {"max_quiet_days": 2.5}})
    with pytest.raises(ConfigError, match=rf"status\.max_quiet_days: {error}"):
        check_settings({"status": {"max_quiet_days": value}})


@pytest.mark.parametrize(
    ("value", "error"), [(0, "must be more than 0"), ("a day", "must be a number")]
)
def test_max_mail_owed_hours_is_a_positive_number_of_hours(value, error):
    assert merge(DEFAULTS, {})["status"]["max_mail_owed_hours"] == 24
    check_settings({"status": {"max_mail_owed_hours": 0.5}})
    with pytest.raises(ConfigError, match=rf"status\.max_mail_owed_hours: {error}"):
        check_settings({"status": {"max_mail_owed_hours": value}})


# --- Paths in a settings file: relative to the file's folder --------------------------


def settings_folder(tmp_path, text: str):
    """A settings file in ``tmp_path/etc`` with the files it names, and a cwd elsewhere."""
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "rules.toml").write_text("[groups.digital]\n", encoding="utf-8")
    (folder / "partners.toml").write_text("", encoding="utf-8")
    (folder / "model.npz").write_bytes(b"")
    path = folder / "thaidigest.toml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    return path


RELATIVE_PATHS = (
    '[relevance]\nrules = "rules.toml"\nmodel = "./model.npz"\n'
    '[partners]\nfile = "partners.toml"\n[digest]\nout = "public"\n'
)


def test_paths_in_a_settings_file_are_relative_to_its_folder(tmp_path, monkeypatch):
    path = settings_folder(tmp_path, RELATIVE_PATHS)
    monkeypatch.chdir(tmp_path / "elsewhere")
    config = load_config(path)
    folder = tmp_path / "etc"
    assert Path(config["relevance"]["rules"]) == folder / "rules.toml"
    assert Path(config["relevance"]["model"]) == folder / "model.npz"
    assert Path(config["partners"]["file"]) == folder / "partners.toml"
    assert Path(config["digest"]["out"]) == folder / "public"


def test_a_relative_settings_file_from_the_environment_names_paths_beside_it(tmp_path, monkeypatch):
    settings_folder(tmp_path, RELATIVE_PATHS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("THAIDIGEST_CONFIG", "etc/thaidigest.toml")
    config = load_config()
    assert Path(config["relevance"]["rules"]).resolve() == tmp_path / "etc" / "rules.toml"
    assert Path(config["digest"]["out"]).resolve() == tmp_path / "etc" / "public"


def test_absolute_and_home_paths_and_defaults_keep_their_meaning(tmp_path, monkeypatch):
    rules = tmp_path / "rules-elsewhere.toml"
    rules.write_text("[groups.digital]\n", encoding="utf-8")
    path = settings_folder(tmp_path, f'[relevance]\nrules = "{rules}"\n[digest]\nout = "~/www"\n')
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path / "elsewhere")
    config = load_config(path)
    assert config["relevance"]["rules"] == str(rules)
    assert config["digest"]["out"] == str(tmp_path / "home" / "www")
    path.write_text('[digest]\ntitle = "t"\n', encoding="utf-8")
    assert load_config(path)["digest"]["out"] == DEFAULTS["digest"]["out"]  # ./public, as ever


def test_a_missing_file_named_relative_to_the_settings_is_reported_where_it_was_looked_for(
    tmp_path, monkeypatch
):
    path = settings_folder(tmp_path, '[relevance]\nrules = "nowhere.toml"\n')
    monkeypatch.chdir(tmp_path / "elsewhere")
    with pytest.raises(ConfigError, match=re.escape(str(tmp_path / "etc" / "nowhere.toml"))):
        load_config(path)


# --- A value in a message: as the user wrote it in TOML ---------------------------------

SHOWN_VALUES = {
    "bool-for-a-number": (
        "[digest]\nweeks = true\n",
        "digest.weeks: must be a whole number, not true",
    ),
    "string-for-a-number": (
        '[email]\nport = "abc"\n',
        'email.port: must be a whole number, not "abc"',
    ),
    "number-for-a-string": ("[digest]\ntitle = 3\n", "digest.title: must be a string, not 3"),
    "string-in-a-list": (
        '[sites.mdes]\ncategories = [3, "x"]\n',
        'sites.mdes.categories: each item must be a whole number, not "x"',
    ),
    "false-for-a-list": (
        "[email]\nrecipients = false\n",
        "email.recipients: must be a list, not false",
    ),
    "table-for-a-string": (
        "[email]\nhost = { a = 1 }\n",
        "email.host: must be a string, not { a = 1 }",
    ),
    "escaped-newline": (
        '[crawl]\nuser_agent = "a\\nb"\n',
        'crawl.user_agent: must not hold control characters: "a\\nb"',
    ),
    "date-for-a-number": (
        "[digest]\nweeks = 2024-08-19\n",
        "digest.weeks: must be a whole number, not 2024-08-19",
    ),
}


@pytest.mark.parametrize(("text", "shown"), SHOWN_VALUES.values(), ids=SHOWN_VALUES.keys())
def test_a_wrong_value_is_shown_as_toml_writes_it(tmp_path, text, shown):
    path = tmp_path / "thaidigest.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == f"{path}: {shown}"


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        0,
        -7,
        2.5,
        1e20,
        math.inf,
        -math.inf,
        "",
        "plain",
        'say "hi" \\ back',
        "tab\tnew\nline\x7f\x9b\u202e",
        "ดิจิทัล",
        "\U0001f600",
        [],
        [3, "x", [True]],
        {},
        {"a": 1, "two words": "b"},
        date(2024, 8, 19),
        time(7, 30),
        datetime(2024, 8, 19, 7, 30, tzinfo=UTC),
    ],
)
def test_a_shown_value_reads_back_as_the_same_toml_value(value):
    shown = toml_value(value)
    assert tomllib.loads(f"v = {shown}")["v"] == value
    assert shown.isprintable()


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (
            lambda name: name.symlink_to("moved/thaidigest.toml"),
            "a link to nothing (moved/thaidigest.toml): no such configuration file",
        ),
        (lambda name: name.mkdir(), "is a folder, not a settings file"),
    ],
    ids=["link-to-nothing", "folder"],
)
def test_a_settings_file_in_the_current_folder_that_cannot_be_read_is_no_silent_default(
    make, error, tmp_path, monkeypatch
):
    """./thaidigest.toml, a link whose target was moved, or a folder, was passed over: the
    command ran on the defaults (the live sites, ./public) instead of the settings meant."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("THAIDIGEST_CONFIG", raising=False)
    make(tmp_path / "thaidigest.toml")
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert str(raised.value) == f"thaidigest.toml: {error}"


def test_without_a_settings_file_in_the_current_folder_the_defaults_are_the_settings(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("THAIDIGEST_CONFIG", raising=False)
    assert load_config() == DEFAULTS


@pytest.mark.parametrize(
    ("table", "key"), [("relevance", "rules"), ("relevance", "model"), ("partners", "file")]
)
def test_a_file_setting_naming_a_folder_says_it_is_a_folder(table, key, tmp_path):
    """It said `no such file: rules`, of a folder that is there."""
    (tmp_path / "rules").mkdir()
    settings = tmp_path / "thaidigest.toml"
    settings.write_text(f'[{table}]\n{key} = "rules"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(settings)
    assert (
        str(raised.value)
        == f"{settings}: {table}.{key}: {tmp_path / 'rules'}: is a folder, not a file"
    )


@pytest.mark.parametrize("value", ["", "  "])
@pytest.mark.parametrize(
    ("table", "key"), [("relevance", "rules"), ("relevance", "model"), ("partners", "file")]
)
def test_a_file_setting_left_empty_says_so_not_that_it_is_a_folder(table, key, value, tmp_path):
    """Path("") is the current folder: an empty value (a template's unset variable) was
    said to be a folder, `relevance.rules: : is a folder, not a file`."""
    settings = tmp_path / "thaidigest.toml"
    settings.write_text(f'[{table}]\n{key} = "{value}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(settings)
    assert str(raised.value) == f"{settings}: {table}.{key}: must not be empty"
