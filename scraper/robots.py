"""robots.txt for every request, and the rule that forbids one.

Scrapy's ``RobotsTxtMiddleware`` fetches robots.txt once per host and judges
each request by it. Requests that reach it while that fetch is still running
all wait on one shared ``Deferred``, which Scrapy (since 2.13) awaits through
``Deferred.asFuture``: that hands the parsed robots.txt to the first waiter
and ``None`` ("no robots.txt, allow everything") to every other one. A crawl
that starts with many requests to one host (the thaigov id walk, the MDES
listings) therefore fetched most of its first pages unchecked.
:class:`RobotsTxtMiddleware` gives each waiter its own copy of the result,
and fails a forbidden request with :class:`ForbiddenByRobots`, which names the
robots.txt line that forbids it, so the crawl report can say why a site was
not crawled.

A robots.txt that redirects is followed here (Scrapy's redirect middleware is
off: the spiders judge their own redirects), to other hosts too, through at
most :data:`MAX_ROBOTS_REDIRECTS` consecutive redirects, and the answer it leads to is
read as robots.txt (RFC 9309 2.3.1.2): a rule is named with the address of that answer.
One redirect more, one with no
``Location``, or one to anything but http(s) (a ``file:`` URL would have the
crawler read its own disk) makes robots.txt unavailable, which allows
everything, as a 4xx does.

A robots.txt that cannot be fetched (a 5xx answer once its retries are spent,
or a network failure) forbids the whole site for the crawl, as RFC 9309
(2.3.1.4) asks; so does a 429 once its retries are spent (or with a
``Retry-After`` longer than we wait): the site asks us to slow down, and
reading that 4xx as "no robots.txt" would crawl everything. Any other 4xx (no
robots.txt) allows everything. Each request is then failed with
:class:`ForbiddenByRobots` whose rule is ``unreachable: HTTP 503`` (or
``HTTP 429``, or why the network failed in plain words, ``connection refused``:
:func:`scraper.download_errors.plain_reason`).

The group of rules that applies is the one naming our product token, the name
before the ``/`` of the configured User-Agent (``thaidigest``), in any case, else
the ``*`` group (RFC 9309 2.2.1). Protego matches a group's name anywhere in the
string it is given, at a word's start: given our whole User-Agent, ``User-agent:
bot`` applied to ``… news digest bot)``, and given the token, ``User-agent: thai``
applied to ``thaidigest``. It is asked with the token only when a group names it
exactly (the longest name it then finds is that one), else with ``*``, which only
the ``*`` group matches (:func:`robots_agent`). That group's ``Crawl-delay`` is sent
(:data:`scraper.throttle.crawl_delay_read`) before any request waiting on robots.txt
is judged: :class:`scraper.throttle.AutoThrottle` makes it the least time between
requests to the host, when longer than the site's delay (capped at 30 s).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from protego import Protego
from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxt
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import decode_robotstxt
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from w3lib.url import safe_url_string

from scraper.download_errors import is_over_size, plain_reason
from scraper.middlewares import RATE_LIMITED
from scraper.report import UNREACHABLE
from scraper.throttle import crawl_delay_read

logger = logging.getLogger(__name__)

# The fields Protego (0.7) reads, misspellings it honours included. A line is read as it
# reads one (:func:`directive`): "Field: value", or generously "Field value" without the
# colon; "User agent" may be two words, but only when they are the field's own words.
DISALLOW_FIELDS = frozenset(
    {"disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"}
)
ALLOW_FIELDS = frozenset({"allow"})
USER_AGENT_FIELDS = frozenset({"user-agent", "useragent", "user agent"})
OTHER_FIELDS = frozenset(
    {"sitemap", "sitemaps", "site-map", "crawl-delay", "crawl delay", "request-rate"}
    | {"request rate", "visit-time", "visit time", "host"}
)
_FIELDS = DISALLOW_FIELDS | ALLOW_FIELDS | USER_AGENT_FIELDS | OTHER_FIELDS
_MAX_FIELD_WORDS = max(len(field.split()) for field in _FIELDS)
ANY_ROBOT = "*"  # the group name that applies to a crawler no group names
EMPTY_RULE = "Disallow:"  # a rule that forbids nothing (RFC 9309 2.2.2)


MAX_ROBOTS_REDIRECTS = 5  # RFC 9309 2.3.1.2: follow at least five consecutive redirects
WEB_SCHEMES = ("http", "https")  # the only robots.txt redirects followed


class ForbiddenByRobots(IgnoreRequest):
    """A request robots.txt forbids; ``rule`` is the line that forbids it, if found,
    or ``unreachable: …`` when robots.txt could not be fetched; ``robots_url`` the address
    that answered (the target of its redirects), or, for one never answered, the host's."""

    def __init__(self, url: str, robots_url: str, rule: str | None) -> None:
        super().__init__(f"Forbidden by robots.txt ({rule or 'no single rule found'})")
        self.url = url
        self.robots_url = robots_url
        self.rule = rule


def directive(line: str) -> tuple[str, str] | None:
    """A robots.txt line's field (lowercased) and value as Protego reads them; None for a
    line without one. A field before a colon is taken when it is a known one or the colon
    ends the line or has a space after it; else the line's first words, when they spell a
    known field (``Disallow /a:b``, ``User agent thaidigest``)."""
    line = line.split("#", 1)[0].strip()
    field: str | None = None
    value = ""
    if ":" in line:
        field, raw_value = line.split(":", 1)
        field, value = field.strip().lower(), raw_value.strip()
        if field in _FIELDS or not raw_value or raw_value[0].isspace():
            return field, value
    words = line.split()
    for count in range(1, _MAX_FIELD_WORDS + 1):
        if (candidate := " ".join(words[:count]).lower()) in _FIELDS:
            return candidate, " ".join(words[count:])
    return None if field is None else (field, value)


def robots_text(body: bytes) -> str:
    """A robots.txt body as Scrapy's parser reads it (a byte-order mark off, bytes that are
    not UTF-8 dropped): the text the rules are named from is the one Protego judged."""
    return decode_robotstxt(body, None)


def product_token(user_agent: str) -> str:
    """The product's name a User-Agent gives before its ``/`` version (RFC 9309 2.2.1):
    ``thaidigest`` for ``thaidigest/0.1 (+https://…)``."""
    return re.split(r"[/\s]", user_agent.strip(), maxsplit=1)[0]


@lru_cache(maxsize=64)
def robots_agent(robots_txt: str, user_agent: str) -> str:
    """The name to ask Protego with so that the group of ``robots_txt`` that applies
    to ``user_agent`` is the one judged: its product token (:func:`product_token`)
    when a group of Protego's reading names it, in any case; else :data:`ANY_ROBOT`, which
    only the ``*`` group matches.

    The group names are read as Protego reads them (:func:`directive`), lowercased
    and, as Protego does, with any ``*`` in them also taken out (``thaidigest*``), so a
    line it reads generously (``User-agent thaidigest``, without the colon) names us too.
    """
    token = product_token(user_agent).lower()
    names = {
        variant
        for line in robots_txt.splitlines()
        if (read := directive(line)) and read[0] in USER_AGENT_FIELDS
        for name in [read[1].lower()]
        for variant in (name, name.replace("*", ""))
    }
    return token if token and token in names else ANY_ROBOT


@lru_cache(maxsize=4096)
def forbidding_rule(robots_txt: str, url: str, user_agent: str) -> str | None:
    """The ``Disallow`` line of ``robots_txt`` that forbids ``url`` to ``user_agent``.

    Each rule line is tried alone (every other rule an empty ``Disallow:``, the groups
    left as they are), so only the rules of the group that applies to the user
    agent's product token (:func:`robots_agent`) count; of those that forbid the
    URL, the longest pattern (the most specific, which RFC 9309 makes the one
    that decides) is named. None when the URL is allowed or no single line forbids it.
    """
    agent = robots_agent(robots_txt, user_agent)
    if Protego.parse(robots_txt).can_fetch(url, agent):
        return None
    lines = robots_txt.splitlines()
    read = [(index, directive(line)) for index, line in enumerate(lines)]
    rules = [(i, rule) for i, rule in read if rule and rule[0] in ALLOW_FIELDS | DISALLOW_FIELDS]
    rule_lines = {index for index, _ in rules}
    found: list[str] = []
    for index, (field, value) in rules:
        if field not in DISALLOW_FIELDS or not value:
            continue
        # Each other rule becomes an empty Disallow, which forbids nothing but still ends
        # its group: commented out, two groups around it would read as one.
        alone = [
            line if i == index or i not in rule_lines else EMPTY_RULE
            for i, line in enumerate(lines)
        ]
        if not Protego.parse("\n".join(alone)).can_fetch(url, agent):
            found.append(value)
    if not found:
        return None
    return f"Disallow: {max(found, key=len)}"


class RobotsTxtMiddleware(ScrapyRobotsTxt):
    """Scrapy's robots.txt middleware, with every waiting request judged and rules named."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._robots_text: dict[str, str] = {}
        self._unreachable: dict[str, str] = {}  # netloc -> why its robots.txt could not be read
        # netloc -> the address its robots.txt was read from, that of the last redirect's target
        self._robots_source: dict[str, str] = {}
        # The User-Agent header is set after this middleware runs (UserAgentMiddleware, 500).
        self._user_agent = self._robotstxt_useragent or self._default_useragent

    async def robot_parser(self, request: Request) -> Any:
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            await self._fetch_robots(request)
        pending = self._parsers[netloc]
        if not isinstance(pending, Deferred):
            return pending
        # Wait on a Deferred of our own: awaiting the shared one would take its result.
        mine: Deferred = Deferred()

        def relay(parser: Any) -> Any:
            mine.callback(parser)
            return parser

        pending.addBoth(relay)
        return await maybe_deferred_to_future(mine)

    async def _fetch_robots(self, request: Request) -> None:
        """Fetch the robots.txt of ``request``'s host, once, as Scrapy does; one that cannot
        be fetched is one line naming the site and why, where Scrapy logs a traceback
        (kept for ``-vv``)."""
        netloc = urlparse_cached(request).netloc
        self._parsers[netloc] = Deferred()
        robots_url = f"{urlparse_cached(request).scheme}://{netloc}/robots.txt"
        robots_request = Request(
            robots_url,
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True},
            callback=NO_CALLBACK,
        )
        try:
            response = await self.crawler.engine.download_async(robots_request)
            await self._parse_robots(response, netloc, request)
        except Exception as error:
            # An IgnoreRequest is a request we chose not to send, but for an answer
            # Scrapy ignored once its body, decompressed, passed the size limit.
            if not isinstance(error, IgnoreRequest) or is_over_size(error):
                spider = self.crawler.spider
                logger.error(
                    "%s: cannot fetch %s (%s): the site is not crawled",
                    spider.name,
                    robots_url,
                    self._plain_reason(error),
                    extra={"spider": spider},
                )
                logger.debug("%s could not be fetched:", robots_url, exc_info=True)
            self._robots_error(error, netloc)
        self._stats.inc_value("robotstxt/request_count")

    async def _follow_redirects(self, response: Response) -> Response:
        """The answer ``response`` redirects to, through at most :data:`MAX_ROBOTS_REDIRECTS` hops;
        an answer still redirecting after them comes back with an empty body."""
        for _ in range(MAX_ROBOTS_REDIRECTS):
            location = response.headers.get("Location")
            if not 300 <= response.status < 400 or not location:
                break
            target = urljoin(response.url, safe_url_string(location))
            if urlsplit(target).scheme not in WEB_SCHEMES:  # never file: or data:
                break
            hop = Request(
                target,
                priority=self.DOWNLOAD_PRIORITY,
                meta={"dont_obey_robotstxt": True, "allow_offsite": True},
                callback=NO_CALLBACK,
            )
            response = await self.crawler.engine.download_async(hop)
        if 300 <= response.status < 400:  # too many redirects, or one not followed: unavailable
            response = response.replace(body=b"")
        return response

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        response = await self._follow_redirects(response)
        # The retries are spent: the server cannot tell us, or still asks us to slow down.
        if response.status >= 500 or response.status == RATE_LIMITED:
            self._unreachable[netloc] = f"HTTP {response.status}"
            response = response.replace(body=b"")
        self._robots_source[netloc] = response.url
        text = self._robots_text[netloc] = robots_text(response.body)
        delay = Protego.parse(text).crawl_delay(robots_agent(text, self._user_agent))
        if delay is not None:  # before any request it judges reaches the downloader
            await self.crawler.signals.send_catch_log_async(
                signal=crawl_delay_read,
                slot=self.crawler.engine.downloader.get_slot_key(request),
                delay=delay,
                robots_url=response.url,
            )
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self._unreachable[netloc] = self._plain_reason(exc)
        super()._robots_error(exc, netloc)

    def _plain_reason(self, error: BaseException) -> str:
        """Why robots.txt could not be fetched, in the crawl report's words."""
        return plain_reason(error, timeout=self.crawler.settings.getfloat("DOWNLOAD_TIMEOUT"))

    def process_request_2(self, rp: Any, request: Request) -> None:
        parts = urlparse_cached(request)
        asked = f"{parts.scheme}://{parts.netloc}/robots.txt"
        robots_url = self._robots_source.get(parts.netloc, asked)
        unreachable = self._unreachable.get(parts.netloc)
        if unreachable is not None:
            self._stats.inc_value("robotstxt/forbidden")
            raise ForbiddenByRobots(request.url, robots_url, f"{UNREACHABLE}: {unreachable}")
        if rp is None:
            return
        text = self._robots_text.get(parts.netloc, "")
        if rp.allowed(request.url, robots_agent(text, self._user_agent)):
            return
        self._stats.inc_value("robotstxt/forbidden")
        rule = forbidding_rule(text, request.url, self._user_agent) if text else None
        raise ForbiddenByRobots(request.url, robots_url, rule)
