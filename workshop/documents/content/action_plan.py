"""The action plan document: objectives → activities with who leads, dates, resources by side
and risks, on a landscape timeline; the same plan the vision summarises."""

from __future__ import annotations

from flask_babel import gettext as _

from workshop import charts
from workshop.documents import model
from workshop.documents.content import plan
from workshop.documents.content.source import Source

# Lines of the timeline on one landscape page (activities and objective headings).
LANDSCAPE_LINES = 26


def build(src: Source) -> tuple[model.Section, ...]:
    the_plan = plan.read(src)
    priorities = src.method.by_role("priorities")
    overview: list[model.Block] = [plan.dates_facts(src, the_plan)]
    if priorities is not None:
        name = priorities.column_for("name")
        names = [str(r.get(name.key)) for r in src.rows(priorities.key) if name and r.get(name.key)]
        if names:
            overview.append(
                model.Facts(
                    tuple((str(n), text) for n, text in enumerate(names, start=1)),
                    caption=src.text(priorities.label),
                )
            )
    return (
        model.Section("overview", _("The plan at a glance"), tuple(overview)),
        model.Section(
            "timeline",
            _("Timeline"),
            tuple(
                plan.timeline(
                    src, the_plan, width=charts.LANDSCAPE_WIDTH, lines_per_chart=LANDSCAPE_LINES
                )
            ),
        ),
        model.Section(
            "plan",
            _("Objectives and activities"),
            subsections=plan.objective_sections(src, the_plan, "objective"),
        ),
        model.Section("indicators", _("Indicators"), tuple(plan.indicators(src, the_plan))),
        model.Section("risks", _("Risks"), tuple(plan.risks(src, the_plan))),
        model.Section("checks", _("SMART check"), tuple(plan.checks(src))),
    )
