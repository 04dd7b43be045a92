"""The downloadable template: the columns and one example row, as CSV and as XLSX.

The XLSX carries a second sheet explaining each column in the reader's language; the import
reads only the first sheet, so the explanations can stay in the file being filled in.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from workshop.imports.columns import ALL_COLUMNS, COLUMNS

BASENAME = "partnerships-template"


def _example(value: str | date) -> str:
    return value.isoformat() if isinstance(value, date) else value


def csv_bytes() -> bytes:
    out = io.StringIO()
    # Semicolons: what Excel expects on Ukrainian (and most European) Windows.
    writer = csv.writer(out, delimiter=";")
    writer.writerow(ALL_COLUMNS)
    writer.writerow([_example(c.example) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def _bold_header(sheet: Worksheet) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def _list_sheet(sheet: Worksheet) -> None:
    sheet.title = _("Partnerships")
    sheet.append(list(ALL_COLUMNS))
    sheet.append([c.example for c in COLUMNS])
    _bold_header(sheet)
    for cell in sheet[2]:
        if isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[cell.column_letter].width = 28
    sheet.freeze_panes = "A2"


def _help_sheet(sheet: Worksheet) -> None:
    sheet.append([_("Column"), _("Required"), _("What it is"), _("Accepted forms")])
    _bold_header(sheet)
    for column in COLUMNS:
        sheet.append(
            [
                column.key,
                _("required") if column.required else _("optional"),
                str(column.meaning),
                str(column.forms or ""),
            ]
        )
    for letter, width in zip("ABCD", (20, 12, 60, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def xlsx_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # noqa: S101 - a new workbook always has one sheet
    _list_sheet(sheet)
    _help_sheet(book.create_sheet(_("Columns")))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
