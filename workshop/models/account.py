"""People: accounts with roles, their memberships in partnerships, and their sessions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.models.base import Base, enum_column, utcnow

if TYPE_CHECKING:
    from workshop.models.institution import Institution, Partnership
    from workshop.models.seminar import Seminar


class Role(enum.StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    HEAD = "head"
    PARTICIPANT = "participant"


class Side(enum.StrEnum):
    UKRAINIAN = "ua"
    PARTNER = "partner"


class Account(Base):
    """A person who can act in the app.

    Staff and hospital heads sign in with e-mail and password; participants join a seminar with
    its code and come back with a personal return code, so they have no password.
    """

    __tablename__ = "account"

    # Set for the request by the session loader: Flask-Login keeps this token, not the id, so
    # the server can end one sign-in without touching the others.
    session_token = None
    is_authenticated = True
    is_anonymous = False

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    institution_id: Mapped[int | None] = mapped_column(sa.ForeignKey("institution.id"))
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    # sha256 of the participant's return code: a high-entropy random code needs no slow hash.
    return_code_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    institution: Mapped[Institution | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="account", foreign_keys="Membership.account_id"
    )

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.FACILITATOR)

    @property
    def is_active(self) -> bool:  # Flask-Login's name for "may sign in"
        return self.active

    @property
    def has_password(self) -> bool:  # staff and heads; participants use a return code
        return self.password_hash is not None

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def active_memberships(self) -> list[Membership]:
        return [m for m in self.memberships if m.active]

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.role.value}>"


class Membership(Base):
    """A person at a partnership's table, on one side, joined through a seminar."""

    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("account_id", "partnership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"), index=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"), index=True)
    seminar_id: Mapped[int | None] = mapped_column(sa.ForeignKey("seminar.id"), index=True)
    side: Mapped[Side] = mapped_column(enum_column(Side))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))

    account: Mapped[Account] = relationship(back_populates="memberships", foreign_keys=[account_id])
    partnership: Mapped[Partnership] = relationship(back_populates="memberships")
    seminar: Mapped[Seminar | None] = relationship()


class AuthSession(Base):
    """A server-side sign-in, so logout, removal or an admin can end it on the next request."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # The autosaves of this sign-in in its current window (R8, see auth.services.load_session):
    # the window's number (seconds since 1970 divided by the window's length) and the count.
    save_window: Mapped[int] = mapped_column(default=0, server_default="0")
    saves_in_window: Mapped[int] = mapped_column(default=0, server_default="0")

    account: Mapped[Account] = relationship()
