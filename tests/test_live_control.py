"""The facilitator's room controls (facilitation/control): a stage opened or closed for every
table, the countdown, the notice, dot votes revealed everywhere, the projector, and what the
tables' screens poll to follow them, with "Ask for help"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.factories import World, make_participant, make_partnership, stored_answer
from tests.querycount import count_queries
from workshop import live
from workshop.extensions import db
from workshop.models import (
    Account,
    HelpRequest,
    Partnership,
    Seminar,
    SeminarStage,
    StageEvent,
    StageRun,
    utcnow,
)

EN = {"Accept-Language": "en"}
Login = Callable[[Account], FlaskClient]


@pytest.fixture
def room(world: World) -> World:
    """The world's seminar with a second table (on the other method version) and a person there."""
    second = make_partnership(seminar=world.seminar, method_version="2024.2")
    make_participant(partnership=second, seminar=world.seminar)
    db.session.commit()
    return world


def _tables(world: World) -> list[Partnership]:
    db.session.expire_all()
    return sorted(world.seminar.partnerships, key=lambda p: p.id)


def _run(partnership_id: int, key: str) -> StageRun | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(StageRun).where(
            StageRun.partnership_id == partnership_id, StageRun.stage_key == key
        )
    )


def _seminar(world: World) -> Seminar:
    db.session.expire_all()
    return db.session.get(Seminar, world.seminar.id)  # type: ignore[return-value]


def _control(client: FlaskClient, world: World, what: str, **form: str) -> object:
    return client.post(f"/seminars/{world.seminar.id}/control/{what}", data=form, headers=EN)


def _open_events() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(StageEvent)
            .where(StageEvent.action == "open_early")
        )
        or 0
    )


def test_a_stage_opened_for_the_room_opens_at_every_table_once(room: World, login: Login) -> None:
    client = login(room.facilitator)
    page = client.get(f"/seminars/{room.seminar.id}/control", headers=EN)
    assert page.status_code == 200
    assert "Open at 0 of 2 tables." in page.get_data(as_text=True)

    response = _control(client, room, "stages", stage="needs", action="open")
    assert response.status_code == 302
    for table in _tables(room):
        run = _run(table.id, "needs")
        assert run is not None and run.opened_early and not run.closed_for_room
    events = db.session.scalars(sa.select(StageEvent).where(StageEvent.action == "open_early"))
    assert {e.reason for e in events} == {"Opened for the whole room"}
    seminar = _seminar(room)
    assert seminar.round_stage_key == "needs" and seminar.round_started_at is not None
    assert _run(room.other_partnership.id, "needs") is None  # another seminar's table
    page = client.get(f"/seminars/{room.seminar.id}/control", headers=EN).get_data(as_text=True)
    assert "Open at 2 of 2 tables." in page and "The room works on stage 2." in page

    before = (_open_events(), live.revision(room.seminar.id))
    again = _control(client, room, "stages", stage="needs", action="open")
    assert again.status_code == 422
    assert "Stage 2 is already open at every table." in again.get_data(as_text=True)
    assert (_open_events(), live.revision(room.seminar.id)) == before

    unknown = _control(client, room, "stages", stage="no_such_stage", action="open")
    assert unknown.status_code == 422
    assert "No table of this seminar has this stage." in unknown.get_data(as_text=True)
    assert _control(client, room, "stages", stage="needs", action="explode").status_code == 400


def test_a_closed_stage_refuses_every_save_at_every_table_until_reopened(
    room: World, login: Login
) -> None:
    facilitator = login(room.facilitator)
    assert (
        _control(facilitator, room, "stages", stage="agreement", action="close").status_code == 302
    )
    assert all(_run(t.id, "agreement").closed_for_room for t in _tables(room))  # type: ignore[union-attr]
    marked = db.session.get(SeminarStage, (room.seminar.id, "agreement"))
    assert marked is not None and marked.closed and marked.changed_by_id == room.facilitator.id
    again = _control(facilitator, room, "stages", stage="agreement", action="close")
    assert again.status_code == 422
    assert "already closed for the room" in again.get_data(as_text=True)

    seated = login(room.participant)
    url = f"/partnerships/{room.partnership.id}/answers"
    body = {"question": "want_to_learn", "value": "Triage", "base_version": 0, "key": "k" * 16}
    refused = seated.post(url, json=body, headers=EN)
    assert refused.status_code == 423
    assert (
        refused.get_json()["error"] == "The facilitator has closed this stage for the room for now."
    )
    assert stored_answer(room.partnership, "want_to_learn", "ua") is None
    page = seated.get(f"/partnerships/{room.partnership.id}/stages/agreement", headers=EN)
    assert "The facilitator has closed this stage for the room for now." in page.get_data(
        as_text=True
    )
    assert "Submit for review" not in page.get_data(as_text=True)  # nor offered to the table
    submit = seated.post(f"/partnerships/{room.partnership.id}/stages/agreement/submit", headers=EN)
    assert submit.status_code == 422
    assert _run(room.partnership.id, "agreement").status is None  # type: ignore[union-attr]

    facilitator = login(room.facilitator)
    assert (
        _control(facilitator, room, "stages", stage="agreement", action="open").status_code == 302
    )
    assert not any(_run(t.id, "agreement").closed_for_room for t in _tables(room))  # type: ignore[union-attr]
    seated = login(room.participant)
    assert seated.post(url, json=body, headers=EN).status_code == 200
    assert stored_answer(room.partnership, "want_to_learn", "ua").value == "Triage"  # type: ignore[union-attr]


def test_a_countdown_of_a_wrong_length_is_refused_by_its_field(world: World, login: Login) -> None:
    client = login(world.facilitator)
    for typed in ["0", "-5", "181", "abc", "1e3", "99999999999999999999", "", "２０"]:
        response = _control(client, world, "countdown", action="start", **{"start-minutes": typed})
        assert response.status_code == 422, typed
        html = response.get_data(as_text=True)
        assert 'id="start-minutes-error"' in html
        assert "Enter a whole number of minutes from 1 to 180." in html
        assert _seminar(world).round_ends_at is None


def test_a_countdown_starts_extends_and_stops(world: World, login: Login) -> None:
    client = login(world.facilitator)
    started = utcnow()
    assert (
        _control(client, world, "countdown", action="start", **{"start-minutes": "30"}).status_code
        == 302
    )
    ends = _seminar(world).round_ends_at
    assert ends is not None and timedelta(minutes=29) < ends - started < timedelta(minutes=31)
    assert (
        _control(
            client, world, "countdown", action="extend", **{"extend-minutes": "10"}
        ).status_code
        == 302
    )
    assert _seminar(world).round_ends_at == ends + timedelta(minutes=10)
    too_long = _control(client, world, "countdown", action="extend", **{"extend-minutes": "150"})
    assert too_long.status_code == 422
    assert "A countdown runs at most 180 minutes from now" in too_long.get_data(as_text=True)
    assert _seminar(world).round_ends_at == ends + timedelta(minutes=10)
    assert _control(client, world, "countdown", action="stop").status_code == 302
    assert _seminar(world).round_ends_at is None
    assert _control(client, world, "countdown", action="stop").status_code == 422
    nothing = _control(client, world, "countdown", action="extend", **{"extend-minutes": "5"})
    assert nothing.status_code == 422 and _seminar(world).round_ends_at is None


def test_a_notice_is_short_or_refused(world: World, login: Login) -> None:
    client = login(world.facilitator)
    huge = _control(client, world, "notice", action="send", text="я" * 100_000)
    assert huge.status_code == 422
    assert "A notice has at most 500 characters; this one has 100000." in huge.get_data(
        as_text=True
    )
    blank = _control(client, world, "notice", action="send", text=" \r\n ")
    assert blank.status_code == 422 and "Write the notice." in blank.get_data(as_text=True)
    assert _seminar(world).notice is None
    assert (
        _control(client, world, "notice", action="send", text="  Coffee   at 11:00 ").status_code
        == 302
    )
    seminar = _seminar(world)
    assert seminar.notice == "Coffee at 11:00" and seminar.notice_at is not None
    assert _control(client, world, "notice", action="clear").status_code == 302
    assert _seminar(world).notice is None
    assert _control(client, world, "notice", action="clear").status_code == 422


def test_votes_are_revealed_at_every_table_of_the_seminar_and_nowhere_else(
    room: World, login: Login
) -> None:
    client = login(room.facilitator)
    assert _control(client, room, "votes", stage="priorities", action="reveal").status_code == 302
    assert all(_run(t.id, "priorities").votes_revealed for t in _tables(room))  # type: ignore[union-attr]
    assert _run(room.other_partnership.id, "priorities") is None
    again = _control(client, room, "votes", stage="priorities", action="reveal")
    assert again.status_code == 422 and "already shown at every table" in again.get_data(
        as_text=True
    )
    no_vote = _control(client, room, "votes", stage="agreement", action="reveal")
    assert no_vote.status_code == 422 and "This stage has no dot vote." in no_vote.get_data(
        as_text=True
    )

    # Another seminar's facilitator cannot reach this seminar's controls, nor this one theirs.
    other = login(room.other_facilitator)
    assert _control(other, room, "votes", stage="priorities", action="hide").status_code == 404
    assert all(_run(t.id, "priorities").votes_revealed for t in _tables(room))  # type: ignore[union-attr]
    client = login(room.facilitator)
    theirs = client.post(
        f"/seminars/{room.other_seminar.id}/control/votes",
        data={"stage": "priorities", "action": "reveal"},
    )
    assert theirs.status_code == 404
    assert _run(room.other_partnership.id, "priorities") is None
    assert _control(client, room, "votes", stage="priorities", action="hide").status_code == 302
    assert not any(_run(t.id, "priorities").votes_revealed for t in _tables(room))  # type: ignore[union-attr]


def test_the_control_page_and_the_projector_are_for_the_seminars_facilitators(
    world: World, login: Login
) -> None:
    for path in ("control", "projector", "projector/live"):
        url = f"/seminars/{world.seminar.id}/{path}"
        assert login(world.facilitator).get(url).status_code == 200
        assert login(world.admin).get(url).status_code == 200
        assert login(world.other_facilitator).get(url).status_code == 404
        assert login(world.head).get(url).status_code == 403
        assert login(world.participant).get(url).status_code == 403
    for what in ("stages", "countdown", "notice", "votes"):
        response = login(world.participant).post(
            f"/seminars/{world.seminar.id}/control/{what}", data={"action": "stop"}
        )
        assert response.status_code == 403


def test_the_projector_shows_the_code_a_qr_code_and_the_room(world: World, login: Login) -> None:
    client = login(world.facilitator)
    _control(client, world, "countdown", action="start", **{"start-minutes": "20"})
    _control(client, world, "notice", action="send", text="Lunch at 13:00")
    response = client.get(f"/seminars/{world.seminar.id}/projector", headers=EN)
    html = response.get_data(as_text=True)
    seminar = _seminar(world)
    assert seminar.title_en in html
    assert seminar.join_code[:5] in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "Lunch at 13:00" in html and "Group work ends at" in html
    assert response.headers["ETag"] == live.etag(seminar.revision)
    poll = f"/seminars/{world.seminar.id}/projector/live"
    assert client.get(poll, query_string={"since": seminar.revision}).status_code == 204
    assert (
        client.get(poll, headers={"If-None-Match": live.etag(seminar.revision)}).status_code == 304
    )
    fragment = client.get(poll, query_string={"since": seminar.revision - 1}, headers=EN)
    assert fragment.status_code == 200 and "Lunch at 13:00" in fragment.get_data(as_text=True)


def test_a_tables_poll_answers_its_seat_only(world: World, login: Login) -> None:
    url = f"/tables/{world.partnership.id}/live"
    seated = login(world.participant)
    first = seated.get(url, headers=EN)
    assert first.status_code == 200
    data = first.get_json()
    assert data["notice"] is None and data["countdown_ends_at"] is None
    assert data["round_stage"] is None
    assert [s["key"] for s in data["open_stages"]] == ["agreement"]
    revision = data["revision"]
    assert seated.get(url, query_string={"since": revision}).status_code == 204
    assert seated.get(url, headers={"If-None-Match": live.etag(revision)}).status_code == 304

    facilitator = login(world.facilitator)
    _control(facilitator, world, "stages", stage="needs", action="open")
    _control(facilitator, world, "countdown", action="start", **{"start-minutes": "15"})
    _control(facilitator, world, "notice", action="send", text="Five minutes to go")
    seated = login(world.participant)
    changed = seated.get(url, query_string={"since": revision}, headers=EN)
    assert changed.status_code == 200
    data = changed.get_json()
    assert data["revision"] > revision
    assert data["notice"] == "Five minutes to go" and data["notice_at"]
    assert data["countdown_ends_at"].endswith("+00:00")
    assert data["round_stage"]["key"] == "needs"
    assert data["round_stage"]["title"] == "Needs assessment — both ways"
    assert data["round_stage"]["url"] == f"/partnerships/{world.partnership.id}/stages/needs"
    assert {s["key"] for s in data["open_stages"]} == {"agreement", "needs"}

    assert login(world.other_participant).get(url).status_code == 404
    assert login(world.facilitator).get(url).status_code == 404
    assert login(world.other_facilitator).get(url).status_code == 404
    assert login(world.head).get(url).status_code == 404
    assert login(world.admin).get(url).status_code == 404


def test_the_stage_page_shows_the_room_and_asking_for_help_raises_one_flag(
    world: World, login: Login
) -> None:
    facilitator = login(world.facilitator)
    _control(facilitator, world, "stages", stage="needs", action="open")
    _control(facilitator, world, "countdown", action="start", **{"start-minutes": "45"})
    _control(facilitator, world, "notice", action="send", text="Wrap up your gaps")
    seated = login(world.participant)
    page = seated.get(f"/partnerships/{world.partnership.id}/stages/agreement", headers=EN)
    html = page.get_data(as_text=True)
    assert "Group work ends at " in html and "Wrap up your gaps" in html
    assert "Go to stage 2. Needs assessment — both ways: it is open now" in html
    assert "Ask for help" in html

    help_url = f"/tables/{world.partnership.id}/help"
    asked = seated.post(help_url, data={"stage": "agreement"}, headers=EN)
    assert asked.status_code == 302
    assert asked.headers["Location"].endswith("/stages/agreement#live")
    twice = seated.post(
        help_url, data={"stage": "agreement"}, headers={**EN, "Accept": "application/json"}
    )
    assert twice.get_json()["new"] is False
    assert "already asked for help" in twice.get_json()["message"]
    requests = db.session.scalars(sa.select(HelpRequest)).all()
    assert [(r.partnership_id, r.stage_key, r.answered_at) for r in requests] == [
        (world.partnership.id, "agreement", None)
    ]
    page = seated.get(f"/partnerships/{world.partnership.id}/stages/agreement", headers=EN)
    assert "You asked for help at" in page.get_data(as_text=True)
    assert seated.get(f"/tables/{world.partnership.id}/live").get_json()["help_asked_at"]

    requests[0].answered_at = utcnow()  # as the dashboard's "Answered" does
    db.session.commit()
    assert seated.get(f"/tables/{world.partnership.id}/live").get_json()["help_asked_at"] is None

    assert login(world.other_participant).post(help_url).status_code == 404
    assert login(world.head).post(help_url).status_code == 404
    assert login(world.facilitator).post(help_url).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HelpRequest)) == 1


def test_the_room_costs_the_same_queries_however_many_tables(world: World, login: Login) -> None:
    facilitator = login(world.facilitator)
    pages = [f"/seminars/{world.seminar.id}/control", f"/seminars/{world.seminar.id}/projector"]
    facilitator.get(pages[0])  # outside the count: a first request may load what it caches
    with count_queries() as few:
        for url in pages:
            assert facilitator.get(url).status_code == 200
    for _ in range(10):
        make_partnership(seminar=world.seminar, method_version="2024.2")
    db.session.commit()
    with count_queries() as many:
        for url in pages:
            assert facilitator.get(url).status_code == 200
    assert len(many) == len(few), (len(few), len(many))

    seated = login(world.participant)
    url = f"/tables/{world.partnership.id}/live"
    revision = seated.get(url).get_json()["revision"]
    with count_queries() as quiet:
        assert seated.get(url, query_string={"since": revision}).status_code == 204
    assert len(quiet) == 2, quiet  # the session, and the seminar's change counter
