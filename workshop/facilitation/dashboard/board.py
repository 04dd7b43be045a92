"""The dashboard's picture of a seminar: one row per table, one cell per stage, and the counts.

Built from the aggregates of ``queries`` in one pass over their rows (no query here), so its
cost grows with the number of tables, never with the number of answers. Every table is looked
at (the filters, the order and the counts need them all); the page then draws only a hundred.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from workshop.facilitation.dashboard import queries
from workshop.facilitation.dashboard.queries import HelpRow, StageCounts, TableRow
from workshop.method.definition import CURRENT_VERSION, Text, load
from workshop.models import Seminar, StageStatus, utcnow


class Status(enum.StrEnum):
    """Where a table's stage stands, as the dashboard shows and filters it."""

    NOT_STARTED = "not_started"  # nothing written yet
    IN_PROGRESS = "in_progress"  # something written, not submitted
    SUBMITTED = StageStatus.SUBMITTED.value
    CHANGES_REQUESTED = StageStatus.CHANGES_REQUESTED.value
    APPROVED = StageStatus.APPROVED.value
    REOPENED = StageStatus.REOPENED.value


_BY_RUN = {s: Status(s.value) for s in StageStatus}
RETURNED_TWICE = 2  # requests for changes on one stage that make a table "stuck"
_NOTHING = StageCounts(0, 0, 0, 0)


@dataclass(frozen=True)
class Column:
    key: str
    number: int
    title: Text


@dataclass(slots=True)
class Cell:
    """One table's stage: its status, and what of it is answered (``completion``)."""

    status: Status
    counts: StageCounts
    required: queries.Required
    returned: int = 0  # requests for changes
    submitted_at: datetime | None = None

    @property
    def completion(self) -> Completion | None:
        """None when the stage asks nothing required."""
        if not (self.required.shared or self.required.per_side):
            return None
        return Completion(
            shared_done=self.counts.shared,
            shared_total=self.required.shared,
            ua_done=self.counts.ua,
            partner_done=self.counts.partner,
            per_side_total=self.required.per_side,
        )


@dataclass(frozen=True)
class Completion:
    """Required questions answered: together, and per side where a side answers for itself."""

    shared_done: int
    shared_total: int
    ua_done: int
    partner_done: int
    per_side_total: int

    @property
    def by_side(self) -> bool:
        return self.per_side_total > 0

    @property
    def total(self) -> int:
        """For each side: the questions answered together and its own."""
        return self.shared_total + self.per_side_total

    @property
    def ua(self) -> int:
        return self.shared_done + self.ua_done

    @property
    def partner(self) -> int:
        return self.shared_done + self.partner_done


@dataclass(slots=True)
class Row:
    table: TableRow
    cells: dict[str, Cell]
    last_saved: datetime | None = None
    present: list[str] = field(default_factory=list)
    open_comments: int = 0
    help: list[HelpRow] = field(default_factory=list)
    idle_minutes: int | None = None  # set when stuck for want of saves during the round
    returned_stages: list[str] = field(default_factory=list)  # returned twice, not approved

    @property
    def waiting(self) -> int:
        return sum(c.status is Status.SUBMITTED for c in self.cells.values())

    @property
    def stuck(self) -> bool:
        return self.idle_minutes is not None or bool(self.returned_stages)


@dataclass(frozen=True)
class Summary:
    tables: int
    stuck: int
    asking: int
    waiting: int  # stages submitted and waiting for review, across the seminar


@dataclass(frozen=True)
class Board:
    columns: list[Column]
    rows: list[Row]
    summary: Summary
    live_round: bool
    # The room-wide round's newest proposals (each knows how many there are in all): the
    # dashboard shows them arrive while the tables propose.
    proposals: list[queries.ProposalRow] = field(default_factory=list)


def _columns(versions: set[str]) -> list[Column]:
    """Every stage of the methods the seminar's tables use, titled as the newest names it."""
    found: dict[str, Column] = {}
    for version in sorted(versions, key=lambda v: (v == CURRENT_VERSION, v)):
        for stage in load(version).stages:
            found[stage.key] = Column(stage.key, stage.number, stage.title)
    return sorted(found.values(), key=lambda c: c.number)


def round_running(seminar: Seminar, now: datetime) -> bool:
    """Whether a group-work round runs: started, and its countdown (if any) not over."""
    return seminar.round_started_at is not None and (
        seminar.round_ends_at is None or seminar.round_ends_at > now
    )


def build(seminar: Seminar) -> Board:
    """The whole seminar's board, from the seven aggregate queries of ``queries``."""
    now = utcnow()
    tables = queries.tables(seminar.id)
    runs: dict[int, dict[str, queries.RunRow]] = defaultdict(dict)
    for run in queries.runs(seminar.id):
        runs[run.partnership_id][run.stage_key] = run
    answers = queries.answer_counts(seminar.id)
    present = queries.present(seminar.id)
    comments = queries.open_comments(seminar.id)
    asking: dict[int, list[HelpRow]] = defaultdict(list)
    for request in queries.open_help(seminar.id):
        asking[request.partnership_id].append(request)

    required = queries.required_counts()
    live = round_running(seminar, now)
    rows = []
    for table in tables:
        got = answers.get(table.id)
        row = Row(
            table=table,
            cells=_cells(table, runs.get(table.id, {}), got, required),
            last_saved=got.last_saved if got else None,
            present=present.get(table.id, []),
            open_comments=comments.get(table.id, 0),
            help=asking.get(table.id, []),
        )
        row.returned_stages = [
            key
            for key, cell in row.cells.items()
            if cell.returned >= RETURNED_TWICE and cell.status is not Status.APPROVED
        ]
        if live:
            row.idle_minutes = _idle(seminar, row.last_saved, now)
        rows.append(row)
    summary = Summary(
        tables=len(rows),
        stuck=sum(r.stuck for r in rows),
        asking=sum(bool(r.help) for r in rows),
        waiting=sum(r.waiting for r in rows),
    )
    columns = _columns({t.method_version for t in tables})
    return Board(columns, rows, summary, live, queries.latest_proposals(seminar.id))


def _cells(
    table: TableRow,
    runs: dict[str, queries.RunRow],
    got: queries.AnswerCounts | None,
    required: dict[tuple[str, str], queries.Required],
) -> dict[str, Cell]:
    cells = {}
    for stage in load(table.method_version).stages:
        counts = got.stages.get(stage.key, _NOTHING) if got else _NOTHING
        need = required[table.method_version, stage.key]
        run = runs.get(stage.key)
        if run is not None and run.status is not None:
            cells[stage.key] = Cell(
                _BY_RUN[run.status], counts, need, run.returned, run.submitted_at
            )
        else:
            status = Status.IN_PROGRESS if counts.filled else Status.NOT_STARTED
            cells[stage.key] = Cell(status, counts, need, run.returned if run else 0)
    return cells


def _idle(seminar: Seminar, last_saved: datetime | None, now: datetime) -> int | None:
    """Minutes without a save since the round started, when that is ``stuck_minutes`` or more."""
    assert seminar.round_started_at is not None  # noqa: S101 - only called during a round
    since = max(last_saved or seminar.round_started_at, seminar.round_started_at)
    idle = now - since
    if idle < timedelta(minutes=seminar.stuck_minutes):
        return None
    return int(idle.total_seconds() // 60)
