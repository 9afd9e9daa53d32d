"""The export record: what the system made of an article, as plain JSON."""

from __future__ import annotations

import json
from typing import Any

EXPORT_FIELDS = (
    "url",
    "source",
    "source_id",
    "title",
    "body",
    "published",
    "language",
    "category",
    "first_seen",
    "last_changed",
    "versions",
    "extraction",
    "relevant",
    "relevance",
    "topics",
    "partners",
    "duplicate_of",
)


def export_record(row: dict[str, Any]) -> dict[str, Any]:
    """The public fields of a stored article row, in a stable order."""
    record = {name: row[name] for name in EXPORT_FIELDS}
    record["topics"] = json.loads(row["topics"])
    record["partners"] = json.loads(row["partners"])
    record["relevant"] = bool(row["relevant"])
    record["relevance"] = round(float(row["relevance"]), 4)
    return record
