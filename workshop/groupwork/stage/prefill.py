"""Rows a table can take over from the step before: needs → gaps → candidates → priorities →
objectives.

Each rule reads earlier answers and proposes rows the table does not hold yet, each naming the
row it came from (so the trace can follow it); the people at the table decide whether to add
them, and then edit them like any row they typed. Rules find their tables and columns by the
roles the method gives them, and write only what people typed or ids of rows: anything the rule
has to say about a proposal (a rating, a score, dots) is shown beside it in the reader's
language and never stored in an answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from workshop.groupwork.answers.queries import values_of
from workshop.groupwork.stage.insights import (
    LOW_STATUS,
    area_rows,
    weighted_total,
)
from workshop.i18n import current_lang
from workshop.method.definition import Method, Question
from workshop.method.rows import candidate_key
from workshop.models import SHARED

Values = dict[tuple[str, str], Any]


@dataclass(frozen=True)
class Suggestion:
    row: dict[str, Any]  # what is added to the table: cells by column key
    why: list[str] = field(default_factory=list)  # shown beside it, never stored


@dataclass(frozen=True)
class Source:
    """Where a rule reads: the partnership's cycle, and the votes it may weigh in."""

    partnership_id: int
    cycle: int
    dots: dict[str, int] = field(default_factory=dict)  # candidate row id → revealed dots


def _col(table: Question, role: str) -> str:
    column = table.column_for(role)
    assert column is not None  # noqa: S101 - the loader checks every role a rule needs
    return column.key


def _table(method: Method, role: str) -> Question:
    table = method.by_role(role)
    assert table is not None  # noqa: S101 - the loader checks every role a rule needs
    return table


def _name(row: dict[str, Any], column: str) -> str:
    return " ".join(str(row.get(column, "")).split())


def _side_label(side: str) -> str:
    return _("Ukrainian hospital") if side == "ua" else _("Partner hospital")


def gaps_from_needs(method: Method, source: Source, side: str) -> list[Suggestion]:
    """A gap for every area either side rated low or wants to learn about."""
    matrix, gaps = _table(method, "needs_matrix"), _table(method, "gaps")
    status, wants, area = _col(matrix, "status"), _col(matrix, "wants"), _col(gaps, "area")
    keys = [matrix.key, gaps.key] + ([matrix.more_rows] if matrix.more_rows else [])
    found = values_of(source.partnership_id, source.cycle, keys)
    have = {row.get(area) for row in found.get((gaps.key, SHARED)) or []}
    labels = {a.id: a for a in area_rows(method, matrix, found, current_lang())}
    notes: dict[str, list[str]] = {}
    for who in ("ua", "partner"):
        for row in found.get((matrix.key, who)) or []:
            low = row.get(status) is not None and row[status] <= LOW_STATUS
            if (low or row.get(wants)) and row["row"] not in have and row["row"] in labels:
                rating = row.get(status)
                note = _(
                    "%(side)s: %(status)s of 3",
                    side=_side_label(who),
                    status="–" if rating is None else rating,
                )
                if row.get(wants):
                    note += f" — {row[wants]}"
                notes.setdefault(row["row"], []).append(note)
    return [Suggestion({area: row_id}, why) for row_id, why in notes.items()]


def candidates_from_gaps(method: Method, source: Source, side: str) -> list[Suggestion]:
    """A candidate for every gap this side's scoring table does not name yet."""
    gaps, table = _table(method, "gaps"), _table(method, "candidates")
    area, gap_col, name_col = _col(gaps, "area"), _col(table, "gap"), _col(table, "name")
    matrix = method.by_role("needs_matrix")
    keys = [gaps.key, table.key] + ([matrix.more_rows] if matrix and matrix.more_rows else [])
    found = values_of(source.partnership_id, source.cycle, keys)
    lang = current_lang()
    labels = {a.id: a.label(lang) for a in area_rows(method, matrix, found, lang)} if matrix else {}
    mine = found.get((table.key, side if table.per_side else SHARED)) or []
    linked = {r.get(gap_col) for r in mine} - {None}
    proposals = []
    for row in found.get((gaps.key, SHARED)) or []:
        if row.get("row") in linked:
            continue
        # The name is what people typed for the gap, or the area as this reader calls it.
        name = _name(row, _col(gaps, "name")) if gaps.column_for("name") else ""
        name = name or labels.get(str(row.get(area)), "")
        if name:
            proposals.append(Suggestion({name_col: name, gap_col: row["row"]}))
    return proposals


def priorities_from_candidates(method: Method, source: Source, side: str) -> list[Suggestion]:
    """The best candidates by both sides' weighted totals (dots beside), up to the table's room."""
    scoring, table = _table(method, "candidates"), _table(method, "priorities")
    name_col, gap_col = _col(table, "name"), table.column_for("gap")
    found = values_of(source.partnership_id, source.cycle, [scoring.key, table.key])
    mine = found.get((table.key, SHARED)) or []
    have = {_name(r, name_col).casefold() for r in mine} - {""}
    linked = {r.get(gap_col.key) for r in mine} - {None} if gap_col else set()
    totals: dict[str, int] = {}
    dots: dict[str, int] = {}
    proposals: dict[str, dict[str, Any]] = {}
    source_gap = scoring.column_for("gap")
    for who in ("ua", "partner") if scoring.per_side else (SHARED,):
        for row in found.get((scoring.key, who)) or []:
            name = _name(row, _col(scoring, "name"))
            gap = row.get(source_gap.key) if source_gap else None
            if not name or name.casefold() in have or (gap and gap in linked):
                continue
            identity = candidate_key(scoring, row)
            proposal = proposals.setdefault(identity, {name_col: name})
            if gap and gap_col:
                proposal.setdefault(gap_col.key, gap)
            totals[identity] = totals.get(identity, 0) + weighted_total(scoring, row)
            dots[identity] = dots.get(identity, 0) + source.dots.get(str(row.get("row")), 0)
    best = sorted(proposals, key=lambda i: (-totals[i], -dots[i]))
    room = max(table.max_rows - len(mine), 0)
    return [
        Suggestion(
            proposals[i],
            [_("weighted total %(n)d", n=totals[i])]
            + ([ngettext("%(num)d dot", "%(num)d dots", dots[i])] if source.dots else []),
        )
        for i in best[:room]
    ]


def objectives_from_priorities(method: Method, source: Source, side: str) -> list[Suggestion]:
    """An objective row for every priority that has none yet."""
    priorities, table = _table(method, "priorities"), _table(method, "objectives")
    serves, name = _col(table, "priority"), _col(priorities, "name")
    found = values_of(source.partnership_id, source.cycle, [priorities.key, table.key])
    have = {r.get(serves) for r in found.get((table.key, SHARED)) or []}
    return [
        Suggestion({serves: row["row"]})
        for row in found.get((priorities.key, SHARED)) or []
        if row.get(name) and row.get("row") and row["row"] not in have
    ]


RULES: dict[str, Callable[[Method, Source, str], list[Suggestion]]] = {
    "gaps_from_needs": gaps_from_needs,
    "candidates_from_gaps": candidates_from_gaps,
    "priorities_from_candidates": priorities_from_candidates,
    "objectives_from_priorities": objectives_from_priorities,
}


def suggestions(method: Method, question: Question, source: Source, side: str) -> list[Suggestion]:
    """Rows the rule proposes for ``question`` that the table does not have yet."""
    if question.prefill is None:
        return []
    return RULES[question.prefill](method, source, side)
