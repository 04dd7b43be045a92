"""A number next to the noun it counts goes through ngettext, never plain gettext.

Plain gettext gives English "1 areas rated 0 or 1" and leaves Ukrainian, which has three
plural forms (1 напрям, 2 напрями, 5 напрямів), with one wrong form for most counts. The
catalogue check finds the whole class in the extracted messages; the behaviour tests render
fixed messages with several counts in both languages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask

from workshop import charts
from workshop.overview.programme.ukraine_map import Band
from workshop.paths import TRANSLATIONS_DIR

UK_PO = TRANSLATIONS_DIR / "uk" / "LC_MESSAGES" / "messages.po"
EN_PO = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"

# A number placeholder (or a range of two, "%(low)d–%(high)d"), then a word ending in "s":
# "%(num)d areas", "at most %(most)d minutes". A number can also come as %(n)s (a count
# written with %s). The word before it is kept to tell an ordinal ("row %(row)d means",
# "version %(n)d") from a count.
NUMBER = r"(?:%\(\w+\)d|%\((?:n|num|count|total|most|max|min|low|high|limit)\)s)"
COUNTED = re.compile(
    rf"(?:\b(?P<before>\w+)\s+)?(?P<number>{NUMBER}(?:\s*[–-]\s*{NUMBER})?)"
    r"\s+(?P<noun>[A-Za-z]+s)\b"
)
ORDINAL_BEFORE = {"row", "version", "cycle", "stage", "objective", "activity", "page", "step"}
NOT_NOUNS = {"is", "was", "has", "does"}  # "%(n)d is …": a verb, not a counted noun


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def counted_nouns_without_plural(catalog: Catalog) -> list[str]:
    """Every singular msgid that puts a count straight before a plural noun."""
    found = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue  # the header, or already a plural entry
        for match in COUNTED.finditer(message.id):
            before = (match.group("before") or "").lower()
            if before in ORDINAL_BEFORE or match.group("noun").lower() in NOT_NOUNS:
                continue
            found.append(f"{match.group(0)!r} in {message.id!r}")
    return found


def test_no_count_before_a_noun_goes_through_plain_gettext() -> None:
    found = counted_nouns_without_plural(_read(UK_PO))
    assert found == [], "use ngettext (and %(num)d) for:\n" + "\n".join(found)


def test_the_check_sees_a_count_and_ignores_an_ordinal() -> None:
    catalog = Catalog(locale="uk")
    catalog.add("%(side)s: %(num)d areas rated 0 or 1", "x")
    catalog.add("%(low)d–%(high)d partnerships", "x")
    catalog.add("A notice has at most %(most)d characters; this one has %(count)d.", "x")
    catalog.add("Choose which region row %(row)d means.", "x")
    catalog.add("Version %(n)d holds the current answers.", "x")
    catalog.add(("%(num)d area", "%(num)d areas"), ("x", "y", "z"))
    found = counted_nouns_without_plural(catalog)
    assert len(found) == 3
    assert "'%(num)d areas'" in found[0] and "'%(low)d–%(high)d partnerships'" in found[1]
    assert "'most %(most)d characters'" in found[2]


def test_every_plural_message_has_all_three_ukrainian_forms() -> None:
    catalog = _read(UK_PO)
    assert catalog.num_plurals == 3
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert len(plurals) > 20
    for message in plurals:
        forms = message.string
        assert isinstance(forms, tuple) and len(forms) == 3, message.id
        assert all(form.strip() for form in forms), f"a form is missing: {message.id}"
        if "%(num)" in message.id[1]:
            assert all("%(num)" in form for form in forms), f"a form drops the count: {message.id}"


def test_english_plural_messages_are_empty_or_complete() -> None:
    for message in _read(EN_PO):
        if message.id and isinstance(message.id, tuple):
            forms = tuple(message.string)
            assert len(forms) == 2, message.id
            assert all(forms) or not any(forms), message.id


# --- behaviour ------------------------------------------------------------------------------


def _low_areas_alt(count: int, lang: str) -> str:
    areas = [charts.Group(f"Area {i}", (0, 3)) for i in range(count)]
    return charts.ratings_by_area(
        areas, sides=("Ours", "Theirs"), scale=("0", "1", "2", "3"), lang=lang
    ).alt


@pytest.mark.parametrize(
    ("count", "english", "ukrainian"),
    [
        (1, "Ours: 1 area rated 0 or 1", "Ours: 1 напрям з оцінкою 0 або 1"),
        (2, "Ours: 2 areas rated 0 or 1", "Ours: 2 напрями з оцінкою 0 або 1"),
        (5, "Ours: 5 areas rated 0 or 1", "Ours: 5 напрямів з оцінкою 0 або 1"),
        (11, "Ours: 11 areas rated 0 or 1", "Ours: 11 напрямів з оцінкою 0 або 1"),
        (21, "Ours: 21 areas rated 0 or 1", "Ours: 21 напрям з оцінкою 0 або 1"),
        (22, "Ours: 22 areas rated 0 or 1", "Ours: 22 напрями з оцінкою 0 або 1"),
    ],
)
def test_the_ratings_chart_counts_areas_in_both_languages(
    app: Flask, count: int, english: str, ukrainian: str
) -> None:
    en = _low_areas_alt(count, "en")
    uk = _low_areas_alt(count, "uk")
    assert english + ";" in en and "Theirs: 0 areas rated 0 or 1." in en
    assert ukrainian + ";" in uk and "Theirs: 0 напрямів з оцінкою 0 або 1." in uk
    if count == 1:
        assert "for 1 area; 1 has a rating." in en
        assert "для 1 напряму;" in uk
    else:
        assert f"for {count} areas; {count} have a rating." in en


@pytest.mark.parametrize(
    ("count", "english", "ukrainian"),
    [
        (1, "for 1 candidate, out of 1 point.", "для 1 кандидата, максимум 1 бал."),
        (2, "for 2 candidates, out of 2 points.", "для 2 кандидатів, максимум 2 бали."),
        (5, "for 5 candidates, out of 5 points.", "для 5 кандидатів, максимум 5 балів."),
    ],
)
def test_the_scores_chart_counts_candidates_and_points(
    app: Flask, count: int, english: str, ukrainian: str
) -> None:
    candidates = [charts.Group(f"C{i}", (1, 1)) for i in range(count)]
    for lang, expected in (("en", english), ("uk", ukrainian)):
        chart = charts.weighted_scores(candidates, sides=("A", "B"), maximum=count, lang=lang)
        assert expected in chart.alt


@pytest.mark.parametrize(
    ("low", "high", "english", "ukrainian"),
    [
        (1, 1, "1 partnership", "1 партнерство"),
        (1, 2, "1–2 partnerships", "1–2 партнерства"),
        (2, 5, "2–5 partnerships", "2–5 партнерств"),
        (15, 21, "15–21 partnerships", "15–21 партнерство"),
    ],
)
def test_a_map_band_counts_partnerships_by_its_upper_end(
    app: Flask, low: int, high: int, english: str, ukrainian: str
) -> None:
    from flask_babel import force_locale

    band = Band(1, low, high)
    with force_locale("en"):
        assert band.label() == english
    with force_locale("uk"):
        assert band.label() == ukrainian
