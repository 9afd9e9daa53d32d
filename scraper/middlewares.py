"""Retries with back-off: Scrapy's retry rules, but wait before each retry.

The wait doubles with each retry (``RETRY_BACKOFF_BASE`` seconds first, at most
``RETRY_BACKOFF_MAX``) or follows the server's ``Retry-After``, and the whole
site slows down with it: the download slot's delay is raised to the wait, so
the other queued requests do not keep a burst going. A request may
name extra retryable statuses in ``meta["retry_statuses"]``: MDES answers a
burst with 403 and recovers by itself, so its spider retries 403.
"""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message


def backoff_seconds(retry_times: int, base: float, cap: float, retry_after: str | None) -> float:
    """How long to wait before retry number ``retry_times`` (1 for the first)."""
    if retry_after and retry_after.strip().isdigit():
        return min(float(retry_after.strip()), cap)
    return min(base * 2 ** max(retry_times - 1, 0), cap)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX")

    async def _wait(self, retry: Request, response: Response | None) -> None:
        retry_after = None
        if response is not None:
            header = response.headers.get("Retry-After")
            retry_after = header.decode("latin-1") if header else None
        delay = backoff_seconds(retry.meta.get("retry_times", 1), self.base, self.cap, retry_after)
        self._slow_down_site(retry, delay)
        if delay > 0:
            await asyncio.sleep(delay)

    def _slow_down_site(self, request: Request, delay: float) -> None:
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None and slot.delay < delay:
            slot.delay = delay

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        statuses = self.retry_http_codes | set(request.meta.get("retry_statuses", ()))
        if response.status not in statuses:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(retry, response)
        return retry

    async def process_exception(
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if request.meta.get("dont_retry", False) or not isinstance(
            exception, self.exceptions_to_retry
        ):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._wait(retry, None)
        return retry
