"""Two people editing different cells of one table both keep their work; the same cell is a
conflict they settle knowingly."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import World, make_participant
from tests.querycount import on_every_engine
from tests.test_groupwork import EN, autosave, open_all_stages, stage_url, stored
from workshop.auth.services import open_session
from workshop.extensions import db
from workshop.groupwork.answers.merge import merge_rows
from workshop.models import Account, AnswerRevision, Seminar

ROWS = [
    {"row": "r1", "name": "Olena", "role": "Coordinator"},
    {"row": "r2", "name": "Anna", "role": "Nurse"},
]


@pytest.mark.parametrize(
    ("mine", "theirs", "merged"),
    [
        # Different cells of one row, different rows: both kept.
        (
            [{**ROWS[0], "role": "Lead"}, ROWS[1]],
            [{**ROWS[0], "side": "ua"}, ROWS[1]],
            [{**ROWS[0], "role": "Lead", "side": "ua"}, ROWS[1]],
        ),
        (
            [ROWS[0], {**ROWS[1], "role": "Head nurse"}],
            [{**ROWS[0], "name": "Olena K."}, ROWS[1]],
            [{**ROWS[0], "name": "Olena K."}, {**ROWS[1], "role": "Head nurse"}],
        ),
        # Both add rows: theirs first, then mine.
        (
            [*ROWS, {"row": "m1", "name": "Mine"}],
            [*ROWS, {"row": "t1", "name": "Theirs"}],
            [*ROWS, {"row": "t1", "name": "Theirs"}, {"row": "m1", "name": "Mine"}],
        ),
        # I remove a row they did not touch: it goes.
        ([ROWS[0]], [*ROWS, {"row": "t1", "name": "New"}], [ROWS[0], {"row": "t1", "name": "New"}]),
        # Same change on both sides is no conflict.
        ([{**ROWS[0], "role": "X"}, ROWS[1]], [{**ROWS[0], "role": "X"}, ROWS[1]], None),
    ],
)
def test_changes_to_different_cells_merge(mine: list, theirs: list, merged: list | None) -> None:
    assert merge_rows(ROWS, mine, theirs) == (merged if merged is not None else mine, [])


@pytest.mark.parametrize(
    ("mine", "theirs", "clashes"),
    [
        (
            [{**ROWS[0], "role": "Lead"}, ROWS[1]],
            [{**ROWS[0], "role": "Chair"}, ROWS[1]],
            [(1, "r1", "role")],
        ),
        # I removed what they edited: named as their page numbers it.
        ([ROWS[0]], [ROWS[0], {**ROWS[1], "role": "Head nurse"}], [(2, "r2", "role")]),
        # They removed what I edited.
        ([{**ROWS[0], "role": "Lead"}, ROWS[1]], [ROWS[1]], [(1, "r1", "role")]),
    ],
)
def test_the_same_cell_changed_two_ways_is_a_conflict_naming_the_cell(
    mine: list, theirs: list, clashes: list
) -> None:
    assert merge_rows(ROWS, mine, theirs)[1] == clashes


@pytest.fixture
def two(
    app: Flask, world: World, login: Callable[[Account], FlaskClient]
) -> tuple[FlaskClient, FlaskClient]:
    open_all_stages(world)
    colleague = make_participant(partnership=world.partnership, seminar=world.seminar)
    db.session.commit()
    first = login(world.participant)
    assert (
        autosave(first, world, question="signatories", value=ROWS, base_version=0).status_code
        == 200
    )
    # A second browser: the login fixture signs everybody in on one shared test client.
    second = app.test_client()
    token = open_session(colleague, hours=8)
    db.session.commit()
    with second.session_transaction() as session:
        session["_user_id"] = token
    return first, second


def _first_signatory_becomes_chair(colleague: FlaskClient, world: World) -> None:
    """The colleague saves first, from the same version 1 the other person's page shows."""
    value = [{**ROWS[0], "role": "Chair"}, ROWS[1]]
    response = autosave(colleague, world, question="signatories", value=value, base_version=1)
    assert response.status_code == 200


def test_two_people_editing_different_cells_both_keep_their_work(
    world: World, two: tuple[FlaskClient, FlaskClient]
) -> None:
    me, colleague = two
    theirs = [{**ROWS[0], "role": "Head of department"}, ROWS[1]]
    assert (
        autosave(colleague, world, question="signatories", value=theirs, base_version=1).status_code
        == 200
    )
    mine = [ROWS[0], {**ROWS[1], "side": "partner"}, {"row": "r3", "name": "Erik"}]
    response = autosave(
        me, world, question="signatories", value=mine, base_version=1, key="merge-key-0001"
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == 3
    assert "changed other cells of «Signatories of the memorandum» meanwhile" in body["merged_note"]
    # The page gets the merged table to put in place of its own, with the new version.
    assert 'value="Head of department"' in body["html"] and 'value="Erik"' in body["html"]
    assert 'name="v.signatories" value="3"' in body["html"]
    answer = stored(world, "signatories")
    assert answer is not None
    assert answer.value == [
        {**ROWS[0], "role": "Head of department"},
        {**ROWS[1], "side": "partner"},
        {"row": "r3", "name": "Erik"},
    ]
    # A retry of the same request finds the merged save: nothing is saved twice.
    again = autosave(
        me, world, question="signatories", value=mine, base_version=1, key="merge-key-0001"
    )
    assert again.get_json()["version"] == 3
    revisions = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AnswerRevision)
        .where(AnswerRevision.answer_id == answer.id)
    )
    assert revisions == 3


def test_the_same_cell_is_a_conflict_shown_as_a_table(
    world: World, two: tuple[FlaskClient, FlaskClient]
) -> None:
    me, colleague = two
    _first_signatory_becomes_chair(colleague, world)
    response = autosave(
        me,
        world,
        question="signatories",
        value=[{**ROWS[0], "role": "Lead"}, ROWS[1]],
        base_version=1,
    )
    assert response.status_code == 409
    body = response.get_json()
    # Their version reads as the page shows a table, not as data.
    assert "<table" in body["shown"] and ">Chair</span></td>" in body["shown"]
    assert "{" not in body["shown"]
    assert "You both changed:" in body["shown"] and "Row 1 — Position" in body["shown"]
    assert stored(world, "signatories").value[0]["role"] == "Chair"


def test_a_stale_table_save_stores_the_merge_once_and_a_clash_nothing(
    world: World, two: tuple[FlaskClient, FlaskClient]
) -> None:
    """On PostgreSQL the autosave runs without a transaction, each statement committing by
    itself: a stale save that merges must write the merged table once, and one that clashes
    must write nothing at all, with no rollback to undo a first attempt."""
    me, colleague = two
    _first_signatory_becomes_chair(colleague, world)  # version 2
    counter = sa.select(Seminar.revision).where(Seminar.id == world.seminar.id)
    # Read now: after a rollback, reading world.partnership.id would begin a transaction.
    url = f"/partnerships/{world.partnership.id}/answers"

    def save(value: list[dict[str, str]]) -> TestResponse:
        return me.post(url, json={"question": "signatories", "value": value, "base_version": 1})

    autocommit: list[bool | None] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("WITH", "INSERT", "UPDATE", "DELETE")):
            autocommit.append(getattr(conn.connection.dbapi_connection, "autocommit", None))

    def state() -> tuple[int, int, int | None]:
        answer = stored(world, "signatories")
        assert answer is not None
        kept = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AnswerRevision)
            .where(AnswerRevision.answer_id == answer.id)
        )
        found = (answer.version, kept, db.session.scalar(counter))
        db.session.rollback()  # the next request starts outside any transaction, as served
        return found

    with on_every_engine(record):
        before = state()
        clash = [{**ROWS[0], "role": "Lead"}, ROWS[1]]
        response = save(clash)
        assert response.status_code == 409
        assert state() == before

        merges = [{**ROWS[0], "role": "Chair"}, {**ROWS[1], "side": "partner"}]
        response = save(merges)
        assert response.status_code == 200
        version, kept, changes = state()
        assert (version, kept) == (before[0] + 1, before[1] + 1)
        assert changes is not None and before[2] is not None and changes == before[2] + 1
        if db.engine.dialect.name == "postgresql":
            assert autocommit and all(autocommit), autocommit


def test_a_section_saved_without_javascript_merges_too(
    world: World, two: tuple[FlaskClient, FlaskClient]
) -> None:
    me, colleague = two
    _first_signatory_becomes_chair(colleague, world)
    form = {
        "v.signatories": "1",
        "q.signatories.r1.name": "Olena",
        "q.signatories.r1.role": "Coordinator",
        "q.signatories.r2.name": "Anna",
        "q.signatories.r2.role": "Nurse",
        "q.signatories.r2.side": "partner",
    }
    response = me.post(stage_url(world, "agreement") + "/people", data=form, headers=EN)
    assert response.status_code == 302
    page = me.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "both changes are kept" in page
    value = stored(world, "signatories").value
    assert value[0]["role"] == "Chair" and value[1]["side"] == "partner"


def test_a_row_ticked_remove_is_left_out_when_the_section_saves(
    world: World, two: tuple[FlaskClient, FlaskClient]
) -> None:
    me, _colleague = two
    page = me.get(stage_url(world, "agreement"), headers=EN).get_data(as_text=True)
    assert 'name="q.signatories.r2._remove"' in page  # a stored row can be removed
    form = {
        "v.signatories": "1",
        "q.signatories.r1.name": "Olena",
        "q.signatories.r1.role": "Coordinator",
        "q.signatories.r2.name": "Anna",
        "q.signatories.r2.role": "Nurse",
        "q.signatories.r2._remove": "1",
    }
    response = me.post(stage_url(world, "agreement") + "/people", data=form, headers=EN)
    assert response.status_code == 302
    assert stored(world, "signatories").value == [ROWS[0]]
