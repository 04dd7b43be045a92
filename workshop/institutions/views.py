"""Managing the institutions partnerships are made of."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop.auth.sessions import acting_account
from workshop.extensions import db
from workshop.institutions.forms import InstitutionForm
from workshop.institutions.services import InstitutionData, InstitutionError, save_institution
from workshop.models import Account, Institution
from workshop.paging import page_of
from workshop.permissions import can_edit_institution, editable_institution_ids

bp = Blueprint("institutions", __name__, url_prefix="/institutions")


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits staff only
    return actor


@bp.get("/")
def index() -> str:
    """Every institution (the registry is shared), a page at a time (workshop.paging: a
    programme of 1,000 partnerships has 2,000); an Edit link where the person may edit."""
    shown = page_of(
        sa.select(Institution).order_by(
            Institution.country != "UA", Institution.name_en, Institution.id
        ),
        request.args.get("page", 1, type=int),
    )
    editable = set(db.session.scalars(editable_institution_ids(_actor())))
    return render_template("institutions/index.html", shown=shown, editable=editable)


def _edit(
    form: InstitutionForm, institution: Institution | None
) -> str | Response | tuple[str, int]:
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("institutions/edit.html", form=form, institution=institution), status
    data = InstitutionData(
        name_uk=form.name_uk.data,
        name_en=form.name_en.data,
        country=form.country.data,
        region=form.region_value,
        city_uk=form.city_uk.data,
        city_en=form.city_en.data,
        profile=form.profile.data,
    )
    try:
        save_institution(data, actor=_actor(), institution=institution)
    except InstitutionError as error:
        getattr(form, error.field).errors.append(error.message)
        return render_template("institutions/edit.html", form=form, institution=institution), 422
    db.session.commit()
    flash(_("Institution saved."), "success")
    return redirect(url_for("institutions.index"))


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response | tuple[str, int]:
    return _edit(InstitutionForm(), None)


@bp.route("/<int:institution_id>/edit", methods=["GET", "POST"])
def edit(institution_id: int) -> str | Response | tuple[str, int]:
    institution = db.get_or_404(Institution, institution_id)
    if not can_edit_institution(_actor(), institution):
        # 403, not 404: the shared list shows every institution, this one included.
        abort(403)
    form = InstitutionForm(obj=institution)
    if not form.is_submitted():
        if institution.country == "UA":
            form.oblast.data = institution.region or ""
        else:
            form.region.data = institution.region or ""
    return _edit(form, institution)
