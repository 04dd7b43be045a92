"""Every row shows where it came from and what it led to: need → gap → priority → objective →
activity, on the stage pages and on the trace page."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import make_participant
from workshop.extensions import db
from workshop.groupwork.answers import services
from workshop.groupwork.trace import lineage
from workshop.method.definition import load
from workshop.models import Account, Partnership, StageRun

EN = {"Accept-Language": "en"}


@pytest.fixture
def reader(demo_table: Partnership, login: Callable[[Account], FlaskClient]) -> FlaskClient:
    facilitator = db.session.scalar(
        sa.select(Account).where(Account.email == "facilitator@demo.twinning.test")
    )
    assert facilitator is not None
    return login(facilitator)


def _nested(page: str, outer: str, inner: str) -> bool:
    """Whether the list item with id ``inner`` sits inside the one with id ``outer``."""
    start = page.index(f'id="{outer}"')  # inside the item's own <li> tag
    depth, position = 1, start
    for match in re.finditer(r"<li\b|</li>", page[start:]):
        depth += 1 if match.group() == "<li" else -1
        if depth == 0:
            position = start + match.end()
            break
    return f'id="{inner}"' in page[start:position]


def test_the_trace_page_puts_each_row_under_the_row_it_came_from(
    reader: FlaskClient, demo_table: Partnership
) -> None:
    page = reader.get(f"/partnerships/{demo_table.id}/trace", headers=EN).get_data(as_text=True)
    chain = [
        "trace-needs_matrix-emergency_trauma",
        "trace-gap_table-gap-trauma",
        "trace-priorities-pri-trauma",
        "trace-objectives-obj-trauma",
        "trace-activities-act-webinar",
    ]
    for outer, inner in itertools.pairwise(chain):
        assert _nested(page, outer, inner), (outer, inner)
    assert not _nested(page, "trace-gap_table-gap-trauma", "trace-activities-act-bundle")
    # Each side's rating of the area the chain starts from, the Ukrainian hospital first.
    assert "(Ukrainian hospital: 3/3; Partner hospital: 2/3)" in page
    # A second objective of one priority sits beside the first, each with its activity.
    assert _nested(page, "trace-priorities-pri-ipc", "trace-objectives-obj-hand-hygiene")
    assert _nested(page, "trace-objectives-obj-hand-hygiene", "trace-activities-act-hand-hygiene")
    assert not _nested(page, "trace-objectives-obj-clabsi", "trace-activities-act-hand-hygiene")
    # An area the pair added to the method's list starts a chain of its own.
    assert _nested(page, "trace-needs_matrix-area-ecmo", "trace-gap_table-gap-ecmo")
    ecmo = page.split('id="trace-needs_matrix-area-ecmo"')[1].split("<li")[0]
    assert (
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", ecmo))
        .strip()
        .endswith("ЕКМО у дітей / Paediatric ECMO (Ukrainian hospital: 1/3; Partner hospital: 3/3)")
    )
    assert "Not linked yet" not in page  # the demo plan is linked end to end


def test_stage_tables_say_what_each_row_led_to_and_name_their_source(
    reader: FlaskClient, demo_table: Partnership
) -> None:
    base = f"/partnerships/{demo_table.id}"
    needs = reader.get(base + "/stages/needs", headers=EN).get_data(as_text=True)
    assert "Led to" in needs
    assert f'href="{base}/trace#trace-gap_table-gap-ipc"' in needs
    assert f'href="{base}/trace#trace-gap_table-gap-ecmo"' in needs  # from an added area
    plan = reader.get(base + "/stages/action_plan", headers=EN).get_data(as_text=True)
    # An activity names its objective by the objective's words, linked to the trace.
    assert f'href="{base}/trace#trace-objectives-obj-trauma">Activate a trauma team' in plan


def test_a_gap_is_named_by_its_areas_words(reader: FlaskClient, demo_table: Partnership) -> None:
    base = f"/partnerships/{demo_table.id}"
    trace = reader.get(base + "/trace", headers=EN).get_data(as_text=True)
    assert "Infection prevention and control — No routine surveillance of CLABSI" in trace
    assert "ЕКМО у дітей / Paediatric ECMO — Немає цілодобової готовності" in trace
    needs = reader.get(base + "/stages/needs", headers=EN).get_data(as_text=True)
    assert "Gap: Infection prevention and control — No routine" in needs


def test_a_removed_source_is_shown_not_hidden(reader: FlaskClient, demo_table: Partnership) -> None:
    priorities = services.current(demo_table.id, demo_table.cycle, "priorities")
    assert priorities is not None
    author = db.session.scalar(sa.select(Account).where(Account.email.is_not(None)))
    services.save_answer(
        partnership_id=demo_table.id,
        cycle=demo_table.cycle,
        key="priorities",
        side="",
        value=[row for row in priorities.value if row["row"] != "pri-trauma"],
        base_version=priorities.version,
        actor=author,
    )
    db.session.commit()
    base = f"/partnerships/{demo_table.id}"
    plan = reader.get(base + "/stages/action_plan", headers=EN).get_data(as_text=True)
    assert "(removed item)" in plan
    assert "Objective 2</strong> serves a priority that was removed." in plan
    trace = reader.get(base + "/trace", headers=EN).get_data(as_text=True)
    loose = trace.split("Not linked yet")[1]
    assert 'id="trace-objectives-obj-trauma"' in loose
    assert "its source was removed" in loose
    assert _nested(trace, "trace-objectives-obj-trauma", "trace-activities-act-visit")


def test_a_participant_chooses_the_source_row_from_the_earlier_table(
    demo_table: Partnership, login: Callable[[Account], FlaskClient]
) -> None:
    partnership = db.session.scalar(sa.select(Partnership).order_by(Partnership.id).offset(1))
    assert partnership is not None
    person = make_participant(partnership=partnership, seminar=partnership.seminars[0])
    for key in ("needs", "priorities", "action_plan"):
        db.session.add(StageRun(partnership_id=partnership.id, stage_key=key, opened_early=True))
    db.session.commit()
    client = login(person)
    base = f"/partnerships/{partnership.id}"
    client.post(
        base + "/answers",
        json={
            "question": "priorities",
            "base_version": 0,
            "value": [{"row": "p-wash", "priority": "Clean water on every ward"}],
        },
    )
    page = client.get(base + "/stages/action_plan", headers=EN).get_data(as_text=True)
    options = re.findall(r'<option value="p-wash"\s*>Clean water on every ward</option>', page)
    assert options  # every empty objective row offers the priority by its words
    response = client.post(
        base + "/stages/action_plan/objectives",
        data={
            "v.objectives": "0",
            "q.objectives.o1.priority": "p-wash",
            "q.objectives.o1.objective": "Water tested weekly",
        },
        headers=EN,
    )
    assert response.status_code == 302
    stored = services.current(partnership.id, partnership.cycle, "objectives")
    assert stored is not None
    assert stored.value == [{"row": "o1", "priority": "p-wash", "objective": "Water tested weekly"}]
    page = client.get(base + "/stages/priorities", headers=EN).get_data(as_text=True)
    assert "Objective: Water tested weekly" in page  # the priority says what it led to


def test_lineage_merges_each_sides_rating_of_one_area_into_one_item(app: Flask) -> None:
    method = load("2024.1")
    values = {
        ("needs_matrix", "ua"): [{"row": "ipc", "status": 1}],
        ("needs_matrix", "partner"): [{"row": "ipc", "status": 3}],
        ("gap_table", ""): [{"row": "g1", "area": "ipc", "gap": "No surveillance"}],
        ("priorities", ""): [{"row": "p1", "priority": "IPC", "gap": "g1"}],
    }
    found = lineage.build(method, values, "en")
    (area,) = [i for i in found.items.values() if i.table.key == "needs_matrix"]
    assert area.sides == ("ua", "partner")
    assert area.statuses == (("ua", 1), ("partner", 3))
    assert [i.row for i in found.led_to("needs_matrix", "ipc")] == ["g1"]
    assert [i.label for i in found.came_from("priorities", "p1")] == [
        "Infection prevention and control — No surveillance"
    ]
    assert found.unlinked() == []
