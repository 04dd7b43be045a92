"""Facilitation: queue (HTTP only)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from workshop import confirm
from workshop.auth.sessions import acting_account
from workshop.extensions import db
from workshop.facilitation.dashboard.queries import managed_seminar
from workshop.facilitation.queue import queries, services
from workshop.facilitation.queue.forms import ApproveForm
from workshop.i18n import current_lang, partnership_label
from workshop.method.definition import load
from workshop.models import Account, Seminar

bp = Blueprint("queue", __name__)

MAX_AT_ONCE = 500  # more than any seminar's queue; a longer list is no page's


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits staff only
    return actor


def _seminar(seminar_id: int) -> Seminar:
    seminar = managed_seminar(_actor(), seminar_id)
    if seminar is None:
        abort(404)  # another facilitator's seminar is not confirmed to exist
    return seminar


def _page(seminar: Seminar, status: int = 200, error: str | None = None) -> tuple[str, int]:
    items = queries.waiting(seminar.id)
    stages = {item.run_id: load(item.method_version).stage(item.stage_key) for item in items}
    page = render_template(
        "facilitation/queue/page.html",
        seminar=seminar,
        items=items,
        stages=stages,
        error=error,
        ticked={*request.form.getlist("run")} if request.method == "POST" else set(),
    )
    return page, status


@bp.get("/seminars/<int:seminar_id>/queue")
def page(seminar_id: int) -> tuple[str, int]:
    return _page(_seminar(seminar_id))


@bp.post("/seminars/<int:seminar_id>/queue/approve")
def approve(seminar_id: int) -> Response | tuple[str, int]:
    seminar = _seminar(seminar_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        abort(400)
    run_ids = form.run_ids(request.form.getlist("run"))
    if run_ids is None or len(run_ids) > MAX_AT_ONCE:
        abort(400)
    if not run_ids:
        return _page(seminar, 422, _("Tick the stages to approve first."))
    items = queries.runs_in_seminar(seminar.id, run_ids)
    if len(items) != len(run_ids):
        abort(404)  # a stage of another seminar: nothing is said about it, nothing changes
    if not confirm.confirmed():
        return _ask(seminar, items)
    outcome = services.approve_all(items, actor=_actor())
    db.session.commit()
    if outcome.approved:
        flash(
            ngettext("%(num)d stage approved.", "%(num)d stages approved.", len(outcome.approved)),
            "success",
        )
    lang = current_lang()
    for partnership, stage, why in outcome.refused:
        where = f"{stage.number}. {stage.title(lang)}" if stage else ""
        flash(
            _(
                "Not approved: %(table)s, %(stage)s — %(why)s",
                table=partnership_label(partnership),
                stage=where,
                why=why,
            ),
            "error",
        )
    return redirect(url_for("queue.page", seminar_id=seminar.id))


def _ask(seminar: Seminar, items: list) -> tuple[str, int]:  # type: ignore[type-arg]
    lang = current_lang()
    named = []
    for run, partnership in items:
        stage = load(partnership.method_version).stage(run.stage_key)
        title = f"{stage.number}. {stage.title(lang)}" if stage else run.stage_key
        named.append(
            _("%(table)s: stage %(stage)s", table=partnership_label(partnership), stage=title)
        )
    count = len(items)
    return confirm.ask(
        title=ngettext("Approve %(num)d stage?", "Approve %(num)d stages?", count),
        consequences=[
            *named,
            _(
                "Each approved stage locks: its answers cannot change until a facilitator "
                "reopens it with a reason. The stage after it, if any, opens for the table."
            ),
            _("A stage that moved on meanwhile is left as it is, and you are told which."),
        ],
        yes=ngettext("Yes, approve %(num)d stage", "Yes, approve %(num)d stages", count),
        back=url_for("queue.page", seminar_id=seminar.id),
    )
