"""What a dashboard drawn now is "as of": the seminar's change counter, and the minute.

The counter (``workshop.live``) goes up with every change anybody makes. Two things on the
dashboard change with time alone: a table becomes stuck when nobody saves for a while, and a
person who closed the page leaves the table two minutes later. So the stamp also names the
minute: a quiet room's dashboard is drawn again once a minute, and every poll in between costs
the one query that reads the counter.
"""

from __future__ import annotations

from datetime import datetime

EVERY = 60  # seconds


def stamp(revision: int, now: datetime) -> str:
    return f"{revision}.{int(now.timestamp()) // EVERY}"


def etag(stamp: str) -> str:
    """The (weak) ETag of a dashboard with this stamp: the body is drawn again each time."""
    return f'W/"d{stamp}"'


def opaque(stamp: str) -> str:
    """The ETag's value as If-None-Match carries it, without the quotes and the weak mark."""
    return f"d{stamp}"
