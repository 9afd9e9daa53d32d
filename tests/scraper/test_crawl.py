"""End to end: ``thaidigest crawl`` against the fixture site on a loopback port."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import update

from digest.select import BANGKOK
from scraper.fixture_site import (
    DEFAULT_ROOT,
    MDES_PATHS,
    THAIGOV_PATHS,
    FaultPlan,
    FaultRule,
    FixtureSite,
)
from scraper.sites import mdes
from tests.conftest import SEEDS, seed_path, without_file_permission_overrides
from tests.scraper.crawling import (
    FIRST_THAIGOV_ID,
    add_crawl_setting,
    copy_site,
    crawl,
    crawl_args,
    manifest,
    refusing_after_robots_txt,
    run_thaidigest,
    write_config,
)
from thaidigest import locks
from thaidigest.config import DEFAULTS, load_config
from thaidigest.network_errors import NOT_IN_ITS_ENCODING
from thaidigest.pipeline import refind_partners_stored, rescore_stored
from thaidigest.sites import SOURCES
from thaidigest.store import Store, iso
from thaidigest.store import locks as lock_rows
from thaidigest.urls import public_url, served_url

ARTICLE_PATH = re.compile(r"^/news/(contents/details|detail)/\d+")
ROBOTS_PATH = r"^/robots\.txt$"


def expected_urls() -> set[str]:
    urls = set()
    for page in manifest()["pages"]:
        if page["kind"] == "article":
            urls.add(public_url(page["site"], str(page["id"])))
    return urls


def stored(db) -> dict[str, dict]:
    store = Store(f"sqlite:///{db}")
    try:
        return {row["url"]: row for row in store.iter_articles()}
    finally:
        store.close()


def stored_ids(db, only: str = "") -> set[int]:
    """The site ids of the articles stored in ``db`` whose URL holds ``only``."""
    return {int(url.rsplit("/", 1)[1]) for url in stored(db) if only in url}


def mistyped_seed() -> str:
    """Seed 001 with its thaigov id 87382 mistyped as 873820, far past the site's newest."""
    seed = seed_path("001").read_text(encoding="utf-8")
    mistyped = seed.replace("/details/87382", "/details/873820")
    assert mistyped != seed
    return mistyped


def article_fetches(site: FixtureSite, since: int) -> list:
    return [r for r in site.requests[since:] if ARTICLE_PATH.match(r.path)]


def article_pages(site: str | None = None) -> list[dict]:
    return [
        page
        for page in manifest()["pages"]
        if page["kind"] == "article" and site in (None, page["site"])
    ]


def last_paragraph(text: str) -> str:
    """The last line with words (separator lines are not text)."""
    return [line.strip() for line in text.split("\n") if re.search(r"\w", line)][-1]


def assert_every_article_is_whole_and_dated(articles: dict[str, dict]) -> None:
    """Each article as the fixture wrote it: its date, its last paragraph at the end of
    its body, and no headline of another article in it."""
    pages = article_pages()
    titles = {page["title"] for page in pages}
    for page in pages:
        row = articles[public_url(page["site"], str(page["id"]))]
        assert row["published"] == page["published"], page["path"]
        assert row["extraction"] == "selectors", page["path"]
        if page["site"] == "mdes":
            assert row["body"].endswith(last_paragraph(page["text"])), page["path"]
        for other in titles - {page["title"]}:
            assert other not in row["body"], (page["path"], other)


def test_crawl_stores_every_fixture_article_then_only_revalidates(tmp_path):
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config)
        assert first.returncode == 0, first.stderr[-2000:]
        articles = stored(db)
        assert set(articles) == expected_urls()
        assert_every_article_is_whole_and_dated(articles)
        by_path = {p["path"]: p for p in manifest(root)["pages"] if p["kind"] == "article"}
        seed_001 = articles[public_url("thaigov", "87382")]
        assert seed_001["title"] == by_path["/news/contents/details/87382"]["title"]
        assert seed_001["published"] == "2024-08-23"
        assert "พิมพ์" not in seed_001["body"].split("\n")
        assert all(row["extraction"] == "selectors" for row in articles.values())
        assert "soft 404 26" in first.stdout  # 6 gaps in the window and 20 misses past its end

        before_second = len(site.requests)
        second = crawl(site.base_url, db, config)
        assert second.returncode == 0, second.stderr[-2000:]
        assert "new 0, updated 0" in second.stdout
        assert stored(db).keys() == articles.keys()
        refetched = article_fetches(site, before_second)
        full_bodies = [r for r in refetched if r.status == 200 and r.path in by_path]
        assert full_bodies == []  # every known article answered 304
        assert sum(r.status == 304 for r in refetched) == len(articles)

        page = root / by_path["/news/contents/details/87382"]["file"]
        html = page.read_text(encoding="utf-8")
        edited = html.replace("การประชุม DESG ครั้งนี้", "การประชุม DESG ที่แก้ไขแล้วครั้งนี้", 1)
        assert edited != html
        page.write_text(edited, encoding="utf-8")
        third = crawl(site.base_url, db, config)
        assert third.returncode == 0, third.stderr[-2000:]
        assert "new 0, updated 1," in third.stdout
    after = stored(db)
    changed = after[public_url("thaigov", "87382")]
    assert changed["versions"] == 2
    assert "ที่แก้ไขแล้ว" in changed["body"]
    assert sum(row["versions"] for row in after.values()) == len(after) + 1


def test_bursts_of_403_and_a_503_lose_no_article(tmp_path):
    # MDES-like politeness: one request at a time, retries that back off past the burst window.
    config = write_config(tmp_path)
    config.write_text(
        config.read_text()
        .replace("backoff_base = 0.05", "backoff_base = 0.5")
        .replace("[sites.mdes]\ndelay = 0", "[sites.mdes]\ndelay = 0.3\nconcurrency = 1")
    )
    db = tmp_path / "db.sqlite"
    faults = FaultPlan(
        rules=[
            FaultRule(path=r"^/news/detail/", fault="burst_403", limit=2, window=1.0),
            FaultRule(path=r"^/news/contents/details/87382$", fault="status", status=503, times=1),
        ]
    )
    with FixtureSite(faults=faults) as site:
        result = crawl(site.base_url, db, config)
        statuses = [r.status for r in site.requests]
    assert 403 in statuses and 503 in statuses  # the faults did happen
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert set(stored(db)) == expected_urls()


# Scrapy's log line, its time in Bangkok: "2026-12-04T22:15:24+07:00 [mdes] WARNING: ".
SCRAPY_LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00 \[[\w.]+\] (?P<level>[A-Z]+): ", re.MULTILINE
)


def log_levels(stderr: str) -> set[str]:
    """The levels the Scrapy-style log lines of a crawl's stderr name."""
    return {match["level"] for match in SCRAPY_LINE.finditer(stderr)}


def test_a_crawl_logs_warnings_only_unless_asked_for_more(tmp_path):
    (tmp_path / "debug").mkdir()
    blocked = FaultRule(path=r"^/news/detail/11002\b", fault="status", status=403)
    config = write_config(tmp_path)
    debug = add_crawl_setting(write_config(tmp_path / "debug"), 'log_level = "DEBUG"')
    with FixtureSite(faults=FaultPlan([blocked])) as site:
        runs = {
            name: run_thaidigest(
                *crawl_args(site.base_url, tmp_path / f"{name}.sqlite", toml, "--source", "mdes"),
                *extra,
                warnings=None,  # as a user runs it: Python's own warning filters
            )
            for name, toml, extra in [
                ("quiet", config, []),
                ("verbose", config, ["--verbose"]),
                ("debug", debug, []),
            ]
        }
    quiet = runs["quiet"]
    assert quiet.returncode == 1, quiet.stderr[-2000:]  # the blocked page
    assert "mdes: blocked" in quiet.stdout
    assert re.search(r"\[mdes\] WARNING: blocked: \S+/news/detail/\S+ answered 403", quiet.stderr)
    # The page answered 403 to every retry: said once, blocked, Scrapy's give-up at DEBUG.
    assert "Gave up retrying" not in quiet.stderr
    assert log_levels(quiet.stderr) == {"WARNING"}, quiet.stderr[-2000:]
    assert "Warning" not in quiet.stderr.replace("WARNING", "")  # no DeprecationWarning
    assert len(quiet.stderr.splitlines()) < 5, quiet.stderr
    verbose = runs["verbose"]
    assert "[scrapy.core.engine] INFO: Spider opened" in verbose.stderr
    assert "[scrapy.statscollectors] INFO: Dumping Scrapy stats" in verbose.stderr
    assert log_levels(verbose.stderr) == {"INFO", "WARNING"}
    assert "Warning" not in verbose.stderr.replace("WARNING", "")
    assert log_levels(runs["debug"].stderr) == {"DEBUG", "INFO", "WARNING"}
    assert "[scrapy.downloadermiddlewares.retry] DEBUG: Gave up retrying" in runs["debug"].stderr
    assert "[scrapy.core.engine] DEBUG: Crawled (200)" in runs["debug"].stderr


# A page in thaigov's title the fallback extractor finds no text in.
EMPTY_TITLED_PAGE = (
    "<html><head><title>รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-ข่าว</title></head><body><div></div></body></html>"
)


def test_a_page_the_fallback_finds_nothing_in_is_said_in_one_line_not_the_extractors(tmp_path):
    root = copy_site(tmp_path)
    (root / "news" / "contents" / "details" / "87361.html").write_text(
        EMPTY_TITLED_PAGE, encoding="utf-8"
    )
    config = write_config(tmp_path)
    with FixtureSite(root) as site:
        result = crawl(site.base_url, tmp_path / "db.sqlite", config, "--source", "thaigov")
        url = site.url("/news/contents/details/87361")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert f"error: {url}: no article and no soft 404 in the page" in result.stdout
    said = [line for line in result.stderr.splitlines() if url in line]
    assert said == [line for line in said if "[thaigov] ERROR: error: " in line], said
    assert len(said) == 1, said
    assert "trafilatura" not in result.stderr


def test_second_crawl_given_the_same_start_id_fetches_no_stored_article_again(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        crawl(site.base_url, db, config, "--source", "thaigov")
        mark = len(site.requests)
        crawl(site.base_url, db, config, "--source", "thaigov")
        walked = [r for r in site.requests[mark:] if r.status == 200 and ARTICLE_PATH.match(r.path)]
    ids = {int(r.path.rsplit("/", 1)[1]) for r in walked}
    highest = max(manifest()["thaigov_ids"])
    assert any(i > highest for i in ids)  # the walk past the end is still tried ...
    assert not ids & set(manifest()["thaigov_ids"])  # ... and stored articles only revalidated


def imported_seeds(db) -> set[int]:
    """The thaigov ids of the seed articles, imported into ``db`` before any crawl."""
    result = run_thaidigest("import", str(SEEDS), "--db", str(db))
    assert result.returncode == 0, result.stderr[-2000:]
    ids = stored_ids(db, "thaigov")
    assert max(ids) > FIRST_THAIGOV_ID  # the newest seed stands among fixture articles
    return ids


def test_a_start_id_below_the_highest_stored_id_fetches_every_id_from_it(tmp_path):
    config = write_config(tmp_path)
    config.write_text(
        config.read_text().replace("[sites.thaigov]", "[sites.thaigov]\nrecheck_window = 0")
    )
    db = tmp_path / "db.sqlite"
    seeds = imported_seeds(db)
    with FixtureSite() as site:
        result = crawl(site.base_url, db, config, "--source", "thaigov")  # --start-id 87360
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    ids = stored_ids(db, "thaigov")
    assert ids == seeds | set(manifest()["thaigov_ids"])


def test_a_first_crawl_after_an_import_looks_below_the_imported_ids(tmp_path):
    # Imported articles say nothing about which ids a crawl has seen.
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    seeds = imported_seeds(db)
    with FixtureSite() as site:
        result = thaigov_crawl(site, db, config)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    ids = stored_ids(db, "thaigov")
    assert ids == seeds | set(manifest()["thaigov_ids"])


def search_listed() -> set[int]:
    """The thaigov ids the fixture's search page lists."""
    search_page = (DEFAULT_ROOT / "search.html").read_text(encoding="utf-8")
    return {int(i) for i in re.findall(r"/news/contents/details/(\d+)", search_page)}


def thaigov_crawl(site: FixtureSite, db, config) -> subprocess.CompletedProcess:
    """A scheduled-like thaigov crawl: no --start-id."""
    return run_thaidigest(
        "crawl", "--source", "thaigov", "--base-url", site.base_url,
        "--db", str(db), "--config", str(config),
    )  # fmt: skip


def test_one_mistyped_imported_id_does_not_move_the_walk_past_the_site(tmp_path):
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    newest = [page for page in article_pages("thaigov") if page["id"] > 87394]
    aside = tmp_path / "aside"
    aside.mkdir()
    for page in newest:  # not published yet
        (root / page["file"]).rename(aside / str(page["id"]))
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        mistyped = mistyped_seed()
        later = {  # an article a crawl has not seen yet, imported: the walk passes over it
            "url": public_url("thaigov", "87396"),
            "title": "ข่าว 87396",
            "body": "เนื้อหา",
            "published": "2024-08-24",
        }
        import_files(db, tmp_path, **{"001.txt": mistyped, "later.jsonl": json.dumps(later)})
        assert public_url("thaigov", "873820") in stored(db)
        for page in newest:  # published since
            (aside / str(page["id"])).rename(root / page["file"])
        mark = len(site.requests)
        second = thaigov_crawl(site, db, config)
        asked = {int(r.path.rsplit("/", 1)[1]) for r in article_fetches(site, mark)}
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    ids = stored_ids(db, "thaigov")
    assert {page["id"] for page in newest} <= ids
    assert max(asked) <= max(manifest()["thaigov_ids"]) + 20  # miss_limit past the newest
    assert 87396 not in asked  # imported: not fetched again


def test_a_mistyped_id_imported_before_any_crawl_holds_back_the_first_walk_only(tmp_path):
    # The first crawl walks from the imported ids; what it stores moves the next walk back.
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    import_files(db, tmp_path, **{"001.txt": mistyped_seed()})
    with FixtureSite() as site:
        first = thaigov_crawl(site, db, config)
        second = thaigov_crawl(site, db, config)
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    ids = stored_ids(db)
    assert {i for i in manifest()["thaigov_ids"] if i > max(search_listed())} <= ids


def test_a_start_id_on_the_first_crawl_walks_from_it_past_a_mistyped_imported_id(tmp_path):
    # Not every id from the start id up to the mistyped one: the walk from it, as on a new store.
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    import_files(db, tmp_path, **{"001.txt": mistyped_seed()})
    with FixtureSite() as site:
        result = crawl(site.base_url, db, config, "--source", "thaigov")  # --start-id 87360
        asked = {int(r.path.rsplit("/", 1)[1]) for r in article_fetches(site, 0)}
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert set(manifest()["thaigov_ids"]) <= stored_ids(db)
    assert max(asked) <= max(manifest()["thaigov_ids"]) + 20  # miss_limit past the newest


def test_first_crawl_without_start_id_starts_from_the_newest_search_result(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        result = run_thaidigest(
            "crawl", "--source", "thaigov", "--base-url", site.base_url,
            "--db", str(db), "--config", str(config),
        )  # fmt: skip
        searched = [r for r in site.requests if r.path.startswith("/search")]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert searched
    listed = search_listed()
    highest = max(manifest()["thaigov_ids"])
    ids = stored_ids(db)
    # every listed article, then every article past the newest one listed
    assert ids == listed | {i for i in manifest()["thaigov_ids"] if max(listed) < i <= highest}


def import_files(db, tmp_path, **files: str) -> None:
    """Import the given files (name: text), written into a folder of ``tmp_path``."""
    folder = tmp_path / "import"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name in files:
        result = run_thaidigest("import", str(folder / name), "--db", str(db))
        assert result.returncode == 0, result.stdout + result.stderr[-2000:]


def test_imported_pages_of_the_sites_that_are_not_articles_are_not_revisited(tmp_path):
    # Stored as thaigov / mdes articles without an id: nothing a crawl can ask the site for.
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    ministers = "https://www.thaigov.go.th/news/contents/ministernews/12345"
    text = f"ข่าวรัฐมนตรี\nรัฐมนตรีประชุมเรื่องเศรษฐกิจดิจิทัล\n\nที่มา : {ministers}\n"
    record = {"url": "https://www.mdes.go.th/news/3", "text": "ข่าว\nหน้ารวมข่าวกระทรวง"}
    import_files(db, tmp_path, **{"minister.txt": text, "listing.jsonl": json.dumps(record)})
    assert {(row["source"], row["source_id"]) for row in stored(db).values()} == {
        ("thaigov", None),
        ("mdes", None),
    }
    with FixtureSite() as site:
        result = crawl(site.base_url, db, config, "--source", "all")
        paths = [r.path for r in site.requests]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not [path for path in paths if "None" in path]
    assert expected_urls() <= set(stored(db))  # the walk and the listings ran


def test_imported_articles_are_revisited_only_when_published_recently(tmp_path):
    # Import time says nothing of an article's age: its date does, when it has one.
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    today = datetime.now(UTC).date().isoformat()
    published = {"87383": today, "87384": "2024-08-23", "87385": None}
    records = [
        {"url": public_url("thaigov", article_id), "title": f"ข่าว {article_id}", "body": "เนื้อหา"}
        | ({"published": day} if day else {})
        for article_id, day in published.items()
    ]
    import_files(db, tmp_path, **{"old.jsonl": "\n".join(map(json.dumps, records))})
    with FixtureSite() as site:
        result = crawl(site.base_url, db, config, "--source", "thaigov")
        fetched = {r.path.rsplit("/", 1)[1] for r in article_fetches(site, 0)}
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "87384" not in fetched  # published long ago: not revisited
    assert {"87383", "87385"} <= fetched  # published lately, or undated: revisited


def test_robots_txt_forbidding_news_stops_both_sites_before_any_news_request(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    robots = "User-agent: *\nDisallow: /news/\n"
    with FixtureSite(robots_txt=robots) as site:
        result = crawl(site.base_url, db, config, "--source", "all")
        paths = [r.path for r in site.requests]
    assert "/robots.txt" in paths
    assert [p for p in paths if p.startswith("/news/")] == []
    assert stored(db) == {}
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    for source in ("thaigov", "mdes"):
        assert f"{source}: blocked by robots.txt (Disallow: /news/)" in result.stdout
    status = run_thaidigest("status", "--db", str(db), "--config", str(config))
    assert "thaigov: blocked by robots.txt (Disallow: /news/)" in status.stdout
    assert "mdes: blocked by robots.txt (Disallow: /news/)" in status.stdout


def test_robots_txt_forbidding_one_sites_articles_blocks_that_site_only(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    robots = "User-agent: *\nDisallow: /admin/\nDisallow: /news/detail/\n"
    with FixtureSite(robots_txt=robots) as site:
        result = crawl(site.base_url, db, config, "--source", "all")
        paths = [r.path for r in site.requests]
    assert [p for p in paths if p.startswith("/news/detail/")] == []
    assert {row["source"] for row in stored(db).values()} == {"thaigov"}
    assert result.returncode == 1
    assert "thaigov: ok" in result.stdout
    assert "mdes: blocked by robots.txt (Disallow: /news/detail/)" in result.stdout
    # One warning for the first request the rule forbids, naming the rule and robots.txt.
    warned = [line for line in result.stderr.splitlines() if "blocked by robots.txt" in line]
    assert len(warned) == 1, result.stderr
    assert re.search(
        rf"\[mdes\] WARNING: blocked by robots\.txt: {re.escape(site.base_url)}/news/detail/\S+ "
        rf"\(Disallow: /news/detail/ in {re.escape(site.base_url)}/robots\.txt\); "
        "the report counts the others it forbids$",
        warned[0],
    ), warned


def edit_page(root, path: str, pattern: str, replacement: str) -> dict:
    """Rewrite the fixture page at ``path`` (one match of ``pattern``); its manifest entry."""
    page = next(p for p in article_pages() if p["path"].startswith(path))
    file = root / page["file"]
    html = file.read_text(encoding="utf-8")
    edited, count = re.subn(pattern, replacement, html, count=1, flags=re.DOTALL)
    assert count == 1, path
    file.write_text(edited, encoding="utf-8")
    return page


def test_a_banner_block_or_a_page_without_text_never_becomes_the_body(tmp_path):
    root = copy_site(tmp_path)
    banner = "แบนเนอร์ประชาสัมพันธ์ วันหยุดราชการ เดือนสิงหาคม ประจำปี"
    with_banner = edit_page(
        root,
        "/news/contents/details/87382",
        r'(    <div class="row">\n      <div class="col-xs-12 col-md-9">)',
        rf'    <div class="border-normal clearfix"><p>{banner}</p></div>\n\1',
    )
    image_only = edit_page(
        root,
        "/news/contents/details/87364",
        r'<div class="text-content">.*?</div>',
        '<div class="text-content"><img src="/uploads/87364.jpg" alt=""></div>',
    )
    empty_mdes = edit_page(
        root,
        "/news/detail/11002",
        r'(<div class="col-12 col-lg-8 detail-news">).*?(</div>)',
        r"\1\2",
    )
    with FixtureSite(root) as site:
        result = crawl(site.base_url, tmp_path / "db.sqlite", write_config(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    articles = stored(tmp_path / "db.sqlite")

    row = articles[public_url("thaigov", "87382")]
    assert (row["published"], row["extraction"]) == (with_banner["published"], "selectors")
    assert banner not in row["body"]
    assert row["body"].endswith(last_paragraph(with_banner["text"]))
    for page in (image_only, empty_mdes):
        row = articles[public_url(page["site"], str(page["id"]))]
        assert (row["title"], row["body"]) == (page["title"], ""), page["path"]
        assert (row["published"], row["extraction"]) == (page["published"], "fallback")
    assert result.stdout.count(" fallback 1,") == 2  # one in each site's report


def test_a_page_the_fallback_reads_with_a_character_xml_cannot_hold_is_stored(tmp_path):
    """A vertical tab written ``&#11;`` (pasted from Word), alone and beside an ``&``, in
    the footer of a page whose body block is empty: the fallback reads it, and the article
    is stored (before, the extractor raised: the article was lost, the crawl ok)."""
    root = copy_site(tmp_path)
    path = "/news/contents/details/87382"
    edit_page(root, path, r'(<div class="text-content">).*?(</div>)', r"\1\2")
    page = edit_page(root, path, "โทรศัพท์ 0 2283 4000", "โทรศัพท์&#11; 0 2283 4000 R&amp;D&#11;")
    db = tmp_path / "db.sqlite"
    with FixtureSite(root) as site:
        result = crawl(site.base_url, db, write_config(tmp_path), "--source", "thaigov")
    assert result.returncode == 0, result.stderr[-2000:]

    row = stored(db)[public_url("thaigov", str(page["id"]))]
    assert (row["title"], row["body"], row["extraction"]) == (page["title"], "", "fallback")
    assert errors_for(last_report(db, "thaigov"), path) == []


def test_a_character_xml_cannot_hold_in_the_text_the_fallback_reads_loses_no_article(tmp_path):
    """``&#11;`` (a vertical tab pasted from Word) in a paragraph holding no ``&``, on a
    page only the fallback reads (its headline's class renamed): the article is stored with
    its text, the tab a space (before, the extractor discarded the whole page)."""
    root = copy_site(tmp_path)
    path = "/news/contents/details/87382"
    edit_page(root, path, 'class="news-1 Circular color2"', 'class="news-1x Circular color2"')
    page = edit_page(root, path, "ผู้ตรวจราชการ", "ผู้ตรวจราชการ&#11;")
    db = tmp_path / "db.sqlite"
    with FixtureSite(root) as site:
        result = crawl(site.base_url, db, write_config(tmp_path), "--source", "thaigov")
    assert result.returncode == 0, result.stderr[-2000:]

    row = stored(db)[public_url("thaigov", str(page["id"]))]
    assert row["extraction"] == "fallback"
    assert "ผู้ตรวจราชการ กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม" in row["body"]


def test_sidebar_counters_and_share_bar_changing_make_no_new_version(tmp_path):
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    mdes_pages = article_pages("mdes")
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config, "--source", "mdes")
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        for page in mdes_pages:
            path = root / page["file"]
            html = path.read_text(encoding="utf-8")
            changed = re.sub(r"เข้าชม [\d,]+ ครั้ง", "เข้าชม 99,999 ครั้ง", html)
            changed = changed.replace(">แชร์<", ">แชร์ข่าวนี้<").replace(">พิมพ์<", ">พิมพ์หน้านี้<")
            for title in page["sidebar_titles"][:2]:  # the list moved on
                changed = changed.replace(f">{title}<", ">ดีอี เตือนภัยข่าวปลอมประจำสัปดาห์ล่าสุด<")
            assert changed != html
            path.write_text(changed, encoding="utf-8")
        mark = len(site.requests)
        second = crawl(site.base_url, db, config, "--source", "mdes")
        refetched = [r for r in site.requests[mark:] if r.path.startswith("/news/detail/")]
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert sum(r.status == 200 for r in refetched) == len(mdes_pages)  # new ETags: read again
    assert f"new 0, updated 0, unchanged {len(mdes_pages)}," in second.stdout
    assert all(row["versions"] == 1 for row in stored(db).values())


def with_view_counter(html: str, count: str) -> str:
    """A thaigov page with a view counter in its body block: worded under the date line,
    in an element named a counter, and its number alone beside the print button (where
    the page has one)."""
    counted = re.sub(
        r'(<div class="border-normal clearfix">\n<p[^>]*>[^<]*</p>\n)',
        rf'\1<p class="view-count">เข้าชม {count} ครั้ง</p>\n',
        html,
        count=1,
    )
    assert counted != html
    return counted.replace(" พิมพ์</a>", f' พิมพ์</a> <span class="viewcount">{count}</span>', 1)


def test_a_view_counter_in_thaigovs_body_block_changing_makes_no_new_version(tmp_path):
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    pages = [root / page["file"] for page in article_pages("thaigov")]
    written = {path: path.read_text(encoding="utf-8") for path in pages}
    with FixtureSite(root) as site:
        for path, html in written.items():
            path.write_text(with_view_counter(html, "1,234"), encoding="utf-8")
        first = crawl(site.base_url, db, config, "--source", "thaigov")
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        for path, html in written.items():
            path.write_text(with_view_counter(html, "1,240"), encoding="utf-8")
        second = crawl(site.base_url, db, config, "--source", "thaigov")
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert f"new 0, updated 0, unchanged {len(pages)}," in second.stdout
    rows = stored(db).values()
    assert len(rows) == len(pages)
    assert all(row["versions"] == 1 for row in rows)
    assert not any("เข้าชม" in row["body"] or "1,234" in row["body"] for row in rows)


def test_a_related_news_box_in_a_thaigov_body_moving_on_makes_no_new_version(tmp_path):
    """A list of other news inside the body block: stored as the text's last lines, each
    change to it was an edit (a new version, a revision entry in the feeds)."""
    root = copy_site(tmp_path)
    path = "/news/contents/details/87380"
    end_of_text = '(\n        </div>\n      </div>\n      <div class="col-xs-12 col-md-3">)'
    box = (
        '<div class="related"><h4>ข่าวที่เกี่ยวข้อง</h4><ul>'
        '<li><a href="/news/contents/details/87377">ผู้ว่าฯ แพร่ สั่งการรับมือน้ำยมล้นตลิ่ง</a></li>'
        '<li><a href="/news/contents/details/87378">อนุทิน กำชับ ปภ. ดูแลความปลอดภัยประชาชน</a></li>'
        "</ul></div>"
    )
    page = edit_page(root, path, end_of_text, box + r"\1")
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    url = public_url("thaigov", str(page["id"]))
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        body = stored(db)[url]["body"]
        edit_page(root, path, "อนุทิน กำชับ ปภ. ดูแลความปลอดภัยประชาชน", "นายกฯ ลงพื้นที่ตรวจน้ำท่วม")
        second = crawl(site.base_url, db, config, "--source", "thaigov")
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert body.split("\n")[-1] == (
        "ทั้งนี้ มอบถุงยังชีพให้กับเทศบาลตำบลปง 461 ชุด / ข้าวสาร 222 ชุด รวมทั้งสิ้นจำนวน 683 ชุด "
        "และมอบถุงยังชีพให้เทศบาลตำบลแม่ยม 30 ชุด / ข้าวสาร 400 ชุด รวมทั้งสิ้นจำนวน 430 ชุด "
        "รวมทั้ง 2 หน่วยงาน จำนวน 1,113 ชุด"
    )
    assert "new 0, updated 0," in second.stdout
    assert stored(db)[url]["versions"] == 1


def test_listing_dates_reach_articles_first_seen_on_a_later_crawl(tmp_path):
    """The pages show no date of their own: only the listings give one."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    mdes_pages = article_pages("mdes")
    for page in mdes_pages:
        path = root / page["file"]
        html = path.read_text(encoding="utf-8")
        undated = re.sub(r'<(p|div) class="(news-date|col date-news)">[^<]*</\1>', "", html)
        assert undated != html
        path.write_text(undated, encoding="utf-8")
    listing = root / "news" / "3.html"
    full = listing.read_text(encoding="utf-8")
    cards = full.split('        <div class="col-12 col-md-4">')
    newest_card = '        <div class="col-12 col-md-4">' + cards[1]  # listings run newest first
    with FixtureSite(root) as site:
        listing.write_text(full.replace(newest_card, ""), encoding="utf-8")  # not published yet
        first = crawl(site.base_url, db, config, "--source", "mdes")
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        assert len(stored(db)) == len(mdes_pages) - 1
        listing.write_text(full, encoding="utf-8")  # published since
        edited = root / mdes_pages[0]["file"]  # and an older article edited
        html = edited.read_text(encoding="utf-8")
        edited.write_text(html.replace("</p>", " (แก้ไข)</p>", 1), encoding="utf-8")
        second = crawl(site.base_url, db, config, "--source", "mdes")
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert "new 1, updated 1," in second.stdout
    articles = stored(db)
    for page in mdes_pages:
        assert articles[public_url("mdes", str(page["id"]))]["published"] == page["published"]


LISTING_DATE_DIV = re.compile(r'(<div class="col date-news">)[^<]*(</div>)')
# A listing date dd/mm/yyyy (Buddhist Era), and the other numeric forms it may take.
LISTING_NUMERIC_DATE = re.compile(r'(<div class="col date-news">)(\d\d)/(\d\d)/25(\d\d)(</div>)')
NUMERIC_DATE_FORMS = (
    "{d}/{m}/{y}",
    "{d}.{m}.{y}",
    "{d}-{m}-25{y}",
    "วันที่ {d}.{m}.25{y} เวลา 10.30 น.",
)


def test_listing_dates_written_with_two_digit_years_or_dots_reach_the_articles(tmp_path):
    """MDES listings showing ``23/08/67``, ``23.08.67``, ``23-08-2567`` (Thai digits too),
    the articles no date of their own: each article is published on its listing's date."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    mdes_pages = article_pages("mdes")
    for page in mdes_pages:
        path = root / page["file"]
        html = path.read_text(encoding="utf-8")
        path.write_text(
            re.sub(r'<(p|div) class="(news-date|col date-news)">[^<]*</\1>', "", html),
            encoding="utf-8",
        )
    forms = iter(range(10**6))

    def numeric(match: re.Match) -> str:
        index = next(forms)
        written = NUMERIC_DATE_FORMS[index % len(NUMERIC_DATE_FORMS)].format(
            d=match[2], m=match[3], y=match[4]
        )
        if index % 3 == 0:
            written = written.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
        return match[1] + written + match[5]

    listings = [root / "news" / "3.html", root / "news" / "7.html"]
    listings += sorted((root / "news").glob("*/page/*.html"))
    for listing in listings:
        html = listing.read_text(encoding="utf-8")
        rewritten = LISTING_NUMERIC_DATE.sub(numeric, html)
        assert rewritten != html and not LISTING_NUMERIC_DATE.search(rewritten)
        listing.write_text(rewritten, encoding="utf-8")
    with FixtureSite(root) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    articles = stored(db)
    for page in mdes_pages:
        row = articles[public_url("mdes", str(page["id"]))]
        assert row["published"] == page["published"], page["path"]


def test_an_undated_article_a_listing_dates_is_fetched_once_in_a_crawl(tmp_path):
    """Stored undated, then listed with a date: the listing's fetch dates it, and the
    revisit of stored articles does not fetch it a second time."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    mdes_pages = article_pages("mdes")
    for page in mdes_pages:  # no date of their own
        path = root / page["file"]
        html = path.read_text(encoding="utf-8")
        path.write_text(
            re.sub(r'<(p|div) class="(news-date|col date-news)">[^<]*</\1>', "", html),
            encoding="utf-8",
        )
    listings = [root / "news" / "3.html", root / "news" / "7.html"]
    listings += sorted((root / "news").glob("*/page/*.html"))
    dated = {listing: listing.read_text(encoding="utf-8") for listing in listings}
    with FixtureSite(root) as site:
        for listing, html in dated.items():  # the listings show no dates either
            listing.write_text(LISTING_DATE_DIV.sub(r"\1\2", html), encoding="utf-8")
        first = crawl(site.base_url, db, config, "--source", "mdes")
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        assert {row["published"] for row in stored(db).values()} == {None}
        for listing, html in dated.items():  # now they do
            listing.write_text(html, encoding="utf-8")
        mark = len(site.requests)
        second = crawl(site.base_url, db, config, "--source", "mdes")
        fetched = [mdes.article_id(r.path) for r in article_fetches(site, mark)]
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert sorted(fetched) == sorted(str(page["id"]) for page in mdes_pages)  # each once
    first_pages = listed_ids(root, "news/3.html", "news/7.html")  # the pages read again
    articles = stored(db)
    for page in mdes_pages:
        row = articles[public_url("mdes", str(page["id"]))]
        expected = page["published"] if str(page["id"]) in first_pages else None
        assert row["published"] == expected, page["path"]


def test_a_database_that_refuses_writes_ends_the_crawl_with_one_line(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    Store(f"sqlite:///{db}").close()
    with sqlite3.connect(db) as conn:  # every article refused, crawl runs still recorded
        conn.execute(
            "CREATE TRIGGER full BEFORE INSERT ON articles "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    with FixtureSite() as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
    assert result.returncode == 1
    assert "mdes: failed" in result.stdout
    assert f"error: {site.base_url}" in result.stdout
    assert f"database {db}: database or disk is full" in result.stdout
    assert "Traceback" not in result.stderr and "INSERT" not in result.stderr


def refuse_crawl_runs(db: Path) -> None:
    """Make the database ``db`` refuse every new crawl run, as a full disk would."""
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TRIGGER full BEFORE INSERT ON crawl_runs "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )


@pytest.mark.parametrize("earlier_crawl", [True, False], ids=["after-a-crawl", "first-crawl"])
def test_a_database_that_refuses_the_crawl_run_stops_the_crawl_with_exit_1(tmp_path, earlier_crawl):
    """The sites' locks taken, the run of each refused: no request, no report of an
    earlier crawl in its place, exit 1."""
    config, db = write_config(tmp_path), tmp_path / "db.sqlite"
    with FixtureSite() as site:
        if earlier_crawl:
            earlier = crawl(site.base_url, db, config)
            assert earlier.returncode == 0, earlier.stderr[-2000:]
        else:
            Store(f"sqlite:///{db}").close()
        refuse_crawl_runs(db)
        before = len(site.requests)
        result = crawl(site.base_url, db, config)
        requests = site.requests[before:]
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert result.stdout == ""
    refusal = f"not crawling: the database refused the crawl: database {db}: database or disk"
    assert result.stderr.count(refusal) == 2, result.stderr[-2000:]  # one line per site
    assert "Traceback" not in result.stderr
    assert requests == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name FROM locks").fetchall() == []


@pytest.mark.skipif(
    without_file_permission_overrides() is None,
    reason="as root, needs setpriv to drop the right to write a file without permission",
)
@pytest.mark.parametrize("scored", [True, False], ids=["scored", "to-score"])
def test_a_database_file_made_read_only_refuses_the_crawl_in_its_refusal_line(tmp_path, scored):
    """A file made read-only in a folder that can be written: the crawl's refusal, as for a
    read-only folder or a writer holding the database, saying why; once when the sites'
    locks are refused, as when the pass scoring the stored articles again is (not once per
    site: the two lines were the same, naming no site); exit 1, no request, nothing written
    (before: `Error: database …` with no reason when the stored articles were scored
    already, as after any crawl)."""
    config, db = write_config(tmp_path), tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    if scored:  # as the crawl scores them before it takes a lock: nothing left to do
        rescore_stored(store, load_config(config))
        refind_partners_stored(store, load_config(config))
    store.close()
    db.chmod(0o444)
    arguments = crawl_args("http://127.0.0.1:9", db, config)  # no request is sent
    result = subprocess.run(
        [*without_file_permission_overrides(), sys.executable, "-m", "thaidigest", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stdout == ""
    why = f"database {db}: permission denied (the file cannot be written by this user)"
    refusal = r"\S+ \[scraper\.crawl\] ERROR: not crawling: the database refused the crawl: "
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert all(re.fullmatch(refusal + re.escape(why), line) for line in lines), lines
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT * FROM crawl_runs").fetchall() == []
        assert conn.execute("SELECT * FROM locks").fetchall() == []


def listed_ids(root, *listings: str) -> set[str]:
    """The MDES article ids that the given listing files link to."""
    ids = set()
    for listing in listings:
        html = (root / listing).read_text(encoding="utf-8")
        ids.update(re.findall(r"/news/detail/(\d+)-", html))
    return ids


def category_7_added_after_3(tmp_path: Path) -> tuple[Path, Path, Path, Path, set[str]]:
    """A copy of the fixture site whose category 7's page 1 is category 3's page 1 (its
    page 2 its own), the settings of both categories and of category 3 alone, the database
    to crawl into, and the ids of the articles only category 7's page 2 lists."""
    root = copy_site(tmp_path)
    both = write_config(tmp_path)
    only_3 = tmp_path / "only_3.toml"
    only_3.write_text(both.read_text().replace("categories = [3, 7]", "categories = [3]"))
    shared = (root / "news" / "3.html").read_text(encoding="utf-8")
    (root / "news" / "7.html").write_text(
        shared.replace("/news/3/page/", "/news/7/page/"), encoding="utf-8"
    )
    only_on_page_2 = listed_ids(root, "news/7/page/2.html") - listed_ids(
        root, "news/3.html", "news/3/page/2.html", "news/3/page/3.html"
    )
    assert only_on_page_2
    return root, both, only_3, tmp_path / "db.sqlite", only_on_page_2


def test_articles_of_a_next_page_that_came_back_empty_are_stored_by_the_next_crawl(tmp_path):
    """Category 3's page 2 answered once with the template and no article link (a CMS
    hiccup): the crawl said ok, so the next one was incremental, stopped at page 1 (all of
    it stored by then) and never read page 2 again: its own articles were lost for good."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page_2 = root / "news" / "3" / "page" / "2.html"
    html = page_2.read_text(encoding="utf-8")
    others = [str(p.relative_to(root)) for p in (root / "news").rglob("*.html") if p != page_2]
    only_on_page_2 = listed_ids(root, "news/3/page/2.html") - listed_ids(root, *others)
    assert only_on_page_2
    empty = re.sub(r'<div class="row news-list">.*?<nav', "<nav", html, flags=re.S)
    assert "/news/detail/" in html and "/news/detail/" not in empty
    with FixtureSite(root) as site:
        page_2.write_text(empty, encoding="utf-8")
        first = crawl(site.base_url, db, config, "--source", "mdes")
        page_2.write_text(html, encoding="utf-8")
        second = crawl(site.base_url, db, config, "--source", "mdes")
    assert f"error: {site.base_url}/news/3/page/2: layout change?" in first.stdout
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert {public_url("mdes", i) for i in only_on_page_2} <= set(stored(db))


def test_a_category_whose_first_page_another_category_listed_still_pages_on(tmp_path):
    """Category 7's page 1 lists only category 3's page-1 articles; its page 2 is its own."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    shared = (root / "news" / "3.html").read_text(encoding="utf-8")
    (root / "news" / "7.html").write_text(
        shared.replace("/news/3/page/", "/news/7/page/"), encoding="utf-8"
    )
    only_on_page_2 = listed_ids(root, "news/7/page/2.html")
    assert only_on_page_2 and not only_on_page_2 & listed_ids(root, "news/3.html")
    with FixtureSite(root) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    listings = ["news/3.html", "news/3/page/2.html", "news/3/page/3.html", "news/7/page/2.html"]
    assert set(stored(db)) == {public_url("mdes", i) for i in listed_ids(root, *listings)}


@pytest.mark.parametrize("report_of", ["this version", "a version without the field"])
def test_a_category_added_after_a_clean_crawl_is_read_as_deep_as_a_first_crawl(tmp_path, report_of):
    """Category 7 was added to the settings after a clean crawl of category 3; its page 1
    lists only category 3's page-1 articles, stored by then. Its first crawl was incremental,
    stopped at that page 1, and the articles only its page 2 lists were never read, by that
    crawl or any after. Category 3, listed by the clean crawl before, stays incremental; a
    run recorded before the report named its categories reads each category in full once."""
    root, both, only_3, db, only_on_page_2 = category_7_added_after_3(tmp_path)
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, only_3, "--source", "mdes")
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        if report_of != "this version":
            with sqlite3.connect(db) as conn:
                conn.execute("UPDATE crawl_runs SET report = json_remove(report, '$.listed')")
        mark = len(site.requests)
        second = crawl(site.base_url, db, both, "--source", "mdes")
        listings = {r.path for r in site.requests[mark:] if r.path.startswith("/news/")}
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert {public_url("mdes", i) for i in only_on_page_2} <= set(stored(db))
    assert "/news/7/page/2" in listings
    assert ("/news/3/page/2" in listings) is (report_of != "this version")


def test_a_new_category_whose_first_page_came_back_empty_is_read_in_full_next_time(tmp_path):
    """Category 7, added after a clean crawl of category 3, answered its first crawl with a
    page 1 of the template and no article link (a CMS hiccup): a warning, and the category
    counted as read, so the next crawl was incremental for it, stopped at its page 1 (only
    category 3's articles, stored by then) and never read the articles only its page 2 lists.
    A category that listed articles before and comes back so is an error."""
    root = copy_site(tmp_path)
    both = write_config(tmp_path)
    only_3 = tmp_path / "only_3.toml"
    only_3.write_text(both.read_text().replace("categories = [3, 7]", "categories = [3]"))
    db = tmp_path / "db.sqlite"
    page_1 = root / "news" / "7.html"
    html = (root / "news" / "3.html").read_text(encoding="utf-8")
    html = html.replace("/news/3/page/", "/news/7/page/")
    # No article link, no page link: the template alone.
    empty = re.sub(r'<div class="row news-list">.*?</nav>', "", html, flags=re.S)
    assert "/news/detail/" not in empty and "/news/7/page/" not in empty
    only_on_page_2 = listed_ids(root, "news/7/page/2.html") - listed_ids(
        root, "news/3.html", "news/3/page/2.html", "news/3/page/3.html"
    )
    assert only_on_page_2
    with FixtureSite(root) as site:
        assert crawl(site.base_url, db, only_3, "--source", "mdes").returncode == 0
        page_1.write_text(empty, encoding="utf-8")
        new = crawl(site.base_url, db, both, "--source", "mdes")
        page_1.write_text(html, encoding="utf-8")
        back = crawl(site.base_url, db, both, "--source", "mdes")
        page_1.write_text(empty, encoding="utf-8")
        listed_before = crawl(site.base_url, db, both, "--source", "mdes")
    assert f"error: {site.base_url}/news/7" not in new.stdout
    assert back.returncode == 0, back.stdout + back.stderr[-2000:]
    assert {public_url("mdes", i) for i in only_on_page_2} <= set(stored(db))
    assert f"error: {site.base_url}/news/7: layout change?" in listed_before.stdout


def test_a_crawl_where_only_robots_txt_answers_fetched_nothing_and_fails(tmp_path):
    config = write_config(tmp_path)
    config.write_text(
        config.read_text().replace(
            "[sites.thaigov]\n", '[sites.thaigov]\nsearch_keywords = ["ดิจิทัล"]\n'
        )
    )
    db = tmp_path / "db.sqlite"
    everything_else = FaultRule(path=r"^/(?!robots\.txt$)", fault="status", status=404)
    with FixtureSite(faults=FaultPlan(rules=[everything_else])) as site:
        result = crawl(site.base_url, db, config)
        robots = [r for r in site.requests if r.path == "/robots.txt"]
    assert robots and all(r.status == 200 for r in robots)
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    for source in ("thaigov", "mdes"):
        assert f"{source}: failed " in result.stdout
    assert result.stdout.count("nothing fetched") == 2
    assert "/search?keyword=" in result.stdout  # the search page's 404 is an error


def test_listings_with_only_off_site_links_or_no_links_show_in_the_crawl_report(tmp_path):
    """Category 3's links name another alias of the host; category 7's page lists nothing."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    listing = root / "news" / "3.html"
    html = listing.read_text(encoding="utf-8")
    page_1 = listed_ids(root, "news/3.html")
    (root / "news" / "7.html").write_text(
        re.sub(r'<div class="row news-list">.*?<nav', "<nav", html, flags=re.S), encoding="utf-8"
    )
    with FixtureSite(root) as site:
        alias = f"http://localhost:{site.port}"
        listing.write_text(html.replace("{{BASE}}/news/detail/", f"{alias}/news/detail/"))
        result = crawl(site.base_url, db, config, "--source", "mdes")
    assert page_1 and not {public_url("mdes", i) for i in page_1} & set(stored(db))
    assert f"offsite links ignored {len(page_1)}, empty listings 1" in result.stdout
    assert f"error: {site.base_url}/news/3: every article link is off-site" in result.stdout


def test_a_base_url_with_a_mixed_case_host_follows_the_sites_own_links(tmp_path):
    """Host names are case-insensitive: the listings' links to http://localhost:PORT
    are on the site crawled as http://LocalHost:PORT."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    listings = [root / "news" / "3.html", root / "news" / "7.html"]
    listings += (root / "news").glob("*/page/*.html")
    with FixtureSite(root) as site:
        for listing in listings:
            html = listing.read_text(encoding="utf-8")
            listing.write_text(html.replace("{{BASE}}", f"http://localhost:{site.port}"))
        result = crawl(f"http://LocalHost:{site.port}", db, config, "--source", "mdes")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "offsite links ignored 0" in result.stdout
    assert set(stored(db)) == {
        public_url("mdes", str(page["id"])) for page in article_pages("mdes")
    }


UNREACHABLE_ROBOTS = {
    "5xx": (FaultRule(path=ROBOTS_PATH, fault="status", status=503), "HTTP 503"),
    "network-failure": (FaultRule(path=ROBOTS_PATH, fault="cut"), "answer cut short"),
    # Larger than crawl.max_page_bytes (5 MiB), its size said or streamed without it.
    "over-size": (FaultRule(path=ROBOTS_PATH, fault="huge"), "larger than crawl.max_page_bytes"),
    "over-size-streamed": (
        FaultRule(path=ROBOTS_PATH, fault="huge_chunked"),
        "larger than crawl.max_page_bytes",
    ),
    # Small on the wire, gzipped, and larger than the limit once decompressed.
    "over-size-gzipped": (
        FaultRule(path=ROBOTS_PATH, fault="huge_gzip"),
        "larger than crawl.max_page_bytes",
    ),
    # Plain text said to be gzip: asked for and answered wrong, not a request left unsent.
    "not-in-its-content-encoding": (
        FaultRule(path=ROBOTS_PATH, fault="false_encoding", encoding="gzip"),
        NOT_IN_ITS_ENCODING,
    ),
    # A site asking us to slow down, still asking once the retries are spent...
    "429": (FaultRule(path=ROBOTS_PATH, fault="retry_after", retry_after="0"), "HTTP 429"),
    # ...or asking for longer than we wait (no retry at all).
    "429-long-retry-after": (
        FaultRule(path=ROBOTS_PATH, fault="retry_after", retry_after="3600"),
        "HTTP 429",
    ),
}


@pytest.mark.parametrize(
    ("rule", "named"), UNREACHABLE_ROBOTS.values(), ids=UNREACHABLE_ROBOTS.keys()
)
def test_unreachable_robots_txt_blocks_the_site_and_loses_nothing_stored(tmp_path, rule, named):
    """RFC 9309 2.3.1.4: robots.txt answering 5xx or not at all means "disallow everything";
    so does a 429 that outlives its retries (the site asks us to slow down)."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        first = crawl(site.base_url, db, config, "--source", "mdes")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    before = stored(db)
    with FixtureSite(faults=FaultPlan(rules=[rule])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        paths = [r.path for r in site.requests]
    assert "/robots.txt" in paths
    assert [p for p in paths if p != "/robots.txt"] == []
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert f"mdes: blocked (robots.txt unreachable: {named}) in " in result.stdout
    assert stored(db) == before
    # One warning for the rule, not a line for each request it forbade (9 start pages),
    # saying robots.txt could not be read, not that it forbids the page.
    robots_url = f"{site.base_url}/robots.txt"
    warned = [line for line in result.stderr.splitlines() if " not sent" in line]
    assert len(warned) == 1, warned
    assert f"blocked ({robots_url} unreachable: {named}): " in warned[0]
    assert "blocked by robots.txt" not in result.stderr
    # A robots.txt that never answered whole is one error line, in the report's words; one
    # that answered 503 or 429 is the retries given up, as for any page.
    cannot = [line for line in result.stderr.splitlines() if "cannot fetch" in line]
    if rule.fault not in ("status", "retry_after"):
        assert len(cannot) == 1, result.stderr
        assert f"mdes: cannot fetch {robots_url} ({named}): the site is not crawled" in cannot[0]
    else:
        assert cannot == []


def test_a_robots_txt_that_outruns_the_download_timeout_says_how_long_it_was_given(tmp_path):
    config = write_config(tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "\ntimeout = 5\n", "\ntimeout = 0.5\nretries = 0\n"
        ),
        encoding="utf-8",
    )
    hang = FaultRule(path=ROBOTS_PATH, fault="hang", delay=30)
    with FixtureSite(faults=FaultPlan(rules=[hang])) as site:
        result = crawl(site.base_url, tmp_path / "db.sqlite", config, "--source", "mdes")
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    robots_url = f"{site.base_url}/robots.txt"
    assert f"mdes: cannot fetch {robots_url} (timed out after 0.5 s): the site" in result.stderr
    assert "mdes: blocked (robots.txt unreachable: timed out after 0.5 s) in " in result.stdout


def test_a_page_whose_connection_is_refused_is_an_error_in_plain_words(tmp_path):
    """The spider's error line says what the report says, not the error's class."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with refusing_after_robots_txt() as base_url:
        result = crawl(base_url, db, config, "--source", "mdes")
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    logged = [line for line in result.stderr.splitlines() if "[mdes] ERROR: error: " in line]
    assert len(logged) == 2, result.stderr  # the two listings of the configured categories
    refused = re.compile(rf"ERROR: error: {re.escape(base_url)}/news/\d+: connection refused$")
    assert all(refused.search(line) for line in logged), logged
    assert f"error: {base_url}/news/3: connection refused" in result.stdout
    errors = last_report(db, "mdes")["errors"]
    assert [entry["error"] for entry in errors] == ["connection refused"] * 2
    assert "ConnectionRefusedError" not in result.stderr
    assert "Gave up retrying" not in result.stderr  # Scrapy's line before each, at DEBUG


BAD_CONTENT_ENCODINGS = {
    "plain-html-said-gzip": FaultRule("", "false_encoding", encoding="gzip"),
    "plain-html-said-deflate": FaultRule("", "false_encoding", encoding="deflate"),
    "plain-html-said-brotli": FaultRule("", "false_encoding", encoding="br"),
    "plain-html-said-zstd": FaultRule("", "false_encoding", encoding="zstd"),
}


@pytest.mark.parametrize("fault", BAD_CONTENT_ENCODINGS.values(), ids=BAD_CONTENT_ENCODINGS)
def test_a_page_not_in_the_compression_its_content_encoding_names_is_an_error_in_plain_words(
    tmp_path, fault
):
    """Scrapy's decompression ran on the real answer: plain HTML said to be gzip was the
    error ``Not a gzipped file (b'<!')``, deflate ``Error -3 while decompressing data``,
    brotli ``brotli: decoder failed``, zstd ``Unable to decompress Zstandard data``. Each
    is one error in the report's words; the page is not stored nor counted missing, and
    the crawl goes on with the other pages."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page = article_pages("mdes")[0]
    fault.path = mdes_article_path(page)
    with FixtureSite(faults=FaultPlan(rules=[fault])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    url = public_url("mdes", str(page["id"]))
    others = {public_url("mdes", str(p["id"])) for p in article_pages("mdes")} - {url}
    assert set(stored(db)) == others
    report = last_report(db, "mdes")
    [entry] = report["errors"]
    assert re.search(fault.path, urlsplit(entry["url"]).path), entry
    assert entry["error"] == NOT_IN_ITS_ENCODING
    assert (report["soft_404"], report["not_found"], report["blocked"]) == (0, 0, [])
    assert f"{NOT_IN_ITS_ENCODING}" in result.stdout
    logged = [line for line in result.stderr.splitlines() if "ERROR: error: " in line]
    assert len(logged) == 1 and logged[0].endswith(f": {NOT_IN_ITS_ENCODING}"), logged
    for decoders_words in ("gzipped", "decompress", "decoder failed", "Zstandard"):
        assert decoders_words not in result.stderr


def test_a_crawl_taking_over_a_dead_crawls_lock_logs_it_as_its_other_lines_in_bangkok_time(
    tmp_path,
):
    """The take-over comes before Scrapy starts: it is a line of the crawl's log all the
    same, its time and level in front, the holder's time in Bangkok, on a UTC machine."""
    db = tmp_path / "thaidigest.sqlite"
    store = Store(f"sqlite:///{db}")
    locks.acquire(store, locks.crawl_lock("mdes"), timedelta(hours=1))
    dead = f"{socket.gethostname()}:4000000"  # above any pid_max: no such process
    taken = datetime(2026, 12, 6, 1, 2, 3, tzinfo=UTC)
    with store.transaction() as conn:
        row = update(lock_rows).where(lock_rows.c.name == locks.crawl_lock("mdes"))
        conn.execute(row.values(holder=dead, acquired_at=iso(taken)))
    store.close()
    with FixtureSite() as site:
        args = crawl_args(site.base_url, db, write_config(tmp_path), "--source", "mdes")
        result = run_thaidigest(*args, tz="UTC")
    assert result.returncode == 0, result.stderr[-2000:]
    taking_over = (
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00 \[thaidigest\.locks\] WARNING: "
        rf"taking over crawl:mdes from {re.escape(dead)}, held since 2026-12-06T08:02:03\+07:00: "
        r"that process is gone$"
    )
    assert len(re.findall(taking_over, result.stderr, re.MULTILINE)) == 1, result.stderr[-2000:]


def test_a_crawl_whose_site_another_host_holds_says_so_in_one_line_of_its_log(tmp_path):
    """Its time and level in front, as every line of the crawl's log, and the holder's
    times in Bangkok, on a UTC machine: once, though the spider path has the line too."""
    db = tmp_path / "thaidigest.sqlite"
    store = Store(f"sqlite:///{db}")
    locks.acquire(store, locks.crawl_lock("mdes"), timedelta(hours=1))
    taken = datetime(2026, 12, 6, 1, 2, 3, tzinfo=UTC)
    expires = datetime.now(UTC) + timedelta(hours=1)
    with store.transaction() as conn:
        row = update(lock_rows).where(lock_rows.c.name == locks.crawl_lock("mdes"))
        values = {"holder": "elsewhere.example:1", "acquired_at": iso(taken)}
        conn.execute(row.values(**values, expires_at=iso(expires)))
    store.close()
    args = crawl_args("http://127.0.0.1:9", db, write_config(tmp_path), "--source", "mdes")
    result = run_thaidigest(*args, tz="UTC")
    assert result.returncode == 75, result.stderr[-2000:]
    assert result.stdout == ""
    until = expires.astimezone(BANGKOK).replace(microsecond=0).isoformat()
    [line] = [line for line in result.stderr.splitlines() if "not crawling" in line]
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00 \[scraper\.crawl\] ERROR: not crawling: "
        rf"crawl:mdes is held by elsewhere\.example:1 since 2026-12-06T08:02:03\+07:00 "
        rf"until {re.escape(until)} unless renewed \(.*\)",
        line,
    ), line


def test_robots_txt_answering_404_allows_everything(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    missing = FaultRule(path=ROBOTS_PATH, fault="status", status=404)
    with FixtureSite(faults=FaultPlan(rules=[missing])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "mdes: ok" in result.stdout
    assert {row["source"] for row in stored(db).values()} == {"mdes"}


def robots_behind_redirects(stack: ExitStack, redirects: int, robots: str) -> list[FixtureSite]:
    """Fixture sites, the crawled one first: its robots.txt leads to ``robots``, served by
    the last, after ``redirects`` redirects, each hop to another host (``localhost:PORT``)."""
    chain = [stack.enter_context(FixtureSite(robots_txt=robots))]
    for hop in range(redirects):
        location = f"http://localhost:{chain[0].port}/robots.txt"
        status = 302 if hop == redirects - 1 else 301
        rule = FaultRule(ROBOTS_PATH, "redirect", status=status, location=location)
        chain.insert(0, stack.enter_context(FixtureSite(faults=FaultPlan(rules=[rule]))))
    return chain


def robots_asked(sites: list[FixtureSite]) -> list[bool]:
    return [any(r.path == "/robots.txt" for r in site.requests) for site in sites]


def test_robots_txt_behind_five_redirects_across_hosts_is_obeyed(tmp_path):
    """RFC 9309 2.3.1.2: follow at least five consecutive redirects and obey what they lead to."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with ExitStack() as stack:
        chain = robots_behind_redirects(stack, 5, "User-agent: *\nDisallow: /news/detail/\n")
        result = crawl(chain[0].base_url, db, config, "--source", "mdes")
        paths = [r.path for r in chain[0].requests]
    assert robots_asked(chain) == [True] * 6
    assert "/news/3" in paths  # the listings are allowed
    assert [p for p in paths if p.startswith("/news/detail/")] == []
    assert stored(db) == {}
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert "mdes: blocked by robots.txt (Disallow: /news/detail/)" in result.stdout
    # The rule is named with the file that holds it, not the address first asked.
    holder = f"http://localhost:{chain[-1].port}/robots.txt"
    assert f"(Disallow: /news/detail/ in {holder})" in result.stderr


def test_robots_txt_behind_more_than_five_redirects_allows_everything(tmp_path):
    """RFC 9309 2.3.1.2: past five redirects robots.txt is unavailable, which allows all."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with ExitStack() as stack:
        chain = robots_behind_redirects(stack, 6, "User-agent: *\nDisallow: /\n")
        result = crawl(chain[0].base_url, db, config, "--source", "mdes")
    assert robots_asked(chain) == [True] * 6 + [False]  # five redirects followed, no more
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "mdes: ok" in result.stdout
    assert {row["source"] for row in stored(db).values()} == {"mdes"}


def test_robots_txt_redirected_to_a_local_file_is_not_read(tmp_path):
    """Only http(s) is followed: a site must not make the crawler read its own files."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    local = tmp_path / "robots.txt"
    local.write_text("User-agent: *\nDisallow: /news/detail/\n", encoding="utf-8")
    to_file = FaultRule(ROBOTS_PATH, "redirect", status=301, location=local.as_uri())
    with FixtureSite(faults=FaultPlan(rules=[to_file])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "mdes: ok" in result.stdout
    assert {row["source"] for row in stored(db).values()} == {"mdes"}


def test_robots_txt_redirected_to_a_host_answering_429_blocks_the_site(tmp_path):
    """The host asking us to slow down is not the crawled one, so no rate limit stops the
    crawled site: robots.txt itself must say "unreachable"."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    too_many = FaultRule(ROBOTS_PATH, "retry_after", retry_after="0")
    with FixtureSite(faults=FaultPlan(rules=[too_many])) as elsewhere:
        location = f"http://localhost:{elsewhere.port}/robots.txt"
        moved = FaultRule(ROBOTS_PATH, "redirect", status=301, location=location)
        with FixtureSite(faults=FaultPlan(rules=[moved])) as site:
            result = crawl(site.base_url, db, config, "--source", "mdes")
            paths = [r.path for r in site.requests]
        asked = [r.status for r in elsewhere.requests if r.path == "/robots.txt"]
    assert asked and set(asked) == {429}
    assert paths == ["/robots.txt"]
    assert stored(db) == {}
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert "mdes: blocked (robots.txt unreachable: HTTP 429)" in result.stdout


def rate_limited_crawl(tmp_path, retry_after: str):
    """A thaigov crawl (2 retries) against a site answering 429 to every article page."""
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace("[crawl]\n", "[crawl]\nretries = 2\n"))
    db = tmp_path / "db.sqlite"
    every_article = FaultRule(
        path=ARTICLE_PATH.pattern, fault="retry_after", retry_after=retry_after
    )
    with FixtureSite(faults=FaultPlan(rules=[every_article])) as site:
        result = run_thaidigest(
            *crawl_args(site.base_url, db, config, "--source", "thaigov"), timeout=60
        )
        articles = [r for r in site.requests if ARTICLE_PATH.match(r.path)]
    return result, articles


def test_a_429_is_retried_after_the_wait_its_retry_after_asks_for(tmp_path):
    config = write_config(tmp_path)  # a back-off of 0.05 s without Retry-After
    db = tmp_path / "db.sqlite"
    once = FaultRule(path=r"^/news/3$", fault="retry_after", retry_after="2", times=1)
    with FixtureSite(faults=FaultPlan(rules=[once])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        listing = [r for r in site.requests if r.path == "/news/3"]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert [r.status for r in listing] == [429, 200]
    assert listing[1].time - listing[0].time >= 1.9


def test_retry_after_longer_than_the_cap_stops_the_site_at_once(tmp_path):
    result, articles = rate_limited_crawl(tmp_path, "3600")
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert "thaigov: blocked" in result.stdout
    assert "rate limited: Retry-After 3600 s" in result.stdout
    # Only the requests already on the wire when the first 429 came back; none retried.
    assert 1 <= len(articles) <= 2, [r.path for r in articles]


def test_a_429_that_outlives_its_retries_stops_new_ids_of_the_site(tmp_path):
    result, articles = rate_limited_crawl(tmp_path, "1")
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert "rate limited: 429 after 2 retries" in result.stdout
    tries: dict[str, int] = {}
    stop = None
    for record in articles:
        tries[record.path] = tries.get(record.path, 0) + 1
        if stop is None and tries[record.path] == 3:
            stop = record.time
    assert stop is not None
    # At most one id that was on its way when the stop came; the walk's 21 are never all tried.
    new_after_stop = {r.path for r in articles if r.time > stop} - {
        r.path for r in articles if r.time <= stop
    }
    assert len(new_after_stop) <= 1, new_after_stop
    assert len(tries) < 21, sorted(tries)


@pytest.mark.parametrize(
    ("retry_after", "reason"),
    [("3600", "rate limited: Retry-After 3600 s"), ("1", "rate limited: 429 after 2 retries")],
)
def test_status_shows_why_a_rate_limited_site_was_stopped(tmp_path, retry_after, reason):
    result, _ = rate_limited_crawl(tmp_path, retry_after)
    assert reason in result.stdout, result.stdout + result.stderr[-2000:]
    config = tmp_path / "thaidigest.toml"
    status = run_thaidigest("status", "--db", str(tmp_path / "db.sqlite"), "--config", str(config))
    health = [line for line in status.stdout.splitlines() if "thaigov: crawls:" in line]
    assert health == [f"  thaigov: crawls: blocked 1 ({reason})"], status.stdout


def test_an_edit_to_the_mdes_copy_of_a_thaigov_story_reaches_the_digest_and_the_feeds(tmp_path):
    """The reviewer's case: the copy folded into 87382 is edited; the story shows it."""
    from digest.feeds import revision_id
    from digest.publish import build_digest
    from digest.select import BANGKOK, Week
    from thaidigest.config import DEFAULTS
    from thaidigest.store import utc_now

    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    story, copy = public_url("thaigov", "87382"), public_url("mdes", "11009")
    page = root / "news" / "detail" / "11009.html"
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config)
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        assert stored(db)[copy]["duplicate_of"] == story
        html = page.read_text(encoding="utf-8")
        page.write_text(html.replace("DESG ทั้ง 16 เขต", "DESG ทั้ง 21 เขต"), encoding="utf-8")
        second = crawl(site.base_url, db, config, "--source", "mdes")
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert "new 0, updated 1," in second.stdout
    # One figure of many changed: the numbers still mostly agree, so it is still one story.
    assert stored(db)[copy]["duplicate_of"] == story
    now = utc_now()
    store = Store(f"sqlite:///{db}")
    try:
        result = build_digest(
            store, tmp_path / "out", Week.of(now.astimezone(BANGKOK).date()), DEFAULTS, now
        )
    finally:
        store.close()
    assert f"What changed in the copy on mdes.go.th (<{served_url(copy)}>):" in result.markdown
    assert "<del>16</del> → <ins>21</ins>" in result.markdown
    feed = (tmp_path / "out" / "feed.atom").read_text(encoding="utf-8")
    assert revision_id(copy, 2) in feed


BOT_CHECK_REASON = "bot check page: Cloudflare challenge"
MDES_ARTICLE_PATH = r"^/news/detail/"
THAIGOV_ARTICLE_PATH = r"^/news/contents/details/"


def last_report(db, source: str) -> dict:
    """The report of ``source``'s last crawl run."""
    store = Store(f"sqlite:///{db}")
    try:
        return store.last_crawl_runs(source, limit=1)[0]["report"]
    finally:
        store.close()


def split_at_challenge(requests: list, path: str) -> tuple[list, list]:
    """The requests for ``path`` (a regex) the server saw before the first bot-check page
    it answered, and those it saw after it."""
    of_site = [r for r in requests if re.search(path, r.path)]
    first = next(i for i, r in enumerate(of_site) if r.fault == "bot_check")
    return of_site[:first], of_site[first + 1 :]


def answered_articles(requests: list, path: str) -> set[int]:
    """The ids of the articles the server answered with their page (not a challenge)."""
    ids = {int(re.search(r"/(\d+)", r.path)[1]) for r in requests
           if re.search(path, r.path) and r.fault is None and r.status == 200}  # fmt: skip
    return ids & {page["id"] for page in article_pages()}


def assert_blocked_once_and_not_sent_once(report: dict, challenged: set[str]) -> None:
    """One challenged URL named once, answered 200, and the requests not sent once.

    ``challenged`` holds every URL the server answered with a challenge: with two requests
    on the wire, the crawler may read the second one's answer first."""
    answered = [entry for entry in report["blocked"] if entry["status"] is not None]
    not_sent = [entry for entry in report["blocked"] if entry["status"] is None]
    assert [(e["status"], e["reason"]) for e in answered] == [(200, BOT_CHECK_REASON)]
    assert answered[0]["url"] in challenged, (answered[0]["url"], challenged)
    assert [e["reason"] for e in not_sent] == [BOT_CHECK_REASON]
    assert report["status"] == "blocked"


def bot_check_on(path: str) -> FaultPlan:
    """Every request for a path matching ``path`` answers the bot check's page with HTTP 200."""
    return FaultPlan(rules=[FaultRule(path=path, fault="bot_check")])


def test_a_bot_check_answered_with_200_blocks_thaigov_and_ends_the_walk(tmp_path):
    """A challenge page is no article: stored articles keep their version on a revisit,
    no challenge page is stored, and the walk does not count them as articles found."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    before = stored(db)
    highest = max(manifest()["thaigov_ids"])
    assert public_url("thaigov", str(highest)) in before
    # Every article page up to 49 ids past the newest answers the challenge.
    challenged = bot_check_on(r"^/news/contents/details/87(3\d\d|4[0-4]\d)$")
    with FixtureSite(faults=challenged) as site:
        second = thaigov_crawl(site, db, config)
        asked = {int(r.path.rsplit("/", 1)[1]) for r in article_fetches(site, 0)}
        challenges = sum(r.fault == "bot_check" for r in site.requests)
    assert second.returncode == 1, second.stdout + second.stderr[-2000:]
    assert "thaigov: blocked" in second.stdout
    assert "answered 200 (bot check page: Cloudflare challenge)" in second.stdout
    assert "new 0, updated 0," in second.stdout
    assert stored(db) == before
    assert max(asked) <= highest + 20  # miss_limit past the newest: not one id further
    assert 1 <= challenges <= 2  # the first stops the site; the other was on the wire
    status = run_thaidigest("status", "--db", str(db), "--config", str(config))
    assert "thaigov: crawls: ok 1, blocked 1 (bot check page: Cloudflare challenge)" in (
        status.stdout
    )


def test_a_bot_check_answered_with_200_blocks_mdes_and_overwrites_nothing(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    challenged = public_url("mdes", "11009")
    with FixtureSite(faults=bot_check_on(r"^/news/detail/11009\b")) as site:
        first = crawl(site.base_url, db, config, "--source", "mdes")
        answered = answered_articles(site.requests, MDES_ARTICLE_PATH)
    assert first.returncode == 1, first.stdout + first.stderr[-2000:]
    assert "mdes: blocked" in first.stdout
    assert "/news/detail/11009-" in first.stdout
    assert "answered 200 (bot check page: Cloudflare challenge)" in first.stdout
    before = stored(db)
    assert challenged not in before
    # The articles answered before the challenge stopped the site, and no other.
    assert set(before) == {public_url("mdes", str(article_id)) for article_id in answered}
    # The next crawl finds every article page and one listing behind the challenge.
    with FixtureSite(faults=bot_check_on(r"^/news/(detail/|7$)")) as site:
        second = crawl(site.base_url, db, config, "--source", "mdes")
    assert second.returncode == 1, second.stdout + second.stderr[-2000:]
    assert "mdes: blocked" in second.stdout
    assert "new 0, updated 0," in second.stdout
    assert "empty listings 0" in second.stdout  # the challenge is no listing without links
    assert stored(db) == before


def test_a_bot_check_page_stops_its_site_for_the_rest_of_the_crawl_not_the_other(tmp_path):
    """MDES (one request at a time) answers a challenge after two good articles: not one
    request more is sent to it, what came before is stored; thaigov is crawled all the same."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    challenge = FaultRule(path=MDES_ARTICLE_PATH, fault="bot_check", after=2)
    with FixtureSite(faults=FaultPlan(rules=[challenge])) as site:
        result = crawl(site.base_url, db, config)
        before, after = split_at_challenge(site.requests, MDES_PATHS)
        [challenged] = [site.url(r.path) for r in site.requests if r.fault == "bot_check"]
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert after == []
    good = answered_articles(before, MDES_ARTICLE_PATH)
    assert len(good) == 2
    assert stored_ids(db, "mdes.go.th") == good
    assert_blocked_once_and_not_sent_once(last_report(db, "mdes"), {challenged})
    assert f"blocked: {challenged} answered 200 ({BOT_CHECK_REASON})" in result.stdout
    assert f"not sent ({BOT_CHECK_REASON})" in result.stdout
    # The other site in the same crawl carries on.
    assert last_report(db, "thaigov")["status"] == "ok"
    assert stored_ids(db, "thaigov.go.th") == set(manifest()["thaigov_ids"])


def test_a_bot_check_page_stops_thaigov_but_for_the_requests_on_the_wire(tmp_path):
    """thaigov asks two pages at a time: at most the other one was on its way."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    challenge = FaultRule(path=THAIGOV_ARTICLE_PATH, fault="bot_check", after=4)
    with FixtureSite(faults=FaultPlan(rules=[challenge])) as site:
        result = crawl(site.base_url, db, config, "--source", "thaigov")
        before, after = split_at_challenge(site.requests, THAIGOV_PATHS)
        challenged = {site.url(r.path) for r in site.requests if r.fault == "bot_check"}
        answered = answered_articles(site.requests, THAIGOV_ARTICLE_PATH)
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert len(after) <= DEFAULTS["sites"]["thaigov"]["concurrency"], [r.path for r in after]
    assert answered_articles(before, THAIGOV_ARTICLE_PATH)
    assert stored_ids(db) == answered  # those on the wire kept too
    assert_blocked_once_and_not_sent_once(last_report(db, "thaigov"), challenged)
    assert "thaigov: blocked" in result.stdout


# Seconds the first article request waits on the server: surely still on the wire when the
# second, answered at once with a challenge, stops the site (a crawl on a busy machine may
# not read the challenge for a second or two).
ON_THE_WIRE = 6.0
DOWNLOAD_TIMEOUT = 30  # seconds: longer than ON_THE_WIRE
WALK_START = 87362  # an article, and so is the next id
WALK_MISS_LIMIT = 2  # the walk asks for two ids, as many as thaigov has on the wire


def walk_ids(hit: int | None) -> set[int]:
    """The ids a walk from ``WALK_START`` asks for (sent or not) when ``hit`` is the one
    article it finds (None: none): up to ``WALK_MISS_LIMIT`` past the highest."""
    highest = max(WALK_START - 1, hit or 0)
    return set(range(WALK_START, highest + WALK_MISS_LIMIT + 1))


def short_walk(site: FixtureSite, tmp_path, delay: float = 0) -> subprocess.CompletedProcess:
    """A thaigov crawl of the ids ``walk_ids`` names, no search, ``delay`` s between requests."""
    config = write_config(tmp_path)
    table = "[sites.thaigov]\n"
    text = (
        config.read_text(encoding="utf-8")
        .replace(
            f"{table}delay = 0\n",
            f"{table}delay = {delay}\nsearch_keywords = []\nmiss_limit = {WALK_MISS_LIMIT}\n",
        )
        .replace("\ntimeout = 5\n", f"\ntimeout = {DOWNLOAD_TIMEOUT}\n")
    )
    assert f"timeout = {DOWNLOAD_TIMEOUT}" in text
    config.write_text(text, encoding="utf-8")
    return run_thaidigest(
        "crawl", "--source", "thaigov", "--base-url", site.base_url,
        "--start-id", str(WALK_START), "--db", str(tmp_path / "db.sqlite"),
        "--config", str(config),
    )  # fmt: skip


@pytest.mark.parametrize("slow_answer", ["bot_check", "hang", "cut"])
def test_an_answer_on_the_wire_at_the_stop_is_not_counted_as_not_sent(tmp_path, slow_answer):
    """thaigov sends its two article requests at once: the server keeps the first, answers
    the second with a challenge, which stops the site, then answers the first. That one was
    sent: a challenge too (``bot_check``) is reported as an answer received after the stop,
    not used; a page (``hang``) is used, and the ids it leads the walk to are not sent; a
    cut connection (``cut``) is an error, not retried. "not sent" counts exactly the ids
    the walk asked for that the server never received."""
    db = tmp_path / "db.sqlite"
    slow = FaultRule(
        path=THAIGOV_ARTICLE_PATH, fault=slow_answer, times=1, slow=ON_THE_WIRE, delay=ON_THE_WIRE
    )
    challenge = FaultRule(path=THAIGOV_ARTICLE_PATH, fault="bot_check")
    with FixtureSite(faults=FaultPlan(rules=[slow, challenge])) as site:
        result = short_walk(site, tmp_path)
        articles = [r for r in site.requests if re.search(THAIGOV_ARTICLE_PATH, r.path)]
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert [r.fault for r in articles] == [slow_answer, "bot_check"]
    on_the_wire, challenged = (site.url(r.path) for r in articles)
    received = {int(r.path.rsplit("/", 1)[1]) for r in articles}
    hit = int(articles[0].path.rsplit("/", 1)[1]) if slow_answer == "hang" else None
    never_received = walk_ids(hit) - received
    report = last_report(db, "thaigov")
    answered = [entry for entry in report["blocked"] if entry["status"] is not None]
    assert [(e["url"], e["status"], e["reason"]) for e in answered] == [
        (challenged, 200, BOT_CHECK_REASON)
    ]
    not_sent = [entry for entry in report["blocked"] if entry["status"] is None]
    assert {int(e["url"].rsplit("/", 1)[1]) for e in not_sent} <= never_received, not_sent
    assert [e["count"] for e in not_sent] == ([len(never_received)] if never_received else [])
    assert (f"not sent ({BOT_CHECK_REASON})" in result.stdout) == bool(never_received)
    late = 1 if slow_answer == "bot_check" else 0
    if late:
        assert report["answered_after_stop"] == [
            {"url": on_the_wire, "status": 200, "reason": BOT_CHECK_REASON, "count": 1}
        ]
    else:
        assert report["answered_after_stop"] == []
    assert stored_ids(db) == ({hit} if hit else set())
    errors = [entry["url"] for entry in report["errors"]]
    assert errors == ([on_the_wire] if slow_answer == "cut" else [])
    requests = f"{len(never_received)} request{'' if len(never_received) == 1 else 's'}"
    answers = f"{late} answer{'' if late == 1 else 's'}"
    counted = (
        f"site stopped ({BOT_CHECK_REASON}): {requests} not sent, "
        f"{answers} received after the stop, not used"
    )
    assert (counted in result.stdout) == bool(never_received or late), result.stdout


def test_a_refusal_on_the_wire_at_the_stop_is_received_after_it_not_one_more_block(tmp_path):
    """A 403 answering the request on the wire when a challenge stopped the site was
    reported as a second blocked page; as a challenge there is, it is an answer received
    after the stop, not used."""
    db = tmp_path / "db.sqlite"
    slow = FaultRule(
        path=THAIGOV_ARTICLE_PATH, fault="status", status=403, times=1, slow=ON_THE_WIRE
    )
    challenge = FaultRule(path=THAIGOV_ARTICLE_PATH, fault="bot_check")
    with FixtureSite(faults=FaultPlan(rules=[slow, challenge])) as site:
        result = short_walk(site, tmp_path)
        articles = [r for r in site.requests if re.search(THAIGOV_ARTICLE_PATH, r.path)]
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert [r.fault for r in articles] == ["status", "bot_check"]
    on_the_wire, challenged = (site.url(r.path) for r in articles)
    report = last_report(db, "thaigov")
    answered = [entry for entry in report["blocked"] if entry["status"] is not None]
    assert [(e["url"], e["status"]) for e in answered] == [(challenged, 200)]
    assert report["answered_after_stop"] == [
        {"url": on_the_wire, "status": 403, "reason": BOT_CHECK_REASON, "count": 1}
    ]


def test_a_request_waiting_for_its_turn_at_the_stop_is_not_counted_as_sent(tmp_path):
    """With a delay between requests the second id waits in the downloader, already
    counted by Scrapy, when the first answers a challenge: it is never sent, so the
    report's requests are those the server received, and it is the one "not sent".
    Scrapy waits 0.5 to 1.5 times the delay: 6 s leaves a loaded machine 3 s to read
    the challenge before the second request could go."""
    with FixtureSite(faults=bot_check_on(THAIGOV_ARTICLE_PATH)) as site:
        result = short_walk(site, tmp_path, delay=6)
        received = len(site.requests)
        articles = [r.path for r in site.requests if re.search(THAIGOV_ARTICLE_PATH, r.path)]
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert len(articles) == 1, articles
    report = last_report(tmp_path / "db.sqlite", "thaigov")
    assert report["requests"] == received
    assert [e["count"] for e in report["blocked"] if e["status"] is None] == [
        len(walk_ids(None)) - 1
    ]
    assert f"thaigov: blocked in {report['duration']} s; {received} requests" in result.stdout


def test_robots_txt_answered_with_a_bot_check_page_stops_the_site_before_any_page(tmp_path):
    """The challenge comes first, to robots.txt: read as robots.txt it would allow
    everything and send every request into the challenge."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite(faults=bot_check_on(ROBOTS_PATH)) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        paths = [r.path for r in site.requests]
    assert paths == ["/robots.txt"]
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert f"not sent ({BOT_CHECK_REASON})" in result.stdout
    assert last_report(db, "mdes")["status"] == "blocked"
    assert stored(db) == {}


def test_a_deleted_mdes_article_is_not_found_not_an_error_and_keeps_crawls_incremental(tmp_path):
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    deleted = article_pages("mdes")[0]
    deleted_url = public_url("mdes", str(deleted["id"]))
    listing = re.compile(r"^/news/\d+(/page/\d+)?$")
    with FixtureSite(root) as site:
        for _ in range(2):  # the first lists every page, the second knows them all
            result = crawl(site.base_url, db, config, "--source", "mdes")
            assert result.returncode == 0, result.stdout + result.stderr[-2000:]
        kept = stored(db)[deleted_url]
        (root / deleted["file"]).unlink()
        gone = crawl(site.base_url, db, config, "--source", "mdes")
        mark = len(site.requests)
        after = crawl(site.base_url, db, config, "--source", "mdes")
        listings_after = [r.path for r in site.requests[mark:] if listing.match(r.path)]
    assert gone.returncode == 0, gone.stdout + gone.stderr[-2000:]
    assert "mdes: ok" in gone.stdout
    assert "not found 1," in gone.stdout
    assert "error" not in gone.stdout
    assert stored(db)[deleted_url] == kept  # nothing lost
    assert after.returncode == 0 and "error" not in after.stdout
    assert sorted(listings_after) == ["/news/3", "/news/7"]  # the gone crawl was clean


def last_reports(db) -> dict[str, dict]:
    """The report of each site's last crawl run."""
    store = Store(f"sqlite:///{db}")
    try:
        return {site: store.last_crawl_runs(site, limit=1)[0]["report"] for site in SOURCES}
    finally:
        store.close()


def test_a_304_to_a_first_request_is_an_error_not_an_article_or_listing_unchanged(tmp_path):
    """A cache or proxy answering 304 to a request that named no stored version: the
    thaigov id counted "not modified", its article never stored, and the MDES category
    left unread, both crawls ok with no error."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    unasked = FaultPlan(
        rules=[
            FaultRule(path=r"^/news/contents/details/87362$", fault="status", status=304),
            FaultRule(path=r"^/news/3$", fault="status", status=304),
        ]
    )
    with FixtureSite(faults=unasked) as site:
        result = crawl(site.base_url, db, config)
        article, listing = site.url("/news/contents/details/87362"), site.url("/news/3")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    reports = last_reports(db)
    said = "HTTP 304 (not modified) to a request naming no stored version"
    assert [e["url"] for e in reports["thaigov"]["errors"] if e["error"].startswith(said)] == [
        article
    ]
    assert [e["url"] for e in reports["mdes"]["errors"] if e["error"].startswith(said)] == [listing]
    assert reports["thaigov"]["not_modified"] == reports["mdes"]["not_modified"] == 0
    assert 87362 not in stored_ids(db, "thaigov")


def test_an_answer_that_is_no_text_is_an_error_in_words_and_a_failed_id(tmp_path):
    """A PDF where a page was linked (Scrapy's Response, not a TextResponse): the spider
    failed on it with "AttributeError: Response content isn't text". Now an error in
    words, not retried, and the next crawl asks for the thaigov id again as a page that
    failed (no recheck or gap window reaches it)."""
    config = write_config(tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[sites.thaigov]\n", "[sites.thaigov]\nrecheck_window = 0\ngap_window = 0\n", 1
        ),
        encoding="utf-8",
    )
    db = tmp_path / "db.sqlite"
    page = article_pages("mdes")[0]
    pdf = FaultPlan(
        rules=[
            FaultRule(path=r"^/news/contents/details/87362$", fault="binary"),
            FaultRule(path=mdes_article_path(page), fault="binary"),
        ]
    )
    with FixtureSite(faults=pdf) as site:
        result = crawl(site.base_url, db, config)
        asked = [r.path for r in site.requests if r.path == "/news/contents/details/87362"]
        with_pdf = {site.url("/news/contents/details/87362")}
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    said = "not a page of text (Content-Type: application/pdf): nothing of it stored"
    reports = last_reports(db)
    assert [e for e in reports["thaigov"]["errors"] if e["url"] in with_pdf] == [
        {"url": next(iter(with_pdf)), "error": said}
    ]
    [mdes_error] = reports["mdes"]["errors"]
    assert re.search(mdes_article_path(page), urlsplit(mdes_error["url"]).path)
    assert mdes_error["error"] == said
    assert asked == ["/news/contents/details/87362"]  # not retried
    assert "AttributeError" not in result.stdout + result.stderr
    assert 87362 not in stored_ids(db, "thaigov")
    with FixtureSite() as site:  # served as a page now: asked again, and stored
        result = crawl(site.base_url, db, config, "--source", "thaigov")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert 87362 in stored_ids(db, "thaigov")


def test_an_svg_image_at_an_article_address_is_an_error_in_words_not_a_page(tmp_path):
    """An SVG, served as XML, begins with a tag: it was read as a page and judged by its
    text. Now no page of text, as a PDF: an error naming it, not retried, not stored, and
    not the stored article taken down."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page = article_pages("mdes")[0]
    url = public_url("mdes", str(page["id"]))
    with FixtureSite() as site:
        first = crawl(site.base_url, db, config, "--source", "mdes")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    kept = stored(db)[url]
    svg = FaultPlan(rules=[FaultRule(path=mdes_article_path(page), fault="svg")])
    with FixtureSite(faults=svg) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        asked = [r for r in site.requests if r.fault == "svg"]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    said = "not a page of text (an SVG image; Content-Type: text/xml): nothing of it stored"
    report = last_report(db, "mdes")
    [entry] = report["errors"]
    assert re.search(mdes_article_path(page), urlsplit(entry["url"]).path)
    assert entry["error"] == said
    assert len(asked) == 1  # not retried
    assert report["not_found"] == report["soft_404"] == 0
    assert stored(db)[url] == kept


def test_pages_that_say_there_is_no_article_are_soft_404s_not_articles(tmp_path):
    """A generic error page and the site's empty page with a message (thaigov ids with no
    article), and an MDES page headlined "ไม่พบข้อมูล" that a listing still links to."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    saved = Path(__file__).parent / "pages"
    no_article = {87368: "not_found_page.html", 87376: "soft_404_message.html"}
    for article_id, name in no_article.items():
        path = root / "news" / "contents" / "details" / f"{article_id}.html"
        assert not path.exists()  # a gap in the fixture's ids
        path.write_text((saved / "thaigov" / name).read_text(encoding="utf-8"), encoding="utf-8")
    gone = article_pages("mdes")[0]
    (root / gone["file"]).write_text(
        (saved / "mdes" / "not_found.html").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with FixtureSite(root) as site:
        result = crawl(site.base_url, db, config)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert set(stored(db)) == expected_urls() - {public_url("mdes", str(gone["id"]))}
    reports = last_reports(db)
    assert reports["thaigov"]["soft_404"] == 26  # the two pages are among the window's gaps
    assert reports["mdes"]["soft_404"] == 1
    for report in reports.values():
        assert report["fallback"] == 0
        assert report["errors"] == [] and report["status"] == "ok"


def test_an_article_dated_with_the_epoch_placeholder_is_stored_without_a_date(tmp_path):
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page = root / "news" / "contents" / "details" / "87382.html"
    html = page.read_text(encoding="utf-8")
    placeholder = html.replace("วันศุกร์ที่ 23 สิงหาคม 2567", "วันพฤหัสบดีที่ 1 มกราคม 2513")
    assert placeholder != html
    page.write_text(placeholder, encoding="utf-8")
    with FixtureSite(root) as site:
        result = crawl(site.base_url, db, config, "--source", "thaigov")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    row = stored(db)[public_url("thaigov", "87382")]
    assert row["published"] is None
    assert "2513" not in row["body"]  # a date line all the same: not text


def test_an_mdes_listing_date_that_is_the_epoch_placeholder_gives_no_date(tmp_path):
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    article = root / "news" / "detail" / "11014.html"
    html = article.read_text(encoding="utf-8")
    undated = html.replace('<p class="news-date">14/09/2567</p>', "")
    assert undated != html
    article.write_text(undated, encoding="utf-8")
    listing = root / "news" / "3.html"
    cards = listing.read_text(encoding="utf-8")
    assert cards.count('date-news">14/09/2567<') == 1  # 11014's card
    listing.write_text(
        cards.replace('date-news">14/09/2567<', 'date-news">01/01/2513<'), encoding="utf-8"
    )
    with FixtureSite(root) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert stored(db)[public_url("mdes", "11014")]["published"] is None


def test_an_article_dated_after_next_year_is_stored_without_a_date(tmp_path):
    """A typo in the date line's year (2667 for 2567, 2124 CE): a date line all the same,
    taken out of the text, but no publication date."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page = root / "news" / "contents" / "details" / "87382.html"
    html = page.read_text(encoding="utf-8")
    typo = html.replace("วันศุกร์ที่ 23 สิงหาคม 2567", "วันศุกร์ที่ 23 สิงหาคม 2667")
    assert typo != html
    page.write_text(typo, encoding="utf-8")
    with FixtureSite(root) as site:
        result = crawl(site.base_url, db, config, "--source", "thaigov")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    row = stored(db)[public_url("thaigov", "87382")]
    assert row["published"] is None
    assert "2667" not in row["body"]


def test_an_mdes_listing_date_after_next_year_leaves_the_article_its_own_date(tmp_path):
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    article = root / "news" / "detail" / "11014.html"
    assert '<p class="news-date">14/09/2567</p>' in article.read_text(encoding="utf-8")
    listing = root / "news" / "3.html"
    cards = listing.read_text(encoding="utf-8")
    assert cards.count('date-news">14/09/2567<') == 1  # 11014's card
    listing.write_text(  # a typo in the year: 2667, 2124 CE
        cards.replace('date-news">14/09/2567<', 'date-news">14/09/2667<'), encoding="utf-8"
    )
    with FixtureSite(root) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert stored(db)[public_url("mdes", "11014")]["published"] == "2024-09-14"


def one_more_view(article: Path) -> None:
    """Count one more view on the MDES article page ``article``; nothing else changes."""
    html = article.read_text(encoding="utf-8")
    views = re.search(r"เข้าชม ([\d,]+) ครั้ง", html)
    assert views is not None
    more = f"เข้าชม {int(views[1].replace(',', '')) + 1:,} ครั้ง"
    article.write_text(html.replace(views[0], more, 1), encoding="utf-8")


def test_an_mdes_revisit_keeps_the_listings_date_over_the_pages_date_line(tmp_path):
    """11014's listing says 14/09/2567 (the day it was posted), its page's date line
    13/09/2567. The listing's date is the article's on every crawl: a revisit, which
    has no listing at hand, keeps the stored one, and a page read again for its view
    counter is no date correction (no version, no "Date: ... -> ..." for readers)."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    url = public_url("mdes", "11014")
    article = root / "news" / "detail" / "11014.html"
    html = article.read_text(encoding="utf-8")
    other_day = html.replace('news-date">14/09/2567<', 'news-date">13/09/2567<')
    assert other_day != html
    article.write_text(other_day, encoding="utf-8")
    assert 'date-news">14/09/2567<' in (root / "news" / "3.html").read_text(encoding="utf-8")
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config, "--source", "mdes")
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        assert stored(db)[url]["published"] == "2024-09-14"
        for _ in range(2):  # the date the first revisit stores, the second keeps
            one_more_view(article)
            mark = len(site.requests)
            revisit = crawl(site.base_url, db, config, "--source", "mdes")
            assert revisit.returncode == 0, revisit.stdout + revisit.stderr[-2000:]
            read = [r.status for r in article_fetches(site, mark) if "/11014" in r.path]
            assert read == [200]  # read again: a new ETag
            assert "new 0, updated 0," in revisit.stdout
            row = stored(db)[url]
            assert (row["published"], row["versions"]) == ("2024-09-14", 1)


def test_a_thaigov_revisit_takes_the_corrected_date_line_of_its_page(tmp_path):
    """thaigov has no listing: its page's date line is its date, so a revisit that
    finds it corrected stores the correction, as a new version."""
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    url = public_url("thaigov", "87382")
    article = root / "news" / "contents" / "details" / "87382.html"
    html = article.read_text(encoding="utf-8")
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        assert stored(db)[url]["published"] == "2024-08-23"
        corrected = html.replace("วันศุกร์ที่ 23 สิงหาคม 2567", "วันพฤหัสบดีที่ 22 สิงหาคม 2567")
        assert corrected != html
        article.write_text(corrected, encoding="utf-8")
        revisit = crawl(site.base_url, db, config, "--source", "thaigov")
    assert revisit.returncode == 0, revisit.stdout + revisit.stderr[-2000:]
    assert "new 0, updated 1," in revisit.stdout
    row = stored(db)[url]
    assert (row["published"], row["versions"]) == ("2024-08-22", 2)


THAIGOV_ARTICLE = "/news/contents/details/87382"
CUT_SHORT = "cut short"  # the reason an error gives for a page whose HTML stops early


def errors_for(report: dict, path: str) -> list[str]:
    """The errors of a crawl report about the page at ``path``."""
    return [e["error"] for e in report["errors"] if e["url"].endswith(path)]


@pytest.mark.parametrize("fault", ["truncate", "cut_unframed"])
def test_an_article_page_cut_short_on_a_revisit_is_retried_then_reported_never_stored(
    tmp_path, fault
):
    """Half a page, its ``Content-Length`` matching or no length and the connection
    closed: complete to HTTP, and lxml repairs the HTML, so only the missing
    ``</body>`` and ``</html>`` tell. Stored, it would be an edit, and the whole
    page coming back a second one."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    url = public_url("thaigov", "87382")
    cut = FaultPlan(rules=[FaultRule(path=rf"^{THAIGOV_ARTICLE}$", fault=fault)])
    with FixtureSite() as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    whole = stored(db)[url]
    with FixtureSite(faults=cut) as site:
        revisit = crawl(site.base_url, db, config, "--source", "thaigov")
        struck = [r for r in site.requests if r.fault == fault]
    assert revisit.returncode == 0, revisit.stdout + revisit.stderr[-2000:]
    assert "new 0, updated 0," in revisit.stdout
    assert len(struck) == 1 + DEFAULTS["crawl"]["retries"]  # retried like a garbled page
    [error] = errors_for(last_report(db, "thaigov"), THAIGOV_ARTICLE)
    assert CUT_SHORT in error
    assert f"{THAIGOV_ARTICLE}: " in revisit.stdout and CUT_SHORT in revisit.stdout
    assert stored(db)[url] == whole
    with FixtureSite() as site:
        again = crawl(site.base_url, db, config, "--source", "thaigov")
    assert again.returncode == 0, again.stdout + again.stderr[-2000:]
    assert "new 0, updated 0," in again.stdout
    assert stored(db)[url]["versions"] == 1


def test_a_new_article_page_cut_short_once_is_stored_whole_from_the_retry(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page = article_pages("mdes")[0]
    once = FaultRule(path=rf"^/news/detail/{page['id']}(-|$)", fault="cut_unframed", times=1)
    with FixtureSite(faults=FaultPlan(rules=[once])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        struck = [r for r in site.requests if r.fault]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert len(struck) == 1
    assert last_report(db, "mdes")["errors"] == []
    row = stored(db)[public_url("mdes", str(page["id"]))]
    assert row["body"].endswith(last_paragraph(page["text"]))
    assert row["versions"] == 1


@pytest.mark.parametrize("fault", ["truncate", "cut_gzip"])
def test_an_mdes_article_page_cut_short_on_every_try_is_an_error_not_an_article(tmp_path, fault):
    """A gzip stream cut short too: read as far as it goes, it is a page without its end,
    retried (a proxy that closed mid-stream may not next time), not an error at once."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page = article_pages("mdes")[0]
    path = rf"^/news/detail/{page['id']}(-|$)"
    with FixtureSite(faults=FaultPlan(rules=[FaultRule(path=path, fault=fault)])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        struck = [r for r in site.requests if r.fault == fault]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert len(struck) == 1 + DEFAULTS["crawl"]["retries"]
    assert public_url("mdes", str(page["id"])) not in stored(db)
    [entry] = last_report(db, "mdes")["errors"]
    assert re.search(path, urlsplit(entry["url"]).path) and CUT_SHORT in entry["error"]


def site_without_closing_tags(tmp_path: Path, page: dict) -> Path:
    """A copy of the fixture site whose article ``page`` leaves out ``</body>`` and
    ``</html>``, as HTML5 lets a page do, its footer kept."""
    root = copy_site(tmp_path)
    file = root / page["file"]
    html = file.read_text(encoding="utf-8")
    assert html.count("</body>") == html.count("</html>") == 1 and "<footer" in html
    file.write_text(html.replace("</body>", "").replace("</html>", ""), encoding="utf-8")
    return root


# An article page of each site, at the start of the fixture's walk and first listing.
ARTICLE_PATHS = {"thaigov": r"^/news/contents/details/{id}$", "mdes": r"^/news/detail/{id}(-|$)"}


@pytest.mark.parametrize("source", ["thaigov", "mdes"])
def test_an_article_page_without_its_optional_closing_tags_is_stored_and_the_crawl_clean(
    tmp_path, source
):
    """Taken for a page cut short, it was never stored, and every crawl after it was not
    clean: the next looked 200 thaigov ids back, or read every MDES listing page."""
    page = article_pages(source)[0]
    root = site_without_closing_tags(tmp_path, page)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite(root) as site:
        result = crawl(site.base_url, db, config, "--source", source)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert last_report(db, source)["errors"] == []
    row = stored(db)[public_url(source, str(page["id"]))]
    assert row["title"] == page["title"]
    assert row["body"].endswith(last_paragraph(page["text"]))


@pytest.mark.parametrize("source", ["thaigov", "mdes"])
def test_an_article_page_without_its_closing_tags_cut_short_is_an_error_not_an_article(
    tmp_path, source
):
    page = article_pages(source)[0]
    root = site_without_closing_tags(tmp_path, page)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    path = ARTICLE_PATHS[source].format(id=page["id"])
    cut = FaultPlan(rules=[FaultRule(path=path, fault="truncate")])
    with FixtureSite(root, faults=cut) as site:
        result = crawl(site.base_url, db, config, "--source", source)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert public_url(source, str(page["id"])) not in stored(db)
    [error] = errors_for(last_report(db, source), page["path"])
    assert CUT_SHORT in error


def test_a_page_the_spider_retries_itself_is_retried_with_back_off(tmp_path):
    """A 200 page the spider cannot use (here cut short) is retried by the spider, not
    by the retry middleware: the waits double from ``backoff_base`` all the same,
    rather than the page being asked again at once, as fast as the site allows."""
    base = 0.3
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace("backoff_base = 0.05", f"backoff_base = {base}"))
    page = article_pages("mdes")[0]
    path = rf"^/news/detail/{page['id']}(-|$)"
    with FixtureSite(faults=FaultPlan(rules=[FaultRule(path=path, fault="truncate")])) as site:
        result = crawl(site.base_url, tmp_path / "db.sqlite", config, "--source", "mdes")
        struck = [r.time for r in site.requests if r.fault == "truncate"]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert len(struck) == 1 + DEFAULTS["crawl"]["retries"]
    waits = [later - earlier for earlier, later in pairwise(struck)]
    for retry, waited in enumerate(waits):
        assert waited >= 0.9 * base * 2**retry, waits


def article_paths(site: FixtureSite, since: int = 0) -> list[str]:
    return sorted(r.path for r in article_fetches(site, since))


def test_a_stored_article_redirected_to_the_home_page_is_removed_not_blocked(tmp_path):
    """A site that takes an article down and sends its URL home: not found, as a 404;
    the crawl is clean, so the next one rechecks no id below the walk."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    url = public_url("thaigov", "87382")
    home = FaultRule(path=rf"^{THAIGOV_ARTICLE}$", fault="redirect", status=302, location="/")
    with FixtureSite() as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    kept = stored(db)[url]
    with FixtureSite(faults=FaultPlan(rules=[home])) as site:
        removed = crawl(site.base_url, db, config, "--source", "thaigov")
        asked = article_paths(site)
        mark = len(site.requests)
        next_one = crawl(site.base_url, db, config, "--source", "thaigov")
        asked_next = article_paths(site, mark)
    assert asked_next == asked  # the removed crawl was clean: no recheck below the walk
    for result in (removed, next_one):
        assert result.returncode == 0, result.stdout + result.stderr[-2000:]
        assert "thaigov: ok" in result.stdout
        assert "not found 1," in result.stdout
        assert "blocked" not in result.stdout
    report = last_report(db, "thaigov")
    assert report["blocked"] == [] and report["errors"] == []
    assert stored(db)[url] == kept


MDES_REDIRECTS = {
    "home": ("/", True),
    "listing": ("/news/3", True),
    "listing-page": ("/news/7/page/2", True),
    "home-with-a-query": ("/?return=/news/detail/11009", False),
    "another-path": ("/news/detail/", False),
    # Another article's id: the one asked for was taken down (or merged into it).
    "another-article": ("/news/detail/11014", True),
    # Its own id, asked again and again: a loop, blocked after MAX_ARTICLE_REDIRECTS hops.
    "itself": ("/news/detail/11001", False),
}


@pytest.mark.parametrize(("location", "removed"), MDES_REDIRECTS.values(), ids=MDES_REDIRECTS)
def test_an_article_redirected_home_or_to_a_listing_is_removed_any_other_place_blocked(
    tmp_path, location, removed
):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page = article_pages("mdes")[0]
    redirect = FaultRule(
        path=rf"^/news/detail/{page['id']}(-|$)", fault="redirect", status=301, location=location
    )
    with FixtureSite(faults=FaultPlan(rules=[redirect])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
    assert public_url("mdes", str(page["id"])) not in stored(db)
    report = last_report(db, "mdes")
    if removed:
        assert result.returncode == 0, result.stdout + result.stderr[-2000:]
        assert "mdes: ok" in result.stdout and "not found 1," in result.stdout
        assert report["blocked"] == []
    else:
        assert result.returncode == 1, result.stdout + result.stderr[-2000:]
        [entry] = report["blocked"]
        assert (entry["status"], entry["target"]) == (301, site.base_url + location)
        loop = mdes.article_id(location) == str(page["id"])
        assert entry.get("reason") == ("redirect loop" if loop else None), entry
    assert report["errors"] == []
    # Every other article is stored, under its own address only.
    others = [p for p in article_pages("mdes") if p["id"] != page["id"]]
    assert set(stored(db)) == {public_url("mdes", str(p["id"])) for p in others}


def mdes_article_path(page: dict) -> str:
    """The path pattern of an MDES fixture article, whatever its slug."""
    return rf"^/news/detail/{page['id']}(-|$)"


def test_an_article_page_that_only_refreshes_to_a_listing_is_removed_not_read(tmp_path):
    """Scrapy's meta refresh middleware followed it: the listing was read as the article,
    stored under its id with a layout-change warning. Judged as a redirect there is: the
    article was taken down, and the listing is not asked for again."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page = article_pages("mdes")[0]
    refresh = FaultRule(mdes_article_path(page), "meta_refresh", location="/news/3")
    with FixtureSite(faults=FaultPlan(rules=[refresh])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        listing_fetches = [r for r in site.requests if r.path == "/news/3"]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "mdes: ok" in result.stdout and "not found 1," in result.stdout
    assert "WARNING" not in result.stderr, result.stderr[-2000:]
    assert public_url("mdes", str(page["id"])) not in stored(db)
    assert len(listing_fetches) == 1
    report = last_report(db, "mdes")
    assert report["blocked"] == [] and report["errors"] == []


def test_a_listing_that_refreshes_to_another_host_is_blocked_with_its_target(tmp_path):
    """Scrapy's meta refresh middleware followed it: the other host was asked for its
    robots.txt and the page, and the report said nothing of the refresh."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite() as elsewhere:  # another port: another host
        target = elsewhere.url("/news/3")
        refresh = FaultRule(r"^/news/3$", "meta_refresh", location=target)
        with FixtureSite(faults=FaultPlan(rules=[refresh])) as site:
            result = crawl(site.base_url, db, config, "--source", "mdes")
            listing = site.url("/news/3")
        asked_elsewhere = elsewhere.requests
    assert asked_elsewhere == []
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert f"blocked: {listing} answered 200 -> {target} (meta refresh)" in result.stdout
    report = last_report(db, "mdes")
    assert report["blocked"] == [
        {"url": listing, "status": 200, "target": target, "reason": "meta refresh"}
    ]


@pytest.mark.parametrize("seconds", [0, 300])
def test_an_article_that_refreshes_itself_is_read_once_and_stored(tmp_path, seconds):
    """An auto-reload beside the article (every 300 s), or even at once, is no redirect:
    Scrapy's middleware followed the quick one to the same page 20 times, then gave up
    with an error and the article was never stored."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page = article_pages("mdes")[0]
    path = mdes_article_path(page)
    reload = FaultRule(path, "auto_refresh", refresh=seconds)
    with FixtureSite(faults=FaultPlan(rules=[reload])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        fetched = [r for r in site.requests if re.match(path, r.path)]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert [r.fault for r in fetched] == ["auto_refresh"]
    assert public_url("mdes", str(page["id"])) in stored(db)
    assert last_report(db, "mdes")["errors"] == []


def test_an_article_redirected_to_another_form_of_its_address_is_stored_quietly(tmp_path):
    """The redirect followed carried the first download's meta: Scrapy warned on stderr of
    copied internal keys for every one, and the new request started with its retries spent."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page = article_pages("mdes")[0]
    moved = FaultRule(
        path=rf"^/news/detail/{page['id']}(-|$)",
        fault="redirect",
        status=301,
        location=f"/news/detail/{page['id']}-another-slug",
        times=1,
    )
    with FixtureSite(faults=FaultPlan(rules=[moved])) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert public_url("mdes", str(page["id"])) in stored(db)
    assert "WARNING" not in result.stderr, result.stderr[-2000:]


def test_a_listing_stopped_at_its_page_limit_with_new_articles_says_so(tmp_path):
    """The limit cut a backlog short with nothing said: its older pages are never read.
    Stopping there with articles not stored before on the last page read is a warning,
    on a first crawl (it reads back to the limit by design) as after a clean one."""
    config = write_config(tmp_path, "page_limit = 1\n")  # [sites.mdes] is the last table
    db = tmp_path / "db.sqlite"
    missing = FaultRule(path=r"^/news/detail/11014(-|$)", fault="status", status=404, times=1)
    with FixtureSite(faults=FaultPlan(rules=[missing])) as site:
        first = crawl(site.base_url, db, config, "--source", "mdes")
        paths = [r.path for r in site.requests]
        listings = site.url("/news/3"), site.url("/news/7")
    assert "/news/3/page/2" not in paths
    for listing in listings:
        assert f"{listing}: stopped at sites.mdes.page_limit (1 pages)" in first.stderr
    with FixtureSite() as site:  # 11014, not stored, is new on /news/3 only
        second = crawl(site.base_url, db, config, "--source", "mdes")
        listings = site.url("/news/3"), site.url("/news/7")
    warned = [line for line in second.stderr.splitlines() if "page_limit" in line]
    assert len(warned) == 1 and f"{listings[0]}: stopped at" in warned[0], warned
    assert "older pages not read (raise the limit to read them)" in warned[0]
    assert last_report(db, "mdes")["errors"] == []


def test_a_search_page_redirected_to_another_spelling_of_its_address_is_followed(tmp_path):
    """The same keyword percent-encoded in lower case (or a raw UTF-8 Location) is the same
    page: blocked, the crawl exited 1 and the next one could not be incremental."""
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    respelled = "/search?keyword=" + quote("ดิจิทัล").lower()
    moved = FaultRule(path=r"^/search$", fault="redirect", status=301, location=respelled, times=1)
    with FixtureSite(faults=FaultPlan(rules=[moved])) as site:
        result = crawl(site.base_url, db, config, "--source", "thaigov")
        searched = [r for r in site.requests if r.path.startswith("/search?")]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert [r.fault for r in searched] == ["redirect", None], searched
    assert last_report(db, "thaigov")["blocked"] == []


def test_robots_txt_saved_with_a_byte_order_mark_is_obeyed_and_names_its_rule(tmp_path):
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    robots = "\ufeffUser-agent: *\r\nDisallow: /news/\r\n"
    with FixtureSite(robots_txt=robots) as site:
        result = crawl(site.base_url, db, config, "--source", "mdes")
        paths = [r.path for r in site.requests]
    assert [p for p in paths if p.startswith("/news/")] == []
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert "mdes: blocked by robots.txt (Disallow: /news/)" in result.stdout
    blocked = last_report(db, "mdes")["blocked"]
    assert blocked and {entry["rule"] for entry in blocked} == {"Disallow: /news/"}


# The headline and a phrase of the fixture's article 87382, as its page writes them.
VARIANT_HEADLINE = "ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญของเศรษฐกิจดิจิทัล"
VARIANT_PHRASE = "DESG ทั้ง 16 เขตเศรษฐกิจเอเปค"
TO_FULL_WIDTH = str.maketrans({code: code + 0xFEE0 for code in range(0x21, 0x7F)})


def double_escaped(snippet: str) -> str:
    """``snippet`` quoted and spaced with entities escaped twice: the page shows ``&nbsp;``."""
    return "&amp;quot;" + snippet.replace(" ", "&amp;nbsp;") + "&amp;quot;&amp;#8211;"


def escaped_once(snippet: str) -> str:
    """``snippet`` as the page means :func:`double_escaped`'s: quotes, NBSPs and a dash."""
    return "&quot;" + snippet.replace(" ", "&nbsp;") + "&quot;&#8211;"


# How the page writes a snippet on the first visit and on the second: the same text,
# written another way a reader cannot see or tell apart.
TEXT_VARIANTS = {
    "soft hyphens": (
        lambda snippet: snippet,
        lambda snippet: snippet.replace("เศรษฐกิจ", "เศรษ\u00adฐกิจ").replace("APEC", "AP&shy;EC"),
    ),
    "double-escaped entities": (double_escaped, escaped_once),
    "full-width forms": (lambda snippet: snippet.translate(TO_FULL_WIDTH), lambda snippet: snippet),
    "direction marks": (
        lambda snippet: snippet,
        lambda snippet: snippet.replace("APEC", "\u200eAPEC&rlm;").replace(
            "เศรษฐกิจ", "&lrm;เศรษฐกิจ\u061c"
        ),
    ),
}


def crawl_twice_and_build_digest(tmp_path, variant: str, edit: bool):
    """Article 87382 crawled with the first way of writing ``variant``, then with the
    second (and the phrase's 16 edited to 21 if ``edit``); its row and the digest of the week."""
    from digest.publish import build_digest
    from digest.select import BANGKOK, Week
    from thaidigest.store import utc_now

    first_way, second_way = TEXT_VARIANTS[variant]
    root = copy_site(tmp_path)
    config = write_config(tmp_path)
    db = tmp_path / "db.sqlite"
    page = root / "news" / "contents" / "details" / "87382.html"
    html = page.read_text(encoding="utf-8")
    assert VARIANT_HEADLINE in html and VARIANT_PHRASE in html
    phrase = VARIANT_PHRASE.replace("16", "21") if edit else VARIANT_PHRASE
    first_page = html.replace(VARIANT_HEADLINE, first_way(VARIANT_HEADLINE))
    first_page = first_page.replace(VARIANT_PHRASE, first_way(VARIANT_PHRASE))
    second_page = html.replace(VARIANT_HEADLINE, second_way(VARIANT_HEADLINE))
    second_page = second_page.replace(VARIANT_PHRASE, second_way(phrase))
    assert first_page != second_page
    with FixtureSite(root) as site:
        page.write_text(first_page, encoding="utf-8")
        first = crawl(site.base_url, db, config, "--source", "thaigov")
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        page.write_text(second_page, encoding="utf-8")
        second = crawl(site.base_url, db, config, "--source", "thaigov")
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    now = utc_now()
    store = Store(f"sqlite:///{db}")
    try:
        digest = build_digest(
            store, tmp_path / "out", Week.of(now.astimezone(BANGKOK).date()), DEFAULTS, now
        )
    finally:
        store.close()
    return second.stdout, stored(db)[public_url("thaigov", "87382")], digest.markdown


# What the stored text shows of each variant: the character the page means.
NOT_STORED = {
    "soft hyphens": "\u00ad",
    "double-escaped entities": "&nbsp;",
    "full-width forms": "ＤＥＳＧ",
    "direction marks": "\u200e",
}


@pytest.mark.parametrize("variant", TEXT_VARIANTS)
def test_a_revisit_differing_in_how_characters_are_written_makes_no_new_version(tmp_path, variant):
    second, row, digest = crawl_twice_and_build_digest(tmp_path, variant, edit=False)
    assert row["versions"] == 1, row["body"]
    assert "new 0, updated 0," in second
    assert "· updated" not in digest
    assert NOT_STORED[variant] not in row["title"] + row["body"]
    assert "DESG" in row["body"] and "APEC" in row["title"]


@pytest.mark.parametrize("variant", TEXT_VARIANTS)
def test_an_edit_beside_a_change_in_how_characters_are_written_is_a_new_version(tmp_path, variant):
    second, row, digest = crawl_twice_and_build_digest(tmp_path, variant, edit=True)
    assert row["versions"] == 2
    assert "new 0, updated 1," in second
    assert "· updated" in digest
    changes = digest.split("What changed:")[1].split("\n\n")[1]
    assert changes == "- DESG ทั้ง <del>16</del> → <ins>21</ins> เขตเศรษฐกิจ"  # nothing else
