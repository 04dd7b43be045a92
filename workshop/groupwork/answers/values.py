"""Checking one answer against its question, whatever its type, from a form or from JSON.

``clean`` returns the value to store (None for "left empty") or raises InvalidAnswer with a
message for the person in their language. Being empty is never an error here: a draft may be
incomplete; "required" is checked when a stage is submitted.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import ngettext

from workshop.groupwork.answers.wire import PERSON_FIELDS, is_row_id, new_row_id
from workshop.i18n import current_lang
from workshop.method.definition import Question
from workshop.numbers import whole_number
from workshop.usererror import UserError

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class InvalidAnswer(UserError):
    """An answer that does not fit its question, said for the person."""


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == [] or raw == {}


def _text(question: Question, raw: Any) -> str:
    if not isinstance(raw, str):
        raise InvalidAnswer(_("Enter text."))
    text = raw.replace("\r\n", "\n").strip()
    if _CONTROL.search(text):
        raise InvalidAnswer(_("Remove the invisible control characters from the text."))
    if question.type == "text" and "\n" in text:
        text = " ".join(text.split())
    limit = question.text_limit
    if len(text) > limit:
        raise InvalidAnswer(
            ngettext(
                "Use at most %(num)d character (now %(count)d).",
                "Use at most %(num)d characters (now %(count)d).",
                limit,
                count=len(text),
            )
        )
    return text


def _single(question: Question, raw: Any) -> str:
    if not isinstance(raw, str) or question.choice(raw) is None:
        raise InvalidAnswer(_("Choose one of the options."))
    return raw


def _multi(question: Question, raw: Any) -> list[str]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or any(
        not isinstance(i, str) or question.choice(i) is None for i in items
    ):
        raise InvalidAnswer(_("Choose among the options shown."))
    # Keep the method's order, so the same choice always reads the same way.
    return [c.id for c in question.choices if c.id in items]


def _integer_in(raw: Any, low: int, high: int) -> int:
    number = whole_number(raw, low=low, high=high)
    if number is None:
        raise InvalidAnswer(
            _("Choose a whole number from %(low)d to %(high)d.", low=low, high=high)
        )
    return number


def _number(question: Question, raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise InvalidAnswer(_("Enter a number."))
    try:
        # People in Ukraine write a decimal comma and group thousands with spaces.
        number = (
            float(raw.replace(" ", "").replace("\u00a0", "").replace(",", "."))
            if isinstance(raw, str)
            else float(raw)
        )
    except (TypeError, ValueError):
        raise InvalidAnswer(_("Enter a number, for example 12 or 12,5.")) from None
    if not math.isfinite(number) or abs(number) > 1e12:
        raise InvalidAnswer(_("Enter a number, for example 12 or 12,5."))
    if question.min is not None and number < question.min:
        raise InvalidAnswer(_("Enter at least %(min)s.", min=_plain(question.min)))
    if question.max is not None and number > question.max:
        raise InvalidAnswer(_("Enter at most %(max)s.", max=_plain(question.max)))
    return int(number) if number.is_integer() else number


def _plain(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


def _ref(question: Question, raw: Any) -> str:
    # Which rows exist is the page's business: a reference to a row removed since is kept and
    # shown as removed, rather than refusing the whole save.
    if not is_row_id(raw):
        raise InvalidAnswer(_("Choose one of the options."))
    return str(raw)


def _date(question: Question, raw: Any) -> str:
    try:
        day = date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        day = None
    if day is None or not 1990 <= day.year <= 2100:
        raise InvalidAnswer(_("Enter a real date, for example 2024-03-15."))
    return day.isoformat()


def _person(question: Question, raw: Any) -> dict[str, str] | None:
    if not isinstance(raw, dict) or set(raw) - set(PERSON_FIELDS):
        raise InvalidAnswer(_("Enter the person's name, role and e-mail."))
    person = {
        f: _text(Question(key=f, type="text", label=question.label), raw.get(f) or "")
        for f in PERSON_FIELDS
    }
    if not any(person.values()):
        return None
    if not person["name"]:
        raise InvalidAnswer(_("Enter the person's name."))
    if person["email"]:
        try:
            validate_email(person["email"], check_deliverability=False)
        except EmailNotValidError:
            raise InvalidAnswer(_("This does not look like an e-mail address.")) from None
    return person


def _table(question: Question, raw: Any) -> list[dict[str, Any]] | None:
    if not isinstance(raw, list) or any(not isinstance(row, dict) for row in raw):
        raise InvalidAnswer(_("The table could not be read; reload the page."))
    fixed = {r.id for r in question.rows}
    # Rows a pair added to a fixed list (``more_rows``) are named by their source rows' ids:
    # which of those exist is the page's business, as with a reference.
    added = bool(question.more_rows)
    limit = len(fixed) + (question.max_rows if added else 0) if fixed else question.max_rows
    if len(raw) > limit:
        raise InvalidAnswer(ngettext("At most %(num)d row.", "At most %(num)d rows.", limit))
    rows = []
    seen: set[str] = set()
    for number, raw_row in enumerate(raw, start=1):
        # A repeatable row without an id (a JSON client, an old draft) gets one now.
        row_id = raw_row.get("row") if fixed or "row" in raw_row else new_row_id()
        known = row_id in fixed or (is_row_id(row_id) and (added or not fixed))
        if not known or row_id in seen:
            raise InvalidAnswer(_("The table could not be read; reload the page."))
        seen.add(row_id)
        unknown = set(raw_row) - {c.key for c in question.columns} - {"row"}
        if unknown:
            raise InvalidAnswer(_("The table could not be read; reload the page."))
        row: dict[str, Any] = {"row": row_id}
        for column in question.columns:
            try:
                cell = clean(column, raw_row.get(column.key))
            except InvalidAnswer as error:
                raise InvalidAnswer(
                    _(
                        "Row %(row)d, %(column)s: %(message)s",
                        row=number,
                        column=column.label(current_lang()),
                        message=error.message,
                    )
                ) from None
            if cell is not None:
                row[column.key] = cell
        if len(row) > 1:
            rows.append(row)
    return rows or None


_CLEANERS = {
    "text": _text,
    "long_text": _text,
    "single_choice": _single,
    "multi_choice": _multi,
    "status": lambda q, raw: _integer_in(raw, 0, 3),
    "score": lambda q, raw: _integer_in(raw, 1, 5),
    "number": _number,
    "date": _date,
    "person": _person,
    "table": _table,
    "ref": _ref,
}


def clean(question: Question, raw: Any) -> Any:
    """Return the storable value of ``raw`` for ``question``; None when left empty."""
    if _blank(raw):
        return None
    value = _CLEANERS[question.type](question, raw)
    return None if value in ("", [], {}) else value
