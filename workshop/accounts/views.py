"""The programme lead's list of accounts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop.accounts import services
from workshop.accounts.forms import AccountForm, ActiveForm
from workshop.auth.sessions import acting_account
from workshop.choices import options
from workshop.extensions import db
from workshop.i18n import localized
from workshop.models import Account, Institution, Role

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@bp.get("/")
def index() -> str:
    accounts = db.session.scalars(
        sa.select(Account)
        .where(Account.role != Role.PARTICIPANT)
        .order_by(Account.role, Account.display_name)
    ).all()
    return render_template("accounts/index.html", accounts=accounts, toggle=ActiveForm())


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response | tuple[str, int]:
    form = AccountForm()
    institutions = db.session.scalars(sa.select(Institution).order_by(Institution.name_en)).all()
    form.institution.choices = options(
        [(0, "—")] + [(i.id, localized(i, "name")) for i in institutions]
    )
    if not form.validate_on_submit():
        return render_template("accounts/new.html", form=form), 422 if form.errors else 200
    try:
        services.create_account(
            display_name=form.display_name.data,
            email=form.email.data,
            role=Role(form.role.data),
            password=form.password.data,
            institution_id=form.institution.data or None,
            actor=acting_account(),
        )
    except services.AccountError as error:
        getattr(form, error.field).errors.append(error.message)
        return render_template("accounts/new.html", form=form), 422
    db.session.commit()
    flash(_("Account created."), "success")
    return redirect(url_for("accounts.index"))


@bp.post("/<int:account_id>/active", endpoint="set_active")
def set_active(account_id: int) -> Response:
    account = db.get_or_404(Account, account_id)
    form = ActiveForm()
    form.validate_on_submit()
    try:
        services.set_active(account, bool(form.active.data), actor=acting_account())  # type: ignore[arg-type]
    except services.AccountError as error:
        flash(str(error.message), "error")
        return redirect(url_for("accounts.index"))
    db.session.commit()
    flash(_("Account switched on.") if form.active.data else _("Account switched off."), "success")
    return redirect(url_for("accounts.index"))
