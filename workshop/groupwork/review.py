"""The review workflow of a stage: submit, request changes, approve, reopen, open early.

Submitting is a request for review, not a lock; approval locks the stage until a facilitator
reopens it with a reason. The next stage opens on approval, or earlier when a facilitator says
so with a reason. Every move is kept with who, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from workshop import audit
from workshop.extensions import db
from workshop.i18n import current_lang
from workshop.method.definition import Method, Stage
from workshop.models import (
    SHARED,
    Account,
    Answer,
    Comment,
    StageEvent,
    StageRun,
    StageStatus,
    utcnow,
)

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


class ReviewError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def runs(partnership_id: int, keys: list[str] | None = None) -> dict[str, StageRun]:
    """The partnership's stage runs by stage key (all, or only those named)."""
    query = sa.select(StageRun).where(StageRun.partnership_id == partnership_id)
    if keys is not None:
        query = query.where(StageRun.stage_key.in_(keys))
    return {run.stage_key: run for run in db.session.scalars(query)}


def previous(method: Method, stage: Stage) -> Stage | None:
    index = method.stages.index(stage)
    return method.stages[index - 1] if index else None


def following(method: Method, stage: Stage) -> Stage | None:
    index = method.stages.index(stage)
    return method.stages[index + 1] if index + 1 < len(method.stages) else None


def is_open(method: Method, stage: Stage, by_key: dict[str, StageRun]) -> bool:
    before = previous(method, stage)
    if before is None:
        return True
    run, earlier = by_key.get(stage.key), by_key.get(before.key)
    return bool(run and run.opened_early) or bool(earlier and earlier.status is S.APPROVED)


def status_of(stage: Stage, by_key: dict[str, StageRun]) -> StageStatus | None:
    run = by_key.get(stage.key)
    return run.status if run else None


def why_not_editable(method: Method, stage: Stage, by_key: dict[str, StageRun]) -> str | None:
    """None when answers may change now; otherwise the reason, for the person."""
    if not is_open(method, stage, by_key):
        return _("This stage opens when the previous one is approved.")
    if status_of(stage, by_key) is S.APPROVED:
        return _("This stage is approved and locked. A facilitator can reopen it.")
    return None


def missing_required(partnership_id: int, stage: Stage) -> list[str]:
    """Labels of required questions with no answer yet (each side for per-side questions)."""
    required = [q for q in stage.questions() if q.required]
    rows = db.session.execute(
        sa.select(Answer.question_key, Answer.side, Answer.value).where(
            Answer.partnership_id == partnership_id,
            Answer.question_key.in_([q.key for q in required]),
        )
    )
    minimum = {q.key: max(q.min_rows, 1) for q in required}
    # A table counts as answered once it has the rows the method asks for (2–4 priorities).
    answered = {
        (key, side)
        for key, side, value in rows
        if value is not None and (not isinstance(value, list) or len(value) >= minimum[key])
    }
    lang = current_lang()
    missing = []
    for question in required:
        sides = ("ua", "partner") if question.per_side else (SHARED,)
        if any((question.key, side) not in answered for side in sides):
            missing.append(question.label(lang))
    return missing


def run_for(partnership_id: int, stage_key: str) -> StageRun:
    run = db.session.scalar(
        sa.select(StageRun)
        .where(StageRun.partnership_id == partnership_id, StageRun.stage_key == stage_key)
        .with_for_update()
    )
    if run is None:
        run = StageRun(partnership_id=partnership_id, stage_key=stage_key)
        db.session.add(run)
        db.session.flush()
    return run


def move(
    *,
    partnership_id: int,
    method: Method,
    stage: Stage,
    action: str,
    reason: str,
    actor: Account,
    staff: bool,
) -> StageEvent:
    """Apply one review action, or raise ReviewError saying why it cannot happen."""
    reason = " ".join(reason.split())[:2000]
    if action == "open_next":
        return _open_next(partnership_id, method, stage, reason, actor, staff)
    rule = MOVES.get(action)
    if rule is None or rule.by_staff != staff:
        raise ReviewError(_("This action is not available to you."))
    if rule.needs_reason and not reason:
        raise ReviewError(_("Give a reason, so the table knows what to do next."))
    by_key = runs(partnership_id)
    if not is_open(method, stage, by_key):
        raise ReviewError(_("This stage opens when the previous one is approved."))
    run = run_for(partnership_id, stage.key)
    if run.status not in rule.allowed_from:
        raise ReviewError(_("The stage has moved on meanwhile; reload the page."))
    if action == "submit" and (missing := missing_required(partnership_id, stage)):
        raise ReviewError(
            _("Answer these required questions first: %(names)s.", names="; ".join(missing))
        )
    event = StageEvent(
        run=run,
        action=action,
        from_status=run.status.value if run.status else None,
        to_status=rule.to.value,
        reason=reason or None,
        actor_id=actor.id,
    )
    run.status, run.updated_at = rule.to, utcnow()
    db.session.add(event)
    audit.record(f"stage_{action}", actor=actor, obj=run, stage=stage.key)
    return event


def _open_next(
    partnership_id: int, method: Method, stage: Stage, reason: str, actor: Account, staff: bool
) -> StageEvent:
    after = following(method, stage)
    if not staff or after is None:
        raise ReviewError(_("This action is not available to you."))
    if not reason:
        raise ReviewError(_("Give a reason, so the table knows what to do next."))
    if not is_open(method, stage, runs(partnership_id)):
        raise ReviewError(_("This stage opens when the previous one is approved."))
    run = run_for(partnership_id, after.key)
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
    audit.record("stage_opened_early", actor=actor, obj=run, stage=after.key)
    return event


def events(partnership_id: int, stage_key: str) -> list[StageEvent]:
    return list(
        db.session.scalars(
            sa.select(StageEvent)
            .join(StageRun)
            .where(StageRun.partnership_id == partnership_id, StageRun.stage_key == stage_key)
            .options(sa.orm.joinedload(StageEvent.actor))
            .order_by(StageEvent.at.desc(), StageEvent.id.desc())
        )
    )


def threads(partnership_id: int, stage_key: str) -> list[Comment]:
    """The stage's comment threads (first comments with their replies), oldest first."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(
                Comment.partnership_id == partnership_id,
                Comment.stage_key == stage_key,
                Comment.thread_id.is_(None),
            )
            .options(
                sa.orm.selectinload(Comment.replies).joinedload(Comment.author),
                sa.orm.joinedload(Comment.author),
            )
            .order_by(Comment.at)
        ).unique()
    )


def add_comment(
    *,
    partnership_id: int,
    stage: Stage,
    section_key: str,
    question_key: str | None,
    reply_to: Comment | None,
    body: str,
    actor: Account,
) -> Comment:
    text = body.strip()
    if not text:
        raise ReviewError(_("Write the comment first."))
    if len(text) > 5000:
        raise ReviewError(
            _("Use at most %(limit)d characters (now %(count)d).", limit=5000, count=len(text))
        )
    section = next((s for s in stage.sections if s.key == section_key), None)
    if section is None or (question_key and question_key not in {q.key for q in section.questions}):
        raise ReviewError(_("The comment could not be placed; reload the page."))
    comment = Comment(
        partnership_id=partnership_id,
        stage_key=stage.key,
        section_key=section_key,
        question_key=question_key or None,
        body=text,
        author_id=actor.id,
        thread_id=reply_to.id if reply_to else None,
    )
    if reply_to is not None:
        reply_to.resolved_at = None  # a new reply reopens the thread
    db.session.add(comment)
    return comment


def set_resolved(comment: Comment, resolved: bool, *, actor: Account) -> None:
    comment.resolved_at = utcnow() if resolved else None
    comment.resolved_by_id = actor.id if resolved else None
