"""Dot voting: a budget each, anonymous, hidden until a facilitator reveals the result."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World, make_participant
from tests.test_review import client_for
from workshop.extensions import db
from workshop.groupwork.answers.wire import ROW_ID
from workshop.models import Answer, Side, StageRun, Vote

EN = {"Accept-Language": "en"}


def _setup(app: Flask, world: World) -> tuple[FlaskClient, FlaskClient, FlaskClient, str]:
    db.session.add(
        StageRun(partnership_id=world.partnership.id, stage_key="priorities", opened_early=True)
    )
    db.session.add(
        StageRun(partnership_id=world.partnership.id, stage_key="needs", opened_early=True)
    )
    db.session.commit()
    ua = client_for(app, world.participant)
    partner_person = make_participant(
        partnership=world.partnership, seminar=world.seminar, side=Side.PARTNER
    )
    db.session.commit()
    partner = client_for(app, partner_person)
    base = f"/partnerships/{world.partnership.id}"
    for client, names in (
        (ua, ["Hand hygiene", "Trauma team"]),
        (partner, ["hand hygiene", "ECMO"]),
    ):
        response = client.post(
            base + "/answers",
            json={
                "question": "candidate_scores",
                "base_version": 0,
                "value": [{"candidate": n, "policy": 3} for n in names],
            },
        )
        assert response.status_code == 200
    return ua, partner, client_for(app, world.facilitator), base + "/stages/priorities"


def _ballot(client: FlaskClient, url: str) -> dict[str, str]:
    """The candidates on the ballot, by name, with the row id each vote is kept under."""
    page = client.get(url, headers=EN).get_data(as_text=True)
    found = re.findall(
        r'<input type="hidden" name="candidate" value="([^"]+)">\s*<label for="dots-\d+">([^<]+)<',
        page,
    )
    return {name: row_id for row_id, name in found}


def _vote(client: FlaskClient, url: str, dots: dict[str, str]) -> object:
    ids = _ballot(client, url)
    keys = [ids.get(name, name) for name in dots]
    return client.post(
        url + "/votes", headers=EN, data={"candidate": keys, "dots": list(dots.values())}
    )


def test_dots_are_hidden_until_revealed_and_never_show_who(app: Flask, world: World) -> None:
    ua, partner, facilitator, url = _setup(app, world)
    ballot = _ballot(ua, url)
    # The same candidate named by both sides (in other letters) is on the ballot once.
    assert sorted(ballot) == ["ECMO", "Hand hygiene", "Trauma team"]
    assert all(ROW_ID.match(row_id) for row_id in ballot.values())
    assert _vote(ua, url, {"Hand hygiene": "2", "Trauma team": "1"}).status_code == 302
    assert _vote(partner, url, {"Hand hygiene": "1", "ECMO": "2"}).status_code == 302

    hidden = facilitator.get(url, headers=EN).get_data(as_text=True)
    assert "2 people have voted." in hidden
    assert "The result is hidden" in hidden
    assert "tally" not in hidden

    assert facilitator.post(url + "/votes/reveal", data={"revealed": "1"}).status_code == 302
    shown = ua.get(url, headers=EN).get_data(as_text=True)
    result = shown.split('<ol class="tally">')[1].split("</ol>")[0]
    assert result.index("Hand hygiene") < result.index("ECMO")
    assert "3 dots" in result
    assert world.participant.display_name not in result


def test_over_budget_or_strange_ballots_are_refused_and_change_nothing(
    app: Flask, world: World
) -> None:
    ua, _partner, _facilitator, url = _setup(app, world)
    assert _vote(ua, url, {"Hand hygiene": "1"}).status_code == 302
    for ballot, message in (
        ({"Hand hygiene": "2", "Trauma team": "2"}, "You have 3 dots but gave 4."),
        ({"Hand hygiene": "-1"}, "from 0 to 3"),
        ({"Hand hygiene": "1.5"}, "from 0 to 3"),
        ({"Astrology": "1"}, "The candidates changed meanwhile"),
    ):
        response = _vote(ua, url, ballot)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    dots = db.session.scalars(sa.select(Vote.dots)).all()
    assert dots == [1]


def test_only_facilitators_reveal(app: Flask, world: World) -> None:
    ua, _partner, _facilitator, url = _setup(app, world)
    assert ua.post(url + "/votes/reveal", data={"revealed": "1"}).status_code == 403


def test_dots_are_kept_by_row_and_follow_a_renamed_candidate(app: Flask, world: World) -> None:
    ua, _partner, facilitator, url = _setup(app, world)
    assert _vote(ua, url, {"Trauma team": "3"}).status_code == 302
    (stored,) = db.session.scalars(sa.select(Vote.candidate)).all()
    assert stored == _ballot(ua, url)["Trauma team"]  # the row id, not the text
    base = url.rsplit("/stages", 1)[0]
    rows = ua.get(base + "/stages/priorities", headers=EN)
    assert rows.status_code == 200
    answer = db.session.scalar(
        sa.select(Answer).where(Answer.question_key == "candidate_scores", Answer.side == "ua")
    )
    renamed = [
        {**row, "candidate": "Trauma team (paediatric)"}
        if row["candidate"] == "Trauma team"
        else row
        for row in answer.value
    ]
    saved = ua.post(
        base + "/answers",
        json={"question": "candidate_scores", "base_version": answer.version, "value": renamed},
    )
    assert saved.status_code == 200
    assert facilitator.post(url + "/votes/reveal", data={"revealed": "1"}).status_code == 302
    shown = ua.get(url, headers=EN).get_data(as_text=True)
    result = shown.split('<ol class="tally">')[1].split("</ol>")[0]
    assert "Trauma team (paediatric)" in result and "3 dots" in result


def test_votes_cast_by_name_before_row_ids_still_count(app: Flask, world: World) -> None:
    ua, _partner, facilitator, url = _setup(app, world)
    db.session.add(
        Vote(
            partnership_id=world.partnership.id,
            stage_key="priorities",
            voter_id=world.participant.id,
            candidate="hand hygiene",
            dots=2,
        )
    )
    db.session.commit()
    assert facilitator.post(url + "/votes/reveal", data={"revealed": "1"}).status_code == 302
    shown = ua.get(url, headers=EN).get_data(as_text=True)
    result = shown.split('<ol class="tally">')[1].split("</ol>")[0]
    assert "Hand hygiene" in result and "2 dots" in result
    assert 'value="2"' in shown  # and the voter sees their own dots in the form
