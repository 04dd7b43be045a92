"""Signing in and out, joining a seminar by code, and coming back with a return code."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from workshop import throttle
from workshop.auth import devices, limits, pending, queries, services
from workshop.auth.forms import (
    JoinCodeForm,
    JoinDetailsForm,
    LoginForm,
    PasswordChangeForm,
    ResumeForm,
)
from workshop.auth.sessions import acting_account, sign_in, sign_out
from workshop.choices import options
from workshop.extensions import db
from workshop.i18n import localized, partnership_label
from workshop.models import Seminar, Side
from workshop.production import demo_accounts_allowed
from workshop.security import safe_redirect_target

bp = Blueprint("auth", __name__)


def _refused(
    form: FlaskForm, error: services.AuthError, template: str, **context: object
) -> Response:
    """Keep the failure count, show the message next to its field, keep what was typed."""
    db.session.commit()
    field = getattr(form, error.field)
    field.errors = [*field.errors, error.message]  # a tuple when the form was not validated
    status = 429 if error.retry_after else 422
    response = make_response(render_template(template, form=form, **context), status)
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.errors else 200
    email = form.email.data.strip().lower()
    device = devices.known(services.account_id_for_email(email))
    try:
        account = services.authenticate(
            email,
            form.password.data,
            limits=limits.login(email, device),
            demo_allowed=demo_accounts_allowed(current_app.config),
        )
    except services.AuthError as error:
        return _refused(form, error, "auth/login.html")
    sign_in(account)
    db.session.commit()
    response = redirect(safe_redirect_target(request.args.get("next")) or url_for("main.index"))
    devices.remember(response, account.id)
    return response


@bp.post("/logout")
def logout() -> Response:
    sign_out()
    db.session.commit()
    flash(_("You are signed out."), "info")
    response = redirect(url_for("main.index"))
    # Nothing of this person's work may stay in a shared computer's browser.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/account/password", methods=["GET", "POST"], endpoint="password")
def change_password() -> str | Response | tuple[str, int]:
    """A person's own password: the current one, then the new one (participants have none)."""
    account = acting_account()
    if account is None or not account.has_password:
        abort(404)
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form), 422 if form.errors else 200
    try:
        services.change_password(
            account,
            form.current.data,
            form.new.data,
            limit=limits.own_password(account.id),
            keep=account.session_token,
        )
    except services.AuthError as error:
        return _refused(form, error, "auth/password.html")
    db.session.commit()
    flash(_("Your password is changed. Your other sign-ins have ended."), "success")
    return redirect(url_for("main.index"))


@bp.route("/join", methods=["GET", "POST"])
def join() -> str | Response | tuple[str, int]:
    form = JoinCodeForm()
    if request.method == "GET" and request.args.get("code"):
        # A seminar code is shown to the whole room; a link or QR code may carry it.
        form.code.data = request.args["code"]
    if not form.validate_on_submit():
        return render_template("auth/join.html", form=form), 422 if form.errors else 200
    try:
        seminar = services.seminar_for_code(form.code.data, limits=limits.code("join"))
    except services.AuthError as error:
        return _refused(form, error, "auth/join.html")
    pending.start(seminar)
    db.session.commit()
    return redirect(url_for("auth.join_details"))


@bp.route("/join/details", methods=["GET", "POST"])
def join_details() -> str | Response | tuple[str, int]:
    try:
        held = pending.current()
    except pending.NotPending as error:
        return _no_pending_join(error)
    seminar = held.seminar
    form = _details_form(seminar)
    if request.method == "POST":
        try:
            services.refuse_if_throttled(
                [limits.join_submissions(), limits.joins_at_address()], "partnership"
            )
        except services.AuthError as error:
            return _refused(form, error, "auth/join_details.html", seminar=seminar)
        throttle.record(limits.join_submissions())
        db.session.commit()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("auth/join_details.html", form=form, seminar=seminar), status
    try:
        account, return_code = services.join(
            seminar,
            partnership_id=form.partnership.data,
            side=Side(form.side.data),
            display_name=form.display_name.data,
            email=form.email.data or None,
        )
    except services.AuthError as error:
        return _refused(form, error, "auth/join_details.html", seminar=seminar)
    pending.spend(held)
    throttle.record(limits.joins_at_address())
    sign_in(account)
    db.session.commit()
    # Shown in this answer only: the clear code is kept nowhere, not in a cookie, not in a URL.
    return render_template(
        "auth/welcome.html",
        membership=account.active_memberships[0],
        return_code=return_code,
        public_url=current_app.config["PUBLIC_URL"],
    )


def _no_pending_join(error: pending.NotPending) -> Response:
    if not pending.started() and acting_account() is not None:
        # A participant who reloads the page that showed their return code lands at home.
        return redirect(url_for("partnerships.index"))
    pending.drop()
    flash(str(error.message), "error")
    return redirect(url_for("auth.join"))


def _details_form(seminar: Seminar) -> JoinDetailsForm:
    form = JoinDetailsForm()
    form.partnership.choices = options(
        [
            (p.id, partnership_label(p))
            for p in sorted(
                queries.tables_of(seminar.id),
                # A Ukrainian hospital often has several partners: then by partner, then by id.
                key=lambda p: (
                    localized(p.ua_institution, "name"),
                    localized(p.partner_institution, "name"),
                    p.id,
                ),
            )
        ],
        placeholder=_("Choose…"),
    )
    return form


@bp.get("/welcome")
def welcome() -> Response:
    """The return code is shown once, in the answer to the seat form; old links land home."""
    return redirect(url_for("partnerships.index"))


@bp.route("/resume", methods=["GET", "POST"])
def resume() -> str | Response | tuple[str, int]:
    # The code is taken from the form only: in a URL it would stay in browser history, server
    # logs and Referer headers, and anybody who finds it has the person's seat. An old link
    # with one is answered by the bare page, so the code spreads no further (e.g. into "next").
    if request.method == "GET" and request.args:
        return redirect(url_for("auth.resume"))
    form = ResumeForm()
    if not form.validate_on_submit():
        return render_template("auth/resume.html", form=form), 422 if form.errors else 200
    try:
        account = services.account_for_return_code(
            form.code.data,
            limits=limits.code("resume"),
            demo_allowed=demo_accounts_allowed(current_app.config),
        )
    except services.AuthError as error:
        return _refused(form, error, "auth/resume.html")
    sign_in(account)
    db.session.commit()
    flash(_("Welcome back, %(name)s.", name=account.display_name), "info")
    return redirect(url_for("partnerships.index"))
