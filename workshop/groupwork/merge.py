"""Two people editing different cells of one table both keep their work.

A table save that started from an old version is merged with what was saved since, cell by
cell, against the version both started from (a three-way merge, rows matched by their stable
ids). Only when both changed the same cell differently, or one removed a row the other edited,
is it a real conflict for the person to settle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from workshop.extensions import db
from workshop.groupwork import services
from workshop.groupwork.values import InvalidAnswer, clean
from workshop.method.definition import Question
from workshop.models import Account, Answer, AnswerRevision

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Result:
    saved: services.Saved
    merged_with: str | None = None  # who saved meanwhile, when their work was merged in


def _value_at(partnership_id: int, key: str, side: str, version: int) -> Any:
    return db.session.scalar(
        sa.select(AnswerRevision.value)
        .join(Answer, Answer.id == AnswerRevision.answer_id)
        .where(
            Answer.partnership_id == partnership_id,
            Answer.question_key == key,
            Answer.side == side,
            AnswerRevision.version == version,
        )
    )


@dataclass(frozen=True)
class TableConflict(services.Conflict):
    """A conflict in a table, naming the cells both people changed: (row number, id, column)."""

    cells: tuple[tuple[int, str, str], ...] = ()


def clashing_cells(
    base: Rows | None, mine: Rows | None, theirs: Rows | None
) -> list[tuple[int, str, str]]:
    """The cells (row number as the page shows it, row id, column key) changed both ways."""
    by = [{r["row"]: r for r in rows or []} for rows in (base, mine, theirs)]
    found = []
    for number, row_id in enumerate(by[1], start=1):
        b, m, t = (side.get(row_id, {"row": row_id}) for side in by)
        for column in dict.fromkeys([*b, *m, *t]):
            if not _cell(b.get(column), m.get(column), t.get(column))[0]:
                found.append((number, row_id, column))
    return found


def _cell(base: Any, mine: Any, theirs: Any) -> tuple[bool, Any]:
    if mine == theirs or theirs == base:
        return True, mine
    if mine == base:
        return True, theirs
    return False, None


def merge_rows(base: Rows | None, mine: Rows | None, theirs: Rows | None) -> Rows | None:
    """The rows with both sides' changes, or None when they changed the same cell differently.

    A missing row counts as an empty one: removing a row is clearing it, so removing a row
    somebody else edited meanwhile is a conflict, and removing an untouched one is not.
    """
    by = [{r["row"]: r for r in rows or []} for rows in (base, mine, theirs)]
    order = list(by[2]) + [r for r in by[1] if r not in by[2]]
    merged = []
    for row_id in order:
        b, m, t = (side.get(row_id, {"row": row_id}) for side in by)
        row = {}
        for column in dict.fromkeys([*b, *m, *t]):
            clean_merge, value = _cell(b.get(column), m.get(column), t.get(column))
            if not clean_merge:
                return None
            if value is not None:
                row[column] = value
        if len(row) > 1:
            merged.append(row)
    return merged


def save(
    question: Question,
    *,
    partnership_id: int,
    side: str,
    value: Any,
    base_version: int,
    actor: Account,
    idempotency_key: str | None = None,
) -> Result:
    """Save like services.save_answer; a stale table save is merged when it can be."""
    fields = {"partnership_id": partnership_id, "key": question.key, "side": side}
    try:
        return Result(
            services.save_answer(
                **fields,
                value=value,
                base_version=base_version,
                actor=actor,
                idempotency_key=idempotency_key,
            )
        )
    except services.Conflict as conflict:
        if question.type != "table":
            raise
        base = _value_at(partnership_id, question.key, side, base_version) if base_version else None
        rows = merge_rows(base, value, conflict.value)
        try:
            merged = clean(question, rows) if rows is not None else None
        except InvalidAnswer:  # e.g. both added rows and together they pass the limit
            rows = None
        if rows is None:
            cells = tuple(clashing_cells(base, value, conflict.value))
            raise TableConflict(**vars(conflict), cells=cells) from None
        # The same idempotency key: a retry of this request finds the merged save and stops.
        saved = services.save_answer(
            **fields,
            value=merged,
            base_version=conflict.version,
            actor=actor,
            idempotency_key=idempotency_key,
        )
        return Result(saved, merged_with=conflict.by or "")
