"""Reading an Excel workbook (.xlsx) that may have been made to hurt.

An .xlsx is a zip of XML files. Before openpyxl sees one, the zip's directory is read: a file
that unpacks to far more than any list of partnerships (a zip bomb) is refused by the sizes its
parts declare, which also bound what Python's zipfile will inflate. Every XML part is then
read as text: a document type declaration (how "billion laughs" and external entities start;
Excel never writes one) or an encoding other than UTF-8 is refused, so no parser ever expands
an entity or fetches anything.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from datetime import date, datetime
from typing import IO

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from workshop.imports.errors import UnreadableFile

# Far above a workbook of a few thousand rows (a few MB unpacked, styles and themes included).
MAX_UNPACKED_BYTES = 25 * 1024 * 1024
MAX_PARTS = 1000
# XML compresses well, but not this well unless it repeats one thing on purpose.
MAX_RATIO = 200
RATIO_FROM_BYTES = 1024 * 1024  # small parts may compress better; their size is bounded anyway
# Columns read per row: enough to notice cells beyond the header, never a sheet's 16384.
MAX_COLUMNS = 64
CHUNK = 64 * 1024

_DECLARATION = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)", re.IGNORECASE)
_DANGEROUS = ("<!doctype", "<!entity")


def _not_a_workbook() -> UnreadableFile:
    return UnreadableFile(_l("The file could not be opened as an Excel workbook (.xlsx)."))


def _unsafe() -> UnreadableFile:
    return UnreadableFile(
        _l(
            "This workbook has parts Excel does not write (a document type declaration or an "
            "unusual encoding), so it was not opened. Open it in Excel and save it again as "
            ".xlsx, or save it as CSV UTF-8."
        )
    )


def _check_part(part: IO[bytes]) -> None:
    """Refuse an XML part that declares a document type or is not UTF-8."""
    head = part.read(CHUNK)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[:2] in (
        b"<\x00",
        b"\x00<",
    ):
        raise _unsafe()
    head = head.removeprefix(codecs.BOM_UTF8)
    if not head.lstrip().startswith(b"<"):
        return  # not XML (an image, a printer setting): no XML parser reads it
    declared = _DECLARATION.match(head.lstrip())
    if declared and declared.group(1).lower().replace(b"-", b"") != b"utf8":
        raise _unsafe()
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail = ""
    chunk = head
    while chunk:
        try:
            text = tail + decoder.decode(chunk).casefold()
        except UnicodeDecodeError as error:
            raise _unsafe() from error
        if any(word in text for word in _DANGEROUS):
            raise _unsafe()
        tail = text[-len("<!doctype") :]
        chunk = part.read(CHUNK)


def check_archive(data: bytes) -> None:
    """Refuse a zip bomb, and XML parts that are dangerous to parse, before openpyxl runs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _not_a_workbook() from error
    with archive:
        parts = archive.infolist()
        unpacked = sum(part.file_size for part in parts)
        if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES:
            raise UnreadableFile(
                _l(
                    "This workbook unpacks to more than %(mb)d MB, far more than a list of "
                    "partnerships needs, so it was not opened.",
                    mb=MAX_UNPACKED_BYTES // (1024 * 1024),
                )
            )
        for part in parts:
            if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(
                part.compress_size, 1
            ):
                raise UnreadableFile(
                    _l(
                        "This workbook is packed in a way that unpacks to much more than it "
                        "holds (a “zip bomb”), so it was not opened."
                    )
                )
        try:
            for part in parts:
                with archive.open(part) as stream:
                    _check_part(stream)
        # A damaged zip: a wrong checksum, an unknown compression, a password.
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as error:
            raise _not_a_workbook() from error


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, ArrayFormula | DataTableFormula):
        return "=" + str(getattr(value, "text", "") or "")  # refused as a formula
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_rows(data: bytes, *, max_rows: int) -> list[list[str]]:
    check_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    # openpyxl raises whatever its parts' parsers raise for a damaged workbook (KeyError,
    # TypeError, ParseError, ...): each means the same to the person, so each is caught here.
    except Exception as error:
        raise _not_a_workbook() from error
    try:
        if not book.worksheets:
            return []
        sheet = book.worksheets[0]
        # The size a sheet declares may be wrong (other programs write "A1"): read what is there.
        sheet.reset_dimensions()
        rows = []
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append([_cell(v) for v in row])
            if len(rows) > max_rows + 1:
                break
        return rows
    except Exception as error:  # as above, for the sheet's own XML
        raise _not_a_workbook() from error
    finally:
        book.close()
