"""Which counters an attempt counts under, read from the configuration and the request.

``workshop.throttle`` explains the design; this module only names the keys.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request

from workshop import throttle
from workshop.auth.sessions import browser_id

HOUR = 3600


def _backoff(
    key: str, free: int, *, blocks: bool = True, cleared_by_success: bool = False
) -> throttle.Backoff:
    cfg = current_app.config
    return throttle.Backoff(
        key=key,
        free=free,
        first_wait=cfg["THROTTLE_FIRST_WAIT_SECONDS"],
        longest_wait=cfg["THROTTLE_LONGEST_WAIT_SECONDS"],
        forget_after=cfg["THROTTLE_FORGET_AFTER_SECONDS"],
        blocks=blocks,
        cleared_by_success=cleared_by_success,
    )


def _address() -> str:
    return throttle.address_key(request.remote_addr)


def login(email: str, device: str | None) -> list[throttle.Limit]:
    """Password attempts: per known browser, or else per account and per address."""
    free = current_app.config["LOGIN_FREE_FAILURES"]
    if device is not None:
        # This browser signed in to the account before: only its own failures slow it, so
        # an attack on the account or from the same address never keeps the owner out.
        return [_backoff(f"login:device:{device}", free, cleared_by_success=True)]
    # The e-mail typed, as a keyed digest: keys stay short, and the table holds no e-mail
    # addresses, not even ones a dictionary of hashes would give back.
    secret = str(current_app.secret_key).encode()
    account = hmac.new(secret, email.strip().lower().encode(), hashlib.sha256).hexdigest()
    return [
        _backoff(f"login:account:{account}", free, cleared_by_success=True),
        _backoff(f"login:addr:{_address()}", current_app.config["LOGIN_FREE_FAILURES_PER_ADDRESS"]),
    ]


def own_password(account_id: int) -> throttle.Backoff:
    """Password attempts by a signed-in person (signing a document, changing the password):
    only their own account's failures count (a head never waits for somebody else's), and
    both count together, so a taken-over session gets no more guesses by switching."""
    return _backoff(
        f"password:account:{account_id}",
        current_app.config["LOGIN_FREE_FAILURES"],
        cleared_by_success=True,
    )


def code(kind: str) -> list[throttle.Limit]:
    """Join or return code attempts: the browser waits; the address only counts.

    A room shares an address, so the address never refuses anybody (a right code always gets
    in); once it has seen many wrong codes, each browser behind it waits from its first one.
    """
    cfg = current_app.config
    at_address = _backoff(
        f"{kind}:addr:{_address()}", cfg["CODE_FREE_FAILURES_PER_ADDRESS"], blocks=False
    )
    crowded = throttle.failures(at_address) >= at_address.free
    free = 0 if crowded else cfg["CODE_FREE_FAILURES"]
    return [_backoff(f"{kind}:browser:{browser_id()}", free, cleared_by_success=True), at_address]


def join_submissions() -> throttle.Quota:
    """Seat forms one browser may send in an hour."""
    most = current_app.config["JOIN_SUBMISSIONS_PER_BROWSER_HOUR"]
    return throttle.Quota(f"join-form:browser:{browser_id()}", most, HOUR)


def joins_at_address() -> throttle.Quota:
    """Seats one address may take in an hour: a room fits easily, a script does not."""
    return throttle.Quota(
        f"joins:addr:{_address()}", current_app.config["JOINS_PER_ADDRESS_HOUR"], HOUR
    )


def seat(nonce: str) -> throttle.Quota:
    """One seat per code typed: a pending join is spent by the seat it takes."""
    return throttle.Quota(f"join:seat:{nonce}", 1, current_app.config["JOIN_PENDING_MINUTES"] * 60)
