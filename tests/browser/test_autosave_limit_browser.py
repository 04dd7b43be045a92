"""A sign-in past its limit of saves a window (R8): the page says saving is paused, keeps the
text, and sends it by itself when the server's Retry-After has passed."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, expect

from tests.browser.conftest import at_a_new_table
from workshop.extensions import db
from workshop.models import Answer

WINDOW = 6  # seconds; one save in each


def test_a_save_past_the_limit_waits_paused_and_arrives_when_the_window_ends(
    app: Flask, browser: Browser, live_server: str
) -> None:
    app.config.update(AUTOSAVES_PER_WINDOW=1, AUTOSAVE_WINDOW_SECONDS=WINDOW)
    context, page, _table = at_a_new_table(browser, live_server, {"width": 390, "height": 844})
    field = page.locator("#f-shared_vision_en")
    state = page.locator("#section-vision .save-state")
    while time.time() % WINDOW > 0.3:  # both saves inside one window
        time.sleep(0.05)
    field.fill("Safer surgery")
    expect(state).to_have_text("All changes saved")
    field.fill("Safer surgery, every shift")
    expect(state).to_contain_text("Saving paused for a moment: your changes are kept here")
    unsent = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('twinning-'))")
    assert len(unsent) == 1, "the draft is not kept in this browser"
    # Nobody touches the page: the script sends it once the window is over.
    expect(state).to_have_text("All changes saved", timeout=(WINDOW + 4) * 1000)
    db.session.rollback()
    answer = db.session.scalar(sa.select(Answer).filter_by(question_key="shared_vision_en"))
    assert answer is not None and answer.value == "Safer surgery, every shift"
    context.close()
