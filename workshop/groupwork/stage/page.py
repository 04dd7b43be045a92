"""What a stage page shows for each question: the value, its version, who may change it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workshop.groupwork.answers.services import Conflict
from workshop.method.definition import Choice, Method, Question, Stage
from workshop.method.rows import table_rows
from workshop.models import SHARED, Answer, Membership


@dataclass
class QuestionView:
    question: Question
    side: str  # the side this person answers for ("" when the question is shared)
    value: Any
    version: int
    editable: bool
    other_side: str | None = None  # per-side questions show the other hospital's answer too
    other_value: Any = None
    updated_by: str | None = None
    error: str | None = None
    conflict: Conflict | None = None
    rows: list[Choice] = field(default_factory=list)  # a fixed-row table's rows, added ones too


def _other(side: str) -> str:
    return "partner" if side == "ua" else "ua"


def build(
    stage: Stage,
    answers: dict[tuple[str, str], Answer],
    seat: Membership | None,
    *,
    posted: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    conflicts: dict[str, Conflict] | None = None,
    method: Method | None = None,
) -> dict[str, QuestionView]:
    """One QuestionView per question; after a post, typed values win over stored ones."""
    views = {}
    values = {key: answer.value for key, answer in answers.items()}
    my_side = seat.side.value if seat else "ua"
    for question in stage.questions():
        side = my_side if question.per_side else SHARED
        answer = answers.get((question.key, side))
        view = QuestionView(
            question=question,
            side=side,
            value=answer.value if answer else None,
            version=answer.version if answer else 0,
            editable=seat is not None,
            updated_by=answer.updated_by.display_name if answer and answer.updated_by else None,
            rows=table_rows(method, question, values) if method else list(question.rows),
        )
        if question.per_side:
            view.other_side = _other(side)
            other = answers.get((question.key, view.other_side))
            view.other_value = other.value if other else None
        if posted and question.key in posted:
            view.value = posted[question.key]
        if errors and question.key in errors:
            view.error = errors[question.key]
        if conflicts and question.key in conflicts:
            view.conflict = conflicts[question.key]
            view.version = conflicts[question.key].version
        views[question.key] = view
    return views
