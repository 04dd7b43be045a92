"""Asking before removing, in a real browser: without JavaScript, by keyboard, axe clean."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AXE_JS, PHONE, assert_accessible
from workshop import demo
from workshop.extensions import db
from workshop.models import Membership, Seminar

FACILITATOR = "facilitator@demo.twinning.test"


@pytest.fixture
def demo_data(app: object) -> demo.DemoSummary:
    summary = demo.seed()
    db.session.commit()
    return summary


def _sign_in(page: Page, base: str) -> None:
    page.goto(base + "/login")
    page.locator("#email").fill(FACILITATOR)
    page.locator("#password").fill(demo.DEMO_PASSWORDS[FACILITATOR])
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r"/seminars/"))


def _seated() -> list[str]:
    db.session.expire_all()
    seats = db.session.scalars(sa.select(Membership).where(Membership.active.is_(True))).all()
    return sorted(m.account.display_name for m in seats)


def _demo_seminar() -> int:
    seminar_id = db.session.scalar(sa.select(Seminar.id).where(Seminar.is_demo.is_(True)))
    assert seminar_id is not None
    return seminar_id


def test_removing_a_person_without_javascript_asks_cancels_and_then_removes(
    browser: Browser, live_server: str, demo_data: demo.DemoSummary
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="en-GB", viewport=PHONE)
    page = context.new_page()
    _sign_in(page, live_server)
    seated = _seated()
    name = seated[0]
    seminar_page = f"{live_server}/seminars/{_demo_seminar()}"
    page.goto(seminar_page)
    remove = page.get_by_role("button", name=f"Remove {name}")

    remove.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Remove {name}?")
    expect(page.locator("main")).to_contain_text("signed out at once")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(re.compile(re.escape(seminar_page) + "#people-title$"))
    assert _seated() == seated

    page.get_by_role("button", name=f"Remove {name}").click()
    page.get_by_role("button", name=f"Yes, remove {name}").click()
    expect(page.locator("main")).to_contain_text(f"{name} was removed and signed out.")
    assert _seated() == [n for n in seated if n != name]
    context.close()


def test_the_question_passes_axe_and_is_answered_by_keyboard(
    browser: Browser, live_server: str, demo_data: demo.DemoSummary
) -> None:
    context = browser.new_context(locale="uk-UA", viewport=PHONE)
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    _sign_in(page, live_server)
    old_code = demo_data.join_code
    page.goto(f"{live_server}/seminars/{_demo_seminar()}")
    with page.expect_navigation():
        page.locator("form[action$='/code/rotate'] button").click()
    assert_accessible(page, "uk phone confirmation")
    # The "Yes" button is the first control of the question's form: Tab to it, press Enter.
    yes = page.locator("main form button[type=submit]")
    for _ in range(30):
        page.keyboard.press("Tab")
        if yes.evaluate("b => b === document.activeElement"):
            break
    expect(yes).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    db.session.expire_all()
    assert db.session.get(Seminar, _demo_seminar()).join_code != old_code  # type: ignore[union-attr]
    context.close()
