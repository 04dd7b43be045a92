"""One stored answer as the cells of the long format, and as the text of a stage sheet's cell.

Every value shape of ``groupwork.answers.values`` comes apart into cells: a plain value is one
cell; a multiple choice one cell per option chosen; a person one cell per part (name, role,
email); a table one cell per filled cell of each row, multiple choices again one per option.
A value that does not fit its question (or a question the method no longer has) is one cell of
type ``json`` holding the value as JSON, so nothing stored is ever left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from workshop.exports.cells import is_number
from workshop.groupwork.answers.wire import PERSON_FIELDS
from workshop.method.definition import Method, Question, Text
from workshop.method.rows import SHARED, table_rows, typed_label

JSON_TYPE = "json"
_STRINGS = {"text", "long_text", "single_choice", "date", "ref"}
_WHOLE = {"status", "score"}


@dataclass(frozen=True)
class Cell:
    value_type: str
    value: str | int | float
    label: Text | None = None
    row_id: str | None = None
    row_number: int | None = None
    row_label: Text | None = None
    column_key: str | None = None
    choice_number: int | None = None


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class Context:
    """A partnership's answers in one cycle, for naming rows and references across its tables."""

    def __init__(
        self, method: Method, values: Mapping[tuple[str, str], Any], scale: Mapping[int, Text]
    ) -> None:
        self.method = method
        self.values = values
        self.scale = scale
        self._names: dict[str, dict[str, Text]] = {}

    def row_names(self, table: Question) -> dict[str, Text]:
        """A table's rows by id with their names: a fixed list's items (and the rows the pair
        added to it), or, for rows people add, what they typed to name each."""
        if table.key not in self._names:
            if table.rows:
                names = {c.id: c.label for c in table_rows(self.method, table, self.values)}
            else:
                stored = self.values.get((table.key, SHARED))
                names = {}
                for row in stored if isinstance(stored, list) else []:
                    label = typed_label(table, row) if isinstance(row, dict) else None
                    if label is not None and isinstance(row.get("row"), str):
                        names[row["row"]] = label
            self._names[table.key] = names
        return self._names[table.key]

    def label(self, question: Question, value: Any) -> Text | None:
        if question.type in ("single_choice", "multi_choice"):
            choice = question.choice(value)
            return choice.label if choice else None
        if question.type == "status":
            return self.scale.get(value)
        if question.type == "ref" and question.link:
            target = self.method.question(question.link)
            return self.row_names(target).get(value) if target else None
        return None


def _fits(kind: str, value: Any) -> bool:
    if kind in _STRINGS:
        return isinstance(value, str)
    if kind in _WHOLE:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return is_number(value)
    return False


def _plain(ctx: Context, question: Question, value: Any, **place: Any) -> Iterator[Cell]:
    """The cells of a value that is not a table or a person; ``place`` says where in a table
    it sits, if it does."""
    if (
        question.type == "multi_choice"
        and isinstance(value, list)
        and all(isinstance(v, str) for v in value)
    ):
        for number, item in enumerate(value, start=1):
            label = ctx.label(question, item)
            yield Cell(question.type, item, label, choice_number=number, **place)
    elif _fits(question.type, value):
        yield Cell(question.type, value, ctx.label(question, value), **place)
    else:
        yield Cell(JSON_TYPE, as_json(value), **place)


def _table(ctx: Context, question: Question, value: Any) -> Iterator[Cell]:
    if not isinstance(value, list):
        yield Cell(JSON_TYPE, as_json(value))
        return
    names = ctx.row_names(question) if question.rows else {}
    columns = {c.key: c for c in question.columns}
    for number, row in enumerate(value, start=1):
        if not isinstance(row, dict):
            yield Cell(JSON_TYPE, as_json(row), row_number=number)
            continue
        row_id = row.get("row")
        known = isinstance(row_id, str)
        for key in [*columns, *sorted(set(row) - set(columns) - {"row"})]:
            if key not in row:
                continue
            place = {
                "row_id": row_id if known else None,
                "row_number": number,
                "row_label": names.get(row_id) if known else None,
                "column_key": key,
            }
            column = columns.get(key)
            if column is None:
                yield Cell(JSON_TYPE, as_json(row[key]), **place)
            else:
                yield from _plain(ctx, column, row[key], **place)


def _person(value: Any) -> Iterator[Cell]:
    if not isinstance(value, dict) or set(value) - set(PERSON_FIELDS):
        yield Cell(JSON_TYPE, as_json(value))
        return
    if not all(isinstance(v, str) for v in value.values()):
        yield Cell(JSON_TYPE, as_json(value))
        return
    # Every part the answer holds, an unfilled one too (an empty value), so it reads back whole.
    for part in PERSON_FIELDS:
        if part in value:
            yield Cell("text", value[part], column_key=part)


def answer_cells(ctx: Context, question: Question | None, value: Any) -> Iterator[Cell]:
    """The long format's cells of one stored answer (an empty answer has none)."""
    if value is None:
        return
    if question is None:
        yield Cell(JSON_TYPE, as_json(value))
    elif question.type == "table":
        yield from _table(ctx, question, value)
    elif question.type == "person":
        yield from _person(value)
    else:
        yield from _plain(ctx, question, value)


# -- The stage sheets: one cell per question, or per table column, to read -----------------------


def _shown(cell: Cell, lang: str) -> str:
    if cell.label is not None:
        return cell.label(lang)
    return str(cell.value)


def wide_cells(ctx: Context, question: Question, value: Any, lang: str) -> dict[str | None, Any]:
    """What a stage sheet shows of one answer: by table column key (None for a question that
    is not a table). A lone number stays a number; choices show their names; a table column
    is one line per row ("name: value" for a listed row, "n. value" for an added one)."""
    cells = list(answer_cells(ctx, question, value))
    if question.type != "table":
        if len(cells) == 1 and cells[0].label is None and is_number(cells[0].value):
            return {None: cells[0].value}
        joiner = " · " if question.type == "person" else "; "
        return {None: joiner.join(_shown(c, lang) for c in cells)} if cells else {}
    lines: dict[str | None, dict[int, tuple[str, list[str]]]] = {}
    for cell in cells:
        number = cell.row_number or 0
        head = f"{cell.row_label(lang)}:" if cell.row_label else f"{number}."
        lines.setdefault(cell.column_key, {}).setdefault(number, (head, []))[1].append(
            _shown(cell, lang)
        )
    return {
        key: "\n".join(f"{head} {'; '.join(parts)}" for head, parts in rows.values())
        for key, rows in lines.items()
    }
