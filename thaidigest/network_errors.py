"""Why a connection failed, in a few plain words: ``connection refused``, ``timed out after 30 s``.

The words are the same wherever a failure is said: a crawl's report and log
(:mod:`scraper.download_errors`, for Twisted's and Scrapy's errors) and a digest
that could not be mailed (:mod:`digest.mail`, for the standard library's socket and
TLS errors, worded here by :func:`socket_reason`). A wait our own timeout ended says
how long it was (:func:`timed_out_after`); one the system gave up on is ``timed out``.
This module loads no crawler, so ``thaidigest digest`` words its errors without Scrapy.
"""

from __future__ import annotations

import errno
import smtplib
import socket
import ssl

CONNECTION_REFUSED = "connection refused"
DNS_LOOKUP_FAILED = "DNS lookup failed"
TIMED_OUT = "timed out"
TLS_ERROR = "TLS error"
NO_ROUTE = "no route to host"
CONNECTION_CLOSED = "connection closed before the answer ended"
ANSWER_CUT_SHORT = "answer cut short"
DOWNLOAD_CANCELLED = "download cancelled"
DOWNLOAD_FAILED = "download failed"  # a failure of no kind these words name
# An answer whose body is not the gzip, deflate, brotli or zstd stream its Content-Encoding
# says it is
# (plain HTML so labelled): scraper.content_encoding. A stream cut short is read as far
# as it goes, a page cut short; one of which nothing decodes is this error too.
NOT_IN_ITS_ENCODING = "body not in the compression its Content-Encoding names"
# The standard library's errors, each kind with the words the crawl says it in.
SOCKET_WORDS: tuple[tuple[type[OSError], str], ...] = (
    (ConnectionRefusedError, CONNECTION_REFUSED),
    (socket.gaierror, DNS_LOOKUP_FAILED),
    (TimeoutError, TIMED_OUT),  # the system's (ETIMEDOUT); our own timer's: timed_out_after
    (ConnectionResetError, CONNECTION_CLOSED),
    (ConnectionAbortedError, CONNECTION_CLOSED),
    (BrokenPipeError, CONNECTION_CLOSED),
    (smtplib.SMTPServerDisconnected, CONNECTION_CLOSED),  # a server that hung up
)
# Errors of no kind of their own, by errno: Twisted calls both a NoRouteError.
NO_ROUTE_ERRNOS = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH})


def tls_reason(error: ssl.SSLError) -> str:
    """A TLS failure as the crawl says one: ``TLS error: wrong version number``, with the
    reason OpenSSL gave (Python's ``WRONG_VERSION_NUMBER``, in OpenSSL's own words),
    or ``TLS error`` when it gave none (an error raised by Python code has no reason)."""
    reason = getattr(error, "reason", None)
    if not reason:
        return TLS_ERROR
    return f"{TLS_ERROR}: {reason.lower().replace('_', ' ')}"


def timed_out_after(timeout: float) -> str:
    """A wait that outran our ``timeout`` (seconds), said with it: ``timed out after 30 s``."""
    return f"{TIMED_OUT} after {timeout:g} s"


def socket_reason(error: OSError, *, timeout: float) -> str | None:
    """Why a connection of the standard library failed, in the crawl's words
    (:data:`SOCKET_WORDS`, :data:`NO_ROUTE_ERRNOS`, :func:`tls_reason`), a wait that
    outran the socket's ``timeout`` (seconds; a connection, a TLS handshake or an answer
    that did not come) with it (:func:`timed_out_after`); None for an error of another
    kind, which its own message says better."""
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(
        error.__context__, OSError
    ):  # smtplib says a read that timed out (or failed) as the server hanging up
        return socket_reason(error.__context__, timeout=timeout) or CONNECTION_CLOSED
    if isinstance(error, TimeoutError) and error.errno is None:  # the socket's own timer
        return timed_out_after(timeout)
    if isinstance(error, ssl.SSLError):
        return tls_reason(error)
    for kind, words in SOCKET_WORDS:
        if isinstance(error, kind):
            return words
    if error.errno in NO_ROUTE_ERRNOS:
        return NO_ROUTE
    return None
