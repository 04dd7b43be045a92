"""The import's pages as an organiser uses them: the refused file, the check page with its
question, the question unanswered, and the import; each passes axe. (The pages are plain
forms; tests/test_imports.py drives the same steps without a browser, so without JavaScript.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.browser.conftest import AXE_JS, PHONE, assert_accessible
from workshop import demo
from workshop.extensions import db
from workshop.models import Institution

pytestmark = pytest.mark.browser

MESSY = Path(__file__).parent.parent / "data" / "messy-partners.csv"
ADMIN = "admin@demo.twinning.test"


@pytest.fixture
def demo_data(app: object) -> demo.DemoSummary:
    summary = demo.seed()
    db.session.commit()
    return summary


def _without_refused_rows(tmp_path: Path) -> Path:
    lines = MESSY.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    fixed = tmp_path / "partners.csv"
    fixed.write_text("\ufeff" + "".join(lines[:11]), encoding="utf-8")
    return fixed


@pytest.mark.parametrize(("locale", "lang"), [("uk-UA", "uk"), ("en-GB", "en")])
def test_an_organiser_checks_answers_and_imports_a_list(
    browser: Browser,
    live_server: str,
    demo_data: demo.DemoSummary,
    tmp_path: Path,
    locale: str,
    lang: str,
) -> None:
    context = browser.new_context(locale=locale, viewport=PHONE)
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    page.goto(live_server + "/login")
    page.locator("#email").fill(ADMIN)
    page.locator("#password").fill(demo.DEMO_PASSWORDS[ADMIN])
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r"/seminars/"))

    page.goto(live_server + "/imports/new")
    page.locator("input[type=file]").set_input_files(str(MESSY))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("#import-problems")).to_contain_text("14")
    assert_accessible(page, f"{lang} import refused")

    page.locator("input[type=file]").set_input_files(str(_without_refused_rows(tmp_path)))
    with page.expect_navigation(url=re.compile(r"/imports/\d+$")):
        page.locator("main form button[type=submit]").click()
    assert_accessible(page, f"{lang} import check page")

    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("#region-3")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, f"{lang} import question unanswered")

    page.locator("#region-3").select_option("UA-30")
    with page.expect_navigation(url=re.compile(r"/partnerships/")):
        page.locator("main form button[type=submit]").click()
    context.close()
    kyiv_1 = db.session.scalar(
        sa.select(Institution).where(Institution.name_en == "Kyiv City Clinical Hospital No. 1")
    )
    assert kyiv_1 is not None and kyiv_1.region == "UA-30"
