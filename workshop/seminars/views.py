"""The facilitator's seminar pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop.auth.sessions import acting_account
from workshop.choices import options
from workshop.extensions import db
from workshop.groupwork.review.queries import under_revision
from workshop.i18n import current_lang, partnership_label
from workshop.method.definition import load
from workshop.models import Account, Seminar
from workshop.partnerships.queries import visible_partnerships
from workshop.permissions import can_manage_seminar
from workshop.seminars import queries, services
from workshop.seminars.forms import (
    AddFacilitatorForm,
    AddPartnershipForm,
    ConfirmForm,
    JoinOpenForm,
    SeminarForm,
)

bp = Blueprint("seminars", __name__, url_prefix="/seminars")


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits staff only
    return actor


def _managed_seminar(seminar_id: int) -> Seminar:
    seminar = db.get_or_404(Seminar, seminar_id)
    if not can_manage_seminar(_actor(), seminar):
        abort(404)  # another facilitator's seminar is not confirmed to exist
    return seminar


def _revising(seminar: Seminar) -> dict[int, list[str]]:
    """Per partnership, the stages being revised after approval, as "N. title" to show."""
    lang = current_lang()
    found = under_revision([p.id for p in seminar.partnerships])
    named: dict[int, list[str]] = {}
    for partnership in seminar.partnerships:
        method = load(partnership.method_version)
        for key in found.get(partnership.id, []):
            if (stage := method.stage(key)) is not None:
                named.setdefault(partnership.id, []).append(f"{stage.number}. {stage.title(lang)}")
    return named


def _detail_forms(
    seminar: Seminar,
    add_partnership: AddPartnershipForm | None = None,
    add_facilitator: AddFacilitatorForm | None = None,
) -> dict[str, object]:
    """The seminar page's forms; a form that was just posted comes back with its errors."""
    actor = _actor()
    add_partnership = add_partnership or AddPartnershipForm()
    add_partnership.partnership.choices = options(
        [(0, _("Choose…"))]
        + [
            (p.id, partnership_label(p))
            for p in visible_partnerships(actor)
            if p not in seminar.partnerships
        ]
    )
    add_facilitator = add_facilitator or AddFacilitatorForm()
    add_facilitator.account.choices = options(
        [(0, _("Choose…"))]
        + [
            (a.id, f"{a.display_name} <{a.email}>")
            for a in queries.facilitator_accounts()
            if a not in seminar.facilitators
        ]
    )
    return {
        "add_partnership": add_partnership,
        "add_facilitator": add_facilitator,
        "confirm": ConfirmForm(),
        "members": queries.seminar_members(seminar),
        "revising": _revising(seminar),
    }


@bp.get("/")
def index() -> str:
    return render_template("seminars/index.html", seminars=queries.seminars_managed_by(_actor()))


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response | tuple[str, int]:
    return _edit(None)


@bp.route("/<int:seminar_id>/edit", methods=["GET", "POST"])
def edit(seminar_id: int) -> str | Response | tuple[str, int]:
    return _edit(_managed_seminar(seminar_id))


def _edit(seminar: Seminar | None) -> str | Response | tuple[str, int]:
    form = SeminarForm(obj=seminar)
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("seminars/edit.html", form=form, seminar=seminar), status
    data = services.SeminarData(
        title_uk=form.title_uk.data,
        title_en=form.title_en.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        venue_uk=form.venue_uk.data,
        venue_en=form.venue_en.data,
    )
    saved = services.save_seminar(data, actor=_actor(), seminar=seminar)
    db.session.commit()
    flash(_("Seminar saved."), "success")
    return redirect(url_for("seminars.detail", seminar_id=saved.id))


@bp.get("/<int:seminar_id>")
def detail(seminar_id: int) -> str:
    seminar = _managed_seminar(seminar_id)
    return render_template("seminars/detail.html", seminar=seminar, **_detail_forms(seminar))


def _back(seminar: Seminar, message: str) -> Response:
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("seminars.detail", seminar_id=seminar.id))


def _invalid(
    seminar: Seminar, form: AddPartnershipForm | AddFacilitatorForm, error: services.SeminarError
) -> tuple[str, int]:
    field = getattr(form, error.field or "")
    # A form that failed its own validation already carries the message.
    if error.message:
        field.errors = [*field.errors, error.message]
    forms = (
        _detail_forms(seminar, add_partnership=form)
        if isinstance(form, AddPartnershipForm)
        else _detail_forms(seminar, add_facilitator=form)
    )
    return render_template("seminars/detail.html", seminar=seminar, **forms), 422


@bp.post("/<int:seminar_id>/code/rotate")
def rotate_code(seminar_id: int) -> Response:
    seminar = _managed_seminar(seminar_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.rotate_join_code(seminar, actor=_actor())
    return _back(
        seminar, _("New code: %(code)s. The old code no longer works.", code=seminar.join_code)
    )


@bp.post("/<int:seminar_id>/code/open")
def set_join_open(seminar_id: int) -> Response:
    seminar = _managed_seminar(seminar_id)
    form = JoinOpenForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_join_open(seminar, form.open.data, actor=_actor())
    message = _("Joining is open.") if form.open.data else _("Joining is closed.")
    return _back(seminar, message)


@bp.post("/<int:seminar_id>/partnerships")
def add_partnership(seminar_id: int) -> Response | tuple[str, int]:
    seminar = _managed_seminar(seminar_id)
    form = AddPartnershipForm()
    if not form.validate_on_submit():
        return _invalid(seminar, form, services.SeminarError("", field="partnership"))
    try:
        services.add_partnership(seminar, form.partnership.data, actor=_actor())
    except services.SeminarError as error:
        return _invalid(seminar, form, error)
    return _back(seminar, _("Partnership added to the seminar."))


@bp.post("/<int:seminar_id>/facilitators")
def add_facilitator(seminar_id: int) -> Response | tuple[str, int]:
    seminar = _managed_seminar(seminar_id)
    form = AddFacilitatorForm()
    if not form.validate_on_submit():
        return _invalid(seminar, form, services.SeminarError("", field="account"))
    try:
        services.add_facilitator(seminar, form.account.data, actor=_actor())
    except services.SeminarError as error:
        return _invalid(seminar, form, error)
    return _back(seminar, _("Facilitator added."))


@bp.post("/<int:seminar_id>/members/<int:membership_id>/remove")
def remove_member(seminar_id: int, membership_id: int) -> Response:
    seminar = _managed_seminar(seminar_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        membership = services.remove_member(seminar, membership_id, actor=_actor())
    except services.SeminarError:
        abort(404)
    return _back(
        seminar, _("%(name)s was removed and signed out.", name=membership.account.display_name)
    )
