"""The plenary in real browsers: two tables propose, the facilitator watches the proposals arrive
without a reload, merges two, opens the vote, both tables vote, and the ranked list is shown."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import AXE_JS, assert_accessible
from tests.factories import make_participant
from workshop import demo
from workshop.extensions import db
from workshop.models import Partnership, Proposal, Side

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LIVE = 15_000  # ms: the pages poll every few seconds; nothing here sleeps


@pytest.fixture
def room(app: object) -> dict[str, object]:
    """The demo seminar with one person seated at each of two of its tables."""
    demo.seed()
    first, second = db.session.scalars(sa.select(Partnership).order_by(Partnership.id).limit(2))
    seminar = first.seminars[0]
    ua = make_participant(partnership=first, seminar=seminar, side=Side.UKRAINIAN)
    partner = make_participant(partnership=second, seminar=seminar, side=Side.PARTNER)
    db.session.commit()
    found = {
        "seminar": seminar.id,
        "first": first.id,
        "second": second.id,
        "first_code": ua.test_return_code,  # type: ignore[attr-defined]
        "second_code": partner.test_return_code,  # type: ignore[attr-defined]
    }
    db.session.rollback()  # no read transaction left open: SQLite would hold the server's writes
    return found


def _context(browser: Browser, locale: str, viewport: dict) -> tuple[BrowserContext, Page]:
    context = browser.new_context(locale=locale, viewport=viewport)
    context.add_init_script(path=str(AXE_JS))
    return context, context.new_page()


def _seat(
    browser: Browser, base: str, code: str, locale: str, viewport: dict
) -> tuple[BrowserContext, Page]:
    context, page = _context(browser, locale, viewport)
    page.goto(f"{base}/resume")
    page.locator("main form input[name=code]").fill(code)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/partnerships/*")
    return context, page


def _facilitator(browser: Browser, base: str) -> tuple[BrowserContext, Page]:
    context, page = _context(browser, "en-GB", DESKTOP)
    page.goto(base + "/login")
    page.locator("#email").fill("facilitator@demo.twinning.test")
    page.locator("#password").fill(demo.DEMO_PASSWORDS["facilitator@demo.twinning.test"])
    page.locator("#password").press("Enter")
    page.wait_for_url("**/seminars/")
    return context, page


def _propose(page: Page, text: str) -> None:
    page.locator("#plenary-text-principle").fill(text)
    with page.expect_navigation(url=re.compile(r"/plenary#plenary-principle$")):
        page.locator("#plenary-principle button[value=propose]").click()
    expect(page.locator("#plenary-principle")).to_contain_text(text)


def _ids() -> dict[str, int]:
    found: dict[str, int] = dict(db.session.execute(sa.select(Proposal.text, Proposal.id)).all())
    db.session.rollback()
    return found


def _vote(page: Page, dots: dict[int, str]) -> None:
    # The vote opened while the page was open: it comes in by itself.
    first = page.locator(f"#plenary-dots-principle-{next(iter(dots))}")
    expect(first).to_be_visible(timeout=LIVE)
    for pid, count in dots.items():
        field = page.locator(f"#plenary-dots-principle-{pid}")
        field.focus()  # by keyboard, as a person without a mouse would
        page.keyboard.press("Control+a")
        page.keyboard.type(count)
    with page.expect_navigation(url=re.compile(r"/plenary#plenary-principle$")):
        page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_be_visible()


def test_a_room_proposes_merges_votes_and_sees_the_ranked_list(
    browser: Browser, live_server: str, room: dict
) -> None:
    staff, facilitator = _facilitator(browser, live_server)
    facilitator.goto(f"{live_server}/seminars/{room['seminar']}/plenary")
    assert_accessible(facilitator, "en desktop plenary empty")

    one_context, one = _seat(browser, live_server, room["first_code"], "uk-UA", PHONE)
    two_context, two = _seat(browser, live_server, room["second_code"], "en-GB", DESKTOP)
    one.goto(f"{live_server}/tables/{room['first']}/plenary")
    two.goto(f"{live_server}/tables/{room['second']}/plenary")
    _propose(one, "Взаємне навчання в обидва боки")
    _propose(two, "Mutual learning")
    _propose(two, "Open data between hospitals")
    assert_accessible(one, "uk phone plenary proposing")

    # The facilitator's page shows them as they come, without a reload.
    board = facilitator.locator("#plenary-principle")
    for text in ("Взаємне навчання в обидва боки", "Mutual learning", "Open data between"):
        expect(board).to_contain_text(text, timeout=LIVE)
    ids = _ids()
    ukr, eng, data = (
        ids["Взаємне навчання в обидва боки"],
        ids["Mutual learning"],
        ids["Open data between hospitals"],
    )
    facilitator.locator(f"#plenary-merge-{ukr}").check()
    facilitator.locator(f"#plenary-merge-{eng}").check()
    facilitator.locator(f"#plenary-keep-{eng}").check()
    facilitator.locator("#plenary-keep-text-principle").fill("Mutual learning / Взаємне навчання")
    with facilitator.expect_navigation():
        facilitator.locator("#plenary-keep-text-principle").press("Enter")
    expect(board).to_contain_text("Mutual learning / Взаємне навчання")
    expect(board.locator("tbody tr")).to_have_count(2)
    assert_accessible(facilitator, "en desktop plenary merged")

    facilitator.locator("#plenary-dots-principle").fill("3")
    with facilitator.expect_navigation():
        facilitator.locator("#plenary-principle button[value=open]").click()
    expect(board.locator("button[value=reveal]")).to_be_visible()

    _vote(one, {eng: "2", data: "1"})
    assert_accessible(one, "uk phone plenary voted")
    _vote(two, {eng: "3"})
    expect(board).to_contain_text("2 people have voted", timeout=LIVE)

    with facilitator.expect_navigation():
        board.locator("button[value=reveal]").click()
    ranked = board.locator(".plenary-ranked li")
    expect(ranked).to_have_count(2)
    expect(ranked.nth(0)).to_contain_text("Mutual learning / Взаємне навчання")
    expect(ranked.nth(0)).to_contain_text("5 dots")
    expect(ranked.nth(1)).to_contain_text("Open data between hospitals")
    assert_accessible(facilitator, "en desktop plenary revealed")
    # The tables see the result come in too.
    expect(two.locator("#plenary-principle .plenary-ranked li").first).to_contain_text(
        "Mutual learning / Взаємне навчання", timeout=LIVE
    )
    expect(one.locator("#plenary-principle .plenary-ranked li").first).to_contain_text(
        "Mutual learning / Взаємне навчання", timeout=LIVE
    )
    assert_accessible(one, "uk phone plenary revealed")
    for context in (staff, one_context, two_context):
        context.close()
