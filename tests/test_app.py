"""The app as a whole: wiring, headers, CSRF, error pages, the two-command setup's pieces."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import _config
from tests.factories import World
from workshop import create_app
from workshop.models import Account
from workshop.paths import STATIC_DIR, TEMPLATES_DIR


def test_templates_and_static_come_from_the_top_level_folders(
    app: Flask, client: FlaskClient
) -> None:
    assert Path(app.template_folder or "") == TEMPLATES_DIR
    assert Path(app.static_folder or "") == STATIC_DIR
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    response.close()


def test_a_secret_key_is_generated_once_into_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    config = {k: v for k, v in _config(database_url).items() if k != "SECRET_KEY"}
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    assert first == second and len(first) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_every_response_carries_the_security_headers(client: FlaskClient) -> None:
    for url in ("/", "/login", "/nowhere", "/static/css/app.css"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "default-src 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        response.close()


def test_signed_in_pages_are_not_cached(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    response = login(world.admin).get("/seminars/")
    assert response.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_http_only_and_same_site(client: FlaskClient) -> None:
    client.get("/join")
    client.post("/join", data={"code": "x"})
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only and cookie.same_site == "Lax"


def test_pages_use_no_third_party_origin(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.admin)
    for url in ("/seminars/", f"/seminars/{world.seminar.id}", "/partnerships/new", "/imports/new"):
        page = client.get(url).get_data(as_text=True)
        external = re.findall(r'(?:src|href|action)="(https?://[^"]*)"', page)
        assert external == [], url


def test_error_pages_speak_the_persons_language(client: FlaskClient) -> None:
    uk = client.get("/nowhere", headers={"Accept-Language": "uk"})
    assert uk.status_code == 404
    assert "Сторінку не знайдено" in uk.get_data(as_text=True)
    en = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert "Page not found" in en.get_data(as_text=True)


def test_an_unexpected_error_shows_a_page_without_a_trace(app: Flask, client: FlaskClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("secret detail")

    from workshop.permissions import ENDPOINT_ACCESS, Access

    ENDPOINT_ACCESS["boom"] = Access.PUBLIC
    try:
        response = client.get("/boom-for-test", headers={"Accept-Language": "en"})
    finally:
        del ENDPOINT_ACCESS["boom"]
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page and "secret detail" not in page


def test_an_endpoint_without_an_access_rule_is_refused(app: Flask, client: FlaskClient) -> None:
    @app.get("/forgotten-for-test")
    def forgotten() -> str:
        return "should never be served"

    response = client.get("/forgotten-for-test")
    assert response.status_code == 403


@pytest.fixture
def csrf_client(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: Flask
) -> FlaskClient:
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path / "csrf"))
    strict = create_app({**_config(database_url), "WTF_CSRF_ENABLED": True})
    return strict.test_client()


def test_every_state_changing_route_needs_a_csrf_token(
    app: Flask, csrf_client: FlaskClient
) -> None:
    posts = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or ())]
    assert len(posts) > 15
    for rule in posts:
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1")
        response = csrf_client.post(
            url, data={"lang": "en", "code": "X"}, headers={"Accept-Language": "en"}
        )
        assert response.status_code == 400, url
        assert "This form has expired" in response.get_data(as_text=True), url


def test_no_route_changes_state_on_get(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and "POST" not in (rule.methods or ()):
            name = rule.endpoint.split(".")[-1]
            assert not re.search(r"remove|rotate|confirm|logout|set_|add_", name), rule.endpoint
