"""Many people saving one answer at the same moment: no lost update, ever."""

from __future__ import annotations

import random
import threading

import sqlalchemy as sa
from flask import Flask

from tests.factories import World
from workshop.extensions import db
from workshop.groupwork.answers import services
from workshop.models import Account, Answer, AnswerRevision

THREADS = 20
SAVES_PER_THREAD = 10


def test_twenty_writers_with_fresh_and_stale_versions_lose_nothing(
    app: Flask, world: World
) -> None:
    partnership_id, actor_id = world.partnership.id, world.participant.id
    services.save_answer(
        partnership_id=partnership_id,
        cycle=1,
        key="assessment_team",
        side="",
        value="start",
        base_version=0,
        actor=world.participant,
    )
    db.session.commit()
    initial = 1
    accepted: list[int] = []
    refused: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def writer(number: int) -> None:
        try:
            write(number)
        except BaseException as error:
            with lock:
                failures.append(error)

    def write(number: int) -> None:
        rng = random.Random(number)  # noqa: S311 - picks test versions, not secrets
        with app.app_context():
            actor = db.session.get(Account, actor_id)
            assert actor is not None
            db.session.expunge(actor)
            # Give the connection back: the pool holds fewer connections than there are writers.
            db.session.rollback()
            start.wait(timeout=30)
            for attempt in range(SAVES_PER_THREAD):
                current = db.session.scalar(
                    sa.select(Answer.version).where(Answer.question_key == "assessment_team")
                )
                db.session.rollback()  # end the read; the save must judge versions itself
                base = current if rng.random() < 0.6 else max(1, current - rng.randint(1, 3))
                try:
                    services.save_answer(
                        partnership_id=partnership_id,
                        cycle=1,
                        key="assessment_team",
                        side="",
                        value=f"writer {number} attempt {attempt}",
                        base_version=base,
                        actor=actor,
                    )
                    db.session.commit()
                    with lock:
                        accepted.append(base)
                except services.Conflict:
                    db.session.rollback()
                    with lock:
                        refused.append(base)
                except BaseException as error:
                    db.session.rollback()
                    with lock:
                        failures.append(error)
            db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert len(accepted) + len(refused) == THREADS * SAVES_PER_THREAD
    db.session.expire_all()
    final = db.session.scalar(sa.select(Answer).where(Answer.question_key == "assessment_team"))
    assert final is not None
    assert len(accepted) == final.version - initial
    assert len(refused) > 0
    versions = db.session.scalars(
        sa.select(AnswerRevision.version).order_by(AnswerRevision.version)
    )
    assert list(versions) == list(range(1, final.version + 1))  # no gap, no duplicate
    last = db.session.scalar(
        sa.select(AnswerRevision.value).where(AnswerRevision.version == final.version)
    )
    assert final.value == last
