"""Drawing the plenary pages: the whole page, or only their live part for a poll.

A live part carries a digest of what it shows, so the page's script swaps it only when the
plenary itself changed (the seminar's counter also moves with every answer saved at a table).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import render_template, url_for
from markupsafe import Markup

from workshop import live
from workshop.facilitation.plenary import queries
from workshop.facilitation.plenary.labels import kind_short, kind_title, state_label
from workshop.facilitation.plenary.services import DOTS_RANGE, MAX_CHARS, MIN_CHARS
from workshop.models import Account, Partnership, PlenaryKind, Seminar

TABLE_PAGE = "facilitation/plenary/table.html"
TABLE_LIVE = "facilitation/plenary/_table_live.html"
MANAGE_PAGE = "facilitation/plenary/manage.html"
MANAGE_LIVE = "facilitation/plenary/_manage_live.html"

# How often the pages ask for changes: the facilitator watches proposals arrive; a table's page
# mostly waits for the vote to open, and a room has a hundred of them.
MANAGE_POLL_MS = 3000
TABLE_POLL_MS = 5000

_CSRF = re.compile(r'name="csrf_token" value="[^"]*"')


@dataclass
class Problem:
    """A refused action: which kind's form, the message by field, and what was typed."""

    kind: PlenaryKind | None
    errors: dict[str, str]
    typed: dict[str, Any] = field(default_factory=dict)

    def error(self, kind: PlenaryKind, name: str) -> str:
        return self.errors.get(name, "") if kind is self.kind else ""

    def value(self, kind: PlenaryKind, name: str, default: Any = "") -> Any:
        return self.typed.get(name, default) if kind is self.kind else default


NO_PROBLEM = Problem(kind=None, errors={})


def _digest(html: str) -> str:
    # The form tokens carry a timestamp: two drawings of the same plenary differ only there.
    return hashlib.sha256(_CSRF.sub("", html).encode()).hexdigest()[:16]


def _common(revision: int, problem: Problem) -> dict[str, Any]:
    return {
        "kinds": queries.KINDS,
        "kind_title": kind_title,
        "kind_short": kind_short,
        "state_label": state_label,
        "problem": problem,
        "revision": revision,
        "min_chars": MIN_CHARS,
        "max_chars": MAX_CHARS,
        "dots_range": DOTS_RANGE,
    }


def _draw(page: str, live: str, context: Mapping[str, Any], fragment: bool) -> tuple[str, str]:
    inner = render_template(live, **context)
    digest = _digest(inner)
    if fragment:
        return inner, digest
    # Drawn by Jinja with autoescaping already: safe to put into the page as it is.
    html = render_template(page, live_html=Markup(inner), digest=digest, **context)  # noqa: S704
    return html, digest


def table(
    seminar: Seminar,
    partnership: Partnership,
    voter: Account,
    *,
    revision: int,
    problem: Problem = NO_PROBLEM,
    fragment: bool = False,
) -> tuple[str, str]:
    """A table's plenary page (or its live part) and the live part's digest."""
    states = queries.rounds(seminar.id)
    boards = queries.boards(seminar.id, states=states)
    voting = any(r.voting for r in states.values())
    context = {
        **_common(revision, problem),
        "seminar": seminar,
        "partnership": partnership,
        "boards": boards,
        "changes_url": url_for("plenary.table_changes", partnership_id=partnership.id),
        "poll_every": live.poll_every(TABLE_POLL_MS),
        "mine": queries.my_dots(seminar.id, voter.id) if voting else {},
        "voters": queries.voter_count(seminar.id) if voting else {},
    }
    return _draw(TABLE_PAGE, TABLE_LIVE, context, fragment)


def manage(
    seminar: Seminar,
    *,
    revision: int,
    problem: Problem = NO_PROBLEM,
    fragment: bool = False,
) -> tuple[str, str]:
    """The facilitator's plenary page (or its live part) and the live part's digest."""
    states = queries.rounds(seminar.id)
    boards = queries.boards(seminar.id, states=states)
    context = {
        **_common(revision, problem),
        "seminar": seminar,
        "boards": boards,
        "voters": queries.voter_count(seminar.id),
        "changes_url": url_for("plenary.changes", seminar_id=seminar.id),
        "poll_every": live.poll_every(MANAGE_POLL_MS),
    }
    return _draw(MANAGE_PAGE, MANAGE_LIVE, context, fragment)
