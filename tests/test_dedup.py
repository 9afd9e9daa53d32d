"""Deduplication through the real ingestor and store, on real thaigov articles."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest
from datasketch import MinHash
from sqlalchemy import func, select, update

from tests.conftest import DATA
from thaidigest.dedup import (
    MINHASH_SCHEME,
    MINHASH_SEED,
    NUM_PERM,
    SHINGLE_CHARS,
    Deduplicator,
    fold,
    minhash_values,
    shingle_hashes,
)
from thaidigest.ingest import Ingestor
from thaidigest.model import RawArticle
from thaidigest.pipeline import build_ingestor
from thaidigest.readers import corpus_record_article
from thaidigest.store import Store, articles, fingerprints

RECORDS = {
    record["id"]: record
    for record in map(json.loads, (DATA / "dedup_articles.jsonl").read_text("utf-8").splitlines())
}
ORIGINAL = 35486  # a DES release of 28 September 2020
OTHER = 36830
SERIES_PAIRS = {
    "weekly fake-news summary": (52492, 52735),
    "weekly informal-debt report": (82192, 82546),
    "daily BMTA announcement": (41893, 41932),
    "cabinet meeting synopsis": (49246, 49929),
}


def clock() -> datetime:
    return datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def article(record_id: int, url: str | None = None, text: str | None = None) -> RawArticle:
    """A corpus article, optionally under another URL or with another text."""
    record = RECORDS[record_id]
    fields = {"id": None if url else record_id, "url": url or record["url"], "category": None}
    return corpus_record_article({**fields, "text": text or record["text"]})


def ingest(store: Store, *items: RawArticle) -> None:
    build_ingestor(store, clock=clock).ingest(items)


def duplicate_of(store: Store, url: str) -> str | None:
    row = store.article_by_url(url)
    assert row is not None, url
    return row["duplicate_of"]


def thaigov(number: int) -> str:
    return f"https://thaigov.go.th/news/contents/details/{number}"


ORIGINAL_URL = thaigov(ORIGINAL)
ORIGINAL_TEXT = RECORDS[ORIGINAL]["text"]


# --- Fingerprints ------------------------------------------------------------


def test_fold_keeps_thai_marks_and_drops_spaces_punctuation_and_zero_width() -> None:
    assert fold("ข่าว ๑๒", "Hello,\u200b World! (ที่นี่)") == "ข่าว12helloworldที่นี่"


def test_shingle_hashes_are_the_high_bits_of_a_polynomial_hash_of_code_points() -> None:
    text = "ดีอีเอสabc"
    base = 0x9E3779B97F4A7C15
    expected = []
    for start in range(len(text) - SHINGLE_CHARS + 1):
        value = 0
        for char in text[start : start + SHINGLE_CHARS]:
            value = (value * base + ord(char)) % 2**64
        expected.append(value >> 32)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    assert shingle_hashes(codes).tolist() == expected


def test_signature_equals_datasketch_minhash_of_the_same_hashes() -> None:
    codes = np.frombuffer(fold("หัวข้อ", ORIGINAL_TEXT).encode("utf-32-le"), dtype="<u4")
    hashes = shingle_hashes(codes)
    reference = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME, hashfunc=int)
    reference.update_batch(hashes.tolist())
    assert minhash_values(hashes).tolist() == reference.hashvalues.tolist()


# --- Clusters ----------------------------------------------------------------


def test_exact_repost_under_another_url_in_the_same_batch_is_a_duplicate(store: Store) -> None:
    ingest(store, article(ORIGINAL), article(ORIGINAL, thaigov(9_000_001)))
    assert duplicate_of(store, thaigov(9_000_001)) == ORIGINAL_URL
    assert duplicate_of(store, ORIGINAL_URL) is None


def republished(text: str) -> str:
    """The original re-wrapped, with boilerplate, one sentence changed and a new headline."""
    title, _, body = text.partition("\n")
    lines = body.split("\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    words = lines[longest].split(" ")
    half = len(words) // 2
    words[1] = "ทั้งนี้กระทรวงได้ชี้แจงรายละเอียดเพิ่มเติมต่อสื่อมวลชนในวันเดียวกัน"
    lines[longest : longest + 1] = [" ".join(words[:half]), " ".join(words[half:])]
    headline = title.removeprefix("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-")
    return "\n".join(
        [
            f"ดีอี เผย {headline}",
            "ข่าวประชาสัมพันธ์ กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
            *lines,
            "ติดตามข่าวสารเพิ่มเติมได้ที่ www.mdes.go.th",
        ]
    )


def test_republished_copy_with_edits_is_caught_by_the_near_duplicate_path(store: Store) -> None:
    ingest(
        store, article(ORIGINAL), article(ORIGINAL, thaigov(9_000_002), republished(ORIGINAL_TEXT))
    )
    assert duplicate_of(store, thaigov(9_000_002)) == ORIGINAL_URL
    with store.engine.connect() as conn:
        distinct = conn.execute(select(func.count(fingerprints.c.exact_hash.distinct()))).scalar()
    assert distinct == 2


def test_mdes_copy_of_a_thaigov_release_joins_its_cluster(store: Store) -> None:
    mdes_url = "https://mdes.go.th/news/detail/4321"
    ingest(store, article(ORIGINAL))
    ingest(store, article(ORIGINAL, mdes_url, republished(ORIGINAL_TEXT)))
    assert store.article_by_url(mdes_url)["source"] == "mdes"
    assert duplicate_of(store, mdes_url) == ORIGINAL_URL


def test_earlier_published_copy_arriving_later_becomes_the_representative(store: Store) -> None:
    earlier = ORIGINAL_TEXT.replace("วันจันทร์ที่ 28 กันยายน 2563", "วันอาทิตย์ที่ 27 กันยายน 2563")
    assert earlier != ORIGINAL_TEXT
    ingest(store, article(ORIGINAL), article(ORIGINAL, thaigov(9_000_003)))
    ingest(store, article(ORIGINAL, "https://mdes.go.th/news/detail/77", earlier))
    assert duplicate_of(store, "https://mdes.go.th/news/detail/77") is None
    assert duplicate_of(store, ORIGINAL_URL) == "https://mdes.go.th/news/detail/77"
    assert duplicate_of(store, thaigov(9_000_003)) == "https://mdes.go.th/news/detail/77"


@pytest.mark.parametrize("series", SERIES_PAIRS)
def test_issues_of_a_recurring_series_are_not_merged(store: Store, series: str) -> None:
    first, second = SERIES_PAIRS[series]
    ingest(store, article(first), article(second))
    assert duplicate_of(store, thaigov(first)) is None
    assert duplicate_of(store, thaigov(second)) is None


def test_different_headlines_without_body_are_not_duplicates(store: Store) -> None:
    def headline_only(url: str, title: str) -> RawArticle:
        return RawArticle(url=url, source="thaigov", title=title, body="")

    ingest(
        store,
        headline_only(thaigov(1), "นายกฯ เปิดงานวันเด็กแห่งชาติ"),
        headline_only(thaigov(2), "ดีอี เปิดศูนย์รับแจ้งข่าวปลอม"),
        headline_only(thaigov(3), "นายกฯ เปิดงานวันเด็กแห่งชาติ"),
    )
    assert duplicate_of(store, thaigov(2)) is None
    assert duplicate_of(store, thaigov(3)) == thaigov(1)


def test_changed_representative_hands_its_role_to_the_earliest_member(store: Store) -> None:
    ingest(store, article(ORIGINAL), article(ORIGINAL, thaigov(9_000_004)))
    ingest(store, article(ORIGINAL, ORIGINAL_URL, RECORDS[OTHER]["text"]))
    assert duplicate_of(store, thaigov(9_000_004)) is None
    assert duplicate_of(store, ORIGINAL_URL) is None


# --- Persistence -------------------------------------------------------------


def test_new_deduplicator_finds_duplicates_from_stored_signatures_alone(store: Store) -> None:
    ingest(store, article(ORIGINAL), article(OTHER))
    with store.transaction() as conn:
        conn.execute(update(articles).values(body=""))
    later = Deduplicator(store)
    copy = article(ORIGINAL, "https://mdes.go.th/news/detail/99", republished(ORIGINAL_TEXT))
    Ingestor(store, deduplicator=later, clock=clock).ingest([copy])
    assert later.signatures_loaded == 2
    assert duplicate_of(store, "https://mdes.go.th/news/detail/99") == ORIGINAL_URL


def test_importing_the_same_input_twice_keeps_duplicate_of(store: Store) -> None:
    items = [
        article(OTHER),
        article(ORIGINAL),
        article(ORIGINAL, thaigov(9_000_005)),
        article(ORIGINAL, "https://mdes.go.th/news/detail/5", republished(ORIGINAL_TEXT)),
    ]
    ingest(store, *items)
    first = {row["url"]: row["duplicate_of"] for row in store.iter_articles()}
    ingest(store, *items)
    assert {row["url"]: row["duplicate_of"] for row in store.iter_articles()} == first
    assert first[ORIGINAL_URL] is None
    assert first[thaigov(9_000_005)] == first["https://mdes.go.th/news/detail/5"] == ORIGINAL_URL


def test_a_rolled_back_batch_leaves_no_trace_in_the_index(store: Store) -> None:
    ingestor = build_ingestor(store, clock=clock)
    ingestor.ingest([article(ORIGINAL)])
    deduplicator = ingestor.deduplicator
    flush = deduplicator.flush

    def failing_flush(conn) -> None:  # the fingerprint write fails: database locked, disk full
        raise OSError("disk full")

    deduplicator.flush = failing_flush
    with pytest.raises(OSError):  # the original's URL now carries another text: rolled back
        ingestor.ingest([article(ORIGINAL, ORIGINAL_URL, RECORDS[OTHER]["text"])])
    deduplicator.flush = flush
    copy = article(ORIGINAL, "https://mdes.go.th/news/detail/77", RECORDS[ORIGINAL]["text"])
    ingestor.ingest([copy])
    assert duplicate_of(store, "https://mdes.go.th/news/detail/77") == ORIGINAL_URL
