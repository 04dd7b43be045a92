"""Idle timeouts per role: staff who walk away are signed out; a participant's long break is
not, and a script that finds itself signed out gets an answer it can read."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.factories import World
from tests.test_groupwork import autosave, open_all_stages
from workshop.extensions import db
from workshop.models import Account, AuthSession

EN = {"Accept-Language": "en"}


def _idle_for(client: FlaskClient, minutes: int) -> None:
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - minutes * 60


@pytest.mark.parametrize(("role", "limit"), [("admin", 30), ("facilitator", 240), ("head", 120)])
def test_staff_idle_past_their_limit_are_signed_out_and_told_why(
    world: World, login: Callable[[Account], FlaskClient], role: str, limit: int
) -> None:
    client = login(getattr(world, role))
    page = f"/partnerships/{world.partnership.id}"
    assert client.get(page).status_code == 200
    _idle_for(client, limit - 1)
    assert client.get(page).status_code == 200  # active within the limit: still in
    _idle_for(client, limit + 1)
    response = client.get(page, headers=EN)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "signed out after a while without activity" in sign_in
    ended = db.session.scalars(sa.select(AuthSession.revoked_at)).all()
    assert all(at is not None for at in ended)  # ended on the server, not just forgotten


def test_a_request_counts_as_activity(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.admin)
    _idle_for(client, 20)
    assert client.get("/seminars/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] -= 20 * 60  # 20 more minutes pass after that request
    # 40 minutes since the first, but only 20 since the last: still signed in.
    assert client.get("/seminars/").status_code == 200


def test_a_participant_saves_after_hours_away(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    open_all_stages(world)
    client = login(world.participant)
    _idle_for(client, 3 * 60)  # a long power cut
    response = autosave(client, world, question="outage_plan", value="Generator", base_version=0)
    assert response.status_code == 200


def test_a_signed_out_autosave_gets_a_readable_401_in_the_persons_language(
    world: World, client: FlaskClient
) -> None:
    response = client.post(
        f"/partnerships/{world.partnership.id}/answers",
        json={"question": "outage_plan", "value": "x", "base_version": 0},
        headers={"Accept-Language": "uk"},
    )
    assert response.status_code == 401
    assert response.get_json() == {"error": "Ви вийшли із системи. Увійдіть знову, щоб зберегти."}
    token = client.get(
        f"/partnerships/{world.partnership.id}/csrf-token", headers={"Accept": "application/json"}
    )
    assert token.status_code == 401
