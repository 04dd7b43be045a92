"""A partnership's rounds of the TPI cycle.

A partnership goes round the cycle more than once: after the evaluation (stage 6) it starts again.
Answers, stage runs, votes and comments carry the number of the cycle they belong to; the
partnership's ``cycle`` column says which one is current (read with the partnership itself, so a
save needs no extra query to know it).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workshop.models.base import Base, utcnow

FIRST_CYCLE = 1


class Cycle(Base):
    """One round: when it started, from which earlier round, and when it was closed."""

    __tablename__ = "cycle"
    __table_args__ = (sa.UniqueConstraint("partnership_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"), index=True)
    number: Mapped[int] = mapped_column(default=FIRST_CYCLE)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The cycle whose evaluation this one starts from (None for the first).
    started_from: Mapped[int | None]
    # A closed cycle is kept to read and compare with, never changed again.
    closed_at: Mapped[datetime | None]
