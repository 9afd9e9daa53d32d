"""Why a download failed, in a few plain words: ``connection refused``, ``timed out``.

Scrapy wraps Twisted's errors in its own (``DownloadConnectionRefusedError`` for
Twisted's ``ConnectionRefusedError``, the original kept as ``__cause__``), and an
answer that failed (``ResponseFailed``, ``ResponseNeverReceived``: a TLS handshake
refused, a connection closed mid-answer) holds the failures that ended it. Each of
those is read, outermost first, against :data:`PLAIN_WORDS`; an error none of them
names is its own message, never its class name.
"""

from __future__ import annotations

from collections.abc import Iterator

from OpenSSL import SSL
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from twisted.internet import error as twisted_errors
from twisted.web.client import ResponseFailed

# The errors a user reads about, each kind with the words that say what happened.
PLAIN_WORDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    (
        (DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError),
        "connection refused",
    ),
    ((CannotResolveHostError, twisted_errors.DNSLookupError), "DNS lookup failed"),
    (
        (DownloadTimeoutError, twisted_errors.TimeoutError, twisted_errors.TCPTimedOutError),
        "timed out",
    ),
    ((SSL.Error,), "TLS error"),
    ((twisted_errors.NoRouteError,), "no route to host"),
    ((ResponseDataLossError,), "answer cut short"),
    ((twisted_errors.ConnectionClosed,), "connection closed before the answer ended"),
)
NO_MESSAGE = "download failed"  # an error none of PLAIN_WORDS names, without a message


def causes(error: BaseException) -> Iterator[BaseException]:
    """``error``, then what it wraps: the failures of a failed answer, its ``__cause__``."""
    yield error
    if isinstance(error, ResponseFailed):
        for failure in error.reasons:
            yield from causes(failure.value)
    if error.__cause__ is not None:
        yield from causes(error.__cause__)


def error_message(error: BaseException) -> str | None:
    """The first line of the message of the innermost of ``error``'s :func:`causes` that
    has one (the original error's own words); None when none has. A failed answer's
    message, and that of an error wrapping one, is a list of failures' reprs: not read."""
    for cause in reversed(list(causes(error))):
        wrapped = cause if isinstance(cause, ResponseFailed) else cause.__cause__
        if isinstance(wrapped, ResponseFailed) and str(cause) == str(wrapped):
            continue
        if lines := str(cause).strip().splitlines():
            return lines[0]
    return None


def plain_reason(error: BaseException) -> str:
    """Why a download failed, as :data:`PLAIN_WORDS` says it, else its
    :func:`error_message`, else :data:`NO_MESSAGE`: never the error's class name."""
    for cause in causes(error):
        for kinds, words in PLAIN_WORDS:
            if isinstance(cause, kinds):
                return words
    return error_message(error) or NO_MESSAGE
