"""Read-only lists of partnerships, filtered by who is looking."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from workshop.extensions import db
from workshop.models import Account, Institution, Membership, Partnership
from workshop.paging import Page, page_of
from workshop.permissions import visible_partnership_ids


def _visible(actor: Account) -> sa.Select[tuple[Partnership]]:
    """Partnerships ``actor`` may see, with both institutions loaded, Ukrainian name order.

    Who may see what is decided by ``permissions.visible_partnership_ids`` alone, the SQL twin of
    ``can_view_partnership``: this list must never hold a partnership whose page is a 404.
    """
    ua = aliased(Institution)
    return (
        sa.select(Partnership)
        .join(ua, Partnership.ua_institution_id == ua.id)
        .where(Partnership.id.in_(visible_partnership_ids(actor)))
        .options(
            selectinload(Partnership.ua_institution),
            selectinload(Partnership.partner_institution),
        )
        .order_by(ua.name_en, Partnership.id)
    )


def visible_partnerships(actor: Account) -> Sequence[Partnership]:
    """Every partnership ``actor`` may see (``_visible``)."""
    return db.session.scalars(_visible(actor)).all()


def visible_partnership_page(actor: Account, page: int) -> Page:
    """One page (workshop.paging) of the partnerships ``actor`` may see (``_visible``)."""
    return page_of(_visible(actor), page)


def members_by_side(partnership: Partnership) -> dict[str, list[Membership]]:
    """Active members of the partnership grouped by side, names in alphabetical order."""
    rows = db.session.scalars(
        sa.select(Membership)
        .where(Membership.partnership_id == partnership.id, Membership.active.is_(True))
        .options(selectinload(Membership.account))
    ).all()
    grouped: dict[str, list[Membership]] = {"ua": [], "partner": []}
    for membership in sorted(rows, key=lambda m: (m.account.display_name.casefold(), m.id)):
        grouped[membership.side.value].append(membership)
    return grouped


def institutions_for_choice(*, ukrainian: bool) -> Sequence[Institution]:
    query = sa.select(Institution).order_by(
        Institution.name_en, Institution.country, Institution.id
    )
    query = query.where(
        (Institution.country == "UA") if ukrainian else (Institution.country != "UA")
    )
    return db.session.scalars(query).all()
