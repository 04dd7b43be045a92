"""Counting failures per key in the database, so a whole room behind one address is not locked
out by one person's typos while a script guessing codes or passwords is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from workshop.extensions import db
from workshop.models import Throttle, utcnow


@dataclass(frozen=True)
class Limit:
    key: str
    max_failures: int
    window_seconds: int


def retry_after(limit: Limit) -> int:
    """Seconds until the key may try again; 0 when it may try now."""
    row = db.session.get(Throttle, limit.key)
    if row is None or row.count < limit.max_failures:
        return 0
    ends = row.window_start + timedelta(seconds=limit.window_seconds)
    return max(0, int((ends - utcnow()).total_seconds()) + 1)


def record_failure(limit: Limit) -> None:
    """Count one failure, starting a fresh window when the old one has passed."""
    now = utcnow()
    row = db.session.get(Throttle, limit.key, with_for_update=True)
    if row is None:
        try:
            # Two requests may count the first failure at once; the loser counts on the winner.
            with db.session.begin_nested():
                db.session.add(Throttle(key=limit.key, window_start=now, count=1))
            return
        except sa.exc.IntegrityError:
            row = db.session.get(Throttle, limit.key, with_for_update=True, populate_existing=True)
            assert row is not None  # noqa: S101 - the conflicting insert just created it
    if now - row.window_start > timedelta(seconds=limit.window_seconds):
        row.window_start, row.count = now, 1
    else:
        row.count += 1
    db.session.flush()


def clear(key: str) -> None:
    db.session.execute(sa.delete(Throttle).where(Throttle.key == key))
