"""Security: the spiders stay on their host, ``serve`` stays in its folder, secrets stay secret."""

from __future__ import annotations

import http.client
import re
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from scraper.fixture_site import FixtureSite
from tests.reliability.test_crash_safety import (
    ENV,
    crawl_command,
    expected_urls,
    run,
    stored_articles,
    thaidigest,
    write_crawl_config,
)
from tests.scraper.crawling import copy_site
from thaidigest.urls import public_url

SECRET = "s3cr3t-value"
SECRET_ENV = {**ENV, "THAIDIGEST_SMTP_PASSWORD": SECRET}


# --- The spiders never leave the --base-url host -----------------------------------------


def offsite_copy(tmp_path: Path, elsewhere: str, *, article: bool, next_page: bool) -> Path:
    """The fixture site with an off-site article link and/or an off-site "next page" link."""
    root = copy_site(tmp_path)
    if article:
        listing = root / "news" / "3.html"
        html = listing.read_text(encoding="utf-8")
        edited = html.replace("{{BASE}}/news/detail/11010-", f"{elsewhere}/news/detail/11010-", 1)
        assert edited != html
        listing.write_text(edited, encoding="utf-8")
    if next_page:
        listing = root / "news" / "7.html"
        html = listing.read_text(encoding="utf-8")
        edited = re.sub(
            r'href="\{\{BASE\}\}(/news/7/page/2)">&raquo;', rf'href="{elsewhere}\1">&raquo;', html
        )
        assert edited != html
        listing.write_text(edited, encoding="utf-8")
    return root


def crawl_mdes_beside(tmp_path: Path, host: str, **links: bool) -> tuple[list, set[str]]:
    """Crawl MDES from an edited copy; the requests the other server got, the stored URLs."""
    config = write_crawl_config(tmp_path, delay=0)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as elsewhere:
        root = offsite_copy(tmp_path, f"http://{host}:{elsewhere.port}", **links)
        with FixtureSite(root) as site:
            result = run(crawl_command(site, db, config, "mdes"))
            fetched = len(site.requests)
        strays = list(elsewhere.requests)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    if not strays:
        assert f"{fetched} requests" in result.stdout  # every request went to the site
    return strays, set(stored_articles(db))


HOSTS = pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1"], ids=["other-host", "other-port"]
)


@HOSTS
def test_off_site_article_link_on_a_listing_is_never_requested(host, tmp_path):
    strays, stored = crawl_mdes_beside(tmp_path, host, article=True, next_page=False)
    assert strays == []
    assert stored == expected_urls("mdes") - {public_url("mdes", "11010")}


@HOSTS
def test_off_site_next_page_link_is_never_requested(host, tmp_path):
    strays, stored = crawl_mdes_beside(tmp_path, host, article=False, next_page=True)
    assert strays == []
    assert stored == expected_urls("mdes") - {public_url("mdes", i) for i in ("11006", "11004")}


# --- thaidigest serve ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """``thaidigest serve`` on a folder with a secret next to it and symlinks out of it."""
    pytest.importorskip("digest.serve")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    folder = tmp_path / "public"
    (folder / "digests").mkdir(parents=True)
    (folder / "index.html").write_text("<p>index</p>", encoding="utf-8")
    (folder / "digests" / "2024-W34.md").write_text("# digest", encoding="utf-8")
    (folder / "link-to-file.txt").symlink_to(outside / "secret.txt")
    (folder / "link-to-folder").symlink_to(outside)
    port = free_port()
    process = subprocess.Popen(
        thaidigest("serve", "--out", str(folder), "--port", str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**ENV, "PYTHONUNBUFFERED": "1"},
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stderr.read()) from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.communicate(timeout=30)


def get(port: int, path: str, host: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_serve_binds_to_loopback_by_default(served):
    status, _, _ = get(served, "/")
    assert status == 200
    addresses = {
        info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    } - {"127.0.0.1", "127.0.1.1"}
    for address in addresses:  # the machine's other addresses get no answer
        with pytest.raises(OSError):
            socket.create_connection((address, served), timeout=1).close()


def test_serve_default_host_is_loopback():
    serve = pytest.importorskip("digest.serve")
    assert serve.SERVE_HOST == "127.0.0.1"


ESCAPES = [
    "/../secret.txt",
    "/../outside/secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/digests/../../secret.txt",
    "/digests/%2e%2e/%2e%2e/secret.txt",
    "/..%5csecret.txt",
    "/%5c..%5csecret.txt",
    "/secret.txt%00.md",
    "//secret.txt",
    "/link-to-file.txt",
    "/link-to-folder/secret.txt",
    "/link-to-folder/",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_serve_refuses_paths_and_symlinks_out_of_its_folder(served, path):
    status, headers, body = get(served, path)
    assert status in (400, 403, 404)
    assert SECRET.encode() not in body
    assert headers.get("X-Content-Type-Options") == "nosniff"


def test_serve_sends_nosniff_and_the_right_type(served):
    status, headers, body = get(served, "/digests/2024-W34.md")
    assert status == 200 and body == b"# digest"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Type"].startswith("text/markdown")


# --- The SMTP password never shows ----------------------------------------------------------


def test_smtp_password_appears_in_no_output_report_or_database(tmp_path):
    pytest.importorskip("digest.publish")
    closed_port = free_port()  # nothing listens: the mail attempt fails
    config = write_crawl_config(tmp_path, delay=0)
    config.write_text(
        config.read_text(encoding="utf-8")
        + f"""
[email]
host = "127.0.0.1"
port = {closed_port}
starttls = false
username = "digest"
sender = "digest@example.invalid"
recipients = ["reader@example.invalid"]
""",
        encoding="utf-8",
    )
    db = tmp_path / "db.sqlite"
    out = tmp_path / "public"
    outputs = []
    with FixtureSite() as site:
        for source in ("thaigov", "mdes"):
            args = crawl_command(site, db, config, source)
            outputs.append(
                subprocess.run(args, capture_output=True, text=True, timeout=120, env=SECRET_ENV)
            )
    digest = subprocess.run(
        thaidigest(
            "digest",
            "--week",
            "2024-W34",
            "--out",
            str(out),
            "--db",
            str(db),
            "--config",
            str(config),
            "--email",
        ),
        capture_output=True,
        text=True,
        timeout=120,
        env=SECRET_ENV,
    )
    outputs.append(digest)
    assert [r.returncode for r in outputs[:2]] == [0, 0]
    assert digest.returncode != 0  # the mail could not go out, and it says so
    assert "Traceback" not in digest.stderr
    for result in outputs:
        assert SECRET not in result.stdout + result.stderr
    with sqlite3.connect(db) as conn:
        reports = [report for (report,) in conn.execute("SELECT report FROM crawl_runs")]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert len(reports) == 2 and not any(SECRET in report for report in reports)
    for path in [db, *tmp_path.glob("db.sqlite*"), *out.rglob("*")]:
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
