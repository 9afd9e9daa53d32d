"""Deduplication through the real ingestor and store, on real thaigov articles."""

from __future__ import annotations

import json
import pickle
import re
import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from sqlalchemy import delete, event, func, select, update

from tests.conftest import DATA
from thaidigest import fingerprint as fingerprint_module
from thaidigest.dedup import BandIndex, DayWindow, Deduplicator
from thaidigest.fingerprint import (
    CANDIDATE_SIMILARITY,
    CONTAINMENT,
    LSH_WEIGHTS,
    MINHASH_SEED,
    NUM_PERM,
    SHINGLE_CHARS,
    SHINGLED_CHARS,
    SKETCH_SIZE,
    THRESHOLD,
    Fingerprint,
    estimated_jaccard,
    fingerprint,
    fold,
    folded_codes,
    headlines_agree,
    headlines_overlap,
    least_agreements,
    named_moments,
    number_hashes,
    overlap,
    shingle_hashes,
    sketch,
)
from thaidigest.ingest import Ingestor
from thaidigest.model import RawArticle
from thaidigest.normalise import normalise_article
from thaidigest.pipeline import build_ingestor
from thaidigest.readers import corpus_record_article
from thaidigest.store import CANONICAL_REPRESENTATIVES_KEY, Store, articles, fingerprints, meta
from thaidigest.urls import canonical_url

RECORDS = {
    record["id"]: record
    for name in (
        "dedup_articles.jsonl",
        "containment_articles.jsonl",
        "headline_number_articles.jsonl",
        "series_articles.jsonl",
    )
    for record in map(json.loads, (DATA / name).read_text("utf-8").splitlines())
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


def cluster(store: Store, url: str) -> str:
    """The URL of the representative of the article's cluster (its own when it is one)."""
    return duplicate_of(store, url) or url


def thaigov(number: int) -> str:
    return f"https://thaigov.go.th/news/contents/details/{number}"


ORIGINAL_URL = thaigov(ORIGINAL)
ORIGINAL_TEXT = RECORDS[ORIGINAL]["text"]
MDES_COPY = "https://mdes.go.th/news/detail/7001"

CONDENSED = 52225  # a DES release of 5 March 2022 on fake news: five paragraphs
# Found in the corpus: releases and fuller versions of them published the same day.
CORPUS_CONDENSED_PAIRS = {
    "ThaID app launch, shorter headline": (66113, 66114),
    "a fifth of the release, a typo in the headline": (99578, 99579),
}
# One template filled in for other provinces: a ceremony in Chiang Rai, then in six others.
TEMPLATE_PAIR = (80931, 80841)
# Consecutive editions of a daily report, the shorter mostly contained in the other.
CONTAINED_EDITIONS = {
    "rural roads flood report, other figures": (47959, 48061),
    "highway flood report, other date in the headline": (47467, 47543),
}
# Two releases from one event, on different subjects.
SAME_EVENT = {
    "storm warning, then its upgrade": (46716, 46725),
    "minister at two ceremonies of one day": (57958, 57960),
}
WEEKLY_ISSUES = SERIES_PAIRS["weekly informal-debt report"]
# Two issues of the Interior ministry's daily informal-debt report, 14 and 15 June 2024: the
# headline's figures the same, two numbers of the text changed (the day it names, one total).
DAILY_ISSUES = (84446, 84498)
# Releases of one day under one headline, one template filled in for two events: the industry
# ministry's handovers at 14.30 and 16.30 on 18 October 2022, and of 4 and 7 August 2025.
SAME_DAY_REPORTS = {
    "another time of day": (60636, 60640),
    "another day named": (99426, 99483),
}
# The health ministry's release of 16 June 2024 and the government's version of the next day,
# which names its own day and writes the year short ("17 มิ.ย. 67" for "16 มิถุนายน 2567").
NEXT_DAY_VERSION = (84535, 84539)
# Releases whose MDES copies write a headline number another way.
WEBSITES_CLOSED = 35370  # "... ปิดเว็บพนันแล้ว 1,202 เว็บไซต์", 24 September 2020
ASEAN_MEETING = 95651  # "ปลัดดีอี เปิดประชุม ADGSOM-ATRC ครั้งที่ 1 ...", 23 April 2025


def condensed(record_id: int, url: str, published: date | None = None) -> RawArticle:
    """The article as a republisher condenses it.

    Its headline and lead paragraph kept, its third and its last paragraphs
    dropped, the rest re-wrapped into lines of ten words; published on the
    same day unless ``published`` says otherwise.
    """
    original = normalise_article(article(record_id))
    paragraphs = original.body.split("\n")
    words = " ".join([*paragraphs[:2], *paragraphs[3:-1]]).split(" ")
    lines = [" ".join(words[start : start + 10]) for start in range(0, len(words), 10)]
    return RawArticle(
        url=url,
        source="mdes",
        title=original.title,
        body="\n".join(lines),
        published_hint=published or original.published,
    )


def similarity(one: RawArticle, other: RawArticle) -> float:
    """The estimated Jaccard similarity of two articles as they are stored."""
    first, second = (normalise_article(raw) for raw in (one, other))
    return estimated_jaccard(
        fingerprint(first.title, first.body).signature,
        fingerprint(second.title, second.body).signature,
    )


def containment(one: RawArticle, other: RawArticle) -> float:
    """The share of the shorter article's 5-grams found in the other, computed exactly."""
    first, second = (normalise_article(raw) for raw in (one, other))
    sets = [sketch(shingle_hashes(folded_codes(a.title, a.body)), None) for a in (first, second)]
    return overlap(*sets).contained


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
    hashes = shingle_hashes(codes)[: SHINGLED_CHARS - SHINGLE_CHARS + 1]  # what is signed
    reference = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme="affine32", hashfunc=int)
    reference.update_batch(hashes.tolist())
    signature = fingerprint("หัวข้อ", ORIGINAL_TEXT).signature
    assert signature.tolist() == reference.hashvalues.tolist()


@pytest.mark.parametrize("count", [1, 2, 15, 16, 17, 33, 1000, SHINGLED_CHARS - SHINGLE_CHARS + 1])
def test_signature_of_mixed_hashes_is_the_plain_minimum_of_each_permutation(count: int) -> None:
    # The signature is computed in blocks of 5-grams, the last one padded: any count, whole
    # blocks or not, shorter than one block or as long as what is signed, gives the minimum
    # over every hash of a * hash + b (mod 2**32) for each permutation, nothing else.
    mixed = np.random.default_rng(count).integers(0, 2**32, count, dtype=np.uint32)
    a, b = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme="affine32").permutations
    plain = (a[:, np.newaxis] * mixed + b[:, np.newaxis]).min(axis=1)
    found = fingerprint_module._minhash_of_mixed(mixed)
    assert found.dtype == np.uint32
    assert found.tolist() == plain.tolist()


def test_fold_drops_characters_beyond_the_basic_multilingual_plane() -> None:
    # An emoji or a mathematical letter is dropped whole, and the characters around it kept.
    assert fold("ข่าว\U0001f600ดี", "\U0001d400b ๓\U0001f1f9\U0001f1ed") == "ข่าวดีb3"


@pytest.mark.parametrize("repeats", [1, 3, 40])
def test_fingerprint_signs_and_sketches_every_5_gram_repeats_included(repeats: int) -> None:
    # Short texts repeating a paragraph, and a long one cut at SHINGLED_CHARS.
    body = " ".join([ORIGINAL_TEXT[:300]] * repeats)
    hashes = shingle_hashes(folded_codes("หัวข้อ", body))
    reference = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme="affine32", hashfunc=int)
    reference.update_batch(hashes[: SHINGLED_CHARS - SHINGLE_CHARS + 1].tolist())
    found = fingerprint("หัวข้อ", body)
    expected = sketch(hashes)
    assert found.signature.tolist() == reference.hashvalues.tolist()
    assert found.sketch.values.tolist() == expected.values.tolist()
    assert (found.sketch.count, found.sketch.whole) == (len(hashes), expected.whole)


def same_fingerprint(found: Fingerprint, expected: Fingerprint) -> bool:
    """Field by field, arrays by value and dtype."""
    for one, other in ((found, expected), (found.sketch, expected.sketch)):
        for name, value in vars(other).items():
            mine = getattr(one, name)
            if isinstance(value, np.ndarray):
                if mine.dtype != value.dtype or not np.array_equal(mine, value):
                    return False
            elif name != "sketch" and mine != value:
                return False
    return True


@pytest.mark.parametrize(
    "body", ["", "1 2", ORIGINAL_TEXT[:300], ORIGINAL_TEXT, " ".join([ORIGINAL_TEXT] * 3)]
)
def test_a_pickled_fingerprint_is_the_same_fingerprint(body: str) -> None:
    # Empty, without 5-grams, whole, cut, and signed in part: worker processes send them.
    found = fingerprint("", body)
    assert same_fingerprint(pickle.loads(pickle.dumps(found, pickle.HIGHEST_PROTOCOL)), found)


def test_an_unpickled_fingerprint_reads_its_arrays_in_place() -> None:
    # Read-only views of the pickle's bytes: unpickling copies no array.
    found = pickle.loads(pickle.dumps(fingerprint("", ORIGINAL_TEXT), pickle.HIGHEST_PROTOCOL))
    for values in (found.signature, found.numbers, found.sketch.values):
        assert len(values)
        assert not values.flags.writeable


def test_number_hashes_are_the_crc32_of_each_number_written_in_the_folded_text() -> None:
    for record in RECORDS.values():
        title, _, body = record["text"].partition("\n")
        expected = {
            zlib.crc32(number.encode()) for number in re.findall("[0-9]+", fold(title, body))
        }
        assert number_hashes(folded_codes(title, body)).tolist() == sorted(expected)
    assert number_hashes(folded_codes("ไม่มีตัวเลข", "")).tolist() == []


def test_whole_sketches_give_the_exact_share_of_the_shorter_text_in_the_longer() -> None:
    shorter = np.arange(100, 400, dtype=np.uint32)
    longer = np.arange(0, 1000, dtype=np.uint32)
    longer = longer[(longer < 150) | (longer >= 200)]  # 50 of the shorter's 300 missing
    found = overlap(sketch(shorter, None), sketch(longer, None))
    assert (found.contained, found.shorter) == (250 / 300, 300)
    assert overlap(sketch(longer, None), sketch(shorter, None)) == found


def test_overlap_of_random_sketches_is_the_share_found_by_sets() -> None:
    rng = np.random.default_rng(7)
    for _ in range(50):
        longer = rng.choice(2000, size=int(rng.integers(300, 900)), replace=False)
        shorter = rng.choice(2000, size=int(rng.integers(1, 300)), replace=False)
        first, second = (
            sketch(h.astype(np.uint32), size) for h, size in ((shorter, 40), (longer, 60))
        )
        cut = min(first.cut, second.cut)
        sample = {value for value in first.values.tolist() if value <= cut}
        shared = sample & set(second.values.tolist())
        assert overlap(first, second).contained == len(shared) / max(len(sample), 1)


def test_least_agreements_compares_a_count_as_its_estimate_compares() -> None:
    for similarity in (0.0, 0.1, CANDIDATE_SIMILARITY, 0.5, THRESHOLD, 0.61, 0.95, 1.0):
        least = least_agreements(similarity)
        assert [count >= least for count in range(NUM_PERM + 1)] == [
            count / NUM_PERM >= similarity for count in range(NUM_PERM + 1)
        ]


def test_day_window_gives_the_ids_of_nearby_days_sharing_enough_values_in_filing_order() -> None:
    window = DayWindow()
    signature = np.arange(NUM_PERM, dtype=np.uint32)

    def sharing(count: int) -> np.ndarray:
        return np.where(np.arange(NUM_PERM) < count, signature, signature + 1000)

    for article_id, day, count in [(1, 10, 40), (2, 13, 20), (3, 10, 5), (4, 14, 64), (5, 7, 30)]:
        window.add(article_id, day, sharing(count))
    assert window.near(10, signature, 16) == [(5, 30), (1, 40), (2, 20)]
    window.remove(1)
    assert window.near(11, signature, 16) == [(2, 20), (4, 64)]


def test_cut_sketches_estimate_the_share_of_a_condensed_copy() -> None:
    copy = normalise_article(condensed(CONDENSED, MDES_COPY))
    original = normalise_article(article(CONDENSED))
    hashes = [shingle_hashes(folded_codes(a.title, a.body)) for a in (copy, original)]
    exact = overlap(*(sketch(h, None) for h in hashes))
    estimate = overlap(*(sketch(h) for h in hashes))
    assert all(len(sketch(h).values) == SKETCH_SIZE for h in hashes)  # cut: an estimate
    assert exact.contained > 0.95
    assert abs(estimate.contained - exact.contained) < 0.05
    assert estimate.shorter == exact.shorter


@pytest.mark.parametrize(
    ("first", "second", "overlapping"),
    [
        ("นายกฯ เปิดงานวันเด็กแห่งชาติ", "ดีอี เผย นายกฯ เปิดงานวันเด็กแห่งชาติ", True),
        ("นายกฯ เปิดงานวันเด็กแห่งชาติ ที่ทำเนียบรัฐบาล", "นายกฯ เปิดงานวันเด็กแห่งชาติ", True),
        ("ลงพื้นที่สุราษฎร์ ติดตามการพัฒนาทักษะ", "ลงพื้นที่สุราษฏร์ ติดตามการพัฒนาทักษะ", True),
        ("ผู้ตรวจราชการฯ ลงพื้นที่มหาสารคามตรวจราชการ", "ผู้ตรวจราชการฯ ลงพื้นที่ขอนแก่นตรวจราชการ", False),
        ("อุตุฯ เฝ้าระวังพายุดีเปรสชัน", "กรมอุตุฯ เตือนพายุโซนร้อน", False),
    ],
)
def test_headlines_overlap_when_one_is_the_other_but_a_label_a_cut_or_a_character(
    first: str, second: str, overlapping: bool
) -> None:
    assert headlines_overlap(first, second) is overlapping
    assert headlines_overlap(second, first) is overlapping


def test_band_index_bands_as_datasketch_and_finds_a_signature_sharing_one_band() -> None:
    index = BandIndex(THRESHOLD)
    banding = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, weights=LSH_WEIGHTS)
    assert (index.bands, index.rows) == (banding.b, banding.r)
    signature = np.arange(NUM_PERM, dtype=np.uint32)
    index.insert(1, index.keys(signature))
    one_band_kept = signature + 1000
    one_band_kept[: index.rows] = signature[: index.rows]
    assert index.query(index.keys(one_band_kept)) == {1}
    assert index.query(index.keys(signature + 1000)) == set()
    index.remove(1, index.keys(signature))
    assert index.query(index.keys(signature)) == set()


@pytest.mark.parametrize(
    ("first", "second", "agreeing"),
    [
        ("ปิดเว็บพนันแล้ว 1,202 เว็บไซต์", "ปิดเว็บพนันแล้ว 1202 เว็บไซต์", True),
        ("เปิดประชุม ณ จาการ์ตา (23 เม.ย. 68)", "เปิดประชุม ณ จาการ์ตา (23 เมษายน 2568)", True),
        ("เปิดประชุม ณ จาการ์ตา (23 เม.ย.68)", "เปิดประชุม ณ จาการ์ตา 23 April 2025", True),
        ("ประชุม ADGSOM ครั้งที่ 1/2568", "ประชุม ADGSOM ครั้งที่ 1/68", True),
        ("รางวัลเลิศรัฐ ประจำปี 63", "รางวัลเลิศรัฐ ประจำปี พ.ศ. 2563", True),
        ("ประกาศกรมฯ ลงวันที่ 23/04/68", "ประกาศกรมฯ ลงวันที่ 23/4/2568", True),
        ("ประชุม ADGSOM ครั้งที่ 3", "ประชุม ADGSOM ครั้งที่ 4", False),
        ("ประชุม ADGSOM ครั้งที่ 1/2568", "ประชุม ADGSOM ครั้งที่ 2/68", False),
        ("ประชุม ADGSOM ครั้งที่ 1/2567", "ประชุม ADGSOM ครั้งที่ 1/68", False),
        ("ประกาศ ขสมก. (23 เม.ย. 68)", "ประกาศ ขสมก. (24 เมษายน 2568)", False),
        ("ปิดเว็บพนันแล้ว 1,202 เว็บไซต์", "ปิดเว็บพนันแล้ว 1,203 เว็บไซต์", False),
        ("ปิดเว็บพนันแล้ว 68 เว็บไซต์", "ปิดเว็บพนันแล้ว 2568 เว็บไซต์", False),
        ("ราคายางสูงสุดในรอบ 3 ปี 60 บาท", "ราคายางสูงสุดในรอบ 3 ปี 2560 บาท", False),
        ("คาดนักท่องเที่ยวทั้งปี 40 ล้านคน", "คาดนักท่องเที่ยวทั้งปี 2540 ล้านคน", False),
    ],
    ids=[
        "thousands separator",
        "short and full Buddhist year of a date",
        "short Buddhist and Common Era year of a date",
        "short and full year of an edition",
        "short year and era year",
        "short and full year of a numeric date",
        "another edition",
        "another edition, year written two ways",
        "edition of another year",
        "another day",
        "another count",
        "a count is no year",
        "a price after a span of years is no year",
        "a year's total is no year",
    ],
)
def test_headlines_agree_when_they_write_the_same_numbers_and_years_another_way(
    first: str, second: str, agreeing: bool
) -> None:
    assert headlines_agree(first, second) is agreeing
    assert headlines_agree(second, first) is agreeing


@pytest.mark.parametrize(
    ("text", "moments"),
    [
        ("วันนี้ (18 ตุลาคม 2565) เวลา 14.30 น. ณ ห้องประชุม", {"10-18", "14:30"}),
        ("เมื่อวันที่ ๑๘ ต.ค. ๖๕ เวลา ๑๔:๓๐ ที่ผ่านมา", {"10-18", "14:30"}),
        (
            "The cabinet met on October 18, 2022; on 3rd May it met at 09.00 น.",
            {"10-18", "5-3", "9:00"},
        ),
        ("จำนวน 1,202 ราย มูลค่า 1.28 แสนล้านบาท เพิ่มขึ้น 2.5% ใน 10 ปี", set()),
        ("The COVID-19 September 26 briefing", {"9-26"}),
        ("มาตรการโควิด-19 ตุลาคมนี้ เริ่มวันที่ 5 ตุลาคม และ 1-9 พฤศจิกายน", {"10-5", "11-9"}),
    ],
    ids=[
        "Thai date and time",
        "Thai digits, short month",
        "English dates",
        "no day or time",
        "a name's number is no day",
        "a Thai name's number is no day, a range's end is",
    ],
)
def test_named_moments_are_the_days_and_times_of_day_a_text_names(
    text: str, moments: set[str]
) -> None:
    assert named_moments("", text) == moments


def test_a_headline_is_read_once_however_often_it_is_compared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[str] = []
    digits = fingerprint_module.arabic_digits

    def counted(title: str) -> str:
        read.append(title)
        return digits(title)

    monkeypatch.setattr(fingerprint_module, "arabic_digits", counted)
    edition = "ประชุมทดสอบการอ่านหัวข่าวครั้งเดียว ครั้งที่ {}"
    assert not headlines_agree(edition.format(3), edition.format(4))
    assert not headlines_agree(edition.format(3), edition.format(5))
    assert headlines_agree(edition.format(4), edition.format(4))
    assert sorted(read) == [edition.format(n) for n in (3, 4, 5)]


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
    assert cluster(store, thaigov(9_000_002)) == cluster(store, ORIGINAL_URL)
    with store.engine.connect() as conn:
        distinct = conn.execute(select(func.count(fingerprints.c.exact_hash.distinct()))).scalar()
    assert distinct == 2


def test_mdes_copy_of_a_thaigov_release_joins_its_cluster(store: Store) -> None:
    mdes_url = "https://mdes.go.th/news/detail/4321"
    ingest(store, article(ORIGINAL))
    ingest(store, article(ORIGINAL, mdes_url, republished(ORIGINAL_TEXT)))
    assert store.article_by_url(mdes_url)["source"] == "mdes"
    assert cluster(store, mdes_url) == cluster(store, ORIGINAL_URL)


def test_earlier_published_copy_arriving_later_becomes_the_representative(store: Store) -> None:
    earlier = ORIGINAL_TEXT.replace("วันจันทร์ที่ 28 กันยายน 2563", "วันอาทิตย์ที่ 27 กันยายน 2563")
    assert earlier != ORIGINAL_TEXT
    ingest(store, article(ORIGINAL), article(ORIGINAL, thaigov(9_000_003)))
    ingest(store, article(ORIGINAL, "https://mdes.go.th/news/detail/77", earlier))
    assert duplicate_of(store, "https://mdes.go.th/news/detail/77") is None
    assert duplicate_of(store, ORIGINAL_URL) == "https://mdes.go.th/news/detail/77"
    assert duplicate_of(store, thaigov(9_000_003)) == "https://mdes.go.th/news/detail/77"


def test_copies_alike_in_date_and_length_have_one_representative_whichever_is_stored_first(
    tmp_path,
) -> None:
    # Two sites crawled at once store their articles in no fixed order.
    copies = [article(ORIGINAL), article(ORIGINAL, MDES_COPY)]  # one text, one date
    chosen = []
    for name, order in (("thaigov-first", copies), ("mdes-first", copies[::-1])):
        store = Store(f"sqlite:///{tmp_path / name}.sqlite")
        try:
            for raw in order:
                ingest(store, raw)
            first = store.article_by_url(canonical_url(order[0].url))
            assert first["id"] < store.article_by_url(canonical_url(order[1].url))["id"]
            chosen.append(cluster(store, ORIGINAL_URL))
            assert cluster(store, MDES_COPY) == chosen[-1]
        finally:
            store.close()
    assert chosen == [MDES_COPY, MDES_COPY]  # the URL that sorts first


@pytest.mark.parametrize("series", SERIES_PAIRS)
def test_issues_of_a_recurring_series_are_not_merged(store: Store, series: str) -> None:
    first, second = SERIES_PAIRS[series]
    ingest(store, article(first), article(second))
    assert duplicate_of(store, thaigov(first)) is None
    assert duplicate_of(store, thaigov(second)) is None


WEEKLY_DATE_LINES = ("วันศุกร์ที่ 26 เมษายน 2567", "26/04/2567")  # the page's two, of 82192


def weekly_issue(date_lines: tuple[str, str], *edits: tuple[str, str]) -> str:
    """The weekly report of 26 April 2024 under other date lines, with ``edits`` made."""
    text = RECORDS[WEEKLY_ISSUES[0]]["text"]
    for old, new in zip(WEEKLY_DATE_LINES, date_lines, strict=True):
        assert text.count(old) == 1
        text = text.replace(old, new)
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    return text


def next_weekly_issue() -> RawArticle:
    """The next week's issue as the outside review saw it: its template repeated word for
    word, two totals new (those of 3 May), and its date lines."""
    figures = [("9,928", "10,451"), ("470.96", "506.46")]
    text = weekly_issue(("วันศุกร์ที่ 3 พฤษภาคม 2567", "03/05/2567"), *figures)
    return article(WEEKLY_ISSUES[0], thaigov(9_000_031), text)


def weekly_issue_reposted() -> RawArticle:
    """The weekly report posted by another site three days later: re-wrapped, a sentence
    dropped (its figures with it)."""
    lead = "ตั้งแต่วันที่ 1 ธ.ค.2566 – 25 เม.ย.2567 มีประชาชนที่เป็นหนี้นอกระบบ"
    dropped = "ยอดอนุมัติรวมทั้งสิ้น 470.96 ลบ."
    text = weekly_issue(
        ("วันจันทร์ที่ 29 เมษายน 2567", "29/04/2567"), (lead, f"{lead}\n"), (dropped, "")
    )
    return article(WEEKLY_ISSUES[0], MDES_COPY, text)


@pytest.mark.parametrize(
    "issues",
    [
        lambda: (article(DAILY_ISSUES[0]), article(DAILY_ISSUES[1])),
        lambda: (article(WEEKLY_ISSUES[0]), next_weekly_issue()),
    ],
    ids=["daily report, two numbers changed", "weekly report, two totals changed"],
)
def test_issues_of_a_series_two_figures_apart_on_other_days_are_not_merged(
    store: Store, issues: Callable[[], tuple[RawArticle, RawArticle]]
) -> None:
    first, second = issues()
    published = [normalise_article(raw).published for raw in (first, second)]
    assert published[0] < published[1]
    assert similarity(first, second) >= THRESHOLD  # only their figures tell them apart
    ingest(store, first, second)
    assert [duplicate_of(store, canonical_url(raw.url)) for raw in (first, second)] == [None, None]


@pytest.mark.parametrize(
    "copies",
    [
        lambda: (article(NEXT_DAY_VERSION[0]), article(NEXT_DAY_VERSION[1])),
        lambda: (article(WEEKLY_ISSUES[0]), weekly_issue_reposted()),
    ],
    ids=["next day's version, year written short", "reposted days later, a sentence dropped"],
)
def test_a_republication_on_another_day_is_still_one_story(
    store: Store, copies: Callable[[], tuple[RawArticle, RawArticle]]
) -> None:
    original, copy = copies()
    published = [normalise_article(raw).published for raw in (original, copy)]
    assert published[0] < published[1]
    ingest(store, original, copy)
    assert duplicate_of(store, canonical_url(copy.url)) == canonical_url(original.url)


DAILY_DATE_LINES = ("วันศุกร์ที่ 14 มิถุนายน 2567", "14/06/2567")  # the page's two, of 84446


def daily_issue(record_id: int, url: str, *edits: tuple[str, str]) -> RawArticle:
    """An issue of the daily informal-debt report under 84446's date lines (14 June 2024),
    with ``edits`` made to its text."""
    text = RECORDS[record_id]["text"]
    date_lines = re.search(r"\n(วัน\S+ที่ \d+ \S+ \d{4})\n(\d\d/\d\d/\d{4})\n", text)
    assert date_lines is not None
    edits = (*zip(date_lines.groups(), DAILY_DATE_LINES, strict=True), *edits)
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    return article(record_id, url, text)


@pytest.mark.parametrize(
    "reports",
    [
        lambda: tuple(article(record_id) for record_id in SAME_DAY_REPORTS["another time of day"]),
        lambda: tuple(article(record_id) for record_id in SAME_DAY_REPORTS["another day named"]),
        # The report of the 14th (84498, "วันนี้ (14 มิ.ย. 67)", one total new) posted the day it
        # names, beside that of the 13th: two figures apart.
        lambda: (article(DAILY_ISSUES[0]), daily_issue(DAILY_ISSUES[1], thaigov(9_000_041))),
        # The report issued twice a day: the evening's names another hour and one other total.
        lambda: (
            article(DAILY_ISSUES[0]),
            daily_issue(
                DAILY_ISSUES[0],
                thaigov(9_000_042),
                ("เมื่อเวลา 15.00 น.", "เมื่อเวลา 18.00 น."),
                ("468 คดี", "471 คดี"),
            ),
        ),
    ],
    ids=[*SAME_DAY_REPORTS, "next day's issue posted the same day", "evening issue"],
)
def test_reports_of_one_day_naming_other_days_or_times_are_not_merged(
    store: Store, reports: Callable[[], tuple[RawArticle, RawArticle]]
) -> None:
    first, second = reports()
    published = {normalise_article(raw).published for raw in (first, second)}
    assert len(published) == 1
    assert similarity(first, second) >= THRESHOLD  # only what they name tells them apart
    ingest(store, first, second)
    assert [duplicate_of(store, canonical_url(raw.url)) for raw in (first, second)] == [None, None]


def posted_at(record_id: int, url: str, time: str) -> RawArticle:
    """A release of the industry ministry's handovers (60636) reposted with its posting time."""
    text = RECORDS[record_id]["text"]
    assert "ณ ห้องนิทรรศการ" in text
    return article(
        record_id, url, text.replace("ณ ห้องนิทรรศการ", f"ณ ห้องนิทรรศการ (อัปเดตเวลา {time} น.)")
    )


@pytest.mark.parametrize("original_arrives", ["first", "last"])
def test_reposts_each_stamped_with_their_own_posting_time_are_one_story(
    store: Store, original_arrives: str
) -> None:
    """Each repost names the original's day and hour and one hour of its own: the two
    reposts disagree with each other (rule 2b), each agrees with the original."""
    record_id = SAME_DAY_REPORTS["another time of day"][0]
    original = article(record_id)
    reposts = [
        posted_at(record_id, MDES_COPY, "09.15"),
        posted_at(record_id, thaigov(9_200_001), "11.40"),
    ]
    ingest(store, *([original, *reposts] if original_arrives == "first" else [*reposts, original]))
    clusters = {cluster(store, canonical_url(raw.url)) for raw in (original, *reposts)}
    assert len(clusters) == 1


def test_a_copy_naming_the_day_alone_does_not_join_two_events_of_that_day(store: Store) -> None:
    """The handovers at 14.30 and at 16.30, and a copy of the first naming neither hour."""
    record_ids = SAME_DAY_REPORTS["another time of day"]
    first, second = (article(record_id) for record_id in record_ids)
    text = RECORDS[record_ids[0]]["text"]
    lead = "วันนี้ (18 ตุลาคม 2565) เวลา 14.30 น."
    assert lead in text
    untimed = article(record_ids[0], MDES_COPY, text.replace(lead, "วันนี้ (18 ตุลาคม 2565)"))
    assert similarity(untimed, second) >= THRESHOLD
    ingest(store, untimed, first, second)
    assert cluster(store, canonical_url(first.url)) != cluster(store, canonical_url(second.url))


def test_a_copy_correcting_two_figures_the_same_day_is_one_story(store: Store) -> None:
    """Same headline, same day and hour named, two totals corrected: a version, not a report."""
    original = article(DAILY_ISSUES[0])
    corrected = daily_issue(
        DAILY_ISSUES[0], MDES_COPY, ("468 คดี", "486 คดี"), ("153,400 ราย", "153,420 ราย")
    )
    ingest(store, original, corrected)
    assert cluster(store, MDES_COPY) == cluster(store, canonical_url(original.url))


def test_the_hour_a_text_names_is_read_again_once_another_process_edits_it(store: Store) -> None:
    evening = ("เมื่อเวลา 15.00 น.", "เมื่อเวลา 18.00 น.")
    first = build_ingestor(store, clock=clock)
    first.ingest([article(DAILY_ISSUES[0]), daily_issue(DAILY_ISSUES[0], MDES_COPY)])
    original = canonical_url(article(DAILY_ISSUES[0]).url)
    assert cluster(store, MDES_COPY) == cluster(store, original)  # what they name was read
    # Another process rewrites the original as the evening's issue: it leaves the copy.
    build_ingestor(store, clock=clock).ingest([daily_issue(DAILY_ISSUES[0], original, evening)])
    assert cluster(store, MDES_COPY) != cluster(store, original)
    evening_copy = thaigov(9_000_043)
    first.ingest([daily_issue(DAILY_ISSUES[0], evening_copy, evening)])
    assert cluster(store, evening_copy) == cluster(store, original)
    assert cluster(store, evening_copy) != cluster(store, MDES_COPY)


@pytest.mark.parametrize("edited_by", ["this process", "another process"])
def test_the_hour_a_text_names_is_read_again_after_an_edit_of_its_punctuation_alone(
    store: Store, edited_by: str
) -> None:
    """``15.00 น`` names no hour and ``15.00 น.`` names 15:00, though the folded texts, and
    so their exact hashes, are the same."""
    original = thaigov(9_100_001)
    typo = ("เมื่อเวลา 15.00 น.", "เมื่อ 15.00 น")
    fixed = ("เมื่อเวลา 15.00 น.", "เมื่อ 15.00 น.")
    evening = ("เมื่อเวลา 15.00 น.", "เมื่อ 18.00 น."), ("468 คดี", "471 คดี")
    before, after = (daily_issue(DAILY_ISSUES[0], original, edit) for edit in (typo, fixed))
    texts = [normalise_article(raw) for raw in (before, after)]
    assert len({fingerprint(text.title, text.body).exact_hash for text in texts}) == 1
    assert "15:00" in named_moments(texts[1].title, texts[1].body) - named_moments(
        texts[0].title, texts[0].body
    )
    running = build_ingestor(store, clock=clock)
    running.ingest([before, daily_issue(DAILY_ISSUES[0], MDES_COPY, typo)])
    editor = running if edited_by == "this process" else build_ingestor(store, clock=clock)
    editor.ingest([after])
    running.ingest([daily_issue(DAILY_ISSUES[0], thaigov(9_100_002), *evening)])
    # The original names 15:00 now and the evening's issue 18:00: two reports.
    assert cluster(store, thaigov(9_100_002)) != cluster(store, original)


def retitled(record_id: int, url: str, edit: Callable[[str], str], extra: str = "") -> RawArticle:
    """The article under another URL, its headline edited, its body kept (plus ``extra``)."""
    original = normalise_article(article(record_id))
    title = edit(original.title)
    assert title != original.title
    return RawArticle(
        url=url,
        source="mdes",
        title=title,
        body=original.body + extra,
        published_hint=original.published,
    )


HEADLINE_NUMBER_WRITINGS = {
    "thousands without a separator": (WEBSITES_CLOSED, lambda t: t.replace("1,202", "1202")),
    "short Buddhist year of a date": (ASEAN_MEETING, lambda t: f"{t} (23 เม.ย. 68)"),
    "full Buddhist year of a date": (ASEAN_MEETING, lambda t: f"{t} (23 เมษายน 2568)"),
    "short year of an edition": (
        ASEAN_MEETING,
        lambda t: t.replace("ครั้งที่ 1", "ครั้งที่ 1/68"),
    ),
}


@pytest.mark.parametrize("extra", ["", "\nภาพ: กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"])
@pytest.mark.parametrize("writing", HEADLINE_NUMBER_WRITINGS)
def test_copy_writing_a_headline_number_another_way_joins_its_original(
    store: Store, writing: str, extra: str
) -> None:
    record_id, edit = HEADLINE_NUMBER_WRITINGS[writing]
    ingest(store, article(record_id), retitled(record_id, MDES_COPY, edit, extra))
    assert cluster(store, MDES_COPY) == cluster(store, thaigov(record_id))


def test_copies_writing_an_edition_year_two_ways_are_one_story(store: Store) -> None:
    full = retitled(ASEAN_MEETING, MDES_COPY, lambda t: t.replace("ครั้งที่ 1", "ครั้งที่ 1/2568"))
    short = retitled(ASEAN_MEETING, thaigov(9_000_010), lambda t: t.replace("ครั้งที่ 1", "ครั้งที่ 1/68"))
    ingest(store, full, short)
    assert cluster(store, MDES_COPY) == cluster(store, thaigov(9_000_010))


def test_same_text_under_another_edition_number_stays_apart(store: Store) -> None:
    ingest(
        store,
        article(ASEAN_MEETING),
        retitled(ASEAN_MEETING, MDES_COPY, lambda t: t.replace("ครั้งที่ 1", "ครั้งที่ 2")),
    )
    assert duplicate_of(store, MDES_COPY) is None
    assert duplicate_of(store, thaigov(ASEAN_MEETING)) is None


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


@pytest.mark.parametrize("change", ["a copy is edited", "a copy joins"])
def test_a_cluster_an_older_release_ranked_otherwise_keeps_its_representative(
    store: Store, change: str
) -> None:
    """Three same-day reposts alike; an older release made the second the representative.
    An edit that keeps a copy in the cluster, or a copy joining, never moves the role."""
    first, chosen, last = (thaigov(number) for number in (9_000_002, 9_000_003, 9_000_004))
    ingest(store, *(article(ORIGINAL, url) for url in (first, chosen, last)))
    with store.transaction() as conn:  # as the older release chose
        conn.execute(update(articles).values(duplicate_of=chosen).where(articles.c.url != chosen))
        conn.execute(update(articles).values(duplicate_of=None).where(articles.c.url == chosen))

    if change == "a copy is edited":
        ingest(store, article(ORIGINAL, last, f"{ORIGINAL_TEXT}\nแก้ไขเพิ่มเติม"))
    else:
        ingest(store, article(ORIGINAL, thaigov(9_000_005)))

    assert duplicate_of(store, chosen) is None
    assert cluster(store, first) == cluster(store, last) == chosen


# --- An article a database made before stored under a former form of its address -------

# How releases before a site's article was named by its id alone stored ORIGINAL_URL.
FORMER_FORMS = {
    "percent-encoded Thai digits": thaigov(quote("๓๕๔๘๖")),
    "a query": f"{ORIGINAL_URL}?lang=th",
    "the ministry's path": ORIGINAL_URL.replace("/details/", "/ministry_details/"),
}


def stored_under_former_form(store: Store, raw: RawArticle, former: str) -> None:
    """Store ``raw`` as a release before the rule stored it: under ``former``."""
    ingest(store, raw)
    with store.transaction() as conn:
        conn.execute(
            update(articles).where(articles.c.url == canonical_url(raw.url)).values(url=former)
        )


@pytest.mark.parametrize("form", FORMER_FORMS)
def test_an_article_stored_under_a_former_address_is_represented_by_its_canonical_row(
    store: Store, form: str
) -> None:
    # The page had a paragraph more when the older release stored it, so that row ranks
    # first on every form (a longer first version), as the escapes' "%" does on its own.
    former = FORMER_FORMS[form]
    stored_under_former_form(
        store,
        article(ORIGINAL, text=f"{ORIGINAL_TEXT}\nอ่านรายละเอียดเพิ่มเติมได้ที่เว็บไซต์กระทรวง"),
        former,
    )
    assert duplicate_of(store, former) is None  # alone, its address still opens the article

    ingest(store, article(ORIGINAL))  # the crawl stores it under its canonical address

    assert duplicate_of(store, ORIGINAL_URL) is None
    assert duplicate_of(store, former) == ORIGINAL_URL


def test_a_page_stored_under_its_path_in_thai_is_represented_by_its_percent_encoded_row(
    store: Store,
) -> None:
    """A page on another host stored before its path was percent-encoded alike keeps that
    row; read under its canonical, encoded address, that row represents the story."""
    in_thai = "https://mfa.go.th/ข่าว/35486"
    encoded = canonical_url(in_thai)
    assert encoded == "https://mfa.go.th/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7/35486"
    longer = f"{ORIGINAL_TEXT}\nอ่านรายละเอียดเพิ่มเติมได้ที่เว็บไซต์กระทรวง"
    stored_under_former_form(store, article(ORIGINAL, in_thai, longer), in_thai)

    ingest(store, article(ORIGINAL, encoded))

    assert duplicate_of(store, encoded) is None
    assert duplicate_of(store, in_thai) == encoded


# What changes a story's cluster: each has its representative chosen again.
STORY_CHANGES = {
    "another copy joins": article(ORIGINAL, thaigov(9_000_006)),
    "the canonical row is edited": article(ORIGINAL, text=f"{ORIGINAL_TEXT}\nแก้ไขเพิ่มเติม"),
    "another copy is edited": article(
        ORIGINAL, thaigov(9_000_005), text=f"{ORIGINAL_TEXT}\nแก้ไขเพิ่มเติม"
    ),
}


@pytest.mark.parametrize("change", STORY_CHANGES)
def test_the_canonical_row_already_a_copy_of_the_former_one_represents_once_the_story_changes(
    store: Store, change: str
) -> None:
    """A database the release before this one wrote holds the canonical row as a copy of the
    row under the former address: the story's next change hands the role to the canonical
    row."""
    former = FORMER_FORMS["percent-encoded Thai digits"]
    stored_under_former_form(store, article(ORIGINAL), former)
    ingest(store, article(ORIGINAL), article(ORIGINAL, thaigov(9_000_005)))  # a repost
    with store.transaction() as conn:  # as that release chose: the URL that sorts first
        conn.execute(update(articles).values(duplicate_of=former).where(articles.c.url != former))
        conn.execute(update(articles).values(duplicate_of=None).where(articles.c.url == former))

    ingest(store, STORY_CHANGES[change])

    assert duplicate_of(store, ORIGINAL_URL) is None
    assert duplicate_of(store, former) == ORIGINAL_URL
    assert duplicate_of(store, thaigov(9_000_005)) == ORIGINAL_URL


def test_a_database_opened_to_write_hands_a_former_rows_story_to_its_canonical_copy_alone(
    store: Store,
) -> None:
    """Once in a database the release before this one wrote (no record in ``meta``): a
    representative under a former form whose canonical row is its copy hands the story to
    that row; one whose canonical row is not stored keeps it. Again, it changes nothing."""
    former = FORMER_FORMS["a query"]
    lone = thaigov(quote("๑๒"))  # its canonical row, details/12, not stored
    written = {
        former: None,
        ORIGINAL_URL: former,
        thaigov(9_000_005): former,
        lone: None,
        thaigov(9_000_006): lone,
    }
    ingest(store, *(article(ORIGINAL, thaigov(number)) for number in range(1, 6)))
    with store.transaction() as conn:
        for number, (url, copy_of) in enumerate(written.items(), start=1):
            conn.execute(
                update(articles)
                .where(articles.c.url == thaigov(number))
                .values(url=url, duplicate_of=copy_of)
            )
    store.close()

    for _ in range(2):
        with store.transaction() as conn:  # as that release left it: no record
            conn.execute(delete(meta).where(meta.c.key == CANONICAL_REPRESENTATIVES_KEY))
        store.close()
        Store(store.url).close()  # what every command that writes opens first

        assert {url: duplicate_of(store, url) for url in written} == {
            former: ORIGINAL_URL,
            ORIGINAL_URL: None,
            thaigov(9_000_005): ORIGINAL_URL,
            lone: None,
            thaigov(9_000_006): lone,
        }
        assert store.meta_value(CANONICAL_REPRESENTATIVES_KEY) is not None


def test_a_database_that_handed_stories_over_before_hosts_in_idna_form_hands_them_once_more(
    store: Store,
) -> None:
    """A host in Thai is stored in its IDNA form since the last hand-over (``meta`` says
    ``done``): a story a row under the host in Thai represents, its row in IDNA form a copy,
    is handed to that row by the next command that writes, once."""
    thai, idna = "https://ตัวอย่าง.ไทย/news/1", "https://xn--72c1a1bt4awk9o.xn--o3cw4h/news/1"
    ingest(store, article(ORIGINAL, idna), article(ORIGINAL, "https://example.org/news/1"))
    with store.transaction() as conn:  # as a release before stored a link in Thai
        conn.execute(update(articles).where(articles.c.url != idna).values(url=thai))
        conn.execute(update(articles).values(duplicate_of=thai).where(articles.c.url == idna))
        conn.execute(update(articles).values(duplicate_of=None).where(articles.c.url == thai))
        conn.execute(
            update(meta).where(meta.c.key == CANONICAL_REPRESENTATIVES_KEY).values(value="done")
        )
    store.close()

    Store(store.url).close()  # what every command that writes opens first

    assert (duplicate_of(store, idna), duplicate_of(store, thai)) == (None, idna)


def test_the_canonical_row_keeps_the_role_once_the_row_under_the_former_address_leaves(
    store: Store,
) -> None:
    """The canonical row took the role from the old row, ranking before a repost itself
    ranked before the canonical row; the old row becomes another story: the role stays,
    and a copy joining later does not hand it to the repost."""
    former = FORMER_FORMS["percent-encoded Thai digits"]
    longest = f"{ORIGINAL_TEXT}\nอ่านรายละเอียดเพิ่มเติมได้ที่เว็บไซต์กระทรวง"
    stored_under_former_form(store, article(ORIGINAL, text=longest), former)
    repost = thaigov(9_000_005)
    ingest(store, article(ORIGINAL, repost, f"{ORIGINAL_TEXT}\nอ่านเพิ่มเติม"))
    ingest(store, article(ORIGINAL))
    assert cluster(store, repost) == cluster(store, former) == ORIGINAL_URL

    ingest(store, article(OTHER, former))  # an import record under the old address
    assert duplicate_of(store, former) is None
    ingest(store, article(ORIGINAL, thaigov(9_000_006)))

    assert duplicate_of(store, ORIGINAL_URL) is None
    assert cluster(store, repost) == cluster(store, thaigov(9_000_006)) == ORIGINAL_URL


def test_a_row_under_a_former_address_keeps_its_rank_among_other_articles(store: Store) -> None:
    """Only the row under the article's own canonical address takes its place: another
    article that ranks after it (a repost, its URL sorting after the escapes) stays a copy."""
    former = FORMER_FORMS["percent-encoded Thai digits"]
    stored_under_former_form(store, article(ORIGINAL), former)

    ingest(store, article(ORIGINAL, thaigov(9_000_005)))

    assert duplicate_of(store, former) is None
    assert duplicate_of(store, thaigov(9_000_005)) == former


# --- Arrival order -------------------------------------------------------------

CAPTION = "ภาพ: กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"


def as_found(
    record_id: int,
    url: str,
    *,
    source: str = "thaigov",
    body: str | None = None,
    published: date | None = None,
) -> RawArticle:
    """The corpus article's normalised text under ``url``, dated ``published`` (None: undated)."""
    original = normalise_article(article(record_id))
    return RawArticle(
        url=url,
        source=source,
        title=original.title,
        body=original.body if body is None else body,
        published_hint=published,
    )


@pytest.mark.parametrize("order", ["repost first", "copy first"])
def test_a_repost_a_year_later_and_its_copy_are_one_story_whichever_arrives_first(
    store: Store, order: str
) -> None:
    """A word-for-word repost has the exact hash of the year-old original, which the 30-day
    rule refuses: the repost must still be compared with the copy of its own day."""
    original = normalise_article(article(ORIGINAL))
    year_later = original.published + timedelta(days=365)
    repost = as_found(ORIGINAL, thaigov(9_000_010), published=year_later)
    body = f"{original.body}\n{CAPTION}"
    copy = as_found(ORIGINAL, MDES_COPY, source="mdes", body=body, published=year_later)
    assert fingerprint(original.title, original.body).exact_hash == (
        fingerprint(repost.title, repost.body).exact_hash
    )
    ingest(store, article(ORIGINAL))
    for item in (repost, copy) if order == "repost first" else (copy, repost):
        ingest(store, item)
    assert duplicate_of(store, thaigov(9_000_010)) == MDES_COPY  # same day, the longer text
    assert duplicate_of(store, MDES_COPY) is None
    assert duplicate_of(store, ORIGINAL_URL) is None  # a year apart: another story


@pytest.mark.parametrize("order", ["copy first", "release first"])
def test_a_release_that_learns_its_date_on_a_revisit_represents_its_shorter_copy(
    store: Store, order: str
) -> None:
    """Undated, the release ranks by its first-seen day, years after its copy's date; once
    a revisit gives it the copy's day, the longer text represents the story, as it would
    had both been found dated."""
    original = normalise_article(article(ORIGINAL))
    shorter = " ".join(original.body.split(" ")[:-5])  # its last participant dropped
    copy = as_found(ORIGINAL, MDES_COPY, source="mdes", body=shorter, published=original.published)
    undated = as_found(ORIGINAL, ORIGINAL_URL)
    ingestor = build_ingestor(store, clock=clock)  # one process: its index is kept in memory
    for item in (copy, undated) if order == "copy first" else (undated, copy):
        ingestor.ingest([item])
    assert store.article_by_url(ORIGINAL_URL)["published"] is None
    assert duplicate_of(store, ORIGINAL_URL) == MDES_COPY  # first seen years later
    summary = ingestor.ingest([as_found(ORIGINAL, ORIGINAL_URL, published=original.published)])
    assert summary.unchanged == 1
    assert store.article_by_url(ORIGINAL_URL)["published"] == original.published.isoformat()
    assert duplicate_of(store, MDES_COPY) == ORIGINAL_URL
    assert duplicate_of(store, ORIGINAL_URL) is None


@pytest.mark.parametrize("order", ["copy before the date", "copy after the date", "one batch"])
def test_a_release_that_learns_its_date_is_compared_with_the_copies_of_its_day(
    store: Store, order: str
) -> None:
    """A condensed copy is found by the day window alone, where an undated article is not
    filed: learning its date files it there, in the index a running crawl keeps."""
    original = normalise_article(article(CONDENSED))
    copy = condensed(CONDENSED, MDES_COPY)
    assert similarity(article(CONDENSED), copy) < THRESHOLD
    dated = as_found(CONDENSED, thaigov(CONDENSED), published=original.published)
    ingestor = build_ingestor(store, clock=clock)  # one process: its index is kept in memory
    if order == "copy before the date":
        ingestor.ingest([copy])
        ingestor.ingest([as_found(CONDENSED, thaigov(CONDENSED))])
        assert store.article_by_url(thaigov(CONDENSED))["published"] is None
        assert duplicate_of(store, MDES_COPY) is None  # an undated text is not compared so
        ingestor.ingest([dated])
    elif order == "copy after the date":
        ingestor.ingest([as_found(CONDENSED, thaigov(CONDENSED))])
        ingestor.ingest([dated])
        ingestor.ingest([copy])
    else:
        ingestor.ingest([as_found(CONDENSED, thaigov(CONDENSED))])
        ingestor.ingest([copy, dated])
    assert store.article_by_url(thaigov(CONDENSED))["versions"] == 1
    assert duplicate_of(store, MDES_COPY) == thaigov(CONDENSED)
    assert duplicate_of(store, thaigov(CONDENSED)) is None


def test_an_article_placed_again_for_its_date_keeps_the_fingerprint_of_its_stored_text(
    store: Store,
) -> None:
    """A body normalised before numeric date lines were read holds one at its top; a revisit
    without it, dated, is the same text (unchanged), and the fingerprint stays the stored
    text's, which the row still holds."""
    original = normalise_article(article(ORIGINAL))
    ingest(store, as_found(ORIGINAL, ORIGINAL_URL))
    legacy = fingerprint(original.title, f"28/09/2563\n{original.body}")
    with store.transaction() as conn:
        row_id = conn.execute(select(articles.c.id)).scalar_one()
        conn.execute(
            update(articles)
            .where(articles.c.id == row_id)
            .values(body=f"28/09/2563\n{original.body}", content_hash="as hashed then")
        )
        conn.execute(
            update(fingerprints)
            .where(fingerprints.c.article_id == row_id)
            .values(exact_hash=legacy.exact_hash, minhash=legacy.to_bytes())
        )
    summary = build_ingestor(store, clock=clock).ingest(
        [as_found(ORIGINAL, ORIGINAL_URL, published=original.published)]
    )
    assert summary.unchanged == 1
    assert store.article_by_url(ORIGINAL_URL)["published"] == original.published.isoformat()
    with store.engine.connect() as conn:
        stored = conn.execute(select(fingerprints.c.exact_hash, fingerprints.c.minhash)).one()
    assert stored.exact_hash == legacy.exact_hash
    assert stored.minhash == legacy.to_bytes()


# --- Containment: condensed republications ----------------------------------


@pytest.mark.parametrize("order", ["original first", "copy first", "one batch"])
def test_condensed_copy_joins_its_original_whichever_arrives_first(
    store: Store, order: str
) -> None:
    original, copy = article(CONDENSED), condensed(CONDENSED, MDES_COPY)
    assert similarity(original, copy) < THRESHOLD  # beyond the Jaccard rule alone
    if order == "one batch":
        ingest(store, copy, original)
    else:
        for item in (original, copy) if order == "original first" else (copy, original):
            ingest(store, item)
    # Published the same day: the longer text represents the cluster.
    assert duplicate_of(store, MDES_COPY) == thaigov(CONDENSED)
    assert duplicate_of(store, thaigov(CONDENSED)) is None


@pytest.mark.parametrize("pair", CORPUS_CONDENSED_PAIRS)
def test_condensed_republication_found_in_the_corpus_joins_the_fuller_one(
    store: Store, pair: str
) -> None:
    shorter, fuller = CORPUS_CONDENSED_PAIRS[pair]
    assert similarity(article(shorter), article(fuller)) < THRESHOLD
    ingest(store, article(shorter))
    ingest(store, article(fuller))
    assert duplicate_of(store, thaigov(shorter)) == thaigov(fuller)


def test_condensed_copy_published_earlier_represents_its_cluster(store: Store) -> None:
    original = article(CONDENSED)
    published = normalise_article(original).published
    ingest(store, original, condensed(CONDENSED, MDES_COPY, published - timedelta(days=1)))
    assert duplicate_of(store, thaigov(CONDENSED)) == MDES_COPY


def test_condensed_copy_is_matched_by_a_new_deduplicator_from_the_stored_text(
    store: Store,
) -> None:
    ingest(store, article(CONDENSED))
    later = Deduplicator(store)  # another process: no sketch in memory
    Ingestor(store, deduplicator=later, clock=clock).ingest([condensed(CONDENSED, MDES_COPY)])
    assert later.matched == {"contained": 1}
    assert duplicate_of(store, MDES_COPY) == thaigov(CONDENSED)


def test_a_candidate_without_a_cached_sketch_has_its_text_read_once(store: Store) -> None:
    ingest(store, article(CONDENSED))
    original_id = store.article_by_url(thaigov(CONDENSED))["id"]
    later = Deduplicator(store)  # another process: no sketch in memory
    text_reads = []

    def count_text_reads(_conn, _cursor, statement, parameters, _context, _many) -> None:
        # the text itself, not its length nor whether it is empty
        selected = statement.split(" FROM ", 1)[0]
        if selected.startswith("SELECT") and re.search(
            r"(?<!length\()articles\.body(?! !=)", selected
        ):
            text_reads.append(parameters)

    event.listen(store.engine, "before_cursor_execute", count_text_reads)
    try:
        Ingestor(store, deduplicator=later, clock=clock).ingest([condensed(CONDENSED, MDES_COPY)])
    finally:
        event.remove(store.engine, "before_cursor_execute", count_text_reads)
    assert later.matched == {"contained": 1}  # its text was read, and matched
    assert [original_id in parameters for parameters in text_reads] == [True]


@pytest.mark.parametrize("editions", CONTAINED_EDITIONS)
def test_edition_of_a_daily_report_held_in_another_is_not_merged(
    store: Store, editions: str
) -> None:
    ids = CONTAINED_EDITIONS[editions]
    first, second = (article(record_id) for record_id in ids)
    assert containment(first, second) >= CONTAINMENT  # only the series checks keep them apart
    ingest(store, first, second)
    assert [duplicate_of(store, thaigov(record_id)) for record_id in ids] == [None, None]


@pytest.mark.parametrize("event", SAME_EVENT)
def test_release_on_another_subject_from_the_same_event_is_not_merged(
    store: Store, event: str
) -> None:
    ids = SAME_EVENT[event]
    first, second = (article(record_id) for record_id in ids)
    published = {normalise_article(raw).published for raw in (first, second)}
    assert len(published) == 1
    assert similarity(first, second) >= CANDIDATE_SIMILARITY  # compared by containment
    ingest(store, first, second)
    assert [duplicate_of(store, thaigov(record_id)) for record_id in ids] == [None, None]


def test_same_template_filled_in_for_another_province_is_not_merged(store: Store) -> None:
    first, second = (article(record_id) for record_id in TEMPLATE_PAIR)
    assert containment(first, second) >= CONTAINMENT  # only the headlines tell them apart
    assert CANDIDATE_SIMILARITY <= similarity(first, second) < THRESHOLD
    ingest(store, first, second)
    assert [duplicate_of(store, thaigov(record_id)) for record_id in TEMPLATE_PAIR] == [None, None]


def test_text_without_figures_similar_to_two_issues_does_not_chain_them(store: Store) -> None:
    first, second = (article(record_id) for record_id in WEEKLY_ISSUES)
    without_figures = re.sub("[0-9๐-๙]+", "", RECORDS[WEEKLY_ISSUES[0]]["text"])
    summary = article(WEEKLY_ISSUES[0], MDES_COPY, without_figures)
    # It duplicates both issues (no figure to disagree with); they disagree with each other.
    assert min(similarity(summary, first), similarity(summary, second)) >= THRESHOLD
    ingest(store, first, second)
    ingest(store, summary)
    issues = [cluster(store, thaigov(record_id)) for record_id in WEEKLY_ISSUES]
    assert issues[0] != issues[1]
    assert cluster(store, MDES_COPY) == issues[0]  # the more similar one


# --- Persistence -------------------------------------------------------------


def test_new_deduplicator_finds_duplicates_from_stored_signatures_alone(store: Store) -> None:
    ingest(store, article(ORIGINAL), article(OTHER))
    with store.transaction() as conn:
        conn.execute(update(articles).values(body=""))
    later = Deduplicator(store)
    copy = article(ORIGINAL, "https://mdes.go.th/news/detail/99", republished(ORIGINAL_TEXT))
    Ingestor(store, deduplicator=later, clock=clock).ingest([copy])
    assert later.signatures_loaded == 2
    assert cluster(store, "https://mdes.go.th/news/detail/99") == cluster(store, ORIGINAL_URL)


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
    mdes_url = "https://mdes.go.th/news/detail/5"
    assert first[mdes_url] is None  # the longest of the day: the copy with boilerplate added
    assert first[ORIGINAL_URL] == first[thaigov(9_000_005)] == mdes_url


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
    # One cluster: the index holds the original's stored text, not the rolled-back one.
    assert cluster(store, ORIGINAL_URL) == cluster(store, "https://mdes.go.th/news/detail/77")


# --- An article that changes is judged again ---------------------------------


def shared_bands(one: RawArticle, other: RawArticle) -> int:
    """In how many LSH bands two articles, as stored, share a key."""
    index = BandIndex(THRESHOLD)
    first, second = (normalise_article(raw) for raw in (one, other))
    keys = [index.keys(fingerprint(a.title, a.body).signature) for a in (first, second)]
    return sum(mine == theirs for mine, theirs in zip(*keys, strict=True))


def test_a_copy_edited_a_little_stays_in_its_cluster_though_lsh_would_miss_it(
    store: Store,
) -> None:
    # Re-published a week later (beyond the day window: LSH alone finds it), the end of
    # its long paragraph another story's; then one character added.
    later = ORIGINAL_TEXT.replace("วันจันทร์ที่ 28 กันยายน 2563", "วันจันทร์ที่ 5 ตุลาคม 2563")
    lines = later.split("\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    paragraph = lines[longest]
    ending = (RECORDS[OTHER]["text"] * 2)[500 : 500 + len(paragraph) - 790]
    copied = paragraph[:790] + ending
    after = lines[longest + 1 :]
    edited = copied[:240] + "ฯ" + copied[240:]
    copy, edit = (
        article(ORIGINAL, thaigov(9_000_006), "\n".join([*lines[:longest], text, *after]))
        for text in (copied, edited)
    )
    original = article(ORIGINAL)
    assert min(similarity(original, copy), similarity(original, edit)) >= THRESHOLD
    assert (shared_bands(original, copy), shared_bands(original, edit)) == (1, 0)
    ingest(store, original)
    ingest(store, copy)
    assert duplicate_of(store, thaigov(9_000_006)) == ORIGINAL_URL
    ingest(store, edit)
    assert store.article_by_url(thaigov(9_000_006))["versions"] == 2
    assert duplicate_of(store, thaigov(9_000_006)) == ORIGINAL_URL


def numbered(title: str, figures: tuple[int, ...]) -> str:
    """A headline, the original's text below its headline, then a line of ``figures``."""
    body = ORIGINAL_TEXT.partition("\n")[2]
    listed = " ".join(f"รายการที่ {figure} บาท" for figure in figures)
    return f"{title}\n{body}\nสรุปตัวเลข {listed}"


def test_a_member_edited_to_disagree_with_another_member_leaves_the_cluster(
    store: Store,
) -> None:
    """Rule 2 holds between every two members: agreeing with the representative is not enough."""
    title = "ดีอีเอส สรุปผลการประชุม"
    figures = (10, 20, 30, 40, 50, 60)
    first, second, third = thaigov(9_000_011), thaigov(9_000_012), thaigov(9_000_013)
    ingest(
        store,
        article(ORIGINAL, first, numbered(title, figures)),
        article(ORIGINAL, second, numbered(title, (11, 21, 30, 40, 50, 60))),  # two figures off
        article(ORIGINAL, third, numbered(title, figures)),
    )
    assert {cluster(store, url) for url in (first, second, third)} == {first}
    # Two other figures off: the first still agrees, the second no longer does.
    ingest(store, article(ORIGINAL, third, numbered(title, (10, 20, 31, 41, 50, 60))))
    assert duplicate_of(store, third) is None
    assert duplicate_of(store, second) == first


def test_a_representative_edited_into_another_report_hands_over_and_leaves_in_one_transaction(
    store: Store,
) -> None:
    title = "ดีอีเอส สรุปผลการประชุม"
    first, second = thaigov(9_000_021), thaigov(9_000_022)
    ingestor = build_ingestor(store, clock=clock)
    ingestor.ingest(
        [
            article(ORIGINAL, first, numbered(title, (10, 20, 30, 40, 50, 60))),
            article(ORIGINAL, second, numbered(title, (10, 20, 30, 40, 50))),
        ]
    )
    assert duplicate_of(store, second) == first  # the longer text represents the story
    other_figures = article(ORIGINAL, first, numbered(title, (15, 25, 35, 45, 55, 65)))
    deduplicator = ingestor.deduplicator
    flush = deduplicator.flush

    def failing_flush(conn) -> None:  # the crash comes after the cluster was rewritten
        raise OSError("disk full")

    deduplicator.flush = failing_flush
    with pytest.raises(OSError):
        ingestor.ingest([other_figures])
    deduplicator.flush = flush
    assert store.article_by_url(first)["versions"] == 1
    assert duplicate_of(store, second) == first  # nothing of it was kept
    ingestor.ingest([other_figures])
    assert store.article_by_url(first)["versions"] == 2
    assert duplicate_of(store, first) is None
    assert duplicate_of(store, second) is None  # the earliest remaining member, alone now


# --- An edit keeps the representative ------------------------------------------

ADDED_SENTENCE = "ทั้งนี้ ที่ประชุมได้เห็นชอบแผนงานความร่วมมือด้านดิจิทัลประจำปี ๒๕๖๔ เพิ่มเติมอีกสามโครงการ"
DROPPED_PARTICIPANT = (
    " และนายนทชาติ จินตกานนท์ ผู้อำนวยการสำนักการต่างประเทศ"
    " สำนักงานคณะกรรมการกิจการกระจายเสียง กิจการโทรทัศน์และกิจการโทรคมนาคมแห่งชาติ"
)


def test_a_copy_edited_into_the_longer_text_leaves_the_representative_in_place(
    store: Store,
) -> None:
    """One release on both sites, same day and text: the MDES URL sorts first and represents
    it. A sentence added to the thaigov copy must not hand it the role: the story's feed
    entry is named by its representative's URL, and readers would see it as new."""
    ingest(store, article(ORIGINAL))
    ingest(store, article(ORIGINAL, MDES_COPY))
    assert duplicate_of(store, ORIGINAL_URL) == MDES_COPY
    ingest(store, article(ORIGINAL, ORIGINAL_URL, f"{ORIGINAL_TEXT}\n{ADDED_SENTENCE}"))
    edited = store.article_by_url(ORIGINAL_URL)
    assert edited["versions"] == 2 and ADDED_SENTENCE in edited["body"]
    assert len(edited["body"]) > len(store.article_by_url(MDES_COPY)["body"])
    assert duplicate_of(store, ORIGINAL_URL) == MDES_COPY
    assert duplicate_of(store, MDES_COPY) is None


def test_an_edit_in_the_batch_that_stored_the_copies_leaves_the_representative_in_place(
    store: Store,
) -> None:
    """The same three items in one batch (one import file): the edited copy's first version
    was not stored yet, so its edited text ranked it, and it took the role."""
    edited = article(ORIGINAL, ORIGINAL_URL, f"{ORIGINAL_TEXT}\n{ADDED_SENTENCE}")
    ingest(store, article(ORIGINAL), article(ORIGINAL, MDES_COPY), edited)
    assert store.article_by_url(ORIGINAL_URL)["versions"] == 2
    assert duplicate_of(store, ORIGINAL_URL) == MDES_COPY
    assert duplicate_of(store, MDES_COPY) is None
    first, second = store.versions(store.article_by_url(ORIGINAL_URL)["id"])
    assert ADDED_SENTENCE not in first["body"] and ADDED_SENTENCE in second["body"]


def test_a_representative_edited_into_the_shorter_text_keeps_its_role(store: Store) -> None:
    ingest(store, article(ORIGINAL), article(ORIGINAL, MDES_COPY))
    assert duplicate_of(store, ORIGINAL_URL) == MDES_COPY
    shorter = ORIGINAL_TEXT.replace(DROPPED_PARTICIPANT, "")
    assert len(shorter) < len(ORIGINAL_TEXT)
    ingest(store, article(ORIGINAL, MDES_COPY, shorter))
    assert store.article_by_url(MDES_COPY)["versions"] == 2
    assert duplicate_of(store, MDES_COPY) is None
    assert duplicate_of(store, ORIGINAL_URL) == MDES_COPY


def test_a_copy_arriving_after_the_representative_was_cut_is_compared_with_it_as_first_seen(
    store: Store,
) -> None:
    """The representative was the longer text when first seen; a copy of that day found later,
    longer than its cut text but not than its first, does not take the role either."""
    longer = f"{ORIGINAL_TEXT}\n{ADDED_SENTENCE}"
    ingest(store, article(ORIGINAL, ORIGINAL_URL, longer))
    ingest(store, article(ORIGINAL, ORIGINAL_URL, ORIGINAL_TEXT.replace(DROPPED_PARTICIPANT, "")))
    ingest(store, article(ORIGINAL, MDES_COPY))
    assert duplicate_of(store, MDES_COPY) == ORIGINAL_URL
    assert duplicate_of(store, ORIGINAL_URL) is None


def test_the_longer_text_as_first_seen_keeps_its_role_once_cut_below_the_other(
    store: Store,
) -> None:
    longer = article(ORIGINAL, MDES_COPY, f"{ORIGINAL_TEXT}\n{ADDED_SENTENCE}")
    ingest(store, article(ORIGINAL), longer)
    assert duplicate_of(store, ORIGINAL_URL) == MDES_COPY  # the longer text, seen together
    ingest(store, article(ORIGINAL, MDES_COPY, ORIGINAL_TEXT.replace(DROPPED_PARTICIPANT, "")))
    assert len(store.article_by_url(MDES_COPY)["body"]) < len(
        store.article_by_url(ORIGINAL_URL)["body"]
    )
    assert duplicate_of(store, ORIGINAL_URL) == MDES_COPY
    assert duplicate_of(store, MDES_COPY) is None
