"""The page's script reads back what the server renders, for every type of question (Chromium).

Answers of every question type are stored through the app's save service; the stage pages
showing them are opened in a real browser, and the script's own reading of each question
(``window.Twinning.readAnswer``, the value it would autosave) must clean to the stored value on
the server. The published method versions are checked as they are, and a small method made here
holds what they lack (a one-line text, a status and a score as questions; a repeatable table
with a multi-choice column). The script also names the rows it adds from the handed alphabet,
and does nothing at all when the page does not hand it the wire format.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import AXE_JS, assert_accessible
from tests.factories import World, stored_answer
from workshop.extensions import db
from workshop.groupwork.answers import save, wire
from workshop.groupwork.answers.values import InvalidAnswer, clean
from workshop.method import definition
from workshop.method.definition import Method, Question, available_versions, load
from workshop.models import SHARED, Answer, StageRun

EVERY_TYPE = "9999.1"  # a version name like the published ones, that none will take
# What the published versions lack: text, status and score as questions, and a repeatable table
# with ref, single-choice, multi-choice, number and date columns together.
EVERY_TYPE_METHOD = """
version: "9999.1"
title: {uk: Кожен тип питання, en: Every type of question}
lists:
  colours:
    - {id: red, uk: Червоний, en: Red}
    - {id: green, uk: Зелений, en: Green}
    - {id: blue, uk: Синій, en: Blue}
  areas:
    - {id: ipc, uk: Інфекційний контроль, en: Infection control}
    - {id: surgery, uk: Хірургія, en: Surgery}
    - {id: nursing, uk: Сестринська справа, en: Nursing}
stages:
  - key: single
    title: {uk: Окремі питання, en: Single questions}
    sections:
      - key: plain
        title: {uk: Прості, en: Plain}
        questions:
          - {key: a_text, type: text, label: {uk: Текст, en: A line of text}}
          - {key: a_long_text, type: long_text, label: {uk: Довгий текст, en: Long text}}
          - {key: a_single, type: single_choice, label: {uk: Один, en: One colour},
             choices: colours}
          - {key: a_multi, type: multi_choice, label: {uk: Кілька, en: Some colours},
             choices: colours}
          - {key: a_status, type: status, label: {uk: Стан, en: Status}}
          - {key: a_score, type: score, label: {uk: Оцінка, en: Score}}
          - {key: a_number, type: number, label: {uk: Число, en: A number}, min: 0, max: 1000,
             unit: {uk: ліжок, en: beds}}
          - {key: a_date, type: date, label: {uk: Дата, en: A date}}
          - {key: a_person, type: person, label: {uk: Особа, en: A person}}
          - {key: own_view, type: long_text, per_side: true, label: {uk: Своя думка, en: Own view}}
  - key: tables
    title: {uk: Таблиці, en: Tables}
    sections:
      - key: fixed
        title: {uk: Фіксовані рядки, en: Fixed rows}
        questions:
          - key: area_matrix
            type: table
            label: {uk: Області, en: Areas}
            rows: areas
            columns:
              - {key: status, type: status, label: {uk: Стан, en: Status}}
              - {key: score, type: score, label: {uk: Оцінка, en: Score}}
              - {key: kinds, type: multi_choice, label: {uk: Кольори, en: Colours},
                 choices: colours}
              - {key: note, type: text, label: {uk: Примітка, en: Note}}
              - {key: count, type: number, label: {uk: Кількість, en: Count}}
              - {key: seen_on, type: date, label: {uk: Коли, en: Seen on}}
      - key: sources
        title: {uk: Джерела, en: Sources}
        questions:
          - key: source_rows
            type: table
            label: {uk: Джерела, en: Sources}
            columns:
              - {key: name, type: text, label: {uk: Назва, en: Name}}
              - {key: detail, type: long_text, label: {uk: Опис, en: Detail}}
      - key: repeatable
        title: {uk: Рядки, en: Rows}
        questions:
          - key: plan_rows
            type: table
            label: {uk: План, en: Plan}
            columns:
              - {key: source, type: ref, link: source_rows, show: [name],
                 label: {uk: Джерело, en: Source}}
              - {key: colour, type: single_choice, label: {uk: Колір, en: Colour}, choices: colours}
              - {key: colours, type: multi_choice, label: {uk: Кольори, en: Colours},
                 choices: colours}
              - {key: amount, type: number, label: {uk: Сума, en: Amount}}
              - {key: due_on, type: date, label: {uk: Термін, en: Due on}}
              - {key: what, type: text, label: {uk: Що, en: What}}
              - {key: rating, type: score, label: {uk: Оцінка, en: Rating}}
"""
SIDE = "ua"  # the world's participant sits on the Ukrainian side
READ = "keys => Object.fromEntries(keys.map(k => [k, window.Twinning.readAnswer(k)]))"


@pytest.fixture
def every_type_method(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The published versions plus the every-type method, where the app looks for versions."""
    versions = tmp_path / "versions"
    versions.mkdir()
    for published in definition.VERSIONS_DIR.glob("tpi-*.yaml"):
        (versions / published.name).symlink_to(published)
    (versions / f"tpi-{EVERY_TYPE}.yaml").write_text(EVERY_TYPE_METHOD, encoding="utf-8")
    monkeypatch.setattr(definition, "VERSIONS_DIR", versions)
    definition.load.cache_clear()
    yield EVERY_TYPE
    definition.load.cache_clear()


# --- Answers of every type, stored through the save service ------------------------------------


def _number(question: Question) -> float | int:
    for number in (12.5, 12, 3, 1):  # a decimal where the question takes one
        try:
            return clean(question, number)
        except InvalidAnswer:
            continue
    return int(question.min or 0)


SAMPLES: dict[str, Any] = {
    "status": 2,
    "score": 4,
    "date": "2024-03-15",
    "person": {"name": "Olena Kovalenko", "role": "Head nurse <ICU>", "email": "olena@example.org"},
}


def _sample(question: Question, tables: dict[str, list[dict[str, Any]]]) -> Any:
    """A value for ``question`` (a question or a column) with characters HTML must escape."""
    kind = question.type
    if kind in SAMPLES:
        return SAMPLES[kind]
    if kind == "text":
        return f'«{question.key}» "O\'Brien" <b>&amp; Co</b>'
    if kind == "long_text":
        return f"{question.key}: перший рядок <i>\nsecond line & more"
    if kind in ("single_choice", "multi_choice"):
        ids = [question.choices[0].id, question.choices[-1].id]
        return ids[-1] if kind == "single_choice" else ids
    if kind == "number":
        return _number(question)
    if kind == "ref":
        linked = tables.get(question.link or "") or []
        return linked[-1]["row"] if linked else None
    assert kind == "table", kind
    row_ids = [r.id for r in question.rows][:2] or [wire.new_row_id(), wire.new_row_id()]
    return [
        {"row": row_id} | {c.key: _sample(c, tables) for c in question.columns}
        for row_id in row_ids
    ]


def _seed(world: World, method: Method) -> dict[str, Any]:
    """Every question of ``method`` answered, saved as the page would save it."""
    world.partnership.method_version = method.version
    for stage in method.stages[1:]:  # as a facilitator's override would: every stage open
        db.session.add(
            StageRun(partnership_id=world.partnership.id, stage_key=stage.key, opened_early=True)
        )
    db.session.commit()
    stored: dict[str, Any] = {}
    tables: dict[str, list[dict[str, Any]]] = {}
    for stage in method.stages:
        for question in stage.questions():
            outcome = save.save(
                question,
                _sample(question, tables),
                partnership=world.partnership,
                side=SIDE if question.per_side else SHARED,
                base_version=0,
                actor=world.participant,
            )
            assert outcome.stored, (question.key, outcome.error)
            stored[question.key] = outcome.value
            if question.type == "table":
                tables[question.key] = outcome.value
    db.session.commit()
    assert all(value is not None for value in stored.values())
    return stored


def _seat(browser: Browser, base: str, world: World) -> tuple[BrowserContext, Page]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    page.goto(f"{base}/resume")
    page.locator("main form input[name=code]").fill(world.participant.test_return_code)  # type: ignore[attr-defined]
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/partnerships/*")
    return context, page


def _stored(world: World, key: str, side: str) -> Answer | None:
    return stored_answer(world.partnership, key, side)


def _check_every_stage(page: Page, base: str, method: Method, stored: dict[str, Any]) -> set[str]:
    """Open each stage page; the script's reading of every question cleans to what is stored."""
    types: set[str] = set()
    for stage in method.stages:
        page.goto(f"{base}/stages/{stage.key}")
        keys = [q.key for q in stage.questions()]
        read = page.evaluate(READ, keys)
        for question in stage.questions():
            assert clean(question, read[question.key]) == stored[question.key], (
                f"{method.version} {stage.key}: the script reads {question.key} as "
                f"{read[question.key]!r}"
            )
            types.add(question.type)
            types |= {f"column:{c.type}" for c in question.columns}
        assert_accessible(page, f"wire {method.version} {stage.key}")
    return types


@pytest.mark.parametrize("version", [*available_versions(), EVERY_TYPE])
def test_the_script_reads_back_every_stored_answer(
    browser: Browser,
    live_server: str,
    world: World,
    every_type_method: str,
    version: str,
) -> None:
    method = load(version)
    stored = _seed(world, method)
    context, page = _seat(browser, live_server, world)
    base = f"{live_server}/partnerships/{world.partnership.id}"
    types = _check_every_stage(page, base, method, stored)
    if version == EVERY_TYPE:
        assert types >= {
            "text",
            "long_text",
            "single_choice",
            "multi_choice",
            "status",
            "score",
            "number",
            "date",
            "person",
            "table",
            *(f"column:{t}" for t in ("ref", "single_choice", "multi_choice", "number", "date")),
        }
        fixed = method.question("area_matrix")
        assert fixed is not None and fixed.rows  # a table with fixed rows is among them
    context.close()


def test_a_row_the_script_adds_is_named_from_the_handed_alphabet(
    browser: Browser, live_server: str, world: World, every_type_method: str, app: Flask
) -> None:
    stored = _seed(world, load(EVERY_TYPE))
    context, page = _seat(browser, live_server, world)
    url = f"{live_server}/partnerships/{world.partnership.id}/stages/tables"
    table = "plan_rows"

    def add_row() -> str:
        before = page.locator(f"#question-{table} tr[data-row]").count()
        page.locator(f"#question-{table} [data-add-row]").click()
        rows = page.locator(f"#question-{table} tr[data-row]")
        expect(rows).to_have_count(before + 1)
        return rows.nth(before).get_attribute("data-row") or ""

    page.goto(url)
    row = add_row()
    assert wire.ROW_ID.match(row) and wire.is_row_id(row), row
    assert len(row) == wire.ROW_ID_LENGTH and set(row) <= set(wire.ROW_ID_ALPHABET), row
    # The new row goes out with the next save under that id, and the server keeps it.
    page.locator(f'[name="{wire.field_name(table, row, "what")}"]').fill("Added by the script")
    expect(page.locator("#section-repeatable .save-state")).to_have_text("All changes saved")
    answer = _stored(world, table, SHARED)
    assert answer is not None
    assert [r["row"] for r in answer.value] == [r["row"] for r in stored[table]] + [row]
    assert answer.value[-1] == {"row": row, "what": "Added by the script"}
    assert_accessible(page, "wire: a row added")

    # Another alphabet and length handed to the page: the script follows them.
    app.jinja_env.globals["wire_format"] = {
        **wire.for_page(),
        "rowIdAlphabet": "xyz789",
        "rowIdLength": 7,
    }
    try:
        page.goto(url)
        other = add_row()
    finally:
        app.jinja_env.globals["wire_format"] = wire.for_page()
    assert len(other) == 7 and set(other) <= set("xyz789") and wire.is_row_id(other), other
    context.close()


def test_without_the_wire_format_the_script_does_nothing(
    browser: Browser, live_server: str, world: World, every_type_method: str, app: Flask
) -> None:
    _seed(world, load(EVERY_TYPE))
    context, page = _seat(browser, live_server, world)
    app.jinja_env.globals["wire_format"] = None  # the block says null: no format to read
    try:
        page.goto(f"{live_server}/partnerships/{world.partnership.id}/stages/single")
    finally:
        app.jinja_env.globals["wire_format"] = wire.for_page()
    # The hook is set only after the script has read the format and bound its listeners: its
    # absence proves the script stopped at the top, before anything could listen for typing.
    assert page.evaluate("typeof window.Twinning") == "undefined"
    page.locator("#f-a_text").fill("Typed with no autosave")
    expect(page.locator("#section-plain .save-state")).to_have_attribute("data-state", "idle")
    answer = _stored(world, "a_text", SHARED)
    assert answer is not None and answer.version == 1
    # The section's button still saves, as without JavaScript.
    with page.expect_navigation():
        page.locator("#section-plain").get_by_role("button", name="Save this section").click()
    expect(page.locator("#f-a_text")).to_have_value("Typed with no autosave")
    answer = _stored(world, "a_text", SHARED)
    assert answer is not None and answer.value == "Typed with no autosave"
    context.close()
