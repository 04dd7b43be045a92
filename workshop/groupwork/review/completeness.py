"""What a stage still lacks before it can be submitted, said for the people at the table.

The conditions are the method's (``workshop.method.completeness``): required questions for
each side, minimum rows, required columns in every row, enough rows for every linked row (1–3
objectives per priority). Here they are read from the partnership's current cycle, in one query.
"""

from __future__ import annotations

from workshop.groupwork.answers.queries import values_of
from workshop.i18n import current_lang
from workshop.method import completeness
from workshop.method.definition import Method, Stage
from workshop.models import Partnership


def unmet(partnership: Partnership, method: Method, stage: Stage) -> list[str]:
    """One sentence per thing missing, in the reader's language; empty when it may be sent."""
    keys = sorted(completeness.keys_needed(method, stage))
    values = values_of(partnership.id, partnership.cycle, keys)
    lang = current_lang()
    return [
        completeness.describe(item, method, lang)
        for item in completeness.unmet(method, stage, values)
    ]
