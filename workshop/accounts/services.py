"""Creating staff and hospital-head accounts, and switching them off."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from workshop import audit
from workshop.accounts import passwords
from workshop.auth.services import end_all_sessions
from workshop.extensions import db
from workshop.models import Account, Institution, Role
from workshop.usererror import UserError


class AccountError(UserError):
    """An account problem the person can fix."""


def create_account(
    *,
    display_name: str,
    email: str,
    role: Role,
    password: str,
    institution_id: int | None,
    actor: Account | None,
) -> Account:
    """Create an account that signs in with e-mail and password."""
    email = email.strip().lower()
    if db.session.scalar(sa.select(Account.id).where(sa.func.lower(Account.email) == email)):
        raise AccountError(_l("An account with this e-mail already exists."), field="email")
    if (problem := passwords.problem(password)) is not None:  # the form checks it too; the CLI
        raise AccountError(problem, field="password")
    institution = db.session.get(Institution, institution_id) if institution_id else None
    if role is Role.HEAD and institution is None:
        raise AccountError(_l("Choose the hospital this head directs."), field="institution")
    account = Account(
        display_name=display_name.strip(),
        email=email,
        role=role,
        password_hash=passwords.hashed(password),
        institution=institution if role is Role.HEAD else None,
    )
    db.session.add(account)
    db.session.flush()
    audit.record("account_created", actor=actor, obj=account, role=role.value)
    return account


def refuse_switching_off_self(account: Account, active: bool, *, actor: Account) -> None:
    """Nobody locks themselves out: another admin switches an admin off."""
    if account.id == actor.id and not active:
        raise AccountError(_l("You cannot switch off your own account."), field="active")


def set_active(account: Account, active: bool, *, actor: Account) -> None:
    """Switch an account on or off; switching off ends its sessions on the next request."""
    refuse_switching_off_self(account, active, actor=actor)
    account.active = active
    if not active:
        end_all_sessions(account)
    audit.record("account_enabled" if active else "account_disabled", actor=actor, obj=account)
