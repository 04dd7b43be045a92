"""Signing in and out, joining a seminar by code, and coming back with a return code."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from workshop import throttle
from workshop.auth import services
from workshop.auth.forms import JoinCodeForm, JoinDetailsForm, LoginForm, ResumeForm
from workshop.auth.sessions import acting_account, browser_id, sign_in, sign_out
from workshop.choices import options
from workshop.extensions import db
from workshop.i18n import localized, partnership_label
from workshop.models import Seminar, Side
from workshop.security import safe_redirect_target

bp = Blueprint("auth", __name__)


def _code_limits(kind: str) -> list[throttle.Limit]:
    """Wrong codes count per browser, and very generously per address (a room shares one)."""
    cfg = current_app.config
    return [
        throttle.Limit(
            f"{kind}:browser:{browser_id()}", cfg["CODE_MAX_FAILURES"], cfg["CODE_WINDOW_SECONDS"]
        ),
        throttle.Limit(
            f"{kind}:addr:{request.remote_addr}",
            cfg["CODE_MAX_FAILURES_PER_ADDRESS"],
            cfg["CODE_WINDOW_SECONDS"],
        ),
    ]


def _refused(
    form: FlaskForm, error: services.AuthError, template: str, **context: object
) -> tuple[str, int]:
    """Keep the failure count, show the message next to its field, keep what was typed."""
    db.session.commit()
    getattr(form, error.field).errors.append(error.message)
    status = 429 if error.retry_after else 422
    return render_template(template, form=form, **context), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.errors else 200
    cfg = current_app.config
    limit = throttle.Limit(
        f"login:{form.email.data.strip().lower()}",
        cfg["LOGIN_MAX_FAILURES"],
        cfg["LOGIN_WINDOW_SECONDS"],
    )
    try:
        account = services.authenticate(form.email.data, form.password.data, limit=limit)
    except services.AuthError as error:
        return _refused(form, error, "auth/login.html")
    sign_in(account)
    db.session.commit()
    target = safe_redirect_target(request.args.get("next")) or url_for("main.index")
    return redirect(target)


@bp.post("/logout")
def logout() -> Response:
    sign_out()
    db.session.commit()
    flash(_("You are signed out."), "info")
    response = redirect(url_for("main.index"))
    # Nothing of this person's work may stay in a shared computer's browser.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/join", methods=["GET", "POST"])
def join() -> str | Response | tuple[str, int]:
    form = JoinCodeForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"]
    if not form.validate_on_submit():
        return render_template("auth/join.html", form=form), 422 if form.errors else 200
    try:
        seminar = services.seminar_for_code(form.code.data, limits=_code_limits("join"))
    except services.AuthError as error:
        return _refused(form, error, "auth/join.html")
    session["join_seminar_id"] = seminar.id
    return redirect(url_for("auth.join_details"))


@bp.route("/join/details", methods=["GET", "POST"])
def join_details() -> str | Response | tuple[str, int]:
    seminar_id = session.get("join_seminar_id")
    seminar = db.session.get(Seminar, seminar_id) if seminar_id else None
    if seminar is None or not seminar.join_open:
        flash(_("Enter the seminar code first."), "error")
        return redirect(url_for("auth.join"))
    form = JoinDetailsForm()
    form.partnership.choices = options(
        [(0, _("Choose…"))]
        + [
            (p.id, partnership_label(p))
            for p in sorted(seminar.partnerships, key=lambda p: localized(p.ua_institution, "name"))
        ]
    )
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
    sign_in(account)
    db.session.commit()
    session["new_return_code"] = return_code
    return redirect(url_for("auth.welcome"))


@bp.get("/welcome")
def welcome() -> str | Response:
    account = acting_account()
    assert account is not None  # noqa: S101 - the access table admits participants only
    return_code = session.pop("new_return_code", None)
    if return_code is None:
        return redirect(url_for("partnerships.index"))
    membership = account.active_memberships[0]
    resume_url = url_for("auth.resume", code=return_code, _external=True)
    return render_template(
        "auth/welcome.html", membership=membership, return_code=return_code, resume_url=resume_url
    )


@bp.route("/resume", methods=["GET", "POST"])
def resume() -> str | Response | tuple[str, int]:
    form = ResumeForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"]
    if not form.validate_on_submit():
        return render_template("auth/resume.html", form=form), 422 if form.errors else 200
    try:
        account = services.account_for_return_code(form.code.data, limits=_code_limits("resume"))
    except services.AuthError as error:
        return _refused(form, error, "auth/resume.html")
    sign_in(account)
    db.session.commit()
    flash(_("Welcome back, %(name)s.", name=account.display_name), "info")
    return redirect(url_for("partnerships.index"))
