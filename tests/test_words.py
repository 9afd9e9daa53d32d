"""The words of an article, as the relevance model's word stage reads them."""

from __future__ import annotations

from thaidigest.words import WORD_CHARS, word_features


def test_the_features_are_the_words_then_each_pair_of_neighbours() -> None:
    features = word_features("ดีอี หารือ Seagate", "ความร่วมมือ")
    words = features[: (len(features) + 1) // 2]
    pairs = features[len(words) :]
    assert "seagate" in words  # lower-cased
    assert "ความร่วมมือ" in words  # a dictionary word, not its letters
    assert not any(word.isspace() or not word for word in words)
    assert pairs == [f"{words[i]} {words[i + 1]}" for i in range(len(words) - 1)]
    assert "seagate ความร่วมมือ" in pairs  # across the headline's end


def test_words_past_the_first_characters_are_not_read() -> None:
    body = "ก" * WORD_CHARS + " ดิจิทัล"
    assert "ดิจิทัล" not in word_features("หัวข้อ", body)
    assert "ดิจิทัล" in word_features("หัวข้อ", body[-40:])


def test_an_empty_article_has_no_features() -> None:
    assert word_features("", "") == []


def test_a_long_run_of_digits_is_cut_to_its_first_twenty() -> None:
    # newmm's time grows with the square of a run of digits: a page of them is cut first.
    assert word_features("", "โทร " + "1" * 2000 + " ครับ")[:3] == ["โทร", "1" * 20, "ครับ"]
    thai_digits = "๑๒๓๔๕๖๗๘๙๐" * 3
    assert word_features("", f"เลข {thai_digits} จบ")[:3] == ["เลข", thai_digits[:20], "จบ"]
    assert "12345" in word_features("", "เลข 12345 จบ")  # a number as releases write one
