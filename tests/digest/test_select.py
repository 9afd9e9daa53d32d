import difflib
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, update

from digest.diff import MAX_ALIGNED_PARAGRAPHS, NO_CHANGE
from digest.select import (
    OTHER_TOPIC,
    Version,
    Week,
    WeekError,
    bangkok_time,
    describe_changes,
    digest_name,
    digest_page_name,
    digest_path,
    digest_week,
    first_watched,
    load_weeks,
    select_week,
    watched,
)
from tests.digest import article, at, ingest, mark, url_of
from thaidigest.store import articles

W33, W34, W35, W36 = Week(2024, 33), Week(2024, 34), Week(2024, 35), Week(2024, 36)


def test_a_week_is_watched_when_watching_began_before_it_ended():
    """Watching begins with the first crawl or the first article stored: a week over by
    then is owed no digest, by status as by the scheduled digest."""
    began = W34.end()  # Monday 00:00 in Bangkok
    assert not watched(W34, began) and watched(W35, began) and not watched(W35, None)
    assert first_watched(began) == W35
    assert first_watched(W34.start()) == W34 and watched(W34, W34.start())


def digest_of(store, week):
    return select_week(load_weeks(store, week, week), week)


def urls(digest):
    return [item.url for item in digest.items]


def test_week_parses_and_spans_monday_to_monday_bangkok_time():
    week = Week.parse("2024-W34")
    assert week == W34
    assert str(week) == "2024-W34"
    assert (week.monday, week.sunday) == (date(2024, 8, 19), date(2024, 8, 25))
    # Monday 00:00 at UTC+7 is Sunday 17:00 UTC.
    assert week.bounds() == ("2024-08-18T17:00:00Z", "2024-08-25T17:00:00Z")
    assert Week.parse("2020-W53").shift(1) == Week(2021, 1)


@pytest.mark.parametrize(
    "text", ["2024-34", "2024-W5", "W34", "2024-W00", "2021-W53", "", "9999-W52", "0001-W01"]
)
def test_malformed_or_missing_week_is_refused(text):
    with pytest.raises(WeekError):
        Week.parse(text)


def test_a_week_is_read_with_its_w_in_either_case():
    assert Week.parse("2024-w34") == Week(2024, 34)
    assert str(Week.parse(" 2024-w34 ")) == "2024-W34"


def test_a_moment_is_told_to_the_minute_in_bangkok_time():
    assert bangkok_time(W34.end()) == "2024-08-26 00:00 Bangkok time"
    assert bangkok_time(datetime(2024, 8, 25, 17, 0, 59, tzinfo=UTC)) == (
        "2024-08-26 00:00 Bangkok time"
    )


def test_a_weeks_digest_path_names_its_week_back():
    path = digest_path(Path("public"), W34)
    assert path == Path("public/digests/2024-W34.md")
    assert digest_week(path) == W34


def test_a_weeks_digest_page_sits_beside_its_markdown():
    assert digest_name(W34) == "digests/2024-W34.md"
    assert digest_page_name(W34) == "digests/2024-W34.html"


@pytest.mark.parametrize(
    "name", ["notes.md", "2024-W34.html", "2024-w34.md", "2023-W53.md", "2024-W34.md.tmp"]
)
def test_a_file_that_is_no_weeks_digest_names_no_week(name):
    assert digest_week(Path("public/digests", name)) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2567-W34", "2567-W34 has a Buddhist-era year: give 2024-W34"),
        ("2567-w01", "2567-w01 has a Buddhist-era year: give 2024-W01"),
        ("2568-W53", "2568-W53 has a Buddhist-era year, and 2025 has no ISO week 53"),
    ],
)
def test_a_week_in_a_buddhist_era_year_is_refused_naming_the_week_to_give(text, message):
    with pytest.raises(WeekError) as refused:
        Week.parse(text)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2301-W01", "2301-W01: weeks of 1900 to 2300 only (2301 read as Buddhist-era is 1758)"),
        ("2442-W52", "2442-W52: weeks of 1900 to 2300 only (2442 read as Buddhist-era is 1899)"),
        ("2844-W01", "2844-W01: weeks of 1900 to 2300 only (2844 read as Buddhist-era is 2301)"),
        ("9999-W01", "9999-W01: weeks of 1900 to 2300 only (9999 read as Buddhist-era is 9456)"),
        ("1899-W52", "1899-W52: weeks of 1900 to 2300 only"),
    ],
)
def test_a_week_out_of_range_either_way_is_refused_naming_no_week(text, message):
    """2301-W01 was refused naming 1758-W01 to give, which is refused in turn."""
    with pytest.raises(WeekError) as refused:
        Week.parse(text)
    assert str(refused.value) == message


@pytest.mark.parametrize(("text", "week"), [("2443-W01", "1900-W01"), ("2843-W52", "2300-W52")])
def test_the_week_a_buddhist_era_week_names_is_one_that_parses(text, week):
    with pytest.raises(WeekError) as refused:
        Week.parse(text)
    assert str(refused.value).endswith(f": give {week}")
    assert str(Week.parse(week)) == week


def test_last_complete_week_turns_over_at_bangkok_midnight():
    # Sunday 23:00 in Bangkok: week 34 is not over yet.
    assert Week.last_complete(at("2024-08-25T16:00")) == W33
    # Monday 01:00 in Bangkok.
    assert Week.last_complete(at("2024-08-25T18:00")) == W34


def test_first_seen_sunday_evening_utc_counts_for_the_next_bangkok_week(store):
    late = article(1, "Seen on Monday 01:00 in Bangkok")
    early = article(2, "Seen on Sunday 23:59 in Bangkok")
    ingest(store, [late], "2024-08-25T18:00")
    ingest(store, [early], "2024-08-25T16:59")
    mark(store, late)
    mark(store, early)
    assert urls(digest_of(store, W34)) == [url_of(early)]
    assert urls(digest_of(store, W35)) == [url_of(late)]


def test_published_date_decides_the_week_over_first_seen(store):
    raw = article(1, "Published in week 33, crawled in week 36", published=date(2024, 8, 16))
    ingest(store, [raw], "2024-09-03T03:00")
    mark(store, raw)
    assert urls(digest_of(store, W33)) == [url_of(raw)]
    # Dated more than two weeks before week 36: backlog, not listed as found late.
    assert digest_of(store, W34).items == digest_of(store, W36).items == ()


def test_article_found_after_its_weeks_digest_is_listed_the_next_week_as_found_late(store):
    sunday = article(1, "Published on Sunday, found on Tuesday", published=date(2024, 8, 18))
    ingest(store, [sunday], "2024-08-20T03:00")
    mark(store, sunday)
    (in_its_week,) = digest_of(store, W33).items
    assert not in_its_week.late  # the digest of week 33, were it built again
    (found,) = digest_of(store, W34).items  # the first digest built after it was found
    assert (found.url, found.late, found.updated) == (url_of(sunday), True, False)
    assert digest_of(store, W35).items == ()


def test_article_found_after_a_weeks_outage_is_listed_in_the_week_it_was_found(store):
    raw = article(1, "Published in week 33, found in week 35", published=date(2024, 8, 18))
    ingest(store, [raw], "2024-08-28T03:00")
    mark(store, raw)
    assert digest_of(store, W34).items == digest_of(store, W36).items == ()
    (found,) = digest_of(store, W35).items
    assert found.late


def test_duplicates_and_irrelevant_articles_are_left_out_and_copies_listed_as_also_on(store):
    main, copy, other_copy, noise = (
        article(1, "MoU signed"),
        article(2, "MoU signed (copy)"),
        article(3, "MoU signed, another copy"),
        article(4, "Not about digital cooperation"),
    )
    ingest(store, [main, copy, other_copy, noise], "2024-08-20T03:00")
    mark(store, main, topics=["mou"])
    mark(store, copy, duplicate_of=main)
    mark(store, other_copy, relevant=False, duplicate_of=main)
    mark(store, noise, relevant=False)
    (item,) = digest_of(store, W34).items
    assert item.url == url_of(main)
    assert item.also_on == tuple(sorted([url_of(copy), url_of(other_copy)]))


def test_article_updated_during_the_week_is_listed_once_with_what_changed(store):
    day = date(2024, 8, 14)
    first = article(1, "Old headline", "Opening paragraph.\nMiddle paragraph.\nClosing.", day)
    edited = article(1, "New headline", "Opening paragraph.\nMiddle, edited.\nClosing.", day)
    extended = article(
        1, "New headline", "Opening paragraph.\nMiddle, edited.\nClosing.\nA new paragraph.", day
    )
    ingest(store, [first], "2024-08-14T03:00")
    ingest(store, [edited], "2024-08-20T03:00")
    ingest(store, [extended], "2024-08-22T03:00")
    ingest(store, [extended], "2024-08-23T03:00")  # seen again, unchanged
    mark(store, first)

    (item,) = digest_of(store, W34).items
    assert item.updated
    assert item.title == "New headline"
    # Compared with the version the week started from, not the one before the last.
    assert item.changes.headline == ("Old headline", "New headline")
    assert item.changes.removed == ("Middle paragraph.",)
    assert item.changes.added == ("Middle, edited.", "A new paragraph.")
    # Each version seen in the week is a revision of its own, against the one before it.
    assert [(r.version, r.diff.added) for r in item.revisions] == [
        (2, ("Middle, edited.",)),
        (3, ("A new paragraph.",)),
    ]
    (original,) = digest_of(store, W33).items
    assert not original.updated
    assert digest_of(store, W35).items == ()


def test_article_new_in_the_week_and_edited_in_it_is_listed_as_new(store):
    raw = article(1, "Headline", "A paragraph.")
    ingest(store, [raw], "2024-08-19T03:00")
    ingest(store, [article(1, "Headline, corrected", "A paragraph.")], "2024-08-21T03:00")
    mark(store, raw)
    (item,) = digest_of(store, W34).items
    assert (item.updated, item.changes, item.title) == (False, NO_CHANGE, "Headline, corrected")
    (revision,) = item.revisions
    assert revision.diff.headline == ("Headline", "Headline, corrected")


def test_items_are_grouped_by_first_topic_in_fixed_order_and_ranked(store):
    raws = {
        "mou+asean": article(1, "Signed at the ASEAN meeting", published=date(2024, 8, 20)),
        "asean best": article(2, "ASEAN ministers", published=date(2024, 8, 19)),
        "asean newer": article(3, "ASEAN follow-up", published=date(2024, 8, 23)),
        "custom": article(4, "A topic the labels do not know", published=date(2024, 8, 20)),
        "none": article(5, "No topic at all", published=date(2024, 8, 20)),
    }
    ingest(store, list(raws.values()), "2024-08-24T03:00")
    mark(store, raws["mou+asean"], relevance=0.5, topics=["mou", "asean"])
    mark(store, raws["asean best"], relevance=0.9, topics=["asean"])
    mark(store, raws["asean newer"], relevance=0.5, topics=["asean"])
    mark(store, raws["custom"], topics=["zz-custom"])
    mark(store, raws["none"])

    digest = digest_of(store, W34)
    assert [section.topic for section in digest.sections] == ["asean", "zz-custom", OTHER_TOPIC]
    assert [item.url for item in digest.sections[0].items] == [
        url_of(raws["asean best"]),  # highest relevance
        url_of(raws["asean newer"]),  # same relevance, newer
        url_of(raws["mou+asean"]),
    ]


def test_loading_a_week_searches_indexes_and_never_scans_a_table(store):
    raws = [article(n, f"Article {n}", published=date(2024, 8, 20)) for n in range(1, 4)]
    ingest(store, raws, "2024-08-20T03:00")
    ingest(store, [article(1, "Article 1, edited")], "2024-08-21T03:00")
    for raw in raws:
        mark(store, raw, duplicate_of=raws[0] if raw is raws[2] else None)
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    data = load_weeks(store, W33, W34)
    event.remove(store.engine, "before_cursor_execute", record)
    assert data.rows and data.versions and data.members  # every query found something

    with store.engine.connect() as conn:
        plans = [
            row[3]
            for statement, parameters in statements
            for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
    tables = (" articles", " article_versions", " copy")  # copy: a cluster's other members
    table_steps = [step for step in plans if any(table in step for table in tables)]
    assert table_steps
    assert all(step.startswith("SEARCH") for step in table_steps), plans
    used = " ".join(table_steps)
    assert "ix_articles_published (published>? AND published<?)" in used, plans
    assert "ix_articles_first_seen (first_seen>? AND first_seen<?)" in used, plans
    assert "ix_versions_seen_at (seen_at>? AND seen_at<?)" in used, plans
    # The cluster index finds a cluster's copies only (relevant ones, the also-on list),
    # never the representatives: NULL matches nearly every row.
    cluster_steps = [step for step in table_steps if "ix_articles_duplicate_of" in step]
    assert any("SEARCH copy " in step for step in table_steps), plans
    assert cluster_steps and all(step.startswith("SEARCH copy ") for step in cluster_steps), plans


def test_what_changed_in_a_long_repetitive_body_is_found_without_aligning_it_all(monkeypatch):
    aligned = []
    real = difflib.SequenceMatcher

    def recording(junk, old, new, **options):
        aligned.append(len(old) + len(new))
        return real(junk, old, new, **options)

    monkeypatch.setattr(difflib, "SequenceMatcher", recording)
    lines = ["ก"] * 100_000  # aligning all of it, paragraph by paragraph, takes hours
    before = Version(1, "2024-08-14T03:00:00Z", "Headline", "\n".join(lines), None)
    inserted = [*lines[:50_000], "ข", *lines[50_000:]]
    after = Version(2, "2024-08-21T03:00:00Z", "Headline", "\n".join(inserted), None)
    assert describe_changes(before, after).added == ("ข",)
    assert describe_changes(before, after).removed == ()
    rewritten = replace(after, body="\n".join(f"line {n}" for n in range(5000)))
    changes = describe_changes(before, rewritten)
    assert (len(changes.added), len(changes.removed)) == (5000, 100_000)
    assert max(aligned) <= MAX_ALIGNED_PARAGRAPHS


def test_a_copy_edited_during_the_week_lists_its_story_as_updated_with_what_changed_in_it(store):
    day = date(2024, 8, 14)
    main = article(1, "MoU signed", "Opening.\nThe MoU covers 16 economies.\nClosing.", day)
    copy = article(2, "MoU signed", "Opening.\nThe MoU covers 16 economies.\nClosing!", day)
    edited = article(2, "MoU signed", "Opening.\nThe MoU covers 21 economies.\nClosing!", day)
    ingest(store, [main, copy], "2024-08-14T03:00")
    ingest(store, [edited], "2024-08-21T03:00")
    mark(store, main, topics=["mou"])
    mark(store, copy, duplicate_of=main)

    (item,) = digest_of(store, W34).items
    assert (item.url, item.updated, item.changes) == (url_of(main), True, NO_CHANGE)
    (change,) = item.copy_changes
    assert (change.url, change.source) == (url_of(copy), "thaigov")
    assert [(n.old, n.new) for n in change.diff.numbers] == [("16", "21")]
    (revision,) = item.revisions
    assert (revision.url, revision.version, revision.seen_at) == (
        url_of(copy),
        2,
        "2024-08-21T03:00:00Z",
    )
    (original,) = digest_of(store, W33).items
    assert (original.updated, original.copy_changes) == (False, ())
    assert digest_of(store, W35).items == ()


def test_a_copy_edited_in_the_week_its_story_is_new_adds_a_revision_not_an_update(store):
    day = date(2024, 8, 20)
    main = article(1, "MoU signed", "Opening.\nThe MoU covers 16 economies.\nClosing.", day)
    copy = article(2, "MoU signed", "Opening.\nThe MoU covers 16 economies.\nClosing!", day)
    ingest(store, [main, copy], "2024-08-20T03:00")
    edited = article(2, "MoU signed", "Opening.\nThe MoU covers 21 economies.\nClosing!", day)
    ingest(store, [edited], "2024-08-21T03:00")
    mark(store, main)
    mark(store, copy, duplicate_of=main)
    (item,) = digest_of(store, W34).items
    assert (item.updated, item.copy_changes) == (False, ())
    assert [(r.url, r.version) for r in item.revisions] == [(url_of(copy), 2)]


def test_a_copy_edited_into_another_story_leaves_the_fold_and_is_listed_on_its_own(store):
    day = date(2024, 8, 14)
    report = "Budget 10 million.\nStaff 20.\nSites 30.\nDays 40.\nOffices 50."
    main, copy = article(1, "Report", report, day), article(2, "Report", report, day)
    ingest(store, [main, copy], "2024-08-14T03:00")
    figures = report.replace("10", "11").replace("20", "21").replace("30", "31")
    ingest(store, [article(2, "Report", figures, day)], "2024-08-21T03:00")
    with store.transaction() as conn:  # deduplication decided the clusters; mark no copy
        conn.execute(update(articles).values(relevant=True, topics='["mou"]'))

    (item,) = digest_of(store, W34).items  # the other figures: another story, listed alone
    assert (item.url, item.updated, item.also_on) == (url_of(copy), True, ())
    assert [(n.old, n.new) for n in item.changes.numbers] == [
        ("10", "11"),
        ("20", "21"),
        ("30", "31"),
    ]
    # Week 33 built again: two stories now, the first no longer folding the copy in.
    assert [(i.url, i.also_on) for i in digest_of(store, W33).items] == [
        (url_of(main), ()),
        (url_of(copy), ()),
    ]


def test_a_story_whose_only_relevant_members_are_copies_is_listed_once_as_its_representative(
    store,
):
    generic, detailed, other = (
        article(1, "Short generic release"),
        article(2, "The release with the digital-cooperation details"),
        article(3, "Another copy, with an ASEAN angle"),
    )
    ingest(store, [generic, detailed, other], "2024-08-20T03:00")
    mark(store, generic, relevant=False, relevance=0.2, topics=["ai"])
    mark(store, detailed, relevance=0.8, topics=["mou"], duplicate_of=generic)
    mark(store, other, relevance=0.6, topics=["asean", "mou"], duplicate_of=generic)
    (item,) = digest_of(store, W34).items
    assert (item.url, item.title) == (url_of(generic), "Short generic release")
    assert item.relevance == 0.8  # the highest of the relevant members
    assert sorted(item.topics) == ["asean", "mou"]  # not the irrelevant representative's "ai"
    assert item.also_on == (url_of(detailed), url_of(other))
    (section,) = digest_of(store, W34).sections
    assert section.topic == "asean"


def test_a_story_a_relevant_copy_found_after_its_weeks_digest_lists_is_found_late(store):
    # thaigov's generic release on Sunday (week 34's digest, built Monday morning, has
    # nothing), MDES's relevant copy found on Monday afternoon: listed in week 35.
    generic = article(1, "Short generic release", published=date(2024, 8, 25))
    detailed = article(2, "The release with the digital-cooperation details")
    ingest(store, [generic], "2024-08-25T03:00")
    mark(store, generic, relevant=False, relevance=0.2)
    assert digest_of(store, W34).items == ()
    ingest(store, [detailed], "2024-08-26T09:00")
    mark(store, detailed, relevance=0.8, duplicate_of=generic)
    (found,) = digest_of(store, W35).items
    assert (found.url, found.late, found.relevance) == (url_of(generic), True, 0.8)
    assert found.listed_since == "2024-08-26T09:00:00Z"
    assert digest_of(store, W36).items == ()


def test_a_story_with_no_relevant_member_is_left_out(store):
    generic, copy = article(1, "Short generic release"), article(2, "A copy of it")
    ingest(store, [generic, copy], "2024-08-20T03:00")
    mark(store, generic, relevant=False, relevance=0.2, topics=["ai"])
    mark(store, copy, relevant=False, relevance=0.4, topics=["mou"], duplicate_of=generic)
    assert digest_of(store, W34).items == ()


def test_a_relevant_representative_keeps_its_own_figures_over_an_irrelevant_copy(store):
    main, copy = article(1, "MoU signed"), article(2, "MoU signed, a vaguer copy")
    ingest(store, [main, copy], "2024-08-20T03:00")
    mark(store, main, relevance=0.7, topics=["ai"])
    mark(store, copy, relevant=False, relevance=0.45, topics=["mou"], duplicate_of=main)
    (item,) = digest_of(store, W34).items
    assert (item.url, item.relevance, item.topics) == (url_of(main), 0.7, ("ai",))


def test_a_date_corrected_into_the_week_lists_the_article_as_updated_not_new(store):
    # Dated 14 August and listed in week 33; on the 21st its date is corrected to the
    # 20th, in week 34: week 34's readers got it a week ago, so the correction is news.
    ingest(store, [article(1, "Headline", "A paragraph.", date(2024, 8, 14))], "2024-08-14T03:00")
    ingest(store, [article(1, "Headline", "A paragraph.", date(2024, 8, 20))], "2024-08-21T03:00")
    mark(store, article(1, "Headline"))
    (item,) = digest_of(store, W34).items
    assert (item.updated, item.late, item.day) == (True, False, date(2024, 8, 20))
    assert item.changes.published == ("2024-08-14", "2024-08-20")
    assert [revision.diff.published for revision in item.revisions] == [
        ("2024-08-14", "2024-08-20")
    ]
    # Week 33 built again, alone or in a run of weeks (as the feeds build it), lists it as
    # it was dated then.
    for data in (load_weeks(store, W33, W33), load_weeks(store, W33, W35)):
        (then,) = select_week(data, W33).items
        assert (then.day, then.updated, then.late, then.revisions) == (
            date(2024, 8, 14),
            False,
            False,
            (),
        )
    assert digest_of(store, W35).items == ()


def test_a_date_corrected_past_the_week_of_the_correction_is_updated_then_and_not_new_later(
    store,
):
    ingest(store, [article(1, "Headline", "A paragraph.", date(2024, 8, 14))], "2024-08-14T03:00")
    ingest(store, [article(1, "Headline", "A paragraph.", date(2024, 8, 28))], "2024-08-21T03:00")
    mark(store, article(1, "Headline"))
    (item,) = digest_of(store, W34).items
    assert (item.updated, item.day) == (True, date(2024, 8, 28))
    assert item.changes.published == ("2024-08-14", "2024-08-28")
    assert digest_of(store, W35).items == ()
    (then,) = digest_of(store, W33).items
    assert (then.day, then.updated) == (date(2024, 8, 14), False)


def test_an_article_dated_ahead_and_corrected_into_the_week_is_new_there(store):
    # Seen in week 33 dated in week 35, then corrected into week 34: no digest listed it yet.
    ingest(store, [article(1, "Headline", "A paragraph.", date(2024, 8, 30))], "2024-08-14T03:00")
    ingest(store, [article(1, "Headline", "A paragraph.", date(2024, 8, 20))], "2024-08-21T03:00")
    mark(store, article(1, "Headline"))
    (item,) = digest_of(store, W34).items
    assert (item.updated, item.late, item.day) == (False, False, date(2024, 8, 20))
    assert digest_of(store, W33).items == digest_of(store, W35).items == ()


def test_a_date_before_the_week_seen_only_during_it_is_no_earlier_listing(store):
    # Seen in week 33 dated in week 35; during week 34 dated in week 33 for a day, then in
    # week 34. No digest before week 34 had it dated before it: it is new there.
    for published, moment in (
        (date(2024, 8, 30), "2024-08-14T03:00"),
        (date(2024, 8, 15), "2024-08-20T03:00"),
        (date(2024, 8, 20), "2024-08-21T03:00"),
    ):
        ingest(store, [article(1, "Headline", "A paragraph.", published)], moment)
    mark(store, article(1, "Headline"))
    (item,) = digest_of(store, W34).items
    assert (item.updated, item.late, item.day) == (False, False, date(2024, 8, 20))


def test_a_story_first_listable_in_the_week_its_date_is_corrected_into_is_new_there(store):
    # The generic release was not relevant in week 33, so no digest listed the story before
    # its relevant copy was found in week 34.
    generic = article(1, "Short generic release", "A paragraph.", date(2024, 8, 14))
    ingest(store, [generic], "2024-08-14T03:00")
    mark(store, generic, relevant=False, relevance=0.2)
    detailed = article(2, "The release with the digital-cooperation details")
    corrected = article(1, "Short generic release", "A paragraph.", date(2024, 8, 20))
    ingest(store, [corrected, detailed], "2024-08-21T03:00")
    mark(store, generic, relevant=False, relevance=0.2)
    mark(store, detailed, relevance=0.8, duplicate_of=generic)
    (item,) = digest_of(store, W34).items
    assert (item.url, item.updated, item.late) == (url_of(generic), False, False)


def test_each_week_built_again_shows_the_headline_and_text_of_its_end(store):
    # Stored in week 33, edited in week 34 and again in week 35: each week, built alone or
    # in a run of weeks (as the feeds build it), shows the version its readers got.
    texts = {
        "2024-08-14T03:00": ("Ministers meet", "They met. Budget 10 million."),
        "2024-08-21T03:00": ("Ministers sign", "They signed. Budget 12 million."),
        "2024-08-28T03:00": ("Ministers sign an MoU", "They signed an MoU. Budget 15 million."),
    }
    for moment, (title, body) in texts.items():
        ingest(store, [article(1, title, body, date(2024, 8, 14))], moment)
    mark(store, article(1, "Ministers meet"))
    shown = [(f"{moment}:00Z", *text) for moment, text in texts.items()]
    for data in (None, load_weeks(store, W33, W35)):
        items = [
            select_week(data or load_weeks(store, week, week), week).items
            for week in (W33, W34, W35)
        ]
        assert [(item.last_changed, item.title, item.body, item.updated) for (item,) in items] == [
            (*shown[0], False),
            (*shown[1], True),
            (*shown[2], True),
        ]
        # What changed in a week ends at the version it shows.
        assert [item.changes.headline for (item,) in items[1:]] == [
            ("Ministers meet", "Ministers sign"),
            ("Ministers sign", "Ministers sign an MoU"),
        ]
    assert digest_of(store, W36).items == ()


def test_a_story_found_after_its_week_and_retitled_shows_no_old_headline_atop_its_text(store):
    # Dated in week 34 and first crawled after it ended (a Sunday release found on Monday
    # before the digest run, a week caught up after downtime, an archive imported): the
    # week shows its current version, retitled since, whose page kept the old headline
    # atop its text. Its lede must not open with that headline, in a run of weeks too.
    sunday = date(2024, 8, 25)
    ingest(
        store, [article(1, "Ministers meet", "They met in Bangkok.", sunday)], "2024-08-26T01:00"
    )
    retitled = article(1, "Ministers sign an MoU", "Ministers meet\nThey met in Bangkok.", sunday)
    ingest(store, [retitled], "2024-08-26T03:00")
    mark(store, retitled)
    for data in (load_weeks(store, W34, W34), load_weeks(store, W33, W34)):
        (item,) = select_week(data, W34).items
        assert (item.title, item.body) == ("Ministers sign an MoU", "They met in Bangkok.")


def test_a_week_built_in_a_run_keeps_a_body_line_a_later_headline_repeats(store):
    # Week 35's headline is a line of week 33's body: week 33, built in a run of weeks
    # that loads week 35's version, still shows the body its readers got.
    ingest(
        store,
        [article(1, "Ministers meet", "Ministers sign an MoU\nThey met.", date(2024, 8, 14))],
        "2024-08-14T03:00",
    )
    ingest(
        store,
        [article(1, "Ministers sign an MoU", "They signed.", date(2024, 8, 14))],
        "2024-08-28T03:00",
    )
    mark(store, article(1, "Ministers meet"))
    for data in (load_weeks(store, W33, W33), load_weeks(store, W33, W35)):
        (item,) = select_week(data, W33).items
        assert (item.title, item.body) == ("Ministers meet", "Ministers sign an MoU\nThey met.")
