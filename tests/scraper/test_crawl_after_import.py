"""An import of an article a crawl stored leaves the crawl able to see the page's edits."""

from __future__ import annotations

from pathlib import Path

from scraper.fixture_site import FixtureSite
from tests.conftest import seed_path
from tests.scraper.crawling import copy_site, crawl, run_thaidigest, write_config
from thaidigest.store import Store
from thaidigest.urls import public_url

ARTICLE_ID = "87382"  # seed 001's article, a page of the fixture site
CRAWL_FIELDS = ("fetch_url", "etag", "last_modified", "last_seen")
SITE_EDIT = ("การประชุม DESG ครั้งนี้", "การประชุม DESG ที่แก้ไขแล้วครั้งนี้")


def stored_article(db: Path) -> dict:
    store = Store(f"sqlite:///{db}")
    try:
        row = store.article_by_url(public_url("thaigov", ARTICLE_ID))
    finally:
        store.close()
    assert row is not None
    return row


def crawl_fields(db: Path) -> dict:
    row = stored_article(db)
    return {name: row[name] for name in CRAWL_FIELDS}


def thaigov_crawl(site: FixtureSite, db: Path, config: Path) -> str:
    """The report of a thaigov crawl of ``site`` (it must succeed)."""
    result = crawl(site.base_url, db, config, "--source", "thaigov")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    return result.stdout


def article_requests(site: FixtureSite, since: int) -> list:
    return [r for r in site.requests[since:] if r.path.endswith(f"/details/{ARTICLE_ID}")]


def edit_the_page(root: Path) -> None:
    page = root / "news" / "contents" / "details" / f"{ARTICLE_ID}.html"
    html = page.read_text(encoding="utf-8")
    edited = html.replace(*SITE_EDIT, 1)
    assert edited != html
    page.write_text(edited, encoding="utf-8")


def import_file(db: Path, path: Path) -> str:
    result = run_thaidigest("import", str(path), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    return result.stdout


def test_an_unchanged_import_keeps_the_crawl_fields_and_the_next_edit_is_seen(tmp_path):
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    exported = tmp_path / "export.jsonl"
    with FixtureSite(root) as site:
        thaigov_crawl(site, db, config)
        crawled = crawl_fields(db)
        assert crawled["fetch_url"] == f"{site.base_url}/news/contents/details/{ARTICLE_ID}"
        assert crawled["etag"] and crawled["last_modified"]
        assert run_thaidigest("export", "--db", str(db), "-o", str(exported)).returncode == 0

        assert "new 0, updated 0, unchanged 1," in import_file(db, seed_path("001"))
        assert crawl_fields(db) == crawled
        assert "new 0, updated 0, unchanged 35," in import_file(db, exported)
        assert crawl_fields(db) == crawled

        edit_the_page(root)
        mark = len(site.requests)
        assert "new 0, updated 1," in thaigov_crawl(site, db, config)
        (revisit,) = article_requests(site, mark)
    assert revisit.headers.get("If-None-Match") == crawled["etag"]
    assert revisit.status == 200
    row = stored_article(db)
    assert SITE_EDIT[1] in row["body"] and row["versions"] == 2


def test_an_import_that_changes_a_crawled_article_has_the_next_crawl_read_the_page_whole(
    tmp_path,
):
    # The page's validators describe the page as fetched, not the imported text: a 304
    # to them would keep the import's text as the page's. Dropped, the next crawl reads
    # the page, stores its text again, and sees the site's next edit.
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    seed = seed_path("001").read_text(encoding="utf-8")
    imported = tmp_path / "001.txt"
    imported.write_text(seed.replace("ทั้ง 16 เขตเศรษฐกิจ", "ทั้ง 17 เขตเศรษฐกิจ"), "utf-8")
    with FixtureSite(root) as site:
        thaigov_crawl(site, db, config)
        crawled = crawl_fields(db)

        assert "new 0, updated 1," in import_file(db, imported)
        after_import = crawl_fields(db)
        assert after_import["fetch_url"] == crawled["fetch_url"]  # still the crawl's page
        assert (after_import["etag"], after_import["last_modified"]) == (None, None)

        mark = len(site.requests)
        assert "new 0, updated 1," in thaigov_crawl(site, db, config)  # the page's text again
        (revisit,) = article_requests(site, mark)
        assert "If-None-Match" not in revisit.headers
        assert "If-Modified-Since" not in revisit.headers
        assert revisit.status == 200
        row = stored_article(db)
        assert "ทั้ง 16 เขตเศรษฐกิจ" in row["body"] and row["versions"] == 3
        assert row["etag"] == crawled["etag"]  # the page as fetched, which the row holds again

        edit_the_page(root)
        mark = len(site.requests)
        assert "new 0, updated 1," in thaigov_crawl(site, db, config)
        (revisit,) = article_requests(site, mark)
    assert revisit.headers.get("If-None-Match") == crawled["etag"]
    row = stored_article(db)
    assert SITE_EDIT[1] in row["body"] and row["versions"] == 4
