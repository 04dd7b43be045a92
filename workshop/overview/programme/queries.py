"""What the programme overview reads: one aggregate query per picture, whatever the number of
partnerships (tests/test_programme_overview.py counts them at 10 and at 1,000).

Every query takes the partnerships in view as a subquery (all, or one seminar's) and adds up in
SQL; table answers are unpacked by the database (``jsonsql``). Only each partnership's current
cycle counts: an earlier cycle is history. The methods are data, so the keys these queries read
inside the answers come from each published version's roles, never from names written here.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from workshop.extensions import db
from workshop.method.definition import available_versions, load
from workshop.models import (
    Answer,
    Institution,
    Partnership,
    Seminar,
    StageRun,
    StageStatus,
    seminar_partnership,
)
from workshop.overview.programme import jsonsql

UA, PARTNER = "ua", "partner"
# How many hospitals on each side of an area the pairs are drawn from, and how many pairs are
# named per area and direction: the page names examples, the counts are exact.
PAIR_POOL = 8
PAIRS_NAMED = 6
OTHER_AREA = "*other"  # an area a partnership added itself: no other partnership names it so


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def in_view(seminar_id: int | None) -> sa.Select[tuple[int]]:
    """The ids of the partnerships in view: every one, or those of one seminar."""
    if seminar_id is None:
        return sa.select(Partnership.id)
    return sa.select(seminar_partnership.c.partnership_id).where(
        seminar_partnership.c.seminar_id == seminar_id
    )


def _current(answer: type[Answer] = Answer) -> sa.ColumnElement[bool]:
    return sa.and_(Partnership.id == answer.partnership_id, Partnership.cycle == answer.cycle)


# -- Seminars, for the filter ----------------------------------------------------------------------


@dataclass(frozen=True)
class SeminarRow:
    id: int
    title_uk: str
    title_en: str
    starts_on: date
    partnerships: int


def seminars() -> list[SeminarRow]:
    """Every seminar with how many partnerships take part, newest first."""
    rows = db.session.execute(
        sa.select(
            Seminar.id,
            Seminar.title_uk,
            Seminar.title_en,
            Seminar.starts_on,
            sa.func.count(seminar_partnership.c.partnership_id),
        )
        .outerjoin(seminar_partnership, seminar_partnership.c.seminar_id == Seminar.id)
        .group_by(Seminar.id, Seminar.title_uk, Seminar.title_en, Seminar.starts_on)
        .order_by(Seminar.starts_on.desc(), Seminar.id.desc())
    )
    return [SeminarRow(*row) for row in rows]


# -- Where the partnerships are --------------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    total: int
    ua_hospitals: int
    partner_hospitals: int
    regions: dict[str | None, int]  # the Ukrainian hospital's region as stored → partnerships
    countries: dict[str, int]  # the partner hospital's country → partnerships


def places(view: sa.Select[tuple[int]]) -> Places:
    """Partnerships by the Ukrainian hospital's region and the partner's country, and how many
    hospitals on each side: one statement."""
    ua, partner = aliased(Institution), aliased(Institution)
    base = (
        sa.select()
        .select_from(Partnership)
        .join(ua, ua.id == Partnership.ua_institution_id)
        .join(partner, partner.id == Partnership.partner_institution_id)
        .where(Partnership.id.in_(view))
    )

    def part(name: str, key: sa.ColumnElement[str] | None, count: sa.ColumnElement[int]):
        label = sa.literal(name, sa.String).label("kind")
        value = sa.cast(key if key is not None else sa.null(), sa.String).label("value")
        query = base.add_columns(label, value, count.label("n"))
        return query.group_by(key) if key is not None else query

    statement = sa.union_all(
        part("region", ua.region, sa.func.count()),
        part("country", partner.country, sa.func.count()),
        part("ua", None, sa.func.count(sa.distinct(Partnership.ua_institution_id))),
        part("partner", None, sa.func.count(sa.distinct(Partnership.partner_institution_id))),
    )
    regions: dict[str | None, int] = {}
    countries: dict[str, int] = {}
    hospitals = {"ua": 0, "partner": 0}
    for name, value, n in db.session.execute(statement):
        if name == "region":
            regions[value] = int(n)
        elif name == "country":
            countries[value] = int(n)
        else:
            hospitals[name] = int(n)
    return Places(
        total=sum(regions.values()),
        ua_hospitals=hospitals["ua"],
        partner_hospitals=hospitals["partner"],
        regions=regions,
        countries=countries,
    )


# -- How far the partnerships are ------------------------------------------------------------------


@dataclass(frozen=True)
class Reached:
    method_version: str
    reached: int  # how many of the method's stages are behind it (see ``reached``)
    started: bool  # whether anybody has saved an answer in its current cycle
    partnerships: int


@cache
def _reached_case() -> sa.Case[int]:
    """For one stage run: how far it takes its partnership. Stage i (from 0) opens stage i + 1
    once approved (even if reopened since: ``first_approved_at``) and is itself open when a
    facilitator opened it early, as groupwork.review.workflow.is_open has it."""
    whens: list[tuple[sa.ColumnElement[bool], int]] = []
    approved = sa.or_(
        StageRun.status == StageStatus.APPROVED, StageRun.first_approved_at.is_not(None)
    )
    for version in available_versions():
        for index, stage in enumerate(load(version).stages):
            here = sa.and_(Partnership.method_version == version, StageRun.stage_key == stage.key)
            whens.append((sa.and_(here, approved), index + 1))
            whens.append((sa.and_(here, StageRun.opened_early.is_(True)), index))
    return sa.case(*whens, else_=0)


def reached(view: sa.Select[tuple[int]]) -> list[Reached]:
    """Partnerships counted by how many stages are behind them (0: on the first), and whether
    they have started: one statement, a few rows."""
    started = (
        sa.exists()
        .where(Answer.partnership_id == Partnership.id, Answer.cycle == Partnership.cycle)
        .correlate(Partnership)
    )
    per_partnership = (
        sa.select(
            Partnership.method_version.label("version"),
            sa.func.coalesce(sa.func.max(_reached_case()), 0).label("reached"),
            sa.case((started, 1), else_=0).label("started"),
        )
        .outerjoin(
            StageRun,
            sa.and_(StageRun.partnership_id == Partnership.id, StageRun.cycle == Partnership.cycle),
        )
        .where(Partnership.id.in_(view))
        .group_by(Partnership.id, Partnership.method_version, Partnership.cycle)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            per_partnership.c.version,
            per_partnership.c.reached,
            per_partnership.c.started,
            sa.func.count(),
        ).group_by(per_partnership.c.version, per_partnership.c.reached, per_partnership.c.started)
    )
    return [Reached(v, int(r), bool(s), int(n)) for v, r, s, n in rows]


# -- What the partnerships put first ---------------------------------------------------------------


@dataclass(frozen=True)
class PrioritySpec:
    """Where one group of method versions keeps its priorities and the areas behind them."""

    versions: tuple[str, ...]
    priorities: str  # the priorities table's key
    priority_gap: str  # its column naming the gap a priority closes
    gaps: str  # the gaps table's key
    gap_area: str  # its column naming the assessment area


@cache
def priority_specs() -> tuple[PrioritySpec, ...]:
    found: dict[tuple[str, ...], list[str]] = {}
    for version in available_versions():
        method = load(version)
        priorities, gaps = method.by_role("priorities"), method.by_role("gaps")
        link = priorities.column_for("gap") if priorities else None
        area = gaps.column_for("area") if gaps else None
        if priorities and gaps and link and area:
            found.setdefault((priorities.key, link.key, gaps.key, area.key), []).append(version)
    return tuple(PrioritySpec(tuple(v), *keys) for keys, v in found.items())


ANY_AREA = "*any"  # the row that counts partnerships with any priority at all


def priority_areas(view: sa.Select[tuple[int]], known: Iterable[str]) -> dict[str | None, int]:
    """Per assessment area, how many partnerships put a priority on it (through the gap the
    priority closes). ``known`` are the method's area ids; an area a partnership added counts
    under ``OTHER_AREA``, a priority naming no gap (or a removed one) under None, and
    ``ANY_AREA`` counts the partnerships with at least one priority."""
    dialect = _dialect()
    chosen, found_gaps = [], []
    for spec in priority_specs():
        priority = jsonsql.elements(Answer.value, dialect)
        chosen.append(
            sa.select(
                Answer.partnership_id.label("pid"),
                priority.field(spec.priority_gap).label("gap"),
            )
            .select_from(Answer)
            .join(Partnership, _current())
            .join(priority.alias, sa.true())
            .where(
                Answer.question_key == spec.priorities,
                Partnership.method_version.in_(spec.versions),
                Partnership.id.in_(view),
                priority.is_object(),
            )
        )
        gap = jsonsql.elements(Answer.value, dialect)
        found_gaps.append(
            sa.select(
                Answer.partnership_id.label("pid"),
                gap.field("row").label("row"),
                gap.field(spec.gap_area).label("area"),
            )
            .select_from(Answer)
            .join(Partnership, _current())
            .join(gap.alias, sa.true())
            .where(
                Answer.question_key == spec.gaps,
                Partnership.method_version.in_(spec.versions),
                Partnership.id.in_(view),
                gap.is_object(),
            )
        )
    if not chosen:
        return {}
    prio = (sa.union_all(*chosen) if len(chosen) > 1 else chosen[0]).cte("prio")
    gaps = (sa.union_all(*found_gaps) if len(found_gaps) > 1 else found_gaps[0]).cte("gaps")
    known = sorted(set(known))
    area = sa.case(
        (gaps.c.area.is_(None), sa.null()),
        (gaps.c.area.in_(known), gaps.c.area),
        else_=sa.literal(OTHER_AREA, sa.String),
    ).label("area")
    counted = (
        sa.select(area, sa.func.count(sa.distinct(prio.c.pid)))
        .select_from(prio)
        .outerjoin(gaps, sa.and_(gaps.c.pid == prio.c.pid, gaps.c.row == prio.c.gap))
        .group_by(area)
    )
    anything = sa.select(
        sa.literal(ANY_AREA, sa.String).label("area"), sa.func.count(sa.distinct(prio.c.pid))
    )
    rows = db.session.execute(sa.union_all(counted, anything))
    return {a: int(n) for a, n in rows}


# -- What the hospitals offer and want to learn ----------------------------------------------------


@dataclass(frozen=True)
class NeedsSpec:
    versions: tuple[str, ...]
    matrix: str  # the needs matrix's key (a per-side table, one row per area)
    wants: str  # its "we want to learn" column
    offers: str  # its "we can share" column


@cache
def needs_specs() -> tuple[NeedsSpec, ...]:
    found: dict[tuple[str, ...], list[str]] = {}
    for version in available_versions():
        matrix = load(version).by_role("needs_matrix")
        wants = matrix.column_for("wants") if matrix else None
        offers = matrix.column_for("offers") if matrix else None
        if matrix and wants and offers:
            found.setdefault((matrix.key, wants.key, offers.key), []).append(version)
    return tuple(NeedsSpec(tuple(v), *keys) for keys, v in found.items())


def _flags(view: sa.Select[tuple[int]]) -> sa.CTE | None:
    """(side, hospital, area, kind): each thing a hospital said it can share ("offer") or
    wants to learn ("want"), once per partnership in view that says it."""
    dialect = _dialect()
    parts = []
    for spec in needs_specs():
        said = jsonsql.filled_members(Answer.value, [spec.offers, spec.wants], dialect)
        hospital = sa.case(
            (Answer.side == UA, Partnership.ua_institution_id),
            else_=Partnership.partner_institution_id,
        )
        query = sa.select(
            Answer.side.label("side"),
            hospital.label("inst"),
            said.row.label("area"),
            sa.case((said.key == spec.offers, OFFER), else_=WANT).label("kind"),
        ).select_from(Answer)
        query = query.join(Partnership, _current())
        for source in said.froms:
            query = query.join(source, sa.true())
        parts.append(
            query.where(
                Answer.question_key == spec.matrix,
                Answer.side.in_((UA, PARTNER)),
                Partnership.method_version.in_(spec.versions),
                Partnership.id.in_(view),
                said.where,
            )
        )
    if not parts:
        return None
    return (sa.union_all(*parts) if len(parts) > 1 else parts[0]).cte("said")


OFFER, WANT = "offer", "want"


@dataclass(frozen=True)
class AreaCount:
    kind: str  # offer · want · partnered (offering and wanting hospitals already paired)
    side: str  # the offering side for "offer" and "partnered", the learning side for "want"
    area: str
    count: int
    hospitals: tuple[int, ...] = ()  # offer and want: the first ``PAIR_POOL`` hospitals' ids


def _id_list(column: sa.ColumnElement[int]) -> sa.ColumnElement[str]:
    """The distinct ids in a group as one text ("12,7,31"): the pool pairs are drawn from."""
    if _dialect() == "postgresql":
        return sa.func.string_agg(sa.distinct(sa.cast(column, sa.Text)), ",")
    return sa.func.group_concat(sa.distinct(column))


def _partnered(said: sa.CTE) -> sa.Select[Any]:
    """Per area and direction, how many offering × wanting pairs are partners already, in any
    seminar: each statement of a hospital reaches the partnerships of that hospital (an index
    lookup) and they meet per partnership by grouping, never by joining hundreds of offers to
    hundreds of wishes per area, whatever order a database would choose for that join."""

    def said_by(side: str, kind: str) -> sa.ColumnElement[int]:
        return sa.case((sa.and_(said.c.side == side, said.c.kind == kind), 1), else_=0)

    ua, partner = Partnership.ua_institution_id, Partnership.partner_institution_id
    met = sa.union_all(
        *(
            sa.select(
                said.c.area,
                ua.label("ua"),
                partner.label("partner"),
                said_by(UA, OFFER).label("ua_offers"),
                said_by(UA, WANT).label("ua_wants"),
                said_by(PARTNER, OFFER).label("partner_offers"),
                said_by(PARTNER, WANT).label("partner_wants"),
            )
            .select_from(said)
            .join(Partnership, own == said.c.inst)
            .where(said.c.side == side, said.c.area.is_not(None))
            for side, own in ((UA, ua), (PARTNER, partner))
        )
    ).subquery("met")
    per_pair = (
        sa.select(
            met.c.area,
            sa.func.max(met.c.ua_offers).label("ua_offers"),
            sa.func.max(met.c.ua_wants).label("ua_wants"),
            sa.func.max(met.c.partner_offers).label("partner_offers"),
            sa.func.max(met.c.partner_wants).label("partner_wants"),
        )
        .group_by(met.c.area, met.c.ua, met.c.partner)
        .subquery("per_pair")
    )
    return sa.select(
        per_pair.c.area,
        sa.func.sum(per_pair.c.ua_offers * per_pair.c.partner_wants).label("from_ua"),
        sa.func.sum(per_pair.c.partner_offers * per_pair.c.ua_wants).label("from_partner"),
    ).group_by(per_pair.c.area)


def exchange_counts(view: sa.Select[tuple[int]]) -> list[AreaCount]:
    """The knowledge exchange across the partnerships in view, per area: how many hospitals of
    each side can share it or want to learn it (with the first few, to name pairs from), and
    per direction how many of the possible pairs are partners already. One statement, so the
    answers are read once."""
    said = _flags(view)
    if said is None:
        return []
    hospitals = (
        sa.select(
            said.c.kind,
            said.c.side,
            said.c.area,
            sa.func.count(sa.distinct(said.c.inst)).label("n"),
            _id_list(said.c.inst).label("ids"),
        )
        .where(said.c.area.is_not(None))
        .group_by(said.c.kind, said.c.side, said.c.area)
    )
    partnered = _partnered(said).subquery("partnered")
    none = sa.cast(sa.null(), sa.String)
    both_ways = [
        sa.select(
            sa.literal("partnered", sa.String),
            sa.literal(side, sa.String),
            partnered.c.area,
            n,
            none,
        )
        for side, n in ((UA, partnered.c.from_ua), (PARTNER, partnered.c.from_partner))
    ]
    counts = []
    for found, side, area, n, ids in db.session.execute(sa.union_all(hospitals, *both_ways)):
        first = heapq.nsmallest(PAIR_POOL, (int(i) for i in ids.split(","))) if ids else []
        counts.append(AreaCount(found, side, area, int(n or 0), tuple(first)))
    return counts


@dataclass(frozen=True)
class Hospitals:
    """What naming pairs needs of a few hospitals: their names, and which are partners."""

    names: dict[int, tuple[str | None, str, str]]  # id → name_uk, name_en, country
    partners: set[tuple[int, int]]  # (Ukrainian, partner) pairs that are partnerships


def hospitals(ukrainian: set[int], partner: set[int]) -> Hospitals:
    """Names of the hospitals given, and the partnerships among them: one statement."""
    if not ukrainian and not partner:
        return Hospitals({}, set())
    none = sa.cast(sa.null(), sa.String)
    names = sa.select(
        sa.literal("name", sa.String),
        Institution.id,
        sa.cast(sa.null(), sa.Integer),
        Institution.name_uk,
        Institution.name_en,
        Institution.country,
    ).where(Institution.id.in_(sorted(ukrainian | partner)))
    pairs = sa.select(
        sa.literal("pair", sa.String),
        Partnership.ua_institution_id,
        Partnership.partner_institution_id,
        none,
        none,
        none,
    ).where(
        Partnership.ua_institution_id.in_(sorted(ukrainian)),
        Partnership.partner_institution_id.in_(sorted(partner)),
    )
    found = Hospitals({}, set())
    for kind, first, second, name_uk, name_en, country in db.session.execute(
        sa.union_all(names, pairs)
    ):
        if kind == "name":
            found.names[first] = (name_uk, name_en, country)
        else:
            found.partners.add((first, second))
    return found
