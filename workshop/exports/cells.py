"""One cell of a CSV or workbook export: escaped against formulas, reversibly, and timestamps.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return before one) as a formula: an answer typed as ``=HYPERLINK(...)`` must reach the
reader as text. OWASP's remedy is a leading apostrophe. To keep it reversible, a text that
already starts with an apostrophe gets one too, so the reader's rule is simply: a text cell that
starts with an apostrophe loses that first character. Numbers are written as numbers and never
escaped (a negative number is no formula).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

ESCAPE = "'"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", ESCAPE)


def escape(text: str) -> str:
    return ESCAPE + text if text.startswith(TRIGGERS) else text


def unescape(text: str) -> str:
    """What a reader does to every text cell to get the value back."""
    return text[1:] if text.startswith(ESCAPE) else text


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def number_text(value: int | float) -> str:
    """A number as JSON writes it: 3, 12.5 (the shortest text that reads back the same)."""
    return repr(value) if isinstance(value, float) else str(int(value))


def csv_text(value: Any) -> str:
    """A cell of the CSV: empty, a number's digits, or escaped text."""
    # Called for every cell of the export: the common types first, by their exact type.
    kind = type(value)
    if kind is str:
        return ESCAPE + value if value.startswith(TRIGGERS) else value
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if is_number(value):
        return number_text(value)
    return escape(str(value))


def moment(value: datetime | None, timespec: str = "seconds") -> str | None:
    """ISO 8601 in UTC with a Z: 2023-12-19T09:30:00Z."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")
