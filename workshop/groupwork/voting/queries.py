"""Reading dot votes: the candidates on the ballot, a person's own dots, the anonymous tally."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from workshop.extensions import db
from workshop.method.definition import Question
from workshop.method.rows import candidate_key
from workshop.models import Account, Answer, Vote


@dataclass(frozen=True)
class Candidate:
    id: str  # the row id votes are kept under (the first row that named this candidate)
    name: str


def _name(row: dict, column: str) -> str:
    return " ".join(str(row.get(column, "")).split())


def candidates(partnership_id: int, cycle: int, table: Question) -> list[Candidate]:
    """Every candidate either side named in the voted table, first mention first.

    A candidate is kept under its row id. Where each side scores in its own table, rows that
    are one candidate (``candidate_key``: the same gap, else the same name) are one entry, under
    the first row's id.
    """
    column = table.column_for("name")
    name_key = column.key if column else "candidate"
    found: dict[str, Candidate] = {}
    values = db.session.scalars(
        sa.select(Answer.value)
        .where(
            Answer.partnership_id == partnership_id,
            Answer.cycle == cycle,
            Answer.question_key == table.key,
        )
        .order_by(Answer.side.desc())
    )
    for rows in values:
        for row in rows or []:
            name = _name(row, name_key)
            if name and row.get("row"):
                found.setdefault(candidate_key(table, row), Candidate(str(row["row"]), name))
    return list(found.values())


def my_dots(partnership_id: int, cycle: int, stage_key: str, voter: Account) -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(Vote.candidate, Vote.dots).where(
                Vote.partnership_id == partnership_id,
                Vote.cycle == cycle,
                Vote.stage_key == stage_key,
                Vote.voter_id == voter.id,
            )
        ).all()
    )


def resolve(stored: str, known: list[Candidate]) -> Candidate | None:
    """The candidate a stored vote is for: by row id, or by its text (votes cast before they
    were kept by row id)."""
    return next((c for c in known if c.id == stored), None) or next(
        (c for c in known if c.name.casefold() == stored.casefold()), None
    )


def tally(partnership_id: int, cycle: int, stage_key: str) -> tuple[dict[str, int], int]:
    """Dots per stored candidate key and how many people voted; never who gave what."""
    where = (
        Vote.partnership_id == partnership_id,
        Vote.cycle == cycle,
        Vote.stage_key == stage_key,
    )
    totals = db.session.execute(
        sa.select(Vote.candidate, sa.func.sum(Vote.dots)).where(*where).group_by(Vote.candidate)
    ).all()
    voters = db.session.scalar(sa.select(sa.func.count(sa.distinct(Vote.voter_id))).where(*where))
    return {key: int(total) for key, total in totals}, int(voters or 0)


@dataclass(frozen=True)
class Ballot:
    """What the voting box shows: the candidates, my dots, and the totals once revealed."""

    candidates: list[Candidate]
    mine: dict[str, int]  # candidate id → my dots
    revealed: bool
    totals: list[tuple[Candidate, int]]  # most dots first; empty while hidden
    voters: int
    budget: int


def ballot(
    partnership_id: int,
    cycle: int,
    stage_key: str,
    table: Question,
    budget: int,
    *,
    revealed: bool,
    voter: Account | None,
) -> Ballot:
    known = candidates(partnership_id, cycle, table)
    stored, voters = tally(partnership_id, cycle, stage_key)
    totals: dict[str, int] = {}
    for key, dots in stored.items():
        if (found := resolve(key, known)) is not None:
            totals[found.id] = totals.get(found.id, 0) + dots
    mine: dict[str, int] = {}
    if voter is not None:
        for key, dots in my_dots(partnership_id, cycle, stage_key, voter).items():
            if (found := resolve(key, known)) is not None:
                mine[found.id] = mine.get(found.id, 0) + dots
    ranked = sorted(((c, totals[c.id]) for c in known if c.id in totals), key=lambda pair: -pair[1])
    return Ballot(known, mine, revealed, ranked if revealed else [], voters, budget)
