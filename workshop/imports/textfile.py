"""Reading a CSV (or Excel's "Unicode text") in the encodings organisers' computers save.

Excel on a Ukrainian Windows saves "CSV" in Windows-1251 and "CSV UTF-8" with a byte order
mark; "Unicode text" is UTF-16 with tabs. Each of these is read; anything else is refused with
how to save the file instead, never shown as mojibake.
"""

from __future__ import annotations

import codecs
import csv
import io
import re

from flask_babel import lazy_gettext as _l

from workshop.imports.errors import UnreadableFile

_WORD = re.compile(r"[^\W\d_]+")


def _wrong_encoding() -> UnreadableFile:
    return UnreadableFile(
        _l(
            "The letters in this file could not be read: it is not in UTF-8 or the Windows "
            "Cyrillic encoding. In Excel choose “CSV UTF-8” when saving, or upload the .xlsx "
            "file itself."
        )
    )


def _utf16_without_mark(data: bytes) -> str | None:
    """UTF-16 without a byte order mark shows as every other byte being zero."""
    head = data[:200]
    if len(head) < 4 or len(head) % 2:
        return None
    if not any(head[1::2]) and all(head[0::2]):
        return "utf-16-le"
    if not any(head[0::2]) and all(head[1::2]):
        return "utf-16-be"
    return None


def _plausible_cyrillic(text: str) -> bool:
    """Whether text decoded as Windows-1251 reads as words: a West European file decoded so
    turns "Charité" into "Charitй", a Latin word with a Cyrillic letter in it."""
    for word in _WORD.findall(text):
        cyrillic = sum(1 for ch in word if "\u0400" <= ch <= "\u04ff")
        if cyrillic and cyrillic * 2 < len(word):
            return False
    return True


def decode(data: bytes) -> str:
    """The text of an uploaded CSV; raise UnreadableFile for an encoding it cannot be in."""
    encoding = None
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = _utf16_without_mark(data)
    if encoding is not None:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            raise _wrong_encoding() from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError as error:
        raise _wrong_encoding() from error
    if not _plausible_cyrillic(text):
        raise _wrong_encoding()
    return text


def csv_rows(data: bytes, *, max_rows: int) -> list[list[str]]:
    text = decode(data)
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
