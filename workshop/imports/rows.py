"""One row of an organiser's list: its cells read as places, names and dates, each cell that
cannot be used named with the reason. Institutions and pairs are matched later (services)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from workshop import geo
from workshop.i18n import current_lang
from workshop.imports.columns import REQUIRED_COLUMNS
from workshop.imports.names import has_cyrillic, script
from workshop.imports.reader import SheetRow
from workshop.models import UKRAINE
from workshop.partnerships.forms import split_focus_areas

# Day first: Ukrainian and European lists write 01.07.2025 and 01/07/2025 for the 1st of July.
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d.%m.%y")
LIMITS = {
    "ua_name_uk": 300,
    "ua_name_en": 300,
    "partner_name_uk": 300,
    "partner_name_en": 300,
    "ua_city": 120,
    "partner_city": 120,
    "partner_region": 120,
}


def refuse(row: SheetRow, column: str, message: object) -> None:
    """Note why ``column`` of ``row`` cannot be used; the page lists it under the row."""
    row.errors.append(str(_l("Column %(column)s: %(message)s", column=column, message=message)))


def parse_date(text: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(text)


def city(text: str | None) -> dict[str, str | None]:
    """A city in the language it was written in, and in both for a Ukrainian regional centre."""
    if not text:
        return {"city_uk": None, "city_en": None}
    known = geo.find_city(text)
    if known is not None:
        return {"city_uk": known[0], "city_en": known[1]}
    # A list names other places in whichever language its author wrote; keep that one.
    if script(text) == "uk":
        return {"city_uk": text, "city_en": None}
    return {"city_uk": None, "city_en": text}


def _check_cells(row: SheetRow) -> None:
    cells = row.cells
    for column in REQUIRED_COLUMNS:
        if not cells.get(column):
            refuse(row, column, _l("it is empty."))
    for column, limit in LIMITS.items():
        if len(cells.get(column, "")) > limit:
            refuse(
                row,
                column,
                ngettext(
                    "it is longer than %(num)d character.",
                    "it is longer than %(num)d characters.",
                    limit,
                ),
            )


def _region(row: SheetRow) -> tuple[str | None, list[str]]:
    """The oblast, or the regions an unclear name could mean (the organiser is asked)."""
    text = row.cells.get("ua_oblast", "")
    if not text:
        return None, []
    candidates = geo.region_candidates(text)
    if not candidates:
        refuse(
            row,
            "ua_oblast",
            _l(
                "“%(value)s” is not a region of Ukraine. Write an oblast (Львівська область, "
                "Lviv Oblast), Crimea, “м. Київ” or “м. Севастополь”.",
                value=text,
            ),
        )
        return None, []
    if len(candidates) == 1:
        return candidates[0], []
    return None, list(candidates)


def _country(row: SheetRow) -> str | None:
    text = row.cells.get("partner_country", "")
    if not text:
        return None
    country = geo.find_country(text)
    if country is None:
        refuse(
            row,
            "partner_country",
            _l(
                "“%(value)s” is not a country we know. Write its name (Germany, Німеччина) or "
                "its ISO code (DE).",
                value=text,
            ),
        )
    elif country == UKRAINE:
        refuse(
            row,
            "partner_country",
            _l(
                "the partner must be from another country than Ukraine; a Ukrainian hospital "
                "goes in the ua_ columns."
            ),
        )
    return country


def _ukrainian_side_is_in_ukraine(row: SheetRow) -> None:
    """Refuse a foreign hospital written as the Ukrainian side."""
    name_uk = row.cells.get("ua_name_uk", "")
    if name_uk and not has_cyrillic(name_uk):
        refuse(
            row,
            "ua_name_uk",
            _l(
                "“%(value)s” has no Ukrainian letters. This column holds the Ukrainian "
                "hospital's name in Ukrainian; a foreign hospital goes in the partner_ columns.",
                value=name_uk,
            ),
        )
    country = row.cells.get("ua_country", "")
    if country and geo.find_country(country) != UKRAINE:
        refuse(
            row,
            "ua_country",
            _l(
                "“%(value)s” is not Ukraine; the Ukrainian hospital must be in Ukraine, and a "
                "foreign one goes in the partner_ columns.",
                value=country,
            ),
        )
    for column in ("ua_city", "ua_name_en", "ua_name_uk"):
        abroad = [c for c in geo.countries_named_in(row.cells.get(column, "")) if c != UKRAINE]
        if abroad:
            refuse(
                row,
                column,
                _l(
                    "“%(value)s” names another country (%(country)s); the Ukrainian hospital "
                    "must be in Ukraine.",
                    value=row.cells[column],
                    country=", ".join(geo.country_name(c, current_lang()) for c in abroad),
                ),
            )


def _partner_is_abroad(row: SheetRow) -> None:
    text = row.cells.get("partner_city", "")
    if text and (geo.find_city(text) or UKRAINE in geo.countries_named_in(text)):
        refuse(
            row,
            "partner_city",
            _l(
                "“%(value)s” is in Ukraine; the partner must be from another country.",
                value=text,
            ),
        )


def _memorandum(row: SheetRow) -> str | None:
    text = row.cells.get("memorandum_date", "")
    if not text:
        return None
    try:
        return parse_date(text).isoformat()
    except ValueError:
        refuse(
            row,
            "memorandum_date",
            _l("“%(value)s” is not a date; write it as 01.12.2023 or 2023-12-01.", value=text),
        )
        return None


def check_row(row: SheetRow) -> dict[str, Any]:
    """The row as the import keeps it; every problem is added to ``row.errors``."""
    cells = row.cells
    _check_cells(row)
    region, ask = _region(row)
    country = _country(row)
    _ukrainian_side_is_in_ukraine(row)
    _partner_is_abroad(row)
    return {
        "row": row.number,
        "ua": {
            "name_uk": cells.get("ua_name_uk", ""),
            "name_en": cells.get("ua_name_en", ""),
            "country": UKRAINE,
            "region": region,
            **city(cells.get("ua_city")),
            "profile": cells.get("ua_profile") or None,
        },
        "partner": {
            "name_uk": cells.get("partner_name_uk") or None,
            "name_en": cells.get("partner_name_en", ""),
            "country": country,
            "region": cells.get("partner_region") or None,
            **city(cells.get("partner_city")),
            "profile": cells.get("partner_profile") or None,
        },
        "region_text": cells.get("ua_oblast", ""),
        "ask_region": ask,
        "memorandum_date": _memorandum(row),
        "focus_areas": split_focus_areas(cells.get("focus_areas")),
    }
