"""Reading the room: the seminar's stages and where each stands at the tables, and what a
participant's screen shows of the facilitator's controls (``live_state``).

Every read here is a fixed number of queries, however many tables the seminar has.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_time

from workshop import live
from workshop.extensions import db
from workshop.groupwork.review.workflow import is_open
from workshop.method.definition import CURRENT_VERSION, Method, Stage, Text, load
from workshop.models import (
    Account,
    HelpRequest,
    Partnership,
    Seminar,
    SeminarStage,
    StageRun,
    seminar_partnership,
    utcnow,
)
from workshop.permissions import managed_seminar_ids


def managed_seminar(actor: Account, seminar_id: int) -> Seminar | None:
    """The seminar, if ``actor`` manages it (``managed_seminar_ids``, the SQL twin of
    ``can_manage_seminar``): one query."""
    return db.session.scalar(
        sa.select(Seminar).where(
            Seminar.id == seminar_id, Seminar.id.in_(managed_seminar_ids(actor))
        )
    )


def managed_revision(actor: Account, seminar_id: int) -> int | None:
    """The seminar's change counter if ``actor`` manages it: the one query of a quiet poll."""
    return db.session.scalar(
        sa.select(Seminar.revision).where(
            Seminar.id == seminar_id, Seminar.id.in_(managed_seminar_ids(actor))
        )
    )


def clock(moment: datetime | None) -> str:
    """A moment as the room's clock shows it ("11:45", Kyiv time)."""
    return format_time(moment, "HH:mm") if moment is not None else ""


# -- The seminar's tables and stages --------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One partnership of the seminar, as the room controls see it."""

    id: int
    cycle: int
    cycle_closed: bool
    method: Method


def tables(seminar_id: int) -> list[Table]:
    """The seminar's partnerships with their method (one query)."""
    rows = db.session.execute(
        sa.select(
            Partnership.id,
            Partnership.cycle,
            Partnership.cycle_closed,
            Partnership.method_version,
        )
        .join(seminar_partnership, seminar_partnership.c.partnership_id == Partnership.id)
        .where(seminar_partnership.c.seminar_id == seminar_id)
        .order_by(Partnership.id)
    )
    return [Table(pid, cycle, closed, load(version)) for pid, cycle, closed, version in rows]


@dataclass(frozen=True)
class RoomStage:
    """A stage as the room knows it: the tables' methods may be different versions, which
    share stage keys; the title is the newest version's."""

    key: str
    number: int
    title: Text
    votes: bool  # some table's method has a dot vote at this stage

    def label(self, lang: str) -> str:
        return f"{self.number}. {self.title(lang)}"


def _newest_first(versions: set[str]) -> list[str]:
    return sorted(versions, key=lambda v: (v == CURRENT_VERSION, v), reverse=True)


def room_stages(found: list[Table]) -> list[RoomStage]:
    """Every stage of the methods the seminar's tables work on, in the methods' order."""
    methods = {t.method.version: t.method for t in found} or {
        CURRENT_VERSION: load(CURRENT_VERSION)
    }
    stages: dict[str, RoomStage] = {}
    for version in _newest_first(set(methods)):
        for stage in methods[version].stages:
            known = stages.get(stage.key)
            stages[stage.key] = RoomStage(
                key=stage.key,
                number=known.number if known else stage.number,
                title=known.title if known else stage.title,
                votes=bool(stage.vote_on) or bool(known and known.votes),
            )
    return sorted(stages.values(), key=lambda s: (s.number, s.key))


def stage_label(seminar_id: int, key: str, lang: str) -> str:
    """ "2. Needs assessment" in the reader's language, for messages (the key if none has it)."""
    stage = next((s for s in room_stages(tables(seminar_id)) if s.key == key), None)
    return stage.label(lang) if stage else key


def current_runs(partnership_ids: list[int]) -> dict[int, dict[str, StageRun]]:
    """The stage runs of each partnership's current cycle, by stage key (one query)."""
    found: dict[int, dict[str, StageRun]] = defaultdict(dict)
    if not partnership_ids:
        return found
    query = (
        sa.select(StageRun)
        .join(Partnership, Partnership.id == StageRun.partnership_id)
        .where(StageRun.partnership_id.in_(partnership_ids), StageRun.cycle == Partnership.cycle)
    )
    for run in db.session.scalars(query):
        found[run.partnership_id][run.stage_key] = run
    return found


def working(found: list[Table], key: str, *, voting: bool = False) -> list[tuple[Table, Stage]]:
    """The tables that work on stage ``key`` now (a closed cycle is kept, not worked on), with
    their method's stage; with ``voting``, only where that stage has a dot vote."""
    pairs = []
    for table in found:
        stage = table.method.stage(key)
        if stage is not None and not table.cycle_closed and (stage.vote_on or not voting):
            pairs.append((table, stage))
    return pairs


@dataclass
class StageState:
    """Where one stage stands across the room, for the control page."""

    stage: RoomStage
    tables: int = 0  # tables working on it
    open_at: int = 0
    closed: bool = False  # closed for the room by a facilitator
    vote_tables: int = 0
    revealed_at: int = 0
    current: bool = False  # the round's stage

    @property
    def open_everywhere(self) -> bool:
        return self.tables > 0 and self.open_at == self.tables and not self.closed


@dataclass
class Room:
    seminar: Seminar
    tables: int
    stages: list[StageState] = field(default_factory=list)

    def stage(self, key: str | None) -> StageState | None:
        return next((s for s in self.stages if s.stage.key == key), None)


def room(seminar: Seminar) -> Room:
    """Every stage of the seminar and how many tables have it open, closed, revealed: three
    queries whatever the number of tables."""
    found = tables(seminar.id)
    runs = current_runs([t.id for t in found])
    closed = set(
        db.session.scalars(
            sa.select(SeminarStage.stage_key).where(
                SeminarStage.seminar_id == seminar.id, SeminarStage.closed.is_(True)
            )
        )
    )
    states = []
    for room_stage in room_stages(found):
        state = StageState(
            room_stage,
            closed=room_stage.key in closed,
            current=room_stage.key == seminar.round_stage_key,
        )
        for table, stage in working(found, room_stage.key):
            by_key = runs.get(table.id, {})
            state.tables += 1
            state.open_at += is_open(table.method, stage, by_key)
            if stage.vote_on:
                state.vote_tables += 1
                run = by_key.get(stage.key)
                state.revealed_at += bool(run and run.votes_revealed)
        states.append(state)
    return Room(seminar, len(found), states)


# -- What a participant's screen shows -------------------------------------------------------------


@dataclass(frozen=True)
class StageLink:
    key: str
    number: int
    title: str
    url: str
    open: bool
    closed: bool  # closed for the room: open, but nothing can change now
    votes_revealed: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "number": self.number,
            "title": self.title,
            "url": self.url,
            "open": self.open,
            "closed": self.closed,
            "votes_revealed": self.votes_revealed,
        }


@dataclass(frozen=True)
class Live:
    """The facilitator's controls as one table sees them (the stage page's strip, its poll)."""

    revision: int
    countdown_ends_at: datetime | None
    notice: str | None
    notice_at: datetime | None
    round_stage: StageLink | None
    open_stages: list[StageLink]
    help_asked_at: datetime | None
    poll_url: str
    help_url: str
    poll_every: int  # milliseconds between the screen's polls
    now: datetime  # the server's clock: a screen whose own clock is wrong counts down right

    @property
    def countdown_ends_label(self) -> str:
        return clock(self.countdown_ends_at)

    @property
    def notice_at_label(self) -> str:
        return clock(self.notice_at)

    @property
    def help_asked_label(self) -> str:
        return clock(self.help_asked_at)

    def as_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "countdown_ends_at": iso(self.countdown_ends_at),
            "countdown_ends_label": self.countdown_ends_label,
            "notice": self.notice,
            "notice_at": iso(self.notice_at),
            "notice_at_label": self.notice_at_label,
            "round_stage": self.round_stage.as_json() if self.round_stage else None,
            "open_stages": [s.as_json() for s in self.open_stages],
            "help_asked_at": iso(self.help_asked_at),
            "help_asked_label": self.help_asked_label,
            "now": iso(self.now),
        }


def iso(moment: datetime | None) -> str | None:
    """A moment for a script (``Date`` reads it), to the second."""
    return moment.replace(microsecond=0).isoformat() if moment is not None else None


def live_state(
    seminar_id: int,
    partnership: Partnership,
    method: Method,
    by_key: dict[str, StageRun],
    lang: str,
) -> Live | None:
    """What the table's screen shows of the room: one query (the seminar's row and the table's
    open help request), given the table's stage runs the caller has already read."""
    asked = (
        sa.select(sa.func.min(HelpRequest.asked_at))
        .where(
            HelpRequest.seminar_id == Seminar.id,
            HelpRequest.partnership_id == partnership.id,
            HelpRequest.answered_at.is_(None),
        )
        .scalar_subquery()
    )
    row = db.session.execute(
        sa.select(
            Seminar.revision,
            Seminar.round_stage_key,
            Seminar.round_ends_at,
            Seminar.notice,
            Seminar.notice_at,
            asked,
        ).where(Seminar.id == seminar_id)
    ).one_or_none()
    if row is None:
        return None
    revision, round_key, ends_at, notice, notice_at, asked_at = row
    links = []
    for stage in method.stages:
        run = by_key.get(stage.key)
        links.append(
            StageLink(
                key=stage.key,
                number=stage.number,
                title=stage.title(lang),
                url=url_for("stage.page", partnership_id=partnership.id, stage_key=stage.key),
                open=is_open(method, stage, by_key),
                closed=bool(run and run.closed_for_room),
                votes_revealed=bool(run and run.votes_revealed),
            )
        )
    return Live(
        revision=revision,
        countdown_ends_at=ends_at,
        notice=notice,
        notice_at=notice_at,
        round_stage=next((s for s in links if s.key == round_key), None),
        open_stages=[s for s in links if s.open],
        help_asked_at=asked_at,
        poll_url=url_for("control.table_live", partnership_id=partnership.id),
        help_url=url_for("control.ask_help", partnership_id=partnership.id),
        poll_every=live.poll_every(),
        now=utcnow(),
    )


def open_help(seminar_id: int, partnership_id: int) -> HelpRequest | None:
    """The table's help request no facilitator has answered yet, if any."""
    return db.session.scalar(
        sa.select(HelpRequest)
        .where(
            HelpRequest.seminar_id == seminar_id,
            HelpRequest.partnership_id == partnership_id,
            HelpRequest.answered_at.is_(None),
        )
        .order_by(HelpRequest.asked_at, HelpRequest.id)
        .limit(1)
    )
