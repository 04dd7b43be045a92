"""Serving in production (R17, P9): the app refuses an unsafe configuration, gunicorn serves it
with the settings P9 names, workers share one generated key and one set of throttle counts, and
the health check tells a load balancer whether a worker reaches the database."""

from __future__ import annotations

import multiprocessing
import os
import runpy
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import _config
from tests.factories import PASSWORD, make_account
from tests.querycount import count_queries
from tests.test_auth import EN, sign_in
from workshop import config, create_app
from workshop.extensions import db
from workshop.models import Base, Role
from workshop.production import UnsafeConfiguration, secret_key_problem
from workshop.serving import default_workers

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "instance"
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(folder))
    return folder


def safe(database_url: str, **changes: object) -> dict[str, object]:
    """A production configuration that starts, with ``changes`` made to it."""
    settings: dict[str, object] = {
        "ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "SESSION_COOKIE_SECURE": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "ALLOW_SQLITE": True,  # the SQLite run of the suite; PostgreSQL needs no leave
        "SERVER_NAME": "localhost",
    }
    return {**settings, **changes}


def test_a_safe_production_configuration_starts(database_url: str, instance: Path) -> None:
    app = create_app(safe(database_url))
    assert app.config["ENV"] == "production" and not app.debug
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert not (instance / "secret_key").exists()  # the configured key, nothing generated


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"DEBUG": True}, "debug is on"),
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "  "}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "change-me-" * 8}, "SECRET_KEY is an example value"),
        ({"SECRET_KEY": "x" * 80}, "SECRET_KEY is a pattern"),
        ({"SECRET_KEY": "9f86d081884c7d659a2feaa0c55ad015"}, "SECRET_KEY is too short"),
        ({"SESSION_COOKIE_SECURE": False}, "cookies are not Secure"),
        ({"SESSION_COOKIE_SECURE": "yes"}, "cookies are not Secure"),
        ({"WTF_CSRF_ENABLED": False}, "CSRF protection is off"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.sqlite", "ALLOW_SQLITE": False}, "SQLite"),
    ],
)
def test_production_refuses_to_start_on_each_unsafe_setting(
    database_url: str, instance: Path, changes: dict[str, object], named: str
) -> None:
    with pytest.raises(UnsafeConfiguration, match="Refusing to start in production") as refused:
        create_app(safe(database_url, **changes))
    assert named in str(refused.value)
    assert str(refused.value).count("\n  - ") == 1  # this problem alone
    assert not (instance / "secret_key").exists()  # a missing key is not quietly generated


def test_every_problem_is_named_at_once(instance: Path) -> None:
    unsafe = {"ENV": "production", "DEBUG": True, "SQLALCHEMY_DATABASE_URI": "sqlite:///x"}
    with pytest.raises(UnsafeConfiguration) as refused:
        create_app(unsafe)
    message = str(refused.value)
    assert message.count("\n  - ") == 4
    for named in ("debug", "SECRET_KEY", "Secure", "SQLite"):
        assert named in message


def test_a_mistyped_environment_is_refused_rather_than_treated_as_development(
    instance: Path,
) -> None:
    with pytest.raises(UnsafeConfiguration, match="must be one of development, production"):
        create_app({"ENV": "prod"})


def test_production_reads_the_workshop_environment_variables(
    instance: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'from-the-environment.sqlite'}"
    for name, value in {
        "WORKSHOP_ENV": "production",
        "WORKSHOP_DATABASE_URL": url,
        "WORKSHOP_ALLOW_SQLITE": "true",
        "WORKSHOP_SECRET_KEY": secrets.token_hex(32),
        "WORKSHOP_SESSION_COOKIE_SECURE": "true",
    }.items():
        monkeypatch.setenv(name, value)
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == url

    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(UnsafeConfiguration, match="debug is on"):
        create_app()


def test_keys_made_the_usual_ways_pass() -> None:
    for _ in range(50):
        for key in (secrets.token_hex(32), secrets.token_urlsafe(32), os.urandom(32)):
            assert secret_key_problem(key) is None, key
    printable = "Kx7#pQ2!vL9@mR4$wT6%yU8^zA1&bC3*dE5(fG"  # 38 characters: 249 bits...
    assert "too short" in (secret_key_problem(printable) or "")  # ...one short of 256
    assert secret_key_problem(printable + "h") is None


@pytest.mark.parametrize(
    "key",
    [
        "0123456789abcdef" * 4,  # 64 hexadecimal digits, but one piece repeated
        "ab" * 40,
        "your-secret-key-4a44dc15364204a80fe80e9039455cc1608281820fe2b24f1e5233ade6af1dd5",
        "1" * 100,
        "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0",  # base64 of 27 bytes
    ],
)
def test_weak_keys_fail(key: str) -> None:
    assert secret_key_problem(key) is not None


def _generate(folder: str, start: Any, keys: Any) -> None:
    start.wait()  # every process reaches for the key at the same moment
    keys.put(config.generated_key(Path(folder)))


def test_workers_starting_at_once_all_end_with_one_key_only_they_can_read(
    tmp_path: Path,
) -> None:
    context = multiprocessing.get_context("fork")
    for attempt in range(3):  # the race is won differently each time
        folder = tmp_path / f"instance-{attempt}"
        start, keys = context.Barrier(8), context.Queue()
        workers = [
            context.Process(target=_generate, args=(str(folder), start, keys)) for _ in range(8)
        ]
        for worker in workers:
            worker.start()
        found = {keys.get(timeout=20) for _ in workers}
        for worker in workers:
            worker.join(timeout=20)
        assert len(found) == 1
        key_file = folder / "secret_key"
        assert key_file.read_text() == found.pop()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0
        assert [p.name for p in folder.iterdir()] == ["secret_key"]  # no drafts left behind


def test_two_workers_see_the_same_throttle_counts(
    app: Flask, client: FlaskClient, database_url: str
) -> None:
    """What one worker counts, another refuses: the counts live in the database."""
    make_account(role=Role.FACILITATOR, email="target@example.org")
    db.session.commit()
    app.config["THROTTLE_FIRST_WAIT_SECONDS"] = 60
    other = create_app({**_config(database_url), "THROTTLE_FIRST_WAIT_SECONDS": 60})
    try:
        for _ in range(5):  # four free, and the fifth starts the wait
            assert sign_in(client, "target@example.org", "guess").status_code == 422
        elsewhere = sign_in(other.test_client(), "target@example.org", PASSWORD)
        assert elsewhere.status_code == 429  # type: ignore[attr-defined]
    finally:
        with other.app_context():
            db.engine.dispose()


def test_health_is_one_query_without_cookies(client: FlaskClient) -> None:
    with count_queries() as queries:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert [q for q in queries if q != "BEGIN"] == ["SELECT 1"]  # SQLite's BEGIN is explicit
    assert "Set-Cookie" not in response.headers


def test_health_is_503_while_the_database_does_not_answer(
    database_url: str, tmp_path: Path, instance: Path
) -> None:
    gone = f"sqlite:///{tmp_path / 'no-such-folder' / 'workshop.sqlite'}"
    app = create_app({**_config(database_url), "SQLALCHEMY_DATABASE_URI": gone})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_the_gunicorn_settings_follow_p9(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WORKSHOP_WEB_WORKERS", "WORKSHOP_WEB_THREADS", "WORKSHOP_BIND"):
        monkeypatch.delenv(name, raising=False)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == default_workers() == 2 * len(os.sched_getaffinity(0)) + 1
    assert settings["timeout"] == 30 and settings["graceful_timeout"] == 30
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (1000, 100)
    assert settings["bind"] == ["127.0.0.1:8000"] and settings["preload_app"] is True
    assert settings["wsgi_app"] == "workshop.wsgi:app"

    monkeypatch.setenv("WORKSHOP_WEB_WORKERS", "3")
    monkeypatch.setenv("WORKSHOP_BIND", "127.0.0.1:9000")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == 3 and settings["bind"] == ["127.0.0.1:9000"]
    monkeypatch.setenv("WORKSHOP_WEB_WORKERS", "many")
    with pytest.raises(ValueError, match="WORKSHOP_WEB_WORKERS"):
        runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _gunicorn(tmp_path: Path, **environment: str) -> subprocess.Popen[bytes]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WORKSHOP_", "GUNICORN_", "FLASK_"))
    }
    env.update(WORKSHOP_INSTANCE_PATH=str(tmp_path / "instance"), **environment)
    return subprocess.Popen(
        [str(GUNICORN), "--config", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _stop(server: subprocess.Popen[bytes]) -> tuple[str, str]:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        out, err = server.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        out, err = server.communicate()
    return out.decode(), err.decode()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """gunicorn with gunicorn.conf.py, production settings and SQLite allowed, on a free
    loopback port: (its address, its access log)."""
    database = f"sqlite:///{tmp_path / 'served.sqlite'}"
    engine = sa.create_engine(database)
    Base.metadata.create_all(engine)
    engine.dispose()
    port, log = _free_port(), tmp_path / "access.log"
    server = _gunicorn(
        tmp_path,
        WORKSHOP_BIND=f"127.0.0.1:{port}",
        WORKSHOP_WEB_WORKERS="2",
        WORKSHOP_DATABASE_URL=database,
        WORKSHOP_ALLOW_SQLITE="true",
        WORKSHOP_SECRET_KEY=secrets.token_hex(32),
        WORKSHOP_SESSION_COOKIE_SECURE="true",
        WORKSHOP_ACCESS_LOG=str(log),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a busy CI box imports slowly; bounded all the same
        while True:
            assert server.poll() is None, _stop(server)[1]
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.1)
        yield base, log
    finally:
        _stop(server)


def _get(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=EN)  # noqa: S310 - our own loopback server
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_gunicorn_serves_the_app_and_logs_no_code_or_token(served: tuple[str, Path]) -> None:
    base, log = served
    assert _get(f"{base}/healthz") == (200, '{"status":"ok"}\n')
    status, page = _get(f"{base}/?code=CNM2N-SV72R")
    assert status == 200 and "Join" in page
    token = secrets.token_urlsafe(32)
    assert _get(f"{base}/verify/{token}")[0] == 404
    deadline = time.monotonic() + 5  # a worker writes the line once the response has gone
    while "/verify/" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    written = log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in written
    assert '"GET /verify/[token] HTTP/1.1" 404' in written
    assert "CNM2N" not in written and token not in written


def test_gunicorn_stops_at_once_on_an_unsafe_configuration(tmp_path: Path) -> None:
    server = _gunicorn(tmp_path, WORKSHOP_BIND=f"127.0.0.1:{_free_port()}")
    try:
        server.wait(timeout=20)
    finally:
        _out, err = _stop(server)
    assert server.returncode != 0
    assert "Refusing to start in production" in err and "SECRET_KEY is not set" in err
    assert "Traceback" not in err  # one message for the operator, not a stack per worker
