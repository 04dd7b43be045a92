"""Closing a cycle and starting the next one.

The evaluation stage (6) ends a cycle; the partnership then starts the next one from it. What
the next cycle carries over from the evaluation is decided by the issue that builds stages 5–6;
here the data is made ready for it: a closed cycle is kept whole and read-only, and the next
one starts empty under its own number.
"""

from __future__ import annotations

from workshop import audit
from workshop.models import Account, Cycle, Partnership, utcnow


def close(partnership: Partnership, *, actor: Account) -> Cycle:
    """Close the current cycle: its answers stay, to read and compare with, and stop changing."""
    current = next(c for c in partnership.cycles if c.number == partnership.cycle)
    if current.closed_at is None:
        current.closed_at = utcnow()
    partnership.cycle_closed = True
    audit.record("cycle_closed", actor=actor, obj=partnership, cycle=current.number)
    return current


def start_next(partnership: Partnership, *, actor: Account) -> Cycle:
    """Close the current cycle (if open) and start the next, which becomes current."""
    previous = close(partnership, actor=actor)
    following = Cycle(number=previous.number + 1, started_from=previous.number)
    partnership.cycles.append(following)
    partnership.cycle, partnership.cycle_closed = following.number, False
    audit.record("cycle_started", actor=actor, obj=partnership, cycle=following.number)
    return following
