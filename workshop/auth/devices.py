"""Browsers that have signed in to an account before ("device cookies", OWASP).

A successful sign-in leaves a signed cookie naming the account and a random id for this
browser. Its later password attempts for that account count under that id alone, so somebody
guessing the password elsewhere slows the account for everybody except its owner's browsers
(see ``workshop.throttle``). The cookie proves nothing by itself: the password is still needed.
"""

from __future__ import annotations

import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

KEEP = 5  # accounts remembered per browser: a shared office computer has a few users


def _cookie_name() -> str:
    # Over HTTPS the __Host- prefix keeps a sibling domain or a plain-HTTP page from planting it.
    return "__Host-device" if current_app.config["SESSION_COOKIE_SECURE"] else "device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="workshop.device")  # type: ignore[arg-type]


def _entries() -> list[tuple[int, str]]:
    raw = request.cookies.get(_cookie_name())
    if not raw:
        return []
    max_age = current_app.config["DEVICE_COOKIE_DAYS"] * 86400
    try:
        loaded = _serializer().loads(raw, max_age=max_age)
    except BadSignature:
        return []
    if not isinstance(loaded, list):
        return []
    return [
        (entry[0], entry[1])
        for entry in loaded
        if isinstance(entry, list)
        and len(entry) == 2
        and isinstance(entry[0], int)
        and isinstance(entry[1], str)
    ]


def known(account_id: int | None) -> str | None:
    """This browser's id for ``account_id`` if it signed in to that account before."""
    if account_id is None:
        return None
    return next((nonce for owner, nonce in _entries() if owner == account_id), None)


def remember(response: Response, account_id: int) -> None:
    """Mark this browser as one that signed in to ``account_id`` (the newest first)."""
    nonce = known(account_id) or secrets.token_urlsafe(16)
    others = [[owner, other] for owner, other in _entries() if owner != account_id]
    value = _serializer().dumps([[account_id, nonce], *others][:KEEP])
    response.set_cookie(
        _cookie_name(),
        value,
        max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400,
        path="/",
        secure=current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure,
        httponly=True,
        samesite="Lax",
    )
