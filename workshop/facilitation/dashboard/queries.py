"""What the seminar dashboard reads: one aggregate query per kind of fact, for a whole seminar.

Every query is filtered by the seminar's partnership ids (a subquery, never a list built in
Python) and grouped in SQL, so the dashboard costs the same handful of queries for 10 tables
and for 1,000. Only the partnerships' current cycle counts: an earlier cycle is history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from workshop.extensions import db
from workshop.groupwork.stage.presence import WINDOW
from workshop.method.definition import available_versions, load
from workshop.models import (
    SHARED,
    Account,
    Answer,
    Comment,
    HelpRequest,
    Institution,
    Partnership,
    PlenaryKind,
    Presence,
    Proposal,
    Seminar,
    Side,
    StageEvent,
    StageRun,
    StageStatus,
    seminar_partnership,
    utcnow,
)
from workshop.permissions import managed_seminar_ids

# -- The seminar ----------------------------------------------------------------------------------


def managed_seminar(actor: Account, seminar_id: int) -> Seminar | None:
    """The seminar, if ``actor`` manages it (``managed_seminar_ids``, the SQL twin of
    ``can_manage_seminar``): one query, where loading it and its facilitators would take two."""
    return db.session.scalar(
        sa.select(Seminar).where(
            Seminar.id == seminar_id, Seminar.id.in_(managed_seminar_ids(actor))
        )
    )


def managed_revision(actor: Account, seminar_id: int) -> int | None:
    """The seminar's change counter (``workshop.live``), if ``actor`` manages it: the one query
    of a poll that finds nothing new."""
    return db.session.scalar(
        sa.select(Seminar.revision).where(
            Seminar.id == seminar_id, Seminar.id.in_(managed_seminar_ids(actor))
        )
    )


def _of_seminar(seminar_id: int | sa.BindParameter[int]) -> sa.Select[tuple[int]]:
    return sa.select(seminar_partnership.c.partnership_id).where(
        seminar_partnership.c.seminar_id == seminar_id
    )


# -- The tables -----------------------------------------------------------------------------------


# Rows are named tuples: hundreds or thousands are made on every drawing of the dashboard.


class TableRow(NamedTuple):
    id: int
    method_version: str
    cycle: int
    ua_name_uk: str | None
    ua_name_en: str
    region: str | None  # the Ukrainian side's oblast (ISO 3166-2, e.g. UA-46)
    partner_name_uk: str | None
    partner_name_en: str
    country: str  # the partner's country (ISO 3166-1 alpha-2)


def tables(seminar_id: int) -> list[TableRow]:
    """The seminar's partnerships with both hospitals' names and places."""
    ua, partner = aliased(Institution), aliased(Institution)
    rows = db.session.execute(
        sa.select(
            Partnership.id,
            Partnership.method_version,
            Partnership.cycle,
            ua.name_uk,
            ua.name_en,
            ua.region,
            partner.name_uk,
            partner.name_en,
            partner.country,
        )
        .join(ua, ua.id == Partnership.ua_institution_id)
        .join(partner, partner.id == Partnership.partner_institution_id)
        .where(Partnership.id.in_(_of_seminar(seminar_id)))
    )
    return [TableRow._make(row) for row in rows]


# -- Stage runs -----------------------------------------------------------------------------------


class RunRow(NamedTuple):
    id: int
    partnership_id: int
    stage_key: str
    status: StageStatus | None
    returned: int  # how many times a facilitator asked for changes on it
    submitted_at: datetime | None  # its latest submission, while it waits for review


def _current_cycle(
    partnership_id: sa.ColumnElement[int], cycle: sa.ColumnElement[int]
) -> sa.ColumnElement[bool]:
    """Joins a row to its partnership, if the row is of the partnership's current cycle."""
    return sa.and_(Partnership.id == partnership_id, Partnership.cycle == cycle)


def runs(seminar_id: int) -> list[RunRow]:
    """Every stage run of the current cycles, with its requests for changes counted and its
    latest submission's time."""
    event = StageEvent  # read as "each event of the run"
    rows = db.session.execute(
        sa.select(
            StageRun.id,
            StageRun.partnership_id,
            StageRun.stage_key,
            StageRun.status,
            sa.func.count(sa.case((event.action == "request_changes", event.id))),
            # Only a stage waiting for review shows since when: no time to read for the others.
            sa.func.max(
                sa.case(
                    (
                        sa.and_(StageRun.status == StageStatus.SUBMITTED, event.action == "submit"),
                        event.at,
                    )
                )
            ),
        )
        .join(Partnership, _current_cycle(StageRun.partnership_id, StageRun.cycle))
        .outerjoin(event, event.run_id == StageRun.id)
        .where(StageRun.partnership_id.in_(_of_seminar(seminar_id)))
        .group_by(StageRun.id, StageRun.partnership_id, StageRun.stage_key, StageRun.status)
    )
    return [RunRow._make(row) for row in rows]


# -- Answers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Required:
    """How many required questions a stage has: answered together, and by each side."""

    shared: int
    per_side: int


@cache
def _versions() -> tuple[str, ...]:
    return tuple(available_versions())


@cache
def required_counts() -> dict[tuple[str, str], Required]:
    """Per (method version, stage key), the stage's required questions."""
    found = {}
    for version in _versions():
        for stage in load(version).stages:
            required = [q for q in stage.questions() if q.required]
            found[version, stage.key] = Required(
                shared=sum(not q.per_side for q in required),
                per_side=sum(q.per_side for q in required),
            )
    return found


@cache
def stage_keys() -> tuple[str, ...]:
    """Every stage key of every method version, in the order of the stages."""
    found: dict[str, int] = {}
    for version in _versions():
        for stage in load(version).stages:
            found.setdefault(stage.key, stage.number)
    return tuple(sorted(found, key=lambda key: found[key]))


@cache
def _stage_of_answer() -> sa.Case[str]:
    """The stage an answer belongs to, from its partnership's method: the methods are data, so
    the mapping is built from them once and handed to the database as a CASE."""
    whens = [
        (
            sa.and_(
                Partnership.method_version == version,
                Answer.question_key.in_(sorted(q.key for q in stage.questions())),
            ),
            stage.key,
        )
        for version in _versions()
        for stage in load(version).stages
    ]
    return sa.case(*whens, else_=sa.null())


@cache
def _is_required() -> sa.ColumnElement[bool]:
    """Whether an answer is to a required question of its partnership's method."""
    return sa.or_(
        *(
            sa.and_(
                Partnership.method_version == version,
                Answer.question_key.in_(
                    sorted(q.key for s in load(version).stages for q in s.questions() if q.required)
                ),
            )
            for version in _versions()
        )
    )


def _filled() -> sa.ColumnElement[bool]:
    # What the save path stores for "nothing" (answers.values.clean turns blank into None, which
    # JSON keeps as null); the others are there in case an older row holds them.
    text = sa.cast(Answer.value, sa.Text)
    return sa.and_(Answer.value.is_not(None), text.not_in(["null", '""', "[]", "{}"]))


class StageCounts(NamedTuple):
    # A tuple: one is made per table and stage, on every drawing of the dashboard.
    filled: int  # answers with something in them, of any question of the stage
    shared: int  # required questions answered together
    ua: int  # required per-side questions answered by the Ukrainian side
    partner: int  # … by the partner side


@dataclass(frozen=True, slots=True)
class AnswerCounts:
    partnership_id: int
    last_saved: datetime | None
    stages: dict[str, StageCounts]


_COUNTS = ("filled", "shared", "ua", "partner")


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((condition, 1), else_=0))


_SEMINAR = sa.bindparam("seminar_id", type_=sa.Integer)


@cache
def _answer_counts_query() -> sa.Select[tuple[object, ...]]:
    """Three steps, so that each answer row (a long JSON value) is read once: name each
    answer's stage, whether it is filled and required (materialised: a database would
    otherwise read the value once per expression using it); count per partnership and stage;
    turn the stages into columns, one row per partnership."""
    each = (
        sa.select(
            Answer.partnership_id.label("pid"),
            _stage_of_answer().label("stage"),
            sa.case((_filled(), 1), else_=0).label("filled"),
            sa.case((_is_required(), 1), else_=0).label("required"),
            Answer.side.label("side"),
            Answer.updated_at.label("at"),
        )
        .join(Partnership, _current_cycle(Answer.partnership_id, Answer.cycle))
        .where(Answer.partnership_id.in_(_of_seminar(_SEMINAR)))
        .cte("each_answer")
        .prefix_with("MATERIALIZED")
    )
    required = sa.and_(each.c.filled == 1, each.c.required == 1)
    per_stage = (
        sa.select(
            each.c.pid,
            each.c.stage,
            sa.func.sum(each.c.filled).label("filled"),
            _count(sa.and_(required, each.c.side == SHARED)).label("shared"),
            _count(sa.and_(required, each.c.side == Side.UKRAINIAN.value)).label("ua"),
            _count(sa.and_(required, each.c.side == Side.PARTNER.value)).label("partner"),
            sa.func.max(each.c.at).label("at"),
        )
        .group_by(each.c.pid, each.c.stage)
        .cte("per_stage")
    )
    columns = [
        # Cast: PostgreSQL sums a sum into a NUMERIC, which Python would read as a Decimal.
        sa.cast(
            sa.func.sum(sa.case((per_stage.c.stage == key, per_stage.c[name]), else_=0)), sa.Integer
        )
        for key in stage_keys()
        for name in _COUNTS
    ]
    return sa.select(per_stage.c.pid, sa.func.max(per_stage.c.at), *columns).group_by(
        per_stage.c.pid
    )


def answer_counts(seminar_id: int) -> dict[int, AnswerCounts]:
    """Per partnership: its last save, and per stage the answers given and the required ones
    answered, by side."""
    keys, width = stage_keys(), len(_COUNTS)
    spans = [(key, n * width, (n + 1) * width) for n, key in enumerate(keys)]
    rows = db.session.execute(_answer_counts_query(), {"seminar_id": seminar_id})
    found = {}
    for pid, last_saved, *numbers in rows:
        stages = {key: StageCounts._make(numbers[a:b]) for key, a, b in spans}
        found[pid] = AnswerCounts(pid, last_saved, stages)
    return found


# -- People, comments, help -----------------------------------------------------------------------


def present(seminar_id: int) -> dict[int, list[str]]:
    """Per partnership, the names of the people who have one of its stages open now."""
    rows = db.session.execute(
        sa.select(Presence.partnership_id, Account.display_name)
        .join(Account, Account.id == Presence.account_id)
        .where(
            Presence.partnership_id.in_(_of_seminar(seminar_id)),
            Presence.seen_at >= utcnow() - WINDOW,
        )
        .distinct()
        .order_by(Presence.partnership_id, Account.display_name)
    )
    found: dict[int, list[str]] = {}
    for partnership_id, name in rows:
        found.setdefault(partnership_id, []).append(name)
    return found


def open_comments(seminar_id: int) -> dict[int, int]:
    """Per partnership, the comment threads of its current cycle nobody has resolved."""
    rows = db.session.execute(
        sa.select(Comment.partnership_id, sa.func.count(Comment.id))
        .join(Partnership, _current_cycle(Comment.partnership_id, Comment.cycle))
        .where(
            Comment.partnership_id.in_(_of_seminar(seminar_id)),
            Comment.thread_id.is_(None),
            Comment.resolved_at.is_(None),
        )
        .group_by(Comment.partnership_id)
    )
    return {row[0]: row[1] for row in rows}


class HelpRow(NamedTuple):
    id: int
    partnership_id: int
    stage_key: str | None
    asked_at: datetime
    asked_by: str | None


def open_help(seminar_id: int) -> list[HelpRow]:
    """The seminar's help requests no facilitator has answered yet, oldest first."""
    rows = db.session.execute(
        sa.select(
            HelpRequest.id,
            HelpRequest.partnership_id,
            HelpRequest.stage_key,
            HelpRequest.asked_at,
            Account.display_name,
        )
        .outerjoin(Account, Account.id == HelpRequest.asked_by_id)
        .where(HelpRequest.seminar_id == seminar_id, HelpRequest.answered_at.is_(None))
        .order_by(HelpRequest.asked_at, HelpRequest.id)
    )
    return [HelpRow._make(row) for row in rows]


# -- The plenary --------------------------------------------------------------------------------


class ProposalRow(NamedTuple):
    kind: PlenaryKind
    text: str
    partnership_id: int | None
    at: datetime
    total: int  # the seminar's proposals still standing (not merged into another)


LATEST_PROPOSALS = 5


def latest_proposals(seminar_id: int) -> list[ProposalRow]:
    """The newest proposals of the room-wide round, each row carrying how many there are in all
    (a window count: one query however many tables propose)."""
    rows = db.session.execute(
        sa.select(
            Proposal.kind,
            Proposal.text,
            Proposal.partnership_id,
            Proposal.at,
            sa.func.count().over().label("total"),
        )
        .where(Proposal.seminar_id == seminar_id, Proposal.merged_into_id.is_(None))
        .order_by(Proposal.at.desc(), Proposal.id.desc())
        .limit(LATEST_PROPOSALS)
    )
    return [ProposalRow._make(row) for row in rows]
