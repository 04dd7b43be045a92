"""The audit log page (HTTP only): the programme lead's (admins') view of the trail."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from workshop.audit import safe_text
from workshop.auditlog import actions, csvfile, forms, queries, services
from workshop.auth.sessions import acting_account
from workshop.extensions import db

bp = Blueprint("auditlog", __name__)


@bp.get("/admin/audit")
def page() -> tuple[str, int]:
    seminars = queries.seminars()
    filters = forms.read(request.args, {s.id for s in seminars})
    rows, older = ([], None) if filters.errors else queries.page(filters)
    return render_template(
        "auditlog/page.html",
        filters=filters,
        rows=rows,
        older=older,
        seminars=seminars,
        actions=actions,
        safe_text=safe_text,
    ), 422 if filters.errors else 200


@bp.get("/admin/audit.csv")
def csv_file() -> Response | tuple[str, int]:
    seminars = queries.seminars()
    filters = forms.read(request.args, {s.id for s in seminars})
    if filters.errors:
        return page()
    rows = queries.export(filters, csvfile.MAX_ROWS)
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits admins only
    services.exported(len(rows), actor=actor, filters=filters.address())
    db.session.commit()
    return Response(
        csvfile.chunks(rows),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
