"""What the code did not expect, and a safety net that fails, reach the operator's log, never
the person's screen (ASVS 5.0 16.3.4).

When a view fails in a way nobody handled (a mistake in the code, a query the database cannot
run) the person sees the short "Something went wrong" page, status 500, with nothing of the
error in it: no traceback, no message, no SQL. The operator gets the whole story in the log: one
ERROR line naming the address and method, with the traceback, so the fault can be found from the
time somebody reports it. A database error that is a bug is logged and answered 500; only a
database out of reach for a moment is the quiet 503 of tests/test_faults.py.

Two controls that must not fail the person's request when they fail themselves say so in the
log instead: an audit event the database refuses to store, and a job Redis cannot take (it runs
in the web process instead).

The app for the failing views is served as in production (not in testing mode), where an error
is handled and logged rather than passed up to the caller.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import RequestClient, _config
from tests.factories import World
from workshop import audit, create_app
from workshop.extensions import db
from workshop.models import Account, AuditEvent, Job
from workshop.permissions import ENDPOINT_ACCESS, Access

EN = {"Accept-Language": "en"}
SECRET = "detail-only-for-the-operator-7731"
MISSING_TABLE = "no_such_table_for_this_test"


@pytest.fixture
def served(app: Flask, database_url: str, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    """A browser on a fresh app configured as it is served, with two views that fail."""
    served_app = create_app(_config(database_url) | {"TESTING": False})
    assert not served_app.testing and not served_app.config["PROPAGATE_EXCEPTIONS"]
    served_app.test_client_class = RequestClient

    @served_app.get("/fails-for-test")
    def fails() -> str:
        raise RuntimeError(SECRET)

    @served_app.get("/bad-query-for-test")
    def bad_query() -> str:
        db.session.execute(sa.text(f"SELECT * FROM {MISSING_TABLE}"))  # noqa: S608 - a constant
        return "not reached"

    monkeypatch.setitem(ENDPOINT_ACCESS, "fails", Access.PUBLIC)
    monkeypatch.setitem(ENDPOINT_ACCESS, "bad_query", Access.PUBLIC)
    return served_app.test_client()


def _logged_error(caplog: pytest.LogCaptureFixture) -> logging.LogRecord:
    """The one ERROR line the app's logger wrote."""
    found = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name == "workshop"]
    assert len(found) == 1, f"expected one ERROR line, the log holds: {caplog.text!r}"
    return found[0]


def _assert_generic_page(body: str, *hidden: str) -> None:
    assert "Something went wrong" in body and "Please try again in a moment." in body
    for text in ("Traceback", 'File "', *hidden):
        assert text not in body, f"{text!r} is shown to the person"


def test_an_unexpected_error_is_logged_with_its_traceback_and_the_person_sees_a_plain_page(
    served: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = served.get("/fails-for-test", headers=EN)
    assert response.status_code == 500
    _assert_generic_page(response.get_data(as_text=True), SECRET, "RuntimeError")

    logged = _logged_error(caplog)
    assert "/fails-for-test" in logged.getMessage() and "GET" in logged.getMessage()
    assert logged.exc_info is not None and logged.exc_info[0] is RuntimeError
    text = caplog.text
    assert "Traceback (most recent call last)" in text
    assert "raise RuntimeError(SECRET)" in text and f"RuntimeError: {SECRET}" in text


def test_a_query_that_is_a_bug_is_logged_and_answered_500_not_as_an_outage(
    served: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = served.get("/bad-query-for-test", headers=EN)
    assert response.status_code == 500 and "Retry-After" not in response.headers
    _assert_generic_page(response.get_data(as_text=True), MISSING_TABLE, "SELECT")

    logged = _logged_error(caplog)
    assert "/bad-query-for-test" in logged.getMessage()
    assert logged.exc_info is not None and issubclass(logged.exc_info[0], sa.exc.DBAPIError)
    assert "Traceback (most recent call last)" in caplog.text and MISSING_TABLE in caplog.text
    assert "database unavailable" not in caplog.text  # not mistaken for a passing outage
    # The failed transaction was rolled back: the next request is served as usual.
    assert served.get("/login", headers=EN).status_code == 200


def test_an_audit_event_the_database_refuses_is_logged_and_the_refusal_goes_on(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    # An object number no database integer holds: the insert itself is refused.
    stored = audit.record_apart(
        "access_denied", actor_id=None, object_type="partnership", object_id=10**20
    )
    assert stored is False  # reported to the caller, never raised at the person
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0
    (logged,) = [r for r in caplog.records if r.name == "workshop.audit"]
    assert logged.levelno >= logging.WARNING
    assert logged.getMessage() == "audit event not stored: action=access_denied"
    assert logged.exc_info is not None and "Traceback (most recent call last)" in caplog.text


def test_a_job_redis_cannot_take_is_logged_and_the_person_still_gets_their_job(
    app: Flask,
    world: World,
    login: Callable[[Account], FlaskClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as closed:  # a port nothing listens on once this closes
        closed.bind(("127.0.0.1", 0))
        app.config["REDIS_URL"] = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
    client = login(world.facilitator)
    response = client.post(f"/seminars/{world.seminar.id}/documents", headers=EN)
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    job = db.session.scalar(sa.select(Job))
    assert job is not None
    (logged,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged.getMessage() == f"Redis cannot be reached; job {job.id} runs in this process"
    assert logged.exc_info is not None and issubclass(logged.exc_info[0], redis.RedisError)
