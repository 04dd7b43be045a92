"""The seminar's change counter: what makes dashboards and participants' screens live.

Every change anybody makes in a seminar (an answer, a review move, a comment, a vote, a help
request, a plenary proposal, a facilitator's control) adds one to ``Seminar.revision`` in the
same transaction. A page polls with the number it was drawn at; an unchanged number is answered
304 by one indexed query, so polling costs nothing when the room is quiet. The number lives in
the database, not in a process, so it is right with any number of workers on SQLite and
PostgreSQL, and no connection is held open between polls.

Changes made through ORM objects are counted by the flush listener below; the two hot paths that
write with plain statements (saving an answer, a person arriving at a table) call
``touch_partnerships`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from workshop.extensions import db
from workshop.models import (
    Answer,
    Comment,
    HelpRequest,
    Membership,
    PlenaryRound,
    Proposal,
    ProposalVote,
    Seminar,
    SeminarStage,
    StageRun,
    Vote,
    seminar_partnership,
)

# Rows that belong to one partnership: every seminar it takes part in hears of them.
_BY_PARTNERSHIP = (Answer, StageRun, Comment, Vote)
# Rows that belong to one seminar.
_BY_SEMINAR = (HelpRequest, Proposal, ProposalVote, SeminarStage, PlenaryRound, Membership)

_seminar = Seminar.__table__


def poll_every(usual_ms: int = 5000) -> int:
    """How often a live screen asks whether the room changed, in milliseconds: every few seconds
    in the room; the ``LIVE_POLL_MS`` setting overrides it for every screen at once (a browser
    test that should not wait sets it low)."""
    return int(current_app.config.get("LIVE_POLL_MS", usual_ms))


def etag(revision: int) -> str:
    """The ETag a page drawn at ``revision`` carries (weak: the body is re-rendered)."""
    return f'W/"r{revision}"'


def revision(seminar_id: int) -> int | None:
    """The seminar's change counter, or None if there is no such seminar (one query)."""
    return db.session.scalar(sa.select(Seminar.revision).where(Seminar.id == seminar_id))


def _bump(connection: sa.Connection, where: sa.ColumnElement[bool]) -> None:
    connection.execute(sa.update(_seminar).where(where).values(revision=_seminar.c.revision + 1))


def _of_partnerships(ids: Iterable[int]) -> sa.ColumnElement[bool]:
    return _seminar.c.id.in_(
        sa.select(seminar_partnership.c.seminar_id).where(
            seminar_partnership.c.partnership_id.in_(sorted(set(ids)))
        )
    )


def touching(partnership: sa.ColumnElement[int]) -> sa.Update:
    """The statement that counts a change at ``partnership``'s table in every seminar it takes
    part in, for a caller that makes it part of its own statement (the autosave on PostgreSQL
    saves, keeps the revision and counts the change in one round trip)."""
    return (
        sa.update(_seminar)
        .where(
            _seminar.c.id.in_(
                sa.select(seminar_partnership.c.seminar_id).where(
                    seminar_partnership.c.partnership_id == partnership
                )
            )
        )
        .values(revision=_seminar.c.revision + 1)
    )


# Every autosave runs this: built once, so a save does not rebuild and re-key the statement.
_TOUCH_PARTNERSHIPS = (
    sa.update(_seminar)
    .where(
        _seminar.c.id.in_(
            sa.select(seminar_partnership.c.seminar_id).where(
                seminar_partnership.c.partnership_id.in_(sa.bindparam("ids", expanding=True))
            )
        )
    )
    .values(revision=_seminar.c.revision + 1)
)


def touch_partnerships(ids: Iterable[int]) -> None:
    """Count a change at these partnerships' tables in every seminar they take part in."""
    ids = sorted(set(ids))
    if ids:
        db.session.connection().execute(_TOUCH_PARTNERSHIPS, {"ids": ids})


def touch_seminar(seminar_id: int) -> None:
    _bump(db.session.connection(), _seminar.c.id == seminar_id)


@event.listens_for(Session, "after_flush")
def _count_flushed_changes(session: Session, _context: object) -> None:
    partnerships: set[int] = set()
    seminars: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _BY_PARTNERSHIP):
            partnerships.add(obj.partnership_id)
        elif isinstance(obj, _BY_SEMINAR):
            seminars.add(obj.seminar_id)
        elif isinstance(obj, Seminar) and obj.id is not None and session.is_modified(obj):
            seminars.add(obj.id)
    connection = session.connection()
    # Sorted, and seminars before partnerships' seminars: two transactions take the rows' locks
    # in the same order on PostgreSQL, so they wait for each other instead of deadlocking.
    if seminars:
        _bump(connection, _seminar.c.id.in_(sorted(seminars)))
    if partnerships:
        _bump(connection, _of_partnerships(partnerships))
