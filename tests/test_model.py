"""Articles as an import's worker processes receive and send them: pickled."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from thaidigest.model import Article, RawArticle

THAI = "นายกรัฐมนตรีเป็นประธานการประชุมคณะรัฐมนตรี ณ ทำเนียบรัฐบาล 2568\n" * 40
TEXTS = [
    THAI,
    "",
    "ASCII only",
    "beyond the BMP: 😀",
    "a lone surrogate: \ud800",
    "a surrogate pair written as two characters: \ud83d\ude00",  # not the emoji
]


def again(value: object) -> object:
    return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


@pytest.mark.parametrize("text", TEXTS)
def test_a_pickled_raw_article_is_the_same_article(text: str) -> None:
    raw = RawArticle(
        "https://thaigov.go.th/news/contents/details/1",
        "thaigov",
        text[:30],
        text,
        source_id="1",
        category="ข่าวทำเนียบรัฐบาล",
        published_hint=date(2025, 8, 1),
        versions=3,
    )
    assert again(raw) == raw


@pytest.mark.parametrize("text", TEXTS)
def test_a_pickled_article_is_the_same_article(text: str) -> None:
    article = Article(
        "https://thaigov.go.th/news/contents/details/1",
        "thaigov",
        "1",
        text[:30],
        text,
        date(2025, 8, 1),
        "th",
        None,
        "text",
        "0" * 64,
    )
    unpickled = again(article)
    assert unpickled == article
    assert list(vars(unpickled)) == list(vars(article))


def test_a_pickled_thai_article_is_smaller_than_its_text_in_utf8() -> None:
    # Worker processes send each article's text: UTF-16, 2 bytes a Thai character, not 3.
    raw = RawArticle("https://thaigov.go.th/news/contents/details/1", "thaigov", "", THAI)
    assert len(pickle.dumps(raw, pickle.HIGHEST_PROTOCOL)) < len(THAI.encode())
