"""The archive page in a real browser: headless Chromium renders it on a phone-sized window."""

import shutil
import struct
import subprocess

import pytest

from digest.publish import build_digest
from digest.select import Week
from tests.digest import article, ingest, mark, settings

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium(tmp_path, *arguments):
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.fixture
def index(store, tmp_path):
    raw = article(1, "ดีอี ร่วมประชุม APEC 2024", "เนื้อหาข่าว")
    ingest(store, [raw], "2024-08-20T03:00")
    mark(store, raw, topics=["apec"])
    out = tmp_path / "public"
    build_digest(store, out, Week(2024, 34), settings())
    return out / "index.html"


def test_browser_sees_every_feed_link_in_the_rendered_page(index, tmp_path):
    dom = chromium(tmp_path, "--dump-dom", index.as_uri()).stdout
    assert '<html lang="en">' in dom
    for href in ("feed.rss", "feed.atom", "digests.atom", "topics/apec.atom"):
        assert f'href="{href}"' in dom
    assert 'href="digests/2024-W34.html"' in dom


def test_page_renders_to_a_phone_sized_screenshot(index, tmp_path):
    shot = tmp_path / "index.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=412,900", index.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (412, 900)
    assert len(data) > 10_000  # a blank page of this size is about 3 kB
