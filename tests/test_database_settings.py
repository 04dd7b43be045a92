"""The connection settings each engine runs with (workshop/database.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.factories import World
from workshop import create_app, database
from workshop.auth.services import open_session
from workshop.extensions import db

EN = {"Accept-Language": "en"}


def _pragma(name: str) -> object:
    return db.session.execute(sa.text(f"PRAGMA {name}")).scalar()


def test_the_database_waits_instead_of_failing_and_keeps_what_it_acknowledged(app: Flask) -> None:
    if db.engine.dialect.name == "sqlite":
        # Readers and the writer do not block each other; a writer queues up to 10 s for the
        # lock; every commit is synced (2 = FULL), so an acknowledged save survives a power cut.
        assert (_pragma("journal_mode"), _pragma("busy_timeout"), _pragma("synchronous")) == (
            "wal",
            10_000,
            2,
        )
    else:
        # PostgreSQL: no wait without an end when the server is out of reach.
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        assert options["pool_timeout"] == 5
        assert options["connect_args"]["connect_timeout"] == 3
        assert db.session.execute(sa.text("SELECT 1")).scalar() == 1


def _backend(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def _kill(database_url: str, pid: int) -> None:
    """What a database restart does to one connection: the server ends it without a word."""
    other = sa.create_engine(database_url)
    with other.begin() as connection:
        connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()


def test_a_pooled_connection_is_tested_before_it_is_lent_only_after_sitting_idle(
    app: Flask, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.engine.dialect.name == "sqlite":
        # No server to lose on SQLite: the process opens the file itself, nothing is tested.
        assert db.engine not in database._PINGED
        return
    # An app of its own with a pool of one connection: whatever is lent is that connection or
    # its replacement (the suite's shared pool holds several).
    single = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0},
            "JOBS_IN_PROCESS": False,
        }
    )
    with single.app_context():
        engine = db.engine
    try:
        first = _backend(engine)
        _kill(database_url, first)
        # It sat idle: tested, found dead, replaced; the request never sees it.
        monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
        second = _backend(engine)
        assert second != first
        # Handed back a moment ago: lent untested (under load the test was a round trip of
        # every save). The request that meets it fails, as a 503 (tests/test_faults.py), and
        # the pool has replaced it for the next one.
        monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 60.0)
        _kill(database_url, second)
        with pytest.raises(sa.exc.OperationalError):
            _backend(engine)
        assert _backend(engine) not in (first, second)
    finally:
        engine.dispose()


def test_a_mistyped_sqlite_sync_level_stops_the_app_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
        "SECRET_KEY": "x" * 64,
        "SQLITE_SYNCHRONOUS": "sometimes",
    }
    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS"):
        create_app(config)
    config["SQLITE_SYNCHRONOUS"] = "normal"
    with create_app(config).app_context():
        assert _pragma("synchronous") == 1


def test_the_autosave_hands_its_connection_back_with_transactions_on(
    app: Flask, world: World, database_url: str
) -> None:
    """On PostgreSQL the autosave runs without a transaction (database.one_statement_writes),
    on connections of their own (database.ONE_STATEMENT) set to commit each statement. Every
    other request runs in a transaction on the main pool's connections, which are never left
    committing statement by statement, also after an autosave refused before its view; and
    nothing stays checked out of either pool."""
    # An app of its own with pools of one connection, whose requests end their own context
    # (the test's app shares the test's session with its requests).
    single = create_app(
        {**app.config, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}}
    )
    single.test_client_class = type(app.test_client())
    with single.app_context():
        engines = dict(db.engines)
    url = f"/partnerships/{world.partnership.id}/answers"
    save = {"question": "shared_vision_en", "value": "Safer", "base_version": 0, "key": "k" * 32}
    token = open_session(world.participant, hours=1)
    page = f"/partnerships/{world.partnership.id}/stages/agreement"
    db.session.commit()
    signed_in, stranger = single.test_client(), single.test_client()
    with signed_in.session_transaction() as session:
        session["_user_id"] = token

    flags: list[tuple[str | None, bool | None]] = []

    def recorder(bind: str | None) -> Any:
        def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            flags.append((bind, getattr(conn.connection.dbapi_connection, "autocommit", None)))

        return record

    listeners = [(engine, recorder(bind)) for bind, engine in engines.items()]
    for engine, listener in listeners:
        sa.event.listen(engine, "before_cursor_execute", listener)
    postgres = engines[None].dialect.name == "postgresql"
    assert postgres == (database.ONE_STATEMENT in engines)
    try:
        for client, expected in ((stranger, 401), (signed_in, 200)):
            flags.clear()
            assert client.post(url, json=save, headers=EN).status_code == expected
            assert all(engine.pool.checkedout() == 0 for engine in engines.values())
            if postgres and expected == 200:
                assert flags and set(flags) == {(database.ONE_STATEMENT, True)}
            flags.clear()
            assert signed_in.get(page, headers=EN).status_code == 200
            assert all(engine.pool.checkedout() == 0 for engine in engines.values())
            # The main pool's connection, every statement inside a transaction again.
            assert flags and set(flags) <= {(None, False), (None, None)}
    finally:
        for engine, listener in listeners:
            sa.event.remove(engine, "before_cursor_execute", listener)
            engine.dispose()
