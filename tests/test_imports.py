"""Organisers' spreadsheets: checked first, every bad row named, imported all or nothing;
hospitals found however the list spells them; hostile files refused without harm."""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from werkzeug.test import EnvironBuilder

from tests.factories import World
from workshop.extensions import db
from workshop.imports.columns import ALL_COLUMNS
from workshop.imports.names import name_key
from workshop.models import Account, ImportBatch, Institution, Partnership

EN = {"Accept-Language": "en"}
UK = {"Accept-Language": "uk"}
DATA = Path(__file__).parent / "data"
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


def _csv(*rows: str, encoding: str = "utf-8-sig", header: str = HEADER) -> bytes:
    return "\r\n".join([header, *rows]).encode(encoding)


def _upload(
    client: FlaskClient,
    world: World,
    data: bytes,
    name: str = "pairs.csv",
    headers: dict[str, str] = EN,
) -> object:
    # Built by hand so the large body werkzeug spools to a temporary file is closed again.
    builder = EnvironBuilder(
        path="/imports/new",
        method="POST",
        data={"file": (io.BytesIO(data), name), "seminar": world.seminar.id},
        content_type="multipart/form-data",
        headers=headers,
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


def _row_errors(page: str, row: int) -> str:
    return page.split(f"Row {row}:")[1].split("</li>")[0]


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _institution(name_en: str) -> Institution:
    found = db.session.scalar(sa.select(Institution).where(Institution.name_en == name_en))
    assert found is not None, name_en
    return found


@pytest.fixture
def organiser(world: World, login: Callable[[Account], FlaskClient]) -> FlaskClient:
    return login(world.facilitator)


# --- the everyday path -------------------------------------------------------------------


def test_a_good_csv_is_previewed_then_imported_into_the_seminar(
    organiser: FlaskClient, world: World
) -> None:
    response = _upload(organiser, world, _csv(*GOOD_ROWS))
    assert response.status_code == 302
    preview = organiser.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Sunnaas Hospital" in preview and "Charité" in preview
    institutions, partnerships, _ = _stored()

    confirm = organiser.post(response.headers["Location"] + "/confirm")
    assert confirm.status_code == 302
    rivne = _institution("Rivne Regional Hospital")
    assert rivne.region == "UA-56"
    assert (rivne.city_uk, rivne.city_en) == ("Рівне", "Rivne")  # a regional centre: both
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


def test_every_bad_row_is_listed_with_its_column_and_nothing_is_stored(
    organiser: FlaskClient, world: World
) -> None:
    before = _stored()
    rows = [
        GOOD_ROWS[0],
        '=HYPERLINK("http://evil");Evil;UA-30;;X;Y;SE;;',
        "Лікарня;Hospital A;Atlantis;;Партнер;Partner A;Narnia;yesterday;",
        "Лікарня;Hospital B;UA-30;;Партнер;Partner B;Ukraine;;",
        ";;;;;;;;",
        "Лікарня;;UA-30;;Партнер;Partner C;FR;;",
    ]
    response = _upload(organiser, world, _csv(*rows))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The file was not imported" in page
    expectations = {
        3: ["formulas are not accepted"],
        4: [
            "Column ua_oblast: “Atlantis” is not a region of Ukraine",
            "Column partner_country: “Narnia” is not a country we know",
            "Column memorandum_date: “yesterday” is not a date",
        ],
        5: ["Column partner_country: the partner must be from another country than Ukraine"],
        7: ["Column ua_name_en: it is empty"],
    }
    for row, messages in expectations.items():
        for message in messages:
            assert message in _row_errors(page, row), (row, message)
    assert "Row 6" not in page  # the empty row is skipped, not an error
    assert "Row 2:" not in page
    assert _stored() == before


# --- the messy list ------------------------------------------------------------------------

MESSY = DATA / "messy-partners.csv"
REFUSED_ROWS = {
    12: "Column ua_name_en: “Karolinska University Hospital” is a hospital in Sweden",
    13: "Column partner_country: the partner must be from another country than Ukraine",
    14: "Column ua_city: “Wien, Österreich” names another country (Austria)",
}


def _messy_rows() -> list[list[str]]:
    with MESSY.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def _messy_csv(*, without: set[int] = frozenset()) -> bytes:  # type: ignore[assignment]
    out = io.StringIO()
    rows = [r for n, r in enumerate(_messy_rows(), start=1) if n not in without]
    csv.writer(out, delimiter=";").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


def _messy_xlsx(*, without: set[int]) -> bytes:
    rows: list[list[object]] = []
    for n, row in enumerate(_messy_rows(), start=1):
        if n in without:
            continue
        cells: list[object] = list(row)
        if n == 2:  # a real date cell, as Excel keeps a typed date
            cells[8] = datetime(2024, 1, 15)  # noqa: DTZ001 - Excel dates carry no time zone
        rows.append(cells)
    return _xlsx(rows)


@pytest.fixture
def known_hospitals(world: World) -> dict[str, Institution]:
    """What the workshop already holds, stored with the spellings the list varies."""
    sonechko = Institution(
        name_uk="Обласна дитяча лікарня «Сонечко»",
        name_en="Regional Children's Hospital “Sonechko”",
        country="UA",
        region="UA-05",
    )
    lviv = Institution(
        name_uk="Львівська обласна клінічна лікарня",
        name_en="Lviv Regional Clinical Hospital",
        country="UA",
        region="UA-46",
    )
    krakow = Institution(name_en="University Hospital in Kraków", country="PL")
    charite = Institution(name_en="Charité – Universitätsmedizin Berlin", country="DE")
    db.session.add_all([sonechko, lviv, krakow, charite])
    db.session.add(
        Partnership(
            ua_institution=lviv,
            partner_institution=krakow,
            focus_areas=[],
            method_version="2024.2",
        )
    )
    db.session.commit()
    return {"sonechko": sonechko, "lviv": lviv, "krakow": krakow, "charite": charite}


def test_the_messy_list_names_the_rows_it_cannot_import(
    organiser: FlaskClient, world: World, known_hospitals: dict[str, Institution]
) -> None:
    before = _stored()
    response = _upload(organiser, world, MESSY.read_bytes(), "messy-partners.csv")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for row, message in REFUSED_ROWS.items():
        assert message in _row_errors(page, row), row
    assert "3 rows need correcting" in page  # every other row is fine as written
    assert _stored() == before


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_messy_list_imports_each_row_as_a_person_would(
    organiser: FlaskClient, world: World, known_hospitals: dict[str, Institution], kind: str
) -> None:
    without = set(REFUSED_ROWS)
    data = _messy_csv(without=without) if kind == "csv" else _messy_xlsx(without=without)
    institutions, partnerships, _ = _stored()
    response = _upload(organiser, world, data, f"messy-partners.{kind}")
    assert response.status_code == 302, _row_errors(response.get_data(as_text=True), 2)
    url = response.headers["Location"]
    page = organiser.get(url, headers=EN).get_data(as_text=True)
    rows = {n: page.split(f'id="row-{n}"')[1].split("</tr>")[0] for n in range(2, 12)}

    # 2: new on both sides; "м. Київ" is the city; a Ukrainian date shown the English way.
    assert "Kyiv City" in rows[2] and rows[2].count(">new<") == 2
    assert '<time datetime="2024-01-15">15 Jan 2024</time>' in rows[2]
    # 3: a bare "Київ" is asked about, not guessed.
    assert "“Київ” could be more than one region" in rows[3]
    assert '<option value="UA-30">Kyiv City</option>' in rows[3]
    assert '<option value="UA-32">Kyiv Oblast</option>' in rows[3]
    # 4 and 9: the existing hospital, shown by its stored name, and how the file wrote it.
    for n in (4, 9):
        assert "Regional Children&#39;s Hospital “Sonechko”" in rows[n]
        assert ">existing<" in rows[n] and "written in the file as" in rows[n]
    # 5: the partnership exists already; 6 repeats row 2: flagged, not imported.
    assert "Not imported: these institutions already have a partnership." in rows[5]
    assert "Not imported: the same partnership as row 2." in rows[6]
    # 10: the hospital of row 3 again, and an existing partner spelled with another dash.
    assert "new, as in row 3" in rows[10]
    assert "Charité – Universitätsmedizin Berlin" in rows[10] and ">existing<" in rows[10]
    assert "could be more than one region" not in rows[10]  # asked once, on row 3
    # Everyday country names, each read as the country.
    for n, country in {
        4: "United Kingdom",
        7: "United States",
        8: "Czechia",
        9: "Netherlands",
    }.items():
        assert country in rows[n], n
    assert "8 partnerships will be imported" in page
    assert "2024-01-15<" not in page  # ISO only in the datetime attribute

    # In Ukrainian: the date as Ukrainian writes it; a partner with no Ukrainian name in English.
    page_uk = organiser.get(url, headers=UK).get_data(as_text=True)
    assert "15 січ. 2024 р." in page_uk.replace("\u202f", " ")  # CLDR's narrow space
    assert "Hôpital Necker–Enfants Malades" in page_uk

    # Confirming without answering the question imports nothing and says why, next to it.
    unanswered = organiser.post(url + "/confirm", headers=EN)
    assert unanswered.status_code == 422
    assert "Choose which region row 3 means." in unanswered.get_data(as_text=True)
    assert _stored()[:2] == (institutions, partnerships)

    answered = organiser.post(url + "/confirm", data={"region-3": "UA-32"}, headers=EN)
    assert answered.status_code == 302
    assert _stored()[:2] == (institutions + 12, partnerships + 8)
    okhmatdyt = _institution("Okhmatdyt National Specialized Children's Hospital")
    assert (okhmatdyt.region, okhmatdyt.city_uk, okhmatdyt.city_en) == ("UA-30", "Київ", "Kyiv")
    kyiv_1 = _institution("Kyiv City Clinical Hospital No. 1")
    assert kyiv_1.region == "UA-32"
    assert _institution("Transcarpathian Regional Clinical Hospital").region == "UA-21"
    assert _institution("Kharkiv City Clinical Hospital No. 5").region == "UA-63"
    necker = _institution("Hôpital Necker–Enfants Malades")
    assert (necker.country, necker.name_uk) == ("FR", None)
    countries = {
        "Great Ormond Street Hospital": "GB",
        "Boston Children’s Hospital": "US",
        "Motol University Hospital": "CZ",
        "Erasmus MC": "NL",
        "Semmelweis University Hospital": "HU",
    }
    for name, country in countries.items():
        assert _institution(name).country == country
    sonechko = known_hospitals["sonechko"]
    partners = db.session.scalars(
        sa.select(Partnership).where(Partnership.ua_institution_id == sonechko.id)
    ).all()
    assert sorted(p.partner_institution.name_en for p in partners) == [
        "Erasmus MC",
        "Great Ormond Street Hospital",
    ]
    charite = db.session.scalars(
        sa.select(Partnership).where(
            Partnership.partner_institution_id == known_hospitals["charite"].id
        )
    ).all()
    assert [p.ua_institution_id for p in charite] == [kyiv_1.id]
    boston = db.session.scalar(
        sa.select(Partnership)
        .join(Partnership.partner_institution)
        .where(Institution.name_en == "Boston Children’s Hospital")
    )
    assert boston is not None and boston.memorandum_date is not None
    assert boston.memorandum_date.isoformat() == "2025-07-01"  # 1/7/2025: day first
    karolinska = db.session.scalars(
        sa.select(Partnership).where(Partnership.ua_institution_id == okhmatdyt.id)
    ).all()
    assert len(karolinska) == 1  # row 6 repeated row 2: one partnership


def test_a_wrong_answer_to_the_question_is_refused(organiser: FlaskClient, world: World) -> None:
    row = "Лікарня Київ;Kyiv Hospital;Kyiv;;;Some Hospital;SE;;"
    url = _upload(organiser, world, _csv(row)).headers["Location"]
    before = _stored()
    response = organiser.post(url + "/confirm", data={"region-2": "UA-46"}, headers=EN)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert _stored() == before


def test_rows_naming_one_new_hospital_in_two_regions_are_refused(
    organiser: FlaskClient, world: World
) -> None:
    rows = [
        "Лікарня А;Hospital A;Львівська область;;;Partner A;SE;;",
        "Лікарня А;Hospital A;Одеська область;;;Partner B;SE;;",
    ]
    response = _upload(organiser, world, _csv(*rows))
    assert response.status_code == 422
    assert "another region than row 2" in _row_errors(response.get_data(as_text=True), 3)


def test_a_partner_matching_a_ukrainian_hospital_is_refused(
    organiser: FlaskClient, world: World
) -> None:
    ukrainian = world.partnership.ua_institution
    row = f"Лікарня;Some Hospital;UA-46;;;{ukrainian.name_en.upper()};DE;;"
    response = _upload(organiser, world, _csv(row))
    assert response.status_code == 422
    assert "is a Ukrainian hospital" in _row_errors(response.get_data(as_text=True), 2)


def test_a_ukrainian_side_in_another_country_is_refused(
    organiser: FlaskClient, world: World
) -> None:
    header = "ua_name_uk;ua_name_en;ua_oblast;ua_country;partner_name_en;partner_country"
    rows = [
        "Лікарня А;Hospital A;UA-46;Україна;Partner A;PL",
        "Лікарня Б;Hospital B;UA-46;Poland;Partner B;PL",
    ]
    response = _upload(organiser, world, _csv(*rows, header=header))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Column ua_country: “Poland” is not Ukraine" in _row_errors(page, 3)
    assert "Row 2:" not in page


def test_the_ukrainian_name_must_be_in_ukrainian(organiser: FlaskClient, world: World) -> None:
    row = "Karolinska Universitetssjukhuset;Karolinska;Lviv Oblast;;;Partner;NO;;"
    response = _upload(organiser, world, _csv(row))
    assert response.status_code == 422
    assert "Column ua_name_uk: “Karolinska Universitetssjukhuset” has no Ukrainian letters" in (
        _row_errors(response.get_data(as_text=True), 2)
    )


def test_the_partners_ukrainian_name_may_be_left_out(organiser: FlaskClient, world: World) -> None:
    header = "ua_name_uk;ua_name_en;ua_oblast;partner_name_en;partner_country"
    response = _upload(
        organiser, world, _csv("Лікарня Б;Hospital B;UA-46;Partner B;PL", header=header)
    )
    assert response.status_code == 302
    organiser.post(response.headers["Location"] + "/confirm")
    assert _institution("Partner B").name_uk is None


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Children’s Hospital", "Children's hospital"),
        ("Лікарня «Охматдит»", 'лікарня "Охматдит"'),
        ("Лікарня “Охматдит”", "Лікарня Охматдит"),
        ("Івано–Франківська лікарня", "Івано-Франківська  лікарня"),
        ("Лікарня № 5", "Лікарня №5"),
        ("Лiкарня", "Лікарня"),  # a Latin "i" typed on the wrong keyboard layout
        ("Hоspital", "Hospital"),  # a Cyrillic "о"
        ("Hospital\u200b A", "HOSPITAL A"),
    ],
)
def test_names_a_person_reads_alike_share_a_key(one: str, other: str) -> None:
    assert name_key(one) == name_key(other)


def test_different_names_keep_different_keys() -> None:
    assert name_key("Лікарня № 5") != name_key("Лікарня № 6")
    assert name_key("Hospital A") != name_key("Hospital B")


# --- the template and the explanations ------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_downloaded_template_imports_as_it_is(
    organiser: FlaskClient, world: World, kind: str
) -> None:
    download = organiser.get(f"/imports/template.{kind}", headers=EN)
    assert download.status_code == 200
    assert f'filename="partnerships-template.{kind}"' in download.headers["Content-Disposition"]
    response = _upload(organiser, world, download.data, f"template.{kind}")
    assert response.status_code == 302
    preview = organiser.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Kyiv City" in preview and "Karolinska University Hospital" in preview


def test_the_xlsx_template_explains_every_column(organiser: FlaskClient) -> None:
    data = organiser.get("/imports/template.xlsx", headers=EN).data
    book = load_workbook(io.BytesIO(data))
    assert [c.value for c in book.worksheets[0][1]] == list(ALL_COLUMNS)
    explained = [row[0] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert explained == list(ALL_COLUMNS)


def test_the_import_page_and_the_docs_explain_every_column(organiser: FlaskClient) -> None:
    page = organiser.get("/imports/new", headers=EN).get_data(as_text=True)
    docs = (Path(__file__).parent.parent / "docs" / "import.md").read_text(encoding="utf-8")
    for column in ALL_COLUMNS:
        assert f"<code>{column}</code>" in page, column
        assert f"`{column}`" in docs, column
    assert "/imports/template.xlsx" in page and "/imports/template.csv" in page
    assert "м. Київ" in page and "Czech Republic" in page  # the accepted forms, written out


# --- encodings --------------------------------------------------------------------------------


def test_a_csv_from_excel_on_ukrainian_windows_is_read(
    organiser: FlaskClient, world: World
) -> None:
    row = "Рівненська обласна лікарня;Rivne Regional Hospital;Рівненська обл.;Рівне;;Sunnaas;NO;;"
    response = _upload(organiser, world, _csv(row, encoding="cp1251"))
    assert response.status_code == 302
    preview = organiser.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Рівненська обласна лікарня" in preview


def test_excel_unicode_text_with_tabs_is_read(organiser: FlaskClient, world: World) -> None:
    text = "\r\n".join([HEADER, *GOOD_ROWS]).replace(";", "\t")
    response = _upload(organiser, world, text.encode("utf-16"), "pairs.txt")
    assert response.status_code == 302


def test_utf16_without_a_byte_order_mark_is_read(organiser: FlaskClient, world: World) -> None:
    response = _upload(organiser, world, _csv(*GOOD_ROWS, encoding="utf-16-le"))
    assert response.status_code == 302


def test_a_west_european_csv_is_refused_not_garbled(organiser: FlaskClient, world: World) -> None:
    row = "Лікарня;Hospital;UA-46;;;Universitätsspital Zürich;CH;;"
    data = _csv(row, encoding="utf-8").decode().replace("Лікарня", "Likarnia").encode("cp1252")
    response = _upload(organiser, world, data)
    assert response.status_code == 422
    assert "not in UTF-8 or the Windows Cyrillic encoding" in response.get_data(as_text=True)


# --- unreadable and hostile files -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
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


def test_xlsx_is_read_and_formulas_in_it_are_refused(organiser: FlaskClient, world: World) -> None:
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


def _good_xlsx() -> bytes:
    header = HEADER.split(";")
    row = ["Лікарня Е", "Hospital E", "UA-46", "", "", "Partner E", "PL", "", ""]
    return _xlsx([header, row])


def _rewrite_part(workbook: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one part's XML changed and every other part as it was."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info.filename, change(body) if info.filename == name else body)
    return out.getvalue()


def test_a_workbook_declaring_a_wrong_size_is_read_whole(
    organiser: FlaskClient, world: World
) -> None:
    def too_small(xml: bytes) -> bytes:  # as some programs other than Excel write it
        return re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1"/>', xml)

    data = _rewrite_part(_good_xlsx(), "xl/worksheets/sheet1.xml", too_small)
    assert b'<dimension ref="A1"/>' in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml"
    )
    response = _upload(organiser, world, data, "small.xlsx")
    assert response.status_code == 302


BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>\n"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
)


@pytest.mark.parametrize(
    ("part", "prologue"),
    [
        ("xl/worksheets/sheet1.xml", BILLION_LAUGHS),
        ("xl/worksheets/sheet1.xml", EXTERNAL_ENTITY),
        ("[Content_Types].xml", EXTERNAL_ENTITY),
        ("xl/workbook.xml", BILLION_LAUGHS.lower()),
    ],
)
def test_a_workbook_with_a_document_type_declaration_is_refused(
    organiser: FlaskClient, world: World, part: str, prologue: bytes
) -> None:
    def poison(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        return prologue + body.replace(b"Partner E", b"&lol9;&secret;", 1)

    before = _stored()
    response = _upload(organiser, world, _rewrite_part(_good_xlsx(), part, poison), "a.xlsx")
    assert response.status_code == 422
    assert "document type declaration" in response.get_data(as_text=True)
    assert _stored() == before


def test_a_workbook_part_in_utf16_is_refused(organiser: FlaskClient, world: World) -> None:
    def to_utf16(xml: bytes) -> bytes:
        return xml.decode().replace("UTF-8", "UTF-16").encode("utf-16")

    data = _rewrite_part(_good_xlsx(), "xl/worksheets/sheet1.xml", to_utf16)
    response = _upload(organiser, world, data, "a.xlsx")
    assert response.status_code == 422
    assert "unusual encoding" in response.get_data(as_text=True)


def _with_extra_part(workbook: bytes, name: str, megabytes: int) -> bytes:
    out = io.BytesIO(workbook)
    with (
        zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(name, "w", force_zip64=True) as part,
    ):
        part.write(b"<a>")  # read as XML by the checks, like a worksheet would be
        block = b"\0" * (1024 * 1024)
        for _ in range(megabytes):
            part.write(block)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(organiser: FlaskClient, world: World) -> None:
    bomb = _with_extra_part(_good_xlsx(), "xl/media/padding.bin", 300)
    assert len(bomb) < 1024 * 1024  # a small upload...
    response = _upload(organiser, world, bomb, "bomb.xlsx")
    assert response.status_code == 422  # ...refused by what it says it unpacks to
    assert "unpacks to more than" in response.get_data(as_text=True)


def test_a_part_packed_too_tightly_is_refused(organiser: FlaskClient, world: World) -> None:
    packed = _with_extra_part(_good_xlsx(), "xl/media/padding.bin", 8)
    response = _upload(organiser, world, packed, "packed.xlsx")
    assert response.status_code == 422
    assert "zip bomb" in response.get_data(as_text=True)


def test_a_zip_lying_about_its_sizes_is_not_unpacked_past_them(
    organiser: FlaskClient, world: World
) -> None:
    name = b"xl/media/padding.xml"
    data = bytearray(_with_extra_part(_good_xlsx(), name.decode(), 20))
    # Claim 1000 bytes, packed and unpacked, in the central directory the checks read.
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 20 : entry + 28] = struct.pack("<II", 1000, 1000)
    response = _upload(organiser, world, bytes(data), "lying.xlsx")
    assert response.status_code == 422
    assert "could not be opened as an Excel workbook" in response.get_data(as_text=True)


def test_an_uploaded_files_name_is_kept_without_paths_or_control_characters(
    organiser: FlaskClient, world: World
) -> None:
    name = "..\\..\\windows/evil\x07\u202eparts\x1b.csv"
    response = _upload(organiser, world, _csv(*GOOD_ROWS), name)
    assert response.status_code == 302
    batch = db.session.scalar(sa.select(ImportBatch).order_by(ImportBatch.id.desc()))
    assert batch is not None and batch.filename == "evilparts.csv"


def test_a_nul_in_an_uploaded_files_name_is_never_stored(
    organiser: FlaskClient, world: World
) -> None:
    response = _upload(organiser, world, _csv(*GOOD_ROWS), "pairs\x00.csv")
    assert response.status_code in (302, 400, 422)  # kept without it, or refused; no crash
    assert all("\x00" not in name for name in db.session.scalars(sa.select(ImportBatch.filename)))


def test_a_pair_created_meanwhile_stops_the_whole_import(
    organiser: FlaskClient, world: World
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
