"""A small read-only web server for the digest folder (standard library only).

It answers GET and HEAD for files inside the folder, with the right
Content-Type, an ETag (a hash of the content) and Last-Modified (not for a file
changed in the second of the answer: a second version written in it would share
the date), and 304 to a conditional request that still matches. It refuses any path that leaves the
folder, whether by ``..`` (plain or percent-encoded), a backslash, a NUL or a
symbolic link that points outside; a path too long for the file system or
caught in a symbolic link loop is answered 404 or 414, like any other. Only the
kinds of file a web folder holds are served (:data:`SERVED_SUFFIXES`): a database
or a settings file left in the folder is 404. A file
named with a trailing slash (``/feed.rss/``) or a percent-encoded one
(``%2F``) is 404, as a web server answers it: served, the page's relative
links would resolve against the wrong folder; for the same reason a folder with an
``index.html`` named without its slash is answered 301 to the slash form. A folder
without one (``/digests``: the archive page links its digests) is 404 at once, with
its slash or without, never moved to a 404. A hidden file or folder (``.git``) is 404,
reached through a symbolic link with a plain name too.

A careless or hostile client cannot wear it out: a connection silent for
``IDLE_TIMEOUT`` seconds, or open for ``CONNECTION_DEADLINE`` seconds in all
(however slowly it trickles in), is closed, and beyond ``MAX_CONNECTIONS``
at once a new one is answered 503 at once. It is meant for loopback and a
local network all the same: on the public internet, put a real web server
(nginx, Caddy) in front of it or let one serve the folder.

Each request is one line on stderr, a refused one too (:data:`SEND_ERROR_FORMAT`), with
its time in Bangkok time, as the feeds write their dates and the daemon's log gives its
times, in ISO 8601 with the offset from UTC (:func:`thaidigest.output.log_time`), whatever the
machine's zone. A client that goes away (a reset, a broken pipe, silence) is no error and
is not logged; any other error while answering a request is one line on stderr (the
client, the exception's type and message), never a traceback, and the server serves on.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from digest.archive import ATOM_TYPE, INDEX_PAGE, JSON_FEED_TYPE, OPML_TYPE, RSS_TYPE
from digest.feeds import feed_site_url
from digest.ours import FEED_ATOM
from digest.select import BANGKOK
from thaidigest.config import SERVE_HOST, SERVE_PORT
from thaidigest.output import log_time

IDLE_TIMEOUT = 10.0  # seconds a connection may send or take nothing
CONNECTION_DEADLINE = 30.0  # seconds a connection may last, request and answer
MAX_CONNECTIONS = 64  # connections served at once; more are answered 503
# Connections the kernel holds until they are accepted: socketserver's 5 made a burst of
# clients wait a second for a retry of their SYN, before the cap could answer them 503.
LISTEN_BACKLOG = 128
MAX_PATH_CHARS = 2048  # a longer request path is answered 414
MAX_NAME_BYTES = 255  # no file or folder name is longer (NAME_MAX)
REAPER_INTERVAL = 1.0
STOPPED = "Stopped."  # said when Ctrl-C or SIGTERM stops the server, serving or starting
# A client that hung up, reset the connection or fell silent: ordinary, no error of ours.
CLIENT_GONE = (ConnectionError, TimeoutError)
# The line BaseHTTPRequestHandler.send_error logs before the request's own line, which gives
# the same status: not logged, so that a refused request is one line too.
SEND_ERROR_FORMAT = "code %d, message %s"
BUSY = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 24\r\nRetry-After: 5\r\nConnection: close\r\n\r\n"
    b"503 Service Unavailable\n"
)
CONTENT_TYPES = {
    ".rss": RSS_TYPE,
    ".atom": ATOM_TYPE,
    ".json": JSON_FEED_TYPE,  # the only JSON the folder holds: JSON Feeds
    ".opml": f"{OPML_TYPE}; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
}

# What the server serves: the kinds of file a build writes, and the styles and images a
# user may add to the folder. Any other file there (a database, a settings file with a
# mail password, an export, a log) is 404, whatever the folder it was put in.
SERVED_SUFFIXES = frozenset(
    [*CONTENT_TYPES, ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico"]
)


def content_type(path: Path) -> str:
    """The Content-Type a file is served with."""
    known = CONTENT_TYPES.get(path.suffix.lower())
    return known or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def resolve(root: Path, request_path: str) -> Path | HTTPStatus:
    """The file a request path names inside ``root`` (resolved), or the status refusing it
    (301 for a folder with an index page named without its slash: :func:`folder_location`;
    404 for a folder without one)."""
    if len(request_path) > MAX_PATH_CHARS:
        return HTTPStatus.REQUEST_URI_TOO_LONG
    path = urlsplit(request_path).path
    if not path.startswith("/"):
        return HTTPStatus.BAD_REQUEST
    decoded = unquote(path)
    if "\x00" in decoded or "\\" in decoded:
        return HTTPStatus.BAD_REQUEST
    parts = [part for part in decoded.split("/") if part]
    if any(part in (".", "..") for part in parts):
        return HTTPStatus.FORBIDDEN
    if any("/" in unquote(segment) for segment in path.split("/")):  # no name holds a slash
        return HTTPStatus.NOT_FOUND
    if any(part.startswith(".") for part in parts):  # .git, a write's temporary file
        return HTTPStatus.NOT_FOUND
    if any(len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES for part in parts):
        return HTTPStatus.NOT_FOUND
    target = root.joinpath(*parts)
    real = inside(root, target)
    if isinstance(real, HTTPStatus):
        return real
    if real.is_dir():
        target = real / INDEX_PAGE
        real = inside(root, target)
        if isinstance(real, HTTPStatus):  # no page: a slash added would find none either
            return real
        if not path.endswith("/"):  # its page's relative links need the slash
            return HTTPStatus.MOVED_PERMANENTLY
    elif path.endswith("/"):  # a file named as a folder: its relative links would break
        return HTTPStatus.NOT_FOUND
    if not {target.suffix.lower(), real.suffix.lower()} <= SERVED_SUFFIXES:
        return HTTPStatus.NOT_FOUND
    return real if real.is_file() else HTTPStatus.NOT_FOUND


def inside(root: Path, target: Path) -> Path | HTTPStatus:
    """What ``target`` resolves to, or the status refusing it: outside ``root`` (through a
    symbolic link), hidden there (a link with a plain name to ``.git``), missing, a name too
    long, a symbolic link loop."""
    try:
        real = target.resolve(strict=True)
    except (OSError, RuntimeError):
        return HTTPStatus.NOT_FOUND
    if not real.is_relative_to(root):
        return HTTPStatus.FORBIDDEN
    if any(part.startswith(".") for part in real.relative_to(root).parts):
        return HTTPStatus.NOT_FOUND
    return real


def unchanged_since(modified: int, since: str, now: float) -> bool:
    """Whether a file last modified at ``modified`` (whole seconds) is known unchanged since
    the If-Modified-Since date ``since``, answering at ``now``; a date that is not one, or
    is later than ``now``, is ignored (RFC 9110 13.1.3).

    A date in the second of the answer proves nothing: the file may change again within it,
    keeping its date (a weak Last-Modified, RFC 9110 8.8.2.2), so only an ETag can tell."""
    if modified >= int(now):
        return False
    try:
        client_date = parsedate_to_datetime(since)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a year past datetime's
        return False
    if client_date.tzinfo is None:  # asctime, or -0000: an HTTP date is GMT (RFC 9110 5.6.7)
        client_date = client_date.replace(tzinfo=UTC)
    client_seconds = client_date.timestamp()
    return modified <= client_seconds <= now  # a date in the future is invalid (13.1.3)


def folder_location(request_path: str) -> str:
    """The URL of the folder ``request_path`` names without its slash: the slash added,
    the query kept (one leading slash: ``//host`` would name another site)."""
    split = urlsplit(request_path)
    query = f"?{split.query}" if split.query else ""
    return f"/{split.path.lstrip('/')}/{query}"


def _handler(root: Path) -> type[BaseHTTPRequestHandler]:
    class DigestHandler(BaseHTTPRequestHandler):
        server_version = "thaidigest"
        timeout = IDLE_TIMEOUT

        def version_string(self) -> str:
            return self.server_version  # the base adds " " and the Python version

        def log_date_time_string(self) -> str:
            # The standard library's local time alone, ``[05/Dec/2026 22:49:52]``, names no
            # instant; a container's UTC clock logs the same times as the daemon.
            return log_time(datetime.now(BANGKOK))

        def log_error(self, format: str, *args: Any) -> None:
            if format == SEND_ERROR_FORMAT:
                return
            if not any(isinstance(arg, CLIENT_GONE) for arg in args):  # a client fell silent
                super().log_error(format, *args)

        def do_GET(self) -> None:
            self._answer(with_body=True)

        def do_HEAD(self) -> None:
            self._answer(with_body=False)

        def _refuse(self, status: HTTPStatus) -> None:
            body = f"{status.value} {status.phrase}\n".encode()
            self.send_response(status)
            if status is HTTPStatus.MOVED_PERMANENTLY:
                self.send_header("Location", folder_location(self.path))
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _answer(self, with_body: bool) -> None:
            found = resolve(root, self.path)
            if isinstance(found, HTTPStatus):
                self._refuse(found)
                return
            try:  # body and date from one open file: a file replaced meanwhile is not mixed
                with found.open("rb") as handle:
                    data = handle.read()
                    modified = int(os.fstat(handle.fileno()).st_mtime)
            except OSError:  # removed or made unreadable since it was resolved
                self._refuse(HTTPStatus.NOT_FOUND)
                return
            etag = f'"{hashlib.sha256(data).hexdigest()[:32]}"'
            now = time.time()
            status = HTTPStatus.NOT_MODIFIED if self._fresh(etag, modified, now) else HTTPStatus.OK
            self.send_response(status)
            self.send_header("ETag", etag)
            if modified < int(now):  # a date of this second could name the next version too
                self.send_header("Last-Modified", formatdate(modified, usegmt=True))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            if status is HTTPStatus.OK:
                self.send_header("Content-Type", content_type(found))
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if with_body and status is HTTPStatus.OK:
                self.wfile.write(data)

        def _fresh(self, etag: str, modified: int, now: float) -> bool:
            """True when the client's copy still matches (If-None-Match wins over the date)."""
            tags = self.headers.get("If-None-Match")
            if tags is not None:
                return any(tag.strip() in (etag, f"W/{etag}", "*") for tag in tags.split(","))
            since = self.headers.get("If-Modified-Since")
            return since is not None and unchanged_since(modified, since, now)

    return DigestHandler


def error_line(client_address: tuple[str, int], error: BaseException) -> str:
    """The one log line for an error while handling a request: who, what kind, what."""
    host, port = client_address[:2]
    return f"{host}:{port}: {type(error).__name__}: {error}"


def address_family(host: str, port: int) -> socket.AddressFamily:
    """The family of the first address ``host`` listens on: IPv6 for ``::1``, IPv4 for
    ``127.0.0.1`` or ``localhost`` here (as ``python -m http.server --bind`` picks it)."""
    family, *_ = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    return family


class DigestServer(ThreadingHTTPServer):
    """A threading HTTP server with a cap on connections and a deadline for each."""

    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        max_connections: int = MAX_CONNECTIONS,
        deadline: float = CONNECTION_DEADLINE,
    ) -> None:
        # Set before binding: a failed bind calls server_close() from TCPServer.__init__.
        self.address_family = address_family(address[0], address[1])
        self.deadline = deadline
        self._slots = threading.BoundedSemaphore(max_connections)
        self._open: dict[socket.socket, float] = {}  # connection -> when it must end
        self._open_lock = threading.Lock()
        self._closing = threading.Event()
        super().__init__(address, handler)
        threading.Thread(target=self._reap, name="deadlines", daemon=True).start()

    def process_request(self, request: socket.socket, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._turn_away(request)
            return
        with self._open_lock:
            self._open[request] = time.monotonic() + self.deadline
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._forget(request)
            raise

    def process_request_thread(self, request: socket.socket, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._forget(request)

    def handle_error(self, request: socket.socket, client_address: Any) -> None:
        """A client that went away is no error; any other is one line on stderr, not a
        traceback (socketserver's default), and the server serves on."""
        error = sys.exc_info()[1]
        if error is None or isinstance(error, CLIENT_GONE):
            return
        print(error_line(client_address, error), file=sys.stderr)

    def server_close(self) -> None:
        self._closing.set()
        super().server_close()

    def _forget(self, request: socket.socket) -> None:
        with self._open_lock:
            if self._open.pop(request, None) is not None:
                self._slots.release()

    def _turn_away(self, request: socket.socket) -> None:
        """Answer 503 to a connection beyond the cap, without a thread."""
        with contextlib.suppress(OSError):
            request.settimeout(1.0)
            request.sendall(BUSY)
        self.shutdown_request(request)

    def _reap(self) -> None:
        """Cut the connections that outlive their deadline; their threads then end."""
        while not self._closing.wait(REAPER_INTERVAL):
            now = time.monotonic()
            with self._open_lock:
                late = [request for request, until in self._open.items() if until < now]
            for request in late:
                with contextlib.suppress(OSError):
                    request.shutdown(socket.SHUT_RDWR)


def feeds_site_url(directory: Path) -> str | None:
    """The site address the feeds in ``directory`` were written with, as its ``feed.atom``
    names it (:func:`digest.feeds.feed_site_url`); None when it has none, or it cannot be
    read."""
    try:
        return feed_site_url((directory / FEED_ATOM).read_bytes())
    except OSError:
        return None


def make_server(
    directory: Path,
    host: str = SERVE_HOST,
    port: int = SERVE_PORT,
    *,
    max_connections: int = MAX_CONNECTIONS,
    deadline: float = CONNECTION_DEADLINE,
) -> DigestServer:
    """A server for ``directory``, bound but not yet serving; port 0 picks a free port."""
    return DigestServer(
        (host, port),
        _handler(directory.resolve(strict=True)),
        max_connections=max_connections,
        deadline=deadline,
    )


def server_url(server: DigestServer) -> str:
    """The URL a bound server answers on (an IPv6 address in brackets)."""
    host, port = server.server_address[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(
    directory: Path,
    host: str = SERVE_HOST,
    port: int = SERVE_PORT,
    echo: Callable[[str], None] = print,
    bound: Callable[[int], None] | None = None,
) -> None:
    """Serve ``directory`` until interrupted, after telling ``echo`` the URL. ``bound`` is
    called with the port the server listens on once its socket is bound (port 0 resolved
    to the free port it picked), before the URL is told."""
    with make_server(directory, host, port) as server:
        if bound is not None:
            bound(server.server_address[1])
        echo(f"Serving {directory} at {server_url(server)}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            echo(STOPPED)
