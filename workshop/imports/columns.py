"""The columns of an organiser's list, explained once: the import page, the downloadable
template and the check all read this table (docs/import.md says the same for people)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Column:
    key: str
    required: bool
    meaning: LazyString
    example: str | date = ""
    forms: LazyString | None = None  # the written forms it accepts, where there is a choice


COLUMNS: tuple[Column, ...] = (
    Column(
        "ua_name_uk",
        True,
        _l("The Ukrainian hospital's name in Ukrainian."),
        "Національна дитяча спеціалізована лікарня «Охматдит»",
    ),
    Column(
        "ua_name_en",
        True,
        _l(
            "Its name in English. A hospital already in the workshop is found by its name in "
            "either language, whatever quotes, apostrophes, dashes, spaces or capitals the "
            "list uses."
        ),
        "Okhmatdyt National Specialized Children's Hospital",
    ),
    Column(
        "ua_oblast",
        True,
        _l(
            "The Ukrainian hospital's region: an oblast, Crimea, or the city of Kyiv or Sevastopol."
        ),
        "м. Київ",
        _l(
            "In Ukrainian or English, with or without the word for oblast: Львівська область, "
            "Львівська обл., Lviv Oblast, Lvivska oblast, Lviv region, Львів, or the code UA-46. "
            "For Kyiv write “м. Київ” (the city) or “Київська область” (the oblast): a bare "
            "“Київ” is asked about before anything is imported."
        ),
    ),
    Column(
        "ua_city",
        False,
        _l("Its city or town, in either language (regional centres are known in both)."),
        "Київ",
    ),
    Column(
        "ua_country",
        False,
        _l("The Ukrainian hospital's country, if your list has such a column: Ukraine."),
        "Україна",
    ),
    Column("ua_profile", False, _l("What the hospital is: type, beds, main departments.")),
    Column(
        "partner_name_uk",
        False,
        _l(
            "The partner's name in Ukrainian, if you know it; pages show the English one otherwise."
        ),
        "Каролінська університетська лікарня",
    ),
    Column(
        "partner_name_en",
        True,
        _l("The partner's name in English, or in its own language in Latin letters."),
        "Karolinska University Hospital",
    ),
    Column(
        "partner_country",
        True,
        _l("The partner's country: not Ukraine."),
        "Sweden",
        _l(
            "Its name in Ukrainian or English, official or everyday (Німеччина, Germany, UK, "
            "USA, Czech Republic, Чехія, Holland, Нідерланди), or its two- or three-letter ISO "
            "code (DE, DEU)."
        ),
    ),
    Column("partner_region", False, _l("The partner's state, county or region."), "Stockholm"),
    Column("partner_city", False, _l("The partner's city, in either language."), "Stockholm"),
    Column("partner_profile", False, _l("What the partner hospital is.")),
    Column(
        "memorandum_date",
        False,
        _l("When the partners signed their memorandum."),
        date(2023, 12, 1),
        _l("2023-12-01, 01.12.2023, 1.12.2023 or 01/12/2023 (day first), or a date cell in Excel."),
    ),
    Column(
        "focus_areas",
        False,
        _l("What the partnership works on."),
        "paediatric cardiology; neonatology",
        _l("Separated by semicolons or commas."),
    ),
)

REQUIRED_COLUMNS = tuple(c.key for c in COLUMNS if c.required)
ALL_COLUMNS = tuple(c.key for c in COLUMNS)
