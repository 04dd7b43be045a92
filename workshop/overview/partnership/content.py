"""What the partnership view shows, built from the documents' snapshot in the reader's language.

The view reads the same plain snapshot the documents are made from (documents.snapshot), so it
never shows what a document would not: dot votes are in it only once a facilitator revealed
them. The charts and most blocks are the documents' own (documents.content, workshop.charts);
what only a screen needs, the two matrices a reader scans across (needs ↔ offers per area and
side, scores per candidate and criterion), is built here. Nothing here queries the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from workshop import charts
from workshop.documents import model
from workshop.documents.content import plan
from workshop.documents.content.annex import annex, candidate_name, status_label
from workshop.documents.content.blocks import side_label, table_records
from workshop.documents.content.common import parties
from workshop.documents.content.insight import answers_for_insights
from workshop.documents.content.source import SIDES, Source
from workshop.documents.snapshot import Snapshot
from workshop.groupwork.stage import insights
from workshop.method import scale
from workshop.method.definition import Method, Question, Stage
from workshop.method.rows import SHARED, candidate_key

# The web page has the width of a portrait page's text block to draw in: the charts are images
# that shrink to a phone's width, and their tables say the same in text at any width.
WIDTH = charts.PORTRAIT_WIDTH
GANTT_LINES = 44  # lines per timeline image, as in the vision: a taller one shrinks unreadably


@dataclass(frozen=True)
class StageLine:
    number: int
    title: str
    status: str


@dataclass(frozen=True)
class SideNeeds:
    status: str  # the 0–3 label, or "" when not rated
    wants: str  # what this side wrote under "we want to learn"
    offers: str  # … under "we can share"


@dataclass(frozen=True)
class NeedsRow:
    area: str
    ua: SideNeeds
    partner: SideNeeds


@dataclass(frozen=True)
class Exchanges:
    """One direction of the needs ↔ offers match: who learns from whom, per area."""

    caption: str
    learner: str  # "Ukrainian hospital"
    teacher: str
    items: tuple[insights.Exchange, ...]


@dataclass(frozen=True)
class Needs:
    chart: model.Chart | None
    rows: tuple[NeedsRow, ...]
    columns: tuple[str, str, str]  # the status, wants and offers columns' labels
    exchanges: tuple[Exchanges, ...]


@dataclass(frozen=True)
class Score:
    """One criterion of one candidate: each side's score, and whether they are far apart."""

    values: tuple[int | None, ...]  # one per side of the matrix
    apart: bool


@dataclass(frozen=True)
class ScoreRow:
    candidate: str
    scores: tuple[Score, ...]  # one per criterion
    totals: tuple[int | None, ...]  # one per side
    combined: int

    @property
    def apart(self) -> int:
        return sum(1 for s in self.scores if s.apart)


@dataclass(frozen=True)
class ScoreMatrix:
    caption: str
    criteria: tuple[tuple[str, int], ...]  # label, weight
    sides: tuple[str, ...]  # the sides' labels ("" for a table scored together)
    rows: tuple[ScoreRow, ...]
    maximum: int


@dataclass(frozen=True)
class Votes:
    """A voting stage's dot votes as the reader may see them: revealed, or said to be hidden."""

    stage: str
    revealed: bool
    chart: model.Chart | None  # None when hidden or when nobody voted


@dataclass(frozen=True)
class Overview:
    parties: tuple[model.Party, ...]
    # The method's own titles of the stages that hold the needs, the priorities and the plan
    # (found by the roles of their tables), "" where the method has no such stage.
    titles: dict[str, str]
    stages: tuple[StageLine, ...]
    needs: Needs | None
    scores_chart: model.Chart | None
    matrix: ScoreMatrix | None
    votes: tuple[Votes, ...]
    priorities: tuple[model.Block, ...]
    plan_dates: model.Facts
    timeline: tuple[model.Block, ...]
    checks: tuple[model.Block, ...]
    objectives: tuple[model.Section, ...]
    answers: model.Section


def build(snapshot: Snapshot, method: Method, lang: str, revealed: set[str]) -> Overview:
    """The page's content. ``revealed`` names the stages whose dot votes a facilitator has
    revealed (the snapshot holds only those votes; this says which stages to call hidden)."""
    src = Source(snapshot, method, lang)
    the_plan = plan.read(src)
    return Overview(
        parties=parties(src),
        titles={
            part: _stage_title(src, role)
            for part, role in (
                ("needs", "needs_matrix"),
                ("priorities", "candidates"),
                ("plan", "activities"),
            )
        },
        stages=tuple(
            StageLine(s.number, src.text(s.title), status_label(snapshot["stages"].get(s.key)))
            for s in method.stages
        ),
        needs=_needs(src),
        scores_chart=_scores_chart(src),
        matrix=score_matrix(src),
        votes=tuple(_votes(src, s, s.key in revealed) for s in method.stages if s.vote_on),
        priorities=tuple(_priorities(src)),
        plan_dates=plan.dates_facts(src, the_plan),
        timeline=tuple(plan.timeline(src, the_plan, width=WIDTH, lines_per_chart=GANTT_LINES)),
        checks=tuple(plan.checks(src)),
        objectives=plan.objective_sections(src, the_plan, "objective"),
        answers=annex(src),
    )


def _stage_title(src: Source, role: str) -> str:
    question = src.method.by_role(role)
    found = src.method.section_of(question.key) if question else None
    if found is None:
        return ""
    return _("Stage %(n)d. %(title)s", n=found[0].number, title=src.text(found[0].title))


# --- needs ↔ offers ----------------------------------------------------------------------------


def _needs(src: Source) -> Needs | None:
    matrix = src.method.by_role("needs_matrix")
    if matrix is None:
        return None
    status, wants, offers = (matrix.column_for(r) for r in ("status", "wants", "offers"))
    found = insights.needs_offers(src.method, answers_for_insights(src))
    chart = None
    if any(ua is not None or partner is not None for _a, ua, partner in found.areas):
        chart = charts.ratings_by_area(
            [charts.Group(label, (ua, partner)) for label, ua, partner in found.areas],
            sides=(side_label("ua"), side_label("partner")),
            scale=list(scale.labels().values()),
            lang=src.lang,
            width=WIDTH,
        )
    by_side = {s: {str(r.get("row")): r for r in src.rows(matrix.key, s)} for s in SIDES}

    def cells(side: str, area_id: str) -> SideNeeds:
        row = by_side[side].get(area_id, {})

        def shown(column: Question | None) -> str:
            return src.show(column, row.get(column.key)) if column is not None else ""

        return SideNeeds(shown(status), shown(wants), shown(offers))

    rows = tuple(
        NeedsRow(area.label(src.lang), cells("ua", area.id), cells("partner", area.id))
        for area in src.fixed_rows(matrix)
    )
    labels = tuple(src.text(c.label) if c else "" for c in (status, wants, offers))
    exchanges = (
        Exchanges(
            _("From the partner hospital to the Ukrainian hospital"),
            side_label("ua"),
            side_label("partner"),
            tuple(found.to_ukraine),
        ),
        Exchanges(
            _("From the Ukrainian hospital to the partner hospital"),
            side_label("partner"),
            side_label("ua"),
            tuple(found.from_ukraine),
        ),
    )
    return Needs(chart, rows, (labels[0], labels[1], labels[2]), exchanges)


# --- priorities ----------------------------------------------------------------------------------


def _scores_chart(src: Source) -> model.Chart | None:
    summary = insights.score_summary(src.method, answers_for_insights(src))
    if not summary:
        return None
    return charts.weighted_scores(
        [charts.Group(s.candidate, (s.ua_total, s.partner_total)) for s in summary],
        sides=(side_label("ua"), side_label("partner")),
        maximum=summary[0].maximum,
        lang=src.lang,
        width=WIDTH,
    )


def _scored(table: Question, src: Source) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The candidates' rows by candidate (``rows.candidate_key``, as the insights match them
    across the sides) and side, and each candidate's name as first written."""
    name = table.column_for("name")
    found: dict[str, dict[str, dict[str, Any]]] = {}
    names: dict[str, str] = {}
    for side in SIDES if table.per_side else (SHARED,):
        for row in src.rows(table.key, side):
            label = " ".join(str(row.get(name.key, "") if name else "").split())
            if label:
                identity = candidate_key(table, row)
                names.setdefault(identity, label)
                found.setdefault(identity, {})[side] = row
    return found, names


def _score(row: dict[str, Any] | None, key: str) -> int | None:
    value = row.get(key) if row else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def score_matrix(src: Source) -> ScoreMatrix | None:
    """Each candidate × criterion with each side's 1–5 score, the weighted totals, and the
    scores more than ``insights.DISAGREEMENT`` points apart marked; best combined total first."""
    table = src.method.by_role("candidates")
    if table is None:
        return None
    criteria = [c for c in table.columns if c.weight]
    sides = SIDES if table.per_side else (SHARED,)
    found, names = _scored(table, src)
    if not found:
        return None

    def total(row: dict[str, Any] | None) -> int | None:
        if not row or all(_score(row, c.key) is None for c in criteria):
            return None
        return insights.weighted_total(table, row)

    rows = []
    for identity, by_side in found.items():
        cells = []
        for criterion in criteria:
            values = tuple(_score(by_side.get(s), criterion.key) for s in sides)
            known = [v for v in values if v is not None]
            apart = len(known) == 2 and abs(known[0] - known[1]) > insights.DISAGREEMENT
            cells.append(Score(values, apart))
        totals = tuple(total(by_side.get(s)) for s in sides)
        rows.append(ScoreRow(names[identity], tuple(cells), totals, sum(t or 0 for t in totals)))
    rows.sort(key=lambda r: (-r.combined, r.candidate.casefold()))
    return ScoreMatrix(
        caption=src.text(table.label),
        criteria=tuple((src.text(c.label), c.weight or 0) for c in criteria),
        sides=tuple(side_label(s) if s else "" for s in sides),
        rows=tuple(rows),
        maximum=sum(5 * (c.weight or 0) for c in criteria),
    )


def _votes(src: Source, stage: Stage, revealed: bool) -> Votes:
    title = src.text(stage.title)
    if not revealed:
        return Votes(title, revealed=False, chart=None)
    dots = (src.snapshot.get("votes") or {}).get(stage.key) or {}
    if not dots:
        return Votes(title, revealed=True, chart=None)
    items = [
        (candidate_name(src, stage, c), int(d))
        for c, d in sorted(dots.items(), key=lambda item: (-item[1], item[0]))
    ]
    chart = charts.counts(
        items,
        title=_("Dot votes per candidate"),
        label_header=_("Candidate"),
        count_header=_("Dots"),
        lang=src.lang,
        width=WIDTH,
    )
    return Votes(title, revealed=True, chart=chart)


def _priorities(src: Source) -> list[model.Block]:
    table = src.method.by_role("priorities")
    return table_records(src, table) if table is not None else []
