"""What changed between two versions of an article, in words: pure functions.

The paragraphs of two versions are aligned (their common opening and ending
set aside first); each run of paragraphs that differs is cut into sentences
(Thai by PyThaiNLP's CRF sentence segmenter, other text at sentence ends) and
aligned. A sentence found in only one version
is removed or added; two sentences in the same place are compared word by
word (Thai words by PyThaiNLP's ``newmm``): when only numbers differ, each is
reported as ``old → new`` between the words of its sentence just before and
just after it (``ห้องรับรอง 1 → 2 ตึกบัญชาการ``: Thai puts a number after its
noun, so the word after alone would name the wrong thing), otherwise the old
sentence is removed and the new one added, its numbers with it: a number is not listed
again when the removed and the added text as shown (:func:`digest.clean.shown_changes`:
cut at :data:`digest.clean.MAX_CHANGE_CHARS` characters, from shortly before the first
difference of a long sentence edited past the cut) hold its old and its new value in its
place, and is listed when the cut leaves it out. Sentences removed or added next
to each other in one paragraph are shown as one passage (:func:`_passages`): the segmenter
also cuts at the spaces between Thai phrases, and one sentence would be listed in pieces.
Where the text of a run of sentences of one paragraph is the other version's with whole
phrases (between spaces) added at its start or end, only those phrases are added or removed
(:func:`_recut`): the segmenter cuts a sentence added to the end of a paragraph together
with the one before it, which did not change. A word or two (at most
:data:`FRAGMENT_WORDS`) that only one version has, beside a sentence of its paragraph, is
no sentence but an edit of that one (:func:`_fragments_attached`): ``ไม่`` ("not") dropped
from the start of a sentence flips its meaning, and listed alone it would tell a reader
nothing, so the sentence is shown before and after, as any other edit within a sentence.
The segmenter may cut the two versions of a sentence differently (a phrase put in it, and
it is cut in two): every sentence that shares a word with one shown on the other side is
shown too (:func:`_with_shared_text`), so no text of either version is left out.

A passage removed in one place and added, the same text (spaces aside), in another (a
paragraph moved, a sentence moved within its paragraph) is neither: it moved
(``Diff.moved``, the new version's text, :func:`_moves`), and a reader is told so, not
that it was deleted and written again. One moved and edited a little, a word or a number
changed, is the same paragraph moved (``Diff.moved_edited``, its old and its new text):
two passages of 8 words or more whose words match at a ratio of 0.85 or more
(:func:`_edited_moves`). A shorter passage, or one edited more (a sentence added to it), is
removed and added, as any other edit.

Each removed, added and moved passage keeps the unchanged text it follows in its own
version (``Diff.removed_after``, ``Diff.added_after``, ``Diff.moved_after``,
``Diff.moved_edited_after``, the new version's for a moved one): the sentence just before
it, or, for the first of a changed run of paragraphs, the unchanged paragraph before the
run; none when it opens the article or follows text that changed (a passage, a changed
number, a passage moved). It tells a
reader where the change lies; it is no part of what changed (two diffs listing the same
changes are equal), and costs nothing to find.

A body line that repeats a headline, either version's or an earlier one of the article,
is set aside before the bodies are compared: the page repeating a headline it had, which
a site that edits its headline alone may leave atop the body (see :func:`diff_versions`).

Headlines, paragraphs, sentences and words are compared as the ingestor compares
versions (:func:`thaidigest.normalise.same_content`). Each version is read first as
today's normaliser writes it (:func:`thaidigest.normalise.renormalised`): a version
stored by an older release may hold soft hyphens, ``&nbsp;`` or ``ＡＳＥＡＮ``, and lines
those kept from being dropped as boilerplate (``&#8212;&#8212;&#8212;``), which would
otherwise be cut into other sentences or read as removed text beside a real edit. Every
digit is read as an Arabic one: a site that writes ``๒๐๒๒`` one day and ``2022`` the next
changed nothing, and the ingestor keeps the text it stored, so the version stored at
the next real edit holds the other script. What is shown is each version's text so
read, in its own digits (``๒๐๒๒ → 2023``).

The cost stays bounded whatever the size of the article (the digest diffs
every updated article again at each build; cutting and aligning costs about
20 µs a character): a change of more than :data:`MAX_ALIGNED_PARAGRAPHS`
differing paragraphs, or whose changed runs of paragraphs hold more than
:data:`MAX_ALIGNED_CHARS` characters or :data:`MAX_ALIGNED_SENTENCES`
sentences (both versions together), is reported paragraph by paragraph
(``whole_paragraphs``): the paragraphs only one version has are removed or
added, none cut into sentences or compared word by word; a paragraph both versions'
changed runs hold moved unchanged (one of a differing middle too long to align may have
stayed in place, and none of those is said to move). A diff within those
bounds takes under half a second, one beyond them milliseconds (an article of
990 paragraphs of 4,000 characters, each edited, took 88 s to align). A pair
of sentence runs of more than :data:`MAX_ALIGNED_WORDS` words is not compared
word by word.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from digest.clean import ShownChange, clean_line, shown_changes
from thaidigest.dates import arabic_digits
from thaidigest.normalise import renormalised, without_headline_repeats

# Characters of the changed paragraphs of two versions (together) beyond which they
# are not cut into sentences and aligned: about 0.4 s of work. 99% of thaigov articles
# hold under 10,000 characters; 990 differing paragraphs of 4,000 took 88 s to align.
MAX_ALIGNED_CHARS = 20_000
# Differing paragraphs of two versions beyond which they are not aligned one by
# one (a real article has under 200 paragraphs in all).
MAX_ALIGNED_PARAGRAPHS = 2000
# Differing sentences beyond which they are not aligned one by one.
MAX_ALIGNED_SENTENCES = 4000
# Words of two aligned sentence runs beyond which they are not compared word by word.
MAX_ALIGNED_WORDS = 4000
# Words that only one version has, at most, which edit the sentence beside them rather
# than stand as a sentence: a Thai negation (``ไม่``, ``ยังไม่ได้``), a name added or cut.
# (A Thai sentence of two words, ``ที่ประชุมรับทราบ``, is then shown with the one before it.)
FRAGMENT_WORDS = 3
# A passage removed in one place and added in another is the same paragraph moved and
# edited a little when the two, each of this many words at least, match at least this
# ratio of their words (:func:`_edited_moves`): one word changed in 7 or more.
MOVED_EDITED_MIN_WORDS = 8
MOVED_EDITED_SIMILARITY = 0.85
# A number, with its thousands separators, decimals or date separators: 5,000  3.5  15/08/2567
# (``\d`` is any decimal digit, Thai ones too: ๑๕/๐๘/๒๕๖๗)
NUMBER = re.compile(r"\d+(?:[.,/:]\d+)*")
THAI_LETTER = re.compile(r"[\u0e01-\u0e4f]")
# Where English text may end a sentence (Thai text separates phrases with spaces): a mark,
# the quotation marks and brackets closed with it, then a space (group 1), which
# english_sentences keeps or drops as a sentence end.
SENTENCE_MARKS = ".!?…"
SENTENCE_CLOSERS = "”\"’')]"
SENTENCE_END = re.compile(rf"[{SENTENCE_MARKS}][{re.escape(SENTENCE_CLOSERS)}]*(\s+)")
# What may open the word after a sentence end, before its first letter.
SENTENCE_OPENERS = "“\"‘'(["
# A quotation: a slogan in one (every piece between its sentence marks of at most
# FRAGMENT_WORDS words, :func:`_slogan`) is one sentence, "Open. Connect. Balance." one
# theme; in a statement quoted (“We are ready to sign. The budget is set.”) sentences end
# as anywhere else, so that an edit of one shows that one. A “ left open in its paragraph
# pairs with no later ”.
QUOTATION = re.compile(r"“[^“”]*”|\"[^\"]*\"")
SLOGAN_PIECE_END = re.compile(rf"[{SENTENCE_MARKS}][{re.escape(SENTENCE_CLOSERS)}]*\s+")
# Words whose full stop ends no sentence (compared in lower case): titles before a name,
# and abbreviations within a sentence ("etc." is not one: it ends a sentence as often as
# not, and before a word in lower case none ends). A small table, not a sentence
# segmenter: pysbd, the rule-based one that reads these, has had no release since 2021 and
# takes some 6 µs a character, 200 times this cut; sentencex (kept up) ends a sentence at
# "Ms." and runs a bracketed sentence into the next. Initials (U.S., H.E., e.g., J.) are
# read by their form (INITIALS), so they need no entry.
ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "assoc", "asst", "st", "gen", "lt", "col", "maj"}
    | {"capt", "adm", "pol", "ret", "sen", "hon", "jr", "sr", "vs", "approx", "co", "pte"}
)
# Abbreviations whose full stop ends a sentence only before a letter: they stand before a
# number (No. 3, Rev. 2, Tel. 0 2283 4000, ext. 4120) or a blank left for one, "(No. …)".
NUMBERING_ABBREVIATIONS = frozenset(
    {"no", "nos", "rev", "vol", "art", "fig", "p", "pp", "tel", "ext"}
)
# A company's suffix, which ends a sentence unless its short name follows in brackets:
# "Srithai Superware Pcl. (SITHAI) signed", "Hon Hai Precision Industry Co., Ltd. (Foxconn)".
COMPANY_SUFFIXES = frozenset({"ltd", "plc", "pcl", "inc"})
# Initials: letters each followed by a full stop (the last one's is the mark), or one
# capital; after a hyphen too (ASEAN-U.S.).
INITIALS = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]|[A-Z]")
# Initials that end a sentence before a capital: times of day, "at 9.00 a.m. The Minister".
TIMES_OF_DAY = frozenset({"a.m", "p.m"})
# Words after which one capital is a numeral or a letter naming which one, not an initial:
# "King Rama X. The Prime Minister", "World War I.", "Malaysia Block H.", "Gen Z."
LETTERED = frozenset({"rama", "phase", "war", "block", "part", "chapter", "gen"})
# The number of an item of a list, when it opens its sentence or follows a comma, a
# semicolon or a colon: "1. Entrepreneurs with growth prospects. 2. …", "…, 5. Video game".
LIST_NUMBER = re.compile(r"\d{1,2}")
LIST_SEPARATORS = ",;:"
# An ellipsis standing alone (after a space): a blank left for a number or a word, which
# ends no sentence when a bracket closes with it or opens after it, "(No. …) B.E. …
# (Extension of Time)", "(No. ..) B.E. .... [Tax measures]"; before a capital, it ends a
# title, "B.E. … The draft Ministerial Regulation".
BLANK = re.compile(r"(?<!\S)(?:…|\.{2,})$")
BLANK_BRACKETS = ")]"
BRACKETS_OPENING = ("(", "[")
# Characters before a full stop looked at for the words it ends: more than any abbreviation
# and the word before it.
ABBREVIATION_MAX_CHARS = 24
WORD_OR_SPACE = re.compile(r"\s+|[^\s]+")
# What lies between spaces: a word of English text, a phrase of Thai.
PHRASE = re.compile(r"\S+")
# The words shown on each side of a changed number: at most this many words and characters.
CONTEXT_WORDS = 2
CONTEXT_MAX_CHARS = 24
CONTEXT_PUNCTUATION = ".,;:!?()[]\"'“”‘’"


@dataclass(frozen=True)
class NumberChange:
    """A number that changed in place: ``before old → new unit``."""

    old: str
    new: str
    unit: str = ""  # the words after it, in its sentence
    before: str = ""  # the words before it, in its sentence


@dataclass(frozen=True)
class Diff:
    """What changed from one version of an article to a later one."""

    headline: tuple[str, str] | None = None  # (old, new)
    published: tuple[str | None, str | None] | None = None  # (old, new) dates, YYYY-MM-DD
    numbers: tuple[NumberChange, ...] = ()
    removed: tuple[str, ...] = ()  # sentences only the old version has
    added: tuple[str, ...] = ()  # sentences only the new version has
    # Passages both versions have the same, each in another place: the new version's text.
    moved: tuple[str, ...] = ()
    # The text each removed passage follows in the old version, and each added one in the
    # new: the unchanged sentence (or paragraph) just before it, "" where none is (it opens
    # the article, or follows text that changed); empty when no passage has one. It says
    # where a change lies, not what changed: two diffs listing the same changes are equal.
    removed_after: tuple[str, ...] = field(default=(), compare=False)
    added_after: tuple[str, ...] = field(default=(), compare=False)
    moved_after: tuple[str, ...] = field(default=(), compare=False)  # in the new version
    # Passages moved and edited a little (:func:`_edited_moves`): (old, new) text, in the
    # order of the new version, and the text each follows in the new version.
    moved_edited: tuple[tuple[str, str], ...] = ()
    moved_edited_after: tuple[str, ...] = field(default=(), compare=False)
    # True when the change was too large to align (see the module's docstring): removed and
    # added are then the whole paragraphs only one version has, and no number is found.
    whole_paragraphs: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.headline
            or self.published
            or self.numbers
            or self.removed
            or self.added
            or self.moved
            or self.moved_edited
        )


NO_CHANGE = Diff()


# Where a changed number lies in the sentences of one side: the places of the sentences of
# its first and its last character, and where it ends in the last one.
Span = tuple[int, int, int]
# A number changed, and where it lies in the old and in the new sentences.
PlacedNumber = tuple[NumberChange, Span, Span]
# A paragraph as it is compared (every digit an Arabic one) and as it is written.
Paragraph = tuple[str, str]
# The sentences of a run of paragraphs, and the place of the paragraph of each.
Cut = tuple[list[str], list[int]]
# A passage as :func:`_moves` compares it: its sentences as compared (:func:`_fold`),
# joined by spaces, and where it lies: the run of paragraphs, and the gap within it
# (:func:`_sentence_changes`).
Compared = tuple[str, tuple[int, int]]


def _fold(text: str) -> str:
    """``text`` (normalised) as it is compared: every digit an Arabic one."""
    return arabic_digits(text)


def _folded(texts: Sequence[str]) -> list[str]:
    """``texts`` as they are compared (:func:`_fold`)."""
    return [_fold(text) for text in texts]


def _paragraphs(body: str) -> list[Paragraph]:
    """The paragraphs of a body, folded and as written. The body is folded whole, once
    (folding each of thousands of paragraphs took longer than the rest of a diff):
    folding breaks and joins no line, so the lines of both are the same lines."""
    pairs = zip(_fold(body).split("\n"), body.split("\n"), strict=True)
    return [(folded.strip(), line.strip()) for folded, line in pairs if line.strip()]


def _differing_middles(
    old: list[Paragraph], new: list[Paragraph]
) -> tuple[list[Paragraph], list[Paragraph], tuple[str, str]]:
    """The paragraphs of two lists between their common opening and their common ending,
    and the last paragraph of that opening, as each list writes it ("" for none)."""
    shortest = min(len(old), len(new))
    start = 0
    while start < shortest and old[start][0] == new[start][0]:
        start += 1
    end = 0
    while end < shortest - start and old[-1 - end][0] == new[-1 - end][0]:
        end += 1
    opening = (old[start - 1][1], new[start - 1][1]) if start else ("", "")
    return old[start : len(old) - end], new[start : len(new) - end], opening


@lru_cache(maxsize=1024)
def sentences(paragraph: str) -> tuple[str, ...]:
    """The sentences of one paragraph: Thai by PyThaiNLP (``crfcut``), others at sentence ends.
    (About 10 µs a character: callers bound the text, see :data:`MAX_ALIGNED_CHARS`.)"""
    if THAI_LETTER.search(paragraph):
        from pythainlp.tokenize import sent_tokenize  # loaded on the first Thai text

        found = sent_tokenize(paragraph, engine="crfcut")
    else:
        found = english_sentences(paragraph)
    return tuple(part.strip() for part in found if part.strip())


def english_sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph of English text, cut at the spaces after sentence
    marks (:data:`SENTENCE_END`) that end a sentence (:func:`_ends_sentence`)."""
    slogans = [match.span() for match in QUOTATION.finditer(paragraph) if _slogan(match[0])]
    slogan_starts = [start for start, _ in slogans]
    found: list[str] = []
    start = 0
    for end in SENTENCE_END.finditer(paragraph):
        if _ends_sentence(paragraph, start, end, slogans, slogan_starts):
            found.append(paragraph[start : end.start(1)])
            start = end.end(1)
    found.append(paragraph[start:])
    return found


def _slogan(quotation: str) -> bool:
    """Whether every piece of ``quotation`` between its sentence marks holds at most
    :data:`FRAGMENT_WORDS` words: "Open. Connect. Balance." (see :data:`QUOTATION`)."""
    pieces = SLOGAN_PIECE_END.split(quotation[1:-1])
    return all(len(piece.split()) <= FRAGMENT_WORDS for piece in pieces)


def _ends_sentence(
    paragraph: str,
    start: int,
    end: re.Match[str],
    slogans: list[tuple[int, int]],
    slogan_starts: list[int],
) -> bool:
    """Whether the sentence mark ``end`` found in ``paragraph`` ends the sentence begun at
    ``start``: not within a slogan quoted (``slogans``, by their spans), nor before a word
    in lower case, nor as a blank in brackets or before them (:data:`BLANK`), nor as the
    full stop of an abbreviation or a list item's number (:func:`_abbreviated`)."""
    space = end.start(1)
    inside = bisect_right(slogan_starts, space) - 1
    if inside >= 0 and space < slogans[inside][1]:
        return False
    after = end.end(1)
    following = paragraph[after : after + len(SENTENCE_OPENERS) + 1].lstrip(SENTENCE_OPENERS)[:1]
    if following.islower():
        return False
    mark = end.start()
    head = paragraph[max(0, mark - ABBREVIATION_MAX_CHARS) : mark + 1]
    bracketed = paragraph[after : after + 1] in BRACKETS_OPENING
    if BLANK.search(head) and (bracketed or any(bracket in end[0] for bracket in BLANK_BRACKETS)):
        return False
    if paragraph[mark] != ".":
        return True
    if not head[-2:-1].strip():  # a full stop after a space
        return True
    before = head[:-1].split()
    word = before[-1]
    word_start = mark - len(word)
    listed = word_start == start or (
        word_start > 1 and paragraph[word_start - 2] in LIST_SEPARATORS
    )
    previous = before[-2].lstrip(SENTENCE_OPENERS) if len(before) > 1 else ""
    return not _abbreviated(word.lstrip(SENTENCE_OPENERS), previous, following, listed, bracketed)


def _abbreviated(word: str, previous: str, following: str, listed: bool, bracketed: bool) -> bool:
    """Whether the full stop after ``word`` marks an abbreviation, initials or a list
    item's number (``listed``: the word opens its sentence or follows a separator), given
    the word before it, ``previous``, the first letter after it, ``following``, and whether
    a bracket opens what follows, ``bracketed`` (see :data:`ABBREVIATIONS`)."""
    folded = word.casefold()
    if folded in ABBREVIATIONS:
        return True
    if folded in COMPANY_SUFFIXES:
        return bracketed
    if folded in TIMES_OF_DAY or (
        len(word) == 1 and word.isupper() and previous.casefold() in LETTERED
    ):
        return not following.isupper()
    if INITIALS.fullmatch(word.rsplit("-", 1)[-1]):
        return True
    if folded in NUMBERING_ABBREVIATIONS:
        return not following.isalpha()
    return listed and LIST_NUMBER.fullmatch(word) is not None


def words(sentence: str) -> list[str]:
    """The words, numbers and spaces of a sentence, in order; joined, they give it back."""
    tokens: list[str] = []
    position = 0
    for match in NUMBER.finditer(sentence):
        tokens.extend(_text_words(sentence[position : match.start()]))
        tokens.append(match.group())
        position = match.end()
    tokens.extend(_text_words(sentence[position:]))
    return tokens


def _text_words(text: str) -> list[str]:
    if not text:
        return []
    if THAI_LETTER.search(text):
        from pythainlp.tokenize import word_tokenize  # loaded on the first Thai text

        return word_tokenize(text, engine="newmm", keep_whitespace=True)
    return WORD_OR_SPACE.findall(text)


def _is_numbers(tokens: Sequence[str]) -> bool:
    """True when ``tokens`` are numbers (and the spaces between them), at least one."""
    kept = [token for token in tokens if token.strip()]
    return bool(kept) and all(NUMBER.fullmatch(token) for token in kept)


def _context(tokens: Sequence[str]) -> list[str]:
    """The first word or two of ``tokens`` (those nearest a changed number), stopping at a
    number, a punctuation mark or a line break."""
    kept: list[str] = []
    count = 0
    for token in tokens:
        if count == CONTEXT_WORDS or (token.isspace() and token != " "):
            break
        if not token.isspace():
            if NUMBER.fullmatch(token) or not any(c.isalpha() for c in token):
                break
            count += 1
        kept.append(token)
    return kept


def _number_change(
    tokens: Sequence[tuple[int, str]], old: Sequence[str], start: int, end: int
) -> NumberChange:
    """The numbers ``old`` replaced by those of ``tokens[start:end]``, with the words just
    before and after them in their own sentence (``tokens`` are (sentence, word) pairs)."""
    words_of = [word for _, word in tokens]
    first, last = start, end
    while first > 0 and tokens[first - 1][0] == tokens[start][0]:
        first -= 1
    while last < len(tokens) and tokens[last][0] == tokens[end - 1][0]:
        last += 1
    before = "".join(reversed(_context(words_of[first:start][::-1])))
    after = "".join(_context(words_of[end:last]))
    return NumberChange(
        old="".join(old).strip(),
        new="".join(words_of[start:end]).strip(),
        unit=after.strip().strip(CONTEXT_PUNCTUATION)[:CONTEXT_MAX_CHARS],
        before=before.strip().strip(CONTEXT_PUNCTUATION)[-CONTEXT_MAX_CHARS:],
    )


def _span(tokens: Sequence[tuple[int, str]], start: int, end: int) -> Span:
    """Where ``tokens[start:end]`` lie in their sentences (``tokens`` are (sentence, word)
    pairs; the words of a sentence, joined, give it back): see :data:`Span`."""
    last = tokens[end - 1][0]
    opening = end
    while opening > 0 and tokens[opening - 1][0] == last:
        opening -= 1
    return tokens[start][0], last, sum(len(word) for _, word in tokens[opening:end])


def _compare_runs(
    old: Sequence[str], new: Sequence[str]
) -> tuple[list[PlacedNumber], list[int], list[int]]:
    """Two runs of sentences in the same place, word by word: the numbers changed, and the
    places in ``old`` and ``new`` of the sentences removed and added, in order. A number
    changed in a sentence that is also removed and added (another word of it changed too)
    is found all the same: whether the text shown holds it is told once the sentences are
    joined into passages (:func:`_shows`)."""
    old_tokens = [(index, word) for index, s in enumerate(old) for word in words(s)]
    new_tokens = [(index, word) for index, s in enumerate(new) for word in words(s)]
    if len(old_tokens) + len(new_tokens) > MAX_ALIGNED_WORDS:
        return [], list(range(len(old))), list(range(len(new)))
    old_words = [word for _, word in old_tokens]
    a = _folded(old_words)
    b = _folded([word for _, word in new_tokens])
    numbers: list[PlacedNumber] = []
    removed: set[int] = set()
    added: set[int] = set()
    # Old and new sentences that share a word matched in place (the cut of one side may
    # hold a sentence in two, or two sentences in one).
    shared: set[tuple[int, int]] = set()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            shared.update(
                (old_tokens[i][0], new_tokens[j][0])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                if a[i].strip()
            )
            continue
        if tag == "replace" and _is_numbers(a[i1:i2]) and _is_numbers(b[j1:j2]):
            change = _number_change(new_tokens, old_words[i1:i2], j1, j2)
            numbers.append((change, _span(old_tokens, i1, i2), _span(new_tokens, j1, j2)))
            continue
        if not "".join(a[i1:i2] + b[j1:j2]).strip():
            continue  # only spacing changed
        gone = {old_tokens[i][0] for i in range(i1, i2)}
        came = {new_tokens[j][0] for j in range(j1, j2)}
        removed.update(gone)
        added.update(came)
        # Words inserted or deleted at the start, the middle or the end of a sentence edit
        # it: the sentence on the other side, matched by the word beside the change, is
        # removed and added too. (A whole sentence inserted between two is not an edit, nor
        # are phrases added at either end, which :func:`_recut` has cut apart.)
        for i, j in ((i1 - 1, j1 - 1), (i2, j2)):
            if 0 <= i < len(old_tokens) and 0 <= j < len(new_tokens):
                if new_tokens[j][0] in came:
                    removed.add(old_tokens[i][0])
                if old_tokens[i][0] in gone:
                    added.add(new_tokens[j][0])
    removed, added = _with_shared_text(removed, added, shared)
    return numbers, sorted(removed), sorted(added)


def _with_shared_text(
    removed: set[int], added: set[int], shared: set[tuple[int, int]]
) -> tuple[set[int], set[int]]:
    """``removed`` and ``added`` (places of old and new sentences) with every sentence that
    shares a word (``shared``: (old, new) pairs) with one of the other side's shown, until
    none is left: what is shown of each side then holds all of the text the other side's
    shown sentences kept. The segmenter may cut a sentence in two once a word is put in
    it (``… ปัญญาประดิษฐ์ เทคโนโลยีควอนตัม`` | ``และความมั่นคงปลอดภัยไซเบอร์``): the old
    sentence, removed, would otherwise be shown beside the first piece alone, its end
    read as cut."""
    removed, added = set(removed), set(added)
    grown = True
    while grown:
        grown = False
        for old, new in shared:
            if (old in removed) != (new in added):
                removed.add(old)
                added.add(new)
                grown = True
    return removed, added


def _unaligned(
    old: list[Paragraph], new: list[Paragraph]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """What only one side has, compared as multisets: removed, added; and what both have,
    as the new side writes it."""
    both, added = _sorted_out(new, Counter(key for key, _ in old))
    return _sorted_out(old, Counter(key for key, _ in new))[1], added, both


def _sorted_out(
    paragraphs: list[Paragraph], other: Counter[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The texts of ``paragraphs``, in order, of those ``other`` (folded) has as many of,
    and of those beyond."""
    left = Counter(other)
    matched = []
    beyond = []
    for key, text in paragraphs:
        if left[key]:
            left[key] -= 1
            matched.append(text)
        else:
            beyond.append(text)
    return tuple(matched), tuple(beyond)


def _by_paragraph(
    old_paragraphs: list[Paragraph], new_paragraphs: list[Paragraph], runs: bool = False
) -> Diff:
    """A change too large to align: the whole paragraphs only one side has, and, when the
    paragraphs are those of the ``runs`` that differ (:func:`_changed_runs`), those both
    sides have, which moved unchanged (the new version's text, in its order): the aligner
    leaves no paragraph unmatched on both sides of one run, so one that both sides' runs
    hold crossed matched text. Those both sides of a long middle not aligned hold may have
    stayed in place: none is said to have moved."""
    removed, added, both = _unaligned(old_paragraphs, new_paragraphs)
    return Diff(removed=removed, added=added, moved=both if runs else (), whole_paragraphs=True)


def _changed_runs(
    old: list[Paragraph], new: list[Paragraph], opening: tuple[str, str]
) -> list[tuple[list[Paragraph], list[Paragraph], tuple[str, str]]]:
    """The runs of paragraphs in which two lists differ, aligned: (old run, new run) pairs,
    each with the unchanged paragraph before it on each side (``opening``'s before the
    first paragraphs: the common opening's last, "" for none)."""
    old_keys, new_keys = [key for key, _ in old], [key for key, _ in new]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    return [
        (
            old[i1:i2],
            new[j1:j2],
            (old[i1 - 1][1] if i1 else opening[0], new[j1 - 1][1] if j1 else opening[1]),
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _sentence_changes(
    old: list[str], new: list[str]
) -> tuple[list[PlacedNumber], list[int], list[int], tuple[dict[int, int], dict[int, int]]]:
    """Two runs of sentences aligned: the numbers changed, the places in ``old`` and
    ``new`` of the sentences removed and added, in order, and the gap each sentence of
    ``old`` and of ``new`` that is not matched lies in, by place: the number of the run of
    sentences replaced, removed or added together between two matched ones (see
    :func:`_moves`)."""
    numbers: list[PlacedNumber] = []
    removed: list[int] = []
    added: list[int] = []
    gaps: tuple[dict[int, int], dict[int, int]] = ({}, {})
    matcher = difflib.SequenceMatcher(None, _folded(old), _folded(new), autojunk=False)
    for gap, (tag, i1, i2, j1, j2) in enumerate(matcher.get_opcodes()):
        if tag == "equal":
            continue
        if tag == "delete":
            removed.extend(range(i1, i2))
        elif tag == "insert":
            added.extend(range(j1, j2))
        elif tag == "replace":
            found, gone, came = _compare_runs(old[i1:i2], new[j1:j2])
            numbers.extend(
                (change, _shifted(old_span, i1), _shifted(new_span, j1))
                for change, old_span, new_span in found
            )
            removed.extend(i1 + index for index in gone)
            added.extend(j1 + index for index in came)
        gaps[0].update(dict.fromkeys(range(i1, i2), gap))
        gaps[1].update(dict.fromkeys(range(j1, j2), gap))
    return numbers, removed, added, gaps


def _shifted(span: Span, by: int) -> Span:
    """``span`` in a run of sentences that starts ``by`` sentences later."""
    first, last, end = span
    return first + by, last + by, end


def _cut(paragraphs: list[Paragraph]) -> Cut:
    """The sentences of ``paragraphs`` in order, and the place of the paragraph of each."""
    cut = [(place, s) for place, (_, text) in enumerate(paragraphs) for s in sentences(text)]
    return [s for _, s in cut], [place for place, _ in cut]


def _recut(old: Cut, new: Cut) -> tuple[Cut, Cut]:
    """``old`` and ``new`` with each differing run of sentences whose text is the other
    side's with whole phrases added at its start or end (:func:`_phrases_added`) cut as
    the other side's sentences and those phrases, within one paragraph on each side.

    The segmenter cuts a paragraph by its words around each place: a sentence added to
    the end of a paragraph is cut together with the one before it (``… ว่า ทั้งนี้ …``),
    and aligned as it stands that unchanged sentence would be listed as removed and the
    two together as added."""
    (old_texts, old_paragraph_of), (new_texts, new_paragraph_of) = old, new
    matcher = difflib.SequenceMatcher(None, _folded(old_texts), _folded(new_texts), autojunk=False)
    recut_old: Cut = ([], [])
    recut_new: Cut = ([], [])
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old_run, new_run = old_texts[i1:i2], new_texts[j1:j2]
        old_places, new_places = old_paragraph_of[i1:i2], new_paragraph_of[j1:j2]
        if tag == "replace" and len(set(old_places)) == len(set(new_places)) == 1:
            with_phrases_added = _phrases_added(old_run, new_run)
            if with_phrases_added:
                new_run = with_phrases_added
            else:
                old_run = _phrases_added(new_run, old_run) or old_run  # phrases cut
            old_places, new_places = old_places[:1] * len(old_run), new_places[:1] * len(new_run)
        recut_old[0].extend(old_run)
        recut_old[1].extend(old_places)
        recut_new[0].extend(new_run)
        recut_new[1].extend(new_places)
    return recut_old, recut_new


def _phrases_added(shorter: list[str], longer: list[str]) -> list[str] | None:
    """``longer`` as ``shorter``'s sentences and the rest of its text, when its text is
    ``shorter``'s (compared as :func:`_fold` does) with whole phrases (between spaces)
    added at the start or the end; otherwise None. A word joined to a first or last word
    without a space (``ค่าใช้จ่าย`` -> ``ค่าใช้จ่ายรวม``) edits that sentence instead, and
    so does a word or two (:func:`_is_fragment`) between spaces: the rest is then joined
    to the first or last of ``shorter``'s sentences, which differs from it and is
    compared word by word."""
    kept = _folded(PHRASE.findall(" ".join(shorter)))
    text = " ".join(longer)
    spans = [match.span() for match in PHRASE.finditer(text)]
    phrases = _folded([text[start:end] for start, end in spans])
    count = len(kept)
    if len(phrases) <= count:
        return None
    if phrases[:count] == kept:
        rest = text[spans[count][0] :]
        if _is_fragment([rest]):
            return [*shorter[:-1], f"{shorter[-1]} {rest}"]
        return [*shorter, rest]
    if phrases[-count:] == kept:
        rest = text[: spans[-count - 1][1]]
        if _is_fragment([rest]):
            return [f"{rest} {shorter[0]}", *shorter[1:]]
        return [rest, *shorter]
    return None


def _fragments_attached(old: Cut, new: Cut) -> tuple[Cut, Cut]:
    """``old`` and ``new`` with each run of sentences only one side has that is a word or
    two (:func:`_is_fragment`) and ends with no sentence mark joined to the sentences of
    its paragraph just before and just after it on its own side.

    Such a run is a word or two the segmenter cut from an edited sentence (``… ไม่``, the
    ``ไม่`` added to its end): joined to it, that sentence differs from the other side's
    and is compared word by word, so it is shown whole, before and after, rather than the
    word alone. Which of its neighbours the segmenter cut it from is not known: it is
    joined to both. A word or two in place of another word or two (``ไม่ใช่`` for
    ``ยังไม่ได้``, each cut alone) is such a run on each side."""
    (old_texts, _), (new_texts, _) = old, new
    matcher = difflib.SequenceMatcher(None, _folded(old_texts), _folded(new_texts), autojunk=False)
    old_runs: list[tuple[int, int]] = []
    new_runs: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        replaced = (
            tag == "replace" and _is_fragment(old_texts[i1:i2]) and _is_fragment(new_texts[j1:j2])
        )
        if tag == "delete" or replaced:
            old_runs.append((i1, i2))
        if tag == "insert" or replaced:
            new_runs.append((j1, j2))
    return _attached(old, old_runs), _attached(new, new_runs)


def _attached(cut: Cut, runs: list[tuple[int, int]]) -> Cut:
    """``cut`` with each of ``runs`` (start, end) that is a word or two within one
    paragraph joined to the sentence of that paragraph beside it (see
    :func:`_fragments_attached`)."""
    texts, paragraph_of = cut
    joins_previous = [False] * len(texts)
    for start, end in runs:
        place = paragraph_of[start]
        if set(paragraph_of[start:end]) != {place} or (
            texts[end - 1].rstrip(SENTENCE_CLOSERS).endswith(tuple(SENTENCE_MARKS))
        ):
            continue
        if not _is_fragment(texts[start:end]):
            continue
        after = end < len(texts) and paragraph_of[end] == place
        if start > 0 and paragraph_of[start - 1] == place:
            joins_previous[start] = True
        elif not after:
            continue  # the paragraph's only text
        joins_previous[start + 1 : end + after] = [True] * (end - start - 1 + after)
    joined: Cut = ([], [])
    for text, place, joins in zip(texts, paragraph_of, joins_previous, strict=True):
        if joins:
            joined[0][-1] += " " + text
        else:
            joined[0].append(text)
            joined[1].append(place)
    return joined


def _is_fragment(texts: list[str]) -> bool:
    """True when ``texts`` together hold at most :data:`FRAGMENT_WORDS` words. (Each phrase
    between spaces holds one or more: a longer run is not cut into words.)"""
    text = " ".join(texts)
    if len(PHRASE.findall(text)) > FRAGMENT_WORDS:
        return False
    return sum(1 for word in words(text) if word.strip()) <= FRAGMENT_WORDS


def _joined(paragraph_of: list[int], chosen: list[int]) -> list[list[int]]:
    """The ``chosen`` sentences (places, in order) in runs of those next to each other in
    one paragraph: Thai has no sentence marks, and the segmenter cuts a sentence at the
    spaces between its phrases (``… 3 คณะ`` | ``ภายในเดือนธันวาคม`` | ``2567``), so one
    sentence added or removed would be listed in pieces. Each run is one passage
    (:func:`_passages`)."""
    runs: list[list[int]] = []
    for number, place in enumerate(chosen):
        previous = chosen[number - 1] if number else None
        if previous == place - 1 and paragraph_of[previous] == paragraph_of[place]:
            runs[-1].append(place)
        else:
            runs.append([place])
    return runs


def _passages(
    texts: list[str], runs: list[list[int]]
) -> tuple[list[str], dict[int, tuple[int, int]]]:
    """The passages of ``runs`` (:func:`_joined`), the sentences of each joined by a space,
    and for each of their sentences, the passage it is in and where it starts in it."""
    passages: list[str] = []
    starts: dict[int, tuple[int, int]] = {}
    for run in runs:
        passage = ""
        for place in run:
            if place != run[0]:
                passage += " "
            starts[place] = (len(passages), len(passage))
            passage += texts[place]
        passages.append(passage)
    return passages, starts


def _followed(
    texts: list[str], runs: list[list[int]], changed: set[int], before_run: str
) -> list[str]:
    """For each passage of ``runs`` (:func:`_joined`), the unchanged text it follows: the
    sentence just before its first (``before_run``, the unchanged paragraph before the run,
    for the run's first sentence), or "" when that sentence is itself ``changed`` (removed,
    added or moved, or a number changed in it) or there is none."""
    followed: list[str] = []
    for first, *_ in runs:
        if first == 0:
            followed.append(before_run)
        elif first - 1 in changed:
            followed.append("")
        else:
            followed.append(texts[first - 1])
    return followed


def _moves(
    removed: Sequence[Compared], added: Sequence[Compared]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The passages that moved: (removed, added) pairs of places in ``removed`` and
    ``added`` (each passage as compared, and its gap, :data:`Compared`), first of those
    that moved unchanged, then of those that moved and were edited a little
    (:func:`_edited_moves`). A passage moved unchanged has the same text, spaces aside (a
    space put in or taken out is no change a reader is told of, as within a sentence, and
    the segmenter may then cut the passage otherwise): each removed one is paired with the
    first such added one not paired yet (a sentence the new version has twice, once where
    it was, once more elsewhere, is added once).

    The two passages of a pair lie in two gaps: in one, they are text edited in place (a
    space put in, a word changed), not moved. A passage the same, sentence for sentence,
    is never in one: the aligner leaves no sentence unmatched on both sides of one run it
    replaces (it would have matched them), so the same sentence removed and added crosses
    another that is matched."""
    waiting: dict[str, list[int]] = {}
    for place, (text, _) in enumerate(added):
        waiting.setdefault("".join(text.split()), []).append(place)
    same: list[tuple[int, int]] = []
    for place, (text, gap) in enumerate(removed):
        others = waiting.get("".join(text.split()), [])
        other = next((other for other in others if added[other][1] != gap), None)
        if other is not None:
            others.remove(other)
            same.append((place, other))
    return same, _edited_moves(
        removed, added, {place for place, _ in same}, {place for _, place in same}
    )


def _edited_moves(
    removed: Sequence[Compared],
    added: Sequence[Compared],
    removed_paired: set[int],
    added_paired: set[int],
) -> list[tuple[int, int]]:
    """(removed, added) pairs of the passages not paired yet that moved and were edited a
    little (a word or a number changed, a typo fixed), each in another gap: each passage
    of at least :data:`MOVED_EDITED_MIN_WORDS` words, whose words (spaces aside, as
    :func:`words` finds them) match at least :data:`MOVED_EDITED_SIMILARITY` of both
    passages' (difflib's ratio: twice the words matched in order over the words of both),
    the most alike pairs first (the first removed, then added, of equals), each passage in
    one pair at most. A shorter passage, one word in it changed, may say another thing
    (``The committee approved it.``): a word changed in one of 8 words keeps 7 in common,
    a ratio of 0.875; a sentence added to a short passage, or a few words changed in a
    sentence, falls below, and is removed and added, as any other edit."""
    remaining = [place for place in range(len(added)) if place not in added_paired]
    left = [place for place in range(len(removed)) if place not in removed_paired]
    if not remaining or not left:
        return []
    # Each passage's words read once: with more passages than a cache holds, reading them
    # again for each pair tokenized one passage per pair (1,100 short lines removed and 880
    # added took 12 s).
    added_words = {place: _compared_words(added[place][0]) for place in remaining}
    removed_words = {place: _compared_words(removed[place][0]) for place in left}
    alike: list[tuple[float, int, int]] = []
    matcher: difflib.SequenceMatcher[str] = difflib.SequenceMatcher(None, autojunk=False)
    for other in remaining:
        second = added_words[other]
        if len(second) < MOVED_EDITED_MIN_WORDS:
            continue
        matcher.set_seq2(second)
        for place in left:
            first = removed_words[place]
            total = len(first) + len(second)
            if (
                removed[place][1] == added[other][1]
                or len(first) < MOVED_EDITED_MIN_WORDS
                or 2 * min(len(first), len(second)) < MOVED_EDITED_SIMILARITY * total
            ):
                continue
            matcher.set_seq1(first)
            if matcher.quick_ratio() >= MOVED_EDITED_SIMILARITY:
                ratio = matcher.ratio()
                if ratio >= MOVED_EDITED_SIMILARITY:
                    alike.append((-ratio, place, other))
    pairs: list[tuple[int, int]] = []
    taken_removed: set[int] = set()
    taken_added: set[int] = set()
    for _, place, other in sorted(alike):
        if place not in taken_removed and other not in taken_added:
            pairs.append((place, other))
            taken_removed.add(place)
            taken_added.add(other)
    return sorted(pairs, key=lambda pair: pair[1])


def _compared_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` (as compared, :func:`_fold`), spaces left out."""
    return tuple(word for word in words(text) if word.strip())


def _compared(
    texts: list[str], runs: list[list[int]], gaps: dict[int, int], run: int
) -> list[Compared]:
    """Each passage of ``runs`` (:func:`_joined`) as :func:`_moves` compares it: its
    sentences as compared, joined by spaces, and its gap (``run``, the run of paragraphs,
    and the gap of ``gaps`` its first sentence lies in)."""
    return [
        (" ".join(_folded([texts[place] for place in passage])), (run, gaps[passage[0]]))
        for passage in runs
    ]


def _numbered(spans: Sequence[Span]) -> set[int]:
    """The places of the sentences that hold a changed number (``spans``)."""
    return {place for first, last, _ in spans for place in range(first, last + 1)}


def _placed(starts: dict[int, tuple[int, int]], span: Span, before: int) -> tuple[int, int] | None:
    """Where a number lying at ``span`` ends in the passages (``starts`` as
    :func:`_passages` gives them, ``before`` passages listed ahead of them): the place of
    its passage and where it ends in it; None when its sentences are not in one passage."""
    first, last, end = span
    if first not in starts or last not in starts or starts[first][0] != starts[last][0]:
        return None
    passage, start = starts[last]
    return before + passage, start + end


def _shows(
    passages: Sequence[str], shown: Sequence[ShownChange], at: tuple[int, int] | None, number: str
) -> bool:
    """True when the passages as a reader is shown them (``shown``) hold ``number``, which
    ends at ``at`` (:func:`_placed`): one passage holds it whole, and what is shown of that
    passage (a long one is cut) holds it."""
    if at is None:
        return False
    passage, end = at
    # What is shown is the passage cleaned on one line, and a number ends with a digit:
    # cleaned, the text up to it ends where it ends.
    number_end = len(clean_line(passages[passage][:end]))
    seen = shown[passage]
    return seen.start <= number_end - len(clean_line(number)) and number_end <= seen.end


def body_diff(old_body: str, new_body: str) -> Diff:
    """The numbers changed, sentences removed and added and passages moved from one
    normalised body to another (or, beyond the bounds of the module's docstring, the
    paragraphs removed and added). :func:`diff_versions` reads stored bodies as today's
    normaliser writes them first.

    Paragraphs are aligned first; only the runs that differ are cut into sentences, and
    only they count towards :data:`MAX_ALIGNED_CHARS`, so an edit at each end of a long
    article is still aligned."""
    old_paragraphs, new_paragraphs, opening = _differing_middles(
        _paragraphs(old_body), _paragraphs(new_body)
    )
    if len(old_paragraphs) + len(new_paragraphs) > MAX_ALIGNED_PARAGRAPHS:
        return _by_paragraph(old_paragraphs, new_paragraphs)
    runs = _changed_runs(old_paragraphs, new_paragraphs, opening)
    old_changed = [paragraph for old, _, _ in runs for paragraph in old]
    new_changed = [paragraph for _, new, _ in runs for paragraph in new]
    if sum(len(text) for _, text in old_changed + new_changed) > MAX_ALIGNED_CHARS:
        return _by_paragraph(old_changed, new_changed, runs=True)
    cut = [(_cut(old), _cut(new), before) for old, new, before in runs]
    if sum(len(old[0]) + len(new[0]) for old, new, _ in cut) > MAX_ALIGNED_SENTENCES:
        return _by_paragraph(old_changed, new_changed, runs=True)
    # Each run's sentences, the numbers changed in them, the runs of their sentences
    # removed and added (:func:`_joined`) and the gaps of those, before the passages that
    # moved are known.
    aligned: list[
        tuple[
            Cut,
            Cut,
            list[PlacedNumber],
            list[list[int]],
            list[list[int]],
            tuple[dict[int, int], dict[int, int]],
        ]
    ] = []
    for old_cut, new_cut, _ in cut:
        old, new = _fragments_attached(*_recut(old_cut, new_cut))
        found, gone, came, gaps = _sentence_changes(old[0], new[0])
        aligned.append((old, new, found, _joined(old[1], gone), _joined(new[1], came), gaps))
    same, edited = _moves(
        [
            key
            for run, (old, _, _, gone, _, gaps) in enumerate(aligned)
            for key in _compared(old[0], gone, gaps[0], run)
        ],
        [
            key
            for run, (_, new, _, _, came, gaps) in enumerate(aligned)
            for key in _compared(new[0], came, gaps[1], run)
        ],
    )
    moved_away = {place for place, _ in same + edited}
    moved_here = {place for _, place in same}
    edited_from = {other: place for place, other in edited}  # added place: removed place
    # The text of every removed passage as the old version writes it, for those edited.
    gone_texts = [
        text for (old, _), _, _, gone, _, _ in aligned for text in _passages(old, gone)[0]
    ]
    # Each number changed, and where it ends in the removed and in the added passages.
    placed: list[tuple[NumberChange, tuple[int, int] | None, tuple[int, int] | None]] = []
    removed: list[str] = []
    added: list[str] = []
    moved: list[str] = []
    moved_edited: list[tuple[str, str]] = []
    removed_after: list[str] = []
    added_after: list[str] = []
    moved_after: list[str] = []
    moved_edited_after: list[str] = []
    passages_gone = passages_came = 0  # before this run's
    for (old_cut, new_cut, found, gone, came, _), (_, _, (old_before, new_before)) in zip(
        aligned, cut, strict=True
    ):
        (old, _), (new, _) = old_cut, new_cut
        kept_gone = [run for n, run in enumerate(gone, passages_gone) if n not in moved_away]
        kept_came = [
            run
            for n, run in enumerate(came, passages_came)
            if n not in moved_here and n not in edited_from
        ]
        moved_runs = [run for n, run in enumerate(came, passages_came) if n in moved_here]
        edited_here = [
            n for n in range(passages_came, passages_came + len(came)) if n in edited_from
        ]
        edited_runs = [came[n - passages_came] for n in edited_here]
        passages_gone, passages_came = passages_gone + len(gone), passages_came + len(came)
        gone_passages, gone_starts = _passages(old, kept_gone)
        came_passages, came_starts = _passages(new, kept_came)
        old_changed_places = _numbered([old_span for _, old_span, _ in found])
        old_changed_places.update(place for run in gone for place in run)
        new_changed_places = _numbered([new_span for _, _, new_span in found])
        new_changed_places.update(place for run in came for place in run)
        removed_after.extend(_followed(old, kept_gone, old_changed_places, old_before))
        added_after.extend(_followed(new, kept_came, new_changed_places, new_before))
        moved_after.extend(_followed(new, moved_runs, new_changed_places, new_before))
        moved_edited_after.extend(_followed(new, edited_runs, new_changed_places, new_before))
        placed.extend(
            (
                change,
                _placed(gone_starts, old_span, len(removed)),
                _placed(came_starts, new_span, len(added)),
            )
            for change, old_span, new_span in found
        )
        removed.extend(gone_passages)
        added.extend(came_passages)
        moved.extend(_passages(new, moved_runs)[0])
        moved_edited.extend(
            (gone_texts[edited_from[n]], text)
            for n, text in zip(edited_here, _passages(new, edited_runs)[0], strict=True)
        )
    # A number the removed and the added text shown hold, old and new, is not listed
    # again; one they do not (a sentence of it not shown, or cut off) is.
    removed_shown, added_shown = shown_changes(removed, added)
    numbers = tuple(
        change
        for change, old_at, new_at in placed
        if not (
            _shows(removed, removed_shown, old_at, change.old)
            and _shows(added, added_shown, new_at, change.new)
        )
    )
    return Diff(
        numbers=numbers,
        removed=tuple(removed),
        added=tuple(added),
        removed_after=tuple(removed_after) if any(removed_after) else (),
        added_after=tuple(added_after) if any(added_after) else (),
        moved=tuple(moved),
        moved_after=tuple(moved_after) if any(moved_after) else (),
        moved_edited=tuple(moved_edited),
        moved_edited_after=tuple(moved_edited_after) if any(moved_edited_after) else (),
    )


def diff_versions(
    old_title: str,
    old_body: str,
    old_published: str | None,
    new_title: str,
    new_body: str,
    new_published: str | None,
    earlier_titles: Collection[str] = (),
) -> Diff:
    """What changed from one version (title, body, published date) to a later one, each
    read as today's normaliser writes it (:func:`~thaidigest.normalise.renormalised`).

    A body line that repeats a headline, either version's or one of ``earlier_titles``
    (those the article had before), is the page repeating a headline, not its text
    (:func:`~thaidigest.normalise.headline_repeat`): it is set aside in both bodies.
    A site that edits a headline may leave the old one atop the body, which
    normalisation kept (it drops only repeats of the version's own headline): shown as
    added text, it would read as news; the change a reader is told of is the headline's.
    Nor is that line taken out later, or the line a headline put back makes
    normalisation drop, removed text."""
    old_title, old_body = renormalised(old_title, old_body)
    new_title, new_body = renormalised(new_title, new_body)
    # A space put in or taken out, as in the body, is no change a reader is told of.
    same_headline = "".join(_fold(old_title).split()) == "".join(_fold(new_title).split())
    headlines = [old_title, new_title, *(renormalised(title, "")[0] for title in earlier_titles)]
    return replace(
        body_diff(
            without_headline_repeats(old_body, headlines),
            without_headline_repeats(new_body, headlines),
        ),
        headline=None if same_headline else (old_title, new_title),
        published=(old_published, new_published) if old_published != new_published else None,
    )
