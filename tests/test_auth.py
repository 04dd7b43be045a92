"""Signing in and out, joining by code, coming back by return code, and their limits."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD, World, make_account, make_seminar
from workshop import codes
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


def test_sign_in_attempts_are_limited_per_account_not_per_address(client: FlaskClient) -> None:
    make_account(role=Role.FACILITATOR, email="target@example.org")
    make_account(role=Role.FACILITATOR, email="colleague@example.org")
    db.session.commit()
    for _ in range(5):
        assert sign_in(client, "target@example.org", "guess").status_code == 422
    locked = sign_in(client, "target@example.org", PASSWORD)
    assert locked.status_code == 429
    assert "Too many attempts" in locked.get_data(as_text=True)
    # The colleague at the same table, same address, signs in at once.
    assert sign_in(client, "colleague@example.org", PASSWORD).status_code == 302


def test_every_sign_in_is_audited(client: FlaskClient) -> None:
    make_account(role=Role.ADMIN, email="admin@example.org")
    db.session.commit()
    sign_in(client, "admin@example.org", "nope")
    sign_in(client, "admin@example.org", PASSWORD)
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["login_failed", "login"]


def test_a_switched_off_account_is_signed_out_at_once(
    app: Flask, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    facilitator = login(world.facilitator)
    assert facilitator.get("/seminars/").status_code == 200
    admin = app.test_client()
    with admin.session_transaction() as session:
        from workshop.auth.services import open_session

        session["_user_id"] = open_session(world.admin, hours=1)
    db.session.commit()
    assert admin.post(f"/accounts/{world.facilitator.id}/active").status_code == 302
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
    assert response.status_code == 302
    welcome = client.get("/welcome", headers=EN).get_data(as_text=True)
    member = db.session.scalar(
        sa.select(Membership).join(Membership.account).where(Account.display_name == "Anna Berg")
    )
    assert member is not None and member.side is Side.PARTNER
    assert member.partnership_id == world.partnership.id
    # The welcome page shows the return code once; the database keeps only its hash.
    shown = welcome.split('id="return-code">')[1].split("<")[0]
    assert member.account.return_code_hash == codes.digest(codes.normalise(shown))
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


def test_wrong_codes_are_limited_per_browser_not_for_the_whole_room(
    app: Flask, world: World, client: FlaskClient
) -> None:
    for _ in range(10):
        assert _join(client, "ZZZZZ-ZZZZZ").status_code == 422
    blocked = _join(client, world.seminar.join_code)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    # Thirty colleagues behind the same address still get in.
    for n in range(30):
        colleague = app.test_client()
        joined = _join(
            colleague,
            world.seminar.join_code,
            partnership=world.partnership.id,
            side="ua",
            display_name=f"Colleague {n}",
        )
        assert joined.status_code == 302


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
