"""The seminar dashboard: what a facilitator sees of every table, its filters, the poll that
keeps it live, the stuck flag, help requests, and who may see it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World, browser_for, make_institution, make_partnership
from tests.querycount import count_queries
from workshop.extensions import db
from workshop.facilitation.dashboard import stamp
from workshop.groupwork.answers.services import save_answer
from workshop.models import (
    Account,
    Answer,
    Comment,
    Cycle,
    HelpRequest,
    Institution,
    Partnership,
    Presence,
    Seminar,
    StageEvent,
    StageRun,
    StageStatus,
    seminar_partnership,
    utcnow,
)

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _one_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dashboard's stamp names the minute (stamp.py); a test must not straddle two."""
    monkeypatch.setattr(stamp, "EVERY", 10**9)


def dashboard(world: World, query: str = "") -> str:
    return f"/seminars/{world.seminar.id}/dashboard{query}"


def text_of(response: object) -> str:
    """The page as a person reads it: tags out, spaces squeezed."""
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def grid_rows(response: object) -> list[str]:
    """The dashboard's table rows, as text, top to bottom."""
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    if "<tbody>" not in html:
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)) for r in body.split("</tr>")[:-1]]


def answer(world: World, key: str, value: object, side: str = "", *, at_minutes: int = 0) -> None:
    save_answer(
        partnership_id=world.partnership.id,
        cycle=1,
        key=key,
        side=side,
        value=value,
        base_version=0,
        actor=world.participant,
    )
    if at_minutes:
        db.session.execute(
            sa.update(Answer)
            .where(Answer.partnership_id == world.partnership.id, Answer.question_key == key)
            .values(updated_at=utcnow() - timedelta(minutes=at_minutes))
        )
    db.session.commit()


def run_with(partnership: Partnership, stage: str, status: StageStatus, *actions: str) -> StageRun:
    """A stage run that went through ``actions`` (oldest first, a minute apart)."""
    run = StageRun(partnership_id=partnership.id, stage_key=stage, status=status)
    db.session.add(run)
    db.session.flush()
    start = utcnow() - timedelta(minutes=len(actions))
    for n, action in enumerate(actions):
        db.session.add(StageEvent(run_id=run.id, action=action, at=start + timedelta(minutes=n)))
    db.session.commit()
    return run


# -- What the grid shows --------------------------------------------------------------------------


def test_each_table_shows_its_stages_completion_people_comments_and_help(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    answer(world, "ua_focal_point", {"name": "Олена", "role": "lead"})
    answer(world, "outage_plan", "Generators and a paper fallback")
    answer(world, "assessment_team", "Anna")  # needs: something written, nothing required
    run_with(world.partnership, "agreement", StageStatus.SUBMITTED, "submit")
    db.session.add_all(
        [
            Presence(
                partnership_id=world.partnership.id,
                stage_key="needs",
                account_id=world.participant.id,
            ),
            Comment(
                partnership_id=world.partnership.id,
                stage_key="agreement",
                section_key="people",
                body="Who signs?",
                author_id=world.facilitator.id,
            ),
            HelpRequest(
                seminar_id=world.seminar.id,
                partnership_id=world.partnership.id,
                stage_key="needs",
                asked_by_id=world.participant.id,
            ),
        ]
    )
    db.session.commit()
    page = login(world.facilitator).get(dashboard(world), headers=EN)
    assert page.status_code == 200
    [row] = grid_rows(page)
    assert "Hospital" in row and "Lviv Oblast · Sweden" in row
    # Method 2024.1, stage 1: six required questions, answered together; two answered.
    assert "submitted" in row and "2/6 required" in row
    assert "1 stage waiting for review" in row
    assert "in progress" in row  # stage 2: an answer, none of its required one
    assert "not started" in row  # stages 3 and 4
    assert f"At the table now: {world.participant.display_name}" in row
    assert "Answered" in row and world.participant.display_name in row
    assert re.search(r"<td>\s*1\s*</td>", page.get_data(as_text=True))  # one open comment
    counts = text_of(page)
    assert "1 tables" not in counts  # the plural rule, not a glued "s"
    assert "1 table " in counts and "1 stage waiting for review" in counts
    assert "1 asking for help" in counts
    # Another seminar's table is not on this dashboard.
    assert world.other_partnership.ua_institution.name_en not in page.get_data(as_text=True)


def test_completion_is_counted_per_side_where_each_side_answers(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    world.partnership.method_version = "2024.2"  # its stage 1 has a per-side required table
    db.session.commit()
    answer(world, "outage_plan", "Generators")
    answer(world, "principle_ratings", [{"row": "partnership", "rating": 2}], side="ua")
    page = login(world.facilitator).get(dashboard(world), headers=EN)
    assert "UA 2/7 · Partner 1/7" in grid_rows(page)[0]


# -- Query counts ---------------------------------------------------------------------------------


def add_tables(seminar: Seminar, count: int, actor: Account) -> None:
    """``count`` more partnerships in the seminar, each with answers, stage runs with events,
    a person at the table, a comment and a help request: bulk inserts, as a big seminar."""
    now = utcnow()
    first = (db.session.scalar(sa.select(sa.func.max(Institution.id))) or 0) + 1
    db.session.execute(
        sa.insert(Institution),
        [
            {
                "id": first + n,
                "name_en": f"Bulk {first + n}",
                "country": "UA" if n % 2 == 0 else "DE",
                "region": "UA-30" if n % 2 == 0 else "",
                "created_at": now,
            }
            for n in range(2 * count)
        ],
    )
    start = (db.session.scalar(sa.select(sa.func.max(Partnership.id))) or 0) + 1
    ids = [start + n for n in range(count)]
    db.session.execute(
        sa.insert(Partnership),
        [
            {
                "id": pid,
                "ua_institution_id": first + 2 * n,
                "partner_institution_id": first + 2 * n + 1,
                "method_version": "2024.2" if n % 2 else "2024.1",
                "cycle": 1,
                "focus_areas": [],
                "created_at": now,
            }
            for n, pid in enumerate(ids)
        ],
    )
    db.session.execute(sa.insert(Cycle), [{"partnership_id": p, "number": 1} for p in ids])
    db.session.execute(
        sa.insert(seminar_partnership),
        [{"seminar_id": seminar.id, "partnership_id": p} for p in ids],
    )
    db.session.execute(
        sa.insert(Answer),
        [
            {
                "partnership_id": p,
                "cycle": 1,
                "question_key": key,
                "side": side,
                "value": value,
                "version": 1,
                "updated_at": now,
            }
            for p in ids
            for key, side, value in [
                ("outage_plan", "", "Plan"),
                ("needs_matrix", "ua", [{"row": "ipc", "status": 2}]),
                ("assessment_team", "", None),
            ]
        ],
    )
    run_ids = []
    for p in ids:
        run = StageRun(partnership_id=p, stage_key="agreement", status=StageStatus.SUBMITTED)
        db.session.add(run)
        run_ids.append(run)
    db.session.flush()
    db.session.execute(
        sa.insert(StageEvent),
        [
            {"run_id": r.id, "action": a, "at": now}
            for r in run_ids
            for a in ("submit", "request_changes")
        ],
    )
    db.session.execute(
        sa.insert(Presence),
        [
            {"partnership_id": p, "stage_key": "agreement", "account_id": actor.id, "seen_at": now}
            for p in ids
        ],
    )
    db.session.execute(
        sa.insert(Comment),
        [
            {
                "partnership_id": p,
                "cycle": 1,
                "stage_key": "needs",
                "section_key": "how",
                "body": "?",
                "at": now,
            }
            for p in ids
        ],
    )
    db.session.execute(
        sa.insert(HelpRequest),
        [{"seminar_id": seminar.id, "partnership_id": p, "asked_at": now} for p in ids[::50]],
    )
    db.session.commit()


def test_the_dashboard_and_its_poll_cost_the_same_few_queries_for_10_and_1000_tables(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    world.seminar.round_started_at = utcnow() - timedelta(minutes=30)
    db.session.commit()
    add_tables(world.seminar, 9, world.participant)
    staff = login(world.facilitator)
    # The addresses first: reading the seminar's id after a commit would be a query of ours.
    page_url, changes = dashboard(world), dashboard(world, "/changes")

    def costs() -> tuple[int, int, int, int]:
        with count_queries() as page_queries:
            page = staff.get(page_url)
        assert page.status_code == 200
        now = page.headers["X-Revision"]
        with count_queries() as unchanged:
            assert staff.get(f"{changes}?since={now}").status_code == 204
        with count_queries() as not_modified:
            response = staff.get(changes, headers={"If-None-Match": f'W/"d{now}"'})
            assert response.status_code == 304
        with count_queries() as fragment:
            assert staff.get(f"{changes}?since=0.0").status_code == 200
        return len(page_queries), len(unchanged), len(not_modified), len(fragment)

    few = costs()
    add_tables(world.seminar, 990, world.participant)
    many = costs()
    assert few == many, (few, many)
    page, unchanged, not_modified, fragment = many
    # The session, the seminar, and one query per aggregate (tables, stage runs, answers,
    # people at the tables, open comments, help requests, the plenary's newest proposals).
    assert page <= 9 and fragment <= 10
    # The poll: the session (the signed-in person) and the seminar's change counter.
    assert unchanged <= 2 and not_modified <= 2


# -- The poll -------------------------------------------------------------------------------------


def test_the_poll_answers_nothing_new_until_a_save_a_comment_or_a_help_request(
    app: Flask, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    staff = login(world.facilitator)
    at_table = browser_for(app, world.participant)

    def poll_after(change: Callable[[], object]) -> None:
        seen = staff.get(dashboard(world)).headers["X-Revision"]
        unchanged = staff.get(dashboard(world, f"/changes?since={seen}"))
        assert unchanged.status_code == 204 and unchanged.data == b""
        cached = staff.get(dashboard(world, "/changes"), headers={"If-None-Match": f'W/"d{seen}"'})
        assert cached.status_code == 304
        change()
        fresh = staff.get(dashboard(world, f"/changes?since={seen}"), headers=EN)
        assert fresh.status_code == 200
        assert fresh.headers["X-Revision"] != seen
        assert fresh.headers["ETag"] == f'W/"d{fresh.headers["X-Revision"]}"'
        assert 'id="dashboard-live"' in fresh.get_data(as_text=True)
        assert "<html" not in fresh.get_data(as_text=True)  # the live part only

    poll_after(
        lambda: at_table.post(
            f"/partnerships/{world.partnership.id}/answers",
            json={"question": "outage_plan", "value": "Generators", "base_version": 0},
        )
    )
    poll_after(
        lambda: at_table.post(
            f"/partnerships/{world.partnership.id}/stages/agreement/comments",
            data={"section": "people", "body": "Who signs for the partner?"},
        )
    )

    def ask_for_help() -> None:
        db.session.add(
            HelpRequest(
                seminar_id=world.seminar.id,
                partnership_id=world.partnership.id,
                asked_by_id=world.participant.id,
            )
        )
        db.session.commit()

    poll_after(ask_for_help)
    fresh = staff.get(dashboard(world, "/changes"), headers=EN)
    assert "1 asking for help" in text_of(fresh)

    def propose() -> None:
        sent = at_table.post(
            f"/tables/{world.partnership.id}/plenary",
            data={"action": "propose", "kind": "principle", "text": "Learning goes both ways"},
        )
        assert sent.status_code == 302, sent.get_data(as_text=True)[:300]

    poll_after(propose)  # a table's plenary proposal arrives on the dashboard too
    fresh = text_of(staff.get(dashboard(world, "/changes"), headers=EN))
    assert "Plenary: 1 proposal" in fresh and "Learning goes both ways" in fresh


def test_the_poll_keeps_the_filters_and_a_quiet_room_is_drawn_again_each_minute(
    world: World, login: Callable[[Account], FlaskClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = login(world.facilitator)
    page = staff.get(dashboard(world, "?country=SE&sort=name"))
    changes = f"/seminars/{world.seminar.id}/dashboard/changes?country=SE&amp;sort=name"
    assert f'data-changes="{changes}"' in page.get_data(as_text=True)
    monkeypatch.setattr(stamp, "EVERY", 60)
    seen = staff.get(dashboard(world)).headers["X-Revision"]
    revision, minute = seen.split(".")
    stale = f"{revision}.{int(minute) - 1}"
    assert staff.get(dashboard(world, f"/changes?since={stale}")).status_code == 200


# -- Stuck ----------------------------------------------------------------------------------------


def test_a_table_is_stuck_without_saves_during_a_round_or_when_a_stage_came_back_twice(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    busy = make_partnership(seminar=world.seminar, ua=make_institution(name_en="Busy UA"))
    returned = make_partnership(seminar=world.seminar, ua=make_institution(name_en="Twice UA"))
    world.partnership.ua_institution.name_en = "Quiet UA"
    db.session.commit()
    save_answer(
        partnership_id=busy.id,
        cycle=1,
        key="outage_plan",
        side="",
        value="x",
        base_version=0,
        actor=world.participant,
    )
    run_with(
        returned,
        "agreement",
        StageStatus.CHANGES_REQUESTED,
        "submit",
        "request_changes",
        "submit",
        "request_changes",
    )
    staff = login(world.facilitator)

    def stuck_names() -> set[str]:
        rows = grid_rows(staff.get(dashboard(world), headers=EN))
        return {
            name for name in ("Quiet", "Busy", "Twice") for r in rows if name in r and "Stuck" in r
        }

    assert stuck_names() == {"Twice"}  # no round: only the stage sent back twice
    world.seminar.round_started_at = utcnow() - timedelta(minutes=25)
    db.session.commit()
    assert stuck_names() == {"Quiet", "Twice"}
    rows = grid_rows(staff.get(dashboard(world), headers=EN))
    quiet = next(r for r in rows if "Quiet" in r)
    assert "no save for 25 minutes" in quiet
    assert "stage 1 sent back twice" in next(r for r in rows if "Twice" in r)
    assert "2 stuck" in text_of(staff.get(dashboard(world), headers=EN))
    world.seminar.stuck_minutes = 30  # the round is 25 minutes old: nobody idle long enough
    world.seminar.round_ends_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert stuck_names() == {"Twice"}
    world.seminar.stuck_minutes = 10
    world.seminar.round_ends_at = utcnow() - timedelta(minutes=1)  # the countdown is over
    db.session.commit()
    assert stuck_names() == {"Twice"}


def test_the_stuck_time_is_set_on_the_dashboard_within_bounds(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    staff = login(world.facilitator)
    url = dashboard(world, "/stuck?sort=name")
    for bad in ("0", "241", "ten", "１２", "", "-5", "10.5"):
        response = staff.post(url, data={"stuck_minutes": bad}, headers=EN)
        assert response.status_code == 422, bad
        page = response.get_data(as_text=True)
        assert "Enter a whole number of minutes from 1 to 240." in page
        assert 'id="stuck_minutes-error"' in page  # next to the field
        db.session.expire_all()
        assert db.session.get(Seminar, world.seminar.id).stuck_minutes == 10
    done = staff.post(url, data={"stuck_minutes": "15"}, headers=EN)
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/seminars/{world.seminar.id}/dashboard?sort=name")
    db.session.expire_all()
    assert db.session.get(Seminar, world.seminar.id).stuck_minutes == 15


# -- Help -----------------------------------------------------------------------------------------


def test_a_facilitator_answers_a_help_request_of_their_seminar_only(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    ours = HelpRequest(seminar_id=world.seminar.id, partnership_id=world.partnership.id)
    theirs = HelpRequest(
        seminar_id=world.other_seminar.id, partnership_id=world.other_partnership.id
    )
    db.session.add_all([ours, theirs])
    db.session.commit()
    staff = login(world.facilitator)
    url = dashboard(world, "/help")
    assert staff.post(url, data={"help_request": str(theirs.id)}).status_code == 404
    assert staff.post(url, data={"help_request": "nine"}).status_code == 400
    assert staff.post(url, data={}).status_code == 400
    done = staff.post(url, data={"help_request": str(ours.id)}, headers=EN)
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(HelpRequest, ours.id).answered_by_id == world.facilitator.id
    assert db.session.get(HelpRequest, theirs.id).answered_at is None
    page = staff.get(dashboard(world), headers=EN)
    assert "0 asking for help" in text_of(page)
    again = staff.post(url, data={"help_request": str(ours.id)}, headers=EN)
    assert again.status_code == 302  # answered twice (two facilitators at once): no error


# -- Filters and sort -----------------------------------------------------------------------------


def test_filters_and_sort_and_unknown_values(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    kyiv = make_partnership(
        seminar=world.seminar,
        ua=make_institution(name_en="Alpha Kyiv", region="UA-30"),
        partner=make_institution(country="DE", name_en="Berlin Partner"),
    )
    world.partnership.ua_institution.name_en = "Zeta Lviv"
    db.session.commit()
    run_with(kyiv, "agreement", StageStatus.APPROVED, "submit", "approve")
    staff = login(world.facilitator)

    def names(query: str) -> list[str]:
        rows = grid_rows(staff.get(dashboard(world, query), headers=EN))
        return [n for r in rows for n in ("Alpha", "Zeta") if n in r]

    assert names("?sort=name") == ["Alpha", "Zeta"]
    assert names("?oblast=UA-30") == ["Alpha"]
    assert names("?oblast=UA-46") == ["Zeta"]
    assert names("?country=de") == ["Alpha"]
    assert names("?stage=agreement&status=approved") == ["Alpha"]
    assert names("?stage=needs&status=approved") == []
    assert names("?status=not_started&sort=name") == ["Alpha", "Zeta"]  # any stage
    only_stage = staff.get(dashboard(world, "?stage=needs"), headers=EN).get_data(as_text=True)
    assert "2. Needs assessment" in only_stage.split("<thead>")[1].split("</thead>")[0]
    assert "1. Partnership development" not in only_stage.split("<thead>")[1].split("</thead>")[0]

    unknown = staff.get(
        dashboard(world, "?oblast=UA-99&country=Narnia&stage=stage9&status=lost&sort=age&page=x"),
        headers=EN,
    )
    assert unknown.status_code == 200
    page = text_of(unknown)
    for message in (
        "There is no oblast “UA-99”.",
        "There is no country “Narnia”.",
        "No stage “stage9” at this seminar.",
        "There is no status “lost”.",
        "Tables cannot be sorted by “age”.",
        "There is no page “x”.",
    ):
        assert message in page
    assert sorted(names("?oblast=UA-99&country=Narnia")) == ["Alpha", "Zeta"]  # ignored
    beside = staff.get(dashboard(world, "?oblast=UA-99")).get_data(as_text=True)
    assert re.search(r'id="filter-oblast-error">.*UA-99', beside)  # next to the filter
    assert 'aria-describedby="filter-oblast-error"' in beside


def test_a_big_seminar_is_shown_a_hundred_tables_a_page(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    add_tables(world.seminar, 149, world.participant)
    staff = login(world.facilitator)
    first = staff.get(dashboard(world, "?sort=name"), headers=EN)
    assert len(grid_rows(first)) == 100
    assert "150 tables" in text_of(first)  # the counts are the whole seminar's
    assert "Tables 1–100 of 150" in text_of(first)
    second = staff.get(dashboard(world, "?sort=name&page=2"), headers=EN)
    assert len(grid_rows(second)) == 50 and "Page 2 of 2" in text_of(second)
    beyond = staff.get(dashboard(world, "?sort=name&page=9"), headers=EN)
    assert len(grid_rows(beyond)) == 50  # the last page


# -- Who may see it -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("participant", 403),
        ("head", 403),
        ("other_facilitator", 404),
        ("facilitator", 200),
        ("admin", 200),
    ],
)
def test_only_the_seminars_facilitators_and_admins_see_the_dashboard(
    who: str, expected: int, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    browser = login(getattr(world, who))
    assert browser.get(dashboard(world)).status_code == expected
    assert browser.get(dashboard(world, "/changes?since=0.0")).status_code == expected
    refused = 403 if expected == 403 else 404
    if expected != 200:
        asked = HelpRequest(seminar_id=world.seminar.id, partnership_id=world.partnership.id)
        db.session.add(asked)
        db.session.commit()
        assert (
            browser.post(dashboard(world, "/help"), data={"help_request": asked.id}).status_code
            == refused
        )
        assert (
            browser.post(dashboard(world, "/stuck"), data={"stuck_minutes": "5"}).status_code
            == refused
        )
        db.session.expire_all()
        assert db.session.get(HelpRequest, asked.id).answered_at is None
        assert db.session.get(Seminar, world.seminar.id).stuck_minutes == 10


def test_signed_out_people_are_sent_to_sign_in(client: FlaskClient, world: World) -> None:
    response = client.get(dashboard(world))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
