"""Partners in the digest: the week's line, each item's meta line, a feed per partner."""

import feedparser
from markdown_it import MarkdownIt

from digest.publish import build_digest, partner_file
from digest.select import Week
from tests.digest import article, ingest, mark, settings, url_of

W34 = Week(2024, 34)


def build(store, tmp_path):
    japan = article(1, "ดีอี หารือทวิภาคีกับญี่ปุ่น ด้านปัญญาประดิษฐ์", "ปลัดกระทรวงฯ หารือกับรัฐบาลญี่ปุ่น")
    asean = article(2, "ดีอี ร่วมประชุมรัฐมนตรีอาเซียนด้านดิจิทัล", "การประชุมรัฐมนตรีอาเซียนด้านดิจิทัล")
    google = article(3, "ดีอี จับมือ กูเกิล และอาเซียน ปกป้องคนไทยจากภัยออนไลน์", "ร่วมกับกูเกิล")
    domestic = article(4, "ดีอี ประชุมคณะทำงานศูนย์ข้อมูล", "หน่วยงานภาครัฐร่วมประชุม")
    raws = [japan, asean, google, domestic]
    ingest(store, raws, "2024-08-20T03:00")
    for raw in raws:
        mark(store, raw, topics=["ai"])
    out = tmp_path / "public"
    return build_digest(store, out, W34, settings()), out, raws


def test_digest_counts_the_weeks_partners_under_the_summary(store, tmp_path):
    built, _, _ = build(store, tmp_path)
    lines = built.markdown.split("\n\n")
    summary = next(i for i, block in enumerate(lines) if block.startswith("4 items"))
    assert lines[summary + 1] == "Partners this week: ASEAN (2), Google (1), Japan (1)."


def test_each_item_names_its_partners_in_its_meta_line(store, tmp_path):
    built, _, _ = build(store, tmp_path)
    html = MarkdownIt("commonmark").render(built.markdown)
    assert "thaigov.go.th · 2024-08-20 · Thai · with Google, ASEAN" in html
    assert "thaigov.go.th · 2024-08-20 · Thai · with Japan" in html
    assert html.count(" · with ") == 3  # the domestic item names none


def test_a_feed_per_partner_listed_on_the_archive_page(store, tmp_path):
    _, out, (_, asean, google, _) = build(store, tmp_path)
    feeds = sorted(path.name for path in (out / "partners").iterdir())
    assert feeds == ["company-google.atom", "country-jp.atom", "org-asean.atom"]
    parsed = feedparser.parse((out / "partners" / "org-asean.atom").read_bytes())
    assert not parsed.bozo
    assert parsed.feed.title.endswith("with ASEAN")
    assert sorted(entry.link for entry in parsed.entries) == [url_of(asean), url_of(google)]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="partners/country-jp.atom"' in index and "Partner: Japan" in index


def test_partner_file_names_are_safe():
    assert partner_file("company:Thai Bankers' Association") == "company-thai-bankers-association"
    assert partner_file("country:JP") == "country-jp"
