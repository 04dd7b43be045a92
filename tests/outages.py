"""Outages the fault drills cause for real: a held SQLite lock, PostgreSQL refusing connections,
a TCP proxy to PostgreSQL that is cut and restored. Used by tests/test_faults.py and the
browser drill (tests/browser/test_outage_browser.py)."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def short_busy_timeout(engine: sa.Engine, milliseconds: int) -> Iterator[None]:
    """SQLite waits this long for a held lock, on every connection the app takes meanwhile (the
    configured 10 s would only make the drill slow); fresh connections afterwards."""

    def shorten(connection: Any, _record: Any, _proxy: Any) -> None:
        connection.execute(f"PRAGMA busy_timeout={milliseconds}")

    sa.event.listen(engine, "checkout", shorten)
    try:
        yield
    finally:
        sa.event.remove(engine, "checkout", shorten)
        engine.dispose()


@contextlib.contextmanager
def sqlite_write_lock(database_url: str) -> Iterator[None]:
    """Another writer (a backup tool, a stuck script) holding the database's write lock."""
    holder = sqlite3.connect(sa.engine.make_url(database_url).database, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        holder.rollback()
        holder.close()


class Proxy:
    """A TCP forwarder from a local port to PostgreSQL that can be cut and restored.

    Cut: every forwarded connection is closed at once and the port refuses new ones (as a
    stopped server's does); restored: the same port forwards again.
    """

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        self.connections = 0  # forwarded so far: a new one means the pool reconnected
        self.listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        for _attempt in range(50):  # the old listener may linger for a moment in accept()
            try:
                self.listener = socket.create_server(("127.0.0.1", self.port))
                break
            except OSError:
                time.sleep(0.02)
        assert self.listener is not None
        self.listener.settimeout(0.05)  # accept() wakes up to notice the listener was closed
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        assert self.listener is not None
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # stops listening now, even mid-accept()
        self.listener.close()
        with self.lock:
            for sock in self.open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while listener.fileno() != -1:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self.lock:
                self.open |= {client, upstream}
                self.connections += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def postgres_refusing(database_url: str) -> Iterator[None]:
    """The app's PostgreSQL database away: its open connections ended, new ones refused (as
    during a restart), until the block ends. Run from the ``postgres`` maintenance database."""
    url = sa.engine.make_url(database_url)
    admin = sa.create_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    name = url.database
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        yield
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.dispose()


@contextlib.contextmanager
def database_away(engine: sa.Engine, database_url: str) -> Iterator[None]:
    """The database out of reach for the app on ``engine``, whichever engine it is: SQLite's
    write lock held by another writer beyond a short busy timeout, or PostgreSQL refusing."""
    if engine.dialect.name == "sqlite":
        with short_busy_timeout(engine, 300), sqlite_write_lock(database_url):
            yield
    else:
        with postgres_refusing(database_url):
            yield
