"""Error pages: short, in the person's language, never a stack trace."""

from __future__ import annotations

from flask import Flask, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from workshop import audit, outage, securitylog
from workshop.extensions import db
from workshop.throttle import wait_phrase

# Headers an HTTP error carries that the person's browser needs: Allow on 405, Retry-After on
# 429 and 503, WWW-Authenticate on 401.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _page(status: int, title: str, message: str) -> Response:
    return make_response(render_template("errors/error.html", title=title, message=message), status)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    _log_denial(status)
    titles = {
        400: (_("Something in the request was not right"), _("Go back and try again.")),
        403: (_("You cannot open this page"), _("It belongs to another seminar or role.")),
        404: (_("Page not found"), _("The address may be mistyped or the item removed.")),
        405: (_("This action is not available here"), _("Go back and use the buttons.")),
        413: _too_large(),
        429: (_("Too many attempts"), _too_many_message(error)),
    }
    title, message = titles.get(
        status, (_("Something went wrong"), _("Please try again in a moment."))
    )
    response = _page(status, title, message)
    for name, value in error.get_headers():
        if name in _KEPT_HEADERS:
            response.headers[name] = value
    return response


def _too_large() -> tuple[str, str]:
    # Over the whole-request limit it is an upload; under it, one text field was over the form
    # limit (a pasted essay), and talk of files and spreadsheets would only confuse.
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is None or (request.content_length or 0) > limit:
        return (
            _("The file is too large"),
            _("Files up to 5 MB are accepted. Split the spreadsheet or remove unused sheets."),
        )
    return (
        _("This is too long to send at once"),
        _("Go back, shorten the text and send it again."),
    )


def _too_many_message(error: HTTPException) -> str:
    wait = getattr(error, "retry_after", None)
    if isinstance(wait, int) and wait > 0:
        return _("Try again %(wait)s.", wait=wait_phrase(wait))
    return _("Wait a few minutes and try again.")


def _log_denial(status: int) -> None:
    """Log refusals by a permission check: every 403, and a 404 from a matched route.

    Views answer 404 rather than 403 for somebody else's object so as not to confirm it exists;
    such a 404 is logged like a denial (it may also be a removed item). A 404 for an address no
    route matches is a typo or a scanner and is not logged.
    """
    if status == 403:
        securitylog.event("access_denied", status=status)
    elif status == 404 and request.endpoint not in (None, "static"):
        securitylog.event("object_not_found", status=status)
    else:
        return
    audit.refused(status)  # in the database too (R9); in its own transaction, never raises


def _csrf_error(error: CSRFError) -> Response:
    securitylog.event("csrf_failed", reason=error.description)
    return _page(
        400,
        _("This form has expired"),
        _("Go back, reload the page and send it again. What you typed is still in the form."),
    )


def _server_error(error: Exception) -> Response:
    db.session.rollback()
    return _page(500, _("Something went wrong"), _("Please try again in a moment."))


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
    outage.init_app(app)  # the database out of reach for a moment: 503, not 500
