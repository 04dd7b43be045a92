"""The plenary's kinds and states, named in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from workshop.models import PlenaryKind, PlenaryState


def kind_title(kind: PlenaryKind) -> str:
    """A kind's heading, as the seminar put the question to the room."""
    if kind is PlenaryKind.PRINCIPLE:
        return _("Principles of twinning partnerships for the national programme")
    return _("Potential priority areas")


def kind_short(kind: PlenaryKind) -> str:
    """A kind's name in a list or a CSV cell."""
    return _("Principle") if kind is PlenaryKind.PRINCIPLE else _("Priority area")


def state_label(state: PlenaryState) -> str:
    if state is PlenaryState.COLLECTING:
        return _("Tables are proposing")
    if state is PlenaryState.VOTING:
        return _("Voting in progress")
    return _("Result revealed")
