"""The programme lead's list of accounts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop import confirm
from workshop.accounts import services
from workshop.accounts.forms import AccountForm, ActiveForm
from workshop.auth.sessions import acting_account
from workshop.choices import options
from workshop.extensions import db
from workshop.i18n import localized
from workshop.models import Account, Institution, Role
from workshop.permissions import may_switch_account

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits admins only
    return actor


@bp.get("/")
def index() -> str:
    accounts = db.session.scalars(
        sa.select(Account)
        .where(Account.role != Role.PARTICIPANT)
        .order_by(Account.role, Account.display_name, Account.id)
    ).all()
    return render_template("accounts/index.html", accounts=accounts, toggle=ActiveForm())


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response | tuple[str, int]:
    form = AccountForm()
    institutions = db.session.scalars(
        sa.select(Institution).order_by(Institution.name_en, Institution.country, Institution.id)
    ).all()
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
            actor=_actor(),
        )
    except services.AccountError as error:
        getattr(form, error.field).errors.append(error.message)
        return render_template("accounts/new.html", form=form), 422
    db.session.commit()
    flash(_("Account created."), "success")
    return redirect(url_for("accounts.index"))


@bp.post("/<int:account_id>/active", endpoint="set_active")
def set_active(account_id: int) -> Response | tuple[str, int]:
    actor = _actor()
    account = db.get_or_404(Account, account_id)
    if not may_switch_account(actor, account):
        abort(404)  # a participant leaves through their seminar, not through this list
    active = bool(ActiveForm().active.data)
    try:
        services.refuse_switching_off_self(account, active, actor=actor)
    except services.AccountError as error:
        flash(str(error.message), "error")
        return redirect(url_for("accounts.index"))
    if not active and not confirm.confirmed():
        return confirm.ask(
            title=_("Switch off %(name)s?", name=account.display_name),
            consequences=[
                _(
                    "%(name)s (%(email)s) is signed out everywhere at once and cannot sign in "
                    "until an admin switches the account on again.",
                    name=account.display_name,
                    email=account.email or "—",
                ),
                _(
                    "Nothing they wrote or decided is removed, and the seminars they facilitate "
                    "keep them on their lists."
                ),
            ],
            yes=_("Yes, switch off %(name)s", name=account.display_name),
            back=url_for("accounts.index"),
        )
    services.set_active(account, active, actor=actor)
    db.session.commit()
    flash(_("Account switched on.") if active else _("Account switched off."), "success")
    return redirect(url_for("accounts.index"))
