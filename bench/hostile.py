"""Hostile inputs at full size: what they cost in time and memory.

    .venv/bin/python bench/hostile.py [--bomb-gib 2] [--blank-lines 1000000000]
                                      [--line-chars 1800000]
                                      [--rules-terms 800,2000,20000] [--rules-run 2000]

Every input is made in a temporary folder; nothing needs the corpus.

- ``bomb``: ``--bomb-gib`` GiB of zero bytes, xz-compressed (one line, a few
  hundred kB on disk), imported with ``thaidigest import``: its exit status,
  wall time and peak RSS (target: an error, under 300 MB).
- ``blank``: ``--blank-lines`` empty lines, xz-compressed, imported the same
  way (target: an error, not a success, in bounded memory).
- ``digest``: a store holding one relevant article whose body is one Thai
  line of ``--line-chars`` characters without a space, then ``build_digest``
  of its week, timed in this process (target: under 2 s): once with the
  one-time load of PyThaiNLP's word list, once more without it; then
  ``thaidigest digest`` of the same week, start-up included.
- ``listing``: an MDES listing page of ``--listing-links`` article links in one
  flat list, each after its date (about 4.3 MiB for 40,000: near the crawl's
  5 MiB page limit), parsed as the spider parses it (target: linear time).
- ``nested``: an MDES article page whose headline and ``--paragraphs``
  paragraphs sit inside ``--nested-columns`` nested body columns, parsed the same
  way (target: a bounded number of passes over the page, however deep).
- ``terms``: a user's rules file of ``--rules-terms`` nested repeated terms (``ก``,
  ``กก``, ``กกก``, ...; ``ab``, ``abab``, ...), in runs of at most ``--rules-run``
  (each run repeats another unit): the file's size, the seconds to load it in this
  process (read, parse, compile), to score one article with it (which builds the
  automata), and ``thaidigest explain`` of a stored article with it, start-up
  included (target: time growing with the file's size, not faster).
"""

from __future__ import annotations

import argparse
import lzma
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

# Run as a script, this file would shadow the ``digest`` package it measures:
# import from the project folder instead of this one.
ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

from sqlalchemy import update  # noqa: E402

from digest.markdown import lede  # noqa: E402
from digest.publish import build_digest  # noqa: E402
from digest.select import Week  # noqa: E402
from scraper.sites import mdes  # noqa: E402
from thaidigest.config import DEFAULTS  # noqa: E402
from thaidigest.model import RawArticle  # noqa: E402
from thaidigest.pipeline import build_ingestor  # noqa: E402
from thaidigest.relevance import load_rules, rules_from_text, score  # noqa: E402
from thaidigest.sites import THAIGOV_BASE_URL, article_path  # noqa: E402
from thaidigest.store import Store, articles  # noqa: E402

MIB = 1 << 20
SEED = ROOT / "seeds" / "001_07bca1ed2d9c3551.txt"
PUBLISHED = date(2024, 8, 21)


def compressed(path: Path, block: bytes, blocks: int) -> Path:
    """``blocks`` copies of ``block``, xz-compressed (preset 0) into ``path``."""
    compressor = lzma.LZMACompressor(preset=0)
    with path.open("wb") as handle:
        for _ in range(blocks):
            handle.write(compressor.compress(block))
        handle.write(compressor.flush())
    return path


def measured_import(path: Path, db: Path) -> tuple[int, float, int, str]:
    """Exit status, wall seconds, peak RSS in kB and the last output lines of an import."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "thaidigest", "import", str(path), "--db", str(db)],
            stdout=out,
            stderr=err,
            text=True,
        )
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        said = (err.read().strip().splitlines() or [""])[-1:] + out.read().strip().splitlines()
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss, " | ".join(said)


def thai_line(chars: int) -> str:
    """One Thai line of ``chars`` characters and no space: a seed's words run together."""
    words = "".join(SEED.read_text(encoding="utf-8").split()[1:])
    return (words * (chars // len(words) + 1))[:chars]


def digest_seconds(folder: Path, chars: int) -> tuple[float, float, float, int]:
    """Seconds to build the digest of a week holding a ``chars``-character Thai line: the first
    time (which loads PyThaiNLP's dictionary), again, and by ``thaidigest digest`` (a fresh
    process, start-up included); the lede's size."""
    store = Store(f"sqlite:///{folder / 'line.sqlite'}")
    body = thai_line(chars)
    raw = RawArticle(
        url=THAIGOV_BASE_URL + article_path("thaigov", 1),
        source="thaigov",
        title="ข่าวความร่วมมือด้านเศรษฐกิจดิจิทัล",
        body=body,
        source_id="1",
        published_hint=PUBLISHED,
    )
    build_ingestor(store).ingest([raw])
    with store.transaction() as conn:
        conn.execute(update(articles).values(relevant=True, relevance=0.9, topics='["mou"]'))
    week = Week.of(PUBLISHED)
    times = []
    for out in ("first", "again"):
        started = time.perf_counter()
        build_digest(store, folder / out, week, DEFAULTS)
        times.append(time.perf_counter() - started)
    store.close()
    started = time.perf_counter()
    command = ["digest", "--week", str(week), "--db", str(folder / "line.sqlite")]
    subprocess.run(
        [sys.executable, "-m", "thaidigest", *command, "--out", str(folder / "command")],
        check=True,
        capture_output=True,
    )
    times.append(time.perf_counter() - started)
    return times[0], times[1], times[2], len(lede(body, "th"))


def listing_seconds(links: int) -> tuple[float, int, int]:
    """Seconds to parse a flat MDES listing of ``links`` links, its size, entries found."""
    items = "".join(
        f'<div class="date-news">01/01/2567</div>'
        f'<h5 class="card-title-news"><a href="/news/detail/{n}-x">ข่าวที่ {n}</a></h5>'
        for n in range(links)
    )
    html = f"<html><body><div>{items}</div></body></html>"
    started = time.perf_counter()
    page = mdes.parse_listing(html, "https://www.mdes.go.th/news/3")
    return time.perf_counter() - started, len(html.encode()), len(page.entries)


def nested_seconds(depth: int, paragraphs: int) -> tuple[float, int, str]:
    """Seconds to parse an MDES article inside ``depth`` nested columns, its size, extraction."""
    inner = '<h1 class="title-page">ดีอี หารือความร่วมมือด้านดิจิทัลกับญี่ปุ่น</h1>' + "".join(
        f"<div>ย่อหน้าที่ {n} " + "ข้อความของข่าว" * 10 + "</div>" for n in range(paragraphs)
    )
    opening, closing = '<div class="col-12">' * depth, "</div>" * depth
    html = f"<html><body>{opening}{inner}{closing}</body></html>"
    started = time.perf_counter()
    article = mdes.parse_article(html, "https://www.mdes.go.th/news/detail/1")
    extraction = article.extraction if article else "none"
    return time.perf_counter() - started, len(html.encode()), extraction


def nested_terms(count: int, run: int, thai: bool) -> list[str]:
    """``count`` terms in runs of ``run``, each term of a run a repetition of its shorter
    ones: ``ก``, ``กก``, ... then ``ข``, ``ขข``, ... (Thai), or ``ab``, ``abab``, ... then
    ``ac``, ``acac``, ... (English)."""
    units = [chr(0x0E01 + n) for n in range(46)] if thai else [f"a{chr(98 + n)}" for n in range(25)]
    if count > run * len(units):
        raise SystemExit(f"--rules-run {run:,}: too short for {count:,} terms")
    return [units[n // run] * (n % run + 1) for n in range(count)]


def stored_article(folder: Path) -> tuple[Path, str]:
    """A store in ``folder`` holding a seed article, and the article's URL."""
    db, url = folder / "terms.sqlite", THAIGOV_BASE_URL + article_path("thaigov", 2)
    store = Store(f"sqlite:///{db}")
    title, body = SEED.read_text(encoding="utf-8").split("\n", 1)
    raw = RawArticle(url=url, source="thaigov", title=title, body=body, source_id="2")
    build_ingestor(store).ingest([raw])
    store.close()
    return db, url


def rules_seconds(
    folder: Path, terms: list[str], thai: bool, article: tuple[Path, str]
) -> tuple[int, float, float, float]:
    """The size of a rules file of ``terms`` as ``always`` terms; seconds to load it in this
    process, to score an article with it (building the automata), and to run
    ``thaidigest explain`` of the stored ``article`` (its store, its URL) with it, start-up
    included."""
    field = "th" if thai else "en"
    quoted = ", ".join(f'"{term}"' for term in terms)
    path = folder / f"rules-{field}-{len(terms)}.toml"
    path.write_text(f'[groups.mine]\nrole = "always"\n{field} = [{quoted}]\n', encoding="utf-8")
    rules_from_text.cache_clear()
    started = time.perf_counter()
    rules = load_rules(path)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    score(f"ข่าว {terms[0] * 5}", thai_line(3_000), rules)
    scored = time.perf_counter() - started
    config = folder / f"settings-{field}-{len(terms)}.toml"
    config.write_text(f"[relevance]\nrules = '{path}'\n", encoding="utf-8")
    db, url = article
    command = ["explain", url, "--db", str(db), "--config", str(config)]
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "thaidigest", *command], check=True, capture_output=True)
    return path.stat().st_size, loaded, scored, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--bomb-gib", type=float, default=2.0)
    parser.add_argument("--blank-lines", type=int, default=1_000_000_000)
    parser.add_argument("--line-chars", type=int, default=1_800_000)
    parser.add_argument("--listing-links", type=int, default=40_000)
    parser.add_argument("--nested-columns", type=int, default=200)
    parser.add_argument("--paragraphs", type=int, default=10_000)
    parser.add_argument("--rules-terms", default="800,2000,20000")
    parser.add_argument("--rules-run", type=int, default=2_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)

        bomb = compressed(folder / "bomb.jsonl.xz", bytes(MIB), int(options.bomb_gib * 1024))
        status, seconds, peak, said = measured_import(bomb, folder / "bomb.sqlite")
        print(
            f"bomb: {options.bomb_gib:g} GiB of zeros ({bomb.stat().st_size:,} bytes xz): "
            f"exit {status} in {seconds:.1f} s, peak RSS {peak / 1024:.0f} MiB; {said}"
        )

        blocks, rest = divmod(options.blank_lines, MIB)
        blank = compressed(folder / "blank.jsonl.xz", b"\n" * MIB, blocks)
        if rest:  # the last partial block, appended as a second xz stream
            with blank.open("ab") as handle:
                handle.write(lzma.compress(b"\n" * rest, preset=0))
        status, seconds, peak, said = measured_import(blank, folder / "blank.sqlite")
        print(
            f"blank: {options.blank_lines:,} empty lines ({blank.stat().st_size:,} bytes xz): "
            f"exit {status} in {seconds:.1f} s, peak RSS {peak / 1024:.0f} MiB; {said}"
        )

        first, again, command, size = digest_seconds(folder, options.line_chars)
        print(
            f"digest: one Thai line of {options.line_chars:,} characters: built in {first:.2f} s "
            f"(with loading PyThaiNLP's dictionary), {again:.2f} s again, {command:.2f} s by "
            f"`thaidigest digest` (start-up included); lede {size} characters"
        )

        article = stored_article(folder)
        for count in map(int, options.rules_terms.split(",")):
            for thai in (True, False):
                terms = nested_terms(count, options.rules_run, thai)
                size, loaded, scored, command = rules_seconds(folder, terms, thai, article)
                print(
                    f"terms: {count:,} nested {'Thai' if thai else 'English'} terms "
                    f"({terms[0]}, {terms[1]}, ...; runs of up to {options.rules_run:,}; "
                    f"{size / MIB:.1f} MiB): loaded in {loaded:.2f} s, an article scored in "
                    f"{scored:.2f} s, `thaidigest explain` {command:.2f} s (start-up included)"
                )

    seconds, size, entries = listing_seconds(options.listing_links)
    print(
        f"listing: {options.listing_links:,} links in one flat list ({size / MIB:.1f} MiB): "
        f"parsed in {seconds:.2f} s, {entries:,} entries"
    )
    seconds, size, extraction = nested_seconds(options.nested_columns, options.paragraphs)
    print(
        f"nested: {options.paragraphs:,} paragraphs in {options.nested_columns} nested columns "
        f"({size / MIB:.1f} MiB): parsed in {seconds:.2f} s ({extraction})"
    )


if __name__ == "__main__":
    main()
