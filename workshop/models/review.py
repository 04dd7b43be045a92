"""The review of a partnership's stage: where it stands, how it got there, and the comments."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.models.base import Base, enum_column, utcnow

if TYPE_CHECKING:
    from workshop.models.account import Account


class StageStatus(enum.StrEnum):
    # "not started" and "in progress" are not stored: they follow from whether answers exist.
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REOPENED = "reopened"


class StageRun(Base):
    """A partnership's stage once somebody acted on it; absent until then."""

    __tablename__ = "stage_run"
    __table_args__ = (sa.UniqueConstraint("partnership_id", "cycle", "stage_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"), index=True)
    cycle: Mapped[int] = mapped_column(default=1)  # the TPI cycle it belongs to (models.cycle)
    stage_key: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[StageStatus | None] = mapped_column(enum_column(StageStatus), nullable=True)
    # Set when a facilitator opened the stage before the previous one was approved.
    opened_early: Mapped[bool] = mapped_column(default=False)
    # Dot votes stay hidden from everybody until a facilitator reveals them.
    votes_revealed: Mapped[bool] = mapped_column(default=False)
    # Set while a facilitator has closed the stage for the whole room (models.SeminarStage):
    # kept on the run itself so that every save, which reads the runs anyway, sees it for free.
    closed_for_room: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # When the stage was first approved. Reopening it later to fix something must not close the
    # stage after it, which people may be working on: that one stays open once this is set.
    first_approved_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    events: Mapped[list[StageEvent]] = relationship(
        back_populates="run", order_by="(StageEvent.at, StageEvent.id)"
    )


class StageEvent(Base):
    """One transition of a stage: who moved it, when, from what to what, and why."""

    __tablename__ = "stage_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("stage_run.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(30))
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    # A request for changes may name the questions to change (keys, in the stage's order), so
    # the table sees the note by each of them; None when it is about the stage as a whole.
    questions: Mapped[list[str] | None] = mapped_column(sa.JSON, nullable=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    run: Mapped[StageRun] = relationship(back_populates="events")
    actor: Mapped[Account | None] = relationship()


class Comment(Base):
    """A remark on a stage, a section or one question; replies point at the thread's first one."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"), index=True)
    cycle: Mapped[int] = mapped_column(default=1)  # the TPI cycle it belongs to (models.cycle)
    stage_key: Mapped[str] = mapped_column(sa.String(40))
    section_key: Mapped[str] = mapped_column(sa.String(40))
    question_key: Mapped[str | None] = mapped_column(sa.String(80))
    thread_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))

    author: Mapped[Account | None] = relationship(foreign_keys=[author_id])
    replies: Mapped[list[Comment]] = relationship(order_by="(Comment.at, Comment.id)")


class Vote(Base):
    """The dots one person put on one candidate; who voted is never shown, only totals."""

    __tablename__ = "vote"
    __table_args__ = (
        sa.UniqueConstraint("partnership_id", "cycle", "stage_key", "voter_id", "candidate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"), index=True)
    cycle: Mapped[int] = mapped_column(default=1)  # the TPI cycle it belongs to (models.cycle)
    stage_key: Mapped[str] = mapped_column(sa.String(40))
    voter_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"))
    # The voted row's id (method 2024.2 on); older votes name the candidate by its text.
    candidate: Mapped[str] = mapped_column(sa.String(300))
    dots: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Presence(Base):
    """When a person last had a stage page open (their browser says so every half minute)."""

    __tablename__ = "presence"

    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"), primary_key=True)
    stage_key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship()
