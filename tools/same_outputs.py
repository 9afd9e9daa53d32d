"""Show that a change of code leaves every output byte-identical.

Runs the whole offline product (``thaidigest demo``: crawl the bundled fixture
site, import the seed articles, build the digests, feeds and archive) and
``thaidigest export`` twice: with the code of a git commit (default ``main``)
and with the working tree. It then compares every output file byte for byte
and prints the sha256 of each. Only the clock is masked: the export's
``first_seen`` and ``last_changed`` and the feeds' times of today, which say
when the run happened, not what it made. The export is sorted by URL, since two
sites crawled at once store their articles in no fixed order.

Both runs use this interpreter and its installed packages; the commit's code
is unpacked with ``git archive`` into a temporary folder and put first on
``sys.path``, so only the project's code differs.

Usage: ``python tools/same_outputs.py [--ref COMMIT] [--keep DIR]``; exit status 0
when every file is the same, 1 when one differs or is missing on one side.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLOCK_FIELDS = ("first_seen", "last_changed")  # when the run happened, not what it made
CODE_FOLDERS = ("thaidigest", "scraper", "digest", "schedules")
FEED_SUFFIXES = (".rss", ".atom", ".json")  # feeds: RSS, Atom, JSON Feed


def clock_times(today: datetime) -> re.Pattern[bytes]:
    """Times of ``today`` as feeds write them (RFC 822 and ISO 8601)."""
    rfc822 = today.strftime("%a, %d %b %Y")
    return re.compile(
        rf"{re.escape(rfc822)} \d\d:\d\d:\d\d [+-]\d{{4}}|"
        rf"{today:%Y-%m-%d}T\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)".encode()
    )


def unpack(ref: str, into: Path) -> Path:
    """The project's code at ``ref``, unpacked into ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", ref, *CODE_FOLDERS],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def run_product(code: Path, folder: Path) -> None:
    """The demo and the export, run with the project code found in ``code``."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    env.pop("THAIDIGEST_CONFIG", None)  # the user's settings, if any, are not the product's
    demo = [sys.executable, "-m", "thaidigest", "demo", "--dir", str(folder)]
    subprocess.run(demo, check=True, capture_output=True, cwd=code, env=env)
    database = folder / "thaidigest.sqlite"
    export = [sys.executable, "-m", "thaidigest", "export", "--db", str(database)]
    lines = subprocess.run(export, check=True, capture_output=True, text=True, cwd=code, env=env)
    records = sorted((json.loads(line) for line in lines.stdout.splitlines()), key=_url)
    for record in records:
        for field in CLOCK_FIELDS:
            record[field] = "(clock)"
    (folder / "export.jsonl").write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records),
        encoding="utf-8",
    )


def _url(record: dict) -> str:
    return record["url"]


def digests(folder: Path, clock: re.Pattern[bytes]) -> dict[str, str]:
    """The sha256 of every output file under ``folder`` but the database, by relative path."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith(("thaidigest.sqlite", "thaidigest.toml")):
            continue
        content = path.read_bytes()
        if path.suffix in FEED_SUFFIXES:
            content = clock.sub(b"(clock)", content)
        found[path.relative_to(folder).as_posix()] = hashlib.sha256(content).hexdigest()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", default="main", help="the commit to compare with [main]")
    parser.add_argument("--keep", type=Path, help="keep both runs' folders here")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = options.keep or Path(scratch)
        before, after = root / "before", root / "after"
        run_product(unpack(options.ref, Path(scratch) / "code"), before)
        run_product(REPO, after)
        clock = clock_times(datetime.now(UTC))
        old, new = digests(before, clock), digests(after, clock)
    differ = 0
    for name in sorted(old.keys() | new.keys()):
        same = old.get(name) == new.get(name)
        differ += not same
        shown = new.get(name) or "(missing)"
        print(f"{'same' if same else 'DIFFERS'}  {shown[:16]}  {name}")
    print(f"{len(old.keys() | new.keys())} files, {differ} differ from {options.ref}")
    return 1 if differ or not old else 0


if __name__ == "__main__":
    sys.exit(main())
