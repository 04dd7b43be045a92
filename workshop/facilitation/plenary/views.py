"""Facilitation: plenary (HTTP only).

Tables propose and vote at ``/tables/<id>/plenary``; the facilitator merges, runs the vote and
exports the result at ``/seminars/<id>/plenary``. Both pages poll their ``…/changes`` address
with the seminar's change counter (``workshop.live``): 204 (or 304) when nothing changed, else
the page's live part drawn again.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from workshop import confirm, live
from workshop.auth.sessions import acting_account
from workshop.extensions import db
from workshop.facilitation.plenary import export, pages, queries, services
from workshop.facilitation.plenary.pages import Problem
from workshop.facilitation.plenary.services import PlenaryError
from workshop.models import Account, Partnership, PlenaryKind, Seminar
from workshop.permissions import seat_at

bp = Blueprint("plenary", __name__)

REVISION_HEADER = "X-Revision"
DIGEST_HEADER = "X-Plenary-Digest"


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits signed-in people only
    return actor


def _table(partnership_id: int) -> tuple[Seminar, Partnership]:
    """The seminar this person sits in at this table: a seat or a 404 (never a 403 that would
    confirm the table exists)."""
    partnership = db.get_or_404(Partnership, partnership_id)
    seat = seat_at(_actor(), partnership)
    if seat is None or seat.seminar is None:
        abort(404)
    return seat.seminar, partnership


def _managed(seminar_id: int) -> Seminar:
    seminar = queries.managed_seminar(_actor(), seminar_id)
    if seminar is None:
        abort(404)  # another facilitator's seminar is not confirmed to exist
    return seminar


def _kind() -> PlenaryKind:
    kind = services.parse_kind(request.form.get("kind"))
    if kind is None:
        abort(400)  # only a tampered form names no kind
    return kind


def _live(html: str, revision: int, digest: str, status: int = 200) -> Response:
    response = make_response(html, status)
    response.headers[REVISION_HEADER] = str(revision)
    response.headers[DIGEST_HEADER] = digest
    response.headers["ETag"] = live.etag(revision)
    response.headers["Cache-Control"] = "no-store"
    return response


def _changes(revision: int | None, draw: Callable[[int], tuple[str, str]]) -> Response:
    """A poll: 304 for a matching If-None-Match, 204 for an unchanged ``since``, else the live
    part (the counter read first, so a change while drawing is caught by the next poll)."""
    if revision is None:
        abort(404)
    if request.if_none_match.contains_weak(f"r{revision}"):
        response = Response(status=304)
    elif request.args.get("since") == str(revision):
        response = Response(status=204)
    else:
        html, digest = draw(revision)
        return _live(html, revision, digest)
    response.headers[REVISION_HEADER] = str(revision)
    response.headers["ETag"] = live.etag(revision)
    response.headers["Cache-Control"] = "no-store"
    return response


# -- A table ---------------------------------------------------------------------------------


@bp.route("/tables/<int:partnership_id>/plenary", methods=["GET", "POST"])
def table(partnership_id: int) -> Response:
    seminar, partnership = _table(partnership_id)
    actor = _actor()
    if request.method == "POST":
        return _table_post(seminar, partnership, actor)
    revision = live.revision(seminar.id) or 0
    html, digest = pages.table(seminar, partnership, actor, revision=revision)
    return _live(html, revision, digest)


def _table_post(seminar: Seminar, partnership: Partnership, actor: Account) -> Response:
    action, kind = request.form.get("action"), _kind()
    ids, dots = request.form.getlist("proposal"), request.form.getlist("dots")
    if action == "vote" and len(ids) != len(dots):
        abort(400)  # each proposal on the ballot has its field: only a tampered form differs
    ballot = list(zip(ids, dots, strict=False))
    try:
        if action == "propose":
            services.propose(
                seminar,
                partnership_id=partnership.id,
                author=actor,
                kind=kind,
                raw=request.form.get("text", ""),
            )
            message = _("Your proposal is in. The facilitator sees it now.")
        elif action == "withdraw":
            services.withdraw(
                seminar,
                partnership_id=partnership.id,
                raw_id=request.form.get("proposal", ""),
                actor=actor,
            )
            message = _("The proposal is removed.")
        elif action == "vote":
            given = services.cast(seminar, kind=kind, voter=actor, ballot=ballot)
            message = ngettext(
                "Your %(num)d dot is saved. Nobody sees who gave it.",
                "Your %(num)d dots are saved. Nobody sees who gave them.",
                given,
            )
        else:
            abort(400)
    except PlenaryError as error:
        db.session.rollback()
        problem = Problem(
            kind=kind,
            errors={error.field or "form": error.message},
            typed={"text": request.form.get("text", ""), "dots": dict(ballot)},
        )
        revision = live.revision(seminar.id) or 0
        html, digest = pages.table(seminar, partnership, actor, revision=revision, problem=problem)
        return _live(html, revision, digest, 422)
    db.session.commit()
    flash(message, "success")
    return redirect(
        url_for("plenary.table", partnership_id=partnership.id, _anchor=f"plenary-{kind.value}")
    )


@bp.get("/tables/<int:partnership_id>/plenary/changes")
def table_changes(partnership_id: int) -> Response:
    seminar, partnership = _table(partnership_id)
    actor = _actor()
    return _changes(
        live.revision(seminar.id),
        lambda revision: pages.table(seminar, partnership, actor, revision=revision, fragment=True),
    )


# -- The facilitator -------------------------------------------------------------------------


@bp.get("/seminars/<int:seminar_id>/plenary")
def manage(seminar_id: int) -> Response:
    seminar = _managed(seminar_id)
    revision = seminar.revision
    html, digest = pages.manage(seminar, revision=revision)
    return _live(html, revision, digest)


@bp.get("/seminars/<int:seminar_id>/plenary/changes")
def changes(seminar_id: int) -> Response:
    actor = _actor()
    return _changes(
        queries.managed_revision(actor, seminar_id),
        lambda revision: pages.manage(_managed(seminar_id), revision=revision, fragment=True),
    )


def _refused(seminar: Seminar, kind: PlenaryKind | None, error: PlenaryError) -> Response:
    db.session.rollback()
    problem = Problem(
        kind=kind,
        errors={error.field or "form": error.message},
        typed={
            name: request.form.getlist(name) if name == "merge" else request.form[name]
            for name in ("merge", "keep", "keep_text", "dots")
            if name in request.form
        },
    )
    revision = live.revision(seminar.id) or 0
    html, digest = pages.manage(seminar, revision=revision, problem=problem)
    return _live(html, revision, digest, 422)


def _back(seminar: Seminar, kind: PlenaryKind | None) -> Response:
    anchor = f"plenary-{kind.value}" if kind else None
    return redirect(url_for("plenary.manage", seminar_id=seminar.id, _anchor=anchor))


@bp.post("/seminars/<int:seminar_id>/plenary/merge")
def merge(seminar_id: int) -> Response:
    seminar = _managed(seminar_id)
    kind = _kind()  # the form's section, where a refusal is shown
    try:
        kept = services.merge(
            seminar,
            raw_ids=request.form.getlist("merge"),
            raw_keep=request.form.get("keep", ""),
            raw_text=request.form.get("keep_text", ""),
            actor=_actor(),
        )
    except PlenaryError as error:
        return _refused(seminar, kind, error)
    db.session.commit()
    flash(_("Merged into “%(text)s”.", text=kept.text), "success")
    return _back(seminar, kept.kind)


@bp.post("/seminars/<int:seminar_id>/plenary/split")
def split(seminar_id: int) -> Response:
    seminar = _managed(seminar_id)
    kind = _kind()
    try:
        proposal = services.split(seminar, raw_id=request.form.get("proposal", ""), actor=_actor())
    except PlenaryError as error:
        return _refused(seminar, kind, error)
    db.session.commit()
    flash(_("“%(text)s” stands on its own again.", text=proposal.text), "success")
    return _back(seminar, proposal.kind)


@bp.post("/seminars/<int:seminar_id>/plenary/state")
def set_state(seminar_id: int) -> Response | tuple[str, int]:
    seminar = _managed(seminar_id)
    kind, action, actor = _kind(), request.form.get("action"), _actor()
    try:
        if action == "open":
            dots = services.open_vote(
                seminar, kind=kind, raw_dots=request.form.get("dots", ""), actor=actor
            )
            message = ngettext(
                "The vote is open: each person has %(num)d dot.",
                "The vote is open: each person has %(num)d dots.",
                dots,
            )
        elif action == "reveal":
            services.reveal(seminar, kind=kind, actor=actor)
            message = _("The vote is closed and the result is shown to the room.")
        elif action == "collect":
            if not confirm.confirmed():
                return _ask_back_to_collecting(seminar, kind)
            discarded = services.back_to_collecting(seminar, kind=kind, actor=actor)
            message = ngettext(
                "Tables can propose again; %(num)d dot cast was discarded.",
                "Tables can propose again; %(num)d dots cast were discarded.",
                discarded,
            )
        else:
            abort(400)
    except PlenaryError as error:
        return _refused(seminar, kind, error)
    db.session.commit()
    flash(message, "success")
    return _back(seminar, kind)


def _ask_back_to_collecting(seminar: Seminar, kind: PlenaryKind) -> tuple[str, int]:
    dots = services.votes_cast(seminar, kind)
    return confirm.ask(
        title=_("Take the round back to proposing?"),
        consequences=[
            _("Tables can add, remove and change proposals again, and you can merge them."),
            ngettext(
                "The %(num)d dot cast on this list is discarded: people vote again later.",
                "The %(num)d dots cast on this list are discarded: people vote again later.",
                dots,
            ),
        ],
        yes=_("Yes, back to proposing"),
        back=url_for("plenary.manage", seminar_id=seminar.id, _anchor=f"plenary-{kind.value}"),
    )


@bp.get("/seminars/<int:seminar_id>/plenary/results.<fmt>", endpoint="export")
def export_results(seminar_id: int, fmt: str) -> Response:
    seminar = _managed(seminar_id)
    if fmt not in export.FORMATS:
        abort(404)
    found = export.rows(queries.boards(seminar.id))
    body = export.csv_bytes(found) if fmt == "csv" else export.xlsx_bytes(found)
    response = make_response(body)
    response.headers["Content-Type"] = export.FORMATS[fmt]
    response.headers["Content-Disposition"] = (
        f'attachment; filename="plenary-seminar-{seminar.id}.{fmt}"'
    )
    return response
