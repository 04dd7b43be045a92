"""Each stage offers what the one before found: needs → gaps → candidates → objectives."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.factories import World
from workshop.extensions import db
from workshop.models import Account, Answer, StageRun

EN = {"Accept-Language": "en"}


def _open(world: World) -> None:
    for key in ("needs", "priorities", "action_plan"):
        db.session.add(
            StageRun(partnership_id=world.partnership.id, stage_key=key, opened_early=True)
        )
    db.session.commit()


def _value(world: World, key: str, side: str = "") -> object:
    db.session.expire_all()
    answer = db.session.scalar(
        sa.select(Answer).where(
            Answer.partnership_id == world.partnership.id,
            Answer.question_key == key,
            Answer.side == side,
        )
    )
    return answer.value if answer else None


def test_needs_become_gaps_become_candidates_and_priorities_become_objectives(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    _open(world)
    client = login(world.participant)
    base = f"/partnerships/{world.partnership.id}"
    client.post(
        base + "/answers",
        json={
            "question": "needs_matrix",
            "base_version": 0,
            "value": [
                {"row": "ipc", "status": "0", "want_to_learn": "Surveillance"},
                {"row": "oncology", "status": "3", "can_share": "Trials"},
            ],
        },
    )
    page = client.get(base + "/stages/priorities", headers=EN).get_data(as_text=True)
    assert "1 row can be added to «Gaps between desired and current practice»" in page
    assert client.post(base + "/stages/priorities/prefill/gap_table").status_code == 302
    gaps = _value(world, "gap_table")
    assert gaps == [{"area": "ipc", "current": "UA: 0/3 — Surveillance"}]
    again = client.get(base + "/stages/priorities", headers=EN).get_data(as_text=True)
    assert "can be added to «Gaps" not in again  # nothing proposed twice

    assert client.post(base + "/stages/priorities/prefill/candidate_scores").status_code == 302
    assert _value(world, "candidate_scores", "ua") == [
        {
            "candidate": "Профілактика інфекцій та інфекційний контроль / "
            "Infection prevention and control"
        }
    ]
    client.post(
        base + "/answers",
        json={
            "question": "priorities",
            "base_version": 0,
            "value": [{"priority": "Hand hygiene", "rationale": "Largest gap"}],
        },
    )
    assert client.post(base + "/stages/action_plan/prefill/objectives").status_code == 302
    assert _value(world, "objectives") == [{"priority": "Hand hygiene"}]


def test_a_table_without_a_rule_takes_no_suggestions(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    _open(world)
    client = login(world.participant)
    url = f"/partnerships/{world.partnership.id}/stages/agreement/prefill/signatories"
    assert client.post(url).status_code == 404
