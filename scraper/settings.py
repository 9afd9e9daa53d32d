"""Scrapy settings: only the values we set, each with its reason.

Values thaidigest's configuration holds come from its defaults here
(:data:`thaidigest.config.DEFAULTS`) and from the user's file when a crawl
starts, never at import (see :mod:`scraper.config`): ``[crawl]`` overrides
the values below, and each spider's ``update_settings`` applies its site's
delay and concurrency (``[sites.thaigov]``, ``[sites.mdes]``).
"""

import os

from thaidigest.cli import pythainlp_read_only
from thaidigest.config import DEFAULTS
from thaidigest.output import LOG_DATE_FORMAT

# `scrapy crawl` run in the project's folder starts here, not in thaidigest's command line:
# PyThaiNLP read-only all the same (a service user may have no home folder to write).
pythainlp_read_only(os.environ)
# Scrapy's cookie middleware asks tldextract whether a cookie's domain is a public suffix.
# With no copy of the list cached in the home folder, tldextract fetched it from
# publicsuffix.org, without a timeout, in the crawl's one thread (a firewall dropping that
# request stalled the crawl for minutes; offline, a traceback on stderr), then cached it
# there. The copy it ships is enough: no request, nothing written (before tldextract loads,
# as it reads these when it loads; a user's own choice kept).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
os.environ.setdefault("TLDEXTRACT_CACHE", "")

BOT_NAME = "thaidigest"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"
# `scrapy crawl` prints its report and exits as `thaidigest crawl` does (75: locked, 1 unless ok).
COMMANDS_MODULE = "scraper.scrapy_commands"
# A spider's own retry (a page that answered 200 with no article) is Scrapy's
# get_retry_request, which counts in retry_times: no copied key to warn of on stderr.
META_COPY_WARN_SKIP_KEYS = ["retry_times"]

# Government servers: ask robots.txt first and say who we are.
ROBOTSTXT_OBEY = True
USER_AGENT = DEFAULTS["crawl"]["user_agent"]

# Politeness: a delay between requests to one site (each spider sets its site's
# delay and concurrency), adapted to its latency.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# A site's delay is the least time between two of its requests (MDES answers a burst with
# 403): Scrapy's default jitter (±50%) sent some half that apart.
DOWNLOAD_DELAY_JITTER = 0.0
# robots.txt's Crawl-delay for our group raises a site's least delay (scraper.throttle), to
# at most this (seconds): a robots.txt asking for an hour would stall a crawl for days.
ROBOTSTXT_CRAWL_DELAY_MAX = 30.0

# Retries wait longer each time (Retry-After when the server gives one).
RETRY_TIMES = DEFAULTS["crawl"]["retries"]
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = DEFAULTS["crawl"]["backoff_base"]  # seconds; doubles each time
RETRY_BACKOFF_MAX = 60.0  # also the longest Retry-After obeyed: a longer one stops the site
# A retry goes before new pages: a site that keeps refusing is found out early.
RETRY_PRIORITY_ADJUST = 1
# A request given up after its retries is said in thaidigest's words, one line: the
# spider's `error: URL: connection refused`, robots.txt's `cannot fetch`, a blocked page.
# Scrapy's own "Gave up retrying" line only repeated it first; it stays for -vv.
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"
# A site that refused this many pages in a row (each after its retries), none served in
# the crawl, one of them known to exist (a revisit, an MDES listing, a thaigov search
# page), refuses this client: stopped for the crawl rather than asked for every page.
REFUSED_PAGES_TO_STOP_SITE = 5
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.BackoffRetryMiddleware": 550,
    # Scrapy's lets through requests made while robots.txt is being fetched.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scraper.robots.RobotsTxtMiddleware": 100,
    # A streamed answer over DOWNLOAD_MAXSIZE says so, as one with a Content-Length does;
    # the lowest number: it sees an exception last, and its errback gets what it gives.
    "scraper.download_size.OverSizeMiddleware": 50,
    # A body not in the compression its Content-Encoding names is an error in plain
    # words, not the decoder's; a stream cut short is read as Scrapy reads it.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "scraper.content_encoding.ContentEncodingMiddleware": 590,
}

# Redirects are answers to judge, not to follow blindly: a bot check or an
# off-site redirect must show up in the crawl report as "blocked".
REDIRECT_ENABLED = False
# So is a page that is only a meta refresh: the spider judges it as that redirect
# (scraper.spiders.base); Scrapy's middleware followed it, or a page's auto-reload, blindly.
METAREFRESH_ENABLED = False

# A news page is a few hundred kB; anything far larger is not an article.
DOWNLOAD_MAXSIZE = DEFAULTS["crawl"]["max_page_bytes"]
DOWNLOAD_WARNSIZE = 1024 * 1024
DOWNLOAD_TIMEOUT = DEFAULTS["crawl"]["timeout"]

ITEM_PIPELINES = {"scraper.pipelines.StorePipeline": 300}
# No console or control server: a crawl opens no port and leaves no token file.
REMOTE_CONTROL_ENABLED = False
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scraper.report.CrawlReport": 500,
    # AutoThrottle never below a host's robots.txt Crawl-delay.
    "scrapy.extensions.throttle.AutoThrottle": None,
    "scraper.throttle.AutoThrottle": 0,
}

# Warnings and errors only: a crawl prints its own report (``crawl.log_level``).
LOG_LEVEL = DEFAULTS["crawl"]["log_level"]
LOG_DATEFORMAT = LOG_DATE_FORMAT  # with the UTC offset: thaidigest.output
