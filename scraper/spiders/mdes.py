"""mdes.go.th: category listings, newest first, with an incremental stop.

Each category's listing is followed page by page until a page holds only
articles that were already stored when the crawl started (or ``page_limit``:
stopping there with new articles on the last page read is a warning). A category
the clean crawl before did not list (the first crawl, any after one not clean, a
category added to the settings since) is read to ``page_limit``, as a first crawl
reads it: its page 1 may list only articles stored from other categories, and the
articles on its older pages would never be read. The report lists the categories
whose page 1 listed articles (``listed``). A page after the first that lists no
article is an error, so that the next crawl reads past the known articles to the
ones that page should have listed; so is a next-page link whose address cannot be
read, and a page 1 that lists no article of a category listed before. A category
whose page 1 lists no article in its first crawl (new, or not one the site has) is
a warning, not listed: the next crawl reads it as a first crawl would.
Each article is fetched once per crawl, however many categories list it. A
listing's date is the article's published date, on any crawl: a revisit keeps
the date stored from a listing over the page's own date line (``date_sources``),
and a stored article without one is fetched again from the listing that gives
it, so its revisit waits until the listings are done and is sent only if none of
them fetched it.
An article page answering 404 or 410 (deleted since it was stored) counts as
not found, not as an error: the stored article is kept. The headlines the
listings show (and the store holds) tell the parser which lines on an article
page list other articles. MDES answers bursts with 403 and recovers: 403 is
retried with back-off before it counts as blocked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response

from scraper.report import LISTED
from scraper.sites import ListingEntry, NotArticle, is_whole_page, mdes, parses_whole
from scraper.spiders.base import (
    CUT_SHORT,
    KNOWN_PAGE,
    TOO_DEEP,
    Answer,
    DateSource,
    SiteSpider,
)
from thaidigest.dates import parse_listing_date
from thaidigest.sites import article_path

# Headlines of this many stored articles help tell a page's lists of other articles.
STORED_HEADLINES = 500
# A listing page after the first that lists no article: a CMS hiccup or a layout change.
EMPTY_NEXT_PAGE = (
    "layout change? no article links on a listing page the page before named as the next"
)
# The page 1 of a category whose page 1 listed articles in the clean crawl before.
EMPTY_LISTED_PAGE = (
    "layout change? no article links on the first page of a category that listed articles before"
)
# A next-page link whose address no browser reads (scraper.sites.absolute_url): the pages
# after it are not read, which is no last page.
UNREADABLE_NEXT_PAGE = "the next-page link names no address a browser reads: {href!r}"
# A next-page link off the site (thaidigest.urls.same_site: another host, or http:// on a
# site crawled on https://), not followed, as no off-site link is: the pages after it are
# not read either.
OFFSITE_NEXT_PAGE = "the next-page link leads off the crawled site, not followed: {url}"


class MdesSpider(SiteSpider):
    name = "mdes"
    retry_statuses = (403,)
    # A listing's date is the article's: a revisit keeps the one stored from it over
    # the page's date line, which may state another day (listed 20/06, the page saying
    # 19/06, say); the page's date serves only an article no listing has dated.
    date_sources = (DateSource.LISTING, DateSource.STORED, DateSource.PAGE)

    async def start(self) -> AsyncIterator[Any]:
        # Sent once the listings are done; first, as the store may fail the start and the
        # spider still goes idle (revisit_undated).
        self.undated_revisits: list[scrapy.Request] = []
        self.known = self.store.source_ids(self.name)
        self.undated = self.store.source_ids(self.name, undated=True)
        self.headlines = mdes.Headlines(self.store.recent_titles(self.name, STORED_HEADLINES))
        self.requested: set[str] = set()
        self.page_limit = int(self.site["page_limit"])
        # A category the clean crawl before listed stops at the known articles; any other
        # (after a crawl that did not end cleanly, on the first, a category added since)
        # lists past them too.
        previous = self.previous_clean_report()
        listed_before = set(previous.get(LISTED, ())) if previous is not None else set()
        categories = [int(category) for category in self.site["categories"]]
        self.listed: list[int] = []  # the categories whose page 1 listed articles
        for request in self.revisit_requests():
            if request.meta["source_id"] in self.undated:
                self.undated_revisits.append(request)
            else:
                yield request
        for category in categories:
            yield self.page_request(
                mdes.listing_url(self.base_url, category),
                self.parse_listing,
                page_number=1,
                category=category,
                incremental=category in listed_before,
                **{KNOWN_PAGE: True},
            )

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> MdesSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.revisit_undated, signal=signals.spider_idle)
        return spider

    def revisit_undated(self) -> None:
        """Once the listings and their articles are done: revisit the stored undated
        articles that no listing fetched with its date."""
        waiting = [r for r in self.undated_revisits if r.meta["source_id"] not in self.requested]
        self.undated_revisits = []
        for request in waiting:
            self.crawler.engine.crawl(request)
        if waiting:
            raise DontCloseSpider

    def article_url(self, article_id: int | str) -> str:
        return self.base_url + article_path(self.name, article_id)

    def revisit_url(self, fetch_url: str | None, source_id: str) -> str:
        """The address built from the id, with the slug of the address a crawl last fetched
        the article at when its last path segment is ``{id}-{slug}``: the site may serve an
        article only at the slugged address its listing links, ``/news/detail/{id}-{slug}``,
        and answer 404 without the slug."""
        built = super().revisit_url(fetch_url, source_id)
        segment = urlsplit(fetch_url or "").path.rsplit("/", 1)[-1]
        asked, dash, slug = segment.partition("-")
        return built + dash + slug if asked == source_id and slug else built

    def listed_article_url(self, entry: ListingEntry) -> str:
        """Where to fetch a listed article, on the base URL's own host (:meth:`at_base`):
        the link's address as the site writes it (its id in ASCII digits, then its slug),
        or, for a link that writes its id otherwise (in Thai digits, say, which would hide
        the plain link to the same article), its own address."""
        own = urlsplit(self.article_url(entry.source_id)).path
        link = self.at_base(entry.url)
        path = urlsplit(link).path
        plain = path.startswith(own) and path[len(own) : len(own) + 1] in ("", "-", "/")
        return link if plain else self.article_url(entry.source_id)

    def report_empty_listing(self, response: Response, text: str) -> None:
        """Say that the listing page ``response`` lists no article: an error after page 1 (the
        page before named it as the next, so the articles it lists were not read: the next
        crawl reads past the known articles, where an incremental one stops at the first page
        of known ones and never came back to them) and on a page 1 that listed articles
        before; a warning on a page 1 never read before. Nothing more for a page read only
        in part and said so already (nested too deep, cut short): one error for one page.
        A page showing a maintenance or error notice says so, an error on any page: the
        crawl saw none of the articles it lists."""
        if any(error["url"] == response.url for error in self.errors):
            return
        if mdes.is_notice_page(text, response.url):
            self.report_error(response.url, f"{NotArticle.NOTICE.value}: listing not read")
            return
        if response.meta["page_number"] > 1:
            self.report_error(response.url, EMPTY_NEXT_PAGE)
        elif response.meta["incremental"]:  # its page 1 listed articles before
            self.report_error(response.url, EMPTY_LISTED_PAGE)
        else:
            self.logger.warning(
                "layout change? %s: no article links on a listing page", response.url
            )

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        verdict = self.judge(response)
        if verdict.follow is not None:
            yield verdict.follow
            return
        if verdict.answer is not Answer.PAGE:
            if verdict.answer is Answer.MISSING:
                self.report_error(response.url, f"HTTP {response.status}")
            return
        text = yield from self.text_or_retry(self.listing_text(response))
        if text is None:
            return
        listing = mdes.parse_listing(text, response.url)
        page_number = response.meta["page_number"]
        if not listing.entries:
            self.crawler.stats.inc_value("thaidigest/empty_listings")
            self.report_empty_listing(response, text)
        elif page_number == 1:
            # Read: the next crawl may stop at this category's known articles.
            self.listed.append(response.meta["category"])
            self.crawler.stats.set_value(f"thaidigest/{LISTED}", sorted(self.listed))
        self.headlines.add(entry.title for entry in listing.entries if entry.title)
        # Fresh: not in the store as it was when the crawl started. Whether to page on is
        # decided by that alone: an article another category's listing requested in this
        # crawl is still fresh here, and this category's older pages may hold more.
        fresh = [entry for entry in listing.entries if entry.source_id not in self.known]
        # Stored without a date, listed with one: fetch again so the date reaches it.
        dating = [
            entry
            for entry in listing.entries
            if entry.source_id in self.undated and entry.date_text
        ]
        for entry in (*fresh, *dating):
            if entry.source_id in self.requested or not self.is_on_site(entry.url):
                continue  # each article is fetched once per crawl
            self.requested.add(entry.source_id)
            yield self.page_request(
                self.listed_article_url(entry),
                self.parse_article,
                source_id=entry.source_id,
                listing_date=entry.date_text,
                **{KNOWN_PAGE: True},  # the listing links it
            )
        if listing.entries and not any(self.on_site(entry.url) for entry in listing.entries):
            # Another alias of the host, say: nothing of this page can be fetched.
            self.report_error(
                response.url, f"every article link is off-site, e.g. {listing.entries[0].url}"
            )
        incremental = response.meta["incremental"]
        more = fresh or not incremental
        if more and listing.unreadable_next is not None and page_number < self.page_limit:
            # Taken as no next page, the older pages were skipped and the crawl was clean:
            # an error, so the next crawl reads past the known articles.
            self.report_error(
                response.url, UNREADABLE_NEXT_PAGE.format(href=listing.unreadable_next)
            )
        next_url = listing.next_url
        if more and next_url:
            if not self.is_on_site(next_url):
                if page_number < self.page_limit:
                    # Not followed (another host, http:// for https://): no last page either.
                    self.report_error(response.url, OFFSITE_NEXT_PAGE.format(url=next_url))
            elif page_number < self.page_limit:
                yield self.page_request(
                    self.at_base(next_url),
                    self.parse_listing,
                    page_number=page_number + 1,
                    incremental=incremental,
                )
            elif fresh:
                self.stopped_at_page_limit(response.url)

    def stopped_at_page_limit(self, url: str) -> None:
        """A listing's last page read (``page_limit``) held articles not stored before: its
        older pages may hold more, which no crawl will read while the limit stands (a
        backlog longer than it, after a long outage). A warning that says so, and what
        to raise; not an error, which would only make the next crawl read the same pages."""
        self.logger.warning(
            "%s: stopped at sites.%s.page_limit (%d pages) with articles not stored before "
            "on the last page read: older pages not read (raise the limit to read them)",
            url,
            self.name,
            self.page_limit,
        )

    def parse_article(self, response: Response) -> Iterator[Any]:
        verdict = self.judge(response)
        if verdict.follow is not None:
            yield verdict.follow
            return
        if verdict.answer is Answer.MISSING:  # deleted: counted, the stored article kept
            self.crawler.stats.inc_value("thaidigest/not_found")
        if verdict.answer is not Answer.PAGE:
            return
        text = yield from self.text_or_retry(self.page_text(response))
        if text is None:
            return
        page = mdes.parse_article(text, response.url, self.headlines)
        if page is None and mdes.is_soft_404(text, response.url):
            self.report_soft_404(response)  # the page says it is gone
            return
        if page is None and (reason := mdes.not_article(text, response.url)):
            self.report_not_article(response.url, reason)  # the stored article kept
            return
        if page is None or not is_whole_page(response.body, text):
            reason = "no article in the page" if page is None else CUT_SHORT
            retry = self.retry_or_report(response, reason)
            if retry is not None:
                yield retry
            return
        if not parses_whole(text):
            self.report_error(response.url, TOO_DEEP)
            return
        listing_date = response.meta.get("listing_date")
        stated = parse_listing_date(listing_date) if listing_date else None
        yield self.article_item(response, page, response.meta["source_id"], stated)

    def site_article_id(self, url: str) -> str | None:
        return mdes.article_id(url)
