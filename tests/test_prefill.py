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
    # Why it is proposed is shown beside it, in the reader's language, and never stored.
    assert "Ukrainian hospital: 0 of 3 — Surveillance" in page
    assert client.post(base + "/stages/priorities/prefill/gap_table").status_code == 302
    (gap,) = _value(world, "gap_table")
    assert gap == {"row": gap["row"], "area": "ipc"}
    again = client.get(base + "/stages/priorities", headers=EN).get_data(as_text=True)
    assert "can be added to «Gaps" not in again  # nothing proposed twice

    # Each proposed row names the row it came from, so the trace can follow it.
    prefill = base + "/stages/priorities/prefill/candidate_scores"
    assert client.post(prefill, headers={"Accept-Language": "uk"}).status_code == 302
    (candidate,) = _value(world, "candidate_scores", "ua")
    assert candidate["gap"] == gap["row"]
    # Named as the person who took it reads the area: no text in a language they did not use.
    assert candidate["candidate"] == "Профілактика інфекцій та інфекційний контроль"
    assert client.post(base + "/stages/priorities/prefill/priorities").status_code == 302
    (priority,) = _value(world, "priorities")
    assert priority["gap"] == gap["row"]
    assert priority["priority"] == candidate["candidate"]

    assert client.post(base + "/stages/action_plan/prefill/objectives").status_code == 302
    (objective,) = _value(world, "objectives")
    assert objective["priority"] == priority["row"]
    assert len({gap["row"], candidate["row"], priority["row"], objective["row"]}) == 4


def test_priorities_are_proposed_best_scored_first_up_to_the_tables_room(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    _open(world)
    client = login(world.participant)
    base = f"/partnerships/{world.partnership.id}"
    scores = [
        {"row": f"c{n}", "candidate": name, "impact": impact}
        for n, (name, impact) in enumerate(
            [("Low", 1), ("Top", 5), ("Mid", 3), ("Two", 4), ("X", 2)]
        )
    ]
    client.post(
        base + "/answers",
        json={"question": "candidate_scores", "base_version": 0, "value": scores},
    )
    client.post(
        base + "/answers",
        json={
            "question": "priorities",
            "base_version": 0,
            "value": [{"row": "p1", "priority": "top", "rationale": "typed by hand"}],
        },
    )
    assert client.post(base + "/stages/priorities/prefill/priorities").status_code == 302
    names = [row["priority"] for row in _value(world, "priorities")]
    # "Top" is there already (in other letters); 3 places are left of 4, best scores first.
    assert names == ["top", "Two", "Mid", "X"]


def test_a_table_without_a_rule_takes_no_suggestions(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    _open(world)
    client = login(world.participant)
    url = f"/partnerships/{world.partnership.id}/stages/agreement/prefill/signatories"
    assert client.post(url).status_code == 404
