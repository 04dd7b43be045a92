"""What the answers add up to, on the demo table and on hand-made plans."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_babel import force_locale

from tests.factories import World
from workshop.extensions import db
from workshop.groupwork.answers import queries
from workshop.groupwork.review import completeness
from workshop.groupwork.stage import insights
from workshop.method.definition import load
from workshop.models import Account, Partnership, StageRun, StageStatus


def _stage_insights(partnership: Partnership, stage_key: str) -> dict:
    method = load(partnership.method_version)
    stage = method.stage(stage_key)
    assert stage is not None
    answers = queries.stage_answers(partnership.id, partnership.cycle, stage)
    with force_locale("en"):
        return insights.for_stage(method, stage.insights, answers)


def test_the_demo_table_has_stages_one_to_four_answered_and_reviewed(
    demo_table: Partnership,
) -> None:
    method = load(demo_table.method_version)
    for stage in method.stages:
        answers = queries.stage_answers(demo_table.id, demo_table.cycle, stage)
        done, total = queries.answered_share(method, stage, answers)
        assert done >= total - 1, (stage.key, done, total)
        assert completeness.unmet(demo_table, method, stage) == []
    statuses = {r.stage_key: r.status for r in db.session.scalars(sa.select(StageRun))}
    assert statuses == {
        "agreement": StageStatus.APPROVED,
        "needs": StageStatus.APPROVED,
        "priorities": StageStatus.APPROVED,
        "action_plan": StageStatus.SUBMITTED,
    }


def test_needs_meet_offers_in_both_directions(demo_table: Partnership) -> None:
    matrix = _stage_insights(demo_table, "needs")["needs_offers"]
    to_ukraine = {e.area for e in matrix.to_ukraine}
    from_ukraine = {e.area for e in matrix.from_ukraine}
    assert "Infection prevention and control" in to_ukraine
    assert "Oncology" in to_ukraine  # a stated wish meets a partner's offer
    assert {"Emergency and trauma / polytrauma care", "Mental health and staff wellbeing"} <= (
        from_ukraine
    )
    assert "Infection prevention and control" not in from_ukraine
    # The areas the pair added to the method's list take part both ways as well.
    assert "ЕКМО у дітей / Paediatric ECMO" in to_ukraine  # rated low, the partner rates high
    assert "Дитяча оториноларингологія (ЛОР) / Paediatric ENT" in from_ukraine  # a stated wish
    assert "Дитяча оториноларингологія (ЛОР) / Paediatric ENT" not in to_ukraine
    # 2024.2 asks every area's status of both sides: the matrix has no blank.
    assert len(matrix.areas) == 18 + 3
    assert all(ua is not None and partner is not None for _area, ua, partner in matrix.areas)


def test_weighted_totals_and_disagreements(demo_table: Partnership) -> None:
    scores = {s.candidate: s for s in _stage_insights(demo_table, "priorities")["score_summary"]}
    infection = scores["Infection prevention in the ICU"]
    # 5·3 + 5·3 + 4·3 + 4·2 + 5·2 + 2 + 4 + 5 on the Ukrainian side, out of 5 · 16.
    assert (infection.ua_total, infection.partner_total, infection.maximum) == (71, 72, 80)
    assert infection.disagreements == []
    trauma = scores["Paediatric trauma team"]
    assert trauma.disagreements == [("Feasibility", 4, 1)]
    # The gap in an added area (ECMO) was scored too, and ranks below the two priorities.
    ecmo = scores["Paediatric ECMO team"]
    assert (ecmo.ua_total, ecmo.partner_total, ecmo.disagreements) == (54, 49, [])
    assert list(scores) == [
        "Infection prevention in the ICU",
        "Paediatric trauma team",
        "Paediatric ECMO team",
    ]


def test_the_demo_plan_passes_the_smart_check_against_the_stage_1_horizon(
    demo_table: Partnership, login: Callable[[Account], FlaskClient]
) -> None:
    method = load(demo_table.method_version)
    horizon = method.by_role("plan_horizon")
    assert horizon is not None and horizon.key == "horizon_months"  # stage 1 since 2024.2
    found = method.section_of(horizon.key)
    assert found is not None and found[0].key == "agreement"
    stage = method.stage("action_plan")
    assert stage is not None
    answers = queries.stage_answers(
        demo_table.id, demo_table.cycle, stage, also=[horizon.key, "priorities"]
    )
    assert answers[(horizon.key, "")].value == 24
    with force_locale("en"):
        assert insights.smart_check(method, answers) == []
    facilitator = db.session.scalar(
        sa.select(Account).where(Account.email == "facilitator@demo.twinning.test")
    )
    assert facilitator is not None
    page = login(facilitator).get(
        f"/partnerships/{demo_table.id}/stages/action_plan", headers={"Accept-Language": "en"}
    )
    assert "No warnings" in page.get_data(as_text=True)


def test_the_smart_check_warns_about_what_a_plan_misses(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    db.session.add(
        StageRun(partnership_id=world.partnership.id, stage_key="action_plan", opened_early=True)
    )
    db.session.commit()
    client = login(world.participant)
    url = f"/partnerships/{world.partnership.id}/answers"
    for key, value in {
        "plan_starts_on": "2024-01-01",
        "plan_horizon_months": 12,
        "objectives": [
            {
                "row": "o-ipc",
                "priority": "p-ipc",
                "objective": "Fewer infections",
                "indicator": "CLABSI",
                "target": 4,
                "baseline_on": "2024-06-01",
                "target_on": "2024-03-01",
            },
            {"priority": "p-trauma", "objective": "Faster activation", "target_on": "2026-01-01"},
        ],
        "activities": [
            {
                "objective": "o-ipc",
                "activity": "Training",
                "responsible": "Anna",
                "starts_on": "2024-05-01",
                "ends_on": "2024-04-01",
            },
            {"objective": "o-ipc", "activity": "Audit"},
            {"objective": "o-gone", "activity": "Visit", "responsible": "Erik"},
        ],
    }.items():
        response = client.post(url, json={"question": key, "value": value, "base_version": 0})
        assert response.status_code == 200, response.get_json()
    page = client.get(
        f"/partnerships/{world.partnership.id}/stages/action_plan",
        headers={"Accept-Language": "en"},
    ).get_data(as_text=True)
    warnings = page.split('<ul class="warnings">')[1].split("</ul>")[0]
    for expected in (
        "Objective 1</strong> has its baseline dated after its target.",
        "Objective 2</strong> has no indicator.",
        "Objective 2</strong> has no target value.",
        "Objective 2</strong> has its target date outside the plan horizon.",
        "Activity 1</strong> ends before it starts.",
        "Activity 2</strong> has no responsible person.",
        "Activity 2</strong> has no start or end date.",
        # Links that lead nowhere: the priorities were never saved, one objective is gone.
        "Objective 1</strong> serves a priority that was removed.",
        "Activity 3</strong> serves an objective that was removed.",
    ):
        assert expected in warnings
    assert "Activity 1</strong> serves" not in warnings
    assert "Objective 1</strong> has no indicator." not in warnings


def test_insights_and_prefill_follow_roles_not_key_names(
    world: World,
    login: Callable[[Account], FlaskClient],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A method that calls the needs matrix and the gap table something else still gets the
    needs ↔ offers view and the gap proposals: the engine finds them by role."""
    from workshop.method import definition

    text = (definition.VERSIONS_DIR / "tpi-2024.1.yaml").read_text(encoding="utf-8")
    renamed = (
        text.replace("key: needs_matrix", "key: self_assessment")
        .replace("link: needs_matrix", "link: self_assessment")
        .replace("key: gap_table", "key: gaps_found")
        .replace("link: gap_table", "link: gaps_found")
        .replace('version: "2024.1"', 'version: "2099.1"')
    )
    assert "needs_matrix" not in renamed.split("lists:")[1].replace("role: needs_matrix", "")
    monkeypatch.setattr(definition, "VERSIONS_DIR", tmp_path)
    try:
        (tmp_path / "tpi-2099.1.yaml").write_text(renamed, encoding="utf-8")
        definition.load.cache_clear()
        world.partnership.method_version = "2099.1"
        for key in ("needs", "priorities"):
            db.session.add(
                StageRun(partnership_id=world.partnership.id, stage_key=key, opened_early=True)
            )
        db.session.commit()
        client = login(world.participant)
        base = f"/partnerships/{world.partnership.id}"
        saved = client.post(
            base + "/answers",
            json={
                "question": "self_assessment",
                "base_version": 0,
                "value": [{"row": "ipc", "status": 0, "want_to_learn": "Surveillance"}],
            },
        )
        assert saved.status_code == 200, saved.get_json()
        found = _stage_insights(world.partnership, "needs")["needs_offers"]
        assert [a[0] for a in found.areas][:1] == ["Infection prevention and control"]
        en = {"Accept-Language": "en"}
        page = client.get(base + "/stages/priorities", headers=en).get_data(as_text=True)
        assert "1 row can be added to «Gaps between desired and current practice»" in page
        assert client.post(base + "/stages/priorities/prefill/gaps_found").status_code == 302
    finally:
        definition.load.cache_clear()
