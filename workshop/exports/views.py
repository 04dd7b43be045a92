"""Seminar exports (HTTP only)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, send_file, stream_with_context

from workshop import audit
from workshop.auth.sessions import acting_account
from workshop.documents.services import slug
from workshop.exports import columns, seminar_json, tabular
from workshop.exports.answers import SeminarAnswers
from workshop.extensions import db
from workshop.i18n import current_lang
from workshop.models import Account, Seminar
from workshop.permissions import can_manage_seminar

bp = Blueprint("exports", __name__)

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits staff only
    return actor


def _managed_seminar(seminar_id: int) -> Seminar:
    seminar = db.get_or_404(Seminar, seminar_id)
    if not can_manage_seminar(_actor(), seminar):
        abort(404)  # another facilitator's seminar is not confirmed to exist
    return seminar


def file_name(seminar: Seminar, what: str, ext: str) -> str:
    """ASCII on every system: the title's slug, the first day, what the file holds."""
    title = slug(seminar.title_en or seminar.title_uk, "seminar")
    return f"{title}_{seminar.starts_on.isoformat()}_{what}.{ext}"


def _exported(seminar: Seminar, what: str) -> None:
    """The audit trail keeps who took which export (no exports service: this is its one write)."""
    audit.record("exported", actor=_actor(), obj=seminar, what=what)
    db.session.commit()


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@bp.get("/seminars/<int:seminar_id>/exports")
def page(seminar_id: int) -> str:
    seminar = _managed_seminar(seminar_id)
    return render_template(
        "exports/page.html",
        seminar=seminar,
        long_columns=columns.LONG_COLUMNS,
        wide_columns=columns.WIDE_COLUMNS,
        json_parts=columns.JSON_PARTS,
    )


# One endpoint, two files: the page links both.
@bp.get("/seminars/<int:seminar_id>/exports/answers.csv", defaults={"fmt": "csv"})
@bp.get("/seminars/<int:seminar_id>/exports/answers.xlsx", defaults={"fmt": "xlsx"})
def answers(seminar_id: int, fmt: str) -> Response:
    seminar = _managed_seminar(seminar_id)
    _exported(seminar, f"answers.{fmt}")
    export = SeminarAnswers(seminar.id)
    name = file_name(seminar, "answers", fmt)
    if fmt == "xlsx":
        return send_file(
            tabular.xlsx_file(export, current_lang()),
            mimetype=MEDIA_TYPES[fmt],
            as_attachment=True,
            download_name=name,
        )
    body = (chunk.encode("utf-8") for chunk in tabular.csv_chunks(export))
    return Response(
        stream_with_context(body), content_type=MEDIA_TYPES[fmt], headers=_attachment(name)
    )


@bp.get("/seminars/<int:seminar_id>/exports/seminar.json", endpoint="seminar_json")
def seminar_json_file(seminar_id: int) -> Response:
    seminar = _managed_seminar(seminar_id)
    _exported(seminar, "seminar.json")
    body = (chunk.encode("utf-8") for chunk in seminar_json.chunks(seminar, _actor()))
    return Response(
        stream_with_context(body),
        content_type=MEDIA_TYPES["json"],
        headers=_attachment(file_name(seminar, "seminar", "json")),
    )
