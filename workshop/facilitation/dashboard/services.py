"""What a facilitator changes from the dashboard: a help request answered, the stuck time."""

from __future__ import annotations

from workshop import audit
from workshop.models import Account, HelpRequest, Seminar, utcnow


def answer_help(request: HelpRequest, *, actor: Account) -> bool:
    """Mark a table's help request answered; False if somebody answered it already."""
    if request.answered_at is not None:
        return False
    request.answered_at, request.answered_by_id = utcnow(), actor.id
    audit.record("help_answered", actor=actor, obj=request, partnership=request.partnership_id)
    return True


def set_stuck_minutes(seminar: Seminar, minutes: int, *, actor: Account) -> None:
    """How long a table may go without a save during a round before it shows as stuck."""
    if seminar.stuck_minutes != minutes:
        audit.record("stuck_minutes_set", actor=actor, obj=seminar, minutes=minutes)
    seminar.stuck_minutes = minutes
