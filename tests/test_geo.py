"""Places as organisers write them: every region of Ukraine and everyday country names, in
both languages; lists in each language's alphabetical order."""

from __future__ import annotations

import pytest

from workshop import geo

OBLASTS = sorted(code for code, region in geo.UA_REGIONS.items() if not region.city)


def test_the_table_holds_all_27_regions_of_iso_3166_2_ua() -> None:
    assert len(geo.UA_REGIONS) == 27
    assert {"UA-30", "UA-40"} == geo.CITY_REGIONS
    assert "UA-43" in geo.UA_REGIONS  # Crimea


def _written_forms(code: str) -> list[str]:
    """How Ukrainian and English lists write one region (oblast, Crimea or city)."""
    region = geo.UA_REGIONS[code]
    # A city's bare name may also mean the oblast around it ("Київ"): "м." says which.
    uk = f"м. {region.uk}" if region.city else region.uk
    forms = [code, code.replace("-", ""), code.lower(), uk, region.en]
    forms += [f"  {uk.upper()}  ", region.en.lower(), f"{region.en}, Ukraine"]
    if region.uk.endswith(" область"):
        adjective = region.uk.removesuffix(" область")
        short = region.en.removesuffix(" Oblast")
        latin = geo.transliterate(adjective)
        forms += [
            f"{adjective} обл.",
            f"{adjective} обл",
            f"{adjective}  область",
            adjective,
            f"{short} region",
            f"{short} oblast",
            f"{latin} oblast",
            f"{latin.capitalize()} Oblast",
            f"{latin[:-2]}'{latin[-2:]} obl.",  # "Lvivs'ka obl.": the soft sign as an apostrophe
        ]
    return forms


@pytest.mark.parametrize("code", sorted(geo.UA_REGIONS))
def test_every_region_is_found_however_it_is_written(code: str) -> None:
    for text in _written_forms(code):
        assert geo.region_candidates(text) == (code,), text


@pytest.mark.parametrize("code", [c for c in OBLASTS if c != "UA-32"])
def test_a_regional_centre_names_its_oblast(code: str) -> None:
    region = geo.UA_REGIONS[code]
    for text in (region.centre_uk, f"м. {region.centre_uk}", region.centre_en):
        assert geo.find_region(text) == code, text
    assert geo.find_city(f"м.{region.centre_uk}") == (region.centre_uk, region.centre_en)


@pytest.mark.parametrize(
    "text",
    [
        "м. Київ",
        "м.Київ",
        "м Київ",
        "місто Київ",
        "Київ м.",
        "М. КИЇВ",
        "Kyiv City",
        "Kyiv city",
        "City of Kyiv",
        "m. Kyiv",
        "UA-30",
    ],
)
def test_the_city_of_kyiv(text: str) -> None:
    assert geo.region_candidates(text) == ("UA-30",)


@pytest.mark.parametrize(
    "text",
    ["Київська область", "Київська обл.", "Київщина", "Kyiv Oblast", "Kyiv region", "Kyivska"],
)
def test_kyiv_oblast(text: str) -> None:
    assert geo.region_candidates(text) == ("UA-32",)


@pytest.mark.parametrize("text", ["Київ", "Kyiv", "Kiev", " київ ", "Kyiv, Ukraine"])
def test_a_bare_kyiv_is_left_for_the_organiser_to_say(text: str) -> None:
    assert set(geo.region_candidates(text)) == {"UA-30", "UA-32"}
    assert geo.find_region(text) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("м. Севастополь", "UA-40"),
        ("Sevastopol", "UA-40"),
        ("АР Крим", "UA-43"),
        ("Крим", "UA-43"),
        ("Crimea", "UA-43"),
        ("Lvivs’ka oblast", "UA-46"),
        ("Lvivsʼka  obl.", "UA-46"),
        ("Ivano Frankivsk region", "UA-26"),
        ("Kharkov", "UA-63"),
        ("Odessa", "UA-51"),
        ("Дніпро", "UA-12"),
        ("Кропивницький", "UA-35"),
        ("Буковина", "UA-73"),
        ("Закарпаття", "UA-21"),
        ("Mykolayivska oblast", "UA-48"),
    ],
)
def test_other_common_forms(text: str, code: str) -> None:
    assert geo.find_region(text) == code


@pytest.mark.parametrize("text", ["Atlantis", "UA-99", "Мінська область", "Oblast", ""])
def test_what_is_no_region_of_ukraine_is_not_found(text: str) -> None:
    assert geo.region_candidates(text) == ()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("Велика Британія", "GB"),
        ("USA", "US"),
        ("U.S.", "US"),
        ("U.S.A.", "US"),
        ("США", "US"),
        ("United States of America", "US"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Чехія", "CZ"),
        ("Holland", "NL"),
        ("the Netherlands", "NL"),
        ("Нідерланди", "NL"),
        ("Німеччина", "DE"),
        ("Deutschland", "DE"),
        ("DEU", "DE"),
        ("de", "DE"),
        ("South Korea", "KR"),
        ("Turkey", "TR"),
        ("Кот-д'Івуар", "CI"),
        ("Côte d’Ivoire", "CI"),
        ("  sweden ", "SE"),
    ],
)
def test_everyday_country_names(text: str, code: str) -> None:
    assert geo.find_country(text) == code


def test_every_everyday_alias_names_a_listed_country() -> None:
    listed = {code for code, _name in geo.country_choices("en")}
    for code, aliases in geo.COUNTRY_ALIASES.items():
        assert code in listed
        for alias in aliases:
            assert geo.find_country(alias) == code, alias


@pytest.mark.parametrize("text", ["Narnia", "EU", "Європейський Союз", "XA", "Псевдоакценти"])
def test_what_is_no_country_is_not_found(text: str) -> None:
    assert geo.find_country(text) is None


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_country_lists_hold_countries_only(lang: str) -> None:
    choices = geo.country_choices(lang)
    codes = {code for code, _name in choices}
    names = {name for _code, name in choices}
    assert not codes & {"XA", "XB", "EU", "EZ", "UN", "ZZ", "QO", "001", "150"}
    assert not names & {"Псевдоакценти", "Псевдобіді", "Pseudo-Accents", "Pseudo-Bidi"}
    assert all(len(code) == 2 and code.isalpha() for code in codes)
    assert {"UA", "DE", "GB", "US", "SE", "PL"} <= codes
    assert len(choices) == 250  # the 249 of ISO 3166-1, and Kosovo


def test_ukrainian_lists_are_in_ukrainian_alphabetical_order() -> None:
    names = [name for _code, name in geo.country_choices("uk")]
    assert names[:3] == ["Австралія", "Австрія", "Азербайджан"]
    at = names.index
    # Є after Е, І after И and З, then Й and К; not before А as code points would put them.
    assert at("Ефіопія") < at("Єгипет") < at("Ємен") < at("Замбія")
    assert at("Зімбабве") < at("Ізраїль") < at("Індія") < at("Йорданія") < at("Камбоджа")
    assert names == sorted(names, key=lambda n: geo.sort_key(n, "uk"))
    regions = [name for _code, name in geo.region_choices("uk")]
    assert regions[0] == "Автономна Республіка Крим"
    assert regions.index("Запорізька область") < regions.index("Івано-Франківська область")
    assert regions.index("Івано-Франківська область") < regions.index("Київ")
    assert regions.index("Київ") < regions.index("Київська область")
    assert regions.index("Київська область") < regions.index("Кіровоградська область")


def test_english_lists_are_in_english_order() -> None:
    names = [name for _code, name in geo.country_choices("en")]
    assert names[:3] == ["Afghanistan", "Åland Islands", "Albania"]
    assert names.index("Türkiye") < names.index("Turkmenistan")
    regions = [name for _code, name in geo.region_choices("en")]
    assert regions[0] == "Autonomous Republic of Crimea"
    assert regions[-1] == "Zhytomyr Oblast"


def test_the_sort_key_orders_the_ukrainian_alphabet() -> None:
    letters = list(geo.UK_ALPHABET)
    shuffled = sorted(letters, key=ord)  # code point order puts Є, І, Ї, Ґ first
    assert shuffled != letters
    assert sorted(shuffled, key=lambda ch: geo.sort_key(ch, "uk")) == letters


def test_countries_named_in_text() -> None:
    assert geo.countries_named_in("Stockholm, Sweden") == ["SE"]
    assert geo.countries_named_in("Wien, Österreich") == ["AT"]
    assert geo.countries_named_in("Lviv Regional Clinical Hospital") == []
    assert geo.countries_named_in("Swedish-Ukrainian clinic") == []


def test_region_and_country_names_keep_working_for_pages() -> None:
    assert geo.region_name("UA-30", "uk") == "Київ"
    assert geo.region_name("UA-46", "en") == "Lviv Oblast"
    assert geo.region_name("Bavaria", "en") == "Bavaria"  # free text from abroad, as typed
    assert geo.region_name(None, "uk") == ""
    assert geo.country_name("DE", "uk") == "Німеччина"
    assert geo.country_name("XA", "en") == "XA"
