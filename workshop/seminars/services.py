"""Running a seminar: its details, its join code, its partnerships, facilitators and people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from workshop import audit, codes
from workshop.auth.services import end_all_sessions
from workshop.extensions import db
from workshop.models import Account, Membership, Partnership, Role, Seminar, utcnow
from workshop.permissions import may_add_facilitator, may_attach_partnership
from workshop.usererror import UserError


class SeminarError(UserError):
    """A seminar problem the person can fix."""


@dataclass(frozen=True)
class SeminarData:
    title_uk: str
    title_en: str
    starts_on: date
    ends_on: date
    venue_uk: str | None
    venue_en: str | None


def unused_join_code() -> str:
    """A fresh join code no seminar has (a clash at ~50 bits is unlikely, but cheap to rule out)."""
    while True:
        code = codes.new_code(codes.JOIN_CODE_LENGTH)
        if db.session.scalar(sa.select(Seminar.id).where(Seminar.join_code == code)) is None:
            return code


def save_seminar(data: SeminarData, *, actor: Account, seminar: Seminar | None = None) -> Seminar:
    """Create a seminar (its creator facilitates it unless an admin) or update one."""
    if data.ends_on < data.starts_on:
        raise SeminarError(_l("The last day cannot be before the first."), field="ends_on")
    target = seminar or Seminar(join_code=unused_join_code())
    target.title_uk = data.title_uk.strip()
    target.title_en = data.title_en.strip()
    target.starts_on, target.ends_on = data.starts_on, data.ends_on
    target.venue_uk = (data.venue_uk or "").strip() or None
    target.venue_en = (data.venue_en or "").strip() or None
    if seminar is None and actor.role is Role.FACILITATOR:
        target.facilitators.append(actor)
    db.session.add(target)
    db.session.flush()
    audit.record("seminar_saved", actor=actor, obj=target)
    return target


def rotate_join_code(seminar: Seminar, *, actor: Account) -> None:
    """Give the seminar a new code; the old one stops working at once."""
    seminar.join_code = unused_join_code()
    audit.record("join_code_rotated", actor=actor, obj=seminar)


def set_join_open(seminar: Seminar, is_open: bool, *, actor: Account) -> None:
    seminar.join_open = is_open
    audit.record("join_opened" if is_open else "join_closed", actor=actor, obj=seminar)


def add_partnership(seminar: Seminar, partnership_id: int, *, actor: Account) -> None:
    """Put a partnership into the seminar; one the actor may not attach is "not a choice",
    exactly like one that does not exist (``permissions.may_attach_partnership``)."""
    partnership = db.session.get(Partnership, partnership_id)
    if partnership is None or not may_attach_partnership(actor, partnership):
        raise SeminarError(_l("Choose a partnership."), field="partnership")
    if partnership in seminar.partnerships:
        raise SeminarError(_l("This partnership already takes part."), field="partnership")
    seminar.partnerships.append(partnership)
    audit.record("seminar_partnership_added", actor=actor, obj=seminar, partnership=partnership.id)


def add_facilitator(seminar: Seminar, account_id: int, *, actor: Account) -> None:
    """Make a facilitator's account one of the seminar's (``permissions.may_add_facilitator``)."""
    account = db.session.get(Account, account_id)
    if account is None or not may_add_facilitator(actor, seminar, account):
        raise SeminarError(_l("Choose a facilitator."), field="account")
    if account in seminar.facilitators:
        raise SeminarError(_l("This person already facilitates the seminar."), field="account")
    seminar.facilitators.append(account)
    audit.record("facilitator_added", actor=actor, obj=seminar, account=account.id)


def refuse_leaving_unrun(seminar: Seminar, account: Account, *, actor: Account) -> None:
    """Raise SeminarError if taking ``account`` off would leave the seminar with nobody to run
    it but the admins. An admin may (they run it still); a facilitator adds somebody first."""
    others = [f for f in seminar.facilitators if f.id != account.id]
    if actor.role is not Role.ADMIN and not others:
        raise SeminarError(
            _l("A seminar needs a facilitator: add another one before removing this one."),
            field="facilitators",
        )


def remove_facilitator(seminar: Seminar, account: Account, *, actor: Account) -> None:
    """Take ``account`` off the seminar's facilitators: they stop seeing it at once."""
    refuse_leaving_unrun(seminar, account, actor=actor)
    seminar.facilitators.remove(account)
    audit.record("facilitator_removed", actor=actor, obj=seminar, account=account.id)


def remove_member(membership: Membership, *, actor: Account) -> None:
    """Take a person's seat away; they are signed out at once and their code stops working
    here. Who may is ``permissions.may_remove_member``, checked by the view that found it."""
    membership.active = False
    membership.removed_at = utcnow()
    membership.removed_by_id = actor.id
    account = membership.account
    if account.role is Role.PARTICIPANT and not account.active_memberships:
        account.active = False
    end_all_sessions(account)
    audit.record("member_removed", actor=actor, obj=membership, account=account.id)
