"""Relevance of an article to digital-economy cooperation, with topic tags.

The definition is the labelling guide's: an article is relevant when its main
subject is digital AND it reports Thailand's government side working with a
partner on it. A learned model (:mod:`thaidigest.classifier`, trained on
double-labelled articles by ``thaidigest train-relevance``) gives the
probability; ``relevant`` is ``probability >= threshold``, the one number a
user moves (``[relevance] threshold`` in ``thaidigest.toml``).

This module holds the rule terms, kept as data in ``relevance_rules.toml``,
and what they give:

- **signals** for the model: for each term group and each place (title, lead,
  body), how strongly it matched, ``1 - exp(-sum of term weights)``;
- **topic tags**: each topic's evidence sums term weights times the weight of
  the place (title > lead > body; lead and body totals are capped) and a topic
  is tagged when ``1 - exp(-evidence)`` reaches ``topic_min``;
- the user's **always** and **never** terms (groups with ``role = "always"``
  or ``"never"`` in the user's rules file): an article matching one is set to
  probability 1 or 0; ``never`` wins.

Matching: Thai has no spaces, so Thai terms match as substrings; English terms
match case-insensitively on word boundaries. Each text is scanned once for
all terms of every group, for the leftmost-longest term at each point: Thai
terms with an Aho-Corasick automaton (:class:`~thaidigest.matching.Automaton`,
several times faster than a regular expression on Thai text), English terms
with another, in the lower-cased ASCII bytes of the text, whose matches are then
checked for word boundaries (a trie-shaped regular expression in the lower-cased
text when an English term is not ASCII). A longer term also counts for each
role of the shorter terms inside it, unless the rules give it that role
themselves (``กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม`` is weak digital evidence,
not a strong ``ดิจิทัล``) or list it among the ``ignore`` terms: then it counts for
its own groups alone (``ศูนย์ข้อมูลขนาดใหญ่``, a large data centre, is digital but not
the big data, ``ข้อมูลขนาดใหญ่``, of a topic). Terms of the ``ignore`` role (``ขอความร่วมมือ``,
"please cooperate") take their text out of play; a forum's name that the partner rules
read as named for its region (:func:`~thaidigest.partners.names_a_region`:
``ในภูมิภาคอาเซียน``, "ASEAN Digital Hub") counts for nothing: neither the forum's topic
nor cooperation.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from thaidigest.classifier import (
    BLOCKS,
    OPENING_CHARS,
    STACKING,
    WORD_BLOCK,
    Contribution,
    Model,
    load_model,
    sigmoid,
)
from thaidigest.config import (
    DEFAULTS,
    blank_item_problem,
    list_problem,
    read_toml_text,
    toml_value,
    type_problem,
)
from thaidigest.matching import Automaton, labels_inside, single_spaced
from thaidigest.normalise import name_key, shows_nothing
from thaidigest.partners import (
    Found,
    PartnerTable,
    found_partners,
    names_a_region,
    partner_name,
    partner_table,
)
from thaidigest.plural import listed
from thaidigest.urls import name_hash, path_name
from thaidigest.words import WORD_CHARS

__all__ = [
    "ROLE_SIGNALS",
    "Match",
    "Relevance",
    "Rules",
    "Signals",
    "explain",
    "load_rules",
    "reasons",
    "role_signals",
    "rules_from_text",
    "score",
    "score_each",
    "signal_words",
    "signals",
    "topic_stem",
    "topic_stems",
]

PLACES = ("title", "lead", "body")
_PLACE_ORDER = {place: i for i, place in enumerate(PLACES)}
PARTNER_KINDS = ("country", "org", "company")  # as partner ids begin: country:JP
# The model's partner signals (partner_signals), named as rule signals are: what@where.
PARTNER_SIGNALS = (
    *(f"partner-{kind}@opening" for kind in PARTNER_KINDS),
    "partner@opening",
    "partners@opening",
    "partner@title",
)
# Pairs of roles the model weighs together (role_signals): the guide's two conditions.
ROLE_PAIRS = (("digital", "cooperation"),)
ROLE_SIGNALS = tuple(f"{first}-x-{second}@article" for first, second in ROLE_PAIRS)
# The guide's conditions among the signals (digital AND cooperation, a partner named): what
# explain says a not relevant article lacks.
GUIDE_SIGNALS = (*ROLE_SIGNALS, "partner@opening")
# A guide's condition an article meets at less than this strength (its signal's input, 0..1)
# is one it lacks: few digital terms, no partner named. Met more strongly, it is not lacking.
LACKING_BELOW = 0.5
# What each signal finds, in words (explain shows them beside the names): the packaged
# rules' groups other than the topics (a topic's group is named by the topic), the role
# pairs and the partner signals; and where, by the part of a name after "@".
SIGNAL_WORDS = {
    "digital": "digital terms",
    "digital-weak": "loose digital words",
    "cooperation": "cooperation terms",
    "cooperation-formal": "signing and fields of cooperation",
    "cooperation-weak": "loose cooperation words",
    "negative": "off-topic terms",
    **{
        signal.partition("@")[0]: f"{first} and {second} terms together"
        for (first, second), signal in zip(ROLE_PAIRS, ROLE_SIGNALS, strict=True)
    },
    "partner-country": "countries named as partners",
    "partner-org": "organisations named as partners",
    "partner-company": "companies named as partners",
    "partner": "partners named",
    "partners": "the number of partners named",
}
SIGNAL_PLACES = {
    "title": "headline",
    "lead": "lead",
    "body": "body",
    "opening": "headline and opening",
    "article": "whole article",
}
# What each block of text features is, in explain's words.
TEXT_BLOCK_WORDS = {
    **{block: f"the words of the {SIGNAL_PLACES[block]} (n-grams)" for block in BLOCKS},
    WORD_BLOCK: "the words and word pairs of the headline and body",
}
REASONS = 2  # the reasons explain's first sentence gives at most
SCORE_PLACES = 4  # a probability is stored and judged to this many decimal places
# The share of all that moved an article towards its verdict (where every article starts
# included) a reason must stand for to be named: not a tiny weight while the starting
# point does the work.
REASON_SHARE = 0.2
# What the article's features moved it against its verdict, as a share of the way from
# where every article starts to the threshold, at or under which explain says they did not
# move it, not that they lift it short of the threshold: a tenth of the way leaves the
# probability where it started next to the threshold it is compared with (+0.27 against a
# way of 6.85 takes 0.0011 to 0.0014), and a share, unlike a fixed size, is as small
# against a threshold near the start as against one far off.
MOVED_LITTLE = 0.1
# The most decimal places the sentence shows a probability and its threshold to: a float's
# 17 significant digits tell any two apart.
SHOWN_PLACES_MAX = 17
# What a lone combining mark is set on to be shown (U+25CC DOTTED CIRCLE, as in Unicode's
# charts and typographers' tables): an n-gram explain lists that opens with a Thai tone or
# vowel mark would otherwise sit on the quote before it.
DOTTED_CIRCLE = "\u25cc"
FIXED_ROLES = ("digital", "cooperation", "negative", "ignore", "always", "never")
NUMBERS = {"topic_min": float, "lead_paragraphs": int, "lead_min_chars": int}  # and their kinds
DEFAULT_THRESHOLD: float = DEFAULTS["relevance"]["threshold"]
PLACE_KEYS = ("title", "lead", "body", "lead_cap", "body_cap")
TERM_KEYS = ("th", "en")
DEFAULT_RULES = "relevance_rules.toml"
# The most terms a user's rules file may add: 20,000 words and phrases load in about
# two seconds, nested ones in time that grows with the file's size (a few hundred
# thousand in several, and the matching grows with them); no list of what one reader
# wants looked for runs longer.
USER_TERMS_MAX = 20_000

_THAI = re.compile(r"[\u0e00-\u0e7f]")
_SPACES = re.compile(r"\s+")
_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789")
# The characters beyond ASCII whose str.lower() holds an ASCII character, and their
# lower case (a test reads every code point of the running Python's Unicode).
_LOWER_TO_ASCII = (("\u0130", "i\u0307"), ("\u212a", "k"))


class Match(NamedTuple):
    """One matched term: the term as written in the rules, its group and place."""

    term: str
    group: str
    where: str  # "title" | "lead" | "body"


@dataclass(frozen=True)
class Signals:
    """What the rule terms found in one article."""

    strengths: Mapping[str, float]  # ``group@place`` -> 0..1, the model's rule signals
    roles: Mapping[str, float]  # role -> 0..1, weighted by place and capped (topics use these)
    topics: tuple[str, ...]
    matches: tuple[Match, ...]
    always: tuple[str, ...]  # the user's always / never terms found
    never: tuple[str, ...]


@dataclass(frozen=True)
class Relevance:
    """The verdict on one article."""

    score: float  # the probability that it is relevant, 0..1
    relevant: bool  # score >= threshold
    topics: tuple[str, ...]
    matches: tuple[Match, ...]
    always: tuple[str, ...]
    never: tuple[str, ...]
    threshold: float


@dataclass(frozen=True)
class Member:
    """A group a matched term counts for."""

    group: str
    role: str
    weight: float


class Effect(NamedTuple):
    """What one rule term found in one place does for one group it counts for."""

    match: Match
    once: tuple[str, str]  # (term, group): a signal counts each term once a place
    role: str
    signal: str  # ``group@place``
    weight: float
    gain: float  # the weight times the place's: topic evidence


@dataclass(frozen=True)
class Rules:
    """Compiled rules: numbers, term groups, and the two matching patterns."""

    topic_min: float
    lead_paragraphs: int
    lead_min_chars: int
    places: Mapping[str, float]
    caps: Mapping[str, float]  # most evidence per role from the lead and from the body
    topics: tuple[str, ...]
    members: Mapping[str, tuple[Member, ...]]  # by lookup key (see _key)
    spelling: Mapping[str, str]  # lookup key -> the term as written in the rules
    thai: Automaton | None  # finds the keys of the Thai terms
    # The English terms, when all are ASCII (the packaged ones are): found in ASCII bytes.
    ascii: Automaton | None
    # The English terms otherwise: lower-case terms; word boundaries are checked in find().
    english: re.Pattern[str] | None
    # By (place, lookup key): each member's work, done once here instead of at each match.
    effects: Mapping[tuple[str, str], tuple[Effect, ...]]
    topic_roles: tuple[tuple[str, str], ...]  # (topic, its role)
    # The keys of the terms that name a forum (a multilateral body of the packaged partner
    # names): one named for its region counts for nothing (_named_for_regions).
    forums: frozenset[str]

    def find(self, text: str) -> list[str]:
        """The rule terms found in ``text``, in order, as keys of ``members``."""
        (found,) = self.find_each([text])
        return found

    def find_each(self, texts: Sequence[str]) -> list[list[str]]:
        """:meth:`find` of each of ``texts``."""
        found: list[list[str]] = []
        for text in texts:
            thai = self.thai if self.thai is not None and _THAI.search(text) else None
            # Both automata search the text single-spaced, as their terms are written.
            flat = single_spaced(text) if thai is not None or self.ascii is not None else text
            terms = thai.found(flat) if thai is not None else []
            if self.ascii is not None:
                terms += _ascii_found(self.ascii, flat)
            elif self.english is not None:
                terms += _english_found(self.english, text)
            found.append(terms)
        return found


def _ascii_found(terms: Automaton, flat: str) -> list[str]:
    """The terms ``terms`` finds on word boundaries in single-spaced ``flat``, as
    :func:`_english_found` finds them in the text: for ASCII terms, with neither "?"
    nor an empty one.

    They are searched in ASCII bytes, the lower case of ``flat`` with "?" for each
    character beyond ASCII. But for those of ``_LOWER_TO_ASCII``, such a character
    lowers to characters beyond ASCII, which are in no term and in no word, as "?"
    is not. Lowering ASCII bytes is several times faster than lowering Thai text,
    and an automaton's search than a regular expression's.
    """
    for char, lower in _LOWER_TO_ASCII:
        flat = flat.replace(char, lower)
    text = flat.encode("ascii", "replace").lower()
    size = len(text)
    return [
        key
        for start, end, key in terms.byte_spans(text)
        if (not start or text[start - 1] not in _WORD_BYTES)
        and (end == size or text[end] not in _WORD_BYTES)
    ]


def _english_found(terms: re.Pattern[str], text: str) -> list[str]:
    """The terms of the trie expression ``terms`` on word boundaries in ``text``'s lower case."""
    found = []
    lower = text.lower()
    for match in terms.finditer(lower):
        start, end = match.span()
        before = lower[start - 1] if start else " "
        after = lower[end] if end < len(lower) else " "
        if before not in _WORD and after not in _WORD:
            found.append(_key(match.group()))
    return found


def rules_digest(user_rules: str | None = None) -> str:
    """sha256 of the packaged rules file, and of a user's rules text when given."""
    text = resources.files("thaidigest").joinpath(DEFAULT_RULES).read_text("utf-8")
    digest = hashlib.sha256(text.encode())
    if user_rules is not None:
        digest.update(b"\0" + user_rules.encode())
    return digest.hexdigest()


def load_rules(path: Path | None = None) -> Rules:
    """The packaged default rules, extended and overridden by the TOML file at ``path``.

    A user file adds terms to existing groups (lists are merged), may add groups
    (with a ``role``) and topics, and overrides any number.
    """
    return rules_from_text(read_toml_text(path) if path else None)


@lru_cache(maxsize=16)
def rules_from_text(user_rules: str | None) -> Rules:
    """The default rules extended by a user rules file's text; compiled once per text."""
    data = tomllib.loads(resources.files("thaidigest").joinpath(DEFAULT_RULES).read_text("utf-8"))
    if user_rules is not None:
        user = tomllib.loads(user_rules)
        _check_user_rules(user)
        data = _merge(data, user)
    return _compile(data)


def _check_user_rules(user: dict[str, Any]) -> None:
    """Refuse a value of a user's rules file that is not of its kind, in one line naming it:
    a string where a list of terms belongs (``th = "ควอนตัม"`` would make each of its
    characters a term), a blank term, a number that is not one or is negative (a weight,
    a place's weight or cap, a paragraph count, a length, a strength: none means anything
    below 0), a ``topic_min`` that is not above 0 and below 1 (:func:`_topic_min_problem`),
    more terms than :data:`USER_TERMS_MAX`."""
    for key, kind in (("groups", "group"), ("topics", "topic")):
        tables = user.get(key, {})
        problem = type_problem(tables, dict)
        if problem:
            raise ValueError(f"{key}: {problem}")
        for name, table in tables.items():
            problem = type_problem(table, dict) or _group_problem(table)
            if problem:
                raise ValueError(f"{kind} {name!r}: {problem}")
    places = user.get("places", {})
    problem = type_problem(places, dict)
    if problem:
        raise ValueError(f"places: {problem}")
    for place, weight in places.items():
        problem = _number_problem(weight, float)
        if problem:
            raise ValueError(f"places: {place}: {problem}")
    for key, kind in NUMBERS.items():
        if key not in user:
            continue
        value = user[key]
        problem = _topic_min_problem(value) if key == "topic_min" else _number_problem(value, kind)
        if problem:
            raise ValueError(f"{key}: {problem}")
    terms = sum(
        len(table.get(field, []))
        for key in ("groups", "topics")
        for table in user.get(key, {}).values()
        for field in TERM_KEYS
    )
    if terms > USER_TERMS_MAX:
        raise ValueError(
            f"{terms:,} terms: a rules file holds at most {USER_TERMS_MAX:,}"
            " (each term is looked for in every article)"
        )


def _topic_min_problem(value: Any) -> str | None:
    """Why ``value`` is no ``topic_min``: a number above 0 and below 1. A topic's strength,
    ``1 - exp(-evidence)``, is 0 with no evidence, so 0 tags every topic on every article;
    it nears 1 but reaches 1.0 only at an evidence of about 38, so 1 tags none in practice."""
    problem = type_problem(value, float)
    if problem is None and not 0 < value < 1:
        return (
            "must be above 0 and below 1 (a topic's strength, 1 - exp(-evidence), is 0 with"
            f" no evidence and below 1 in practice: 0 would tag every topic, 1 none), not"
            f" {toml_value(value)}"
        )
    return problem


def _group_problem(table: dict[str, Any]) -> str | None:
    """What is wrong with the fields of a group's or a topic's table of a user's rules file."""
    for field in TERM_KEYS:
        problem = list_problem(table.get(field, []), str, blank_item_problem)
        if problem:
            return f"{field}: {problem}"
    problem = _number_problem(table["weight"], float) if "weight" in table else None
    return f"weight: {problem}" if problem else None


def _number_problem(value: Any, kind: type) -> str | None:
    """Why ``value`` is not a number of ``kind`` a rules file can mean: of its kind, and
    not negative."""
    problem = type_problem(value, kind)
    if problem is None and value < 0:
        return f"must be at least 0, not {toml_value(value)}"
    return problem


def _merge(base: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """Merge ``user`` into ``base``: numbers are replaced, term lists extended."""
    merged = dict(base)
    for key, value in user.items():
        if key in ("groups", "topics"):
            tables = {name: dict(table) for name, table in merged.get(key, {}).items()}
            for name, table in value.items():
                current = tables.setdefault(name, {})
                for field, item in table.items():
                    if field in TERM_KEYS:
                        current[field] = [*current.get(field, []), *item]
                    else:
                        current[field] = item
            merged[key] = tables
        elif key == "places":
            merged[key] = {**merged.get(key, {}), **value}
        elif key in NUMBERS:
            merged[key] = value
        elif key in ("threshold", "condition"):
            raise ValueError(
                f"relevance rules: {key!r} is no longer a rule; "
                "set [relevance] threshold in thaidigest.toml"
            )
        else:
            raise ValueError(f"unknown key in relevance rules: {key!r}")
    return merged


def _compile(data: dict[str, Any]) -> Rules:
    places = data["places"]
    unknown = set(places) - set(PLACE_KEYS)
    if unknown:
        raise ValueError(f"unknown place in relevance rules: {sorted(unknown)}")
    explicit: dict[str, list[Member]] = {}
    spelling: dict[str, str] = {}
    for name, table in data.get("groups", {}).items():
        role = table.get("role")
        if role is None:
            raise ValueError(f"group {name!r} needs a role, one of {', '.join(FIXED_ROLES)}")
        problem = type_problem(role, str)
        if problem:
            raise ValueError(f"group {name!r}: role: {problem}")
        if role not in FIXED_ROLES:
            raise ValueError(
                f"group {name!r}: role {role!r} is not one of {', '.join(FIXED_ROLES)}"
            )
        _add_terms(explicit, spelling, table, Member(name, role, float(table.get("weight", 1.0))))
    topics = tuple(sorted(data.get("topics", {})))
    _check_shown_names(topics)
    _check_feed_names(topics)
    _check_names_apart(topics)
    for name in topics:
        table = data["topics"][name]
        member = Member(name, f"topic:{name}", float(table.get("weight", 1.0)))
        _add_terms(explicit, spelling, table, member)
    members = _inherit(explicit)
    thai = [term for term in members if _THAI.search(term)]
    english = [term for term in members if not _THAI.search(term)]
    # A term holding "?" or none at all is not found in ASCII bytes (see _ascii_found).
    in_ascii = all(term.isascii() and term and "?" not in term for term in english)
    weights = {p: float(places[p]) for p in PLACES}
    names = partner_table(None)
    forums = frozenset(term for term in members if names.ids.get(term) in names.multilateral)
    effects = {
        (where, term): tuple(
            Effect(
                Match(spelling[term], m.group, where),
                (term, m.group),
                m.role,
                f"{m.group}@{where}",
                m.weight,
                m.weight * weights[where],
            )
            for m in term_members
        )
        for term, term_members in members.items()
        for where in PLACES
    }
    return Rules(
        topic_min=float(data["topic_min"]),
        lead_paragraphs=int(data["lead_paragraphs"]),
        lead_min_chars=int(data["lead_min_chars"]),
        places=MappingProxyType(weights),
        caps=MappingProxyType({p: float(places[f"{p}_cap"]) for p in ("lead", "body")}),
        topics=topics,
        members=MappingProxyType(members),
        spelling=MappingProxyType(spelling),
        thai=Automaton(thai) if thai else None,
        ascii=Automaton(english) if english and in_ascii else None,
        english=re.compile(_trie_pattern(english)) if english and not in_ascii else None,
        effects=MappingProxyType(effects),
        topic_roles=tuple((topic, f"topic:{topic}") for topic in topics),
        forums=forums,
    )


def topic_stem(topic: str) -> str:
    """The plain file name of a topic's feed, without suffix: ``smart-city`` ->
    ``smart-city``, ``Smart City/IoT`` -> ``smart-city-iot``.

    The name keeps the topic's ASCII letters and digits, in lower case, with
    hyphens between (the packaged topics are named so already): a name safe in any
    file system and URL, whatever the topic's name holds (``/``, ``..``, spaces). A
    topic with none (Thai script only, an emoji) is named by a hash of its name, as a
    partner is (:func:`thaidigest.partners.feed_stem`). The digest names the feeds of
    the topics it writes with :func:`topic_stems`, which adds a hash where two would share
    one name.
    """
    return path_name(topic) or name_hash(topic)[:12]


def topic_stems(
    rules_topics: Iterable[str],
    stored: Iterable[str] = (),
    held: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Each topic's feed file name, without suffix, none shared: the topics of the rules
    (``rules_topics``, packaged and the user's) and those ``stored`` with the articles by a
    rules file since changed.

    A topic of the rules has its :func:`topic_stem`, the name it had before names were
    ever shared, unless that would be another topic's of the rules too and its name has
    letters outside ASCII: then the name adds a short hash of itself ("ความร่วมมือ AI" ->
    ``ai-`` and a hash, beside the packaged ``ai``). A rules file whose topics in ASCII
    alone would share a name is refused (:func:`_check_feed_names`). A stored topic no
    longer in the rules ("Quantum" stored, ``quantum`` now) keeps its plain name unless a
    topic of the rules has it or a file written before holds another topic's feed
    (``held``: the topic whose feed each written file holds, by stem): then it adds a
    longer hash. A topic whose file, written before, no other topic takes keeps it,
    whatever its name would be now. So the names depend on the rules and the files
    written, never on which topics have articles in the week, and a file keeps the topic
    it holds.
    """
    rules = list(dict.fromkeys(rules_topics))
    plain = Counter(topic_stem(topic) for topic in rules)
    stems: dict[str, str] = {}
    for topic in rules:
        stem = topic_stem(topic)
        if plain[stem] > 1 and not topic.isascii():
            stem = f"{stem}-{name_hash(topic)[:12]}"
        stems[topic] = stem
    taken = set(stems.values())
    held = held or {}
    for topic in sorted(set(stored) - set(stems)):
        stem = topic_stem(topic)
        digest = name_hash(topic)
        for length in (16, len(digest)):
            if stem not in taken and held.get(stem, topic) == topic:
                break
            stem = f"{topic_stem(topic)}-{digest[:length]}"
        stems[topic] = stem
        taken.add(stem)
    # A topic whose name moved (a rules file changed) keeps the file that holds its feed,
    # when no other is written there: else the file would be written again empty, one
    # feed in two files.
    for stem, topic in sorted(held.items()):
        if topic in stems and stem not in taken and held.get(stems[topic]) != topic:
            taken.discard(stems[topic])
            stems[topic] = stem
            taken.add(stem)
    return stems


def _check_shown_names(topics: Iterable[str]) -> None:
    """Refuse a topic whose name shows nothing (zero-width spaces, direction marks, white
    space): its section's heading, its feed's title and its line on the archive page would
    be blank. No other name can stand in: the name is the topic's id, stored with each
    article it tags, and two such names (a zero-width space, a zero-width joiner) would
    be two topics that look alike."""
    for topic in topics:
        if shows_nothing(topic):
            raise ValueError(
                f"topic {topic!r} has a name that shows nothing (only white space or"
                " invisible characters): give it a name a reader can see"
            )


def _check_feed_names(topics: Iterable[str]) -> None:
    """Refuse two topics whose feeds would be one file ("Smart City" and ``smart-city``):
    names in ASCII alone of one :func:`topic_stem` (a name with letters outside ASCII adds
    a hash instead: :func:`topic_stems`).

    They are not merged: a topic's name is stored with each article it tags and
    titles its section, so two names would still be two topics; a user who means
    the packaged topic adds terms to it under its own name.
    """
    stems: dict[str, str] = {}
    for topic, stem in topic_stems(topics).items():
        other = stems.setdefault(stem, topic)
        if other != topic:
            raise ValueError(
                f"topics {other!r} and {topic!r} would share one feed file"
                f" ({stem}.atom): give one another name, or write its terms"
                f" under the other's name to add them to that topic"
            )


def _check_names_apart(topics: Iterable[str]) -> None:
    """Refuse two topics whose names look alike: they differ only in white space,
    characters that show nothing, Unicode normalisation (NFC, NFD) or case
    (:func:`~thaidigest.normalise.name_key`), as ``"ไต้หวัน"`` and ``"ไต้หวัน "`` do.

    Their feeds have files of their own (a hash of each name: :func:`topic_stem`), but
    a reader would see two sections, two feeds and two lines on the archive page of
    one name. As with names of one feed file, they are not merged (see
    :func:`_check_feed_names`).
    """
    names: dict[str, str] = {}
    for topic in topics:
        other = names.setdefault(name_key(topic), topic)
        if other != topic:
            raise ValueError(
                f"topics {other!r} and {topic!r} are one name written two ways (they differ"
                " only in white space, invisible characters, Unicode normalisation or case):"
                " give one another name, or write its terms under the other's name to add"
                " them to that topic"
            )


def _add_terms(
    explicit: dict[str, list[Member]],
    spelling: dict[str, str],
    table: dict[str, Any],
    member: Member,
) -> None:
    unknown = set(table) - {"role", "weight", *TERM_KEYS}
    if unknown:
        raise ValueError(f"unknown field in group {member.group!r}: {sorted(unknown)}")
    for term in (*table.get("th", []), *table.get("en", [])):
        key = _key(term)
        spelling.setdefault(key, term)
        if member not in explicit.setdefault(key, []):
            explicit[key].append(member)


def _inherit(explicit: dict[str, list[Member]]) -> dict[str, tuple[Member, ...]]:
    """Give each term the roles of the shorter terms inside it that it lacks: inside a
    term holding Thai, found anywhere; inside another, on word boundaries (no ASCII letter
    or digit either side)."""
    terms = list(explicit)
    inside = labels_inside(
        terms,
        [explicit[term] for term in terms],
        [_THAI.search(term) is None for term in terms],
        _WORD,
    )
    members: dict[str, tuple[Member, ...]] = {}
    for (term, own), theirs in zip(explicit.items(), inside, strict=True):
        found = list(own)
        if all(m.role != "ignore" for m in own):
            roles = {m.role for m in own}
            found.extend(m for m in theirs if m.role not in roles and m.role != "ignore")
        best: dict[str, Member] = {}
        for m in found:
            if m.group not in best or m.weight > best[m.group].weight:
                best[m.group] = m
        members[term] = tuple(best.values())
    return members


def _key(text: str) -> str:
    """The lookup key of a term or matched text: spaces collapsed, lower case."""
    return _SPACES.sub(" ", text.strip()).lower()


def _trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, longest first, built from a trie."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alternatives = [
            (r"\s+" if char == " " else re.escape(char)) + build(child)
            for char, child in sorted(node.items())
            if char
        ]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _split_lead(title: str, body: str, rules: Rules) -> tuple[str, str]:
    """Split ``body`` into its lead (the first paragraphs) and the rest.

    Lines repeating the title are dropped; lines shorter than
    ``rules.lead_min_chars`` (date lines, labels) do not count as lead paragraphs.
    """
    head = single_spaced(title).strip()
    # Collapsing spaces keeps a stripped line's first character and never lengthens
    # it: test those first.
    lines = [
        line
        for raw in body.split("\n")
        if (line := raw.strip())
        and not (line[0] == head[:1] and len(line) >= len(head) and single_spaced(line) == head)
    ]
    lead: list[str] = []
    for i, line in enumerate(lines):
        if len(lead) >= rules.lead_paragraphs:
            return "\n".join(lead), "\n".join(lines[i:])
        if len(line) >= rules.lead_min_chars:
            lead.append(line)
    return "\n".join(lead), ""


def signals(title: str, body: str, rules: Rules) -> Signals:
    """The rule evidence in one article: signals for the model, topics, matched terms.

    ``title`` and ``body`` are normalised text, body lines joined by "\\n".
    """
    texts = (title, *_split_lead(title, body, rules))
    found = rules.find_each(texts)
    for text, terms in zip(texts, found, strict=True):
        if forums := rules.forums.intersection(terms):
            for key in _named_for_regions(text, forums):
                if key in terms:  # not when the name was part of a longer term found
                    terms.remove(key)
    by_group: dict[str, float] = {}
    total: dict[str, float] = {}  # by role: each place's evidence, capped
    matches: set[Match] = set()
    deciding: dict[str, list[str]] = {"always": [], "never": []}
    for where, terms in zip(PLACES, found, strict=True):
        counted: set[tuple[str, str]] = set()
        gains: dict[str, float] = {}
        repeats = where == "body"  # topic evidence counts repeats in the body
        for term in terms:
            for match, once, role, signal, weight, gain in rules.effects[where, term]:
                matches.add(match)
                if role == "ignore":
                    continue
                first = once not in counted
                counted.add(once)
                if role in deciding:
                    if first:
                        deciding[role].append(match.term)
                    continue
                if first:  # a signal counts each term once a place
                    by_group[signal] = by_group.get(signal, 0.0) + weight
                if first or repeats:
                    gains[role] = gains.get(role, 0.0) + gain
        cap = rules.caps.get(where, math.inf)
        for role, gain in gains.items():
            total[role] = total.get(role, 0.0) + min(gain, cap)
    roles = {role: _strength(gain) for role, gain in total.items()}
    topics = tuple(t for t, role in rules.topic_roles if roles.get(role, 0.0) >= rules.topic_min)
    return Signals(
        strengths=MappingProxyType({key: _strength(gain) for key, gain in by_group.items()}),
        roles=MappingProxyType(roles),
        topics=topics,
        matches=tuple(sorted(matches, key=_match_order)),
        always=tuple(dict.fromkeys(deciding["always"])),
        never=tuple(dict.fromkeys(deciding["never"])),
    )


def _named_for_regions(text: str, forums: Iterable[str]) -> list[str]:
    """The keys of ``forums`` (terms found in normalised ``text``), once for each place
    ``text`` names the forum for its region, as the partner rules read it
    (:func:`~thaidigest.partners.names_a_region`: "ในภูมิภาคอาเซียน", "ASEAN Digital Hub"):
    there it is no evidence of work with the forum, nor of its topic.

    Each term is looked for as the rules find it: a Thai one anywhere, a Latin one on word
    boundaries, in any case (in the text as written when its lower case is longer: a
    character such as "İ" lowers to two).
    """
    lower = text if all(_THAI.search(key) for key in forums) else text.lower()
    if len(lower) != len(text):
        lower = text
    named: list[str] = []
    for key in forums:
        thai = bool(_THAI.search(key))
        start = lower.find(key)
        while start != -1:
            end = start + len(key)
            whole = thai or (
                (not start or lower[start - 1] not in _WORD)
                and (end == len(lower) or lower[end] not in _WORD)
            )
            if whole and names_a_region(text, start, end):
                named.append(key)
            start = lower.find(key, end)
    return named


def _match_order(match: Match) -> tuple[int, str, str]:
    return _PLACE_ORDER[match.where], match.group, match.term


def _strength(evidence: float) -> float:
    return 1.0 - math.exp(-evidence)


def partner_signals(named: Found) -> dict[str, float]:
    """What the model sees of an article's partners (:data:`PARTNER_SIGNALS`).

    A reader of the guide asks whether a partner is named; these let the model
    ask it too: which kinds of partner the headline and opening name, whether
    the headline names one, and how many (``1 - exp(-count)``). With them,
    5-fold cross-validation on the train split gave pooled F1 0.792 at 0.5,
    against 0.770 without (rounds 1-4 in the held-out folds both times).
    """
    kinds = {partner.split(":", 1)[0] for partner in named.ids}
    found = {f"partner-{kind}@opening": 1.0 for kind in PARTNER_KINDS if kind in kinds}
    if named.ids:
        found["partner@opening"] = 1.0
        found["partners@opening"] = _strength(len(named.ids))
    if named.in_headline:
        found["partner@title"] = 1.0
    return found


def role_signals(roles: Mapping[str, float]) -> dict[str, float]:
    """What the model sees of the guide's two conditions together (:data:`ROLE_SIGNALS`):
    the product of the article's digital and cooperation strengths (``Signals.roles``,
    weighted by place and capped), present when both are.

    A relevant article is digital AND reports cooperation; a sum of per-place signals
    cannot say "both", their product can. With it, 5-fold cross-validation on the train
    split (bench folds) gave pooled F1 0.775 at 0.5 (P 0.809, R 0.743) against 0.745
    (P 0.787, R 0.708) without, and 0.763-0.780 against 0.736-0.756 on three other
    fold draws. Instead of it, the pair within one line (0.771) or 60 characters (0.762),
    the headline's digital terms with cooperation or a partner (0.767), the role
    strengths themselves (0.770) or where the first digital term stands (0.744-0.750)
    scored less; beside it they moved F1 by -0.002 to +0.004.
    """
    found = {}
    for (first, second), name in zip(ROLE_PAIRS, ROLE_SIGNALS, strict=True):
        if both := roles.get(first, 0.0) * roles.get(second, 0.0):
            found[name] = both
    return found


def model_inputs(
    title: str, body: str, rules: Rules, found: Signals, named: Found | None = None
) -> Mapping[str, float]:
    """The signals the model takes: those of the packaged rules (with their
    :func:`role_signals`) and the packaged partner names it was trained with. ``named``
    is the article's partners by the packaged names
    (:func:`~thaidigest.partners.found_partners`), found here when not given.

    A user's rules file changes topics and adds always / never terms, and a
    user's partners file adds partners to the article's ``partners``; neither
    changes what the model sees, which would shift its learned weights.
    """
    packaged = rules_from_text(None)
    if rules is not packaged:
        found = signals(title, body, packaged)
    if named is None:
        named = found_partners(title, body, partner_table(None))
    return {**found.strengths, **role_signals(found.roles), **partner_signals(named)}


def score(
    title: str,
    body: str,
    rules: Rules,
    *,
    language: str = "th",
    model: Model | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    named: Found | None = None,
) -> Relevance:
    """Score one article: the model's probability, unless a user's always/never term decides.

    A ``never`` term wins over an ``always`` term (precision first). Either
    sets the probability to 0 or 1, so ``relevant`` is always
    ``probability >= threshold``. ``named``: the article's partners by the
    packaged names, when the caller has found them (see :func:`model_inputs`).
    """
    found = signals(title, body, rules)
    model = model or load_model()
    probability = _probability(title, body, rules, found, named, language, model)
    return _verdict(found, probability, threshold)


def score_each(
    articles: Sequence[tuple[str, str, str, Found | None]],
    rules: Rules,
    *,
    model: Model | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Relevance | ValueError]:
    """:func:`score` of each ``(title, body, language, named)``, or the ValueError that
    rejects it, in order.

    Stage by stage: every article's rule signals, then the model's probabilities of
    all the articles no always / never term decides, in one call
    (:meth:`~thaidigest.classifier.Model.probabilities`), for the same results. The
    rules' automaton and the model's vocabulary then stay in the CPU's caches instead
    of evicting each other at each article, and the model's numpy calls are made once
    for a few hundred articles instead of at each: the model costs an article less than
    when asked article by article (``bench/relevance.py``: docs/measurements.md).
    """
    model = model or load_model()
    found = [_signals_or_error(title, body, rules) for title, body, _, _ in articles]
    # The model scores the articles no always / never term decides, all in one call.
    asked: dict[int, tuple[str, str, Mapping[str, float], str]] = {}
    for i, ((title, body, language, named), evidence) in enumerate(
        zip(articles, found, strict=True)
    ):
        if isinstance(evidence, Signals) and not evidence.never and not evidence.always:
            try:
                inputs = model_inputs(title, body, rules, evidence, named)
            except ValueError as error:
                found[i] = error
            else:
                asked[i] = (title, body, inputs, language)
    probability = dict(zip(asked, model.probabilities(list(asked.values())), strict=True))
    return [
        _verdict(evidence, probability.get(i, _decided(evidence)), threshold)
        if isinstance(evidence, Signals)
        else evidence
        for i, evidence in enumerate(found)
    ]


def _signals_or_error(title: str, body: str, rules: Rules) -> Signals | ValueError:
    try:
        return signals(title, body, rules)
    except ValueError as error:
        return error


def _probability(
    title: str,
    body: str,
    rules: Rules,
    found: Signals,
    named: Found | None,
    language: str,
    model: Model,
) -> float:
    """The probability an article is relevant, 0 or 1 when a never or always term decides."""
    if found.never or found.always:
        return _decided(found)
    return model.probability(title, body, model_inputs(title, body, rules, found, named), language)


def _decided(found: Signals) -> float:
    """The probability a never (0) or always (1) term sets; a never term wins."""
    return 0.0 if found.never else 1.0


def _verdict(found: Signals, probability: float, threshold: float) -> Relevance:
    probability = round(probability, SCORE_PLACES)
    return Relevance(
        score=probability,
        relevant=probability >= threshold,
        topics=found.topics,
        matches=found.matches,
        always=found.always,
        never=found.never,
        threshold=threshold,
    )


def explain(
    title: str,
    body: str,
    rules: Rules,
    *,
    language: str = "th",
    model: Model | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    top: int = 8,
    partners: PartnerTable | None = None,
) -> str:
    """A human-readable account of an article's relevance.

    First a sentence: relevant or not, and the reasons that weighed most (:func:`reasons`).
    Then the probability and the threshold, to as many places as the sentence shows them
    (:func:`_shown`), the topics and the article's partners (by the
    names the digest gives them, with their ids), the features that pushed it up and
    down most (n-grams of the opening, rule, role and partner signals, each signal in words
    too), and the rule terms that matched where.

    ``partners`` is the table the article's partners are found with, as an import stores
    them: the packaged names and the user's partners file
    (:func:`~thaidigest.pipeline.checked_partner_table`); None, the packaged names alone.
    The model sees the packaged names only (:func:`model_inputs`): when those find other
    partners, the line says which.
    """
    from digest.markdown import topic_heading, topic_name  # the digest's names for topics

    model = model or load_model()
    named = found_partners(title, body, partner_table(None))
    verdict = score(
        title, body, rules, language=language, model=model, threshold=threshold, named=named
    )
    topics = [_named(topic_heading(topic), topic) for topic in verdict.topics]
    shown_score, shown_threshold = _shown(verdict)  # as the sentence shows them
    numbers = [
        f"relevance: {shown_score} (probability that the article is relevant)",
        f"relevant: {'yes' if verdict.relevant else 'no'} (threshold {shown_threshold})",
        f"topics: {', '.join(topics) or '-'}",
    ]
    found_by_table = None if partners is None else found_partners(title, body, partners).ids
    if verdict.never or verdict.always:
        kind, terms = ("never", verdict.never) if verdict.never else ("always", verdict.always)
        one = len(terms) == 1
        yours = f"your {kind} {'term' if one else 'terms'}"
        found = named.ids if found_by_table is None else found_by_table
        return "\n".join(
            [
                f"{_verdict_words(verdict)}: {yours} {listed(terms)} "
                f"{'decides' if one else 'decide'} it.",
                *numbers,
                _partners_line(found, found),  # no word of what the model saw: it was not asked
                f"decided by {yours}: {', '.join(terms)} (the model was not asked)",
                *_matched_terms(verdict.matches),
            ]
        )
    packaged = rules_from_text(None)
    found = signals(title, body, packaged)
    inputs = model_inputs(title, body, packaged, found, named)
    parts = model.contributions(title, body, inputs, language)
    weight = model.signal_weight(language)
    stacked = any(c.block == WORD_BLOCK for c in parts)  # read again by its words
    because = reasons(
        verdict.relevant, parts, inputs, found.roles, weight, topic_name, threshold=threshold
    )
    verdict_words = _verdict_words(verdict)
    decided = _decided_by_words(parts, verdict) if stacked else ""
    lines = [f"{verdict_words}: {because}{decided}."]
    lines.extend(numbers)
    lines.append(_partners_line(named.ids, found_by_table))
    kinds = "n-grams, rule and partner signals" if language == "th" else "signals only: not Thai"
    if stacked:
        kinds += f", then words: {_word_stage_band(model)}"
    lines.append(f"log-odds by block ({kinds}):")
    block_words = {
        "bias": "where every article starts",
        **{block: f"n-grams of the {SIGNAL_PLACES[block]}" for block in BLOCKS},
        "signals": "rule, role and partner signals",
        WORD_BLOCK: f"what reading the words of the first {WORD_CHARS:,} characters changed",
    }
    for block, words in block_words.items():
        total = sum(c.value for c in parts if c.block == block)
        if total and block == WORD_BLOCK:
            start = sum(c.value for c in parts if c.feature == STACKING)
            words += (
                f": the words listed below {total - start:+.2f}, where the word reading"
                f" starts and its weighing of the n-grams and signals {start:+.2f}"
            )
        if total:
            lines.append(f"  {block}: {total:+.2f} ({words})")
    parts = [c for c in parts if c.block != "bias" and c.feature != STACKING]
    for heading, sign in (("pushed up most:", 1), ("pushed down most:", -1)):
        lines.append(heading)
        kinds_shown = [("n-grams", BLOCKS), ("signals", ("signals",))]
        if stacked:
            kinds_shown.insert(1, ("words", (WORD_BLOCK,)))
        for kind, blocks in kinds_shown:
            chosen = [c for c in parts if c.block in blocks and c.value * sign > 0][:top]
            lines.extend(
                f"  {c.value:+.3f}  {c.block}: {shown_feature(c.feature)}"
                + (
                    f" ({', '.join(signal_words(c.feature, topic_name))})"
                    if kind == "signals"
                    else ""
                )
                for c in chosen
            )
            if not chosen:
                lines.append(f"  ({kind}: none)")
    lines.extend(_matched_terms(verdict.matches))
    return "\n".join(lines)


def shown_feature(feature: str) -> str:
    """A feature of the model as explain quotes it (Python's ``repr``), one that opens with
    a combining mark (a Thai tone or vowel mark, or ``ำ``, whose circle sits on the letter
    before it) set on a dotted circle, as a lone mark is shown: ``'◌่วม'``, not the mark on
    the quote (``'่วม'``). The circle is no part of the n-gram."""
    if feature and unicodedata.category(unicodedata.normalize("NFKD", feature[0])[0])[0] == "M":
        return repr(DOTTED_CIRCLE + feature)
    return repr(feature)


def _decided_by_words(parts: Sequence[Contribution], verdict: Relevance) -> str:
    """``; the n-grams and signals gave 0.53, and reading its words lowered it below the
    threshold``: what explain's sentence adds when the word stage changed the verdict the
    first reading gave (``parts``: the contributions of both; that reading's probability
    rounded and shown as a verdict's is); nothing otherwise."""
    first = sum(c.value for c in parts if c.block != WORD_BLOCK)
    probability = round(sigmoid(first), SCORE_PLACES)
    first_relevant = probability >= verdict.threshold
    if first_relevant == verdict.relevant:
        return ""
    shown, _ = _shown_pair(probability, verdict.threshold, first_relevant)
    moved = "lifted it past" if verdict.relevant else "lowered it below"
    return f"; the n-grams and signals gave {shown}, and reading its words {moved} the threshold"


def _word_stage_band(model: Model) -> str:
    """Why explain lists words: ``read again as the n-grams and signals gave 0.20-0.80``,
    the band of first-stage probabilities in which the model reads an article again by its
    words."""
    stage = model.word_stage
    assert stage is not None  # only asked of a model that stacked an article
    return f"read again as the n-grams and signals gave {stage.low:.2f}-{stage.high:.2f}"


def _named(name: str, key: str) -> str:
    """``Google (company:Google)``: a name and the id it stands for, or the id alone when
    it is its own name (a topic of a user's rules)."""
    return key if name == key else f"{name} ({key})"


def _partners_line(seen: tuple[str, ...], found: tuple[str, ...] | None) -> str:
    """``partners named: Japan (country:JP)``: the article's partners (``found`` with the
    user's table; None: those the model ``seen``, by the packaged names); with none, where
    partners are read from; and which partners the model saw when they differ."""
    found = seen if found is None else found
    line = f"partners named: {', '.join(_named(partner_name(p), p) for p in found) or '-'}"
    if not found:
        line += (
            f" (partners are read from the headline and the first {OPENING_CHARS:,} "
            "characters of the body: a name further on does not count)"
        )
    if found != seen:
        saw = ", ".join(_named(partner_name(p), p) for p in seen) or "none"
        line += f" (the model reads the packaged names only: it saw {saw})"
    return line


def _shown(verdict: Relevance) -> tuple[str, str]:
    """A verdict's probability and threshold as explain shows them: to two places, or as
    many more as it takes to show a probability below its threshold as a smaller number
    (``0.98700``, ``0.98703``; ``0.001``, ``0.004``), never ``0.99`` and ``0.99``; past
    :data:`SHOWN_PLACES_MAX`, each in full, as Python writes it (``1e-20``, ``2e-20``)."""
    return _shown_pair(verdict.score, verdict.threshold, verdict.relevant)


def _shown_pair(score: float, threshold: float, relevant: bool) -> tuple[str, str]:
    """:func:`_shown` of a probability ``score``, relevant or not at ``threshold``."""
    pairs = (
        (f"{score:.{places}f}", f"{threshold:.{places}f}")
        for places in range(2, SHOWN_PLACES_MAX + 1)
    )
    return next(
        (pair for pair in pairs if relevant or float(pair[0]) < float(pair[1])),
        (str(float(score)), str(float(threshold))),
    )


def _verdict_words(verdict: Relevance) -> str:
    """``Relevant (0.93 >= 0.50)``, ``Not relevant (0.98700 < 0.98703)``: the numbers as
    :func:`_shown` shows them."""
    score, threshold = _shown(verdict)
    if verdict.relevant:
        return f"Relevant ({score} >= {threshold})"
    return f"Not relevant ({score} < {threshold})"


def signal_words(signal: str, topic_name: Callable[[str], str] = str) -> tuple[str, str]:
    """What a signal of the model finds and where, in words (:data:`SIGNAL_WORDS`):
    ``digital-x-cooperation@article`` -> ``("digital and cooperation terms together",
    "whole article")``. A topic's group is named by ``topic_name``: ``ai@title`` ->
    ``("Artificial intelligence topic terms", "headline")``."""
    what, _, where = signal.partition("@")
    return SIGNAL_WORDS.get(what) or f"{topic_name(what)} topic terms", SIGNAL_PLACES[where]


class Reason(NamedTuple):
    """One reason for a verdict: how much of the log-odds it stands for, and its words."""

    size: float
    words: str
    lacked: bool  # a condition the article lacks, not evidence it has


def reasons(
    relevant: bool,
    parts: Sequence[Contribution],
    inputs: Mapping[str, float],
    roles: Mapping[str, float],
    weight: Mapping[str, float],
    topic_name: Callable[[str], str] = str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> str:
    """Why an article is (not) relevant, in words (``mostly because ...``): the
    :data:`REASONS` that weighed most.

    For a relevant article, what pushed it up most: a signal (``parts``: the model's
    contributions) or the n-grams of a block, all together. For one not relevant, what
    pushed it down most, and what it lacks of the guide's conditions
    (:data:`GUIDE_SIGNALS`), each weighed by what the model would add were the signal at
    full strength (``weight`` times what ``inputs`` lacks of 1). A condition is lacking only
    when its input is below :data:`LACKING_BELOW` and its signal did not push the article
    up: digital and cooperation terms that lifted it most are not "few" because a high
    threshold still keeps it out. Of two roles weighed together, the weaker (``roles``: the
    article's strength of each) is named: few digital terms beside many cooperation terms.

    A reason is named only when it stands for :data:`REASON_SHARE` of all that moved the
    article towards its verdict, where every article starts (the bias) included. When what
    the article has worked against the verdict, not past the ``threshold``, the clause says
    so first ("what it has lifts it, but not as far as the threshold"), then the reasons
    that held it there, if any; when it moved the article by nothing, or against the verdict
    by no more than :data:`MOVED_LITTLE` of the way from where every article starts to the
    threshold, it says that the start did it ("every article starts out not relevant, and
    what it has does not lift it"), then the reasons, if any. When no reason is large
    enough otherwise, where every article starts did it, or, when many small reasons did
    it, the largest are named all the same.
    """
    sign = 1 if relevant else -1
    found = [
        Reason(sign * c.value, " in the ".join(signal_words(c.feature, topic_name)), False)
        for c in parts
        if c.block == "signals" and c.value * sign > 0
    ]
    for block, words in TEXT_BLOCK_WORDS.items():
        total = sum(c.value for c in parts if c.block == block)
        if total * sign > 0:
            found.append(Reason(sign * total, words, False))
    if not relevant:
        pushed_up = {c.feature for c in parts if c.block == "signals" and c.value > 0}
        for signal in GUIDE_SIGNALS:
            strength = inputs.get(signal, 0.0)
            if strength >= LACKING_BELOW or signal in pushed_up:
                continue  # met, or enough to push the article up: not what it lacks
            lack = weight.get(signal, 0.0) * (1 - strength)
            if lack > 0:
                found.append(Reason(lack, _lacking(signal, inputs, roles, topic_name), True))
    bias = sum(c.value for c in parts if c.block == "bias")
    moved = max(sign * bias, 0.0) + sum(reason.size for reason in found if not reason.lacked)
    ranked = sorted(found, key=lambda reason: -reason.size)
    chosen = [reason for reason in ranked if reason.size >= REASON_SHARE * moved][:REASONS]
    # Where every article starts, beyond the threshold, and what the article's features
    # moved it, each towards the verdict.
    start = sign * (bias - _log_odds(threshold))
    toward = sign * sum(c.value for c in parts if c.block != "bias")
    started = (
        f"every article starts out {'relevant' if relevant else 'not relevant'}, "
        f"and what it has does not {'pull it down' if relevant else 'lift it'}"
    )
    # What the reasons follow when what the article has worked against the verdict, not
    # enough to change it: that it did so, or, when it did nothing or little (a threshold
    # of 1 is no way off: only nothing is little against it), that the start did it.
    # None: what the article has put it where it is.
    opening = None
    if toward == 0 or (
        toward < 0 and math.isfinite(start) and -toward <= MOVED_LITTLE * abs(start)
    ):
        opening = started
    elif toward < 0:
        opening = (
            "what it has pulls it down, but not below the threshold"
            if relevant
            else "what it has lifts it, but not as far as the threshold"
        )
    if not chosen:
        if opening:
            return opening
        if start >= toward:
            return started
        chosen = ranked[:REASONS]  # many small reasons, none large: the largest
    # After an opening, the reasons say what held the article where every article starts;
    # without one, what put it where it is.
    if relevant:
        named = listed([reason.words for reason in chosen])
        return f"{opening}; {named} count for it" if opening else f"mostly because of {named}"
    lacked = [reason.words for reason in chosen if reason.lacked]
    against = [reason.words for reason in chosen if not reason.lacked]
    said = [f"it has {listed(lacked)}"] if lacked else []
    if against:
        said.append(f"{listed(against)} count against it")
    clause = ", and ".join(said)
    return f"{opening}; {clause}" if opening else f"mostly because {clause}"


def _log_odds(probability: float) -> float:
    """The log-odds of a probability: the model's score that gives it (1: infinite)."""
    return math.inf if probability >= 1 else math.log(probability / (1 - probability))


def _lacking(
    signal: str,
    inputs: Mapping[str, float],
    roles: Mapping[str, float],
    topic_name: Callable[[str], str],
) -> str:
    """What an article lacks of a guide's ``signal``, in words: ``no partners named in the
    headline and opening``; of two roles weighed together, the weaker one's terms, or both
    when they are as strong: ``few digital terms in the whole article``, ``no digital or
    cooperation terms in the whole article``, ``few digital and few cooperation terms in
    the whole article``."""
    what, where = signal_words(signal, topic_name)
    pair = dict(zip(ROLE_SIGNALS, ROLE_PAIRS, strict=True)).get(signal)
    if pair:
        weakest = min(roles.get(role, 0.0) for role in pair)
        weak = [role for role in pair if roles.get(role, 0.0) == weakest]
        if weakest == 0:
            return f"no {' or '.join(weak)} terms in the {where}"
        return f"few {' and few '.join(weak)} terms in the {where}"
    return f"{'no' if inputs.get(signal, 0.0) == 0 else 'few'} {what} in the {where}"


def _matched_terms(matches: tuple[Match, ...]) -> list[str]:
    lines = ["matched rule terms:"]
    groups: dict[str, dict[str, list[str]]] = {}
    for match in matches:
        groups.setdefault(match.group, {}).setdefault(match.where, []).append(match.term)
    for group in sorted(groups):
        places = "; ".join(
            f"{where}: {', '.join(groups[group][where])}"
            for where in PLACES
            if where in groups[group]
        )
        lines.append(f"  {group}: {places}")
    if not groups:
        lines.append("  (none)")
    return lines
