"""Recommendations for the heads: each shipped rule applies on the answer that should trigger it
and not otherwise, says which answer in both languages, and a broken rule is refused at load
with its place in the file."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _

from workshop.documents import model
from workshop.method.definition import VERSIONS_DIR, MethodError, load, parse_text
from workshop.recommendations import rules
from workshop.recommendations.conditions import OneWayExchange, RowsMissing

METHOD = "2024.2"


def _complete() -> dict[str, Any]:
    """A snapshot's answers where every shipped rule is satisfied."""
    both_ways = {
        "ua": [
            {"row": "ipc", "status": 1, "want_to_learn": "Surveillance of infections"},
            {"row": "emergency_trauma", "status": 3, "can_share": "Polytrauma care"},
        ],
        "partner": [
            {"row": "ipc", "status": 3, "can_share": "HAI surveillance"},
            {"row": "emergency_trauma", "status": 1, "want_to_learn": "Mass-casualty triage"},
        ],
    }
    return {
        "answers": {
            "ua_focal_point": {"": {"name": "Олена Коваль", "role": "", "email": ""}},
            "partner_focal_point": {"": {"name": "Anna Berg", "role": "", "email": ""}},
            "endorsement": {"": "ministry"},
            "steering_group": {
                "": [
                    {"row": "s1", "name": "Олена Коваль", "side": "ua"},
                    {"row": "s2", "name": "Anna Berg", "side": "partner"},
                ]
            },
            "outage_plan": {"": "Move the call to the next day, same hour; write in Signal."},
            "resources_pledged": {
                "ua": [{"row": "staff_time", "what": "Two nurses, four hours a week"}],
                "partner": [{"row": "funding", "what": "Travel for two visits"}],
            },
            "readiness_checklist": {
                "": [
                    {"row": "what_indicators", "state": "partly"},
                    {"row": "why_vision", "state": "fully"},
                ]
            },
            "needs_matrix": both_ways,
            "objectives": {
                "": [
                    {
                        "row": "o1",
                        "objective": "Halve surgical site infections in paediatric surgery",
                        "indicator": "SSI rate",
                        "target": 2,
                    }
                ]
            },
        }
    }


def _answers(snapshot: dict[str, Any]) -> dict[str, Any]:
    return snapshot["answers"]  # type: ignore[no-any-return]


def _applicable(snapshot: dict[str, Any], lang: str) -> dict[str, model.Recommendation]:
    """The applicable recommendations by rule key (found by their text in that language)."""
    method = load(METHOD)
    keys = {rule.text(lang): rule.key for rule in method.recommendations}
    return {keys[r.text]: r for r in rules.applicable(snapshot, method, lang)}


def test_every_version_ships_the_rules_the_heads_were_promised() -> None:
    promised = {
        "readiness_gaps",
        "outage_fallback",
        "two_way_exchange",
        "objective_indicators",
        "ua_focal_point",
        "partner_focal_point",
        "endorsement",
        "joint_steering_group",
        "resources_both_sides",
    }
    for version in ("2024.1", "2024.2"):
        method = load(version)
        assert {rule.key for rule in method.recommendations} >= promised
        for rule in method.recommendations:
            assert rule.text.uk != rule.text.en and rule.text.uk and rule.text.en


def test_answers_that_cover_everything_get_no_recommendation(app: Flask) -> None:
    assert _applicable(_complete(), "en") == {}
    assert _applicable(_complete(), "uk") == {}


def _set(key: str, value: Any, side: str = "") -> Callable[[dict[str, Any]], None]:
    def change(answers: dict[str, Any]) -> None:
        answers.setdefault(key, {})[side] = value

    return change


def _drop(key: str, side: str | None = None) -> Callable[[dict[str, Any]], None]:
    def change(answers: dict[str, Any]) -> None:
        if side is None:
            answers.pop(key)
        else:
            answers[key].pop(side)

    return change


def _one_way(answers: dict[str, Any]) -> None:
    # The partner shares infection control; Ukraine's trauma experience is asked for by nobody.
    for row in answers["needs_matrix"]["partner"]:
        row.pop("want_to_learn", None)
        row["status"] = 3


def _steering_ua_only(answers: dict[str, Any]) -> None:
    answers["steering_group"][""] = [{"row": "s1", "name": "Олена Коваль", "side": "ua"}]


def _objective_without(column: str) -> Callable[[dict[str, Any]], None]:
    def change(answers: dict[str, Any]) -> None:
        answers["objectives"][""][0].pop(column)

    return change


def _words(lang: str) -> dict[str, str]:
    """The app's own words in a reason (the rest is method text), as the catalogue has them:
    the Ukrainian ones read English until translated."""
    partner = "Лікарня-партнер" if lang == "uk" else "Partner hospital"
    with force_locale(lang):
        return {
            "to_ukraine": _("To Ukraine"),
            "nobody_from_partner": _("nobody from: %(side)s", side=partner),
        }


# rule key, the change that triggers it, a reason in English, the same reason in Ukrainian
# ({…}: the app's own words, see _words).
TRIGGERS = [
    (
        "readiness_gaps",
        _set(
            "readiness_checklist",
            [
                {"row": "what_indicators", "state": "not_in_place"},
                {"row": "why_vision", "state": "fully"},
            ],
        ),
        "Readiness checklist (who / why / what) › WHAT: performance indicators: Not in place",
        "Контрольний перелік готовності (хто / навіщо / що) › "
        "ЩО: показники результативності: Немає",
    ),
    (
        "outage_fallback",
        _drop("outage_plan"),
        "Communication plan › What we do when power or connection fails: not answered yet",
        "План комунікації › Що робимо, коли немає світла чи зв'язку: відповіді ще немає",
    ),
    (
        "two_way_exchange",
        _one_way,
        "Assessment areas › Assessment by area › {to_ukraine}: Infection prevention and control",
        "Напрями оцінювання › Оцінювання за напрямами › {to_ukraine}: "
        "Профілактика інфекцій та інфекційний контроль",
    ),
    (
        "objective_indicators",
        _objective_without("indicator"),
        "Objectives › Objective 1 (Halve surgical site infections in paediatric surgery) › "
        "Indicator: not answered yet",
        "Цілі › Ціль 1 (Halve surgical site infections in paediatric surgery) › Показник: "
        "відповіді ще немає",
    ),
    (
        "objective_indicators",
        _objective_without("target"),
        "Objectives › Objective 1 (Halve surgical site infections in paediatric surgery) › "
        "Target: not answered yet",
        "Цілі › Ціль 1 (Halve surgical site infections in paediatric surgery) › Цільове "
        "значення: відповіді ще немає",
    ),
    (
        "ua_focal_point",
        _drop("ua_focal_point"),
        "Focal points and signatories › Focal point of the Ukrainian hospital: not answered yet",
        "Контактні особи та підписанти › Контактна особа української лікарні: відповіді ще немає",
    ),
    (
        "partner_focal_point",
        _drop("partner_focal_point"),
        "Focal points and signatories › Focal point of the partner hospital: not answered yet",
        "Контактні особи та підписанти › Контактна особа лікарні-партнера: відповіді ще немає",
    ),
    (
        "endorsement",
        _set("endorsement", "none"),
        "Memorandum and endorsement › Endorsement by health authorities: Not yet",
        "Меморандум і підтримка › Підтримка органів охорони здоров'я: Ще немає",
    ),
    (
        "endorsement",
        _set("endorsement", "requested"),
        "Memorandum and endorsement › Endorsement by health authorities: Requested",
        "Меморандум і підтримка › Підтримка органів охорони здоров'я: Запит надіслано",
    ),
    (
        "endorsement",
        _drop("endorsement"),
        "Memorandum and endorsement › Endorsement by health authorities: not answered yet",
        "Меморандум і підтримка › Підтримка органів охорони здоров'я: відповіді ще немає",
    ),
    (
        "joint_steering_group",
        _steering_ua_only,
        "Governance › Steering group: {nobody_from_partner}",
        "Управління › Керівна група: {nobody_from_partner}",
    ),
    (
        "joint_steering_group",
        _drop("steering_group"),
        "Governance › Steering group: not answered yet",
        "Управління › Керівна група: відповіді ще немає",
    ),
    (
        "resources_both_sides",
        _drop("resources_pledged", "ua"),
        "Resources › Resources we pledge, by kind (Ukrainian hospital): not answered yet",
        "Ресурси › Ресурси, які ми вкладаємо, за видами (Українська лікарня): відповіді ще немає",
    ),
]


@pytest.mark.parametrize(
    ("key", "change", "english", "ukrainian"),
    TRIGGERS,
    ids=[f"{t[0]}-{n}" for n, t in enumerate(TRIGGERS)],
)
def test_each_rule_applies_on_its_answer_and_names_it_in_both_languages(
    app: Flask,
    key: str,
    change: Callable[[dict[str, Any]], None],
    english: str,
    ukrainian: str,
) -> None:
    snapshot = copy.deepcopy(_complete())
    change(_answers(snapshot))
    for lang, reason in (("en", english), ("uk", ukrainian)):
        found = _applicable(snapshot, lang)
        assert set(found) == {key}, lang  # that rule, and no other
        assert reason.format(**_words(lang)) in found[key].because, (lang, found[key].because)
        rule = next(r for r in load(METHOD).recommendations if r.key == key)
        assert found[key].text == rule.text(lang)


def test_a_rule_holds_for_every_answer_that_triggers_it_not_only_the_first(app: Flask) -> None:
    snapshot = _complete()
    _answers(snapshot)["readiness_checklist"][""] = [
        {"row": "what_indicators", "state": "not_in_place"},
        {"row": "what_roles", "state": "not_in_place"},
        {"row": "why_vision", "state": "partly"},
        {"row": "who_profiles", "state": "not_relevant"},
    ]
    because = _applicable(snapshot, "en")["readiness_gaps"].because
    assert [b.split(" › ")[1] for b in because] == [
        "WHAT: performance indicators: Not in place",
        "WHAT: roles and responsibilities: Not in place",
    ]


def test_the_exchange_rule_looks_at_both_directions(app: Flask) -> None:
    snapshot = _complete()
    matrix = _answers(snapshot)["needs_matrix"]
    matrix["ua"] = [{"row": "ipc", "status": 3, "can_share": "Blackout protocols"}]
    matrix["partner"] = [{"row": "ipc", "status": 1, "want_to_learn": "Working without power"}]
    because = _applicable(snapshot, "en")["two_way_exchange"].because
    assert because == (
        "Assessment areas › Assessment by area › To Ukraine: no area",
        "Assessment areas › Assessment by area › From Ukraine: Infection prevention and control",
    )
    _answers(snapshot).pop("needs_matrix")  # nothing assessed: nothing to say about direction
    assert "two_way_exchange" not in _applicable(snapshot, "en")


def test_resources_from_neither_side_is_not_one_sided(app: Flask) -> None:
    snapshot = _complete()
    _answers(snapshot).pop("resources_pledged")
    assert "resources_both_sides" not in _applicable(snapshot, "en")


def test_the_first_method_version_reads_its_own_questions(app: Flask) -> None:
    method = load("2024.1")
    snapshot = {"answers": {"resources_pledged": {"partner": "Travel for two visits"}}}
    found = {r.text: r for r in rules.applicable(snapshot, method, "en")}
    rule = next(r for r in method.recommendations if r.key == "resources_both_sides")
    assert found[rule.text.en].because == (
        "Resources › Resources we pledge (Ukrainian hospital): not answered yet",
    )
    # A fresh partnership: the heads are told what to organise first, whatever the version.
    assert len(rules.applicable({"answers": {}}, method, "uk")) >= 5


def test_odd_stored_values_are_read_as_not_matching_rather_than_failing(app: Flask) -> None:
    snapshot = _complete()
    answers = _answers(snapshot)
    answers["endorsement"][""] = {"not": "a choice"}
    answers["steering_group"][""] = [{"row": "s1", "side": ["ua"]}, "not a row"]
    answers["readiness_checklist"][""] = "not a table"
    found = _applicable(snapshot, "en")
    assert "endorsement" not in found
    assert found["joint_steering_group"].because == (
        "Governance › Steering group: nobody from: Partner hospital",
    )


def test_the_rules_are_data_the_loader_builds() -> None:
    method = load(METHOD)
    by_key = {rule.key: rule for rule in method.recommendations}
    assert by_key["two_way_exchange"].when == OneWayExchange()
    assert by_key["objective_indicators"].when == RowsMissing("objectives", ("indicator", "target"))


# --- A broken rule is refused at load, with its place in the file ------------------------------


def _text() -> str:
    return (VERSIONS_DIR / f"tpi-{METHOD}.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


BROKEN = [
    (
        "{missing: outage_plan}",
        "{mising: outage_plan}",
        "recommendations[1] (outage_fallback) › when › mising",
        "unknown condition 'mising' (did you mean 'missing'?); known: missing,",
    ),
    (
        "{missing: outage_plan}",
        "{missing: outage_pln}",
        "recommendations[1] (outage_fallback) › when › missing",
        "no question 'outage_pln' (did you mean 'outage_plan'?)",
    ),
    (
        "{missing: outage_plan}",
        "{missing: outage_plan, side: ua}",
        "recommendations[1] (outage_fallback) › when › side",
        "'outage_plan' is answered together, not by each side: leave 'side' out",
    ),
    (
        "values: [not_in_place]",
        "values: [not_inplace]",
        "recommendations[0] (readiness_gaps) › when › rows_with › values",
        "'not_inplace' is not a choice of 'state' (did you mean 'not_in_place'?)",
    ),
    (
        "column: state, values",
        "column: status, values",
        "recommendations[0] (readiness_gaps) › when › rows_with › column",
        "'readiness_checklist' has no column 'status' (did you mean 'state'?)",
    ),
    (
        "column: [indicator, target]",
        "column: [indicator, targets]",
        "recommendations[3] (objective_indicators) › when › rows_missing › column",
        "'objectives' has no column 'targets' (did you mean 'target'?)",
    ),
    (
        "{one_way_exchange: true}",
        "{one_way_exchange: false}",
        "recommendations[2] (two_way_exchange) › when › one_way_exchange",
        "write 'one_way_exchange: true', or leave it out",
    ),
    (
        "{one_way_exchange: true}",
        "{one_way_exchange: true, missing: outage_plan}",
        "recommendations[2] (two_way_exchange) › when",
        "names 2 conditions ['missing', 'one_way_exchange']: give exactly one",
    ),
    (
        "column: side, side: [ua, partner]",
        "column: side, side: [ua, partners]",
        "recommendations[7] (joint_steering_group) › when › no_side_in › side",
        "'partners' is not a choice of 'side' (did you mean 'partner'?)",
    ),
    (
        "column: side, side: [ua, partner]",
        "column: name, side: [ua, partner]",
        "recommendations[7] (joint_steering_group) › when › no_side_in › column",
        "column 'name' of 'steering_group' is text; no_side_in needs a single_choice column",
    ),
    (
        "{one_side_only: resources_pledged}",
        "{one_side_only: outage_plan}",
        "recommendations[8] (resources_both_sides) › when › one_side_only",
        "'outage_plan' is answered together: one_side_only needs a question each side answers",
    ),
    (
        "choice_in: {question: endorsement, values: [none, requested]}",
        "choice_in: {question: outage_plan, values: [none]}",
        "recommendations[6] (endorsement) › when › any[1] › choice_in › question",
        "'outage_plan' is a long_text question; choice_in needs a single_choice or multi_choice",
    ),
    (
        "- key: partner_focal_point\n    when:",
        "- key: ua_focal_point\n    when:",
        "recommendations",
        "repeated keys ['ua_focal_point']: each recommendation needs its own key",
    ),
]


@pytest.mark.parametrize(("old", "new", "where", "message"), BROKEN)
def test_a_broken_rule_is_refused_at_its_line(old: str, new: str, where: str, message: str) -> None:
    text = _text()
    assert old in text
    broken = text.replace(old, new, 1)
    with pytest.raises(MethodError) as caught:
        parse_text(broken, source="draft.yaml")
    problems = caught.value.problems
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.path == where
    assert message in problem.message
    if where != "recommendations":
        assert problem.line == _line_of(broken, new)


def test_a_rule_without_its_text_in_both_languages_is_refused() -> None:
    text = _text()
    start = text.index("  - key: outage_fallback")
    english = text.index("      en:", start)
    broken = text[:english] + text[text.index("\n", english) + 1 :]
    with pytest.raises(MethodError) as caught:
        parse_text(broken, source="draft.yaml")
    assert [p.path for p in caught.value.problems] == [
        "recommendations[1] (outage_fallback) › text › en"
    ]
