"""Reading a partnership's answers in a cycle, in one query however many there are."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from workshop.extensions import db
from workshop.method.definition import Stage
from workshop.models import Answer


def stage_answers(
    partnership_id: int, cycle: int, stage: Stage, also: list[str] | None = None
) -> dict[tuple[str, str], Answer]:
    """Current answers of the stage's questions (and of ``also``), by (question key, side)."""
    keys = [q.key for q in stage.questions()] + (also or [])
    rows = db.session.scalars(
        sa.select(Answer)
        .where(
            Answer.partnership_id == partnership_id,
            Answer.cycle == cycle,
            Answer.question_key.in_(keys),
        )
        .options(joinedload(Answer.updated_by))
    )
    return {(a.question_key, a.side): a for a in rows}


def answered_share(answers: dict[tuple[str, str], Any], stage: Stage) -> tuple[int, int]:
    """How many of the stage's questions have any answer, and how many there are."""
    keys = {key for key, _side in answers if answers[(key, _side)].value is not None}
    questions = stage.questions()
    return sum(1 for q in questions if q.key in keys), len(questions)


def values_of(partnership_id: int, cycle: int, keys: list[str]) -> dict[tuple[str, str], Any]:
    """Stored values of these questions in a cycle, by (question key, side): one query."""
    rows = db.session.execute(
        sa.select(Answer.question_key, Answer.side, Answer.value).where(
            Answer.partnership_id == partnership_id,
            Answer.cycle == cycle,
            Answer.question_key.in_(keys),
        )
    )
    return {(key, side): value for key, side, value in rows}
