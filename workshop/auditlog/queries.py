"""Reading the audit trail: one page of events in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from workshop.auditlog.actions import actions_with
from workshop.auditlog.forms import Filters
from workshop.extensions import db
from workshop.models import Account, AuditEvent, Seminar
from workshop.models.seminar import seminar_partnership

PAGE_SIZE = 100


@dataclass(frozen=True)
class Row:
    id: int
    at: datetime
    action: str
    actor_id: int | None
    actor_name: str | None
    actor_email: str | None
    object_type: str | None
    object_id: int | None
    seminar_id: int | None
    partnership_id: int | None
    details: dict[str, Any]


@dataclass(frozen=True)
class SeminarChoice:
    id: int
    title_uk: str
    title_en: str
    starts_on: date


def seminars() -> list[SeminarChoice]:
    rows = db.session.execute(
        sa.select(Seminar.id, Seminar.title_uk, Seminar.title_en, Seminar.starts_on).order_by(
            Seminar.starts_on.desc(), Seminar.id.desc()
        )
    )
    return [SeminarChoice(*row) for row in rows]


def page(filters: Filters, size: int = PAGE_SIZE) -> tuple[list[Row], int | None]:
    """The newest ``size`` events matching, older than ``filters.before``; and the id the next
    (older) page starts below, or None on the last page. Newest first by id: ids are handed
    out in the order events are stored."""
    query = (
        sa.select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.actor_id,
            Account.display_name,
            Account.email,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.seminar_id,
            AuditEvent.partnership_id,
            AuditEvent.details,
        )
        .outerjoin(Account, Account.id == AuditEvent.actor_id)
        .where(*conditions(filters))
        .order_by(AuditEvent.id.desc())
        .limit(size + 1)
    )
    rows = [Row(*row) for row in db.session.execute(query)]
    more = len(rows) > size
    return rows[:size], rows[size - 1].id if more else None


def export(filters: Filters, limit: int) -> list[Row]:
    """The newest ``limit`` events matching, for the CSV file (one query)."""
    rows, _older = page(filters, size=limit)
    return rows


def conditions(filters: Filters) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if filters.before is not None:
        where.append(AuditEvent.id < filters.before)
    if filters.action:
        where.append(AuditEvent.action == filters.action)
    if filters.outcome:
        where.append(AuditEvent.action.in_(actions_with(filters.outcome)))
    if filters.actor_id is not None:
        where.append(AuditEvent.actor_id == filters.actor_id)
    if filters.actor_email:
        by_email = sa.select(Account.id).where(sa.func.lower(Account.email) == filters.actor_email)
        where.append(AuditEvent.actor_id.in_(by_email))
    where.extend(_about_object(filters))
    if filters.seminar_id is not None:
        where.append(_in_seminar(filters.seminar_id))
    if filters.since is not None:
        where.append(AuditEvent.at >= filters.since)
    if filters.until is not None:
        where.append(AuditEvent.at < filters.until)
    return where


def _about_object(filters: Filters) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if filters.object_type:
        where.append(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        where.append(AuditEvent.object_id == filters.object_id)
    return where


def _in_seminar(seminar_id: int) -> sa.ColumnElement[bool]:
    """The seminar's own events, and those of the partnerships taking part in it."""
    pairs = sa.select(seminar_partnership.c.partnership_id).where(
        seminar_partnership.c.seminar_id == seminar_id
    )
    return sa.or_(AuditEvent.seminar_id == seminar_id, AuditEvent.partnership_id.in_(pairs))
