"""The facilitator's room controls, and a table asking for help.

Each control changes the seminar for every table at once and raises ``ControlError`` (with the
form field it belongs to) when it cannot happen; nothing is stored then. Every change moves
the seminar's change counter (``workshop.live``), which is how the tables' screens hear of it.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.dialects import postgresql, sqlite

from workshop import audit, live
from workshop.extensions import db
from workshop.facilitation.control import queries
from workshop.groupwork.review import workflow
from workshop.groupwork.voting.services import set_revealed
from workshop.method.definition import Stage
from workshop.models import (
    Account,
    HelpRequest,
    Partnership,
    Seminar,
    SeminarStage,
    StageRun,
    utcnow,
)
from workshop.usererror import UserError

MINUTES = (1, 180)  # a countdown's length, and each extension's
NOTICE_CHARS = 500


class ControlError(UserError):
    """A room control that cannot happen now, and why."""


def _locked(seminar: Seminar) -> None:
    # Two facilitators pressing at once: the second waits for the first and reads its result
    # (PostgreSQL row lock; SQLite lets one writer in at a time anyway).
    db.session.refresh(seminar, with_for_update=True)


def _room_stage(
    key: str, found: list[queries.Table], *, voting: bool = False
) -> tuple[queries.RoomStage, list[tuple[queries.Table, Stage]]]:
    """The stage the form names, and the tables working on it (voting there, with ``voting``),
    or a refusal: a key no table of this seminar has is one of another seminar, or made up."""
    stage = next((s for s in queries.room_stages(found) if s.key == key), None)
    if stage is None or not queries.working(found, key):
        raise ControlError(
            _("No table of this seminar has this stage."), field=f"stage-{key}" if stage else None
        )
    pairs = queries.working(found, key, voting=voting)
    if not pairs:
        raise ControlError(_("This stage has no dot vote."), field=f"stage-{key}")
    return stage, pairs


def _mark_room(seminar: Seminar, key: str, *, closed: bool, actor: Account) -> None:
    row = db.session.get(SeminarStage, (seminar.id, key))
    if row is None:
        row = SeminarStage(seminar_id=seminar.id, stage_key=key)
        db.session.add(row)
    row.closed, row.changed_at, row.changed_by_id = closed, utcnow(), actor.id


def _current_cycle_runs(key: str, partnership_ids: list[int]) -> sa.ColumnElement[bool]:
    cycle = (
        sa.select(Partnership.cycle)
        .where(Partnership.id == StageRun.partnership_id)
        .scalar_subquery()
    )
    return sa.and_(
        StageRun.stage_key == key,
        StageRun.partnership_id.in_(partnership_ids),
        StageRun.cycle == cycle,
    )


def _set_closed_for_room(key: str, partnership_ids: list[int], closed: bool) -> None:
    """One UPDATE over every table's run of the stage (the flag every save reads for free).
    A plain statement: the tables' seminars hear of it through ``live.touch_partnerships``
    (every seminar a table sits in, as the flag stops its saves there too)."""
    db.session.execute(
        sa.update(StageRun)
        .where(_current_cycle_runs(key, partnership_ids), StageRun.closed_for_room.is_not(closed))
        .values(closed_for_room=closed)
        .execution_options(synchronize_session=False)
    )
    live.touch_partnerships(partnership_ids)


def open_for_room(seminar: Seminar, key: str, *, actor: Account) -> int:
    """Open stage ``key`` at every table where it is not open yet (the same opening a
    facilitator does for one table), lift a room-wide closing, and start the round on it.
    Returns how many tables it opened at."""
    _locked(seminar)
    found = queries.tables(seminar.id)
    room_stage, pairs = _room_stage(key, found)
    runs = queries.current_runs([t.id for t, _stage in pairs])
    shut = [t for t, stage in pairs if not workflow.is_open(t.method, stage, runs.get(t.id, {}))]
    closed = any(run.closed_for_room for t, _s in pairs if (run := runs.get(t.id, {}).get(key)))
    marked = db.session.get(SeminarStage, (seminar.id, key))
    if not shut and not closed and marked and not marked.closed and seminar.round_stage_key == key:
        raise ControlError(
            _("Stage %(stage)s is already open at every table.", stage=room_stage.number),
            field=f"stage-{key}",
        )
    if shut:
        partnerships = {
            p.id: p
            for p in db.session.scalars(
                sa.select(Partnership).where(Partnership.id.in_([t.id for t in shut]))
            )
        }
        for table in shut:
            stage = table.method.stage(key)
            assert stage is not None  # noqa: S101 - working() kept only tables that have it
            workflow.open_early(
                partnerships[table.id], stage, _("Opened for the whole room"), actor
            )
    _set_closed_for_room(key, [t.id for t, _s in pairs], False)
    _mark_room(seminar, key, closed=False, actor=actor)
    if seminar.round_stage_key != key:
        seminar.round_stage_key, seminar.round_started_at = key, utcnow()
    audit.record("room_stage_opened", actor=actor, obj=seminar, stage=key, opened_at=len(shut))
    return len(shut)


def close_for_room(seminar: Seminar, key: str, *, actor: Account) -> None:
    """Stop answers of stage ``key`` changing at every table of the seminar until it is opened
    again: the flag goes on every table's run of the stage, made where there is none yet."""
    _locked(seminar)
    found = queries.tables(seminar.id)
    room_stage, pairs = _room_stage(key, found)
    marked = db.session.get(SeminarStage, (seminar.id, key))
    if marked is not None and marked.closed:
        raise ControlError(
            _("Stage %(stage)s is already closed for the room.", stage=room_stage.number),
            field=f"stage-{key}",
        )
    ids = [t.id for t, _s in pairs]
    _add_missing_runs(key, [(t.id, t.cycle) for t, _s in pairs])  # made closed already
    _set_closed_for_room(key, ids, True)
    _mark_room(seminar, key, closed=True, actor=actor)
    audit.record("room_stage_closed", actor=actor, obj=seminar, stage=key, tables=len(ids))


def _add_missing_runs(key: str, tables: list[tuple[int, int]]) -> None:
    """A run for the stage at every table that has none yet (a run is made when somebody
    first acts on a stage), so the closing flag has somewhere to be. A table's own first move
    may make its run at the same moment: that one is kept."""
    if not tables:
        return
    now = utcnow()
    rows = [
        {
            "partnership_id": pid,
            "cycle": cycle,
            "stage_key": key,
            "status": None,
            "opened_early": False,
            "votes_revealed": False,
            "closed_for_room": True,
            "updated_at": now,
        }
        for pid, cycle in tables
    ]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(StageRun.__table__)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["partnership_id", "cycle", "stage_key"])
    )


# -- The countdown -------------------------------------------------------------------------------


def start_countdown(seminar: Seminar, minutes: int, *, actor: Account) -> None:
    _locked(seminar)
    seminar.round_ends_at = utcnow() + timedelta(minutes=minutes)
    audit.record("countdown_started", actor=actor, obj=seminar, minutes=minutes)


def extend_countdown(seminar: Seminar, minutes: int, *, actor: Account) -> None:
    """Add ``minutes``; a countdown that has run out starts again from now."""
    _locked(seminar)
    if seminar.round_ends_at is None:
        raise ControlError(_("No countdown is running: start one first."), field="extend-minutes")
    now = utcnow()
    ends = max(seminar.round_ends_at, now) + timedelta(minutes=minutes)
    if ends - now > timedelta(minutes=MINUTES[1]):
        raise ControlError(
            ngettext(
                "A countdown runs at most %(num)d minute from now; this one would run %(total)d.",
                "A countdown runs at most %(num)d minutes from now; this one would run %(total)d.",
                MINUTES[1],
                total=int((ends - now).total_seconds() // 60),
            ),
            field="extend-minutes",
        )
    seminar.round_ends_at = ends
    audit.record("countdown_extended", actor=actor, obj=seminar, minutes=minutes)


def stop_countdown(seminar: Seminar, *, actor: Account) -> None:
    _locked(seminar)
    if seminar.round_ends_at is None:
        raise ControlError(_("No countdown is running."), field="countdown")
    seminar.round_ends_at = None
    audit.record("countdown_stopped", actor=actor, obj=seminar)


# -- The notice ----------------------------------------------------------------------------------


def set_notice(seminar: Seminar, text: str, *, actor: Account) -> None:
    _locked(seminar)
    seminar.notice, seminar.notice_at = text, utcnow()
    audit.record("notice_sent", actor=actor, obj=seminar, chars=len(text))


def clear_notice(seminar: Seminar, *, actor: Account) -> None:
    _locked(seminar)
    if seminar.notice is None:
        raise ControlError(_("There is no notice to clear."), field="notice-text")
    seminar.notice, seminar.notice_at = None, None
    audit.record("notice_cleared", actor=actor, obj=seminar)


# -- Dot votes -------------------------------------------------------------------------------------


def set_votes_revealed(seminar: Seminar, key: str, revealed: bool, *, actor: Account) -> int:
    """Reveal (or hide) the dot-vote result of stage ``key`` at every table of the seminar that
    votes there; returns at how many tables it changed."""
    _locked(seminar)
    found = queries.tables(seminar.id)
    room_stage, pairs = _room_stage(key, found, voting=True)
    runs = queries.current_runs([t.id for t, _s in pairs])
    changing = [
        t
        for t, _s in pairs
        if bool((run := runs.get(t.id, {}).get(key)) and run.votes_revealed) is not revealed
    ]
    if not changing:
        number = room_stage.number
        message = (
            _("The result of stage %(stage)s is already shown at every table.", stage=number)
            if revealed
            else _("The result of stage %(stage)s is already hidden at every table.", stage=number)
        )
        raise ControlError(message, field=f"stage-{key}")
    for table in changing:
        set_revealed(table.id, table.cycle, key, revealed, actor=actor)
    return len(changing)


# -- Asking for help -----------------------------------------------------------------------------


def ask_help(
    seminar_id: int, partnership_id: int, stage_key: str | None, *, actor: Account
) -> tuple[HelpRequest, bool]:
    """The table's open help request, made now unless one is open already (then False)."""
    asked = queries.open_help(seminar_id, partnership_id)
    if asked is not None:
        return asked, False
    asked = HelpRequest(
        seminar_id=seminar_id,
        partnership_id=partnership_id,
        stage_key=stage_key,
        asked_by_id=actor.id,
    )
    db.session.add(asked)
    db.session.flush()  # the audit trail names it by its id
    audit.record("help_asked", actor=actor, obj=asked, partnership=partnership_id)
    return asked, True
