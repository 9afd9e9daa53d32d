"""The digest's pages and mail are in English (``<html lang="en">``); the text an item
quotes from a Thai article, by the language stored for it, says ``lang="th"``, so that
screen readers read it as Thai and fonts are chosen for Thai. The feeds carry no mark."""

import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from digest.clean import clean_text
from digest.markdown import markdown_to_html, markdown_to_page_html
from digest.publish import build_digest, mail_page
from digest.select import BANGKOK, Week
from tests.digest import article, at, ingest, mark, settings

W34 = Week(2024, 34)
# English names in a Thai headline; a Thai word in an English one and in its lede.
THAI_HEADLINE = "ปลัดดีอี เปิดประชุม The ASEAN Combating Online Scam Workshop"
THAI_HEADLINE_EDITED = f"{THAI_HEADLINE} 2024"
ENGLISH_HEADLINE = "DE Minister opens the ดีอี forum"
ENGLISH_BODY = "The Ministry of Digital Economy and Society (กระทรวงดิจิทัลฯ) met Japan. Both agreed."
THAI_BEFORE = (
    "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมร่วมประชุมกับญี่ปุ่น\n"
    "ที่ประชุมอนุมัติงบประมาณ 5,000 ล้านบาท สำหรับโครงการเมืองอัจฉริยะ\n"
    "ทั้งสองฝ่ายจะประชุมกันอีกครั้งในปีหน้า"
)
REMOVED = "ทั้งสองฝ่ายจะประชุมกันอีกครั้งในปีหน้า"
ADDED = "ทั้งสองฝ่ายลงนามบันทึกความเข้าใจด้านปัญญาประดิษฐ์แล้ว"
THAI_AFTER = THAI_BEFORE.replace("5,000", "6,000").replace(REMOVED, ADDED)
THAI_LEDE = THAI_AFTER.replace("\n", " ")
# The unchanged text REMOVED follows, marked after its English label.
FOLLOWED_MARK = ("span", "สำหรับโครงการเมืองอัจฉริยะ")
# What the week's page and mail mark lang="th", in order.
W34_MARKED = [
    ("span", "อาเซียน"),  # the topic's Thai name
    ("h3", THAI_HEADLINE_EDITED),
    ("p", THAI_LEDE),
    ("del", THAI_HEADLINE),
    ("ins", THAI_HEADLINE_EDITED),
    ("li", "อนุมัติงบประมาณ 5,000 → 6,000 ล้านบาท"),  # the article's words around it
    FOLLOWED_MARK,
    ("del", REMOVED),
    ("ins", ADDED),
]


@pytest.fixture
def out(store, tmp_path):
    """A week's digest of an English article and a Thai one edited in the week: its
    headline, date, a number and a sentence changed."""
    ingest(store, [article(1, THAI_HEADLINE, THAI_BEFORE, date(2024, 8, 14))], "2024-08-14T03:00")
    edited = article(1, THAI_HEADLINE_EDITED, THAI_AFTER, date(2024, 8, 15))
    english = article(2, ENGLISH_HEADLINE, ENGLISH_BODY, date(2024, 8, 20))
    ingest(store, [edited, english], "2024-08-21T03:00")
    for raw in (edited, english):
        mark(store, raw, topics=["asean"])
    folder = tmp_path / "public"
    build_digest(store, folder, W34, settings(), now=at("2024-08-26T01:00"))
    return folder


def thai_marked(html):
    """Each element of a page's body that says ``lang="th"``: its tag and its text."""
    body = BeautifulSoup(html, "html.parser").body
    return [(element.name, element.get_text()) for element in body.find_all(lang="th")]


def language_of(html, text):
    """The language a reader takes ``text`` of a page in: its nearest element's that says
    one; None when none does."""
    found = BeautifulSoup(html, "html.parser").find(string=lambda string: string and text in string)
    said = found.find_parent(lang=True)
    return said["lang"] if said else None


def test_a_thai_articles_headline_lede_and_changed_text_say_lang_th_on_the_page_and_mail(out):
    """Not its meta line, not the labels around the changed text, not the date's line."""
    page = (out / "digests/2024-W34.html").read_text(encoding="utf-8")
    mailed = mail_page("thaidigest", W34, (out / "digests/2024-W34.md").read_text(encoding="utf-8"))
    for html in (page, mailed):
        assert BeautifulSoup(html, "html.parser").html["lang"] == "en"
        assert thai_marked(html) == W34_MARKED
        for english in (
            "2024-08-15 · Thai · updated",
            "Headline:",
            "Date:",
            "Unchanged text before it:",
            "Removed:",
        ):
            assert language_of(html, english) == "en"
        # The English article's item says nothing of Thai, whatever Thai it holds.
        assert language_of(html, ENGLISH_HEADLINE) == language_of(html, ENGLISH_BODY) == "en"


def test_the_digests_words_stay_english_in_a_webmail_that_keeps_only_the_body(out):
    """A webmail embeds the mail's body in its own page: ``<html lang="en">`` is dropped
    while the Thai text's marks stay, so the body says its language itself."""
    page = (out / "digests/2024-W34.html").read_text(encoding="utf-8")
    mailed = mail_page("thaidigest", W34, (out / "digests/2024-W34.md").read_text(encoding="utf-8"))
    for html in (page, mailed):
        embedded = "".join(map(str, BeautifulSoup(html, "html.parser").body.contents))
        for english in ("2024-08-15 · Thai · updated", "Removed:", ENGLISH_HEADLINE):
            assert language_of(embedded, english) == "en"
        assert language_of(embedded, REMOVED) == "th"


def test_a_topic_headings_thai_name_is_marked_as_the_archive_page_marks_it(out):
    """``ASEAN · อาเซียน``: the Thai name of the topic, not the English one."""
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    (on_index,) = [span for span in index.find_all("span", lang=True) if span.text == "อาเซียน"]
    page = (out / "digests/2024-W34.html").read_text(encoding="utf-8")
    mailed = mail_page("thaidigest", W34, (out / "digests/2024-W34.md").read_text(encoding="utf-8"))
    for html in (page, mailed):
        headings = BeautifulSoup(html, "html.parser").find_all("h2")
        (heading,) = [heading for heading in headings if heading.get_text() == "ASEAN · อาเซียน"]
        assert heading.find_all(lang=True) == [on_index]
        assert language_of(html, "ASEAN · ") == "en"


def test_the_archive_page_marks_the_latest_thai_items_headline_and_lede_not_its_meta_line(out):
    index = (out / "index.html").read_text(encoding="utf-8")
    assert BeautifulSoup(index, "html.parser").html["lang"] == "en"
    assert language_of(index, "2024-08-15 · updated") == "en"
    assert language_of(index, ENGLISH_HEADLINE) == language_of(index, ENGLISH_BODY) == "en"
    latest = BeautifulSoup(index, "html.parser").find("ul", class_="items")
    assert [(element.name, element.get_text()) for element in latest.find_all(lang=True)] == [
        ("h3", THAI_HEADLINE_EDITED),
        ("p", THAI_LEDE),
    ]


def test_a_topic_named_in_thai_is_marked_on_the_archive_page_and_the_weeks_page(store, tmp_path):
    """A rules file's topic without a label shows its name alone: its Thai script marked in
    the list of feeds, in the latest items' meta line and in its section's heading."""
    raw = article(3, "ASEAN satellite talks", "Ministers met. They agreed.", date(2024, 8, 20))
    ingest(store, [raw], "2024-08-21T03:00")
    mark(store, raw, topics=["ดาวเทียม", "ความร่วมมือ AI"])
    out = tmp_path / "public"
    build_digest(store, out, W34, settings(), now=at("2024-08-26T01:00"))
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    feeds = {li.get_text().split(": Atom")[0]: li for li in index.find_all("li")}
    for name, thai in (("ดาวเทียม", "ดาวเทียม"), ("ความร่วมมือ AI", "ความร่วมมือ")):
        marked = feeds[f"Topic: {name}"].find_all(lang=True)
        assert [(span.name, span["lang"], span.get_text()) for span in marked] == [
            ("span", "th", thai)
        ]
    meta = index.find("p", class_="muted")
    assert meta.get_text() == "thaigov.go.th · 2024-08-20 · ดาวเทียม, ความร่วมมือ AI · with ASEAN"
    assert [span.get_text() for span in meta.find_all(lang="th")] == ["ดาวเทียม", "ความร่วมมือ"]
    page = BeautifulSoup((out / "digests/2024-W34.html").read_text(encoding="utf-8"), "html.parser")
    (heading,) = [h2 for h2 in page.find_all("h2") if h2.get_text() == "ความร่วมมือ AI"]
    assert [span.get_text() for span in heading.find_all(lang="th")] == ["ความร่วมมือ"]
    assert language_of(str(page), "ASEAN satellite talks") == "en"


def feed_texts(path):
    """Every text a feed file holds: its elements' text (HTML content escaped in it among
    them), or a JSON Feed's strings."""
    if path.suffix == ".json":

        def strings(value):
            if isinstance(value, str):
                yield value
            elif isinstance(value, dict | list):
                for part in value.values() if isinstance(value, dict) else value:
                    yield from strings(part)

        return list(strings(json.loads(path.read_bytes())))
    return list(etree.fromstring(path.read_bytes()).itertext())


def test_the_feeds_carry_no_language_mark_so_no_past_digest_is_dated_again(store, out):
    """A digest's entry is dated again when its content changes: marks in the feeds would
    re-date every past digest on the first build after an upgrade."""
    feeds = sorted(path for path in out.rglob("*") if path.suffix in {".atom", ".rss", ".json"})
    assert {path.name for path in feeds} >= {"feed.rss", "feed.atom", "feed.json", "digests.atom"}
    markup = [text for path in feeds for text in feed_texts(path) if "<" in text]
    assert f"<del>{REMOVED}</del>" in "".join(markup)  # what changed is in the feeds, unmarked
    for html in markup:
        assert BeautifulSoup(html, "html.parser").find(lang=True) is None, html
    # The digest's entry holds its Markdown as HTML as every build before wrote it, while
    # the week's page marks its Thai text.
    markdown = (out / "digests/2024-W34.md").read_text(encoding="utf-8")
    atom = etree.fromstring((out / "digests.atom").read_bytes())
    (content,) = atom.iterfind("{*}entry/{*}content")
    assert content.text == clean_text(markdown_to_html(markdown))
    assert thai_marked((out / "digests/2024-W34.html").read_text(encoding="utf-8"))


# An item as render_item writes it, without a lede: an address of a copy, then what changed
# in the article and in the copy.
NO_LEDE = """\
### [ข่าวดีอี](<https://www.mdes.go.th/news/detail/9001>)

mdes.go.th · 2024-08-20 · Thai · updated

Also on: <https://www.thaigov.go.th/news/contents/details/1>

What changed:

- Too long to align sentence by sentence: 2 paragraphs removed, 1 added
- … and 3 more changes not shown

What changed in the copy on thaigov.go.th (<https://www.thaigov.go.th/news/contents/details/1>):

- Removed: <del>ข้อความเดิม</del>

## Source health

- thaigov.go.th: ok
"""


def test_an_item_without_a_lede_marks_neither_its_copies_line_nor_its_changes_headings():
    assert thai_marked(f"<body>{markdown_to_page_html(NO_LEDE)}</body>") == [
        ("h3", "ข่าวดีอี"),
        ("del", "ข้อความเดิม"),
    ]


# Items as digests wrote them before what changed was listed (one line under the meta
# line): with a lede, and without one, where that line follows the meta line.
WHAT_CHANGED_IN_ONE_LINE = """\
### [ภาพข่าว ดีอี ร่วมประชุมอาเซียน](<https://www.mdes.go.th/news/detail/9001>)

mdes.go.th · 2024-08-20 · Thai · updated

What changed: headline changed; 2 paragraphs edited.

### [ดีอี ร่วมประชุม](<https://www.mdes.go.th/news/detail/9002>)

mdes.go.th · 2024-08-21 · Thai · updated

ที่ประชุมอนุมัติงบประมาณ

What changed: 1 paragraph added.
"""


def test_a_digest_written_before_changes_were_listed_marks_no_what_changed_line():
    assert thai_marked(f"<body>{markdown_to_page_html(WHAT_CHANGED_IN_ONE_LINE)}</body>") == [
        ("h3", "ภาพข่าว ดีอี ร่วมประชุมอาเซียน"),
        ("h3", "ดีอี ร่วมประชุม"),
        ("p", "ที่ประชุมอนุมัติงบประมาณ"),
    ]


# A folder as the digest wrote it before its pages marked Thai text: week 2024-W34 (the
# fixture ``out``'s) built over week 2024-W33, whose Markdown an older digest wrote (what
# changed on one line); their Markdown, their pages unmarked and digests.atom.
WRITTEN_BEFORE_MARKS = Path(__file__).parents[1] / "data" / "digest_folder_before_page_marks"


@pytest.fixture
def built_over_written(store, tmp_path):
    """That folder after week 2024-W35, with no item, is built in it."""
    folder = tmp_path / "public"
    shutil.copytree(WRITTEN_BEFORE_MARKS, folder)
    build_digest(store, folder, Week(2024, 35), settings(), now=at("2024-09-02T01:00"))
    return folder


def atom_entries_as_written(path):
    return re.findall(rb"<entry>.*?</entry>", path.read_bytes(), re.DOTALL)


def in_bangkok_time(entry: bytes) -> bytes:
    """``entry`` with its dates, which that folder's digests.atom wrote in UTC, written in
    Bangkok time, as the feeds write every date now: the same instants."""

    def bangkok(date: re.Match) -> bytes:
        moment = datetime.fromisoformat(date[2].decode()).astimezone(BANGKOK)
        return b"<%s>%s</%s>" % (date[1], moment.isoformat().encode(), date[1])

    return re.sub(rb"<(updated|published)>([^<]+)</\1>", bangkok, entry)


def test_a_build_over_a_folder_written_before_the_marks_keeps_each_past_entry_byte_for_byte(
    built_over_written,
):
    """Not dated again, not a byte of its content changed but its dates' offset: the feeds
    get no mark."""
    written = atom_entries_as_written(WRITTEN_BEFORE_MARKS / "digests.atom")
    assert len(written) == 2
    assert b"+00:00</updated>" in written[0]  # as that version wrote it
    rebuilt = atom_entries_as_written(built_over_written / "digests.atom")[1:]
    assert rebuilt == [in_bangkok_time(entry) for entry in written]


def test_the_past_weeks_pages_are_marked_when_a_later_week_is_built(built_over_written):
    def marked(week):
        return thai_marked(
            (built_over_written / f"digests/{week}.html").read_text(encoding="utf-8")
        )

    # Written before a change said the text it follows: its list has no such line.
    assert marked("2024-W34") == [mark for mark in W34_MARKED if mark != FOLLOWED_MARK]
    assert marked("2024-W33") == [
        ("span", "อาเซียน"),
        ("h3", "ภาพข่าว ดีอี ร่วมประชุมอาเซียน"),
        ("h3", "ดีอี ร่วมประชุมกับญี่ปุ่น"),
        ("p", "ที่ประชุมอนุมัติงบประมาณ 5,000 ล้านบาท"),
    ]
