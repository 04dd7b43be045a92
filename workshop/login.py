"""Flask-Login's LoginManager, without the hash it makes on every request for nothing.

Session protection is off here (auth/sessions.py says why), yet Flask-Login hashes the
client's address and browser (SHA-512) on every request, autosaves included, before it reads
that setting and finds nothing to compare the hash with.
"""

from __future__ import annotations

import flask_login
from flask import current_app


class LoginManager(flask_login.LoginManager):
    def _session_protection_failed(self) -> bool:
        mode = current_app.config.get("SESSION_PROTECTION", self.session_protection)
        return mode in ("basic", "strong") and bool(super()._session_protection_failed())
