"""Group-work pages: a stage with its forms, saving a section, taking rows the last step offers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop.auth.sessions import acting_account
from workshop.extensions import db
from workshop.groupwork import (
    formdata,
    insights,
    lineage,
    merge,
    page,
    prefill,
    presence,
    queries,
    review,
    services,
    voting,
)
from workshop.groupwork.values import InvalidAnswer, clean
from workshop.i18n import current_lang
from workshop.method.definition import Method, Question, Stage, load
from workshop.models import SHARED, Account, Membership, Partnership, StageRun
from workshop.permissions import can_comment, can_review, can_view_partnership, seat_at

bp = Blueprint("groupwork", __name__, url_prefix="/partnerships/<int:partnership_id>")


def acting() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits signed-in people only
    return actor


def load_partnership(partnership_id: int) -> tuple[Partnership, Method, Membership | None]:
    actor = acting()  # first: loading the person also loads their seats' partnerships
    partnership = db.get_or_404(Partnership, partnership_id)
    if not can_view_partnership(actor, partnership):
        abort(404)
    return partnership, load(partnership.method_version), seat_at(actor, partnership)


def load_stage(method: Method, stage_key: str) -> Stage:
    stage = method.stage(stage_key)
    if stage is None:
        abort(404)
    return stage


def render_stage(
    partnership: Partnership,
    method: Method,
    stage: Stage,
    seat: Membership | None,
    status: int = 200,
    notice: dict[str, str] | None = None,
    **state: Any,
) -> tuple[str, int]:
    """The stage page; ``notice`` carries a refused review or comment back with what was typed."""
    traced = [q.key for q in lineage.tables(method)]
    answers = queries.stage_answers(partnership.id, stage, also=traced)
    by_key = review.runs(partnership.id)
    locked = review.why_not_editable(method, stage, by_key)
    views = page.build(stage, answers, seat if locked is None else None, **state)
    actor = acting()
    return render_template(
        "groupwork/stage.html",
        partnership=partnership,
        method=method,
        stage=stage,
        seat=seat,
        views=views,
        progress=queries.answered_share(answers, stage),
        runs=by_key,
        stage_status=review.status_of(stage, by_key),
        locked=locked,
        stage_open={s.key: review.is_open(method, s, by_key) for s in method.stages},
        events=review.events(partnership.id, stage.key),
        threads=review.threads(partnership.id, stage.key),
        reviewer=can_review(actor, partnership),
        commenter=can_comment(actor, partnership),
        next_stage=review.following(method, stage),
        notice=notice or {},
        insights=insights.for_stage(method, stage.insights, answers),
        suggested=_suggested(method, stage, partnership, seat) if locked is None else {},
        ballot=_ballot(stage, partnership, seat, by_key, actor),
        present=presence.others(partnership.id, stage.key, actor),
        lineage=lineage.build(method, {k: a.value for k, a in answers.items()}, current_lang()),
    ), status


def _suggested(
    method: Method, stage: Stage, partnership: Partnership, seat: Membership | None
) -> dict[str, list[dict[str, Any]]]:
    if seat is None:
        return {}
    found = {}
    for question in stage.questions():
        side = seat.side.value if question.per_side else SHARED
        if rows := prefill.suggestions(method, question, partnership.id, side):
            found[question.key] = rows
    return found


def _ballot(
    stage: Stage,
    partnership: Partnership,
    seat: Membership | None,
    by_key: dict[str, StageRun],
    actor: Account,
) -> dict[str, Any] | None:
    """What the voting box shows: candidates, my dots, and totals once revealed."""
    if not stage.vote_on:
        return None
    run = by_key.get(stage.key)
    revealed = bool(run and run.votes_revealed)
    totals, voters = voting.tally(partnership.id, stage.key)
    return {
        "candidates": voting.candidates(partnership.id, stage.vote_on),
        "mine": voting.my_dots(partnership.id, stage.key, actor) if seat else {},
        "revealed": revealed,
        "totals": totals if revealed or (can_review(actor, partnership) and revealed) else [],
        "voters": voters,
        "budget": stage.vote_budget,
    }


@bp.get("/stages/<stage_key>")
def stage(partnership_id: int, stage_key: str) -> tuple[str, int]:
    partnership, method, seat = load_partnership(partnership_id)
    return render_stage(partnership, method, load_stage(method, stage_key), seat)


@bp.post("/stages/<stage_key>/<section_key>")
def save_section(
    partnership_id: int, stage_key: str, section_key: str
) -> Response | tuple[str, int]:
    partnership, method, seat = load_partnership(partnership_id)
    stage = load_stage(method, stage_key)
    section = next((s for s in stage.sections if s.key == section_key), None)
    if section is None or seat is None:
        abort(404 if section is None else 403)
    locked = review.why_not_editable(method, stage, review.runs(partnership.id))
    if locked:
        return render_stage(partnership, method, stage, seat, 423, notice={"error": locked})
    answers = queries.stage_answers(partnership.id, stage)
    posted, errors, conflicts = {}, {}, {}
    for question in section.questions:
        side = seat.side.value if question.per_side else SHARED
        raw = formdata.raw_value(question, request.form)
        base = formdata.posted_version(question, request.form)
        try:
            value = clean(question, raw)
        except InvalidAnswer as error:
            posted[question.key], errors[question.key] = raw, error.message
            continue
        stored = answers.get((question.key, side))
        if (stored.value if stored else None) == value:
            continue
        if base is None:
            posted[question.key], errors[question.key] = raw, _("Reload the page and try again.")
            continue
        try:
            result = merge.save(
                question,
                partnership_id=partnership.id,
                side=side,
                value=value,
                base_version=base,
                actor=acting(),
            )
        except services.Conflict as conflict:
            posted[question.key], conflicts[question.key] = value, conflict
            continue
        if result.merged_with is not None:
            flash(merged_note(question, result.merged_with), "success")
    db.session.commit()
    if errors or conflicts:
        return render_stage(
            partnership,
            method,
            stage,
            seat,
            409 if conflicts and not errors else 422,
            posted=posted,
            errors=errors,
            conflicts=conflicts,
        )
    flash(_("Saved."), "success")
    return back_to(partnership, stage, f"section-{section.key}")


def question_for_seat(method: Method, key: str, seat: Membership) -> tuple[Question, str]:
    question = method.question(key)
    if question is None:
        abort(404)
    return question, seat.side.value if question.per_side else SHARED


def merged_note(question: Question, by: str) -> str:
    return _(
        "%(name)s changed other cells of «%(table)s» meanwhile: both changes are kept.",
        name=by or _("Somebody"),
        table=question.label(current_lang()),
    )


def back_to(partnership: Partnership, stage: Stage, anchor: str = "review") -> Response:
    return redirect(
        url_for(
            "groupwork.stage", partnership_id=partnership.id, stage_key=stage.key, _anchor=anchor
        )
    )


@bp.post("/stages/<stage_key>/prefill/<question_key>")
def take_suggestions(
    partnership_id: int, stage_key: str, question_key: str
) -> Response | tuple[str, int]:
    """Append the rows an earlier stage proposes to this table (never replacing any)."""
    partnership, method, seat = load_partnership(partnership_id)
    stage = load_stage(method, stage_key)
    if seat is None:
        abort(403)
    question, side = question_for_seat(method, question_key, seat)
    if question not in stage.questions() or question.prefill is None:
        abort(404)
    locked = review.why_not_editable(method, stage, review.runs(partnership.id))
    if locked:
        return render_stage(partnership, method, stage, seat, 423, notice={"error": locked})
    answer = services.current(partnership.id, question.key, side)
    rows = list(answer.value or []) if answer else []
    rows += prefill.suggestions(method, question, partnership.id, side)
    try:
        services.save_answer(
            partnership_id=partnership.id,
            key=question.key,
            side=side,
            value=clean(question, rows[: question.max_rows]),
            base_version=answer.version if answer else 0,
            actor=acting(),
        )
    except (InvalidAnswer, services.Conflict):
        db.session.rollback()
        flash(_("The rows could not be added; reload the page and try again."), "error")
    else:
        db.session.commit()
        flash(_("Rows added. Check and complete them."), "success")
    return back_to(partnership, stage, f"question-{question.key}")
