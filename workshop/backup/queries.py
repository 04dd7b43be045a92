"""Reads for backups: the rows a file holds (everything, or one seminar's), row counts, and the
checks a restored copy must pass. Every read takes a connection, so the same code reads the
live database, a file being imported into, and a restored scratch copy."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from workshop.backup import tables
from workshop.documents.snapshot import content_hash

BATCH = 500  # rows fetched at a time from each table


@dataclass
class Scope:
    """The rows a file holds: everything (``seminar_id`` None) or one seminar's, with the ids
    of the seminar, partnerships, accounts and hospitals it holds (references to others are
    written as null)."""

    seminar_id: int | None = None
    kept: dict[str, set[int]] = field(default_factory=dict)

    def where(self, table: sa.Table) -> sa.ColumnElement[bool] | None:
        if self.seminar_id is None:
            return None
        if table.name in tables.PEOPLE:
            return table.c.id.in_(sorted(self.kept[table.name]))
        return tables.SEMINAR_ROWS[table.name](table, self.seminar_id)


def seminar_exists(connection: sa.Connection, seminar_id: int) -> bool:
    seminar = tables.table("seminar")
    found = connection.scalar(sa.select(seminar.c.id).where(seminar.c.id == seminar_id))
    return found is not None


def seminar_scope(connection: sa.Connection, seminar_id: int) -> Scope:
    """One seminar: its rows, and every account and hospital they name (never others)."""
    scope = Scope(seminar_id=seminar_id)
    partnership = tables.table("partnership")
    scope.kept["seminar"] = {seminar_id}
    scope.kept["partnership"] = set(
        connection.scalars(tables.seminar_partnerships(seminar_id)).all()
    )
    named = []
    for name, where in tables.SEMINAR_ROWS.items():
        t = tables.table(name)
        for fk in t.foreign_keys:
            if fk.column.table.name == "account":
                named.append(sa.select(fk.parent).where(where(t, seminar_id)))
    account = tables.table("account")
    ours = partnership.c.id.in_(tables.seminar_partnerships(seminar_id))
    tables_hospitals = [
        sa.select(partnership.c.ua_institution_id).where(ours),
        sa.select(partnership.c.partner_institution_id).where(ours),
    ]
    # The heads of the tables' hospitals: they read and sign the partnerships' documents.
    named.append(
        sa.select(account.c.id).where(
            account.c.role == "head", account.c.institution_id.in_(sa.union(*tables_hospitals))
        )
    )
    accounts = set(connection.scalars(sa.union(*named)).all()) - {None}
    scope.kept["account"] = accounts
    sign_off = tables.table("sign_off")
    hospitals = sa.union(
        *tables_hospitals,
        sa.select(account.c.institution_id).where(account.c.id.in_(sorted(accounts))),
        sa.select(sign_off.c.institution_id).where(
            tables.SEMINAR_ROWS["sign_off"](sign_off, seminar_id)
        ),
    )
    scope.kept["institution"] = set(connection.scalars(hospitals).all()) - {None}
    return scope


def rows(connection: sa.Connection, table: sa.Table, scope: Scope) -> Iterator[list[Any]]:
    """The table's rows in primary-key order, each a list of encoded values in column order.
    In one seminar's file a reference to a row the file does not hold is null (a seat taken
    in another seminar, say); a row that cannot do without it is left out."""
    query = sa.select(table).order_by(*table.primary_key.columns)
    where = scope.where(table)
    if where is not None:
        query = query.where(where)
    checks = _reference_checks(table, scope)
    for row in connection.execute(query.execution_options(yield_per=BATCH)):
        values = list(row)
        if checks and not _fix_references(values, checks):
            continue
        yield [tables.encode(v) for v in values]


def _reference_checks(table: sa.Table, scope: Scope) -> list[tuple[int, set[int], bool]]:
    if scope.seminar_id is None:
        return []
    columns = list(table.columns)
    return [
        (columns.index(fk.parent), scope.kept[fk.column.table.name], bool(fk.parent.nullable))
        for fk in table.foreign_keys
        if fk.column.table.name in scope.kept
    ]


def _fix_references(values: list[Any], checks: list[tuple[int, set[int], bool]]) -> bool:
    for index, kept, nullable in checks:
        if values[index] is None or values[index] in kept:
            continue
        if not nullable:
            return False
        values[index] = None
    return True


def counts(connection: sa.Connection) -> dict[str, int]:
    """Rows per table of the models, every table (left-out ones too: a copy holds them)."""
    return {
        t.name: int(connection.scalar(sa.select(sa.func.count()).select_from(t)) or 0)
        for t in tables.Base.metadata.sorted_tables
    }


def schema_revision(connection: sa.Connection) -> str | None:
    """The database's Alembic revision, None when it has none (not migrated)."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    found = connection.scalars(sa.text("SELECT version_num FROM alembic_version")).all()
    return ",".join(sorted(found)) or None


def holding_rows(connection: sa.Connection) -> list[str]:
    """The tables a backup writes that hold rows already (none in an empty database; a left-out
    table's rows, a throttle count say, do not make it non-empty)."""
    return [
        t.name
        for t in tables.backed_up()
        if connection.scalar(sa.select(sa.literal(1)).select_from(t).limit(1)) is not None
    ]


@dataclass
class HashCheck:
    files: int = 0
    versions: int = 0
    signoffs: int = 0
    problems: list[str] = field(default_factory=list)


def verify_documents(connection: sa.Connection) -> HashCheck:
    """Every stored file's bytes match its SHA-256 and size, every document version's snapshot
    its content hash, every sign-off the hash of the version it signs."""
    check = HashCheck()
    version = tables.table("document_version")
    stored = {}
    for row in connection.execute(
        sa.select(version.c.id, version.c.snapshot, version.c.content_hash)
        .order_by(version.c.id)
        .execution_options(yield_per=BATCH)
    ):
        check.versions += 1
        stored[row.id] = row.content_hash
        if content_hash(row.snapshot) != row.content_hash:
            check.problems.append(f"document version {row.id}: snapshot does not match its hash")
    file = tables.table("document_file")
    for row in connection.execute(
        sa.select(file.c.id, file.c.data, file.c.sha256, file.c.size)
        .order_by(file.c.id)
        .execution_options(yield_per=50)
    ):
        check.files += 1
        data = bytes(row.data)
        if hashlib.sha256(data).hexdigest() != row.sha256 or len(data) != row.size:
            check.problems.append(f"document file {row.id}: bytes do not match its SHA-256")
    sign_off = tables.table("sign_off")
    for row in connection.execute(
        sa.select(sign_off.c.id, sign_off.c.version_id, sign_off.c.content_hash).order_by(
            sign_off.c.id
        )
    ):
        check.signoffs += 1
        if stored.get(row.version_id) != row.content_hash:
            check.problems.append(f"sign-off {row.id}: not the hash of the version it signs")
    return check
