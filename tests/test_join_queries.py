"""The seat form the whole room opens in the same minute costs the same queries at any size."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.querycount import count_queries
from workshop.extensions import db

EN = {"Accept-Language": "en"}


def _seat_form(client: FlaskClient, code: str) -> tuple[int, str]:
    client.post("/join", data={"code": code}, headers=EN)
    with count_queries() as statements:
        page = client.get("/join/details", headers=EN)
    assert page.status_code == 200
    return len(statements), page.get_data(as_text=True)


def test_the_seat_form_asks_the_same_queries_for_two_tables_or_thirty(
    app: Flask, world: factories.World
) -> None:
    few, page = _seat_form(app.test_client(), world.seminar.join_code)
    assert world.partnership.ua_institution.name_en in page

    added = [factories.make_partnership(seminar=world.seminar) for _ in range(28)]
    db.session.commit()
    many, page = _seat_form(app.test_client(), world.seminar.join_code)

    assert many == few, f"{few} queries for a small seminar, {many} with 28 more tables"
    # Every table is offered, each with both hospitals' names in the reader's language.
    for partnership in added:
        label = f"{partnership.ua_institution.name_en} — {partnership.partner_institution.name_en}"
        assert label in page
