"""Group work at a partnership's table: saving, conflicts, history, and what each person sees."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World, make_participant, make_partnership, stored_answer
from tests.querycount import count_queries, on_every_engine
from workshop.auth.services import open_session
from workshop.extensions import db
from workshop.method.definition import load
from workshop.models import Account, Answer, AnswerRevision, Seminar, Side, StageRun

EN = {"Accept-Language": "en"}


def stage_url(world: World, stage: str = "needs") -> str:
    return f"/partnerships/{world.partnership.id}/stages/{stage}"


def autosave(client: FlaskClient, world: World, **body: object) -> object:
    return client.post(f"/partnerships/{world.partnership.id}/answers", json=body, headers=EN)


def stored(world: World, key: str, side: str = "") -> Answer | None:
    return stored_answer(world.partnership, key, side)


def open_all_stages(world: World) -> None:
    """As a facilitator would with a logged reason: every stage open for this partnership."""
    for key in ("needs", "priorities", "action_plan"):
        db.session.add(
            StageRun(partnership_id=world.partnership.id, stage_key=key, opened_early=True)
        )
    db.session.commit()


@pytest.fixture
def seated(world: World, login: Callable[[Account], FlaskClient]) -> FlaskClient:
    open_all_stages(world)
    return login(world.participant)


def test_a_section_saves_without_javascript_and_comes_back(
    seated: FlaskClient, world: World
) -> None:
    response = seated.post(
        stage_url(world) + "/how",
        data={
            "q.assessment_methods": ["interviews", "desk_review"],
            "v.assessment_methods": "0",
            "q.assessment_team": "Олена Коваленко; Anna Berg",
            "v.assessment_team": "0",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/stages/needs#section-how")
    page = seated.get(stage_url(world), headers=EN).get_data(as_text=True)
    assert "Олена Коваленко; Anna Berg" in page
    assert re.search(r'value="desk_review"\s+checked', page)
    answer = stored(world, "assessment_methods")
    assert answer is not None
    assert answer.value == ["desk_review", "interviews"]
    assert answer.version == 1


def test_bad_input_is_explained_kept_and_changes_nothing(seated: FlaskClient, world: World) -> None:
    autosave(seated, world, question="memorandum_term_months", value=24, base_version=0)
    response = seated.post(
        stage_url(world, "agreement") + "/memorandum",
        data={
            "q.memorandum_signed_on": "2023-02-30",
            "v.memorandum_signed_on": "0",
            "q.memorandum_term_months": "two years",
            "v.memorandum_term_months": "1",
        },
        headers=EN,
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Enter a real date" in page
    assert 'value="two years"' in page  # what was typed stays in the field
    assert 'aria-invalid="true"' in page
    answer = stored(world, "memorandum_term_months")
    assert answer is not None
    assert (answer.value, answer.version) == (24, 1)
    assert stored(world, "memorandum_signed_on") is None


def test_each_side_answers_for_itself_and_sees_the_other(
    world: World, seated: FlaskClient, app: Flask
) -> None:
    partner = make_participant(
        partnership=world.partnership, seminar=world.seminar, side=Side.PARTNER
    )
    db.session.commit()
    assert (
        autosave(
            seated, world, question="want_to_learn", value="Trauma registries", base_version=0
        ).status_code
        == 200
    )
    other = app.test_client()
    with other.session_transaction() as session:
        from workshop.auth.services import open_session

        session["_user_id"] = open_session(partner, hours=1)
    db.session.commit()
    assert (
        autosave(
            other,
            world,
            question="want_to_learn",
            value="Working through blackouts",
            base_version=0,
        ).status_code
        == 200
    )
    assert stored(world, "want_to_learn", "ua").value == "Trauma registries"
    assert stored(world, "want_to_learn", "partner").value == "Working through blackouts"
    page = other.get(stage_url(world, "agreement"), headers=EN).get_data(as_text=True)
    editable = page.split('id="f-want_to_learn"')[1].split("</textarea>")[0]
    assert "Working through blackouts" in editable
    shown = page.split("The Ukrainian hospital's answer")[1][:300]
    assert "Trauma registries" in shown


def test_a_stale_autosave_is_refused_with_the_current_value(
    seated: FlaskClient, world: World
) -> None:
    first = autosave(seated, world, question="assessment_team", value="Olena", base_version=0)
    assert first.status_code == 200
    assert first.get_json() == {"version": 1}
    stale = autosave(seated, world, question="assessment_team", value="Anna", base_version=0)
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["version"] == 1
    assert body["value"] == "Olena"
    assert body["by"] == world.participant.display_name
    assert stored(world, "assessment_team").value == "Olena"


def test_a_retried_save_is_counted_once(seated: FlaskClient, world: World) -> None:
    body = {"question": "assessment_team", "value": "Olena", "base_version": 0, "key": "k" * 20}
    assert autosave(seated, world, **body).status_code == 200
    again = autosave(seated, world, **body)
    assert again.status_code == 200
    assert again.get_json() == {"version": 1}
    revisions = db.session.scalar(sa.select(sa.func.count(AnswerRevision.id)))
    assert revisions == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"question": "assessment_team", "value": "x", "base_version": "0"}, 400),
        ({"question": "assessment_team", "value": "x", "base_version": -1}, 400),
        ({"question": "assessment_team", "value": "x", "base_version": True}, 400),
        ({"question": "assessment_team", "value": "x", "base_version": 0, "key": "short"}, 400),
        ({"question": "no_such_question", "value": "x", "base_version": 0}, 404),
        ({"question": "assessment_team", "value": "x" * 6000, "base_version": 0}, 422),
        (
            {"question": "needs_matrix", "value": [{"row": "ipc", "status": 9}], "base_version": 0},
            422,
        ),
        ({"question": ["list"], "value": "x", "base_version": 0}, 400),
    ],
)
def test_malformed_autosaves_are_refused_and_store_nothing(
    seated: FlaskClient, world: World, body: dict, status: int
) -> None:
    response = autosave(seated, world, **body)
    assert response.status_code == status
    if status == 422:
        assert response.get_json()["error"]
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0


def test_a_question_from_another_method_version_is_not_found(
    seated: FlaskClient, world: World
) -> None:
    world.partnership.method_version = "2024.1"
    db.session.commit()
    response = autosave(seated, world, question="stage_six_lessons", value="x", base_version=0)
    assert response.status_code == 404


def test_a_participant_cannot_write_to_another_partnership(
    world: World, seated: FlaskClient
) -> None:
    response = seated.post(
        f"/partnerships/{world.other_partnership.id}/answers",
        json={"question": "assessment_team", "value": "x", "base_version": 0},
    )
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0


def test_staff_and_heads_read_but_do_not_get_forms(
    world: World, login: Callable[[Account], FlaskClient], seated: FlaskClient
) -> None:
    autosave(seated, world, question="assessment_team", value="Olena and Anna", base_version=0)
    for reader in (world.facilitator, world.head):
        page = login(reader).get(stage_url(world), headers=EN).get_data(as_text=True)
        assert "Olena and Anna" in page
        assert "data-autosave" not in page


def test_history_keeps_every_revision_and_restoring_adds_one(
    seated: FlaskClient, world: World
) -> None:
    for version, text in enumerate(["first draft", "second draft", "third draft"]):
        assert (
            autosave(
                seated, world, question="assessment_team", value=text, base_version=version
            ).status_code
            == 200
        )
    url = f"/partnerships/{world.partnership.id}/answers/assessment_team"
    page = seated.get(url + "/history", headers=EN).get_data(as_text=True)
    assert page.index("third draft") < page.index("second draft") < page.index("first draft")
    yes = {"confirm": "yes"}  # the question it asks first: tests/test_confirm.py
    restored = seated.post(url + "/restore", data={"version": "1", "base_version": "3", **yes})
    assert restored.status_code == 302
    answer = stored(world, "assessment_team")
    assert (answer.value, answer.version) == ("first draft", 4)
    revisions = db.session.scalars(sa.select(AnswerRevision).order_by(AnswerRevision.version)).all()
    assert [r.value for r in revisions] == [
        "first draft",
        "second draft",
        "third draft",
        "first draft",
    ]
    assert revisions[-1].restored_from == 1
    stale = seated.post(url + "/restore", data={"version": "2", "base_version": "3", **yes})
    assert stale.status_code == 302
    assert stored(world, "assessment_team").version == 4


def test_a_stale_section_post_shows_both_versions_and_keeps_mine(
    seated: FlaskClient, world: World
) -> None:
    autosave(seated, world, question="assessment_team", value="Theirs, saved first", base_version=0)
    response = seated.post(
        stage_url(world) + "/how",
        data={"q.assessment_team": "Mine, typed meanwhile", "v.assessment_team": "0"},
        headers=EN,
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "saved this answer while you were editing" in page
    assert "Theirs, saved first" in page
    assert "Mine, typed meanwhile" in page
    assert 'name="v.assessment_team" value="1"' in page  # saving again keeps mine, knowingly
    assert stored(world, "assessment_team").value == "Theirs, saved first"
    again = seated.post(
        stage_url(world) + "/how",
        data={"q.assessment_team": "Mine, typed meanwhile", "v.assessment_team": "1"},
    )
    assert again.status_code == 302
    assert stored(world, "assessment_team").value == "Mine, typed meanwhile"


def test_an_autosave_costs_at_most_five_queries_and_under_two_kilobytes(
    seated: FlaskClient, world: World
) -> None:
    autosave(seated, world, question="assessment_team", value="warm-up", base_version=0)
    body = {
        "question": "assessment_team",
        "value": "Олена Коваленко, Anna Berg " * 10,
        "base_version": 1,
        "key": "0123456789abcdef0123456789abcdef",
    }
    assert len(json.dumps(body).encode()) < 2048
    url = f"/partnerships/{world.partnership.id}/answers"  # outside the count: may refresh
    with count_queries() as statements:
        response = seated.post(url, json=body)
    assert response.status_code == 200
    if db.engine.dialect.name == "postgresql":
        # session (counting the save for the sign-in's limit, R8, in the same statement),
        # then the answer with its revision and the seminar's change counter as one statement,
        # outside a transaction (database.one_statement_writes), its stage's lock checked by
        # that statement itself (review.queries.EDITABLE)
        assert len(statements) == 2, "\n".join(s[:90] for s in statements)
        assert statements[-1].lstrip().startswith("WITH saved AS")
        assert "stage_run" in statements[-1]
    else:
        # the sign-in's count of saves (R8, tests/test_autosave_limit.py), session, the answer
        # (its stage's lock checked by that statement), its revision, the change counter
        assert len(statements) <= 5, "\n".join(s[:90] for s in statements)
        assert not any(s.lstrip().startswith("SELECT stage_run") for s in statements)


def test_a_seated_participants_autosave_makes_no_object_and_a_refused_one_answers_as_before(
    seated: FlaskClient, world: World
) -> None:
    """The autosave works from the session check's plain values (auth/signed_in.py): making the
    person, their seats and partnership into objects was most of what its session check cost.
    Whoever is not seated there still gets the full check's answers."""
    made: list[str] = []

    def note(_session: object, instance: object) -> None:
        made.append(type(instance).__name__)

    url = f"/partnerships/{world.partnership.id}/answers"
    events = ("loaded_as_persistent", "detached_to_persistent", "transient_to_pending")
    for event in events:
        sa.event.listen(sa.orm.Session, event, note)
    try:
        db.session.commit()
        db.session.expunge_all()  # the test's own objects would hide a made one
        body = {"question": "assessment_team", "value": "plain", "base_version": 0}
        assert seated.post(url, json=body).status_code == 200
        assert made == []
        db.session.expunge_all()
        stale = seated.post(url, json={**body, "value": "late"})
        assert stale.status_code == 409 and "plain" in stale.get_json()["shown"]
        assert "Partnership" in made  # the conflict's copy of the answer does need the object
    finally:
        for event in events:
            sa.event.remove(sa.orm.Session, event, note)
    db.session.expunge_all()
    world.partnership = db.session.merge(world.partnership)
    # A table the participant does not sit at is not there for them, as on every page.
    other = make_partnership(seminar=world.seminar, method_version=world.partnership.method_version)
    db.session.commit()
    body = {"question": "assessment_team", "value": "x", "base_version": 0}
    assert seated.post(f"/partnerships/{other.id}/answers", json=body).status_code == 404


def test_an_autosave_writes_the_answer_its_revision_and_the_change_count_whole(
    seated: FlaskClient, world: World
) -> None:
    """The first save and a later one each store the answer, its revision and the room's change
    count together (on PostgreSQL in one statement without a transaction), and a refused save
    stores none of them."""
    url = f"/partnerships/{world.partnership.id}/answers"
    counter = sa.select(Seminar.revision).where(Seminar.id == world.seminar.id)
    writes: list[bool | None] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        writes_answers = "answer" in statement  # not the session check counting the save (R8)
        if writes_answers and statement.lstrip().upper().startswith(
            ("WITH", "INSERT", "UPDATE", "DELETE")
        ):
            # psycopg's own flag: True when each statement commits by itself
            writes.append(getattr(conn.connection.dbapi_connection, "autocommit", None))

    with on_every_engine(record):
        steps = [(0, "first", 200), (1, "second", 200), (1, "stale", 409)]
        for base, value, status in steps:
            before = db.session.scalar(counter)
            db.session.rollback()
            writes.clear()
            body = {"question": "assessment_team", "value": value, "base_version": base}
            response = seated.post(url, json={**body, "key": f"key-of-{value}"})
            assert response.status_code == status
            answer = stored(world, "assessment_team")
            kept = db.session.scalars(
                sa.select(AnswerRevision.value)
                .where(AnswerRevision.answer_id == answer.id)
                .order_by(AnswerRevision.version)
            ).all()
            after = db.session.scalar(counter)
            db.session.rollback()
            if status == 200:
                assert (answer.value, answer.version, kept[-1]) == (value, base + 1, value)
                assert after == before + 1
            else:
                assert (answer.version, len(kept), after) == (2, 2, before)
            if db.engine.dialect.name == "postgresql":
                # one statement, committing by itself (a refused one changed no row)
                assert writes == [True], writes


def test_a_stage_page_costs_the_same_queries_however_many_answers(
    seated: FlaskClient, world: World
) -> None:
    with count_queries() as few:
        assert seated.get(stage_url(world, "agreement")).status_code == 200
    for number, key in enumerate(
        [
            "want_to_learn",
            "can_offer",
            "resources_pledged",
            "outage_plan",
            "shared_vision_uk",
            "shared_vision_en",
            "channels",
        ]
    ):
        value = ["email"] if key == "channels" else f"answer {number}"
        assert autosave(seated, world, question=key, value=value, base_version=0).status_code == 200
    with count_queries() as many:
        assert seated.get(stage_url(world, "agreement")).status_code == 200
    assert len(many) == len(few), (len(few), len(many))


def test_a_stage_page_weighs_under_100_kb_compressed_with_its_assets(
    seated: FlaskClient, world: World, app: Flask
) -> None:
    total = 0
    for stage in ("agreement", "needs", "priorities", "action_plan"):
        page = seated.get(stage_url(world, stage)).get_data()
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', page)
        weight = len(gzip.compress(page))
        for asset in assets:
            response = seated.get(asset.decode())
            weight += len(gzip.compress(response.get_data()))
            response.close()
        assert weight < 100 * 1024, (stage, weight)
        assert not re.search(rb'(?:href|src|action)="https?://', page)
        total = max(total, weight)
    assert total > 5 * 1024  # the pages really were measured


def test_the_stage_page_shows_who_else_is_working_on_it(
    seated: FlaskClient, world: World, login: Callable[[Account], FlaskClient], app: Flask
) -> None:
    url = f"/partnerships/{world.partnership.id}/stages/agreement"
    assert seated.post(url + "/presence").get_json() == {"others": []}
    facilitator = app.test_client()
    from workshop.auth.services import open_session

    token = open_session(world.facilitator, hours=1)
    db.session.commit()
    with facilitator.session_transaction() as session:
        session["_user_id"] = token
    seen = facilitator.post(url + "/presence").get_json()
    assert seen == {"others": [world.participant.display_name]}
    page = seated.get(url, headers=EN).get_data(as_text=True)
    assert f"Also on this stage now: {world.facilitator.display_name}" in page


def answered(client: FlaskClient, world: World, stage: str = "needs") -> tuple[int, int]:
    """The "n of m questions answered" line of a stage page, as numbers."""
    page = client.get(stage_url(world, stage), headers=EN).get_data(as_text=True)
    found = re.search(r"(\d+) of (\d+) questions? answered", page)
    assert found is not None
    return int(found.group(1)), int(found.group(2))


def test_a_needs_matrix_counts_as_answered_only_when_both_sides_rated_every_area(
    world: World, app: Flask, login: Callable[[Account], FlaskClient]
) -> None:
    world.partnership.method_version = "2024.2"  # the version whose matrix needs every rating
    db.session.commit()
    open_all_stages(world)
    matrix = load("2024.2").question("needs_matrix")
    assert matrix is not None
    areas = [row.id for row in matrix.rows]
    ua = login(world.participant)
    nothing, total = answered(ua, world)
    assert nothing == 0

    one = [{"row": areas[0], "status": 1, "want_to_learn": "Triage"}]
    assert (
        autosave(ua, world, question="needs_matrix", value=one, base_version=0).status_code == 200
    )
    assert answered(ua, world) == (0, total)  # one area of many is not an answer yet

    every = [{"row": area, "status": 2} for area in areas]
    assert (
        autosave(ua, world, question="needs_matrix", value=every, base_version=1).status_code == 200
    )
    assert answered(ua, world) == (0, total)  # the partner hospital has not rated itself yet

    partner = make_participant(
        partnership=world.partnership, seminar=world.seminar, side=Side.PARTNER
    )
    db.session.commit()
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = open_session(partner, hours=1)
    db.session.commit()
    unrated = [{"row": area, "status": 3} for area in areas[1:]]
    unrated.append({"row": areas[0], "can_share": "Blackout routines"})  # no status here
    assert (
        autosave(other, world, question="needs_matrix", value=unrated, base_version=0).status_code
        == 200
    )
    assert answered(other, world) == (0, total)

    rated = [{"row": area, "status": 3} for area in areas]
    assert (
        autosave(other, world, question="needs_matrix", value=rated, base_version=1).status_code
        == 200
    )
    assert answered(other, world) == (1, total)
    assert answered(ua, world) == (1, total)


def test_a_table_with_a_minimum_counts_when_it_has_that_many_complete_rows(
    world: World, seated: FlaskClient
) -> None:
    complete = {"priority": "Hand hygiene", "rationale": "Largest gap"}
    assert (
        autosave(seated, world, question="priorities", value=[complete], base_version=0).status_code
        == 200
    )
    assert answered(seated, world, "priorities")[0] == 0  # 2024.1 asks for at least two

    half = {"priority": "Trauma team"}  # no rationale, which every row needs
    assert (
        autosave(
            seated, world, question="priorities", value=[complete, half], base_version=1
        ).status_code
        == 200
    )
    assert answered(seated, world, "priorities")[0] == 0

    second = {**half, "rationale": "Two-way learning"}
    assert (
        autosave(
            seated, world, question="priorities", value=[complete, second], base_version=2
        ).status_code
        == 200
    )
    assert answered(seated, world, "priorities")[0] == 1
