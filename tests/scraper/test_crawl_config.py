"""The crawl's settings: thaidigest's defaults, the user's file read when a crawl starts."""

from __future__ import annotations

import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from scrapy.settings import Settings

from scraper.config import CONFIG_SETTING, DB_SETTING, crawl_config
from scraper.crawl import crawl_settings
from scraper.fixture_site import FixtureSite
from scraper.spiders.mdes import MdesSpider
from scraper.spiders.thaigov import ThaigovSpider
from tests.scraper.crawling import crawl, write_config
from thaidigest.config import DEFAULTS, merge


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    return settings


def test_importing_the_scrapy_settings_reads_no_user_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[crawl\n", encoding="utf-8")
    env = {**os.environ, "THAIDIGEST_CONFIG": str(broken)}
    run = [sys.executable, "-c", "import scraper.settings"]
    result = subprocess.run(run, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_crawl_without_thaidigest_settings_reads_the_user_file_when_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "thaidigest.toml"
    user.write_text(
        '[crawl]\nuser_agent = "test-agent/1"\nretries = 7\n[sites.mdes]\ndelay = 3.5\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("THAIDIGEST_CONFIG", str(user))
    monkeypatch.setenv("THAIDIGEST_DB", f"sqlite:///{tmp_path / 'x.sqlite'}")
    settings = project_settings()
    assert settings.get(CONFIG_SETTING) is None
    MdesSpider.update_settings(settings)
    assert settings.get("USER_AGENT") == "test-agent/1"
    assert settings.getint("RETRY_TIMES") == 7
    assert settings.getfloat("DOWNLOAD_DELAY") == 3.5
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1  # mdes's default
    assert settings.get(DB_SETTING) == f"sqlite:///{tmp_path / 'x.sqlite'}"


def test_a_crawl_given_its_settings_reads_no_user_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[crawl\n", encoding="utf-8")
    monkeypatch.setenv("THAIDIGEST_CONFIG", str(broken))
    config = merge(DEFAULTS, {"sites": {"thaigov": {"delay": 9}}})
    settings = crawl_settings(config, "sqlite://")
    ThaigovSpider.update_settings(settings)
    assert settings.getfloat("DOWNLOAD_DELAY") == 9.0
    assert settings.get(DB_SETTING) == "sqlite://"


def test_a_partial_crawl_config_falls_back_on_the_defaults() -> None:
    settings = Settings({CONFIG_SETTING: {"sites": {"thaigov": {"miss_limit": 5}}}})
    config = crawl_config(settings)
    assert config["sites"]["thaigov"]["miss_limit"] == 5
    assert (
        config["sites"]["thaigov"]["recheck_window"]
        == DEFAULTS["sites"]["thaigov"]["recheck_window"]
    )
    assert config["crawl"]["backoff_base"] == DEFAULTS["crawl"]["backoff_base"]


def test_the_project_settings_take_their_values_from_the_defaults() -> None:
    settings = project_settings()
    assert settings.get("USER_AGENT") == DEFAULTS["crawl"]["user_agent"]
    assert settings.getint("RETRY_TIMES") == DEFAULTS["crawl"]["retries"]
    assert settings.getfloat("RETRY_BACKOFF_BASE") == DEFAULTS["crawl"]["backoff_base"]
    assert settings.getint("DOWNLOAD_MAXSIZE") == DEFAULTS["crawl"]["max_page_bytes"]


def test_a_crawl_opens_no_remote_control_or_telnet_server(tmp_path: Path) -> None:
    # Scrapy 2.19's RemoteControl listens on a port and leaves a token in a job file.
    with FixtureSite() as site:
        result = crawl(
            site.base_url, tmp_path / "db.sqlite", write_config(tmp_path), "--source", "mdes", "-v"
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "scraper.report.CrawlReport" in result.stderr  # the enabled extensions are logged
    assert "RemoteControl" not in result.stderr
    assert "Remote control" not in result.stderr
    assert "TelnetConsole" not in result.stderr


def test_requests_to_a_site_are_never_closer_than_its_delay(tmp_path: Path) -> None:
    """``delay`` is the least time between two requests to a site (MDES answers a burst
    with 403): Scrapy's default jitter sent them anywhere from half to one and a half
    times that apart."""
    config = tmp_path / "thaidigest.toml"
    config.write_text(
        "[crawl]\nbackoff_base = 0.05\ntimeout = 5\n"
        "[sites.mdes]\ndelay = 0.5\ncategories = [3]\npage_limit = 2\n",
        encoding="utf-8",
    )
    with FixtureSite() as site:
        result = crawl(site.base_url, tmp_path / "db.sqlite", config, "--source", "mdes")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    times = sorted(record.time for record in site.requests)
    assert len(times) >= 8
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert min(gaps) >= 0.45, gaps
