"""Which of the method's recommendations apply to a partnership, and the answers that say so.

Pure: the snapshot's plain data and the method in, final text in one language out. Each
condition kind (recommendations.conditions) has one function here that returns the reasons it
holds, each "where: what was answered"; no reasons means it does not hold. The rules themselves
are method data: a new rule needs no code, a new kind of condition does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from workshop.documents import model
from workshop.groupwork.stage.insights import needs_offers
from workshop.method.definition import Method, Question
from workshop.models import Answer
from workshop.recommendations.conditions import (
    AnyOf,
    ChoiceIn,
    Condition,
    Missing,
    NoSideIn,
    OneSideOnly,
    OneWayExchange,
    RowsMissing,
    RowsWith,
)
from workshop.recommendations.reading import Answers

AREAS_NAMED = 5  # a longer list of areas ends in "…": the reason names them, the matrix lists them


def applicable(
    snapshot: Mapping[str, Any], method: Method, lang: str
) -> tuple[model.Recommendation, ...]:
    """The method's recommendations that apply to these answers, in the method's order."""
    answers = Answers(snapshot, method, lang)
    found = []
    with force_locale(lang):
        for rule in method.recommendations:
            because = reasons(rule.when, answers)
            if because:
                found.append(model.Recommendation(rule.text(lang), tuple(because)))
    return tuple(found)


def reasons(condition: Condition, answers: Answers) -> list[str]:
    """Why ``condition`` holds for the answers, one line per answer; [] when it does not."""
    return _KINDS[type(condition)](condition, answers)


def _question(answers: Answers, key: str) -> Question:
    question = answers.method.question(key)
    assert question is not None  # noqa: S101 - the loader refuses a rule naming no question
    return question


def _column(table: Question, key: str) -> Question:
    column = next((c for c in table.columns if c.key == key), None)
    assert column is not None  # noqa: S101 - the loader refuses a rule naming no column
    return column


def _ids(value: Any) -> set[str]:
    """The choice ids in an answer or a cell: one id, or a list of them (anything else: none)."""
    items = value if isinstance(value, list) else [value]
    return {item for item in items if isinstance(item, str)}


def _missing(condition: Missing, answers: Answers) -> list[str]:
    question = _question(answers, condition.question)
    sides = answers.sides_of(question)
    if question.per_side and condition.side != "any":
        sides = (condition.side,)
    return [
        f"{answers.place(question, side)}: {answers.not_answered()}"
        for side in sides
        if answers.value(question.key, side) is None
    ]


def _one_side_only(condition: OneSideOnly, answers: Answers) -> list[str]:
    question = _question(answers, condition.question)
    silent = [
        side for side in answers.sides_of(question) if answers.value(question.key, side) is None
    ]
    if len(silent) != 1:  # both answered, or neither: not one side carrying it alone
        return []
    return [f"{answers.place(question, silent[0])}: {answers.not_answered()}"]


def _choice_in(condition: ChoiceIn, answers: Answers) -> list[str]:
    question = _question(answers, condition.question)
    found = []
    for side in answers.sides_of(question):
        chosen = _ids(answers.value(question.key, side)) & set(condition.values)
        if chosen:
            labels = answers.choice_labels(question, sorted(chosen))
            found.append(f"{answers.place(question, side)}: {', '.join(labels)}")
    return found


def _rows_with(condition: RowsWith, answers: Answers) -> list[str]:
    table = _question(answers, condition.question)
    column = _column(table, condition.column)
    found = []
    for side in answers.sides_of(table):
        for name, row in answers.row_names(table, side):
            chosen = _ids(row.get(column.key)) & set(condition.values)
            if chosen:
                labels = ", ".join(answers.choice_labels(column, sorted(chosen)))
                found.append(f"{answers.label(table, side)} › {name}: {labels}")
    return found


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _rows_missing(condition: RowsMissing, answers: Answers) -> list[str]:
    table = _question(answers, condition.question)
    columns = [_column(table, key) for key in condition.columns]
    found = []
    for side in answers.sides_of(table):
        for name, row in answers.row_names(table, side):
            empty = [c.label(answers.lang) for c in columns if _empty(row.get(c.key))]
            if empty:
                where = f"{answers.label(table, side)} › {name} › {', '.join(empty)}"
                found.append(f"{where}: {answers.not_answered()}")
    return found


def _no_side_in(condition: NoSideIn, answers: Answers) -> list[str]:
    table = _question(answers, condition.question)
    column = _column(table, condition.column)
    rows = [row for side in answers.sides_of(table) for row in answers.rows(table, side)]
    where = answers.place(table)
    if not rows:
        return [f"{where}: {answers.not_answered()}"]
    present = set().union(*(_ids(row.get(column.key)) for row in rows))
    return [
        f"{where}: " + _("nobody from: %(side)s", side=label)
        for side in condition.sides
        if side not in present
        for label in answers.choice_labels(column, side)
    ]


def _one_way_exchange(condition: OneWayExchange, answers: Answers) -> list[str]:
    matrix = answers.method.by_role("needs_matrix")
    assert matrix is not None  # noqa: S101 - the loader refuses the rule without a matrix
    stored = {
        (key, side): Answer(question_key=key, side=side, value=value)
        for (key, side), value in answers.flat().items()
    }
    # The insight names areas in the current locale, which applicable() set to the rule's.
    exchange = needs_offers(answers.method, stored)
    directions = (
        (_("To Ukraine"), exchange.to_ukraine),
        (_("From Ukraine"), exchange.from_ukraine),
    )
    if bool(exchange.to_ukraine) == bool(exchange.from_ukraine):
        return []  # both ways, or nothing assessed yet: nothing to say about its direction
    where = answers.place(matrix)
    found = []
    for direction, items in directions:
        areas = list(dict.fromkeys(item.area for item in items))
        named = ", ".join(areas[:AREAS_NAMED]) + (", …" if len(areas) > AREAS_NAMED else "")
        found.append(f"{where} › {direction}: {named or _('no area')}")
    return found


def _any(condition: AnyOf, answers: Answers) -> list[str]:
    found: list[str] = []
    for part in condition.conditions:
        found += [line for line in reasons(part, answers) if line not in found]
    return found


_KINDS: dict[type, Callable[[Any, Answers], list[str]]] = {
    Missing: _missing,
    OneSideOnly: _one_side_only,
    ChoiceIn: _choice_in,
    RowsWith: _rows_with,
    RowsMissing: _rows_missing,
    NoSideIn: _no_side_in,
    OneWayExchange: _one_way_exchange,
    AnyOf: _any,
}
