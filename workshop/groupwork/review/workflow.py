"""The review workflow of a stage: submit, request changes, approve, reopen, open early.

Submitting is a request for review, not a lock; approval locks the stage until a facilitator
reopens it with a reason. The next stage opens on approval, or earlier when a facilitator says
so with a reason — and once open it stays open: reopening an approved stage to fix a name must
never lock the table out of the stage it is working on now. Every move is kept with who, when
and why. All of it happens within one cycle of the partnership.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from workshop import audit
from workshop.auth.signed_in import Table
from workshop.extensions import db
from workshop.groupwork.review.queries import RunState, runs, status_of
from workshop.method.definition import Method, Stage
from workshop.models import Account, Partnership, StageEvent, StageRun, StageStatus, utcnow
from workshop.usererror import UserError

S = StageStatus


@dataclass(frozen=True)
class Move:
    allowed_from: frozenset[StageStatus | None]
    to: StageStatus
    by_staff: bool  # otherwise by the people at the table
    needs_reason: bool


MOVES = {
    "submit": Move(frozenset({None, S.CHANGES_REQUESTED, S.REOPENED}), S.SUBMITTED, False, False),
    "request_changes": Move(frozenset({S.SUBMITTED}), S.CHANGES_REQUESTED, True, True),
    "approve": Move(frozenset({S.SUBMITTED}), S.APPROVED, True, False),
    "reopen": Move(frozenset({S.APPROVED}), S.REOPENED, True, True),
}


class ReviewError(UserError):
    """A review move or comment that cannot happen now, and why."""


class Incomplete(ReviewError):
    """A stage submitted before it holds what the method asks for: each thing missing, said."""

    def __init__(self, items: list[str]) -> None:
        super().__init__(_("This stage cannot be submitted yet. Still missing:"))
        self.items = items


def previous(method: Method, stage: Stage) -> Stage | None:
    index = method.stages.index(stage)
    return method.stages[index - 1] if index else None


def following(method: Method, stage: Stage) -> Stage | None:
    index = method.stages.index(stage)
    return method.stages[index + 1] if index + 1 < len(method.stages) else None


def is_open(method: Method, stage: Stage, by_key: Mapping[str, StageRun | RunState]) -> bool:
    """Open once the stage before was approved (even if reopened since) or opened early."""
    before = previous(method, stage)
    if before is None:
        return True
    run, earlier = by_key.get(stage.key), by_key.get(before.key)
    return bool(run and run.opened_early) or bool(
        earlier and (earlier.status is S.APPROVED or earlier.first_approved_at is not None)
    )


def under_revision(method: Method, by_key: dict[str, StageRun]) -> list[Stage]:
    """Stages that were approved once and are open for changes again."""
    return [
        stage
        for stage in method.stages
        if (run := by_key.get(stage.key))
        and run.first_approved_at is not None
        and run.status is not S.APPROVED
    ]


def being_revised(method: Method, stage: Stage, by_key: dict[str, StageRun]) -> list[Stage]:
    """Earlier stages than ``stage`` that are under revision while people work on it."""
    before = method.stages[: method.stages.index(stage)]
    return [s for s in under_revision(method, by_key) if s in before]


def why_not_editable(
    method: Method,
    stage: Stage,
    by_key: Mapping[str, StageRun | RunState],
    partnership: Partnership | Table,
) -> str | None:
    """None when answers may change now; otherwise the reason, for the person."""
    if partnership.cycle_closed:
        return _("This cycle is closed: its answers are kept to read and compare with.")
    if not is_open(method, stage, by_key):
        return _("This stage opens when the previous one is approved.")
    if status_of(stage, by_key) is S.APPROVED:
        return _("This stage is approved and locked. A facilitator can reopen it.")
    if (run := by_key.get(stage.key)) is not None and run.closed_for_room:
        # Set on every table's run by the facilitator's room control (facilitation/control).
        return _("The facilitator has closed this stage for the room for now.")
    return None


def named(stage: Stage, keys: list[str] | None) -> list[str] | None:
    """The stage's questions among ``keys``, in the page's order; None when it names none.

    A key of another stage or method version cannot be posted from the page, so it is left
    out rather than refused: the request for changes itself still stands.
    """
    wanted = set(keys or ())
    found = [q.key for q in stage.questions() if q.key in wanted]
    return found or None


def run_for(partnership_id: int, cycle: int, stage_key: str) -> StageRun:
    """The stage's run in this cycle, locked for the rest of the transaction; made if absent."""
    run = db.session.scalar(
        sa.select(StageRun)
        .where(
            StageRun.partnership_id == partnership_id,
            StageRun.cycle == cycle,
            StageRun.stage_key == stage_key,
        )
        .with_for_update()
    )
    if run is None:
        run = StageRun(partnership_id=partnership_id, cycle=cycle, stage_key=stage_key)
        db.session.add(run)
        db.session.flush()
    return run


def move(
    *,
    partnership: Partnership,
    method: Method,
    stage: Stage,
    action: str,
    reason: str,
    actor: Account,
    staff: bool,
    unmet: list[str] | None = None,
    questions: list[str] | None = None,
) -> StageEvent:
    """Apply one review action, or raise ReviewError saying why it cannot happen.

    ``unmet`` lists, for a submission, what the stage still lacks (see ``completeness``);
    ``questions``, for a request for changes, the keys of the questions it is about.
    """
    reason = " ".join(reason.split())[:2000]
    if partnership.cycle_closed:
        raise ReviewError(_("This cycle is closed: its answers are kept to read and compare with."))
    if action == "open_next":
        return _open_next(partnership, method, stage, reason, actor, staff)
    rule = MOVES.get(action)
    if rule is None or rule.by_staff != staff:
        raise ReviewError(_("This action is not available to you."))
    if rule.needs_reason and not reason:
        raise ReviewError(_("Give a reason, so the table knows what to do next."))
    by_key = runs(partnership.id, partnership.cycle)
    if not is_open(method, stage, by_key):
        raise ReviewError(_("This stage opens when the previous one is approved."))
    run = run_for(partnership.id, partnership.cycle, stage.key)
    if not staff and run.closed_for_room:
        # The table's own move; facilitators go on reviewing what the closed stage holds.
        raise ReviewError(_("The facilitator has closed this stage for the room for now."))
    if run.status not in rule.allowed_from:
        raise ReviewError(_("The stage has moved on meanwhile; reload the page."))
    if action == "submit" and unmet:
        raise Incomplete(unmet)
    event = StageEvent(
        run=run,
        action=action,
        from_status=run.status.value if run.status else None,
        to_status=rule.to.value,
        reason=reason or None,
        questions=named(stage, questions) if action == "request_changes" else None,
        actor_id=actor.id,
    )
    run.status, run.updated_at = rule.to, utcnow()
    if rule.to is S.APPROVED and run.first_approved_at is None:
        run.first_approved_at = run.updated_at
    db.session.add(event)
    audit.record(
        f"stage_{action}",
        actor=actor,
        obj=run,
        stage=stage.key,
        cycle=run.cycle,
        from_status=event.from_status,
        to_status=event.to_status,
    )
    return event


def _open_next(
    partnership: Partnership,
    method: Method,
    stage: Stage,
    reason: str,
    actor: Account,
    staff: bool,
) -> StageEvent:
    after = following(method, stage)
    if not staff or after is None:
        raise ReviewError(_("This action is not available to you."))
    if not reason:
        raise ReviewError(_("Give a reason, so the table knows what to do next."))
    if not is_open(method, stage, runs(partnership.id, partnership.cycle)):
        raise ReviewError(_("This stage opens when the previous one is approved."))
    return open_early(partnership, after, reason, actor)


def open_early(partnership: Partnership, stage: Stage, reason: str, actor: Account) -> StageEvent:
    """Open ``stage`` at this table before the one before it is approved: the one way a stage
    is opened by hand, whether for one table (``open_next``) or for the whole room
    (facilitation/control). The caller has checked who may and why."""
    run = run_for(partnership.id, partnership.cycle, stage.key)
    run.opened_early = True
    event = StageEvent(
        run=run,
        action="open_early",
        reason=reason,
        actor_id=actor.id,
        from_status=None,
        to_status=None,
    )
    db.session.add(event)
    audit.record("stage_opened_early", actor=actor, obj=run, stage=stage.key, cycle=run.cycle)
    return event
