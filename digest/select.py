"""Which articles a weekly digest lists: pure selection over rows the store hands over.

A week is an ISO week in Bangkok time, Monday 00:00 to the next Monday 00:00
(+07:00). An article belongs to the week of its date: ``published`` when the
page gave one, else the Bangkok date of ``first_seen``; the date it had when
the week ended (:func:`day_as_of`), so that a date corrected later leaves a
week built again as its readers got it.

A week lists the relevant stories: the representatives (``duplicate_of`` is
NULL) of the clusters of copies that hold a relevant article, the
representative or any copy (:mod:`digest.clusters`, the one place that rule
is written). An item is the representative's URL, headline, text and date,
with the highest relevance and the union of the topics and partners of the
cluster's relevant members: thaigov's short generic release, first and so the
representative, is listed when only MDES's fuller copy of it passes the
threshold, ranked and filed as that copy. The headline and text are those the
representative had when the week ended (:func:`text_as_of`), as its date is:
a week built again after an edit shows what its readers got, and the week of
the edit lists it as updated. Relevance, topics and partners are not kept per
version: they are the current ones. A week lists them:

* as **new**, those dated in the week (even when edited during it), but for
  those an earlier digest could list (:func:`listed_before`): a date
  corrected into the week from an earlier one is an update, not news;
* as **found late**, those dated in the :data:`LATE_DAYS` days before the
  week but first seen during it: a Sunday release found on Monday, or a page
  that went up with an earlier date; or whose first relevant copy was (a
  story is listed when any copy is relevant: thaigov's generic release on
  Sunday, MDES's relevant copy found on Monday). Such a copy counts by its own
  date: dedup folds copies dated up to 30 days after the release, and an MDES copy
  found three weeks after thaigov's release, dated then, is news that week. The
  previous week's digest was built before they were found, and without this they
  would be in no digest. One
  found between the week's start and the previous digest's building is in
  both digests: listed twice rather than never;
* as **updated**, those dated before the week, or an earlier digest could
  list, that got a new version during it, once, with what changed between
  the version the week started from and the newest version seen in the week
  (a :class:`digest.diff.Diff`). A
  copy folded into the item (another site's, a repost) that got a new
  version during the week makes the item updated too, with what changed in
  that copy (a :class:`CopyChange`): the digest shows the representative's
  text, and the copy's edit would otherwise reach no reader. Only a change a
  reader sees counts (a non-empty :class:`digest.diff.Diff`: a headline, a
  date, a number, a sentence, a passage moved): a version that changed only spacing (a space
  between two Thai phrases, a paragraph split that a database stored before
  such splits were no version) lists nothing, since "updated" over an empty
  "What changed" tells a reader nothing. A story with a revision in the week
  (below) is listed all the same when its versions end where the week began
  (an edit undone): the feeds told their readers of the edit, and its undoing
  is news too; what changed in the week is then empty, and the digest says
  the edit was undone.

Every item also carries its revisions: each version seen during the week,
of the article or of a copy folded into it, that changed something a reader
sees from the version before it, with what changed, which the feeds publish
as entries of their own. A copy's edits in the week its story is new or found
late are revisions only, as the article's own are.

Each item sits under one topic: the first of its topics in :data:`TOPIC_LABELS`
order (cooperation forums first, then agreements, then subject areas); topics
the labels do not know follow in alphabetical order; an item without topics
goes under ``other``. Within a topic, items are ordered by relevance
(highest first), then date (newest first), then URL.

:func:`load_weeks` is the only function here that reads the store; it uses
the indexed columns (``published``, ``first_seen``, ``article_versions.seen_at``,
``duplicate_of``) and never scans the whole table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from digest.clusters import (
    LISTED,
    REPRESENTATIVE,
    copies_of,
    fold_cluster,
    relevant_copies_seen,
)
from digest.diff import NO_CHANGE, Diff, diff_versions
from digest.ours import unrecorded
from thaidigest.dates import BANGKOK, BE_OFFSET, LAST_CE_YEAR, bangkok_date
from thaidigest.normalise import without_headline_repeats
from thaidigest.store import (
    VERSIONS_WITH_ARTICLES,
    Store,
    article_versions,
    articles,
    iso,
    stored_moment,
    version_columns,
)

WEEK_NAME = r"(?P<year>\d{4})-W(?P<number>\d{2})"  # an ISO week: 2024-W34
# A week given: the W in either case (2024-w34), as ISO weeks are written in use.
WEEK_PATTERN = re.compile(rf"^{WEEK_NAME}$", re.IGNORECASE)
# The folder of the weekly digests in an output folder, and a week's Markdown digest there.
DIGESTS = "digests"
DIGEST_FILE = re.compile(rf"^{WEEK_NAME}\.md$")  # a week's Markdown digest: 2024-W34.md
OTHER_TOPIC = "other"
# An article first seen during a week and dated at most this many days before it
# is listed in that week's digest as found late: two weeks, so that one found
# after a week's outage is still news; older ones are backlog (a first crawl, an import).
LATE_DAYS = 14
# A digest and its feeds reach back digest.weeks (at most 520) and one week ahead,
# all of which must stay inside the calendar dates Python can hold. The last year a week
# may have is LAST_CE_YEAR: a later one is Buddhist-era.
FIRST_YEAR = 1900

# The fixed topic order, with the English and Thai section headings.
TOPIC_LABELS: dict[str, tuple[str, str]] = {
    "asean": ("ASEAN", "อาเซียน"),
    "apec": ("APEC", "เอเปค"),
    "bilateral": ("Bilateral relations", "ความสัมพันธ์ทวิภาคี"),
    "mou": ("Agreements and MoUs", "บันทึกความเข้าใจและข้อตกลง"),
    "cybersecurity": ("Cybersecurity", "ความมั่นคงปลอดภัยไซเบอร์"),
    "ai": ("Artificial intelligence", "ปัญญาประดิษฐ์"),
    "telecom-5g": ("Telecoms and 5G", "โทรคมนาคมและ 5G"),
    "digital-id-data": ("Digital ID and data", "การระบุตัวตนดิจิทัลและข้อมูล"),
    "e-commerce": ("E-commerce and digital trade", "พาณิชย์อิเล็กทรอนิกส์และการค้าดิจิทัล"),
    "smart-city": ("Smart cities", "เมืองอัจฉริยะ"),
    "digital-skills": ("Digital skills", "ทักษะดิจิทัล"),
    "digital-government": ("Digital government", "รัฐบาลดิจิทัล"),
    OTHER_TOPIC: ("Other cooperation", "ความร่วมมืออื่น ๆ"),
}

ARTICLE_COLUMNS = (
    articles.c.id,
    articles.c.url,
    articles.c.source,
    articles.c.title,
    articles.c.body,
    articles.c.published,
    articles.c.language,
    articles.c.first_seen,
    articles.c.last_changed,
    articles.c.relevance,
    articles.c.relevant,
    articles.c.topics,
    articles.c.partners,
    articles.c.duplicate_of,
    articles.c.versions,
)


class WeekError(ValueError):
    """A week string that is not ``YYYY-Www`` or names no ISO week."""


def _has_week(year: int, number: int) -> bool:
    """Whether the ISO year ``year`` has a week ``number`` (2020 has 53, 2021 has 52)."""
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week: ``Week(2024, 34)`` is ``2024-W34``, Monday 19 to Sunday 25 August 2024."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        """The week named ``YYYY-Www`` (or ``YYYY-www``); raises :class:`WeekError` otherwise.

        A week in a Buddhist-era year (after ``LAST_CE_YEAR``), as Thai users write it, is
        refused naming the week to give (``2567-W34 has a Buddhist-era year: give
        2024-W34``), as a day is (``thaidigest.options.DayType``): taken as it is, it is a
        week five centuries ahead. One that is no week of ``FIRST_YEAR`` to ``LAST_CE_YEAR``
        either way is refused as out of range, naming no week (``2301-W01`` named
        ``1758-W01``, which is refused in turn)."""
        match = WEEK_PATTERN.match(text.strip())
        if not match:
            raise WeekError(f"{text!r} is not a week like 2024-W34")
        year, number = int(match["year"]), int(match["number"])
        buddhist_era = year > LAST_CE_YEAR
        common_era = year - BE_OFFSET if buddhist_era else year
        if not FIRST_YEAR <= common_era <= LAST_CE_YEAR:  # a digest reaches weeks around its own
            # no week to give: 2301-W01 read as Buddhist-era is 1758-W01, refused in turn
            read_as = f" ({year} read as Buddhist-era is {common_era})" if buddhist_era else ""
            raise WeekError(
                f"{text.strip()}: weeks of {FIRST_YEAR} to {LAST_CE_YEAR} only{read_as}"
            )
        if buddhist_era:
            if not _has_week(common_era, number):
                raise WeekError(
                    f"{text.strip()} has a Buddhist-era year, and {common_era} has no ISO week "
                    f"{number}"
                )
            raise WeekError(
                f"{text.strip()} has a Buddhist-era year: give {cls(common_era, number)}"
            )
        if not _has_week(year, number):
            raise WeekError(f"{year} has no ISO week {number}")
        return cls(year, number)

    @classmethod
    def of(cls, day: date) -> Week:
        """The week that holds ``day``."""
        calendar = day.isocalendar()
        return cls(calendar.year, calendar.week)

    @classmethod
    def last_complete(cls, now: datetime) -> Week:
        """The last week that has ended, in Bangkok time, at the moment ``now``."""
        return cls.of(now.astimezone(BANGKOK).date()).shift(-1)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def shift(self, weeks: int) -> Week:
        """The week ``weeks`` weeks later (earlier when negative)."""
        return Week.of(self.monday + timedelta(weeks=weeks))

    def start(self) -> datetime:
        """Monday 00:00 in Bangkok, the moment the week begins."""
        return datetime.combine(self.monday, time(), BANGKOK)

    def end(self) -> datetime:
        """The next Monday 00:00 in Bangkok, the moment the week is over."""
        return self.shift(1).start()

    def is_over(self, now: datetime) -> bool:
        """Whether the week has ended at the moment ``now``: only then is its digest final."""
        return self.end() <= now

    def bounds(self) -> tuple[str, str]:
        """The week as stored UTC text, ``[start, end)``."""
        return iso(self.start()), iso(self.end())

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.number:02d}"


def bangkok_time(moment: datetime) -> str:
    """``moment`` as a message tells a reader it, to the minute: ``2024-08-26 00:00 Bangkok
    time``."""
    return f"{moment.astimezone(BANGKOK):%Y-%m-%d %H:%M} Bangkok time"


def digest_name(week: Week) -> str:
    """Where ``week``'s Markdown digest is in an output folder, as a relative path and link:
    ``digests/2024-W34.md``."""
    return f"{DIGESTS}/{week}.md"


def digest_page_name(week: Week) -> str:
    """Where ``week``'s digest as an HTML page is in an output folder, as a relative path
    and link: ``digests/2024-W34.html``."""
    return f"{DIGESTS}/{week}.html"


def digest_path(out_dir: Path, week: Week) -> Path:
    """``week``'s Markdown digest in the output folder ``out_dir``."""
    return out_dir / digest_name(week)


def digest_week(path: Path) -> Week | None:
    """The week whose Markdown digest ``path`` names, or None: another file (``notes.md``),
    or a name of no week (``2023-W53.md``)."""
    if not DIGEST_FILE.match(path.name):
        return None
    try:
        return Week.parse(path.stem)
    except WeekError:
        return None


def week_files(out_dir: Path) -> dict[Week, Path]:
    """The files of ``out_dir/digests`` named as a week's Markdown digest, by week, oldest
    first, whoever wrote them (files not read)."""
    folder = out_dir / DIGESTS
    if not folder.is_dir():
        return {}
    named = {digest_week(path): path for path in folder.iterdir()}
    return {week: named[week] for week in sorted(week for week in named if week is not None)}


def written_weeks(out_dir: Path) -> list[Week]:
    """The weeks whose digest thaidigest wrote in ``out_dir/digests``, oldest first: a file
    named as one that the folder's record says no build left as it is (a user's notes in
    ``2024-W33.md``, a digest corrected by hand: :func:`not_digests`) is none, read by no
    build, published by none; in a folder without the record, every such file is one."""
    found = week_files(out_dir)
    foreign = set(not_digests(out_dir, found))
    return [week for week, path in found.items() if path not in foreign]


def not_digests(out_dir: Path, found: Mapping[Week, Path] | None = None) -> list[Path]:
    """The files of ``out_dir/digests`` named as a week's digest (``found``, else
    :func:`week_files`) that thaidigest did not write, or that were changed since, by the
    folder's record (:func:`digest.ours.unrecorded`), oldest week first."""
    files = week_files(out_dir) if found is None else found
    return unrecorded(out_dir, files.values())


def written_once_over(out_dir: Path, week: Week) -> bool:
    """Whether the digest of ``week`` in ``out_dir`` was last written once the week was
    over: one written before (a preview, ``digest --week`` of the week then in progress)
    lists only its first days. False when it is not there (removed meanwhile)."""
    try:
        modified = digest_path(out_dir, week).stat().st_mtime
    except OSError:
        return False
    return modified >= week.end().timestamp()


def complete_weeks(out_dir: Path) -> list[Week]:
    """The weeks of :func:`written_weeks` whose digest was last written once the week was
    over (:func:`written_once_over`), oldest first: a scheduled digest that counted a
    preview as written (:func:`digest.commands.weeks_to_build`) built none after it when
    the run after its end failed or did not happen, so the week stayed a preview, never
    mailed. ``thaidigest status`` judges a week's digest missing by the same test
    (:func:`schedules.commands.read_digests`), so it says so of a preview too."""
    return [week for week in written_weeks(out_dir) if written_once_over(out_dir, week)]


def watched(week: Week, watched_since: datetime | None) -> bool:
    """Whether ``week`` was watched: it ended after watching began (``watched_since``: the
    first crawl or the first article stored, :meth:`thaidigest.store.Store.watched_since`).
    A week not watched is owed no digest: ``thaidigest status`` judges none missing
    (:func:`schedules.commands.missing_digest`), a scheduled digest builds none
    (:func:`digest.commands.weeks_to_build`) and mails none."""
    return watched_since is not None and watched_since < week.end()


def first_watched(watched_since: datetime) -> Week:
    """The first week watched (:func:`watched`): the one watching began in."""
    return Week.last_complete(watched_since).shift(1)


@dataclass(frozen=True)
class Version:
    """One stored version of an article."""

    version: int
    seen_at: str
    title: str
    body: str
    published: str | None


@dataclass(frozen=True)
class WeekData:
    """What selecting a run of weeks needs from the store.

    ``rows``: the representatives of listed clusters (columns of :data:`ARTICLE_COLUMNS`,
    relevance, topics and partners folded over the relevant members by
    :func:`digest.clusters.fold_cluster`) dated, first seen or changed in the run;
    ``versions``: for the articles with a later version, all their versions, by article
    id (each week reads those seen by its end; a story first seen after a week it is
    listed in shows its current version, whose earlier headlines its body may repeat);
    ``members``: the other members of each representative's cluster, by URL;
    ``changed_copies``: the members with a later version seen in the run, by
    their representative's URL (their versions are in ``versions`` too).
    """

    rows: Sequence[Mapping[str, Any]] = ()
    versions: Mapping[int, Sequence[Version]] = field(default_factory=dict)
    members: Mapping[str, Sequence[str]] = field(default_factory=dict)
    changed_copies: Mapping[str, Sequence[Copy]] = field(default_factory=dict)


@dataclass(frozen=True)
class Copy:
    """A member of a cluster, as the digest names it: its article id, URL and site."""

    id: int
    url: str
    source: str


@dataclass(frozen=True)
class Revision:
    """A later version of an article: its number, when it was seen, its headline, what changed,
    and which article it is a version of (an item's own URL, or a copy folded into it)."""

    version: int
    seen_at: str
    title: str
    diff: Diff
    url: str
    source: str


@dataclass(frozen=True)
class CopyChange:
    """What changed during a week in a copy folded into an item, and where the copy is:
    an empty ``diff`` when the copy's revisions in the week undid each other."""

    url: str
    source: str
    diff: Diff


@dataclass(frozen=True)
class Item:
    """One article as a digest lists it."""

    url: str
    source: str
    title: str
    body: str
    language: str
    day: date
    dated: bool  # True when ``day`` is the published date, False when it is the first-seen date
    first_seen: str
    listed_since: str  # when its first relevant member (itself or a copy) was seen
    last_changed: str
    relevance: float
    topics: tuple[str, ...]
    also_on: tuple[str, ...] = ()
    updated: bool = False
    late: bool = False  # dated before the week, first seen during it (LATE_DAYS)
    # What changed during the week, for an updated item: empty when the item's own
    # revisions in the week undid each other, or it has none (only a copy changed).
    changes: Diff = NO_CHANGE
    copy_changes: tuple[CopyChange, ...] = ()  # what changed in its copies, for an updated item
    revisions: tuple[Revision, ...] = ()  # the visible versions seen in the week, copies' too
    partners: tuple[str, ...] = ()  # partner ids (thaidigest.partners)


@dataclass(frozen=True)
class Section:
    """The items of one topic."""

    topic: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class WeekDigest:
    """A week's selection: its sections in topic order."""

    week: Week
    sections: tuple[Section, ...]

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)


def topic_key(topic: str) -> tuple[int, int, str]:
    """Sort key of a topic: known topics in :data:`TOPIC_LABELS` order, others after, by name."""
    order = list(TOPIC_LABELS)
    if topic == OTHER_TOPIC:
        return (2, 0, topic)
    if topic in TOPIC_LABELS:
        return (0, order.index(topic), topic)
    return (1, 0, topic)


def section_topic(topics: Sequence[str]) -> str:
    """The topic an item with ``topics`` is listed under."""
    return min(topics, key=topic_key) if topics else OTHER_TOPIC


def bangkok_day(stored: str) -> date:
    """The Bangkok date of a stored UTC time: ``2024-08-25T18:00:00Z`` is 26 August."""
    return bangkok_date(stored_moment(stored))


def article_day(row: Mapping[str, Any]) -> tuple[date, bool]:
    """The date an article counts for, and whether it is the published date."""
    return _day(row["published"], row["first_seen"])


def _day(published: str | None, first_seen: str) -> tuple[date, bool]:
    """:func:`article_day` of an article, or one of its versions, dated ``published``."""
    if published:
        return date.fromisoformat(published), True
    return bangkok_day(first_seen), False


def seen_before(versions: Sequence[Version], moment: str) -> list[Version]:
    """The versions of an article seen before ``moment`` (stored UTC text), in their order:
    what was known of it then. At a week's end, what its digest's readers got; at its
    start, what the digests before it had."""
    return [version for version in versions if version.seen_at < moment]


def version_as_of(versions: Sequence[Version], moment: str) -> Version | None:
    """The version of an article current at ``moment`` (stored UTC text): the newest seen
    before then. None without one: an article never changed has no versions loaded, and
    one first seen later had none then."""
    return max(seen_before(versions, moment), key=lambda version: version.version, default=None)


def day_as_of(
    row: Mapping[str, Any], versions: Sequence[Version], moment: str
) -> tuple[date, bool]:
    """The date the article counted for at ``moment`` (stored UTC text), and whether it was
    the published date: its version's then (:func:`version_as_of`). The row's own without
    one: a digest built again lists what is known now, at the date its readers got."""
    held = version_as_of(versions, moment)
    if held is None:
        return article_day(row)
    return _day(held.published, row["first_seen"])


def text_as_of(
    row: Mapping[str, Any], versions: Sequence[Version], moment: str
) -> Mapping[str, Any]:
    """``row`` with the headline and text it had at ``moment`` (stored UTC text), and when
    they last changed by then: its version's then (:func:`version_as_of`), when a later
    version replaced it. A week's digest built again, and the feeds written from it, show
    what its readers got, not an edit made since, which the week of the edit lists as an
    update. The row itself when that version is its current one, or without one (as
    :func:`day_as_of`): a week not over, and an article never changed, show the row."""
    held = version_as_of(versions, moment)
    if held is None or held.version >= row["versions"]:
        return row
    return {**row, "title": held.title, "body": held.body, "last_changed": held.seen_at}


def without_earlier_headlines(
    row: Mapping[str, Any], versions: Sequence[Version], moment: str
) -> Mapping[str, Any]:
    """``row`` (as :func:`text_as_of` gives it for ``moment``) without the body lines that
    repeat a headline of a version seen before ``moment``: a site that edits a headline
    may leave the old one atop the body, which the stored text keeps, and the lede under
    the new headline would open with it (see :func:`digest.diff.diff_versions`). With no
    version seen by then (a story first seen after a week it is listed in), the row is the
    current version, and the headlines of all its ``versions`` count."""
    earlier = [version.title for version in seen_before(versions, moment) or versions]
    if not earlier:
        return row
    return {**row, "body": without_headline_repeats(row["body"], earlier)}


def texts_shown(versions: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The headline and body :func:`select_week` shows of each of an article's ``versions``
    (oldest first, each with its title and body): the body without the lines that repeat
    its headline or an earlier one, as :func:`without_earlier_headlines` cuts the version a
    build held (its own headline counts among the earlier ones, one version alone too)."""
    titles = [version["title"] for version in versions]
    return [
        (version["title"], without_headline_repeats(version["body"], titles[: index + 1]))
        for index, version in enumerate(versions)
    ]


def listed_before(row: Mapping[str, Any], versions: Sequence[Version], week: Week) -> bool:
    """True when a digest before ``week`` could list the story: it was listable before the
    week began (``listed_since``, :func:`fold_cluster`) and a version seen before then was
    dated before the week. Its readers have it: a later date is a correction to show them,
    not news (relevance is not kept per version, so whether that digest did list it is
    not known; an unlisted backlog article corrected into the week is shown as updated)."""
    start, _ = week.bounds()
    if listed_since(row) >= start:
        return False
    return any(
        _day(version.published, row["first_seen"])[0] < week.monday
        for version in seen_before(versions, start)
    )


def describe_changes(before: Version, after: Version, versions: Sequence[Version] = ()) -> Diff:
    """What changed from one version to a later one (see :mod:`digest.diff`); ``versions``,
    the article's, give the headlines it had before, whose repeats in a body are no text.
    Only those up to ``after``: a week built again says what it said."""
    return diff_versions(
        before.title,
        before.body,
        before.published,
        after.title,
        after.body,
        after.published,
        earlier_titles={v.title for v in versions if v.version < after.version},
    )


def revisions_in(
    week: Week, versions: Sequence[Version], url: str, source: str
) -> tuple[Revision, ...]:
    """Each version seen during ``week`` of the article at ``url`` that changed something a
    reader sees from the version before it, with what changed (none for a version whose
    diff is empty: a feed entry would say nothing)."""
    start, end = week.bounds()
    by_number = {v.version: v for v in versions}
    revisions = (
        Revision(
            v.version,
            v.seen_at,
            v.title,
            describe_changes(by_number[v.version - 1], v, versions),
            url,
            source,
        )
        for v in sorted(versions, key=lambda v: v.version)
        if v.version > 1 and start <= v.seen_at < end and v.version - 1 in by_number
    )
    return tuple(revision for revision in revisions if revision.diff)


def _item(
    row: Mapping[str, Any],
    members: Mapping[str, Sequence[str]],
    dated_day: tuple[date, bool],
    **marks: Any,
) -> Item:
    day, dated = dated_day
    return Item(
        url=row["url"],
        source=row["source"],
        title=row["title"],
        body=row["body"],
        language=row["language"],
        day=day,
        dated=dated,
        first_seen=row["first_seen"],
        listed_since=listed_since(row),
        last_changed=row["last_changed"],
        relevance=float(row["relevance"]),
        topics=tuple(json.loads(row["topics"])),
        partners=tuple(json.loads(row.get("partners") or "[]")),
        also_on=tuple(sorted(members.get(row["url"], ()))),
        **marks,
    )


def _update_in(week: Week, versions: Sequence[Version], revisions: Sequence[Revision]) -> Diff:
    """What changed during ``week``, from the version it started from to the newest seen in
    it: empty when no new version was seen in it, or when they read the same to a reader.

    A version counts only with the one before it stored: an imported export
    record's first version is numbered as exported, and is no change.
    ``revisions`` are the week's (:func:`revisions_in`): with one new version,
    what changed is that revision's diff, not computed again (and nothing when
    it has no revision, its diff being empty).
    """
    start, end = week.bounds()
    by_number = {v.version: v for v in versions}
    during = sorted(
        (v for v in versions if start <= v.seen_at < end and v.version - 1 in by_number),
        key=lambda v: v.version,
    )
    if not during:
        return NO_CHANGE
    if len(during) == 1:
        return revisions[0].diff if revisions else NO_CHANGE
    return describe_changes(by_number[during[0].version - 1], during[-1], versions)


def listed_since(row: Mapping[str, Any]) -> str:
    """When the story of ``row`` became listable: its first relevant member was first seen
    (:func:`digest.clusters.fold_cluster`), or, unfolded, the article itself."""
    return row.get("listed_since") or row["first_seen"]


def listing_day(row: Mapping[str, Any]) -> date:
    """The date of the member that made the story of ``row`` listable (its first relevant
    one): what *found late* is judged by, since deduplication folds a copy dated up to
    :data:`thaidigest.fingerprint.MAX_DAYS_APART` days after the release it repeats."""
    published = row["listed_published"] if "listed_published" in row else row["published"]
    day, _ = _day(published, listed_since(row))
    return day


def found_late(row: Mapping[str, Any], day: date, week: Week) -> bool:
    """True when an article dated ``day`` belongs to ``week`` as found late: dated before
    the week, listable from during it (first seen then, or its first relevant copy was:
    ``listed_since``, :func:`fold_cluster`), and what made it listable dated in the week or
    the :data:`LATE_DAYS` days before it (:func:`listing_day`). A story whose relevant
    copy came weeks after the release is news when the copy is; an article dated long
    before it was found is backlog (a first crawl, an import)."""
    start, end = week.bounds()
    return (
        day < week.monday
        and start <= listed_since(row) < end
        and listing_day(row) >= week.monday - timedelta(days=LATE_DAYS)
    )


def listing_weeks(row: Mapping[str, Any]) -> tuple[Week, ...]:
    """The weeks whose digest, built once the week is over, lists the story of ``row`` (a
    folded representative): the week of its date when it was listable before that week
    ended, and the week it became listable in when it is found late there. None for a
    story that became listable as backlog: only a digest of its week built again lists it."""
    day, _ = article_day(row)
    dated = Week.of(day)
    found = Week.of(bangkok_day(listed_since(row)))
    weeks = [dated] if listed_since(row) < dated.bounds()[1] else []
    if found_late(row, day, found):
        weeks.append(found)
    return tuple(weeks)


def _copies_in(
    week: Week, copies: Sequence[Copy], versions: Mapping[int, Sequence[Version]]
) -> tuple[tuple[Revision, ...], tuple[CopyChange, ...]]:
    """The revisions of ``copies`` seen during ``week``, and what changed in each copy
    during it, copies in URL order: each copy changed, or with a revision in the week
    (its revisions may undo each other)."""
    revisions: list[Revision] = []
    changes: list[CopyChange] = []
    for copy in sorted(copies, key=lambda copy: copy.url):
        held = versions.get(copy.id, ())
        own = revisions_in(week, held, copy.url, copy.source)
        changed = _update_in(week, held, own)
        revisions.extend(own)
        if changed or own:
            changes.append(CopyChange(copy.url, copy.source, changed))
    return tuple(revisions), tuple(changes)


def select_week(data: WeekData, week: Week) -> WeekDigest:
    """The digest of ``week`` from the rows, versions and clusters in ``data``."""
    _, end = week.bounds()
    items: list[Item] = []
    for row in data.rows:
        if not row["relevant"] or row["duplicate_of"] is not None:
            continue
        versions = data.versions.get(row["id"], ())
        dated_day = day_as_of(row, versions, end)
        shown = without_earlier_headlines(text_as_of(row, versions, end), versions, end)
        day, _ = dated_day
        own = revisions_in(week, versions, row["url"], row["source"])
        copied, copy_changes = _copies_in(
            week, data.changed_copies.get(row["url"], ()), data.versions
        )
        revisions = (*own, *copied)
        earlier = listed_before(row, versions, week)
        if week.monday <= day <= week.sunday and not earlier:
            items.append(_item(shown, data.members, dated_day, revisions=revisions))
        elif found_late(row, day, week):
            items.append(_item(shown, data.members, dated_day, late=True, revisions=revisions))
        elif day < week.monday or earlier:
            changes = _update_in(week, versions, own)
            if changes or own or copy_changes:
                items.append(
                    _item(
                        shown,
                        data.members,
                        dated_day,
                        updated=True,
                        changes=changes,
                        copy_changes=copy_changes,
                        revisions=revisions,
                    )
                )
    grouped: dict[str, list[Item]] = {}
    for item in items:
        grouped.setdefault(section_topic(item.topics), []).append(item)
    sections = []
    for topic in sorted(grouped, key=topic_key):
        ordered = sorted(grouped[topic], key=lambda i: (-i.relevance, -i.day.toordinal(), i.url))
        sections.append(Section(topic, tuple(ordered)))
    return WeekDigest(week, tuple(sections))


def load_weeks(store: Store, first: Week, last: Week) -> WeekData:
    """What :func:`select_week` needs for every week from ``first`` to ``last``."""
    start, _ = first.bounds()
    _, end = last.bounds()
    wanted = select(*ARTICLE_COLUMNS).where(LISTED)
    changed_ids = (
        select(article_versions.c.article_id)
        .where(
            article_versions.c.seen_at >= start,
            article_versions.c.seen_at < end,
            article_versions.c.version > 1,
        )
        .distinct()
    )
    # The copies changed in the run, and their representatives: an edit to a copy is news.
    copy_query = select(
        articles.c.id, articles.c.url, articles.c.source, articles.c.duplicate_of
    ).where(articles.c.id.in_(changed_ids), ~REPRESENTATIVE)
    queries = (
        wanted.where(
            articles.c.published >= first.monday.isoformat(),
            articles.c.published <= last.sunday.isoformat(),
        ),
        # Dated or not: select_week goes by the date, this only finds the undated ones.
        wanted.where(articles.c.first_seen >= start, articles.c.first_seen < end),
        wanted.where(articles.c.id.in_(changed_ids)),
        # Stories a relevant copy first seen in the run makes listable (found late).
        wanted.where(articles.c.url.in_(relevant_copies_seen(start, end))),
        wanted.where(articles.c.url.in_(copy_query.with_only_columns(articles.c.duplicate_of))),
    )
    rows: dict[int, dict[str, Any]] = {}
    versions: dict[int, list[Version]] = {}
    members: dict[str, list[str]] = {}
    changed_copies: dict[str, list[Copy]] = {}
    with store.engine.connect() as conn:
        for query in queries:
            for row in conn.execute(query):
                rows[row.id] = dict(row._mapping)
        for row in conn.execute(copy_query):
            changed_copies.setdefault(row.duplicate_of, []).append(
                Copy(row.id, row.url, row.source)
            )
        changed = [copy.id for copies in changed_copies.values() for copy in copies]
        version_query = (
            select(*version_columns())
            .select_from(VERSIONS_WITH_ARTICLES)
            .where(
                article_versions.c.article_id.in_(
                    [key for key, row in rows.items() if row["versions"] > 1] + changed
                )
            )
            .order_by(article_versions.c.article_id, article_versions.c.version)
        )
        for row in conn.execute(version_query):
            versions.setdefault(row.article_id, []).append(
                Version(row.version, row.seen_at, row.title, row.body, row.published)
            )
        copies: dict[str, list[Mapping[str, Any]]] = {}
        for row in conn.execute(copies_of([row["url"] for row in rows.values()])):
            copies.setdefault(row.duplicate_of, []).append(row._mapping)
            members.setdefault(row.duplicate_of, []).append(row.url)
    ordered = [fold_cluster(rows[key], copies.get(rows[key]["url"], ())) for key in sorted(rows)]
    return WeekData(ordered, versions, members, changed_copies)
