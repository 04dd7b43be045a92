"""Where "next" may send a person: a path on this site, and nothing that could split a header,
reach another host, or turn into one when a browser tidies it up."""

from __future__ import annotations

import unicodedata

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import PASSWORD, make_account
from workshop.extensions import db
from workshop.models import Role
from workshop.security import safe_redirect_target

HOSTILE = [
    # other hosts and schemes
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/x\\y",
    "javascript:alert(1)",
    "evil.example",
    # header splitting, raw and encoded (once and twice)
    "/\r\nSet-Cookie: a=b",
    "/\nLocation: https://evil.example",
    "/\rx",
    "/%0d%0aSet-Cookie:%20a=b",
    "/%0D%0ASet-Cookie:a=b",
    "/%250d%250aSet-Cookie:a=b",
    "/x%0a",
    "/%5cevil.example",
    "/%5C%5Cevil.example",
    # characters browsers drop, turning a path into another host
    "/\t/evil.example",
    "/%09/evil.example",
    "/\x00/evil.example",
    "/%00",
    "/\x0b/x",
    "/\x0c/x",
    "/\x7f",
    "/\x85evil",  # NEL
    "/\u2028/evil.example",  # line separator
    "/\u2029/evil.example",  # paragraph separator
    "/%E2%80%A8/evil.example",  # the same, encoded
    "/\u200b/x",  # zero-width space
    "/\u202e/x",  # right-to-left override
    "/\ufeff/x",
    "/ /evil.example",
    "/\u00a0/x",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
]
# A NUL byte is refused with the whole request by the input gate (workshop/gate.py).
HOSTILE_REACHING_VIEWS = [target for target in HOSTILE if "\x00" not in target]
FINE = [
    "/",
    "/institutions/",
    "/partnerships/3?cycle=1",
    "/seminars/2#codes",
    "/join?code=AB%2DC",
    "/institutions/?q=Lviv%20clinic",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_are_refused(target: str) -> None:
    assert safe_redirect_target(target) is None


@pytest.mark.parametrize("target", FINE)
def test_paths_on_this_site_are_kept(target: str) -> None:
    assert safe_redirect_target(target) == target


@given(st.one_of(st.text(), st.text().map(lambda rest: "/" + rest)))
def test_whatever_is_typed_only_a_plain_path_comes_back(target: str) -> None:
    kept = safe_redirect_target(target)
    if kept is not None:
        assert kept.startswith("/") and not kept.startswith("//")
        assert "\\" not in kept
        assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp", "Zs"} for ch in kept)


@pytest.mark.parametrize("target", HOSTILE_REACHING_VIEWS)
def test_sign_in_with_a_hostile_next_goes_home_never_a_server_error(
    client: FlaskClient, target: str
) -> None:
    make_account(role=Role.ADMIN, email="admin@example.org")
    db.session.commit()
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "admin@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Set-Cookie: a" not in str(response.headers)


@pytest.mark.parametrize("target", HOSTILE_REACHING_VIEWS)
def test_the_language_switch_with_a_hostile_next_goes_home(
    client: FlaskClient, target: str
) -> None:
    response = client.post("/prefs/language", data={"lang": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_raw_crlf_in_the_address_bar_is_no_server_error(client: FlaskClient) -> None:
    make_account(role=Role.ADMIN, email="admin@example.org")
    db.session.commit()
    response = client.post(
        "/login?next=/%0d%0aSet-Cookie:%20a=b",
        data={"email": "admin@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
