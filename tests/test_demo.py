"""`thaidigest demo`, end to end, as a new user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Digital cooperation stories of the fixture site that the former rules missed.
DEMO_STORIES = ("Seagate", "UNESCAP", "TCT")


def test_the_demo_writes_the_feeds_and_keeps_the_cooperation_stories(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    run = [sys.executable, "-m", "thaidigest", "demo", "--dir", str(folder)]
    subprocess.run(run, check=True, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert (folder / "public" / "feed.rss").stat().st_size > 0
    assert (folder / "public" / "feed.atom").stat().st_size > 0
    database = folder / "thaidigest.sqlite"
    export = [sys.executable, "-m", "thaidigest", "export", "--db", str(database)]
    lines = subprocess.run(export, check=True, capture_output=True, text=True).stdout
    records = [json.loads(line) for line in lines.splitlines()]
    for story in DEMO_STORIES:
        found = [r for r in records if story in r["title"]]
        assert found, story
        assert all(r["relevant"] and r["relevance"] >= 0.5 for r in found), story
