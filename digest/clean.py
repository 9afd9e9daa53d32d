"""What may be written to a feed, a page or an email: cleaned here, and only here.

Every string the digest, the feeds, the archive pages and the email carry
goes through :func:`clean_text` (or :func:`clean_line` for one line), and
every link through :func:`clean_link`, whatever the store holds: an article
stored by an older version, or edited by hand, cannot break a feed or slip
a hidden character into a headline.

- Text loses the characters XML 1.0 forbids (C0 controls but tab and line
  breaks, lone surrogates, U+FFFE, U+FFFF), the other control characters
  (DEL, C1), noncharacters, and the direction controls (U+202A-U+202E
  embeddings and overrides, U+2066-U+2069 isolates, U+200E, U+200F, U+061C
  marks) that make a headline display otherwise than it reads.
- A headline is cut to :data:`HEADLINE_CHARACTERS` and an ellipsis: a
  20,000-character title must not fill a page or a reader's list. Thai has
  no spaces, so the cut waits for no word, only for a character that starts
  a new letter: a Thai vowel or tone mark stays with its consonant, an
  accent with its letter, an emoji joined by U+200D whole.
- A removed or added passage of a change is cut to :data:`MAX_CHANGE_CHARS` and an
  ellipsis, between words, as a lede is (:func:`cut_words`; a web address or Latin token
  longer than the cut is cut within it). A removed passage and the added one that this
  cut would show alike (a long sentence edited past the cut) and that shares the longest
  start with it are both shown from shortly before their first difference
  (:func:`shown_changes`). :mod:`digest.diff` reads what is shown too, to tell whether a
  number changed in a removed and added sentence is shown there. A passage that only moved
  is shown by its first words, cut so to :data:`MAX_MOVED_CHARS` (:func:`shown_moved`).
- A link is published only when it is a web address (``http`` or ``https``,
  a host, no control, space or direction character: see
  :func:`thaidigest.urls.web_url_problem`). Anything else, a ``file:`` URL of
  an imported text file above all, is no link at all. A ``%`` in it that starts no
  escape (``?q=50%off``, ``/100%/``) is written ``%25``, as a URI holds it: feed readers
  and Markdown renderers refuse or mangle it, and every output carries the same link.
  Digests written before hold such a link as stored, or escaped on the host it is
  stored under (:func:`published_forms`).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from thaidigest.urls import (
    NONCHARACTERS,
    STRAY_PERCENT,
    canonical_form_of_former,
    served_url,
    web_url_problem,
)

NOT_PUBLISHED = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"  # XML, controls
    "|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # direction controls
    f"|[{NONCHARACTERS}]"
)
NO_HEADLINE = "(no headline)"
HEADLINE_CHARACTERS = 300  # a headline's length at most, its ellipsis aside
ELLIPSIS = "\u2026"
# A removed or added passage's length at most, its ellipsis included.
MAX_CHANGE_CHARS = 300
# Characters shown, at least, before the first difference of a removed and an added passage
# whose cut would hide it (:func:`shown_changes`): the few words that say where it lies.
CHANGE_CONTEXT_CHARS = 40
# Characters shown, at most, of the unchanged text a removed or added passage follows
# (:func:`shown_context`), its ellipsis included: the last words before the change.
MAX_FOLLOWED_CHARS = 80
# Characters shown, at most, of a passage that only moved (:func:`shown_moved`), its
# ellipsis included: its first words, enough to find it; it is no news.
MAX_MOVED_CHARS = 80
# Characters past the cut that the Thai word cutter also sees, so the word at the cut
# is whole: longer than any word in its dictionary. It never sees more, so a cut costs
# the same for a 300-character text and for a 5 MB one.
TOKENISE_MARGIN = 100
ZERO_WIDTH_JOINER = "\u200d"
# Thai vowels written before the consonant they are read after: a cut after one tears it off.
THAI_LEADING_VOWELS = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44")
# A Thai vowel written around its one or two consonants, opened by SARA E and closed by
# O ANG or SARA AA, their vowel and tone marks between (เ-ือ, เ-อ, เ-า: เพื่อ, เหลือ, เธอ,
# เปล่า): PyThaiNLP's tcc ends a cluster inside some (เพื|่|อ, เดื|อ|น, เห|ลือ), where a
# cut would leave the vowel open.
THAI_VOWEL_AROUND = re.compile(
    "\u0e40[\u0e01-\u0e2e]{1,2}[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]*[\u0e2d\u0e32]"
)
# Characters that belong to the one before them, besides combining marks (Unicode
# categories M*): the joiner, Thai SARA AM (a spacing vowel, in Unicode's grapheme
# rules a mark) and the emoji skin tones. A cut never falls before one.
JOINS_PREVIOUS = frozenset({ZERO_WIDTH_JOINER, "\u0e33", *map(chr, range(0x1F3FB, 0x1F400))})
# A flag is two regional indicator letters (🇹🇭 is U+1F1F9 U+1F1ED): a cut between them
# leaves half a flag, shown as a letter in a box.
REGIONAL_INDICATORS = frozenset(map(chr, range(0x1F1E6, 0x1F200)))
# Characters that end a line, and white space: one space each in one-line text.
LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c-\x1f\x85\u2028\u2029]")
# Thai's code points: a text cut within a Thai phrase is cut between Thai words; within a
# run of other characters longer than the cut (a web address, a Latin token), at the cut.
THAI = range(0x0E00, 0x0E80)
# A run of Thai words, and the spaces between them, in a line of another language.
THAI_WORD = f"[{chr(THAI[0])}-{chr(THAI[-1])}]+"
THAI_RUN = re.compile(f"{THAI_WORD}(?:\\s+{THAI_WORD})*")


def clean_text(text: str) -> str:
    """``text`` with nothing a feed, page or email must not carry (line breaks kept)."""
    return NOT_PUBLISHED.sub("", text)


def clean_line(text: str) -> str:
    """``text`` cleaned on one line: line breaks and runs of white space become one space."""
    return " ".join(clean_text(LINE_BREAKS.sub(" ", text)).split())


def clean_link(url: str | None) -> str | None:
    """``url`` as it is published as a link: a site's article on the host the site serves
    it from (:func:`thaidigest.urls.served_url`, ``https://www.thaigov.go.th/…`` for the
    stored ``https://thaigov.go.th/…``), its stray ``%`` written ``%25`` (its escapes
    untouched); None when it may not be published."""
    if url is None or web_url_problem(url):
        return None
    return STRAY_PERCENT.sub("%25", served_url(url))


def published_forms(url: str) -> tuple[str, ...]:
    """Every form in which an output may have published ``url``: as :func:`clean_link`
    publishes it, then as outputs written before hold it (a digest of a past week is never
    written again): on the host ``url`` is stored under, its stray ``%`` written ``%25``,
    as they published it before a site's article was linked on the host the site serves
    it from, and as stored, as they published it before a stray ``%`` was escaped; none
    when it may not be published."""
    published = clean_link(url)
    if published is None:
        return ()
    return tuple(dict.fromkeys((published, STRAY_PERCENT.sub("%25", url), url)))


def article_links(url: str, copies: tuple[str, ...] = ()) -> tuple[str | None, tuple[str, ...]]:
    """An article's published link and its "also on" links, from its URL and its copies' URLs.

    What may not be published is left out; when the article's own URL may not
    (a text file imported without a source line) the first copy on the web
    takes its place. So is a copy that is the row a database made before stored one of
    these articles under, a former form of its address (``details/87382?lang=th``,
    ``details/%E0%B9%98...``), when the row under its canonical form is the article or
    another copy: the same page, listed once.
    """
    addresses = {url, *copies}
    copies = tuple(copy for copy in copies if canonical_form_of_former(copy) not in addresses)
    published = [link for link in map(clean_link, (url, *copies)) if link]
    own = clean_link(url) or (published[0] if published else None)
    return own, tuple(link for link in published if link != own)


def clean_headline(title: str) -> str:
    """A headline cleaned on one line and cut to its length; a placeholder when nothing is
    left of it. Every output's headlines come from here, so they are cut alike."""
    return cut_headline(clean_line(title)) or NO_HEADLINE


def cut_headline(line: str) -> str:
    """``line`` when it has at most :data:`HEADLINE_CHARACTERS` characters, else its first
    ones and an ellipsis, cut where a new letter starts (a line of marks alone is cut at
    the length: it has no letter to keep them with)."""
    if len(line) <= HEADLINE_CHARACTERS:
        return line
    end = letter_start(line, HEADLINE_CHARACTERS, 0)
    return line[: end or HEADLINE_CHARACTERS].rstrip() + ELLIPSIS


def letter_start(line: str, end: int, lowest: int) -> int:
    """The last place at or before ``end`` (``lowest`` at least) where a new letter of
    ``line`` starts: a cut there tears no mark, joined emoji or flag apart."""
    while end > lowest and (
        _joins_previous(line[end])
        or line[end - 1] == ZERO_WIDTH_JOINER
        or line[end - 1] in THAI_LEADING_VOWELS  # written before the consonant it goes with
        or _halves_a_flag(line, end)
    ):
        end -= 1
    return end


def cut_words(unit: str, limit: int, at_least: int = 1) -> str:
    """The start of ``unit`` up to ``limit`` characters, cut between words: at a space, or,
    when the words whole at spaces come to fewer than ``at_least`` characters (by default
    when the limit falls within its first word or phrase), between the words found with no
    regard to spaces (:func:`_cut_within_word`), as in a long Thai phrase after a short one."""
    kept = _whole_words(unit.split(" "), " ", limit) if " " in unit else ""
    return kept if len(kept) >= at_least else _cut_within_word(unit, limit)


def _cut_within_word(unit: str, limit: int, differs_at: int = 0) -> str:
    """The start of ``unit`` up to ``limit`` characters, cut with no regard to spaces:
    between the words the Thai word cutter finds (:func:`_cut_thai_words`; Thai puts spaces
    between phrases only), a number or a Latin word within a Thai phrase kept whole, as the
    cutter reads it, where a letter starts (:func:`letter_start`). At the limit instead,
    when the run of other characters the limit falls in is longer than the limit (a web
    address or a Latin token, which the Thai word cutter would cut at its first ``:`` or
    ``.``), or when the cutter's words leave nothing or stop at or before ``differs_at``."""
    if len(unit) <= limit:
        return unit
    if _run_without_thai(unit, limit) <= limit:
        kept = _cut_thai_words(unit, limit)
        kept = unit[: letter_start(unit, len(kept), 0)]  # newmm parts a keycap from its marks
        if len(kept) > differs_at:
            return kept
    return unit[: letter_start(unit, limit, 0) or limit]


def cut_clusters(unit: str, limit: int) -> str:
    """The start of ``unit`` up to ``limit`` characters, cut at the last place at or before
    the limit where a Thai character cluster ends (PyThaiNLP's ``tcc``: a consonant with
    the vowels and tone marks written with it, never torn apart) and a new letter starts
    (:func:`letter_start`), outside a vowel written around its consonants
    (:data:`THAI_VOWEL_AROUND`, which ``tcc`` may part): in a run of other characters,
    where a letter starts. For a text the word cutter finds no word in short enough
    (``newmm`` reads a ministry's 30-letter name as one word, a web address as its parts
    up to a ``:``). Only
    :data:`TOKENISE_MARGIN` characters past the limit are read."""
    if len(unit) <= limit:
        return unit
    from pythainlp.tokenize.tcc import tcc_pos  # loaded on the first Thai text to cut

    read = unit[: limit + TOKENISE_MARGIN]
    ends = tcc_pos(read)  # each character not Thai is one
    within = {
        at
        for vowel in THAI_VOWEL_AROUND.finditer(read)
        for at in range(vowel.start() + 1, vowel.end())
    }
    end = letter_start(unit, limit, 0)
    while end > 0 and (end not in ends or end in within):
        end = letter_start(unit, end - 1, 0)
    return unit[: end or limit]


def _run_without_thai(unit: str, position: int) -> int:
    """The length of the run of characters neither Thai nor a space that ``position`` of
    ``unit`` falls in (or before which it falls): 0 between two Thai letters."""
    start = end = position
    while start > 0 and _neither_thai_nor_space(unit[start - 1]):
        start -= 1
    while end < len(unit) and _neither_thai_nor_space(unit[end]):
        end += 1
    return end - start


def _neither_thai_nor_space(character: str) -> bool:
    return character != " " and ord(character) not in THAI


def _cut_thai_words(unit: str, limit: int) -> str:
    """The start of ``unit`` up to ``limit`` characters, cut between the words PyThaiNLP's
    ``newmm`` finds (the spaces too): a vowel or tone mark stays with its consonant. Only
    :data:`TOKENISE_MARGIN` characters past the limit are read."""
    from pythainlp.tokenize import word_tokenize  # loaded on the first Thai text to cut

    words = word_tokenize(unit[: limit + TOKENISE_MARGIN], engine="newmm", keep_whitespace=True)
    return _whole_words(words, "", limit)


def _whole_words(words: list[str], separator: str, limit: int) -> str:
    """``words`` joined by ``separator`` from the first, as many as ``limit`` characters hold."""
    kept = ""
    for word in words:
        joined = f"{kept}{separator}{word}" if kept else word
        if len(joined) > limit:
            break
        kept = joined
    return kept


@dataclass(frozen=True)
class ShownChange:
    """What is shown of a removed or added passage: ``line``, which holds the characters
    ``start`` to ``end`` of the passage cleaned on one line (an ellipsis before them when
    ``start`` is not 0, after them when the passage goes on)."""

    line: str
    start: int
    end: int


def shown_changes(
    removed: Sequence[str], added: Sequence[str]
) -> tuple[list[ShownChange], list[ShownChange]]:
    """What is shown of each removed and each added passage (cleaned on one line): its
    start, cut between words to :data:`MAX_CHANGE_CHARS` with an ellipsis, but for a
    removed passage and the added one not paired yet whose difference that cut hides and
    that shares the longest start with it (the first of equals). Such a pair shares its
    text up to past the cut of one side at least (a long Thai sentence edited near its
    end): shown so, the two lines would read the same. Both are then shown from the start
    of a word at least :data:`CHANGE_CONTEXT_CHARS` characters before their first
    difference (or from that place, within a long web address or Latin token), after an
    ellipsis, and cut as usual: the difference lies within each."""
    old = [clean_line(text) for text in removed]
    new = [clean_line(text) for text in added]
    old_shown = [_shown_from(text, 0) for text in old]
    new_shown = [_shown_from(text, 0) for text in new]
    hidden = _hidden_differences(old, old_shown, new)
    for other, place in _hidden_differences(new, new_shown, old):
        hidden.add((place, other))
    candidates: dict[int, list[int]] = {}  # each removed passage's, in order
    for place, other in sorted(hidden):
        candidates.setdefault(place, []).append(other)
    paired_added: set[int] = set()
    for place, others in candidates.items():
        old_text = old[place]
        alike = {
            other: _common_start(old_text, new[other])
            for other in others
            if other not in paired_added and new[other] != old_text
        }
        if not alike:
            continue
        other = max(alike, key=alike.__getitem__)  # the longest shared start, the first of equals
        differs_at = alike[other]
        start = _word_start(old_text, differs_at - CHANGE_CONTEXT_CHARS)
        old_shown[place] = _shown_from(old_text, start, differs_at)
        new_shown[other] = _shown_from(new[other], start, differs_at)
        paired_added.add(other)
    return old_shown, new_shown


def _hidden_differences(
    texts: Sequence[str], shown: Sequence[ShownChange], others: Sequence[str]
) -> set[tuple[int, int]]:
    """The places (in ``texts``, in ``others``) of the texts whose start shown is cut before
    they differ from one of ``others``: it starts with all of it. (The others are looked
    up in order, by that start: a change of thousands of paragraphs is no slower to show.)"""
    order = sorted(range(len(others)), key=others.__getitem__)
    ordered = [others[other] for other in order]
    found: set[tuple[int, int]] = set()
    for place, (text, seen) in enumerate(zip(texts, shown, strict=True)):
        if seen.end == len(text):
            continue  # shown whole
        kept = text[: seen.end]
        at = bisect_left(ordered, kept)
        while at < len(ordered) and ordered[at].startswith(kept):
            found.add((place, order[at]))
            at += 1
    return found


def _common_start(first: str, second: str) -> int:
    """How many characters ``first`` and ``second`` start with alike."""
    return next(
        (at for at, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
        min(len(first), len(second)),
    )


def shown_context(text: str) -> str:
    """The end of ``text`` (cleaned on one line) that a reader is shown before a change it
    precedes: whole when it is :data:`MAX_FOLLOWED_CHARS` characters or fewer, else, after
    an ellipsis, its last words that fit in that many characters, from the first start of
    a word (as the Thai word cutter finds words: a vowel or tone mark stays with its
    consonant) within them; within a long web address or token, from the first place a
    letter starts. Only :data:`TOKENISE_MARGIN` characters before them are read. "" when
    none of those characters starts one (marks that join a consonant far before them):
    an ellipsis alone shows no text."""
    line = clean_line(text)
    if len(line) <= MAX_FOLLOWED_CHARS:
        return line
    from pythainlp.tokenize import word_tokenize  # loaded on the first text to cut

    earliest = len(line) - (MAX_FOLLOWED_CHARS - len(ELLIPSIS))
    position = opening = max(0, earliest - TOKENISE_MARGIN)
    start = None
    for word in word_tokenize(line[opening:], engine="newmm", keep_whitespace=True):
        if position >= earliest and word.strip():
            start = position
            break
        position += len(word)
    if start is None:  # one token runs to the end
        start = earliest
        while start < len(line) and _joins_previous(line[start]):
            start += 1
    return ELLIPSIS + line[start:] if start < len(line) else ""


def shown_moved(text: str) -> str:
    """The start of ``text`` (cleaned on one line) that a reader is shown of a passage that
    moved unchanged: whole when it is :data:`MAX_MOVED_CHARS` characters or fewer, else its
    first words that fit in that many characters and an ellipsis, cut between words as a
    removed or added passage is (:func:`cut_words`)."""
    line = clean_line(text)
    if len(line) <= MAX_MOVED_CHARS:
        return line
    return cut_words(line, MAX_MOVED_CHARS - len(ELLIPSIS)).rstrip() + ELLIPSIS


def _shown_from(text: str, start: int, differs_at: int = 0) -> ShownChange:
    """``text`` (cleaned on one line) shown from ``start`` (the start of a word): after an
    ellipsis unless it is its start, and cut between words (:func:`cut_words`), so that the
    line, ellipses included, holds at most :data:`MAX_CHANGE_CHARS` characters. When that
    cut, at a space, falls before ``differs_at`` (a long Thai phrase follows the space), it
    is made within the word or phrase that follows (:func:`_cut_within_word`): the line
    holds the character at ``differs_at``."""
    opening = ELLIPSIS if start else ""
    rest = text[start:]
    room = MAX_CHANGE_CHARS - len(opening)
    if len(rest) <= room:
        return ShownChange(opening + rest, start, len(text))
    kept = cut_words(rest, room - len(ELLIPSIS))
    if start + len(kept) <= differs_at:
        kept = _cut_within_word(rest, room - len(ELLIPSIS), differs_at - start)
    return ShownChange(opening + kept + ELLIPSIS, start, start + len(kept))


def _word_start(text: str, position: int) -> int:
    """Where the word of ``text`` (cleaned on one line) that holds ``position`` starts, as
    the Thai word cutter finds words (a Thai vowel or tone mark stays with its consonant;
    other text is cut at spaces and punctuation). Only the :data:`TOKENISE_MARGIN`
    characters on each side are read, so a long text costs no more than a short one: in a
    word that starts before them (a long web address or Latin token), ``position`` itself
    (or the letter it is in) is taken, never a place past it."""
    if position <= 0:
        return 0
    from pythainlp.tokenize import word_tokenize  # loaded on the first text to cut

    opening = max(0, position - TOKENISE_MARGIN)
    piece = text[opening : position + TOKENISE_MARGIN]
    # Where each word of the piece starts but its first, which may be the end of a longer
    # one (unless the piece is the start of the text).
    starts = [opening] if opening == 0 else []
    end = opening
    for word in word_tokenize(piece, engine="newmm", keep_whitespace=True):
        end += len(word)
        starts.append(end)
    before = [start for start in starts if start <= position]
    start = before[-1] if before else letter_start(text, position, opening)
    while start < len(text) and text[start] == " ":
        start += 1
    return start


def _halves_a_flag(line: str, end: int) -> bool:
    """Whether a cut before ``line[end]`` falls between a flag's two regional indicators:
    it follows an odd run of them (they pair from the run's start)."""
    run = 0
    while run < end and line[end - 1 - run] in REGIONAL_INDICATORS:
        run += 1
    return run % 2 == 1 and line[end] in REGIONAL_INDICATORS


def _joins_previous(character: str) -> bool:
    """Whether ``character`` belongs to the one before it (a cut before it would tear it off)."""
    return character in JOINS_PREVIOUS or unicodedata.category(character).startswith("M")
