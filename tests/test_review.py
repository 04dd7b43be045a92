"""The review workflow: submit, ask for changes, approve (locks), reopen, open early, comments."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World, browser_for
from workshop.extensions import db
from workshop.models import Account, Comment, StageEvent, StageRun, StageStatus

EN = {"Accept-Language": "en"}
REQUIRED_STAGE_ONE = {
    "ua_focal_point": {"name": "Олена Коваленко", "role": "Head nurse", "email": ""},
    "partner_focal_point": {"name": "Anna Berg", "role": "", "email": "anna@example.org"},
    "shared_vision_uk": "Разом зробити допомогу при травмі безпечнішою.",
    "shared_vision_en": "Together, make trauma care safer.",
    "tpi_objectives": ["partnership", "improvement", "spread"],
    "outage_plan": "Same time next day; messenger; generator at the coordinator's office.",
}


def client_for(app: Flask, account: Account) -> FlaskClient:
    return browser_for(app, account, hours=1)


@pytest.fixture
def table(app: Flask, world: World) -> FlaskClient:
    return client_for(app, world.participant)


@pytest.fixture
def facilitator(app: Flask, world: World) -> FlaskClient:
    return client_for(app, world.facilitator)


def save(client: FlaskClient, world: World, key: str, value: object, base: int = 0) -> int:
    response = client.post(
        f"/partnerships/{world.partnership.id}/answers",
        headers=EN,
        json={"question": key, "value": value, "base_version": base},
    )
    return response.status_code


def act(client: FlaskClient, world: World, stage: str, action: str, reason: str = "") -> object:
    url = f"/partnerships/{world.partnership.id}/stages/{stage}"
    if action == "submit":
        return client.post(url + "/submit", headers=EN)
    # "yes" to the question a reopening asks first (tests/test_confirm.py); others ignore it.
    data = {"action": action, "reason": reason, "confirm": "yes"}
    return client.post(url + "/review", data=data, headers=EN)


def status(world: World, stage: str = "agreement") -> StageStatus | None:
    db.session.expire_all()
    run = db.session.scalar(sa.select(StageRun).where(StageRun.stage_key == stage))
    return run.status if run else None


def answer_stage_one(client: FlaskClient, world: World) -> None:
    for key, value in REQUIRED_STAGE_ONE.items():
        assert save(client, world, key, value) == 200


def test_the_next_stage_opens_only_on_approval(
    table: FlaskClient, facilitator: FlaskClient, world: World
) -> None:
    refused = table.post(
        f"/partnerships/{world.partnership.id}/answers",
        headers=EN,
        json={"question": "assessment_team", "value": "x", "base_version": 0},
    )
    assert refused.status_code == 423
    assert "opens when the previous one is approved" in refused.get_json()["error"]

    early = act(table, world, "agreement", "submit")
    assert early.status_code == 422
    page = early.get_data(as_text=True)
    assert "This stage cannot be submitted yet. Still missing:" in page
    assert "Shared vision (in English)" in page
    assert status(world) is None

    answer_stage_one(table, world)
    assert act(table, world, "agreement", "submit").status_code == 302
    assert status(world) is StageStatus.SUBMITTED
    assert save(table, world, "can_offer", "Blackout routines") == 200  # still editable

    no_reason = act(facilitator, world, "agreement", "request_changes")
    assert no_reason.status_code == 422
    assert "Give a reason" in no_reason.get_data(as_text=True)
    assert (
        act(
            facilitator, world, "agreement", "request_changes", "Name the signatories, please."
        ).status_code
        == 302
    )
    assert status(world) is StageStatus.CHANGES_REQUESTED
    assert act(table, world, "agreement", "submit").status_code == 302
    assert act(facilitator, world, "agreement", "approve").status_code == 302
    assert status(world) is StageStatus.APPROVED

    locked = save(table, world, "can_offer", "Changed after approval", base=1)
    assert locked == 423
    assert save(table, world, "assessment_team", "Olena and Anna") == 200  # stage 2 is open

    assert act(facilitator, world, "agreement", "reopen").status_code == 422
    assert (
        act(facilitator, world, "agreement", "reopen", "Add the ministry letter").status_code == 302
    )
    assert save(table, world, "can_offer", "Changed after reopening", base=1) == 200
    events = db.session.scalars(sa.select(StageEvent).order_by(StageEvent.id)).all()
    assert [e.action for e in events] == [
        "submit",
        "request_changes",
        "submit",
        "approve",
        "reopen",
    ]
    assert events[1].reason == "Name the signatories, please."
    assert events[3].actor_id == world.facilitator.id


def test_a_facilitator_can_open_the_next_stage_early_with_a_reason(
    table: FlaskClient, facilitator: FlaskClient, world: World
) -> None:
    assert act(facilitator, world, "needs", "open_next", "x").status_code == 422  # not open
    assert act(facilitator, world, "agreement", "open_next").status_code == 422
    assert (
        act(
            facilitator, world, "agreement", "open_next", "The memorandum waits for the ministry"
        ).status_code
        == 302
    )
    assert save(table, world, "assessment_team", "Started early") == 200
    event = db.session.scalar(sa.select(StageEvent).where(StageEvent.action == "open_early"))
    assert event is not None
    assert event.reason == "The memorandum waits for the ministry"


def test_people_at_the_table_cannot_review_and_other_facilitators_cannot_see(
    app: Flask, table: FlaskClient, world: World
) -> None:
    assert act(table, world, "agreement", "approve").status_code == 403
    other = client_for(app, world.other_facilitator)
    assert act(other, world, "agreement", "approve").status_code == 404


def test_comment_threads_can_be_answered_resolved_and_reopened(
    table: FlaskClient, facilitator: FlaskClient, world: World
) -> None:
    url = f"/partnerships/{world.partnership.id}/stages/agreement/comments"
    assert (
        facilitator.post(
            url,
            data={
                "section": "communication",
                "question": "outage_plan",
                "body": "What if the generator fails too?",
            },
        ).status_code
        == 302
    )
    thread = db.session.scalar(sa.select(Comment))
    assert thread is not None
    assert (
        table.post(
            url, data={"thread": thread.id, "body": "Then we use the phone tree."}
        ).status_code
        == 302
    )
    resolve = f"/partnerships/{world.partnership.id}/comments/{thread.id}/resolve"
    assert table.post(resolve, data={"resolved": "1"}).status_code == 302
    db.session.refresh(thread)
    assert thread.resolved_at is not None
    facilitator.post(url, data={"thread": thread.id, "body": "And at night?"})
    db.session.refresh(thread)
    assert thread.resolved_at is None  # a new reply reopens it
    page = table.get(f"/partnerships/{world.partnership.id}/stages/agreement", headers=EN)
    text = page.get_data(as_text=True)
    assert "What if the generator fails too?" in text
    assert "Then we use the phone tree." in text
    assert "about «What we do when power or connection fails»" in text


def test_a_refused_comment_keeps_its_text(table: FlaskClient, world: World) -> None:
    url = f"/partnerships/{world.partnership.id}/stages/agreement/comments"
    empty = table.post(url, data={"section": "people", "body": "   "}, headers=EN)
    assert empty.status_code == 422
    assert "Write the comment first." in empty.get_data(as_text=True)
    long = table.post(url, data={"section": "people", "body": "долго " * 1000}, headers=EN)
    assert long.status_code == 422
    assert "долго долго" in long.get_data(as_text=True)
    wrong = table.post(
        url, data={"section": "people", "question": "outage_plan", "body": "x"}, headers=EN
    )
    assert wrong.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_heads_read_reviews_but_cannot_comment(
    app: Flask, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    head = client_for(app, world.head)
    url = f"/partnerships/{world.partnership.id}/stages/agreement"
    assert head.get(url).status_code == 200
    assert head.post(url + "/comments", data={"section": "people", "body": "x"}).status_code == 403


def test_stage_three_needs_two_to_four_priorities_before_submitting(
    table: FlaskClient, world: World
) -> None:
    db.session.add(
        StageRun(partnership_id=world.partnership.id, stage_key="priorities", opened_early=True)
    )
    db.session.commit()
    one = [{"priority": "Hand hygiene", "rationale": "Largest gap"}]
    assert save(table, world, "priorities", one) == 200
    refused = act(table, world, "priorities", "submit")
    assert refused.status_code == 422
    assert "Confirmed priorities (2–4)" in refused.get_data(as_text=True)
    two = [*one, {"priority": "Trauma team", "rationale": "Two-way learning"}]
    assert save(table, world, "priorities", two, base=1) == 200
    assert act(table, world, "priorities", "submit").status_code == 302
    five = two + two + one
    assert save(table, world, "priorities", five, base=2) == 422  # at most four


def stage_page(client: FlaskClient, world: World, stage: str = "agreement") -> str:
    url = f"/partnerships/{world.partnership.id}/stages/{stage}"
    return client.get(url, headers=EN).get_data(as_text=True)


def ask_for_changes(
    facilitator: FlaskClient, world: World, reason: str, questions: list[str]
) -> object:
    return facilitator.post(
        f"/partnerships/{world.partnership.id}/stages/agreement/review",
        data={"action": "request_changes", "reason": reason, "question": questions},
        headers=EN,
    )


def note_before(page: str, question: str) -> bool:
    """Whether the request's note stands right before the question (nothing else between)."""
    found = re.search(rf'id="change-note-{question}".*?id="question-(\w+)"', page, re.DOTALL)
    return bool(found) and found.group(1) == question


REASON = "Say who calls whom when the power is out, and by when."


def test_a_request_for_changes_is_shown_at_the_top_and_by_the_questions_it_names(
    table: FlaskClient, facilitator: FlaskClient, world: World
) -> None:
    answer_stage_one(table, world)
    assert act(table, world, "agreement", "submit").status_code == 302
    form = stage_page(facilitator, world)
    assert 'name="question" value="outage_plan"' in form  # facilitators may name questions

    # A key the stage does not have (another stage's, a typo) is left out; the request stands.
    assert (
        ask_for_changes(facilitator, world, REASON, ["outage_plan", "needs_matrix"]).status_code
        == 302
    )
    event = db.session.scalar(sa.select(StageEvent).where(StageEvent.action == "request_changes"))
    assert event is not None
    assert event.questions == ["outage_plan"]

    page = stage_page(table, world)
    top = page.index('id="change-request"')
    assert top < page.index('id="section-')  # above the questions, not in the history
    box = page[top : page.index("</section>", top)]
    assert "The facilitators asked for changes" in box
    assert REASON in box
    assert world.facilitator.display_name in box
    assert "<time datetime=" in box
    assert 'href="#change-note-outage_plan"' in box
    assert 'role="alert"' not in box and 'role="status"' not in box
    assert note_before(page, "outage_plan")
    assert re.search(r'id="f-outage_plan"[^>]*aria-describedby="change-note-outage_plan', page)
    assert page.count('class="change-note"') == 1  # only by the question it names

    assert act(table, world, "agreement", "submit").status_code == 302
    resubmitted = stage_page(table, world)
    assert 'id="change-request"' not in resubmitted
    assert 'class="change-note"' not in resubmitted
    assert REASON in resubmitted  # still in what happened so far


def test_a_request_naming_no_question_is_about_the_stage_until_approved(
    table: FlaskClient, facilitator: FlaskClient, world: World
) -> None:
    answer_stage_one(table, world)
    assert act(table, world, "agreement", "submit").status_code == 302
    assert ask_for_changes(facilitator, world, REASON, []).status_code == 302
    page = stage_page(table, world)
    assert 'id="change-request"' in page
    assert REASON in page[page.index('id="change-request"') :]
    assert 'class="change-note"' not in page

    assert act(table, world, "agreement", "submit").status_code == 302
    assert act(facilitator, world, "agreement", "approve").status_code == 302
    assert 'id="change-request"' not in stage_page(table, world)


def test_a_refused_request_keeps_the_questions_ticked(
    table: FlaskClient, facilitator: FlaskClient, world: World
) -> None:
    answer_stage_one(table, world)
    assert act(table, world, "agreement", "submit").status_code == 302
    refused = ask_for_changes(facilitator, world, "  ", ["outage_plan", "shared_vision_en"])
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Give a reason" in page
    assert re.search(r'value="outage_plan" checked', page)
    assert re.search(r'value="shared_vision_en" checked', page)
    assert not re.search(r'value="ua_focal_point" checked', page)
    assert status(world) is StageStatus.SUBMITTED
