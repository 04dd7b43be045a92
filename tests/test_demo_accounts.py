"""The demo's accounts are default accounts (ASVS 6.3.2): their passwords are in the README, so
production neither seeds them nor lets anybody sign in to them, unless the operator says the
server is a demonstration (WORKSHOP_ALLOW_DEMO=true)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import RequestClient
from tests.test_auth import EN, sign_in
from tests.test_security_log import events
from workshop import create_app, demo
from workshop.extensions import db
from workshop.models import Account, AuthSession, Seminar

ADMIN, ADMIN_PASSWORD = "admin@demo.twinning.test", demo.DEMO_PASSWORDS["admin@demo.twinning.test"]
WRONG_PASSWORD = "The e-mail or password is not right."
WRONG_CODE = "This return code is not valid, or its seat was removed."


def _deployed(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of a production server (docs/deployment.md) on the test database."""
    for name, value in {
        "WORKSHOP_ENV": "production",
        "WORKSHOP_DATABASE_URL": database_url,
        "WORKSHOP_ALLOW_SQLITE": "true",  # the SQLite run of the suite
        "WORKSHOP_SECRET_KEY": secrets.token_hex(32),
        "WORKSHOP_SESSION_COOKIE_SECURE": "true",
        "WORKSHOP_INSTANCE_PATH": str(tmp_path / "instance"),
        "WORKSHOP_SERVER_NAME": "localhost",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def production(
    app: Flask, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Flask]:
    """A production app made from the environment, as gunicorn and `flask` commands make it;
    ``allow_demo`` sets WORKSHOP_ALLOW_DEMO. (``app`` empties the tables after the test.)"""
    _deployed(database_url, tmp_path, monkeypatch)

    def build(allow_demo: str | None = None) -> Flask:
        if allow_demo is None:
            monkeypatch.delenv("WORKSHOP_ALLOW_DEMO", raising=False)
        else:
            monkeypatch.setenv("WORKSHOP_ALLOW_DEMO", allow_demo)
        built = create_app()
        built.test_client_class = RequestClient
        return built

    return build


def _seed_demo(app: Flask, *flags: str) -> Result:
    """`flask workshop seed-demo` on ``app`` (the test's own app context would win otherwise)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["workshop", "seed-demo", *flags])


def _seminars() -> int:
    return db.session.scalar(sa.select(sa.func.count(Seminar.id))) or 0


def test_seed_demo_refuses_production_unless_the_operator_allows_it(
    production: Callable[..., Flask],
) -> None:
    for flags in ([], ["--if-empty"]):  # `make run` passes --if-empty
        refused = _seed_demo(production(), *flags)
        assert refused.exit_code != 0
        assert "Refusing to seed the demo in production" in refused.output
        assert "WORKSHOP_ALLOW_DEMO=true" in refused.output  # what to set, if it is a demo
        assert ADMIN_PASSWORD not in refused.output
    assert _seminars() == 0
    assert db.session.scalar(sa.select(sa.func.count(Account.id))) == 0

    seeded = _seed_demo(production("true"))
    assert seeded.exit_code == 0, seeded.output
    assert ADMIN in seeded.output and ADMIN_PASSWORD in seeded.output
    assert _seminars() == 1


def _csrf(client: FlaskClient, url: str) -> str:
    page = client.get(url, headers=EN).text
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def _post(client: FlaskClient, url: str, **data: str) -> TestResponse:
    url = f"https://localhost{url}"
    token = _csrf(client, url)
    # Over HTTPS Flask-WTF also wants the Referer of the site's own page, as a browser sends.
    return client.post(url, data={**data, "csrf_token": token}, headers={**EN, "Referer": url})


def _without_token(page: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*?value=")[^"]+"', r'\1"', page)


def _sessions_of(email: str) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(AuthSession.id))
            .join(Account, Account.id == AuthSession.account_id)
            .where(Account.email == email)
        )
        or 0
    )


def test_in_production_a_demo_account_is_refused_as_a_wrong_password_would_be(
    production: Callable[..., Flask],
    client: FlaskClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    summary = demo.seed()  # seeded before the server became production, or by hand
    db.session.commit()
    admin_id = db.session.scalar(sa.select(Account.id).where(Account.email == ADMIN))
    browser = production().test_client()

    right = _post(browser, "/login", email=ADMIN, password=ADMIN_PASSWORD)
    wrong = _post(browser, "/login", email=ADMIN, password="not the demo password")
    assert right.status_code == wrong.status_code == 422
    assert WRONG_PASSWORD in right.text
    # Nothing tells the right demo password from a wrong one (the form's token aside).
    assert _without_token(right.text) == _without_token(wrong.text)
    returned = _post(browser, "/resume", code=summary.participant_return_code or "")
    assert returned.status_code == 422
    assert WRONG_CODE in returned.text
    assert browser.get("https://localhost/accounts/").status_code == 302  # not signed in
    assert _sessions_of(ADMIN) == 0

    logged = [(e["event"], e.get("account")) for e in events(caplog)]
    assert ("demo_account_refused", str(admin_id)) in logged
    assert ("login_failed", str(admin_id)) in logged  # the wrong password, as ever
    assert [e for e, _account in logged].count("demo_account_refused") == 2  # and the code
    assert ADMIN_PASSWORD not in caplog.text and ADMIN not in caplog.text

    # A demonstration server, said so on purpose; and development, where `make run` seeds it.
    allowed = production("true").test_client()
    assert _post(allowed, "/login", email=ADMIN, password=ADMIN_PASSWORD).status_code == 302
    assert sign_in(client, ADMIN, ADMIN_PASSWORD).status_code == 302
    assert _sessions_of(ADMIN) == 2
