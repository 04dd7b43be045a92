"""Adding one seminar's file to a database that holds others: every row gets a new id.

Hospitals already there (same country and English name) and people already there (same e-mail
or return code) are taken as they are, not copied; a partnership whose pair is already there
is refused (its answers would meet the pair's own). Ids inside stored JSON (a document's
signed snapshot, an audit line's details) stay the file's: they are what was signed or said.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa

from workshop import codes
from workshop.backup.jsonfile import BackupFile, BackupFileError, TableRows
from workshop.backup.services import BATCH, Imported, execute_or_refuse, same_revision

Ids = dict[str, dict[int, int]]  # table → the file's id → the database's


def import_as_new(connection: sa.Connection, backup: BackupFile) -> Imported:
    """Store a one-seminar file beside what the database holds. The caller owns the
    transaction: on BackupFileError it rolls back and nothing is stored."""
    same_revision(connection, backup)
    if backup.scope != "seminar":
        raise BackupFileError(
            "This file holds a whole database: only a one-seminar file (`flask workshop export "
            "--seminar ID`) can be added to a database that holds data."
        )
    ids: Ids = {}
    stored = 0
    for part in backup.tables:
        if part.rows:
            stored += _store(connection, part, ids)
    return Imported(tables=len(backup.tables), rows=stored)


def _store(connection: sa.Connection, part: TableRows, ids: Ids) -> int:
    table = part.table
    names = [c.name for c in table.columns]
    numbered = "id" in table.c and table.c.id.primary_key
    mine = ids.setdefault(table.name, {})
    selfref = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    pending: list[tuple[int, dict[str, Any]]] = []
    # A reference to a row of the same table (a reply's thread, a merged proposal) is set once
    # every row has its new id: (the row's file id, the column, the file id it names).
    deferred: list[tuple[int, str, int]] = []
    for row in part.rows:
        values = dict(zip(names, row, strict=True))
        old = values.pop("id") if numbered else 0
        for name in selfref:
            if values[name] is not None:
                deferred.append((old, name, values[name]))
                values[name] = None
        _renumber(table, values, ids)
        found = _existing(connection, table, values)
        if found is not None:
            mine[old] = found
            continue
        _fresh_unique(connection, table, values)
        pending.append((old, values))
    for start in range(0, len(pending), BATCH):
        chunk = pending[start : start + BATCH]
        rows = [values for _old, values in chunk]
        if numbered:
            statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
            new = execute_or_refuse(connection, table, statement, rows).scalars().all()
            mine.update((old, n) for (old, _values), n in zip(chunk, new, strict=True))
        else:
            execute_or_refuse(connection, table, table.insert(), rows)
    for old, name, target in deferred:
        if target not in mine:
            raise BackupFileError(
                f"Table {table.name}: row {old} names row {target}, which the file does not hold."
            )
        statement = table.update().where(table.c.id == mine[old]).values({name: mine[target]})
        execute_or_refuse(connection, table, statement)
    return len(pending)


def _renumber(table: sa.Table, values: dict[str, Any], ids: Ids) -> None:
    """The file's references in the database's ids (the audit trail's places too: they are
    plain columns there, not foreign keys)."""
    for fk in table.foreign_keys:
        name, target = fk.parent.name, fk.column.table.name
        if values[name] is None or fk.column.table is table:
            continue
        try:
            values[name] = ids[target][values[name]]
        except KeyError:
            raise BackupFileError(
                f"Table {table.name}: a row names {target} {values[name]}, which the file "
                "does not hold."
            ) from None
    if table.name == "audit_event":
        for name, target in (("seminar_id", "seminar"), ("partnership_id", "partnership")):
            values[name] = ids.get(target, {}).get(values[name])
        kind = (values.get("object_type") or "").replace("_", "")
        named = {t.replace("_", ""): t for t in ids}.get(kind)
        if named is not None and values.get("object_id") is not None:
            values["object_id"] = ids[named].get(values["object_id"])


def _existing(connection: sa.Connection, table: sa.Table, values: dict[str, Any]) -> int | None:
    """The id of the same hospital or person already in the database; refuses a pair that is."""
    if table.name == "institution":
        return connection.scalar(
            sa.select(table.c.id).where(
                table.c.country == values["country"], table.c.name_en == values["name_en"]
            )
        )
    if table.name == "account":
        keys = [
            table.c[name] == values[name]
            for name in ("email", "return_code_hash")
            if values[name] is not None
        ]
        # The e-mail and the return code may name two stored people: the oldest is taken, the
        # same one on every run, rather than whichever row the database happens to read first.
        return (
            connection.scalar(sa.select(table.c.id).where(sa.or_(*keys)).order_by(table.c.id))
            if keys
            else None
        )
    if table.name == "partnership":
        found = connection.scalar(
            sa.select(table.c.id).where(
                table.c.ua_institution_id == values["ua_institution_id"],
                table.c.partner_institution_id == values["partner_institution_id"],
            )
        )
        if found is not None:
            raise BackupFileError(
                f"The partnership of hospitals {values['ua_institution_id']} and "
                f"{values['partner_institution_id']} is already in this database (partnership "
                f"{found}): a seminar with it cannot be added as new."
            )
    return None


def _fresh_unique(connection: sa.Connection, table: sa.Table, values: dict[str, Any]) -> None:
    """A new join code or verification token where the file's is taken already."""
    fresh = {
        "seminar": ("join_code", lambda: codes.new_code(codes.JOIN_CODE_LENGTH)),
        "document_version": ("verify_token", lambda: secrets.token_urlsafe(32)),
    }.get(table.name)
    if fresh is None:
        return
    name, make = fresh
    while connection.scalar(sa.select(table.c.id).where(table.c[name] == values[name])):
        values[name] = make()
