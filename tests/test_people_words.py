"""A column of people's names is headed as people's names, not as a thing's "Назва"."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.factories import World
from workshop.models import Account


def test_the_accounts_list_heads_names_and_status_as_ukrainian_says_them(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.admin)
    page = client.get("/accounts/", headers={"Accept-Language": "uk"}).get_data(as_text=True)
    headers = page.split("<thead>")[1].split("</thead>")[0]
    assert "Ім’я та прізвище" in headers
    assert "Статус" in headers
    assert "Назва" not in headers
