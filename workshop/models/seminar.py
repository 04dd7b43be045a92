"""Seminars: the events at which partnerships sit down to group work."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.models.base import Base, enum_column, utcnow

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
    # Every autosave counts its change in the seminars of its partnership: found by this index
    # (the primary key leads with the seminar).
    sa.Index("ix_seminar_partnership_partnership_id", "partnership_id"),
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

    # -- The live room (workshop/live.py, workshop/facilitation/) --
    # Goes up by one with every change anybody in the seminar makes (an answer, a review move, a
    # comment, a vote, a help request, a control). Dashboards and participants' pages poll it:
    # an unchanged number is answered 304 by one query, in any worker process.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # The current group-work round: the stage the room works on, since when, and until when
    # (a countdown shown on every participant's screen; None when no countdown runs).
    round_stage_key: Mapped[str | None] = mapped_column(sa.String(40))
    round_started_at: Mapped[datetime | None]
    round_ends_at: Mapped[datetime | None]
    # A short notice to every participant, and when it was given.
    notice: Mapped[str | None] = mapped_column(sa.Text)
    notice_at: Mapped[datetime | None]
    # A table with no save for this long during a round is flagged as stuck on the dashboard.
    stuck_minutes: Mapped[int] = mapped_column(default=10, server_default="10")

    facilitators: Mapped[list[Account]] = relationship(secondary=seminar_facilitator)
    partnerships: Mapped[list[Partnership]] = relationship(
        secondary=seminar_partnership, back_populates="seminars"
    )

    def __repr__(self) -> str:
        return f"<Seminar {self.id} {self.title_en!r}>"


class SeminarStage(Base):
    """A stage the facilitator opened or closed for every table of the seminar at once.

    Opening also opens the stage at each table (``StageRun.opened_early``); closing stops
    answers changing at every table of the seminar until it is opened again.
    """

    __tablename__ = "seminar_stage"

    seminar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), primary_key=True
    )
    stage_key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    closed: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))


class HelpRequest(Base):
    """A table asking a facilitator to come over; flagged on the dashboard until answered."""

    __tablename__ = "help_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"), index=True)
    stage_key: Mapped[str | None] = mapped_column(sa.String(40))
    asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))


class PlenaryKind(enum.StrEnum):
    PRINCIPLE = "principle"  # principles of twinning for the national programme
    PRIORITY_AREA = "priority_area"  # potential priority areas


class PlenaryState(enum.StrEnum):
    COLLECTING = "collecting"  # tables propose
    VOTING = "voting"  # the room votes; totals hidden
    REVEALED = "revealed"  # the ranked list is shown


class PlenaryRound(Base):
    """The room-wide round on one kind of proposal: where it stands and each voter's dots."""

    __tablename__ = "plenary_round"

    seminar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[PlenaryKind] = mapped_column(enum_column(PlenaryKind), primary_key=True)
    state: Mapped[PlenaryState] = mapped_column(
        enum_column(PlenaryState), default=PlenaryState.COLLECTING
    )
    dots: Mapped[int] = mapped_column(default=3)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Proposal(Base):
    """A principle or priority area a table put forward; merged ones point at the one kept."""

    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PlenaryKind] = mapped_column(enum_column(PlenaryKind))
    partnership_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partnership.id"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    text: Mapped[str] = mapped_column(sa.String(300))
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposal.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalVote(Base):
    """The dots one person put on one proposal (anonymous: only totals are ever shown)."""

    __tablename__ = "proposal_vote"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id"), index=True)
    voter_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"))
    dots: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
