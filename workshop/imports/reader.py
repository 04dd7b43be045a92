"""Reading an organiser's spreadsheet (CSV or XLSX) into plain rows, refusing what is unsafe.

Only the shape of the file is judged here: columns, encoding, formulas, sizes. Whether a row
makes sense (a real country, a new pair) is the business of ``rows`` and ``services``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from workshop.imports.columns import ALL_COLUMNS, REQUIRED_COLUMNS
from workshop.imports.errors import UnreadableFile
from workshop.imports.textfile import csv_rows
from workshop.imports.workbook import xlsx_rows

MAX_CELL_CHARS = 5000
MAX_FILENAME_CHARS = 255
# OWASP's list for CSV injection: a cell starting with these may run as a formula in Excel.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class SheetRow:
    number: int  # as the spreadsheet program shows it: the header is row 1
    cells: dict[str, str]
    errors: list[str] = field(default_factory=list)


@dataclass
class Sheet:
    rows: list[SheetRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the whole file
    empty_rows: int = 0


def safe_filename(name: str) -> str:
    """The uploaded file's name as it may be kept and shown: its last path part, without
    control or invisible characters (a right-to-left override can disguise an ending)."""
    last = re.split(r"[/\\]", name)[-1]
    visible = "".join(ch for ch in last if not unicodedata.category(ch).startswith("C"))
    return " ".join(visible.split()).strip(" .")[:MAX_FILENAME_CHARS] or "upload"


def read_upload(filename: str, data: bytes, *, max_rows: int) -> Sheet:
    """Read ``data`` by its file name's ending; raise UnreadableFile when that is impossible."""
    name = safe_filename(filename).lower()
    if name.endswith(".xlsx"):
        raw = xlsx_rows(data, max_rows=max_rows)
    elif name.endswith((".csv", ".txt")):
        raw = csv_rows(data, max_rows=max_rows)
    elif name.endswith(".xls"):
        raise UnreadableFile(_l("Old .xls files cannot be read. Save the file as .xlsx or .csv."))
    else:
        raise UnreadableFile(_l("Upload a .csv or .xlsx file."))
    return _to_sheet(raw, max_rows=max_rows)


def _header(raw: list[str]) -> list[str]:
    # Invisible characters (a BOM Excel left in the first cell) are no part of a column's name.
    visible = ["".join(ch for ch in h if unicodedata.category(ch) != "Cf") for h in raw]
    return [" ".join(h.split()).lower().replace(" ", "_") for h in visible]


def _to_sheet(raw: list[list[str]], *, max_rows: int) -> Sheet:
    sheet = Sheet()
    if not raw:
        sheet.problems.append(str(_l("The file is empty.")))
        return sheet
    header = _header(raw[0])
    while header and not header[-1]:
        header.pop()
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in ALL_COLUMNS]
    if missing:
        sheet.problems.append(str(_l("Missing columns: %(names)s.", names=", ".join(missing))))
    if unknown:
        sheet.problems.append(str(_l("Unknown columns: %(names)s.", names=", ".join(unknown[:10]))))
    if len(raw) - 1 > max_rows:
        sheet.problems.append(
            ngettext(
                "At most %(num)d row can be imported at once.",
                "At most %(num)d rows can be imported at once.",
                max_rows,
            )
        )
    if sheet.problems:
        return sheet
    for offset, values in enumerate(raw[1:], start=2):
        if not any(v.strip() for v in values):
            sheet.empty_rows += 1
            continue
        sheet.rows.append(_row(offset, header, values))
    if not sheet.rows:
        sheet.problems.append(str(_l("The file has a header but no rows.")))
    return sheet


def _row(number: int, header: list[str], values: list[str]) -> SheetRow:
    row = SheetRow(number=number, cells={})
    if len([v for v in values[len(header) :] if v.strip()]) > 0:
        row.errors.append(str(_l("This row has more cells than the header has columns.")))
    for column, raw in zip(header, values, strict=False):
        if not column:
            continue
        value = raw.replace("\r\n", "\n")  # a line break inside a cell, as Windows writes it
        if value.startswith(FORMULA_STARTS):
            row.errors.append(
                str(
                    _l(
                        "Column %(column)s starts with “%(char)s”: formulas are not accepted; "
                        "type the value itself.",
                        column=column,
                        char=value[:1].strip() or "⇥",
                    )
                )
            )
        elif len(value) > MAX_CELL_CHARS:
            row.errors.append(str(_l("Column %(column)s is too long.", column=column)))
        elif any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in value):
            row.errors.append(str(_l("Column %(column)s holds control characters.", column=column)))
        row.cells[column] = value.strip()
    return row
