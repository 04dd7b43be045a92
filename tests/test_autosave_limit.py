"""Autosaves per sign-in (R8): at most AUTOSAVES_PER_WINDOW in each window, counted in the
session's own row by the session check. Past it the save is answered 429 with Retry-After,
nothing is stored, and the count starts again with the next window. Each sign-in counts its
own; pages do not count. On both engines."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.test_security_log import events
from workshop.extensions import db
from workshop.models import Account, Answer, AuthSession

QUESTION = "shared_vision_en"  # the first stage's, open for answers from the start
LIMIT, WINDOW = 3, 60


@pytest.fixture
def table(app: Flask) -> tuple[int, Account]:
    app.config.update(AUTOSAVES_PER_WINDOW=LIMIT, AUTOSAVE_WINDOW_SECONDS=WINDOW)
    seminar = factories.make_seminar()
    partnership = factories.make_partnership(seminar=seminar)
    person = factories.make_participant(partnership=partnership, seminar=seminar)
    db.session.commit()
    return partnership.id, person


def _save(client: FlaskClient, partnership_id: int, value: str, base: int, lang: str = "en"):  # type: ignore[no-untyped-def]
    body = {"question": QUESTION, "value": value, "base_version": base}
    return client.post(
        f"/partnerships/{partnership_id}/answers", json=body, headers={"Accept-Language": lang}
    )


def _stored() -> tuple[str | None, int]:
    db.session.rollback()
    answer = db.session.scalar(sa.select(Answer).filter_by(question_key=QUESTION))
    return (answer.value, answer.version) if answer else (None, 0)


def _clock(monkeypatch: pytest.MonkeyPatch, at: float) -> None:
    monkeypatch.setattr(time, "time", lambda: at)


def test_past_the_limit_a_save_waits_for_the_next_window_and_stores_nothing(
    app: Flask,
    table: tuple[int, Account],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    partnership_id, person = table
    start = (int(time.time()) // WINDOW) * WINDOW + 50.0  # ten seconds before a window ends
    _clock(monkeypatch, start)
    browser = factories.browser_for(app, person)
    for version in range(LIMIT):
        assert _save(browser, partnership_id, f"draft {version + 1}", version).status_code == 200
    refused = _save(browser, partnership_id, "one too many", LIMIT)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "10"  # what is left of the window
    assert "kept here" in refused.get_json()["error"]
    assert _stored() == (f"draft {LIMIT}", LIMIT)
    uk = _save(browser, partnership_id, "ще раз", LIMIT, lang="uk")
    assert uk.status_code == 429 and "лишається тут" in uk.get_json()["error"]
    limited = [e for e in events(caplog) if e["event"] == "rate_limited"]
    assert [e["limit"] for e in limited] == ["autosave:session"]  # logged once a window

    _clock(monkeypatch, start + 10)  # the next window
    assert _save(browser, partnership_id, "one too many", LIMIT).status_code == 200
    assert _stored() == ("one too many", LIMIT + 1)


def test_each_sign_in_counts_its_own_and_pages_count_nothing(
    app: Flask, table: tuple[int, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    partnership_id, person = table
    _clock(monkeypatch, (int(time.time()) // WINDOW) * WINDOW + 1.0)
    phone, laptop = factories.browser_for(app, person), factories.browser_for(app, person)
    for _ in range(LIMIT + 2):  # pages, however many, are not saves
        page = phone.get(f"/partnerships/{partnership_id}/stages/agreement")
        assert page.status_code == 200
    for version in range(LIMIT):
        assert _save(phone, partnership_id, f"phone {version}", version).status_code == 200
    assert _save(phone, partnership_id, "phone again", LIMIT).status_code == 429
    # The same person on another device has a limit of their own.
    assert _save(laptop, partnership_id, "from the laptop", LIMIT).status_code == 200
    counts = db.session.scalars(
        sa.select(AuthSession.saves_in_window)
        .where(AuthSession.account_id == person.id)
        .order_by(AuthSession.id)
    ).all()
    assert list(counts) == [LIMIT + 1, 1]


def test_a_signed_out_save_is_refused_as_before_and_counts_nothing(
    app: Flask, table: tuple[int, Account]
) -> None:
    partnership_id, _person = table
    stranger = app.test_client()
    for _ in range(LIMIT + 1):
        response = stranger.post(
            f"/partnerships/{partnership_id}/answers",
            json={"question": QUESTION, "value": "x", "base_version": 0},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 401
    assert _stored() == (None, 0)
