"""The audit log in a real browser: on a desktop in English and on a phone in Ukrainian, with
hostile values in the trail and a mistyped date; axe-core is clean (conftest also checks every
page with the Nu validator and on a 390 px phone)."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Browser, expect

from tests import factories
from tests.browser.conftest import AXE_JS, PHONE, assert_accessible
from tests.factories import PASSWORD
from workshop import audit
from workshop.extensions import db
from workshop.models import Role

DESKTOP = {"width": 1280, "height": 900}


def test_the_audit_log_reads_well_on_a_desktop_and_a_phone(
    app: Flask, browser: Browser, live_server: str
) -> None:
    world = factories.build_world()
    admin = factories.make_account(role=Role.ADMIN, email="lead@example.org")
    audit.record("login_failed", actor=None, email="x\nfake line \u202e=cmd" + "A" * 600)
    audit.record("stage_approve", actor=world.facilitator, obj=world.partnership, stage="agreement")
    audit.record("exported", actor=admin, obj=world.seminar, what="answers.csv")
    db.session.commit()
    for viewport, locale, label in ((DESKTOP, "en-GB", "desktop"), (PHONE, "uk-UA", "phone")):
        context = browser.new_context(locale=locale, viewport=viewport)
        context.add_init_script(path=str(AXE_JS))
        page = context.new_page()
        page.goto(live_server + "/login")
        page.locator("#email").fill("lead@example.org")
        page.locator("#password").fill(PASSWORD)
        page.locator("#password").press("Enter")
        page.wait_for_url(re.compile(r"^(?!.*/login)"))
        page.goto(live_server + "/admin/audit")
        # The hostile value is one visible line, its newline and direction mark written out.
        expect(page.locator("td.details", has_text="x\\nfake line \\u202e")).to_have_count(1)
        expect(page.locator("td", has_text="answers.csv")).to_have_count(1)
        assert_accessible(page, f"audit log ({label})")

        page.locator("#f-from").fill("31.02.2026")
        page.locator("#f-from").press("Enter")
        expect(page.locator("#f-from-error")).to_be_visible()
        assert_accessible(page, f"audit log with a mistyped date ({label})")
        context.close()
