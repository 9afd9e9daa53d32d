"""The one cleaning step for everything a feed, page or email carries."""

import unicodedata
from itertools import accumulate

import pytest
from pythainlp.tokenize import word_tokenize

from digest.clean import (
    NO_HEADLINE,
    THAI_LEADING_VOWELS,
    article_links,
    clean_headline,
    clean_line,
    clean_link,
    clean_text,
    cut_clusters,
    published_forms,
    shown_changes,
    shown_context,
    shown_moved,
)
from tests.digest import ATTENDED_LONG
from thaidigest.urls import served_url

TEXTS = {
    "xml-forbidden": ("a\x00b\x01c\x1fd", "abcd"),
    "del-and-c1": ("a\x7fb\x85c\x9fd", "abcd"),
    "direction-override": ("\u202eevil.exe\u202c", "evil.exe"),
    "isolates-and-marks": ("\u2066a\u2069\u200eb\u200f\u061c", "ab"),
    "lone-surrogate": ("a\ud800b", "ab"),
    "noncharacters": ("a\ufffeb\uffffc\ufdd0", "abc"),
    "thai-kept": ("ความร่วมมือ ดิจิทัล", "ความร่วมมือ ดิจิทัล"),
    "line-breaks-kept": ("one\ntwo\tthree", "one\ntwo\tthree"),
}


@pytest.mark.parametrize(("text", "cleaned"), TEXTS.values(), ids=TEXTS.keys())
def test_clean_text_removes_what_no_reader_should_get(text, cleaned):
    assert clean_text(text) == cleaned


def test_clean_line_makes_one_line_of_single_spaces():
    assert clean_line(" one\n two\u2028three\x0b\tfour \u202e ") == "one two three four"


def test_a_headline_of_nothing_but_hidden_characters_gets_a_placeholder():
    assert clean_headline("\u202e\x01") == NO_HEADLINE


WOMAN_TECHNOLOGIST = "\U0001f469\u200d\U0001f4bb"  # one emoji of three code points
THAI_FLAG = "\U0001f1f9\U0001f1ed"  # one flag of two regional indicators
# A headline and how it is published: cut at 300 characters, then an ellipsis.
HEADLINES = {
    "at-the-limit-kept": ("x" * 300, "x" * 300),
    "one-over-cut": ("x" * 301, "x" * 300 + "…"),
    # Thai has no spaces: no word boundary is waited for, only the marks' consonant.
    "tone-mark-stays-with-its-consonant": ("A" + "กิ่" * 200, "A" + "กิ่" * 99 + "…"),
    "sara-am-stays-with-its-consonant": ("x" * 299 + "กำ" + "x" * 9, "x" * 299 + "…"),
    # เ แ โ ใ ไ are written before the consonant they are read after: kept with it.
    "leading-vowel-stays-with-its-consonant": ("x" * 299 + "เก" + "x" * 9, "x" * 299 + "…"),
    "leading-vowel-kept-with-its-consonant": ("x" * 298 + "ไท" + "x" * 9, "x" * 298 + "ไท…"),
    "joined-emoji-kept-whole": ("x" * 299 + WOMAN_TECHNOLOGIST, "x" * 299 + "…"),
    "joined-emoji-kept-whole-after-the-joiner": ("x" * 298 + WOMAN_TECHNOLOGIST, "x" * 298 + "…"),
    "skin-tone-stays-with-its-emoji": ("x" * 299 + "\U0001f44d\U0001f3fd", "x" * 299 + "…"),
    # A flag is two regional indicators, paired from the start of their run.
    "flag-kept-whole": ("x" + THAI_FLAG * 200, "x" + THAI_FLAG * 149 + "…"),
    "flag-kept-whole-after-an-odd-start": ("xy" + THAI_FLAG * 200, "xy" + THAI_FLAG * 149 + "…"),
    "flag-at-the-limit-kept": ("x" * 298 + THAI_FLAG, "x" * 298 + THAI_FLAG),
    "space-before-the-ellipsis-dropped": ("x" * 299 + " " + "y" * 9, "x" * 299 + "…"),
    "counted-after-cleaning": ("\u202e" * 50 + "x" * 300, "x" * 300),
    "nothing-but-marks-cut-anyway": ("\u0e48" * 400, "\u0e48" * 300 + "…"),
}


@pytest.mark.parametrize(("title", "published"), HEADLINES.values(), ids=HEADLINES.keys())
def test_a_long_headline_is_cut_at_a_character_boundary(title, published):
    assert clean_headline(title) == published
    assert clean_headline(published) == published  # cleaning twice changes nothing


LINKS = {
    "https": ("https://example.org/news/1", True),
    "http": ("http://example.org/a?b=c", True),
    "file": ("file:///home/me/seeds/003.txt", False),
    "javascript": ("javascript:alert(1)", False),
    "data": ("data:text/html,x", False),
    "control-character": ("https://example.org/news/1\x01", False),
    "direction-override": ("https://example.org/\u202egpj.exe", False),
    "space": ("https://example.org/a b", False),
    "no-host": ("https:///a", False),
}


@pytest.mark.parametrize(("url", "published"), LINKS.values(), ids=LINKS.keys())
def test_only_web_addresses_are_published_as_links(url, published):
    assert clean_link(url) == (url if published else None)


STRAY_PERCENTS = {
    "in-a-query": (
        "https://www.thaigov.go.th/news/contents/details/123?q=50%off",
        "https://www.thaigov.go.th/news/contents/details/123?q=50%25off",
    ),
    "in-a-path": ("https://mfa.go.th/100%/news", "https://mfa.go.th/100%25/news"),
    "at-the-end": ("https://mfa.go.th/a?rate=5%", "https://mfa.go.th/a?rate=5%25"),
    "one-hex-digit": ("https://mfa.go.th/a?q=%4", "https://mfa.go.th/a?q=%254"),
    "beside-an-escape": (
        "https://mfa.go.th/%E0%B8%81%/%zz",
        "https://mfa.go.th/%E0%B8%81%25/%25zz",
    ),
    "escapes-untouched": (
        "https://mfa.go.th/a%2Fb?q=%25&r=%e0",
        "https://mfa.go.th/a%2Fb?q=%25&r=%e0",
    ),
}


@pytest.mark.parametrize(("url", "published"), STRAY_PERCENTS.values(), ids=STRAY_PERCENTS.keys())
def test_a_percent_that_starts_no_escape_is_published_as_percent_25(url, published):
    """A feed reader refuses ``?q=50%off`` and a Markdown renderer rewrites it: every output
    carries the link as a URI holds it, its escapes as they are."""
    assert clean_link(url) == published
    assert clean_link(published) == published  # cleaning twice changes nothing


def test_a_sites_article_is_linked_on_the_host_the_site_serves_it_from():
    """Stored under the canonical host without ``www.``, linked on the site's own (SITES.md)."""
    for stored, served in [
        (
            "https://thaigov.go.th/news/contents/details/87382",
            "https://www.thaigov.go.th/news/contents/details/87382",
        ),
        ("https://mdes.go.th/news/detail/11015", "https://www.mdes.go.th/news/detail/11015"),
    ]:
        assert clean_link(stored) == served
        assert clean_link(served) == served  # cleaning twice changes nothing
        # Outputs written before linked it as stored: still found there.
        assert published_forms(stored) == (served, stored)
    # With a stray %: published escaped on the site's host, before on the canonical one,
    # and before that as stored.
    stray = "https://thaigov.go.th/news/contents/details/1?q=50%off"
    assert published_forms(stray) == (
        "https://www.thaigov.go.th/news/contents/details/1?q=50%25off",
        "https://thaigov.go.th/news/contents/details/1?q=50%25off",
        stray,
    )
    for other in (
        "https://thaigov.go.th.example.org/news/contents/details/1",
        "https://mfa.go.th/news/1",
        "http://127.0.0.1:8000/news/contents/details/1",
        "https://thaigov.go.th",
    ):
        assert clean_link(other) == other


def test_an_article_from_a_file_links_to_its_first_copy_on_the_web():
    web = "https://thaigov.go.th/news/contents/details/1"
    other = "https://mdes.go.th/news/detail/2"
    links = (served_url(web), (served_url(other),))
    assert article_links("file:///seed.txt", ("file:///copy.txt", web, other)) == links
    assert article_links("file:///seed.txt", ("file:///copy.txt",)) == (None, ())
    assert article_links(web, (other, "file:///x")) == links


def test_an_articles_former_address_is_not_listed_as_a_copy_beside_its_canonical_one():
    own = "https://thaigov.go.th/news/contents/details/87382"
    former = (
        "https://thaigov.go.th/news/contents/details/%E0%B9%98%E0%B9%97%E0%B9%93%E0%B9%98%E0%B9%92"
    )
    ministry = "https://thaigov.go.th/news/contents/ministry_details/87382"
    other = "https://mdes.go.th/news/detail/2"
    own_link, other_link = served_url(own), served_url(other)
    assert article_links(own, (former, ministry, other)) == (own_link, (other_link,))
    assert article_links(other, (f"{own}?lang=th", own)) == (other_link, (own_link,))
    # Without the canonical row, the former address still opens the article: listed.
    assert article_links(other, (former,)) == (other_link, (served_url(former),))


def test_every_noncharacter_is_taken_out_of_published_text():
    """Planes 2 to 15's last two code points were published: no text holds one."""
    noncharacters = [*map(chr, range(0xFDD0, 0xFDF0))] + [
        chr(plane << 16 | end) for plane in range(17) for end in (0xFFFE, 0xFFFF)
    ]
    assert len(noncharacters) == 66
    assert [c for c in noncharacters if clean_line(f"a{c}b") != "ab"] == []


@pytest.mark.parametrize("skipped", range(0, 40, 3))
def test_a_thai_phrase_longer_than_a_shown_passage_is_cut_between_its_words(skipped):
    # A Thai phrase runs past the cut before the first space (ATTENDED_LONG's opening is
    # over 300 characters): the passage is cut between Thai words, whichever of them the
    # cut falls in, never between a consonant and its vowel or tone mark.
    text = ATTENDED_LONG[skipped:]
    shown = shown_changes([text], [])[0][0].line
    kept = shown.removesuffix("…")
    assert shown.endswith("…") and text.startswith(kept) and len(shown) <= 300
    word_ends = set(accumulate(map(len, word_tokenize(text[:400], engine="newmm"))))
    assert len(kept) in word_ends, shown[-20:]
    assert not unicodedata.category(text[len(kept)]).startswith("M")
    assert kept[-1] not in THAI_LEADING_VOWELS


def kept_of(word: str, limit: int) -> str:
    """What :func:`cut_clusters` keeps of ``word`` when the limit falls ``limit`` characters
    into it, between a short phrase and another word."""
    before, after = "ข่าว ", " ของรัฐ"
    return cut_clusters(f"{before}{word}{after}", len(before) + limit)[len(before) :].rstrip()


# Words a limit may fall inside a Thai character cluster of, with what a cut may keep of
# each: a cluster's start, never a letter's within it (ร|ะ; ว่|า, the vowel after the
# tone mark), though both start a letter.
CLUSTER_STARTS = {
    "ระหว่าง": ["", "ระ", "ระห", "ระหว่า", "ระหว่าง"],
    "สันตติวงศ์": ["", "สั", "สัน", "สันต", "สันตติ", "สันตติวงศ์"],
}


@pytest.mark.parametrize("word", CLUSTER_STARTS)
def test_a_cut_within_a_long_word_falls_between_its_character_clusters(word):
    for limit in range(len(word) + 1):
        starts = [start for start in CLUSTER_STARTS[word] if len(start) <= limit]
        assert kept_of(word, limit) == starts[-1], limit


# Vowels written around their consonants, opened by เ and closed by อ or า, that PyThaiNLP's
# tcc ends a cluster inside (เพื|่|อ, เดื|อ|น, เห|ลือ, เธ|อ, เค|รือ, เป|ล่า, เห|งา): what a
# cut may keep.
VOWEL_AROUND_STARTS = {
    "เพื่อ": ["", "เพื่อ"],
    "เดือน": ["", "เดือ", "เดือน"],
    "เหลือ": ["", "เหลือ"],
    "เธอ": ["", "เธอ"],
    "เครือข่าย": ["", "เครือ", "เครือข่า", "เครือข่าย"],
    "เปล่า": ["", "เปล่า"],
    "เหงา": ["", "เหงา"],
}


@pytest.mark.parametrize("word", VOWEL_AROUND_STARTS)
def test_a_cut_never_parts_a_vowel_written_around_its_consonants(word):
    """Cut between tcc's clusters, เพื่อ kept "เพื่", its อ torn off."""
    for limit in range(len(word) + 1):
        starts = [start for start in VOWEL_AROUND_STARTS[word] if len(start) <= limit]
        assert kept_of(word, limit) == starts[-1], limit


def test_the_text_a_change_follows_is_shown_whole_when_short():
    assert shown_context("ที่ประชุมรับทราบ  \nผลการดำเนินงาน") == "ที่ประชุมรับทราบ ผลการดำเนินงาน"


def test_the_text_a_change_follows_is_shown_by_its_last_words():
    text = (
        "The Ministry of Digital Economy and Society said the budget for the fiscal year "
        "2025 is 300 million baht, which the cabinet approved on Tuesday."
    )
    # "fiscal year … Tuesday." is 76 characters; with "the " before it, 80, one more than
    # the 79 the ellipsis leaves: the line starts at "fiscal".
    assert shown_context(text) == (
        "…fiscal year 2025 is 300 million baht, which the cabinet approved on Tuesday."
    )


def test_a_text_a_change_follows_that_shows_nothing_at_its_end_has_no_context():
    """A consonant under a hundred vowel marks: its last 79 characters are marks that join
    it, no word starts among them, and an ellipsis alone would stand for the text."""
    assert shown_context("ก" + "\u0e31" * 100) == ""


def test_the_thai_text_a_change_follows_is_cut_between_words():
    text = ATTENDED_LONG
    shown = shown_context(text)
    assert shown.startswith("…") and len(shown) <= 80
    rest = shown.removeprefix("…")
    assert text.endswith(rest) and len(rest) >= 60
    starts = set(accumulate(len(word) for word in word_tokenize(text, engine="newmm")))
    assert len(text) - len(rest) in starts  # a word of the text starts there


def test_a_moved_passage_is_shown_whole_when_short():
    assert shown_moved("ที่ประชุมรับทราบ  \nผลการดำเนินงาน") == "ที่ประชุมรับทราบ ผลการดำเนินงาน"


def test_a_moved_passage_is_shown_by_its_first_words():
    text = (
        "The Ministry of Digital Economy and Society said the budget for the fiscal year "
        "2025 is 300 million baht."
    )
    # "The Ministry … fiscal year" is 79 characters, the ellipsis the 80th: " 2025" is cut.
    assert shown_moved(text) == (
        "The Ministry of Digital Economy and Society said the budget for the fiscal year…"
    )


def test_a_moved_thai_passage_is_cut_between_words():
    text = ATTENDED_LONG
    shown = shown_moved(text)
    assert shown.endswith("…") and len(shown) <= 80
    kept = shown.removesuffix("…")
    assert text.startswith(kept) and len(kept) >= 60
    ends = set(accumulate(len(word) for word in word_tokenize(text, engine="newmm")))
    assert len(kept) in ends  # a word of the text ends there
