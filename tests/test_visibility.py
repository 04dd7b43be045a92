"""The object rules and the list filters of ``workshop.permissions`` must agree exactly.

Who may see a partnership, and who manages a seminar, is written twice in
``workshop.permissions``: in Python (``can_view_partnership``, ``can_manage_seminar``), because
those run on every group-work request on data the request has already loaded and must cost no
query; and in SQL (``visible_partnership_ids``, ``managed_seminar_ids``), which the list queries
filter with. If the two drifted, a list would offer a partnership whose page is a 404, or, worse,
hide nothing while the page check did. So this file walks every kind of person against every
kind of seminar and partnership and asserts that Python, SQL and the list queries the views use
all give the same answer, and that it is the expected one.

Adding a role, or a new way to be granted sight of a partnership, means adding it to the cast
below: ``test_the_cast_covers_every_role_and_every_kind_of_partnership`` fails until you do.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.factories import (
    World,
    make_account,
    make_institution,
    make_participant,
    make_partnership,
    make_seminar,
)
from tests.querycount import count_queries
from workshop.auth.services import load_session, open_session
from workshop.auth.signed_in import SignedIn
from workshop.extensions import db
from workshop.models import (
    Account,
    Institution,
    Membership,
    Partnership,
    Role,
    Seminar,
    Side,
    utcnow,
)
from workshop.partnerships.queries import visible_partnerships
from workshop.permissions import (
    attachable_partnership_ids,
    can_edit_institution,
    can_manage_seminar,
    can_view_partnership,
    editable_institution_ids,
    email_visible_account_ids,
    facilitator_account_ids,
    managed_seminar_ids,
    may_add_facilitator,
    may_attach_partnership,
    participant_seat,
    visible_partnership_ids,
)
from workshop.seminars.queries import seminars_managed_by

ALL_PARTNERSHIPS = frozenset({"in_a", "in_b", "in_a_and_b", "in_none"})
ALL_SEMINARS = frozenset({"a", "b", "empty"})

# Who sees which partnership: the spec both renderings are held to.
#   in_a        seminar A only; its UA hospital is "ua_one"
#   in_b        seminar B only; its foreign hospital is "foreign_two"
#   in_a_and_b  seminars A and B; UA hospital "ua_one" again
#   in_none     no seminar at all; foreign hospital "foreign_two" again
SEES: dict[str, frozenset[str]] = {
    "admin": ALL_PARTNERSHIPS,
    "admin_listed_as_facilitator_of_a": ALL_PARTNERSHIPS,
    "facilitator_of_a": frozenset({"in_a", "in_a_and_b"}),
    "facilitator_of_b": frozenset({"in_b", "in_a_and_b"}),
    "facilitator_of_a_and_b": frozenset({"in_a", "in_b", "in_a_and_b"}),
    "facilitator_of_none": frozenset(),
    "head_of_ua_institution": frozenset({"in_a", "in_a_and_b"}),
    "head_of_other_ua_institution": frozenset({"in_b"}),
    "head_of_foreign_institution": frozenset({"in_b", "in_none"}),
    "head_without_institution": frozenset(),
    # A facilitator whose role became "head" and who was left in seminar A's list: the list
    # gives a head nothing, their institution does.
    "head_left_listed_as_facilitator_of_a": frozenset({"in_none"}),
    "participant_seated_in_a": frozenset({"in_a"}),
    "participant_removed_from_a": frozenset(),
    "participant_of_another_partnership": frozenset({"in_b"}),
    "participant_removed_from_a_seated_in_a_and_b": frozenset({"in_a_and_b"}),
}

# Which seminars each of them manages.
MANAGES: dict[str, frozenset[str]] = {
    "admin": ALL_SEMINARS,
    "admin_listed_as_facilitator_of_a": ALL_SEMINARS,
    "facilitator_of_a": frozenset({"a"}),
    "facilitator_of_b": frozenset({"b"}),
    "facilitator_of_a_and_b": frozenset({"a", "b"}),
}


@dataclass
class Cast:
    actors: dict[str, Account]
    partnerships: dict[str, Partnership]
    seminars: dict[str, Seminar]


def _remove(account: Account, partnership: Partnership) -> None:
    seat = next(m for m in account.memberships if m.partnership_id == partnership.id)
    seat.active = False
    seat.removed_at = utcnow()


def build_cast(world: World) -> Cast:
    """The shared ``world`` (seminars A and B, one partnership, head, participant and facilitator
    each) plus every other kind of person and partnership the rules tell apart."""
    a, b = world.seminar, world.other_seminar
    empty = make_seminar()
    in_a, in_b = world.partnership, world.other_partnership
    in_a_and_b = make_partnership(
        ua=in_a.ua_institution, partner=make_institution(country="DE"), seminar=a
    )
    in_a_and_b.seminars.append(b)
    in_none = make_partnership(partner=in_b.partner_institution)

    admin_facilitating = make_account(role=Role.ADMIN)
    facilitator_of_both = make_account(role=Role.FACILITATOR)
    head_left_listed = make_account(role=Role.HEAD, institution=in_none.ua_institution)
    a.facilitators += [admin_facilitating, facilitator_of_both, head_left_listed]
    b.facilitators.append(facilitator_of_both)

    removed = make_participant(partnership=in_a, seminar=a)
    _remove(removed, in_a)
    moved = make_participant(partnership=in_a_and_b, seminar=b)
    db.session.add(Membership(account=moved, partnership=in_a, seminar=a, side=Side.UKRAINIAN))
    db.session.flush()
    _remove(moved, in_a)

    actors = {
        "admin": world.admin,
        "admin_listed_as_facilitator_of_a": admin_facilitating,
        "facilitator_of_a": world.facilitator,
        "facilitator_of_b": world.other_facilitator,
        "facilitator_of_a_and_b": facilitator_of_both,
        "facilitator_of_none": make_account(role=Role.FACILITATOR),
        "head_of_ua_institution": world.head,
        "head_of_other_ua_institution": world.other_head,
        "head_of_foreign_institution": make_account(
            role=Role.HEAD, institution=in_b.partner_institution
        ),
        "head_without_institution": make_account(role=Role.HEAD),
        "head_left_listed_as_facilitator_of_a": head_left_listed,
        "participant_seated_in_a": world.participant,
        "participant_removed_from_a": removed,
        "participant_of_another_partnership": world.other_participant,
        "participant_removed_from_a_seated_in_a_and_b": moved,
    }
    db.session.commit()
    return Cast(
        actors=actors,
        partnerships={
            "in_a": in_a,
            "in_b": in_b,
            "in_a_and_b": in_a_and_b,
            "in_none": in_none,
        },
        seminars={"a": a, "b": b, "empty": empty},
    )


@pytest.fixture
def cast(world: World) -> Cast:
    return build_cast(world)


def signed_in_per_request(cast: Cast, name: str) -> SignedIn:
    """The actor exactly as a request's session check reads them (plain values, seats joined),
    after forgetting everything the test session holds."""
    token = open_session(cast.actors[name], hours=1)
    db.session.commit()
    db.session.expire_all()
    person = load_session(token)
    assert person is not None
    return person


def as_loaded_per_request(cast: Cast, name: str) -> Account:
    """The account as a view gets it (``acting_account``): made from the session check's rows."""
    return signed_in_per_request(cast, name).account()


def names_of(cast: Cast, group: str, ids: set[int]) -> frozenset[str]:
    objects: dict[str, Partnership] | dict[str, Seminar] = getattr(cast, group)
    by_id = {o.id: key for key, o in objects.items()}
    unknown = ids - by_id.keys()
    assert not unknown, f"ids outside the cast: {unknown}"
    return frozenset(by_id[i] for i in ids)


@pytest.mark.parametrize("name", sorted(SEES))
def test_who_sees_a_partnership_is_the_same_in_python_and_in_sql(cast: Cast, name: str) -> None:
    person = signed_in_per_request(cast, name)
    # The autosave's rule on the plain values: a participant's seat, the same partnerships.
    by_seat = frozenset(
        key for key, p in cast.partnerships.items() if participant_seat(person, p.id) is not None
    )
    actor = person.account()
    in_python = frozenset(
        key
        for key, partnership in cast.partnerships.items()
        if can_view_partnership(actor, db.session.get(Partnership, partnership.id))
    )
    in_sql = names_of(cast, "partnerships", set(db.session.scalars(visible_partnership_ids(actor))))
    listed = names_of(cast, "partnerships", {p.id for p in visible_partnerships(actor)})

    assert in_python == in_sql, f"{name}: Python {sorted(in_python)}, SQL {sorted(in_sql)}"
    assert listed == in_sql, f"{name}: the list shows {sorted(listed)}, not {sorted(in_sql)}"
    assert in_python == SEES[name]
    assert by_seat == (in_python if actor.role is Role.PARTICIPANT else frozenset()), name


@pytest.mark.parametrize("name", sorted(SEES))
def test_who_manages_a_seminar_is_the_same_in_python_and_in_sql(cast: Cast, name: str) -> None:
    actor = as_loaded_per_request(cast, name)
    in_python = frozenset(
        key
        for key, seminar in cast.seminars.items()
        if can_manage_seminar(actor, db.session.get(Seminar, seminar.id))
    )
    in_sql = names_of(cast, "seminars", set(db.session.scalars(managed_seminar_ids(actor))))
    listed = names_of(cast, "seminars", {s.id for s in seminars_managed_by(actor)})

    assert in_python == in_sql, f"{name}: Python {sorted(in_python)}, SQL {sorted(in_sql)}"
    assert listed == in_sql, f"{name}: the list shows {sorted(listed)}, not {sorted(in_sql)}"
    assert in_python == MANAGES.get(name, frozenset())


def test_the_cast_covers_every_role_and_every_kind_of_partnership(cast: Cast) -> None:
    """A new role (or a partnership in a new kind of place) must join the walk above."""
    assert {a.role for a in cast.actors.values()} == set(Role)
    assert set(cast.actors) == set(SEES)
    assert set(MANAGES) <= set(SEES)
    assert {len(p.seminars) for p in cast.partnerships.values()} == {0, 1, 2}
    assert {m.active for a in cast.actors.values() for m in a.memberships} == {True, False}


@pytest.mark.parametrize(
    "name", ["participant_seated_in_a", "participant_removed_from_a", "head_of_ua_institution"]
)
def test_the_python_check_costs_no_query_for_participants_and_heads(cast: Cast, name: str) -> None:
    """Why the per-object rule stays in Python: on what a request has loaded it is free."""
    actor = as_loaded_per_request(cast, name)
    partnerships = [db.session.get(Partnership, p.id) for p in cast.partnerships.values()]
    with count_queries() as statements:
        for partnership in partnerships:
            can_view_partnership(actor, partnership)
    assert statements == []


# -- Ids in bodies, institutions, e-mails ---------------------------------------------------------

# Which partnerships each may bring into a seminar they run (``may_attach_partnership``): their
# own seminars' and the unplaced pool; never one of somebody else's seminar.
ATTACHES: dict[str, frozenset[str]] = {
    "admin": ALL_PARTNERSHIPS,
    "admin_listed_as_facilitator_of_a": ALL_PARTNERSHIPS,
    "facilitator_of_a": frozenset({"in_a", "in_a_and_b", "in_none"}),
    "facilitator_of_b": frozenset({"in_b", "in_a_and_b", "in_none"}),
    "facilitator_of_a_and_b": ALL_PARTNERSHIPS,
    "facilitator_of_none": frozenset({"in_none"}),
}


@pytest.mark.parametrize("name", sorted(SEES))
def test_who_may_attach_a_partnership_is_the_same_in_python_and_in_sql(
    cast: Cast, name: str
) -> None:
    actor = as_loaded_per_request(cast, name)
    in_python = frozenset(
        key
        for key, partnership in cast.partnerships.items()
        if may_attach_partnership(actor, db.session.get(Partnership, partnership.id))
    )
    in_sql = names_of(
        cast, "partnerships", set(db.session.scalars(attachable_partnership_ids(actor)))
    )
    assert in_python == in_sql, f"{name}: Python {sorted(in_python)}, SQL {sorted(in_sql)}"
    assert in_python == ATTACHES.get(name, frozenset())


def test_who_may_be_added_as_a_facilitator_is_the_same_in_python_and_in_sql(cast: Cast) -> None:
    admin = as_loaded_per_request(cast, "admin")
    seminar = db.session.get(Seminar, cast.seminars["a"].id)
    assert seminar is not None
    in_sql = set(db.session.scalars(facilitator_account_ids()))
    for name, account in cast.actors.items():
        in_python = may_add_facilitator(admin, seminar, account)
        assert in_python == (account.id in in_sql), name
        assert in_python == name.startswith("facilitator_of_"), name


def institutions_of(cast: Cast) -> dict[str, Institution]:
    """The cast's hospitals by where they stand: in which partnerships, or none."""
    p = cast.partnerships
    return {
        "ua_of_a_and_a_and_b": p["in_a"].ua_institution,
        "partner_of_a": p["in_a"].partner_institution,
        "partner_of_a_and_b": p["in_a_and_b"].partner_institution,
        "ua_of_b": p["in_b"].ua_institution,
        "partner_of_b_and_none": p["in_b"].partner_institution,
        "ua_of_none": p["in_none"].ua_institution,
        "unpaired": db.session.scalar(
            sa.select(Institution).where(Institution.name_en == "Unpaired Hospital")
        ),
    }


ALL_INSTITUTIONS = frozenset(
    {
        "ua_of_a_and_a_and_b",
        "partner_of_a",
        "partner_of_a_and_b",
        "ua_of_b",
        "partner_of_b_and_none",
        "ua_of_none",
        "unpaired",
    }
)
# Who may change which hospital: admins all; a facilitator their seminars' partnerships'
# hospitals and the unpaired ones; nobody else any.
EDITS: dict[str, frozenset[str]] = {
    "admin": ALL_INSTITUTIONS,
    "admin_listed_as_facilitator_of_a": ALL_INSTITUTIONS,
    "facilitator_of_a": frozenset(
        {"ua_of_a_and_a_and_b", "partner_of_a", "partner_of_a_and_b", "unpaired"}
    ),
    "facilitator_of_b": frozenset(
        {
            "ua_of_a_and_a_and_b",
            "partner_of_a_and_b",
            "ua_of_b",
            "partner_of_b_and_none",
            "unpaired",
        }
    ),
    "facilitator_of_a_and_b": ALL_INSTITUTIONS - {"ua_of_none"},
    "facilitator_of_none": frozenset({"unpaired"}),
}


@pytest.mark.parametrize("name", sorted(SEES))
def test_who_may_edit_an_institution_is_the_same_for_one_and_for_the_list(
    cast: Cast, name: str
) -> None:
    make_institution(country="PL", name_en="Unpaired Hospital")
    db.session.commit()
    actor = as_loaded_per_request(cast, name)
    institutions = institutions_of(cast)
    assert set(institutions) == ALL_INSTITUTIONS
    one_by_one = frozenset(
        key for key, inst in institutions.items() if can_edit_institution(actor, inst)
    )
    listed = set(db.session.scalars(editable_institution_ids(actor)))
    by_id = {inst.id: key for key, inst in institutions.items()}
    assert listed <= by_id.keys(), "ids outside the cast"
    assert one_by_one == frozenset(by_id[i] for i in listed)
    assert one_by_one == EDITS.get(name, frozenset())


_SEMINAR_A_PEOPLE = {
    "admin_listed_as_facilitator_of_a",
    "facilitator_of_a",
    "facilitator_of_a_and_b",
    "head_left_listed_as_facilitator_of_a",
    "participant_seated_in_a",
}
_SEMINAR_B_PEOPLE = {
    "facilitator_of_b",
    "facilitator_of_a_and_b",
    "participant_of_another_partnership",
    "participant_removed_from_a_seated_in_a_and_b",
}
# Whose e-mail each may see: admins everybody's; a facilitator the people of the seminars they
# run (co-facilitators, seated participants; a removed seat no longer counts); others their own.
EMAILS: dict[str, frozenset[str]] = {
    "admin": frozenset(SEES),
    "admin_listed_as_facilitator_of_a": frozenset(SEES),
    "facilitator_of_a": frozenset(_SEMINAR_A_PEOPLE),
    "facilitator_of_b": frozenset(_SEMINAR_B_PEOPLE),
    "facilitator_of_a_and_b": frozenset(_SEMINAR_A_PEOPLE | _SEMINAR_B_PEOPLE),
}


@pytest.mark.parametrize("name", sorted(SEES))
def test_whose_email_each_may_see(cast: Cast, name: str) -> None:
    actor = as_loaded_per_request(cast, name)
    visible = set(db.session.scalars(email_visible_account_ids(actor)))
    by_id = {account.id: key for key, account in cast.actors.items()}
    seen = frozenset(by_id[i] for i in visible if i in by_id)
    assert seen == EMAILS.get(name, frozenset({name}))
