"""Creating and changing institutions."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from workshop import audit
from workshop.extensions import db
from workshop.models import Account, Institution
from workshop.usererror import UserError


class InstitutionError(UserError):
    """An institution problem the person can fix."""


@dataclass(frozen=True)
class InstitutionData:
    name_uk: str | None
    name_en: str
    country: str
    region: str | None
    city_uk: str | None
    city_en: str | None
    profile: str | None


def _check_unique(data: InstitutionData, *, exclude_id: int | None) -> None:
    query = sa.select(Institution.id).where(
        Institution.country == data.country,
        sa.func.lower(Institution.name_en) == data.name_en.strip().lower(),
    )
    if exclude_id is not None:
        query = query.where(Institution.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise InstitutionError(
            _l("An institution with this English name already exists in this country."),
            field="name_en",
        )


def save_institution(
    data: InstitutionData, *, actor: Account, institution: Institution | None = None
) -> Institution:
    """Create an institution, or update ``institution``, refusing a duplicate name."""
    _check_unique(data, exclude_id=institution.id if institution else None)
    target = institution or Institution()
    target.name_uk = (data.name_uk or "").strip() or None
    target.name_en = data.name_en.strip()
    target.country = data.country
    target.region = data.region
    target.city_uk = (data.city_uk or "").strip() or None
    target.city_en = (data.city_en or "").strip() or None
    target.profile = (data.profile or "").strip() or None
    db.session.add(target)
    db.session.flush()
    audit.record("institution_saved", actor=actor, obj=target)
    return target
