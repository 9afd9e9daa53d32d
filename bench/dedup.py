"""Measure deduplication: precision and recall on labelled pairs, speed on the corpus.

    .venv/bin/python bench/dedup.py /path/to/thaigov.jsonl.xz [--limit N]

1. Imports the whole corpus (or its first N lines) through the configured
   pipeline, dedup on, and prints the time, the peak RSS, the ratio to the
   floor (decompressing and parsing the JSON lines), the time without
   dedup, and the duplicates found by each rule; then the same import for a
   tenth of it (10x the data must cost at most 12.5x the time). Then, in one
   process on the first ARTICLES_TIMED articles, the cost of each part of
   deduplication per article.
2. Splits the corpus by publication day into two parts (a day's articles
   all in one part) and builds, from each part with its own seed, labelled
   pairs:

   - copies of sampled originals, one per original, of two kinds:
     *perturbed* (two to four of: re-wrapped, boilerplate added, a
     sentence dropped or changed, headline tweaked) and *condensed* (the
     lead kept, a middle paragraph removed and the end cut, 20-45% of the
     body gone in all, re-wrapped; two in three also get a boilerplate line
     or a headline label), each under another thaigov or an MDES URL;
   - hard negatives, pairs of corpus articles that are not the same story:
     *series* (consecutive issues of a recurring series), *same topic*
     (headlines that begin alike, different events) and *same event*
     (published the same day with the same lead sentence, but with
     different headlines and no other paragraph in common: two releases
     from one event on different subjects).

   Each part's articles are imported in a shuffled order. The thresholds
   are chosen on the tuning part, where the script prints a sweep; the
   held-out part (other days, other seed) is measured at the defaults only.
   Per kind of pair it prints how many were merged; per kind of copy the
   recall, and the precision over that kind's copies and its half of the
   negatives (dealt in turn); then precision and recall over all kinds.
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
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from itertools import islice, pairwise
from pathlib import Path
from unittest.mock import patch

from floor import floor_seconds
from sqlalchemy.engine import Connection

from thaidigest import dedup
from thaidigest.dedup import DayWindow, Deduplicator
from thaidigest.fingerprint import (
    CONTAINMENT,
    THRESHOLD,
    Comparison,
    Fingerprint,
    fingerprint,
    fold,
    folded_codes,
    shingle_hashes,
    sketch,
)
from thaidigest.ingest import Ingestor, Prepared, normalise_only
from thaidigest.model import Article, RawArticle
from thaidigest.normalise import normalise_article
from thaidigest.pipeline import build_ingestor
from thaidigest.readers import corpus_record_article, read_jsonl_file
from thaidigest.sites import (
    CANONICAL_BASE_URLS,
    THAIGOV_BASE_URL,
    THAIGOV_TITLE_PREFIX,
    article_path,
)
from thaidigest.store import Store
from thaidigest.urls import canonical_url, source_of

SEEDS = {"tuning": 20250901, "held-out": 20251201}
ORIGINALS = 1000  # per kind of copy and part
NEGATIVE_PAIRS = 700  # at most, per kind of negative and part
THRESHOLDS = (0.5, 0.6, 0.7)  # Jaccard
CONTAINMENTS = (0.7, 0.75, 0.8, 0.85, 0.9)
TARGET_PRECISION = 0.99
TARGET_RECALL = 0.98
MAX_GROWTH = 12.5  # time for 10x the data over time for 1x
ARTICLES_TIMED = 10_000
TOPIC_PREFIX_CHARS = 22
LEAD_CHARS = 60  # folded characters of the first paragraph that make the lead sentence
MIN_ORIGINAL_CHARS = 300
CONDENSED_DROP = (0.20, 0.45)  # share of the body's characters a condensed copy drops
REWRAP_CHANCE = 0.1  # a condensed copy's line breaks: after each word with this chance

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
COPY_KINDS = ("perturbed", "condensed")
NEGATIVE_KINDS = ("series", "same topic", "same event")


@dataclass(frozen=True)
class Record:
    id: str
    url: str
    text: str


@dataclass(frozen=True)
class Original:
    """A corpus record and what normalisation makes of it."""

    record: Record
    article: Article


@dataclass
class DevelopmentSet:
    items: list[RawArticle]
    positives: dict[str, list[tuple[str, str]]]  # by kind of copy
    negatives: dict[str, list[tuple[str, str]]]  # by kind of negative


def read_records(path: Path, limit: int | None) -> list[Record]:
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        return [
            Record(str(r["id"]), r["url"], r["text"]) for r in map(json.loads, islice(lines, limit))
        ]


def timed_import(path: Path, limit: int | None, *, dedup: bool) -> tuple[float, Counter[str]]:
    """Seconds to import the first ``limit`` lines; the duplicates found by each rule."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/bench.sqlite")
        ingestor = build_ingestor(store) if dedup else Ingestor(store)
        started = time.perf_counter()
        ingestor.ingest(islice(read_jsonl_file(path), limit))
        seconds = time.perf_counter() - started
        store.close()
    return seconds, ingestor.deduplicator.matched if dedup else Counter()


class TimedDeduplicator(Deduplicator):
    """A deduplicator that adds up the time its store side takes."""

    seconds = 0.0

    def assign(
        self, conn: Connection, article_id: int, article: Article, fp: Fingerprint | None = None
    ) -> None:
        started = time.perf_counter()
        super().assign(conn, article_id, article, fp)
        self.seconds += time.perf_counter() - started


@dataclass(frozen=True)
class Fingerprinted:
    """A preparer that hands each article the fingerprint computed beforehand."""

    prints: dict[str, Fingerprint]

    def __call__(self, raw: RawArticle) -> Prepared:
        prepared = normalise_only(raw)
        return prepared._replace(fingerprint=self.prints[prepared.article.url])


def store_side_seconds(articles: list[Article], prints: dict[str, Fingerprint]) -> float:
    """Seconds the store side of deduplication takes to import ``articles``."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/stages.sqlite")
        deduplicator = TimedDeduplicator(store)
        ingestor = Ingestor(store, preparer=Fingerprinted(prints), deduplicator=deduplicator)
        ingestor.ingest(
            RawArticle(a.url, a.source, a.title, a.body, published_hint=a.published)
            for a in articles
        )
        store.close()
    return deduplicator.seconds


def timed(
    owner: object, name: str, seconds: list[float], when: Callable[..., bool] | None = None
) -> AbstractContextManager[object]:
    """Patch ``owner.name`` to add the time each call takes to ``seconds[0]`` (when ``when``)."""
    original = getattr(owner, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            if when is None or when(*args, **kwargs):
                seconds[0] += time.perf_counter() - started

    return patch.object(owner, name, wrapper)


def stage_costs(path: Path, count: int) -> dict[str, float]:
    """Milliseconds per article of each part of deduplication, in one process."""
    articles = []
    for item in islice(read_jsonl_file(path), count):
        if isinstance(item, RawArticle):
            with suppress(ValueError):
                articles.append(normalise_article(item))
    started = time.perf_counter()
    prints = {article.url: fingerprint(article.title, article.body) for article in articles}
    fingerprinting = time.perf_counter() - started
    hashes = [shingle_hashes(folded_codes(a.title, a.body)) for a in articles]
    started = time.perf_counter()
    for one in hashes:
        sketch(one)
    sketching = time.perf_counter() - started
    window, estimates, exact, checks = [0.0], [0.0], [0.0], [0.0]

    def containment_only(*args: object) -> bool:  # _join(self, conn, id, article, fp, similar, …)
        return not args[5]

    def count_check(self: Comparison, other: object) -> object:
        checks[0] += 1
        return contained(self, other)

    contained = Comparison.contained
    with (
        timed(DayWindow, "near", window),
        timed(dedup, "may_contain", estimates),
        timed(Deduplicator, "_join", exact, containment_only),
        patch.object(Comparison, "contained", count_check),
    ):
        store_side = store_side_seconds(articles, prints)
    per_article = 1000 / len(articles)
    return {
        "fingerprint (pure, in the workers)": fingerprinting * per_article,
        "  of which the containment sketch": sketching * per_article,
        "store side (index, candidates, checks, SQL)": store_side * per_article,
        "  of which the day window (which also finds what LSH misses)": window[0] * per_article,
        "  of which containment estimated from the sketches": estimates[0] * per_article,
        "  of which containment computed on the stored texts": exact[0] * per_article,
        "exact containment checks per 1000 articles": 1000 * checks[0] / len(articles),
    }


# --- The development set -----------------------------------------------------


def raw(record: Record, url: str | None = None) -> RawArticle:
    """The article of a corpus record; under ``url``, a copy of it, which has no article
    number of its own (the reader refuses an id its URL contradicts)."""
    number = record.id if url is None else None
    return corpus_record_article(
        {"id": number, "url": url or record.url, "text": record.text, "category": None}
    )


def sentences(line: str) -> list[str]:
    return [part for part in line.split(" ") if part]


def copy_url(number: int, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return CANONICAL_BASE_URLS["mdes"] + article_path("mdes", 900000 + number)
    return THAIGOV_BASE_URL + article_path("thaigov", 5000000 + number)


def tweak_headline(title: str, rng: random.Random) -> str:
    """A republisher's headline: a label before it, or its last word dropped."""
    words = sentences(title)
    if len(words) < 3 or rng.random() < 0.5:
        return f"{rng.choice(HEADLINE_LABELS)} {title}"
    return " ".join(words[:-1])


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
            title = tweak_headline(title, rng)
    text = title + "\n" + "\n".join(lines)
    return raw(Record(record.id, record.url, text), copy_url(number, rng))


def condensed_lines(paragraphs: list[str], rng: random.Random) -> list[str]:
    """The lead kept, a middle paragraph removed, the end cut: 20-45% of the characters gone.

    A body of one or two paragraphs loses the end of its last paragraph
    only; words are what is cut, never part of one.
    """
    total = sum(map(len, paragraphs))
    keep = total * (1 - rng.uniform(*CONDENSED_DROP))
    kept = list(paragraphs)
    middle = [i for i in range(1, len(kept) - 1) if total - len(kept[i]) >= keep]
    if middle:
        del kept[rng.choice(middle)]
    while len(kept) > 1 and sum(map(len, kept[:-1])) >= keep:
        kept.pop()
    words = sentences(kept[-1])
    room = keep - sum(map(len, kept[:-1]))
    while len(words) > 1 and len(" ".join(words)) > room:
        words.pop()
    kept[-1] = " ".join(words)
    return kept


def rewrap(lines: list[str], rng: random.Random) -> list[str]:
    """The same words with new line breaks: after each word with REWRAP_CHANCE."""
    wrapped, line = [], []
    for word in sentences(" ".join(lines)):
        line.append(word)
        if rng.random() < REWRAP_CHANCE:
            wrapped.append(" ".join(line))
            line = []
    return [*wrapped, " ".join(line)] if line else wrapped


def condense(original: Original, number: int, rng: random.Random) -> RawArticle:
    """A condensed republication: the same date, the lead kept, the body cut and re-wrapped."""
    article = original.article
    title = article.title
    lines = rewrap(condensed_lines(article.body.split("\n"), rng), rng)
    extra = rng.choice(["none", "boilerplate", "headline"])
    if extra == "boilerplate":
        lines = [rng.choice(BOILERPLATE), *lines]
    elif extra == "headline":
        title = tweak_headline(title, rng)
    url = copy_url(number, rng)
    return RawArticle(
        url=url,
        source=source_of(url),
        title=title,
        body="\n".join(lines),
        published_hint=article.published,
    )


def headline(record: Record) -> str:
    return record.text.partition("\n")[0].removeprefix(THAIGOV_TITLE_PREFIX).strip()


def negative_pairs(
    originals: list[Original], rng: random.Random
) -> dict[str, list[tuple[str, str]]]:
    """Consecutive issues of a series; same-topic items of different events; same-event items."""
    series: dict[str, list[Original]] = defaultdict(list)
    topics: dict[str, list[Original]] = defaultdict(list)
    events: dict[tuple[object, str], list[Original]] = defaultdict(list)
    for original in originals:
        title = headline(original.record)
        pattern = next((p for p in SERIES if re.search(p, title)), None)
        if pattern is not None:
            series[pattern].append(original)
        else:
            topics[title[:TOPIC_PREFIX_CHARS]].append(original)
        first_paragraph = original.article.body.partition("\n")[0]
        lead = fold("", first_paragraph)[:LEAD_CHARS]
        if len(lead) == LEAD_CHARS:
            events[original.article.published, lead].append(original)

    def pairs(
        groups: Iterable[list[Original]], *, new_headline: bool, new_paragraphs: bool
    ) -> list[tuple[str, str]]:
        found = []
        for group in groups:
            for first, second in pairwise(group):
                one, other = first.article, second.article
                if not new_paragraphs and one.published == other.published:
                    continue
                if new_headline and fold(one.title, "") == fold(other.title, ""):
                    continue
                if new_paragraphs and shares_later_paragraph(one, other):
                    continue
                found.append((first.record.url, second.record.url))
        rng.shuffle(found)
        return found[:NEGATIVE_PAIRS]

    return {
        "series": pairs(series.values(), new_headline=False, new_paragraphs=False),
        "same topic": pairs(topics.values(), new_headline=True, new_paragraphs=False),
        "same event": pairs(events.values(), new_headline=True, new_paragraphs=True),
    }


def shares_later_paragraph(one: Article, other: Article) -> bool:
    """True when the two bodies have a paragraph in common besides the first."""
    later = {fold("", line) for line in one.body.split("\n")[1:]} - {""}
    return any(fold("", line) in later for line in other.body.split("\n")[1:])


def part_of(article: Article) -> str:
    """The part of the corpus an article's publication day falls in."""
    day = article.published.isoformat() if article.published else ""
    return "tuning" if zlib.crc32(day.encode()) % 2 == 0 else "held-out"


def corpus_parts(records: list[Record]) -> dict[str, list[Original]]:
    """The corpus's articles split in two by publication day."""
    parts: dict[str, list[Original]] = {"tuning": [], "held-out": []}
    for record in records:
        try:
            article = normalise_article(raw(record))
        except ValueError:
            continue
        if article.published is not None:
            parts[part_of(article)].append(Original(record, article))
    return parts


def development_set(originals: list[Original], rng: random.Random) -> DevelopmentSet:
    negatives = negative_pairs(originals, rng)
    candidates = [o for o in originals if len(o.record.text) >= MIN_ORIGINAL_CHARS]
    chosen = rng.sample(candidates, min(len(COPY_KINDS) * ORIGINALS, len(candidates)))
    items: dict[str, RawArticle] = {}
    positives: dict[str, list[tuple[str, str]]] = {kind: [] for kind in COPY_KINDS}
    for number, original in enumerate(chosen):
        kind = COPY_KINDS[number % len(COPY_KINDS)]
        if kind == "perturbed":
            copy = perturb(original.record, rng.choice(candidates).record, number, rng)
        else:
            copy = condense(original, number, rng)
        items[original.record.url] = raw(original.record)
        items[copy.url] = copy
        positives[kind].append((original.record.url, copy.url))
    by_url = {original.record.url: original.record for original in originals}
    for pairs in negatives.values():
        for pair in pairs:
            for url in pair:
                items.setdefault(url, raw(by_url[url]))
    ordered = list(items.values())
    rng.shuffle(ordered)
    return DevelopmentSet(ordered, positives, negatives)


@dataclass(frozen=True)
class Outcome:
    """Which labelled pairs an import merged, by kind, in the order of the development set.

    The negatives are dealt to the kinds of copy in turn, so that each kind
    of copy has a set of negatives of its own: its precision counts its
    copies and its share of the negatives; the overall figures count all.
    """

    merged: dict[str, list[bool]]

    def found(self, kind: str) -> int:
        return sum(self.merged[kind])

    def recall(self, kinds: Iterable[str] = COPY_KINDS) -> float:
        kinds = list(kinds)
        return sum(map(self.found, kinds)) / sum(len(self.merged[kind]) for kind in kinds)

    def false_merges(self, copy_kind: str | None = None) -> int:
        """Negatives merged: all of them, or those dealt to ``copy_kind``."""
        share = slice(None) if copy_kind is None else slice(COPY_KINDS.index(copy_kind), None, 2)
        return sum(sum(self.merged[kind][share]) for kind in NEGATIVE_KINDS)

    def precision(self, copy_kind: str | None = None) -> float:
        found = sum(map(self.found, COPY_KINDS if copy_kind is None else [copy_kind]))
        return found / max(found + self.false_merges(copy_kind), 1)


def evaluate(dev: DevelopmentSet, threshold: float, containment: float) -> Outcome:
    """Import the development set at the given thresholds; which pairs it merged."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/dev.sqlite")
        deduplicator = Deduplicator(store, threshold, containment)
        Ingestor(store, deduplicator=deduplicator).ingest(dev.items)
        cluster = {row["url"]: row["duplicate_of"] or row["url"] for row in store.iter_articles()}
        store.close()

    def together(pair: tuple[str, str]) -> bool:
        first, second = (cluster.get(canonical_url(url)) for url in pair)
        return first is not None and first == second

    labelled = dev.positives | dev.negatives
    return Outcome({kind: [together(pair) for pair in pairs] for kind, pairs in labelled.items()})


def report_lines(outcome: Outcome) -> Iterator[str]:
    yield "  kind        pairs  merged  recall  precision"
    for kind in COPY_KINDS:
        yield (
            f"  {kind:<10} {len(outcome.merged[kind]):6}  {outcome.found(kind):6}  "
            f"{outcome.recall([kind]):6.3f}  {outcome.precision(kind):9.3f}"
            f"  (with half the negatives: {outcome.false_merges(kind)} merged)"
        )
    for kind in NEGATIVE_KINDS:
        pairs, merged = len(outcome.merged[kind]), outcome.found(kind)
        yield (
            f"  {kind:<10} {pairs:6}  {merged:6}  not the same story: "
            f"{1 - merged / max(pairs, 1):.3f} kept apart"
        )
    met = outcome.precision() >= TARGET_PRECISION and outcome.recall() >= TARGET_RECALL
    yield (
        f"  all         P {outcome.precision():.3f} (target {TARGET_PRECISION}), "
        f"R {outcome.recall():.3f} (target {TARGET_RECALL}): {'met' if met else 'NOT MET'}"
    )


def describe(name: str, dev: DevelopmentSet) -> str:
    copies = ", ".join(f"{len(pairs)} {kind}" for kind, pairs in dev.positives.items())
    negatives = ", ".join(f"{len(pairs)} {kind}" for kind, pairs in dev.negatives.items())
    return (
        f"{name} part (seed {SEEDS[name]}): {len(dev.items)} articles; "
        f"copies: {copies}; negatives: {negatives}"
    )


def speed(corpus: Path, limit: int | None) -> None:
    """Part 1: the import's time with and without dedup, its growth, the cost per article."""
    floor = floor_seconds(corpus, limit)
    full, matched = timed_import(corpus, limit, dedup=True)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    count = sum(1 for _ in islice(read_jsonl_file(corpus), limit))
    tenth, _ = timed_import(corpus, count // 10, dedup=True)
    plain, _ = timed_import(corpus, limit, dedup=False)
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
    rules = ", ".join(f"{n} {rule}" for rule, n in sorted(matched.items()))
    print(f"duplicates:    {matched.total()} joins in the corpus, by rule: {rules}")
    timed = min(count, ARTICLES_TIMED)
    print(f"per article, in one process, first {timed} articles:")
    for stage, value in stage_costs(corpus, timed).items():
        unit = "" if stage.endswith("articles") else " ms"
        print(f"  {stage}: {value:.3f}{unit}")


def accuracy(corpus: Path, limit: int | None) -> None:
    """Part 2: precision and recall on the two parts' labelled pairs."""
    parts = corpus_parts(read_records(corpus, limit))
    developments = {
        name: development_set(originals, random.Random(SEEDS[name]))
        for name, originals in parts.items()
    }
    tuning = developments["tuning"]
    print(describe("tuning", tuning))
    print("  jaccard  containment  precision  recall  " + "  ".join(COPY_KINDS + NEGATIVE_KINDS))
    for threshold in THRESHOLDS:
        for containment in CONTAINMENTS:
            outcome = evaluate(tuning, threshold, containment)
            mark = " <- default" if (threshold, containment) == (THRESHOLD, CONTAINMENT) else ""
            kinds = "  ".join(f"{outcome.found(k):>{len(k)}}" for k in COPY_KINDS + NEGATIVE_KINDS)
            print(
                f"  {threshold:7.2f}  {containment:11.2f}  {outcome.precision():9.3f}  "
                f"{outcome.recall():6.3f}  {kinds}{mark}"
            )
    for name, dev in developments.items():
        print(describe(name, dev) + f"; at the defaults ({THRESHOLD}, {CONTAINMENT}):")
        for line in report_lines(evaluate(dev, THRESHOLD, CONTAINMENT)):
            print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="only the first N lines")
    parser.add_argument(
        "--accuracy-only", action="store_true", help="skip the timed imports (part 1)"
    )
    args = parser.parse_args()
    if not args.accuracy_only:
        speed(args.corpus, args.limit)
    accuracy(args.corpus, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
