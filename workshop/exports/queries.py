"""The reads of the answers export: two queries whatever the number of partnerships.

The answers come through a cursor a few hundred rows at a time (``yield_per``), ordered by
partnership, so a seminar of a thousand tables is written without holding all of it at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from workshop.extensions import db
from workshop.models import Account, Answer, Institution, Partnership, seminar_partnership

BATCH = 500  # rows fetched at a time from the answers cursor


@dataclass(frozen=True)
class Pair:
    """A partnership as the export names it."""

    id: int
    ua_en: str
    ua_uk: str | None
    partner_en: str
    partner_uk: str | None
    method_version: str
    cycle: int


@dataclass(frozen=True)
class Stored:
    """One current answer."""

    partnership_id: int
    question_key: str
    side: str
    value: Any
    version: int
    updated_at: datetime
    updated_by_id: int | None
    updated_by: str | None


def _in_seminar(seminar_id: int) -> sa.Select[tuple[int]]:
    return sa.select(seminar_partnership.c.partnership_id).where(
        seminar_partnership.c.seminar_id == seminar_id
    )


def pairs(seminar_id: int) -> list[Pair]:
    """The seminar's partnerships with both hospitals' names, by id: one query."""
    ua, partner = aliased(Institution), aliased(Institution)
    rows = db.session.execute(
        sa.select(
            Partnership.id,
            ua.name_en,
            ua.name_uk,
            partner.name_en,
            partner.name_uk,
            Partnership.method_version,
            Partnership.cycle,
        )
        .join(ua, ua.id == Partnership.ua_institution_id)
        .join(partner, partner.id == Partnership.partner_institution_id)
        .where(Partnership.id.in_(_in_seminar(seminar_id)))
        .order_by(Partnership.id)
    )
    return [Pair(*row) for row in rows]


def current_answers(seminar_id: int) -> Iterator[Stored]:
    """Every answer of the seminar's partnerships in each one's current cycle, by partnership:
    one query, read in batches."""
    query = (
        sa.select(
            Answer.partnership_id,
            Answer.question_key,
            Answer.side,
            Answer.value,
            Answer.version,
            Answer.updated_at,
            Answer.updated_by_id,
            Account.display_name,
        )
        .join(
            Partnership,
            sa.and_(Partnership.id == Answer.partnership_id, Partnership.cycle == Answer.cycle),
        )
        .outerjoin(Account, Account.id == Answer.updated_by_id)
        .where(Answer.partnership_id.in_(_in_seminar(seminar_id)))
        .order_by(Answer.partnership_id, Answer.id)
        .execution_options(yield_per=BATCH)
    )
    for row in db.session.execute(query):
        yield Stored(*row)
