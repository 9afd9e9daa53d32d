import http.client
import os
import re
import select
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from digest.commands import other_port_note, serve_command
from digest.serve import IDLE_TIMEOUT, make_server, server_url
from tests.digest import ipv6_loopback_missing
from thaidigest.cli import main
from thaidigest.config import DEFAULTS
from thaidigest.store import Store


@pytest.fixture
def site(tmp_path):
    out = tmp_path / "public"
    (out / "digests").mkdir(parents=True)
    (out / "index.html").write_text("<!DOCTYPE html><title>index</title>", encoding="utf-8")
    (out / "feed.rss").write_bytes(b"<rss/>")
    (out / "feed.atom").write_bytes(b"<feed/>")
    (out / "digests" / "2024-W34.md").write_text("# สรุป\n", encoding="utf-8")
    (out / ".git").mkdir()
    (out / ".git" / "config").write_text("[remote] url = secret")
    (out / ".feed.atom.x1y2.tmp").write_text("half a feed")  # a write cut short
    (out / "digests" / ".hidden.md").write_text("draft")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    (out / "leak.txt").symlink_to(secret)
    (out / "outside").symlink_to(tmp_path)
    (out / "inside.md").symlink_to(out / "digests" / "2024-W34.md")
    server = make_server(out, port=0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def request(server, path, method="GET", headers=None):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_the_default_site_url_is_where_serve_listens_unless_told():
    defaults = {parameter.name: parameter.default for parameter in serve_command.params}
    assert DEFAULTS["digest"]["site_url"] == f"http://{defaults['host']}:{defaults['port']}/"


def test_port_zero_binds_a_free_loopback_port(site):
    host, port = site.server_address[:2]
    assert host == "127.0.0.1" and port > 0
    assert server_url(site) == f"http://127.0.0.1:{port}/"


def test_an_ipv6_loopback_host_is_served_with_a_bracketed_url(tmp_path):
    missing = ipv6_loopback_missing()
    if missing:
        pytest.skip(missing)
    (tmp_path / "feed.atom").write_bytes(b"<feed/>")
    with serving(tmp_path, host="::1") as server:
        host, port = server.server_address[:2]
        assert host == "::1" and port > 0
        assert server_url(server) == f"http://[::1]:{port}/"
        status, _, body = request(server, "/feed.atom")
    assert (status, body) == (200, b"<feed/>")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/feed.rss", "application/rss+xml"),
        ("/feed.atom", "application/atom+xml"),
        ("/digests/2024-W34.md", "text/markdown; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
    ],
)
def test_files_are_served_with_their_type_and_nosniff(site, path, content_type):
    status, headers, body = request(site, path)
    assert status == 200
    assert headers["Content-Type"] == content_type
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert int(headers["Content-Length"]) == len(body) > 0


def test_conditional_requests_get_304_while_the_file_is_unchanged(site, tmp_path):
    an_hour_ago = time.time() - 3600  # a date in the second of the answer is no proof
    os.utime(tmp_path / "public" / "feed.atom", (an_hour_ago, an_hour_ago))
    _, headers, body = request(site, "/feed.atom")
    assert body == b"<feed/>"
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, again, body = request(site, "/feed.atom", headers={"If-None-Match": etag})
    assert (status, body, again["ETag"]) == (304, b"", etag)
    status, _, _ = request(site, "/feed.atom", headers={"If-Modified-Since": modified})
    assert status == 304
    status, _, _ = request(site, "/feed.atom", headers={"If-None-Match": '"other"'})
    assert status == 200


def test_head_answers_headers_without_a_body(site):
    status, headers, body = request(site, "/feed.rss", method="HEAD")
    assert (status, body, headers["Content-Length"]) == (200, b"", "6")


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/digests/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/digests/%2e%2e/%2e%2e/secret.txt",
        "/leak.txt",
        "/outside/secret.txt",
    ],
)
def test_paths_leaving_the_folder_are_refused(site, path):
    status, _, body = request(site, path)
    assert status in (403, 404)
    assert b"not for the web" not in body


@pytest.mark.parametrize("path", ["//etc/passwd", "/etc/passwd", "/missing.atom"])
def test_absolute_or_missing_paths_stay_inside_and_are_not_found(site, path):
    status, _, body = request(site, path)
    assert status == 404
    assert b"root:" not in body


@pytest.mark.parametrize(
    "name", ["thaidigest.sqlite", "thaidigest.toml", "export.jsonl", "crawl.log", "digests/a.db"]
)
def test_files_no_web_folder_holds_are_not_served(site, tmp_path, name):
    out = tmp_path / "public"
    (out / name).write_text("password = hunter2")
    (out / "alias.md").symlink_to(out / name)  # nor through a link named as a page
    for path in (f"/{name}", "/alias.md"):
        status, _, body = request(site, path)
        assert (status, b"hunter2" in body) == (404, False), path


def test_styles_and_images_a_user_adds_are_served(site, tmp_path):
    (tmp_path / "public" / "style.css").write_text("body { margin: 0 }")
    (tmp_path / "public" / "logo.PNG").write_bytes(b"\x89PNG")
    assert request(site, "/style.css")[:2][0] == 200
    status, headers, body = request(site, "/logo.PNG")
    assert (status, headers["Content-Type"], body) == (200, "image/png", b"\x89PNG")


@pytest.mark.parametrize("path", ["/.git/config", "/.feed.atom.x1y2.tmp", "/digests/.hidden.md"])
def test_hidden_files_in_the_folder_are_not_served(site, path):
    assert request(site, path)[0] == 404


def test_request_target_not_starting_with_a_slash_is_a_bad_request(site):
    assert request(site, "secret.txt")[0] == 400


@pytest.mark.parametrize(
    "path",
    [
        "/digests/2024-W34.md/",
        "/feed.rss/",
        "/index.html/",
        "/inside.md/",  # a symbolic link to a file
        "/feed.rss%2f",
        "/feed.rss%2F",
        "/digests%2F2024-W34.md",
    ],
)
def test_a_file_path_with_a_trailing_or_encoded_slash_is_not_found(site, path):
    # Served, the page's relative links (../feed.rss) would resolve one folder too deep.
    assert request(site, path)[0] == 404


@pytest.mark.parametrize("path", ["/", "/digests/2024-W34.md", "/feed.rss?x=a/"])
def test_a_folder_with_its_slash_and_a_file_without_one_are_served(site, path):
    assert request(site, path)[0] == 200


def test_symlink_inside_the_folder_is_served(site):
    status, _, body = request(site, "/inside.md")
    assert (status, body.decode()) == (200, "# สรุป\n")


# --- Careless and hostile clients ----------------------------------------------------------


@contextmanager
def serving(folder, **options):
    server = make_server(folder, port=0, **options)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_within(connection: socket.socket, seconds: float) -> bool:
    """Whether the server closes ``connection`` within ``seconds`` (data it sends is read)."""
    connection.settimeout(seconds)
    try:
        while connection.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


@pytest.mark.parametrize(
    ("path", "status"),
    [("/" + "a" * 300, 404), ("/digests/" + "é" * 200 + ".md", 404), ("/" + "a/" * 1500, 414)],
    ids=["long-name", "long-name-in-bytes", "long-path"],
)
def test_too_long_paths_are_answered_not_dropped(site, path, status):
    assert request(site, quote(path))[0] == status


def test_a_symbolic_link_loop_is_answered_404(tmp_path):
    folder = tmp_path / "public"
    folder.mkdir()
    (folder / "index.html").write_text("<p>index</p>", encoding="utf-8")
    (folder / "a").symlink_to(folder / "b")
    (folder / "b").symlink_to(folder / "a")
    with serving(folder) as server:
        for path in ("/a", "/a/x.html", "/b/"):
            assert request(server, path)[0] == 404
        assert request(server, "/")[0] == 200


def test_an_idle_connection_is_closed_and_not_logged(site, capfd):
    with socket.create_connection(site.server_address[:2]) as idle:
        idle.sendall(b"GET / HTTP/1.1\r\n")  # and then nothing more
        assert closed_within(idle, IDLE_TIMEOUT + 5)
    assert capfd.readouterr().err == ""


def test_a_request_trickling_in_is_cut_at_the_connection_deadline(tmp_path):
    folder = tmp_path / "public"
    folder.mkdir()
    with serving(folder, deadline=1.0) as server:
        with socket.create_connection(server.server_address[:2]) as slow:
            slow.sendall(b"GET / HTTP/1.1\r\n")
            started = time.monotonic()
            cut = False
            while time.monotonic() - started < 10 and not cut:
                try:
                    slow.sendall(b"X-Slow: 1\r\n")  # a header line, well inside the idle timeout
                except OSError:
                    cut = True
                cut = cut or closed_within(slow, 0.5)
        assert cut


def test_connections_beyond_the_cap_get_503_and_a_freed_slot_serves_again(site, tmp_path):
    folder = tmp_path / "capped"
    folder.mkdir()
    (folder / "index.html").write_text("<p>index</p>", encoding="utf-8")
    with serving(folder, max_connections=2) as server:
        address = server.server_address[:2]
        holders = [socket.create_connection(address) for _ in range(2)]
        for holder in holders:
            holder.sendall(b"GET / HTTP/1.1\r\n")  # half a request each: both slots taken
        time.sleep(0.3)
        status, headers, _ = request(server, "/")
        assert status == 503 and headers["Retry-After"]
        for holder in holders:
            holder.close()
        deadline = time.monotonic() + 10
        while request(server, "/")[0] != 200:
            assert time.monotonic() < deadline
            time.sleep(0.1)


def reset_after(address: tuple[str, int], data: bytes) -> None:
    """Send ``data``, then drop the connection with a reset (SO_LINGER 0), as a client that
    gives up does."""
    connection = socket.create_connection(address)
    connection.sendall(data)
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def answered_after_the_last_one_ended(server) -> int:
    """The status of a plain request once the single slot is free again (so the connection
    before it has been handled to the end, errors and all)."""
    deadline = time.monotonic() + 10
    while (status := request(server, "/")[0]) == 503:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return status


def first_answer_once_the_slot_is_free(address: tuple[str, int], data: bytes) -> bytes:
    """The start of the server's answer to ``data``, sent again while the single slot is
    still taken (503): the request before may have been answered before its handler ended."""
    deadline = time.monotonic() + 10
    while True:
        with socket.create_connection(address) as connection:
            connection.sendall(data)
            answer = connection.recv(4096)
        if not answer.startswith(b"HTTP/1.0 503 "):
            return answer
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_clients_that_go_away_or_send_too_many_headers_leave_no_traceback(tmp_path, capfd):
    (tmp_path / "index.html").write_text("<p>index</p>", encoding="utf-8")
    too_many_headers = (
        b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % n for n in range(101)) + b"\r\n"
    )
    with serving(tmp_path, max_connections=1) as server:
        address = server.server_address[:2]
        for data in (b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", too_many_headers):
            for _ in range(3):
                reset_after(address, data)
                assert answered_after_the_last_one_ended(server) == 200
        assert first_answer_once_the_slot_is_free(address, too_many_headers).startswith(
            b"HTTP/1.0 431 "
        )
        assert answered_after_the_last_one_ended(server) == 200
    stderr = capfd.readouterr().err
    assert "Traceback" not in stderr
    assert "Exception occurred" not in stderr


def test_a_requests_log_line_gives_its_time_in_bangkok_with_the_offset_from_utc(tmp_path):
    """As the feeds write their dates and the daemon logs its times, whatever the machine's
    zone: its clock alone names no instant."""
    (tmp_path / "feed.atom").write_bytes(b"<feed/>")
    config = tmp_path / "settings.toml"  # a public site_url: no note of its port on stderr
    config.write_text('[digest]\nsite_url = "https://news.example.org/"\n')
    command = "from digest.commands import serve_command; serve_command()"
    arguments = [sys.executable, "-c", command, "--out", str(tmp_path), "--port", "0"]
    arguments += ["--config", str(config)]
    new_york = {**os.environ, "TZ": "America/New_York"}  # the machine's zone, for this server
    with subprocess.Popen(
        arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=new_york
    ) as server:
        try:
            url = server.stdout.readline().split(" at ")[-1].strip()
            before = datetime.now(UTC).replace(microsecond=0)
            with urllib.request.urlopen(url + "feed.atom", timeout=10) as answer:
                assert answer.read() == b"<feed/>"
            after = datetime.now(UTC)
        finally:
            server.terminate()
        _, log = server.communicate(timeout=30)
    (line,) = log.splitlines()
    logged = re.fullmatch(r'127\.0\.0\.1 - - \[(.*)\] "GET /feed\.atom HTTP/1\.1" 200 -', line)
    assert logged, line
    when = datetime.fromisoformat(logged[1])
    assert when.utcoffset() == timedelta(hours=7)
    assert before <= when <= after


def test_a_server_stopped_by_sigterm_says_it_stopped_and_exits_0(tmp_path):
    command = "from digest.commands import serve_command; serve_command()"
    arguments = [sys.executable, "-c", command, "--out", str(tmp_path), "--port", "0"]
    with subprocess.Popen(arguments, stdout=subprocess.PIPE, text=True, cwd=tmp_path) as server:
        try:
            assert server.stdout.readline().startswith(f"Serving {tmp_path} at ")
        finally:
            server.terminate()
        output, _ = server.communicate(timeout=30)
    assert (output, server.returncode) == ("Stopped.\n", 0)


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick for port 0, let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def atom_feed(site_url: str) -> str:
    """An Atom feed as a digest build writes it with ``digest.site_url`` set to ``site_url``:
    its links to itself and to the site."""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="th">\n'
        "  <id>urn:uuid:08ea647c-2ce8-555c-ab99-93eb48edcc22</id>\n"
        "  <title>thaidigest</title>\n"
        f'  <link href="{site_url}feed.atom" rel="self"/>\n'
        f'  <link href="{site_url}" rel="alternate"/>\n'
        "</feed>\n"
    )


def serve_lines(tmp_path, site_url: str, port: int) -> tuple[list[str], int]:
    """What ``thaidigest serve --port PORT`` prints up to its ``Serving`` line, stderr and
    stdout in the order written, serving a folder whose feeds were written with
    ``digest.site_url`` set to ``site_url``; and the port it serves on (port 0 resolved)."""
    out = tmp_path / "public"
    out.mkdir(exist_ok=True)
    (out / "index.html").write_text("<p>index</p>", encoding="utf-8")
    (out / "feed.atom").write_text(atom_feed(site_url), encoding="utf-8")
    return served_lines(out, port, tmp_path)


def served_lines(out, port: int, cwd, *options: str) -> tuple[list[str], int]:
    """What ``thaidigest serve --out OUT --port PORT OPTIONS``, run in the folder ``cwd``,
    prints up to its ``Serving`` line, stderr and stdout in the order written; and the port
    it serves on (port 0 resolved)."""
    command = "from digest.commands import serve_command; serve_command()"
    arguments = [sys.executable, "-c", command, "--out", str(out), "--port", str(port)]
    lines = []
    with subprocess.Popen(
        [*arguments, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cwd,
    ) as server:
        try:
            while not (lines and lines[-1].startswith("Serving ")):
                line = server.stdout.readline()
                assert line, lines  # it ended before serving
                lines.append(line.rstrip("\n"))
        finally:
            server.terminate()
        server.communicate(timeout=30)
    served = int(re.fullmatch(r"Serving .* at http://127\.0\.0\.1:(\d+)/", lines[-1])[1])
    return lines, served


def built_with(tmp_path, site_url: str) -> Path:
    """The folder ``thaidigest digest`` writes a week's digest and the feeds in, with
    ``digest.site_url`` set to ``site_url`` by the settings file it is given."""
    db, out = tmp_path / "db.sqlite", tmp_path / "site"
    Store(f"sqlite:///{db}").close()  # a database with nothing in it yet: digest needs one
    config = tmp_path / "built.toml"
    config.write_text(f'[digest]\nsite_url = "{site_url}"\n', encoding="utf-8")
    arguments = ["digest", "--db", str(db), "--config", str(config), "--out", str(out)]
    built = CliRunner().invoke(main, [*arguments, "--week", "2024-W42", "--judged-sites", "none"])
    assert built.exit_code == 0, built.output
    return out


def test_serve_notes_nothing_of_feeds_written_for_a_public_site_from_a_folder_without_settings(
    tmp_path,
):
    """The feeds name the public site_url they were built with: no link of theirs leads
    to this server, whose port is none of theirs. serve read digest.site_url from the
    settings where it ran instead (none: http://127.0.0.1:8000/), and said the feeds'
    links named it."""
    out = built_with(tmp_path, "https://digest.example.org/")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    lines, _served = served_lines(out, 0, elsewhere)
    assert len(lines) == 1, lines


def test_serve_notes_the_loopback_address_the_feeds_name_whatever_the_settings_where_it_runs(
    tmp_path,
):
    """Built with the default digest.site_url, this machine's port 8000; served with a
    settings file that names a public site: the feeds' links lead nowhere all the same."""
    out = built_with(tmp_path, "http://127.0.0.1:8000/")
    public = tmp_path / "public.toml"
    public.write_text('[digest]\nsite_url = "https://digest.example.org/"\n', encoding="utf-8")
    lines, served = served_lines(out, 0, tmp_path, "--config", str(public))
    assert lines[:-1] == [
        "Note: the feeds' links name http://127.0.0.1:8000/ (digest.site_url when they were "
        f"written), but this server is on port {served}, so they lead nowhere here: serve "
        "with --port 8000, or set [digest] site_url to this server's address and run "
        "`thaidigest digest` again"
    ]


@pytest.mark.parametrize("feed", [None, "", "<feed"], ids=["no feed", "an empty file", "not XML"])
def test_serve_notes_nothing_when_the_folders_feed_names_no_site(tmp_path, feed):
    """A folder without a feed.atom it can read (one of your own pages, a build cut short):
    no link is known, none is said to lead nowhere, whatever digest.site_url the settings
    where it runs name (this machine's port 8000 by default)."""
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("<p>index</p>", encoding="utf-8")
    if feed is not None:
        (out / "feed.atom").write_text(feed, encoding="utf-8")
    lines, served = served_lines(out, 0, tmp_path)
    assert served != 8000
    assert len(lines) == 1, lines


def test_serve_notes_a_loopback_site_url_on_another_port_before_its_serving_line(tmp_path):
    """The feeds' links name digest.site_url: on this machine at another port than the
    server's (port 0 picks one), they lead to a port nothing serves, which the operator
    is told on stderr before the server says where it serves."""
    lines, served = serve_lines(tmp_path, "http://127.0.0.1:8080/", 0)
    assert served != 8080
    assert lines[:-1] == [
        "Note: the feeds' links name http://127.0.0.1:8080/ (digest.site_url when they were "
        f"written), but this server is on port {served}, so they lead nowhere here: serve "
        "with --port 8080, or set [digest] site_url to this server's address and run "
        "`thaidigest digest` again"
    ]


@pytest.mark.parametrize(
    ("site_url", "noted"),
    [
        ("http://127.0.0.1:{port}/", False),
        ("http://localhost:{port}/", False),
        ("https://news.example.org/", False),  # a public site: a web server in front serves it
        ("http://news.example.org:8080/", False),
        ("http://localhost/", True),  # port 80
    ],
    ids=["loopback-same-port", "localhost-same-port", "public", "public-other-port", "port-80"],
)
def test_serve_notes_a_site_url_only_when_it_is_loopback_on_another_port(tmp_path, site_url, noted):
    port = free_port()
    lines, served = serve_lines(tmp_path, site_url.format(port=port), port)
    assert served == port
    assert len(lines) == (2 if noted else 1), lines


@pytest.mark.parametrize("site_url", ["https://localhost/", "https://127.0.0.1:8001/"])
def test_the_note_on_a_loopback_https_site_url_advises_no_port_serve_speaks_plain_http(site_url):
    """serve speaks plain HTTP only: no --port makes an https link reach it (it advised
    ``serve with --port 443``), on the port the link names too."""
    assert other_port_note(site_url, 8001) == (
        f"Note: the feeds' links name {site_url} (digest.site_url when they were written), "
        "but this server speaks plain HTTP only, on port 8001, so they lead nowhere here: "
        "set [digest] site_url to this server's address and run `thaidigest digest` again"
    )


def test_the_note_on_a_loopback_site_url_naming_port_0_advises_no_port():
    """Port 0 is a port written, not the scheme's default (it advised ``--port 80``), and
    ``serve --port 0`` picks a free port, not the one the links name: no port to advise."""
    assert other_port_note("http://127.0.0.1:0/", 8001) == (
        "Note: the feeds' links name http://127.0.0.1:0/ (digest.site_url when they were "
        "written), but this server is on port 8001, so they lead nowhere here: set [digest] "
        "site_url to this server's address and run `thaidigest digest` again"
    )


def test_the_note_on_a_loopback_http_site_url_advises_the_port_it_names():
    assert other_port_note("http://localhost/", 8001).endswith(
        "so they lead nowhere here: serve with --port 80, or set [digest] site_url to this "
        "server's address and run `thaidigest digest` again"
    )
    assert other_port_note("http://localhost:8001/", 8001) is None


def test_a_refused_request_is_one_line_on_stderr(site, capfd):
    """Its line gives its status: no line of the standard library's before it repeats it
    (``code 400, message Bad request syntax ('GARBAGE')``)."""
    for data in (b"GARBAGE\r\n\r\n", b"POST /feed.atom HTTP/1.1\r\nHost: x\r\n\r\n"):
        with socket.create_connection(site.server_address[:2]) as connection:
            connection.sendall(data)
            assert closed_within(connection, 10)  # answered: its line is written
    lines = capfd.readouterr().err.splitlines()
    assert [line.split("] ", 1)[-1] for line in lines] == [
        '"GARBAGE" 400 -',
        '"POST /feed.atom HTTP/1.1" 501 -',
    ]


def test_any_other_error_in_a_request_is_one_line_and_the_server_serves_on(tmp_path, capfd):
    (tmp_path / "index.html").write_text("<p>index</p>", encoding="utf-8")
    with serving(tmp_path) as server:
        with socket.socket() as connection:
            try:
                raise ValueError("a bug in a handler")
            except ValueError:
                server.handle_error(connection, ("192.0.2.7", 4711))
        assert request(server, "/")[0] == 200
    lines = [line for line in capfd.readouterr().err.splitlines() if "192.0.2.7" in line]
    assert lines == ["192.0.2.7:4711: ValueError: a bug in a handler"]


def test_the_server_header_is_the_name_alone(site):
    assert request(site, "/feed.rss")[1]["Server"] == "thaidigest"


REPLACER = """
import os, sys
folder, versions = sys.argv[1], [(b"old", 1_600_000_000), (b"new", 1_700_000_000)]
while True:
    for n, (body, when) in enumerate(versions):
        temporary = os.path.join(folder, f".race{n}")
        with open(temporary, "wb") as file:
            file.write(body)
        os.utime(temporary, (when, when))
        os.replace(temporary, os.path.join(folder, "race.rss"))
"""


def test_a_file_replaced_while_served_is_answered_with_its_own_date(site, tmp_path):
    dates = {
        b"old": formatdate(1_600_000_000, usegmt=True),
        b"new": formatdate(1_700_000_000, usegmt=True),
    }
    # Another process replaces the file over and over, as a digest build does, in parallel.
    replacer = subprocess.Popen([sys.executable, "-c", REPLACER, str(tmp_path / "public")])
    try:
        answers = [request(site, "/race.rss") for _ in range(1000)]
    finally:
        replacer.kill()
        replacer.wait()
    served = [
        (headers["Last-Modified"], dates[body])
        for status, headers, body in answers
        if status == 200
    ]
    mixed = [(sent, own) for sent, own in served if sent != own]
    assert served and mixed == []


def test_a_file_changed_in_the_second_of_the_answer_gets_no_date_to_revalidate_by(site, tmp_path):
    # Two versions written in one second share their modification time: a Last-Modified
    # given in that second could be sent back after the second version and answered 304
    # (RFC 9110 8.8.2.2). Such an answer carries the ETag alone.
    feed = tmp_path / "public" / "feed.rss"
    for attempt in range(20):
        feed.write_bytes(b"<rss>version %d</rss>" % attempt)
        written = formatdate(int(feed.stat().st_mtime), usegmt=True)
        status, headers, _ = request(site, "/feed.rss")
        if headers["Date"] == written:  # answered in the second the file was written
            break
    assert (headers["Date"], status) == (written, 200)
    assert "Last-Modified" not in headers and headers["ETag"]
    status, headers, _ = request(site, "/feed.rss", headers={"If-Modified-Since": written})
    assert status == 200  # a date of that second, however the client came by it


def test_an_if_modified_since_past_every_calendar_is_ignored(site, tmp_path):
    feed = tmp_path / "public" / "feed.rss"
    os.utime(feed, (time.time() - 3600, time.time() - 3600))
    since = "Mon, 01 Jan 99999999999 00:00:00 GMT"
    status, headers, body = request(site, "/feed.rss", headers={"If-Modified-Since": since})
    assert status == 200 and body == feed.read_bytes() and headers["Last-Modified"]


@pytest.fixture
def local_zone(monkeypatch):
    """Set the process's local time zone (POSIX TZ), as the server's machine has it."""

    def set_zone(zone):
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("zone", ["ICT-7", "EST+5"])
@pytest.mark.parametrize(
    "write",
    ["Fri Jan  3 {}:00:00 2020", "Fri, 03 Jan 2020 {}:00:00 -0000"],
    ids=["asctime", "-0000"],
)
def test_an_if_modified_since_without_a_zone_is_gmt_on_any_machine(
    site, tmp_path, local_zone, zone, write
):
    local_zone(zone)
    half_past_nine = datetime(2020, 1, 3, 9, 30, tzinfo=UTC).timestamp()  # a Friday, GMT
    os.utime(tmp_path / "public" / "feed.rss", (half_past_nine, half_past_nine))
    before, after = write.format("09"), write.format("10")
    assert request(site, "/feed.rss", headers={"If-Modified-Since": after})[0] == 304
    assert request(site, "/feed.rss", headers={"If-Modified-Since": before})[0] == 200


def test_an_if_modified_since_in_the_future_is_ignored(site, tmp_path):
    an_hour_ago = time.time() - 3600
    os.utime(tmp_path / "public" / "feed.rss", (an_hour_ago, an_hour_ago))
    tomorrow = formatdate(time.time() + 24 * 3600, usegmt=True)
    assert request(site, "/feed.rss", headers={"If-Modified-Since": tomorrow})[0] == 200


def test_a_burst_of_connections_is_queued_and_each_answered(tmp_path):
    (tmp_path / "index.html").write_text("<p>index</p>", encoding="utf-8")
    server = make_server(tmp_path, port=0)  # listening, not yet accepting
    burst = [socket.socket(server.address_family) for _ in range(30)]
    try:
        for client in burst:
            client.setblocking(False)
            client.connect_ex(server.server_address[:2])
        # On loopback the kernel completes a handshake at once when its queue has room.
        _, connected, _ = select.select([], burst, [], 0)
        assert len(connected) == len(burst)
        for client in burst:
            client.setblocking(True)
            client.settimeout(10)
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            answers = {client.makefile("rb").readline()[:12] for client in burst}
        finally:
            server.shutdown()
            thread.join()
        assert answers <= {b"HTTP/1.0 200", b"HTTP/1.0 503"}
    finally:
        for client in burst:
            client.close()
        server.server_close()


def test_hidden_files_are_not_served_through_a_link_with_a_plain_name(site, tmp_path):
    out = tmp_path / "public"
    (out / ".drafts").mkdir()
    (out / ".drafts" / "next.md").write_text("draft")
    (out / "visible.md").symlink_to(out / "digests" / ".hidden.md")
    (out / "drafts").symlink_to(out / ".drafts")
    for path in ("/visible.md", "/drafts/next.md"):
        status, _, body = request(site, path)
        assert (status, b"draft" in body) == (404, False), path


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/digests", "/digests/"),
        ("/digests?week=34", "/digests/?week=34"),
        ("///digests", "/digests/"),
    ],
)
def test_a_folder_named_without_its_slash_is_moved_to_the_slash_form(
    site, tmp_path, path, location
):
    (tmp_path / "public" / "digests" / "index.html").write_text("<!DOCTYPE html><title>W</title>")
    status, headers, _ = request(site, path)
    assert (status, headers["Location"]) == (301, location)


@pytest.mark.parametrize("path", ["/digests", "/digests/", "/digests?week=34"])
def test_a_folder_without_an_index_page_is_404_at_once_not_moved_to_a_404(site, path):
    status, headers, body = request(site, path)
    assert (status, "Location" in headers, body) == (404, False, b"404 Not Found\n")


@pytest.mark.parametrize("path", ["/outside", "/.git"])
def test_a_folder_outside_or_hidden_is_not_moved(site, path):
    assert request(site, path)[0] in (403, 404)
