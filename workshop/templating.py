"""What every template can use: language helpers, display preferences, bilingual names."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, request
from flask_babel import format_date, format_datetime

from workshop import codes, geo
from workshop.config import LANGUAGES
from workshop.groupwork.answers import wire
from workshop.i18n import current_lang, localized
from workshop.prefs.display import DISPLAY_COOKIE, display_modes

LANGUAGE_NAMES = {"uk": "Українська", "en": "English"}


def _institution_place(institution: Any) -> str:
    lang = current_lang()
    city = localized(institution, "city")
    region = geo.region_name(institution.region, lang)
    if city and institution.region in geo.CITY_REGIONS:
        region = ""  # "Kyiv, Kyiv City" would say the city twice
    parts = [city, region, geo.country_name(institution.country, lang)]
    return ", ".join(p for p in parts if p)


def _date(value: date | None, style: str = "long") -> str:
    return format_date(value, format=style) if value else ""


def _moment(value: datetime) -> str:
    """A timestamp in Kyiv time, in the person's language."""
    return format_datetime(value, format="medium")


def _machine_time(value: datetime | date) -> str:
    """The ``datetime`` attribute: ISO to the second; HTML has no room for microseconds."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def _context() -> dict[str, Any]:
    return {
        "current_lang": current_lang(),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "display_modes": display_modes(request.cookies.get(DISPLAY_COOKIE)),
        "localized": localized,
        "place": _institution_place,
        "country_name": lambda code: geo.country_name(code, current_lang()),
    }


def init_app(app: Flask) -> None:
    app.context_processor(_context)
    app.jinja_env.filters["day"] = _date
    app.jinja_env.filters["code"] = codes.grouped
    app.jinja_env.filters["moment"] = _moment
    app.jinja_env.filters["machine_time"] = _machine_time
    # The wire format (answers.wire): templates name every answer field through these, and the
    # stage page hands ``wire_format`` to its script, so no field name is spelled twice.
    app.jinja_env.globals["new_row_id"] = wire.new_row_id
    app.jinja_env.globals["field_name"] = wire.field_name
    app.jinja_env.globals["version_name"] = wire.version_name
    app.jinja_env.globals["REMOVE"] = wire.REMOVE
    app.jinja_env.globals["wire_format"] = wire.for_page()
