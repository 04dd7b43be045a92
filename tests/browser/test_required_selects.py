"""A required select starts on an empty "Choose…" line (valid HTML: a required select's first
option has an empty value), and leaving it there is refused with the field's own message, in
the person's language."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.browser.conftest import PHONE
from workshop import codes, demo
from workshop.extensions import db
from workshop.models import Account, Institution


@pytest.fixture
def demo_data(app: object) -> demo.DemoSummary:
    summary = demo.seed()
    db.session.commit()
    return summary


def test_joining_without_choosing_a_partnership_is_refused_in_ukrainian(
    browser: Browser, live_server: str, demo_data: demo.DemoSummary
) -> None:
    context = browser.new_context(locale="uk-UA", viewport=PHONE)
    page = context.new_page()
    page.goto(live_server + "/join")
    page.get_by_label("Код семінару").fill(codes.grouped(demo_data.join_code))
    page.get_by_role("button", name="Продовжити").click()
    select = page.get_by_label("Ваше партнерство")
    first = select.locator("option").first
    expect(first).to_have_attribute("value", "")
    expect(first).to_have_text("Оберіть…")
    expect(select).to_have_value("")

    page.get_by_label("Українська лікарня").check()
    page.get_by_label("Ваше ім’я").fill("Олена Коваленко")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Сісти за стіл").click()
    assert posted.value.status == 422
    expect(page.locator("#partnership-error")).to_contain_text("Оберіть своє партнерство.")
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Account.id)).where(Account.display_name == "Олена Коваленко")
        )
        == 0
    )

    select.select_option(index=1)
    page.get_by_role("button", name="Сісти за стіл").click()
    expect(page.locator("#return-code")).to_be_visible()
    context.close()


def test_an_institution_without_a_country_is_refused_in_english(
    browser: Browser, live_server: str, demo_data: demo.DemoSummary
) -> None:
    context = browser.new_context(locale="en-GB", viewport=PHONE)
    page = context.new_page()
    page.goto(live_server + "/login")
    page.locator("#email").fill("admin@demo.twinning.test")
    page.locator("#password").fill(demo.DEMO_PASSWORDS["admin@demo.twinning.test"])
    with page.expect_navigation(url=re.compile(r"/seminars/")):
        page.locator("#password").press("Enter")
    page.goto(live_server + "/institutions/new")
    country = page.locator("#country")
    expect(country.locator("option").first).to_have_attribute("value", "")
    expect(country.locator("option").first).to_have_text("Choose…")
    expect(country).to_have_value("UA")  # the usual one stays chosen at the start

    country.select_option(value="")
    page.locator("#name_en").fill("Nowhere Hospital")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Save institution").click()
    assert posted.value.status == 422
    expect(page.locator("#country-error")).to_contain_text("Choose the country.")
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Institution.id)).where(
                Institution.name_en == "Nowhere Hospital"
            )
        )
        == 0
    )
    context.close()
