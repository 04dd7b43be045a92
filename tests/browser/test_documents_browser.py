"""The heads' documents in a real browser: read the recommendations, make a version, download
the files, sign; the partner head signs; the agreed version shows both. axe clean throughout
(conftest also checks every page with the Nu validator and on a 390 px phone)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AXE_JS, PHONE, assert_accessible
from workshop import demo
from workshop.extensions import db

UA_HEAD = "head@demo.twinning.test"
PARTNER_HEAD = "head.karolinska@demo.twinning.test"


@pytest.fixture
def demo_data(app: Flask) -> demo.DemoSummary:
    summary = demo.seed()
    db.session.commit()
    app.config["JOBS_IN_PROCESS"] = True  # PDFs are made by the local worker, as in production
    return summary


def _head_page(browser: Browser, base: str, email: str) -> Page:
    context = browser.new_context(locale="en-GB", viewport=PHONE, accept_downloads=True)
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(demo.DEMO_PASSWORDS[email])
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r"/documents/$"))
    return page


def _open_documents(page: Page) -> None:
    expect(page.get_by_role("heading", name="Recommendations for the heads").first).to_be_visible()
    # The demo pair: the partner head sees Karolinska's other partnership too.
    page.get_by_role("link", name=re.compile("^Open the documents — Okhmatdyt")).click()
    expect(page.get_by_role("heading", level=2, name="The documents now")).to_be_visible()


def _sign(page: Page, position: str, password: str) -> None:
    page.get_by_label("Your position").fill(position)
    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Sign version 1").click()


def test_both_heads_read_download_and_sign_and_the_agreed_version_shows_both(
    browser: Browser, live_server: str, demo_data: demo.DemoSummary
) -> None:
    page = _head_page(browser, live_server, UA_HEAD)
    # The demo pair's answers leave things for the heads to organise, each with its reason.
    advice = page.locator("ul.advice").first
    expect(advice.locator("> li").first).to_be_visible()
    expect(advice).to_contain_text("Because:")
    assert_accessible(page, "heads' portal")
    _open_documents(page)
    page.get_by_role("button", name="Make a new version").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Version 1"))).to_be_visible()
    assert_accessible(page, "documents page with a version")

    with page.expect_download() as sheet:
        page.get_by_role("link", name=re.compile(r"^Excel, in English — Action plan")).first.click()
    assert re.fullmatch(r".+_action-plan_v1_en\.xlsx", sheet.value.suggested_filename)

    # A PDF is made in the background; its page follows the job until the file is there.
    page.get_by_role("link", name=re.compile(r"^PDF, both languages .*Strategic vision")).click()
    expect(page.locator("#job-download")).to_be_visible(timeout=90_000)
    assert_accessible(page, "a PDF made in the background")
    with page.expect_download() as vision:
        page.locator("#job-download").click()
    assert vision.value.suggested_filename.endswith("_vision_v1_both.pdf")
    with open(vision.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.go_back()
    page.goto(page.url.split("#")[0])
    _sign(page, "Director General", "not the password")
    expect(page.locator("#password-error, .field-error").first).to_contain_text(
        "That password is not right."
    )
    assert page.get_by_label("Your position").input_value() == "Director General"
    assert_accessible(page, "a refused signature")
    _sign(page, "Director General", demo.DEMO_PASSWORDS[UA_HEAD])
    expect(page.locator("#v1")).to_contain_text("Signed by Demo Head of Okhmatdyt")
    page.context.close()

    page = _head_page(browser, live_server, PARTNER_HEAD)
    _open_documents(page)
    _sign(page, "Chief Executive", demo.DEMO_PASSWORDS[PARTNER_HEAD])
    expect(page.locator("main")).to_contain_text("Agreed: both heads signed version 1.")
    card = page.locator("#v1")
    expect(card).to_contain_text("Signed by Demo Head of Okhmatdyt, Director General")
    expect(card).to_contain_text("Signed by Demo Head of Karolinska, Chief Executive")
    assert_accessible(page, "the agreed version")
    page.context.close()
