"""The stage insights (needs ↔ offers, score totals, SMART check) over a snapshot.

The insights read answers as stored ``Answer`` rows keyed (question key, side); a snapshot holds
the same values as plain JSON. Unsaved, session-less ``Answer`` objects carry them across, so
the documents reuse the very code the stage pages show, in the document's language.
"""

from __future__ import annotations

from workshop.documents.content.source import Source
from workshop.models import Answer


def answers_for_insights(src: Source) -> dict[tuple[str, str], Answer]:
    return {
        (key, side): Answer(question_key=key, side=side, value=value)
        for (key, side), value in src.values.items()
    }
