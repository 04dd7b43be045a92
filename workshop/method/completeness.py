"""What a stage still lacks before it can be submitted: a pure function of the method and the
stored values, so the review workflow, the stage page and tests all say the same thing.

Nothing here is checked while drafting (a draft may be incomplete); these are the conditions of
*submitting* a stage: required questions answered (each side for per-side ones), tables with
their ``min_rows``, required columns filled in every row, and each linked row named by as many
rows as ``per_linked_row`` asks.

Values are keyed ``(question key, side)``: side is ``""`` for shared answers and ``"ua"`` /
``"partner"`` for per-side ones. A table's value is a list of row dicts, each with its ``"row"``
id; a fixed-row table stores only rows with something in them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from workshop.method.definition import Method, Question, Stage, Text
from workshop.method.rows import table_rows, typed_label

SHARED = ""  # the side of an answer given together (models.SHARED)
SIDES = ("ua", "partner")
Values = Mapping[tuple[str, str], Any]


class Kind(StrEnum):
    UNANSWERED = "unanswered"  # a required question (for one side, if per side)
    TOO_FEW_ROWS = "too_few_rows"  # a table below its min_rows
    EMPTY_CELL = "empty_cell"  # a required column left empty in a row
    TOO_FEW_LINKED = "too_few_linked"  # a linked row named by fewer rows than per_linked_row.min
    TOO_MANY_LINKED = "too_many_linked"  # … or by more than per_linked_row.max


@dataclass(frozen=True)
class Unmet:
    """One condition of submitting the stage that the values do not meet yet."""

    question: str
    side: str
    kind: Kind
    column: str | None = None  # EMPTY_CELL, the *_LINKED kinds: the column concerned
    row: str | None = None  # EMPTY_CELL: the row's id, number (1, 2, …) and label if it has one
    row_number: int | None = None
    row_label: Text | None = None
    linked_row: str | None = None  # *_LINKED: the row of the linked table, and its label
    linked_label: Text | None = None
    count: int | None = None  # rows there are now (TOO_FEW_ROWS, *_LINKED)
    minimum: int | None = None
    maximum: int | None = None


def keys_needed(method: Method, stage: Stage) -> set[str]:
    """The question keys whose values ``unmet`` reads for this stage (its own, and the tables
    that its tables link to or take rows from)."""
    keys = set()
    for question in stage.questions():
        keys.add(question.key)
        for table in (question, *(method.question(c.link or "") for c in question.columns)):
            if table is not None:
                keys.add(table.key)
                keys |= {table.more_rows} if table.more_rows else set()
    return keys


def unmet(method: Method, stage: Stage, values: Values) -> list[Unmet]:
    """Everything stopping this stage from being submitted, in the order of the page."""
    found: list[Unmet] = []
    for question in stage.questions():
        for side in SIDES if question.per_side else (SHARED,):
            value = values.get((question.key, side))
            if question.type == "table":
                found += _table(method, question, side, _rows(value), values)
            elif question.required and _empty(value):
                found.append(Unmet(question.key, side, Kind.UNANSWERED))
    return found


def answered(method: Method, stage: Stage, values: Values) -> tuple[int, int]:
    """How many of the stage's questions are answered, and how many there are.

    Answered is what a facilitator would count: something is there (for each side, where each
    side answers) and nothing in it stops the stage from being submitted — a fixed-row table
    only with every row's required cells, a table with ``min_rows`` only with that many
    complete rows, text only when not blank. The rule is ``unmet``'s, so the count and the
    list of what is missing never disagree.
    """
    blocked = {(item.question, item.side) for item in unmet(method, stage, values)}
    questions = stage.questions()
    done = sum(
        all(
            (question.key, side) not in blocked and _given(values.get((question.key, side)))
            for side in (SIDES if question.per_side else (SHARED,))
        )
        for question in questions
    )
    return done, len(questions)


def _given(value: Any) -> bool:
    """Whether an answer has anything in it: a table, a row with some cell filled."""
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
        return any(not _empty(v) for row in value for k, v in row.items() if k != "row")
    if isinstance(value, dict):
        return any(not _empty(v) for v in value.values())
    return not _empty(value)


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {}) or (isinstance(value, str) and not value.strip())


def _rows(value: Any) -> list[dict[str, Any]]:
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def _table(
    method: Method, table: Question, side: str, rows: list[dict[str, Any]], values: Values
) -> list[Unmet]:
    found = []
    if not rows and table.required:
        found.append(Unmet(table.key, side, Kind.UNANSWERED))
    elif len(rows) < table.min_rows:
        found.append(
            Unmet(table.key, side, Kind.TOO_FEW_ROWS, count=len(rows), minimum=table.min_rows)
        )
    found += _empty_cells(method, table, side, rows, values)
    for column in table.columns:
        if column.per_linked_row is not None and column.link is not None:
            found += _linked(method, table, column, side, rows, values)
    return found


@dataclass(frozen=True)
class _Row:
    id: str
    label: Text | None
    cells: Mapping[str, Any]


def _expected_rows(
    method: Method, table: Question, rows: list[dict[str, Any]], values: Values
) -> Iterator[_Row]:
    """The rows the table must have filled: every fixed and added row of a fixed-row table
    (stored or not), every stored row of a repeatable one."""
    stored = {str(r.get("row")): r for r in rows}
    if not table.rows:
        for row in rows:
            yield _Row(str(row.get("row")), typed_label(table, row), row)
        return
    for choice in table_rows(method, table, values):
        yield _Row(choice.id, choice.label, stored.get(choice.id, {}))


def _empty_cells(
    method: Method, table: Question, side: str, rows: list[dict[str, Any]], values: Values
) -> list[Unmet]:
    required = [c for c in table.columns if c.required]
    if not required:
        return []
    found = []
    for number, row in enumerate(_expected_rows(method, table, rows, values), start=1):
        for column in required:
            if _empty(row.cells.get(column.key)):
                found.append(
                    Unmet(
                        table.key,
                        side,
                        Kind.EMPTY_CELL,
                        column=column.key,
                        row=row.id,
                        row_number=number,
                        row_label=row.label,
                    )
                )
    return found


def _linked(
    method: Method,
    table: Question,
    column: Question,
    side: str,
    rows: list[dict[str, Any]],
    values: Values,
) -> list[Unmet]:
    target = method.question(column.link or "")
    rule = column.per_linked_row
    if target is None or rule is None:
        return []
    counts: dict[str, int] = {}
    for row in rows:
        named = row.get(column.key)
        if isinstance(named, str):
            counts[named] = counts.get(named, 0) + 1
    found = []
    for linked in _linkable_rows(method, target, column, values):
        count = counts.get(linked.id, 0)
        kind = (
            Kind.TOO_FEW_LINKED
            if count < rule.min
            else Kind.TOO_MANY_LINKED
            if rule.max is not None and count > rule.max
            else None
        )
        if kind is not None:
            found.append(
                Unmet(
                    table.key,
                    side,
                    kind,
                    column=column.key,
                    linked_row=linked.id,
                    linked_label=linked.label,
                    count=count,
                    minimum=rule.min,
                    maximum=rule.max,
                )
            )
    return found


def _linkable_rows(
    method: Method, target: Question, column: Question, values: Values
) -> Iterator[_Row]:
    """The rows of the linked table, each named as the linking column shows it."""
    if target.rows:
        for choice in table_rows(method, target, values):
            yield _Row(choice.id, choice.label, {})
        return
    # A ref links to a shared table (the loader checks it), so its rows are the shared ones.
    for row in _rows(values.get((target.key, SHARED))):
        label = _shown(method, target, column.show, row, values) or typed_label(target, row)
        yield _Row(str(row.get("row")), label, row)


def _shown(
    method: Method,
    target: Question,
    show: tuple[str, ...],
    row: Mapping[str, Any],
    values: Values,
) -> Text | None:
    """The ``show`` columns' values of a row, joined, in both languages (a choice, or a
    reference to a fixed list's row, by its name)."""
    parts: list[Text] = []
    for key in show:
        column = next((c for c in target.columns if c.key == key), None)
        value = row.get(key)
        if column is None or _empty(value):
            continue
        choice = column.choice(value) if isinstance(value, str) and column.choices else None
        listed = method.question(column.link or "") if column.type == "ref" else None
        if choice is None and listed is not None and listed.rows:
            choice = next((r for r in table_rows(method, listed, values) if r.id == value), None)
        parts.append(choice.label if choice else Text(str(value), str(value)))
    if not parts:
        return None
    return Text(" — ".join(p.uk for p in parts), " — ".join(p.en for p in parts))


def describe(item: Unmet, method: Method, lang: str) -> str:
    """One sentence saying ``item`` to the person, in ``lang``."""
    table = method.question(item.question)
    if table is None:  # a value from another method version; say what we can
        return item.question
    with force_locale(lang):
        where = table.label(lang)
        if item.side:
            side = _("Ukrainian hospital") if item.side == "ua" else _("Partner hospital")
            where = _("%(question)s (%(side)s)", question=where, side=side)
        return _SAY[item.kind](item, table, method, where, lang)


def _unanswered(item: Unmet, table: Question, method: Method, where: str, lang: str) -> str:
    if table.type == "table":
        return _("%(question)s: add at least one row.", question=where)
    return _("%(question)s: this needs an answer.", question=where)


def _too_few_rows(item: Unmet, table: Question, method: Method, where: str, lang: str) -> str:
    return ngettext(
        "%(question)s: needs at least %(num)d row, now %(count)d.",
        "%(question)s: needs at least %(num)d rows, now %(count)d.",
        item.minimum or 0,
        question=where,
        count=item.count or 0,
    )


def _empty_cell(item: Unmet, table: Question, method: Method, where: str, lang: str) -> str:
    column = next((c for c in table.columns if c.key == item.column), None)
    name = column.label(lang) if column else str(item.column)
    if item.row_label is not None:
        return _(
            "%(question)s: fill in «%(column)s» for «%(row)s».",
            question=where,
            column=name,
            row=item.row_label(lang),
        )
    return _(
        "%(question)s: fill in «%(column)s» in row %(number)d.",
        question=where,
        column=name,
        number=item.row_number or 0,
    )


def _linked_rows(item: Unmet, table: Question, method: Method, where: str, lang: str) -> str:
    column = next((c for c in table.columns if c.key == item.column), None)
    target = method.question(column.link or "") if column else None
    # No noun after the number: "needs 1–3 objectives" would need the table's name in every
    # plural form of both languages; the sentence starts with the table's name instead.
    if item.maximum is None:
        needed = _("at least %(min)d", min=item.minimum or 0)
    elif item.minimum == item.maximum:
        needed = _("exactly %(min)d", min=item.minimum or 0)
    elif not item.minimum:
        needed = _("at most %(max)d", max=item.maximum)
    else:
        needed = _("%(min)d–%(max)d", min=item.minimum or 0, max=item.maximum)
    row = item.linked_label(lang) if item.linked_label else "?"
    if target is not None and target.item is not None:
        return _(
            "%(question)s: %(item)s «%(row)s» needs %(needed)s, now %(count)d.",
            question=where,
            item=_lower(target.item(lang)),
            row=row,
            needed=needed,
            count=item.count or 0,
        )
    return _(
        "%(question)s: «%(row)s» needs %(needed)s, now %(count)d.",
        question=where,
        row=row,
        needed=needed,
        count=item.count or 0,
    )


def _lower(label: str) -> str:
    """A label inside a sentence: "Objectives" → "objectives", but "SMART objectives" stays."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


_SAY = {
    Kind.UNANSWERED: _unanswered,
    Kind.TOO_FEW_ROWS: _too_few_rows,
    Kind.EMPTY_CELL: _empty_cell,
    Kind.TOO_FEW_LINKED: _linked_rows,
    Kind.TOO_MANY_LINKED: _linked_rows,
}
