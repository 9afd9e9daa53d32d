"""Relevance: the model on seeds and real corpus articles, rule signals, always/never, explain."""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.markdown import topic_name
from thaidigest.classifier import BLOCKS, OPENING_CHARS, Contribution, load_model
from thaidigest.matching import Automaton, single_spaced
from thaidigest.normalise import normalise_article
from thaidigest.partners import Found, found_partners, partner_table
from thaidigest.readers import read_jsonl_file, read_text_file
from thaidigest.relevance import (
    _LOWER_TO_ASCII,
    MOVED_LITTLE,
    PARTNER_SIGNALS,
    ROLE_SIGNALS,
    SIGNAL_WORDS,
    USER_TERMS_MAX,
    Match,
    _ascii_found,
    _english_found,
    _key,
    _split_lead,
    _trie_pattern,
    explain,
    load_rules,
    model_inputs,
    partner_signals,
    reasons,
    role_signals,
    rules_from_text,
    score,
    score_each,
    shown_feature,
    signal_words,
    signals,
    topic_stem,
    topic_stems,
)
from thaidigest.training import signal_names

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
ARTICLES = DATA / "relevance_articles.jsonl"

RULES = load_rules()

# Seed headlines copied from the files; topics read off the text by hand.
SEED_CASES = [
    (
        "000",
        "APEC SOM2 Discusses Harnessing Future Digital Manpower and Unlocking the Future of "
        "Digital Society and Economy",
        {"apec", "telecom-5g", "cybersecurity", "digital-skills"},
        {"asean", "mou"},
    ),
    (
        "001",
        "ดีอี ร่วมประชุม APEC 2024 ย้ำความสำคัญของเศรษฐกิจดิจิทัล",
        {"apec", "ai", "digital-id-data", "e-commerce"},
        {"asean", "mou", "smart-city"},
    ),
    (
        "002",
        "ประเทศไทย โดยกระทรวงดิจิทัลฯ เป็นเจ้าภาพจัดการประชุมคณะทำงานร่วมอาเซียนด้านดิจิทัล "
        "ภายใต้ ADGSOM และ ATRC ประจำปี ๒๕๖๕",
        {"asean"},
        {"apec"},
    ),
    (
        "003",
        "Thailand Boosts Digital Collaboration",
        {"bilateral", "mou", "smart-city", "telecom-5g", "cybersecurity", "digital-id-data"},
        {"apec"},
    ),
    (
        "004",
        "ดีอีใช้เวที “ASEAN Digital Ministers’ Retreat” หารือ 5 ความท้าทาย ดันอาเซียนสู่เศรษฐกิจดิจิทัล",
        {"asean", "smart-city", "cybersecurity"},
        {"apec", "mou"},
    ),
]

# Corpus articles copied into tests/data, labelled by reading them.
RELEVANT_IDS = [
    38528,  # first ASEAN digital ministers' meeting
    57695,  # MoC with Japan on ICT
    85110,  # ministry MoU with the House secretariat on the government cloud
    87996,  # APEC TELWG 69
]
NOT_RELEVANT_IDS = [
    52492,  # weekly fake-news summary
    58479,  # APEC food-security ministers: cooperation, not digital
    74583,  # digital-wallet handout Q&A
    74790,  # APEC CEO summit speech mentioning AI in passing
    pytest.param(
        77081,  # the digital ministry signs a stroke-care MoU
        marks=pytest.mark.xfail(reason="a known miss of the model (0.98): health, not digital"),
    ),
    90882,  # English cabinet synopsis
    92959,  # online scam warning
    pytest.param(
        93349,  # fake-news statistics that mention an MoU
        marks=pytest.mark.xfail(reason="a known miss of the model (0.98); see the never-term test"),
    ),
]


def seed_article(prefix: str, headline: str) -> tuple[str, str]:
    """The headline and the text after its first occurrence in the seed file."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    text = path.read_text(encoding="utf-8")
    assert headline in text
    return headline, text.split(headline, 1)[1]


def corpus_articles(path: Path = ARTICLES) -> dict[int, tuple[str, str, str]]:
    """The fixture articles of ``path`` as ``{id: (title, body, language)}``, normalised as an
    import does."""
    articles = {}
    for raw in read_jsonl_file(path):
        article = normalise_article(raw)
        articles[int(raw.source_id)] = (article.title, article.body, article.language)
    return articles


ARTICLES_BY_ID = corpus_articles()


@pytest.mark.parametrize(("prefix", "headline", "present", "absent"), SEED_CASES)
def test_every_seed_is_relevant_with_its_topics(
    prefix: str, headline: str, present: set[str], absent: set[str]
) -> None:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    article = normalise_article(read_text_file(path))
    assert article.title == headline
    result = score(article.title, article.body, RULES, language=article.language)
    assert result.relevant
    assert present <= set(result.topics)
    assert not absent & set(result.topics)


@pytest.mark.parametrize(
    "title",
    [
        # 89901, GDS's data centre: "a digital economy hub in the ASEAN region"
        "นายกฯ แพทองธาร หารือบริษัท GDS International พร้อมลงทุน Data Center"
        " หนุนไทยสู่ฮับเศรษฐกิจดิจิทัลในภูมิภาคอาเซียน",
        # 90286, ABAC: "help MSMEs in ASEAN", APEC's business council
        "โดดเด่นบนเวทีนักธุรกิจเอเปค..นายกฯ ย้ำสนับสนุนการเปลี่ยนผ่านสู่เศรษฐกิจดิจิทัล"
        "เพื่อช่วยเหลือกลุ่ม MSMEs ในอาเซียนกลางวงสภาที่ปรึกษาธุรกิจของเอเปค",
        # 90001, 89984: Thailand Space Week, "for Thailand and the ASEAN region"
        "รองนายกฯประเสริฐ เปิดงาน Thailand Space Week 2024 สร้างโอกาสทางธุรกิจ"
        "และการใช้ประโยชน์ให้กับไทยและภูมิภาคอาเซียน",
        # 89799, 89764: BOI's data-centre approvals, demand "growing fast in the ASEAN region"
        "บีโอไอเคาะลงทุน Data Center ทั้งจากผู้บริโภคและภาคธุรกิจที่เติบโตอย่างรวดเร็วในภูมิภาคอาเซียน",
        "ดีอี ผนึกกำลัง Huawei ตั้งเป้าไทยศูนย์กลาง Cloud-AI อาเซียน",
        "Thailand to become the ASEAN Digital Hub for data centres",
        "Data centre investment grows across the ASEAN region",
    ],
)
def test_asean_named_as_a_region_or_a_hub_is_no_asean_topic_nor_cooperation(title: str) -> None:
    found = signals(title, "", RULES)
    assert "asean" not in found.topics
    # Nor is it cooperation's evidence: the name counts for no group.
    assert not [match for match in found.matches if match.term in ("อาเซียน", "ASEAN")]


def test_asean_named_as_the_forum_keeps_its_topic() -> None:
    for title in (
        "ดีอี จับมือ คมนาคม ร่วมประชุม The 6th ASEAN-Japan Smart Cities Network High Level Meeting",
        "ดีอี จัดตั้งศูนย์กลางข้อมูลระดับภูมิภาค ร่วมกับอาเซียน",
        "ไทยเป็นเจ้าภาพการประชุมรัฐมนตรีดิจิทัลอาเซียน",
    ):
        assert "asean" in signals(title, "", RULES).topics, title
    # The ABAC story of 90286 is APEC's, not ASEAN's.
    abac = "นายกฯ ย้ำสนับสนุน MSMEs ในอาเซียนกลางวงสภาที่ปรึกษาธุรกิจของเอเปค (ABAC)"
    assert {"apec"} <= set(signals(abac, "", RULES).topics)
    assert "asean" not in signals(abac, "", RULES).topics


def test_a_data_centre_or_cross_border_payments_are_no_data_topic() -> None:
    # 89901: GDSI plans a large data centre; 90286: APEC's cross-border digital payments.
    centre = signals(
        "บริษัท GDSI ซึ่งจะมีแผนการก่อสร้างศูนย์ข้อมูลขนาดใหญ่ (Hyperscale Data Center)", "", RULES
    )
    assert "digital-id-data" not in centre.topics
    assert (
        centre.strengths["digital@title"]
        == signals("ข้อมูลขนาดใหญ่", "", RULES).strengths["digital@title"]
    )  # still digital, as strongly as before
    payments = "สนับสนุนให้เอเปค พิจารณาโครงการชำระเงินดิจิทัลข้ามพรมแดนต่อไป"
    assert "digital-id-data" not in signals(payments, "", RULES).topics


def test_big_data_and_cross_border_data_make_the_data_topic() -> None:
    for title in (
        "ดีอี ใช้ข้อมูลขนาดใหญ่ (Big Data) วิเคราะห์การท่องเที่ยว",
        "ไทยหารือการถ่ายโอนข้อมูลข้ามพรมแดนกับสิงคโปร์",
        "ความร่วมมือด้านการไหลเวียนของข้อมูลข้ามพรมแดน",
    ):
        assert "digital-id-data" in signals(title, "", RULES).topics, title


def test_topics_are_sorted() -> None:
    title, body = seed_article(*SEED_CASES[4][:2])
    topics = score(title, body, RULES).topics
    assert list(topics) == sorted(topics)


@pytest.mark.parametrize("article_id", RELEVANT_IDS)
def test_digital_cooperation_articles_are_relevant(article_id: int) -> None:
    title, body, language = ARTICLES_BY_ID[article_id]
    assert score(title, body, RULES, language=language).relevant


@pytest.mark.parametrize("article_id", NOT_RELEVANT_IDS)
def test_hard_negatives_are_not_relevant(article_id: int) -> None:
    title, body, language = ARTICLES_BY_ID[article_id]
    assert not score(title, body, RULES, language=language).relevant


def test_relevant_is_exactly_probability_at_or_above_the_threshold() -> None:
    title, body, _ = ARTICLES_BY_ID[85110]
    probability = score(title, body, RULES).score
    assert 0.0 < probability < 1.0
    assert score(title, body, RULES, threshold=probability).relevant
    assert not score(title, body, RULES, threshold=probability + 0.0001).relevant


def test_a_never_term_makes_an_article_not_relevant(tmp_path: Path) -> None:
    # A fake-news statistics release that names an MoU: the model takes it for
    # cooperation news; a user who never wants such items says so.
    title, body, _ = ARTICLES_BY_ID[93349]
    assert score(title, body, RULES).relevant
    path = tmp_path / "rules.toml"
    path.write_text('[groups.mine]\nrole = "never"\nth = ["เฟคนิวส์"]\n', encoding="utf-8")
    result = score(title, body, load_rules(path))
    assert not result.relevant
    assert result.score == 0.0
    assert result.never == ("เฟคนิวส์",)


def test_a_rules_file_saved_as_utf16_is_refused_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[groups.mine]\nrole = "never"\nth = ["เฟคนิวส์"]\n', encoding="utf-16")
    with pytest.raises(ValueError, match=r"^not UTF-8 but UTF-16 \(byte-order mark\): TOML is"):
        load_rules(path)


def test_an_always_term_makes_an_article_relevant_and_never_wins(tmp_path: Path) -> None:
    title = "กระทรวงเกษตรฯ ประชุมติดตามสถานการณ์น้ำ และการผลิตข้าวนาปรัง"
    body = "วันนี้ รัฐมนตรีว่าการกระทรวงเกษตรและสหกรณ์ ติดตามสถานการณ์น้ำในเขื่อนหลัก"
    assert not score(title, body, RULES).relevant
    path = tmp_path / "rules.toml"
    path.write_text('[groups.mine]\nrole = "always"\nth = ["การผลิตข้าว"]\n', encoding="utf-8")
    result = score(title, body, load_rules(path))
    assert result.relevant
    assert result.score == 1.0
    assert result.always == ("การผลิตข้าว",)
    path.write_text(
        '[groups.mine]\nrole = "always"\nth = ["การผลิตข้าว"]\n'
        '[groups.not-mine]\nrole = "never"\nth = ["สถานการณ์น้ำ"]\n',
        encoding="utf-8",
    )
    assert not score(title, body, load_rules(path)).relevant


def test_a_batch_scored_stage_by_stage_gives_each_article_its_own_verdict(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[groups.mine]\nrole = "never"\nth = ["เฟคนิวส์"]\n'
        '[groups.yes]\nrole = "always"\nth = ["การผลิตข้าว"]\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    batch = [(title, body, "th", None) for title, body, _ in ARTICLES_BY_ID.values()]
    batch += [
        ("กระทรวงเกษตรฯ ติดตามการผลิตข้าวนาปรัง", "รัฐมนตรีติดตามสถานการณ์น้ำ", "th", None),
        ("Thailand and Japan sign an MoU on 5G", "The two ministers signed it.", "en", None),
    ]
    verdicts = score_each(batch, rules)
    expected = [score(title, body, rules, language=language) for title, body, language, _ in batch]
    assert verdicts == expected
    assert {verdict.relevant for verdict in verdicts} == {True, False}
    assert any(verdict.never for verdict in verdicts) and any(v.always for v in verdicts)


def test_an_english_article_is_scored_on_the_bilingual_rule_signals() -> None:
    title = "Thailand and Japan sign a memorandum of cooperation on cybersecurity and 5G"
    body = (
        "The Ministry of Digital Economy and Society and Japan's Ministry of Internal Affairs "
        "and Communications signed a memorandum of cooperation on cybersecurity, 5G and "
        "digital skills, the two nations' ministers said in Bangkok."
    )
    english = score(title, body, RULES, language="en")
    assert english.relevant
    unrelated = score(
        "The cabinet met on rice prices", "The cabinet met today.", RULES, language="en"
    )
    assert not unrelated.relevant
    text = explain(title, body, RULES, language="en")
    assert "signals only: not Thai" in text
    pushed_up = text.split("pushed up most:")[1].split("pushed down most:")[0]
    assert re.search(r"\+\d+\.\d+  signals: 'digital", pushed_up), pushed_up


def test_please_cooperate_is_not_evidence_of_cooperation() -> None:
    found = signals("ดีอี ขอความร่วมมือประชาชนใช้อินเทอร์เน็ตอย่างปลอดภัย", "", RULES)
    assert not any(key.startswith("cooperation") for key in found.strengths)
    assert Match("ขอความร่วมมือ", "ignore", "title") in found.matches


def test_english_terms_match_whole_words_only_and_ignore_case() -> None:
    result = score("The Ai Summit", "Mail said the paid trainee email was faint.", RULES)
    ai_matches = [m for m in result.matches if m.group == "ai"]
    assert ai_matches == [Match("AI", "ai", "title")]


def test_thai_terms_match_inside_running_text() -> None:
    result = score("ไทยผลักดันเศรษฐกิจดิจิทัลร่วมกับอาเซียน", "", RULES)
    assert Match("ดิจิทัล", "digital", "title") in result.matches
    assert Match("อาเซียน", "asean", "title") in result.matches


def test_terms_are_found_leftmost_longest_and_in_turn() -> None:
    # "ลงนามความร่วมมือ" is one term; "ลงนาม" closing the text is found though a
    # longer term starts with it (where pyahocorasick's iter_long finds nothing).
    text = "พิธีลงนามความร่วมมือ และเข้าร่วมลงนาม"
    assert RULES.find(text) == ["ลงนามความร่วมมือ", "ลงนาม"]


def test_a_thai_term_of_two_words_matches_across_any_whitespace() -> None:
    for gap in (" ", "  ", "\n", "\t", "\u00a0"):
        assert RULES.find(f"ข่าว สรุปข่าวการประชุม{gap}ครม วันนี้") == ["สรุปข่าวการประชุม ครม"]


def test_terms_of_several_texts_are_found_in_each_text_alone() -> None:
    # No term may run from one text into the next, though "ลงนาม" + "ความร่วมมือ" is
    # one term and a term of two words takes any space.
    texts = ["พิธีลงนาม", "ความร่วมมือ", "", "Digital", "ข่าว สรุปข่าวการประชุม", "ครม วันนี้"]
    assert RULES.find(" ".join(texts[4:])) == ["สรุปข่าวการประชุม ครม"]
    found = RULES.find_each(texts)
    assert found == [RULES.find(text) for text in texts]
    assert found == [["ลงนาม"], ["ความร่วมมือ"], [], ["digital"], [], []]


def keys_found(terms: list[str], text: str) -> list[str]:
    """The keys the automaton finds; those of its spans, which must agree."""
    found_in = Automaton(terms)
    found = found_in.found(text)
    assert found == [key for _, _, key in found_in.spans(text)]
    return found


def test_leftmost_longest_choice_among_overlapping_matches() -> None:
    assert keys_found(["b", "c", "abd"], "abc") == ["b", "c"]
    assert keys_found(["ab", "abcabd"], "zzabcabdzz") == ["abcabd"]
    assert keys_found(["ab", "bc", "c"], "abc") == ["ab", "c"]
    assert Automaton(["ab", "c"]).spans("xabc") == [(1, 3, "ab"), (3, 4, "c")]


def test_spans_are_character_offsets_in_thai_text() -> None:
    # UTF-8 takes three bytes for a Thai character: offsets must count characters.
    text = "ไทยและญี่ปุ่น ASEAN"
    assert Automaton(["ญี่ปุ่น", "asean", "ASEAN"]).spans(text) == [
        (text.index("ญ"), text.index(" "), "ญี่ปุ่น"),
        (text.index("A"), len(text), "ASEAN"),
    ]


def test_a_lone_surrogate_in_a_text_is_passed_over_not_an_error() -> None:
    # UTF-8 cannot hold one; the terms around it are found where they are.
    text = "ลงนาม\ud800ดิจิทัล"
    assert Automaton(["ลงนาม", "ดิจิทัล"]).spans(text) == [(0, 5, "ลงนาม"), (6, 13, "ดิจิทัล")]
    assert keys_found(["ลงนาม", "ดิจิทัล", "\ufffd"], text) == ["ลงนาม", "ดิจิทัล"]


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        Automaton(["ลงนาม", ""])


TERM = st.text(alphabet="abก ", min_size=1, max_size=5).map(_key).filter(bool)


@settings(max_examples=500, deadline=None)
@given(st.lists(TERM, min_size=1, max_size=6, unique=True), st.text(alphabet="abกx \n\t"))
def test_the_automaton_finds_what_the_trie_expression_finds(terms, text) -> None:
    expected = [_key(m) for m in re.compile(_trie_pattern(terms)).findall(text)]
    assert keys_found(terms, single_spaced(text)) == expected


def test_only_the_listed_characters_beyond_ascii_lower_to_ascii_or_to_white_space() -> None:
    # English terms are found in ASCII bytes with "?" for every other character: exact
    # only while no other character's lower case holds an ASCII character or a space.
    to_ascii = {}
    for code in range(0x80, 0x110000):
        char = chr(code)
        lower = char.lower()
        if any(c.isascii() for c in lower):
            to_ascii[char] = lower
        assert char.isspace() == any(c.isspace() for c in lower), hex(code)
        assert not char.isspace() or lower == char, hex(code)
    assert to_ascii == dict(_LOWER_TO_ASCII)


# Characters the lower case or the white space of which is special, beside plain ones.
SPECIAL = "\u212a\u0130\u0131\u017f\u03a3\u00df\u00a0\u2028\u3000\x1c\x85\u0307"
ENGLISH_TERM = st.text(alphabet="aiks0- ", min_size=1, max_size=6).map(_key).filter(bool)


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(ENGLISH_TERM, min_size=1, max_size=6, unique=True),
    st.text(alphabet="aiksAIKS0- ?\n\tก" + SPECIAL, max_size=30),
)
def test_ascii_terms_are_found_in_ascii_bytes_as_in_the_lower_case_text(terms, text) -> None:
    expected = _english_found(re.compile(_trie_pattern(terms)), text)
    assert _ascii_found(Automaton(terms), single_spaced(text)) == expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("\u212aelvin SIGN", ["kelvin", "sign"]),  # KELVIN SIGN lowers to "k"
        ("\u0130stanbul", []),  # "i" and a combining dot
        ("sign\u0130", []),  # "i" after "sign": not a word boundary
        ("SIGN\u00a0 \u2028\u3000in", ["sign in"]),  # any run of white space
        ("\u017fign \u0131stanbul", []),  # long s and dotless i: no ASCII letters
        ("signß", ["sign"]),  # a word's characters are ASCII ones
        ("ΣIGN sign?", ["sign"]),
    ],
)
def test_english_terms_in_text_with_special_characters(text: str, found: list[str]) -> None:
    rules = rules_from_text(
        '[groups.mine]\nrole = "always"\nen = ["kelvin", "istanbul", "sign", "sign in"]\n'
    )
    plain = rules_from_text(
        '[groups.mine]\nrole = "always"\nen = ["kelvin", "istanbul", "sign", "sign in", "é"]\n'
    )
    assert rules.ascii is not None and plain.english is not None  # "é" is no ASCII term
    assert rules.find(text) == [t for t in plain.find(text) if t != "é"] == found


def test_an_english_term_holding_a_question_mark_matches_only_one() -> None:
    # In the ASCII bytes the English terms are found in, "?" stands for any other
    # character: such a term is found in the text itself.
    rules = rules_from_text('[groups.mine]\nrole = "always"\nen = ["why?", "k"]\n')
    assert rules.find("why? why\u0e01 why\u00e9") == ["why?"]
    assert rules.find("\u212a") == ["k"]


def test_a_longer_term_keeps_its_own_weaker_role() -> None:
    # The ministry's name contains "ดิจิทัล" but is only weak evidence of a digital subject.
    found = signals("กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม ลงนามบันทึกความเข้าใจ", "", RULES)
    assert "digital-weak@title" in found.strengths
    assert "digital@title" not in found.strengths


def test_a_rules_file_of_thousands_of_terms_loads_with_the_longer_terms_inheriting() -> None:
    # Each term is looked for inside every other: 2,000 terms are 4 million pairs.
    english = [f"filler {n} term" for n in range(1_000)] + ["qubit lab", "qubits", "e-qubit"]
    thai = [f"คำเติม{n}" for n in range(1_000)] + ["ห้องควอนตัม"]
    text = (
        f'[groups.filler]\nrole = "negative"\nen = {english!r}\nth = {thai!r}\n'.replace("'", '"')
        + '[topics.qubits]\nen = ["qubit"]\nth = ["ควอนตัม"]\n'
    )
    rules = rules_from_text(text)
    groups = {term: {m.group for m in rules.members[term]} for term in rules.members}
    assert groups["qubit lab"] == groups["e-qubit"] == {"filler", "qubits"}
    assert groups["ห้องควอนตัม"] == {"filler", "qubits"}
    assert groups["qubits"] == {"filler"}  # "qubit" is inside it, but not as a word
    assert groups["filler 7 term"] == {"filler"}
    assert len(rules.members) > 2_000


def test_nested_repeated_terms_each_count_for_the_groups_of_the_shorter_ones_inside() -> None:
    # "ก" * 1,500 holds each shorter term as often as their lengths differ, plus one:
    # finding every occurrence of every term in every term listed 560 million.
    thai = ["ก" * n for n in range(1, 1_501)]
    english = ["ab" * n for n in range(1, 201)] + [" ".join(["cd"] * n) for n in range(1, 201)]
    text = (
        f'[groups.nested]\nrole = "always"\nth = {thai[1:]!r}\nen = {english[1:]!r}\n'
        f'[groups.short]\nrole = "never"\nth = ["ก"]\nen = ["ab", "cd"]\n'
        '[topics.chess]\nth = ["กกกกก"]\n'
    ).replace("'", '"')
    rules = rules_from_text(text)
    groups = {term: {m.group for m in members} for term, members in rules.members.items()}
    assert groups["ก"] == {"short"}
    assert groups["กกกก"] == {"nested", "short"}
    assert groups["ก" * 5] == groups["ก" * 1_500] == {"nested", "short", "chess"}
    assert groups["abab"] == groups["ab" * 200] == {"nested"}  # "ab" is inside, but no word
    assert groups["cd cd"] == groups[" ".join(["cd"] * 200)] == {"nested", "short"}
    found = signals("กกกกกกก ababab cd cd", "", rules)
    assert found.always == ("ก" * 7, "ababab", "cd cd")
    assert found.never == ("ก" * 7, "cd cd")
    assert found.topics == ("chess",)


def test_a_rules_file_of_more_terms_than_the_most_is_refused_saying_how_many() -> None:
    terms = [f"term {n}" for n in range(USER_TERMS_MAX + 1)]
    text = f'[groups.mine]\nrole = "always"\nen = {terms!r}\n'.replace("'", '"')
    with pytest.raises(ValueError, match=r"^20,001 terms: a rules file holds at most 20,000 "):
        rules_from_text(text)


def lead_and_rest(title: str, body: str, paragraphs: int, min_chars: int) -> tuple[str, str]:
    """The body's lines, stripped, but for empty ones and those repeating the title up
    to white space: the lead is the first ``paragraphs`` of ``min_chars`` characters or
    more (shorter lines before it are dropped), the rest is every line after it."""
    head = " ".join(title.split())
    lines = [line.strip() for line in body.split("\n")]
    kept = [line for line in lines if line and " ".join(line.split()) != head]
    if paragraphs <= 0:
        return "", "\n".join(kept)
    long = [i for i, line in enumerate(kept) if len(line) >= min_chars][:paragraphs]
    after = long[-1] + 1 if len(long) == paragraphs else len(kept)
    return "\n".join(kept[i] for i in long), "\n".join(kept[after:])


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet="ab \t\u00a0", max_size=4),
    st.text(alphabet="ab \t\n\u00a0\x1c", max_size=30),
    st.integers(0, 3),
    st.sampled_from([1, 3]),
)
def test_the_lead_is_the_first_long_lines_but_those_repeating_the_title(
    title: str, body: str, paragraphs: int, min_chars: int
) -> None:
    rules = rules_from_text(f"lead_paragraphs = {paragraphs}\nlead_min_chars = {min_chars}\n")
    assert _split_lead(title, body, rules) == lead_and_rest(title, body, paragraphs, min_chars)


def test_signals_weigh_each_term_once_a_place() -> None:
    once = signals("ไทยผลักดันเศรษฐกิจดิจิทัล", "", RULES).strengths["digital@title"]
    twice = signals("ไทยผลักดันเศรษฐกิจดิจิทัล ดิจิทัล", "", RULES).strengths["digital@title"]
    both = signals("ไทยผลักดันเศรษฐกิจดิจิทัล ไซเบอร์", "", RULES).strengths["digital@title"]
    assert once == twice == pytest.approx(1 - math.exp(-1.0))
    assert both == pytest.approx(1 - math.exp(-2.0))


def test_user_rules_file_adds_a_term_that_then_matches(tmp_path: Path) -> None:
    title = "Thailand and Japan sign a memorandum of cooperation on quantum networking"
    before = signals(title, "", RULES)
    assert not any(m.term == "quantum networking" for m in before.matches)
    path = tmp_path / "rules.toml"
    path.write_text('[groups.digital]\nen = ["quantum networking"]\n', encoding="utf-8")
    after = signals(title, "", load_rules(path))
    assert Match("quantum networking", "digital", "title") in after.matches
    assert after.strengths["digital@title"] > before.strengths.get("digital@title", 0.0)
    assert Match("Japan", "cooperation-weak", "title") in after.matches


def test_a_rules_file_with_the_old_threshold_says_where_it_went(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("threshold = 0.99\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[relevance\] threshold"):
        load_rules(path)


def test_user_rules_file_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("treshold = 0.4\n", encoding="utf-8")
    with pytest.raises(ValueError, match="treshold"):
        load_rules(path)


def test_a_new_group_without_a_role_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[groups.extra]\nth = ["คำใหม่"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="extra"):
        load_rules(path)


ROLES = "digital, cooperation, negative, ignore, always, never"


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        # A string where a list of terms belongs: each of its characters would be a term.
        (
            '[groups.mine]\nrole = "always"\nth = "ควอนตัม"',
            "group 'mine': th: must be a list, not \"ควอนตัม\"",
        ),
        (
            '[groups.mine]\nrole = "never"\nen = "fake news"',
            "group 'mine': en: must be a list, not \"fake news\"",
        ),
        (
            '[topics.quantum]\nen = "quantum"',
            "topic 'quantum': en: must be a list, not \"quantum\"",
        ),
        ('[groups.digital]\nth = "ดิจิทัล"', "group 'digital': th: must be a list, not \"ดิจิทัล\""),
        (
            '[groups.mine]\nrole = "always"\nen = ["quantum", 5]',
            "group 'mine': en: each item must be a string, not 5",
        ),
        (
            '[groups.mine]\nrole = "always"\nen = ["quantum", " "]',
            "group 'mine': en: each item must not be blank, not \" \"",
        ),
        (  # a zero-width space shows nothing, as a space does
            '[groups.mine]\nrole = "always"\nen = ["\\u200b"]',
            "group 'mine': en: each item must not be blank, not \"\\u200B\"",
        ),
        (
            '[groups.mine]\nrole = "never"\nth = ["\\u200c\\u2060 "]',
            "group 'mine': th: each item must not be blank, not \"\\u200C\\u2060 \"",
        ),
        (
            '[groups.mine]\nrole = "always"\nweight = "high"\nen = ["quantum"]',
            "group 'mine': weight: must be a number, not \"high\"",
        ),
        (
            '[groups.mine]\nrole = "sometimes"\nen = ["quantum"]',
            f"group 'mine': role 'sometimes' is not one of {ROLES}",
        ),
        (
            '[groups.mine]\nrole = 1\nen = ["quantum"]',
            "group 'mine': role: must be a string, not 1",
        ),
        ('[groups.mine]\nen = ["quantum"]', f"group 'mine' needs a role, one of {ROLES}"),
        ("groups = 1", "groups: must be a table, not 1"),
        ("[groups]\nmine = 1", "group 'mine': must be a table, not 1"),
        ('[places]\ntitle = "top"', 'places: title: must be a number, not "top"'),
        ('topic_min = "x"', 'topic_min: must be a number, not "x"'),
        ("lead_paragraphs = 2.5", "lead_paragraphs: must be a whole number, not 2.5"),
    ],
)
def test_a_rules_value_of_the_wrong_kind_is_refused_naming_its_key(text: str, refusal: str) -> None:
    with pytest.raises(ValueError) as refused:
        rules_from_text(text)
    assert str(refused.value) == refusal


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("lead_paragraphs = -3", "lead_paragraphs: must be at least 0, not -3"),
        ("lead_min_chars = -1", "lead_min_chars: must be at least 0, not -1"),
        ("[places]\ntitle = -1", "places: title: must be at least 0, not -1"),
        ("[places]\nbody_cap = -0.1", "places: body_cap: must be at least 0, not -0.1"),
        ("[groups.digital]\nweight = -1", "group 'digital': weight: must be at least 0, not -1"),
        (
            '[topics.quantum]\nweight = -2.5\nen = ["quantum"]',
            "topic 'quantum': weight: must be at least 0, not -2.5",
        ),
    ],
)
def test_a_negative_rules_number_is_refused_naming_its_key(text: str, refusal: str) -> None:
    with pytest.raises(ValueError) as refused:
        rules_from_text(text)
    assert str(refused.value) == refusal


TOPIC_MIN_RANGE = (
    "must be above 0 and below 1 (a topic's strength, 1 - exp(-evidence), is 0 with no"
    " evidence and below 1 in practice: 0 would tag every topic, 1 none)"
)


@pytest.mark.parametrize("value", ["5", "1", "1.0", "0", "0.0", "-0.5"])
def test_a_topic_min_that_tags_every_topic_or_none_is_refused(value: str) -> None:
    """A topic's strength is 0 with no evidence and reaches 1.0 only at an evidence of
    about 38: 0 would tag every topic on every article, 1 (or more) none."""
    with pytest.raises(ValueError) as refused:
        rules_from_text(f"topic_min = {value}")
    assert str(refused.value) == f"topic_min: {TOPIC_MIN_RANGE}, not {value}"


def test_a_topic_min_between_0_and_1_is_taken() -> None:
    assert rules_from_text("topic_min = 0.001").topic_min == 0.001
    assert rules_from_text("topic_min = 0.999").topic_min == 0.999


def test_a_rules_number_of_zero_is_taken() -> None:
    rules = rules_from_text("lead_paragraphs = 0\n[places]\nbody = 0\n[groups.digital]\nweight = 0")
    assert (rules.lead_paragraphs, rules.places["body"]) == (0, 0.0)


def test_default_rules_are_compiled_once() -> None:
    assert load_rules() is load_rules()


def test_explain_names_the_probability_threshold_and_contributing_features() -> None:
    title, body, _ = ARTICLES_BY_ID[57695]
    result = score(title, body, RULES)
    text = explain(title, body, RULES)
    assert f"relevance: {result.score:.2f}" in text
    assert "relevant: yes (threshold 0.50)" in text
    assert "topics: Agreements and MoUs · บันทึกความเข้าใจและข้อตกลง (mou)" in text.splitlines()
    up = text.split("pushed up most:\n")[1].split("pushed down most:")[0]
    contributions = [line.split()[0] for line in up.strip().splitlines()]
    assert contributions and all(float(c) > 0 for c in contributions)
    assert "title: '" in up or "opening: '" in up  # n-grams are named
    assert "ไอซีที" in text.split("matched rule terms:")[1]


@pytest.mark.parametrize(
    ("feature", "shown"),
    [
        ("\u0e48\u0e27\u0e21", "'\u25cc\u0e48\u0e27\u0e21'"),  # a tone mark: '◌่วม'
        ("\u0e34\u0e29\u0e31", "'\u25cc\u0e34\u0e29\u0e31'"),  # a vowel above: '◌ิษั'
        ("\u0e39\u0e49\u0e17", "'\u25cc\u0e39\u0e49\u0e17'"),  # two marks, one circle
        ("\u0e33\u0e19\u0e27", "'\u25cc\u0e33\u0e19\u0e27'"),  # sara am: '◌ำนว'
        ("\u0e23\u0e48\u0e27", "'\u0e23\u0e48\u0e27'"),  # a letter first: as it is
        ("\u0e40\u0e17\u0e04", "'\u0e40\u0e17\u0e04'"),  # a leading vowel stands alone
        (" \u0e2a\u0e48", "' \u0e2a\u0e48'"),
        ("digital-x-cooperation@article", "'digital-x-cooperation@article'"),
    ],
)
def test_an_ngram_opening_with_a_thai_mark_is_shown_on_a_dotted_circle(
    feature: str, shown: str
) -> None:
    assert shown_feature(feature) == shown


def opens_with_mark(text: str) -> bool:
    """Whether ``text`` opens with a combining mark, or a letter whose first part is one
    (``ำ``: its circle sits on the letter before)."""
    return bool(text) and unicodedata.category(unicodedata.normalize("NFKD", text[0])[0])[0] == "M"


def test_explain_never_sets_a_listed_ngrams_first_mark_on_its_quote() -> None:
    quoted = [  # "  +0.181  opening: '◌่วม'" -> "◌่วม"
        line.split(": ", 1)[1][1:-1]
        for title, body, _ in ARTICLES_BY_ID.values()
        for line in explain(title, body, RULES).splitlines()
        if line.startswith("  ") and line.split()[1].rstrip(":") in BLOCKS
    ]
    assert quoted and not [text for text in quoted if opens_with_mark(text)]
    on_circles = [text[1:] for text in quoted if text.startswith("\u25cc")]
    assert on_circles and all(opens_with_mark(text) for text in on_circles)


def test_explain_names_the_words_of_an_article_the_word_stage_read_and_only_then() -> None:
    model = load_model()
    read_again, left = None, None
    for raw in read_jsonl_file(DATA / "relevance" / "articles.jsonl.xz"):
        text = normalise_article(raw)
        if text.language != "th":
            continue
        inputs = model_inputs(text.title, text.body, RULES, signals(text.title, text.body, RULES))
        if model.stacks(text.title, text.body, inputs):
            read_again = read_again or text
        else:
            left = left or text
        if read_again and left:
            break
    assert read_again is not None and left is not None
    shown = explain(read_again.title, read_again.body, RULES)
    assert "then words: read again as the n-grams and signals gave 0.20-0.80" in shown
    assert re.search(r"\n  words: [+-]\d\.\d\d \(what reading the words of the first", shown)
    up_and_down = shown.split("pushed up most:\n")[1].split("matched rule terms:")[0]
    assert re.search(r"\n  [+-]0\.\d{3}  words: '[^']+'", up_and_down)
    plain = explain(left.title, left.body, RULES)
    assert "words" not in plain.split("pushed up most:")[0].split("log-odds by block")[1]
    assert "  words: '" not in plain


@pytest.mark.parametrize(
    ("shift", "moved"), [(-20.0, "lowered it below"), (20.0, "lifted it past")]
)
def test_explain_says_when_reading_the_words_changed_the_verdict(shift: float, moved: str) -> None:
    # A model whose word stage reads every article and, shifted, turns every verdict.
    packaged = load_model()
    assert packaged.word_stage is not None
    stage = dataclasses.replace(packaged.word_stage, low=0.0, high=1.0, bias=shift)
    model = dataclasses.replace(packaged, word_stage=stage)
    title, body, _ = ARTICLES_BY_ID[57695 if shift < 0 else 92959]
    first = score(title, body, RULES, model=dataclasses.replace(packaged, word_stage=None))
    text = explain(title, body, RULES, model=model)
    assert first.relevant == (shift < 0) != score(title, body, RULES, model=model).relevant
    sentence = text.splitlines()[0]
    assert sentence.endswith(
        f"; the n-grams and signals gave {first.score:.2f}, and reading its words {moved}"
        " the threshold."
    )
    words_line = next(line for line in text.splitlines() if line.startswith("  words: "))
    assert "the words listed below " in words_line and "where the word reading starts" in words_line
    # Where the first reading decided, nothing is added.
    assert "reading its words" not in explain(title, body, RULES).splitlines()[0]


def test_the_first_readings_probability_is_judged_and_shown_as_a_verdicts_is() -> None:
    # At a threshold just above the first reading, the clause shows as many places as it
    # takes to tell them apart (never "gave 0.25" beside a threshold of 0.25), and judges
    # the first reading rounded, as a verdict is.
    packaged = load_model()
    assert packaged.word_stage is not None
    stage = dataclasses.replace(packaged.word_stage, low=0.0, high=1.0, bias=20.0)
    model = dataclasses.replace(packaged, word_stage=stage)
    title, body, _ = ARTICLES_BY_ID[92959]
    first = score(title, body, RULES, model=dataclasses.replace(packaged, word_stage=None)).score
    assert 0.0001 < first < 0.5
    text = explain(title, body, RULES, model=model, threshold=first + 0.0004)
    assert "reading its words lifted it past the threshold." in text.splitlines()[0]
    shown = re.search(r"the n-grams and signals gave ([\d.]+),", text)
    assert shown and float(shown[1]) < first + 0.0004 and abs(float(shown[1]) - first) < 5e-4
    # At a threshold equal to the first reading rounded, that reading was relevant already.
    assert "reading its words" not in explain(title, body, RULES, model=model, threshold=first)


def test_explain_says_no_for_an_irrelevant_article_and_what_pulled_it_down() -> None:
    title, body, _ = ARTICLES_BY_ID[92959]
    text = explain(title, body, RULES, threshold=0.5)
    assert "relevant: no (threshold 0.50)" in text
    down = text.split("pushed down most:\n")[1].split("matched rule terms:")[0]
    assert all(float(line.split()[0]) < 0 for line in down.strip().splitlines())
    assert "เตือนภัย" in text


def test_partner_signals_say_which_kinds_are_named_where_and_how_many() -> None:
    named = Found(("company:Google", "country:JP", "country:KR"), ("country:JP",))
    assert partner_signals(named) == {
        "partner-company@opening": 1.0,
        "partner-country@opening": 1.0,
        "partner@opening": 1.0,
        "partners@opening": pytest.approx(1 - math.exp(-3)),
        "partner@title": 1.0,
    }
    assert partner_signals(Found(("org:ASEAN",), ())) == {
        "partner-org@opening": 1.0,
        "partner@opening": 1.0,
        "partners@opening": pytest.approx(1 - math.exp(-1)),
    }
    assert partner_signals(Found((), ())) == {}
    assert set(partner_signals(named)) <= set(PARTNER_SIGNALS)


def test_the_packaged_model_weighs_a_named_partner_towards_relevant() -> None:
    model = load_model()
    weights = dict(zip(model.signal_names, model.signal_weights.tolist(), strict=True))
    assert set(PARTNER_SIGNALS) <= set(weights)
    assert weights["partner@opening"] > 0


def test_a_partner_named_raises_the_probability_of_the_same_text() -> None:
    body = "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม หารือแนวทางพัฒนาทักษะดิจิทัลให้แก่ประชาชน"
    alone = score("ดีอี หารือพัฒนาทักษะดิจิทัล", body, RULES)
    named = score("ดีอี หารือกูเกิล พัฒนาทักษะดิจิทัล", body, RULES)
    unnamed = score("ดีอี หารือกูเกิล พัฒนาทักษะดิจิทัล", body, RULES, named=Found((), ()))
    assert named.score > unnamed.score
    assert alone.score < named.score


def test_explain_names_the_partners_the_model_saw() -> None:
    title, body, _ = ARTICLES_BY_ID[57695]
    text = explain(title, body, RULES)
    assert found_partners(title, body).ids == ("country:JP",)
    assert "partners named: Japan (country:JP)" in text.splitlines()  # as the digest names it
    assert re.search(r"signals: 'partners?(-\w+)?@(opening|title)'", text)


def test_role_signals_weigh_a_digital_subject_and_cooperation_together() -> None:
    assert role_signals({"digital": 0.8, "cooperation": 0.5, "negative": 0.3}) == {
        "digital-x-cooperation@article": pytest.approx(0.4)
    }
    assert role_signals({"digital": 0.8}) == {}  # digital news with no cooperation
    assert role_signals({"cooperation": 0.9, "topic:mou": 1.0}) == {}
    assert set(role_signals({"digital": 1.0, "cooperation": 1.0})) <= set(ROLE_SIGNALS)


def test_the_model_takes_the_role_signals_of_the_packaged_rules() -> None:
    title, body, _ = ARTICLES_BY_ID[57695]
    packaged = signals(title, body, RULES)
    both = packaged.roles["digital"] * packaged.roles["cooperation"]
    assert both > 0
    assert model_inputs(title, body, RULES, packaged)["digital-x-cooperation@article"] == (
        pytest.approx(both)
    )
    mine = rules_from_text('[groups.mine]\nrole = "cooperation"\nth = ["ข่าว"]\n')
    inputs = model_inputs(title, body, mine, signals(title, body, mine))
    assert inputs["digital-x-cooperation@article"] == pytest.approx(both)  # not the user's
    assert set(ROLE_SIGNALS) <= set(signal_names(RULES))


def test_the_packaged_model_weighs_digital_with_cooperation_towards_relevant() -> None:
    model = load_model()
    weights = dict(zip(model.signal_names, model.signal_weights.tolist(), strict=True))
    assert weights["digital-x-cooperation@article"] > 0


def test_explain_names_the_digital_and_cooperation_signal() -> None:
    title, body, _ = ARTICLES_BY_ID[57695]
    up = explain(title, body, RULES).split("pushed up most:\n")[1].split("pushed down most:")[0]
    assert (
        "signals: 'digital-x-cooperation@article' "
        "(digital and cooperation terms together, whole article)"
    ) in up


def contributions(title: str, body: str) -> list[Contribution]:
    """What moved a Thai article's log-odds, as the model scores it."""
    inputs = model_inputs(title, body, RULES, signals(title, body, RULES))
    return load_model().contributions(title, body, inputs)


@pytest.mark.parametrize(("prefix", "headline"), [case[:2] for case in SEED_CASES])
def test_explain_opens_with_relevant_and_the_signal_that_pushed_a_seed_up_most(
    prefix: str, headline: str
) -> None:
    title, body = seed_article(prefix, headline)
    first = explain(title, body, RULES).splitlines()[0]
    top = max(
        (c for c in contributions(title, body) if c.block == "signals"), key=lambda c: c.value
    )
    probability = score(title, body, RULES).score
    assert first.startswith(f"Relevant ({probability:.2f} >= 0.50): mostly because of ")
    assert " in the ".join(signal_words(top.feature, topic_name)) in first, first


@pytest.mark.parametrize("article", [52492, 74583])  # fake-news summary; the wallet's FAQ
def test_explain_opens_with_not_relevant_and_the_condition_the_article_lacks(
    article: int,
) -> None:
    title, body, _ = ARTICLES_BY_ID[article]
    found = signals(title, body, RULES)
    assert found.roles["digital"] > 0 and "cooperation" not in found.roles
    # Digital and cooperation together would add the model's largest weight: more than
    # anything pulled the article down.
    together = load_model().signal_weight()["digital-x-cooperation@article"]
    moved = contributions(title, body)
    assert all(-c.value < together for c in moved if c.block == "signals")
    assert -sum(c.value for c in moved if c.block == "opening") < together
    first = explain(title, body, RULES).splitlines()[0]
    assert first.startswith(
        f"Not relevant ({score(title, body, RULES).score:.2f} < 0.50): mostly because it has "
        "no cooperation terms in the whole article"
    ), first


@pytest.mark.parametrize(
    ("article", "threshold", "shown"),
    [
        (85110, 0.98353, "0.98350 < 0.98353"),  # equal to four places
        (93349, 0.9816, "0.981 < 0.982"),  # equal to two places
        (52492, 0.004, "0.001 < 0.004"),  # 0.00 < 0.00
    ],
)
def test_the_sentence_never_shows_a_probability_equal_to_the_threshold_it_is_below(
    article: int, threshold: float, shown: str
) -> None:
    title, body, _ = ARTICLES_BY_ID[article]
    probability = score(title, body, RULES).score
    first, relevance, relevant = explain(title, body, RULES, threshold=threshold).splitlines()[:3]
    assert first.startswith(f"Not relevant ({shown}): "), first
    # The lines under it show the numbers as the sentence does.
    assert relevance == f"relevance: {shown.split()[0]} (probability that the article is relevant)"
    assert relevant == f"relevant: no (threshold {shown.split()[2]})"
    places = len(shown.split()[0]) - 2
    assert f"{probability:.{places}f}" == shown.split()[0]  # the probability, rounded
    assert f"{probability:.{places - 1}f}" == f"{threshold:.{places - 1}f}"  # no fewer places


@pytest.mark.parametrize("article", [85110, 77081, 38528, 57695])
def test_a_condition_that_pushed_the_article_up_is_not_said_to_be_lacking(
    article: int,
) -> None:
    title, body, _ = ARTICLES_BY_ID[article]
    # Digital and cooperation together lifted it most; only a threshold just above its
    # probability keeps it out.
    moved = [c for c in contributions(title, body) if c.block == "signals"]
    assert max(moved, key=lambda c: c.value).feature == "digital-x-cooperation@article"
    probability = score(title, body, RULES).score
    first = explain(title, body, RULES, threshold=min(probability + 0.005, 0.9999))
    first = first.splitlines()[0]
    verdict, _, because = first.partition("): ")
    assert verdict.startswith("Not relevant (") and because.endswith("."), first
    assert not re.search(r"\b(few|no) (digital|cooperation)", first), first


def test_a_tiny_weight_is_no_reason_when_where_every_article_starts_does_the_work() -> None:
    title, body, language = ARTICLES_BY_ID[90882]  # English: the model reads signals only
    inputs = model_inputs(title, body, RULES, signals(title, body, RULES))
    moved = load_model().contributions(title, body, inputs, language)
    (bias,) = (c.value for c in moved if c.block == "bias")
    # Every pull down is a small fraction of where it starts, and what it has nets to little.
    assert all(c.value > bias / 3 for c in moved if c.block == "signals")
    assert abs(sum(c.value for c in moved if c.block != "bias")) < -bias / 10
    first = explain(title, body, RULES, language=language).splitlines()[0]
    assert first == (
        "Not relevant (0.06 < 0.50): every article starts out not relevant, "
        "and what it has does not lift it."
    )


def test_many_small_reasons_that_did_the_work_are_named_by_the_largest() -> None:
    # None stands for a fifth of what lifted the article, but together they did it.
    places = ["digital@title", "digital@lead", "cooperation@title", "cooperation@lead"]
    parts = [
        Contribution("bias", "intercept", -1.0),
        *(
            Contribution("signals", f"{group}@{where}", 0.6)
            for group in ("ai", "mou")
            for where in ("title", "lead", "body")
        ),
        *(Contribution("signals", signal, 0.5) for signal in places),
    ]
    assert reasons(True, parts, {}, {}, {}) == (
        "mostly because of ai topic terms in the headline and ai topic terms in the lead"
    )


def test_an_article_lifted_short_of_the_threshold_says_so_before_what_held_it_down() -> None:
    title = "Minister meets Japan"  # English: the model reads signals only
    body = "The minister met the ambassador of Japan to discuss digital cooperation."
    inputs = model_inputs(title, body, RULES, signals(title, body, RULES))
    moved = load_model().contributions(title, body, inputs, "en")
    assert sum(c.value for c in moved if c.block != "bias") > 0  # it lifted the article
    first = explain(title, body, RULES, language="en").splitlines()[0]
    assert first == (
        "Not relevant (0.16 < 0.50): what it has lifts it, but not as far as the threshold; "
        "countries named as partners in the headline and opening count against it."
    )
    # Where every article starts is relevant, and what it has pulls it down, not below.
    parts = [
        Contribution("bias", "intercept", 3.0),
        Contribution("signals", "ai@title", 1.0),
        Contribution("signals", "negative@lead", -2.0),
    ]
    assert reasons(True, parts, {}, {}, {}) == (
        "what it has pulls it down, but not below the threshold; "
        "ai topic terms in the headline count for it"
    )


def test_an_article_nothing_moved_stays_where_every_article_starts() -> None:
    title, body = "Weather report", "It will rain tomorrow in the north."  # no rule term
    inputs = model_inputs(title, body, RULES, signals(title, body, RULES))
    moved = load_model().contributions(title, body, inputs, "en")
    assert sum(c.value for c in moved if c.block != "bias") == 0
    first = explain(title, body, RULES, language="en", threshold=0.5).splitlines()[0]
    assert first == (
        "Not relevant (0.06 < 0.50): every article starts out not relevant, and what it has "
        "does not lift it; it has no digital or cooperation terms in the whole article."
    )
    first = explain(title, body, RULES, language="en", threshold=0.01).splitlines()[0]
    assert first == (
        "Relevant (0.06 >= 0.01): every article starts out relevant, "
        "and what it has does not pull it down."
    )


def test_a_lift_of_a_tenth_of_the_way_to_the_threshold_or_less_is_not_said_to_lift() -> None:
    title, body, _ = corpus_articles(DATA / "series_articles.jsonl")[84446]
    moved = contributions(title, body)
    (bias,) = (c.value for c in moved if c.block == "bias")
    lift = sum(c.value for c in moved if c.block != "bias")
    assert 0 < lift <= MOVED_LITTLE * -bias  # the threshold, 0.5, is at log-odds 0
    first = explain(title, body, RULES).splitlines()[0]
    assert first.startswith(
        "Not relevant (0.00 < 0.50): every article starts out not relevant, "
        "and what it has does not lift it; it has no "
    ), first
    # Where every article starts is 5 from the threshold: a lift of 0.5 is little, 0.6 not.
    for lift, said in [
        (0.5, "every article starts out not relevant, and what it has does not lift it"),
        (0.6, "what it has lifts it, but not as far as the threshold"),
    ]:
        parts = [Contribution("bias", "intercept", -5.0), Contribution("signals", "ai@title", lift)]
        assert reasons(False, parts, {}, {}, {}) == said
    parts = [Contribution("bias", "intercept", 5.0), Contribution("signals", "ai@title", -0.5)]
    assert reasons(True, parts, {}, {}, {}) == (
        "every article starts out relevant, and what it has does not pull it down"
    )


@pytest.mark.parametrize(
    ("roles", "lacked"),
    [
        ({}, "no digital or cooperation terms"),
        ({"digital": 0.2, "cooperation": 0.2}, "few digital and few cooperation terms"),
        ({"digital": 0.2}, "no cooperation terms"),
        ({"digital": 0.2, "cooperation": 0.5}, "few digital terms"),
    ],
)
def test_what_an_article_lacks_of_digital_and_cooperation_says_which(
    roles: dict[str, float], lacked: str
) -> None:
    parts = [Contribution("bias", "intercept", -5.0)]
    together = {"digital-x-cooperation@article": 5.0}
    assert reasons(False, parts, {}, roles, together) == (
        "every article starts out not relevant, and what it has does not lift it; "
        f"it has {lacked} in the whole article"
    )


def test_an_article_lifted_short_of_a_high_threshold_is_said_to_fall_short() -> None:
    title, body, _ = ARTICLES_BY_ID[85110]
    assert sum(c.value for c in contributions(title, body) if c.block != "bias") > 0
    first = explain(title, body, RULES, threshold=0.98353).splitlines()[0]
    assert first == (
        "Not relevant (0.98350 < 0.98353): what it has lifts it, but not as far as the threshold."
    )
    # A threshold of 1 is no way off: no lift is little against it.
    first = explain(title, body, RULES, threshold=1.0).splitlines()[0]
    assert first.endswith("): what it has lifts it, but not as far as the threshold."), first


def test_explain_says_which_words_counted_against_a_not_relevant_article() -> None:
    title, body, _ = ARTICLES_BY_ID[52492]  # a fake-news summary naming Krungthai Bank
    moved = contributions(title, body)
    wording = sum(c.value for c in moved if c.block == "opening")
    # Its wording pulled it down more than any signal, more than its partner could add.
    assert found_partners(title, body).ids
    assert all(c.value > wording for c in moved if c.block == "signals")
    first = explain(title, body, RULES).splitlines()[0]
    assert first.endswith(", and the words of the headline and opening (n-grams) count against it.")


def test_a_sentence_says_an_always_or_never_term_decided(tmp_path: Path) -> None:
    title, body, _ = ARTICLES_BY_ID[93349]
    path = tmp_path / "rules.toml"
    path.write_text('[groups.mine]\nrole = "never"\nth = ["เฟคนิวส์"]\n', encoding="utf-8")
    lines = explain(title, body, load_rules(path)).splitlines()
    assert lines[0] == "Not relevant (0.00 < 0.50): your never term เฟคนิวส์ decides it."
    assert "decided by your never term: เฟคนิวส์ (the model was not asked)" in lines


def test_a_sentence_names_two_always_terms_in_the_plural(tmp_path: Path) -> None:
    title, body, _ = ARTICLES_BY_ID[93349]
    path = tmp_path / "rules.toml"
    path.write_text(
        '[groups.mine]\nrole = "always"\nth = ["เฟคนิวส์", "ข่าวปลอม"]\n', encoding="utf-8"
    )
    lines = explain(title, body, load_rules(path)).splitlines()
    assert lines[0] == "Relevant (1.00 >= 0.50): your always terms เฟคนิวส์ and ข่าวปลอม decide it."
    assert "decided by your always terms: เฟคนิวส์, ข่าวปลอม (the model was not asked)" in lines


@pytest.mark.parametrize("role", ["always", "never"])
def test_explain_shows_topics_and_partners_when_your_term_decides(
    role: str, tmp_path: Path
) -> None:
    title, body, _ = ARTICLES_BY_ID[57695]  # names Japan
    path = tmp_path / "rules.toml"
    path.write_text(f'[groups.mine]\nrole = "{role}"\nth = ["ญี่ปุ่น"]\n', encoding="utf-8")
    lines = explain(title, body, load_rules(path)).splitlines()
    assert lines[0].endswith(f"your {role} term ญี่ปุ่น decides it."), lines[0]
    assert any(line.startswith("topics: ") for line in lines)
    assert "partners named: Japan (country:JP)" in lines  # the model, not asked, saw nothing


def test_explain_shows_the_partners_your_file_adds_when_your_term_decides(tmp_path: Path) -> None:
    title, body, _ = ARTICLES_BY_ID[93349]  # names no partner in its opening
    path = tmp_path / "rules.toml"
    path.write_text('[groups.mine]\nrole = "never"\nth = ["เฟคนิวส์"]\n', encoding="utf-8")
    yours = partner_table('[[partner]]\nid = "org:Fake"\nth = ["เฟคนิวส์"]\n')
    lines = explain(title, body, load_rules(path), partners=yours).splitlines()
    assert "partners named: Fake (org:Fake)" in lines


def test_explain_says_where_partners_are_read_from_when_none_is_named_there() -> None:
    # Fake-news statistics naming Meta, TikTok and others past the opening.
    title, body, _ = ARTICLES_BY_ID[93349]
    assert found_partners(title, body).ids == ()
    assert "company:TikTok" in found_partners("", body[OPENING_CHARS:]).ids
    assert (
        "partners named: - (partners are read from the headline and the first "
        f"{OPENING_CHARS:,} characters of the body: a name further on does not count)"
    ) in explain(title, body, RULES).splitlines()


def test_every_signal_of_the_model_is_said_in_words() -> None:
    for name in load_model().signal_names:
        group = name.partition("@")[0]
        what, where = signal_words(name, topic_name)
        if group in RULES.topics:
            assert what == f"{topic_name(group)} topic terms"
        else:
            assert what == SIGNAL_WORDS[group]
        assert where
    assert signal_words("ai@title", topic_name) == (
        "Artificial intelligence topic terms",
        "headline",
    )


DIGITAL_TERMS = ["ดิจิทัล", "ไซเบอร์", "ปัญญาประดิษฐ์", "5G", "ICT"]
COOPERATION_TERMS = ["อาเซียน", "บันทึกความเข้าใจ", "APEC", "ทวิภาคี", "MoU"]


@settings(max_examples=60, deadline=None)
@given(
    base=st.lists(st.sampled_from(DIGITAL_TERMS + COOPERATION_TERMS), max_size=4),
    extra=st.sampled_from(DIGITAL_TERMS + COOPERATION_TERMS),
    where=st.sampled_from(["title", "body"]),
)
def test_more_evidence_never_lowers_a_signal(base: list[str], extra: str, where: str) -> None:
    title = " ".join(["ข่าว", *base])
    body = "รายละเอียดของข่าวนี้เป็นเรื่องการดำเนินงานทั่วไปของหน่วยงานรัฐในสัปดาห์นี้"
    before = signals(title, body, RULES).strengths
    if where == "title":
        after = signals(f"{title} {extra}", body, RULES).strengths
    else:
        after = signals(title, f"{body}\n{extra}", RULES).strengths
    for key, value in before.items():
        assert 0.0 <= value <= after[key] <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        '[topics."Smart City"]\nen = ["smart district"]',  # the packaged smart-city's file
        '[topics."Space Tech"]\nen = ["satellite"]\n[topics."space-tech"]\nen = ["rocket"]',
    ],
)
def test_topics_whose_feeds_would_share_a_file_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"share one feed file \((smart-city|space-tech)\.atom\)"):
        rules_from_text(text)


def _topics_toml(*names: str) -> str:
    """A rules file of a topic for each name, each character of it written as an escape."""
    keys = ("".join(f"\\u{ord(char):04x}" for char in name) for name in names)
    return "".join(f'[topics."{key}"]\nth = ["ไต้หวัน"]\n' for key in keys)


@pytest.mark.parametrize(
    ("name", "look_alike"),
    [
        ("ไต้หวัน", "ไต้หวัน "),  # a space after it
        ("ไต้หวัน", " ไต้หวัน"),
        ("ไต้หวัน", "ไต้หวัน\u200b"),  # a zero-width space
        ("ไต้หวัน", "ไต้\u200dหวัน"),  # a zero-width joiner inside
        ("ไต้หวัน", "\ufeffไต้หวัน"),  # a byte-order mark
        ("ไต้หวัน", "ไต้\u00adหวัน"),  # a soft hyphen
        ("เมือง อัจฉริยะ", "เมือง\u00a0\u00a0อัจฉริยะ"),  # a run of no-break spaces
        ("ที่ปรึกษา", "ท\u0e48\u0e35ปรึกษา"),  # the tone mark typed before the vowel
        ("Caf\u00e9 Tech", "Cafe\u0301 Tech"),  # NFC and NFD
        ("ความร่วมมือ AI", "ความร่วมมือ ai"),  # case
    ],
)
def test_topics_whose_names_differ_only_where_a_reader_sees_no_difference_are_refused(
    name: str, look_alike: str
) -> None:
    # Each alone is a topic; together they would be two sections and two feeds of one name.
    assert name in rules_from_text(_topics_toml(name)).topics
    assert look_alike in rules_from_text(_topics_toml(look_alike)).topics
    with pytest.raises(ValueError) as refused:
        rules_from_text(_topics_toml(name, look_alike))
    message = str(refused.value)
    assert message.endswith(
        "are one name written two ways (they differ only in white space, invisible"
        " characters, Unicode normalisation or case): give one another name, or write its"
        " terms under the other's name to add them to that topic"
    )
    assert repr(name) in message and repr(look_alike) in message


def test_topics_whose_names_a_reader_tells_apart_are_two() -> None:
    names = ("ไต้หวัน", "ไต้ หวัน", "Cafe Tech", "Caf\u00e9 Tech", "ความร่วมมือ AI", "ความร่วมมือ AIS")
    assert set(names) <= set(rules_from_text(_topics_toml(*names)).topics)


@pytest.mark.parametrize(
    "name",
    [
        "\u200b\u200e",  # a zero-width space and a left-to-right mark
        "\u2066\u2069",  # a direction isolate, opened and closed
        "\u200c\u200d\ufeff",  # zero-width non-joiner and joiner, byte-order mark
        " \u3000",  # white space, ideographic too
        "",
        "\ufe0f\u034f",  # a variation selector, the combining grapheme joiner
        "\u3164",  # the Hangul filler, a letter that shows nothing
        "\u115f\uffa0",  # the Hangul choseong and halfwidth fillers
        "\u2800",  # the blank braille cell
    ],
)
def test_a_topic_whose_name_shows_nothing_is_refused(name: str) -> None:
    # Its section in the digest would have an empty heading.
    toml_key = "".join(f"\\u{ord(char):04x}" for char in name)
    with pytest.raises(ValueError, match=r"has a name that shows nothing"):
        rules_from_text(f'[topics."{toml_key}"]\nen = ["quantum"]')


def test_a_topic_named_with_an_emoji_joined_by_a_zero_width_joiner_is_kept() -> None:
    rules = rules_from_text('[topics."\\U0001f469\\u200d\\U0001f4bb"]\nen = ["coder"]')
    assert "\U0001f469\u200d\U0001f4bb" in rules.topics  # woman technologist


def test_a_topic_in_thai_script_has_a_feed_name_of_its_own() -> None:
    rules = rules_from_text(
        '[topics."ดาวเทียม"]\nth = ["ดาวเทียม"]\n[topics."เซมิคอนดักเตอร์"]\nth = ["ชิป"]'
    )
    assert {"ดาวเทียม", "เซมิคอนดักเตอร์"} <= set(rules.topics)
    stems = {topic_stem("ดาวเทียม"), topic_stem("เซมิคอนดักเตอร์")}
    assert len(stems) == 2 and "topic" not in stems and all(stems)
    # The packaged topics keep their names (their subscribers' URLs).
    assert topic_stem("smart-city") == "smart-city" and topic_stem("telecom-5g") == "telecom-5g"


def test_a_topic_named_in_thai_with_latin_letters_adds_a_hash_only_where_names_clash() -> None:
    # Its ASCII letters alone would name the packaged ai's file, or one another's; a name
    # they give no other topic is the name an earlier release gave its feed.
    rules = rules_from_text(
        '[topics."ความร่วมมือ AI"]\nth = ["ความร่วมมือด้านเอไอ"]\n'
        '[topics."ความร่วมมือ 5G"]\nth = ["ความร่วมมือด้าน 5G"]\n'
        '[topics."ปัญญาประดิษฐ์ 5G"]\nth = ["เอไอ 5G"]\n'
        '[topics."ความร่วมมือ Quantum5"]\nth = ["ควอนตัม 5"]'
    )
    stems = topic_stems(rules.topics)
    assert (stems["ai"], stems["ความร่วมมือ Quantum5"]) == ("ai", "quantum5")
    clashing = [stems[topic] for topic in ("ความร่วมมือ AI", "ความร่วมมือ 5G", "ปัญญาประดิษฐ์ 5G")]
    assert [re.fullmatch(r"(ai|5g)-[0-9a-f]{12}", stem) is not None for stem in clashing] == [
        True
    ] * 3
    assert len(set(stems.values())) == len(stems)
    assert re.fullmatch(r"[0-9a-f]{12}", topic_stem("\U0001f469\u200d\U0001f4bb"))  # no letter


def test_a_topic_feed_named_by_a_hash_keeps_its_file_name_from_release_to_release() -> None:
    # Its subscribers' URL: the first hex digits of the SHA-256 of the name as UTF-8,
    # as `printf '%s' NAME | sha256sum` prints them.
    assert topic_stem("ดาวเทียม") == "8736a4c32412"
    stems = topic_stems(["ai", "ความร่วมมือ AI"], ["AI"])
    assert stems == {"ai": "ai", "ความร่วมมือ AI": "ai-a3094cf9f021", "AI": "ai-11fb682be0a0233d"}


def test_topics_stored_under_names_that_share_a_feed_name_get_a_file_each() -> None:
    # "AI" and "Quantum", stored by a rules file since changed, beside ai and quantum of the
    # rules: those of the rules keep their files, whichever topics have articles this week.
    rules = ["ai", "smart-city", "quantum"]
    stems = topic_stems(rules, ["Quantum", "AI", "Smart City", "ai", "quantum"])
    assert [stems[topic] for topic in rules] == ["ai", "smart-city", "quantum"]
    assert re.fullmatch(r"ai-[0-9a-f]{16}", stems["AI"])
    assert re.fullmatch(r"smart-city-[0-9a-f]{16}", stems["Smart City"])
    assert re.fullmatch(r"quantum-[0-9a-f]{16}", stems["Quantum"])
    assert topic_stems(rules, ["Quantum"])["Quantum"] == stems["Quantum"]
    assert topic_stems(rules, ["quantum"])["quantum"] == "quantum"
    # A stored topic no other has keeps its name, unless a file written holds another's feed.
    assert topic_stems(rules, ["Blockchain"])["Blockchain"] == "blockchain"
    held = {"blockchain": "BlockChain"}
    assert topic_stems(rules, ["Blockchain"], held)["Blockchain"] != "blockchain"
    assert topic_stems(rules, ["BlockChain"], held)["BlockChain"] == "blockchain"
    # A topic of the rules given a hash beside another, which is taken out of the rules,
    # keeps its file: its plain name is no file of its own.
    both = topic_stems(["ความร่วมมือ 5G", "ปัญญาประดิษฐ์ 5G"])
    alone = topic_stems(["ความร่วมมือ 5G"], [], {both["ความร่วมมือ 5G"]: "ความร่วมมือ 5G"})
    assert alone["ความร่วมมือ 5G"] == both["ความร่วมมือ 5G"] != "5g"
    assert topic_stems(["ความร่วมมือ 5G"])["ความร่วมมือ 5G"] == "5g"


def test_each_terms_effect_in_each_place_is_its_groups_weight_there() -> None:
    # signals() adds up these, made once with the rules, instead of working each out at
    # each match: every member of every term, in every place, in the members' order.
    for (where, term), effects in RULES.effects.items():
        members = RULES.members[term]
        assert [(e.match.group, e.role, e.weight) for e in effects] == [
            (m.group, m.role, m.weight) for m in members
        ]
        for effect, member in zip(effects, members, strict=True):
            assert effect.match == Match(RULES.spelling[term], member.group, where)
            assert effect.once == (term, member.group)
            assert effect.signal == f"{member.group}@{where}"
            assert effect.gain == member.weight * RULES.places[where]
    assert len(RULES.effects) == 3 * len(RULES.members)
