"""The answers export written out: a CSV (long format) and a workbook (long, one sheet per stage,
the columns explained, the questions listed).

CSV: UTF-8 with a byte-order mark (Excel then reads Ukrainian right), commas, RFC 4180 quoting
and CRLF line ends, sent as it is written, a partnership at a time. Workbook: written by
XlsxWriter (``exports.xlsx``) through temporary files, so its size is not held in memory. Text
cells in both are escaped against formulas (``cells``).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from flask_babel import gettext as _

from workshop.exports import columns as described
from workshop.exports.answers import SeminarAnswers, long_lines, wide_lines
from workshop.exports.cells import csv_text, escape
from workshop.exports.layout import StageSheet, codebook
from workshop.exports.xlsx import BOLD, ITALIC, Book, Sheet

BOM = "\ufeff"
LONG_SHEET = "answers"
COLUMNS_SHEET = "columns"
QUESTIONS_SHEET = "questions"
EXCEL_ROWS = 1_048_576  # a sheet's limit: the long sheet goes on in "answers 2", "answers 3"…
EXCEL_CELL = 32_767  # UTF-16 units a cell may hold (a character past U+FFFF takes two)
CUT = " […]"  # ends a stage sheet's cell that was cut to fit; the long sheet has every word


def _csv_line(values: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([csv_text(v) for v in values])
    return out.getvalue()


def csv_chunks(export: SeminarAnswers) -> Iterator[str]:
    """The CSV, a partnership at a time: the header line first, with the byte-order mark."""
    yield BOM + _csv_line(list(described.LONG_KEYS))
    for table in export.tables():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for line in long_lines(export.seminar_id, table):
            writer.writerow([csv_text(v) for v in line])
        if out.tell():
            yield out.getvalue()


# -- The workbook -------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is int or kind is float:
        return value
    text = escape(value if kind is str else str(value))
    # Only a text longer than half the limit can pass it: the common case skips the encoding.
    if len(text) > EXCEL_CELL // 2 and len(units := text.encode("utf-16-le")) > 2 * EXCEL_CELL:
        # A character cut in half (a surrogate pair) is dropped whole.
        kept = units[: 2 * (EXCEL_CELL - len(CUT))].decode("utf-16-le", errors="ignore")
        text = kept + CUT
    return text


class _Sheet:
    """A sheet with a bold header row (and an italic second one), frozen below them."""

    def __init__(
        self,
        book: Book,
        title: str,
        header: list[str],
        *,
        widths: list[float],
        under: list[str] | None = None,  # a second header row (what the keys mean)
    ) -> None:
        self.sheet: Sheet = book.add(title, widths, frozen_rows=2 if under else 1)
        self.sheet.append([_value(v) for v in header], BOLD)
        if under:
            self.sheet.append([_value(v) for v in under], ITALIC)

    @property
    def rows(self) -> int:
        return self.sheet.rows

    def append(self, values: list[Any]) -> None:
        self.sheet.append([_value(v) for v in values])


class _LongSheets:
    """The long format over as many sheets as Excel's row limit needs."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.count = 0
        self.sheet = self._next()

    def _next(self) -> _Sheet:
        self.count += 1
        title = LONG_SHEET if self.count == 1 else f"{LONG_SHEET} {self.count}"
        widths: list[float] = [14 if c.numeric else 24 for c in described.LONG_COLUMNS]
        return _Sheet(self.book, title, list(described.LONG_KEYS), widths=widths)

    def append(self, values: list[Any]) -> None:
        if self.sheet.rows >= EXCEL_ROWS:
            self.sheet = self._next()
        self.sheet.append(values)


def _columns_sheet(book: Book, export: SeminarAnswers) -> None:
    sheet = _Sheet(book, COLUMNS_SHEET, ["sheet", "column", _("What it is")], widths=[18, 26, 100])
    for column in described.LONG_COLUMNS:
        sheet.append([LONG_SHEET, column.key, str(column.meaning)])
    stages = ", ".join(s.name for s in export.sheets) or "—"
    for column in described.WIDE_COLUMNS:
        sheet.append([stages, column.key, str(column.meaning)])
    sheet.append(
        [
            stages,
            "question_key",
            _(
                "One column per question of the stage; for a table, one per column "
                "(question_key.column_key) with a line per row. The second row says what each "
                "column asks. The sheet questions lists every question."
            ),
        ]
    )
    for column in described.QUESTION_COLUMNS:
        sheet.append([QUESTIONS_SHEET, column.key, str(column.meaning)])
    sheet.append(
        [
            "*",
            "(formulas)",
            _(
                "A text cell that starts with = + - @, a tab, a carriage return or an "
                "apostrophe has an apostrophe put in front, so that it is never run as a "
                "formula: remove the first apostrophe to get the value back."
            ),
        ]
    )


def xlsx_file(export: SeminarAnswers, lang: str) -> IO[bytes]:
    """The workbook in a temporary file, read from its start. Stage sheets speak ``lang``."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    # The long sheets come first, and how many the lines fill is known only at the end:
    # XlsxWriter adds sheets only last, so the stage sheets' lines wait in a temporary file
    # (one JSON array a line: the sheet's number, then the cells) and are written after them.
    with Book(out) as book, tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n") as wait:
        long = _LongSheets(book)
        for table in export.tables():
            for line in long_lines(export.seminar_id, table):
                long.append(line)
            for n, sheet in enumerate(export.sheets):
                for line in wide_lines(sheet, table, lang):
                    wait.write(json.dumps([n, *map(_value, line)], ensure_ascii=False) + "\n")
        stages = [_stage_sheet(book, sheet, lang) for sheet in export.sheets]
        wait.seek(0)
        for waiting in wait:
            n, *cells = json.loads(waiting)
            stages[n].sheet.append(cells)  # the cells are made ready already (_value)
        _columns_sheet(book, export)
        questions = _Sheet(
            book,
            QUESTIONS_SHEET,
            [c.key for c in described.QUESTION_COLUMNS],
            widths=[10, 8, 18, 18, 26, 20, 14, 8, 60, 60],
        )
        for line in codebook(export.methods):
            questions.append(line)
    out.seek(0)
    return out


def _stage_sheet(book: Book, sheet: StageSheet, lang: str) -> _Sheet:
    fixed = described.WIDE_COLUMNS
    return _Sheet(
        book,
        sheet.name,
        [c.key for c in fixed] + [c.header for c in sheet.columns],
        widths=[12, 30, 30, 30, 30, 10, 8, 10] + [40] * len(sheet.columns),
        under=[str(c.meaning) for c in fixed] + [c.label(lang) for c in sheet.columns],
    )
