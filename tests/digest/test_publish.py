import errno
import json
import os
import re
import subprocess
import sys
import threading
import uuid
from dataclasses import replace
from datetime import date, datetime
from html import unescape
from xml.etree import ElementTree

import feedparser
import pytest
from feedgen.feed import FeedGenerator
from sqlalchemy import update

from digest.feeds import (
    Entry,
    FeedInfo,
    atom_entries,
    digest_entry,
    empty_feed_updated,
    render_atom,
    render_dated_atom,
    render_rss,
    revision_id,
    stable_id,
)
from digest.markdown import lists_story, markdown_to_html, topic_name
from digest.ours import RECORD_BYTES, WRITTEN, load_written
from digest.publish import build_digest, merged, newest_kept
from digest.select import BANGKOK, OTHER_TOPIC, TOPIC_LABELS, Week
from tests.conftest import ROOT
from tests.digest import (
    ROBOTS_UNREACHABLE,
    article,
    at,
    crawled,
    ingest,
    link_of,
    mark,
    read_as_html,
    settings,
    url_of,
)
from thaidigest.config import merge
from thaidigest.readers import read_text_file
from thaidigest.store import articles
from thaidigest.urls import canonical_url

W33, W34 = Week(2024, 33), Week(2024, 34)
HOSTILE_TITLE = "Evil <b> & ] \x0b [x](http://evil) ความร่วมมือ"

THAI = article(1, "ดีอี ร่วมประชุม APEC 2024", "เนื้อหาข่าว ย่อหน้าแรก", date(2024, 8, 23))
ENGLISH = article(
    2, "ASEAN digital ministers meet", "Ministers met. They agreed.", date(2024, 8, 14)
)
HOSTILE = article(3, HOSTILE_TITLE, "Body with <tags> & [links](http://evil).", date(2024, 8, 21))
OLD = article(4, "Five weeks before", "Outside the feed window.", date(2024, 7, 17))
EARLIEST_IN_WINDOW = article(5, "Four weeks back", "Inside the window.", date(2024, 7, 29))
COPY = article(6, "ASEAN digital ministers meet (copy)", "Ministers met. They agreed.")


def written(text: str) -> str:
    """The UTC moment ``text`` (``2024-08-25T17:00``) as the feeds write it: in Bangkok time."""
    return at(text).astimezone(BANGKOK).isoformat()


@pytest.fixture
def filled(store):
    ingest(store, [THAI, ENGLISH, HOSTILE, OLD, EARLIEST_IN_WINDOW, COPY], "2024-08-23T10:00")
    mark(store, THAI, relevance=0.8, topics=["apec", "asean"])
    mark(store, ENGLISH, relevance=0.7, topics=["asean"])
    mark(store, HOSTILE, relevance=0.6, topics=["mou"])
    mark(store, OLD, relevance=0.9)
    mark(store, EARLIEST_IN_WINDOW, relevance=0.9)
    mark(store, COPY, duplicate_of=ENGLISH)
    return store


def parse(path):
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return parsed


def feed_files(folder):
    return sorted([*folder.glob("*.atom"), *folder.glob("*.rss"), *folder.glob("topics/*.atom")])


def test_every_feed_parses_and_its_entries_carry_title_link_id_and_dates(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings())
    files = feed_files(out)
    assert {path.name for path in files} >= {"feed.rss", "feed.atom", "digests.atom", "ai.atom"}
    for path in files:
        parsed = parse(path)
        for entry in parsed.entries:
            assert entry.title and entry.link and entry.id and entry.published_parsed, path
            if path.suffix == ".atom":
                assert entry.updated_parsed, path
    assert parse(out / "feed.rss").version == "rss20"
    assert parse(out / "feed.atom").version == "atom10"


def test_article_feeds_hold_relevant_representatives_of_the_last_four_weeks(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings())
    for name in ("feed.rss", "feed.atom"):
        parsed = parse(out / name)
        assert [entry.link for entry in parsed.entries] == [
            link_of(THAI),  # 23 August
            link_of(HOSTILE),  # 21 August
            link_of(ENGLISH),  # 14 August
            link_of(EARLIEST_IN_WINDOW),  # 29 July, Monday of week 31
        ]
    thai = parse(out / "feed.atom").entries[0]
    assert [tag.term for tag in thai.tags] == ["apec", "asean"]
    assert thai.language == "th"
    assert thai.summary == "เนื้อหาข่าว ย่อหน้าแรก"
    assert thai.published == "2024-08-23T00:00:00+07:00"  # 23 August, 00:00 in Bangkok
    assert thai.updated == "2024-08-23T17:00:00+07:00"  # stored at that moment, 10:00 UTC


ATOM_NS = "{http://www.w3.org/2005/Atom}"


def entries_written(out) -> dict[str, list[tuple[str, str | None, str | None]]]:
    """Every entry of every feed in ``out`` as written, by file: its id, its updated date
    (Atom and JSON Feed) and its link, each as the file holds it."""
    found = {}
    for path in sorted(out.rglob("*")):
        name = str(path.relative_to(out))
        if path.suffix == ".atom":
            root = ElementTree.fromstring(path.read_bytes())
            found[name] = [
                (
                    entry.findtext(f"{ATOM_NS}id"),
                    entry.findtext(f"{ATOM_NS}updated"),
                    entry.find(f"{ATOM_NS}link").get("href"),
                )
                for entry in root.iter(f"{ATOM_NS}entry")
            ]
        elif path.suffix == ".rss":
            items = ElementTree.fromstring(path.read_bytes()).iter("item")
            found[name] = [(i.findtext("guid"), None, i.findtext("link")) for i in items]
        elif path.suffix == ".json":
            items = json.loads(path.read_bytes())["items"]
            found[name] = [(i["id"], i["date_modified"], i.get("url")) for i in items]
    return found


def test_links_name_the_sites_www_host_and_every_feed_entry_keeps_its_id(
    filled, tmp_path, monkeypatch
):
    """Links went to the canonical address the store keys an article by, on a host
    without ``www.`` the sites do not serve their pages from (SITES.md: www.thaigov.go.th,
    www.mdes.go.th). They name the site's own host now, while every entry keeps its id and
    its updated date, byte for byte: a changed id would show subscribers every entry again."""
    thai_edited = replace(THAI, body="First paragraph, edited.\nSecond paragraph.")
    ingest(filled, [thai_edited], "2024-08-24T03:00")  # a revision entry too
    mark(filled, THAI, relevance=0.8, topics=["apec", "asean"])  # scored again: as it was
    out = tmp_path / "public"
    with monkeypatch.context() as before:  # as links were: the address as stored
        before.setattr("digest.clean.served_url", lambda url: url)
        build_digest(filled, out, W34, settings())
    was = entries_written(out)
    build_digest(filled, out, W34, settings())
    now = entries_written(out)

    assert was.keys() == now.keys() and {"feed.atom", "feed.rss", "feed.json"} <= now.keys()
    assert revision_id(url_of(THAI), 2) in [entry[0] for entry in now["feed.atom"]]
    links = {}
    for name in now:
        assert [entry[0] for entry in now[name]] == [entry[0] for entry in was[name]], name
        if name != "digests.atom":  # the week's digest entry: its text changed, its links
            assert [entry[1] for entry in now[name]] == [entry[1] for entry in was[name]], name
            links.update(zip([e[2] for e in was[name]], [e[2] for e in now[name]], strict=True))
    assert links[url_of(THAI)] == "https://www.thaigov.go.th/news/contents/details/1"
    assert all(new == old.replace("://", "://www.", 1) for old, new in links.items()), links


def test_a_digest_written_before_links_named_the_sites_host_still_lists_its_stories():
    """Its links are on the host the store keys them by (a past week's digest is never
    written again): explain still finds the story in it, as in one written now."""
    stored = url_of(THAI)
    for linked in (stored, "https://www.thaigov.go.th/news/contents/details/1"):
        assert lists_story(f"### [{THAI.title}](<{linked}>)\n", [stored], []), linked


def test_entry_ids_are_uuid5_of_the_canonical_url(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings())
    for name in ("feed.rss", "feed.atom"):
        for entry in parse(out / name).entries:
            # Linked on the host the site serves it from, named by the address stored.
            canonical = canonical_url(entry.link)
            assert entry.id == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, canonical)}"


def test_max_entries_keeps_the_newest(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings(max_entries=2))
    links = [entry.link for entry in parse(out / "feed.atom").entries]
    assert links == [link_of(THAI), link_of(HOSTILE)]


def test_max_entries_applies_to_each_feed_not_to_the_window(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings(max_entries=1))
    assert [entry.link for entry in parse(out / "feed.atom").entries] == [link_of(THAI)]
    # The newest item of the window (THAI) is not on "mou": its own newest still is.
    mou = parse(out / "topics" / "mou.atom").entries
    assert [entry.link for entry in mou] == [link_of(HOSTILE)]


def test_rebuilding_a_past_week_leaves_the_feeds_at_the_newest_digest(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings())
    newest_feeds = {name: (out / name).read_bytes() for name in ("feed.atom", "feed.rss")}
    build_digest(filled, out, W33, settings())
    assert (out / "digests" / "2024-W33.md").exists()
    for name, data in newest_feeds.items():
        assert (out / name).read_bytes() == data, name
    assert "2024-W34" in (out / "index.html").read_text(encoding="utf-8").split("<h2")[1]


def test_a_digest_built_for_a_week_to_come_does_not_hold_the_feeds_back(store, tmp_path):
    later = article(1, "Published in week 35", published=date(2024, 8, 28))
    ingest(store, [later], "2024-08-28T03:00")
    mark(store, later)
    out = tmp_path / "public"
    build_digest(store, out, Week(2024, 40), settings(), now=at("2024-08-27T03:00"))
    build_digest(store, out, Week(2024, 35), settings(), now=at("2024-09-02T03:00"))
    assert [entry.link for entry in parse(out / "feed.atom").entries] == [link_of(later)]


def test_feed_updated_is_its_newest_entry_not_the_clock(store, tmp_path):
    early, late = article(1, "Early", published=date(2024, 8, 19)), article(2, "Late")
    ingest(store, [early], "2024-08-19T03:00")
    ingest(store, [late], "2024-08-22T03:00")
    mark(store, early)
    mark(store, late)
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    assert parse(out / "feed.atom").feed.updated == "2024-08-22T10:00:00+07:00"  # 03:00 UTC
    # An empty topic feed is dated when the week ended: Monday 00:00 in Bangkok.
    assert parse(out / "topics" / "ai.atom").feed.updated == "2024-08-26T00:00:00+07:00"


def test_topic_feeds_hold_every_article_tagged_with_the_topic(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings())
    links = {
        name: [entry.link for entry in parse(out / "topics" / f"{name}.atom").entries]
        for name in ("apec", "asean", "mou", "ai")
    }
    assert links == {
        "apec": [link_of(THAI)],
        "asean": [link_of(THAI), link_of(ENGLISH)],
        "mou": [link_of(HOSTILE)],
        "ai": [],
    }


def test_hostile_title_keeps_feeds_valid_and_reads_as_written(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings())
    expected = " ".join(HOSTILE_TITLE.replace("\x0b", " ").split())
    for name in ("feed.rss", "feed.atom", "topics/mou.atom"):
        (entry,) = [e for e in parse(out / name).entries if e.link == link_of(HOSTILE)]
        if entry.title_detail.type == "text/html":  # RSS: HTML that shows the text
            assert read_as_html(entry.title) == ([], expected)
        else:
            assert entry.title == expected
    html = (out / "digests" / "2024-W34.html").read_text()
    assert 'href="http://evil"' not in html


def test_a_summary_with_markup_reads_as_written_in_rss_too(filled, tmp_path):
    # RSS readers take an item's description as HTML: "<tags>" must not become a tag.
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings())
    summaries = {
        name: next(e for e in parse(out / name).entries if e.link == link_of(HOSTILE)).summary
        for name in ("feed.rss", "feed.atom")
    }
    assert summaries["feed.atom"] == HOSTILE.body
    assert "<" not in summaries["feed.rss"]  # HTML that shows the text, not a tag
    assert unescape(summaries["feed.rss"]) == HOSTILE.body


def test_two_builds_give_byte_identical_files_and_the_second_writes_nothing(filled, tmp_path):
    first = build_digest(filled, tmp_path / "a", W34, settings())
    second = build_digest(filled, tmp_path / "b", W34, settings())
    names = [path.relative_to(tmp_path / "a") for path in first.files]
    assert names == [path.relative_to(tmp_path / "b") for path in second.files]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    again = build_digest(filled, tmp_path / "a", W34, settings())
    assert again.changed == ()
    assert not list((tmp_path / "a").rglob("*.tmp"))


def test_markdown_file_parses_and_names_every_item(filled, tmp_path):
    result = build_digest(filled, tmp_path / "public", W34, settings())
    markdown = (tmp_path / "public" / "digests" / "2024-W34.md").read_text()
    assert markdown == result.markdown
    html = markdown_to_html(markdown)
    # Two dated in the week, and one dated the week before but first seen in this one.
    assert result.items == 3
    for title in ("ดีอี ร่วมประชุม APEC 2024", "Evil &lt;b&gt; &amp; ] [x](http://evil)"):
        assert title in html
    assert "3 items (1 found late)" in markdown
    assert "2024-08-14 · English · found late on 2024-08-23" in markdown


def test_digests_feed_has_one_entry_per_digest_with_its_html(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W33, settings())
    build_digest(filled, out, W34, settings())
    entries = parse(out / "digests.atom").entries
    assert [entry.link for entry in entries] == [
        "http://127.0.0.1:8000/digests/2024-W34.html",
        "http://127.0.0.1:8000/digests/2024-W33.html",
    ]
    assert len({entry.id for entry in entries}) == 2
    assert "<h1>thaidigest: Thai digital-economy cooperation news: week 2024-W34</h1>" in (
        entries[0].content[0].value
    )
    assert entries[0].updated == "2024-08-26T00:00:00+07:00"  # when the week ended


def test_the_digests_feed_holds_the_newest_max_entries_digests_newest_first(filled, tmp_path):
    """``digest.max_entries`` caps every feed, the digests' too: with ``digest.weeks`` set
    high (up to 520), the digests feed would otherwise carry every digest built, each whole."""
    out = tmp_path / "public"
    for number in (31, 32, 33, 34):
        build_digest(filled, out, Week(2024, number), settings(max_entries=2, weeks=8))
    assert len(list((out / "digests").glob("*.md"))) == 4
    entries = parse(out / "digests.atom").entries
    assert [entry.link for entry in entries] == [
        "http://127.0.0.1:8000/digests/2024-W34.html",
        "http://127.0.0.1:8000/digests/2024-W33.html",
    ]
    assert parse(out / "digests.atom").feed.updated == written("2024-08-25T17:00")  # W34's end
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2024-W31.html" in index  # the archive still lists every digest


def test_the_digests_feeds_subtitle_names_the_weeks_of_the_digests_it_holds(filled, tmp_path):
    """Capped at ``digest.max_entries``, the digests feed holds W33 and W34 only: its
    subtitle said the digests of the 8 weeks the feeds of articles carry. Uncapped, it
    still names those weeks (a week may have no digest)."""
    out = tmp_path / "public"
    for number in (31, 32, 33, 34):
        build_digest(filled, out, Week(2024, number), settings(max_entries=2, weeks=8))
    feed = parse(out / "digests.atom").feed
    assert feed.subtitle == "The digests of the 2 weeks to 2024-W34"
    build_digest(filled, out, W34, settings(max_entries=3, weeks=8))
    assert parse(out / "digests.atom").feed.subtitle == "The digests of the 3 weeks to 2024-W34"
    build_digest(filled, out, W34, settings(max_entries=4, weeks=8))
    assert parse(out / "digests.atom").feed.subtitle == "The digests of the 8 weeks to 2024-W34"


def test_a_digest_entry_is_updated_when_its_content_changes_not_when_rebuilt(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings(), now=at("2024-08-26T01:00"))
    build_digest(filled, out, W33, settings(), now=at("2024-08-26T02:00"))  # W34 moves up
    week_ends = {"2024-W34": "2024-08-25T17:00", "2024-W33": "2024-08-18T17:00"}

    def updated(feed):
        return {entry.link.rsplit("/", 1)[1][:-5]: entry.updated for entry in feed.entries}

    first = parse(out / "digests.atom")
    assert updated(first) == {week: written(end) for week, end in week_ends.items()}

    again = build_digest(filled, out, W34, settings(), now=at("2024-08-27T01:00"))
    assert out / "digests.atom" not in again.changed  # the same digest: the same entry
    assert updated(parse(out / "digests.atom")) == updated(first)

    late = article(7, "Found after the first build", "A new paragraph.", date(2024, 8, 24))
    ingest(filled, [late], "2024-08-27T05:00")
    mark(filled, late, topics=["ai"])
    changed = build_digest(filled, out, W34, settings(), now=at("2024-08-28T01:00"))

    assert "Found after the first build" in changed.markdown
    feed = parse(out / "digests.atom")
    assert updated(feed) == {
        "2024-W34": written("2024-08-28T01:00"),  # rebuilt with an item more
        "2024-W33": written(week_ends["2024-W33"]),  # as it was
    }
    assert feed.feed.updated == written("2024-08-28T01:00")


def test_the_digest_of_a_week_not_over_is_not_updated_in_the_future(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings(), now=at("2024-08-23T12:00"))
    (entry,) = parse(out / "digests.atom").entries
    assert entry.updated == written("2024-08-23T12:00")


def test_an_article_dated_after_it_was_found_is_published_when_found(store, tmp_path):
    # Put up on Friday 23 August, dated Sunday 25th (or a date typed ahead by the site):
    # published on the 25th, the entry would be updated two days before it was published.
    ahead = article(9, "ASEAN digital ministers to meet", "Ministers will meet.", date(2024, 8, 25))
    ingest(store, [ahead], "2024-08-23T10:00")
    mark(store, ahead, topics=["asean"])
    out = tmp_path / "public"
    build_digest(store, out, W34, settings(), now=at("2024-08-23T12:00"))
    found = "2024-08-23T17:00:00+07:00"  # first seen, 10:00 UTC
    for name in ("feed.atom", "topics/asean.atom"):
        (entry,) = parse(out / name).entries
        assert (entry.published, entry.updated) == (found, found), name
    (item,) = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert (item["date_published"], item["date_modified"]) == (found, found)
    rss = parse(out / "feed.rss")
    assert rss.entries[0].published == "Fri, 23 Aug 2024 17:00:00 +0700"
    assert rss.feed.updated == "Fri, 23 Aug 2024 17:00:00 +0700"  # lastBuildDate: not the 25th
    assert "2024-08-25" in (out / "digests" / "2024-W34.md").read_text(encoding="utf-8")
    # Edited the next day, still before its date: published when it was found, as before.
    ingest(store, [replace(ahead, body="Ministers will meet in Bangkok.")], "2024-08-24T10:00")
    mark(store, ahead, topics=["asean"])
    build_digest(store, out, W34, settings(), now=at("2024-08-24T12:00"))
    entry = next(e for e in parse(out / "feed.atom").entries if e.title == ahead.title)
    assert (entry.published, entry.updated) == (found, "2024-08-24T17:00:00+07:00")


def test_the_digest_of_a_week_not_over_is_published_when_built_not_in_the_future(filled, tmp_path):
    out = tmp_path / "public"

    def dates():
        (entry,) = parse(out / "digests.atom").entries
        return entry.published, entry.updated

    first = written("2024-08-23T12:00")
    build_digest(filled, out, W34, settings(), now=at("2024-08-23T12:00"))
    assert dates() == (first, first)  # not 2024-08-25T17:00, when the week ends

    again = build_digest(filled, out, W34, settings(), now=at("2024-08-24T12:00"))
    assert out / "digests.atom" not in again.changed  # the same digest: the same entry
    assert dates() == (first, first)

    build_digest(filled, out, W34, settings(), now=at("2024-08-26T01:00"))  # the week is over
    published, updated = (datetime.fromisoformat(date) for date in dates())
    assert published <= updated <= at("2024-08-26T01:00")
    rebuilt = build_digest(filled, out, W34, settings(), now=at("2024-08-27T01:00"))
    assert out / "digests.atom" not in rebuilt.changed


def test_a_digest_published_in_the_future_by_an_older_build_is_dated_again(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings(), now=at("2024-08-23T12:00"))
    feed = out / "digests.atom"
    first = written("2024-08-23T12:00")
    assert f"<published>{first}</published>" in feed.read_text(encoding="utf-8")
    older = at("2024-08-25T17:00").isoformat()  # when the week ends, as builds used to say
    feed.write_text(
        feed.read_text(encoding="utf-8").replace(f"<published>{first}", f"<published>{older}"),
        encoding="utf-8",
    )
    (out / WRITTEN).unlink()  # written so by an older build, which kept no record

    build_digest(filled, out, W34, settings(), now=at("2024-08-26T01:00"))  # the week is over

    (entry,) = parse(feed).entries
    published, updated = (datetime.fromisoformat(d) for d in (entry.published, entry.updated))
    assert published <= updated <= at("2024-08-26T01:00")


def test_the_digests_feed_is_rendered_once_a_build_even_when_an_entry_changed(
    filled, tmp_path, monkeypatch
):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings(), now=at("2024-08-26T01:00"))
    late = article(7, "Found after the first build", "A new paragraph.", date(2024, 8, 24))
    ingest(filled, [late], "2024-08-27T05:00")
    mark(filled, late, topics=["ai"])
    rendered = []
    render = FeedGenerator.atom_str

    def counted(generator, *args, **kwargs):
        if generator.id() == stable_id("thaidigest:feed:digests"):
            rendered.append(generator.id())
        return render(generator, *args, **kwargs)

    monkeypatch.setattr(FeedGenerator, "atom_str", counted)
    changed = build_digest(filled, out, W34, settings(), now=at("2024-08-28T01:00"))
    assert out / "digests.atom" in changed.changed  # W34's entry changed: dated again
    assert len(rendered) == 1


def test_an_entry_dated_again_reads_as_the_feed_rendered_with_its_new_date():
    site = "https://digest.example.org/"
    first, later = at("2024-08-26T01:00"), at("2024-08-28T01:00")
    week34, week33 = (
        digest_entry(week, "Digest", "<p>ความร่วมมือ &amp; MoU</p>", f"{site}{week}.html", first)
        for week in (W34, W33)
    )
    feed = FeedInfo(
        id=stable_id("thaidigest:feed:digests"),
        title="Digest: weekly digests",
        subtitle="One entry a week",
        site_url=site,
        self_url=f"{site}digests.atom",
        updated=first,
        language="en",
    )
    before = render_dated_atom(feed, [week34, week33], {}, first)
    assert render_dated_atom(feed, [week34, week33], atom_entries(before), later) == before

    edited = replace(week34, content_html="<p>ความร่วมมือ &amp; MoU, and a late item</p>")
    after = render_dated_atom(feed, [edited, week33], atom_entries(before), later)
    # The same bytes as the feed rendered afresh with the edited entry updated now.
    dated = [replace(edited, updated=later), week33]
    assert after == render_atom(replace(feed, updated=later), dated)


def test_only_an_atom_feed_without_entries_gives_its_date_as_an_empty_feeds():
    site = "https://digest.example.org/"
    built = at("2024-10-02T03:00")
    feed = FeedInfo(stable_id("feed"), "Digest", "Articles", site, f"{site}feed.atom", built)
    assert empty_feed_updated(render_atom(feed, [])) == built
    entry = digest_entry(W34, "Digest", "<p>ความร่วมมือ</p>", f"{site}{W34}.html", built)
    assert empty_feed_updated(render_atom(feed, [entry])) is None
    assert empty_feed_updated(render_rss(feed, [])) is None  # no Atom
    assert empty_feed_updated(b"<feed") is None


# --- What an older or hand-edited store may hold never reaches a reader --------------------

BAD_URL = "https://example.org/news/1\x01"
ATOM = "{http://www.w3.org/2005/Atom}"


def entry_links(path):
    """The link addresses of each entry of an Atom feed, as written."""
    root = ElementTree.fromstring(path.read_bytes())
    return [
        [link.get("href") for link in entry.iter(f"{ATOM}link")]
        for entry in root.iter(f"{ATOM}entry")
    ]


OVERRIDE_TITLE = "\u202eDigital MoU signed\u202c"


def test_feeds_stay_valid_when_the_store_holds_a_control_character_url(store, tmp_path):
    raw = article(7, "Digital MoU signed", "Signed today.", date(2024, 8, 21))
    ingest(store, [raw], "2024-08-21T03:00")
    mark(store, raw, topics=["mou"])
    with store.transaction() as conn:  # as an import before URLs were checked stored it
        conn.execute(
            update(articles)
            .where(articles.c.url == url_of(raw))
            .values(url=BAD_URL, title=OVERRIDE_TITLE)
        )
    out = tmp_path / "public"
    result = build_digest(store, out, W34, settings())
    assert result.items == 1
    for path in feed_files(out):
        for entry in parse(path).entries:
            assert "\x01" not in entry.get("link", "") and "\u202e" not in entry.title
    (entry,) = parse(out / "feed.atom").entries
    page = "http://127.0.0.1:8000/digests/2024-W34.html"  # the page that lists it
    assert entry.title == "Digital MoU signed" and entry_links(out / "feed.atom") == [[page]]
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "\x01" not in text and "\u202e" not in text, path


STRAY_URL = "https://www.thaigov.go.th/news/contents/details/7?q=50%off&t=%E0%B8%81"
STRAY_COPY_URL = "https://www.mdes.go.th/news/detail/8-100%"


def stray_percent_story(store):
    """A story whose link and copy's link hold a ``%`` that starts no escape, as a store
    written before URLs were checked may hold them."""
    raw = article(7, "Digital MoU signed", "Signed today.", date(2024, 8, 21))
    copy = article(8, "Digital MoU signed (copy)", "Signed today.", date(2024, 8, 21))
    ingest(store, [raw, copy], "2024-08-21T03:00")
    mark(store, raw, topics=["mou"])
    mark(store, copy, topics=["mou"], duplicate_of=raw)
    with store.transaction() as conn:
        conn.execute(
            update(articles).where(articles.c.url == url_of(copy)).values(url=STRAY_COPY_URL)
        )
        conn.execute(
            update(articles)
            .where(articles.c.duplicate_of == url_of(raw))
            .values(duplicate_of=STRAY_URL)
        )
        conn.execute(update(articles).where(articles.c.url == url_of(raw)).values(url=STRAY_URL))


def test_a_stray_percent_in_a_stored_link_is_published_as_percent_25_in_every_output(
    store, tmp_path
):
    """Feed readers refuse ``?q=50%off`` and Markdown renderers rewrite it: the digest, its
    page, the archive and every feed carry the same valid link, its escapes untouched
    (RSS, a URI, always wrote ``%25``; Atom, JSON Feed and the Markdown wrote ``%``)."""
    stray_percent_story(store)
    out = tmp_path / "public"
    result = build_digest(store, out, W34, settings())
    escaped = STRAY_URL.replace("50%off", "50%25off")
    copy_escaped = STRAY_COPY_URL.replace("100%", "100%25")
    assert f"(<{escaped}>)" in result.markdown
    assert f"<{copy_escaped}>" in result.markdown
    assert entry_links(out / "feed.atom") == [[escaped]]
    rss = ElementTree.fromstring((out / "feed.rss").read_bytes())
    assert [item.findtext("link") for item in rss.iter("item")] == [escaped]
    (item,) = json.loads((out / "feed.json").read_bytes())["items"]
    assert item["url"] == escaped
    assert f'href="{escaped.replace("&", "&amp;")}"' in (out / "index.html").read_text()
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "50%off" not in text and "100%/" not in text and not text.endswith("100%"), path


def test_a_digest_whose_link_is_escaped_is_dated_again_once_and_still_found(
    store, tmp_path, monkeypatch
):
    """The digests feed dates an entry again when its content changes: a digest rebuilt after
    its stray ``%`` became ``%25`` (its "Also on" line shows the address) is dated once, by
    the build that changed it, not by every build after. A digest written before, never
    written again, is still found holding the story (``thaidigest explain``)."""
    stray_percent_story(store)
    out = tmp_path / "public"
    with monkeypatch.context() as before:  # a build before stray percents were escaped
        before.setattr("digest.clean.STRAY_PERCENT", re.compile("(?!)"), raising=False)
        old = build_digest(store, out, W34, settings(), now=at("2024-08-26T01:00"))
    assert f"<{STRAY_COPY_URL}>" in old.markdown

    def updated():
        (entry,) = parse(out / "digests.atom").entries
        return entry.updated

    assert updated() == written("2024-08-25T17:00")  # when the week ended
    escaped = build_digest(store, out, W34, settings(), now=at("2024-08-27T01:00"))
    assert out / "digests.atom" in escaped.changed
    assert updated() == written("2024-08-27T01:00")
    again = build_digest(store, out, W34, settings(), now=at("2024-08-28T01:00"))
    assert out / "digests.atom" not in again.changed
    assert updated() == written("2024-08-27T01:00")
    for markdown in (old.markdown, again.markdown):
        assert lists_story(markdown, [STRAY_URL, STRAY_COPY_URL], [])


def test_a_text_file_without_a_source_publishes_no_local_path(store, tmp_path):
    seed = tmp_path / "seeds" / "no_source.txt"
    seed.parent.mkdir()
    seed.write_text("Digital cooperation\n\nThailand and Japan signed an MoU.\n", encoding="utf-8")
    raw = read_text_file(seed)
    assert raw.url.startswith("file:")
    copy = read_text_file(seed)  # the same story imported from a second file
    copy = replace(copy, url=(tmp_path / "copy.txt").as_uri())
    ingest(store, [raw, copy], "2024-08-21T03:00")
    mark(store, raw, topics=["mou"])
    mark(store, copy, topics=["mou"], duplicate_of=raw)
    out = tmp_path / "public"
    result = build_digest(store, out, W34, settings())
    assert result.items == 1
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "file:" not in text and str(tmp_path) not in text, path
    assert "Also on" not in result.markdown
    (entry,) = parse(out / "feed.atom").entries
    assert entry_links(out / "feed.atom") == [["http://127.0.0.1:8000/digests/2024-W34.html"]]
    assert "Thailand and Japan signed an MoU." in entry.summary


def test_the_digest_ends_with_the_health_of_every_site(filled, tmp_path):
    run_id = filled.start_crawl_run("mdes", at("2024-08-21T01:00"))
    report = {"blocked": [{"url": "https://www.mdes.go.th/news/3", "status": 403}]}
    filled.finish_crawl_run(run_id, at("2024-08-21T01:05"), "blocked", report)
    markdown = build_digest(filled, tmp_path, W34, settings()).markdown
    health = markdown.split("\n## Source health\n\n", 1)[1]
    assert "\n## " not in health  # the last section
    assert health.splitlines()[0] == (
        "- thaigov.go.th: crawls: none; articles found: 6 (no earlier weeks to compare); "
        "fallback extraction 0% (0); no date 1"
    )
    assert health.splitlines()[1].startswith("- mdes.go.th: crawls: blocked 1 (HTTP 403); ")
    assert "Warning" not in health


def test_an_undated_article_shows_its_found_date_as_found_not_as_published(store, tmp_path):
    undated = article(7, "MOU signed in 2019", "A story from 2019, found only now.")
    dated = article(8, "Dated the day before", "A story with its date.", date(2024, 8, 19))
    ingest(store, [undated, dated], "2024-08-20T03:00")  # 10:00 in Bangkok, Tuesday of W34
    mark(store, undated, topics=["mou"])
    mark(store, dated, topics=["mou"])
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())

    def meta_after(text, headline):
        lines = [line for line in text.splitlines() if line.strip()]
        index = next(i for i, line in enumerate(lines) if headline in line)
        return lines[index + 1]

    markdown = (out / "digests" / "2024-W34.md").read_text(encoding="utf-8")
    undated_meta = meta_after(markdown, "MOU signed in 2019")
    assert "date unknown, found 2024-08-20" in undated_meta.split(" · ")
    assert "2024-08-20" not in undated_meta.replace("date unknown, found 2024-08-20", "")
    assert "2024-08-19" in meta_after(markdown, "Dated the day before").split(" · ")
    assert markdown.count("date unknown") == 1
    for page in (out / "digests" / "2024-W34.html", out / "index.html"):
        text = page.read_text(encoding="utf-8")
        assert text.count("date unknown, found 2024-08-20") == 1, page

    by_link = {entry.link: entry for entry in parse(out / "feed.atom").entries}
    assert by_link[link_of(undated)].summary.startswith("(date unknown, found 2024-08-20) ")
    assert by_link[link_of(undated)].published_parsed[:3] == (2024, 8, 20)  # first seen
    assert "date unknown" not in by_link[link_of(dated)].summary
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    texts = {item["url"]: item["content_text"] for item in items}
    assert texts[link_of(undated)].startswith("(date unknown, found 2024-08-20) ")


def test_topics_in_thai_script_get_a_feed_each(store, tmp_path):
    satellite = article(7, "ดีอี ร่วมมือด้านดาวเทียม", "ความร่วมมือ", date(2024, 8, 20))
    chips = article(8, "ดีอี ร่วมมือด้านเซมิคอนดักเตอร์", "ความร่วมมือ", date(2024, 8, 21))
    ingest(store, [satellite, chips], "2024-08-21T10:00")
    mark(store, satellite, topics=["ดาวเทียม"])
    mark(store, chips, topics=["เซมิคอนดักเตอร์"])
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    packaged = {f"{topic}.atom" for topic in TOPIC_LABELS if topic != OTHER_TOPIC}
    thai = sorted(path for path in (out / "topics").glob("*.atom") if path.name not in packaged)
    assert len(thai) == 2 and "topic.atom" not in {path.name for path in thai}
    titles = {parse(path).feed.title.rsplit(": ", 1)[1]: parse(path) for path in thai}
    assert [e.link for e in titles["ดาวเทียม"].entries] == [link_of(satellite)]
    assert [e.link for e in titles["เซมิคอนดักเตอร์"].entries] == [link_of(chips)]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="topics/{path.name}"' in index for path in thai)


def test_every_topic_listed_names_the_file_that_holds_its_feed(store, tmp_path):
    # A name in Thai with Latin letters, one with spaces and slashes, and "AI", stored by a
    # rules file since changed: the first and the last once wrote the packaged ai's file.
    topics = ["ความร่วมมือ AI", "Smart City/IoT", "../../etc/passwd", "AI"]
    raws = [article(20 + n, f"ดีอี ร่วมมือ {n}", "ความร่วมมือ", date(2024, 8, 20)) for n in range(5)]
    ingest(store, raws, "2024-08-21T10:00")
    for raw, topic in zip(raws, [*topics, "ai"], strict=True):
        mark(store, raw, topics=[topic])
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    index = (out / "index.html").read_text(encoding="utf-8")
    found = re.findall(r'<li>Topic: (.+?): <a href="(topics/[^"]+\.atom)"', index)
    listed = {unescape(re.sub("<[^>]+>", "", name)): href for name, href in found}
    assert set(listed) >= {*topics, "Artificial intelligence · ปัญญาประดิษฐ์"}
    assert len(set(listed.values())) == len(listed)  # no file named twice
    assert listed["Smart City/IoT"] == "topics/smart-city-iot.atom"
    assert listed["../../etc/passwd"] == "topics/etc-passwd.atom"
    assert all(re.fullmatch(r"topics/[a-z0-9-]+\.atom", href) for href in listed.values())
    for raw, topic in zip(raws, [*topics, "ai"], strict=True):
        href = listed.get(topic, "topics/ai.atom")  # the packaged ai keeps its file
        feed = parse(out / href)
        assert feed.feed.title.endswith(f": {topic_name(topic)}"), href
        assert [link.href for link in feed.feed.links if link.rel == "self"] == [
            DEFAULT_SITE + href
        ]
        assert [entry.link for entry in feed.entries] == [link_of(raw)], href
    outlines = re.findall(r'xmlUrl="([^"]+)"', (out / "feeds.opml").read_text(encoding="utf-8"))
    assert {f"{DEFAULT_SITE}{href}" for href in listed.values()} <= set(outlines)


def test_topic_feeds_are_listed_in_one_order_whatever_the_process(store, tmp_path):
    # The order of a set of names changes with each process's string hashing: listed in
    # it, the archive page and feeds.opml changed at every build with nothing new.
    raw = article(40, "ดีอี ร่วมมือ ญี่ปุ่น", "ความร่วมมือ", date(2024, 8, 20))
    ingest(store, [raw], "2024-08-21T10:00")
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    opml = (out / "feeds.opml").read_text(encoding="utf-8")
    listed = re.findall(rf'xmlUrl="{re.escape(DEFAULT_SITE)}topics/([^"]+)\.atom"', opml)
    assert listed == [  # the packaged topics, in the order the rules give them
        "asean", "apec", "bilateral", "mou", "cybersecurity", "ai", "telecom-5g",
        "digital-id-data", "e-commerce", "smart-city", "digital-skills", "digital-government",
    ]  # fmt: skip


def test_topics_of_the_rules_keep_the_feed_files_an_earlier_release_named(store, tmp_path):
    # "Quantum", stored by a rules file since changed, beside the rules' quantum, and a Thai
    # name whose ASCII letters no other topic has: its file is quantum5.atom, as before.
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[topics.quantum]\nen = ["quantum"]\n[topics."ความร่วมมือ Quantum5"]\nth = ["ควอนตัม 5"]\n',
        encoding="utf-8",
    )
    config = merge(settings(), {"relevance": {"rules": str(rules)}})
    topics = ["Quantum", "ความร่วมมือ Quantum5", "quantum"]
    raws = [article(30 + n, f"ดีอี ร่วมมือ {n}", "ความร่วมมือ", date(2024, 8, 20)) for n in range(3)]
    ingest(store, raws, "2024-08-21T10:00")
    out = tmp_path / "public"
    files = []
    for marked in (2, 3):  # quantum has no article in the first build
        for raw, topic in zip(raws[:marked], topics[:marked], strict=True):
            mark(store, raw, topics=[topic])
        build_digest(store, out, W34, config)
        files.append({p.name: parse(p).feed.id for p in (out / "topics").glob("*quantum*.atom")})
    assert files[0] == files[1]  # no file changed hands
    assert files[1]["quantum.atom"] == stable_id("thaidigest:feed:topic:quantum")
    for name, topic in [("quantum", "quantum"), ("quantum5", "ความร่วมมือ Quantum5")]:
        feed = parse(out / "topics" / f"{name}.atom")
        assert feed.feed.id == stable_id(f"thaidigest:feed:topic:{topic}"), name
        assert [entry.link for entry in feed.entries] == [link_of(raws[topics.index(topic)])]
    ids = [parse(path).feed.id for path in (out / "topics").glob("*.atom")]
    assert len(ids) == len(set(ids))  # no two files of one feed
    assert stable_id("thaidigest:feed:topic:Quantum") in ids


HOSTILE_NOTE = '<img src=x onerror=alert(1)> <a href="javascript:alert(1)">go</a> R&D < 5% of it.'
DEFAULT_SITE = "http://127.0.0.1:8000/"


def rss_fields(path):
    """Every HTML field of each RSS item as written, feedparser's sanitizer off (not every
    reader has one): its description and its content:encoded."""
    parsed = feedparser.parse(path.read_bytes(), sanitize_html=False)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return [
        [*([e.summary] if "summary" in e else []), *(c.value for c in e.get("content", []))]
        for e in parsed.entries
    ]


def linkless_feed(tmp_path, summary):
    """An RSS and an Atom feed, written, of one entry with no web address."""
    moment = at("2024-08-21T03:00")
    entry = Entry(
        id=stable_id("file:///minutes.txt"),
        title="Minutes <b>bold</b>",
        link=None,
        published=moment,
        updated=moment,
        summary=summary,
    )
    feed = FeedInfo(stable_id("feed"), "Digest", "Articles", DEFAULT_SITE, DEFAULT_SITE, moment)
    (tmp_path / "feed.rss").write_bytes(render_rss(feed, [entry]))
    (tmp_path / "feed.atom").write_bytes(render_atom(feed, [entry]))
    return tmp_path / "feed.rss", tmp_path / "feed.atom"


@pytest.mark.parametrize("summary", [HOSTILE_NOTE, ""], ids=["summary", "headline-only"])
def test_an_entry_without_a_link_carries_its_text_as_text_in_rss_and_atom(tmp_path, summary):
    rss, atom = linkless_feed(tmp_path, summary)
    (fields,) = rss_fields(rss)  # the description alone, its text as text; no content:encoded
    assert [read_as_html(field) for field in fields] == ([([], summary)] if summary else [])
    (entry,) = parse(atom).entries  # Atom marks its text as text: read as written
    assert entry.content[0].type == "text/plain"
    assert entry.content[0].value == (summary or "Minutes <b>bold</b>")


@pytest.fixture
def minutes(store, tmp_path):
    """A text file imported without a source line (no web address), its text markup."""
    seed = tmp_path / "seeds" / "minutes.txt"
    seed.parent.mkdir()
    seed.write_text(f"Minutes: digital MoU with Finland\n\n{HOSTILE_NOTE}\n", encoding="utf-8")
    raw = read_text_file(seed)
    assert raw.url.startswith("file:")
    return raw


def test_an_article_without_a_link_reaches_no_feed_reader_as_markup(store, minutes, tmp_path):
    ingest(store, [minutes], "2024-08-21T03:00")
    mark(store, minutes, topics=["mou"])
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    (fields,) = rss_fields(out / "feed.rss")
    assert len(fields) == 1  # the description; content:encoded is for HTML of our own
    for field in fields:
        tags, text = read_as_html(field)
        assert tags == [] and HOSTILE_NOTE in text, field
    for name in ("feed.atom", "topics/mou.atom"):
        (entry,) = parse(out / name).entries
        assert HOSTILE_NOTE in entry.summary and entry.summary_detail.type == "text/plain"
    (item,) = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert HOSTILE_NOTE in item["content_text"] and "content_html" not in item


def test_an_article_without_a_link_links_to_the_digest_that_lists_it(store, minutes, tmp_path):
    ingest(store, [minutes], "2024-08-21T03:00")
    mark(store, minutes, topics=["mou"])
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    page = f"{DEFAULT_SITE}digests/2024-W34.html"
    assert (out / "digests" / "2024-W34.html").is_file()
    for name in ("feed.rss", "feed.atom", "topics/mou.atom"):
        (entry,) = parse(out / name).entries
        assert entry.link == page, name
    assert entry_links(out / "feed.atom") == [[page]]
    (item,) = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert item["url"] == page


def test_an_article_without_a_link_in_a_week_not_built_links_to_the_archive(
    store, minutes, tmp_path
):
    ingest(store, [minutes], "2024-08-14T03:00")  # W33, whose digest is not built at first
    mark(store, minutes, topics=["mou"])
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    assert not (out / "digests" / "2024-W33.html").exists()
    assert [entry.link for entry in parse(out / "feed.atom").entries] == [DEFAULT_SITE]
    build_digest(store, out, W33, settings())  # the feeds stay at W34, and now W33 is a page
    page = f"{DEFAULT_SITE}digests/2024-W33.html"
    assert [entry.link for entry in parse(out / "feed.atom").entries] == [page]


LONG_HEADLINE = "A" + "กิ่" * 7000  # 21,001 characters; every Thai mark after its consonant
CUT_HEADLINE = "A" + "กิ่" * 99 + "…"  # not "A" + "กิ่" * 99 + "กิ": no mark torn off


def test_a_very_long_headline_is_cut_in_every_output(store, tmp_path):
    raw = article(9, LONG_HEADLINE, "เนื้อหาข่าว ย่อหน้าแรก", date(2024, 8, 21))
    ingest(store, [raw], "2024-08-21T03:00")
    mark(store, raw, topics=["mou"])
    out = tmp_path / "public"
    result = build_digest(store, out, W34, settings())
    assert result.items == 1
    pages = [out / "digests" / "2024-W34.md", out / "digests" / "2024-W34.html", out / "index.html"]
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert CUT_HEADLINE in text and LONG_HEADLINE[:400] not in text, path
    assert CUT_HEADLINE in markdown_to_html(result.markdown)
    for name in ("feed.rss", "feed.atom", "topics/mou.atom"):
        assert [entry.title for entry in parse(out / name).entries] == [CUT_HEADLINE], name
    (item,) = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert item["title"] == CUT_HEADLINE


# A build in a process that may write no file over LIMIT bytes, as on a disk that fills
# up: the index (over 8 KB here) cannot be written, the smaller files could.
FULL_DISK_BUILD = """
import resource, signal, sys
from pathlib import Path
from digest.publish import build_digest, merged, newest_kept
from digest.select import Week
from thaidigest.config import DEFAULTS
from thaidigest.store import Store
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write over the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (8000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
store = Store(sys.argv[1])
try:
    build_digest(store, Path(sys.argv[2]), Week(2024, 34), DEFAULTS)
except OSError as error:
    print(error.errno)
"""


def test_a_build_that_cannot_write_a_file_changes_none(filled, tmp_path):
    out = tmp_path / "public"
    build_digest(filled, out, W34, settings())
    assert (out / "index.html").stat().st_size > 8000
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    late = article(7, "ดีอี ลงนาม MoU ความร่วมมือดิจิทัลกับญี่ปุ่น", "เนื้อหาข่าว", date(2024, 8, 22))
    ingest(filled, [late], "2024-08-23T11:00")
    mark(filled, late, relevance=0.9, topics=["mou"])

    database = f"sqlite:///{tmp_path / 'test.sqlite'}"
    failed = subprocess.run(
        [sys.executable, "-c", FULL_DISK_BUILD, database, str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )

    assert failed.stdout.strip() == str(errno.EFBIG), failed.stderr
    after = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    assert after == before  # no feed of the new build beside the old index, no temporary left
    assert build_digest(filled, out, W34, settings()).changed  # and the next build writes them


def test_a_week_built_from_articles_found_after_it_says_the_sites_were_not_watched(store, tmp_path):
    ingest(store, [THAI], "2026-12-04T07:33")  # an import, long after the week of its date
    mark(store, THAI, relevance=0.8, topics=["apec"])
    result = build_digest(store, tmp_path, W34, settings(), now=at("2026-12-04T08:00"))
    assert result.items == 1
    health = result.markdown.split("\n## Source health\n\n", 1)[1].splitlines()
    assert health == [
        "- thaigov.go.th: not watched yet: its first crawl or article found was on "
        "2026-12-04, after this week",
        "- mdes.go.th: not watched yet: no crawl run and no article stored",
    ]


def test_a_site_first_crawled_after_the_week_in_bangkok_is_said_first_seen_on_the_bangkok_day(
    store, tmp_path
):
    # 2026-W48 is 23 to 29 November in Bangkok. A first crawl at 20:00 UTC on Sunday the
    # 29th is 03:00 on Monday the 30th there: after the week, not on its last day.
    run_id = store.start_crawl_run("thaigov", at("2026-11-29T20:00"))
    store.finish_crawl_run(run_id, at("2026-11-29T20:05"), "ok", {})
    result = build_digest(store, tmp_path, Week(2026, 48), settings(), now=at("2026-11-30T01:00"))
    health = result.markdown.split("\n## Source health\n\n", 1)[1].splitlines()
    assert health[0] == (
        "- thaigov.go.th: not watched yet: its first crawl or article found was on "
        "2026-11-30, after this week"
    )


BLOCKED_WEEK = (  # two crawls of each site, each blocked (Source health's words and counts)
    "No relevant items found this week, but thaigov.go.th and mdes.go.th could not be crawled "
    "(blocked: robots.txt unreachable: connection refused (×2)): see Source health."
)


def opening(markdown):
    """The line a digest opens with, under its title and dates."""
    return markdown.split("\n\n")[2]


def test_a_week_whose_crawls_were_all_blocked_opens_saying_the_sites_were_not_crawled(
    store, tmp_path
):
    for day in ("2024-08-19", "2024-08-21"):
        for source in ("thaigov", "mdes"):
            crawled(store, source, day, "blocked", ROBOTS_UNREACHABLE)
    out = tmp_path / "public"
    result = build_digest(store, out, W34, settings())
    assert result.items == 0
    assert opening(result.markdown) == BLOCKED_WEEK
    health = result.markdown.split("\n## Source health\n\n", 1)[1].splitlines()
    assert health[0].startswith(
        "- thaigov.go.th: crawls: blocked 2 (robots.txt unreachable: connection refused (×2)); "
    )
    paragraph = f"<p>{BLOCKED_WEEK}</p>"
    assert paragraph in result.html  # the page the mail carries
    assert paragraph in (out / "digests" / "2024-W34.html").read_text(encoding="utf-8")
    (entry,) = parse(out / "digests.atom").entries
    assert paragraph in entry.content[0].value
    index = (out / "index.html").read_text(encoding="utf-8")
    assert paragraph in index
    assert "No relevant items this week." not in index


def test_a_quiet_week_whose_crawls_succeeded_opens_as_before(store, tmp_path):
    for source in ("thaigov", "mdes"):
        crawled(store, source, "2024-08-19", "blocked", ROBOTS_UNREACHABLE)
        crawled(store, source, "2024-08-21", "ok")  # one success watched the site
    markdown = build_digest(store, tmp_path, W34, settings()).markdown
    assert opening(markdown) == "No relevant items this week."


def test_a_quiet_week_whose_blocked_crawls_fetched_pages_opens_as_before(store, tmp_path):
    """One link forbidden by robots.txt marks each run blocked: the sites were crawled."""
    forbidden = {"fetched": 40, "blocked": [{"url": "u", "status": None, "rule": "Disallow: /p/"}]}
    for source in ("thaigov", "mdes"):
        crawled(store, source, "2024-08-21", "blocked", forbidden)
    markdown = build_digest(store, tmp_path, W34, settings()).markdown
    assert opening(markdown) == "No relevant items this week."


def test_a_week_of_imports_only_opens_as_before(store, tmp_path):
    """No crawl ever ran: the articles were imported (the demo's weeks, a corpus import)."""
    ingest(store, [THAI], "2024-08-20T03:00")  # stored, not relevant
    out = tmp_path / "public"
    markdown = build_digest(store, out, W34, settings()).markdown
    assert opening(markdown) == "No relevant items this week."
    assert "- thaigov.go.th: crawls: none; articles found: 1 " in markdown
    assert "<p>No relevant items this week.</p>" in (out / "index.html").read_text()


@pytest.mark.parametrize(
    ("runs", "expected"),
    [
        (
            [("thaigov", "ok", None), ("mdes", "failed", {"errors": ["a", "b", "c"]})],
            "but mdes.go.th could not be crawled (failed: 3 errors)",
        ),
        (
            [
                ("thaigov", "blocked", {"blocked": [{"url": "u", "status": 403}]}),
                ("mdes", "failed", {}),
                ("mdes", "stopped", {}),
            ],
            "but thaigov.go.th (blocked: HTTP 403) and mdes.go.th (failed, stopped: nothing "
            "fetched) could not be crawled",
        ),
    ],
    ids=["one-site", "each-its-reasons"],
)
def test_each_site_not_crawled_is_named_with_what_its_crawls_say(store, tmp_path, runs, expected):
    for source, status, report in runs:
        crawled(store, source, "2024-08-21", status, report)
    markdown = build_digest(store, tmp_path, W34, settings()).markdown
    assert opening(markdown) == f"No relevant items found this week, {expected}: see Source health."


def test_a_site_crawled_before_the_week_but_not_in_it_is_named(store, tmp_path):
    crawled(store, "thaigov", "2024-08-21", "ok")
    crawled(store, "mdes", "2024-08-12", "ok")  # the week before, then never again
    markdown = build_digest(store, tmp_path, W34, settings()).markdown
    assert opening(markdown) == (
        "No relevant items found this week, but mdes.go.th could not be crawled "
        "(no crawl run): see Source health."
    )


def test_a_site_not_judged_is_not_named(store, tmp_path):
    crawled(store, "thaigov", "2024-08-21", "ok")
    crawled(store, "mdes", "2024-08-21", "blocked", ROBOTS_UNREACHABLE)
    markdown = build_digest(store, tmp_path, W34, settings(), judged=["thaigov"]).markdown
    assert opening(markdown) == "No relevant items this week."


def test_the_index_opens_with_the_newest_digests_line_when_a_past_week_is_rebuilt(store, tmp_path):
    for source in ("thaigov", "mdes"):
        crawled(store, source, "2024-08-14", "ok")  # 2024-W33: quiet
        for day in ("2024-08-20", "2024-08-21"):  # 2024-W34: blocked
            crawled(store, source, day, "blocked", ROBOTS_UNREACHABLE)
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    rebuilt = build_digest(store, out, W33, settings())
    assert opening(rebuilt.markdown) == "No relevant items this week."
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="digests/2024-W34.html">2024-W34</a>' in index
    assert f"<p>{BLOCKED_WEEK}</p>" in index


def test_the_digests_feed_holds_the_digests_of_the_weeks_the_feeds_of_articles_carry(
    filled, tmp_path
):
    """The digest.weeks weeks to the newest digest, in both: a digest whose stories have left
    the feeds of articles is not left in the digests feed, though the newest four digests
    span more weeks when some were not built (a week skipped, a demo's weeks of 2024)."""
    out = tmp_path / "public"

    def digests_listed():
        return [entry.link.rsplit("/", 1)[1] for entry in parse(out / "digests.atom").entries]

    for week in (W33, W34, Week(2024, 37)):
        build_digest(filled, out, week, settings())
    assert digests_listed() == ["2024-W37.html", "2024-W34.html"]
    assert parse(out / "feed.atom").entries  # W34's stories
    build_digest(filled, out, Week(2024, 41), settings())
    assert digests_listed() == ["2024-W41.html"]
    assert parse(out / "feed.atom").entries == []  # the weeks 38 to 41 list no story
    for feed in ("digests.atom", "feed.atom"):
        assert parse(out / feed).feed.subtitle.endswith(" of the 4 weeks to 2024-W41")
    # One digest of the four weeks: the subtitle promises no entry a week.
    assert parse(out / "digests.atom").feed.subtitle == "The digests of the 4 weeks to 2024-W41"


RECORD = b'{"files": {"index.html": [[3, "%s"]]}}' % (b"0" * 64)


def test_a_record_that_is_a_named_pipe_is_not_opened(tmp_path):
    """A named pipe at the record hung status, the health check and digest: it was read."""
    os.mkfifo(tmp_path / WRITTEN)
    # A writer that gives a whole record to whoever opens the pipe: a read would get it.
    writer = threading.Thread(target=(tmp_path / WRITTEN).write_bytes, args=(RECORD,))
    writer.start()
    try:
        assert load_written(tmp_path) is None
    finally:
        with open(os.open(tmp_path / WRITTEN, os.O_RDONLY | os.O_NONBLOCK), "rb") as opened:
            writer.join()  # the writer gone, the pipe opened by this test alone
            assert opened.read() in (b"", RECORD)


def test_a_record_that_is_a_link_is_not_read(tmp_path):
    (tmp_path / "elsewhere").write_bytes(RECORD)
    (tmp_path / WRITTEN).symlink_to(tmp_path / "elsewhere")
    assert load_written(tmp_path) is None
    (tmp_path / WRITTEN).unlink()
    (tmp_path / WRITTEN).write_bytes(RECORD)  # the same record, a regular file, is read
    assert load_written(tmp_path) == {"index.html": ((3, "0" * 64),)}


def test_a_record_nested_too_deep_or_too_large_is_none(tmp_path):
    """JSON nested 100,000 deep ended every judgement with a RecursionError traceback."""
    (tmp_path / WRITTEN).write_bytes(b'{"files": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    assert load_written(tmp_path) is None
    (tmp_path / WRITTEN).write_bytes(RECORD + b" " * RECORD_BYTES)  # read whole, it was one
    assert load_written(tmp_path) is None


def test_the_record_keeps_each_files_newest_contents_the_one_written_last_newest():
    """Each build kept the one content it wrote of a file: a page copied back from the build
    before was refused as changed since."""
    first, second, third = (1, "a" * 64), (2, "b" * 64), (3, "c" * 64)
    before = {"index.html": (first, second), "feed.atom": (third,)}
    after = {"index.html": (first,), "feed.json": (second,)}
    assert merged(before, after) == {
        "index.html": (second, first),  # written again: the newest
        "feed.atom": (third,),
        "feed.json": (second,),
    }
    many = {"index.html": tuple((size, f"{size:064x}") for size in range(12))}
    assert newest_kept(many) == {"index.html": many["index.html"][2:]}  # the newest 10
