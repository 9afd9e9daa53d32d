"""An answer whose body is not in the compression its ``Content-Encoding`` names.

Scrapy's :class:`~scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware`
decodes a compressed answer; a body it cannot decode (plain HTML sent with
``Content-Encoding: gzip``, a deflate header over text) raised the decoder's own error,
which the crawl reported in its words (``Not a gzipped file (b'<!')``, ``Error -3 while
decompressing data: incorrect header check``, ``brotli: decoder failed``, ``Unable to
decompress Zstandard data: Unknown frame descriptor``). :class:`ContentEncodingMiddleware`,
in its place, raises :class:`NotInItsEncoding` for it: the page is an error in plain words
(:data:`~thaidigest.network_errors.NOT_IN_ITS_ENCODING`), never parsed nor stored, and the
crawl goes on with the other pages. What Scrapy reads it still reads as Scrapy does:
a stream cut short as far as it goes (a page without its end, which the spider retries
as any page cut short), a wrong gzip checksum, what follows the end of a stream. A
deflate, brotli or zstd stream cut short before any of it decodes (a page of under 64 KiB
in zstd, whose decoder gives nothing of a stream it cannot end), which Scrapy read as an
empty page, is :class:`NotInItsEncoding` too, as gzip's is (:func:`cut_to_nothing`).

A ``Content-Encoding`` of ``identity`` (no encoding, RFC 9110) or with an empty list
element (``gzip,``) names no compression beside those Scrapy decodes: both are dropped
first (:func:`without_no_compression`). Scrapy decodes no coding past one it does not
know, and takes an answer left with a ``Content-Encoding`` for no text unless its first
bytes are free of control characters: a page so sent (a vertical tab pasted into its
title) was no page of text, never stored, and ``gzip, identity`` left the page gzipped.
"""

from __future__ import annotations

import struct
import sys
import zlib

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes

from thaidigest.network_errors import NOT_IN_ITS_ENCODING

# The brotli and zstd decoders Scrapy's decompression imports, as it imports them.
try:
    import brotli
except ImportError:  # PyPy, where Scrapy requires brotlicffi instead
    import brotlicffi as brotli
if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

# What the decoders raise for a body that is not their format: Python's gzip and zlib (a
# BadGzipFile is an OSError; a gzip header cut short, an EOFError or a struct.error),
# brotli's error and zstd's.
DECODING_ERRORS = (OSError, EOFError, struct.error, zlib.error, brotli.error, zstd.ZstdError)


class NotInItsEncoding(ValueError):
    """An answer whose body is not in the compression its Content-Encoding names. Not
    an ``IgnoreRequest``: the page was asked for and its answer is wrong, which a
    robots.txt fetch, say, logs as it logs a page it could not fetch."""

    def __init__(self, url: str) -> None:
        super().__init__(f"{url}: {NOT_IN_ITS_ENCODING}")
        self.url = url


class ContentEncodingMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, whose decoder's errors are :class:`NotInItsEncoding` (the
    decoder's error as its cause)."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        response = without_no_compression(response)
        try:
            return super().process_response(request, response)
        except DECODING_ERRORS as error:
            raise NotInItsEncoding(response.url) from error

    @staticmethod
    def _decode(body: bytes, encoding: bytes, max_size: int) -> bytes:
        """Scrapy's decoding of one coding, which raises for a stream cut short that
        decodes to nothing (:func:`cut_to_nothing`) rather than give an empty body."""
        decoded = HttpCompressionMiddleware._decode(body, encoding, max_size)
        if not decoded and cut_to_nothing(body, encoding):
            raise EOFError(f"{encoding.decode()} stream cut short before any of it decodes")
        return decoded


def cut_to_nothing(body: bytes, encoding: bytes) -> bool:
    """Whether ``body``, in the compression ``encoding`` names and decoded to nothing,
    stops before its stream's end: no empty stream, whole, but one cut short (or one
    whose first bytes Scrapy's zstd decoding lost with the end it could not read).
    Scrapy's gzip decoding raises for it itself; an empty body is no stream."""
    if not body:
        return False
    if encoding == b"deflate":
        inflating = zlib.decompressobj()
        try:
            inflating.decompress(body, 1)
        except zlib.error:  # raw deflate, as Microsoft's servers send it (and Scrapy reads)
            inflating = zlib.decompressobj(wbits=-zlib.MAX_WBITS)
            inflating.decompress(body, 1)
        return not inflating.eof
    if encoding == b"br":
        unbrotli = brotli.Decompressor()
        unbrotli.process(body, output_buffer_limit=1)
        return not unbrotli.is_finished()
    if encoding == b"zstd":
        unzstd = zstd.ZstdDecompressor()
        unzstd.decompress(body, max_length=1)
        return not unzstd.eof
    return False


# A coding that is no compression: the body as it is (RFC 9110, 8.4.1).
IDENTITY = b"identity"


def without_no_compression(response: Response) -> Response:
    """``response`` without the ``Content-Encoding`` codings that name no compression:
    ``identity`` in any case, and empty list elements, which a recipient ignores (RFC 9110,
    5.6.1). With no coding left, the header goes and the answer's class is chosen again by
    its type and bytes, as Scrapy chooses it for an answer sent with none."""
    codings = [
        coding.strip()
        for value in response.headers.getlist("Content-Encoding")
        for coding in value.split(b",")
    ]
    kept = [coding for coding in codings if coding and coding.lower() != IDENTITY]
    if kept == codings:
        return response
    headers = response.headers.copy()
    if kept:
        headers["Content-Encoding"] = b", ".join(kept)
        return response.replace(headers=headers)
    del headers["Content-Encoding"]
    answer_class = responsetypes.from_args(headers=headers, url=response.url, body=response.body)
    # Its encoding read again from the answer, as Scrapy's decompression has it read.
    encoding = {"encoding": None} if issubclass(answer_class, TextResponse) else {}
    return response.replace(cls=answer_class, headers=headers, **encoding)
