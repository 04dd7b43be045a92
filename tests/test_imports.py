"""Organisers' spreadsheets: checked first, every bad row named, imported all or nothing."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from openpyxl import Workbook
from werkzeug.test import EnvironBuilder

from tests.factories import World
from workshop.extensions import db
from workshop.models import Account, ImportBatch, Institution, Partnership

EN = {"Accept-Language": "en"}
HEADER = (
    "ua_name_uk;ua_name_en;ua_oblast;ua_city;partner_name_uk;partner_name_en;partner_country;"
    "memorandum_date;focus_areas"
)
GOOD_ROWS = [
    "Рівненська обласна лікарня;Rivne Regional Hospital;Рівненська область;Рівне;"
    "Лікарня Суннос;Sunnaas Hospital;Norway;01.07.2025;rehabilitation, spinal cord injury",
    "Рівненська обласна лікарня;Rivne Regional Hospital;UA-56;Рівне;"
    "Шаріте;Charité;DE;2024-02-26;neurosurgery",
]


def _csv(*rows: str, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join([HEADER, *rows]).encode(encoding)


def _upload(client: FlaskClient, world: World, data: bytes, name: str = "pairs.csv") -> object:
    # Built by hand so the large body werkzeug spools to a temporary file is closed again.
    builder = EnvironBuilder(
        path="/imports/new",
        method="POST",
        data={"file": (io.BytesIO(data), name), "seminar": world.seminar.id},
        content_type="multipart/form-data",
        headers=EN,
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def _stored() -> tuple[int, int, int]:
    count = sa.func.count
    return (
        db.session.scalar(sa.select(count(Institution.id))) or 0,
        db.session.scalar(sa.select(count(Partnership.id))) or 0,
        db.session.scalar(sa.select(count(ImportBatch.id))) or 0,
    )


@pytest.fixture
def organiser(world: World, login: Callable[[Account], FlaskClient]) -> FlaskClient:
    return login(world.facilitator)


def test_a_good_csv_is_previewed_then_imported_into_the_seminar(
    organiser: FlaskClient, world: World
) -> None:
    response = _upload(organiser, world, _csv(*GOOD_ROWS))
    assert response.status_code == 302
    preview = organiser.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Sunnaas Hospital" in preview and "Charité" in preview
    institutions, partnerships, _ = _stored()
    assert partnerships == 2  # nothing imported before confirming

    confirm = organiser.post(response.headers["Location"] + "/confirm")
    assert confirm.status_code == 302
    rivne = db.session.scalar(
        sa.select(Institution).where(Institution.name_en == "Rivne Regional Hospital")
    )
    assert rivne is not None and rivne.region == "UA-56"
    pairs = db.session.scalars(
        sa.select(Partnership).where(Partnership.ua_institution_id == rivne.id)
    ).all()
    assert sorted(p.partner_institution.country for p in pairs) == ["DE", "NO"]
    assert all(world.seminar in p.seminars for p in pairs)
    norway = next(p for p in pairs if p.partner_institution.country == "NO")
    assert norway.memorandum_date is not None and norway.memorandum_date.isoformat() == "2025-07-01"
    assert norway.focus_areas == ["rehabilitation", "spinal cord injury"]
    assert _stored()[:2] == (institutions + 3, partnerships + 2)
    # Confirming twice imports nothing more.
    organiser.post(response.headers["Location"] + "/confirm")
    assert _stored()[1] == partnerships + 2


def test_every_bad_row_is_listed_and_nothing_is_stored(
    organiser: FlaskClient, world: World
) -> None:
    before = _stored()
    existing = world.partnership
    rows = [
        GOOD_ROWS[0],
        '=HYPERLINK("http://evil");Evil;UA-30;;X;Y;SE;;',
        "Лікарня;Hospital A;Atlantis;;Партнер;Partner A;Narnia;yesterday;",
        "Лікарня;Hospital B;UA-30;;Партнер;Partner B;Ukraine;;",
        GOOD_ROWS[0],
        ";;;;;;;;",
        f"{existing.ua_institution.name_uk};{existing.ua_institution.name_en};UA-46;;"
        f"{existing.partner_institution.name_uk};{existing.partner_institution.name_en};SE;;",
        "Лікарня;;UA-30;;Партнер;Partner C;FR;;",
    ]
    response = _upload(organiser, world, _csv(*rows))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The file was not imported" in page
    expectations = {
        3: "formulas are not accepted",
        4: "is not an oblast of Ukraine",
        5: "must be from another country than Ukraine",
        6: "The same partnership as row 2",
        8: "already have a partnership",
        9: "Column ua_name_en is empty",
    }
    for row, message in expectations.items():
        line = page.split(f"Row {row}:")[1].split("</li>")[0]
        assert message in line, (row, line)
    assert "Narnia" in page and "yesterday" in page
    assert "Row 7" not in page  # the empty row is skipped, not an error
    assert "Row 2:" not in page
    assert _stored() == before


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            _csv(*GOOD_ROWS, encoding="utf-8").decode().encode("cp1251", "replace"),
            "a.csv",
            "not in UTF-8",
        ),
        (b"name;country\r\nx;y\r\n", "a.csv", "Missing columns: ua_name_uk"),
        (HEADER.encode() + b";secret\r\n", "a.csv", "Unknown columns: secret"),
        (HEADER.encode() + b"\r\n", "a.csv", "has a header but no rows"),
        (b"", "a.csv", "The file is empty."),
        (b"PK\x03\x04 not really a workbook", "a.xlsx", "could not be opened as an Excel workbook"),
        (b"\xd0\xcf\x11\xe0 legacy", "a.xls", "Old .xls files cannot be read"),
        (b"%PDF-1.7", "a.pdf", "Upload a .csv or .xlsx file."),
        (b"a\x00b" * 10, "a.csv", "does not look like a text file"),
    ],
)
def test_unreadable_files_get_a_clear_message(
    organiser: FlaskClient, world: World, data: bytes, name: str, message: str
) -> None:
    before = _stored()
    response = _upload(organiser, world, data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _stored() == before


def test_a_huge_upload_is_refused_with_a_page_not_a_crash(
    organiser: FlaskClient, world: World
) -> None:
    response = _upload(organiser, world, b"x" * (10 * 1024 * 1024))
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)


def test_a_single_enormous_cell_is_refused(organiser: FlaskClient, world: World) -> None:
    row = GOOD_ROWS[0].replace("rehabilitation", "r" * 200_000)
    response = _upload(organiser, world, _csv(row))
    assert response.status_code == 422


def test_excel_unicode_text_with_tabs_is_read(organiser: FlaskClient, world: World) -> None:
    text = "\r\n".join([HEADER, *GOOD_ROWS]).replace(";", "\t")
    response = _upload(organiser, world, text.encode("utf-16"), "pairs.txt")
    assert response.status_code == 302


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_is_read_and_formulas_in_it_are_refused(organiser: FlaskClient, world: World) -> None:
    from datetime import datetime

    header = HEADER.split(";")
    good = [
        "Лікарня Д",
        "Hospital D",
        "Lviv",
        "Львів",
        "Партнер Д",
        "Partner D",
        "PL",
        datetime(2024, 5, 1),  # noqa: DTZ001 - Excel dates carry no time zone
        "paediatrics",
    ]
    response = _upload(organiser, world, _xlsx([header, good]), "pairs.xlsx")
    assert response.status_code == 302
    bad = [*good[:5], "=1+1", *good[6:]]
    refused = _upload(organiser, world, _xlsx([header, bad]), "pairs.xlsx")
    assert refused.status_code == 422
    assert "formulas are not accepted" in refused.get_data(as_text=True)


def test_a_pair_created_meanwhile_stops_the_whole_import(
    organiser: FlaskClient, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    response = _upload(organiser, world, _csv(*GOOD_ROWS))
    preview_url = response.headers["Location"]
    rivne = Institution(
        name_uk="Р", name_en="Rivne Regional Hospital", country="UA", region="UA-56"
    )
    charite = Institution(name_uk="Ш", name_en="Charité", country="DE")
    db.session.add(
        Partnership(
            ua_institution=rivne,
            partner_institution=charite,
            focus_areas=[],
            method_version="2024.2",
        )
    )
    db.session.commit()
    before = _stored()
    confirm = organiser.post(preview_url + "/confirm", headers=EN)
    assert confirm.status_code == 409
    assert "Nothing was imported" in confirm.get_data(as_text=True)
    assert _stored() == before
