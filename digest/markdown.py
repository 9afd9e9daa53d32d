"""The weekly digest as Markdown, and Markdown as HTML: pure functions.

Everything an article brings (titles, text, URLs) is escaped, so no article
can open a link, a heading, a list, an HTML tag or an entity of its own, nor
have a URL in its text made a link by a GFM viewer. The
output depends only on the selection: no "generated at", everything sorted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from html import escape as html_escape
from itertools import zip_longest
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from digest.clean import (
    ELLIPSIS,
    THAI_RUN,
    ShownChange,
    article_links,
    clean_headline,
    clean_line,
    clean_link,
    cut_words,
    published_forms,
    shown_changes,
    shown_context,
    shown_moved,
)
from digest.diff import Diff, english_sentences
from digest.select import TOPIC_LABELS, Item, Week, WeekDigest, bangkok_day
from thaidigest.health import SiteHealth, health_lines, not_crawled, not_judged
from thaidigest.model import THAI
from thaidigest.partners import partner_name
from thaidigest.plural import counted, listed
from thaidigest.sites import HOSTS, SOURCES
from thaidigest.store import FAILED
from thaidigest.urls import web_host

LEDE_SENTENCES = 3
LEDE_MAX_CHARS = 300
# Where digests written before english_sentences cut an English lede: after every mark
# before a space ("… Society. Dr."). explain finds an unlinked item of such a digest by
# that lede too (unlinked_openings).
EARLIER_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
SOURCE_LABELS = {slug: host for host, slug in HOSTS.items()}  # slug -> what a reader sees
# Where a reader is told an article without a web address is from (a text file imported
# without a source line), in its meta line and the summary's count (``from imported text
# (1)``): its stored source, ``file``, names no site a reader knows.
IMPORTED = "imported text"
LANGUAGE_LABELS = {THAI: "Thai", "en": "English"}
LANGUAGES_BY_LABEL = {label: language for language, label in LANGUAGE_LABELS.items()}
# An item's meta line: its parts (source, date, language, then marks and partners) and
# where the language is among them, as render_item writes it.
META_SEPARATOR = " · "
# Between a topic's English and Thai names (topic_heading).
NAMES_SEPARATOR = " · "
META_LANGUAGE_PART = 2
# What a week without an item opens with when its sites were crawled, or never were.
NO_ITEMS = "No relevant items this week."
HEALTH_HEADING = "Source health"  # the digest's last section, for those who run the crawls
# How an empty week's opening points to it (empty_week_line): a reader's copy, without it,
# ends the sentence there (without_health).
SEE_HEALTH = f": see {HEALTH_HEADING}."
# How a crawl ended that left its site unread, which a reader's copy says (coverage_line).
UNREAD_OUTCOMES = (FAILED, "blocked")  # as health.OUTCOMES names them
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Characters with a meaning anywhere in a Markdown line.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&#!|~{}])")
# The lines that open an item's lists of changes (render_item, copy_heading); digests
# written before changes were listed said them on one line after CHANGES_HEADING.
CHANGES_HEADING = "What changed:"
COPY_CHANGES_START = "What changed in the copy on "
IMPORTED_COPY_CHANGES = "What changed in the imported copy:"  # a copy without a web address
ALSO_ON = "Also on: "
# What opens a line of change_lines: the removed and added text of those of QUOTING_LABELS
# is the article's own; a line with a change and no label is a number in its words.
HEADLINE_LABEL = "Headline: "
DATE_LABEL = "Date: "
REMOVED_LABEL = "Removed: "
ADDED_LABEL = "Added: "
# What opens the line before a removed or added passage that says where it lies: the
# last words of the unchanged text it follows (digest.clean.shown_context), as text.
FOLLOWED_LABEL = "Unchanged text before it: "
# What opens the line of a passage that only moved (its first words, as text): it is
# neither removed nor added.
MOVED_LABEL = "Moved unchanged: "
# What opens the line of a passage that moved and was edited a little: its old text and
# its new, as a removed and an added passage are shown, ``<del>old</del> → <ins>new</ins>``.
MOVED_EDITED_LABEL = "Moved and changed: "
QUOTING_LABELS = (HEADLINE_LABEL, REMOVED_LABEL, ADDED_LABEL, MOVED_EDITED_LABEL)
# What changed in an article whose revisions in the week undid each other.
CHANGED_BACK = "Edited and changed back during the week: it reads as it did before."
# Characters that open a block at the start of a line: lists, quotes, headings, rules.
BLOCK_START = re.compile(r"^([-+=])")
ORDERED_LIST_START = re.compile(r"^(\d+)([.)])")
# What GFM's autolink extension (GitHub, and renderers built like it) links in plain
# text: a www. name and a scheme's "://" (https://, ftp://). It reads them before
# escapes are undone, so a URL in an article would become a link, holding any backslash
# the text's escaping put in it (?a=1\&b=2). A backslash before the dot or the colon
# keeps it text, which every CommonMark renderer shows as written. An email address
# stays what GFM makes of it (cmark-gfm finds one after escapes are undone): a mailto:
# link to the address shown.
AUTOLINK_START = re.compile(r"(?i)(?<=www)\.|:(?=//)")
# Characters that cannot stand in an angle-bracket link destination or an autolink.
URL_UNSAFE = re.compile(r"[\x00-\x20<>\\\x7f-\x9f]")
# An ampersand that starts a character reference (&amp; &#65; &#x41;), which Markdown
# decodes in a link's destination.
ENTITY_START = re.compile(r"&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")

# What changed, at most this many lines of numbers and sentences, each sentence cut
# to digest.clean.MAX_CHANGE_CHARS characters; a count says what was left out.
MAX_CHANGE_LINES = 8
# The only raw HTML a digest holds: removed and added text, written by render_changes.
ALLOWED_HTML = frozenset({"<del>", "</del>", "<ins>", "</ins>"})
QUOTE_OPENINGS = frozenset({"<del>", "<ins>"})

# Raw HTML blocks are off; inline HTML is parsed so that the ALLOWED_HTML tags
# pass, and every other tag becomes text (article text never holds one: escape()).
_renderer = MarkdownIt("commonmark", {"html": True}).disable("html_block")


def escape(text: str) -> str:
    """``text`` as literal Markdown inline text on one line, cleaned (see digest.clean),
    a bare URL in it too (:data:`AUTOLINK_START`)."""
    text = MARKDOWN_SPECIAL.sub(r"\\\1", clean_line(text))
    text = AUTOLINK_START.sub(r"\\\g<0>", text)
    text = BLOCK_START.sub(r"\\\1", text)
    return ORDERED_LIST_START.sub(r"\1\\\2", text)


def markdown_url(url: str) -> str:
    """``url`` made safe for ``<…>``: spaces, angle brackets, backslashes percent-encoded."""
    return URL_UNSAFE.sub(lambda match: quote(match.group(), safe=""), url)


def link(text: str, url: str | None) -> str:
    """A Markdown link whose text and destination are taken literally.

    Only what :func:`digest.clean.clean_link` publishes is linked (web
    addresses); with anything else (``file:``, ``javascript:``, none) the
    text stands alone.
    """
    published = clean_link(url)
    if published is None:
        return escape(text)
    return f"[{escape(text)}](<{link_destination(published)}>)"


def link_destination(url: str) -> str:
    """A published ``url`` as a link's ``<…>`` destination: :func:`markdown_url`, and an
    ``&`` that would start an entity reference escaped, for a destination reads them
    (``&amp;`` is ``&``) where an autolink does not; a query's ``&`` stays as it is."""
    return ENTITY_START.sub(r"\\&", markdown_url(url))


def autolink(url: str) -> str:
    """A web address as a link to itself; nothing for what is not one."""
    published = clean_link(url)
    return f"<{markdown_url(published)}>" if published else ""


def lists_story(markdown: str, urls: Iterable[str], unlinked: Iterable[tuple[str, str]]) -> bool:
    """Whether a Markdown digest lists the story whose articles are at ``urls`` (its
    representative and copies), or whose member without a web address opened an item
    with one of the ``unlinked`` (heading, lede) pairs (:func:`unlinked_openings`).

    An item links each of its published addresses once, in its heading or its "Also on"
    line, and no other item links them. A text file imported without a source line is
    linked nowhere: an item it represented with no copy on the web is its heading, its
    headline unlinked, with the lede under the meta line, of the version it showed. Such
    an item is matched by both, not by the meta line, whose marks and partners a later
    build may change; an empty lede, by a line there that no lede is
    (:func:`opens_no_lede`). Two such stories of one week with the same headline and the
    same lede (its first three sentences, at most 300 characters), or both without one,
    are not told apart.

    A link is found as it is published now and as digests written before published it,
    on the host it is stored under, its stray ``%`` escaped or not yet
    (:func:`digest.clean.published_forms`)."""
    lines = markdown.splitlines()
    for heading, opening in unlinked:
        for index, line in enumerate(lines):
            # render_item: heading, blank, meta, blank, then the lede or what follows it
            under = lines[index + 4] if index + 4 < len(lines) else None
            if line == heading and (under == opening if opening else opens_no_lede(under)):
                return True
    published = [form for url in urls for form in published_forms(url)]
    forms = [
        form
        for url in published
        for form in (f"<{markdown_url(url)}>", f"<{link_destination(url)}>")
    ]
    return any(form in markdown for form in forms)


def opens_no_lede(line: str | None) -> bool:
    """Whether ``line``, the Markdown under an item's meta line (None past the end), is
    what :func:`render_markdown` writes there for an item without a lede: the end, a
    heading, the addresses of its copies, linked, or what changed, as a list or, in digests
    written before, on one line. A lede's own ``#`` and ``<`` are escaped; one that opens
    with "What changed:" is taken for what changed."""
    return line is None or line.startswith(
        ("#", f"{ALSO_ON}<", CHANGES_HEADING, COPY_CHANGES_START, IMPORTED_COPY_CHANGES)
    )


def item_heading(title: str, url: str | None) -> str:
    """An item's heading: its headline, linked to ``url`` when that is published."""
    return f"### {link(clean_headline(title), url)}"


def item_lede(
    body: str, language: str, english: Callable[[str], list[str]] = english_sentences
) -> str:
    """An item's lede line as the digest writes it (:func:`lede`); empty when the text
    gives none."""
    return escape(lede(body, language, english=english))


def unlinked_openings(title: str, body: str) -> set[tuple[str, str]]:
    """The heading and lede lines the item of an article with no web address and no copy
    on the web opens with (:func:`render_item`), for :func:`lists_story`: one pair for each
    language its lede may have been cut for, as a version keeps none, and one for its
    English lede as digests written before cut it (:data:`EARLIER_SENTENCE_END`)."""
    heading = item_heading(title, None)
    earlier = item_lede(body, "en", english=EARLIER_SENTENCE_END.split)
    return {(heading, item_lede(body, language)) for language in LANGUAGE_LABELS} | {
        (heading, earlier)
    }


def lede(
    body: str,
    language: str,
    limit: int = LEDE_MAX_CHARS,
    english: Callable[[str], list[str]] = english_sentences,
) -> str:
    """The opening of an article: up to three sentences and ``limit`` characters.

    English is cut at sentence ends (``english``, :func:`digest.diff.english_sentences`:
    not at a title, an abbreviation or initials, nor within a slogan quoted); Thai, which
    marks no sentence end, at the spaces between phrases, and a paragraph end counts as a
    sentence end. A lede that stops inside a sentence ends with an ellipsis.
    """
    kept: list[str] = []
    length = sentences = 0
    complete = True
    for paragraph in (clean_line(line) for line in body.split("\n")):
        cut = paragraph.split(" ") if language == THAI else english(paragraph)
        units = [unit for unit in cut if unit]
        for index, unit in enumerate(units):
            extra = len(unit) + (1 if kept else 0)
            if length + extra > limit:
                if not kept:
                    return cut_words(unit, limit - len(ELLIPSIS)) + ELLIPSIS
                return " ".join(kept) + ("" if complete else ELLIPSIS)
            kept.append(unit)
            length += extra
            complete = language != THAI or index == len(units) - 1
            if complete:
                sentences += 1
            if sentences == LEDE_SENTENCES:
                return " ".join(kept)
    return " ".join(kept)


def week_range(week: Week) -> str:
    """``19–25 August 2024``, ``26 August – 1 September 2024``, across years in full."""
    first, last = week.monday, week.sunday
    end = f"{last.day} {MONTHS[last.month - 1]} {last.year}"
    if first.year != last.year:
        return f"{first.day} {MONTHS[first.month - 1]} {first.year} – {end}"
    if first.month != last.month:
        return f"{first.day} {MONTHS[first.month - 1]} – {end}"
    return f"{first.day}–{end}"


def topic_name(topic: str) -> str:
    """The English name of a topic; a topic without a label goes by its slug."""
    return TOPIC_LABELS.get(topic, (topic, ""))[0]


def topic_heading(topic: str) -> str:
    """The bilingual heading of a topic: ``ASEAN · อาเซียน``."""
    english, thai = TOPIC_LABELS.get(topic, (topic, ""))
    return f"{english}{NAMES_SEPARATOR}{thai}" if thai else english


def bilingual_html(english: str, thai: str) -> str:
    """A name in English and Thai as the pages in English show it, its Thai marked:
    ``ASEAN · <span lang="th">อาเซียน</span>``; the English alone without a Thai name, its
    Thai script marked all the same (:func:`thai_marked_html`: a topic of a rules file
    named in Thai has that name alone)."""
    if not thai:
        return thai_marked_html(english)
    marked = f'<span lang="{THAI}">{html_escape(thai)}</span>'
    return f"{thai_marked_html(english)}{NAMES_SEPARATOR}{marked}"


def thai_marked_html(text: str) -> str:
    """``text`` escaped for a page in English, each run of Thai words in it marked
    ``lang="th"`` (``Topic: <span lang="th">ความร่วมมือ</span> AI``), so that screen
    readers read it as Thai: a name of a topic or a partner, from a user's files or
    the news, in an English line."""
    marked, end = [], 0
    for run in THAI_RUN.finditer(text):
        marked += [html_escape(text[end : run.start()]), f'<span lang="{THAI}">']
        marked += [html_escape(run.group()), "</span>"]
        end = run.end()
    return "".join([*marked, html_escape(text[end:])])


def site_label(source: str, url: str = "") -> str | None:
    """The site an article is from, as a reader knows it: a crawled site's host
    (``thaigov.go.th``); for any other article, imported, the host of its web address
    (``mfa.go.th``); None for one without a web address (a text file imported without a
    source line).

    Only the label: the stored source of an imported article stays ``file`` (the sites'
    slugs name crawl runs, health and per-site queries; an import derives it again)."""
    if source in SOURCE_LABELS:
        return SOURCE_LABELS[source]
    return web_host(url)


def source_label(source: str, url: str = "") -> str:
    """Where an article is from, as a reader sees it: its site (:func:`site_label`), or
    :data:`IMPORTED` for one without a web address, never the stored source ``file``."""
    return site_label(source, url) or IMPORTED


def item_source_label(item: Item) -> str:
    """Where an item is from, as its link shows it: the site of the web address its
    headline links to. An article with no web address of its own (a text file imported
    without a source line) links to its first copy on the web
    (:func:`digest.clean.article_links`), and so is labelled by that copy's site, not
    :data:`IMPORTED`; which copy represents the story does not change."""
    own, _ = article_links(item.url, item.also_on)
    if own is not None and own != clean_link(item.url):
        return web_host(own) or source_label(item.source, item.url)
    return source_label(item.source, item.url)


def _counted(counter: Counter[str], label: Callable[[str], str]) -> list[str]:
    """``label (count)`` for each key, most first, then by label as ``thaidigest partners``
    and the archive page list partners (not by id, which would put every company before
    every country)."""
    ordered = sorted(counter.items(), key=lambda pair: (-pair[1], label(pair[0]).lower(), pair[0]))
    return [f"{label(name)} ({count})" for name, count in ordered]


def empty_week_line(health: Sequence[SiteHealth]) -> str:
    """What a week without an item opens with: :data:`NO_ITEMS`, or, when a site of
    ``health`` was not crawled in it (:func:`thaidigest.health.not_crawled`), that none was
    found and why, as Source health tells it at the end: ``No relevant items found this
    week, but thaigov.go.th and mdes.go.th could not be crawled (blocked: robots.txt
    unreachable: connection refused): see Source health.``"""
    missed = {
        source_label(site.source): why for site in health if (why := not_crawled(site)) is not None
    }
    if not missed:
        return NO_ITEMS
    sites = _grouped(missed, "could not be crawled")
    return f"No relevant items found this week, but {sites}{SEE_HEALTH}"


def _grouped(why_by_host: Mapping[str, str], could_not: str) -> str:
    """The sites of ``why_by_host`` and what they ``could_not`` do, their one reason said
    once (``a and b could not be crawled (blocked)``), or each site's beside it
    (``a (blocked) and b (failed) could not be crawled``)."""
    reasons = set(why_by_host.values())
    if len(reasons) == 1:
        return f"{listed(list(why_by_host))} {could_not} ({reasons.pop()})"
    return f"{listed([f'{host} ({why})' for host, why in why_by_host.items()])} {could_not}"


def coverage_line(health: Sequence[SiteHealth]) -> str | None:
    """What a reader's copy (:func:`without_health`) of a week that lists items says under
    the summary when a site of ``health`` could not be read in the week at all
    (:func:`thaidigest.health.not_crawled`, the test an empty week's opening makes,
    :func:`empty_week_line`), so that the week does not read complete; None when each was
    read: ``thaigov.go.th could not be read this week (blocked), so its news may be
    missing.`` Only how its crawls ended is said (:data:`UNREAD_OUTCOMES`, or ``not
    crawled``), in the words of Source health, never why, which is for those who run them.
    A site read for part of the week (one failed crawl among those that succeeded, a run
    blocked by one link robots.txt forbids) is not said, nor a quiet one: a reader can do
    nothing with it, and Source health tells those who can."""
    unread = {
        source_label(site.source): ", ".join(
            outcome for outcome in site.crawls if outcome in UNREAD_OUTCOMES
        )
        or "not crawled"
        for site in health
        if not_crawled(site) is not None
    }
    if not unread:
        return None
    sites = _grouped(unread, "could not be read this week")
    whose = "its" if len(unread) == 1 else "their"
    return f"{sites}, so {whose} news may be missing."


def summary_line(digest: WeekDigest, health: Sequence[SiteHealth] = ()) -> str:
    """``5 items (1 updated, 1 found late) from thaigov.go.th (3) and mdes.go.th (2); …``;
    for a week without an item, :func:`empty_week_line` of the sites' ``health``."""
    items = digest.items
    if not items:
        return empty_week_line(health)
    marked = [
        f"{count} {mark}"
        for count, mark in (
            (sum(item.updated for item in items), "updated"),
            (sum(item.late for item in items), "found late"),
        )
        if count
    ]
    count = counted(len(items), "item")
    if marked:
        count += f" ({', '.join(marked)})"
    sources = _counted(Counter(item_source_label(item) for item in items), str)
    topics = [f"{topic_name(section.topic)} ({len(section.items)})" for section in digest.sections]
    return f"{count} from {listed(sources)}; topics: {', '.join(topics)}."


def partners_line(digest: WeekDigest) -> str | None:
    """``Partners this week: ASEAN (3), Japan (2), Google (1).``; None when no item names one."""
    counts = Counter(partner for item in digest.items for partner in item.partners)
    if not counts:
        return None
    return f"Partners this week: {', '.join(_counted(counts, partner_name))}."


def status_marks(item: Item) -> list[str]:
    """What the meta line says of an item listed for more than being new: ``updated``, or
    ``found late on 2024-08-20`` (in Bangkok, the day it or its first relevant copy was
    first seen)."""
    if item.updated:
        return ["updated"]
    if item.late:
        return [f"found late on {bangkok_day(item.listed_since)}"]
    return []


def item_date(item: Item) -> str:
    """The date an item's meta line shows: its published date, or for an article that gave
    none ``date unknown, found 2024-08-20`` (its first-seen date in Bangkok, which placed it)."""
    return item.day.isoformat() if item.dated else f"date unknown, found {item.day.isoformat()}"


def partners_phrase(item: Item) -> str | None:
    """``with Google, ASEAN``: the partners an item's meta line names; None for none."""
    if not item.partners:
        return None
    return "with " + ", ".join(partner_name(partner) for partner in item.partners)


def render_item(item: Item) -> str:
    """One item: linked headline, where and when, partners, lede, other copies, what changed
    (in the article, then in each copy folded into it)."""
    meta = [  # the language at META_LANGUAGE_PART, which the pages mark its text by
        item_source_label(item),
        item_date(item),
        LANGUAGE_LABELS.get(item.language, item.language),
        *status_marks(item),
    ]
    partners = partners_phrase(item)
    if partners:
        meta.append(partners)
    own, also_on = article_links(item.url, item.also_on)
    blocks = [item_heading(item.title, own), escape(META_SEPARATOR.join(meta))]
    opening = item_lede(item.body, item.language)
    if opening:
        blocks.append(opening)
    if also_on:
        blocks.append(ALSO_ON + ", ".join(map(autolink, also_on)))
    revised = any(revision.url == item.url for revision in item.revisions)
    if item.updated and (item.changes or revised):
        blocks.append(f"{CHANGES_HEADING}\n\n" + week_changes(item.changes))
    for change in item.copy_changes:
        blocks.append(f"{copy_heading(change.url, change.source)}\n\n" + week_changes(change.diff))
    return "\n\n".join(blocks)


def week_changes(diff: Diff) -> str:
    """What changed during a week in an article with a revision in it, as a Markdown list:
    ``diff``'s, or, when its revisions undid each other (``diff`` empty), that they did."""
    return render_changes(diff) if diff else f"- {CHANGED_BACK}"


def copy_heading(url: str, source: str) -> str:
    """``What changed in the copy on mdes.go.th (<https://…>):``, the link when it is one;
    :data:`IMPORTED_COPY_CHANGES` for a copy without a web address."""
    site = site_label(source, url)
    if site is None:
        return IMPORTED_COPY_CHANGES
    where = autolink(url)
    return f"{COPY_CHANGES_START}{escape(site)}" + (f" ({where}):" if where else ":")


def _marked(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>"


def change_lines(diff: Diff, *, with_context: bool = True) -> list[str]:
    """What changed, as Markdown lines: headline and date in full, a count of the paragraphs
    removed and added when the change was too long to align, then numbers, removed and added
    sentences (or paragraphs), then the passages that moved and were edited, before and
    after (:data:`MOVED_EDITED_LABEL`), then the first words of the passages that only
    moved (:data:`MOVED_LABEL`), up to :data:`MAX_CHANGE_LINES`, then a count of the rest.

    ``with_context``, a removed, added or moved passage that follows unchanged text
    (``Diff.removed_after``, ``Diff.added_after``, ``Diff.moved_edited_after``,
    ``Diff.moved_after``) has a line of that
    text's last words before it (:data:`FOLLOWED_LABEL`), unless the line before it already
    says the same (an edited sentence's removed and added text follow the same one) or they
    show nothing (:func:`~digest.clean.shown_context` is empty); it counts as no change."""
    lines = []
    if diff.headline:
        old, new = (clean_headline(title) for title in diff.headline)
        lines.append(f"{HEADLINE_LABEL}{_marked('del', old)} → {_marked('ins', new)}")
    if diff.published:
        old, new = (day or "none" for day in diff.published)
        lines.append(f"{DATE_LABEL}{_marked('del', old)} → {_marked('ins', new)}")
    if diff.whole_paragraphs and (diff.removed or diff.added):
        lines.append(
            "Too long to align sentence by sentence: "
            f"{counted(len(diff.removed), 'paragraph')} removed, "
            f"{len(diff.added)} added"
        )
    removed, added = shown_changes(diff.removed, diff.added)
    # Each change's line, and the unchanged text it follows ("" for none).
    details = [
        *(
            (
                (f"{escape(n.before)} " if n.before else "")
                + f"{_marked('del', n.old)} → {_marked('ins', n.new)}"
                + (f" {escape(n.unit)}" if n.unit else ""),
                "",
            )
            for n in diff.numbers
        ),
        *(
            (f"{REMOVED_LABEL}{_marked('del', shown.line)}", followed)
            for shown, followed in zip_longest(removed, diff.removed_after, fillvalue="")
        ),
        *(
            (f"{ADDED_LABEL}{_marked('ins', shown.line)}", followed)
            for shown, followed in zip_longest(added, diff.added_after, fillvalue="")
        ),
        *(
            (
                f"{MOVED_EDITED_LABEL}{_marked('del', old.line)} → {_marked('ins', new.line)}",
                followed,
            )
            for (old, new), followed in zip_longest(
                (_shown_pair(old, new) for old, new in diff.moved_edited),
                diff.moved_edited_after,
                fillvalue="",
            )
        ),
        *(
            (f"{MOVED_LABEL}{escape(shown_moved(text))}", followed)
            for text, followed in zip_longest(diff.moved, diff.moved_after, fillvalue="")
        ),
    ]
    said = ""
    for line, followed in details[:MAX_CHANGE_LINES]:
        shown = shown_context(followed) if followed and with_context else ""
        context = f"{FOLLOWED_LABEL}{escape(shown)}" if shown else ""
        if context and context != said:
            lines.append(context)
        said = context
        lines.append(line)
    left_out = len(details) - MAX_CHANGE_LINES
    if left_out > 0:
        lines.append(f"… and {counted(left_out, 'more change', 'more changes')} not shown")
    return lines


def _shown_pair(old: str, new: str) -> tuple[ShownChange, ShownChange]:
    """What is shown of a passage that moved and was edited, before and after: as of a
    removed passage and the added one it is paired with (:func:`~digest.clean.shown_changes`),
    from shortly before their first difference when a cut would hide it."""
    (old_shown,), (new_shown,) = shown_changes([old], [new])
    return old_shown, new_shown


def render_changes(diff: Diff, *, with_context: bool = True) -> str:
    """What changed as a Markdown list, removed text in ``<del>``, added text in ``<ins>``;
    ``with_context``, each passage after the unchanged text it follows (:func:`change_lines`)."""
    return "\n".join(f"- {line}" for line in change_lines(diff, with_context=with_context))


def digest_title(title: str, week: Week) -> str:
    return f"{title}: week {week}"


def render_health(health: Sequence[SiteHealth], unjudged: Sequence[str] = ()) -> str:
    """The ``## Source health`` section: a line per site, in crawl order as ``status`` lists
    them, those of ``unjudged`` (which no crawl job of the schedule crawls) saying so; then
    the warnings."""
    said = {
        **{site.source: "; ".join(health_lines(site)) for site in health},
        **{source: not_judged("the schedule") for source in unjudged},
    }
    lines = [
        f"- {escape(source_label(source))}: {escape(said[source])}"
        for source in sorted(said, key=SOURCES.index)
    ]
    warnings = [f"**Warning:** {escape(site.warning)}" for site in health if site.warning]
    return "\n\n".join([f"## {HEALTH_HEADING}", "\n".join(lines), *warnings])


def render_markdown(
    digest: WeekDigest,
    title: str,
    health: Sequence[SiteHealth] = (),
    unjudged: Sequence[str] = (),
) -> str:
    """The whole weekly digest as Markdown, with the sites' health at the end: of the sites
    judged, and the sites of ``unjudged`` said not to be (:func:`render_health`). A week
    without an item whose judged sites were not crawled says so at the top too
    (:func:`empty_week_line`)."""
    blocks = [
        f"# {escape(digest_title(title, digest.week))}",
        escape(f"{week_range(digest.week)} (Monday to Sunday, Bangkok time)"),
        escape(summary_line(digest, health)),
    ]
    partners = partners_line(digest)
    if partners:
        blocks.append(escape(partners))
    for section in digest.sections:
        blocks.append(f"## {escape(topic_heading(section.topic))}")
        blocks.extend(render_item(item) for item in section.items)
    if health or unjudged:
        blocks.append(render_health(health, unjudged))
    return "\n\n".join(blocks) + "\n"


def _parsed(text: str) -> list[Token]:
    """The tokens of CommonMark text, raw HTML other than ``<del>``/``<ins>`` made text."""
    tokens = _renderer.parse(text)
    for token in tokens:
        for child in token.children or ():
            if child.type == "html_inline" and child.content not in ALLOWED_HTML:
                child.type = "text"
    return tokens


def _rendered(tokens: Sequence[Token]) -> str:
    return _renderer.renderer.render(tokens, _renderer.options, {})


def markdown_to_html(text: str) -> str:
    """HTML of CommonMark text; raw HTML other than ``<del>``/``<ins>`` is shown as text."""
    return _rendered(_parsed(text))


def markdown_to_page_html(text: str) -> str:
    """HTML of a digest's CommonMark ``text`` for the pages a person reads in English (the
    week's page, its mail), as :func:`markdown_to_html` but with the text each item quotes
    from a Thai article marked ``lang="th"``, so that screen readers read it as Thai and
    fonts are chosen for Thai: its headline, its lede and, in what changed, the removed and
    added text (a line of a changed number, the article's words around it, whole). An item's
    language is its article's stored one, as its meta line names it (``Thai``); the meta
    line, the labels (``Removed:``) and the rest of the page stay English. A copy folded
    into an item is near the same text, so its changes are taken in the item's language.
    A topic's heading has its Thai name marked (:func:`bilingual_html`), and so has one of
    a topic named in Thai without a label (:func:`thai_marked_html`).

    The feeds keep :func:`markdown_to_html`: an entry whose content changed is dated again.
    """
    tokens = _parsed(text)
    blocks = _blocks(tokens)
    headings = {  # of the topics with a Thai name, as render_markdown writes them
        escape(topic_heading(topic)): names for topic, names in TOPIC_LABELS.items() if names[1]
    }
    for block in blocks:
        if block[0].tag == "h2":
            _mark_heading(block[1], headings.get(block[1].content))
    for heading, meta, *rest in _items(blocks):
        if _meta_language(meta) != THAI:
            continue
        heading[0].attrSet("lang", THAI)
        if rest and _is_lede(rest[0]):
            rest[0][0].attrSet("lang", THAI)
        for block in rest:
            if block[0].type == "bullet_list_open":  # an item's only lists: what changed
                _mark_changes(block)
    return _rendered(tokens)


def _mark_heading(inline: Token, names: tuple[str, str] | None) -> None:
    """A section's heading with its Thai marked: a packaged topic's Thai name (``names``:
    :func:`bilingual_html`), or the Thai script of a topic named without a label (a rules
    file's ``ดาวเทียม``: :func:`thai_marked_html`)."""
    children = inline.children or []
    if names:
        marked = bilingual_html(*names)
    elif THAI_RUN.search(inline.content) and all(child.type == "text" for child in children):
        marked = thai_marked_html("".join(child.content for child in children))
    else:
        return
    inline.children = [Token("html_inline", "", 0, content=marked)]


def _blocks(tokens: Sequence[Token]) -> list[list[Token]]:
    """The tokens of each top-level block (a heading, a paragraph, a list), in order."""
    blocks: list[list[Token]] = []
    for token in tokens:
        if token.level == 0 and token.nesting != -1:
            blocks.append([])
        blocks[-1].append(token)
    return blocks


def _items(blocks: Sequence[list[Token]]) -> Iterator[list[list[Token]]]:
    """The blocks of each item :func:`render_item` wrote, from its ``###`` heading to the
    next heading, those with a block under the heading."""
    item: list[list[Token]] = []
    for block in blocks:
        if block[0].type == "heading_open":
            if len(item) > 1:
                yield item
            item = [block] if block[0].tag == "h3" else []
        elif item:
            item.append(block)
    if len(item) > 1:
        yield item


def _meta_language(block: Sequence[Token]) -> str | None:
    """The language an item's meta line names (:data:`META_LANGUAGE_PART`), as stored
    (``th``); None for a block that is no such line."""
    if block[0].type != "paragraph_open":
        return None
    text = "".join(child.content for child in block[1].children or () if child.type == "text")
    parts = text.split(META_SEPARATOR)
    if len(parts) <= META_LANGUAGE_PART:
        return None
    return LANGUAGES_BY_LABEL.get(parts[META_LANGUAGE_PART], parts[META_LANGUAGE_PART])


def _is_lede(block: Sequence[Token]) -> bool:
    """Whether the block under an item's meta line is its lede (:func:`opens_no_lede`)."""
    return block[0].type == "paragraph_open" and not opens_no_lede(block[1].content)


def _mark_changes(block: Sequence[Token]) -> None:
    """A Thai item's list of changes marked ``lang="th"``: the removed and added text of a
    line that quotes it (:data:`QUOTING_LABELS`), the unchanged text a change follows
    (:data:`FOLLOWED_LABEL`) and a passage that moved (:data:`MOVED_LABEL`), after their
    labels; a line of a changed number whole; the
    labels, the date's line and the counts stay English."""
    item_open = block[0]
    for token in block:
        if token.type == "list_item_open":
            item_open = token
        if token.type != "inline":
            continue
        quotes = [
            child
            for child in token.children or ()
            if child.type == "html_inline" and child.content in QUOTE_OPENINGS
        ]
        if token.content.startswith(QUOTING_LABELS):
            for child in quotes:
                child.content = f'{child.content[:-1]} lang="{THAI}">'
        elif token.content.startswith(FOLLOWED_LABEL):
            _mark_after_label(token, FOLLOWED_LABEL)
        elif token.content.startswith(MOVED_LABEL):
            _mark_after_label(token, MOVED_LABEL)
        elif quotes and not token.content.startswith(DATE_LABEL):
            item_open.attrSet("lang", THAI)


def _mark_after_label(inline: Token, label: str) -> None:
    """The text of ``inline`` after its opening ``label`` in a ``<span lang="th">``."""
    children = list(inline.children or ())
    first = children[0]
    opening = Token("text", "", 0, content=label)
    first.content = first.content[len(label) :]
    inline.children = [
        opening,
        Token("html_inline", "", 0, content=f'<span lang="{THAI}">'),
        *(children if first.content else children[1:]),
        Token("html_inline", "", 0, content="</span>"),
    ]


def without_health(text: str, coverage: str | None = None) -> str:
    """The digest's CommonMark ``text`` for a reader who does not run the crawls: without
    its Source health section (:func:`render_health`), and an empty week's opening without
    its pointer to it (:data:`SEE_HEALTH`), as a sentence that ends there; ``coverage``
    (:func:`coverage_line`), when given, a paragraph under the summary. A digest written
    by an older build reads alike."""
    tokens = _renderer.parse(text)
    paragraphs = [token.map for token in tokens if token.type == "paragraph_open" and token.map]
    headings = [
        (token.map[0], tokens[index + 1].content)
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag in ("h1", "h2") and token.map
    ]
    lines = text.splitlines(keepends=True)
    for place, (start, heading) in enumerate(headings):
        if heading == HEALTH_HEADING:
            end = headings[place + 1][0] if place + 1 < len(headings) else len(lines)
            lines[start:end] = []
            break
    if coverage and len(paragraphs) > 1:  # the week's dates, then the summary
        lines[paragraphs[1][1] : paragraphs[1][1]] = ["\n", f"{escape(coverage)}\n"]
    kept = "".join(lines).rstrip("\n") + "\n"
    return re.sub(f"{re.escape(SEE_HEALTH)}$", ".", kept, count=1, flags=re.MULTILINE)


def story_headlines(text: str) -> list[str]:
    """The headlines of the stories the digest's CommonMark ``text`` lists, in its order,
    as a reader reads them: the items' headings (:func:`item_heading`), escapes undone, a
    linked one without its web address. A digest written by an older build reads alike."""
    tokens = _renderer.parse(text)
    return [
        _inline_text(tokens[index + 1].children or [], with_links=False)
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h3"
    ]


def _inline_text(children: Sequence[Token], *, with_links: bool = True) -> str:
    """One inline run as plain text: escapes undone, emphasis marks and the ``<del>`` and
    ``<ins>`` tags dropped, a link as ``text <url>`` (its text alone without
    ``with_links``) and an autolink as ``<url>``."""
    parts = []
    href = ""
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "link_open":
            href = str(child.attrGet("href"))
            parts.append("<" if child.markup == "autolink" else "")
        elif child.type == "link_close":
            shown = f" <{href}>" if with_links else ""
            parts.append(">" if child.markup == "autolink" else shown)
        elif not (child.type == "html_inline" and child.content in ALLOWED_HTML):
            parts.append(child.content)
    return "".join(parts)


def markdown_to_text(text: str) -> str:
    """The digest's CommonMark text as plain text, for the mail's text part: what a reader
    reads, as the HTML shows it. Escapes are undone (``https\\://`` is ``https://``,
    ``\\*`` is ``*``); ``**`` and the ``<del>``/``<ins>`` tags are dropped (a change reads
    ``old → new``, ``Removed: …``); a link is written ``text <url>`` and an autolink
    ``<url>`` (RFC 3986's delimiters, which mail clients link). Headings keep their ``#``
    marks and list items their ``-``, which lay the digest out; a blank line parts blocks,
    a line break the items of a list."""
    blocks: list[str] = []
    items: list[str] = []  # the lines of the list being read
    mark = ""  # what the next inline run opens with: its heading's or list item's mark
    for token in _renderer.parse(text):
        if token.type in ("heading_open", "list_item_open"):
            mark = f"{token.markup} "
        elif token.type == "bullet_list_close":
            blocks.append("\n".join(items))
            items = []
        elif token.type == "inline":
            line = mark + _inline_text(token.children or [])
            mark = ""
            (items if token.level > 1 else blocks).append(line)
    return "\n\n".join(blocks) + "\n"
