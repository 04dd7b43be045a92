"""Starting background jobs, and running them: the same rules for every worker.

``start`` stores a job and, once the request's transaction commits, hands it to a worker
(workshop.jobs.queue): an RQ queue on Redis when ``REDIS_URL`` is set, else the local worker, a
thread of this process. The request returns at once either way; the person watches the job's
page. ``run`` is what a worker calls, RQ by its name ``workshop.jobs.services.run``.

The job's row is the truth, on SQLite and PostgreSQL alike:

* A worker claims a job by moving it from "queued" to "running". A second worker handed the
  same job (a message delivered twice, a job started again while its first message waited)
  finds it taken and does nothing.
* Every write to the row checks and bumps ``Job.revision``. A worker whose job was started
  again elsewhere (it looked dead, but was only slow) fails at its next write with
  ``StaleDataError`` and stops; the work it had not committed is rolled back.
* A handler reports progress by committing it (``report``), so any process's page shows it.
  A job that has not moved for ``STALLED_AFTER`` has lost its worker (a deploy, a crash, a
  Redis that was down) and may be started again (``restart``), and so may a failed one.
* A handler that raises fails its job with a message the person can read: a ``UserError``'s
  own, else a general one, the error itself going to the log.
"""

from __future__ import annotations

import importlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from workshop import audit
from workshop.extensions import db
from workshop.i18n import current_lang
from workshop.jobs import queue
from workshop.models import Account, Job, utcnow
from workshop.usererror import UserError

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
UNFINISHED = (QUEUED, RUNNING)
# A handler reports after each part (a partnership's files take seconds): this long without a
# sign of life means nobody is doing the job any more.
STALLED_AFTER = timedelta(minutes=10)

Handler = Callable[[Job, int], None]
M = TypeVar("M")
# Kind → "module:function", imported when a job of that kind runs: a worker process finds its
# handler without any view having been imported. ``handler(job, actor_id)`` does the work in
# the job's own session, calls ``report`` as it goes, and leaves ``job.result`` (bytes, with
# ``job.result_name``) or ``job.result_file_id`` for the download.
HANDLERS: dict[str, str] = {
    "seminar_zip": "workshop.documents.bulk:seminar_zip",
    "render_file": "workshop.documents.bulk:render_file",
}


class JobError(UserError):
    """A job that cannot be done, said in words its starter can act on."""


def start(kind: str, params: dict[str, Any], *, actor: Account) -> Job:
    """Store a job of ``kind`` for ``actor``, handed to a worker once the transaction commits.

    The same job by the same person still under way (a second click) is returned instead of a
    second one. Flushes; the caller commits.
    """
    if kind not in HANDLERS:
        raise ValueError(f"no handler for jobs of kind {kind!r}")
    under_way = _same_job_under_way(kind, params, actor)
    if under_way is not None:
        return under_way
    job = Job(
        token=secrets.token_urlsafe(32),
        kind=kind,
        params=dict(params),
        locale=current_lang(),
        state=QUEUED,
        created_by_id=actor.id,
        touched_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    queue.after_commit(job.id)
    return job


def _same_job_under_way(kind: str, params: dict[str, Any], actor: Account) -> Job | None:
    unfinished = db.session.scalars(
        sa.select(Job)
        .where(Job.created_by_id == actor.id, Job.kind == kind, Job.state.in_(UNFINISHED))
        .order_by(Job.id.desc())
    )
    return next((j for j in unfinished if j.params == params and not stalled(j)), None)


def param_object(model: type[M], job: Job, key: str) -> M | None:
    """The object whose id the job's ``params[key]`` holds, if it still exists."""
    value = job.params.get(key)
    return db.session.get(model, value) if type(value) is int else None


def stalled(job: Job, now: datetime | None = None) -> bool:
    """Whether an unfinished job has had no sign of life from a worker for too long."""
    if job.state not in UNFINISHED:
        return False
    last = job.touched_at or job.created_at
    return last < (now or utcnow()) - STALLED_AFTER


def restartable(job: Job) -> bool:
    return job.state == FAILED or stalled(job)


def restart(job: Job) -> bool:
    """Queue a failed or stalled job again from the start; False, changing nothing, for any
    other (a second click finds it queued already). Flushes, raising ``StaleDataError`` when a
    worker wrote to the job meanwhile; the caller commits."""
    if not restartable(job):
        return False
    job.state = QUEUED
    job.done = job.total = 0
    job.failures = []
    job.result = None
    job.result_name = None
    job.result_file_id = None
    job.started_at = job.finished_at = None
    job.touched_at = utcnow()
    db.session.flush()
    queue.after_commit(job.id)
    return True


def report(
    job: Job,
    *,
    total: int | None = None,
    done: int | None = None,
    failure: tuple[str, str] | None = None,
) -> None:
    """Record a handler's progress (a part that failed: what, and why) and commit it, with
    whatever the handler stored so far, so the progress page in any process shows it.

    Raises ``StaleDataError`` when the job was started again elsewhere: let it through, the
    run stops there.
    """
    if total is not None:
        job.total = total
    if done is not None:
        job.done = done
    if failure is not None:
        what, why = failure
        job.failures = [*job.failures, {"what": what, "why": why}]  # a new list: JSON is compared
    job.touched_at = utcnow()
    db.session.commit()


# -- Running ------------------------------------------------------------------------------------


def run(job_id: int) -> None:
    """Do job ``job_id``: what RQ calls, by name, and the local worker too.

    Uses the current app when there is one (the local worker, a test, ``flask jobs
    run-queued``), else builds one from the environment and instance/ as the ``flask`` command
    does (``rq worker``). The work happens in an app context of its own, so in a database
    session and connection of its own.
    """
    if has_app_context():
        run_in(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]
        return
    from workshop import create_app  # here: importing the factory imports every view

    app = create_app()
    try:
        run_in(app, job_id)
    finally:
        with app.app_context():
            db.engine.dispose()  # an RQ work horse exits after one job: leave nothing open


def run_in(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            _work(job_id)
        except Exception:  # the worker thread must survive anything a job does
            db.session.rollback()
            app.logger.exception("job %s could not be run", job_id)


def _work(job_id: int) -> None:
    job = _claim(job_id)
    if job is None:
        return
    started_at, kind = job.started_at, job.kind
    with force_locale(job.locale):
        try:
            if job.created_by_id is None:
                raise JobError(_("The account that started this no longer exists."))
            _handler(kind)(job, job.created_by_id)
            job.state = DONE
            job.finished_at = job.touched_at = utcnow()
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            current_app.logger.info("job %s was started again elsewhere; this run stops", job_id)
        except UserError as error:
            _fail(job_id, started_at, str(error.message))
        except Exception:
            current_app.logger.exception("job %s (%s) failed", job_id, kind)
            _fail(
                job_id,
                started_at,
                _("Something went wrong on our side. Try again; if it fails again, tell us."),
            )


def _claim(job_id: int) -> Job | None:
    """The job, moved from queued to running by this worker; None if it is not queued (taken
    by another worker, finished, gone) or another worker claimed it first."""
    job = db.session.get(Job, job_id)
    if job is None or job.state != QUEUED:
        db.session.rollback()
        return None
    job.state = RUNNING
    job.done = 0
    job.failures = []
    job.started_at = job.touched_at = utcnow()
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return None
    return job


def _fail(job_id: int, started_at: datetime | None, why: str) -> None:
    """Mark the job failed, unless it was started again since this run claimed it."""
    db.session.rollback()
    job = db.session.get(Job, job_id)
    if job is None or job.state != RUNNING or job.started_at != started_at:
        return
    job.state = FAILED
    job.failures = [*job.failures, {"what": "", "why": why}]
    job.finished_at = job.touched_at = utcnow()
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()


def _handler(kind: str) -> Handler:
    path = HANDLERS.get(kind)
    if path is None:
        raise JobError(_("This kind of work is no longer done here."))
    module, _colon, name = path.partition(":")
    handler: Handler = getattr(importlib.import_module(module), name)
    return handler


def downloaded(job: Job, name: str, *, actor: Account) -> None:
    """The audit trail keeps who took a job's file (a document, a seminar's ZIP)."""
    audit.record(
        "job_downloaded",
        actor=actor,
        obj=job,
        kind=job.kind,
        file=name,
        seminar_id=(job.params or {}).get("seminar_id"),
    )
