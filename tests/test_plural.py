import pytest

from thaidigest.plural import counted, listed


@pytest.mark.parametrize(
    ("count", "noun", "said"),
    [
        (1, "item", "1 item"),
        (0, "item", "0 items"),
        (2, "item", "2 items"),
        (1, "stored article", "1 stored article"),
        (5, "stored article", "5 stored articles"),
    ],
)
def test_the_noun_agrees_with_its_count(count, noun, said):
    assert counted(count, noun) == said


def test_an_irregular_plural_and_thousands_separators():
    assert counted(3, "more change", "more changes") == "3 more changes"
    assert counted(1, "more change", "more changes") == "1 more change"
    assert counted(1_000_000, "blank line", thousands=True) == "1,000,000 blank lines"


@pytest.mark.parametrize(
    ("parts", "said"),
    [(["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B and C")],
)
def test_a_list_reads_as_a_sentence_lists(parts, said):
    assert listed(parts) == said
