"""Matching: which keys are found inside which keys, as substrings or on word boundaries."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from thaidigest.matching import labels_inside

WORD_CHARS = frozenset("ab1")


def found_inside(key: str, other: str, whole_words: bool) -> bool:
    """Whether ``other`` is found in ``key`` anywhere but as all of it: anywhere, or with
    no character of WORD_CHARS either side."""
    start = key.find(other)
    while start != -1:
        end = start + len(other)
        if (start, end) != (0, len(key)) and (
            not whole_words
            or (
                (start == 0 or key[start - 1] not in WORD_CHARS)
                and (end == len(key) or key[end] not in WORD_CHARS)
            )
        ):
            return True
        start = key.find(other, start + 1)
    return False


def labels_found(
    keys: list[str], labels: list[list[int]], whole_words: list[bool]
) -> list[list[int]]:
    """labels_inside, the slow way: every key against every other, in turn."""
    inside = []
    for key, words in zip(keys, whole_words, strict=True):
        found: list[int] = []
        for other, theirs in zip(keys, labels, strict=True):
            if found_inside(key, other, words):
                found.extend(label for label in theirs if label not in found)
        inside.append(found)
    return inside


@settings(max_examples=800, deadline=None)
@given(
    st.lists(st.text(alphabet="ab1 -ก", min_size=1, max_size=9), min_size=1, max_size=30).map(
        lambda keys: list(dict.fromkeys(keys))
    ),
    st.data(),
)
def test_labels_inside_are_those_of_every_other_key_found_inside(
    keys: list[str], data: st.DataObject
) -> None:
    labels = [data.draw(st.lists(st.integers(0, 6), max_size=3, unique=True)) for _ in keys]
    whole_words = [data.draw(st.booleans()) for _ in keys]
    assert labels_inside(keys, labels, whole_words, WORD_CHARS) == labels_found(
        keys, labels, whole_words
    )


def test_nested_keys_each_hold_every_shorter_one_in_the_order_of_the_keys() -> None:
    # Each key holds each shorter one as often as their lengths differ, plus one: a
    # search for every occurrence lists about n**3 / 6 of them (170 million for 1,000).
    keys = ["ก" * n for n in range(1_000, 0, -1)]
    inside = labels_inside(keys, [[n] for n in range(1_000)], [False] * 1_000, WORD_CHARS)
    assert inside[0] == list(range(1, 1_000))
    assert inside[998] == [999]  # "กก" holds "ก"
    assert inside[999] == []


def test_repeated_words_are_found_inside_only_on_word_boundaries() -> None:
    keys = ["ab", "abab", "ab ab", "ab ab ab", "b ab"]
    inside = labels_inside(keys, [[0], [1], [2], [3], [4]], [True] * 5, WORD_CHARS)
    assert inside == [[], [], [0], [0, 2], [0]]
    anywhere = labels_inside(keys, [[0], [1], [2], [3], [4]], [False] * 5, WORD_CHARS)
    assert anywhere == [[], [0], [0, 4], [0, 2, 4], [0]]
