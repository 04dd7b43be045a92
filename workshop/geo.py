"""Ukraine's regions (ISO 3166-2) in both languages, and country names from the CLDR via Babel."""

from __future__ import annotations

from babel import Locale

# code: (Ukrainian, English)
UA_REGIONS: dict[str, tuple[str, str]] = {
    "UA-05": ("Вінницька область", "Vinnytsia Oblast"),
    "UA-07": ("Волинська область", "Volyn Oblast"),
    "UA-12": ("Дніпропетровська область", "Dnipropetrovsk Oblast"),
    "UA-14": ("Донецька область", "Donetsk Oblast"),
    "UA-18": ("Житомирська область", "Zhytomyr Oblast"),
    "UA-21": ("Закарпатська область", "Zakarpattia Oblast"),
    "UA-23": ("Запорізька область", "Zaporizhzhia Oblast"),
    "UA-26": ("Івано-Франківська область", "Ivano-Frankivsk Oblast"),
    "UA-30": ("Київ", "Kyiv City"),
    "UA-32": ("Київська область", "Kyiv Oblast"),
    "UA-35": ("Кіровоградська область", "Kirovohrad Oblast"),
    "UA-09": ("Луганська область", "Luhansk Oblast"),
    "UA-46": ("Львівська область", "Lviv Oblast"),
    "UA-48": ("Миколаївська область", "Mykolaiv Oblast"),
    "UA-51": ("Одеська область", "Odesa Oblast"),
    "UA-53": ("Полтавська область", "Poltava Oblast"),
    "UA-56": ("Рівненська область", "Rivne Oblast"),
    "UA-59": ("Сумська область", "Sumy Oblast"),
    "UA-61": ("Тернопільська область", "Ternopil Oblast"),
    "UA-63": ("Харківська область", "Kharkiv Oblast"),
    "UA-65": ("Херсонська область", "Kherson Oblast"),
    "UA-68": ("Хмельницька область", "Khmelnytskyi Oblast"),
    "UA-71": ("Черкаська область", "Cherkasy Oblast"),
    "UA-73": ("Чернівецька область", "Chernivtsi Oblast"),
    "UA-74": ("Чернігівська область", "Chernihiv Oblast"),
    "UA-43": ("Автономна Республіка Крим", "Autonomous Republic of Crimea"),
    "UA-40": ("Севастополь", "Sevastopol"),
}

# Cities with the status of a region: naming both the city and the region repeats it.
CITY_REGIONS = {"UA-30", "UA-40"}


def region_name(code: str | None, lang: str) -> str:
    """Name a Ukrainian region in the language, or return free text from abroad as typed."""
    if not code:
        return ""
    names = UA_REGIONS.get(code)
    if names is None:
        return code
    return names[0] if lang == "uk" else names[1]


def region_choices(lang: str) -> list[tuple[str, str]]:
    return sorted(((c, region_name(c, lang)) for c in UA_REGIONS), key=lambda pair: pair[1])


def find_region(text: str) -> str | None:
    """Match a code or a name in either language ("Lviv", "Львівська область", "UA-46")."""
    wanted = text.strip().casefold()
    for code, (uk, en) in UA_REGIONS.items():
        names = {code.casefold(), uk.casefold(), en.casefold()}
        short = {n.replace(" oblast", "").replace(" область", "") for n in names}
        if wanted in names | short:
            return code
    return None


def _territories(lang: str) -> dict[str, str]:
    return {
        code: name
        for code, name in Locale.parse(lang).territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "QO"}
    }


def country_name(code: str, lang: str) -> str:
    return _territories(lang).get(code, code)


def country_choices(lang: str) -> list[tuple[str, str]]:
    return sorted(_territories(lang).items(), key=lambda pair: pair[1])


def find_country(text: str) -> str | None:
    """Match an ISO code or a country name in Ukrainian or English."""
    wanted = text.strip().casefold()
    if len(wanted) == 2 and wanted.upper() in _territories("en"):
        return wanted.upper()
    for lang in ("en", "uk"):
        for code, name in _territories(lang).items():
            if name.casefold() == wanted:
                return code
    return None
