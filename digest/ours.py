"""Whether the files at the paths a digest writes are thaidigest's, so a build may replace them.

A digest build replaces every file at a path it writes (``index.html``, the feeds, the
OPML, the week's pages): a file the user keeps there (``--out .`` in a folder holding their
own ``index.html``) must be refused, not overwritten. What tells thaidigest's files is what
every version of thaidigest has written in them, so any digest folder written before is
rewritten without complaint:

- an RSS or Atom feed is thaidigest's when its ``<generator>`` is ``thaidigest``
  (:data:`GENERATOR`): each feed says so of itself;
- any other file (the HTML pages, the JSON feeds, the OPML, a week's Markdown), which
  carries no such mark, is thaidigest's when the folder is a digest folder: one of the
  feeds every build writes at its top (:data:`TOP_FEEDS`) is thaidigest's, so a folder
  whose ``feed.atom`` was deleted, or whose first build was cut short before it was moved
  into place (``digests.atom`` comes first), is a digest folder still.

A build also records what it leaves in the folder, each file's size and SHA-256
(:data:`WRITTEN`, a hidden file the server does not serve): in a folder with that record, a
file is thaidigest's when it holds what the record says a build left there (one of the
last :data:`CONTENTS_KEPT` builds that changed it: a page copied back from an earlier build
is thaidigest's still), so a file thaidigest wrote that the user edited since (a note added
to ``index.html``, a week's Markdown corrected by hand), or one of theirs at a path no build
wrote before (a new partner's feed), is theirs, and refused like any other; a week's
Markdown of theirs, or edited, is no digest either: no build reads it (:func:`unrecorded`).
The marks above judge a folder without the record only (one an earlier thaidigest wrote,
or a new one), and one whose record is stale: every top feed there holds none of what the
record says and carries thaidigest's marks, its generator and its self link
(:func:`current_written`), as when a thaidigest without the record (an older image, a
host's CLI beside a container) built in it since.

Nothing is read whole but a file whose size is one the record holds for it: ``status``, the
container's health check, judges the folders on every run. Only a regular file can be
thaidigest's; a feed is judged by its own generator, which comes before its first entry,
within its first :data:`HEAD_BYTES` (an entry's ``<source>`` may name another feed's
generator: not the feed's); a feed that cannot be read is left to the write, which reads
every file it replaces first and fails on it, nothing replaced, saying why; any other file
only has to be there (or, in a folder no digest wrote, to hold what the build writes, read
only when its size is that). A folder at a path is left to the write, which fails on it
saying so; anything else there (a named pipe, a socket, a device) is no file thaidigest
wrote, and is never opened: reading a pipe waits for a writer forever.

Only the standard library: ``status`` and the daemon's digest job judge a folder with it too.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Collection, Iterable, Mapping
from enum import Enum
from pathlib import Path

GENERATOR = "thaidigest"  # the <generator> of every RSS and Atom feed thaidigest writes
FEED_ATOM = "feed.atom"  # the Atom feed of every article: every build writes it
# The feeds every build writes at the top of its folder: one of them thaidigest's makes it a
# digest folder (write_files moves digests.atom into place before feed.atom and feed.rss).
TOP_FEEDS = ("digests.atom", FEED_ATOM, "feed.rss")
# The files every build writes at the top of its folder, whatever the week and the feeds:
# those ``status`` and ``digest`` judge before a build would (the week's pages and the
# topics' and partners' feeds are judged by the build, which knows them).
TOP_FILES = (
    "index.html",
    "feed.rss",
    FEED_ATOM,
    "feed.json",
    "digests.atom",
    "feeds.opml",
)
FEED_SUFFIXES = (".atom", ".rss")
# In an output folder: by the path of each file a build wrote there (``topics/ai.atom``), the
# size and SHA-256 of what it left there, in JSON; hidden, as the server serves no hidden
# file, and named with no suffix of a file a build writes, which a look for feeds would find.
WRITTEN = ".thaidigest-written"
# In the name of what a build stages beside a file until it moves it there,
# ``.feed.atom.thaidigest-k3j_2x9a.tmp``: a killed build's, a demo rerun knows, and deletes.
STAGED_MARK = "thaidigest-"
# How many contents the record keeps of each file, the newest: a page copied back from one of
# the builds before the last, as it left it, is thaidigest's still.
CONTENTS_KEPT = 10
# How much of a feed is read to find its generator: thaidigest's comes in its first 600
# bytes or so (after the channel's or the feed's id, title, author and links), before any
# entry; a long digest.title, written three times before it, takes it past 8 KiB.
HEAD_BYTES = 65536
# Where a feed's entries start: a generator after it is an entry's source's, not the feed's.
FIRST_ENTRY = re.compile(rb"<(?:entry|item)[\s>]")
# The generator element of an Atom feed or an RSS channel, attributes allowed (Atom's uri).
GENERATOR_ELEMENT = re.compile(rb"<generator(?:\s[^>]*)?>\s*([^<]*?)\s*</generator>")
# A feed's link to itself (Atom's, or RSS's atom:link): its href ends with the feed's name.
SELF_LINK = re.compile(rb"<(?:atom:)?link\s[^>]*>")
HREF = re.compile(rb'href="([^"]*)"')
# The most of the record read: a build records a few hundred bytes a file it left.
RECORD_BYTES = 16 * 1024 * 1024


def _before_entry(head: bytes) -> int:
    """Where the first entry of a feed's first bytes starts; their end when none does."""
    entry = FIRST_ENTRY.search(head)
    return entry.start() if entry else len(head)


def links_to_itself(head: bytes, name: str) -> bool:
    """Whether the first bytes of a feed link to the feed, a file named ``name``, with
    ``rel="self"`` before its first entry, as every feed thaidigest writes does."""
    for link in SELF_LINK.finditer(head, 0, _before_entry(head)):
        href = HREF.search(link.group(0))
        if b'rel="self"' in link.group(0) and href and href.group(1).endswith(b"/" + name.encode()):
            return True
    return False


def feed_generator(head: bytes) -> str | None:
    """The ``<generator>`` the first bytes of an Atom or RSS feed name before its first
    entry (the feed's or the channel's own); None for none there."""
    found = GENERATOR_ELEMENT.search(head, 0, _before_entry(head))
    return found.group(1).decode("utf-8", "replace") if found else None


class Found(Enum):
    """What stands at a path a build writes, as far as telling it apart needs."""

    NOTHING = "nothing"  # no file, or a folder: left to the write, which says what is wrong
    FILE = "file"  # a regular file
    OTHER = "other"  # a named pipe, a socket, a device: no file thaidigest wrote


def _found(path: Path) -> tuple[Found, int]:
    """What is at ``path`` (:class:`Found`) and, for a regular file, its size; a link is
    judged by the file it names (the write replaces the link itself)."""
    try:
        mode = os.stat(path)
    except OSError:  # no file, or none that can be told: the write says so itself
        return Found.NOTHING, 0
    if stat.S_ISREG(mode.st_mode):
        return Found.FILE, mode.st_size
    if stat.S_ISDIR(mode.st_mode):
        return Found.NOTHING, 0
    return Found.OTHER, 0


Fingerprint = tuple[int, str]  # a content's size and SHA-256, in hex
# By a file's path in its folder, as recorded: the contents builds left there, oldest first.
Written = dict[str, tuple[Fingerprint, ...]]


def fingerprint(data: bytes) -> Fingerprint:
    """The size and SHA-256 of ``data``, as :data:`WRITTEN` records what a build wrote."""
    return len(data), hashlib.sha256(data).hexdigest()


def recorded_name(out_dir: Path, path: Path) -> str:
    """The name :data:`WRITTEN` gives ``path`` of ``out_dir``: ``topics/ai.atom``."""
    return path.relative_to(out_dir).as_posix()


def load_written(out_dir: Path) -> Written | None:
    """What the builds recorded they left in ``out_dir`` (:data:`WRITTEN`); None when there
    is no record (no build wrote the folder, or one of a thaidigest before the record), or
    none that can be read as one: the marks of thaidigest's files judge the folder then. Only
    a regular file is read, never a link, a named pipe or a device, and at most
    :data:`RECORD_BYTES` of it: a larger one, or JSON nested too deep to parse, is none."""
    path = out_dir / WRITTEN
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with open(handle, "rb") as record:
            if not stat.S_ISREG(os.fstat(record.fileno()).st_mode):  # swapped since
                return None
            data = record.read(RECORD_BYTES + 1)
        if len(data) > RECORD_BYTES:
            return None
        files = json.loads(data)["files"]
        return {
            str(name): tuple(dict.fromkeys((int(size), str(digest)) for size, digest in held))
            for name, held in files.items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def render_written(written: Mapping[str, Iterable[Fingerprint]]) -> bytes:
    """The record of ``written`` (:data:`WRITTEN`), as :func:`load_written` reads it: each
    file's contents in the order given (oldest first)."""
    files = ",\n".join(
        f"{json.dumps(name)}: {json.dumps(list(map(list, held)))}"
        for name, held in sorted(written.items())
    )
    return f'{{"files": {{\n{files}\n}}}}\n'.encode()


def _head(path: Path, size: int) -> bytes | None:
    """The first ``size`` bytes of the regular file ``path``; None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return None


class _Looked:
    """What one judgement learns of the paths it asks about, each looked at once: what
    stands there (one ``stat``) and its first bytes (one read, of at least
    :data:`HEAD_BYTES`), whatever it is asked of it (whether it holds what the build
    writes, whether it is our feed, whether it makes its folder a digest folder)."""

    def __init__(self) -> None:
        self._found: dict[Path, tuple[Found, int]] = {}
        self._read: dict[Path, tuple[bytes | None, int]] = {}  # the bytes, how many were asked

    def found(self, path: Path) -> tuple[Found, int]:
        """What is at ``path`` and, for a regular file, its size (:func:`_found`)."""
        if path not in self._found:
            self._found[path] = _found(path)
        return self._found[path]

    def head(self, path: Path, size: int = HEAD_BYTES) -> bytes | None:
        """The first ``size`` bytes of the regular file ``path`` (:func:`_head`), from the
        bytes read before unless more are asked of a file that held more."""
        data, asked = self._read.get(path, (b"", None))
        if asked is None or (data is not None and size > asked and len(data) == asked):
            asked = max(size, HEAD_BYTES)
            data = _head(path, asked)
            self._read[path] = data, asked
        return None if data is None else data[:size]

    def holds(self, path: Path, data: bytes) -> bool:
        """Whether the regular file ``path`` holds ``data``, read only when the sizes agree."""
        return self.found(path)[1] == len(data) and self.head(path, len(data)) == data

    def as_written(self, path: Path, held: Collection[Fingerprint]) -> bool | None:
        """Whether the regular file ``path`` holds one of the contents ``held`` (its record in
        :data:`WRITTEN`), read whole only when its size is one of theirs; None for a file
        that cannot be read, left to the write, which fails on it (:meth:`is_our_feed`)."""
        size = self.found(path)[1]
        if all(size != held_size for held_size, _ in held):
            return False
        try:
            with open(path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            return None
        return (size, digest) in held

    def is_our_feed(self, path: Path) -> bool | None:
        """Whether ``path`` is a regular file whose first bytes name our generator; None for
        a regular file that cannot be read (mode 0600, another user's): it cannot be told,
        and the write, which reads it first, fails on it before it replaces any file."""
        if self.found(path)[0] != Found.FILE:
            return False
        head = self.head(path)
        return None if head is None else feed_generator(head) == GENERATOR

    def has_our_marks(self, path: Path) -> bool:
        """Whether ``path`` is our feed (:meth:`is_our_feed`) linking to itself."""
        head = self.head(path) if self.is_our_feed(path) else None
        return head is not None and links_to_itself(head, path.name)

    def is_digest_folder(self, out_dir: Path) -> bool:
        """Whether one of the feeds every build writes at the top of ``out_dir`` is ours, or
        cannot be read (:meth:`is_our_feed`: the build fails on it, replacing nothing)."""
        return any(self.is_our_feed(out_dir / name) is not False for name in TOP_FEEDS)


def current_written(out_dir: Path, looked: _Looked | None = None) -> Written | None:
    """The record of ``out_dir`` (:func:`load_written`), None when there is none or it is
    stale: every top feed there (:data:`TOP_FEEDS`, one at least) holds none of what the
    record says and carries thaidigest's marks (:meth:`_Looked.has_our_marks`), as a build
    by a thaidigest that keeps no record leaves them. The marks judge such a folder, and its
    next build records it afresh."""
    written = load_written(out_dir)
    if written is None:
        return None
    looked = looked or _Looked()
    feeds = [out_dir / name for name in TOP_FEEDS if looked.found(out_dir / name)[0] == Found.FILE]
    stale = bool(feeds) and all(
        looked.as_written(path, written.get(path.name, ())) is False and looked.has_our_marks(path)
        for path in feeds
    )
    return None if stale else written


def foreign_files(
    out_dir: Path, paths: Iterable[Path], new: Mapping[Path, bytes] | None = None
) -> list[Path]:
    """The files at ``paths`` (in ``out_dir``) that thaidigest did not write, or that were
    changed since, and a build would replace; a file holding what the build writes (``new``)
    is replaced by nothing."""
    looked = _Looked()
    written = current_written(out_dir, looked)
    digest_folder: bool | None = None  # told once, when a file needs it
    found = []
    for path in paths:
        kind = looked.found(path)[0]
        if kind == Found.NOTHING:
            continue
        if kind == Found.OTHER:
            found.append(path)
            continue
        if new is not None and path in new and looked.holds(path, new[path]):
            continue
        if written is not None:
            held = written.get(recorded_name(out_dir, path), ())
            if looked.as_written(path, held) is False:
                found.append(path)
            continue
        if path.suffix in FEED_SUFFIXES:
            if looked.is_our_feed(path) is False:
                found.append(path)
            continue
        if digest_folder is None:
            digest_folder = looked.is_digest_folder(out_dir)
        if not digest_folder:
            found.append(path)
    return found


def unrecorded(out_dir: Path, paths: Iterable[Path]) -> list[Path]:
    """The files at ``paths`` (in ``out_dir``) that no build left there as they are, by the
    record of ``out_dir`` (:data:`WRITTEN`): not in it, or changed since, as
    :func:`foreign_files` judges them; none in a folder without the record (an earlier
    thaidigest's) or with a stale one (:func:`current_written`), whose files are judged as
    before. A week's Markdown among them (a user's notes named ``2024-W33.md``, a digest
    corrected by hand) is no digest: no build reads it (:func:`digest.select.written_weeks`)."""
    return foreign_files(out_dir, paths) if current_written(out_dir) is not None else []


def is_digest_folder(out_dir: Path) -> bool:
    """Whether ``out_dir``, holding no record (:data:`WRITTEN`), is a digest folder by the
    marks of thaidigest's files: one of its top feeds is thaidigest's (:data:`TOP_FEEDS`)."""
    return _Looked().is_digest_folder(out_dir)


def current_fingerprints(paths: Iterable[Path]) -> dict[Path, Fingerprint]:
    """The fingerprint of what each regular file of ``paths`` holds; none for a path with
    no regular file, or one that cannot be read (the write fails on it)."""
    found = {}
    for path in paths:
        if _found(path)[0] == Found.FILE:
            try:
                found[path] = fingerprint(path.read_bytes())
            except OSError:
                continue
    return found


def foreign_top_files(out_dir: Path) -> list[Path]:
    """The files every build writes at the top of ``out_dir`` (:data:`TOP_FILES`) that
    thaidigest did not write (:func:`foreign_files`)."""
    return foreign_files(out_dir, [out_dir / name for name in TOP_FILES])


def _changed(out_dir: Path, foreign: list[Path]) -> int:
    """How many of ``foreign`` the record of ``out_dir`` holds: files changed since."""
    written = current_written(out_dir) or {}
    return sum(
        _found(path)[0] == Found.FILE and recorded_name(out_dir, path) in written
        for path in foreign
    )


def _named(out_dir: Path, foreign: list[Path]) -> str:
    """``foreign`` named, and what they are (:func:`what_they_are`): ``public/index.html: a
    file thaidigest did not write, which the digest would replace``."""
    named = ", ".join(str(path) for path in foreign)
    return f"{named}: {what_they_are(out_dir, foreign)}, which the digest would replace"


def what_they_are(out_dir: Path, foreign: list[Path]) -> str:
    """What the ``foreign`` files of ``out_dir`` are: ``a file thaidigest did not write``;
    ``a file changed since thaidigest wrote it`` for one the record of ``out_dir`` holds
    (:data:`WRITTEN`)."""
    changed = _changed(out_dir, foreign)
    if changed == len(foreign) == 1:
        return "a file changed since thaidigest wrote it"
    if changed == len(foreign):
        return "files changed since thaidigest wrote them"
    if changed:
        return "files thaidigest did not write or changed since it wrote them"
    return (
        "a file thaidigest did not write" if len(foreign) == 1 else "files thaidigest did not write"
    )


def left_out_note(out_dir: Path, digests: list[Path]) -> str:
    """The line that says the weeks' Markdown ``digests`` of ``out_dir`` are no digests
    (:func:`unrecorded`): named, what they are, that no build publishes them, and how the
    digests of their weeks are built."""
    named = ", ".join(str(path) for path in digests)
    weeks = ", ".join(path.stem for path in digests)
    if len(digests) == 1:
        published, built = "a digest", f"the digest of {weeks} with --week {weeks}"
    else:
        published, built = "digests", f"the digests of {weeks} with --week"
    return (
        f"{named}: {what_they_are(out_dir, digests)}, not published as {published} (no page, "
        f"no entry in digests.atom, no link in index.html): move "
        f"{'it' if len(digests) == 1 else 'them'} out of {digests[0].parent} to build {built}"
    )


def _unrecorded(out_dir: Path, foreign: list[Path]) -> str:
    """How to have files the record of ``out_dir`` says were changed taken for thaidigest's
    again, when they are (two builds at once, one by a thaidigest keeping no record, may
    leave the record behind); nothing for files it does not hold."""
    if not _changed(out_dir, foreign):
        return ""
    them = "it" if len(foreign) == 1 else "them"
    return f" (or, if thaidigest wrote {them}, delete {out_dir / WRITTEN})"


def _remedy(out_dir: Path, foreign: list[Path], option: str) -> str:
    them = "it" if len(foreign) == 1 else "them"
    return (
        f"choose another folder for {option}, or move {them} out of {out_dir}"
        f"{_unrecorded(out_dir, foreign)}"
    )


def refusal(
    out_dir: Path, foreign: list[Path], option: str = "--out", unwritten: str = "no file"
) -> str:
    """The one line that refuses to write a digest over the ``foreign`` files of ``out_dir``;
    ``unwritten`` says which files were not written (``no file of 2024-W34``). Files, not
    anything: ``digest --email`` has recorded the weeks owed to its recipients already, which
    a later run builds and mails."""
    return (
        f"{_named(out_dir, foreign)}; {unwritten} was written: {_remedy(out_dir, foreign, option)}"
    )


def foreign_problem(out_dir: Path, foreign: list[Path], option: str) -> str:
    """The ``status`` problem line for the ``foreign`` files of ``out_dir``, which the digest
    (``option`` names the folder) refuses to replace."""
    them = "it is" if len(foreign) == 1 else "they are"
    return (
        f"digest: {_named(out_dir, foreign)}: no digest is written in {out_dir} until {them} moved "
        f"out of it, or another folder is chosen for {option}{_unrecorded(out_dir, foreign)}"
    )


class ForeignFileError(Exception):
    """A digest would replace files thaidigest did not write (:func:`foreign_files`): the
    facts only; the command that catches it says the refusal (:func:`refusal`), naming the
    option or setting the user gave the folder in and the weeks written before it."""

    def __init__(self, out_dir: Path, foreign: list[Path], week: object) -> None:
        super().__init__(_named(out_dir, foreign))
        self.out_dir = out_dir
        self.foreign = foreign
        self.week = week  # the week whose build was refused (a digest.select.Week)
