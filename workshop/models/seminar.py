"""Seminars: the events at which partnerships sit down to group work."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.models.base import Base, utcnow

if TYPE_CHECKING:
    from workshop.models.account import Account
    from workshop.models.institution import Partnership

seminar_facilitator = sa.Table(
    "seminar_facilitator",
    Base.metadata,
    sa.Column("seminar_id", sa.ForeignKey("seminar.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("account_id", sa.ForeignKey("account.id", ondelete="CASCADE"), primary_key=True),
)

seminar_partnership = sa.Table(
    "seminar_partnership",
    Base.metadata,
    sa.Column("seminar_id", sa.ForeignKey("seminar.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "partnership_id", sa.ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Seminar(Base):
    """A group-work event with dates, a venue, a join code and its facilitators."""

    __tablename__ = "seminar"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title_uk: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str] = mapped_column(sa.String(300))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    venue_uk: Mapped[str | None] = mapped_column(sa.String(300))
    venue_en: Mapped[str | None] = mapped_column(sa.String(300))
    join_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    join_open: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    facilitators: Mapped[list[Account]] = relationship(secondary=seminar_facilitator)
    partnerships: Mapped[list[Partnership]] = relationship(
        secondary=seminar_partnership, back_populates="seminars"
    )

    def __repr__(self) -> str:
        return f"<Seminar {self.id} {self.title_en!r}>"
