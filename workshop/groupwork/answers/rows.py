"""The rows a fixed-row table shows: the method's items, then the rows its pair added.

A table such as the needs matrix lists the method's assessment areas and, where the method says
``more_rows: <table>``, one more row for each row of that shared table (areas the pair works on
that the default list lacks). An added row keeps its source row's id, so both hospitals' answers
about it line up, and its label is what the pair typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workshop.method.definition import Choice, Method, Question, Text
from workshop.models import SHARED


def added_rows(
    method: Method, table: Question, values: Mapping[tuple[str, str], Any]
) -> list[Choice]:
    source = method.question(table.more_rows) if table.more_rows else None
    if source is None:
        return []
    name = source.column_for("name") or next(
        (c for c in source.columns if c.type in {"text", "long_text"}), None
    )
    found = []
    for row in values.get((source.key, SHARED)) or []:
        text = " ".join(str(row.get(name.key, "")).split()) if name else ""
        if isinstance(row, dict) and row.get("row") and text:
            found.append(Choice(id=str(row["row"]), label=Text(uk=text, en=text)))
    return found


def table_rows(
    method: Method, table: Question, values: Mapping[tuple[str, str], Any]
) -> list[Choice]:
    return [*table.rows, *added_rows(method, table, values)]
