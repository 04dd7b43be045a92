"""Bookkeeping rows: throttling counters, the audit trail and pending spreadsheet imports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workshop.models.base import Base, utcnow


class Throttle(Base):
    """What happened under a key (an account, a browser, an address) and when it may go on.

    Kept in the database, not in process memory, so every worker and host sees the same count.
    ``workshop.throttle`` explains how the count turns into a wait.
    """

    __tablename__ = "throttle"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    window_start: Mapped[datetime]  # when the current count began
    count: Mapped[int] = mapped_column(default=0)
    # No attempt under this key before this instant; old rows are swept by it.
    wait_until: Mapped[datetime] = mapped_column(index=True)


class AuditEvent(Base):
    """Who did what to which object, and when (UTC).

    ``seminar_id`` and ``partnership_id`` name where it happened when the object says so (no
    foreign key: the trail outlives what it names); the admin view filters on them, its
    indexes serve those filters (workshop/auditlog, docs/audit.md).
    """

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    seminar_id: Mapped[int | None] = mapped_column(index=True)
    partnership_id: Mapped[int | None] = mapped_column(index=True)
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class ImportBatch(Base):
    """A checked spreadsheet waiting for its uploader to confirm the import."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    filename: Mapped[str] = mapped_column(sa.String(255))
    seminar_id: Mapped[int | None] = mapped_column(sa.ForeignKey("seminar.id"))
    rows: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    imported_at: Mapped[datetime | None]
