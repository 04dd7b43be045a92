"""Reading a stage section posted without JavaScript into the same shapes JSON saves use.

The field names are the wire format's (``answers.wire``).
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from workshop.groupwork.answers.wire import (
    PERSON_FIELDS,
    REMOVE,
    SEPARATOR,
    field_name,
    version_name,
)
from workshop.method.definition import Question
from workshop.numbers import whole_number


def _cell(column: Question, form: MultiDict[str, str], name: str) -> Any:
    if column.type == "multi_choice":
        return form.getlist(name)
    return form.get(name)


def raw_value(question: Question, form: MultiDict[str, str]) -> Any:
    """What the form says for ``question``, not yet checked."""
    name = field_name(question.key)
    if question.type == "multi_choice":
        return form.getlist(name)
    if question.type == "person":
        return {part: form.get(field_name(question.key, part), "") for part in PERSON_FIELDS}
    if question.type != "table":
        return form.get(name)
    # Rows are named by their ids, in the order the page showed them.
    posted = list(
        dict.fromkeys(
            k.split(SEPARATOR)[2]
            for k in form
            if k.startswith(name + SEPARATOR) and k.count(SEPARATOR) == 3
        )
    )[: question.max_rows + 5]
    if question.rows:
        fixed = [r.id for r in question.rows]
        # A fixed list takes only its own items, plus the rows a pair added where it may.
        row_ids = fixed + ([r for r in posted if r not in fixed] if question.more_rows else [])
    else:
        row_ids = posted
    rows = []
    for row_id in row_ids:
        if form.get(field_name(question.key, row_id, REMOVE)):
            continue  # ticked "remove": the row is left out (History can bring it back)
        row = {
            c.key: _cell(c, form, field_name(question.key, row_id, c.key)) for c in question.columns
        }
        row["row"] = row_id
        rows.append(row)
    return rows


def posted_version(question: Question, form: MultiDict[str, str]) -> int | None:
    """The version the person started from, or None when the form did not say (tampered)."""
    raw = form.get(version_name(question.key), "")
    return whole_number(raw)
