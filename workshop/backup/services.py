"""Importing a backup file into an empty database, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from workshop.backup import queries
from workshop.backup.jsonfile import BackupFile, BackupFileError

BATCH = 500  # rows per INSERT … executemany


@dataclass(frozen=True)
class Imported:
    tables: int
    rows: int


def import_file(connection: sa.Connection, backup: BackupFile) -> Imported:
    """Store every row of ``backup`` with its own ids. The caller owns the transaction: on
    BackupFileError (or any error) it rolls back and nothing is stored.

    The database must be empty and at the file's schema revision: ids, references and columns
    are then exactly the file's.
    """
    same_revision(connection, backup)
    holding = queries.holding_rows(connection)
    if holding:
        hint = (
            " To add this one seminar beside the others, with new ids, use --as-new."
            if backup.scope == "seminar"
            else ""
        )
        raise BackupFileError(
            "The database is not empty (rows in " + ", ".join(holding) + "): a backup is "
            "imported into an empty database only." + hint
        )
    for part in backup.tables:
        _insert(connection, part.table, part.rows)
    if connection.dialect.name == "postgresql":
        _reset_sequences(connection, [part.table for part in backup.tables])
    else:
        _check_references(connection)
    return Imported(tables=len(backup.tables), rows=backup.count())


def same_revision(connection: sa.Connection, backup: BackupFile) -> None:
    """Refuses a file written at another schema revision than the database's."""
    here = queries.schema_revision(connection)
    if here is None:
        raise BackupFileError("The database has no tables yet: run `flask db upgrade` first.")
    if backup.schema_revision != here:
        raise BackupFileError(
            f"The file was written at schema revision {backup.schema_revision}, the database "
            f"is at {here}: restore into a database at the file's revision (`flask db upgrade "
            f"{backup.schema_revision}`), then upgrade it."
        )


def _insert(connection: sa.Connection, table: sa.Table, rows: list[list[Any]]) -> None:
    """Rows in id order; a reference to a row of the same table (a reply's thread, a merged
    proposal) is set once every row of the table is in, as PostgreSQL checks it at once."""
    names = [c.name for c in table.columns]
    later = [names.index(fk.parent.name) for fk in table.foreign_keys if fk.column.table is table]
    updates: dict[str, list[dict[str, Any]]] = {names[i]: [] for i in later}
    batch: list[dict[str, Any]] = []
    for row in rows:
        values = dict(zip(names, row, strict=True))
        for index in later:
            if row[index] is not None:
                updates[names[index]].append({"_id": values["id"], "_v": row[index]})
                values[names[index]] = None
        batch.append(values)
        if len(batch) == BATCH:
            _execute(connection, table, batch)
            batch = []
    if batch:
        _execute(connection, table, batch)
    for name, pending in updates.items():
        if pending:
            statement = (
                table.update()
                .where(table.c.id == sa.bindparam("_id"))
                .values({name: sa.bindparam("_v")})
            )
            execute_or_refuse(connection, table, statement, pending)


def _execute(connection: sa.Connection, table: sa.Table, batch: list[dict[str, Any]]) -> None:
    execute_or_refuse(connection, table, table.insert(), batch)


def execute_or_refuse(
    connection: sa.Connection, table: sa.Table, statement: Any, params: Any = None
) -> sa.CursorResult[Any]:
    """Runs ``statement``; a row the database refuses becomes a BackupFileError naming it."""
    try:
        return connection.execute(statement, params)
    except sa.exc.DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise BackupFileError(f"Table {table.name}: the database refused a row: {reason}") from None


def _check_references(connection: sa.Connection) -> None:
    """SQLite checks no foreign key unless told to (the app does not): a reference to a row
    the file does not hold is found here, before the commit, as PostgreSQL finds it at once."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        table, rowid, parent = broken[0], broken[1], broken[2]
        raise BackupFileError(
            f"Table {table}: the database refused a row: row {rowid} names a row of {parent} "
            "that the file does not hold."
        )


def _reset_sequences(connection: sa.Connection, written: list[sa.Table]) -> None:
    """After explicit ids, each id sequence goes on from the highest id stored (else the next
    new row would collide with an imported one)."""
    for table in written:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        sequence = connection.scalar(
            sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}
        )
        if sequence is None:
            continue
        highest = sa.func.max(table.c.id)
        connection.execute(
            sa.select(sa.func.setval(sequence, sa.func.coalesce(highest, 1), highest.is_not(None)))
        )
