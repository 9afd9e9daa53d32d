import re
from datetime import date
from html.parser import HTMLParser

from digest.publish import build_digest
from digest.select import Week
from tests.digest import (
    article,
    file_import_and_its_mdes_copy,
    ingest,
    link_of,
    mark,
    settings,
)


class Elements(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(html):
    parser = Elements()
    parser.feed(html)
    return parser.tags


def build_two_weeks(store, out):
    raw = article(1, "ASEAN digital ministers meet")
    ingest(store, [raw], "2024-08-20T03:00")
    mark(store, raw, topics=["asean"])
    build_digest(store, out, Week(2024, 33), settings())
    build_digest(store, out, Week(2024, 34), settings())


def test_index_lists_digests_newest_first_and_links_every_feed(store, tmp_path):
    out = tmp_path / "public"
    build_two_weeks(store, out)
    tags = elements((out / "index.html").read_text())
    links = [attrs["href"] for tag, attrs in tags if tag == "a"]
    digest_pages = [href for href in links if href.endswith(".html")]
    # The newest week heads the latest items, then the list of weeks, newest first.
    assert digest_pages == [
        "digests/2024-W34.html",
        "digests/2024-W34.html",
        "digests/2024-W33.html",
    ]
    feeds = sorted(
        path.relative_to(out).as_posix()
        for path in [*out.glob("*.*"), *out.glob("topics/*"), *out.glob("partners/*")]
        if path.suffix in (".rss", ".atom")
    )
    assert sorted(href for href in links if href.endswith((".rss", ".atom"))) == feeds
    for href in digest_pages + feeds:
        assert (out / href).is_file()


def test_index_has_autodiscovery_viewport_lang_and_no_external_asset(store, tmp_path):
    out = tmp_path / "public"
    build_two_weeks(store, out)
    tags = elements((out / "index.html").read_text())
    alternates = {
        (attrs["type"], attrs["href"])
        for tag, attrs in tags
        if tag == "link" and attrs.get("rel") == "alternate"
    }
    assert ("application/rss+xml", "feed.rss") in alternates
    assert ("application/atom+xml", "feed.atom") in alternates
    assert ("application/atom+xml", "digests.atom") in alternates
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in tags
    assert tags[0] == ("html", {"lang": "en"})
    assert any(attrs.get("lang") == "th" for _, attrs in tags[1:])
    assert not any(tag in ("script", "img", "iframe") for tag, _ in tags)
    assets = [attrs for tag, attrs in tags if tag != "a"]  # links to articles may leave
    assert all(not attrs.get("href", "").startswith(("http:", "https:", "//")) for attrs in assets)
    assert all(not attrs.get("src") for attrs in assets)
    assert "<style>" in (out / "index.html").read_text()


def test_each_digest_has_its_own_page_linking_back(store, tmp_path):
    out = tmp_path / "public"
    build_two_weeks(store, out)
    page = (out / "digests" / "2024-W34.html").read_text()
    assert '<a href="../index.html">' in page
    assert "<h1>thaidigest: Thai digital-economy cooperation news: week 2024-W34</h1>" in page
    assert "ASEAN digital ministers meet" in page


def test_index_shows_the_latest_digests_items_above_the_weeks(store, tmp_path):
    out = tmp_path / "public"
    build_two_weeks(store, out)
    thai = article(2, "ดีอี ลงนามความร่วมมือ AI กับญี่ปุ่น", "ย่อหน้าแรกของข่าว\nย่อหน้าที่สอง", date(2024, 8, 22))
    ingest(store, [thai], "2024-08-22T03:00")
    mark(store, thai, relevance=0.9, topics=["ai", "bilateral"])
    build_digest(store, out, Week(2024, 34), settings())
    build_digest(store, out, Week(2024, 33), settings())  # a past week rebuilt last
    html = (out / "index.html").read_text(encoding="utf-8")
    latest = html.index("<h2>Latest digest: ")
    assert latest < html.index("<h2>Weekly digests</h2>")
    section = html[latest : html.index("</section>", latest)]
    heading = section[: section.index("</h2>")]
    # the newest digest's week, over by now: not "this week"
    assert re.sub("<[^>]*>", "", heading) == "Latest digest: 2024-W34 19–25 August 2024"
    assert '<a href="digests/2024-W34.html">2024-W34</a>' in section
    headlines = re.findall(r"<h3(?: lang=\"th\")?>(.*?)</h3>", section)
    assert headlines == [  # in the digest's order: the ASEAN section comes before AI
        f'<a href="{link_of(article(1, ""))}">ASEAN digital ministers meet</a>',
        f'<a href="{link_of(thai)}">ดีอี ลงนามความร่วมมือ AI กับญี่ปุ่น</a>',
    ]
    assert "thaigov.go.th · 2024-08-22 · Artificial intelligence, Bilateral relations" in section
    assert '<p lang="th">ย่อหน้าแรกของข่าว ย่อหน้าที่สอง</p>' in section  # the lede


def test_the_latest_items_label_a_file_import_by_the_site_it_links_to(store, tmp_path):
    raw, web = file_import_and_its_mdes_copy()
    ingest(store, [raw, web], "2024-08-23T10:00")
    mark(store, raw, topics=["mou"])
    mark(store, web, duplicate_of=raw)
    out = tmp_path / "public"
    build_digest(store, out, Week(2024, 34), settings())
    html = (out / "index.html").read_text(encoding="utf-8")
    section = html[html.index("<h2>Latest digest: ") :]
    assert re.findall(r'<h3><a href="https://([^/"]*)/', section) == ["www.mdes.go.th"]
    assert "mdes.go.th · 2024-08-21" in section
    assert "file" not in section.split("</section>")[0]


def test_a_topic_named_with_control_characters_is_cleaned_on_the_archive_page(store, tmp_path):
    """The name comes from the user's rules file: the page's feed list and head links
    showed its direction override and control character, where every feed cleaned them."""
    raw = article(1, "ดีอี หารือทวิภาคีกับญี่ปุ่น ด้านปัญญาประดิษฐ์", "ปลัดกระทรวงฯ หารือกับรัฐบาลญี่ปุ่น")
    ingest(store, [raw], "2024-08-20T03:00")
    mark(store, raw, topics=["a\u202eb\u0001"])
    out = tmp_path / "public"
    build_digest(store, out, Week(2024, 34), settings())
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'title="Topic: ab (Atom)"' in index
    assert "<li>Topic: ab: " in index
    assert "\u202e" not in index and "\u0001" not in index
