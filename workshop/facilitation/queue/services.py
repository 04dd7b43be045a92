"""Approving several submitted stages at once, each through the review workflow's own rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from workshop import audit
from workshop.groupwork.review import workflow
from workshop.method.definition import Stage, load
from workshop.models import Account, Partnership, StageRun


@dataclass
class Outcome:
    approved: list[tuple[Partnership, Stage]] = field(default_factory=list)
    refused: list[tuple[Partnership, Stage | None, str]] = field(default_factory=list)


def approve_all(items: list[tuple[StageRun, Partnership]], *, actor: Account) -> Outcome:
    """Approve each stage that can be approved now; say why for each one that cannot (it
    moved on meanwhile, its cycle closed). A refusal changes nothing, and stops no other."""
    outcome = Outcome()
    for run, partnership in items:
        method = load(partnership.method_version)
        stage = method.stage(run.stage_key)
        if stage is None:
            outcome.refused.append((partnership, None, _("This stage is not in its method.")))
            continue
        if run.cycle != partnership.cycle:
            outcome.refused.append(
                (partnership, stage, _("The partnership has moved on to another cycle."))
            )
            continue
        try:
            workflow.move(
                partnership=partnership,
                method=method,
                stage=stage,
                action="approve",
                reason="",
                actor=actor,
                staff=True,
            )
        except workflow.ReviewError as error:
            outcome.refused.append((partnership, stage, str(error.message)))
        else:
            outcome.approved.append((partnership, stage))
    # Each approval is in the trail as a stage_approve; this says they were one action.
    audit.record(
        "bulk_approved",
        actor=actor,
        approved=len(outcome.approved),
        refused=len(outcome.refused),
        partnerships=[p.id for p, _stage in outcome.approved],
    )
    return outcome
