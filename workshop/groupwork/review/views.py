"""Reviewing a stage: submitting it, the facilitators' decisions, and comment threads."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop import confirm
from workshop.documents.queries import summaries as document_summaries
from workshop.extensions import db
from workshop.groupwork.access import acting, back_to, load_partnership, load_stage
from workshop.groupwork.review import comments, completeness, workflow
from workshop.groupwork.stage.context import render_stage
from workshop.i18n import current_lang
from workshop.method.definition import Stage
from workshop.models import Comment, Partnership
from workshop.numbers import whole_number
from workshop.permissions import can_comment, can_review, comment_at_table

bp = Blueprint("review", __name__, url_prefix="/partnerships/<int:partnership_id>")


def _move(partnership_id: int, stage_key: str, *, staff: bool) -> Response | tuple[str, int]:
    """Apply the posted review action; a refusal comes back with the note still typed."""
    partnership, method, seat = load_partnership(partnership_id)
    stage = load_stage(method, stage_key)
    if staff and not can_review(acting(), partnership):
        abort(404)
    if not staff and seat is None:
        abort(403)
    action = request.form.get("action", "") if staff else "submit"
    reason = request.form.get("reason", "")
    # The questions a request for changes is about: checkboxes, any number, none needed.
    questions = request.form.getlist("question") if staff else []
    try:
        workflow.move(
            partnership=partnership,
            method=method,
            stage=stage,
            action=action,
            reason=reason,
            actor=acting(),
            staff=staff,
            unmet=completeness.unmet(partnership, method, stage) if action == "submit" else None,
            questions=questions,
        )
    except workflow.ReviewError as error:
        db.session.rollback()
        notice = {"error": error.message, "reason": reason[:2000], "questions": questions}
        if isinstance(error, workflow.Incomplete):
            notice["missing"] = error.items
        return render_stage(partnership, method, stage, seat, 422, notice=notice)
    if action == "reopen" and not confirm.confirmed():
        # The workflow has just tried it by its own rules, so the question is only asked about
        # a reopening that can happen; asking undoes the try.
        return _ask_reopen(partnership, stage, reason)
    db.session.commit()
    flash(
        _("Done.")
        if staff
        else _("Submitted for review. You can still change answers until it is approved."),
        "success",
    )
    return back_to(partnership, stage)


def _signed_documents(partnership: Partnership) -> list[str]:
    """What reopening means for documents the heads signed: said before it happens."""
    summary = document_summaries([partnership.id])[partnership.id]
    if not summary.signatures_on_latest and not summary.agreed:
        return []
    number = summary.agreed or summary.latest
    return [
        _(
            "Version %(n)s of the documents is signed. It stays exactly as it was; once answers "
            "change, the documents are made as a new version the heads must sign again.",
            n=number,
        )
    ]


def _ask_reopen(partnership: Partnership, stage: Stage, reason: str) -> tuple[str, int]:
    title = f"{stage.number}. {stage.title(current_lang())}"
    return confirm.ask(
        title=_("Reopen stage %(stage)s?", stage=title),
        consequences=[
            *_signed_documents(partnership),
            _(
                "The stage is unlocked: the table can change its approved answers, and it is "
                "approved again only after it is submitted again."
            ),
            _("The stage after it stays open, and its pages say this stage is being revised."),
            _("The table reads your reason: «%(reason)s»", reason=" ".join(reason.split())),
        ],
        yes=_("Yes, reopen the stage"),
        back=url_for(
            "stage.page", partnership_id=partnership.id, stage_key=stage.key, _anchor="review"
        ),
    )


@bp.post("/stages/<stage_key>/submit")
def submit(partnership_id: int, stage_key: str) -> Response | tuple[str, int]:
    return _move(partnership_id, stage_key, staff=False)


@bp.post("/stages/<stage_key>/review")
def decide(partnership_id: int, stage_key: str) -> Response | tuple[str, int]:
    return _move(partnership_id, stage_key, staff=True)


@bp.post("/stages/<stage_key>/comments")
def comment(partnership_id: int, stage_key: str) -> Response | tuple[str, int]:
    partnership, method, seat = load_partnership(partnership_id)
    stage = load_stage(method, stage_key)
    actor = acting()
    if not can_comment(actor, partnership):
        abort(403)
    reply_to = None
    thread = whole_number(request.form.get("thread", ""))
    if thread is not None:
        reply_to = db.session.get(Comment, thread)
        if reply_to is None or not comment_at_table(partnership, reply_to):
            abort(404)
    section_key = reply_to.section_key if reply_to else request.form.get("section", "")
    body = request.form.get("body", "")
    try:
        comments.add_comment(
            partnership_id=partnership.id,
            cycle=partnership.cycle,
            stage=stage,
            section_key=section_key,
            question_key=request.form.get("question") or None,
            reply_to=reply_to,
            body=body,
            actor=actor,
        )
    except workflow.ReviewError as error:
        return render_stage(
            partnership,
            method,
            stage,
            seat,
            422,
            notice={"comment_error": error.message, "body": body[:6000], "section": section_key},
        )
    db.session.commit()
    return back_to(partnership, stage, f"comments-{section_key}")


@bp.post("/comments/<int:comment_id>/resolve")
def resolve_comment(partnership_id: int, comment_id: int) -> Response:
    partnership, method, _seat = load_partnership(partnership_id)
    found = db.session.get(Comment, comment_id)
    if found is None or found.thread_id is not None or not comment_at_table(partnership, found):
        abort(404)
    if not can_comment(acting(), partnership):
        abort(403)
    comments.set_resolved(found, request.form.get("resolved") == "1", actor=acting())
    db.session.commit()
    stage = load_stage(method, found.stage_key)
    return back_to(partnership, stage, f"comments-{found.section_key}")
