"""Normalisation of article text: pure functions, rules as data.

The pipeline for one article (see :func:`normalise_article`):

1. clean every line: left-over HTML character references decoded, invisible
   characters removed, full-width forms as ASCII and the ordinary signs
   (:func:`plain_characters`), Unicode NFC,
   non-breaking spaces to spaces, PyThaiNLP's Thai normalisation (tone-mark
   order, sara am, repeated vowels), runs of spaces collapsed, lines trimmed;
2. pick the headline: strip the site prefix, skip section labels and
   wrapper banners that stand before the real headline;
3. clean the body: drop the publication date line (kept as ``published``),
   lines that repeat the headline, the print-button line, view counters and
   last-visit stamps, separators, third-party wrapper lines and the
   ``ที่มา : URL`` footer (kept as the source URL); collapse runs of blank lines;
4. detect the language from the script.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from html.entities import html5
from urllib.parse import urlsplit

import numpy as np

from thaidigest.dates import (
    ENGLISH_MONTHS,
    THAI_MONTHS,
    arabic_digits,
    bangkok_today,
    parse_date_line,
    parse_numeric_date_line,
    publication_date,
    take_date_lines,
)
from thaidigest.model import Article, RawArticle
from thaidigest.sites import TITLE_PREFIXES
from thaidigest.urls import (
    BMP_NONCHARACTERS,
    NONCHARACTERS,
    article_id,
    canonical_url,
    source_of,
    web_url_problem,
)

# --- Rules as data -----------------------------------------------------------

# Zero-width characters, control characters (C0 but the white space, DEL, C1)
# that no text means and XML 1.0 forbids, and the direction controls (embeddings,
# overrides, isolates, and the left-to-right, right-to-left and Arabic letter marks
# U+200E, U+200F, U+061C) that make a headline display otherwise than it reads; a mark
# only moves the punctuation beside right-to-left text, which these sites do not write,
# and digest.clean takes every direction control out of what it publishes.
# With them the characters a browser shows nothing of, which a site's editor puts in
# or takes out unseen: the soft hyphen (U+00AD, a hyphen only where the line wraps,
# which ours never does), the combining grapheme joiner (U+034F), the Mongolian
# vowel separator (U+180E, a format character since Unicode 6.3) and the invisible
# operators (U+2061-U+2064), and the interlinear annotation marks (U+FFF9-U+FFFB, for
# ruby text inside a program, never exchanged as text). And Unicode's noncharacters
# (never text, XML forbids U+FFFE and U+FFFF), which a page may hold as a reference
# (``&#xFFFE;``) or a byte-order mark read the wrong way round.
_INVISIBLE_BMP_CHARS = (
    "\x00-\x08\x0e-\x1b\x7f-\x9f\u00ad\u034f\u061c\u180e"
    "\u200b-\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069\ufff9-\ufffb" + BMP_NONCHARACTERS
)
_INVISIBLE_CHARS = _INVISIBLE_BMP_CHARS + NONCHARACTERS.removeprefix(BMP_NONCHARACTERS)
INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
# An HTML character reference left in the extracted text: a page that escapes its text
# twice (``&amp;nbsp;``) shows ``&nbsp;``. Only a whole reference, ended by its
# semicolon: ``R&D`` and ``?a=1&copy=2`` are text.
LEFTOVER_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# An ampersand escaped again and again (``&amp;amp;amp;``, ``&#38;#38;``): one ampersand.
AMPERSAND_CHAIN = re.compile(r"&(?:(?:amp|#0*38|#[xX]0*26);)+")
# Passes of decoding (and of plain_characters) at most: real pages need two.
MAX_DECODING_PASSES = 4
# The full-width forms of ASCII (U+FF01-U+FF5E: ``２０２５``, ``ＡＳＥＡＮ``) and of the signs
# ¢ £ ¬ ¯ ¦ ¥ ₩ (U+FFE0-U+FFE6: ``￥``), a Chinese, Japanese or Korean input method's, to
# the ordinary form Unicode gives each (its ``<wide>`` decomposition). Not NFKC, which
# would decompose Thai's sara am.
_FULL_WIDTH_CHARS = "\uff01-\uff5e\uffe0-\uffe6"
FULL_WIDTH = re.compile(f"[{_FULL_WIDTH_CHARS}]+")
FULL_WIDTH_TO_NARROW = {
    ord(char): int(unicodedata.decomposition(char).removeprefix("<wide> "), 16)
    for char in map(chr, range(0xFF00, 0x10000))
    if FULL_WIDTH.match(char)
}
# Either kind, found in one scan: most texts hold neither, and then need no other.
_NOT_PLAIN = re.compile(f"[{_INVISIBLE_CHARS}{_FULL_WIDTH_CHARS}]")
# The same scan, fast: a class holding the 32 noncharacters beyond the BMP is scanned ten
# times slower by Python's re than one without them, so a short text is first scanned for
# those of the BMP or any character beyond it (one range, as fast), and only a text holding
# such a character (an emoji, rare in the news) is scanned for them from there.
_NOT_PLAIN_OR_BEYOND_BMP = re.compile(
    f"[{_INVISIBLE_BMP_CHARS}{_FULL_WIDTH_CHARS}\U00010000-\U0010ffff]"
)
# INVISIBLE's removal, fast for the same reason: those of the BMP, then, in a text holding a
# character beyond it, the others.
_INVISIBLE_IN_BMP = re.compile(f"[{_INVISIBLE_BMP_CHARS}]")
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")


def _without_invisible(text: str) -> str:
    """``text`` without the characters :data:`INVISIBLE` finds."""
    text = _INVISIBLE_IN_BMP.sub("", text)
    return INVISIBLE.sub("", text) if _BEYOND_BMP.search(text) else text


# The spaces of which a run is one space (U+0020): the no-break ones, the ideographic one, tab,
# and the C0 controls str.isspace() takes for white space, which XML 1.0 forbids: the
# vertical tab and form feed (pasted from Word, a printed page's break) and the information
# separators U+001C-U+001F. Each separates words, as the scraper reads a vertical tab in a
# page (scraper.sites): left out, they glued the words on either side together.
SPACE_CHARS = " \u00a0\u2007\u202f\u3000\t\x0b\x0c\x1c\x1d\x1e\x1f"
# Two U+0020 or more: a literal start, which the search finds by skipping along the text,
# where a class of spaces would stop at every single space.
_SPACE_RUN = re.compile("  +")

# Lines that are a section label or a third-party wrapper, never a headline
# nor article text. Matched against the whole cleaned line, case-insensitive.
WRAPPER_LINES = (
    r"news\s*&\s*top stories",
    r"top stories",
    r"we are creating some awesome events for you\.?\s*kindly bear with us\.?",
    r"send this to a friend",
    r"image credits?\s*:.*",
    r"photo credits?\s*:.*",
    r"share this( article)?:?",
)
PRINT_BUTTON_LINES = ("พิมพ์", "print")
_LONGEST_PRINT_BUTTON = max(map(len, PRINT_BUTTON_LINES))
# A page's visit widgets, which a template may put in the article's text and which change
# from visit to visit: a view counter ("เข้าชม 1,234 ครั้ง", "Views: 1,234") and a last-visit
# stamp ("เข้าชมล่าสุด 7 ธ.ค. 2569 10:15 น."). Kept, each crawl stored a new version of an
# unchanged article. Only the widget's own forms are one: a counter is เข้าชม or อ่าน, a
# number and ครั้ง, or Views and a colon before a number, and goes only beside the print
# button's label or a date line; a stamp is its label over a whole date and a time. Each
# stands apart, at the line's ends or between separators (see
# :func:`without_visit_widgets`). A line of its own about visitors or readers is text
# ("ผู้เข้าชม 5,000 คน", "อ่าน 2 ครั้ง", "Visitors: 120,000", "last visited 2019"), and so
# is a sentence quoting a count ("ทีม อคิราห์ ยอดวิว 4,407 ครั้ง").
# Every pattern here reads each character once: its runs are bounded or end where the
# next part's characters start, so no line makes it try one split after another.
DIGIT = "[0-9๐-๙]"
COUNT = rf"{DIGIT}{{1,3}}(?:,{DIGIT}{{3}})+|{DIGIT}+"
VIEW_COUNTER = (
    rf"(?:เข้าชม|อ่าน)\s*(?::\s*)?(?:{COUNT})\s*ครั้ง"
    rf"|(?:page\s*)?views?\s*:\s*(?:{COUNT})"
)
_MONTH_NAMES = "|".join(sorted([*THAI_MONTHS, *ENGLISH_MONTHS], key=len, reverse=True))
# "ธ.ค.", "มี.ค.": a Thai month's abbreviation.
_THAI_MONTH_ABBREVIATION = r"[\u0e01-\u0e4e]{1,3}\.[\u0e01-\u0e4e]{1,3}\."
_STAMP_DATE = (
    rf"{DIGIT}{{1,2}}\s*(?:{_MONTH_NAMES}|{_THAI_MONTH_ABBREVIATION})\.?\s*(?:,\s*)?{DIGIT}{{4}}"
    rf"|(?:{_MONTH_NAMES})\.?\s*{DIGIT}{{1,2}}\s*(?:,\s*)?{DIGIT}{{4}}"
    rf"|{DIGIT}{{1,4}}[/.-]{DIGIT}{{1,2}}[/.-]{DIGIT}{{1,4}}"
)
_STAMP_TIME = (
    rf"(?:เวลา\s*)?{DIGIT}{{1,2}}[:.]{DIGIT}{{2}}(?:[:.]{DIGIT}{{2}})?"
    r"(?:\s*(?:น\.|นาฬิกา|[ap]\.?m\.?))?"
)
VISIT_STAMP = (
    r"(?:(?:เข้าชม|เยี่ยมชม|อ่าน)ล่าสุด(?:เมื่อ)?|last\s+(?:visited|viewed|visit|view)(?:\s+on)?)"
    rf"\s*(?::\s*)?(?:{_STAMP_DATE})\s*(?:,\s*)?{_STAMP_TIME}"
)
# What separates the widgets of a row, and the longest row read as one.
WIDGET_SEPARATORS = "|•·:,-–/()[] "
MAX_WIDGET_LINE_CHARS = 120
# A line made only of punctuation and symbols: ------, *****, ....., ###, •.
SEPARATOR_LINE = r"[\W_]+"
# What a source line opens with, before its address.
_SOURCE_LABEL = r"(?:ที่มา|source)\s*:\s*"
SOURCE_FOOTER = rf"{_SOURCE_LABEL}(?P<url>https?://\S+)\s*"
# A line that begins as a source line: one that is not SOURCE_FOOTER whole (a space in its
# address, words after it) is no source line, and a text file holding it is refused.
_SOURCE_LINE_START = re.compile(rf"{_SOURCE_LABEL}https?://", re.IGNORECASE)
# Why a text with white space alone after its headline is refused
# (thaidigest.readers.parse_plain_text), and a .txt file's that normalising leaves so.
NO_BODY = "a title but no body"

_WRAPPER = re.compile(r"^(?:" + "|".join(WRAPPER_LINES) + r")$", re.IGNORECASE)
_VISIT_WIDGET = re.compile(
    rf"(?<![^\s|•·:(\[])(?:{VIEW_COUNTER}|{VISIT_STAMP})(?=$|[\s|•·)\]])", re.IGNORECASE
)
_VISIT_STAMP = re.compile(VISIT_STAMP, re.IGNORECASE)
# The footer (its URL the group ``url``), a separator or a wrapper line, in one match.
_BOILERPLATE = re.compile(
    f"^(?:(?i:{SOURCE_FOOTER})|{SEPARATOR_LINE}|(?i:{'|'.join(WRAPPER_LINES)}))$"
)
# What comparable drops: every Thai vowel and tone mark too (category Mn, not \w).
_NOT_COMPARED = re.compile(r"[\W_]+")
# How much of a line's start is folded first to tell it is no headline's repeat: folding a
# whole line costs a substitution for each of its marks.
_COMPARED_START_CHARS = 16

# Lines PyThaiNLP's normaliser would change: only those are passed to it, so
# the common clean line costs one regex search, not thirty substitutions.
# Its classes of Thai marks (``pythainlp.thai_tonemarks`` and the rest; the test checks
# they are the same), written out: importing PyThaiNLP takes 0.05-0.2 s (-X importtime),
# which the commands that never meet a line to normalise (export, status) do not pay.
THAI_TONEMARKS = "\u0e48\u0e49\u0e4a\u0e4b"
THAI_ABOVE_VOWELS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e4d\u0e47"
THAI_BELOW_VOWELS = "\u0e38\u0e39"
THAI_FOLLOW_VOWELS = "\u0e30\u0e32\u0e33\u0e45"
_DANGLING = f"{THAI_ABOVE_VOWELS}{THAI_BELOW_VOWELS}{THAI_TONEMARKS}\u0e3a\u0e4c\u0e4d\u0e4e"
THAI_CONSONANTS = "กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ"
THAI_VOWELS = "ฤฦะัาำิีึืุูเแโใไๅํ็"
# Where PyThaiNLP's normaliser reads a line as two parts apart, so that it may be given the
# part that needs it alone: after a character that is no white space (it strips the text)
# nor a zero-width one (it removes them), and before a character none of its rules reads
# (outside the Thai block, no white space, no zero-width one) or before a consonant after
# no vowel (its one look behind, for a space before a mark, is for a vowel there).
_ZERO_WIDTH = "\u200b\u200c"
_UNREAD_BY_PYTHAINLP = re.compile(f"[^\\s\u0e00-\u0e7f{_ZERO_WIDTH}]")
_NOREPEAT = (
    f"{THAI_FOLLOW_VOWELS}\u0e40\u0e41\u0e42\u0e43\u0e44{THAI_ABOVE_VOWELS}{THAI_BELOW_VOWELS}"
)
_THAI_NORMALISATION_CASES = (
    "\u0e40\u0e40",
    f"[{THAI_TONEMARKS}\u0e4c][{THAI_ABOVE_VOWELS}{THAI_BELOW_VOWELS}]",
    f"\u0e4d[{THAI_TONEMARKS}]*\u0e32",
    f"[{THAI_FOLLOW_VOWELS}][{THAI_TONEMARKS}]",
    "\u0e45",
    f"([{_NOREPEAT}\u0e3a\u0e4c\u0e4d\u0e4e]) *\\1",
    f"[{THAI_TONEMARKS}]{{2,}}",
)
NEEDS_THAI_NORMALISATION = re.compile(
    "|".join([*_THAI_NORMALISATION_CASES, f"(?:^| )[{_DANGLING}]"]), re.MULTILINE
)


def _literal_first(needs_after: dict[str, list[str]]) -> re.Pattern[str]:
    """One alternative per character a match may start with, that character written first:
    the search then skips every other character at once (its charset prefix) and tries at
    each one only the alternatives that may follow, where the cases of
    :data:`NEEDS_THAI_NORMALISATION` try all eight at every character."""
    return re.compile(
        "|".join(
            re.escape(first) + ("" if "" in rests else f"(?:{'|'.join(rests)})")
            for first, rests in needs_after.items()
        )
    )


def _needs_after() -> dict[str, list[str]]:
    """The cases of :data:`NEEDS_THAI_NORMALISATION` but a dangling mark opening the text,
    by the character that starts them: what may follow it."""
    rests: dict[str, list[str]] = {}
    cases = [
        ("\u0e40", "\u0e40"),
        (THAI_TONEMARKS + "\u0e4c", f"[{THAI_ABOVE_VOWELS}{THAI_BELOW_VOWELS}]"),
        ("\u0e4d", f"[{THAI_TONEMARKS}]*\u0e32"),
        (THAI_FOLLOW_VOWELS, f"[{THAI_TONEMARKS}]"),
        ("\u0e45", ""),
        *((char, f" *{char}") for char in dict.fromkeys(_NOREPEAT + "\u0e3a\u0e4c\u0e4d\u0e4e")),
        (THAI_TONEMARKS, f"[{THAI_TONEMARKS}]"),
        (" \n", f"[{_DANGLING}]"),  # the start of a line but the first
    ]
    for firsts, rest in cases:
        for first in firsts:
            rests.setdefault(first, []).append(rest)
    return rests


# NEEDS_THAI_NORMALISATION found or not, in 60% of the time over a headline (_literal_first).
_NEEDS_THAI_NORMALISATION_FAST = _literal_first(_needs_after())


# Character classes for may_need_thai_normalisation, one flag bit each.
_PAIR_CLASSES = (
    "\u0e40",  # sara e
    THAI_TONEMARKS + "\u0e4c",  # tone marks and thanthakhat
    THAI_ABOVE_VOWELS + THAI_BELOW_VOWELS,
    THAI_FOLLOW_VOWELS,
    THAI_TONEMARKS,
    _DANGLING,
    # What may stand before a dangling mark: a space, or a line start once
    # str.strip() has taken every kind of whitespace off the line.
    "".join(char for char in map(chr, range(0x10000)) if char.isspace()),
    _NOREPEAT + "\u0e3a\u0e4c\u0e4d\u0e4e",  # characters that must not repeat
)
_SARA_E, _TONE_OR_MARK, _VOWEL, _FOLLOW, _TONE, _DANGLING_MARK, _GAP, _NO_REPEAT = (
    1 << bit for bit in range(len(_PAIR_CLASSES))
)


def _pair_tables() -> tuple[np.ndarray, np.ndarray]:
    """Flags per BMP code point, and for each pair of flags whether the pair starts a match.

    ``hits[flags[a] << 8 | flags[b]]`` is True when the adjacent characters
    ``a b`` match a branch of :data:`NEEDS_THAI_NORMALISATION` of two
    characters, or are a space or line break before a dangling mark.
    """
    flags = np.zeros(0x10000, dtype=np.uint16)
    for bit, chars in enumerate(_PAIR_CLASSES):
        for char in chars:
            flags[ord(char)] |= 1 << bit
    first, second = np.divmod(np.arange(0x10000), 0x100)
    hits = (
        ((first & _SARA_E != 0) & (second & _SARA_E != 0))
        | ((first & _TONE_OR_MARK != 0) & (second & _VOWEL != 0))
        | ((first & _FOLLOW != 0) & (second & _TONE != 0))
        | ((first & _TONE != 0) & (second & _TONE != 0))
        | ((first & _GAP != 0) & (second & _DANGLING_MARK != 0))
    )
    return flags, hits


_FLAGS, _PAIR_HITS = _pair_tables()


def needs_thai_normalisation(line: str) -> bool:
    """Whether :data:`NEEDS_THAI_NORMALISATION` finds something in ``line``."""
    opens_dangling = line != "" and line[0] in _DANGLING
    return opens_dangling or _NEEDS_THAI_NORMALISATION_FAST.search(line) is not None


def _code_units(text: str) -> np.ndarray:
    """``text`` as UTF-16 code units: a character outside the BMP is two surrogates, which
    flag nothing, as it would (:data:`_FLAGS`); no copy to UTF-32 and no clamping needed."""
    return np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype="<u2")


# How many bits a class of _triple_tables takes in a lookup index.
_CLASS_BITS = 5


def _triple_tables() -> tuple[np.ndarray, np.ndarray]:
    """A small class per BMP code point, and for each three classes in a row whether they
    hold what :func:`may_need_thai_normalisation` looks for, or two spaces.

    The classes: 0 for a character :data:`_FLAGS` flags nothing, 1 for U+0020, 2 for any
    other white space, then one for each Thai mark it flags (a repeat is of one mark).
    ``hits[a << 2 * _CLASS_BITS | b << _CLASS_BITS | c]`` is True when ``b`` is a nikhahit
    or a lakkhangyao, when ``a b`` or ``b c`` is a pair of :data:`_PAIR_HITS`, a repeated
    mark that must not repeat or two U+0020, or when ``b`` is U+0020 and ``a`` and ``c``
    are that mark.
    """
    marks = [code for code in np.flatnonzero(_FLAGS).tolist() if not chr(code).isspace()]
    assert 3 + len(marks) <= 1 << _CLASS_BITS
    classes = np.zeros(0x10000, dtype=np.uint16)
    classes[np.flatnonzero(_FLAGS & _GAP)] = 2
    classes[ord(" ")] = 1
    classes[marks] = np.arange(3, 3 + len(marks))
    flags = np.zeros(1 << _CLASS_BITS, dtype=np.uint16)
    flags[: 3 + len(marks)] = [0, _FLAGS[ord(" ")], _GAP, *_FLAGS[marks].tolist()]
    index = np.arange(1 << 3 * _CLASS_BITS)
    low = (1 << _CLASS_BITS) - 1
    first, second, third = index >> 2 * _CLASS_BITS, index >> _CLASS_BITS & low, index & low

    def repeated(left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return (left == right) & (flags[left] & _NO_REPEAT != 0)

    def pair(left: np.ndarray, right: np.ndarray) -> np.ndarray:
        spaces = (left == 1) & (right == 1)
        return _PAIR_HITS[flags[left] << 8 | flags[right]] | repeated(left, right) | spaces

    always = np.isin(second, classes[[ord("\u0e4d"), ord("\u0e45")]])
    hits = always | pair(first, second) | pair(second, third)
    return classes, hits | (second == 1) & repeated(first, third)


_UNIT_CLASSES, _TRIPLE_HITS = _triple_tables()


def may_need_thai_normalisation(text: str) -> bool:
    """False only when :data:`NEEDS_THAI_NORMALISATION` finds nothing in ``text``.

    The same test, loosened where that is cheaper (any nikhahit, for a
    decomposed sara am; a mark after any white space dangling), run over code units at
    once: several times faster than the regular expression over a whole article. True
    calls for the exact test, line by line.

    One lookup of each three code units' classes (:func:`_triple_tables`) finds the pairs
    and the marks repeated with a space or none between. A run of spaces is looked for only
    then (a scan of the text costs as much as the lookup), and the test run again with each
    run one space, which finds the same (a repeat across any run of U+0020, a mark after one).
    """
    # Between line breaks: a mark opening the text is then a pair's second (it dangles),
    # and every pair of the text is in a triple.
    classes = _UNIT_CLASSES.take(_code_units(f"\n{text}\n"))
    triples = classes[:-2] << 2 * _CLASS_BITS | classes[1:-1] << _CLASS_BITS | classes[2:]
    if not _TRIPLE_HITS.take(triples).any():
        return False
    return "  " not in text or may_need_thai_normalisation(_SPACE_RUN.sub(" ", text))


def lines_that_may_need_thai_normalisation(text: str) -> set[int]:
    """The indices of the lines of ``text`` (split at newlines) that
    :data:`NEEDS_THAI_NORMALISATION` may find something in once stripped: at least those.

    :func:`may_need_thai_normalisation` first, for the text whole (most need nothing);
    then the same tests, over code points at once, name the characters that may end a
    match: every nikhahit and lakkhangyao, the second of each pair, the second of each
    repeated mark (spaces between skipped) and a dangling mark opening the text. No such
    character is a newline, so the newlines before it count its line.
    """
    if not may_need_thai_normalisation(text):
        return set()
    codes = _code_units(text)
    flags = _FLAGS[codes]
    unspaced = np.flatnonzero(codes != ord(" "))
    codes_unspaced, flags_unspaced = codes[unspaced], flags[unspaced]
    repeated = (codes_unspaced[:-1] == codes_unspaced[1:]) & (flags_unspaced[:-1] & _NO_REPEAT != 0)
    ends = np.concatenate(
        [
            np.flatnonzero((codes == ord("\u0e4d")) | (codes == ord("\u0e45"))),
            np.flatnonzero(_PAIR_HITS[(flags[:-1] << 8) | flags[1:]]) + 1,
            np.flatnonzero(flags[:1] & _DANGLING_MARK),
            unspaced[1:][repeated],
        ]
    )
    return set(np.searchsorted(np.flatnonzero(codes == ord("\n")), ends).tolist())


# The script of each BMP code point detect_language counts: Thai (U+0E00-U+0E7F) and
# the ASCII letters.
_THAI, _LATIN = 1, 2  # anything else is 0
_SCRIPTS = np.zeros(0x10000, dtype=np.uint8)
_SCRIPTS[0x0E00:0x0E80] = _THAI
_SCRIPTS[[ord(char) for char in map(chr, range(128)) if char.isalpha()]] = _LATIN
# Share of Thai among Thai and Latin letters from which a text is Thai.
THAI_SHARE_FOR_THAI = 0.3
LANGUAGE_SAMPLE_CHARS = 2000
# A repeated headline differs from the headline by spaces and punctuation only.
HEADLINE_LENGTH_SLACK = 0.25


# --- Line cleaning -----------------------------------------------------------


def decode_leftover_entities(text: str) -> str:
    """``text`` with the HTML character references it holds (:data:`LEFTOVER_ENTITY`)
    decoded, again while one decoded makes another (``&amp;amp;quot;``); one that decodes
    to whitespace reads as a space, so no line is broken or joined by it.

    Decoded where the text is normalised, not only when versions are compared: a
    government news text never means a literal ``&nbsp;`` or ``&quot;``, it is the
    site's template escaping its text twice, so the stored text shows what the page
    meant (and a template fixed later is no edit). A name HTML does not define stays as
    written, whole (``&notice;`` is not ``¬ice;``, as HTML's legacy prefixes would read
    it); a number no character has (``&#0;``, a surrogate) is dropped. A chain of escaped
    ampersands is one ampersand at once (:data:`AMPERSAND_CHAIN`), and the passes are
    bounded: a hostile page escaping itself 60,000 times costs one pass, not minutes."""
    for _ in range(MAX_DECODING_PASSES):
        if "&" not in text:
            break
        unescaped = LEFTOVER_ENTITY.sub(_decoded, AMPERSAND_CHAIN.sub("&", text))
        if unescaped == text:
            break
        text = unescaped
    return text


def _decoded(match: re.Match[str]) -> str:
    reference = match[0]
    if reference[1] == "#":
        hexadecimal = reference[2] in "xX"
        code = int(reference[3:-1], 16) if hexadecimal else int(reference[2:-1])
        if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            return ""
        char = html.unescape(reference)
    else:
        char = html5.get(reference[1:])  # the name with its semicolon, as HTML defines it
        if char is None:
            return reference
    return " " if char.isspace() else char


def _code_point_table(pattern: re.Pattern[str]) -> np.ndarray:
    """For each BMP code point, whether ``pattern`` (a class of characters) matches it."""
    every = np.arange(0x10000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    table = np.zeros(0x10000, dtype=bool)
    table[[match.start() for match in pattern.finditer(every)]] = True
    return table


_NOT_PLAIN_UNITS = _code_point_table(_NOT_PLAIN)
# Beyond the BMP, _NOT_PLAIN holds only noncharacters (U+1FFFE ... U+10FFFF): two code
# units each, the second U+DFFE or U+DFFF, flagged so that such a text is searched. Another
# character ending in one of them (U+1F3FE, U+1F3FF: skin tones) costs that search alone.
_NOT_PLAIN_UNITS[[0xDFFE, 0xDFFF]] = True
# From this length a text's code units looked up at once beat the regular expression's scan
# (a few microseconds to start, then a third of its time a character).
_LOOKUP_FROM_CHARS = 1000


def _holds_not_plain(text: str) -> bool:
    """Whether :data:`_NOT_PLAIN` finds a character in ``text``."""
    if len(text) < _LOOKUP_FROM_CHARS:
        found = _NOT_PLAIN_OR_BEYOND_BMP.search(text)
        if found is None or found[0] <= "\uffff":
            return found is not None
        return _NOT_PLAIN.search(text, found.start()) is not None
    return bool(_NOT_PLAIN_UNITS.take(_code_units(text)).any())


def plain_characters(text: str) -> str:
    """``text`` written one way where a reader sees no difference: left-over character
    references decoded, invisible characters (:data:`INVISIBLE`) removed, full-width
    forms as ASCII and the ordinary signs (:data:`FULL_WIDTH`); again while that changes
    it (``＆ｌｔ；`` is ``&lt;``, then ``<``), so that it changes nothing a second time.

    Full-width forms are stored in ordinary width, unlike Thai digits (a script the government
    writes by choice, kept as written): they are an input method's accident in a Thai
    text, and as written neither search nor the relevance and partner terms find them
    (``ＡＳＥＡＮ`` is not ``ASEAN``, even casefolded)."""
    for _ in range(MAX_DECODING_PASSES):
        plain = decode_leftover_entities(text)
        if _holds_not_plain(plain):
            plain = _without_invisible(plain)
            plain = FULL_WIDTH.sub(lambda match: match[0].translate(FULL_WIDTH_TO_NARROW), plain)
        if plain == text:
            break
        text = plain
    return text


def single_spaced(text: str) -> str:
    """``text`` with every run of :data:`SPACE_CHARS` one space: each of those spaces a
    U+0020 first (``str.replace``, after a scan that mostly finds none), then each run of
    U+0020 one. Twice as fast over a text as one regular expression for runs of any of them,
    which tests every character and stops at every single space."""
    for space in SPACE_CHARS[1:]:
        if space in text:
            text = text.replace(space, " ")
    return _SPACE_RUN.sub(" ", text) if "  " in text else text


# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): characters a renderer
# shows nothing of unless it supports them, beyond the format characters (Cf): the
# combining grapheme joiner, the Hangul fillers, variation selectors, reserved ranges.
# Python's unicodedata does not carry the property.
DEFAULT_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
BRAILLE_BLANK = "\u2800"  # a blank cell: shows as a space


def shows_nothing(text: str) -> bool:
    """Whether ``text`` shows no character: it holds nothing but white space, the blank
    braille cell, control and format characters (Unicode Cc and Cf: zero-width spaces
    and joiners, direction marks, the byte-order mark, the soft hyphen) and the other
    default ignorable characters (:data:`DEFAULT_IGNORABLE`: variation selectors, Hangul
    fillers)."""
    return all(
        char.isspace()
        or char == BRAILLE_BLANK
        or unicodedata.category(char) in ("Cc", "Cf")
        or DEFAULT_IGNORABLE.match(char)
        for char in text
    )


def name_key(name: str) -> str:
    """What a reader sees of a name, folded: two names of one key look alike. Each
    character that shows nothing (:func:`shows_nothing`: a zero-width space or joiner, the
    byte-order mark, the soft hyphen) left out, white space (a no-break space, the blank
    braille cell) one space between words and none around them, NFC, Thai normalised,
    case folded: ``"ไต้หวัน\\u200b "`` is ``"ไต้หวัน"``, ``"Quantum"`` is ``"quantum"``."""
    shown = "".join(
        " " if char.isspace() or char == BRAILLE_BLANK else "" if shows_nothing(char) else char
        for char in name
    )
    key = " ".join(unicodedata.normalize("NFC", shown).split())
    if needs_thai_normalisation(key):
        key = _thai_normalised(key)
    return unicodedata.normalize("NFC", key.casefold())


def clean_line(line: str) -> str:
    """One line in canonical form: :func:`plain_characters`, NFC, single spaces, Thai
    normalised."""
    line = single_spaced(unicodedata.normalize("NFC", plain_characters(line))).strip()
    if needs_thai_normalisation(line):
        line = _thai_normalised(line)
    return line


def _thai_normalised(line: str) -> str:
    """A line PyThaiNLP normalised, its spaces single again: a lone mark it drops between
    two spaces (a nikhahit written as a degree sign, ``7 ํ 38``) leaves two, which a second
    normalisation would make one.

    PyThaiNLP is given the part of the line that needs it (:func:`_needing_span`): its
    thirty substitutions, each a scan, cost a paragraph a tenth of the time."""
    from pythainlp.util import normalize as pythainlp_normalize  # loaded when first needed

    start, end = _needing_span(line)
    line = line[:start] + pythainlp_normalize(line[start:end]) + line[end:]
    return single_spaced(line).strip()


def _needing_span(line: str) -> tuple[int, int]:
    """The part of ``line`` PyThaiNLP's normaliser changes, as it would the line: from the
    last place it reads apart (:func:`_read_apart`) before the first match of
    :data:`NEEDS_THAI_NORMALISATION` to the first after the last one; the whole line when
    it holds a line break, a run of spaces or a zero-width character, or is not stripped.

    The same line: the normaliser reads the three parts apart, and in a text without
    those four it changes nothing where no case matches, the premise on which
    :func:`clean_text` gives it only the lines a case matches in."""
    spans = [match.span() for match in _NEEDS_THAI_NORMALISATION_FAST.finditer(line)]
    if line != "" and line[0] in _DANGLING:
        spans.insert(0, (0, 1))
    if (
        not spans
        or line != line.strip()
        or any(found in line for found in ("\n", "  ", *_ZERO_WIDTH))
    ):
        return 0, len(line)
    start, end = spans[0][0], spans[-1][1]
    while start > 0 and not _read_apart(line, start):
        start -= 1
    while end < len(line) and not _read_apart(line, end):
        end += 1
    return start, end


def _read_apart(line: str, index: int) -> bool:
    """Whether PyThaiNLP's normaliser reads ``line`` before and from ``index`` apart."""
    before, after = line[index - 1], line[index]
    if before.isspace() or before in _ZERO_WIDTH:
        return False
    consonant_alone = after in THAI_CONSONANTS and before not in THAI_VOWELS
    return consonant_alone or _UNREAD_BY_PYTHAINLP.match(after) is not None


def clean_text(text: str) -> list[str]:
    """Cleaned lines of a text (see :func:`clean_line`), runs of blank lines collapsed to one.

    The rules run once over the whole text; PyThaiNLP only sees lines that need it.
    """
    text = plain_characters(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = single_spaced(unicodedata.normalize("NFC", text))
    may_need = lines_that_may_need_thai_normalisation(text)
    lines: list[str] = []
    for index, raw in enumerate(text.split("\n")):
        line = raw.strip()
        if index in may_need and needs_thai_normalisation(line):
            line = _thai_normalised(line)
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def comparable(line: str) -> str:
    """A line folded for comparison: case, spaces, punctuation and digit script.

    Character by character: the folded start of a line is the start of the folded line."""
    return _NOT_COMPARED.sub("", arabic_digits(line).casefold())


def is_wrapper_line(line: str) -> bool:
    """True for a section label or third-party wrapper line."""
    return bool(_WRAPPER.match(line))


def strip_title_prefix(title: str) -> str:
    """The headline without the site's title prefix (however often it is repeated)."""
    title = title.strip()
    stripped = True
    while stripped:
        stripped = False
        for prefix in TITLE_PREFIXES:
            if title.startswith(prefix):
                title, stripped = title[len(prefix) :].strip(), True
                break
    return title


def detect_language(text: str) -> str:
    """``th`` or ``en`` from the script of the letters in ``text`` (its first 2,000 characters)."""
    # Counted over the code units at once: a third of the time of counting UTF-8 bytes.
    _, thai, latin = np.bincount(
        _SCRIPTS.take(_code_units(text[:LANGUAGE_SAMPLE_CHARS])), minlength=3
    ).tolist()
    if thai + latin == 0:
        return "th"
    return "th" if thai / (thai + latin) >= THAI_SHARE_FOR_THAI else "en"


# --- Article -----------------------------------------------------------------


@dataclass(frozen=True)
class CleanBody:
    """What :func:`clean_body` keeps and what it took out."""

    lines: list[str]
    published: date | None
    source_url: str | None


def pick_title(title: str, body_lines: list[str]) -> tuple[str, list[str]]:
    """The real headline and the body lines after it.

    When the given title is a section label or a wrapper banner, the headline
    is the first line of the body that is neither.
    """
    title = _headline(title)
    lines = list(body_lines)
    while is_wrapper_line(title) and lines:
        title = _headline(lines.pop(0))
        while not title and lines:
            title = _headline(lines.pop(0))
    return title, lines


def _headline(line: str) -> str:
    """A line as a headline: cleaned, without the site's prefix, and cleaned again, since
    taking the prefix off may leave a mark opening the line (``รัฐบาลไทย-่ะ``), which a
    headline normalised a second time would lose."""
    return clean_line(strip_title_prefix(clean_line(line)))


def headline_repeat(headlines: Iterable[str]) -> Callable[[str], bool]:
    """A test of whether a line repeats one of ``headlines``: the same once folded by
    :func:`comparable`, and about as long (:data:`HEADLINE_LENGTH_SLACK`), so that the
    test costs one comparison of lengths for most lines.

    A page repeats its headline atop its body (:func:`clean_body` drops the line), and
    after an edit of the headline alone it may still repeat the old one, which the stored
    text keeps, as the page shows it: the digest sets such a line aside, in the diff of two
    versions (:func:`digest.diff.diff_versions`) and the lede. A line that says more than a
    headline is text."""
    lengths_by_key: dict[str, tuple[float, float]] = {}
    written: set[str] = set()
    for headline in headlines:
        key = comparable(headline)
        if key:  # a headline of punctuation alone repeats as a separator line
            written.add(headline)
            slack = len(headline) * HEADLINE_LENGTH_SLACK
            low, high = lengths_by_key.get(key, (len(headline), len(headline)))
            lengths_by_key[key] = (
                min(low, len(headline) - slack),
                max(high, len(headline) + slack),
            )
    shortest = min((low for low, _ in lengths_by_key.values()), default=1.0)
    longest = max((high for _, high in lengths_by_key.values()), default=0.0)

    def repeats(line: str) -> bool:
        if not shortest <= len(line) <= longest:
            return False
        # A headline as written repeats itself (its length is within its own bounds);
        # another line, its start folded first, repeats none unless that starts a key.
        if line in written:
            return True
        start = comparable(line[:_COMPARED_START_CHARS])
        if not any(key.startswith(start) for key in lengths_by_key):
            return False
        key = comparable(line)
        bounds = lengths_by_key.get(key)
        return bounds is not None and bounds[0] <= len(line) <= bounds[1]

    return repeats


def without_headline_repeats(body: str, headlines: Iterable[str]) -> str:
    """``body`` without the lines that repeat one of ``headlines`` (:func:`headline_repeat`)."""
    repeats = headline_repeat(headlines)
    return "\n".join(line for line in body.split("\n") if not repeats(line.strip()))


def clean_body(title: str, lines: list[str], today: date) -> CleanBody:
    """Drop the date line, repeated headlines, boilerplate and blank lines from a body.

    ``today`` bounds the dates believed: a date line after next year gives no date,
    and a numeric one is text (see :func:`~thaidigest.dates.take_date_lines`)."""
    kept, source_url = _without_boilerplate(title, lines)
    published, kept = take_date_lines(kept, today)
    return CleanBody(kept, published, source_url)


def _without_boilerplate(title: str, lines: list[str]) -> tuple[list[str], str | None]:
    """The cleaned ``lines`` of a body without blank lines, the ``ที่มา : URL`` footer, the
    print button, view counters and last-visit stamps (:func:`without_visit_widgets`),
    separators, wrapper lines and repeats of ``title``; and the footer's URL.

    Each line is judged alone: the rules keep what they kept, run again."""
    repeats_headline = headline_repeat([title])
    source_url = None
    kept: list[str] = []
    for line in lines:
        line = without_visit_widgets(line)
        if not line:
            continue
        boilerplate = _BOILERPLATE.match(line)
        if boilerplate:
            if boilerplate["url"] is not None:
                source_url = boilerplate["url"]
            continue
        if (
            len(line) <= _LONGEST_PRINT_BUTTON and line.casefold() in PRINT_BUTTON_LINES
        ) or repeats_headline(line):
            continue
        kept.append(line)
    return kept, source_url


def without_visit_widgets(line: str) -> str:
    """``line`` without its view counters and last-visit stamps (:data:`VIEW_COUNTER`,
    :data:`VISIT_STAMP`) when they are all it holds besides separators and the print
    button's label or a date line: that label or date line; "" for a row that holds a
    last-visit stamp and nothing but widgets. Any other line is returned as it is: a
    counter on a line of its own, or in a sentence, is text."""
    if len(line) > MAX_WIDGET_LINE_CHARS:
        return line
    rest = _VISIT_WIDGET.sub(" ", line)
    if rest == line:
        return line
    rest = " ".join(rest.split()).strip(WIDGET_SEPARATORS)
    if not rest:
        return rest if _VISIT_STAMP.search(line) else line
    if rest.casefold() in PRINT_BUTTON_LINES or parse_date_line(rest) is not None:
        return rest
    return line


def renormalised(title: str, body: str) -> tuple[str, str]:
    """A stored headline and body as today's normaliser writes them: for a text it wrote,
    the same text; for one an older release wrote, the text as if this one had.

    Normalisation grew stricter, and a database keeps what each release wrote: soft
    hyphens and direction marks, left-over ``&nbsp;`` and ``&#8212;``, ``ＡＳＥＡＮ``; and the
    lines those made no boilerplate then, which now are (``&#8212;&#8212;&#8212;`` is a
    separator, ``Share this&#58;`` a share button, a headline written with ``&quot;``
    repeated atop its body). Whatever compares or scores a stored text reads it so
    (:func:`same_content`, the digest's diff, rescoring), as it reads the page normalised
    today, while what is stored and its :func:`content_hash` stay as written.

    The text-level rules alone, those that keep what they kept when run again: the lines
    cleaned (:func:`clean_text`), the headline picked (:func:`pick_title`) and the body's
    boilerplate dropped (:func:`_without_boilerplate`). Not the date lines at the top of a
    body (:func:`~thaidigest.dates.take_date_lines`): the published date is read from them
    and stored beside the text, and one the stored text kept is text to compare (see
    :func:`same_content`). A text the normaliser would now refuse (no headline left) is
    read as written."""
    headline, lines = pick_title(title, clean_text(body))
    if not headline:
        return title, body
    kept, _ = _without_boilerplate(headline, lines)
    return headline, "\n".join(kept)


def content_hash(title: str, body: str) -> str:
    """Fingerprint of an article's normalised headline and body, for versioning.

    The published date is not in it: the ingestor compares the date beside it, so
    the hashes databases hold stay valid. Nor is the digit script folded, for the
    same reason: see :func:`same_content`."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def _comparable_body(body: str, published: date | None) -> str:
    """``body`` every digit an Arabic one, without a numeric date line at its top that
    states ``published`` or the date of the date line right above it."""
    lines = body.split("\n")
    stated = {published}
    for index, line in enumerate(lines[:2]):  # the date line, and the numeric one under it
        numeric = parse_numeric_date_line(line)
        if numeric is not None:
            if numeric in stated:
                del lines[index]
            break
        found = parse_date_line(line)
        if found is None:
            break
        stated.add(found)
    return arabic_digits("\n".join(lines))


def _one_spaced(text: str) -> str:
    """``text`` with every run of whitespace, line breaks included, read as one space."""
    return " ".join(text.split())


def same_content(
    stored: tuple[str, str], new: tuple[str, str], published: date | None = None
) -> bool:
    """Whether two normalised ``(headline, body)`` pairs say the same once every digit
    reads as an Arabic one and every run of whitespace, line breaks included, as one
    space. Thai digits for the same numbers (``๓๐๐`` for ``300``) are no edit; nor is
    a paragraph split where a space was or joined back (a page re-saved with a
    ``<br>`` for a space, an imported text wrapped anew): the same words in the same
    order, which a reader's diff shows nothing of. A space taken out or put in
    between two words is an edit: Thai separates its phrases with one.

    Nor is a numeric date line at the top of a body that states the
    article's date (``published``, or the date line above it): a body normalised
    before numeric dates were read still holds it (``16/12/2565`` under thaigov's
    date line, a third of its articles). A numeric line stating another date is
    text, so correcting it is an edit.

    Both texts are read as today's normaliser writes them (:func:`renormalised`): a text
    stored before normalisation removed soft hyphens or direction marks, decoded
    left-over ``&nbsp;`` or wrote full-width forms as ASCII still holds them, and the
    lines they kept from being dropped (a line ``&#8212;&#8212;&#8212;``, ``Share this&#58;``);
    the page read again without them is no edit.

    :func:`content_hash` keeps hashing the text as written, so that the hashes
    databases hold stay valid: the ingestor compares texts this way only when the
    hashes differ."""

    def comparable_pair(title: str, body: str) -> tuple[str, str]:
        title, body = renormalised(title, body)
        return (
            _one_spaced(arabic_digits(title)),
            _one_spaced(_comparable_body(body, published)),
        )

    return comparable_pair(*stored) == comparable_pair(*new)


def without_page_lines(body: str, stored: tuple[str, str], labels: Collection[str]) -> str:
    """A normalised fallback read's ``body`` without the page's own lines the stored
    read (the selectors', ``stored`` as its headline and body) does not hold: ``labels``
    (its category) and date lines.

    A generic extractor may put the category and the date lines anywhere in the text,
    where :func:`clean_body` leaves them (it takes date lines at the top only); the
    selectors' read of the same page holds them at its top, taken out. A line the
    stored text holds (a statement's date under its signature) stays: it is text.
    The stored text is read as today's normaliser writes it (:func:`renormalised`), as
    ``body`` was: a line an older release stored with ``&nbsp;`` or full-width digits
    (``15&nbsp;ธันวาคม ２５６５``) is the line ``body`` holds, and stays.
    """
    stored_lines = set(renormalised(*stored)[1].split("\n"))
    return "\n".join(
        line
        for line in body.split("\n")
        if line in stored_lines or (line not in labels and parse_date_line(line) is None)
    )


def _address_named(raw: RawArticle, source_url: str | None, lines: list[str]) -> str:
    """The address ``raw`` names, as written: a text file's ``ที่มา : URL`` line
    (``source_url``, found among its body's ``lines``) is its web address; a record that
    names its own ``url`` keeps it (else a line in its text would overwrite another
    article). Raises ValueError for a ``.txt`` file (``needs_body``) whose source line
    names no web address, or whose only line begun as one is not an address alone
    (``ที่มา : https://host/news/ 1``): stored under its ``file:`` URL, the article would
    not be the page's, unsaid. An export record of a ``file:`` article keeps such a line
    as the text stored before."""
    if urlsplit(raw.url).scheme.lower() != "file":
        return raw.url
    problem = web_url_problem(source_url) if source_url is not None else None
    if source_url is not None and problem is None:
        return source_url
    if not raw.needs_body:  # an export record: its text as stored
        return raw.url
    if problem is not None:
        raise ValueError(f"source line (ที่มา :): {problem}")
    begun = next((line for line in lines if _SOURCE_LINE_START.match(line.strip())), None)
    if begun is not None:
        raise ValueError(
            f"source line {begun.strip()!r} is not an address alone (a space in it, or words"
            " after it): write the address alone, a space in it as %20, or take the line out"
        )
    return raw.url


@dataclass(frozen=True)
class Normalised:
    """What :func:`normalise_with_address` makes of a raw article."""

    article: Article
    # The address the article was read under before it was made canonical (its ``url``, or
    # a text file's ``ที่มา :`` line): the form a database made before a rule of
    # :func:`~thaidigest.urls.canonical_url` may hold it under
    # (:func:`~thaidigest.urls.former_form`), which the canonical one no longer tells
    # (``/ข่าว`` and ``/%e0%b8%82...`` are both ``/%E0%B8%82...``).
    address_as_written: str


def normalise_article(raw: RawArticle) -> Article:
    """The normalised article for a raw one (see :func:`normalise_with_address`)."""
    return normalise_with_address(raw).article


def normalise_with_address(raw: RawArticle) -> Normalised:
    """The normalised article for a raw one, and the address it was read under. Raises
    ValueError when it has no headline, or no body where the raw article needs one
    (:data:`NO_BODY`).

    The body may end up empty: some items are a headline over a video or a picture,
    and they are news all the same. A ``.txt`` file's article must hold one
    (``needs_body``): a body that normalising empties (a zero-width space, only a date
    line, which is taken as the date, or only a ``ที่มา :`` line) is no more a body than
    white space is.
    """
    title, body_lines = pick_title(raw.title, clean_text(raw.body))
    # The clock only bounds the dates believed: no real one is after next year.
    today = bangkok_today()
    cleaned = clean_body(title, body_lines, today)
    body = "\n".join(cleaned.lines)
    if not title:
        raise ValueError("no headline")
    if raw.needs_body and not body:
        raise ValueError(NO_BODY)
    address = _address_named(raw, cleaned.source_url, body_lines)
    url = canonical_url(address)
    source = raw.source if raw.source != "file" else source_of(url)
    article = Article(
        url=url,
        source=source,
        source_id=raw.source_id or article_id(url),
        title=title,
        body=body,
        # A hint is believed as a date line is: a listing's, or one an earlier version stored.
        published=cleaned.published or publication_date(raw.published_hint, today),
        language=detect_language(f"{title}\n{body}"),
        category=(clean_line(raw.category) or None) if raw.category else None,
        extraction=raw.extraction,
        content_hash=content_hash(title, body),
    )
    return Normalised(article, address)
