"""A join in progress: the seminar code a browser typed, held until it takes one seat.

The browser keeps the seminar, a keyed digest of the code as it was, when it was typed, and a
random id, in its signed session cookie. At the seat form all of it is checked again: the code
must not have been changed or closed since, the time not run out, and the id not spent. The
id is spent by the seat it takes, so an old copy of the cookie takes no second seat.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from flask import current_app, session
from flask_babel import lazy_gettext as _l

from workshop import throttle
from workshop.auth import limits
from workshop.extensions import db
from workshop.models import Seminar
from workshop.usererror import UserError

KEY = "join"


class NotPending(UserError):
    """This browser has no join it may finish; the message says why."""


@dataclass(frozen=True)
class PendingJoin:
    seminar: Seminar
    nonce: str


def _code_digest(code: str) -> str:
    # Keyed, so the cookie (signed, not encrypted) does not let anybody test codes offline.
    key = str(current_app.secret_key).encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def start(seminar: Seminar) -> None:
    session[KEY] = {
        "seminar": seminar.id,
        "code": _code_digest(seminar.join_code),
        "at": int(time.time()),
        "nonce": secrets.token_urlsafe(16),
    }


def started() -> bool:
    """Whether this browser typed a seminar code that has not taken a seat yet."""
    return isinstance(session.get(KEY), dict)


def current() -> PendingJoin:
    """The join this browser may finish now, or NotPending saying what to do."""
    held = session.get(KEY)
    if not isinstance(held, dict) or not isinstance(held.get("nonce"), str):
        raise NotPending(_l("Enter the seminar code first."), field="code")
    seminar = db.session.get(Seminar, held.get("seminar")) if held.get("seminar") else None
    if seminar is None or not hmac.compare_digest(
        _code_digest(seminar.join_code), str(held.get("code"))
    ):
        raise NotPending(
            _l("The seminar code has changed. Enter the code your facilitator shows now."),
            field="code",
        )
    if not seminar.join_open:
        raise NotPending(_l("This seminar is not taking new participants now."), field="code")
    typed_at = held.get("at")
    lifetime = current_app.config["JOIN_PENDING_MINUTES"] * 60
    if not isinstance(typed_at, int) or time.time() - typed_at > lifetime:
        raise NotPending(
            _l("Too much time has passed since you typed the seminar code. Enter it again."),
            field="code",
        )
    if throttle.retry_after(limits.seat(held["nonce"])):
        raise NotPending(
            _l("A seat was already taken with this code. To join, enter the seminar code again."),
            field="code",
        )
    return PendingJoin(seminar=seminar, nonce=held["nonce"])


def spend(pending: PendingJoin) -> None:
    """Use the pending join up: it takes no second seat, even from a copy of the cookie."""
    throttle.record(limits.seat(pending.nonce))
    session.pop(KEY, None)


def drop() -> None:
    session.pop(KEY, None)
