"""The programme overview as the page shows it: the queries' counts named in the reader's
language, sorted, and drawn (the map, the charts). No query of its own beyond ``queries``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa
from flask_babel import gettext as _

from workshop import charts, geo
from workshop.documents import model
from workshop.method.definition import CURRENT_VERSION, Text, available_versions, load
from workshop.overview.programme import queries, ukraine_map
from workshop.overview.programme.queries import PARTNER, UA

NOT_STARTED, DONE = "*not_started", "*done"
NO_REGION = "*none"


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Hospital:
    name: str
    country: str


@dataclass(frozen=True)
class NamedPair:
    teacher: Hospital
    learner: Hospital


@dataclass
class AreaExchange:
    area: str
    offering: int = 0  # hospitals on the sharing side that can share it
    wanting: int = 0  # hospitals on the other side that want to learn it
    partnered: int = 0  # of those pairs, the ones that are partners already
    pairs: list[NamedPair] = field(default_factory=list)

    @property
    def possible(self) -> int:
        """Pairs that could learn from each other and are not partners yet."""
        return self.offering * self.wanting - self.partnered


@dataclass(frozen=True)
class Direction:
    key: str  # "from_ukraine" · "to_ukraine"
    title: str
    teachers: str  # who shares, e.g. "Ukrainian hospitals that can share"
    learners: str
    areas: tuple[AreaExchange, ...]

    @property
    def possible(self) -> int:
        return sum(a.possible for a in self.areas)


@dataclass(frozen=True)
class Picture:
    total: int
    ua_hospitals: int
    partner_hospitals: int
    map: ukraine_map.UkraineMap
    regions: tuple[Count, ...]
    countries: tuple[Count, ...]
    stages: tuple[Count, ...]
    stages_chart: model.Chart | None
    priority_areas: tuple[Count, ...]
    priorities_chart: model.Chart | None
    with_priorities: int  # partnerships with at least one priority
    priorities_without_area: int  # partnerships with a priority that names no area
    directions: tuple[Direction, ...]


def build(seminar_id: int | None, lang: str) -> Picture:
    view = queries.in_view(seminar_id)
    places = queries.places(view)
    regions = _regions(places.regions, lang)
    stages = _stages(queries.reached(view), lang)
    areas = area_labels(lang)
    by_area = queries.priority_areas(view, areas)
    priority_areas = tuple(
        sorted(
            (
                Count(key, areas.get(key) or _("Areas a partnership added itself"), n)
                for key, n in by_area.items()
                if key not in (None, queries.ANY_AREA) and n
            ),
            key=lambda c: (-c.count, geo.sort_key(c.label, lang)),
        )
    )
    return Picture(
        total=places.total,
        ua_hospitals=places.ua_hospitals,
        partner_hospitals=places.partner_hospitals,
        map=ukraine_map.draw({c.key: c.count for c in regions}, lang),
        regions=regions,
        countries=_countries(places.countries, lang),
        stages=stages,
        stages_chart=_chart(
            stages, _("Partnerships by where they are in the cycle"), _("Stage"), lang
        ),
        priority_areas=priority_areas,
        priorities_chart=_chart(
            priority_areas, _("Partnerships with a priority in each area"), _("Area"), lang
        ),
        with_priorities=by_area.get(queries.ANY_AREA, 0),
        priorities_without_area=by_area.get(None, 0),
        directions=_exchange(view, areas, lang),
    )


def _chart(rows: tuple[Count, ...], title: str, header: str, lang: str) -> model.Chart | None:
    if not any(r.count for r in rows):
        return None
    return charts.counts(
        [(r.label, r.count) for r in rows],
        title=title,
        label_header=header,
        count_header=_("Partnerships"),
        lang=lang,
    )


def _countries(found: dict[str, int], lang: str) -> tuple[Count, ...]:
    rows = [Count(code, geo.country_name(code, lang), n) for code, n in found.items()]
    return tuple(sorted(rows, key=lambda c: (-c.count, geo.sort_key(c.label, lang))))


def _regions(found: dict[str | None, int], lang: str) -> tuple[Count, ...]:
    """All 27 regions with their counts, most first; then any partnership whose Ukrainian
    hospital has no region the app knows (not stated, or typed in free text)."""
    rows = [Count(code, geo.region_name(code, lang), found.get(code, 0)) for code in geo.UA_REGIONS]
    rows.sort(key=lambda c: (-c.count, geo.sort_key(c.label, lang)))
    unknown = sum(n for code, n in found.items() if code not in geo.UA_REGIONS)
    if unknown:
        rows.append(Count(NO_REGION, _("Region not stated"), unknown))
    return tuple(rows)


def _stage_titles(lang: str) -> dict[str, str]:
    """Each stage key of any published method, titled as the current method has it."""
    titles: dict[str, str] = {}
    for version in [CURRENT_VERSION, *available_versions()]:
        for stage in load(version).stages:
            titles.setdefault(
                stage.key, _("Stage %(n)d. %(title)s", n=stage.number, title=stage.title(lang))
            )
    return titles


def _stages(found: list[queries.Reached], lang: str) -> tuple[Count, ...]:
    """Partnerships by the furthest stage open to them (the page says how that is read)."""
    counts: dict[str, int] = {}
    for row in found:
        stages = load(row.method_version).stages
        if row.reached == 0 and not row.started:
            key = NOT_STARTED
        elif row.reached >= len(stages):
            key = DONE
        else:
            key = stages[row.reached].key
        counts[key] = counts.get(key, 0) + row.partnerships
    titles = _stage_titles(lang)
    order = [NOT_STARTED, *titles, DONE]
    labels = {NOT_STARTED: _("Not started"), DONE: _("Every stage approved"), **titles}
    return tuple(Count(key, labels[key], counts.get(key, 0)) for key in order)


@cache
def _area_texts() -> dict[str, Text]:
    """The assessment areas of every published method by id, as the current method names them."""
    texts: dict[str, Text] = {}
    for version in [CURRENT_VERSION, *available_versions()]:
        matrix = load(version).by_role("needs_matrix")
        for area in matrix.rows if matrix else ():
            texts.setdefault(area.id, area.label)
    return texts


def area_labels(lang: str) -> dict[str, str]:
    return {key: text(lang) for key, text in _area_texts().items()}


def _other(side: str) -> str:
    return PARTNER if side == UA else UA


def _name_pairs(
    found: dict[str, dict[str, AreaExchange]],
    pools: dict[tuple[str, str, str], tuple[int, ...]],
    lang: str,
) -> None:
    """Up to ``queries.PAIRS_NAMED`` pairs per area and direction, from the first hospitals
    of each (``queries.PAIR_POOL``): a hospital that can share the area with one of the other
    side that wants to learn it, which are not partners in any seminar yet."""
    ukrainian = {i for (_k, side, _a), ids in pools.items() if side == UA for i in ids}
    partner = {i for (_k, side, _a), ids in pools.items() if side == PARTNER for i in ids}
    known = queries.hospitals(ukrainian, partner)
    for teacher_side, by_area in found.items():
        for area, exchange in by_area.items():
            for teacher in pools.get((queries.OFFER, teacher_side, area), ()):
                for learner in pools.get((queries.WANT, _other(teacher_side), area), ()):
                    pair = (teacher, learner) if teacher_side == UA else (learner, teacher)
                    if teacher == learner or pair in known.partners:
                        continue
                    if len(exchange.pairs) < queries.PAIRS_NAMED:
                        exchange.pairs.append(
                            NamedPair(
                                _hospital(known, teacher, lang), _hospital(known, learner, lang)
                            )
                        )


def _hospital(found: queries.Hospitals, institution: int, lang: str) -> Hospital:
    name_uk, name_en, country = found.names.get(institution, (None, "", ""))
    name = (name_uk if lang == "uk" and name_uk else name_en) or name_uk or ""
    return Hospital(name, geo.country_name(country, lang))


def _exchange(
    view: sa.Select[tuple[int]], areas: dict[str, str], lang: str
) -> tuple[Direction, ...]:
    """Both directions of the knowledge exchange, each area with its counts and named pairs,
    areas with the most possible new pairs first."""
    found: dict[str, dict[str, AreaExchange]] = {UA: {}, PARTNER: {}}
    pools: dict[tuple[str, str, str], tuple[int, ...]] = {}

    def entry(teacher_side: str, area: str) -> AreaExchange:
        return found[teacher_side].setdefault(area, AreaExchange(areas[area]))

    for row in queries.exchange_counts(view):
        if row.area not in areas:
            continue  # an area one partnership added: nobody else can name it
        pools[row.kind, row.side, row.area] = row.hospitals
        if row.kind == queries.OFFER:
            entry(row.side, row.area).offering = row.count
        elif row.kind == queries.WANT:  # said by the learners: the teachers are the others
            entry(_other(row.side), row.area).wanting = row.count
        else:
            entry(row.side, row.area).partnered = row.count
    _name_pairs(found, pools, lang)

    def ordered(side: str) -> tuple[AreaExchange, ...]:
        return tuple(
            sorted(
                found[side].values(),
                key=lambda a: (-a.possible, -a.offering, geo.sort_key(a.area, lang)),
            )
        )

    return (
        Direction(
            "from_ukraine",
            _("What Ukrainian hospitals can share with partner hospitals"),
            _("Ukrainian hospitals that can share it"),
            _("Partner hospitals that want to learn it"),
            ordered(UA),
        ),
        Direction(
            "to_ukraine",
            _("What partner hospitals can share with Ukrainian hospitals"),
            _("Partner hospitals that can share it"),
            _("Ukrainian hospitals that want to learn it"),
            ordered(PARTNER),
        ),
    )
