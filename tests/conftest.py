"""Fixtures: an app on SQLite (default) or PostgreSQL (WORKSHOP_TEST_DATABASE_URL), a client,
and helpers to act as each kind of person."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import alembic.command
import flask_babel
import pytest
import redis
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient
from hypothesis import settings
from werkzeug.routing.rules import Rule

from tests import factories
from workshop import create_app, database, demo
from workshop.auth.services import open_session
from workshop.extensions import db
from workshop.method.definition import CURRENT_VERSION
from workshop.models import Account, Base, Partnership

PG_URL = os.environ.get("WORKSHOP_TEST_DATABASE_URL")

# Hypothesis: CI runs the suite twice on a small machine, so it draws fewer examples there; no
# deadline (a request's time is the database's, not the property's) and no example database
# (it would write a folder into the tree).
settings.register_profile("ci", max_examples=20, deadline=None, database=None)
settings.register_profile("dev", max_examples=40, deadline=None, database=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") == "true" else "dev")
)


def _url_builders_compiled_once() -> None:
    """Every test makes its own app, and for each werkzeug compiles two URL builders per route
    (Python source, parsed and compiled): over half of what making an app costs, thousands of
    times a run. A builder's code follows from the rule alone (its pattern, defaults and
    converters; the converters themselves are looked up on the rule each call), so the suite
    compiles each one once (outside the tests the app compiles them as werkzeug does)."""
    compile_builder = Rule._compile_builder
    compiled: dict[tuple[object, ...], Any] = {}

    def once(self: Rule, append_unknown: bool = True) -> Any:
        key = (
            self.rule,
            tuple(self._trace),
            repr(sorted((self.defaults or {}).items())),
            tuple(sorted((name, type(c).__name__) for name, c in self._converters.items())),
            append_unknown,
        )
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = once  # type: ignore[method-assign]


_url_builders_compiled_once()


def pytest_report_header() -> str:
    return f"database: {PG_URL or 'SQLite (temporary file)'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database per pytest-xdist worker: tests empty the tables after themselves, so two
    workers sharing one database would empty each other's."""
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "master")
    if PG_URL:
        return PG_URL if worker_id == "master" else _worker_database(PG_URL, worker_id)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def _worker_database(url: str, worker_id: str) -> str:
    """A fresh PostgreSQL database beside ``url``'s, for one worker (e.g. ``…_gw1``)."""
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker_id}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throw-away Redis for this pytest worker: its own port and folder, nothing saved, shut
    down at the end of the run."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed: run scripts/system-deps.sh")
    folder = tmp_path_factory.mktemp("redis")
    started = None
    for _attempt in range(5):  # a free port can be taken by another process before Redis binds
        started = _start_redis(folder)
        if started is not None:
            break
    if started is None:
        pytest.fail(f"redis-server did not start: see {folder / 'redis.log'}")
    process, url = started
    yield url
    process.terminate()  # Redis shuts down cleanly on SIGTERM, saving nothing (--save "")
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str] | None:
    """A Redis on a free port, answering PING; None when it could not start there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    options = f"--port {port} --bind 127.0.0.1 --appendonly no --daemonize no".split()
    with (folder / "redis.log").open("ab") as log:
        process = subprocess.Popen(
            ["redis-server", *options, "--save", "", "--dir", str(folder)],
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                client.ping()
                return process, url
            except redis.ConnectionError:
                time.sleep(0.05)
    finally:
        client.close()
    process.kill()
    process.wait()
    return None


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Build the tables once per run THROUGH the migrations, as a deployment does (`flask db
    upgrade`): a test then runs on the schema production has, and a migration that breaks
    fails every test. Each test empties the tables after itself."""
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:  # what an interrupted earlier run may have left
        Base.metadata.drop_all(connection)
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path_factory.mktemp("migrate")))
        builder = create_app(_config(database_url))
    with builder.app_context():
        alembic.command.upgrade(builder.extensions["migrate"].migrate.get_config(), "head")
        db.engine.dispose()


def _config(database_url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-signing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        # Jobs wait in the database until a test runs them: no worker thread outlives its test
        # (tests/test_jobs.py switches the local worker on where it is the subject).
        "JOBS_IN_PROCESS": False,
    }


class RequestClient(FlaskClient):
    """A test client whose every request starts without the previous request's signed-in user.

    The tests hold an app context open (for factories and assertions), and Flask then reuses it
    for requests, so Flask-Login's per-request cache in ``g`` would leak from one request into
    the next, as if two people shared a browser; Flask-Babel caches the language there too.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        g.pop("_login_user", None)
        flask_babel.refresh()  # nor the previous request's language
        return super().open(*args, **kwargs)


# One engine per database for every test's app, built with the first. A new engine starts with
# an empty cache of compiled SQL and a new dialect, and SQLAlchemy keys its compiled statements
# by dialect: every test compiled each statement its world, its requests and its cleanup sent
# again, over half of what a short test costs. Apps stay one per test (their config and state
# cannot leak); only the connections and compiled SQL are shared.
# Kept per bind too: on PostgreSQL the app has a second engine (database.ONE_STATEMENT).
_engines: dict[tuple[str, str | None], sa.Engine] = {}


def _app_on_the_kept_engine(database_url: str) -> Flask:
    """A new app, on this database's engines of the run (tuned once, when they were made)."""
    kept = _engines.get((database_url, None))
    make_engine = db._make_engine

    def engine_of_the_run(bind_key: str | None, options: dict[str, Any], app: Flask) -> sa.Engine:
        key = (database_url, bind_key)
        if key not in _engines:
            _engines[key] = make_engine(bind_key, options, app)
        return _engines[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "_make_engine", engine_of_the_run)
        if kept is not None:  # its connection settings are listeners on it already
            patch.setattr(database, "_tune_sqlite", lambda app, engine: None)
        return create_app(_config(database_url))


@pytest.fixture(autouse=True)
def _close_the_tests_own_engines(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Close the pooled connections of every engine an app built inside a test made (a second
    app with other settings, another 'process'), when the test ends.

    Left to the garbage collector, such a pool drops its open connections at some later moment,
    in whatever test is running then; psycopg warns that a connection was deleted while still
    open, and the warning fails that innocent test. It happened whenever an extra app's request
    took a connection (an autosave refused by the CSRF check, after the autosave's hook had
    taken one), so the fix is for the whole class: every engine made during a test. Set up
    before the test's own fixtures, so it runs after their teardown; the run's kept engines stay
    open."""
    made: list[sa.Engine] = []
    make_engine = db._make_engine

    def recorded(bind_key: str | None, options: dict[str, Any], app: Flask) -> sa.Engine:
        engine = make_engine(bind_key, options, app)
        made.append(engine)
        return engine

    monkeypatch.setattr(db, "_make_engine", recorded)
    yield
    kept = set(map(id, _engines.values()))
    for engine in made:
        if id(engine) not in kept:
            engine.dispose()


def _empty_every_table(connection: sa.Connection) -> None:
    """A DELETE per table, children first, in one transaction. On PostgreSQL the DELETEs go in
    one round trip; its TRUNCATE, measured, costs 4 to 20 times as much on tables this small."""
    deletes = [table.delete() for table in reversed(Base.metadata.sorted_tables)]
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            ";\n".join(str(delete.compile(dialect=connection.dialect)) for delete in deletes)
        )
    else:
        for delete in deletes:
            connection.execute(delete)


@pytest.fixture
def app(
    _schema: None, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path / "instance"))
    application = _app_on_the_kept_engine(database_url)
    application.test_client_class = RequestClient
    with application.app_context():
        yield application
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as connection:
            _empty_every_table(connection)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login(client: FlaskClient) -> Callable[[Account], FlaskClient]:
    """Sign ``account`` in on the test client through a real server-side session."""

    def sign_in(account: Account) -> FlaskClient:
        token = open_session(account, hours=8)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
        return client

    return sign_in


@pytest.fixture
def world(app: Flask) -> factories.World:
    """Two seminars with their own facilitators, partnerships, heads and participants."""
    built = factories.build_world()
    db.session.commit()
    return built


def seed_demo_table(method_version: str | None = None) -> Partnership:
    """The demo seminar, and its answered pair (Okhmatdyt – Karolinska) on ``method_version``
    (the current method unless another is named)."""
    if method_version is None:
        demo.seed()
    else:
        demo.seed(method_version=method_version)
    db.session.commit()
    partnership = db.session.scalar(sa.select(Partnership).order_by(Partnership.id))
    assert partnership is not None
    assert partnership.method_version == (method_version or CURRENT_VERSION)
    return partnership


@pytest.fixture
def demo_table(app: Flask) -> Partnership:
    return seed_demo_table()


@pytest.fixture
def guarded(app: Flask, database_url: str) -> Iterator[Flask]:
    """The app with CSRF checks on, as deployed; its connections closed after."""
    application = create_app(_config(database_url) | {"WTF_CSRF_ENABLED": True})
    application.test_client_class = RequestClient
    yield application
    with application.app_context():
        db.engine.dispose()
