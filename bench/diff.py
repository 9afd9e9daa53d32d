"""Time and check what-changed diffs on real articles with a known edit.

    .venv/bin/python bench/diff.py /path/to/thaigov.jsonl.xz [--limit 300]

For each of the first ``limit`` articles of the corpus that hold a number
(read in file order: nothing chosen), a second version is made with two
edits a reader must see: the first number of the body raised by one
(``5,000`` -> ``5,001``), and a sentence added to the end of its middle
paragraph. :func:`digest.diff.diff_versions` compares the two (after one
warm-up diff that loads PyThaiNLP's models). Prints the time per diff
(median, 95th percentile, max), how often the number change is reported as
``old → new``, how often the added sentence is reported as added, and how
often a sentence that did not change is listed too (noise). Last, the time of
one enormous edit: the first article's paragraphs repeated up to
``--enormous-chars`` characters (default 2,000,000, half the import limit),
each paragraph numbered, every number raised by one in the second version.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from itertools import cycle
from pathlib import Path

# Run as a script, this file would shadow the ``digest`` package it measures.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from digest.diff import NUMBER, diff_versions  # noqa: E402
from thaidigest.model import RawArticle  # noqa: E402
from thaidigest.normalise import normalise_article  # noqa: E402
from thaidigest.readers import read_jsonl_file  # noqa: E402

ADDED_THAI = "ทั้งนี้ ที่ประชุมได้มอบหมายให้หน่วยงานที่เกี่ยวข้องติดตามผลอย่างใกล้ชิด"
ADDED_ENGLISH = "The ministry will report on progress next month."
PLAIN_NUMBER = re.compile(r"^\d[\d,]*$")


def raised(number: str) -> str:
    """``number`` plus one, in the same format (thousands separators kept)."""
    value = int(number.replace(",", "")) + 1
    return f"{value:,}" if "," in number else str(value)


def edited(body: str, language: str) -> tuple[str, str, str] | None:
    """A second version of ``body``, the number changed and the sentence added; None when
    the body holds no plain number."""
    match = next((m for m in NUMBER.finditer(body) if PLAIN_NUMBER.match(m.group())), None)
    if match is None:
        return None
    new_number = raised(match.group())
    body = body[: match.start()] + new_number + body[match.end() :]
    paragraphs = body.split("\n")
    middle = len(paragraphs) // 2
    sentence = ADDED_THAI if language == "th" else ADDED_ENGLISH
    paragraphs[middle] = f"{paragraphs[middle]} {sentence}"
    return "\n".join(paragraphs), match.group(), new_number


def enormous(body: str, chars: int) -> tuple[str, str]:
    """Two versions of a body of about ``chars`` characters: the paragraphs of ``body``
    repeated, each after a number of its own, which the second version raises by one."""
    old, new, length = [], [], 0
    for number, paragraph in enumerate(cycle(line for line in body.split("\n") if line)):
        if length >= chars:
            break
        old.append(f"{number} {paragraph}")
        new.append(f"{number + 1} {paragraph}")
        length += len(old[-1]) + 1
    return "\n".join(old), "\n".join(new)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--enormous-chars", type=int, default=2_000_000)
    args = parser.parse_args()
    # Load the CRF model and the word list first (about a second, once per process).
    diff_versions("", "การประชุม 1 ครั้ง", None, "", "การประชุม 2 ครั้ง ทั้งนี้", None)
    times, numbers_found, sentences_found, noisy = [], 0, 0, 0
    first_body = ""
    for raw in read_jsonl_file(args.corpus):
        if len(times) >= args.limit:
            break
        if not isinstance(raw, RawArticle):
            continue
        article = normalise_article(raw)
        first_body = first_body or article.body
        made = edited(article.body, article.language)
        if made is None:
            continue
        new_body, old_number, new_number = made
        started = time.perf_counter()
        diff = diff_versions(article.title, article.body, None, article.title, new_body, None)
        times.append((time.perf_counter() - started) * 1000)
        numbers_found += any((n.old, n.new) == (old_number, new_number) for n in diff.numbers)
        added = ADDED_THAI if article.language == "th" else ADDED_ENGLISH
        sentences_found += any(added in sentence for sentence in diff.added)
        noisy += any(added not in sentence for sentence in diff.removed + diff.added)
    count = len(times)
    times.sort()
    print(f"articles: {count} (the first of the corpus that hold a number)")
    print(
        f"diff time: median {statistics.median(times):.1f} ms, "
        f"p95 {times[int(count * 0.95) - 1]:.1f} ms, max {times[-1]:.1f} ms"
    )
    print(f"number change reported as old -> new: {numbers_found}/{count}")
    print(f"added sentence reported as added: {sentences_found}/{count}")
    print(f"diffs also listing a sentence that did not change: {noisy}/{count}")
    old_body, new_body = enormous(first_body, args.enormous_chars)
    started = time.perf_counter()
    diff = diff_versions("", old_body, None, "", new_body, None)
    print(
        f"enormous edit ({old_body.count(chr(10)) + 1:,} paragraphs, {len(old_body):,} "
        f"characters a version, every paragraph edited): "
        f"{time.perf_counter() - started:.2f} s, "
        f"{'paragraph by paragraph' if diff.whole_paragraphs else 'aligned'}"
    )


if __name__ == "__main__":
    main()
