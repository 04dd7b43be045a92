"""Rows a table can take over from the step before: needs → gaps → candidates → priorities →
objectives.

Each rule reads earlier answers and proposes rows the table does not hold yet, each naming the
row it came from (so the trace can follow it); the people at the table decide whether to add
them, and then edit them like any row they typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workshop.groupwork.insights import weighted_total
from workshop.groupwork.queries import values_of
from workshop.method.definition import Method, Question
from workshop.models import SHARED

LOW_STATUS = 1


def _answers(partnership_id: int, keys: list[str]) -> dict[tuple[str, str], Any]:
    return values_of(partnership_id, keys)


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


def _named(rows: list[dict[str, Any]] | None, column: str) -> set[str]:
    return {" ".join(str(r.get(column, "")).split()).casefold() for r in rows or []} - {""}


def candidates_from_gaps(method: Method, partnership_id: int, side: str) -> list[dict[str, Any]]:
    found = _answers(partnership_id, ["gap_table", "candidate_scores"])
    mine = found.get(("candidate_scores", side)) or []
    have, linked = _named(mine, "candidate"), {r.get("gap") for r in mine}
    proposals = []
    for row in found.get(("gap_table", SHARED)) or []:
        name = _area_name(method, row.get("area", ""))
        if name.casefold() not in have and row.get("row") not in linked:
            have.add(name.casefold())
            proposals.append({"candidate": name, "gap": row.get("row")})
    return proposals


def priorities_from_candidates(
    method: Method, partnership_id: int, side: str
) -> list[dict[str, Any]]:
    """The best-scored candidates (both sides' weighted totals added), up to the table's room."""
    found = _answers(partnership_id, ["candidate_scores", "priorities"])
    scoring, table = method.question("candidate_scores"), method.question("priorities")
    if scoring is None or table is None:
        return []
    mine = found.get(("priorities", SHARED)) or []
    have, linked = _named(mine, "priority"), {r.get("gap") for r in mine} - {None}
    totals: dict[str, int] = {}
    proposals: dict[str, dict[str, Any]] = {}
    for who in ("ua", "partner"):
        for row in found.get(("candidate_scores", who)) or []:
            name = " ".join(str(row.get("candidate", "")).split())
            if not name or name.casefold() in have or (row.get("gap") in linked):
                continue
            proposal = proposals.setdefault(name.casefold(), {"priority": name})
            if row.get("gap"):
                proposal.setdefault("gap", row["gap"])
            totals[name.casefold()] = totals.get(name.casefold(), 0) + weighted_total(scoring, row)
    best = sorted(proposals, key=lambda name: -totals[name])
    return [proposals[name] for name in best[: max(table.max_rows - len(mine), 0)]]


def objectives_from_priorities(
    method: Method, partnership_id: int, side: str
) -> list[dict[str, Any]]:
    found = _answers(partnership_id, ["priorities", "objectives"])
    have = {r.get("priority") for r in found.get(("objectives", SHARED)) or []}
    return [
        {"priority": row["row"]}
        for row in found.get(("priorities", SHARED)) or []
        if row.get("priority") and row.get("row") and row["row"] not in have
    ]


RULES: dict[str, Callable[[Method, int, str], list[dict[str, Any]]]] = {
    "gaps_from_needs": gaps_from_needs,
    "candidates_from_gaps": candidates_from_gaps,
    "priorities_from_candidates": priorities_from_candidates,
    "objectives_from_priorities": objectives_from_priorities,
}


def suggestions(method: Method, question: Question, partnership_id: int, side: str) -> list[dict]:
    """Rows the rule proposes for ``question`` that the table does not have yet."""
    if question.prefill is None:
        return []
    return RULES[question.prefill](method, partnership_id, side)
