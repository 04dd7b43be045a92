"""Read-only views of seminars for the people who run them."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from workshop.extensions import db
from workshop.models import Account, Membership, Role, Seminar, seminar_facilitator


def seminars_managed_by(actor: Account) -> Sequence[Seminar]:
    query = sa.select(Seminar).order_by(Seminar.starts_on.desc())
    if actor.role is not Role.ADMIN:
        query = query.where(
            Seminar.id.in_(
                sa.select(seminar_facilitator.c.seminar_id).where(
                    seminar_facilitator.c.account_id == actor.id
                )
            )
        )
    return db.session.scalars(query).all()


def seminar_members(seminar: Seminar) -> Sequence[Membership]:
    """Everybody who joined this seminar and is still seated, by partnership then name."""
    return db.session.scalars(
        sa.select(Membership)
        .where(Membership.seminar_id == seminar.id, Membership.active.is_(True))
        .options(selectinload(Membership.account))
        .order_by(Membership.partnership_id, Membership.created_at)
    ).all()


def facilitator_accounts() -> Sequence[Account]:
    return db.session.scalars(
        sa.select(Account)
        .where(Account.role.in_([Role.FACILITATOR, Role.ADMIN]), Account.active.is_(True))
        .order_by(Account.display_name)
    ).all()
