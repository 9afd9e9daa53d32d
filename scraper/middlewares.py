"""Retries with back-off, and stopping a site that refuses us for the rest of a crawl.

The wait doubles with each retry (``RETRY_BACKOFF_BASE`` seconds first, at most
``RETRY_BACKOFF_MAX``) or follows the server's ``Retry-After``, in seconds or
as an HTTP date, and the whole site slows down with it: the download slot's
delay is raised to the wait, so the other queued requests do not keep a burst
going. A request may name extra retryable statuses in
``meta["retry_statuses"]``: MDES answers a burst with 403 and recovers by
itself, so its spider retries 403.

A site that treats us as a bot or rate-limits us is **stopped** for this crawl,
since every further request would only confirm it: when it answers 200 with a bot
check's page instead of the page asked for (a challenge, "Access Denied", a
captcha: :func:`scraper.bot_check.bot_check_kind`), when a ``Retry-After`` asks
for more than ``RETRY_BACKOFF_MAX`` seconds, or when a 429 is still a 429 once
its retries are spent. That answer reaches the spider with
``meta["site_stopped"]`` saying why (``bot check page: Cloudflare challenge``,
``rate limited: Retry-After 3600 s``, ``rate limited: 429 after 4 retries``),
and every later request to the host (queued, waiting to be retried or new)
fails with :class:`SiteStopped` without being sent. The spider stops its site the
same way (the :data:`STOP_SITE` signal) once ``REFUSED_PAGES_TO_STOP_SITE`` pages in a
row ended refused, none served in the crawl, one of them known to exist (see
:mod:`scraper.spiders.base`).

Requests already on the wire (thaigov has two at a time) were sent all the same,
and their answers arrive after the stop. A page is used as usual: it cost the site
nothing more, and dropping it would only make the next crawl ask for it again. An
answer that is a bot check's page too, a refusal (401, 403, 407, 429, 451), or would
be retried (a 503), fails
with :class:`AnsweredAfterStop`: not used, not retried, and not reported as one
more refusal nor as a request not sent, for it was sent. A network error on the
wire is not retried either.

The bot check is made here rather than in the spider's callback, so that one
place stops a host whatever the reason, and as early as can be: the engine asks
for the next request as soon as an answer leaves the downloader, before the
callback runs.

Each crawl of a site has its own crawler and so its own instance of this
middleware: stopping one site's host never stops the other site of the crawl.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.python.failure import Failure

from scraper.bot_check import bot_check_kind
from scraper.report import QUEUED_NOT_SENT

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

RATE_LIMITED = 429
BOT_CHECK_REASON = "bot check page: {kind}"
SITE_STOPPED = "site_stopped"  # the meta key of the answer that stopped its site: why
BLOCKED_STATUSES = (401, 403, 407, 429, 451)  # refusals: the site will not serve this client
BACK_OFF = "back_off"  # the meta key of a retry the spider made: wait before sending it
# A signal the spider sends to stop its site for the rest of the crawl (``request``: the
# answer's, whose host is stopped; ``reason``: why).
STOP_SITE = object()


class SiteStopped(IgnoreRequest):
    """A request not sent: its site was stopped for this crawl, for ``reason``."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"not sent: {reason}")
        self.url = url
        self.reason = reason


class AnsweredAfterStop(IgnoreRequest):
    """A request sent before its site was stopped for ``reason``, whose answer (``status``)
    came after the stop and is a refusal too: sent and answered, but not used."""

    def __init__(self, url: str, status: int, reason: str) -> None:
        super().__init__(f"answered {status} after the site was stopped: {reason}")
        self.url = url
        self.status = status
        self.reason = reason


def retry_after_seconds(value: str, now: datetime) -> float | None:
    """The seconds a ``Retry-After`` header asks for at ``now``; None when unreadable.

    Either a number of seconds (ASCII digits: ``"\\xb2"``, a superscript two, is no
    number) or an HTTP date (a date already passed asks for 0).
    """
    value = value.strip()
    if _is_seconds(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC by RFC 5322
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def _is_seconds(value: str) -> bool:
    return value.isascii() and value.isdigit()


def retry_after_shown(value: str, asked: float) -> str:
    """The wait the ``Retry-After`` header ``value`` asks for, ``asked`` seconds (read by
    :func:`retry_after_seconds`), for a message: seconds as the server sent them (a float
    rounds a long number: ``99999999999999999999999`` would show as
    ``99999999999999991611392``), an HTTP date's as counted from now."""
    value = value.strip()
    seconds = (value.lstrip("0") or "0") if _is_seconds(value) else f"{asked:.0f}"
    return f"{seconds} s"


def backoff_seconds(retry_times: int, base: float, cap: float, asked: float | None) -> float:
    """How long to wait before retry number ``retry_times`` (1 for the first).

    ``asked``, the seconds the server's ``Retry-After`` asks for (read by
    :func:`retry_after_seconds`), however long (the caller decides whether to wait
    that long), else ``base`` doubled with each retry, at most ``cap``.
    """
    if asked is not None:
        return asked
    return min(base * 2 ** max(retry_times - 1, 0), cap)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX")
        self.stopped: dict[str, str] = {}  # host -> why it was stopped for this crawl

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.stop_host, signal=STOP_SITE)
        return middleware

    def _stop_reason(self, request: Request) -> str | None:
        """Why the host of ``request`` was stopped for this crawl; None while it is not."""
        return self.stopped.get(urlparse_cached(request).netloc)

    async def process_request(self, request: Request) -> None:
        self._refuse_if_stopped(request)
        if request.meta.pop(BACK_OFF, False):
            # The spider's own retry of a page it could not use: wait before asking
            # again, as for a failed answer, but without slowing the whole site.
            retries = request.meta.get("retry_times", 1)
            await asyncio.sleep(backoff_seconds(retries, self.base, self.cap, None))
            self._refuse_if_stopped(request)  # the site may have been stopped meanwhile

    def _refuse_if_stopped(self, request: Request) -> None:
        reason = self._stop_reason(request)
        if reason is not None:
            raise SiteStopped(request.url, reason)

    def _slot(self, request: Request) -> Slot | None:
        downloader = self.crawler.engine.downloader
        return downloader.slots.get(downloader.get_slot_key(request))

    def _slow_down_site(self, request: Request, delay: float) -> None:
        slot = self._slot(request)
        if slot is not None and slot.delay < delay:
            slot.delay = delay

    def stop_host(self, request: Request, reason: str) -> None:
        """Stop the host of ``request``, not stopped yet, for this crawl: the requests
        waiting for their turn and every later one fail with :class:`SiteStopped`."""
        self.stopped[urlparse_cached(request).netloc] = reason
        self.crawler.spider.logger.warning("stopping %s for this crawl: %s", request.url, reason)
        slot = self._slot(request)
        while slot is not None and slot.queue:  # waiting for their turn: never sent
            queued, waiting = slot.queue.popleft()
            self.crawler.stats.inc_value(QUEUED_NOT_SENT)  # though counted as requests
            waiting.errback(Failure(SiteStopped(queued.url, reason)))

    def _stop_site(self, request: Request, response: Response, reason: str) -> Response:
        """Stop the host of ``request``, not stopped yet, for this crawl; its answer,
        marked, for the spider."""
        self.stop_host(request, reason)
        request.meta[SITE_STOPPED] = reason
        return response

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        bot_check = None  # not the page asked for: we are taken for a bot
        if response.status == 200 and isinstance(response, TextResponse):
            bot_check = bot_check_kind(response.text)
        statuses = self.retry_http_codes | set(request.meta.get("retry_statuses", ()))
        retryable = response.status in statuses and not request.meta.get("dont_retry", False)
        stopped = self._stop_reason(request)
        if stopped is not None and (
            bot_check is not None or response.status in BLOCKED_STATUSES or retryable
        ):  # on the wire at the stop: one more refusal, not reported, not retried
            raise AnsweredAfterStop(request.url, response.status, stopped)
        if bot_check is not None:
            return self._stop_site(request, response, BOT_CHECK_REASON.format(kind=bot_check))
        if not retryable:
            return response
        header = response.headers.get("Retry-After")
        retry_after = header.decode("latin-1") if header else None
        asked = retry_after_seconds(retry_after, datetime.now(UTC)) if retry_after else None
        if asked is not None and asked > self.cap:
            shown = retry_after_shown(retry_after, asked)
            return self._stop_site(request, response, f"rate limited: Retry-After {shown}")
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            if response.status == RATE_LIMITED:
                retries = request.meta.get("retry_times", 0)
                return self._stop_site(
                    request, response, f"rate limited: 429 after {retries} retries"
                )
            return response
        await self._wait(retry, asked)
        return retry

    async def _wait(self, retry: Request, asked: float | None) -> None:
        delay = backoff_seconds(retry.meta.get("retry_times", 1), self.base, self.cap, asked)
        self._slow_down_site(retry, delay)
        if delay > 0:
            await asyncio.sleep(delay)

    async def process_exception(
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if (
            request.meta.get("dont_retry", False)
            or not isinstance(exception, self.exceptions_to_retry)
            or self._stop_reason(request) is not None  # on the wire at the stop: no retry
        ):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._wait(retry, None)
        return retry
