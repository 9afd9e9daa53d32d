"""The words of an article, for the relevance model's second stage.

Thai is written without spaces between words, so the model's first stage reads
character n-grams. Its second stage (:class:`~thaidigest.classifier.WordStage`)
reads words, as the issue's simple baseline does: PyThaiNLP's ``newmm``
tokeniser (dictionary-based maximal matching, the library's default) cuts the
headline and the start of the body into words, and the features are those words
and each pair of neighbours.

Tokenising costs about 2.6 ms an article (3,000 characters; about 5 ms for
the worst run of letters tried), thirty times what the first stage costs, so
the model asks for words only where the first stage is unsure: a few articles
in a thousand.
"""

from __future__ import annotations

from itertools import pairwise

__all__ = ["WORD_CHARS", "word_features"]

WORD_CHARS = 3000  # the headline and the body up to this many characters in all


def word_features(title: str, body: str) -> list[str]:
    """The words of the article's start, lower-cased (English names match in any case),
    then each pair of neighbouring words joined by a space, in order, with repeats."""
    from pythainlp.tokenize import word_tokenize  # loaded when first needed (about 0.5 s)

    text = f"{title}\n{body}"[:WORD_CHARS].lower()
    tokens = [
        token
        for token in word_tokenize(text, engine="newmm", keep_whitespace=False)
        if token and not token.isspace()
    ]
    return tokens + [f"{first} {second}" for first, second in pairwise(tokens)]
