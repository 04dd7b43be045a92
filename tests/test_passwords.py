"""The password rule (ASVS 5.0 6.2.1, 6.2.4, 6.2.5, 6.2.9): long enough, not one of the
passwords attackers try first, and no composition rules. Both ways an account gets a password
(the admin's form, the CLI) refuse the same passwords, say why next to the field in the
reader's language, and store nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import check_password_hash, generate_password_hash

from tests import factories
from workshop.accounts import passwords
from workshop.extensions import db
from workshop.models import Account

Login = Callable[[Account], FlaskClient]
EN = {"Accept-Language": "en"}

REFUSED = {
    "qwerty123456": "most common",  # in the top 3,000 and long enough to pass the length rule
    "LeaveMeAlone": "most common",  # the list is compared without regard to letter case
    "1qaz2wsx3edc": "most common",
    "short pass1": "12 to 256",  # 11 characters
    "x" * 257: "12 to 256",
}
IN_UKRAINIAN = {"most common": "найпоширеніших", "12 to 256": "від 12 до 256"}
ACCEPTED = [
    "correct horse battery staple",  # lower-case words and spaces: no composition rule
    "дванадцять літер",  # Ukrainian letters count as letters
    "a" * 12 + "B",
    "п" * 256,
]


def _create(admin, password: str, email: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    return admin.post(
        "/accounts/new",
        data={
            "display_name": "New Person",
            "email": email,
            "role": "facilitator",
            "password": password,
        },
        headers={"Accept-Language": lang},
    )


def _accounts() -> int:
    return db.session.scalar(sa.select(sa.func.count(Account.id))) or 0


@pytest.mark.parametrize("password", sorted(REFUSED))
def test_the_form_refuses_a_common_or_badly_sized_password_next_to_the_field(
    world: factories.World, login: Login, password: str
) -> None:
    admin = login(world.admin)
    before = _accounts()
    response = _create(admin, password, "someone@example.org")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'<p class="field-error" id="password-error">(.*?)</p>', page, re.S)
    assert error is not None and REFUSED[password] in error.group(1)
    field = re.search(r'<input[^>]*id="password"[^>]*>', page)
    assert field is not None and 'aria-invalid="true"' in field.group(0)
    assert "someone@example.org" in page  # what was typed stays in the form
    db.session.rollback()
    assert _accounts() == before


def test_the_refusal_reads_in_ukrainian(world: factories.World, login: Login) -> None:
    admin = login(world.admin)
    page = _create(admin, "Qwerty123456", "someone@example.org", "uk").get_data(as_text=True)
    error = re.search(r'id="password-error">(.*?)</p>', page, re.S)
    assert error is not None and IN_UKRAINIAN["most common"] in error.group(1)
    short = _create(admin, "коротко", "someone@example.org", "uk").get_data(as_text=True)
    assert IN_UKRAINIAN["12 to 256"] in short


@pytest.mark.parametrize("password", ACCEPTED)
def test_the_form_takes_any_long_enough_uncommon_password(
    world: factories.World, login: Login, password: str
) -> None:
    admin = login(world.admin)
    response = _create(admin, password, f"p{len(password)}@example.org")
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(sa.select(Account.id).where(Account.email.like("p%@example.org")))


def test_the_cli_refuses_the_same_passwords(app: Flask) -> None:
    runner = app.test_cli_runner()

    def create_admin(password: str):  # type: ignore[no-untyped-def]
        email, name = ["--email", "lead@example.org"], ["--name", "Lead"]
        command = ["workshop", "create-admin", *email, *name, "--password", password]
        return runner.invoke(args=command)

    before = _accounts()
    for password, why in REFUSED.items():
        result = create_admin(password)
        # The command line speaks the app's default language, Ukrainian.
        said = IN_UKRAINIAN[why]
        assert result.exit_code != 0 and said in result.output, (password, result.output)
    db.session.rollback()
    assert _accounts() == before
    made = create_admin(ACCEPTED[0])
    assert made.exit_code == 0, made.output


def test_the_list_is_the_3000_most_common_and_every_one_is_refused() -> None:
    common = passwords.COMMON
    assert len(common) == passwords.MOST_COMMON
    for word in ("123456", "password", "qwerty", "iloveyou"):  # the head of every leak
        assert word in common
    for word in common:
        assert passwords.problem(word) is not None
        assert passwords.problem(word.upper()) is not None


# ASVS 5.0 11.4.2's scrypt minimums (r=8): the least parallelism p for each cost N.
SCRYPT_MINIMUM_P = {2**17: 1, 2**16: 2, 2**15: 3, 2**14: 5, 2**13: 10}


def _settings(stored: str) -> tuple[int, int, int]:
    method, n, r, p = stored.split("$", 1)[0].split(":")
    assert method == "scrypt"
    return int(n), int(r), int(p)


def test_a_new_account_s_password_is_stored_with_scrypt_at_least_as_strong_as_asvs_asks(
    world: factories.World, login: Login
) -> None:
    response = _create(login(world.admin), "a long enough passphrase", "strong@example.org")
    assert response.status_code == 302
    db.session.rollback()
    stored = db.session.scalar(
        sa.select(Account.password_hash).where(Account.email == "strong@example.org")
    )
    assert stored is not None
    n, r, p = _settings(stored)
    assert r == 8 and n in SCRYPT_MINIMUM_P and p >= SCRYPT_MINIMUM_P[n], stored[:30]


def test_a_password_stored_with_older_settings_is_rehashed_at_its_next_sign_in(
    world: factories.World, client: FlaskClient
) -> None:
    account = world.facilitator
    old = generate_password_hash(factories.PASSWORD)  # Werkzeug's default: scrypt, p=1
    account.password_hash = old
    db.session.commit()
    wrong = client.post(
        "/login", data={"email": account.email, "password": "not the password"}, headers=EN
    )
    assert wrong.status_code == 422
    db.session.expire_all()
    assert account.password_hash == old  # a failed attempt changes nothing
    right = client.post(
        "/login", data={"email": account.email, "password": factories.PASSWORD}, headers=EN
    )
    assert right.status_code == 302
    db.session.expire_all()
    assert account.password_hash.startswith(f"{passwords.HASH_METHOD}$")
    assert check_password_hash(account.password_hash, factories.PASSWORD)
