"""Time the seminar dashboard, its poll and the programme overview at 1,000 partnerships.

Run with `make bench-dashboard`. Seeds the demo, then one seminar of 1,000 partnerships (bulk
inserts into a SQLite file in a temporary folder), each with a share of the demo pair's answers,
stage runs in every state, people at some tables, comments and help requests. Then measures,
through the app's own request handling, the median of: the dashboard page, a poll that finds
nothing new (304), and the programme overview (when that page exists), counts the SQL queries
of each, and times a hello-world Flask app in the same run for reference (the machines are
small and noisy: compare with that, never with another day's numbers). The last line is
machine-readable:
RESULT dashboard_ms=<median> poll_ms=<median 304 poll> overview_ms=<median or NA>
queries=<most queries of the three> hello_ms=<median hello-world request>
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workshop import create_app, demo
from workshop.auth.services import open_session
from workshop.extensions import db
from workshop.models import (
    Account,
    Answer,
    Base,
    Comment,
    Cycle,
    HelpRequest,
    Institution,
    Partnership,
    Presence,
    Role,
    Seminar,
    StageEvent,
    StageRun,
    seminar_partnership,
    utcnow,
)

TABLES = int(os.environ.get("BENCH_TABLES", "1000"))
RUNS = int(os.environ.get("BENCH_RUNS", "21"))
POLLS = int(os.environ.get("BENCH_POLLS", "201"))
OBLASTS = ["UA-30", "UA-46", "UA-12", "UA-63", "UA-51", "UA-56", "UA-74", "UA-32"]
COUNTRIES = ["SE", "DE", "FR", "NL", "NO", "PL", "GB", "US", "CZ", "AT"]
STAGES = ["agreement", "needs", "priorities", "action_plan"]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _insert(table: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(sa.insert(table), rows)


def _seed(app: Flask) -> tuple[int, Account, Account]:
    """The demo, and a seminar of TABLES partnerships with answers: returns its id, its
    facilitator and the admin."""
    demo.seed()
    db.session.commit()
    answered = db.session.scalars(sa.select(Partnership).order_by(Partnership.id)).first()
    sample = db.session.execute(
        sa.select(Answer.question_key, Answer.side, Answer.value).where(
            Answer.partnership_id == answered.id, Answer.cycle == answered.cycle
        )
    ).all()
    facilitator = db.session.scalar(sa.select(Account).where(Account.role == Role.FACILITATOR))
    admin = db.session.scalar(sa.select(Account).where(Account.role == Role.ADMIN))
    participants = db.session.scalars(
        sa.select(Account).where(Account.role == Role.PARTICIPANT)
    ).all()
    now = utcnow()
    seminar = Seminar(
        title_uk="Навантажувальний семінар",
        title_en="Load seminar",
        starts_on=date(2024, 3, 1),
        ends_on=date(2024, 3, 2),
        join_code="BENCH00001",
        facilitators=[facilitator],
        round_started_at=now - timedelta(minutes=30),
        round_stage_key="needs",
    )
    db.session.add(seminar)
    db.session.flush()

    first_id = (db.session.scalar(sa.select(sa.func.max(Institution.id))) or 0) + 1
    _insert(
        Institution,
        [
            {
                "id": first_id + 2 * n,
                "name_uk": f"Лікарня № {n}",
                "name_en": f"City Hospital No. {n}",
                "country": "UA",
                "region": OBLASTS[n % len(OBLASTS)],
                "created_at": now,
            }
            for n in range(TABLES)
        ]
        + [
            {
                "id": first_id + 2 * n + 1,
                "name_uk": None,
                "name_en": f"Partner Hospital {n}",
                "country": COUNTRIES[n % len(COUNTRIES)],
                "region": "",
                "created_at": now,
            }
            for n in range(TABLES)
        ],
    )
    first_p = (db.session.scalar(sa.select(sa.func.max(Partnership.id))) or 0) + 1
    ids = [first_p + n for n in range(TABLES)]
    _insert(
        Partnership,
        [
            {
                "id": pid,
                "ua_institution_id": first_id + 2 * n,
                "partner_institution_id": first_id + 2 * n + 1,
                "method_version": answered.method_version,
                "cycle": 1,
                "focus_areas": [],
                "created_at": now,
            }
            for n, pid in enumerate(ids)
        ],
    )
    _insert(Cycle, [{"partnership_id": pid, "number": 1, "started_at": now} for pid in ids])
    _insert(seminar_partnership, [{"seminar_id": seminar.id, "partnership_id": p} for p in ids])

    answers = []
    for n, pid in enumerate(ids):
        share = sample[: max(1, (n * 7) % (len(sample) + 1))]
        for key, side, value in share:
            answers.append(
                {
                    "partnership_id": pid,
                    "cycle": 1,
                    "question_key": key,
                    "side": side,
                    "value": value,
                    "version": 1,
                    "updated_at": now - timedelta(minutes=(n * 13) % 90),
                }
            )
    _insert(Answer, answers)

    statuses = [None, "submitted", "approved", "changes_requested", "reopened", "submitted"]
    runs, events = [], []
    run_id = (db.session.scalar(sa.select(sa.func.max(StageRun.id))) or 0) + 1
    for n, pid in enumerate(ids):
        for s, stage in enumerate(STAGES[: 1 + n % len(STAGES)]):
            status = statuses[(n + s) % len(statuses)]
            runs.append(
                {
                    "id": run_id,
                    "partnership_id": pid,
                    "cycle": 1,
                    "stage_key": stage,
                    "status": status,
                    "opened_early": False,
                    "votes_revealed": False,
                    "closed_for_room": False,
                    "updated_at": now,
                }
            )
            for action in ["submit", "request_changes", "submit", "request_changes"][
                : 1 + (n + s) % 4
            ]:
                events.append(
                    {
                        "run_id": run_id,
                        "action": action,
                        "actor_id": facilitator.id,
                        "at": now - timedelta(minutes=(n + s) % 120),
                    }
                )
            run_id += 1
    _insert(StageRun, runs)
    _insert(StageEvent, events)
    _insert(
        Presence,
        [
            {
                "partnership_id": pid,
                "stage_key": "needs",
                "account_id": participants[n % len(participants)].id,
                "seen_at": now,
            }
            for n, pid in enumerate(ids)
            if n % 3 == 0
        ],
    )
    _insert(
        Comment,
        [
            {
                "partnership_id": pid,
                "cycle": 1,
                "stage_key": "agreement",
                "section_key": "people",
                "body": "Who signs?",
                "author_id": facilitator.id,
                "at": now,
            }
            for n, pid in enumerate(ids)
            if n % 4 == 0
        ],
    )
    _insert(
        HelpRequest,
        [
            {
                "seminar_id": seminar.id,
                "partnership_id": pid,
                "stage_key": "needs",
                "asked_by_id": participants[0].id,
                "asked_at": now,
            }
            for n, pid in enumerate(ids)
            if n % 25 == 0
        ],
    )
    db.session.commit()
    print(f"seeded {TABLES} partnerships, {len(answers)} answers, {len(runs)} stage runs")
    return seminar.id, facilitator, admin


class Counter:
    """Counts the SQL statements the app sends (as tests/test_groupwork.py does)."""

    def __init__(self, app: Flask) -> None:
        self.n = 0
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", self._record)

    def _record(self, *args: object) -> None:
        statement = str(args[2]).lstrip().upper()
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.n += 1


def _signed_in(app: Flask, account_id: int) -> Any:
    client = app.test_client()
    with app.app_context():
        token = open_session(db.session.get(Account, account_id), hours=8)
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


def _median_ms(
    get: Callable[[], Any], runs: int, expect: int, counter: Counter
) -> tuple[float, int]:
    """Median time of ``get`` over ``runs`` (after two warm-ups), and its most queries."""
    for _ in range(2):
        assert get().status_code == expect
    times, most = [], 0
    for _ in range(runs):
        counter.n = 0
        started = time.perf_counter()
        response = get()
        times.append(time.perf_counter() - started)
        assert response.status_code == expect, response.status_code
        most = max(most, counter.n)
    return _ms(statistics.median(times)), most


def _hello_ms() -> float:
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, world!")
    client = hello.test_client()
    for _ in range(20):
        client.get("/")
    times = []
    for _ in range(POLLS):
        started = time.perf_counter()
        client.get("/")
        times.append(time.perf_counter() - started)
    return _ms(statistics.median(times))


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    os.environ["WORKSHOP_INSTANCE_PATH"] = str(folder)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
            "SECRET_KEY": "benchmark-secret-key-long-enough-for-signing",
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        seminar_id, facilitator, admin = _seed(app)
        facilitator_id, admin_id = facilitator.id, admin.id
    counter = Counter(app)
    staff = _signed_in(app, facilitator_id)
    lang = {"Accept-Language": "en"}
    dashboard = f"/seminars/{seminar_id}/dashboard"

    dashboard_ms, dashboard_q = _median_ms(
        lambda: staff.get(dashboard, headers=lang), RUNS, 200, counter
    )
    stamp = staff.get(dashboard, headers=lang).headers["X-Revision"]
    poll_url = f"{dashboard}/changes?since={stamp}"
    poll_headers = {**lang, "If-None-Match": f'W/"d{stamp}"'}
    poll_ms, poll_q = _median_ms(
        lambda: staff.get(poll_url, headers=poll_headers), POLLS, 304, counter
    )
    fragment_ms, fragment_q = _median_ms(
        lambda: staff.get(f"{dashboard}/changes", headers=lang), RUNS, 200, counter
    )
    overview = "NA"
    overview_q = 0
    if "programme.page" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            url = url_for("programme.page")
        lead = _signed_in(app, admin_id)
        overview_ms, overview_q = _median_ms(
            lambda: lead.get(url, headers=lang), RUNS, 200, counter
        )
        overview = str(overview_ms)
    hello = _hello_ms()
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    print(f"dashboard page: {dashboard_ms} ms, {dashboard_q} queries")
    print(f"poll, nothing new (304): {poll_ms} ms, {poll_q} queries")
    print(f"poll, something new (200 fragment): {fragment_ms} ms, {fragment_q} queries")
    print(f"programme overview: {overview} ms, {overview_q} queries")
    print(f"hello-world Flask app: {hello} ms")
    queries = max(dashboard_q, poll_q, overview_q)
    print(
        f"RESULT dashboard_ms={dashboard_ms} poll_ms={poll_ms} overview_ms={overview} "
        f"queries={queries} hello_ms={hello}"
    )


if __name__ == "__main__":
    main()
