"""A stored article whose page comes back with an empty body keeps its text, until the page
has come back so on EMPTY_ANSWERS_TO_STORE crawls in a row; an import's empty body does not
wait. (The crawl through the spider: tests/scraper/test_crawl_empty.py.)"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Connection

from tests.conftest import DATA
from thaidigest.ingest import EMPTY_ANSWERS_TO_STORE, Ingestor
from thaidigest.model import CAME_BACK_EMPTY, RawArticle
from thaidigest.normalise import normalise_article
from thaidigest.pipeline import build_ingestor
from thaidigest.readers import corpus_record_article
from thaidigest.store import SCHEMA_VERSION, Store

PAGE = "https://www.thaigov.go.th/news/contents/details/87382"
# A thaigov article with its text, as the corpus holds it.
RECORD = json.loads((DATA / "dedup_articles.jsonl").read_text("utf-8").splitlines()[0])


def clock() -> datetime:
    return datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def visit(article: RawArticle, etag: str) -> RawArticle:
    """``article`` as a crawl reads its page, answered with ``etag``."""
    return replace(article, fetch_url=PAGE, etag=etag, last_modified="Mon, 01 Sep 2025 GMT")


def emptied(article: RawArticle) -> RawArticle:
    """``article``'s page answered with its headline only."""
    return replace(article, body="")


def row(store: Store) -> dict:
    """The one article stored."""
    (stored,) = store.iter_articles()
    return stored


def crawled_article(store: Store) -> tuple[Ingestor, RawArticle]:
    """An ingestor and an article a crawl stored with its text."""
    ingestor = build_ingestor(store, clock=clock)
    article = visit(corpus_record_article(RECORD), '"text"')
    assert ingestor.ingest_one(article) == "new"
    return ingestor, article


def test_an_empty_answer_keeps_the_text_its_scores_and_asks_the_page_whole_next(store):
    ingestor, article = crawled_article(store)
    before = row(store)
    assert before["body"] and before["etag"] == '"text"'

    assert ingestor.ingest_one(visit(emptied(article), '"empty"')) == CAME_BACK_EMPTY

    after = row(store)
    assert store.versions(after["id"]) == store.versions(before["id"])
    kept = ("title", "body", "versions", "relevance", "relevant", "topics", "partners")
    assert {key: after[key] for key in kept} == {key: before[key] for key in kept}
    # Neither the empty page's validators (a 304 would confirm it) nor the text's: the
    # next crawl reads the page whole, and counts on from what it reads.
    assert (after["etag"], after["last_modified"]) == (None, None)
    assert after["empty_answers"] == 1


def test_the_page_empty_on_enough_crawls_in_a_row_is_stored_empty(store):
    ingestor, article = crawled_article(store)
    text = row(store)["body"]
    outcomes = [
        ingestor.ingest_one(visit(emptied(article), f'"empty {n}"'))
        for n in range(EMPTY_ANSWERS_TO_STORE)
    ]
    assert outcomes == [CAME_BACK_EMPTY] * (EMPTY_ANSWERS_TO_STORE - 1) + ["updated"]
    stored = row(store)
    assert (stored["body"], stored["versions"]) == ("", 2)
    assert stored["etag"] == f'"empty {EMPTY_ANSWERS_TO_STORE - 1}"'
    assert stored["empty_answers"] == 0
    assert [version["body"] for version in store.versions(stored["id"])] == [text, ""]
    # Empty now: the next empty answer is the stored text again.
    assert ingestor.ingest_one(visit(emptied(article), '"empty again"')) == "unchanged"


def test_a_whole_answer_between_empty_ones_starts_the_count_again(store):
    ingestor, article = crawled_article(store)
    empty = visit(emptied(article), '"empty"')
    assert ingestor.ingest_one(empty) == CAME_BACK_EMPTY
    assert ingestor.ingest_one(visit(article, '"text"')) == "unchanged"
    stored = row(store)
    assert (stored["empty_answers"], stored["etag"]) == (0, '"text"')
    outcomes = [ingestor.ingest_one(empty) for _ in range(EMPTY_ANSWERS_TO_STORE - 1)]
    assert outcomes == [CAME_BACK_EMPTY] * (EMPTY_ANSWERS_TO_STORE - 1)
    assert row(store)["versions"] == 1


def test_an_import_of_an_empty_body_is_stored_at_once(store):
    ingestor, article = crawled_article(store)
    imported = replace(emptied(article), fetch_url=None, etag=None, last_modified=None)
    assert ingestor.ingest_one(imported) == "updated"
    assert (row(store)["body"], row(store)["versions"]) == ("", 2)


def test_a_new_article_with_a_headline_and_no_body_is_stored(store):
    ingestor = build_ingestor(store, clock=clock)
    article = visit(emptied(corpus_record_article(RECORD)), '"empty"')
    assert ingestor.ingest_one(article) == "new"
    stored = row(store)
    headline = normalise_article(article).title
    assert (stored["title"], stored["body"], stored["etag"]) == (headline, "", '"empty"')


class Crash(RuntimeError):
    """Raised in the transaction that writes an article, after its rows are written."""


def crashing(_conn: Connection, _outcomes: list[str]) -> None:
    raise Crash


@pytest.mark.parametrize("answers_before", [0, EMPTY_ANSWERS_TO_STORE - 1])
def test_a_crash_writing_an_empty_answer_writes_neither_its_count_nor_its_version(
    store, answers_before
):
    ingestor, article = crawled_article(store)
    empty = visit(emptied(article), '"empty"')
    for _ in range(answers_before):
        ingestor.ingest_one(empty)
    before = row(store)
    # The crawl counts its outcomes on its run in the same transaction (also_write).
    crashing_ingestor = build_ingestor(store, clock=clock, also_write=crashing)
    with pytest.raises(Crash):
        crashing_ingestor.ingest_one(empty)
    after = row(store)
    assert after == before
    assert (after["empty_answers"], after["versions"]) == (answers_before, 1)
    assert len(store.versions(after["id"])) == 1


def test_a_schema_3_database_counts_empty_answers_once_opened(tmp_path: Path):
    path = tmp_path / "old.sqlite"
    store = Store(f"sqlite:///{path}")
    ingestor, article = crawled_article(store)
    store.close()
    with sqlite3.connect(path) as conn:  # the database as schema 3 left it
        conn.execute("ALTER TABLE articles DROP COLUMN empty_answers")
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.close()
    store = Store(f"sqlite:///{path}")
    try:
        with store.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'")
            assert version.scalar() == str(SCHEMA_VERSION) == "4"
        assert row(store)["empty_answers"] == 0
        ingestor = build_ingestor(store, clock=clock)
        assert ingestor.ingest_one(visit(emptied(article), '"empty"')) == CAME_BACK_EMPTY
        assert row(store)["empty_answers"] == 1
    finally:
        store.close()


def test_an_older_thaidigest_still_running_inserts_articles_into_an_upgraded_database(store):
    """Its INSERT names no ``empty_answers``: the database's default fills it."""
    with store.transaction() as conn:
        conn.exec_driver_sql(
            "INSERT INTO articles (url, source, title, body, language, extraction, content_hash,"
            " first_seen, last_changed, last_seen, versions, relevance, relevant, topics,"
            " partners) VALUES ('https://x/1', 'thaigov', 't', 'b', 'th', 'text', 'h', 't', 't',"
            " 't', 1, 0.0, 0, ?, ?)",
            (json.dumps([]), json.dumps([])),
        )
    assert row(store)["empty_answers"] == 0
