"""Building select and radio options in the form WTForms 3.3 wants (tuples are deprecated)."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """Turn ``(value, label)`` pairs into SelectChoice objects, labels left lazy if they are."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]  # type: ignore[arg-type]
