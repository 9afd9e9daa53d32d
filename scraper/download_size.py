"""A download over the size limit says so, whether its answer told its size or not.

Scrapy refuses an answer larger than ``DOWNLOAD_MAXSIZE`` (``crawl.max_page_bytes``).
One whose ``Content-Length`` says so fails at once with a ``DownloadCancelledError``
whose message names the limit. One streamed without a ``Content-Length`` (in HTTP/1.1
chunks, or until the connection closes) is cancelled once its bytes pass the limit, and
fails with a ``DownloadCancelledError`` without a message: read as any cancelled
download, ``download cancelled``. :class:`OverSizeMiddleware` counts the bytes of each
download and gives such a failure the message of the first kind, so the crawl report,
robots.txt's line and the spider say ``larger than crawl.max_page_bytes`` for both
(:func:`scraper.download_errors.plain_reason`).
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Request, signals
from scrapy.exceptions import DownloadCancelledError
from scrapy.http import Response

from scraper.download_errors import OVER_SIZE_MESSAGE


def over_size_message(received: int, limit: int, request: Request) -> str:
    """What Scrapy says of an answer over its size limit, for ``received`` bytes."""
    return f"Received {received} bytes which is {OVER_SIZE_MESSAGE} ({limit}) in request {request}."


class OverSizeMiddleware:
    """Gives a streamed download cancelled past the size limit the message that says so.

    Placed before every other downloader middleware, so that it sees an exception last,
    as Scrapy hands it to the request's errback."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        # Bytes received so far by each request being downloaded.
        self.received: WeakKeyDictionary[Request, int] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Any) -> OverSizeMiddleware:
        middleware = cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        crawler.signals.connect(middleware.count_bytes, signal=signals.bytes_received)
        return middleware

    def count_bytes(self, data: bytes, request: Request) -> None:
        self.received[request] = self.received.get(request, 0) + len(data)

    def process_response(self, request: Request, response: Response) -> Response:
        self.received.pop(request, None)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        received = self.received.pop(request, 0)
        limit = int(request.meta.get("download_maxsize", self.limit))
        cancelled = isinstance(exception, DownloadCancelledError) and not str(exception)
        if cancelled and limit and received > limit:
            raise DownloadCancelledError(over_size_message(received, limit, request)) from exception
