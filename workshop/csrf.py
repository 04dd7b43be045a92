"""Flask-WTF's CSRF check, remembering which signed tokens a worker has already verified.

A page's script sends the same form token with every autosave (hundreds a minute from a
seminar room), and verifying its signature (base64, HMAC, JSON) every time was a tenth of a
save's CPU. What a verified token carries is remembered per worker, keyed by the exact token
text and the key that signed it; every request still compares it with the token kept in the
person's session, as Flask-WTF does, so a token from another session is refused as before.
Only tokens that never expire are remembered (WTF_CSRF_TIME_LIMIT None, config.py): a token
with an age limit is checked in full every time.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import current_app, g, request, session
from flask_wtf import csrf as flask_wtf_csrf
from wtforms import ValidationError

logger = logging.getLogger("flask_wtf.csrf")  # where Flask-WTF logs a refused token

VERIFIED_TOKENS = 4096  # tokens a worker remembers as checked; then it starts afresh


class CSRFProtect(flask_wtf_csrf.CSRFProtect):
    """Flask-WTF's CSRFProtect, with the signature check of a known token skipped."""

    def __init__(self, app: Any = None) -> None:
        # exact token text, signing key -> the session token it was signed from
        self._verified: dict[tuple[str, object], str] = {}
        super().__init__(app)

    def protect(self, apply_exemptions: bool = False) -> None:
        # The same steps as Flask-WTF's own protect(), with the cache around the token check.
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        config = current_app.config
        if request.method not in config["WTF_CSRF_METHODS"]:
            return
        token = self._get_csrf_token()
        if not self._known(token):
            try:
                flask_wtf_csrf.validate_csrf(token)
            except ValidationError as error:
                logger.info(error.args[0])
                self._error_response(error.args[0])
            self._remember(token)
        if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not flask_wtf_csrf.same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True

    def _key(self, token: str) -> tuple[str, object] | None:
        config = current_app.config
        if config["WTF_CSRF_TIME_LIMIT"] is not None:
            return None  # an age limit needs the signature's timestamp, read afresh every time
        return (token, config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key)

    def _known(self, token: str | None) -> bool:
        """True when ``token`` was verified before and belongs to this session's token."""
        key = self._key(token) if token else None
        signed = self._verified.get(key) if key is not None else None
        kept = session.get(current_app.config["WTF_CSRF_FIELD_NAME"])
        return (
            signed is not None
            and isinstance(kept, str)
            and hmac.compare_digest(signed.encode(), kept.encode())
        )

    def _remember(self, token: str | None) -> None:
        key = self._key(token) if token else None
        kept = session.get(current_app.config["WTF_CSRF_FIELD_NAME"])
        if key is None or not isinstance(kept, str):
            return
        if len(self._verified) >= VERIFIED_TOKENS:
            self._verified.clear()
        self._verified[key] = kept  # what validate_csrf just found the token to carry
