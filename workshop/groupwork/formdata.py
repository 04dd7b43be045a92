"""Reading a stage section posted without JavaScript into the same shapes JSON saves use.

Field names: ``q.<key>`` for a question, ``q.<key>.<part>`` for a person's name/role/e-mail,
``q.<key>.<row>.<column>`` for a table cell (``<column>`` is ``_remove`` for a row's "remove"
box); ``v.<key>`` carries the version the page showed.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from workshop.groupwork.values import PERSON_FIELDS
from workshop.method.definition import Question

REMOVE = "_remove"  # a row's "remove" box, ``q.<key>.<row>._remove``


def field_name(question: Question, *parts: object) -> str:
    return ".".join(["q", question.key, *map(str, parts)])


def version_name(question: Question) -> str:
    return f"v.{question.key}"


def _cell(column: Question, form: MultiDict[str, str], name: str) -> Any:
    if column.type == "multi_choice":
        return form.getlist(name)
    return form.get(name)


def raw_value(question: Question, form: MultiDict[str, str]) -> Any:
    """What the form says for ``question``, not yet checked."""
    name = field_name(question)
    if question.type == "multi_choice":
        return form.getlist(name)
    if question.type == "person":
        return {part: form.get(f"{name}.{part}", "") for part in PERSON_FIELDS}
    if question.type != "table":
        return form.get(name)
    if question.rows:
        row_ids = [r.id for r in question.rows]
    else:
        # Rows are named by their ids, in the order the page showed them.
        row_ids = list(
            dict.fromkeys(
                k.split(".")[2] for k in form if k.startswith(name + ".") and k.count(".") == 3
            )
        )[: question.max_rows + 5]
    rows = []
    for row_id in row_ids:
        if form.get(f"{name}.{row_id}.{REMOVE}"):
            continue  # ticked "remove": the row is left out (History can bring it back)
        row = {c.key: _cell(c, form, f"{name}.{row_id}.{c.key}") for c in question.columns}
        row["row"] = row_id
        rows.append(row)
    return rows


def posted_version(question: Question, form: MultiDict[str, str]) -> int | None:
    """The version the person started from, or None when the form did not say (tampered)."""
    raw = form.get(version_name(question), "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None
