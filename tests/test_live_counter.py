"""The seminar's change counter (workshop/live.py): what dashboards and participants' screens poll.

A change at a table must reach every seminar the table sits in, and no other; a person merely
still being there must not wake every dashboard in the room.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World, make_partnership
from workshop import create_app, live
from workshop.auth.services import open_session
from workshop.extensions import db
from workshop.groupwork.stage import presence
from workshop.models import Account, Comment, HelpRequest, StageRun

EN = {"Accept-Language": "en"}


def revisions(world: World) -> tuple[int | None, int | None]:
    db.session.expire_all()
    return live.revision(world.seminar.id), live.revision(world.other_seminar.id)


def test_a_saved_answer_moves_its_seminar_and_only_its_seminar(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    before, other_before = revisions(world)
    response = login(world.participant).post(
        f"/partnerships/{world.partnership.id}/answers",
        json={"question": "shared_vision_uk", "value": "Олена", "base_version": 0, "key": "a" * 32},
        headers=EN,
    )
    assert response.status_code == 200
    after, other_after = revisions(world)
    assert after == (before or 0) + 1
    assert other_after == other_before


def test_a_refused_save_moves_nothing(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    before = revisions(world)
    response = login(world.participant).post(
        f"/partnerships/{world.partnership.id}/answers",
        json={
            "question": "shared_vision_uk",
            "value": "x",
            "base_version": 7,
            "key": "b" * 32,
        },  # stale
        headers=EN,
    )
    assert response.status_code == 409
    assert revisions(world) == before


def test_orm_changes_at_a_table_and_in_the_seminar_are_counted(world: World) -> None:
    start, other_start = revisions(world)
    db.session.add(
        Comment(
            partnership_id=world.partnership.id,
            stage_key="agreement",
            section_key="people",
            body="Who signs?",
            author_id=world.facilitator.id,
        )
    )
    db.session.commit()
    assert revisions(world)[0] == (start or 0) + 1
    db.session.add(StageRun(partnership_id=world.partnership.id, stage_key="needs"))
    db.session.add(HelpRequest(seminar_id=world.seminar.id, partnership_id=world.partnership.id))
    db.session.commit()  # one flush, two kinds of change: counted once each way, at least once
    assert (revisions(world)[0] or 0) > (start or 0) + 1
    world.seminar.notice = "Coffee at 11:00"
    db.session.commit()
    moved, other = revisions(world)
    db.session.commit()
    assert moved is not None and moved > (start or 0) + 2
    assert other == other_start


def test_a_table_in_two_seminars_moves_both(world: World) -> None:
    shared = make_partnership(seminar=world.seminar)
    shared.seminars.append(world.other_seminar)
    db.session.commit()
    before = revisions(world)
    live.touch_partnerships([shared.id])
    db.session.commit()
    after = revisions(world)
    assert after == ((before[0] or 0) + 1, (before[1] or 0) + 1)


def test_arriving_at_a_table_is_news_but_staying_there_is_not(world: World) -> None:
    before, _ = revisions(world)
    presence.mark(world.partnership.id, "agreement", world.participant)
    db.session.commit()
    arrived, _ = revisions(world)
    assert arrived == (before or 0) + 1
    presence.mark(world.partnership.id, "agreement", world.participant)  # the next heartbeat
    db.session.commit()
    assert revisions(world)[0] == arrived


def test_a_change_made_through_one_app_is_seen_by_another_apps_poll(
    app: Flask, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    """Two app instances with their own engines and pools, as two worker processes have: the
    counter they poll is in the database, so the second sees the first's change at once."""
    other = create_app({**app.config, "SERVER_NAME": "localhost"})
    other.test_client_class = type(app.test_client())
    watcher = other.test_client()
    token = open_session(world.facilitator, hours=1)
    db.session.commit()
    with watcher.session_transaction() as session:
        session["_user_id"] = token
    url = f"/seminars/{world.seminar.id}/dashboard/changes"
    first = watcher.get(url, headers=EN)
    assert first.status_code == 200
    seen = first.headers["X-Revision"]
    assert watcher.get(f"{url}?since={seen}").status_code == 204
    saved = login(world.participant).post(
        f"/partnerships/{world.partnership.id}/answers",
        json={"question": "shared_vision_uk", "value": "Разом", "base_version": 0, "key": "c" * 32},
        headers=EN,
    )
    assert saved.status_code == 200
    after = watcher.get(f"{url}?since={seen}", headers=EN)
    assert after.status_code == 200 and after.headers["X-Revision"] != seen
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
