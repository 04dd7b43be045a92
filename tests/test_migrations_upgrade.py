"""Every migration upgrades a database that holds data: from each earlier revision, with rows in
every table it had then, to the head, where the rows are still there and the models read them.

The revisions come from the script directory, in order, so a new migration is walked without
touching this file. At each revision the test reflects the tables that exist and inserts two
rows into each: values chosen from the column's type, the values a CHECK constraint allows,
and foreign keys pointing at rows inserted just before; one row of each pair in Ukrainian, so
data migrations that tell the languages apart see both.

Downgrades are not tested, and are not the way back: a release goes forward only; to go back,
restore the backup taken before `flask db upgrade` with the release that took it
(docs/backup.md). Some downgrades refuse on purpose where data would be lost (the cycles
migration, with a later cycle stored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask

from tests import factories
from tests.conftest import _config
from tests.test_migrations_and_demo import empty_database_url  # noqa: F401 - a fixture
from workshop import create_app
from workshop.extensions import db
from workshop.models import Base

# Rows a migration throws away on purpose, by the revision that does it: (table, why).
DISCARDED = {
    "8e55c5ebc21c": {"throttle": "counters of the old fixed windows mean nothing to the new waits"},
}

Rows = dict[str, set[tuple[Any, ...]]]


@pytest.fixture
def migrating_app(
    empty_database_url: str,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Flask]:
    """An app on a database of its own with no tables, in its app context."""
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    fresh = create_app(_config(empty_database_url))
    with fresh.app_context():
        yield fresh
        db.session.remove()
        db.engine.dispose()


def _alembic(app: Flask) -> Config:
    return app.extensions["migrate"].migrate.get_config()


def _revisions(config: Config) -> list[str]:
    """Every revision, oldest first (the script directory is the only list)."""
    script = ScriptDirectory.from_config(config)
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def test_there_is_one_head_and_one_line_of_revisions(migrating_app: Flask) -> None:
    script = ScriptDirectory.from_config(_alembic(migrating_app))
    assert len(script.get_heads()) == 1, "two migrations share a parent: merge them"
    assert len(script.get_bases()) == 1


def test_every_revision_upgrades_with_data_in_every_table(migrating_app: Flask) -> None:
    config = _alembic(migrating_app)
    stored: Rows = {}
    for step, revision in enumerate(_revisions(config)):
        command.upgrade(config, revision)
        with db.engine.begin() as connection:
            tables = _tables(connection)
            present = _primary_keys(connection, tables)
            for table, why in DISCARDED.get(revision, {}).items():
                assert present.get(table) == set(), f"{revision} keeps {table}: {why}?"
                stored.pop(table, None)
            for table, keys in stored.items():
                lost = keys - present.get(table, set())
                assert not lost, f"upgrading to {revision} lost {len(lost)} rows of {table}"
            for table, keys in _insert_two_rows_per_table(connection, tables, step).items():
                stored.setdefault(table, set()).update(keys)
    assert stored, "no table was given rows"
    with db.engine.connect() as connection:
        at_head = _primary_keys(connection, _tables(connection))
    assert all(keys <= at_head[table] for table, keys in stored.items())
    _read_every_row_through_the_models()
    # …and the app can still add to them: the database's id counters are not behind the rows.
    factories.build_world()
    db.session.commit()


def _read_every_row_through_the_models() -> None:
    """Load every row of every model and every column of it: a value a model cannot read (a
    name its enum lacks, text where it wants JSON, a naive time) raises here."""
    for mapper in Base.registry.mappers:
        for row in db.session.scalars(sa.select(mapper.class_)):
            for attribute in mapper.column_attrs:
                getattr(row, attribute.key)
    db.session.rollback()


def _tables(connection: sa.Connection) -> list[sa.Table]:
    """The tables there are now (reflected), parents before children."""
    metadata = sa.MetaData()
    metadata.reflect(connection)
    return [table for table in metadata.sorted_tables if table.name != "alembic_version"]


def _primary_keys(connection: sa.Connection, tables: list[sa.Table]) -> Rows:
    return {
        table.name: {tuple(row) for row in connection.execute(sa.select(*table.primary_key))}
        for table in tables
    }


def _insert_two_rows_per_table(
    connection: sa.Connection, tables: list[sa.Table], step: int
) -> Rows:
    """Two rows in every table there is at this revision; their primary keys, by table."""
    inserted: dict[str, list[dict[str, Any]]] = {}
    keys: Rows = {}
    for table in tables:
        allowed = _allowed_values(table)
        rows = [_row(table, step, k, allowed, inserted) for k in (0, 1)]
        connection.execute(table.insert(), rows)
        inserted[table.name] = rows
        keys[table.name] = {tuple(row[c.name] for c in table.primary_key) for row in rows}
    return keys


def _allowed_values(table: sa.Table) -> dict[str, Any]:
    """The first value each ``column IN ('a', 'b')`` CHECK (an enum's) allows, by column."""
    allowed: dict[str, Any] = {}
    for check in table.constraints:
        if not isinstance(check, sa.CheckConstraint):
            continue
        text = str(check.sqltext)
        literals = re.findall(r"'([^']*)'", text)
        # PostgreSQL spells it ``((kind)::text = ANY ((ARRAY['a'::character varying, …``:
        # casts and literals name no column.
        bare = re.sub(r"::[a-z ]+", "", re.sub(r"'[^']*'", "", text))
        named = [c.name for c in table.columns if re.search(rf"\b{c.name}\b", bare)]
        if literals and len(named) == 1:
            allowed[named[0]] = literals[0]
    return allowed


def _row(
    table: sa.Table,
    step: int,
    k: int,
    allowed: dict[str, Any],
    inserted: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    row: dict[str, Any] = {}
    pointing_at: dict[str, int] = {}  # how many columns so far point at each table
    for column in table.columns:
        foreign = next(iter(column.foreign_keys), None)
        if foreign is not None:
            target = foreign.column
            if target.table.name == table.name:
                row[column.name] = None  # a row pointing at its own kind: the first has none
                continue
            nth = pointing_at.get(target.table.name, 0)
            pointing_at[target.table.name] = nth + 1
            # Two columns pointing at one table get different rows (a partnership's hospitals).
            row[column.name] = inserted[target.table.name][(k + nth) % 2][target.name]
        elif column.primary_key and isinstance(column.type, sa.Integer):
            # Far above the counters, so rows the app adds later take ids of their own.
            row[column.name] = 1000 * (step + 1) + k
        elif column.name in allowed:
            row[column.name] = allowed[column.name]
        else:
            row[column.name] = _value(column, step, k)
    return row


def _value(column: sa.Column[Any], step: int, k: int) -> Any:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return bool(k)
    if isinstance(kind, sa.Integer | sa.Numeric):
        return k + 1
    if isinstance(kind, sa.DateTime):
        return datetime(2024, 3, 1 + k, 9, 30, tzinfo=UTC)
    if isinstance(kind, sa.Date):
        return date(2024, 3, 1)  # one day for every date column: starts_on <= ends_on
    if isinstance(kind, sa.Time):
        return time(9, 30)
    if isinstance(kind, sa.JSON):
        return [{"row": f"r{step}{k}", "text": "seeded"}] if k else {"seeded": step}
    if isinstance(kind, sa.LargeBinary):
        return b"seeded"
    if isinstance(kind, sa.String):
        # What makes the row unique first, where a short column keeps it.
        text = f"{step}.{k} " + (column.name if k == 0 else f"Київ {column.name}")
        return text[: kind.length] if kind.length else text
    raise AssertionError(f"no test value for {column.table.name}.{column.name}: {kind!r}")
