"""The import readers against careless and hostile files: every good line kept, memory bounded."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import (
    DATA,
    SEEDS,
    needs_file_permissions,
    seed_path,
    thaidigest_without_file_permission_overrides,
    without_file_permission_overrides,
)
from thaidigest import readers
from thaidigest.cli import main
from thaidigest.ingest import Rejected
from thaidigest.model import RawArticle
from thaidigest.readers import (
    LineReader,
    ReadLimits,
    parse_plain_text,
    read_jsonl_file,
    read_text_file,
)

MEMORY_BOUND_KB = 300 * 1024  # the import of a decompression bomb stays under 300 MB
BOMB_MIB = 256  # of zeros, one line: sixteen times the default line limit


def corpus_lines(count: int) -> list[bytes]:
    """``count`` corpus lines, each its own article."""
    records = [
        json.loads(line) for line in (DATA / "corpus_sample.jsonl").read_bytes().splitlines()
    ]
    lines = []
    for number in range(count):
        record = records[number % len(records)]
        article_id = 9_100_000 + number
        record = record | {
            "id": article_id,
            "url": f"https://www.thaigov.go.th/news/contents/details/{article_id}",
            "text": record["text"].replace("\n", f"\nฉบับที่ {number}\n", 1),
        }
        lines.append(json.dumps(record, ensure_ascii=False).encode())
    return lines


def import_files(*paths: Path, db: Path):
    return CliRunner().invoke(main, ["import", *map(str, paths), "--db", str(db)])


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.xz"])
def test_undecodable_byte_rejects_its_line_alone_with_its_number(tmp_path, suffix):
    lines = corpus_lines(7)
    lines[1] = lines[1].replace(b'"text": "', b'"text": "\xff', 1)
    data = b"\n".join(lines) + b"\n"
    path = tmp_path / f"seven{suffix}"
    path.write_bytes(lzma.compress(data) if suffix.endswith(".xz") else data)
    result = import_files(path, db=tmp_path / "db.sqlite")
    assert "read 7, new 6, updated 0, unchanged 0, rejected 1" in result.stdout
    assert f"skipped {path}:2: not UTF-8: byte 0xff at column" in result.stderr
    assert result.exit_code == 1


def test_line_numbers_count_blank_lines_and_long_lines_across_chunks(monkeypatch):
    monkeypatch.setattr(readers, "CHUNK_BYTES", 7)  # every line spans several chunks
    text = b"\n\n  \nfirst line\r\n\n" + b"x" * 40 + b"\nsecond\n\n\n  third  \nlast"
    reader = LineReader(io.BytesIO(text), max_bytes=20)
    assert list(reader) == [
        (4, b"first line\r"),
        (6, None),  # longer than 20 bytes: skipped, never held
        (7, b"second"),
        (10, b"third  "),
        (11, b"last"),
    ]
    assert reader.blank == 6


def test_line_longer_than_the_limit_is_rejected_and_the_next_ones_read(tmp_path):
    good = corpus_lines(2)
    path = tmp_path / "long.jsonl"
    long_line = b'{"text": "' + b"a" * 50_000 + b'"}'
    path.write_bytes(b"\n".join([good[0], long_line, good[1]]) + b"\n")
    items = list(read_jsonl_file(path, ReadLimits(max_line_bytes=40_000)))
    assert [type(item) for item in items] == [RawArticle, Rejected, RawArticle]
    assert items[1].where == f"{path}:2"
    assert "longer than import.max_line_bytes (40,000 bytes)" in items[1].reason


def noise(data: bytes, n: int) -> bytes:
    """128 hexadecimal digits that do not compress, the ``n``-th for ``data``."""
    return hashlib.sha512(data + bytes([n])).hexdigest().encode()


def test_a_cut_xz_file_keeps_every_complete_line_and_says_where_it_broke(tmp_path):
    # Each line with bytes of its own, so that the compressed file grows line by line.
    lines = [
        line[:-1] + b', "noise": "%s"}' % b"".join(noise(line, n) for n in range(16))
        for line in corpus_lines(60)
    ]
    compressed = lzma.compress(b"\n".join(lines) + b"\n")
    cut = compressed[: len(compressed) // 2]
    complete = lzma.LZMADecompressor().decompress(cut).count(b"\n")  # what xz -dc recovers
    assert complete >= 20
    path = tmp_path / "cut.jsonl.xz"
    path.write_bytes(cut)
    result = import_files(path, db=tmp_path / "db.sqlite")
    assert result.exit_code == 1
    assert f"read {complete + 1}, new {complete}, updated 0, unchanged 0, rejected 1" in (
        result.stdout
    )
    assert result.stderr.count("skipped") == 1
    assert f"skipped {path}:{complete + 1}: cannot read: Compressed file ended" in result.stderr


def zero_bomb(path: Path, mebibytes: int) -> Path:
    """An xz file of ``mebibytes`` MiB of zero bytes: one line, a few kB on disk."""
    compressor = lzma.LZMACompressor(preset=0)
    block = bytes(1 << 20)
    with path.open("wb") as handle:
        for _ in range(mebibytes):
            handle.write(compressor.compress(block))
        handle.write(compressor.flush())
    return path


def test_decompression_bomb_is_an_error_in_bounded_memory(tmp_path):
    bomb = zero_bomb(tmp_path / "bomb.jsonl.xz", BOMB_MIB)
    assert bomb.stat().st_size < 100_000
    # A parent that runs only the import, so its children's peak is the import's own.
    measure = (
        "import resource, subprocess, sys; "
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "print(done.stdout + done.stderr)"
    )
    command = [
        sys.executable,
        "-m",
        "thaidigest",
        "import",
        str(bomb),
        "--db",
        str(tmp_path / "db"),
    ]
    result = subprocess.run(
        [sys.executable, "-c", measure, *command], capture_output=True, text=True, timeout=300
    )
    status, peak_kb = map(int, result.stdout.split("\n", 1)[0].split())
    output = result.stdout.split("\n", 1)[1]
    assert status == 1, output
    assert f"{bomb}:1: line longer than import.max_line_bytes" in output
    assert "read 1, new 0, updated 0, unchanged 0, rejected 1" in output
    assert peak_kb < MEMORY_BOUND_KB, f"peak RSS {peak_kb} kB"


COMPRESSION_MISTAKES = {
    # A plain file named .xz was `bad.jsonl.xz:1: cannot read: Input format not supported by
    # decoder`; a compressed one named .jsonl, one `not UTF-8` line for each of its lines.
    "plain-named-xz": (
        "bad.jsonl.xz",
        lambda data: data,
        "not xz-compressed data: name it .jsonl if it holds plain JSON lines",
    ),
    "gzip-named-xz": (
        "bad.jsonl.xz",
        gzip.compress,
        "not xz-compressed data: it is gzip-compressed; decompress it (gunzip -c)",
    ),
    "gzip-named-jsonl": (
        "corpus.jsonl",
        gzip.compress,
        "gzip-compressed, not plain JSON lines: decompress it (gunzip -c FILE > plain.jsonl)",
    ),
    "xz-named-jsonl": (
        "corpus.jsonl",
        lzma.compress,
        "xz-compressed, not plain JSON lines: name it .jsonl.xz, or decompress it (unxz)",
    ),
}


@pytest.mark.parametrize(
    ("name", "compress", "reason"), COMPRESSION_MISTAKES.values(), ids=COMPRESSION_MISTAKES.keys()
)
def test_a_file_compressed_otherwise_than_its_name_says_is_said_so_once(
    tmp_path, name, compress, reason
):
    path = tmp_path / name
    path.write_bytes(compress(b"\n".join(corpus_lines(50)) + b"\n"))
    result = import_files(path, db=tmp_path / "db.sqlite")
    assert result.exit_code == 1
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 1, skipped  # once for the file, not once a line
    assert skipped[0].startswith(f"skipped {path}: {reason}")
    assert "read 1, new 0, updated 0, unchanged 0, rejected 1" in result.stdout


def test_a_legacy_lzma_file_named_xz_imports_as_lzma_open_reads_it(tmp_path):
    """xz --format=lzma data (no xz magic) named .jsonl.xz imported before the check of its
    first bytes, which took it for a file that is not xz data."""
    path = tmp_path / "corpus.jsonl.xz"
    lines = corpus_lines(5)
    path.write_bytes(lzma.compress(b"\n".join(lines) + b"\n", format=lzma.FORMAT_ALONE))
    result = import_files(path, db=tmp_path / "db.sqlite")
    assert result.exit_code == 0, result.stderr
    assert "skipped" not in result.stderr
    assert f"new {len(lines)}," in result.stdout


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"\n" * 1_000_000, "no articles: 1,000,000 blank lines"), (b"", "empty file")],
    ids=["a-million-blank-lines", "empty"],
)
def test_a_file_with_no_article_is_not_a_success(tmp_path, data, reason):
    path = tmp_path / "nothing.jsonl.xz"
    path.write_bytes(lzma.compress(data))
    result = import_files(path, db=tmp_path / "db.sqlite")
    assert result.exit_code == 1
    assert f"skipped {path}: {reason}" in result.stderr
    assert "read 1, new 0, updated 0, unchanged 0, rejected 1" in result.stdout


URL_RECORDS = {
    "control-character": (
        "https://example.org/news/1\u0001",
        "'url' 'https://example.org/news/1\\x01' holds a control character (U+0001)",
    ),
    "space": ("https://example.org/news 1", "holds a space (U+0020)"),
    "delete": ("https://example.org/news/1\u007f", "holds a control character (U+007F)"),
    "no-break-space": ("https://example.org/news\u00a01", "holds a space (U+00A0)"),
    "javascript": ("javascript:alert(1)", "is not an http:// or https:// address"),
    "file": ("file:///etc/passwd", "is not an http:// or https:// address"),
    "data": ("data:text/html,<script>x</script>", "is not an http:// or https:// address"),
    "no-host": ("https:///news/1", "has no host"),
    "direction-override": ("https://example.org/\u202egpj.exe", "holds a control character"),
    # No feed can hold it: the digest stopped with a traceback while it was in the feeds.
    "noncharacter": ("https://example.org/news/a\uffff", "holds a noncharacter (U+FFFF)"),
    "not-a-string": (42, "'url' is not a string"),
    "missing": (None, "no 'url' field"),
    "empty": ("", "'url' is empty"),  # not `no 'url' field`: the field is there
    "blank": ("  ", "'url' is empty"),
}


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("title", "", "'title' is empty"),
        ("title", " ", "'title' is empty"),
        ("url", "", "'url' is empty"),
        ("url", None, "no 'url' field"),
    ],
)
def test_an_export_record_with_an_empty_field_says_it_is_empty_not_missing(
    tmp_path, field, value, reason
):
    record = {"url": "https://example.org/news/1", "title": "Headline", "body": "Body text."}
    if value is None:
        record.pop(field)
    else:
        record[field] = value
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (item,) = read_jsonl_file(path)
    assert isinstance(item, Rejected) and item.where == f"{path}:1"
    assert item.reason == reason


@pytest.mark.parametrize(("url", "reason"), URL_RECORDS.values(), ids=URL_RECORDS.keys())
def test_an_article_whose_url_is_not_a_web_address_is_rejected_saying_why(tmp_path, url, reason):
    record = {"id": 1, "text": "Headline\n\nBody text."}
    if url is not None:
        record["url"] = url
    path = tmp_path / "urls.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (item,) = read_jsonl_file(path)
    assert isinstance(item, Rejected) and item.where == f"{path}:1"
    assert reason in item.reason


HOSTILE_RECORDS = {
    "lone-surrogate": (
        '{"url": "https://example.org/1", "text": "Head\\ud800line\\n\\nBody"}',
        "'text' holds a lone surrogate",
    ),
    "nested-too-deeply": ("[" * 100_000 + "]" * 100_000, "invalid JSON: nested too deeply"),
    "unterminated-string": (
        '{"url": "https://example.org/1", "text": "Head',
        "invalid JSON: Unterminated string starting at column 42",
    ),
    "id-a-table": (
        '{"id": {"a": 1}, "url": "https://example.org/1", "text": "H\\n\\nB"}',
        "'id' is neither a number nor a string",
    ),
    "id-not-a-number": (
        '{"id": NaN, "url": "https://example.org/1", "text": "H\\n\\nB"}',
        "'id' is not a whole number",
    ),
    "id-huge": (
        '{"id": 1e300, "url": "https://example.org/1", "text": "H\\n\\nB"}',
        "'id' is not a whole number",
    ),
    "id-control-character": (
        '{"id": "12\\u00003", "url": "https://example.org/1", "text": "H\\n\\nB"}',
        "'id' is not a whole number",
    ),
    "id-not-the-urls": (
        json.dumps({"id": 999, "url": "https://www.mdes.go.th/news/detail/10", "text": "H\n\nB"}),
        "'id' 999 is not the article number in its 'url' (10)",
    ),
    "too-long-an-article": (
        json.dumps({"url": "https://example.org/1", "text": "H\n\n" + "ข" * 20_000}),
        "more than import.max_article_chars (10,000)",
    ),
    # Records of `thaidigest export`: title and body instead of text.
    "export-published-not-a-date": (
        json.dumps({"url": "https://example.org/1", "title": "H", "body": "B", "published": "x"}),
        "'published' 'x' is not a date like 2024-08-20",
    ),
    # A Buddhist-era year is refused, not converted (the field is ISO), nor stored undated.
    "export-published-in-a-buddhist-era-year": (
        json.dumps(
            {"url": "https://example.org/1", "title": "H", "body": "B", "published": "2567-08-23"}
        ),
        "'published' '2567-08-23' has a Buddhist-era year (2567 BE is 2024): give 2024-08-23",
    ),
    "export-published-buddhist-era-leap-day-no-common-era-one": (
        json.dumps(
            {"url": "https://example.org/1", "title": "H", "body": "B", "published": "2568-02-29"}
        ),
        "'published' '2568-02-29' has a Buddhist-era year (2568 BE is 2025), and 2025-02-29 is "
        "no date",
    ),
    "export-no-body": (json.dumps({"url": "https://example.org/1", "title": "H"}), "no 'body'"),
    "export-too-long": (
        json.dumps({"url": "https://example.org/1", "title": "H", "body": "ข" * 20_000}),
        "more than import.max_article_chars (10,000)",
    ),
    "export-file-url-with-a-host": (
        json.dumps({"url": "file://server/etc/passwd", "title": "H", "body": "B"}),
        "is not an http:// or https:// address",
    ),
    "export-javascript-url": (
        json.dumps({"url": "javascript:alert(1)", "title": "H", "body": "B"}),
        "is not an http:// or https:// address",
    ),
    "export-source-id-not-the-urls": (
        json.dumps(
            {"url": "https://www.mdes.go.th/news/detail/10", "source_id": "9", "title": "H"}
            | {"body": "B"}
        ),
        "'source_id' 9 is not the article number in its 'url' (10)",
    ),
    "export-first-seen-not-a-time": (
        json.dumps({"url": "https://example.org/1", "title": "H", "body": "B", "first_seen": "x"}),
        "'first_seen' 'x' is not a time like 2024-08-23T10:00:00Z",
    ),
    "export-first-seen-without-a-zone": (
        json.dumps(
            {"url": "https://example.org/1", "title": "H", "body": "B"}
            | {"first_seen": "2024-08-23T10:00:00"}
        ),
        "'first_seen' '2024-08-23T10:00:00' is not a time like",
    ),
    # A time the store cannot write as four-digit-year UTC text: before year 1 or after
    # 9999 once in UTC, or before year 1000 (written "1-01-01T00:00:00Z", no time to read).
    "export-first-seen-before-year-one-in-utc": (
        json.dumps(
            {"url": "https://example.org/1", "title": "H", "body": "B"}
            | {"first_seen": "0001-01-01T00:00:00+14:00"}
        ),
        "'first_seen' '0001-01-01T00:00:00+14:00' is not a time like",
    ),
    "export-last-changed-after-9999-in-utc": (
        json.dumps(
            {"url": "https://example.org/1", "title": "H", "body": "B"}
            | {"last_changed": "9999-12-31T23:59:59-01:00"}
        ),
        "'last_changed' '9999-12-31T23:59:59-01:00' is not a time like",
    ),
    "export-first-seen-before-year-1000": (
        json.dumps(
            {"url": "https://example.org/1", "title": "H", "body": "B"}
            | {"first_seen": "0001-01-01T00:00:00Z"}
        ),
        "'first_seen' '0001-01-01T00:00:00Z' is not a time like",
    ),
    # Times too are ISO in the Common Era: a Buddhist-era year is refused, not stored as
    # the time of the import (the ingestor's cap on a time after now).
    "export-first-seen-in-a-buddhist-era-year": (
        json.dumps(
            {"url": "https://example.org/1", "title": "H", "body": "B"}
            | {"first_seen": "2567-08-01T00:00:00Z"}
        ),
        "'first_seen' '2567-08-01T00:00:00Z' has a Buddhist-era year (2567 BE is 2024): give "
        "2024-08-01T00:00:00Z",
    ),
    "export-last-changed-in-a-buddhist-era-year-in-bangkok-time": (
        json.dumps(
            {"url": "https://example.org/1", "title": "H", "body": "B"}
            | {"last_changed": "2567-08-01T07:00:00+07:00"}
        ),
        "'last_changed' '2567-08-01T07:00:00+07:00' has a Buddhist-era year (2567 BE is 2024): "
        "give 2024-08-01T00:00:00Z",
    ),
    "export-first-seen-buddhist-era-leap-day-no-common-era-one": (
        json.dumps(
            {"url": "https://example.org/1", "title": "H", "body": "B"}
            | {"first_seen": "2568-02-29T10:00:00Z"}
        ),
        "'first_seen' '2568-02-29T10:00:00Z' has a Buddhist-era year (2568 BE is 2025), and "
        "2025-02-29 is no date",
    ),
    "export-last-changed-not-a-time": (
        json.dumps({"url": "https://example.org/1", "title": "H", "body": "B", "last_changed": 3}),
        "'last_changed' is not a string",
    ),
    "export-versions-zero": (
        json.dumps({"url": "https://example.org/1", "title": "H", "body": "B", "versions": 0}),
        "'versions' is not a whole number from 1 to 1,000,000,000",
    ),
    "export-versions-not-a-number": (
        json.dumps({"url": "https://example.org/1", "title": "H", "body": "B", "versions": "2"}),
        "'versions' is not a whole number",
    ),
}


@pytest.mark.parametrize(("line", "reason"), HOSTILE_RECORDS.values(), ids=HOSTILE_RECORDS.keys())
def test_hostile_record_is_rejected_and_the_next_one_read(tmp_path, line, reason):
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(line.encode() + b"\n" + corpus_lines(1)[0] + b"\n")
    rejected, article = read_jsonl_file(path, ReadLimits(max_article_chars=10_000))
    assert isinstance(rejected, Rejected) and reason in rejected.reason
    assert isinstance(article, RawArticle)


def test_an_export_record_keeps_its_first_seen_and_version_and_other_lines_start_anew(tmp_path):
    path = tmp_path / "mixed.jsonl"
    record = {"url": "https://example.org/1", "title": "H", "body": "B", "versions": 4}
    times = {"first_seen": "2024-10-03T12:00:00+07:00", "last_changed": "2024-10-04T00:00:00Z"}
    path.write_bytes(b"\n".join([json.dumps(record | times).encode(), corpus_lines(1)[0]]))
    exported, corpus = read_jsonl_file(path)
    assert (exported.first_seen, exported.last_changed, exported.versions) == (
        "2024-10-03T05:00:00Z",
        "2024-10-04T00:00:00Z",
        4,
    )
    assert (corpus.first_seen, corpus.last_changed, corpus.versions) == (None, None, 1)


LATIN_TEXTS = {
    "french": "Coopération numérique\n\nLe ministère a signé un accord très productif à Genève.\n",
    "spanish": "Cooperación digital\n\nEspaña firmó mañana el acuerdo más difícil del año.\n",
    "danish": "Digitalt samarbejde\n\nKære venner, vi ses på søndag i København.\n",
    "german": "Digitale Zusammenarbeit\n\nDie Größe des Abkommens: schön, sagte Köln.\n",
    # Symbols only, no accented letter: cp874 reads them as lone Thai letters.
    "symbols": "Thailand budget rises\n\nThe ministry spends £5 million; it was 25°C in "
    "Bangkok. Copyright © 2024.\n",
}


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
@pytest.mark.parametrize("text", LATIN_TEXTS.values(), ids=LATIN_TEXTS.keys())
def test_latin1_text_file_is_rejected_not_stored_as_mojibake(tmp_path, text, encoding):
    path = tmp_path / "latin.txt"
    path.write_bytes(text.encode(encoding))
    item = read_text_file(path)
    assert isinstance(item, Rejected)
    assert "neither UTF-8" in item.reason


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_or_utf32_text_without_a_byte_order_mark_is_rejected(tmp_path, encoding):
    """Thai or English in them is valid UTF-8 (a NUL or U+000E each character): it was
    stored as a headline of stray ASCII letters."""
    path = tmp_path / "wide.txt"
    path.write_bytes(seed_path("002").read_text(encoding="utf-8").encode(encoding))
    item = read_text_file(path)
    assert isinstance(item, Rejected)
    assert "UTF-16 or UTF-32 without a byte-order mark" in item.reason


@pytest.mark.parametrize(
    ("encoding", "named"),
    [
        ("utf-16-le", "UTF-16"),
        ("utf-16-be", "UTF-16"),
        ("utf-32-le", "UTF-32"),
        ("utf-32-be", "UTF-32"),
    ],
)
def test_utf16_or_utf32_text_with_a_byte_order_mark_is_rejected_naming_it(
    tmp_path, encoding, named
):
    """Windows Notepad's "Unicode" is UTF-16 with a byte-order mark."""
    path = tmp_path / "notepad.txt"
    path.write_bytes(("\ufeff" + seed_path("002").read_text(encoding="utf-8")).encode(encoding))
    item = read_text_file(path)
    assert isinstance(item, Rejected)
    assert item.reason == f"{named} (byte-order mark): save it as UTF-8"


def test_a_few_control_characters_do_not_make_a_text_unreadable(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes(seed_path("002").read_bytes().replace(b"\n\n", b"\n\x00\n", 2))
    assert isinstance(read_text_file(path), RawArticle)


# Short Thai in TIS-620 whose bytes are valid UTF-8: ร (0xC3) before a consonant ก-ฟ
# (0xA1-0xBF) is UTF-8 for á-ÿ ("รถ" is C3 B6, "ö").
THAI_VALID_AS_UTF8 = ("รถ", "รก รถ", "รด")


@pytest.mark.parametrize("thai", THAI_VALID_AS_UTF8)
def test_short_tis620_thai_that_is_valid_utf8_is_read_as_thai_on_a_thai_page(thai):
    """Read as UTF-8 first, it was stored as Latin letters ("ö" for "รถ")."""
    page = f"<html><head><title>{thai}</title></head><body><p>{thai}</p></body></html>"
    tis620 = page.encode("cp874")
    assert tis620.decode("utf-8") != page  # valid UTF-8, but not this text

    assert readers.decode_thai_page(tis620) == page
    assert readers.decode_thai_page(page.encode("utf-8")) == page


UTF8_LATIN_PAGES = {
    **LATIN_TEXTS,
    "names": "<p>Señor Núñez of Zürich met Ms Sørensen at the Café.</p>",
    "symbols between spaces": "<p>© 2024 MDES » News · 25 °C · 10 ÷ 2 · ½ price</p>",
    "division sign alone": "<p>10 ÷ 2</p>",
    "thai and a latin word": "<p>ดีอี หารือกับ Köln</p>",
}


@pytest.mark.parametrize("text", UTF8_LATIN_PAGES.values(), ids=UTF8_LATIN_PAGES.keys())
def test_utf8_accented_letters_and_symbols_stay_utf8_on_a_thai_page(text):
    assert readers.decode_thai_page(text.encode("utf-8")) == text


def test_a_byte_order_mark_keeps_letters_cp874_reads_as_thai_utf8():
    assert readers.decode_thai_page("<p>ö</p>".encode("utf-8-sig")) == "<p>ö</p>"


@pytest.mark.parametrize("thai", THAI_VALID_AS_UTF8)
def test_short_tis620_thai_that_is_valid_utf8_is_read_as_thai_from_a_text_file(tmp_path, thai):
    """Read as UTF-8, it was stored as Latin letters ("ö" for "รถ")."""
    path = tmp_path / "tis.txt"
    path.write_bytes(f"{thai}\n\n{thai} {thai}\n".encode("cp874"))

    item = read_text_file(path)

    assert isinstance(item, RawArticle)
    assert (item.title, item.body.strip()) == (thai, f"{thai} {thai}")


UTF8_LATIN_TEXTS = {
    "names": "Zürich\n\nSeñor Núñez met Ms Sørensen at the café.\n",
    "symbols between spaces": "© 2024\n\n25 °C · 10 ÷ 2 · ½ price\n",
    "division sign alone": "10 ÷ 2\n\n10 ÷ 2 = 5\n",
    "a lone accented word": 'Brazil\n\nThe envoy said: "O Brasil é grande" and left.\n',
    "accents beside digits and quotes": "Dials\n\nSet the dial to 3é, not 4ú: 'ö'.\n",
}


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("text", UTF8_LATIN_TEXTS.values(), ids=UTF8_LATIN_TEXTS.keys())
def test_utf8_accented_letters_and_symbols_stay_utf8_in_a_text_file(tmp_path, text, bom):
    path = tmp_path / "latin.txt"
    path.write_bytes(bom + text.encode("utf-8"))

    item = read_text_file(path)

    assert isinstance(item, RawArticle)
    title, body = text.split("\n\n")
    assert (item.title, item.body.strip()) == (title, body.strip())


def test_short_tis620_thai_valid_as_utf8_with_an_english_source_line_is_thai(tmp_path):
    """The Latin letters of a ``Source:`` line do not make the file's text Latin."""
    url = "https://www.thaigov.go.th/news/contents/details/12345"
    path = tmp_path / "tis.txt"
    path.write_bytes(f"รถ\n\nรถ รก\nSource: {url}\n".encode("cp874"))

    item = read_text_file(path)

    assert isinstance(item, RawArticle)
    assert item.title == "รถ" and "รถ รก" in item.body


def test_a_byte_order_mark_keeps_a_text_file_cp874_reads_as_thai_utf8(tmp_path):
    path = tmp_path / "short.txt"
    path.write_bytes("ö\n\nö ö\n".encode("utf-8-sig"))
    item = read_text_file(path)
    assert isinstance(item, RawArticle) and (item.title, item.body.strip()) == ("ö", "ö ö")


def test_utf8_thai_with_stray_bytes_stays_utf8_up_to_the_broken_share():
    """A page that is UTF-8 but for a few bytes keeps them as U+FFFD; past
    ``BROKEN_UTF8_SHARE`` of its non-ASCII bytes it is no UTF-8, and not TIS-620 either
    (UTF-8 Thai holds bytes cp874 has no character for): refused, never mojibake."""
    thai = ("ข่าวดิจิทัล " * 10).encode("utf-8")
    thai_bytes = sum(byte >= 0x80 for byte in thai)

    def page(stray: int) -> bytes:
        return b"<p>" + thai + b" \xff" * stray + b"</p>"

    # The most stray bytes that make less than the share of the non-ASCII ones.
    most = max(k for k in range(thai_bytes) if k < readers.BROKEN_UTF8_SHARE * (thai_bytes + k))
    kept = readers.decode_page(page(most))
    assert kept == page(most).decode("utf-8", errors="replace") and kept.count("\ufffd") == most
    with pytest.raises(readers.UnreadableInput):
        readers.decode_page(page(most + 1))


@pytest.mark.parametrize(
    ("before", "stray", "after", "read"),
    [
        ("ครั้ง", b"\xb9", "ี้", "ครั้งนี้"),  # a consonant typed in TIS-620 inside a word
        ("การประชุม ", b"\xa4\xc3", "ั้งนี้", "การประชุม ครั้งนี้"),  # two letters
        ("ได้", b"\xe0", "ข้าร่วม", "ได้เข้าร่วม"),  # a leading vowel before a consonant
        ("Caf", b"\xe9", " ไทย", "Caf\ufffd ไทย"),  # Latin-1 é: a tone mark on no letter
        ("ไทย ", b"\xa9", " 2024", "ไทย \ufffd 2024"),  # Latin-1 ©: ฉ beside no Thai
        ("ข่าว", b"\xe0", " ", "ข่าว\ufffd "),  # a leading vowel before no consonant
        ("ข่าว", b"\xe0\xb8", "...", "ข่าว\ufffd..."),  # UTF-8 ธ cut short, not เธ
        ("ข่าว", b"\xa0", "ดี", "ข่าว\ufffdดี"),  # no Thai letter in TIS-620 either
    ],
)
def test_a_stray_byte_in_utf8_is_a_thai_letter_only_where_thai_puts_one(
    before: str, stray: bytes, after: str, read: str
) -> None:
    data = b"<p>" + before.encode() + stray + after.encode() + b"</p>"
    assert readers.decode_utf8_with_stray_bytes(data) == f"<p>{read}</p>"


def test_tis620_text_with_a_latin_word_is_still_thai(tmp_path):
    text = seed_path("002").read_text(encoding="utf-8") + "\nCafé Digital\n"
    path = tmp_path / "tis.txt"
    path.write_bytes(text.replace("é", "e").encode("cp874"))
    assert isinstance(read_text_file(path), RawArticle)


def test_text_file_larger_than_the_article_limit_is_rejected_unread(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Headline\n\n" + b"x" * 50_000)
    item = read_text_file(path, ReadLimits(max_article_chars=1000))
    assert isinstance(item, Rejected) and "import.max_article_chars" in item.reason


def test_a_folder_imports_its_files_whatever_the_case_of_their_extension(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.TXT").write_bytes(seed_path("001").read_bytes())
    lines = corpus_lines(2)
    (folder / "b.JSONL").write_bytes(lines[0] + b"\n")
    (folder / "c.Jsonl.XZ").write_bytes(lzma.compress(lines[1] + b"\n"))
    (folder / "notes.md").write_text("# notes\n", encoding="utf-8")
    (folder / "d.json").write_bytes(lines[0])
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert "read 3, new 3, updated 0, unchanged 0, rejected 0" in result.stdout
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"skipped {folder}: 2 files not .txt, .jsonl or .jsonl.xz, such as d.json"
    ]


def test_the_seeds_folder_imports_without_naming_its_python_package_file(tmp_path):
    """seeds/ is also a Python package: its __init__.py is no stray file to tell of, and its
    fixture site, a subfolder of pages (and a robots.txt), no folder of articles: it was
    named as not read, with the advice to import it."""
    assert (SEEDS / "__init__.py").is_file()
    assert (SEEDS / "site" / "robots.txt").is_file()
    result = import_files(SEEDS, db=tmp_path / "db.sqlite")
    assert result.exit_code == 0, result.output
    assert "skipped" not in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("strays", "note"),
    [
        ((), None),
        (("notes.md",), "1 file not .txt, .jsonl or .jsonl.xz, such as notes.md"),
        (("A.md", "b.md"), "2 files not .txt, .jsonl or .jsonl.xz, such as A.md"),
    ],
    ids=["package-only", "one-stray", "two-strays"],
)
def test_a_python_packages_files_in_a_folder_are_neither_counted_nor_named(tmp_path, strays, note):
    folder = tmp_path / "in"
    (folder / "__pycache__").mkdir(parents=True)
    (folder / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"\x00")
    (folder / "__init__.py").write_text('"""Seeds."""\n', encoding="utf-8")
    (folder / "a.txt").write_bytes(seed_path("001").read_bytes())
    for name in strays:
        (folder / name).write_text("# notes\n", encoding="utf-8")
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert result.exit_code == 0, result.output
    assert "read 1, new 1," in result.stdout
    assert result.stderr.splitlines() == ([f"skipped {folder}: {note}"] if note else [])


@pytest.mark.parametrize(
    ("name", "text"), [("__init__.py", ""), ("robots.txt", "User-agent: *\nDisallow: /admin/\n")]
)
def test_a_folder_holding_only_a_package_or_site_file_names_no_other_file(tmp_path, name, text):
    """A site's robots.txt was imported as an article headed `User-agent: *`."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: no articles in {folder}: no .txt, .jsonl or .jsonl.xz file in it"
    ]
    assert not (tmp_path / "db.sqlite").exists()


@pytest.mark.skipif(
    without_file_permission_overrides() is None,
    reason="as root, needs setpriv to drop the right to enter a folder without permission",
)
def test_a_folder_that_cannot_be_entered_is_skipped_and_the_rest_imported(tmp_path):
    """Listed but not entered (r--): the import stopped with a PermissionError traceback."""
    closed = tmp_path / "closed"
    closed.mkdir()
    (closed / "a.txt").write_bytes(seed_path("001").read_bytes())
    closed.chmod(0o644)
    try:
        result = subprocess.run(
            [
                *without_file_permission_overrides(),
                sys.executable,
                "-m",
                "thaidigest",
                "import",
                str(seed_path("002")),
                str(closed),
                "--db",
                str(tmp_path / "db.sqlite"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        closed.chmod(0o755)
    assert "Traceback" not in result.stderr, result.stderr
    assert f"{closed}: cannot read the folder: permission denied" in result.stderr, result.stderr
    assert "read 2, new 1, updated 0, unchanged 0, rejected 1" in result.stdout, result.stdout


@needs_file_permissions
def test_a_file_that_cannot_be_read_is_skipped_with_the_reason_alone(tmp_path):
    """The reason was Python's, naming the file a second time: `skipped a/x.txt: [Errno 13]
    Permission denied: 'a/x.txt'`."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(seed_path("001").read_bytes())
    (folder / "b.jsonl").write_text('{"url": "https://example.org/1", "text": "x"}\n')
    (folder / "c.txt").write_bytes(seed_path("002").read_bytes())
    for name in ("a.txt", "b.jsonl"):
        (folder / name).chmod(0)
    result = thaidigest_without_file_permission_overrides(
        "import", str(folder), "--db", str(tmp_path / "db.sqlite")
    )
    skipped = sorted(line for line in result.stderr.splitlines() if line.startswith("skipped "))
    assert skipped == [
        f"skipped {folder / 'a.txt'}: permission denied",
        f"skipped {folder / 'b.jsonl'}:1: cannot read: permission denied",
    ], result.stderr
    assert "read 3, new 1, updated 0, unchanged 0, rejected 2" in result.stdout, result.stdout


# A folder's subfolders are not read: one of articles is named, so that "no file in it"
# does not read as a lie beside the .txt files the user sees in its subfolders.
NOT_READ = (
    "; 1 subfolder not read, such as sub: import reads a folder's own files, so name a "
    "subfolder to import its files"
)


@pytest.mark.parametrize(
    ("names", "reason"),
    [
        ((), "no .txt, .jsonl or .jsonl.xz file in it" + NOT_READ),
        (
            ("notes.md",),
            "no .txt, .jsonl or .jsonl.xz file in it (1 other file, such as notes.md)" + NOT_READ,
        ),
    ],
    ids=["empty", "other-files"],
)
def test_a_folder_with_no_file_to_import_is_rejected_naming_it(tmp_path, names, reason):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "sub").mkdir()
    (folder / "sub" / "a.txt").write_bytes(seed_path("001").read_bytes())  # not the folder's own
    for name in names:
        (folder / name).write_text("text\n", encoding="utf-8")
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: no articles in {folder}: {reason}"]
    assert result.stdout == ""
    assert not (tmp_path / "db.sqlite").exists()  # nothing to store: no database made


@pytest.mark.parametrize(
    ("strays", "note"),
    [
        ((), NOT_READ.removeprefix("; ")),
        (("notes.md",), "1 file not .txt, .jsonl or .jsonl.xz, such as notes.md" + NOT_READ),
    ],
    ids=["subfolder", "subfolder-and-other-file"],
)
def test_a_folder_with_files_to_import_names_its_subfolders_as_not_read(tmp_path, strays, note):
    """Its own files imported, its subfolders of articles were left out without a word."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_bytes(seed_path("001").read_bytes())
    (folder / "sub" / "b.txt").write_bytes(seed_path("002").read_bytes())
    for name in strays:
        (folder / name).write_text("# notes\n", encoding="utf-8")
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert result.exit_code == 0, result.output
    assert "read 1, new 1," in result.stdout
    assert result.stderr.splitlines() == [f"skipped {folder}: {note}"]


@pytest.mark.parametrize("inner", ["2024/01/b.txt", "2024/01/02/b.txt", "x/y/c.JSONL"])
def test_a_folder_with_files_to_import_names_a_subfolder_of_them_deeper_down_as_not_read(
    tmp_path, inner
):
    """``arts/a.txt`` beside ``arts/2024/01/b.txt``: a.txt was imported and 2024 left out
    without a word, as a subfolder was looked at for its own files only."""
    folder = tmp_path / "in"
    (folder / "sub" / inner).parent.mkdir(parents=True)
    (folder / "sub" / "pictures").mkdir()  # looked through first: nothing in it
    (folder / "sub" / inner).write_bytes(seed_path("002").read_bytes())
    (folder / "a.txt").write_bytes(seed_path("001").read_bytes())
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert result.exit_code == 0, result.output
    assert "read 1, new 1," in result.stdout
    assert result.stderr.splitlines() == [f"skipped {folder}: {NOT_READ.removeprefix('; ')}"]


def test_a_subfolder_that_links_back_up_is_looked_through_once(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub" / "inner").mkdir(parents=True)
    (folder / "sub" / "inner" / "up").symlink_to(folder / "sub", target_is_directory=True)
    (folder / "a.txt").write_bytes(seed_path("001").read_bytes())
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_a_subfolder_too_big_to_look_through_may_hold_files_to_import(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_FOLDERS_LOOKED_THROUGH", 3)
    folder = tmp_path / "in"
    (folder / "sub" / "a" / "b" / "c").mkdir(parents=True)
    (folder / "a.txt").write_bytes(seed_path("001").read_bytes())
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"skipped {folder}: {NOT_READ.removeprefix('; ')}"]


def test_the_subfolders_of_a_folder_share_one_budget_of_folders_looked_through(
    tmp_path, monkeypatch
):
    """Thirty sibling trees of 1,500 empty folders each were looked through 1,000 folders
    apiece: the budget is the folder's, so a tree past it may hold files to import."""
    monkeypatch.setattr(readers, "MAX_FOLDERS_LOOKED_THROUGH", 4)
    folder = tmp_path / "in"
    (folder / "pics" / "a" / "b").mkdir(parents=True)  # three folders, within the budget
    (folder / "sub" / "c").mkdir(parents=True)  # two more: past it
    (folder / "a.txt").write_bytes(seed_path("001").read_bytes())
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"skipped {folder}: {NOT_READ.removeprefix('; ')}"]


def test_a_link_within_a_subfolder_is_not_looked_through(tmp_path):
    """A link to ``/`` (or anywhere) inside a subfolder would have the look for files to
    import go through the machine's folders: a subfolder is looked through as it is."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.txt").write_bytes(seed_path("002").read_bytes())
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "link").symlink_to(elsewhere, target_is_directory=True)
    (folder / "a.txt").write_bytes(seed_path("001").read_bytes())
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


@pytest.mark.parametrize(
    "held", [(), ("index.html", "logo.png"), ("robots.txt",), ("ROBOTS.TXT", "notes.md")]
)
def test_a_folder_with_files_to_import_names_no_subfolder_of_none_as_not_read(tmp_path, held):
    """Beside the files it imports, a folder's subfolder of no file import reads (a copy
    of a site, pictures, nothing) is left out without a word: naming it, with the advice to
    import it, misled. Its hidden and cache folders are no more looked through, at any
    depth, than the folder's own."""
    folder = tmp_path / "in"
    for inner in ("news", "news/.git", "news/__pycache__"):
        (folder / "site" / inner).mkdir(parents=True)
    (folder / "site" / "news" / "1.html").write_text("<p>page</p>\n", encoding="utf-8")
    for inner in ("news/.git", "news/__pycache__"):
        (folder / "site" / inner / "a.txt").write_bytes(seed_path("002").read_bytes())
    (folder / "a.txt").write_bytes(seed_path("001").read_bytes())
    for name in held:
        (folder / "site" / name).write_text("x\n", encoding="utf-8")
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert result.exit_code == 0, result.output
    assert "read 1, new 1," in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("site_file", ["robots.txt", "HUMANS.TXT"])
def test_a_site_file_in_a_folder_is_not_imported(tmp_path, site_file):
    """``thaidigest import seeds/site`` stored the fixture site's robots.txt as an article
    headed `User-agent: *`, though a subfolder holding it was one of no file to import."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(seed_path("001").read_bytes())
    (folder / site_file).write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert result.exit_code == 0, result.output
    assert "read 1, new 1, updated 0, unchanged 0, rejected 0" in result.stdout
    assert result.stderr == ""


def test_site_files_named_alone_are_rejected_and_no_database_made(tmp_path):
    """Named, a site's robots.txt and security.txt were stored as articles headed
    `User-agent: *` and `Contact: mailto:a@b.c`; a one-line robots.txt was refused as
    a title with no body."""
    robots, security = tmp_path / "robots.txt", tmp_path / "Security.txt"
    robots.write_text("User-agent: *\nDisallow: /news/\n", encoding="utf-8")
    security.write_text("Contact: mailto:a@b.c\nExpires: 2027-01-01T00:00:00Z\n", "utf-8")
    result = import_files(robots, security, db=tmp_path / "db.sqlite")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: no articles in {robots}: a site's own file, not an article;"
        f" {security}: a site's own file, not an article"
    ]
    assert result.stdout == ""
    assert not (tmp_path / "db.sqlite").exists()


def test_a_site_file_named_beside_an_article_is_skipped_and_the_article_stored(tmp_path):
    robots = tmp_path / "robots.txt"
    robots.write_text("User-agent: *\n", encoding="utf-8")
    result = import_files(robots, seed_path("001"), db=tmp_path / "db.sqlite")
    assert result.exit_code == 1, result.output  # a path rejected
    assert result.stderr.splitlines() == [f"skipped {robots}: a site's own file, not an article"]
    assert "read 2, new 1, updated 0, unchanged 0, rejected 1" in result.stdout


def test_a_folder_names_no_hidden_or_cache_subfolder_as_not_read(tmp_path):
    folder = tmp_path / "in"
    for hidden in (".git", "__pycache__"):
        (folder / hidden).mkdir(parents=True)
        (folder / hidden / "a.txt").write_bytes(seed_path("001").read_bytes())
    result = import_files(folder, db=tmp_path / "db.sqlite")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: no articles in {folder}: no .txt, .jsonl or .jsonl.xz file in it"
    ]


def test_files_named_of_no_type_to_import_are_rejected_and_no_database_made(tmp_path):
    """An import of only notes.md made a database, stored nothing, and said `read 1`."""
    notes, page = tmp_path / "notes.md", tmp_path / "page.html"
    notes.write_text("# notes\n", encoding="utf-8")
    page.write_text("<p>text</p>\n", encoding="utf-8")
    result = import_files(notes, page, db=tmp_path / "db.sqlite")
    assert result.exit_code == 1
    expected = "unknown file type (expected .txt, .jsonl or .jsonl.xz)"
    assert result.stderr.splitlines() == [
        f"Error: no articles in {notes}: {expected}; {page}: {expected}"
    ]
    assert result.stdout == ""
    assert not (tmp_path / "db.sqlite").exists()  # nothing to store: no database made


def test_a_file_named_of_no_type_beside_one_to_import_is_skipped_and_the_other_stored(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# notes\n", encoding="utf-8")
    result = import_files(notes, seed_path("001"), db=tmp_path / "db.sqlite")
    assert result.exit_code == 1, result.output  # a path rejected
    assert result.stderr.splitlines() == [
        f"skipped {notes}: unknown file type (expected .txt, .jsonl or .jsonl.xz)"
    ]
    assert "read 2, new 1, updated 0, unchanged 0, rejected 1" in result.stdout


@pytest.mark.parametrize(
    ("text", "title", "body"),
    [
        ("Title\nline one\nline two\n", "Title", "line one\nline two\n"),
        ("\n \t\n\u3000\nTitle\r\nbody\rmore", "Title", "body\nmore"),
        ("\u2028\n  Title  \n\n body", "  Title  ", "\n body"),
        # Lines of characters that show nothing (a zero-width space, a word joiner, a
        # byte-order mark pasted twice), which normalising would leave as an empty headline.
        ("\u200b\n\ufeff\u2060 \nTitle\n\nbody", "Title", "\nbody"),
    ],
)
def test_plain_text_title_is_the_first_non_blank_line(text: str, title: str, body: str) -> None:
    raw = parse_plain_text(text, "file:///a.txt")
    assert (raw.title, raw.body) == (title, body)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty file"),
        ("\n \n\u3000", "empty file"),
        ("\u200b\n\u200e\n", "empty file"),
        ("\n\nTitle", "a title but no body"),
        ("Title\n \n\u2028\n", "a title but no body"),
    ],
)
def test_plain_text_without_title_or_body_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_plain_text(text, "file:///a.txt")


def test_an_export_date_next_year_in_bangkok_is_judged_on_bangkok_s_new_year_s_day(
    tmp_path, new_year_in_bangkok
):
    """At 31 December 17:30 UTC it is 1 January 2027 in Bangkok: 2571 BE (2028) is a
    believed year, so ``2571-06-01`` is refused as a Buddhist-era date, not read as a
    year typed wrong, as the machine's UTC date (a year behind) would have it."""
    record = {"url": "https://example.org/1", "title": "H", "body": "B", "published": "2571-06-01"}
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(record) + "\n")
    (rejected,) = read_jsonl_file(path, ReadLimits(max_article_chars=10_000))
    assert isinstance(rejected, Rejected)
    assert "has a Buddhist-era year (2571 BE is 2028)" in rejected.reason
