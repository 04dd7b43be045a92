"""Who may see or change what: every rule of the app, in one module.

Two layers. ``ENDPOINT_ACCESS`` says which kind of person may reach each endpoint at all; the
app refuses any endpoint missing from it (fail closed), and the test suite fails when a route
has no entry. The ``can_*`` functions decide about one object and are called by the views.
"""

from __future__ import annotations

import enum

from workshop.models import Account, ImportBatch, Membership, Partnership, Role, Seminar


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
    "groupwork.stage": Access.SIGNED_IN,
    "groupwork.save_section": Access.PARTICIPANT,
    "groupwork.autosave": Access.PARTICIPANT,
    "groupwork.history": Access.SIGNED_IN,
    "trace.page": Access.SIGNED_IN,
    "groupwork.restore": Access.PARTICIPANT,
    "groupwork.csrf_token": Access.SIGNED_IN,
    "review.submit": Access.PARTICIPANT,
    "groupwork.take_suggestions": Access.PARTICIPANT,
    "groupwork.here": Access.SIGNED_IN,
    "review.vote": Access.PARTICIPANT,
    "review.reveal_votes": Access.STAFF,
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


def can_manage_seminar(actor: Account, seminar: Seminar) -> bool:
    """Admins manage every seminar; a facilitator only the seminars they are assigned to."""
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.FACILITATOR and any(f.id == actor.id for f in seminar.facilitators)


def can_view_partnership(actor: Account, partnership: Partnership) -> bool:
    """Admins see all; facilitators their seminars' partnerships; heads their institution's;
    participants only the partnership they sit in."""
    if actor.role is Role.ADMIN:
        return True
    if actor.role is Role.FACILITATOR:
        return any(can_manage_seminar(actor, s) for s in partnership.seminars)
    if actor.role is Role.HEAD:
        return actor.institution_id in (
            partnership.ua_institution_id,
            partnership.partner_institution_id,
        )
    return any(m.active and m.partnership_id == partnership.id for m in actor.memberships)


def can_use_import(actor: Account, batch: ImportBatch) -> bool:
    """A pending import belongs to the person who uploaded it."""
    return actor.role is Role.ADMIN or batch.created_by_id == actor.id


def seat_at(actor: Account, partnership: Partnership) -> Membership | None:
    """The active seat ``actor`` has at this partnership's table: only seated people write."""
    return next(
        (m for m in actor.memberships if m.active and m.partnership_id == partnership.id), None
    )


def can_review(actor: Account, partnership: Partnership) -> bool:
    """Facilitators of the partnership's seminars (and admins) review, approve and reopen."""
    return actor.is_staff and can_view_partnership(actor, partnership)


def can_comment(actor: Account, partnership: Partnership) -> bool:
    """People at the table discuss with the facilitators who review them."""
    return seat_at(actor, partnership) is not None or can_review(actor, partnership)
