"""Keeping the audit trail to its retention period (docs/audit.md)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from workshop import audit
from workshop.extensions import db
from workshop.models import Account, AuditEvent
from workshop.models.base import utcnow

# Two years: a partnership's cycle runs about a year, and a question about who approved or
# downloaded what comes up at the next cycle's review or a donor's audit a year after it.
# Longer keeps personal data (e-mails typed at sign-in, addresses) past any use (GDPR art. 5(1)(e)).
DEFAULT_RETENTION_DAYS = 730


def retention_days() -> int:
    """``AUDIT_RETENTION_DAYS`` (``WORKSHOP_AUDIT_RETENTION_DAYS``), at least one day."""
    value = current_app.config.get("AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    try:
        days = int(value)
    except (TypeError, ValueError):
        message = f"AUDIT_RETENTION_DAYS must be a whole number of days, not {value!r}"
        raise ValueError(message) from None
    if days < 1:
        raise ValueError("AUDIT_RETENTION_DAYS must be at least 1")
    return days


def prune(days: int, *, now: datetime | None = None) -> int:
    """Delete the events older than ``days``; the deletion itself is recorded. The caller
    commits."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = db.session.execute(sa.delete(AuditEvent).where(AuditEvent.at < cutoff))
    deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
    audit.record("audit_pruned", actor=None, deleted=deleted, days=days, before=cutoff.isoformat())
    return deleted


def exported(count: int, *, actor: Account, filters: dict[str, str]) -> None:
    """Taking the trail out of the system is itself in the trail. The caller commits."""
    audit.record("exported", actor=actor, what="audit-log.csv", rows=count, filters=filters)
