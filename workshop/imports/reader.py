"""Reading an organiser's spreadsheet (CSV or XLSX) into plain rows, refusing what is unsafe.

Only the shape of the file is judged here: columns, encoding, formulas, sizes. Whether a row
makes sense (a real country, a new pair) is the service's business.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from workshop.usererror import UserError

REQUIRED_COLUMNS = (
    "ua_name_uk",
    "ua_name_en",
    "ua_oblast",
    "partner_name_uk",
    "partner_name_en",
    "partner_country",
)
OPTIONAL_COLUMNS = (
    "ua_city",
    "ua_profile",
    "partner_region",
    "partner_city",
    "partner_profile",
    "memorandum_date",
    "focus_areas",
)
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_CELL_CHARS = 5000
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


class UnreadableFile(UserError):
    """A spreadsheet that cannot be read, with why, for the person who uploaded it."""


def read_upload(filename: str, data: bytes, *, max_rows: int) -> Sheet:
    """Read ``data`` by its file name's ending; raise UnreadableFile when that is impossible."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw = _xlsx_rows(data, max_rows=max_rows)
    elif name.endswith((".csv", ".txt")):
        raw = _csv_rows(data, max_rows=max_rows)
    elif name.endswith(".xls"):
        raise UnreadableFile(_l("Old .xls files cannot be read. Save the file as .xlsx or .csv."))
    else:
        raise UnreadableFile(_l("Upload a .csv or .xlsx file."))
    return _to_sheet(raw, max_rows=max_rows)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            _l(
                "The file is not in UTF-8. In Excel choose “CSV UTF-8” when saving, "
                "or upload the .xlsx file itself."
            )
        ) from error


def _csv_rows(data: bytes, *, max_rows: int) -> list[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise UnreadableFile(
            _l("This does not look like a text file. Upload a .csv or .xlsx file.")
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > max_rows + 1:
                break
    except csv.Error as error:
        raise UnreadableFile(
            _l("The file could not be read as CSV near row %(row)d.", row=len(rows) + 1)
        ) from error
    return rows


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes, *, max_rows: int) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise UnreadableFile(
            _l("The file could not be opened as an Excel workbook (.xlsx).")
        ) from error
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_xlsx_cell(v) for v in row])
            if len(rows) > max_rows + 1:
                break
        return rows
    finally:
        book.close()


def _header(raw: list[str]) -> list[str]:
    return [" ".join(h.split()).lower().replace(" ", "_") for h in raw]


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
            str(_l("At most %(max)d rows can be imported at once.", max=max_rows))
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
    for column, value in zip(header, values, strict=False):
        if not column:
            continue
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
        elif any(ord(ch) < 32 and ch not in "\n" for ch in value):
            row.errors.append(str(_l("Column %(column)s holds control characters.", column=column)))
        row.cells[column] = value.strip()
    return row
