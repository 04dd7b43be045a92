"""Remembering a person's language and display modes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop.auth.sessions import acting_account
from workshop.extensions import db
from workshop.i18n import LANG_COOKIE
from workshop.prefs.display import DISPLAY_COOKIE, toggled
from workshop.prefs.forms import DisplayForm, LanguageForm
from workshop.security import safe_redirect_target

bp = Blueprint("prefs", __name__, url_prefix="/prefs")
ONE_YEAR = 365 * 24 * 3600


def _back(form: LanguageForm | DisplayForm) -> Response:
    target = safe_redirect_target(form.next.data) or url_for("main.index")
    return redirect(target)


@bp.post("/language")
def language() -> Response:
    form = LanguageForm()
    if not form.validate():
        flash(_("This language is not available. Choose Українська or English."), "error")
        return _back(form)
    response = _back(form)
    response.set_cookie(LANG_COOKIE, form.lang.data, max_age=ONE_YEAR, samesite="Lax")
    actor = acting_account()
    if actor is not None:
        actor.locale = form.lang.data
        db.session.commit()
    return response


@bp.post("/display")
def display() -> Response:
    form = DisplayForm()
    if not form.validate():
        flash(_("This display mode is not available."), "error")
        return _back(form)
    response = _back(form)
    value = toggled(request.cookies.get(DISPLAY_COOKIE), form.mode.data)
    response.set_cookie(DISPLAY_COOKIE, value, max_age=ONE_YEAR, samesite="Lax")
    return response
