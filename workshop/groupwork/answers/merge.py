"""Two people editing different cells of one table both keep their work.

A table save that started from an old version is merged with what was saved since, cell by
cell, against the version both started from (a three-way merge, rows matched by their stable
ids). Only when both changed the same cell differently, or one removed a row the other edited,
is it a real conflict for the person to settle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workshop.auth.signed_in import SignedIn
from workshop.groupwork.answers import services
from workshop.groupwork.answers.values import InvalidAnswer, clean
from workshop.method.definition import Question
from workshop.models import Account

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Result:
    saved: services.Saved
    merged_with: str | None = None  # who saved meanwhile, when their work was merged in


@dataclass(frozen=True)
class TableConflict(services.Conflict):
    """A conflict in a table, naming the cells both people changed: (row number, id, column)."""

    cells: tuple[tuple[int, str, str], ...] = ()


def _cell(base: Any, mine: Any, theirs: Any) -> tuple[bool, Any]:
    if mine == theirs or theirs == base:
        return True, mine
    if mine == base:
        return True, theirs
    return False, None


Cell = tuple[int, str, str]  # row number as the page shows it, row id, column key


def merge_rows(
    base: Rows | None, mine: Rows | None, theirs: Rows | None
) -> tuple[Rows, list[Cell]]:
    """The rows with both sides' changes, and the cells they changed two different ways.

    A missing row counts as an empty one: removing a row is clearing it, so removing a row
    somebody else edited meanwhile clashes, and removing an untouched one does not.
    """
    by = [{r["row"]: r for r in rows or []} for rows in (base, mine, theirs)]
    order = list(by[2]) + [r for r in by[1] if r not in by[2]]
    # Number a row as this person's page shows it; one they removed, as the other's does.
    numbers = {**{r: n for n, r in enumerate(by[2], 1)}, **{r: n for n, r in enumerate(by[1], 1)}}
    merged: Rows = []
    clashes: list[Cell] = []
    for row_id in order:
        b, m, t = (side.get(row_id, {"row": row_id}) for side in by)
        row = {}
        for column in dict.fromkeys([*b, *m, *t]):
            agreed, value = _cell(b.get(column), m.get(column), t.get(column))
            if not agreed:
                clashes.append((numbers[row_id], row_id, column))
            elif value is not None:
                row[column] = value
        if len(row) > 1:
            merged.append(row)
    return merged, clashes


def save(
    question: Question,
    *,
    partnership_id: int,
    cycle: int,
    side: str,
    value: Any,
    base_version: int,
    actor: Account | SignedIn,
    idempotency_key: str | None = None,
    guard: services.Guard | None = None,
) -> Result:
    """Save like services.save_answer; a stale table save is merged when it can be."""
    fields = {"partnership_id": partnership_id, "cycle": cycle, "key": question.key, "side": side}
    try:
        return Result(
            services.save_answer(
                **fields,
                value=value,
                base_version=base_version,
                actor=actor,
                idempotency_key=idempotency_key,
                guard=guard,
            )
        )
    except services.Conflict as conflict:
        if question.type != "table":
            raise
        base = services.revision(partnership_id, cycle, question.key, side, base_version)
        rows, clashes = merge_rows(base.value if base else None, value, conflict.value)
        if clashes:
            raise TableConflict(**vars(conflict), cells=tuple(clashes)) from None
        try:
            merged = clean(question, rows)
        except InvalidAnswer:  # e.g. both added rows and together they pass the limit
            raise TableConflict(**vars(conflict)) from None
        # The same idempotency key: a retry of this request finds the merged save and stops.
        saved = services.save_answer(
            **fields,
            value=merged,
            base_version=conflict.version,
            actor=actor,
            idempotency_key=idempotency_key,
            guard=guard,
        )
        return Result(saved, merged_with=conflict.by or "")
