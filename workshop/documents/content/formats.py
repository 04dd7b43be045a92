"""Dates, moments, numbers and bilingual names written the way the document's language does.

The web pages format for the reader's language through Flask-Babel's current locale
(``templating``); a document names its language explicitly, because one render may make the
Ukrainian and the English document side by side.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates, numbers

# As on the web pages (templating._FORMATS): English is written the British way, day first, so
# "1/2/2024" never reads as a different day to the partner hospital than to the Ukrainian one.
LOCALES = {"uk": "uk", "en": "en_GB"}
# Signatures and versions are stamped in UTC and shown in Kyiv time, as everywhere in the app.
KYIV = ZoneInfo("Europe/Kyiv")


def other(lang: str) -> str:
    return "en" if lang == "uk" else "uk"


def locale(lang: str) -> str:
    return LOCALES.get(lang, "uk")


def parse_day(value: Any) -> date | None:
    """A stored ISO date, or None for anything else (missing, or text that is no date)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def day(value: Any, lang: str, style: str = "long") -> str:
    """A date as the language writes it ("15 січня 2024 р.", "15 January 2024"); text that is
    no date is shown as it is rather than hidden; nothing gives ""."""
    parsed = parse_day(value)
    if parsed is None:
        return "" if value is None else str(value)
    return dates.format_date(parsed, format=style, locale=locale(lang))


def moment(value: datetime, lang: str) -> str:
    """A UTC timestamp in Kyiv time, with the zone named (a printout leaves the country)."""
    return dates.format_datetime(
        value, format="d MMMM y, HH:mm zzz", tzinfo=KYIV, locale=locale(lang)
    )


def kyiv_day(moment: datetime) -> date:
    """The day a UTC moment falls on in Kyiv (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(KYIV).date()


def number(value: Any, lang: str) -> str:
    """A number with the language's decimal sign and grouping ("1 234,5" / "1,234.5")."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    return numbers.format_decimal(value, locale=locale(lang))


def localized(record: Mapping[str, Any], field: str, lang: str) -> str:
    """``field_uk`` or ``field_en`` for the language, falling back to the other one (the rule
    of ``i18n.localized``, for plain data and a language named explicitly)."""
    return str(record.get(f"{field}_{lang}") or record.get(f"{field}_{other(lang)}") or "")
