"""Saving answers so that no word is lost and nobody overwrites anybody without seeing it.

Every save names the version it started from. A save from a stale version is refused with the
current value (a conflict) instead of silently winning. A retried request carries the same
idempotency key and is recognised, so a flaky connection never saves twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from workshop import audit, live
from workshop.extensions import db
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
    actor: Account,
    idempotency_key: str | None = None,
    restored_from: int | None = None,
) -> Saved:
    """Store ``value`` if the answer is still at ``base_version``; raise Conflict otherwise.

    Costs two statements on the happy path: a conditional UPDATE (or the first INSERT) and the
    revision INSERT.
    """
    now = utcnow()
    new_version = base_version + 1
    try:
        with db.session.begin_nested():
            if base_version == 0:
                answer_id = db.session.scalar(
                    sa.insert(Answer)
                    .values(
                        partnership_id=partnership_id,
                        cycle=cycle,
                        question_key=key,
                        side=side,
                        value=value,
                        version=1,
                        updated_by_id=actor.id,
                        updated_at=now,
                    )
                    .returning(Answer.id)
                )
            else:
                answer_id = db.session.scalar(
                    sa.update(Answer)
                    .where(
                        Answer.partnership_id == partnership_id,
                        Answer.cycle == cycle,
                        Answer.question_key == key,
                        Answer.side == side,
                        Answer.version == base_version,
                    )
                    .values(
                        value=value, version=new_version, updated_by_id=actor.id, updated_at=now
                    )
                    .returning(Answer.id)
                    .execution_options(synchronize_session=False)
                )
            if answer_id is None:
                raise _Stale
            db.session.execute(
                sa.insert(AnswerRevision).values(
                    answer_id=answer_id,
                    version=new_version,
                    value=value,
                    author_id=actor.id,
                    at=now,
                    idempotency_key=idempotency_key,
                    restored_from=restored_from,
                )
            )
        live.touch_partnerships([partnership_id])  # the dashboard sees the table move
    except (_Stale, sa.exc.IntegrityError):
        if idempotency_key and (
            replay := _replayed(partnership_id, cycle, key, side, idempotency_key)
        ):
            return replay
        raise _conflict(partnership_id, cycle, key, side) from None
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
