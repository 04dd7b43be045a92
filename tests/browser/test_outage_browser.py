"""The database gone for a moment while somebody types (issue 11, faults): the page goes offline,
keeps the text, and sends it by itself once the database is back."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, expect

from tests.browser.conftest import at_a_new_table
from tests.outages import database_away
from workshop.extensions import db
from workshop.models import Answer, AnswerRevision


def test_a_save_during_a_database_outage_waits_offline_and_arrives_after(
    app: Flask, browser: Browser, live_server: str, database_url: str
) -> None:
    context, page, _table = at_a_new_table(browser, live_server, {"width": 1280, "height": 900})
    field = page.locator("#f-shared_vision_en")
    state = page.locator("#section-vision .save-state")
    field.fill("Safer surgery")
    expect(state).to_have_text("All changes saved")

    with database_away(db.engine, database_url):
        field.fill("Safer surgery through every blackout")
        expect(state).to_contain_text("Offline: your changes are kept here")
        unsent = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('twinning-'))")
        assert len(unsent) == 1, "the draft is not kept in this browser"
    # Nobody touches the page: the script sends the draft again when the server says to.
    expect(state).to_have_text("All changes saved", timeout=10_000)
    db.session.rollback()
    answer = db.session.scalar(sa.select(Answer).filter_by(question_key="shared_vision_en"))
    assert answer is not None and answer.value == "Safer surgery through every blackout"
    # In the order they were saved: a table's physical order is not that, least of all after
    # the server restarted.
    kept = db.session.scalars(
        sa.select(AnswerRevision.value)
        .filter_by(answer_id=answer.id)
        .order_by(AnswerRevision.version)
    ).all()
    assert kept == ["Safer surgery", "Safer surgery through every blackout"]
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('twinning-'))") == []
    context.close()
