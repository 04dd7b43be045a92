"""Reads for the sign-in and joining pages."""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from workshop.extensions import db
from workshop.models import Institution, Partnership, seminar_partnership


class Names(NamedTuple):
    name_uk: str | None
    name_en: str | None


class Table(NamedTuple):
    """What the seat form shows of a partnership: its id and both hospitals' names (the shape
    ``i18n.partnership_label`` reads)."""

    id: int
    ua_institution: Names
    partner_institution: Names


def tables_of(seminar_id: int) -> list[Table]:
    """The seminar's partnerships with both hospitals' names: one query however many tables.

    The whole room opens the seat form in the same minute, so it reads plain rows, not a
    partnership and two institution objects per table.
    """
    ua, partner = aliased(Institution), aliased(Institution)
    rows = db.session.execute(
        sa.select(Partnership.id, ua.name_uk, ua.name_en, partner.name_uk, partner.name_en)
        .join(seminar_partnership, seminar_partnership.c.partnership_id == Partnership.id)
        .join(ua, ua.id == Partnership.ua_institution_id)
        .join(partner, partner.id == Partnership.partner_institution_id)
        .where(seminar_partnership.c.seminar_id == seminar_id)
        .order_by(Partnership.id)
    )
    return [Table(row[0], Names(row[1], row[2]), Names(row[3], row[4])) for row in rows]
