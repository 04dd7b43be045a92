"""What pages say in each language: counts in the language's plural forms, dates the way the
language writes them, and the 0–3 scale in the same words wherever it appears."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from flask_babel import force_locale, ngettext

from tests.factories import World
from workshop.extensions import db
from workshop.method.definition import available_versions, load
from workshop.models import Account, Comment, StageRun

UK = {"Accept-Language": "uk"}
EN = {"Accept-Language": "en"}


def stage_url(world: World, stage: str = "agreement") -> str:
    return f"/partnerships/{world.partnership.id}/stages/{stage}"


def autosave(client: FlaskClient, world: World, key: str, value: object) -> None:
    response = client.post(
        f"/partnerships/{world.partnership.id}/answers",
        json={"question": key, "value": value, "base_version": 0},
        headers=EN,
    )
    assert response.status_code == 200


def open_stage(world: World, key: str) -> None:
    db.session.add(StageRun(partnership_id=world.partnership.id, stage_key=key, opened_early=True))
    db.session.commit()


def question_block(page: str, key: str) -> str:
    block = page.split(f'id="question-{key}"')[1].split('class="q-meta"')[0]
    return block.replace("\u202f", " ")  # Ukrainian dates keep "р." on the line with a thin space


# Counts ---------------------------------------------------------------------------------------

# Ukrainian has three plural forms: 1 and 21 take the first, 2 and 22 the second, 5 and 11 the
# third ("1 коментар, 2 коментарі, 5 коментарів").
OPEN_THREADS = {
    1: "Коментарі (1 відкрите обговорення)",
    2: "Коментарі (2 відкриті обговорення)",
    5: "Коментарі (5 відкритих обговорень)",
    11: "Коментарі (11 відкритих обговорень)",
    21: "Коментарі (21 відкрите обговорення)",
}


@pytest.mark.parametrize("count", sorted(OPEN_THREADS))
def test_open_comment_threads_are_counted_in_ukrainian_plural_forms(
    count: int, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    for n in range(count):
        db.session.add(
            Comment(
                partnership_id=world.partnership.id,
                stage_key="agreement",
                section_key="communication",
                body=f"Remark {n}",
                author_id=world.facilitator.id,
            )
        )
    db.session.commit()
    client = login(world.participant)
    page = client.get(stage_url(world), headers=UK).get_data(as_text=True)
    assert OPEN_THREADS[count] in page
    english = client.get(stage_url(world), headers=EN).get_data(as_text=True)
    thread = "thread" if count == 1 else "threads"
    assert f"Comments ({count} open {thread})" in english


def test_the_answered_count_follows_the_number_of_questions(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.participant)
    autosave(client, world, "outage_plan", "Same time next day")
    page = client.get(stage_url(world), headers=UK).get_data(as_text=True)
    assert "Відповідь є на 1 з 22 питань" in page  # 2024.1's first stage has 22 questions
    with force_locale("uk"):
        said = {
            n: ngettext(
                "%(done)d of %(num)d question answered",
                "%(done)d of %(num)d questions answered",
                n,
                done=1,
            )
            for n in (1, 2, 5, 11, 21)
        }
    assert said == {
        1: "Відповідь є на 1 з 1 питання",
        2: "Відповідь є на 1 з 2 питань",
        5: "Відповідь є на 1 з 5 питань",
        11: "Відповідь є на 1 з 11 питань",
        21: "Відповідь є на 1 з 21 питання",
    }


def test_a_too_long_comment_says_the_limit_with_its_noun(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.participant)
    response = client.post(
        stage_url(world) + "/comments",
        data={"section": "communication", "body": "слово " * 1000},
        headers=UK,
    )
    assert response.status_code == 422
    assert "щонайбільше 5000 символів (зараз 5999)" in response.get_data(as_text=True)


# Dates ----------------------------------------------------------------------------------------


def test_a_date_answer_reads_as_each_language_writes_dates(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    open_stage(world, "needs")
    table = login(world.participant)
    autosave(table, world, "memorandum_signed_on", "2024-01-15")
    area = load("2024.1").question("needs_matrix").rows[0].id  # type: ignore[union-attr]
    autosave(
        table, world, "needs_matrix", [{"row": area, "status": 1, "measured_on": "2024-03-05"}]
    )

    reader = login(world.facilitator)  # reads the stage, no form
    ukrainian = question_block(
        reader.get(stage_url(world), headers=UK).get_data(as_text=True), "memorandum_signed_on"
    )
    assert '<time datetime="2024-01-15">15 січня 2024 р.</time>' in ukrainian
    english = question_block(
        reader.get(stage_url(world), headers=EN).get_data(as_text=True), "memorandum_signed_on"
    )
    assert '<time datetime="2024-01-15">15 January 2024</time>' in english

    matrix = question_block(
        reader.get(stage_url(world, "needs"), headers=UK).get_data(as_text=True), "needs_matrix"
    )
    assert "5 березня 2024 р." in matrix
    assert ">2024-03-05<" not in matrix

    history = reader.get(
        f"/partnerships/{world.partnership.id}/answers/memorandum_signed_on/history", headers=UK
    ).get_data(as_text=True)
    assert "15 січня 2024\u202fр." in history
    assert ">2024-01-15<" not in history

    form = login(world.participant).get(stage_url(world), headers=UK).get_data(as_text=True)
    assert 'value="2024-01-15"' in question_block(form, "memorandum_signed_on")  # inputs stay ISO


# The 0–3 scale --------------------------------------------------------------------------------

SCALE = {
    "uk": ("0 — не запроваджено", "1 — частково", "2 — здебільшого", "3 — повністю"),
    "en": ("0 — not in place", "1 — partly", "2 — mostly", "3 — fully"),
}


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_the_scale_hint_says_what_the_options_say(
    lang: str, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    world.partnership.method_version = "2024.2"
    db.session.commit()
    open_stage(world, "needs")
    client = login(world.participant)
    page = client.get(stage_url(world, "needs"), headers={"Accept-Language": lang})
    block = question_block(page.get_data(as_text=True), "needs_matrix")
    hint = block.split('id="f-needs_matrix-hint">')[1].split("</p>")[0]
    assert ", ".join(SCALE[lang]) in hint
    options = re.findall(r'<option value="(\d)"\s*>([^<]+)</option>', block)
    assert set(options) == {(str(n), label) for n, label in enumerate(SCALE[lang])}
    assert "немає" not in hint


def test_no_published_method_spells_the_scale_out_in_its_help() -> None:
    """The page explains the scale itself; a method's own wording of it would drift."""
    spelled = re.compile(
        r"(^|\W)[0-3]\s*(—|–|-)?\s*(not|partly|mostly|fully|ще|немає|не |частково|здебільшого)"
    )
    for version in available_versions():
        method = load(version)
        for stage in method.stages:
            for section in stage.sections:
                helps = [section.help] + [q.help for q in section.questions]
                helps += [c.help for q in section.questions for c in q.columns]
                for text in filter(None, helps):
                    for lang in ("uk", "en"):
                        assert not spelled.search(text(lang)), (version, section.key, text(lang))
