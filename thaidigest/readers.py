"""Readers for ``thaidigest import``: plain-text files and corpus JSON lines.

Every reader yields :class:`RawArticle` objects, or :class:`Rejected` for an
input it cannot read, and never raises for bad input: a bad file or line is
reported and the rest goes on. JSON lines files are streamed, so memory does
not grow with the file.

The plain-text format (``seeds/``, the corpus ``text`` field)::

    <title line>
    <blank line>
    <body lines>
    <blank line>
    ที่มา : <source URL>
"""

from __future__ import annotations

import json
import lzma
from collections.abc import Iterator
from pathlib import Path

from thaidigest.ingest import Rejected
from thaidigest.model import RawArticle
from thaidigest.urls import source_of

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".jsonl.xz")
# Share of non-ASCII bytes that fail to decode as UTF-8 below which a file is
# UTF-8 with a few broken bytes rather than TIS-620 (where nearly all fail).
BROKEN_UTF8_SHARE = 0.1


class UnreadableInput(ValueError):
    """An input that is not text in a known encoding."""


def decode_text(data: bytes) -> str:
    """Text of a file in UTF-8 (with or without BOM) or TIS-620 / cp874."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        utf8_error = error
    non_ascii = sum(1 for byte in data if byte >= 0x80)
    undecodable = data.decode("utf-8", "replace").count("\ufffd")
    if undecodable < BROKEN_UTF8_SHARE * non_ascii:
        raise UnreadableInput(f"invalid UTF-8 at byte {utf8_error.start}")
    try:
        return data.decode("cp874")
    except UnicodeDecodeError:
        raise UnreadableInput(
            f"neither UTF-8 (invalid at byte {utf8_error.start}) nor TIS-620"
        ) from None


def parse_plain_text(text: str, url: str) -> RawArticle:
    """A raw article from text in the plain-text format; ``url`` names where it came from."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ValueError("empty file")
    title, body = lines[0], "\n".join(lines[1:])
    if not body.strip():
        raise ValueError("a title but no body")
    return RawArticle(url=url, source="file", title=title, body=body)


def read_text_file(path: Path) -> RawArticle | Rejected:
    """One article from a ``.txt`` file in the plain-text format."""
    try:
        data = path.read_bytes()
        if not data.strip():
            raise ValueError("empty file")
        return parse_plain_text(decode_text(data), path.resolve().as_uri())
    except (OSError, ValueError) as error:
        return Rejected(str(path), str(error))


def _open_jsonl(path: Path):
    if path.name.endswith(".xz"):
        return lzma.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def corpus_record_article(record: object) -> RawArticle:
    """A raw article from one corpus JSON object (``id``, ``url``, ``category``, ``text``)."""
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("no 'text' field")
    url = record.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError("no 'url' field")
    raw = parse_plain_text(text, url)
    category = record.get("category")
    return RawArticle(
        url=url,
        source=source_of(url),
        title=raw.title,
        body=raw.body,
        source_id=str(record["id"]) if record.get("id") is not None else None,
        category=category if isinstance(category, str) else None,
    )


def read_jsonl_file(path: Path) -> Iterator[RawArticle | Rejected]:
    """Articles from a corpus-format JSON lines file, plain or xz, streamed."""
    line_number = 0
    try:
        with _open_jsonl(path) as lines:
            for line_number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{line_number}"
                try:
                    yield corpus_record_article(json.loads(line))
                except json.JSONDecodeError as error:
                    yield Rejected(where, f"invalid JSON: {error.msg}")
                except ValueError as error:
                    yield Rejected(where, str(error))
    except (OSError, EOFError, lzma.LZMAError, UnicodeDecodeError) as error:
        yield Rejected(f"{path}:{line_number + 1}", f"cannot read: {error}")


def expand_paths(paths: list[Path]) -> Iterator[Path | Rejected]:
    """Files to import: the given files, and the importable files directly in given folders."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and child.name.endswith(TEXT_SUFFIXES + JSONL_SUFFIXES):
                    yield child
        elif path.is_file():
            yield path
        else:
            yield Rejected(str(path), "no such file or folder")


def read_paths(paths: list[Path]) -> Iterator[RawArticle | Rejected]:
    """Every article in the given files and folders, in order."""
    for path in expand_paths(paths):
        if isinstance(path, Rejected):
            yield path
        elif path.name.endswith(JSONL_SUFFIXES):
            yield from read_jsonl_file(path)
        elif path.name.endswith(TEXT_SUFFIXES):
            yield read_text_file(path)
        else:
            yield Rejected(str(path), "unknown file type (expected .txt, .jsonl or .jsonl.xz)")
