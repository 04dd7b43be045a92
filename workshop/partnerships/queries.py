"""Read-only lists of partnerships, filtered by who is looking."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from workshop.extensions import db
from workshop.models import (
    Account,
    Institution,
    Membership,
    Partnership,
    Role,
    seminar_facilitator,
    seminar_partnership,
)


def visible_partnerships(actor: Account) -> Sequence[Partnership]:
    """Partnerships ``actor`` may see, with both institutions loaded, Ukrainian name order."""
    ua = aliased(Institution)
    query = (
        sa.select(Partnership)
        .join(ua, Partnership.ua_institution_id == ua.id)
        .options(
            selectinload(Partnership.ua_institution),
            selectinload(Partnership.partner_institution),
            selectinload(Partnership.seminars),
        )
        .order_by(ua.name_en)
    )
    if actor.role is Role.FACILITATOR:
        mine = (
            sa.select(seminar_partnership.c.partnership_id)
            .join(
                seminar_facilitator,
                seminar_facilitator.c.seminar_id == seminar_partnership.c.seminar_id,
            )
            .where(seminar_facilitator.c.account_id == actor.id)
        )
        query = query.where(Partnership.id.in_(mine))
    elif actor.role is Role.HEAD:
        query = query.where(
            sa.or_(
                Partnership.ua_institution_id == actor.institution_id,
                Partnership.partner_institution_id == actor.institution_id,
            )
        )
    elif actor.role is Role.PARTICIPANT:
        query = query.where(
            Partnership.id.in_(
                sa.select(Membership.partnership_id).where(
                    Membership.account_id == actor.id, Membership.active.is_(True)
                )
            )
        )
    return db.session.scalars(query).all()


def members_by_side(partnership: Partnership) -> dict[str, list[Membership]]:
    """Active members of the partnership grouped by side, names in alphabetical order."""
    rows = db.session.scalars(
        sa.select(Membership)
        .where(Membership.partnership_id == partnership.id, Membership.active.is_(True))
        .options(selectinload(Membership.account))
    ).all()
    grouped: dict[str, list[Membership]] = {"ua": [], "partner": []}
    for membership in sorted(rows, key=lambda m: m.account.display_name.casefold()):
        grouped[membership.side.value].append(membership)
    return grouped


def institutions_for_choice(*, ukrainian: bool) -> Sequence[Institution]:
    query = sa.select(Institution).order_by(Institution.name_en)
    query = query.where(
        (Institution.country == "UA") if ukrainian else (Institution.country != "UA")
    )
    return db.session.scalars(query).all()
