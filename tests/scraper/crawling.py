"""Helpers for tests that run ``thaidigest crawl`` or ``scrapy crawl`` in a subprocess
against the fixture site."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from itertools import pairwise
from pathlib import Path

from scraper.fixture_site import DEFAULT_ROOT
from thaidigest.store import WAIT_FILE_SUFFIX

PROJECT = Path(__file__).resolve().parents[2]  # where scrapy.cfg is

# No politeness delay against loopback; tiny back-off so retries are quick.
FAST_CONFIG = """
[crawl]
backoff_base = 0.05
timeout = 5
[sites.thaigov]
delay = 0
[sites.mdes]
delay = 0
categories = [3, 7]
"""
FIRST_THAIGOV_ID = 87360


def manifest(root: Path = DEFAULT_ROOT) -> dict:
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))


def copy_site(tmp_path: Path) -> Path:
    """A copy of the fixture site that a test may edit."""
    return Path(shutil.copytree(DEFAULT_ROOT, tmp_path / "site"))


def write_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "thaidigest.toml"
    path.write_text(FAST_CONFIG + extra, encoding="utf-8")
    return path


def add_crawl_setting(config: Path, line: str) -> Path:
    """``config`` with ``line`` (``key = value``) added to its ``[crawl]`` table."""
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[crawl]\n", f"[crawl]\n{line}\n", 1), encoding="utf-8")
    return config


def run_thaidigest(
    *args: str, timeout: float = 120, warnings: str | None = "ignore", tz: str | None = None
) -> subprocess.CompletedProcess:
    """``thaidigest ARGS`` in a fresh process (Twisted's reactor does not restart);
    ``warnings``: its ``PYTHONWARNINGS``, None for Python's own filters, as a user runs it;
    ``tz``: the machine's time zone it runs in (``TZ``), else this one's."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONWARNINGS"}
    if warnings is not None:
        env["PYTHONWARNINGS"] = warnings
    if tz is not None:
        env["TZ"] = tz
    return subprocess.run(
        [sys.executable, "-m", "thaidigest", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


# robots.txt not found (everything allowed), on a connection the crawler may not keep.
NO_ROBOTS_ANSWER = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@contextmanager
def refusing_after_robots_txt() -> Iterator[str]:
    """The base URL of a loopback port that answers one request, robots.txt's, with 404
    (no robots.txt: every page allowed), then refuses every connection: each page of a
    crawl fails with a real ``connection refused``."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer_once() -> None:
        connection, _ = listener.accept()
        listener.close()  # from now on the port refuses
        with connection, suppress(OSError):  # a crawler gone before its answer: no one to tell
            request = b""
            while b"\r\n\r\n" not in request and (chunk := connection.recv(4096)):
                request += chunk
            connection.sendall(NO_ROBOTS_ANSWER)

    thread = threading.Thread(target=answer_once, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        if thread.is_alive():  # nothing connected: end the wait
            socket.create_connection(("127.0.0.1", port)).close()
        thread.join(timeout=5)


def crawl_args(base_url: str, db: Path, config: Path, *extra: str) -> list[str]:
    """The arguments of ``thaidigest crawl`` against the fixture site at ``base_url``
    (thaigov from the fixture's first id: an mdes crawl takes no start id)."""
    mdes_only = ("--source", "mdes") in pairwise(extra)
    start = [] if mdes_only else ["--start-id", str(FIRST_THAIGOV_ID)]
    return [
        "crawl",
        "--base-url",
        base_url,
        *start,
        "--db",
        str(db),
        "--config",
        str(config),
        *extra,
    ]


def crawl(base_url: str, db: Path, config: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_thaidigest(*crawl_args(base_url, db, config, *extra))


def scrapy_args(source: str, base_url: str) -> list[str]:
    return [sys.executable, "-m", "scrapy.cmdline", "crawl", source, "-a", f"base_url={base_url}"]


def setting_args(settings: dict[str, str] | None) -> list[str]:
    """``-s NAME=VALUE`` for each of the Scrapy ``settings`` whose value is not empty."""
    return [
        arg
        for name, value in (settings or {}).items()
        if value
        for arg in ("-s", f"{name}={value}")
    ]


def environment(db: Path, config: Path) -> dict[str, str]:
    return {
        **os.environ,
        "THAIDIGEST_DB": str(db),
        "THAIDIGEST_CONFIG": str(config),
        "PYTHONWARNINGS": "ignore",
    }


def scrapy_crawl(
    source: str, base_url: str, db: Path, config: Path, settings: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """``scrapy crawl SOURCE`` against ``base_url`` in the project's folder, run to its end,
    with the Scrapy ``settings`` given (``-s``), each one not empty."""
    return subprocess.run(
        [*scrapy_args(source, base_url), *setting_args(settings)],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(db, config),
        cwd=PROJECT,
    )


def someone_waits_for_the_write_lock(db: Path) -> bool:
    """Whether a process holds the database's ``-wait`` file: it waits for the write lock."""
    wait_file = db.with_name(db.name + WAIT_FILE_SUFFIX)
    if not wait_file.exists():
        return False
    fd = os.open(wait_file, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
