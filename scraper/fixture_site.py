"""A loopback HTTP server for the bundled fixture site, with scripted faults.

``FixtureSite`` serves a site directory (``seeds/site`` by default, installed as
``thaidigest_seeds/site``) the way the real sites answer: thaigov article ids without
a page get a soft 404 (HTTP 200, empty headline) for any id; MDES detail URLs match on
the id whatever the slug; every page carries an ``ETag`` and ``Last-Modified`` and
conditional requests get 304. Files are read at request time, so editing one between
two crawls changes its ETag. The ``{{BASE}}`` placeholder in HTML is replaced with the
server's own base URL.

A ``FaultPlan`` makes chosen paths misbehave (errors, bursts of 403, hangs, cut or
garbled bodies, half a page sent with no ``Content-Length`` and the connection closed
(complete to HTTP), wrong charsets, a body not in the compression its
``Content-Encoding`` names (plain HTML said to be gzip, deflate, br or zstd), a gzip stream cut
short, huge bodies (with a ``Content-Length``, streamed in HTTP/1.1 chunks without one,
or gzipped: small until decompressed), redirects, a page that is only a meta refresh and
one that reloads itself, a bot check answered with 200, a PDF or an SVG image, a session
cookie set as a PHP site sets one on every page) so reliability tests can show what a spider
does with them. Every request is recorded in
``FixtureSite.requests``.

Run it by hand with ``python -m scraper.fixture_site [ROOT] [--port N]``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import random
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from thaidigest.folders import os_reason
from thaidigest.sites import (
    MDES_ARTICLE_PATH,
    MDES_LISTING_PAGE_PATH,
    MDES_LISTING_PATH,
    MDES_SLUG,
    THAIGOV_ARTICLE_PATH,
    THAIGOV_SEARCH_PATH,
    article_path,
    listing_path,
    path_pattern,
)

# The top-level seeds/ folder ships as this package (see pyproject.toml), so the seed
# articles and the fixture site are found in a source checkout and an installed wheel alike.
SEEDS_PACKAGE = "thaidigest_seeds"
SEEDS_DIR = Path(str(resources.files(SEEDS_PACKAGE)))
DEFAULT_ROOT = SEEDS_DIR / "site"
BASE_PLACEHOLDER = b"{{BASE}}"
SOFT_404_FILE = "_soft404.html"
BOT_CHECK_PATH = "/bot-check"
OFFSITE_URL = "http://example.invalid/"
HTML_TYPE = "text/html; charset={charset}"
# A page whose whole purpose is a meta refresh to another address, as a server sends its
# visitor on with a 200 rather than a 3xx.
META_REFRESH_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Redirecting</title>
<meta http-equiv="refresh" content="{refresh};url={location}"></head>
<body><p>Redirecting to <a href="{location}">{location}</a></p></body></html>
"""
# The tag an auto-reloading page carries in its head: it refreshes to its own address.
AUTO_REFRESH_TAG = '<meta http-equiv="refresh" content="{refresh};url={path}">'

# Request path (no query) -> how to serve it. The first match wins.
ROUTES = (
    (re.compile(r"^/robots\.txt$"), "robots"),
    (re.compile(rf"^{path_pattern(THAIGOV_ARTICLE_PATH)}$"), "thaigov_article"),
    (re.compile(rf"^{path_pattern(THAIGOV_SEARCH_PATH)}$"), "search"),
    (re.compile(rf"^{path_pattern(MDES_LISTING_PATH)}$"), "mdes_listing"),
    (re.compile(rf"^{path_pattern(MDES_LISTING_PAGE_PATH)}$"), "mdes_listing"),
    (re.compile(rf"^{path_pattern(MDES_ARTICLE_PATH)}{MDES_SLUG}$"), "mdes_article"),
    (re.compile(rf"^{BOT_CHECK_PATH}$"), "bot_check"),
)
# Path regexes for rules that target one site.
THAIGOV_PATHS = r"^/(news/contents/|search$)"
MDES_PATHS = r"^/news/(\d+|detail/)"


def page_file(path: str) -> str:
    """The site file that serves a URL path: ``/news/3/page/2`` -> ``news/3/page/2.html``."""
    return path.lstrip("/") + ".html"


# A Cloudflare "Just a moment..." challenge, as a bot check answers a plain fetch.
BOT_CHECK_HTML = """<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head>
<body><div class="main-wrapper" role="main"><div class="main-content">
<h1 class="zone-name-title h1">www.thaigov.go.th</h1>
<h2 class="h2" id="challenge-running">Checking if the site connection is secure</h2>
<noscript><div id="challenge-error-title"><div class="h2">
<span id="challenge-error-text">Enable JavaScript and cookies to continue</span>
</div></div></noscript>
<div id="challenge-body-text" class="core-msg spacer">www.thaigov.go.th needs to review the
security of your connection before proceeding.</div></div></div>
<script>(function(){window._cf_chl_opt={cvId: '3', cType: 'managed'};}());</script>
<div class="footer" role="contentinfo">
<div class="ray-id">Ray ID: <code>7f1a2b3c4d5e6f70</code></div>
<div class="text-center" id="footer-text">Performance &amp; security by Cloudflare</div></div>
</body></html>
"""
# Request headers kept on each RequestRecord (Host: the name a page was asked under, where
# the site answers under several: localhost and www.localhost).
RECORDED_HEADERS = ("If-None-Match", "If-Modified-Since", "User-Agent", "Range", "Cookie", "Host")
# Faults a FaultPlan in random mode picks from by default: all recoverable by a retry.
# The start of a PDF file, as a "binary" fault sends it: a stream's bytes after its header.
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 4 >>\nstream\n\x00\x01\x02\x03"
# An SVG image, as an "svg" fault sends it (as XML, ``text/xml``): a headline's worth of Thai
# text in it, which a page's reading would take for one.
SVG_BYTES = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    "<title>ทำเนียบรัฐบาล</title><text x='0' y='20'>นายกรัฐมนตรีหารือความร่วมมือด้านดิจิทัล</text>"
    "</svg>\n"
).encode()
RANDOM_FAULTS = ("status", "retry_after", "cut")
HUGE_CHUNK = 1 << 16
LAST_CHUNK = b"0\r\n\r\n"  # the chunk of no bytes that ends a chunked body
DEEP_NESTING = 3000  # elements a "deep" fault wraps a page's content in: past libxml2's 2048
SHUTDOWN_POLL = 0.05  # seconds; how soon stop() returns

FAULTS = frozenset(
    {
        "status",
        "retry_after",
        "burst_403",
        "hang",
        "cut",
        "cut_unframed",
        "truncate",
        "deep",
        "garble",
        "wrong_charset",
        "false_encoding",
        "cut_gzip",
        "huge",
        "huge_chunked",
        "huge_gzip",
        "redirect_loop",
        "redirect_offsite",
        "redirect_307",
        "redirect",
        "meta_refresh",
        "auto_refresh",
        "soft404",
        "bot_check",
        "session_cookie",
        "binary",
        "svg",
    }
)


@dataclass
class FaultRule:
    """Make requests whose path matches ``path`` (a regex, searched) misbehave.

    ``after`` matching requests are served as usual first (a site that starts
    refusing part-way through a crawl); ``times`` then limits how many it affects
    (None: all of them); the other fields parametrise one fault each.
    """

    path: str
    fault: str
    times: int | None = None
    after: int = 0
    status: int = 503  # "status": the error status sent
    delay: float = 5.0  # "hang": seconds before the answer
    slow: float = 0.0  # any other fault: seconds it waits, received, before it answers
    limit: int = 5  # "burst_403": requests allowed within ``window``...
    window: float = 1.0  # ...seconds; any more get 403
    declared: str = "utf-8"  # "wrong_charset": the charset the header names...
    actual: str = "cp874"  # ...and the one the body is encoded in
    encoding: str = "gzip"  # "false_encoding": the Content-Encoding named over the plain page
    size: int = 20 * 2**20  # "huge", "huge_chunked", "huge_gzip": body length in bytes
    # (for "huge_gzip", decompressed)
    retry_after: str = "1"  # "retry_after": the Retry-After header sent with the 429
    location: str = ""  # "redirect": the URL sent in ``Location``, with ``status`` a 3xx;
    # "meta_refresh": the URL its page refreshes to
    refresh: int = 0  # "meta_refresh", "auto_refresh": seconds the page waits to refresh

    def __post_init__(self) -> None:
        if self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; expected one of {sorted(FAULTS)}")
        if self.fault == "redirect" and not (300 <= self.status < 400 and self.location):
            raise ValueError("a redirect fault needs a 3xx status and a location")
        if self.fault == "meta_refresh" and not self.location:
            raise ValueError("a meta_refresh fault needs a location")


@dataclass
class FaultPlan:
    """Rules applied in order (first active match wins), plus an optional random mode.

    In random mode (``seed`` set) a request no rule matched gets, with probability
    ``rate``, one of ``random_faults`` picked by a generator seeded with ``seed``.
    """

    rules: list[FaultRule] = field(default_factory=list)
    seed: int | None = None
    rate: float = 0.1
    random_faults: tuple[str, ...] = RANDOM_FAULTS


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw and answered it."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    time: float
    fault: str | None = None


@dataclass
class Response:
    """An answer before it is sent."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class _RuleState:
    """Thread-safe counters of one rule: uses so far and recent arrival times."""

    def __init__(self, rule: FaultRule) -> None:
        self.rule = rule
        self.pattern = re.compile(rule.path)
        self.seen = 0  # matching requests so far, ``after`` included
        self.used = 0
        self.arrivals: deque[float] = deque()


class FixtureSite:
    """Serve a fixture site directory on a loopback port, in a background thread.

    ``robots_txt``, when given, is served as ``/robots.txt`` instead of the site's file.
    """

    def __init__(
        self,
        root: Path = DEFAULT_ROOT,
        faults: FaultPlan | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        robots_txt: str | None = None,
    ) -> None:
        self.root = Path(root)
        self.faults = faults or FaultPlan()
        self.robots_txt = robots_txt
        self.host = host
        self.port = port
        self.base_url = ""
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._rules = [_RuleState(rule) for rule in self.faults.rules]
        seed = self.faults.seed
        self._random = random.Random(seed if seed is not None else 0)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FixtureSite:
        """Bind the port and serve in a daemon thread; ``base_url`` is set on return."""
        site = self

        class Handler(_Handler):
            fixture = site

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        self.port = int(port)
        self.base_url = f"http://{host}:{self.port}"
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL},
            name="fixture-site",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; hanging answers are cut short."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> FixtureSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + path

    # ------------------------------------------------------------------ bookkeeping

    def record(self, record: RequestRecord) -> None:
        """Append a request record (thread-safe)."""
        with self._lock:
            self.requests.append(record)

    def pick_fault(self, path: str) -> FaultRule | None:
        """The fault to apply to a request for ``path``, updating the rules' counters."""
        now = time.monotonic()
        with self._lock:
            for state in self._rules:
                rule = state.rule
                if not state.pattern.search(path):
                    continue
                state.seen += 1
                if state.seen <= rule.after:
                    continue
                if rule.times is not None and state.used >= rule.times:
                    continue
                if rule.fault == "burst_403":
                    state.arrivals.append(now)
                    while state.arrivals and now - state.arrivals[0] > rule.window:
                        state.arrivals.popleft()
                    if len(state.arrivals) <= rule.limit:
                        continue
                state.used += 1
                return rule
            plan = self.faults
            if plan.seed is not None and self._random.random() < plan.rate:
                return FaultRule(path=".", fault=self._random.choice(plan.random_faults))
        return None

    def random_bytes(self, size: int) -> bytes:
        """``size`` bytes from the plan's seeded generator."""
        with self._lock:
            return self._random.randbytes(size)

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, returning early when the server stops."""
        self._stopping.wait(seconds)

    @property
    def stopping(self) -> bool:
        """True once ``stop`` has been called."""
        return self._stopping.is_set()

    # ------------------------------------------------------------------ content

    def read_page(self, relative: str) -> bytes | None:
        """A file of the site, with ``{{BASE}}`` replaced; None when it does not exist."""
        path = self.root / relative
        if not path.is_file():
            return None
        data = path.read_bytes()
        if path.suffix == ".html":
            data = data.replace(BASE_PLACEHOLDER, self.base_url.encode("ascii"))
        return data

    def page(self, relative: str, content_type: str = HTML_TYPE) -> Response | None:
        """A 200 response for a site file with validators; None when it does not exist."""
        data = self.read_page(relative)
        if data is None:
            return None
        mtime = (self.root / relative).stat().st_mtime
        return Response(
            200,
            data,
            {
                "Content-Type": content_type.format(charset="utf-8"),
                "ETag": '"' + hashlib.sha256(data).hexdigest()[:32] + '"',
                "Last-Modified": formatdate(mtime, usegmt=True),
            },
        )

    def soft_404(self) -> Response:
        """The thaigov "no such article" page: HTTP 200, bare title, empty headline."""
        return self.page(SOFT_404_FILE) or Response(200, b"", {"Content-Type": "text/html"})

    def route(self, path: str) -> Response:
        """The normal answer for ``path`` (query already removed)."""
        for pattern, name in ROUTES:
            match = pattern.match(path)
            if not match:
                continue
            params = match.groupdict()
            if name == "robots" and self.robots_txt is not None:
                found = Response(
                    200, self.robots_txt.encode(), {"Content-Type": "text/plain; charset=utf-8"}
                )
            elif name == "robots":
                found = self.page("robots.txt", "text/plain; charset={charset}")
            elif name == "thaigov_article":
                found = self.page(page_file(article_path("thaigov", int(params["id"]))))
                found = found or self.soft_404()
            elif name == "search":
                found = self.page("search.html")
            elif name == "mdes_listing":
                page = int(params.get("page") or 1)
                found = self.page(page_file(listing_path(int(params["category"]), page)))
            elif name == "mdes_article":
                found = self.page(page_file(article_path("mdes", int(params["id"]))))
            else:
                found = bot_check_page()
            if found is not None:
                return found
            break
        return Response(
            404,
            b"<html><body><h1>404 Not Found</h1></body></html>",
            {"Content-Type": HTML_TYPE.format(charset="utf-8")},
        )


def bot_check_page() -> Response:
    """The bot check's challenge page, answered with HTTP 200."""
    return Response(
        200, BOT_CHECK_HTML.encode(), {"Content-Type": HTML_TYPE.format(charset="utf-8")}
    )


def _not_modified(response: Response, if_none_match: str | None, if_modified: str | None) -> bool:
    """True when the request's validators say the client's copy is current."""
    etag = response.headers.get("ETag")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag is not None and ("*" in tags or etag in tags)
    last_modified = response.headers.get("Last-Modified")
    if if_modified is None or last_modified is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(if_modified)
    except (TypeError, ValueError):
        return False


def _loop_target(path: str, query: str) -> str:
    """The next hop of an endless two-step redirect cycle."""
    return f"{path}?loop=2" if "loop=1" in query else f"{path}?loop=1"


class _Handler(BaseHTTPRequestHandler):
    """Answer one request from the ``FixtureSite`` bound to the subclass."""

    fixture: FixtureSite
    server_version = "FixtureSite/1.0"

    def version_string(self) -> str:
        """The ``Server`` header: no Python version."""
        return self.server_version

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: requests are recorded on the fixture instead."""

    def _answer(self, send_body: bool) -> None:
        site = self.fixture
        parts = urlsplit(self.path)
        rule = site.pick_fault(parts.path)
        response = site.route(parts.path)
        if rule is not None:
            response = self._apply(rule, response, parts.path, parts.query)
        elif response.status == 200 and _not_modified(
            response, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        ):
            response = Response(
                304, b"", {k: v for k, v in response.headers.items() if k != "Content-Type"}
            )
        site.record(
            RequestRecord(
                method=self.command,
                path=self.path,
                status=response.status,
                headers={h: v for h in RECORDED_HEADERS if (v := self.headers.get(h)) is not None},
                time=time.time(),
                fault=rule.fault if rule else None,
            )
        )
        if rule is not None:
            site.wait(rule.delay if rule.fault == "hang" else rule.slow)
        self._send(response, rule, send_body)

    def _apply(self, rule: FaultRule, normal: Response, path: str, query: str) -> Response:
        """The response a fault turns ``normal`` into (body-level faults are sent later)."""
        site = self.fixture
        html_type = {"Content-Type": HTML_TYPE.format(charset="utf-8")}
        fault = rule.fault
        if fault == "status":
            return Response(rule.status, f"<h1>Error {rule.status}</h1>".encode(), html_type)
        if fault == "retry_after":
            return Response(
                429, b"<h1>Too Many Requests</h1>", {**html_type, "Retry-After": rule.retry_after}
            )
        if fault == "burst_403":
            return Response(403, b"<h1>403 Forbidden</h1>", html_type)
        if fault == "soft404":
            return site.soft_404()
        if fault == "bot_check":
            return bot_check_page()
        if fault == "redirect_loop":
            return Response(302, b"", {"Location": site.url(_loop_target(path, query))})
        if fault == "redirect_offsite":
            return Response(302, b"", {"Location": OFFSITE_URL})
        if fault == "redirect":
            return Response(rule.status, b"", {"Location": rule.location})
        if fault == "meta_refresh":
            page = META_REFRESH_HTML.format(refresh=rule.refresh, location=rule.location)
            return Response(200, page.encode(), html_type)
        if fault == "auto_refresh":  # the page as it is, reloading itself
            tag = AUTO_REFRESH_TAG.format(refresh=rule.refresh, path=path).encode()
            body = normal.body.replace(b"<head>", b"<head>" + tag, 1)
            return Response(normal.status, body, normal.headers)
        if fault == "session_cookie":  # the page as it is, setting a session cookie
            cookie = f"PHPSESSID={hashlib.sha256(path.encode()).hexdigest()[:26]}; path=/; HttpOnly"
            return Response(normal.status, normal.body, {**normal.headers, "Set-Cookie": cookie})
        if fault == "binary":  # a document, not a page: a PDF where a page was linked
            return Response(200, PDF_BYTES, {"Content-Type": "application/pdf"})
        if fault == "svg":  # an image where a page was linked, labelled as XML
            return Response(200, SVG_BYTES, {"Content-Type": "text/xml"})
        if fault == "redirect_307":
            return Response(307, b"", {"Location": site.url(f"{BOT_CHECK_PATH}?return={path}")})
        if fault == "garble":
            return Response(200, site.random_bytes(4096), html_type)
        if fault == "truncate":
            text = normal.body.decode("utf-8", errors="replace")
            return Response(normal.status, text[: len(text) // 2].encode(), normal.headers)
        if fault == "deep":  # the page's content inside more elements than a parser reads
            text = normal.body.decode("utf-8", errors="replace")
            start = text.index(">", text.index("<body")) + 1
            end = text.rindex("</body>")
            nested = "<div>" * DEEP_NESTING + text[start:end] + "</div>" * DEEP_NESTING
            body = (text[:start] + nested + text[end:]).encode()
            return Response(normal.status, body, normal.headers)
        if fault == "wrong_charset":
            text = normal.body.decode("utf-8", errors="replace")
            body = text.encode(rule.actual, errors="xmlcharrefreplace")
            return Response(
                normal.status,
                body,
                {**normal.headers, "Content-Type": HTML_TYPE.format(charset=rule.declared)},
            )
        if fault == "false_encoding":  # the page as it is, said to be compressed
            return Response(
                normal.status, normal.body, {**normal.headers, "Content-Encoding": rule.encoding}
            )
        if fault == "cut_gzip":  # the page gzipped, half the stream sent, its length said
            body = gzip.compress(normal.body)
            cut = body[: len(body) // 2]
            return Response(normal.status, cut, {**normal.headers, "Content-Encoding": "gzip"})
        if fault == "huge_gzip":  # the huge body gzipped: a few kB on the wire
            pieces: list[bytes] = []
            self._send_huge(normal.body, rule.size, pieces.append)
            body = gzip.compress(b"".join(pieces))
            return Response(normal.status, body, {**normal.headers, "Content-Encoding": "gzip"})
        return normal  # hang, cut, huge and huge_chunked change how the body is sent

    def _send(self, response: Response, rule: FaultRule | None, send_body: bool) -> None:
        fault = rule.fault if rule else None
        length = rule.size if rule and fault in ("huge", "huge_chunked") else len(response.body)
        if fault == "huge_chunked":  # chunks are HTTP/1.1's: this answer speaks it
            self.protocol_version = "HTTP/1.1"
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if fault == "cut_unframed":  # the body ends where the connection does
            self.send_header("Connection", "close")
        elif fault == "huge_chunked":  # streamed: its length is nowhere said
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
        elif response.status != 304:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if not send_body or response.status == 304:
            return
        try:
            if fault in ("cut", "cut_unframed"):
                self.wfile.write(response.body[: len(response.body) // 2])
                self.wfile.flush()
                self.close_connection = True
            elif fault == "huge":
                self._send_huge(response.body, length, self.wfile.write)
            elif fault == "huge_chunked":
                self._send_huge(response.body, length, self._write_chunk)
                self.wfile.write(LAST_CHUNK)
                self.close_connection = True
            else:
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send_huge(self, page: bytes, length: int, write: Callable[[bytes], object]) -> None:
        """The page, then filler up to ``length`` bytes, in pieces, each given to ``write``."""
        write(page[:length])
        sent = min(len(page), length)
        filler = b"<!-- " + b"x" * (HUGE_CHUNK - 9) + b" -->\n"
        while sent < length and not self.fixture.stopping:
            chunk = filler[: length - sent]
            write(chunk)
            sent += len(chunk)

    def _write_chunk(self, data: bytes) -> None:
        """``data`` as one HTTP/1.1 chunk; nothing for no data (that chunk ends a body)."""
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))


def main(argv: list[str] | None = None) -> int:
    """Serve a fixture site until interrupted: ``python -m scraper.fixture_site [ROOT]``."""
    parser = argparse.ArgumentParser(description="Serve the offline fixture site.")
    parser.add_argument("root", nargs="?", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    args = parser.parse_args(argv)
    if not (args.root / "manifest.json").is_file():
        print(f"not a fixture site (no manifest.json): {args.root}", file=sys.stderr)
        return 2
    try:
        site = FixtureSite(args.root, host=args.host, port=args.port).start()
    except OSError as error:  # the port is taken, the host is no address of ours
        print(f"cannot listen on {args.host}:{args.port}: {os_reason(error)}", file=sys.stderr)
        return 1
    print(f"serving {args.root} at {site.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
