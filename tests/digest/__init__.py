"""Helpers for the digest tests: store articles through the real ingestor, then mark them."""

from __future__ import annotations

import json
import random
import socket
from collections.abc import Sequence
from datetime import UTC, date, datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import update

from thaidigest.config import DEFAULTS, merge
from thaidigest.model import RawArticle
from thaidigest.pipeline import build_ingestor
from thaidigest.store import Store, articles
from thaidigest.urls import canonical_url, served_url


def at(text: str) -> datetime:
    """A UTC moment from ``2024-08-23T10:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def article(
    number: int,
    title: str,
    body: str = "First paragraph of the article.\nSecond paragraph.",
    published: date | None = None,
) -> RawArticle:
    """A thaigov article numbered ``number``."""
    return RawArticle(
        url=f"https://www.thaigov.go.th/news/contents/details/{number}",
        source="thaigov",
        title=title,
        body=body,
        source_id=str(number),
        published_hint=published,
    )


def url_of(raw: RawArticle) -> str:
    """The canonical URL the store keeps ``raw`` under."""
    return canonical_url(raw.url)


def link_of(raw: RawArticle) -> str:
    """The link outputs give ``raw``: its canonical URL on the host its site serves it from
    (``https://www.thaigov.go.th/…``); feed ids stay :func:`url_of`'s."""
    return served_url(url_of(raw))


def ingest(store: Store, raws: Sequence[RawArticle], moment: str) -> None:
    """Store ``raws`` as if crawled at ``moment`` (UTC)."""
    summary = build_ingestor(store, clock=lambda: at(moment)).ingest(raws)
    assert summary.rejected == 0, summary.rejections


def mark(
    store: Store,
    raw: RawArticle,
    *,
    relevant: bool = True,
    relevance: float = 0.5,
    topics: Sequence[str] = (),
    duplicate_of: RawArticle | None = None,
) -> None:
    """Set what relevance scoring and deduplication would have set."""
    with store.transaction() as conn:
        conn.execute(
            update(articles)
            .where(articles.c.url == url_of(raw))
            .values(
                relevant=relevant,
                relevance=relevance,
                topics=json.dumps(list(topics)),
                duplicate_of=url_of(duplicate_of) if duplicate_of else None,
            )
        )


# A crawl's report when the site's robots.txt refused the connection, as it stores it.
ROBOTS_UNREACHABLE = {
    "blocked": [
        {
            "reason": "robots.txt",
            "robots_url": "http://127.0.0.1:9/robots.txt",
            "rule": "unreachable: connection refused",
            "status": None,
            "target": None,
            "url": "http://127.0.0.1:9/news/3",
        }
    ],
    "errors": [],
    "fetched": 0,
}


def crawled(
    store: Store, source: str, day: str, status: str, report: dict[str, Any] | None = None
) -> None:
    """A crawl run of ``source`` on ``day`` (2024-08-21) that ended ``status``."""
    run_id = store.start_crawl_run(source, at(f"{day}T01:00"))
    store.finish_crawl_run(run_id, at(f"{day}T01:05"), status, report or {})


def settings(**digest: Any) -> dict[str, Any]:
    """The default settings with ``digest`` values changed."""
    return merge(DEFAULTS, {"digest": digest})


def ipv6_loopback_missing() -> str | None:
    """Why this machine cannot listen on ``::1`` (no IPv6, or no IPv6 loopback); None if it can."""
    if not socket.has_ipv6:
        return "Python was built without IPv6"
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError as error:
        return f"cannot bind ::1 here: {error}"
    return None


# The opening of a sentence of a thaigov release, longer with no space in it than a removed
# or added passage is shown (digest.clean.MAX_CHANGE_CHARS): the passage is cut within it.
LONG_THAI_OPENING = (
    "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมจัดประชุมหารือความร่วมมือด้านเทคโนโลยีปัญญาประดิษฐ์"
    "และความมั่นคงปลอดภัยไซเบอร์กับหน่วยงานภาครัฐและเอกชนหลายแห่งเพื่อวางแนวทางการพัฒนา"
    "กำลังคนดิจิทัลของประเทศไทยในระยะยาวโดยมุ่งเน้นการยกระดับทักษะของบุคลากรภาครัฐ"
    "และการสร้างระบบนิเวศดิจิทัลที่เอื้อต่อการลงทุนจากต่างประเทศ"
)
# A sentence with its number past that cut: the number (120 -> 150) and a word
# (ราชการ) changed in it.
ATTENDED_LONG = f"{LONG_THAI_OPENING}โดยมีผู้เข้าร่วมประชุมทั้งสิ้น 120 คนจากหน่วยงานต่างๆ"
ATTENDED_LONG_EDITED = ATTENDED_LONG.replace("120 คนจากหน่วยงาน", "150 คนจากหน่วยงานราชการ")
# An English sentence longer than a removed or added passage is shown, its room number past
# the cut.
LONG_ENGLISH_SENTENCE = (
    "The ministers of the digital economy of Thailand and of internal affairs of Japan met"
    " in Bangkok on Monday to discuss artificial intelligence, cybersecurity, the digital"
    " skills of civil servants, data centres, submarine cables, cloud services for"
    " government agencies, and the rules each country sets for the data of its citizens,"
    " in room 2 of the Athenee Hotel."
)


THAI_WORDS = ("ความร่วมมือ", "ดิจิทัล", "เศรษฐกิจ", "กระทรวง", "ประเทศไทย", "ญี่ปุ่น", "นโยบาย")


def thai_body(numbers: Sequence[int], paragraph_chars: int) -> str:
    """A Thai body of one paragraph of about ``paragraph_chars`` characters per number, each
    opening with its number (``การประชุมครั้งที่ 7``), then phrases of words drawn at random
    seeded by the paragraph's place: two bodies differ only in their numbers."""
    paragraphs = []
    for place, number in enumerate(numbers):
        draw = random.Random(place)
        phrases = [f"การประชุมครั้งที่ {number}"]
        while sum(len(phrase) + 1 for phrase in phrases) < paragraph_chars:
            phrases.append("".join(draw.choice(THAI_WORDS) for _ in range(4)))
        paragraphs.append(" ".join(phrases))
    return "\n".join(paragraphs)


def file_import_and_its_mdes_copy() -> tuple[RawArticle, RawArticle]:
    """A text file imported without a web address, dated, and the same story on MDES."""
    raw = RawArticle(
        url="file:///home/me/seeds/003.txt",
        source="file",
        title="Seed",
        body="x.",
        published_hint=date(2024, 8, 21),
    )
    mdes = RawArticle(
        url="https://www.mdes.go.th/news/detail/9001-digital",
        source="mdes",
        title="MDES copy",
        body="x.",
    )
    return raw, mdes


class Tags(HTMLParser):
    """The tags an HTML reader would make of a text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.found: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append(tag)


def read_as_html(text: str) -> tuple[list[str], str]:
    """What a reader shows of an HTML field: its tags, and its text."""
    return Tags(text).found, unescape(text)
