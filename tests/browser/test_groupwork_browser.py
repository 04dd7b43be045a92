"""Two people at one table in real browsers: autosave, a conflict, a lost connection."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import AXE_JS, assert_accessible, seated_page
from tests.factories import make_participant
from workshop import demo
from workshop.extensions import db
from workshop.models import Answer, AnswerRevision, Partnership, Side, StageRun

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def table(app: object) -> dict[str, object]:
    """The demo's Kryvyi Rih – Karolinska table (no answers yet), one person on each side."""
    demo.seed()
    partnership = db.session.scalar(sa.select(Partnership).order_by(Partnership.id).offset(1))
    assert partnership is not None
    ua = make_participant(
        partnership=partnership, seminar=partnership.seminars[0], side=Side.UKRAINIAN
    )
    partner = make_participant(
        partnership=partnership, seminar=partnership.seminars[0], side=Side.PARTNER
    )
    for key in ("needs", "priorities", "action_plan"):  # as a facilitator's override would
        db.session.add(StageRun(partnership_id=partnership.id, stage_key=key, opened_early=True))
    db.session.commit()
    return {
        "partnership": partnership.id,
        "ua": ua.test_return_code,  # type: ignore[attr-defined]
        "partner": partner.test_return_code,
    }  # type: ignore[attr-defined]


def _seat(
    browser: Browser, base: str, code: str, locale: str, viewport: dict
) -> tuple[BrowserContext, Page]:
    return seated_page(browser, base, code, viewport, locale)


def _both_open(
    browser: Browser, base: str, table: dict, url: str, partner_locale: str
) -> tuple[tuple[BrowserContext, Page], tuple[BrowserContext, Page]]:
    """One person per side, each in their own browser, with ``url`` open at the same version."""
    first = _seat(browser, base, table["ua"], "en-GB", DESKTOP)
    second = _seat(browser, base, table["partner"], partner_locale, DESKTOP)
    first[1].goto(url)
    second[1].goto(url)
    return first, second


def _facilitator(
    browser: Browser, base: str, locale: str, viewport: dict
) -> tuple[BrowserContext, Page]:
    """The demo facilitator, signed in through the real form."""
    context = browser.new_context(locale=locale, viewport=viewport)
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    page.goto(base + "/login")
    page.locator("#email").fill("facilitator@demo.twinning.test")
    page.locator("#password").fill(demo.DEMO_PASSWORDS["facilitator@demo.twinning.test"])
    page.locator("#password").press("Enter")
    page.wait_for_url("**/seminars/")
    return context, page


def _answer(table: dict, key: str, side: str = "") -> Answer | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Answer).where(
            Answer.partnership_id == table["partnership"],
            Answer.question_key == key,
            Answer.side == side,
        )
    )


def test_both_sides_fill_their_forms_and_every_stage_page_is_accessible(
    browser: Browser, live_server: str, table: dict
) -> None:
    base = f"{live_server}/partnerships/{table['partnership']}/stages"
    ua_context, ua = _seat(browser, live_server, table["ua"], "uk-UA", PHONE)
    en_context, en = _seat(browser, live_server, table["partner"], "en-GB", DESKTOP)
    for page, lang in ((ua, "uk"), (en, "en")):
        for stage in ("agreement", "needs", "priorities", "action_plan"):
            page.goto(f"{base}/{stage}")
            assert_accessible(page, f"{lang} stage {stage}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= page.viewport_size["width"], f"{stage} is {width}px wide"

    ua.goto(f"{base}/agreement")
    ua.locator("#f-want_to_learn").fill("Як організувати травмацентр першого рівня")
    expect(ua.locator("#section-own_goals .save-state")).to_have_text("Усі зміни збережено")
    en.goto(f"{base}/agreement")
    en.locator("#f-want_to_learn").fill("How to keep surgery running through blackouts")
    expect(en.locator("#section-own_goals .save-state")).to_have_text("All changes saved")
    en.reload()
    expect(en.locator("#question-want_to_learn .other-side")).to_contain_text("травмацентр")

    en.goto(f"{base}/needs")
    en.get_by_label("Infection prevention and control — Status").select_option("2")
    en.get_by_label("Infection prevention and control — We can share").fill("Hand hygiene audits")
    expect(en.locator("#section-areas .save-state")).to_have_text("All changes saved")
    matrix = _answer(table, "needs_matrix", "partner")
    assert matrix is not None
    assert matrix.value == [{"row": "ipc", "status": 2, "can_share": "Hand hygiene audits"}]
    wish = _answer(table, "want_to_learn", "ua")
    assert wish is not None
    assert wish.value == "Як організувати травмацентр першого рівня"
    ua_context.close()
    en_context.close()


def test_two_people_edit_one_answer_and_resolve_the_conflict(
    browser: Browser, live_server: str, table: dict
) -> None:
    url = f"{live_server}/partnerships/{table['partnership']}/stages/needs"
    (first_context, first), (second_context, second) = _both_open(
        browser, live_server, table, url, "en-GB"
    )  # both pages show version 0
    first.locator("#f-assessment_team").fill("Olena and the quality unit")
    expect(first.locator("#section-how .save-state")).to_have_text("All changes saved")

    second.locator("#f-assessment_team").fill("Anna, Olena and WHO")
    conflict = second.locator("#question-assessment_team .conflict")
    expect(conflict).to_contain_text("Olena and the quality unit")
    expect(second.locator("#section-how .save-state")).to_contain_text("Conflict")
    assert_accessible(second, "conflict view")
    assert _answer(table, "assessment_team").value == "Olena and the quality unit"

    second.get_by_role("button", name="Keep mine").click()
    expect(second.locator("#section-how .save-state")).to_have_text("All changes saved")
    answer = _answer(table, "assessment_team")
    assert (answer.value, answer.version) == ("Anna, Olena and WHO", 2)
    first_context.close()
    second_context.close()


def test_typing_offline_is_kept_and_sent_when_the_connection_returns(
    browser: Browser, live_server: str, table: dict
) -> None:
    context, page = _seat(browser, live_server, table["ua"], "uk-UA", PHONE)
    page.goto(f"{live_server}/partnerships/{table['partnership']}/stages/agreement")
    field = page.locator("#f-outage_plan")
    field.fill("Переносимо зустріч на наступний день")
    state = page.locator("#section-communication .save-state")
    expect(state).to_have_text("Усі зміни збережено")
    context.set_offline(True)
    field.press("End")
    field.type("; пишемо в месенджер; координатор має генератор.")
    expect(state).to_contain_text("Немає зв")
    context.set_offline(False)
    expect(state).to_have_text("Усі зміни збережено", timeout=15000)
    typed = "Переносимо зустріч на наступний день; пишемо в месенджер; координатор має генератор."
    answer = _answer(table, "outage_plan")
    assert answer is not None
    assert answer.value == typed
    revisions = db.session.scalars(
        sa.select(AnswerRevision.value)
        .where(AnswerRevision.answer_id == answer.id)
        .order_by(AnswerRevision.version)
    ).all()
    assert revisions[0] == "Переносимо зустріч на наступний день"
    assert revisions[-1] == typed
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('twinning-'))") == []
    context.close()


def test_dot_voting_by_keyboard_hidden_then_revealed(
    browser: Browser, live_server: str, table: dict
) -> None:
    base = f"{live_server}/partnerships/{table['partnership']}"
    context, page = _seat(browser, live_server, table["ua"], "uk-UA", PHONE)
    page.goto(base + "/stages/priorities")
    page.get_by_label("Рядок 1 — Кандидат").fill("Гігієна рук")
    page.get_by_label("Рядок 2 — Кандидат").fill("Травмакоманда")
    expect(page.locator("#section-scoring .save-state")).to_have_text("Усі зміни збережено")
    page.reload()
    first = page.get_by_label("Гігієна рук", exact=True)
    first.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Травмакоманда", exact=True)).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("1")
    # The old page says "hidden" too: wait for the page the vote was sent from to be replaced.
    with page.expect_navigation(url="**/stages/priorities#voting"):
        page.keyboard.press("Enter")
    expect(page.locator("#voting")).to_contain_text("Результат приховано")
    assert_accessible(page, "uk phone voting hidden")

    staff, facilitator = _facilitator(browser, live_server, "en-GB", DESKTOP)
    facilitator.goto(base + "/stages/priorities#voting")
    with facilitator.expect_navigation():
        facilitator.get_by_role("button", name="Reveal the result").click()
    expect(facilitator.locator(".tally")).to_contain_text("Гігієна рук")
    assert_accessible(facilitator, "en desktop voting revealed")
    page.reload()
    expect(page.locator(".tally li").first).to_contain_text("2 крапки")
    staff.close()
    context.close()


def test_a_stale_form_token_is_renewed_and_the_text_still_saved(
    browser: Browser, live_server: str, table: dict
) -> None:
    context, page = _seat(browser, live_server, table["ua"], "en-GB", DESKTOP)
    page.goto(f"{live_server}/partnerships/{table['partnership']}/stages/agreement")
    # As after a long pause: the token the page holds is no longer one the server accepts.
    page.evaluate(
        "document.querySelectorAll('input[name=csrf_token]').forEach(i => i.value = 'expired')"
    )
    page.locator("#f-outage_plan").fill("Same time next day, by messenger")
    expect(page.locator("#section-communication .save-state")).to_have_text("All changes saved")
    answer = _answer(table, "outage_plan")
    assert answer is not None
    assert answer.value == "Same time next day, by messenger"
    context.close()


def test_unsent_text_is_kept_in_the_browser_until_sign_out_clears_it(
    browser: Browser, live_server: str, table: dict
) -> None:
    context, page = _seat(browser, live_server, table["ua"], "en-GB", DESKTOP)
    page.goto(f"{live_server}/partnerships/{table['partnership']}/stages/agreement")
    page.route("**/answers", lambda route: route.abort())  # the server cannot be reached
    page.locator("#f-outage_plan").fill("Typed while the line was down")
    expect(page.locator("#section-communication .save-state")).to_contain_text("Offline")
    stored = page.evaluate("JSON.stringify(localStorage)")
    assert "Typed while the line was down" in stored
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/")
    assert page.evaluate("localStorage.length") == 0  # a shared computer keeps nothing
    context.close()


def test_a_facilitator_reads_the_answered_demo_table_on_a_phone(
    browser: Browser, live_server: str, table: dict
) -> None:
    context, page = _facilitator(browser, live_server, "uk-UA", PHONE)
    answered = db.session.scalar(sa.select(Partnership.id).order_by(Partnership.id))
    for stage in ("agreement", "needs", "priorities", "action_plan"):
        page.goto(f"{live_server}/partnerships/{answered}/stages/{stage}")
        expect(page.locator("#review-title")).to_be_visible()
        assert_accessible(page, f"uk phone facilitator reads {stage}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{stage} is {width}px wide"
    context.close()


def test_two_people_edit_different_cells_of_one_table_and_both_keep_them(
    browser: Browser, live_server: str, table: dict
) -> None:
    url = f"{live_server}/partnerships/{table['partnership']}/stages/agreement"
    (first_context, first), (second_context, second) = _both_open(
        browser, live_server, table, url, "uk-UA"
    )  # both pages show the signatories table empty, at version 0
    first.get_by_label("Row 1 — Name").first.fill("Olena Demo")
    expect(first.locator("#section-people .save-state")).to_have_text("All changes saved")

    second.get_by_label("Рядок 1 — Ім'я").first.fill("Anna Demo")
    # Not a conflict: the other row is merged in, and the page now shows both.
    expect(second.locator("#question-signatories .merged")).to_contain_text("збережено обидві")
    expect(second.locator("#section-people .save-state")).to_have_text("Усі зміни збережено")
    names = second.locator("#question-signatories input[name$='.name']")
    expect(names.nth(0)).to_have_value("Olena Demo")
    expect(names.nth(1)).to_have_value("Anna Demo")
    assert_accessible(second, "merged table")

    # The first page is stale now; a change to another cell still keeps everybody's work.
    first.get_by_label("Row 1 — Position").first.fill("Coordinator")
    expect(first.locator("#question-signatories .merged")).to_be_visible()
    expect(first.locator("#section-people .save-state")).to_have_text("All changes saved")
    answer = _answer(table, "signatories")
    assert answer is not None
    assert [(r.get("name"), r.get("role")) for r in answer.value] == [
        ("Olena Demo", "Coordinator"),
        ("Anna Demo", None),
    ]
    assert answer.version == 3

    # The same cell changed two ways is a conflict; their version reads as a table.
    second.get_by_label("Рядок 1 — Посада").first.fill("Голова")
    conflict = second.locator("#question-signatories .conflict")
    expect(conflict.locator("table")).to_contain_text("Coordinator")
    expect(conflict.locator(".clashes")).to_have_text("Рядок 1 — Посада")
    expect(second.locator("#section-people .save-state")).to_contain_text("Конфлікт")
    assert_accessible(second, "table conflict")
    assert _answer(table, "signatories").value[0]["role"] == "Coordinator"
    first_context.close()
    second_context.close()


def test_text_typed_after_the_session_ended_is_sent_after_signing_in_again(
    browser: Browser, live_server: str, table: dict
) -> None:
    url = f"{live_server}/partnerships/{table['partnership']}/stages/agreement"
    context, page = _seat(browser, live_server, table["ua"], "en-GB", PHONE)
    page.goto(url)
    context.clear_cookies()  # as when the session runs out during a long power cut
    page.locator("#f-outage_plan").fill("Meet the next morning; the generator covers the ward")
    state = page.locator("#section-communication .save-state")
    expect(state).to_contain_text("You are signed out")
    assert _answer(table, "outage_plan") is None

    page.goto(f"{live_server}/resume")
    page.locator("main form input[name=code]").fill(table["ua"])
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/partnerships/*")
    page.goto(url)
    # The unsent text is back in its field and goes out on its own.
    expect(page.locator("#f-outage_plan")).to_have_value(
        "Meet the next morning; the generator covers the ward"
    )
    expect(state).to_have_text("All changes saved")
    answer = _answer(table, "outage_plan")
    assert answer is not None
    assert answer.value == "Meet the next morning; the generator covers the ward"
    context.close()


def test_the_trace_follows_the_demo_plan_from_needs_to_activities(
    browser: Browser, live_server: str, table: dict
) -> None:
    context, page = _facilitator(browser, live_server, "en-GB", PHONE)
    answered = db.session.scalar(sa.select(Partnership.id).order_by(Partnership.id))
    page.goto(f"{live_server}/partnerships/{answered}/stages/action_plan")
    page.locator("#question-activities").get_by_role(
        "link", name="Activate a trauma team"
    ).first.click()
    page.wait_for_url("**/trace#trace-objectives-obj-trauma")
    objective = page.locator("#trace-objectives-obj-trauma")
    expect(objective).to_contain_text("Visit of Swedish trauma nurses")
    # The objective sits under its priority, the priority under its gap, the gap under its area.
    chain = page.locator("#trace-needs_matrix-emergency_trauma")
    expect(
        chain.locator("#trace-gap_table-gap-trauma #trace-priorities-pri-trauma")
    ).to_contain_text("Webinar: paediatric polytrauma")
    assert_accessible(page, "en phone trace")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the trace is {width}px wide"
    context.close()


def test_a_row_is_added_by_keyboard_and_saved_under_its_own_id(
    browser: Browser, live_server: str, table: dict
) -> None:
    context, page = _seat(browser, live_server, table["ua"], "uk-UA", PHONE)
    page.goto(f"{live_server}/partnerships/{table['partnership']}/stages/agreement")
    box = page.locator("#question-steering_group")
    expect(box.locator("tbody tr")).to_have_count(2)
    add = box.get_by_role("button", name="Додати рядок")
    add.focus()
    page.keyboard.press("Enter")
    expect(box.locator("tbody tr")).to_have_count(3)
    # The new row's first field has the focus: typing goes straight into it.
    page.keyboard.type("Ірина Demo")
    expect(page.locator("#section-governance .save-state")).to_have_text("Усі зміни збережено")
    answer = _answer(table, "steering_group")
    assert answer is not None
    (row,) = answer.value
    assert row["name"] == "Ірина Demo"
    assert row["row"] == box.locator("tbody tr").nth(2).get_attribute("data-row")
    assert_accessible(page, "uk phone table with an added row")

    # After a reload the stored row has a "remove" box: ticking it saves the table without it,
    # unticking brings it back.
    page.reload()
    remove = box.get_by_role("checkbox", name="Видалити — Рядок 1")
    remove.check()
    state = page.locator("#section-governance .save-state")
    expect(state).to_have_text("Усі зміни збережено")
    expect(box.locator("tr.removed")).to_have_count(1)
    assert _answer(table, "steering_group").value is None
    remove.uncheck()
    expect(box.locator("tr.removed")).to_have_count(0)
    expect(state).to_have_text("Усі зміни збережено")
    assert _answer(table, "steering_group").value == [row]
    context.close()


def test_a_pair_takes_one_need_all_the_way_to_an_activity_and_the_trace_shows_it(
    browser: Browser, live_server: str, table: dict
) -> None:
    base = f"{live_server}/partnerships/{table['partnership']}"
    ua_context, ua = _seat(browser, live_server, table["ua"], "uk-UA", PHONE)
    en_context, en = _seat(browser, live_server, table["partner"], "en-GB", DESKTOP)

    ua.goto(f"{base}/stages/needs")
    ua.get_by_label("Профілактика інфекцій та інфекційний контроль — Стан").select_option("0")
    ua.get_by_label("Профілактика інфекцій та інфекційний контроль — Хочемо навчитися").fill(
        "Нагляд за CLABSI"
    )
    expect(ua.locator("#section-areas .save-state")).to_have_text("Усі зміни збережено")

    # Each step offers rows from the one before; the partner takes them in English.
    en.goto(f"{base}/stages/priorities")
    for question in ("gap_table", "candidate_scores"):
        with en.expect_navigation():
            en.locator(f"form.suggestions[action$='/prefill/{question}'] button").click()
        expect(en.locator(".flash, [role=status]").first).to_be_visible()
    en.locator("#question-gap_table").get_by_label("Row 1 — Gap").fill("No CLABSI surveillance")
    en.locator("#question-candidate_scores").get_by_label("Row 1 — Expected impact").select_option(
        "5"
    )
    expect(en.locator("#section-scoring .save-state")).to_have_text("All changes saved")
    with en.expect_navigation():
        en.locator("form.suggestions[action$='/prefill/priorities'] button").click()
    en.get_by_label("Row 1 — Rationale").fill("Largest gap; both sides agree")
    expect(en.locator("#section-decision .save-state")).to_have_text("All changes saved")

    en.goto(f"{base}/stages/action_plan")
    with en.expect_navigation():
        en.locator("form.suggestions[action$='/prefill/objectives'] button").click()
    en.get_by_label("Row 1 — SMART objective").fill("Halve CLABSI within 18 months")
    expect(en.locator("#section-objectives .save-state")).to_have_text("All changes saved")

    # The Ukrainian side plans an activity for that objective, choosing it by its words.
    ua.goto(f"{base}/stages/action_plan")
    activities = ua.locator("#question-activities")
    activities.get_by_label("Рядок 1 — Ціль").select_option(label="Halve CLABSI within 18 months")
    activities.get_by_label("Рядок 1 — Захід").fill("Спільне навчання з пакета CLABSI")
    expect(ua.locator("#section-activities .save-state")).to_have_text("Усі зміни збережено")

    # Every step names the one before: the trace nests the whole chain under the need.
    ua.goto(f"{base}/trace")
    need = ua.locator("#trace-needs_matrix-ipc")
    expect(need).to_contain_text("Українська лікарня: 0/3")
    expect(need.locator("[id^=trace-priorities-]")).to_have_count(1)
    expect(need.locator("[id^=trace-activities-]")).to_contain_text("Спільне навчання")
    assert_accessible(ua, "uk phone trace of a new plan")
    activity = _answer(table, "activities")
    objective = _answer(table, "objectives")
    priority = _answer(table, "priorities")
    gap = _answer(table, "gap_table")
    assert activity.value[0]["objective"] == objective.value[0]["row"]
    assert objective.value[0]["priority"] == priority.value[0]["row"]
    assert priority.value[0]["gap"] == gap.value[0]["row"]
    assert gap.value[0]["area"] == "ipc"
    ua_context.close()
    en_context.close()
