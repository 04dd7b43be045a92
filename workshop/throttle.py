"""Slowing down guessing without locking anybody out (ASVS 5.0 6.3.1).

Counts live in the database (``Throttle`` rows), so every worker and host sees the same ones.
Two kinds of limit share them:

``Backoff`` counts *failures* (a wrong password, a wrong code). The first ``free`` cost nothing;
after that each failure makes the key wait, twice as long as the one before, up to
``longest_wait`` (a few minutes). There is never a lock: however long an attack goes on, the
rightful person waits at most ``longest_wait``, and a quiet spell of ``forget_after`` starts the
count afresh. A refused attempt is not checked and not counted, so waiting is the only way on.

``Quota`` counts *uses* (seats taken, forms sent): at most ``most`` in ``window`` seconds.

Which keys an attempt counts under is decided where the attempt is made (``workshop.auth.limits``):

- A password counts per account (the e-mail typed, whether or not it exists, so the wait tells
  nothing about which accounts exist) and per address across accounts, which slows one address
  spraying one password over many accounts. A browser that has signed in to the account before
  carries a signed "device" cookie for it (``workshop.auth.devices``); its attempts count under
  that browser only. So an attacker elsewhere, or at the same office address, who drives the
  account or the address into long waits never slows the owner at their usual computer; on a
  new computer the owner waits at most ``longest_wait`` while the attack goes on.
- A code (join or return code) counts per browser, and per address. A seminar room shares one
  address, so the address count never refuses anybody: once it is high, every browser behind
  that address waits from its *first* wrong code instead of after a few. Colleagues typing the
  right code get in; the browser that guesses waits. A script that throws its cookies away is
  not stopped by this; the codes' entropy (about 50 and 59 bits) is what makes it hopeless, and
  every wrong code is written to the security log with its address.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_timedelta

from workshop.extensions import db
from workshop.models import Throttle, utcnow

# Every limit forgets within a day, so rows untouched for longer than this are swept.
SWEEP_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Backoff:
    """Failures under ``key``: ``free`` of them cost nothing, then each doubles the wait."""

    key: str
    free: int
    first_wait: int  # seconds, after the first failure past the free ones
    longest_wait: int  # seconds; nobody ever waits longer than this
    forget_after: int  # seconds of quiet after which the count starts again
    blocks: bool = True  # False: counted only, to tell how busy a key is; never refuses
    cleared_by_success: bool = False  # a success under this key forgets its failures

    def wait_after(self, failures: int) -> int:
        """Seconds to wait after ``failures`` failures in a row."""
        over = failures - self.free
        if over <= 0:
            return 0
        # Capped before the power is taken so a long attack cannot make a huge number.
        return min(self.longest_wait, self.first_wait * 2 ** min(over - 1, 30))


@dataclass(frozen=True)
class Quota:
    """At most ``most`` uses under ``key`` in ``window`` seconds."""

    key: str
    most: int
    window: int


Limit = Backoff | Quota


def address_key(address: str | None) -> str:
    """The address a limit counts under: an IPv6 host gets a whole /64, so it cannot hop."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def wait_phrase(seconds: int) -> str:
    """When to try again, in the person's language: "in 20 seconds", "через 3 хвилини"."""
    if seconds < 60:
        span, unit = timedelta(seconds=max(1, seconds)), "second"
    else:
        # Whole minutes, rounded up: somebody told "in 2 minutes" who comes back then gets in.
        span, unit = timedelta(minutes=-(-seconds // 60)), "minute"
    return format_timedelta(span, granularity=unit, threshold=1, add_direction=True)


def retry_after(limit: Limit) -> int:
    """Seconds until ``limit`` lets the next attempt through; 0 when it may go now."""
    if isinstance(limit, Backoff) and not limit.blocks:
        return 0
    row = db.session.get(Throttle, limit.key)
    if row is None:
        return 0
    left = (row.wait_until - utcnow()).total_seconds()
    return max(0, int(left + 0.999))  # round up: "wait 1 s" must not be too early


def retry_after_any(limits: list[Limit]) -> int:
    return max((retry_after(limit) for limit in limits), default=0)


def failures(limit: Backoff) -> int:
    """Failures counted under ``limit`` now (0 once they are forgotten)."""
    row = db.session.get(Throttle, limit.key)
    if row is None or _forgotten(row, limit, utcnow()):
        return 0
    return row.count


def record(limit: Limit) -> None:
    """Count one failure (``Backoff``) or one use (``Quota``) and set the key's next wait."""
    now = utcnow()
    row = _locked_row(limit.key, now)
    if isinstance(limit, Backoff):
        row.count = 1 if _forgotten(row, limit, now) else row.count + 1
        if row.count == 1:
            row.window_start = now
        row.wait_until = now + timedelta(seconds=limit.wait_after(row.count))
    else:
        if now - row.window_start >= timedelta(seconds=limit.window) or row.count == 0:
            row.window_start, row.count = now, 0
        row.count += 1
        full = row.count >= limit.most
        row.wait_until = row.window_start + timedelta(seconds=limit.window) if full else now
    db.session.flush()


def record_all(limits: list[Limit]) -> None:
    for limit in limits:
        record(limit)


def clear(key: str) -> None:
    db.session.execute(sa.delete(Throttle).where(Throttle.key == key))


def _forgotten(row: Throttle, limit: Backoff, now: datetime) -> bool:
    return now - row.wait_until > timedelta(seconds=limit.forget_after)


def _locked_row(key: str, now: datetime) -> Throttle:
    """The row for ``key``, locked for this transaction, created empty when missing."""
    row = db.session.get(Throttle, key, with_for_update=True, populate_existing=True)
    if row is not None:
        return row
    # Failures are rare in normal use, so sweeping old keys here costs nobody anything.
    db.session.execute(sa.delete(Throttle).where(Throttle.wait_until < now - SWEEP_AFTER))
    try:
        # Two requests may count the first failure at once; the loser counts on the winner.
        with db.session.begin_nested():
            row = Throttle(key=key, window_start=now, count=0, wait_until=now)
            db.session.add(row)
        return row
    except sa.exc.IntegrityError:
        row = db.session.get(Throttle, key, with_for_update=True, populate_existing=True)
        assert row is not None  # noqa: S101 - the conflicting insert just created it
        return row
