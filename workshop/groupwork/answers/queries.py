"""Reading a partnership's answers in a cycle, in one query however many there are."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from workshop.extensions import db
from workshop.method import completeness
from workshop.method.definition import Method, Stage
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


def answered_share(
    method: Method, stage: Stage, answers: Mapping[tuple[str, str], Answer]
) -> tuple[int, int]:
    """How many of the stage's questions are answered, as the method counts it
    (``completeness.answered``), and how many there are. ``answers`` must hold the tables
    the stage's tables link to (``completeness.keys_needed``)."""
    return completeness.answered(method, stage, {key: a.value for key, a in answers.items()})


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
