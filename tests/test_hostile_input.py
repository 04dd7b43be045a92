"""Whatever arrives in a form post, nobody gets a 500 and nothing stored changes by accident."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World
from workshop.models import Account

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
        "/login",
        data={"email": "a\x00@example.org", "password": "x"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "Something in the request was not right" in response.get_data(as_text=True)
    login(world.participant)
    saved = client.post(
        f"/partnerships/{world.partnership.id}/answers",
        json={"question": "outage_plan", "value": "x", "base_version": 0, "key": "abc\x00defghij"},
    )
    assert saved.status_code == 400
