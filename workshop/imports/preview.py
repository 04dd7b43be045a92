"""What the check page shows for each row of a staged import: what becomes of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from workshop import geo
from workshop.extensions import db
from workshop.imports.services import EXISTS, REPEAT, region_field
from workshop.models import ImportBatch, Institution


@dataclass(frozen=True)
class SideView:
    """One side of a row as written, and the institution it matched, if one exists."""

    name_uk: str | None
    name_en: str
    country: str
    stored: Institution | None  # the existing institution the names matched
    first_row: int | None  # for a new institution named earlier in the file: that row

    @property
    def written_differently(self) -> bool:
        """Whether the file spells an existing institution otherwise than it is stored."""
        if self.stored is None:
            return False
        return (self.name_en != self.stored.name_en) or bool(
            self.name_uk and self.name_uk != self.stored.name_uk
        )


@dataclass(frozen=True)
class Question:
    """Which region a row means, when what it wrote could be more than one."""

    field: str
    written: str
    choices: list[tuple[str, str]]
    chosen: str | None
    error: str | None


@dataclass(frozen=True)
class PreviewRow:
    number: int
    ua: SideView
    partner: SideView
    region: str  # a new Ukrainian institution's region, named, when the row makes it clear
    memorandum: date | None
    focus_areas: list[str]
    skip: str | None  # REPEAT or EXISTS: flagged, and not imported
    same_as: int | None
    question: Question | None

    @property
    def repeats_a_row(self) -> bool:
        return self.skip == REPEAT

    @property
    def already_exists(self) -> bool:
        return self.skip == EXISTS


def _side(side: Mapping[str, Any], row: int) -> SideView:
    stored = db.session.get(Institution, side["id"]) if side.get("id") else None
    first = side.get("first_row")
    return SideView(
        name_uk=side.get("name_uk") or None,
        name_en=side["name_en"],
        country=side["country"],
        stored=stored,
        first_row=first if first not in (None, row) else None,
    )


def _question(
    plan: Mapping[str, Any], lang: str, answers: Mapping[int, str], errors: Mapping[int, str]
) -> Question | None:
    if not plan.get("ask_region"):
        return None
    return Question(
        field=region_field(plan),
        written=plan["region_text"],
        choices=[(code, geo.region_name(code, lang)) for code in plan["ask_region"]],
        chosen=answers.get(plan["row"]),
        error=errors.get(plan["row"]),
    )


def preview_rows(
    batch: ImportBatch,
    lang: str,
    answers: Mapping[int, str] | None = None,
    errors: Mapping[int, str] | None = None,
) -> list[PreviewRow]:
    rows = []
    for plan in batch.rows:
        memorandum = plan.get("memorandum_date")
        rows.append(
            PreviewRow(
                number=plan["row"],
                ua=_side(plan["ua"], plan["row"]),
                partner=_side(plan["partner"], plan["row"]),
                region=geo.region_name(plan["ua"].get("region"), lang),
                memorandum=date.fromisoformat(memorandum) if memorandum else None,
                focus_areas=plan["focus_areas"],
                skip=plan.get("skip"),
                same_as=plan.get("same_as"),
                question=_question(plan, lang, answers or {}, errors or {}),
            )
        )
    return rows
