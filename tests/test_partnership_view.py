"""The partnership view (/partnerships/<id>/overview): every stage's answers with both sides,
needs ↔ offers, the score matrix, dot votes only once revealed, the plan, each chart with its
alternative; and who may read it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests import factories
from tests.factories import World
from workshop.extensions import db
from workshop.models import Account, Answer, Partnership, Role, StageRun, Vote

EN = {"Accept-Language": "en"}
Login = Callable[[Account], FlaskClient]


def url(partnership: Partnership) -> str:
    return f"/partnerships/{partnership.id}/overview"


def account(email: str) -> Account:
    found = db.session.scalar(sa.select(Account).where(Account.email == email))
    assert found is not None
    return found


def squeezed(html: str) -> str:
    return " ".join(html.split())


def test_a_facilitator_reads_both_sides_needs_scores_priorities_and_the_plan(
    demo_table: Partnership, login: Login
) -> None:
    page = login(account("facilitator@demo.twinning.test")).get(url(demo_table), headers=EN)
    assert page.status_code == 200
    html = squeezed(page.get_data(as_text=True))
    # Both hospitals, and where each stage stands.
    assert "Okhmatdyt" in html and "Karolinska University Hospital" in html
    assert '4. Action plan <span class="tag">submitted for review</span>' in html
    # Needs ↔ offers: each side's status and flags per area, and the matches both ways.
    matrix = html.split('class="compact needs-matrix"')[1].split("</table>")[0]
    trauma = matrix.split("Emergency and trauma / polytrauma care</th>")[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", trauma)
    assert cells[0] == "3 — fully" and "Polytrauma under attack" in cells[2]  # Ukraine shares
    assert cells[3] == "2 — mostly" and "Mass-casualty triage" in cells[4]  # the partner learns
    assert "From the Ukrainian hospital to the partner hospital" in html
    assert "From the partner hospital to the Ukrainian hospital" in html
    # The criteria matrix: each side's score per criterion, totals, a big disagreement marked.
    scores = html.split('class="compact score-matrix"')[1].split("</table>")[0]
    trauma_team = scores.split("Paediatric trauma team</th>")[1].split("</tr>")[0]
    assert '<td class="num apart"><strong>⚠ 4 / 1</strong>' in trauma_team
    assert '<td class="num">62 / 55</td>' in trauma_team
    assert scores.count("num apart") == 1
    # Priorities, the plan's dates and timeline, and every answer in the annex (per side too).
    assert "Priority 1: Infection prevention in the paediatric ICU" in html
    assert 'Plan starts on</dt><dd class="answer-text">15 January 2024' in html
    assert "Timeline of the activities" in html
    assert "Stage 1. Partnership development (agreement)</summary>" in html
    assert "Assessment by area (Ukrainian hospital)" in html
    assert "Assessment by area (Partner hospital)" in html


def test_every_chart_has_alt_text_and_its_data_as_a_table(
    demo_table: Partnership, login: Login
) -> None:
    html = squeezed(login(account("admin@demo.twinning.test")).get(url(demo_table)).get_data(True))
    figures = re.findall(
        r'<figure class="chart"> <img alt="([^"]*)" src="data:image/svg\+xml;base64,', html
    )
    # The ratings, the weighted totals and the timeline at least.
    assert len(figures) >= 3
    for alt in figures:
        assert len(alt) > 40
    after = html.split('<figure class="chart">')[1:]
    for part in after:
        table = part.split("</figure>", 1)[1].lstrip()
        assert table.startswith('<details class="chart-data">')
        assert "<table" in table.split("</details>")[0]


def _vote(partnership: Partnership) -> dict[str, int]:
    """Two participants' dots on the demo's candidates; the candidate rows' names → dots."""
    voters = [m.account_id for m in partnership.memberships]
    rows = db.session.scalar(
        sa.select(Answer.value).where(
            Answer.partnership_id == partnership.id,
            Answer.question_key == "candidate_scores",
            Answer.side == "ua",
        )
    )
    first, second = rows[0], rows[1]
    db.session.add_all(
        [
            Vote(partnership_id=partnership.id, cycle=1, stage_key="priorities",
                 voter_id=voters[0], candidate=first["row"], dots=2),
            Vote(partnership_id=partnership.id, cycle=1, stage_key="priorities",
                 voter_id=voters[1], candidate=first["row"], dots=3),
            Vote(partnership_id=partnership.id, cycle=1, stage_key="priorities",
                 voter_id=voters[1], candidate=second["row"], dots=1),
        ]
    )  # fmt: skip
    db.session.commit()
    return {first["candidate"]: 5, second["candidate"]: 1}


def test_dot_votes_stay_hidden_until_a_facilitator_reveals_them(
    demo_table: Partnership, login: Login
) -> None:
    expected = _vote(demo_table)
    client = login(account("admin@demo.twinning.test"))
    hidden = squeezed(client.get(url(demo_table), headers=EN).get_data(as_text=True))
    assert "The dot votes are hidden until a facilitator reveals them." in hidden
    assert "Dot votes per candidate" not in hidden
    assert "Dots</th>" not in hidden  # no tally anywhere, the annex included

    run = db.session.scalar(
        sa.select(StageRun).where(
            StageRun.partnership_id == demo_table.id, StageRun.stage_key == "priorities"
        )
    )
    assert run is not None
    run.votes_revealed = True
    db.session.commit()
    shown = squeezed(client.get(url(demo_table), headers=EN).get_data(as_text=True))
    assert "The dot votes are hidden" not in shown
    assert "Dot votes per candidate" in shown
    for name, dots in expected.items():
        assert f'<th scope="row">{name}</th><td class="num">{dots}</td>' in shown


def test_a_partnership_with_no_answers_says_so(world: World, login: Login) -> None:
    page = login(world.admin).get(url(world.partnership), headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Neither side has rated an area yet." in html
    assert "No candidate has been scored yet." in html
    assert "No activities are planned yet." in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("facilitator", 200),
        ("head", 200),
        ("participant", 200),  # their own table's overview: their own work
        ("other_facilitator", 404),
        ("other_head", 404),
        ("other_participant", 404),
    ],
)
def test_who_may_read_a_partnership_view(world: World, login: Login, who: str, status: int) -> None:
    assert login(getattr(world, who)).get(url(world.partnership)).status_code == status


def test_the_partner_side_head_reads_it_and_a_stranger_is_sent_to_sign_in(
    world: World, login: Login, client: FlaskClient
) -> None:
    assert client.get(url(world.partnership)).status_code == 302
    partner_head = factories.make_account(
        role=Role.HEAD, institution=world.partnership.partner_institution
    )
    db.session.commit()
    assert login(partner_head).get(url(world.partnership)).status_code == 200
    assert login(world.admin).get("/partnerships/999999/overview").status_code == 404
