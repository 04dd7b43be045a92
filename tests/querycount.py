"""Counting the SQL statements a piece of work sends: the query budgets the tests hold pages to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from workshop.extensions import db


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """The statements sent inside the block. Savepoints and their release or rollback are left
    out: they are bookkeeping of a transaction, not queries a page asks for."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    with on_every_engine(record):
        yield statements


@contextmanager
def on_every_engine(record: Callable[..., None]) -> Iterator[None]:
    """``record`` called before every statement the app sends, on any of its engines (on
    PostgreSQL an autosave has an engine of its own, database.ONE_STATEMENT)."""
    engines = list(db.engines.values())
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", record)
