"""Hospitals and the partnerships that pair a Ukrainian one with a foreign one."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.models.base import Base, utcnow
from workshop.models.cycle import FIRST_CYCLE, Cycle

if TYPE_CHECKING:
    from workshop.models.account import Membership
    from workshop.models.seminar import Seminar

UKRAINE = "UA"


class Institution(Base):
    """A hospital or similar institution, named in Ukrainian and English."""

    __tablename__ = "institution"
    __table_args__ = (sa.UniqueConstraint("country", "name_en"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Organisers rarely know a foreign partner's Ukrainian name: pages fall back to English.
    name_uk: Mapped[str | None] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300))
    country: Mapped[str] = mapped_column(sa.String(2))  # ISO 3166-1 alpha-2
    # For Ukraine an ISO 3166-2 oblast code (e.g. UA-30), elsewhere free text.
    region: Mapped[str | None] = mapped_column(sa.String(120))
    # The city in each language, like the name; pages show the reader's, else the other one.
    city_uk: Mapped[str | None] = mapped_column(sa.String(120))
    city_en: Mapped[str | None] = mapped_column(sa.String(120))
    profile: Mapped[str | None] = mapped_column(sa.Text)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_ukrainian(self) -> bool:
        return self.country == UKRAINE

    def __repr__(self) -> str:
        return f"<Institution {self.id} {self.name_en!r} {self.country}>"


class Partnership(Base):
    """One Ukrainian and one foreign institution working through the TPI cycle together."""

    __tablename__ = "partnership"
    __table_args__ = (
        sa.UniqueConstraint("ua_institution_id", "partner_institution_id"),
        sa.CheckConstraint("ua_institution_id <> partner_institution_id", name="two_institutions"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ua_institution_id: Mapped[int] = mapped_column(sa.ForeignKey("institution.id"), index=True)
    partner_institution_id: Mapped[int] = mapped_column(sa.ForeignKey("institution.id"), index=True)
    memorandum_date: Mapped[date | None]
    # Short labels in the language they were typed in, e.g. "paediatric oncology".
    focus_areas: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # The TPI method version this partnership started on; it keeps it when newer ones appear
    # (set by whoever creates it: the current version, or one chosen on purpose).
    method_version: Mapped[str] = mapped_column(sa.String(20))
    # The number of the TPI cycle the partnership is in now (see models.cycle).
    cycle: Mapped[int] = mapped_column(default=1, server_default="1")
    # Whether that cycle is closed (the partnership finished, or its next cycle has not started):
    # kept here so that every save knows it from the row it has already loaded.
    cycle_closed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ua_institution: Mapped[Institution] = relationship(foreign_keys=[ua_institution_id])
    partner_institution: Mapped[Institution] = relationship(foreign_keys=[partner_institution_id])
    # Oldest first, as the partnership page lists them; the id settles seminars of one day.
    seminars: Mapped[list[Seminar]] = relationship(
        secondary="seminar_partnership",
        back_populates="partnerships",
        order_by="(Seminar.starts_on, Seminar.id)",
    )
    memberships: Mapped[list[Membership]] = relationship(back_populates="partnership")
    cycles: Mapped[list[Cycle]] = relationship(
        order_by="Cycle.number", cascade="all, delete-orphan"
    )

    def __init__(self, **fields: Any) -> None:
        super().__init__(**fields)
        # A partnership is always in a cycle: the first one starts with it.
        if not self.cycles:
            self.cycles.append(Cycle(number=FIRST_CYCLE))

    def __repr__(self) -> str:
        return f"<Partnership {self.id}>"
