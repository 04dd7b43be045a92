"""The facilitator's dashboard follows the room in a real browser, without a reload."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.browser.conftest import AXE_JS, assert_accessible
from tests.factories import make_participant
from workshop import demo
from workshop.extensions import db
from workshop.models import Partnership, Seminar, Side

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_the_dashboard_updates_as_a_participant_types(browser: Browser, live_server: str) -> None:
    demo.seed()
    seminar = db.session.scalar(sa.select(Seminar).where(Seminar.is_demo.is_(True)))
    pair = db.session.scalar(sa.select(Partnership).order_by(Partnership.id).offset(1))
    assert seminar is not None and pair is not None  # Kryvyi Rih – Karolinska, nothing written
    participant = make_participant(partnership=pair, seminar=seminar, side=Side.UKRAINIAN)
    db.session.commit()
    code = participant.test_return_code  # type: ignore[attr-defined]
    dashboard_url = f"{live_server}/seminars/{seminar.id}/dashboard"

    staff_context = browser.new_context(locale="en-GB", viewport=DESKTOP)
    staff_context.add_init_script(path=str(AXE_JS))
    staff = staff_context.new_page()
    staff.goto(live_server + "/login")
    staff.locator("#email").fill("facilitator@demo.twinning.test")
    staff.locator("#password").fill(demo.DEMO_PASSWORDS["facilitator@demo.twinning.test"])
    staff.locator("#password").press("Enter")
    staff.wait_for_url("**/seminars/")
    staff.goto(dashboard_url)
    assert_accessible(staff, "dashboard desktop")
    row = staff.locator("#dashboard-live tbody tr", has_text="Kryvyi Rih")
    first_stage = row.locator("td[data-stage=agreement]")
    expect(first_stage).to_contain_text("not started")
    expect(first_stage).to_contain_text("UA 0/7")
    staff.evaluate("window.drawnOnce = true")  # gone if the page were loaded again

    table_context = browser.new_context(locale="en-GB", viewport=PHONE)
    at_table = table_context.new_page()
    at_table.goto(f"{live_server}/resume")
    at_table.locator("main form input[name=code]").fill(code)
    at_table.locator("main form button[type=submit]").click()
    at_table.wait_for_url("**/partnerships/*")
    at_table.goto(f"{live_server}/partnerships/{pair.id}/stages/agreement")
    at_table.locator("#f-outage_plan").fill("Generators in the basement; a paper fallback")
    expect(at_table.locator("#section-communication .save-state")).to_have_text("All changes saved")

    row = staff.locator("#dashboard-live tbody tr", has_text="Kryvyi Rih")
    cell = row.locator("td[data-stage=agreement]")
    expect(cell).to_contain_text("in progress", timeout=20_000)
    expect(cell).to_contain_text("UA 1/7")
    assert staff.evaluate("window.drawnOnce === true")
    expect(row).to_contain_text(f"At the table now: {participant.display_name}")
    assert_accessible(staff, "dashboard after an update")

    staff.set_viewport_size(PHONE)
    staff.goto(dashboard_url + "?stage=agreement&status=in_progress")
    expect(staff.locator("#dashboard-live tbody tr")).to_have_count(1)
    assert_accessible(staff, "dashboard phone filtered")
    width = staff.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the dashboard is {width}px wide on a phone"
    table_context.close()
    staff_context.close()
