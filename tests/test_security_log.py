"""The security log: each kind of refusal is one line an operator can read and count, with
where it happened and from which address, and never the password or code that was typed."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.logging import default_handler
from flask.testing import FlaskClient

from tests.conftest import _config
from tests.factories import PASSWORD, World, make_account
from tests.test_auth import sign_in
from workshop import create_app
from workshop.extensions import db
from workshop.models import Account, Role


def events(caplog: pytest.LogCaptureFixture) -> list[dict[str, str]]:
    lines = [r.getMessage() for r in caplog.records if r.name == "workshop.security"]
    assert all("\n" not in line for line in lines)
    return [dict(part.split("=", 1) for part in line.split()) for line in lines]


def test_a_wrong_password_is_logged_without_the_password_or_the_email(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    target = make_account(role=Role.FACILITATOR, email="target@example.org")
    db.session.commit()
    sign_in(client, "target@example.org", "hunter2-secret")
    sign_in(client, "nobody@example.org", "hunter3-secret")
    assert events(caplog) == [
        {
            "event": "login_failed",
            "endpoint": "auth.login",
            "method": "POST",
            "account": str(target.id),
            "address": "127.0.0.1",
        },
        {
            "event": "login_failed",
            "endpoint": "auth.login",
            "method": "POST",
            "account": "-",
            "address": "127.0.0.1",
        },
    ]
    assert "hunter" not in caplog.text and "example.org" not in caplog.text


def test_wrong_codes_are_logged_without_the_code_typed(
    world: World, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    client.post("/join", data={"code": "QQQQQ-WWWWW"})
    client.post("/resume", data={"code": "QQQQ-WWWW-EEEE"})
    logged = events(caplog)
    assert [(e["event"], e["kind"], e["endpoint"]) for e in logged] == [
        ("code_wrong", "join", "auth.join"),
        ("code_wrong", "return", "auth.resume"),
    ]
    assert "QQQQ" not in caplog.text and "WWWW" not in caplog.text


def test_a_refusal_by_a_rate_limit_is_logged_with_its_wait(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(6):
        sign_in(client, "target@example.org", "guess")
    limited = [e for e in events(caplog) if e["event"] == "rate_limited"]
    assert len(limited) == 1
    assert limited[0]["limit"] == "login:account" and int(limited[0]["wait"]) > 0
    assert limited[0]["address"] == "127.0.0.1"
    assert "guess" not in caplog.text


def test_objects_refused_by_a_permission_check_are_logged(
    world: World, login: Callable[[Account], FlaskClient], caplog: pytest.LogCaptureFixture
) -> None:
    client = login(world.participant)
    assert client.get(f"/partnerships/{world.other_partnership.id}").status_code == 404
    assert client.get("/seminars/").status_code == 403
    assert client.get("/no-such-page").status_code == 404  # a typo, not a denial
    logged = events(caplog)
    assert [(e["event"], e["endpoint"], e["account"]) for e in logged] == [
        ("object_not_found", "partnerships.detail", str(world.participant.id)),
        ("access_denied", "seminars.index", str(world.participant.id)),
    ]


def test_a_failed_csrf_check_is_logged(guarded: Flask, caplog: pytest.LogCaptureFixture) -> None:
    response = guarded.test_client().post("/login", data={"email": "a@b.c", "password": PASSWORD})
    assert response.status_code == 400
    (logged,) = events(caplog)
    assert logged["event"] == "csrf_failed" and logged["endpoint"] == "auth.login"
    assert "CSRF" in logged["reason"]
    assert PASSWORD.split()[0] not in caplog.text


def test_log_lines_cannot_be_forged_through_what_a_client_sends(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    client.environ_base["REMOTE_ADDR"] = "127.0.0.1\nevent=fake"
    sign_in(client, "a@example.org", "x")
    assert len(caplog.records) >= 1
    assert all("\n" not in r.getMessage() for r in caplog.records)
    assert [e["event"] for e in events(caplog)] == ["login_failed"]


# Where the lines go: standard error, each with its time in UTC, written once.


@pytest.fixture
def clock_in_kyiv() -> Iterator[None]:
    """The process's local time three hours ahead of UTC, as on a server in Kyiv in summer (a
    POSIX zone, so no time zone database is needed): a local time cannot pass for UTC."""
    kept = os.environ.get("TZ")
    os.environ["TZ"] = "EEST-3"
    time.tzset()
    yield
    if kept is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = kept
    time.tzset()


@pytest.fixture
def hosts_own_handlers() -> Iterator[None]:
    """The handlers a server may have besides ours: Flask's on the app's logger ("workshop"),
    which Flask adds under gunicorn once anything logs through app.logger, and a host's on the
    root logger (logging.basicConfig), both writing to standard error."""
    root, app_logger = logging.getLogger(), logging.getLogger("workshop")
    hosts = logging.StreamHandler()  # the standard error of this moment: the test's capture
    flasks = default_handler not in app_logger.handlers
    root.addHandler(hosts)
    app_logger.addHandler(default_handler)
    yield
    root.removeHandler(hosts)
    if flasks:
        app_logger.removeHandler(default_handler)


def test_a_security_line_goes_to_stderr_once_starting_with_its_time_in_utc(
    client: FlaskClient,
    capsys: pytest.CaptureFixture[str],
    clock_in_kyiv: None,
    hosts_own_handlers: None,
) -> None:
    # create_app has run at least twice in this process (the schema's app, the test's): a
    # handler added by each would write every line twice.
    before = int(time.time())
    sign_in(client, "nobody@example.org", "wrong password")
    after = time.time()
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "event=login_failed" in line]
    assert len(lines) == 1, err  # not again through Flask's handler or the host's
    stamp, level, name, message = lines[0].split(" ", 3)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp), lines[0]
    logged_at = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    assert before <= logged_at <= after  # UTC, not the server's local time (3 hours ahead)
    assert (level, name) == ("WARNING", "workshop.security")
    assert message.startswith("event=login_failed endpoint=auth.login ")
    assert "wrong password" not in err and "nobody@" not in err


def test_a_logging_configuration_of_the_operators_own_is_left_alone(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    security = logging.getLogger("workshop.security")
    theirs = logging.NullHandler()  # e.g. from a logging configuration file of theirs
    kept, kept_propagate = security.handlers[:], security.propagate
    security.handlers[:] = [theirs]  # in place: pytest's capture removes its own from this list
    security.propagate = True
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    try:
        application = create_app(_config(database_url))
        with application.app_context():
            db.engine.dispose()
        assert security.handlers == [theirs] and security.propagate
    finally:
        security.handlers[:] = kept
        security.propagate = kept_propagate
