"""A stored article whose page comes back with its headline and an empty body, crawled
through the spider against the fixture site: its text is kept, the report counts it, and
only a page empty on EMPTY_ANSWERS_TO_STORE crawls in a row is stored empty; in a database
the previous thaidigest made too, without the count's table."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

from scraper.fixture_site import FixtureSite, page_file
from tests.scraper.crawling import copy_site, crawl, write_config
from tests.scraper.test_crawl_not_article import reports
from thaidigest.ingest import EMPTY_ANSWERS_TO_STORE
from thaidigest.sites import article_path
from thaidigest.urls import public_url

ARTICLE_ID = 87382
# Its stored row: what a kept answer leaves as it was, and what it writes.
KEPT = ("title", "body", "versions", "published", "last_changed")
KEPT += ("relevance", "relevant", "topics", "partners")
VISIT = ("etag", "last_modified")


def with_empty_body(html: str) -> str:
    """The fixture's article page with its headline and its body block emptied, as a CMS
    hiccup answers it."""
    emptied, count = re.subn(
        r'(<div class="text-content">).*?(</div>)', r"\1\2", html, count=1, flags=re.DOTALL
    )
    assert count == 1
    return emptied


def stored_article(db: Path) -> dict:
    """The article's row, with ``empty_answers``: the count of its empty answers (None
    without one)."""
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        row = connection.execute(
            f"select {', '.join(KEPT + VISIT)}, empty_answers.answers as empty_answers"
            " from articles left join empty_answers on empty_answers.article_id = articles.id"
            " where url = ?",
            (public_url("thaigov", str(ARTICLE_ID)),),
        ).fetchone()
    finally:
        connection.close()
    return dict(row)


def test_a_page_come_back_empty_keeps_the_text_until_it_has_on_enough_crawls_in_a_row(tmp_path):
    root = copy_site(tmp_path)
    db = tmp_path / "db.sqlite"
    config = write_config(tmp_path)
    path = root / page_file(article_path("thaigov", ARTICLE_ID))
    whole = path.read_text(encoding="utf-8")
    with FixtureSite(root) as site:
        url = f"{site.base_url}{article_path('thaigov', ARTICLE_ID)}"

        def crawl_answering(page: str) -> tuple[str, dict]:
            path.write_text(page, encoding="utf-8")
            result = crawl(site.base_url, db, config, "--source", "thaigov")
            assert result.returncode == 0, result.stderr[-2000:]
            return result.stderr, reports(db)["thaigov"]

        crawl_answering(whole)
        stored = stored_article(db)
        assert stored["body"] and stored["etag"] and stored["versions"] == 1
        assert stored["empty_answers"] is None
        # The database as the previous thaidigest (schema 3 too) leaves it: no count's
        # table, which the next crawl's open makes.
        with closing(sqlite3.connect(db)) as conn:
            conn.execute("DROP TABLE empty_answers")
            conn.commit()

        stderr, report = crawl_answering(with_empty_body(whole))
        kept = stored_article(db)
        assert {key: kept[key] for key in KEPT} == {key: stored[key] for key in KEPT}
        assert report["came_back_empty"] == 1
        assert (report["updated"], report["unchanged"]) == (0, 0)
        warnings = [line for line in stderr.splitlines() if "came back with an empty body" in line]
        assert len(warnings) == 1 and url in warnings[0], stderr[-2000:]
        assert f"(empty answer 1 of {EMPTY_ANSWERS_TO_STORE} in a row;" in warnings[0]
        # No validator of the empty page (a 304 would confirm it as the text), nor of the
        # text: the next crawl reads the page whole.
        assert (kept["etag"], kept["last_modified"], kept["empty_answers"]) == (None, None, 1)

        # The page whole again: read (200, not 304), unchanged, its validators stored, the
        # count started again.
        _, report = crawl_answering(whole)
        assert (report["unchanged"], report["came_back_empty"]) == (1, 0)
        again = stored_article(db)
        assert {key: again[key] for key in KEPT} == {key: stored[key] for key in KEPT}
        assert (again["etag"], again["empty_answers"]) == (stored["etag"], None)
        assert again["last_modified"] is not None  # the file's time: written again

        for answer in range(1, EMPTY_ANSWERS_TO_STORE):
            stderr, report = crawl_answering(with_empty_body(whole))
            assert report["came_back_empty"] == 1
            assert stored_article(db)["empty_answers"] == answer
            assert stored_article(db)["body"] == stored["body"]
        assert "the next one stores it empty)" in stderr, stderr[-2000:]
        stderr, report = crawl_answering(with_empty_body(whole))
    assert (report["updated"], report["came_back_empty"]) == (1, 0)
    assert (
        f"page stored with an empty body: {url}: it came back empty on"
        f" {EMPTY_ANSWERS_TO_STORE} crawls in a row; its text stays in version 1"
    ) in stderr, stderr[-2000:]
    emptied = stored_article(db)
    assert (emptied["body"], emptied["versions"], emptied["empty_answers"]) == ("", 2, None)
    assert emptied["etag"] not in (None, stored["etag"])  # the empty page's, stored with it
