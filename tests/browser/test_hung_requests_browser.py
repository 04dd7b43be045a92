"""A request that never answers (a phone whose network dropped mid-request) must not freeze a
page's scripts: the request is given up on at the page's deadline and the script carries on, so
the text still reaches the server and the room's strip still follows the facilitator."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, Route, expect

from tests import factories
from tests.browser.conftest import seated_page
from workshop.extensions import db
from workshop.models import Answer, Seminar

SCRIPTS = Path(__file__).resolve().parents[2] / "static" / "js"


def test_every_script_request_goes_through_the_deadline() -> None:
    """One place sends script requests: a new script calling fetch directly would wait for ever
    on a dropped connection again."""
    direct = {
        script.name: count
        for script in SCRIPTS.glob("*.js")
        if script.name != "net.js"
        # The one allowed call is the fallback for a page where net.js did not load.
        and (count := len(re.findall(r"(?<![.\w])fetch\(", script.read_text()))) != 1
    }
    assert direct == {}, f"scripts calling fetch( outside Workshop.fetch: {direct}"


def test_a_hung_save_and_a_hung_poll_are_given_up_and_retried(
    app: Flask, browser: Browser, live_server: str
) -> None:
    app.config["SCRIPT_DEADLINE_MS"] = 1000
    app.config["LIVE_POLL_MS"] = 300
    seminar = factories.make_seminar()
    partnership = factories.make_partnership(seminar=seminar)
    person = factories.make_participant(partnership=partnership, seminar=seminar)
    code, partnership_id = person.test_return_code, partnership.id  # type: ignore[attr-defined]
    db.session.commit()

    context, page = seated_page(browser, live_server, code)

    # The first save and the first poll of the room go out and never come back.
    hung: dict[str, list[Route]] = {"save": [], "poll": []}

    def first_one_hangs(kind: str) -> Callable[[Route], None]:
        def handle(route: Route) -> None:
            if not hung[kind]:
                hung[kind].append(route)  # neither answered nor failed: left open
                return
            route.continue_()

        return handle

    page.route(re.compile(r"/partnerships/\d+/answers$"), first_one_hangs("save"))
    page.route(re.compile(r"/tables/\d+/live\?"), first_one_hangs("poll"))
    page.goto(f"{live_server}/partnerships/{partnership_id}/stages/agreement")
    page.evaluate("window.drawnOnce = true")
    assert page.evaluate("typeof window.Workshop.fetch") == "function", "net.js is not loaded"

    field = page.locator("#f-shared_vision_en")
    state = page.locator("#section-vision .save-state")
    field.fill("Safer surgery")
    # Given up at the deadline: the page says the change waits, and sends it again by itself.
    expect(state).to_contain_text("Offline: your changes are kept here", timeout=5_000)
    expect(state).to_have_text("All changes saved", timeout=15_000)
    assert len(hung["save"]) == 1

    # The strip still follows the room after its first poll hung.
    expect(page.locator(".live-notice")).to_be_hidden()
    db.session.get(Seminar, seminar.id).notice = "Lunch in the hall"  # type: ignore[union-attr]
    db.session.commit()
    expect(page.locator(".live-notice")).to_contain_text("Lunch in the hall", timeout=10_000)
    assert len(hung["poll"]) == 1
    assert page.evaluate("window.drawnOnce === true"), "the page was loaded again"

    db.session.rollback()
    answer = db.session.scalar(sa.select(Answer).filter_by(question_key="shared_vision_en"))
    assert answer is not None and answer.value == "Safer surgery"
    assert answer.version == 1, "the save given up on was stored twice"
    context.close()
