"""Saving one answer from the page's script, an answer's history and restore, a fresh token.

JSON in, JSON out for the script; the history is a page. What a save checks lives in ``save``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from workshop import confirm, database
from workshop.auth.sessions import saves_per_session
from workshop.extensions import db
from workshop.gate import takes_json
from workshop.groupwork.access import (
    acting,
    acting_person,
    back_to,
    load_partnership,
    question_for_seat,
    stage_of,
    table_for_save,
)
from workshop.groupwork.answers import queries, save, services
from workshop.groupwork.stage import page
from workshop.groupwork.trace import lineage
from workshop.i18n import current_lang
from workshop.method.definition import Method, Stage
from workshop.models import SHARED, Membership, Partnership
from workshop.numbers import json_whole_number, whole_number

bp = Blueprint("answers", __name__, url_prefix="/partnerships/<int:partnership_id>")

MAX_AUTOSAVE_BYTES = 64 * 1024  # a whole table fits; a save is normally well under 2 KB


def _unreadable() -> tuple[Response, int]:
    return jsonify(error=_("The save could not be read; reload the page.")), 400


@bp.post("/answers")
@takes_json
@database.one_statement_writes
@saves_per_session
def autosave(partnership_id: int) -> tuple[Response, int]:
    """Save one answer from the page's script; JSON in, JSON out."""
    if (request.content_length or 0) > MAX_AUTOSAVE_BYTES:
        return jsonify(error=_("This answer is too long to save at once.")), 413
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("question"), str):
        return _unreadable()
    table, method, seat = table_for_save(partnership_id)
    question, side = question_for_seat(method, body["question"], seat)
    stage = stage_of(method, question)
    # The stage's lock is checked by the save's own statement (save.guard): no query first.
    locked = save.page_refusal(table, save.shown_cycle(body.get("cycle")))
    if locked:
        return jsonify(error=locked), 423
    base, key = json_whole_number(body.get("base_version")), body.get("key")
    if base is None or (key is not None and (not isinstance(key, str) or not 8 <= len(key) <= 64)):
        return _unreadable()
    outcome = save.save(
        question,
        body.get("value"),
        partnership=table,
        side=side,
        base_version=base,
        actor=acting_person(),
        idempotency_key=key,
        locked_by=save.guard(table, method, stage),
    )
    if outcome.locked is not None:
        return jsonify(error=outcome.locked), 423
    if outcome.error is not None:
        return jsonify(error=outcome.error), 422
    if outcome.conflict is not None:
        db.session.rollback()
        conflict = outcome.conflict
        partnership = load_partnership(partnership_id)[0]  # the page's copy needs the object
        return jsonify(
            version=conflict.version,
            value=conflict.value,
            shown=render_template(
                "groupwork/_shown.html",
                question=question,
                conflict=conflict,
                **_traced(partnership, method),
            ),
            by=conflict.by,
            at=conflict.at.isoformat() if conflict.at else None,
        ), 409
    database.commit()
    assert outcome.result is not None  # noqa: S101 - no error and no conflict: it was stored
    if outcome.result.merged_with is None:
        return jsonify(version=outcome.result.saved.version), 200
    # Somebody else's cells were merged in: the page takes the merged table, keeping the focus.
    partnership, _method, membership = load_partnership(partnership_id)
    assert membership is not None  # noqa: S101 - the seat the save went through
    html = _render_question(partnership, method, stage, membership, question.key)
    note = save.merged_note(question, outcome.result.merged_with, current_lang())
    return jsonify(version=outcome.result.saved.version, merged_note=note, html=html), 200


def _traced(partnership: Partnership, method: Method) -> dict[str, Any]:
    """What the question templates need to name linked rows: the partnership and its lineage."""
    values = queries.values_of(partnership.id, partnership.cycle, lineage.keys(method))
    return {"partnership": partnership, "lineage": lineage.build(method, values, current_lang())}


def _render_question(
    partnership: Partnership, method: Method, stage: Stage, seat: Membership, key: str
) -> str:
    """One question's box as the stage page shows it, to replace the page's copy."""
    answers = queries.stage_answers(partnership.id, partnership.cycle, stage)
    views = page.build(stage, answers, seat, method=method)
    return render_template(
        "groupwork/_one_question.html", view=views[key], **_traced(partnership, method)
    )


@bp.get("/answers/<question_key>/history")
def history(partnership_id: int, question_key: str) -> str:
    partnership, method, seat = load_partnership(partnership_id)
    question = method.question(question_key)
    if question is None:
        abort(404)
    side = request.args.get("side", SHARED)
    if side not in (SHARED, "ua", "partner") or (side == SHARED) == question.per_side:
        abort(404)
    revisions = services.history(partnership.id, partnership.cycle, question.key, side)
    return render_template(
        "groupwork/history.html",
        **_traced(partnership, method),
        hide_trace=True,  # revisions show what was typed; the trace is today's
        question=question,
        side=side,
        stage=stage_of(method, question),
        revisions=revisions,
        can_restore=seat is not None
        and not partnership.cycle_closed
        and (side == SHARED or side == seat.side.value),
    )


@bp.post("/answers/<question_key>/restore")
def restore(partnership_id: int, question_key: str) -> Response | tuple[str, int]:
    partnership, method, seat = load_partnership(partnership_id)
    if seat is None:
        abort(403)
    question, side = question_for_seat(method, question_key, seat)
    stage = stage_of(method, question)
    if save.refusal(partnership, method, stage, save.shown_cycle(request.form.get("cycle"))):
        abort(423)
    version = whole_number(request.form.get("version", ""))
    base = whole_number(request.form.get("base_version", ""))
    if version is None or base is None:
        abort(400)
    if not confirm.confirmed():
        if (
            services.revision(partnership.id, partnership.cycle, question.key, side, version)
            is None
        ):
            abort(404)
        return confirm.ask(
            title=_("Bring back version %(n)d?", n=version),
            consequences=[
                _(
                    "The answer to «%(question)s» as it is now (version %(current)d) is "
                    "replaced by version %(n)d.",
                    question=question.label(current_lang()),
                    current=base,
                    n=version,
                ),
                _("Nothing is lost: the answer as it is now stays in the history."),
            ],
            yes=_("Yes, bring back version %(n)d", n=version),
            back=_history_url(partnership, question.key, side),
        )
    try:
        services.restore(
            partnership_id=partnership.id,
            cycle=partnership.cycle,
            key=question.key,
            side=side,
            version=version,
            base_version=base,
            actor=acting(),
        )
    except LookupError:
        abort(404)
    except services.Conflict:
        db.session.rollback()
        flash(_("Somebody changed this answer meanwhile. Look at the history again."), "error")
        return redirect(_history_url(partnership, question.key, side))
    db.session.commit()
    flash(_("The earlier version is back, kept as a new revision."), "success")
    return back_to(partnership, stage, f"question-{question.key}")


def _history_url(partnership: Partnership, key: str, side: str) -> str:
    return url_for("answers.history", partnership_id=partnership.id, question_key=key, side=side)


@bp.get("/csrf-token")
def csrf_token(partnership_id: int) -> Response:
    """A fresh token for a page whose token went stale while the person was typing."""
    return jsonify(token=generate_csrf())
