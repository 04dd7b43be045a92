"""Reviewing a stage: submitting it, the facilitators' decisions, and comment threads."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop.extensions import db
from workshop.groupwork.access import acting, back_to, load_partnership, load_stage
from workshop.groupwork.review import comments, completeness, workflow
from workshop.groupwork.stage.context import render_stage
from workshop.models import Comment
from workshop.permissions import can_comment, can_review

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
        )
    except workflow.ReviewError as error:
        db.session.rollback()
        notice = {"error": error.message, "reason": reason[:2000]}
        if isinstance(error, workflow.Incomplete):
            notice["missing"] = error.items
        return render_stage(partnership, method, stage, seat, 422, notice=notice)
    db.session.commit()
    flash(
        _("Done.")
        if staff
        else _("Submitted for review. You can still change answers until it is approved."),
        "success",
    )
    return back_to(partnership, stage)


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
    thread = request.form.get("thread", "")
    if thread.isascii() and thread.isdigit() and len(thread) < 10:
        reply_to = db.session.get(Comment, int(thread))
        if (
            reply_to is None
            or reply_to.partnership_id != partnership.id
            or reply_to.cycle != partnership.cycle
        ):
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
    if found is None or found.partnership_id != partnership.id or found.thread_id is not None:
        abort(404)
    if not can_comment(acting(), partnership):
        abort(403)
    comments.set_resolved(found, request.form.get("resolved") == "1", actor=acting())
    db.session.commit()
    stage = load_stage(method, found.stage_key)
    return back_to(partnership, stage, f"comments-{found.section_key}")
