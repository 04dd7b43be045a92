"""Writing the audit trail."""

from __future__ import annotations

from typing import Any

from workshop.extensions import db
from workshop.models import Account, AuditEvent


def record(
    action: str,
    *,
    actor: Account | None,
    obj: Any = None,
    **details: Any,
) -> None:
    """Add an audit event to the current unit of work (committed with the change it describes)."""
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor is not None else None,
            action=action,
            object_type=type(obj).__name__.lower() if obj is not None else None,
            object_id=getattr(obj, "id", None),
            details=details,
        )
    )
