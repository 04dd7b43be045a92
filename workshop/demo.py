"""The demo seminar of 19 December 2023 with real-world pairs, clearly labelled as demo data.

Pairs and dates follow public reports of Ukraine's International Medical Partnership initiative;
everything the tool will later hold about them (assessments, plans) is illustrative.

Every pair works on the current method. The first, Okhmatdyt – Karolinska, is a finished
example of stages 1–4: its answers are first given under method 2024.1 (demo_answers.yaml), the
partnership is then moved to the current version with the real mapping
(``workshop.partnerships.versions.move_to``), and what the newer method asks for beyond 2024.1
is added from ``demo_answers_<version>.yaml``. So every seed also runs the mapping on a full
set of answers, and a mapping or method change the demo cannot follow fails the seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from flask_babel import force_locale

from workshop import codes
from workshop.accounts.services import create_account
from workshop.extensions import db
from workshop.groupwork.answers.services import save_answer
from workshop.groupwork.answers.values import InvalidAnswer, clean
from workshop.groupwork.review import completeness, workflow
from workshop.method.definition import CURRENT_VERSION, Method, Question, load
from workshop.models import (
    SHARED,
    Account,
    Answer,
    Institution,
    Membership,
    Partnership,
    Role,
    Seminar,
    Side,
)
from workshop.partnerships.versions import move_to
from workshop.seminars.services import unused_join_code

DEMO_TAG = "[demo]"
DEMO_ANSWERS_VERSION = "2024.1"  # the method demo_answers.yaml is written for
# The answers of the answered pair, by method version: the 2024.1 answers, then what each later
# version asks for beyond them (added after the move to that version).
ANSWER_FILES = {
    DEMO_ANSWERS_VERSION: "demo_answers.yaml",
    "2024.2": "demo_answers_2024.2.yaml",
}
SIDES = ("ua", "partner")
DEMO_PASSWORDS = {
    "admin@demo.twinning.test": "demo-admin-2023",
    "facilitator@demo.twinning.test": "demo-facilitator-2023",
    "head@demo.twinning.test": "demo-head-okhmatdyt",
    "head.karolinska@demo.twinning.test": "demo-head-karolinska",
}

# key: (name_uk, name_en, country, region, (city_uk, city_en))
INSTITUTIONS = {
    "okhmatdyt": (
        "Національна дитяча спеціалізована лікарня «Охматдит»",
        "Okhmatdyt National Specialized Children's Hospital",
        "UA",
        "UA-30",
        ("Київ", "Kyiv"),
    ),
    "kryvyi_rih": (
        "Криворізька міська клінічна лікарня № 2",
        "Kryvyi Rih City Clinical Hospital No. 2",
        "UA",
        "UA-12",
        ("Кривий Ріг", "Kryvyi Rih"),
    ),
    "feofaniya": (
        "Клінічна лікарня «Феофанія»",
        "Feofaniya Clinical Hospital",
        "UA",
        "UA-30",
        ("Київ", "Kyiv"),
    ),
    "rivne": (
        "Рівненський обласний госпіталь ветеранів війни",
        "Rivne Regional Hospital of War Veterans",
        "UA",
        "UA-56",
        ("Рівне", "Rivne"),
    ),
    "lviv_children": (
        "Західноукраїнський спеціалізований дитячий медичний центр",
        "Western Ukrainian Specialized Children's Medical Centre",
        "UA",
        "UA-46",
        ("Львів", "Lviv"),
    ),
    "chernihiv_children": (
        "Чернігівська обласна дитяча лікарня",
        "Chernihiv Regional Children's Hospital",
        "UA",
        "UA-74",
        ("Чернігів", "Chernihiv"),
    ),
    "karolinska": (
        "Каролінська університетська лікарня",
        "Karolinska University Hospital",
        "SE",
        "Stockholm",
        ("Стокгольм", "Stockholm"),
    ),
    "bg_kliniken": (
        "Мережа травматологічних клінік BG Kliniken",
        "BG Kliniken hospital network",
        "DE",
        None,
        ("Берлін", "Berlin"),
    ),
    "sunnaas": (
        "Реабілітаційна лікарня Сунноос",
        "Sunnaas Rehabilitation Hospital",
        "NO",
        "Akershus",
        ("Несоден", "Nesodden"),
    ),
    "maxima": (
        "Центр дитячої онкології імені принцеси Максими",
        "Princess Máxima Center for Pediatric Oncology",
        "NL",
        "Utrecht",
        ("Утрехт", "Utrecht"),
    ),
    "chu_lille": (
        "Університетський лікарняний центр Лілля (CHU Lille)",
        "CHU Lille",
        "FR",
        "Hauts-de-France",
        ("Лілль", "Lille"),
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


class DemoError(RuntimeError):
    """The demo data no longer fit the method or its mapping: a broken demo, fixed in code."""


@dataclass(frozen=True)
class DemoSummary:
    join_code: str
    participant_return_code: str | None


def is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(Seminar.id))) == 0


def seed(method_version: str = CURRENT_VERSION) -> DemoSummary:
    """Add the demo seminar, its partnerships and one account per role. Caller commits.

    ``method_version`` is the version the answered pair ends on: the current one by default
    (answered under 2024.1, moved, completed); ``DEMO_ANSWERS_VERSION`` stops before the move,
    for tests that need a 2024.1 partnership with answers. The other pairs start on the current
    version either way. Raises DemoError when the demo cannot be seeded as a finished example.
    """
    if method_version not in ANSWER_FILES:
        raise DemoError(
            f"no demo answers for method {method_version!r}: add its file to ANSWER_FILES"
        )
    institutions = {}
    for key, (name_uk, name_en, country, region, city) in INSTITUTIONS.items():
        institutions[key] = Institution(
            name_uk=name_uk,
            name_en=name_en,
            country=country,
            region=region,
            city_uk=city[0],
            city_en=city[1],
            profile=f"{DEMO_TAG} Illustrative demo profile.",
            is_demo=True,
        )
    partnerships = [
        Partnership(
            ua_institution=institutions[ua],
            partner_institution=institutions[partner],
            memorandum_date=signed,
            focus_areas=areas,
            # The answered pair starts where its first answers were written; it moves later.
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
        venue_uk="Київ",
        venue_en="Kyiv",
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
            institution_id=institutions[home].id if home else None,
            actor=None,
        )
        for email, name, role, home in [
            ("admin@demo.twinning.test", "Demo Programme Lead", Role.ADMIN, None),
            ("facilitator@demo.twinning.test", "Demo Facilitator", Role.FACILITATOR, None),
            ("head@demo.twinning.test", "Demo Head of Okhmatdyt", Role.HEAD, "okhmatdyt"),
            # The partner hospital's head: both heads sign the pair's documents.
            (
                "head.karolinska@demo.twinning.test",
                "Demo Head of Karolinska",
                Role.HEAD,
                "karolinska",
            ),
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
        facilitator=accounts["facilitator@demo.twinning.test"],
        admin=accounts["admin@demo.twinning.test"],
        version=method_version,
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
    partnership: Partnership,
    authors: dict[str, Account],
    *,
    facilitator: Account,
    admin: Account,
    version: str,
) -> None:
    """Stages 1–4 answered for the first pair and moved to ``version``; stages 1–3 approved,
    stage 4 submitted."""
    method = load(DEMO_ANSWERS_VERSION)
    _add_answers(partnership, method, _answers_file(DEMO_ANSWERS_VERSION), authors)
    if version != DEMO_ANSWERS_VERSION:
        # The real mapping, as an admin would run it: every seed exercises it.
        move_to(partnership, version, actor=admin)
        method = load(version)
        _add_answers(partnership, method, _answers_file(version), authors)
    _review(partnership, method, authors["ua"], facilitator)


def _answers_file(version: str) -> dict[str, Any]:
    with (Path(__file__).parent / ANSWER_FILES[version]).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or set(data) - {"shared", "per_side"}:
        raise DemoError(f"{ANSWER_FILES[version]}: only 'shared' and 'per_side' belong at the top")
    return data


def _add_answers(
    partnership: Partnership, method: Method, data: dict[str, Any], authors: dict[str, Account]
) -> None:
    """Store the file's answers on top of what the partnership holds, in the method's order.

    A table's rows join the stored rows by id (cells added to a row that exists, new rows at
    the end); nothing stored is overwritten. Each changed answer is one new revision, by the
    side that gives it (shared answers by the Ukrainian side, who keeps the pen at the table).
    """
    given = {(key, SHARED): raw for key, raw in (data.get("shared") or {}).items()}
    given |= {
        (key, side): raw
        for key, sides in (data.get("per_side") or {}).items()
        for side, raw in sides.items()
    }
    order = {q.key: n for n, q in enumerate(q for s in method.stages for q in s.questions())}
    for key, side in given:
        question = method.question(key)
        if question is None:
            raise DemoError(f"demo answer for {key!r}, not a question of method {method.version}")
        if side not in (SIDES if question.per_side else (SHARED,)):
            raise DemoError(f"demo answer for {key!r}: side {side!r} does not fit the question")
    stored = {
        (key, side): (value, version)
        for key, side, value, version in db.session.execute(
            sa.select(Answer.question_key, Answer.side, Answer.value, Answer.version).where(
                Answer.partnership_id == partnership.id, Answer.cycle == partnership.cycle
            )
        )
    }
    for (key, side), raw in sorted(
        given.items(), key=lambda item: (order[item[0][0]], item[0][1] != "ua")
    ):
        question = method.question(key)
        assert question is not None  # noqa: S101 - checked above
        old, version = stored.get((key, side), (None, 0))
        where = f"{key!r}" + (f" ({side})" if side else "")
        with force_locale("en"):
            try:
                value = clean(question, _merged(question, old, raw, where))
            except InvalidAnswer as error:
                raise DemoError(f"demo answer for {where}: {error.message}") from None
        if value == old:
            continue
        save_answer(
            partnership_id=partnership.id,
            cycle=partnership.cycle,
            key=key,
            side=side,
            value=value,
            base_version=version,
            actor=authors[side or "ua"],
        )


def _merged(question: Question, old: Any, raw: Any, where: str) -> Any:
    """``raw`` added to the stored ``old`` value; a DemoError if it would overwrite anything."""
    if old is None:
        return raw
    if question.type != "table" or not isinstance(old, list) or not isinstance(raw, list):
        if raw != old:
            raise DemoError(f"demo answer for {where} would overwrite {old!r} with {raw!r}")
        return old
    rows = [dict(row) for row in old]
    by_id = {row.get("row"): row for row in rows}
    for new in raw:
        row = by_id.get(new.get("row")) if new.get("row") else None
        if row is None:
            rows.append(dict(new))
            continue
        for column, cell in new.items():
            if row.get(column) not in (None, cell):
                raise DemoError(
                    f"demo answer for {where}, row {new['row']!r}, column {column!r} would "
                    f"overwrite {row[column]!r} with {cell!r}"
                )
            row[column] = cell
    if question.rows:  # a fixed-row table keeps the method's order, added rows after
        place = {choice.id: n for n, choice in enumerate(question.rows)}
        rows.sort(key=lambda row: place.get(row.get("row"), len(place)))
    return rows


def _review(
    partnership: Partnership, method: Method, author: Account, facilitator: Account
) -> None:
    """Submit every stage through the real workflow, approving all but the action plan."""
    for stage in method.stages:
        with force_locale("en"):
            missing = completeness.unmet(partnership, method, stage)
        try:
            workflow.move(
                partnership=partnership,
                method=method,
                stage=stage,
                action="submit",
                reason="",
                actor=author,
                staff=False,
                # The demo is a finished example: a stage it cannot submit is a broken demo.
                unmet=missing,
            )
        except workflow.Incomplete as error:
            raise DemoError(
                f"the demo cannot submit stage {stage.key!r} of method {method.version}: "
                + " ".join(error.items)
            ) from error
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
