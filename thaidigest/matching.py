"""Finding many terms in Thai text at once: an Aho-Corasick automaton, leftmost-longest.

Thai has no spaces, so terms are found as substrings. ahocorasick_rs (the Rust
``aho-corasick`` crate) finds them in one pass, leftmost-longest, as a regular
expression of the alternatives would: at each point the longest term starting
there, and the next match only after it. Keys alone are found in the UTF-8
bytes (a valid UTF-8 term can only match at a character's start), which spares
converting byte offsets to character offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property
from typing import Any

import ahocorasick_rs

__all__ = ["Automaton", "single_spaced"]

_SPACES = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")


# A DFA is the fastest automaton to run, but its memory grows with its keys: 2 MiB for
# the 153 Thai rule terms, 14 MiB for the 1,525 partner names (for a fifth less time
# than the contiguous NFA's, which takes under 1 MiB). Up to this many keys, a DFA.
DFA_MAX_KEYS = 500


class Automaton:
    """Finds a fixed set of keys in texts, leftmost-longest.

    Each search is built when first used: :meth:`spans` searches the text,
    :meth:`found` its UTF-8 bytes.
    """

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = tuple(dict.fromkeys(keys))
        if "" in self.keys:
            raise ValueError("an empty string is no key")
        for key in self.keys:
            key.encode()  # a lone surrogate: the UnicodeEncodeError (a ValueError) here

    def _options(self) -> dict[str, Any]:
        small = len(self.keys) <= DFA_MAX_KEYS
        return {
            "matchkind": ahocorasick_rs.MatchKind.LeftmostLongest,
            "implementation": ahocorasick_rs.Implementation.DFA
            if small
            else ahocorasick_rs.Implementation.ContiguousNFA,
        }

    @cached_property
    def _in_text(self) -> ahocorasick_rs.AhoCorasick:
        return ahocorasick_rs.AhoCorasick(list(self.keys), **self._options())

    @cached_property
    def _in_bytes(self) -> ahocorasick_rs.BytesAhoCorasick:
        return ahocorasick_rs.BytesAhoCorasick(
            [key.encode() for key in self.keys], **self._options()
        )

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, key)`` of the keys in ``text``, in turn (character offsets)."""
        keys, find = self.keys, self._in_text.find_matches_as_indexes
        try:
            return [(start, end, keys[index]) for index, start, end in find(text)]
        except UnicodeEncodeError:  # a lone surrogate, which UTF-8 cannot hold
            pass
        # No key holds one, so no match runs across one: the parts between them, in turn.
        spans: list[tuple[int, int, str]] = []
        offset = 0
        for part in _SURROGATE.split(text):
            spans += [(offset + start, offset + end, keys[i]) for i, start, end in find(part)]
            offset += len(part) + 1  # and the surrogate
        return spans

    def byte_spans(self, data: bytes) -> list[tuple[int, int, str]]:
        """``(start, end, key)`` of the keys' UTF-8 in ``data``, in turn (byte offsets)."""
        keys, find = self.keys, self._in_bytes.find_matches_as_indexes
        return [(start, end, keys[index]) for index, start, end in find(data)]

    def found(self, text: str) -> list[str]:
        """The keys in ``text``, in turn: the keys of :meth:`spans`, found faster."""
        keys = self.keys
        # A lone surrogate's bytes begin no key's, nor continue one: it matches nothing.
        found = self._in_bytes.find_matches_as_indexes(text.encode("utf-8", "surrogatepass"))
        return [keys[index] for index, _, _ in found]


def single_spaced(text: str) -> str:
    """``text`` with each run of white space as one space, as terms and names are written.

    Normalised text has single spaces and newlines only, so the common case is
    one replace; positions in the result are those the matches are found at.
    """
    flat = text.replace("\n", " ")
    if "  " in flat or not flat.isprintable():  # tabs, other spaces, runs: rare
        return _SPACES.sub(" ", text)
    return flat
