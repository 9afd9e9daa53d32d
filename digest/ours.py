"""Whether the files at the paths a digest writes are thaidigest's, so a build may replace them.

A digest build replaces every file at a path it writes (``index.html``, the feeds, the
OPML, the week's pages): a file the user keeps there (``--out .`` in a folder holding their
own ``index.html``) must be refused, not overwritten. What tells thaidigest's files is what
every version of thaidigest has written in them, so any digest folder written before is
rewritten without complaint, and no marker file is needed:

- an RSS or Atom feed is thaidigest's when its ``<generator>`` is ``thaidigest``
  (:data:`GENERATOR`): each feed says so of itself;
- any other file (the HTML pages, the JSON feeds, the OPML, a week's Markdown), which
  carries no such mark, is thaidigest's when the folder is a digest folder: its
  ``feed.atom``, written by every build, is thaidigest's.

Only the standard library: ``status`` and ``run`` judge a digest folder with it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree

GENERATOR = "thaidigest"  # the <generator> of every RSS and Atom feed thaidigest writes
FEED_ATOM = "feed.atom"  # the Atom feed of every article: every build writes it
# The files every build writes at the top of its folder, whatever the week and the feeds:
# those ``status`` and ``run`` judge before a digest job would (the week's pages and the
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
ATOM_GENERATOR = "{http://www.w3.org/2005/Atom}generator"


def feed_generator(document: bytes) -> str | None:
    """The ``<generator>`` an Atom feed or an RSS channel names; None for a document that
    names none, or that is no XML."""
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        return None
    generator = root.findtext(ATOM_GENERATOR) or root.findtext("channel/generator")
    return generator.strip() if generator is not None else None


def _read(path: Path) -> bytes | None:
    """The bytes of ``path``; None for no file there, or one that cannot be read (a folder,
    no permission: the write says so itself)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def is_ours(document: bytes, path: Path, digest_folder: bool) -> bool:
    """Whether ``document``, the file at ``path`` of a folder a build writes, is thaidigest's:
    a feed naming our generator, or any other file of a ``digest_folder``."""
    if path.suffix in FEED_SUFFIXES:
        return feed_generator(document) == GENERATOR
    return digest_folder


def foreign_files(
    out_dir: Path, paths: Iterable[Path], new: dict[Path, bytes] | None = None
) -> list[Path]:
    """The files at ``paths`` (in ``out_dir``) that thaidigest did not write and a build would
    replace; a file holding what the build writes (``new``) is replaced by nothing."""
    written = _read(out_dir / FEED_ATOM)
    digest_folder = written is not None and feed_generator(written) == GENERATOR
    found = []
    for path in paths:
        document = _read(path)
        if document is None or (new is not None and new.get(path) == document):
            continue
        if not is_ours(document, path, digest_folder):
            found.append(path)
    return found


def refusal(out_dir: Path, foreign: list[Path], option: str = "--out") -> str:
    """The one line that refuses to write a digest over the ``foreign`` files of ``out_dir``."""
    named = ", ".join(str(path) for path in foreign)
    files = "a file" if len(foreign) == 1 else "files"
    return (
        f"{named}: {files} thaidigest did not write, which the digest would replace; "
        f"nothing was written: choose another folder for {option}, or move "
        f"{'it' if len(foreign) == 1 else 'them'} out of {out_dir}"
    )


class ForeignFileError(Exception):
    """A digest would replace files thaidigest did not write (:func:`foreign_files`)."""

    def __init__(self, out_dir: Path, foreign: list[Path]) -> None:
        super().__init__(refusal(out_dir, foreign))
        self.out_dir = out_dir
        self.foreign = foreign
