"""Checking spreadsheet rows against the database and importing them all, or none."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from workshop import audit, geo
from workshop.extensions import db
from workshop.imports.reader import REQUIRED_COLUMNS, Sheet, SheetRow
from workshop.method.definition import CURRENT_VERSION
from workshop.models import UKRAINE, Account, ImportBatch, Institution, Partnership, Seminar, utcnow
from workshop.partnerships.forms import split_focus_areas

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
NAME_LIMIT = 300


def _parse_date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(text)


def _find_institution(country: str, name_en: str) -> Institution | None:
    return db.session.scalar(
        sa.select(Institution).where(
            Institution.country == country,
            sa.func.lower(Institution.name_en) == name_en.lower(),
        )
    )


def _check_row(row: SheetRow) -> dict[str, Any]:
    """Normalise one row's cells, adding an error for each cell that cannot be used."""
    cells = row.cells
    for column in REQUIRED_COLUMNS:
        if not cells.get(column):
            row.errors.append(str(_l("Column %(column)s is empty.", column=column)))
    for column in ("ua_name_uk", "ua_name_en", "partner_name_uk", "partner_name_en"):
        if len(cells.get(column, "")) > NAME_LIMIT:
            row.errors.append(str(_l("Column %(column)s is too long.", column=column)))
    oblast = geo.find_region(cells.get("ua_oblast", "")) if cells.get("ua_oblast") else None
    if cells.get("ua_oblast") and oblast is None:
        row.errors.append(
            str(_l("“%(value)s” is not an oblast of Ukraine.", value=cells["ua_oblast"]))
        )
    country = (
        geo.find_country(cells.get("partner_country", "")) if cells.get("partner_country") else None
    )
    if cells.get("partner_country") and country is None:
        row.errors.append(
            str(_l("“%(value)s” is not a country we know.", value=cells["partner_country"]))
        )
    if country == UKRAINE:
        row.errors.append(
            str(_l("The partner institution must be from another country than Ukraine."))
        )
    memorandum = None
    if cells.get("memorandum_date"):
        try:
            memorandum = _parse_date(cells["memorandum_date"])
        except ValueError:
            row.errors.append(
                str(
                    _l(
                        "“%(value)s” is not a date; write it as 2023-12-01.",
                        value=cells["memorandum_date"],
                    )
                )
            )
    return {
        "row": row.number,
        "ua": {
            "name_uk": cells.get("ua_name_uk", ""),
            "name_en": cells.get("ua_name_en", ""),
            "country": UKRAINE,
            "region": oblast,
            "city": cells.get("ua_city") or None,
            "profile": cells.get("ua_profile") or None,
        },
        "partner": {
            "name_uk": cells.get("partner_name_uk", ""),
            "name_en": cells.get("partner_name_en", ""),
            "country": country,
            "region": cells.get("partner_region") or None,
            "city": cells.get("partner_city") or None,
            "profile": cells.get("partner_profile") or None,
        },
        "memorandum_date": memorandum.isoformat() if memorandum else None,
        "focus_areas": split_focus_areas(cells.get("focus_areas")),
    }


def _check_pairs(rows: list[SheetRow], checked: list[dict[str, Any]]) -> None:
    """Refuse a pair that already exists, or that the file names twice."""
    first_seen: dict[tuple[str, str, str], int] = {}
    for row, item in zip(rows, checked, strict=True):
        if row.errors:
            continue
        key = (
            item["ua"]["name_en"].lower(),
            item["partner"]["country"],
            item["partner"]["name_en"].lower(),
        )
        if key in first_seen:
            row.errors.append(str(_l("The same partnership as row %(row)d.", row=first_seen[key])))
            continue
        first_seen[key] = row.number
        ua = _find_institution(UKRAINE, item["ua"]["name_en"])
        partner = _find_institution(item["partner"]["country"], item["partner"]["name_en"])
        item["ua"]["existing"] = ua is not None
        item["partner"]["existing"] = partner is not None
        if (
            ua
            and partner
            and db.session.scalar(
                sa.select(Partnership.id).where(
                    Partnership.ua_institution_id == ua.id,
                    Partnership.partner_institution_id == partner.id,
                )
            )
        ):
            row.errors.append(str(_l("These two institutions already have a partnership.")))


def check_sheet(sheet: Sheet) -> list[dict[str, Any]]:
    """Check every row; errors land on ``sheet.rows[i].errors``. Return the normalised rows."""
    checked = [_check_row(row) for row in sheet.rows]
    _check_pairs(sheet.rows, checked)
    return checked


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


def _institution(data: dict[str, Any]) -> Institution:
    found = _find_institution(data["country"], data["name_en"])
    if found is not None:
        return found
    institution = Institution(
        name_uk=data["name_uk"],
        name_en=data["name_en"],
        country=data["country"],
        region=data["region"],
        # A list names a city in whichever language its author wrote; keep it in that one.
        city_uk=data["city"] if _cyrillic(data["city"]) else None,
        city_en=None if _cyrillic(data["city"]) else data["city"],
        profile=data["profile"],
    )
    db.session.add(institution)
    db.session.flush()
    return institution


def apply_import(batch: ImportBatch, *, actor: Account) -> list[SheetRow]:
    """Import every row of ``batch``; return rows that became invalid meanwhile (then none is)."""
    rows = [SheetRow(number=item["row"], cells={}) for item in batch.rows]
    _check_pairs(
        rows,
        [dict(item, ua=dict(item["ua"]), partner=dict(item["partner"])) for item in batch.rows],
    )
    if any(row.errors for row in rows):
        return [row for row in rows if row.errors]
    seminar = db.session.get(Seminar, batch.seminar_id) if batch.seminar_id else None
    for item in batch.rows:
        memorandum = item["memorandum_date"]
        partnership = Partnership(
            ua_institution=_institution(item["ua"]),
            partner_institution=_institution(item["partner"]),
            memorandum_date=date.fromisoformat(memorandum) if memorandum else None,
            focus_areas=item["focus_areas"],
            method_version=CURRENT_VERSION,
        )
        if seminar is not None:
            partnership.seminars.append(seminar)
        db.session.add(partnership)
    batch.imported_at = utcnow()
    db.session.flush()
    audit.record("import_applied", actor=actor, obj=batch, rows=len(batch.rows))
    return []


def _cyrillic(text: str | None) -> bool:
    return bool(text) and any("\u0400" <= ch <= "\u04ff" for ch in text)  # type: ignore[union-attr]
