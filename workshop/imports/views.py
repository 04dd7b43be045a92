"""Importing institutions and partnerships from an organiser's spreadsheet: check, then confirm."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from workshop.auth.sessions import acting_account
from workshop.choices import options
from workshop.extensions import db
from workshop.i18n import current_lang, localized
from workshop.imports import reader, services, template
from workshop.imports.columns import COLUMNS
from workshop.imports.forms import ConfirmImportForm, UploadForm
from workshop.imports.preview import preview_rows
from workshop.models import Account, ImportBatch, Role, Seminar
from workshop.permissions import can_use_import, may_place_in
from workshop.seminars.queries import seminars_managed_by

bp = Blueprint("imports", __name__, url_prefix="/imports")

TEMPLATE_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits staff only
    return actor


def _upload_form(actor: Account) -> UploadForm:
    form = UploadForm()
    none = [(0, _("None"))] if actor.role is Role.ADMIN else []
    form.seminar.choices = options(
        none + [(s.id, localized(s, "title")) for s in seminars_managed_by(actor)]
    )
    return form


def _new_page(form: UploadForm, sheet: reader.Sheet | None = None) -> str:
    return render_template("imports/new.html", form=form, sheet=sheet, columns=COLUMNS)


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response | tuple[str, int]:
    actor = _actor()
    form = _upload_form(actor)
    if not form.validate_on_submit():
        return _new_page(form), 422 if form.errors else 200
    seminar = db.session.get(Seminar, form.seminar.data) if form.seminar.data else None
    # An id that names no seminar is not "no seminar" (permissions.may_place_in).
    if (form.seminar.data and seminar is None) or not may_place_in(actor, seminar):
        form.seminar.errors.append(_("Choose one of your seminars."))
        return _new_page(form), 422
    upload = form.file.data
    with upload.stream:  # a large upload is spooled to a temporary file: release it now
        data = upload.read()
    filename = reader.safe_filename(upload.filename or "")
    try:
        sheet = reader.read_upload(filename, data, max_rows=current_app.config["IMPORT_MAX_ROWS"])
    except reader.UnreadableFile as error:
        form.file.errors.append(error.message)
        return _new_page(form), 422
    checked = services.check_sheet(sheet)
    if services.has_errors(sheet):
        return _new_page(form, sheet=sheet), 422
    batch = services.stage_import(checked, filename=filename, seminar=seminar, actor=actor)
    db.session.commit()
    return redirect(url_for("imports.preview", batch_id=batch.id))


def _own_batch(batch_id: int) -> ImportBatch:
    batch = db.get_or_404(ImportBatch, batch_id)
    if not can_use_import(_actor(), batch):
        abort(404)
    return batch


def _preview_page(
    batch: ImportBatch,
    *,
    answers: dict[int, str] | None = None,
    unanswered: dict[int, str] | None = None,
    stale: list[reader.SheetRow] | None = None,
) -> str:
    seminar = db.session.get(Seminar, batch.seminar_id) if batch.seminar_id else None
    return render_template(
        "imports/preview.html",
        batch=batch,
        seminar=seminar,
        rows=preview_rows(batch, current_lang(), answers, unanswered),
        to_import=len(services.to_import(batch)),
        unanswered=unanswered or {},
        form=ConfirmImportForm(),
        stale=stale,
    )


@bp.get("/<int:batch_id>")
def preview(batch_id: int) -> str:
    return _preview_page(_own_batch(batch_id))


@bp.post("/<int:batch_id>/confirm")
def confirm(batch_id: int) -> str | Response | tuple[str, int]:
    batch = _own_batch(batch_id)
    if not ConfirmImportForm().validate_on_submit():
        abort(400)
    if batch.imported_at is not None:
        flash(_("This file was already imported."), "info")
        return redirect(url_for("partnerships.index"))
    answers, unanswered = services.read_answers(batch, request.form)
    if unanswered:
        return _preview_page(batch, answers=answers, unanswered=unanswered), 422
    stale = services.apply_import(batch, answers=answers, actor=_actor())
    if stale:
        return _preview_page(batch, answers=answers, stale=stale), 409
    db.session.commit()
    count = len(services.to_import(batch))
    flash(
        ngettext("%(num)d partnership imported.", "%(num)d partnerships imported.", count),
        "success",
    )
    return redirect(url_for("partnerships.index"))


# One endpoint, two files: the page links both, and either is the template.
@bp.get("/template.xlsx", defaults={"kind": "xlsx"}, endpoint="template")
@bp.get("/template.csv", defaults={"kind": "csv"}, endpoint="template")
def template_file(kind: str) -> Response:
    body = template.csv_bytes() if kind == "csv" else template.xlsx_bytes()
    return Response(
        body,
        mimetype=TEMPLATE_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{template.BASENAME}.{kind}"'},
    )
