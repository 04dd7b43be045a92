"""Dot voting on priority candidates: a budget of dots each, anonymous, hidden until revealed."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from workshop import audit
from workshop.extensions import db
from workshop.groupwork.review import ReviewError, run_for
from workshop.models import Account, Answer, StageRun, Vote


def candidates(partnership_id: int, question_key: str) -> list[str]:
    """Every candidate either side named in the voting table, first mention first."""
    names: dict[str, str] = {}
    values = db.session.scalars(
        sa.select(Answer.value)
        .where(Answer.partnership_id == partnership_id, Answer.question_key == question_key)
        .order_by(Answer.side.desc())
    )
    for rows in values:
        for row in rows or []:
            name = " ".join(str(row.get("candidate", "")).split())
            if name:
                names.setdefault(name.casefold(), name)
    return list(names.values())


def my_dots(partnership_id: int, stage_key: str, voter: Account) -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(Vote.candidate, Vote.dots).where(
                Vote.partnership_id == partnership_id,
                Vote.stage_key == stage_key,
                Vote.voter_id == voter.id,
            )
        ).all()
    )


def cast(
    *,
    partnership_id: int,
    stage_key: str,
    question_key: str,
    budget: int,
    ballot: list[tuple[str, str]],
    voter: Account,
) -> None:
    """Replace ``voter``'s dots with ``ballot`` (candidate, dots as typed), or raise."""
    known = {c.casefold(): c for c in candidates(partnership_id, question_key)}
    dots: dict[str, int] = {}
    for name, typed in ballot:
        if name.casefold() not in known:
            raise ReviewError(_("The candidates changed meanwhile; reload the page."))
        text = typed.strip() or "0"
        if not text.isdigit() or int(text) > budget:
            raise ReviewError(
                _("Give each candidate a whole number of dots from 0 to %(n)d.", n=budget)
            )
        dots[known[name.casefold()]] = int(text)
    if sum(dots.values()) > budget:
        raise ReviewError(
            _(
                "You have %(budget)d dots but gave %(given)d.",
                budget=budget,
                given=sum(dots.values()),
            )
        )
    db.session.execute(
        sa.delete(Vote).where(
            Vote.partnership_id == partnership_id,
            Vote.stage_key == stage_key,
            Vote.voter_id == voter.id,
        )
    )
    db.session.add_all(
        Vote(
            partnership_id=partnership_id,
            stage_key=stage_key,
            voter_id=voter.id,
            candidate=name,
            dots=count,
        )
        for name, count in dots.items()
        if count
    )


def tally(partnership_id: int, stage_key: str) -> tuple[list[tuple[str, int]], int]:
    """Dots per candidate (most first) and how many people voted; never who gave what."""
    where = (Vote.partnership_id == partnership_id, Vote.stage_key == stage_key)
    totals = db.session.execute(
        sa.select(Vote.candidate, sa.func.sum(Vote.dots))
        .where(*where)
        .group_by(Vote.candidate)
        .order_by(sa.func.sum(Vote.dots).desc())
    ).all()
    voters = db.session.scalar(sa.select(sa.func.count(sa.distinct(Vote.voter_id))).where(*where))
    return [(name, int(total)) for name, total in totals], int(voters or 0)


def set_revealed(
    partnership_id: int, stage_key: str, revealed: bool, *, actor: Account
) -> StageRun:
    run = run_for(partnership_id, stage_key)
    run.votes_revealed = revealed
    audit.record("votes_revealed" if revealed else "votes_hidden", actor=actor, obj=run)
    return run
