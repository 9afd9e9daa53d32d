"""Finding many terms in Thai text at once: an Aho-Corasick automaton, leftmost-longest;
and which terms are found inside which (:func:`labels_inside`).

Thai has no spaces, so terms are found as substrings. ahocorasick_rs (the Rust
``aho-corasick`` crate) finds them in one pass, leftmost-longest, as a regular
expression of the alternatives would: at each point the longest term starting
there, and the next match only after it. Keys alone are found in the UTF-8
bytes (a valid UTF-8 term can only match at a character's start), which spares
converting byte offsets to character offsets.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Iterable, Sequence
from functools import cached_property
from itertools import compress
from typing import Any, TypeVar

import ahocorasick_rs

__all__ = ["Automaton", "labels_inside", "single_spaced"]

Label = TypeVar("Label", bound=Hashable)

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


def labels_inside(
    keys: Sequence[str],
    labels: Sequence[Sequence[Label]],
    whole_words: Sequence[bool],
    word_chars: Collection[str],
) -> list[list[Label]]:
    """For each of ``keys``, the labels of the other keys found inside it, each label once,
    in the order of the keys and then of each key's ``labels``: as substrings, or, in a key
    whose ``whole_words`` is true, on word boundaries (no character of ``word_chars``
    either side).

    The keys, distinct and none empty, are one trie with Aho-Corasick links, and each key
    is its path from the root: the keys found at each point are the keys ending there,
    found by the links, and the walk along a link stops at a key found before on the path,
    whose own links' keys were found with it. The work grows with the trie's nodes (at most
    the keys' characters) and the labels found, not with the places each key is found at:
    keys nested one in another (``ก``, ``กก``, ``กกก``, ...) hold the shorter ones as often as
    the square of their length, and a search that lists them all, the cube of their number.
    """
    trie = _Trie(keys)
    inside: list[list[Label]] = [[] for _ in keys]
    ranked: list[list[tuple[int, Label]]] = [[] for _ in keys]  # (place in the order, label)
    rank = 0
    for key, own in enumerate(labels):
        for label in own:
            ranked[key].append((rank, label))
            rank += 1
    for words in (False, True):
        chosen = [i for i, flag in enumerate(whole_words) if bool(flag) is words]
        if chosen:
            trie.walk(ranked, set(chosen), words, frozenset(word_chars), inside)
    return inside


class _Trie:
    """The trie of some keys with its Aho-Corasick links: nodes numbered in depth-first
    order, children in the order of their characters (0, the root, is no key's)."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = keys
        parent, char, depth, key_at, owner = [0], [""], [0], [-1], [-1]
        children: list[dict[str, int] | None] = [None]
        path, previous = [0], ""
        # In sorted order, a key shares its longest prefix in the trie with the key before it.
        for index in sorted(range(len(keys)), key=keys.__getitem__):
            key = keys[index]
            shared = _common_prefix(previous, key)
            del path[shared + 1 :]
            node, up = len(parent), path[-1]
            for letter in key[shared:]:
                below = children[up]
                if below is None:
                    children[up] = {letter: node}
                else:
                    below[letter] = node
                children.append(None)
                parent.append(up)
                path.append(node)
                up = node
                node += 1
            char.extend(key[shared:])
            depth.extend(range(shared + 1, len(key) + 1))
            key_at.extend([-1] * (len(key) - shared))
            owner.extend([index] * (len(key) - shared))  # a key the node's text begins
            key_at[up] = index
            previous = key
        self.parent, self.char, self.depth, self.key_at = parent, char, depth, key_at
        self.owner = owner
        # fail: the node of the longest proper suffix of a node's text in the trie; ends:
        # that of the longest proper suffix that is a key (0: none). Shallower nodes first.
        self.by_depth = sorted(range(1, len(parent)), key=depth.__getitem__)
        fail = [0] * len(parent)
        ends = [0] * len(parent)
        top = children[0] or {}
        for node in self.by_depth:
            up = parent[node]
            if up:
                letter, suffix = char[node], fail[up]
                while suffix:
                    below = children[suffix]
                    if below is not None and letter in below:
                        fail[node] = longest = below[letter]
                        break
                    suffix = fail[suffix]
                else:
                    fail[node] = longest = top.get(letter, 0)
                ends[node] = longest if key_at[longest] >= 0 else ends[longest]
        self.ends = ends

    def bounded_ends(self, word_chars: frozenset[str]) -> list[int]:
        """For each key's node, that of the longest proper suffix of the key that is a key
        with no character of ``word_chars`` before it in the key (0: none)."""
        keys, key_at, depth, ends = self.keys, self.key_at, self.depth, self.ends
        bounded = [0] * len(key_at)
        for node in self.by_depth:
            if key_at[node] >= 0:
                suffix = ends[node]
                before = depth[node] - depth[suffix] - 1
                if suffix and keys[key_at[node]][before] in word_chars:
                    suffix = bounded[suffix]  # its own suffixes have their characters before
                bounded[node] = suffix
        return bounded

    def walk(
        self,
        ranked: Sequence[Sequence[tuple[int, Label]]],
        chosen: Collection[int],
        whole_words: bool,
        word_chars: frozenset[str],
        inside: list[list[Label]],
    ) -> None:
        """Set ``inside`` of each ``chosen`` key (by index): the labels of the keys found in
        it (``ranked``: each key's labels with their places in the order), each first where
        it ranks first. Keys found are marked along the path from the root, and unmarked on
        the way back: a key marked was found with every key its links lead to."""
        parent, char, depth, key_at = self.parent, self.char, self.depth, self.key_at
        links = self.bounded_ends(word_chars) if whole_words else self.ends
        wanted = bytearray(len(parent))  # a chosen key at or under the node (not the root)
        for node in range(len(parent) - 1, 0, -1):
            if wanted[node] or key_at[node] in chosen:
                wanted[node] = wanted[parent[node]] = 1
        wanted[0] = 0
        seen: dict[Label, int] = {}  # the labels of the keys marked, by their first rank
        marked = bytearray(len(parent))
        undo: list[int | tuple[Label, int | None]] = []

        def mark(node: int) -> None:
            while node and not marked[node]:
                marked[node] = 1
                undo.append(node)
                for rank, label in ranked[key_at[node]]:
                    old = seen.get(label)
                    if old is None or rank < old:
                        undo.append((label, old))
                        seen[label] = rank
                node = links[node]

        def back(size: int) -> None:
            while len(undo) > size:
                done = undo.pop()
                if isinstance(done, int):
                    marked[done] = 0
                elif done[1] is None:
                    del seen[done[0]]
                else:
                    seen[done[0]] = done[1]

        def found() -> list[Label]:
            return [label for label, _ in sorted(seen.items(), key=lambda item: item[1])]

        # (depth, size of undo before it) of each node on the path that marked keys
        frames: list[tuple[int, int]] = []
        ends = self.ends
        for node in compress(range(len(parent)), wanted):  # none under a node not wanted
            level = depth[node]
            while frames and frames[-1][0] >= level:
                back(frames.pop()[1])
            size = len(undo)
            key = key_at[node]
            if whole_words:
                up = parent[node]
                if up and char[node] not in word_chars:  # the keys ending before it end a word
                    first = self._bounded_suffix(up, links, word_chars)
                    if first and not marked[first]:
                        mark(first)
                if key in chosen:  # and those ending with the key, but for the key
                    confirmed = len(undo)
                    mark(links[node])
                    inside[key] = found()
                    back(confirmed)
            elif key >= 0:  # the keys ending at its last character: it, and its links'
                if key in chosen:
                    mark(ends[node])
                    inside[key] = found()
                mark(node)
            elif ends[node] and not marked[ends[node]]:
                mark(ends[node])
            if len(undo) > size:
                frames.append((level, size))

    def _bounded_suffix(self, node: int, bounded: Sequence[int], word_chars: frozenset[str]) -> int:
        """The node of the longest key that ends the ``node``'s text with no character of
        ``word_chars`` before it there (0: none)."""
        longest = node if self.key_at[node] >= 0 else self.ends[node]
        before = self.depth[node] - self.depth[longest] - 1
        if longest and before >= 0 and self.keys[self.owner[node]][before] in word_chars:
            return bounded[longest]
        return longest


def _common_prefix(first: str, second: str) -> int:
    """The length of the longest prefix ``first`` and ``second`` share."""
    if second.startswith(first):
        return len(first)
    low, high = 0, min(len(first), len(second))  # first[:low] == second[:low]
    while low < high:
        middle = (low + high + 1) // 2
        if first[:middle] == second[:middle]:
            low = middle
        else:
            high = middle - 1
    return low
