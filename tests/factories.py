"""Plain builders for test data: explicit keyword arguments, sensible defaults, flush not commit."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from workshop import codes
from workshop.accounts.passwords import hashed
from workshop.auth.services import open_session
from workshop.extensions import db
from workshop.models import (
    Account,
    Answer,
    Comment,
    Institution,
    Membership,
    Partnership,
    Role,
    Seminar,
    Side,
)

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
# scrypt is slow on purpose; tests hash the shared password once.
_PASSWORD_HASH = hashed(PASSWORD)  # as production stores it: sign-ins pay its real cost


def browser_for(app: Flask, account: Account, *, hours: int = 8) -> FlaskClient:
    """Another browser (a test client of its own), signed in as ``account`` through a real
    server-side session of its own: the ``login`` fixture has only the one browser."""
    browser = app.test_client()
    token = open_session(account, hours=hours)
    db.session.commit()
    with browser.session_transaction() as session:
        session["_user_id"] = token
    return browser


def make_institution(
    *, country: str = "UA", name_en: str | None = None, **extra: object
) -> Institution:
    n = next(_counter)
    institution = Institution(
        name_en=name_en or f"Hospital {n}",
        name_uk=str(extra.pop("name_uk", f"Лікарня {n}")),
        country=country,
        region=str(extra.pop("region", "UA-46" if country == "UA" else "Somewhere")),
        city_en=str(extra.pop("city_en", "Lviv" if country == "UA" else "Stockholm")),
        city_uk=str(extra.pop("city_uk", "Львів" if country == "UA" else "Стокгольм")),
        **extra,
    )
    db.session.add(institution)
    db.session.flush()
    return institution


def make_partnership(
    *,
    ua: Institution | None = None,
    partner: Institution | None = None,
    seminar: Seminar | None = None,
    method_version: str = "2024.1",
) -> Partnership:
    partnership = Partnership(
        method_version=method_version,
        ua_institution=ua or make_institution(country="UA"),
        partner_institution=partner or make_institution(country="SE"),
        memorandum_date=date(2023, 12, 1),
        focus_areas=["trauma care"],
    )
    if seminar is not None:
        partnership.seminars.append(seminar)
    db.session.add(partnership)
    db.session.flush()
    return partnership


def make_seminar(*, facilitators: list[Account] | None = None, join_open: bool = True) -> Seminar:
    seminar = Seminar(
        title_uk="Семінар",
        title_en=f"Seminar {next(_counter)}",
        starts_on=date(2023, 12, 19),
        ends_on=date(2023, 12, 19),
        venue_en="Kyiv",
        venue_uk="Київ",
        join_code=codes.new_code(codes.JOIN_CODE_LENGTH),
        join_open=join_open,
        facilitators=facilitators or [],
    )
    db.session.add(seminar)
    db.session.flush()
    return seminar


def make_account(
    *,
    role: Role,
    email: str | None = None,
    institution: Institution | None = None,
    active: bool = True,
) -> Account:
    n = next(_counter)
    account = Account(
        display_name=f"{role.value.title()} {n}",
        email=email or f"{role.value}{n}@example.org",
        password_hash=_PASSWORD_HASH,
        role=role,
        institution=institution,
        active=active,
    )
    db.session.add(account)
    db.session.flush()
    return account


def make_participant(
    *,
    partnership: Partnership,
    seminar: Seminar | None,
    side: Side = Side.UKRAINIAN,
    return_code: str | None = None,
) -> Account:
    code = return_code or codes.new_code(codes.RETURN_CODE_LENGTH)
    account = Account(
        display_name=f"Participant {next(_counter)}",
        role=Role.PARTICIPANT,
        return_code_hash=codes.digest(code),
    )
    account.test_return_code = code  # type: ignore[attr-defined]
    db.session.add_all(
        [account, Membership(account=account, partnership=partnership, seminar=seminar, side=side)]
    )
    db.session.flush()
    return account


@dataclass
class World:
    """Everything a permission test needs: one of each on 'our' side, and the 'other' ones."""

    admin: Account
    facilitator: Account
    other_facilitator: Account
    seminar: Seminar
    other_seminar: Seminar
    partnership: Partnership
    other_partnership: Partnership
    head: Account
    other_head: Account
    participant: Account
    other_participant: Account


def build_world() -> World:
    admin = make_account(role=Role.ADMIN)
    facilitator = make_account(role=Role.FACILITATOR)
    other_facilitator = make_account(role=Role.FACILITATOR)
    seminar = make_seminar(facilitators=[facilitator])
    other_seminar = make_seminar(facilitators=[other_facilitator])
    partnership = make_partnership(seminar=seminar)
    other_partnership = make_partnership(seminar=other_seminar)
    return World(
        admin=admin,
        facilitator=facilitator,
        other_facilitator=other_facilitator,
        seminar=seminar,
        other_seminar=other_seminar,
        partnership=partnership,
        other_partnership=other_partnership,
        head=make_account(role=Role.HEAD, institution=partnership.ua_institution),
        other_head=make_account(role=Role.HEAD, institution=other_partnership.ua_institution),
        participant=make_participant(partnership=partnership, seminar=seminar),
        other_participant=make_participant(partnership=other_partnership, seminar=other_seminar),
    )


def stored_answer(partnership: Partnership, key: str, side: str = "") -> Answer | None:
    """The answer as the database holds it now (after whatever requests just ran)."""
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Answer).where(
            Answer.partnership_id == partnership.id,
            Answer.question_key == key,
            Answer.side == side,
        )
    )


def facilitator_comment(world: World) -> int:
    """A comment thread the world's facilitator opened at the world's partnership (committed)."""
    comment = Comment(
        partnership_id=world.partnership.id,
        stage_key="agreement",
        section_key="people",
        body="Who signs?",
        author_id=world.facilitator.id,
    )
    db.session.add(comment)
    db.session.commit()
    return comment.id
