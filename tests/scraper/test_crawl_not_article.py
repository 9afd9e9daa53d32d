"""Pages that answer 200 but are not articles (maintenance notices, the home page)
are never stored, never replace a stored article and never count as a walk hit."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from scraper.fixture_site import SOFT_404_FILE, FixtureSite, page_file
from tests.scraper.crawling import (
    copy_site,
    crawl,
    crawl_args,
    run_thaidigest,
    write_config,
)
from thaidigest.sites import THAIGOV_TITLE_PREFIX, article_path
from thaidigest.urls import public_url

PAGES = Path(__file__).parent / "pages"
MAINTENANCE = """<!DOCTYPE html><html lang="th"><head><meta charset="utf-8">
<title>ปิดปรับปรุงระบบ</title></head><body>
<div class="container"><div class="row"><div class="col-12"><h1>ปิดปรับปรุงระบบชั่วคราว</h1>
<p>ขออภัยในความไม่สะดวก เว็บไซต์อยู่ระหว่างการปรับปรุงระบบ
กรุณาเข้าใช้งานใหม่อีกครั้งในภายหลัง</p></div></div></div></body></html>"""
# What the site may answer for an id with no article: its home page (title "รัฐบาลไทย").
HOME_PAGE = """<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><title>รัฐบาลไทย</title>
</head><body><nav><ul><li><a href="/">หน้าหลัก</a></li><li><a href="/news">ข่าวสาร</a></li></ul></nav>
<div class="container main-content"><div class="row"><div class="col-md-8"><h2>ข่าวเด่น</h2>
<div class="news-item"><p>นายกรัฐมนตรีมอบนโยบายการพัฒนาเศรษฐกิจดิจิทัลแก่หน่วยงานภาครัฐทั่วประเทศ
เพื่อยกระดับบริการประชาชนด้วยเทคโนโลยีดิจิทัล และส่งเสริมการลงทุนในภูมิภาค</p></div>
<div class="news-item"><p>รัฐบาลเดินหน้าโครงการพัฒนาโครงสร้างพื้นฐานด้านคมนาคมเชื่อมโยงภูมิภาคอาเซียน
เพื่อการค้าการลงทุนที่ยั่งยืนและการท่องเที่ยวของประเทศไทยในระยะยาว</p></div>
</div></div></div><footer><p>สำนักเลขาธิการนายกรัฐมนตรี</p></footer></body></html>"""
# The fixture's article 87382 with every class renamed: only the fallback reads it.
RENAMED = (PAGES / "thaigov" / "article_renamed_classes.html").read_text(encoding="utf-8")
RENAMED_HEADLINE = "ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญของเศรษฐกิจดิจิทัล"
ARTICLE_ID = re.compile(r"/(\d+)$")


def stored_rows(db: Path) -> dict[str, tuple]:
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            "select url, title, body, versions, extraction, content_hash from articles"
        ).fetchall()
    finally:
        connection.close()
    return {row[0]: row[1:] for row in rows}


def reports(db: Path) -> dict[str, dict]:
    """The last crawl report of each site."""
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute("select source, report from crawl_runs order by id").fetchall()
    finally:
        connection.close()
    return {source: json.loads(report) for source, report in rows}


def test_a_crawl_of_a_site_in_maintenance_stores_nothing_and_changes_no_article(tmp_path):
    root = copy_site(tmp_path)
    db = tmp_path / "db.sqlite"
    config = write_config(tmp_path)
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config)
        assert first.returncode == 0, first.stderr[-2000:]
        before = stored_rows(db)
        assert before
        for page in root.rglob("*.html"):
            page.write_text(MAINTENANCE, encoding="utf-8")
        second = crawl(site.base_url, db, config)
    assert stored_rows(db) == before
    assert second.stdout.count("new 0, updated 0,") == 2, second.stdout
    for source, report in reports(db).items():
        assert report["errors"], source  # not a clean crawl: the next one looks further back
        assert all("maintenance or error notice" in e["error"] for e in report["errors"])


def test_a_stored_article_answered_with_the_template_headlined_by_a_notice_is_kept(tmp_path):
    """A stored article's page answering the site's template with a notice for headline
    and title (an apology under it) was read by the selectors: a new version of the
    article, headlined with the notice, and a clean crawl."""
    root = copy_site(tmp_path)
    db = tmp_path / "db.sqlite"
    config = write_config(tmp_path)
    notice = "ปิดปรับปรุงระบบชั่วคราว"
    template = (root / SOFT_404_FILE).read_text(encoding="utf-8")
    null_date = "วันพฤหัสบดีที่ 1 มกราคม 2513</p>"
    empty_headline = '<h3 class="news-1 Circular color2"></h3>'
    assert template.count(null_date) == 1 and template.count(empty_headline) == 1
    headlined = (
        template.replace("</title>", f"{notice}</title>", 1)
        .replace(empty_headline, empty_headline.replace("></h3>", f">{notice}</h3>"))
        .replace(null_date, f"{null_date}<p>ขออภัยในความไม่สะดวก กรุณากลับมาใหม่ภายหลัง</p>")
    )
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
        assert first.returncode == 0, first.stderr[-2000:]
        before = stored_rows(db)
        assert public_url("thaigov", "87382") in before
        path = article_path("thaigov", 87382)
        (root / page_file(path)).write_text(headlined, encoding="utf-8")
        crawl(site.base_url, db, config, "--source", "thaigov")
    assert stored_rows(db) == before
    errors = reports(db)["thaigov"]["errors"]
    assert [error["url"].removeprefix(site.base_url) for error in errors] == [path]
    assert "maintenance or error notice" in errors[0]["error"]


def test_the_walk_ends_after_miss_limit_home_pages(tmp_path):
    root = copy_site(tmp_path)
    (root / SOFT_404_FILE).write_text(HOME_PAGE, encoding="utf-8")
    db = tmp_path / "db.sqlite"
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[sites.thaigov]\n", "[sites.thaigov]\nmiss_limit = 5\n"))
    with FixtureSite(root) as site:
        result = run_thaidigest(
            *crawl_args(site.base_url, db, config, "--source", "thaigov"), timeout=90
        )
        asked = {
            int(match[1])
            for request in site.requests
            if (match := ARTICLE_ID.search(request.path)) and "/details/" in request.path
        }
    assert result.returncode == 0, result.stderr[-2000:]
    titles = {row[0] for row in stored_rows(db).values()}
    assert "รัฐบาลไทย" not in titles
    highest = max(int(url.rsplit("/", 1)[1]) for url in stored_rows(db))
    assert max(asked) == highest + 5
    assert reports(db)["thaigov"]["not_article"] >= 5


def test_an_article_read_by_the_fallback_is_stored_and_never_replaces_another_headline(
    tmp_path,
):
    root = copy_site(tmp_path)
    db = tmp_path / "db.sqlite"
    config = write_config(tmp_path)
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
        assert first.returncode == 0, first.stderr[-2000:]
        before = stored_rows(db)
        highest = max(int(url.rsplit("/", 1)[1]) for url in before)
        new_headline = "ดีอี ร่วมประชุม APEC 2025 เร่งความร่วมมือด้านดิจิทัล"
        (root / page_file(article_path("thaigov", highest + 1))).write_text(
            RENAMED.replace(RENAMED_HEADLINE, new_headline), encoding="utf-8"
        )
        # A stored article whose page now shows another headline to the fallback only:
        # a template shown for it by mistake, or a page that is not it.
        (root / page_file(article_path("thaigov", 87382))).write_text(
            RENAMED.replace(RENAMED_HEADLINE, "ประกาศรับสมัครงาน"), encoding="utf-8"
        )
        second = crawl(site.base_url, db, config, "--source", "thaigov")
    assert second.returncode == 0, second.stderr[-2000:]
    after = stored_rows(db)
    new = after[public_url("thaigov", str(highest + 1))]
    assert (new[0], new[3]) == (new_headline, "fallback")
    kept = public_url("thaigov", "87382")
    assert after[kept] == before[kept]
    errors = reports(db)["thaigov"]["errors"]
    assert [e["error"].split(":")[0] for e in errors] == ["suspicious page"]
    assert THAIGOV_TITLE_PREFIX not in new[0]


def test_a_page_read_once_by_the_fallback_between_selector_reads_makes_no_version(tmp_path):
    """A template hiccup (the headline's class renamed for one crawl) sends a stored
    article to the fallback extractor, which puts the category and date lines after the
    text: neither that crawl nor the next, back to the selectors, is an edit."""
    root = copy_site(tmp_path)
    db = tmp_path / "db.sqlite"
    config = write_config(tmp_path)
    path = root / page_file(article_path("thaigov", 87377))
    html = path.read_text(encoding="utf-8")
    hiccup = html.replace('class="news-1 Circular color2"', 'class="news-1x Circular color2"')
    assert hiccup != html
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config, "--source", "thaigov")
        assert first.returncode == 0, first.stderr[-2000:]
        before = stored_rows(db)
        path.write_text(hiccup, encoding="utf-8")
        by_fallback = crawl(site.base_url, db, config, "--source", "thaigov")
        path.write_text(html, encoding="utf-8")
        by_selectors = crawl(site.base_url, db, config, "--source", "thaigov")
    for result in (by_fallback, by_selectors):
        assert result.returncode == 0, result.stderr[-2000:]
        assert "new 0, updated 0," in result.stdout, result.stdout
    assert " fallback 1," in by_fallback.stdout
    assert stored_rows(db) == before
