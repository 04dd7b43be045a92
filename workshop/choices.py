"""Building select and radio options in the form WTForms 3.3 wants (tuples are deprecated)."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice

from workshop.numbers import whole_number

# The value of a select's "Choose…" line. HTML wants it empty: a required <select> whose first
# option has a value is invalid, and the browser then counts that first line as a choice made.
NOTHING_CHOSEN = ""


def options(
    pairs: Iterable[tuple[object, object]], *, placeholder: object = None
) -> list[SelectChoice]:
    """Turn ``(value, label)`` pairs into SelectChoice objects, labels left lazy if they are.

    ``placeholder`` (e.g. ``_("Choose…")``) puts a first line with an empty value before them:
    what a required select shows until the person picks. Posted back, it is "nothing chosen",
    which the field's DataRequired refuses with its own message.
    """
    first = [SelectChoice(value=NOTHING_CHOSEN, label=placeholder)] if placeholder else []  # type: ignore[arg-type]
    return first + [SelectChoice(value=value, label=label) for value, label in pairs]  # type: ignore[arg-type]


def record_id(value: object) -> int | None:
    """Coerce a posted id; anything outside the range an id can have is not a valid choice.

    The placeholder's empty value is None, nothing chosen: the field's DataRequired then says
    what to choose, instead of WTForms' untranslated "could not coerce".
    """
    if value is None or value == NOTHING_CHOSEN:
        return None
    number = whole_number(value)  # ASCII digits within the range an id can have
    if number is None:
        raise ValueError("not an id")
    return number
