"""``thaidigest import`` and ``export`` through the real command line."""

from __future__ import annotations

import errno
import json
import lzma
import os
import random
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

import pytest
from click.testing import CliRunner

from tests.conftest import (
    DATA,
    SEEDS,
    ctrl_c,
    seed_path,
    started_from_a_terminal,
    thaidigest_in_locale,
    without_file_permission_overrides,
)
from thaidigest import locks
from thaidigest.cli import main
from thaidigest.dates import bangkok_today
from thaidigest.ingest import BATCH_SIZE
from thaidigest.model import RawArticle
from thaidigest.pipeline import SCORING_KEY, build_ingestor
from thaidigest.store import Store, article_versions, iso, utc_now

EXPORT_KEYS = {
    "url", "source", "source_id", "title", "body", "published", "language", "category",
    "first_seen", "last_changed", "versions", "extraction", "relevant", "relevance", "topics",
    "partners", "duplicate_of",
}  # fmt: skip


STORED_EARLIER = "2024-08-23T10:00:00Z"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def export(db) -> list[dict]:
    result = run("export", "--db", str(db))
    assert result.exit_code == 0
    return [json.loads(line) for line in result.output.splitlines()]


def test_seeds_import_once_and_export_every_field(tmp_path):
    db = tmp_path / "db.sqlite"
    first = run("import", str(SEEDS), "--db", str(db))
    assert first.exit_code == 0
    assert "read 5, new 5, updated 0, unchanged 0, rejected 0" in first.output
    again = run("import", str(SEEDS), "--db", str(db))
    assert "read 5, new 0, updated 0, unchanged 5, rejected 0" in again.output
    records = export(db)
    assert len(records) == 5
    assert all(set(record) == EXPORT_KEYS for record in records)
    by_title = {record["title"]: record for record in records}
    apec = by_title["ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญของเศรษฐกิจดิจิทัล"]
    assert apec["url"] == "https://thaigov.go.th/news/contents/details/87382"
    assert (apec["source"], apec["source_id"], apec["published"]) == (
        "thaigov",
        "87382",
        "2024-08-23",
    )
    assert {record["language"] for record in records} == {"th", "en"}
    assert all(record["relevant"] for record in records)  # the user's own examples


def test_a_records_source_line_does_not_move_it_onto_another_article(tmp_path):
    """A record that names its own ``url`` keeps it: the ``Source:`` line of its text
    replaced it, and the record overwrote the thaigov article that line named."""
    thaigov = "https://www.thaigov.go.th/news/contents/details/87382"
    records = [
        {"url": thaigov, "text": "ดีอี ร่วมประชุม APEC 2024\n\nเนื้อหาข่าวของทำเนียบรัฐบาล"},
        {
            "url": "https://www.mfa.go.th/en/content/some-news",
            "id": "999999999",
            "text": f"Foreign ministry news\n\nAnother story entirely.\nSource: {thaigov}",
        },
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    db = tmp_path / "db.sqlite"

    result = run("import", str(path), "--db", str(db))

    assert "read 2, new 2, updated 0" in result.output, result.output
    by_url = {record["url"]: record for record in export(db)}
    assert by_url["https://thaigov.go.th/news/contents/details/87382"]["title"] == (
        "ดีอี ร่วมประชุม APEC 2024"
    )
    assert by_url["https://mfa.go.th/en/content/some-news"]["source_id"] == "999999999"


def test_an_id_written_with_leading_zeros_is_the_number_in_its_url(tmp_path):
    record = {
        "url": "https://www.thaigov.go.th/news/contents/details/087383",
        "id": "087383",
        "text": "ข่าวทดสอบ\n\nเนื้อหาข่าว",
    }
    path = tmp_path / "zeros.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    db = tmp_path / "db.sqlite"

    result = run("import", str(path), "--db", str(db))

    assert "new 1" in result.output and "rejected 0" in result.output, result.output
    (stored,) = export(db)
    assert (stored["url"], stored["source_id"]) == (
        "https://thaigov.go.th/news/contents/details/87383",
        "87383",
    )


APEC = "https://thaigov.go.th/news/contents/details/87382"
# The addresses an export, a corpus or a hand-made record may give article 87382 under.
SPELLINGS_OF_APEC = (
    "https://www.thaigov.go.th/news/contents/details/087382",
    "https://www.thaigov.go.th/news/contents/details/87382/",
    "http://thaigov.go.th/news/contents/details/87382",
    "https://www.thaigov.go.th/news/contents/details/87382?lang=th",
    "https://www.thaigov.go.th/news/contents/details/๘๗๓๘๒",
    "https://www.thaigov.go.th/news/contents/details/%E0%B9%98%E0%B9%97%E0%B9%93%E0%B9%98%E0%B9%92",
)


def rows_of_apec(db) -> list[dict]:
    """The exported records of the seed article 87382, whatever address each is under."""
    apec_title = "ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญของเศรษฐกิจดิจิทัล"
    return [record for record in export(db) if record["title"].startswith(apec_title)]


def test_every_spelling_of_a_site_articles_address_is_its_one_row(tmp_path):
    """A query, Thai digits or their percent-encoding made four rows of one thaigov
    article, and the made-up address became the story's link in the digest."""
    db = tmp_path / "db.sqlite"
    assert run("import", str(SEEDS), "--db", str(db)).exit_code == 0
    (seed,) = rows_of_apec(db)
    records = [
        {
            "url": url,
            "title": seed["title"],
            "body": f"{seed['body']}\nแก้ไขครั้งที่ {edit}",
            "published": seed["published"],
        }
        for edit, url in enumerate(SPELLINGS_OF_APEC, start=1)
    ]
    path = tmp_path / "spellings.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")

    result = run("import", str(path), "--db", str(db))

    assert "read 6, new 0, updated 6" in result.output, result.output
    (stored,) = rows_of_apec(db)
    assert (stored["url"], stored["source_id"], stored["versions"]) == (APEC, "87382", 7)
    assert stored["body"].endswith("แก้ไขครั้งที่ 6")
    assert stored["duplicate_of"] is None


def test_a_text_files_source_line_in_thai_digits_updates_the_sites_article(tmp_path):
    db = tmp_path / "db.sqlite"
    assert run("import", str(SEEDS), "--db", str(db)).exit_code == 0
    (seed,) = rows_of_apec(db)
    text = tmp_path / "apec.txt"
    source_line = "ที่มา : https://www.thaigov.go.th/news/contents/details/๘๗๓๘๒"
    text.write_text(f"{seed['title']}\n\n{seed['body']}\nแก้ไข\n{source_line}\n", "utf-8")

    result = run("import", str(text), "--db", str(db))

    assert "new 0, updated 1" in result.output, result.output
    (stored,) = rows_of_apec(db)
    assert (stored["url"], stored["versions"]) == (APEC, 2)


@pytest.mark.parametrize("address", SPELLINGS_OF_APEC[3:])
def test_explain_finds_a_site_article_under_any_spelling_of_its_address(address, tmp_path):
    db = tmp_path / "db.sqlite"
    assert run("import", str(seed_path("001")), "--db", str(db)).exit_code == 0

    result = run("explain", address, "--db", str(db))

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == APEC


def test_a_text_files_source_line_naming_a_ministry_item_updates_the_sites_article(tmp_path):
    """A ministry item's address copied from the browser (ministry_details/N) made a
    second row of article N, the crawl's being under details/N, and became the story's
    representative."""
    db = tmp_path / "db.sqlite"
    assert run("import", str(seed_path("001")), "--db", str(db)).exit_code == 0
    (seed,) = rows_of_apec(db)
    text = tmp_path / "apec.txt"
    source_line = "ที่มา : https://www.thaigov.go.th/news/contents/ministry_details/87382"
    text.write_text(f"{seed['title']}\n\n{seed['body']}\nแก้ไข\n{source_line}\n", "utf-8")

    result = run("import", str(text), "--db", str(db))

    assert "new 0, updated 1" in result.output, result.output
    (stored,) = rows_of_apec(db)
    assert (stored["url"], stored["versions"]) == (APEC, 2)
    explained = run("explain", source_line.partition(" : ")[2], "--db", str(db))
    assert explained.output.splitlines()[1] == APEC, explained.output


@pytest.mark.parametrize(
    "stored_under",
    [
        "https://thaigov.go.th/news/contents/details/87382?lang=th",
        "https://thaigov.go.th/news/contents/ministry_details/87382",
    ],
)
def test_explain_finds_an_article_a_database_holds_under_its_former_address(stored_under, tmp_path):
    """A row stored before a site's article was named by its id alone keeps its address:
    explain of that address looked only under the new one and found no stored article."""
    db = tmp_path / "db.sqlite"
    assert run("import", str(seed_path("001")), "--db", str(db)).exit_code == 0
    with closing(sqlite3.connect(db)) as conn, conn:  # as an older version stored it
        conn.execute("UPDATE articles SET url = ? WHERE url = ?", (stored_under, APEC))

    result = run("explain", stored_under.replace("://", "://www."), "--db", str(db))

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == stored_under


def test_an_export_of_an_article_held_under_two_addresses_changes_nothing_imported_again(
    tmp_path,
):
    """A database made before a site's article was named by its id alone may hold it
    under both forms, its export both records: imported again, the older record's text
    became the canonical row's new version, where its own row was unchanged."""
    db = tmp_path / "db.sqlite"
    former = "https://thaigov.go.th/news/contents/details/87382?lang=th"
    records = [
        {
            "url": url,
            "title": "ดีอี ร่วมมือ ญี่ปุ่น ด้านปัญญาประดิษฐ์",
            "body": f"กระทรวงดิจิทัลลงนามบันทึกความเข้าใจกับญี่ปุ่น {text}",
            "published": "2026-11-20",
            "first_seen": "2026-11-20T03:00:00Z",
            "last_changed": last_changed,
        }
        for url, text, last_changed in [
            (former, "ข้อความเดิม", "2026-11-20T03:00:00Z"),
            (APEC, "ข้อความใหม่ล่าสุด", "2026-11-25T03:00:00Z"),
        ]
    ]
    for index, record in enumerate(records):
        path = tmp_path / f"record{index}.jsonl"
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
        assert run("import", str(path), "--db", str(db)).exit_code == 0
        with closing(sqlite3.connect(db)) as conn, conn:  # as an older version stored it
            conn.execute("UPDATE articles SET url = ? WHERE url = ?", (record["url"], APEC))
    exported = tmp_path / "export.jsonl"
    assert run("export", "--db", str(db), "-o", str(exported)).exit_code == 0
    before = {record["url"]: record for record in export(db)}
    assert set(before) == {former, APEC}

    result = run("import", str(exported), "--db", str(db))

    assert "read 2, new 0, updated 0, unchanged 2" in result.output, result.output
    assert {record["url"]: record for record in export(db)} == before


def test_a_records_id_in_thai_digits_is_its_number(tmp_path):
    record = {"url": SPELLINGS_OF_APEC[4], "id": "๘๗๓๘๒", "text": "ข่าวทดสอบ\n\nเนื้อหาข่าว"}
    path = tmp_path / "thai.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    db = tmp_path / "db.sqlite"

    result = run("import", str(path), "--db", str(db))

    assert "new 1" in result.output and "rejected 0" in result.output, result.output
    (stored,) = export(db)
    assert (stored["url"], stored["source_id"]) == (APEC, "87382")


def test_an_export_that_fails_leaves_the_last_one_whole(tmp_path):
    """A full disk stopped the export half-way, and the backup it was replacing was cut
    short in place. The disk is filled here by a file size limit (RLIMIT_FSIZE)."""
    db = tmp_path / "db.sqlite"
    assert run("import", str(SEEDS), "--db", str(db)).exit_code == 0
    backup = tmp_path / "backup.jsonl"
    backup.write_text("the last good export\n", encoding="utf-8")

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails: EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    result = subprocess.run(
        [sys.executable, "-m", "thaidigest", "export", "-o", str(backup), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=small_files,
    )

    assert result.returncode == 1
    assert f"cannot write {backup}: file too large" in result.stderr, result.stderr
    assert backup.read_text(encoding="utf-8") == "the last good export\n"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []  # staged

    assert run("export", "-o", str(backup), "--db", str(db)).exit_code == 0  # no limit: written
    assert len(backup.read_text(encoding="utf-8").splitlines()) == 5


def test_a_record_with_no_headline_is_rejected_naming_its_file_and_line(tmp_path):
    """Found when the article is normalised (a headline of the site's title prefix alone),
    the rejection named the record's URL, not where to find it."""
    path = tmp_path / "records.jsonl"
    good = {"url": "https://mfa.go.th/a", "text": "ข่าวแรก\n\nเนื้อหาข่าว"}
    bare = {"url": "https://mfa.go.th/b", "text": "รัฐบาลไทย-\n\nเนื้อหาข่าว"}
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (good, bare)), "utf-8"
    )
    text_file = tmp_path / "bare.txt"
    text_file.write_text("รัฐบาลไทย-\n\nเนื้อหาข่าว\n", encoding="utf-8")

    result = CliRunner().invoke(
        main, ["import", str(path), str(text_file), "--db", str(tmp_path / "db.sqlite")]
    )

    assert "read 3, new 1, updated 0, unchanged 0, rejected 2" in result.stdout, result.output
    assert f"skipped {path}:2: no headline" in result.stderr, result.stderr
    assert f"skipped {text_file}: no headline" in result.stderr, result.stderr


@pytest.mark.parametrize("name", ["p%41.sqlite", "q?mode=ro.sqlite", "a#b.sqlite", "ข่าว ก.sqlite"])
def test_a_database_file_is_the_file_named_whatever_its_name_holds(tmp_path, name):
    """A URL reads %41 as A and ? or # as a query or a fragment: the import wrote
    pA.sqlite or q, and the export of the name given found no database."""
    db = tmp_path / name
    assert run("import", str(seed_path("001")), "--db", str(db)).exit_code == 0
    assert [path.name for path in tmp_path.iterdir() if path.suffix == ".sqlite"] == [name]
    assert len(export(db)) == 1


def test_an_export_through_a_symbolic_link_replaces_its_target_and_keeps_the_link(tmp_path):
    db = tmp_path / "db.sqlite"
    assert run("import", str(seed_path("001")), "--db", str(db)).exit_code == 0
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "backup.jsonl"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)

    assert run("export", "-o", str(link), "--db", str(db)).exit_code == 0

    assert link.is_symlink() and link.resolve() == target
    assert len(target.read_text(encoding="utf-8").splitlines()) == 1
    assert json.loads(target.read_text(encoding="utf-8"))["title"]


@pytest.mark.skipif(
    without_file_permission_overrides() is None,
    reason="as root, needs setpriv to drop the right to write a folder without permission",
)
def test_an_export_to_a_writable_file_in_a_read_only_folder_is_written_in_place(tmp_path):
    """No file can be put beside it: the export was refused, where it wrote it before."""
    db = tmp_path / "db.sqlite"
    assert run("import", str(seed_path("001")), "--db", str(db)).exit_code == 0
    folder = tmp_path / "shared"
    folder.mkdir()
    backup = folder / "backup.jsonl"
    backup.write_text("old\n", encoding="utf-8")
    backup.chmod(0o666)
    folder.chmod(0o555)
    try:
        result = subprocess.run(
            [
                *without_file_permission_overrides(),
                sys.executable, "-m", "thaidigest", "export", "-o", str(backup), "--db", str(db),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )  # fmt: skip
    finally:
        folder.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert json.loads(backup.read_text(encoding="utf-8"))["title"]


def test_edited_text_for_a_known_url_adds_a_version(tmp_path):
    db = tmp_path / "db.sqlite"
    original = seed_path("001").read_text(encoding="utf-8")
    path = tmp_path / "001.txt"
    path.write_text(original, encoding="utf-8")
    run("import", str(path), "--db", str(db))
    path.write_text(original.replace("ทั้ง 16 เขตเศรษฐกิจ", "ทั้ง 17 เขตเศรษฐกิจ"), encoding="utf-8")
    result = run("import", str(path), "--db", str(db))
    assert "new 0, updated 1" in result.output
    (record,) = export(db)
    assert record["versions"] == 2 and "ทั้ง 17 เขตเศรษฐกิจ" in record["body"]
    store = Store(f"sqlite:///{db}")
    article_id = store.article_by_url(record["url"])["id"]
    bodies = [version["body"] for version in store.versions(article_id)]
    with store.engine.connect() as conn:
        stored = [row.body for row in conn.execute(article_versions.select())]
    store.close()
    assert len(bodies) == 2 and "ทั้ง 16 เขตเศรษฐกิจ" in bodies[0]
    assert "ทั้ง 17 เขตเศรษฐกิจ" in bodies[1]
    # Each text is stored once: the current version's is the article row's.
    assert stored[0] == bodies[0] and stored[1] is None


def test_an_older_export_imported_again_keeps_the_newer_edit(tmp_path):
    db = tmp_path / "db.sqlite"
    original = seed_path("001").read_text(encoding="utf-8")
    path = tmp_path / "001.txt"
    path.write_text(original, encoding="utf-8")
    run("import", str(path), "--db", str(db))
    with closing(sqlite3.connect(db)) as conn, conn:  # stored a while ago
        conn.execute("UPDATE articles SET first_seen = ?, last_changed = ?", (STORED_EARLIER,) * 2)
    exported = tmp_path / "v1.jsonl"
    assert run("export", "--db", str(db), "-o", str(exported)).exit_code == 0
    path.write_text(original.replace("ทั้ง 16 เขตเศรษฐกิจ", "ทั้ง 17 เขตเศรษฐกิจ"), encoding="utf-8")
    assert "new 0, updated 1," in run("import", str(path), "--db", str(db)).output

    result = run("import", str(exported), "--db", str(db))

    assert result.exit_code == 0
    assert result.stdout == "read 1, new 0, updated 0, unchanged 1, rejected 0\n"
    assert result.stderr == (
        "kept out 1 export record of an earlier version than what is stored (its text and"
        " last_changed): counted as unchanged\n"
    )
    (record,) = export(db)
    assert record["versions"] == 2 and "ทั้ง 17 เขตเศรษฐกิจ" in record["body"]
    # A text file says nothing of when its text changed: it replaces the stored one.
    path.write_text(original, encoding="utf-8")
    result = run("import", str(path), "--db", str(db))
    assert "new 0, updated 1," in result.stdout and result.stderr == ""


def test_an_export_time_in_a_buddhist_era_year_is_rejected_and_one_after_now_capped(tmp_path):
    db = tmp_path / "db.sqlite"
    record = {"title": "กระทรวงดิจิทัลลงนามความร่วมมือกับญี่ปุ่น", "body": "ความร่วมมือด้านไซเบอร์"}
    lines = [
        {"url": "https://example.org/1", "first_seen": "2567-08-01T00:00:00Z"},
        {"url": "https://example.org/2", "last_changed": "2567-08-01T00:00:00Z"},
        {"url": "https://example.org/3", "published": "2567-08-01"},
        # Years after now whenever the test runs (a fixed 2030 would be past one day).
        {"url": "https://example.org/4", "first_seen": iso(utc_now() + timedelta(days=4 * 365))},
    ]
    path = tmp_path / "be.jsonl"
    path.write_text("".join(json.dumps(record | line) + "\n" for line in lines), encoding="utf-8")

    result = run("import", str(path), "--db", str(db))

    assert result.exit_code == 1
    assert result.stdout == "read 4, new 1, updated 0, unchanged 0, rejected 3\n"
    assert result.stderr.splitlines() == [
        f"skipped {path}:1: 'first_seen' '2567-08-01T00:00:00Z' has a Buddhist-era year"
        " (2567 BE is 2024): give 2024-08-01T00:00:00Z",
        f"skipped {path}:2: 'last_changed' '2567-08-01T00:00:00Z' has a Buddhist-era year"
        " (2567 BE is 2024): give 2024-08-01T00:00:00Z",
        f"skipped {path}:3: 'published' '2567-08-01' has a Buddhist-era year (2567 BE is 2024):"
        " give 2024-08-01",
    ]
    (stored,) = export(db)  # a Common Era time after now is found now, as before
    assert stored["url"] == "https://example.org/4"
    assert stored["first_seen"] <= iso(utc_now()) and stored["first_seen"] == stored["last_changed"]


def test_an_export_date_no_publication_date_can_have_is_imported_undated_and_counted(tmp_path):
    """A ``published`` before 1990 or after next year, which a database an earlier
    thaidigest wrote may hold, is imported undated (as the normaliser drops such a date),
    counted in one line, exit 0: nothing is lost. A year after 2300 that is no plausible
    Buddhist-era one (2656 BE is 2113) has no date to give either; a time out of range
    is refused as before."""
    db = tmp_path / "db.sqlite"
    record = {"title": "กระทรวงดิจิทัลลงนามความร่วมมือกับญี่ปุ่น", "body": "ความร่วมมือด้านไซเบอร์"}
    after_next_year = f"{bangkok_today().year + 2}-01-01"
    lines = [
        {"url": "https://example.org/1", "published": "1985-06-01"},
        {"url": "https://example.org/2", "published": after_next_year},
        {"url": "https://example.org/3", "published": "1970-01-01"},
        {"url": "https://example.org/4", "published": "2656-12-16"},
        {"url": "https://example.org/5", "published": "9999-12-31"},
        {"url": "https://example.org/6", "published": "2024-08-20"},
    ]
    path = tmp_path / "dates.jsonl"
    path.write_text("".join(json.dumps(record | line) + "\n" for line in lines), encoding="utf-8")

    result = run("import", str(path), "--db", str(db))

    assert result.exit_code == 0
    assert result.stdout == "read 6, new 6, updated 0, unchanged 0, rejected 0\n"
    assert result.stderr.splitlines() == [
        "imported 5 export records undated: their published date is out of range"
        f" (from 1990-01-01 to {bangkok_today().year + 1}-12-31)"
    ]
    published = {stored["url"]: stored["published"] for stored in export(db)}
    assert published == {f"https://example.org/{n}": None for n in range(1, 6)} | {
        "https://example.org/6": "2024-08-20"
    }


def test_an_export_date_next_year_in_bangkok_is_kept_on_its_new_year_s_day(
    tmp_path, new_year_in_bangkok
):
    """At 31 December 2026 17:30 UTC it is 1 January 2027 in Bangkok: a ``published`` in
    2028 is next year's there, kept and not counted undated, though the machine's UTC
    date (31 December 2026) would make 2028 the year after next."""
    db = tmp_path / "db.sqlite"
    record = {"url": "https://example.org/1", "published": "2028-06-01"}
    record |= {"title": "กระทรวงดิจิทัลลงนามความร่วมมือกับญี่ปุ่น", "body": "ความร่วมมือด้านไซเบอร์"}
    path = tmp_path / "dates.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")

    result = run("import", str(path), "--db", str(db), "--workers", "1")

    assert (result.exit_code, result.stderr) == (0, "")
    assert [stored["published"] for stored in export(db)] == ["2028-06-01"]


def test_an_export_time_no_era_makes_plausible_is_refused(tmp_path):
    db = tmp_path / "db.sqlite"
    record = {"title": "กระทรวงดิจิทัลลงนามความร่วมมือกับญี่ปุ่น", "body": "ความร่วมมือด้านไซเบอร์"}
    line = {"url": "https://example.org/1", "last_changed": "9999-12-31T23:59:59Z"}
    path = tmp_path / "dates.jsonl"
    path.write_text(json.dumps(record | line) + "\n", encoding="utf-8")

    result = run("import", str(path), "--db", str(db))

    assert result.exit_code == 1
    next_year = bangkok_today().year + 1
    assert result.stderr.splitlines() == [
        f"skipped {path}:1: 'last_changed' '9999-12-31T23:59:59Z': year 9999 is out of range"
        f" (after 2300, and read as Buddhist-era 9456, not from 1990 to {next_year})",
    ]


def test_an_export_of_dates_no_longer_believed_imports_as_as_many_articles(tmp_path):
    """A database an earlier thaidigest wrote holds 1970-01-01 (an empty page's) and
    2113-12-16 (a year typed wrong): export writes what is stored, and its import into an
    empty database gives every article, those two undated."""
    db = tmp_path / "db.sqlite"
    assert run("import", str(SEEDS), "--db", str(db)).exit_code == 0
    with closing(sqlite3.connect(db)) as conn, conn:
        urls = [row[0] for row in conn.execute("SELECT url FROM articles ORDER BY url")]
        for url, stored in zip(urls, ("1970-01-01", "2113-12-16"), strict=False):
            conn.execute("UPDATE articles SET published = ? WHERE url = ?", (stored, url))
    exported = tmp_path / "export.jsonl"
    assert run("export", "--db", str(db), "-o", str(exported)).exit_code == 0
    before = {record["url"]: record["published"] for record in export(db)}
    assert (before[urls[0]], before[urls[1]]) == ("1970-01-01", "2113-12-16")

    again = tmp_path / "again.sqlite"
    result = run("import", str(exported), "--db", str(again))

    assert result.exit_code == 0, result.output
    assert result.stdout == "read 5, new 5, updated 0, unchanged 0, rejected 0\n"
    assert "imported 2 export records undated" in result.stderr
    after = {record["url"]: record["published"] for record in export(again)}
    assert after == before | {urls[0]: None, urls[1]: None}


def export_chain_files(folder: Path) -> list[Path]:
    """Three exports of one article, each a later edit than the one before."""
    body = "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมลงนามบันทึกความเข้าใจกับญี่ปุ่นด้านไซเบอร์ {} " * 3
    record = {
        "url": "https://www.thaigov.go.th/news/contents/details/90001",
        "title": "กระทรวงดิจิทัลลงนามความร่วมมือกับญี่ปุ่น",
        "published": "2024-08-20",
        "first_seen": "2024-08-20T03:00:00Z",
        "versions": 1,
    }
    paths = []
    for name, changed, edit in (
        ("r0", "2024-08-20T03:00:00Z", "ฉบับแรก"),
        ("r1", "2024-09-01T00:00:00Z", "ฉบับที่สอง"),
        ("r2", "2024-10-01T00:00:00Z", "ฉบับที่สาม"),
    ):
        line = {**record, "body": body.replace("{}", edit), "last_changed": changed}
        paths.append(folder / f"{name}.jsonl")
        paths[-1].write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    return paths


def test_exports_imported_in_turn_store_the_last_text(tmp_path):
    r0, r1, r2 = export_chain_files(tmp_path)
    r1_r2 = tmp_path / "r1r2.jsonl"
    r1_r2.write_text(r1.read_text("utf-8") + r2.read_text("utf-8"), encoding="utf-8")
    for db, imports in (("files.sqlite", [[r0], [r1], [r2]]), ("two.sqlite", [[r0], [r1_r2]])):
        for paths in imports:  # each import dates the change at its own time, after r2's
            result = run("import", *map(str, paths), "--db", str(tmp_path / db))
            assert result.exit_code == 0 and result.stderr == ""
        (record,) = export(tmp_path / db)
        assert record["versions"] == 3 and "ฉบับที่สาม" in record["body"]


def test_tis620_text_file_is_read(tmp_path):
    db = tmp_path / "db.sqlite"
    path = tmp_path / "tis.txt"
    path.write_bytes(seed_path("002").read_text(encoding="utf-8").encode("cp874"))
    result = run("import", str(path), "--db", str(db))
    assert result.exit_code == 0 and "new 1" in result.output
    (record,) = export(db)
    assert record["title"].startswith("ประเทศไทย โดยกระทรวงดิจิทัลฯ")
    assert record["published"] == "2022-07-27"


def test_broken_inputs_are_reported_and_the_rest_imported(tmp_path):
    db = tmp_path / "db.sqlite"
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "title_only.txt").write_text("Only a headline\n\n", encoding="utf-8")
    broken = seed_path("001").read_bytes().replace("สิงหาคม".encode(), b"\xe0\xb8", 1)
    (tmp_path / "invalid_utf8.txt").write_bytes(broken)
    lines = (DATA / "corpus_sample.jsonl").read_text(encoding="utf-8").splitlines()
    jsonl = tmp_path / "corpus.jsonl"
    jsonl.write_text("\n".join([lines[0], "{not json", '{"id": 1}', lines[1]]) + "\n")
    result = CliRunner().invoke(
        main,
        ["import", str(tmp_path / "empty.txt"), str(tmp_path / "title_only.txt"),
         str(tmp_path / "invalid_utf8.txt"), str(jsonl), str(seed_path("000")), "--db", str(db)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    messages = result.stderr
    assert "empty.txt: empty file" in messages
    assert "title_only.txt: a title but no body" in messages
    assert "invalid_utf8.txt: invalid UTF-8 at byte" in messages
    assert f"{jsonl}:2: invalid JSON" in messages
    assert f"{jsonl}:3: no 'text' field" in messages
    assert "read 8, new 3, updated 0, unchanged 0, rejected 5" in result.output
    assert len(export(db)) == 3


def test_an_import_of_nothing_but_refused_records_reports_them_and_makes_no_database(tmp_path):
    """As an import of files it cannot read makes none: a mistaken path gives a user
    no empty store to wonder about, and a script the same lines and exit status."""
    db = tmp_path / "data" / "db.sqlite"
    (tmp_path / "empty.txt").write_bytes(b"")
    jsonl = tmp_path / "broken.jsonl"
    jsonl.write_text('{not json\n{"id": 1}\n', encoding="utf-8")

    result = run("import", str(tmp_path / "empty.txt"), str(jsonl), "--db", str(db))

    assert result.exit_code == 1
    assert "empty.txt: empty file" in result.stderr
    assert f"{jsonl}:1: invalid JSON" in result.stderr
    assert f"{jsonl}:2: no 'text' field" in result.stderr
    assert result.stdout.splitlines() == ["read 3, new 0, updated 0, unchanged 0, rejected 3"]
    assert not (tmp_path / "data").exists()


def test_refused_records_before_the_first_article_are_counted_and_the_article_stored(tmp_path):
    db = tmp_path / "db.sqlite"
    lines = (DATA / "corpus_sample.jsonl").read_text(encoding="utf-8").splitlines()
    jsonl = tmp_path / "corpus.jsonl"
    jsonl.write_text("\n".join(["{not json", "{not json either", lines[0]]) + "\n")

    result = run("import", str(jsonl), "--db", str(db))

    assert result.exit_code == 1
    assert "read 3, new 1, updated 0, unchanged 0, rejected 2" in result.output
    assert len(export(db)) == 1


@pytest.mark.parametrize(
    "body",
    [
        "\u200b\n",  # a zero-width space: shows nothing, a blank line
        "\u200b\u200c\n\nที่มา : https://www.mdes.go.th/news/detail/777\n",  # its address alone
        "23 August 2024\n",  # only a date line, which is the date, taken out of the body
        "วันศุกร์ที่ 23 สิงหาคม 2567\n\nที่มา : https://www.mdes.go.th/news/detail/777\n",
    ],
)
def test_a_text_file_whose_body_normalises_to_nothing_is_refused_as_one_with_no_body(
    tmp_path, body
):
    """Refused as a body of white space alone is: the check is on the body as stored. The
    import stores nothing, so it makes no database, as one of unreadable records makes none."""
    db = tmp_path / "data" / "db.sqlite"
    path = tmp_path / "no_body.txt"
    path.write_text(f"หัวข้อข่าว ดีอี\n\n{body}", encoding="utf-8")

    result = run("import", str(path), "--db", str(db))

    assert result.exit_code == 1
    assert f"skipped {path}: a title but no body" in result.stderr
    assert result.stdout.splitlines() == ["read 1, new 0, updated 0, unchanged 0, rejected 1"]
    assert not (tmp_path / "data").exists()


def test_a_body_normalised_to_nothing_is_stored_empty_from_a_record_refused_from_a_txt_file(
    tmp_path,
):
    """A corpus line or an export record may be a headline over a picture: a body of a
    zero-width space is stored empty. The same headline and body in a ``.txt`` file, which
    must hold a body, is refused and makes no database."""
    records = tmp_path / "records.jsonl"
    corpus_line = {
        "url": "https://www.thaigov.go.th/news/contents/details/1",
        "text": "หัวข้อข่าว สาม\n\u200b",
    }
    export_record = {
        "url": "https://www.thaigov.go.th/news/contents/details/2",
        "title": "หัวข้อข่าว สี่",
        "body": "\u200b",
    }
    records.write_text(
        "".join(json.dumps(record) + "\n" for record in (corpus_line, export_record)), "utf-8"
    )
    db = tmp_path / "db.sqlite"

    stored = run("import", str(records), "--db", str(db))

    assert stored.exit_code == 0, stored.output
    assert stored.stdout.splitlines() == ["read 2, new 2, updated 0, unchanged 0, rejected 0"]
    assert [(record["title"], record["body"]) for record in export(db)] == [
        ("หัวข้อข่าว สาม", ""),
        ("หัวข้อข่าว สี่", ""),
    ]

    text_file = tmp_path / "no_body.txt"
    text_file.write_text("หัวข้อข่าว สาม\n\u200b\n", encoding="utf-8")
    refused = run("import", str(text_file), "--db", str(tmp_path / "data" / "db.sqlite"))

    assert refused.exit_code == 1
    assert f"skipped {text_file}: a title but no body" in refused.stderr
    assert refused.stdout.splitlines() == ["read 1, new 0, updated 0, unchanged 0, rejected 1"]
    assert not (tmp_path / "data").exists()


def test_a_record_the_normaliser_refuses_before_an_article_is_counted_once(tmp_path):
    """Refused before the database opens, and reported once, beside the article stored."""
    db = tmp_path / "db.sqlite"
    path = tmp_path / "no_body.txt"
    path.write_text("หัวข้อข่าว ดีอี\n\n\u200b\n", encoding="utf-8")

    result = run("import", str(path), str(seed_path("001")), "--db", str(db))

    assert result.exit_code == 1
    assert result.stderr.count("a title but no body") == 1
    assert "read 2, new 1, updated 0, unchanged 0, rejected 1" in result.output
    assert len(export(db)) == 1


def test_a_text_file_whose_source_line_has_a_space_in_its_address_is_refused(tmp_path):
    """It was stored under its file: URL, the line kept as text, exit 0: a second row of
    the page once the line was mended, and the page's address lost, unsaid."""
    db = tmp_path / "db.sqlite"
    path = tmp_path / "wrapped.txt"
    line = "ที่มา : https://www.thaigov.go.th/news/contents/details/ 87382"
    path.write_text(f"หัวข้อข่าว ดีอี\n\nเนื้อหาข่าว ความร่วมมือดิจิทัล\n\n{line}\n", "utf-8")

    result = run("import", str(path), str(seed_path("004")), "--db", str(db))

    assert result.exit_code == 1
    assert f"skipped {path}: source line '{line}' is not an address alone" in result.stderr
    assert "read 2, new 1, updated 0, unchanged 0, rejected 1" in result.output
    assert [row["url"].startswith("file:") for row in export(db)] == [True]  # seed 004's


def test_a_backup_of_a_text_file_stored_with_a_broken_source_line_is_restored(tmp_path):
    """Stored before such files were refused, the line kept as text: its export record is
    imported as it was stored, not refused as the file now is."""
    url = (tmp_path / "wrapped.txt").as_uri()
    line = "ที่มา : https://www.thaigov.go.th/news/contents/details/ 87382"
    body = f"เนื้อหาข่าว ความร่วมมือดิจิทัล\n{line}"
    backup = tmp_path / "backup.jsonl"
    record = {"url": url, "title": "หัวข้อข่าว ดีอี", "body": body}
    backup.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    db = tmp_path / "db.sqlite"

    result = run("import", str(backup), "--db", str(db))

    assert result.exit_code == 0, result.stderr
    [row] = export(db)
    assert (row["url"], row["body"]) == (url, body)


def test_a_path_that_does_not_exist_is_a_usage_error_before_any_database(tmp_path):
    db = tmp_path / "data" / "db.sqlite"
    missing = tmp_path / "nope" / "x.jsonl"
    result = CliRunner().invoke(
        main, ["import", str(seed_path("000")), str(missing), "--db", str(db)]
    )
    assert result.exit_code == 2
    assert f"'{missing}' does not exist" in result.stderr
    assert "read " not in result.output
    assert not (tmp_path / "data").exists()


def test_an_empty_folder_beside_articles_is_reported_and_the_articles_imported(tmp_path):
    (tmp_path / "inbox").mkdir()
    db = tmp_path / "db.sqlite"
    result = CliRunner().invoke(
        main, ["import", str(tmp_path / "inbox"), str(SEEDS), "--db", str(db)]
    )
    assert result.exit_code == 1
    assert f"{tmp_path / 'inbox'}: no .txt, .jsonl or .jsonl.xz file in it" in result.stderr
    assert "read 6, new 5, updated 0, unchanged 0, rejected 1" in result.stdout
    assert len(export(db)) == 5


def test_compressed_corpus_file_is_streamed(tmp_path):
    db = tmp_path / "db.sqlite"
    source = (DATA / "corpus_sample.jsonl").read_bytes()
    path = tmp_path / "sample.jsonl.xz"
    path.write_bytes(lzma.compress(source))
    result = run("import", str(path), "--db", str(db))
    count = len(source.splitlines())
    assert f"read {count}, new {count}" in result.output
    assert {record["category"] for record in export(db)} >= {"Government News"}


def test_an_import_larger_than_a_batch_gives_the_same_store_with_workers(tmp_path):
    # 600 articles: more than one batch of 500, so two worker processes prepare them.
    records = [
        json.loads(line)
        for line in (DATA / "corpus_sample.jsonl").read_text("utf-8").split("\n")
        if line
    ]
    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as lines:
        for n in range(600):
            record = records[n % len(records)]
            url = f"https://www.thaigov.go.th/news/contents/details/{9_000_000 + n}"
            text = record["text"].replace("\n", f"\nฉบับที่ {n}\n", 1)
            lines.write(json.dumps(record | {"id": 9_000_000 + n, "url": url, "text": text}) + "\n")
    exports = []
    for workers in ("1", "2"):
        db = tmp_path / f"workers-{workers}.sqlite"
        result = run("import", str(path), "--workers", workers, "--db", str(db))
        assert "read 600, new 600, updated 0, unchanged 0, rejected 0" in result.output
        exports.append([_without_times(record) for record in export(db)])
    assert exports[0] == exports[1]
    assert sum(record["duplicate_of"] is not None for record in exports[0]) > 0


@pytest.mark.parametrize("workers", ["0", "1000"])
def test_workers_must_be_between_one_and_64(tmp_path, workers):
    result = CliRunner().invoke(main, ["import", str(SEEDS), "--workers", workers])
    assert result.exit_code == 2
    assert "--workers" in result.output


def _without_times(record: dict) -> dict:
    return {
        key: value for key, value in record.items() if key not in ("first_seen", "last_changed")
    }


ROUND_TRIP_KEYS = (
    "url", "source", "source_id", "title", "body", "published", "extraction", "first_seen",
    "last_changed", "versions",
)  # fmt: skip


def test_the_export_imports_into_an_empty_database_as_the_same_articles(tmp_path):
    db = tmp_path / "db.sqlite"
    # Seeds (three stored under their file: URL, having no source line), corpus lines,
    # an edited article (the export carries its latest version) and a crawled page
    # whose date came from its listing, not its text.
    assert run("import", str(SEEDS), str(DATA / "dedup_articles.jsonl"), "--db", str(db))
    edited = tmp_path / "001.txt"
    original = seed_path("001").read_text(encoding="utf-8")
    edited.write_text(original.replace("ทั้ง 16 เขตเศรษฐกิจ", "ทั้ง 17 เขตเศรษฐกิจ"), "utf-8")
    assert "updated 1" in run("import", str(edited), "--db", str(db)).output
    crawled = RawArticle(
        url="https://www.mdes.go.th/news/detail/9001-slug",
        source="mdes",
        title="MDES signs a digital cooperation MoU with Finland",
        body="The ministry and Finland agreed to work together on digital skills.",
        published_hint=date(2024, 8, 20),
        extraction="selectors",
    )
    store = Store(f"sqlite:///{db}")
    assert build_ingestor(store).ingest([crawled]).new == 1
    store.close()
    exported = tmp_path / "export.jsonl"
    assert run("export", "--db", str(db), "-o", str(exported)).exit_code == 0
    before = export(db)
    assert any(r["url"].startswith("file:") for r in before)
    assert any(r["versions"] == 2 for r in before)

    again = tmp_path / "again.sqlite"
    result = run("import", str(exported), "--db", str(again))

    assert result.exit_code == 0, result.output
    assert f"read {len(before)}, new {len(before)}," in result.output
    after = export(again)
    assert len(after) == len(before)

    def kept(records):
        return sorted(([r[key] for key in ROUND_TRIP_KEYS] for r in records), key=str)

    assert kept(after) == kept(before)
    (page,) = [r for r in after if r["url"] == "https://mdes.go.th/news/detail/9001"]
    assert page["published"] == "2024-08-20" and page["extraction"] == "selectors"


XZ_MAGIC = b"\xfd7zXZ\x00"


@pytest.mark.parametrize("name", ["backup.jsonl.xz", "BACKUP.JSONL.XZ"])
def test_an_export_named_jsonl_xz_is_xz_and_imports_back(tmp_path, name):
    db = tmp_path / "db.sqlite"
    assert run("import", str(SEEDS), "--db", str(db)).exit_code == 0
    exported = tmp_path / name
    assert run("export", "--db", str(db), "-o", str(exported)).exit_code == 0
    assert exported.read_bytes().startswith(XZ_MAGIC)

    again = tmp_path / "again.sqlite"
    result = run("import", str(exported), "--db", str(again))

    assert result.exit_code == 0, result.output
    assert "read 5, new 5," in result.output
    assert export(again) == export(db)


@pytest.mark.parametrize("locale_encoding", ["tis-620", "latin-1"])
def test_an_export_to_stdout_is_utf8_whatever_the_locale_and_imports_back(
    tmp_path, locale_encoding
):
    """In a TIS-620 locale the export went out in TIS-620, which import refused line by
    line; in a Latin-1 one it stopped at the first Thai letter with a traceback."""
    article = tmp_path / "mou.txt"
    article.write_text(
        "ดีอีลงนามความร่วมมือด้านปัญญาประดิษฐ์กับญี่ปุ่น\n\n"
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมลงนามบันทึกความเข้าใจกับญี่ปุ่น\n",
        encoding="utf-8",
    )
    db = tmp_path / "db.sqlite"
    assert run("import", str(article), "--db", str(db)).exit_code == 0

    result = thaidigest_in_locale(locale_encoding, "export", "--db", str(db))

    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    [record] = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert record["title"] == "ดีอีลงนามความร่วมมือด้านปัญญาประดิษฐ์กับญี่ปุ่น"
    backup = tmp_path / "backup.jsonl"
    backup.write_bytes(result.stdout)
    imported = run("import", str(backup), "--db", str(tmp_path / "again.sqlite"))
    assert imported.exit_code == 0, imported.output
    assert "read 1, new 1, updated 0, unchanged 0, rejected 0" in imported.output


def test_an_export_with_no_standard_output_is_one_error_line_not_a_traceback(tmp_path):
    """Run with standard output closed (``>&-``), the export failed with a traceback
    ('NoneType' object has no attribute 'write')."""
    article = tmp_path / "mou.txt"
    article.write_text("ดีอีลงนามความร่วมมือกับญี่ปุ่น\n\nกระทรวงดิจิทัลลงนามบันทึกความเข้าใจ\n", "utf-8")
    db = tmp_path / "db.sqlite"
    assert run("import", str(article), "--db", str(db)).exit_code == 0
    closed_stdout = ["sh", "-c", '"$0" -m thaidigest export --db "$1" >&-', sys.executable, str(db)]

    result = subprocess.run(closed_stdout, capture_output=True, text=True, timeout=120)

    assert result.returncode == 1
    assert result.stderr == (
        "Error: cannot write the output: there is no standard output (give -o FILE)\n"
    )


@pytest.mark.parametrize("name", ["backup.JSONL.gz", "backup.json.bz2", "backup.json", "backup"])
def test_an_export_name_import_cannot_read_is_refused_before_writing(tmp_path, name):
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    output = tmp_path / name
    result = run("export", "--db", str(db), "-o", str(output))
    assert result.exit_code == 2
    assert "Invalid value for '--output' / '-o'" in result.output
    assert ".jsonl or .jsonl.xz" in result.output
    assert not output.exists()


def test_a_refused_export_name_is_the_path_as_typed(tmp_path, monkeypatch):
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    result = run("export", "--db", str(db), "-o", "./data/x.csv")
    assert result.exit_code == 2
    assert "'./data/x.csv': import reads back only .jsonl or .jsonl.xz files" in result.output
    assert not (tmp_path / "data" / "x.csv").exists()


@pytest.mark.parametrize("name", ["backup.jsonl/", "new/backup.jsonl.xz/", "backup.jsonl/."])
def test_an_export_name_of_a_folder_is_refused_not_taken_for_a_file(tmp_path, monkeypatch, name):
    """``backup.jsonl/`` and ``backup.jsonl/.`` name a folder: the export wrote a file
    ``backup.jsonl``, exit 0."""
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    monkeypatch.chdir(tmp_path)
    result = run("export", "--db", str(db), "-o", name)
    assert result.exit_code == 2
    assert f"{name!r} names a folder: name a file" in result.output
    assert not [path for path in tmp_path.iterdir() if path.name in ("backup.jsonl", "new")]


WORDS = [
    "รัฐบาล", "ความร่วมมือ", "ดิจิทัล", "เศรษฐกิจ", "ประชาชน", "นายกรัฐมนตรี", "กระทรวง", "พัฒนา",
    "โครงการ", "ระบบ", "ข้อมูล", "เทคโนโลยี", "การประชุม", "ประเทศ", "ภูมิภาค", "นโยบาย", "บริการ",
    "สาธารณะ", "เครือข่าย", "ความปลอดภัย",
]  # fmt: skip


def distinct_corpus_lines(count: int) -> list[str]:
    """``count`` corpus lines, each its own URL and words: no two near-duplicates, which
    would make deduplication, not the import, the slow part."""
    rng = random.Random(7)
    lines = []
    for n in range(count):
        title = " ".join(rng.choices(WORDS, k=8)) + f" {n}"
        body = "\n".join(" ".join(rng.choices(WORDS, k=30)) for _ in range(4))
        record = {"id": 9_000_000 + n, "text": f"{title}\n{body}"}
        record["url"] = f"https://www.thaigov.go.th/news/contents/details/{9_000_000 + n}"
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return lines


def stored_count(db: Path) -> int:
    """Articles stored in ``db``; 0 while it or its tables do not exist yet."""
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def writing_to(fifo: Path, reader: subprocess.Popen) -> TextIO:
    """The write end of the named pipe ``fifo``, once ``reader`` opened it to read; an
    AssertionError if it ends first (a plain open would wait for it forever)."""
    while True:
        try:
            descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:  # ENXIO: no reader yet
            if error.errno != errno.ENXIO:
                raise
            assert reader.poll() is None, reader.communicate()
            time.sleep(0.02)
            continue
        os.set_blocking(descriptor, True)
        return open(descriptor, "w", encoding="utf-8")


@pytest.mark.parametrize(("workers", "batches", "stored"), [("1", 2, 1000), ("2", 4, 500)])
def test_ctrl_c_stops_an_import_with_the_counts_stored_and_status_130(
    tmp_path, workers, batches, stored
):
    """The corpus comes through a named pipe left open, so the import waits for more once
    it has stored what it could of it (every batch with one worker; with two, the first,
    while three more are ready ahead of it): Ctrl-C finds it there, every time."""
    lines = distinct_corpus_lines(batches * BATCH_SIZE)
    corpus = tmp_path / "corpus.jsonl"
    os.mkfifo(corpus)
    db = tmp_path / "db.sqlite"
    args = ["import", str(corpus), "--workers", workers, "--db", str(db)]
    with started_from_a_terminal(*args) as import_, writing_to(corpus, import_) as writer:
        writer.writelines(lines)
        writer.flush()
        deadline = time.monotonic() + 120  # only against a hang: the pipe holds it there
        while stored_count(db) < stored and time.monotonic() < deadline:
            time.sleep(0.05)
        out, err = ctrl_c(import_)
    assert import_.returncode == 130, err
    assert "Traceback" not in err and "Aborted!" not in err
    assert stored_count(db) == stored
    assert out.splitlines() == [
        f"read {stored}, new {stored}, updated 0, unchanged 0, rejected 0 "
        "(interrupted: import again to store the rest)"
    ]
    whole = tmp_path / "whole.jsonl"
    whole.write_text("".join(lines), encoding="utf-8")
    again = run("import", str(whole), "--workers", workers, "--db", str(db))
    total = len(lines)
    assert f"read {total}, new {total - stored}, updated 0, unchanged {stored}, rejected 0" in (
        again.output
    )
    assert stored_count(db) == total


def group_processes(group: int) -> dict[int, tuple[int, str]]:
    """The processes of process group ``group`` that have not ended (zombies aside): each
    one's parent and command line."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # it ended meanwhile
            continue
        if int(pgrp) == group and state != "Z":
            found[int(stat.parent.name)] = (int(parent), command)
    return found


def catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has a handler of its own for ``signum`` (/proc's SigCgt)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    (caught,) = re.findall(r"^SigCgt:\s*([0-9a-f]+)$", status, re.MULTILINE)
    return bool(int(caught, 16) >> (signum - 1) & 1)


def fork_servers(import_: subprocess.Popen) -> set[int]:
    processes = group_processes(import_.pid)
    return {
        pid
        for pid, (parent, command) in processes.items()
        if parent == import_.pid and "multiprocessing.forkserver" in command
    }


def preloading(import_: subprocess.Popen) -> bool:
    """The import's fork server runs Python with its SIGINT handler set (KeyboardInterrupt):
    it imports the modules the workers need, for seconds, before it ignores SIGINT."""
    return any(catches(pid, signal.SIGINT) for pid in fork_servers(import_))


def forking(import_: subprocess.Popen) -> bool:
    """The import's fork server has started a process (a worker, say)."""
    servers = fork_servers(import_)
    return any(parent in servers for parent, _ in group_processes(import_.pid).values())


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux /proc")
@pytest.mark.parametrize("moment", [preloading, forking])
def test_ctrl_c_as_the_workers_start_gives_the_counts_line_and_leaves_no_process(tmp_path, moment):
    """Ctrl-C, which reaches the terminal's whole group, as the fork server of an import's
    workers preloaded their modules ended the fork server with a KeyboardInterrupt
    traceback below the import's counts line; as it starts a process, that process must
    not say one either. Each process of the import ends."""
    corpus = DATA / "relevance" / "articles.jsonl.xz"  # 4,032 articles: workers start
    args = ["import", str(corpus), "--workers", "2", "--db", str(tmp_path / "db.sqlite")]
    with started_from_a_terminal(*args) as import_:
        while not moment(import_):
            assert import_.poll() is None, import_.communicate()
            time.sleep(0.01)
        out, err = ctrl_c(import_)
    assert import_.returncode == 130, err
    assert "Traceback" not in err, err
    assert re.fullmatch(
        r"read \d+, new \d+, updated \d+, unchanged \d+, rejected \d+ "
        r"\(interrupted: import again to store the rest\)\n",
        out,
    ), out
    deadline = time.monotonic() + 60  # only against a hang: the fork server ends once the
    # import has, when it is done preloading
    while group_processes(import_.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not group_processes(import_.pid)


def test_ctrl_c_while_only_refused_records_came_says_so_and_makes_no_database(tmp_path):
    """Ctrl-C before the first article: the counts line of what was read, status 130, and
    no database, since nothing was stored."""
    corpus = tmp_path / "corpus.jsonl"
    os.mkfifo(corpus)
    db = tmp_path / "data" / "db.sqlite"
    with (
        started_from_a_terminal("import", str(corpus), "--db", str(db)) as import_,
        writing_to(corpus, import_) as writer,
    ):
        writer.writelines(["{not json\n"] * 3)
        writer.flush()
        time.sleep(1)  # the import reads them, then waits for more on the open pipe
        out, err = ctrl_c(import_)
    assert import_.returncode == 130, err
    assert "Traceback" not in err and "Aborted!" not in err
    counted = re.fullmatch(
        r"read (\d), new 0, updated 0, unchanged 0, rejected (\d) "
        r"\(interrupted: import again to store the rest\)",
        out.strip(),
    )
    assert counted is not None, out
    assert counted[1] == counted[2]
    assert err.count("invalid JSON") == int(counted[1])
    assert not (tmp_path / "data").exists()


INTERRUPTED_BEFORE_ANY = (
    "read 0, new 0, updated 0, unchanged 0, rejected 0 "
    "(interrupted: import again to store the rest)"
)


# thaidigest's command line, pressed Ctrl-C on (SIGINT sent to itself) as it starts
# loading the module of the command it runs.
INTERRUPTED_AS_IT_LOADS = """
import os, signal, sys
from importlib.abc import MetaPathFinder
from thaidigest.cli import main

class CtrlC(MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "thaidigest.commands":
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
main(prog_name="thaidigest")
"""


@pytest.mark.parametrize(
    ("command", "out", "err"),
    [("import", INTERRUPTED_BEFORE_ANY + "\n", ""), ("export", "", "Aborted!\n")],
)
def test_ctrl_c_as_the_command_loads_ends_it_as_its_contract_says(tmp_path, command, out, err):
    """Ctrl-C in an import's first second or so, as its module loaded, said only click's
    `Aborted!`; any other command says just that."""
    db = tmp_path / "db.sqlite"
    paths = [str(seed_path("001"))] if command == "import" else []
    ended = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_AS_IT_LOADS, command, *paths, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert (ended.returncode, ended.stdout, ended.stderr) == (130, out, err)
    assert not db.exists()


# The console script (`from thaidigest.cli import main`), pressed Ctrl-C on as it starts
# loading the module named first on its command line, as the command line itself loads:
# as the import system looks for it, or, second argument "class", as a class's attribute is
# named (which Python 3.11 raises as the cause of a RuntimeError: platform's uname_result,
# as click loads).
INTERRUPTED_AS_THE_COMMAND_LINE_LOADS = """
import os, signal, sys
from importlib.abc import MetaPathFinder

loading, where = sys.argv.pop(1), sys.argv.pop(1)

class Named:
    def __set_name__(self, owner, name):
        os.kill(os.getpid(), signal.SIGINT)

class CtrlC(MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == loading and where == "class":
            type("Loaded", (), {"attribute": Named()})
        elif name == loading:
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
from thaidigest.cli import main
main(prog_name="thaidigest")
"""


@pytest.mark.parametrize(
    ("loading", "where"),
    [
        ("click", "import"),
        ("thaidigest.config", "import"),
        ("thaidigest.store", "import"),
        ("sqlalchemy.engine", "import"),
        ("click", "class"),
    ],
)
def test_ctrl_c_as_the_command_line_loads_ends_it_as_ctrl_c_later_does(tmp_path, loading, where):
    """Ctrl-C in a command's first fifth of a second or so, as thaidigest's command line
    loaded click and SQLAlchemy, before any command's module, was a traceback and exit
    status 1. (Earlier yet, in Python's own start, is Python's.)"""
    command = ["export", "--db", str(tmp_path / "db.sqlite")]
    ended = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_AS_THE_COMMAND_LINE_LOADS, loading, where, *command],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert (ended.returncode, ended.stdout, ended.stderr) == (130, "", "Aborted!\n")


def test_ctrl_c_while_the_settings_are_read_gives_the_counts_line_and_makes_no_database(
    tmp_path,
):
    """Ctrl-C before the import read a record (its settings file, a named pipe, not
    written yet) said only click's `Aborted!`."""
    settings = tmp_path / "thaidigest.toml"
    os.mkfifo(settings)
    db = tmp_path / "data" / "db.sqlite"
    args = ["import", str(seed_path("001")), "--config", str(settings), "--db", str(db)]
    with started_from_a_terminal(*args) as import_, writing_to(settings, import_):
        out, err = ctrl_c(import_)  # the import waits for the settings' first bytes
    assert import_.returncode == 130, err
    assert "Traceback" not in err and "Aborted!" not in err
    assert out.splitlines() == [INTERRUPTED_BEFORE_ANY]
    assert not (tmp_path / "data").exists()


def test_ctrl_c_as_the_store_waits_to_be_judged_again_counts_what_was_read_and_stores_none(
    tmp_path,
):
    """Ctrl-C once the records up to the first article were read and the database opened,
    as its articles wait to be scored again (with a new threshold, while another pass holds
    the turn), said only click's `Aborted!`: a rerun stores the article, and nothing twice."""
    db = tmp_path / "db.sqlite"
    assert run("import", str(seed_path("001")), "--db", str(db)).exit_code == 0
    settings = tmp_path / "thaidigest.toml"
    settings.write_text("[relevance]\nthreshold = 0.9\n", encoding="utf-8")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("{not json\n" + distinct_corpus_lines(1)[0], encoding="utf-8")
    store = Store.open(str(db))
    turn = locks.reread_lock(SCORING_KEY)
    locks.acquire(store, turn, timedelta(hours=1))  # this process: a pass that runs
    try:
        args = ["import", str(corpus), "--config", str(settings), "--db", str(db)]
        with started_from_a_terminal(*args) as import_:
            waiting = "waiting for the pass reading the stored articles again to end"
            said = []
            while waiting not in (line := import_.stderr.readline()):
                assert line, import_.communicate()  # it ended without waiting
                said.append(line)
            out, err = ctrl_c(import_)
    finally:
        locks.release(store, turn)
        store.close()
    assert import_.returncode == 130, err
    assert "Traceback" not in err and "Aborted!" not in err
    assert out.splitlines() == [
        "read 1, new 0, updated 0, unchanged 0, rejected 1 "
        "(interrupted: import again to store the rest)"
    ]
    assert "".join([*said, err]).count("invalid JSON") == 1
    assert stored_count(db) == 1  # the article stored before, alone
    again = run("import", str(corpus), "--config", str(settings), "--db", str(db))
    assert "read 2, new 1, updated 0, unchanged 0, rejected 1" in again.output
    assert stored_count(db) == 2


@pytest.mark.parametrize("prefix", ["000", "001"])  # stored under its file: URL; its own
def test_explain_takes_the_path_of_an_imported_text_file(prefix, tmp_path, monkeypatch):
    db = tmp_path / "db.sqlite"
    seed = seed_path(prefix)
    assert run("import", str(seed), "--db", str(db)).exit_code == 0
    (stored,) = export(db)
    monkeypatch.chdir(seed.parent)
    explained = run("explain", seed.name, "--db", str(db), "--out", str(tmp_path / "public"))
    assert explained.exit_code == 0, explained.output
    assert explained.output.splitlines()[1] == stored["url"]
    assert "relevance: " in explained.output


def test_explain_takes_a_text_file_named_as_import_reads_one(tmp_path, monkeypatch):
    """import reads a file named ``.txt`` as a text file, where explain took its name for
    an address: `Error: no stored article at .txt`."""
    db = tmp_path / "db.sqlite"
    monkeypatch.chdir(tmp_path)
    Path(".txt").write_bytes(seed_path("001").read_bytes())
    assert run("import", ".txt", "--db", str(db)).exit_code == 0
    (stored,) = export(db)
    explained = run("explain", ".txt", "--db", str(db), "--out", str(tmp_path / "public"))
    assert explained.exit_code == 0, explained.output
    assert explained.output.splitlines()[1] == stored["url"]


# A .txt file's source line as written, and the address a database made before stored the
# page under: its Thai path or lower-case escapes as written, or its query kept.
SOURCES_STORED_BEFORE = pytest.mark.parametrize(
    ("source", "stored_under"),
    [
        (
            "https://www.mfa.go.th/th/content/ข่าว-ความร่วมมือ",
            "https://mfa.go.th/th/content/ข่าว-ความร่วมมือ",
        ),
        (
            "https://www.mfa.go.th/th/content/%e0%b8%82%e0%b9%88%e0%b8%b2%e0%b8%a7-1",
            "https://mfa.go.th/th/content/%e0%b8%82%e0%b9%88%e0%b8%b2%e0%b8%a7-1",
        ),
        (
            "https://www.thaigov.go.th/news/contents/details/87382?lang=th",
            "https://thaigov.go.th/news/contents/details/87382?lang=th",
        ),
        (  # a host in Thai, as written: stored in its IDNA form (xn--) now
            "https://www.ตัวอย่าง.ไทย/news/mou-1",
            "https://ตัวอย่าง.ไทย/news/mou-1",
        ),
    ],
    ids=["thai-path", "lower-case-escapes", "lang-query", "thai-host"],
)


def text_stored_before(tmp_path: Path, source: str, stored_under: str) -> tuple[Path, Path]:
    """A .txt file with the source line ``source``, and a database holding its article
    under ``stored_under``, as an older version stored it."""
    db = tmp_path / "db.sqlite"
    text = tmp_path / "mou.txt"
    text.write_text(
        "ความร่วมมือด้านดิจิทัลไทย ญี่ปุ่น\n\n"
        "กระทรวงลงนามบันทึกความเข้าใจด้านเศรษฐกิจดิจิทัลกับญี่ปุ่น เพื่อความร่วมมือด้านปัญญาประดิษฐ์\n"
        f"ที่มา : {source}\n",
        "utf-8",
    )
    assert run("import", str(text), "--db", str(db)).exit_code == 0
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE articles SET url = ?", (stored_under,))
    return text, db


@SOURCES_STORED_BEFORE
def test_a_text_file_is_the_row_a_database_holds_under_its_source_lines_former_form(
    source, stored_under, tmp_path
):
    """A .txt file names its address in its ``ที่มา :`` line, read as it is normalised: the
    former form was looked up from the file's ``file:`` URL, so a database that holds the
    page under its Thai path (or ``?lang=th``) as written stored it a second time."""
    text, db = text_stored_before(tmp_path, source, stored_under)

    result = run("import", str(text), "--db", str(db))

    assert "new 0, updated 0, unchanged 1" in result.output, result.output
    assert [record["url"] for record in export(db)] == [stored_under]


@SOURCES_STORED_BEFORE
def test_explain_of_a_text_file_finds_the_row_held_under_its_source_lines_former_form(
    source, stored_under, tmp_path
):
    """explain of a .txt file looked only under its source line's canonical form, where
    explain of the line's address finds the row stored under its former one."""
    text, db = text_stored_before(tmp_path, source, stored_under)

    explained = run("explain", str(text), "--db", str(db))

    assert explained.exit_code == 0, explained.output
    assert explained.output.splitlines()[1] == stored_under


THAI_HOST_RECORD = {
    "title": "ความร่วมมือด้านดิจิทัลไทย ญี่ปุ่น",
    "text": "ความร่วมมือด้านดิจิทัลไทย ญี่ปุ่น\n\nกระทรวงลงนามบันทึกความเข้าใจกับญี่ปุ่น",
}
IN_THAI = "https://www.ตัวอย่าง.ไทย/news/mou-1"
IN_IDNA_FORM = "https://XN--72C1A1BT4AWK9O.xn--o3cw4h/news/mou-1"


@pytest.mark.parametrize("first, second", [(IN_THAI, IN_IDNA_FORM), (IN_IDNA_FORM, IN_THAI)])
def test_a_host_in_thai_and_in_its_idna_form_is_one_article(first, second, tmp_path):
    """A link that writes its host in Thai and one that writes it as the browser sends it
    (xn--) name one page: imported in either order, they made two rows."""
    db = tmp_path / "db.sqlite"
    for index, (url, words) in enumerate([(first, "เดิม"), (second, "แก้ไขแล้ว")]):
        path = tmp_path / f"record{index}.jsonl"
        record = {**THAI_HOST_RECORD, "url": url, "text": f"{THAI_HOST_RECORD['text']} {words}"}
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
        assert run("import", str(path), "--db", str(db)).exit_code == 0

    (stored,) = export(db)
    assert stored["url"] == "https://xn--72c1a1bt4awk9o.xn--o3cw4h/news/mou-1"
    assert stored["body"].endswith("แก้ไขแล้ว")
    explained = run("explain", IN_THAI, "--db", str(db))
    assert explained.output.splitlines()[1] == stored["url"], explained.output


def test_a_host_in_thai_with_no_idna_form_is_refused_saying_why(tmp_path):
    db = tmp_path / "db.sqlite"
    path = tmp_path / "records.jsonl"
    records = [{**THAI_HOST_RECORD, "url": url} for url in ("https://a..ไทย/x", IN_THAI)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")

    result = run("import", str(path), "--db", str(db))

    assert result.exit_code == 1
    assert (
        "records.jsonl:1: 'url' 'https://a..ไทย/x' has a host that cannot be looked up: "
        "'a..ไทย' has no IDNA form: a part between dots is empty or longer than 63 characters"
    ) in result.output, result.output
    assert "read 2, new 1, updated 0, unchanged 0, rejected 1" in result.output
    assert [record["url"] for record in export(db)] == [
        "https://xn--72c1a1bt4awk9o.xn--o3cw4h/news/mou-1"
    ]
