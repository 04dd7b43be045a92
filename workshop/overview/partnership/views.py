"""The partnership view for facilitators and heads (HTTP only).

Whoever may see the partnership (``permissions.can_view_partnership``) may read its overview:
admins, the facilitators of its seminars, the heads of either hospital, and the people seated
at its own table (their own work, nothing more; any other table is a 404 to them).
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from workshop.auth.sessions import acting_account
from workshop.documents import snapshot
from workshop.extensions import db
from workshop.groupwork.review.queries import runs
from workshop.i18n import current_lang
from workshop.method.definition import load
from workshop.models import Partnership
from workshop.overview.blocks import template_helpers
from workshop.overview.partnership import content
from workshop.permissions import can_view_partnership

bp = Blueprint("partnership_view", __name__)


@bp.get("/partnerships/<int:partnership_id>/overview")
def page(partnership_id: int) -> str:
    actor = acting_account()
    partnership = db.get_or_404(Partnership, partnership_id)
    if actor is None or not can_view_partnership(actor, partnership):
        abort(404)  # not 403: do not confirm that somebody else's partnership exists
    method = load(partnership.method_version)
    revealed = {
        key for key, run in runs(partnership.id, partnership.cycle).items() if run.votes_revealed
    }
    overview = content.build(snapshot.take(partnership, method), method, current_lang(), revealed)
    return render_template(
        "overview/partnership.html",
        partnership=partnership,
        method=method,
        overview=overview,
        **template_helpers(),
    )
