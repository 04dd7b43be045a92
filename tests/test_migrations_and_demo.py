"""The schema comes from migrations, and the demo seeds a realistic seminar once."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_migrate import Migrate

from tests.conftest import _config
from workshop import create_app, demo
from workshop.extensions import db
from workshop.groupwork.answers import services
from workshop.groupwork.answers.wire import ROW_ID
from workshop.groupwork.review import completeness
from workshop.method.definition import CURRENT_VERSION, load
from workshop.models import (
    Account,
    AuditEvent,
    Base,
    Partnership,
    Role,
    Seminar,
    StageRun,
    StageStatus,
)

REVIEWED = {
    "agreement": StageStatus.APPROVED,
    "needs": StageStatus.APPROVED,
    "priorities": StageStatus.APPROVED,
    "action_plan": StageStatus.SUBMITTED,
}
ADDED_AREAS = (
    "Дитяча оториноларингологія (ЛОР) / Paediatric ENT",
    "Неонатологія / Neonatology",
    "ЕКМО у дітей / Paediatric ECMO",
)


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


def test_migrations_build_exactly_the_models_schema(app: Flask) -> None:
    """The test database was built by the migrations (conftest's ``_schema``): what `flask db
    check` compares, and the column types too, match the models exactly."""
    config = app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        assert set(context.get_current_heads()) == set(script.get_heads())
        assert compare_metadata(context, Base.metadata) == []
    command.check(config)  # `flask db check` itself: raises, naming any difference


def _answered_pair() -> Partnership:
    pair = db.session.scalar(sa.select(Partnership).order_by(Partnership.id))
    assert pair is not None
    assert pair.ua_institution.name_en == "Okhmatdyt National Specialized Children's Hospital"
    assert pair.partner_institution.name_en == "Karolinska University Hospital"
    return pair


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
    # The demo shows the current method: every pair works on it.
    assert CURRENT_VERSION == "2024.2"
    assert {p.method_version for p in seminar.partnerships} == {CURRENT_VERSION}
    roles = set(db.session.scalars(sa.select(Account.role)))
    assert roles == {Role.ADMIN, Role.FACILITATOR, Role.HEAD, Role.PARTICIPANT}
    assert summary.join_code == seminar.join_code


def test_the_answered_pair_was_moved_from_2024_1_by_the_real_mapping(app: Flask) -> None:
    demo.seed()
    db.session.commit()
    pair = _answered_pair()
    moved = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "method_moved"))
    assert moved is not None and moved.object_id == pair.id
    assert (moved.details["from_version"], moved.details["to_version"]) == ("2024.1", "2024.2")
    admin = db.session.get(Account, moved.actor_id)
    assert admin is not None and admin.role is Role.ADMIN and admin.is_demo

    def value(key: str, side: str = "") -> object:
        answer = services.current(pair.id, pair.cycle, key, side)
        return answer.value if answer else None

    # What the mapping did: one horizon, in stage 1; the free-text resources went to the notes
    # beside the new tables, which the pair then filled by kind and side.
    assert value("horizon_months") == 24
    assert value("resources_notes", "ua") == (
        "Час персоналу, приміщення для навчань / Staff time, training rooms"
    )
    assert {row["row"] for row in value("resources_pledged", "partner")} == {
        "funding",
        "staff_time",
        "equipment",
        "in_kind",
    }
    activities = {row["row"]: row for row in value("activities")}
    assert activities["act-visit"]["resources_note"] == "Partner: travel / Партнер: поїздка"
    assert activities["act-visit"]["resources_partner"] == ["funding", "staff_time"]
    assert all(row.get("resources_ua") for row in activities.values())
    # Row ids survive the move, so the 2024.1 plan still links end to end.
    assert {row["row"] for row in value("priorities")} == {"pri-ipc", "pri-trauma"}
    assert {row["priority"] for row in value("objectives")} == {"pri-ipc", "pri-trauma"}


def test_the_answered_pair_is_a_complete_2024_2_example(
    app: Flask, login: Callable[[Account], FlaskClient]
) -> None:
    demo.seed()
    db.session.commit()
    pair = _answered_pair()
    method = load(pair.method_version)
    assert method.version == "2024.2"
    for stage in method.stages:
        with force_locale("en"):
            assert completeness.unmet(pair, method, stage) == [], stage.key
    runs = db.session.scalars(sa.select(StageRun).where(StageRun.partnership_id == pair.id))
    assert {r.stage_key: r.status for r in runs} == REVIEWED
    # What only 2024.2 asks for is there: each side's principle ratings, every area's status
    # (the added ones too), 1–3 objectives per priority, each with an indicator.
    rated = method.question("principle_ratings")
    assert rated is not None
    for side in ("ua", "partner"):
        ratings = services.current(pair.id, pair.cycle, "principle_ratings", side)
        assert ratings is not None
        assert [r["row"] for r in ratings.value] == [c.id for c in rated.rows]
        assert all(0 <= r["rating"] <= 3 for r in ratings.value)
        matrix = services.current(pair.id, pair.cycle, "needs_matrix", side)
        assert matrix is not None and len(matrix.value) == 18 + len(ADDED_AREAS)
        assert all("status" in row for row in matrix.value)
    objectives = services.current(pair.id, pair.cycle, "objectives")
    assert objectives is not None
    per_priority = [row["priority"] for row in objectives.value]
    assert sorted(per_priority) == ["pri-ipc", "pri-ipc", "pri-trauma"]

    member = db.session.scalar(sa.select(Account).where(Account.display_name == "Anna Demo"))
    assert member is not None
    client = login(member)
    for lang in ("uk", "en"):
        page = client.get(
            f"/partnerships/{pair.id}/stages/needs", headers={"Accept-Language": lang}
        ).get_data(as_text=True)
        for area in ADDED_AREAS:
            # In the table of added areas and as a row of each side's needs matrix.
            assert page.count(area) >= 3, (lang, area)
    assert "Areas you add" in page  # the English page, last


def test_the_demo_can_still_stop_with_the_answered_pair_on_2024_1(app: Flask) -> None:
    demo.seed(method_version="2024.1")
    db.session.commit()
    pair = _answered_pair()
    assert pair.method_version == "2024.1"
    others = db.session.scalars(sa.select(Partnership).where(Partnership.id != pair.id))
    assert {p.method_version for p in others} == {CURRENT_VERSION}
    method = load("2024.1")
    for stage in method.stages:
        with force_locale("en"):
            assert completeness.unmet(pair, method, stage) == [], stage.key
    runs = db.session.scalars(sa.select(StageRun).where(StageRun.partnership_id == pair.id))
    assert {r.stage_key: r.status for r in runs} == REVIEWED
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "method_moved")) is (
        None
    )
    assert services.current(pair.id, pair.cycle, "principle_ratings", "ua") is None
    with pytest.raises(demo.DemoError):
        demo.seed(method_version="1999.9")


def _answers_2024_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Callable) -> None:
    """Seed from a changed copy of demo_answers_2024.2.yaml."""
    source = Path(demo.__file__).parent / demo.ANSWER_FILES["2024.2"]
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    change(data)
    copy = tmp_path / "answers.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setitem(demo.ANSWER_FILES, "2024.2", str(copy))


def test_a_demo_stage_that_cannot_be_submitted_fails_the_seed(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forget_a_rating(data: dict) -> None:
        data["per_side"]["principle_ratings"]["partner"].pop()

    _answers_2024_2(tmp_path, monkeypatch, forget_a_rating)
    with pytest.raises(demo.DemoError, match=r"cannot submit stage 'agreement'.*Transparency"):
        demo.seed()


def test_the_2024_2_answers_only_add_to_what_the_move_brought(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def overwrite_a_moved_cell(data: dict) -> None:
        data["shared"]["activities"][0]["resources_note"] = "Something else"

    _answers_2024_2(tmp_path, monkeypatch, overwrite_a_moved_cell)
    with pytest.raises(demo.DemoError, match=r"'activities', row 'act-bundle'.*overwrite"):
        demo.seed()


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
    assert "already holds seminars" in refused.output
    assert db.session.scalar(sa.select(sa.func.count(Seminar.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Partnership.id))) == 6
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
