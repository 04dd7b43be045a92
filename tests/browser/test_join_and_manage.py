"""People using the app in a real browser: a participant joins, a facilitator sets up."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import assert_accessible
from workshop import codes, demo
from workshop.extensions import db
from workshop.models import Account, Membership, Partnership, Role, Side

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo_data(app: object) -> demo.DemoSummary:
    summary = demo.seed()
    db.session.commit()
    return summary


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, object]) -> dict[str, object]:
    return {**browser_context_args, "locale": "uk-UA", "viewport": PHONE}


def test_new_participant_joins_by_code_in_ukrainian_and_lands_at_their_table(
    page: Page, live_server: str, demo_data: demo.DemoSummary
) -> None:
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.get_by_role("heading", level=1)).to_have_text("Twinning Workshop")
    assert_accessible(page, "uk phone start page")

    # Typed the way people type a code read off a projector: lower case, Cyrillic look-alikes.
    typed = codes.grouped(demo_data.join_code).lower().replace("a", "а").replace("c", "с")
    page.get_by_label("Код семінару").fill(typed)
    page.get_by_role("button", name="Продовжити").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Займіть своє місце")
    assert_accessible(page, "uk phone join details")
    page.get_by_label("Ваше партнерство").select_option(
        label="Національна дитяча спеціалізована лікарня «Охматдит» — "
        "Каролінська університетська лікарня"
    )
    page.get_by_label("Українська лікарня").check()
    page.get_by_label("Ваше ім’я").fill("Олена Коваленко")
    page.get_by_role("button", name="Сісти за стіл").click()

    return_code = page.locator("#return-code").inner_text()
    assert codes.looks_valid(codes.normalise(return_code), codes.RETURN_CODE_LENGTH)
    assert_accessible(page, "uk phone welcome with return code")
    page.get_by_role("link", name="Перейти до мого партнерства").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Охматдит")
    expect(page.locator("#side-ua").locator("xpath=..")).to_contain_text("Олена Коваленко")
    assert_accessible(page, "uk phone partnership page")

    joined = db.session.scalar(
        sa.select(Membership)
        .join(Membership.account)
        .where(Account.display_name == "Олена Коваленко")
    )
    assert joined is not None
    assert joined.side is Side.UKRAINIAN
    assert joined.partnership.ua_institution.name_en.startswith("Okhmatdyt")


def test_a_wrong_code_is_explained_next_to_the_field_and_kept(
    page: Page, live_server: str, demo_data: demo.DemoSummary
) -> None:
    page.goto(live_server + "/join")
    field = page.get_by_label("Код семінару")
    field.fill("ABCDE-23456")
    field.press("Enter")
    expect(page.locator("#code-error")).to_contain_text("Семінару з таким кодом немає")
    expect(page.get_by_role("alert")).to_contain_text("Виникла проблема")
    expect(page.get_by_label("Код семінару")).to_have_value("ABCDE-23456")
    expect(page.get_by_label("Код семінару")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "uk phone join error")


def test_keyboard_only_join_and_skip_link(
    page: Page, live_server: str, demo_data: demo.DemoSummary
) -> None:
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Перейти до основного вмісту")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # From the main content the code field is a few Tabs away; type and submit with Enter.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "code":
            break
    page.keyboard.type(demo_data.join_code)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Займіть своє місце")


def test_large_text_and_high_contrast_are_remembered(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    size_before = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    # On a phone the buttons are in the header's menu. Each sends a form: wait for its page
    # before pressing the next one.
    page.locator("header details.menu > summary").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Великий шрифт").click()
    page.locator("header details.menu > summary").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Висока контрастність").click()
    page.goto(live_server + "/join")
    html = page.locator("html")
    expect(html).to_have_class(re.compile(r"mode-contrast"))
    expect(html).to_have_class(re.compile(r"mode-large"))
    size_after = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size_after >= size_before * 1.2
    page.locator("header details.menu > summary").click()
    expect(page.get_by_role("button", name="Великий шрифт")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_accessible(page, "uk phone join large contrast")


def test_facilitator_signs_in_and_creates_a_partnership_without_javascript(
    browser: Browser, live_server: str, demo_data: demo.DemoSummary
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="en-GB", viewport=DESKTOP)
    page = context.new_page()
    page.goto(live_server + "/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("E-mail").fill("facilitator@demo.twinning.test")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORDS["facilitator@demo.twinning.test"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seminars")

    page.get_by_role("link", name="Partnerships", exact=True).click()
    page.get_by_role("link", name="New partnership").click()
    page.get_by_label("Ukrainian institution").select_option(
        label="Rivne Regional Hospital of War Veterans"
    )
    page.get_by_label("Partner institution").select_option(
        label="Karolinska University Hospital (SE)"
    )
    page.get_by_label("Memorandum signed on").fill("2024-03-15")
    page.get_by_label("Focus areas").fill("rehabilitation\nprosthetics")
    page.get_by_role("button", name="Create partnership").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Rivne Regional Hospital of War Veterans — Karolinska University Hospital"
    )
    expect(page.locator(".facts")).to_contain_text("rehabilitation, prosthetics")
    context.close()

    created = db.session.scalars(
        sa.select(Partnership).where(Partnership.focus_areas.isnot(None))
    ).all()
    rivne = [p for p in created if p.ua_institution.name_en.startswith("Rivne")]
    assert {p.partner_institution.name_en for p in rivne} == {
        "Sunnaas Rehabilitation Hospital",
        "Karolinska University Hospital",
    }
    new = next(p for p in rivne if p.partner_institution.name_en.startswith("Karolinska"))
    assert [s.is_demo for s in new.seminars] == [True]


def test_every_staff_page_passes_axe_in_both_languages(
    browser: Browser, live_server: str, demo_data: demo.DemoSummary
) -> None:
    admin = db.session.scalar(sa.select(Account).where(Account.role == Role.ADMIN))
    assert admin is not None
    seminar_id = demo_data_seminar_id()
    pages = [
        "/seminars/",
        f"/seminars/{seminar_id}",
        f"/seminars/{seminar_id}/edit",
        "/seminars/new",
        "/partnerships/",
        "/partnerships/1",
        "/partnerships/new",
        "/institutions/",
        "/institutions/new",
        "/institutions/1/edit",
        "/imports/new",
        "/accounts/",
        "/accounts/new",
        "/nowhere",
    ]
    for locale, viewport in (("en-GB", DESKTOP), ("uk-UA", PHONE)):
        context = browser.new_context(locale=locale, viewport=viewport)
        context.add_init_script(path=str(AXE_PATH))
        page = context.new_page()
        page.goto(live_server + "/login")
        page.locator("#email").fill("admin@demo.twinning.test")
        page.locator("#password").fill(demo.DEMO_PASSWORDS["admin@demo.twinning.test"])
        page.locator("#password").press("Enter")
        page.wait_for_url(re.compile(r"/seminars/"))
        for path in pages:
            page.goto(live_server + path)
            assert_accessible(page, f"{locale} {path}")
            # Nothing may push the page sideways on a phone: wide tables scroll in their box.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{path} is {width}px wide"
        # A form sent empty shows its error summary; that state must pass too.
        page.goto(live_server + "/seminars/new")
        page.locator("main form button[type=submit]").click()
        expect(page.get_by_role("alert")).to_be_visible()
        assert_accessible(page, f"{locale} seminar form errors")
        context.close()


def demo_data_seminar_id() -> int:
    from workshop.models import Seminar

    seminar_id = db.session.scalar(sa.select(Seminar.id).where(Seminar.is_demo.is_(True)))
    assert seminar_id is not None
    return seminar_id


AXE_PATH = __import__("tests.browser.conftest", fromlist=["AXE_JS"]).AXE_JS
