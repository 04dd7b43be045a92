"""Every sign-in ends after a fixed time, however busy it is (ASVS 5.0 7.3.2).

The lifetime depends on the role (SESSION_LIFETIME_HOURS): a participant's lasts a seminar day,
staff who can change other people's data sign in again sooner, an admin soonest. It is fixed
when the person signs in and is not stretched by use: somebody who works all day at a shared
computer is still asked to sign in again. Past it, the next request finds them signed out: a
page sends them to sign in and back, and an autosave gets a 401 it can read, so the page keeps
the text and sends it again after the sign-in, when it is saved (R12). Idle timeouts, which do
depend on activity, are tests/test_idle_sessions.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import PASSWORD, World, stored_answer
from tests.test_groupwork import autosave, open_all_stages
from workshop.config import Config
from workshop.extensions import db
from workshop.models import Account, AuthSession, utcnow

EN = {"Accept-Language": "en"}
ROLES = ("participant", "head", "facilitator", "admin")
# docs/asvs.md and workshop/config.py: a seminar day for participants, shorter for staff.
DOCUMENTED_HOURS = {"participant": 12, "head": 8, "facilitator": 8, "admin": 2}
# Four different lifetimes, so that each role is seen to get its own and not another's.
DISTINCT_HOURS = {"participant": 11, "head": 7, "facilitator": 5, "admin": 3}


def sign_in(client: FlaskClient, account: Account) -> AuthSession:
    """Sign in as a person of that role does (staff with their password, a participant with
    their return code); the server-side session it opened."""
    if account.email:
        form = ("/login", {"email": account.email, "password": PASSWORD})
    else:
        form = ("/resume", {"code": account.test_return_code})  # type: ignore[attr-defined]
    response = client.post(form[0], data=form[1], headers=EN)
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    db.session.expire_all()
    opened = db.session.scalar(
        sa.select(AuthSession)
        .where(AuthSession.account_id == account.id)
        .order_by(AuthSession.id.desc())
    )
    assert opened is not None
    return opened


def lifetime(session: AuthSession) -> timedelta:
    return session.expires_at - session.created_at


def expire_at(session: AuthSession, when: timedelta) -> None:
    """Move the session's end to ``when`` from now (negative: it has passed)."""
    db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.id == session.id)
        .values(expires_at=utcnow() + when)
    )
    db.session.commit()


def save(client: FlaskClient, world: World, value: str, base_version: int) -> TestResponse:
    """What the page's script sends when somebody stops typing in the outage plan."""
    sent = autosave(client, world, question="outage_plan", value=value, base_version=base_version)
    assert isinstance(sent, TestResponse)
    return sent


def test_the_configured_lifetimes_are_the_documented_ones() -> None:
    assert Config.SESSION_LIFETIME_HOURS == DOCUMENTED_HOURS


@pytest.mark.parametrize("role", ROLES)
def test_a_sign_in_lasts_its_role_s_lifetime(world: World, client: FlaskClient, role: str) -> None:
    opened = sign_in(client, getattr(world, role))
    assert abs(lifetime(opened) - timedelta(hours=DOCUMENTED_HOURS[role])) < timedelta(seconds=5)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_its_own_configured_lifetime(
    app: Flask, world: World, client: FlaskClient, role: str
) -> None:
    app.config["SESSION_LIFETIME_HOURS"] = DISTINCT_HOURS
    opened = sign_in(client, getattr(world, role))
    assert abs(lifetime(opened) - timedelta(hours=DISTINCT_HOURS[role])) < timedelta(seconds=5)


def test_using_a_session_does_not_stretch_its_lifetime(world: World, client: FlaskClient) -> None:
    opened = sign_in(client, world.admin)
    ends = opened.expires_at
    for _ in range(3):
        assert client.get(f"/partnerships/{world.partnership.id}", headers=EN).status_code == 200
    db.session.expire_all()
    still = db.session.get(AuthSession, opened.id)
    assert still is not None and still.expires_at == ends


@pytest.mark.parametrize("role", ROLES)
def test_past_its_lifetime_a_session_is_signed_out_on_its_next_request(
    world: World, client: FlaskClient, role: str
) -> None:
    opened = sign_in(client, getattr(world, role))
    page = f"/partnerships/{world.partnership.id}"
    expire_at(opened, timedelta(minutes=1))  # a minute left: still in
    assert client.get(page, headers=EN).status_code == 200
    expire_at(opened, -timedelta(seconds=1))  # a second past: out
    response = client.get(page, headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert client.get("/", headers=EN).status_code == 200  # the anonymous start page
    sign_in(client, getattr(world, role))  # signing in again opens a new, full session
    assert client.get(page, headers=EN).status_code == 200


def test_an_autosave_past_the_lifetime_gets_a_readable_401_and_is_saved_after_signing_in(
    world: World, client: FlaskClient
) -> None:
    open_all_stages(world)
    opened = sign_in(client, world.participant)
    assert save(client, world, "Generator", base_version=0).status_code == 200
    expire_at(opened, -timedelta(seconds=1))

    refused = save(client, world, "Generator and a radio", base_version=1)
    assert refused.status_code == 401
    assert refused.get_json() == {"error": "You are signed out. Sign in again to save."}
    answer = stored_answer(world.partnership, "outage_plan")
    assert answer is not None and answer.value == "Generator"  # nothing changed meanwhile

    sign_in(client, world.participant)  # the page still holds the text, and sends it again
    assert save(client, world, "Generator and a radio", base_version=1).status_code == 200
    answer = stored_answer(world.partnership, "outage_plan")
    assert answer is not None and answer.value == "Generator and a radio"
