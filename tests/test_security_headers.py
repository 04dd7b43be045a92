"""What travels with every answer: the client's real address behind a proxy (and never a header
a client wrote itself), cookie flags over HTTPS, device permissions, caching, the Server name."""

from __future__ import annotations

import http.client
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from tests.conftest import RequestClient, _config
from tests.factories import PASSWORD, World, make_account
from tests.test_auth import EN
from workshop import create_app
from workshop.extensions import db
from workshop.models import Role

ANONYMOUS_PAGES = ("/", "/login", "/join", "/resume", "/nowhere")
# A year, and the names under the site's host (workshop/security.py says why that is safe).
HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture
def build_app(app: Flask, database_url: str) -> Iterator[Callable[..., Flask]]:
    """Another app on the test database, configured otherwise; its connections closed after."""
    made: list[Flask] = []

    def build(**settings: object) -> Flask:
        application = create_app(_config(database_url) | settings if settings else None)
        application.test_client_class = RequestClient
        made.append(application)
        return application

    yield build
    for application in made:
        with application.app_context():
            db.engine.dispose()


def _wrong_password(client: FlaskClient, **headers: str) -> None:
    client.post("/login", data={"email": "a@example.org", "password": "x"}, headers=headers)


def _addresses(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        part.removeprefix("address=")
        for record in caplog.records
        if record.name == "workshop.security"
        for part in record.getMessage().split()
        if part.startswith("address=")
    ]


# The client's address


def test_without_a_proxy_forwarded_headers_are_ignored(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    _wrong_password(client, **{"X-Forwarded-For": "198.51.100.9", "X-Forwarded-Proto": "https"})
    assert _addresses(caplog) == ["127.0.0.1"]
    page = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in page.headers


def test_a_guesser_cannot_pose_as_many_addresses_by_writing_the_header(
    client: FlaskClient,
) -> None:
    statuses = [
        client.post(
            "/login",
            data={"email": f"p{n}@example.org", "password": "x"},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        ).status_code
        for n in range(12)
    ]
    assert statuses[-1] == 429


def test_behind_one_proxy_the_address_it_saw_is_used(
    build_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    proxied = build_app(TRUSTED_PROXIES=1).test_client()
    # The client wrote its own X-Forwarded-For; the proxy appended the address it really saw.
    forwarded = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9", "X-Forwarded-Proto": "https"}
    _wrong_password(proxied, **forwarded)
    assert _addresses(caplog) == ["203.0.113.9"]
    page = proxied.get("/", headers=forwarded)
    assert page.headers["Strict-Transport-Security"] == HSTS


def test_the_proxy_count_comes_from_the_environment_and_is_checked(
    build_app: Callable[..., Flask],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WORKSHOP_SQLALCHEMY_DATABASE_URI", database_url)
    monkeypatch.setenv("WORKSHOP_TRUSTED_PROXIES", "2")
    deployed = build_app()  # as deployed: settings from the environment only
    forwarded = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9, 10.0.0.2"}
    _wrong_password(deployed.test_client(), **forwarded)
    assert _addresses(caplog) == ["203.0.113.9"]

    for wrong in ("-1", "two", "true", "²", "9"):
        monkeypatch.setenv("WORKSHOP_TRUSTED_PROXIES", wrong)
        with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
            create_app()


def test_a_site_served_over_https_sends_hsts_even_where_a_request_looks_like_plain_http(
    build_app: Callable[..., Flask], world: World
) -> None:
    # As deployed, but TRUSTED_PROXIES left at 0 behind the TLS proxy: every request the app
    # sees is plain HTTP, and X-Forwarded-Proto is (rightly) not believed.
    deployed = build_app(
        ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        SESSION_COOKIE_SECURE=True,
        WTF_CSRF_ENABLED=True,
        ALLOW_SQLITE=True,
    )
    client = deployed.test_client()
    proxied = {"X-Forwarded-Proto": "https"}
    answers = {
        url: client.get(f"http://localhost{url}", headers=proxied)
        for url in (*ANONYMOUS_PAGES, "/static/css/app.css", "/seminars/")
    }
    # A refusal answers too: the CSRF check's 400, before any view runs.
    answers["POST /login"] = client.post("http://localhost/login", data={"email": "a@b.c"})
    statuses = {url: answer.status_code for url, answer in answers.items()}
    assert statuses["/"] == 200 and statuses["/nowhere"] == 404
    assert statuses["/seminars/"] == 302 and statuses["POST /login"] == 400
    for url, answer in answers.items():
        assert answer.headers.get("Strict-Transport-Security") == HSTS, url
        answer.close()


# Cookies


def _set_cookies(response: object) -> dict[str, str]:
    return {
        header.split("=", 1)[0]: header
        for header in response.headers.getlist("Set-Cookie")  # type: ignore[attr-defined]
    }


def test_over_https_every_cookie_is_secure_and_the_session_is_a_host_cookie(
    build_app: Callable[..., Flask],
) -> None:
    make_account(role=Role.FACILITATOR, email="fac@example.org")
    db.session.commit()
    secure = build_app(SESSION_COOKIE_SECURE=True)
    client = secure.test_client()
    signed_in = client.post(
        "https://localhost/login", data={"email": "fac@example.org", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    cookies = _set_cookies(signed_in)
    assert set(cookies) == {"__Host-session", "__Host-device"}
    language = client.post("https://localhost/prefs/language", data={"lang": "en", "next": "/"})
    cookies |= _set_cookies(language)
    for name, header in cookies.items():
        attributes = [part.strip().lower() for part in header.split(";")]
        assert "secure" in attributes, name
        if name.startswith("__Host-"):
            assert "path=/" in attributes and not any(a.startswith("domain") for a in attributes)
    assert "httponly" in cookies["__Host-session"].lower()


def test_a_request_over_https_gets_secure_cookies_even_unconfigured(
    client: FlaskClient, world: World
) -> None:
    response = client.post(
        "https://localhost/join", data={"code": world.seminar.join_code}, headers=EN
    )
    assert response.status_code == 302
    assert "; Secure" in _set_cookies(response)["session"]
    language = client.post("https://localhost/prefs/language", data={"lang": "en", "next": "/"})
    assert all("; Secure" in header for header in _set_cookies(language).values())


def test_plain_http_development_keeps_plain_cookies(client: FlaskClient, world: World) -> None:
    response = client.post("/join", data={"code": world.seminar.join_code})
    assert "secure" not in _set_cookies(response)["session"].lower()
    assert client.get("/join/details").status_code == 200  # the cookie came back


# Headers


def test_every_answer_denies_device_features(client: FlaskClient) -> None:
    for url in (*ANONYMOUS_PAGES, "/static/css/app.css"):
        response = client.get(url)
        policy = response.headers["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, (url, feature)
        response.close()


def test_anonymous_pages_are_not_kept_by_caches_but_static_files_are(
    client: FlaskClient,
) -> None:
    for url in ANONYMOUS_PAGES:
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store", url
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


@pytest.fixture
def served(app: Flask) -> Iterator[int]:
    """The app on Werkzeug's real development server, as `make run` serves it."""
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.port
    server.shutdown()
    thread.join()


def test_the_server_header_names_no_software_versions(served: int) -> None:
    for path in ("/login", "/static/css/app.css", "/nowhere"):
        connection = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        servers = [value for name, value in response.getheaders() if name.lower() == "server"]
        assert servers == ["Twinning Workshop"], path
        connection.close()
