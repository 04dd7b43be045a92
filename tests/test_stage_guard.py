"""The autosave checks its stage's lock in the statement that stores it (review.queries.EDITABLE):
that SQL condition must say yes exactly when the workflow's rule (why_not_editable) does, and a
save whose stage locked after the page was loaded stores nothing, while a retry of a save that
was stored before is still acknowledged."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.factories import World, stored_answer
from tests.test_cycles import autosave, seated  # noqa: F401 - seated is a fixture
from workshop.auth.signed_in import Table
from workshop.extensions import db
from workshop.groupwork.answers import services
from workshop.groupwork.review.queries import EDITABLE, RunState, editable_params
from workshop.groupwork.review.workflow import previous, why_not_editable
from workshop.method.definition import load
from workshop.models import Partnership, StageRun, StageStatus

EN = {"Accept-Language": "en"}
WHEN = datetime(2026, 11, 25, tzinfo=UTC)

# Every state a run can be in, as far as the lock goes; None: the stage has no run yet.
RUN_STATES: list[RunState | None] = [
    None,
    *(
        RunState(status, early, WHEN if approved_once else None, closed)
        for status, early, approved_once, closed in itertools.product(
            [None, *StageStatus], [False, True], [False, True], [False, True]
        )
    ),
]


def _combinations() -> Iterator[tuple[RunState | None, RunState | None]]:
    """(the stage's run, the run of the stage before it): every pair."""
    return itertools.product(RUN_STATES, RUN_STATES)


def _store_runs(partnership: Partnership, stage: str, before: str) -> None:
    """Each combination in a cycle of its own, so one insert holds them all."""
    rows = []
    for cycle, (mine, earlier) in enumerate(_combinations(), start=1):
        for key, state in ((stage, mine), (before, earlier)):
            if state is not None:
                rows.append(
                    {
                        "partnership_id": partnership.id,
                        "cycle": cycle,
                        "stage_key": key,
                        "status": state.status,
                        "opened_early": state.opened_early,
                        "first_approved_at": state.first_approved_at,
                        "closed_for_room": state.closed_for_room,
                        "updated_at": WHEN,
                    }
                )
    db.session.execute(sa.insert(StageRun), rows)
    db.session.commit()


@pytest.mark.parametrize("closed", [False, True], ids=["cycle open", "cycle closed"])
@pytest.mark.parametrize("stage_key", ["agreement", "needs"], ids=["first stage", "later stage"])
def test_the_save_statements_lock_check_agrees_with_the_workflow_for_every_state(
    world: World, stage_key: str, closed: bool
) -> None:
    partnership = world.partnership
    method = load(partnership.method_version)
    stage = method.stage(stage_key)
    before = previous(method, stage)
    # The first stage has no stage before it: its runs of "before" are another stage's, which
    # neither rule may look at.
    before_key = before.key if before else "needs"
    _store_runs(partnership, stage.key, before_key)
    partnership.cycle_closed = closed
    db.session.commit()
    check = sa.select(sa.literal(1)).where(EDITABLE)
    disagreements = []
    for cycle, (mine, earlier) in enumerate(_combinations(), start=1):
        by_key = {k: s for k, s in ((stage.key, mine), (before_key, earlier)) if s is not None}
        table = Table(partnership.id, cycle, closed, partnership.method_version)
        workflow_says = why_not_editable(method, stage, by_key, table) is None
        params = {"p_id": partnership.id, "p_cycle": cycle}
        params |= editable_params(stage.key, before and before.key)
        sql_says = db.session.execute(check, params).first() is not None
        if workflow_says != sql_says:
            disagreements.append((mine, earlier, workflow_says, sql_says))
    assert not disagreements, f"{len(disagreements)} states disagree, e.g. {disagreements[:3]}"


def _guard(key: str, before: str | None, why: Callable[[], str | None]) -> services.Guard:
    return services.Guard(key, before, why)


def test_a_guarded_save_into_a_stage_approved_after_the_check_stores_nothing(
    world: World,
) -> None:
    """The approval lands between whatever the page or view read and the write: the write
    itself refuses, and the reason comes from the workflow."""
    run = StageRun(
        partnership_id=world.partnership.id,
        stage_key="agreement",
        status=StageStatus.APPROVED,
        first_approved_at=WHEN,
    )
    db.session.add(run)
    db.session.commit()
    for base_version in (0, 1):  # the first save of an answer, and a later one
        with pytest.raises(services.Locked) as refused:
            services.save_answer(
                partnership_id=world.partnership.id,
                cycle=world.partnership.cycle,
                key="shared_vision_en",
                side="",
                value="Olena Kovalenko",
                base_version=base_version,
                actor=world.participant,
                guard=_guard("agreement", None, lambda: "approved and locked"),
            )
        assert refused.value.reason == "approved and locked"
        db.session.rollback()
        assert stored_answer(world.partnership, "shared_vision_en") is None


def test_a_locked_stage_refuses_a_new_save_but_acknowledges_a_retry_of_a_stored_one(
    world: World,
    seated: FlaskClient,  # noqa: F811 - the fixture imported above
) -> None:
    key = "0123456789abcdef"
    status, body = autosave(
        seated, world, question="shared_vision_en", value="Olena", base_version=0, key=key
    )
    assert (status, body.get("version")) == (200, 1)
    db.session.add(
        StageRun(
            partnership_id=world.partnership.id,
            stage_key="agreement",
            status=StageStatus.APPROVED,
            first_approved_at=WHEN,
        )
    )
    db.session.commit()
    # The page never heard the answer (the connection dropped) and sends the same save again.
    status, body = autosave(
        seated, world, question="shared_vision_en", value="Olena", base_version=0, key=key
    )
    assert (status, body.get("version")) == (200, 1)
    # Something new typed after the approval is refused, with the workflow's reason.
    status, body = autosave(
        seated,
        world,
        question="shared_vision_en",
        value="Olena and Anna",
        base_version=1,
        key="f" * 16,
    )
    assert status == 423
    assert "approved" in body["error"]
    answer = stored_answer(world.partnership, "shared_vision_en")
    assert answer is not None and (answer.version, answer.value) == (1, "Olena")
