"""Read-only views of seminars for the people who run them."""

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
    Seminar,
    seminar_partnership,
)
from workshop.paging import Page, page_of
from workshop.permissions import (
    attachable_partnership_ids,
    email_visible_account_ids,
    facilitator_account_ids,
    managed_seminar_ids,
)


def seminars_managed_by(actor: Account) -> Sequence[Seminar]:
    """The seminars ``actor`` manages, newest first.

    Filtered by ``permissions.managed_seminar_ids`` alone, the SQL twin of ``can_manage_seminar``:
    this list must never offer a seminar whose page is a 404.
    """
    query = (
        sa.select(Seminar)
        .where(Seminar.id.in_(managed_seminar_ids(actor)))
        .order_by(Seminar.starts_on.desc(), Seminar.id.desc())
    )
    return db.session.scalars(query).all()


def partnership_counts(seminar_ids: Sequence[int]) -> dict[int, int]:
    """How many partnerships each of these seminars has: one query for the whole list."""
    if not seminar_ids:
        return {}
    rows = db.session.execute(
        sa.select(seminar_partnership.c.seminar_id, sa.func.count())
        .where(seminar_partnership.c.seminar_id.in_(seminar_ids))
        .group_by(seminar_partnership.c.seminar_id)
    )
    return {seminar_id: int(count) for seminar_id, count in rows}


def partnership_page(seminar: Seminar, page: int) -> Page:
    """The seminar's partnerships on ``page`` (workshop.paging), oldest first, with both
    institutions: four queries for any size of seminar."""
    return page_of(
        sa.select(Partnership)
        .join(seminar_partnership, seminar_partnership.c.partnership_id == Partnership.id)
        .where(seminar_partnership.c.seminar_id == seminar.id)
        .options(
            selectinload(Partnership.ua_institution),
            selectinload(Partnership.partner_institution),
        )
        .order_by(Partnership.id),
        page,
    )


def seminar_members(seminar: Seminar, partnership_ids: Sequence[int]) -> Sequence[Membership]:
    """Everybody who joined this seminar and is still seated at one of ``partnership_ids``, by
    partnership then arrival, with their account (two queries). The page has the partnerships
    loaded already: it names them by ``partnership_id``, not through ``Membership.partnership``."""
    if not partnership_ids:
        return []
    return db.session.scalars(
        sa.select(Membership)
        .where(
            Membership.seminar_id == seminar.id,
            Membership.active.is_(True),
            Membership.partnership_id.in_(partnership_ids),
        )
        .options(selectinload(Membership.account))
        .order_by(Membership.partnership_id, Membership.created_at, Membership.id)
    ).all()


def facilitator_accounts() -> Sequence[Account]:
    """Everybody ``permissions.may_add_facilitator`` would accept, by name."""
    return db.session.scalars(
        sa.select(Account)
        .where(Account.id.in_(facilitator_account_ids()))
        .order_by(Account.display_name, Account.id)
    ).all()


def attachable_partnerships(actor: Account, seminar: Seminar) -> Sequence[Partnership]:
    """The partnerships ``actor`` may add to ``seminar`` and it does not have yet, by Ukrainian
    institution (``permissions.attachable_partnership_ids``)."""
    ua = aliased(Institution)
    taken = sa.select(seminar_partnership.c.partnership_id).where(
        seminar_partnership.c.seminar_id == seminar.id
    )
    return db.session.scalars(
        sa.select(Partnership)
        .join(ua, Partnership.ua_institution_id == ua.id)
        .where(Partnership.id.in_(attachable_partnership_ids(actor)), Partnership.id.not_in(taken))
        .options(
            selectinload(Partnership.ua_institution),
            selectinload(Partnership.partner_institution),
        )
        .order_by(ua.name_en, Partnership.id)
    ).all()


def email_visible(actor: Account, accounts: Sequence[Account]) -> set[int]:
    """Which of ``accounts`` ``actor`` may see the e-mail of
    (``permissions.email_visible_account_ids``)."""
    ids = [a.id for a in accounts]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Account.id).where(
                Account.id.in_(ids), Account.id.in_(email_visible_account_ids(actor))
            )
        )
    )
