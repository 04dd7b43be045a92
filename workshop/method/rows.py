"""The rows a fixed-row table has: the method's items, then the rows its pair added.

A table such as the needs matrix lists the method's assessment areas and, where the method says
``more_rows: <table>``, one more row for each named row of that shared table (areas the pair
works on that the default list lacks). An added row keeps its source row's id, so both
hospitals' answers about it line up, and its label is what the pair typed. The page, the
submission check, the insights and the trace all read rows from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workshop.method.definition import Choice, Method, Question, Text

SHARED = ""  # the side of an answer given together (models.SHARED; no database here)


def typed_label(table: Question, row: Mapping[str, Any]) -> Text | None:
    """What people typed to name a row: its 'name' column, else its first filled text column."""
    named = table.column_for("name")
    columns = [named] if named else [c for c in table.columns if c.type in ("text", "long_text")]
    for column in columns:
        text = " ".join(str(row.get(column.key) or "").split())
        if text:
            return Text(text, text)
    return None


def table_rows(
    method: Method, table: Question, values: Mapping[tuple[str, str], Any]
) -> list[Choice]:
    """A fixed-row table's rows: its list, then one per named row of its ``more_rows`` table
    (a row nobody has named yet is neither shown nor asked about)."""
    added = method.question(table.more_rows or "")
    if added is None:
        return list(table.rows)
    more = []
    stored = values.get((added.key, SHARED))
    for row in stored if isinstance(stored, list) else []:
        label = typed_label(added, row) if isinstance(row, dict) else None
        if label is not None and row.get("row") is not None:
            more.append(Choice(str(row["row"]), label))
    return [*table.rows, *more]


def candidate_key(table: Question, row: Mapping[str, Any]) -> str:
    """Which candidate a row of a candidates table is: rows naming the same gap are one
    candidate, else rows with the same name (whatever the letter case or spacing). Where each
    side scores in its own table, this is how the two sides' rows meet: for totals, proposals
    and dot votes alike."""
    gap = table.column_for("gap")
    if gap is not None and row.get(gap.key):
        return f"gap:{row[gap.key]}"
    name = table.column_for("name")
    return "name:" + " ".join(str(row.get(name.key if name else "", "")).split()).casefold()
