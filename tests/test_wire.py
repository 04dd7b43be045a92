"""The wire format between a stage page and the server (``answers.wire``) holds both ways.

Every field name the server renders on every stage page of every published method version is
one ``formdata.raw_value`` reads, and nothing outside the wire format appears: each section is
posted as a browser would (every field filled), the stored answers are what was typed, and the
page rendered from them posts back the same answers (plus a ticked «Remove» box). The page's
script reads the same names from the JSON block checked here; tests/browser/test_wire_contract.py
checks that side in Chromium.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from tests.factories import World
from workshop.extensions import db
from workshop.groupwork.answers import formdata, wire
from workshop.groupwork.answers.values import InvalidAnswer, clean
from workshop.method.definition import Method, Question, Section, available_versions, load
from workshop.models import SHARED, Account, Answer, StageRun
from workshop.paths import PROJECT_ROOT

EN = {"Accept-Language": "en"}
FORM_FIELDS = {"csrf_token", "cycle"}  # the section form's own fields, beside the answers
SIDE = "ua"  # the world's participant sits on the Ukrainian side


# --- Reading a page's forms as a browser would ------------------------------------------------


@dataclass
class Control:
    tag: str  # input, textarea, select
    name: str
    type: str = ""
    value: str = ""
    checked: bool = False
    disabled: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # select: (value, selected)

    def choices(self) -> list[str]:
        return [value for value, _selected in self.options if value]

    def choose(self, value: str) -> None:
        self.options = [(v, v == value) for v, _selected in self.options]


@dataclass
class Form:
    attrs: dict[str, str]
    controls: list[Control] = field(default_factory=list)

    def named(self, name: str) -> list[Control]:
        return [c for c in self.controls if c.name == name]

    def submitted(self) -> MultiDict[str, str]:
        """What a browser sends for this form as it stands: the successful controls, in order."""
        pairs: list[tuple[str, str]] = []
        for c in self.controls:
            if c.disabled:
                continue
            if c.tag == "select":
                chosen = [v for v, selected in c.options if selected] or [c.options[0][0]]
                pairs.append((c.name, chosen[-1]))
            elif c.type in ("checkbox", "radio"):
                if c.checked:
                    pairs.append((c.name, c.value or "on"))
            elif c.type not in ("submit", "button", "reset", "image", "file"):
                pairs.append((c.name, c.value))
        return MultiDict(pairs)


class PageForms(HTMLParser):
    """Every form and named control of a page, and the names found outside any form."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.loose: list[str] = []
        self.json_blocks: dict[str, list[str]] = {}
        self._form: Form | None = None
        self._select: Control | None = None
        self._option: list[Any] | None = None
        self._text: Control | None = None
        self._script: str | None = None
        self.feed(html)
        self.close()

    def _add(self, control: Control) -> None:
        if self._form is None:
            self.loose.append(control.name)
        else:
            self._form.controls.append(control)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        has = {k for k, _v in attrs}
        if tag == "form":
            self._form = Form(a)
            self.forms.append(self._form)
        elif tag == "input" and "name" in has:
            self._add(
                Control(
                    "input",
                    a["name"],
                    type=a.get("type", "text").lower(),
                    value=a.get("value", ""),
                    checked="checked" in has,
                    disabled="disabled" in has,
                )
            )
        elif tag == "textarea" and "name" in has:
            self._text = Control("textarea", a["name"], type="textarea", disabled="disabled" in has)
            self._add(self._text)
        elif tag == "select" and "name" in has:
            self._select = Control("select", a["name"], type="select", disabled="disabled" in has)
            self._add(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in has, ""]
        elif tag == "script" and a.get("type") == "application/json":
            self._script = a.get("id", "")

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.value += data
        if self._option is not None:
            self._option[2] += data
        if self._script is not None:
            self.json_blocks.setdefault(self._script, []).append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._text is not None:
            # A browser drops the newline right after <textarea>.
            self._text.value = self._text.value.removeprefix("\n")
            self._text = None
        elif tag == "option" and self._select is not None and self._option is not None:
            value, selected, text = self._option
            self._select.options.append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "script":
            self._script = None


def answer_forms(page: PageForms) -> list[Form]:
    return [f for f in page.forms if "data-autosave" in f.attrs]


# --- The wire format's names, checked against the method ----------------------------------


@dataclass(frozen=True)
class Name:
    question: Question
    version: bool = False
    part: str | None = None  # a person's name/role/email
    row: str | None = None
    column: str | None = None  # a column key, or wire.REMOVE


def parse_name(name: str, questions: dict[str, Question]) -> Name:
    """What a field name says under the wire format; AssertionError when it says nothing."""
    bits = name.split(wire.SEPARATOR)
    if len(bits) == 2 and bits[0] == wire.VERSION_PREFIX and bits[1] in questions:
        assert wire.version_name(bits[1]) == name
        return Name(questions[bits[1]], version=True)
    assert bits[0] == wire.QUESTION_PREFIX and len(bits) in (2, 3, 4), f"not on the wire: {name}"
    assert bits[1] in questions, f"{name}: no such question in this section"
    question = questions[bits[1]]
    assert wire.field_name(*bits[1:]) == name
    if len(bits) == 2:
        assert question.type not in ("person", "table"), f"{name}: needs a part or a row"
        return Name(question)
    if len(bits) == 3:
        assert question.type == "person" and bits[2] in wire.PERSON_FIELDS, name
        return Name(question, part=bits[2])
    row, column = bits[2], bits[3]
    assert question.type == "table" and wire.is_row_id(row), name
    fixed = [r.id for r in question.rows]
    if fixed and not question.more_rows:
        assert row in fixed, f"{name}: not one of the table's items"
    if column == wire.REMOVE:
        assert not fixed, f"{name}: a fixed row cannot be removed"
    else:
        assert column in {c.key for c in question.columns}, f"{name}: no such column"
    return Name(question, row=row, column=column)


class Recording(MultiDict):  # type: ignore[type-arg]
    """A posted form that notes every name read from it."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key: Any, type: Any = None) -> Any:
        self.read.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key: Any) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


# --- Filling a form as a person would --------------------------------------------------------

DAY = "2024-03-15"


def _number(question: Question) -> str:
    for typed in ("12,5", "12", "3", "1"):  # a decimal comma, as people in Ukraine write
        try:
            clean(question, typed)
        except InvalidAnswer:
            continue
        return typed
    low = question.min if question.min is not None else 0
    return str(int(low))


def _typed(question: Question, what: str) -> str:
    """Text for a text, number or date field of ``question`` (a question or a column)."""
    if question.type == "number":
        return _number(question)
    if question.type == "date":
        return DAY
    if question.type == "long_text":
        return f"{what}: first line\nsecond line"
    return what


def _fill_choices(controls: list[Control]) -> None:
    """Pick the last option of a radio group or a select, the first and last of checkboxes."""
    if not controls:
        return
    first = controls[0]
    if first.tag == "select":
        if first.choices():
            first.choose(first.choices()[-1])
    elif first.type == "radio":
        for c in controls:
            c.checked = c is controls[-1]
    elif first.type == "checkbox":
        for c in controls:
            c.checked = c is controls[0] or c is controls[-1]


def fill(form: Form, questions: dict[str, Question]) -> None:
    """Put a value in every answer field of the form."""
    by_name: dict[str, list[Control]] = {}
    for c in form.controls:
        by_name.setdefault(c.name, []).append(c)
    for name, controls in by_name.items():
        if name in FORM_FIELDS:
            continue
        said = parse_name(name, questions)
        if said.version or said.column == wire.REMOVE:
            continue
        kind = said.question
        if said.column is not None:
            kind = next(c for c in said.question.columns if c.key == said.column)
        if said.part is not None:
            typed = {"name": "Olena Kovalenko", "role": "Head nurse", "email": "olena@example.org"}
            controls[0].value = typed[said.part]
        elif controls[0].tag == "select" or controls[0].type in ("radio", "checkbox"):
            _fill_choices(controls)
        else:
            controls[0].value = _typed(kind, f"{name} typed")


def _cell(said: Name, posted: MultiDict[str, str], name: str) -> Any:
    if said.column == wire.REMOVE:
        return True
    kind = next(c for c in said.question.columns if c.key == said.column)
    return posted.getlist(name) if kind.type == "multi_choice" else posted[name]


def expected(posted: MultiDict[str, str], questions: dict[str, Question]) -> dict[str, Any]:
    """What each question's answer must be after ``posted``, worked out from the names alone."""
    raw: dict[str, Any] = {}
    for name in posted:
        said = None if name in FORM_FIELDS else parse_name(name, questions)
        if said is None or said.version:
            continue
        q = said.question
        if said.part is not None:
            raw.setdefault(q.key, {})[said.part] = posted[name]
        elif said.row is not None:
            cells = raw.setdefault(q.key, {}).setdefault(said.row, {"row": said.row})
            cells[said.column] = _cell(said, posted, name)
        elif q.type == "multi_choice":
            raw[q.key] = posted.getlist(name)
        else:
            raw[q.key] = posted[name]
    values = {}
    for key, q in questions.items():
        value = raw.get(key, [] if q.type in ("multi_choice", "table") else None)
        if q.type == "table":
            kept = [r for r in value.values() if not r.pop(wire.REMOVE, False)] if value else []
            # An unticked box sends nothing: its column is still there, empty.
            value = [
                {c.key: r.get(c.key, [] if c.type == "multi_choice" else None) for c in q.columns}
                | {"row": r["row"]}
                for r in kept
            ]
        values[key] = clean(q, value)
    return values


# --- The stage pages ---------------------------------------------------------------------------


def _open_every_stage(world: World, method: Method) -> None:
    """As a facilitator would with a logged reason: every stage open for this partnership."""
    for stage in method.stages[1:]:
        db.session.add(
            StageRun(partnership_id=world.partnership.id, stage_key=stage.key, opened_early=True)
        )
    db.session.commit()


def _stored(world: World, question: Question) -> Answer | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Answer).where(
            Answer.partnership_id == world.partnership.id,
            Answer.question_key == question.key,
            Answer.side == (SIDE if question.per_side else SHARED),
        )
    )


@pytest.fixture(params=available_versions())
def seated(
    request: pytest.FixtureRequest, world: World, login: Callable[[Account], FlaskClient]
) -> tuple[FlaskClient, Method]:
    world.partnership.method_version = request.param
    db.session.commit()
    method = load(request.param)
    _open_every_stage(world, method)
    return login(world.participant), method


def _snapshot(answer: Answer | None) -> tuple[int, Any]:
    assert answer is not None
    return answer.version, answer.value


def _page(client: FlaskClient, world: World, stage: str) -> PageForms:
    response = client.get(f"/partnerships/{world.partnership.id}/stages/{stage}", headers=EN)
    assert response.status_code == 200, stage
    return PageForms(response.get_data(as_text=True))


def _section_form(page: PageForms, section: Section) -> Form:
    found = [f for f in answer_forms(page) if f.attrs["action"].endswith(f"/{section.key}")]
    assert len(found) == 1, section.key
    return found[0]


def _post(client: FlaskClient, form: Form, data: MultiDict[str, str]) -> None:
    response = client.post(form.attrs["action"], data=data, headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]


def _sections(method: Method) -> Iterator[tuple[str, Section]]:
    for stage in method.stages:
        for section in stage.sections:
            yield stage.key, section


def test_every_rendered_name_is_on_the_wire_and_read_back(
    seated: tuple[FlaskClient, Method], world: World
) -> None:
    client, method = seated
    for stage in method.stages:
        page = _page(client, world, stage.key)
        # Outside the answer forms, nothing is named like an answer.
        other = [c.name for f in page.forms if "data-autosave" not in f.attrs for c in f.controls]
        for name in other + page.loose:
            wired = name.startswith((wire.field_name(""), wire.version_name("")))
            assert not wired, f"{stage.key}: {name} outside an answer form"
        assert len(answer_forms(page)) == len(stage.sections)
        for section in stage.sections:
            questions = {q.key: q for q in section.questions}
            form = _section_form(page, section)
            names = {c.name for c in form.controls} - FORM_FIELDS
            for name in names:
                parse_name(name, questions)  # raises for a name outside the wire format
            # Every question has its version and at least one field.
            assert {wire.version_name(k) for k in questions} <= names
            # With every rendered field posted, raw_value and posted_version read each one.
            everything = Recording([(c.name, c.value or "1") for c in form.controls])
            for question in section.questions:
                formdata.raw_value(question, everything)
                formdata.posted_version(question, everything)
            assert names - everything.read == set(), f"{stage.key}/{section.key}: never read"


def test_a_posted_page_stores_what_was_typed_and_renders_it_back(
    seated: tuple[FlaskClient, Method], world: World
) -> None:
    client, method = seated
    answered: set[str] = set()
    for stage_key, section in _sections(method):
        questions = {q.key: q for q in section.questions}
        # Typed into every field, as a person would, and saved with the section's button.
        form = _section_form(_page(client, world, stage_key), section)
        fill(form, questions)
        posted = form.submitted()
        want = expected(posted, questions)
        _post(client, form, posted)
        for question in section.questions:
            answer = _stored(world, question)
            assert want[question.key] is not None, f"{question.key}: nothing was filled in"
            assert answer is not None, question.key
            assert answer.value == want[question.key], question.key
            assert answer.value == clean(question, formdata.raw_value(question, posted))
            answered.add(question.key)
            for column in question.columns:  # every cell typed or chosen, references too
                assert all(column.key in row for row in answer.value), (question.key, column.key)

        # The page now shows those answers: posted back untouched, it reads the same answers;
        # ticking a row's «Remove» box leaves that row out.
        form = _section_form(_page(client, world, stage_key), section)
        removed: dict[str, str] = {}
        for question in section.questions:
            if question.type == "table" and not question.rows:
                first = next(
                    c
                    for c in form.controls
                    if c.name.startswith(wire.field_name(question.key) + wire.SEPARATOR)
                    and c.name.endswith(wire.SEPARATOR + wire.REMOVE)
                )
                first.checked = True
                removed[question.key] = parse_name(first.name, questions).row or ""
        posted = form.submitted()
        before = {q.key: _snapshot(_stored(world, q)) for q in section.questions}
        for key, row in removed.items():
            want[key] = [r for r in want[key] if r["row"] != row] or None
        assert expected(posted, questions) == want
        _post(client, form, posted)
        for question in section.questions:
            (version, value), (was, earlier) = (
                _snapshot(_stored(world, question)),
                before[question.key],
            )
            if question.key in removed:
                assert version == was + 1
                assert value == [r for r in earlier if r["row"] != removed[question.key]] or None
                assert value == want[question.key]
            else:
                assert (version, value) == (was, earlier), question.key
    assert answered == {q.key for stage in method.stages for q in stage.questions()}


def test_the_stage_page_hands_its_script_the_wire_format(
    seated: tuple[FlaskClient, Method], world: World
) -> None:
    client, method = seated
    response = client.get(f"/partnerships/{world.partnership.id}/stages/{method.stages[0].key}")
    page = PageForms(response.get_data(as_text=True))
    assert list(page.json_blocks) == ["wire-format"]
    handed = json.loads("".join(page.json_blocks["wire-format"]))
    assert handed == wire.for_page()
    # A JSON block is data, never run: the page's Content-Security-Policy stays as it is.
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_the_handed_row_id_rules_agree_with_the_server() -> None:
    handed = wire.for_page()
    pattern = re.compile(handed["rowIdPattern"])
    for _ in range(200):
        row = wire.new_row_id()
        assert len(row) == handed["rowIdLength"]
        assert set(row) <= set(handed["rowIdAlphabet"])
        assert pattern.search(row) and wire.is_row_id(row)
    assert len(set(handed["rowIdAlphabet"])) == len(handed["rowIdAlphabet"])
    assert all(wire.is_row_id(c * 2) for c in handed["rowIdAlphabet"])
    # Python's "$" also matches before a last newline; JavaScript's does not: neither may pass.
    for bad in ("ipc\n", "", "Ipc", "-ipc", "a" * 25, "ip.c", 'ip"c', None, 7):
        assert not wire.is_row_id(bad), bad
    assert wire.field_name("gap_table", "abc", wire.REMOVE) == "q.gap_table.abc._remove"
    assert wire.version_name("gap_table") == "v.gap_table"


def test_the_script_spells_no_name_of_its_own() -> None:
    """autosave.js takes every name and the row-id alphabet from the handed format."""
    script = (PROJECT_ROOT / "static" / "js" / "autosave.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", script, flags=re.S)
    for literal in ('"q."', "'q.'", '"v."', "'v.'", wire.REMOVE, wire.ROW_ID_ALPHABET, '"."'):
        assert literal not in code, literal
    assert "wire-format" in code
