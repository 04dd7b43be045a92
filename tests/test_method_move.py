"""Moving answers between method versions: the mapping is checked against both methods, and a
move keeps every word people typed, every row id, and only values the new method accepts."""

from __future__ import annotations

import copy
import re
from collections import Counter
from typing import Any

import pytest
import yaml
from flask import Flask
from flask_babel import force_locale

from workshop.groupwork.answers.values import clean
from workshop.method.definition import Method, Question, load, parse
from workshop.method.move import (
    MOVES_DIR,
    MoveError,
    available_moves,
    load_mapping,
    parse_mapping,
    parse_mapping_text,
    plan,
)

OLD, NEW = load("2024.1"), load("2024.2")
SIDES = ("ua", "partner")
WORD = re.compile(r"\w+")


# --- a full, realistic set of 2024.1 answers, built from the method ------------------------


_MADE = {
    "text": lambda q, tag, n: f"{tag} коротко {n}",
    "long_text": lambda q, tag, n: f"{tag}: перший абзац {n}.\nДругий абзац — Lviv, ward {n + 3}.",
    "single_choice": lambda q, tag, n: q.choices[n % len(q.choices)].id,
    "multi_choice": lambda q, tag, n: [c.id for c in q.choices[n % 2 : n % 2 + 2]],
    "status": lambda q, tag, n: n % 4,
    "score": lambda q, tag, n: 1 + n % 5,
    "number": lambda q, tag, n: int(q.min or 0) + 5 + n,
    "date": lambda q, tag, n: f"2024-0{n + 1}-1{n}",
    "person": lambda q, tag, n: {
        "name": f"{tag} Олена Коваль",
        "role": "координаторка",
        "email": "o@example.org",
    },
}


def _cell(question: Question, tag: str, n: int, rows_of: dict[str, list[str]]) -> Any:
    """One value of the question's type; ``tag`` makes its words this answer's own."""
    if question.type == "ref":
        ids = rows_of[question.link or ""]
        return ids[n % len(ids)]
    return _MADE[question.type](question, tag, n)


def _table(table: Question, side: str, rows_of: dict[str, list[str]]) -> list[dict[str, Any]]:
    ids = [r.id for r in table.rows[:3]] or [f"{table.key[:12]}-{n}" for n in range(3)]
    rows_of.setdefault(table.key, ids)
    return [
        {
            "row": row_id,
            **{c.key: _cell(c, f"{table.key} {c.key} {side}", n, rows_of) for c in table.columns},
        }
        for n, row_id in enumerate(ids)
    ]


def _answers(method: Method) -> dict[tuple[str, str], Any]:
    values: dict[tuple[str, str], Any] = {}
    rows_of: dict[str, list[str]] = {}
    for question in method._questions.values():
        for side in SIDES if question.per_side else ("",):
            if question.type == "table":
                values[(question.key, side)] = _table(question, side, rows_of)
            else:
                values[(question.key, side)] = _cell(question, f"{question.key} {side}", 1, rows_of)
    # Two different horizons: the stage-4 one must not be lost when stage 1's stays.
    values[("horizon_months", "")] = 24
    values[("plan_horizon_months", "")] = 36
    return values


def _words(value: Any) -> Counter[str]:
    """Every word, number, date part and choice or row id in a value, counted."""
    found: Counter[str] = Counter()
    if isinstance(value, dict):
        for item in value.values():
            found += _words(item)
    elif isinstance(value, list):
        for item in value:
            found += _words(item)
    elif isinstance(value, float) and value.is_integer():
        found.update([str(int(value))])
    elif value is not None:
        found.update(WORD.findall(str(value)))
    return found


def test_the_answers_built_here_are_valid_2024_1_answers(app: Flask) -> None:
    for (key, _side), value in _answers(OLD).items():
        question = OLD.question(key)
        assert question is not None
        assert clean(question, value) is not None, key


# --- the published mapping ----------------------------------------------------------------


def test_every_published_mapping_loads_clean_and_accounts_for_every_old_question() -> None:
    assert ("2024.1", "2024.2") in available_moves()
    for before, after in available_moves():
        mapping = load_mapping(before, after)
        assert [r.question for r in mapping.rules] == list(load(before)._questions)


def test_the_2024_1_mapping_says_where_the_changed_questions_go() -> None:
    mapping = load_mapping("2024.1", "2024.2")
    resources = mapping.rule("resources_pledged")
    horizon = mapping.rule("plan_horizon_months")
    activities = mapping.rule("activities")
    assert resources is not None
    assert str(resources.to) == "resources_notes"
    assert horizon is not None
    assert str(horizon.to) == "horizon_months"
    assert str(horizon.if_taken) == "readiness_checklist › what_workplan › comment"
    assert activities is not None
    assert {c.column: c.to for c in activities.columns}["resources"] == "resources_note"


def test_every_typed_word_of_2024_1_survives_the_move(app: Flask) -> None:
    before = _answers(OLD)
    moved = plan(OLD, NEW, load_mapping("2024.1", "2024.2"), before)

    lost = _words(list(before.values())) - _words(list(moved.values.values()))
    assert not lost, lost
    for (key, _side), value in moved.values.items():
        question = NEW.question(key)
        assert question is not None, key
        assert clean(question, value) == value, key

    said = {(m.source, m.side): m for m in moved.report}
    assert said[("resources_pledged", "ua")].target == "resources_notes"
    assert said[("resources_pledged", "partner")].how == "moved"
    assert said[("activities › resources", "")].target == "activities › resources_note"
    assert said[("plan_horizon_months", "")].how == "noted"
    assert moved.values[("horizon_months", "")] == 24  # stage 1 keeps its own
    comment = next(
        r["comment"]
        for r in moved.values[("readiness_checklist", "")]
        if r["row"] == "what_workplan"
    )
    assert comment.endswith("Action plan horizon (stage 4), months: 36")
    # What the engine writes: the moved answers, and the ones that no longer hold anything.
    assert moved.changed[("plan_horizon_months", "")] is None
    assert moved.changed[("resources_pledged", "ua")] is None
    assert moved.changed[("resources_notes", "ua")] == before[("resources_pledged", "ua")]
    assert ("shared_vision_uk", "") not in moved.changed  # unchanged: no new revision


def test_row_ids_are_kept_so_every_link_still_names_its_row(app: Flask) -> None:
    before = _answers(OLD)
    after = plan(OLD, NEW, load_mapping("2024.1", "2024.2"), before).values

    def ids(values: dict[tuple[str, str], Any], key: str, side: str = "") -> list[str]:
        return [r["row"] for r in values.get((key, side)) or []]

    tables = [k for k, v in before.items() if isinstance(v, list) and isinstance(v[0], dict)]
    for key, side in tables:
        # The readiness checklist also gains the row that notes the stage-4 horizon.
        assert set(ids(before, key, side)) <= set(ids(after, key, side)), key
    priorities = set(ids(after, "priorities"))
    objectives = set(ids(after, "objectives"))
    gaps = set(ids(after, "gap_table"))
    areas = {r.id for r in NEW.question("needs_matrix").rows}
    assert {o["priority"] for o in after[("objectives", "")]} <= priorities
    assert {a["objective"] for a in after[("activities", "")]} <= objectives
    assert {g["area"] for g in after[("gap_table", "")]} <= areas
    for side in SIDES:
        assert {c["gap"] for c in after[("candidate_scores", side)]} <= gaps


@pytest.mark.parametrize(
    ("stage_one", "how", "horizon"),
    [(None, "moved", 36), (36, "kept", 36)],
)
def test_the_plan_horizon_fills_stage_one_when_nothing_else_is_there(
    app: Flask, stage_one: int | None, how: str, horizon: int
) -> None:
    values: dict[tuple[str, str], Any] = {("plan_horizon_months", ""): 36}
    if stage_one is not None:
        values[("horizon_months", "")] = stage_one
    moved = plan(OLD, NEW, load_mapping("2024.1", "2024.2"), values)
    assert moved.values == {("horizon_months", ""): horizon}
    assert [(m.source, m.how) for m in moved.report if m.source == "plan_horizon_months"] == [
        ("plan_horizon_months", how)
    ]


# --- mappings that must be refused ---------------------------------------------------------


def _real() -> dict[str, Any]:
    with (MOVES_DIR / "2024.1-to-2024.2.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _without(raw: dict[str, Any], question: str) -> dict[str, Any]:
    raw["rules"] = [r for r in raw["rules"] if r["question"] != question]
    return raw


def _refused(raw: Any) -> list[str]:
    with pytest.raises(MoveError) as caught:
        parse_mapping(raw, OLD, NEW)
    return [str(p) for p in caught.value.problems]


def test_a_question_not_accounted_for_is_refused() -> None:
    problems = _refused(_without(_real(), "plan_horizon_months"))
    assert len(problems) == 1
    assert "'plan_horizon_months' (stage 4, action_plan) is not in 2024.2" in problems[0]


def test_a_question_whose_type_changed_needs_a_rule() -> None:
    problems = _refused(_without(_real(), "resources_pledged"))
    assert problems == [
        "rules: 'resources_pledged' changes from long_text to table in 2024.2: add a rule "
        "saying where its answer goes"
    ]


def test_an_unknown_target_is_refused_with_a_hint() -> None:
    raw = _real()
    raw["rules"][1]["to"] = "horizon_month"
    assert _refused(raw) == [
        "rules[1] (plan_horizon_months) › to: 2024.2 has no question 'horizon_month' "
        "(did you mean 'horizon_months'?)"
    ]


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        (
            {"question": "outage_plan", "to": "horizon_months"},
            "a long_text answer cannot become number",
        ),
        (
            {"question": "channels", "to": "endorsement"},
            "a multi_choice answer cannot become single_choice",
        ),
        (
            {"question": "endorsement", "to": "outage_plan"},
            "a single_choice answer cannot become long_text",
        ),
        (
            {"question": "want_to_learn", "to": "outage_plan"},
            "answered by each side, but 'outage_plan' is answered together",
        ),
        (
            {"question": "shared_objectives", "to": "principle_ratings"},
            "a table with rows people add cannot become one with fixed rows",
        ),
        (
            {"question": "assessment_team", "to": "added_areas"},
            "a long_text answer cannot become table",
        ),
    ],
)
def test_an_incompatible_target_is_refused(rule: dict[str, Any], said: str) -> None:
    raw = _real()
    raw["rules"].append(rule)
    problems = _refused(raw)
    assert any(said in p for p in problems), problems


def test_every_problem_of_a_mapping_is_listed_at_once_with_its_line() -> None:
    text = """\
from: "2024.1"
to: "2024.2"
rules:
  - question: plan_horizon_months
    to: horizon_month
  - question: outage_plan
    to: horizon_months
  - question: activities
    colums: []
  - question: gap_table
    columns:
      - {column: area, to: desired}
  - question: no_such_question
    drop: gone
"""
    with pytest.raises(MoveError) as caught:
        parse_mapping_text(text, OLD, NEW, source="broken.yaml")
    said = [str(p) for p in caught.value.problems]
    assert str(caught.value).startswith(f"broken.yaml: {len(said)} problems:")
    expected = [
        ("resources_pledged' changes from long_text to table", 3),
        ("no question 'horizon_month' (did you mean 'horizon_months'?)", 5),
        ("a long_text answer cannot become number", 7),
        ("column 'resources' of 'activities' is not in 2024.2's 'activities'", 8),
        ("colums: unknown key (did you mean 'columns'?)", 9),
        ("a single_choice answer cannot become long_text", 12),
        ("2024.1 has no question 'no_such_question'", 13),
    ]
    assert len(said) == len(expected), said
    for (fragment, line), problem in zip(expected, said, strict=True):
        assert fragment in problem, (fragment, problem)
        assert problem.endswith(f"(line {line})"), problem


def test_a_mapping_for_other_versions_is_refused() -> None:
    raw = _real()
    raw["from"] = "2023.9"
    assert _refused(raw) == [
        "from: says version 2023.9, but the method it is checked against is 2024.1"
    ]


# --- the rules, on small methods ------------------------------------------------------------


def _method(version: str, *questions: dict[str, Any]) -> Method:
    text = {"uk": "Т", "en": "T"}
    return parse(
        {
            "version": version,
            "title": text,
            "stages": [
                {
                    "key": "one",
                    "title": text,
                    "sections": [{"key": "s", "title": text, "questions": list(questions)}],
                }
            ],
        }
    )


def _q(key: str, kind: str, **more: Any) -> dict[str, Any]:
    return {"key": key, "type": kind, "label": {"uk": key, "en": key}, **more}


def _choices(*ids: str) -> list[dict[str, str]]:
    return [{"id": i, "uk": i, "en": i} for i in ids]


BEFORE = _method(
    "1",
    _q("mode", "single_choice", choices=_choices("phone", "mail")),
    _q("note_a", "text"),
    _q("note_b", "long_text"),
    _q("legacy", "text"),
    _q(
        "people",
        "table",
        columns=[
            _q("name", "text"),
            _q("phone", "text"),
            _q("kind", "single_choice", choices=_choices("a", "b")),
        ],
    ),
)
AFTER = _method(
    "2",
    _q("modes", "multi_choice", choices=_choices("phone", "email")),
    _q("notes", "long_text"),
    _q(
        "people",
        "table",
        columns=[_q("name", "text"), _q("kinds", "multi_choice", choices=_choices("a", "c"))],
    ),
)
RULES = {
    "from": "1",
    "to": "2",
    "rules": [
        {"question": "mode", "to": "modes", "choices": {"mail": "email"}},
        {"question": "note_a", "to": "notes"},
        {"question": "note_b", "to": "notes", "label": {"uk": "Друга", "en": "Second"}},
        {"question": "legacy", "drop": "Nobody ever filled it in."},
        {
            "question": "people",
            "columns": [
                {"column": "phone", "drop": "Contacts live in the address book now."},
                {"column": "kind", "to": "kinds", "choices": {"b": "c"}},
            ],
        },
    ],
}


def test_rules_rename_remap_join_and_drop(app: Flask) -> None:
    mapping = parse_mapping(RULES, BEFORE, AFTER)
    values = {
        ("mode", ""): "mail",
        ("note_a", ""): "перша нотатка",
        ("note_b", ""): "друга нотатка",
        ("legacy", ""): "старе",
        ("people", ""): [{"row": "p1", "name": "Ірина", "phone": "+380", "kind": "b"}],
    }
    moved = plan(BEFORE, AFTER, mapping, values)
    assert moved.values == {
        ("modes", ""): ["email"],
        ("notes", ""): "перша нотатка\nДруга / Second: друга нотатка",
        ("people", ""): [{"row": "p1", "name": "Ірина", "kinds": ["c"]}],
    }
    said = {(m.source, m.how, m.why) for m in moved.report}
    assert ("legacy", "dropped", "Nobody ever filled it in.") in said
    assert ("people › phone", "dropped", "Contacts live in the address book now.") in said
    assert ("note_b", "appended", None) in said


def test_a_choice_left_out_of_the_new_list_needs_mapping() -> None:
    raw = copy.deepcopy(RULES)
    del raw["rules"][0]["choices"]
    with pytest.raises(MoveError) as caught:
        parse_mapping(raw, BEFORE, AFTER)
    assert "choices ['mail'] are not among the new ones" in str(caught.value)


def test_a_longer_text_into_a_shorter_place_is_refused() -> None:
    before = _method("1", _q("note", "long_text"))
    after = _method("2", _q("note", "long_text", max_length=20))
    with pytest.raises(MoveError, match="up to 5000 characters may not fit in 20"):
        parse_mapping({"from": "1", "to": "2"}, before, after)


def test_a_value_the_new_method_refuses_stops_the_plan(app: Flask) -> None:
    before = _method("1", _q("months", "number"), _q("term", "number"))
    after = _method("2", _q("months", "number", min=6, max=60), _q("term", "number"))
    mapping = parse_mapping({"from": "1", "to": "2"}, before, after)
    with force_locale("en"), pytest.raises(MoveError) as caught:
        plan(before, after, mapping, {("months", ""): 80, ("term", ""): 12})
    assert [str(p) for p in caught.value.problems] == [
        "months (shared): does not fit 2: Enter at most 60."
    ]


def test_answers_to_unknown_questions_or_sides_are_refused(app: Flask) -> None:
    mapping = parse_mapping(RULES, BEFORE, AFTER)
    with pytest.raises(MoveError) as caught:
        plan(BEFORE, AFTER, mapping, {("nope", ""): "x", ("mode", "ua"): "phone"})
    said = [str(p) for p in caught.value.problems]
    assert said == [
        "nope: method 1 has no question 'nope'",
        "mode: is answered together; side 'ua' is not one of its sides",
    ]


def test_a_non_text_place_shared_by_two_answers_needs_if_taken() -> None:
    before = _method("1", _q("a", "number"), _q("b", "number"), _q("n", "long_text"))
    after = _method("2", _q("a", "number"), _q("n", "long_text"))
    raw = {"from": "1", "to": "2", "rules": [{"question": "b", "to": "a"}]}
    with pytest.raises(MoveError, match="'b' goes into 'a', which also receives"):
        parse_mapping(raw, before, after)
    raw["rules"][0] |= {"if_taken": "n"}
    with pytest.raises(MoveError, match="needs a 'label'"):
        parse_mapping(raw, before, after)
    raw["rules"][0] |= {"label": {"uk": "Б", "en": "B"}}
    mapping = parse_mapping(raw, before, after)
    moved = plan(before, after, mapping, {("a", ""): 1, ("b", ""): 2.5, ("n", ""): "текст"})
    assert moved.values == {("a", ""): 1, ("n", ""): "текст\nБ / B: 2.5"}
