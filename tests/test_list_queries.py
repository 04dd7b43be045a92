"""Every list a person opens costs the same number of SQL statements whatever the number of
partnerships (issue 11; goal P3): each page is counted in the small world, then again after 30
more partnerships, with their institutions, people, answers, stage runs and documents, joined it.
A count that grows is a query per row, which at 1,000 partnerships is a page nobody can open."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from flask import url_for
from flask.testing import FlaskClient
from wtforms import Form, SelectField
from wtforms.widgets import Select

from tests import factories
from tests.querycount import count_queries
from workshop import codes, paging
from workshop.choices import options
from workshop.extensions import db
from workshop.models import (
    Account,
    Answer,
    Comment,
    DocumentVersion,
    Institution,
    Membership,
    Partnership,
    Role,
    Seminar,
    Side,
    StageRun,
    StageStatus,
)
from workshop.widgets import QuickSelect

MORE = 30
STATUSES = [None, StageStatus.SUBMITTED, StageStatus.APPROVED, StageStatus.CHANGES_REQUESTED]

# (who opens it, the endpoint, what its address names: the world's seminar, its partnership,
# a stage of its partnership, or nothing). A participant's list of one partnership is that
# partnership's page; the pages a seated table polls are here too, for the room polls them.
PAGES = [
    ("participant", "partnerships.detail", "partnership"),
    ("participant", "stage.page", "stage"),
    ("participant", "control.table_live", "partnership"),
    ("participant", "plenary.table", "partnership"),
    ("participant", "partnership_view.page", "partnership"),
    ("participant", "documents.partnership", "partnership"),
    ("participant", "documents.portal", False),
    ("head", "partnerships.index", False),
    ("head", "documents.portal", False),
    ("facilitator", "partnerships.index", False),
    ("facilitator", "partnerships.new", False),
    ("facilitator", "seminars.index", False),
    ("facilitator", "institutions.index", False),
    ("facilitator", "imports.new", False),
    ("facilitator", "seminars.detail", True),
    ("facilitator", "dashboard.page", True),
    ("facilitator", "dashboard.changes", True),
    ("facilitator", "queue.page", True),
    ("facilitator", "control.page", True),
    ("facilitator", "control.projector", True),
    ("facilitator", "control.projector_live", True),
    ("facilitator", "plenary.manage", True),
    ("facilitator", "plenary.changes", True),
    ("facilitator", "exports.page", True),
    ("facilitator", "documents.portal", False),
    ("admin", "partnerships.index", False),
    ("admin", "seminars.index", False),
    ("admin", "institutions.index", False),
    ("admin", "accounts.index", False),
    ("admin", "auditlog.page", False),
    ("admin", "programme.page", False),
    ("admin", "seminars.detail", True),
    ("admin", "documents.portal", False),
]


def _grow(world: factories.World) -> None:
    """MORE partnerships more, in two flushes: a third at the world head's hospital, all at the
    world's seminar (two more seminars of the facilitator's hold some), each with two people,
    a few answers and stage runs, a comment on some and a document version on others."""
    seminars = [
        Seminar(
            title_uk=f"Семінар {n}",
            title_en=f"Extra seminar {n}",
            starts_on=world.seminar.starts_on,
            ends_on=world.seminar.ends_on,
            join_code=codes.new_code(codes.JOIN_CODE_LENGTH),
            facilitators=[world.facilitator],
        )
        for n in range(2)
    ]
    rows: list[object] = [*seminars]
    grown: list[Partnership] = []
    head_hospital = world.partnership.ua_institution
    for n in range(MORE):
        ua = (
            head_hospital
            if n % 3 == 0
            else Institution(name_en=f"Grown UA {n}", name_uk=f"Лікарня {n}", country="UA")
        )
        partner = Institution(
            name_en=f"Grown partner {n}", country="SE", city_en="Lund", region="Skåne"
        )
        partnership = Partnership(
            method_version=world.partnership.method_version,
            ua_institution=ua,
            partner_institution=partner,
            focus_areas=["surgery"],
            seminars=[world.seminar, *seminars[: n % 3]],
        )
        people = [
            Account(display_name=f"Grown {n} {side.value}", role=Role.PARTICIPANT) for side in Side
        ]
        rows += [partner, partnership, *people]
        rows += [
            Membership(account=a, partnership=partnership, seminar=world.seminar, side=side)
            for a, side in zip(people, Side, strict=True)
        ]
        grown.append(partnership)
    db.session.add_all(rows)
    db.session.flush()  # the partnerships' ids, for what hangs on them
    rows = []
    for n, partnership in enumerate(grown):
        rows += [
            Answer(partnership_id=partnership.id, question_key=key, value="Grown answer")
            for key in ("agreement.people", "needs.summary")[: 1 + n % 2]
        ]
        rows.append(
            StageRun(partnership_id=partnership.id, stage_key="agreement", status=STATUSES[n % 4])
        )
        if n % 4 == 0:
            rows.append(
                Comment(
                    partnership_id=partnership.id,
                    stage_key="agreement",
                    section_key="people",
                    body="Who signs?",
                    author_id=world.facilitator.id,
                )
            )
        if n % 5 == 0:
            rows.append(
                DocumentVersion(
                    partnership_id=partnership.id,
                    number=1,
                    method_version=partnership.method_version,
                    content_hash="0" * 64,
                    snapshot={},
                    verify_token=secrets.token_urlsafe(32),
                )
            )
    db.session.add_all(rows)
    db.session.commit()


def _url(world: factories.World, endpoint: str, names: str | bool) -> str:
    if names == "partnership":
        return url_for(endpoint, partnership_id=world.partnership.id)
    if names == "stage":
        return url_for(endpoint, partnership_id=world.partnership.id, stage_key="agreement")
    return url_for(endpoint, seminar_id=world.seminar.id) if names else url_for(endpoint)


@pytest.mark.parametrize(("who", "endpoint", "names"), PAGES)
def test_a_list_costs_the_same_queries_at_more_partnerships(
    world: factories.World,
    login: Callable[[Account], FlaskClient],
    who: str,
    endpoint: str,
    names: str | bool,
) -> None:
    client = login(getattr(world, who))
    url = _url(world, endpoint, names)
    assert client.get(url).status_code == 200  # a first visit warms what is cached per process

    def counted() -> tuple[int, list[str]]:
        db.session.expire_all()
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(statements), statements

    small, _ = counted()
    _grow(world)
    grown, statements = counted()
    assert grown <= small, (
        f"{endpoint} as {who}: {small} queries, {grown} with {MORE} more partnerships:\n"
        + "\n".join(s[:160] for s in statements)
    )


EN = {"Accept-Language": "en"}


def test_long_lists_come_a_page_at_a_time_through_plain_links(
    world: factories.World,
    login: Callable[[Account], FlaskClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """31 partnerships at 10 a page: each page shows its own ten and the people at them, and
    the links to the pages around it work without JavaScript; a page beyond the last is the
    last, a page that is no number the first."""
    monkeypatch.setattr(paging, "PER_PAGE", 10)
    _grow(world)
    client = login(world.facilitator)
    seminar = f"/seminars/{world.seminar.id}"

    first = client.get(seminar, headers=EN).text
    assert "Showing 1–10 of 31." in first and "Page 1 of 4" in first
    assert "Previous page" not in first
    assert f'href="{seminar}?page=2#pships-title" rel="next"' in first
    assert len(re.findall(r'<li><a href="/partnerships/\d+"', first)) == 10
    assert "Participant " in first  # the world's participant, at the oldest partnership

    last = client.get(f"{seminar}?page=4", headers=EN).text
    assert "Showing 31–31 of 31." in last and "Next page" not in last
    assert f'href="{seminar}?page=3#pships-title" rel="prev"' in last
    (alone,) = re.findall(r"Grown partner (\d+)</a>", last)  # the one partnership left
    assert f"Grown {alone} ua" in last and f"Grown {alone} partner" in last
    assert len(re.findall(r"<td>(Grown|Participant) ", last)) == 2  # nobody else's people
    assert f"Grown {alone} ua" not in first
    assert "Download all documents (ZIP)" in last  # the whole seminar's, from any page

    def listed_on(page: str) -> list[str]:
        return re.findall(r'<li><a href="/partnerships/\d+"', page)

    assert listed_on(client.get(f"{seminar}?page=99", headers=EN).text) == listed_on(last)
    assert listed_on(client.get(f"{seminar}?page=x", headers=EN).text) == listed_on(first)

    listed = client.get("/partnerships/", headers=EN).text
    assert "Showing 1–10 of 31." in listed and 'href="/partnerships/?page=2" rel="next"' in listed
    pages = [client.get(f"/partnerships/?page={n}", headers=EN).text for n in (1, 2, 3, 4)]
    seen = [
        line
        for page in pages
        for line in page.splitlines()
        if 'href="/partnerships/' in line and "<td>" in line
    ]
    assert len(seen) == len(set(seen)) == 31  # every partnership once, none on two pages


def test_the_quick_select_writes_what_wtforms_writes() -> None:
    """Long selects (a programme's institutions and partnerships) use workshop.widgets'
    QuickSelect: the same markup as WTForms' own, escaping and the chosen option included."""
    choices = options([(1, 'A & "B" <c>'), (2, "Ü"), (True, "yes")], placeholder="Choose…")

    class Both(Form):
        plain = SelectField(choices=choices, coerce=str, widget=Select())
        quick = SelectField(choices=choices, coerce=str, widget=QuickSelect())

    form = Both(data={"plain": "2", "quick": "2"})
    plain = str(form.plain(required=True)).replace('"plain"', '"x"')
    assert str(form.quick(required=True)).replace('"quick"', '"x"') == plain
    assert '<option selected value="2">Ü</option>' in plain and "&lt;c&gt;" in plain
