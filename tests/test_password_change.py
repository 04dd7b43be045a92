"""Changing one's own password (ASVS 5.0 6.2.2, 6.2.3, 7.4.3): the current password and a new
one that passes the password rule; the person's other sign-ins end, this one stays; wrong
current passwords slow down like wrong sign-ins; participants, who have no password, have no
such page. Refusals say why next to the field, in the reader's language, and change nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.test_security_log import events
from workshop.auth.services import open_session
from workshop.extensions import db
from workshop.models import Account, AuditEvent, AuthSession, Role

Login = Callable[[Account], FlaskClient]
NEW = "a new sentence nobody guesses"


def _change(client: FlaskClient, current: str, new: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    return client.post(
        "/account/password",
        data={"current": current, "new": new},
        headers={"Accept-Language": lang},
    )


def _signs_in(app: Flask, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


def test_a_person_changes_their_password_and_their_other_sign_ins_end(
    app: Flask, login: Login
) -> None:
    person = factories.make_account(role=Role.FACILITATOR, email="olena@example.org")
    db.session.commit()
    elsewhere = open_session(person, hours=8)  # their phone, still signed in
    db.session.commit()
    browser = login(person)
    page = browser.get("/account/password")
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.get_data(as_text=True)
    assert 'autocomplete="new-password"' in page.get_data(as_text=True)

    changed = _change(browser, factories.PASSWORD, NEW)
    assert changed.status_code == 302
    assert browser.get("/account/password").status_code == 200  # this sign-in stays
    db.session.rollback()
    phone = db.session.scalar(
        sa.select(AuthSession).where(AuthSession.account_id == person.id).order_by(AuthSession.id)
    )
    assert phone is not None and phone.revoked_at is not None, elsewhere
    assert not _signs_in(app, "olena@example.org", factories.PASSWORD)
    assert _signs_in(app, "olena@example.org", NEW)
    trail = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_id == person.id)
    ).all()
    assert "password_changed" in trail


def test_a_wrong_current_password_or_an_unusable_new_one_changes_nothing(
    app: Flask, login: Login
) -> None:
    person = factories.make_account(role=Role.HEAD, email="head@example.org")
    db.session.commit()
    browser = login(person)
    cases = [
        ("not my password", NEW, "current", "is not right"),
        (factories.PASSWORD, "qwerty123456", "new", "most common"),
        (factories.PASSWORD, "too short", "new", "12 to 256"),
    ]
    for current, new, field, why in cases:
        refused = _change(browser, current, new)
        assert refused.status_code == 422, (current, new)
        page = refused.get_data(as_text=True)
        assert f'id="{field}-error"' in page and why in page, (field, why)
    uk = _change(browser, "not my password", NEW, lang="uk").get_data(as_text=True)
    assert 'id="current-error"' in uk and "Поточний пароль" in uk
    db.session.rollback()
    assert _signs_in(app, "head@example.org", factories.PASSWORD)


def test_wrong_current_passwords_are_slowed_down_and_logged(
    app: Flask, login: Login, caplog: pytest.LogCaptureFixture
) -> None:
    person = factories.make_account(role=Role.ADMIN, email="admin2@example.org")
    db.session.commit()
    browser = login(person)
    statuses = [_change(browser, f"guess {n}", NEW).status_code for n in range(8)]
    assert statuses[0] == 422 and statuses[-1] == 429
    waited = _change(browser, factories.PASSWORD, NEW)
    assert waited.status_code == 429 and int(waited.headers["Retry-After"]) > 0
    assert any(e["event"] == "password_change_failed" for e in events(caplog))
    db.session.rollback()
    assert _signs_in(app, "admin2@example.org", factories.PASSWORD)


def test_a_participant_has_no_password_to_change(world: factories.World, login: Login) -> None:
    browser = login(world.participant)
    assert browser.get("/account/password").status_code == 404
    assert _change(browser, "anything at all", NEW).status_code == 404


def test_the_header_offers_the_change_to_those_with_a_password(
    world: factories.World, login: Login
) -> None:
    staff = login(world.facilitator).get("/", follow_redirects=True).get_data(as_text=True)
    assert 'href="/account/password"' in staff
    participant = login(world.participant).get("/", follow_redirects=True).get_data(as_text=True)
    assert 'href="/account/password"' not in participant
