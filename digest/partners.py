"""Who Thailand worked with: items per partner and per quarter (``thaidigest partners``).

The items are the digest's: the clusters of copies with a relevant member
(:mod:`digest.clusters`), each counted once, with the partners of its relevant
members, on its representative's published date (else the day it was first
seen, Bangkok time).
Counting and rendering are pure; :func:`load_rows` is the one read.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select

from digest.clean import ELLIPSIS, letter_start
from digest.clusters import FOLDED, fold_clusters
from digest.select import WeekDigest, article_day
from thaidigest.partners import first_spellings, partner_name
from thaidigest.store import Store, articles

FORMATS = ("table", "csv")
GAP = "  "  # between the table's columns
# A table too wide for its terminal sums the quarters before the latest under EARLIER,
# keeping at least MIN_QUARTERS_SHOWN quarters one a column; still too wide, it cuts the
# partner and name columns to no fewer than MIN_NAME_CELLS columns each, ending in ELLIPSIS.
EARLIER = "earlier"
MIN_QUARTERS_SHOWN = 4
MIN_NAME_CELLS = 12
# Characters a terminal draws on the one before (Thai vowels above and below, tone marks)
# or not at all: they take no column.
ZERO_WIDTH_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
WIDE = frozenset({"W", "F"})  # East Asian wide and fullwidth: two columns
# What a spreadsheet reads a cell opening with as a formula (OWASP, "CSV Injection").
FORMULA_OPENINGS = ("=", "+", "-", "@", "\t", "\r")
ITEM_COLUMNS = (
    articles.c.url,
    articles.c.relevant,
    articles.c.relevance,
    articles.c.topics,
    articles.c.partners,
    articles.c.published,
    articles.c.first_seen,
    articles.c.duplicate_of,
)


@dataclass(frozen=True)
class PartnerCounts:
    """Items per partner and quarter: ``counts[partner][quarter]``, quarters in order."""

    quarters: tuple[str, ...]
    counts: Mapping[str, Counter[str]]

    def rows(self) -> list[tuple[str, str, int, list[int]]]:
        """``(partner, name, total, per quarter)``, most items first, then by name."""
        table = [
            (p, partner_name(p), sum(c.values()), [c[q] for q in self.quarters])
            for p, c in self.counts.items()
        ]
        return sorted(table, key=lambda row: (-row[2], row[1].lower(), row[0]))


def quarter(day: date) -> str:
    """``2024-Q3`` for a day in July to September 2024."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def load_rows(store: Store) -> list[Mapping[str, Any]]:
    """The digest's items as rows with partners, published and first_seen, all history:
    one scan of ``articles``, folded in Python (:func:`digest.clusters.fold_clusters`)."""
    with store.engine.connect() as conn:
        rows = [row._mapping for row in conn.execute(select(*ITEM_COLUMNS).where(FOLDED))]
    return [item for item in fold_clusters(rows) if item["partners"] != "[]"]


def load_spellings(store: Store) -> dict[str, str]:
    """Each partner id stored -> the id its partner goes by: the first stored, relevant or
    not (:func:`thaidigest.partners.first_spellings`); in first-seen order.

    Every article counts, not only the listed ones, so that a partner's name and
    its feed's file name do not change when a model, a threshold or a rules file
    changes which articles are relevant."""
    query = (
        select(articles.c.partners)
        .where(articles.c.partners != "[]")
        .order_by(articles.c.first_seen, articles.c.url)
    )
    with store.engine.connect() as conn:
        found = [partner for (text,) in conn.execute(query) for partner in json.loads(text)]
    return first_spellings(found)


def listed_partners(rows: Iterable[Mapping[str, Any]], spellings: Mapping[str, str]) -> list[str]:
    """The partners of ``rows`` (:func:`load_rows`), as ``spellings`` names them, each once."""
    return list(
        dict.fromkeys(
            spelled((partner for row in rows for partner in json.loads(row["partners"])), spellings)
        )
    )


def spelled(partners: Iterable[str], spellings: Mapping[str, str]) -> tuple[str, ...]:
    """``partners`` as :func:`load_spellings` names them, each partner once."""
    return tuple(dict.fromkeys(spellings.get(partner, partner) for partner in partners))


def respell_digest(digest: WeekDigest, spellings: Mapping[str, str]) -> WeekDigest:
    """``digest`` with its items' partners as :func:`load_spellings` names them."""
    sections = tuple(
        replace(
            section,
            items=tuple(
                replace(item, partners=spelled(item.partners, spellings)) for item in section.items
            ),
        )
        for section in digest.sections
    )
    return replace(digest, sections=sections)


def count_partners(
    rows: Iterable[Mapping[str, Any]],
    spellings: Mapping[str, str],
    since: date | None = None,
) -> PartnerCounts:
    """Items per partner and per quarter, counting items on or after ``since``; each
    partner under the id it goes by (:func:`load_spellings`)."""
    counts: dict[str, Counter[str]] = {}
    days: list[date] = []
    for row in rows:
        day, _ = article_day(row)
        if since is not None and day < since:
            continue
        for partner in spelled(json.loads(row["partners"]), spellings):
            counts.setdefault(partner, Counter())[quarter(day)] += 1
            days.append(day)
    return PartnerCounts(quarters_between(min(days), max(days)) if days else (), counts)


def quarters_between(first: date, last: date) -> tuple[str, ...]:
    """Every quarter from ``first``'s to ``last``'s, in order, so that a timeline has no gap
    where a quarter had no item: ``2024-Q4``, ``2025-Q1``, ``2025-Q2``."""
    start, end = (day.year * 4 + (day.month - 1) // 3 for day in (first, last))
    return tuple(f"{n // 4}-Q{n % 4 + 1}" for n in range(start, end + 1))


def render_csv(table: PartnerCounts) -> str:
    """``partner,name,total,<quarter>...``, one line a partner; each text cell as
    :func:`spreadsheet_text` writes it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["partner", "name", "total", *table.quarters])
    for partner, name, total, per in table.rows():
        writer.writerow([spreadsheet_text(partner), spreadsheet_text(name), total, *per])
    return out.getvalue()


def spreadsheet_text(cell: str) -> str:
    """``cell`` with a ``'`` before it when it opens as a spreadsheet formula would
    (:data:`FORMULA_OPENINGS`): a partners file's name ``=HYPERLINK(...)`` is shown as
    text, not run, by the spreadsheet the CSV is opened in."""
    return f"'{cell}" if cell.startswith(FORMULA_OPENINGS) else cell


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal (:data:`ZERO_WIDTH_CATEGORIES` none,
    :data:`WIDE` two, any other character one), which ``len`` overcounts for Thai."""
    return sum(
        0
        if unicodedata.category(char) in ZERO_WIDTH_CATEGORIES
        else 2
        if unicodedata.east_asian_width(char) in WIDE
        else 1
        for char in text
    )


def cut_to_cells(text: str, cells: int) -> str:
    """``text`` in at most ``cells`` terminal columns (:func:`display_width`): whole when it
    fits, else as much of its start as fits before an ``…``. A mark that takes no column
    stays with the character it is drawn on (``ทรู`` is cut before ``ท`` or after ``ู``), a
    vowel written before its consonant with the consonant, and an emoji sequence whole
    (:func:`~digest.clean.letter_start`)."""
    if display_width(text) <= cells:
        return text
    end = used = 0  # the characters that fit before the ellipsis, and their columns
    for char in text:
        width = display_width(char)
        if used + width > cells - 1:
            break
        end += 1
        used += width
    return text[: letter_start(text, end, 0)] + ELLIPSIS


def table_cells(table: PartnerCounts, shown: int) -> list[list[str]]:
    """The header and the rows of the table as text, with the last ``shown`` quarters one a
    column; the quarters before them, when there are any, summed under :data:`EARLIER`; ``-``
    for no item."""
    folded = len(table.quarters) - shown
    header = ["partner", "name", "total", *([EARLIER] if folded else []), *table.quarters[folded:]]
    lines = [header]
    for partner, name, total, per in table.rows():
        counts = [sum(per[:folded])] if folded else []
        counts += per[folded:]
        lines.append([partner, name, str(total), *(str(c) if c else "-" for c in counts)])
    return lines


def column_widths(cells: list[list[str]]) -> list[int]:
    """Each column's width in terminal columns: its widest cell's."""
    return [max(display_width(row[i]) for row in cells) for i in range(len(cells[0]))]


def line_width(widths: list[int]) -> int:
    """The columns a line of cells of ``widths`` takes, :data:`GAP` between them."""
    return sum(widths) + len(GAP) * (len(widths) - 1)


def narrowed(widths: list[int], excess: int) -> list[int]:
    """The widths of the partner and name columns ``excess`` columns narrower in all, or
    as near as they come: the partner column is cut first (the name says who it is, and a
    cut id still shows its kind, ``company:Kru…``), then the name column, neither below
    :data:`MIN_NAME_CELLS` columns."""
    narrower = []
    for width in widths:
        cut = max(0, min(excess, width - MIN_NAME_CELLS))
        narrower.append(width - cut)
        excess -= cut
    return narrower


def render_table(table: PartnerCounts, since: date | None = None, width: int | None = None) -> str:
    """The same as aligned columns, measured in terminal columns (:func:`display_width`);
    an empty table says so, and since when it counted.

    Given a ``width`` its lines are too wide for, the table shows the latest quarters that
    fit, at least :data:`MIN_QUARTERS_SHOWN`, and sums the ones before under
    :data:`EARLIER` (each row's quarters shown and ``earlier`` still add up to its total);
    if it is still too wide, the partner and name columns are cut (:func:`cut_to_cells`). A
    note under the table says what was summed or cut, and that the CSV holds it all."""
    if not table.counts:
        after = f" since {since.isoformat()}" if since is not None else ""
        return f"No partners in the relevant items{after}.\n"
    quarters = len(table.quarters)
    cells = table_cells(table, quarters)
    widths = column_widths(cells)
    shown = quarters
    if width is not None and line_width(widths) > width:
        # Folding one quarter gains nothing: ``earlier`` is as wide as the quarter it sums.
        for shown in range(quarters - 2, MIN_QUARTERS_SHOWN - 1, -1):
            cells = table_cells(table, shown)
            widths = column_widths(cells)
            if line_width(widths) <= width:
                break
        widths[:2] = narrowed(widths[:2], line_width(widths) - width)
    cut = any(display_width(row[i]) > widths[i] for row in cells for i in (0, 1))
    text = [
        [cut_to_cells(cell, widths[i]) if i < 2 else cell for i, cell in enumerate(row)]
        for row in cells
    ]

    def aligned(i: int, cell: str, column: int) -> str:
        padding = " " * (column - display_width(cell))
        return cell + padding if i < 2 else padding + cell

    lines = [
        GAP.join(
            aligned(i, cell, column)
            for i, (cell, column) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in text
    ]
    fits = width is not None and line_width(widths) <= width
    note = fitted_note(table.quarters[: quarters - shown], cut, width, fits)
    return "\n".join([*lines, *note]) + "\n"


def fitted_note(
    folded: tuple[str, ...], cut: bool, width: int | None, fits: bool = True
) -> list[str]:
    """The lines under a table fitted to ``width`` columns that say which quarters
    ``earlier`` sums (``folded``) and whether names were cut, and where to read them all,
    wrapped to ``width``; none when nothing was summed or cut. A table still wider than
    ``width`` at its narrowest (``fits`` false) is said to be narrowed, not fitted."""
    if width is None or not (folded or cut):
        return []
    changes, whole, later = [], [], ""
    if folded:
        changes.append(f"{EARLIER} sums {folded[0]} to {folded[-1]} ({len(folded)} quarters)")
        whole.append("every quarter")
        later = ", a later --since fewer quarters"
    if cut:
        changes.append(f"names ending in {ELLIPSIS} are cut short")
        whole.append("every name whole")
    note = (
        f"{'To fit' if fits else 'Narrowed for'} {width} columns, {' and '.join(changes)}: "
        f"--format csv gives {' and '.join(whole)}{later}."
    )
    return textwrap.wrap(note, width, break_on_hyphens=False)
