"""Every question type, good and bad input alike: a clear message, never a crash."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale

from workshop.groupwork.answers.values import InvalidAnswer, clean
from workshop.groupwork.answers.wire import ROW_ID
from workshop.method.definition import load

Q = load("2024.1").question  # the version these cases were written for


@pytest.mark.parametrize(
    ("key", "raw", "stored"),
    [
        ("assessment_team", "  Олена, Anna\r\nand WHO  ", "Олена, Anna\nand WHO"),
        ("assessment_team", "   ", None),
        ("endorsement", "ministry", "ministry"),
        ("channels", ["video", "email"], ["email", "video"]),  # the method's order
        ("channels", "phone", ["phone"]),
        ("memorandum_term_months", "24", 24),
        ("memorandum_term_months", "12,5", 12.5),
        ("memorandum_term_months", 36, 36),
        ("memorandum_signed_on", "2023-12-01", "2023-12-01"),
        (
            "ua_focal_point",
            {"name": "Олена", "role": "", "email": "o@example.org"},
            {"name": "Олена", "role": "", "email": "o@example.org"},
        ),
        ("ua_focal_point", {"name": "", "role": "", "email": ""}, None),
        (
            "signatories",
            [
                {"row": "r1", "name": "A", "role": "", "side": "ua"},
                {"row": "r2", "name": "", "role": "", "side": ""},
            ],
            [{"row": "r1", "name": "A", "side": "ua"}],
        ),
        (
            "needs_matrix",
            [{"row": "ipc", "status": "2", "evidence": ["document"]}],
            [{"row": "ipc", "status": 2, "evidence": ["document"]}],
        ),
        (
            "candidate_scores",
            [{"row": "c1", "candidate": "Hand hygiene", "policy": "5", "gap": "g1"}],
            [{"row": "c1", "candidate": "Hand hygiene", "policy": 5, "gap": "g1"}],
        ),
    ],
)
def test_good_input_is_stored_in_a_clean_shape(
    app: Flask, key: str, raw: object, stored: object
) -> None:
    question = Q(key)
    assert question is not None
    assert clean(question, raw) == stored


@pytest.mark.parametrize(
    ("key", "raw", "english", "ukrainian"),
    [
        ("assessment_team", "x" * 100_000, "Use at most 5000 characters (now 100000)", "5000"),
        ("assessment_team", "bell\x07", "control characters", "керуючі"),
        ("assessment_team", 42, "Enter text.", "Введіть текст"),
        ("endorsement", "king", "Choose one of the options.", "Оберіть"),
        ("channels", ["video", "pigeon"], "Choose among the options shown.", "Оберіть"),
        ("channels", {"a": 1}, "Choose among the options shown.", "Оберіть"),
        ("memorandum_term_months", "many", "Enter a number", "Введіть число"),
        ("memorandum_term_months", "0", "Enter at least 1.", "1"),
        ("memorandum_term_months", "121", "Enter at most 120.", "120"),
        ("memorandum_term_months", "nan", "Enter a number", "Введіть число"),
        ("memorandum_term_months", True, "Enter a number", "Введіть число"),
        ("memorandum_signed_on", "2023-02-30", "Enter a real date", "дату"),
        ("memorandum_signed_on", "01.12.2023", "Enter a real date", "дату"),
        ("memorandum_signed_on", "1066-10-14", "Enter a real date", "дату"),
        (
            "ua_focal_point",
            {"name": "", "role": "Head nurse", "email": ""},
            "Enter the person's name.",
            "ім",
        ),
        (
            "ua_focal_point",
            {"name": "A", "role": "", "email": "nope"},
            "does not look like an e-mail",
            "електронн",
        ),
        ("ua_focal_point", {"name": "A", "boss": "B"}, "name, role and e-mail", "ім"),
        ("signatories", "not a table", "reload the page", "сторінку"),
        (
            "signatories",
            [{"name": "A", "side": "martian"}],
            "Row 1, Side: Choose one of the options.",
            "Рядок 1",
        ),
        ("signatories", [{"name": "A"}] * 7, "At most 6 rows.", "6"),
        # Row ids are how later stages point at a row: never two alike, never markup.
        ("signatories", [{"row": "r1", "name": "A"}] * 2, "reload the page", "сторінку"),
        ("signatories", [{"row": "<b>", "name": "A"}], "reload the page", "сторінку"),
        ("signatories", [{"row": 7, "name": "A"}], "reload the page", "сторінку"),
        (
            "objectives",
            [{"priority": "no such row!", "objective": "X"}],
            "Row 1, Priority: Choose one of the options.",
            "Рядок 1",
        ),
        ("needs_matrix", [{"row": "astrology", "status": "1"}], "reload the page", "сторінку"),
        (
            "needs_matrix",
            [{"row": "ipc", "status": "4"}],
            "Choose a whole number from 0 to 3.",
            "0",
        ),
        ("needs_matrix", [{"row": "ipc", "status": "1.5"}], "whole number", "0"),
        ("candidate_scores", [{"candidate": "X", "policy": 6}], "from 1 to 5", "1"),
        ("candidate_scores", [{"candidate": "X", "hacked": 1}], "reload the page", "сторінку"),
    ],
)
def test_bad_input_gets_a_clear_message_in_both_languages(
    app: Flask, key: str, raw: object, english: str, ukrainian: str
) -> None:
    question = Q(key)
    assert question is not None
    for lang, expected in (("en", english), ("uk", ukrainian)):
        with force_locale(lang), pytest.raises(InvalidAnswer) as caught:
            clean(question, raw)
        assert expected in caught.value.message, (lang, caught.value.message)


def test_rows_without_ids_get_fresh_distinct_ones_and_keep_them(app: Flask) -> None:
    question = Q("signatories")
    assert question is not None
    first = clean(question, [{"name": "A"}, {"name": "B"}])
    assert first is not None
    ids = [row["row"] for row in first]
    assert len(set(ids)) == 2 and all(ROW_ID.match(i) for i in ids)
    assert clean(question, first) == first  # saving again keeps every row's id
