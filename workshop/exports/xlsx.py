"""A workbook written as it goes, by XlsxWriter: plain cells (text, numbers), a bold or italic
header, frozen header rows and column widths, nothing more.

XlsxWriter's constant-memory mode keeps one row per sheet in memory and puts the rows before it
into the sheet's own temporary file, so several sheets may grow side by side (a partnership at
a time) as long as each sheet's rows come in order; the zip is made when the book closes.
(openpyxl spends about 15 µs on each cell even in its write-only mode: minutes for a seminar of
a thousand partnerships.) No text is ever turned into a formula, a number or a link here; the
caller escapes formulas and cuts what is too long. Control characters are written as Excel
writes them (``_x000D_`` for a carriage return), which Excel and LibreOffice read back.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import IO, Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

PLAIN, BOLD, ITALIC = 0, 1, 2  # the cell styles a row may have

OPTIONS = {
    "constant_memory": True,
    "in_memory": False,  # in memory, XlsxWriter would keep every sheet whole until the end
    # Text stays text: never read as a number, a formula or a link.
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    # Zip64 only for a part that needs it (Python's zipfile decides per part), not an error.
    "use_zip64": True,
}


class Sheet:
    """One sheet's rows, each after the one before."""

    def __init__(self, worksheet: Worksheet, styles: dict[int, Format | None]) -> None:
        self._worksheet = worksheet
        self._styles = styles
        self.rows = 0

    def append(self, values: Sequence[Any], style: int = PLAIN) -> None:
        """A row: None is an empty cell, int and float are numbers, str is text (put in as
        given: the caller escapes formulas and cuts what is too long)."""
        row = self.rows
        self.rows += 1
        cell_format = self._styles[style]
        write_string = self._worksheet.write_string
        write_number = self._worksheet.write_number
        for column, value in enumerate(values):
            kind = type(value)
            if kind is str:
                failed = write_string(row, column, value, cell_format)
            elif kind is int or kind is float:
                failed = write_number(row, column, value, cell_format)
            elif value is None:
                continue
            else:
                raise TypeError(f"a cell is text or a number, not {kind.__name__}")
            if failed:
                # -1: past Excel's last row or column; -2: text cut at 32,767 UTF-16 units.
                raise ValueError(f"cell {row},{column} of {self._worksheet.name}: {failed}")


class Book:
    """Sheets in the order they were added, written to ``target`` when the ``with`` ends."""

    def __init__(self, target: IO[bytes]) -> None:
        self._workbook = xlsxwriter.Workbook(target, OPTIONS)
        header = {"text_wrap": True, "valign": "top"}
        self._styles: dict[int, Format | None] = {
            PLAIN: None,
            BOLD: self._workbook.add_format({**header, "bold": True}),
            ITALIC: self._workbook.add_format({**header, "italic": True}),
        }

    def __enter__(self) -> Book:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # After an error the sheets' temporary files go with the book; nothing is zipped.
        if kind is None:
            self._workbook.close()

    def add(self, name: str, widths: Sequence[float] = (), frozen_rows: int = 0) -> Sheet:
        worksheet = self._workbook.add_worksheet(name)
        for column, width in enumerate(widths):
            worksheet.set_column(column, column, width)
        if frozen_rows:
            worksheet.freeze_panes(frozen_rows, 0)
        return Sheet(worksheet, self._styles)
