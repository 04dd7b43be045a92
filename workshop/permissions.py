"""Who may see or change what: every rule of the app, in one module.

Two layers. ``ENDPOINT_ACCESS`` says which kind of person may reach each endpoint at all; the
app refuses any endpoint missing from it (fail closed), and the test suite fails when a route
has no entry. The ``can_*`` functions decide about one object and are called by the views;
``managed_seminar_ids`` and ``visible_partnership_ids`` are the same object rules as SQL, for the
list queries (see the comment above ``can_manage_seminar`` for why a rule is written twice).

An id that arrives in a form or JSON body names an object just as a path id does, and passes
the rules here too (see "Ids in bodies" below): ``ENDPOINT_ACCESS`` cannot see a body.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa

from workshop.extensions import db
from workshop.models import (
    Account,
    Comment,
    ImportBatch,
    Institution,
    Job,
    Membership,
    Partnership,
    Role,
    Seminar,
    seminar_facilitator,
    seminar_partnership,
)

if TYPE_CHECKING:
    from workshop.auth.signed_in import Seat, SignedIn

AnySeat = TypeVar("AnySeat", "Membership", "Seat")


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
    "auth.password": Access.SIGNED_IN,  # the view: only an account with a password
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
    "seminars.remove_facilitator": Access.STAFF,
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
    # Documents: the views check the partnership (can_view_partnership) or the signer (may_sign).
    "documents.portal": Access.SIGNED_IN,
    "documents.partnership": Access.SIGNED_IN,
    "documents.make_version": Access.SIGNED_IN,
    "documents.download": Access.SIGNED_IN,
    "documents.sign": Access.SIGNED_IN,
    # Anybody holding a printout: the address holds a secret token printed on the document.
    "documents.verify": Access.PUBLIC,
    # Background jobs: anybody may have started one (a PDF); the views check can_see_job.
    "jobs.progress": Access.SIGNED_IN,
    "jobs.result": Access.SIGNED_IN,
    "jobs.restart": Access.SIGNED_IN,
    "jobs.seminar_documents": Access.STAFF,  # and the view checks can_manage_seminar
    # Exports (issue 10): the views check can_manage_seminar (another's seminar is a 404).
    "exports.page": Access.STAFF,
    "exports.answers": Access.STAFF,
    "exports.seminar_json": Access.STAFF,
    # Dashboard and review queue (issue 10): the views load the seminar through
    # managed_seminar_ids (can_manage_seminar's SQL twin); a help request or a stage run named
    # in a form must belong to that seminar.
    "dashboard.page": Access.STAFF,
    "dashboard.changes": Access.STAFF,
    "dashboard.answer_help": Access.STAFF,
    "dashboard.set_stuck_minutes": Access.STAFF,
    "queue.page": Access.STAFF,
    "queue.approve": Access.STAFF,
    # Partnership view and programme overview (issue 10): the partnership view checks
    # can_view_partnership (a seated participant reads their own table's, no other); the
    # programme overview is the programme lead's, across every seminar.
    "partnership_view.page": Access.SIGNED_IN,
    "programme.page": Access.ADMIN,
    # Audit log (issue 11, R9): the programme lead reads the whole trail.
    "auditlog.page": Access.ADMIN,
    "auditlog.csv_file": Access.ADMIN,
    # Plenary (issue 10): a table's page and its poll need an active seat there (seat_at;
    # anybody else, staff included, gets a 404); the facilitator's pages load the seminar
    # through managed_seminar_ids. Proposal ids in forms are looked up inside that seminar only.
    "plenary.table": Access.SIGNED_IN,
    "plenary.table_changes": Access.SIGNED_IN,
    "plenary.manage": Access.STAFF,
    "plenary.changes": Access.STAFF,
    "plenary.merge": Access.STAFF,
    "plenary.split": Access.STAFF,
    "plenary.set_state": Access.STAFF,
    "plenary.export": Access.STAFF,
    # Live control (issue 10): the facilitator's controls and the projector load the seminar
    # through managed_seminar_ids (can_manage_seminar's SQL twin); stage keys in forms must be
    # stages of that seminar's tables. A table's poll and its "Ask for help" need an active
    # seat there (seat_at; anybody else, staff included, gets a 404).
    "control.page": Access.STAFF,
    "control.stage": Access.STAFF,
    "control.countdown": Access.STAFF,
    "control.notice": Access.STAFF,
    "control.votes": Access.STAFF,
    "control.projector": Access.STAFF,
    "control.projector_live": Access.STAFF,
    "control.table_live": Access.SIGNED_IN,
    "control.ask_help": Access.SIGNED_IN,
}


def may_reach(actor: Account | SignedIn | None, access: Access) -> bool:
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


def may_sign(actor: Account, partnership: Partnership) -> bool:
    """Only a hospital head signs documents, and only for a partnership their institution is in
    (which side they sign for follows from the institution)."""
    return (
        actor.role is Role.HEAD
        and actor.active
        and actor.institution_id is not None
        and actor.institution_id
        in (partnership.ua_institution_id, partnership.partner_institution_id)
    )


def can_use_import(actor: Account, batch: ImportBatch) -> bool:
    """A pending import belongs to the person who uploaded it."""
    return actor.role is Role.ADMIN or batch.created_by_id == actor.id


def can_see_job(actor: Account, job: Job) -> bool:
    """A background job (its page, its download, starting it again) is its starter's, and
    admins'. Anybody else is not told it exists: it holds what its starter may see."""
    return actor.role is Role.ADMIN or (
        job.created_by_id is not None and job.created_by_id == actor.id
    )


def seat_at(actor: Account, partnership: Partnership) -> Membership | None:
    """The active seat ``actor`` has at this partnership's table: only seated people write.

    Reads the seats the session loader read with the account: no query.
    """
    return _active_seat(actor.memberships, partnership.id)


def participant_seat(actor: SignedIn, partnership_id: int) -> Seat | None:
    """A participant's active seat at this table, from the session check's plain values.

    The participant branch of ``can_view_partnership`` with ``seat_at``, for the autosave, which
    then makes no object at all (auth/signed_in.py). None for every other role: they take the
    full check, which also tells an unseen partnership (404) from one without a seat (403).
    """
    if actor.role is not Role.PARTICIPANT:
        return None
    return _active_seat(actor.seats, partnership_id)


def _active_seat(seats: Iterable[AnySeat], partnership_id: int) -> AnySeat | None:
    return next((s for s in seats if s.active and s.partnership_id == partnership_id), None)


def can_review(actor: Account, partnership: Partnership) -> bool:
    """Facilitators of the partnership's seminars (and admins) review, approve and reopen."""
    return actor.is_staff and can_view_partnership(actor, partnership)


def can_comment(actor: Account, partnership: Partnership) -> bool:
    """People at the table discuss with the facilitators who review them."""
    return seat_at(actor, partnership) is not None or can_review(actor, partnership)


# -- Ids in bodies -------------------------------------------------------------------------------
#
# Every id a form or a script posts, and the rule it passes (the path ids are checked by the view
# that loads them, with the rules above):
#
#   seminar page, "add partnership"   partnership  may_attach_partnership
#   seminar page, "add facilitator"   account      may_add_facilitator
#   seminar page, remove a person     membership   may_remove_member (an id in the path, but
#                                                  of a seat that must be in that seminar)
#   seminar page, remove facilitator  account      may_remove_facilitator (idem)
#   new partnership, import           seminar      may_place_in
#   new partnership                   institutions any: the registry of hospitals is shared, and
#                                                  a foreign hospital partners several Ukrainian
#                                                  ones; pairing one changes nothing in it
#   new account (admins)              institution  any
#   switching an account on or off    account      may_switch_account
#   a comment, or resolving one       thread       comment_at_table
#   joining (workshop/auth)           partnership  one of the seminar's (auth.services.join)
#   plenary: withdraw, vote, merge,   proposal     of the seminar the path (or the seat) names,
#   split (issue 10)                               and withdraw: of the seated table
#                                                  (facilitation/plenary/services.py)
#   dashboard, "Answered" (issue 10)  help request of the seminar the path names
#   review queue, bulk approve        stage runs   of partnerships in the seminar the path
#   (issue 10)                                     names, all of them or nothing changes
#   restore, votes, review questions, table rows: numbers and keys inside the partnership the
#   path names (a version of this answer, a row of this table, a question of this stage),
#   never ids that reach outside it.


def may_attach_partnership(actor: Account, partnership: Partnership) -> bool:
    """Who may put ``partnership`` into a seminar they manage.

    Attaching hands the seminar's facilitators the partnership's whole work (they read, review,
    approve and reopen it) and lets the seminar's join code seat people at its table, so it is
    a grant of access, not a listing. Admins attach any. A facilitator attaches a partnership
    already in one of their own seminars (a pair moving on to their next seminar), or one in no
    seminar at all: the programme lead's pool of pairs waiting for a seminar, where nobody has
    joined yet and nothing is written. Never one in somebody else's seminar: that facilitator,
    or an admin, brings it in. Python twin of ``attachable_partnership_ids``.
    """
    if actor.role is Role.ADMIN:
        return True
    if actor.role is Role.FACILITATOR:
        return not partnership.seminars or can_view_partnership(actor, partnership)
    return False


def attachable_partnership_ids(actor: Account) -> sa.Select[tuple[int]]:
    """The SQL twin of ``may_attach_partnership``, for the seminar page's choice."""
    if actor.role is Role.ADMIN:
        return _ids(sa.select(Partnership.id))
    if actor.role is Role.FACILITATOR:
        return _ids(
            sa.select(Partnership.id).where(
                sa.or_(
                    Partnership.id.in_(visible_partnership_ids(actor)),
                    Partnership.id.not_in(sa.select(seminar_partnership.c.partnership_id)),
                )
            )
        )
    return _ids(sa.select(Partnership.id).where(sa.false()))


def may_place_in(actor: Account, seminar: Seminar | None) -> bool:
    """Where a new partnership (or an import's) may be put: a seminar the actor manages, or, for
    an admin only, none yet (the pool ``may_attach_partnership`` describes)."""
    if seminar is None:
        return actor.role is Role.ADMIN
    return can_manage_seminar(actor, seminar)


def may_add_facilitator(actor: Account, seminar: Seminar, account: Account) -> bool:
    """Only a facilitator's account, switched on, joins a seminar's facilitators, and only by
    someone who manages the seminar. Not a head or a participant (they would review the tables),
    not an admin (who runs every seminar already). Python twin of ``facilitator_account_ids``.
    """
    return (
        can_manage_seminar(actor, seminar) and account.role is Role.FACILITATOR and account.active
    )


def facilitator_account_ids() -> sa.Select[tuple[int]]:
    """The accounts ``may_add_facilitator`` accepts, as SQL, for the choice on the page."""
    return _ids(
        sa.select(Account.id).where(Account.role == Role.FACILITATOR, Account.active.is_(True))
    )


def may_remove_member(actor: Account, seminar: Seminar, membership: Membership) -> bool:
    """A seat is taken away through the seminar it was taken in, by whoever manages that
    seminar: the seat's id in the path must belong to the seminar's id beside it."""
    return (
        can_manage_seminar(actor, seminar)
        and membership.seminar_id == seminar.id
        and membership.active
    )


def may_remove_facilitator(actor: Account, seminar: Seminar, account: Account) -> bool:
    """Whoever manages a seminar may take one of its facilitators off it (themselves too: the
    service refuses to leave a seminar with nobody to run it)."""
    return can_manage_seminar(actor, seminar) and any(
        f.id == account.id for f in seminar.facilitators
    )


def may_switch_account(actor: Account, account: Account) -> bool:
    """Admins switch staff and heads on and off, the accounts their list shows. A participant
    leaves through the seminar that seated them (removing them switches them off there)."""
    return actor.role is Role.ADMIN and account.role is not Role.PARTICIPANT


def comment_at_table(partnership: Partnership, comment: Comment) -> bool:
    """A comment named in a path or a body (a reply's thread, one to resolve) must be one of
    this partnership's, in the cycle it works in now: an earlier cycle is kept as it was."""
    return comment.partnership_id == partnership.id and comment.cycle == partnership.cycle


# -- Institutions ----------------------------------------------------------------------------------
#
# The registry of hospitals is shared: every facilitator sees every institution's name and place
# (to pair them and to avoid a duplicate). Changing one changes every page, plan and signed vision
# that names it, so editing follows the partnerships: admins edit all; a facilitator the
# institutions of partnerships they see (in seminars they manage), and those in no partnership
# yet, which hold nobody's work (an organiser fixing what they just typed, before pairing it).
# Written once, in SQL: nothing hot asks it (a list and an edit page), so the one-object check
# asks the database whether the id is in the list's set, and the two cannot drift.


def editable_institution_ids(actor: Account) -> sa.Select[tuple[int]]:
    """The ids of the institutions ``actor`` may change."""
    if actor.role is Role.ADMIN:
        return _ids(sa.select(Institution.id))
    if actor.role is Role.FACILITATOR:
        ua, partner = Partnership.ua_institution_id, Partnership.partner_institution_id
        theirs = Partnership.id.in_(visible_partnership_ids(actor))
        return _ids(
            sa.select(Institution.id).where(
                sa.or_(
                    sa.and_(
                        Institution.id.not_in(sa.select(ua)),
                        Institution.id.not_in(sa.select(partner)),
                    ),
                    Institution.id.in_(sa.select(ua).where(theirs)),
                    Institution.id.in_(sa.select(partner).where(theirs)),
                )
            )
        )
    return _ids(sa.select(Institution.id).where(sa.false()))


def can_edit_institution(actor: Account, institution: Institution) -> bool:
    """Whether ``actor`` may change ``institution``: ``editable_institution_ids``, for one."""
    return (
        db.session.scalar(
            sa.select(Institution.id).where(
                Institution.id == institution.id,
                Institution.id.in_(editable_institution_ids(actor)),
            )
        )
        is not None
    )


# -- Staff e-mails ---------------------------------------------------------------------------------
#
# An e-mail address is how somebody is reached outside the app, so it is shown only where there
# is business together: admins (who create the accounts) see all; a facilitator sees their own,
# their co-facilitators' (anybody who facilitates a seminar with them) and the seated people's of
# the seminars they manage; everybody else only their own. A facilitator choosing a new
# co-facilitator picks by name (workshop/seminars/offers.py says how namesakes are told apart).


def email_visible_account_ids(actor: Account) -> sa.Select[tuple[int]]:
    """The ids of the accounts whose e-mail ``actor`` may see."""
    if actor.role is Role.ADMIN:
        return _ids(sa.select(Account.id))
    if actor.role is Role.FACILITATOR:
        managed = managed_seminar_ids(actor)
        return _ids(
            sa.select(Account.id).where(
                sa.or_(
                    Account.id == actor.id,
                    Account.id.in_(
                        sa.select(seminar_facilitator.c.account_id).where(
                            seminar_facilitator.c.seminar_id.in_(managed)
                        )
                    ),
                    Account.id.in_(
                        sa.select(Membership.account_id).where(
                            Membership.seminar_id.in_(managed), Membership.active.is_(True)
                        )
                    ),
                )
            )
        )
    return _ids(sa.select(Account.id).where(Account.id == actor.id))
