"""The one way an answer is saved, whether a section form was posted or the page's script sent it.

Both paths check the same things in the same order: the cycle the page showed is the
partnership's current one and still open, the stage is open for changes, the value fits its
question, the save names the version it started from; then the value is stored, merging a stale
table save cell by cell where it can (``merge``). Nothing is stored when any check fails, and
the outcome says why, in the person's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from workshop.auth.signed_in import SignedIn, Table
from workshop.groupwork.answers import merge
from workshop.groupwork.answers.services import Conflict, Guard, Locked
from workshop.groupwork.answers.values import InvalidAnswer, clean
from workshop.groupwork.review.queries import run_states
from workshop.groupwork.review.workflow import previous, why_not_editable
from workshop.method.definition import Method, Question, Stage
from workshop.models import Account, Partnership
from workshop.numbers import whole_number

UNCHANGED = object()  # the stored value, when the caller has it at hand (a section save does)


@dataclass
class Outcome:
    question: Question
    value: Any  # what was stored, or what the person typed when it was not
    result: merge.Result | None = None  # None: nothing stored
    error: str | None = None  # the value does not fit, or the page is out of date
    conflict: Conflict | None = None  # somebody saved first and the change could not merge
    locked: str | None = None  # the stage took no changes when the save reached it (a guard)

    @property
    def stored(self) -> bool:
        return self.result is not None


def refusal(
    partnership: Partnership | Table, method: Method, stage: Stage, shown_cycle: int | None
) -> str | None:
    """Why no answer of ``stage`` may be saved from a page showing ``shown_cycle`` now, or None.

    Reads only the runs of the stage and the one before it: one small query.
    """
    return page_refusal(partnership, shown_cycle) or stage_refusal(partnership, method, stage)


def page_refusal(partnership: Partnership | Table, shown_cycle: int | None) -> str | None:
    """Why a page showing ``shown_cycle`` may not save now (another cycle), or None."""
    if shown_cycle == 0:  # said something, but not a cycle number: a tampered or broken page
        return _("The save could not be read; reload the page.")
    if shown_cycle is not None and shown_cycle != partnership.cycle:
        return _(
            "This page shows cycle %(shown)d, but the partnership is in cycle %(now)d now. "
            "Copy what you typed, then reload the page.",
            shown=shown_cycle,
            now=partnership.cycle,
        )
    return None


def stage_refusal(partnership: Partnership | Table, method: Method, stage: Stage) -> str | None:
    """Why the stage takes no changes now (closed cycle, not open yet, approved, closed for
    the room), or None."""
    before = previous(method, stage)
    states = run_states(partnership.id, partnership.cycle, stage.key, before and before.key)
    return why_not_editable(method, stage, states, partnership)


def guard(partnership: Partnership | Table, method: Method, stage: Stage) -> Guard:
    """The stage's lock checked by the save's own statement (no query before it), worded by
    stage_refusal when it refuses."""
    before = previous(method, stage)
    return Guard(
        stage.key,
        before and before.key,
        lambda: stage_refusal(partnership, method, stage),
    )


def save(
    question: Question,
    raw: Any,
    *,
    partnership: Partnership | Table,
    side: str,
    base_version: int | None,
    actor: Account | SignedIn,
    idempotency_key: str | None = None,
    stored: Any = UNCHANGED,
    locked_by: Guard | None = None,
) -> Outcome:
    """Check ``raw`` and store it as the new value of ``question`` for ``side``.

    ``stored`` is the value already kept, where the caller knows it: an equal value is then
    not saved again (a section form re-sends every question, changed or not).
    """
    try:
        value = clean(question, raw)
    except InvalidAnswer as error:
        return Outcome(question, raw, error=error.message)
    if stored is not UNCHANGED and stored == value:
        return Outcome(question, value)
    if base_version is None:
        return Outcome(question, raw, error=_("Reload the page and try again."))
    try:
        result = merge.save(
            question,
            partnership_id=partnership.id,
            cycle=partnership.cycle,
            side=side,
            value=value,
            base_version=base_version,
            actor=actor,
            idempotency_key=idempotency_key,
            guard=locked_by,
        )
    except Conflict as conflict:
        return Outcome(question, value, conflict=conflict)
    except Locked as locked:
        return Outcome(question, value, locked=locked.reason)
    return Outcome(question, value, result=result)


MAX_CYCLE = 9_999  # far beyond any partnership's; a larger number is a page from nowhere


def shown_cycle(raw: object) -> int | None:
    """The cycle number a page or script says it showed; None when it did not say.

    Anything that is not a small whole number is treated as a page from another cycle (0).
    """
    if raw is None or raw == "":
        return None
    return whole_number(raw, low=1, high=MAX_CYCLE) or 0


def merged_note(question: Question, by: str, lang: str) -> str:
    """What the person is told when somebody else's cells were merged into their save."""
    return _(
        "%(name)s changed other cells of «%(table)s» meanwhile: both changes are kept.",
        name=by or _("Somebody"),
        table=question.label(lang),
    )
