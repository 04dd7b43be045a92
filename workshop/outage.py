"""The database gone for a moment: a quick 503 the page's script and the reader understand.

PostgreSQL restarting, a network cut between the app and it, a SQLite file locked by a backup
beyond the busy timeout: the request cannot be served now but can be in a few seconds. Instead
of a 500 (which reads as "your text is wrong") the person gets 503 with Retry-After: the autosave
script keeps the text in the browser and sends it again (``code`` below), a page says so in the
reader's language. Nothing was stored: the transaction is rolled back. The app itself recovers
without a restart: the pool's pre-ping replaces stale connections when the database is back.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from werkzeug.wrappers import Response

from workshop.config import LANGUAGES
from workshop.extensions import db
from workshop.i18n import select_locale

RETRY_AFTER_SECONDS = 3
# What the autosave script reads: "offline, keep the draft and send it again".
RETRY_CODE = "database_unavailable"
# SQLite says a passing trouble in these words (a lock held too long, a file it cannot open or
# write now); its other OperationalErrors ("no such table", a syntax error) are bugs: a 500.
_SQLITE_PASSING = ("locked", "busy", "unable to open", "disk i/o", "readonly")


def passing(error: BaseException) -> bool:
    """Whether ``error`` means the database is out of reach for now, not that the code is wrong."""
    if isinstance(error, sa.exc.TimeoutError):  # no pooled connection free in time
        return True
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, sa.exc.OperationalError):
        return False
    if type(error.orig).__module__.startswith("sqlite3"):
        message = str(error.orig).lower()
        return any(words in message for words in _SQLITE_PASSING)
    return True  # PostgreSQL: connection refused or lost, shutting down, deadlock, cancelled


def _unavailable(error: Exception) -> Response:
    if not passing(error):
        raise error  # a real bug: Flask logs it and answers with the 500 page
    language = _language_without_database()
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.remove()  # the connection is gone; the pool replaces it on the next checkout
    current_app.logger.warning(
        "database unavailable, answered 503: %s %s (%s)",
        request.method,
        request.endpoint,
        type(getattr(error, "orig", None) or error).__name__,
    )
    with force_locale(language):
        if request.is_json or request.accept_mimetypes.best == "application/json":
            response = jsonify(
                error=_("The server cannot save just now. What you typed is kept and sent again."),
                code=RETRY_CODE,
            )
            response.status_code = 503
        else:
            title = _("The site is unavailable for a moment")
            message = _("Nothing was lost. Wait a few seconds, then go back and send it again.")
            html = render_template("errors/error.html", title=title, message=message)
            response = make_response(html, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _language_without_database() -> str:
    """The reader's language, found without the database; from here on the request is answered
    for nobody in particular, since anything about the person would need the database again."""
    person = g.get("_login_user")
    state = sa.inspect(person, raiseerr=False) if person is not None else None
    saved = state.dict.get("locale") if state is not None else None  # only if already loaded
    g._login_user = AnonymousUserMixin()
    return str(saved) if saved in LANGUAGES else select_locale()


def init_app(app: Flask) -> None:
    app.register_error_handler(sa.exc.DBAPIError, _unavailable)
    app.register_error_handler(sa.exc.TimeoutError, _unavailable)
