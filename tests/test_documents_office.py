"""The Office files, read back as Excel and Word would: the action plan workbook (one row per
activity, stable keyed columns, real dates, a frozen header, drop-downs) and the strategic
vision in Word (real headings, both institutions, both languages, tables), each with the same
bytes for the same version."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import docx
import openpyxl
from docx.oxml.ns import qn
from flask import Flask
from flask_babel import force_locale
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from workshop.documents import model, snapshot, xlsx
from workshop.documents.docx import vision_docx
from workshop.method.definition import load
from workshop.models import Partnership
from workshop.recommendations import rules

MADE = datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
MADE_IN_FILE = MADE.replace(tzinfo=None)  # Office keeps UTC times without a zone
HASH = "3f" * 32

KEYS_2024_2 = [
    "number",
    "priority",
    "objective",
    "indicator",
    "target",
    "target_on",
    "activity",
    "lead_side",
    "responsible",
    "starts_on",
    "ends_on",
    "status",
    "resources_ua",
    "resources_partner",
    "resources_note",
    "risks",
]


def _meta(**changes: Any) -> model.Meta:
    values: dict[str, Any] = {
        "number": 3,
        "made_at": MADE,
        "content_hash": HASH,
        "verify_url": "https://workshop.example/verify/abc",
        "draft": False,
        "method_title": "WHO Twinning Partnerships for Improvement",
        "method_version": "2024.2",
    }
    return model.Meta(**(values | changes))


def _plan() -> dict[str, Any]:
    """A snapshot with two priorities, two objectives and three activities, one of which
    serves an objective that was removed."""
    return {
        "institutions": {
            "ua": {"name_uk": "Охматдит", "name_en": "Okhmatdyt"},
            "partner": {"name_uk": "Каролінська лікарня", "name_en": "Karolinska Hospital"},
        },
        "answers": {
            "priorities": {
                "": [
                    {"row": "p-ipc", "priority": "Infection control in the ICU"},
                    {"row": "p-rehab", "priority": "Early rehabilitation"},
                ]
            },
            "objectives": {
                "": [
                    {
                        "row": "o-ssi",
                        "priority": "p-ipc",
                        "objective": "Halve surgical site infections",
                        "indicator": "SSI rate",
                        "target": 2.5,
                        "target_on": "2025-12-31",
                    },
                    {"row": "o-mob", "priority": "p-rehab", "objective": "Mobilise on day one"},
                ]
            },
            "activities": {
                "": [
                    {
                        "row": "a-train",
                        "objective": "o-ssi",
                        "activity": "=1+1 Train ward nurses in the bundle",
                        "lead": "joint",
                        "responsible": "Олена Коваль",
                        "starts_on": "2024-03-01",
                        "ends_on": "2024-06-30",
                        "resources_ua": ["staff_time", "funding"],
                        "risks": "Blackouts: move the session to the next day",
                    },
                    {
                        "row": "a-visit",
                        "objective": "o-mob",
                        "activity": "Physiotherapists visit Stockholm",
                        "lead": "partner",
                        "starts_on": "2024-09-01",
                    },
                    {"row": "a-old", "objective": "o-removed", "activity": "An old audit"},
                ]
            },
        },
    }


def _book(data: bytes) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _keys(book: Workbook) -> list[str]:
    """The column keys the About sheet lists, in column order."""
    about = book.worksheets[1]
    rows = list(about.iter_rows(values_only=True))
    start = next(n for n, row in enumerate(rows) if row[2] is not None) + 1
    return [str(row[2]) for row in rows[start:]]


def _records(sheet: Worksheet, keys: list[str]) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _xlsx(lang: str, snap: dict[str, Any] | None = None, version: str = "2024.2") -> bytes:
    return xlsx.action_plan_xlsx(snap or _plan(), load(version), lang, _meta())


def test_one_row_per_activity_joined_to_its_objective_and_priority(app: Flask) -> None:
    book = _book(_xlsx("en"))
    keys = _keys(book)
    assert keys == KEYS_2024_2
    rows = _records(book.worksheets[0], keys)
    assert [r["activity"] for r in rows] == [
        "=1+1 Train ward nurses in the bundle",
        "Physiotherapists visit Stockholm",
        "An old audit",
    ]
    first, second, old = rows
    assert first["number"] == 1 and old["number"] == 3
    assert first["priority"] == "Infection control in the ICU"
    assert first["objective"] == "Halve surgical site infections"
    assert (first["indicator"], first["target"]) == ("SSI rate", 2.5)
    assert (first["lead_side"], first["responsible"]) == ("Joint", "Олена Коваль")
    assert first["resources_ua"] == "Funding; Staff time"  # the method's order, not the typed one
    assert first["status"] == "Not started"  # stage 4 has no status yet
    assert (second["priority"], second["lead_side"]) == ("Early rehabilitation", "Partner side")
    assert second["ends_on"] is None and second["indicator"] is None
    # An activity whose objective was removed keeps its row, with nothing to join.
    assert (old["objective"], old["priority"]) == (None, None)


def test_the_columns_keep_their_keys_in_either_language(app: Flask) -> None:
    english, ukrainian = _book(_xlsx("en")), _book(_xlsx("uk"))
    assert _keys(english) == _keys(ukrainian) == KEYS_2024_2
    headers = {
        lang: dict(
            zip(KEYS_2024_2, next(book.worksheets[0].iter_rows(values_only=True)), strict=True)
        )
        for lang, book in (("en", english), ("uk", ukrainian))
    }
    assert (headers["en"]["activity"], headers["uk"]["activity"]) == ("Activity", "Захід")
    assert (headers["en"]["lead_side"], headers["uk"]["lead_side"]) == ("Lead side", "Хто веде")
    first = _records(ukrainian.worksheets[0], KEYS_2024_2)[0]
    assert (first["lead_side"], first["resources_ua"]) == (
        "Спільно",
        "Фінансування; Робочий час працівників",
    )
    old = _keys(_book(_xlsx("en", version="2024.1")))
    assert old == [*KEYS_2024_2[:12], "resources", "risks"]


def test_dates_are_excel_dates_and_the_header_is_frozen_and_filtered(app: Flask) -> None:
    book = _book(_xlsx("uk"))
    sheet = book.worksheets[0]
    columns = {key: n for n, key in enumerate(KEYS_2024_2, start=1)}
    for key, expected in (
        ("starts_on", date(2024, 3, 1)),
        ("ends_on", date(2024, 6, 30)),
        ("target_on", date(2025, 12, 31)),
    ):
        cell = sheet.cell(row=2, column=columns[key])
        assert cell.is_date and isinstance(cell.value, datetime)
        assert cell.value.date() == expected
        assert cell.number_format == "dd.mm.yyyy"
    assert sheet.cell(row=2, column=columns["target"]).data_type == "n"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P4"
    assert sheet.print_title_rows == "$1:$1"


def test_status_and_lead_side_are_drop_downs_in_the_files_language(app: Flask) -> None:
    book = _book(_xlsx("uk"))
    sheet = book.worksheets[0]
    lists = book["lists"]
    assert lists.sheet_state == "hidden"
    letter = {key: openpyxl.utils.get_column_letter(n) for n, key in enumerate(KEYS_2024_2, 1)}
    found = {}
    for rule in sheet.data_validations.dataValidation:
        assert rule.type == "list"
        where = str(rule.sqref)
        sheet_name, cells = rule.formula1.split("!")
        options = [c.value for row in book[sheet_name][cells.replace("$", "")] for c in row]
        found[where] = options
    with force_locale("uk"):
        statuses = xlsx.statuses()
    assert found == {
        f"{letter['status']}2:{letter['status']}204": statuses,
        f"{letter['lead_side']}2:{letter['lead_side']}204": [
            "Українська сторона",
            "Сторона партнера",
            "Спільно",
        ],
    }
    assert statuses[0] == _records(sheet, KEYS_2024_2)[0]["status"]


def test_typed_text_stays_text_never_a_formula(app: Flask) -> None:
    snap = _plan()
    activity = snap["answers"]["activities"][""][0]
    activity["risks"] = '=HYPERLINK("https://evil.example","click")'
    activity["responsible"] = "Bell\x07 Olena"  # a control character Excel cannot hold
    sheet = _book(_xlsx("en", snap)).worksheets[0]
    columns = {key: n for n, key in enumerate(KEYS_2024_2, start=1)}
    risks = sheet.cell(row=2, column=columns["risks"])
    assert risks.data_type == "s" and risks.value.startswith("=HYPERLINK")
    assert sheet.cell(row=2, column=columns["activity"]).data_type == "s"
    assert sheet.cell(row=2, column=columns["responsible"]).value == "Bell Olena"


def test_the_about_sheet_names_the_partnership_and_the_version(app: Flask) -> None:
    book = _book(_xlsx("en"))
    about = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True) if row[0]}
    assert about["Partnership"] == "Okhmatdyt — Karolinska Hospital"
    assert about["Version"] == 3
    assert about["Made"] == MADE_IN_FILE
    assert about["Content hash (SHA-256)"] == HASH
    assert about["Check a document"] == "https://workshop.example/verify/abc"
    assert book.properties.created == MADE_IN_FILE == book.properties.modified
    assert book.properties.language == "en-GB"


def test_the_same_version_gives_the_same_workbook_bytes(app: Flask) -> None:
    first, again = _xlsx("uk"), _xlsx("uk")
    assert first == again
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 5, 1, 10, 30, 0)}
    assert _xlsx("en") != first


def test_a_plan_without_activities_is_a_header_and_its_drop_downs(app: Flask) -> None:
    book = _book(_xlsx("en", {"answers": {}}))
    sheet = book.worksheets[0]
    assert sheet.max_row == 1 and _keys(book) == KEYS_2024_2
    assert len(sheet.data_validations.dataValidation) == 2


def test_the_demo_partnerships_workbook_has_a_row_for_each_activity(
    demo_table: Partnership,
) -> None:
    taken = snapshot.take(demo_table)
    method = load(demo_table.method_version)
    book = _book(xlsx.action_plan_xlsx(taken, method, "uk", _meta()))
    activities = taken["answers"]["activities"][""]
    rows = _records(book.worksheets[0], _keys(book))
    assert len(rows) == len(activities) > 1
    assert all(r["priority"] and r["objective"] for r in rows)


# --- The strategic vision in Word --------------------------------------------------------------


def _vision(lang: str, *, signed: bool = True) -> model.Document:
    uk = lang == "uk"

    def say(ukrainian: str, english: str) -> str:
        return ukrainian if uk else english

    signatures = (
        (model.Signature("ua", "Олена Коваль", say("Директорка", "Director"), MADE, HASH),)
        if signed
        else ()
    )
    parties = (
        model.Party(
            "ua", say("Українська лікарня", "Ukrainian hospital"), say("Охматдит", "Okhmatdyt"),
            say("Київ", "Kyiv"), say("Україна", "Ukraine"), "",
        ),
        model.Party(
            "partner", say("Лікарня-партнер", "Partner hospital"),
            say("Каролінська лікарня", "Karolinska Hospital"), say("Стокгольм", "Stockholm"),
            say("Швеція", "Sweden"), "",
        ),
    )  # fmt: skip
    objectives = model.Table(
        caption=say("Спільні цілі", "Shared objectives"),
        headers=("№", say("Ціль", "Objective"), say("Ціль, %", "Target, %")),
        rows=(("1", say("Менше інфекцій", "Fewer infections"), "2,5"),),
        numeric=(2,),
    )
    sections = (
        model.Section(
            "vision",
            say("Спільне бачення", "Shared vision"),
            (
                model.Paragraph(say("Разом зробити допомогу безпечнішою.", "Make care safer.")),
                model.Facts(((say("Горизонт", "Horizon"), say("24 місяці", "24 months")),)),
            ),
            (model.Section("objectives", say("Цілі", "Objectives"), (objectives,)),),
        ),
        model.Section(
            "plan",
            say("План дій", "Action plan"),
            (
                model.Records(
                    say("Заходи", "Activities"),
                    (
                        model.Record(
                            say("Захід 1", "Activity 1"),
                            model.Facts(((say("Хто веде", "Lead"), say("Спільно", "Joint")),)),
                        ),
                    ),
                ),
                model.Note(say("Статусу ще немає.", "No status yet.")),
            ),
        ),
        model.Section(
            "advice",
            say("Рекомендації", "Recommendations"),
            (
                model.Recommendations(
                    (
                        model.Recommendation(
                            say("Домовтеся про резервний канал.", "Agree a backup channel."),
                            (say("План комунікації: немає", "Communication plan: none"),),
                        ),
                    )
                ),
            ),
        ),
    )
    return model.Document(
        "vision",
        lang,
        say("Стратегічне бачення", "Strategic vision"),
        parties,
        _meta(signatures=signatures),
        sections,
    )


def _word(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def _all_text(document: Any) -> str:
    """Every piece of text, inside tables and nested tables too."""
    return "\n".join(t.text or "" for t in document.element.body.iter(qn("w:t")))


def _headings(document: Any) -> list[tuple[str, str]]:
    return [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]


def _langs(data: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode()
    return {part.split('"')[0] for part in xml.split('<w:lang w:val="')[1:]}


def test_a_word_vision_has_real_headings_a_cover_and_a_contents_field(app: Flask) -> None:
    data = vision_docx([_vision("en")])
    document = _word(data)
    assert _headings(document) == [
        ("Heading 1", "Shared vision"),
        ("Heading 2", "Objectives"),
        ("Heading 1", "Action plan"),
        ("Heading 3", "Activity 1"),
        ("Heading 1", "Recommendations"),
        ("Heading 1", "Signatures"),
    ]
    text = _all_text(document)
    for expected in ("Okhmatdyt", "Karolinska Hospital", HASH, "verify/abc", "Make care safer."):
        assert expected in text
    instructions = "".join(t.text for t in document.element.body.iter(qn("w:instrText")))
    assert instructions.strip().startswith("TOC ")
    assert document.settings.element.find(qn("w:updateFields")) is not None
    assert document.core_properties.title == "Strategic vision"
    assert document.core_properties.language == "en-GB"
    assert document.core_properties.created == MADE
    assert _langs(data) == {"en-GB"}


def test_tables_are_word_tables_with_a_repeating_header_row(app: Flask) -> None:
    document = _word(vision_docx([_vision("uk")]))
    tables = [t for t in document.tables if t.rows[0].cells[0].text == "№"]
    assert len(tables) == 1
    table = tables[0]
    assert [c.text for c in table.rows[1].cells] == ["1", "Менше інфекцій", "2,5"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(f".//{qn('w:lang')}").get(qn("w:val")) == "uk-UA"


def test_the_signature_block_shows_who_signed_and_lines_for_who_did_not(app: Flask) -> None:
    document = _word(vision_docx([_vision("en")]))
    signatures = document.tables[-1]
    ua, partner = (cell.text for cell in signatures.rows[0].cells)
    assert "Signed by Олена Коваль, Director (Ukrainian hospital)" in ua
    assert "Karolinska Hospital" in partner and "Signature: ____" in partner


def test_both_languages_stand_side_by_side_section_by_section(app: Flask) -> None:
    data = vision_docx([_vision("uk"), _vision("en")])
    document = _word(data)
    headings = _headings(document)
    assert ("Heading 1", "Спільне бачення / Shared vision") in headings
    assert ("Heading 2", "Цілі / Objectives") in headings
    text = _all_text(document)
    for expected in (
        "Охматдит",
        "Okhmatdyt",
        "Разом зробити допомогу безпечнішою.",
        "Make care safer.",
    ):
        assert expected in text
    # The vision's paragraph faces its translation: one row, Ukrainian left, English right.
    pairs = [
        [cell.text for cell in row.cells]
        for table in document.tables
        for row in table.rows
        if len(row.cells) == 2
    ]
    assert ["Разом зробити допомогу безпечнішою.", "Make care safer."] in pairs
    assert _langs(data) == {"uk-UA", "en-GB"}
    assert document.core_properties.language == "uk-UA, en-GB"


def test_text_word_cannot_hold_is_left_out_rather_than_failing(app: Flask) -> None:
    vision = _vision("en")
    odd = model.Section("odd", "Odd\x0b text", (model.Paragraph("Bell\x07 and\ttab\nline"),))
    document = _word(vision_docx([replace(vision, sections=(*vision.sections, odd))]))
    assert ("Heading 1", "Odd text") in _headings(document)
    assert "Bell and" in _all_text(document)


def test_the_same_documents_give_the_same_word_bytes(app: Flask) -> None:
    docs = [_vision("uk"), _vision("en")]
    first = vision_docx(docs)
    assert vision_docx(docs) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 5, 1, 10, 30, 0)}


def test_the_demo_partnerships_vision_in_word(demo_table: Partnership) -> None:
    from workshop.documents import content

    taken = snapshot.take(demo_table)
    method = load(demo_table.method_version)
    docs = []
    for lang in ("uk", "en"):
        with force_locale(lang):
            advice = rules.applicable(taken, method, lang)
            docs.append(content.vision(taken, method, lang, _meta(), advice))
    for made in (vision_docx(docs[:1]), vision_docx(docs)):
        document = _word(made)
        headings = [text for style, text in _headings(document) if style == "Heading 1"]
        assert len(headings) == len(docs[0].sections)
        text = _all_text(document)
        assert docs[0].parties[0].name in text and docs[0].parties[1].name in text
        assert len(document.tables) >= 3
    assert docs[1].parties[1].name in _all_text(_word(vision_docx(docs)))
