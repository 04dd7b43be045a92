"""Time the lists a seminar room opens at 1,000 partnerships.

Run with `make bench-lists`. Seeds one seminar of 1,000 partnerships (direct inserts into a
SQLite file in a temporary folder), each with its two institutions, two people at the table, a
few answers and a stage run. Then measures, through the app's own request handling, the median
of: the seminar page (its size too), the partnership list of the seminar's facilitator and of an
admin, and the join page where a participant picks a table (GET /join/details after the join
code), counts the SQL queries of each, and times a hello-world Flask app in the same run for
reference (compare with that, never with another day's numbers). The other lists staff open
(documents, dashboard, review queue, institutions, …) are printed for the record. The last line
is machine-readable:
RESULT seminar_ms=<median> seminar_kb=<size> partnerships_ms=<median, facilitator>
admin_partnerships_ms=<median, admin> join_ms=<median> hello_ms=<median hello-world request>
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

from workshop import codes, create_app
from workshop.auth.services import open_session
from workshop.extensions import db
from workshop.models import (
    Account,
    Answer,
    Base,
    Cycle,
    Institution,
    Membership,
    Partnership,
    Role,
    Seminar,
    StageRun,
    seminar_partnership,
    utcnow,
)

TABLES = int(os.environ.get("BENCH_TABLES", "1000"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
JOIN_CODE = codes.new_code(codes.JOIN_CODE_LENGTH)
OBLASTS = ["UA-30", "UA-46", "UA-12", "UA-63", "UA-51", "UA-56", "UA-74", "UA-32"]
COUNTRIES = ["SE", "DE", "FR", "NL", "NO", "PL", "GB", "US", "CZ", "AT"]
STATUSES = [None, "submitted", "approved", "changes_requested"]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _insert(table: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(sa.insert(table), rows)


def _seed() -> tuple[int, int, int]:
    """A seminar of TABLES partnerships: returns its id, its facilitator's and an admin's."""
    now = utcnow()
    facilitator = Account(display_name="Bench facilitator", role=Role.FACILITATOR)
    admin = Account(display_name="Bench admin", role=Role.ADMIN)
    seminar = Seminar(
        title_uk="Навантажувальний семінар",
        title_en="Load seminar",
        starts_on=date(2024, 3, 1),
        ends_on=date(2024, 3, 2),
        venue_en="Kyiv",
        venue_uk="Київ",
        join_code=JOIN_CODE,
        join_open=True,
        facilitators=[facilitator],
    )
    db.session.add_all([facilitator, admin, seminar])
    db.session.flush()
    _insert(
        Institution,
        [
            {
                "id": 2 * n + 1,
                "name_uk": f"Міська лікарня № {n}",
                "name_en": f"City Hospital No. {n}",
                "country": "UA",
                "region": OBLASTS[n % len(OBLASTS)],
                "city_uk": "Львів",
                "city_en": "Lviv",
                "created_at": now,
            }
            for n in range(TABLES)
        ]
        + [
            {
                "id": 2 * n + 2,
                "name_uk": None,
                "name_en": f"Partner Hospital {n}",
                "country": COUNTRIES[n % len(COUNTRIES)],
                "region": "",
                "city_en": "Stockholm",
                "created_at": now,
            }
            for n in range(TABLES)
        ],
    )
    ids = list(range(1, TABLES + 1))
    _insert(
        Partnership,
        [
            {
                "id": pid,
                "ua_institution_id": 2 * n + 1,
                "partner_institution_id": 2 * n + 2,
                "method_version": "2024.1",
                "memorandum_date": date(2023, 12, 1),
                "focus_areas": ["trauma care", "rehabilitation"],
                "cycle": 1,
                "created_at": now,
            }
            for n, pid in enumerate(ids)
        ],
    )
    _insert(Cycle, [{"partnership_id": pid, "number": 1, "started_at": now} for pid in ids])
    _insert(seminar_partnership, [{"seminar_id": seminar.id, "partnership_id": p} for p in ids])
    first_account = (db.session.scalar(sa.select(sa.func.max(Account.id))) or 0) + 1
    people = [
        (first_account + 2 * n + s, pid, side)
        for n, pid in enumerate(ids)
        for s, side in enumerate(("ua", "partner"))
    ]
    _insert(
        Account,
        [
            {
                "id": aid,
                "display_name": f"Participant {aid}",
                "role": "participant",
                "active": True,
                "created_at": now,
            }
            for aid, _pid, _side in people
        ],
    )
    _insert(
        Membership,
        [
            {
                "account_id": aid,
                "partnership_id": pid,
                "seminar_id": seminar.id,
                "side": side,
                "active": True,
                "created_at": now,
            }
            for aid, pid, side in people
        ],
    )
    _insert(
        Answer,
        [
            {
                "partnership_id": pid,
                "cycle": 1,
                "question_key": key,
                "side": "",
                "value": "An answer of a few words",
                "version": 1,
                "updated_at": now - timedelta(minutes=n % 90),
            }
            for n, pid in enumerate(ids)
            for key in ("agreement.people", "needs.summary")[: 1 + n % 2]
        ],
    )
    _insert(
        StageRun,
        [
            {
                "partnership_id": pid,
                "cycle": 1,
                "stage_key": "agreement",
                "status": STATUSES[n % len(STATUSES)],
                "opened_early": False,
                "votes_revealed": False,
                "closed_for_room": False,
                "updated_at": now,
            }
            for n, pid in enumerate(ids)
        ],
    )
    db.session.commit()
    print(f"seeded {TABLES} partnerships, {len(people)} people at the tables")
    return seminar.id, facilitator.id, admin.id


class Counter:
    """Counts the SQL statements the app sends (as tests/querycount.py does)."""

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


def _median(get: Callable[[], Any], counter: Counter) -> tuple[float, int, int]:
    """Median time of ``get`` over RUNS (after two warm-ups), its most queries, its size."""
    for _ in range(2):
        assert get().status_code == 200
    times, most, size = [], 0, 0
    for _ in range(RUNS):
        counter.n = 0
        started = time.perf_counter()
        response = get()
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        most, size = max(most, counter.n), len(response.data)
    return _ms(statistics.median(times)), most, size


def _hello_ms() -> float:
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, world!")
    client = hello.test_client()
    for _ in range(20):
        client.get("/")
    times = []
    for _ in range(200):
        started = time.perf_counter()
        client.get("/")
        times.append(time.perf_counter() - started)
    return _ms(statistics.median(times))


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-lists-"))
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
        seminar_id, facilitator_id, admin_id = _seed()
    counter = Counter(app)
    lang = {"Accept-Language": "en"}
    staff, lead = _signed_in(app, facilitator_id), _signed_in(app, admin_id)
    newcomer = app.test_client()
    joined = newcomer.post("/join", data={"code": JOIN_CODE}, headers=lang)
    assert joined.status_code == 302, joined.status_code

    measured = {
        "seminar page (facilitator)": _median(
            lambda: staff.get(f"/seminars/{seminar_id}", headers=lang), counter
        ),
        "partnership list (facilitator)": _median(
            lambda: staff.get("/partnerships/", headers=lang), counter
        ),
        "partnership list (admin)": _median(
            lambda: lead.get("/partnerships/", headers=lang), counter
        ),
        "join page, pick a table": _median(
            lambda: newcomer.get("/join/details", headers=lang), counter
        ),
    }
    # The other lists staff open, for the record (not in the RESULT line).
    others = {
        "seminar list (facilitator)": "/seminars/",
        "documents (facilitator)": "/documents/",
        "dashboard (facilitator)": f"/seminars/{seminar_id}/dashboard",
        "review queue (facilitator)": f"/seminars/{seminar_id}/queue",
        "exports page (facilitator)": f"/seminars/{seminar_id}/exports",
        "new partnership form (facilitator)": "/partnerships/new",
    }
    for name, url in others.items():
        measured[name] = _median(lambda url=url: staff.get(url, headers=lang), counter)
    for name, url in {
        "institutions (admin)": "/institutions/",
        "accounts (admin)": "/accounts/",
        "programme overview (admin)": "/programme",
    }.items():
        measured[name] = _median(lambda url=url: lead.get(url, headers=lang), counter)
    hello = _hello_ms()
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    for name, (ms, queries, size) in measured.items():
        print(f"{name}: {ms} ms, {queries} queries, {size / 1024:.0f} KB")
    print(f"hello-world Flask app: {hello} ms")
    seminar_ms, _q, seminar_size = measured["seminar page (facilitator)"]
    print(
        f"RESULT seminar_ms={seminar_ms} seminar_kb={seminar_size / 1024:.0f} "
        f"partnerships_ms={measured['partnership list (facilitator)'][0]} "
        f"admin_partnerships_ms={measured['partnership list (admin)'][0]} "
        f"join_ms={measured['join page, pick a table'][0]} hello_ms={hello}"
    )


if __name__ == "__main__":
    main()
