"""The signed session cookie, remembered by a worker once its signature was checked
(workshop/security.py): what the memory saves must never change what is accepted."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World
from workshop.models import Account

EN = {"Accept-Language": "en"}


def _cookie(client: FlaskClient, app: Flask) -> str:
    found = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert found is not None
    return found.value


def _open(app: Flask, cookie: str) -> dict[str, object]:
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"}) as context:
        opened = app.session_interface.open_session(app, context.request)
        assert opened is not None
        return opened


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/partnerships/", headers=EN).status_code == 200


def test_a_cookie_seen_before_still_expires_with_its_lifetime(
    app: Flask, client: FlaskClient, login: Callable[[Account], FlaskClient], world: World
) -> None:
    login(world.facilitator)
    assert _signed_in(client) and _signed_in(client)  # checked, then served from memory
    app.permanent_session_lifetime = timedelta(seconds=1)
    time.sleep(2.1)
    assert not _signed_in(client)


@pytest.fixture
def seen(
    app: Flask, client: FlaskClient, login: Callable[[Account], FlaskClient], world: World
) -> str:
    """A signed-in browser's cookie, once used (so its check is remembered)."""
    login(world.facilitator)
    assert _signed_in(client)
    return _cookie(client, app)


def test_one_changed_character_is_refused_after_the_genuine_cookie_was_seen(
    app: Flask, seen: str
) -> None:
    genuine = seen
    assert "_user_id" in _open(app, genuine)
    # Not the very last character: base64 leaves two of its bits unused, so some changes there
    # decode to the same signature.
    for at in (len(genuine) - 5, len(genuine) // 2, 0):
        changed = genuine[:at] + ("A" if genuine[at] != "A" else "B") + genuine[at + 1 :]
        assert _open(app, changed) == {}, at
    assert "_user_id" in _open(app, genuine)


def test_what_one_request_does_to_its_session_stays_out_of_the_next(app: Flask, seen: str) -> None:
    cookie = seen
    first = _open(app, cookie)
    first["_user_id"] = "someone-else"
    first["planted"] = True
    second = _open(app, cookie)
    assert second["_user_id"] != "someone-else" and "planted" not in second


def test_flashed_messages_are_not_shared_between_requests(
    app: Flask, client: FlaskClient, login: Callable[[Account], FlaskClient], world: World
) -> None:
    login(world.facilitator)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Saved.")]
    cookie = _cookie(client, app)
    first = _open(app, cookie)
    first["_flashes"].append(("info", "planted"))  # type: ignore[attr-defined]
    assert _open(app, cookie)["_flashes"] == [("info", "Saved.")]


def test_a_new_secret_key_refuses_the_cookies_signed_with_the_old_one(
    app: Flask, client: FlaskClient, seen: str
) -> None:
    app.secret_key = "another-secret-key-long-enough-for-signing-cookies"
    assert not _signed_in(client)
