"""Building select and radio options in the form WTForms 3.3 wants (tuples are deprecated)."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """Turn ``(value, label)`` pairs into SelectChoice objects, labels left lazy if they are."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]  # type: ignore[arg-type]


MAX_ID = 2**31 - 1  # the largest id PostgreSQL's INTEGER holds; SQLite overflows past 2**63


def record_id(value: object) -> int:
    """Coerce a posted id; anything outside the range an id can have is not a valid choice."""
    number = int(value)  # type: ignore[call-overload]
    if not 0 <= number <= MAX_ID:
        raise ValueError("id out of range")
    return number
