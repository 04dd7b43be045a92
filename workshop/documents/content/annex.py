"""The annex: every answer of every stage, in the method's order, read by question type.

Nothing here names a question: it walks method → stages → sections → questions, so what a new
method version asks appears in the annex as it is.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext

from workshop.documents import model
from workshop.documents.content.blocks import joined_facts, question_blocks, rows_block
from workshop.documents.content.source import Source
from workshop.method.definition import Stage


def status_label(status: str | None) -> str:
    labels = {
        "approved": _("approved"),
        # A state, where the review history uses the same English words for what a person did.
        "submitted": pgettext("stage status", "submitted for review"),
        "changes_requested": _("changes requested"),
        "reopened": _("reopened"),
    }
    return labels.get(status or "", _("not submitted"))


def annex(src: Source) -> model.Section:
    return model.Section(
        key="annex",
        title=_("Annex: all answers"),
        blocks=(
            model.Paragraph(
                _(
                    "Every answer the partnership gave in the group work, stage by stage, as "
                    "it stood when this version was made."
                )
            ),
        ),
        subsections=tuple(_stage(src, stage) for stage in src.method.stages),
    )


def _stage(src: Source, stage: Stage) -> model.Section:
    status = (src.snapshot.get("stages") or {}).get(stage.key)
    intro: list[model.Block] = [model.Facts(((_("Review status"), status_label(status)),))]
    sections = []
    for section in stage.sections:
        blocks = [b for q in section.questions for b in question_blocks(src, q)]
        if stage.vote_on and any(q.key == stage.vote_on for q in section.questions):
            blocks += votes(src, stage)
        sections.append(
            model.Section(
                key=f"annex-{stage.key}-{section.key}",
                title=src.text(section.title),
                blocks=joined_facts(blocks),
            )
        )
    return model.Section(
        key=f"annex-{stage.key}",
        title=_("Stage %(n)d. %(title)s", n=stage.number, title=src.text(stage.title)),
        blocks=tuple(intro),
        subsections=tuple(sections),
    )


def votes(src: Source, stage: Stage) -> list[model.Block]:
    """The revealed dot votes of a stage, by candidate, most dots first."""
    dots = (src.snapshot.get("votes") or {}).get(stage.key) or {}
    if not dots:
        return []
    return [
        rows_block(
            _("Dot votes"),
            (_("Candidate"), _("Dots")),
            [
                (candidate_name(src, stage, c), str(d))
                for c, d in sorted(dots.items(), key=lambda item: (-item[1], item[0]))
            ],
            numeric=(1,),
        )
    ]


def candidate_name(src: Source, stage: Stage, candidate: str) -> str:
    """A voted candidate by its name: votes are kept under the first row naming it."""
    table = src.question(stage.vote_on or "")
    if table is None:
        return candidate
    name = table.column_for("name")
    for side in src.sides_of(table):
        for row in src.rows(table.key, side):
            if str(row.get("row")) == candidate and name is not None:
                return str(row.get(name.key) or candidate)
    return candidate
