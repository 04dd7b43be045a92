"""Two languages from the first screen, and catalogues that keep up with the code."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from tests.factories import World
from workshop.extensions import db
from workshop.models import Account
from workshop.paths import PROJECT_ROOT, TRANSLATIONS_DIR


@pytest.mark.parametrize(
    ("accept", "lang", "heading"),
    [
        ("uk-UA,uk;q=0.9,en;q=0.5", "uk", "Приєднатися до семінару"),
        ("en-GB,en;q=0.9", "en", "Join a seminar"),
        ("de-DE,fr;q=0.8", "uk", "Приєднатися до семінару"),  # neither: Ukrainian by default
    ],
)
def test_the_browser_language_is_the_default(
    client: FlaskClient, accept: str, lang: str, heading: str
) -> None:
    page = client.get("/", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert f'<html lang="{lang}"' in page
    assert heading in page


def test_a_chosen_language_is_remembered_by_the_browser(client: FlaskClient) -> None:
    response = client.post("/prefs/language", data={"lang": "en", "next": "/join"})
    assert response.status_code == 302 and response.headers["Location"] == "/join"
    page = client.get("/join", headers={"Accept-Language": "uk"}).get_data(as_text=True)
    assert '<html lang="en"' in page


def test_a_signed_in_persons_language_follows_them_to_another_device(
    world: World, login: Callable[[Account], FlaskClient], app: object
) -> None:
    client = login(world.head)
    client.post("/prefs/language", data={"lang": "en"})
    db.session.refresh(world.head)
    assert world.head.locale == "en"
    other = login(world.head)  # same person, fresh cookies would still find the saved choice
    other.delete_cookie("lang")
    page = other.get("/partnerships/", headers={"Accept-Language": "uk"}).get_data(as_text=True)
    assert '<html lang="en"' in page


def test_an_unknown_language_gets_a_message_and_changes_nothing(client: FlaskClient) -> None:
    response = client.post(
        "/prefs/language",
        data={"lang": "xx", "next": "/"},
        follow_redirects=True,
        headers={"Accept-Language": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This language is not available" in page
    assert client.get_cookie("lang") is None


def test_a_foreign_next_address_is_not_followed(client: FlaskClient) -> None:
    response = client.post("/prefs/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def _extract(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def _catalogue(lang: str) -> dict[str, object]:
    with (TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}


def test_catalogues_match_the_code_and_ukrainian_is_complete(tmp_path: Path) -> None:
    in_code = _extract(tmp_path)
    assert len(in_code) > 100
    for lang in ("uk", "en"):
        catalogue = _catalogue(lang)
        missing = sorted(in_code - set(catalogue))
        stale = sorted(set(catalogue) - in_code)
        assert missing == [], f"{lang}: run `make extract-messages`; new strings: {missing[:10]}"
        assert stale == [], f"{lang}: run `make extract-messages`; stale strings: {stale[:10]}"
    untranslated = [
        msgid
        for msgid, message in _catalogue("uk").items()
        if not message.string  # type: ignore[attr-defined]
        or (isinstance(message.string, tuple) and not all(message.string))  # type: ignore[attr-defined]
        or message.fuzzy  # type: ignore[attr-defined]
    ]
    assert untranslated == [], f"untranslated or fuzzy in uk: {untranslated[:10]}"


def test_ukrainian_translations_keep_their_placeholders() -> None:
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    for msgid, message in _catalogue("uk").items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)  # type: ignore[attr-defined]
        for string in strings:
            assert set(pattern.findall(string)) <= set(pattern.findall(msgid)) | {"%(num)d"}, msgid
