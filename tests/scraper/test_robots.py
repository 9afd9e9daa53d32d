"""Naming the robots.txt rule that forbids a URL, and a robots.txt that cannot be fetched."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime

import pytest

from scraper.fixture_site import FixtureSite
from scraper.robots import forbidding_rule, robots_text
from tests.scraper.crawling import crawl, crawl_args, run_thaidigest, write_config
from thaidigest.config import DEFAULTS

AGENT = "thaidigest/0.1 (+https://example.org/thaidigest)"
URL = "https://www.thaigov.go.th/news/contents/details/87382"

# id -> (robots.txt, the rule named for URL)
CASES = {
    "one-rule": ("User-agent: *\nDisallow: /news/", "Disallow: /news/"),
    "the-matching-one": (
        "User-agent: *\nDisallow: /admin/\nDisallow: /news/contents/",
        "Disallow: /news/contents/",
    ),
    "the-longest": (
        "User-agent: *\nDisallow: /news/\nDisallow: /news/contents/",
        "Disallow: /news/contents/",
    ),
    "wildcard": ("User-agent: *\nDisallow: /*/details/", "Disallow: /*/details/"),
    "lowercase-and-comment": ("User-agent: *\ndisallow : /  # everything", "Disallow: /"),
    "allowed": ("User-agent: *\nDisallow: /admin/", None),
    "allow-wins": ("User-agent: *\nDisallow: /news/\nAllow: /news/contents/", None),
    "other-agents-group": (
        "User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /search",
        None,
    ),
    "our-own-group": (
        "User-agent: thaidigest\nDisallow: /news/\n\nUser-agent: *\nDisallow: /",
        "Disallow: /news/",
    ),
    "our-own-group-in-another-case": (
        "User-agent: ThaiDigest\nDisallow: /news/\n\nUser-agent: *\nDisallow: /",
        "Disallow: /news/",
    ),
    # Protego reads a User-agent line without its colon, generously: so do we.
    "our-own-group-without-a-colon": (
        "User-agent thaidigest\nDisallow: /news/\n\nUser-agent: *\nDisallow: /",
        "Disallow: /news/",
    ),
    "a-rule-without-its-colon-is-named": (
        "User-agent: thaidigest\nDisallow /news/\n\nUser-agent: *\nDisallow: /",
        "Disallow: /news/",
    ),
    # Protego takes a "*" out of a group's name: "thaidigest*" names us.
    "our-own-group-with-a-wildcard": (
        "User-agent: thaidigest*\nDisallow: /news/\n\nUser-agent: *\nDisallow: /",
        "Disallow: /news/",
    ),
    # RFC 9309 2.2.1: our product token is matched, not our whole User-Agent string.
    "a-group-named-by-a-word-of-our-user-agent": (
        "User-agent: example\nDisallow: /\n\nUser-agent: *\nDisallow: /search",
        None,
    ),
    "a-group-named-by-the-start-of-our-token": (
        "User-agent: thai\nDisallow: /\n\nUser-agent: *\nDisallow: /search",
        None,
    ),
    # Protego honours misspelt Disallow fields: the rule named was another line.
    "a-misspelt-disallow-is-named": (
        "User-agent: *\nDissallow: /news/contents/\nDisallow: /admin/",
        "Disallow: /news/contents/",
    ),
    "a-misspelt-disallow-wins-over-a-shorter-rule": (
        "User-agent: *\nDisalow: /news/\nDisallow: /",
        "Disallow: /news/",
    ),
    # Protego reads "User<tab>agent: thaidigest" as an unknown field, no group name: only
    # the "*" group applies to us, not the group named "thai" (asked as "thaidigest").
    "a-user-agent-field-with-a-tab-names-no-group": (
        "User\tagent: thaidigest\nDisallow: /admin/\n\nUser-agent: thai\nDisallow: /\n\n"
        "User-agent: *\nDisallow: /search",
        None,
    ),
    "user-agent-as-two-words-without-a-colon": (
        "User agent thaidigest\nDisallow: /news/\n\nUser-agent: *\nDisallow: /",
        "Disallow: /news/",
    ),
    # The other group's rule, tried alone, must not join its group to ours.
    "a-rule-of-the-next-group-is-not-ours": (
        "User-agent: thaidigest\nDisallow: /news/\nUser-agent: otherbot\nDisallow: /news/contents/",
        "Disallow: /news/",
    ),
    "star-when-no-group-names-us": (
        "User-agent: example\nDisallow: /search\n\nUser-agent: *\nDisallow: /news/",
        "Disallow: /news/",
    ),
}


@pytest.mark.parametrize(("robots", "expected"), CASES.values(), ids=CASES.keys())
def test_forbidding_rule_names_the_line_of_the_group_that_applies(robots, expected):
    assert forbidding_rule(robots, URL, AGENT) == expected


def refused_base_url() -> tuple[str, str]:
    """A loopback address nothing listens on (connections refused), and its host."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}", f"127.0.0.1:{port}"


UNREACHABLE_SITES = {
    "refused": (refused_base_url, "connection refused"),
    # RFC 2606: .invalid never resolves.
    "unresolvable": (
        lambda: ("http://nonexistent.invalid", "nonexistent.invalid"),
        "DNS lookup failed",
    ),
}


@pytest.mark.parametrize(
    "body",
    [
        b"User-agent: thaidigest\xa0\nDisallow: /private/\n\nUser-agent: *\nDisallow: /\n",
        b"User\xa0agent: thaidigest\nDisallow: /private/\n\nUser-agent: *\nDisallow: /\n",
    ],
)
def test_a_byte_that_is_not_utf8_is_dropped_as_scrapys_parser_drops_it(body):
    # Read with U+FFFD in its place, "thaidigest\ufffd" named no group we know: the "*"
    # group, Disallow: /, was judged where Protego had read ours.
    text = robots_text(body)
    assert forbidding_rule(text, "https://www.mdes.go.th/news/1", AGENT) is None
    assert forbidding_rule(text, "https://www.mdes.go.th/private/1", AGENT) == (
        "Disallow: /private/"
    )


@pytest.mark.parametrize(
    ("where", "in_words"), UNREACHABLE_SITES.values(), ids=UNREACHABLE_SITES.keys()
)
def test_a_robots_txt_that_cannot_be_fetched_is_one_line_naming_the_site_and_why(
    tmp_path, where, in_words
):
    base_url, host = where()
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    result = crawl(base_url, db, config, "--source", "mdes")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    robots_lines = [
        line
        for line in result.stderr.splitlines()
        if f"mdes: cannot fetch {base_url}/robots.txt" in line
    ]
    assert len(robots_lines) == 1, result.stderr
    assert host in robots_lines[0] and f"({in_words}): the site is not crawled" in robots_lines[0]
    # The report and status say robots.txt could not be fetched, and why, in words.
    assert f"mdes: blocked (robots.txt unreachable: {in_words}) in " in result.stdout
    assert f"robots.txt unreachable ({in_words}): " in result.stdout
    status = run_thaidigest("status", "--db", str(db), "--config", str(config))
    assert f"mdes: blocked (robots.txt unreachable: {in_words}) at " in status.stdout
    assert f"mdes: crawls: blocked 1 (robots.txt unreachable: {in_words})" in status.stdout
    assert "Error" not in result.stdout + status.stdout  # no exception's class name


# A crawl's log line as the daemon and serve write theirs: its time in Bangkok, to the
# second, in ISO 8601 with the offset, "2026-12-06T12:19:07+07:00 [scraper.robots] ERROR: ".
BANGKOK_LOG_LINE = re.compile(
    r"(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00) \[[\w.]+\] (?P<level>[A-Z]+): "
)


@pytest.mark.parametrize("machine_zone", ["UTC", "America/New_York"])
def test_an_unreachable_site_is_said_once_in_a_log_in_bangkok_time(tmp_path, machine_zone):
    """Scrapy's own give-up line came first, with the machine's time ("+0000" in a
    container), then thaidigest's line for the same failure."""
    base_url, _ = refused_base_url()
    config = write_config(tmp_path)
    began = datetime.now(UTC).replace(microsecond=0)
    result = run_thaidigest(
        *crawl_args(base_url, tmp_path / "db.sqlite", config, "--source", "mdes"),
        tz=machine_zone,
    )
    ended = datetime.now(UTC)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == [
        f"ERROR: mdes: cannot fetch {base_url}/robots.txt (connection refused): the site is "
        "not crawled",
        f"WARNING: blocked ({base_url}/robots.txt unreachable: connection refused): "
        f"{base_url}/news/3 not sent; the report counts the others it forbids",
    ], result.stderr
    for line in lines:
        stamp = BANGKOK_LOG_LINE.match(line)
        assert stamp, line
        assert began <= datetime.fromisoformat(stamp["time"]) <= ended


def test_a_group_for_a_bot_named_in_our_user_agent_string_does_not_apply_to_the_crawl(tmp_path):
    """The default User-Agent ends "news digest bot)": a group for "bot" is another crawler's."""
    assert "bot" in DEFAULTS["crawl"]["user_agent"]
    robots = "User-agent: bot\nDisallow: /\n\nUser-agent: *\nDisallow: /news/detail/\n"
    config = write_config(tmp_path)
    with FixtureSite(robots_txt=robots) as site:
        result = crawl(site.base_url, tmp_path / "db.sqlite", config, "--source", "mdes")
        paths = [r.path for r in site.requests]
    assert [p for p in paths if p.startswith("/news/detail/")] == []
    assert [p for p in paths if p.startswith("/news/")], paths  # the listings were read
    assert "mdes: blocked by robots.txt (Disallow: /news/detail/)" in result.stdout


def test_a_site_answering_https_without_tls_is_reported_as_a_tls_error_with_its_reason(tmp_path):
    """The fixture site speaks plain HTTP: a crawl of it over https fails its handshake,
    and the report says so with the reason OpenSSL gave."""
    config = write_config(tmp_path)
    with FixtureSite() as site:
        https_url = site.base_url.replace("http://", "https://", 1)
        result = crawl(https_url, tmp_path / "db.sqlite", config, "--source", "mdes")
    assert result.returncode == 1
    reason = "TLS error: wrong version number"
    assert f"mdes: blocked (robots.txt unreachable: {reason}) in " in result.stdout
    (cannot,) = [line for line in result.stderr.splitlines() if "cannot fetch" in line]
    assert cannot.endswith(
        f"mdes: cannot fetch {https_url}/robots.txt ({reason}): the site is not crawled"
    )
