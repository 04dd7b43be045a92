"""The review queue: what waits for review across a seminar, and approving several at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from tests.factories import World, make_institution, make_partnership
from workshop.extensions import db
from workshop.models import (
    Account,
    Partnership,
    StageEvent,
    StageRun,
    StageStatus,
    utcnow,
)

EN = {"Accept-Language": "en"}


def queue(world: World, tail: str = "") -> str:
    return f"/seminars/{world.seminar.id}/queue{tail}"


def submitted(partnership: Partnership, stage: str, minutes_ago: int, by: Account) -> int:
    """A stage the table submitted ``minutes_ago`` (the stages before it opened early)."""
    run = StageRun(
        partnership_id=partnership.id,
        stage_key=stage,
        status=StageStatus.SUBMITTED,
        opened_early=True,
    )
    db.session.add(run)
    db.session.flush()
    db.session.add(
        StageEvent(
            run_id=run.id,
            action="submit",
            actor_id=by.id,
            at=utcnow() - timedelta(minutes=minutes_ago),
        )
    )
    db.session.commit()
    return run.id


def status_of(run_id: int) -> StageStatus | None:
    db.session.expire_all()
    run = db.session.get(StageRun, run_id)
    assert run is not None
    return run.status


@pytest.fixture
def waiting(world: World) -> dict[str, int]:
    """Three stages waiting at two tables of the seminar, one at another seminar's table, and
    one already approved."""
    second = make_partnership(
        seminar=world.seminar, ua=make_institution(name_en="Second UA hospital")
    )
    world.partnership.ua_institution.name_en = "First UA hospital"
    db.session.commit()
    runs = {
        "first_needs": submitted(world.partnership, "needs", 5, world.participant),
        "second_agreement": submitted(second, "agreement", 30, world.participant),
        "first_agreement": submitted(world.partnership, "agreement", 12, world.participant),
        "elsewhere": submitted(world.other_partnership, "agreement", 60, world.other_participant),
    }
    approved = StageRun(partnership_id=second.id, stage_key="needs", status=StageStatus.APPROVED)
    db.session.add(approved)
    db.session.commit()
    return runs


def test_the_queue_lists_what_waits_oldest_first_with_a_link_to_each_review(
    world: World, waiting: dict[str, int], login: Callable[[Account], FlaskClient]
) -> None:
    page = login(world.facilitator).get(queue(world), headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    order = [int(n) for n in re.findall(r'name="run" value="(\d+)"', html)]
    assert order == [
        waiting["second_agreement"],
        waiting["first_agreement"],
        waiting["first_needs"],
    ]
    assert f"/partnerships/{world.partnership.id}/stages/needs#review" in html
    assert world.participant.display_name in html  # who submitted
    assert world.other_partnership.ua_institution.name_en not in html
    assert "3 stages waiting" in html


def test_bulk_approve_asks_first_then_approves_each_and_says_what_could_not_be(
    world: World, waiting: dict[str, int], login: Callable[[Account], FlaskClient]
) -> None:
    staff = login(world.facilitator)
    chosen = [waiting["first_agreement"], waiting["second_agreement"], waiting["first_needs"]]
    asked = staff.post(queue(world, "/approve"), data={"run": chosen}, headers=EN)
    assert asked.status_code == 200
    question = asked.get_data(as_text=True)
    assert "Approve 3 stages?" in question and "Yes, approve 3 stages" in question
    assert 'name="confirm" value="yes"' in question
    assert all(status_of(r) is StageStatus.SUBMITTED for r in chosen)  # nothing yet

    # Meanwhile another facilitator sent one of them back from its stage page.
    run = db.session.get(StageRun, waiting["first_needs"])
    run.status = StageStatus.CHANGES_REQUESTED
    db.session.commit()

    done = staff.post(queue(world, "/approve"), data={"run": chosen, "confirm": "yes"}, headers=EN)
    assert done.status_code == 302
    assert status_of(waiting["first_agreement"]) is StageStatus.APPROVED
    assert status_of(waiting["second_agreement"]) is StageStatus.APPROVED
    assert status_of(waiting["first_needs"]) is StageStatus.CHANGES_REQUESTED
    events = db.session.query(StageEvent).filter_by(action="approve").all()
    assert {e.run_id for e in events} == {waiting["first_agreement"], waiting["second_agreement"]}
    assert all(e.actor_id == world.facilitator.id for e in events)
    after = staff.get(queue(world), headers=EN).get_data(as_text=True)
    assert "2 stages approved." in after
    assert "Not approved: First UA hospital" in after and "moved on meanwhile" in after


def test_a_stage_of_another_seminar_is_refused_and_nothing_changes(
    world: World, waiting: dict[str, int], login: Callable[[Account], FlaskClient]
) -> None:
    staff = login(world.facilitator)
    mixed = {"run": [waiting["first_agreement"], waiting["elsewhere"]], "confirm": "yes"}
    assert staff.post(queue(world, "/approve"), data=mixed).status_code == 404
    assert status_of(waiting["first_agreement"]) is StageStatus.SUBMITTED
    assert status_of(waiting["elsewhere"]) is StageStatus.SUBMITTED
    # Through the other seminar's address, which this facilitator does not run: the same.
    other = f"/seminars/{world.other_seminar.id}/queue/approve"
    assert (
        staff.post(other, data={"run": waiting["elsewhere"], "confirm": "yes"}).status_code == 404
    )
    assert status_of(waiting["elsewhere"]) is StageStatus.SUBMITTED


def test_approving_nothing_or_nonsense_is_refused_with_a_message(
    world: World, waiting: dict[str, int], login: Callable[[Account], FlaskClient]
) -> None:
    staff = login(world.facilitator)
    empty = staff.post(queue(world, "/approve"), data={}, headers=EN)
    assert empty.status_code == 422
    assert "Tick the stages to approve first." in empty.get_data(as_text=True)
    for bad in ("x", "-1", "١٢", "99999999999"):
        assert staff.post(queue(world, "/approve"), data={"run": bad}).status_code == 400
    assert staff.post(queue(world, "/approve"), data={"run": "987654"}).status_code == 404
    assert status_of(waiting["first_agreement"]) is StageStatus.SUBMITTED


@pytest.mark.parametrize(
    ("who", "expected"),
    [("participant", 403), ("head", 403), ("other_facilitator", 404), ("admin", 200)],
)
def test_only_the_seminars_facilitators_and_admins_reach_the_queue(
    who: str,
    expected: int,
    world: World,
    waiting: dict[str, int],
    login: Callable[[Account], FlaskClient],
) -> None:
    browser = login(getattr(world, who))
    assert browser.get(queue(world)).status_code == expected
    post = browser.post(
        queue(world, "/approve"), data={"run": waiting["first_agreement"], "confirm": "yes"}
    )
    assert post.status_code == (302 if expected == 200 else expected)
    approved = status_of(waiting["first_agreement"]) is StageStatus.APPROVED
    assert approved is (expected == 200)
