"""Read-only views of seminars for the people who run them."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from workshop.extensions import db
from workshop.models import Account, Membership, Role, Seminar
from workshop.permissions import managed_seminar_ids


def seminars_managed_by(actor: Account) -> Sequence[Seminar]:
    """The seminars ``actor`` manages, newest first.

    Filtered by ``permissions.managed_seminar_ids`` alone, the SQL twin of ``can_manage_seminar``:
    this list must never offer a seminar whose page is a 404.
    """
    query = (
        sa.select(Seminar)
        .where(Seminar.id.in_(managed_seminar_ids(actor)))
        .order_by(Seminar.starts_on.desc())
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
