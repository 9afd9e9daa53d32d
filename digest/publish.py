"""Build a week's digest, feeds and archive pages into a folder.

Layout of the folder::

    digests/YYYY-Www.md     the weekly digest
    digests/YYYY-Www.html   the same, as a page
    feed.rss  feed.atom     the relevant articles of the last ``digest.weeks`` weeks
    digests.atom            the newest ``digest.weeks`` digests, as HTML
    topics/<topic>.atom     the articles of one topic
    partners/<partner>.atom the articles with one partner (country-jp, org-asean, ...),
                            for every partner with an article in the feeds' weeks
    index.html              the archive: every digest in digests/, every feed

Every file is written atomically (a temporary file in the same folder, then
``os.replace``) and only when its content changed, so readers never see half
a file and an unchanged file keeps its modification time.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from digest.archive import FeedLink, render_digest_page, render_index
from digest.feeds import (
    Entry,
    FeedInfo,
    article_entries,
    digest_entry,
    newest,
    render_atom,
    render_rss,
    stable_id,
)
from digest.markdown import digest_title, markdown_to_html, render_markdown
from digest.select import (
    DIGEST_FILE,
    OTHER_TOPIC,
    TOPIC_LABELS,
    Week,
    WeekError,
    load_weeks,
    select_week,
    topic_key,
)
from thaidigest.partners import partner_name
from thaidigest.store import Store

DIGESTS = "digests"
TOPICS = "topics"
PARTNERS = "partners"
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"


@dataclass(frozen=True)
class DigestResult:
    """What :func:`build_digest` made."""

    week: Week
    items: int
    markdown: str  # the week's digest
    html: str  # the week's digest as a standalone HTML page
    files: tuple[Path, ...]  # every file of the build
    changed: tuple[Path, ...]  # the files whose content changed


def write_file(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically; False when the file already holds it."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def topic_file(topic: str) -> str:
    """A file name for a topic's feed: lower-case letters, digits and hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-") or "topic"


def partner_file(partner: str) -> str:
    """A file name for a partner's feed: ``country:JP`` -> ``country-jp``.

    Partner ids hold colons, spaces and apostrophes, which are not safe in
    every file system or URL; the file name keeps letters and digits.
    """
    return re.sub(r"[^a-z0-9]+", "-", partner.lower()).strip("-") or "partner"


def stored_digests(out_dir: Path) -> dict[Week, str]:
    """The Markdown of every weekly digest already in ``out_dir/digests``."""
    found: dict[Week, str] = {}
    folder = out_dir / DIGESTS
    if folder.is_dir():
        for path in folder.iterdir():
            if DIGEST_FILE.match(path.name):
                try:
                    found[Week.parse(path.stem)] = path.read_text(encoding="utf-8")
                except WeekError:
                    continue
    return found


def _article_feeds(
    entries: list[Entry], title: str, site: str, span: int, week: Week
) -> tuple[dict[str, bytes], list[FeedLink]]:
    """The RSS and Atom feeds of every relevant article and one Atom feed per topic."""
    about = f"of the {span} weeks to {week}"
    empty_updated = week.end().astimezone(UTC)
    articles_feed = FeedInfo(
        id=stable_id("thaidigest:feed:articles"),
        title=title,
        subtitle=f"Relevant articles {about}",
        site_url=site,
        self_url=urljoin(site, "feed.atom"),
        updated=newest(entries, empty_updated),
    )
    outputs = {
        "feed.atom": render_atom(articles_feed, entries),
        "feed.rss": render_rss(replace(articles_feed, self_url=urljoin(site, "feed.rss")), entries),
    }
    links = [
        FeedLink("feed.rss", RSS_TYPE, f"{title} (RSS)"),
        FeedLink("feed.atom", ATOM_TYPE, f"{title} (Atom)"),
        FeedLink("digests.atom", ATOM_TYPE, "Weekly digests (Atom)", "สรุปรายสัปดาห์"),
    ]
    topics = (set(TOPIC_LABELS) - {OTHER_TOPIC}) | {t for e in entries for t in e.categories}
    for topic in sorted(topics, key=topic_key):
        path = f"{TOPICS}/{topic_file(topic)}.atom"
        english, thai = TOPIC_LABELS.get(topic, (topic, ""))
        chosen = [entry for entry in entries if topic in entry.categories]
        feed = FeedInfo(
            id=stable_id(f"thaidigest:feed:topic:{topic}"),
            title=f"{title}: {english}",
            subtitle=f"Relevant articles on {english} {about}",
            site_url=site,
            self_url=urljoin(site, path),
            updated=newest(chosen, empty_updated),
        )
        outputs[path] = render_atom(feed, chosen)
        links.append(FeedLink(path, ATOM_TYPE, f"Topic: {english}", thai))
    partners = sorted({p for entry in entries for p in entry.partners}, key=partner_name)
    for partner in partners:
        path = f"{PARTNERS}/{partner_file(partner)}.atom"
        name = partner_name(partner)
        chosen = [entry for entry in entries if partner in entry.partners]
        feed = FeedInfo(
            id=stable_id(f"thaidigest:feed:partner:{partner}"),
            title=f"{title}: with {name}",
            subtitle=f"Relevant articles with {name} {about}",
            site_url=site,
            self_url=urljoin(site, path),
            updated=newest(chosen, empty_updated),
        )
        outputs[path] = render_atom(feed, chosen)
        links.append(FeedLink(path, ATOM_TYPE, f"Partner: {name}"))
    return outputs, links


def _archive(
    markdowns: Mapping[Week, str], title: str, site: str, span: int, feeds: list[FeedLink]
) -> dict[str, bytes]:
    """A page per digest, the feed of the newest ``span`` digests, and the index."""
    outputs: dict[str, bytes] = {}
    bodies = {week: markdown_to_html(text) for week, text in markdowns.items()}
    for week, body in bodies.items():
        page = render_digest_page(digest_title(title, week), body, "../index.html")
        outputs[f"{DIGESTS}/{week}.html"] = page.encode()
    entries = [
        digest_entry(week, title, bodies[week], urljoin(site, f"{DIGESTS}/{week}.html"))
        for week in sorted(bodies, reverse=True)[:span]
    ]
    feed = FeedInfo(
        id=stable_id("thaidigest:feed:digests"),
        title=f"{title}: weekly digests",
        subtitle="The weekly digest, one entry a week",
        site_url=site,
        self_url=urljoin(site, "digests.atom"),
        updated=entries[0].updated,
        language="en",
    )
    outputs["digests.atom"] = render_atom(feed, entries)
    outputs["index.html"] = render_index(title, sorted(bodies), feeds).encode()
    return outputs


def build_digest(
    store: Store, out_dir: Path, week: Week, config: Mapping[str, Any]
) -> DigestResult:
    """Select ``week`` from ``store`` and write its digest, the feeds and the archive."""
    settings = config["digest"]
    title = settings["title"]
    site = settings["site_url"].rstrip("/") + "/"
    span = max(1, int(settings["weeks"]))
    first = week.shift(1 - span)
    data = load_weeks(store, first, week)
    selections = [select_week(data, first.shift(offset)) for offset in range(span)]
    digest = selections[-1]
    markdown = render_markdown(digest, title)
    entries = article_entries(
        (item for selection in selections for item in selection.items),
        int(settings["max_entries"]),
    )
    feeds, links = _article_feeds(entries, title, site, span, week)
    markdowns = stored_digests(out_dir) | {week: markdown}
    outputs = {
        f"{DIGESTS}/{week}.md": markdown.encode(),
        **feeds,
        **_archive(markdowns, title, site, span, links),
    }
    files = tuple(out_dir / name for name in sorted(outputs))
    changed = tuple(
        path
        for name, path in zip(sorted(outputs), files, strict=True)
        if write_file(path, outputs[name])
    )
    page = render_digest_page(digest_title(title, week), markdown_to_html(markdown))
    return DigestResult(week, len(digest.items), markdown, page, files, changed)
