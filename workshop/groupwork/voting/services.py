"""Dot voting on priority candidates: a budget of dots each, anonymous, hidden until revealed.

Votes are kept under the candidate row's id, so renaming a candidate keeps its dots.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from workshop import audit
from workshop.extensions import db
from workshop.groupwork.review.workflow import run_for
from workshop.groupwork.voting.queries import Candidate
from workshop.models import Account, Membership, StageRun, Vote
from workshop.numbers import whole_number
from workshop.usererror import UserError


class VoteError(UserError):
    """A ballot that cannot be counted, and why."""


def cast(
    *,
    partnership_id: int,
    cycle: int,
    stage_key: str,
    candidates: list[Candidate],
    budget: int,
    ballot: list[tuple[str, str]],
    voter: Account,
) -> None:
    """Replace ``voter``'s dots with ``ballot`` (candidate row id, dots as typed), or raise."""
    # The replace (delete the old dots, add the new) must be whole against the same person's
    # other ballot sent at the same moment (two tabs, a double tap, a retried request):
    # unlocked, each would delete only committed dots and both sets would stay, over the budget,
    # or collide on a candidate. So the voter's seat at this table stays locked until commit and
    # the second ballot waits, then replaces the first (PostgreSQL row lock; SQLite lets one
    # writer in at a time, and its transaction begins at the delete, holding through the adds).
    db.session.execute(
        sa.select(Membership.id)
        .where(Membership.account_id == voter.id, Membership.partnership_id == partnership_id)
        .with_for_update()
    )
    known = {c.id for c in candidates}
    dots: dict[str, int] = {}
    for candidate_id, typed in ballot:
        if candidate_id not in known:
            raise VoteError(_("The candidates changed meanwhile; reload the page."))
        count = whole_number(typed.strip() or "0", high=budget)
        if count is None:
            raise VoteError(
                _("Give each candidate a whole number of dots from 0 to %(n)d.", n=budget)
            )
        dots[candidate_id] = count
    if sum(dots.values()) > budget:
        raise VoteError(
            ngettext(
                "You have %(num)d dot but gave %(given)d.",
                "You have %(num)d dots but gave %(given)d.",
                budget,
                given=sum(dots.values()),
            )
        )
    db.session.execute(
        sa.delete(Vote).where(
            Vote.partnership_id == partnership_id,
            Vote.cycle == cycle,
            Vote.stage_key == stage_key,
            Vote.voter_id == voter.id,
        )
    )
    db.session.add_all(
        Vote(
            partnership_id=partnership_id,
            cycle=cycle,
            stage_key=stage_key,
            voter_id=voter.id,
            candidate=candidate_id,
            dots=count,
        )
        for candidate_id, count in dots.items()
        if count
    )


def set_revealed(
    partnership_id: int, cycle: int, stage_key: str, revealed: bool, *, actor: Account
) -> StageRun:
    run = run_for(partnership_id, cycle, stage_key)
    run.votes_revealed = revealed
    audit.record("votes_revealed" if revealed else "votes_hidden", actor=actor, obj=run)
    return run
