"""thaidigest's settings in a crawl: read when the crawl starts, never at import.

``thaidigest crawl`` passes its checked settings (``--config``) and database
(``--db``) to Scrapy as ``THAIDIGEST_CONFIG`` and ``THAIDIGEST_DB_URL``. A crawl
started another way (``scrapy crawl thaigov``) has neither: the first spider
class asked for them reads the user's file ($THAIDIGEST_CONFIG or
./thaidigest.toml) and the database of $THAIDIGEST_DB then, and applies the
file's ``[crawl]`` values as :func:`crawl_values` maps them. Every value not
set falls back on :data:`thaidigest.config.DEFAULTS`, the one place defaults live.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

from thaidigest.config import DEFAULTS, load_config, merge
from thaidigest.store import database_url

CONFIG_SETTING = "THAIDIGEST_CONFIG"
DB_SETTING = "THAIDIGEST_DB_URL"
# True when the crawl's starter holds its sites' locks (``thaidigest crawl``); a crawl
# started another way takes its site's lock itself (scraper.report.CrawlReport).
LOCKS_TAKEN_SETTING = "THAIDIGEST_LOCKS_TAKEN"


def crawl_values(config: dict[str, Any]) -> dict[str, Any]:
    """The Scrapy settings of the ``[crawl]`` table."""
    crawl = config["crawl"]
    return {
        "USER_AGENT": crawl["user_agent"],
        "ROBOTSTXT_OBEY": bool(crawl["obey_robots"]),
        "DOWNLOAD_TIMEOUT": float(crawl["timeout"]),
        "DOWNLOAD_MAXSIZE": int(crawl["max_page_bytes"]),
        "RETRY_TIMES": int(crawl["retries"]),
        "RETRY_BACKOFF_BASE": float(crawl["backoff_base"]),
        "LOG_LEVEL": crawl["log_level"],
    }


def ensure_crawl_config(settings: BaseSettings) -> None:
    """Give settings without thaidigest's values the user's file and database, read now."""
    if settings.get(CONFIG_SETTING) is None:
        config = load_config()
        settings.setdict(crawl_values(config), priority="spider")
        settings.set(CONFIG_SETTING, config, priority="spider")
    if not settings.get(DB_SETTING):
        settings.set(DB_SETTING, database_url(None), priority="spider")


def crawl_config(settings: BaseSettings) -> dict[str, Any]:
    """thaidigest's settings of this crawl, every key present (the defaults under the given)."""
    return merge(DEFAULTS, settings.getdict(CONFIG_SETTING))
