"""Whatever arrives in a form post, nobody gets a 500 and nothing stored changes by accident."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import gettext as _
from hypothesis import example, given
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from tests import hostile
from tests.factories import World, stored_answer
from workshop import gate, numbers
from workshop.extensions import db
from workshop.models import Account, ImportBatch, StageRun

EN = {"Accept-Language": "en"}
JUNK_VALUES = [
    "",
    "abc",
    "-1",
    "99999999999999999999999",
    "0",
    "2024-13-45",
    "x" * 100_000,
    "\x00\x01\x1b[31m",
    "<script>alert(1)</script>",
    "'; DROP TABLE account; --",
    "🙂" * 50,
]
FIELDS = [
    "code",
    "email",
    "password",
    "display_name",
    "partnership",
    "side",
    "lang",
    "mode",
    "next",
    "name_uk",
    "name_en",
    "country",
    "oblast",
    "region",
    "city_uk",
    "city_en",
    "profile",
    "ua_institution",
    "partner_institution",
    "memorandum_date",
    "focus_areas",
    "seminar",
    "title_uk",
    "title_en",
    "starts_on",
    "ends_on",
    "venue_uk",
    "venue_en",
    "account",
    "role",
    "institution",
    "open",
    "active",
]


@pytest.mark.parametrize("junk", JUNK_VALUES, ids=range(len(JUNK_VALUES)))
@pytest.mark.parametrize("who", ["admin", "facilitator", "participant", "anon"])
def test_junk_in_every_field_of_every_post_never_breaks_the_app(
    app: Flask,
    world: World,
    client: FlaskClient,
    login: Callable[[Account], FlaskClient],
    who: str,
    junk: str,
) -> None:
    if who != "anon":
        login(getattr(world, who))
    posts = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or ())]
    for rule in posts:
        if rule.endpoint == "auth.logout":
            continue  # it would end the session the rest of the loop runs in
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", str(world.seminar.id))
        response = client.post(url, data=dict.fromkeys(FIELDS, junk))
        assert response.status_code < 500, (who, url, response.status_code)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_a_nul_character_is_refused_before_it_reaches_the_database(
    world: World, client: FlaskClient, login: Callable[[Account], FlaskClient]
) -> None:
    response = client.post(
        "/login", data={"email": "a\x00@example.org", "password": "x"}, headers=EN
    )
    assert response.status_code == 400
    assert "Some text could not be read" in response.get_data(as_text=True)
    login(world.participant)
    saved = client.post(
        f"/partnerships/{world.partnership.id}/answers",
        json={"question": "outage_plan", "value": "x", "base_version": 0, "key": "abc\x00defghij"},
        headers=EN,
    )
    assert saved.status_code == 422
    assert "character that cannot be saved" in saved.get_json()["error"]
    assert stored_answer(world.partnership, "outage_plan") is None


# -- The autosave's JSON: what the page's script gets back, and what is kept ----------------


@pytest.fixture
def seated(world: World, login: Callable[[Account], FlaskClient]) -> FlaskClient:
    """The participant at their table with every stage open."""
    for key in ("needs", "priorities", "action_plan"):
        db.session.add(
            StageRun(partnership_id=world.partnership.id, stage_key=key, opened_early=True)
        )
    db.session.commit()
    return login(world.participant)


def _save_raw(client: FlaskClient, world: World, body: str, lang: str = "en") -> TestResponse:
    """An autosave whose JSON text is written by hand: escapes no json.dumps would produce."""
    return client.post(
        f"/partnerships/{world.partnership.id}/answers",
        data=body,
        content_type="application/json",
        headers={"Accept-Language": lang, "Accept": "application/json"},
    )


@pytest.mark.parametrize(
    "body",
    [
        r'{"question": "outage_plan", "value": "Generator \ud800 ready", "base_version": 0}',
        r'{"question": "needs_matrix", "value": [{"row": "ipc", "\udc00": "x"}], '
        r'"base_version": 0}',
    ],
    ids=["in a value", "in a key"],
)
@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_lone_surrogate_is_refused_in_the_persons_language_and_pages_keep_working(
    seated: FlaskClient, world: World, body: str, lang: str
) -> None:
    assert r"\ud800" in body or r"\udc00" in body  # the JSON escape, not a character
    response = _save_raw(seated, world, body, lang)
    # 422 with an error: what static/js/autosave.js shows next to the question.
    assert response.status_code == 422
    with force_locale(lang):
        expected = _(
            "It has a character that cannot be saved, often left by copying from another "
            "program. Retype the text and save again."
        )
    assert response.get_json() == {"error": expected}
    assert stored_answer(world.partnership, "outage_plan") is None
    assert stored_answer(world.partnership, "needs_matrix", "ua") is None
    p = world.partnership.id
    for page in (
        f"/partnerships/{p}/stages/agreement",
        f"/partnerships/{p}/trace",
        f"/partnerships/{p}/answers/outage_plan/history",
    ):
        assert seated.get(page).status_code == 200, page


def test_text_that_only_looks_like_an_escape_is_saved_as_typed(
    seated: FlaskClient, world: World
) -> None:
    typed = r"Path C:\u0000data\ud800 as written"  # backslashes and letters, as typed
    response = _save_raw(
        seated, world, json.dumps({"question": "outage_plan", "value": typed, "base_version": 0})
    )
    assert response.status_code == 200
    answer = stored_answer(world.partnership, "outage_plan")
    assert answer is not None
    assert answer.value == typed


@pytest.mark.parametrize("depth", [33, 1_000, 50_000])
def test_deeply_nested_json_is_refused_without_reading_it(
    seated: FlaskClient, world: World, depth: int
) -> None:
    value = "[" * depth + "]" * depth
    body = '{"question": "needs_matrix", "value": ' + value + ', "base_version": 0}'
    response = _save_raw(seated, world, body)
    assert response.status_code == 400
    assert response.get_json() == {"error": "The save could not be read; reload the page."}
    assert stored_answer(world.partnership, "needs_matrix", "ua") is None


# Any text at all, lone surrogates and NUL included, in the shapes a save sends.
_ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()))
_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)


@given(value=_ANY_JSON, ascii_only=st.booleans(), encoding=st.sampled_from(["utf-8", "utf-16"]))
@example(value={"value": "typed \udc80"}, ascii_only=False, encoding="utf-8")  # raw bytes
@example(value=["\x00"], ascii_only=True, encoding="utf-8")  # an escape
@example(value=["\x00"], ascii_only=True, encoding="utf-16")  # the escape, bytes apart
def test_a_body_the_quick_look_passes_holds_only_storable_text(
    value: object, ascii_only: bool, encoding: str
) -> None:
    """gate.may_hold_unstorable lets a body skip the walk through its strings: it must never
    let through one that parses to text that cannot be stored, however the body was written
    (escaped or raw, UTF-8 with raw surrogate bytes, UTF-16)."""
    data = json.dumps(value, ensure_ascii=ascii_only).encode(encoding, "surrogatepass")
    if not gate.may_hold_unstorable(data):
        assert all(gate.storable(text) for text in gate.json_texts(json.loads(data)))


def test_json_a_little_nested_is_read() -> None:
    assert not gate.too_deep(rb'{"a": [[{"b": "[[[[\"]]]"}]]]}', limit=4)
    assert gate.too_deep(b"[[[[[1]]]]]", limit=4)


@pytest.mark.parametrize("number", ["1e309", "-1e309", "Infinity", "NaN", "1.5", "2.0e0"])
def test_a_score_beyond_any_float_is_explained_not_a_server_error(
    seated: FlaskClient, world: World, number: str
) -> None:
    body = (
        '{"question": "needs_matrix", "value": [{"row": "ipc", "status": '
        + number
        + '}], "base_version": 0}'
    )
    response = _save_raw(seated, world, body)
    if number == "2.0e0":  # a whole number, however written
        assert response.status_code == 200
        return
    assert response.status_code == 422
    assert "whole number from 0 to 3" in response.get_json()["error"]
    assert stored_answer(world.partnership, "needs_matrix", "ua") is None


@pytest.mark.parametrize(
    "body", ["[1, 2, 3]", "5", '"text"', '{"email": ["a", "b"], "password": {"x": 1}}']
)
def test_json_sent_where_a_form_is_expected_is_refused_with_a_message(
    client: FlaskClient, world: World, body: str
) -> None:
    accounts = db.session.scalar(sa.select(sa.func.count(Account.id)))
    response = client.post("/join/details", data=body, content_type="application/json", headers=EN)
    assert response.status_code == 415
    assert response.get_json() == {"error": "This address takes a form, not JSON."}
    assert db.session.scalar(sa.select(sa.func.count(Account.id))) == accounts


def test_a_nul_in_an_uploaded_file_name_is_refused(
    world: World, client: FlaskClient, login: Callable[[Account], FlaskClient]
) -> None:
    login(world.admin)
    response = client.post(
        "/imports/new",
        data={"file": (io.BytesIO(b"ua_name_en\nX\n"), "pairs\x00.csv")},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert response.status_code == 400
    assert "Some text could not be read" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ImportBatch.id))) == 0


# -- Numbers in addresses and forms ---------------------------------------------------------

INT_ROUTES = sorted(
    {
        (rule.rule, method)
        for rule in hostile.app_rules()
        if "<int:" in rule.rule
        for method in sorted((rule.methods or set()) & {"GET", "POST"})
    }
)


@pytest.mark.parametrize("huge", [str(2**31), str(2**63), "99999999999999999999"])
def test_an_id_larger_than_any_row_is_not_found_at_any_address(
    world: World, client: FlaskClient, login: Callable[[Account], FlaskClient], huge: str
) -> None:
    login(world.admin)
    answered = {}
    for rule, method in INT_ROUTES:
        url = re.sub(r"<\w+>", "needs", re.sub(r"<int:\w+>", huge, rule))
        response = client.open(url, method=method, headers=EN)
        answered[method, url] = (response.status_code, "Page not found" in response.text)
    assert {where for where, said in answered.items() if said != (404, True)} == set()


def test_an_id_in_other_digits_is_not_another_address_of_the_same_page(
    world: World, client: FlaskClient, login: Callable[[Account], FlaskClient]
) -> None:
    login(world.admin)
    own = str(world.partnership.id)
    assert client.get(f"/partnerships/{own}").status_code == 200
    arabic = "".join(chr(0x660 + int(d)) for d in own)  # ٠١٢…
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in own)  # ０１２…
    for lookalike in (arabic, fullwidth, "0" + own, own + "\u0301"):
        assert client.get(f"/partnerships/{quote(lookalike)}").status_code == 404, lookalike


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7", 7),
        ("0", 0),
        (7, 7),
        (7.0, 7),
        ("²", None),
        ("١٢", None),
        ("１２", None),
        (" 7", None),
        ("+7", None),
        ("1_000", None),
        ("7.0", None),
        (True, None),
        (None, None),
        ([7], None),
        (float("inf"), None),
        (float("nan"), None),
        (7.5, None),
        (str(2**31), None),
        (2**63, None),
        ("9" * 5000, None),
        ("-1", None),
    ],
)
def test_whole_numbers_are_ascii_digits_within_bounds(raw: object, expected: int | None) -> None:
    assert numbers.whole_number(raw) == expected


def test_an_overlong_form_field_is_called_too_long_not_a_file(client: FlaskClient) -> None:
    # A form's text over the form limit is a long text, not an upload: the page must not talk
    # about files and spreadsheets.
    # The body is built here: the test client would spool a long field to a temporary file.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.org\r\n'
        b'--b\r\nContent-Disposition: form-data; name="password"\r\n\r\n'
        + b"x" * 600_000
        + b"\r\n--b--\r\n"
    )
    response = client.post(
        "/login",
        data=body,
        content_type="multipart/form-data; boundary=b",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "too long to send" in page
    assert "spreadsheet" not in page
