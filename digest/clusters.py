"""Which stories the digest lists: a cluster of copies is listed when any member is relevant.

Deduplication (:mod:`thaidigest.dedup`) folds the copies of a story into one
cluster, listed under its representative (``duplicate_of`` NULL; each copy's
``duplicate_of`` holds the representative's URL). Relevance is scored per
article, and copies differ: thaigov often publishes a short generic release
first (the representative, the earliest complete version), MDES republishes it
with the digital-cooperation details, and only that copy reaches the
threshold. The story is news all the same, so the cluster is listed when its
representative **or any copy** is relevant.

The item is still the representative (its URL, headline, text and date). What
:func:`fold_cluster` gives it from the relevant members only (a member judged
not relevant is off-topic text, and its topics are guesses about that text):

* ``relevance``: the highest of theirs, so a story ranks as its best version;
* ``topics`` and ``partners``: the union of theirs, the representative's own
  first, in their stored order, then each copy's new ones in URL order.

A relevant representative whose copies are all not relevant keeps exactly its
own figures.

:data:`LISTED` is the rule, once, as a SQL condition on ``articles``: the
digest and its feeds (:func:`digest.select.load_weeks`) and the demo select
with it. It finds the relevant copies of a row through the indexed
``duplicate_of``, so a query narrowed by an indexed date stays a search and
never scans the table. Over the whole history (``thaidigest partners``, the
partner feeds), that lookup per representative would cost more than the scan:
:data:`FOLDED` reads every row an item is made of in one scan, and
:func:`fold_clusters` applies the same rule to them in Python.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select

from thaidigest.store import Store, articles

COPY = articles.alias("copy")
# ``duplicate_of`` is NULL for nearly every row: written as an expression, it
# keeps SQLite from picking that index over the date ranges.
REPRESENTATIVE = func.ifnull(articles.c.duplicate_of, "") == ""
# Correlated to ``articles`` only: inside a query of copies, it still looks up its own.
RELEVANT_COPY = (
    exists()
    .where(COPY.c.duplicate_of == articles.c.url, COPY.c.relevant.is_(True))
    .correlate(articles)
)
# A representative whose cluster the digest lists.
LISTED = and_(REPRESENTATIVE, or_(articles.c.relevant.is_(True), RELEVANT_COPY))
# The representatives' URLs of the relevant copies, found through the index of ``duplicate_of``
# (every copy's is a URL, and any URL sorts after '').
RELEVANT_COPIES_OF = select(COPY.c.duplicate_of).where(
    COPY.c.duplicate_of > "", COPY.c.relevant.is_(True)
)
# Every row the items of all history are folded from, in one scan: the relevant
# articles (representatives and copies) and the representatives of relevant copies.
FOLDED = or_(articles.c.relevant.is_(True), articles.c.url.in_(RELEVANT_COPIES_OF))
# What a member adds to its cluster's item, and which cluster it is in.
MEMBER_COLUMNS = (
    COPY.c.url,
    COPY.c.duplicate_of,
    COPY.c.relevant,
    COPY.c.relevance,
    COPY.c.topics,
    COPY.c.partners,
    COPY.c.first_seen,
    COPY.c.published,
)


def copies_of(representatives: Sequence[str] | Select) -> Select:
    """The copies in the clusters of ``representatives`` (their URLs, or a query of them),
    found through the indexed ``duplicate_of``."""
    return select(*MEMBER_COLUMNS).where(COPY.c.duplicate_of.in_(representatives))


def copy_urls(store: Store, representative: str) -> list[str]:
    """The URLs of every copy in the cluster of the ``representative`` URL, relevant or
    not, in URL order, those found after its digest was built too: the addresses a digest
    built since links in its item (``thaidigest explain``)."""
    query = copies_of([representative]).order_by(COPY.c.url)
    with store.engine.connect() as conn:
        return [row.url for row in conn.execute(query)]


def relevant_copies_seen(start: str, end: str) -> Select:
    """The representatives' URLs of the relevant copies first seen from ``start`` to before
    ``end`` (ISO 8601 UTC): stories such a copy made listable, through the indexed
    ``first_seen``."""
    return select(COPY.c.duplicate_of).where(
        COPY.c.first_seen >= start, COPY.c.first_seen < end, COPY.c.relevant.is_(True)
    )


def _union(lists: Iterable[str]) -> str:
    """The JSON lists in ``lists`` as one, each entry once, in first-seen order."""
    merged = dict.fromkeys(entry for text in lists for entry in json.loads(text or "[]"))
    return json.dumps(list(merged), ensure_ascii=False)


def fold_cluster(row: Mapping[str, Any], copies: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The representative ``row`` as its cluster's item: ``relevant`` when any member is,
    ``relevance`` the highest and ``topics`` and ``partners`` the union of the relevant
    members' (the module docstring says why), ``listed_since`` the first time a
    relevant member was seen, from which the story could be listed (a copy found after
    its week's digest makes it *found late*), and ``listed_published`` that member's
    published date (None when its page gave none): a copy dedup folded in weeks after
    the release is found late by its own date, not the release's. A cluster with no
    relevant member is ``row`` unchanged."""
    relevant = [copy for copy in sorted(copies, key=lambda copy: copy["url"]) if copy["relevant"]]
    if row["relevant"]:
        relevant.insert(0, row)
    if not relevant:
        return dict(row)
    first = min(relevant, key=lambda member: member["first_seen"])
    return {
        **row,
        "relevant": True,
        "relevance": max(float(member["relevance"]) for member in relevant),
        "topics": _union(member["topics"] for member in relevant),
        "partners": _union(member["partners"] for member in relevant),
        "listed_since": first["first_seen"],
        "listed_published": first["published"],
    }


def fold_clusters(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The items :data:`LISTED` selects, from ``rows`` that hold every relevant member of
    their clusters and each representative of a relevant copy (:data:`FOLDED`), each folded
    over its relevant copies (:func:`fold_cluster`), in the order of ``rows``."""
    representatives: list[Mapping[str, Any]] = []
    relevant: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        if not row["duplicate_of"]:
            representatives.append(row)
        elif row["relevant"]:
            relevant.setdefault(row["duplicate_of"], []).append(row)
    return [
        fold_cluster(row, relevant.get(row["url"], ()))
        for row in representatives
        if row["relevant"] or row["url"] in relevant
    ]


def relevant_copies(store: Store, representative: str) -> list[Mapping[str, Any]]:
    """The relevant copies in the cluster of the ``representative`` URL, in URL order: why a
    representative scored not relevant is listed (``thaidigest explain``)."""
    query = copies_of([representative]).where(COPY.c.relevant.is_(True)).order_by(COPY.c.url)
    with store.engine.connect() as conn:
        return [row._mapping for row in conn.execute(query)]
