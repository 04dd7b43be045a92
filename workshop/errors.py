"""Error pages: short, in the person's language, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from workshop.extensions import db


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", title=title, message=message), status


def _http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    titles = {
        400: (_("Something in the request was not right"), _("Go back and try again.")),
        403: (_("You cannot open this page"), _("It belongs to another seminar or role.")),
        404: (_("Page not found"), _("The address may be mistyped or the item removed.")),
        405: (_("This action is not available here"), _("Go back and use the buttons.")),
        413: (
            _("The file is too large"),
            _("Files up to 5 MB are accepted. Split the spreadsheet or remove unused sheets."),
        ),
        429: (_("Too many attempts"), _("Wait a few minutes and try again.")),
    }
    title, message = titles.get(
        status, (_("Something went wrong"), _("Please try again in a moment."))
    )
    return _page(status, title, message)


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return _page(
        400,
        _("This form has expired"),
        _("Go back, reload the page and send it again. What you typed is still in the form."),
    )


def _server_error(error: Exception) -> tuple[str, int]:
    db.session.rollback()
    return _page(500, _("Something went wrong"), _("Please try again in a moment."))


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
