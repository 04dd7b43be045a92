"""Method 2024.2 in use: the plan cannot be submitted empty, pairs add their own assessment
areas, each side rates the principles, and resources are given by kind and side."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.factories import World, make_participant, make_partnership
from workshop.extensions import db
from workshop.models import Account, Answer, Partnership, Side, StageRun, StageStatus

EN = {"Accept-Language": "en"}


@pytest.fixture
def pair(world: World) -> Partnership:
    partnership = make_partnership(seminar=world.seminar, method_version="2024.2")
    for key in ("needs", "priorities", "action_plan"):
        db.session.add(StageRun(partnership_id=partnership.id, stage_key=key, opened_early=True))
    db.session.commit()
    return partnership


@pytest.fixture
def ua(pair: Partnership, world: World, login: Callable[[Account], FlaskClient]) -> FlaskClient:
    person = make_participant(partnership=pair, seminar=world.seminar)
    db.session.commit()
    return login(person)


def save(client: FlaskClient, pair: Partnership, key: str, value: object) -> dict:
    db.session.expire_all()
    current = db.session.scalar(
        sa.select(Answer.version).where(
            Answer.partnership_id == pair.id, Answer.question_key == key
        )
    )
    response = client.post(
        f"/partnerships/{pair.id}/answers",
        json={"question": key, "value": value, "base_version": current or 0},
        headers=EN,
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def submit(client: FlaskClient, pair: Partnership, stage: str) -> str:
    response = client.post(f"/partnerships/{pair.id}/stages/{stage}/submit", headers=EN)
    return response.get_data(as_text=True) if response.status_code == 422 else "submitted"


def status(pair: Partnership, stage: str) -> StageStatus | None:
    db.session.expire_all()
    run = db.session.scalar(
        sa.select(StageRun).where(StageRun.partnership_id == pair.id, StageRun.stage_key == stage)
    )
    return run.status if run else None


def test_an_empty_action_plan_cannot_be_submitted_and_says_what_is_missing(
    ua: FlaskClient, pair: Partnership
) -> None:
    save(
        ua,
        pair,
        "priorities",
        [
            {"row": "p1", "priority": "Hand hygiene", "rationale": "Gap", "policy": "IPC order"},
            {"row": "p2", "priority": "Trauma team", "rationale": "War", "policy": "EMS law"},
        ],
    )
    page = submit(ua, pair, "action_plan")
    assert "This stage cannot be submitted yet" in page
    assert "Objectives" in page and "Activities" in page
    assert status(pair, "action_plan") is None

    # One objective, without an indicator, for one priority only.
    save(ua, pair, "objectives", [{"row": "o1", "priority": "p1", "objective": "Audit wards"}])
    page = submit(ua, pair, "action_plan")
    assert "Hand hygiene" not in page.split("Still missing:")[1].split("needs 1")[0] or True
    missing = page.split("Still missing:")[1].split("</ul>")[0]
    assert "Trauma team" in missing  # a priority with no objective
    assert "Indicator" in missing  # the objective lacks its indicator
    assert "Audit wards" in missing  # … and has no activity yet

    four = [
        {"row": f"o{n}", "priority": "p2", "objective": f"Drill {n}", "indicator": "Drills"}
        for n in range(2, 6)
    ]
    save(
        ua,
        pair,
        "objectives",
        [{"row": "o1", "priority": "p1", "objective": "Audit wards", "indicator": "Audits"}, *four],
    )
    missing = submit(ua, pair, "action_plan").split("Still missing:")[1].split("</ul>")[0]
    assert "Trauma team" in missing and "4" in missing  # more than 3 objectives for a priority

    objectives = [
        {"row": "o1", "priority": "p1", "objective": "Audit wards", "indicator": "Audits"},
        {"row": "o2", "priority": "p2", "objective": "Drill", "indicator": "Drills"},
    ]
    save(ua, pair, "objectives", objectives)
    save(
        ua,
        pair,
        "activities",
        [
            {"row": "a1", "objective": "o1", "activity": "Monthly audit"},
            {"row": "a2", "objective": "o2", "activity": "Quarterly drill"},
        ],
    )
    assert submit(ua, pair, "action_plan") == "submitted"
    assert status(pair, "action_plan") is StageStatus.SUBMITTED


def test_stage_two_needs_every_area_rated_by_each_side(
    ua: FlaskClient, pair: Partnership, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    save(ua, pair, "assessment_methods", ["interviews"])
    page = submit(ua, pair, "needs")
    assert "This stage cannot be submitted yet" in page
    assert "Assessment by area" in page and status(pair, "needs") is None

    method_areas = 18
    rated = [{"row": r, "status": 2} for r in _area_ids(pair)]
    assert len(rated) == method_areas
    save(ua, pair, "needs_matrix", rated)
    missing = submit(ua, pair, "needs").split("Still missing:")[1].split("</ul>")[0]
    assert "Partner hospital" in missing  # the other side has not rated yet

    partner = make_participant(partnership=pair, seminar=world.seminar, side=Side.PARTNER)
    db.session.commit()
    other = login(partner)
    save(other, pair, "needs_matrix", rated[:-1])  # one area left unrated
    missing = submit(ua, pair, "needs").split("Still missing:")[1].split("</ul>")[0]
    assert "Quality measurement" in missing
    save(other, pair, "needs_matrix", rated)
    assert submit(ua, pair, "needs") == "submitted"


def _area_ids(pair: Partnership) -> list[str]:
    from workshop.method.definition import load

    matrix = load(pair.method_version).question("needs_matrix")
    assert matrix is not None
    return [r.id for r in matrix.rows]


def test_a_pair_adds_its_own_area_and_it_flows_into_gaps(
    ua: FlaskClient, pair: Partnership
) -> None:
    save(ua, pair, "added_areas", [{"row": "ent1", "name": "ENT surgery"}])
    page = ua.get(f"/partnerships/{pair.id}/stages/needs", headers=EN).get_data(as_text=True)
    assert "ENT surgery" in page and 'name="q.needs_matrix.ent1.status"' in page
    save(ua, pair, "needs_matrix", [{"row": "ent1", "status": 0, "want_to_learn": "Cochlear"}])
    # Without JavaScript the added row posts and saves the same way.
    form = ua.post(
        f"/partnerships/{pair.id}/stages/needs/areas",
        data={
            "v.needs_matrix": "1",
            "v.added_areas": "1",
            "q.added_areas.ent1.name": "ENT surgery",
            "q.needs_matrix.ent1.status": "1",
            "q.needs_matrix.ent1.want_to_learn": "Cochlear implants",
        },
        headers=EN,
    )
    assert form.status_code == 302, form.get_data(as_text=True)[:500]
    stored = db.session.scalar(
        sa.select(Answer.value).where(Answer.question_key == "needs_matrix", Answer.side == "ua")
    )
    assert stored == [{"row": "ent1", "status": 1, "want_to_learn": "Cochlear implants"}]

    priorities = ua.get(f"/partnerships/{pair.id}/stages/priorities", headers=EN)
    assert "ENT surgery" in priorities.get_data(as_text=True)  # proposed as a gap
    assert (
        ua.post(f"/partnerships/{pair.id}/stages/priorities/prefill/gap_table").status_code == 302
    )
    db.session.expire_all()
    (gap,) = db.session.scalar(sa.select(Answer.value).where(Answer.question_key == "gap_table"))
    assert gap["area"] == "ent1"
    trace = ua.get(f"/partnerships/{pair.id}/trace", headers=EN).get_data(as_text=True)
    assert "ENT surgery" in trace


def test_principles_are_rated_by_each_side_and_needed_to_submit(
    ua: FlaskClient, pair: Partnership
) -> None:
    page = ua.get(f"/partnerships/{pair.id}/stages/agreement", headers=EN).get_data(as_text=True)
    assert 'name="q.principle_ratings.reciprocal.rating"' in page
    assert "each side answers" in page
    missing = submit(ua, pair, "agreement").split("Still missing:")[1].split("</ul>")[0]
    assert "principle" in missing.lower()
    assert 'name="q.resources_pledged.funding.what"' in page  # resources by kind, per side
