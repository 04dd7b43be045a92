"""Facilitators running a seminar: details, the join code, partnerships, facilitators, people."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.factories import World, make_account, make_partnership
from workshop import codes
from workshop.extensions import db
from workshop.models import Account, Role, Seminar

EN = {"Accept-Language": "en"}


def test_a_facilitator_creates_a_seminar_they_then_run(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.other_facilitator)
    response = client.post(
        "/seminars/new",
        data={
            "title_uk": "Львівський семінар",
            "title_en": "Lviv seminar",
            "starts_on": "2024-03-01",
            "ends_on": "2024-03-02",
            "venue_en": "Lviv",
            "venue_uk": "Львів",
        },
    )
    assert response.status_code == 302
    seminar = db.session.scalar(sa.select(Seminar).where(Seminar.title_en == "Lviv seminar"))
    assert seminar is not None
    assert [f.id for f in seminar.facilitators] == [world.other_facilitator.id]
    assert codes.looks_valid(seminar.join_code, codes.JOIN_CODE_LENGTH)
    assert codes.entropy_bits(len(seminar.join_code)) >= 40
    assert client.get(f"/seminars/{seminar.id}").status_code == 200


def test_seminar_dates_out_of_order_are_refused_and_input_kept(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.facilitator)
    response = client.post(
        "/seminars/new",
        data={
            "title_uk": "С",
            "title_en": "Backwards",
            "starts_on": "2024-03-02",
            "ends_on": "2024-03-01",
        },
        headers=EN,
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The last day cannot be before the first." in page
    assert 'value="Backwards"' in page
    assert db.session.scalar(sa.select(Seminar).where(Seminar.title_en == "Backwards")) is None


def test_rotating_the_code_stops_the_old_one_and_closing_stops_all(
    world: World, login: Callable[[Account], FlaskClient], app: object
) -> None:
    client = login(world.facilitator)
    old = world.seminar.join_code
    assert client.post(f"/seminars/{world.seminar.id}/code/rotate").status_code == 302
    db.session.refresh(world.seminar)
    assert world.seminar.join_code != old
    assert client.post(f"/seminars/{world.seminar.id}/code/open", data={}).status_code == 302
    db.session.refresh(world.seminar)
    assert world.seminar.join_open is False
    client.post(f"/seminars/{world.seminar.id}/code/open", data={"open": "y"})
    db.session.refresh(world.seminar)
    assert world.seminar.join_open is True


def test_adding_partnerships_and_facilitators(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.facilitator)
    extra = make_partnership()
    colleague = make_account(role=Role.FACILITATOR)
    db.session.commit()
    url = f"/seminars/{world.seminar.id}"
    assert client.post(url + "/partnerships", data={"partnership": extra.id}).status_code == 302
    again = client.post(url + "/partnerships", data={"partnership": extra.id}, headers=EN)
    assert again.status_code == 422
    assert "already takes part" in again.get_data(as_text=True)
    assert client.post(url + "/facilitators", data={"account": colleague.id}).status_code == 302
    db.session.refresh(world.seminar)
    assert extra in world.seminar.partnerships
    assert colleague in world.seminar.facilitators
    # A participant cannot be made a facilitator through a crafted post.
    crafted = client.post(url + "/facilitators", data={"account": world.participant.id})
    assert crafted.status_code == 422


def test_the_seminar_page_lists_the_people_who_joined(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    page = login(world.facilitator).get(f"/seminars/{world.seminar.id}").get_data(as_text=True)
    assert world.participant.display_name in page
    assert world.other_participant.display_name not in page
    assert codes.grouped(world.seminar.join_code) in page
