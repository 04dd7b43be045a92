"""The plenary's result as CSV and XLSX: one row per proposal, in stable columns.

Columns (the header row holds these keys whatever the reader's language):

- ``rank``: the place in the ranked list (most dots, then most voters, then the text); empty
  while the kind's result is not revealed;
- ``kind``: ``principle`` or ``priority_area``;
- ``text``: the proposal as kept (after merging);
- ``dots``, ``voters``: the total dots and how many people gave it any; empty until revealed;
- ``proposed_by``: the proposing tables, merged ones included, in the reader's language,
  separated by "; ".

Principles come first, then priority areas. In the CSV a text starting with ``= + - @`` (or a
tab or carriage return) gets a leading apostrophe, so that a spreadsheet never runs it as a
formula; the XLSX stores every text as text, unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from workshop.facilitation.plenary.queries import KINDS, Board
from workshop.models import PlenaryKind

COLUMNS = ("rank", "kind", "text", "dots", "voters", "proposed_by")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list for CSV injection
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Row = tuple[int | None, str, str, int | None, int | None, str]


def rows(boards: dict[PlenaryKind, Board]) -> list[Row]:
    """Every kept proposal, kind by kind: ranked if revealed, else in the order proposed."""
    found: list[Row] = []
    for kind in KINDS:
        board = boards[kind]
        if board.round.revealed:
            found.extend(
                (i.rank, kind.value, i.text, i.dots, i.voters, i.proposed_by)
                for i in board.ranked()
            )
        else:
            found.extend((None, kind.value, i.text, None, None, i.proposed_by) for i in board.items)
    return found


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_bytes(found: Iterable[Row]) -> bytes:
    out = io.StringIO()
    # Semicolons and a BOM, as the import template: what Excel on Ukrainian Windows expects.
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    writer.writerows([_safe(v) for v in row] for row in found)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(found: Iterable[Row]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # noqa: S101 - a new workbook always has one sheet
    sheet.title = "plenary"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in found:
        sheet.append([None if v is None else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                # Text stays text: openpyxl would otherwise take "=…" for a formula.
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", cell.value)
                cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (6, 14, 60, 6, 8, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
