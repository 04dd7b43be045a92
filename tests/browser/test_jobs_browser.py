"""A seminar's documents as one ZIP, in a real browser: the button, the progress page in each
state (axe clean; conftest checks every page with the Nu validator and on a 390 px phone), and
the page's script bringing the progress up to date without a reload."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, World
from workshop.extensions import db
from workshop.models import Job, utcnow

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, object]) -> dict[str, object]:
    return {**browser_context_args, "locale": "en-GB", "viewport": PHONE}


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation(url=lambda url: "/login" not in url):
        page.locator("#password").press("Enter")


def _update(job_id: int, **values: object) -> None:
    """Change the job as a worker in another process would, committed."""
    db.session.execute(sa.update(Job).where(Job.id == job_id).values(**values))
    db.session.commit()


def test_a_facilitator_asks_for_the_zip_and_watches_it_being_made(
    page: Page, live_server: str, world: World
) -> None:
    assert world.facilitator.email is not None
    _sign_in(page, live_server, world.facilitator.email)
    page.goto(f"{live_server}/seminars/{world.seminar.id}")
    with page.expect_navigation(url=lambda url: "/jobs/" in url):
        page.get_by_role("button", name="Download all documents (ZIP)").click()
    expect(page.locator("#job-state")).to_have_text("Waiting to start.")
    assert_accessible(page, "job page, queued")

    job = db.session.scalar(sa.select(Job))
    assert job is not None
    job_id = job.id
    db.session.rollback()
    # Nothing runs jobs in the tests: this test plays the worker, and the page follows it.
    _update(job_id, state="running", total=3, done=1, touched_at=utcnow())
    expect(page.locator("#job-state")).to_have_text("Working on it.", timeout=10_000)
    expect(page.locator("#job-detail")).to_contain_text("1 of 3")
    assert_accessible(page, "job page, running")

    _update(
        job_id,
        state="done",
        done=3,
        result=b"PK\x05\x06" + bytes(18),
        result_name="documents.zip",
        failures=[{"what": "Okhmatdyt — Karolinska", "why": "The chart could not be drawn."}],
    )
    expect(page.locator("#job-state")).to_have_text(
        "Ready, but some parts could not be made.", timeout=10_000
    )
    download = page.get_by_role("link", name="Download")
    expect(download).to_be_visible()
    assert_accessible(page, "job page, done with a failure")
    with page.expect_download() as got:
        download.click()
    assert got.value.suggested_filename == "documents.zip"

    # The states a person reaches by coming back to the page (each checked as a page).
    _update(job_id, state="failed", failures=[{"what": "", "why": "It broke."}])
    page.reload()
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    assert_accessible(page, "job page, failed")
    _update(job_id, state="running", failures=[], touched_at=utcnow() - timedelta(hours=1))
    page.reload()
    expect(page.get_by_role("button", name="Start again")).to_be_visible()
    assert_accessible(page, "job page, stalled")
