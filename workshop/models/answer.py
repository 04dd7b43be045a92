"""What a partnership wrote: one current answer per question (and side), every revision kept."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.models.base import Base, utcnow

if TYPE_CHECKING:
    from workshop.models.account import Account

SHARED = ""  # the side of an answer both hospitals give together


class Answer(Base):
    """The current value of one question for one partnership (and one side, where asked per side).

    ``version`` counts accepted saves; a save must name the version it started from, so two
    people can never overwrite each other without seeing it.
    """

    __tablename__ = "answer"
    __table_args__ = (sa.UniqueConstraint("partnership_id", "cycle", "question_key", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (partnership, cycle, question, side) index leads with it,
    # and every autosave would keep one more index up to date for nothing.
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"))
    cycle: Mapped[int] = mapped_column(default=1)  # the TPI cycle it belongs to (models.cycle)
    question_key: Mapped[str] = mapped_column(sa.String(80))
    side: Mapped[str] = mapped_column(sa.String(10), default=SHARED)
    value: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    updated_by: Mapped[Account | None] = relationship()


class AnswerRevision(Base):
    """One accepted save: who, when, the value it left. Never changed, never deleted."""

    __tablename__ = "answer_revision"
    __table_args__ = (
        sa.UniqueConstraint("answer_id", "version"),
        # A retried request carries the same key, so it can never be counted twice.
        sa.UniqueConstraint("answer_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique (answer, version) index, which leads with it (see Answer).
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("answer.id"))
    version: Mapped[int]
    value: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64))
    restored_from: Mapped[int | None]  # the version a restore brought back

    author: Mapped[Account | None] = relationship()
