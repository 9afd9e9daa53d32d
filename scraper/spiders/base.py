"""What both spiders share: how an answer is judged and reported.

Every response is handled (``handle_httpstatus_all``), so the spider, not
Scrapy, decides what a status means: :meth:`SiteSpider.judge` returns a
:class:`Verdict`, one :class:`Answer` and, for a redirect to follow, its request.

- an answer after which the retry middleware stopped the site for the rest of the
  crawl (``meta["site_stopped"]``, the reason: see :mod:`scraper.middlewares`) is
  **blocked** with that reason and not parsed: a bot check's page answered with 200
  (``bot check page: KIND``), a 429 that outlived its retries, a ``Retry-After``
  too long to wait; the requests of that site then not sent are **blocked** too,
  once per reason with their count; the answers to requests that were on the wire
  at the stop and are refusals too (a second challenge, a 401, 403, 407, 429 or 451,
  a 5xx that would be retried) were sent and
  answered: counted apart, once per reason, as answers after the stop, not used;
- 200: a page to parse;
- 304: unchanged since the stored ETag / Last-Modified; a 304 to a request that named
  neither (a new article, a listing) is an **error** (:data:`NOT_MODIFIED_UNASKED`);
- a 200 page that is only a meta refresh or a ``Refresh`` header
  (:func:`scraper.sites.refresh_target`: within ``MAX_REFRESH_DELAY`` seconds to an
  http(s) URL, next to no text; or, an article page, within
  ``MAX_TEMPLATE_REFRESH_DELAY`` seconds in the site's template with its body block
  empty or holding only a short message ("ข่าวนี้ย้ายแล้ว"), on a site whose spider names
  that block: thaigov) is judged as a redirect to its target
  (Scrapy's meta refresh middleware is off, as its redirect middleware is);
- a redirect to another URL of the same article on the same site, or of a listing or
  search page to another spelling of its own address, is followed (at most
  ``MAX_ARTICLE_REDIRECTS`` hops); the same site (:func:`thaidigest.urls.same_site`) is
  the same host with ``www.`` or without (``www.thaigov.go.th`` and ``thaigov.go.th``)
  on the same port, or on https where the page asked was on http, never the other way
  round: another host or port, or a move to http, is off the site. An article's
  redirect to the site's home page or a listing
  (:data:`thaidigest.sites.REMOVED_ARTICLE_TARGETS`, no query), or to another article
  (another id, no query), says the article was taken down:
  **missing**, as a 404, nothing stored under its address, on a site that serves article
  pages in the crawl; before any is served, it is held (:attr:`Answer.SENT_AWAY`): missing
  once one is, **blocked** with its status and target when the site is stopped for
  refusing pages (it counts as a refusal) or when the crawl ends with none served, one
  of them a page known to exist, and they are the crawl's pattern: at least
  ``REFUSED_PAGES_TO_STOP_SITE`` of them (a bot redirect sends every article home), or
  no page of the site served at all; fewer, on a site that served its listings, were
  removed; any other
  redirect (off the site, to a bot check, a loop, to the article's own id past those
  hops), a 403 that survived its retries, or a 429 is **blocked**, with the status and
  the target;
- a request robots.txt forbids is never sent: it is **blocked** too, with the
  reason ``robots.txt`` and the rule that forbids it;
- a site is stopped for the rest of the crawl, as the retry middleware stops one, with
  the reason ``refused 5 pages in a row``, only on proof that it refuses this client:
  ``REFUSED_PAGES_TO_STOP_SITE`` pages refused (or articles sent away) in a row (each
  blocked once its retries were spent, in the order the answers come, whatever the
  concurrency; an error neither
  counts nor breaks the row), nothing served (200, 304, 404 or 410) in the crawl so far,
  and at least one of them a page known to exist (:data:`KNOWN_PAGE`: a stored article
  revisited, an MDES listing, a thaigov search page, an article one of these links). Pages
  that are guesses (thaigov ids not stored yet) refused in a row stop nothing by
  themselves: a site answers 403 past its
  newest article or for a withdrawn one. Once a page is served, the site is not stopped
  for refusals in that crawl. A stopped crawl stored nothing, so the next one goes on
  from where this one started; the pages not asked are reported as not sent;
- anything else, and network errors, are **errors** with the URL; a network error
  says why in the words of the crawl report (``connection refused``, ``timed out after
  30 s``: :func:`scraper.download_errors.plain_reason`), never as an error class.

An article page whose HTML stops before ``</body>`` and ``</html>`` and before the
template's footer (:func:`scraper.sites.is_whole_page`; HTML5 lets a whole page leave out
both tags) is retried like a garbled page, then
reported as an error (:data:`CUT_SHORT`), never stored. One nested deeper than the
HTML parser reads (:func:`scraper.sites.parses_whole`) is reported as an error at once
(:data:`TOO_DEEP`), never stored: its text past that depth would be lost. A listing
or search page so nested is an error too (:data:`TOO_DEEP_LISTING`), its links read
before that depth followed: the crawl is not clean, so the next one looks further back.
A listing or search page cut short is retried the same way, then reported as an error
and read as far as it goes; one that cannot be decoded is retried, then an error
(:meth:`SiteSpider.listing_text`).

A callback, or the item pipeline, that raises (a bug met on a page) is an error with
the page's URL (:data:`CALLBACK_FAILED`, :data:`ITEM_FAILED`): Scrapy only logged it, and
the crawl that lost the page's article was clean, the next one not looking back for it.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from scraper.config import DB_SETTING, crawl_config, ensure_crawl_config
from scraper.download_errors import plain_reason
from scraper.middlewares import (
    BACK_OFF,
    BLOCKED_STATUSES,
    SITE_STOPPED,
    STOP_SITE,
    AnsweredAfterStop,
    SiteStopped,
)
from scraper.report import (
    FINISHED_REASON,
    LOCKED,
    REFUSED_PAGES_STOP,
    ROBOTS_REASON,
    START_FAILURE,
    UNREACHABLE,
    unreachable_reason,
)
from scraper.robots import ForbiddenByRobots
from scraper.sites import (
    MAX_PARSED_DEPTH,
    NotArticle,
    PageArticle,
    absolute_url,
    is_whole_page,
    page_language,
    parses_whole,
    refresh_target,
)
from thaidigest.dates import bangkok_today, parse_date_line, publication_date
from thaidigest.model import RawArticle
from thaidigest.readers import (
    UnreadableInput,
    decode_page,
    decode_thai_page,
    thai_read_as_latin1,
)
from thaidigest.sites import REMOVED_ARTICLE_TARGETS, SITE_LANGUAGE, path_pattern
from thaidigest.store import Store, utc_now
from thaidigest.urls import iri_to_uri, lookup_name, public_url, same_site, site_host

RUNS_READ = 20  # crawl runs read from the store at a time, looking back for a finished one
MAX_ARTICLE_REDIRECTS = 3  # an article page redirecting to itself under another URL
REPLACEMENT_CHARACTER = "\ufffd"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
META_REFRESH = "meta refresh"  # the reason a 200 page that only refreshes is blocked
# A byte UTF-8 could not read, as "surrogateescape" keeps it (U+DC80 to U+DCFF).
UNDECODED_BYTE = re.compile("[\udc80-\udcff]")
# What Scrapy notes in a request's meta as it downloads it: a redirect followed starts
# afresh (its own retries; copied, Scrapy warned on stderr of internal keys copied).
# Not for a spider's own retry (retry_or_report), which drops download_latency alone:
# it is the same request sent again, as Scrapy's retries are, so it keeps retry_times
# (its count: META_COPY_WARN_SKIP_KEYS lets it pass) and the keys of the proxy, which
# its middleware reads again on the retry. (Scrapy's redirect middlewares are off: no
# redirect keys.) Its download_slot is kept: the spider's own (page_request), one a site.
PER_DOWNLOAD = frozenset(
    {"download_latency", "retry_times", "cache_timestamp", "_dont_cache", "_auth_proxy",
     "_scheme_proxy"}
)  # fmt: skip
# Site slug -> the paths a same-site redirect of an article to says it was taken down.
REMOVED_ARTICLE_PATHS = {
    slug: tuple(re.compile(path_pattern(template)) for template in templates)
    for slug, templates in REMOVED_ARTICLE_TARGETS.items()
}
CUT_SHORT = "page cut short: neither </body>, </html> nor the page's footer at its end"
# A page the HTML parser reads only in part (scraper.sites.parses_whole): the same bytes
# read the same way again, so it is reported at once, not retried.
_TOO_DEEP = f"page nested more than {MAX_PARSED_DEPTH} elements deep: the parser cannot read it"
TOO_DEEP = f"{_TOO_DEEP} to its end; not stored"
# A listing or search page so nested: the links read before the depth are followed.
TOO_DEEP_LISTING = f"{_TOO_DEEP} to its end; its links past that depth are not followed"
# Why a page or an article was lost to an exception the crawl did not expect (a bug): the
# report's error, with the exception's words after it.
CALLBACK_FAILED = "the spider failed on this page; nothing of it stored"
# A 304 to a request that named no stored version: no page, and nothing it could stand for.
NOT_MODIFIED_UNASKED = (
    "HTTP 304 (not modified) to a request naming no stored version (no If-None-Match"
    " or If-Modified-Since): no page"
)
# The request headers that name a stored version, to which a 304 answers.
VALIDATOR_HEADERS = ("If-None-Match", "If-Modified-Since")
ITEM_FAILED = "storing this article failed; not stored"
# The meta key of a page known to exist (a stored article revisited, an MDES listing, a
# thaigov search page, an article one of these links), not a guess: a site is stopped for
# refusals only if one of the refused pages is one.
KNOWN_PAGE = "known_page"
# The setting of how many pages refused in a row stop the site (scraper.settings).
REFUSED_PAGES_SETTING = "REFUSED_PAGES_TO_STOP_SITE"
# Why a site that refused pages in a row, none served in the crawl, was stopped.
REFUSED_PAGES_REASON = "refused {pages} pages in a row"


class Answer(enum.Enum):
    """What a response means to a spider."""

    PAGE = "page"  # 200: a page to parse
    NOT_MODIFIED = "not_modified"  # 304
    MISSING = "missing"  # 404, 410, or an article sent home or to a listing (see SENT_AWAY)
    # An article sent home, to a listing or to another article while no article page of
    # the site was served in the crawl: removed if one is served, else blocked (SentAway).
    SENT_AWAY = "sent_away"
    BLOCKED = "blocked"  # refused, or sent elsewhere: reported
    ERROR = "error"  # any other status: reported
    REDIRECT = "redirect"  # a same-article redirect: follow it


# Answers that say the site serves this client: after one, no refusal stops the site.
SERVED = frozenset({Answer.PAGE, Answer.NOT_MODIFIED, Answer.MISSING})
# Answers that count toward stopping a site that serves nothing (count_refusal).
REFUSING = frozenset({Answer.BLOCKED, Answer.SENT_AWAY})
# Stored articles rechecked, all gone (404, 410, a page saying there is no such article,
# sent away) and none served, that make an error of the crawl: more likely their addresses
# changed than all of them were removed.
MISSING_REVISITS_TO_REPORT = 3
ALL_REVISITS_MISSING = (
    "all {count} stored articles rechecked answered 404 or 410, a page saying not found,"
    " or were sent away, none served: counted not found, yet their addresses may have"
    " changed"
)


class DateSource(enum.Enum):
    """Where a spider finds an article's published date; each site ranks them
    (:attr:`SiteSpider.date_sources`)."""

    LISTING = "listing"  # the date a listing states beside the article's link
    PAGE = "page"  # the article page's own date line
    STORED = "stored"  # the date stored from an earlier visit


@dataclass(frozen=True)
class Verdict:
    """A judged response: its answer, and for :attr:`Answer.REDIRECT` the request to follow."""

    answer: Answer
    follow: scrapy.Request | None = None


@dataclass(frozen=True)
class SentAway:
    """An article answer held as :attr:`Answer.SENT_AWAY`: its blocked entry should the
    site serve no article in the crawl, and what the request was."""

    entry: dict[str, Any]  # url, status, target (and a meta refresh's reason)
    known: bool  # a page known to exist (KNOWN_PAGE): no guess
    revisit: str | None  # the id of a stored article rechecked; None for any other page


@dataclass(frozen=True)
class PageText:
    """A page's decoded text, or no text and maybe a retry of the page (none once reported)."""

    text: str | None = None
    retry: scrapy.Request | None = None


# Content types a page may come with: text, XML (XHTML's too; an image's, SVG's
# ``image/svg+xml``, is none), or none. A server's label for bytes it does not know
# (``application/octet-stream``), which it gives pages and PDFs alike, is judged by the
# bytes, as any other label is.
_PAGE_TYPES = re.compile(r"\s*(?:$|;|text/|(?!image/)[\w.+-]+/(?:[\w.-]+\+)?xml\b)", re.IGNORECASE)
# An SVG image's bytes, however labelled (``text/xml`` too): an XML document whose root
# element is ``<svg>`` (or ``<svg:svg>``), after any byte-order marks, XML declaration,
# comments and SVG doctype (an HTML page's names html: an inline ``<svg>`` after it is no
# root). It begins with a tag, as a page does, and lxml reads its text.
_SVG_START = re.compile(
    rb"(?:\s*\xef\xbb\xbf)*\s*(?:<\?xml.*?\?>\s*)?"
    rb"(?:(?:<!--.*?-->|<!DOCTYPE\s+(?:[\w.-]+:)?svg\b[^\[>]*(?:\[.*?\])?\s*>)\s*)*"
    rb"<(?:[\w.-]+:)?svg[\s/>]",
    re.IGNORECASE | re.DOTALL,
)
# And how it ends: its root's end tag (``<svg/>``'s own end), then white space or comments.
# A page a template opens with an SVG sprite, before its doctype, goes on after it.
_SVG_END = re.compile(
    rb"(?:</(?:[\w.-]+:)?svg\s*|/)>\s*(?:<!--(?:(?!-->).)*-->\s*)*\Z", re.IGNORECASE | re.DOTALL
)
SVG_IMAGE = "an SVG image"  # what not_text_reason says an SVG's bytes are
# What a page's bytes begin with, after white space or byte-order marks (two, where a
# server's template and an included file each began with one): a tag (its
# doctype, ``<html>``, or a fragment's first, ``<head>``, ``<meta>``), a comment, or an XML
# declaration; a PDF's ``%PDF``, an RTF file's ``{\\rtf`` or JSON's ``{`` are none.
_PAGE_START = re.compile(rb"(?:\s*\xef\xbb\xbf)*\s*<[!?a-z]", re.IGNORECASE)


def not_text_reason(response: Response) -> str | None:
    """Why an answer holds no page of text, naming what it says it is (``not a page of text
    (Content-Type: application/pdf): nothing of it stored``), or None for one that may: an
    answer Scrapy takes for text, whose content type is a page's (:data:`_PAGE_TYPES`) or
    whose bytes begin as a page's do (a page labelled ``application/x-httpd-php``); a PDF
    whose first kilobytes are ASCII, which Scrapy takes for text, is none, nor is an SVG
    image, whatever its label (:data:`_SVG_START`: ``not a page of text (an SVG image;
    Content-Type: text/xml): ...``)."""
    content_type = response.headers.get("Content-Type", b"").decode("latin-1")
    svg = _SVG_START.match(response.body) is not None and _SVG_END.search(response.body) is not None
    if (
        isinstance(response, TextResponse)
        and not svg
        and (_PAGE_TYPES.match(content_type) or _PAGE_START.match(response.body))
    ):
        return None
    said = [SVG_IMAGE] if svg else []
    said += [
        f"{name}: {b', '.join(values).decode('latin-1')}"
        for name in ("Content-Type", "Content-Encoding")
        if (values := response.headers.getlist(name))
    ]
    return f"not a page of text ({'; '.join(said) or 'no Content-Type'}): nothing of it stored"


def _page_address(url: str) -> tuple[str, list[tuple[str, str]]]:
    """A page's path without a final slash and its query's fields, as bytes spell them
    (``%E0%B8`` and the raw bytes a ``Location`` header may carry read alike): what a
    redirect to the same page at another spelling of its address keeps. Thai written as
    characters (a ``Location`` read as UTF-8: :func:`header_address`) is read as its UTF-8
    bytes, as its escapes are."""
    parts = urlsplit(iri_to_uri(url))
    path = unquote(parts.path, encoding="latin-1").rstrip("/") or "/"
    return path, sorted(parse_qsl(parts.query, keep_blank_values=True, encoding="latin-1"))


class SiteSpider(scrapy.Spider):
    """A spider for one site slug; subclasses set ``name`` and their callbacks."""

    # Statuses the retry middleware retries for this site, on top of the defaults.
    retry_statuses: tuple[int, ...] = ()
    # Where an article's date comes from, the first believed one taken (see article_item).
    date_sources: tuple[DateSource, ...]
    # The CSS selector of the site's article body block, as its parser reads it: an
    # article page in the site's template whose block is empty or holds only a short
    # message and that refreshes within seconds is a redirect (see page_refresh_target);
    # None: a page's length alone tells
    # (MDES: no class holds its article body alone; .col-12 is every template column, and
    # .detail-news, an image-only release's, is empty in an article too).
    body_block: str | None = None

    def __init__(
        self, base_url: str | None = None, start_id: int | str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.base_url = (base_url or "").rstrip("/")
        self.start_id = int(start_id) if start_id not in (None, "") else None
        self.blocked: list[dict[str, Any]] = []
        # Why the site was stopped for this crawl, once an answer said so.
        self.stop_reason: str | None = None
        self.refused_in_a_row = 0  # pages refused in this crawl, while none is served
        self.known_page_refused = False  # one of them a page known to exist (KNOWN_PAGE)
        self.served_any = False  # a page answered 200, 304, 404 or 410 in this crawl
        self.article_served = False  # an article page did
        self.sent_away: list[SentAway] = []  # held while no article page is served
        # Stored articles rechecked, by id, as their last answer says (note_revisit): served
        # (200 or 304), or gone (404, 410, a soft 404, sent away) with the URL asked.
        self.revisits_served: set[str] = set()
        self.revisits_missing: dict[str, str] = {}
        self.answered_after_stop: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        ensure_crawl_config(settings)
        site = crawl_config(settings)["sites"][cls.name]
        settings.set("DOWNLOAD_DELAY", float(site["delay"]), priority="spider")
        settings.set("AUTOTHROTTLE_START_DELAY", float(site["delay"]), priority="spider")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", int(site["concurrency"]), "spider")
        # One site per crawler: nothing waits in the downloader's queue behind a back-off,
        # so a retry (which goes first) is answered before new pages are asked for.
        settings.set("CONCURRENT_REQUESTS", int(site["concurrency"]), "spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        config = crawl_config(crawler.settings)
        spider.site = config["sites"][cls.name]
        spider.crawl_config = config["crawl"]
        if not spider.base_url:
            spider.base_url = str(spider.site["base_url"]).rstrip("/")
        # Scrapy's offsite filter lets through this name and every name under it: the site's
        # host with www. and without. The spider's own requests pass it (dont_filter), but
        # not robots.txt's: one for the other spelling of the host, where a redirect was
        # followed, was filtered, and the page taken for forbidden by robots.txt.
        spider.allowed_domains = [site_host(spider.base_url)]
        spider.store = Store(crawler.settings.get(DB_SETTING))
        crawler.signals.connect(spider.on_callback_error, signal=signals.spider_error)
        crawler.signals.connect(spider.on_item_error, signal=signals.item_error)
        return spider

    # --- Requests ---------------------------------------------------------

    @property
    def base_host(self) -> str:
        """The base URL's host as Scrapy keys its download slots by it: in lower case, a
        host in Thai in its IDNA form."""
        return lookup_name(urlsplit(self.base_url).hostname or "")

    def page_request(self, url: str, callback: Any, **meta: Any) -> scrapy.Request:
        """A request whose every answer reaches ``callback``, in the base host's download
        slot (:attr:`base_host`, the one its robots.txt request takes too), wherever it goes:
        a redirect followed to the other spelling of the host (``mdes.go.th`` on a crawl of
        ``www.mdes.go.th``), one server, waits its turn with the others, under the one
        site's delay, concurrency and AutoThrottle, where its own slot would double them."""
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta={
                "handle_httpstatus_all": True,
                "retry_statuses": self.retry_statuses,
                "download_slot": self.base_host,
                **meta,
            },
            dont_filter=True,
        )

    def revisit_requests(self) -> Iterator[scrapy.Request]:
        """Conditional requests for the articles recent within ``revisit_days``
        (see :meth:`thaidigest.store.Store.recent_articles`), each a page known to exist
        (:data:`KNOWN_PAGE`), at :meth:`revisit_url`."""
        days = float(self.crawl_config["revisit_days"])
        since = utc_now() - timedelta(days=days)
        for row in self.store.recent_articles(self.name, since):
            headers = {}
            if row["etag"]:
                headers["If-None-Match"] = row["etag"]
            if row["last_modified"]:
                headers["If-Modified-Since"] = row["last_modified"]
            request = self.page_request(
                self.revisit_url(row["fetch_url"], row["source_id"]),
                self.parse_article,
                source_id=row["source_id"],
                stored_published=row["published"],
                revisit=True,
                **{KNOWN_PAGE: True},
            )
            yield request.replace(headers=headers)

    def article_url(self, article_id: int | str) -> str:
        """The address of the article page ``article_id`` on the base URL crawled now."""
        raise NotImplementedError

    def revisit_url(self, fetch_url: str | None, source_id: str) -> str:
        """Where to revisit a stored article: :meth:`article_url`, the address built
        from its id on the base URL crawled now (its path prefix too). A spider whose site
        wants more of the address a crawl last fetched it at, ``fetch_url`` (MDES: the
        slug), adds it; that address's own host and prefix are never asked again. Its
        public URL stays the canonical one, whatever it is fetched at."""
        return self.article_url(source_id)

    # --- Judging answers ----------------------------------------------------

    def judge(self, response: Response) -> Verdict:
        """What an answer means; a blocked or failed one is reported here, and a refused
        page counted toward stopping the site (:meth:`count_refusal`)."""
        verdict = self._verdict(response)
        self.note_article_answer(response, verdict.answer)
        self.count_refusal(response, verdict.answer)
        return verdict

    def note_article_answer(self, response: Response, answer: Answer) -> None:
        """Note an article page's answer: the first one served (200, 304, 404 or 410)
        says the site serves articles to this client, so the articles held as sent away
        were removed (:meth:`release_sent_away`); a stored article rechecked is counted
        served or gone (:meth:`note_revisit`)."""
        source_id = response.meta.get("source_id")
        if source_id is None:
            return
        if response.meta.get("revisit") and answer in SERVED:
            self.note_revisit(source_id, response.url, gone=answer is Answer.MISSING)
        if answer in SERVED and not self.article_served:
            self.article_served = True
            self.release_sent_away()

    def count_refusal(self, response: Response, answer: Answer) -> None:
        """Count a page that ended refused (``answer``: blocked) toward stopping the
        site, while no page of this crawl was served; a page served (``SERVED``) rules the
        stop out for the rest of the crawl; an error or a redirect followed leaves the
        count as it is. The site is stopped once ``REFUSED_PAGES_TO_STOP_SITE`` are
        counted (0: never), one of them a page known to exist (:data:`KNOWN_PAGE`):
        refused guesses alone (thaigov ids past its newest article) prove nothing."""
        if self.stop_reason is not None or self.served_any:
            return
        if answer in SERVED:
            self.served_any = True
        elif answer in REFUSING:
            self.refused_in_a_row += 1
            self.known_page_refused |= bool(response.meta.get(KNOWN_PAGE))
            limit = self.crawler.settings.getint(REFUSED_PAGES_SETTING)
            if limit and self.refused_in_a_row >= limit and self.known_page_refused:
                self.stop_refusing_site(response, answer)

    def stop_refusing_site(self, response: Response, answer: Answer) -> None:
        """Stop the site for the rest of the crawl after the refusal of ``response``
        (``answer``), the last counted: the articles held as sent away are blocked
        (:meth:`block_sent_away`); its blocked entry and the requests then not sent give
        the reason (``refused 5 pages in a row``), and the report the count."""
        pages = self.refused_in_a_row
        reason = REFUSED_PAGES_REASON.format(pages=pages)
        self.stop_reason = reason
        refused = self.blocked[-1] if answer is Answer.BLOCKED else None
        self.block_sent_away()  # for a SENT_AWAY answer, its own entry the last of them
        last = refused if refused is not None else self.blocked[-1]
        last.setdefault("reason", reason)  # a redirect's own reason kept
        self.crawler.stats.set_value(f"thaidigest/{REFUSED_PAGES_STOP}", pages)
        self.crawler.signals.send_catch_log(STOP_SITE, request=response.request, reason=reason)

    def _verdict(self, response: Response) -> Verdict:
        """What an answer means; a blocked or failed one is reported here."""
        status = response.status
        stats = self.crawler.stats
        stopped = response.meta.get(SITE_STOPPED)  # a bot check's page, say: not parsed
        if stopped:
            self.stop_reason = stopped
        if stopped or status in BLOCKED_STATUSES:
            self.report_blocked(response.url, status, None, stopped)
            return Verdict(Answer.BLOCKED)
        if status == 200 and (target := self.page_refresh_target(response)) is not None:
            return self._judge_redirect(response, target, META_REFRESH)
        if status == 304 and not any(
            response.request.headers.get(name) for name in VALIDATOR_HEADERS
        ):
            # Taken as "not modified", a new article's id was a hit never stored, an MDES
            # listing page read as unchanged: the category not read, the crawl ok.
            self.report_error(response.url, NOT_MODIFIED_UNASKED)
            return Verdict(Answer.ERROR)
        if status in (200, 304):
            stats.inc_value("thaidigest/fetched")  # a page, as the report counts them
        if status == 200:
            return Verdict(Answer.PAGE)
        if status == 304:
            stats.inc_value("thaidigest/not_modified")
            return Verdict(Answer.NOT_MODIFIED)
        if status in REDIRECT_STATUSES:
            return self._judge_redirect(response, _location_target(response))
        if status in (404, 410):
            return Verdict(Answer.MISSING)
        self.report_error(response.url, f"HTTP {status}")
        return Verdict(Answer.ERROR)

    def page_refresh_target(self, response: Response) -> str | None:
        """Where a 200 page that is only a meta refresh (or an empty one with a
        ``Refresh`` header) sends its reader, or an article page in the site's template
        whose body block is empty or holds only a short message that refreshes within
        seconds; None for a page to read
        (see :func:`scraper.sites.refresh_target`)."""
        header = response.headers.get("Refresh")
        header_text = header_address(header) if header else None
        if isinstance(response, HtmlResponse):
            is_article = response.meta.get("source_id") is not None
            body_block = self.body_block if is_article else None
            return refresh_target(response.text, response.url, header_text, body_block)
        if header_text is not None and not response.body.strip():
            return refresh_target("", response.url, header_text)
        return None

    def _judge_redirect(
        self, response: Response, target: str, reason: str | None = None
    ) -> Verdict:
        """A redirect to ``target`` ("" when none is given) judged: followed, missing or
        blocked (with ``reason``, or ``redirect loop``)."""
        hops = response.meta.get("redirect_hops", 0)
        if (
            target
            and same_site(target, response.url)
            and hops < MAX_ARTICLE_REDIRECTS
            and self.same_article(response, target)
        ):
            meta = {key: value for key, value in response.meta.items() if key not in PER_DOWNLOAD}
            follow = response.request.replace(url=target, meta={**meta, "redirect_hops": hops + 1})
            return Verdict(Answer.REDIRECT, follow)
        if target and same_site(target, response.url) and self.taken_down(response, target):
            if not self.article_served:
                return self.hold_sent_away(response, target, reason)
            self.logger.info("removed: %s answered %s -> %s", response.url, response.status, target)
            return Verdict(Answer.MISSING)
        if hops >= MAX_ARTICLE_REDIRECTS:
            reason = "redirect loop"
        self.report_blocked(response.url, response.status, target or None, reason)
        return Verdict(Answer.BLOCKED)

    def hold_sent_away(self, response: Response, target: str, reason: str | None) -> Verdict:
        """An article sent home, to a listing or to another article (``target``) while no
        article page of the site has been served in this crawl: a site that sends every
        article home (a bot redirect) looks like one that removed each. Held: removed once
        an article page is served (:meth:`release_sent_away`), blocked with its status and
        target when the site is stopped for refusing pages (these counting as refusals), or
        at the end of a crawl that served none, one of them a page known to exist
        (:meth:`settle_sent_away`)."""
        entry: dict[str, Any] = {"url": response.url, "status": response.status, "target": target}
        if reason:
            entry["reason"] = reason
        meta = response.meta
        self.sent_away.append(
            SentAway(
                entry,
                bool(meta.get(KNOWN_PAGE)),
                meta["source_id"] if meta.get("revisit") else None,
            )
        )
        self.logger.info(
            "sent away: %s answered %s -> %s; removed if the site serves an article in this"
            " crawl, else blocked",
            response.url,
            response.status,
            target,
        )
        return Verdict(Answer.SENT_AWAY)

    def release_sent_away(self) -> None:
        """The articles held as sent away were removed: each counted not found."""
        for held in self.sent_away:
            entry = held.entry
            self.crawler.stats.inc_value("thaidigest/not_found")
            if held.revisit is not None:
                self.note_revisit(held.revisit, entry["url"], gone=True)
            self.logger.info(
                "removed: %s answered %s -> %s", entry["url"], entry["status"], entry["target"]
            )
        self.sent_away = []

    def block_sent_away(self) -> None:
        """The articles held as sent away were sent away from this client: each blocked."""
        for held in self.sent_away:
            entry = held.entry
            self.report_blocked(entry["url"], entry["status"], entry["target"], entry.get("reason"))
        self.sent_away = []

    def settle_sent_away(self) -> None:
        """At the end of a crawl that served no article page: the articles held as sent
        away are blocked if the site was stopped, or if one of them is a page known to
        exist (a stored article, one a listing or search page links) and they are the
        crawl's pattern: at least ``REFUSED_PAGES_TO_STOP_SITE`` of them (a bot redirect
        sends every article home), or the site served no page at all. Fewer, on a site
        that served its listing or search pages, are articles it removed (a recrawl
        rechecking the one stored article it took down): not found, as are guesses
        alone (thaigov ids past its newest article, which a site may send home)."""
        if not self.sent_away:
            return
        limit = self.crawler.settings.getint(REFUSED_PAGES_SETTING)
        pattern = (limit > 0 and len(self.sent_away) >= limit) or not self.served_any
        known = any(held.known for held in self.sent_away)
        if self.stop_reason is not None or (known and pattern):
            self.block_sent_away()
        else:
            self.release_sent_away()

    def note_revisit(self, source_id: str, url: str, gone: bool) -> None:
        """Note the answer of a stored article rechecked (``source_id``, asked at ``url``):
        served (200, 304) or ``gone`` (404, 410, sent away and then removed, a page saying
        there is no such article: :meth:`report_soft_404`). Its last answer counts: a page
        answered 200 is served until the spider reads it as a soft 404, and a page
        retried is one article, not one per answer."""
        if gone:
            self.revisits_served.discard(source_id)
            self.revisits_missing[source_id] = url
        else:
            self.revisits_missing.pop(source_id, None)
            self.revisits_served.add(source_id)

    def report_missing_revisits(self) -> None:
        """An error when every stored article rechecked was gone (404, 410, a soft 404,
        sent away and then removed), at least :data:`MISSING_REVISITS_TO_REPORT` of them
        and none served: the site more likely serves them at other addresses than removed
        them all, and the crawl is not clean."""
        missing = list(self.revisits_missing.values())
        if not self.revisits_served and len(missing) >= MISSING_REVISITS_TO_REPORT:
            self.report_error(missing[0], ALL_REVISITS_MISSING.format(count=len(missing)))

    def same_article(self, response: Response, target: str) -> bool:
        """Whether a same-site redirect target is the page asked for: the article asked
        for (a canonical path, its id written another way), or for a listing or search
        page, the same path and query (a trailing slash added or dropped). A listing
        sent anywhere else (the home page) is blocked: followed, it read as an empty
        listing and the crawl counted clean."""
        asked = response.meta.get("source_id")
        if asked is None:
            return _page_address(target) == _page_address(response.url)
        return self.site_article_id(target) == asked

    def site_article_id(self, url: str) -> str | None:
        """The site's article id in ``url``; None for a page that is no article."""
        return None

    def taken_down(self, response: Response, target: str) -> bool:
        """Whether a same-site redirect says the article asked for is gone: an article
        request sent to the site's home page or a listing, as a site does with an
        article it removed, or to another article (another id, as the site's article
        pattern reads it: the one asked for taken down or merged into it; followed, the
        other article's text was stored under the address asked for, or blocked, the
        crawl not clean for an article the site no longer has). Not with a query: a bot
        check or a login sends its visitor on with a return address. A redirect to the
        article's own id is no removal (:meth:`same_article`: followed, a loop blocked).
        A listing or search page sent home stays blocked."""
        asked = response.meta.get("source_id")
        if asked is None:  # not an article request
            return False
        parts = urlsplit(target)
        if parts.query:
            return False
        target_id = self.site_article_id(target)
        if target_id is not None:
            return target_id != asked
        path = parts.path or "/"
        return any(pattern.fullmatch(path) for pattern in REMOVED_ARTICLE_PATHS[self.name])

    def report_blocked(
        self, url: str, status: int, target: str | None, reason: str | None = None
    ) -> None:
        entry = {"url": url, "status": status, "target": target}
        if reason:
            entry["reason"] = reason
        self._add_blocked(entry)
        self.logger.warning(
            "blocked: %s answered %s%s", url, status, f" -> {target}" if target else ""
        )

    def _add_blocked(self, entry: dict[str, Any]) -> None:
        """Count a blocked request and keep its entry for the crawl report."""
        self.crawler.stats.inc_value("thaidigest/blocked")
        self.blocked.append(entry)

    def report_error(self, url: str, error: str) -> None:
        self.crawler.stats.inc_value("thaidigest/errors")
        self.errors.append({"url": url, "error": error})
        self.logger.error("error: %s: %s", url, error)

    def listing_text(self, response: Response) -> PageText:
        """A listing or search page's text, or a retry when it cannot be read whole: not
        decodable (none once reported as an error), or cut short (retried: read at once,
        its later links and next page were lost with nothing said; once its retries are
        spent, an error, so the next crawl looks further back, and read as far as it
        goes). Nested past the parser's depth, it is read as far as the parser goes and
        reported: its links past that are lost."""
        decoded = self.page_text(response)
        if decoded.text is None:
            return decoded
        if not is_whole_page(response.body, decoded.text):
            retry = self.retry_or_report(response, CUT_SHORT)
            if retry is not None:
                return PageText(retry=retry)
            # Its retries spent, an error now: its links are read as far as they go (a
            # site whose listings always lack their closing tags is read as before).
        if not parses_whole(decoded.text):
            self.report_error(response.url, TOO_DEEP_LISTING)
        return decoded

    def report_soft_404(self, response: Response) -> None:
        """A page answered 200 that says there is no such article: counted (a soft 404),
        never stored; the stored article of a revisit so answered is kept, and gone for
        :meth:`report_missing_revisits`, as after a 404."""
        self.crawler.stats.inc_value("thaidigest/soft_404")
        if response.meta.get("revisit"):
            self.note_revisit(response.meta["source_id"], response.url, gone=True)

    def report_fallback(self, url: str) -> None:
        self.crawler.stats.inc_value("thaidigest/fallback")
        self.logger.warning(
            "layout change? %s: selectors found no article, used the fallback extractor", url
        )

    def report_not_article(self, url: str, reason: NotArticle) -> None:
        """A page answered 200 at an article URL that is no article: counted, never stored.

        A maintenance or error notice is an error too: the crawl saw none of the site's
        articles, so it is not clean and the next crawl looks further back. A page
        without the article template's marks (the home page answered for an id with no
        article) is a warning: a walk meets them at its end, a redesign on every page.
        """
        self.crawler.stats.inc_value("thaidigest/not_article")
        if reason is NotArticle.NOTICE:
            self.report_error(url, f"{reason.value}: not stored")
        else:
            self.logger.warning("%s: %s, not stored", url, reason.value)

    def report_robots(self, forbidden: ForbiddenByRobots) -> None:
        """A request robots.txt forbids: blocked, with the rule that forbids it.

        The first request a rule forbids is logged as a warning, the others at DEBUG: an
        unreachable robots.txt forbids every request, a line each; the crawl's report
        counts them by rule."""
        first = entry_like(self.blocked, reason=ROBOTS_REASON, rule=forbidden.rule) is None
        self._add_blocked(
            {
                "url": forbidden.url,
                "status": None,
                "target": None,
                "reason": ROBOTS_REASON,
                "rule": forbidden.rule,
                "robots_url": forbidden.robots_url,
            }
        )
        level = logging.WARNING if first else logging.DEBUG
        counts = "; the report counts the others it forbids" if first else ""
        unreachable = unreachable_reason(forbidden.rule or "")
        if unreachable is not None:  # no line of robots.txt forbids it: it could not be read
            self.logger.log(
                level,
                "blocked (%s %s: %s): %s not sent%s",
                forbidden.robots_url,
                UNREACHABLE,
                unreachable,
                forbidden.url,
                counts,
            )
            return
        self.logger.log(
            level,
            "blocked by robots.txt: %s (%s in %s)%s",
            forbidden.url,
            forbidden.rule or "no single rule found",
            forbidden.robots_url,
            counts,
        )

    def report_not_sent(self, not_sent: SiteStopped) -> None:
        """A request not sent because the site was stopped: blocked once per reason
        (an entry without a status, beside the answer that stopped the site), with
        the count of such requests."""
        self.crawler.stats.inc_value("thaidigest/site_stopped_not_sent")
        entry = entry_like(self.blocked, status=None, reason=not_sent.reason)
        if entry is None:
            self._add_blocked(
                {
                    "url": not_sent.url,
                    "status": None,
                    "target": None,
                    "reason": not_sent.reason,
                    "count": 1,
                }
            )
        else:
            entry["count"] += 1
        self.logger.info("not sent (%s): %s", not_sent.reason, not_sent.url)

    def report_answered_after_stop(self, late: AnsweredAfterStop) -> None:
        """An answer to a request on the wire when the site was stopped, a refusal too:
        it was sent, so it is no request "not sent", and the refusal is reported already,
        so it is no second blocked answer. Counted once per reason, not used."""
        self.crawler.stats.inc_value("thaidigest/answered_after_stop")
        entry = entry_like(self.answered_after_stop, reason=late.reason)
        if entry is None:
            self.answered_after_stop.append(
                {"url": late.url, "status": late.status, "reason": late.reason, "count": 1}
            )
        else:
            entry["count"] += 1
        self.logger.info(
            "answered %s after the site was stopped (%s), not used: %s",
            late.status,
            late.reason,
            late.url,
        )

    def on_error(self, failure: Failure) -> None:
        """A request that failed: not sent (robots.txt, the site stopped), answered after
        the stop, or an error, said in plain words (:func:`plain_reason`)."""
        if isinstance(failure.value, ForbiddenByRobots):
            self.report_robots(failure.value)
            return
        if isinstance(failure.value, SiteStopped):
            self.report_not_sent(failure.value)
            return
        if isinstance(failure.value, AnsweredAfterStop):
            self.report_answered_after_stop(failure.value)
            return
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        timeout = self.crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
        self.report_error(url, plain_reason(failure.value, timeout=timeout))

    def on_callback_error(self, failure: Failure, response: Response | Failure | None) -> None:
        """A callback that raised (a parser meeting a page it was not written for): Scrapy
        logs the traceback and goes on, the page's article lost. An error of the crawl, so
        that it is not clean and the next one looks further back for what it lost.

        For an errback that raised, ``response`` is the download's failure, which holds
        no URL but that of its request (Scrapy sets ``request`` on it), when it has one.
        It is None when the spider's start raised: no page failed, the crawl did not start
        (or only in part), as its report says with the exception's words
        (:data:`~scraper.report.START_FAILURE`, :func:`~scraper.report.start_failure`)."""
        if response is None:
            self.crawler.stats.set_value(START_FAILURE, _exception_words(failure))
            return
        if isinstance(response, Response):
            url = response.url
        else:
            request = getattr(response, "request", None)
            url = request.url if request is not None else "?"
        self.report_error(url, f"{CALLBACK_FAILED} ({_exception_words(failure)})")

    def on_item_error(self, item: Any, failure: Failure) -> None:
        """An article the item pipeline raised on (not a database error, which it reports
        itself): not stored, an error of the crawl as :meth:`on_callback_error`'s."""
        url = (item.fetch_url or item.url) if isinstance(item, RawArticle) else "?"
        self.report_error(url, f"{ITEM_FAILED} ({_exception_words(failure)})")

    def closed(self, reason: str) -> None:
        """Settle what waited for the crawl's end (before the crawl report is made:
        Scrapy calls this first, the spider connected before any extension)."""
        self.settle_sent_away()
        self.report_missing_revisits()
        self.store.close()

    # --- Answers that need a second look --------------------------------------

    def on_site(self, url: str) -> bool:
        """Whether ``url`` is on the crawled site (:func:`thaidigest.urls.same_site`): the
        base URL's host, with ``www.`` or without, in any case, on its port, or on https
        where the base URL is on http."""
        return same_site(url, self.base_url)

    def is_on_site(self, url: str) -> bool:
        """Whether ``url`` is on the crawled site; a link anywhere else is counted, not
        followed."""
        if self.on_site(url):
            return True
        self.crawler.stats.inc_value("thaidigest/offsite_links_ignored")
        self.logger.info("not following an off-site link: %s", url)
        return False

    def at_base(self, url: str) -> str:
        """``url``, a link on the crawled site (:meth:`on_site`), at the base URL's own scheme
        and host (``https://mdes.go.th/news/3`` on a crawl of ``https://www.mdes.go.th`` is
        ``https://www.mdes.go.th/news/3``): the one server asked under the one name, so one
        robots.txt speaks for every page (Scrapy reads one per host) and the site's delay
        holds between all its requests."""
        base = urlsplit(self.base_url)
        return urlunsplit(urlsplit(url)._replace(scheme=base.scheme, netloc=base.netloc))

    def page_text(self, response: Response) -> PageText:
        """The page's text, or, when it cannot be decoded, a retry (none once reported).

        A page that declares one charset and is written in another is decoded
        again from its bytes by :func:`thaidigest.readers.decode_page` (UTF-8,
        kept with U+FFFD for a few invalid bytes; else TIS-620 / cp874 when it
        reads as Thai) rather than stored as mojibake. That happens when the
        declared charset gives replacement characters, and when it gives no
        Thai but the Latin-1 letters TIS-620 bytes become (a TIS-620 page
        declared iso-8859-1 or cp1252); such a page whose bytes do not read as
        Thai is kept as declared.

        A page that declares no charset (no byte-order mark, ``Content-Type``
        charset or ``<meta>`` charset) is read in our order by ``decode_page``,
        not by Scrapy's guess (UTF-8, else what ``charset_normalizer`` says: Big5
        for a short TIS-620 text); when it declares no language but Thai
        (:data:`thaidigest.sites.SITE_LANGUAGE`), by
        :func:`thaidigest.readers.decode_thai_page`, which also reads as TIS-620 a
        short Thai text whose bytes happen to be UTF-8 (``รถ`` read as ``ö``). Bytes
        neither UTF-8 nor Thai are left to Scrapy's guess and the checks above.

        An answer that is no page of text (:func:`not_text_reason`: a PDF, an image, a
        body left in an encoding Scrapy cannot undo) is reported, never retried.
        """
        if (reason := not_text_reason(response)) is not None:
            self.report_error(response.url, reason)
            return PageText()
        text = response.text
        if declared_charset(response) is None:
            thai = page_language(text) in (None, SITE_LANGUAGE)
            try:
                return PageText((decode_thai_page if thai else decode_page)(response.body))
            except UnreadableInput:
                pass  # neither UTF-8 nor Thai: Scrapy's guess, judged as any page
        if REPLACEMENT_CHARACTER in text:
            try:
                return PageText(decode_page(response.body))
            except UnreadableInput as error:
                reason = f"undecodable page: {error}"
                return PageText(retry=self.retry_or_report(response, reason))
        if thai_read_as_latin1(text):
            try:
                return PageText(decode_page(response.body))
            except UnreadableInput:
                pass  # not Thai after all: a Latin-1 page
        return PageText(text)

    def text_or_retry(self, decoded: PageText) -> Generator[scrapy.Request, None, str | None]:
        """A callback's reading of a page: ``text = yield from self.text_or_retry(decoded)``
        gives the decoded text; for a page that has none, its retry, if any (none once
        reported), is yielded and the text is None: the callback returns."""
        if decoded.text is None and decoded.retry is not None:
            yield decoded.retry
        return decoded.text

    def retry_or_report(self, response: Response, reason: str) -> scrapy.Request | None:
        """A retry of a page that answered 200 with no article in it, or None once reported."""
        retry = get_retry_request(
            response.request,
            spider=self,
            reason=reason,
            max_retry_times=int(self.crawl_config["retries"]),
        )
        if retry is None:
            self.report_error(response.url, reason)
        else:
            retry.meta[BACK_OFF] = True  # waited for as the middleware's own retries are
            retry.meta.pop("download_latency", None)  # the last download's, not this one's
        return retry

    def previous_run_clean(self) -> bool:
        """Whether the site's previous crawl ended ok with no error and nothing blocked.

        After a crawl that was killed, failed or lost pages, the next one looks
        further back (listing pages past the known ones, ids below the highest
        stored one), so that nothing it missed stays missed. So does a site's first
        crawl: articles imported before it say nothing about what a crawl has seen.
        """
        return self.previous_clean_report() is not None

    def previous_clean_report(self) -> dict[str, Any] | None:
        """The report of the site's previous crawl if it was clean
        (:meth:`previous_run_clean`), else None."""
        previous = next(self.runs_to_finished(), None)
        return previous["report"] if previous is not None and clean_run(previous) else None

    def runs_to_finished(self) -> Iterator[dict[str, Any]]:
        """The site's crawl runs back to its last that ran out of requests and ended ok
        (:func:`finished_run`), that one included (all of them, when none did), newest
        first; not this crawl's, nor the locked ones. The others (killed, failed, stopped,
        blocked, or closed by a limit) may have left requests unasked; the finished one
        asked for all it meant to, and its report lists what failed."""
        current = getattr(self, "crawl_run_id", None)
        before = None
        while runs := self.store.last_crawl_runs(
            self.name, limit=RUNS_READ, without=LOCKED, before=before
        ):
            for run in runs:
                if run["id"] == current:
                    continue
                yield run
                if finished_run(run):
                    return
            before = runs[-1]["id"]

    def note_on_run(self, **fields: Any) -> None:
        """Note ``fields`` on this crawl's run at once (see :data:`scraper.report.NOTED`);
        nothing when no run is recorded."""
        run_id = getattr(self, "crawl_run_id", None)
        if run_id is not None:
            self.store.note_crawl_run(run_id, fields)

    # --- Items --------------------------------------------------------------

    def article_item(
        self, response: Response, page: PageArticle, source_id: str, listing_date: date | None
    ) -> RawArticle:
        """The raw article for a parsed page, stored under the site's public URL.

        Its date: the first believed (:func:`~thaidigest.dates.publication_date`: no
        epoch placeholder, no year typed decades ahead) of the dates the site's
        :attr:`date_sources` rank: ``listing_date`` (the date a listing states), the
        page's own date line, the date stored from an earlier visit (all a revisit,
        which has no listing at hand, knows of a listing's date).
        """
        if page.extraction == "fallback":
            self.report_fallback(response.url)
        stored = response.meta.get("stored_published")
        dates = {
            DateSource.LISTING: listing_date,
            # Numeric dates too: "23/08/2567".
            DateSource.PAGE: parse_date_line(page.date_text) if page.date_text else None,
            DateSource.STORED: date.fromisoformat(stored) if stored else None,
        }
        today = bangkok_today()  # a date after the end of next year is not believed
        published = first_believed_date(dates, self.date_sources, today)
        return RawArticle(
            url=public_url(self.name, source_id),
            source=self.name,
            title=page.title,
            body=page.body,
            source_id=source_id,
            category=page.category,
            published_hint=published,
            extraction=page.extraction,
            fetch_url=response.url,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
        )


def finished_run(run: dict[str, Any]) -> bool:
    """Whether a crawl run ended ok having run out of requests: nothing it meant to ask
    left unasked (errors or not)."""
    return run["status"] == "ok" and run["report"].get("finish_reason") == FINISHED_REASON


def clean_run(run: dict[str, Any]) -> bool:
    """Whether a crawl run ended ok with no error and nothing blocked."""
    report = run["report"]
    return run["status"] == "ok" and not report.get("errors") and not report.get("blocked")


def first_believed_date(
    dates: Mapping[DateSource, date | None], ranking: Sequence[DateSource], today: date
) -> date | None:
    """The first date of ``dates``, in the order of ``ranking``, that is believed on
    ``today`` (:func:`~thaidigest.dates.publication_date`); None if none is."""
    believed = (publication_date(dates[source], today) for source in ranking)
    return next((day for day in believed if day is not None), None)


def entry_like(entries: list[dict[str, Any]], **fields: Any) -> dict[str, Any] | None:
    """The first of ``entries`` (report entries) holding all ``fields``; None if none does."""
    return next(
        (entry for entry in entries if all(entry.get(k) == v for k, v in fields.items())), None
    )


def header_address(value: bytes) -> str:
    """A header that names an address (``Location``, ``Refresh``) as text: read as UTF-8,
    which servers send a Thai path in (``/ข่าว``), each byte that is no part of a UTF-8
    character percent-encoded (``%E0``), as a browser asks for it. Read as latin-1, a Thai
    target was shown garbled in the log and the crawl report (``/à¸\\x82...``), and a
    redirect followed was sent to that garbled address, encoded again."""
    return UNDECODED_BYTE.sub(
        lambda byte: f"%{ord(byte[0]) - 0xDC00:02X}", value.decode("utf-8", "surrogateescape")
    )


def _location_target(response: Response) -> str:
    """The absolute URL a redirect's ``Location`` names (:func:`header_address`); "" when
    it names none; as written when it cannot be read (:func:`scraper.sites.absolute_url`):
    a target on no host."""
    location = header_address(response.headers.get("Location", b""))
    return (absolute_url(response.url, location) or location) if location else ""


def declared_charset(response: Response) -> str | None:
    """The charset a page declares, as Scrapy reads it: a byte-order mark, the charset
    of its ``Content-Type`` header, or a ``<meta>`` charset near its start; else None."""
    return (
        read_bom(response.body)[0]
        or http_content_type_encoding(_header(response, "Content-Type"))
        or html_body_declared_encoding(response.body)
    )


def _exception_words(failure: Failure) -> str:
    """What an unexpected exception says, with its class: ``ValueError: Invalid IPv6 URL``."""
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
