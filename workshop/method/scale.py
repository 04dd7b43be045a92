"""The 0–3 scale of every ``status`` question and column, said once.

The options people choose from, the answers shown to read and the hint that explains the scale
all take their words from ``LABELS``, so a hint can never say "0 — none" beside an option that
says "0 — not in place". Method files therefore do not spell the scale out in their ``help``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workshop.method.definition import Question

LABELS = (_l("0 — not in place"), _l("1 — partly"), _l("2 — mostly"), _l("3 — fully"))


def labels() -> dict[str, str]:
    """Each value of the scale ("0" … "3") with its label, in the reader's language."""
    return {str(value): str(label) for value, label in enumerate(LABELS)}


def uses_scale(question: Question) -> bool:
    """Whether a question is rated on the scale, or is a table with a column that is."""
    return question.type == "status" or any(c.type == "status" for c in question.columns)


def hint() -> str:
    """The scale in one sentence, for the hint of every question rated on it."""
    return _("Scale: %(scale)s.", scale=", ".join(str(label) for label in LABELS))
