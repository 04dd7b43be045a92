"""The trace of a partnership's plan: every need, gap, priority, objective and activity, each
under the row it came from."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from workshop.groupwork.access import load_partnership, shown_cycle
from workshop.groupwork.answers import queries
from workshop.groupwork.trace import lineage
from workshop.i18n import current_lang

bp = Blueprint("trace", __name__, url_prefix="/partnerships/<int:partnership_id>")


@bp.get("/trace")
def page(partnership_id: int) -> str:
    partnership, method, _seat = load_partnership(partnership_id)
    cycle = shown_cycle(partnership, request.args.get("cycle"))
    tables = lineage.tables(method)
    values = queries.values_of(partnership.id, cycle, lineage.keys(method))
    return render_template(
        "groupwork/trace.html",
        partnership=partnership,
        cycle=cycle,
        method=method,
        lineage=lineage.build(method, values, current_lang()),
        tables=tables,
        located={t.key: method.section_of(t.key) for t in tables},
    )
