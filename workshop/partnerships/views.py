"""Partnerships: the list each person may see, one partnership's page, creating one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop.auth.sessions import acting_account
from workshop.choices import options
from workshop.extensions import db
from workshop.groupwork.review.queries import runs
from workshop.groupwork.review.workflow import is_open, under_revision
from workshop.i18n import localized
from workshop.method.definition import load
from workshop.models import Account, Partnership, Role, Seminar
from workshop.partnerships import queries
from workshop.partnerships.forms import PartnershipForm, split_focus_areas
from workshop.partnerships.services import PartnershipError, create_partnership
from workshop.permissions import can_view_partnership, may_place_in
from workshop.seminars.queries import seminars_managed_by

bp = Blueprint("partnerships", __name__, url_prefix="/partnerships")


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits signed-in people only
    return actor


@bp.get("/")
def index() -> str | Response:
    actor = _actor()
    shown = queries.visible_partnership_page(actor, request.args.get("page", 1, type=int))
    if actor.role is Role.PARTICIPANT and shown.total == 1:
        return redirect(url_for("partnerships.detail", partnership_id=shown.rows[0].id))
    return render_template("partnerships/index.html", shown=shown)


@bp.get("/<int:partnership_id>")
def detail(partnership_id: int) -> str:
    partnership = db.get_or_404(Partnership, partnership_id)
    if not can_view_partnership(_actor(), partnership):
        abort(404)  # not 403: do not confirm that somebody else's partnership exists
    members = queries.members_by_side(partnership)
    method = load(partnership.method_version)
    by_key = runs(partnership.id, partnership.cycle)
    return render_template(
        "partnerships/detail.html",
        partnership=partnership,
        members=members,
        method=method,
        runs=by_key,
        stage_open={s.key: is_open(method, s, by_key) for s in method.stages},
        revising={s.key for s in under_revision(method, by_key)},
    )


def _fill_choices(form: PartnershipForm, actor: Account) -> None:
    def label(institution: object) -> str:
        return localized(institution, "name")

    form.ua_institution.choices = options(
        [(i.id, label(i)) for i in queries.institutions_for_choice(ukrainian=True)],
        placeholder=_("Choose…"),
    )
    form.partner_institution.choices = options(
        [
            (i.id, f"{label(i)} ({i.country})")
            for i in queries.institutions_for_choice(ukrainian=False)
        ],
        placeholder=_("Choose…"),
    )
    seminars = [(s.id, localized(s, "title")) for s in seminars_managed_by(actor)]
    none = [(0, _("No seminar yet"))] if actor.role is Role.ADMIN else []
    form.seminar.choices = options(none + seminars)


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response | tuple[str, int]:
    actor = _actor()
    form = PartnershipForm()
    _fill_choices(form, actor)
    if not form.validate_on_submit():
        return render_template("partnerships/new.html", form=form), 422 if form.errors else 200
    seminar = db.session.get(Seminar, form.seminar.data) if form.seminar.data else None
    if (form.seminar.data and seminar is None) or not may_place_in(actor, seminar):
        form.seminar.errors.append(_("Choose one of your seminars."))
        return render_template("partnerships/new.html", form=form), 422
    try:
        partnership = create_partnership(
            ua_institution_id=form.ua_institution.data,
            partner_institution_id=form.partner_institution.data,
            memorandum_date=form.memorandum_date.data,
            focus_areas=split_focus_areas(form.focus_areas.data),
            seminar=seminar,
            actor=actor,
        )
    except PartnershipError as error:
        getattr(form, error.field).errors.append(error.message)
        return render_template("partnerships/new.html", form=form), 422
    db.session.commit()
    flash(_("Partnership created."), "success")
    return redirect(url_for("partnerships.detail", partnership_id=partnership.id))
