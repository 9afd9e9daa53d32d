"""Pages that say there is no such article, though they answered HTTP 200, and
pages that say the site serves no article now (maintenance and error notices).

The phrases are data. A page is judged by its headline or its title, which must
say nothing else, or by a body with hardly any text that holds such a message:
an article that mentions "ไม่พบข้อมูล" in its prose is still an article, and
so is one headlined "ไม่พบข้อมูลรั่วไหล" (a phrase must end a clause), or
"ประกาศปิดปรับปรุงระบบชั่วคราว 3 วัน" (news about a notice is news).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Phrases that say the page or the article is not there, Thai and English.
NOT_FOUND_PHRASES = (
    r"ไม่พบ(?:หน้า(?:เว็บ(?:ไซต์)?|เพจ)?|ข้อมูล(?:ข่าว(?:สาร)?)?|ข่าว(?:สาร)?|เนื้อหา|บทความ|เอกสาร|"
    r"รายการ(?:ข้อมูล)?)",
    r"(?:ยัง)?ไม่มี(?:หน้า|ข้อมูล(?:ข่าว(?:สาร)?)?|ข่าว)",
    r"(?:หน้า|ข่าว|ข้อมูล)(?:นี้|ที่ค้นหา)?ไม่มีอยู่",
    r"(?:page|file|article|news|content|document|item|data|record)?\s*not\s+found",
    r"(?:the\s+)?requested\s+(?:url|page|resource)\s+was\s+not\s+found(?:\s+on\s+this\s+server)?",
    r"no\s+(?:such\s+)?(?:page|article|news|data|content)(?:\s+found)?",
    r"(?:the\s+|this\s+)?page\s+(?:does\s+not|doesn['’]t)\s+exist",
    r"(?:the\s+|this\s+)?(?:page|article|news|content|document|item|post)\s+"
    r"(?:you\s+requested\s+)?(?:could\s+not|cannot|can['’]t)\s+be\s+found",
    # The article was there and is gone: "ข่าวนี้ถูกลบออกจากระบบแล้ว", "This article has been removed".
    r"(?:ข่าว|หน้า|ข้อมูล|เนื้อหา|บทความ)(?:นี้|ดังกล่าว)?(?:ได้)?ถูกลบ(?:ออก)?(?:จากระบบ)?(?:แล้ว)?",
    r"(?:the\s+|this\s+)?(?:page|article|news|content|document|item|post)\s+"
    r"(?:has\s+been|was|is)\s+(?:removed|deleted|withdrawn)",
)
# What may follow a phrase: who asked for the page, and where it is not.
NOT_FOUND_SUFFIXES = (
    r"(?:ที่)?(?:คุณ|ท่าน)?(?:ต้องการ|ค้นหา|เรียก(?:ดู)?|ร้องขอ)",
    r"นี้",
    r"ดังกล่าว",
    r"(?:อยู่)?ในระบบ",
    r"(?:that\s+)?you\s+(?:requested|are\s+looking\s+for|were\s+looking\s+for)",
)
# Words around a message that add nothing to it: an apology, "error".
NOT_FOUND_DECORATIONS = (r"ขออภัย(?:ค่ะ|ครับ)?", r"ข้อผิดพลาด")
ENGLISH_DECORATIONS = (r"sorry", r"oops", r"error", r"http")
# The statuses a not-found page names: alone ("404") they are a not-found title.
NOT_FOUND_STATUSES = (r"404", r"410")
PUNCTUATION = '-–—:|!.,;()[]"“”‘?/…'  # an apostrophe is part of a word: doesn't
# A body with more text than this is an article, whatever it says.
MAX_MESSAGE_CHARS = 500
# Phrases of a notice that the site is down or failed: a page that is only such a
# notice is no article (a maintenance page answered 200 for every URL must never
# replace the stored articles). Matched on lower-cased text without punctuation.
NOTICE_PHRASES = (
    r"(?:ขณะนี้\s*)?(?:เว็บไซต์|ระบบ)?\s*(?:ปิด|อยู่ระหว่าง(?:การ)?|กำลัง)\s*"
    r"(?:ปรับปรุง|บำรุงรักษา)(?:ระบบ|เว็บไซต์)?(?:\s*ชั่วคราว)?",
    r"(?:ระบบ|เว็บไซต์)(?:ขัดข้อง|ไม่สามารถให้บริการได้)(?:\s*ชั่วคราว)?",
    r"(?:เกิด)?ข้อผิดพลาด(?:ของ|ใน)?ระบบ",
    r"(?:(?:the\s+)?(?:site|website|system)\s+(?:is\s+)?)?(?:temporarily\s+)?"
    r"(?:under|down\s+for)\s+(?:scheduled\s+)?maintenance",
    r"(?:scheduled\s+)?maintenance(?:\s+mode|\s+in\s+progress)?",
    r"(?:503\s+)?service\s+(?:temporarily\s+)?unavailable",
    r"(?:an?\s+)?(?:database|php|application|server)\s+error(?:\s+(?:has\s+)?occurred)?",
    r"(?:500\s+)?internal\s+server\s+error",
)
# Words around a notice that add nothing to it: an apology.
NOTICE_DECORATIONS = (r"ขออภัย(?:ค่ะ|ครับ)?(?:ใน(?:ความไม่สะดวก)?)?",)
ENGLISH_NOTICE_DECORATIONS = (r"sorry", r"oops")

_STATUS = re.compile(r"(?<![a-z0-9])(?:" + "|".join(NOT_FOUND_STATUSES) + r")(?![a-z0-9])")
_DECORATION = re.compile(
    "|".join(NOT_FOUND_DECORATIONS)
    + r"|(?<![a-z0-9])(?:"
    + "|".join(ENGLISH_DECORATIONS)
    + r")(?![a-z0-9])"
)
_PUNCTUATION = re.compile("[" + re.escape(PUNCTUATION) + "]")
_MESSAGE = (
    "(?:" + "|".join(NOT_FOUND_PHRASES) + r")(?:\s*(?:" + "|".join(NOT_FOUND_SUFFIXES) + "))*"
)
_TITLE = re.compile(_MESSAGE)
_OPENING = re.compile(_MESSAGE + r"(?=\s|$)")


def _words(text: str) -> tuple[str, bool]:
    """``text`` lower-cased without statuses, decorations and punctuation, and whether
    it named a not-found status."""
    lowered = text.casefold()
    status = bool(_STATUS.search(lowered))
    rest = _PUNCTUATION.sub(" ", _DECORATION.sub(" ", _STATUS.sub(" ", lowered)))
    return " ".join(rest.split()), status


def is_not_found_title(text: str) -> bool:
    """Whether a headline or page title says that the page is not there, and nothing
    else: ``404 ไม่พบหน้าที่คุณต้องการ``, ``ไม่พบข้อมูล``, ``Page Not Found``, ``404``."""
    rest, status = _words(text)
    return bool(_TITLE.fullmatch(rest)) if rest else status


def is_not_found_message(lines: Iterable[str]) -> bool:
    """Whether a body of hardly any text (``MAX_MESSAGE_CHARS``) holds a line that opens
    with a not-found message (``ไม่พบข้อมูลข่าวที่ท่านต้องการ ข่าวนี้อาจถูกลบ``)."""
    text = [line for line in lines if line.strip()]
    if sum(map(len, text)) > MAX_MESSAGE_CHARS:
        return False
    for line in text:
        rest, status = _words(line)
        if _OPENING.match(rest) or (status and not rest):
            return True
    return False


_NOTICE = "(?:" + "|".join(NOTICE_PHRASES) + ")"
_NOTICE_DECORATION = re.compile(
    "|".join(NOTICE_DECORATIONS)
    + r"|(?<![a-z])(?:"
    + "|".join(ENGLISH_NOTICE_DECORATIONS)
    + r")(?![a-z])"
)
_NOTICE_TITLE = re.compile(_NOTICE)
_NOTICE_OPENING = re.compile(_NOTICE + r"(?=\s|$)")


def _notice_words(text: str) -> str:
    """``text`` lower-cased without apologies and punctuation, spaces collapsed."""
    rest = _PUNCTUATION.sub(" ", _NOTICE_DECORATION.sub(" ", text.casefold()))
    return " ".join(rest.split())


def is_notice_title(text: str) -> bool:
    """Whether a headline or page title says only that the site is down or failed:
    ``ปิดปรับปรุงระบบชั่วคราว``, ``Site under maintenance``, ``A Database Error Occurred``."""
    rest = _notice_words(text)
    return bool(rest) and bool(_NOTICE_TITLE.fullmatch(rest))


def is_notice_message(lines: Iterable[str]) -> bool:
    """Whether a body of hardly any text (``MAX_MESSAGE_CHARS``) holds a line that opens
    with a maintenance or error notice (``ปิดปรับปรุงระบบชั่วคราว ขออภัยในความไม่สะดวก``)."""
    text = [line for line in lines if line.strip()]
    if sum(map(len, text)) > MAX_MESSAGE_CHARS:
        return False
    return any(_NOTICE_OPENING.match(_notice_words(line)) for line in text)
