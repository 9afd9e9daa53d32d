"""The ingestor's batches and worker processes: what is stored does not depend on them."""

from __future__ import annotations

import gc
import hashlib
import json
import pickle
import re
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.sql.compiler import SQLCompiler

from scraper.sites import thaigov
from tests.conftest import DATA, SEEDS
from tests.digest import ingest as crawled_at
from tests.digest import url_of
from tests.digest.test_story_ids import RELEASE, mdes_copy, representative
from tests.test_dedup import republished, same_fingerprint
from thaidigest import pipeline
from thaidigest.classifier import DEFAULT_MODEL
from thaidigest.ingest import (
    TRANSACTION_SECONDS,
    Ingestor,
    Rejected,
    next_transaction_size,
    older_objects_frozen,
)
from thaidigest.model import RawArticle
from thaidigest.normalise import content_hash, normalise_article
from thaidigest.pipeline import ArticlePreparer, build_ingestor
from thaidigest.readers import corpus_record_article
from thaidigest.store import SCHEMA_VERSION, Store, article_versions, articles, fingerprints
from thaidigest.urls import canonical_url
from thaidigest.workers import YOUNG_GC_THRESHOLD

RECORDS = [
    json.loads(line) for line in (DATA / "dedup_articles.jsonl").read_text("utf-8").splitlines()
]


def clock() -> datetime:
    return datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def mixed_input() -> list[RawArticle | Rejected]:
    """Real articles, their republished copies on MDES, an edit, a reject and a blank item."""
    originals = [corpus_record_article(record) for record in RECORDS]
    copies = [
        corpus_record_article(
            {"id": None, "url": f"https://mdes.go.th/news/detail/{900 + n}", "category": None}
            | {"text": republished(record["text"])}
        )
        for n, record in enumerate(RECORDS)
    ]
    first = originals[0]
    edited = RawArticle(first.url, first.source, first.title, first.body + "\nแก้ไขเพิ่มเติม")
    blank = RawArticle("https://thaigov.go.th/news/contents/details/1", "thaigov", "", "")
    return [
        *originals[:5],
        Rejected("broken.jsonl:3", "invalid JSON"),
        *copies,
        edited,
        blank,
        *originals[5:],
        first,  # the text before the edit: a third version
    ]


def stored(store: Store) -> dict[str, list[tuple]]:
    """Every row the ingestor writes, in a stable order."""
    with store.engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.c))]
            for table in (articles, article_versions, fingerprints)
        }


def ingest(path: Path, items: list, *, workers: int, batch_size: int):
    store = Store(f"sqlite:///{path}")
    ingestor = build_ingestor(store, clock=clock, workers=workers)
    ingestor.batch_size = batch_size
    summary = ingestor.ingest(items)
    return summary, stored(store)


def test_workers_store_exactly_what_one_process_stores(tmp_path: Path) -> None:
    items = mixed_input()
    one_summary, one = ingest(tmp_path / "one.sqlite", items, workers=1, batch_size=4)
    two_summary, two = ingest(tmp_path / "two.sqlite", items, workers=2, batch_size=4)
    assert one_summary.line() == two_summary.line()
    assert one == two
    # The input exercises what the comparison is about.
    assert one_summary.line() == "read 24, new 20, updated 2, unchanged 0, rejected 2"
    column = list(articles.c.keys()).index("duplicate_of")
    duplicates = [row for row in one["articles"] if row[column] is not None]
    assert len(duplicates) >= len(RECORDS) // 2


# Run by each worker: whether the packaged model and PyThaiNLP's dictionary are built.
TABLES_BUILT = (
    "(__import__('thaidigest.classifier', fromlist=['_']).load_model.cache_info().currsize,"
    " __import__('pythainlp.tokenize', fromlist=['_']).word_dict_trie.cache_info().currsize)"
)
WORKERS_OF = """
from thaidigest.ingest import worker_modules
from thaidigest.pipeline import ArticlePreparer
from thaidigest.workers import ordered_map
preload = worker_modules(ArticlePreparer({arguments}))
print(list(ordered_map(eval, [{check!r}] * 2, workers=2, preload=preload)))
"""


PACKAGED_MODEL = str(resources.files("thaidigest").joinpath(DEFAULT_MODEL))


@pytest.mark.parametrize(
    ("arguments", "built"),
    [
        ("", "[(1, 1), (1, 1)]"),
        ("user_rules=''", "[(1, 1), (1, 1)]"),
        ("user_partners=''", "[(1, 1), (1, 1)]"),
        (f"model_path={PACKAGED_MODEL!r}", "[(0, 0), (0, 0)]"),
    ],
)
def test_workers_start_with_the_packaged_tables_built_once_for_all(
    arguments: str, built: str
) -> None:
    # In a fresh process: a fork server already running keeps what it preloaded. A user's
    # rules or partners are compiled by each worker, beside the packaged model and word
    # tables; a model file named, even the packaged one, is read by each worker.
    code = WORKERS_OF.format(arguments=arguments, check=TABLES_BUILT)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == built


def test_a_list_prepared_stage_by_stage_is_each_article_prepared_alone() -> None:
    raws = [item for item in mixed_input() if isinstance(item, RawArticle)]
    preparer = ArticlePreparer()
    together = preparer.each(raws)
    assert len(together) == len(raws)
    rejected = 0
    for raw, prepared in zip(raws, together, strict=True):
        try:
            alone = preparer(raw)
        except ValueError as error:
            assert isinstance(prepared, ValueError)
            assert str(prepared) == str(error)
            rejected += 1
            continue
        assert not isinstance(prepared, ValueError)
        assert prepared._replace(fingerprint=None) == alone._replace(fingerprint=None)
        assert prepared.fingerprint.to_bytes() == alone.fingerprint.to_bytes()
    assert rejected == 1  # the blank item, between articles


def test_a_rejected_article_leaves_no_garbage_holding_its_batch() -> None:
    # A reason kept with its traceback would hold the frames that prepared the batch, and
    # them its articles, in a cycle only a full collection frees.
    # What else the process holds in cycles (other tests' threads and caches) is not
    # this batch's: the objects a collection finds are looked at, not counted.
    raws = [item for item in mixed_input() if isinstance(item, RawArticle)]
    preparer = ArticlePreparer()
    preparer.each(raws)  # tables built, caches filled
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds is kept in gc.garbage
    try:
        prepared = preparer.each(raws)
        assert sum(isinstance(result, ValueError) for result in prepared) == 1
        del prepared
        gc.collect()
        held = [found for found in gc.garbage if isinstance(found, (RawArticle, ValueError))]
        assert held == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_a_pickled_prepared_article_is_the_same() -> None:
    # What a worker process sends back; the fingerprint is compared in test_dedup.
    (raw,) = [item for item in mixed_input() if isinstance(item, RawArticle)][:1]
    prepared = ArticlePreparer()(raw)
    unpickled = pickle.loads(pickle.dumps(prepared, pickle.HIGHEST_PROTOCOL))
    assert [type(part) for part in unpickled] == [type(part) for part in prepared]
    assert unpickled._replace(fingerprint=None) == prepared._replace(fingerprint=None)
    assert same_fingerprint(unpickled.fingerprint, prepared.fingerprint)


def test_an_article_a_later_stage_refuses_is_rejected_alone(monkeypatch) -> None:
    # No stage after normalising raises on an article today: a refusal is injected.
    raws = [item for item in mixed_input() if isinstance(item, RawArticle)]
    refused_title = normalise_article(raws[2]).title
    real_fingerprint = pipeline.fingerprint

    def refusing(title: str, body: str):
        if title == refused_title:
            raise ValueError("refused by the fingerprint")
        return real_fingerprint(title, body)

    monkeypatch.setattr(pipeline, "fingerprint", refusing)
    prepared = ArticlePreparer().each(raws)
    errors = [index for index, item in enumerate(prepared) if isinstance(item, ValueError)]
    assert str(prepared[2]) == "refused by the fingerprint"
    assert len(errors) == 2  # it, and the blank item normalising rejects
    titles = [item.article.title for item in prepared if not isinstance(item, ValueError)]
    assert refused_title not in titles
    assert len(titles) == len(raws) - 2


def test_an_ingest_freezes_the_older_objects_while_it_runs(store: Store) -> None:
    frozen_during: list[int] = []
    ingestor = build_ingestor(store, clock=clock)
    summary = ingestor.ingest(
        [RawArticle("https://thaigov.go.th/news/contents/details/1", "thaigov", "", "")],
        on_reject=lambda _: frozen_during.append(gc.get_freeze_count()),
    )
    assert summary.rejected == 1
    assert frozen_during[0] > 1000  # the modules' objects, at least
    assert gc.get_freeze_count() == 0  # and given back to the collector after


def test_an_ingest_collects_the_young_objects_less_often_while_it_runs(store: Store) -> None:
    thresholds: list[int] = []
    before = gc.get_threshold()
    ingestor = build_ingestor(store, clock=clock)
    ingestor.ingest(
        [RawArticle("https://thaigov.go.th/news/contents/details/1", "thaigov", "", "")],
        on_reject=lambda _: thresholds.append(gc.get_threshold()[0]),
    )
    assert thresholds == [YOUNG_GC_THRESHOLD] != [before[0]]
    assert gc.get_threshold() == before  # and given back after


def test_a_freeze_within_another_leaves_the_outer_one_in_place() -> None:
    # Frozen objects that die leave the count, so it is compared with room for them:
    # a second freeze would add the 10,000 lists made between the two blocks.
    with older_objects_frozen():
        outer = gc.get_freeze_count()
        made_since = [[] for _ in range(10_000)]
        with older_objects_frozen():
            assert 0 < gc.get_freeze_count() <= outer
        assert 0 < gc.get_freeze_count() <= outer
        del made_since
    assert gc.get_freeze_count() == 0


def test_batch_size_changes_nothing_stored(tmp_path: Path) -> None:
    items = mixed_input()
    _, small = ingest(tmp_path / "small.sqlite", items, workers=1, batch_size=3)
    _, whole = ingest(tmp_path / "whole.sqlite", items, workers=1, batch_size=500)
    assert small == whole


@pytest.mark.parametrize(
    ("size", "took", "expected"),
    [
        (500, 0.05, 500),  # a fast batch: whole batches, as ever
        (500, 0.0, 500),  # faster than the clock ticks
        (500, TRANSACTION_SECONDS * 10, 50),  # slow articles: a tenth as many
        (50, TRANSACTION_SECONDS / 2, 100),  # faster again: more, up to the batch
        (1, TRANSACTION_SECONDS * 100, 1),  # never none
    ],
)
def test_a_slow_transaction_makes_the_next_one_smaller(size, took, expected) -> None:
    assert next_transaction_size(size, took, most=500) == expected


def test_a_url_given_twice_in_one_batch_is_new_then_updated(store: Store) -> None:
    first = corpus_record_article(RECORDS[0])
    edited = RawArticle(first.url, first.source, first.title, first.body + "\nแก้ไขเพิ่มเติม")
    summary = build_ingestor(store, clock=clock).ingest([first, edited, edited])
    assert summary.line() == "read 3, new 1, updated 1, unchanged 1, rejected 0"
    row = store.article_by_url(canonical_url(first.url))
    assert row["versions"] == 2
    assert row["body"].endswith("แก้ไขเพิ่มเติม")


def test_an_imported_history_numbers_a_new_row_and_is_ignored_for_a_known_one(
    store: Store,
) -> None:
    first = corpus_record_article(RECORDS[0])
    moved = replace(first, first_seen="2025-08-01T00:00:00Z", versions=4)
    edited = replace(first, body=first.body + "\nแก้ไขเพิ่มเติม")
    from_the_future = replace(corpus_record_article(RECORDS[1]), first_seen="2099-01-01T00:00:00Z")
    summary = build_ingestor(store, clock=clock).ingest([moved, edited, from_the_future])
    assert summary.line() == "read 3, new 2, updated 1, unchanged 0, rejected 0"
    row = store.article_by_url(canonical_url(first.url))
    assert (row["first_seen"], row["versions"]) == ("2025-08-01T00:00:00Z", 5)
    assert [version["version"] for version in store.versions(row["id"])] == [4, 5]
    again = replace(edited, first_seen="2020-01-01T00:00:00Z", versions=9, body=first.body)
    build_ingestor(store, clock=clock).ingest([again])  # the store's own history wins
    row = store.article_by_url(canonical_url(first.url))
    assert (row["first_seen"], row["versions"]) == ("2025-08-01T00:00:00Z", 6)
    future = store.article_by_url(canonical_url(from_the_future.url))
    assert future["first_seen"] == "2025-09-01T08:00:00Z"  # never found after now


def test_an_imported_last_change_is_kept_between_first_seen_and_now(store: Store) -> None:
    # An export record's last_changed is when a feed reader last saw the entry change:
    # a move to a new database keeps it, but never before the article was found nor
    # after now.
    kept, early, late = (corpus_record_article(record) for record in RECORDS[:3])
    found = "2025-08-01T00:00:00Z"
    records = [
        replace(kept, first_seen=found, last_changed="2025-08-15T09:30:00Z", versions=2),
        replace(early, first_seen=found, last_changed="2025-07-01T00:00:00Z"),
        replace(late, first_seen=found, last_changed="2099-01-01T00:00:00Z"),
    ]
    build_ingestor(store, clock=clock).ingest(records)
    changed = [store.article_by_url(canonical_url(r.url))["last_changed"] for r in records]
    assert changed == ["2025-08-15T09:30:00Z", found, "2025-09-01T08:00:00Z"]


def test_the_rules_file_is_read_once_when_the_ingestor_is_built(
    store: Store, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[groups.digital]\nen = ["quantum networking"]\n', encoding="utf-8")
    ingestor = build_ingestor(store, config={"relevance": {"rules": str(rules)}}, clock=clock)
    rules.write_text("this is [ not TOML", encoding="utf-8")  # edited during the import
    raw = RawArticle(
        "https://thaigov.go.th/news/contents/details/2",
        "thaigov",
        "Thailand and Japan sign a memorandum of cooperation on quantum networking",
        "The two ministers signed the memorandum in Tokyo.",
    )
    assert ingestor.ingest([raw]).line() == "read 1, new 1, updated 0, unchanged 0, rejected 0"
    row = store.article_by_url(raw.url)
    assert row["relevance"] > 0  # scored with the rules as they were: "quantum networking" counts


def test_the_last_visit_in_a_batch_gives_the_fetch_fields(store: Store) -> None:
    first = corpus_record_article(RECORDS[0])
    build_ingestor(store, clock=clock).ingest([first])
    again = replace(first, etag='"v1"', fetch_url="https://thaigov.go.th/mirror/1")
    edited = replace(
        first,
        body=first.body + "\nแก้ไขเพิ่มเติม",
        etag='"v2"',
        fetch_url="https://thaigov.go.th/mirror/2",
    )
    summary = build_ingestor(store, clock=clock).ingest([again, edited])
    assert summary.line() == "read 2, new 0, updated 1, unchanged 1, rejected 0"
    row = store.article_by_url(canonical_url(first.url))
    assert (row["etag"], row["fetch_url"]) == ('"v2"', "https://thaigov.go.th/mirror/2")


def later() -> datetime:
    return datetime(2025, 9, 2, 8, 0, tzinfo=UTC)


def crawl_fields(store: Store, raw: RawArticle) -> tuple:
    row = store.article_by_url(canonical_url(raw.url))
    return row["fetch_url"], row["etag"], row["last_modified"], row["last_seen"]


def test_an_import_keeps_the_crawl_fields_and_drops_the_validators_of_a_text_it_replaces(
    store: Store,
) -> None:
    first = corpus_record_article(RECORDS[0])
    page = "https://thaigov.go.th/mirror/1"
    crawled = replace(first, fetch_url=page, etag='"v1"', last_modified="Fri, 23 Aug 2024 GMT")
    build_ingestor(store, clock=clock).ingest([crawled])
    fields = (page, '"v1"', "Fri, 23 Aug 2024 GMT", "2025-09-01T08:00:00Z")
    assert crawl_fields(store, first) == fields
    importer = build_ingestor(store, clock=later)
    assert importer.ingest([first]).unchanged == 1  # the same text from a file
    assert crawl_fields(store, first) == fields
    edited = replace(first, body=first.body + "\nแก้ไขเพิ่มเติม")
    assert importer.ingest([edited]).updated == 1
    assert crawl_fields(store, first) == (page, None, None, "2025-09-01T08:00:00Z")


def test_an_import_after_a_visit_in_one_batch_drops_that_visits_validators(store: Store) -> None:
    first = corpus_record_article(RECORDS[0])
    build_ingestor(store, clock=clock).ingest([first])
    visit = replace(first, fetch_url="https://thaigov.go.th/mirror/1", etag='"v1"')
    edited = replace(first, body=first.body + "\nแก้ไขเพิ่มเติม")
    summary = build_ingestor(store, clock=later).ingest([visit, edited])
    assert summary.line() == "read 2, new 0, updated 1, unchanged 1, rejected 0"
    assert crawl_fields(store, first) == (
        "https://thaigov.go.th/mirror/1",
        None,
        None,
        "2025-09-02T08:00:00Z",
    )


def test_an_export_record_of_an_earlier_version_keeps_the_stored_text(store: Store) -> None:
    first = corpus_record_article(RECORDS[0])
    edited = replace(first, body=first.body + "\nแก้ไขเพิ่มเติม")
    build_ingestor(store, clock=clock).ingest([first])
    build_ingestor(store, clock=later).ingest([edited])  # changed 2025-09-02T08:00
    exported_before = replace(first, last_changed="2025-09-01T08:00:00Z")
    same_text = replace(edited, last_changed="2025-09-01T08:00:00Z")  # nothing to keep out
    summary = build_ingestor(store, clock=later).ingest([exported_before, same_text])
    assert summary.line() == "read 2, new 0, updated 0, unchanged 2, rejected 0"
    assert summary.older == 1
    row = store.article_by_url(canonical_url(first.url))
    assert row["body"].endswith("แก้ไขเพิ่มเติม")
    assert (row["versions"], row["last_changed"]) == (2, "2025-09-02T08:00:00Z")
    changed_since = replace(first, last_changed="2025-09-02T09:00:00Z")
    assert build_ingestor(store, clock=later).ingest([changed_since]).updated == 1


def test_an_export_record_of_an_earlier_version_an_older_release_wrote_is_kept_out(
    store: Store,
) -> None:
    first = corpus_record_article(RECORDS[0])
    build_ingestor(store, clock=clock).ingest([first])  # changed 2025-09-01T08:00
    url = canonical_url(first.url)
    row = store.article_by_url(url)
    # As a release that kept soft hyphens wrote it: today's normaliser drops them.
    body = row["body"][:8] + "\u00ad" + row["body"][8:]
    written_hash = content_hash(row["title"], body)
    with store.engine.begin() as conn:
        conn.execute(
            articles.update()
            .where(articles.c.url == url)
            .values(body=body, content_hash=written_hash)
        )
        conn.execute(article_versions.update().values(content_hash=written_hash))
    edited = replace(first, body=first.body + "\nแก้ไขเพิ่มเติม")
    build_ingestor(store, clock=later).ingest([edited])  # changed 2025-09-02T08:00
    exported_before = replace(first, last_changed="2025-09-01T08:00:00Z")
    summary = build_ingestor(store, clock=later).ingest([exported_before])
    assert (summary.updated, summary.older) == (0, 1)
    row = store.article_by_url(url)
    assert row["versions"] == 2 and row["body"].endswith("แก้ไขเพิ่มเติม")


def test_an_export_record_dated_before_the_stored_article_with_a_new_text_updates_it(
    store: Store,
) -> None:
    first = corpus_record_article(RECORDS[0])
    build_ingestor(store, clock=later).ingest([first])  # changed 2025-09-02T08:00
    never_stored = replace(
        first, body=first.body + "\nฉบับที่สอง", last_changed="2025-09-01T08:00:00Z"
    )
    summary = build_ingestor(store, clock=later).ingest([never_stored])
    assert (summary.updated, summary.older) == (1, 0)
    row = store.article_by_url(canonical_url(first.url))
    assert (row["versions"], row["body"]) == (2, normalise_article(never_stored).body)


def export_chain(record: dict[str, object]) -> list[RawArticle]:
    """Three exports of one article, each a later edit, all dated before the import."""
    first = corpus_record_article(record)
    return [
        replace(first, body=f"{first.body}\n{edit}", last_changed=changed)
        for edit, changed in (
            ("ฉบับแรก", "2024-08-20T03:00:00Z"),
            ("ฉบับที่สอง", "2024-09-01T00:00:00Z"),
            ("ฉบับที่สาม", "2024-10-01T00:00:00Z"),
        )
    ]


def test_exports_imported_in_turn_each_store_their_newer_text(store: Store) -> None:
    in_turn = export_chain(RECORDS[0])
    for export in in_turn:  # each import dates the article's change at its own time
        build_ingestor(store, clock=later).ingest([export])
    in_one_batch = export_chain(RECORDS[1])
    summary = build_ingestor(store, clock=later).ingest(in_one_batch)
    assert (summary.new, summary.updated, summary.older) == (1, 2, 0)
    for chain in (in_turn, in_one_batch):
        row = store.article_by_url(canonical_url(chain[0].url))
        assert (row["versions"], row["body"]) == (3, normalise_article(chain[2]).body)


def test_an_earlier_version_after_a_newer_one_in_one_batch_is_kept_out(store: Store) -> None:
    first = corpus_record_article(RECORDS[0])
    newer = replace(first, body=first.body + "\nแก้ไขเพิ่มเติม", last_changed="2025-09-01T09:00:00Z")
    again = replace(first, last_changed="2025-09-01T08:00:00Z")  # version 1 of this batch
    text_file = replace(first, where="001.txt")  # no last_changed: it replaces the text
    summary = build_ingestor(store, clock=later).ingest([first, newer, again, text_file])
    assert summary.line() == "read 4, new 1, updated 2, unchanged 1, rejected 0"
    assert summary.older == 1
    row = store.article_by_url(canonical_url(first.url))
    assert row["versions"] == 3 and row["body"] == normalise_article(first).body


def mdes_article(body: str, published: date | None) -> RawArticle:
    return RawArticle(
        "https://www.mdes.go.th/news/detail/11352",
        "mdes",
        "ดีอี ร่วมหารือ MC-48 ร่วมเดินหน้าผลักดันการเปลี่ยนผ่านสู่ดิจิทัล",
        body,
        source_id="11352",
        published_hint=published,
        extraction="selectors",
    )


BODY = "นางปิยนุช วุฒิสอน ได้เข้าร่วมการประชุมคณะกรรมการจัดการ สมัยที่ 48 ณ กรุงกัวลาลัมเปอร์"


def test_a_later_visit_without_a_date_keeps_the_known_one(store: Store) -> None:
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(mdes_article(BODY, date(2024, 11, 19))) == "new"

    assert ingestor.ingest_one(mdes_article(BODY + " แก้ไข", None)) == "updated"
    assert ingestor.ingest_one(mdes_article(BODY + " แก้ไข", None)) == "unchanged"

    row = store.article_by_url(canonical_url("https://www.mdes.go.th/news/detail/11352"))
    assert row["published"] == "2024-11-19"
    assert [v["published"] for v in store.versions(row["id"])] == ["2024-11-19", "2024-11-19"]


def test_a_later_visit_without_a_date_drops_a_stored_date_decades_ahead(store: Store) -> None:
    # An earlier version believed a date line typed 2656 for 2565: 2113. A revisit that
    # shows no date does not keep it; the date is then unknown (a corrected date: a version).
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(mdes_article(BODY, date(2024, 11, 19))) == "new"
    url = canonical_url("https://www.mdes.go.th/news/detail/11352")
    with store.engine.begin() as conn:
        conn.execute(articles.update().where(articles.c.url == url).values(published="2113-12-16"))

    assert ingestor.ingest_one(mdes_article(BODY, None)) == "updated"
    assert store.article_by_url(url)["published"] is None
    # A crawl's revisit hands the stored date back as the hint: not believed either.
    assert ingestor.ingest_one(mdes_article(BODY, date(2113, 12, 16))) == "unchanged"
    assert store.article_by_url(url)["published"] is None


def test_an_unchanged_visit_that_brings_a_date_fills_a_missing_one(store: Store) -> None:
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(mdes_article(BODY, None)) == "new"

    assert ingestor.ingest_one(mdes_article(BODY, date(2024, 11, 19))) == "unchanged"

    row = store.article_by_url(canonical_url("https://www.mdes.go.th/news/detail/11352"))
    assert row["published"] == "2024-11-19"
    assert row["versions"] == 1


def test_a_date_learned_then_changed_in_one_batch_is_the_changed_visits(store: Store) -> None:
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(mdes_article(BODY, None)) == "new"

    summary = ingestor.ingest(
        [mdes_article(BODY, date(2024, 8, 10)), mdes_article(BODY + " แก้ไข", date(2024, 8, 20))]
    )

    assert (summary.unchanged, summary.updated) == (1, 1)
    row = store.article_by_url(canonical_url("https://www.mdes.go.th/news/detail/11352"))
    assert row["published"] == "2024-08-20"  # the last visit's, as its version says
    assert store.versions(row["id"])[-1]["published"] == "2024-08-20"


def test_a_corrected_date_with_the_same_text_is_a_new_version(store: Store) -> None:
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(mdes_article(BODY, date(2024, 11, 19))) == "new"

    assert ingestor.ingest_one(mdes_article(BODY, date(2024, 11, 18))) == "updated"
    assert ingestor.ingest_one(mdes_article(BODY, date(2024, 11, 18))) == "unchanged"

    row = store.article_by_url(canonical_url("https://www.mdes.go.th/news/detail/11352"))
    assert (row["published"], row["versions"]) == ("2024-11-18", 2)
    versions = store.versions(row["id"])
    assert [v["published"] for v in versions] == ["2024-11-19", "2024-11-18"]
    assert versions[0]["body"] == versions[1]["body"] == row["body"]


def test_a_learned_date_then_corrected_moves_from_the_learned_one(store: Store) -> None:
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(mdes_article(BODY, None)) == "new"
    assert ingestor.ingest_one(mdes_article(BODY, date(2024, 11, 19))) == "unchanged"

    assert ingestor.ingest_one(mdes_article(BODY, date(2024, 11, 18))) == "updated"

    row = store.article_by_url(canonical_url("https://www.mdes.go.th/news/detail/11352"))
    assert [v["published"] for v in store.versions(row["id"])] == ["2024-11-19", "2024-11-18"]


THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def test_thai_digits_for_arabic_ones_alone_make_no_new_version(store: Store) -> None:
    ingestor = build_ingestor(store, clock=clock)
    arabic = mdes_article(f"{BODY}\nงบประมาณ 7503 ล้านบาท 300 โครงการ", date(2024, 11, 19))
    thai = replace(arabic, title=arabic.title.translate(THAI_DIGITS))
    thai = replace(thai, body=arabic.body.translate(THAI_DIGITS))
    assert thai.title != arabic.title and thai.body != arabic.body
    assert ingestor.ingest_one(arabic) == "new"
    row = store.article_by_url(canonical_url(arabic.url))

    assert ingestor.ingest_one(thai) == "unchanged"
    assert ingestor.ingest_one(arabic) == "unchanged"
    summary = ingestor.ingest([thai, replace(arabic, published_hint=None)])
    assert (summary.unchanged, summary.updated) == (2, 0)

    after = store.article_by_url(canonical_url(arabic.url))
    assert after["versions"] == 1
    # What was stored stays: its text, and the hash of that text.
    for column in ("title", "body", "content_hash", "published"):
        assert after[column] == row[column], column


def test_a_new_number_in_thai_digits_is_a_new_version(store: Store) -> None:
    ingestor = build_ingestor(store, clock=clock)
    arabic = mdes_article(f"{BODY}\nงบประมาณ 300 โครงการ", date(2024, 11, 19))
    assert ingestor.ingest_one(arabic) == "new"
    changed = replace(arabic, body=arabic.body.replace("300", "๓๐๑").translate(THAI_DIGITS))
    assert ingestor.ingest_one(changed) == "updated"
    redated = replace(
        changed, body=changed.body.replace("๓๐๑", "301"), published_hint=date(2024, 11, 18)
    )
    assert ingestor.ingest_one(redated) == "updated"  # same text, but another date

    row = store.article_by_url(canonical_url(arabic.url))
    assert (row["versions"], row["published"]) == (3, "2024-11-18")


def test_a_paragraph_split_or_joined_at_a_space_makes_no_new_version(store: Store) -> None:
    ingestor = build_ingestor(store, clock=clock)
    joined = mdes_article(f"{BODY}\nงบประมาณ 300 ล้านบาท", date(2024, 11, 19))
    split = replace(joined, body=joined.body.replace("จัดการ สมัยที่", "จัดการ\nสมัยที่"))
    assert split.body.count("\n") == joined.body.count("\n") + 1
    assert ingestor.ingest_one(joined) == "new"
    row = store.article_by_url(canonical_url(joined.url))

    assert ingestor.ingest_one(split) == "unchanged"
    assert ingestor.ingest_one(joined) == "unchanged"
    assert ingestor.ingest([split, joined]).line() == (
        "read 2, new 0, updated 0, unchanged 2, rejected 0"
    )

    after = store.article_by_url(canonical_url(joined.url))
    assert after["versions"] == 1
    for column in ("title", "body", "content_hash", "published"):  # what was stored stays
        assert after[column] == row[column], column
    # A real edit in the split text is one, and stores the text as the page now has it.
    edited = replace(split, body=split.body.replace("300", "301"))
    assert ingestor.ingest_one(edited) == "updated"
    after = store.article_by_url(canonical_url(joined.url))
    assert (after["versions"], after["body"]) == (2, normalise_article(edited).body)


def test_a_br_for_a_space_on_a_crawled_page_makes_no_new_version(store: Store) -> None:
    """A page re-saved with one line wrapped by a ``<br>`` where a space was."""
    url = "https://www.thaigov.go.th/news/contents/details/87371"
    page = (SEEDS / "site" / "news" / "contents" / "details" / "87371.html").read_text("utf-8")
    wrapped = re.sub(r"Working Group\s+ณ", "Working Group<br>ณ", page, count=1)
    assert wrapped != page

    def crawled(html: str) -> RawArticle:
        parsed = thaigov.parse_article(html, url)
        return RawArticle(url, "thaigov", parsed.title, parsed.body, source_id="87371")

    assert crawled(wrapped).body.count("\n") == crawled(page).body.count("\n") + 1
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(crawled(page)) == "new"
    assert ingestor.ingest_one(crawled(wrapped)) == "unchanged"
    assert ingestor.ingest_one(crawled(page)) == "unchanged"
    assert store.article_by_url(canonical_url(url))["versions"] == 1


# A headline and a body as a page writes them, and the same page re-saved with a change a
# reader sees nothing of: direction marks put in, signs written full-width.
UNSEEN_CHANGES = {
    "direction marks": (
        ("ดีอี ร่วมหารือ MC-48", f"{BODY} ASEAN 2025"),
        ("\u200eดีอี ร่วมหารือ MC-48\u200f", f"{BODY}\u200f ASEAN\u061c 2025\u200e"),
    ),
    "full-width signs": (
        ("ดีอี ร่วมหารือ ¥300", f"{BODY} £5 ₩1,000 ¢ ¬ ¯ ¦"),
        ("ดีอี ร่วมหารือ ￥300", f"{BODY} ￡5 ￦1,000 ￠ ￢ ￣ ￤"),
    ),
}


@pytest.mark.parametrize("change", UNSEEN_CHANGES)
def test_a_revisit_changing_only_what_a_reader_cannot_see_makes_no_new_version(
    store: Store, change: str
) -> None:
    (title, body), (resaved_title, resaved_body) = UNSEEN_CHANGES[change]
    page = replace(mdes_article(body, date(2024, 11, 19)), title=title)
    resaved = replace(page, title=resaved_title, body=resaved_body)
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(page) == "new"
    row = store.article_by_url(canonical_url(page.url))

    assert ingestor.ingest_one(resaved) == "unchanged"
    assert ingestor.ingest_one(page) == "unchanged"
    after = store.article_by_url(canonical_url(page.url))
    assert after["versions"] == 1
    for column in ("title", "body", "content_hash"):
        assert after[column] == row[column], column
    edited = replace(resaved, body=f"{resaved_body} แก้ไข")
    assert ingestor.ingest_one(edited) == "updated"


def test_a_stored_database_reimported_is_unchanged_every_article(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'stored.sqlite'}")
    try:
        originals = [corpus_record_article(record) for record in RECORDS]
        first = build_ingestor(store, clock=clock).ingest(originals)
        assert first.new == len(RECORDS)
        rows = list(store.iter_articles())
        assert sum(1 for row in rows if row["published"]) >= len(RECORDS) - 1
        # What databases already hold: the hash of the headline and body alone. A
        # version decision that needs more must not find every stored article changed.
        for row in rows:
            text = f"{row['title']}\n{row['body']}".encode()
            assert row["content_hash"] == hashlib.sha256(text).hexdigest()

        again = build_ingestor(store, clock=clock).ingest(originals)

        assert (
            again.line()
            == f"read {len(RECORDS)}, new 0, updated 0, unchanged {len(RECORDS)}, rejected 0"
        )
        assert [row["versions"] for row in store.iter_articles()] == [1] * len(RECORDS)
    finally:
        store.close()


def raw_texts(store: Store) -> list[tuple[int, str | None]]:
    """``(version, body)`` of every stored version row, as the table holds them."""
    with store.engine.connect() as conn:
        query = select(article_versions.c.version, article_versions.c.body)
        return [tuple(row) for row in conn.execute(query.order_by(article_versions.c.version))]


def test_each_text_is_stored_once_and_every_version_reads_whole(store: Store) -> None:
    first = corpus_record_article(RECORDS[0])
    second = replace(first, body=first.body + "\nแก้ไขครั้งที่หนึ่ง")
    third = replace(first, body=first.body + "\nแก้ไขครั้งที่สอง")
    ingestor = build_ingestor(store, clock=clock)
    ingestor.ingest([first])
    ingestor.ingest([second, third])  # the second version is stored and superseded in one batch
    (row,) = list(store.iter_articles())
    bodies = [version["body"] for version in store.versions(row["id"])]
    assert len(bodies) == 3
    assert bodies[2] == row["body"] and bodies[2].endswith("แก้ไขครั้งที่สอง")
    assert bodies[1].endswith("แก้ไขครั้งที่หนึ่ง")
    assert bodies[0] not in (bodies[1], bodies[2]) and "แก้ไข" not in bodies[0]
    # The current version's text is the article row's; the superseded ones keep theirs.
    assert raw_texts(store) == [(1, bodies[0]), (2, bodies[1]), (3, None)]
    ingestor.ingest([first])  # back to the first text: a fourth version
    assert [version["body"] for version in store.versions(row["id"])] == [*bodies, bodies[0]]
    assert raw_texts(store) == [(1, bodies[0]), (2, bodies[1]), (3, bodies[2]), (4, None)]


def test_a_schema_2_database_stores_the_current_text_once(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    store = Store(f"sqlite:///{path}")
    first = corpus_record_article(RECORDS[0])
    ingestor = build_ingestor(store, clock=clock)
    ingestor.ingest([first])
    ingestor.ingest([replace(first, body=first.body + "\nแก้ไขเพิ่มเติม")])
    (row,) = list(store.iter_articles())
    versions = store.versions(row["id"])
    store.close()
    with sqlite3.connect(path) as conn:  # the table as schema 2 left it: every text, NOT NULL
        conn.executescript(
            """
            CREATE TABLE old (id INTEGER PRIMARY KEY,
                article_id INTEGER NOT NULL REFERENCES articles (id),
                version INTEGER NOT NULL, seen_at TEXT NOT NULL, content_hash TEXT NOT NULL,
                title TEXT NOT NULL, body TEXT NOT NULL, published TEXT,
                UNIQUE (article_id, version));
            INSERT INTO old SELECT v.id, v.article_id, v.version, v.seen_at, v.content_hash,
                coalesce(v.title, a.title), coalesce(v.body, a.body), v.published
                FROM article_versions AS v JOIN articles AS a ON a.id = v.article_id;
            DROP TABLE article_versions;
            ALTER TABLE old RENAME TO article_versions;
            CREATE INDEX ix_versions_seen_at ON article_versions (seen_at);
            UPDATE meta SET value = '2' WHERE key = 'schema_version';
            """
        )
        assert None not in [body for (body,) in conn.execute("SELECT body FROM article_versions")]
    store = Store(f"sqlite:///{path}")
    try:
        assert store.versions(row["id"]) == versions
        assert raw_texts(store) == [(1, versions[0]["body"]), (2, None)]
        with store.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'")
            assert version.scalar() == str(SCHEMA_VERSION)
            indexes = conn.exec_driver_sql("PRAGMA index_list(article_versions)").all()
            assert "ix_versions_seen_at" in {index[1] for index in indexes}
        build_ingestor(store, clock=clock).ingest([first])  # and it takes a third version
        assert [v["body"] for v in store.versions(row["id"])] == [
            *(v["body"] for v in versions),
            versions[0]["body"],
        ]
    finally:
        store.close()


def test_two_stores_opening_an_old_database_at_once_upgrade_it_once(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    Store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:  # the database as schema 1 left it
        conn.execute("ALTER TABLE articles DROP COLUMN partners")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer: both stores read schema 1, then wait
    outcomes: list[str] = []

    def open_store() -> None:
        try:
            Store(f"sqlite:///{path}").close()
            outcomes.append("opened")
        except Exception as error:  # the test reports any failure
            outcomes.append(repr(error))

    threads = [threading.Thread(target=open_store) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # time to reach the upgrade; sooner or later, the outcome must not change
    holder.execute("ROLLBACK")
    holder.close()
    for thread in threads:
        thread.join(timeout=60)
    # Without the write lock taken before the version is read again, the second
    # store would add the partners column a second time and fail.
    assert outcomes == ["opened", "opened"]
    store = Store(f"sqlite:///{path}")
    try:
        with store.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'")
            assert version.scalar() == str(SCHEMA_VERSION)
    finally:
        store.close()


def test_a_body_stored_before_numeric_date_lines_were_read_is_unchanged(store: Store) -> None:
    """Databases written before ``16/12/2565`` was read as a date hold it as the first
    body line of a third of thaigov's articles: a revisit must not make a version of each."""
    raw = RawArticle(
        "https://www.thaigov.go.th/news/contents/details/62728",
        "thaigov",
        "รัฐบาลส่งเสริม Digital Startup เข้าถึงตลาดจัดซื้อจัดจ้างภาครัฐ",
        f"วันศุกร์ที่ 16 ธันวาคม 2565\n16/12/2565\nพิมพ์\n{BODY}",
        source_id="62728",
        extraction="selectors",
    )
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(raw) == "new"
    row = store.article_by_url(canonical_url(raw.url))
    assert row["body"] == BODY and row["published"] == "2022-12-16"
    old_body = f"16/12/2565\n{BODY}"  # as the numeric date line was kept then
    old_hash = hashlib.sha256(f"{row['title']}\n{old_body}".encode()).hexdigest()
    with store.engine.begin() as conn:
        conn.execute(
            articles.update()
            .where(articles.c.id == row["id"])
            .values(body=old_body, content_hash=old_hash)
        )
        conn.execute(
            article_versions.update()
            .where(article_versions.c.article_id == row["id"])
            .values(content_hash=old_hash)
        )

    assert ingestor.ingest_one(raw) == "unchanged"
    edited = replace(raw, body=raw.body + "\nแก้ไขเพิ่มเติม")
    assert ingestor.ingest_one(edited) == "updated"  # a real edit still is one
    assert store.article_by_url(canonical_url(raw.url))["versions"] == 2


def test_a_fallback_page_never_replaces_an_article_the_selectors_read(store: Store) -> None:
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(mdes_article(BODY, date(2024, 11, 19))) == "new"
    notice = replace(
        mdes_article("ขออภัยในความไม่สะดวก", None),
        title="ปิดปรับปรุงระบบชั่วคราว",
        extraction="fallback",
    )

    summary = ingestor.ingest([notice])

    assert (summary.suspicious, summary.updated) == (1, 0)
    assert summary.line().endswith(", kept 1 suspicious")
    row = store.article_by_url(canonical_url(notice.url))
    assert (row["body"], row["versions"], row["extraction"]) == (BODY, 1, "selectors")


def test_a_fallback_page_with_the_stored_headline_updates_the_article(store: Store) -> None:
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(mdes_article(BODY, date(2024, 11, 19))) == "new"
    changed = replace(mdes_article(BODY + " แก้ไข", None), extraction="fallback")

    assert ingestor.ingest_one(changed) == "updated"

    row = store.article_by_url(canonical_url(changed.url))
    assert (row["body"], row["versions"]) == (BODY + " แก้ไข", 2)


THAIGOV_HEADLINE = "รัฐบาลส่งเสริม Digital Startup เข้าถึงตลาดจัดซื้อจัดจ้างภาครัฐ"
THAIGOV_DATE_LINE = "วันศุกร์ที่ 16 ธันวาคม 2565"


def thaigov_read(body: str, extraction: str) -> RawArticle:
    return RawArticle(
        "https://www.thaigov.go.th/news/contents/details/62728",
        "thaigov",
        THAIGOV_HEADLINE,
        body,
        source_id="62728",
        category="ด้านเศรษฐกิจ",
        extraction=extraction,
    )


# A selectors read holds the page's lines at its top (the normaliser takes them out); a
# fallback read may hold them anywhere (a parser that leaves them, an older crawler's).
SELECTORS_READ = f"{THAIGOV_DATE_LINE}\n16/12/2565\nพิมพ์\n{THAIGOV_HEADLINE}\n{BODY}"
FALLBACK_READS = [
    f"{BODY}\n{THAIGOV_HEADLINE}\nด้านเศรษฐกิจ\n{THAIGOV_DATE_LINE}\n16/12/2565",
    f"ด้านเศรษฐกิจ\n{BODY}\n{THAIGOV_DATE_LINE}",
]


@pytest.mark.parametrize("fallback_body", FALLBACK_READS)
def test_a_fallback_read_of_the_stored_text_and_the_pages_lines_is_no_new_version(
    store: Store, fallback_body: str
) -> None:
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(thaigov_read(SELECTORS_READ, "selectors")) == "new"

    assert ingestor.ingest_one(thaigov_read(fallback_body, "fallback")) == "unchanged"
    assert ingestor.ingest_one(thaigov_read(SELECTORS_READ, "selectors")) == "unchanged"

    row = store.article_by_url(canonical_url(thaigov_read("", "selectors").url))
    assert (row["body"], row["versions"], row["extraction"]) == (BODY, 1, "selectors")
    assert row["published"] == "2022-12-16"


def test_a_fallback_read_with_an_edit_among_the_pages_lines_is_a_new_version(
    store: Store,
) -> None:
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(thaigov_read(SELECTORS_READ, "selectors")) == "new"
    edited = FALLBACK_READS[0].replace(BODY, f"{BODY} แก้ไข")

    assert ingestor.ingest_one(thaigov_read(edited, "fallback")) == "updated"
    assert store.article_by_url(canonical_url(thaigov_read("", "selectors").url))["versions"] == 2


def visited(raw: RawArticle) -> RawArticle:
    """``raw`` as a crawl's visit of its page reads it."""
    return replace(raw, fetch_url=raw.url)


def test_the_selectors_read_of_a_text_the_fallback_stored_makes_it_theirs(store: Store) -> None:
    """A revisit whose selectors read the text a fallback read stored is no new version,
    and the row's extraction is theirs: it stayed ``fallback`` for good. A later fallback
    read of that text (the selectors broken again) leaves it theirs."""
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(visited(thaigov_read(BODY, "fallback"))) == "new"
    url = canonical_url(thaigov_read("", "fallback").url)
    assert store.article_by_url(url)["extraction"] == "fallback"

    assert ingestor.ingest_one(visited(thaigov_read(SELECTORS_READ, "selectors"))) == "unchanged"
    row = store.article_by_url(url)
    assert (row["body"], row["versions"], row["extraction"]) == (BODY, 1, "selectors")

    assert ingestor.ingest_one(visited(thaigov_read(FALLBACK_READS[1], "fallback"))) == "unchanged"
    assert store.article_by_url(url)["extraction"] == "selectors"


def test_a_story_copy_the_selectors_read_again_is_ranked_as_a_complete_one(store: Store) -> None:
    """Deduplication ranks a fallback read after every complete one among a story's copies:
    the release, read by the fallback, gave the role to a later copy; the selectors reading
    its unchanged text, it is the earliest complete copy and takes the role back."""
    release = visited(replace(RELEASE, extraction="fallback"))
    copy = visited(mdes_copy(7003, published=date(2024, 8, 22)))
    crawled_at(store, [release], "2024-08-21T03:00")
    crawled_at(store, [copy], "2024-08-22T03:00")
    assert representative(store, release) == url_of(copy)

    crawled_at(store, [replace(release, extraction="selectors")], "2024-08-23T03:00")

    assert representative(store, copy) == url_of(release)
    assert store.article_by_url(url_of(release))["versions"] == 1


def test_a_revisit_stores_the_category_the_page_now_names(store: Store) -> None:
    """The text unchanged, the page filed under another category: the row's category is
    the page's (it stayed the first one read), without a new version; a read that names
    none (the fallback's) keeps it."""
    ingestor = build_ingestor(store, clock=clock)
    first = visited(thaigov_read(SELECTORS_READ, "selectors"))
    assert ingestor.ingest_one(first) == "new"
    moved = replace(first, category="ด้านสังคม")

    assert ingestor.ingest_one(moved) == "unchanged"

    url = canonical_url(first.url)
    row = store.article_by_url(url)
    assert (row["category"], row["versions"]) == ("ด้านสังคม", 1)
    assert ingestor.ingest_one(replace(moved, category=None)) == "unchanged"
    assert store.article_by_url(url)["category"] == "ด้านสังคม"


def test_a_new_version_read_naming_no_category_keeps_the_stored_one(store: Store) -> None:
    """An edited page read by the fallback (which reads no category) stored its new
    version with no category: the category the selectors read was lost, where an
    unchanged page so read keeps it. A new version that names one gives it."""
    ingestor = build_ingestor(store, clock=clock)
    first = visited(thaigov_read(SELECTORS_READ, "selectors"))
    assert ingestor.ingest_one(first) == "new"
    url = canonical_url(first.url)
    edited = replace(
        first, body=f"{SELECTORS_READ}\nข้อความที่เพิ่มในภายหลัง", category=None, extraction="fallback"
    )

    assert ingestor.ingest_one(edited) == "updated"

    row = store.article_by_url(url)
    assert (row["category"], row["versions"], row["extraction"]) == ("ด้านเศรษฐกิจ", 2, "fallback")
    moved = replace(first, body=f"{SELECTORS_READ}\nแก้ไขอีกครั้ง", category="ด้านสังคม")
    assert ingestor.ingest_one(moved) == "updated"
    assert store.article_by_url(url)["category"] == "ด้านสังคม"


def test_two_visits_of_a_page_in_one_batch_keep_what_the_first_read_stored(
    store: Store,
) -> None:
    """The page given twice in a batch: a later read that names no category or extraction
    (the fallback's, a page that came back empty) put the row back as the first read found
    it, though its place among its copies was already the selectors' read's."""
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(visited(thaigov_read(BODY, "fallback"))) == "new"
    url = canonical_url(thaigov_read("", "fallback").url)
    selectors = replace(visited(thaigov_read(SELECTORS_READ, "selectors")), category="ด้านสังคม")
    later_reads = [
        replace(selectors, category=None, extraction="fallback"),  # the text, read so
        visited(thaigov_read("", "selectors")),  # came back empty
    ]
    for later in later_reads:
        ingestor.ingest([selectors, later])

        row = store.article_by_url(url)
        assert (row["extraction"], row["category"], row["body"]) == (
            "selectors",
            "ด้านสังคม",
            BODY,
        )


def test_a_category_of_invisible_characters_names_none(store: Store) -> None:
    """A category that normalising empties (a zero-width space) named the empty category,
    which replaced the stored one."""
    ingestor = build_ingestor(store, clock=clock)
    first = visited(thaigov_read(SELECTORS_READ, "selectors"))
    assert ingestor.ingest_one(first) == "new"
    stored_category = store.article_by_url(canonical_url(first.url))["category"]
    assert stored_category

    assert ingestor.ingest_one(replace(first, category="\u200b")) == "unchanged"
    assert store.article_by_url(canonical_url(first.url))["category"] == stored_category


def signed_statement_stored(store: Store) -> tuple[Ingestor, str, dict]:
    """An ingestor that stored, from a selectors read, a statement signed with a date at
    its end; the stored body and row."""
    paragraphs = [BODY, *(f"{BODY} ย่อหน้าที่ {number}" for number in range(2, 6))]
    signed = "\n".join([*paragraphs, "15 ธันวาคม 2565"])
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(thaigov_read(f"{THAIGOV_DATE_LINE}\n{signed}", "selectors")) == "new"
    row = store.article_by_url(canonical_url(thaigov_read("", "selectors").url))
    assert row["body"] == signed
    return ingestor, signed, row


def test_a_date_line_the_stored_text_holds_stays_text_in_a_fallback_read(store: Store) -> None:
    """A statement signed with a date (after the top of the body, where the normaliser
    leaves it) keeps it in a fallback read: only page lines the stored text lacks go."""
    ingestor, signed, _ = signed_statement_stored(store)

    fallback_body = f"{signed}\nด้านเศรษฐกิจ\n{THAIGOV_DATE_LINE}"
    assert ingestor.ingest_one(thaigov_read(fallback_body, "fallback")) == "unchanged"
    unsigned = f"{signed.removesuffix('15 ธันวาคม 2565')}16 ธันวาคม 2565"
    assert ingestor.ingest_one(thaigov_read(unsigned, "fallback")) == "updated"


@pytest.mark.parametrize(
    "stored_date_line",
    ["15&nbsp;ธันวาคม 2565", "15 ธันวาคม ２５６５", "\u200e15 ธันวาคม 2565"],
    ids=["left-over nbsp", "full-width digits", "direction mark"],
)
def test_a_date_line_an_older_release_stored_stays_text_in_a_fallback_read(
    store: Store, stored_date_line: str
) -> None:
    """The signature's date line as an older release stored it (before ``&nbsp;``,
    full-width digits and direction marks were normalised) is the line the fallback read
    holds as normalised today: text the stored article has, not a page line."""
    from thaidigest.normalise import content_hash

    ingestor, signed, row = signed_statement_stored(store)
    older = signed.replace("15 ธันวาคม 2565", stored_date_line)
    with store.engine.begin() as conn:  # the row as an earlier release wrote it
        conn.execute(
            articles.update()
            .where(articles.c.id == row["id"])
            .values(body=older, content_hash=content_hash(row["title"], older))
        )

    fallback_body = f"{signed}\nด้านเศรษฐกิจ\n{THAIGOV_DATE_LINE}"
    assert ingestor.ingest_one(thaigov_read(fallback_body, "fallback")) == "unchanged"
    after = store.article_by_url(canonical_url(thaigov_read("", "selectors").url))
    assert (after["body"], after["versions"]) == (older, 1)


# A headline and a body as thaidigest stored them before it normalised each variant,
# and the same page as it normalises it now.
STORED_VARIANTS = {
    "soft hyphens": ("ดีอี ร่วมหารือ MC\u00ad48", f"{BODY} เศรษ\u00adฐกิจ"),
    "left-over references": ("ดีอี&nbsp;ร่วมหารือ &quot;MC-48&quot;", f"{BODY} &#8211; ASEAN"),
    "full-width forms": ("ดีอี ร่วมหารือ ＭＣ－４８", f"{BODY} ＡＳＥＡＮ ２０２５"),
    "direction marks": ("\u200eดีอี ร่วมหารือ MC-48", f"{BODY}\u200f ASEAN\u061c 2025"),
    "full-width signs": ("ดีอี ร่วมหารือ ￥300", f"{BODY} ￡5 ￦1,000"),
    "noncharacters": ("ดีอี ร่วมหารือ MC-48\ufffe", f"{BODY} เศรษ\uffffฐกิจ\ufdd0 ASEAN"),
    # Lines those characters make boilerplate, which normalisation now drops: the
    # headline repeated atop the body, a separator, a share button.
    "lines now boilerplate": (
        'ดีอี ร่วมหารือ "MC-48"',
        f"ดีอี ร่วมหารือ &quot;MC-48&quot;\n{BODY}\n&#8212;&#8212;&#8212;\nShare this&#58;\nASEAN",
    ),
}


@pytest.mark.parametrize("variant", STORED_VARIANTS)
def test_a_text_stored_with_a_variant_read_again_without_it_is_unchanged(
    store: Store, variant: str
) -> None:
    from thaidigest.normalise import content_hash

    title, body = STORED_VARIANTS[variant]
    ingestor = build_ingestor(store, clock=clock)
    raw = replace(mdes_article(body, date(2024, 11, 19)), title=title)
    assert ingestor.ingest_one(raw) == "new"
    url = canonical_url(raw.url)
    row_id = store.article_by_url(url)["id"]
    with store.engine.begin() as conn:  # the row as an earlier release wrote it
        conn.execute(
            articles.update()
            .where(articles.c.id == row_id)
            .values(title=title, body=body, content_hash=content_hash(title, body))
        )
    before = store.article_by_url(url)

    assert ingestor.ingest_one(raw) == "unchanged"
    after = store.article_by_url(url)
    assert after["versions"] == 1
    for column in ("title", "body", "content_hash"):  # what was stored stays
        assert after[column] == before[column], column
    edited = replace(raw, body=f"{body} แก้ไข")
    assert ingestor.ingest_one(edited) == "updated"


def test_new_articles_are_inserted_without_binding_each_row_in_sqlalchemy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite takes a batch's new rows as tuples: SQLAlchemy's per-row binding, a third
    of the cost of writing a new article, is left out."""
    items = [item for item in mixed_input() if isinstance(item, RawArticle)]
    bound = 0
    construct_params = SQLCompiler.construct_params

    def counted(self, *args, **kwargs):
        nonlocal bound
        if self.isinsert and self.statement.table in (articles, article_versions):
            bound += 1
        return construct_params(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "construct_params", counted)
    summary, rows = ingest(tmp_path / "counted.sqlite", items, workers=1, batch_size=100)
    assert summary.new == len(rows["articles"]) > 10
    assert bound == 0
    assert len(rows["article_versions"]) == summary.new + summary.updated


# --- One page, its stray % written bare or as %25 --------------------------------

# A path is stored as written; every output publishes its stray % as %25 (clean_link),
# so the link copied from a digest or a feed names the page stored under the bare %.
BARE = "https://example.org/news/100%/digital-mou"
ESCAPED = "https://example.org/news/100%25/digital-mou"
EDIT = "\nแก้ไขเพิ่มเติม"


def at(url: str, edit: str = "", *, visit: bool = False) -> RawArticle:
    """The article of ``RECORDS[0]`` found at ``url`` (a page a crawl fetched if ``visit``)."""
    record = corpus_record_article(RECORDS[0])
    return replace(
        record,
        url=url,
        source="file",
        source_id=None,
        body=record.body + edit,
        fetch_url=url if visit else None,
    )


def stored_urls(store: Store) -> list[str]:
    return [row["url"] for row in store.iter_articles()]


@pytest.mark.parametrize("visit", [False, True], ids=["imported", "crawled"])
@pytest.mark.parametrize(
    ("first", "again"), [(BARE, ESCAPED), (ESCAPED, BARE)], ids=["bare-first", "escaped-first"]
)
def test_a_page_read_again_with_its_stray_percent_written_otherwise_is_its_stored_row(
    store: Store, first: str, again: str, visit: bool
) -> None:
    """An article stored under one form of a stray ``%`` and read again under the other
    (the link copied from a digest) was a second row, the deduplicator's copy of the first."""
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(at(first)) == "new"

    assert ingestor.ingest_one(at(again, visit=visit)) == "unchanged"
    assert ingestor.ingest_one(at(again, EDIT, visit=visit)) == "updated"

    assert stored_urls(store) == [first]
    row = store.article_by_url(first)
    assert (row["versions"], row["duplicate_of"]) == (2, None)
    assert row["body"].endswith(EDIT.strip())
    assert row["fetch_url"] == (again if visit else None)


def test_both_forms_of_a_stray_percent_in_one_batch_are_one_row(store: Store) -> None:
    summary = build_ingestor(store, clock=clock).ingest([at(BARE), at(ESCAPED, EDIT)])

    assert summary.line() == "read 2, new 1, updated 1, unchanged 0, rejected 0"
    assert stored_urls(store) == [BARE]
    assert store.article_by_url(BARE)["versions"] == 2


def test_a_page_held_under_both_forms_of_a_stray_percent_keeps_each_records_row(
    store: Store,
) -> None:
    """A database written before holds the page under both forms, and its export both
    records: imported again, each record is its own row's, and changes nothing."""
    build_ingestor(store, clock=clock).ingest([at(BARE), at(f"{BARE}-placeholder", EDIT)])
    with store.transaction() as conn:  # as that release stored it
        placeholder = articles.c.url == f"{BARE}-placeholder"
        conn.execute(update(articles).where(placeholder).values(url=ESCAPED))

    summary = build_ingestor(store, clock=clock).ingest([at(BARE), at(ESCAPED, EDIT)])

    assert summary.line() == "read 2, new 0, updated 0, unchanged 2, rejected 0"
    assert stored_urls(store) == [BARE, ESCAPED]


def test_an_escaped_percent_is_not_the_character_it_escapes(store: Store) -> None:
    """``%2541`` is a ``%`` and ``41`` written so, not ``%41`` (``A``): two pages."""
    build_ingestor(store, clock=clock).ingest(
        [at("https://example.org/news/100%2541"), at("https://example.org/news/100%41", EDIT)]
    )

    assert len(stored_urls(store)) == 2


@pytest.mark.parametrize("batches", [1, 2], ids=["one-batch", "a-batch-each"])
def test_an_export_of_a_page_held_under_both_forms_of_a_stray_percent_gives_both_rows_back(
    store: Store, batches: int
) -> None:
    """An export record is a row as its database stored it. Imported into an empty database,
    the copy's record under the other form was the first row's new version: the copy's stale
    text replaced the page's edit, and one row of the two was lost."""
    records = [
        replace(
            at(BARE, EDIT),
            first_seen="2025-08-01T03:00:00Z",
            last_changed="2025-08-20T03:00:00Z",
            versions=2,
        ),
        replace(
            at(ESCAPED), first_seen="2025-08-10T03:00:00Z", last_changed="2025-08-10T03:00:00Z"
        ),
    ]
    ingestor = build_ingestor(store, clock=clock)
    if batches == 1:
        assert ingestor.ingest(records).line() == (
            "read 2, new 2, updated 0, unchanged 0, rejected 0"
        )
    else:
        assert [ingestor.ingest([record]).new for record in records] == [1, 1]

    assert stored_urls(store) == [BARE, ESCAPED]
    assert store.article_by_url(BARE)["body"].endswith(EDIT.strip())
    assert store.article_by_url(BARE)["versions"] == 2


def test_a_text_imported_under_the_other_form_of_an_exported_row_is_that_rows(store: Store) -> None:
    """Only the export record keeps its own form: a .txt file or a crawl of the link as
    published is the exported row's, in the same batch too."""
    exported = replace(at(BARE), first_seen="2025-08-01T03:00:00Z", last_changed=None)
    summary = build_ingestor(store, clock=clock).ingest([exported, at(ESCAPED, EDIT)])

    assert summary.line() == "read 2, new 1, updated 1, unchanged 0, rejected 0"
    assert stored_urls(store) == [BARE]


@pytest.mark.parametrize(
    "again",
    [
        "https://www.thaigov.go.th:443/news/contents/details/87382",
        "https://www.thaigov.go.th./news/contents/details/87382",
        "https://www.www.thaigov.go.th/news/contents/details/87382",
    ],
)
def test_a_site_article_read_again_under_another_form_of_its_host_is_its_stored_row(
    store: Store, again: str
) -> None:
    first = "https://www.thaigov.go.th/news/contents/details/87382"
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(at(first)) == "new"

    assert ingestor.ingest_one(at(again, EDIT)) == "updated"

    assert stored_urls(store) == ["https://thaigov.go.th/news/contents/details/87382"]


# --- One page, its path in Thai or its escapes -------------------------------------

THAI_PAGE = "https://example.org/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7/digital-mou"
THAI_PAGE_SPELLINGS = [
    "https://example.org/ข่าว/digital-mou",
    "https://example.org/%e0%b8%82%e0%b9%88%e0%b8%b2%e0%b8%a7/digital-mou",
    "https://example.org/%E0%B8%82่าว/digital-mou",
]


@pytest.mark.parametrize("visit", [False, True], ids=["imported", "crawled"])
@pytest.mark.parametrize("again", THAI_PAGE_SPELLINGS)
def test_a_page_read_again_with_its_path_encoded_otherwise_is_its_stored_row(
    store: Store, again: str, visit: bool
) -> None:
    """The same page read under its Thai path as escapes, as characters, or a mix of the
    two was a row for each spelling."""
    ingestor = build_ingestor(store, clock=clock)
    assert ingestor.ingest_one(at(THAI_PAGE)) == "new"

    assert ingestor.ingest_one(at(again, visit=visit)) == "unchanged"
    assert ingestor.ingest_one(at(again, EDIT, visit=visit)) == "updated"

    assert stored_urls(store) == [THAI_PAGE]


def test_a_page_a_database_holds_under_its_path_as_written_keeps_that_row(
    store: Store,
) -> None:
    """A row stored before the path's encoding was made one keeps its address: the page
    imported again under it is that row's, not a second one."""
    written = THAI_PAGE_SPELLINGS[0]
    build_ingestor(store, clock=clock).ingest([at(THAI_PAGE)])
    with store.transaction() as conn:  # as that release stored it
        conn.execute(update(articles).where(articles.c.url == THAI_PAGE).values(url=written))

    assert build_ingestor(store, clock=clock).ingest_one(at(written, EDIT)) == "updated"

    assert stored_urls(store) == [written]


def test_an_imported_article_is_recent_by_its_published_date_in_bangkok(store: Store) -> None:
    """Revisiting since 25 August 18:00 UTC (26 August 01:00 in Bangkok): an imported
    article published on 25 August, a Bangkok date that had ended, is not recent; one
    published on the 26th is."""
    Ingestor(store).ingest(
        RawArticle(
            url=f"https://www.thaigov.go.th/news/contents/details/{day}",
            source="thaigov",
            title=f"ข่าววันที่ {day}",
            body="เนื้อข่าว",
            source_id=str(day),
            published_hint=date(2024, 8, day),
        )
        for day in (25, 26)
    )
    since = datetime(2024, 8, 25, 18, tzinfo=UTC)
    recent = store.recent_articles("thaigov", since)
    assert [row["published"] for row in recent] == ["2024-08-26"]
