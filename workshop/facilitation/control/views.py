"""Facilitation: control (HTTP only).

The facilitator's room controls at ``/seminars/<id>/control`` (each a POST that comes back to
the page), the projector view, and what a table's screen polls to follow them
(``/tables/<id>/live``) and its "Ask for help" button.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from workshop import live
from workshop.auth.sessions import acting_account
from workshop.extensions import db
from workshop.facilitation.control import forms, pages, queries, services
from workshop.facilitation.control.services import ControlError
from workshop.groupwork.review.queries import runs
from workshop.i18n import current_lang
from workshop.method.definition import load
from workshop.models import Account, Membership, Partnership, Seminar
from workshop.permissions import seat_at

bp = Blueprint("control", __name__)

REVISION_HEADER = "X-Revision"


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits signed-in people only
    return actor


def _seminar(seminar_id: int) -> Seminar:
    seminar = queries.managed_seminar(_actor(), seminar_id)
    if seminar is None:
        abort(404)  # another facilitator's seminar is not confirmed to exist
    return seminar


def _back(seminar: Seminar, anchor: str) -> Response:
    return redirect(url_for("control.page", seminar_id=seminar.id, _anchor=anchor))


def _refused(
    seminar: Seminar, error: ControlError, typed: dict[str, str] | None = None
) -> tuple[str, int]:
    db.session.rollback()
    return pages.control(seminar, problems={error.field or "form": error.message}, typed=typed), 422


# -- The control page ------------------------------------------------------------------------------


@bp.get("/seminars/<int:seminar_id>/control")
def page(seminar_id: int) -> str:
    return pages.control(_seminar(seminar_id))


@bp.post("/seminars/<int:seminar_id>/control/stages")
def stage(seminar_id: int) -> Response | tuple[str, int]:
    """Open or close a stage for every table."""
    seminar = _seminar(seminar_id)
    action = forms.choice(request.form.get("action"), ("open", "close"))
    key = request.form.get("stage", "")
    if action is None:
        abort(400)
    try:
        if action == "open":
            opened = services.open_for_room(seminar, key, actor=_actor())
        else:
            services.close_for_room(seminar, key, actor=_actor())
    except ControlError as error:
        return _refused(seminar, error)
    label = queries.stage_label(seminar.id, key, current_lang())
    db.session.commit()
    if action == "open":
        flash(
            ngettext(
                "Stage %(stage)s is open for the room; it opened at %(num)d table.",
                "Stage %(stage)s is open for the room; it opened at %(num)d tables.",
                opened,
                stage=label,
            ),
            "success",
        )
    else:
        flash(
            _("Stage %(stage)s is closed: no table can change its answers.", stage=label), "success"
        )
    return _back(seminar, f"stage-{key}")


@bp.post("/seminars/<int:seminar_id>/control/countdown")
def countdown(seminar_id: int) -> Response | tuple[str, int]:
    seminar = _seminar(seminar_id)
    action = forms.choice(request.form.get("action"), ("start", "extend", "stop"))
    if action is None:
        abort(400)
    field = f"{action}-minutes"
    typed = {field: request.form.get(field, "")[:20]}
    actor = _actor()
    try:
        if action == "stop":
            services.stop_countdown(seminar, actor=actor)
        else:
            minutes = forms.minutes(request.form.get(field), field)
            if action == "start":
                services.start_countdown(seminar, minutes, actor=actor)
            else:
                services.extend_countdown(seminar, minutes, actor=actor)
    except ControlError as error:
        return _refused(seminar, error, typed)
    ends = queries.clock(seminar.round_ends_at)
    db.session.commit()
    if action == "stop":
        flash(_("The countdown is stopped."), "success")
    else:
        flash(_("Group work ends at %(time)s.", time=ends), "success")
    return _back(seminar, "countdown")


@bp.post("/seminars/<int:seminar_id>/control/notice")
def notice(seminar_id: int) -> Response | tuple[str, int]:
    seminar = _seminar(seminar_id)
    action = forms.choice(request.form.get("action"), ("send", "clear"))
    if action is None:
        abort(400)
    typed = {"notice-text": request.form.get("text", "")}
    try:
        if action == "send":
            services.set_notice(seminar, forms.notice(request.form.get("text")), actor=_actor())
        else:
            services.clear_notice(seminar, actor=_actor())
    except ControlError as error:
        return _refused(seminar, error, typed)
    db.session.commit()
    flash(
        _("Every table sees the notice now.") if action == "send" else _("The notice is cleared."),
        "success",
    )
    return _back(seminar, "notice")


@bp.post("/seminars/<int:seminar_id>/control/votes")
def votes(seminar_id: int) -> Response | tuple[str, int]:
    """Reveal or hide a stage's dot-vote result at every table."""
    seminar = _seminar(seminar_id)
    action = forms.choice(request.form.get("action"), ("reveal", "hide"))
    key = request.form.get("stage", "")
    if action is None:
        abort(400)
    try:
        changed = services.set_votes_revealed(seminar, key, action == "reveal", actor=_actor())
    except ControlError as error:
        return _refused(seminar, error)
    label = queries.stage_label(seminar.id, key, current_lang())
    db.session.commit()
    flash(
        ngettext(
            "The dot-vote result of stage %(stage)s is shown at %(num)d table.",
            "The dot-vote result of stage %(stage)s is shown at %(num)d tables.",
            changed,
            stage=label,
        )
        if action == "reveal"
        else ngettext(
            "The dot-vote result of stage %(stage)s is hidden again at %(num)d table.",
            "The dot-vote result of stage %(stage)s is hidden again at %(num)d tables.",
            changed,
            stage=label,
        ),
        "success",
    )
    return _back(seminar, f"stage-{key}")


# -- The projector ---------------------------------------------------------------------------------


def _no_store(response: Response, revision: int) -> Response:
    response.headers[REVISION_HEADER] = str(revision)
    response.headers["ETag"] = live.etag(revision)
    response.headers["Cache-Control"] = "no-store"
    return response


def _poll(revision: int | None, draw: Callable[[int], Response]) -> Response:
    """A poll: 304 for a matching If-None-Match, 204 for an unchanged ``since``, else what
    ``draw`` makes (the counter is read first, so a change while drawing is caught next time)."""
    if revision is None:
        abort(404)
    if request.if_none_match.contains_weak(f"r{revision}"):
        return _no_store(Response(status=304), revision)
    if request.args.get("since") == str(revision):
        return _no_store(Response(status=204), revision)
    return _no_store(draw(revision), revision)


@bp.get("/seminars/<int:seminar_id>/projector")
def projector(seminar_id: int) -> Response:
    seminar = _seminar(seminar_id)
    return _no_store(make_response(pages.projector(seminar)), seminar.revision)


@bp.get("/seminars/<int:seminar_id>/projector/live")
def projector_live(seminar_id: int) -> Response:
    """The projector's live part, when anything changed since the poller's revision."""
    revision = queries.managed_revision(_actor(), seminar_id)
    return _poll(
        revision, lambda _r: make_response(pages.projector(_seminar(seminar_id), fragment=True))
    )


# -- A table ---------------------------------------------------------------------------------------


def _seat(partnership_id: int) -> tuple[Partnership, Membership]:
    """This person's seat at this table, in a seminar: a 404 for anybody else (never a 403
    that would confirm the table exists)."""
    partnership = db.get_or_404(Partnership, partnership_id)
    seat = seat_at(_actor(), partnership)
    if seat is None or seat.seminar_id is None:
        abort(404)
    return partnership, seat


@bp.get("/tables/<int:partnership_id>/live")
def table_live(partnership_id: int) -> Response:
    """What the table's screen shows of the room, when it changed since ``since``."""
    partnership, seat = _seat(partnership_id)
    assert seat.seminar_id is not None  # noqa: S101 - _seat refuses a seat in no seminar

    def draw(_revision: int) -> Response:
        method = load(partnership.method_version)
        state = queries.live_state(
            seat.seminar_id or 0,
            partnership,
            method,
            runs(partnership.id, partnership.cycle),
            current_lang(),
        )
        if state is None:
            abort(404)
        return jsonify(state.as_json())

    return _poll(live.revision(seat.seminar_id), draw)


@bp.post("/tables/<int:partnership_id>/help")
def ask_help(partnership_id: int) -> Response:
    """The table asks a facilitator to come; a second press while one is open says so."""
    partnership, seat = _seat(partnership_id)
    assert seat.seminar_id is not None  # noqa: S101 - _seat refuses a seat in no seminar
    method = load(partnership.method_version)
    stage = method.stage(request.form.get("stage", ""))
    asked, new = services.ask_help(
        seat.seminar_id, partnership.id, stage.key if stage else None, actor=_actor()
    )
    asked_at = queries.clock(asked.asked_at)
    db.session.commit()
    message = (
        _("A facilitator has been asked to come to your table.")
        if new
        else _(
            "Your table has already asked for help at %(time)s; a facilitator is on the way.",
            time=asked_at,
        )
    )
    if request.accept_mimetypes.best == "application/json":
        return jsonify(asked=True, new=new, message=message, asked_at_label=asked_at)
    flash(message, "success" if new else "info")
    if stage is None:
        return redirect(url_for("partnerships.detail", partnership_id=partnership.id))
    return redirect(
        url_for("stage.page", partnership_id=partnership.id, stage_key=stage.key, _anchor="live")
    )
