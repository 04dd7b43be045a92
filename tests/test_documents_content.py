"""The documents' content and print HTML: what the vision and the action plan say, in each
language and both side by side, and that the PDF holds all of it.

The HTML is compared with committed snapshots (tests/snapshots/documents/) of a small fixed
partnership; after a deliberate change, regenerate them with
``UPDATE_DOCUMENT_SNAPSHOTS=1 .venv/bin/pytest tests/test_documents_content.py`` and read the
diff. Only a few tests make real PDFs (each costs seconds).
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from workshop import charts
from workshop.documents import content, html, model
from workshop.documents.fetcher import static_url
from workshop.documents.pdf import render_pdf
from workshop.method.definition import VERSIONS_DIR, Method, load, parse_text

SNAPSHOTS = Path(__file__).parent / "snapshots" / "documents"
UPDATE = os.environ.get("UPDATE_DOCUMENT_SNAPSHOTS") == "1"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quoted" \'single\''
SVG_NS = "{http://www.w3.org/2000/svg}"


def small_snapshot() -> dict[str, Any]:
    """A partnership with one answer of every kind the annex must read (a snapshot is plain
    JSON, so nothing here touches the database)."""
    return {
        "format": 1,
        "method_version": "2024.2",
        "partnership": {
            "id": 1,
            "cycle": 1,
            "memorandum_date": "2023-12-01",
            "focus_areas": ["trauma care"],
        },
        "institutions": {
            "ua": {
                "id": 1,
                "name_uk": "Лікарня Тест",
                "name_en": "Test Hospital",
                "country": "UA",
                "region": "UA-46",
                "city_uk": "Львів",
                "city_en": "Lviv",
                "profile": "Регіональна лікарня",
            },
            "partner": {
                "id": 2,
                "name_uk": "",  # no Ukrainian name: the Ukrainian document falls back
                "name_en": "Partner Clinic",
                "country": "SE",
                "region": "Stockholm",
                "city_uk": "Стокгольм",
                "city_en": "Stockholm",
                "profile": "",
            },
        },
        "stages": {
            "agreement": "approved",
            "needs": "approved",
            "priorities": "submitted",
            "action_plan": None,
        },
        "answers": {
            "ua_focal_point": {"": {"name": "Олена", "role": "Координаторка", "email": ""}},
            "memorandum_signed_on": {"": "2024-01-15"},
            "memorandum_term_months": {"": 24},
            "endorsement": {"": "ministry"},
            "shared_vision_uk": {"": "Разом безпечніша допомога дітям."},
            "shared_vision_en": {"": "Together, safer care for children."},
            "horizon_months": {"": 12},
            "shared_objectives": {"": [{"row": "so1", "objective": "Fewer infections"}]},
            "want_to_learn": {"ua": "Нагляд за інфекціями", "partner": "Blackout drills"},
            "tpi_objectives": {"": ["partnership", "spread"]},
            "principle_ratings": {
                "ua": [{"row": "partnership", "rating": 2, "comment": "Щомісячні зустрічі"}],
                "partner": [{"row": "partnership", "rating": 3}],
            },
            "channels": {"": ["email", "video"]},
            "added_areas": {"": [{"row": "area-ent", "name": "Paediatric ENT"}]},
            "needs_matrix": {
                "ua": [
                    {"row": "ipc", "status": 1, "want_to_learn": "Surveillance"},
                    {"row": "area-ent", "status": 3, "can_share": "Blast injuries"},
                ],
                "partner": [
                    {"row": "ipc", "status": 3, "can_share": "CLABSI bundle"},
                    {"row": "area-ent", "status": 2, "want_to_learn": "Blast injuries"},
                ],
            },
            "gap_table": {"": [{"row": "gap-ipc", "area": "ipc", "gap": "No surveillance"}]},
            "candidate_scores": {
                "ua": [{"row": "c1", "candidate": "IPC", "gap": "gap-ipc", "policy": 5}],
                "partner": [{"row": "c2", "candidate": "IPC", "gap": "gap-ipc", "policy": 4}],
            },
            "priorities": {
                "": [
                    {
                        "row": "pri-ipc",
                        "priority": "IPC in the ICU",
                        "gap": "gap-ipc",
                        "rationale": "Biggest gap",
                        "policy": "MoH order",
                    }
                ]
            },
            "plan_starts_on": {"": "2024-01-15"},
            "objectives": {
                "": [
                    {
                        "row": "obj-1",
                        "priority": "pri-ipc",
                        "objective": "Cut CLABSI by a third",
                        "indicator": "CLABSI per 1000 line-days",
                        "baseline": 6.2,
                        "baseline_on": "2023-11-30",
                        "target": 4.1,
                        "target_on": "2024-12-15",
                        "frequency": "monthly",
                    }
                ]
            },
            "activities": {
                "": [
                    {
                        "row": "act-1",
                        "objective": "obj-1",
                        "activity": "Joint bundle training",
                        "lead": "joint",
                        "responsible": "Anna",
                        "starts_on": "2024-02-01",
                        "ends_on": "2024-05-31",
                        "resources_partner": ["funding"],
                        "risks": "Power cuts: sessions recorded",
                    },
                    {
                        "row": "act-2",
                        "objective": "obj-1",
                        "activity": "Audit without dates",
                        "lead": "ua",
                        "starts_on": "2024-13-45",  # not a date: listed, not drawn
                    },
                ]
            },
        },
        "votes": {"priorities": {"c1": 3}},
    }


def meta(lang: str = "en", *, draft: bool = True, signed: bool = False) -> model.Meta:
    method = load("2024.2")
    signatures = (
        (
            model.Signature(
                "ua",
                "Head Name",
                "Director",
                datetime(2024, 2, 1, 9, 30, tzinfo=UTC),
                "ab" * 32,
            ),
        )
        if signed
        else ()
    )
    return model.Meta(
        number=2,
        made_at=datetime(2024, 2, 1, 9, 0, tzinfo=UTC),
        content_hash="0123456789abcdef" * 4,
        verify_url="https://twinning.example.org/verify/token",
        draft=draft,
        method_title=method.title(lang),
        method_version=method.version,
        signatures=signatures,
    )


ADVICE = (model.Recommendation("Name a deputy for each focal point.", ("Focal point: Олена",)),)


def visions(
    snapshot: dict[str, Any], langs: tuple[str, ...], method: Method | None = None, **meta_args: Any
) -> list[model.Document]:
    method = method or load(snapshot["method_version"])
    return [
        content.vision(snapshot, method, lang, meta(lang, **meta_args), ADVICE) for lang in langs
    ]


def plans(snapshot: dict[str, Any], langs: tuple[str, ...]) -> list[model.Document]:
    method = load(snapshot["method_version"])
    return [content.action_plan(snapshot, method, lang, meta(lang)) for lang in langs]


def normalised(page: str) -> str:
    """The HTML with what differs between machines or is bulky replaced: the static folder's
    address, and each data: URL by a digest of it (a changed chart still shows as a change)."""
    page = page.replace(static_url(), "STATIC/")
    page = re.sub(
        r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+",
        lambda m: "data:svg-sha256-" + hashlib.sha256(m[0].encode()).hexdigest()[:16],
        page,
    )
    return re.sub(r"\n\s*\n+", "\n", page).strip() + "\n"


def text_of(block: model.Block) -> str:
    """Every string a block says, for searching."""
    if isinstance(block, model.Paragraph | model.Note):
        return block.text
    if isinstance(block, model.Facts):
        return block.caption + " " + " ".join(f"{k}: {v}" for k, v in block.items)
    if isinstance(block, model.Records):
        return block.caption + " " + " ".join(r.title + " " + text_of(r.facts) for r in block.items)
    if isinstance(block, model.Table):
        return " ".join([block.caption, *block.headers, *(c for r in block.rows for c in r)])
    if isinstance(block, model.Chart):
        return block.alt + " " + text_of(block.table)
    return str(block)


def section_text(section: model.Section) -> str:
    return " ".join(
        [section.title, *(text_of(b) for b in section.blocks)]
        + [section_text(s) for s in section.subsections]
    )


def find(doc: model.Document, key: str) -> model.Section:
    def walk(sections: tuple[model.Section, ...]) -> model.Section | None:
        for section in sections:
            if section.key == key:
                return section
            found = walk(section.subsections)
            if found is not None:
                return found
        return None

    found = walk(doc.sections)
    assert found is not None, key
    return found


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def svg_of(chart: model.Chart) -> ET.Element:
    return ET.fromstring(chart.svg)  # noqa: S314 - our own SVG: the test is that it parses


# --- snapshots -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "langs"),
    [
        ("vision-en", "vision", ("en",)),
        ("vision-both", "vision", ("uk", "en")),
        ("action_plan-uk", "action_plan", ("uk",)),
    ],
)
def test_print_html_matches_its_snapshot(
    app: Flask, name: str, kind: str, langs: tuple[str, ...]
) -> None:
    snapshot = small_snapshot()
    if kind == "vision":
        page = html.vision_html(visions(snapshot, langs))
    else:
        page = html.action_plan_html(plans(snapshot, langs))
    path = SNAPSHOTS / f"{name}.html"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(normalised(page), encoding="utf-8")
    assert path.is_file(), f"no snapshot {path.name}: run with UPDATE_DOCUMENT_SNAPSHOTS=1"
    assert normalised(page) == path.read_text(encoding="utf-8")


# --- content -------------------------------------------------------------------------------


def test_the_vision_has_every_section_in_order_with_stable_keys(app: Flask) -> None:
    uk, en = visions(small_snapshot(), ("uk", "en"))
    keys = [s.key for s in en.sections]
    assert keys == [
        "context",
        "vision",
        "objectives",
        "principles",
        "governance",
        "communication",
        "needs",
        "priorities",
        "action_plan",
        "monitoring",
        "risks",
        "sustainability",
        "recommendations",
        "signatures",
        "annex",
    ]
    assert [s.key for s in uk.sections] == keys
    assert [s.title for s in uk.sections] != [s.title for s in en.sections]


def test_dates_names_and_numbers_are_written_in_the_documents_language(app: Flask) -> None:
    uk, en = visions(small_snapshot(), ("uk", "en"))
    assert "15 січня 2024\u202fр." in section_text(find(uk, "context"))  # Babel's narrow space
    assert "15 January 2024" in section_text(find(en, "context"))
    assert "6,2" in section_text(find(uk, "monitoring"))
    assert "6.2" in section_text(find(en, "monitoring"))
    assert [p.name for p in uk.parties] == ["Лікарня Тест", "Partner Clinic"]  # falls back
    assert [p.country for p in uk.parties] == ["Україна", "Швеція"]
    assert [p.city for p in en.parties] == ["Lviv", "Stockholm"]


def test_the_vision_texts_come_in_the_documents_language_first(app: Flask) -> None:
    uk, en = visions(small_snapshot(), ("uk", "en"))
    for doc, first, other in ((uk, "Разом", "en"), (en, "Together", "uk")):
        paragraphs = [b for b in find(doc, "vision").blocks if isinstance(b, model.Paragraph)]
        assert paragraphs[0].text.startswith(first) and paragraphs[0].lang is None
        assert paragraphs[1].lang == other


def test_missing_outage_plan_recommendations_and_signatures_are_said(app: Flask) -> None:
    (doc,) = visions(small_snapshot(), ("en",))
    assert "no plan yet" in section_text(find(doc, "communication"))
    assert "outage plan is missing" in section_text(find(doc, "risks"))
    for risk in ("Security", "Power and connection", "Staff turnover", "Funding"):
        assert risk in section_text(find(doc, "risks"))
    assert isinstance(find(doc, "recommendations").blocks[0], model.Recommendations)
    unadvised = content.vision(small_snapshot(), load("2024.2"), "en", meta(), ())
    assert isinstance(find(unadvised, "recommendations").blocks[0], model.Note)
    lines = next(b for b in find(doc, "signatures").blocks if isinstance(b, model.Signatures))
    assert [line.name for line in lines.items] == ["", ""]  # blank lines to sign by hand
    (signed,) = visions(small_snapshot(), ("uk",), signed=True)
    lines = next(b for b in find(signed, "signatures").blocks if isinstance(b, model.Signatures))
    assert lines.items[0].name == "Head Name" and lines.items[0].content_hash == "ab" * 32
    assert lines.items[0].signed_at.startswith("1 лютого 2024")
    assert lines.items[1].name == ""


def test_the_annex_reads_every_answer_by_its_type(app: Flask) -> None:
    (doc,) = visions(small_snapshot(), ("en",))
    annex = section_text(find(doc, "annex"))
    for shown in (
        "Олена, Координаторка",  # person
        "24 months",  # number with its unit
        "15 January 2024",  # date
        "Ministry of Health",  # single choice
        "Partnership: lasting, trusting, two-way relations; Spread",  # multi choice
        "2 — mostly",  # status, 0–3
        "Paediatric ENT",  # a row the pair added to a fixed list
        "Infection prevention and control — No surveillance",  # ref → the linked row
        "Policy alignment: 5",  # score
        "Dot votes",
    ):
        assert shown in annex, shown
    needs = find(doc, "annex-needs-areas")
    records = [b for b in needs.blocks if isinstance(b, model.Records)]
    assert [r.caption for r in records] == [
        "Areas you add",
        "Assessment by area (Ukrainian hospital)",
        "Assessment by area (Partner hospital)",
    ]
    # An unanswered question is said to be unanswered, not left out.
    notes = [
        b.text for b in find(doc, "annex-agreement-people").blocks if isinstance(b, model.Note)
    ]
    assert any("Focal point of the partner hospital" in n for n in notes)


def test_a_question_added_to_the_method_appears_in_the_annex(app: Flask) -> None:
    text = (VERSIONS_DIR / "tpi-2024.2.yaml").read_text(encoding="utf-8")
    added = """          - key: assessment_budget
            type: number
            unit: {uk: грн, en: UAH}
            label: {uk: Бюджет оцінювання, en: Assessment budget}
          - key: site_visits
            type: table
            label: {uk: Візити, en: Site visits}
            columns:
              - {key: place, type: text, label: {uk: Місце, en: Place}}
              - {key: visited_on, type: date, label: {uk: Дата, en: Date}}
"""
    anchor = "          - key: assessment_team\n"
    assert anchor in text
    method = parse_text(text.replace(anchor, added + anchor))
    snapshot = small_snapshot()
    snapshot["answers"]["assessment_budget"] = {"": 125000.5}
    snapshot["answers"]["site_visits"] = {
        "": [{"row": "v1", "place": "Kyiv ICU", "visited_on": "2024-03-05"}]
    }
    uk, en = visions(snapshot, ("uk", "en"), method=method)
    assert "Assessment budget: 125,000.5 UAH" in section_text(find(en, "annex-needs-how"))
    assert "Бюджет оцінювання: 125\u00a0000,5 грн" in section_text(find(uk, "annex-needs-how"))
    visits = next(b for b in find(en, "annex-needs-how").blocks if isinstance(b, model.Records))
    assert visits.caption == "Site visits"
    assert visits.items[0].facts.items == (("Place", "Kyiv ICU"), ("Date", "5 March 2024"))
    assert "Kyiv ICU" in html.vision_html([en])


def test_hostile_text_is_escaped_everywhere(app: Flask) -> None:
    snapshot = small_snapshot()
    snapshot["answers"]["shared_vision_en"] = {"": HOSTILE}
    snapshot["answers"]["priorities"][""][0]["priority"] = HOSTILE
    snapshot["answers"]["candidate_scores"]["ua"][0]["candidate"] = HOSTILE
    snapshot["answers"]["activities"][""][0]["activity"] = HOSTILE
    snapshot["institutions"]["partner"]["name_en"] = HOSTILE
    docs = visions(snapshot, ("uk", "en"))
    for page in (html.vision_html(docs), html.action_plan_html(plans(snapshot, ("en",)))):
        assert "<script" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    drawn = [
        block
        for doc in docs
        for section in ("priorities", "action_plan")
        for block in find(doc, section).blocks
        if isinstance(block, model.Chart)
    ]
    assert len(drawn) == 4
    for chart in drawn:
        svg_of(chart)  # would not parse had the text broken out of its element
        assert "<script" not in chart.svg and "&lt;script&gt;" in chart.svg


def test_charts_have_alt_text_a_title_and_the_same_data_as_a_table(app: Flask) -> None:
    long_name = "A very long assessment area name that cannot fit the label column " * 3
    chart = charts.ratings_by_area(
        [charts.Group("Infection prevention", (1, 3)), charts.Group(long_name, (None, 2))],
        sides=("Ukrainian hospital", "Partner hospital"),
        scale=["0 — not in place", "1 — partly", "2 — mostly", "3 — fully"],
        lang="en",
    )
    drawing = svg_of(chart)
    assert drawing.get("role") == "img"
    assert drawing.find(f"{SVG_NS}title") is not None and drawing.find(f"{SVG_NS}desc") is not None
    assert "2 areas" in chart.alt and "table below" in chart.alt
    assert chart.table.rows == (
        ("Infection prevention", "1 — partly", "3 — fully"),
        (long_name, "not rated", "2 — mostly"),
    )
    labels = [t.text or "" for t in drawing.iter(f"{SVG_NS}text")]
    assert long_name not in labels and any(label.endswith("…") for label in labels)

    scores = charts.weighted_scores(
        [charts.Group("IPC", (71, 72))], sides=("UA", "Partner"), maximum=80, lang="uk"
    )
    assert scores.alt and scores.table.rows == (("IPC", "71", "72", "143"),)


def test_the_gantt_lists_activities_it_cannot_draw(app: Flask) -> None:
    tasks = [
        charts.Task("Objective 1", "Drawn", date(2024, 2, 1), date(2024, 5, 31), "1", "2"),
        charts.Task("Objective 1", "No dates", None, None, "", "2024-13-45"),
        charts.Task("Objective 1", "Backwards", date(2024, 5, 1), date(2024, 2, 1), "a", "b"),
        charts.Task("Objective 2", "Too late", date(2025, 6, 1), date(2026, 6, 1), "c", "d"),
    ]
    chart = charts.gantt(tasks, start=date(2024, 1, 15), end=date(2025, 1, 14), lang="en")
    notes = {row[1]: row[-1] for row in chart.table.rows}
    assert notes["Drawn"] == ""
    assert "not in the chart" in notes["No dates"] and "not in the chart" in notes["Backwards"]
    assert "cut at its edge" in notes["Too late"]
    assert chart.table.rows[1][4] == "2024-13-45"  # as given
    assert "4 activities, 2 with dates" in chart.alt
    assert "from January 2024 to January 2025" in chart.alt
    svg_of(chart)
    # Ukrainian declines a month inside "from … to …": "з січня", never the heading's "січень".
    ukrainian = charts.gantt(tasks, start=date(2024, 1, 15), end=date(2025, 1, 14), lang="uk")
    assert "з січня 2024 до січня 2025" in ukrainian.alt, ukrainian.alt


def test_both_languages_pair_sections_by_key_and_set_the_annex_once(app: Flask) -> None:
    page = html.vision_html(visions(small_snapshot(), ("en", "uk")))  # any order in
    assert page.index('<div class="col" lang="uk">') < page.index('<div class="col" lang="en">')
    assert page.count('id="sec-needs"') == 1
    annex = page[page.index('id="sec-annex"') :]
    assert "Олена, Координаторка" in annex and annex.count("Олена, Координаторка") == 1
    assert "Стан / Status" in annex


def test_the_draft_watermark_and_the_frame(app: Flask) -> None:
    page = html.vision_html(visions(small_snapshot(), ("en",)))
    assert '<html lang="en" class="vision">' in page
    assert "<title>Strategic vision of the partnership" in page
    assert 'class="watermark"' in page and ">DRAFT<" in page
    assert 'href="#sec-annex"' in page  # the contents link every section
    assert static_url("documents/print.css") in page
    final = html.vision_html(visions(small_snapshot(), ("en",), draft=False))
    assert 'class="watermark"' not in final
    with pytest.raises(ValueError, match="languages"):
        html.vision_html(visions(small_snapshot(), ("en", "en")))


# --- real PDFs -----------------------------------------------------------------------------


def test_the_two_language_pdf_holds_both_hospitals_and_both_languages(
    app: Flask, tmp_path: Path
) -> None:
    text = pdf_text(render_pdf(html.vision_html(visions(small_snapshot(), ("uk", "en")))), tmp_path)
    for expected in (
        "Лікарня Тест",
        "Test Hospital",
        "Partner Clinic",
        "Разом безпечніша допомога дітям.",
        "Together, safer care for children.",
        "Page 1 of",
    ):
        assert expected in text, expected


def test_a_long_answer_and_200_activities_all_reach_the_pdf(app: Flask, tmp_path: Path) -> None:
    snapshot = copy.deepcopy(small_snapshot())
    words = [f"word{n}" for n in range(2500)]
    long_answer = " ".join(words)
    assert len(long_answer) >= 20000
    activities = snapshot["answers"]["activities"][""]
    activities[0]["risks"] = long_answer
    for n in range(198):
        activities.append(
            {
                "row": f"gen-{n}",
                "objective": "obj-1",
                "activity": f"Generated activity {n} end{n}",
                "starts_on": f"2024-{n % 12 + 1:02d}-01",
                "ends_on": f"2025-{n % 12 + 1:02d}-10",
            }
        )
    text = pdf_text(render_pdf(html.action_plan_html(plans(snapshot, ("en",)))), tmp_path)
    assert " ".join(words[:5]) in text and " ".join(words[-5:]) in text
    assert all(f"end{n}" in text for n in range(198))
    assert "Joint bundle training" in text and "Audit without dates" in text
