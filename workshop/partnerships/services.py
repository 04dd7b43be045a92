"""Creating partnerships: exactly one Ukrainian and one foreign institution, never twice."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from workshop import audit
from workshop.extensions import db
from workshop.method.definition import CURRENT_VERSION
from workshop.models import Account, Institution, Partnership, Seminar
from workshop.usererror import UserError


class PartnershipError(UserError):
    """A partnership problem the person can fix."""


def check_pair(ua: Institution | None, partner: Institution | None) -> None:
    """Raise PartnershipError unless the two make a new Ukrainian–foreign pair."""
    if ua is None:
        raise PartnershipError(_l("Choose the Ukrainian institution."), field="ua_institution")
    if partner is None:
        raise PartnershipError(_l("Choose the partner institution."), field="partner_institution")
    if not ua.is_ukrainian:
        raise PartnershipError(
            _l("The first institution must be Ukrainian."), field="ua_institution"
        )
    if partner.is_ukrainian:
        raise PartnershipError(
            _l("The partner institution must be from another country than Ukraine."),
            field="partner_institution",
        )
    exists = db.session.scalar(
        sa.select(Partnership.id).where(
            Partnership.ua_institution_id == ua.id,
            Partnership.partner_institution_id == partner.id,
        )
    )
    if exists is not None:
        raise PartnershipError(
            _l("These two institutions already have a partnership."),
            field="partner_institution",
        )


def create_partnership(
    *,
    ua_institution_id: int,
    partner_institution_id: int,
    memorandum_date: date | None,
    focus_areas: list[str],
    seminar: Seminar | None,
    actor: Account,
) -> Partnership:
    """Create a partnership (and seat it in ``seminar``), or raise PartnershipError."""
    ua = db.session.get(Institution, ua_institution_id)
    partner = db.session.get(Institution, partner_institution_id)
    check_pair(ua, partner)
    partnership = Partnership(
        ua_institution=ua,
        partner_institution=partner,
        memorandum_date=memorandum_date,
        focus_areas=focus_areas,
        method_version=CURRENT_VERSION,
    )
    if seminar is not None:
        partnership.seminars.append(seminar)
    db.session.add(partnership)
    db.session.flush()
    audit.record("partnership_created", actor=actor, obj=partnership)
    return partnership
