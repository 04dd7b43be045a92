"""Comment threads on a stage, a section or one question: writing, replying, resolving."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from workshop.extensions import db
from workshop.groupwork.review.workflow import ReviewError
from workshop.method.definition import Stage
from workshop.models import Account, Comment, utcnow

COMMENT_LIMIT = 5000


def add_comment(
    *,
    partnership_id: int,
    cycle: int,
    stage: Stage,
    section_key: str,
    question_key: str | None,
    reply_to: Comment | None,
    body: str,
    actor: Account,
) -> Comment:
    text = body.strip()
    if not text:
        raise ReviewError(_("Write the comment first."))
    if len(text) > COMMENT_LIMIT:
        raise ReviewError(
            ngettext(
                "Use at most %(num)d character (now %(count)d).",
                "Use at most %(num)d characters (now %(count)d).",
                COMMENT_LIMIT,
                count=len(text),
            )
        )
    section = next((s for s in stage.sections if s.key == section_key), None)
    if section is None or (question_key and question_key not in {q.key for q in section.questions}):
        raise ReviewError(_("The comment could not be placed; reload the page."))
    comment = Comment(
        partnership_id=partnership_id,
        cycle=cycle,
        stage_key=stage.key,
        section_key=section_key,
        question_key=question_key or None,
        body=text,
        author_id=actor.id,
        thread_id=reply_to.id if reply_to else None,
    )
    if reply_to is not None:
        reply_to.resolved_at = None  # a new reply reopens the thread
    db.session.add(comment)
    return comment


def set_resolved(comment: Comment, resolved: bool, *, actor: Account) -> None:
    comment.resolved_at = utcnow() if resolved else None
    comment.resolved_by_id = actor.id if resolved else None
