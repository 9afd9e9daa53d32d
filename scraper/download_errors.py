"""Why a download failed, in a few plain words: ``connection refused``, ``timed out after 30 s``.

Scrapy wraps Twisted's errors in its own (``DownloadConnectionRefusedError`` for
Twisted's ``ConnectionRefusedError``, the original kept as ``__cause__``), and an
answer that failed (``ResponseFailed``, ``ResponseNeverReceived``: a TLS handshake
refused, a connection closed mid-answer) holds the failures that ended it, as does a
request that could not be sent (``RequestTransmissionFailed``, ``RequestGenerationFailed``).
Each of those is read, outermost first, against :data:`PLAIN_WORDS`; an error none of them
names is its own message, never its class name. A TLS failure adds the reasons OpenSSL
gave, when it gave any: ``TLS error: wrong version number`` (an https:// address served
in plain HTTP). An answer over the size limit is ``larger than crawl.max_page_bytes``
however Scrapy refused it (:func:`is_over_size`). A download that outran
``crawl.timeout`` (Scrapy's ``DOWNLOAD_TIMEOUT``, which bounds the connection's setup as
well as the whole answer) says how long it was given: ``timed out after 30 s``; a TCP
connection the system gave up on (``TCPTimedOutError``: its own timer, not ours) is
``timed out``. An answer whose body is not in the compression its ``Content-Encoding``
names (:mod:`scraper.content_encoding`) is ``body not in the compression its
Content-Encoding names``, not its decoder's words. The words a mail's
failure is said in too are in :mod:`thaidigest.network_errors`.
"""

from __future__ import annotations

from collections.abc import Iterator

from OpenSSL import SSL
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet import error as twisted_errors
from twisted.web.client import (
    RequestGenerationFailed,
    RequestTransmissionFailed,
    ResponseFailed,
)

from scraper.content_encoding import NotInItsEncoding
from thaidigest.network_errors import (
    ANSWER_CUT_SHORT,
    CONNECTION_CLOSED,
    CONNECTION_REFUSED,
    DNS_LOOKUP_FAILED,
    DOWNLOAD_CANCELLED,
    DOWNLOAD_FAILED,
    NO_ROUTE,
    NOT_IN_ITS_ENCODING,
    TIMED_OUT,
    TLS_ERROR,
    timed_out_after,
)

# The errors of a download that outran crawl.timeout: Scrapy's, and Twisted's for a
# connection not made within it (Scrapy wraps it in its own, the original as __cause__).
DOWNLOAD_TIMEOUTS = (DownloadTimeoutError, twisted_errors.TimeoutError)

# The errors a user reads about, each kind with the words that say what happened.
PLAIN_WORDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    (
        (DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError),
        CONNECTION_REFUSED,
    ),
    ((CannotResolveHostError, twisted_errors.DNSLookupError), DNS_LOOKUP_FAILED),
    ((twisted_errors.TCPTimedOutError,), TIMED_OUT),
    ((SSL.Error,), TLS_ERROR),
    ((twisted_errors.NoRouteError,), NO_ROUTE),
    ((ResponseDataLossError,), ANSWER_CUT_SHORT),
    ((twisted_errors.ConnectionClosed,), CONNECTION_CLOSED),
    ((DownloadCancelledError,), DOWNLOAD_CANCELLED),
    ((NotInItsEncoding,), NOT_IN_ITS_ENCODING),
)
# Scrapy cancels a download larger than its size limit (crawl.max_page_bytes) with this in
# its message; the words say so, not the byte counts and the request the message names.
OVER_SIZE_MESSAGE = "larger than download max size"
# The errors Scrapy refuses an answer over its size limit with, each with what its message
# then holds: a download cancelled (its Content-Length over the limit, or its bytes past it:
# scraper.download_size), or a compressed answer ignored once its body, decompressed,
# passed the limit (HttpCompressionMiddleware).
OVER_SIZE_ERRORS: tuple[tuple[type[BaseException], str], ...] = (
    (DownloadCancelledError, OVER_SIZE_MESSAGE),
    (IgnoreRequest, "exceeded DOWNLOAD_MAXSIZE"),
)
OVER_SIZE = "larger than crawl.max_page_bytes"
NO_MESSAGE = DOWNLOAD_FAILED  # an error none of PLAIN_WORDS names, without a message
# Twisted's errors that hold the failures that ended a request in ``.reasons``; their
# message is a list of those failures' reprs.
FAILURE_LISTS = (ResponseFailed, RequestTransmissionFailed, RequestGenerationFailed)


def causes(error: BaseException) -> Iterator[BaseException]:
    """``error``, then what it wraps: the failures of a failed request or answer, its
    ``__cause__`` (else its ``__context__``); each once, so a cycle among them ends."""
    pending = [error]
    seen: set[int] = set()
    while pending:
        cause = pending.pop(0)
        if id(cause) in seen:
            continue
        seen.add(id(cause))
        yield cause
        failures = cause.reasons if isinstance(cause, FAILURE_LISTS) else []
        wrapped = [failure.value for failure in failures]
        chained = _chained(cause)
        pending[:0] = [*wrapped, *([chained] if chained is not None else [])]


def _chained(error: BaseException) -> BaseException | None:
    """The error ``error`` was raised from, else the one it was raised while handling."""
    return error.__cause__ or (None if error.__suppress_context__ else error.__context__)


def error_message(error: BaseException) -> str | None:
    """The first line of the message of the innermost of ``error``'s :func:`causes` that
    has one (the original error's own words); None when none has. A failed answer's
    message, and that of an error wrapping one, is a list of failures' reprs: not read."""
    for cause in reversed(list(causes(error))):
        wrapped = cause if isinstance(cause, FAILURE_LISTS) else _chained(cause)
        if isinstance(wrapped, FAILURE_LISTS) and str(cause) == str(wrapped):
            continue
        if lines := str(cause).strip().splitlines():
            return lines[0]
    return None


def openssl_reasons(error: SSL.Error) -> list[str]:
    """The reasons OpenSSL gave for ``error``, each once, in its order: pyOpenSSL raises
    it with the list of OpenSSL's errors, ``[(library, function, reason), ...]``; [] when
    it holds no such list (a ``SysCallError``'s errno and message)."""
    entries = error.args[0] if error.args and isinstance(error.args[0], list) else []
    reasons = [entry[2] for entry in entries if isinstance(entry, tuple) and len(entry) == 3]
    return list(dict.fromkeys(reason for reason in reasons if reason))


def is_over_size(error: BaseException) -> bool:
    """Whether ``error``, or one of its :func:`causes`, is Scrapy refusing an answer over
    its size limit (:data:`OVER_SIZE_ERRORS`)."""
    return any(
        isinstance(cause, kind) and words in str(cause)
        for cause in causes(error)
        for kind, words in OVER_SIZE_ERRORS
    )


def plain_reason(error: BaseException, *, timeout: float) -> str:
    """Why a download failed: :data:`OVER_SIZE` for an answer over the size limit
    (:func:`is_over_size`), else for one of :data:`DOWNLOAD_TIMEOUTS` the ``timeout`` it
    outran (the crawl's ``DOWNLOAD_TIMEOUT``, in seconds), else as :data:`PLAIN_WORDS`
    says it (a TLS failure with :func:`openssl_reasons`), else its :func:`error_message`,
    else :data:`NO_MESSAGE`: never the error's class name."""
    if is_over_size(error):
        return OVER_SIZE
    for cause in causes(error):
        if isinstance(cause, DOWNLOAD_TIMEOUTS):
            return timed_out_after(timeout)
        if isinstance(cause, SSL.Error) and (reasons := openssl_reasons(cause)):
            return f"{TLS_ERROR}: {'; '.join(reasons)}"
        for kinds, words in PLAIN_WORDS:
            if isinstance(cause, kinds):
                return words
    return error_message(error) or NO_MESSAGE
