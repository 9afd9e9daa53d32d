"""Relevance of an article to digital-economy cooperation, with topic tags.

An article is relevant when its main subject is a digital / ICT matter AND it is
about cooperation (an international meeting or agreement, or a formal
partnership such as an MoU). The evidence is a list of terms kept as data in
``relevance_rules.toml``; a user file can add terms and override the numbers.

Scoring, for each *role* (``digital``, ``cooperation``, ``negative`` and every
topic), sums the weight of each matched term times the weight of the place it
was found in (title > lead > body; lead and body totals are capped), and turns
the sum ``e`` into a strength ``1 - exp(-e)`` in 0..1. The score is
``sqrt(digital * cooperation) * (1 - negative)``; an article is relevant when
the digital and cooperation strengths both reach ``condition`` and the score
reaches ``threshold``.

Matching: Thai has no spaces, so Thai terms match as substrings; English terms
match case-insensitively on word boundaries. Each text is scanned once for
all terms of every group, for the leftmost-longest term at each point: Thai
terms with an Aho-Corasick automaton (pyahocorasick, twice as fast as a
regular expression on Thai text), English terms with a trie-shaped regular
expression whose matches are then checked for word boundaries. A longer
term also counts for each role of the shorter terms inside it, unless the
rules give it that role themselves (``กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม``
is weak digital evidence, not a strong ``ดิจิทัล``). Terms of the ``ignore``
role (``ขอความร่วมมือ``, "please cooperate") take their text out of play.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import ahocorasick

__all__ = ["Match", "Relevance", "Rules", "explain", "load_rules", "rules_from_text", "score"]

PLACES = ("title", "lead", "body")
FIXED_ROLES = ("digital", "cooperation", "negative", "ignore")
NUMBERS = ("threshold", "condition", "topic_min", "lead_paragraphs", "lead_min_chars")
PLACE_KEYS = ("title", "lead", "body", "lead_cap", "body_cap")
TERM_KEYS = ("th", "en")
DEFAULT_RULES = "relevance_rules.toml"

_THAI = re.compile(r"[\u0e00-\u0e7f]")
_SPACES = re.compile(r"\s+")
_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


class Match(NamedTuple):
    """One matched term: the term as written in the rules, its group and place."""

    term: str
    group: str
    where: str  # "title" | "lead" | "body"


@dataclass(frozen=True)
class Relevance:
    """The verdict on one article."""

    score: float
    relevant: bool
    topics: tuple[str, ...]
    matches: tuple[Match, ...]
    reason: str
    threshold: float


@dataclass(frozen=True)
class Member:
    """A group a matched term counts for."""

    group: str
    role: str
    weight: float


@dataclass(frozen=True)
class Rules:
    """Compiled rules: numbers, term groups, and the two matching patterns."""

    threshold: float
    condition: float
    topic_min: float
    lead_paragraphs: int
    lead_min_chars: int
    places: Mapping[str, float]
    caps: Mapping[str, float]  # most evidence per role from the lead and from the body
    topics: tuple[str, ...]
    members: Mapping[str, tuple[Member, ...]]  # by lookup key (see _key)
    spelling: Mapping[str, str]  # lookup key -> the term as written in the rules
    thai: ahocorasick.Automaton | None  # keys of the Thai terms, each its own value
    english: re.Pattern[str] | None  # lower-case terms; word boundaries are checked in find()

    def find(self, text: str) -> list[str]:
        """The rule terms found in ``text``, in order, as keys of ``members``."""
        found: list[str] = []
        if self.thai is not None and _THAI.search(text):
            found.extend(_leftmost_longest(self.thai, _single_spaced(text)))
        if self.english is not None:
            lower = text.lower()
            for match in self.english.finditer(lower):
                start, end = match.span()
                before = lower[start - 1] if start else " "
                after = lower[end] if end < len(lower) else " "
                if before not in _WORD and after not in _WORD:
                    found.append(_key(match.group()))
        return found


def load_rules(path: Path | None = None) -> Rules:
    """The packaged default rules, extended and overridden by the TOML file at ``path``.

    A user file adds terms to existing groups (lists are merged), may add groups
    (with a ``role``) and topics, and overrides any number.
    """
    return rules_from_text(Path(path).read_text(encoding="utf-8") if path else None)


@lru_cache(maxsize=16)
def rules_from_text(user_rules: str | None) -> Rules:
    """The default rules extended by a user rules file's text; compiled once per text."""
    data = tomllib.loads(resources.files("thaidigest").joinpath(DEFAULT_RULES).read_text("utf-8"))
    if user_rules is not None:
        data = _merge(data, tomllib.loads(user_rules))
    return _compile(data)


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
        if role not in FIXED_ROLES:
            raise ValueError(f"group {name!r} needs a role, one of {FIXED_ROLES}")
        _add_terms(explicit, spelling, table, Member(name, role, float(table.get("weight", 1.0))))
    topics = tuple(sorted(data.get("topics", {})))
    for name in topics:
        table = data["topics"][name]
        member = Member(name, f"topic:{name}", float(table.get("weight", 1.0)))
        _add_terms(explicit, spelling, table, member)
    members = _inherit(explicit)
    thai = [term for term in members if _THAI.search(term)]
    english = [term for term in members if not _THAI.search(term)]
    return Rules(
        threshold=float(data["threshold"]),
        condition=float(data["condition"]),
        topic_min=float(data["topic_min"]),
        lead_paragraphs=int(data["lead_paragraphs"]),
        lead_min_chars=int(data["lead_min_chars"]),
        places=MappingProxyType({p: float(places[p]) for p in PLACES}),
        caps=MappingProxyType({p: float(places[f"{p}_cap"]) for p in ("lead", "body")}),
        topics=topics,
        members=MappingProxyType(members),
        spelling=MappingProxyType(spelling),
        thai=_automaton(thai) if thai else None,
        english=re.compile(_trie_pattern(english)) if english else None,
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
    """Give each term the roles of the shorter terms inside it that it lacks."""
    members: dict[str, tuple[Member, ...]] = {}
    for term, own in explicit.items():
        found = list(own)
        if all(m.role != "ignore" for m in own):
            roles = {m.role for m in own}
            for other, theirs in explicit.items():
                if other != term and _contains(term, other):
                    found.extend(m for m in theirs if m.role not in roles and m.role != "ignore")
        best: dict[str, Member] = {}
        for m in found:
            if m.group not in best or m.weight > best[m.group].weight:
                best[m.group] = m
        members[term] = tuple(best.values())
    return members


def _contains(term: str, other: str) -> bool:
    if _THAI.search(term):
        return other in term
    return re.search(rf"(?<![a-z0-9]){re.escape(other)}(?![a-z0-9])", term) is not None


def _single_spaced(text: str) -> str:
    """``text`` with each run of whitespace as one space, as in the terms' keys."""
    flat = text.replace("\n", " ")
    if "  " in flat or not flat.isprintable():  # tabs, other spaces, runs: rare
        return " ".join(text.split())
    return flat


def _leftmost_longest(automaton: ahocorasick.Automaton, text: str) -> list[str]:
    """The keys found in ``text`` as a regular expression would: leftmost-longest, in turn.

    Chosen from all (overlapping) matches: the automaton's own ``iter_long``
    misses some (pyahocorasick issues #133, #185, #189).
    """
    # ``iter`` gives the index of a match's last character.
    matches = sorted((last + 1 - len(key), -len(key), key) for last, key in automaton.iter(text))
    found: list[str] = []
    free_from = 0  # where the next match may start
    for start, negative_length, key in matches:
        if start >= free_from:
            found.append(key)
            free_from = start - negative_length
    return found


def _automaton(keys: Iterable[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key in keys:
        automaton.add_word(key, key)
    automaton.make_automaton()
    return automaton


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
    head = _SPACES.sub(" ", title).strip()
    lead: list[str] = []
    rest: list[str] = []
    for raw in body.split("\n"):
        line = raw.strip()
        # Collapsing spaces keeps a stripped line's first character: test that first.
        if not line or (line[0] == head[:1] and _SPACES.sub(" ", line) == head):
            continue
        if len(lead) >= rules.lead_paragraphs:
            rest.append(line)
        elif len(line) >= rules.lead_min_chars:
            lead.append(line)
    return "\n".join(lead), "\n".join(rest)


def score(title: str, body: str, rules: Rules) -> Relevance:
    """Score one article; ``title`` and ``body`` are normalised text, body lines joined by "\\n"."""
    lead, rest = _split_lead(title, body, rules)
    evidence = {place: dict[str, float]() for place in PLACES}
    matches: set[Match] = set()
    negatives: list[str] = []
    for where, text in (("title", title), ("lead", lead), ("body", rest)):
        counted: set[tuple[str, str]] = set()
        for term in rules.find(text):
            for member in rules.members[term]:
                matches.add(Match(rules.spelling[term], member.group, where))
                if member.role == "ignore" or (where != "body" and (term, member.group) in counted):
                    continue
                counted.add((term, member.group))
                if member.role == "negative" and rules.spelling[term] not in negatives:
                    negatives.append(rules.spelling[term])
                gain = member.weight * rules.places[where]
                evidence[where][member.role] = evidence[where].get(member.role, 0.0) + gain
    total: dict[str, float] = {}
    for where, gains in evidence.items():
        for role, gain in gains.items():
            total[role] = total.get(role, 0.0) + min(gain, rules.caps.get(where, math.inf))
    strength = {role: 1.0 - math.exp(-gain) for role, gain in total.items()}
    digital = strength.get("digital", 0.0)
    cooperation = strength.get("cooperation", 0.0)
    negative = strength.get("negative", 0.0)
    value = round(math.sqrt(digital * cooperation) * (1.0 - negative), 4)
    met = digital >= rules.condition and cooperation >= rules.condition
    relevant = met and value >= rules.threshold
    topics = tuple(t for t in rules.topics if strength.get(f"topic:{t}", 0.0) >= rules.topic_min)
    order = {place: i for i, place in enumerate(PLACES)}
    return Relevance(
        score=value,
        relevant=relevant,
        topics=topics,
        matches=tuple(sorted(matches, key=lambda m: (order[m.where], m.group, m.term))),
        reason=_reason(digital, cooperation, negative, negatives, value, relevant, rules),
        threshold=rules.threshold,
    )


def _reason(
    digital: float,
    cooperation: float,
    negative: float,
    negatives: list[str],
    value: float,
    relevant: bool,
    rules: Rules,
) -> str:
    def part(name: str, strength: float) -> str:
        low = f" (below {rules.condition:.2f})" if strength < rules.condition else ""
        return f"{name} {strength:.2f}{low}"

    parts = f"{part('digital subject', digital)} + {part('cooperation', cooperation)}"
    against = f"negative {negative:.2f} ({', '.join(negatives)})" if negatives else "no negative"
    if relevant:
        return f"{parts}; {against}"
    if digital < rules.condition or cooperation < rules.condition:
        return f"not relevant: {parts}; {against}"
    return f"not relevant: {parts}; {against} pulls score {value:.2f} below {rules.threshold:.2f}"


def explain(relevance: Relevance) -> str:
    """A human-readable account of ``relevance``: score, verdict, topics and matched terms."""
    lines = [
        f"score: {relevance.score:.2f}",
        f"relevant: {'yes' if relevance.relevant else 'no'} (threshold {relevance.threshold:.2f})",
        f"topics: {', '.join(relevance.topics) or '-'}",
        "matched terms:",
    ]
    groups: dict[str, dict[str, list[str]]] = {}
    for match in relevance.matches:
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
    lines.append(f"reason: {relevance.reason}")
    return "\n".join(lines)
