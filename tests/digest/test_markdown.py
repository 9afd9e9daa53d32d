import html
import re
import unicodedata
from dataclasses import replace
from datetime import date
from urllib.parse import urlsplit

import cmarkgfm  # GitHub's own Markdown renderer (the test extras)
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from pythainlp import tokenize
from pythainlp.tokenize import word_tokenize
from sqlalchemy import update

from digest import clean, markdown
from digest.clean import MAX_CHANGE_CHARS, shown_changes
from digest.diff import Diff, diff_versions
from digest.markdown import (
    MAX_CHANGE_LINES,
    coverage_line,
    lede,
    link,
    lists_story,
    markdown_to_html,
    markdown_to_page_html,
    markdown_to_text,
    render_changes,
    render_markdown,
    unlinked_openings,
    week_range,
)
from digest.select import Week, load_weeks, select_week
from tests.conftest import seed_path
from tests.digest import (
    ATTENDED_LONG,
    ATTENDED_LONG_EDITED,
    LONG_ENGLISH_SENTENCE,
    LONG_THAI_OPENING,
    THAI_WORDS,
    article,
    file_import_and_its_mdes_copy,
    ingest,
    link_of,
    mark,
    thai_body,
    url_of,
)
from thaidigest.health import SiteHealth
from thaidigest.model import RawArticle
from thaidigest.readers import read_text_file
from thaidigest.store import articles
from thaidigest.urls import source_of

W34 = Week(2024, 34)
TITLE = "thaidigest"
HOSTILE_TITLE = (
    "Evil <b>bold</b> & [x](http://evil) ] \x0b *star* _under_ `tick` # hash <http://auto>"
)


def digest_markdown(store, week=W34):
    return render_markdown(select_week(load_weeks(store, week, week), week), TITLE)


def heading_texts(markdown, level):
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        "".join(child.content for child in tokens[i + 1].children if child.type != "softbreak")
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == f"h{level}"
    ]


def test_hostile_title_and_body_stay_plain_text(store):
    body = "&amp; <script>x</script> *a* _b_ `c` [y](http://evil) \\[z]"
    raw = article(1, HOSTILE_TITLE, body)
    ingest(store, [raw], "2024-08-20T03:00")
    mark(store, raw)
    # Normalisation now decodes a left-over entity; a text stored before it did
    # still holds one, and the renderer must show it as written.
    with store.transaction() as conn:
        conn.execute(update(articles).where(articles.c.url == url_of(raw)).values(body=body))
    html = markdown_to_html(digest_markdown(store))

    assert html.count("<a ") == 1  # the headline link, nothing from the title
    assert 'href="http://evil"' not in html and 'href="http://auto"' not in html
    for tag in ("<b>", "<script>", "<em>", "<strong>", "<code>", "<ul>", "<ol>", "<blockquote>"):
        assert tag not in html
    assert html.count("<h1>") == 1 and "<hr" not in html
    assert "&amp;amp;" in html  # an entity in the text is shown, not decoded
    expected_title = " ".join(HOSTILE_TITLE.replace("\x0b", " ").split())
    assert heading_texts(digest_markdown(store), 3) == [expected_title]


@pytest.mark.parametrize(
    "opening", ["# heading", "- list", "+ list", "1. list", "2) list", "> quote", "---", "==="]
)
def test_text_opening_with_a_block_marker_stays_a_paragraph(store, opening):
    raw = article(1, opening, f"{opening} and the rest of the paragraph")
    ingest(store, [raw], "2024-08-20T03:00")
    mark(store, raw)
    markdown = digest_markdown(store)
    html = markdown_to_html(markdown)
    assert f"<p>{opening.replace('>', '&gt;')} and the rest" in html
    assert heading_texts(markdown, 3) == [opening]
    for tag in ("<ul>", "<ol>", "<blockquote>", "<hr"):
        assert tag not in html
    assert html.count("<h2>") == 1


def test_url_with_parentheses_is_linked_whole(store):
    url = "https://example.org/wiki/Digital_(economy)"
    raw = RawArticle(url=url, source="file", title="Digital economy", body="Text.")
    ingest(store, [raw], "2024-08-20T03:00")
    mark(store, raw)
    html = markdown_to_html(digest_markdown(store))
    assert re.findall(r'href="([^"]*)"', html) == [url]


@pytest.mark.parametrize(
    "url",
    [
        "https://mfa.go.th/news/a&amp;b/1",
        "https://mfa.go.th/news/a&#65;/1",
        "https://mfa.go.th/news/a&lt;b",
        "https://mfa.go.th/news?x=1&y=2",
    ],
)
def test_a_link_goes_where_its_url_says_whatever_entity_it_seems_to_hold(url):
    """Markdown reads ``&amp;`` in a link's destination as ``&``: the digest linked
    ``/news/a&b/1`` where the feeds and the archive page linked the stored URL."""
    linked = link("headline", url)
    hrefs = re.findall(r'href="([^"]*)"', markdown_to_html(linked))
    assert [html.unescape(href) for href in hrefs] == [url]
    assert lists_story(linked, [url], [])  # as explain finds a story in a digest


def test_a_story_at_a_stray_percent_is_found_in_digests_written_before_and_after_its_escape():
    """A digest of a past week is never written again: one written before a stray ``%`` was
    published as ``%25`` holds the link as stored, and explain must still find the story
    there, as in a digest written since."""
    url = "https://www.thaigov.go.th/news/contents/details/123?q=50%off"
    copy = "https://mfa.go.th/100%/news"
    heading_before = f"### [Headline](<{url}>)\n"
    also_on_before = f"{markdown.ALSO_ON}<{copy}>\n"
    heading_after = f"### {link('Headline', url)}\n"
    also_on_after = f"{markdown.ALSO_ON}{markdown.autolink(copy)}\n"
    assert "50%25off" in heading_after and "100%25/" in also_on_after
    for written in (heading_before, also_on_before, heading_after, also_on_after):
        assert lists_story(written, [url, copy], []), written
    other = "https://www.thaigov.go.th/news/contents/details/124"
    assert not lists_story(heading_after + also_on_after, [other], [])


def test_a_sites_story_at_a_stray_percent_is_found_in_digests_of_each_of_its_links():
    """A site's article stored on its canonical host with a stray ``%``: digests written
    before it was escaped hold it as stored, those written before it was linked on the
    site's own host hold it escaped on the canonical host, and those since escaped on the
    ``www.`` host. Each still lists it (the middle one was no longer found)."""
    stored = "https://thaigov.go.th/news/contents/details/123?q=50%off"
    for written in (
        stored,
        "https://thaigov.go.th/news/contents/details/123?q=50%25off",
        "https://www.thaigov.go.th/news/contents/details/123?q=50%25off",
    ):
        assert lists_story(f"### [Headline](<{written}>)\n", [stored], []), written
    assert lists_story(f"### {link('Headline', stored)}\n", [stored], [])
    assert not lists_story(f"### [Headline](<{stored.replace('123', '124')}>)\n", [stored], [])


def test_an_unlinked_item_without_a_lede_is_found_in_a_digest_that_wrote_what_changed_in_one_line():
    """Digests written before what changed was listed say it on the line under the meta line."""
    heading = markdown.item_heading("ข่าวจากไฟล์", None)
    written = (
        f"{heading}\n\nfile · 2024-08-20 · Thai · updated\n\nWhat changed: headline changed.\n"
    )
    assert lists_story(written, [], [(heading, "")])


def test_an_unlinked_item_is_found_by_its_lede_as_digests_written_before_cut_it():
    """Digests written before English ledes were cut past titles ended this one at "Dr."."""
    heading = markdown.item_heading("Thai-Japanese digital MoU", None)
    written = (
        f"{heading}\n\nimported text · 2024-08-20 · English\n\nThe signing was witnessed by"
        " Mr. Prasert Jantararuangtong, Minister of Digital Economy and Society. Dr.\n"
    )
    openings = unlinked_openings("Thai-Japanese digital MoU", SIGNING)
    assert lists_story(written, [], openings)
    assert not lists_story(written.replace("Dr.", "Mr."), [], openings)


def test_a_query_keeps_its_ampersands_as_written_in_the_markdown():
    """Read as plain text (the mail's text part), ``\\&`` in every query was noise."""
    assert link("h", "https://mfa.go.th/news?x=1&y=2") == "[h](<https://mfa.go.th/news?x=1&y=2>)"


# Where the GFM spec's autolink extension starts a link in text (cmark-gfm also takes
# ftp://): www. or a scheme, at a line's start or after a space, *, _, ~ or (.
GFM_AUTOLINK = re.compile(r"(?i)(?:^|[\s*_~(])(?:www\.|(?:https?|ftp)://)", re.MULTILINE)
BARE_URLS = "ดูรายละเอียดที่ www.mdes.go.th หรือ https://www.thaigov.go.th/news?a=1&b=2 (FTP://x.org)"


def test_a_url_in_an_articles_text_is_no_link_in_a_gfm_viewer(store):
    """GitHub links a bare URL in the text, backslashes of the escaping and all."""
    raw = article(1, f"ข่าว www.example.org *{BARE_URLS}*", f"{BARE_URLS}.")
    ingest(store, [raw], "2024-08-20T03:00")
    mark(store, raw)
    markdown = digest_markdown(store)
    assert GFM_AUTOLINK.findall(markdown) == []
    assert heading_texts(markdown, 3) == [raw.title]  # CommonMark shows the text as written
    html = markdown_to_html(markdown)
    assert re.findall(r'href="([^"]*)"', html) == [link_of(raw)]
    assert f"<p>{html_text(BARE_URLS)}.</p>" in html


def html_text(text):
    return html.escape(text, quote=False)


def test_a_url_in_an_articles_text_is_no_link_on_github(store):
    raw = article(1, f"ข่าว *{BARE_URLS}*", f"{BARE_URLS}.")
    ingest(store, [raw], "2024-08-20T03:00")
    mark(store, raw)
    rendered = cmarkgfm.github_flavored_markdown_to_html(digest_markdown(store))
    assert re.findall(r'href="([^"]*)"', rendered) == [link_of(raw)]
    assert f"<p>{html_text(BARE_URLS)}.</p>" in rendered


def test_article_without_a_web_address_is_listed_without_a_link(store):
    raw = RawArticle(url="file:///data/seed.txt", source="file", title="From a file", body="x.")
    copy = RawArticle(url="file:///data/copy.txt", source="file", title="Copy", body="y.")
    ingest(store, [raw, copy], "2024-08-20T03:00")
    mark(store, raw)
    mark(store, copy, duplicate_of=raw)
    markdown = digest_markdown(store)
    html = markdown_to_html(markdown)
    assert heading_texts(markdown, 3) == ["From a file"]
    assert "<a " not in html and "](" not in html
    assert "file:" not in markdown and "Also on" not in markdown  # a local path is never shown


def test_article_from_a_file_links_to_its_copy_on_the_web(store):
    raw = RawArticle(url="file:///home/me/seeds/003.txt", source="file", title="Seed", body="x.")
    web = article(1, "Crawled copy", "x.")
    ingest(store, [raw, web], "2024-08-20T03:00")
    mark(store, raw)
    mark(store, web, duplicate_of=raw)
    markdown = digest_markdown(store)
    html = markdown_to_html(markdown)
    assert re.findall(r'href="([^"]*)"', html) == [link_of(web)]
    assert "file:" not in markdown and "Also on" not in markdown


def test_digest_has_range_summary_bilingual_sections_and_every_title(store):
    thai = article(1, "ดีอี ร่วมประชุม APEC 2024", "เนื้อหาข่าว ย่อหน้าแรก", date(2024, 8, 23))
    english = article(2, "ASEAN digital ministers meet", "Ministers met.", date(2024, 8, 22))
    mdes = RawArticle(
        url="https://www.mdes.go.th/news/detail/9001-digital",
        source="mdes",
        title="MoU on digital skills",
        body="Signed today.",
        published_hint=date(2024, 8, 21),
    )
    copy = article(3, "ASEAN digital ministers meet (copy)", "Ministers met.")
    ingest(store, [thai, english, mdes, copy], "2024-08-23T10:00")
    mark(store, thai, relevance=0.8, topics=["apec"])
    mark(store, english, relevance=0.7, topics=["asean"])
    mark(store, mdes, relevance=0.6, topics=["mou"])
    mark(store, copy, duplicate_of=english)
    markdown = digest_markdown(store)

    assert heading_texts(markdown, 1) == ["thaidigest: week 2024-W34"]
    assert "19–25 August 2024" in markdown
    assert (
        "3 items from thaigov.go.th (2) and mdes.go.th (1); "
        "topics: ASEAN (1), APEC (1), Agreements and MoUs (1)." in markdown
    )
    assert heading_texts(markdown, 2) == [
        "ASEAN · อาเซียน",
        "APEC · เอเปค",
        "Agreements and MoUs · บันทึกความเข้าใจและข้อตกลง",
    ]
    assert heading_texts(markdown, 3) == [
        "ASEAN digital ministers meet",
        "ดีอี ร่วมประชุม APEC 2024",
        "MoU on digital skills",
    ]
    assert "thaigov.go.th · 2024-08-23 · Thai" in markdown
    assert f"Also on: <{link_of(copy)}>" in markdown
    html = markdown_to_html(markdown)
    assert f'<a href="{link_of(copy)}">' in html


def test_an_article_from_another_web_site_is_labelled_by_its_host_and_a_file_as_imported(store):
    # Imported as a record from another site's web address, and as a text file without one:
    # both are stored with source "file" (a source is a crawled site, or none).
    web = RawArticle(
        url="https://www.mfa.go.th/en/content/thai-japan-digital-mou",
        source=source_of("https://www.mfa.go.th/en/content/thai-japan-digital-mou"),
        title="Thailand and Japan sign digital MoU",
        body="Digital economy cooperation.",
        published_hint=date(2024, 8, 20),
    )
    note = RawArticle(
        url="file:///srv/notes/minutes.txt",
        source="file",
        title="Minutes: Thai-Finnish digital MoU",
        body="Digital cooperation.",
        published_hint=date(2024, 8, 21),
    )
    ingest(store, [web, note], "2024-08-23T10:00")
    mark(store, web, topics=["mou"])
    mark(store, note, topics=["mou"])
    markdown = digest_markdown(store)
    assert "mfa.go.th · 2024-08-20 · English" in markdown
    assert "imported text · 2024-08-21 · English" in markdown
    assert "2 items from imported text (1) and mfa.go.th (1);" in markdown
    assert "file" not in markdown  # the stored source names no site a reader knows
    assert "\nimported text · 2024-08-21 · English\n" in markdown_to_text(markdown)  # the mail's


def test_an_unlinked_item_without_a_lede_over_its_imported_copys_changes_is_found(store):
    # A text file without a lede or a web address, and a text file of the same story edited
    # in the week: the heading of the copy's changes is what stands under the meta line.
    title = "ดีอี ร่วมมือญี่ปุ่นด้านเมืองอัจฉริยะ"
    day = date(2024, 8, 14)
    raw = RawArticle("file:///srv/a.txt", "file", title, "", published_hint=day)
    copy = RawArticle("file:///srv/b.txt", "file", title, "งบ 5,000 ล้านบาท", published_hint=day)
    ingest(store, [raw, copy], "2024-08-14T03:00")
    ingest(store, [replace(copy, body="งบ 6,000 ล้านบาท")], "2024-08-21T03:00")
    mark(store, raw)
    mark(store, copy, duplicate_of=raw)
    markdown = digest_markdown(store)
    item = markdown.split(f"### {title}\n\n")[1].split("\n\n")
    assert item[0].startswith("imported text · 2024-08-14 · Thai · updated")
    assert item[1] == "What changed in the imported copy:"
    assert lists_story(markdown, [raw.url, copy.url], unlinked_openings(title, ""))
    assert "<p>What changed in the imported copy:</p>" in markdown_to_page_html(markdown)


def test_updated_item_says_what_changed(store):
    day = date(2024, 8, 14)
    ingest(store, [article(1, "Headline", "One.\nTwo.\nThree.", day)], "2024-08-14T03:00")
    ingest(store, [article(1, "Headline", "One.\nThree.", day)], "2024-08-21T03:00")
    mark(store, article(1, "Headline"))
    markdown = digest_markdown(store)
    assert "thaigov.go.th · 2024-08-14 · English · updated" in markdown
    assert (
        "What changed:\n\n- Unchanged text before it: One.\n- Removed: <del>Two.</del>\n"
        in markdown
    )
    assert "1 items" not in markdown and "1 item (1 updated)" in markdown


def test_a_corrected_date_is_what_changed(store):
    body = "One.\nTwo."
    ingest(store, [article(1, "Headline", body, date(2024, 8, 14))], "2024-08-14T03:00")
    ingest(store, [article(1, "Headline", body, date(2024, 8, 13))], "2024-08-21T03:00")
    mark(store, article(1, "Headline"))
    markdown = digest_markdown(store)
    assert "thaigov.go.th · 2024-08-13 · English · updated" in markdown
    assert "What changed:\n\n- Date: <del>2024-08-14</del> → <ins>2024-08-13</ins>\n" in markdown


THAI_BEFORE = (
    "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมร่วมประชุมกับญี่ปุ่น\n"
    "ที่ประชุมอนุมัติงบประมาณ 5,000 ล้านบาท สำหรับโครงการเมืองอัจฉริยะ\n"
    "ทั้งสองฝ่ายจะประชุมกันอีกครั้งในปีหน้า"
)
THAI_AFTER = (
    "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมร่วมประชุมกับญี่ปุ่น\n"
    "ที่ประชุมอนุมัติงบประมาณ 6,000 ล้านบาท สำหรับโครงการเมืองอัจฉริยะ\n"
    "ทั้งสองฝ่ายลงนามบันทึกความเข้าใจด้านปัญญาประดิษฐ์แล้ว"
)


def test_edited_thai_article_shows_the_changed_number_and_the_new_sentence(store):
    day = date(2024, 8, 14)
    ingest(store, [article(1, "ดีอี ประชุมญี่ปุ่น", THAI_BEFORE, day)], "2024-08-14T03:00")
    ingest(store, [article(1, "ดีอี ประชุมญี่ปุ่น", THAI_AFTER, day)], "2024-08-21T03:00")
    mark(store, article(1, "ดีอี ประชุมญี่ปุ่น"))
    markdown = digest_markdown(store)
    assert "- อนุมัติงบประมาณ <del>5,000</del> → <ins>6,000</ins> ล้านบาท\n" in markdown
    assert "- Removed: <del>ทั้งสองฝ่ายจะประชุมกันอีกครั้งในปีหน้า</del>" in markdown
    assert "- Added: <ins>ทั้งสองฝ่ายลงนามบันทึกความเข้าใจด้านปัญญาประดิษฐ์แล้ว</ins>" in markdown
    html = markdown_to_html(markdown)
    assert "<li>อนุมัติงบประมาณ <del>5,000</del> → <ins>6,000</ins> ล้านบาท</li>" in html
    assert "<ins>ทั้งสองฝ่ายลงนามบันทึกความเข้าใจด้านปัญญาประดิษฐ์แล้ว</ins>" in html


def test_a_changed_room_number_is_shown_between_the_words_around_it(store):
    day = date(2024, 8, 14)
    before = "นายกรัฐมนตรีเป็นประธานการประชุมที่ห้องรับรอง 1 ตึกบัญชาการ 1 ทำเนียบรัฐบาล"
    after = before.replace("ห้องรับรอง 1", "ห้องรับรอง 2")
    ingest(store, [article(1, "ประชุม ครม.", before, day)], "2024-08-14T03:00")
    ingest(store, [article(1, "ประชุม ครม.", after, day)], "2024-08-21T03:00")
    mark(store, article(1, "ประชุม ครม."))
    markdown = digest_markdown(store)
    assert "- ห้องรับรอง <del>1</del> → <ins>2</ins> ตึกบัญชาการ\n" in markdown
    html = markdown_to_html(markdown)
    assert "<li>ห้องรับรอง <del>1</del> → <ins>2</ins> ตึกบัญชาการ</li>" in html


def test_a_long_thai_sentence_edited_past_the_cut_is_shown_from_just_before_the_edit():
    # Cut at 300 characters, the removed and the added sentence would read the same, the
    # number (and the word put in after it) past the cut: both are shown from a word
    # (ต่างประเทศ, whole) shortly before their first difference.
    diff = diff_versions("T", ATTENDED_LONG, None, "T", ATTENDED_LONG_EDITED, None)
    assert render_changes(diff).split("\n") == [
        "- Removed: <del>…ต่างประเทศโดยมีผู้เข้าร่วมประชุมทั้งสิ้น 120 คนจากหน่วยงานต่างๆ</del>",
        "- Added: <ins>…ต่างประเทศโดยมีผู้เข้าร่วมประชุมทั้งสิ้น 150 คนจากหน่วยงานราชการต่างๆ</ins>",
    ]


def test_a_long_english_sentence_edited_past_the_cut_is_shown_from_just_before_the_edit():
    new = LONG_ENGLISH_SENTENCE.replace("room 2 of", "room new 3 of")
    shown = "…sets for the data of its citizens, in room {} of the Athenee Hotel."
    assert render_changes(Diff(removed=(LONG_ENGLISH_SENTENCE,), added=(new,))).split("\n") == [
        f"- Removed: <del>{shown.format('2')}</del>",
        f"- Added: <ins>{shown.format('new 3')}</ins>",
    ]


def test_a_long_sentence_edited_before_the_cut_is_shown_from_its_start_as_before():
    # The cut shows the difference (120, 150): each passage is shown from its start.
    old = f"ที่ประชุมมีผู้เข้าร่วมทั้งสิ้น 120 คน{LONG_THAI_OPENING}"
    new = f"ที่ประชุมมีผู้เข้าร่วมทั้งสิ้น 150 คน{LONG_THAI_OPENING}แล้ว"
    diff = diff_versions("T", old, None, "T", new, None)
    assert render_changes(diff).split("\n") == [
        "- Removed: <del>ที่ประชุมมีผู้เข้าร่วมทั้งสิ้น 120…</del>",
        "- Added: <ins>ที่ประชุมมีผู้เข้าร่วมทั้งสิ้น 150…</ins>",
    ]
    old = LONG_ENGLISH_SENTENCE.replace("The ministers", "The two ministers")
    new = LONG_ENGLISH_SENTENCE
    old_shown, new_shown = (text[: text.rindex(" ", 0, MAX_CHANGE_CHARS)] for text in (old, new))
    assert render_changes(Diff(removed=(old,), added=(new,))).split("\n") == [
        f"- Removed: <del>{old_shown}…</del>",  # whole words, and an ellipsis
        f"- Added: <ins>{new_shown}…</ins>",
    ]


# A Thai sentence of over 300 characters before a long token (no space in it).
LONG_THAI_PHRASES = "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมจัดประชุมร่วมกับหน่วยงานต่างๆ " * 5
# A web address that the Thai word cutter reads as one word from its ``://`` on: 268 characters.
LONG_WEB_ADDRESS = (
    "https://www.thaigov.go.th/news/contents/details/" + "%E0%B8%81%E0%B8%B2%E0%B8%A3" * 8
)


def test_an_edit_deep_in_a_long_web_address_past_the_cut_is_shown_where_it_differs():
    # The word the edit is in starts more than 100 characters before it: the two lines are
    # shown from 40 characters before the difference, within the address.
    old = f"{LONG_THAI_PHRASES}ดูรายละเอียดได้ที่ {LONG_WEB_ADDRESS}-news-abc แล้วกล่าวว่า"
    new = old.replace("-news-abc", "-news-abd")
    shown = "…B8%A3%E0%B8%81%E0%B8%B2%E0%B8%A3-news-ab{} แล้วกล่าวว่า"
    assert render_changes(Diff(removed=(old,), added=(new,))).split("\n") == [
        f"- Removed: <del>{shown.format('c')}</del>",
        f"- Added: <ins>{shown.format('d')}</ins>",
    ]


def test_an_edit_near_the_start_of_a_long_web_address_after_a_space_is_shown_where_it_differs():
    # Shown from a Thai word before the space: cut at that space, or between the words the
    # Thai word cutter finds (``https``, then the rest of the address as one), the two lines
    # would end before the address's path, and read alike.
    old = f"{LONG_THAI_PHRASES}ดูรายละเอียดได้ที่ {LONG_WEB_ADDRESS * 2}"
    new = old.replace("/news/", "/newz/", 1)
    removed, added = render_changes(Diff(removed=(old,), added=(new,))).split("\n")
    opening = "รายละเอียดได้ที่ https\\://www\\.thaigov.go.th/new"
    assert removed.startswith(f"- Removed: <del>…{opening}s/contents/")
    assert added.startswith(f"- Added: <ins>…{opening}z/contents/")


@pytest.mark.parametrize("after", ["", " แล้วกล่าวว่า"])
def test_an_edit_deep_in_a_long_latin_token_past_the_cut_is_shown_where_it_differs(after):
    old = f"{LONG_THAI_PHRASES}ref {'A' * 200}X{'B' * 30}{after}"
    new = old.replace("X", "Y")
    assert render_changes(Diff(removed=(old,), added=(new,))).split("\n") == [
        f"- Removed: <del>…{'A' * 40}X{'B' * 30}{after}</del>",
        f"- Added: <ins>…{'A' * 40}Y{'B' * 30}{after}</ins>",
    ]


def test_a_passage_opening_with_a_web_address_longer_than_the_cut_shows_the_address():
    # Cut within the address, as any token of Latin letters (the Thai word cutter would cut
    # it at its ``:``, showing ``https…``).
    address = LONG_WEB_ADDRESS + "%E0%B8%81" * 20
    diff = diff_versions(
        "T", "ข่าวประชาสัมพันธ์", None, "T", f"ข่าวประชาสัมพันธ์\n{address} ดูรายละเอียดเพิ่มเติม", None
    )
    shown = address[: MAX_CHANGE_CHARS - 1].replace(":", "\\:").replace(".", "\\.", 1)
    assert render_changes(diff).split("\n") == [
        "- Unchanged text before it: ข่าวประชาสัมพันธ์",
        f"- Added: <ins>{shown}…</ins>",
    ]


def test_a_change_is_shown_after_the_unchanged_text_it_follows_once():
    diff = Diff(
        removed=("It was approved.",),
        added=("It was approved by the cabinet.", "A report will follow."),
        removed_after=("The budget is 300 million baht.",),
        added_after=("The budget is 300 million baht.", "The next meeting is in May."),
    )
    assert render_changes(diff).split("\n") == [
        "- Unchanged text before it: The budget is 300 million baht.",
        "- Removed: <del>It was approved.</del>",
        "- Added: <ins>It was approved by the cabinet.</ins>",
        "- Unchanged text before it: The next meeting is in May.",
        "- Added: <ins>A report will follow.</ins>",
    ]


def test_a_change_after_another_has_no_unchanged_text_before_it():
    diff = Diff(added=("First.", "Second."), added_after=("Opening.", ""))
    assert render_changes(diff).split("\n") == [
        "- Unchanged text before it: Opening.",
        "- Added: <ins>First.</ins>",
        "- Added: <ins>Second.</ins>",
    ]


def test_a_change_after_text_whose_end_shows_nothing_has_no_unchanged_text_before_it():
    diff = Diff(added=("Added.",), added_after=("ก" + "\u0e31" * 100,))
    assert render_changes(diff).split("\n") == ["- Added: <ins>Added.</ins>"]


def test_the_unchanged_text_before_a_change_is_text_not_markup():
    followed = '1. <b>bold</b> *x* [link](https://example.org) & <script>alert("x")</script>'
    diff = Diff(added=("Added.",), added_after=(followed,))
    html = markdown_to_html(render_changes(diff))
    assert html == (
        "<ul>\n<li>Unchanged text before it: 1. &lt;b&gt;bold&lt;/b&gt; *x* [link](https://example.org)"
        " &amp; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</li>\n"
        "<li>Added: <ins>Added.</ins></li>\n</ul>\n"
    )


def test_the_unchanged_text_before_a_change_is_its_last_words_and_no_change_counted():
    followed = (
        "The Ministry of Digital Economy and Society said the budget for the fiscal year "
        "2025 is 300 million baht, which the cabinet approved on Tuesday."
    )
    added = tuple(f"Sentence {n}." for n in range(MAX_CHANGE_LINES + 1))
    diff = Diff(added=added, added_after=(followed,) + ("",) * MAX_CHANGE_LINES)
    lines = render_changes(diff).split("\n")
    assert lines[0] == (
        "- Unchanged text before it: …fiscal year 2025 is 300 million baht, which the "
        "cabinet approved on Tuesday."
    )
    assert lines[1:] == [
        *(f"- Added: <ins>Sentence {n}.</ins>" for n in range(MAX_CHANGE_LINES)),
        "- … and 1 more change not shown",
    ]


def test_a_moved_passage_is_said_to_have_moved_by_its_first_words_after_its_new_place():
    diff = Diff(
        added=("A report will follow.",),
        moved=(
            "The Ministry of Digital Economy and Society said the budget for the fiscal year "
            "2025 is 300 million baht.",
        ),
        added_after=("Opening.",),
        moved_after=("The next meeting is in May.",),
    )
    assert render_changes(diff).split("\n") == [
        "- Unchanged text before it: Opening.",
        "- Added: <ins>A report will follow.</ins>",
        "- Unchanged text before it: The next meeting is in May.",
        "- Moved unchanged: The Ministry of Digital Economy and Society said the budget for the"
        " fiscal year…",
    ]
    assert render_changes(diff, with_context=False).split("\n") == [
        "- Added: <ins>A report will follow.</ins>",
        "- Moved unchanged: The Ministry of Digital Economy and Society said the budget for the"
        " fiscal year…",
    ]


def test_a_passage_moved_and_edited_is_shown_before_and_after_ahead_of_those_only_moved():
    diff = Diff(
        added=("A report will follow.",),
        moved=("The next meeting is in May.",),
        moved_edited=(
            (
                "A joint working group will report by December.",
                "A joint working group will report by November.",
            ),
        ),
        added_after=("Opening.",),
        moved_edited_after=("Both sides agreed to meet again next year.",),
    )
    assert render_changes(diff).split("\n") == [
        "- Unchanged text before it: Opening.",
        "- Added: <ins>A report will follow.</ins>",
        "- Unchanged text before it: Both sides agreed to meet again next year.",
        "- Moved and changed: <del>A joint working group will report by December.</del> → "
        "<ins>A joint working group will report by November.</ins>",
        "- Moved unchanged: The next meeting is in May.",
    ]


def test_a_long_passage_moved_and_edited_past_the_cut_is_shown_from_before_the_edit():
    opening = "word " * 70  # 350 characters alike: shown from a word 40 or more before the edit
    diff = Diff(
        moved_edited=((f"{opening}then it was approved.", f"{opening}then it was rejected."),)
    )
    assert render_changes(diff) == (
        "- Moved and changed: <del>…word word word word word word then it was "
        "approved.</del> → <ins>…word word word word word word then it was "
        "rejected.</ins>"
    )


def test_a_moved_passage_is_text_not_markup_and_counts_as_a_change_listed_last():
    moved = ('<b>bold</b> *x* & <script>alert("x")</script>',)
    added = tuple(f"Sentence {n}." for n in range(MAX_CHANGE_LINES - 1))
    html = markdown_to_html(render_changes(Diff(moved=moved)))
    assert html == (
        "<ul>\n<li>Moved unchanged: &lt;b&gt;bold&lt;/b&gt; *x* &amp; "
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</li>\n</ul>\n"
    )
    lines = render_changes(Diff(added=added, moved=("First moved.", "Second moved."))).split("\n")
    assert lines[-3:] == [
        f"- Added: <ins>Sentence {MAX_CHANGE_LINES - 2}.</ins>",
        "- Moved unchanged: First moved.",
        "- … and 1 more change not shown",
    ]


def test_a_removed_passage_is_shown_against_the_added_one_sharing_the_longest_start():
    # Both added passages open with the removed one's first 300 characters and more: it is
    # shown against the one edited later (a word put in near its end), not the first.
    opening = LONG_THAI_OPENING + "โดยมีผู้เข้าร่วม"
    removed = f"{opening}จากหน่วยงานต่างๆ"
    added = (f"{opening}ในเดือนธันวาคมที่ผ่านมา", f"{opening}จากหน่วยงานราชการต่างๆ")
    lines = render_changes(Diff(removed=(removed,), added=added)).split("\n")
    assert lines[0].startswith("- Removed: <del>…") and lines[0].endswith("จากหน่วยงานต่างๆ</del>")
    assert lines[1].startswith(f"- Added: <ins>{opening[:40]}") and lines[1].endswith("…</ins>")
    assert lines[2].startswith("- Added: <ins>…") and lines[2].endswith(
        "จากหน่วยงานราชการต่างๆ</ins>"
    )


ENGLISH_WORDS = ("ministers", "met", "in", "room", "of", "the", "hotel", "digital", "data")


@st.composite
def long_sentence_edits(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """A long sentence (Thai words run together, Thai phrases of four words between spaces,
    or English) and that sentence with a word put in, changed or cut past where it is cut
    for display; with the text around the edit in each: the word before it and the word
    there (the word put in or changed, or the one after the word cut)."""
    kind = draw(st.sampled_from(["thai", "thai-phrases", "thai-long-phrases", "english"]))
    vocabulary = ENGLISH_WORDS if kind == "english" else THAI_WORDS
    drawn = draw(st.lists(st.sampled_from(vocabulary), min_size=70, max_size=90))
    # Each word with what follows it: a space between English words and Thai phrases (of
    # four words, or of forty, longer than a passage is shown).
    phrase = {"english": 1, "thai": len(drawn), "thai-phrases": 4, "thai-long-phrases": 40}[kind]
    words = [
        (word, " " if place % phrase == phrase - 1 else "") for place, word in enumerate(drawn)
    ]
    past_the_cut = [
        place
        for place in range(1, len(words) - 1)
        if sum(len(word + after) for word, after in words[:place]) > MAX_CHANGE_CHARS
    ]
    place = draw(st.sampled_from(past_the_cut))
    edit = draw(st.sampled_from(["put-in", "changed", "cut"]))
    other = draw(st.sampled_from([word for word in vocabulary if word != words[place][0]]))
    if edit == "cut":
        assume(words[place + 1][0] != words[place][0])
    edited = {
        "put-in": [
            *words[:place],
            (other, " " if kind == "english" else ""),
            *words[place:],
        ],
        "changed": [*words[:place], (other, words[place][1]), *words[place + 1 :]],
        "cut": [*words[:place], *words[place + 1 :]],
    }[edit]

    def around(words: list[tuple[str, str]]) -> str:
        (before, between), (there, _) = words[place - 1 : place + 1]
        return before + between + there

    def text(words: list[tuple[str, str]]) -> str:
        return "".join(word + after for word, after in words).strip()

    return text(words), text(edited), around(words), around(edited)


# What the Thai word cutter reads as one word however long: Latin letters and hyphens, and a
# web address from its ``://`` to the next space (what follows it drawn from these).
LATIN_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-"
ADDRESS_CHARACTERS = f"{LATIN_CHARACTERS}0123456789%_/.?=&"


@st.composite
def long_token_edits(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """A Thai sentence holding a web address or a Latin token with no space in it, longer
    than the Thai word cutter reads on either side of a place (hundreds of characters), and
    that sentence with a character put in, changed or cut in the token past where it is
    cut for display; with the text around the edit in each (the ten characters before it
    and the character there)."""
    words = draw(st.lists(st.sampled_from(THAI_WORDS), min_size=5, max_size=40))
    before = "".join(words) + draw(st.sampled_from(["", " "]))
    opening, characters = draw(
        st.sampled_from(
            [("", LATIN_CHARACTERS), ("https://www.thaigov.go.th/", ADDRESS_CHARACTERS)]
        )
    )
    token = opening + draw(st.text(characters, min_size=150, max_size=400))
    after = draw(st.sampled_from(["", " "])) + "".join(draw(st.lists(st.sampled_from(THAI_WORDS))))
    lowest = max(10, MAX_CHANGE_CHARS + 1 - len(before))
    assume(lowest < len(token) - 1)
    at = draw(st.integers(lowest, len(token) - 2))
    edit = draw(st.sampled_from(["put-in", "changed", "cut"]))
    other = draw(st.sampled_from([c for c in characters if c != token[at]]))
    if edit == "cut":
        assume(token[at + 1] != token[at])
    edited = {
        "put-in": token[:at] + other + token[at:],
        "changed": token[:at] + other + token[at + 1 :],
        "cut": token[:at] + token[at + 1 :],
    }[edit]
    old, new = (f"{before}{text}{after}".strip() for text in (token, edited))
    return old, new, token[at - 10 : at + 1], edited[at - 10 : at + 1]


@settings(max_examples=120, deadline=None)
@given(st.one_of(long_sentence_edits(), long_token_edits()))
def test_a_long_sentence_edited_past_the_cut_is_shown_where_it_differs(edit):
    old, new, old_around, new_around = edit
    # As a reader sees them: no Markdown escape (a web address's ``.`` and ``:`` have one).
    shown_lines = render_changes(Diff(removed=(old,), added=(new,)))
    lines = re.sub(r"\\(.)", r"\1", shown_lines).split("\n")
    removed = lines[0].removeprefix("- Removed: <del>").removesuffix("</del>")
    added = lines[1].removeprefix("- Added: <ins>").removesuffix("</ins>")
    assert removed != added
    assert old_around in removed and new_around in added, (removed, added)
    for shown, text in ((removed, old), (added, new)):
        assert len(shown) <= MAX_CHANGE_CHARS and shown.startswith("…")
        kept = shown.removeprefix("…").removesuffix("…")
        start = text.index(kept)
        # Cut between words: no vowel or tone mark torn from its consonant.
        for at in (start, start + len(kept)):
            assert at == len(text) or not unicodedata.category(text[at]).startswith("M")


def test_a_number_changed_in_a_short_edited_sentence_is_shown_in_it_not_listed_again():
    old = ATTENDED_LONG.removeprefix(LONG_THAI_OPENING)
    new = ATTENDED_LONG_EDITED.removeprefix(LONG_THAI_OPENING)
    diff = diff_versions("T", old, None, "T", new, None)
    assert render_changes(diff).split("\n") == [
        f"- Removed: <del>{old}</del>",
        f"- Added: <ins>{new}</ins>",
    ]


def test_a_changed_headline_is_shown_in_full_and_long_diffs_are_cut_with_a_count(store):
    day = date(2024, 8, 14)
    old_body = "\n".join(f"Paragraph {word} stays as it was." for word in "abcdefghijkl")
    new_body = "\n".join(f"Paragraph {word} was rewritten today." for word in "abcdefghijkl")
    ingest(store, [article(1, "Old headline", old_body, day)], "2024-08-14T03:00")
    ingest(store, [article(1, "New, longer headline", new_body, day)], "2024-08-21T03:00")
    mark(store, article(1, "Old headline"))
    markdown = digest_markdown(store)
    assert "- Headline: <del>Old headline</del> → <ins>New, longer headline</ins>" in markdown
    listed = re.findall(r"^- (?:Removed|Added): ", markdown, re.MULTILINE)
    assert len(listed) == MAX_CHANGE_LINES
    assert "- … and 16 more changes not shown" in markdown  # 24 changed sentences in all


def test_an_enormous_edit_says_it_was_compared_paragraph_by_paragraph_in_a_few_lines():
    old_body = thai_body(range(40), 4000)
    diff = diff_versions("T", old_body, None, "T", thai_body(range(1, 41), 4000), None)
    lines = render_changes(diff).split("\n")
    assert lines[0] == "- Too long to align sentence by sentence: 40 paragraphs removed, 40 added"
    assert len(lines) == 1 + MAX_CHANGE_LINES + 1
    assert all(len(line) < MAX_CHANGE_CHARS + 40 for line in lines)
    assert lines[1].startswith("- Removed: <del>การประชุมครั้งที่ 0 ")
    assert lines[-1] == "- … and 72 more changes not shown"


def test_thousands_of_long_paragraphs_changed_are_each_shown_from_their_own_start():
    # Each removed paragraph is looked for among the added ones that share its shown start
    # (4,000 of each: 0.3 s, against 7 s comparing each with each; a speed, not tested here).
    removed = [f"Paragraph {number} " + "word " * 80 for number in range(4000)]
    added = [f"Paragraph {number} changed " + "word " * 80 for number in range(4000)]
    lines = render_changes(Diff(removed=tuple(removed), added=tuple(added))).split("\n")
    assert lines[0] == f"- Removed: <del>{removed[0][: removed[0].rindex(' ', 0, 300)]}…</del>"


def test_the_plain_text_shows_changes_and_hostile_text_as_written_without_markup(store):
    day = date(2024, 8, 14)
    ingest(store, [article(1, "Old headline", "Budget 5 baht.", day)], "2024-08-14T03:00")
    ingest(store, [article(1, HOSTILE_TITLE, "Budget 6 baht.", day)], "2024-08-21T03:00")
    mark(store, article(1, "Old headline"))
    text = markdown_to_text(digest_markdown(store))
    shown_title = " ".join(HOSTILE_TITLE.replace("\x0b", " ").split())
    assert f"### {shown_title} <{link_of(article(1, ''))}>\n" in text
    assert f"- Headline: Old headline → {shown_title}\n" in text
    assert "- Budget 5 → 6 baht\n" in text
    assert "<del>" not in text and "<ins>" not in text and "\\" not in text


def test_the_plain_text_keeps_other_copies_addresses_in_angle_brackets():
    urls = ["https://www.mdes.go.th/news/detail/1", "https://a.example/x?b=1&c=2"]
    also_on = "Also on: " + ", ".join(map(markdown.autolink, urls))
    assert markdown_to_text(also_on) == f"Also on: <{urls[0]}>, <{urls[1]}>\n"


def test_only_del_and_ins_pass_as_raw_html():
    html = markdown_to_html("a <del>x</del> <ins>y</ins> <b>z</b> <!-- c -->\n\n<div>d</div>\n")
    assert "<del>x</del>" in html and "<ins>y</ins>" in html
    assert "<b>" not in html and "<div>" not in html and "<!--" not in html
    assert "&lt;b&gt;z&lt;/b&gt;" in html and "&lt;div&gt;d&lt;/div&gt;" in html


def test_same_store_and_week_give_identical_markdown(store):
    raws = [article(n, f"Article {n}", published=date(2024, 8, 20)) for n in range(5)]
    ingest(store, raws, "2024-08-20T03:00")
    for raw in raws:
        mark(store, raw, relevance=0.5, topics=["ai"])
    assert digest_markdown(store) == digest_markdown(store)


def test_empty_week_says_so(store):
    assert "No relevant items this week." in digest_markdown(store)


def test_english_lede_keeps_three_sentences():
    assert lede("One. Two? Three!\nFour.", "en") == "One. Two? Three!"


SIGNING = (
    "The signing was witnessed by Mr. Prasert Jantararuangtong, Minister of Digital Economy and"
    " Society. Dr. Kenji Tanaka of the Japanese delegation said the MoU covers AI and"
    " cybersecurity. Both sides agreed to meet again in 2025."
)
# An English body, and its lede: three sentences, none cut at a title, an abbreviation or
# initials, nor within a quotation.
ENGLISH_LEDES = {
    "honorifics": (SIGNING + "\nA fourth sentence.", SIGNING),
    "titles-and-initials": (
        "H.E. Prof. Somchai met Mrs. Lee of the U.S. delegation. Ms. Tan of the U.K. joined."
        " J. K. Smith spoke on Thailand 4.0, Rev. 2 of the plan, e.g. AI, i.e. cloud, etc. in"
        " May. Both sides agreed to meet again.",
        "H.E. Prof. Somchai met Mrs. Lee of the U.S. delegation. Ms. Tan of the U.K. joined."
        " J. K. Smith spoke on Thailand 4.0, Rev. 2 of the plan, e.g. AI, i.e. cloud, etc. in"
        " May.",
    ),
    "sentence-final-abbreviations": (
        "It covers flights, hotels, etc. It honoured King Rama X. It began at 9.00 a.m. The"
        " Prime Minister chaired it.",
        "It covers flights, hotels, etc. It honoured King Rama X. It began at 9.00 a.m.",
    ),
    "quotations": (
        'The theme is “Open. Connect. Balance.” He said "We are ready to sign. We will go on'
        ' Monday." Talks began.',
        'The theme is “Open. Connect. Balance.” He said "We are ready to sign. We will go on'
        ' Monday."',
    ),
}


@pytest.mark.parametrize(("body", "expected"), ENGLISH_LEDES.values(), ids=ENGLISH_LEDES.keys())
def test_english_lede_keeps_whole_sentences_past_titles_and_quotations(body, expected):
    assert lede(body, "en") == expected


def test_a_lede_keeps_the_first_sentences_of_a_long_quotation():
    body = "The minister said: “" + "We will connect every village. " * 12 + "” Talks go on."
    assert lede(body, "en") == "The minister said: “" + " ".join(
        ["We will connect every village."] * 3
    )


def test_the_lede_of_seed_000_keeps_its_theme_whole(store):
    raw = read_text_file(seed_path("000"))
    ingest(store, [raw], "2024-08-23T10:00")
    mark(store, raw)
    opening = (
        "The APEC Second Senior Officials’ Meeting (SOM2) and related meetings continue"
        " discussions key to advancing Thailand’s APEC host year priorities under the theme"
        " “Open. Connect. Balance.”"
    )  # the lede: the next sentence would take it past 300 characters
    assert f"\n\n{opening}\n" in digest_markdown(store)


def test_long_english_sentence_is_cut_between_words_with_an_ellipsis():
    body = "word " * 200
    cut = lede(body, "en")
    assert cut.endswith("…") and len(cut) <= 300
    assert body.startswith(cut[:-1]) and body[len(cut) - 1] == " "


def test_a_lede_opening_with_a_web_address_longer_than_it_shows_the_address():
    address = "https://example.org/" + "a-b" * 120
    assert lede(f"{address} was published today. Second sentence.", "en") == address[:299] + "…"


def test_thai_lede_is_cut_at_a_phrase_boundary():
    phrases = [f"วลีที่{n}ของข่าวความร่วมมือ" for n in range(40)]
    body = " ".join(phrases)
    cut = lede(body, "th")
    assert cut.endswith("…") and len(cut) <= 300
    assert cut[:-1].split(" ") == phrases[: len(cut[:-1].split(" "))]


def test_lede_of_a_huge_unspaced_thai_line_tokenises_only_a_bounded_prefix(monkeypatch):
    seen = []

    def recording(text, **options):
        seen.append(len(text))
        return word_tokenize(text, **options)

    monkeypatch.setattr(tokenize, "word_tokenize", recording)  # imported by cut_words when used
    body = "ความร่วมมือด้านเศรษฐกิจดิจิทัล" * 60_000  # 1.8 million characters, no space
    cut = lede(body, "th")
    assert seen and max(seen) <= markdown.LEDE_MAX_CHARS + clean.TOKENISE_MARGIN
    assert cut.endswith("…") and len(cut) <= markdown.LEDE_MAX_CHARS
    assert body.startswith(cut[:-1])
    assert cut == lede(body[:1000], "th")  # the same words as from its opening alone


def test_thai_paragraph_ends_count_as_sentence_ends():
    body = "ย่อหน้าหนึ่ง\nย่อหน้าสอง\nย่อหน้าสาม\nย่อหน้าสี่"
    assert lede(body, "th") == "ย่อหน้าหนึ่ง ย่อหน้าสอง ย่อหน้าสาม"


def test_thai_text_without_spaces_is_cut_between_words():
    body = "ความร่วมมือดิจิทัล" * 40
    cut = lede(body, "th")
    assert cut.endswith("…") and len(cut) <= 300
    assert body.startswith(cut[:-1]) and cut[:-1].endswith(("ความร่วมมือ", "ดิจิทัล"))


# 292 Thai characters without a space: the lede's limit (299) falls 7 characters on.
THAI_OPENING = "ความร่วมมือดิจิทัล" * 16 + "ช่วง"
# A number or Latin word within a Thai phrase, the limit in it: cut between Thai words.
WORDS_IN_THAI = {
    "number": ("โควิด-19ระบาด" * 3, "โควิด-…"),
    "latin-word": ("(Financial)เทคโนโลยี" * 3, "…"),
}


@pytest.mark.parametrize(("rest", "cut_after"), WORDS_IN_THAI.values(), ids=WORDS_IN_THAI.keys())
def test_a_number_or_latin_word_in_a_thai_phrase_is_not_cut_within(rest, cut_after):
    body = THAI_OPENING + rest
    assert lede(body, "th") == THAI_OPENING + cut_after
    assert shown_changes([body], [])[0][0].line == THAI_OPENING + cut_after


THAI_FLAG = "\U0001f1f9\U0001f1ed"  # one flag of two regional indicators


@pytest.mark.parametrize("letter", ["a" + THAI_FLAG, "ab\u0301"], ids=["flag", "accent"])
def test_a_run_without_thai_cut_at_the_limit_keeps_its_letters_whole(letter):
    # Three characters a repeat: the limit (299) falls within the last letter kept.
    assert lede(letter * 150, "th") == letter * 99 + "a…"


@pytest.mark.parametrize("letter", ["1\ufe0f\u20e3", "b\u0301"], ids=["keycap", "accent"])
def test_a_thai_phrase_cut_between_words_keeps_a_letter_with_its_marks(letter):
    # The Thai word cutter parts a keycap or a letter from its combining marks.
    phrase = ("ความร่วมมือดิจิทัล" * 17)[:290]
    kept = lede(phrase + letter * 8 + "ไทย", "th").removesuffix("…")
    assert kept.startswith(phrase)
    assert kept[len(phrase) :] in {letter * count for count in range(4)}


@pytest.mark.parametrize(
    ("week", "text"),
    [
        ("2024-W34", "19–25 August 2024"),
        ("2024-W35", "26 August – 1 September 2024"),
        ("2025-W01", "30 December 2024 – 5 January 2025"),
    ],
)
def test_week_range_reads_naturally(week, text):
    assert week_range(Week.parse(week)) == text


def linked_host(href: str) -> str:
    """The site a link goes to, as a reader reads it (``mdes.go.th``)."""
    return urlsplit(href).hostname.removeprefix("www.")


def test_a_file_import_linked_to_its_web_copy_is_labelled_by_that_copys_site(store):
    raw, mdes = file_import_and_its_mdes_copy()
    thaigov = article(1, "Thaigov copy", "x.")
    ingest(store, [raw, mdes, thaigov], "2024-08-23T10:00")
    mark(store, raw, topics=["mou"])
    mark(store, mdes, duplicate_of=raw)
    mark(store, thaigov, duplicate_of=raw)
    markdown = digest_markdown(store)
    own = re.findall(r'<h3><a href="([^"]*)"', markdown_to_html(markdown))
    assert len(own) == 1
    site = linked_host(own[0])
    assert site in ("mdes.go.th", "thaigov.go.th")
    assert f"\n{site} · 2024-08-21 · English" in markdown
    assert f"1 item from {site} (1);" in markdown
    assert "file" not in markdown


def crawled_health(source: str, **crawls: int) -> SiteHealth:
    """A site crawled in 2024-W34 whose runs ended as ``crawls`` (outcome: count)."""
    return SiteHealth(
        source=source,
        crawls=crawls,
        reasons=(),
        found=0,
        median_found=None,
        fallback=0,
        undated=0,
        last_new=None,
        quiet_days=None,
        warning=None,
        known_since="2024-08-01T00:00:00Z",
        crawled=True,
    )


def test_a_readers_sentence_names_only_the_sites_unread_for_the_whole_week():
    """One failed crawl among those that read a site, or a run blocked by one link
    robots.txt forbids, is no news to a reader: only a site not read at all is said."""
    health = [
        crawled_health("thaigov", blocked=2),
        crawled_health("mdes", ok=3, failed=1),
    ]
    assert coverage_line(health) == (
        "thaigov.go.th could not be read this week (blocked), so its news may be missing."
    )
    both = [crawled_health("thaigov", blocked=2), crawled_health("mdes", failed=1)]
    assert coverage_line(both) == (
        "thaigov.go.th (blocked) and mdes.go.th (failed) could not be read this week, "
        "so their news may be missing."
    )
    fetched = replace(crawled_health("mdes", blocked=1), fetched=4)  # one link forbidden
    assert coverage_line([crawled_health("thaigov", ok=2), fetched]) is None
