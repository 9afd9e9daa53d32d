"""Readers for ``thaidigest import``: plain-text files and corpus JSON lines.

Every reader yields :class:`RawArticle` objects, or :class:`Rejected` for an
input it cannot read, and never raises for bad input: a bad file or line is
reported with its path or line number and the rest goes on.

Memory stays bounded whatever the input: JSON lines files are read in
chunks, a line longer than ``import.max_line_bytes`` is skipped without
being held, and a text file or record longer than ``import.max_article_chars``
is rejected. Runs of blank lines are skipped at the speed of the
decompressor, and a file with no article in it at all is rejected, so a
file of nothing but newlines is an error, not an empty success.

The plain-text format (``seeds/``, the corpus ``text`` field)::

    <title line>
    <blank line>
    <body lines>
    <blank line>
    ที่มา : <source URL>
"""

from __future__ import annotations

import json
import logging
import lzma
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from io import BufferedIOBase
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bs4 import UnicodeDammit

from thaidigest.config import DEFAULTS
from thaidigest.dates import (
    BE_OFFSET,
    EARLIEST_PUBLISHED,
    LAST_CE_YEAR,
    bangkok_today,
    latest_published,
    publication_date,
)
from thaidigest.folders import os_reason
from thaidigest.ingest import Rejected
from thaidigest.model import EXTRACTIONS, RawArticle
from thaidigest.normalise import INVISIBLE, NO_BODY, SOURCE_FOOTER
from thaidigest.plural import counted
from thaidigest.sites import ascii_digits, plain_id
from thaidigest.store import iso, parse_iso
from thaidigest.urls import article_id, source_of, web_url_problem

When = TypeVar("When", date, datetime)  # an export record's date or time

MAX_ID_DIGITS = 18  # an article number: thaigov's are six digits
MAX_VERSIONS = 1_000_000_000  # an export record's version number: far beyond any article's edits
# File name endings, matched whatever their case (A.TXT is a .txt file).
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".jsonl.xz")
IMPORTABLE_SUFFIXES = TEXT_SUFFIXES + JSONL_SUFFIXES
SUFFIX_NAMES = ", ".join(IMPORTABLE_SUFFIXES[:-1]) + f" or {IMPORTABLE_SUFFIXES[-1]}"
# The file that makes a folder a Python package (seeds/ is one, for the fixture site):
# never an article, so a folder's note of the files it does not import leaves it out, as
# it leaves out every folder (__pycache__/ among them).
PACKAGE_FILES = frozenset({"__init__.py"})
# Folders no one keeps articles in, left out when a folder names the subfolders it holds,
# which are not read.
NOT_ARTICLE_FOLDERS = frozenset({"__pycache__"})
# A web site's own files, named so at its root: never an article, though a .txt, so a
# folder's are not imported. A folder with files to import names a subfolder as not read
# only when it holds a file import would read, and a copy of a site (seeds/site, the
# fixture site) holds its robots.txt.
SITE_FILES = frozenset({"robots.txt", "humans.txt", "ads.txt", "security.txt", "llms.txt"})
# Folders looked through, at most, for a file import would read in a subfolder it leaves
# unread (:func:`_holds_files_to_import`): a copy of a whole site holds no more, and a
# tree bigger than that is named as one that may hold some.
MAX_FOLDERS_LOOKED_THROUGH = 1000
# Share of non-ASCII bytes that fail to decode as UTF-8 below which a file is
# UTF-8 with a few broken bytes rather than TIS-620 (where nearly all fail).
BROKEN_UTF8_SHARE = 0.1
# C0 controls but tab, line feed, form feed and carriage return: no text holds many. Thai
# or English in UTF-16 or UTF-32 without a byte-order mark may be valid UTF-8 all the
# same, with a control byte (NUL, 0x0E) for every character or more.
CONTROLS = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20)])
CONTROLS_SHARE = 0.1  # of a text's bytes: more is no text in UTF-8 or TIS-620
# The encodings a text may be in, tried in this order: the Thai sites' pages and the
# corpus are UTF-8, older Thai files TIS-620 (cp874 is TIS-620 with a few more characters).
TEXT_ENCODINGS = ("utf-8", "cp874")
# UnicodeDammit logs a warning when it falls back on replacement characters: such a
# text is refused here with a message of its own, so its warning would only repeat it.
logging.getLogger("bs4.dammit").setLevel(logging.ERROR)
# Share of Thai characters out of place above which bytes that decode as
# TIS-620 are another single-byte encoding (Latin-1, cp1252) read wrongly.
MISPLACED_THAI_SHARE = 0.25
# Characters that TIS-620 bytes become when read as Latin-1 / cp1252: the bytes
# cp874 decodes as Thai (0xA1-0xDA, 0xDF-0xFB). A text with none of the Thai
# script and at least this many of them, making at least this share of its
# non-ASCII characters, is Thai read in the wrong charset.
THAI_AS_LATIN1 = re.compile("[\u00a1-\u00da\u00df-\u00fb]")
THAI_AS_LATIN1_MIN = 20
THAI_AS_LATIN1_SHARE = 0.8
# TIS-620 Thai that is valid UTF-8 by chance. UTF-8 writes the letters á-ÿ (U+00E1-U+00FF)
# as C3 A1-BF, and cp874 reads C3 as ร and A1-BF as the consonants ก-ฟ: TIS-620 "รถ" is
# C3 B6, UTF-8 "ö". Real UTF-8 Thai is three bytes a character (E0 B8/B9 xx), so a text
# with a Thai character is UTF-8 and never read again; and European words hold these
# letters among Latin ones ("café", "Zürich", "señor"). So a text whose only non-ASCII
# characters are these letters, none beside a Latin letter, is Thai in TIS-620 read as
# UTF-8. Left out: ÷ (C3 B7, "รท") and the symbols C2 A1-BF ("©" C2 A9, "ยฉ"), which a
# UTF-8 page puts between spaces ("© 2024", " » ", "10 ÷ 2"). What remains misread: a
# lone accented word on a page of a Thai site that declares neither charset nor another
# language (Portuguese "é"), read as two Thai letters. A text file is held to more: no
# Latin letter at all outside its source line (a file of English words with a lone "é"
# stays UTF-8).
THAI_AS_UTF8 = "\u00e1-\u00f6\u00f8-\u00ff"
_ONLY_THAI_AS_UTF8 = re.compile(f"[{THAI_AS_UTF8}]+")
_THAI_AS_UTF8_IN_A_WORD = re.compile(f"[A-Za-z][{THAI_AS_UTF8}]|[{THAI_AS_UTF8}][A-Za-z]")
_ASCII = re.compile("[\x00-\x7f]+")
_LATIN_LETTER = re.compile("[A-Za-z]")
# A text file's source line in English (``Source: URL``), as the plain-text format reads it
# (:data:`~thaidigest.normalise.SOURCE_FOOTER`); one in Thai is not UTF-8 by chance.
_SOURCE_LINE = re.compile(rf"^[ \t]*{SOURCE_FOOTER}$", re.IGNORECASE | re.MULTILINE)
CHUNK_BYTES = 1 << 20
UTF8_MAX_BYTES = 4  # bytes of the longest UTF-8 character
BLANK = re.compile(rb"[ \t\r\n]*")
UTF8_BOM = b"\xef\xbb\xbf"
# How a compressed file begins: a .jsonl file that does is refused once, not line by line.
GZIP_MAGIC = b"\x1f\x8b"
XZ_MAGIC = b"\xfd7zXZ\x00"
# A legacy .lzma file (lzma.FORMAT_ALONE, `xz --format=lzma`), which lzma.open reads too, has
# no magic: a 13-byte header liblzma's auto decoder accepts when its properties byte says
# lc + lp <= 4 (0x5d, the default, and the like), its dictionary size is 2^n or 2^n + 2^(n-1)
# bytes (or all ones), and its uncompressed size is unknown (all ones) or under 256 GiB.
LZMA_ALONE_HEADER = 13
LZMA_MAX_PROPERTIES = (4 * 5 + 4) * 9 + 8  # pb <= 4, lp <= 4, lc <= 8, as one byte
LZMA_UNKNOWN_DICT = 0xFFFF_FFFF
LZMA_UNKNOWN_SIZE = 0xFFFF_FFFF_FFFF_FFFF
LZMA_MAX_SIZE = 1 << 38
# Lines of nothing but whitespace (str.isspace's) and characters that show nothing
# (zero-width, direction and control characters, which normalising removes), at the start
# of a text: a title line of them would be an empty headline, the article refused.
BLANK_LINES = re.compile(rf"(?:(?:[^\S\n]|{INVISIBLE.pattern})*\n)*")

THAI_CHARACTERS = "\u0e01-\u0e5b"  # the Thai block's characters, ก to ๛, as a class range
# Thai characters by the place they take: a vowel sign or tone mark sits on a
# consonant; a leading vowel stands before one.
THAI_CONSONANTS = "".join(map(chr, range(0x0E01, 0x0E2F)))
THAI_MARKS = (
    "\u0e31" + "".join(map(chr, range(0x0E34, 0x0E3B))) + "".join(map(chr, range(0x0E47, 0x0E4F)))
)
THAI_LEADING_VOWELS = "\u0e40\u0e41\u0e42\u0e43\u0e44"
MISPLACED_THAI = re.compile(
    f"(?<![\u0e01-\u0e4e])[{THAI_MARKS}]"  # a mark on no Thai letter
    f"|[{THAI_LEADING_VOWELS}](?![{THAI_CONSONANTS}])"  # a leading vowel before no consonant
    f"|(?<=[A-Za-z])[{THAI_CHARACTERS}](?=[A-Za-z])"  # one Thai character inside a Latin word
)
THAI = re.compile(f"[{THAI_CHARACTERS}]")
THAI_RUN = re.compile(f"[{THAI_CHARACTERS}]+")
THAI_WORD_MIN = 3  # Thai letters in a row that make a word of a TIS-620 line, not a stray byte
THAI_WORD = re.compile(f"[{THAI_CHARACTERS}]{{{THAI_WORD_MIN},}}")
THAI_WORDS_SHARE = 0.8  # of a TIS-620 line's Thai letters, at least this share in such words
# Bytes that are not UTF-8, as ``surrogateescape`` decodes them: one character each.
_STRAY_BYTES = re.compile("[\udc80-\udcff]+")


class UnreadableInput(ValueError):
    """An input that is not text in a known encoding."""


class BrokenUtf8(UnreadableInput):
    """UTF-8 but for a few bytes (too few for the text to be in another encoding)."""


@dataclass(frozen=True)
class ReadLimits:
    """How much one input may hold (``[import]`` in the settings)."""

    max_line_bytes: int = DEFAULTS["import"]["max_line_bytes"]
    max_article_chars: int = DEFAULTS["import"]["max_article_chars"]

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ReadLimits:
        settings = config["import"]
        return cls(int(settings["max_line_bytes"]), int(settings["max_article_chars"]))


def plausible_thai(text: str) -> bool:
    """Whether the Thai characters of ``text`` stand where Thai writing puts them.

    Latin-1 or cp1252 bytes read as TIS-620 turn accented letters into Thai
    vowel signs, tone marks and digits inside Latin words: ``café`` reads
    ``caf้``. Real Thai has (nearly) none out of place.
    """
    thai = len(THAI.findall(text))
    if not thai:
        return True
    misplaced = len(MISPLACED_THAI.findall(text))
    return misplaced <= MISPLACED_THAI_SHARE * thai


def decode_text(data: bytes) -> str:
    """Text of a file in UTF-8 (with or without BOM) or TIS-620 / cp874.

    bs4's ``UnicodeDammit`` tries :data:`TEXT_ENCODINGS` in turn (a byte-order
    mark stripped); what it would guess beyond them is not taken. Raises
    :class:`UnreadableInput` for broken UTF-8, for text with another byte-order
    mark (``UTF-16 (byte-order mark): save it as UTF-8``, as Notepad's "Unicode"
    writes it; UTF-32) and for bytes in another single-byte encoding (Latin-1 and
    the like), which would be stored as mojibake.
    """
    dammit = UnicodeDammit(data, known_definite_encodings=list(TEXT_ENCODINGS))
    marked = dammit.detector.sniffed_encoding  # utf-16le, utf-32be...: a byte-order mark's
    if marked not in (None, "utf-8"):  # Notepad's "Unicode" is UTF-16 with a mark
        raise UnreadableInput(f"{marked[:6].upper()} (byte-order mark): save it as UTF-8")
    if not dammit.markup:  # nothing but a BOM (UnicodeDammit fails on "")
        return ""
    controls = len(data) - len(data.translate(None, CONTROLS))  # no list of matches
    if controls > CONTROLS_SHARE * len(data):
        raise UnreadableInput(
            "mostly control characters: UTF-16 or UTF-32 without a byte-order mark?"
        )
    decoded = not dammit.contains_replacement_characters  # strictly, in ours
    if decoded and dammit.original_encoding == "utf-8":
        return dammit.unicode_markup
    invalid_at = _invalid_utf8_at(data)
    non_ascii = sum(1 for byte in data if byte >= 0x80)
    undecodable = data.decode("utf-8", "replace").count("\ufffd")
    if undecodable < BROKEN_UTF8_SHARE * non_ascii:
        raise BrokenUtf8(f"invalid UTF-8 at byte {invalid_at}")
    neither = f"neither UTF-8 (invalid at byte {invalid_at}) nor TIS-620"
    if not decoded or dammit.original_encoding != "cp874":
        raise UnreadableInput(neither)
    text = dammit.unicode_markup
    # Thai has words of several letters: lone ones between Latin ("25ฐC", "Copyright ฉ 2024")
    # are Latin-1 symbols read as cp874.
    if not (plausible_thai(text) and THAI_WORD.search(text)):
        raise UnreadableInput(f"{neither}: Latin-1 or another encoding?")
    return text


def decode_page(data: bytes) -> str:
    """A web page's text from its bytes, when its declared charset read it wrong.

    As :func:`decode_text`, except that a UTF-8 page with lines in TIS-620 (a
    paragraph pasted from an older page) is read line by line
    (:func:`decode_mixed_lines`), and a page valid UTF-8 but for a few other bytes
    is kept, those bytes read as the Thai letters they stand for in TIS-620 inside
    Thai text, else as U+FFFD (:func:`decode_utf8_with_stray_bytes`): a stray byte
    must not lose the article. TIS-620 is taken only when the bytes decode cleanly as cp874 and
    read as Thai. Raises :class:`UnreadableInput` when the page is neither.
    """
    try:
        return decode_text(data)
    except BrokenUtf8:
        mixed = decode_mixed_lines(data)
        return decode_utf8_with_stray_bytes(data.removeprefix(UTF8_BOM)) if mixed is None else mixed
    except UnreadableInput:
        mixed = decode_mixed_lines(data)
        if mixed is None:
            raise
        return mixed


def decode_thai_page(data: bytes) -> str:
    """The text of a Thai site's page that declares no charset, from its bytes.

    As :func:`decode_page` (UTF-8, else TIS-620 / cp874 when it reads as Thai), except
    that bytes that are UTF-8 only by chance (:func:`thai_read_as_utf8`: a short Thai
    text such as ``รถ``, read as ``ö``) are read as TIS-620, unless a UTF-8 byte-order
    mark says they are UTF-8. Raises :class:`UnreadableInput` when the page is neither.
    """
    return _thai_unless_utf8_by_chance(data, decode_page(data))


def decode_thai_text(data: bytes) -> str:
    """The text of a file of Thai news (the plain-text format), from its bytes.

    As :func:`decode_text`, except that bytes that are UTF-8 only by chance are read
    as TIS-620, as :func:`decode_thai_page` reads them, when no Latin letter stands
    outside the file's source line: a short Thai file has none, an English one with a
    lone accented word (``O Brasil é grande``) stays UTF-8. Raises
    :class:`UnreadableInput` as :func:`decode_text` does.
    """
    text = decode_text(data)
    if _LATIN_LETTER.search(_SOURCE_LINE.sub("", text)):
        return text
    return _thai_unless_utf8_by_chance(data, text)


def _thai_unless_utf8_by_chance(data: bytes, text: str) -> str:
    """``text``, what ``data`` decoded to, or ``data`` read as TIS-620 when ``text`` is
    short Thai that decoded as UTF-8 by chance (:func:`thai_read_as_utf8`) and no UTF-8
    byte-order mark says it is UTF-8."""
    if data.startswith(UTF8_BOM) or not thai_read_as_utf8(text):
        return text
    return data.decode("cp874")  # its non-ASCII bytes are all C3 A1-BF: cp874 reads them


def thai_read_as_utf8(text: str) -> bool:
    """Whether ``text`` looks like TIS-620 bytes that decoded as UTF-8 by chance: no
    character of the Thai script, and no non-ASCII character but letters cp874 reads as
    two Thai consonants (:data:`THAI_AS_UTF8`), none beside a Latin letter."""
    if THAI.search(text) or _THAI_AS_UTF8_IN_A_WORD.search(text):
        return False
    return bool(_ONLY_THAI_AS_UTF8.fullmatch(_ASCII.sub("", text)))


def decode_mixed_lines(data: bytes) -> str | None:
    """``data`` read line by line: each line in UTF-8, or, when it is not UTF-8, in
    TIS-620 / cp874 if it reads as Thai words so (:func:`thai_words_line`), or else in
    UTF-8 with U+FFFD for its bad bytes; None when no line is TIS-620, or no line is
    UTF-8 beyond ASCII (a page wholly in one encoding is :func:`decode_text`'s).

    A line of TIS-620 Thai is almost never valid UTF-8 (its bytes 0xA1-0xFB make no
    UTF-8 sequence but by chance, and a line of Thai holds many), so a line that is
    valid UTF-8 is taken as such; a short one that is (``รถ`` is UTF-8 ``ö``) stays so.
    """
    lines = []
    utf8 = tis620 = False
    for line in data.removeprefix(UTF8_BOM).splitlines(keepends=True):
        try:
            lines.append(line.decode("utf-8"))
            utf8 = utf8 or not line.isascii()
            continue
        except UnicodeDecodeError:
            pass
        text = line.decode("cp874", errors="replace")
        if "\ufffd" not in text and thai_words_line(text):
            lines.append(text)
            tis620 = True
        else:
            lines.append(decode_utf8_with_stray_bytes(line))
    return "".join(lines) if utf8 and tis620 else None


def decode_utf8_with_stray_bytes(data: bytes) -> str:
    """``data`` in UTF-8, each run of bytes that is not UTF-8 read as TIS-620 / cp874 when
    it makes Thai letters that stand in Thai text (:func:`stray_thai`: a letter typed in
    an older encoding inside a word), else as U+FFFD. A run that is the start of one UTF-8
    character cut short (``E0 B8``, which TIS-620 reads ``เธ``) is the page's own text
    cut, U+FFFD too: so are two TIS-620 letters that happen to make one (``เก``)."""
    text = data.decode("utf-8", errors="surrogateescape")  # a stray byte: U+DC80-U+DCFF
    return _STRAY_BYTES.sub(lambda run: _stray_text(run, text), text)


def _stray_text(run: re.Match[str], text: str) -> str:
    """What a run of stray bytes in ``text`` (surrogate-escaped) reads as."""
    data = run[0].encode("utf-8", errors="surrogateescape")
    replaced = data.decode("utf-8", errors="replace")
    if len(data) > 1 and len(replaced) == 1:  # one UTF-8 character cut short: the page's own
        return replaced
    before, after = text[run.start() - 1 : run.start()], text[run.end() : run.end() + 1]
    thai = data.decode("cp874", errors="replace")
    return thai if stray_thai(before, thai, after) else replaced


def stray_thai(before: str, letters: str, after: str) -> bool:
    """Whether ``letters``, stray bytes read as TIS-620 between the characters ``before``
    and ``after``, are Thai typed in the wrong encoding: all Thai, next to a Thai
    character, and in their place there (:data:`MISPLACED_THAI`: a tone mark on a
    consonant, a leading vowel before one). A Latin-1 byte reads as a lone Thai letter
    or mark beside Latin ones or spaces (``café`` as ``caf้``, ``© 2024`` as ``ฉ 2024``)."""
    beside_thai = bool(THAI.fullmatch(before) or THAI.fullmatch(after))
    if not (beside_thai and THAI_RUN.fullmatch(letters)):
        return False
    start, end = len(before), len(before) + len(letters)
    misplaced = MISPLACED_THAI.finditer(before + letters + after)
    return not any(start <= found.start() < end for found in misplaced)


def thai_words_line(text: str) -> bool:
    """Whether ``text``, a line read as cp874, reads as Thai: at least
    :data:`THAI_WORD_MIN` Thai letters in a row, most of its Thai letters in such runs,
    and :func:`plausible_thai`. A Latin-1 or cp1252 line read as cp874 has lone Thai
    letters between Latin ones (``Copyright ฉ 2024``, ``ษconomie``, ``25ฐC``)."""
    runs = [len(run) for run in THAI_RUN.findall(text)]
    in_words = sum(length for length in runs if length >= THAI_WORD_MIN)
    return bool(runs) and in_words >= THAI_WORDS_SHARE * sum(runs) and plausible_thai(text)


def thai_read_as_latin1(text: str) -> bool:
    """Whether ``text`` looks like TIS-620 bytes decoded as Latin-1 or cp1252.

    No character of the Thai script, and many (:data:`THAI_AS_LATIN1_MIN`, nearly
    all of the non-ASCII ones) that cp874 would read as Thai: ``»ÃÐà·Èä·Â`` for
    ``ประเทศไทย``. A page written in Latin-1 mixes its accented letters with ASCII
    words and other symbols; whether its bytes really read as Thai is for
    :func:`decode_page` to tell.
    """
    if THAI.search(text):
        return False
    thai_like = len(THAI_AS_LATIN1.findall(text))
    non_ascii = sum(1 for character in text if ord(character) > 0x7F)
    return thai_like >= THAI_AS_LATIN1_MIN and thai_like >= THAI_AS_LATIN1_SHARE * non_ascii


def _invalid_utf8_at(data: bytes) -> int:
    """Where ``data`` stops being UTF-8 (its length when it is UTF-8)."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return error.start
    return len(data)


def parse_plain_text(text: str, url: str) -> RawArticle:
    """A raw article from text in the plain-text format; ``url`` names where it came from."""
    # The title is cut off at its line break: splitting a body of hundreds of lines and
    # joining them again cost more than the rest of reading it.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    start = BLANK_LINES.match(text).end()
    end = text.find("\n", start)
    title, body = (text[start:], "") if end < 0 else (text[start:end], text[end + 1 :])
    if _blank(title):
        raise ValueError("empty file")
    if _blank(body):
        raise ValueError(NO_BODY)
    return RawArticle(url=url, source="file", title=title, body=body)


def _blank(text: str) -> bool:
    """Whether ``text`` is empty or all whitespace: ``not text.strip()`` without its copy."""
    return not text or text.isspace()


def _check_length(text: str, limits: ReadLimits) -> None:
    if len(text) > limits.max_article_chars:
        raise ValueError(
            f"{len(text):,} characters, more than import.max_article_chars "
            f"({limits.max_article_chars:,})"
        )


def read_text_file(path: Path, limits: ReadLimits | None = None) -> RawArticle | Rejected:
    """One article from a ``.txt`` file in the plain-text format. Its body must hold some
    text once normalised (``needs_body``): one of only characters that show nothing,
    a date line or a ``ที่มา :`` line is refused there, as white space alone is here.

    A file without a ``ที่มา :`` source line is stored under its ``file:`` URL,
    which is never published (no link, no "also on").
    """
    limits = limits or ReadLimits()
    try:
        with path.open("rb") as handle:
            data = handle.read(limits.max_article_chars * UTF8_MAX_BYTES + 1)
            if handle.read(1):
                raise ValueError(
                    f"larger than import.max_article_chars ({limits.max_article_chars:,}"
                    " characters) allows"
                )
        if not data.strip():
            raise ValueError("empty file")
        text = decode_thai_text(data)
        _check_length(text, limits)
        raw = parse_plain_text(text, path.resolve().as_uri())
        return replace(raw, where=str(path), needs_body=True)
    except OSError as error:
        return Rejected(str(path), os_reason(error))
    except ValueError as error:
        return Rejected(str(path), str(error))


def _string(record: dict[str, Any], name: str) -> str | None:
    """A record's string field (None when absent); ValueError when it is not a valid string."""
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{name}' is not a string")
    try:
        # A lone surrogate is the one character no UTF encodes; UTF-16 finds it
        # three times faster than UTF-8 in Thai text.
        value.encode("utf-16-le")
    except UnicodeEncodeError as error:
        surrogate = error.object[error.start]
        raise ValueError(f"'{name}' holds a lone surrogate ({surrogate!a})") from None
    return value


def corpus_record_article(record: object, limits: ReadLimits | None = None) -> RawArticle:
    """A raw article from one corpus JSON object (``id``, ``url``, ``category``, ``text``),
    or from one record of ``thaidigest export`` (``title`` and ``body`` instead of
    ``text``, ``source_id`` for ``id``; its ``published`` and ``extraction`` kept).
    """
    limits = limits or ReadLimits()
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    if "text" not in record and "title" in record:
        return _export_record_article(record, limits)
    text = _string(record, "text")
    if text is None or _blank(text):
        raise ValueError("no 'text' field")
    _check_length(text, limits)
    url = _web_url(record)
    category = _string(record, "category")
    raw = parse_plain_text(text, url)
    return RawArticle(
        url=url,
        source=source_of(url),
        title=raw.title,
        body=raw.body,
        source_id=_source_id(record, url),
        category=category,
    )


def _export_record_article(record: dict[str, Any], limits: ReadLimits) -> RawArticle:
    """A raw article from an export record: its headline, body, date and extraction,
    and what readers saw of its past: when it was found and its version number.

    What the store derives (language, relevance, topics, partners, clusters) is
    worked out again, not copied.
    """
    title = _string(record, "title")
    if title is None:
        raise ValueError("no 'title' field")
    if not title.strip():
        raise ValueError("'title' is empty")
    body = _string(record, "body")
    if body is None:
        raise ValueError("no 'body' field")  # an empty body is news all the same
    _check_length(title + body, limits)
    url = _web_url(record, file_urls=True)
    # The clock only bounds the dates believed, as the normaliser's does.
    today = bangkok_today()
    published = _string(record, "published")
    published_hint = _export_date(published, today) if published else None
    extraction = _string(record, "extraction") or "text"
    if extraction not in EXTRACTIONS:
        raise ValueError(f"'extraction' is not one of {', '.join(EXTRACTIONS)}")
    return RawArticle(
        url=url,
        source=source_of(url),
        title=title,
        body=body,
        source_id=_source_id(record, url, "source_id"),
        category=_string(record, "category"),
        published_hint=published_hint,
        extraction=extraction,
        first_seen=_stored_time(record, "first_seen", today),
        last_changed=_stored_time(record, "last_changed", today),
        versions=_versions(record),
    )


def _export_date(published: str, today: date) -> date:
    """An export record's ``published``: an ISO date in the Common Era, as ``thaidigest
    export`` writes it (a Buddhist-era year is refused: see :func:`_common_era`).

    A date no publication date can have on ``today`` (:func:`publication_date`: a
    database an earlier thaidigest wrote kept ``1970-01-01`` for an empty page, ``2113``
    for a year typed wrong) is read as it is: the normaliser drops it, as it drops any
    such date, and the article is imported undated (the import counts such records: see
    :class:`UnbelievedPublished`). So is a year after ``LAST_CE_YEAR`` that is no
    plausible Buddhist-era one (``9999``, ``2656``: 2113), which has no date to give."""
    try:
        day = date.fromisoformat(published)
    except ValueError:
        raise ValueError(f"'published' {published!r} is not a date like 2024-08-20") from None
    if day.year > LAST_CE_YEAR and _believed_year(day.year - BE_OFFSET, today):
        _common_era("published", published, day, date.isoformat, today)  # refused
    return day


def _believed_year(year: int, today: date) -> bool:
    """Whether a publication date in ``year`` is believed on ``today``
    (:func:`publication_date`, whose range runs from a 1 January to a 31 December)."""
    return publication_date(date(year, 1, 1), today) is not None


def _common_era(
    name: str, text: str, when: When, write: Callable[[When], str], today: date
) -> When:
    """``when`` (the field ``name``, read from ``text``) if its year is in the Common Era.

    A Buddhist-era year (after ``LAST_CE_YEAR``: ``2567-08-23``) is refused naming what
    it would be (as ``write`` writes it), not converted: the export's dates and times are
    ISO, and a year five centuries ahead would be stored as no date at all (never
    believed) or as the time of the import (a first seen or last change after now).
    A year after ``LAST_CE_YEAR`` that is no plausible Buddhist-era one either (``9999``:
    9456 CE), outside the years a publication date is believed on ``today``, is refused
    as out of range, not called Buddhist-era."""
    if when.year <= LAST_CE_YEAR:
        return when
    common_era = when.year - BE_OFFSET
    if not _believed_year(common_era, today):
        first, last = EARLIEST_PUBLISHED.year, latest_published(today).year
        raise ValueError(
            f"'{name}' {text!r}: year {when.year} is out of range (after {LAST_CE_YEAR},"
            f" and read as Buddhist-era {common_era}, not from {first} to {last})"
        )
    era = f"'{name}' {text!r} has a Buddhist-era year ({when.year} BE is {common_era})"
    try:
        meant = when.replace(year=common_era)
    except ValueError:  # 29 February of a BE leap year that is no CE one
        raise ValueError(f"{era}, and {common_era}-{when:%m-%d} is no date") from None
    raise ValueError(f"{era}: give {write(meant)}")


def _stored_time(record: dict[str, Any], name: str, today: date) -> str | None:
    """The record's time ``name`` as the store writes it (None when absent).

    Only a time the store writes as it reads it back: a zone that moves it before year 1
    or after 9999 in UTC, or a year before 1000 (written with fewer than four digits, no
    time to read again nor to sort), is refused, and so is a Buddhist-era year, or a year
    out of range, on ``today`` (see :func:`_common_era`). A time after now in the Common Era
    is the ingestor's to judge."""
    text = _string(record, name)
    if text is None:
        return None
    try:
        moment = parse_iso(text)
        if moment.tzinfo is None:
            raise ValueError("no time zone")
        stored = iso(moment)
        parse_iso(stored)  # a year before 1000 has fewer than four digits: no time to read
    except (ValueError, OverflowError):
        raise ValueError(f"'{name}' {text!r} is not a time like 2024-08-23T10:00:00Z") from None
    _common_era(name, text, moment, iso, today)
    return stored


def _versions(record: dict[str, Any]) -> int:
    """The record's ``versions``: the number of the article's latest version (1 when absent)."""
    value = record.get("versions", 1)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VERSIONS:
        raise ValueError(f"'versions' is not a whole number from 1 to {MAX_VERSIONS:,}")
    return value


def _web_url(record: dict[str, Any], *, file_urls: bool = False) -> str:
    """The record's ``url``: a web address, or with ``file_urls`` also the ``file:``
    URL a text file without a source line is stored (and exported) under."""
    url = _string(record, "url")
    if url is None:
        raise ValueError("no 'url' field")
    if not url.strip():
        raise ValueError("'url' is empty")
    if file_urls and _is_stored_file_url(url):
        return url
    problem = web_url_problem(url)
    if problem:
        raise ValueError(f"'url' {problem}")
    return url


def _is_stored_file_url(url: str) -> bool:
    """A ``file:`` URL as :meth:`Path.as_uri` writes it: no host, every odd character
    percent-encoded. It is never fetched nor published (``digest/clean.py``)."""
    parts = urlsplit(url)
    return parts.scheme == "file" and not parts.netloc and url.isascii() and url.isprintable()


def _source_id(record: dict[str, Any], url: str, name: str = "id") -> str | None:
    """The record's ``id``: the site's article number, the one in its URL when that has one.

    The crawl walks on from the highest stored number, so an id is a whole
    number of at most ``MAX_ID_DIGITS`` digits (``nan``, ``1e+300``, control
    characters are refused) and never a number the URL contradicts.
    """
    value = record.get(name)
    if value is None:
        return None  # normalising takes the URL's
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"'{name}' is neither a number nor a string")
    text = str(value).strip() if not isinstance(value, float) else ""
    # Digits of any script, as in a URL: ๘๗๓๘๓ is 87383 (str.isdigit would take "²").
    if not (text.isdecimal() and len(text) <= MAX_ID_DIGITS):
        raise ValueError(f"'{name}' is not a whole number of at most {MAX_ID_DIGITS} digits")
    number = plain_id(ascii_digits(text))  # 087383 is 87383, as in a URL
    in_url = article_id(url)
    if in_url is not None and in_url != number:
        raise ValueError(f"'{name}' {text} is not the article number in its 'url' ({in_url})")
    return number


class LineReader:
    """The non-blank lines of a binary stream with their line numbers, read in chunks.

    A line longer than ``max_bytes`` comes as ``None`` and is never held
    whole; blank lines are skipped in bulk and counted in :attr:`blank`.
    :attr:`number` is the number of the line being read, for errors.
    A chunk is what the stream has at hand (``read1``), so every line a
    compressed file holds before it breaks off comes before its error.
    """

    def __init__(self, stream: BufferedIOBase, max_bytes: int) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.number = 1
        self.blank = 0

    def __iter__(self) -> Iterator[tuple[int, bytes | None]]:
        line = bytearray()
        too_long = started = False
        while chunk := self.stream.read1(CHUNK_BYTES):
            position, end = 0, len(chunk)
            while position < end:
                if not started:
                    skipped = BLANK.match(chunk, position).end()
                    newlines = chunk.count(b"\n", position, skipped)
                    self.number += newlines
                    self.blank += newlines
                    position = skipped
                    if position == end:
                        break
                    started = True
                newline = chunk.find(b"\n", position)
                stop = end if newline < 0 else newline
                if not too_long:
                    line += chunk[position:stop]
                    if len(line) > self.max_bytes:
                        too_long = True
                        line = bytearray()
                if newline < 0:
                    break
                yield self.number, None if too_long else bytes(line)
                line.clear()
                too_long = started = False
                self.number += 1
                position = newline + 1
        if started:
            yield self.number, None if too_long else bytes(line)


def _decompressed(path: Path, raw: BufferedIOBase) -> BufferedIOBase:
    """The stream of the JSON lines the file ``raw`` holds: xz-decompressed for an ``.xz``
    file (nothing read yet: :func:`_compression_problem` peeks at its first bytes first)."""
    return lzma.LZMAFile(raw) if _ends_with(path, (".xz",)) else raw


def _is_lzma_alone(head: bytes) -> bool:
    """Whether ``head``, a file's first bytes (up to :data:`LZMA_ALONE_HEADER`), can begin a
    legacy .lzma file, as liblzma's auto decoder, which ``lzma.open`` uses, judges it; a
    header cut short is judged by what there is of it."""
    if not head or head[0] > LZMA_MAX_PROPERTIES:
        return False
    pb_lp_lc = head[0] % (9 * 5)  # pb set aside
    if pb_lp_lc // 9 + pb_lp_lc % 9 > 4:  # lp + lc
        return False
    if len(head) >= 5:
        dict_size = int.from_bytes(head[1:5], "little")
        if dict_size != LZMA_UNKNOWN_DICT and not _is_lzma_dict_size(dict_size):
            return False
    if len(head) >= LZMA_ALONE_HEADER:
        size = int.from_bytes(head[5:13], "little")
        if size != LZMA_UNKNOWN_SIZE and size >= LZMA_MAX_SIZE:
            return False
    return True


def _is_lzma_dict_size(size: int) -> bool:
    """Whether ``size`` is 2^n or 2^n + 2^(n-1), the sizes liblzma reads in a .lzma header
    (0 too, which it takes for its smallest)."""
    if size == 0:
        return True
    high = 1 << (size.bit_length() - 1)
    return size in (high, high | (high >> 1))


def _compression_problem(path: Path, head: bytes) -> str | None:
    """Why the JSON lines file ``path``, whose first bytes are ``head``, cannot be read as its
    name says: an ``.xz`` file that is not xz data, a ``.jsonl`` file that is compressed; None
    when it can (an empty file, or one cut short, says so as it is read)."""
    if _ends_with(path, (".xz",)):
        magic = head[: len(XZ_MAGIC)]
        if not head or magic == XZ_MAGIC[: len(magic)] or _is_lzma_alone(head):
            return None  # xz, or legacy .lzma data, both of which lzma.open reads
        if head.startswith(GZIP_MAGIC):
            return (
                "not xz-compressed data: it is gzip-compressed; decompress it (gunzip -c) and "
                "import the plain .jsonl file, or recompress that with xz"
            )
        return (
            "not xz-compressed data: name it .jsonl if it holds plain JSON lines, or "
            "compress it with xz"
        )
    if head.startswith(GZIP_MAGIC):
        return (
            "gzip-compressed, not plain JSON lines: decompress it (gunzip -c FILE > plain.jsonl) "
            "and import that, or recompress it with xz as a .jsonl.xz file"
        )
    if head.startswith(XZ_MAGIC):
        return "xz-compressed, not plain JSON lines: name it .jsonl.xz, or decompress it (unxz)"
    return None


def _line_article(line: bytes, limits: ReadLimits) -> RawArticle:
    """The article of one JSON line; ValueError saying what is wrong with it."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"not UTF-8: byte 0x{line[error.start]:02x} at column {error.start + 1}"
        ) from None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        at = "" if error.msg.endswith(" at") else " at"  # "Unterminated string starting at"
        raise ValueError(f"invalid JSON: {error.msg}{at} column {error.colno}") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None
    return corpus_record_article(record, limits)


def read_jsonl_file(
    path: Path, limits: ReadLimits | None = None
) -> Iterator[RawArticle | Rejected]:
    """Articles from a corpus-format JSON lines file, plain or xz, streamed."""
    limits = limits or ReadLimits()
    lines = 0
    reader: LineReader | None = None
    try:
        with path.open("rb") as raw, _decompressed(path, raw) as stream:
            # peek, not read: a named pipe (mkfifo corpus.jsonl) keeps its first bytes
            problem = _compression_problem(path, raw.peek(LZMA_ALONE_HEADER)[:LZMA_ALONE_HEADER])
            if problem:
                yield Rejected(str(path), problem)
                return
            reader = LineReader(stream, limits.max_line_bytes)
            for number, line in reader:
                lines += 1
                where = f"{path}:{number}"
                if line is None:
                    yield Rejected(
                        where,
                        f"line longer than import.max_line_bytes ({limits.max_line_bytes:,} bytes)",
                    )
                    continue
                if number == 1:
                    line = line.removeprefix(UTF8_BOM)
                try:
                    article = _line_article(line, limits)
                except ValueError as error:
                    yield Rejected(where, str(error))
                else:  # a rejection found later (no headline) names the line too
                    yield replace(article, where=where)
    except (OSError, EOFError, lzma.LZMAError) as error:
        number = reader.number if reader else 1
        reason = os_reason(error) if isinstance(error, OSError) else str(error)
        yield Rejected(f"{path}:{number}", f"cannot read: {reason}")
        return
    if not lines:
        blank = reader.blank if reader else 0
        reason = f"no articles: {counted(blank, 'blank line', thousands=True)}"
        yield Rejected(str(path), reason if blank else "empty file")


def _ends_with(path: Path, suffixes: tuple[str, ...]) -> bool:
    return path.name.lower().endswith(suffixes)


def is_text_file(path: Path) -> bool:
    """Whether import reads ``path`` as a file in the plain-text format: its name ends in
    :data:`TEXT_SUFFIXES`, in any case (``A.TXT``, and a file named ``.txt``)."""
    return _ends_with(path, TEXT_SUFFIXES)


def _left_out(name: str, *, folder: bool) -> bool:
    """Whether import passes over a folder's subfolder (``folder``) or file of this name
    without a word, at any depth: a hidden folder or one of :data:`NOT_ARTICLE_FOLDERS`
    is never looked through, a Python package's own file (:data:`PACKAGE_FILES`) and a
    site's (:data:`SITE_FILES`) are never imported nor counted among its other files."""
    if folder:
        return name.startswith(".") or name in NOT_ARTICLE_FOLDERS
    return name in PACKAGE_FILES or name.lower() in SITE_FILES


def expand_paths(
    paths: list[Path], on_skipped: Callable[[Rejected], None] | None = None
) -> Iterator[Path | Rejected]:
    """Files to import: the given files, and the importable files directly in given folders.

    A file named of another type is rejected, and so is one :func:`_left_out` names (a
    site's ``robots.txt``, named), and a folder with none to import, naming the
    subfolders it holds, which are not read (a folder of folders of articles said only that
    it held no file to import); a folder's files of other types, and the subfolders of one
    with files to import that hold files import reads (:func:`_holds_files_to_import`), are
    told to ``on_skipped`` in one note (how many, and the first by name), not rejected (its
    subfolders were left out without a word); what :func:`_left_out` names is not one of
    them (a package's ``__init__.py``, a site's ``robots.txt``, a hidden folder), nor a
    subfolder of none (seeds/site).
    """
    for path in paths:
        if path.is_dir():
            try:  # a folder listed but not entered (r--): its files cannot be looked at
                children = sorted(path.iterdir())
                files = [
                    child
                    for child in children
                    if child.is_file() and not _left_out(child.name, folder=False)
                ]
                subfolders = [
                    child.name
                    for child in children
                    if child.is_dir() and not _left_out(child.name, folder=True)
                ]
            except OSError as error:
                yield Rejected(str(path), f"cannot read the folder: {os_reason(error)}")
                continue
            wanted = [child for child in files if _ends_with(child, IMPORTABLE_SUFFIXES)]
            others = [child.name for child in files if not _ends_with(child, IMPORTABLE_SUFFIXES)]
            if not wanted:
                reason = f"no {SUFFIX_NAMES} file in it"
                if others:
                    reason += f" ({counted(len(others), 'other file')}, such as {others[0]})"
                not_read = _subfolders_not_read(subfolders)
                yield Rejected(str(path), "; ".join(filter(None, (reason, not_read))))
                continue
            # Beside files it imports, only a subfolder of files it would read is worth a
            # word: a fixture site's folder (seeds/site) or one of pictures is no article left.
            seen: set[tuple[int, int]] = set()  # one budget for all its subfolders
            not_read = _subfolders_not_read(
                [name for name in subfolders if _holds_files_to_import(path / name, seen)]
            )
            strays = (
                f"{counted(len(others), 'file')} not {SUFFIX_NAMES}, such as {others[0]}"
                if others
                else None
            )
            if (strays or not_read) and on_skipped is not None:
                on_skipped(Rejected(str(path), "; ".join(filter(None, (strays, not_read)))))
            yield from wanted
        elif not path.exists():
            yield Rejected(str(path), "no such file or folder")
        elif not _ends_with(path, IMPORTABLE_SUFFIXES):  # rejected before anything is read,
            yield _unknown_type(path)  # as a folder with none to import is
        elif _left_out(path.name, folder=False):  # named, as a folder's is left out
            yield Rejected(str(path), "a site's own file, not an article")
        else:  # a file, or a named pipe another program writes the corpus into
            yield path


def _holds_files_to_import(folder: Path, seen: set[tuple[int, int]]) -> bool:
    """Whether ``folder`` or a folder within it, however deep, holds a file import would
    read (:data:`IMPORTABLE_SUFFIXES`, not :func:`_left_out`, as :func:`expand_paths` reads):
    ``arts/2024/01/b.txt`` is an article ``arts/`` leaves unread as much as ``arts/b.txt``.
    Folders are looked through shallowest first, up to the first such file, leaving out
    those :func:`_left_out` names (hidden, :data:`NOT_ARTICLE_FOLDERS`), links to
    folders within it (a link to ``/`` would have it look through the machine) and any in
    ``seen``, the folders looked through already, which the subfolders of one folder share:
    ``folder`` itself when it cannot be listed may hold one (a folder within it that cannot
    be, ``lost+found``, is passed over), and so may every folder once
    :data:`MAX_FOLDERS_LOOKED_THROUGH` have been looked through."""
    waiting: deque[Path] = deque([folder])
    while waiting:
        if len(seen) >= MAX_FOLDERS_LOOKED_THROUGH:
            return True
        current = waiting.popleft()
        try:
            identity = current.stat()
            if (identity.st_dev, identity.st_ino) in seen:
                continue
            seen.add((identity.st_dev, identity.st_ino))
            with os.scandir(current) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if not _left_out(entry.name, folder=True):
                            waiting.append(Path(entry.path))
                    elif (
                        _ends_with(Path(entry.name), IMPORTABLE_SUFFIXES)
                        and not _left_out(entry.name, folder=False)
                        and entry.is_file()
                    ):
                        return True
        except OSError:
            if current == folder:
                return True
    return False


def _subfolders_not_read(subfolders: list[str]) -> str | None:
    """The words that name a folder's subfolders as not read; None for none."""
    if not subfolders:
        return None
    return (
        f"{counted(len(subfolders), 'subfolder')} not read, such as {subfolders[0]}: import "
        "reads a folder's own files, so name a subfolder to import its files"
    )


def read_paths(
    paths: list[Path],
    limits: ReadLimits | None = None,
    on_skipped: Callable[[Rejected], None] | None = None,
) -> Iterator[RawArticle | Rejected]:
    """Every article in the given files and folders, in order; see :func:`expand_paths`
    for ``on_skipped``."""
    return read_files(expand_paths(paths, on_skipped), limits)


def read_files(
    files: Iterable[Path | Rejected], limits: ReadLimits | None = None
) -> Iterator[RawArticle | Rejected]:
    """Every article in the files :func:`expand_paths` gave, in order; its rejections
    passed on as they are."""
    limits = limits or ReadLimits()
    for path in files:
        if isinstance(path, Rejected):
            yield path
        elif _ends_with(path, JSONL_SUFFIXES):
            yield from read_jsonl_file(path, limits)
        elif is_text_file(path):
            yield read_text_file(path, limits)
        else:
            yield _unknown_type(path)


def _unknown_type(path: Path) -> Rejected:
    return Rejected(str(path), f"unknown file type (expected {SUFFIX_NAMES})")


@dataclass
class UnbelievedPublished:
    """Counts the articles read whose ``published_hint`` no publication date can have on
    ``today`` (:func:`publication_date`): in an import, export records an earlier
    thaidigest wrote with a date it no longer believes (``1970-01-01``, ``2113-12-16``),
    which the normaliser drops, so each is imported undated."""

    today: date
    records: int = 0

    def counting(self, items: Iterable[RawArticle | Rejected]) -> Iterator[RawArticle | Rejected]:
        """``items`` as they are, counted as they pass."""
        for item in items:
            hint = item.published_hint if isinstance(item, RawArticle) else None
            if hint is not None and publication_date(hint, self.today) is None:
                self.records += 1
            yield item

    def note(self) -> str | None:
        """The line that says how many were imported undated, and why; None for none."""
        if not self.records:
            return None
        records = counted(self.records, "export record")
        their = "its" if self.records == 1 else "their"
        return (
            f"imported {records} undated: {their} published date is out of range (from"
            f" {EARLIEST_PUBLISHED} to {latest_published(self.today)})"
        )
