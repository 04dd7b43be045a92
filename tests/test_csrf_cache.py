"""The CSRF check remembers tokens it verified (workshop/csrf.py), and still refuses every token
Flask-WTF's own check refuses: another browser's, a tampered one, an expired one."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import RequestClient, _config
from workshop import create_app
from workshop.extensions import db

EN = {"Accept-Language": "en"}


def token_of(client: FlaskClient) -> str:
    page = client.get("/login", headers=EN).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def choose_english(client: FlaskClient, token: str) -> int:
    """Post the language form with ``token``: 302 when the check let it through, 400 if not."""
    return client.post(
        "/prefs/language", data={"lang": "en", "csrf_token": token}, headers=EN
    ).status_code


def tampered(token: str) -> str:
    body, signature = token.rsplit(".", 1)
    changed = "A" if signature[0] != "A" else "B"
    return f"{body}.{changed}{signature[1:]}"


def test_a_token_verified_once_is_taken_again_by_its_own_browser_only(guarded: Flask) -> None:
    mine, theirs = guarded.test_client(), guarded.test_client()
    my_token, their_token = token_of(mine), token_of(theirs)
    assert my_token != their_token
    for _attempt in range(3):  # the first check in full, then remembered
        assert choose_english(mine, my_token) == 302
    # Remembered as verified, yet another browser's session holds another token: refused.
    assert choose_english(theirs, my_token) == 400
    assert choose_english(theirs, their_token) == 302
    # A browser without any session token (a fresh one) is refused the remembered token too.
    assert choose_english(guarded.test_client(), my_token) == 400


def test_a_tampered_or_missing_token_is_refused_after_the_real_one_was_remembered(
    guarded: Flask,
) -> None:
    client = guarded.test_client()
    token = token_of(client)
    assert choose_english(client, token) == 302
    for bad in (tampered(token), token + "x", "", "not.a.token"):
        response = client.post(
            "/prefs/language", data={"lang": "en", "csrf_token": bad}, headers=EN
        )
        assert response.status_code == 400, bad
        assert "This form has expired" in response.get_data(as_text=True)
    assert choose_english(client, token) == 302


def test_a_token_with_an_age_limit_expires_although_it_was_verified_before(
    app: Flask, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    limited = create_app(
        _config(database_url) | {"WTF_CSRF_ENABLED": True, "WTF_CSRF_TIME_LIMIT": 60}
    )
    limited.test_client_class = RequestClient
    try:
        client = limited.test_client()
        token = token_of(client)
        assert choose_english(client, token) == 302
        assert choose_english(client, token) == 302
        later = time.time() + 120  # past the token's minute; the session cookie still lives
        monkeypatch.setattr(time, "time", lambda: later)
        assert choose_english(client, token) == 400
    finally:
        with limited.app_context():
            db.engine.dispose()


def test_a_new_secret_key_makes_remembered_tokens_worthless(guarded: Flask) -> None:
    client = guarded.test_client()
    token = token_of(client)
    assert choose_english(client, token) == 302
    guarded.config["WTF_CSRF_SECRET_KEY"] = "another key for forms, long enough to be real"
    assert choose_english(client, token) == 400
