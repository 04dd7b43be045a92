"""The method definition: every published version loads, a broken one is refused loudly, with
every problem placed in the file; roles; the documented format."""

from __future__ import annotations

import copy
import functools
import random
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from flask import Flask

from workshop.method import roles, schema
from workshop.method.completeness import Kind, Unmet, describe, keys_needed, unmet
from workshop.method.definition import (
    COLUMN_TYPES,
    CURRENT_VERSION,
    INSIGHTS,
    PREFILLS,
    QUESTION_TYPES,
    VERSIONS_DIR,
    Method,
    MethodError,
    PerLinkedRow,
    Problem,
    Text,
    available_versions,
    load,
    load_file,
    parse,
    parse_text,
)
from workshop.paths import PROJECT_ROOT

# The tests below take the first published version as the real method they mutate and read.
BASE = "2024.1"


def test_every_published_version_loads_and_covers_stages_one_to_four() -> None:
    assert CURRENT_VERSION in available_versions()
    for version in available_versions():
        method = load(version)
        assert [s.number for s in method.stages][:4] == [1, 2, 3, 4]
    current = load(BASE)
    used = {q.type for q in current._questions.values()}
    used |= {c.type for q in current._questions.values() for c in q.columns}
    assert used == QUESTION_TYPES | COLUMN_TYPES  # the demo method exercises every type


def test_the_needs_assessment_is_per_side_over_the_design_areas() -> None:
    matrix = load(BASE).question("needs_matrix")
    assert matrix is not None
    assert matrix.per_side
    assert len(matrix.rows) == 18
    assert {c.key for c in matrix.columns} >= {"status", "evidence", "want_to_learn", "can_share"}
    weights = {c.key: c.weight for c in load(BASE).question("candidate_scores").columns}
    assert weights["policy"] == 3
    assert weights["measurability"] == 1


@functools.cache
def _published() -> dict:
    with (VERSIONS_DIR / f"tpi-{BASE}.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _raw() -> dict:
    """A fresh copy of the current method's data, to break (read once: YAML is slow)."""
    return copy.deepcopy(_published())


def _q(raw: dict, key: str) -> dict:
    """A question (or table) of the raw definition, by key."""
    return next(
        q
        for stage in raw["stages"]
        for section in stage["sections"]
        for q in section["questions"]
        if q["key"] == key
    )


def _column(raw: dict, table: str, key: str) -> dict:
    return next(c for c in _q(raw, table)["columns"] if c["key"] == key)


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (
            lambda m: m["stages"][0]["sections"][0]["questions"][0].update(type="essay"),
            "unknown type 'essay'",
        ),
        (
            lambda m: m["stages"][0]["sections"][0]["questions"][0]["label"].pop("en"),
            "needs non-empty 'uk' and 'en' text",
        ),
        (
            lambda m: m["stages"][0]["sections"][0]["questions"][0]["label"].update({"яка": None}),
            "unexpected keys",
        ),
        (
            lambda m: m["stages"][1]["sections"][0]["questions"].append(
                copy.deepcopy(m["stages"][0]["sections"][0]["questions"][0])
            ),
            "repeated keys ['ua_focal_point']",
        ),
        (
            lambda m: m["stages"][0]["sections"][1]["questions"][2].update(choices=[]),
            "needs a non-empty list of choices",
        ),
        (
            lambda m: m["stages"][1]["sections"][1]["questions"][0].update(rows="no_such_list"),
            "unknown list 'no_such_list'",
        ),
        (
            lambda m: m["stages"][0]["sections"][1]["questions"][1].update(min=10, max=1),
            "min is above max",
        ),
        (lambda m: m.update(version=""), "needs a version"),
        (lambda m: _column(m, "objectives", "priority").pop("link"), "needs 'link' and 'show'"),
        (
            lambda m: _column(m, "objectives", "priority").update(link="plan_starts_on"),
            "links to 'plan_starts_on', which is not a table",
        ),
        (
            lambda m: _column(m, "activities", "objective").update(show="no_such_column"),
            "a ref needs a shared repeatable table and its columns",
        ),
        (
            lambda m: _column(m, "candidate_scores", "gap").update(link="candidate_scores"),
            "a ref needs a shared repeatable table",  # per side: rows differ by side
        ),
        (
            lambda m: _column(m, "gap_table", "area").update(choices="evidence_kinds"),
            "a linked choice must list the table's fixed rows",
        ),
        (
            lambda m: _q(m, "signatories")["columns"].append(
                {"key": "_remove", "type": "text", "label": {"uk": "Х", "en": "X"}}
            ),
            "key must be lower_snake_case",
        ),
    ],
)
def test_a_broken_definition_is_refused_with_its_problem_named(breakage, message: str) -> None:
    raw = _raw()
    breakage(raw)
    with pytest.raises(MethodError, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse(raw)


# --- The strict format: every kind of mistake is found, placed, and said -------------------


def _stage(raw: dict, key: str) -> dict:
    return next(s for s in raw["stages"] if s["key"] == key)


def _problems(raw: object) -> list[Problem]:
    with pytest.raises(MethodError) as caught:
        parse(raw)
    assert caught.value.problems, "a MethodError from parse lists its problems"
    return list(caught.value.problems)


def _add_column(table: str, column: dict) -> Callable[[dict], None]:
    return lambda m: _q(m, table)["columns"].append(column)


def _label(en: str = "X") -> dict:
    return {"uk": "Х", "en": en}


SCORES = "questions[0] (candidate_scores)"
OBJECTIVES = "questions[0] (objectives)"
MATRIX = "questions[0] (needs_matrix)"

MISTAKES = [
    # Unknown keys at every level, with a hint where one is close.
    (
        "typo in a question key",
        lambda m: _q(m, "ua_focal_point").update(requird=True),
        "questions[0] (ua_focal_point) › requird",
        "unknown key (did you mean 'required'?)",
    ),
    (
        "unknown key on the method",
        lambda m: m.update(stage=[]),
        "stage",
        "unknown key (did you mean 'stages'?)",
    ),
    (
        "unknown key on a list item",
        lambda m: m["lists"]["sides"][0].update(label="x"),
        "lists › sides[0] (ua) › label",
        "unknown key",
    ),
    (
        "unknown key on a stage",
        lambda m: _stage(m, "needs").update(insight=["needs_offers"]),
        "stages[1] (needs) › insight",
        "did you mean 'insights'?",
    ),
    (
        "unknown key on voting",
        lambda m: _stage(m, "priorities")["voting"].update(dots=3),
        "stages[2] (priorities) › voting › dots",
        "unknown key",
    ),
    (
        "unknown key on a section",
        lambda m: _stage(m, "needs")["sections"][0].update(intro=_label()),
        "stages[1] (needs) › sections[0] (how) › intro",
        "unknown key",
    ),
    (
        "unknown key on a column",
        lambda m: _column(m, "candidate_scores", "policy").update(wieght=3),
        f"{SCORES} › columns[2] (policy) › wieght",
        "did you mean 'weight'?",
    ),
    (
        "help on a column is not shown anywhere",
        lambda m: _column(m, "signatories", "name").update(help=_label()),
        "columns[0] (name) › help",
        "unknown key",
    ),
    (
        "unknown key on per_linked_row",
        lambda m: _column(m, "objectives", "priority").update(per_linked_row={"least": 1}),
        "columns[0] (priority) › per_linked_row › least",
        "unknown key",
    ),
    (
        "a stray key in a text (an unquoted comma)",
        lambda m: _q(m, "outage_plan")["label"].update({"power": None}),
        "questions[3] (outage_plan) › label",
        "unexpected keys ['power']",
    ),
    # Wrong types.
    (
        "a weight as text",
        lambda m: _column(m, "candidate_scores", "policy").update(weight="3"),
        f"stages[2] (priorities) › sections[1] (scoring) › {SCORES} › columns[2] (policy) › weight",
        'must be a whole number, got the text "3"',
    ),
    (
        "a minimum as a word",
        lambda m: _q(m, "memorandum_term_months").update(min="one"),
        "questions[1] (memorandum_term_months) › min",
        'must be a number, got the text "one"',
    ),
    (
        "required as text",
        lambda m: _q(m, "outage_plan").update(required="yes"),
        "questions[3] (outage_plan) › required",
        'must be true or false, got the text "yes"',
    ),
    (
        "per_side as a number",
        lambda m: _q(m, "can_offer").update(per_side=1),
        "questions[1] (can_offer) › per_side",
        "must be true or false, got the number 1",
    ),
    (
        "max_rows as a float",
        lambda m: _q(m, "signatories").update(max_rows=2.5),
        "questions[2] (signatories) › max_rows",
        "must be a whole number, got the number 2.5",
    ),
    (
        "a label as plain text",
        lambda m: _q(m, "outage_plan").update(label="What we do"),
        "questions[3] (outage_plan) › label",
        "needs non-empty 'uk' and 'en' text, got the text",
    ),
    (
        "a text that is a number",
        lambda m: _q(m, "memorandum_term_months")["example"].update(uk=24),
        "questions[1] (memorandum_term_months) › example › uk",
        "must be text, got the number 24 — put it in quotes",
    ),
    (
        "a version that is a number",
        lambda m: m.update(version=2024.1),
        "version",
        "the method needs a version as text",
    ),
    (
        "an id that YAML read as yes/no",
        lambda m: m["lists"]["sides"][0].update(id=False),
        "lists › sides[0] › id",
        "got the yes/no value false — put it in quotes",
    ),
    (
        "insights not a list",
        lambda m: _stage(m, "needs").update(insights="needs_offers"),
        "stages[1] (needs) › insights",
        "must be a list of insight names",
    ),
    (
        "show as a number",
        lambda m: _column(m, "activities", "objective").update(show=3),
        "columns[0] (objective) › show",
        "must be a key or a list of keys",
    ),
    (
        "columns not a list",
        lambda m: _q(m, "signatories").update(columns={"name": "text"}),
        "questions[2] (signatories) › columns",
        "must be a non-empty list",
    ),
    (
        "choices as a mapping",
        lambda m: _q(m, "endorsement").update(choices={"none": "Not yet"}),
        "questions[2] (endorsement) › choices",
        "must be the name of a list or a list of {id, uk, en}",
    ),
    (
        "a stage that is not a mapping",
        lambda m: m["stages"].append("review"),
        "stages[4]",
        "must be a mapping of stage keys",
    ),
    (
        "a question type that is unknown",
        lambda m: _q(m, "outage_plan").update(type="essay"),
        "questions[3] (outage_plan) › type",
        "unknown type 'essay'",
    ),
    (
        "a table as a column",
        lambda m: _column(m, "signatories", "role").update(type="table"),
        "columns[1] (role) › type",
        "unknown column type 'table'",
    ),
    (
        "a ref as a question",
        lambda m: _q(m, "outage_plan").update(type="ref"),
        "questions[3] (outage_plan) › type",
        "unknown type 'ref'",
    ),
    (
        "a missing label",
        lambda m: _q(m, "outage_plan").pop("label"),
        "questions[3] (outage_plan) › label",
        "is missing: every question needs 'label'",
    ),
    (
        "a stage without sections",
        lambda m: _stage(m, "needs").pop("sections"),
        "stages[1] (needs) › sections",
        "is missing",
    ),
    # Impossible or meaningless limits.
    (
        "min above max",
        lambda m: _q(m, "memorandum_term_months").update(min=10, max=1),
        "questions[1] (memorandum_term_months) › min",
        "min is above max (10 > 1)",
    ),
    (
        "max_rows below min_rows",
        lambda m: _q(m, "priorities").update(max_rows=1),
        "questions[0] (priorities) › min_rows",
        "min_rows (2) is above max_rows (1)",
    ),
    (
        "min_rows above the fixed rows",
        lambda m: _q(m, "needs_matrix").update(min_rows=19),
        f"{MATRIX} › min_rows",
        "min_rows (19) is above the 18 fixed rows",
    ),
    (
        "max_rows on a fixed-row table",
        lambda m: _q(m, "readiness_checklist").update(max_rows=5),
        "questions[0] (readiness_checklist) › max_rows",
        "a table with fixed rows has exactly those rows",
    ),
    (
        "zero max_rows",
        lambda m: _q(m, "signatories").update(max_rows=0),
        "questions[2] (signatories) › max_rows",
        "must be at least 1, got 0",
    ),
    (
        "negative min_rows",
        lambda m: _q(m, "signatories").update(min_rows=-1),
        "questions[2] (signatories) › min_rows",
        "must be at least 0, got -1",
    ),
    (
        "a typo'd huge max_rows",
        lambda m: _q(m, "signatories").update(max_rows=6000),
        "questions[2] (signatories) › max_rows",
        "must be at most 500",
    ),
    (
        "zero max_length",
        lambda m: _q(m, "outage_plan").update(max_length=0),
        "questions[3] (outage_plan) › max_length",
        "must be at least 1, got 0",
    ),
    (
        "max_length on a number",
        lambda m: _q(m, "memorandum_term_months").update(max_length=5),
        "questions[1] (memorandum_term_months) › max_length",
        "only long_text and text questions take 'max_length'; this one is number",
    ),
    (
        "a weight on a text column",
        lambda m: _column(m, "candidate_scores", "candidate").update(weight=2),
        f"{SCORES} › columns[0] (candidate) › weight",
        "only score columns take 'weight'; this one is text",
    ),
    (
        "a zero weight",
        lambda m: _column(m, "candidate_scores", "policy").update(weight=0),
        f"{SCORES} › columns[2] (policy) › weight",
        "must be at least 1, got 0",
    ),
    (
        "a zero vote budget",
        lambda m: _stage(m, "priorities")["voting"].update(budget=0),
        "stages[2] (priorities) › voting › budget",
        "must be at least 1, got 0",
    ),
    (
        "choices on a text question",
        lambda m: _q(m, "outage_plan").update(choices="sides"),
        "questions[3] (outage_plan) › choices",
        "only multi_choice and single_choice questions take 'choices'",
    ),
    (
        "a choice question without choices",
        lambda m: _q(m, "endorsement").pop("choices"),
        "questions[2] (endorsement) › choices",
        "a single_choice question needs choices",
    ),
    (
        "a table without columns",
        lambda m: _q(m, "signatories").pop("columns"),
        "questions[2] (signatories) › columns",
        "a table needs columns",
    ),
    (
        "a stage numbered out of order",
        lambda m: _stage(m, "needs").update(number=3),
        "stages[1] (needs) › number",
        "this one must be 2",
    ),
    (
        "per_linked_row min above max",
        lambda m: _column(m, "objectives", "priority").update(per_linked_row={"min": 3, "max": 1}),
        "columns[0] (priority) › per_linked_row › min",
        "min (3) is above max (1)",
    ),
    (
        "per_linked_row asking for nothing",
        lambda m: _column(m, "objectives", "priority").update(per_linked_row={}),
        "columns[0] (priority) › per_linked_row",
        "says nothing",
    ),
    (
        "per_linked_row on a plain column",
        lambda m: _column(m, "objectives", "indicator").update(per_linked_row={"min": 1}),
        "columns[2] (indicator) › per_linked_row",
        "only ref and single_choice columns take 'per_linked_row'",
    ),
    (
        "per_linked_row on a choice without a link",
        lambda m: _column(m, "activities", "lead").update(per_linked_row={"min": 1}),
        "columns[2] (lead) › per_linked_row",
        "this column has no 'link'",
    ),
    # Bad keys.
    (
        "a section key with spaces",
        lambda m: _stage(m, "priorities")["sections"][1].update(key="my scoring"),
        "stages[2] (priorities) › sections[1] (my scoring) › key",
        "key must be lower_snake_case",
    ),
    (
        "a question key with capitals",
        lambda m: _q(m, "outage_plan").update(key="OutagePlan"),
        "questions[3] (OutagePlan) › key",
        "got 'OutagePlan'",
    ),
    (
        "a stage key starting with a digit",
        lambda m: _stage(m, "needs").update(key="2_needs"),
        "stages[1] (2_needs) › key",
        "starting with a letter",
    ),
    (
        "a key too long for the database",
        lambda m: _q(m, "outage_plan").update(key="x" * 41),
        "› key",
        "at most 40 characters",
    ),
    (
        "a choice id with a space",
        lambda m: _q(m, "endorsement")["choices"][0].update(id="not yet"),
        "questions[2] (endorsement) › choices[0] (not yet) › id",
        "an id must be lower_snake_case",
    ),
    (
        "a list name with a dash",
        lambda m: m["lists"].update({"lead-sides": m["lists"]["lead_sides"]}),
        "lists › lead-sides",
        "a key must be lower_snake_case",
    ),
    (
        "a repeated question key",
        lambda m: _stage(m, "needs")["sections"][0]["questions"].append(
            copy.deepcopy(_q(m, "outage_plan"))
        ),
        "stages[1] (needs) › sections[0] (how) › questions[2] (outage_plan) › key",
        "repeated keys ['outage_plan']: a question key is used once in the whole method "
        "(first at stages[0] (agreement)",
    ),
    (
        "a repeated section key",
        lambda m: _stage(m, "needs")["sections"][1].update(key="how"),
        "stages[1] (needs) › sections",
        "repeated section keys ['how']",
    ),
    (
        "a repeated stage key",
        lambda m: _stage(m, "needs").update(key="agreement"),
        "stages",
        "repeated stage keys ['agreement']",
    ),
    (
        "a repeated column key",
        lambda m: _column(m, "signatories", "role").update(key="name"),
        "questions[2] (signatories) › columns",
        "repeated column keys ['name']",
    ),
    (
        "a repeated choice id",
        lambda m: m["lists"]["sides"][1].update(id="ua"),
        "lists › sides",
        "repeated ids ['ua']",
    ),
    # Broken references.
    (
        "an unknown list",
        lambda m: _q(m, "readiness_checklist").update(rows="readiness_itmes"),
        "questions[0] (readiness_checklist) › rows",
        "unknown list 'readiness_itmes' (did you mean 'readiness_items'?)",
    ),
    (
        "a link to an unknown question",
        lambda m: _column(m, "activities", "objective").update(link="objectivs"),
        "columns[0] (objective) › link",
        "links to 'objectivs', which is not a table (did you mean 'objectives'?)",
    ),
    (
        "a link to a later stage",
        lambda m: _column(m, "priorities", "gap").update(link="activities", show="activity"),
        "questions[0] (priorities) › columns[1] (gap) › link",
        "links to 'activities', which comes in a later stage",
    ),
    (
        "a ref to a repeatable table without show",
        lambda m: _column(m, "activities", "objective").pop("show"),
        "columns[0] (objective)",
        "a ref column needs 'link' and 'show'",
    ),
    (
        "show on a ref to a fixed-row table",
        lambda m: _column(m, "priorities", "gap").update(link="needs_matrix", show="status"),
        "questions[0] (priorities) › columns[1] (gap) › show",
        "'needs_matrix' has fixed rows, named by their labels: remove 'show'",
    ),
    (
        "a vote on an unknown question",
        lambda m: _stage(m, "priorities")["voting"].update(candidates="candidate_score"),
        "stages[2] (priorities) › voting › candidates",
        "votes on unknown question 'candidate_score'",
    ),
    (
        "a vote on a question of another stage",
        lambda m: _stage(m, "priorities")["voting"].update(candidates="objectives"),
        "stages[2] (priorities) › voting › candidates",
        "it must be a table of this stage",
    ),
    (
        "a prefill on a non-table",
        lambda m: _q(m, "plan_starts_on").update(prefill="gaps_from_needs"),
        "questions[1] (plan_starts_on) › prefill",
        "only table questions take 'prefill'; this one is date",
    ),
    (
        "an unknown prefill",
        lambda m: _q(m, "gap_table").update(prefill="gaps_from_need"),
        "questions[0] (gap_table) › prefill",
        "unknown prefill rule 'gaps_from_need' (did you mean 'gaps_from_needs'?)",
    ),
    (
        "an unknown insight",
        lambda m: _stage(m, "action_plan").update(insights=["smart_chek"]),
        "stages[3] (action_plan) › insights[0]",
        "unknown insight 'smart_chek' (did you mean 'smart_check'?)",
    ),
    (
        "more_rows on a repeatable table",
        lambda m: _q(m, "signatories").update(more_rows="steering_group"),
        "questions[2] (signatories) › more_rows",
        "this table has no 'rows'",
    ),
    (
        "more_rows from an unknown question",
        lambda m: _q(m, "readiness_checklist").update(more_rows="steering_grup"),
        "questions[0] (readiness_checklist) › more_rows",
        "no question 'steering_grup' (did you mean 'steering_group'?)",
    ),
    (
        "more_rows from a per-side table",
        lambda m: _q(m, "readiness_checklist").update(more_rows="candidate_scores"),
        "questions[0] (readiness_checklist) › more_rows",
        "'candidate_scores' must be a table whose rows people add, answered together",
    ),
    (
        "more_rows from a later stage",
        lambda m: _q(m, "readiness_checklist").update(more_rows="activities"),
        "questions[0] (readiness_checklist) › more_rows",
        "'activities' comes in a later stage",
    ),
    (
        "a linked choice over a table with added rows",
        lambda m: _q(m, "needs_matrix").update(more_rows="signatories"),
        "questions[0] (gap_table) › columns[0] (area) › type",
        "which a choice cannot name: make this a ref column",
    ),
    # Roles.
    (
        "an unknown role",
        lambda m: _q(m, "gap_table").update(role="gap"),
        "questions[0] (gap_table) › role",
        "unknown question role 'gap' (did you mean 'gaps'?)",
    ),
    (
        "a column role on a question",
        lambda m: _q(m, "outage_plan").update(role="owner"),
        "questions[3] (outage_plan) › role",
        "unknown question role 'owner'",
    ),
    (
        "a role given twice",
        lambda m: _q(m, "shared_objectives").update(role="objectives"),
        "questions[0] (objectives) › role",
        "role 'objectives' is already given to 'shared_objectives'",
    ),
    (
        "a needs matrix answered together",
        lambda m: _q(m, "needs_matrix").pop("per_side"),
        f"{MATRIX} › role",
        "must be answered by each side (per_side: true)",
    ),
    (
        "a role on a question of the wrong type",
        lambda m: _q(m, "plan_starts_on").update(role="plan_horizon"),
        "questions[1] (plan_starts_on) › role",
        "must be a number question (this one is date)",
    ),
    (
        "candidates without criteria",
        lambda m: [c.pop("weight", None) for c in _q(m, "candidate_scores")["columns"]],
        f"{SCORES} › role",
        "needs criteria: score columns with a 'weight'",
    ),
    (
        "a column role missing",
        lambda m: _column(m, "needs_matrix", "can_share").pop("role"),
        f"{MATRIX} › columns",
        "a 'needs_matrix' table needs a column with role 'offers'",
    ),
    (
        "a column role of the wrong type",
        lambda m: _column(m, "objectives", "target").update(type="text"),
        f"{OBJECTIVES} › columns[6] (target) › role",
        "column role 'target' must be a number column, not text",
    ),
    (
        "a column role from another table's role",
        lambda m: _column(m, "objectives", "unit").update(role="owner"),
        f"{OBJECTIVES} › columns[3] (unit) › role",
        "column role 'owner' does not belong in a 'objectives' table",
    ),
    (
        "a column role in a table without a role",
        lambda m: _column(m, "signatories", "role").update(role="owner"),
        "questions[2] (signatories) › columns[1] (role) › role",
        "column role 'owner' means something only in a table with a role",
    ),
    (
        "two name columns in a table without a role",
        lambda m: [c.update(role="name") for c in _q(m, "signatories")["columns"][:2]],
        "questions[2] (signatories) › columns[1] (role) › role",
        "column role 'name' is given to two columns of this table",
    ),
    (
        "a name column that is not text",
        lambda m: _column(m, "signatories", "side").update(role="name"),
        "questions[2] (signatories) › columns[2] (side) › role",
        "column role 'name' must be a text column, not single_choice",
    ),
    (
        "a column role given twice",
        lambda m: _column(m, "objectives", "source").update(role="indicator"),
        f"{OBJECTIVES} › columns[8] (source) › role",
        "column role 'indicator' is given to two columns of this table",
    ),
    (
        "a ref role linking elsewhere",
        lambda m: _column(m, "priorities", "gap").update(link="priorities", show="priority"),
        "questions[0] (priorities) › columns[1] (gap) › link",
        "column role 'gap' must link to 'gap_table' (the table with role 'gaps')",
    ),
    (
        "an insight without what it needs",
        lambda m: _q(m, "activities").pop("role"),
        "stages[3] (action_plan) › insights",
        "insight 'smart_check' needs a question with role 'activities'; none has it",
    ),
    (
        "an insight before what it needs",
        lambda m: _stage(m, "needs").update(insights=["needs_offers", "smart_check"]),
        "stages[1] (needs) › insights",
        "insight 'smart_check' needs 'objectives' (role 'objectives'), which comes in a later",
    ),
    (
        "an insight before an optional role it uses",
        lambda m: _stage(m, "priorities").update(insights=["score_summary", "smart_check"]),
        "stages[2] (priorities) › insights",
        "insight 'smart_check' needs 'plan_starts_on' (role 'plan_start'), which comes in a later",
    ),
    (
        "a prefill on a table of another role",
        lambda m: _q(m, "priorities").update(prefill="candidates_from_gaps"),
        "questions[0] (priorities) › prefill",
        "prefill 'candidates_from_gaps' works on a table with role 'candidates'; "
        "'priorities' has role 'priorities'",
    ),
    (
        "voting on a table that is not the candidates",
        lambda m: _stage(m, "priorities")["voting"].update(candidates="priorities"),
        "stages[2] (priorities) › voting",
        "voting works on a table with role 'candidates'; 'priorities' has role 'priorities'",
    ),
]


@pytest.mark.parametrize(
    ("breakage", "path", "message"),
    [case[1:] for case in MISTAKES],
    ids=[case[0] for case in MISTAKES],
)
def test_every_kind_of_mistake_is_refused_with_its_place_in_the_file(
    breakage: Callable[[dict], object], path: str, message: str
) -> None:
    raw = _raw()
    breakage(raw)
    problems = _problems(raw)
    assert any(p.path.endswith(path) and message in p.message for p in problems), "\n".join(
        map(str, problems)
    )


def test_all_problems_are_listed_together_and_the_real_method_has_none() -> None:
    raw = _raw()
    for _name, breakage, _path, _message in MISTAKES[:12]:
        breakage(raw)
    problems = _problems(raw)
    assert len(problems) >= 12
    said = str(_error(raw))
    assert said.startswith("<method>: ") and all(str(p) in said for p in problems)
    assert parse(_raw()).version == BASE


def _error(raw: dict) -> MethodError:
    with pytest.raises(MethodError) as caught:
        parse(raw)
    return caught.value


def _text() -> str:
    return (VERSIONS_DIR / f"tpi-{BASE}.yaml").read_text(encoding="utf-8")


def test_problems_read_from_a_file_carry_their_line_number() -> None:
    text = _text()
    lines = text.splitlines()
    policy = next(n for n, line in enumerate(lines, 1) if "{key: policy, type: score" in line)
    lines[policy - 1] = lines[policy - 1].replace("weight: 3", 'weight: "3"')
    with pytest.raises(MethodError) as caught:
        parse_text("\n".join(lines), source="tpi-x.yaml")
    (problem,) = caught.value.problems
    assert problem.line == policy
    assert str(problem).endswith(
        f'weight: must be a whole number, got the text "3" (line {policy})'
    )
    assert str(caught.value).startswith("tpi-x.yaml: 1 problem:\n- stages[2] (priorities) › ")


def test_a_key_written_twice_is_refused_rather_than_the_first_silently_dropped() -> None:
    text = _text().replace("    number: 2\n", "    number: 2\n    number: 3\n", 1)
    with pytest.raises(MethodError) as caught:
        parse_text(text)
    assert any(
        p.path == "stages[1] › number" and "appears twice in one mapping" in p.message
        for p in caught.value.problems
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('version: "1"\nstages: [\n', "the file is not valid YAML"),
        ("", "must be a mapping of method keys, got nothing"),
        ("- just\n- a list\n", "must be a mapping of method keys, got a list"),
        ("a: &a [*a]\n", "unknown key"),  # a self-containing alias neither hangs nor crashes
    ],
)
def test_a_file_that_is_not_a_method_is_refused_with_a_message(text: str, message: str) -> None:
    with pytest.raises(MethodError, match=message):
        parse_text(text)


def test_a_file_named_for_a_version_must_say_that_version(tmp_path: Path) -> None:
    copied = tmp_path / "tpi-2099.1.yaml"
    copied.write_text(_text(), encoding="utf-8")
    with pytest.raises(
        MethodError, match=r"the file is named for version 2099\.1 but says '2024\.1'"
    ):
        load_file(copied)
    elsewhere = tmp_path / "draft.yaml"
    elsewhere.write_text(_text(), encoding="utf-8")
    assert load_file(elsewhere).version == BASE


ODD_VALUES = [
    None,
    "",
    "3",
    "needs_matrix",
    "table",
    "ref",
    3,
    0,
    -1,
    2.5,
    float("nan"),
    True,
    False,
    [],
    ["x", 1],
    {},
    {"uk": "а"},
    {"uk": "а", "en": "b"},
    {"min": 1},
]
STRAY_KEYS = ["requird", "x", "role", "link", "more_rows", "per_linked_row", "weight", "show"]


def _places(node: object, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _places(value, (*path, index))
    return found


def _mutate(raw: dict, rng: random.Random) -> None:
    """Delete a key or item, give it a value of another type, or add a stray key."""
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_places(raw)[1:])
        parent = functools.reduce(lambda node, key: node[key], path[:-1], raw)
        target = parent[path[-1]]
        roll = rng.random()
        if roll < 0.3:
            del parent[path[-1]]
        elif roll < 0.7:
            parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif roll < 0.85 and isinstance(target, dict):
            target[rng.choice(STRAY_KEYS)] = copy.deepcopy(rng.choice(ODD_VALUES))
        else:  # another part's value in its place: right shapes in wrong places
            other = rng.choice(_places(raw))
            parent[path[-1]] = copy.deepcopy(functools.reduce(lambda n, k: n[k], other, raw))


def test_randomly_broken_copies_of_the_real_method_load_or_are_refused_never_crash() -> None:
    rng = random.Random(20240101)  # noqa: S311 - the same copies every run, not secrets
    base = _raw()
    outcomes = {"loaded": 0, "refused": 0, "unexplained": 0}
    for _ in range(300):
        raw = copy.deepcopy(base)
        _mutate(raw, rng)
        try:
            parse(raw)
        except MethodError as error:  # anything else fails the test with its traceback
            outcomes["refused" if error.problems else "unexplained"] += 1
        else:
            outcomes["loaded"] += 1
    assert outcomes["unexplained"] == 0  # every refusal says why
    assert outcomes["refused"] > 220  # the mutations mostly break something, and it is seen


# --- Roles: the engine finds its tables by what they are for ------------------------------


def test_the_current_method_gives_every_role_to_the_question_the_engine_used_by_key() -> None:
    method = load(BASE)
    keys = {role: method.by_role(role) for role in roles.QUESTION_ROLES}
    assert {role: q.key for role, q in keys.items() if q} == {
        "needs_matrix": "needs_matrix",
        "gaps": "gap_table",
        "candidates": "candidate_scores",
        "priorities": "priorities",
        "objectives": "objectives",
        "activities": "activities",
        "plan_start": "plan_starts_on",
        "plan_horizon": "plan_horizon_months",
    }
    columns = {
        (q.key, c.role): c.key for q in keys.values() if q for c in q.columns if c.role is not None
    }
    assert columns == {
        ("needs_matrix", "status"): "status",
        ("needs_matrix", "wants"): "want_to_learn",
        ("needs_matrix", "offers"): "can_share",
        ("gap_table", "area"): "area",
        ("candidate_scores", "name"): "candidate",
        ("candidate_scores", "gap"): "gap",
        ("priorities", "name"): "priority",
        ("priorities", "gap"): "gap",
        ("objectives", "priority"): "priority",
        ("objectives", "indicator"): "indicator",
        ("objectives", "target"): "target",
        ("objectives", "target_on"): "target_on",
        ("objectives", "baseline_on"): "baseline_on",
        ("activities", "objective"): "objective",
        ("activities", "owner"): "responsible",
        ("activities", "starts_on"): "starts_on",
        ("activities", "ends_on"): "ends_on",
    }
    matrix = method.by_role("needs_matrix")
    assert matrix is not None and matrix.role == "needs_matrix"
    offers = matrix.column_for("offers")
    assert offers is not None and offers.key == "can_share"
    assert matrix.column_for("owner") is None
    assert method.by_role("no_such_role") is None


def test_every_feature_names_roles_that_exist() -> None:
    features = [*roles.INSIGHTS.values(), *roles.PREFILLS.values(), roles.VOTING]
    for feature in features:
        for role in (*feature.needs, *feature.optional, *filter(None, [feature.on])):
            assert role in roles.QUESTION_ROLES, (feature.name, role)
    for role in roles.QUESTION_ROLES.values():
        for column in role.columns:
            assert column.links_to is None or column.links_to in roles.QUESTION_ROLES
    assert set(roles.INSIGHTS) == INSIGHTS
    assert set(roles.PREFILLS) == PREFILLS


# --- What method version 2024.2 adds --------------------------------------------------------


def _with_2024_2_features() -> dict:
    """The current method with the keys 2024.2 uses: areas a pair adds, a ref to a fixed-row
    table, required cells and rows per linked row."""
    raw = _raw()
    _stage(raw, "needs")["sections"][1]["questions"].insert(
        0,
        {
            "key": "added_areas",
            "type": "table",
            "item": _label("Area"),
            "label": _label("Areas we add"),
            "columns": [
                {"key": "name", "type": "text", "role": "name", "label": _label("Area")},
                {"key": "why", "type": "long_text", "label": _label("Why")},
            ],
        },
    )
    _q(raw, "needs_matrix")["more_rows"] = "added_areas"
    _column(raw, "needs_matrix", "status")["required"] = True
    area = _column(raw, "gap_table", "area")
    del area["choices"]
    area["type"] = "ref"
    _column(raw, "objectives", "priority")["per_linked_row"] = {"min": 1, "max": 3}
    _column(raw, "activities", "objective")["per_linked_row"] = {"min": 1}
    return raw


def test_the_2024_2_keys_load_and_are_exposed() -> None:
    method = parse(_with_2024_2_features())
    matrix = method.question("needs_matrix")
    assert matrix is not None and matrix.more_rows == "added_areas"
    objectives = method.question("objectives")
    assert objectives is not None
    priority = objectives.column_for("priority")
    assert priority is not None and priority.per_linked_row == PerLinkedRow(min=1, max=3)
    gaps = method.by_role("gaps")
    assert gaps is not None
    area = gaps.column_for("area")
    assert area is not None and (area.type, area.link, area.show) == ("ref", "needs_matrix", ())


def test_more_rows_must_come_from_a_table_that_can_name_its_rows() -> None:
    raw = _with_2024_2_features()
    for column in _q(raw, "added_areas")["columns"]:
        column["type"] = "date"
        column.pop("role", None)
    problems = _problems(raw)
    assert any(
        p.path.endswith("questions[1] (needs_matrix) › more_rows")
        and "'added_areas' needs a text column" in p.message
        for p in problems
    )


# --- Checking a file from the command line --------------------------------------------------


def test_check_method_says_ok_or_lists_every_problem(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    path = VERSIONS_DIR / f"tpi-{BASE}.yaml"
    result = runner.invoke(args=["workshop", "check-method", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == "OK: 2024.1, 4 stages, 32 questions\n"
    broken = tmp_path / "draft.yaml"
    broken.write_text(
        _text().replace("weight: 3", 'weight: "3"').replace("required: true", "requird: true"),
        encoding="utf-8",
    )
    result = runner.invoke(args=["workshop", "check-method", str(broken)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == "draft.yaml: 22 problems."
    assert any(
        line.startswith("stages[0] (agreement) › sections[0] (people) › questions[0]")
        and "requird: unknown key (did you mean 'required'?) (line " in line
        for line in lines
    )


# --- The format is documented, and the document keeps up ------------------------------------


def test_the_format_document_names_every_key_type_role_and_feature() -> None:
    document = (PROJECT_ROOT / "docs" / "method-format.md").read_text(encoding="utf-8")
    named = {
        "keys": schema.known_keys(),
        "question types": QUESTION_TYPES | COLUMN_TYPES,
        "question roles": set(roles.QUESTION_ROLES),
        "column roles": set(roles.COLUMN_ROLES),
        "insights": INSIGHTS,
        "prefill rules": PREFILLS,
    }
    for what, names in named.items():
        missing = sorted(n for n in names if f"`{n}`" not in document)
        assert missing == [], f"docs/method-format.md does not mention these {what}: {missing}"


# --- What a stage still lacks before it is submitted ----------------------------------------


def _unmet(method: Method, stage: str, values: dict) -> list[Unmet]:
    found = method.stage(stage)
    assert found is not None
    return unmet(method, found, values)


def test_required_questions_are_unmet_until_answered_each_side_separately(app: Flask) -> None:
    raw = _raw()
    _q(raw, "can_offer")["required"] = True
    method = parse(raw)
    lacking = _unmet(method, "agreement", {("can_offer", "ua"): "Polytrauma care"})
    assert Unmet("can_offer", "partner", Kind.UNANSWERED) in lacking
    assert Unmet("can_offer", "ua", Kind.UNANSWERED) not in lacking
    assert Unmet("outage_plan", "", Kind.UNANSWERED) in lacking
    assert Unmet("ua_focal_point", "", Kind.UNANSWERED) in lacking
    answered = {
        ("can_offer", "partner"): "Simulation training",
        ("outage_plan", ""): "   ",  # blank is not an answer
    }
    lacking = _unmet(method, "agreement", {("can_offer", "ua"): "x", **answered})
    assert Unmet("outage_plan", "", Kind.UNANSWERED) in lacking
    assert not any(u.question == "can_offer" for u in lacking)
    assert describe(Unmet("can_offer", "partner", Kind.UNANSWERED), method, "en") == (
        "What we can offer (Partner hospital): this needs an answer."
    )


def test_a_table_needs_its_rows_and_every_required_cell(app: Flask) -> None:
    method = load(BASE)
    assert Unmet("priorities", "", Kind.UNANSWERED) in _unmet(method, "priorities", {})
    one = [{"row": "p1", "priority": "Hand hygiene"}]
    lacking = _unmet(method, "priorities", {("priorities", ""): one})
    too_few = Unmet("priorities", "", Kind.TOO_FEW_ROWS, count=1, minimum=2)
    assert too_few in lacking
    empty = Unmet(
        "priorities",
        "",
        Kind.EMPTY_CELL,
        column="rationale",
        row="p1",
        row_number=1,
        row_label=Text("Hand hygiene", "Hand hygiene"),
    )
    assert empty in lacking
    assert describe(too_few, method, "en") == (
        "Confirmed priorities (2–4): needs at least 2 rows, now 1."
    )
    assert describe(empty, method, "en") == (
        "Confirmed priorities (2–4): fill in «Rationale» for «Hand hygiene»."
    )
    unnamed = [{"row": "p1", "rationale": "Why"}, {"row": "p2", "rationale": "Why"}]
    (lacking_name,) = _unmet(method, "priorities", {("priorities", ""): unnamed})[:1]
    assert (lacking_name.column, lacking_name.row_number, lacking_name.row_label) == (
        "priority",
        1,
        None,
    )
    assert describe(lacking_name, method, "en") == (
        "Confirmed priorities (2–4): fill in «Priority» in row 1."
    )
    done = [{"row": f"p{n}", "priority": f"P{n}", "rationale": "Why"} for n in (1, 2)]
    assert not any(
        u.question == "priorities" for u in _unmet(method, "priorities", {("priorities", ""): done})
    )


def test_a_fixed_row_table_needs_required_cells_in_every_fixed_and_added_row(app: Flask) -> None:
    method = parse(_with_2024_2_features())
    values = {
        ("needs_matrix", "ua"): [{"row": "ipc", "status": 2}],
        ("added_areas", ""): [{"row": "burns", "name": "Burns care"}, {"row": "nameless"}],
    }
    lacking = [u for u in _unmet(method, "needs", values) if u.kind is Kind.EMPTY_CELL]
    ua = [u for u in lacking if u.side == "ua"]
    partner = [u for u in lacking if u.side == "partner"]
    # Fixed rows and named added rows, each side; a row nobody named is not shown, nor asked.
    assert len(ua) == 17 + 1 and len(partner) == 18 + 1
    assert "ipc" not in {u.row for u in ua}
    burns = next(u for u in ua if u.row == "burns")
    assert burns.row_label == Text("Burns care", "Burns care") and burns.row_number == 19
    assert describe(burns, method, "en") == (
        "Assessment by area (Ukrainian hospital): fill in «Status» for «Burns care»."
    )
    wash = next(u for u in partner if u.row == "wash")
    assert "«Вода, санітарія та гігієна (WASH)»" in describe(wash, method, "uk")
    assert keys_needed(method, method.stage("needs")) >= {"needs_matrix", "added_areas"}


def test_each_linked_row_needs_as_many_rows_as_per_linked_row_says(app: Flask) -> None:
    method = parse(_with_2024_2_features())
    priorities = [{"row": "p1", "priority": "Hand hygiene"}, {"row": "p2", "priority": "Sepsis"}]
    objectives = [{"row": f"o{n}", "priority": "p2", "objective": "O"} for n in range(4)]
    values = {("priorities", ""): priorities, ("objectives", ""): objectives}
    linked = [u for u in _unmet(method, "action_plan", values) if u.column == "priority"]
    assert linked == [
        Unmet(
            "objectives",
            "",
            Kind.TOO_FEW_LINKED,
            column="priority",
            linked_row="p1",
            linked_label=Text("Hand hygiene", "Hand hygiene"),
            count=0,
            minimum=1,
            maximum=3,
        ),
        Unmet(
            "objectives",
            "",
            Kind.TOO_MANY_LINKED,
            column="priority",
            linked_row="p2",
            linked_label=Text("Sepsis", "Sepsis"),
            count=4,
            minimum=1,
            maximum=3,
        ),
    ]
    assert describe(linked[0], method, "en") == (
        "Objectives: priority «Hand hygiene» needs 1–3, now 0."
    )
    assert describe(linked[1], method, "en") == "Objectives: priority «Sepsis» needs 1–3, now 4."
    assert describe(linked[0], method, "uk").startswith("Цілі: пріоритет «Hand hygiene»")
    # Every objective needs at least one activity, and each is named by its `show` column.
    activities = _unmet(method, "action_plan", values)
    lonely = [u for u in activities if u.question == "activities" and u.column == "objective"]
    assert [u.linked_row for u in lonely] == ["o0", "o1", "o2", "o3"]
    assert describe(lonely[0], method, "en") == "Activities: objective «O» needs at least 1, now 0."
    assert keys_needed(method, method.stage("action_plan")) >= {"priorities", "objectives"}


def test_a_ref_to_a_fixed_row_table_counts_its_added_rows_too(app: Flask) -> None:
    raw = _with_2024_2_features()
    _column(raw, "gap_table", "area")["per_linked_row"] = {"max": 1}
    method = parse(raw)
    gaps = [{"row": "g1", "area": "burns"}, {"row": "g2", "area": "burns"}, {"row": "g3"}]
    values = {("gap_table", ""): gaps, ("added_areas", ""): [{"row": "burns", "name": "Burns"}]}
    lacking = [u for u in _unmet(method, "priorities", values) if u.column == "area"]
    (unnamed, twice) = lacking
    assert (unnamed.kind, unnamed.row) == (Kind.EMPTY_CELL, "g3")  # area is a required column
    assert (twice.kind, twice.linked_row, twice.count) == (Kind.TOO_MANY_LINKED, "burns", 2)
    assert describe(twice, method, "en") == (
        "Gaps between desired and current practice: assessment area «Burns» needs at most 1, now 2."
    )
