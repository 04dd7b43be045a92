"""The programme overview (/programme): partnerships by oblast (the map and its table), by
partner country and by stage, the common priority areas, the knowledge-exchange pairs, the
seminar filter; a constant number of queries at 10 and 1,000 partnerships; admins only."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests import factories
from tests.factories import World
from tests.querycount import count_queries
from workshop import geo
from workshop.extensions import db
from workshop.method.definition import load
from workshop.models import (
    Account,
    Answer,
    Institution,
    Partnership,
    Role,
    Seminar,
    StageRun,
    StageStatus,
    seminar_partnership,
    utcnow,
)
from workshop.overview.programme import ukraine_map
from workshop.paths import STATIC_DIR

EN = {"Accept-Language": "en"}
Login = Callable[[Account], FlaskClient]


def squeezed(html: str) -> str:
    return " ".join(html.split())


def row(html: str, label: str) -> int | None:
    """The count a table row of the page gives ``label``."""
    found = re.search(rf'<th scope="row">{re.escape(label)}</th><td class="num">(\d+)</td>', html)
    return int(found.group(1)) if found else None


def needs(**areas: dict[str, Any]) -> list[dict[str, Any]]:
    """A side's needs matrix: area id → its cells."""
    return [{"row": area, "status": 2, **cells} for area, cells in areas.items()]


def answer(partnership: Partnership, key: str, value: Any, side: str = "") -> None:
    db.session.add(Answer(partnership_id=partnership.id, question_key=key, side=side, value=value))


def run(partnership: Partnership, stage: str, **fields: Any) -> None:
    db.session.add(StageRun(partnership_id=partnership.id, stage_key=stage, **fields))


APPROVED = {"status": StageStatus.APPROVED, "first_approved_at": utcnow()}


class Programme:
    """Five partnerships in two seminars (and one in none), answered and reviewed so that each
    figure of the page has a known value."""

    def __init__(self) -> None:
        self.admin = factories.make_account(role=Role.ADMIN)
        self.s1 = factories.make_seminar()
        self.s2 = factories.make_seminar()
        ua = {
            name: factories.make_institution(country="UA", name_en=name, region=region)
            for name, region in [
                ("Alpha", "UA-46"),
                ("Bravo", "UA-46"),
                ("Charlie", "UA-30"),
                ("Delta", "UA-40"),
                ("Echo", "somewhere"),
            ]
        }
        partners = {
            name: factories.make_institution(country=country, name_en=name)
            for name, country in [("Xray", "SE"), ("Yankee", "DE"), ("Zulu", "DE")]
        }

        def pair(u: str, p: str, seminar: Seminar | None) -> Partnership:
            return factories.make_partnership(
                ua=ua[u], partner=partners[p], seminar=seminar, method_version="2024.2"
            )

        self.ax, self.by = pair("Alpha", "Xray", self.s1), pair("Bravo", "Yankee", self.s1)
        self.cz, self.dx = pair("Charlie", "Zulu", self.s2), pair("Delta", "Xray", self.s2)
        self.ey = pair("Echo", "Yankee", None)
        # Stages: Alpha–Xray on stage 2, Bravo–Yankee on stage 1 (answers, no review yet),
        # Charlie–Zulu through every stage, Delta–Xray not started, Echo–Yankee opened early.
        run(self.ax, "agreement", **APPROVED)
        for stage in ("agreement", "needs", "priorities", "action_plan"):
            run(self.cz, stage, **APPROVED)
        run(self.ey, "priorities", opened_early=True)
        # What each side can share and wants to learn.
        answer(self.ax, "needs_matrix", needs(emergency_trauma={"can_share": "polytrauma"}), "ua")
        answer(
            self.ax,
            "needs_matrix",
            needs(emergency_trauma={"want_to_learn": "triage"}, ipc={"can_share": "bundle"}),
            "partner",
        )
        answer(
            self.by,
            "needs_matrix",
            needs(emergency_trauma={"can_share": "blast"}, ipc={"want_to_learn": "surveillance"}),
            "ua",
        )
        answer(self.by, "needs_matrix", needs(emergency_trauma={"want_to_learn": "x"}), "partner")
        answer(self.cz, "needs_matrix", needs(ipc={"want_to_learn": "  "}), "ua")  # blank: no
        # Priorities, through the gap each one closes to its area.
        answer(self.ax, "gap_table", [{"row": "g1", "area": "emergency_trauma"},
                                      {"row": "g2", "area": "ipc"}])  # fmt: skip
        answer(self.ax, "priorities", [{"row": "p1", "gap": "g1", "priority": "Trauma"},
                                       {"row": "p2", "gap": "g2", "priority": "IPC"}])  # fmt: skip
        answer(self.by, "gap_table", [{"row": "g1", "area": "emergency_trauma"}])
        answer(self.by, "priorities", [{"row": "p1", "gap": "g1", "priority": "Trauma"},
                                       {"row": "p2", "priority": "No gap named"}])  # fmt: skip
        answer(self.cz, "gap_table", [{"row": "g1", "area": "added-area-1"}])
        answer(self.cz, "priorities", [{"row": "p1", "gap": "g1", "priority": "Our own"}])
        db.session.commit()


@pytest.fixture
def programme(app: object) -> Programme:
    return Programme()


def test_counts_by_oblast_country_stage_and_priority_area(
    programme: Programme, login: Login
) -> None:
    page = login(programme.admin).get("/programme", headers=EN)
    assert page.status_code == 200
    html = squeezed(page.get_data(as_text=True))
    assert '<span class="figure">5</span> partnerships' in html
    # By oblast: the table lists all 27 regions, and a hospital with no known region apart.
    assert row(html, "Lviv Oblast") == 2
    assert row(html, "Kyiv City") == 1
    assert row(html, "Sevastopol") == 1
    assert row(html, "Autonomous Republic of Crimea") == 0
    assert row(html, "Region not stated") == 1
    assert all(row(html, geo.region_name(code, "en")) is not None for code in geo.UA_REGIONS)
    # The map: each shape's count printed and in its tooltip; Sevastopol drawn with Crimea.
    assert "<title>Lviv Oblast: 2 partnerships</title>" in html
    assert (
        "<title>Autonomous Republic of Crimea: 0 partnerships; Sevastopol: 1 partnership</title>"
        in html
    )
    assert html.count('<g class="badge">') == 3  # Lviv, Kyiv City, Crimea with Sevastopol
    assert "CC BY 4.0" in html
    # By partner country, in the reader's language.
    assert row(html, "Germany") == 3 and row(html, "Sweden") == 2
    ukrainian = squeezed(login(programme.admin).get("/programme").get_data(as_text=True))
    assert row(ukrainian, "Німеччина") == 3 and row(ukrainian, "Львівська область") == 2
    # By stage.
    assert row(html, "Not started") == 1
    assert row(html, "Stage 1. Partnership development (agreement)") == 1
    assert row(html, "Stage 2. Needs assessment — both ways") == 1
    assert row(html, "Stage 3. Gap analysis and priority setting") == 1
    assert row(html, "Stage 4. Action plan") == 0
    assert row(html, "Every stage approved") == 1
    # Priority areas: partnerships with a priority in each area (through its gap).
    assert row(html, "Emergency and trauma / polytrauma care") == 2
    assert row(html, "Infection prevention and control") == 1
    assert row(html, "Areas a partnership added itself") == 1
    assert "3 partnerships have confirmed priorities." in html
    assert "1 of them has a priority that names no gap, so no area." in html


def _pairs(html: str, title: str) -> tuple[str, list[str]]:
    """A direction's table and its named pairs."""
    part = html.split(f">{title}</h3>")[1].split("</h3>")[0]
    return part.split("</table>")[0], re.findall(r"<li>(.*?)</li>", part)


def test_the_knowledge_exchange_names_the_pairs_not_yet_partners(
    programme: Programme, login: Login
) -> None:
    html = squeezed(login(programme.admin).get("/programme", headers=EN).get_data(as_text=True))
    table, pairs = _pairs(html, "What Ukrainian hospitals can share with partner hospitals")
    trauma = table.split("Emergency and trauma / polytrauma care</th>")[1].split("</tr>")[0]
    # Alpha and Bravo share it, Xray and Yankee want it, Alpha–Xray and Bravo–Yankee are pairs.
    assert re.findall(r">(\d+)</td>", trauma) == ["2", "2", "2", "2"]
    assert pairs == [
        "Alpha (Ukraine) can share it with Yankee (Germany)",
        "Bravo (Ukraine) can share it with Xray (Sweden)",
    ]
    table, pairs = _pairs(html, "What partner hospitals can share with Ukrainian hospitals")
    ipc = table.split("Infection prevention and control</th>")[1].split("</tr>")[0]
    assert re.findall(r">(\d+)</td>", ipc) == ["1", "1", "0", "1"]
    assert pairs == ["Xray (Sweden) can share it with Bravo (Ukraine)"]
    assert "Charlie" not in html  # wrote blanks only: neither shares nor wants anything


def test_the_seminar_filter_and_an_unknown_seminar(programme: Programme, login: Login) -> None:
    client = login(programme.admin)
    one = squeezed(
        client.get(f"/programme?seminar={programme.s2.id}", headers=EN).get_data(as_text=True)
    )
    assert '<span class="figure">2</span> partnerships' in one
    assert row(one, "Kyiv City") == 1 and row(one, "Lviv Oblast") == 0
    assert row(one, "Every stage approved") == 1 and row(one, "Not started") == 1
    for bad in ("999999", "abc", "-1", "1e3"):
        page = client.get(f"/programme?seminar={bad}", headers=EN)
        assert page.status_code == 422
        html = squeezed(page.get_data(as_text=True))
        assert f"There is no seminar “{bad}”: showing every seminar." in html
        assert '<span class="figure">5</span> partnerships' in html


def test_answers_of_an_unexpected_shape_are_passed_over(programme: Programme, login: Login) -> None:
    # Not what the save path stores, but what an old import or a hand-made row might hold.
    answer(programme.ey, "needs_matrix", ["ipc", 3, None, [1]], "ua")
    answer(programme.ey, "needs_matrix", {"row": "ipc", "can_share": "x"}, "partner")
    answer(programme.ey, "gap_table", "a text")
    answer(programme.ey, "priorities", [1, "p", None, {"row": "p1", "gap": "nowhere"}])
    answer(programme.dx, "needs_matrix", None, "ua")
    db.session.commit()
    page = login(programme.admin).get("/programme", headers=EN)
    assert page.status_code == 200
    html = squeezed(page.get_data(as_text=True))
    assert row(html, "Emergency and trauma / polytrauma care") == 2
    assert "4 partnerships have confirmed priorities." in html
    assert "2 of them have a priority that names no gap, so no area." in html
    _table, pairs = _pairs(html, "What partner hospitals can share with Ukrainian hospitals")
    assert pairs == ["Xray (Sweden) can share it with Bravo (Ukraine)"]


def test_a_programme_with_nothing_in_it_yet(app: object, login: Login) -> None:
    admin = factories.make_account(role=Role.ADMIN)
    db.session.commit()
    page = login(admin).get("/programme", headers=EN)
    assert page.status_code == 200
    html = squeezed(page.get_data(as_text=True))
    assert '<span class="figure">0</span> partnerships' in html
    assert row(html, "Lviv Oblast") == 0
    assert html.count("No hospital has said yet what it can share or wants to learn.") == 2


@pytest.mark.parametrize("who", ["facilitator", "head", "participant"])
def test_only_the_programme_lead_sees_it(world: World, login: Login, who: str) -> None:
    assert login(getattr(world, who)).get("/programme").status_code == 403


def test_a_stranger_is_sent_to_sign_in(client: FlaskClient, app: object) -> None:
    assert client.get("/programme").status_code == 302


def test_the_map_file_has_every_shape_and_the_table_every_region_once() -> None:
    drawn = (STATIC_DIR / ukraine_map.MAP_FILE).read_text(encoding="utf-8")
    ids = set(re.findall(r'\bid="([a-z-]+)"', drawn))
    assert ids == set(ukraine_map.SHAPES)
    codes = [code for shape in ukraine_map.SHAPES.values() for code in shape.codes]
    assert sorted(codes) == sorted(geo.UA_REGIONS)  # all 27, each on exactly one shape
    assert (STATIC_DIR / "maps" / "LICENSE.md").is_file()
    # Few counts: a colour each, spread over the scale; many: five equal ranges.
    assert [(b.low, b.high, b.shade) for b in ukraine_map.bands(2)] == [
        (0, 0, 0),
        (1, 1, 1),
        (2, 2, 5),
    ]
    assert [(b.low, b.high) for b in ukraine_map.bands(40)][1:] == [
        (1, 8),
        (9, 16),
        (17, 24),
        (25, 32),
        (33, 40),
    ]


# -- A thousand partnerships -------------------------------------------------------------------


def _bulk(count: int, seminar_id: int, start: int) -> None:
    """``count`` partnerships with answers and stage runs, inserted in bulk."""
    regions = sorted(geo.UA_REGIONS)
    partners = db.session.scalars(
        sa.select(Institution.id).where(Institution.country != "UA")
    ).all()
    if not partners:
        db.session.execute(
            sa.insert(Institution),
            [
                {"name_en": f"Partner {n}", "name_uk": None, "country": c, "region": None}
                for n, c in enumerate(["SE", "DE", "PL", "FR", "NL"] * 10)
            ],
        )
        partners = db.session.scalars(
            sa.select(Institution.id).where(Institution.country != "UA")
        ).all()
    ua_ids = db.session.scalars(
        sa.insert(Institution).returning(Institution.id),
        [
            {"name_en": f"Hospital {start + n}", "name_uk": f"Лікарня {start + n}",
             "country": "UA", "region": regions[n % len(regions)]}
            for n in range(count)
        ],
    ).all()  # fmt: skip
    ids = db.session.scalars(
        sa.insert(Partnership).returning(Partnership.id),
        [
            {"ua_institution_id": ua, "partner_institution_id": partners[n % len(partners)],
             "method_version": "2024.2", "focus_areas": [], "memorandum_date": date(2024, 1, 1)}
            for n, ua in enumerate(ua_ids)
        ],
    ).all()  # fmt: skip
    db.session.execute(
        sa.insert(seminar_partnership),
        [{"seminar_id": seminar_id, "partnership_id": pid} for pid in ids],
    )
    # Every area rated by each side, as a finished stage 2 is; two of them flagged.
    everything = [area.id for area in load("2024.2").by_role("needs_matrix").rows]
    flagged = everything[:5]
    answers, runs = [], []
    for n, pid in enumerate(ids):
        area, other = flagged[n % 5], flagged[(n + 1) % 5]
        for side, shares, learns in (("ua", area, other), ("partner", other, area)):
            matrix = needs(**{a: {"evidence": ["document"], "indicator": "x"} for a in everything})
            for cells in matrix:
                cells["status"] = (n + len(cells["row"])) % 4
                if cells["row"] == shares:
                    cells["can_share"] = "what we know"
                if cells["row"] == learns:
                    cells["want_to_learn"] = "what we miss"
            answers.append(
                {"partnership_id": pid, "question_key": "needs_matrix", "side": side,
                 "value": matrix}
            )  # fmt: skip
        answers += [
            {"partnership_id": pid, "question_key": "gap_table", "side": "",
             "value": [{"row": "g1", "area": area}, {"row": "g2", "area": other}]},
            {"partnership_id": pid, "question_key": "priorities", "side": "",
             "value": [{"row": "p1", "gap": "g1"}, {"row": "p2", "gap": "g2"}]},
        ]  # fmt: skip
        runs.append({"partnership_id": pid, "stage_key": "agreement", "status": "approved"})
    db.session.execute(sa.insert(Answer), answers)
    db.session.execute(sa.insert(StageRun), runs)
    db.session.commit()


def test_the_overview_costs_the_same_few_queries_for_10_and_1000_partnerships(
    app: object, login: Login
) -> None:
    admin = factories.make_account(role=Role.ADMIN)
    seminar = factories.make_seminar()
    db.session.commit()
    client = login(admin)
    _bulk(10, seminar.id, 0)
    counted = {}
    for size, more in ((10, 0), (1000, 990)):
        if more:
            _bulk(more, seminar.id, 10)
        for address in ("/programme", f"/programme?seminar={seminar.id}"):
            with count_queries() as statements:
                page = client.get(address, headers=EN)
            assert page.status_code == 200
            counted[size, address] = len(statements)
        html = squeezed(page.get_data(as_text=True))
        assert f'<span class="figure">{size}</span> partnerships' in html
    assert counted[10, "/programme"] == counted[1000, "/programme"] <= 10, counted
    assert len(set(counted.values())) == 1, counted
    # 1,000 pairs, 5 areas: each area shared by 200 Ukrainian hospitals and wanted by partners.
    assert "possible new pairs" in html
