"""Who is signed in, as the session check read it: plain values, and the account on demand.

Every request checks its session, autosaves above all (a seminar room sends hundreds a
minute). The check reads one row per seat of the person, with their account, seats and the
seats' partnerships, as plain values (``auth.services.load_session``): making those rows into
ORM objects, with the eager graph of the account, was most of what the check cost. A view that
works with the account (almost all of them, through ``auth.sessions.acting_account``) gets the
same graph of objects as before, made from the very rows already read: no second query. The
autosave asks only for the seat (``groupwork.access.table_for_save``), so its request makes no
object at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import attributes, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from workshop.extensions import db
from workshop.models import Account, Membership, Partnership, Role, Side


@dataclass(frozen=True, slots=True)
class Table:
    """A partnership as the session check read it with the seat: what a save checks."""

    id: int
    cycle: int
    cycle_closed: bool
    method_version: str


@dataclass(frozen=True, slots=True)
class Seat:
    """A person's place at a partnership's table (a removed one too: ``active`` is False)."""

    id: int
    partnership_id: int
    side: Side
    active: bool
    table: Table


class SignedIn:
    """Flask-Login's user for one request: the account's columns, its seats, and the rows they
    were read from, for ``account``."""

    is_authenticated = True
    is_anonymous = False

    def __init__(
        self,
        session_token: str,
        rows: Sequence[sa.Row[Any]],
        *,
        saves_in_window: int | None,
        every_column: Callable[[], Sequence[sa.Row[Any]]] | None = None,
    ) -> None:
        first = rows[0]
        self.session_token = session_token
        self.saves_in_window = saves_in_window  # counted by an autosave's check, else None
        self.id: int = first.account_id
        self.role: Role = first.account_role
        self.active: bool = first.account_active
        self.institution_id: int | None = first.account_institution_id
        self.locale: str | None = first.account_locale
        self.display_name: str = first.account_display_name
        self.has_password: bool = first.account_password_hash is not None
        self.seats = tuple(
            Seat(
                row.membership_id,
                row.membership_partnership_id,
                row.membership_side,
                row.membership_active,
                Table(
                    row.partnership_id,
                    row.partnership_cycle,
                    row.partnership_cycle_closed,
                    row.partnership_method_version,
                ),
            )
            for row in rows
            if row.membership_id is not None
        )
        self._rows = rows
        # Rows of only the PRINCIPAL columns (an autosave's check) come with the way to read
        # every column, for the rare request of theirs that needs the account as an object.
        self._every_column = every_column
        self._account: Account | None = None

    @property
    def is_active(self) -> bool:  # Flask-Login's name for "may sign in"
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.FACILITATOR)

    def get_id(self) -> str:
        return self.session_token

    def __getattr__(self, name: str) -> Any:
        # Anything not read above (a template's ``current_user.institution``), and everything
        # once the account is an object: the account's, so a change a view makes to it shows.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.account(), name)

    def account(self) -> Account:
        """The account as an ORM object with its seats and their partnerships loaded, in this
        request's database session; made once, from the rows the session check read."""
        if self._account is None or self._account not in db.session:
            if self._every_column is not None:
                self._rows, self._every_column = self._every_column(), None
            self._account = _account_from(self._rows)
            self._account.session_token = self.session_token
            for name in _READ:  # from now on read from the object (see __getattr__)
                self.__dict__.pop(name, None)
        return self._account


_READ = ("id", "role", "active", "institution_id", "locale", "display_name", "has_password")


# The columns the session check reads, labelled table_column so the rows can be taken apart.
SOURCES: tuple[tuple[type[Any], str], ...] = (
    (Account, "account"),
    (Membership, "membership"),
    (Partnership, "partnership"),
)


# What __init__ reads: the whole of an autosave's check, which makes no object.
PRINCIPAL = {
    "account": (
        "id",
        "role",
        "active",
        "institution_id",
        "locale",
        "display_name",
        "password_hash",
    ),
    "membership": ("id", "partnership_id", "side", "active"),
    "partnership": ("id", "cycle", "cycle_closed", "method_version"),
}


def labelled_columns(*, principal_only: bool = False) -> list[sa.Label[Any]]:
    """Every column of the account, its seats and their partnerships (enough to make the
    objects), or only the PRINCIPAL ones: half the columns, for the check every autosave runs."""
    return [
        column.label(f"{prefix}_{prop.key}")
        for model, prefix in SOURCES
        for prop in sa.inspect(model).column_attrs
        if not principal_only or prop.key in PRINCIPAL[prefix]
        for column in prop.columns[:1]
    ]


def _account_from(rows: Sequence[sa.Row[Any]]) -> Account:
    account = _persistent(Account, "account", rows[0])
    seats = []
    for row in rows:
        if row.membership_id is None:
            continue
        seat = _persistent(Membership, "membership", row)
        _fill(seat, "partnership", _persistent(Partnership, "partnership", row))
        _fill(seat, "account", account)
        seats.append(seat)
    _fill(account, "memberships", seats)
    return account


def _persistent(model: type[Any], prefix: str, row: sa.Row[Any]) -> Any:
    """The object of ``model`` whose columns are in ``row``, as a query would load it: the one
    the database session holds (its expired columns filled in from the row), or a new one."""
    mapping = row._mapping
    session = db.session()
    held = session.identity_map.get(identity_key(model, mapping[f"{prefix}_id"]))
    instance = held if held is not None else sa.inspect(model).class_manager.new_instance()
    for prop in sa.inspect(model).column_attrs:
        _fill(instance, prop.key, mapping[f"{prefix}_{prop.key}"])
    if held is None:
        # The documented way to give an object its identity without loading it: it then
        # joins the session as persistent and clean, exactly like a loaded one.
        make_transient_to_detached(instance)
        session.add(instance)
    return instance


def _fill(instance: Any, key: str, value: Any) -> None:
    """Set what is not loaded (new, or expired by a commit), as a load does; never overwrite
    what the session holds, which may be a change not yet written."""
    if key in sa.inspect(instance).unloaded:
        attributes.set_committed_value(instance, key, value)
