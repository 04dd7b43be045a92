"""Institutions and partnerships: one Ukrainian and one foreign, never the same pair twice."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.factories import World, make_institution
from workshop.extensions import db
from workshop.models import Account, Institution, Partnership

EN = {"Accept-Language": "en"}


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Partnership.id))) or 0


def _create(client: FlaskClient, world: World, ua: int, partner: int) -> object:
    return client.post(
        "/partnerships/new",
        data={
            "ua_institution": ua,
            "partner_institution": partner,
            "seminar": world.seminar.id,
            "focus_areas": "trauma, rehabilitation\nTrauma",
            "memorandum_date": "2024-02-26",
        },
        headers=EN,
    )


def test_facilitator_creates_a_partnership_in_their_seminar(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.facilitator)
    ua, partner = make_institution(country="UA"), make_institution(country="DE")
    db.session.commit()
    response = _create(client, world, ua.id, partner.id)
    assert response.status_code == 302
    created = db.session.scalar(
        sa.select(Partnership).where(Partnership.ua_institution_id == ua.id)
    )
    assert created is not None
    assert created.focus_areas == ["trauma", "rehabilitation"]
    assert created.seminars == [world.seminar]


def test_duplicate_and_wrongly_sided_pairs_are_refused_with_reasons(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.facilitator)
    foreign_a, foreign_b = make_institution(country="FR"), make_institution(country="PL")
    ukrainian = make_institution(country="UA")
    db.session.commit()
    before = _count()
    cases = [
        (
            world.partnership.ua_institution_id,
            world.partnership.partner_institution_id,
            "already have a partnership",
        ),
        (foreign_a.id, foreign_b.id, "must be Ukrainian"),
        (ukrainian.id, world.partnership.ua_institution_id, "from another country than Ukraine"),
        (ukrainian.id, 999999, "Choose the partner institution"),
    ]
    for ua, partner, message in cases:
        response = _create(client, world, ua, partner)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert _count() == before


def test_a_facilitator_cannot_put_a_partnership_into_another_seminar(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.facilitator)
    ua, partner = make_institution(country="UA"), make_institution(country="DE")
    db.session.commit()
    response = client.post(
        "/partnerships/new",
        data={
            "ua_institution": ua.id,
            "partner_institution": partner.id,
            "seminar": world.other_seminar.id,
        },
        headers=EN,
    )
    assert response.status_code == 422
    assert "Choose one of your seminars." in response.get_data(as_text=True)


def test_heads_see_only_their_institutions_partnerships(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    page = login(world.head).get("/partnerships/", headers=EN).get_data(as_text=True)
    assert world.partnership.ua_institution.name_en in page
    assert world.other_partnership.ua_institution.name_en not in page


def test_a_ukrainian_institution_needs_its_oblast_and_a_unique_name(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.admin)
    data = {"name_uk": "Лікарня", "name_en": "Test Hospital", "country": "UA", "city_en": "Lviv"}
    missing = client.post("/institutions/new", data=data, headers=EN)
    assert missing.status_code == 422
    assert "Choose the oblast." in missing.get_data(as_text=True)
    assert client.post("/institutions/new", data={**data, "oblast": "UA-46"}).status_code == 302
    again = client.post(
        "/institutions/new",
        data={**data, "name_en": " test hospital", "oblast": "UA-46"},
        headers=EN,
    )
    assert again.status_code == 422
    assert "already exists" in again.get_data(as_text=True)
    created = db.session.scalar(
        sa.select(Institution).where(Institution.name_en == "Test Hospital")
    )
    assert created is not None and created.region == "UA-46"
    foreign = client.post(
        "/institutions/new",
        data={"name_uk": "Шаріте", "name_en": "Charité", "country": "DE", "region": "Berlin"},
    )
    assert foreign.status_code == 302
    edited = client.post(
        f"/institutions/{created.id}/edit",
        data={**data, "oblast": "UA-30", "name_en": "Test Hospital Kyiv"},
    )
    assert edited.status_code == 302
    db.session.refresh(created)
    assert (created.name_en, created.region) == ("Test Hospital Kyiv", "UA-30")


def _institution_form(institution: Institution, **changes: str) -> dict[str, str]:
    data = {
        "name_uk": institution.name_uk or "",
        "name_en": institution.name_en,
        "country": institution.country,
        "oblast": institution.region or "",
        "city_en": institution.city_en or "",
        "city_uk": institution.city_uk or "",
    }
    return {**data, **changes}


def test_a_facilitator_edits_their_seminars_hospitals_and_unpaired_ones_only(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    theirs = world.partnership.ua_institution
    others = world.other_partnership.ua_institution
    unpaired = make_institution(country="UA")
    db.session.commit()
    client = login(world.facilitator)
    listing = client.get("/institutions/", headers=EN).get_data(as_text=True)
    # Every hospital is listed (to pair them and avoid duplicates); only some can be edited.
    assert others.name_en in listing
    assert f"/institutions/{theirs.id}/edit" in listing
    assert f"/institutions/{unpaired.id}/edit" in listing
    assert f"/institutions/{others.id}/edit" not in listing

    refused = client.post(
        f"/institutions/{others.id}/edit", data=_institution_form(others, name_en="Renamed")
    )
    assert refused.status_code == 403
    assert client.get(f"/institutions/{others.id}/edit").status_code == 403
    db.session.expire_all()
    assert others.name_en != "Renamed"
    for institution in (theirs, unpaired):
        saved = client.post(
            f"/institutions/{institution.id}/edit",
            data=_institution_form(institution, name_en=f"Renamed {institution.id}"),
        )
        assert saved.status_code == 302
    db.session.expire_all()
    assert theirs.name_en == f"Renamed {theirs.id}"
    # The admin edits any.
    admin = login(world.admin)
    assert admin.get(f"/institutions/{others.id}/edit").status_code == 200


def test_a_seminar_id_that_does_not_exist_is_not_taken_for_no_seminar(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.admin)
    ua, partner = make_institution(country="UA"), make_institution(country="DE")
    db.session.commit()
    response = client.post(
        "/partnerships/new",
        data={"ua_institution": ua.id, "partner_institution": partner.id, "seminar": 2**31 - 1},
        headers=EN,
    )
    assert response.status_code == 422
    assert "Choose one of your seminars." in response.get_data(as_text=True)
    assert (
        db.session.scalar(sa.select(Partnership).where(Partnership.ua_institution_id == ua.id))
        is None
    )


def _city_pages(client: FlaskClient, world: World, lang: str) -> str:
    headers = {"Accept-Language": lang}
    listing = client.get("/institutions/", headers=headers).get_data(as_text=True)
    detail = client.get(f"/partnerships/{world.partnership.id}", headers=headers)
    return listing + detail.get_data(as_text=True)


def test_the_city_is_shown_in_the_readers_language_else_in_the_other(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    hospital = world.partnership.ua_institution
    hospital.city_uk, hospital.city_en = "Івано-Франківськ", "Ivano-Frankivsk"
    db.session.commit()
    client = login(world.facilitator)
    ukrainian, english = _city_pages(client, world, "uk"), _city_pages(client, world, "en")
    assert "Івано-Франківськ" in ukrainian and "Ivano-Frankivsk" not in ukrainian
    assert "Ivano-Frankivsk" in english and "Івано-Франківськ" not in english
    # Typed in one language only: both readers see it.
    hospital.city_en = None
    db.session.commit()
    assert "Івано-Франківськ" in _city_pages(client, world, "en")
    hospital.city_uk, hospital.city_en = None, "Ivano-Frankivsk"
    db.session.commit()
    assert "Ivano-Frankivsk" in _city_pages(client, world, "uk")
