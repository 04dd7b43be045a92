"""Where each question sits in its method, and the columns of the workbook's stage sheets.

A seminar's partnerships may work on different method versions: a stage sheet has a column
for every question any of them asks in that stage (the newest version's order first), and each
partnership's cells are read with its own version's questions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from workshop.method.definition import Method, Question, Section, Stage, Text, load

SHARED_SIDE, UA_SIDE, PARTNER_SIDE = "shared", "ua", "partner"
SIDE_NAMES = {"": SHARED_SIDE, UA_SIDE: UA_SIDE, PARTNER_SIDE: PARTNER_SIDE}  # stored → written
SIDE_ORDER = {"": 0, UA_SIDE: 1, PARTNER_SIDE: 2}
SHEET_NAME_LENGTH = 31  # Excel's limit


@dataclass(frozen=True)
class Place:
    stage: Stage
    section: Section
    question: Question
    order: int  # the question's place in the whole method


@cache
def places(version: str) -> dict[str, Place]:
    """Every question of a method version by its key (read once per process)."""
    method = load(version)
    found: dict[str, Place] = {}
    for stage in method.stages:
        for section in stage.sections:
            for question in section.questions:
                found.setdefault(question.key, Place(stage, section, question, len(found)))
    return found


def newest_first(versions: Iterable[str]) -> list[str]:
    return sorted(set(versions), key=lambda v: tuple(int(p) for p in v.split(".")), reverse=True)


@dataclass(frozen=True)
class WideColumn:
    header: str  # "question_key", or "question_key.column_key" for a table's column
    label: Text
    question_key: str
    column_key: str | None


@dataclass(frozen=True)
class StageSheet:
    key: str
    number: int
    title: Text
    sides: tuple[str, ...]  # which of shared, ua, partner have a line per partnership
    columns: tuple[WideColumn, ...]

    @property
    def name(self) -> str:
        return f"{self.number} {self.key}"[:SHEET_NAME_LENGTH]


def _columns(question: Question) -> list[WideColumn]:
    if question.type != "table":
        return [WideColumn(question.key, question.label, question.key, None)]
    return [
        WideColumn(
            f"{question.key}.{column.key}",
            Text(
                f"{question.label.uk} — {column.label.uk}",
                f"{question.label.en} — {column.label.en}",
            ),
            question.key,
            column.key,
        )
        for column in question.columns
    ]


def stage_sheets(methods: list[Method]) -> list[StageSheet]:
    """One sheet per stage key of the methods given (newest version first decides the order)."""
    stages: dict[str, tuple[Stage, list[WideColumn], set[str]]] = {}
    for method in methods:
        for stage in method.stages:
            _first, columns, sides = stages.setdefault(stage.key, (stage, [], set()))
            taken = {c.header for c in columns}
            for question in stage.questions():
                sides.update((UA_SIDE, PARTNER_SIDE) if question.per_side else (SHARED_SIDE,))
                columns.extend(c for c in _columns(question) if c.header not in taken)
                taken.update(c.header for c in columns)
    ordered = sorted(stages.values(), key=lambda found: found[0].number)
    return [
        StageSheet(
            key=stage.key,
            number=stage.number,
            title=stage.title,
            sides=tuple(s for s in (SHARED_SIDE, UA_SIDE, PARTNER_SIDE) if s in sides),
            columns=tuple(columns),
        )
        for stage, columns, sides in ordered
    ]


def codebook(methods: list[Method]) -> list[list[object]]:
    """The questions sheet: every question and table column of these methods."""
    lines: list[list[object]] = []
    for method in methods:
        for stage in method.stages:
            for section in stage.sections:
                for question in section.questions:
                    base = [method.version, stage.number, stage.key, section.key, question.key]
                    side = "yes" if question.per_side else "no"
                    lines.append(
                        [*base, None, question.type, side, question.label.en, question.label.uk]
                    )
                    lines.extend(
                        [*base, c.key, c.type, side, c.label.en, c.label.uk]
                        for c in question.columns
                    )
    return lines
