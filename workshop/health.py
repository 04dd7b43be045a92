"""Whether this worker can serve: what a load balancer asks before sending it people."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from workshop.extensions import db


def database_answers() -> bool:
    """True when the database answers a trivial query now (one round trip, no table read)."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        try:
            db.session.rollback()
        except sa.exc.SQLAlchemyError:
            db.session.remove()  # the connection is gone; the pool replaces it next time
        current_app.logger.warning("health check: the database does not answer (%s)", error)
        return False
    return True
