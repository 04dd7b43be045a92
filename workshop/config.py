"""Configuration defaults (no secrets) and the few rules that make a configuration safe."""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

LANGUAGES = ("uk", "en")


class Config:
    """Defaults for every deployment; instance/config.py and WORKSHOP_* variables override."""

    # "production" (WORKSHOP_ENV=production; workshop/wsgi.py, which gunicorn serves, makes it
    # the default there) refuses to start on an unsafe configuration: workshop/production.py.
    ENV = "development"
    # Production runs on PostgreSQL; true lets it run on SQLite (one machine, one seminar at a
    # time, no database server to look after). docs/deployment.md says when that is enough.
    ALLOW_SQLITE = False
    # The demo's accounts (`flask workshop seed-demo`) have their passwords in the README: in
    # production nobody may seed them or sign in to them, unless true says this production
    # server is a demonstration on purpose (ASVS 6.3.2; workshop/production.py).
    ALLOW_DEMO = False
    # workshop/database.py adds the bounded waits and the test of idle pooled connections.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    # An upload of organisers' spreadsheets is the largest thing anybody sends us.
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    # A token that expires under a person's typing loses their text; the session bounds it instead.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # True when the site is served over HTTPS (WORKSHOP_SESSION_COOKIE_SECURE=true): every
    # cookie gets Secure, the session and device cookies the __Host- prefix. Plain
    # http://127.0.0.1 development keeps working with the default.
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
    # Slowing guessers down without locking anybody out (see workshop/throttle.py). After the
    # free failures each one doubles the wait, from FIRST_WAIT up to LONGEST_WAIT seconds; an
    # hour without failures forgets them.
    LOGIN_FREE_FAILURES = 4  # per account, and per browser that signed in to it before
    LOGIN_FREE_FAILURES_PER_ADDRESS = 10  # across accounts: one address spraying passwords
    CODE_FREE_FAILURES = 5  # wrong join or return codes per browser
    # A seminar room shares one address, so this never refuses anybody: past it, each browser
    # behind the address waits from its first wrong code.
    CODE_FREE_FAILURES_PER_ADDRESS = 30
    THROTTLE_FIRST_WAIT_SECONDS = 4
    THROTTLE_LONGEST_WAIT_SECONDS = 5 * 60
    THROTTLE_FORGET_AFTER_SECONDS = 60 * 60
    # Autosaves per sign-in (R8): at most this many in each window of this many seconds; past
    # it the save is answered 429 with Retry-After and the page sends it when the window ends.
    # Typing saves once a pause (0.7 s), so a person stays far below; a script does not.
    AUTOSAVES_PER_WINDOW = 60
    AUTOSAVE_WINDOW_SECONDS = 60
    # Joining: the code typed holds for this long, for one seat; a browser may send the seat
    # form this often in an hour, and one address (a room: sixty people at most) take this many.
    JOIN_PENDING_MINUTES = 60
    JOIN_SUBMISSIONS_PER_BROWSER_HOUR = 20
    JOINS_PER_ADDRESS_HOUR = 300
    # How many reverse proxies in front of the app set X-Forwarded-For and -Proto. 0 (no
    # proxy) means those headers are ignored: a client could write anything in them.
    TRUSTED_PROXIES = 0
    # The site's public address, e.g. "https://twinning.example.org", for the return-code
    # page. Never taken from the request's Host header, which a client can forge.
    PUBLIC_URL: str | None = None
    # Browsers that signed in to an account before skip the account's wait (ASVS 6.3.1).
    DEVICE_COOKIE_DAYS = 180
    IMPORT_MAX_ROWS = 2000
    # A page's script gives up on a request after this long and retries as it does offline
    # (static/js/net.js): on a dropped mobile connection a request can hang for minutes, and
    # an autosave or a live strip waiting on it would wait with it. Saves get twice as long.
    SCRIPT_DEADLINE_MS = 20_000
    # Long jobs (a seminar's documents as one ZIP) go to an RQ queue on this Redis, e.g.
    # "redis://127.0.0.1:6379/0" (WORKSHOP_REDIS_URL), for `rq worker workshop` to run. Unset:
    # a thread of the web process runs them, or with JOBS_IN_PROCESS false they wait in the
    # database until `flask jobs run-queued` runs them.
    REDIS_URL: str | None = None
    JOBS_IN_PROCESS = True
    # A PDF is made in a child process (workshop/documents/pdf.py) that is killed after this
    # many seconds and may use this much address space; a 10-page plan takes ~1.3 s and under
    # 400 MB, so these only stop a runaway document from tying up a worker.
    DOCUMENT_RENDER_TIMEOUT = 60.0
    DOCUMENT_RENDER_MEMORY_MB = 1024


def database_url(app: Flask) -> str:
    """Return the configured database URL, or the SQLite file inside instance/."""
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if url:
        return str(url)
    folder = Path(app.instance_path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # SQLite makes the file, not the folder
    return f"sqlite:///{folder / 'workshop.sqlite'}"


def secret_key(app: Flask) -> str:
    """Return the configured secret key, or one generated once and kept in instance/."""
    configured = app.config.get("SECRET_KEY")
    if configured:
        return str(configured)
    return generated_key(Path(app.instance_path))


def generated_key(folder: Path) -> str:
    """The key in ``folder``/secret_key, made there first if there is none.

    Every process that starts at once (gunicorn's workers, an RQ worker, a CLI command) must end
    with the same key, so the key is written whole into a file of its own (created 0600, never
    readable by others even for a moment) and hard-linked to its name: the link fails when
    another process got there first, and then that process's key is the one everybody reads.
    """
    key_file = folder / "secret_key"
    try:
        return _read_key(key_file)
    except FileNotFoundError:
        pass
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # the folder also holds the database
    draft = folder / f".secret_key.{os.getpid()}.{secrets.token_hex(8)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process's key won: ours goes
            os.link(draft, key_file)
        _sync_folder(folder)  # the new name survives a power cut
    finally:
        draft.unlink(missing_ok=True)
    return _read_key(key_file)


def _read_key(key_file: Path) -> str:
    key = key_file.read_text().strip()
    if not key:  # only an interrupted write by an older version leaves an empty file
        raise RuntimeError(f"{key_file} is empty: delete it to make a new key")
    return key


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def secure_transport(app: Flask) -> None:
    """Settings that follow from serving over HTTPS (SESSION_COOKIE_SECURE set true)."""
    if not app.config["SESSION_COOKIE_SECURE"]:
        return
    # A __Host- cookie is only accepted when Secure, for path / and without a Domain, so no
    # other site on a sibling domain and no plain-HTTP page can plant or overwrite it.
    if app.config.get("SESSION_COOKIE_NAME", "session") == "session":
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    app.config["SESSION_COOKIE_DOMAIN"] = None
    app.config["SESSION_COOKIE_PATH"] = "/"
    app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config["PREFERRED_URL_SCHEME"] = "https"


def trusted_proxies(app: Flask) -> int:
    """How many proxies' X-Forwarded-* headers to believe; refuse to start on a wrong value."""
    from workshop.numbers import whole_number  # here: numbers needs Flask, config loads early

    raw = app.config.get("TRUSTED_PROXIES", 0)
    value = whole_number(raw.strip() if isinstance(raw, str) else raw, high=5)
    if value is None or isinstance(raw, float):
        raise ValueError(f"TRUSTED_PROXIES must be a whole number from 0 to 5, not {raw!r}")
    return value
