"""Everything a stage page shows, gathered in one place.

``build`` reads what the page needs (answers, runs, comments, votes, presence, lineage,
insights, suggestions) in a fixed number of queries, however many answers there are;
``render_stage`` renders it, with whatever a refused post brings back (typed values, errors,
conflicts, a notice) so nothing a person typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import gettext as _

from workshop.facilitation.control import queries as room
from workshop.groupwork.access import acting
from workshop.groupwork.answers import queries
from workshop.groupwork.answers.services import Conflict
from workshop.groupwork.review import queries as review_queries
from workshop.groupwork.review import workflow
from workshop.groupwork.stage import insights, page, prefill, presence
from workshop.groupwork.trace import lineage
from workshop.groupwork.voting import queries as voting_queries
from workshop.i18n import current_lang
from workshop.method import completeness
from workshop.method.definition import Method, Stage
from workshop.models import SHARED, Account, Membership, Partnership, StageRun
from workshop.permissions import can_comment, can_review


@dataclass(frozen=True)
class Posted:
    """What a refused post brings back to the page."""

    values: dict[str, Any]
    errors: dict[str, str]
    conflicts: dict[str, Conflict]


def _ballot(
    partnership: Partnership,
    cycle: int,
    method: Method,
    stage: Stage,
    by_key: dict[str, StageRun],
    seat: Membership | None,
    actor: Account,
) -> voting_queries.Ballot | None:
    table = method.question(stage.vote_on) if stage.vote_on else None
    if table is None:
        return None
    run = by_key.get(stage.key)
    return voting_queries.ballot(
        partnership.id,
        cycle,
        stage.key,
        table,
        stage.vote_budget,
        revealed=bool(run and run.votes_revealed),
        voter=actor if seat else None,
    )


def _revealed_dots(
    partnership: Partnership, method: Method, by_key: dict[str, StageRun]
) -> dict[str, int]:
    """Dots per candidate row, once a facilitator revealed them: they weigh in on proposals."""
    for stage in method.stages:
        run = by_key.get(stage.key)
        if stage.vote_on and run and run.votes_revealed:
            table = method.question(stage.vote_on)
            if table is not None:
                found = voting_queries.ballot(
                    partnership.id,
                    partnership.cycle,
                    stage.key,
                    table,
                    stage.vote_budget,
                    revealed=True,
                    voter=None,
                )
                return {c.id: dots for c, dots in found.totals}
    return {}


def _suggested(
    partnership: Partnership,
    method: Method,
    stage: Stage,
    seat: Membership,
    by_key: dict[str, StageRun],
) -> dict[str, list[prefill.Suggestion]]:
    tables = [q for q in stage.questions() if q.prefill]
    if not tables:
        return {}
    source = prefill.Source(
        partnership.id, partnership.cycle, _revealed_dots(partnership, method, by_key)
    )
    found = {}
    for question in tables:
        side = seat.side.value if question.per_side else SHARED
        if rows := prefill.suggestions(method, question, source, side):
            found[question.key] = rows
    return found


def build(
    partnership: Partnership,
    method: Method,
    stage: Stage,
    seat: Membership | None,
    posted: Posted | None = None,
    cycle: int | None = None,
) -> dict[str, Any]:
    """The template's variables for one stage page, of the current cycle unless another is
    named (an earlier cycle is shown to read, never to change)."""
    actor = acting()
    cycle = cycle or partnership.cycle
    lang = current_lang()
    # Besides the stage's own questions: the tables the trace links, and every question that
    # carries a role (an insight may read, say, the plan horizon asked in an earlier stage).
    everything = [q for s in method.stages for q in s.questions()]
    also = lineage.keys(method) + [q.key for q in everything if q.role]
    also += [q.more_rows for q in everything if q.more_rows]  # the rows a fixed list gains
    also += sorted(completeness.keys_needed(method, stage))  # what counting answers reads
    answers = queries.stage_answers(partnership.id, cycle, stage, also=also)
    by_key = review_queries.runs(partnership.id, cycle)
    locked = (
        workflow.why_not_editable(method, stage, by_key, partnership)
        if cycle == partnership.cycle
        else _(
            "This is cycle %(shown)d, kept to read; the partnership works in cycle %(now)d now.",
            shown=cycle,
            now=partnership.cycle,
        )
    )
    editing = seat if locked is None else None
    events = review_queries.events(partnership.id, cycle, stage.key)
    status = review_queries.status_of(stage, by_key)
    views = page.build(
        stage,
        answers,
        editing,
        posted=posted.values if posted else None,
        errors=posted.errors if posted else None,
        conflicts=posted.conflicts if posted else None,
        method=method,
    )
    return {
        "partnership": partnership,
        "cycle": cycle,
        "cycles": range(1, partnership.cycle + 1),
        "method": method,
        "stage": stage,
        "seat": seat,
        "views": views,
        "progress": queries.answered_share(method, stage, answers),
        "runs": by_key,
        "stage_status": status,
        "locked": locked,
        "revising": [s.title(lang) for s in workflow.being_revised(method, stage, by_key)],
        "stage_open": {s.key: workflow.is_open(method, s, by_key) for s in method.stages},
        "events": events,
        "change_request": review_queries.open_request(events, status),
        "threads": review_queries.threads(partnership.id, cycle, stage.key),
        "reviewer": can_review(actor, partnership) and cycle == partnership.cycle,
        "commenter": can_comment(actor, partnership) and cycle == partnership.cycle,
        "next_stage": workflow.following(method, stage),
        "insights": insights.for_stage(method, stage.insights, answers),
        "suggested": _suggested(partnership, method, stage, editing, by_key) if editing else {},
        "ballot": _ballot(partnership, cycle, method, stage, by_key, seat, actor),
        "present": presence.others(partnership.id, stage.key, actor),
        "lineage": lineage.build(method, {k: a.value for k, a in answers.items()}, lang),
        # The room's strip (facilitation/control): the countdown, the notice, "Ask for help".
        "live_room": room.live_state(seat.seminar_id, partnership, method, by_key, lang)
        if seat and seat.seminar_id and cycle == partnership.cycle
        else None,
    }


def render_stage(
    partnership: Partnership,
    method: Method,
    stage: Stage,
    seat: Membership | None,
    status: int = 200,
    notice: dict[str, Any] | None = None,
    posted: Posted | None = None,
    cycle: int | None = None,
) -> tuple[str, int]:
    """The stage page; ``notice`` carries a refused review or comment back with what was typed."""
    context = build(partnership, method, stage, seat, posted, cycle)
    return render_template("groupwork/stage.html", notice=notice or {}, **context), status
