"""What changes in the plenary: tables propose, the facilitator merges and runs the vote.

Every function takes the seminar the caller has already checked (a seat at one of its tables,
or managing it) and treats every other id as hostile: a proposal id from a form is looked up
inside that seminar only. A refusal raises ``PlenaryError`` before anything is written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.dialects import postgresql, sqlite

from workshop import audit, live
from workshop.extensions import db
from workshop.facilitation.plenary.queries import DEFAULT_DOTS
from workshop.models import (
    Account,
    PlenaryKind,
    PlenaryRound,
    PlenaryState,
    Proposal,
    ProposalVote,
    Seminar,
    utcnow,
)
from workshop.numbers import whole_number
from workshop.usererror import UserError

MIN_CHARS, MAX_CHARS = 3, 300  # Proposal.text holds 300
MAX_PER_TABLE = 20  # per kind: enough for any real table, and a wall against a runaway script
DOTS_RANGE = (1, 10)  # what a facilitator may hand each person per kind


class PlenaryError(UserError):
    """A plenary action that cannot happen, and why (in the person's language)."""


def parse_kind(raw: object) -> PlenaryKind | None:
    """The kind a form names, or None for anything else."""
    return next((k for k in PlenaryKind if k.value == raw), None)


def clean_text(raw: str) -> str:
    """A proposal as it is kept: one line, spaces squeezed (a pasted paragraph or a stray tab
    or control character would break the projector's list and the CSV)."""
    text = unicodedata.normalize("NFC", raw)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def checked_text(raw: str, *, field: str = "text") -> str:
    """``raw`` cleaned, or a ``PlenaryError`` saying what is wrong with its length."""
    text = clean_text(raw)
    if len(text) < MIN_CHARS:
        raise PlenaryError(
            ngettext(
                "Write the proposal in at least %(num)d character.",
                "Write the proposal in at least %(num)d characters.",
                MIN_CHARS,
            ),
            field=field,
        )
    if len(text) > MAX_CHARS:
        raise PlenaryError(
            ngettext(
                "Keep the proposal to %(num)d character (this one has %(given)d).",
                "Keep the proposal to %(num)d characters (this one has %(given)d).",
                MAX_CHARS,
                given=len(text),
            ),
            field=field,
        )
    return text


def _same(text: str) -> str:
    return text.casefold()


# -- The round ---------------------------------------------------------------------------------


def round_of(seminar_id: int, kind: PlenaryKind, *, lock: bool = False) -> PlenaryRound:
    """The kind's round, made (collecting, 3 dots) the first time anybody needs it.

    Twenty tables may send their first proposal in the same second: the row is made with an
    insert that leaves one made meanwhile alone, never a second insert that fails. ``lock``
    then holds the row until commit on PostgreSQL, so a vote, a merge and a change of state
    of one round run one after the other.
    """
    query = sa.select(PlenaryRound).where(
        PlenaryRound.seminar_id == seminar_id, PlenaryRound.kind == kind
    )
    found = db.session.scalar(query.with_for_update() if lock else query)
    if found is None:
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        db.session.execute(
            dialect.insert(PlenaryRound.__table__)
            .values(
                seminar_id=seminar_id,
                kind=kind,
                state=PlenaryState.COLLECTING,
                dots=DEFAULT_DOTS,
                changed_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["seminar_id", "kind"])
        )
        found = db.session.scalar(query.with_for_update() if lock else query)
    assert found is not None  # noqa: S101 - made just above, or by whoever was first
    return found


def _require(round_: PlenaryRound, state: PlenaryState, message: str) -> None:
    if round_.state is not state:
        raise PlenaryError(message)


# -- Tables propose ------------------------------------------------------------------------------


def propose(
    seminar: Seminar, *, partnership_id: int, author: Account, kind: PlenaryKind, raw: str
) -> Proposal:
    """A table's new proposal of ``kind``; refused outside collecting, when too short or long,
    or when the table has already proposed the same words."""
    round_ = round_of(seminar.id, kind, lock=True)
    _require(
        round_,
        PlenaryState.COLLECTING,
        _("Proposals are closed: the room is voting or has voted on them."),
    )
    text = checked_text(raw)
    own = db.session.scalars(
        sa.select(Proposal.text).where(
            Proposal.seminar_id == seminar.id,
            Proposal.kind == kind,
            Proposal.partnership_id == partnership_id,
        )
    ).all()
    if any(_same(t) == _same(text) for t in own):
        raise PlenaryError(_("Your table has proposed this already."), field="text")
    if len(own) >= MAX_PER_TABLE:
        raise PlenaryError(
            _("A table proposes at most %(n)d of each kind; remove one first.", n=MAX_PER_TABLE),
            field="text",
        )
    proposal = Proposal(
        seminar_id=seminar.id,
        kind=kind,
        partnership_id=partnership_id,
        author_id=author.id,
        text=text,
        at=utcnow(),
    )
    db.session.add(proposal)
    db.session.flush()
    audit.record("plenary_proposed", actor=author, obj=proposal, kind=kind.value)
    return proposal


def withdraw(seminar: Seminar, *, partnership_id: int, raw_id: str, actor: Account) -> None:
    """A table takes back one of its own proposals while the room is still proposing."""
    proposal = _proposal_of(seminar, raw_id)
    if proposal is None or proposal.partnership_id != partnership_id:
        raise PlenaryError(_("That proposal is not one of your table's."))
    round_ = round_of(seminar.id, proposal.kind, lock=True)
    _require(
        round_,
        PlenaryState.COLLECTING,
        _("Proposals cannot be removed once the vote has opened."),
    )
    kept_for = db.session.scalar(
        sa.select(sa.func.count()).where(Proposal.merged_into_id == proposal.id)
    )
    if kept_for:
        raise PlenaryError(
            _(
                "The facilitator has merged other tables' proposals into this one: "
                "ask the facilitator to change it."
            )
        )
    audit.record("plenary_withdrawn", actor=actor, obj=proposal, text=proposal.text)
    db.session.delete(proposal)
    db.session.flush()


# -- The room votes ------------------------------------------------------------------------------


def cast(
    seminar: Seminar, *, kind: PlenaryKind, voter: Account, ballot: Sequence[tuple[str, str]]
) -> int:
    """Replace ``voter``'s dots on ``kind`` with ``ballot`` (proposal id, dots as typed).

    Every id must be an unmerged proposal of this kind in this seminar; each count a whole
    number; the sum within the round's dots. Returns the dots given.
    """
    round_ = round_of(seminar.id, kind, lock=True)
    _require(round_, PlenaryState.VOTING, _("The vote is not open (any more)."))
    open_ids = set(
        db.session.scalars(
            sa.select(Proposal.id).where(
                Proposal.seminar_id == seminar.id,
                Proposal.kind == kind,
                Proposal.merged_into_id.is_(None),
            )
        )
    )
    dots: dict[int, int] = {}
    for raw_id, typed in ballot:
        pid = whole_number(raw_id.strip(), low=1)
        if pid is None or pid not in open_ids or pid in dots:
            raise PlenaryError(_("The proposals changed meanwhile; reload the page."))
        count = whole_number(typed.strip() or "0", high=round_.dots)
        if count is None:
            raise PlenaryError(
                _("Give each proposal a whole number of dots from 0 to %(n)d.", n=round_.dots),
                field="dots",
            )
        dots[pid] = count
    given = sum(dots.values())
    if given > round_.dots:
        raise PlenaryError(
            ngettext(
                "You have %(num)d dot but gave %(given)d.",
                "You have %(num)d dots but gave %(given)d.",
                round_.dots,
                given=given,
            ),
            field="dots",
        )
    # A plain statement (the listener does not see it): the touch below counts the change even
    # when the new ballot is empty.
    db.session.execute(
        sa.delete(ProposalVote).where(
            ProposalVote.seminar_id == seminar.id,
            ProposalVote.voter_id == voter.id,
            ProposalVote.proposal_id.in_(
                sa.select(Proposal.id).where(
                    Proposal.seminar_id == seminar.id, Proposal.kind == kind
                )
            ),
        )
    )
    db.session.add_all(
        ProposalVote(seminar_id=seminar.id, proposal_id=pid, voter_id=voter.id, dots=count)
        for pid, count in dots.items()
        if count
    )
    db.session.flush()
    live.touch_seminar(seminar.id)
    return given


# -- The facilitator -----------------------------------------------------------------------------


def _proposal_of(seminar: Seminar, raw_id: object) -> Proposal | None:
    pid = whole_number(str(raw_id).strip(), low=1)
    if pid is None:
        return None
    return db.session.scalar(
        sa.select(Proposal).where(Proposal.id == pid, Proposal.seminar_id == seminar.id)
    )


def _chosen(raw_ids: Sequence[str], raw_keep: str) -> tuple[list[int], int]:
    """The distinct ids chosen for a merge and the one to keep, or a ``PlenaryError``."""
    ids: list[int] = []
    for raw in raw_ids:
        pid = whole_number(raw.strip(), low=1)
        if pid is None:
            raise PlenaryError(_("Choose proposals from the list."), field="merge")
        if pid not in ids:
            ids.append(pid)
    if len(ids) < 2:
        raise PlenaryError(_("Choose at least two proposals to merge."), field="merge")
    keep_id = whole_number(raw_keep.strip(), low=1)
    if keep_id is None or keep_id not in ids:
        raise PlenaryError(_("Choose which of the chosen proposals to keep."), field="keep")
    return ids, keep_id


def _mergeable(seminar: Seminar, ids: list[int]) -> dict[int, Proposal]:
    """The chosen proposals, if all are this seminar's, of one kind, and none merged yet."""
    found = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Proposal).where(Proposal.id.in_(ids), Proposal.seminar_id == seminar.id)
        )
    }
    if len(found) != len(ids):
        raise PlenaryError(
            _("Only proposals of this seminar can be merged; reload the page."), field="merge"
        )
    if len({p.kind for p in found.values()}) != 1:
        raise PlenaryError(
            _("Principles and priority areas cannot be merged with each other."), field="merge"
        )
    if any(p.merged_into_id is not None for p in found.values()):
        raise PlenaryError(
            _("One of the chosen proposals is already merged into another; reload the page."),
            field="merge",
        )
    return found


def merge(
    seminar: Seminar,
    *,
    raw_ids: Sequence[str],
    raw_keep: str,
    raw_text: str,
    actor: Account,
) -> Proposal:
    """Merge the chosen proposals into the one kept (its words replaced by ``raw_text`` if
    given): two or more, all of this seminar, of one kind, none merged already, while the room
    is still proposing. Those merged into a chosen one follow it into the kept one."""
    ids, keep_id = _chosen(raw_ids, raw_keep)
    found = _mergeable(seminar, ids)
    kept = found[keep_id]
    round_ = round_of(seminar.id, kept.kind, lock=True)
    _require(
        round_,
        PlenaryState.COLLECTING,
        _("Merge proposals before the vote opens (or take the round back to proposing)."),
    )
    text = checked_text(raw_text, field="keep_text") if raw_text.strip() else kept.text
    others = [pid for pid in ids if pid != keep_id]
    # Those already merged into a chosen one move with it: one level, as the list shows it.
    for proposal in db.session.scalars(
        sa.select(Proposal).where(
            Proposal.seminar_id == seminar.id, Proposal.merged_into_id.in_(others)
        )
    ):
        proposal.merged_into_id = kept.id
    for pid in others:
        found[pid].merged_into_id = kept.id
    if text != kept.text:
        kept.text = text
    db.session.flush()
    audit.record("plenary_merged", actor=actor, obj=kept, merged=others, kind=kept.kind.value)
    return kept


def split(seminar: Seminar, *, raw_id: str, actor: Account) -> Proposal:
    """Undo a merge for one proposal: it stands on its own again (while proposing)."""
    proposal = _proposal_of(seminar, raw_id)
    if proposal is None or proposal.merged_into_id is None:
        raise PlenaryError(_("That proposal is not merged into another; reload the page."))
    round_ = round_of(seminar.id, proposal.kind, lock=True)
    _require(
        round_,
        PlenaryState.COLLECTING,
        _("Split proposals before the vote opens (or take the round back to proposing)."),
    )
    proposal.merged_into_id = None
    db.session.flush()
    audit.record("plenary_split", actor=actor, obj=proposal)
    return proposal


def open_vote(seminar: Seminar, *, kind: PlenaryKind, raw_dots: str, actor: Account) -> int:
    """Collecting → voting, each person with ``raw_dots`` dots (1–10) on this kind."""
    low, high = DOTS_RANGE
    dots = whole_number(raw_dots.strip(), low=low, high=high)
    if dots is None:
        raise PlenaryError(
            _(
                "Give each person a whole number of dots from %(low)d to %(high)d.",
                low=low,
                high=high,
            ),
            field="dots",
        )
    round_ = round_of(seminar.id, kind, lock=True)
    _require(round_, PlenaryState.COLLECTING, _("The vote is open already; reload the page."))
    has_any = db.session.scalar(
        sa.select(sa.func.count()).where(
            Proposal.seminar_id == seminar.id,
            Proposal.kind == kind,
            Proposal.merged_into_id.is_(None),
        )
    )
    if not has_any:
        raise PlenaryError(_("There is nothing to vote on yet: no table has proposed any."))
    round_.state, round_.dots, round_.changed_at = PlenaryState.VOTING, dots, utcnow()
    audit.record("plenary_vote_opened", actor=actor, obj=seminar, kind=kind.value, dots=dots)
    return dots


def reveal(seminar: Seminar, *, kind: PlenaryKind, actor: Account) -> None:
    """Voting → revealed: the ranked list is shown to the room."""
    round_ = round_of(seminar.id, kind, lock=True)
    _require(
        round_, PlenaryState.VOTING, _("Only a running vote can be revealed; reload the page.")
    )
    round_.state, round_.changed_at = PlenaryState.REVEALED, utcnow()
    audit.record("plenary_revealed", actor=actor, obj=seminar, kind=kind.value)


def votes_cast(seminar: Seminar, kind: PlenaryKind) -> int:
    """How many dots lie on ``kind`` now (what going back to proposing would throw away)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(ProposalVote.dots), 0))
            .join(Proposal, Proposal.id == ProposalVote.proposal_id)
            .where(ProposalVote.seminar_id == seminar.id, Proposal.kind == kind)
        )
        or 0
    )


def back_to_collecting(seminar: Seminar, *, kind: PlenaryKind, actor: Account) -> int:
    """Voting or revealed → collecting, and the dots cast on this kind are discarded.

    They are discarded because proposals may now be added, removed, merged and split: dots
    kept on a list that then changes would count for proposals nobody voted on. Returns how
    many dots were discarded (the confirmation said so before).
    """
    round_ = round_of(seminar.id, kind, lock=True)
    if round_.state is PlenaryState.COLLECTING:
        raise PlenaryError(_("The tables are proposing already; reload the page."))
    discarded = votes_cast(seminar, kind)
    db.session.execute(
        sa.delete(ProposalVote).where(
            ProposalVote.seminar_id == seminar.id,
            ProposalVote.proposal_id.in_(
                sa.select(Proposal.id).where(
                    Proposal.seminar_id == seminar.id, Proposal.kind == kind
                )
            ),
        )
    )
    round_.state, round_.changed_at = PlenaryState.COLLECTING, utcnow()
    audit.record(
        "plenary_back_to_collecting", actor=actor, obj=seminar, kind=kind.value, dots=discarded
    )
    return discarded
