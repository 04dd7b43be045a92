"""What every template can use: language helpers, display preferences, bilingual names."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel import dates
from flask import Flask, request
from flask_babel import to_user_timezone

from workshop import codes, geo
from workshop.config import LANGUAGES
from workshop.groupwork.answers import wire
from workshop.i18n import current_lang, localized
from workshop.method import scale
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


# The conventions dates are written in, per language. English pages put the day first
# ("15 January 2024", 24-hour times): the partners are European hospitals, and "1/2/2024"
# must never read as a different day to them than to the Ukrainian side.
_FORMATS = {"uk": "uk", "en": "en_GB"}


def _date(value: date | str | None, style: str = "long") -> str:
    """A date as the reader's language writes it ("15 січня 2024 р."). Takes a stored answer's
    ISO text too; text that is no date is shown as it is rather than hidden."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if not value:
        return ""
    if isinstance(value, datetime):  # a moment falls on the day it is in Kyiv
        value = to_user_timezone(value).date()
    return dates.format_date(value, format=style, locale=_FORMATS.get(current_lang(), "uk"))


def _moment(value: datetime) -> str:
    """A timestamp in Kyiv time, in the person's language."""
    return dates.format_datetime(
        to_user_timezone(value), format="medium", locale=_FORMATS.get(current_lang(), "uk")
    )


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
    # The 0–3 status scale: options, answers and hints say it with the same words.
    app.jinja_env.globals["status_labels"] = scale.labels
    app.jinja_env.globals["uses_scale"] = scale.uses_scale
    app.jinja_env.globals["scale_hint"] = scale.hint
