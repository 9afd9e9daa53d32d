"""Build a week's digest, feeds and archive pages into a folder.

Layout of the folder::

    digests/YYYY-Www.md     the weekly digest
    digests/YYYY-Www.html   the same, as a page
    feed.rss  feed.atom  feed.json
                            the relevant articles of the ``digest.weeks`` weeks to the
                            newest digest, and a revision entry for each later version
                            seen in them
    digests.atom            the digests of the same weeks, as HTML
    topics/<topic>.atom  topics/<topic>.json
                            the articles of one topic (smart-city, a hash for a name
                            in Thai script: thaidigest.relevance.topic_stems)
    partners/<partner>.atom  partners/<partner>.json
                            the articles with one partner (country-jp, org-asean, ...),
                            for every partner with an article in the feeds' weeks,
                            and empty for a partner of an older article; one file
                            a partner (thaidigest.partners.feed_stems); a topic's or
                            partner's feed this project wrote before that no longer has
                            any article (a topic taken out of the rules, a partner
                            merged into another) is written again, empty; any other
                            file in these folders is left as it is
    feeds.opml              every feed, for a reader to import at once
    index.html              the archive: the newest digest's items, every digest in
                            digests/ (thaidigest's: a user's 2024-W33.md is none,
                            digest.select.written_weeks), every feed

Every file is written atomically (a temporary file in the same folder, then
``os.replace``) and only when its content changed, so readers never see half
a file and an unchanged file keeps its modification time. A file at a path a build
writes that thaidigest did not write (a user's own ``index.html``) is never replaced: the
build is refused before anything is written (:mod:`digest.ours`).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

from digest.archive import (
    ATOM_TYPE,
    INDEX_PAGE,
    JSON_FEED_TYPE,
    OPML_FILE,
    RSS_TYPE,
    FeedLink,
    render_digest_page,
    render_index,
    render_opml,
)
from digest.feeds import (
    JSON_FEED_VERSION,
    TOPICS,
    Dated,
    Entry,
    FeedHead,
    FeedInfo,
    Recorded,
    article_entries,
    atom_dates,
    atom_entries,
    digest_entry,
    digest_id,
    empty_feed_updated,
    feed_head,
    newest,
    render_atom,
    render_dated_atom,
    render_json,
    render_rss,
    stable_id,
)
from digest.markdown import (
    digest_title,
    markdown_to_html,
    markdown_to_page_html,
    render_markdown,
)
from digest.ours import (
    CONTENTS_KEPT,
    GENERATOR,
    STAGED_MARK,
    WRITTEN,
    ForeignFileError,
    Written,
    current_fingerprints,
    current_written,
    fingerprint,
    foreign_files,
    load_written,
    recorded_name,
    render_written,
)
from digest.partners import listed_partners, load_spellings, respell_digest
from digest.partners import load_rows as load_partner_rows
from digest.select import (
    BANGKOK,
    OTHER_TOPIC,
    TOPIC_LABELS,
    WEEK_NAME,
    Week,
    WeekDigest,
    digest_name,
    digest_page_name,
    digest_path,
    load_weeks,
    select_week,
    topic_key,
    written_once_over,
    written_weeks,
)
from thaidigest.config import weeks_kept
from thaidigest.health import SiteHealth, load_health, until_now
from thaidigest.partners import feed_stems, partner_name
from thaidigest.pipeline import rules_from_config
from thaidigest.plural import counted
from thaidigest.relevance import topic_stems
from thaidigest.sites import SOURCES
from thaidigest.store import Store, utc_now

PARTNERS = "partners"
DIGESTS_FEED = "digests.atom"
ARTICLES = "feed"  # the feeds of every article: feed.rss, feed.atom, feed.json
# The formats a feed of articles is written in: suffix, media type, renderer.
ARTICLE_FORMATS = (
    ("rss", RSS_TYPE, render_rss),
    ("atom", ATOM_TYPE, render_atom),
    ("json", JSON_FEED_TYPE, render_json),
)
# How a feed of articles ends its subtitle (feed_span), as a feed written before holds it:
# "of the 1 weeks to" too, as feeds were written before the count agreed with its noun.
WRITTEN_SPAN = re.compile(rf" of the \d+ weeks? to {WEEK_NAME}$")


@dataclass(frozen=True)
class DigestResult:
    """What :func:`build_digest` made."""

    week: Week
    items: int
    markdown: str  # the week's digest
    html: str  # the week's digest as a standalone HTML page
    files: tuple[Path, ...]  # every file of the build
    changed: tuple[Path, ...]  # the files written: their content changed, or a preview


def write_files(outputs: Mapping[Path, bytes], renewed: Collection[Path] = ()) -> tuple[Path, ...]:
    """Write each file of ``outputs`` whose content changed, and each of ``renewed``
    whatever it holds, all or none; those written.

    Every new content is first written beside its file, then each is moved into
    place (``os.replace``, atomic for each file). A write that fails (a full
    disk, a quota) removes what it staged and raises before any file is
    replaced: readers never see a build's feeds with another build's digest or
    index.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in outputs.items():
            try:
                if path not in renewed and path.read_bytes() == data:
                    continue
            except FileNotFoundError:
                pass
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.{STAGED_MARK}", suffix=".tmp"
            )
            staged.append((temporary, path))
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.chmod(temporary, 0o644)
    except BaseException:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise
    for temporary, path in staged:
        os.replace(temporary, path)
    return tuple(path for _, path in staged)


def preview_of_a_week_over(out_dir: Path, week: Week, now: datetime) -> set[Path]:
    """The digest file of ``week``, when the week is over and the file was last written
    before it ended (a preview built during the week): written again by its build even
    when the whole week's build repeats it byte for byte (nothing changed since), as
    :func:`write_files` leaves an unchanged file alone, and a file written before its week
    ended stays a preview to :func:`digest.select.complete_weeks`, built again by every
    scheduled run and judged missing by ``thaidigest status``. Written as every file is,
    never touched in place: a folder a build may write holds it, whoever owns the file."""
    if week.is_over(now) and not written_once_over(out_dir, week):  # or not there yet,
        return {digest_path(out_dir, week)}  # which is written all the same
    return set()


def written_before(out_dir: Path, paths: Iterable[Path], stored: Iterable[Week]) -> Written:
    """What the builds recorded they left in ``out_dir`` (:data:`digest.ours.WRITTEN`). A
    folder without the record, or with a stale one (:func:`digest.ours.current_written`), that
    a build may write (:func:`digest.ours.foreign_files`: an earlier thaidigest's, or a new
    one) has what it holds at the build's ``paths`` recorded as thaidigest's (with what a
    stale record holds), and the digests of the ``stored`` weeks (only a build of their
    week writes them again): the marks that judged it say so, and the build publishes
    those weeks, so the builds after it do too (recorded in a folder of digests alone,
    moved there or left after its feeds were deleted, they were no digests to the next
    build: the archive shrank to the week built)."""
    written = current_written(out_dir)
    if written is not None:
        return written
    held = [*paths, *(digest_path(out_dir, week) for week in stored)]
    found = {
        recorded_name(out_dir, path): (found,) for path, found in current_fingerprints(held).items()
    }
    # A stale record (current_written) still holds what builds left at paths not written now.
    return merged(load_written(out_dir) or {}, found)


def merged(before: Written, after: Written) -> Written:
    """The record holding both ``before`` and ``after``, path by path, oldest first: each
    content of ``after`` after those of ``before``, as the newest."""
    return {
        name: (
            *(held for held in before.get(name, ()) if held not in after.get(name, ())),
            *after.get(name, ()),
        )
        for name in {*before, *after}
    }


def newest_kept(written: Written) -> Written:
    """The record ``written`` with the newest :data:`~digest.ours.CONTENTS_KEPT` contents of
    each file only: it grows no further with each build."""
    return {name: held[-CONTENTS_KEPT:] for name, held in written.items()}


def stored_digests(out_dir: Path) -> dict[Week, str]:
    """The Markdown of every weekly digest already in ``out_dir/digests``."""
    return {
        week: digest_path(out_dir, week).read_text(encoding="utf-8")
        for week in written_weeks(out_dir)
    }


def written_entries(path: Path) -> dict[str, Recorded]:
    """The entries of the Atom feed written at ``path`` before, by id; none when there is none."""
    try:
        return atom_entries(path.read_bytes())
    except FileNotFoundError:
        return {}


def written_article_feeds(out_dir: Path) -> dict[str, bytes]:
    """The Atom feeds of articles written in ``out_dir`` before, by stem (``feed``,
    ``topics/ai``, ``partners/country-jp``): the feed of every article and each topic's and
    partner's (the JSON and RSS feeds hold the same entries and dates)."""
    paths = [
        out_dir / f"{ARTICLES}.atom",
        *sorted((out_dir / TOPICS).glob("*.atom")),
        *sorted((out_dir / PARTNERS).glob("*.atom")),
    ]
    found: dict[str, bytes] = {}
    for path in paths:
        try:
            found[path.relative_to(out_dir).with_suffix("").as_posix()] = path.read_bytes()
        except FileNotFoundError:
            continue
    return found


class WrittenDates(NamedTuple):
    """The dates the Atom feeds written before hold (:func:`written_dates`)."""

    entries: dict[str, Dated]  # of their entries, by id
    emptied: dict[str, datetime]  # of each feed that held no entry, by stem
    held: dict[str, datetime]  # of each feed's newest entry (the feed's date), by stem


def written_dates(feeds: Mapping[str, bytes]) -> WrittenDates:
    """The dates the Atom ``feeds`` written before (:func:`written_article_feeds`) hold: of
    their entries, by id, of each feed that held no entry, and of each other feed's newest
    entry, by stem. Each feed keeps its newest ``digest.max_entries`` only, and a story
    without topics is in no topic's: a story cut from one feed may be in another, and keeps
    its id (:func:`digest.feeds.story_id`) whichever feed a reader has it from."""
    written = WrittenDates({}, {}, {})
    for stem, document in feeds.items():
        dates = atom_dates(document)
        written.entries.update(dates)
        if dates:
            written.held[stem] = max(dated.updated for dated in dates.values())
            continue
        updated = empty_feed_updated(document)
        if updated is not None:
            written.emptied[stem] = updated
    return written


def written_heads(feeds: Mapping[str, bytes]) -> dict[str, FeedHead]:
    """What each topic's and partner's Atom feed of ``feeds`` (:func:`written_article_feeds`)
    that this project wrote says of itself, by stem: the feeds a build that writes no topic
    or partner of theirs empties (:func:`_article_feeds`). This project wrote a feed whose
    generator is ours and whose self link names its own file (``topics/ai.atom``): a file
    another tool or the user put in these folders, or a copy of a feed of ours under another
    name, is none of these, and no build touches it."""
    found = {}
    for stem, document in feeds.items():
        head = feed_head(document) if stem.startswith((f"{TOPICS}/", f"{PARTNERS}/")) else None
        if (
            head is not None
            and head.generator == GENERATOR
            and names_file(head.self_url, f"{stem}.atom")
        ):
            found[stem] = head
    return found


def written_twins(out_dir: Path, stems: Iterable[str]) -> dict[str, bytes]:
    """The JSON feed written in ``out_dir`` beside the Atom feed of each of ``stems``, by stem;
    none for a stem without one."""
    found: dict[str, bytes] = {}
    for stem in stems:
        try:
            found[stem] = (out_dir / f"{stem}.json").read_bytes()
        except FileNotFoundError:
            continue
    return found


def is_own_twin(document: bytes, stem: str, head: FeedHead) -> bool:
    """Whether ``document`` is the JSON twin this project wrote of its Atom feed ``stem``
    (``head``): a JSON Feed of our version whose ``feed_url`` names its own file and whose
    title is the Atom feed's."""
    try:
        feed = json.loads(document)
    except ValueError:  # not JSON, or not UTF-8
        return False
    return (
        isinstance(feed, dict)
        and feed.get("version") == JSON_FEED_VERSION
        and feed.get("title") == head.title
        and names_file(feed.get("feed_url"), f"{stem}.json")
    )


def names_file(url: object, path: str) -> bool:
    """Whether ``url`` is an address of the file ``path`` of an output folder
    (``topics/ai.atom``), under whichever site address it was written with."""
    return isinstance(url, str) and urlsplit(url).path.endswith(f"/{path}")


def feed_span(span: int, week: Week) -> str:
    """What a feed of articles covers, ending its subtitle: ``of the 4 weeks to 2024-W34``,
    ``of the 1 week to 2024-W34``."""
    return f"of the {counted(span, 'week')} to {week}"


def digest_page(site: str, week: Week) -> str:
    """The address of ``week``'s digest page."""
    return urljoin(site, digest_page_name(week))


def listing_pages(
    selections: Iterable[WeekDigest], site: str, built: Collection[Week]
) -> dict[str, str]:
    """By item URL, the page a feed entry links to when its article has no web address:
    the digest page of the week that lists it (the last week given, as for the entries),
    or the archive while that week has no digest in the folder: never a page not written."""
    return {
        item.url: digest_page(site, selection.week) if selection.week in built else site
        for selection in selections
        for item in selection.items
    }


def _formats(
    stem: str,
    feed: Callable[..., FeedInfo],
    entries: list[Entry],
    site: str,
    suffixes: tuple[str, ...],
) -> tuple[dict[str, bytes], list[FeedLink]]:
    """One feed of ``entries`` (already cut to its length) in each format of ``suffixes``,
    and its links. ``feed(self_url=...)`` is the feed's :class:`FeedInfo`: each format's
    file is its own ``self_url``."""
    outputs: dict[str, bytes] = {}
    links = []
    for suffix, media_type, render in ARTICLE_FORMATS:
        if suffix in suffixes:
            path = f"{stem}.{suffix}"
            info = feed(self_url=urljoin(site, path))
            outputs[path] = render(info, entries)
            links.append(FeedLink(path, media_type, info.title, info.thai_title))
    return outputs, links


def _article_feeds(
    entries: list[Entry],
    title: str,
    site: str,
    span: int,
    week: Week,
    limit: int,
    now: datetime,
    empty_before: Mapping[str, datetime],
    held_before: Mapping[str, datetime],
    stored_partners: Iterable[str] = (),
    named: Iterable[str] = (),
    rules_topics: Iterable[str] = (),
    written_feeds: Mapping[str, FeedHead] | None = None,
    twins: Mapping[str, bytes] | None = None,
) -> tuple[dict[str, bytes], list[FeedLink]]:
    """The feeds of every relevant article (RSS, Atom, JSON), of each topic and each partner
    (Atom, JSON), each its newest ``limit`` entries of ``entries`` (newest first); the
    digests feed's link comes third, after the articles'. A feed is dated by its newest
    entry, and one with none when ``week`` ended. For a week not over, an empty feed keeps
    the date it was written with when already empty (``empty_before``, by stem: see
    :func:`written_dates`), so that a rebuild leaves it as it was, and is dated at ``now``
    when it was not: never in the future. An emptied feed is never dated before the date it
    had with entries: one emptied after ``week`` ended that was dated at or after its end
    (``held_before``, by stem: its newest entry, found or edited since) is dated at ``now``
    too, as the build that emptied it, and keeps that date while it stays empty, until a
    week that ends later is built.

    A partner of ``stored_partners`` (any listed item's) with no entry keeps its
    feed, empty, so that its subscribers see it up to date; the pages list the
    partners with entries only. No two partners share a feed file: the file names
    are given in the order of ``named`` (every stored partner, first seen first:
    :func:`feed_stems`), so a partner keeps its file whichever articles are relevant; nor
    two topics (:func:`topic_stems`: a topic of the rules keeps its file).

    A topic's or partner's feed this project wrote before (``written_feeds``, by stem:
    :func:`written_heads`) that none of these is written to (its topic taken out of the rules
    file, its partner's articles all given another partner since) is written empty too,
    never left holding entries it no longer has: with the id and title it holds and its
    subtitle's span brought up to date, unlisted; its JSON twin only when that is ours too
    (``twins``, by stem: :func:`is_own_twin`).
    """
    about = feed_span(span, week)
    ended = week.end()

    def empty_updated(stem: str) -> datetime:
        """The date of the feed ``stem`` when it holds no entry."""
        if ended > now:
            return min(empty_before.get(stem, now), now)
        if stem in held_before and held_before[stem] >= ended:  # emptied by this build
            return now
        return max(ended, min(empty_before.get(stem, ended), now))

    articles_feed = partial(
        FeedInfo,
        id=stable_id("thaidigest:feed:articles"),
        title=title,
        subtitle=f"Relevant articles {about}",
        site_url=site,
        updated=newest(entries, empty_updated(ARTICLES)),
    )
    outputs, links = _formats(
        ARTICLES, articles_feed, entries[:limit], site, ("rss", "atom", "json")
    )
    links.append(FeedLink(DIGESTS_FEED, ATOM_TYPE, "Weekly digests", "สรุปรายสัปดาห์"))

    def add_subset(
        key: str,
        stem: str,
        chosen: list[Entry],
        label: str,
        *,
        name: str,
        subtitle: str,
        thai: str = "",
        listed: bool = True,
    ) -> None:
        """One topic's or partner's feed; ``label`` titles its link on the pages."""
        chosen = chosen[:limit]
        feed = partial(
            FeedInfo,
            id=stable_id(f"thaidigest:feed:{key}"),
            title=f"{title}: {name}",
            subtitle=f"{subtitle} {about}",
            site_url=site,
            updated=newest(chosen, empty_updated(stem)),
            thai_title=thai,
        )
        files, subset_links = _formats(stem, feed, chosen, site, ("atom", "json"))
        outputs.update(files)
        if listed:
            links.extend(replace(link, title=label) for link in subset_links)

    topics = (set(TOPIC_LABELS) - {OTHER_TOPIC}) | {t for e in entries for t in e.categories}
    topic_ids = {stable_id(f"thaidigest:feed:topic:{topic}"): topic for topic in topics}
    # Whose feed each topic file written before holds: a topic of these, or another (its id).
    held = {
        stem.removeprefix(f"{TOPICS}/"): topic_ids.get(head.id, head.id)
        for stem, head in (written_feeds or {}).items()
        if stem.startswith(f"{TOPICS}/")
    }
    rules = [*sorted(set(TOPIC_LABELS) - {OTHER_TOPIC}, key=topic_key), *rules_topics]
    topic_files = topic_stems(rules, sorted(topics, key=topic_key), held)
    for topic in sorted(topic_files, key=topic_key):  # one order, whatever the process
        english, thai = TOPIC_LABELS.get(topic, (topic, ""))
        add_subset(
            f"topic:{topic}",
            f"{TOPICS}/{topic_files[topic]}",
            [entry for entry in entries if topic in entry.categories],
            f"Topic: {english}",
            name=english,
            subtitle=f"Relevant articles on {english}",
            thai=thai,
        )
    with_entries = {p for entry in entries for p in entry.partners}
    written = set(stored_partners) | with_entries
    by_name = sorted(written, key=partner_name)
    stems = feed_stems([*named, *by_name])
    for partner in by_name:
        name = partner_name(partner)
        add_subset(
            f"partner:{partner}",
            f"{PARTNERS}/{stems[partner]}",
            [entry for entry in entries if partner in entry.partners],
            f"Partner: {name}",
            name=f"with {name}",
            subtitle=f"Relevant articles with {name}",
            listed=partner in with_entries,
        )
    for stem, head in sorted((written_feeds or {}).items()):
        if f"{stem}.atom" in outputs:
            continue
        emptied = partial(
            FeedInfo,
            id=head.id,
            title=head.title,
            subtitle=f"{WRITTEN_SPAN.sub('', head.subtitle)} {about}",
            site_url=site,
            updated=empty_updated(stem),
        )
        twin = (twins or {}).get(stem)
        ours = ("atom", "json") if twin is not None and is_own_twin(twin, stem, head) else ("atom",)
        files, _ = _formats(stem, emptied, [], site, ours)
        outputs.update(files)
    return outputs, links


def _archive(
    markdowns: Mapping[Week, str],
    title: str,
    site: str,
    feed_weeks: Sequence[Week],
    feeds: list[FeedLink],
    latest: WeekDigest,
    latest_health: Sequence[SiteHealth],
    written: Mapping[str, Recorded],
    now: datetime,
    limit: int,
) -> dict[str, bytes]:
    """A page per digest, the feed of the digests of ``feed_weeks`` (the weeks the feeds of
    articles carry, oldest first), and the index, which opens with the ``latest`` digest
    (its sites' health: ``latest_health``). The two feeds so cover the same weeks: a digest
    whose stories have left the feeds of articles has left the digests feed too. The
    digests feed holds the newest ``limit`` (``digest.max_entries``) of them, as each feed
    of articles holds its newest entries: ``digest.weeks`` set high (up to 520) must not
    make it carry years of digests, each whole. Its subtitle names the weeks it holds
    digests of: those from the oldest it kept on, when the cap left some out.

    ``written``: the digests feed's entries as written before, which keep their
    ``updated`` while they read the same.
    """
    outputs: dict[str, bytes] = {}
    site_feeds = [feed for feed in feeds if "/" not in feed.href]
    for week, text in markdowns.items():
        page = render_digest_page(
            digest_title(title, week),
            markdown_to_page_html(text),
            f"../{INDEX_PAGE}",
            site_feeds,
            "../",
        )
        outputs[digest_page_name(week)] = page.encode()
    # An entry's content is the digest without the page's language marks, as it always
    # was: a content changed would date every entry again.
    built = sorted(set(markdowns) & set(feed_weeks), reverse=True)
    kept = built[:limit]
    entries = [
        digest_entry(
            week,
            title,
            markdown_to_html(markdowns[week]),
            digest_page(site, week),
            now,
            _published_before(written, week),
        )
        for week in kept
    ]
    # The weeks whose digests it holds: when the cap leaves older digests out, those from
    # the oldest kept on, not every week the feeds of articles carry.
    span = len(feed_weeks) - (feed_weeks.index(kept[-1]) if len(built) > limit else 0)
    about = feed_span(span, feed_weeks[-1])
    feed = FeedInfo(
        id=stable_id("thaidigest:feed:digests"),
        title=f"{title}: weekly digests",
        subtitle=f"The digests {about}",  # of those weeks, those built: a week may have none
        site_url=site,
        self_url=urljoin(site, DIGESTS_FEED),
        updated=now,  # the newest entry's, once they are dated
        language="en",
    )
    outputs[DIGESTS_FEED] = render_dated_atom(feed, entries, written, now)
    index = render_index(title, sorted(markdowns), feeds, latest, latest_health)
    outputs[INDEX_PAGE] = index.encode()
    outputs[OPML_FILE] = render_opml(title, site, feeds)
    return outputs


def mail_page(title: str, week: Week, markdown: str) -> str:
    """The week's digest ``markdown`` as the standalone HTML page an email carries, its
    Thai articles' text marked as on the week's page (:func:`markdown_to_page_html`)."""
    return render_digest_page(digest_title(title, week), markdown_to_page_html(markdown))


def _published_before(written: Mapping[str, Recorded], week: Week) -> datetime | None:
    """When the digests feed written before published ``week``'s entry, if it did: at the
    latest when it updated it (an older build published a week not over when it ends)."""
    recorded = written.get(digest_id(week))
    if recorded is None or recorded.published is None:
        return None
    return min(recorded.published, recorded.updated)


def mail_links(site_url: str, week: Week) -> list[tuple[str, str]]:
    """What a mail of ``week``'s digest links to, (label, address): the week's page, the
    feeds of every story and of the digests, and the archive page that lists every feed,
    all under ``site_url`` (``digest.site_url``); none while that names this machine
    (:func:`is_local_site`), where a reader's mail client finds nothing."""
    if is_local_site(site_url):
        return []
    site = site_url.rstrip("/") + "/"
    return [
        ("This digest on the web", digest_page(site, week)),
        ("Feed of every story", urljoin(site, f"{ARTICLES}.atom")),
        ("Feed of the digests", urljoin(site, DIGESTS_FEED)),
        ("All digests and feeds", site),
    ]


def is_local_site(site_url: str) -> bool:
    """Whether ``site_url`` names this machine (localhost, a loopback or unspecified address):
    links to it, in feeds read elsewhere, lead nowhere."""
    host = (urlsplit(site_url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def week_health(
    store: Store, week: Week, judged: Collection[str], config: Mapping[str, Any], now: datetime
) -> list[SiteHealth]:
    """The health of the sites of ``judged`` over ``week``, judged at its end, or at ``now``
    for a week not over yet (the digest's Source health)."""
    return load_health(
        store,
        [site for site in SOURCES if site in judged],
        min(week.end().astimezone(UTC), until_now(now)),
        float(config["status"]["max_quiet_days"]),
    )


def build_digest(
    store: Store,
    out_dir: Path,
    week: Week,
    config: Mapping[str, Any],
    now: datetime | None = None,
    judged: Collection[str] = SOURCES,
) -> DigestResult:
    """Select ``week`` from ``store`` and write its digest, the feeds and the archive.

    The digest's source health is judged at the week's end, or at ``now``
    (default: the clock) for a week not over yet, for the sites of ``judged`` (those the
    schedule's crawl jobs crawl, as ``thaidigest status`` judges); every other site is
    listed as not judged.
    """
    settings = config["digest"]
    title = settings["title"]
    site = settings["site_url"].rstrip("/") + "/"
    span = weeks_kept(config)
    now = now or utc_now()
    stored = stored_digests(out_dir)
    # The feeds and the index end at the newest digest: a past week rebuilt must not
    # take subscribers' newest items away. A stored week still to come is no digest.
    this_week = Week.of(now.astimezone(BANGKOK).date())
    feed_week = max([week, *(built for built in stored if built <= this_week)])
    first = feed_week.shift(1 - span)
    data = load_weeks(store, first, feed_week)
    # One partner written several ways goes by its first stored spelling, everywhere.
    spellings = load_spellings(store)
    selections = [
        respell_digest(select_week(data, first.shift(offset)), spellings) for offset in range(span)
    ]
    latest = selections[-1]
    digest = next((chosen for chosen in selections if chosen.week == week), None) or respell_digest(
        select_week(load_weeks(store, week, week), week), spellings
    )
    health = week_health(store, week, judged, config, now)
    unjudged = [site for site in SOURCES if site not in judged]
    markdown = render_markdown(digest, title, health, unjudged)
    # The index opens with the newest digest, another week's when a past week is rebuilt.
    latest_health = (
        health if latest.week == week else week_health(store, latest.week, judged, config, now)
    )
    markdowns = stored | {week: markdown}
    written = written_article_feeds(out_dir)
    dates = written_dates(written)
    heads = written_heads(written)
    entries = article_entries(
        (item for selection in selections for item in selection.items),
        listing_pages(selections, site, markdowns),
        dates.entries,
    )
    feeds, links = _article_feeds(
        entries,
        title,
        site,
        span,
        feed_week,
        int(settings["max_entries"]),
        now,
        dates.emptied,
        dates.held,
        listed_partners(load_partner_rows(store), spellings),
        named=dict.fromkeys(spellings.values()),
        rules_topics=rules_from_config(dict(config)).topics,
        written_feeds=heads,
        twins=written_twins(out_dir, heads),
    )
    outputs = {
        digest_name(week): markdown.encode(),
        **feeds,
        **_archive(
            markdowns,
            title,
            site,
            [selection.week for selection in selections],
            links,
            latest,
            latest_health,
            written_entries(out_dir / DIGESTS_FEED),
            now,
            int(settings["max_entries"]),
        ),
    }
    by_path = {out_dir / name: outputs[name] for name in sorted(outputs)}
    if foreign := foreign_files(out_dir, by_path, by_path):  # a user's own index.html
        raise ForeignFileError(out_dir, foreign, week)
    before = written_before(out_dir, by_path, stored)
    now_written = {
        recorded_name(out_dir, path): (fingerprint(data),) for path, data in by_path.items()
    }
    # Recorded before any file is replaced (moved into place first), either content: a build
    # cut short among them leaves each file holding one the record holds.
    record = out_dir / WRITTEN
    staged = {record: render_written(merged(before, now_written)), **by_path}
    written = write_files(staged, preview_of_a_week_over(out_dir, week, now))
    write_files({record: render_written(newest_kept(merged(before, now_written)))})
    changed = tuple(path for path in written if path != record)
    page = mail_page(title, week, markdown)
    return DigestResult(week, len(digest.items), markdown, page, tuple(by_path), changed)
