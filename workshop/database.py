"""How the app talks to its database: connection settings per engine, set once at start-up.

SQLite (development, the demo, a small single-machine seminar) is tuned for a room of writers:

* ``journal_mode=WAL``: readers never wait for the writer and the writer never waits for
  readers; only writers queue, and an autosave holds the write lock for a millisecond or two.
  In the default rollback journal every save blocked every page load, and a page being read
  blocked every save.
* ``busy_timeout``: a writer that finds the lock taken waits up to ``SQLITE_BUSY_TIMEOUT_MS``
  (10 s by default) instead of failing; forty tables saving together queue for a few
  milliseconds each, far inside it.
* ``synchronous``: ``SQLITE_SYNCHRONOUS``, FULL by default. In WAL mode FULL syncs the log at
  every commit, so an acknowledged save survives a power cut of the server itself, which in
  Ukraine is not hypothetical. NORMAL syncs only at checkpoints: never corrupt, and safe when
  the process is killed (the log is in the OS's hands), but the last commits before the machine
  itself loses power can go. Choose NORMAL only for a server on a UPS that shuts down cleanly.

The sqlite3 module keeps its own transaction handling (it begins one before the first write
only, so reads never hold a lock between a test's or a job's statements).

PostgreSQL (production) keeps its pooled connections between requests. A connection that sat
in the pool for longer than ``PING_AFTER_IDLE_SECONDS`` is tested before it is lent (a restarted
database then costs no request an error); one handed back a moment ago is lent as it is. Under
load every connection comes back within milliseconds, and a test of each (SQLAlchemy's
``pool_pre_ping``) was one round trip in eight of every autosave. If the database restarted in
that moment anyway, the request that meets the broken connection answers 503 (workshop/outage.py)
and SQLAlchemy replaces every connection older than the failure, so the next request is served.
A view whose writes are single statements (``one_statement_writes``: the autosave) takes its
connection from a second pool of the same database (``ONE_STATEMENT``), whose connections commit
every statement by themselves from the moment they are opened, and never makes an ORM session.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, g, request

from workshop.extensions import db

SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")

# PostgreSQL out of reach (restarting, a cut network) must cost a request seconds, not minutes:
# the request then answers 503 and the page's script sends the text again (workshop/outage.py).
# libpq waits for ever to connect by default, and a query to a server that vanished without a
# word waits for TCP's own retries (15 minutes); these bound both. An operator's own
# SQLALCHEMY_ENGINE_OPTIONS keep precedence.
DATABASE_CONNECT_TIMEOUT = 3  # seconds to open a connection (libpq counts 2 at the least)
POSTGRES_CONNECT_ARGS = {
    "connect_timeout": DATABASE_CONNECT_TIMEOUT,
    "keepalives": 1,
    "keepalives_idle": 10,  # a silent connection is probed after 10 s, every 2 s, 3 times
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,  # ms: data sent and not acknowledged for this long = gone
}
POOL_TIMEOUT = 5  # seconds to wait for a pooled connection (SQLAlchemy's default: 30)
PING_AFTER_IDLE_SECONDS = 2.0


def engine_options(app: Flask) -> dict[str, object]:
    """The engine options for the configured database: bounded waits on PostgreSQL."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        options.setdefault("pool_timeout", POOL_TIMEOUT)
        options["connect_args"] = {**POSTGRES_CONNECT_ARGS, **options.get("connect_args", {})}
    return options


# The engine whose connections commit every statement by themselves (one_statement_writes).
ONE_STATEMENT = "one_statement"


def init_app(app: Flask) -> None:
    """Bind the database extension, then apply the per-engine connection settings."""
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app)
    uri = str(app.config["SQLALCHEMY_DATABASE_URI"])
    if uri.startswith("postgresql"):
        # The same database through a pool of its own, whose connections are set to commit
        # every statement when they are opened: switching a connection of the main pool to
        # that and back around every autosave was a twentieth of its CPU. Nothing is left to
        # roll back when one is handed back, so none is sent.
        binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
        binds[ONE_STATEMENT] = {
            **options,
            "url": app.config["SQLALCHEMY_DATABASE_URI"],
            "isolation_level": "AUTOCOMMIT",
            "pool_reset_on_return": None,
        }
        app.config["SQLALCHEMY_BINDS"] = binds
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        engines = list(db.engines.values())
    if engine.dialect.name == "sqlite":
        _tune_sqlite(app, engine)
        return
    if not options.get("pool_pre_ping"):
        for each in engines:
            _ping_idle_connections(each)  # an operator's own pool_pre_ping tests every time
    # Before the session is loaded (Flask-Login's hook comes later): the connection it takes is
    # the one the view goes on with.
    app.before_request(_without_transaction)
    app.teardown_request(_hand_back)


View = TypeVar("View", bound=Callable[..., Any])


def one_statement_writes(view: View) -> View:
    """Mark a view whose every change to the database is one statement: on PostgreSQL its
    request runs without a transaction, each statement committing by itself, which saves the
    BEGIN and COMMIT round trips (two of the autosave's five).

    The contract, which tests/test_groupwork.py and tests/test_merge.py hold the autosave to:
    the view writes with single statements only, each whole by itself (the autosave's is one
    statement with its revision and change count as parts, see groupwork/answers/services.py),
    and a refusal comes before any write or after one that changed no row (a stale table save
    tries once, changing nothing, then writes its merge or nothing); nothing it reads must agree
    with another read — PostgreSQL's READ COMMITTED takes a fresh snapshot for every statement
    of a transaction anyway. SQLite has no round trips to save and keeps its transaction.
    """
    view.one_statement_writes = True  # type: ignore[attr-defined]
    return view


_HELD = "one_statement_connection"  # where the request keeps its own connection, in g


def connection() -> sa.Connection:
    """The connection this request's statements go on: the one a one-statement view took
    (PostgreSQL, outside any transaction), else the ORM session's, in its transaction."""
    held = g.get(_HELD)
    return held if held is not None else db.session.connection()


def commit() -> None:
    """Commit what the request's ORM session began, if it began anything: a one-statement
    view's statements committed themselves, and committing a session that never began costs
    it a transaction's bookkeeping for nothing (a twentieth of an autosave's CPU)."""
    if _began():
        db.session.commit()


def _began() -> bool:
    """Whether the request's ORM session began a transaction. Asked without making the
    session: an autosave on PostgreSQL never needs one (making it was a fiftieth of its CPU)."""
    return db.session.registry.has() and db.session().in_transaction()


def _without_transaction() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    # A session already in a transaction (a test's, whose requests share its session) keeps it.
    if getattr(view, "one_statement_writes", False) and not _began():
        # A connection of its own (ONE_STATEMENT), instead of the ORM session's: the session's
        # transaction bookkeeping (begin, commit, close) around statements that commit
        # themselves cost a save more CPU than the statements.
        setattr(g, _HELD, db.engines[ONE_STATEMENT].connect())


def _hand_back(_error: BaseException | None) -> None:
    held = g.pop(_HELD, None)
    if held is not None:
        held.close()  # back to its pool


def _ping_idle_connections(engine: sa.Engine) -> None:
    """Test a pooled connection before lending it, if it sat unused for a while (see above)."""
    if engine in _PINGED:  # the test suite builds many apps on one engine
        return
    _PINGED.add(engine)
    dialect = engine.dialect

    @sa.event.listens_for(engine, "checkin")
    def _returned(_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _lent(connection: Any, record: Any, _proxy: object) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return  # just opened, or just used
        try:
            dialect.do_ping(connection)
        except dialect.loaded_dbapi.Error as error:
            # The pool throws this connection away and lends a new one.
            raise sa.exc.DisconnectionError(str(error)) from error


_PINGED: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def _tune_sqlite(app: Flask, engine: sa.Engine) -> None:
    level = str(app.config.get("SQLITE_SYNCHRONOUS", "FULL")).upper()
    if level not in SYNCHRONOUS_LEVELS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {SYNCHRONOUS_LEVELS}, not {level!r}")
    timeout_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 10_000))
    memory = engine.url.database in (None, "", ":memory:")

    @sa.event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: object) -> None:
        cursor = connection.cursor()
        try:
            if not memory:  # an in-memory database has no file to keep a log beside
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={level}")
            cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        finally:
            cursor.close()
