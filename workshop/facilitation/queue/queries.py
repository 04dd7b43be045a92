"""What is waiting for review across a seminar: one query, oldest submission first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from workshop.extensions import db
from workshop.models import (
    Account,
    Institution,
    Partnership,
    StageEvent,
    StageRun,
    StageStatus,
    seminar_partnership,
)


@dataclass(frozen=True)
class Waiting:
    run_id: int
    partnership_id: int
    method_version: str
    stage_key: str
    ua_name_uk: str | None
    ua_name_en: str
    partner_name_uk: str | None
    partner_name_en: str
    submitted_at: datetime | None
    submitted_by: str | None


def in_seminar(seminar_id: int) -> sa.Select[tuple[int]]:
    """The seminar's partnership ids, as SQL."""
    return sa.select(seminar_partnership.c.partnership_id).where(
        seminar_partnership.c.seminar_id == seminar_id
    )


def waiting(seminar_id: int) -> list[Waiting]:
    """Every stage submitted and not yet decided, in the partnerships' current cycles, with
    when it was (last) submitted and by whom: the oldest first."""
    ua, partner = aliased(Institution), aliased(Institution)
    latest_submit = (
        sa.select(StageEvent.id)
        .where(StageEvent.run_id == StageRun.id, StageEvent.action == "submit")
        .order_by(StageEvent.at.desc(), StageEvent.id.desc())
        .limit(1)
        .correlate(StageRun)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(
            StageRun.id,
            StageRun.partnership_id,
            Partnership.method_version,
            StageRun.stage_key,
            ua.name_uk,
            ua.name_en,
            partner.name_uk,
            partner.name_en,
            StageEvent.at,
            Account.display_name,
        )
        .join(
            Partnership,
            sa.and_(Partnership.id == StageRun.partnership_id, Partnership.cycle == StageRun.cycle),
        )
        .join(ua, ua.id == Partnership.ua_institution_id)
        .join(partner, partner.id == Partnership.partner_institution_id)
        .outerjoin(StageEvent, StageEvent.id == latest_submit)
        .outerjoin(Account, Account.id == StageEvent.actor_id)
        .where(
            StageRun.partnership_id.in_(in_seminar(seminar_id)),
            StageRun.status == StageStatus.SUBMITTED,
        )
        .order_by(StageEvent.at.is_(None), StageEvent.at, StageRun.id)
    )
    return [Waiting(*row) for row in rows]


def runs_in_seminar(seminar_id: int, run_ids: list[int]) -> list[tuple[StageRun, Partnership]]:
    """The stage runs named, each with its partnership, of those in this seminar only."""
    rows = db.session.execute(
        sa.select(StageRun, Partnership)
        .join(Partnership, Partnership.id == StageRun.partnership_id)
        .where(StageRun.id.in_(run_ids), Partnership.id.in_(in_seminar(seminar_id)))
        .order_by(StageRun.id)
    )
    return [(run, partnership) for run, partnership in rows]
