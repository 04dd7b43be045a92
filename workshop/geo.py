"""Places in both languages: Ukraine's regions (ISO 3166-2) and the world's countries (CLDR via
Babel), found however an organiser writes them, and listed in each language's alphabetical order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from babel import Locale
from babel.core import get_global

from workshop.imports.names import name_key


@dataclass(frozen=True)
class Region:
    uk: str  # the official name
    en: str
    centre_uk: str  # its administrative centre, which people often write for the region
    centre_en: str
    # Other names people write, in either language, without "область"/"Oblast"/"м." (those are
    # understood anyway) and without transliterations of the Ukrainian ones (made below).
    other: tuple[str, ...] = ()
    city: bool = False  # a city with the status of a region (Kyiv, Sevastopol)


# The 27 regions of ISO 3166-2:UA: 24 oblasts, Crimea and the two cities with special status.
UA_REGIONS: dict[str, Region] = {
    "UA-05": Region(
        "Вінницька область", "Vinnytsia Oblast", "Вінниця", "Vinnytsia",
        ("Вінниччина", "Vinnitsa", "Vinnytsya"),
    ),
    "UA-07": Region(
        "Волинська область", "Volyn Oblast", "Луцьк", "Lutsk",
        ("Волинь", "Volhynia"),
    ),
    "UA-12": Region(
        "Дніпропетровська область", "Dnipropetrovsk Oblast", "Дніпро", "Dnipro",
        ("Дніпропетровщина", "Січеславська", "Січеславщина", "Dnepropetrovsk", "Dnepr"),
    ),
    "UA-14": Region(
        "Донецька область", "Donetsk Oblast", "Донецьк", "Donetsk",
        ("Донеччина",),
    ),
    "UA-18": Region(
        "Житомирська область", "Zhytomyr Oblast", "Житомир", "Zhytomyr",
        ("Житомирщина", "Zhitomir"),
    ),
    "UA-21": Region(
        "Закарпатська область", "Zakarpattia Oblast", "Ужгород", "Uzhhorod",
        ("Закарпаття", "Transcarpathia", "Transcarpathian", "Zakarpattya", "Uzhgorod"),
    ),
    "UA-23": Region(
        "Запорізька область", "Zaporizhzhia Oblast", "Запоріжжя", "Zaporizhzhia",
        ("Zaporizhia", "Zaporizhzhya", "Zaporozhye", "Zaporozhie"),
    ),
    "UA-26": Region(
        "Івано-Франківська область", "Ivano-Frankivsk Oblast",
        "Івано-Франківськ", "Ivano-Frankivsk",
        ("Івано-Франківщина", "Прикарпаття", "Prykarpattia", "Ivano-Frankovsk"),
    ),
    "UA-30": Region(
        "Київ", "Kyiv City", "Київ", "Kyiv",
        ("Kiev",),
        city=True,
    ),
    "UA-32": Region(
        "Київська область", "Kyiv Oblast", "Київ", "Kyiv",
        ("Київщина", "Kiev"),
    ),
    "UA-35": Region(
        "Кіровоградська область", "Kirovohrad Oblast", "Кропивницький", "Kropyvnytskyi",
        ("Кіровоградщина", "Кропивницька", "Kirovograd", "Kropyvnytskyy", "Kropivnitsky"),
    ),
    "UA-09": Region(
        "Луганська область", "Luhansk Oblast", "Луганськ", "Luhansk",
        ("Луганщина", "Lugansk"),
    ),
    "UA-46": Region(
        "Львівська область", "Lviv Oblast", "Львів", "Lviv",
        ("Львівщина", "Lvov"),
    ),
    "UA-48": Region(
        "Миколаївська область", "Mykolaiv Oblast", "Миколаїв", "Mykolaiv",
        ("Миколаївщина", "Mykolayiv", "Mykolayivska", "Nikolaev", "Nikolayev"),
    ),
    "UA-51": Region(
        "Одеська область", "Odesa Oblast", "Одеса", "Odesa",
        ("Одещина", "Odessa", "Odesska"),
    ),
    "UA-53": Region(
        "Полтавська область", "Poltava Oblast", "Полтава", "Poltava",
        ("Полтавщина",),
    ),
    "UA-56": Region(
        "Рівненська область", "Rivne Oblast", "Рівне", "Rivne",
        ("Рівненщина", "Rovno"),
    ),
    "UA-59": Region(
        "Сумська область", "Sumy Oblast", "Суми", "Sumy",
        ("Сумщина",),
    ),
    "UA-61": Region(
        "Тернопільська область", "Ternopil Oblast", "Тернопіль", "Ternopil",
        ("Тернопільщина", "Ternopol"),
    ),
    "UA-63": Region(
        "Харківська область", "Kharkiv Oblast", "Харків", "Kharkiv",
        ("Харківщина", "Kharkov"),
    ),
    "UA-65": Region(
        "Херсонська область", "Kherson Oblast", "Херсон", "Kherson",
        ("Херсонщина",),
    ),
    "UA-68": Region(
        "Хмельницька область", "Khmelnytskyi Oblast", "Хмельницький", "Khmelnytskyi",
        ("Хмельниччина", "Khmelnytsky", "Khmelnytskyy", "Khmelnitsky", "Khmelnitskiy"),
    ),
    "UA-71": Region(
        "Черкаська область", "Cherkasy Oblast", "Черкаси", "Cherkasy",
        ("Черкащина", "Cherkassy"),
    ),
    "UA-73": Region(
        "Чернівецька область", "Chernivtsi Oblast", "Чернівці", "Chernivtsi",
        ("Буковина", "Bukovyna", "Bukovina", "Chernovtsy"),
    ),
    "UA-74": Region(
        "Чернігівська область", "Chernihiv Oblast", "Чернігів", "Chernihiv",
        ("Чернігівщина", "Chernigov"),
    ),
    "UA-43": Region(
        "Автономна Республіка Крим", "Autonomous Republic of Crimea", "Сімферополь", "Simferopol",
        (
            "Крим", "АР Крим", "АРК", "Республіка Крим", "Crimea", "AR Crimea", "ARC",
            "Republic of Crimea",
        ),
    ),
    "UA-40": Region(
        "Севастополь", "Sevastopol", "Севастополь", "Sevastopol",
        ("Sebastopol",),
        city=True,
    ),
}  # fmt: skip

# Cities with the status of a region: naming both the city and the region repeats it.
CITY_REGIONS = {code for code, region in UA_REGIONS.items() if region.city}

# Words around a region's name that say which kind of region is meant. Checked on the key
# (lower case, dots and hyphens as spaces), at the start or the end of what was written.
CITY_BEFORE = (("м",), ("місто",), ("m",), ("misto",), ("city", "of"), ("the", "city", "of"))
CITY_AFTER = (("м",), ("місто",), ("city",))
OBLAST_AFTER = (("область",), ("обл",), ("oblast",), ("obl",), ("region",), ("province",))
TRAILING_COUNTRY = (("україна",), ("ukraine",))
_ISO_REGION = re.compile(r"ua ?(\d\d)")

# Ukraine's official transliteration (Cabinet of Ministers resolution 55, 2010): the Latin
# forms organisers write ("Lvivska oblast") come from the table's Cyrillic names.
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "",
}  # fmt: skip
_TRANSLIT_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def transliterate(text: str) -> str:
    """Lower-case Ukrainian ``text`` in Latin letters, the official way; other letters stay."""
    words = []
    for word in text.lower().replace("зг", "zgh").split(" "):
        first = _TRANSLIT_INITIAL.get(word[:1], _TRANSLIT.get(word[:1], word[:1]))
        words.append(first + "".join(_TRANSLIT.get(ch, ch) for ch in word[1:]))
    return " ".join(words)


def _key(text: str) -> str:
    """A place name as compared: like a person's reading, and blind to dots, hyphens, commas
    and apostrophes ("Kyivs'ka", "м.Київ", "Ivano Frankivsk")."""
    folded = name_key(text).replace("'", "")
    return " ".join(re.sub(r"[.,;:()/\\\-]", " ", folded).split())


def _strip(words: list[str], ends: tuple[tuple[str, ...], ...], *, at_end: bool) -> bool:
    for end in ends:
        n = len(end)
        if len(words) > n and tuple(words[-n:] if at_end else words[:n]) == end:
            if at_end:
                del words[-n:]
            else:
                del words[:n]
            return True
    return False


def _without_suffix(name: str) -> str:
    """ "Львівська область" → "львівська", "Lviv Oblast" → "lviv", "Kyiv City" → "kyiv"."""
    words = _key(name).split()
    _strip(words, OBLAST_AFTER + CITY_AFTER, at_end=True)
    return " ".join(words)


def _region_names(region: Region) -> set[str]:
    names = {
        _without_suffix(n)
        for n in (region.uk, region.en, region.centre_uk, region.centre_en, *region.other)
    }
    return names | {transliterate(n) for n in names}


@cache
def _region_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for code, region in UA_REGIONS.items():
        for name in _region_names(region):
            index[name] = (*index.get(name, ()), code)
    return index


def region_candidates(text: str) -> tuple[str, ...]:
    """Every region ``text`` may mean: none when it names no region of Ukraine, one when it is
    clear, more when only the writer knows ("Київ": the city, or the oblast around it?)."""
    words = _key(text).split()
    _strip(words, TRAILING_COUNTRY, at_end=True)
    code = _ISO_REGION.fullmatch(" ".join(words))
    if code:
        found = f"UA-{code.group(1)}"
        return (found,) if found in UA_REGIONS else ()
    kind = None
    if _strip(words, CITY_BEFORE, at_end=False) or _strip(words, CITY_AFTER, at_end=True):
        kind = "city"
    elif _strip(words, OBLAST_AFTER, at_end=True):
        kind = "oblast"
    candidates = _region_index().get(" ".join(words), ())
    if len(candidates) > 1 and kind is not None:
        narrowed = tuple(c for c in candidates if UA_REGIONS[c].city == (kind == "city"))
        return narrowed or candidates
    return candidates


def find_region(text: str) -> str | None:
    """The one region ``text`` names ("Lviv", "Львівська обл.", "UA-46"); None if unknown or
    if it could be more than one."""
    candidates = region_candidates(text)
    return candidates[0] if len(candidates) == 1 else None


@cache
def _centre_index() -> dict[str, tuple[str, str]]:
    index = {}
    for region in UA_REGIONS.values():
        for name in (region.centre_uk, region.centre_en):
            index[_key(name)] = (region.centre_uk, region.centre_en)
        index[transliterate(_key(region.centre_uk))] = (region.centre_uk, region.centre_en)
    return index


def find_city(text: str) -> tuple[str, str] | None:
    """(Ukrainian, English) names of a regional centre written in either language ("м. Львів")."""
    words = _key(text).split()
    if not _strip(words, CITY_BEFORE, at_end=False):
        _strip(words, CITY_AFTER, at_end=True)
    return _centre_index().get(" ".join(words))


def region_name(code: str | None, lang: str) -> str:
    """Name a Ukrainian region in the language, or return free text from abroad as typed."""
    if not code:
        return ""
    region = UA_REGIONS.get(code)
    if region is None:
        return code
    return region.uk if lang == "uk" else region.en


def region_choices(lang: str) -> list[tuple[str, str]]:
    return sorted(
        ((c, region_name(c, lang)) for c in UA_REGIONS), key=lambda pair: sort_key(pair[1], lang)
    )


# Two-letter codes in the CLDR that are no country a hospital can be in.
NOT_COUNTRIES = frozenset(
    {
        "XA", "XB",  # pseudo-locales for testing software ("Pseudo-Accents")
        "EU", "EZ", "UN",  # unions and organisations
        "QO", "ZZ",  # "Outlying Oceania", "Unknown Region"
        "AC", "CP", "CQ", "DG", "EA", "IC", "TA",  # reserved for parts of other countries
    }
)  # fmt: skip

# Everyday names the CLDR does not give, in either language; ISO codes and the CLDR names in
# Ukrainian and English are understood without being listed here.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
           "Northern Ireland", "United Kingdom of Great Britain and Northern Ireland",
           "Велика Британія", "Британія", "Англія", "Шотландія", "Уельс", "Північна Ірландія",
           "Сполучене Королівство", "Об'єднане Королівство"),
    "US": ("USA", "U.S.", "U.S.A.", "United States of America", "America", "США",
           "Сполучені Штати Америки", "Америка"),
    "CZ": ("Czech Republic", "Чеська Республіка", "Česko", "Česká republika"),
    "NL": ("Holland", "The Netherlands", "Голландія", "Nederland"),
    "DE": ("Federal Republic of Germany", "ФРН", "Deutschland"),
    "AT": ("Österreich",),
    "CH": ("Schweiz", "Suisse", "Svizzera"),
    "PL": ("Polska", "Republic of Poland", "Республіка Польща"),
    "SE": ("Sverige",),
    "NO": ("Norge",),
    "DK": ("Danmark",),
    "FI": ("Suomi",),
    "ES": ("España",),
    "IT": ("Italia",),
    "HU": ("Magyarország",),
    "LT": ("Lietuva",),
    "LV": ("Latvija",),
    "EE": ("Eesti",),
    "SK": ("Slovak Republic", "Slovensko"),
    "RO": ("România",),
    "IE": ("Eire", "Republic of Ireland"),
    "KR": ("South Korea", "Korea", "Republic of Korea", "Корея", "Республіка Корея"),
    "MD": ("Republic of Moldova", "Молдавія", "Республіка Молдова"),
    "TR": ("Turkey", "Туреччина"),
    "MK": ("Macedonia", "Македонія"),
    "AE": ("UAE", "ОАЕ", "Emirates"),
    "BY": ("Біларусь", "Belarus"),
    "CD": ("DR Congo", "DRC"),
    "CI": ("Ivory Coast",),
    "CV": ("Cabo Verde",),
    "SZ": ("Swaziland",),
    "VA": ("Vatican",),
    "PS": ("Palestine",),
}  # fmt: skip


@cache
def _territories(lang: str) -> dict[str, str]:
    return {
        code: name
        for code, name in Locale.parse(lang).territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }


def country_name(code: str, lang: str) -> str:
    return _territories(lang).get(code, code)


def country_choices(lang: str) -> list[tuple[str, str]]:
    return sorted(_territories(lang).items(), key=lambda pair: sort_key(pair[1], lang))


def _country_key(text: str) -> str:
    words = _key(text).split()
    if len(words) > 1 and words[0] == "the":
        del words[0]
    return " ".join(words)


@cache
def _country_index() -> dict[str, str]:
    countries = _territories("en")
    index = {_country_key(code): code for code in countries}
    # ISO alpha-3 codes ("DEU", "USA"), which the CLDR keeps as aliases of the two-letter ones.
    for alias, replacement in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and replacement[0] in countries:
            index.setdefault(_country_key(alias), replacement[0])
    for lang in ("en", "uk"):
        for code, name in _territories(lang).items():
            index.setdefault(_country_key(name), code)
    for code, aliases in COUNTRY_ALIASES.items():
        for alias in aliases:
            index.setdefault(_country_key(alias), code)
    return index


def find_country(text: str) -> str | None:
    """Match an ISO code or a country's name, official or everyday, in Ukrainian or English."""
    return _country_index().get(_country_key(text))


@cache
def _longest_country_name() -> int:
    return max(len(key.split()) for key in _country_index())


def countries_named_in(text: str) -> list[str]:
    """Countries whose name stands as whole words in ``text`` ("Stockholm, Sweden" → SE).
    Codes and names of three letters or fewer are passed over: in a hospital's name or a
    city, "UK" or "Чад" are more likely something else."""
    words = _country_key(text).split()
    index = _country_index()
    found = set()
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + _longest_country_name()) + 1):
            phrase = " ".join(words[start:end])
            if len(phrase) > 3 and phrase in index:
                found.add(index[phrase])
    return sorted(found)


UK_ALPHABET = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_UK_ORDER = {letter: n for n, letter in enumerate(UK_ALPHABET)}


def sort_key(text: str, lang: str) -> tuple[tuple[int, int], ...]:
    """Alphabetical order as the language has it: in Ukrainian Ґ after Г, Є after Е, І and Ї
    after И; accents do not move a Latin letter ("Åland" among the A's). Spaces and
    punctuation come before any letter, as in dictionaries; apostrophes are passed over."""
    key = []
    for ch in unicodedata.normalize("NFC", text).casefold():
        if lang == "uk" and ch in _UK_ORDER:
            key.append((3, _UK_ORDER[ch]))
            continue
        base = unicodedata.normalize("NFKD", ch)[:1]
        if base in "'’ʼ":
            continue
        if base.isdigit():
            key.append((1, ord(base)))
        elif base.isalpha():
            # In Ukrainian lists Latin letters come before Cyrillic ones, as in CLDR's root order.
            key.append((2 if base.isascii() else 4, ord(base)))
        else:
            key.append((0, ord(base)))
    return tuple(key)
