"""The method definition: every published version loads, a broken one is refused loudly."""

from __future__ import annotations

import copy

import pytest
import yaml

from workshop.method.definition import (
    COLUMN_TYPES,
    CURRENT_VERSION,
    QUESTION_TYPES,
    VERSIONS_DIR,
    MethodError,
    available_versions,
    load,
    parse,
)


def test_every_published_version_loads_and_covers_stages_one_to_four() -> None:
    assert CURRENT_VERSION in available_versions()
    for version in available_versions():
        method = load(version)
        assert [s.number for s in method.stages][:4] == [1, 2, 3, 4]
    current = load(CURRENT_VERSION)
    used = {q.type for q in current._questions.values()}
    used |= {c.type for q in current._questions.values() for c in q.columns}
    assert used == QUESTION_TYPES | COLUMN_TYPES  # the demo method exercises every type


def test_the_needs_assessment_is_per_side_over_the_design_areas() -> None:
    matrix = load(CURRENT_VERSION).question("needs_matrix")
    assert matrix is not None
    assert matrix.per_side
    assert len(matrix.rows) == 18
    assert {c.key for c in matrix.columns} >= {"status", "evidence", "want_to_learn", "can_share"}
    weights = {c.key: c.weight for c in load(CURRENT_VERSION).question("candidate_scores").columns}
    assert weights["policy"] == 3
    assert weights["measurability"] == 1


def _raw() -> dict:
    with (VERSIONS_DIR / f"tpi-{CURRENT_VERSION}.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


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
