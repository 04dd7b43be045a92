"""Guessing is slowed, nobody is locked out (ASVS 5.0 6.3.1): waits that grow with each failure
up to a cap, the owner's own browser never kept waiting, one address spraying many accounts
slowed, and a seminar room's right codes let in while the browser guessing beside them waits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD, World, make_account
from tests.test_auth import EN, sign_in
from workshop.extensions import db
from workshop.models import Membership, Role, Throttle, utcnow

UK = {"Accept-Language": "uk"}


@pytest.fixture
def long_waits(app: Flask) -> None:
    """Waits of a minute and more, so the values read back do not depend on test speed."""
    app.config["THROTTLE_FIRST_WAIT_SECONDS"] = 60


def time_passes() -> None:
    """As if every wait had run out: the clock moves past them, the counts stay."""
    db.session.execute(sa.update(Throttle).values(wait_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def retry_after(response: object) -> int:
    assert response.status_code == 429  # type: ignore[attr-defined]
    return int(response.headers["Retry-After"])  # type: ignore[attr-defined]


def from_address(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_each_wrong_password_past_the_free_ones_makes_the_next_wait_longer(
    app: Flask, client: FlaskClient, long_waits: None
) -> None:
    make_account(role=Role.FACILITATOR, email="target@example.org")
    db.session.commit()
    for _ in range(5):  # four free, and the fifth starts the first wait
        assert sign_in(client, "target@example.org", "guess").status_code == 422
    first = sign_in(client, "target@example.org", PASSWORD)  # even the right one: not checked
    assert 50 < retry_after(first) <= 60
    assert "Too many attempts. Try again in 1 minute." in first.get_data(as_text=True)

    waits = []
    for _ in range(8):
        time_passes()
        assert sign_in(client, "target@example.org", "guess").status_code == 422
        waits.append(retry_after(sign_in(client, "target@example.org", "guess")))
    assert 110 < waits[0] <= 120 and 230 < waits[1] <= 240  # doubling…
    assert all(250 < wait <= 300 for wait in waits[2:])  # …up to five minutes, never more

    time_passes()  # the owner, after the longest wait, is let in: there is no lock
    assert sign_in(client, "target@example.org", PASSWORD).status_code == 302


def test_the_wait_is_said_in_the_persons_language(client: FlaskClient, long_waits: None) -> None:
    make_account(role=Role.FACILITATOR, email="target@example.org")
    db.session.commit()
    for _ in range(5):
        sign_in(client, "target@example.org", "guess")
    page = client.post("/login", data={"email": "target@example.org", "password": "x"}, headers=UK)
    assert page.status_code == 429
    assert "через 1 хвилину" in page.get_data(as_text=True)


def test_the_owner_is_let_in_at_their_own_computer_while_the_account_is_attacked(
    app: Flask, long_waits: None
) -> None:
    make_account(role=Role.FACILITATOR, email="owner@example.org")
    db.session.commit()
    laptop = from_address(app, "192.0.2.10")
    assert sign_in(laptop, "owner@example.org", PASSWORD).status_code == 302
    laptop.post("/logout")

    attacker = from_address(app, "198.51.100.66")
    for _ in range(12):  # the account is driven to the longest wait
        sign_in(attacker, "owner@example.org", "guess")
        time_passes()
    sign_in(attacker, "owner@example.org", "guess")
    assert retry_after(sign_in(attacker, "owner@example.org", PASSWORD)) > 250

    # At their own laptop the owner gets in at once, even after a typo of their own.
    assert sign_in(laptop, "owner@example.org", "typo").status_code == 422
    assert sign_in(laptop, "owner@example.org", PASSWORD).status_code == 302
    laptop.post("/logout")
    # On a borrowed computer they wait while the attack goes on, but never long.
    borrowed = from_address(app, "192.0.2.11")
    assert retry_after(sign_in(borrowed, "owner@example.org", PASSWORD)) <= 300


def test_one_address_trying_many_accounts_is_slowed_but_nobody_elsewhere(
    app: Flask, client: FlaskClient, long_waits: None
) -> None:
    colleague = make_account(role=Role.FACILITATOR, email="colleague@example.org")
    remote = make_account(role=Role.FACILITATOR, email="remote@example.org")
    db.session.commit()
    # The colleague signed in from this computer before, behind the same address.
    office = app.test_client()
    assert sign_in(office, colleague.email or "", PASSWORD).status_code == 302
    office.post("/logout")

    answers = [sign_in(client, f"person{n}@example.org", "Spring2024!") for n in range(40)]
    checked = [a for a in answers if a.status_code == 422]
    refused = [a for a in answers if a.status_code == 429]
    assert len(checked) == 11 and len(refused) == 29  # ten free, then every try waits
    assert all(int(a.headers["Retry-After"]) > 0 for a in refused)

    assert sign_in(office, colleague.email or "", PASSWORD).status_code == 302
    elsewhere = from_address(app, "203.0.113.20")
    assert sign_in(elsewhere, remote.email or "", PASSWORD).status_code == 302


def test_the_rooms_right_codes_get_in_while_the_guessing_browser_waits(
    app: Flask, world: World, client: FlaskClient
) -> None:
    # A script behind the room's address tries more wrong codes than a room ever types, from
    # a fresh browser each time (more than the 200 that once shut the whole address out).
    for _ in range(201):
        script = app.test_client()
        assert script.post("/join", data={"code": "ZZZZZ-ZZZZZ"}).status_code == 422
    # A browser that keeps its cookies waits after its first wrong code at a busy address…
    assert client.post("/join", data={"code": "ZZZZZ-ZZZZZ"}).status_code == 422
    blocked = client.post("/join", data={"code": world.seminar.join_code}, headers=EN)
    assert retry_after(blocked) > 0
    assert "Too many attempts" in blocked.get_data(as_text=True)
    # …while thirty colleagues behind the same address join with the right code.
    before = db.session.scalar(sa.select(sa.func.count(Membership.id)))
    for n in range(30):
        colleague = app.test_client()
        assert colleague.post("/join", data={"code": world.seminar.join_code}).status_code == 302
        seat = {"partnership": world.partnership.id, "side": "ua", "display_name": f"C{n}"}
        assert colleague.post("/join/details", data=seat).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == before + 30  # type: ignore[operator]
    # And a returning participant comes back with their code from the same address.
    code = world.participant.test_return_code  # type: ignore[attr-defined]
    assert app.test_client().post("/resume", data={"code": code}).status_code == 302


def test_a_person_mistyping_a_code_is_not_slowed_at_once(world: World, client: FlaskClient) -> None:
    for _ in range(5):
        assert client.post("/join", data={"code": "ZZZZZ-ZZZZZ"}).status_code == 422
    assert client.post("/join", data={"code": world.seminar.join_code}).status_code == 302


def test_the_seat_form_is_limited_per_browser(world: World, client: FlaskClient) -> None:
    assert client.post("/join", data={"code": world.seminar.join_code}).status_code == 302
    for _ in range(20):
        assert client.post("/join/details", data={}, headers=EN).status_code == 422
    refused = client.post("/join/details", data={}, headers=EN)
    assert retry_after(refused) > 50 * 60  # the rest of the hour
    assert "Too many attempts" in refused.get_data(as_text=True)


def test_one_address_takes_a_limited_number_of_seats_an_hour(app: Flask, world: World) -> None:
    app.config["JOINS_PER_ADDRESS_HOUR"] = 3

    def join(client: FlaskClient, n: int) -> object:
        client.post("/join", data={"code": world.seminar.join_code})
        seat = {"partnership": world.partnership.id, "side": "ua", "display_name": f"P{n}"}
        return client.post("/join/details", data=seat, headers=EN)

    for n in range(3):
        assert join(from_address(app, "198.51.100.7"), n).status_code == 200
    assert retry_after(join(from_address(app, "198.51.100.7"), 3)) > 0
    assert join(from_address(app, "203.0.113.8"), 4).status_code == 200


def test_an_ipv6_host_cannot_hop_addresses_within_its_network(app: Flask, long_waits: None) -> None:
    answers = [
        sign_in(from_address(app, f"2001:db8:1:2::{n:x}"), f"p{n}@example.org", "x")
        for n in range(12)
    ]
    assert [a.status_code for a in answers][-1] == 429
