"""Facilitators running a seminar: details, the join code, partnerships, facilitators, people."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.factories import World, make_account, make_partnership, make_seminar
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
    rotate = f"/seminars/{world.seminar.id}/code/rotate"
    assert client.post(rotate, data={"confirm": "yes"}).status_code == 302
    db.session.refresh(world.seminar)
    assert world.seminar.join_code != old
    closing = client.post(f"/seminars/{world.seminar.id}/code/open", data={"confirm": "yes"})
    assert closing.status_code == 302
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


def _offered(page: str, select_name: str) -> set[int]:
    """The ids a select of the page offers (its placeholder left out)."""
    found = re.search(rf'<select[^>]*name="{select_name}".*?</select>', page, re.DOTALL)
    assert found is not None, f"no select {select_name}"
    return {int(v) for v in re.findall(r'<option[^>]*value="(\d+)"', found.group(0))}


def test_a_facilitator_cannot_take_over_another_seminars_partnership(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    """Outside testing: a crafted id in the form attached any partnership, and with it its
    work, its reviews and its table. Now it is "not a choice", like an id that does not exist."""
    client = login(world.facilitator)
    url = f"/seminars/{world.seminar.id}"
    crafted = client.post(
        url + "/partnerships", data={"partnership": world.other_partnership.id}, headers=EN
    )
    assert crafted.status_code == 422
    assert "Choose a partnership." in crafted.get_data(as_text=True)
    db.session.expire_all()
    assert world.other_partnership not in world.seminar.partnerships
    assert client.get(f"/partnerships/{world.other_partnership.id}").status_code == 404
    review = f"/partnerships/{world.other_partnership.id}/stages/agreement/review"
    assert client.post(review, data={"action": "approve"}).status_code == 404


def test_the_choice_offers_own_partnerships_and_unplaced_ones_only(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    next_seminar = make_seminar(facilitators=[world.facilitator])
    unplaced = make_partnership()
    db.session.commit()
    client = login(world.facilitator)
    page = client.get(f"/seminars/{next_seminar.id}").get_data(as_text=True)
    assert _offered(page, "partnership") == {world.partnership.id, unplaced.id}
    # Both may be brought in: a pair moving on to the next seminar, one from the pool.
    for partnership in (world.partnership, unplaced):
        added = client.post(
            f"/seminars/{next_seminar.id}/partnerships", data={"partnership": partnership.id}
        )
        assert added.status_code == 302
    db.session.expire_all()
    assert {p.id for p in next_seminar.partnerships} == {world.partnership.id, unplaced.id}
    # An admin is offered every partnership the seminar does not have yet.
    admin_page = login(world.admin).get(f"/seminars/{world.seminar.id}").get_data(as_text=True)
    assert _offered(admin_page, "partnership") == {world.other_partnership.id, unplaced.id}


@pytest.mark.parametrize("who", ["head", "admin", "participant", "switched_off", "missing"])
def test_only_a_switched_on_facilitator_account_can_be_added_as_facilitator(
    world: World, login: Callable[[Account], FlaskClient], who: str
) -> None:
    accounts = {
        "head": lambda: world.head.id,
        "admin": lambda: world.admin.id,
        "participant": lambda: world.participant.id,
        "switched_off": lambda: make_account(role=Role.FACILITATOR, active=False).id,
        "missing": lambda: 2**31 - 1,
    }
    account_id = accounts[who]()
    db.session.commit()
    client = login(world.facilitator)
    response = client.post(
        f"/seminars/{world.seminar.id}/facilitators", data={"account": account_id}, headers=EN
    )
    assert response.status_code == 422
    assert "Choose a facilitator." in response.get_data(as_text=True)
    db.session.expire_all()
    assert [f.id for f in world.seminar.facilitators] == [world.facilitator.id]


def test_a_facilitator_picks_a_colleague_by_name_and_sees_only_co_facilitators_emails(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    stranger = make_account(role=Role.FACILITATOR, email="stranger@far.example")
    co = make_account(role=Role.FACILITATOR, email="co@near.example")
    make_seminar(facilitators=[world.facilitator, co])  # they run another seminar together
    twins = [
        make_account(role=Role.FACILITATOR, email=f"olena@{domain}") for domain in ("a.ua", "b.se")
    ]
    for twin in twins:
        twin.display_name = "Olena Shevchenko"
    db.session.commit()
    page = login(world.facilitator).get(f"/seminars/{world.seminar.id}").get_data(as_text=True)
    assert stranger.display_name in page
    assert "stranger@far.example" not in page
    assert world.other_facilitator.email not in page  # another seminar's facilitator
    assert "co@near.example" in page
    # Namesakes differ by their organisation's domain, never by the address itself.
    assert "Olena Shevchenko (…@a.ua)" in page and "Olena Shevchenko (…@b.se)" in page
    assert "olena@a.ua" not in page
    # Admins create the accounts and see every address.
    admin_page = login(world.admin).get(f"/seminars/{world.seminar.id}").get_data(as_text=True)
    assert "stranger@far.example" in admin_page and "olena@a.ua" in admin_page


def test_the_only_facilitator_cannot_leave_a_seminar_unrun_but_an_admin_can_take_them_off(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    url = f"/seminars/{world.seminar.id}/facilitators/{world.facilitator.id}/remove"
    refused = login(world.facilitator).post(url, data={"confirm": "yes"}, headers=EN)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "A seminar needs a facilitator: add another one before removing this one." in page
    db.session.expire_all()
    assert world.facilitator in world.seminar.facilitators
    assert login(world.admin).post(url, data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert world.seminar.facilitators == []


def test_a_facilitator_leaving_a_seminar_lands_on_their_list_without_it(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    colleague = make_account(role=Role.FACILITATOR)
    world.seminar.facilitators.append(colleague)
    db.session.commit()
    client = login(world.facilitator)
    url = f"/seminars/{world.seminar.id}/facilitators/{world.facilitator.id}/remove"
    left = client.post(url, data={"confirm": "yes"}, headers=EN)
    assert left.status_code == 302
    assert left.headers["Location"].endswith("/seminars/")
    assert client.get(f"/seminars/{world.seminar.id}").status_code == 404
    db.session.expire_all()
    assert world.seminar.facilitators == [colleague]


def _venue_page(client: FlaskClient, seminar: Seminar, lang: str) -> str:
    headers = {"Accept-Language": lang}
    listing = client.get("/seminars/", headers=headers).get_data(as_text=True)
    detail = client.get(f"/seminars/{seminar.id}", headers=headers).get_data(as_text=True)
    return listing + detail


def test_the_venue_is_shown_in_the_readers_language_else_in_the_other(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    world.seminar.venue_uk, world.seminar.venue_en = "Палац «Україна»", "Ukraina Palace"
    db.session.commit()
    client = login(world.facilitator)
    ukrainian, english = (
        _venue_page(client, world.seminar, "uk"),
        _venue_page(client, world.seminar, "en"),
    )
    assert "Палац «Україна»" in ukrainian and "Ukraina Palace" not in ukrainian
    assert "Ukraina Palace" in english and "Палац «Україна»" not in english
    # Typed in one language only: both readers see it.
    world.seminar.venue_en = None
    db.session.commit()
    assert "Палац «Україна»" in _venue_page(client, world.seminar, "en")
    world.seminar.venue_uk, world.seminar.venue_en = None, "Ukraina Palace"
    db.session.commit()
    assert "Ukraina Palace" in _venue_page(client, world.seminar, "uk")
