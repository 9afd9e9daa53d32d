"""The words of an article, for the relevance model's second stage.

Thai is written without spaces between words, so the model's first stage reads
character n-grams. Its second stage (:class:`~thaidigest.classifier.WordStage`)
reads words, as the issue's simple baseline does: PyThaiNLP's ``newmm``
tokeniser (dictionary-based maximal matching, the library's default) cuts the
headline and the start of the body into words, and the features are those words
and each pair of neighbours.

Tokenising costs about 2.6 ms an article (3,000 characters), thirty times what
the first stage costs, so the model asks for words only where the first stage is
unsure: a few articles in a thousand. ``newmm`` takes time that grows with the
square of a run of digits (3,000 digits took 55-88 ms), so a run of digits is cut
to its first ``DIGIT_RUN_CHARS`` first: no number a release writes is longer.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from importlib.metadata import version
from itertools import pairwise

__all__ = ["WORD_CHARS", "tokeniser_digest", "word_features"]

WORD_CHARS = 3000  # the headline and the body together, up to this many characters
DIGIT_RUN_CHARS = 20  # a longer run of digits (Thai or Arabic) is cut to this many
_DIGIT_RUN = re.compile(rf"(\d{{{DIGIT_RUN_CHARS}}})\d+")


def word_features(title: str, body: str) -> list[str]:
    """The words of the article's start, lower-cased (English names match in any case),
    then each pair of neighbouring words joined by a space, in order, with repeats."""
    from pythainlp.tokenize import word_tokenize  # loaded when first needed (about 0.5 s)

    text = _DIGIT_RUN.sub(r"\1", f"{title}\n{body}"[:WORD_CHARS].lower())
    tokens = [
        token
        for token in word_tokenize(text, engine="newmm", keep_whitespace=False)
        if token and not token.isspace()
    ]
    return tokens + [f"{first} {second}" for first, second in pairwise(tokens)]


def tokeniser_digest() -> str:
    """sha256 of what decides an article's words: this module as installed and the
    PyThaiNLP release (its dictionary says what a word is). A stored verdict the word
    stage gave is scored again when either changes."""
    source = resources.files("thaidigest").joinpath("words.py").read_bytes()
    return hashlib.sha256(source + b"\0" + version("pythainlp").encode()).hexdigest()
