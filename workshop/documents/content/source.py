"""Reading a snapshot's answers through the method, as text in one language.

Every answer reads by its question's type (a choice by its label, a date as the language writes
it, a reference by the label of the row it names), so the narrative sections and the generic
annex say the same thing the same way. Callers hold ``force_locale(lang)`` for the few words
that come from the catalogue (the 0–3 scale, "removed item").
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any

from flask_babel import gettext as _

from workshop.documents.content import formats
from workshop.documents.snapshot import Snapshot
from workshop.method import scale
from workshop.method.definition import Choice, Method, Question, Text
from workshop.method.rows import SHARED, table_rows

SIDES = ("ua", "partner")
# How deep a reference may lead through other references (a priority names a gap, which names
# an area): the method's links go one way, so this only stops a broken file looping.
MAX_REF_DEPTH = 4


class Source:
    """A snapshot, its method and the document's language."""

    def __init__(self, snapshot: Snapshot, method: Method, lang: str) -> None:
        self.snapshot = snapshot
        self.method = method
        self.lang = lang
        self.answers: dict[str, dict[str, Any]] = snapshot.get("answers") or {}

    # --- raw values ---------------------------------------------------------------------------

    @cached_property
    def values(self) -> dict[tuple[str, str], Any]:
        """Answers keyed (question key, side), the shape method.rows and the insights read."""
        return {(k, s): v for k, sides in self.answers.items() for s, v in sides.items()}

    def value(self, key: str | None, side: str = SHARED) -> Any:
        if key is None:
            return None
        return self.answers.get(key, {}).get(side)

    def answered(self, key: str, side: str = SHARED) -> bool:
        return self.value(key, side) not in (None, "", [], {})

    def rows(self, key: str | None, side: str = SHARED) -> list[dict[str, Any]]:
        """A table answer's rows (dicts with a ``row`` id), whatever else was stored."""
        found = self.value(key, side)
        return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []

    def sides_of(self, question: Question) -> tuple[str, ...]:
        return SIDES if question.per_side else (SHARED,)

    def question(self, key: str) -> Question | None:
        return self.method.question(key)

    def text(self, text: Text | None) -> str:
        return text(self.lang) if text is not None else ""

    @cached_property
    def institutions(self) -> dict[str, dict[str, Any]]:
        return self.snapshot.get("institutions") or {}

    def institution_name(self, side: str) -> str:
        return formats.localized(self.institutions.get(side, {}), "name", self.lang)

    # --- showing one value ----------------------------------------------------------------------

    def show(self, question: Question, value: Any, depth: int = 0) -> str:
        """One answer (or table cell) as text; "" for nothing. Tables read through records."""
        if value is None or value == "" or value == []:
            return ""
        kind = question.type
        if kind in ("single_choice", "multi_choice"):
            chosen = value if isinstance(value, list) else [value]
            return "; ".join(self._choice(question, str(c)) for c in chosen)
        if kind == "status":
            return scale.labels().get(str(value), str(value))
        if kind == "number":
            unit = self.text(question.unit)
            shown = formats.number(value, self.lang)
            return f"{shown} {unit}" if unit else shown
        if kind == "date":
            return formats.day(value, self.lang)
        if kind == "person" and isinstance(value, dict):
            parts = (str(value.get(f) or "").strip() for f in ("name", "role", "email"))
            return ", ".join(p for p in parts if p)
        if kind == "ref":
            return self.row_label(question, str(value), depth)
        if kind == "table":
            return ""
        return str(value)

    def _choice(self, question: Question, choice_id: str) -> str:
        choice = question.choice(choice_id)
        return choice.label(self.lang) if choice else choice_id

    # --- rows of tables -------------------------------------------------------------------------

    def fixed_rows(self, table: Question) -> list[Choice]:
        """A fixed-row table's rows: the method's items, then those the pair added."""
        return table_rows(self.method, table, self.values)

    def row_label(self, column: Question, row_id: str, depth: int = 0) -> str:
        """What a reference column's value names: the linked row's label, in full."""
        target = self.method.question(column.link or "")
        if target is None or depth > MAX_REF_DEPTH:
            return row_id
        if target.rows:
            named = next((r for r in self.fixed_rows(target) if r.id == row_id), None)
            return named.label(self.lang) if named else _("(removed item)")
        row = next(
            (
                r
                for side in self.sides_of(target)
                for r in self.rows(target.key, side)
                if str(r.get("row")) == row_id
            ),
            None,
        )
        if row is None:
            return _("(removed item)")
        namers = [c for c in target.columns if c.key in column.show] or [
            c for c in target.columns if c.type in ("text", "long_text")
        ][:1]
        parts = [self.show(c, row.get(c.key), depth + 1) for c in namers]
        return " — ".join(p for p in parts if p) or _("(removed item)")

    def cells(self, table: Question, row: dict[str, Any]) -> Iterator[tuple[str, str]]:
        """A row's filled cells as (column label, text), in the method's column order."""
        for column in table.columns:
            shown = self.show(column, row.get(column.key))
            if shown:
                yield self.text(column.label), shown

    def item_title(self, table: Question, number: int) -> str:
        """What one added row of a table is called in a list: "Gap 2", "Row 3"."""
        item = self.text(table.item)
        return _("%(item)s %(n)d", item=item, n=number) if item else _("Row %(n)d", n=number)
