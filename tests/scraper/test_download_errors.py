"""Why a download failed, in plain words, from the errors Scrapy and Twisted raise."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from contextlib import suppress

import pytest
from OpenSSL import SSL
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler
from twisted.internet import error as twisted_errors
from twisted.python.failure import Failure
from twisted.web.client import (
    RequestGenerationFailed,
    RequestTransmissionFailed,
    ResponseFailed,
    ResponseNeverReceived,
)

from scraper.content_encoding import (
    ContentEncodingMiddleware,
    NotInItsEncoding,
    brotli,  # the decoders Scrapy's decompression uses
    zstd,
)
from scraper.download_errors import NO_MESSAGE, TLS_ERROR, is_over_size, plain_reason
from scraper.spiders.base import not_text_reason
from tests.certificates import self_signed
from thaidigest.network_errors import NOT_IN_ITS_ENCODING

TIMEOUT = 7.5  # seconds: the crawl's download timeout (crawl.timeout)


def wrapped(outer: type[Exception], inner: BaseException) -> Exception:
    """``outer`` raised from ``inner``, with its message, as Scrapy wraps Twisted's errors."""
    try:
        try:
            raise inner
        except BaseException as error:
            raise outer(str(error)) from error
    except outer as raised:
        return raised


def failed_answer(kind: type[ResponseFailed], inner: BaseException) -> Exception:
    """A failed answer holding ``inner``, as Scrapy's HTTP/1.1 handler raises it."""
    return wrapped(DownloadFailedError, kind([Failure(inner)]))


CASES = {
    "refused": (
        wrapped(DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError()),
        "connection refused",
    ),
    "dns": (
        wrapped(CannotResolveHostError, twisted_errors.DNSLookupError("example.invalid")),
        "DNS lookup failed",
    ),
    # A download that outran crawl.timeout says how long it was given...
    "timeout": (
        DownloadTimeoutError("Getting URL took longer than 7.5 seconds."),
        "timed out after 7.5 s",
    ),
    "connect-timeout": (
        wrapped(DownloadTimeoutError, twisted_errors.TimeoutError()),
        "timed out after 7.5 s",
    ),
    # ...a connection the system's TCP gave up on was given the system's time, not ours.
    "tcp-timeout": (twisted_errors.TCPTimedOutError(), "timed out"),
    "tls": (
        failed_answer(ResponseNeverReceived, SSL.Error([("SSL routines", "", "bad")])),
        "TLS error: bad",
    ),
    "connection-lost": (
        failed_answer(ResponseFailed, twisted_errors.ConnectionLost()),
        "connection closed before the answer ended",
    ),
    "no-route": (twisted_errors.NoRouteError(), "no route to host"),
    # A request that could not be sent holds its failures as a failed answer does.
    "transmission-failed": (
        wrapped(
            DownloadFailedError,
            RequestTransmissionFailed([Failure(twisted_errors.ConnectionLost())]),
        ),
        "connection closed before the answer ended",
    ),
    "generation-failed": (
        RequestGenerationFailed([Failure(ValueError("invalid header value"))]),
        "invalid header value",
    ),
    # Errors named nowhere: their own message, never their class name...
    "unknown": (OSError("Too many open files"), "Too many open files"),
    "unknown-in-a-failed-answer": (
        failed_answer(ResponseFailed, ValueError("bad chunk length\nmore")),
        "bad chunk length",
    ),
    # ...and a fixed phrase when they have none.
    "unknown-without-a-message": (failed_answer(ResponseFailed, ValueError()), NO_MESSAGE),
}


@pytest.mark.parametrize(("error", "words"), CASES.values(), ids=CASES.keys())
def test_a_download_error_is_said_in_plain_words(error, words):
    assert plain_reason(error, timeout=TIMEOUT) == words


def raised_while_handling(outer: Exception, inner: BaseException) -> Exception:
    """``outer`` raised while ``inner`` was being handled, without ``from``."""
    try:
        try:
            raise inner
        except BaseException:
            raise outer  # noqa: B904 (chained as __context__, as the test needs)
    except type(outer) as raised:
        return raised


def test_an_error_raised_while_handling_a_network_error_is_said_as_that_error():
    error = raised_while_handling(RuntimeError(), twisted_errors.ConnectionRefusedError())
    assert plain_reason(error, timeout=TIMEOUT) == "connection refused"


def test_errors_that_wrap_each_other_in_a_cycle_are_each_read_once():
    outer, inner = RuntimeError("outer"), ValueError("inner")
    outer.__cause__, inner.__cause__ = inner, outer
    assert plain_reason(outer, timeout=TIMEOUT) == "inner"
    loop = RuntimeError()
    loop.__context__ = loop
    assert plain_reason(loop, timeout=TIMEOUT) == NO_MESSAGE


def test_a_download_over_the_size_limit_is_said_so_not_as_scrapys_message() -> None:
    message = (
        "Expected to receive 180023 bytes which is larger than download max size (50000) "
        "in request <GET http://127.0.0.1:1/robots.txt>."
    )
    assert (
        plain_reason(DownloadCancelledError(message), timeout=TIMEOUT)
        == "larger than crawl.max_page_bytes"
    )
    assert plain_reason(DownloadCancelledError(""), timeout=TIMEOUT) == "download cancelled"


def test_a_compressed_answer_over_the_size_limit_once_decompressed_is_said_so() -> None:
    """Scrapy ignores it (IgnoreRequest) in words of bytes decompressed so far, which
    name neither the limit's setting nor that the answer was too large; the crawl's
    decompression (:class:`ContentEncodingMiddleware`) leaves it so."""
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 50_000})
    decompressing = ContentEncodingMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1:1/robots.txt")
    body = gzip.compress(b"x" * 100_000)
    answer = Response(request.url, headers={"Content-Encoding": "gzip"}, body=body)
    with pytest.raises(IgnoreRequest) as ignored:
        decompressing.process_response(request, answer)
    assert plain_reason(ignored.value, timeout=TIMEOUT) == "larger than crawl.max_page_bytes"
    assert is_over_size(ignored.value)
    # Any other request ignored is not one over the limit.
    assert not is_over_size(IgnoreRequest("Forbidden by robots.txt (Disallow: /)"))


PAGE = b"<!DOCTYPE html><html><body><p>" + "ข่าว".encode() * 2000 + b"</p></body></html>"
WHOLE_GZIP = gzip.compress(PAGE)
# Bodies Scrapy reads as the page, each with the Content-Encoding it is sent with.
READ_BODIES = {
    "gzip": ("gzip", WHOLE_GZIP),
    "x-gzip": ("x-gzip", WHOLE_GZIP),
    "deflate-in-zlib": ("deflate", zlib.compress(PAGE)),
    # Microsoft's servers send deflate without zlib's header, which Scrapy reads too.
    "raw-deflate": ("deflate", zlib.compress(PAGE, wbits=-zlib.MAX_WBITS)),
    # Scrapy reads past a wrong checksum and what follows a stream's end: so do we.
    "gzip-wrong-checksum": ("gzip", WHOLE_GZIP[:-8] + b"\0" * 4 + WHOLE_GZIP[-4:]),
    "gzip-then-zeros": ("gzip", WHOLE_GZIP + b"\0" * 16),
    "gzip-twice": ("gzip, gzip", gzip.compress(WHOLE_GZIP)),
    "brotli": ("br", brotli.compress(PAGE)),
    "zstd": ("zstd", zstd.compress(PAGE)),
}
# Bodies not in the compression their Content-Encoding names.
UNREAD_BODIES = {
    "plain-html-said-gzip": ("gzip", PAGE),
    "plain-html-said-deflate": ("deflate", PAGE),
    "plain-html-said-brotli": ("br", PAGE),
    "plain-html-said-zstd": ("zstd", PAGE),
    "gzip-cut-in-its-header": ("gzip", WHOLE_GZIP[:6]),  # nothing of the page to read
    # Streams cut short before any of the page decodes, which Scrapy read as an empty page
    # (zstd decodes nothing of a block it cannot end: any page under 64 KiB so cut).
    "zstd-cut-short": ("zstd", zstd.compress(PAGE)[:-1]),
    "zstd-cut-in-half": ("zstd", zstd.compress(PAGE)[: len(zstd.compress(PAGE)) // 2]),
    "brotli-cut-in-half": ("br", brotli.compress(PAGE)[: len(brotli.compress(PAGE)) // 2]),
    "deflate-cut-in-its-header": ("deflate", zlib.compress(PAGE)[:2]),
}
# Streams cut short, read as far as they go, as Scrapy reads them: the page without its
# end, which the spider retries as any page cut short (``is_whole_page``).
CUT_BODIES = {
    "gzip-cut-in-half": ("gzip", WHOLE_GZIP[: len(WHOLE_GZIP) // 2]),
    "deflate-cut-in-half": ("deflate", zlib.compress(PAGE)[:100]),
    "raw-deflate-cut-in-half": ("deflate", zlib.compress(PAGE, wbits=-zlib.MAX_WBITS)[:100]),
}


def decoded_by_the_crawl(encoding: str, body: bytes) -> Response:
    """An answer of ``body`` with ``Content-Encoding: encoding`` once the crawl's
    decompression middleware has read it."""
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 5_000_000})
    decompressing = ContentEncodingMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1:1/news/detail/11001")
    answer = Response(request.url, headers={"Content-Encoding": encoding}, body=body)
    return decompressing.process_response(request, answer)


@pytest.mark.parametrize(("encoding", "body"), READ_BODIES.values(), ids=READ_BODIES)
def test_a_body_in_the_compression_its_content_encoding_names_is_read_as_scrapy_reads_it(
    encoding, body
) -> None:
    decoded = decoded_by_the_crawl(encoding, body)
    assert decoded.body == PAGE


@pytest.mark.parametrize(("encoding", "body"), UNREAD_BODIES.values(), ids=UNREAD_BODIES)
def test_a_body_not_in_the_compression_its_content_encoding_names_is_said_in_plain_words(
    encoding, body
) -> None:
    """The decoder's own error was the page's (``Not a gzipped file (b'<!')``)."""
    with pytest.raises(NotInItsEncoding) as failed:
        decoded_by_the_crawl(encoding, body)
    assert plain_reason(failed.value, timeout=TIMEOUT) == NOT_IN_ITS_ENCODING
    assert not isinstance(failed.value, IgnoreRequest)  # asked for: robots.txt logs it


@pytest.mark.parametrize(("encoding", "body"), CUT_BODIES.values(), ids=CUT_BODIES)
def test_a_compressed_stream_cut_short_is_read_as_far_as_it_goes_for_the_spider_to_retry(
    encoding, body
) -> None:
    decoded = decoded_by_the_crawl(encoding, body)
    assert PAGE.startswith(decoded.body) and 0 < len(decoded.body) < len(PAGE)


# A page whose head holds a control character (a vertical tab pasted into its title), which
# Scrapy takes for no text when a Content-Encoding it does not decode is left on the answer.
TITLED_PAGE = (
    b"<!DOCTYPE html><html><head><title>"
    + "ข่าว\x0bทำเนียบรัฐบาล".encode()
    + b"</title></head><body><p>"
    + "ข่าว".encode() * 200
    + b"</p></body></html>"
)
# Content-Encodings that name no compression beside those Scrapy decodes: identity ("no
# encoding", RFC 9110) and an empty list element, which a recipient ignores.
NO_COMPRESSION_NAMED = {
    "identity": ("identity", TITLED_PAGE),
    "identity-upper-case": ("Identity", TITLED_PAGE),
    "gzip-then-identity": ("gzip, identity", gzip.compress(TITLED_PAGE)),
    "identity-then-gzip": ("identity, gzip", gzip.compress(TITLED_PAGE)),
    "gzip-and-an-empty-element": ("gzip,", gzip.compress(TITLED_PAGE)),
}


@pytest.mark.parametrize(
    ("encoding", "body"), NO_COMPRESSION_NAMED.values(), ids=NO_COMPRESSION_NAMED
)
def test_a_content_encoding_of_identity_is_no_compression_and_the_page_is_read(
    encoding, body
) -> None:
    """Scrapy decodes no coding past one it does not know, and an answer left with a
    Content-Encoding is a page of text only if its first bytes have no control character:
    the page was "not a page of text (...; Content-Encoding: identity)", never stored."""
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 5_000_000})
    decompressing = ContentEncodingMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1:1/news/detail/11001")
    headers = Headers({"Content-Type": "text/html; charset=utf-8", "Content-Encoding": encoding})
    # As Scrapy's download handler makes the answer: its class by its headers and body.
    answer_class = responsetypes.from_args(headers=headers, url=request.url, body=body)
    answer = answer_class(request.url, headers=headers, body=body)

    decoded = decompressing.process_response(request, answer)

    assert decoded.body == TITLED_PAGE
    assert "Content-Encoding" not in decoded.headers
    assert not_text_reason(decoded) is None
    assert "ทำเนียบรัฐบาล" in decoded.text


def test_an_empty_body_said_to_be_gzip_is_an_empty_page_as_scrapy_reads_it() -> None:
    """A 304 or a redirect sent with the Content-Encoding of the page it stands for."""
    assert decoded_by_the_crawl("gzip", b"").body == b""


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("br", brotli.compress),
     ("zstd", zstd.compress)],
)  # fmt: skip
def test_a_whole_stream_of_an_empty_page_is_an_empty_page(encoding, compress) -> None:
    """Only a stream cut short that decodes to nothing is an error, not one that ends."""
    assert decoded_by_the_crawl(encoding, compress(b"")).body == b""


def test_a_wrapper_raised_while_handling_a_failed_answer_is_not_said_as_its_failures() -> None:
    # Not ``raise ... from``: the failed answer is the wrapper's context, not its cause.
    answer = ResponseFailed([Failure(ValueError())])
    try:
        try:
            raise answer
        except ResponseFailed:
            raise DownloadFailedError(str(answer))  # noqa: B904
    except DownloadFailedError as error:
        reason = plain_reason(error, timeout=TIMEOUT)
    assert reason == NO_MESSAGE


def failed_handshake(client: SSL.Connection, reply: Callable[[bytes], bytes]) -> SSL.Error:
    """The error an in-memory TLS client's handshake ends with, each of its flights
    answered with ``reply(flight)``."""
    client.set_connect_state()
    for _ in range(10):
        try:
            client.do_handshake()
        except SSL.WantReadError:
            client.bio_write(reply(client.bio_read(1 << 16)))
        except SSL.Error as error:
            return error
    raise AssertionError("the handshake did not fail")


def served_by(server: SSL.Connection) -> Callable[[bytes], bytes]:
    """A reply that hands the client's bytes to the in-memory TLS ``server``: its answer."""
    server.set_accept_state()

    def reply(flight: bytes) -> bytes:
        server.bio_write(flight)
        with suppress(SSL.WantReadError):
            server.do_handshake()
        return server.bio_read(1 << 16)

    return reply


def self_signed_server() -> SSL.Connection:
    """An in-memory TLS server with a certificate no authority signed."""
    key, certificate = self_signed("localhost")
    context = SSL.Context(SSL.TLS_SERVER_METHOD)
    context.use_certificate(certificate)
    context.use_privatekey(key)
    return SSL.Connection(context, None)


def tls_client(verify: bool = False) -> SSL.Connection:
    """An in-memory TLS client; ``verify``: it checks the server's certificate, trusting
    no authority (Scrapy's client checks none)."""
    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    if verify:
        context.set_verify(SSL.VERIFY_PEER, None)
    return SSL.Connection(context, None)


PLAIN_HTTP = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
TLS_CASES = {
    # https:// to a server that speaks plain HTTP: its answer read as a TLS record.
    "plain-http": (
        lambda: failed_handshake(tls_client(), lambda _: PLAIN_HTTP),
        "TLS error: wrong version number",
    ),
    "unverified-certificate": (
        lambda: failed_handshake(tls_client(verify=True), served_by(self_signed_server())),
        "TLS error: certificate verify failed",
    ),
    # No reason from OpenSSL: the kind alone.
    "no-reason": (SSL.Error, TLS_ERROR),
    "system-call": (lambda: SSL.SysCallError(-1, "Unexpected EOF"), TLS_ERROR),
}


@pytest.mark.parametrize(("make_error", "words"), TLS_CASES.values(), ids=TLS_CASES.keys())
def test_a_tls_failure_says_the_reason_openssl_gave(make_error, words) -> None:
    error = make_error()
    assert isinstance(error, SSL.Error)
    # As Scrapy raises it: the handshake's failure in the answer never received.
    assert plain_reason(failed_answer(ResponseNeverReceived, error), timeout=TIMEOUT) == words
