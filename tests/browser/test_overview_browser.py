"""The partnership view and the programme overview in a real browser, on a desktop in English
and on a phone in Ukrainian: the map of Ukraine is drawn from the file the app serves, the
charts are there, axe-core is clean (conftest also checks every page with the Nu validator
and on a 390 px phone)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AXE_JS, PHONE, assert_accessible
from workshop import demo
from workshop.extensions import db
from workshop.models import Partnership

ADMIN = "admin@demo.twinning.test"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo_pair(app: Flask) -> int:
    demo.seed()
    db.session.commit()
    found = db.session.scalar(sa.select(Partnership.id).order_by(Partnership.id))
    assert found is not None
    return found


def _signed_in(browser: Browser, base: str, viewport: dict[str, int], locale: str) -> Page:
    context = browser.new_context(locale=locale, viewport=viewport)
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    page.goto(base + "/login")
    page.locator("#email").fill(ADMIN)
    page.locator("#password").fill(demo.DEMO_PASSWORDS[ADMIN])
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))
    return page


def test_the_overviews_read_well_on_a_desktop_and_a_phone(
    browser: Browser, live_server: str, demo_pair: int
) -> None:
    for viewport, locale, label in ((DESKTOP, "en-GB", "desktop"), (PHONE, "uk-UA", "phone")):
        page = _signed_in(browser, live_server, viewport, locale)
        page.goto(live_server + "/programme")
        shapes = page.locator("figure.map svg use")
        expect(shapes).to_have_count(26)
        # Each region's shape comes from the map file the app serves: drawn, not empty.
        width = page.evaluate("() => document.querySelector('figure.map svg use').getBBox().width")
        assert width > 0
        expect(page.locator("figure.map g.badge").first).to_be_visible()
        assert_accessible(page, f"programme overview ({label})")

        page.goto(f"{live_server}/partnerships/{demo_pair}/overview")
        charts = page.locator("figure.chart img")
        expect(charts.first).to_be_visible()
        assert page.evaluate(
            "() => [...document.querySelectorAll('figure.chart img')]"
            ".every(img => img.complete && img.naturalWidth > 0 && img.alt.length > 40)"
        )
        page.locator("details.stage-answers summary").first.click()
        assert_accessible(page, f"partnership view ({label})")
        page.context.close()
