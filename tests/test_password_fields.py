"""Passwords as people type them (ASVS 5.0 6.2.6 and 6.2.8).

Masked: every field that takes a password (signing in, changing one's own, the first password
an admin gives a new account, the password a head types again to sign a document) is an
``<input type="password">``, so nobody reading over a shoulder in a seminar room or on a
projected screen sees it. A form sent back with a mistake keeps the e-mail or name typed, never
the password: it is not in the page's HTML, where a browser's cache, a saved page or a proxy
would keep it.

Checked as typed: a password is set and checked as the exact characters typed, spaces at either
end and letter case included, and never cut short (as bcrypt cuts at 72 bytes). Somebody who
chose "  Grey Heron …  " signs in with exactly that; the same words trimmed, in other case or
cut short are refused like any wrong password, at sign-in and when a head signs a document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html.parser import HTMLParser

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from werkzeug.test import TestResponse
from wtforms import PasswordField
from wtforms.fields.core import UnboundField

from tests import factories
from tests.factories import PASSWORD
from workshop.documents import services as documents
from workshop.extensions import db
from workshop.models import Account, Role, Throttle

Login = Callable[[Account], FlaskClient]
EN = {"Accept-Language": "en"}
# What somebody types into a password field on a form that is then refused: it must not come
# back in the page. Plain letters and digits, so no HTML escaping could hide it from the check.
TYPED = "Typed1Secret2NeverEchoed3"

# Every password field of every form, and the test below that renders and refuses it. A new
# password field anywhere fails test_every_password_field_is_checked_here until it is added.
CHECKED = {
    ("workshop.auth.forms.LoginForm", "password"),
    ("workshop.auth.forms.PasswordChangeForm", "current"),
    ("workshop.auth.forms.PasswordChangeForm", "new"),
    ("workshop.accounts.forms.AccountForm", "password"),
    ("workshop.documents.forms.SignForm", "password"),
}


class _Inputs(HTMLParser):
    """The <input> elements of a page, by name, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name"):
            self.found[str(attributes["name"])] = attributes


def inputs(response: TestResponse) -> dict[str, dict[str, str | None]]:
    parser = _Inputs()
    parser.feed(response.get_data(as_text=True))
    return parser.found


def assert_masked(response: TestResponse, *names: str, typed: tuple[str, ...] = ()) -> None:
    """Each named field is a password input with no value, and nothing typed is in the page."""
    found = inputs(response)
    for name in names:
        assert name in found, f"no <input name={name!r}> on the page"
        assert found[name].get("type") == "password", f"{name}: {found[name]}"
        assert not found[name].get("value"), f"{name} comes back filled in: {found[name]}"
    page = response.get_data(as_text=True)
    for text in typed:
        assert text not in page, f"the typed password {text!r} is in the page"


def _forms(base: type[FlaskForm] = FlaskForm) -> Iterator[type[FlaskForm]]:
    for form in base.__subclasses__():
        yield form
        yield from _forms(form)


def _fields(form: type[FlaskForm]) -> Iterator[tuple[str, UnboundField]]:
    for klass in form.__mro__:
        for name, value in vars(klass).items():
            if isinstance(value, UnboundField):
                yield name, value


def _new_facilitator(admin: FlaskClient, name: str, email: str, password: str) -> TestResponse:
    """The admin's new-account form, sent for a facilitator of no institution."""
    return admin.post(
        "/accounts/new",
        data={
            "display_name": name,
            "email": email,
            "role": "facilitator",
            "institution": "0",
            "password": password,
        },
        headers=EN,
    )


def test_every_password_field_is_checked_here(app: Flask) -> None:
    """The forms as the app defines them (create_app imported every one): each PasswordField is
    in CHECKED, and no field named like a password is anything else (a plain text box)."""
    found, disguised = set(), []
    for form in _forms():
        if not form.__module__.startswith("workshop."):
            continue
        where = f"{form.__module__}.{form.__qualname__}"
        for name, field in _fields(form):
            if issubclass(field.field_class, PasswordField):
                found.add((where, name))
            elif "password" in name.lower():
                disguised.append(f"{where}.{name} is a {field.field_class.__name__}")
    assert disguised == []
    assert found == CHECKED


# Masked, and never sent back


def test_the_sign_in_password_is_masked_and_never_sent_back(client: FlaskClient) -> None:
    factories.make_account(role=Role.FACILITATOR, email="fac@example.org")
    db.session.commit()
    assert_masked(client.get("/login", headers=EN), "password")
    wrong = client.post("/login", data={"email": "fac@example.org", "password": TYPED}, headers=EN)
    assert wrong.status_code == 422
    assert_masked(wrong, "password", typed=(TYPED,))
    assert inputs(wrong)["email"].get("value") == "fac@example.org"  # what may come back does
    no_email = client.post("/login", data={"email": "", "password": TYPED}, headers=EN)
    assert no_email.status_code == 422
    assert_masked(no_email, "password", typed=(TYPED,))


def test_the_password_change_fields_are_masked_and_never_sent_back(
    world: factories.World, login: Login
) -> None:
    client = login(world.facilitator)
    assert_masked(client.get("/account/password", headers=EN), "current", "new")
    wrong_current = client.post(
        "/account/password", data={"current": TYPED, "new": TYPED + "New"}, headers=EN
    )
    assert wrong_current.status_code == 422
    assert_masked(wrong_current, "current", "new", typed=(TYPED, TYPED + "New"))
    # The right current password with a new one that is too short: neither comes back.
    too_short = client.post(
        "/account/password", data={"current": PASSWORD, "new": "Short1Typed"}, headers=EN
    )
    assert too_short.status_code == 422
    assert_masked(too_short, "current", "new", typed=(PASSWORD, "Short1Typed"))


def test_a_new_account_s_first_password_is_masked_and_never_sent_back(
    world: factories.World, login: Login
) -> None:
    admin = login(world.admin)
    assert_masked(admin.get("/accounts/new", headers=EN), "password")
    # A usable password on a form refused for its missing name: the e-mail comes back, the
    # password does not.
    refused = _new_facilitator(admin, "", "new@example.org", TYPED)
    assert refused.status_code == 422
    assert_masked(refused, "password", typed=(TYPED,))
    assert inputs(refused)["email"].get("value") == "new@example.org"
    assert db.session.scalar(sa.select(Account).where(Account.email == "new@example.org")) is None


def test_the_signing_password_is_masked_and_never_sent_back(
    world: factories.World, login: Login
) -> None:
    client = login(world.head)
    version = documents.current_version(world.partnership, actor=None)
    db.session.commit()
    page = client.get(f"/partnerships/{world.partnership.id}/documents", headers=EN)
    assert_masked(page, "password")
    sign = f"/documents/{version.id}/sign"
    wrong = client.post(sign, data={"position": "Director", "password": TYPED}, headers=EN)
    assert wrong.status_code == 400 and "That password is not right." in wrong.get_data(
        as_text=True
    )
    assert_masked(wrong, "password", typed=(TYPED,))
    # The right password on a form refused for its missing position: not sent back either.
    no_position = client.post(sign, data={"position": "", "password": PASSWORD}, headers=EN)
    assert no_position.status_code == 400
    assert_masked(no_position, "password", typed=(PASSWORD,))


# Checked exactly as typed

# Spaces at both ends, inside, and letters in both cases; far longer than bcrypt's 72 bytes.
CHOSEN = "  Grey Heron at Dawn over the Poltva  River, Lviv, in the Year 1256 and Beyond!  "
assert len(CHOSEN.encode()) > 72


def _near_misses(chosen: str) -> dict[str, str]:
    """What a layer that 'helps' would turn the typed password into."""
    return {
        "trimmed": chosen.strip(),
        "trimmed at the start": chosen.lstrip(),
        "trimmed at the end": chosen.rstrip(),
        "double spaces made single": chosen.replace("  ", " "),
        "lower case": chosen.lower(),
        "upper case": chosen.upper(),
        "case swapped": chosen.swapcase(),
        "first 72 characters": chosen[:72],
        "last character dropped": chosen[:-1],
    }


def _sign_in(app: Flask, email: str, password: str) -> TestResponse:
    """A sign-in from a browser of its own, with no earlier failures counted against it."""
    db.session.execute(sa.delete(Throttle))
    db.session.commit()
    return app.test_client().post("/login", data={"email": email, "password": password}, headers=EN)


def assert_only_exactly_as_typed(app: Flask, email: str, chosen: str) -> None:
    let_in = [
        f"{what}: {response.status_code}"
        for what, typed in _near_misses(chosen).items()
        if (response := _sign_in(app, email, typed)).status_code != 422
        or "The e-mail or password is not right." not in response.get_data(as_text=True)
    ]
    assert let_in == [], "signed in, or refused otherwise, with a password not as typed"
    exact = _sign_in(app, email, chosen)
    assert exact.status_code == 302 and "/login" not in exact.headers["Location"]


def test_a_new_account_signs_in_only_with_its_password_exactly_as_the_admin_typed_it(
    app: Flask, world: factories.World, login: Login
) -> None:
    created = _new_facilitator(login(world.admin), "Olena", "olena@example.org", CHOSEN)
    assert created.status_code == 302
    assert_only_exactly_as_typed(app, "olena@example.org", CHOSEN)


def test_a_changed_password_is_kept_exactly_as_typed(
    app: Flask, world: factories.World, login: Login
) -> None:
    changed = login(world.facilitator).post(
        "/account/password", data={"current": PASSWORD, "new": CHOSEN}, headers=EN
    )
    assert changed.status_code == 302
    assert_only_exactly_as_typed(app, world.facilitator.email or "", CHOSEN)


def test_a_head_signs_a_document_only_with_the_password_exactly_as_typed(
    world: factories.World, login: Login
) -> None:
    created = login(world.admin).post(
        "/accounts/new",
        data={
            "display_name": "Dr Head",
            "email": "head@example.org",
            "role": "head",
            "institution": str(world.partnership.ua_institution_id),
            "password": CHOSEN,
        },
        headers=EN,
    )
    assert created.status_code == 302
    head = db.session.scalar(sa.select(Account).where(Account.email == "head@example.org"))
    assert head is not None
    client = login(head)
    version = documents.current_version(world.partnership, actor=None)
    db.session.commit()

    def sign(password: str) -> TestResponse:
        db.session.execute(sa.delete(Throttle))
        db.session.commit()
        return client.post(
            f"/documents/{version.id}/sign",
            data={"position": "Director General", "password": password},
            headers=EN,
        )

    signed = [
        f"{what}: {response.status_code}"
        for what, typed in _near_misses(CHOSEN).items()
        if (response := sign(typed)).status_code != 400
        or "That password is not right." not in response.get_data(as_text=True)
    ]
    assert signed == [], "signed, or refused otherwise, with a password not as typed"
    assert sign(CHOSEN).status_code == 303
