"""What the answers add up to: the needs ↔ offers matrix, score totals, the SMART check.

Each insight is a pure function of the answers and the method, named in the method definition
(``insights:``), so a stage shows it without any view knowing about it. Insights find their
tables and columns by the roles the method gives them (``role:``), never by key: a method
author may name them as they like, and the loader checks that the roles an insight needs exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _

from workshop.i18n import current_lang
from workshop.method.definition import Choice, Method, Question
from workshop.method.rows import candidate_key, table_rows
from workshop.models import SHARED, Answer

Answers = dict[tuple[str, str], Answer]
DISAGREEMENT = 2  # more than this many points apart is worth a conversation
DEFAULT_HORIZON = 24  # months, when the plan does not say
LOW_STATUS = 1  # 0 not in place, 1 partly: a need


def _value(answers: Answers, key: str, side: str = SHARED) -> Any:
    answer = answers.get((key, side))
    return answer.value if answer else None


@dataclass(frozen=True)
class Exchange:
    area: str
    learner_status: int | None
    wants: str
    teacher_status: int | None
    offers: str


@dataclass
class NeedsOffers:
    to_ukraine: list[Exchange] = field(default_factory=list)  # partner shares, Ukraine learns
    from_ukraine: list[Exchange] = field(default_factory=list)  # Ukraine shares, partner learns
    areas: list[tuple[str, int | None, int | None]] = field(default_factory=list)


def _column(table: Question, role: str) -> str:
    column = table.column_for(role)
    assert column is not None  # noqa: S101 - the loader checks every role an insight needs
    return column.key


def area_rows(method: Method, matrix: Question, answers: Answers, lang: str) -> list[Choice]:
    """The matrix's rows: the method's fixed areas, then those the pair added (``more_rows``)."""
    values = {k: (a.value if isinstance(a, Answer) else a) for k, a in answers.items()}
    return table_rows(method, matrix, values)


def needs_offers(method: Method, answers: Answers) -> NeedsOffers:
    """For each area: who wants to learn (low status or a stated wish) and who can share."""
    matrix = method.by_role("needs_matrix")
    if matrix is None:
        return NeedsOffers()
    status, wants, offers = (_column(matrix, r) for r in ("status", "wants", "offers"))
    lang = current_lang()
    rows = {
        side: {r["row"]: r for r in _value(answers, matrix.key, side) or []}
        for side in ("ua", "partner")
    }
    result = NeedsOffers()
    for area in area_rows(method, matrix, answers, lang):
        ua, partner = rows["ua"].get(area.id, {}), rows["partner"].get(area.id, {})
        result.areas.append((area.label(lang), ua.get(status), partner.get(status)))
        for learner, teacher, bucket in (
            (ua, partner, result.to_ukraine),
            (partner, ua, result.from_ukraine),
        ):
            needs = learner.get(wants) or (
                learner.get(status) is not None and learner[status] <= LOW_STATUS
            )
            if needs and (teacher.get(offers) or (teacher.get(status) or 0) >= 2):
                bucket.append(
                    Exchange(
                        area=area.label(lang),
                        learner_status=learner.get(status),
                        wants=learner.get(wants, ""),
                        teacher_status=teacher.get(status),
                        offers=teacher.get(offers, ""),
                    )
                )
    return result


@dataclass(frozen=True)
class CandidateScore:
    id: str  # the first row naming the candidate: what dot votes are kept under
    candidate: str
    ua_total: int | None
    partner_total: int | None
    maximum: int
    disagreements: list[tuple[str, int, int]]  # criterion, Ukrainian score, partner score

    @property
    def combined(self) -> int:
        return (self.ua_total or 0) + (self.partner_total or 0)


def weighted_total(scoring: Question, row: dict[str, Any]) -> int:
    """A candidate's score on one side: each criterion's 1–5 times its weight, unscored as 0."""
    return sum((row.get(c.key) or 0) * c.weight for c in scoring.columns if c.weight)


def score_summary(method: Method, answers: Answers) -> list[CandidateScore]:
    """Weighted totals per side for each candidate, best first, with big disagreements."""
    question = method.by_role("candidates")
    if question is None:
        return []
    name_key = _column(question, "name")
    lang = current_lang()
    criteria = [c for c in question.columns if c.weight]
    maximum = sum(5 * (c.weight or 0) for c in criteria)
    by_side: dict[str, dict[str, dict[str, Any]]] = {}
    names: dict[str, tuple[str, str]] = {}
    sides = ("ua", "partner") if question.per_side else (SHARED,)
    for side in sides:
        for row in _value(answers, question.key, side) or []:
            name = " ".join(str(row.get(name_key, "")).split())
            if name and row.get("row"):
                identity = candidate_key(question, row)
                names.setdefault(identity, (str(row["row"]), name))
                by_side.setdefault(identity, {})[side or "ua"] = row

    def total(row: dict[str, Any] | None) -> int | None:
        if not row or not any(c.key in row for c in criteria):
            return None
        return weighted_total(question, row)

    summary = []
    for identity, scored in by_side.items():
        ua, partner = scored.get("ua"), scored.get("partner")
        apart = [
            (c.label(lang), ua[c.key], partner[c.key])
            for c in criteria
            if ua
            and partner
            and c.key in ua
            and c.key in partner
            and abs(ua[c.key] - partner[c.key]) > DISAGREEMENT
        ]
        row_id, name = names[identity]
        summary.append(CandidateScore(row_id, name, total(ua), total(partner), maximum, apart))
    return sorted(summary, key=lambda s: -s.combined)


@dataclass(frozen=True)
class Warning:
    where: str
    message: str


def _day(text: Any) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


@dataclass(frozen=True)
class _Horizon:
    start: date | None
    end: date | None

    def outside(self, day: date | None) -> bool:
        return bool(day and self.start and self.end and not self.start <= day <= self.end)


def _objective_warnings(row: dict[str, Any], horizon: _Horizon) -> list[str]:
    problems = []
    if not row.get("indicator"):
        problems.append(_("has no indicator."))
    if row.get("target") is None:
        problems.append(_("has no target value."))
    target_on, baseline_on = _day(row.get("target_on")), _day(row.get("baseline_on"))
    if target_on is None:
        problems.append(_("has no target date."))
    elif horizon.outside(target_on):
        problems.append(_("has its target date outside the plan horizon."))
    if baseline_on and target_on and baseline_on > target_on:
        problems.append(_("has its baseline dated after its target."))
    return problems


def _activity_warnings(row: dict[str, Any], horizon: _Horizon) -> list[str]:
    problems = []
    starts, ends = _day(row.get("starts_on")), _day(row.get("ends_on"))
    if not row.get("owner"):
        problems.append(_("has no responsible person."))
    if starts is None or ends is None:
        problems.append(_("has no start or end date."))
    elif ends < starts:
        problems.append(_("ends before it starts."))
    if horizon.outside(starts) or horizon.outside(ends):
        problems.append(_("runs outside the plan horizon."))
    return problems


def _key(method: Method, role: str) -> str | None:
    question = method.by_role(role)
    return question.key if question else None


def _cells(table: Question, row: dict[str, Any]) -> dict[str, Any]:
    """A row's cells under their roles' names, so the checks read the same in any method."""
    return {c.role: row.get(c.key) for c in table.columns if c.role}


def smart_check(method: Method, answers: Answers) -> list[Warning]:
    """Warnings about objectives and activities that are not yet SMART."""
    start_key, horizon_key = _key(method, "plan_start"), _key(method, "plan_horizon")
    start = _day(_value(answers, start_key)) if start_key else None
    months = _whole(_value(answers, horizon_key) if horizon_key else None) or DEFAULT_HORIZON
    horizon = _Horizon(start, _add_months(start, months) if start else None)
    objectives_table, activities_table = method.by_role("objectives"), method.by_role("activities")
    if objectives_table is None or activities_table is None:
        return []
    priorities = _row_ids(answers, _key(method, "priorities"))
    objectives = _value(answers, objectives_table.key) or []
    warnings = []
    for number, row in enumerate(objectives, start=1):
        where = _("Objective %(n)d", n=number)
        cells = _cells(objectives_table, row)
        warnings += [Warning(where, m) for m in _objective_warnings(cells, horizon)]
        if cells.get("priority") and cells["priority"] not in priorities:
            warnings.append(Warning(where, _("serves a priority that was removed.")))
    objective_ids = {o.get("row") for o in objectives}
    for number, row in enumerate(_value(answers, activities_table.key) or [], start=1):
        where = _("Activity %(n)d", n=number)
        cells = _cells(activities_table, row)
        warnings += [Warning(where, m) for m in _activity_warnings(cells, horizon)]
        if cells.get("objective") and cells["objective"] not in objective_ids:
            warnings.append(Warning(where, _("serves an objective that was removed.")))
    return warnings


def _whole(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _row_ids(answers: Answers, key: str | None) -> set[str]:
    return {row.get("row") for row in (_value(answers, key) if key else None) or []}


COMPUTE = {"needs_offers": needs_offers, "score_summary": score_summary, "smart_check": smart_check}


def for_stage(method: Method, stage_insights: tuple[str, ...], answers: Answers) -> dict[str, Any]:
    return {name: COMPUTE[name](method, answers) for name in stage_insights}
