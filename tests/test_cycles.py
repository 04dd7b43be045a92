"""Cycles: a partnership's answers, runs, votes and comments belong to a round of the TPI cycle;
a page from another cycle, or a closed one, cannot change anything; reopening an earlier stage
never locks the table out of the stage it is working on."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import _config
from tests.factories import World
from tests.test_migrations_and_demo import empty_database_url  # noqa: F401 - a fixture
from workshop import create_app
from workshop.auth.services import open_session
from workshop.cycles import services as cycles
from workshop.extensions import db
from workshop.models import Account, Answer, StageRun, StageStatus

EN = {"Accept-Language": "en"}


@pytest.fixture
def seated(world: World, login: Callable[[Account], FlaskClient]) -> FlaskClient:
    return login(world.participant)


def autosave(client: FlaskClient, world: World, **body: object) -> tuple[int, dict]:
    response = client.post(f"/partnerships/{world.partnership.id}/answers", json=body, headers=EN)
    return response.status_code, response.get_json() or {}


def approve(world: World, stage: str) -> None:
    run = StageRun(
        partnership_id=world.partnership.id,
        cycle=world.partnership.cycle,
        stage_key=stage,
        status=StageStatus.APPROVED,
    )
    run.first_approved_at = run.updated_at = sa.func.now()
    db.session.add(run)
    db.session.commit()


def answers_in(cycle: int, key: str) -> list[Answer]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Answer).where(Answer.cycle == cycle, Answer.question_key == key)
        )
    )


def test_a_new_partnership_starts_in_cycle_one(world: World) -> None:
    assert world.partnership.cycle == 1
    assert [c.number for c in world.partnership.cycles] == [1]


def test_the_next_cycle_starts_empty_and_the_last_is_kept_read_only(
    seated: FlaskClient, world: World
) -> None:
    status, body = autosave(
        seated, world, question="outage_plan", value="First round", base_version=0, cycle=1
    )
    assert status == 200, body
    cycles.start_next(world.partnership, actor=world.facilitator)
    db.session.commit()
    assert world.partnership.cycle == 2
    assert [(c.number, c.closed_at is not None) for c in world.partnership.cycles] == [
        (1, True),
        (2, False),
    ]

    page = seated.get(f"/partnerships/{world.partnership.id}/stages/agreement", headers=EN)
    assert "Cycle 2" in page.text and "First round" not in page.text  # a new round starts empty
    # The same question gets its own answer in cycle 2; cycle 1's stays as it was.
    status, body = autosave(
        seated, world, question="outage_plan", value="Second round", base_version=0, cycle=2
    )
    assert status == 200, body
    assert [a.value for a in answers_in(1, "outage_plan")] == ["First round"]
    assert [a.value for a in answers_in(2, "outage_plan")] == ["Second round"]

    old = seated.get(f"/partnerships/{world.partnership.id}/stages/agreement?cycle=1", headers=EN)
    assert old.status_code == 200
    assert "Cycle 1" in old.text and "First round" in old.text
    assert "kept to read" in old.text and 'name="q.outage_plan"' not in old.text
    for bad in ("3", "0", "x", "²", "99999999999999999999"):
        response = seated.get(f"/partnerships/{world.partnership.id}/stages/agreement?cycle={bad}")
        assert response.status_code == 404, bad


def test_a_save_from_a_page_of_another_cycle_is_refused_and_changes_nothing(
    seated: FlaskClient, world: World
) -> None:
    cycles.start_next(world.partnership, actor=world.facilitator)
    db.session.commit()
    for shown in (1, "1"):
        status, body = autosave(
            seated, world, question="outage_plan", value="Late", base_version=0, cycle=shown
        )
        assert status == 423, (shown, status)
        assert "shows cycle 1, but the partnership is in cycle 2" in body["error"]
    # Whatever is not a cycle number is a page that cannot be trusted: refused, never a 500.
    for shown in (0, True, 2**70, -1, "²", "x", [2], {"n": 2}, 1.5):
        status, body = autosave(
            seated, world, question="outage_plan", value="Late", base_version=0, cycle=shown
        )
        assert status == 423, (shown, status)
        assert "reload the page" in body["error"]
    form = seated.post(
        f"/partnerships/{world.partnership.id}/stages/agreement/communication",
        data={"cycle": "1", "q.outage_plan": "Late", "v.outage_plan": "0"},
        headers=EN,
    )
    assert form.status_code == 423 and "cycle 2 now" in form.text
    assert answers_in(1, "outage_plan") == answers_in(2, "outage_plan") == []


def test_nothing_changes_in_a_closed_cycle(seated: FlaskClient, world: World) -> None:
    cycles.close(world.partnership, actor=world.facilitator)
    db.session.commit()
    status, body = autosave(seated, world, question="outage_plan", value="x", base_version=0)
    assert status == 423 and "closed" in body["error"]
    submitted = seated.post(
        f"/partnerships/{world.partnership.id}/stages/agreement/submit", headers=EN
    )
    assert submitted.status_code == 422 and "closed" in submitted.text
    vote = seated.post(
        f"/partnerships/{world.partnership.id}/stages/priorities/votes",
        data={"candidate": ["x"], "dots": ["1"]},
        headers=EN,
    )
    assert vote.status_code == 423
    page = seated.get(f"/partnerships/{world.partnership.id}/stages/agreement", headers=EN)
    assert "Cycle 1 · closed" in page.text
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0


def test_reopening_an_earlier_stage_keeps_the_later_one_open(
    seated: FlaskClient, world: World, app: Flask
) -> None:
    approve(world, "agreement")
    status, body = autosave(seated, world, question="assessment_team", value="a", base_version=0)
    assert status == 200, body

    facilitator = app.test_client()
    token = open_session(world.facilitator, hours=1)
    db.session.commit()
    with facilitator.session_transaction() as session:
        session["_user_id"] = token
    reopened = facilitator.post(
        f"/partnerships/{world.partnership.id}/stages/agreement/review",
        data={"action": "reopen", "reason": "Fix the focal point's name", "confirm": "yes"},
        headers=EN,
    )
    assert reopened.status_code == 302

    # Stage 2 stays open: saves go on, the page says stage 1 is being revised.
    status, body = autosave(seated, world, question="assessment_team", value="ab", base_version=1)
    assert status == 200, body
    page = seated.get(f"/partnerships/{world.partnership.id}/stages/needs", headers=EN)
    assert "An earlier stage is being revised: Partnership development (agreement)" in page.text
    assert 'name="q.assessment_team"' in page.text
    # Stage 1 can be changed again, and the facilitators' pages say it is under revision.
    status, body = autosave(
        seated, world, question="outage_plan", value="Messenger, then phone", base_version=0
    )
    assert status == 200, body
    detail = facilitator.get(f"/partnerships/{world.partnership.id}", headers=EN)
    assert "being revised" in detail.text
    seminar = facilitator.get(f"/seminars/{world.seminar.id}", headers=EN)
    assert "being revised: 1. Partnership development (agreement)" in seminar.text
    # Even sent back after resubmission, the stage after it stays open.
    run = db.session.scalar(sa.select(StageRun).where(StageRun.stage_key == "agreement"))
    run.status = StageStatus.CHANGES_REQUESTED
    db.session.commit()
    status, body = autosave(seated, world, question="assessment_team", value="abc", base_version=2)
    assert status == 200, body


def test_a_stage_never_approved_still_keeps_the_next_one_closed(
    seated: FlaskClient, world: World
) -> None:
    status, body = autosave(seated, world, question="assessment_team", value="a", base_version=0)
    assert status == 423 and "previous one is approved" in body["error"]


def test_existing_data_moves_into_cycle_one(
    empty_database_url: str,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    fresh = create_app(
        {**_config(empty_database_url), "SQLALCHEMY_DATABASE_URI": empty_database_url}
    )
    with fresh.app_context():
        config = fresh.extensions["migrate"].migrate.get_config()
        command.upgrade(config, "5d0f3e2a9c41")  # the schema before cycles
        with db.engine.begin() as connection:
            run = connection.execute
            run(
                sa.text(
                    "INSERT INTO institution (id, name_uk, name_en, country, is_demo, created_at)"
                    " VALUES (1, 'А', 'A', 'UA', false, CURRENT_TIMESTAMP),"
                    " (2, 'B', 'B', 'SE', false, CURRENT_TIMESTAMP)"
                )
            )
            run(
                sa.text(
                    "INSERT INTO account (id, display_name, role, active, is_demo, created_at)"
                    " VALUES (1, 'P', 'participant', true, false, CURRENT_TIMESTAMP)"
                )
            )
            run(
                sa.text(
                    "INSERT INTO partnership (id, ua_institution_id, partner_institution_id,"
                    " method_version, focus_areas, is_demo, created_at)"
                    " VALUES (1, 1, 2, '2024.1', '[]', false, CURRENT_TIMESTAMP)"
                )
            )
            run(
                sa.text(
                    "INSERT INTO answer (id, partnership_id, question_key, side, value,"
                    " version, updated_at) VALUES (1, 1, 'outage_plan', '', :v, 1,"
                    " CURRENT_TIMESTAMP)"
                ),
                {"v": json.dumps("Messenger")},
            )
            run(
                sa.text(
                    "INSERT INTO stage_run (id, partnership_id, stage_key, status, opened_early,"
                    " votes_revealed, updated_at) VALUES (1, 1, 'agreement', 'reopened', false,"
                    " false, CURRENT_TIMESTAMP)"
                )
            )
            run(
                sa.text(
                    "INSERT INTO stage_event (id, run_id, action, actor_id, at) VALUES"
                    " (1, 1, 'approve', 1, '2024-01-02 10:00:00'),"
                    " (2, 1, 'reopen', 1, '2024-01-03 10:00:00')"
                )
            )
            run(
                sa.text(
                    "INSERT INTO vote (id, partnership_id, stage_key, voter_id, candidate, dots,"
                    " at) VALUES (1, 1, 'priorities', 1, 'Hand hygiene', 2, CURRENT_TIMESTAMP)"
                )
            )
            run(
                sa.text(
                    "INSERT INTO comment (id, partnership_id, stage_key, section_key, body,"
                    " author_id, at) VALUES (1, 1, 'agreement', 'people', 'Check', 1,"
                    " CURRENT_TIMESTAMP)"
                )
            )
        command.upgrade(config, "head")
        with db.engine.begin() as connection:
            scalar = connection.scalar
            assert connection.execute(
                sa.text("SELECT partnership_id, number FROM cycle")
            ).all() == [(1, 1)]
            assert scalar(sa.text("SELECT cycle FROM partnership")) == 1
            for table in ("answer", "stage_run", "vote", "comment"):
                assert scalar(sa.text(f"SELECT cycle FROM {table}")) == 1, table  # noqa: S608
            # Reopened before this change: its first approval is found, so stage 2 stays open.
            first = scalar(sa.text("SELECT first_approved_at FROM stage_run"))
            assert str(first).startswith("2024-01-02")
            # The same question may now be answered again in a second cycle.
            connection.execute(
                sa.text(
                    "INSERT INTO answer (id, partnership_id, cycle, question_key, side, value,"
                    " version, updated_at) VALUES (2, 1, 2, 'outage_plan', '', :v, 1,"
                    " CURRENT_TIMESTAMP)"
                ),
                {"v": json.dumps("Generator")},
            )
            with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
                connection.execute(
                    sa.text(
                        "INSERT INTO answer (partnership_id, cycle, question_key, side,"
                        " value, version, updated_at) VALUES (1, 2, 'outage_plan', '',"
                        " 'null', 1, CURRENT_TIMESTAMP)"
                    )
                )
        db.engine.dispose()
