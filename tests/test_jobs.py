"""Background jobs: handed over after the commit, done by the local worker or by RQ on a real
Redis, watched on a page that works without JavaScript, failures named, a stalled job started
again, a job claimed once, and nobody but its starter (and admins) ever learning it exists."""

from __future__ import annotations

import io
import socket
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask, current_app
from flask.testing import FlaskClient
from rq import SimpleWorker

from tests.factories import World, make_institution, make_partnership, make_seminar
from workshop.documents import bulk
from workshop.documents import services as document_services
from workshop.documents.pdf import RenderError
from workshop.extensions import db
from workshop.jobs import queue, services
from workshop.models import (
    Account,
    DocumentFile,
    DocumentVersion,
    Job,
    Partnership,
    Seminar,
    utcnow,
)
from workshop.usererror import UserError

EN = {"Accept-Language": "en"}
WAIT = 30  # seconds: far above what any job here takes, so only a hang reaches it


# -- Handlers the tests register -----------------------------------------------------------------

calls: list[int] = []
release = threading.Event()


def count_to_three(job: Job, actor_id: int) -> None:
    calls.append(job.id)
    services.report(job, total=3)
    for n in (1, 2, 3):
        services.report(job, done=n)
    job.result = _zip({"count.txt": b"1 2 3"})
    job.result_name = "count.zip"


def waits_for_the_test(job: Job, actor_id: int) -> None:
    services.report(job, total=1)
    assert release.wait(WAIT), "the test never let the job go on"
    job.result = _zip({"done.txt": b"done"})
    job.result_name = "done.zip"
    job.done = 1


def refuses(job: Job, actor_id: int) -> None:
    raise UserError("The seminar has no partnerships left.")


def crashes(job: Job, actor_id: int) -> None:
    raise RuntimeError("a bug")


def restarted_midway(job: Job, actor_id: int) -> None:
    """Somebody starts the job again (it looked stalled) while this run is still at it."""
    services.report(job, total=2, done=1)
    with current_app.app_context():  # another process, as far as the database can tell
        other = db.session.get(Job, job.id)
        assert other is not None
        other.touched_at = utcnow() - services.STALLED_AFTER * 2
        db.session.commit()
        assert services.restart(other)
        db.session.commit()
    services.report(job, done=2)  # finds the row changed: this run must stop here
    raise AssertionError("a run whose job was started again went on")


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("count_to_three", "waits_for_the_test", "refuses", "crashes", "restarted_midway"):
        monkeypatch.setitem(services.HANDLERS, name, f"tests.test_jobs:{name}")
    calls.clear()
    release.clear()


@pytest.fixture
def local_worker(app: Flask) -> Iterator[None]:
    """The local worker on, as without Redis in production; idle again before the app goes."""
    app.config["JOBS_IN_PROCESS"] = True
    yield
    release.set()
    assert queue.local_worker_idle(WAIT), "the local worker did not finish"


@pytest.fixture
def rq_connection(app: Flask, redis_url: str) -> Iterator[redis.Redis]:
    """REDIS_URL set, on the run's throw-away Redis, emptied before and after the test."""
    app.config["REDIS_URL"] = redis_url
    connection = redis.Redis.from_url(redis_url)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


def _wait_for(job_id: int, states: tuple[str, ...] = ("done", "failed")) -> Job:
    """Poll the database, as another process's page would, until the job is in ``states``."""
    deadline = time.monotonic() + WAIT
    while True:
        db.session.rollback()  # a fresh read, and no transaction held while the worker writes
        job = db.session.get(Job, job_id)
        assert job is not None
        if job.state in states:
            return job
        assert time.monotonic() < deadline, f"job still {job.state} after {WAIT} s"
        time.sleep(0.05)


def _job(token_or_response: Any) -> Job:
    token = getattr(token_or_response, "headers", {}).get("Location", str(token_or_response))
    job = db.session.scalar(sa.select(Job).where(Job.token == token.rsplit("/", 1)[-1]))
    assert job is not None
    return job


def _started(job_kind: str, actor: Account, /, **params: Any) -> Job:
    """A job as ``start`` stores it from a request in English, committed."""
    job = services.start(job_kind, params, actor=actor)
    job.locale = "en"
    db.session.commit()
    return job


# -- Stand-ins for the document renderers: fast, and told which partnership to fail --------------


class FakeDocuments:
    """What the seminar ZIP asked the document services for, and the failures to give."""

    def __init__(self) -> None:
        self.fail: dict[int, Exception] = {}
        self.made: list[tuple[int, str, str, str]] = []

    def current_version(self, partnership: Partnership, *, actor: Account | None) -> Any:
        return SimpleNamespace(partnership_id=partnership.id, number=1)

    def file_for(self, version: Any, kind: str, fmt: str, lang: str, *, actor: Any) -> Any:
        if version.partnership_id in self.fail:
            raise self.fail[version.partnership_id]
        self.made.append((version.partnership_id, kind, fmt, lang))
        data = f"{kind} {fmt} {lang} {version.partnership_id}".encode()
        return SimpleNamespace(kind=kind, fmt=fmt, language=lang, data=data)

    @staticmethod
    def download_name(file: Any) -> str:
        return f"{file.kind}_{file.language}.{file.fmt}"


@pytest.fixture
def documents(monkeypatch: pytest.MonkeyPatch) -> FakeDocuments:
    fake = FakeDocuments()
    for name in ("current_version", "file_for", "download_name"):
        monkeypatch.setattr(bulk.services, name, getattr(fake, name))
    return fake


def _seminar_of_three(world: World) -> tuple[Seminar, list[Partnership]]:
    seminar = make_seminar(facilitators=[world.facilitator])
    pairs = [
        make_partnership(
            ua=make_institution(country="UA", name_en=ua, name_uk=f"Лікарня {ua}"),
            partner=make_institution(country="SE", name_en=partner),
            seminar=seminar,
        )
        for ua, partner in [
            ("Okhmatdyt", "Karolinska"),
            ("Lviv First Medical Union", "Charité"),
            ("Kharkiv Regional", "Rigshospitalet"),
        ]
    ]
    db.session.commit()
    return seminar, pairs


# -- Handing over: after the commit, never before, never after a rollback ----------------------


def test_a_job_is_handed_to_the_worker_only_once_its_row_is_committed(
    world: World, local_worker: None
) -> None:
    job = services.start("count_to_three", {}, actor=world.facilitator)
    job_id = job.id
    assert queue.local_worker_idle(WAIT)
    assert calls == []  # not before the commit: a worker would not find the row
    db.session.rollback()
    assert queue.local_worker_idle(WAIT)
    assert calls == []  # nor after a rollback: there is nothing to do
    assert db.session.get(Job, job_id) is None

    committed = _started("count_to_three", world.facilitator)
    done = _wait_for(committed.id)
    assert calls == [committed.id]
    assert (done.state, done.done, done.total, done.failures) == ("done", 3, 3, [])


def test_the_request_returns_while_the_local_worker_is_still_at_it(
    world: World,
    login: Callable[[Account], FlaskClient],
    local_worker: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(services.HANDLERS, "seminar_zip", "tests.test_jobs:waits_for_the_test")
    client = login(world.facilitator)
    response = client.post(f"/seminars/{world.seminar.id}/documents", headers=EN)
    assert response.status_code == 303  # while the job waits for the test: nothing blocked
    job = _wait_for(_job(response).id, ("running",))
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Working on it." in page
    assert "Check again" in page and "/result" not in page

    release.set()
    assert _wait_for(job.id).state == "done"
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Ready to download." in page and "Check again" not in page
    download = client.get(response.headers["Location"] + "/result")
    assert download.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(download.data)).read("done.txt") == b"done"


# -- RQ on a real Redis ----------------------------------------------------------------------------


def test_with_redis_the_job_goes_to_rq_and_an_rq_worker_does_it(
    world: World,
    login: Callable[[Account], FlaskClient],
    rq_connection: redis.Redis,
    documents: FakeDocuments,
) -> None:
    client = login(world.facilitator)
    response = client.post(f"/seminars/{world.seminar.id}/documents", headers=EN)
    assert response.status_code == 303
    job = _job(response)
    rq = queue.rq_queue(rq_connection)
    assert rq.count == 1 and job.state == "queued"  # waiting in Redis: nothing ran here

    worker = SimpleWorker([rq], connection=rq_connection)
    assert worker.work(burst=True)  # in this process and app context, as `rq worker` would
    assert rq.count == 0
    done = _wait_for(job.id)
    assert (done.state, done.done, done.total, done.failures) == ("done", 1, 1, [])

    download = client.get(response.headers["Location"] + "/result")
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    name = f"{bulk.slug(world.seminar.title_en, 'x')}-{world.seminar.id}-documents.zip"
    assert download.headers["Content-Disposition"] == f"attachment; filename={name}"
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    folder = bulk.folder_name(world.partnership)
    assert sorted(names) == sorted(
        f"{folder}/{kind}_{lang}.{fmt}" for kind, fmt, lang in bulk.PARTS
    )


def test_a_job_rq_hands_over_twice_is_done_once(
    app: Flask, world: World, rq_connection: redis.Redis
) -> None:
    job = _started("count_to_three", world.facilitator)
    queue.enqueue(app.config["REDIS_URL"], job.id)  # delivered a second time
    rq = queue.rq_queue(rq_connection)
    assert rq.count == 2
    SimpleWorker([rq], connection=rq_connection).work(burst=True)
    assert calls == [job.id]
    assert _wait_for(job.id).state == "done"


def test_when_redis_cannot_be_reached_the_job_runs_here_rather_than_never(
    app: Flask, world: World, local_worker: None
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        app.config["REDIS_URL"] = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
    job = _started("count_to_three", world.facilitator)  # no error for the person
    assert _wait_for(job.id).state == "done"


# -- The real documents, end to end -------------------------------------------------------------


def test_the_zip_holds_each_partnerships_real_documents_made_once(
    world: World, login: Callable[[Account], FlaskClient], local_worker: None
) -> None:
    client = login(world.facilitator)
    response = client.post(f"/seminars/{world.seminar.id}/documents", headers=EN)
    assert _wait_for(_job(response).id).failures == []
    download = client.get(response.headers["Location"] + "/result")
    archive = zipfile.ZipFile(io.BytesIO(download.data))

    stored = db.session.scalars(sa.select(DocumentFile).order_by(DocumentFile.id)).all()
    assert [(f.kind, f.fmt, f.language) for f in stored] == list(bulk.PARTS)
    folder = bulk.folder_name(world.partnership)
    assert archive.namelist() == [f"{folder}/{document_services.download_name(f)}" for f in stored]
    for file in stored:  # the stored bytes, byte for byte: a re-download serves the same
        assert archive.read(f"{folder}/{document_services.download_name(file)}") == file.data
    assert stored[0].data.startswith(b"%PDF") and stored[2].data.startswith(b"PK")

    # Nothing changed since: the next ZIP reuses the version and its files.
    again = client.post(f"/seminars/{world.seminar.id}/documents", headers=EN)
    assert again.headers["Location"] != response.headers["Location"]
    assert _wait_for(_job(again).id).state == "done"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentVersion)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentFile)) == 4


# -- The progress page, without JavaScript ---------------------------------------------------------


def _page(client: FlaskClient, job: Job) -> str:
    response = client.get(f"/jobs/{job.token}", headers=EN)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_progress_page_shows_how_far_a_job_got_and_works_without_a_script(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    job = _started("seminar_zip", world.facilitator, seminar_id=world.seminar.id)
    client = login(world.facilitator)
    page = _page(client, job)
    assert "Waiting to start." in page
    assert '<progress id="job-progress" max="1">' in page  # no value: not known yet

    job.state, job.total, job.done, job.touched_at = "running", 12, 3, utcnow()
    db.session.commit()
    page = _page(client, job)
    assert "Working on it." in page
    assert '<progress id="job-progress" max="12" value="3">3 of 12</progress>' in page
    assert '<label for="job-progress">' in page and "<span>3 of 12</span>" in page
    # Without a script the page reloads itself; a browser running scripts never sees the reload
    # (axe: meta-refresh, WCAG 2.2.1) and updates the page in place instead.
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert f'href="/jobs/{job.token}">Check again</a>' in page
    assert "js/jobs.js" in page
    assert f'href="/seminars/{world.seminar.id}">Back to the seminar</a>' in page
    assert client.get(f"/jobs/{job.token}/result").status_code == 404  # not before it is done

    job.state, job.done, job.result, job.result_name = "done", 12, _zip({}), "all.zip"
    db.session.commit()
    page = _page(client, job)
    assert "Ready to download." in page
    assert f'href="/jobs/{job.token}/result"' in page
    assert "Check again" not in page and "js/jobs.js" not in page
    assert 'http-equiv="refresh"' not in page  # finished: nothing more to wait for


# -- Failures: named, and the others finish --------------------------------------------------------


def test_a_partnership_that_fails_is_named_with_why_and_the_others_are_made(
    world: World, login: Callable[[Account], FlaskClient], documents: FakeDocuments
) -> None:
    seminar, (first, broken, crashing) = _seminar_of_three(world)
    documents.fail[broken.id] = RenderError("The chart of needs could not be drawn.")
    documents.fail[crashing.id] = RuntimeError("a bug in a renderer")
    client = login(world.facilitator)
    response = client.post(f"/seminars/{seminar.id}/documents", headers=EN)
    services.run(_job(response).id)

    job = _wait_for(_job(response).id)
    assert (job.state, job.done, job.total) == ("done", 3, 3)
    assert job.failures == [
        {
            "what": "Lviv First Medical Union — Charité",
            "why": "The chart of needs could not be drawn.",
        },
        {
            "what": "Kharkiv Regional — Rigshospitalet",
            "why": "They could not be made because of an error on our side.",
        },
    ]
    page = _page(client, job)
    assert "Ready, but some parts could not be made." in page
    assert (
        "<li><strong>Lviv First Medical Union — Charité</strong> — "
        "The chart of needs could not be drawn.</li>"
    ) in page

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/jobs/{job.token}/result").data))
    folder = bulk.folder_name(first)
    assert folder == f"okhmatdyt_karolinska_{first.id}"
    assert sorted(archive.namelist()) == sorted(
        [f"{folder}/{kind}_{lang}.{fmt}" for kind, fmt, lang in bulk.PARTS] + ["FAILED.txt"]
    )
    failed = archive.read("FAILED.txt").decode("utf-8-sig")
    assert "- Lviv First Medical Union — Charité: The chart of needs could not be drawn." in failed
    assert "Kharkiv Regional — Rigshospitalet" in failed
    assert "Okhmatdyt" not in failed


def test_the_zip_is_written_in_the_language_of_the_person_who_asked(
    world: World, login: Callable[[Account], FlaskClient], documents: FakeDocuments
) -> None:
    seminar, (_first, broken, _third) = _seminar_of_three(world)
    documents.fail[broken.id] = RuntimeError("a bug")
    client = login(world.facilitator)
    response = client.post(f"/seminars/{seminar.id}/documents", headers={"Accept-Language": "uk"})
    services.run(_job(response).id)
    job = _wait_for(_job(response).id)
    assert job.locale == "uk"
    assert job.failures[0]["what"].startswith("Лікарня Lviv First Medical Union — ")


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        ("refuses", "The seminar has no partnerships left."),
        ("crashes", "Something went wrong on our side. Try again; if it fails again, tell us."),
    ],
)
def test_a_handler_that_fails_fails_its_job_with_a_message_not_the_page(
    world: World, login: Callable[[Account], FlaskClient], handler: str, message: str
) -> None:
    client = login(world.facilitator)
    job = _started(handler, world.facilitator)
    services.run(job.id)
    failed = _wait_for(job.id)
    assert failed.state == "failed"
    assert failed.failures == [{"what": "", "why": message}]
    page = _page(client, failed)
    assert "This could not be finished." in page and message in page
    assert ">Try again</button>" in page
    assert client.get(f"/jobs/{job.token}/result").status_code == 404

    response = client.post(f"/jobs/{job.token}/restart")
    assert response.status_code == 303 and response.headers["Location"] == f"/jobs/{job.token}"
    db.session.expire_all()
    assert (job.state, job.failures) == ("queued", [])


def test_a_seminar_the_starter_no_longer_runs_is_not_made(
    world: World, login: Callable[[Account], FlaskClient], documents: FakeDocuments
) -> None:
    client = login(world.facilitator)
    response = client.post(f"/seminars/{world.seminar.id}/documents", headers=EN)
    job = _job(response)
    world.seminar.facilitators.remove(world.facilitator)  # before the job's turn came
    db.session.commit()
    services.run(job.id)
    failed = _wait_for(job.id)
    assert failed.state == "failed"
    assert failed.failures[0]["why"] == (
        "You no longer run this seminar, so its documents were not made."
    )
    assert documents.made == []


# -- Stalled, restarted, claimed once ------------------------------------------------------------


def test_a_job_whose_worker_died_shows_as_stalled_and_can_be_started_again(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    job = _started("count_to_three", world.facilitator)
    job.state, job.total, job.done = "running", 3, 1
    job.started_at = job.touched_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    client = login(world.facilitator)
    page = _page(client, job)
    assert "This has stopped moving" in page
    assert ">Start again</button>" in page
    assert "Check again" not in page and "js/jobs.js" not in page
    assert 'http-equiv="refresh"' not in page  # finished: nothing more to wait for

    assert client.post(f"/jobs/{job.token}/restart").status_code == 303
    db.session.expire_all()
    assert (job.state, job.done, job.total) == ("queued", 0, 0)
    services.run(job.id)
    assert _wait_for(job.id).state == "done"


def test_a_job_that_is_moving_is_not_started_twice(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    job = _started("count_to_three", world.facilitator)
    job.state, job.touched_at = "running", utcnow() - timedelta(minutes=2)
    db.session.commit()
    revision = job.revision
    client = login(world.facilitator)
    assert ">Start again</button>" not in _page(client, job)
    assert client.post(f"/jobs/{job.token}/restart").status_code == 303  # a stale button
    db.session.expire_all()
    assert (job.state, job.revision) == ("running", revision)


def test_a_worker_whose_job_was_started_again_elsewhere_stops_and_leaves_it_be(
    world: World,
) -> None:
    job = _started("restarted_midway", world.facilitator)
    services.run(job.id)
    db.session.expire_all()
    # The restart's state, not this run's: no "done", no failure from the run that lost it.
    assert (job.state, job.done, job.failures) == ("queued", 0, [])


def test_a_job_is_claimed_once(world: World) -> None:
    job = _started("count_to_three", world.facilitator)
    services.run(job.id)
    services.run(job.id)  # a second delivery, or a second worker
    assert calls == [job.id]
    assert _wait_for(job.id).state == "done"


def test_a_second_click_finds_the_job_under_way(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.facilitator)
    first = client.post(f"/seminars/{world.seminar.id}/documents")
    second = client.post(f"/seminars/{world.seminar.id}/documents")
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1


def test_flask_jobs_run_queued_runs_what_waits(app: Flask, world: World) -> None:
    jobs = [_started("count_to_three", world.facilitator, n=n) for n in range(2)]
    result = app.test_cli_runner().invoke(args=["jobs", "run-queued"])
    assert result.exit_code == 0, result.output
    assert "2 job(s) run." in result.output
    assert sorted(calls) == sorted(j.id for j in jobs)


# -- Who may see, download, restart and start --------------------------------------------------


@pytest.mark.parametrize("who", ["other_facilitator", "participant", "head", "other_head"])
def test_nobody_but_the_starter_and_admins_learns_a_job_exists(
    world: World, login: Callable[[Account], FlaskClient], who: str
) -> None:
    job = _started("seminar_zip", world.facilitator, seminar_id=world.seminar.id)
    job.state, job.result, job.result_name = "done", _zip({}), "x.zip"
    db.session.commit()
    client = login(getattr(world, who))
    assert client.get(f"/jobs/{job.token}").status_code == 404
    assert client.get(f"/jobs/{job.token}/result").status_code == 404
    job.state = "failed"
    db.session.commit()
    revision = job.revision
    assert client.post(f"/jobs/{job.token}/restart").status_code == 404
    db.session.expire_all()
    assert (job.state, job.revision) == ("failed", revision)

    admin = login(world.admin)
    assert admin.get(f"/jobs/{job.token}").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"), [("other_facilitator", 404), ("participant", 403), ("head", 403)]
)
def test_a_seminar_one_does_not_run_is_refused_and_nothing_is_queued(
    world: World,
    login: Callable[[Account], FlaskClient],
    rq_connection: redis.Redis,
    who: str,
    status: int,
) -> None:
    client = login(getattr(world, who))
    response = client.post(f"/seminars/{world.seminar.id}/documents")
    assert response.status_code == status
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
    assert queue.rq_queue(rq_connection).count == 0


def test_a_seminar_without_partnerships_has_nothing_to_download(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    empty = make_seminar(facilitators=[world.facilitator])
    db.session.commit()
    client = login(world.facilitator)
    assert 'id="docs"' not in client.get(f"/seminars/{empty.id}").get_data(as_text=True)
    response = client.post(f"/seminars/{empty.id}/documents", headers=EN)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/seminars/{empty.id}#pships-title"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_the_seminar_page_offers_everything_as_one_zip(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    page = login(world.facilitator).get(f"/seminars/{world.seminar.id}", headers=EN)
    text = page.get_data(as_text=True)
    assert f'action="/seminars/{world.seminar.id}/documents"' in text
    assert "Download all documents (ZIP)" in text


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "x" * 10_000,
        "%FF%FE%FD",  # not UTF-8
        "A" * 43,  # the right shape, no such job
        "%C3%A9" * 43,
        "..%2Fresult",
        "1",
    ],
)
def test_a_hostile_token_is_not_found_never_an_error(
    world: World, login: Callable[[Account], FlaskClient], token: str
) -> None:
    _started("seminar_zip", world.facilitator, seminar_id=world.seminar.id)
    client = login(world.admin)  # who may see every job
    for url in (f"/jobs/{token}", f"/jobs/{token}/result"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/jobs/{token}/restart").status_code == 404


@pytest.mark.parametrize("token", ["%00", "%ED%A0%80" * 3])
def test_a_token_that_cannot_be_stored_is_refused_before_any_lookup(
    world: World, login: Callable[[Account], FlaskClient], token: str
) -> None:
    client = login(world.admin)
    assert client.get(f"/jobs/{token}").status_code in (400, 404)


# -- One file in the background (the documents' PDFs) ------------------------------------------


def test_a_file_made_in_the_background_downloads_under_its_own_name(
    world: World, login: Callable[[Account], FlaskClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    version = document_services.current_version(world.partnership, actor=world.participant)
    db.session.commit()

    def stored_file(v: Any, kind: str, fmt: str, lang: str, *, actor: Any) -> DocumentFile:
        data = b"%PDF-1.7 pretend"
        made = DocumentFile(
            version_id=v.id,
            kind=kind,
            fmt=fmt,
            language=lang,
            data=data,
            sha256="0" * 64,
            size=len(data),
            created_by_id=actor.id,
        )
        db.session.add(made)
        db.session.flush()
        return made

    monkeypatch.setattr(bulk.services, "file_for", stored_file)
    params = {"version_id": version.id, "kind": "vision", "fmt": "pdf", "lang": "en"}
    job = _started("render_file", world.participant, **params)
    services.run(job.id)
    assert _wait_for(job.id).state == "done"

    client = login(world.participant)
    assert "Strategic vision, version 1" in _page(client, job)
    download = client.get(f"/jobs/{job.token}/result")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data == b"%PDF-1.7 pretend"
    assert download.headers["Content-Disposition"].endswith("_vision_v1_en.pdf")


def test_a_pdf_asked_for_on_the_documents_page_is_made_by_a_job(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    version = document_services.current_version(world.partnership, actor=world.participant)
    db.session.commit()
    client = login(world.participant)
    address = f"/documents/{version.id}/action_plan/en.pdf"
    response = client.get(address, headers=EN)
    assert response.status_code == 303 and response.headers["Location"].startswith("/jobs/")
    services.run(_job(response).id)
    assert _wait_for(_job(response).id).state == "done"

    made = client.get(response.headers["Location"] + "/result")
    assert made.status_code == 200 and made.data.startswith(b"%PDF")
    assert made.headers["Content-Disposition"].endswith("_action-plan_v1_en.pdf")
    again = client.get(address)  # stored now: served at once, the same bytes
    assert again.status_code == 200 and again.data == made.data


def test_folder_names_are_plain_ascii(world: World) -> None:
    pair = make_partnership(
        ua=make_institution(country="UA", name_en="Okhmatdyt (NCSH) — Kyiv"),
        partner=make_institution(country="FR", name_en="Hôpital Necker–Enfants malades"),
    )
    assert bulk.folder_name(pair) == f"okhmatdyt-ncsh-kyiv_hopital-necker-enfants-malades_{pair.id}"
    assert bulk.slug("Охматдит", "hospital") == "hospital"
    assert bulk.slug("../../etc/passwd", "x") == "etc-passwd"
