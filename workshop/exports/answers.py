"""A seminar's answers as lines: the long format (one line per answer cell) and the lines of the
workbook's stage sheets (one per partnership and side), a partnership at a time.

The writers (``tabular``) put these lines into a CSV or a workbook; what each column means is
in ``columns`` and docs/exports.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from flask_babel import force_locale

from workshop.exports import layout
from workshop.exports.cells import moment
from workshop.exports.flatten import Context, answer_cells, wide_cells
from workshop.exports.queries import Pair, Stored, current_answers, pairs
from workshop.method import scale
from workshop.method.definition import Method, Text, load

Line = list[Any]


def scale_words() -> dict[int, Text]:
    """The 0–3 scale's words in both languages (the method files do not spell them out)."""
    words: dict[str, list[str]] = {}
    for lang in ("uk", "en"):
        with force_locale(lang):
            words[lang] = [str(label) for label in scale.LABELS]
    return {n: Text(words["uk"][n], words["en"][n]) for n in range(len(scale.LABELS))}


@dataclass
class Table:
    """One partnership with its current answers, in the method's order."""

    pair: Pair
    context: Context
    answers: list[Stored]


class SeminarAnswers:
    """What the answers export reads: the partnerships, their methods, then their answers."""

    def __init__(self, seminar_id: int) -> None:
        self.seminar_id = seminar_id
        self.pairs = pairs(seminar_id)
        versions = layout.newest_first(p.method_version for p in self.pairs)
        self.methods: list[Method] = [load(v) for v in versions]
        self.sheets = layout.stage_sheets(self.methods)
        self.scale = scale_words()

    def tables(self) -> Iterator[Table]:
        """Each partnership in id order, with its answers (read as the cursor goes)."""
        answers = groupby(current_answers(self.seminar_id), key=lambda a: a.partnership_id)
        pending = next(answers, None)
        for pair in self.pairs:
            mine: list[Stored] = []
            # Both come by partnership id; the answers of a partnership that left the seminar
            # meanwhile cannot be there (one query chose both), but skip anything smaller anyway.
            while pending is not None and pending[0] <= pair.id:
                if pending[0] == pair.id:
                    mine = list(pending[1])
                pending = next(answers, None)
            method = load(pair.method_version)
            places = layout.places(pair.method_version)
            mine.sort(
                key=lambda a: (
                    places[a.question_key].order if a.question_key in places else len(places),
                    a.question_key,
                    layout.SIDE_ORDER.get(a.side, 3),
                    a.side,
                )
            )
            values = {(a.question_key, a.side): a.value for a in mine}
            yield Table(pair, Context(method, values, self.scale), mine)


def _names(pair: Pair) -> Line:
    return [pair.ua_en, pair.ua_uk, pair.partner_en, pair.partner_uk]


def long_lines(seminar_id: int, table: Table) -> Iterator[Line]:
    """The long format's lines of one partnership, in ``columns.LONG_COLUMNS`` order."""
    pair = table.pair
    places = layout.places(pair.method_version)
    for answer in table.answers:
        place = places.get(answer.question_key)
        question = place.question if place else None
        head = [
            seminar_id,
            pair.id,
            *_names(pair),
            pair.method_version,
            pair.cycle,
            place.stage.key if place else None,
            place.stage.number if place else None,
            place.section.key if place else None,
            answer.question_key,
            question.type if question else None,
            layout.SIDE_NAMES.get(answer.side, answer.side),
        ]
        tail = [answer.version, moment(answer.updated_at), answer.updated_by_id, answer.updated_by]
        for cell in answer_cells(table.context, question, answer.value):
            yield [
                *head,
                cell.row_id,
                cell.row_number,
                cell.row_label.en if cell.row_label else None,
                cell.row_label.uk if cell.row_label else None,
                cell.column_key,
                cell.value_type,
                cell.choice_number,
                cell.value,
                cell.label.en if cell.label else None,
                cell.label.uk if cell.label else None,
                *tail,
            ]


def wide_lines(sheet: layout.StageSheet, table: Table, lang: str) -> Iterator[Line]:
    """A stage sheet's lines of one partnership: one per side the stage has, answered or not."""
    pair = table.pair
    places = layout.places(pair.method_version)
    stored = table.context.values
    shown: dict[tuple[str, str], dict[str | None, Any]] = {}
    for side in sheet.sides:
        line: Line = [pair.id, *_names(pair), pair.method_version, pair.cycle, side]
        stored_side = "" if side == layout.SHARED_SIDE else side
        for column in sheet.columns:
            place = places.get(column.question_key)
            if place is None or place.stage.key != sheet.key:
                line.append(None)
                continue
            key = (column.question_key, stored_side)
            if key not in shown:
                value = stored.get(key)
                asked = place.question.per_side == (side != layout.SHARED_SIDE)
                shown[key] = wide_cells(table.context, place.question, value, lang) if asked else {}
            line.append(shown[key].get(column.column_key))
        yield line
