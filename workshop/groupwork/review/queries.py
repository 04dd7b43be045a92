"""Reading where a partnership's stages stand in a cycle, how they got there, and the comments."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from workshop.extensions import db
from workshop.method.definition import Stage
from workshop.models import Comment, Partnership, StageEvent, StageRun, StageStatus


def runs(partnership_id: int, cycle: int, keys: list[str] | None = None) -> dict[str, StageRun]:
    """The cycle's stage runs by stage key (all, or only those named): one query."""
    query = sa.select(StageRun).where(
        StageRun.partnership_id == partnership_id, StageRun.cycle == cycle
    )
    if keys is not None:
        query = query.where(StageRun.stage_key.in_(keys))
    return {run.stage_key: run for run in db.session.scalars(query)}


class RunState(NamedTuple):
    """What decides whether a stage's answers may change: a run's state without the object."""

    status: StageStatus | None
    opened_early: bool
    first_approved_at: datetime | None
    closed_for_room: bool


_run = StageRun.__table__
# Every autosave asks this (the lock check): built once, read as plain rows. Loading StageRun
# objects cost more than the save's own statements. Two plain parameters, not an expanding IN
# list: that one is written out anew for every execution.
_RUN_STATES = sa.select(
    _run.c.stage_key,
    _run.c.status,
    _run.c.opened_early,
    _run.c.first_approved_at,
    _run.c.closed_for_room,
).where(
    _run.c.partnership_id == sa.bindparam("p_id"),
    _run.c.cycle == sa.bindparam("p_cycle"),
    _run.c.stage_key.in_([sa.bindparam("p_stage"), sa.bindparam("p_before")]),
)


_table = Partnership.__table__


def _run_of(stage: str) -> sa.ColumnElement[bool]:
    """The run of the stage named by parameter ``stage`` of partnership p_id in cycle p_cycle."""
    return sa.and_(
        _run.c.partnership_id == sa.bindparam("p_id", type_=_run.c.partnership_id.type),
        _run.c.cycle == sa.bindparam("p_cycle", type_=_run.c.cycle.type),
        _run.c.stage_key == sa.bindparam(stage, type_=_run.c.stage_key.type),
    )


# workflow.why_not_editable as one SQL condition, for a write that checks and stores in one
# statement (the autosave, groupwork/answers/services): no facilitator's approval can slip in
# between the check and the write, and the check costs no round trip of its own. Parameters:
# p_id, p_cycle, p_stage, p_before (the stage before, or p_stage again) and p_first (no stage
# before). The Python rule words the refusal; tests/test_stage_guard.py holds both to the same
# answer for every combination of the two runs' states.
EDITABLE = sa.and_(
    ~sa.exists().where(
        _table.c.id == sa.bindparam("p_id", type_=_table.c.id.type),
        _table.c.cycle_closed,
    ),
    sa.or_(
        sa.bindparam("p_first", type_=sa.Boolean()),
        sa.exists().where(_run_of("p_stage"), _run.c.opened_early),
        sa.exists().where(
            _run_of("p_before"),
            sa.or_(_run.c.status == StageStatus.APPROVED, _run.c.first_approved_at.is_not(None)),
        ),
    ),
    ~sa.exists().where(
        _run_of("p_stage"),
        sa.or_(_run.c.status == StageStatus.APPROVED, _run.c.closed_for_room),
    ),
)


def editable_params(stage_key: str, before_key: str | None) -> dict[str, object]:
    """EDITABLE's stage parameters (p_id and p_cycle are the statement's own)."""
    return {
        "p_stage": stage_key,
        "p_before": before_key or stage_key,
        "p_first": before_key is None,
    }


def run_states(
    partnership_id: int, cycle: int, stage_key: str, before_key: str | None
) -> Mapping[str, RunState]:
    """A stage's and the one before it's lock state in this cycle, by stage key: one small
    query."""
    rows = db.session.connection().execute(
        _RUN_STATES,
        {
            "p_id": partnership_id,
            "p_cycle": cycle,
            "p_stage": stage_key,
            "p_before": before_key or stage_key,
        },
    )
    return {row[0]: RunState(*row[1:]) for row in rows}


def status_of(stage: Stage, by_key: Mapping[str, StageRun | RunState]) -> StageStatus | None:
    run = by_key.get(stage.key)
    return run.status if run else None


def events(partnership_id: int, cycle: int, stage_key: str) -> list[StageEvent]:
    """Every move of a stage in a cycle, newest first, with who made it."""
    return list(
        db.session.scalars(
            sa.select(StageEvent)
            .join(StageRun)
            .where(
                StageRun.partnership_id == partnership_id,
                StageRun.cycle == cycle,
                StageRun.stage_key == stage_key,
            )
            .options(sa.orm.joinedload(StageEvent.actor))
            .order_by(StageEvent.at.desc(), StageEvent.id.desc())
        )
    )


def open_request(events: list[StageEvent], status: StageStatus | None) -> StageEvent | None:
    """The request for changes the table still has to act on: the latest one, while the stage
    stands at "changes requested" (resubmitting or an approval settles it)."""
    if status is not StageStatus.CHANGES_REQUESTED:
        return None
    return next((e for e in events if e.action == "request_changes"), None)


def threads(partnership_id: int, cycle: int, stage_key: str) -> list[Comment]:
    """The stage's comment threads (first comments with their replies), oldest first."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(
                Comment.partnership_id == partnership_id,
                Comment.cycle == cycle,
                Comment.stage_key == stage_key,
                Comment.thread_id.is_(None),
            )
            .options(
                sa.orm.selectinload(Comment.replies).joinedload(Comment.author),
                sa.orm.joinedload(Comment.author),
            )
            .order_by(Comment.at, Comment.id)
        ).unique()
    )


def under_revision(partnership_ids: list[int]) -> dict[int, list[str]]:
    """Per partnership, the stages of its current cycle that were approved once and are open
    for changes again (reopened, resubmitted, sent back): one query for a whole seminar."""
    if not partnership_ids:
        return {}
    rows = db.session.execute(
        sa.select(StageRun.partnership_id, StageRun.stage_key)
        .join(
            Partnership,
            sa.and_(Partnership.id == StageRun.partnership_id, Partnership.cycle == StageRun.cycle),
        )
        .where(
            StageRun.partnership_id.in_(partnership_ids),
            StageRun.first_approved_at.is_not(None),
            StageRun.status != StageStatus.APPROVED,
        )
        .order_by(StageRun.partnership_id, StageRun.id)
    )
    found: dict[int, list[str]] = {}
    for partnership_id, stage_key in rows:
        found.setdefault(partnership_id, []).append(stage_key)
    return found
