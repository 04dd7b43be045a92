"""Asking before an action that removes or overwrites something: one page, no script needed.

A destructive POST without ``confirm=yes`` changes nothing and answers (200) with a page that
says in plain words what will happen, a "Yes, …" button that posts the same fields again with
``confirm=yes``, and a link back. With ``confirm=yes`` the view acts. The view runs every check
it would run before acting (object rules, the form) first: the question is asked only about
something that can happen, and never names an object the person may not see.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import render_template, request

from workshop.extensions import db

FIELD = "confirm"
YES = "yes"
# Not carried over: the token is written fresh, the answer is the button's.
_NOT_REPOSTED = frozenset({FIELD, "csrf_token"})


def confirmed() -> bool:
    """Whether this POST is the "Yes" of a confirmation page."""
    return request.form.get(FIELD) == YES


def ask(*, title: str, consequences: Sequence[str], yes: str, back: str) -> tuple[str, int]:
    """The confirmation page for this POST: ``title`` asks, ``consequences`` say what will
    happen (who loses access, what is overwritten), ``yes`` labels the button, ``back`` is
    where "Cancel" leads (the page the action was started from)."""
    # A view may have tried the action to check it by the action's own rules (a reopening):
    # asking stores nothing. Only a try that stays inside the transaction is undone: on SQLite
    # a SAVEPOINT released first in a transaction commits, so an action that uses one (saving
    # an answer) is checked without trying it.
    db.session.rollback()
    fields = [
        (name, value) for name, value in request.form.items(multi=True) if name not in _NOT_REPOSTED
    ]
    page = render_template(
        "confirm.html",
        title=title,
        consequences=consequences,
        yes=yes,
        back=back,
        action=request.script_root + request.path,
        fields=fields,
        field=FIELD,
        answer=YES,
    )
    return page, 200
