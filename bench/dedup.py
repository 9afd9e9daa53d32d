"""Measure deduplication: precision and recall on a development set, speed on the corpus.

    .venv/bin/python bench/dedup.py /path/to/thaigov.jsonl.xz [--limit N]

1. Imports the whole corpus (or its first N lines) through the configured
   pipeline, dedup on, and prints the time, the peak RSS, the ratio to the
   floor (decompressing and parsing the JSON lines), and the time without
   dedup; then the same for a tenth of it (10x the data must cost at most
   12.5x the time).
2. Builds a development set from the corpus: sampled originals, one
   perturbed copy of each (re-wrapped, boilerplate added, a sentence dropped
   or changed, headline tweaked, under another thaigov or an MDES URL), and
   hard negatives (consecutive issues of recurring series; same-topic items
   of different events). Imports it at several thresholds and prints
   precision and recall over the labelled pairs.
"""

from __future__ import annotations

import argparse
import json
import lzma
import random
import re
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice, pairwise
from pathlib import Path

from floor import floor_seconds

from thaidigest.dedup import THRESHOLD, Deduplicator, fold
from thaidigest.ingest import Ingestor
from thaidigest.model import RawArticle
from thaidigest.normalise import normalise_article
from thaidigest.pipeline import build_ingestor
from thaidigest.readers import corpus_record_article, read_jsonl_file
from thaidigest.store import Store
from thaidigest.urls import canonical_url

SEED = 20250901
ORIGINALS = 2000
NEGATIVE_PAIRS = 1000  # of each kind
THRESHOLDS = (0.5, 0.6, 0.7, 0.8)
TARGET_PRECISION = 0.98
TARGET_RECALL = 0.95
MAX_GROWTH = 12.5  # time for 10x the data over time for 1x
TOPIC_PREFIX_CHARS = 22
MIN_ORIGINAL_CHARS = 300

# Headlines of recurring series: each issue is a new article.
SERIES = (
    r"ข่าวปลอม",
    r"^สรุปข่าวการประชุมคณะรัฐมนตรี",
    r"สรุปผลการประชุมคณะรัฐมนตรี",
    r"Cabinet Meeting Synopsis",
    r"^The cabinet met on",
    r"^ประกาศ ขสมก\. ประจำวันที่",
    r"^รายงานความคืบหน้า.*หนี้นอกระบบ",
    r"หนี้นอกระบบ(ครบ|วันที่| \d+ วัน)",
    r"อัปเดต(บัตร)?สวัสดิการแห่งรัฐ",
    r"^ผลการปราบปรามผู้กระทำผิดกฎหมายสรรพสามิต",
    r"^โครงการกระจายวัคซีนทางเลือก",
    r"รายงานสถานการณ์(สายทาง|อุทกภัย)",
    r"^ความคืบหน้า(การใช้สิทธิ|โครงการคนละครึ่ง|การจ่ายเงิน)",
    r"^ดัชนีความเชื่อมั่น",
    r"^ภาวะเศรษฐกิจการคลัง",
    r"^รายงานข่าวกรณีโรคติดเชื้อ",
)
BOILERPLATE = (
    "ข่าวประชาสัมพันธ์ กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
    "กองกลาง สำนักงานปลัดกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
    "ติดตามข่าวสารเพิ่มเติมได้ที่ www.mdes.go.th",
    "แชร์ข่าวนี้",
    "#ดีอี #MDES",
)
HEADLINE_LABELS = ("ดีอี เผย", "ข่าวเด่น:", "(ข่าวประชาสัมพันธ์)")


@dataclass(frozen=True)
class Record:
    id: str
    url: str
    text: str
    category: str | None


def read_records(path: Path, limit: int | None) -> list[Record]:
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        return [
            Record(str(r["id"]), r["url"], r["text"], r.get("category"))
            for r in map(json.loads, islice(lines, limit))
        ]


def timed_import(path: Path, limit: int | None, *, dedup: bool) -> float:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/bench.sqlite")
        ingestor = build_ingestor(store) if dedup else Ingestor(store)
        started = time.perf_counter()
        ingestor.ingest(islice(read_jsonl_file(path), limit))
        seconds = time.perf_counter() - started
        store.close()
    return seconds


# --- The development set -----------------------------------------------------


def raw(record: Record, url: str | None = None) -> RawArticle:
    article = corpus_record_article(
        {"id": record.id, "url": url or record.url, "text": record.text, "category": None}
    )
    return article if url is None else RawArticle(**{**article.__dict__, "source_id": None})


def sentences(line: str) -> list[str]:
    return [part for part in line.split(" ") if part]


def perturb(record: Record, donor: Record, number: int, rng: random.Random) -> RawArticle:
    """A republished copy: two to four edits, always under a new URL."""
    title, body = headline(record), record.text.partition("\n")[2]
    lines = body.split("\n")
    edits = rng.sample(["rewrap", "boilerplate", "drop", "change", "headline"], rng.randint(2, 4))
    for edit in edits:
        paragraphs = [i for i, line in enumerate(lines) if len(sentences(line)) > 1]
        if edit == "rewrap" and paragraphs:
            i = rng.choice(paragraphs)
            parts = sentences(lines[i])
            cut = rng.randrange(1, len(parts))
            lines[i : i + 1] = [" ".join(parts[:cut]), " ".join(parts[cut:])]
        elif edit == "boilerplate":
            lines = [rng.choice(BOILERPLATE), *lines, *rng.sample(BOILERPLATE, 2)]
        elif edit in ("drop", "change") and paragraphs:
            i = rng.choice(paragraphs)
            parts = sentences(lines[i])
            j = rng.randrange(len(parts))
            replacement = [rng.choice(sentences(donor.text) or ["ข่าว"])] if edit == "change" else []
            lines[i] = " ".join(parts[:j] + replacement + parts[j + 1 :])
        elif edit == "headline":
            words = sentences(title)
            title = (
                f"{rng.choice(HEADLINE_LABELS)} {title}"
                if len(words) < 3 or rng.random() < 0.5
                else " ".join(words[:-1])
            )
    if rng.random() < 0.5:
        url = f"https://mdes.go.th/news/detail/{900000 + number}"
    else:
        url = f"https://www.thaigov.go.th/news/contents/details/{5000000 + number}"
    text = title + "\n" + "\n".join(lines)
    return raw(Record(record.id, record.url, text, None), url)


def headline(record: Record) -> str:
    return record.text.partition("\n")[0].removeprefix("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-").strip()


def negative_pairs(records: list[Record], rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    """Consecutive issues of a series, and same-topic items of different events."""
    published = {}
    for record in records:
        try:
            published[record.url] = normalise_article(raw(record)).published
        except ValueError:
            continue
    series: dict[str, list[Record]] = defaultdict(list)
    topics: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if record.url not in published:
            continue
        title = headline(record)
        pattern = next((p for p in SERIES if re.search(p, title)), None)
        if pattern is not None:
            series[pattern].append(record)
        else:
            topics[title[:TOPIC_PREFIX_CHARS]].append(record)

    def pairs(groups: Iterable[list[Record]], *, new_headline: bool) -> list[tuple[str, str]]:
        found = []
        for group in groups:
            for first, second in pairwise(group):
                if published[first.url] == published[second.url]:
                    continue
                if new_headline and fold(headline(first), "") == fold(headline(second), ""):
                    continue
                found.append((first.url, second.url))
        rng.shuffle(found)
        return found[:NEGATIVE_PAIRS]

    return {
        "series": pairs(series.values(), new_headline=False),
        "same topic": pairs(topics.values(), new_headline=True),
    }


def evaluate(
    items: list[RawArticle],
    positives: list[tuple[str, str]],
    negatives: dict[str, list[tuple[str, str]]],
    threshold: float,
) -> tuple[float, float, dict[str, int]]:
    """Precision, recall, and false merges by kind of negative, at one threshold."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/dev.sqlite")
        Ingestor(store, deduplicator=Deduplicator(store, threshold)).ingest(items)
        cluster = {row["url"]: row["duplicate_of"] or row["url"] for row in store.iter_articles()}
        store.close()

    def together(pair: tuple[str, str]) -> bool:
        first, second = (cluster.get(canonical_url(url)) for url in pair)
        return first is not None and first == second

    found = sum(map(together, positives))
    false = {kind: sum(map(together, pairs)) for kind, pairs in negatives.items()}
    merged = found + sum(false.values())
    return found / max(merged, 1), found / len(positives), false


def development_set(
    records: list[Record], rng: random.Random
) -> tuple[list[RawArticle], list[tuple[str, str]], dict[str, list[tuple[str, str]]]]:
    negatives = negative_pairs(records, rng)
    candidates = [r for r in records if len(r.text) >= MIN_ORIGINAL_CHARS]
    originals = rng.sample(candidates, min(ORIGINALS, len(candidates)))
    items: dict[str, RawArticle] = {}
    positives = []
    for number, record in enumerate(originals):
        copy = perturb(record, rng.choice(candidates), number, rng)
        items[record.url] = raw(record)
        items[copy.url] = copy
        positives.append((record.url, copy.url))
    by_url = {record.url: record for record in records}
    for pairs in negatives.values():
        for pair in pairs:
            for url in pair:
                items.setdefault(url, raw(by_url[url]))
    ordered = list(items.values())
    rng.shuffle(ordered)
    return ordered, positives, negatives


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="only the first N lines")
    args = parser.parse_args()

    floor = floor_seconds(args.corpus, args.limit)
    full = timed_import(args.corpus, args.limit, dedup=True)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    count = sum(1 for _ in islice(read_jsonl_file(args.corpus), args.limit))
    tenth = timed_import(args.corpus, count // 10, dedup=True)
    plain = timed_import(args.corpus, args.limit, dedup=False)
    print(f"corpus:        {count} lines")
    print(f"import+dedup:  {full:.1f} s = {1000 * full / count:.2f} ms/article")
    added = 1000 * (full - plain) / count
    print(f"import alone:  {plain:.1f} s; dedup adds {added:.3f} ms/article")
    print(f"peak RSS:      {peak_mib:.0f} MiB (after the import with dedup)")
    print(f"floor:         {floor:.1f} s; import+dedup is {full / floor:.1f}x the floor")
    growth = full / tenth
    verdict = "ok" if growth <= MAX_GROWTH else "TOO SLOW"
    print(f"linearity:     {count // 10} lines {tenth:.1f} s, {count} lines {full:.1f} s:")
    print(f"               10x the data costs {growth:.1f}x the time ({verdict})")

    rng = random.Random(SEED)
    items, positives, negatives = development_set(read_records(args.corpus, args.limit), rng)
    sizes = ", ".join(f"{len(pairs)} {kind}" for kind, pairs in negatives.items())
    print(f"development:   {len(items)} articles, {len(positives)} copies, negatives: {sizes}")
    print("threshold  precision  recall  false merges")
    for threshold in THRESHOLDS:
        precision, recall, false = evaluate(items, positives, negatives, threshold)
        mark = " <- default" if threshold == THRESHOLD else ""
        merges = ", ".join(f"{kind} {n}" for kind, n in false.items())
        print(f"{threshold:9.2f}  {precision:9.3f}  {recall:6.3f}  {merges}{mark}")
        if threshold == THRESHOLD:
            met = precision >= TARGET_PRECISION and recall >= TARGET_RECALL
            chosen = (precision, recall, met)
    print(
        f"default:       P {chosen[0]:.3f} (target {TARGET_PRECISION}), "
        f"R {chosen[1]:.3f} (target {TARGET_RECALL}): {'met' if chosen[2] else 'NOT MET'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
