"""What the load test needs in the database, written directly through the models (no HTTP).

Ten seminars of 40 partnerships each, 10 facilitators with a password (each facilitates every
seminar), and 300 seated participants in each seminar but the first: the first seminar's 300
come in through the join pages during the test. The seeded participants get a server-side
session and a browser cookie made with the app's own session serializer and CSRF helper, as
the join would have given them, so the programme day needs no 2,700 joins first.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask, session
from flask_wtf.csrf import generate_csrf

from workshop import codes
from workshop.accounts.passwords import hashed
from workshop.extensions import db
from workshop.method.definition import load
from workshop.models import (
    Account,
    AuthSession,
    Institution,
    Membership,
    Partnership,
    Role,
    Seminar,
    Side,
    utcnow,
)

METHOD_VERSION = "2024.2"  # what new partnerships start on
STAGE = "agreement"  # the first stage: open for answers without any review first
PASSWORD = "bench-load-facilitator"  # noqa: S105 - a throw-away database on loopback
COUNTRIES = ["SE", "DE", "FR", "NL", "NO", "PL", "GB", "US", "CZ", "AT"]


@dataclass
class Seat:
    """A participant's place: the questions they write into are theirs alone at the table."""

    partnership_id: int
    side: str  # "ua" or "partner"
    question: str
    answer_side: str  # the side the answer is kept under ("" for a question both answer)
    cookie: dict[str, str] = field(default_factory=dict)  # seeded participants only
    csrf: str = ""


@dataclass
class World:
    seminar_ids: list[int]
    join_codes: list[str]
    tables: list[list[int]]  # partnership ids per seminar
    facilitator_emails: list[str]
    seeded: list[list[Seat]]  # per seminar; the first is empty (they join over HTTP)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> World:
        seeded = [[Seat(**seat) for seat in seats] for seats in data.pop("seeded")]
        return cls(**data, seeded=seeded)


def questions_for(side: str) -> list[tuple[str, bool]]:
    """The long-text questions of the first stage one side can write: (key, per side)."""
    method = load(METHOD_VERSION)
    stage = next(s for s in method.stages if s.key == STAGE)
    texts = [q for q in stage.questions() if q.type == "long_text"]
    own = [(q.key, True) for q in texts if q.per_side]
    # The shared questions are split between the sides so no two people share one.
    shared = [(q.key, False) for q in texts if not q.per_side]
    half = shared[0::2] if side == Side.UKRAINIAN.value else shared[1::2]
    return own + half


def seat_for(n: int, partnership_ids: list[int]) -> Seat:
    """The n-th participant of a seminar: tables in turn, sides in turn, a question each."""
    partnership_id = partnership_ids[n % len(partnership_ids)]
    at_table = n // len(partnership_ids)
    side = Side.UKRAINIAN.value if at_table % 2 == 0 else Side.PARTNER.value
    choices = questions_for(side)
    key, per_side = choices[(at_table // 2) % len(choices)]
    return Seat(partnership_id, side, key, side if per_side else "")


def _cookie(app: Flask, token: str) -> tuple[dict[str, str], str]:
    """The session cookie and form token a browser holds after signing in with ``token``."""
    # A context of its own: Flask-WTF keeps the form token in ``g`` for the rest of a context.
    with (
        app.app_context(),
        app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}),
    ):
        csrf = generate_csrf()
        session["_user_id"] = token
        session["_fresh"] = False
        session["seen"] = int(time.time())
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return {app.config.get("SESSION_COOKIE_NAME", "session"): value}, csrf


def seed(app: Flask, *, seminars: int, tables: int, people: int, facilitators: int) -> World:
    """Write the seminars, their tables and people; return what the clients need."""
    now = utcnow()
    password_hash = hashed(PASSWORD)
    staff = [
        Account(
            display_name=f"Facilitator {n}",
            email=f"facilitator{n}@bench.test",
            password_hash=password_hash,
            role=Role.FACILITATOR,
        )
        for n in range(facilitators)
    ]
    db.session.add_all(staff)
    world = World([], [], [], [a.email or "" for a in staff], [])
    for s in range(seminars):
        seminar = Seminar(
            title_uk=f"Навантажувальний семінар {s + 1}",
            title_en=f"Load seminar {s + 1}",
            starts_on=now.date(),
            ends_on=now.date(),
            join_code=codes.new_code(codes.JOIN_CODE_LENGTH),
            facilitators=list(staff),
        )
        pairs = []
        for t in range(tables):
            ua = Institution(
                name_uk=f"Лікарня {s + 1}-{t + 1}",
                name_en=f"Hospital {s + 1}-{t + 1}",
                country="UA",
                region="UA-30",
            )
            partner = Institution(
                name_en=f"Partner Hospital {s + 1}-{t + 1}",
                country=COUNTRIES[t % len(COUNTRIES)],
                region="",
            )
            pairs.append(
                Partnership(
                    ua_institution=ua,
                    partner_institution=partner,
                    method_version=METHOD_VERSION,
                    focus_areas=[],
                )
            )
        seminar.partnerships = pairs
        db.session.add(seminar)
        db.session.flush()
        world.seminar_ids.append(seminar.id)
        world.join_codes.append(seminar.join_code)
        world.tables.append([p.id for p in pairs])
    db.session.commit()

    hours = app.config["SESSION_LIFETIME_HOURS"]["participant"]
    for s, seminar_id in enumerate(world.seminar_ids):
        seats: list[Seat] = []
        if s > 0:
            tokens = []
            for n in range(people):
                seat = seat_for(n, world.tables[s])
                account = Account(
                    display_name=f"Participant {s + 1}-{n + 1}",
                    role=Role.PARTICIPANT,
                    return_code_hash=codes.digest(codes.new_code(codes.RETURN_CODE_LENGTH)),
                )
                token = secrets.token_urlsafe(32)
                db.session.add_all(
                    [
                        Membership(
                            account=account,
                            partnership_id=seat.partnership_id,
                            seminar_id=seminar_id,
                            side=Side(seat.side),
                        ),
                        AuthSession(
                            token_hash=codes.digest(token),
                            account=account,
                            expires_at=now + timedelta(hours=hours),
                        ),
                    ]
                )
                seats.append(seat)
                tokens.append(token)
            db.session.flush()
            for seat, token in zip(seats, tokens, strict=True):
                seat.cookie, seat.csrf = _cookie(app, token)
        world.seeded.append(seats)
    db.session.commit()
    return world
