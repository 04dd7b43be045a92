"""A live round across two tables in real browsers: what the facilitator does on the control
page reaches both participants' screens without a reload, and a table's call for help reaches
the dashboard."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import AXE_JS, assert_accessible, seated_page
from tests.factories import make_participant
from workshop import codes, demo
from workshop.extensions import db
from workshop.models import Partnership, Seminar, Side

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SOON = 20_000  # ms: a screen polls every 300 ms here (every 5 s in the room); CI is loaded


def _person(browser: Browser, viewport: dict) -> tuple[BrowserContext, Page]:
    context = browser.new_context(locale="en-GB", viewport=viewport)
    context.add_init_script(path=str(AXE_JS))
    return context, context.new_page()


def _seated(browser: Browser, base: str, code: str, url: str) -> tuple[BrowserContext, Page]:
    context, page = seated_page(browser, base, code, PHONE)
    page.goto(url)
    page.evaluate("window.drawnOnce = true")  # gone if the page were loaded again
    return context, page


def _press(page: Page, button: str) -> None:
    """Press a control and wait for the page it comes back to."""
    with page.expect_navigation():
        page.locator(button).click()
    expect(page.locator(".flash-success")).to_be_visible()


def test_a_live_round_reaches_both_tables_without_a_reload(
    app: Flask, browser: Browser, live_server: str
) -> None:
    app.config["LIVE_POLL_MS"] = 300
    demo.seed()
    seminar = db.session.scalar(sa.select(Seminar).where(Seminar.is_demo.is_(True)))
    pairs = db.session.scalars(sa.select(Partnership).order_by(Partnership.id).limit(2)).all()
    assert seminar is not None and len(pairs) == 2
    # Okhmatdyt – Karolinska (stages 1–3 approved, with priority candidates) and
    # Kryvyi Rih – Karolinska (nothing written yet).
    answered, fresh = (
        make_participant(partnership=p, seminar=seminar, side=Side.UKRAINIAN) for p in pairs
    )
    db.session.commit()
    control = f"{live_server}/seminars/{seminar.id}/control"

    staff_context, staff = _person(browser, DESKTOP)
    staff.goto(live_server + "/login")
    staff.locator("#email").fill("facilitator@demo.twinning.test")
    staff.locator("#password").fill(demo.DEMO_PASSWORDS["facilitator@demo.twinning.test"])
    staff.locator("#password").press("Enter")
    staff.wait_for_url("**/seminars/")
    staff.goto(control)
    assert_accessible(staff, "control page")

    one_context, one = _seated(
        browser,
        live_server,
        answered.test_return_code,  # type: ignore[attr-defined]
        f"{live_server}/partnerships/{pairs[0].id}/stages/priorities",
    )
    two_context, two = _seated(
        browser,
        live_server,
        fresh.test_return_code,  # type: ignore[attr-defined]
        f"{live_server}/partnerships/{pairs[1].id}/stages/agreement",
    )
    expect(two.locator(".live-go")).to_be_hidden()

    _press(staff, "#stage-needs button[value=open]")
    for page, pair in ((one, pairs[0]), (two, pairs[1])):
        go = page.locator(".live-go a")
        expect(go).to_have_text(
            "Go to stage 2. Needs assessment — both ways: it is open now", timeout=SOON
        )
        expect(go).to_have_attribute("href", f"/partnerships/{pair.id}/stages/needs")
    expect(two.locator(".stage-nav li", has_text="Needs").locator(".tag")).to_have_text("open")

    staff.locator("#start-minutes").fill("25")
    _press(staff, "#countdown button[value=start]")
    for page in (one, two):
        expect(page.locator(".live-ends")).to_contain_text("Group work ends at", timeout=SOON)
        expect(page.locator(".live-left")).to_have_text(
            re.compile(r"^2[45]:\d\d left$"), timeout=SOON
        )

    staff.locator("#notice-text").fill("Coffee at 11:00 in the foyer")
    _press(staff, "#notice button[value=send]")
    for page in (one, two):
        expect(page.locator(".live-notice")).to_contain_text("Coffee at 11:00", timeout=SOON)

    expect(one.locator("#voting")).to_contain_text("The result is hidden")
    _press(staff, "#stage-priorities button[value=reveal]")
    expect(one.locator("#voting h3")).to_have_text("Result", timeout=SOON)

    two.locator(".live-help button").click()
    expect(two.locator(".live-asked")).to_contain_text("You asked for help at", timeout=SOON)
    expect(two.locator(".live-help form")).to_be_hidden()
    for page in (one, two):
        assert page.evaluate("window.drawnOnce === true"), "the page was loaded again"
    assert_accessible(two, "stage page with the room's strip")

    staff.goto(f"{live_server}/seminars/{seminar.id}/dashboard")
    row = staff.locator("#dashboard-live tbody tr", has_text="Kryvyi Rih")
    expect(row.locator("[id^=answer-help-]")).to_be_visible()
    staff.evaluate("window.drawnOnce = true")
    two.goto(f"{live_server}/tables/{pairs[1].id}/plenary")
    two.locator("#plenary-text-principle").fill("Learning goes both ways")
    with two.expect_navigation():
        two.locator("#plenary-principle button[value=propose]").click()
    expect(staff.locator(".dash-plenary")).to_contain_text(
        "Learning goes both ways", timeout=SOON
    )  # a table's proposal reaches the dashboard as it is made
    assert staff.evaluate("window.drawnOnce === true"), "the dashboard was loaded again"
    assert_accessible(staff, "dashboard with a plenary proposal")

    staff.goto(f"{live_server}/seminars/{seminar.id}/projector")
    expect(staff.locator(".projector-code")).to_have_text(codes.grouped(seminar.join_code))
    expect(staff.locator(".projector-notice")).to_contain_text("Coffee at 11:00")
    assert_accessible(staff, "projector")
    staff.evaluate("window.drawnOnce = true")
    seminar.notice = "Back in the hall at 11:30"  # as a co-facilitator's control would
    db.session.commit()
    expect(staff.locator(".projector-notice")).to_contain_text("Back in the hall", timeout=SOON)
    assert staff.evaluate("window.drawnOnce === true"), "the projector was loaded again"
    for context in (one_context, two_context, staff_context):
        context.close()
