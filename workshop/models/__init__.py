"""Every model, imported in one place for Alembic, the shell and the tests."""

from workshop.models.account import Account, AuthSession, Membership, Role, Side
from workshop.models.activity import AuditEvent, ImportBatch, Throttle
from workshop.models.answer import SHARED, Answer, AnswerRevision
from workshop.models.base import Base, utcnow
from workshop.models.cycle import FIRST_CYCLE, Cycle
from workshop.models.document import DocumentFile, DocumentVersion, Job, SignOff
from workshop.models.institution import UKRAINE, Institution, Partnership
from workshop.models.review import (
    Comment,
    Presence,
    StageEvent,
    StageRun,
    StageStatus,
    Vote,
)
from workshop.models.seminar import (
    HelpRequest,
    PlenaryKind,
    PlenaryRound,
    PlenaryState,
    Proposal,
    ProposalVote,
    Seminar,
    SeminarStage,
    seminar_facilitator,
    seminar_partnership,
)

__all__ = [
    "FIRST_CYCLE",
    "SHARED",
    "UKRAINE",
    "Account",
    "Answer",
    "AnswerRevision",
    "AuditEvent",
    "AuthSession",
    "Base",
    "Comment",
    "Cycle",
    "DocumentFile",
    "DocumentVersion",
    "HelpRequest",
    "ImportBatch",
    "Institution",
    "Job",
    "Membership",
    "Partnership",
    "PlenaryKind",
    "PlenaryRound",
    "PlenaryState",
    "Presence",
    "Proposal",
    "ProposalVote",
    "Role",
    "Seminar",
    "SeminarStage",
    "Side",
    "SignOff",
    "StageEvent",
    "StageRun",
    "StageStatus",
    "Throttle",
    "Vote",
    "seminar_facilitator",
    "seminar_partnership",
    "utcnow",
]
