"""Checking a list against the database and importing it: every row right, or nothing.

A row naming a pair that already exists, or that an earlier row names, is flagged and left
out rather than refused: lists are sent again with a few rows added. A region only the
organiser can tell ("Київ": city or oblast?) is asked on the check page before anything is
imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from workshop import audit, geo
from workshop.extensions import db
from workshop.i18n import current_lang
from workshop.imports.matching import Known, Registry
from workshop.imports.reader import Sheet, SheetRow
from workshop.imports.rows import check_row, refuse
from workshop.method.definition import CURRENT_VERSION
from workshop.models import UKRAINE, Account, ImportBatch, Institution, Partnership, Seminar, utcnow

REPEAT = "repeat"  # an earlier row of the file names the same pair
EXISTS = "exists"  # the pair is already a partnership


def _existing_pairs() -> set[tuple[int, int]]:
    rows = db.session.execute(
        sa.select(Partnership.ua_institution_id, Partnership.partner_institution_id)
    )
    return {(ua, partner) for ua, partner in rows}


def _countries(codes: set[str]) -> str:
    return ", ".join(sorted(geo.country_name(c, current_lang()) for c in codes))


def _match_ukrainian(row: SheetRow, side: dict[str, Any], registry: Registry) -> None:
    found = registry.find(UKRAINE, side["name_en"], side["name_uk"])
    if found is None:
        abroad = registry.countries_of(side["name_en"], side["name_uk"]) - {UKRAINE}
        if abroad:
            refuse(
                row,
                "ua_name_en",
                _l(
                    "“%(value)s” is a hospital in %(country)s in the workshop or in this file; "
                    "the Ukrainian side must be in Ukraine.",
                    value=side["name_en"] or side["name_uk"],
                    country=_countries(abroad),
                ),
            )
            return
        found = Known(country=UKRAINE, row=row.number)
        registry.add(found, side["name_en"], side["name_uk"])
    side["id"], side["first_row"] = found.id, found.row


def _match_partner(row: SheetRow, side: dict[str, Any], registry: Registry) -> None:
    country = side["country"]
    if not country or country == UKRAINE:
        return
    found = registry.find(country, side["name_en"], side["name_uk"])
    if found is None:
        if UKRAINE in registry.countries_of(side["name_en"], side["name_uk"]):
            refuse(
                row,
                "partner_name_en",
                _l(
                    "“%(value)s” is a Ukrainian hospital in the workshop or in this file; the "
                    "partner must be from another country.",
                    value=side["name_en"],
                ),
            )
            return
        found = Known(country=country, row=row.number)
        registry.add(found, side["name_en"], side["name_uk"])
    side["id"], side["first_row"] = found.id, found.row


def _settle_regions(rows: list[SheetRow], plans: list[dict[str, Any]]) -> None:
    """One region per new Ukrainian institution, however many rows name it; ask if unclear."""
    groups: dict[int, list[tuple[SheetRow, dict[str, Any]]]] = {}
    for row, plan in zip(rows, plans, strict=True):
        if plan["ua"].get("first_row") is None:  # in the database: its region stands
            plan["ask_region"] = []
            continue
        groups.setdefault(plan["ua"]["first_row"], []).append((row, plan))
    for group in groups.values():
        agreed: set[str] = set()  # the regions every row so far allows
        said: tuple[int, str] | None = None  # the first row to give one, and how it wrote it
        for row, plan in group:
            allows = {plan["ua"]["region"]} if plan["ua"]["region"] else set(plan["ask_region"])
            if not allows:
                continue
            if said is None:
                agreed, said = allows, (row.number, plan["region_text"])
            elif agreed & allows:
                agreed &= allows
            else:
                refuse(
                    row,
                    "ua_oblast",
                    _l(
                        "“%(value)s” is another region than row %(row)d gives for the same "
                        "hospital (“%(first)s”).",
                        value=plan["region_text"],
                        row=said[0],
                        first=said[1],
                    ),
                )
        for _row, plan in group:
            plan["ua"]["region"] = next(iter(agreed)) if len(agreed) == 1 else None
            plan["ask_region"] = []
        group[0][1]["ask_region"] = sorted(agreed) if len(agreed) > 1 else []


def _flag_repeats(plans: list[dict[str, Any]]) -> None:
    existing = _existing_pairs()
    seen: dict[tuple[object, object], int] = {}
    for plan in plans:
        ua, partner = plan["ua"], plan["partner"]
        plan["skip"], plan["same_as"] = None, None
        if "first_row" not in ua or "first_row" not in partner:
            continue  # a side that could not be matched: the row is refused anyway
        pair = ((ua["id"], ua["first_row"]), (partner["id"], partner["first_row"]))
        if pair in seen:
            plan["skip"], plan["same_as"] = REPEAT, seen[pair]
        elif (ua["id"], partner["id"]) in existing:
            plan["skip"] = EXISTS
        else:
            seen[pair] = plan["row"]


def check_sheet(sheet: Sheet) -> list[dict[str, Any]]:
    """Check every row; errors land on ``sheet.rows[i].errors``. Return the rows as planned."""
    plans = [check_row(row) for row in sheet.rows]
    registry = Registry.from_database()
    for row, plan in zip(sheet.rows, plans, strict=True):
        _match_ukrainian(row, plan["ua"], registry)
        _match_partner(row, plan["partner"], registry)
    _settle_regions(sheet.rows, plans)
    _flag_repeats(plans)
    return plans


def has_errors(sheet: Sheet) -> bool:
    return bool(sheet.problems) or any(row.errors for row in sheet.rows)


def stage_import(
    checked: list[dict[str, Any]], *, filename: str, seminar: Seminar | None, actor: Account
) -> ImportBatch:
    """Keep a fully valid file's rows until its uploader confirms them."""
    batch = ImportBatch(
        created_by_id=actor.id,
        filename=filename[:255],
        rows=checked,
        seminar_id=seminar.id if seminar else None,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def to_import(batch: ImportBatch) -> list[dict[str, Any]]:
    """The rows confirming creates: not those flagged as repeats or existing partnerships."""
    return [plan for plan in batch.rows if not plan.get("skip")]


def region_field(plan: Mapping[str, Any]) -> str:
    """The name of the check page's field answering a row's question about its region."""
    return f"region-{plan['row']}"


def read_answers(
    batch: ImportBatch, form: Mapping[str, str]
) -> tuple[dict[int, str], dict[int, str]]:
    """The organiser's answers to the check page's questions, and what is still unanswered."""
    answers, missing = {}, {}
    for plan in batch.rows:
        if not plan.get("ask_region"):
            continue
        chosen = form.get(region_field(plan), "")
        if chosen in plan["ask_region"]:
            answers[plan["row"]] = chosen
        else:
            missing[plan["row"]] = str(
                _l("Choose which region row %(row)d means.", row=plan["row"])
            )
    return answers, missing


def _find(side: dict[str, Any], registry: Registry) -> Institution | None:
    """The institution a side matched when checked, or one of that name created since."""
    found = db.session.get(Institution, side["id"]) if side.get("id") else None
    if found is None:
        known = registry.find(side["country"], side["name_en"], side["name_uk"])
        found = db.session.get(Institution, known.id) if known and known.id else None
    return found


def _create(side: dict[str, Any], region: str | None) -> Institution:
    institution = Institution(
        name_uk=side["name_uk"] or None,
        name_en=side["name_en"],
        country=side["country"],
        region=region,
        city_uk=side.get("city_uk"),
        city_en=side.get("city_en"),
        profile=side["profile"],
    )
    db.session.add(institution)
    db.session.flush()
    return institution


def apply_import(
    batch: ImportBatch, *, answers: Mapping[int, str], actor: Account
) -> list[SheetRow]:
    """Import ``batch``'s rows; return rows that became invalid meanwhile (then none is)."""
    registry = Registry.from_database()
    existing = _existing_pairs()
    plans = to_import(batch)
    stale = []
    for plan in plans:
        ua, partner = _find(plan["ua"], registry), _find(plan["partner"], registry)
        if ua is not None and partner is not None and (ua.id, partner.id) in existing:
            row = SheetRow(number=plan["row"], cells={})
            row.errors.append(str(_l("These two institutions already have a partnership.")))
            stale.append(row)
    if stale:
        return stale
    seminar = db.session.get(Seminar, batch.seminar_id) if batch.seminar_id else None
    # New institutions by the row that first names them (or minus the id of one deleted since).
    created: dict[tuple[str, int], Institution] = {}

    def institution(side: dict[str, Any], kind: str, row: int) -> Institution:
        first = side.get("first_row") or (-side["id"] if side.get("id") else row)
        found = _find(side, registry) or created.get((kind, first))
        if found is None:
            region = side["region"] or answers.get(first)
            found = created[(kind, first)] = _create(side, region)
        return found

    for plan in plans:
        memorandum = plan["memorandum_date"]
        partnership = Partnership(
            ua_institution=institution(plan["ua"], "ua", plan["row"]),
            partner_institution=institution(plan["partner"], "partner", plan["row"]),
            memorandum_date=date.fromisoformat(memorandum) if memorandum else None,
            focus_areas=plan["focus_areas"],
            method_version=CURRENT_VERSION,
        )
        if seminar is not None:
            partnership.seminars.append(seminar)
        db.session.add(partnership)
    batch.imported_at = utcnow()
    db.session.flush()
    audit.record("import_applied", actor=actor, obj=batch, rows=len(plans))
    return []
