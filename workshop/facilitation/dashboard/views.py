"""Facilitation: dashboard (HTTP only)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from workshop.auth.sessions import acting_account
from workshop.extensions import db
from workshop.facilitation.dashboard import drawing, queries, services
from workshop.facilitation.dashboard.filters import FILTERS
from workshop.facilitation.dashboard.forms import ButtonForm, StuckMinutesForm
from workshop.facilitation.dashboard.stamp import etag, opaque, stamp
from workshop.models import Account, HelpRequest, Seminar, utcnow
from workshop.numbers import whole_number

bp = Blueprint("dashboard", __name__)

REVISION_HEADER = "X-Revision"


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits staff only
    return actor


def _seminar(seminar_id: int) -> Seminar:
    seminar = queries.managed_seminar(_actor(), seminar_id)
    if seminar is None:
        abort(404)  # another facilitator's seminar is not confirmed to exist
    return seminar


def _back(seminar: Seminar) -> Response:
    """Back to the dashboard as it was filtered (the forms post to a URL that carries it)."""
    kept = {k: v for k in (*FILTERS, "sort", "page") if (v := request.args.get(k, ""))}
    return redirect(url_for("dashboard.page", seminar_id=seminar.id, **kept))


@bp.get("/seminars/<int:seminar_id>/dashboard")
def page(seminar_id: int) -> Response:
    html, drawn = drawing.render(_seminar(seminar_id))
    response = make_response(html)
    response.headers[REVISION_HEADER] = drawn
    return response


@bp.get("/seminars/<int:seminar_id>/dashboard/changes")
def changes(seminar_id: int) -> Response:
    """The live part of the dashboard, only if something changed since the poller's stamp."""
    revision = queries.managed_revision(_actor(), seminar_id)
    if revision is None:
        abort(404)
    now = stamp(revision, utcnow())
    if request.if_none_match.contains_weak(opaque(now)):
        response = Response(status=304)
    elif request.args.get("since") == now:
        response = Response(status=204)
    else:
        html, now = drawing.render(_seminar(seminar_id), fragment=True)
        response = make_response(html)
    response.headers[REVISION_HEADER] = now
    response.headers["ETag"] = etag(now)
    return response


@bp.post("/seminars/<int:seminar_id>/dashboard/help")
def answer_help(seminar_id: int) -> Response:
    seminar = _seminar(seminar_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    help_id = whole_number(request.form.get("help_request", ""), low=1)
    if help_id is None:
        abort(400)
    asked = db.session.get(HelpRequest, help_id)
    if asked is None or asked.seminar_id != seminar.id:
        abort(404)
    answered = services.answer_help(asked, actor=_actor())
    db.session.commit()
    if answered:
        flash(_("Marked as answered."), "success")
    else:
        flash(_("Somebody had answered this request already."), "info")
    return _back(seminar)


@bp.post("/seminars/<int:seminar_id>/dashboard/stuck")
def set_stuck_minutes(seminar_id: int) -> Response | tuple[str, int]:
    seminar = _seminar(seminar_id)
    form = StuckMinutesForm()
    if not form.validate_on_submit():
        html, _drawn = drawing.render(seminar, stuck_form=form)
        return html, 422
    services.set_stuck_minutes(seminar, form.minutes, actor=_actor())
    db.session.commit()
    flash(
        ngettext(
            "Tables now show as stuck after %(num)d minute without a save.",
            "Tables now show as stuck after %(num)d minutes without a save.",
            form.minutes,
        ),
        "success",
    )
    return _back(seminar)
