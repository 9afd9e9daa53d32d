"""Scrapy settings: only the values we set, each with its reason.

Per-site delay and concurrency come from thaidigest's configuration
(``[sites.thaigov]``, ``[sites.mdes]``) and are applied by each spider's
``update_settings``; ``thaidigest crawl`` also overrides the values below
from ``[crawl]`` (see :func:`scraper.crawl.crawl_settings`).
"""

from thaidigest.config import DEFAULTS, load_config
from thaidigest.store import database_url

BOT_NAME = "thaidigest"

# What `scrapy crawl` uses: the database of $THAIDIGEST_DB (or the default path)
# and the settings of $THAIDIGEST_CONFIG or ./thaidigest.toml. `thaidigest crawl`
# passes its own --db and --config instead.
THAIDIGEST_DB_URL = database_url(None)
THAIDIGEST_CONFIG = load_config()
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"

# Government servers: ask robots.txt first and say who we are.
ROBOTSTXT_OBEY = True
USER_AGENT = DEFAULTS["crawl"]["user_agent"]

# Politeness: a delay between requests to one site, adapted to its latency.
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Retries wait longer each time (Retry-After when the server gives one).
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.BackoffRetryMiddleware": 550,
    # Scrapy's lets through requests made while robots.txt is being fetched.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scraper.robots.RobotsTxtMiddleware": 100,
}

# Redirects are answers to judge, not to follow blindly: a bot check or an
# off-site redirect must show up in the crawl report as "blocked".
REDIRECT_ENABLED = False

# A news page is a few hundred kB; anything far larger is not an article.
DOWNLOAD_MAXSIZE = DEFAULTS["crawl"]["max_page_bytes"]
DOWNLOAD_WARNSIZE = 1024 * 1024
DOWNLOAD_TIMEOUT = DEFAULTS["crawl"]["timeout"]

ITEM_PIPELINES = {"scraper.pipelines.StorePipeline": 300}
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scraper.report.CrawlReport": 500,
}

LOG_LEVEL = "INFO"
