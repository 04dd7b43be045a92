"""Moving a partnership to a newer method version, keeping every answer.

The mapping between two versions is data (``workshop/method/versions/moves/``), applied by
``workshop.method.move.plan``. Here the plan meets the database: each answer of the current
cycle that the mapping changes is stored as a new revision (so History shows the move and can
undo any one answer), and the partnership switches version — all in one transaction, or
nothing at all when any answer moved meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from workshop import audit
from workshop.extensions import db
from workshop.groupwork.answers import services
from workshop.method import move
from workshop.method.definition import MethodError, load
from workshop.models import Account, Answer, Partnership
from workshop.usererror import UserError


class MoveRefused(UserError):
    """A version move that cannot happen, and why."""


@dataclass(frozen=True)
class MoveResult:
    from_version: str
    to_version: str
    changed: int  # answers written as new revisions
    report: tuple[move.Moved, ...]


def move_to(
    partnership: Partnership, version: str, *, actor: Account, dry_run: bool = False
) -> MoveResult:
    """Move ``partnership``'s current cycle to method ``version``; raise MoveRefused if not."""
    if version == partnership.method_version:
        raise MoveRefused(f"The partnership is on method {version} already.")
    if partnership.cycle_closed:
        raise MoveRefused("The partnership's cycle is closed; nothing in it changes.")
    try:
        old, new = load(partnership.method_version), load(version)
        mapping = move.load_mapping(partnership.method_version, version)
    except (MethodError, move.MoveError, FileNotFoundError, LookupError) as error:
        raise MoveRefused(str(error)) from None
    stored = {
        (a.question_key, a.side): a
        for a in db.session.scalars(
            sa.select(Answer).where(
                Answer.partnership_id == partnership.id, Answer.cycle == partnership.cycle
            )
        )
    }
    try:
        planned = move.plan(old, new, mapping, {k: a.value for k, a in stored.items()})
    except move.MoveError as error:
        raise MoveRefused(str(error)) from None
    if not dry_run:
        for (key, side), value in planned.changed.items():
            current = stored.get((key, side))
            try:
                services.save_answer(
                    partnership_id=partnership.id,
                    cycle=partnership.cycle,
                    key=key,
                    side=side,
                    value=value,
                    base_version=current.version if current else 0,
                    actor=actor,
                )
            except services.Conflict:
                raise MoveRefused(
                    f"Somebody saved {key!r} meanwhile; nothing was moved. Try again."
                ) from None
        audit.record(
            "method_moved",
            actor=actor,
            obj=partnership,
            from_version=partnership.method_version,
            to_version=version,
            changed=len(planned.changed),
        )
        partnership.method_version = version
    return MoveResult(old.version, new.version, len(planned.changed), planned.report)
