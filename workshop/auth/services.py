"""Signing in, joining a seminar with its code and coming back with a return code.

Services take plain values and the limits to apply; they never read the request.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from workshop import audit, codes, database, securitylog, throttle
from workshop.accounts import passwords
from workshop.auth.signed_in import SignedIn, labelled_columns
from workshop.extensions import db
from workshop.models import (
    Account,
    AuthSession,
    Membership,
    Partnership,
    Role,
    Seminar,
    Side,
    utcnow,
)
from workshop.usererror import UserError

# Checked against when an e-mail is unknown, so a wrong address costs the same time as a
# wrong password and the response time does not tell which accounts exist.
# An unknown address costs the same check as a known one, so the answer's time tells nothing.
_DUMMY_HASH = passwords.hashed("not a real password")


class AuthError(UserError):
    """A refusal with a message for the person and, when throttled, a wait in seconds."""

    def __init__(self, message: str, *, field: str, retry_after: int = 0) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


def refuse_if_throttled(limits: list[throttle.Limit], field: str) -> None:
    """Raise AuthError, saying how long to wait, while any of ``limits`` asks to wait."""
    waits = [(throttle.retry_after(limit), limit) for limit in limits]
    wait, limit = max(waits, key=lambda pair: pair[0], default=(0, None))
    if wait and limit is not None:
        # The kind of key only ("login:account"), never the e-mail digest or browser id in it.
        securitylog.event("rate_limited", limit=":".join(limit.key.split(":")[:2]), wait=wait)
        raise AuthError(
            _l("Too many attempts. Try again %(wait)s.", wait=throttle.wait_phrase(wait)),
            field=field,
            retry_after=wait,
        )


def _fail(limits: list[throttle.Limit], message: str, field: str) -> AuthError:
    throttle.record_all(limits)
    return AuthError(message, field=field)


def account_id_for_email(email: str) -> int | None:
    return db.session.scalar(
        sa.select(Account.id).where(sa.func.lower(Account.email) == email.strip().lower())
    )


def authenticate(
    email: str, password: str, *, limits: list[throttle.Limit], demo_allowed: bool
) -> Account:
    """Return the active account for these credentials or raise AuthError. A demo account
    (``is_demo``) is refused unless ``demo_allowed`` (production.demo_accounts_allowed)."""
    refuse_if_throttled(limits, "password")
    account = db.session.scalar(
        sa.select(Account).where(sa.func.lower(Account.email) == email.strip().lower())
    )
    stored = account.password_hash if account is not None else None
    ok = check_password_hash(stored or _DUMMY_HASH, password)
    if account is None or stored is None or not ok or not account.active:
        # The account when the address matched one, never the text typed: a password typed
        # into the e-mail field must not land in the trail (nor in the security log).
        audit.record("login_failed", actor=None, obj=account, known_account=account is not None)
        securitylog.event("login_failed", account_id=account.id if account else None)
        raise _fail(limits, _l("The e-mail or password is not right."), "password")
    if account.is_demo and not demo_allowed:
        # Its password is in the README: the answer of a wrong password, so nobody learns the
        # account is there, and a line that tells the operator to remove it.
        audit.record("login_failed", actor=None, obj=account, known_account=True, demo=True)
        securitylog.event("demo_account_refused", account_id=account.id)
        raise _fail(limits, _l("The e-mail or password is not right."), "password")
    _forget_failures(limits)
    if (stronger := passwords.rehashed(stored, password)) is not None:
        account.password_hash = stronger  # made with older settings (passwords.HASH_METHOD)
    audit.record("login", actor=account, obj=account)
    return account


def change_password(
    account: Account, current: str, new: str, *, limit: throttle.Backoff, keep: str | None
) -> None:
    """Set ``new`` as the account's password once ``current`` is right, ending every other
    sign-in of the account (the one whose token is ``keep`` stays); or raise AuthError.

    ``new`` has passed the password rule (the form's validator); it is checked again here, as
    every way a password is set checks it.
    """
    refuse_if_throttled([limit], "current")
    stored = account.password_hash
    if not stored or not check_password_hash(stored, current):
        audit.record("password_change_failed", actor=account, obj=account)
        securitylog.event("password_change_failed", account_id=account.id)
        raise _fail([limit], _l("The current password is not right."), "current")
    if (why := passwords.problem(new)) is not None:
        raise AuthError(why, field="new")
    throttle.clear(limit.key)
    account.password_hash = passwords.hashed(new)
    others = sa.update(AuthSession).where(
        AuthSession.account_id == account.id, AuthSession.revoked_at.is_(None)
    )
    if keep is not None:
        others = others.where(AuthSession.token_hash != codes.digest(keep))
    db.session.execute(others.values(revoked_at=utcnow()))
    audit.record("password_changed", actor=account, obj=account)


def _forget_failures(limits: list[throttle.Limit]) -> None:
    for limit in limits:
        if isinstance(limit, throttle.Backoff) and limit.cleared_by_success:
            throttle.clear(limit.key)


def open_session(account: Account, *, hours: int) -> str:
    """Start a server-side session for ``account`` and return its secret token."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        AuthSession(
            token_hash=codes.digest(token),
            account=account,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    return token


# Every request runs this: built once, so a request does not build the statement again. Core
# tables, not the models: a statement over the models would go through the ORM's loading.
_account, _seat, _table, _session = (
    m.__table__ for m in (Account, Membership, Partnership, AuthSession)
)


def _seated(select: sa.Select[Any]) -> sa.Select[Any]:
    """``select`` over the account, with one row per seat and the seat's partnership."""
    return (
        select.outerjoin(_seat, _seat.c.account_id == _account.c.id)
        .outerjoin(_table, _table.c.id == _seat.c.partnership_id)
        .order_by(_seat.c.id)
    )


def _person_of(sign_in: sa.FromClause, *, principal_only: bool = False) -> sa.Select[Any]:
    """The person of a sign-in row, one row per seat, with the seat's partnership."""
    return _seated(
        sa.select(
            sign_in.c.expires_at,
            sign_in.c.revoked_at,
            sign_in.c.saves_in_window,
            *labelled_columns(principal_only=principal_only),
        )
        .select_from(sign_in)
        .join(_account, _account.c.id == sign_in.c.account_id)
    )


_THIS_SESSION = _session.c.token_hash == sa.bindparam("p_token_hash")
_SESSION_ROWS = _person_of(_session).where(_THIS_SESSION)
# An autosave's check also counts it in the session's row (R8): a new window starts at one.
_COUNT_SAVE = (
    sa.update(_session)
    .where(_THIS_SESSION)
    .values(
        save_window=sa.bindparam("window"),
        saves_in_window=sa.case(
            (_session.c.save_window == sa.bindparam("window"), _session.c.saves_in_window + 1),
            else_=1,
        ),
    )
)
# An autosave reads only what its check needs (signed_in.PRINCIPAL): describing and converting
# every column of the account, seats and partnerships was a twentieth of a save's CPU.
_PRINCIPAL_ROWS = _person_of(_session, principal_only=True).where(_THIS_SESSION)
# Every column of the account and seats, for the rare autosave that needs them as objects.
_ACCOUNT_ROWS = _seated(
    sa.select(*labelled_columns()).where(_account.c.id == sa.bindparam("p_account"))
)
# PostgreSQL counts and reads in one statement, one round trip, as the check alone costs.
_COUNTED = _COUNT_SAVE.returning(
    _session.c.account_id,
    _session.c.expires_at,
    _session.c.revoked_at,
    _session.c.saves_in_window,
).cte("counted")
_COUNTED_SESSION_ROWS = _person_of(_COUNTED, principal_only=True)


def load_session(token: str, *, count_in_window: int | None = None) -> SignedIn | None:
    """Who a live session token belongs to, or None if it ended, expired or is unknown.

    With ``count_in_window`` (an autosave), the request is also counted as one of the session's
    saves in that window; ``SignedIn.saves_in_window`` then says how many it has made.
    """
    # One query on every request, autosaves included: the person, their seats and those
    # partnerships, as plain rows (auth/signed_in.py says why no object is made here).
    params: dict[str, object] = {"p_token_hash": codes.digest(token)}
    connection = database.connection()
    statement = _SESSION_ROWS
    if count_in_window is not None:
        params["window"] = count_in_window
        if connection.dialect.name == "postgresql":
            statement = _COUNTED_SESSION_ROWS
        else:  # SQLite: no round trips to save, and no UPDATE inside WITH
            connection.execute(_COUNT_SAVE, params)
            statement = _PRINCIPAL_ROWS
    rows = connection.execute(statement, params).all()
    if not rows:
        return None
    first = rows[0]
    if first.revoked_at is not None or first.expires_at <= utcnow() or not first.account_active:
        return None
    if count_in_window is None:
        return SignedIn(token, rows, saves_in_window=None)

    def every_column() -> Sequence[sa.Row[Any]]:
        found = database.connection().execute(_ACCOUNT_ROWS, {"p_account": first.account_id})
        return found.all()

    return SignedIn(token, rows, saves_in_window=first.saves_in_window, every_column=every_column)


def end_session(token: str) -> None:
    db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.token_hash == codes.digest(token), AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_all_sessions(account: Account) -> None:
    db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.account_id == account.id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def seminar_for_code(typed: str, *, limits: list[throttle.Limit]) -> Seminar:
    """Return the seminar whose join code is open and matches, or raise AuthError."""
    refuse_if_throttled(limits, "code")
    code = codes.normalise(typed)
    seminar = None
    if codes.looks_valid(code, codes.JOIN_CODE_LENGTH):
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.join_code == code))
    if seminar is None or not seminar.join_open:
        securitylog.event("code_wrong", kind="join", closed=seminar is not None)
    if seminar is None:
        raise _fail(
            limits,
            _l("No seminar has this code. Check it with your facilitator; it may have changed."),
            "code",
        )
    if not seminar.join_open:
        raise _fail(limits, _l("This seminar is not taking new participants now."), "code")
    _forget_failures(limits)
    return seminar


def join(
    seminar: Seminar, *, partnership_id: int, side: Side, display_name: str, email: str | None
) -> tuple[Account, str]:
    """Create a participant at a partnership's table; return the account and its return code."""
    if partnership_id not in {p.id for p in seminar.partnerships}:
        raise AuthError(_l("Choose a partnership of this seminar."), field="partnership")
    email = email.strip().lower() if email else None
    # An e-mail already on record stays with its account, and the new seat is made without
    # it. Saying so would tell anybody with the seminar code which addresses have accounts,
    # so the answer is the same either way; the form says a returning participant comes back
    # with their return code instead.
    if email and account_id_for_email(email) is not None:
        email = None
    return_code = codes.new_code(codes.RETURN_CODE_LENGTH)
    try:
        with db.session.begin_nested():
            account = _seat(seminar, partnership_id, side, display_name, email, return_code)
    except sa.exc.IntegrityError:
        # Somebody took the same e-mail a moment ago: the same quiet answer as above.
        with db.session.begin_nested():
            account = _seat(seminar, partnership_id, side, display_name, None, return_code)
    return account, return_code


def _seat(
    seminar: Seminar,
    partnership_id: int,
    side: Side,
    display_name: str,
    email: str | None,
    return_code: str,
) -> Account:
    account = Account(
        display_name=display_name.strip(),
        email=email,
        role=Role.PARTICIPANT,
        return_code_hash=codes.digest(return_code),
    )
    membership = Membership(
        account=account, partnership_id=partnership_id, seminar=seminar, side=side
    )
    db.session.add_all([account, membership])
    db.session.flush()
    audit.record("joined", actor=account, obj=membership, seminar_id=seminar.id)
    return account


def account_for_return_code(
    typed: str, *, limits: list[throttle.Limit], demo_allowed: bool
) -> Account:
    """Return the participant holding this return code, or raise AuthError. A demo participant
    (``is_demo``, whose code `seed-demo` prints) is refused unless ``demo_allowed``."""
    refuse_if_throttled(limits, "code")
    code = codes.normalise(typed)
    account = None
    if codes.looks_valid(code, codes.RETURN_CODE_LENGTH):
        account = db.session.scalar(
            sa.select(Account).where(Account.return_code_hash == codes.digest(code))
        )
    if account is None or not account.active or not account.active_memberships:
        securitylog.event("code_wrong", kind="return", account_id=account.id if account else None)
        audit.record("resume_failed", actor=None, obj=account)  # never the code typed
        raise _fail(limits, _l("This return code is not valid, or its seat was removed."), "code")
    if account.is_demo and not demo_allowed:
        # The answer of a wrong code (see authenticate).
        securitylog.event("demo_account_refused", account_id=account.id)
        audit.record("resume_failed", actor=None, obj=account, demo=True)
        raise _fail(limits, _l("This return code is not valid, or its seat was removed."), "code")
    _forget_failures(limits)
    audit.record("resumed", actor=account, obj=account)
    return account
