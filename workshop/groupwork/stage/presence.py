"""Who else has a stage open: marked by the page's heartbeat, forgotten after two minutes."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from workshop import live
from workshop.extensions import db
from workshop.models import Account, Presence, utcnow

WINDOW = timedelta(minutes=2)


def mark(partnership_id: int, stage_key: str, account: Account) -> None:
    """Note that ``account`` has the stage open now.

    A heartbeat of somebody already present changes nothing anybody watches; somebody arriving
    (again) changes who sits at the table, which the seminar's dashboard shows (``live``).
    """
    now = utcnow()
    where = (
        Presence.partnership_id == partnership_id,
        Presence.stage_key == stage_key,
        Presence.account_id == account.id,
    )
    still_here = sa.update(Presence).where(*where, Presence.seen_at >= now - WINDOW)
    if db.session.execute(still_here.values(seen_at=now)).rowcount:  # type: ignore[attr-defined]
        return
    live.touch_partnerships([partnership_id])
    updated = db.session.execute(sa.update(Presence).where(*where).values(seen_at=now))
    if updated.rowcount:  # type: ignore[attr-defined]
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                Presence(
                    partnership_id=partnership_id,
                    stage_key=stage_key,
                    account_id=account.id,
                    seen_at=now,
                )
            )
    except sa.exc.IntegrityError:
        pass  # the same person's other tab got there first: they are present either way


def others(partnership_id: int, stage_key: str, account: Account) -> list[str]:
    """Names of the other people seen on this stage in the last two minutes."""
    return list(
        db.session.scalars(
            sa.select(Account.display_name)
            .join(Presence, Presence.account_id == Account.id)
            .where(
                Presence.partnership_id == partnership_id,
                Presence.stage_key == stage_key,
                Presence.account_id != account.id,
                Presence.seen_at >= utcnow() - WINDOW,
            )
            .order_by(Account.display_name)
        )
    )
