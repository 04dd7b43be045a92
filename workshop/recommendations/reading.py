"""A snapshot's answers, read by question and side, and said the way a head reads them.

Rules work on the snapshot's plain data (documents.snapshot: answers by question key, then by
side), never on the database, so the recommendations printed in a stored version can be made
again from it. This module is where an answer is found and where it is named: "Communication
plan › What we do when power or connection fails", in the language asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask_babel import gettext as _

from workshop.method.definition import Method, Question
from workshop.method.rows import SHARED, table_rows, typed_label
from workshop.recommendations.conditions import SIDES

NAME_LENGTH = 60  # a row's typed name, shortened: "because" names the row, it does not quote it


class Answers:
    """One partnership's answers with the method that asked them, in one language."""

    def __init__(self, snapshot: Mapping[str, Any], method: Method, lang: str) -> None:
        self.method = method
        self.lang = lang
        raw = snapshot.get("answers") or {}
        self.by_key: dict[str, dict[str, Any]] = {
            key: dict(sides) for key, sides in raw.items() if isinstance(sides, dict)
        }

    def value(self, key: str, side: str = SHARED) -> Any:
        return self.by_key.get(key, {}).get(side)

    def flat(self) -> dict[tuple[str, str], Any]:
        """Every answer under (question key, side), as the method's row helpers read them."""
        return {(key, side): v for key, sides in self.by_key.items() for side, v in sides.items()}

    def sides_of(self, question: Question) -> tuple[str, ...]:
        """The sides a question is answered by: both hospitals, or the shared answer."""
        return SIDES if question.per_side else (SHARED,)

    def rows(self, table: Question, side: str) -> list[dict[str, Any]]:
        stored = self.value(table.key, side)
        return [row for row in stored if isinstance(row, dict)] if isinstance(stored, list) else []

    # -- Saying where an answer is ---------------------------------------------------------------

    def side_label(self, side: str) -> str:
        return _("Ukrainian hospital") if side == "ua" else _("Partner hospital")

    def label(self, question: Question, side: str = SHARED) -> str:
        """The question's label, with the side for a per-side question's answer."""
        text = question.label(self.lang)
        return f"{text} ({self.side_label(side)})" if side else text

    def place(self, question: Question, side: str = SHARED) -> str:
        """Where a question is: its section, then its label."""
        found = self.method.section_of(question.key)
        label = self.label(question, side)
        return f"{found[1].title(self.lang)} › {label}" if found else label

    def row_names(self, table: Question, side: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Each answered row of a table with the name a person knows it by."""
        stored = self.rows(table, side)
        if table.rows:
            labels = {r.id: r.label(self.lang) for r in table_rows(self.method, table, self.flat())}
            for row in stored:
                yield labels.get(str(row.get("row")), str(row.get("row", "?"))), row
            return
        item = table.item(self.lang) if table.item else _("Row")
        for number, row in enumerate(stored, start=1):
            typed = typed_label(table, row)
            name = typed.uk if typed else ""
            if len(name) > NAME_LENGTH:
                name = name[: NAME_LENGTH - 1].rstrip() + "…"
            yield (f"{item} {number} ({name})" if name else f"{item} {number}"), row

    def choice_labels(self, question: Question, value: Any) -> list[str]:
        """The labels of the chosen ids, in the method's order."""
        chosen = value if isinstance(value, list) else [value]
        return [c.label(self.lang) for c in question.choices if c.id in chosen]

    def not_answered(self) -> str:
        return _("not answered yet")
