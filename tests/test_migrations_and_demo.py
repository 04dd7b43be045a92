"""The schema comes from migrations, and the demo seeds a realistic seminar once."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import Migrate

from tests.conftest import _config
from workshop import create_app, demo
from workshop.extensions import db
from workshop.groupwork.answers.wire import ROW_ID
from workshop.models import Account, Base, Partnership, Role, Seminar


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database with no tables: a new SQLite file, or a new PostgreSQL database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield database_url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_build_exactly_the_models_schema(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    fresh = create_app(
        {**_config(empty_database_url), "SQLALCHEMY_DATABASE_URI": empty_database_url}
    )
    with fresh.app_context():
        config = fresh.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1
        command.upgrade(config, "head")
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            assert compare_metadata(context, Base.metadata) == []
        db.engine.dispose()


def test_demo_seed_holds_the_december_seminar_with_real_pairs(app: Flask) -> None:
    summary = demo.seed()
    db.session.commit()
    seminar = db.session.scalar(sa.select(Seminar))
    assert seminar is not None and seminar.is_demo
    assert seminar.title_en.startswith("Partnership for Transformation")
    assert seminar.starts_on.isoformat() == "2023-12-19"
    pairs = {
        (p.ua_institution.name_en, p.partner_institution.name_en) for p in seminar.partnerships
    }
    assert len(pairs) == 6
    assert (
        "Okhmatdyt National Specialized Children's Hospital",
        "Karolinska University Hospital",
    ) in pairs
    assert ("Kryvyi Rih City Clinical Hospital No. 2", "Karolinska University Hospital") in pairs
    assert all(p.is_demo for p in db.session.scalars(sa.select(Partnership)))
    roles = set(db.session.scalars(sa.select(Account.role)))
    assert roles == {Role.ADMIN, Role.FACILITATOR, Role.HEAD, Role.PARTICIPANT}
    assert summary.join_code == seminar.join_code


def test_seed_command_prints_sign_ins_and_runs_again_safely(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["workshop", "seed-demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "facilitator@demo.twinning.test" in first.output
    assert "seminar join code" in first.output
    again = runner.invoke(args=["workshop", "seed-demo", "--if-empty"])
    assert again.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(Seminar.id))) == 1
    refused = runner.invoke(args=["workshop", "seed-demo"])
    assert refused.exit_code != 0
    _ = (Migrate, os)


def test_rows_stored_before_row_ids_get_ids_and_text_links_become_id_links(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    fresh = create_app(
        {**_config(empty_database_url), "SQLALCHEMY_DATABASE_URI": empty_database_url}
    )
    old = {
        "priorities": [{"priority": "Hand  hygiene", "rationale": "Largest gap"}],
        "objectives": [
            {"priority": "hand hygiene", "objective": "Audit every ward"},
            {"priority": "A priority nobody kept", "objective": "Kept as typed"},
        ],
    }
    with fresh.app_context():
        config = fresh.extensions["migrate"].migrate.get_config()
        command.upgrade(config, "7864e31b08b5")  # the schema before row ids
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO institution (id, name_uk, name_en, country, is_demo, created_at)"
                    " VALUES (1, 'А', 'A', 'UA', false, CURRENT_TIMESTAMP),"
                    " (2, 'B', 'B', 'SE', false, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO partnership (id, ua_institution_id, partner_institution_id,"
                    " method_version, focus_areas, is_demo, created_at)"
                    " VALUES (1, 1, 2, '2024.1', '[]', false, CURRENT_TIMESTAMP)"
                )
            )
            for n, (key, value) in enumerate(old.items(), start=1):
                connection.execute(
                    sa.text(
                        "INSERT INTO answer (id, partnership_id, question_key, side, value,"
                        " version, updated_at) VALUES (:id, 1, :key, '', :value, 1,"
                        " CURRENT_TIMESTAMP)"
                    ),
                    {"id": n, "key": key, "value": json.dumps(value)},
                )
        command.upgrade(config, "head")
        with db.engine.connect() as connection:
            stored = dict(
                connection.execute(sa.text("SELECT question_key, value FROM answer")).all()
            )
        db.engine.dispose()
    priorities, objectives = (
        v if isinstance(v, list) else json.loads(v)
        for v in (stored["priorities"], stored["objectives"])
    )
    assert all(ROW_ID.match(row["row"]) for row in priorities + objectives)
    assert objectives[0]["priority"] == priorities[0]["row"]  # matched whatever the spacing/case
    assert objectives[1]["priority"] == "A priority nobody kept"  # nothing typed is lost
    assert [o["objective"] for o in objectives] == ["Audit every ward", "Kept as typed"]
