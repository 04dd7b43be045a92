"""Who may see or change what: every rule of the app, in one module.

Two layers. ``ENDPOINT_ACCESS`` says which kind of person may reach each endpoint at all; the
app refuses any endpoint missing from it (fail closed), and the test suite fails when a route
has no entry. The ``can_*`` functions decide about one object and are called by the views;
``managed_seminar_ids`` and ``visible_partnership_ids`` are the same object rules as SQL, for the
list queries (see the comment above ``can_manage_seminar`` for why a rule is written twice).
"""

from __future__ import annotations

import enum

import sqlalchemy as sa

from workshop.models import (
    Account,
    ImportBatch,
    Membership,
    Partnership,
    Role,
    Seminar,
    seminar_facilitator,
    seminar_partnership,
)


class Access(enum.Enum):
    PUBLIC = "public"  # anybody, signed in or not
    SIGNED_IN = "signed_in"  # any account; the view checks the object
    PARTICIPANT = "participant"
    STAFF = "staff"  # facilitators and admins; the view checks the object
    ADMIN = "admin"


ENDPOINT_ACCESS: dict[str, Access] = {
    "static": Access.PUBLIC,
    "main.index": Access.PUBLIC,
    "main.health": Access.PUBLIC,
    "prefs.language": Access.PUBLIC,
    "prefs.display": Access.PUBLIC,
    "auth.login": Access.PUBLIC,
    "auth.logout": Access.SIGNED_IN,
    "auth.join": Access.PUBLIC,
    "auth.join_details": Access.PUBLIC,
    "auth.resume": Access.PUBLIC,
    "auth.welcome": Access.PARTICIPANT,
    "partnerships.index": Access.SIGNED_IN,
    "partnerships.detail": Access.SIGNED_IN,
    "partnerships.new": Access.STAFF,
    "institutions.index": Access.STAFF,
    "institutions.new": Access.STAFF,
    "institutions.edit": Access.STAFF,
    "seminars.index": Access.STAFF,
    "seminars.new": Access.STAFF,
    "seminars.detail": Access.STAFF,
    "seminars.edit": Access.STAFF,
    "seminars.rotate_code": Access.STAFF,
    "seminars.set_join_open": Access.STAFF,
    "seminars.add_partnership": Access.STAFF,
    "seminars.add_facilitator": Access.STAFF,
    "seminars.remove_member": Access.STAFF,
    "imports.new": Access.STAFF,
    "imports.preview": Access.STAFF,
    "imports.confirm": Access.STAFF,
    "imports.template": Access.STAFF,
    "stage.page": Access.SIGNED_IN,
    "stage.save_section": Access.PARTICIPANT,
    "answers.autosave": Access.PARTICIPANT,
    "answers.history": Access.SIGNED_IN,
    "trace.page": Access.SIGNED_IN,
    "answers.restore": Access.PARTICIPANT,
    "answers.csrf_token": Access.SIGNED_IN,
    "review.submit": Access.PARTICIPANT,
    "stage.take_suggestions": Access.PARTICIPANT,
    "stage.here": Access.SIGNED_IN,
    "voting.vote": Access.PARTICIPANT,
    "voting.reveal": Access.STAFF,
    "review.decide": Access.STAFF,
    "review.comment": Access.SIGNED_IN,
    "review.resolve_comment": Access.SIGNED_IN,
    "accounts.index": Access.ADMIN,
    "accounts.new": Access.ADMIN,
    "accounts.set_active": Access.ADMIN,
}


def may_reach(actor: Account | None, access: Access) -> bool:
    """Whether ``actor`` (None when anonymous) may reach an endpoint of this access level."""
    if access is Access.PUBLIC:
        return True
    if actor is None:
        return False
    if access is Access.SIGNED_IN:
        return True
    if access is Access.PARTICIPANT:
        return actor.role is Role.PARTICIPANT
    if access is Access.STAFF:
        return actor.role in (Role.ADMIN, Role.FACILITATOR)
    return actor.role is Role.ADMIN


# -- Who may see which seminar and partnership -------------------------------------------------
#
# Each rule below exists in two renderings, and on purpose:
#
# * ``can_manage_seminar`` / ``can_view_partnership`` decide about ONE object, in Python, on what
#   the request has already loaded. They run on every group-work request (an autosave included,
#   whose query count tests/test_groupwork.py caps) and several times per page (view, review,
#   comment). For a participant the session loader has already joined their seats
#   (workshop/auth/sessions.py -> auth.services.load_session), for a head the institution id is a
#   column of the account and the partnership: the check costs no query. Asking the database
#   instead would add a query to every such request.
# * ``managed_seminar_ids`` / ``visible_partnership_ids`` are the SAME rules as SQL: the set of
#   ids an actor may see, for lists. Every list query filters with them and with nothing else
#   (workshop/seminars/queries.py, workshop/partnerships/queries.py), so there is no third copy.
#
# The two renderings sit next to each other, branch for branch, and tests/test_visibility.py walks
# every role against every kind of seminar and partnership and fails on any disagreement between
# them (and with the expected answer). Change one, change its twin in the same commit.
# Both fail closed: a role neither rendering names sees nothing.


def can_manage_seminar(actor: Account, seminar: Seminar) -> bool:
    """Admins manage every seminar; a facilitator only the seminars they are assigned to.

    Python twin of ``managed_seminar_ids``. Anybody else (a head, a participant, even one left in
    a seminar's facilitator list after their role changed) manages nothing.
    """
    if actor.role is Role.ADMIN:
        return True
    if actor.role is Role.FACILITATOR:
        return any(f.id == actor.id for f in seminar.facilitators)
    return False


def managed_seminar_ids(actor: Account) -> sa.Select[tuple[int]]:
    """The ids of the seminars ``actor`` manages, as SQL: the list twin of ``can_manage_seminar``.

    Use as ``Seminar.id.in_(managed_seminar_ids(actor))``. The select never correlates with the
    query it is put in: it is a self-contained set.
    """
    if actor.role is Role.ADMIN:
        return _ids(sa.select(Seminar.id))
    if actor.role is Role.FACILITATOR:
        return _ids(
            sa.select(seminar_facilitator.c.seminar_id).where(
                seminar_facilitator.c.account_id == actor.id
            )
        )
    return _ids(sa.select(Seminar.id).where(sa.false()))


def can_view_partnership(actor: Account, partnership: Partnership) -> bool:
    """Admins see all; facilitators their seminars' partnerships; heads their institution's;
    participants only the partnership they sit in (an active seat: a removed person is out).

    Python twin of ``visible_partnership_ids``: no query for participants and heads, whose data
    the request has loaded already (see the comment above).
    """
    if actor.role is Role.ADMIN:
        return True
    if actor.role is Role.FACILITATOR:
        return any(can_manage_seminar(actor, s) for s in partnership.seminars)
    if actor.role is Role.HEAD:
        return actor.institution_id is not None and actor.institution_id in (
            partnership.ua_institution_id,
            partnership.partner_institution_id,
        )
    if actor.role is Role.PARTICIPANT:
        return seat_at(actor, partnership) is not None
    return False


def visible_partnership_ids(actor: Account) -> sa.Select[tuple[int]]:
    """The ids of the partnerships ``actor`` may see, as SQL: the list twin of
    ``can_view_partnership``, branch for branch.

    Use as ``Partnership.id.in_(visible_partnership_ids(actor))``; an id may come more than once
    (a partnership in two of a facilitator's seminars), which ``IN`` does not mind.
    """
    if actor.role is Role.ADMIN:
        return _ids(sa.select(Partnership.id))
    if actor.role is Role.FACILITATOR:
        return _ids(
            sa.select(seminar_partnership.c.partnership_id).where(
                seminar_partnership.c.seminar_id.in_(managed_seminar_ids(actor))
            )
        )
    if actor.role is Role.HEAD and actor.institution_id is not None:
        return _ids(
            sa.select(Partnership.id).where(
                sa.or_(
                    Partnership.ua_institution_id == actor.institution_id,
                    Partnership.partner_institution_id == actor.institution_id,
                )
            )
        )
    if actor.role is Role.PARTICIPANT:
        return _ids(
            sa.select(Membership.partnership_id).where(
                Membership.account_id == actor.id, Membership.active.is_(True)
            )
        )
    return _ids(sa.select(Partnership.id).where(sa.false()))


def _ids(select: sa.Select[tuple[int]]) -> sa.Select[tuple[int]]:
    # Without this, SQLAlchemy would correlate e.g. ``SELECT partnership.id`` with an outer query
    # over ``partnership`` and leave the subquery with no FROM at all.
    return select.correlate(None)


def can_use_import(actor: Account, batch: ImportBatch) -> bool:
    """A pending import belongs to the person who uploaded it."""
    return actor.role is Role.ADMIN or batch.created_by_id == actor.id


def seat_at(actor: Account, partnership: Partnership) -> Membership | None:
    """The active seat ``actor`` has at this partnership's table: only seated people write.

    Reads the seats the session loader joined onto the account: no query.
    """
    return next(
        (m for m in actor.memberships if m.active and m.partnership_id == partnership.id), None
    )


def can_review(actor: Account, partnership: Partnership) -> bool:
    """Facilitators of the partnership's seminars (and admins) review, approve and reopen."""
    return actor.is_staff and can_view_partnership(actor, partnership)


def can_comment(actor: Account, partnership: Partnership) -> bool:
    """People at the table discuss with the facilitators who review them."""
    return seat_at(actor, partnership) is not None or can_review(actor, partnership)
