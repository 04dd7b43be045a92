"""A rollback after a savepoint undoes the whole transaction, on SQLite as on PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from tests import factories
from workshop.extensions import db
from workshop.models import Institution


def test_a_rollback_after_a_released_savepoint_undoes_everything(app: Flask) -> None:
    # As an answer save does: a savepoint first in the transaction, released, then a refusal
    # rolls back. On SQLite's default driver settings the release had committed already.
    with db.session.begin_nested():
        factories.make_institution(name_en="Kept only until the rollback")
    db.session.rollback()
    names = db.session.scalars(sa.select(Institution.name_en)).all()
    assert "Kept only until the rollback" not in names


def test_committed_work_stays(app: Flask) -> None:
    with db.session.begin_nested():
        factories.make_institution(name_en="Committed")
    db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Institution)) == 1
