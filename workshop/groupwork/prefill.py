"""Rows a table can take over from the stage before: needs → gaps → candidates → objectives.

Each rule reads earlier answers and proposes rows the table does not hold yet; the people at
the table decide whether to add them, and then edit them like any row they typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from workshop.extensions import db
from workshop.method.definition import Method, Question
from workshop.models import SHARED, Answer

LOW_STATUS = 1


def _answers(partnership_id: int, keys: list[str]) -> dict[tuple[str, str], Any]:
    rows = db.session.execute(
        sa.select(Answer.question_key, Answer.side, Answer.value).where(
            Answer.partnership_id == partnership_id, Answer.question_key.in_(keys)
        )
    )
    return {(key, side): value for key, side, value in rows}


def _area_name(method: Method, area_id: str) -> str:
    """Both languages, so the two sides' rows name a candidate the same way."""
    areas = method.question("needs_matrix")
    label = next((r.label for r in areas.rows if r.id == area_id), None) if areas else None
    return f"{label.uk} / {label.en}" if label else area_id


def gaps_from_needs(method: Method, partnership_id: int, side: str) -> list[dict[str, Any]]:
    found = _answers(partnership_id, ["needs_matrix", "gap_table"])
    have = {row.get("area") for row in found.get(("gap_table", SHARED)) or []}
    rows: dict[str, list[str]] = {}
    for who in ("ua", "partner"):
        for row in found.get(("needs_matrix", who)) or []:
            low = row.get("status") is not None and row["status"] <= LOW_STATUS
            if (low or row.get("want_to_learn")) and row["row"] not in have:
                note = f"{who.upper()}: {row.get('status', '–')}/3"
                if row.get("want_to_learn"):
                    note += f" — {row['want_to_learn']}"
                rows.setdefault(row["row"], []).append(note)
    return [{"area": area, "current": "; ".join(notes)} for area, notes in rows.items()]


def candidates_from_gaps(method: Method, partnership_id: int, side: str) -> list[dict[str, Any]]:
    found = _answers(partnership_id, ["gap_table", "candidate_scores"])
    have = {
        str(r.get("candidate", "")).casefold() for r in found.get(("candidate_scores", side)) or []
    }
    proposals = []
    for row in found.get(("gap_table", SHARED)) or []:
        name = _area_name(method, row.get("area", ""))
        if name.casefold() not in have:
            have.add(name.casefold())
            proposals.append({"candidate": name})
    return proposals


def objectives_from_priorities(
    method: Method, partnership_id: int, side: str
) -> list[dict[str, Any]]:
    found = _answers(partnership_id, ["priorities", "objectives"])
    have = {str(r.get("priority", "")).casefold() for r in found.get(("objectives", SHARED)) or []}
    return [
        {"priority": row["priority"]}
        for row in found.get(("priorities", SHARED)) or []
        if row.get("priority") and row["priority"].casefold() not in have
    ]


RULES: dict[str, Callable[[Method, int, str], list[dict[str, Any]]]] = {
    "gaps_from_needs": gaps_from_needs,
    "candidates_from_gaps": candidates_from_gaps,
    "objectives_from_priorities": objectives_from_priorities,
}


def suggestions(method: Method, question: Question, partnership_id: int, side: str) -> list[dict]:
    """Rows the rule proposes for ``question`` that the table does not have yet."""
    if question.prefill is None:
        return []
    return RULES[question.prefill](method, partnership_id, side)
