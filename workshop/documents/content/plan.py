"""The action plan read from the answers: objectives, their activities, the timeline, the
indicators and the SMART check. The vision and the action-plan document share these pieces.

Tables and columns are found by their roles (``role: objectives``, ``starts_on``…), like the
insights do; the few plan columns without a role (lead side, risks) are named by key below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from workshop import charts
from workshop.documents import model
from workshop.documents.content import formats
from workshop.documents.content.blocks import not_answered
from workshop.documents.content.insight import answers_for_insights
from workshop.documents.content.source import Source
from workshop.groupwork.stage import insights
from workshop.method.definition import Question

LEAD_COLUMN = "lead"  # Ukrainian · partner · joint: no role names it
RISKS_COLUMN = "risks"
LEAD_SERIES = {"ua": 0, "partner": 1, "joint": 2}
NO_OBJECTIVE = "none"


@dataclass
class Group:
    """One objective and its activities, in the plan's order."""

    key: str  # the objective's row id, or NO_OBJECTIVE
    title: str  # "Objective 2"
    row: dict[str, Any]
    activities: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (number, row)


@dataclass
class Plan:
    objectives: Question | None
    activities: Question | None
    start: date | None
    end: date | None
    horizon: int
    groups: list[Group]

    @property
    def activity_count(self) -> int:
        return sum(len(g.activities) for g in self.groups)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=min(day.day, 28))


def read(src: Source) -> Plan:
    objectives, activities = src.method.by_role("objectives"), src.method.by_role("activities")
    start_q, horizon_q = src.method.by_role("plan_start"), src.method.by_role("plan_horizon")
    start = formats.parse_day(src.value(start_q.key if start_q else None))
    raw = src.value(horizon_q.key if horizon_q else None)
    horizon = (
        int(raw)
        if isinstance(raw, int | float) and not isinstance(raw, bool) and raw > 0
        else insights.DEFAULT_HORIZON
    )
    end = _add_months(start, horizon) - timedelta(days=1) if start else None
    groups: dict[str, Group] = {}
    if objectives is not None:
        for number, row in enumerate(src.rows(objectives.key), start=1):
            key = str(row.get("row") or f"n{number}")
            groups[key] = Group(key, _("Objective %(n)d", n=number), row)
    link = activities.column_for("objective") if activities else None
    orphans = Group(NO_OBJECTIVE, _("Activities without an objective"), {})
    if activities is not None:
        for number, row in enumerate(src.rows(activities.key), start=1):
            named = str(row.get(link.key)) if link and row.get(link.key) else ""
            groups.get(named, orphans).activities.append((number, row))
    found = list(groups.values()) + ([orphans] if orphans.activities else [])
    return Plan(objectives, activities, start, end, horizon, found)


def _cell(table: Question | None, role_or_key: str, row: dict[str, Any]) -> Any:
    if table is None:
        return None
    column = table.column_for(role_or_key) or next(
        (c for c in table.columns if c.key == role_or_key), None
    )
    return row.get(column.key) if column else None


def _long_text(table: Question | None, row: dict[str, Any]) -> str:
    """A row's first long text (the objective, the activity) on one line."""
    column = next((c for c in table.columns if c.type == "long_text"), None) if table else None
    return " ".join(str(row.get(column.key) or "").split()) if column else ""


def _objective_text(plan: Plan, group: Group) -> str:
    """ "Objective 2: Cut CLABSI …": how the timeline names an objective."""
    if group.key == NO_OBJECTIVE:
        return group.title
    text = _long_text(plan.objectives, group.row)
    return f"{group.title}: {text}" if text else group.title


def _activity_text(plan: Plan, number: int, row: dict[str, Any]) -> str:
    """ "Activity 3: Webinar …": how the timeline and the risks name an activity."""
    text = _long_text(plan.activities, row)
    title = _("Activity %(n)d", n=number)
    return f"{title}: {text}" if text else title


def timeline(src: Source, plan: Plan, *, width: float, lines_per_chart: int) -> list[model.Block]:
    """The Gantt chart, cut into charts of at most ``lines_per_chart`` lines, so each fits a
    page (an image cannot break across pages) and its bars stay readable."""
    if plan.activities is None or not plan.activity_count:
        return [model.Note(_("No activities are planned yet."))]
    tasks = [
        _task(src, plan, group, number, row)
        for group in plan.groups
        for number, row in group.activities
    ]
    chunks: list[list[charts.Task]] = [[]]
    lines = 0
    for task in tasks:
        starts_group = not chunks[-1] or chunks[-1][-1].group != task.group
        needed = 2 if starts_group else 1
        if chunks[-1] and lines + needed > lines_per_chart:
            chunks.append([])
            lines, needed = 0, 2
        chunks[-1].append(task)
        lines += needed
    leads = _leads(src, plan)
    out: list[model.Block] = []
    for n, chunk in enumerate(chunks, start=1):
        caption = _("Timeline of the activities")
        if len(chunks) > 1:
            caption = _("Timeline of the activities, part %(n)d of %(num)d", n=n, num=len(chunks))
        out.append(
            charts.gantt(
                chunk,
                start=plan.start,
                end=plan.end,
                lang=src.lang,
                width=width,
                leads=leads,
                caption=caption,
            )
        )
    return out


def _lead_column(plan: Plan) -> Question | None:
    columns = plan.activities.columns if plan.activities else ()
    return next((c for c in columns if c.key == LEAD_COLUMN), None)


def _leads(src: Source, plan: Plan) -> list[tuple[str, int]]:
    """The timeline's legend: each lead side's label and how its bars are drawn."""
    column = _lead_column(plan)
    return [(c.label(src.lang), LEAD_SERIES.get(c.id, 0)) for c in column.choices] if column else []


def _task(src: Source, plan: Plan, group: Group, number: int, row: dict[str, Any]) -> charts.Task:
    table = plan.activities
    starts, ends = _cell(table, "starts_on", row), _cell(table, "ends_on", row)
    lead, lead_column = _cell(table, LEAD_COLUMN, row), _lead_column(plan)
    return charts.Task(
        group=_objective_text(plan, group),
        group_short=group.title,
        label=_activity_text(plan, number, row),
        start=formats.parse_day(starts),
        end=formats.parse_day(ends),
        start_text=formats.day(starts, src.lang, "medium"),
        end_text=formats.day(ends, src.lang, "medium"),
        lead=src.show(lead_column, lead) if lead_column else "",
        series=LEAD_SERIES.get(str(lead), 0),
    )


def objective_sections(src: Source, plan: Plan, prefix: str) -> tuple[model.Section, ...]:
    """One section per objective: its cells, then its activities as records (without the
    objective they name: they stand under it)."""
    out = []
    for group in plan.groups:
        blocks: list[model.Block] = []
        if plan.objectives is not None and group.row:
            blocks.append(model.Facts(tuple(src.cells(plan.objectives, group.row))))
        if plan.activities is not None and group.activities:
            blocks.append(
                model.Records(
                    src.text(plan.activities.label),
                    tuple(
                        _activity_record(src, plan.activities, n, r) for n, r in group.activities
                    ),
                )
            )
        elif group.key != NO_OBJECTIVE:
            blocks.append(model.Note(_("No activity serves this objective yet.")))
        out.append(
            model.Section(key=f"{prefix}-{group.key}", title=group.title, blocks=tuple(blocks))
        )
    return tuple(out)


def _activity_record(
    src: Source, table: Question, number: int, row: dict[str, Any]
) -> model.Record:
    """ "Activity 3: Webinar …" and its other cells, without the objective it stands under."""
    link = table.column_for("objective")
    text = next((c for c in table.columns if c.type == "long_text"), None)
    dropped = {c.key for c in (link, text) if c is not None}
    shown = {k: v for k, v in row.items() if k not in dropped}
    title = _("Activity %(n)d", n=number)
    what = _long_text(table, row)
    return model.Record(
        f"{title}: {what}" if what else title, model.Facts(tuple(src.cells(table, shown)))
    )


def indicators(src: Source, plan: Plan) -> list[model.Block]:
    """Each objective's indicator: baseline, target, their dates, source and frequency."""
    if plan.objectives is None:
        return []
    if not src.rows(plan.objectives.key):
        return [not_answered(src, plan.objectives)]
    served = plan.objectives.column_for("priority")
    items = []
    for group in plan.groups:
        if group.key == NO_OBJECTIVE:
            continue
        name = _cell(plan.objectives, "indicator", group.row)
        title = f"{group.title}: {name}" if name else group.title
        shown = {k: v for k, v in group.row.items() if served is None or k != served.key}
        items.append(model.Record(title, model.Facts(tuple(src.cells(plan.objectives, shown)))))
    return [model.Records(_("Indicators"), tuple(items))]


def risks(src: Source, plan: Plan) -> list[model.Block]:
    """Each activity's risks and how they are met, as the plan states them."""
    rows = [
        (_activity_text(plan, number, row), str(_cell(plan.activities, RISKS_COLUMN, row)))
        for group in plan.groups
        for number, row in group.activities
        if _cell(plan.activities, RISKS_COLUMN, row)
    ]
    if not rows:
        return [model.Note(_("No activity names its risks yet."))]
    return [
        model.Records(
            _("Risks of the activities and how they are met"),
            tuple(
                model.Record(activity, model.Facts(((_("Risks and mitigation"), text),)))
                for activity, text in rows
            ),
        )
    ]


def checks(src: Source) -> list[model.Block]:
    """What the SMART check still finds in the plan, said once per finding."""
    warnings = insights.smart_check(src.method, answers_for_insights(src))
    if not warnings:
        return [model.Paragraph(_("The SMART check finds nothing missing in the plan."))]
    return [model.Note(f"{w.where} {w.message}") for w in warnings]


def dates_facts(src: Source, plan: Plan) -> model.Facts:
    unknown = _("Not answered yet")
    return model.Facts(
        (
            (_("Plan starts on"), formats.day(plan.start, src.lang) if plan.start else unknown),
            (_("Time horizon"), ngettext("%(num)d month", "%(num)d months", plan.horizon)),
            (_("Plan ends on"), formats.day(plan.end, src.lang) if plan.end else unknown),
        )
    )
