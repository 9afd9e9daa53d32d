"""``thaidigest status``: the last crawls and digest, and exit 1 when a crawl is overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from schedules.commands import status_command
from thaidigest.store import Store, utc_now

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
    record_run(store, "thaigov", hours_ago=1)
    record_run(store, "mdes", hours_ago=1)
    digests = tmp_path / "public" / "digests"
    digests.mkdir(parents=True)
    for name in ("2024-W33.md", "2024-W34.md", "2024-W34.html", "notes.md"):
        (digests / name).write_text("# digest\n")
    code, output = status(store, config)
    assert code == 0
    digest_line = next(line for line in output.splitlines() if line.startswith("digest:"))
    assert digest_line.startswith(f"digest: {digests / '2024-W34.md'} written ")


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
