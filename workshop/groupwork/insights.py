"""What the answers add up to: the needs ↔ offers matrix, score totals, the SMART check.

Each insight is a pure function of the stage's answers and the method, named in the method
definition (``insights:``), so a stage shows it without any view knowing about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _

from workshop.i18n import current_lang
from workshop.method.definition import Method, Question
from workshop.models import SHARED, Answer

Answers = dict[tuple[str, str], Answer]
DISAGREEMENT = 2  # more than this many points apart is worth a conversation
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


def needs_offers(method: Method, answers: Answers) -> NeedsOffers:
    """For each area: who wants to learn (low status or a stated wish) and who can share."""
    question = method.question("needs_matrix")
    if question is None:
        return NeedsOffers()
    lang = current_lang()
    rows = {
        side: {r["row"]: r for r in _value(answers, "needs_matrix", side) or []}
        for side in ("ua", "partner")
    }
    result = NeedsOffers()
    for area in question.rows:
        ua, partner = rows["ua"].get(area.id, {}), rows["partner"].get(area.id, {})
        result.areas.append((area.label(lang), ua.get("status"), partner.get("status")))
        for learner, teacher, bucket in (
            (ua, partner, result.to_ukraine),
            (partner, ua, result.from_ukraine),
        ):
            needs = learner.get("want_to_learn") or (
                learner.get("status") is not None and learner["status"] <= LOW_STATUS
            )
            if needs and (teacher.get("can_share") or (teacher.get("status") or 0) >= 2):
                bucket.append(
                    Exchange(
                        area=area.label(lang),
                        learner_status=learner.get("status"),
                        wants=learner.get("want_to_learn", ""),
                        teacher_status=teacher.get("status"),
                        offers=teacher.get("can_share", ""),
                    )
                )
    return result


@dataclass(frozen=True)
class CandidateScore:
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
    question = method.question("candidate_scores")
    if question is None:
        return []
    lang = current_lang()
    criteria = [c for c in question.columns if c.weight]
    maximum = sum(5 * (c.weight or 0) for c in criteria)
    by_side: dict[str, dict[str, dict[str, Any]]] = {}
    names: dict[str, str] = {}
    for side in ("ua", "partner"):
        for row in _value(answers, "candidate_scores", side) or []:
            name = " ".join(str(row.get("candidate", "")).split())
            if name:
                names.setdefault(name.casefold(), name)
                by_side.setdefault(name.casefold(), {})[side] = row

    def total(row: dict[str, Any] | None) -> int | None:
        if not row or not any(c.key in row for c in criteria):
            return None
        return weighted_total(question, row)

    summary = []
    for key, sides in by_side.items():
        ua, partner = sides.get("ua"), sides.get("partner")
        apart = [
            (c.label(lang), ua[c.key], partner[c.key])
            for c in criteria
            if ua
            and partner
            and c.key in ua
            and c.key in partner
            and abs(ua[c.key] - partner[c.key]) > DISAGREEMENT
        ]
        summary.append(CandidateScore(names[key], total(ua), total(partner), maximum, apart))
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
    if not row.get("responsible"):
        problems.append(_("has no responsible person."))
    if starts is None or ends is None:
        problems.append(_("has no start or end date."))
    elif ends < starts:
        problems.append(_("ends before it starts."))
    if horizon.outside(starts) or horizon.outside(ends):
        problems.append(_("runs outside the plan horizon."))
    return problems


def smart_check(method: Method, answers: Answers) -> list[Warning]:
    """Warnings about objectives and activities that are not yet SMART."""
    start = _day(_value(answers, "plan_starts_on"))
    months = int(_value(answers, "plan_horizon_months") or 24)
    horizon = _Horizon(start, _add_months(start, months) if start else None)
    warnings = []
    priorities = _row_ids(answers, "priorities")
    objectives = _value(answers, "objectives") or []
    for number, row in enumerate(objectives, start=1):
        where = _("Objective %(n)d", n=number)
        warnings += [Warning(where, m) for m in _objective_warnings(row, horizon)]
        if row.get("priority") and row["priority"] not in priorities:
            warnings.append(Warning(where, _("serves a priority that was removed.")))
    for number, row in enumerate(_value(answers, "activities") or [], start=1):
        where = _("Activity %(n)d", n=number)
        warnings += [Warning(where, m) for m in _activity_warnings(row, horizon)]
        if row.get("objective") and row["objective"] not in {o.get("row") for o in objectives}:
            warnings.append(Warning(where, _("serves an objective that was removed.")))
    return warnings


def _row_ids(answers: Answers, key: str) -> set[str]:
    return {row.get("row") for row in _value(answers, key) or []}


COMPUTE = {"needs_offers": needs_offers, "score_summary": score_summary, "smart_check": smart_check}


def for_stage(method: Method, stage_insights: tuple[str, ...], answers: Answers) -> dict[str, Any]:
    return {name: COMPUTE[name](method, answers) for name in stage_insights}
