"""Whole numbers from outside (ids, versions, cycles, dots, scores), read one way everywhere.

``str.isdigit()`` and ``int()`` accept more than a person or a page ever sends: superscripts
(``"²"`` passes ``isdigit()`` and then ``int()`` fails), other scripts' digits (``"١٢"``),
underscores, signs and spaces. And a number too large for the database column reaches the
driver as an OverflowError. Every number that comes from a request goes through
``whole_number``: ASCII digits only, within bounds, or ``None``.
"""

from __future__ import annotations

import math
import re

from flask import Flask
from werkzeug.routing import BaseConverter, ValidationError

# Every id and version column is an INTEGER: PostgreSQL's holds 2**31 - 1, so no row can have
# a larger one (SQLite would hold more, but then the two databases would answer differently).
MAX_ID = 2**31 - 1

_DIGITS = re.compile(r"-?[0-9]{1,20}")  # ASCII only; 20 digits already exceed any bound here


def whole_number(raw: object, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """``raw`` as a whole number within ``low..high`` (inclusive), or None.

    Takes text of ASCII digits with an optional minus (a form field, a query argument) or a
    JSON number that is whole (``2`` or ``2.0``). Booleans are not numbers, however Python
    counts them.
    """
    if isinstance(raw, bool):
        return None
    whole = (
        isinstance(raw, int)
        or (isinstance(raw, float) and math.isfinite(raw) and raw.is_integer())
        or (isinstance(raw, str) and _DIGITS.fullmatch(raw) is not None)
    )
    number = int(raw) if whole else None  # type: ignore[call-overload]
    if number is None or not low <= number <= high:
        return None
    return number


def json_whole_number(raw: object, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """Like ``whole_number``, for a field a script sends as a JSON number: text is refused."""
    return None if isinstance(raw, str) else whole_number(raw, low=low, high=high)


class IdConverter(BaseConverter):
    """``<int:…>`` in every route: an id of a row that can exist, written one way.

    Werkzeug's own accepts any Unicode digit (``/partnerships/١٢`` would open partnership 12)
    and any size (a 20-digit id overflows SQLite's integer: a 500); here anything else is a 404.
    """

    regex = r"[1-9][0-9]{0,9}"
    weight = 50  # as Werkzeug's own, so routes match in the same order

    def to_python(self, value: str) -> int:
        number = whole_number(value, low=1)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]


def init_app(app: Flask) -> None:
    # Before any blueprint is registered: each rule takes its converter when it is added.
    app.url_map.converters["int"] = IdConverter
