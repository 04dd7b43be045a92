"""The stage page: a stage's forms, saving a section, taking rows the last step offers, presence."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop.extensions import db
from workshop.groupwork.access import acting, back_to, load_partnership, load_stage, shown_cycle
from workshop.groupwork.answers import formdata, queries, save
from workshop.groupwork.answers.values import InvalidAnswer, clean
from workshop.groupwork.stage import prefill, presence
from workshop.groupwork.stage.context import Posted, render_stage
from workshop.i18n import current_lang
from workshop.models import SHARED

bp = Blueprint("stage", __name__, url_prefix="/partnerships/<int:partnership_id>")


@bp.get("/stages/<stage_key>")
def page(partnership_id: int, stage_key: str) -> tuple[str, int]:
    partnership, method, seat = load_partnership(partnership_id)
    stage = load_stage(method, stage_key)
    cycle = shown_cycle(partnership, request.args.get("cycle"))
    return render_stage(partnership, method, stage, seat, cycle=cycle)


@bp.post("/stages/<stage_key>/<section_key>")
def save_section(
    partnership_id: int, stage_key: str, section_key: str
) -> Response | tuple[str, int]:
    partnership, method, seat = load_partnership(partnership_id)
    stage = load_stage(method, stage_key)
    section = next((s for s in stage.sections if s.key == section_key), None)
    if section is None or seat is None:
        abort(404 if section is None else 403)
    locked = save.refusal(partnership, method, stage, save.shown_cycle(request.form.get("cycle")))
    if locked:
        return render_stage(partnership, method, stage, seat, 423, notice={"error": locked})
    answers = queries.stage_answers(partnership.id, partnership.cycle, stage)
    posted = Posted({}, {}, {})
    lang = current_lang()
    for question in section.questions:
        side = seat.side.value if question.per_side else SHARED
        stored = answers.get((question.key, side))
        outcome = save.save(
            question,
            formdata.raw_value(question, request.form),
            partnership=partnership,
            side=side,
            base_version=formdata.posted_version(question, request.form),
            actor=acting(),
            stored=stored.value if stored else None,
        )
        if outcome.error is not None:
            posted.values[question.key], posted.errors[question.key] = outcome.value, outcome.error
        elif outcome.conflict is not None:
            posted.values[question.key] = outcome.value
            posted.conflicts[question.key] = outcome.conflict
        elif outcome.result is not None and outcome.result.merged_with is not None:
            flash(save.merged_note(question, outcome.result.merged_with, lang), "success")
    db.session.commit()
    if posted.errors or posted.conflicts:
        status = 409 if posted.conflicts and not posted.errors else 422
        return render_stage(partnership, method, stage, seat, status, posted=posted)
    flash(_("Saved."), "success")
    return back_to(partnership, stage, f"section-{section.key}")


@bp.post("/stages/<stage_key>/prefill/<question_key>")
def take_suggestions(
    partnership_id: int, stage_key: str, question_key: str
) -> Response | tuple[str, int]:
    """Append the rows an earlier stage proposes to this table (never replacing any)."""
    partnership, method, seat = load_partnership(partnership_id)
    stage = load_stage(method, stage_key)
    if seat is None:
        abort(403)
    question = method.question(question_key)
    if question is None or question not in stage.questions() or question.prefill is None:
        abort(404)
    side = seat.side.value if question.per_side else SHARED
    locked = save.refusal(partnership, method, stage, save.shown_cycle(request.form.get("cycle")))
    if locked:
        return render_stage(partnership, method, stage, seat, 423, notice={"error": locked})
    answers = queries.stage_answers(partnership.id, partnership.cycle, stage)
    stored = answers.get((question.key, side))
    rows = list(stored.value or []) if stored else []
    source = prefill.Source(partnership.id, partnership.cycle)
    rows += [s.row for s in prefill.suggestions(method, question, source, side)]
    try:
        value = clean(question, rows[: question.max_rows])
    except InvalidAnswer:
        value = None
    outcome = save.save(
        question,
        value,
        partnership=partnership,
        side=side,
        base_version=stored.version if stored else 0,
        actor=acting(),
    )
    if not outcome.stored:
        db.session.rollback()
        flash(_("The rows could not be added; reload the page and try again."), "error")
    else:
        db.session.commit()
        flash(_("Rows added. Check and complete them."), "success")
    return back_to(partnership, stage, f"question-{question.key}")


@bp.post("/stages/<stage_key>/presence")
def here(partnership_id: int, stage_key: str) -> Response:
    """The page's heartbeat: note that this person is here, tell them who else is."""
    partnership, method, _seat = load_partnership(partnership_id)
    stage = load_stage(method, stage_key)
    presence.mark(partnership.id, stage.key, acting())
    db.session.commit()
    return jsonify(others=presence.others(partnership.id, stage.key, acting()))
