"""Lists keep their order whatever order the database stores their rows in.

Without an ORDER BY, or with one that leaves ties, PostgreSQL returns rows in the order its
table pages hold them, and that order changes after an UPDATE, a VACUUM or a restore: a page
then shows its lines in another order from one load to the next, and a "first match wins"
pick changes. Each test here stores rows whose insertion order is not the order to show (or
whose sort keys tie), then on PostgreSQL rewrites them one by one (``_lay_out``): an UPDATE
writes a row's new version after the others, so an unordered scan meets the rows in the order
they were rewritten. The page or query must show the same order for every layout.
SQLite reads in rowid order and cannot be reordered so; the same tests run there unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from flask.testing import FlaskClient

from tests import factories
from tests.factories import World
from workshop.extensions import db
from workshop.imports.matching import Registry
from workshop.imports.names import name_key
from workshop.models import Account, Membership, Side, StageRun, StageStatus, utcnow
from workshop.partnerships.queries import members_by_side

EN = {"Accept-Language": "en"}
Login = Callable[[Account], FlaskClient]


def _lay_out(table: str, column: str, values: Sequence[int]) -> None:
    """On PostgreSQL, store the rows of ``table`` whose ``column`` holds each of ``values`` in
    that order (the others after them), committed. CLUSTER rewrites the table in the order of
    a throw-away index on each row's place in ``values``: a sequential scan then meets the rows
    in that order, and so does an index scan through rows that tie on its key (an index keeps
    ties in storage order). An UPDATE moves a row to the end of its page too, but a HOT update
    leaves the index pointing at its old place, so index scans would not notice."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        wanted = ",".join(str(int(value)) for value in values)
        place = f"array_position(ARRAY[{wanted}]::bigint[], {column}::bigint)"
        for statement in (
            f"CREATE INDEX row_order_test ON {table} (({place}))",
            f"CLUSTER {table} USING row_order_test",
            "DROP INDEX row_order_test",
        ):
            db.session.execute(sa.text(statement))
        db.session.commit()
    db.session.expire_all()


def _layouts(ids: Sequence[int]) -> list[list[int]]:
    """Storage orders to try: reversed, then the middle first, then as inserted."""
    ids = list(ids)
    middle = len(ids) // 2
    return [ids[::-1], ids[middle:] + ids[:middle], ids]


def _twice(client: FlaskClient, url: str, pattern: str) -> list[str]:
    """The "; "-separated list a page shows where ``pattern`` finds it, the same on two loads."""
    loads = []
    for _load in range(2):
        found = re.search(pattern, client.get(url, headers=EN).get_data(as_text=True))
        assert found is not None, url
        loads.append(found.group(1).split("; "))
    assert loads[0] == loads[1], loads
    return loads[0]


def test_seminars_starting_on_one_day_keep_their_places_on_the_list(
    world: World, login: Login
) -> None:
    day = date(2025, 3, 10)
    same_day = []
    for n in range(3):
        seminar = factories.make_seminar(facilitators=[world.facilitator])
        seminar.starts_on = seminar.ends_on = day
        seminar.title_en = f"Parallel {n}"
        same_day.append(seminar)
    later = factories.make_seminar(facilitators=[world.facilitator])
    later.starts_on = later.ends_on = day + timedelta(days=30)
    later.title_en = "Later one"
    # Newest first; seminars of one day the newest made first (the id breaks the tie).
    expected = ["Later one", "Parallel 2", "Parallel 1", "Parallel 0", world.seminar.title_en]
    ids = [s.id for s in [*same_day, later]]
    client = login(world.facilitator)
    for layout in _layouts(ids):
        _lay_out("seminar", "id", layout)
        for _load in range(2):
            page = client.get("/seminars/", headers=EN).get_data(as_text=True)
            titles = re.findall(r'<h2><a href="/seminars/\d+">([^<]*)</a></h2>', page)
            assert titles == expected, layout


def test_the_partnership_page_lists_its_seminars_oldest_first(world: World, login: Login) -> None:
    partnership = factories.make_partnership()
    made = []
    for title, starts_on in [
        ("Autumn", date(2025, 10, 1)),  # made first, shown last
        ("Spring A", date(2025, 4, 1)),
        ("Spring B", date(2025, 4, 1)),  # the same day: after A, made before it
    ]:
        seminar = factories.make_seminar(facilitators=[world.facilitator])
        seminar.title_en, seminar.starts_on, seminar.ends_on = title, starts_on, starts_on
        made.append(seminar)
    # Linked in an order that is neither the shown one nor the ids'.
    for seminar in (made[2], made[0], made[1]):
        partnership.seminars.append(seminar)
    client = login(world.facilitator)
    ids = [s.id for s in made]
    for layout in _layouts(ids):
        _lay_out("seminar", "id", layout)
        _lay_out("seminar_partnership", "seminar_id", layout)
        shown = _twice(
            client, f"/partnerships/{partnership.id}", r"<dt>Seminars</dt><dd>(.*?)</dd>"
        )
        assert [part.split(" (")[0] for part in shown] == ["Spring A", "Spring B", "Autumn"], layout


def test_members_with_the_same_name_keep_their_places(world: World) -> None:
    partnership = world.partnership
    people = [
        factories.make_participant(partnership=partnership, seminar=world.seminar) for _ in range(4)
    ]
    for person in people:
        person.display_name = "Olena"
    world.participant.display_name = "Andrii"  # sorts first by name
    memberships = db.session.scalars(
        sa.select(Membership.id)
        .where(Membership.account_id.in_([p.id for p in people]))
        .order_by(Membership.id)
    ).all()
    for layout in _layouts(memberships):
        _lay_out("membership", "id", layout)
        _lay_out("account", "id", [p.id for p in people][::-1])
        for _load in range(2):
            db.session.expire_all()
            shown = members_by_side(partnership)
            assert [m.account.display_name for m in shown["ua"]] == ["Andrii"] + ["Olena"] * 4
            assert [m.id for m in shown["ua"][1:]] == list(memberships), layout
            assert all(m.side == Side.UKRAINIAN for m in shown["ua"])


def test_an_imported_name_matches_the_oldest_of_two_hospitals_spelled_alike(app: object) -> None:
    oldest = factories.make_institution(country="SE", name_en="City Hospital № 5")
    newer = factories.make_institution(country="SE", name_en="City Hospital №5")
    assert name_key(oldest.name_en) == name_key(newer.name_en)
    for layout in ([newer.id, oldest.id], [oldest.id, newer.id], [newer.id, oldest.id]):
        _lay_out("institution", "id", layout)
        found = Registry.from_database().find("SE", "CITY HOSPITAL №5", None)
        assert found is not None
        assert found.id == oldest.id, layout


def test_stages_being_revised_are_named_in_the_methods_order(world: World, login: Login) -> None:
    partnership = world.partnership
    # Reopened after approval, the later stage's run made first (runs are made when first used).
    runs = [
        StageRun(
            partnership_id=partnership.id,
            stage_key=key,
            status=StageStatus.REOPENED,
            first_approved_at=utcnow(),
        )
        # Neither as made (3, 4, 2) nor by key (4, 2, 3) is the method's order (2, 3, 4).
        for key in ("priorities", "action_plan", "needs")
    ]
    db.session.add_all(runs)
    db.session.flush()
    client = login(world.facilitator)
    for layout in _layouts([r.id for r in runs]):
        _lay_out("stage_run", "id", layout)
        shown = _twice(client, f"/seminars/{world.seminar.id}", r"being revised: (.*?)</span>")
        assert [part.split(".")[0] for part in shown] == ["2", "3", "4"], layout
