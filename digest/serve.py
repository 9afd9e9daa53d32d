"""A small read-only web server for the digest folder (standard library only).

It answers GET and HEAD for files inside the folder, with the right
Content-Type, an ETag (a hash of the content) and Last-Modified, and 304 to a
conditional request that still matches. It refuses any path that leaves the
folder, whether by ``..`` (plain or percent-encoded), a backslash, a NUL or a
symbolic link that points outside.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
INDEX = "index.html"
CONTENT_TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".md": "text/markdown; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
}


def content_type(path: Path) -> str:
    """The Content-Type a file is served with."""
    known = CONTENT_TYPES.get(path.suffix.lower())
    return known or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def resolve(root: Path, request_path: str) -> Path | HTTPStatus:
    """The file a request path names inside ``root`` (resolved), or the status refusing it."""
    path = urlsplit(request_path).path
    if not path.startswith("/"):
        return HTTPStatus.BAD_REQUEST
    decoded = unquote(path)
    if "\x00" in decoded or "\\" in decoded:
        return HTTPStatus.BAD_REQUEST
    parts = [part for part in decoded.split("/") if part]
    if any(part in (".", "..") for part in parts):
        return HTTPStatus.FORBIDDEN
    target = root.joinpath(*parts)
    if target.is_dir():
        target = target / INDEX
    try:
        real = target.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        return HTTPStatus.NOT_FOUND
    if not real.is_relative_to(root):
        return HTTPStatus.FORBIDDEN
    return real if real.is_file() else HTTPStatus.NOT_FOUND


def _handler(root: Path) -> type[BaseHTTPRequestHandler]:
    class DigestHandler(BaseHTTPRequestHandler):
        server_version = "thaidigest"
        sys_version = ""

        def do_GET(self) -> None:
            self._answer(with_body=True)

        def do_HEAD(self) -> None:
            self._answer(with_body=False)

        def _refuse(self, status: HTTPStatus) -> None:
            body = f"{status.value} {status.phrase}\n".encode()
            self.send_response(status)
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
            data = found.read_bytes()
            etag = f'"{hashlib.sha256(data).hexdigest()[:32]}"'
            modified = int(found.stat().st_mtime)
            status = HTTPStatus.NOT_MODIFIED if self._fresh(etag, modified) else HTTPStatus.OK
            self.send_response(status)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(modified, usegmt=True))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            if status is HTTPStatus.OK:
                self.send_header("Content-Type", content_type(found))
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if with_body and status is HTTPStatus.OK:
                self.wfile.write(data)

        def _fresh(self, etag: str, modified: int) -> bool:
            """True when the client's copy still matches (If-None-Match wins over the date)."""
            tags = self.headers.get("If-None-Match")
            if tags is not None:
                return any(tag.strip() in (etag, f"W/{etag}", "*") for tag in tags.split(","))
            since = self.headers.get("If-Modified-Since")
            if since is None:
                return False
            try:
                return modified <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False

    return DigestHandler


def make_server(
    directory: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> ThreadingHTTPServer:
    """A server for ``directory``, bound but not yet serving; port 0 picks a free port."""
    server = ThreadingHTTPServer((host, port), _handler(directory.resolve(strict=True)))
    server.daemon_threads = True
    return server


def server_url(server: ThreadingHTTPServer) -> str:
    """The URL a bound server answers on."""
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"


def serve(
    directory: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve ``directory`` until interrupted, after telling ``echo`` the URL."""
    with make_server(directory, host, port) as server:
        echo(f"Serving {directory} at {server_url(server)}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            echo("Stopped.")
