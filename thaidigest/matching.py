"""Finding many terms in Thai text at once: an Aho-Corasick automaton, leftmost-longest.

Thai has no spaces, so terms are found as substrings. pyahocorasick finds
every (overlapping) match in one pass in C; :func:`leftmost_longest` then
keeps what a regular expression of the alternatives would: at each point the
longest term starting there, and the next match only after it. The
automaton's own ``iter_long`` misses some matches (pyahocorasick issues #133,
#185, #189), so it is not used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import ahocorasick

__all__ = ["automaton", "leftmost_longest", "single_spaced"]

_SPACES = re.compile(r"\s+")


def automaton(keys: Iterable[str]) -> ahocorasick.Automaton:
    """An automaton that finds each of ``keys``, each its own value."""
    built = ahocorasick.Automaton()
    for key in keys:
        built.add_word(key, key)
    built.make_automaton()
    return built


def leftmost_longest(found_in: ahocorasick.Automaton, text: str) -> list[tuple[int, int, str]]:
    """``(start, end, key)`` of the keys in ``text``: leftmost-longest, in turn."""
    # ``iter`` gives the index of a match's last character.
    matches = sorted((last + 1 - len(key), -len(key), key) for last, key in found_in.iter(text))
    spans: list[tuple[int, int, str]] = []
    free_from = 0  # where the next match may start
    for start, negative_length, key in matches:
        if start >= free_from:
            spans.append((start, start - negative_length, key))
            free_from = start - negative_length
    return spans


def single_spaced(text: str) -> str:
    """``text`` with each run of white space as one space, as terms and names are written.

    Normalised text has single spaces and newlines only, so the common case is
    one replace; positions in the result are those the matches are found at.
    """
    flat = text.replace("\n", " ")
    if "  " in flat or not flat.isprintable():  # tabs, other spaces, runs: rare
        return _SPACES.sub(" ", text)
    return flat
