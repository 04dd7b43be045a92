"""Signing in and out, joining by code, coming back by return code, and their limits."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD, World, browser_for, make_account, make_seminar
from workshop import codes
from workshop.auth.services import open_session
from workshop.extensions import db
from workshop.models import Account, AuditEvent, AuthSession, Membership, Role, Side

EN = {"Accept-Language": "en"}


def sign_in(client: FlaskClient, email: str, password: str) -> object:
    return client.post("/login", data={"email": email, "password": password}, headers=EN)


def test_staff_sign_in_and_out_ends_the_session_on_the_server(
    app: Flask, client: FlaskClient
) -> None:
    account = make_account(role=Role.FACILITATOR, email="fac@example.org")
    db.session.commit()
    response = sign_in(client, "FAC@example.org ", PASSWORD)
    assert response.status_code == 302
    assert client.get("/seminars/", headers=EN).status_code == 200
    stolen_cookie = client.get_cookie("session")
    assert stolen_cookie is not None

    assert client.post("/logout").headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/seminars/").status_code == 302
    # Replaying the old cookie does not bring the session back: the server ended it.
    other = app.test_client()
    other.set_cookie("session", stolen_cookie.value)
    assert other.get("/seminars/").status_code == 302
    rows = db.session.scalars(sa.select(AuthSession).where(AuthSession.account_id == account.id))
    assert all(row.revoked_at is not None for row in rows)


def test_a_wrong_password_is_refused_with_a_message_and_the_email_kept(client: FlaskClient) -> None:
    make_account(role=Role.FACILITATOR, email="fac@example.org")
    db.session.commit()
    response = sign_in(client, "fac@example.org", "not the password")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The e-mail or password is not right." in page
    assert 'value="fac@example.org"' in page
    assert 'id="password-error"' in page


def test_every_sign_in_is_audited(client: FlaskClient) -> None:
    make_account(role=Role.ADMIN, email="admin@example.org")
    db.session.commit()
    sign_in(client, "admin@example.org", "nope")
    sign_in(client, "admin@example.org", PASSWORD)
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["login_failed", "login"]


def test_a_failed_sign_in_names_the_account_never_the_text_typed(client: FlaskClient) -> None:
    admin = make_account(role=Role.ADMIN, email="admin@example.org")
    db.session.commit()
    sign_in(client, "admin@example.org", "wrong one")
    # A password typed into the e-mail field by mistake must not be kept anywhere.
    sign_in(client, "MySecretPassword42", "x")
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.object_id, e.details.get("known_account")) for e in events] == [
        ("login_failed", admin.id, True),
        ("login_failed", None, False),
    ]
    assert all("MySecretPassword42" not in str(e.details) for e in events)


def test_a_switched_off_account_is_signed_out_at_once(
    app: Flask, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    facilitator = login(world.facilitator)
    assert facilitator.get("/seminars/").status_code == 200
    admin = app.test_client()
    with admin.session_transaction() as session:
        session["_user_id"] = open_session(world.admin, hours=1)
    db.session.commit()
    switched_off = admin.post(f"/accounts/{world.facilitator.id}/active", data={"confirm": "yes"})
    assert switched_off.status_code == 302
    assert facilitator.get("/seminars/").status_code == 302
    assert sign_in(app.test_client(), world.facilitator.email or "", PASSWORD).status_code == 422


def _join(client: FlaskClient, code: str, **details: object) -> object:
    first = client.post("/join", data={"code": code}, headers=EN)
    if first.status_code != 302:
        return first
    return client.post("/join/details", data=details, headers=EN)


def test_participant_joins_with_code_and_comes_back_on_another_device(
    app: Flask, world: World, client: FlaskClient
) -> None:
    code = f"  {codes.grouped(world.seminar.join_code).lower()} "
    response = _join(
        client, code, partnership=world.partnership.id, side="partner", display_name=" Anna Berg "
    )
    # The answer to the seat form itself shows the return code: no redirect, no second page.
    assert response.status_code == 200
    welcome = response.get_data(as_text=True)
    member = db.session.scalar(
        sa.select(Membership).join(Membership.account).where(Account.display_name == "Anna Berg")
    )
    assert member is not None and member.side is Side.PARTNER
    assert member.partnership_id == world.partnership.id
    # The welcome page shows the return code once; the database keeps only its hash.
    shown = welcome.split('id="return-code">')[1].split("<")[0]
    assert member.account.return_code_hash == codes.digest(codes.normalise(shown))
    assert "Write it down" in welcome
    assert client.get("/welcome").status_code == 302  # not shown a second time

    phone = app.test_client()
    back = phone.post("/resume", data={"code": shown.lower()}, headers=EN)
    assert back.status_code == 302
    assert phone.get(back.headers["Location"]).status_code == 302  # to their partnership
    assert phone.get(f"/partnerships/{world.partnership.id}").status_code == 200
    assert phone.get(f"/partnerships/{world.other_partnership.id}").status_code == 404


def test_wrong_closed_and_rotated_codes_are_refused_with_their_reason(
    world: World, client: FlaskClient
) -> None:
    wrong = _join(client, "ZZZZZ-ZZZZZ")
    assert wrong.status_code == 422
    assert "No seminar has this code" in wrong.get_data(as_text=True)

    closed = make_seminar(join_open=False)
    db.session.commit()
    refused = _join(client, closed.join_code)
    assert refused.status_code == 422
    assert "not taking new participants" in refused.get_data(as_text=True)

    old = world.seminar.join_code
    world.seminar.join_code = codes.new_code(codes.JOIN_CODE_LENGTH)
    db.session.commit()
    assert _join(client, old).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == 2  # the world's two


def test_join_details_errors_keep_what_was_typed(world: World, client: FlaskClient) -> None:
    accounts_before = db.session.scalar(sa.select(sa.func.count(Account.id)))
    response = _join(
        client,
        world.seminar.join_code,
        partnership=world.other_partnership.id,  # of another seminar: not offered here
        side="ua",
        display_name="Ірина",
        email="not-an-email",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This does not look like an e-mail address." in page
    assert 'value="Ірина"' in page
    assert 'value="not-an-email"' in page
    assert db.session.scalar(sa.select(sa.func.count(Account.id))) == accounts_before


def test_a_removed_participant_cannot_come_back_with_their_code(
    world: World, client: FlaskClient
) -> None:
    code = world.participant.test_return_code  # type: ignore[attr-defined]
    membership = world.participant.memberships[0]
    membership.active = False
    world.participant.active = False
    db.session.commit()
    response = client.post("/resume", data={"code": code}, headers=EN)
    assert response.status_code == 422
    assert "not valid" in response.get_data(as_text=True)


def test_redirect_after_sign_in_stays_on_this_site(client: FlaskClient) -> None:
    make_account(role=Role.ADMIN, email="admin@example.org")
    db.session.commit()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            "/login?next=" + target, data={"email": "admin@example.org", "password": PASSWORD}
        )
        assert response.headers["Location"] == "/"
        client.post("/logout")
    response = client.post(
        "/login?next=/institutions/", data={"email": "admin@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/institutions/"


# A join is tied to the code as it was typed, and takes one seat.


def _participants() -> int:
    return db.session.scalar(sa.select(sa.func.count(Membership.id))) or 0


def _seat(n: int, world: World) -> dict[str, object]:
    return {"partnership": world.partnership.id, "side": "ua", "display_name": f"Person {n}"}


@pytest.mark.parametrize("change", ["rotate", "close", "rotate_twice"])
def test_a_code_typed_before_the_facilitator_rotates_or_closes_it_takes_no_seat(
    app: Flask, world: World, client: FlaskClient, change: str
) -> None:
    assert client.post("/join", data={"code": world.seminar.join_code}).status_code == 302
    assert client.get("/join/details", headers=EN).status_code == 200
    facilitator = browser_for(app, world.facilitator)
    seminar_url = f"/seminars/{world.seminar.id}"
    yes = {"confirm": "yes"}  # the answer to the facilitator's "Are you sure?" page
    if change == "close":
        assert facilitator.post(f"{seminar_url}/code/open", data=yes).status_code == 302
    else:
        for _ in range(2 if change == "rotate_twice" else 1):
            assert facilitator.post(f"{seminar_url}/code/rotate", data=yes).status_code == 302
    before = _participants()

    for n in range(3):  # however often the old pre-join cookie is sent
        refused = client.post("/join/details", data=_seat(n, world), headers=EN)
        assert refused.status_code == 302 and refused.headers["Location"] == "/join"
    page = client.get("/join", headers=EN).get_data(as_text=True)
    reason = "not taking new participants" if change == "close" else "seminar code has changed"
    assert reason in page
    assert _participants() == before


def test_one_typed_code_takes_one_seat_even_from_a_copy_of_the_cookie(
    app: Flask, world: World, client: FlaskClient
) -> None:
    assert client.post("/join", data={"code": world.seminar.join_code}).status_code == 302
    pending_cookie = client.get_cookie("session")
    assert pending_cookie is not None
    assert client.post("/join/details", data=_seat(1, world), headers=EN).status_code == 200
    before = _participants()
    # Reloading the page that showed the return code sends the form again: no second seat.
    reload = client.post("/join/details", data=_seat(1, world), headers=EN)
    assert reload.status_code == 302 and reload.headers["Location"] == "/partnerships/"
    assert _participants() == before

    # Somebody kept the cookie from before the seat was taken and sends it again, twice.
    for n in range(2):
        copy = app.test_client()
        copy.set_cookie("session", pending_cookie.value)
        again = copy.post("/join/details", data=_seat(10 + n, world), headers=EN)
        assert again.status_code == 302 and again.headers["Location"] == "/join"
        assert "A seat was already taken with this code" in copy.get("/join", headers=EN).text
    assert _participants() == before

    # The next person at the same computer types the code again.
    client.post("/logout")
    assert client.post("/join/details", data=_seat(2, world)).headers["Location"] == "/join"
    assert _participants() == before


def test_a_code_typed_long_ago_must_be_typed_again(world: World, client: FlaskClient) -> None:
    assert client.post("/join", data={"code": world.seminar.join_code}).status_code == 302
    with client.session_transaction() as session:
        held = session["join"]
        held["at"] -= 61 * 60  # an hour and a minute at the seat form
        session["join"] = held
    refused = client.post("/join/details", data=_seat(1, world), headers=EN)
    assert refused.headers["Location"] == "/join"
    assert "Too much time has passed" in client.get("/join", headers=EN).text
    assert _participants() == 2  # the world's two


def test_the_pre_join_cookie_does_not_carry_the_code(
    app: Flask, world: World, client: FlaskClient
) -> None:
    client.post("/join", data={"code": world.seminar.join_code})
    assert world.seminar.join_code not in str(_session_of(app, client))


# Nothing a participant types at the seat form tells them who else has an account.


def test_joining_with_an_email_already_on_record_answers_as_any_other_join(
    world: World, client: FlaskClient, app: Flask
) -> None:
    taken = world.facilitator.email
    assert taken
    fresh = _join(
        app.test_client(), world.seminar.join_code, **_seat(1, world), email="new@example.org"
    )
    clash = _join(client, world.seminar.join_code, **_seat(2, world), email=taken.upper())
    assert fresh.status_code == clash.status_code == 200
    for page in (fresh.text, clash.text):
        assert 'id="return-code"' in page
        assert "already" not in page and "error" not in page.lower().split("<main")[1]
    # The staff account keeps its e-mail; the new seat is made without it.
    person = db.session.scalar(sa.select(Account).where(Account.display_name == "Person 2"))
    assert person is not None and person.email is None
    assert db.session.get(Account, world.facilitator.id).email == taken  # type: ignore[union-attr]


# The return code appears once, on the page; never in a URL, a cookie or a Host-made link.


def _session_of(app: Flask, client: FlaskClient, domain: str = "localhost") -> dict[str, object]:
    cookie = client.get_cookie("session", domain=domain)
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return dict(serializer.loads(cookie.value))


def test_the_return_code_is_kept_in_no_cookie_and_no_link(
    app: Flask, world: World, client: FlaskClient
) -> None:
    app.config["PUBLIC_URL"] = "https://twinning.example.org"
    forged = {**EN, "Host": "evil.example"}
    client.post("/join", data={"code": world.seminar.join_code}, headers=forged)
    response = client.post("/join/details", data=_seat(1, world), headers=forged)
    page = response.get_data(as_text=True)
    shown = codes.normalise(page.split('id="return-code">')[1].split("<")[0])
    assert codes.looks_valid(shown, codes.RETURN_CODE_LENGTH)

    session_text = str(_session_of(app, client, domain="evil.example"))
    assert shown not in session_text and codes.grouped(shown) not in session_text
    links = re.findall(r'(?:href|action)="([^"]*)"', page)
    assert not [link for link in links if "code" in link.lower() or "evil" in link]
    assert "evil.example" not in page
    assert "https://twinning.example.org/resume" in page  # the configured address, as text
    assert response.headers["Cache-Control"] == "no-store"


def test_a_return_code_in_the_address_bar_neither_signs_in_nor_fills_the_form(
    world: World, client: FlaskClient
) -> None:
    code = world.participant.test_return_code  # type: ignore[attr-defined]
    link = client.get(f"/resume?code={code}", headers=EN)
    assert link.status_code == 302 and link.headers["Location"] == "/resume"
    page = client.get(link.headers["Location"], headers=EN)
    assert page.status_code == 200
    assert code not in page.text and codes.grouped(code) not in page.text
    assert client.get(f"/partnerships/{world.partnership.id}").status_code == 302  # not in
    assert client.post("/resume", data={"code": code}).status_code == 302  # the form works
    assert client.get(f"/partnerships/{world.partnership.id}").status_code == 200


# Signing in again ends the session the browser held before (ASVS 7.2.4).


def _sign_in_by(way: str, client: FlaskClient, world: World, n: int) -> str:
    """Sign in on ``client`` the ``way`` a person would; return a page only they may see."""
    if way == "password":
        assert sign_in(client, world.facilitator.email or "", PASSWORD).status_code == 302
        return "/seminars/"
    if way == "return code":
        code = world.participant.test_return_code  # type: ignore[attr-defined]
        assert client.post("/resume", data={"code": code}, headers=EN).status_code == 302
        return f"/partnerships/{world.partnership.id}"
    assert _join(client, world.seminar.join_code, **_seat(n, world)).status_code == 200
    return f"/partnerships/{world.partnership.id}"


def _is_signed_out(client: FlaskClient, page: str) -> bool:
    answer = client.get(page, headers=EN)
    return answer.status_code == 302 and answer.headers["Location"].startswith("/login")


@pytest.mark.parametrize("way", ["password", "return code", "join code"])
def test_signing_in_again_ends_the_session_the_browser_held_before(
    app: Flask, world: World, client: FlaskClient, way: str
) -> None:
    page = _sign_in_by(way, client, world, 1)
    old_cookie = client.get_cookie("session")
    assert old_cookie is not None
    # Another browser's sign-in (the same person's phone; a neighbour's seat) is not ended.
    phone = app.test_client()
    phone_page = _sign_in_by(way, phone, world, 2)

    _sign_in_by(way, client, world, 3)
    assert client.get(page, headers=EN).status_code == 200  # the new sign-in works

    copy = app.test_client()  # somebody kept a copy of the cookie from before
    copy.set_cookie("session", old_cookie.value)
    assert _is_signed_out(copy, page)
    assert phone.get(phone_page, headers=EN).status_code == 200


def test_the_next_person_signing_in_at_a_shared_computer_ends_the_last_ones_session(
    app: Flask, world: World, client: FlaskClient
) -> None:
    _sign_in_by("password", client, world, 1)  # a facilitator who forgot to sign out
    facilitators_cookie = client.get_cookie("session")
    assert facilitators_cookie is not None
    participant_page = _sign_in_by("return code", client, world, 2)
    assert client.get(participant_page, headers=EN).status_code == 200

    copy = app.test_client()
    copy.set_cookie("session", facilitators_cookie.value)
    assert _is_signed_out(copy, "/seminars/")


def test_session_protection_an_operator_turns_on_still_holds(
    app: Flask, client: FlaskClient
) -> None:
    """workshop/login.py skips Flask-Login's per-request hash while protection is off (the
    default); an operator who sets SESSION_PROTECTION gets Flask-Login's protection whole: in
    "strong" mode a session cookie replayed from another browser signs nobody in."""
    make_account(role=Role.FACILITATOR, email="fac@example.org")
    db.session.commit()
    browser = {**EN, "User-Agent": "Firefox on the facilitator's laptop"}
    elsewhere = {**EN, "User-Agent": "curl on somebody else's machine"}
    client.post("/login", data={"email": "fac@example.org", "password": PASSWORD}, headers=browser)
    assert client.get("/seminars/", headers=browser).status_code == 200
    assert client.get("/seminars/", headers=elsewhere).status_code == 200  # protection off
    app.config["SESSION_PROTECTION"] = "strong"
    assert client.get("/seminars/", headers=elsewhere).status_code == 302  # to sign in
