"""A stored article whose page comes back with an empty body keeps its text, until the page
has come back so on EMPTY_ANSWERS_TO_STORE crawls in a row; an import's empty body does not
wait. The count is kept in a table of its own, which an open to write adds to a database
without it, the schema unchanged. (The crawl through the spider:
tests/scraper/test_crawl_empty.py.)"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Connection

from tests.conftest import DATA
from thaidigest.ingest import EMPTY_ANSWERS_TO_STORE, Ingestor
from thaidigest.model import CAME_BACK_EMPTY, RawArticle
from thaidigest.normalise import normalise_article
from thaidigest.pipeline import build_ingestor
from thaidigest.readers import corpus_record_article
from thaidigest.store import Store, empty_answers, metadata

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


def empty_count(store: Store) -> int | None:
    """The empty answers in a row the store counts for its one article; None without a row."""
    with store.engine.connect() as conn:
        return conn.execute(select(empty_answers.c.answers)).scalar_one_or_none()


def tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }


def schema_version(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        query = "SELECT value FROM meta WHERE key = 'schema_version'"
        return conn.execute(query).fetchone()[0]


def crawled_article(
    store: Store, at: Callable[[], datetime] = clock
) -> tuple[Ingestor, RawArticle]:
    """An ingestor and an article a crawl stored with its text."""
    ingestor = build_ingestor(store, clock=at)
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
    kept = ("title", "body", "versions", "published", "last_changed")
    kept += ("relevance", "relevant", "topics", "partners")
    assert {key: after[key] for key in kept} == {key: before[key] for key in kept}
    # Neither the empty page's validators (a 304 would confirm it) nor the text's: the
    # next crawl reads the page whole, and counts on from what it reads.
    assert (after["etag"], after["last_modified"]) == (None, None)
    assert empty_count(store) == 1


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
    assert empty_count(store) is None  # its row gone with the run
    assert [version["body"] for version in store.versions(stored["id"])] == [text, ""]
    # Empty now: the next empty answer is the stored text again.
    assert ingestor.ingest_one(visit(emptied(article), '"empty again"')) == "unchanged"


def test_each_empty_answer_says_how_close_the_loss_is_and_the_loss_is_told(store, caplog):
    caplog.set_level(logging.WARNING, logger="thaidigest.ingest")
    ingestor, article = crawled_article(store)
    assert EMPTY_ANSWERS_TO_STORE == 3  # the lines as a crawl's log shows them
    for n in range(EMPTY_ANSWERS_TO_STORE):
        ingestor.ingest_one(visit(emptied(article), f'"empty {n}"'))
    assert [record.getMessage() for record in caplog.records] == [
        f"page came back with an empty body: {PAGE}; the stored text kept"
        " (empty answer 1 of 3 in a row; 2 more store it empty)",
        f"page came back with an empty body: {PAGE}; the stored text kept"
        " (empty answer 2 of 3 in a row; the next one stores it empty)",
        f"page stored with an empty body: {PAGE}: it came back empty on 3 crawls in a row;"
        " its text stays in version 1",
    ]
    caplog.clear()
    # Empty now, or emptied by an import: nothing more to tell.
    ingestor.ingest_one(visit(emptied(article), '"empty again"'))
    ingestor.ingest_one(visit(article, '"text"'))
    ingestor.ingest_one(replace(emptied(article), fetch_url=None, etag=None, last_modified=None))
    assert caplog.records == []


def test_a_whole_answer_between_empty_ones_starts_the_count_again(store):
    ingestor, article = crawled_article(store)
    empty = visit(emptied(article), '"empty"')
    assert ingestor.ingest_one(empty) == CAME_BACK_EMPTY
    assert ingestor.ingest_one(visit(article, '"text"')) == "unchanged"
    stored = row(store)
    assert (empty_count(store), stored["etag"]) == (None, '"text"')
    outcomes = [ingestor.ingest_one(empty) for _ in range(EMPTY_ANSWERS_TO_STORE - 1)]
    assert outcomes == [CAME_BACK_EMPTY] * (EMPTY_ANSWERS_TO_STORE - 1)
    assert row(store)["versions"] == 1


def test_an_import_of_an_empty_body_is_stored_at_once(store):
    ingestor, article = crawled_article(store)
    imported = replace(emptied(article), fetch_url=None, etag=None, last_modified=None)
    assert ingestor.ingest_one(imported) == "updated"
    assert (row(store)["body"], row(store)["versions"]) == ("", 2)


def test_an_imported_text_between_empty_answers_starts_the_count_again(store):
    """The text a user imports while the page comes back empty (restored from a backup)
    is kept by the next empty answers as the crawled text was, not stored empty by the
    first one."""
    ingestor, article = crawled_article(store)
    empty = visit(emptied(article), '"empty"')
    for _ in range(EMPTY_ANSWERS_TO_STORE - 1):
        assert ingestor.ingest_one(empty) == CAME_BACK_EMPTY
    restored = replace(article, body=article.body + "\nแก้ไขแล้ว", fetch_url=None, etag=None)
    assert ingestor.ingest_one(restored) == "updated"
    assert empty_count(store) is None
    assert ingestor.ingest_one(empty) == CAME_BACK_EMPTY
    stored = row(store)
    assert (stored["body"], stored["versions"]) == (normalise_article(restored).body, 2)
    assert empty_count(store) == 1


def test_a_visit_of_a_page_without_a_count_writes_nothing_to_the_count(store):
    """The usual visit (a page with its text, no empty answer before) costs no statement
    on the count's table; one that ends a run of empty answers deletes its row."""
    ingestor, article = crawled_article(store)
    statements: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        if "empty_answers" in statement and not statement.lstrip().startswith("SELECT"):
            statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        assert ingestor.ingest_one(visit(article, '"text"')) == "unchanged"
        assert statements == []
        assert ingestor.ingest_one(visit(emptied(article), '"empty"')) == CAME_BACK_EMPTY
        assert ingestor.ingest_one(visit(article, '"text"')) == "unchanged"
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert empty_count(store) is None
    assert [statement.split()[0] for statement in statements] == ["DELETE", "INSERT", "DELETE"]


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
    store, answers_before, caplog
):
    ingestor, article = crawled_article(store)
    empty = visit(emptied(article), '"empty"')
    for _ in range(answers_before):
        ingestor.ingest_one(empty)
    caplog.clear()
    before, counted = row(store), empty_count(store)
    # The crawl counts its outcomes on its run in the same transaction (also_write).
    crashing_ingestor = build_ingestor(store, clock=clock, also_write=crashing)
    with pytest.raises(Crash):
        crashing_ingestor.ingest_one(empty)
    assert "empty body" not in caplog.text  # what it did not store is not told
    after = row(store)
    assert after == before
    assert empty_count(store) == counted == (answers_before or None)
    assert after["versions"] == 1
    assert len(store.versions(after["id"])) == 1


def test_a_database_of_the_previous_thaidigest_gets_the_count_once_opened_to_write(
    tmp_path: Path,
):
    path = tmp_path / "previous.sqlite"
    store = Store(f"sqlite:///{path}")
    _, article = crawled_article(store)
    store.close()
    with closing(sqlite3.connect(path)) as conn:  # the tables the previous thaidigest makes
        conn.execute("DROP TABLE empty_answers")
        conn.commit()
    assert tables(path) == set(metadata.tables) - {"empty_answers"}
    store = Store(f"sqlite:///{path}")  # as a crawl opens it
    try:
        assert "empty_answers" in tables(path)
        assert schema_version(path) == "3"
        ingestor = build_ingestor(store, clock=clock)
        empty = visit(emptied(article), '"empty"')
        outcomes = [ingestor.ingest_one(empty) for _ in range(EMPTY_ANSWERS_TO_STORE)]
        assert outcomes == [CAME_BACK_EMPTY] * (EMPTY_ANSWERS_TO_STORE - 1) + ["updated"]
        assert row(store)["body"] == ""
    finally:
        store.close()


def test_an_open_to_read_leaves_a_database_without_the_count_as_it_is(tmp_path: Path):
    path = tmp_path / "previous.sqlite"
    store = Store(f"sqlite:///{path}")
    _, article = crawled_article(store)
    store.close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP TABLE empty_answers")
        conn.commit()
    written = path.read_bytes()
    store = Store(f"sqlite:///{path}", create=False)  # as export, status and explain open it
    try:
        assert row(store)["title"] == normalise_article(article).title
    finally:
        store.close()
    assert "empty_answers" not in tables(path)
    assert path.read_bytes() == written


def test_a_visit_of_the_previous_thaidigest_between_empty_answers_starts_the_count_again(
    tmp_path: Path,
):
    """A thaidigest that knows no count (still running beside this one) ends a run of empty
    answers by reading the page with its text, without deleting the count's row."""
    moments = iter(datetime(2025, 9, day, 8, tzinfo=UTC) for day in range(1, 30))
    store = Store(f"sqlite:///{tmp_path / 'shared.sqlite'}")
    try:
        ingestor, article = crawled_article(store, at=lambda: next(moments))
        empty = visit(emptied(article), '"empty"')
        for _ in range(EMPTY_ANSWERS_TO_STORE - 1):
            assert ingestor.ingest_one(empty) == CAME_BACK_EMPTY
        with store.transaction() as conn:  # its visit of the page, whole: as it records one
            conn.exec_driver_sql(
                "UPDATE articles SET etag = '\"text\"', last_seen = '2025-09-03T20:00:00Z'"
            )
        assert empty_count(store) == EMPTY_ANSWERS_TO_STORE - 1  # its row, left
        outcomes = [ingestor.ingest_one(empty) for _ in range(EMPTY_ANSWERS_TO_STORE)]
        assert outcomes == [CAME_BACK_EMPTY] * (EMPTY_ANSWERS_TO_STORE - 1) + ["updated"]
    finally:
        store.close()
