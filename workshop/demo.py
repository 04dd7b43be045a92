"""The demo seminar of 19 December 2023 with real-world pairs, clearly labelled as demo data.

Pairs and dates follow public reports of Ukraine's International Medical Partnership initiative;
everything the tool will later hold about them (assessments, plans) is illustrative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
import yaml
from flask_babel import force_locale

from workshop import codes
from workshop.accounts.services import create_account
from workshop.extensions import db
from workshop.groupwork.answers.services import save_answer
from workshop.groupwork.answers.values import clean
from workshop.groupwork.review import completeness, workflow
from workshop.method.definition import CURRENT_VERSION, load
from workshop.models import (
    SHARED,
    Account,
    Institution,
    Membership,
    Partnership,
    Role,
    Seminar,
    Side,
)
from workshop.seminars.services import unused_join_code

DEMO_TAG = "[demo]"
DEMO_ANSWERS_VERSION = "2024.1"  # the method demo_answers.yaml is written for
DEMO_PASSWORDS = {
    "admin@demo.twinning.test": "demo-admin-2023",
    "facilitator@demo.twinning.test": "demo-facilitator-2023",
    "head@demo.twinning.test": "demo-head-okhmatdyt",
}

# key: (name_uk, name_en, country, region, city)
INSTITUTIONS = {
    "okhmatdyt": (
        "Національна дитяча спеціалізована лікарня «Охматдит»",
        "Okhmatdyt National Specialized Children's Hospital",
        "UA",
        "UA-30",
        "Kyiv",
    ),
    "kryvyi_rih": (
        "Криворізька міська клінічна лікарня № 2",
        "Kryvyi Rih City Clinical Hospital No. 2",
        "UA",
        "UA-12",
        "Kryvyi Rih",
    ),
    "feofaniya": (
        "Клінічна лікарня «Феофанія»",
        "Feofaniya Clinical Hospital",
        "UA",
        "UA-30",
        "Kyiv",
    ),
    "rivne": (
        "Рівненський обласний госпіталь ветеранів війни",
        "Rivne Regional Hospital of War Veterans",
        "UA",
        "UA-56",
        "Rivne",
    ),
    "lviv_children": (
        "Західноукраїнський спеціалізований дитячий медичний центр",
        "Western Ukrainian Specialized Children's Medical Centre",
        "UA",
        "UA-46",
        "Lviv",
    ),
    "chernihiv_children": (
        "Чернігівська обласна дитяча лікарня",
        "Chernihiv Regional Children's Hospital",
        "UA",
        "UA-74",
        "Chernihiv",
    ),
    "karolinska": (
        "Каролінська університетська лікарня",
        "Karolinska University Hospital",
        "SE",
        "Stockholm",
        "Stockholm",
    ),
    "bg_kliniken": (
        "Мережа травматологічних клінік BG Kliniken",
        "BG Kliniken hospital network",
        "DE",
        None,
        "Berlin",
    ),
    "sunnaas": (
        "Реабілітаційна лікарня Сунноос",
        "Sunnaas Rehabilitation Hospital",
        "NO",
        "Akershus",
        "Nesodden",
    ),
    "maxima": (
        "Центр дитячої онкології імені принцеси Максими",
        "Princess Máxima Center for Pediatric Oncology",
        "NL",
        "Utrecht",
        "Utrecht",
    ),
    "chu_lille": (
        "Університетський лікарняний центр Лілля (CHU Lille)",
        "CHU Lille",
        "FR",
        "Hauts-de-France",
        "Lille",
    ),
}

# (Ukrainian key, partner key, memorandum date, focus areas)
PAIRS = [
    (
        "okhmatdyt",
        "karolinska",
        date(2023, 12, 1),
        ["paediatric cardiology", "neonatology", "intensive care and ECMO", "haematology and BMT"],
    ),
    ("kryvyi_rih", "karolinska", date(2023, 12, 1), ["trauma care", "ENT surgery"]),
    ("feofaniya", "bg_kliniken", None, ["polytrauma", "rehabilitation"]),
    ("rivne", "sunnaas", None, ["rehabilitation", "spinal cord injury"]),
    ("lviv_children", "maxima", date(2023, 8, 20), ["paediatric oncology"]),
    ("chernihiv_children", "chu_lille", None, ["paediatrics"]),
]


@dataclass(frozen=True)
class DemoSummary:
    join_code: str
    participant_return_code: str | None


def is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(Seminar.id))) == 0


def seed() -> DemoSummary:
    """Add the demo seminar, its partnerships and one account per role. Caller commits."""
    institutions = {}
    for key, (name_uk, name_en, country, region, city) in INSTITUTIONS.items():
        institutions[key] = Institution(
            name_uk=name_uk,
            name_en=name_en,
            country=country,
            region=region,
            city=city,
            profile=f"{DEMO_TAG} Illustrative demo profile.",
            is_demo=True,
        )
    partnerships = [
        Partnership(
            ua_institution=institutions[ua],
            partner_institution=institutions[partner],
            memorandum_date=signed,
            focus_areas=areas,
            # The answered pair keeps the version its demo answers are written for.
            method_version=DEMO_ANSWERS_VERSION if n == 0 else CURRENT_VERSION,
            is_demo=True,
        )
        for n, (ua, partner, signed, areas) in enumerate(PAIRS)
    ]
    seminar = Seminar(
        title_uk=f"Партнерство заради трансформації: формуємо майбутнє охорони здоров'я "
        f"в Україні {DEMO_TAG}",
        title_en=f"Partnership for Transformation: Shaping the Future of Healthcare in Ukraine "
        f"{DEMO_TAG}",
        starts_on=date(2023, 12, 19),
        ends_on=date(2023, 12, 19),
        venue="Kyiv",
        join_code=unused_join_code(),
        is_demo=True,
        partnerships=partnerships,
    )
    db.session.add_all([*institutions.values(), seminar])
    db.session.flush()
    accounts = {
        email: create_account(
            display_name=name,
            email=email,
            role=role,
            password=DEMO_PASSWORDS[email],
            institution_id=institutions["okhmatdyt"].id if role is Role.HEAD else None,
            actor=None,
        )
        for email, name, role in [
            ("admin@demo.twinning.test", "Demo Programme Lead", Role.ADMIN),
            ("facilitator@demo.twinning.test", "Demo Facilitator", Role.FACILITATOR),
            ("head@demo.twinning.test", "Demo Head of Okhmatdyt", Role.HEAD),
        ]
    }
    for account in accounts.values():
        account.is_demo = True
    seminar.facilitators.append(accounts["facilitator@demo.twinning.test"])
    participant, return_code = _seat("Олена Demo", partnerships[0], seminar, Side.UKRAINIAN)
    partner_side, _code = _seat("Anna Demo", partnerships[0], seminar, Side.PARTNER)
    db.session.flush()
    _fill_group_work(
        partnerships[0],
        {"ua": participant, "partner": partner_side},
        accounts["facilitator@demo.twinning.test"],
    )
    return DemoSummary(join_code=seminar.join_code, participant_return_code=return_code)


def _seat(name: str, partnership: Partnership, seminar: Seminar, side: Side) -> tuple[Account, str]:
    """A demo participant at a partnership's table, and the return code that lets them back in."""
    return_code = codes.new_code(codes.RETURN_CODE_LENGTH)
    person = Account(
        display_name=name,
        role=Role.PARTICIPANT,
        is_demo=True,
        return_code_hash=codes.digest(return_code),
    )
    db.session.add_all(
        [person, Membership(account=person, partnership=partnership, seminar=seminar, side=side)]
    )
    return person, return_code


def _fill_group_work(
    partnership: Partnership, authors: dict[str, Account], facilitator: Account
) -> None:
    """Stages 1–4 answered for the first pair; stages 1–3 approved, stage 4 submitted."""
    with (Path(__file__).parent / "demo_answers.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    method = load(partnership.method_version)
    items = [(key, SHARED, value) for key, value in data["shared"].items()]
    items += [
        (key, side, value)
        for key, sides in data["per_side"].items()
        for side, value in sides.items()
    ]
    for key, side, raw in items:
        question = method.question(key)
        if question is None:
            raise ValueError(f"demo answer for unknown question {key!r}")
        with force_locale("en"):
            value = clean(question, raw)
        save_answer(
            partnership_id=partnership.id,
            cycle=partnership.cycle,
            key=key,
            side=side,
            value=value,
            base_version=0,
            actor=authors[side or "ua"],
        )
    for stage in method.stages:
        workflow.move(
            partnership=partnership,
            method=method,
            stage=stage,
            action="submit",
            reason="",
            actor=authors["ua"],
            staff=False,
            # The demo is a finished example: a stage it cannot submit is a broken demo.
            unmet=completeness.unmet(partnership, method, stage),
        )
        if stage.key != "action_plan":
            workflow.move(
                partnership=partnership,
                method=method,
                stage=stage,
                action="approve",
                reason="",
                actor=facilitator,
                staff=True,
            )


def demo_join_code() -> str | None:
    return db.session.scalar(sa.select(Seminar.join_code).where(Seminar.is_demo.is_(True)))
