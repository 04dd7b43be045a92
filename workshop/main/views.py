"""The front door: a join box for participants, everybody else's starting page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from workshop.auth.forms import JoinCodeForm
from workshop.auth.sessions import acting_account
from workshop.health import database_answers
from workshop.models import Role

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str | Response:
    actor = acting_account()
    if actor is None:
        return render_template("main/index.html", form=JoinCodeForm())
    if actor.role is Role.PARTICIPANT:
        return redirect(url_for("partnerships.index"))
    if actor.role is Role.HEAD:  # a head comes for the documents and the recommendations
        return redirect(url_for("documents.portal"))
    return redirect(url_for("seminars.index"))


@bp.get("/healthz")
def health() -> tuple[dict[str, str], int]:
    """For load balancers and the load test: 200 while this worker reaches the database, 503
    (take it out of rotation) while it does not. Anonymous, no cookie, one query."""
    if database_answers():
        return {"status": "ok"}, 200
    return {"status": "unavailable"}, 503
