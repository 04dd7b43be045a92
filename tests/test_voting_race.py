"""One person sending two dot-voting ballots at the same moment (two tabs, a double tap, a
retried request): one ballot is kept whole, the dots never exceed the budget (ASVS 2.3.4)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World
from tests.test_review import client_for
from tests.test_voting import EN, _ballot, _setup
from workshop.extensions import db
from workshop.groupwork.voting import services
from workshop.groupwork.voting.queries import Candidate
from workshop.models import Account, Vote

BUDGET = 3
CANDIDATES = [Candidate("row-a", "Hand hygiene"), Candidate("row-b", "Trauma team")]
# How long the first ballot keeps its transaction open after writing. Without a lock the second
# ballot finishes within it (milliseconds); with the lock it waits until the first commits.
HOLD_SECONDS = 2.0


def _stored(partnership_id: int, voter_id: int) -> dict[str, int]:
    db.session.rollback()  # a fresh look at what the threads committed
    return dict(
        db.session.execute(
            sa.select(Vote.candidate, Vote.dots).where(
                Vote.partnership_id == partnership_id, Vote.voter_id == voter_id
            )
        ).all()
    )


def _run(*targets: Callable[[], None]) -> None:
    """Run each target in its own thread; re-raise the first failure of any."""
    failures: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(t,), daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a ballot never finished"
    if failures:
        raise failures[0]


def test_a_second_ballot_waits_for_the_first_and_replaces_it_whole(
    app: Flask, world: World
) -> None:
    """The first ballot has written its dots but not committed when the second comes in: the
    second must wait for it, then replace it, not add its dots beside it."""
    partnership_id, voter_id = world.partnership.id, world.participant.id
    db.session.commit()
    first_wrote, second_done = threading.Event(), threading.Event()

    def cast(dots: dict[str, int]) -> None:
        voter = db.session.get(Account, voter_id)
        assert voter is not None
        services.cast(
            partnership_id=partnership_id,
            cycle=1,
            stage_key="priorities",
            candidates=CANDIDATES,
            budget=BUDGET,
            ballot=[(candidate, str(count)) for candidate, count in dots.items()],
            voter=voter,
        )

    def first() -> None:
        with app.app_context():
            cast({"row-a": 3})
            db.session.flush()  # the old dots deleted and the new ones written, uncommitted
            first_wrote.set()
            second_done.wait(timeout=HOLD_SECONDS)
            db.session.commit()

    def second() -> None:
        with app.app_context():
            assert first_wrote.wait(timeout=10)
            cast({"row-b": 3})
            db.session.commit()
            second_done.set()

    _run(first, second)

    stored = _stored(partnership_id, voter_id)
    assert sum(stored.values()) <= BUDGET, stored
    assert stored == {"row-b": 3}  # the later ballot, whole, and nothing of the earlier


# Six tabs, each with a whole ballot of 3 dots; together they hold 18, on overlapping candidates.
TABS = (
    {"Hand hygiene": "3"},
    {"Trauma team": "3"},
    {"ECMO": "3"},
    {"Hand hygiene": "1", "Trauma team": "1", "ECMO": "1"},
    {"Hand hygiene": "2", "Trauma team": "1"},
    {"Trauma team": "2", "ECMO": "1"},
)


def test_ballots_sent_at_once_from_many_tabs_keep_exactly_one(app: Flask, world: World) -> None:
    ua, _partner, _facilitator, url = _setup(app, world)
    ids = _ballot(ua, url)
    tabs: list[FlaskClient] = [client_for(app, world.participant) for _ in TABS]
    partnership_id, voter_id = world.partnership.id, world.participant.id
    db.session.commit()
    start = threading.Barrier(len(TABS))
    statuses: list[int] = []

    def send(client: FlaskClient, dots: dict[str, str]) -> Callable[[], None]:
        def post() -> None:
            with app.app_context():
                start.wait(timeout=10)
                response = client.post(
                    url + "/votes",
                    headers=EN,
                    data={"candidate": [ids[name] for name in dots], "dots": list(dots.values())},
                )
                statuses.append(response.status_code)

        return post

    _run(*(send(client, dots) for client, dots in zip(tabs, TABS, strict=True)))

    assert statuses == [302] * len(TABS)
    stored = _stored(partnership_id, voter_id)
    assert sum(stored.values()) <= BUDGET, stored
    ballots = [{ids[name]: int(count) for name, count in dots.items()} for dots in TABS]
    assert stored in ballots, stored
