"""Dot voting at a table: casting one's dots, and a facilitator revealing or hiding the result."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop.extensions import db
from workshop.groupwork.access import acting, back_to, load_partnership, load_stage
from workshop.groupwork.stage.context import render_stage
from workshop.groupwork.voting import queries, services
from workshop.permissions import can_review

bp = Blueprint("voting", __name__, url_prefix="/partnerships/<int:partnership_id>")


@bp.post("/stages/<stage_key>/votes")
def vote(partnership_id: int, stage_key: str) -> Response | tuple[str, int]:
    partnership, method, seat = load_partnership(partnership_id)
    stage = load_stage(method, stage_key)
    table = method.question(stage.vote_on) if stage.vote_on else None
    if seat is None or table is None:
        abort(403 if table else 404)
    if partnership.cycle_closed:
        abort(423)  # a closed cycle's votes are kept as they were
    ballot = list(
        zip(request.form.getlist("candidate"), request.form.getlist("dots"), strict=False)
    )
    try:
        services.cast(
            partnership_id=partnership.id,
            cycle=partnership.cycle,
            stage_key=stage.key,
            candidates=queries.candidates(partnership.id, partnership.cycle, table),
            budget=stage.vote_budget,
            ballot=ballot,
            voter=acting(),
        )
    except services.VoteError as error:
        db.session.rollback()
        notice = {"vote_error": error.message, **{f"dots.{n}": d for n, d in ballot}}
        return render_stage(partnership, method, stage, seat, 422, notice=notice)
    db.session.commit()
    flash(
        _("Your dots are saved. Nobody sees them until a facilitator reveals the result."),
        "success",
    )
    return back_to(partnership, stage, "voting")


@bp.post("/stages/<stage_key>/votes/reveal")
def reveal(partnership_id: int, stage_key: str) -> Response:
    partnership, method, _seat = load_partnership(partnership_id)
    stage = load_stage(method, stage_key)
    if not can_review(acting(), partnership) or not stage.vote_on:
        abort(404)
    services.set_revealed(
        partnership.id,
        partnership.cycle,
        stage.key,
        request.form.get("revealed") == "1",
        actor=acting(),
    )
    db.session.commit()
    return back_to(partnership, stage, "voting")
