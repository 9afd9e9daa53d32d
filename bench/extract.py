"""Compare the per-site parsers with trafilatura on the fixture site's article pages.

Usage: ``python bench/extract.py [SITE_DIR] [--repeat N]`` (default ``seeds/site``).

For every article page listed in the site's ``manifest.json`` it times
``scraper.sites.<site>.parse_article(html, url)`` and ``trafilatura.extract(html)``
on the same HTML (``--repeat`` passes over all pages, best pass kept), and scores the
body text each returns against the manifest ``text`` with a token F1: PyThaiNLP
``newmm`` tokens, whitespace tokens dropped, as a bag-of-tokens overlap.

The manifest text is compared as is. It still holds the thaigov date line and the
repeated headline, which our parsers keep too (normalisation removes them later);
trafilatura drops some of them, so its F1 pays a little for that. Target: parsers at
least 5x trafilatura's speed with at least its F1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura
from pythainlp.tokenize import word_tokenize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.sites import mdes, thaigov  # noqa: E402

DEFAULT_SITE = ROOT / "seeds" / "site"
BASE_URL = "http://fixture.invalid"
PLACEHOLDER = "{{BASE}}"
PARSERS = {"thaigov": thaigov.parse_article, "mdes": mdes.parse_article}
TARGET_SPEEDUP = 5.0


def tokens(text: str) -> Counter[str]:
    """The bag of non-whitespace newmm tokens of ``text``."""
    return Counter(t for t in word_tokenize(text, engine="newmm") if t.strip())


def token_f1(predicted: str, expected: str) -> float:
    """Bag-of-tokens F1 of ``predicted`` against ``expected`` (0.0 when either is empty)."""
    got, want = tokens(predicted), tokens(expected)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def load_pages(site_dir: Path) -> list[tuple[str, str, str, str]]:
    """``(site, url, html, expected_text)`` for every article page of the manifest."""
    manifest = json.loads((site_dir / "manifest.json").read_text(encoding="utf-8"))
    pages = []
    for entry in manifest["pages"]:
        if entry["kind"] != "article":
            continue
        html = (site_dir / entry["file"]).read_text(encoding="utf-8")
        html = html.replace(PLACEHOLDER, BASE_URL)
        pages.append((entry["site"], BASE_URL + entry["path"], html, entry["text"]))
    return pages


def ours(site: str, html: str, url: str) -> str:
    """Body text from the project's parser for ``site``."""
    article = PARSERS[site](html, url)
    return article.body if article else ""


def theirs(site: str, html: str, url: str) -> str:
    """Body text from trafilatura with its defaults."""
    return trafilatura.extract(html) or ""


def measure(
    extract: Callable[[str, str, str], str], pages: list[tuple[str, str, str, str]], repeat: int
) -> tuple[float, list[float]]:
    """Pages per second (best of ``repeat`` passes) and the F1 of each page."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for site, url, html, _ in pages:
            extract(site, html, url)
        best = min(best, time.perf_counter() - start)
    scores = [token_f1(extract(site, html, url), text) for site, url, html, text in pages]
    return len(pages) / best, scores


def main(argv: list[str] | None = None) -> int:
    """Print speed and F1 for both extractors; exit 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site_dir", nargs="?", type=Path, default=DEFAULT_SITE)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    pages = load_pages(args.site_dir)
    print(f"{len(pages)} article pages from {args.site_dir}, best of {args.repeat} passes\n")
    results = {
        "parsers": measure(ours, pages, args.repeat),
        "trafilatura": measure(theirs, pages, args.repeat),
    }
    print(f"{'extractor':<12} {'pages/s':>9} {'mean F1':>8} {'min F1':>7}")
    for name, (speed, scores) in results.items():
        print(f"{name:<12} {speed:>9.1f} {statistics.mean(scores):>8.3f} {min(scores):>7.3f}")
    (our_speed, our_scores), (their_speed, their_scores) = results.values()
    speedup = our_speed / their_speed
    f1_gain = statistics.mean(our_scores) - statistics.mean(their_scores)
    print(f"\nspeed ratio parsers/trafilatura: {speedup:.1f}x (target >= {TARGET_SPEEDUP:.0f}x)")
    print(f"mean F1 difference parsers - trafilatura: {f1_gain:+.3f} (target >= 0)")
    return 0 if speedup >= TARGET_SPEEDUP and f1_gain >= 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
