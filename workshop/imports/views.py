"""Importing institutions and partnerships from an organiser's spreadsheet: check, then confirm."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop.auth.sessions import acting_account
from workshop.choices import options
from workshop.extensions import db
from workshop.i18n import localized
from workshop.imports import reader, services
from workshop.imports.forms import ConfirmImportForm, UploadForm
from workshop.models import Account, ImportBatch, Role, Seminar
from workshop.permissions import can_manage_seminar, can_use_import
from workshop.seminars.queries import seminars_managed_by

bp = Blueprint("imports", __name__, url_prefix="/imports")

TEMPLATE_ROWS = [
    list(reader.ALL_COLUMNS),
    [
        "Національна дитяча спеціалізована лікарня «Охматдит»",
        "Okhmatdyt National Specialized Children's Hospital",
        "UA-30",
        "Шведська університетська лікарня Каролінська",
        "Karolinska University Hospital",
        "SE",
        "Київ",
        "",
        "Stockholm",
        "Stockholm",
        "",
        "2023-12-01",
        "paediatric cardiology; neonatology",
    ],
]


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


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response | tuple[str, int]:
    actor = _actor()
    form = _upload_form(actor)
    if not form.validate_on_submit():
        return render_template("imports/new.html", form=form), 422 if form.errors else 200
    seminar = db.session.get(Seminar, form.seminar.data) if form.seminar.data else None
    if (seminar is None and actor.role is not Role.ADMIN) or (
        seminar is not None and not can_manage_seminar(actor, seminar)
    ):
        form.seminar.errors.append(_("Choose one of your seminars."))
        return render_template("imports/new.html", form=form), 422
    upload = form.file.data
    with upload.stream:  # a large upload is spooled to a temporary file: release it now
        data = upload.read()
    try:
        sheet = reader.read_upload(
            upload.filename or "", data, max_rows=current_app.config["IMPORT_MAX_ROWS"]
        )
    except reader.UnreadableFile as error:
        form.file.errors.append(error.message)
        return render_template("imports/new.html", form=form), 422
    checked = services.check_sheet(sheet)
    if services.has_errors(sheet):
        return render_template("imports/new.html", form=form, sheet=sheet), 422
    batch = services.stage_import(
        checked, filename=upload.filename or "", seminar=seminar, actor=actor
    )
    db.session.commit()
    return redirect(url_for("imports.preview", batch_id=batch.id))


def _own_batch(batch_id: int) -> ImportBatch:
    batch = db.get_or_404(ImportBatch, batch_id)
    if not can_use_import(_actor(), batch):
        abort(404)
    return batch


@bp.get("/<int:batch_id>")
def preview(batch_id: int) -> str:
    batch = _own_batch(batch_id)
    seminar = db.session.get(Seminar, batch.seminar_id) if batch.seminar_id else None
    return render_template(
        "imports/preview.html", batch=batch, seminar=seminar, form=ConfirmImportForm(), stale=None
    )


@bp.post("/<int:batch_id>/confirm")
def confirm(batch_id: int) -> str | Response | tuple[str, int]:
    batch = _own_batch(batch_id)
    if not ConfirmImportForm().validate_on_submit():
        abort(400)
    if batch.imported_at is not None:
        flash(_("This file was already imported."), "info")
        return redirect(url_for("partnerships.index"))
    stale = services.apply_import(batch, actor=_actor())
    if stale:
        seminar = db.session.get(Seminar, batch.seminar_id) if batch.seminar_id else None
        return render_template(
            "imports/preview.html",
            batch=batch,
            seminar=seminar,
            form=ConfirmImportForm(),
            stale=stale,
        ), 409
    db.session.commit()
    flash(_("%(count)d partnerships imported.", count=len(batch.rows)), "success")
    return redirect(url_for("partnerships.index"))


@bp.get("/template.csv")
def template() -> Response:
    out = io.StringIO()
    csv.writer(out).writerows(TEMPLATE_ROWS)
    body = "\ufeff" + out.getvalue()  # the BOM makes Excel read the file as UTF-8
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="partnerships-template.csv"'},
    )
