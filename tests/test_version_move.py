"""Moving a real partnership from method 2024.1 to 2024.2 in the database loses no answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import seed_demo_table
from workshop.extensions import db
from workshop.method.definition import load
from workshop.models import Account, Answer, AnswerRevision, Membership, Partnership, Role
from workshop.partnerships.versions import MoveRefused, move_to

EN = {"Accept-Language": "en"}


@pytest.fixture
def demo_table(app: Flask) -> Partnership:
    return seed_demo_table("2024.1")  # the answered pair before the demo moves it


def _admin() -> Account:
    admin = db.session.scalar(sa.select(Account).where(Account.role == Role.ADMIN))
    assert admin is not None
    return admin


def _leaves(value: Any) -> Iterator[str]:
    """Every word-bearing value in an answer: texts, numbers, dates, choice and row ids."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif value is not None and value != "":
        yield str(value)


def _answers(partnership: Partnership) -> dict[tuple[str, str], Any]:
    db.session.expire_all()
    return {
        (a.question_key, a.side): a.value
        for a in db.session.scalars(
            sa.select(Answer).where(Answer.partnership_id == partnership.id)
        )
    }


def test_every_word_survives_the_move_and_the_pages_work(
    demo_table: Partnership, login: Callable[[Account], FlaskClient]
) -> None:
    new = load("2024.2")
    before = _answers(demo_table)
    assert before, "the demo table has answers to move"
    revisions_before = db.session.scalar(sa.select(sa.func.count(AnswerRevision.id)))

    result = move_to(demo_table, "2024.2", actor=_admin())
    db.session.commit()

    assert demo_table.method_version == "2024.2" and result.changed > 0
    after = _answers(demo_table)
    # What the new method shows: answers to its questions only.
    shown = {k: v for k, v in after.items() if new.question(k[0]) is not None}
    kept = " \n ".join(leaf for value in shown.values() for leaf in _leaves(value))
    lost = [
        (key, leaf) for key, value in before.items() for leaf in _leaves(value) if leaf not in kept
    ]
    assert lost == []
    # Each changed answer is a new revision: History shows the move and can undo it.
    revisions_after = db.session.scalar(sa.select(sa.func.count(AnswerRevision.id)))
    assert revisions_after == revisions_before + result.changed
    # Links between rows still hold: every objective names a priority that exists.
    priorities = {row["row"] for row in after[("priorities", "")]}
    assert {row["priority"] for row in after[("objectives", "")]} <= priorities

    member = db.session.scalar(
        sa.select(Account)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.partnership_id == demo_table.id)
    )
    client = login(member)
    for stage in new.stages:
        page = client.get(f"/partnerships/{demo_table.id}/stages/{stage.key}", headers=EN)
        assert page.status_code == 200, stage.key
    trace = client.get(f"/partnerships/{demo_table.id}/trace", headers=EN)
    assert trace.status_code == 200


def test_a_dry_run_changes_nothing_and_the_cli_reports(app: Flask, demo_table: Partnership) -> None:
    before = _answers(demo_table)
    runner = app.test_cli_runner()
    email = _admin().email
    dry = runner.invoke(
        args=["workshop", "move-method", str(demo_table.id), "2024.2", "--by", email, "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert "Dry run" in dry.output and "resources_pledged" in dry.output
    assert _answers(demo_table) == before
    assert demo_table.method_version == "2024.1"

    done = runner.invoke(
        args=["workshop", "move-method", str(demo_table.id), "2024.2", "--by", email]
    )
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert db.session.get(Partnership, demo_table.id).method_version == "2024.2"

    again = runner.invoke(
        args=["workshop", "move-method", str(demo_table.id), "2024.2", "--by", email]
    )
    assert again.exit_code != 0 and "already" in again.output


def test_moves_that_cannot_happen_are_refused(demo_table: Partnership) -> None:
    for version in ("2024.1", "1999.9", "../../etc/passwd"):
        with pytest.raises(MoveRefused):
            move_to(demo_table, version, actor=_admin())
    assert demo_table.method_version == "2024.1"
