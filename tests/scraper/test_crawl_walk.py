"""The thaigov id walk against the fixture site: ids that fail are no misses, and ids
below the walk's start are asked again within bounds."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from scraper.fixture_site import SOFT_404_FILE, FaultPlan, FaultRule, FixtureSite, page_file
from scraper.sites import thaigov
from tests.scraper.crawling import (
    FIRST_THAIGOV_ID,
    copy_site,
    crawl,
    manifest,
    run_thaidigest,
    write_config,
)
from thaidigest.sites import THAIGOV_ARTICLE_PATH, article_path

MISS_LIMIT = 5
WALK_CONFIG = f"search_keywords = []\nmiss_limit = {MISS_LIMIT}\n"
ARTICLE_ID = re.compile(r"/news/contents/details/(\d+)$")
NOTICE = "ปิดปรับปรุงระบบชั่วคราว ขออภัยในความไม่สะดวก"
# A notice as short as the site's empty page's body block may be and stay a soft 404.
SHORT_NOTICE = "ปิดปรับปรุงระบบ"
BARE_NOTICE = f"""<!DOCTYPE html><html lang="th"><head><meta charset="utf-8">
<title>ปิดปรับปรุงระบบ</title></head><body><div class="container"><h1>{NOTICE}</h1>
</div></body></html>"""


def walk_config(tmp_path: Path, extra: str = "") -> Path:
    """The fast test config, thaigov walking ids only (no search page), ``extra`` added."""
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[sites.thaigov]\n", "[sites.thaigov]\n" + WALK_CONFIG + extra))
    return config


def searching_walk_config(tmp_path: Path, extra: str = "") -> Path:
    """:func:`walk_config` with the fixture's search page read too (87372 to 87393)."""
    config = walk_config(tmp_path, extra)
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("search_keywords = []", 'search_keywords = ["ดิจิทัล"]'), encoding="utf-8"
    )
    return config


def ids_path(ids: list[int]) -> str:
    """A fault path matching the article URLs of ``ids``, exactly."""
    paths = "|".join(re.escape(article_path("thaigov", article_id)) for article_id in ids)
    return f"^(?:{paths})$"


def asked_ids(site: FixtureSite, since: int = 0) -> list[int]:
    return [
        int(match[1])
        for request in site.requests[since:]
        if (match := ARTICLE_ID.match(request.path))
    ]


def stored_ids(db: Path) -> set[int]:
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            "select source_id from articles where source = 'thaigov'"
        ).fetchall()
    finally:
        connection.close()
    return {int(row[0]) for row in rows}


def thaigov_report(db: Path) -> dict:
    connection = sqlite3.connect(db)
    try:
        (report,) = connection.execute(
            "select report from crawl_runs where source = 'thaigov' order by id desc limit 1"
        ).fetchone()
    finally:
        connection.close()
    return json.loads(report)


def crawl_without_start_id(base_url: str, db: Path, config: Path):
    """``thaidigest crawl`` of thaigov as a scheduled job runs it: no ``--start-id``."""
    args = ["crawl", "--source", "thaigov", "--base-url", base_url]
    return run_thaidigest(*args, "--db", str(db), "--config", str(config))


def test_ids_that_fail_do_not_end_the_walk_and_are_asked_again_by_the_next_crawl(tmp_path):
    """A run of miss_limit ids answering 500 past their retries ended the walk as misses:
    the articles after them waited for the next crawl, for ever when the errors did."""
    ids = manifest()["thaigov_ids"]
    failing = [article_id for article_id in ids if 87384 <= article_id < 87384 + MISS_LIMIT]
    assert len(failing) == MISS_LIMIT  # articles, in a row
    config = walk_config(tmp_path)
    db = tmp_path / "db.sqlite"
    errors = FaultRule(path=ids_path(failing), fault="status", status=500)
    with FixtureSite(faults=FaultPlan(rules=[errors])) as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
    assert first.returncode == 0, first.stderr[-2000:]
    assert stored_ids(db) == set(ids) - set(failing)
    failed_urls = {
        entry["url"].removeprefix(site.base_url) for entry in thaigov_report(db)["errors"]
    }
    assert failed_urls == {article_path("thaigov", article_id) for article_id in failing}
    with FixtureSite() as site:  # the errors are over
        second = crawl_without_start_id(site.base_url, db, config)
        asked = asked_ids(site)
    assert second.returncode == 0, second.stderr[-2000:]
    assert set(failing) <= set(asked)
    assert stored_ids(db) == set(ids)


def crawl_answering_past_newest(
    tmp_path: Path, status: int
) -> tuple[subprocess.CompletedProcess, list[int], Path]:
    """A thaigov crawl of the fixture site answering ``status`` for every id past its newest
    article: the crawl's result, the ids it asked, its database."""
    config = walk_config(tmp_path)
    db = tmp_path / "db.sqlite"
    past_newest = THAIGOV_ARTICLE_PATH.format(id=r"(?:8740[1-9]|874[1-9]\d|875\d\d)")
    answers = FaultRule(path=f"^{past_newest}$", fault="status", status=status)
    with FixtureSite(faults=FaultPlan(rules=[answers])) as site:
        result = crawl(site.base_url, db, config, "--source", "thaigov")
        return result, asked_ids(site), db


def test_a_site_failing_every_id_past_its_newest_article_ends_the_walk(tmp_path):
    """Failed ids are no misses, but they extend the walk by miss_limit ids at most."""
    newest = max(manifest()["thaigov_ids"])
    result, asked, _ = crawl_answering_past_newest(tmp_path, 500)
    assert result.returncode == 0, result.stderr[-2000:]
    assert max(asked) == newest + 2 * MISS_LIMIT


def test_a_site_refusing_every_id_past_its_newest_article_is_asked_miss_limit_ids(tmp_path):
    """A 403 is a refusal, not a failed id: counted as failed, each one walked one id
    further, and a site refusing this client was asked twice as many ids."""
    newest = max(manifest()["thaigov_ids"])
    _, asked, db = crawl_answering_past_newest(tmp_path, 403)
    refused = sorted(article_id for article_id in asked if article_id > newest)
    assert refused == list(range(newest + 1, newest + MISS_LIMIT + 1))
    assert len(thaigov_report(db)["blocked"]) == MISS_LIMIT


def test_an_id_that_had_no_article_is_asked_again_while_it_is_among_the_last_gaps(tmp_path):
    """An id the site answered with its soft 404 during a clean crawl was never asked again
    once below the walk's start: an article published late under it was lost."""
    ids = manifest()["thaigov_ids"]
    late, old = 87396, 87376  # 4 and 24 ids below the newest, 87400
    assert late in ids and old not in ids
    config = walk_config(tmp_path, "gap_window = 10\n")
    db = tmp_path / "db.sqlite"
    unpublished = FaultRule(path=ids_path([late]), fault="soft404")
    with FixtureSite(faults=FaultPlan(rules=[unpublished])) as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
    assert first.returncode == 0, first.stderr[-2000:]
    assert thaigov_report(db)["errors"] == []  # a clean crawl
    assert late not in stored_ids(db)
    with FixtureSite() as site:  # the article is published now
        second = crawl_without_start_id(site.base_url, db, config)
        asked = asked_ids(site)
    assert second.returncode == 0, second.stderr[-2000:]
    assert late in stored_ids(db)
    assert old not in asked  # a gap further below than gap_window is not asked again


# The refresh a bare notice page carries: none, home after 10 s, or to itself at once.
BARE_NOTICE_REFRESHES = {
    "bare": None,
    "bare-sending-home": "10;url=/",
    "bare-reloading-itself": "0;url={own_path}",
}


def maintenance_page(root: Path, kind: str, own_path: str) -> str:
    """What a site in maintenance answers with 200 at ``own_path``: its empty article page
    (the soft 404 template) with a short notice in its body block, or a bare page of the
    notice, which may carry a refresh (:data:`BARE_NOTICE_REFRESHES`)."""
    if kind == "template":
        template = (root / SOFT_404_FILE).read_text(encoding="utf-8")
        block = '<div class="border-normal clearfix">'
        assert template.count(block) == 1
        assert len(SHORT_NOTICE) < thaigov.MIN_BODY_CHARS  # no article text: a soft 404 once
        return template.replace(block, f"{block}<p>{SHORT_NOTICE}</p>")
    refresh = BARE_NOTICE_REFRESHES[kind]
    if refresh is None:
        return BARE_NOTICE
    tag = f'<meta http-equiv="refresh" content="{refresh.format(own_path=own_path)}">'
    return BARE_NOTICE.replace("<title>", f"{tag}<title>", 1)


@pytest.mark.parametrize("kind", ["template", *BARE_NOTICE_REFRESHES])
def test_ids_answering_a_maintenance_notice_do_not_end_the_walk_and_are_asked_again(
    tmp_path: Path, kind: str
) -> None:
    """A run of miss_limit ids answering a maintenance notice with 200 ended the walk as
    misses (the site's empty page saying so was a soft 404, and its crawl clean, so the
    ids were not asked again soon; a bare notice refreshing home was the article taken
    down, one reloading itself at once a redirect loop, blocked): the articles after them
    waited for a later crawl."""
    ids = manifest()["thaigov_ids"]
    failing = [article_id for article_id in ids if 87384 <= article_id < 87384 + MISS_LIMIT]
    assert len(failing) == MISS_LIMIT  # articles, in a row
    root = copy_site(tmp_path)
    paths = {article_id: article_path("thaigov", article_id) for article_id in failing}
    pages = {article_id: root / page_file(path) for article_id, path in paths.items()}
    articles = {article_id: path.read_text(encoding="utf-8") for article_id, path in pages.items()}
    for article_id, path in pages.items():
        path.write_text(maintenance_page(root, kind, paths[article_id]), encoding="utf-8")
    config = walk_config(tmp_path)
    db = tmp_path / "db.sqlite"
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
    assert first.returncode == 0, first.stderr[-2000:]
    assert stored_ids(db) == set(ids) - set(failing)
    report = thaigov_report(db)
    assert {entry["url"].removeprefix(site.base_url) for entry in report["errors"]} == {
        article_path("thaigov", article_id) for article_id in failing
    }  # not a clean crawl
    assert report["not_article"] == MISS_LIMIT
    for article_id, path in pages.items():  # the maintenance is over
        path.write_text(articles[article_id], encoding="utf-8")
    with FixtureSite(root) as site:
        second = crawl_without_start_id(site.base_url, db, config)
        asked = asked_ids(site)
    assert second.returncode == 0, second.stderr[-2000:]
    assert set(failing) <= set(asked)
    assert stored_ids(db) == set(ids)


def test_a_walk_over_ids_that_all_look_like_articles_stops_at_walk_limit_and_goes_on(tmp_path):
    """A site answering every id past its newest article with that article's page had the
    walk store each and go on as long as the site answered: one crawl asks ``walk_limit``
    ids at most, and the next goes on from the highest id stored, none skipped."""
    ids = manifest()["thaigov_ids"]
    newest = max(ids)
    root = copy_site(tmp_path)
    page = (root / page_file(article_path("thaigov", newest))).read_bytes()
    for article_id in range(newest + 1, newest + 101):
        (root / page_file(article_path("thaigov", article_id))).write_bytes(page)
    config = walk_config(tmp_path, "walk_limit = 30\n")
    db = tmp_path / "db.sqlite"
    with FixtureSite(root) as site:  # from --start-id 87360: 87360 to 87389
        first = crawl(site.base_url, db, config, "--source", "thaigov")
        asked_first = asked_ids(site)
    assert first.returncode == 0, first.stderr[-2000:]
    assert sorted(set(asked_first)) == list(range(87360, 87390))
    assert "the id walk stops at 87389, sites.thaigov.walk_limit (30)" in first.stderr
    assert stored_ids(db) == {article_id for article_id in ids if article_id <= 87389}
    with FixtureSite(root) as site:  # from 87390, after the highest stored: to 87419
        second = crawl_without_start_id(site.base_url, db, config)
        asked_second = asked_ids(site)
    assert second.returncode == 0, second.stderr[-2000:]
    walked = [article_id for article_id in asked_second if article_id >= 87390]
    assert sorted(walked) == list(range(87390, 87420))
    assert stored_ids(db) == set(ids) | set(range(newest + 1, 87420))


def test_search_results_past_the_walk_limit_are_left_for_the_next_crawl(tmp_path):
    """Stored at once, a search result past the walk's limit (87382, 87393) made the next
    walk start past it, the ids between never asked: left, the next crawl walks to them."""
    ids = manifest()["thaigov_ids"]
    config = searching_walk_config(tmp_path, "walk_limit = 12\n")
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:  # from --start-id 87360: 87360 to 87371
        first = crawl(site.base_url, db, config, "--source", "thaigov")
        asked_first = asked_ids(site)
    assert first.returncode == 0, first.stderr[-2000:]
    assert max(asked_first) == 87371
    assert "4 ids search results link are past the id walk's limit (87372 to 87393)" in (
        first.stderr
    )
    assert stored_ids(db) == {article_id for article_id in ids if article_id <= 87371}
    with FixtureSite() as site:  # from 87372: to 87383, the search results in it fetched
        second = crawl_without_start_id(site.base_url, db, config)
    assert second.returncode == 0, second.stderr[-2000:]
    assert stored_ids(db) == {article_id for article_id in ids if article_id <= 87383}


def test_search_results_past_the_walk_limit_are_fetched_when_the_walk_ends_short_of_it(
    tmp_path,
):
    """Ids with no article before them end the walk, no run-away: the search results past
    its limit are fetched up to walk_limit ids past where it ended, and the walk goes on
    over the ids between and past them that far; the next crawl goes on to the rest."""
    ids = manifest()["thaigov_ids"]
    gap = list(range(87360, 87380))
    unpublished = FaultRule(path=ids_path(gap), fault="soft404")
    config = searching_walk_config(tmp_path, "walk_limit = 12\n")
    db = tmp_path / "db.sqlite"
    with FixtureSite(faults=FaultPlan(rules=[unpublished])) as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
        asked = asked_ids(site)
    assert first.returncode == 0, first.stderr[-2000:]
    ended = 87359 + MISS_LIMIT  # the misses that ended the walk
    assert ended < max(asked) <= ended + 12, max(asked)  # walk_limit past its end at most
    assert "past the id walk's limit" in first.stderr  # the search results further on
    for _ in range(3):
        with FixtureSite(faults=FaultPlan(rules=[unpublished])) as site:
            later = crawl_without_start_id(site.base_url, db, config)
        assert later.returncode == 0, later.stderr[-2000:]
    assert stored_ids(db) == {article_id for article_id in ids if article_id >= 87380}


def test_a_search_result_linking_a_far_id_adds_walk_limit_ids_to_the_walk_at_most(tmp_path):
    """The search results far past where the walk ended (``--start-id`` far below them, a
    mistyped link) were all fetched, and each a hit, the walk asked every id up to them."""
    config = searching_walk_config(tmp_path, "walk_limit = 12\n")
    db = tmp_path / "db.sqlite"
    with FixtureSite() as site:
        args = ["--base-url", site.base_url, "--db", str(db), "--config", str(config)]
        result = run_thaidigest("crawl", "--source", "thaigov", "--start-id", "87000", *args)
        asked = asked_ids(site)
    assert result.returncode == 0, result.stderr[-2000:]
    assert max(asked) <= 87000 + 12 + MISS_LIMIT + 12, max(asked)
    assert "past the id walk's limit" in result.stderr
    assert not stored_ids(db)  # none above ids never asked: the next walk starts below them


def test_ids_imported_above_the_base_are_passed_unasked_and_not_counted_in_the_walk_limit(
    tmp_path,
):
    """More imported ids above the highest fetched one than walk_limit: each crawl walked
    over them to its limit, asked nothing, and no new article was ever stored again."""
    ids = sorted(manifest()["thaigov_ids"])
    config = walk_config(tmp_path, "walk_limit = 5\n")
    db = tmp_path / "db.sqlite"
    first_ids = [article_id for article_id in ids if article_id <= ids[0] + 2]
    later = FaultRule(path=ids_path([i for i in range(ids[0], 87500) if i not in first_ids]),
                      fault="status", status=404)  # fmt: skip
    with FixtureSite(faults=FaultPlan(rules=[later])) as site:
        crawl(site.base_url, db, config, "--source", "thaigov")
    top = max(stored_ids(db))
    imported = range(top + 1, top + 9)  # 8 ids, over the limit of 5
    corpus = tmp_path / "imported.jsonl"
    corpus.write_text(
        "".join(
            json.dumps(
                {
                    "url": f"https://www.thaigov.go.th/news/contents/details/{i}",
                    "title": f"ข่าว {i}",
                    "body": "เนื้อหาข่าวนำเข้า " * 20,
                    "published": "2024-08-20",
                },
                ensure_ascii=False,
            )
            + "\n"
            for i in imported
        ),
        encoding="utf-8",
    )
    assert run_thaidigest("import", str(corpus), "--db", str(db)).returncode == 0
    with FixtureSite() as site:
        result = crawl_without_start_id(site.base_url, db, config)
        asked = asked_ids(site)
    assert result.returncode == 0, result.stderr[-2000:]
    after = {article_id for article_id in ids if top + 8 < article_id <= top + 8 + 5}
    assert after and after <= stored_ids(db), sorted(stored_ids(db))
    assert not set(imported) & set(asked)


def test_ids_a_walk_stopped_by_a_rate_limit_left_behind_are_asked_by_the_next_crawl(tmp_path):
    """The walk asks its highest ids first: a crawl stopped part-way had fetched ids far
    above some it never asked, and the next crawl, starting above the highest fetched,
    looked only recheck_window ids below it; the articles left behind were never stored."""
    ids = manifest()["thaigov_ids"]
    config = walk_config(tmp_path, "recheck_window = 2\ngap_window = 0\n")
    db = tmp_path / "db.sqlite"
    every_article = THAIGOV_ARTICLE_PATH.format(id=r"\d+")
    limit = FaultRule(path=f"^{every_article}$", fault="retry_after", after=12)
    with FixtureSite(faults=FaultPlan(rules=[limit])) as site:
        crawl(site.base_url, db, config, "--source", "thaigov")
    stopped = thaigov_report(db)
    assert (stopped["status"], stopped["walk_start"]) == ("blocked", FIRST_THAIGOV_ID)
    assert stored_ids(db) < set(ids)
    with FixtureSite() as site:  # the limit is over
        second = crawl_without_start_id(site.base_url, db, config)
    assert second.returncode == 0, second.stderr[-2000:]
    assert stored_ids(db) == set(ids)
    second_report = thaigov_report(db)  # clean: the crawl after it looks back no further
    assert (second_report["status"], second_report["errors"]) == ("ok", [])


def test_articles_past_a_run_of_unpublished_ids_longer_than_miss_limit_are_found(tmp_path):
    """30 ids with no article (reserved for drafts, a batch withdrawn), more than miss_limit
    (20), ended every crawl's walk at its start: the articles past them were never asked.
    A walk that finds nothing probes 5 ids past its end, 10, 20, 40, 80 and 160 past it."""
    newest = max(manifest()["thaigov_ids"])  # 87400
    after_hole = range(newest + 31, newest + 46)  # 87431 to 87445
    root = copy_site(tmp_path)
    page = (root / page_file(article_path("thaigov", newest))).read_bytes()
    for article_id in after_hole:
        (root / page_file(article_path("thaigov", article_id))).write_bytes(page)
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[sites.thaigov]\n", "[sites.thaigov]\nsearch_keywords = []\n"))
    db = tmp_path / "db.sqlite"
    with FixtureSite(root) as site:  # from --start-id 87360: articles found, no probe
        first = crawl(site.base_url, db, config, "--source", "thaigov")
        asked_first = asked_ids(site)
    assert first.returncode == 0, first.stderr[-2000:]
    assert max(asked_first) == 87420  # 20 misses past the newest article
    assert max(stored_ids(db)) == newest
    with FixtureSite(root) as site:  # from 87401: nothing to 87420, so probes
        second = crawl_without_start_id(site.base_url, db, config)
        asked_second = asked_ids(site)
    assert second.returncode == 0, second.stderr[-2000:]
    assert set(after_hole) <= stored_ids(db)
    # The probes 87430 (none), 87440 (an article), 87460, 87500 and 87580 (none); the walk
    # goes on over the hole and to 20 ids past the newest article, 87445.
    walked = {article_id for article_id in asked_second if article_id > newest}
    assert walked == set(range(87401, 87466)) | {87500, 87580}
    assert thaigov_report(db)["errors"] == []
