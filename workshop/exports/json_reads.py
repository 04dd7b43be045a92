"""The reads of the JSON export, part by part: a fixed number of queries for any seminar.

Each part is a list of plain records (dicts in a fixed key order, JSON values only), keyed by
the rows' own ids ("source ids": an import maps them to its own). Nothing secret is selected:
no password or return-code hash, no join code, no session, no verification token, no file
bytes, and for votes only totals.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from workshop.exports.cells import moment
from workshop.extensions import db
from workshop.models import (
    Account,
    Answer,
    AnswerRevision,
    Comment,
    Cycle,
    DocumentFile,
    DocumentVersion,
    HelpRequest,
    Institution,
    Membership,
    Partnership,
    PlenaryRound,
    Proposal,
    ProposalVote,
    Seminar,
    SeminarStage,
    SignOff,
    StageEvent,
    StageRun,
    Vote,
    seminar_facilitator,
    seminar_partnership,
)
from workshop.permissions import email_visible_account_ids

Record = dict[str, Any]
BATCH = 500  # rows fetched at a time from the two big cursors (answers, revisions)


def plain(value: Any) -> Any:
    """A value as JSON holds it: ISO dates, UTC instants with microseconds, enum values, and
    stored JSON with its keys sorted (so the same data is always written the same way)."""
    if isinstance(value, datetime):
        return moment(value, "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _records(query: sa.Select[Any], *, stream: bool = False) -> Iterator[Record]:
    if stream:
        query = query.execution_options(yield_per=BATCH)
    for row in db.session.execute(query):
        yield {key: plain(value) for key, value in row._mapping.items()}


def nest(
    parents: Iterable[Record], children: Iterable[Record], *, on: str, into: str
) -> Iterator[Record]:
    """Each parent with its children under ``into``: both come ordered by the parent's id
    (``id`` in a parent, ``on`` in a child), so the two cursors are read side by side."""
    pending = iter(children)
    child = next(pending, None)
    for parent in parents:
        mine = []
        while child is not None and child[on] <= parent["id"]:
            if child[on] == parent["id"]:
                mine.append({k: v for k, v in child.items() if k != on})
            child = next(pending, None)
        parent[into] = mine
        yield parent


def _partnership_ids(seminar_id: int) -> sa.Select[tuple[int]]:
    return sa.select(seminar_partnership.c.partnership_id).where(
        seminar_partnership.c.seminar_id == seminar_id
    )


def seminar(found: Seminar) -> Record:
    """The seminar's own columns, without its join code or change counter."""
    names = [
        "id",
        "title_uk",
        "title_en",
        "starts_on",
        "ends_on",
        "venue_uk",
        "venue_en",
        "join_open",
        "is_demo",
        "created_at",
        "stuck_minutes",
        "round_stage_key",
        "round_started_at",
        "round_ends_at",
        "notice",
        "notice_at",
    ]
    return {name: plain(getattr(found, name)) for name in names}


def institutions(seminar_id: int) -> Iterator[Record]:
    ids = _partnership_ids(seminar_id)
    return _records(
        sa.select(
            Institution.id,
            Institution.name_uk,
            Institution.name_en,
            Institution.country,
            Institution.region,
            Institution.city_uk,
            Institution.city_en,
            Institution.profile,
            Institution.is_demo,
            Institution.created_at,
        )
        .where(
            sa.or_(
                Institution.id.in_(
                    sa.select(Partnership.ua_institution_id).where(Partnership.id.in_(ids))
                ),
                Institution.id.in_(
                    sa.select(Partnership.partner_institution_id).where(Partnership.id.in_(ids))
                ),
            )
        )
        .order_by(Institution.id)
    )


def partnerships(seminar_id: int) -> Iterator[Record]:
    ids = _partnership_ids(seminar_id)
    parents = _records(
        sa.select(
            Partnership.id,
            Partnership.ua_institution_id,
            Partnership.partner_institution_id,
            Partnership.memorandum_date,
            Partnership.focus_areas,
            Partnership.method_version,
            Partnership.cycle,
            Partnership.cycle_closed,
            Partnership.is_demo,
            Partnership.created_at,
        )
        .where(Partnership.id.in_(ids))
        .order_by(Partnership.id)
    )
    cycles = _records(
        sa.select(
            Cycle.partnership_id,
            Cycle.number,
            Cycle.started_at,
            Cycle.started_from,
            Cycle.closed_at,
        )
        .where(Cycle.partnership_id.in_(ids))
        .order_by(Cycle.partnership_id, Cycle.number)
    )
    return nest(parents, cycles, on="partnership_id", into="cycles")


def _named_account_ids(seminar_id: int) -> sa.CompoundSelect:
    """Everybody the export names: facilitators, people at the tables, authors and actors.
    Never voters: who voted is not said."""
    ids = _partnership_ids(seminar_id)
    answers = sa.select(Answer.id).where(Answer.partnership_id.in_(ids))
    runs = sa.select(StageRun.id).where(StageRun.partnership_id.in_(ids))
    versions = sa.select(DocumentVersion.id).where(DocumentVersion.partnership_id.in_(ids))
    return sa.union(
        sa.select(seminar_facilitator.c.account_id.label("id")).where(
            seminar_facilitator.c.seminar_id == seminar_id
        ),
        sa.select(Membership.account_id).where(Membership.partnership_id.in_(ids)),
        sa.select(Membership.removed_by_id).where(Membership.partnership_id.in_(ids)),
        sa.select(Answer.updated_by_id).where(Answer.partnership_id.in_(ids)),
        sa.select(AnswerRevision.author_id).where(AnswerRevision.answer_id.in_(answers)),
        sa.select(StageEvent.actor_id).where(StageEvent.run_id.in_(runs)),
        sa.select(Comment.author_id).where(Comment.partnership_id.in_(ids)),
        sa.select(Comment.resolved_by_id).where(Comment.partnership_id.in_(ids)),
        sa.select(Proposal.author_id).where(Proposal.seminar_id == seminar_id),
        sa.select(SeminarStage.changed_by_id).where(SeminarStage.seminar_id == seminar_id),
        sa.select(HelpRequest.asked_by_id).where(HelpRequest.seminar_id == seminar_id),
        sa.select(HelpRequest.answered_by_id).where(HelpRequest.seminar_id == seminar_id),
        sa.select(DocumentVersion.created_by_id).where(DocumentVersion.id.in_(versions)),
        sa.select(SignOff.account_id).where(SignOff.version_id.in_(versions)),
    )


def people(seminar_id: int, actor: Account) -> Iterator[Record]:
    """Names and roles; an e-mail only where ``permissions.email_visible_account_ids`` lets
    ``actor`` see it (else null)."""
    return _records(
        sa.select(
            Account.id,
            Account.display_name,
            Account.role,
            _email(actor),
            Account.institution_id,
            Account.active,
            Account.is_demo,
        )
        .where(Account.id.in_(_named_account_ids(seminar_id).subquery().select()))
        .order_by(Account.id)
    )


def _email(actor: Account) -> sa.ColumnElement[str | None]:
    visible = Account.id.in_(email_visible_account_ids(actor))
    return sa.case((visible, Account.email), else_=None).label("email")


def facilitators(seminar_id: int, actor: Account) -> Iterator[Record]:
    """The seminar's facilitators, named as in ``people``."""
    return _records(
        sa.select(Account.id, Account.display_name, _email(actor))
        .join(seminar_facilitator, seminar_facilitator.c.account_id == Account.id)
        .where(seminar_facilitator.c.seminar_id == seminar_id)
        .order_by(Account.id)
    )


def memberships(seminar_id: int) -> Iterator[Record]:
    """Every seat at the seminar's tables (``seminar_id`` names the seminar it was taken in)."""
    return _records(
        sa.select(
            Membership.id,
            Membership.account_id,
            Account.display_name,
            Membership.partnership_id,
            Membership.seminar_id,
            Membership.side,
            Membership.active,
            Membership.created_at,
            Membership.removed_at,
            Membership.removed_by_id,
        )
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.partnership_id.in_(_partnership_ids(seminar_id)))
        .order_by(Membership.id)
    )


def seminar_stages(seminar_id: int) -> Iterator[Record]:
    return _records(
        sa.select(
            SeminarStage.stage_key,
            SeminarStage.closed,
            SeminarStage.changed_at,
            SeminarStage.changed_by_id,
        )
        .where(SeminarStage.seminar_id == seminar_id)
        .order_by(SeminarStage.stage_key)
    )


def stage_runs(seminar_id: int) -> Iterator[Record]:
    ids = _partnership_ids(seminar_id)
    runs = _records(
        sa.select(
            StageRun.id,
            StageRun.partnership_id,
            StageRun.cycle,
            StageRun.stage_key,
            StageRun.status,
            StageRun.opened_early,
            StageRun.votes_revealed,
            StageRun.closed_for_room,
            StageRun.first_approved_at,
            StageRun.updated_at,
        )
        .where(StageRun.partnership_id.in_(ids))
        .order_by(StageRun.id)
    )
    events = _records(
        sa.select(
            StageEvent.run_id,
            StageEvent.id,
            StageEvent.action,
            StageEvent.from_status,
            StageEvent.to_status,
            StageEvent.reason,
            StageEvent.questions,
            StageEvent.actor_id,
            StageEvent.at,
        )
        .join(StageRun, StageRun.id == StageEvent.run_id)
        .where(StageRun.partnership_id.in_(ids))
        .order_by(StageEvent.run_id, StageEvent.at, StageEvent.id)
    )
    return nest(runs, events, on="run_id", into="events")


def answers(seminar_id: int) -> Iterator[Record]:
    """Every answer of every cycle with its revisions: two cursors read side by side."""
    ids = _partnership_ids(seminar_id)
    current = _records(
        sa.select(
            Answer.id,
            Answer.partnership_id,
            Answer.cycle,
            Answer.question_key,
            Answer.side,
            Answer.value,
            Answer.version,
            Answer.updated_at,
            Answer.updated_by_id,
        )
        .where(Answer.partnership_id.in_(ids))
        .order_by(Answer.id),
        stream=True,
    )
    revisions = _records(
        sa.select(
            AnswerRevision.answer_id,
            AnswerRevision.id,
            AnswerRevision.version,
            AnswerRevision.value,
            AnswerRevision.author_id,
            AnswerRevision.at,
            AnswerRevision.restored_from,
        )
        .join(Answer, Answer.id == AnswerRevision.answer_id)
        .where(Answer.partnership_id.in_(ids))
        .order_by(AnswerRevision.answer_id, AnswerRevision.version),
        stream=True,
    )
    return nest(current, revisions, on="answer_id", into="revisions")


def comments(seminar_id: int) -> Iterator[Record]:
    return _records(
        sa.select(
            Comment.id,
            Comment.partnership_id,
            Comment.cycle,
            Comment.stage_key,
            Comment.section_key,
            Comment.question_key,
            Comment.thread_id,
            Comment.body,
            Comment.author_id,
            Comment.at,
            Comment.resolved_at,
            Comment.resolved_by_id,
        )
        .where(Comment.partnership_id.in_(_partnership_ids(seminar_id)))
        .order_by(Comment.id)
    )


def votes(seminar_id: int) -> Iterator[Record]:
    """Dot votes as totals per candidate (hidden ones too: a facilitator may reveal them)."""
    return _records(
        sa.select(
            Vote.partnership_id,
            Vote.cycle,
            Vote.stage_key,
            Vote.candidate,
            sa.func.sum(Vote.dots).label("dots"),
        )
        .where(Vote.partnership_id.in_(_partnership_ids(seminar_id)))
        .group_by(Vote.partnership_id, Vote.cycle, Vote.stage_key, Vote.candidate)
        .order_by(Vote.partnership_id, Vote.cycle, Vote.stage_key, Vote.candidate)
    )


def plenary_rounds(seminar_id: int) -> Iterator[Record]:
    return _records(
        sa.select(PlenaryRound.kind, PlenaryRound.state, PlenaryRound.dots, PlenaryRound.changed_at)
        .where(PlenaryRound.seminar_id == seminar_id)
        .order_by(PlenaryRound.kind)
    )


def proposals(seminar_id: int) -> Iterator[Record]:
    totals = (
        sa.select(ProposalVote.proposal_id, sa.func.sum(ProposalVote.dots).label("dots"))
        .where(ProposalVote.seminar_id == seminar_id)
        .group_by(ProposalVote.proposal_id)
        .subquery()
    )
    return _records(
        sa.select(
            Proposal.id,
            Proposal.kind,
            Proposal.partnership_id,
            Proposal.author_id,
            Proposal.text,
            Proposal.merged_into_id,
            Proposal.at,
            sa.func.coalesce(totals.c.dots, 0).label("dots"),
        )
        .outerjoin(totals, totals.c.proposal_id == Proposal.id)
        .where(Proposal.seminar_id == seminar_id)
        .order_by(Proposal.id)
    )


def help_requests(seminar_id: int) -> Iterator[Record]:
    return _records(
        sa.select(
            HelpRequest.id,
            HelpRequest.partnership_id,
            HelpRequest.stage_key,
            HelpRequest.asked_by_id,
            HelpRequest.asked_at,
            HelpRequest.answered_at,
            HelpRequest.answered_by_id,
        )
        .where(HelpRequest.seminar_id == seminar_id)
        .order_by(HelpRequest.id)
    )


def document_versions(seminar_id: int) -> Iterator[Record]:
    """Versions with their sign-offs and their files' metadata; never the verification token
    (it opens the public page) nor the files' bytes."""
    ids = _partnership_ids(seminar_id)
    versions = sa.select(DocumentVersion.id).where(DocumentVersion.partnership_id.in_(ids))
    parents = _records(
        sa.select(
            DocumentVersion.id,
            DocumentVersion.partnership_id,
            DocumentVersion.cycle,
            DocumentVersion.number,
            DocumentVersion.created_at,
            DocumentVersion.created_by_id,
            DocumentVersion.method_version,
            DocumentVersion.content_hash,
            DocumentVersion.draft,
            DocumentVersion.changes,
            DocumentVersion.snapshot,
        )
        .where(DocumentVersion.partnership_id.in_(ids))
        .order_by(DocumentVersion.id)
    )
    signoffs = _records(
        sa.select(
            SignOff.version_id,
            SignOff.id,
            SignOff.account_id,
            SignOff.institution_id,
            SignOff.side,
            SignOff.name,
            SignOff.position,
            SignOff.content_hash,
            SignOff.signed_at,
        )
        .where(SignOff.version_id.in_(versions))
        .order_by(SignOff.version_id, SignOff.signed_at, SignOff.id)
    )
    files = _records(
        sa.select(
            DocumentFile.version_id,
            DocumentFile.id,
            DocumentFile.kind,
            DocumentFile.fmt,
            DocumentFile.language,
            DocumentFile.seal,
            DocumentFile.sha256,
            DocumentFile.size,
            DocumentFile.created_at,
            DocumentFile.created_by_id,
        )
        .where(DocumentFile.version_id.in_(versions))
        .order_by(DocumentFile.version_id, DocumentFile.id)
    )
    return nest(
        nest(parents, signoffs, on="version_id", into="signoffs"),
        files,
        on="version_id",
        into="files",
    )
