"""Handing a stored job to a worker, after the transaction that stored it commits.

Two workers, one contract (``services.run(job_id)``):

* **RQ on Redis** when ``REDIS_URL`` is set: the queue ``workshop``, for ``rq worker --url
  $WORKSHOP_REDIS_URL workshop`` run with the app's environment (``WORKSHOP_*``, instance/).
  Any number of workers on any host; the job's row says who got it first.
* **The local worker** otherwise: one thread per process, made when the first job comes. A job
  it has not finished when the process stops stays queued or running in the database, shows
  as stalled, and can be started again from its page.

Only ids cross: a worker loads the job in its own session. A job is handed over only after its
row is committed (a worker must find it) and never when the transaction rolls back.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import redis
import sqlalchemy as sa
from flask import Flask, current_app
from rq import Queue
from sqlalchemy.orm import Session, SessionTransaction

from workshop.extensions import db

QUEUE_NAME = "workshop"
RUN = "workshop.jobs.services.run"  # by name: RQ imports it in the worker
# A seminar of sixty partnerships takes minutes; RQ's default (three) would kill it midway.
JOB_TIMEOUT = 60 * 60
_PENDING = "workshop.jobs.pending"  # in Session.info: (app, job id) to hand over on commit

# The local worker: the only state this package keeps in a process.
_local: ThreadPoolExecutor | None = None
_local_lock = threading.Lock()


def after_commit(job_id: int) -> None:
    """Hand job ``job_id`` to a worker once the current transaction commits."""
    session = db.session()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    session.info.setdefault(_PENDING, []).append((app, job_id))
    if not sa.event.contains(session, "after_commit", _hand_over):
        sa.event.listen(session, "after_commit", _hand_over)
        sa.event.listen(session, "after_soft_rollback", _forget)


def _hand_over(session: Session) -> None:
    for app, job_id in session.info.pop(_PENDING, []):
        try:
            dispatch(app, job_id)
        except Exception:  # committed already: the person's request must not fail now
            # The job stays queued, shows as stalled in a while, and can be started again.
            app.logger.exception("job %s could not be handed to a worker", job_id)


def _forget(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(_PENDING, None)


def dispatch(app: Flask, job_id: int) -> None:
    """Give a committed job to RQ, or to the local worker when there is no Redis (or it cannot
    be reached: the job is better done here than not at all)."""
    url = app.config.get("REDIS_URL")
    if url:
        try:
            enqueue(str(url), job_id)
            return
        except redis.RedisError:
            app.logger.exception("Redis cannot be reached; job %s runs in this process", job_id)
    if app.config.get("JOBS_IN_PROCESS", True):
        _local_worker().submit(_run_local, app, job_id)


def redis_connection(url: str) -> redis.Redis:
    # Short timeouts: a Redis that is down must not hold a person's request for long.
    return redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)


def rq_queue(connection: redis.Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=connection)


def enqueue(url: str, job_id: int) -> None:
    connection = redis_connection(url)
    try:
        rq_queue(connection).enqueue(
            RUN,
            job_id,
            job_timeout=JOB_TIMEOUT,
            result_ttl=0,  # the result is in the database, not in Redis
            failure_ttl=7 * 24 * 3600,
            description=f"workshop job {job_id}",
        )
    finally:
        connection.close()


def _local_worker() -> ThreadPoolExecutor:
    global _local  # one worker per process, made when the first job comes
    with _local_lock:
        if _local is None:
            _local = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workshop-job")
        return _local


def _run_local(app: Flask, job_id: int) -> None:
    from workshop.jobs.services import run_in  # services imports this module

    run_in(app, job_id)


def local_worker_idle(timeout: float) -> bool:
    """Wait until the local worker has done every job handed to it so far (True), or until
    ``timeout`` seconds passed (False)."""
    with _local_lock:
        worker = _local
    if worker is None:
        return True
    marker: Future[Any] = worker.submit(lambda: None)  # one thread: runs after all before it
    try:
        marker.result(timeout=timeout)
    except TimeoutError:
        return False
    return True
