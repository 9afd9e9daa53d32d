"""thaigov.go.th: walk article ids upward, revisit recent articles.

The walk starts after its base, the highest id a crawl has fetched, or at
``--start-id`` (else the configured ``start_id``) when that is higher, and ends
after ``miss_limit`` consecutive ids with no article (soft 404s, pages that
are no article page, such as the home page, or 404 answers: the report counts
them apart); a stored id on its way counts as an
article, unfetched. An id whose request failed (a 5xx past its retries, a network
error, a page that cannot be read, a maintenance or error notice answered with 200)
is no miss: its article is unknown, so the walk
goes one id further for it, ``miss_limit`` ids further at most (a site that fails
every id); the crawl is not clean, so the next one asks for it again below its base.
A blocked answer (a refusal: 401, 403, 407, 429 or 451; a redirect not followed: off the
site, to a bot check, a loop, one without an address, to a page of the site that is not
the article) is no failed id: the site will not serve this client that id, so the walk
goes no further for it. A walk that found no article probes a few ids past its end,
once a crawl (``probe_requests``): a run of unpublished ids longer than ``miss_limit``
would otherwise end every walk. One crawl's walk asks ``walk_limit`` ids at most from its start
(a site answering every id with a page that looks like an article would have it go on for
ever): search results linking ids past that are held, so that nothing above it is stored
and the next crawl goes on from the highest id stored, at or below where this one
stopped (ids stored before, imported ones, are passed unasked and do not count); held ids
up to ``walk_limit`` past where the walk ended are fetched, once, when it ended short of its
limit (ids with no article before them: no run-away walk), the walk going on past them
that far at most, and the others left to the next crawls. Imported ids set the base only
while no crawl has stored an article: one mistyped imported id (``873820`` for
``87382``) would otherwise start every walk past the site's newest article, and
``--start-id`` would ask for every id up to it. Such an id imported before any crawl still sets the
first walk's base, unless ``--start-id`` is given: the walk then goes up from
it, as on an empty store; what that crawl stores (the search results at least)
sets the next base. Articles imported above the base cost the walk no request. Below the base,
the ids not stored are fetched from ``--start-id`` when it is lower, and from
``recheck_window`` ids down when the site's previous crawl did not end cleanly
or there was none (imported articles say nothing about which ids a crawl has
seen), or, when lower, from the lowest id the walk of a crawl cut short (killed, failed,
stopped, blocked, closed by a limit) since the last that ran out of requests started at,
and the ids below that whose pages failed in those crawls (the walk asks its highest
ids first, so a crawl killed or stopped part-way fetched ids far above some it never
asked; each crawl notes where its walk starts on its run before it asks for an id:
``walk_start``), and from ``gap_window`` ids down
on every crawl (an id with no article yet may get one late: a few such ids a crawl,
each asked until the walk is ``gap_window`` past it). Keyword search pages, when
configured, are a second source of links and give the walk a start on an empty store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import cached_property
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from scraper.middlewares import AnsweredAfterStop, SiteStopped
from scraper.report import WALK_START
from scraper.robots import ForbiddenByRobots
from scraper.sites import NotArticle, is_whole_page, parses_whole, thaigov
from scraper.spiders.base import (
    CUT_SHORT,
    KNOWN_PAGE,
    TOO_DEEP,
    Answer,
    DateSource,
    SiteSpider,
    finished_run,
)
from thaidigest.sites import THAIGOV_SEARCH_URL

# The stat of the last id a walk that reached its limit asked, and what it logs.
WALK_LIMIT_REACHED = "thaidigest/walk_limit_reached"
WALK_LIMIT_WARNING = (
    "the id walk stops at %s, sites.thaigov.walk_limit (%s) ids from its start; the next"
    " crawl goes on from the highest id stored"
)
# A walk that found no article past its start probes this many ids past where its misses
# ended it, half miss_limit past it and each twice as far as the one before: a run of
# unpublished ids longer than miss_limit (ids reserved for drafts, a batch withdrawn) ended
# every crawl's walk at its start, the articles past it never asked.
PROBES = 5
PROBE_INFO = "the id walk probes %s past the %s ids with no article that ended it"
HELD_HITS_WARNING = (
    "%s ids search results link are past the id walk's limit (%s to %s): left for the next"
    " crawls, which walk on to them"
)
# Failures of a request that say nothing of its id: it was never sent (robots.txt, the
# site stopped) or its answer, after the stop, was not used.
NOT_FAILED = (ForbiddenByRobots, SiteStopped, AnsweredAfterStop)


class ThaigovSpider(SiteSpider):
    name = "thaigov"
    # No listing: the page's date line is the article's date, a corrected one too.
    date_sources = (DateSource.PAGE, DateSource.STORED)
    body_block = thaigov.SELECTORS["body"]

    async def start(self) -> AsyncIterator[Any]:
        # Search hits past the walk's limit (held_to_fetch); first, as the store may
        # fail the start and the spider still goes idle.
        self.held_hits: set[int] = set()
        self.walk_last = 0  # the last id the walk may ask: walk_limit from its start
        self.walk_limit = int(self.site["walk_limit"])
        self.miss_limit = int(self.site["miss_limit"])
        self.requested: set[int] = set()
        self.highest_requested = 0
        self.highest_hit = 0
        self.walk_origin = 0
        self.probed = False  # probes go once a crawl (probe_requests)
        self.failed: set[int] = set()  # walk ids whose answer failed: no misses
        self.known = self.store.source_ids(self.name)
        for request in self.revisit_requests():
            yield request
        stored = self.walk_base()
        start = self.start_id or self.site["start_id"]
        candidates = [int(start)] if start else []
        if stored:
            candidates.append(stored + 1)
        if candidates:  # before any id above the base is asked, a search page's links too
            self.note_on_run(**{WALK_START: max(candidates)})
        # Decided before any search page is asked: one answered before this start reaches
        # walk_from must not start the walk at its newest link, past ids never asked.
        self.search_starts_walk = not candidates
        keywords = self.site["search_keywords"]
        for keyword in keywords:
            yield self.page_request(
                self.base_url + THAIGOV_SEARCH_URL.format(keyword=keyword),
                self.parse_search,
                keyword=keyword,
                **{KNOWN_PAGE: True},
            )
        lowest = self.recheck_from(stored) if stored else None
        if lowest is not None:
            for request in self.recheck_below(lowest, stored):
                yield request
            for article_id in self.failed_before(lowest):
                yield self.article_request(article_id)
        if candidates:
            for request in self.walk_from(max(candidates)):
                yield request
        elif not keywords:
            self.report_error(
                self.base_url,
                "no thaigov article stored yet: give --start-id N (the id of a recent article)"
                " or set [sites.thaigov] search_keywords",
            )

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ThaigovSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    def walk_base(self) -> int | None:
        """The id the walk goes on from: the highest a crawl fetched; while there is
        none, the highest imported, or None for ``--start-id`` to set the start (see
        the module docstring). None on an empty store."""
        fetched = self.store.max_source_id(self.name, fetched=True)
        if fetched is not None or self.start_id is not None:
            return fetched
        return self.store.max_source_id(self.name)

    def article_url(self, article_id: int | str) -> str:
        return thaigov.article_url(self.base_url, int(article_id))

    def article_request(self, article_id: int, **meta: Any) -> scrapy.Request:
        """The request of an article id, marked as requested."""
        self.requested.add(article_id)
        return self.page_request(
            self.article_url(article_id), self.parse_article, source_id=str(article_id), **meta
        )

    def walk_from(self, start: int) -> Iterator[scrapy.Request]:
        """Begin the id walk at ``start``, ``walk_limit`` ids at most; ids found by search
        count as hits of the walk."""
        self.highest_hit = max(self.highest_hit, start - 1)
        self.walk_origin = start - 1  # the highest hit when no article is found past it
        self.highest_requested = max(self.highest_requested, start - 1)
        self.walk_last = max(self.walk_last, start - 1 + self.walk_limit)
        yield from self.extend_walk()

    @cached_property
    def runs_looked_back(self) -> list[dict[str, Any]] | None:
        """The runs a recheck looks back over after a previous crawl that did not end
        cleanly (:meth:`runs_to_finished`, read once a crawl), or None after a clean one."""
        return None if self.previous_run_clean() else list(self.runs_to_finished())

    def recheck_from(self, highest_stored: int) -> int | None:
        """The lowest id below the walk's base to fetch if not stored, or None.

        ``--start-id N`` asks for the ids from N. A site never crawled before (its
        articles imported) or whose last crawl did not end cleanly may miss any of
        the ``recheck_window`` ids below the base, and any from where the walk of a
        crawl cut short since the last that finished started (:meth:`runs_to_finished`):
        the walk asks its highest ids first, so one killed or stopped fetched ids far
        above some it never asked. Any crawl asks again for the ``gap_window`` ids below
        it with no article stored: an id the site answered with no article may get one late.
        """
        lowest = []
        if self.start_id is not None and self.start_id < highest_stored:
            lowest.append(self.start_id)
        if self.runs_looked_back is not None:
            lowest.append(max(highest_stored - int(self.site["recheck_window"]), 1))
            lowest.extend(
                run["report"][WALK_START]
                for run in self.runs_looked_back
                if WALK_START in run["report"] and not finished_run(run)
            )
        if gap_window := int(self.site["gap_window"]):
            lowest.append(max(highest_stored - gap_window, 1))
        return min(lowest, default=None)

    def failed_before(self, lowest: int) -> list[int]:
        """The ids below ``lowest`` whose pages failed (an error in the report) in the
        crawls back to the last that ran out of requests, not stored: asked again by
        id, where the recheck no longer reaches them, as long as they fail."""
        ids = {
            int(article_id)
            for run in self.runs_looked_back or ()
            for error in run["report"].get("errors", [])
            if (article_id := thaigov.article_id(error.get("url", ""))) is not None
        }
        return sorted(
            article_id
            for article_id in ids
            if article_id < lowest
            and str(article_id) not in self.known
            and article_id not in self.requested
        )

    def recheck_below(self, lowest: int, highest_stored: int) -> Iterator[scrapy.Request]:
        """The ids from ``lowest`` up to the walk's base that are not stored."""
        for article_id in range(lowest, highest_stored):
            if str(article_id) not in self.known and article_id not in self.requested:
                yield self.article_request(article_id)

    def walk_end(self) -> int:
        """The last id the walk asks for: ``miss_limit`` past the highest article found
        or stored, and one further for each id past it that failed (no miss: its article
        is unknown), ``miss_limit`` further at most (a site failing every id)."""
        failed = sum(article_id > self.highest_hit for article_id in self.failed)
        return self.highest_hit + self.miss_limit + min(failed, self.miss_limit)

    def extend_walk(self) -> Iterator[scrapy.Request]:
        """Request ids up to the walk's end (:meth:`walk_end`), never past its limit
        (``walk_last``): reaching it is a warning, once."""
        while self.highest_requested < min(self.walk_end(), self.walk_last):
            self.highest_requested += 1
            article_id = self.highest_requested
            if str(article_id) in self.known:  # imported above the base: a hit, not fetched
                self.highest_hit = max(self.highest_hit, article_id)
                self.walk_last += 1  # asked of no one: no step of the limit
            elif article_id not in self.requested:
                yield self.article_request(article_id, walk=True)
        stats = self.crawler.stats
        if self.walk_end() > self.walk_last and stats.get_value(WALK_LIMIT_REACHED) is None:
            stats.set_value(WALK_LIMIT_REACHED, self.walk_last)
            self.logger.warning(WALK_LIMIT_WARNING, self.walk_last, self.walk_limit)

    def on_idle(self) -> None:
        """Once the crawl has nothing left to do: the ids search results linked past the
        walk's limit are fetched if the walk ended short of it (ids with no article before
        them, no run-away walk), once, the walk then allowed ``walk_limit`` ids more from
        where it ended; those past that (a link to a far or mistyped id) and all of them if
        the walk reached its limit are left to the next crawls, which walk on from the
        highest id stored (none above this crawl's limit), and a warning says so
        (:meth:`held_to_fetch`). With none to fetch, the probes past the walk's end
        (:meth:`probe_requests`)."""
        requests = [
            self.article_request(article_id, walk=True, **{KNOWN_PAGE: True})
            for article_id in self.held_to_fetch()
        ] or self.probe_requests()
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    def probe_requests(self) -> list[scrapy.Request]:
        """Once a crawl, when its walk found no article and ended on ``miss_limit`` ids with
        none (not on its limit, nothing refused, the site not stopped): :data:`PROBES` ids
        past its end, half ``miss_limit`` past it and each twice as far as the one before,
        within the walk's limit. A probe that finds an article is a hit of the walk, which
        goes on over the ids before it and past it."""
        if (
            self.probed
            or not self.highest_requested
            or self.highest_hit > self.walk_origin
            or self.highest_requested >= self.walk_last
            or self.blocked
            or self.stop_reason is not None
        ):
            return []
        self.probed = True
        step = max(self.miss_limit // 2, 1)
        ids = [
            article_id
            for power in range(PROBES)
            if (article_id := self.highest_requested + step * 2**power) <= self.walk_last
            and article_id not in self.requested
            and str(article_id) not in self.known
        ]
        if ids:
            self.logger.info(PROBE_INFO, ids, self.highest_requested - self.highest_hit)
        return [self.article_request(article_id, walk=True, probe=True) for article_id in ids]

    def held_to_fetch(self) -> list[int]:
        """The held ids :meth:`on_idle` fetches, the walk's limit moved for them;
        the others, once warned of, are let go. None already asked or stored: a search
        page answered before the walk began held every link, the walk's own ids too."""
        held = sorted(
            article_id
            for article_id in self.held_hits
            if article_id not in self.requested and str(article_id) not in self.known
        )
        self.held_hits = set()
        within = [article_id for article_id in held if article_id <= self.walk_last]
        near: list[int] = []  # past the limit, within the walk's one more allowance
        if (above := held[len(within) :]) and self.highest_requested < self.walk_last:
            self.walk_last = max(self.walk_last, self.highest_requested + self.walk_limit)
            near = [article_id for article_id in above if article_id <= self.walk_last]
        if left := held[len(within) + len(near) :]:
            self.logger.warning(HELD_HITS_WARNING, len(left), left[0], left[-1])
        return [*within, *near]

    def parse_search(self, response: Response) -> Iterator[scrapy.Request]:
        verdict = self.judge(response)
        if verdict.follow is not None:
            yield verdict.follow
            return
        if verdict.answer is Answer.MISSING:
            self.report_error(response.url, f"HTTP {response.status}")
        if verdict.answer is not Answer.PAGE:
            return
        text = yield from self.text_or_retry(self.listing_text(response))
        if text is None:
            return
        found = sorted(
            {int(article_id) for url in thaigov.parse_search(text, response.url)
             if (article_id := thaigov.article_id(url)) is not None}
        )  # fmt: skip
        if found and self.search_starts_walk:
            # An empty store and no --start-id: start from the newest article found.
            self.search_starts_walk = False
            self.note_on_run(**{WALK_START: found[-1] + 1})
            yield from self.walk_from(found[-1] + 1)
        for article_id in found:  # linked: known to exist, no guess
            if article_id in self.requested or str(article_id) in self.known:
                continue
            if article_id > self.walk_last:  # stored, it would start the next walk past it
                self.held_hits.add(article_id)
            else:
                yield self.article_request(article_id, walk=True, **{KNOWN_PAGE: True})

    def parse_article(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        verdict = self.judge(response)
        if verdict.follow is not None:
            yield verdict.follow
            return
        answer = verdict.answer
        # An answer that failed says nothing of the id's article: no miss of the walk. A
        # refusal (blocked) is no failure: the site will not serve us; it extends nothing.
        failed = answer is Answer.ERROR
        text = None
        if answer is Answer.PAGE:
            decoded = self.page_text(response)
            text = yield from self.text_or_retry(decoded)
            if text is None:
                if decoded.retry is None:  # undecodable, reported
                    yield from self.walk_past(meta, failed=True)
                return
        page = thaigov.parse_article(text, response.url) if text is not None else None
        if page is not None and text is not None and not is_whole_page(response.body, text):
            retry = self.retry_or_report(response, CUT_SHORT)  # an article, not all of it
            if retry is not None:
                yield retry
                return
        elif page is not None and text is not None and not parses_whole(text):
            self.report_error(response.url, TOO_DEEP)  # a hit of the walk all the same
        elif page is not None:
            yield self.article_item(response, page, meta["source_id"], None)
        elif answer is Answer.MISSING:  # a real 404 or 410
            self.crawler.stats.inc_value("thaidigest/not_found")
        elif text is not None and thaigov.is_soft_404(text):
            self.report_soft_404(response)
        elif text is not None and (reason := thaigov.not_article(text, response.url)):
            self.report_not_article(response.url, reason)
            # A notice says the site serves no article now: the id failed, as a 5xx. A page
            # that is no article page (the home page) is a miss of the walk, as a soft 404.
            failed = reason is NotArticle.NOTICE
        elif answer is Answer.PAGE:
            # Neither an article nor the site's "no article" page: garbled, or cut before it.
            retry = self.retry_or_report(response, "no article and no soft 404 in the page")
            if retry is not None:
                yield retry
                return
            failed = True
        if page is not None and meta.get("walk"):
            self.highest_hit = max(self.highest_hit, int(meta["source_id"]))
        # An article sent away, held (see SiteSpider.hold_sent_away), is a miss as a 404 is.
        if failed or answer in (Answer.PAGE, Answer.MISSING, Answer.SENT_AWAY, Answer.NOT_MODIFIED):
            yield from self.walk_past(meta, failed)

    def on_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        """A request that failed (a network error past its retries) is reported; an id
        of the walk is no miss: the walk goes on past it. A request not sent (robots.txt,
        the site stopped) or answered after the stop ends nothing and extends nothing."""
        super().on_error(failure)
        request = getattr(failure, "request", None)
        if request is not None and not failure.check(*NOT_FAILED):
            yield from self.walk_past(request.meta, failed=True)

    def walk_past(self, meta: dict[str, Any], failed: bool) -> Iterator[scrapy.Request]:
        """After the answer of an id of the walk (``meta``: its request's), the walk's
        next ids; an id that ``failed`` is noted as such (see :meth:`walk_end`), unless
        the site was stopped (the refusal that stopped it, an error on the wire at the
        stop): nothing more is sent to it."""
        if not meta.get("walk"):
            return
        if failed and self.stop_reason is None and not meta.get("probe"):  # a probe: a guess
            self.failed.add(int(meta["source_id"]))
        yield from self.extend_walk()

    def site_article_id(self, url: str) -> str | None:
        return thaigov.article_id(url)
