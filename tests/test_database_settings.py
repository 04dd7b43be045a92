"""The connection settings each engine runs with (workshop/database.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from workshop import create_app
from workshop.extensions import db


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
        assert options["pool_pre_ping"] is True and options["pool_timeout"] == 5
        assert options["connect_args"]["connect_timeout"] == 3
        assert db.session.execute(sa.text("SELECT 1")).scalar() == 1


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
