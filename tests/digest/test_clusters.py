"""A story is listed when any copy of it is relevant: the item's figures, and `explain`."""

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from digest.clusters import fold_cluster
from digest.publish import build_digest
from digest.select import LATE_DAYS, Week
from tests.digest import article, at, ingest, link_of, mark, settings, url_of
from thaidigest.cli import main
from thaidigest.fingerprint import MAX_DAYS_APART
from thaidigest.model import RawArticle
from thaidigest.store import Store

# How explain's account of the model opens: the line after the headline and the URL when
# nothing is said of digests.
VERDICT = ("Relevant (", "Not relevant (")


def store_path(tmp_path):
    return str(tmp_path / "test.sqlite")  # the store fixture's database


def member(url, relevant, relevance, topics=(), partners=(), first_seen="2024-08-20T03:00:00Z"):
    return {
        "url": url,
        "first_seen": first_seen,
        "published": first_seen[:10],
        "relevant": relevant,
        "relevance": relevance,
        "topics": json.dumps(list(topics)),
        "partners": json.dumps(list(partners)),
    }


def test_the_item_keeps_the_representatives_partners_first_then_the_copies_new_ones():
    representative = member("a", True, 0.6, ["ai"], ["country:JP", "org:ASEAN"])
    copies = [
        member("c", True, 0.9, ["mou"], ["company:Google", "country:JP"], "2024-08-21T03:00:00Z"),
        member("b", False, 0.4, ["smart-city"], ["country:KR"], "2024-08-19T03:00:00Z"),
    ]
    item = fold_cluster(representative, copies)
    assert item["relevance"] == 0.9
    assert json.loads(item["topics"]) == ["ai", "mou"]  # not the irrelevant copy's
    assert json.loads(item["partners"]) == ["country:JP", "org:ASEAN", "company:Google"]
    # Listable since the first relevant member was seen, not the irrelevant copy.
    assert item["listed_since"] == "2024-08-20T03:00:00Z"
    assert item["listed_published"] == "2024-08-20"


def test_a_story_listable_by_a_copy_is_listable_since_that_copy_was_seen_and_by_its_date():
    representative = member("a", False, 0.2, first_seen="2024-07-29T03:00:00Z")
    copy = member("b", True, 0.9, first_seen="2024-08-19T03:00:00Z")
    item = fold_cluster(representative, [copy])
    assert (item["listed_since"], item["listed_published"]) == (
        "2024-08-19T03:00:00Z",
        "2024-08-19",
    )


def test_a_cluster_with_no_relevant_member_is_folded_into_nothing():
    representative = member("a", False, 0.2, ["ai"])
    assert fold_cluster(representative, [member("b", False, 0.4, ["mou"])]) == representative


def test_explain_says_a_representative_is_listed_for_its_relevant_copy(store, tmp_path):
    generic, detailed = article(1, "Short generic release"), article(2, "The detailed copy")
    ingest(store, [generic, detailed], "2024-08-20T03:00")
    mark(store, generic, relevant=False, relevance=0.2)
    mark(store, detailed, relevance=0.8, duplicate_of=generic)
    db = str(tmp_path / "test.sqlite")
    result = CliRunner().invoke(main, ["explain", url_of(generic), "--db", db])
    assert result.exit_code == 0, result.output
    line = f"listed in the digest: its copy {url_of(detailed)} is relevant (0.80)"
    assert result.output.splitlines()[2] == line


def test_explain_says_a_relevant_copy_is_listed_under_its_representative(store, tmp_path):
    generic, detailed = article(1, "Short generic release"), article(2, "The detailed copy")
    off = article(3, "An off-topic copy")
    ingest(store, [generic, detailed, off], "2024-08-20T03:00")
    mark(store, generic, relevant=False, relevance=0.2)
    mark(store, detailed, relevance=0.8, duplicate_of=generic)
    mark(store, off, relevant=False, relevance=0.3, duplicate_of=generic)
    db = str(tmp_path / "test.sqlite")
    copy = CliRunner().invoke(main, ["explain", url_of(detailed), "--db", db])
    assert copy.exit_code == 0, copy.output
    assert copy.output.splitlines()[2] == (
        f"duplicate of {url_of(generic)}, listed in the digest under that URL: this copy "
        "is relevant (0.80), so its relevance, topics and partners count for the story"
    )
    assert "left out of the digest" not in copy.output
    left_out = CliRunner().invoke(main, ["explain", url_of(off), "--db", db])
    assert left_out.exit_code == 0, left_out.output
    assert left_out.output.splitlines()[2] == (
        f"duplicate of {url_of(generic)} (left out of the digest)"
    )


def listed_weeks(store, tmp_path, weeks, arrivals):
    """Build each week's digest on the Monday after it, 09:00 in Bangkok, as the schedule
    does, after storing the copies in ``arrivals`` (week -> what to ingest and mark) first
    seen before that build; the weeks whose Markdown digest lists a story, with its meta."""
    out, listed = tmp_path / "public", {}
    for week in weeks:
        if week in arrivals:
            arrivals[week]()
        build_digest(store, out, week, settings(), now=week.end() + timedelta(hours=9))
        markdown = (out / "digests" / f"{week}.md").read_text(encoding="utf-8")
        headings = [line for line in markdown.splitlines() if line.startswith("### ")]
        if headings:
            listed[week] = headings
    return listed


@pytest.mark.parametrize(
    ("copy_published", "copy_seen", "found_in"),
    [
        # Dated and found 21 days after the release, in week 34.
        (date(2024, 8, 19), "2024-08-19T03:00", Week(2024, 34)),
        # Dated on the Sunday of week 33, found on Monday: the week after its own date.
        (date(2024, 8, 18), "2024-08-19T03:00", Week(2024, 34)),
        # As far apart as deduplication folds copies (MAX_DAYS_APART).
        (date(2024, 8, 28), "2024-08-28T03:00", Week(2024, 35)),
    ],
)
def test_a_story_made_listable_by_a_copy_found_weeks_after_its_release_reaches_a_digest(
    store, tmp_path, copy_published, copy_seen, found_in
):
    # thaigov's generic release (not relevant) on Monday 29 July, in week 31; MDES's relevant
    # copy of it, found after week 31's digest and more than LATE_DAYS after the release.
    released = date(2024, 7, 29)
    assert LATE_DAYS < (copy_published - released).days <= MAX_DAYS_APART
    generic = article(1, "Short generic release", published=released)
    detailed = article(
        2, "The release with the digital-cooperation details", published=copy_published
    )
    ingest(store, [generic], "2024-07-29T03:00")
    mark(store, generic, relevant=False, relevance=0.2)

    def copy_arrives():
        ingest(store, [detailed], copy_seen)
        mark(store, detailed, relevance=0.9, topics=["mou"], duplicate_of=generic)

    weeks = [Week(2024, 31).shift(offset) for offset in range(7)]
    listed = listed_weeks(store, tmp_path, weeks, {found_in: copy_arrives})
    assert list(listed) == [found_in]  # once, in the week the copy was found
    (heading,) = listed[found_in]
    assert link_of(generic) in heading
    markdown = (tmp_path / "public" / "digests" / f"{found_in}.md").read_text(encoding="utf-8")
    assert f"found late on {copy_seen[:10]}" in markdown
    explained = CliRunner().invoke(
        main, ["explain", url_of(detailed), "--db", store_path(tmp_path)]
    )
    assert explained.exit_code == 0, explained.output
    assert explained.output.splitlines()[2].startswith(
        f"duplicate of {url_of(generic)}, listed in the digest under that URL"
    )


def test_a_copy_found_long_after_its_own_date_is_backlog_and_explain_does_not_call_it_listed(
    store, tmp_path
):
    # The relevant copy is dated 20 days after the release but first seen 20 days after
    # that (an import): backlog, as an article found that late is, in no digest built.
    generic = article(1, "Short generic release", published=date(2024, 7, 29))
    detailed = article(2, "The detailed copy", published=date(2024, 8, 18))
    ingest(store, [generic], "2024-07-29T03:00")
    mark(store, generic, relevant=False, relevance=0.2)

    def copy_arrives():
        ingest(store, [detailed], "2024-09-07T03:00")
        mark(store, detailed, relevance=0.9, duplicate_of=generic)

    weeks = [Week(2024, 31).shift(offset) for offset in range(7)]
    assert listed_weeks(store, tmp_path, weeks, {Week(2024, 36): copy_arrives}) == {}
    db = store_path(tmp_path)
    # The folder the digests were built in, where explain finds 2024-W31's.
    out = ["--out", str(tmp_path / "public")]
    copy = CliRunner().invoke(main, ["explain", url_of(detailed), "--db", db, *out])
    assert copy.exit_code == 0, copy.output
    because = (
        "the story became listable on 2024-09-07 (Bangkok time), after the digest of its week "
        f"2024-W31, from a page dated 2024-08-18, more than {LATE_DAYS} days before 2024-W36: "
        "backlog, listed only if 2024-W31 is built again"
    )
    assert copy.output.splitlines()[2] == (
        f"duplicate of {url_of(generic)}, in no digest: this copy is relevant (0.90), but {because}"
    )
    representative = CliRunner().invoke(main, ["explain", url_of(generic), "--db", db, *out])
    assert representative.exit_code == 0, representative.output
    assert representative.output.splitlines()[2] == (
        f"in no digest: its copy {url_of(detailed)} is relevant (0.90), but {because}"
    )


def backlog_copy(store):
    """A release of 2024-W31 and a relevant copy of it dated 20 days later but first seen
    20 days after that (an import): backlog. The release and its copy."""
    generic = article(1, "Short generic release", published=date(2024, 7, 29))
    detailed = article(2, "The detailed copy", published=date(2024, 8, 18))
    ingest(store, [generic], "2024-07-29T03:00")
    mark(store, generic, relevant=False, relevance=0.2)
    ingest(store, [detailed], "2024-09-07T03:00")
    mark(store, detailed, relevance=0.9, duplicate_of=generic)
    return generic, detailed


def test_explain_speaks_of_no_digest_of_a_backlog_storys_week_when_none_was_built(store, tmp_path):
    _generic, detailed = backlog_copy(store)
    out = tmp_path / "public"  # no digest built: the demo's 2022-W30
    copy = CliRunner().invoke(
        main, ["explain", url_of(detailed), "--db", store_path(tmp_path), "--out", str(out)]
    )
    assert copy.exit_code == 0, copy.output
    line = copy.output.splitlines()[2]
    assert "after the digest of its week" not in line and "built again" not in line
    assert line.endswith(
        "the story became listable on 2024-09-07 (Bangkok time), after its week 2024-W31 ended, "
        f"from a page dated 2024-08-18, more than {LATE_DAYS} days before 2024-W36: backlog, "
        f"listed only if the digest of 2024-W31 is built (none is in {out / 'digests'})"
    )


def test_explain_says_a_backlog_story_is_listed_once_its_weeks_digest_is_built(store, tmp_path):
    generic, detailed = backlog_copy(store)
    out = tmp_path / "public"
    # The demo builds its weeks after importing them: the digest lists the backlog story.
    build_digest(store, out, Week(2024, 31), settings(), now=at("2024-09-08T03:00"))
    assert link_of(generic) in (out / "digests" / "2024-W31.md").read_text(encoding="utf-8")
    db = store_path(tmp_path)
    copy = CliRunner().invoke(main, ["explain", url_of(detailed), "--db", db, "--out", str(out)])
    assert copy.exit_code == 0, copy.output
    assert copy.output.splitlines()[2].startswith(
        f"duplicate of {url_of(generic)}, listed in the digest under that URL"
    )


def test_explain_says_why_a_relevant_backlog_article_is_in_no_digest(store, tmp_path):
    # A relevant article dated in 2024-W31 and first seen five weeks later (an import):
    # backlog, listed by no digest, which its own relevance does not tell. One found on
    # its day is listed by its week's digest: nothing more to say.
    late = article(1, "A relevant release found late", published=date(2024, 7, 29))
    on_time = article(
        2, "A relevant release found on its day", "Another story.", published=date(2024, 9, 6)
    )
    ingest(store, [late, on_time], "2024-09-07T03:00")
    mark(store, late, relevance=0.9)
    mark(store, on_time, relevance=0.9)
    out = tmp_path / "public"

    def third_line(raw):
        arguments = ["explain", url_of(raw), "--db", store_path(tmp_path), "--out", str(out)]
        explained = CliRunner().invoke(main, arguments)
        assert explained.exit_code == 0, explained.output
        return explained.output.splitlines()[2]

    assert third_line(late) == (
        "in no digest: it is relevant (0.90), but the story became listable on 2024-09-07 "
        "(Bangkok time), after its week 2024-W31 ended, from a page dated 2024-07-29, more than "
        f"{LATE_DAYS} days before 2024-W36: backlog, listed only if the digest of 2024-W31 "
        f"is built (none is in {out / 'digests'})"
    )
    assert third_line(on_time).startswith(VERDICT)


def test_explain_and_the_digest_name_the_bangkok_day_a_story_became_listable(store, tmp_path):
    # Found at 19:55 UTC on Saturday 5 December 2026: 02:55 on Sunday the 6th in Bangkok.
    # Dated in 2026-W41, far before: backlog. The digest of 2026-W48, built after the
    # crawl, says the site was first seen that Sunday, and explain says the same day.
    late = article(1, "A relevant release found late", published=date(2026, 10, 5))
    ingest(store, [late], "2026-12-05T19:55")
    mark(store, late, relevance=0.9)
    out = tmp_path / "public"
    built = build_digest(
        store, out, Week(2026, 48), settings(), now=at("2026-12-05T20:00"), judged=["thaigov"]
    )
    assert (
        "- thaigov.go.th: not watched yet: its first crawl or article found was on "
        "2026-12-06, after this week"
    ) in built.markdown
    arguments = ["explain", url_of(late), "--db", store_path(tmp_path), "--out", str(out)]
    explained = CliRunner().invoke(main, arguments)
    assert explained.exit_code == 0, explained.output
    assert explained.output.splitlines()[2].startswith(
        "in no digest: it is relevant (0.90), but the story became listable on 2026-12-06 "
        "(Bangkok time), after its week 2026-W41 ended, from a page dated 2026-10-05, "
        f"more than {LATE_DAYS} days before 2026-W49: backlog"
    )


# A text file without a "ที่มา :" source line: stored under its file: URL, which no digest
# links, so its item is its headline alone.
UNLINKED_TITLE = "ดีอี ร่วมมือ ญี่ปุ่น พัฒนาเศรษฐกิจดิจิทัล"
UNLINKED_TEXT = (
    f"{UNLINKED_TITLE}\n\nวันศุกร์ที่ 23 สิงหาคม 2567\n\n"
    "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม (ดีอี) ลงนามบันทึกความเข้าใจ (MoU) ร่วมกับ"
    "กระทรวงกิจการภายในและการสื่อสารของญี่ปุ่น ด้านความร่วมมือเศรษฐกิจดิจิทัล "
    "ปัญญาประดิษฐ์ และความมั่นคงปลอดภัยไซเบอร์\n"
)


def test_explain_finds_a_text_file_without_a_source_line_in_the_digest_built_after_its_import(
    tmp_path,
):
    # Imported long after its week 2024-W34 (backlog): the digest of that week built before
    # the import leaves it out, the one built after lists it, as explain must say.
    text_file = tmp_path / "thai.txt"
    text_file.write_text(UNLINKED_TEXT, encoding="utf-8")
    db, out = str(tmp_path / "db.sqlite"), tmp_path / "public"

    def run(*arguments):
        result = CliRunner().invoke(main, [*arguments, "--db", db], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    def build_week():
        run("digest", "--week", "2024-W34", "--out", str(out), "--judged-sites", "none")

    def explained():
        return run("explain", str(text_file), "--out", str(out)).splitlines()

    Store(f"sqlite:///{db}").close()  # a database with nothing in it yet: digest needs one
    build_week()
    run("import", str(text_file))
    before = explained()
    assert before[1].startswith("file:")
    assert before[2].startswith("in no digest: it is relevant (")
    assert "but the story became listable on " in before[2]
    assert before[2].endswith("listed only if 2024-W34 is built again")
    build_week()
    assert f"\n### {UNLINKED_TITLE}\n" in (out / "digests" / "2024-W34.md").read_text("utf-8")
    after = explained()
    assert after[1].startswith("file:")
    assert after[2].startswith(VERDICT)
    assert not any("in no digest" in line for line in after)


def test_explain_finds_a_text_files_story_by_its_copy_on_the_web_though_the_copy_is_not_relevant(
    store, tmp_path
):
    # A relevant text file without a source line (backlog) and a copy of it on thaigov
    # scored not relevant: the digest links the story's heading to that copy, its one web
    # address, and shows no unlinked headline.
    text_file = RawArticle(
        url=(tmp_path / "release.txt").as_uri(),
        source="file",
        title="A release kept as a text file",
        body="First paragraph of the article.\nSecond paragraph.",
        published_hint=date(2024, 7, 29),
    )
    web_copy = article(2, "The release on thaigov", published=date(2024, 7, 29))
    ingest(store, [text_file], "2024-09-07T03:00")
    mark(store, text_file, relevance=0.9)
    ingest(store, [web_copy], "2024-09-07T04:00")
    mark(store, web_copy, relevant=False, relevance=0.2, duplicate_of=text_file)
    out = tmp_path / "public"
    build_digest(store, out, Week(2024, 31), settings(), now=at("2024-09-08T03:00"))
    assert f"(<{link_of(web_copy)}>)" in (out / "digests" / "2024-W31.md").read_text("utf-8")
    arguments = ["explain", text_file.url, "--db", store_path(tmp_path), "--out", str(out)]
    explained = CliRunner().invoke(main, arguments)
    assert explained.exit_code == 0, explained.output
    assert explained.output.splitlines()[2].startswith(VERDICT)


def text_file_article(tmp_path, name, title, body, day):
    """A text file imported without a source line: stored under its file: URL."""
    return RawArticle(
        url=(tmp_path / name).as_uri(), source="file", title=title, body=body, published_hint=day
    )


def explained_lines(tmp_path, url, out):
    arguments = ["explain", url, "--db", store_path(tmp_path), "--out", str(out)]
    explained = CliRunner().invoke(main, arguments)
    assert explained.exit_code == 0, explained.output
    return explained.output.splitlines()


def built_week_31(store, out):
    build_digest(store, out, Week(2024, 31), settings(), now=at("2024-09-08T03:00"))
    return (out / "digests" / "2024-W31.md").read_text("utf-8")


RELEASE = ("A release kept as a text file", "First paragraph of the article.\nSecond paragraph.")


def test_explain_finds_a_text_file_listed_unlinked_after_a_web_copy_of_it_is_found(store, tmp_path):
    # The digest, built before the copy on thaigov was found, lists the story under the
    # file's unlinked headline; the copy (not relevant) found since changes nothing there.
    text_file = text_file_article(tmp_path, "release.txt", *RELEASE, date(2024, 7, 29))
    ingest(store, [text_file], "2024-09-07T03:00")
    mark(store, text_file, relevance=0.9)
    out = tmp_path / "public"
    assert f"\n### {RELEASE[0]}\n" in built_week_31(store, out)
    web_copy = article(2, "The release on thaigov", published=date(2024, 7, 29))
    ingest(store, [web_copy], "2024-09-09T04:00")
    mark(store, web_copy, relevant=False, relevance=0.2, duplicate_of=text_file)
    assert explained_lines(tmp_path, text_file.url, out)[2].startswith(VERDICT)


def test_explain_finds_a_text_file_listed_unlinked_when_a_later_web_copy_represents_it(
    store, tmp_path
):
    # Dedup makes the copy found after the build the representative, the file its copy:
    # the digest still lists the story under the file's unlinked headline.
    text_file = text_file_article(tmp_path, "release.txt", *RELEASE, date(2024, 7, 29))
    ingest(store, [text_file], "2024-09-07T03:00")
    mark(store, text_file, relevance=0.9)
    out = tmp_path / "public"
    assert f"\n### {RELEASE[0]}\n" in built_week_31(store, out)
    web_copy = article(2, "The release on thaigov", published=date(2024, 7, 29))
    ingest(store, [web_copy], "2024-09-09T04:00")
    mark(store, web_copy, relevant=False, relevance=0.2)
    mark(store, text_file, relevance=0.9, duplicate_of=web_copy)
    lines = explained_lines(tmp_path, text_file.url, out)
    assert lines[2].startswith(f"duplicate of {url_of(web_copy)}, listed in the digest")


STEM = "Ministry of Digital Economy and Society cooperation " * 6  # past the headline's cut


@pytest.mark.parametrize(
    ("listed_title", "title"),
    [
        (UNLINKED_TITLE, UNLINKED_TITLE),
        (STEM + "with Japan on AI", STEM + "with Singapore on cybersecurity"),
    ],
    ids=["same headline", "same first 300 characters"],
)
def test_explain_tells_a_text_file_from_another_listed_under_its_headline(
    store, tmp_path, listed_title, title
):
    listed = text_file_article(
        tmp_path,
        "listed.txt",
        listed_title,
        "Ministry signed an MoU on AI with Japan.\nMore about the AI MoU.",
        date(2024, 7, 30),
    )
    ingest(store, [listed], "2024-07-30T03:00")
    mark(store, listed, relevance=0.9)
    out = tmp_path / "public"
    build_digest(store, out, Week(2024, 31), settings(), now=at("2024-08-05T03:00"))
    backlog = text_file_article(
        tmp_path,
        "backlog.txt",
        title,
        "Cybersecurity workshop with Singapore held today.\nDetails of the workshop.",
        date(2024, 7, 31),
    )
    ingest(store, [backlog], "2024-09-07T03:00")
    mark(store, backlog, relevance=0.8)
    assert "Cybersecurity" not in (out / "digests" / "2024-W31.md").read_text("utf-8")
    lines = explained_lines(tmp_path, backlog.url, out)
    assert lines[2].startswith("in no digest: it is relevant (0.80), but ")


def test_explain_finds_a_text_file_whose_edited_headline_left_the_old_one_atop_its_body(
    store, tmp_path
):
    # The digest drops the body's repeat of the old headline, so the lede it shows is not
    # the stored body's; a relevant copy found since makes the story backlog.
    old_title, body = "Old headline of the release", "The ministry met partners.\nMore."
    first = text_file_article(tmp_path, "release.txt", old_title, body, date(2024, 7, 29))
    ingest(store, [first], "2024-07-29T03:00")
    edited = text_file_article(
        tmp_path, "release.txt", "New headline", f"{old_title}\n{body}", date(2024, 7, 29)
    )
    ingest(store, [edited], "2024-07-30T03:00")
    mark(store, first, relevant=False, relevance=0.2)
    copy = text_file_article(tmp_path, "copy.txt", "A copy", "Copy text.", date(2024, 7, 29))
    ingest(store, [copy], "2024-09-07T03:00")
    mark(store, copy, relevance=0.9, duplicate_of=first)
    out = tmp_path / "public"
    assert "\n### New headline\n" in built_week_31(store, out)
    said = explained_lines(tmp_path, copy.url, out)[2]
    assert said.startswith(f"duplicate of {first.url}, listed in the digest "), said


def explained_as_listed(store, raw, tmp_path, out):
    """Whether explain says the relevant representative at ``raw``'s URL is listed: it
    says nothing of digests then, its line 2 giving the model's verdict."""
    row = store.article_by_url(url_of(raw))
    assert row["relevant"] and row["duplicate_of"] is None
    return explained_lines(tmp_path, raw.url, out)[2].startswith(VERDICT)


THAI_PHRASES = "กระทรวง ดิจิทัล ร่วมมือ ญี่ปุ่น ด้าน ปัญญาประดิษฐ์ และ ความมั่นคง ปลอดภัย ไซเบอร์"
# Each cut apart as Thai (at phrases, 300 characters) and as English (at sentence ends).
THAI_TEXT = f"{THAI_PHRASES} {THAI_PHRASES}\n{THAI_PHRASES} {THAI_PHRASES}"
ENGLISH_TEXT = "The ministry signed an MoU with Japan. It covers AI. It covers cloud. And more."


@pytest.mark.parametrize(
    ("built_on", "replaced_by"),
    [(THAI_TEXT, ENGLISH_TEXT), (ENGLISH_TEXT, THAI_TEXT)],
    ids=["Thai, then English", "English, then Thai"],
)
def test_explain_finds_a_text_file_whose_language_changed_since_the_digest_was_built(
    store, tmp_path, built_on, replaced_by
):
    # A version keeps no language: its lede is cut as Thai and as English.
    text_file = text_file_article(tmp_path, "a.txt", "DE and Japan", built_on, date(2024, 7, 29))
    ingest(store, [text_file], "2024-09-07T03:00")
    mark(store, text_file, relevance=0.9)
    out = tmp_path / "public"
    listed = built_week_31(store, out)
    language = store.article_by_url(url_of(text_file))["language"]
    replaced = text_file_article(tmp_path, "a.txt", "DE and Japan", replaced_by, date(2024, 7, 29))
    ingest(store, [replaced], "2024-09-09T03:00")
    mark(store, text_file, relevance=0.9)
    assert store.article_by_url(url_of(text_file))["language"] != language
    assert (out / "digests" / "2024-W31.md").read_text("utf-8") == listed
    assert explained_as_listed(store, text_file, tmp_path, out)


def test_explain_finds_a_text_file_by_a_lede_it_had_before_an_edit(store, tmp_path):
    text_file = text_file_article(tmp_path, "a.txt", "A title", "First lede.", date(2024, 7, 29))
    ingest(store, [text_file], "2024-09-07T03:00")
    mark(store, text_file, relevance=0.9)
    out = tmp_path / "public"
    built_week_31(store, out)
    edited = text_file_article(tmp_path, "a.txt", "A title", "Edited lede.", date(2024, 7, 29))
    ingest(store, [edited], "2024-09-09T03:00")
    mark(store, text_file, relevance=0.9)
    assert explained_as_listed(store, text_file, tmp_path, out)


def test_explain_finds_a_text_file_without_a_lede_in_the_digest(store, tmp_path):
    text_file = text_file_article(tmp_path, "a.txt", "A title", "", date(2024, 7, 29))
    ingest(store, [text_file], "2024-09-07T03:00")
    mark(store, text_file, relevance=0.9)
    out = tmp_path / "public"
    assert "\n### A title\n" in built_week_31(store, out)
    assert explained_as_listed(store, text_file, tmp_path, out)


def listed_under_the_same_headline(store, tmp_path, title):
    """A digest of week 31 listing a text file under ``title``, with a lede."""
    listed = text_file_article(
        tmp_path, "listed.txt", title, "Ministry signed an MoU on AI.", date(2024, 7, 30)
    )
    ingest(store, [listed], "2024-07-30T03:00")
    mark(store, listed, relevance=0.9)
    out = tmp_path / "public"
    build_digest(store, out, Week(2024, 31), settings(), now=at("2024-08-05T03:00"))
    return out


@pytest.mark.parametrize(
    "versions", [[""], ["", "Cybersecurity workshop held today."]], ids=["empty", "empty first"]
)
def test_explain_tells_a_text_file_without_a_lede_from_another_listed_under_its_headline(
    store, tmp_path, versions
):
    title = "DE signs MoU with Japan"
    out = listed_under_the_same_headline(store, tmp_path, title)
    for day, body in enumerate(versions, start=7):
        backlog = text_file_article(tmp_path, "backlog.txt", title, body, date(2024, 7, 31))
        ingest(store, [backlog], f"2024-09-0{day}T03:00")
    mark(store, backlog, relevance=0.8)
    assert (out / "digests" / "2024-W31.md").read_text("utf-8").count(f"### {title}\n") == 1
    assert explained_lines(tmp_path, backlog.url, out)[2].startswith("in no digest: ")


def test_explain_reads_the_lede_under_the_headline_not_another_items(store, tmp_path):
    first = text_file_article(tmp_path, "a.txt", "Alpha", "Alpha lede.", date(2024, 7, 29))
    second = text_file_article(tmp_path, "b.txt", "Beta", "Beta lede.", date(2024, 7, 29))
    ingest(store, [first, second], "2024-07-29T03:00")
    mark(store, first, relevance=0.9)
    mark(store, second, relevance=0.8)
    out = tmp_path / "public"
    listed = built_week_31(store, out)
    assert listed.index("### Alpha\n") < listed.index("Beta lede.")
    backlog = text_file_article(tmp_path, "c.txt", "Alpha", "Beta lede.", date(2024, 7, 30))
    ingest(store, [backlog], "2024-09-07T03:00")
    mark(store, backlog, relevance=0.8)
    assert explained_lines(tmp_path, backlog.url, out)[2].startswith("in no digest: ")


def rules_config(tmp_path, role, term):
    """A settings file whose rules file makes ``term`` an English term of ``role``
    (always, never): what a user adds after the stored articles were scored."""
    rules = tmp_path / "rules.toml"
    rules.write_text(f'[groups.mine]\nrole = "{role}"\nen = ["{term}"]\n', encoding="utf-8")
    config = tmp_path / "thaidigest.toml"
    config.write_text(f'[relevance]\nrules = "{rules.as_posix()}"\n', encoding="utf-8")
    return str(config)


def explained_with(tmp_path, raw, config):
    arguments = ["explain", url_of(raw), "--db", store_path(tmp_path), "--config", config]
    explained = CliRunner().invoke(main, [*arguments, "--out", str(tmp_path / "public")])
    assert explained.exit_code == 0, explained.output
    return explained.output.splitlines()


# What explain says of an article whose stored score a changed rules file changes.
STALE = (
    "scored before the relevance rules, model or threshold changed: said below as the "
    "next digest, crawl or import scores it again"
)


def test_explain_says_no_digest_line_for_a_story_a_new_never_term_makes_not_relevant(
    store, tmp_path
):
    # Stored relevant and backlog (found five weeks after its date): "in no digest: it is
    # relevant (0.90)" was said of it, and then "Not relevant" by the never term.
    late = article(1, "Seagate meets the ministry", published=date(2024, 7, 29))
    ingest(store, [late], "2024-09-07T03:00")
    mark(store, late, relevance=0.9)
    lines = explained_with(tmp_path, late, rules_config(tmp_path, "never", "Seagate"))
    assert lines[2] == f"stored as relevant (0.90), {STALE}"
    assert lines[3] == "Not relevant (0.00 < 0.50): your never term Seagate decides it."
    assert not any("in no digest" in line for line in lines)


def test_explain_says_why_a_story_a_new_always_term_makes_relevant_is_in_no_digest(store, tmp_path):
    # Stored not relevant and backlog: the always term makes it relevant, and the next
    # digest then lists it only if its week is built; explain said nothing of that.
    late = article(1, "Seagate meets the ministry", published=date(2024, 7, 29))
    ingest(store, [late], "2024-09-07T03:00")
    mark(store, late, relevant=False, relevance=0.2)
    lines = explained_with(tmp_path, late, rules_config(tmp_path, "always", "Seagate"))
    assert lines[2] == f"stored as not relevant (0.20), {STALE}"
    assert lines[3] == (
        "in no digest: it is relevant (1.00), but the story became listable on 2024-09-07 "
        "(Bangkok time), after its week 2024-W31 ended, from a page dated 2024-07-29, more than "
        f"{LATE_DAYS} days before 2024-W36: backlog, listed only if the digest of 2024-W31 "
        f"is built (none is in {tmp_path / 'public' / 'digests'})"
    )
    assert lines[4] == "Relevant (1.00 >= 0.50): your always term Seagate decides it."


def test_explain_speaks_of_a_copy_as_the_next_digest_scores_it(store, tmp_path):
    # The representative's verdict is as stored; its copy, stored not relevant, is made
    # relevant by the always term: the story is listable by it, as backlog.
    generic = article(1, "Short generic release", published=date(2024, 7, 29))
    detailed = article(2, "Seagate signs with the ministry", published=date(2024, 8, 18))
    ingest(store, [generic], "2024-07-29T03:00")
    ingest(store, [detailed], "2024-09-07T03:00")
    mark(store, generic, relevant=False, relevance=0.2)
    mark(store, detailed, relevant=False, relevance=0.3, duplicate_of=generic)
    config = rules_config(tmp_path, "always", "Seagate")
    because = (
        "the story became listable on 2024-09-07 (Bangkok time), after its week 2024-W31 ended, "
        f"from a page dated 2024-08-18, more than {LATE_DAYS} days before 2024-W36: backlog, "
        f"listed only if the digest of 2024-W31 is built (none is in "
        f"{tmp_path / 'public' / 'digests'})"
    )
    copy = explained_with(tmp_path, detailed, config)
    assert copy[2] == f"stored as not relevant (0.30), {STALE}"
    assert copy[3] == (
        f"duplicate of {url_of(generic)}, in no digest: this copy is relevant (1.00), but {because}"
    )
    representative = explained_with(tmp_path, generic, config)
    assert f"in no digest: its copy {url_of(detailed)} is relevant (1.00), but {because}" in (
        representative
    )


def test_explain_says_of_a_changed_rules_file_what_it_says_once_a_digest_scored_again(
    store, tmp_path
):
    late = article(1, "Seagate meets the ministry", published=date(2024, 7, 29))
    ingest(store, [late], "2024-09-07T03:00")
    mark(store, late, relevant=False, relevance=0.2)
    config = rules_config(tmp_path, "always", "Seagate")
    before = explained_with(tmp_path, late, config)
    # A digest of another week scores the stored articles again, and builds no 2024-W31.
    arguments = ["digest", "--week", "2024-W40", "--db", store_path(tmp_path), "--config", config]
    built = CliRunner().invoke(main, [*arguments, "--out", str(tmp_path / "public")])
    assert built.exit_code == 0, built.output
    assert "scored 1 stored article again" in built.output
    after = explained_with(tmp_path, late, config)
    assert after[2].startswith("in no digest: it is relevant (1.00)")
    assert before == [*after[:2], f"stored as not relevant (0.20), {STALE}", *after[2:]]
