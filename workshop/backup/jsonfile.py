"""The backup file: version 2 of the web export's ``twinning-workshop/seminar`` format, written
as it is read and checked as a whole before anything is stored (docs/backup.md).

Version 1 (the web download, docs/exports.md) is a reader's view of one seminar: names, totals,
no secrets. Version 2 (``kind: "backup"``) is the same envelope and the same value encoding,
with every column of every table the restore needs, row by row, under ``tables``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import sqlalchemy as sa

from workshop.backup import queries, tables
from workshop.exports.cells import moment
from workshop.exports.seminar_json import FORMAT
from workshop.models import utcnow
from workshop.usererror import UserError

FORMAT_VERSION = 2
KIND = "backup"


class BackupFileError(UserError):
    """The file cannot be imported; the message says what is wrong and where."""


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def chunks(connection: sa.Connection, scope: queries.Scope, revision: str | None) -> Iterator[str]:
    """The file, a piece at a time: a header, then each table's columns and its rows, one row
    a line, parents before children."""
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": moment(utcnow(), "microseconds"),
        "kind": KIND,
        "scope": "all" if scope.seminar_id is None else "seminar",
        "schema_revision": revision,
        "seminar": _seminar(connection, scope.seminar_id),
    }
    yield "{\n" + ",\n".join(f"{_dump(k)}: {_dump(v)}" for k, v in header.items())
    yield ',\n"tables": {'
    for n, table in enumerate(tables.backed_up()):
        columns = [c.name for c in table.columns]
        yield ("\n" if n == 0 else ",\n") + f'{_dump(table.name)}: {{"columns": {_dump(columns)}'
        yield ', "rows": ['
        first = True
        for row in queries.rows(connection, table, scope):
            yield ("\n  " if first else ",\n  ") + _dump(row)
            first = False
        yield "]}" if first else "\n]}"
    yield "\n}\n}\n"


def _seminar(connection: sa.Connection, seminar_id: int | None) -> dict[str, Any] | None:
    """Which seminar a one-seminar file holds, for the person who opens it."""
    if seminar_id is None:
        return None
    t = tables.table("seminar")
    row = connection.execute(
        sa.select(t.c.id, t.c.title_en, t.c.title_uk, t.c.starts_on).where(t.c.id == seminar_id)
    ).one()
    return {key: tables.encode(value) for key, value in row._mapping.items()}


def write(
    connection: sa.Connection, out: IO[str], scope: queries.Scope, revision: str | None
) -> None:
    for piece in chunks(connection, scope, revision):
        out.write(piece)


@dataclass
class TableRows:
    table: sa.Table
    rows: list[list[Any]]


@dataclass
class BackupFile:
    scope: str
    schema_revision: str | None
    seminar: dict[str, Any] | None
    tables: list[TableRows] = field(default_factory=list)

    def count(self) -> int:
        return sum(len(t.rows) for t in self.tables)


def read(source: IO[str], name: str) -> BackupFile:
    """Parse and check a whole file; raises BackupFileError naming the first problem."""
    try:
        data = json.load(source)
    except json.JSONDecodeError as error:
        raise BackupFileError(
            f"{name} is not JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "was it cut short or changed?"
        ) from None
    except UnicodeDecodeError:
        raise BackupFileError(f"{name} is not UTF-8 text: not a workshop backup.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupFileError(f"{name} is not a Twinning Workshop file (no format {FORMAT!r}).")
    version = data.get("format_version")
    if version == 1:
        raise BackupFileError(
            f"{name} is a web export (format version 1): it leaves out passwords, codes and "
            "who voted, so it cannot restore a database. Use a file of `flask workshop export`."
        )
    if version != FORMAT_VERSION or data.get("kind") != KIND:
        raise BackupFileError(
            f"{name} has format version {version!r}, kind {data.get('kind')!r}; this workshop "
            f"reads version {FORMAT_VERSION}, kind {KIND!r}."
        )
    parsed = BackupFile(
        scope=data.get("scope"),
        schema_revision=data.get("schema_revision"),
        seminar=data.get("seminar"),
    )
    found = data.get("tables")
    if parsed.scope not in ("all", "seminar") or not isinstance(found, dict):
        raise BackupFileError(f"{name}: needs a scope ('all' or 'seminar') and a 'tables' object.")
    expected = {t.name: t for t in tables.backed_up()}
    unknown = sorted(set(found) - set(expected))
    if unknown:
        raise BackupFileError(f"{name}: tables this workshop does not have: {', '.join(unknown)}.")
    missing = sorted(set(expected) - set(found))
    if missing:
        raise BackupFileError(f"{name}: tables missing from the file: {', '.join(missing)}.")
    for table in expected.values():
        parsed.tables.append(_table(name, table, found[table.name]))
    return parsed


def _table(name: str, table: sa.Table, part: Any) -> TableRows:
    where = f"{name}, table {table.name}"
    if not isinstance(part, dict) or not isinstance(part.get("rows"), list):
        raise BackupFileError(f"{where}: needs 'columns' and 'rows'.")
    columns = [c.name for c in table.columns]
    if part.get("columns") != columns:
        raise BackupFileError(
            f"{where}: the columns {part.get('columns')!r} are not this database's {columns!r}."
        )
    decoders = [tables.decoder(c) for c in table.columns]
    rows = []
    for number, row in enumerate(part["rows"], start=1):
        if not isinstance(row, list) or len(row) != len(columns):
            raise BackupFileError(f"{where}, row {number}: expected {len(columns)} values.")
        try:
            rows.append([decode(value) for decode, value in zip(decoders, row, strict=True)])
        except (ValueError, TypeError) as error:
            raise BackupFileError(f"{where}, row {number}: {error}") from None
    return TableRows(table, rows)
