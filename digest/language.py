"""Which text of a page is Thai, marked ``lang="th"`` on the English pages and emails
of the digest, so that screen readers, hyphenation and fonts treat it as Thai.

Text is Thai by the rule that gives an article its language
(:func:`thaidigest.normalise.detect_language`, which the archive page marks each
item by), when it holds a Thai letter at all: a date or a number is no language.
A line of parts (``ASEAN · อาเซียน``, a topic's English and Thai names) is judged
part by part: a line whose parts are all Thai is marked as a whole, otherwise each
Thai part alone.
"""

from __future__ import annotations

import re
from html import escape

from thaidigest.normalise import detect_language

THAI_LANG = "th"
THAI_OPEN = f'<span lang="{THAI_LANG}">'
THAI_CLOSE = "</span>"
PART_SEPARATOR = " · "  # between the parts of a line: names, the facts of a meta line
THAI_LETTER = re.compile(r"[\u0e01-\u0e4e]")


def is_thai(text: str) -> bool:
    """Whether ``text`` reads as Thai: it holds a Thai letter and its language is ``th``."""
    return THAI_LETTER.search(text) is not None and detect_language(text) == THAI_LANG


def thai_span(text: str) -> str:
    """``text``, Thai, as escaped HTML marked ``lang="th"``."""
    return f"{THAI_OPEN}{escape(text)}{THAI_CLOSE}"
