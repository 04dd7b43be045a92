"""SQLite transactions that behave like PostgreSQL's.

Python's sqlite3 driver opens a transaction only before its first INSERT/UPDATE/DELETE. A
SAVEPOINT issued before that (every answer save runs in ``begin_nested``) therefore opens the
transaction itself, and releasing it commits everything: a later rollback undoes nothing. So the
driver's own transaction handling is switched off and SQLAlchemy says BEGIN itself, as the
SQLAlchemy documentation advises for pysqlite.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None


def _on_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")


def install() -> None:
    """Apply to every engine the app creates (idempotent)."""
    if not sa.event.contains(Engine, "connect", _on_connect):
        sa.event.listen(Engine, "connect", _on_connect)
        sa.event.listen(Engine, "begin", _on_begin)
