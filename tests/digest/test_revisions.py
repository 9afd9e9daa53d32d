"""An edited article, end to end: the digest says what changed, the feeds carry a revision."""

import json
from dataclasses import replace
from datetime import date

import feedparser
import pytest

from digest.feeds import revision_id, stable_id
from digest.publish import build_digest
from digest.select import Week
from tests.digest import article, at, ingest, mark, settings, thai_body, url_of
from thaidigest.dates import arabic_digits
from thaidigest.export import export_record
from thaidigest.model import RawArticle
from thaidigest.pipeline import build_ingestor
from thaidigest.readers import read_paths
from thaidigest.sites import THAIGOV_TITLE_PREFIX
from thaidigest.store import Store
from thaidigest.urls import served_url

W33, W34, W35 = Week(2024, 33), Week(2024, 34), Week(2024, 35)
DAY = date(2024, 8, 14)
TITLE = "ดีอี ร่วมมือญี่ปุ่นด้านเมืองอัจฉริยะ"
BEFORE = (
    "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมร่วมประชุมกับญี่ปุ่น\n"
    "ที่ประชุมอนุมัติงบประมาณ 5,000 ล้านบาท สำหรับโครงการเมืองอัจฉริยะ\n"
    "ทั้งสองฝ่ายจะประชุมกันอีกครั้งในปีหน้า"
)
EDITED = BEFORE.replace("5,000", "6,000").replace(
    "ทั้งสองฝ่ายจะประชุมกันอีกครั้งในปีหน้า", "ทั้งสองฝ่ายลงนามบันทึกความเข้าใจด้านปัญญาประดิษฐ์แล้ว"
)
NEW_SENTENCE = "ทั้งสองฝ่ายลงนามบันทึกความเข้าใจด้านปัญญาประดิษฐ์แล้ว"
FEEDS = ("feed.rss", "feed.atom", "topics/smart-city.atom")


@pytest.fixture
def edited(store):
    ingest(store, [article(1, TITLE, BEFORE, DAY)], "2024-08-14T03:00")
    ingest(store, [article(1, TITLE, EDITED, DAY)], "2024-08-21T05:30")
    mark(store, article(1, TITLE), topics=["smart-city"])
    return store


def parse(path):
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return parsed


def test_the_digest_of_the_week_of_the_change_shows_the_number_and_the_new_sentence(
    edited, tmp_path
):
    result = build_digest(edited, tmp_path, W34, settings())
    assert "· updated" in result.markdown
    assert "<del>5,000</del> → <ins>6,000</ins> ล้านบาท" in result.markdown
    assert f"Added: <ins>{NEW_SENTENCE}</ins>" in result.markdown
    assert "<del>5,000</del> → <ins>6,000</ins> ล้านบาท" in result.html
    page = (tmp_path / "digests" / "2024-W34.html").read_text()
    assert f'<ins lang="th">{NEW_SENTENCE}</ins>' in page


def test_feeds_hold_the_article_and_one_revision_entry_with_a_new_id(edited, tmp_path):
    build_digest(edited, tmp_path, W34, settings())
    url = url_of(article(1, TITLE))
    for name in FEEDS:
        entries = parse(tmp_path / name).entries
        assert [entry.id for entry in entries] == [revision_id(url, 2), stable_id(url)], name
        revision, original = entries
        assert revision.title == f"แก้ไข: {TITLE}"
        assert original.title == TITLE
        assert revision.link == original.link == served_url(url)
        assert revision.published_parsed[:5] == (2024, 8, 21, 5, 30)
        content = revision.content[0].value if "content" in revision else revision.description
        assert "<del>5,000</del> → <ins>6,000</ins> ล้านบาท" in content
        assert NEW_SENTENCE in content


def test_a_revision_entrys_content_lists_the_changes_alone_as_it_always_did(edited, tmp_path):
    """Each build writes the revision entries again, dated when their version was seen: the
    unchanged text each change follows, which the digest shows, would change an entry
    readers hold without dating it again."""
    result = build_digest(edited, tmp_path, W34, settings())
    url = url_of(article(1, TITLE))
    entries = json.loads((tmp_path / "feed.json").read_text(encoding="utf-8"))["items"]
    (revision,) = [entry for entry in entries if entry["id"] == revision_id(url, 2)]

    assert revision["content_html"] == (
        "<ul>\n"
        "<li>อนุมัติงบประมาณ <del>5,000</del> → <ins>6,000</ins> ล้านบาท</li>\n"
        "<li>Removed: <del>ทั้งสองฝ่ายจะประชุมกันอีกครั้งในปีหน้า</del></li>\n"
        f"<li>Added: <ins>{NEW_SENTENCE}</ins></li>\n"
        "</ul>\n"
    )
    assert "- Unchanged text before it: สำหรับโครงการเมืองอัจฉริยะ\n- Removed:" in result.markdown


def test_the_revision_keeps_its_id_and_a_later_version_adds_a_later_entry(edited, tmp_path):
    url = url_of(article(1, TITLE))
    build_digest(edited, tmp_path / "a", W34, settings())
    first = [entry.id for entry in parse(tmp_path / "a" / "feed.atom").entries]
    ingest(edited, [article(1, TITLE, EDITED.replace("6,000", "6,500"), DAY)], "2024-08-27T02:00")
    mark(edited, article(1, TITLE), topics=["smart-city"])  # storing a version scores it again
    build_digest(edited, tmp_path / "b", W35, settings())
    entries = parse(tmp_path / "b" / "feed.atom").entries
    assert first == [revision_id(url, 2), stable_id(url)]
    assert [entry.id for entry in entries] == [revision_id(url, 3), *first]
    assert "<del>6,000</del> → <ins>6,500</ins>" in entries[0].content[0].value


def test_building_twice_gives_the_same_ids_and_bytes(edited, tmp_path):
    first = build_digest(edited, tmp_path / "a", W34, settings())
    second = build_digest(edited, tmp_path / "b", W34, settings())
    again = build_digest(edited, tmp_path / "b", W34, settings())
    assert again.changed == ()
    for path in first.files:
        name = path.relative_to(tmp_path / "a")
        assert path.read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert len(first.files) == len(second.files)


def test_an_english_revision_is_titled_updated(store, tmp_path):
    ingest(store, [article(2, "Ministers meet", "They met. Budget 10 million.", DAY)], "2024-08-14")
    ingest(store, [article(2, "Ministers meet", "They met. Budget 12 million.", DAY)], "2024-08-20")
    mark(store, article(2, "Ministers meet"))
    build_digest(store, tmp_path, W34, settings())
    revision = parse(tmp_path / "feed.atom").entries[0]
    assert revision.title == "Updated: Ministers meet"
    assert "<del>10</del> → <ins>12</ins> million" in revision.content[0].value


# The last paragraph moved to the top, unchanged; and the same with the middle one rewritten.
OPENING, BUDGET, NEXT_MEETING = BEFORE.split("\n")
MOVED_TO_TOP = "\n".join([NEXT_MEETING, OPENING, BUDGET])
POSTPONED = "ที่ประชุมเลื่อนการพิจารณางบประมาณโครงการเมืองอัจฉริยะออกไป"
MOVED_AND_EDITED = "\n".join([NEXT_MEETING, OPENING, POSTPONED])


def changes_listed(markdown):
    """The lines of the digest's first list of what changed."""
    return markdown.split("What changed:\n\n")[1].split("\n\n")[0].split("\n")


def test_a_paragraph_moved_unchanged_is_said_to_have_moved_in_the_digest_and_the_feeds(
    store, tmp_path
):
    url = url_of(article(1, TITLE))
    ingest(store, [article(1, TITLE, BEFORE, DAY)], "2024-08-14T03:00")
    ingest(store, [article(1, TITLE, MOVED_TO_TOP, DAY)], "2024-08-21T05:30")
    mark(store, article(1, TITLE), topics=["smart-city"])

    result = build_digest(store, tmp_path, W34, settings())

    assert "· updated" in result.markdown  # its text reads otherwise: it is an update
    assert changes_listed(result.markdown) == [f"- Moved unchanged: {NEXT_MEETING}"]
    page = (tmp_path / "digests" / "2024-W34.html").read_text()
    assert f'Moved unchanged: <span lang="th">{NEXT_MEETING}</span>' in page
    for name in FEEDS:
        entries = parse(tmp_path / name).entries
        assert [entry.id for entry in entries] == [revision_id(url, 2), stable_id(url)], name
    items = json.loads((tmp_path / "feed.json").read_text(encoding="utf-8"))["items"]
    (revision,) = [item for item in items if item["id"] == revision_id(url, 2)]
    assert revision["content_html"] == (f"<ul>\n<li>Moved unchanged: {NEXT_MEETING}</li>\n</ul>\n")


def test_a_paragraph_moved_beside_an_edit_lists_the_edit_as_removed_and_added_and_the_move(
    store, tmp_path
):
    ingest(store, [article(1, TITLE, BEFORE, DAY)], "2024-08-14T03:00")
    ingest(store, [article(1, TITLE, MOVED_AND_EDITED, DAY)], "2024-08-21T05:30")
    mark(store, article(1, TITLE), topics=["smart-city"])

    result = build_digest(store, tmp_path, W34, settings())

    assert changes_listed(result.markdown) == [
        f"- Unchanged text before it: {OPENING}",
        f"- Removed: <del>{BUDGET}</del>",
        f"- Added: <ins>{POSTPONED}</ins>",
        f"- Moved unchanged: {NEXT_MEETING}",
    ]


def test_a_paragraph_moved_and_its_number_changed_is_moved_and_changed_in_the_digest_and_feeds(
    store, tmp_path
):
    url = url_of(article(1, TITLE))
    raised = "ที่ประชุมอนุมัติงบประมาณ 6,000 ล้านบาท สำหรับโครงการเมืองอัจฉริยะ"
    ingest(store, [article(1, TITLE, BEFORE, DAY)], "2024-08-14T03:00")
    ingest(
        store, [article(1, TITLE, "\n".join([raised, OPENING, NEXT_MEETING]), DAY)], "2024-08-21"
    )
    mark(store, article(1, TITLE), topics=["smart-city"])

    result = build_digest(store, tmp_path, W34, settings())

    assert changes_listed(result.markdown) == [
        "- Moved and changed: <del>ที่ประชุมอนุมัติงบประมาณ 5,000 ล้านบาท สำหรับโครงการเมืองอัจฉริยะ</del>"
        " → <ins>ที่ประชุมอนุมัติงบประมาณ 6,000 ล้านบาท สำหรับโครงการเมืองอัจฉริยะ</ins>"
    ]
    page = (tmp_path / "digests" / "2024-W34.html").read_text()
    assert (
        'Moved and changed: <del lang="th">ที่ประชุมอนุมัติงบประมาณ 5,000 ล้านบาท'
        ' สำหรับโครงการเมืองอัจฉริยะ</del> → <ins lang="th">ที่ประชุมอนุมัติงบประมาณ 6,000 ล้านบาท'
        " สำหรับโครงการเมืองอัจฉริยะ</ins>"
    ) in page
    items = json.loads((tmp_path / "feed.json").read_text(encoding="utf-8"))["items"]
    (revision,) = [item for item in items if item["id"] == revision_id(url, 2)]
    assert revision["content_html"] == (
        "<ul>\n<li>Moved and changed: <del>ที่ประชุมอนุมัติงบประมาณ 5,000 ล้านบาท"
        " สำหรับโครงการเมืองอัจฉริยะ</del> → <ins>ที่ประชุมอนุมัติงบประมาณ 6,000 ล้านบาท"
        " สำหรับโครงการเมืองอัจฉริยะ</ins></li>\n</ul>\n"
    )


TO_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def test_an_edit_after_a_visit_that_switched_digit_script_shows_only_the_edit(store, tmp_path):
    # The site re-renders its digits (๒๕๖๗ for 2567) in one visit and adds a sentence in
    # the next: the first is no edit, and the second must not show numbers that stayed.
    title = f"{TITLE} ประจำปี ๒๕๖๗"
    ingest(store, [article(3, title, BEFORE, DAY)], "2024-08-14T03:00")
    switched = arabic_digits(title)
    thai_digits = BEFORE.translate(TO_THAI_DIGITS)
    summary = build_ingestor(store, clock=lambda: at("2024-08-19T03:00")).ingest(
        [article(3, switched, thai_digits, DAY)]
    )
    assert (summary.unchanged, summary.updated) == (1, 0)
    ingest(store, [article(3, switched, f"{thai_digits}\n{NEW_SENTENCE}", DAY)], "2024-08-21")
    mark(store, article(3, title))
    result = build_digest(store, tmp_path, W34, settings())
    assert "· updated" in result.markdown
    changes = result.markdown.split("What changed:")[1].split("\n\n")[1]
    assert changes == (
        "- Unchanged text before it: ทั้งสองฝ่ายจะประชุมกันอีกครั้งในปีหน้า\n"
        f"- Added: <ins>{NEW_SENTENCE}</ins>"
    )
    revision = parse(tmp_path / "feed.atom").entries[0]
    assert NEW_SENTENCE in revision.content[0].value
    assert "<del>" not in revision.content[0].value


MDES_COPY = RawArticle(
    url="https://www.mdes.go.th/news/detail/11009",
    source="mdes",
    title=TITLE,
    body=BEFORE + "\nข่าวประชาสัมพันธ์ กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
    source_id="11009",
    published_hint=DAY,
)


@pytest.fixture
def copy_edited(store):
    """The story on thaigov with its MDES copy folded in; the copy edited in week 34."""
    ingest(store, [article(1, TITLE, BEFORE, DAY), MDES_COPY], "2024-08-14T03:00")
    edited = replace(MDES_COPY, body=MDES_COPY.body.replace("5,000", "6,000"))
    ingest(store, [edited], "2024-08-21T05:30")
    mark(store, article(1, TITLE), topics=["smart-city"])
    mark(store, MDES_COPY, topics=["smart-city"], duplicate_of=article(1, TITLE))
    return store


def test_an_edited_copy_shows_in_the_digest_and_the_feeds_under_its_own_site(copy_edited, tmp_path):
    result = build_digest(copy_edited, tmp_path, W34, settings())
    copy_url = url_of(MDES_COPY)
    assert "· updated" in result.markdown
    assert f"What changed in the copy on mdes.go.th (<{served_url(copy_url)}>):" in result.markdown
    assert "<del>5,000</del> → <ins>6,000</ins> ล้านบาท" in result.markdown
    url = url_of(article(1, TITLE))
    for name in FEEDS:
        entries = parse(tmp_path / name).entries
        assert [entry.id for entry in entries] == [revision_id(copy_url, 2), stable_id(url)], name
        revision = entries[0]
        assert revision.title == f"แก้ไข (mdes.go.th): {TITLE}"
        assert revision.link == served_url(copy_url)
        content = revision.content[0].value if "content" in revision else revision.description
        assert "<del>5,000</del> → <ins>6,000</ins> ล้านบาท" in content


def test_a_copy_edited_into_the_longer_text_keeps_the_story_entry_id(store, tmp_path):
    """The story on both sites the same day in one text: the MDES URL sorts first and names
    the story's entry. A sentence added to the thaigov copy makes it the longer text; that is
    a revision entry of the copy, and the story's entry keeps its id (a new one would show
    readers the story again as new)."""
    body = thai_body(range(1, 6), 200)
    thaigov, mdes = article(4, TITLE, body, DAY), replace(MDES_COPY, body=body)
    ingest(store, [thaigov], "2024-08-14T03:00")
    ingest(store, [mdes], "2024-08-14T04:00")
    assert store.article_by_url(url_of(thaigov))["duplicate_of"] == url_of(mdes)
    mark(store, mdes, topics=["smart-city"])
    build_digest(store, tmp_path / "a", W33, settings())
    story = [entry.id for entry in parse(tmp_path / "a" / "feed.atom").entries]
    assert story == [stable_id(url_of(mdes))]
    ingest(store, [replace(thaigov, body=f"{body}\n{NEW_SENTENCE}")], "2024-08-21T05:30")
    build_digest(store, tmp_path / "b", W34, settings())
    entries = parse(tmp_path / "b" / "feed.atom").entries
    assert [entry.id for entry in entries] == [revision_id(url_of(thaigov), 2), *story]
    assert entries[0].title == f"แก้ไข (thaigov.go.th): {TITLE}"


def moved(store, tmp_path, moment):
    """A new store holding what ``thaidigest export`` of ``store`` imports as at ``moment``."""
    exported = tmp_path / "export.jsonl"
    lines = (json.dumps(export_record(row), ensure_ascii=False) for row in store.iter_articles())
    exported.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    again = Store(f"sqlite:///{tmp_path / 'moved.sqlite'}")
    summary = build_ingestor(again, clock=lambda: at(moment)).ingest(read_paths([exported]))
    assert summary.rejected == 0, summary.rejections
    return again


def test_an_edit_after_export_and_import_is_a_revision_with_an_id_never_used(edited, tmp_path):
    url = url_of(article(1, TITLE))
    build_digest(edited, tmp_path / "a", W34, settings())
    seen = {entry.id for entry in parse(tmp_path / "a" / "feed.atom").entries}
    again = moved(edited, tmp_path, "2024-08-26T01:00")
    ingest(again, [article(1, TITLE, EDITED.replace("6,000", "6,500"), DAY)], "2024-08-27T02:00")
    mark(again, article(1, TITLE), topics=["smart-city"])
    build_digest(again, tmp_path / "b", W35, settings())
    again.close()
    revision, original = parse(tmp_path / "b" / "feed.atom").entries
    assert (revision.id, original.id) == (revision_id(url, 3), stable_id(url))
    assert revision.id not in seen
    assert "<del>6,000</del> → <ins>6,500</ins>" in revision.content[0].value


def test_an_undated_article_moved_by_export_and_import_keeps_the_day_it_was_found(store, tmp_path):
    undated = article(3, "ดีอี ร่วมมือสิงคโปร์ด้านความปลอดภัยไซเบอร์")
    ingest(store, [undated], "2024-08-14T03:00")
    mark(store, undated)
    again = moved(store, tmp_path, "2024-08-27T02:00")
    mark(again, undated)
    week_found = build_digest(again, tmp_path / "a", W33, settings())
    week_moved = build_digest(again, tmp_path / "b", W35, settings())
    (row,) = again.iter_articles()
    again.close()
    assert row["first_seen"] == "2024-08-14T03:00:00Z"
    assert "date unknown, found 2024-08-14" in week_found.markdown
    assert undated.title not in week_moved.markdown


# A space between two Thai phrases: a new version, in which no word changed.
SPACED = BEFORE.replace("จะประชุมกันอีกครั้งในปีหน้า", "จะประชุมกันอีกครั้ง ในปีหน้า")


def content_of(entry):
    """The HTML of a revision entry, in Atom or RSS."""
    return entry.content[0].value if "content" in entry else entry.description


CHANGED_BACK = "- Edited and changed back during the week: it reads as it did before."


def test_an_edit_undone_within_the_week_keeps_its_revision_entry_and_adds_the_undoing(
    store, tmp_path
):
    url = url_of(article(1, TITLE))
    ingest(store, [article(1, TITLE, BEFORE, DAY)], "2024-08-14T03:00")
    ingest(store, [article(1, TITLE, EDITED, DAY)], "2024-08-20T03:00")
    mark(store, article(1, TITLE), topics=["smart-city"])
    build_digest(store, tmp_path, W34, settings(), now=at("2024-08-20T05:00"))
    told = [entry.id for entry in parse(tmp_path / "feed.atom").entries]
    assert told == [revision_id(url, 2), stable_id(url)]

    ingest(store, [article(1, TITLE, BEFORE, DAY)], "2024-08-21T03:00")  # the edit taken back
    mark(store, article(1, TITLE), topics=["smart-city"])
    assert store.article_by_url(url)["versions"] == 3
    result = build_digest(store, tmp_path, W34, settings(), now=at("2024-08-21T05:00"))

    assert "· updated" in result.markdown
    assert result.markdown.split("What changed:")[1].split("\n\n")[1] == CHANGED_BACK
    for name in FEEDS:
        entries = parse(tmp_path / name).entries
        assert [entry.id for entry in entries] == [revision_id(url, 3), *told], name
        undoing, edit, _ = entries
        assert f"<ins>{NEW_SENTENCE}</ins>" in content_of(edit)
        assert f"<del>{NEW_SENTENCE}</del>" in content_of(undoing)
        assert "<del>6,000</del> → <ins>5,000</ins>" in content_of(undoing)


def test_a_copy_edit_undone_within_the_week_lists_its_story_with_both_revision_entries(
    store, tmp_path
):
    url, copy_url = url_of(article(1, TITLE)), url_of(MDES_COPY)
    ingest(store, [article(1, TITLE, BEFORE, DAY), MDES_COPY], "2024-08-14T03:00")
    edited = replace(MDES_COPY, body=MDES_COPY.body.replace("5,000", "6,000"))
    ingest(store, [edited], "2024-08-20T03:00")
    ingest(store, [MDES_COPY], "2024-08-21T03:00")
    mark(store, article(1, TITLE), topics=["smart-city"])
    mark(store, MDES_COPY, topics=["smart-city"], duplicate_of=article(1, TITLE))

    result = build_digest(store, tmp_path, W34, settings())

    assert "· updated" in result.markdown
    assert "What changed:" not in result.markdown  # the thaigov page was not edited
    heading = f"What changed in the copy on mdes.go.th (<{served_url(copy_url)}>):"
    assert result.markdown.split(heading)[1].split("\n\n")[1] == CHANGED_BACK
    for name in FEEDS:
        entries = parse(tmp_path / name).entries
        ids = [revision_id(copy_url, 3), revision_id(copy_url, 2), stable_id(url)]
        assert [entry.id for entry in entries] == ids, name
        assert "<del>6,000</del> → <ins>5,000</ins>" in content_of(entries[0])
        assert "<del>5,000</del> → <ins>6,000</ins>" in content_of(entries[1])


def test_a_version_that_changes_no_word_is_no_update_and_no_revision_entry(store, tmp_path):
    url = url_of(article(1, TITLE))
    ingest(store, [article(1, TITLE, BEFORE, DAY)], "2024-08-14T03:00")
    ingest(store, [article(1, TITLE, SPACED, DAY)], "2024-08-20T03:00")
    mark(store, article(1, TITLE), topics=["smart-city"])
    assert store.article_by_url(url)["versions"] == 2

    week = build_digest(store, tmp_path / "a", W34, settings())

    assert TITLE not in week.markdown
    for name in FEEDS:
        assert [entry.id for entry in parse(tmp_path / "a" / name).entries] == [stable_id(url)]

    # A real edit in the same week shows as before, and only its version is an entry.
    ingest(store, [article(1, TITLE, SPACED.replace("5,000", "6,000"), DAY)], "2024-08-22T03:00")
    mark(store, article(1, TITLE), topics=["smart-city"])
    week = build_digest(store, tmp_path / "b", W34, settings())
    assert "· updated" in week.markdown
    assert "<del>5,000</del> → <ins>6,000</ins> ล้านบาท" in week.markdown
    for name in FEEDS:
        entries = parse(tmp_path / "b" / name).entries
        assert [entry.id for entry in entries] == [revision_id(url, 3), stable_id(url)], name


def test_a_copy_version_that_changes_no_word_is_no_update_of_its_story(store, tmp_path):
    url = url_of(article(1, TITLE))
    ingest(store, [article(1, TITLE, BEFORE, DAY), MDES_COPY], "2024-08-14T03:00")
    spaced = replace(MDES_COPY, body=MDES_COPY.body.replace(BEFORE, SPACED))
    ingest(store, [spaced], "2024-08-21T05:30")
    mark(store, article(1, TITLE), topics=["smart-city"])
    mark(store, MDES_COPY, topics=["smart-city"], duplicate_of=article(1, TITLE))
    assert store.article_by_url(url_of(MDES_COPY))["versions"] == 2

    result = build_digest(store, tmp_path, W34, settings())

    assert TITLE not in result.markdown
    for name in FEEDS:
        assert [entry.id for entry in parse(tmp_path / name).entries] == [stable_id(url)]


def test_a_date_correction_is_listed_as_an_update_and_the_earlier_week_rebuilt_unchanged(
    store, tmp_path
):
    corrected = date(2024, 8, 20)
    ingest(store, [article(1, TITLE, BEFORE, DAY)], "2024-08-14T03:00")
    mark(store, article(1, TITLE), topics=["smart-city"])
    week33 = build_digest(store, tmp_path, W33, settings(), now=at("2024-08-19T01:00")).markdown
    ingest(store, [article(1, TITLE, BEFORE, corrected)], "2024-08-21T05:30")
    mark(store, article(1, TITLE), topics=["smart-city"])
    week34 = build_digest(store, tmp_path, W34, settings(), now=at("2024-08-26T01:00")).markdown
    assert f"thaigov.go.th · {corrected} · Thai · updated" in week34
    assert "Date: <del>2024-08-14</del> → <ins>2024-08-20</ins>" in week34
    again = build_digest(store, tmp_path, W33, settings(), now=at("2024-08-26T02:00")).markdown
    assert f"thaigov.go.th · {DAY} · Thai" in again
    assert again == week33
    # The feeds, which span both weeks, hold the article once, dated as corrected.
    url = url_of(article(1, TITLE))
    entries = parse(tmp_path / "feed.atom").entries
    assert [entry.id for entry in entries] == [revision_id(url, 2), stable_id(url)]
    assert entries[1].published_parsed[:4] == (2024, 8, 19, 17)  # 20 August, Bangkok midnight


RETITLED = "ดีอี ลงนามบันทึกความเข้าใจกับญี่ปุ่นด้านปัญญาประดิษฐ์"
REWRITTEN = f"{NEW_SENTENCE}\n{EDITED}"  # a new opening: another lede
NEVER_EDITED = article(5, "ดีอี ร่วมมือสิงคโปร์ด้านความปลอดภัยไซเบอร์", BEFORE, DAY)


def test_a_past_week_built_after_an_edit_shows_the_story_as_that_week_ended(store, tmp_path):
    """Stored in week 33, headline and text rewritten in week 35: week 33 built again shows
    the headline and lede its readers got, in the digest and in the feeds written from it,
    byte for byte, and the article never edited beside it too; week 35 lists the story as
    updated under its new headline."""
    url = url_of(article(1, TITLE))
    ingest(store, [article(1, TITLE, BEFORE, DAY), NEVER_EDITED], "2024-08-14T03:00")
    mark(store, NEVER_EDITED, topics=["cybersecurity"])
    mark(store, article(1, TITLE), topics=["smart-city"])
    then = build_digest(store, tmp_path / "then", W33, settings(), now=at("2024-08-19T01:00"))
    assert f"### [{TITLE}](<{served_url(url)}>)" in then.markdown
    ingest(store, [article(1, RETITLED, REWRITTEN, DAY)], "2024-08-28T05:30")
    mark(store, article(1, TITLE), topics=["smart-city"])

    again = build_digest(store, tmp_path / "again", W33, settings(), now=at("2024-09-02T01:00"))

    assert RETITLED not in again.markdown
    assert NEW_SENTENCE not in again.markdown
    assert again.markdown == then.markdown
    for path in then.files:
        name = path.relative_to(tmp_path / "then")
        assert (tmp_path / "again" / name).read_bytes() == path.read_bytes(), name
    entries = {entry.id: entry for entry in parse(tmp_path / "again" / "feed.atom").entries}
    assert entries[stable_id(url)].title == TITLE
    assert NEW_SENTENCE not in entries[stable_id(url)].summary

    later = build_digest(store, tmp_path / "again", W35, settings(), now=at("2024-09-02T01:00"))
    assert f"### [{RETITLED}](<{served_url(url)}>)" in later.markdown
    assert f"thaigov.go.th · {DAY} · Thai · updated" in later.markdown
    assert f"Headline: <del>{TITLE}</del> → <ins>{RETITLED}</ins>" in later.markdown
    assert NEVER_EDITED.title not in later.markdown
    # The feeds now span weeks 33 to 35: the story's entry is as week 35 shows it, under
    # the headline of its revision entry.
    revision, original, *_ = parse(tmp_path / "again" / "feed.atom").entries
    assert (revision.id, original.id) == (revision_id(url, 2), stable_id(url))
    assert revision.title == f"แก้ไข: {RETITLED}"
    assert original.title == RETITLED
    assert original.summary.startswith(NEW_SENTENCE)


# A thaigov page (seeds/001_…): the page's title, its date line, then its headline repeated.
OLD_HEADLINE = "ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญของเศรษฐกิจดิจิทัล"
NEW_HEADLINE = "ดีอี ร่วมประชุม APEC 2024 ณ กรุงลิมา สาธารณรัฐเปรู ย้ำความสำคัญของเศรษฐกิจดิจิทัล"
APEC_TEXT = (
    "เมื่อวันที่ 18 - 22 สิงหาคม 2024 นายเอกพงษ์ หริ่มเจริญ ผู้ตรวจราชการกระทรวงดิจิทัลเพื่อ"
    "เศรษฐกิจและสังคม (ดีอี) ได้เข้าร่วมการประชุม APEC 2024\n"
    "การประชุม DESG ครั้งนี้เป็นไปอย่างคึกคักจากสมาชิกกลุ่ม DESG ทั้ง 16 เขตเศรษฐกิจเอเปค"
)


def apec_page(headline: str, body: str) -> RawArticle:
    """The thaigov page of article 6 as the site shows it under ``headline``."""
    return article(6, f"{THAIGOV_TITLE_PREFIX}{headline}", f"วันพุธที่ 14 สิงหาคม 2567\n{body}", DAY)


def retitle(store, body: str, moment: str = "2024-08-21T05:30") -> None:
    """Article 6 stored in week 33 under its old headline, repeated at the top of its body;
    then, at ``moment``, under the new headline with ``body``."""
    ingest(store, [apec_page(OLD_HEADLINE, f"{OLD_HEADLINE}\n{APEC_TEXT}")], "2024-08-14T03:00")
    ingest(store, [apec_page(NEW_HEADLINE, body)], moment)
    mark(store, apec_page(OLD_HEADLINE, ""), topics=["smart-city"])


def test_a_headline_edit_under_a_body_still_repeating_the_old_headline_shows_the_headline_change(
    store, tmp_path
):
    """The site edits the headline but not the repeat of it atop the body: the stored text
    keeps what the page says, and what changed is the headline, not an added sentence."""
    url = url_of(apec_page(OLD_HEADLINE, ""))
    retitle(store, f"{OLD_HEADLINE}\n{APEC_TEXT}")
    stored = store.article_by_url(url)
    assert (stored["title"], stored["body"]) == (NEW_HEADLINE, f"{OLD_HEADLINE}\n{APEC_TEXT}")

    result = build_digest(store, tmp_path, W34, settings())

    assert f"thaigov.go.th · {DAY} · Thai · updated" in result.markdown
    assert f"Headline: <del>{OLD_HEADLINE}</del> → <ins>{NEW_HEADLINE}</ins>" in result.markdown
    assert "Added:" not in result.markdown
    assert "Removed:" not in result.markdown
    # Nor does the lede under the new headline open with the old one.
    assert f"updated · with APEC\n\n{APEC_TEXT.split()[0]}" in result.markdown
    revision, original = parse(tmp_path / "feed.atom").entries
    assert (revision.id, original.id) == (revision_id(url, 2), stable_id(url))
    content = revision.content[0].value
    assert f"<ins>{NEW_HEADLINE}</ins>" in content
    assert "<ins>" + OLD_HEADLINE not in content
    assert original.title == NEW_HEADLINE
    assert original.summary.startswith(APEC_TEXT.split()[0])


def test_a_new_first_paragraph_that_only_resembles_the_old_headline_is_shown_as_added(
    store, tmp_path
):
    opening = f"{OLD_HEADLINE} ณ กรุงลิมา สาธารณรัฐเปรู ระหว่างวันที่ 18 - 22 สิงหาคม 2567"
    retitle(store, f"{opening}\n{APEC_TEXT}")

    result = build_digest(store, tmp_path, W34, settings())

    assert f"Headline: <del>{OLD_HEADLINE}</del> → <ins>{NEW_HEADLINE}</ins>" in result.markdown
    assert f"Added: <ins>{opening}</ins>" in result.markdown


def test_the_stale_repeat_of_the_old_headline_taken_out_later_is_no_update(store, tmp_path):
    """A week later the site takes the old headline off the top of the body: the page says
    what it said under its new headline, which the reader was told of; no update, no entry."""
    url = url_of(apec_page(OLD_HEADLINE, ""))
    retitle(store, f"{OLD_HEADLINE}\n{APEC_TEXT}")
    ingest(store, [apec_page(NEW_HEADLINE, APEC_TEXT)], "2024-08-28T05:30")
    mark(store, apec_page(OLD_HEADLINE, ""), topics=["smart-city"])
    assert store.article_by_url(url)["versions"] == 3

    result = build_digest(store, tmp_path, W35, settings())

    assert "updated" not in result.markdown
    assert OLD_HEADLINE not in result.markdown
    entries = parse(tmp_path / "feed.atom").entries
    assert [entry.id for entry in entries] == [revision_id(url, 2), stable_id(url)]


def test_a_headline_put_back_is_shown_and_its_repeat_in_the_body_is_not_removed_text(
    store, tmp_path
):
    """The headline edited back: normalisation now drops the line that repeats it, which the
    body held under the other headline; the change is the headline alone."""
    retitle(store, f"{OLD_HEADLINE}\n{APEC_TEXT}")
    ingest(store, [apec_page(OLD_HEADLINE, f"{OLD_HEADLINE}\n{APEC_TEXT}")], "2024-08-28T05:30")
    mark(store, apec_page(OLD_HEADLINE, ""), topics=["smart-city"])

    result = build_digest(store, tmp_path, W35, settings())

    assert f"Headline: <del>{NEW_HEADLINE}</del> → <ins>{OLD_HEADLINE}</ins>" in result.markdown
    assert "Removed:" not in result.markdown


FILE_COPY = RawArticle(
    url="file:///srv/notes/smart-city.txt",
    source="file",
    title=TITLE,
    body=MDES_COPY.body,
    published_hint=DAY,
)


@pytest.fixture
def file_copy_edited(store):
    """The story on thaigov with a text file of it, imported without a source line, folded
    in; the file imported again, edited, in week 34."""
    ingest(store, [article(1, TITLE, BEFORE, DAY), FILE_COPY], "2024-08-14T03:00")
    edited = replace(FILE_COPY, body=FILE_COPY.body.replace("5,000", "6,000"))
    ingest(store, [edited], "2024-08-21T05:30")
    mark(store, article(1, TITLE), topics=["smart-city"])
    mark(store, FILE_COPY, topics=["smart-city"], duplicate_of=article(1, TITLE))
    return store


def test_an_edited_copy_without_a_web_address_is_the_imported_copy_in_the_digest(
    file_copy_edited, tmp_path
):
    result = build_digest(file_copy_edited, tmp_path, W34, settings())
    changes = result.markdown.split("What changed in the imported copy:\n\n")[1]
    assert "<del>5,000</del> → <ins>6,000</ins> ล้านบาท" in changes.split("\n\n")[0]
    assert "file" not in result.markdown


def test_an_edited_copy_without_a_web_address_keeps_its_feed_title(file_copy_edited, tmp_path):
    # Every build writes the revision entries of its weeks again, dated when each version
    # was seen: the title they were published with stays, the stored source's.
    build_digest(file_copy_edited, tmp_path, W34, settings())
    for name in FEEDS:
        revision = parse(tmp_path / name).entries[0]
        assert revision.title == f"แก้ไข (file): {TITLE}", name
