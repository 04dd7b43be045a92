"""The dashboard's filters, sort and page, read from the query string.

A value the page never offers (an oblast code that is not one, a stage of no method, a typo in
a shared link) is not an error page: the dashboard says, next to the filters, which value it
did not understand and shows the tables without that filter.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workshop import geo
from workshop.facilitation.dashboard.board import Board, Column, Row, Status
from workshop.numbers import whole_number

PER_PAGE = 100
FILTERS = ("oblast", "country", "stage", "status")

SORTS: dict[str, Any] = {
    "stuck": _l("Stuck and asking for help first"),
    "name": _l("Name"),
    "oblast": _l("Oblast"),
    "country": _l("Partner country"),
    "activity": _l("Latest activity first"),
}
DEFAULT_SORT = "stuck"
_STATUSES = frozenset(Status)


@dataclass
class Choice:
    """What the person asked for (the valid part of it) and what was not understood."""

    oblast: str | None = None
    country: str | None = None
    stage: str | None = None
    status: Status | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    problems: dict[str, str] = field(default_factory=dict)  # filter → message

    def args(self, **changes: object) -> dict[str, object]:
        """The query arguments that show this choice again (for links and forms)."""
        args: dict[str, object] = {
            "oblast": self.oblast,
            "country": self.country,
            "stage": self.stage,
            "status": self.status.value if self.status else None,
            "sort": None if self.sort == DEFAULT_SORT else self.sort,
            "page": self.page if self.page > 1 else None,
        }
        args.update(changes)
        return {k: v for k, v in args.items() if v is not None}


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in geo.country_choices("en"))


def read(args: Mapping[str, str], columns: list[Column]) -> Choice:
    """The choice in ``args``; each unknown value is left out and said in ``problems``."""
    stages = {c.key for c in columns}
    checks: dict[str, tuple[Callable[[str], bool], str]] = {
        "oblast": (lambda v: v in geo.UA_REGIONS, _("There is no oblast “%(value)s”.")),
        "country": (
            lambda v: v.upper() in _country_codes(),
            _("There is no country “%(value)s”."),
        ),
        "stage": (lambda v: v in stages, _("No stage “%(value)s” at this seminar.")),
        "status": (lambda v: v in _STATUSES, _("There is no status “%(value)s”.")),
        "sort": (lambda v: v in SORTS, _("Tables cannot be sorted by “%(value)s”.")),
        "page": (
            lambda v: whole_number(v, low=1) is not None,
            _("There is no page “%(value)s”."),
        ),
    }
    found: dict[str, str] = {}
    problems: dict[str, str] = {}
    for name, (known, message) in checks.items():
        value = args.get(name, "").strip()
        if not value:
            continue
        if known(value):
            found[name] = value
        else:
            problems[name] = message % {"value": value[:40]}
    return Choice(
        oblast=found.get("oblast"),
        country=found["country"].upper() if "country" in found else None,
        stage=found.get("stage"),
        status=Status(found["status"]) if "status" in found else None,
        sort=found.get("sort", DEFAULT_SORT),
        page=int(found.get("page", 1)),
        problems=problems,
    )


@dataclass
class Shown:
    """The rows on this page, and where they sit among all the rows the filters keep."""

    rows: list[Row]
    matching: int
    first: int  # 1-based number of the first row shown (0 when none)
    page: int
    pages: int


@lru_cache(maxsize=8192)
def _name_key(text: str, lang: str) -> tuple[tuple[int, int], ...]:
    # The same few hundred names are sorted on every poll: their keys are worth keeping.
    return geo.sort_key(text, lang)


def label(row: Row, lang: str) -> str:
    """ "Ukrainian hospital — partner hospital" in the reader's language (the other if unnamed)."""
    t = row.table
    ua = (t.ua_name_uk if lang == "uk" else t.ua_name_en) or t.ua_name_en or t.ua_name_uk or ""
    partner = (t.partner_name_uk if lang == "uk" else t.partner_name_en) or t.partner_name_en
    return f"{ua} — {partner or t.partner_name_uk or ''}"


def _keeps(choice: Choice) -> Callable[[Row], bool]:
    def keep(row: Row) -> bool:
        if choice.oblast and row.table.region != choice.oblast:
            return False
        if choice.country and row.table.country != choice.country:
            return False
        if choice.stage and choice.stage not in row.cells:
            return False
        if choice.status is not None:
            cells = [row.cells[choice.stage]] if choice.stage else list(row.cells.values())
            return any(c.status is choice.status for c in cells)
        return True

    return keep


def _order(choice: Choice, lang: str) -> Callable[[Row], Any]:
    def name(row: Row) -> tuple[tuple[int, int], ...]:
        return _name_key(label(row, lang), lang)

    if choice.sort == "name":
        return name
    if choice.sort == "oblast":
        return lambda r: (_name_key(geo.region_name(r.table.region, lang), lang), name(r))
    if choice.sort == "country":
        return lambda r: (_name_key(geo.country_name(r.table.country, lang), lang), name(r))
    if choice.sort == "activity":  # newest first; tables with nothing saved last
        return lambda r: (-r.last_saved.timestamp() if r.last_saved else math.inf, name(r))
    return lambda r: (not r.stuck, not r.help, name(r))


def show(board: Board, choice: Choice, lang: str) -> Shown:
    """Filter, sort and cut out the page asked for (the last one if it asked beyond it)."""
    kept = sorted(filter(_keeps(choice), board.rows), key=_order(choice, lang))
    pages = max(1, math.ceil(len(kept) / PER_PAGE))
    page = min(choice.page, pages)
    start = (page - 1) * PER_PAGE
    rows = kept[start : start + PER_PAGE]
    return Shown(rows, len(kept), start + 1 if rows else 0, page, pages)


def oblast_options(board: Board, lang: str) -> list[tuple[str, str]]:
    """The oblasts of the seminar's Ukrainian hospitals, by name."""
    codes = {r.table.region for r in board.rows if r.table.region in geo.UA_REGIONS}
    named = [(code, geo.region_name(code, lang)) for code in codes if code]
    return sorted(named, key=lambda pair: _name_key(pair[1], lang))


def country_options(board: Board, lang: str) -> list[tuple[str, str]]:
    """The partner hospitals' countries, by name."""
    named = [(code, geo.country_name(code, lang)) for code in {r.table.country for r in board.rows}]
    return sorted(named, key=lambda pair: _name_key(pair[1], lang))
