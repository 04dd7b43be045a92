"""A stage approved while somebody types: the next save is refused by the save itself, the page
says why in the reader's language, and what was typed stays on the page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, expect

from tests.browser.conftest import at_a_new_table
from workshop.extensions import db
from workshop.models import Answer, StageRun, StageStatus, utcnow


@pytest.mark.parametrize(
    ("lang", "width", "saved", "reason"),
    [
        ("en-GB", 390, "All changes saved", "approved and locked"),
        ("uk-UA", 1280, "Усі зміни збережено", "затверджено й заблоковано"),
    ],
)
def test_a_stage_approved_meanwhile_refuses_the_next_save_and_keeps_the_text(
    app: Flask, browser: Browser, live_server: str, lang: str, width: int, saved: str, reason: str
) -> None:
    context, page, table = at_a_new_table(
        browser, live_server, {"width": width, "height": 844}, locale=lang
    )
    field = page.locator("#f-shared_vision_en")
    state = page.locator("#section-vision .save-state")
    field.fill("Safer surgery")
    expect(state).to_have_text(saved)
    db.session.add(
        StageRun(
            partnership_id=table,
            stage_key="agreement",
            status=StageStatus.APPROVED,
            first_approved_at=utcnow(),
        )
    )
    db.session.commit()
    field.fill("Safer surgery, every shift")
    # Not "offline, will be sent": sending again cannot help. The reason is at the question.
    expect(state).to_have_attribute("data-state", "error")
    box = page.locator('[data-question="shared_vision_en"]')
    expect(box.locator(".field-error")).to_contain_text(reason, ignore_case=True)
    expect(field).to_have_value("Safer surgery, every shift")
    db.session.rollback()
    answer = db.session.scalar(sa.select(Answer).filter_by(question_key="shared_vision_en"))
    assert answer is not None and answer.value == "Safer surgery"
    context.close()
