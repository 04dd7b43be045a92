"""A job's progress page and download, starting it again, and the seminar's "download all"."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from workshop.auth.sessions import acting_account
from workshop.documents import bulk
from workshop.extensions import db
from workshop.jobs import commands, queries, services
from workshop.models import Account, Job, Seminar
from workshop.permissions import can_manage_seminar, can_see_job

bp = Blueprint("jobs", __name__)
bp.cli.add_command(commands.run_queued)


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits signed-in people only
    return actor


def _job(token: str) -> Job:
    job = queries.by_token(token)
    if job is None or not can_see_job(_actor(), job):
        abort(404)  # somebody else's job is not confirmed to exist
    return job


@bp.get("/jobs/<token>")
def progress(token: str) -> str:
    job = _job(token)
    return render_template("jobs/progress.html", job=job, page=queries.page(job, _actor()))


@bp.get("/jobs/<token>/result")
def result(token: str) -> Response:
    job = _job(token)
    download = queries.result(job)
    if download is None:
        abort(404)  # not made yet, or it failed: the job's page says which
    services.downloaded(job, download.name, actor=_actor())
    db.session.commit()
    return send_file(
        BytesIO(download.data),
        mimetype=download.mimetype,
        as_attachment=True,
        download_name=download.name,
    )


@bp.post("/jobs/<token>/restart")
def restart(token: str) -> Response:
    job = _job(token)
    try:
        if services.restart(job):
            db.session.commit()
    except StaleDataError:
        db.session.rollback()  # its worker wrote meanwhile: it is alive, the page shows it
    return redirect(url_for("jobs.progress", token=token), 303)


@bp.post("/seminars/<int:seminar_id>/documents")
def seminar_documents(seminar_id: int) -> Response:
    actor = _actor()
    seminar = db.get_or_404(Seminar, seminar_id)
    if not can_manage_seminar(actor, seminar):
        abort(404)  # another facilitator's seminar is not confirmed to exist
    if not seminar.partnerships:
        flash(_("No partnership takes part yet: there are no documents to download."), "info")
        back = url_for("seminars.detail", seminar_id=seminar.id, _anchor="pships-title")
        return redirect(back, 303)
    job = bulk.start_seminar_zip(seminar, actor=actor)
    db.session.commit()
    return redirect(url_for("jobs.progress", token=job.token), 303)
