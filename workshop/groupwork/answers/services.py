"""Saving answers so that no word is lost and nobody overwrites anybody without seeing it.

Every save names the version it started from. A save from a stale version is refused with the
current value (a conflict) instead of silently winning. A retried request carries the same
idempotency key and is recognised, so a flaky connection never saves twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from workshop import audit, database, live
from workshop.auth.signed_in import SignedIn
from workshop.extensions import db
from workshop.groupwork.review.queries import EDITABLE, editable_params
from workshop.models import SHARED, Account, Answer, AnswerRevision, utcnow


@dataclass(frozen=True)
class Saved:
    version: int
    value: Any
    changed: bool  # False when the value was already stored (nothing new to keep)


@dataclass(frozen=True)
class Conflict(Exception):
    """Somebody saved first: their value, version, name and time, to show beside ours."""

    version: int
    value: Any
    by: str | None
    at: datetime | None


@dataclass(frozen=True)
class Guard:
    """The stage a save is written under: the write itself checks that the stage takes changes
    (review.queries.EDITABLE), and ``why`` words the refusal when it did not."""

    stage_key: str
    before_key: str | None  # the stage before it, None for the first
    why: Callable[[], str | None]


@dataclass(frozen=True)
class Locked(Exception):
    """The stage took no changes when the save reached it (the guard refused)."""

    reason: str


def _revisions(
    partnership_id: int, cycle: int, key: str, side: str
) -> sa.Select[tuple[AnswerRevision]]:
    """The revisions of one answer, to narrow further."""
    return (
        sa.select(AnswerRevision)
        .join(Answer, Answer.id == AnswerRevision.answer_id)
        .where(
            Answer.partnership_id == partnership_id,
            Answer.cycle == cycle,
            Answer.question_key == key,
            Answer.side == side,
        )
    )


def revision(
    partnership_id: int, cycle: int, key: str, side: str, version: int
) -> AnswerRevision | None:
    """One revision of an answer, or None if it has no such version."""
    return db.session.scalar(
        _revisions(partnership_id, cycle, key, side).where(AnswerRevision.version == version)
    )


def _replayed(
    partnership_id: int, cycle: int, key: str, side: str, idempotency_key: str
) -> Saved | None:
    found = db.session.scalar(
        _revisions(partnership_id, cycle, key, side).where(
            AnswerRevision.idempotency_key == idempotency_key
        )
    )
    return Saved(found.version, found.value, changed=False) if found else None


def current(partnership_id: int, cycle: int, key: str, side: str = SHARED) -> Answer | None:
    return db.session.scalar(
        sa.select(Answer).where(
            Answer.partnership_id == partnership_id,
            Answer.cycle == cycle,
            Answer.question_key == key,
            Answer.side == side,
        )
    )


def _conflict(partnership_id: int, cycle: int, key: str, side: str) -> Conflict:
    answer = current(partnership_id, cycle, key, side)
    if answer is None:
        return Conflict(version=0, value=None, by=None, at=None)
    name = answer.updated_by.display_name if answer.updated_by else None
    return Conflict(version=answer.version, value=answer.value, by=name, at=answer.updated_at)


_answer, _revision = Answer.__table__, AnswerRevision.__table__
_ONE_ANSWER = sa.and_(
    _answer.c.partnership_id == sa.bindparam("p_id"),
    _answer.c.cycle == sa.bindparam("p_cycle"),
    _answer.c.question_key == sa.bindparam("p_key"),
    _answer.c.side == sa.bindparam("p_side"),
)
# The statements of a save, built once (every autosave runs them). Parameters are named p_…:
# a column's own name is reserved for the VALUES clause.
_FIRST_VALUES = {
    "partnership_id": sa.bindparam("p_id", type_=_answer.c.partnership_id.type),
    "cycle": sa.bindparam("p_cycle", type_=_answer.c.cycle.type),
    "question_key": sa.bindparam("p_key", type_=_answer.c.question_key.type),
    "side": sa.bindparam("p_side", type_=_answer.c.side.type),
    "value": sa.bindparam("p_value", type_=_answer.c.value.type),
    "version": sa.literal(1, _answer.c.version.type),
    "updated_by_id": sa.bindparam("by", type_=_answer.c.updated_by_id.type),
    "updated_at": sa.bindparam("now", type_=_answer.c.updated_at.type),
}
_ANSWER_KEY = ["partnership_id", "cycle", "question_key", "side"]
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _first(dialect: str, *, guarded: bool) -> sa.Insert:
    """The first save of an answer. Somebody else's first save of the same answer makes it
    insert nothing (and return no id) instead of failing, so no savepoint is needed to recover.
    Guarded, it inserts only while the stage takes changes (an INSERT … SELECT … WHERE)."""
    insert = _INSERTS[dialect](_answer)
    if guarded:
        insert = insert.from_select(
            list(_FIRST_VALUES), sa.select(*_FIRST_VALUES.values()).where(EDITABLE)
        )
    else:
        insert = insert.values(_FIRST_VALUES)
    return insert.on_conflict_do_nothing(index_elements=_ANSWER_KEY).returning(_answer.c.id)


def _next(*, guarded: bool) -> sa.Update:
    """A later save: only from the version it started from, and (guarded) only while the stage
    takes changes."""
    return (
        sa.update(_answer)
        .where(
            _ONE_ANSWER,
            _answer.c.version == sa.bindparam("base"),
            # A key already used for this answer is a replay: it updates nothing, so the
            # revision insert below can never collide with the (answer, key) constraint.
            ~sa.exists().where(
                _revision.c.answer_id == _answer.c.id,
                _revision.c.idempotency_key == sa.bindparam("p_key_used"),
            ),
            *([EDITABLE] if guarded else []),
        )
        .values(
            value=sa.bindparam("p_value", type_=_answer.c.value.type),
            version=_answer.c.version + 1,
            updated_by_id=sa.bindparam("by"),
            updated_at=sa.bindparam("now"),
        )
        .returning(_answer.c.id)
    )


_FIRST = {
    (dialect, guarded): _first(dialect, guarded=guarded)
    for dialect in _INSERTS
    for guarded in (False, True)
}
_NEXT = {guarded: _next(guarded=guarded) for guarded in (False, True)}
_REVISION = sa.insert(_revision).values(
    answer_id=sa.bindparam("p_answer_id"),
    version=sa.bindparam("p_version"),
    value=sa.bindparam("p_value", type_=_revision.c.value.type),
    author_id=sa.bindparam("by"),
    at=sa.bindparam("now"),
    idempotency_key=sa.bindparam("p_key_used"),
    restored_from=sa.bindparam("p_restored_from"),
)


_REVISION_COLUMNS = (
    "answer_id",
    "version",
    "value",
    "author_id",
    "at",
    "idempotency_key",
    "restored_from",
)


def _in_one(saving: sa.Insert | sa.Update) -> sa.Select[tuple[int]]:
    """``saving`` (the first INSERT or the UPDATE) on PostgreSQL, with the revision INSERT and
    the seminars' change count as data-modifying parts of one statement: one round trip instead
    of three, whole or not at all even without a transaction (database.one_statement_writes),
    and only a save that stored something keeps a revision and counts as a change. SQLite has
    no such statements, and no round trips to save."""
    saved = saving.cte("saved")
    return sa.select(saved.c.id).add_cte(
        sa.insert(_revision)
        .from_select(
            [*_REVISION_COLUMNS],
            sa.select(
                saved.c.id,
                sa.bindparam("p_version", type_=_revision.c.version.type),
                sa.bindparam("p_value", type_=_revision.c.value.type),
                sa.bindparam("by", type_=_revision.c.author_id.type),
                sa.bindparam("now", type_=_revision.c.at.type),
                sa.bindparam("p_key_used", type_=_revision.c.idempotency_key.type),
                sa.bindparam("p_restored_from", type_=_revision.c.restored_from.type),
            ),
        )
        .cte("kept"),
        live.touching(sa.bindparam("p_id", type_=_answer.c.partnership_id.type))
        .where(sa.exists(sa.select(saved.c.id)))
        .cte("counted"),
    )


_IN_ONE = {
    (first, guarded): _in_one(_FIRST["postgresql", guarded] if first else _NEXT[guarded])
    for first in (True, False)
    for guarded in (False, True)
}


class _Stale(Exception):
    """The answer moved on since the version the save started from."""


def save_answer(
    *,
    partnership_id: int,
    cycle: int,
    key: str,
    side: str,
    value: Any,
    base_version: int,
    actor: Account | SignedIn,
    idempotency_key: str | None = None,
    restored_from: int | None = None,
    guard: Guard | None = None,
) -> Saved:
    """Store ``value`` if the answer is still at ``base_version``; raise Conflict otherwise.

    With ``guard``, only while its stage takes changes; Locked otherwise. Costs three
    statements on the happy path: a conditional UPDATE (or the first INSERT), the revision
    INSERT and the seminars' change count; one on PostgreSQL.
    """
    where = {"p_id": partnership_id, "p_cycle": cycle, "p_key": key, "p_side": side}
    if guard is not None:
        where |= editable_params(guard.stage_key, guard.before_key)
    guarded = guard is not None
    now = utcnow()
    new_version = base_version + 1
    # Core statements on the session's connection: the ORM's DML path (bulk persistence,
    # session synchronisation) cost more than the statements themselves. No savepoint: neither
    # statement can fail on a constraint (see _first and _next), so a refused save leaves the
    # transaction as it was, and a section form's other answers in it stand.
    connection = database.connection()
    kept = {
        "p_version": new_version,
        "p_value": value,
        "by": actor.id,
        "now": now,
        "p_key_used": idempotency_key,
        "p_restored_from": restored_from,
    }
    try:
        if connection.dialect.name == "postgresql":
            statement = _IN_ONE[not base_version, guarded]
            params = {**where, **kept, "base": base_version}
            if connection.execute(statement, params).scalar() is None:
                raise _Stale
            return Saved(new_version, value, changed=True)
        if base_version == 0:
            answer_id = connection.execute(
                _FIRST[connection.dialect.name, guarded],
                {**where, "p_value": value, "by": actor.id, "now": now},
            ).scalar()
        else:
            answer_id = connection.execute(
                _NEXT[guarded],
                {
                    **where,
                    "base": base_version,
                    "p_value": value,
                    "by": actor.id,
                    "now": now,
                    "p_key_used": idempotency_key,
                },
            ).scalar()
        if answer_id is None:
            raise _Stale
        connection.execute(_REVISION, {**kept, "p_answer_id": answer_id})
        live.touch_partnerships([partnership_id])  # the dashboard sees the table move
    except _Stale:
        # A retry of a save that was stored is answered as stored, even if the stage has
        # closed since: what the person typed is kept, and their page must know it.
        if idempotency_key and (
            replay := _replayed(partnership_id, cycle, key, side, idempotency_key)
        ):
            return replay
        if guard is not None and (reason := guard.why()) is not None:
            raise Locked(reason) from None
        conflict = _conflict(partnership_id, cycle, key, side)
        if guard is not None and conflict.version == base_version:
            # Not stale, yet the guard refused: the partnership moved on since the check read
            # it (a cycle closed or begun a moment ago). The page is out of date.
            raise Locked(_("Reload the page and try again.")) from None
        raise conflict from None
    return Saved(new_version, value, changed=True)


def history(partnership_id: int, cycle: int, key: str, side: str) -> list[AnswerRevision]:
    """Every revision of one answer, newest first, with their authors."""
    return list(
        db.session.scalars(
            _revisions(partnership_id, cycle, key, side)
            .options(sa.orm.selectinload(AnswerRevision.author))
            .order_by(AnswerRevision.version.desc())
        )
    )


def restore(
    *,
    partnership_id: int,
    cycle: int,
    key: str,
    side: str,
    version: int,
    base_version: int,
    actor: Account,
) -> Saved:
    """Bring back an earlier value as a new revision (history only ever grows)."""
    old = revision(partnership_id, cycle, key, side, version)
    if old is None:
        raise LookupError(version)
    saved = save_answer(
        partnership_id=partnership_id,
        cycle=cycle,
        key=key,
        side=side,
        value=old.value,
        base_version=base_version,
        actor=actor,
        restored_from=version,
    )
    audit.record("answer_restored", actor=actor, question=key, side=side, version=version)
    return saved
