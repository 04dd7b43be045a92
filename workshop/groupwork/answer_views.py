"""Saving one answer from the page's script, its history, and the page's small JSON helpers.

These routes belong to the group-work blueprint (registered on it by ``create_app``); they live
apart from the stage page so that each module keeps one role.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from workshop.extensions import db
from workshop.groupwork import lineage, merge, page, presence, queries, review, services
from workshop.groupwork.values import InvalidAnswer, clean
from workshop.groupwork.views import (
    acting,
    back_to,
    bp,
    load_partnership,
    load_stage,
    merged_note,
    question_for_seat,
)
from workshop.i18n import current_lang
from workshop.method.definition import Method, Stage
from workshop.models import SHARED, Membership, Partnership

MAX_AUTOSAVE_BYTES = 64 * 1024  # a whole table fits; a save is normally well under 2 KB


@bp.post("/answers")
def autosave(partnership_id: int) -> tuple[Response, int]:
    """Save one answer from the page's script; JSON in, JSON out."""
    if (request.content_length or 0) > MAX_AUTOSAVE_BYTES:
        return jsonify(error=_("This answer is too long to save at once.")), 413
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("question"), str):
        return jsonify(error=_("The save could not be read; reload the page.")), 400
    partnership, method, seat = load_partnership(partnership_id)
    if seat is None:
        abort(403)
    question, side = question_for_seat(method, body["question"], seat)
    located = method.section_of(question.key)
    assert located is not None  # noqa: S101 - every question sits in a section
    stage = located[0]
    before = review.previous(method, stage)
    keys = [stage.key] + ([before.key] if before else [])
    locked = review.why_not_editable(method, stage, review.runs(partnership.id, keys))
    if locked:
        return jsonify(error=locked), 423
    base, key = body.get("base_version"), body.get("key")
    if (
        not isinstance(base, int)
        or isinstance(base, bool)
        or base < 0
        or (key is not None and (not isinstance(key, str) or not 8 <= len(key) <= 64))
    ):
        return jsonify(error=_("The save could not be read; reload the page.")), 400
    try:
        value = clean(question, body.get("value"))
        result = merge.save(
            question,
            partnership_id=partnership.id,
            side=side,
            value=value,
            base_version=base,
            actor=acting(),
            idempotency_key=key,
        )
    except InvalidAnswer as error:
        return jsonify(error=error.message), 422
    except services.Conflict as conflict:
        db.session.rollback()
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
    db.session.commit()
    if result.merged_with is None:
        return jsonify(version=result.saved.version), 200
    # Somebody else's cells were merged in: the page takes the merged table, keeping the focus.
    html = render_question(partnership, method, stage, seat, question.key)
    note = merged_note(question, result.merged_with)
    return jsonify(version=result.saved.version, merged_note=note, html=html), 200


def _traced(partnership: Partnership, method: Method) -> dict[str, Any]:
    """What the question templates need to name linked rows: the partnership and its lineage."""
    keys = [t.key for t in lineage.tables(method)]
    values = queries.values_of(partnership.id, keys)
    return {"partnership": partnership, "lineage": lineage.build(method, values, current_lang())}


def render_question(
    partnership: Partnership, method: Method, stage: Stage, seat: Membership, key: str
) -> str:
    """One question's box as the stage page shows it, to replace the page's copy."""
    answers = queries.stage_answers(partnership.id, stage)
    views = page.build(stage, answers, seat)
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
    located = method.section_of(question.key)
    assert located is not None  # noqa: S101 - every question sits in a section
    revisions = services.history(partnership.id, question.key, side)
    return render_template(
        "groupwork/history.html",
        **_traced(partnership, method),
        hide_trace=True,  # revisions show what was typed; the trace is today's
        question=question,
        side=side,
        stage=located[0],
        revisions=revisions,
        can_restore=seat is not None and (side == SHARED or side == seat.side.value),
    )


@bp.post("/answers/<question_key>/restore")
def restore(partnership_id: int, question_key: str) -> Response:
    partnership, method, seat = load_partnership(partnership_id)
    if seat is None:
        abort(403)
    question, side = question_for_seat(method, question_key, seat)
    located = method.section_of(question.key)
    assert located is not None  # noqa: S101 - every question sits in a section
    if review.why_not_editable(method, located[0], review.runs(partnership.id)):
        abort(423)
    version = request.form.get("version", "")
    base = request.form.get("base_version", "")
    if not version.isdigit() or not base.isdigit() or len(version) > 9 or len(base) > 9:
        abort(400)
    try:
        services.restore(
            partnership_id=partnership.id,
            key=question.key,
            side=side,
            version=int(version),
            base_version=int(base),
            actor=acting(),
        )
    except LookupError:
        abort(404)
    except services.Conflict:
        db.session.rollback()
        flash(_("Somebody changed this answer meanwhile. Look at the history again."), "error")
        return redirect(
            url_for(
                "groupwork.history",
                partnership_id=partnership.id,
                question_key=question.key,
                side=side,
            )
        )
    db.session.commit()
    flash(_("The earlier version is back, kept as a new revision."), "success")
    located = method.section_of(question.key)
    assert located is not None  # noqa: S101 - every question sits in a section
    return back_to(partnership, located[0], f"question-{question.key}")


@bp.get("/csrf-token")
def csrf_token(partnership_id: int) -> Response:
    """A fresh token for a page whose token went stale while the person was typing."""
    return jsonify(token=generate_csrf())


@bp.post("/stages/<stage_key>/presence")
def here(partnership_id: int, stage_key: str) -> Response:
    """The page's heartbeat: note that this person is here, tell them who else is."""
    partnership, method, _seat = load_partnership(partnership_id)
    stage = load_stage(method, stage_key)
    presence.mark(partnership.id, stage.key, acting())
    db.session.commit()
    return jsonify(others=presence.others(partnership.id, stage.key, acting()))
