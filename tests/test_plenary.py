"""The plenary: tables propose, the facilitator merges and runs a room-wide anonymous dot vote,
the ranked list is shown and exported."""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass

import flask_babel
import pytest
import sqlalchemy as sa
from flask import Flask, render_template
from flask.testing import FlaskClient
from openpyxl import load_workbook
from werkzeug.test import TestResponse

from tests import factories
from tests.factories import World
from tests.querycount import count_queries
from workshop.extensions import db
from workshop.facilitation.plenary import queries
from workshop.i18n import partnership_label
from workshop.models import (
    Account,
    Partnership,
    PlenaryKind,
    PlenaryRound,
    PlenaryState,
    Proposal,
    ProposalVote,
    Seminar,
)

EN = {"Accept-Language": "en"}
PRINCIPLE, AREA = PlenaryKind.PRINCIPLE.value, PlenaryKind.PRIORITY_AREA.value


class Response(TestResponse):
    @property
    def text(self) -> str:
        """The body as a person reads it (entities such as &#39; decoded)."""
        return html.unescape(self.get_data(as_text=True))


def client_for(app: Flask, account: Account) -> FlaskClient:
    client = factories.browser_for(app, account, hours=1)
    client.response_wrapper = Response
    return client


@dataclass
class Room:
    world: World
    second: Partnership  # another table of the same seminar
    ua: FlaskClient  # a participant at world.partnership
    other: FlaskClient  # a participant at the second table
    voter_names: list[str]
    facilitator: FlaskClient

    def propose(self, client: FlaskClient, table: Partnership, kind: str, text: str):
        return client.post(
            f"/tables/{table.id}/plenary",
            data={"action": "propose", "kind": kind, "text": text},
            headers=EN,
        )

    def state(self, kind: str, action: str, **extra: str):
        return self.facilitator.post(
            f"/seminars/{self.world.seminar.id}/plenary/state",
            data={"kind": kind, "action": action, **extra},
            headers=EN,
        )

    def vote(self, client: FlaskClient, table: Partnership, kind: str, dots: dict[int, str]):
        return client.post(
            f"/tables/{table.id}/plenary",
            data={
                "action": "vote",
                "kind": kind,
                "proposal": [str(pid) for pid in dots],
                "dots": list(dots.values()),
            },
            headers=EN,
        )


@pytest.fixture
def room(app: Flask, world: World) -> Room:
    second = factories.make_partnership(seminar=world.seminar)
    other_person = factories.make_participant(partnership=second, seminar=world.seminar)
    db.session.commit()
    return Room(
        world=world,
        second=second,
        ua=client_for(app, world.participant),
        other=client_for(app, other_person),
        voter_names=[world.participant.display_name, other_person.display_name],
        facilitator=client_for(app, world.facilitator),
    )


def proposals(seminar: Seminar | None = None) -> list[Proposal]:
    db.session.expire_all()
    query = sa.select(Proposal).order_by(Proposal.id)
    if seminar is not None:
        query = query.where(Proposal.seminar_id == seminar.id)
    return list(db.session.scalars(query))


def snapshot() -> tuple[object, ...]:
    """Everything the plenary stores, to show that a refusal changed nothing."""
    db.session.expire_all()
    return (
        db.session.execute(
            sa.select(Proposal.id, Proposal.text, Proposal.merged_into_id).order_by(Proposal.id)
        ).all(),
        db.session.execute(
            sa.select(ProposalVote.proposal_id, ProposalVote.voter_id, ProposalVote.dots).order_by(
                ProposalVote.id
            )
        ).all(),
        db.session.execute(
            sa.select(PlenaryRound.seminar_id, PlenaryRound.kind, PlenaryRound.state).order_by(
                PlenaryRound.seminar_id, PlenaryRound.kind
            )
        ).all(),
    )


def main_of(page: str) -> str:
    """The page without its header (which names the person signed in)."""
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def english_labels(app: Flask, *tables: Partnership) -> list[str]:
    """The tables' names as an English reader sees them."""
    with app.test_request_context(headers=EN):
        flask_babel.refresh()  # the tests' app context would keep the last request's language
        return [partnership_label(t) for t in tables]


def ids_by_text(seminar: Seminar) -> dict[str, int]:
    return {p.text: p.id for p in proposals(seminar)}


# -- Proposing -----------------------------------------------------------------------------------


def test_a_table_proposes_and_bad_proposals_are_refused_next_to_the_field(room: Room) -> None:
    w = room.world
    url = f"/tables/{w.partnership.id}/plenary"
    added = room.propose(room.ua, w.partnership, PRINCIPLE, "  Mutual   learning,\tboth ways ")
    assert added.status_code == 302
    assert room.propose(room.ua, w.partnership, AREA, "Політравма").status_code == 302
    [principle, area] = proposals()
    assert (principle.text, principle.kind, principle.partnership_id) == (
        "Mutual learning, both ways",
        PlenaryKind.PRINCIPLE,
        w.partnership.id,
    )
    assert (area.text, area.kind) == ("Політравма", PlenaryKind.PRIORITY_AREA)
    page = room.ua.get(url, headers=EN).text
    assert "Mutual learning, both ways" in page and "Політравма" in page

    before = snapshot()
    for text, message in (
        ("", "at least 3 characters"),
        ("ab", "at least 3 characters"),
        ("x" * 100_000, "Keep the proposal to 300 characters (this one has 100000)"),
        ("MUTUAL learning, both  ways", "Your table has proposed this already."),
    ):
        refused = room.propose(room.ua, w.partnership, PRINCIPLE, text)
        body = refused.text
        assert refused.status_code == 422, text[:20]
        assert message in body
        # The message sits with the field, and what was typed is still in it.
        assert 'id="plenary-text-principle-error"' in body
        assert 'aria-invalid="true"' in body
        assert f'value="{text}"' in body
    assert snapshot() == before
    # Another table may propose the same words: the facilitator merges them.
    assert (
        room.propose(room.other, room.second, PRINCIPLE, "mutual learning, both ways").status_code
        == 302
    )

    # A table removes its own proposal before the vote, never another table's.
    theirs = proposals()[-1]
    refused = room.ua.post(
        url, data={"action": "withdraw", "kind": PRINCIPLE, "proposal": str(theirs.id)}, headers=EN
    )
    assert refused.status_code == 422
    assert "not one of your table's" in refused.text
    outsider = client_for(room.ua.application, w.other_participant)
    room.propose(outsider, w.other_partnership, PRINCIPLE, "Elsewhere")
    [foreign] = proposals(w.other_seminar)
    before = snapshot()
    for raw in (str(foreign.id), "0", "-1", "x", str(2**40)):
        refused = room.ua.post(
            url, data={"action": "withdraw", "kind": PRINCIPLE, "proposal": raw}, headers=EN
        )
        assert refused.status_code == 422, raw
    assert snapshot() == before
    removed = room.ua.post(
        url, data={"action": "withdraw", "kind": PRINCIPLE, "proposal": str(principle.id)}
    )
    assert removed.status_code == 302
    assert [p.text for p in proposals(w.seminar)] == ["Політравма", "mutual learning, both ways"]
    # A form with no kind, or an unknown action, is a tampered form.
    assert room.ua.post(url, data={"action": "propose", "text": "abc"}).status_code == 400
    assert room.ua.post(url, data={"action": "nope", "kind": AREA}).status_code == 400


# -- Merging -------------------------------------------------------------------------------------


def test_merge_rules(room: Room, app: Flask) -> None:
    w = room.world
    room.propose(room.ua, w.partnership, PRINCIPLE, "Equal partners")
    room.propose(room.other, room.second, PRINCIPLE, "Equality of partners")
    room.propose(room.other, room.second, PRINCIPLE, "Open data")
    room.propose(room.ua, w.partnership, AREA, "Infection control")
    outsider = client_for(app, w.other_participant)
    room.propose(outsider, w.other_partnership, PRINCIPLE, "Equal partners elsewhere")
    ids = ids_by_text(w.seminar)
    [foreign] = proposals(w.other_seminar)
    merge_url = f"/seminars/{w.seminar.id}/plenary/merge"

    def merge(chosen: list[object], keep: object, text: str = ""):
        return room.facilitator.post(
            merge_url,
            data={
                "kind": PRINCIPLE,
                "merge": [str(c) for c in chosen],
                "keep": str(keep),
                "keep_text": text,
            },
            headers=EN,
        )

    before = snapshot()
    equal, equality = ids["Equal partners"], ids["Equality of partners"]
    for chosen, keep, message in (
        ([equal, foreign.id], equal, "Only proposals of this seminar can be merged"),
        ([equal, ids["Infection control"]], equal, "cannot be merged with each other"),
        ([equal], equal, "Choose at least two proposals"),
        ([equal, equality], ids["Open data"], "Choose which of the chosen proposals to keep"),
        ([equal, "²"], equal, "Choose proposals from the list"),
        ([equal, 2**40], equal, "Choose proposals from the list"),
    ):
        refused = merge(chosen, keep)
        assert refused.status_code == 422, message
        assert message in refused.text
    assert merge([equal, equality], equal, "x" * 301).status_code == 422
    assert snapshot() == before

    merged = merge([equal, equality], equal, "Partners as equals")
    assert merged.status_code == 302
    by_id = {p.id: p for p in proposals()}
    assert by_id[equal].text == "Partners as equals" and by_id[equal].merged_into_id is None
    assert by_id[equality].merged_into_id == equal
    page = room.facilitator.get(f"/seminars/{w.seminar.id}/plenary", headers=EN)
    body = page.text
    both = "; ".join(english_labels(app, w.partnership, room.second))
    assert both in body  # the kept one is "proposed by" both tables
    # The table whose words were merged away still sees them, and where they went.
    table_page = room.other.get(f"/tables/{room.second.id}/plenary", headers=EN)
    assert "merged into “Partners as equals”" in table_page.text

    before = snapshot()
    again = merge([equality, ids["Open data"]], ids["Open data"])
    assert again.status_code == 422
    assert "already merged into another" in again.text
    assert snapshot() == before

    # Split it off again; then the vote opens and merging stops.
    split_url = f"/seminars/{w.seminar.id}/plenary/split"
    split = room.facilitator.post(split_url, data={"kind": PRINCIPLE, "proposal": str(equality)})
    assert split.status_code == 302
    assert {p.id: p.merged_into_id for p in proposals()}[equality] is None
    assert room.state(PRINCIPLE, "open", dots="3").status_code == 302
    before = snapshot()
    late = merge([equal, equality], equal)
    assert late.status_code == 422
    assert "before the vote opens" in late.text
    assert (
        room.facilitator.post(
            split_url, data={"kind": PRINCIPLE, "proposal": str(foreign.id)}
        ).status_code
        == 422
    )
    assert snapshot() == before


# -- Voting, anonymity, ranking ------------------------------------------------------------------


def test_vote_budget_anonymity_and_ranking(room: Room) -> None:
    w = room.world
    for client, table, text in (
        (room.ua, w.partnership, "Bidirectional learning"),
        (room.ua, w.partnership, "Alignment with national plans"),
        (room.other, room.second, "Accountability"),
        (room.other, room.second, "Zeal"),
        (room.other, room.second, "Access"),
    ):
        assert room.propose(client, table, PRINCIPLE, text).status_code == 302
    ids = ids_by_text(w.seminar)
    room.propose(room.ua, w.partnership, AREA, "Polytrauma")

    # Dots per person: a whole number from 1 to 10.
    before = snapshot()
    for bad in ("0", "11", "abc", "", "3.5", "٣"):
        refused = room.state(PRINCIPLE, "open", dots=bad)
        assert refused.status_code == 422, bad
        assert "whole number of dots from 1 to 10" in refused.text
    assert room.state(PRINCIPLE, "reveal").status_code == 422  # nothing to reveal yet
    assert snapshot() == before
    assert room.state(PRINCIPLE, "open", dots="4").status_code == 302
    # The other kind's round is its own: still collecting, so no vote on it.
    assert (
        room.vote(
            room.ua, w.partnership, AREA, {ids_by_text(w.seminar)["Polytrauma"]: "1"}
        ).status_code
        == 422
    )
    # Tables cannot propose while the room votes.
    assert room.propose(room.ua, w.partnership, PRINCIPLE, "Late idea").status_code == 422

    ballot = room.ua.get(f"/tables/{w.partnership.id}/plenary", headers=EN).text
    assert "You have 4 dots" in ballot and "Zeal" in ballot  # every table's proposals

    before = snapshot()
    learning, plans = ids["Bidirectional learning"], ids["Alignment with national plans"]
    for dots, message in (
        ({learning: "3", plans: "2"}, "You have 4 dots but gave 5."),
        ({learning: "-1"}, "whole number of dots from 0 to 4"),
        ({learning: "²"}, "whole number of dots from 0 to 4"),
        ({learning: "5"}, "whole number of dots from 0 to 4"),
        ({2**31: "1"}, "The proposals changed meanwhile"),
    ):
        refused = room.vote(room.ua, w.partnership, PRINCIPLE, dots)
        assert refused.status_code == 422, dots
        assert message in refused.text
    # A proposal of another seminar cannot be voted on from here.
    outsider = client_for(room.ua.application, w.other_participant)
    room.propose(outsider, w.other_partnership, PRINCIPLE, "Elsewhere")
    [foreign] = proposals(w.other_seminar)
    before = snapshot()
    refused = room.vote(room.ua, w.partnership, PRINCIPLE, {foreign.id: "1"})
    assert refused.status_code == 422
    assert snapshot() == before

    # Learning: 3+1 dots from two people; plans: 3 from one; Accountability and Access tie
    # (1 dot, 1 person each: by text); Zeal nothing.
    assert (
        room.vote(
            room.ua, w.partnership, PRINCIPLE, {learning: "3", ids["Access"]: "1"}
        ).status_code
        == 302
    )
    assert (
        room.vote(room.ua, w.partnership, PRINCIPLE, {learning: "1", plans: "3"}).status_code == 302
    )  # replaces
    assert (
        room.vote(
            room.other, room.second, PRINCIPLE, {learning: "3", ids["Accountability"]: "1"}
        ).status_code
        == 302
    )
    assert (
        room.vote(
            room.ua, w.partnership, PRINCIPLE, {learning: "1", plans: "1", ids["Access"]: "1"}
        ).status_code
        == 302
    )
    # Now: learning 1+3=4 (2 people), plans 1 (1), access 1 (1), accountability 1 (1).
    assert (
        room.vote(
            room.ua, w.partnership, PRINCIPLE, {learning: "0", plans: "3", ids["Access"]: "1"}
        ).status_code
        == 302
    )
    # Final: plans 3 (1 person), learning 3 (1 person: the other's), access 1, accountability 1.
    # Plans and learning tie on dots and voters: by text ("Alignment…" before "Bidirectional…").

    manage = room.facilitator.get(f"/seminars/{w.seminar.id}/plenary", headers=EN)
    body = manage.text
    assert "2 people have voted" in body
    assert "dots</strong>" not in body  # no running totals, even for the facilitator
    for page in (
        body,
        room.ua.get(f"/tables/{w.partnership.id}/plenary", headers=EN).text,
    ):
        assert not any(name in main_of(page) for name in room.voter_names)  # never who voted

    assert room.state(PRINCIPLE, "reveal").status_code == 302
    ranked = queries.boards(w.seminar.id)[PlenaryKind.PRINCIPLE].ranked()
    assert [(i.text, i.dots, i.voters) for i in ranked] == [
        ("Alignment with national plans", 3, 1),
        ("Bidirectional learning", 3, 1),
        ("Access", 1, 1),
        ("Accountability", 1, 1),
        ("Zeal", 0, 0),
    ]
    for client, url in (
        (room.facilitator, f"/seminars/{w.seminar.id}/plenary"),
        (room.other, f"/tables/{room.second.id}/plenary"),
    ):
        page = client.get(url, headers=EN).text
        positions = [page.index(i.text + "</span>") for i in ranked]
        assert positions == sorted(positions), url
        assert "3 dots" in page
        assert not any(name in main_of(page) for name in room.voter_names)
    with room.ua.application.test_request_context(headers=EN):
        flask_babel.refresh()
        projector = render_template(
            "facilitation/plenary/_projector.html", **queries.projector_context(w.seminar)
        )
    spots = [projector.index(f">{i.text}</span>") for i in ranked]
    assert spots == sorted(spots) and "Voting in progress" not in projector
    assert "Tables are proposing" in projector  # the priority areas: still collecting
    projected = queries.projector_context(w.seminar)["plenary_kinds"]
    assert [i.text for i in projected[0]["ranked"]] == [i.text for i in ranked]
    assert projected[1]["ranked"] == [] and projected[1]["count"] == 1  # areas: not revealed

    # Back to proposing asks first; then the dots are discarded and tables propose again.
    asked = room.state(PRINCIPLE, "collect")
    assert asked.status_code == 200 and "8 dots cast on this list" in asked.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProposalVote)) == 4
    assert room.state(PRINCIPLE, "collect", confirm="yes").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProposalVote)) == 0
    assert queries.rounds(w.seminar.id)[PlenaryKind.PRINCIPLE].state is PlenaryState.COLLECTING
    assert room.propose(room.ua, w.partnership, PRINCIPLE, "Late idea").status_code == 302


# -- Export --------------------------------------------------------------------------------------


def test_the_result_exports_as_csv_and_xlsx_that_read_back_as_stored(
    room: Room, app: Flask
) -> None:
    w = room.world
    room.propose(room.ua, w.partnership, PRINCIPLE, '=HYPERLINK("x")')  # not a formula
    room.propose(room.other, room.second, PRINCIPLE, "Спільне навчання")
    room.propose(room.ua, w.partnership, PRINCIPLE, "Shared learning")
    room.propose(room.ua, w.partnership, AREA, "Rehabilitation")
    ids = ids_by_text(w.seminar)
    room.facilitator.post(
        f"/seminars/{w.seminar.id}/plenary/merge",
        data={
            "kind": PRINCIPLE,
            "merge": [str(ids["Спільне навчання"]), str(ids["Shared learning"])],
            "keep": str(ids["Спільне навчання"]),
        },
    )
    room.state(PRINCIPLE, "open", dots="3")
    room.vote(
        room.ua,
        w.partnership,
        PRINCIPLE,
        {ids["Спільне навчання"]: "2", ids['=HYPERLINK("x")']: "1"},
    )
    room.vote(room.other, room.second, PRINCIPLE, {ids["Спільне навчання"]: "3"})
    room.state(PRINCIPLE, "reveal")

    # What the database holds, read here independently of the app's queries.
    totals = dict(
        db.session.execute(
            sa.select(ProposalVote.proposal_id, sa.func.sum(ProposalVote.dots)).group_by(
                ProposalVote.proposal_id
            )
        ).all()
    )
    ours, theirs = english_labels(app, w.partnership, room.second)
    expected = [
        [
            "1",
            PRINCIPLE,
            "Спільне навчання",
            str(totals[ids["Спільне навчання"]]),
            "2",
            f"{theirs}; {ours}",
        ],
        ["2", PRINCIPLE, '=HYPERLINK("x")', str(totals[ids['=HYPERLINK("x")']]), "1", ours],
        ["", AREA, "Rehabilitation", "", "", ours],
    ]
    header = ["rank", "kind", "text", "dots", "voters", "proposed_by"]

    base = f"/seminars/{w.seminar.id}/plenary/results"
    got_csv = room.facilitator.get(base + ".csv", headers=EN)
    assert got_csv.status_code == 200 and got_csv.mimetype == "text/csv"
    assert "attachment" in got_csv.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(got_csv.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == header
    # In the CSV a text that starts like a formula carries an apostrophe (OWASP).
    assert rows[1:] == [[("'" + c if c.startswith("=") else c) for c in row] for row in expected]

    got_xlsx = room.facilitator.get(base + ".xlsx", headers=EN)
    assert got_xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(got_xlsx.get_data())).active
    cells = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == [header, *expected]
    assert sheet["C3"].data_type == "s"  # stored as text, never run as a formula

    assert room.facilitator.get(base + ".pdf").status_code == 404


# -- Who may reach what --------------------------------------------------------------------------


def test_permissions(room: Room, app: Flask) -> None:
    w = room.world
    room.propose(room.ua, w.partnership, PRINCIPLE, "Equal partners")
    [proposal] = proposals()
    table_urls = [
        f"/tables/{w.partnership.id}/plenary",
        f"/tables/{w.partnership.id}/plenary/changes",
    ]
    staff_gets = [
        f"/seminars/{w.seminar.id}/plenary",
        f"/seminars/{w.seminar.id}/plenary/changes",
        f"/seminars/{w.seminar.id}/plenary/results.csv",
    ]
    staff_posts = [
        (
            f"/seminars/{w.seminar.id}/plenary/state",
            {"kind": PRINCIPLE, "action": "open", "dots": "3"},
        ),
        (
            f"/seminars/{w.seminar.id}/plenary/merge",
            {"kind": PRINCIPLE, "merge": [str(proposal.id)] * 2, "keep": str(proposal.id)},
        ),
        (
            f"/seminars/{w.seminar.id}/plenary/split",
            {"kind": PRINCIPLE, "proposal": str(proposal.id)},
        ),
    ]
    before = snapshot()
    for who, table_status, staff_status in (
        (w.other_participant, 404, 403),  # a participant of another seminar
        (w.other_facilitator, 404, 404),  # a facilitator of another seminar
        (w.head, 404, 403),  # the head of the table's own hospital
        (w.facilitator, 404, None),  # staff have no seat: the table's page is not theirs
    ):
        client = client_for(app, who)
        for url in table_urls:
            assert client.get(url).status_code == table_status, (who.role, url)
        assert (
            client.post(
                table_urls[0], data={"action": "propose", "kind": PRINCIPLE, "text": "Hello"}
            ).status_code
            == table_status
        )
        if staff_status is None:
            continue
        for url in staff_gets:
            assert client.get(url).status_code == staff_status, (who.role, url)
        for url, data in staff_posts:
            assert client.post(url, data=data).status_code == staff_status, (who.role, url)
    assert snapshot() == before
    # A seated participant never reaches the facilitator's pages.
    for url in staff_gets:
        assert room.ua.get(url).status_code == 403
    # Signed out: off to sign in.
    anonymous = app.test_client()
    assert "/login" in anonymous.get(table_urls[0]).headers["Location"]
    assert "/login" in anonymous.get(staff_gets[0]).headers["Location"]
    # The facilitator of this seminar and an admin do reach them.
    admin = client_for(app, w.admin)
    for client in (room.facilitator, admin):
        for url in staff_gets:
            assert client.get(url).status_code == 200, url


# -- Staying current -----------------------------------------------------------------------------


def test_the_pages_poll_the_change_counter(room: Room) -> None:
    w = room.world
    url = f"/seminars/{w.seminar.id}/plenary/changes"
    first = room.facilitator.get(f"/seminars/{w.seminar.id}/plenary")
    revision = first.headers["X-Revision"]
    with count_queries() as quiet:
        unchanged = room.facilitator.get(url, query_string={"since": revision})
    assert unchanged.status_code == 204
    assert len(quiet) <= 4  # the session, the person, the counter
    assert (
        room.facilitator.get(url, headers={"If-None-Match": f'W/"r{revision}"'}).status_code == 304
    )

    room.propose(room.ua, w.partnership, PRINCIPLE, "Trust between teams")
    changed = room.facilitator.get(url, query_string={"since": revision}, headers=EN)
    assert changed.status_code == 200
    assert int(changed.headers["X-Revision"]) > int(revision)
    fragment = changed.text
    assert "Trust between teams" in fragment and "<html" not in fragment

    table_url = f"/tables/{room.second.id}/plenary/changes"
    drawn = room.other.get(table_url, query_string={"since": "0"})
    assert drawn.status_code == 200 and drawn.headers["X-Plenary-Digest"]
    again = room.other.get(table_url, query_string={"since": drawn.headers["X-Revision"]})
    assert again.status_code == 204


def test_the_facilitators_page_costs_the_same_queries_for_few_and_many_tables(
    room: Room, app: Flask
) -> None:
    w = room.world
    manage = f"/seminars/{w.seminar.id}/plenary"

    def cost() -> int:
        with count_queries() as statements:
            assert room.facilitator.get(manage).status_code == 200
        return len(statements)

    def add_tables(count: int) -> None:
        for n in range(count):
            table = factories.make_partnership(seminar=w.seminar)
            for kind in PlenaryKind:
                db.session.add(
                    Proposal(
                        seminar_id=w.seminar.id,
                        kind=kind,
                        partnership_id=table.id,
                        text=f"Idea {n}",
                    )
                )
        db.session.commit()

    add_tables(2)
    few = cost()
    add_tables(10)
    assert cost() == few <= 10
