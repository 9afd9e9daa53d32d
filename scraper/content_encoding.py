"""An answer whose body is not in the gzip or deflate its ``Content-Encoding`` names.

Scrapy's :class:`~scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware`
decodes a compressed answer; a body it cannot decode (plain HTML sent with
``Content-Encoding: gzip``, a deflate header over text) raised the decoder's own error,
which the crawl reported in its words (``Not a gzipped file (b'<!')``, ``Error -3 while
decompressing data: incorrect header check``), and a gzip stream cut short was read as
far as it went, a page with its end missing. :class:`ContentEncodingMiddleware`, in its
place, fails either answer with :class:`NotInItsEncoding`: the page is an error in plain
words (:data:`~thaidigest.network_errors.NOT_IN_ITS_ENCODING`), never parsed nor stored,
and the crawl goes on with the other pages. A gzip stream whose end is there but whose
checksum is wrong is still read (Scrapy's leniency: some servers send bad checksums),
and so is what follows the end of a stream.
"""

from __future__ import annotations

import struct
import zlib
from itertools import chain

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from thaidigest.network_errors import NOT_IN_ITS_ENCODING

GZIP = (b"gzip", b"x-gzip")
DEFLATE = b"deflate"
# What Python's gzip and zlib raise for a body that is not their format (BadGzipFile is
# an OSError; a gzip header cut short, an EOFError or a struct.error).
DECODING_ERRORS = (OSError, EOFError, struct.error, zlib.error)
CHUNK = 1 << 16  # bytes decompressed at a time when checking that a stream ends


class NotInItsEncoding(IgnoreRequest):
    """An answer whose body is not in the gzip or deflate its Content-Encoding names."""

    def __init__(self, url: str) -> None:
        super().__init__(f"{url}: {NOT_IN_ITS_ENCODING}")
        self.url = url


def outer_encoding(response: Response) -> bytes | None:
    """The last encoding a response's ``Content-Encoding`` names, the one its bytes are
    in (the first one undone), lower case; None when it names none."""
    named = [
        encoding.strip().lower()
        for encoding in chain.from_iterable(
            value.split(b",") for value in response.headers.getlist("Content-Encoding")
        )
    ]
    return named[-1] if named else None


def stream_ends(body: bytes, encoding: bytes, max_size: int) -> bool:
    """Whether ``body``, a gzip stream or a deflate one (zlib-wrapped, else raw, as
    Scrapy reads it), holds the end of its stream; one that gives more than ``max_size``
    bytes (0: no limit) before it is not read further: Scrapy refuses it as over size.
    A stream that ends in an error (a wrong checksum) is left to Scrapy's reading."""
    if encoding in GZIP:
        decoders = [zlib.decompressobj(16 + zlib.MAX_WBITS)]
    else:
        decoders = [zlib.decompressobj(), zlib.decompressobj(-zlib.MAX_WBITS)]
    for decoder in decoders:
        data, decoded = body, 0
        try:
            while data and not decoder.eof:
                decoded += len(decoder.decompress(data, CHUNK))
                if max_size and decoded > max_size:
                    return True
                data = decoder.unconsumed_tail
        except zlib.error:
            if decoded or decoder is decoders[-1]:
                return True  # past the start of the stream: Scrapy's reading stands
            continue  # no zlib header: a raw deflate stream
        return decoder.eof
    return True


class ContentEncodingMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, which fails an answer whose gzip or deflate body cannot be
    read to its end with :class:`NotInItsEncoding` (its decoder's error as the cause)."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        encoding = outer_encoding(response)
        if request.method == "HEAD" or encoding is None or encoding not in (*GZIP, DEFLATE):
            return super().process_response(request, response)
        try:
            decoded = super().process_response(request, response)
        except DECODING_ERRORS as error:
            raise NotInItsEncoding(response.url) from error
        max_size = request.meta.get("download_maxsize", self._max_size)
        if response.body and not stream_ends(response.body, encoding, max_size):
            raise NotInItsEncoding(response.url)
        return decoded
