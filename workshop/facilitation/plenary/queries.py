"""What the plenary reads: a seminar's rounds, proposals, proposers and dot totals.

A whole seminar costs a fixed handful of queries (rounds, proposals with their tables' names,
vote totals, voters), however many tables propose: everything is grouped in SQL or in one pass
over the rows those queries return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from workshop.extensions import db
from workshop.facilitation.plenary.labels import kind_title, state_label
from workshop.i18n import partnership_label
from workshop.models import (
    Account,
    Institution,
    Partnership,
    PlenaryKind,
    PlenaryRound,
    PlenaryState,
    Proposal,
    ProposalVote,
    Seminar,
)
from workshop.permissions import managed_seminar_ids

KINDS: tuple[PlenaryKind, ...] = (PlenaryKind.PRINCIPLE, PlenaryKind.PRIORITY_AREA)
DEFAULT_DOTS = 3  # a round's dots until the facilitator chooses (also for one with no row yet)


@dataclass(frozen=True)
class Round:
    """Where one kind's round stands (a kind nobody has touched yet is collecting)."""

    kind: PlenaryKind
    state: PlenaryState = PlenaryState.COLLECTING
    dots: int = DEFAULT_DOTS

    @property
    def collecting(self) -> bool:
        return self.state is PlenaryState.COLLECTING

    @property
    def voting(self) -> bool:
        return self.state is PlenaryState.VOTING

    @property
    def revealed(self) -> bool:
        return self.state is PlenaryState.REVEALED


@dataclass(frozen=True)
class Names:
    """An institution's name in both languages, as ``i18n.localized`` reads it."""

    name_uk: str | None
    name_en: str | None


@dataclass(frozen=True)
class Table:
    """A proposing table, shaped for ``i18n.partnership_label`` (the reader's language)."""

    id: int
    ua_institution: Names
    partner_institution: Names

    def label(self) -> str:
        return partnership_label(self)


@dataclass
class Item:
    """A proposal as the room sees it: a kept one gathers the tables of those merged into it."""

    id: int
    kind: PlenaryKind
    text: str
    partnership_id: int | None
    merged_into_id: int | None
    at: datetime
    tables: list[Table] = field(default_factory=list)  # its own table first, then merged ones'
    merged: list[Item] = field(default_factory=list)  # the proposals merged into this one
    dots: int = 0
    voters: int = 0
    rank: int = 0

    @property
    def proposed_by(self) -> str:
        """The proposing tables, in the reader's language, each once."""
        seen: list[str] = []
        for table in self.tables:
            name = table.label()
            if name not in seen:
                seen.append(name)
        return "; ".join(seen)


@dataclass
class Board:
    """One kind's round and its proposals (kept ones; merged ones hang under them)."""

    round: Round
    items: list[Item]

    @property
    def kind(self) -> PlenaryKind:
        return self.round.kind

    def of_table(self, partnership_id: int) -> list[tuple[Item, Item | None]]:
        """A table's own proposals, each with the one it was merged into (None if none)."""
        own: list[tuple[Item, Item | None]] = []
        for item in self.items:
            if item.partnership_id == partnership_id:
                own.append((item, None))
            own.extend((m, item) for m in item.merged if m.partnership_id == partnership_id)
        return sorted(own, key=lambda pair: (pair[0].at, pair[0].id))

    def ranked(self) -> list[Item]:
        """Most dots first, then most voters, then the text (case-blind) for a stable order."""
        ordered = sorted(self.items, key=lambda i: (-i.dots, -i.voters, i.text.casefold(), i.id))
        for place, item in enumerate(ordered, start=1):
            item.rank = place
        return ordered


def managed_seminar(actor: Account, seminar_id: int) -> Seminar | None:
    """The seminar, if ``actor`` manages it (``managed_seminar_ids``, the SQL twin of
    ``can_manage_seminar``): one query."""
    return db.session.scalar(
        sa.select(Seminar).where(
            Seminar.id == seminar_id, Seminar.id.in_(managed_seminar_ids(actor))
        )
    )


def managed_revision(actor: Account, seminar_id: int) -> int | None:
    """The seminar's change counter if ``actor`` manages it: a quiet poll's one query."""
    return db.session.scalar(
        sa.select(Seminar.revision).where(
            Seminar.id == seminar_id, Seminar.id.in_(managed_seminar_ids(actor))
        )
    )


def rounds(seminar_id: int) -> dict[PlenaryKind, Round]:
    """Each kind's round (one query)."""
    found = {
        r.kind: Round(kind=r.kind, state=r.state, dots=r.dots)
        for r in db.session.scalars(
            sa.select(PlenaryRound).where(PlenaryRound.seminar_id == seminar_id)
        )
    }
    return {kind: found.get(kind, Round(kind=kind)) for kind in KINDS}


def boards(
    seminar_id: int, *, states: dict[PlenaryKind, Round] | None = None
) -> dict[PlenaryKind, Board]:
    """Every kind's round with its proposals and proposers, and the dot totals of the kinds
    whose result is revealed: a running vote's standing is never read, so no page can leak it.

    Two or three queries (rounds unless given, proposals, totals if any kind is revealed)
    whatever the number of tables.
    """
    states = states if states is not None else rounds(seminar_id)
    revealed = {kind for kind, r in states.items() if r.revealed}
    ua, partner = aliased(Institution), aliased(Institution)
    rows = db.session.execute(
        sa.select(
            Proposal.id,
            Proposal.kind,
            Proposal.text,
            Proposal.partnership_id,
            Proposal.merged_into_id,
            Proposal.at,
            ua.name_uk,
            ua.name_en,
            partner.name_uk,
            partner.name_en,
        )
        .outerjoin(Partnership, Partnership.id == Proposal.partnership_id)
        .outerjoin(ua, ua.id == Partnership.ua_institution_id)
        .outerjoin(partner, partner.id == Partnership.partner_institution_id)
        .where(Proposal.seminar_id == seminar_id)
        .order_by(Proposal.at, Proposal.id)
    ).all()
    items: dict[int, Item] = {}
    for pid, kind, text, partnership_id, merged_into, at, ua_uk, ua_en, pa_uk, pa_en in rows:
        item = Item(
            id=pid, kind=kind, text=text, partnership_id=partnership_id,
            merged_into_id=merged_into, at=at,
        )  # fmt: skip
        if partnership_id is not None:
            item.tables.append(Table(partnership_id, Names(ua_uk, ua_en), Names(pa_uk, pa_en)))
        items[pid] = item
    for item in items.values():
        kept = items.get(item.merged_into_id) if item.merged_into_id is not None else None
        if kept is not None:
            kept.merged.append(item)
            kept.tables.extend(item.tables)
    if revealed:
        for pid, dots, voters in vote_totals(seminar_id):
            item = items.get(pid)
            if item is not None and item.kind in revealed:
                item.dots, item.voters = dots, voters
    result = {kind: Board(round=states[kind], items=[]) for kind in KINDS}
    for item in items.values():
        if item.merged_into_id is None:
            result[item.kind].items.append(item)
    return result


def vote_totals(seminar_id: int) -> list[tuple[int, int, int]]:
    """(proposal id, total dots, number of voters) per proposal: only totals, never who."""
    return [
        (pid, int(dots or 0), int(voters or 0))
        for pid, dots, voters in db.session.execute(
            sa.select(
                ProposalVote.proposal_id,
                sa.func.sum(ProposalVote.dots),
                sa.func.count(sa.distinct(ProposalVote.voter_id)),
            )
            .where(ProposalVote.seminar_id == seminar_id, ProposalVote.dots > 0)
            .group_by(ProposalVote.proposal_id)
        )
    ]


def voter_count(seminar_id: int) -> dict[PlenaryKind, int]:
    """How many people have voted on each kind (one query): a number, never names."""
    counts = dict(
        db.session.execute(
            sa.select(Proposal.kind, sa.func.count(sa.distinct(ProposalVote.voter_id)))
            .join(Proposal, Proposal.id == ProposalVote.proposal_id)
            .where(ProposalVote.seminar_id == seminar_id, ProposalVote.dots > 0)
            .group_by(Proposal.kind)
        ).all()
    )
    return {kind: int(counts.get(kind, 0)) for kind in KINDS}


def my_dots(seminar_id: int, voter_id: int) -> dict[int, int]:
    """The dots this person gave, per proposal (only ever shown to that person)."""
    return dict(
        db.session.execute(
            sa.select(ProposalVote.proposal_id, ProposalVote.dots).where(
                ProposalVote.seminar_id == seminar_id, ProposalVote.voter_id == voter_id
            )
        ).all()
    )


def projector_context(seminar: Seminar) -> dict[str, Any]:
    """What the projector shows of the plenary (``_projector.html``): per kind, the ranked list
    once revealed, else how many proposals there are and whether the vote runs.

    Totals exist only for a revealed kind (``boards``): a running vote shows nothing of its
    standing.
    """
    states = rounds(seminar.id)
    found = boards(seminar.id, states=states)
    kinds = []
    for kind in KINDS:
        board = found[kind]
        kinds.append(
            {
                "kind": kind,
                "title": kind_title(kind),
                "state": board.round.state,
                "state_label": state_label(board.round.state),
                "round": board.round,
                "count": len(board.items),
                "ranked": board.ranked() if board.round.revealed else [],
            }
        )
    return {"plenary_kinds": kinds, "plenary_any": any(k["count"] for k in kinds)}
