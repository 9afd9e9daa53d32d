"""Normalisation rules, each on real text from the seeds and the corpus."""

import json
import random
import re
import unicodedata
from dataclasses import replace
from datetime import date

import pytest
import pythainlp
from pythainlp.util import normalize as pythainlp_normalize

from digest.markdown import LANGUAGE_LABELS
from tests.conftest import DATA, seed_path
from thaidigest.model import THAI, RawArticle
from thaidigest.normalise import (
    NEEDS_THAI_NORMALISATION,
    SPACE_CHARS,
    THAI_ABOVE_VOWELS,
    THAI_BELOW_VOWELS,
    THAI_CONSONANTS,
    THAI_FOLLOW_VOWELS,
    THAI_TONEMARKS,
    THAI_VOWELS,
    clean_body,
    clean_line,
    clean_text,
    decode_leftover_entities,
    detect_language,
    headline_repeat,
    lines_that_may_need_thai_normalisation,
    may_need_thai_normalisation,
    needs_thai_normalisation,
    normalise_article,
    normalise_with_address,
    plain_characters,
    renormalised,
    same_content,
    single_spaced,
    strip_title_prefix,
    without_visit_widgets,
)
from thaidigest.readers import corpus_record_article, read_text_file
from thaidigest.sites import SITE_LANGUAGE

BOILERPLATE = ("พิมพ์", "ที่มา :", "Send this to a friend", "Image credits", "awesome events")


def seed_article(prefix):
    return normalise_article(read_text_file(seed_path(prefix)))


def corpus_article(article_id):
    for line in (DATA / "corpus_sample.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] == article_id:
            return normalise_article(corpus_record_article(record))
    raise LookupError(article_id)


SEED_EXPECTATIONS = {
    "000": {
        "title": "APEC SOM2 Discusses Harnessing Future Digital Manpower and Unlocking the "
        "Future of Digital Society and Economy",
        "first": "The APEC Second Senior Officials’ Meeting (SOM2)",
        "last": "(MRT) Meeting on 21-22 May 2022 in Bangkok.",
        "published": None,
        "language": "en",
        "url": None,
    },
    "001": {
        "title": "ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญของเศรษฐกิจดิจิทัล",
        "first": "เมื่อวันที่ 18 - 22 สิงหาคม 2024 นายเอกพงษ์ หริ่มเจริญ",
        "last": "ให้เติบโตอย่างยั่งยืนและครอบคลุมมากยิ่งขึ้น",
        "published": date(2024, 8, 23),
        "language": "th",
        "url": "https://thaigov.go.th/news/contents/details/87382",
    },
    "002": {
        "title": "ประเทศไทย โดยกระทรวงดิจิทัลฯ เป็นเจ้าภาพจัดการประชุมคณะทำงานร่วมอาเซียนด้านดิจิทัล "
        "ภายใต้ ADGSOM และ ATRC ประจำปี ๒๕๖๕",
        "first": "ดร.ณัฐพล ณัฏฐสมบูรณ์ รองปลัดกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
        "last": "(ASEAN Digital Index) กับสหภาพยุโรป",
        "published": date(2022, 7, 27),
        "language": "th",
        "url": "https://thaigov.go.th/news/contents/details/57312",
    },
    "003": {
        "title": "Thailand Boosts Digital Collaboration",
        "first": "Chaiwut Thanakmanusorn, Minister of Digital Economy and Society (DES)",
        "last": "Digital CEO Programme for Drafting Leaders.",
        "published": None,
        "language": "en",
        "url": None,
    },
    "004": {
        "title": "ดีอีใช้เวที “ASEAN Digital Ministers’ Retreat” หารือ 5 ความท้าทาย ดันอาเซียนสู่เศรษฐกิจดิจิทัล",
        "first": "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม เป็นเจ้าภาพจัดการประชุมรัฐมนตรีอาเซียน",
        "last": "ดร.พิเชฐฯ กล่าวทิ้งท้าย",
        "published": None,  # 28 – 29 มีนาคม 2562 is the event, not the publication
        "language": "th",
        "url": None,
    },
}


@pytest.mark.parametrize("prefix", sorted(SEED_EXPECTATIONS))
def test_seed_article_is_normalised(prefix):
    expected = SEED_EXPECTATIONS[prefix]
    article = seed_article(prefix)
    lines = article.body.split("\n")
    assert article.title == expected["title"]
    assert lines[0].startswith(expected["first"])
    assert lines[-1].endswith(expected["last"])
    assert article.published == expected["published"]
    assert article.language == expected["language"]
    if expected["url"]:
        assert article.url == expected["url"]
        assert article.source == "thaigov"
    else:
        assert article.url == seed_path(prefix).resolve().as_uri()
        assert article.source == "file"


@pytest.mark.parametrize("prefix", sorted(SEED_EXPECTATIONS))
def test_seed_body_has_no_boilerplate_and_headline_at_most_once(prefix):
    article = seed_article(prefix)
    for marker in BOILERPLATE:
        assert marker not in article.body
    assert article.body.count(article.title) <= 1
    assert "\u00a0" not in article.body and "\n\n" not in article.body
    assert all(line == line.strip() and line for line in article.body.split("\n"))


def test_seed_004_headline_repeated_three_times_is_dropped_from_the_body():
    text = seed_path("004").read_text(encoding="utf-8")
    headline = SEED_EXPECTATIONS["004"]["title"]
    assert text.count(headline) == 3
    assert headline not in seed_article("004").body


def test_seed_002_keeps_thai_digits_in_the_text():
    assert "ห้องประชุม ๗๐๑" in seed_article("002").body


def test_print_button_and_separators_are_dropped_from_corpus_articles():
    article = corpus_article(34466)  # has "พิมพ์" and the headline twice
    assert "พิมพ์" not in article.body.split("\n")
    assert article.published == date(2020, 8, 24)
    dotted = corpus_article(76272)  # "....." and "." separator lines, a dashed rule
    assert not any(set(line) <= set(".-") for line in dotted.body.split("\n"))
    assert dotted.body.split("\n")[-1] == "#ไทยคู่ฟ้า #สื่อสารรัฐบาลไทย"
    stars = corpus_article(35073)
    assert "*" not in stars.body


# A page's visit widgets, as a template may put them in the article's text: each crawl
# reads another count. Line in, what stays of it out.
VISIT_WIDGETS = {
    "พิมพ์ | อ่าน 1,239 ครั้ง": "พิมพ์",
    "พิมพ์ | อ่าน ๑,๒๓๔ ครั้ง": "พิมพ์",
    "Print • Views: 1,234": "Print",
    "วันศุกร์ที่ 23 สิงหาคม 2567 เข้าชม 1,234 ครั้ง": "วันศุกร์ที่ 23 สิงหาคม 2567",
    "วันศุกร์ที่ 23 สิงหาคม 2567 | Page views: 12": "วันศุกร์ที่ 23 สิงหาคม 2567",
    "เข้าชมล่าสุด 7 ธ.ค. 2569 10:15 น.": "",
    "Last visited: 07/12/2026 10:15": "",
    "Last visited on December 7, 2026 10:15 am": "",
    "เข้าชม 12 ครั้ง | เข้าชมล่าสุด 7 ธ.ค. 2569 เวลา 10:15 น.": "",
}
# Lines holding a number and ครั้ง, a reader's count or a visit's word, that are text: the
# first four from the public corpus; then lines of their own about visitors, readers or
# attendance (คน: people), a counter's words with no print label nor date line beside them.
TEXT_WITH_COUNTS = (
    "ประชุมครั้งที่ 3",
    "110,308 ครั้ง",
    "1. ทีม อคิราห์ ยอดวิว 4,407 ครั้ง",
    "2.จำนวนผู้เข้าชมกิจกรรม LIVE EVENT ทาง Facebook ธนาคารอาคารสงเคราะห์ : 17,000 View",
    "ครั้งแรก! อุตสาหกรรมแฟร์ 2568",
    "มีผู้เข้าชม 1,234 คน",
    "ผู้เข้าชม 1,234 คน ได้ร่วมงาน",
    "เข้าชมล่าสุด 7 ธ.ค. 2569 ข่าวดี",
    "นายกฯ เดินทางเยือนจีนเป็นครั้งแรก 3 วัน",
    "ผู้เข้าชม 5,000 คน",
    "จำนวนผู้เข้าชม 120,000 คน",
    "ผู้เยี่ยมชม 2,300 คน",
    "เยี่ยมชม 3 ครั้ง",
    "อ่าน 2 ครั้ง",
    "เข้าชม 1,234 ครั้ง",
    "ยอดวิว 4,407 ครั้ง",
    "ทีม อคิราห์ ยอดวิว 4,407 ครั้ง",
    "- Visitors: 120,000",
    "2,000 visits",
    "1.2K views",
    "Hits: 12",
    "Visits: 3",
    "Views: 1,234",
    "Views 2021",
    "last visited 2019",
    "วันที่ 7 ธันวาคม 2569 ผู้เข้าชม 5,000 คน",
    "พิมพ์ | Views 2021",
)


@pytest.mark.parametrize("line", VISIT_WIDGETS)
def test_a_view_counter_or_last_visit_stamp_is_taken_out_of_its_line(line):
    assert without_visit_widgets(line) == VISIT_WIDGETS[line]


@pytest.mark.parametrize("line", TEXT_WITH_COUNTS)
def test_a_sentence_with_a_count_is_text(line):
    assert without_visit_widgets(line) == line


def test_an_edit_of_a_line_about_visitors_is_a_change():
    title = "ดีอี จัดงานวันดิจิทัล"
    before = "งานวันดิจิทัลจัดที่ศูนย์ประชุม\nจำนวนผู้เข้าชม 5,000 คน"
    after = "งานวันดิจิทัลจัดที่ศูนย์ประชุม\nจำนวนผู้เข้าชม 60,000 คน"

    assert not same_content((title, before), (title, after))


def test_a_long_line_of_digits_after_a_stamp_label_is_read_at_once():
    """A label, a run of digits and a letter that ends no stamp: a pattern that could split
    the run between its repeats tried each split, twice the time for each digit more (24
    digits took 20 seconds; these 100, never end). Read once, it takes a millisecond.
    No timing asserted: a slow pattern does not finish."""
    line = "last visited " + "1" * 100 + "x"
    stamp = "เข้าชมล่าสุด " + "๑" * 100 + " น."

    assert without_visit_widgets(line) == line
    assert without_visit_widgets(stamp) == stamp
    assert clean_body("ข่าว", [line, stamp], date(2026, 12, 7)).lines == [line, stamp]


def test_a_view_counter_in_the_body_is_not_stored_and_makes_no_change():
    title = "ดีอี ร่วมประชุม APEC 2024"
    text = [
        "วันศุกร์ที่ 23 สิงหาคม 2567 เข้าชม 1,234 ครั้ง",
        "พิมพ์ | อ่าน 1,234 ครั้ง",
        "การประชุมครั้งที่ 3 มีผู้แทน 16 เขตเศรษฐกิจ",
        "ครั้งแรก",
        "Print | Views: 1,234",
    ]
    visits = [
        normalise_article(
            RawArticle(
                "https://www.thaigov.go.th/news/contents/details/87382",
                "thaigov",
                title,
                "\n".join(text).replace("1,234", count),
            )
        )
        for count in ("1,234", "1,240")
    ]

    assert [article.body for article in visits] == [
        "การประชุมครั้งที่ 3 มีผู้แทน 16 เขตเศรษฐกิจ\nครั้งแรก"
    ] * 2
    assert visits[0].published == date(2024, 8, 23)
    assert visits[0].content_hash == visits[1].content_hash
    # A text an earlier release stored with its counter lines says what the page read
    # without them says.
    stored = "พิมพ์ | อ่าน 1,234 ครั้ง\nการประชุมครั้งที่ 3 มีผู้แทน 16 เขตเศรษฐกิจ\nครั้งแรก\nPrint | Views: 1,234"
    assert same_content((title, stored), (title, visits[1].body), visits[1].published)
    assert not same_content((title, stored), (title, "การประชุมครั้งที่ 4\nครั้งแรก"))


def test_zero_width_characters_are_removed_from_title_and_body():
    article = corpus_article(34568)  # headline starts with U+200B
    assert article.title.startswith("รองนายกรัฐมนตรี พลเอก ประวิตรฯ")
    assert "\u200b" not in article.title + article.body
    assert article.body.count("รองนายกรัฐมนตรี พลเอก ประวิตรฯ ผลักดัน") == 0


def test_english_government_news_with_a_thai_date_line_is_english():
    article = corpus_article(42289)
    assert article.language == "en"
    assert article.published == date(2021, 6, 1)
    assert article.category == "Government News"
    assert (
        article.title
        == "PM expresses condolences over the passing of Ukrainian Ambassador to Thailand"
    )


def test_line_cleaning_applies_unicode_and_thai_rules():
    assert clean_line("  a\u00a0\u00a0b\u200b  ") == "a b"
    assert clean_line("ก\u0e4d\u0e32") == "กำ"  # nikhahit + sara aa is sara am
    assert clean_line("เเปลก") == "แปลก"  # two sara e are sara ae
    assert clean_line("ก\u0e48\u0e34") == "ก\u0e34\u0e48"  # tone mark after the vowel
    assert clean_line("e\u0301") == "\u00e9"  # NFC


# One text per branch of NEEDS_THAI_NORMALISATION, inside an ordinary sentence.
NEEDS_THAI = {
    "two sara e": "ข่าว เเปลก วันนี้",
    "tone before vowel": "ข่าว ก\u0e48\u0e34น วันนี้",
    "decomposed sara am": "ข่าว ก\u0e4d\u0e32ลัง วันนี้",
    "tone after follow vowel": "ข่าว กา\u0e48 วันนี้",
    "lakkhangyao": "ข่าว ก\u0e45 วันนี้",
    "repeated vowel": "ข่าว กาา วันนี้",
    "repeated vowel across a space": "ข่าว กา า วันนี้",
    "two tone marks": "ข่าว ก\u0e48\u0e48 วันนี้",
    "dangling mark after a space": "ข่าว \u0e34ก วันนี้",
    "dangling mark opening a line": "ข่าว\n\u0e34ก วันนี้",
    "dangling mark opening the text": "\u0e34ก วันนี้",
}


@pytest.mark.parametrize("text", NEEDS_THAI.values(), ids=NEEDS_THAI.keys())
def test_the_fast_gate_lets_through_every_kind_of_text_that_needs_pythainlp(text):
    assert NEEDS_THAI_NORMALISATION.search(text)
    assert may_need_thai_normalisation(text)
    assert clean_text(text) == [pythainlp_normalize(line).strip() for line in text.split("\n")]


def test_the_gates_thai_marks_are_pythainlps():
    """The gate writes PyThaiNLP's classes of marks out so as not to import it."""
    assert (
        pythainlp.thai_tonemarks,
        pythainlp.thai_above_vowels,
        pythainlp.thai_below_vowels,
        pythainlp.thai_follow_vowels,
        pythainlp.thai_consonants,
        pythainlp.thai_vowels,
    ) == (
        THAI_TONEMARKS,
        THAI_ABOVE_VOWELS,
        THAI_BELOW_VOWELS,
        THAI_FOLLOW_VOWELS,
        THAI_CONSONANTS,
        THAI_VOWELS,
    )


def test_a_mark_left_dangling_by_stripping_a_line_is_dropped():
    # U+2009 is not a space single_spaced collapses, but strip() removes it: the line
    # then opens with a dangling vowel, which PyThaiNLP drops.
    lines = clean_text("ข่าว\n\u2009\u0e31ก")
    assert lines == ["ข่าว", "ก"]
    assert clean_text("\n".join(lines)) == lines


def test_the_line_gate_names_only_the_lines_that_need_pythainlp():
    lines = ["ข่าว วันนี้", "ข่าว กาา วันนี้", "APEC 2024", "\u2009\u0e31ก", "ข่าว\u0e45"]
    assert lines_that_may_need_thai_normalisation("\n".join(lines)) == {1, 3, 4}
    assert lines_that_may_need_thai_normalisation("ข่าว วันนี้\nAPEC") == set()


def test_the_fast_gate_passes_over_clean_thai_and_english():
    article = seed_article("002")
    assert not may_need_thai_normalisation(f"{article.title}\n{article.body}")
    assert not may_need_thai_normalisation("APEC digital ministers meet in Bangkok")
    assert not may_need_thai_normalisation("")
    # A lone surrogate (from a JSON "\\ud800" escape) passes; hashing the article refuses it.
    assert not may_need_thai_normalisation("ข่าว \ud800")


def test_blank_line_runs_collapse_to_one():
    assert clean_text("a\n\n\n\nb\n\n") == ["a", "", "b"]


def test_site_prefix_is_stripped_from_the_title():
    assert strip_title_prefix("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-ข่าว") == "ข่าว"
    assert strip_title_prefix("Other title") == "Other title"


def test_language_follows_the_script():
    assert detect_language("ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญ") == "th"
    assert detect_language("Thailand Boosts Digital Collaboration กระทรวง") == "en"


def test_a_thai_article_is_in_the_sites_language_and_the_digest_calls_it_thai():
    language = detect_language("ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญ")
    assert language == THAI == SITE_LANGUAGE  # the one code pages are read and marked by
    assert LANGUAGE_LABELS[language] == "Thai"


def test_a_headline_only_item_is_kept_with_an_empty_body():
    # thaigov video items: date line, the headline twice, nothing else.
    body = "\nวันจันทร์ที่ 5 ตุลาคม 2563\nสารคดีสั้น ตอน 3\nสารคดีสั้น ตอน 3\n"
    raw = RawArticle(
        url="https://www.thaigov.go.th/news/contents/details/35709",
        source="thaigov",
        title="รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-สารคดีสั้น ตอน 3",
        body=body,
    )
    article = normalise_article(raw)
    assert (article.title, article.body, article.published) == (
        "สารคดีสั้น ตอน 3",
        "",
        date(2020, 10, 5),
    )


def test_an_empty_site_record_without_headline_is_refused():
    raw = RawArticle(
        url="https://www.thaigov.go.th/news/contents/details/35683",
        source="thaigov",
        title="รัฐบาลไทย-",
        body="\nวันพฤหัสบดีที่ 1 มกราคม 2513\n",
    )
    with pytest.raises(ValueError, match="no headline"):
        normalise_article(raw)


def test_direction_controls_are_removed_from_headline_and_body():
    raw = RawArticle(
        url="https://www.thaigov.go.th/news/contents/details/1",
        source="thaigov",
        title="\u202eMoU signed\u202c \u2067ดิจิทัล\u2069",
        body="The \u202dministry\u202c signed.",
    )
    article = normalise_article(raw)
    assert article.title == "MoU signed ดิจิทัล"
    assert article.body == "The ministry signed."


TEXT_FILE = "file:///seeds/x.txt"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "ที่มา : https://example.org:99999/news/1",
            "source line (ที่มา :): 'https://example.org:99999/news/1' is not a valid URL:"
            " Port out of range 0-65535",
        ),
        ("ที่มา : https:///news/1", "source line (ที่มา :): 'https:///news/1' has no host"),
        (
            "ที่มา : https://example.org/news/ 1",
            "source line 'ที่มา : https://example.org/news/ 1' is not an address alone (a space"
            " in it, or words after it): write the address alone, a space in it as %20, or"
            " take the line out",
        ),
    ],
    ids=["port-out-of-range", "no-host", "space-in-it"],
)
def test_a_text_files_source_line_that_names_no_web_address_refuses_the_file(line, reason):
    """Such a file was stored under its file: URL, the page's address lost, unsaid."""
    body = f"Text.\n\n{line}"
    raw = RawArticle(url=TEXT_FILE, source="file", title="Headline", body=body, needs_body=True)
    with pytest.raises(ValueError) as refused:
        normalise_article(raw)
    assert str(refused.value) == reason
    # An export record of an article stored so before keeps its text, under its file: URL.
    assert normalise_article(replace(raw, needs_body=False)).url == TEXT_FILE


def test_words_after_a_source_line_are_text_beside_a_source_line_or_in_a_page():
    beside = RawArticle(
        url=TEXT_FILE,
        source="file",
        title="Headline",
        body="Text.\nSource: https://example.org/report.pdf (PDF)\nที่มา : https://example.org/news/1",
        needs_body=True,
    )
    article = normalise_article(beside)
    assert article.url == "https://example.org/news/1"
    assert "Source: https://example.org/report.pdf (PDF)" in article.body.split("\n")
    page = replace(beside, url="https://example.org/news/2", source="thaigov", needs_body=False)
    page = replace(page, body="Text.\nที่มา : https://example.org/news/ 1")
    assert normalise_article(page).url == "https://example.org/news/2"


def test_a_direction_mark_after_a_source_line_is_no_part_of_its_address():
    raw = RawArticle(
        url="file:///seeds/x.txt",
        source="file",
        title="Headline",
        body="Text.\n\nที่มา : https://example.org/news/1\u200e\u202c",
    )
    assert normalise_article(raw).url == "https://example.org/news/1"


@pytest.mark.parametrize(
    ("source_line", "written", "canonical"),
    [
        (
            "ที่มา : https://www.mfa.go.th/th/content/ข่าว-1",
            "https://www.mfa.go.th/th/content/ข่าว-1",
            "https://mfa.go.th/th/content/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7-1",
        ),
        (
            "ที่มา :  https://www.mfa.go.th/th/content/%e0%b8%82%e0%b9%88%e0%b8%b2%e0%b8%a7-1",
            "https://www.mfa.go.th/th/content/%e0%b8%82%e0%b9%88%e0%b8%b2%e0%b8%a7-1",
            "https://mfa.go.th/th/content/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7-1",
        ),
    ],
    ids=["thai-path", "lower-case-escapes"],
)
def test_a_text_files_address_as_written_is_its_source_lines(
    tmp_path, source_line, written, canonical
):
    """A database made before the canonical form's rule holds the page under its source
    line's address as written (its Thai path, its lower-case escapes), which the canonical
    address no longer tells: the import looks the row up under it."""
    text = tmp_path / "mou.txt"
    text.write_text(f"ความร่วมมือด้านดิจิทัล\n\nกระทรวงลงนามบันทึกความเข้าใจ\n{source_line}\n", "utf-8")
    raw = read_text_file(text)
    normalised = normalise_with_address(raw)
    assert normalised.address_as_written == written
    assert normalised.article.url == canonical
    assert normalised.article.body == "กระทรวงลงนามบันทึกความเข้าใจ"


def test_content_differing_in_digit_script_alone_is_the_same():
    assert same_content(("งบ 7503 ล้าน", "300 โครงการ"), ("งบ ๗๕๐๓ ล้าน", "๓๐๐ โครงการ"))
    assert same_content(("งบ ๗๕๐๓ ล้าน", "๓๐๐ โครงการ"), ("งบ 7503 ล้าน", "300 โครงการ"))
    assert not same_content(("งบ 7503 ล้าน", "300 โครงการ"), ("งบ ๗๕๐๓ ล้าน", "๓๐๑ โครงการ"))
    assert not same_content(("งบ 7503 ล้าน", "300 โครงการ"), ("งบ 7503 ล้าน", "300 โครงการใหม่"))
    # The title and the body stay apart: a line moving between them is a change.
    assert not same_content(("ก", "ข\nค"), ("ก\nข", "ค"))


def test_content_differing_in_line_breaks_and_space_runs_alone_is_the_same():
    # A paragraph split where a space was (a <br> on a re-saved page, a line break in an
    # imported text), or joined back: the same words in the same order.
    one, split = ("T", "ก ข ค\nง"), ("T", "ก ข\nค\nง")
    assert same_content(one, split)
    assert same_content(split, one)
    assert same_content(("T", "ก\tข\u3000 ค"), ("T", "ก ข ค"))
    assert same_content(("งบ 300 ล้าน", "ก\nข"), ("งบ ๓๐๐ ล้าน", "ก ข"))
    # A space gone between two phrases is no line break: Thai separates phrases with it.
    assert not same_content(("T", "ก ข"), ("T", "กข"))
    assert not same_content(("T", "ก\nข"), ("T", "กข"))
    assert not same_content(("T", "ก ข"), ("T", "ก ข จ"))


def test_a_numeric_date_line_stating_the_published_date_alone_is_the_same():
    # Stored before numeric date lines were read: the line under thaigov's date line stayed.
    published = date(2022, 12, 16)
    assert same_content(("ก", "16/12/2565\nข้อความ"), ("ก", "ข้อความ"), published)
    assert same_content(("ก", "ข้อความ"), ("ก", "๑๖/๑๒/๒๕๖๕\nข้อความ"), published)
    assert not same_content(("ก", "16/12/2565\nข้อความ"), ("ก", "ข้อความใหม่"), published)
    deep = "หนึ่ง\nสอง\nสาม\nสี่"  # a date after four lines of text is text
    assert not same_content(("ก", f"{deep}\n16/12/2565"), ("ก", deep), published)


def test_a_correction_of_a_date_line_at_the_top_of_a_body_is_an_edit():
    thai = "วันศุกร์ที่ 16 ธันวาคม 2565"
    stored, corrected = f"{thai}\n16/12/2565\nข้อความ", f"{thai}\n17/12/2565\nข้อความ"
    assert not same_content(("T", stored), ("T", corrected))
    assert not same_content(("T", stored), ("T", corrected), date(2022, 12, 16))
    # Another date than the article's is no leftover of an older normalisation.
    assert not same_content(("ก", "17/12/2565\nข้อความ"), ("ก", "ข้อความ"), date(2022, 12, 16))
    assert not same_content(("ก", "16/12/2565\nข้อความ"), ("ก", "ข้อความ"), None)
    # A numeric line repeating the Thai date line above it is the old leftover.
    assert same_content(("T", stored), ("T", f"{thai}\nข้อความ"))
    # The Thai date line itself is text here: a corrected one is an edit.
    assert not same_content(("T", f"{thai}\nข้อความ"), ("T", "ข้อความ"))


def test_an_mdes_table_of_dates_keeps_its_cells_and_the_listing_date():
    body = "ตารางกิจกรรม\nวันที่\n1/2/67\nกิจกรรมเปิดงาน\n2/2/67\nสัมมนา"
    raw = RawArticle(
        "https://www.mdes.go.th/news/detail/9001",
        "mdes",
        "ดีอีจัดงานสัปดาห์ดิจิทัล",
        body,
        published_hint=date(2024, 1, 20),
        extraction="selectors",
    )
    article = normalise_article(raw)
    assert article.body == body
    assert article.published == date(2024, 1, 20)


def test_a_body_date_line_at_the_top_comes_before_the_hint_numeric_as_thai():
    # What normalise_article does for a Thai-month date line, it does for a numeric one:
    # the date line standing first in the body gives the date, no other line does.
    for line in ("วันพฤหัสบดีที่ 1 กุมภาพันธ์ 2567", "1/2/67"):
        raw = RawArticle(
            "https://www.mdes.go.th/news/detail/9002",
            "mdes",
            "ดีอีจัดงานสัปดาห์ดิจิทัล",
            f"{line}\nข้อความ",
            published_hint=date(2024, 1, 20),
        )
        article = normalise_article(raw)
        assert (article.body, article.published) == ("ข้อความ", date(2024, 2, 1))


def test_a_date_line_after_next_year_is_taken_out_and_the_hint_stands():
    # A typo in the year (2656 for 2565, 2113 CE): the line is boilerplate all the same.
    for line in ("วันศุกร์ที่ 16 ธันวาคม 2656", "16 December 2112"):
        raw = RawArticle(
            "https://www.mdes.go.th/news/detail/9003",
            "mdes",
            "ดีอีจัดงานสัปดาห์ดิจิทัล",
            f"{line}\nข้อความ",
            published_hint=date(2022, 12, 16),
        )
        article = normalise_article(raw)
        assert (article.body, article.published) == ("ข้อความ", date(2022, 12, 16))
        assert normalise_article(replace(raw, body=article.body)).body == article.body


@pytest.mark.parametrize(
    "invisible",
    list(
        "\u00ad\u034f\u180e\u2061\u2062\u2064\u200e\u200f\u061c\ufff9\ufffa\ufffb"
        "\ufffe\uffff\ufdd0\ufdef\U0001fffe\U0010ffff"
    ),
)
def test_characters_a_browser_shows_nothing_of_are_removed(invisible):
    # A soft hyphen shows only where a line wraps; the others never show. The
    # left-to-right, right-to-left and Arabic letter marks only move the punctuation
    # around right-to-left text, which these sites do not write.
    assert clean_line(f"ดีอี ร่วมประชุม เศรษ{invisible}ฐกิจ AP{invisible}EC") == (
        "ดีอี ร่วมประชุม เศรษฐกิจ APEC"
    )
    assert clean_text(f"เศรษ{invisible}ฐกิจ\nดิจิ{invisible}ทัล") == ["เศรษฐกิจ", "ดิจิทัล"]


@pytest.mark.parametrize(
    "space",
    ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f"],
    ids=[
        "vertical-tab",
        "form-feed",
        "file-separator",
        "group-separator",
        "record-separator",
        "unit-separator",
    ],
)
def test_white_space_controls_are_a_space_between_words(space):
    """The vertical tab (Word's line break pasted), the form feed and the information
    separators are white space to str.isspace(): they were removed as the other controls
    are, which glued the words on either side together (``ASEAN\\x0bดีอี``: ``ASEANดีอี``)."""
    assert clean_line(f"ASEAN{space}ดีอี {space} APEC{space}2024{space}") == "ASEAN ดีอี APEC 2024"
    assert clean_text(f"{space}เศรษฐกิจ{space}ดิจิทัล\nดีอี{space}{space}APEC") == [
        "เศรษฐกิจ ดิจิทัล",
        "ดีอี APEC",
    ]
    assert single_spaced(f"a{space}b") == "a b"


def test_html_character_references_left_in_the_text_are_decoded():
    # A template escaping its text twice shows &quot; and &nbsp; on the page.
    assert clean_line("&quot;ASEAN&quot;&nbsp;&#8211;&nbsp;ดีอี &#x0E01;") == '"ASEAN" – ดีอี ก'
    assert clean_line("&amp;amp;quot;ก&amp;quot;") == '"ก"'  # escaped three times, twice
    assert clean_line("ก&shy;ข") == "กข"  # decoded to an invisible character, removed
    # Whitespace is a space: no line is broken by a reference.
    assert clean_text("ก&#10;ข&#13;\nค&nbsp;&nbsp;ง") == ["ก ข", "ค ง"]
    # What is no whole reference stays text.
    for text in ("R&D", "AT&T;", "?a=1&copy=2", "&nosuchentity;", "& ;", "&#;"):
        assert clean_line(text) == text


def test_only_whole_names_html_defines_are_decoded_and_numbers_no_character_has_dropped():
    # html.unescape alone reads HTML's legacy prefixes: &notice; would be "¬ice;".
    for text in ("&notice;", "&section;", "&region;", "&degree;", "&timestamp;", "&shyness;"):
        assert clean_line(f"ก {text}") == f"ก {text}"
    assert clean_line("ก&#0;ข&#xD800;ค&#x110000;ง") == "กขคง"  # no U+FFFD in a headline
    assert clean_line("&NotEqualTilde; &AMP;") == "\u2242\u0338 &"


def test_a_long_chain_of_escaped_ampersands_is_one_ampersand():
    # Decoded one level a pass, 64,000 levels took seconds and grew with the square of the
    # length: a chain is now one ampersand at once, in either spelling.
    assert decode_leftover_entities("&" + "amp;" * 64_000 + "lt;ก") == "<ก"
    assert decode_leftover_entities("&" + "#38;" * 64_000 + "#x3C;ก") == "<ก"
    assert decode_leftover_entities("A&amp;amp;B &amp; C") == "A&B & C"


@pytest.mark.parametrize(
    "text", ["＆ｌｔ；ข่าว", "&\u00adquot;ข่าว", "&\u200bamp;lt;ข่าว", "&amp;&#97;mp;lt;ข่าว"]
)
def test_plain_characters_changes_nothing_a_second_time(text):
    # Removing an invisible character or narrowing a full-width one can make a reference.
    once = plain_characters(text)
    assert plain_characters(once) == once
    assert clean_text(text) == clean_text("\n".join(clean_text(text)))
    headline = normalise_article(
        RawArticle(
            url="https://www.thaigov.go.th/news/contents/details/1",
            source="thaigov",
            title=text,
            body=f"{text}\nเนื้อหา",
        )
    )
    assert headline.body == "เนื้อหา"  # the body's repeat of the headline is still one


def test_full_width_forms_are_ascii_and_thai_is_untouched():
    assert clean_line("ประชุม ＡＳＥＡＮ ครั้งที่ ４７ ปี ２０２５！") == "ประชุม ASEAN ครั้งที่ 47 ปี 2025!"
    # NFKC would write sara am (U+0E33) as nikhahit and sara aa: the table does not.
    assert clean_line("ทำ ＤＥ ทำ") == "ทำ DE ทำ"
    assert "\u0e33" in clean_line("ทำ ＤＥ ทำ")


def test_full_width_signs_are_their_ordinary_forms():
    # U+FFE0-U+FFE6, the signs beside ASCII's in the same input methods.
    assert clean_line("งบ ￥300 ล้าน ￡5 ￦1,000 ￠ ￢ ￣ ￤") == "งบ ¥300 ล้าน £5 ₩1,000 ¢ ¬ ¯ ¦"
    # The half-width forms after them are not full-width forms of anything: kept.
    assert clean_line("￨ ￩ ￮") == "￨ ￩ ￮"


SEED_001_HASH = "6be82e2f386c8eb59a575114f7596199cbbf68c7932d885a27f18f4ced013144"


def test_the_hash_of_a_text_without_such_characters_is_the_one_databases_hold():
    # The content_hash seed 001 got before invisible characters, left-over references
    # and full-width forms were normalised: a database upgraded sees no change.
    article = seed_article("001")
    assert article.content_hash == SEED_001_HASH


@pytest.mark.parametrize(
    ("stored", "new"),
    [
        ("เศรษ\u00adฐกิจ AP\u00adEC", "เศรษฐกิจ APEC"),
        ("&quot;ดีอี&quot;&nbsp;&#8211;&nbsp;ร่วมประชุม", '"ดีอี" – ร่วมประชุม'),
        ("ＡＰＥＣ ２０２４ ＤＥＳＧ", "APEC 2024 DESG"),
        ("\u200eดีอี APEC\u200f ๒๐๒๔\u061c", "ดีอี APEC ๒๐๒๔"),
        ("งบ ￥300 ￡5", "งบ ¥300 £5"),
        ("ดีอี\ufffe APEC\uffff ๒๐๒๔\ufdd0", "ดีอี APEC ๒๐๒๔"),
    ],
)
def test_content_stored_with_a_variant_read_again_without_it_is_the_same(stored, new):
    # A text stored before these were normalised still holds them; the page read again
    # is normalised without them.
    assert same_content((stored, f"ก {stored}\nข"), (new, f"ก {new}\nข"))
    assert same_content((new, f"ก {new}\nข"), (stored, f"ก {stored}\nข"))
    assert not same_content((stored, f"ก {stored}\nข"), (new, f"ก {new} ใหม่\nข"))


# Lines an older release stored, which today's characters make lines the line rules drop:
# a separator, a share button, a headline repeat, a blank line, the print button.
LINES_NOW_DROPPED = [
    "&#8212;&#8212;&#8212;",
    "Share this&#58;",
    "&quot;ดีอี&quot; ร่วมประชุม APEC",
    "&nbsp;\u200b",
    "ＰＲＩＮＴ",
]


@pytest.mark.parametrize("line", LINES_NOW_DROPPED)
def test_a_stored_line_that_normalisation_now_drops_is_no_edit(line):
    title = '"ดีอี" ร่วมประชุม APEC'
    stored = (title, f"ที่ประชุมเห็นชอบโครงการ\n{line}\nกระทรวงจะรายงานผล")
    new = (title, "ที่ประชุมเห็นชอบโครงการ\nกระทรวงจะรายงานผล")
    assert same_content(stored, new)
    assert same_content(new, stored)
    assert not same_content(stored, (title, "ที่ประชุมเห็นชอบโครงการ\nกระทรวงจะรายงานผลใหม่"))


def test_a_text_normalised_today_is_read_again_unchanged():
    records = (DATA / "corpus_sample.jsonl").read_text(encoding="utf-8").splitlines()
    articles = [normalise_article(corpus_record_article(json.loads(line))) for line in records]
    articles += [seed_article(prefix) for prefix in sorted(SEED_EXPECTATIONS)]
    for article in articles:
        assert renormalised(article.title, article.body) == (article.title, article.body)


def test_a_mark_thai_normalisation_drops_between_two_spaces_leaves_one_space():
    # Coordinates in a thaigov announcement (corpus 51583): a nikhahit and a mai ek written
    # as degree and minute signs, each alone between spaces, which PyThaiNLP drops.
    line = '(ก) จุดที่ 1 ละติจูด 7 \u0e4d 38 \u0e48 38.1012" เหนือลองจิจูด 98 \u0e4d 16'
    cleaned = clean_line(line)
    assert "  " not in cleaned
    assert clean_line(cleaned) == cleaned
    assert clean_text(f"ละติจูด\n{line}") == ["ละติจูด", cleaned]


# A headline and body as an older release stored them, and as normalisation writes them now.
STORED_THE_OLD_WAY = [
    (
        ("ดีอี&nbsp;ร่วมประชุม ＡＰＥＣ", "ดีอี ร่วมประชุม APEC\nเศรษ\u00adฐกิจ&#8212;ดิจิทัล\n&#8212;&#8212;"),
        ("ดีอี ร่วมประชุม APEC", "เศรษฐกิจ—ดิจิทัล"),
    ),
    (
        ("รัฐบาลไทย-&#8203;ดีอี ร่วมหารือ", "Share this&#58;\nข้อความ\n&nbsp;\nＰｒｉｎｔ\nต่อ"),
        ("ดีอี ร่วมหารือ", "ข้อความ\nต่อ"),
    ),
    (  # a wrapper banner for a headline: the real one is the body's first line
        ("Top&nbsp;stories", "ดีอี ร่วมหารือ\nข้อความ"),
        ("ดีอี ร่วมหารือ", "ข้อความ"),
    ),
]


@pytest.mark.parametrize(("stored", "today"), STORED_THE_OLD_WAY)
def test_a_text_stored_the_old_way_is_read_as_normalisation_writes_it_now(stored, today):
    assert renormalised(*stored) == today
    assert renormalised(*today) == today
    raw = RawArticle("https://www.mdes.go.th/news/detail/1", "mdes", *stored)
    article = normalise_article(raw)
    assert (article.title, article.body) == today


def test_reading_a_stored_text_again_keeps_its_date_lines_and_a_text_with_no_headline():
    # The published date is read from the date lines and stored beside the text; one the
    # stored text kept is text (same_content compares it).
    body = "วันศุกร์ที่ 16 ธันวาคม 2565\n16/12/2565\nข้อความ"
    assert renormalised("ดีอี ร่วมหารือ", body) == ("ดีอี ร่วมหารือ", body)
    # Normalisation would refuse it now: read as written.
    assert renormalised("\u200b", "Share this&#58;") == ("\u200b", "Share this&#58;")


def test_the_line_gate_agrees_with_the_cases_it_is_written_from():
    marks = [chr(code) for code in range(0x0E01, 0x0E5C)] + [" ", "\n", "\u2009", "a"]
    rng = random.Random(5)
    texts = [*NEEDS_THAI.values(), ""]
    texts += ["".join(rng.choices(marks, k=rng.randint(1, 8))) for _ in range(20_000)]
    for text in texts:
        assert needs_thai_normalisation(text) == bool(NEEDS_THAI_NORMALISATION.search(text))
        stripped = [line.strip() for line in text.split("\n")]
        needing = {index for index, line in enumerate(stripped) if needs_thai_normalisation(line)}
        assert needing <= lines_that_may_need_thai_normalisation(text)


# What may_need_thai_normalisation is written to find, as one regular expression: the cases
# of NEEDS_THAI_NORMALISATION loosened (any nikhahit; a mark after any white space dangles).
_MARKS = f"{THAI_ABOVE_VOWELS}{THAI_BELOW_VOWELS}"
_LOOSENED_THAI_NORMALISATION = re.compile(
    "|".join(
        [
            "\u0e4d",
            "\u0e45",
            "\u0e40\u0e40",
            f"[{THAI_TONEMARKS}\u0e4c][{_MARKS}]",
            f"[{THAI_FOLLOW_VOWELS}][{THAI_TONEMARKS}]",
            f"[{THAI_TONEMARKS}]{{2}}",
            f"([{THAI_FOLLOW_VOWELS}\u0e40-\u0e44{_MARKS}\u0e3a\u0e4c-\u0e4e]) *\\1",
            f"(?:^|\\s)[{_MARKS}{THAI_TONEMARKS}\u0e3a\u0e4c-\u0e4e]",
        ]
    )
)


def test_the_text_gate_finds_exactly_what_it_is_written_to_find():
    """The one lookup of three code units at a time finds what the loosened cases find,
    runs of spaces, other white space and characters outside the BMP between them."""
    chars = [chr(code) for code in range(0x0E01, 0x0E5C)]
    chars += [" ", " ", " ", "\n", "\u2009", "\u00a0", "a", "\U0001f600", "\ud800"]
    rng = random.Random(11)
    texts = [*NEEDS_THAI.values(), "", " ", "\u0e34"]
    texts += ["".join(rng.choices(chars, k=rng.randint(1, 9))) for _ in range(50_000)]
    for text in texts:
        expected = _LOOSENED_THAI_NORMALISATION.search(text) is not None
        assert may_need_thai_normalisation(text) == expected, text


def test_pythainlp_given_the_part_of_a_line_that_needs_it_normalises_as_given_the_line():
    """A line's cleaning gives PyThaiNLP only the part that needs it; what it gives back
    must be what the whole line gives, so that a change of its rules fails here."""
    chars = [chr(code) for code in range(0x0E01, 0x0E5C)]
    chars += [*THAI_TONEMARKS, *THAI_ABOVE_VOWELS, *THAI_FOLLOW_VOWELS, "\u0e40", "\u0e4c"]
    chars += [" "] * 6 + ["a", "1", ",", "\u2009", "\n", "\u200b", "\U0001f600"]
    rng = random.Random(13)
    texts = [*NEEDS_THAI.values(), "กา ก\u0e48\u0e48 1ก", "ข\u0e4d\u0e32,a \u0e34"]
    texts += ["".join(rng.choices(chars, k=rng.randint(1, 16))) for _ in range(30_000)]
    for text in texts:
        line = single_spaced(unicodedata.normalize("NFC", plain_characters(text))).strip()
        if needs_thai_normalisation(line):
            line = single_spaced(pythainlp_normalize(line)).strip()
        assert clean_line(text) == line, text


def test_every_run_of_spaces_is_one_space():
    chars = [*SPACE_CHARS, "\u2009", "\n", "ก", "a"]
    rng = random.Random(7)
    texts = ["".join(rng.choices(chars, k=rng.randint(0, 12))) for _ in range(20_000)]
    for text in [*texts, "ข่าว\u00a0 \u3000วันนี้\t\t", "  "]:
        assert single_spaced(text) == re.sub(f"[{SPACE_CHARS}]+", " ", text)


def test_a_headline_repeat_is_told_by_the_whole_line_folded():
    headline = "STRASSE ข่าว 2567: การประชุม ๑๒ ครั้ง"
    repeats = headline_repeat([headline, "-----"])
    assert repeats(headline)
    assert repeats("Straße ข่าว ๒๕๖๗ — การประชุม 12 ครั้ง")  # ß folds to two letters
    assert repeats("strasse  ข่าว 2567 การประชุม 12 ครั้ง!")
    assert not repeats("STRASSE ข่าว 2567: การประชุม ๑๒ ครั้งที่")
    assert not repeats("STRASSE ข่าว 2568: การประชุม ๑๒ ครั้ง")
    assert not repeats("-----")  # a headline of punctuation alone is repeated by none


def test_each_kind_of_boilerplate_line_is_dropped_and_only_those():
    lines = [
        "ข่าว วันนี้",
        "ข่าว วันนี้",  # the headline repeated
        "-----",
        "•",
        "Share this article:",
        "IMAGE CREDIT: Reuters",
        "พิมพ์",
        "Source : https://example.org/a",
        "ที่มา : https://example.org/b",
        "ที่มา : https://example.org/c ของกรม",  # a footer says nothing after its URL
        "share this with your family",
        "การประชุม -- 2567",
    ]
    body = clean_body("ข่าว วันนี้", lines, date(2026, 12, 2))
    assert body.lines == [
        "ที่มา : https://example.org/c ของกรม",
        "share this with your family",
        "การประชุม -- 2567",
    ]
    assert body.source_url == "https://example.org/b"  # the last footer
    assert body.published is None


def test_the_language_is_told_by_thai_and_ascii_letters_among_the_first_2000_characters():
    def by_utf8_bytes(text):  # UTF-8 writes a Thai character E0 B8 xx or E0 B9 xx
        sample = text[:2000].encode()
        thai = sample.count(b"\xe0\xb8") + sample.count(b"\xe0\xb9")
        latin = sum(chr(byte).isalpha() for byte in sample if byte < 128)
        return "th" if thai + latin == 0 or thai / (thai + latin) >= 0.3 else "en"

    chars = ["ก", "\u0e48", "๓", "a", "Z", "é", "ß", "1", " ", "\n", "\U0001f600", "\u0e80"]
    rng = random.Random(11)
    texts = ["", "ข่าว" * 600 + "APEC" * 1000, "APEC" * 600 + "ข่าว" * 1000]
    texts += ["".join(rng.choices(chars, k=rng.randint(1, 40))) for _ in range(5_000)]
    for text in texts:
        assert detect_language(text) == by_utf8_bytes(text)


@pytest.mark.parametrize(
    "char",
    list("\u00ad\u200b\ufeff\x07\x85\uff21\uffe5\u2066\u034f\ufffe\uffff\ufdd0\U0001fffe"),
)
def test_a_long_text_is_made_plain_as_a_short_one(char):
    text = "ข่าว APEC " * 300
    assert plain_characters(text + char) == text + plain_characters(char) != text + char
    for kept in ("\U0001f600", "\U0001f3fe", "\u00a0", "ก", "\u2009"):
        assert plain_characters(text + kept + char) == text + kept + plain_characters(char)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("ข่าว \U0001f44d ดีอี", "ข่าว \U0001f44d ดีอี"),  # an emoji alone: nothing to take out
        ("ข่าว \U0001f3fe\U0001fffe ดีอี", "ข่าว \U0001f3fe ดีอี"),  # after one, a noncharacter
        ("\U0010ffffข่าว\u200b", "ข่าว"),
        ("\U0001f600 ＡＳＥＡＮ", "\U0001f600 ASEAN"),
    ],
)
def test_a_short_text_beyond_the_bmp_is_made_plain_as_each_character_alone(text, plain):
    assert plain_characters(text) == plain
    assert plain_characters(text) == "".join(plain_characters(char) for char in text)


def test_a_date_line_next_year_in_bangkok_is_believed_on_its_new_year_s_day(new_year_in_bangkok):
    """At 31 December 17:30 UTC it is 1 January in Bangkok: 2028 (2571 BE) is next year
    there, not the year after next as the machine's UTC date would have it."""
    raw = RawArticle(
        url="https://www.thaigov.go.th/news/contents/details/1",
        source="thaigov",
        title="ข่าว",
        body="3 มกราคม 2571\nเนื้อข่าว",
    )
    assert normalise_article(raw).published == date(2028, 1, 3)
