"""Configuration defaults (no secrets) and the few rules that make a configuration safe."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

LANGUAGES = ("uk", "en")


class Config:
    """Defaults for every deployment; instance/config.py and WORKSHOP_* variables override."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # An upload of organisers' spreadsheets is the largest thing anybody sends us.
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    # A token that expires under a person's typing loses their text; the session bounds it instead.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    BABEL_DEFAULT_LOCALE = "uk"
    BABEL_DEFAULT_TIMEZONE = "Europe/Kyiv"
    # Absolute session lifetimes per role (ASVS 7.3.2): a participant keeps a seminar day,
    # staff who can change other people's data re-authenticate sooner.
    SESSION_LIFETIME_HOURS = {"participant": 12, "head": 8, "facilitator": 8, "admin": 2}
    # Idle timeouts per role (ASVS 7.3.1), in minutes. A participant has none: a seminar has long
    # breaks and power cuts, and their text must survive them; the seminar-day lifetime bounds
    # it. Staff idle for long leave a signed-in screen in a shared room, so they sign in again.
    SESSION_IDLE_MINUTES = {"participant": None, "head": 120, "facilitator": 240, "admin": 30}
    # Failed sign-ins per account, and wrong codes per browser, before a pause.
    LOGIN_MAX_FAILURES = 5
    LOGIN_WINDOW_SECONDS = 15 * 60
    CODE_MAX_FAILURES = 10
    CODE_WINDOW_SECONDS = 10 * 60
    # A seminar room shares one address: this only stops a script, never a room.
    CODE_MAX_FAILURES_PER_ADDRESS = 200
    IMPORT_MAX_ROWS = 2000


def database_url(app: Flask) -> str:
    """Return the configured database URL, or the SQLite file inside instance/."""
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if url:
        return str(url)
    return f"sqlite:///{Path(app.instance_path) / 'workshop.sqlite'}"


def secret_key(app: Flask) -> str:
    """Return the configured secret key, or one generated once and kept in instance/."""
    configured = app.config.get("SECRET_KEY")
    if configured:
        return str(configured)
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
