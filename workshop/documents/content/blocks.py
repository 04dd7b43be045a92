"""Answers turned into document blocks by their question's type, for any question.

The annex is made of nothing else, and the narrative sections use the same pieces, so a
question added to the method shows up in the annex without a line of code or template.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from workshop.documents import model
from workshop.documents.content.source import SIDES, Source
from workshop.method.definition import Question
from workshop.method.rows import SHARED

# Beyond this many rows a table is laid out as blocks: WeasyPrint takes seconds over long
# tables and breaks a block's long cell across pages more gracefully.
TABLE_ROWS_LIMIT = 30


def side_label(side: str) -> str:
    return _("Ukrainian hospital") if side == "ua" else _("Partner hospital")


def not_answered(src: Source, question: Question, side: str = SHARED) -> model.Note:
    label = src.text(question.label)
    if side:
        label = _("%(question)s (%(side)s)", question=label, side=side_label(side))
    return model.Note(_("%(question)s: not answered yet.", question=label))


def rows_block(
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: tuple[int, ...] = (),
) -> model.Table | model.Records:
    """A table when short, else the same rows as records titled by their first cell."""
    if len(rows) <= TABLE_ROWS_LIMIT:
        return model.Table(caption, tuple(headers), tuple(tuple(r) for r in rows), numeric)
    return model.Records(
        caption,
        tuple(
            model.Record(
                row[0],
                model.Facts(tuple((h, c) for h, c in zip(headers[1:], row[1:], strict=True) if c)),
            )
            for row in rows
        ),
    )


def _fixed_records(
    src: Source, table: Question, stored: list[dict[str, Any]]
) -> tuple[list[model.Record], list[str]]:
    """A fixed-row table's filled rows in the list's order, and the items nobody filled in."""
    by_id = {str(r.get("row")): r for r in stored}
    known = src.fixed_rows(table)
    items, empty = [], []
    for item in known:
        found = tuple(src.cells(table, by_id.get(item.id, {})))
        if found:
            items.append(model.Record(item.label(src.lang), model.Facts(found)))
        else:
            empty.append(item.label(src.lang))
    ids = {item.id for item in known}
    for row_id, row in by_id.items():  # rows whose item was since removed: kept visible
        found = tuple(src.cells(table, row))
        if row_id not in ids and found:
            items.append(model.Record(_("(removed item)"), model.Facts(found)))
    return items, empty


def _added_record(src: Source, table: Question, number: int, row: dict[str, Any]) -> model.Record:
    """A row people added, titled by its number and, where the table has one, its name
    ("Priority 2: Paediatric trauma team"), which then is not repeated among its cells."""
    title = src.item_title(table, number)
    named = table.column_for("name")
    name = " ".join(str(row.get(named.key) or "").split()) if named else ""
    if not name:
        return model.Record(title, model.Facts(tuple(src.cells(table, row))))
    rest = tuple(src.cells(table, {k: v for k, v in row.items() if k != named.key}))
    return model.Record(f"{title}: {name}", model.Facts(rest))


def table_records(src: Source, table: Question, side: str = SHARED) -> list[model.Block]:
    """Every filled row of a table answer as a record of its filled cells.

    A fixed-row table (assessment areas, principles) names its rows by their items and lists
    the items nobody filled in; a table whose rows people add numbers them ("Gap 2").
    """
    caption = src.text(table.label)
    if side:
        caption = _("%(question)s (%(side)s)", question=caption, side=side_label(side))
    stored = src.rows(table.key, side)
    if table.rows:
        items, empty = _fixed_records(src, table, stored)
    else:
        empty = []
        items = [
            _added_record(src, table, number, row)
            for number, row in enumerate(stored, start=1)
            if next(src.cells(table, row), None) is not None
        ]
    if not items:
        return [not_answered(src, table, side)]
    blocks: list[model.Block] = [model.Records(caption, tuple(items))]
    if empty:
        blocks.append(model.Note(_("Not filled in: %(items)s.", items="; ".join(empty))))
    return blocks


def question_blocks(src: Source, question: Question) -> list[model.Block]:
    """One question's answer as blocks, for the annex: whatever its type and sides."""
    if question.type == "table":
        return [b for side in src.sides_of(question) for b in table_records(src, question, side)]
    label = src.text(question.label)
    if question.per_side:
        items = tuple(
            (side_label(side), src.show(question, src.value(question.key, side)))
            for side in SIDES
            if src.answered(question.key, side)
        )
        if not items:
            return [not_answered(src, question)]
        missing = [
            not_answered(src, question, s) for s in SIDES if not src.answered(question.key, s)
        ]
        return [model.Facts(items, caption=label), *missing]
    if not src.answered(question.key):
        return [not_answered(src, question)]
    return [model.Facts(((label, src.show(question, src.value(question.key))),))]


def joined_facts(blocks: list[model.Block]) -> tuple[model.Block, ...]:
    """Neighbouring one-line facts without a caption joined into one list: the annex reads as
    a form's answers, not as a column of one-line boxes."""
    out: list[model.Block] = []
    for block in blocks:
        last = out[-1] if out else None
        if (
            isinstance(block, model.Facts)
            and isinstance(last, model.Facts)
            and not block.caption
            and not last.caption
        ):
            out[-1] = model.Facts(last.items + block.items)
        else:
            out.append(block)
    return tuple(out)


def facts(src: Source, keys: Sequence[str]) -> list[tuple[str, str]]:
    """(label, answer) for each shared question of ``keys`` the method has; unanswered ones
    say so, so a reader sees what the partnership has not settled yet."""
    out = []
    for key in keys:
        question = src.question(key)
        if question is None:
            continue
        shown = src.show(question, src.value(key))
        out.append((src.text(question.label), shown or _("Not answered yet")))
    return out


def table_of(src: Source, table: Question, side: str = SHARED) -> list[model.Block]:
    """A short table answer for a narrative section: one record per row, titled by its item
    (fixed rows) or by its first cell (the signatory's name), the other cells after it."""
    stored = src.rows(table.key, side)
    if not stored:
        return [not_answered(src, table, side)]
    labels = {r.id: r.label(src.lang) for r in src.fixed_rows(table)} if table.rows else {}
    items = []
    for number, row in enumerate(stored, start=1):
        cells = list(src.cells(table, row))
        if table.rows:
            title = labels.get(str(row.get("row")), _("(removed item)"))
        elif cells:
            title = cells.pop(0)[1]
        else:
            continue
        items.append(
            model.Record(title or src.item_title(table, number), model.Facts(tuple(cells)))
        )
    caption = src.text(table.label)
    if side:
        caption = _("%(question)s (%(side)s)", question=caption, side=side_label(side))
    return [model.Records(caption, tuple(items))] if items else [not_answered(src, table, side)]
