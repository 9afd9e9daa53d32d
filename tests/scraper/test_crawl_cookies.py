"""A site that sets a cookie (a PHP session, a firewall's) is crawled with no request to
another host and nothing written in the home folder: Scrapy's cookie middleware asks
tldextract whether the cookie's domain is a public suffix, and tldextract, with no list
cached in the home folder, fetched one from publicsuffix.org, with no timeout, in the
crawl's thread, printed a traceback when it could not, and cached it in the home folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scraper.fixture_site import FaultPlan, FaultRule, FixtureSite
from tests.scraper.crawling import crawl_args, write_config
from tests.scraper.test_crawl import stored

EVERY_PAGE = r"^/"
# What decides where tldextract caches, and what it fetches: none of the user's.
TLDEXTRACT_VARIABLES = ("XDG_CACHE_HOME", "TLDEXTRACT_CACHE", "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS")


def test_a_site_setting_cookies_is_crawled_with_no_request_elsewhere_nor_file_at_home(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {name: value for name, value in os.environ.items() if name not in TLDEXTRACT_VARIABLES}
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    cookies = FaultPlan(rules=[FaultRule(path=EVERY_PAGE, fault="session_cookie")])
    with FixtureSite(faults=cookies) as site:
        args = crawl_args(site.base_url, db, config, "--source", "mdes")
        result = subprocess.run(
            [sys.executable, "-m", "thaidigest", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={**env, "HOME": str(home), "PYTHONWARNINGS": "ignore"},
        )
        sent_back = [
            r for r in site.requests if r.headers.get("Cookie", "").startswith("PHPSESSID=")
        ]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "mdes: ok" in result.stdout
    assert sent_back  # the cookie went through the middleware and came back
    assert len(stored(db)) == 12  # the fixture site's MDES articles
    assert "Traceback" not in result.stderr and "suffix" not in result.stderr.lower()
    assert list(home.iterdir()) == []
