"""A story keeps its feed entry when another copy becomes its representative.

Deduplication names a story by its representative, and a copy that arrives after the
story was published can take that role (an earlier date on the other site, the longer
text on the same day, a complete extraction for a fallback one). Readers key entries by
id: the story must stay the entry they have, not come again as a new one.
"""

import json
from dataclasses import replace
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import feedparser
import pytest
from sqlalchemy import delete, select, update

from digest.feeds import (
    REVISION_PREFIXES,
    Dated,
    Entry,
    FeedInfo,
    article_entry,
    atom_dates,
    render_atom,
    shown_text,
    stable_id,
    story_id,
)
from digest.publish import build_digest
from digest.select import Item, Week
from tests.digest import article, at, ingest, link_of, settings, thai_body, url_of
from thaidigest.model import RawArticle
from thaidigest.store import CANONICAL_REPRESENTATIVES_KEY, Store, articles, meta
from thaidigest.urls import served_url

W34 = Week(2024, 34)
BODY = thai_body(range(1, 7), 240)
TITLE = "ดีอี ร่วมมือญี่ปุ่น ด้านเศรษฐกิจดิจิทัล"
RELEASE = article(101, TITLE, BODY, date(2024, 8, 21))


def mdes_copy(number: int, body: str = BODY, published: date = date(2024, 8, 21)) -> RawArticle:
    return RawArticle(
        url=f"https://www.mdes.go.th/news/detail/{number}",
        source="mdes",
        title=TITLE,
        body=body,
        source_id=str(number),
        published_hint=published,
    )


# MDES's copy of the same release, dated a day earlier: found after the feeds were written,
# it becomes the representative (the earliest date).
MDES_COPY = mdes_copy(7001, published=date(2024, 8, 20))
OTHER_STORY = article(102, "ASEAN digital ministers meet", "Ministers met. They agreed.")


def relevant(store: Store, *raws: RawArticle, topics=("ai",), partners=("country:JP",)) -> None:
    """Score ``raws`` relevant; deduplication's ``duplicate_of`` is left as it set it."""
    with store.transaction() as conn:
        conn.execute(
            update(articles)
            .where(articles.c.url.in_([url_of(raw) for raw in raws]))
            .values(
                relevant=True,
                relevance=0.8,
                topics=json.dumps(list(topics)),
                partners=json.dumps(list(partners)),
            )
        )


def representative(store: Store, raw: RawArticle) -> str:
    """The URL of the representative of ``raw``'s cluster."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(articles.c.url, articles.c.duplicate_of).where(articles.c.url == url_of(raw))
        ).one()
    return row.duplicate_of or row.url


def entries(path):
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return parsed.entries


def json_ids(path):
    return [item["id"] for item in json.loads(path.read_text(encoding="utf-8"))["items"]]


def article_feeds(out):
    """Every feed of articles a reader may subscribe to, by name."""
    names = ["feed.atom", "feed.rss", "topics/ai.atom", "partners/country-jp.atom"]
    return {name: out / name for name in names}


def test_a_copy_that_becomes_the_representative_after_publication_keeps_the_entry(store, tmp_path):
    out = tmp_path / "public"
    ingest(store, [RELEASE], "2024-08-21T03:00")
    relevant(store, RELEASE)
    build_digest(store, out, W34, settings(), now=at("2024-08-21T12:00"))
    first = {name: [e.id for e in entries(path)] for name, path in article_feeds(out).items()}
    assert first["feed.atom"] == [stable_id(url_of(RELEASE))]

    ingest(store, [MDES_COPY], "2024-08-22T03:00")
    relevant(store, MDES_COPY)
    assert representative(store, RELEASE) == url_of(MDES_COPY)  # the route under test
    build_digest(store, out, W34, settings(), now=at("2024-08-22T12:00"))

    for name, path in article_feeds(out).items():
        assert [e.id for e in entries(path)] == first[name], name
    assert json_ids(out / "feed.json") == first["feed.atom"]
    assert json_ids(out / "topics" / "ai.json") == first["feed.atom"]
    (entry,) = entries(out / "feed.atom")
    # The entry now shows the representative: its link, and the date the story had.
    assert entry.link == link_of(MDES_COPY)
    assert entry.published == "2024-08-20T00:00:00+07:00"  # 20 August in Bangkok
    # Its content changed: it is dated no earlier than when first written.
    assert datetime.fromisoformat(entry.updated) >= at("2024-08-21T03:00")


def test_the_kept_entry_is_stable_over_later_builds(store, tmp_path):
    out = tmp_path / "public"
    ingest(store, [RELEASE], "2024-08-21T03:00")
    relevant(store, RELEASE)
    build_digest(store, out, W34, settings(), now=at("2024-08-21T12:00"))
    ingest(store, [MDES_COPY], "2024-08-22T03:00")
    relevant(store, MDES_COPY)
    build_digest(store, out, W34, settings(), now=at("2024-08-22T12:00"))
    written = {name: path.read_bytes() for name, path in article_feeds(out).items()}
    result = build_digest(store, out, W34, settings(), now=at("2024-08-22T13:00"))
    for name, path in article_feeds(out).items():
        assert path.read_bytes() == written[name], name
        assert path not in result.changed


def test_a_story_never_published_is_named_by_its_representative(store, tmp_path):
    out = tmp_path / "public"
    ingest(store, [OTHER_STORY], "2024-08-21T03:00")
    relevant(store, OTHER_STORY, topics=("asean",), partners=())
    build_digest(store, out, W34, settings(), now=at("2024-08-21T12:00"))
    # Both copies arrive after that build: the story was never in a feed.
    ingest(store, [RELEASE, MDES_COPY], "2024-08-22T03:00")
    relevant(store, RELEASE, MDES_COPY)
    assert representative(store, RELEASE) == url_of(MDES_COPY)
    build_digest(store, out, W34, settings(), now=at("2024-08-22T12:00"))
    ids = [e.id for e in entries(out / "feed.atom")]
    assert sorted(ids) == sorted([stable_id(url_of(MDES_COPY)), stable_id(url_of(OTHER_STORY))])


# Every way a copy found later takes the representative's role (representative_key),
# each alone (the copy loses on every later criterion): the release as published, the copy.
ROUTES = {
    "a complete extraction for a fallback one": (
        replace(RELEASE, extraction="fallback"),
        mdes_copy(7003, published=date(2024, 8, 22)),
    ),
    "an earlier date": (RELEASE, mdes_copy(7004, published=date(2024, 8, 20))),
    "the longer first version on the same day": (
        RELEASE,  # a thaigov repost, two paragraphs longer, its URL sorting after the release's
        article(7005, TITLE, thai_body(range(1, 9), 240), date(2024, 8, 21)),
    ),
    "the URL that sorts first on a full tie": (RELEASE, mdes_copy(7006)),
}


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_to_another_representative_keeps_the_published_entry(store, tmp_path, route):
    release, copy = ROUTES[route]
    out = tmp_path / "public"
    ingest(store, [release], "2024-08-21T03:00")
    relevant(store, release)
    build_digest(store, out, W34, settings(), now=at("2024-08-21T12:00"))
    ingest(store, [copy], "2024-08-22T03:00")
    relevant(store, copy)
    assert representative(store, release) == url_of(copy)
    build_digest(store, out, W34, settings(), now=at("2024-08-22T12:00"))
    for name, path in article_feeds(out).items():
        ((entry_id, link),) = [(e.id, e.link) for e in entries(path)]
        assert (entry_id, link) == (stable_id(url_of(release)), link_of(copy)), name


def test_a_representative_edited_to_a_later_date_leaves_the_entry_to_its_story(store, tmp_path):
    # MDES reposts the release the next day; thaigov then corrects its release's date to the
    # day after: MDES's copy is the earliest now and takes the role. The story keeps its
    # entry: it is the same story.
    out = tmp_path / "public"
    copy = mdes_copy(7007, published=date(2024, 8, 22))
    ingest(store, [RELEASE, copy], "2024-08-21T03:00")
    relevant(store, RELEASE, copy)
    assert representative(store, copy) == url_of(RELEASE)
    build_digest(store, out, W34, settings(), now=at("2024-08-21T12:00"))
    ingest(store, [replace(RELEASE, published_hint=date(2024, 8, 23))], "2024-08-22T03:00")
    relevant(store, RELEASE)
    assert representative(store, RELEASE) == url_of(copy)
    build_digest(store, out, W34, settings(), now=at("2024-08-22T12:00"))
    ids = [
        e.id for e in entries(out / "feed.atom") if not e.title.startswith(REVISION_PREFIXES["th"])
    ]
    assert ids == [stable_id(url_of(RELEASE))]


def test_a_story_cut_from_the_feed_of_every_article_keeps_its_entry_in_its_topics_feed(
    store, tmp_path
):
    out = tmp_path / "public"
    newer = article(103, "ASEAN digital ministers meet", "Ministers met.", date(2024, 8, 23))
    ingest(store, [RELEASE, newer], "2024-08-23T03:00")
    relevant(store, RELEASE)
    relevant(store, newer, topics=("asean",), partners=())
    build_digest(store, out, W34, settings(max_entries=1), now=at("2024-08-23T12:00"))
    assert [e.id for e in entries(out / "feed.atom")] == [stable_id(url_of(newer))]
    assert [e.id for e in entries(out / "topics" / "ai.atom")] == [stable_id(url_of(RELEASE))]
    ingest(store, [MDES_COPY], "2024-08-24T03:00")
    relevant(store, MDES_COPY)
    build_digest(store, out, W34, settings(max_entries=1), now=at("2024-08-24T12:00"))
    assert [e.id for e in entries(out / "topics" / "ai.atom")] == [stable_id(url_of(RELEASE))]
    assert [e.id for e in entries(out / "partners" / "country-jp.atom")] == [
        stable_id(url_of(RELEASE))
    ]


def story_item(url: str, source: str, day: date, also_on: tuple[str, ...]) -> Item:
    """A relevant story of ``TITLE`` as the feeds are given it: stored under ``url``, first
    seen 22 Aug 2024 03:00 UTC, with copies at ``also_on``."""
    return Item(
        url=url,
        source=source,
        title=TITLE,
        body=BODY,
        language="th",
        day=day,
        dated=True,
        first_seen="2024-08-22T03:00:00Z",
        listed_since="2024-08-21T03:00:00Z",
        last_changed="2024-08-22T03:00:00Z",
        relevance=0.8,
        topics=("ai",),
        also_on=also_on,
    )


def test_two_stories_published_apart_and_merged_since_are_the_entry_published_first():
    def dated(day):
        return Dated(at(f"{day}T05:00"), at(f"{day}T00:00"))

    merged = story_item(
        "https://www.mdes.go.th/news/detail/1",
        "mdes",
        date(2024, 8, 20),
        ("https://www.thaigov.go.th/news/contents/details/1", "https://x.example/2"),
    )
    thaigov, other = (stable_id(url) for url in merged.also_on)
    written = {thaigov: dated("2024-08-21"), other: dated("2024-08-20")}
    assert story_id(merged, written) == other  # published first
    assert story_id(merged, {}) == stable_id(merged.url)
    assert story_id(merged, {**written, stable_id(merged.url): dated("2024-08-22")}) == (
        stable_id(merged.url)
    )


# RELEASE as a release before a site's article was named by its id alone stored it: its id
# in Thai digits, percent-encoded (its escapes sort before the id's ASCII digits).
RELEASE_STORED_BEFORE = "https://thaigov.go.th/news/contents/details/" + quote("๑๐๑")


def stored_under_its_former_address(store: Store, moment: str) -> None:
    """RELEASE stored, relevant, at ``moment`` under its former address, as that release did."""
    ingest(store, [RELEASE], moment)
    relevant(store, RELEASE)
    with store.transaction() as conn:
        conn.execute(
            update(articles)
            .where(articles.c.url == url_of(RELEASE))
            .values(url=RELEASE_STORED_BEFORE)
        )


def test_a_story_stored_under_a_former_address_is_published_at_the_canonical_one(store, tmp_path):
    out = tmp_path / "public"
    stored_under_its_former_address(store, "2024-08-21T03:00")
    ingest(store, [RELEASE], "2024-08-22T03:00")  # the crawl stores it under its own address
    relevant(store, RELEASE)

    result = build_digest(store, out, W34, settings(), now=at("2024-08-22T12:00"))

    for name, path in article_feeds(out).items():
        ((entry_id, link),) = [(e.id, e.link) for e in entries(path)]
        assert (entry_id, link) == (stable_id(url_of(RELEASE)), link_of(RELEASE)), name
    assert f"](<{link_of(RELEASE)}>)" in result.markdown  # the headline links it
    assert RELEASE_STORED_BEFORE not in result.markdown
    assert served_url(RELEASE_STORED_BEFORE) not in result.markdown


def test_a_story_published_under_a_former_address_keeps_its_entry_at_the_canonical_one(
    store, tmp_path
):
    out = tmp_path / "public"
    stored_under_its_former_address(store, "2024-08-21T03:00")
    build_digest(store, out, W34, settings(), now=at("2024-08-21T12:00"))
    ((published, link),) = [(e.id, e.link) for e in entries(out / "feed.atom")]
    assert (published, link) == (
        stable_id(RELEASE_STORED_BEFORE),
        served_url(RELEASE_STORED_BEFORE),
    )

    ingest(store, [RELEASE], "2024-08-22T03:00")
    relevant(store, RELEASE)
    build_digest(store, out, W34, settings(), now=at("2024-08-22T12:00"))

    for name, path in article_feeds(out).items():
        ((entry_id, link),) = [(e.id, e.link) for e in entries(path)]
        assert (entry_id, link) == (published, link_of(RELEASE)), name


def duplicates_of(store: Store) -> dict[str, str | None]:
    with store.engine.connect() as conn:
        return dict(conn.execute(select(articles.c.url, articles.c.duplicate_of)).all())


def test_a_database_an_older_release_wrote_links_the_canonical_address_once_opened_to_write(
    store, tmp_path
):
    """The release before this one, published the story under the former address, then
    stored the canonical row as its copy (the escapes sort first) and recorded nothing of
    this release's hand-over: an unchanged page crawled again would change no cluster."""
    out = tmp_path / "public"
    stored_under_its_former_address(store, "2024-08-21T03:00")
    build_digest(store, out, W34, settings(), now=at("2024-08-21T12:00"))
    ((published, _),) = [(e.id, e.link) for e in entries(out / "feed.atom")]
    ingest(store, [RELEASE], "2024-08-22T03:00")
    relevant(store, RELEASE)
    with store.transaction() as conn:  # as that release chose and left its meta
        conn.execute(update(articles).values(duplicate_of=RELEASE_STORED_BEFORE))
        conn.execute(
            update(articles)
            .where(articles.c.url == RELEASE_STORED_BEFORE)
            .values(duplicate_of=None)
        )
        conn.execute(delete(meta).where(meta.c.key == CANONICAL_REPRESENTATIVES_KEY))
    written = duplicates_of(store)
    store.close()
    read_only = Store(store.url, create=False)  # a command that only reads changes nothing
    assert duplicates_of(read_only) == written
    read_only.close()

    reopened = Store(store.url)  # what every command that writes opens first
    result = build_digest(reopened, out, W34, settings(), now=at("2024-08-22T12:00"))

    assert duplicates_of(reopened) == {
        url_of(RELEASE): None,
        RELEASE_STORED_BEFORE: url_of(RELEASE),
    }
    assert f"](<{link_of(RELEASE)}>)" in result.markdown
    assert RELEASE_STORED_BEFORE not in result.markdown
    assert served_url(RELEASE_STORED_BEFORE) not in result.markdown
    for name, path in article_feeds(out).items():
        ((entry_id, link),) = [(e.id, e.link) for e in entries(path)]
        assert (entry_id, link) == (published, link_of(RELEASE)), name
    reopened.close()


def entry_dates(out) -> dict[str, datetime]:
    """The one story's ``updated`` as each feed of articles gives it: Atom's ``updated``, JSON
    Feed's ``date_modified`` and, RSS having no date of an item's change, the channel's
    ``lastBuildDate`` (its newest entry's)."""
    dates: dict[str, datetime] = {}
    for name, path in article_feeds(out).items():
        if name.endswith(".rss"):
            built = feedparser.parse(path.read_bytes()).feed.updated
            dates[name] = parsedate_to_datetime(built)
        else:
            (entry,) = entries(path)
            dates[name] = datetime.fromisoformat(entry.updated)
    for name in ("feed.json", "topics/ai.json"):
        (item,) = json.loads((out / name).read_text(encoding="utf-8"))["items"]
        dates[name] = datetime.fromisoformat(item["date_modified"])
    return dates


# A copy that reads as the release does, word for word, and takes the representative's role on
# the full tie: its URL sorts first. The entry then shows what it showed: the same headline,
# summary and date.
IDENTICAL_COPIES = {
    "a text file imported without a web address": RawArticle(
        url="file:///home/me/seeds/101.txt",
        source="file",
        title=TITLE,
        body=BODY,
        published_hint=date(2024, 8, 21),
    ),
    "the other site's copy": mdes_copy(7008),
}


@pytest.mark.parametrize("copy", IDENTICAL_COPIES)
def test_an_identical_copy_that_becomes_the_representative_leaves_the_entry_undated(
    store, tmp_path, copy
):
    out = tmp_path / "public"
    ingest(store, [RELEASE], "2024-08-21T03:00")
    relevant(store, RELEASE)
    build_digest(store, out, W34, settings(), now=at("2024-08-21T12:00"))
    first = entry_dates(out)
    assert set(first.values()) == {at("2024-08-21T03:00")}, first  # when the release was stored

    identical = IDENTICAL_COPIES[copy]
    ingest(store, [identical], "2024-08-22T03:00")
    relevant(store, identical)
    assert representative(store, RELEASE) == url_of(identical)  # the route under test
    build_digest(store, out, W34, settings(), now=at("2024-08-22T12:00"))

    assert entry_dates(out) == first
    for name, path in article_feeds(out).items():
        assert [e.id for e in entries(path)] == [stable_id(url_of(RELEASE))], name
    # And a later build leaves every feed as it was.
    written = {name: path.read_bytes() for name, path in article_feeds(out).items()}
    result = build_digest(store, out, W34, settings(), now=at("2024-08-22T13:00"))
    for name, path in article_feeds(out).items():
        assert path.read_bytes() == written[name], name
        assert path not in result.changed


def test_a_copy_whose_date_the_entry_now_shows_dates_the_entry_again(store, tmp_path):
    out = tmp_path / "public"
    ingest(store, [RELEASE], "2024-08-21T03:00")
    relevant(store, RELEASE)
    build_digest(store, out, W34, settings(), now=at("2024-08-21T12:00"))
    ingest(store, [MDES_COPY], "2024-08-22T03:00")  # the same text, dated a day earlier
    relevant(store, MDES_COPY)
    build_digest(store, out, W34, settings(), now=at("2024-08-22T12:00"))
    # The entry shows another date: it changed, when the copy was stored.
    assert set(entry_dates(out).values()) == {at("2024-08-22T03:00")}


def test_what_an_entry_shows_is_read_back_from_its_atom_feed_as_written():
    moment = at("2024-08-21T03:00")
    summaries = ("a\r\nb\rc\td  ", "  ข่าว\n\nสอง", "", "R&D <b>x</b> &amp; ]]> \u2028 z")
    written = [
        Entry(f"urn:uuid:{n}", f" ข่าว\r{n} <i>&</i> ", "https://e.example/", moment, moment, s)
        for n, s in enumerate(summaries)
    ]
    feed = FeedInfo("urn:uuid:f", "t", "s", "https://e.example/", "https://e.example/f", moment)
    read = atom_dates(render_atom(feed, written))
    assert {entry.id: shown_text(entry) for entry in written} == {
        entry_id: dated.shown for entry_id, dated in read.items()
    }


@pytest.mark.parametrize(
    ("written_title", "written_summary", "written_day", "dated_again"),
    [
        (TITLE, None, "2024-08-21", False),  # what it shows now
        ("ดีอี ร่วมมือญี่ปุ่น", None, "2024-08-21", True),  # another headline
        (TITLE, "การประชุมครั้งที่ 1", "2024-08-21", True),  # another summary
        (TITLE, None, "2024-08-20", True),  # another date
    ],
)
def test_an_entry_under_a_members_id_is_dated_again_only_when_it_shows_something_else(
    written_title, written_summary, written_day, dated_again
):
    item = story_item(
        "file:///home/me/seeds/101.txt", "file", date(2024, 8, 21), (url_of(RELEASE),)
    )
    summary = article_entry(item).summary
    published = datetime.fromisoformat(f"{written_day}T00:00:00+07:00")
    shown = (written_title, summary if written_summary is None else written_summary)
    written = {stable_id(url_of(RELEASE)): Dated(at("2024-08-21T03:00"), published, shown)}
    entry = article_entry(item, written=written)
    assert entry.id == stable_id(url_of(RELEASE))
    assert entry.updated == at("2024-08-22T03:00" if dated_again else "2024-08-21T03:00")


def test_an_entry_written_updated_before_it_was_published_is_not_kept_so():
    # An older release wrote a member's entry published on its date, 22 August, and updated
    # the day before, when that member was found; the story shows the same now.
    item = story_item(
        "file:///home/me/seeds/101.txt", "file", date(2024, 8, 22), (url_of(RELEASE),)
    )
    published = datetime.fromisoformat("2024-08-22T00:00:00+07:00")
    shown = (TITLE, article_entry(item).summary)
    written = {stable_id(url_of(RELEASE)): Dated(at("2024-08-21T03:00"), published, shown)}
    entry = article_entry(item, written=written)
    assert entry.id == stable_id(url_of(RELEASE))
    assert (entry.published, entry.updated) == (published, published)
