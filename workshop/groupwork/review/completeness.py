"""What a stage still lacks before it can be submitted, said for the people at the table."""

from __future__ import annotations

import sqlalchemy as sa

from workshop.extensions import db
from workshop.i18n import current_lang
from workshop.method.definition import Method, Stage
from workshop.models import SHARED, Answer, Partnership


def unmet(partnership: Partnership, method: Method, stage: Stage) -> list[str]:
    """One sentence per thing missing: unanswered required questions (each side for per-side
    ones) and tables with fewer rows than the method asks for."""
    required = [q for q in stage.questions() if q.required]
    rows = db.session.execute(
        sa.select(Answer.question_key, Answer.side, Answer.value).where(
            Answer.partnership_id == partnership.id,
            Answer.cycle == partnership.cycle,
            Answer.question_key.in_([q.key for q in required]),
        )
    )
    minimum = {q.key: max(q.min_rows, 1) for q in required}
    answered = {
        (key, side)
        for key, side, value in rows
        if value is not None and (not isinstance(value, list) or len(value) >= minimum[key])
    }
    lang = current_lang()
    missing = []
    for question in required:
        sides = ("ua", "partner") if question.per_side else (SHARED,)
        if any((question.key, side) not in answered for side in sides):
            missing.append(question.label(lang))
    return missing
