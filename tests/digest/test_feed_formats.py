"""JSON Feed 1.1, the OPML feed list, autodiscovery, entries' languages and links, read back
as readers read them."""

import calendar
import json
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin
from xml.etree import ElementTree

import feedparser
import pytest
from sqlalchemy import update

from digest.feeds import Entry, FeedInfo, render_atom, render_json, render_rss, stable_id
from digest.publish import build_digest
from digest.select import Week
from tests.conftest import seed_path
from tests.digest import article, ingest, mark, read_as_html, settings, url_of
from thaidigest.model import RawArticle
from thaidigest.readers import read_text_file
from thaidigest.store import articles
from thaidigest.urls import canonical_url, served_url

W34 = Week(2024, 34)
SITE = "https://digest.example.org/thai/"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
EDITED_BEFORE = "ที่ประชุมอนุมัติงบประมาณ 5,000 ล้านบาท\nความร่วมมือกับญี่ปุ่นด้านปัญญาประดิษฐ์"


@pytest.fixture
def out(store, tmp_path):
    raws = [
        article(1, "ดีอี ร่วมมือญี่ปุ่น", EDITED_BEFORE, date(2024, 8, 14)),
        article(2, "ASEAN digital ministers meet", "Ministers met.", date(2024, 8, 21)),
        article(3, "Undated", "From a file."),
    ]
    ingest(store, raws, "2024-08-14T03:00")
    edited = article(
        1, "ดีอี ร่วมมือญี่ปุ่น", EDITED_BEFORE.replace("5,000", "6,000"), raws[0].published_hint
    )
    ingest(store, [edited], "2024-08-22T03:00")
    mark(store, raws[0], topics=["ai", "bilateral"])
    mark(store, raws[1], topics=["asean"])
    mark(store, raws[2], topics=["ai"])
    folder = tmp_path / "public"
    build_digest(store, folder, W34, settings(site_url=SITE))
    return folder


def feed_files(folder, suffix):
    return sorted(folder.glob(f"**/*.{suffix}"))


def test_every_feed_in_every_format_parses_cleanly(out):
    files = [*feed_files(out, "rss"), *feed_files(out, "atom")]
    written = {path.relative_to(out).as_posix() for path in [*files, *feed_files(out, "json")]}
    assert written >= {
        "feed.rss",
        "feed.atom",
        "feed.json",
        "digests.atom",
        "topics/ai.atom",
        "topics/ai.json",
        "partners/country-jp.atom",
        "partners/country-jp.json",
    }
    for path in files:  # feedparser 6.0 reads RSS and Atom; JSON Feed is checked below
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))


def check_json_feed(document, feed_url):
    """The JSON Feed 1.1 spec's required fields, and the types of the optional ones used."""
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(document["title"], str) and document["title"]
    assert isinstance(document["items"], list)
    assert document["feed_url"] == feed_url
    assert document["home_page_url"] == SITE
    for author in document.get("authors", []):
        assert isinstance(author["name"], str)
    ids = [item["id"] for item in document["items"]]
    assert len(set(ids)) == len(ids)
    for item in document["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert "content_html" in item or "content_text" in item, item
        for key in ("content_html", "content_text", "url", "title", "summary", "language"):
            assert isinstance(item.get(key, ""), str), key
        for key in ("date_published", "date_modified"):
            assert RFC3339.match(item[key]), item[key]
        assert all(isinstance(tag, str) for tag in item.get("tags", []))
        assert item.get("url", "https:").startswith("https:")


def test_json_feeds_meet_the_1_1_spec_and_carry_the_atom_ids(out):
    for path in feed_files(out, "json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        check_json_feed(document, urljoin(SITE, path.relative_to(out).as_posix()))
        atom = feedparser.parse(path.with_suffix(".atom").read_bytes())
        assert [item["id"] for item in document["items"]] == [e.id for e in atom.entries], path
    document = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    rss = feedparser.parse((out / "feed.rss").read_bytes())
    assert [item["id"] for item in document["items"]] == [entry.id for entry in rss.entries]
    titles = [item["title"] for item in document["items"]]
    assert "แก้ไข: ดีอี ร่วมมือญี่ปุ่น" in titles  # the revision entry, as in RSS and Atom
    revision = document["items"][titles.index("แก้ไข: ดีอี ร่วมมือญี่ปุ่น")]
    assert "<del>5,000</del> → <ins>6,000</ins> ล้านบาท" in revision["content_html"]
    plain = next(item for item in document["items"] if item["title"] == "Undated")
    # Its text says the date it carries is when it was found.
    assert (
        plain["content_text"] == plain["summary"] == "(date unknown, found 2024-08-14) From a file."
    )


def test_the_opml_file_gives_a_site_in_thai_as_uris_as_rss_does(store, tmp_path):
    # An OPML importer fetches each xmlUrl as it reads it, and a client that takes only
    # URIs (Python's urllib: UnicodeEncodeError) cannot fetch an address holding Thai: the
    # host in its IDNA form and the path percent-encoded, as RSS writes its links.
    raw = article(2, "ASEAN digital ministers meet", "Ministers met.", date(2024, 8, 21))
    ingest(store, [raw], "2024-08-21T03:00")
    mark(store, raw, topics=["asean"])
    out = tmp_path / "public"
    build_digest(store, out, W34, settings(site_url="https://ตัวอย่าง.ไทย/ข่าว/"))
    outlines = ElementTree.fromstring((out / "feeds.opml").read_bytes()).findall("body/outline")
    site = "https://xn--72c1a1bt4awk9o.xn--o3cw4h/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7/"
    assert [outline.get("xmlUrl") for outline in outlines[:2]] == [
        f"{site}feed.atom",
        f"{site}digests.atom",
    ]
    assert {outline.get("htmlUrl") for outline in outlines} == {site}
    assert all(outline.get("xmlUrl").isascii() for outline in outlines)


def test_the_opml_file_lists_every_feed_once(out):
    root = ElementTree.fromstring((out / "feeds.opml").read_bytes())
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.find("head/title").text
    outlines = root.findall("body/outline")
    listed = [outline.get("xmlUrl") for outline in outlines]
    assert len(listed) == len(set(listed))
    for outline in outlines:
        assert outline.get("type") == "rss" and outline.get("text")
        assert outline.get("htmlUrl") == SITE
    feeds = {
        path.with_suffix("")
        for suffix in ("rss", "atom", "json")
        for path in feed_files(out, suffix)
    }
    # Each feed once, in Atom: a reader importing the list subscribes to each feed once.
    assert sorted(listed) == sorted(
        urljoin(SITE, path.relative_to(out).as_posix() + ".atom") for path in feeds
    )
    for url in listed:
        path = out / url.removeprefix(SITE)
        assert feedparser.parse(path.read_bytes()).bozo == 0


class HeadLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") in ("alternate", "outline"):
            self.links.append((attrs["type"], attrs["href"], attrs["title"]))


def head_links(path):
    parser = HeadLinks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


def test_every_page_names_its_feeds_for_autodiscovery(out):
    index = head_links(out / "index.html")
    hrefs = {href for _, href, _ in index}
    files = [*feed_files(out, "rss"), *feed_files(out, "atom"), *feed_files(out, "json")]
    assert hrefs == {path.relative_to(out).as_posix() for path in files} | {"feeds.opml"}
    assert ("application/feed+json", "feed.json") in {(kind, href) for kind, href, _ in index}
    assert len({title for _, _, title in index}) == len(index)  # each told apart by its title
    page = out / "digests" / "2024-W34.html"
    found = {(kind, href) for kind, href, _ in head_links(page)}
    assert found == {
        ("application/rss+xml", "../feed.rss"),
        ("application/atom+xml", "../feed.atom"),
        ("application/feed+json", "../feed.json"),
        ("application/atom+xml", "../digests.atom"),
    }
    for _, href in found:
        assert (page.parent / href).resolve().is_file()


# Headlines whose text feedparser (and readers built like it) would take for HTML in an
# RSS title: a closing tag, or a character reference of HTML.
MARKUP_HEADLINES = (
    'ดีอี ลงนาม <a href="x">MoU</a> กับญี่ปุ่น',
    "ข่าว <b>ด่วน</b> ASEAN",
    "R&amp;D ด้าน AI &copy; 2024",
    "5 < 6 &#x41; & AT&T",
)


def shown(detail):
    """What a reader shows of a feedparser text construct: no tag of its own, and the text."""
    if detail.type == "text/plain":
        return [], detail.value
    assert detail.type == "text/html", detail
    return read_as_html(detail.value)


def markup_feeds(tmp_path):
    """An RSS, an Atom and a JSON feed, written, whose entries and own title hold markup."""
    moment = datetime(2024, 8, 21, 3, tzinfo=UTC)
    entries = [
        Entry(f"urn:uuid:{n}", title, f"https://e.example/{n}", moment, moment, summary=title)
        for n, title in enumerate(MARKUP_HEADLINES)
    ]
    feed = FeedInfo("urn:uuid:f", "ข่าว <b>ไทย</b> R&amp;D", "<i>สรุป</i>", SITE, SITE, moment)
    written = {}
    for suffix, render in (("rss", render_rss), ("atom", render_atom), ("json", render_json)):
        written[suffix] = tmp_path / f"feed.{suffix}"
        written[suffix].write_bytes(render(feed, entries))
    return written


@pytest.mark.parametrize("suffix", ["rss", "atom"])
def test_a_headline_that_reads_as_markup_shows_as_written_in_rss_and_atom(tmp_path, suffix):
    parsed = feedparser.parse(markup_feeds(tmp_path)[suffix].read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert shown(parsed.feed.title_detail) == ([], "ข่าว <b>ไทย</b> R&amp;D")
    assert shown(parsed.feed.subtitle_detail) == ([], "<i>สรุป</i>")
    assert [shown(entry.title_detail) for entry in parsed.entries] == [
        ([], title) for title in MARKUP_HEADLINES
    ]
    assert [shown(entry.summary_detail) for entry in parsed.entries] == [
        ([], title) for title in MARKUP_HEADLINES
    ]


def test_a_headline_that_reads_as_markup_is_plain_text_in_json_feed(tmp_path):
    document = json.loads(markup_feeds(tmp_path)["json"].read_text(encoding="utf-8"))
    assert document["title"] == "ข่าว <b>ไทย</b> R&amp;D"
    assert [item["title"] for item in document["items"]] == list(MARKUP_HEADLINES)  # text


def test_a_stored_headline_with_markup_shows_as_written_in_every_feed(store, tmp_path):
    raws = [
        article(n, title, "เนื้อหา", date(2024, 8, 21))
        for n, title in enumerate(MARKUP_HEADLINES[:2], start=1)
    ]
    ingest(store, raws, "2024-08-21T03:00")
    for raw in raws:
        mark(store, raw, topics=["mou"])
    out = tmp_path / "public"
    build_digest(store, out, W34, settings(site_url=SITE))
    headlines = {raw.title for raw in raws}
    for path in [*feed_files(out, "rss"), *feed_files(out, "atom")]:
        if path.name != "digests.atom":  # the digests' own titles
            parsed = feedparser.parse(path.read_bytes())
            for entry in parsed.entries:
                tags, title = shown(entry.title_detail)
                assert tags == [] and title in headlines, path
    for name in ("feed.rss", "feed.atom"):
        parsed = feedparser.parse((out / name).read_bytes())
        titles = {shown(entry.title_detail)[1] for entry in parsed.entries}
        assert titles == headlines, name
    document = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert {item["title"] for item in document["items"]} == headlines


def test_a_headline_that_does_not_read_as_markup_is_written_as_text_in_rss(tmp_path):
    """A reader that shows an RSS title as text shows R&D, not R&amp;D: only a title
    that reads as markup is escaped for the readers that guess."""
    moment = datetime(2024, 8, 21, 3, tzinfo=UTC)
    title = "ความร่วมมือ R&D ด้าน AI กับ AT&T: 5 < 6"
    entry = Entry("urn:uuid:1", title, "https://e.example/1", moment, moment)
    feed = FeedInfo("urn:uuid:f", "ข่าว R&D", "สรุป", SITE, SITE, moment)
    channel = ElementTree.fromstring(render_rss(feed, [entry])).find("channel")
    assert channel.findtext("title") == "ข่าว R&D"
    assert channel.find("item").findtext("title") == title  # the text itself, once escaped
    parsed = feedparser.parse(render_rss(feed, [entry]))
    assert shown(parsed.entries[0].title_detail) == ([], title)


# The headlines of the seed articles 000 and 003 (English) and 001 (Thai).
APEC_SOM2 = (
    "APEC SOM2 Discusses Harnessing Future Digital Manpower and Unlocking the Future of"
    " Digital Society and Economy"
)
DIGITAL_COLLABORATION = "Thailand Boosts Digital Collaboration"
APEC_2024 = "ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญของเศรษฐกิจดิจิทัล"


def test_an_english_article_in_a_feed_in_thai_says_its_own_language(store, tmp_path):
    """An Atom entry in English in a feed in Thai has its own xml:lang, which readers render
    and hyphenate its text by; a Thai entry inherits the feed's. RSS has no language of an
    item: dc:language names it, as JSON Feed's item language does."""
    seeds = [read_text_file(seed_path(number)) for number in ("000", "001", "003")]
    ingest(store, seeds, "2024-08-23T10:00")
    with store.transaction() as conn:  # what relevance scoring would have set
        conn.execute(update(articles).values(relevant=True, relevance=0.5))
    out = tmp_path / "public"
    build_digest(store, out, W34, settings(site_url=SITE))
    expected = {APEC_SOM2: "en", DIGITAL_COLLABORATION: "en", APEC_2024: "th"}

    root = ElementTree.fromstring((out / "feed.atom").read_bytes())
    assert root.get(XML_LANG) == "th"
    own = {
        entry.findtext(f"{ATOM}title"): entry.get(XML_LANG) for entry in root.iter(f"{ATOM}entry")
    }
    assert own == {APEC_SOM2: "en", DIGITAL_COLLABORATION: "en", APEC_2024: None}
    atom = feedparser.parse((out / "feed.atom").read_bytes())
    assert atom.bozo == 0, atom.get("bozo_exception")
    shown_in = {entry.title: entry.title_detail.language for entry in atom.entries}
    assert shown_in == expected
    assert {entry.title: entry.summary_detail.language for entry in atom.entries} == expected
    rss = feedparser.parse((out / "feed.rss").read_bytes())
    assert {entry.title: entry.language for entry in rss.entries} == expected  # dc:language
    document = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert {item["title"]: item["language"] for item in document["items"]} == expected
    # The digests' feed is in English as its entries are: none says it again.
    digests = ElementTree.fromstring((out / "digests.atom").read_bytes())
    assert digests.get(XML_LANG) == "en"
    assert [entry.get(XML_LANG) for entry in digests.iter(f"{ATOM}entry")] == [None]


def test_an_rss_link_holding_thai_is_a_uri_of_the_stored_address(store, tmp_path):
    """RSS's link is a URI: Thai in an article's address (a row a database made before
    stored under its path as written) is percent-encoded there, and only there. What is
    stored, the entry's id (its RSS guid, not a link) and Atom's href (an IRI) stay the
    address as stored."""
    raw = RawArticle(
        url="https://www.thaigov.go.th/news/contents/ข่าว/รายละเอียด",
        source="thaigov",
        title="ดีอี ลงนาม MoU กับญี่ปุ่น",
        body="เนื้อหาข่าว",
        published_hint=date(2024, 8, 21),
    )
    ingest(store, [raw], "2024-08-23T10:00")
    mark(store, raw, topics=["mou"])
    stored = "https://thaigov.go.th/news/contents/ข่าว/รายละเอียด"
    with store.transaction() as conn:  # as a release before stored it (now percent-encoded)
        conn.execute(update(articles).where(articles.c.url == url_of(raw)).values(url=stored))
    out = tmp_path / "public"
    build_digest(store, out, W34, settings(site_url=SITE))

    item = ElementTree.fromstring((out / "feed.rss").read_bytes()).find("channel/item")
    link = item.findtext("link")
    assert link.isascii() and unquote(link) == served_url(stored)
    guid = item.find("guid")
    assert (guid.text, guid.get("isPermaLink")) == (stable_id(stored), "false")
    (rss_entry,) = feedparser.parse((out / "feed.rss").read_bytes()).entries
    assert (rss_entry.link, rss_entry.id) == (link, stable_id(stored))
    for path in (out / "feed.atom", out / "topics" / "mou.atom"):
        (atom_entry,) = feedparser.parse(path.read_bytes()).entries
        assert (atom_entry.link, atom_entry.id) == (served_url(stored), stable_id(stored)), path


def test_an_entrys_topics_are_ids_with_their_names_as_atom_labels(out):
    # Readers filter on the id and show Atom's label: the name the digest's heading shows.
    topics = f"{SITE}topics/"
    atom = feedparser.parse((out / "feed.atom").read_bytes())
    japan = next(entry for entry in atom.entries if entry.title == "ดีอี ร่วมมือญี่ปุ่น")
    assert [(tag.term, tag.scheme, tag.label) for tag in japan.tags] == [
        ("ai", topics, "Artificial intelligence · ปัญญาประดิษฐ์"),
        ("bilateral", topics, "Bilateral relations · ความสัมพันธ์ทวิภาคี"),
    ]
    channel = ElementTree.parse(out / "feed.rss").getroot().find("channel")
    item = next(item for item in channel.iter("item") if item.findtext("title") == japan.title)
    assert [(c.text, c.get("domain")) for c in item.iter("category")] == [
        ("ai", topics),
        ("bilateral", topics),
    ]
    rss = feedparser.parse((out / "feed.rss").read_bytes())
    assert [tag.term for tag in rss.entries[0].tags] == [tag.term for tag in atom.entries[0].tags]
    items = json.loads((out / "feed.json").read_bytes())["items"]
    assert next(item for item in items if item["title"] == japan.title)["tags"] == [
        "ai",
        "bilateral",
    ]


def test_an_articles_dates_are_written_in_bangkok_time_at_the_same_instant(out):
    # The Japan article is dated 14 August: 00:00 in Bangkok, 13 August 17:00 UTC. Written
    # in UTC, a reader showing the date as written showed the day before.
    day = datetime(2024, 8, 13, 17, tzinfo=UTC)
    stored = datetime(2024, 8, 22, 3, tzinfo=UTC)  # when its edit was stored (last changed)
    title = "ดีอี ร่วมมือญี่ปุ่น"
    atom = feedparser.parse((out / "feed.atom").read_bytes())
    rss = feedparser.parse((out / "feed.rss").read_bytes())
    for parsed in (atom, rss):
        entry = next(e for e in parsed.entries if e.title == title)
        assert calendar.timegm(entry.published_parsed) == day.timestamp()
        assert entry.id == stable_id(canonical_url(entry.link))  # the same entry
    entry = next(e for e in atom.entries if e.title == title)
    assert entry.published == "2024-08-14T00:00:00+07:00"
    assert entry.updated == "2024-08-22T10:00:00+07:00"
    assert calendar.timegm(entry.updated_parsed) == stored.timestamp()
    item = next(e for e in rss.entries if e.title == title)
    assert item.published == "Wed, 14 Aug 2024 00:00:00 +0700"
    items = json.loads((out / "feed.json").read_bytes())["items"]
    item = next(i for i in items if i["title"] == title)
    assert item["date_published"] == "2024-08-14T00:00:00+07:00"
    assert item["date_modified"] == "2024-08-22T10:00:00+07:00"
    assert datetime.fromisoformat(item["date_published"]) == day


def dates_written(path):
    """Every date a feed file writes, as it writes it."""
    if path.suffix == ".json":
        items = json.loads(path.read_bytes())["items"]
        return [item[key] for item in items for key in ("date_published", "date_modified")]
    tags = "updated|published|pubDate|lastBuildDate"
    return re.findall(rf"<(?:{tags})>([^<]+)</", path.read_text(encoding="utf-8"))


def test_every_date_of_every_feed_is_written_in_bangkok_time(out, store, tmp_path):
    """An empty feed's date and the digests' too, not only the articles' entries: a reader
    showing a date as written shows one convention, and W34's end as Monday 26 August."""
    empty = tmp_path / "empty"
    build_digest(store, empty, Week(2024, 30), settings(site_url=SITE))  # a week of no item
    files = [
        *(path for suffix in ("rss", "atom", "json") for path in feed_files(out, suffix)),
        *feed_files(empty, "rss"),
    ]
    written = {path: dates_written(path) for path in files}
    for path, dates in written.items():
        assert all(date.endswith(("+07:00", "+0700")) for date in dates), (path, dates)
    assert written[out / "topics" / "cybersecurity.atom"] == ["2024-08-26T00:00:00+07:00"]
    assert written[empty / "feed.rss"] == ["Mon, 29 Jul 2024 00:00:00 +0700"]
    # The same instants as before: a week's end, Monday 00:00 in Bangkok.
    digests = feedparser.parse((out / "digests.atom").read_bytes())
    (entry,) = digests.entries
    assert entry.updated == entry.published == "2024-08-26T00:00:00+07:00"
    for moment in (digests.feed, entry):
        assert calendar.timegm(moment.updated_parsed) == W34.end().timestamp()
    empty_topic = feedparser.parse((out / "topics" / "cybersecurity.atom").read_bytes())
    assert calendar.timegm(empty_topic.feed.updated_parsed) == W34.end().timestamp()
    empty_rss = feedparser.parse((empty / "feed.rss").read_bytes())
    assert empty_rss.bozo == 0
    assert calendar.timegm(empty_rss.feed.updated_parsed) == Week(2024, 30).end().timestamp()
