"""Glue between Flask-Login, our server-side sessions and the endpoint access table."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from workshop import securitylog
from workshop.auth import services
from workshop.auth.signed_in import SignedIn
from workshop.extensions import db
from workshop.models import Account
from workshop.permissions import ENDPOINT_ACCESS, may_reach


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    # Flask-Login's "basic" protection hashes the address and browser of every request to mark
    # a session not fresh when they change; nothing here asks for a fresh login, and a session
    # is ended on the server (services.end_session), so the hash bought nothing per autosave.
    login_manager.session_protection = None
    login_manager.login_view = "auth.login"
    login_manager.user_loader(_load_account)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(enforce_endpoint_access)


SEEN_KEY = "seen"  # when this browser last made a request, in the signed session cookie
SEEN_STEP = 60  # seconds; the cookie is rewritten at most once a minute


View = TypeVar("View", bound=Callable[..., Any])


def saves_per_session(view: View) -> View:
    """Mark a view (the autosave) whose requests count toward the sign-in's limit of saves per
    window (AUTOSAVES_PER_WINDOW, R8): past it, 429 with Retry-After, and the view does not run.
    The count is kept in the session's row by the session check itself (auth.services)."""
    view.saves_per_session = True  # type: ignore[attr-defined]
    return view


def _window() -> int | None:
    """The autosave window this request counts in, or None when it is not an autosave."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "saves_per_session", False):
        return None
    return int(time.time()) // current_app.config["AUTOSAVE_WINDOW_SECONDS"]


def _too_many_saves(person: SignedIn) -> Response | None:
    """429 for an autosave past the sign-in's limit in this window; the page sends it later."""
    limit = current_app.config["AUTOSAVES_PER_WINDOW"]
    if person.saves_in_window is None or person.saves_in_window <= limit:
        return None
    db.session.commit()  # the count stands (on SQLite it is in this request's transaction)
    if person.saves_in_window == limit + 1:  # once a window: a script would flood the log
        securitylog.event("rate_limited", limit="autosave:session", wait=_window_left())
    response = jsonify(error=_("Saving very often: your text is kept here and sent in a moment."))
    response.status_code = 429
    response.headers["Retry-After"] = str(_window_left())
    return response


def _window_left() -> int:
    length = current_app.config["AUTOSAVE_WINDOW_SECONDS"]
    return length - int(time.time()) % length


def _load_account(token: str) -> SignedIn | None:
    person = services.load_session(token, count_in_window=_window())
    if person is None:
        return None
    idle = current_app.config["SESSION_IDLE_MINUTES"].get(person.role.value)
    now = int(time.time())
    seen = session.get(SEEN_KEY)
    if idle is not None and isinstance(seen, int) and now - seen > idle * 60:
        # Kept in the signed cookie, not the database: an autosave stays within its queries.
        services.end_session(token)
        db.session.commit()
        session.clear()
        session["signed_out_idle"] = True
        return None
    if not isinstance(seen, int) or now - seen >= SEEN_STEP:
        session[SEEN_KEY] = now
    return person


def _unauthorized() -> Response | tuple[Response, int]:
    """Scripts get a 401 they can read (and keep the typed text); people go to sign in."""
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify(error=_("You are signed out. Sign in again to save.")), 401
    if session.pop("signed_out_idle", False):
        flash(_("You were signed out after a while without activity. Sign in again."), "info")
    else:
        flash(_("Please sign in to see this page."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def acting_account() -> Account | None:
    """The signed-in account of this request, or None."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if isinstance(user, SignedIn):
        return user.account()
    return user if user.is_authenticated else None  # signed in by this very request


def signed_in() -> SignedIn | Account | None:
    """Who is signed in, without making the account an object where it is not one yet (the
    autosave's way): role, id and seats read the same on both."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    return user if user.is_authenticated else None


def enforce_endpoint_access() -> Response | None:
    """Refuse a request the endpoint table does not allow; refuse unknown endpoints outright."""
    if request.endpoint is None:  # no route matched: Flask answers 404 or 405 itself
        return None
    access = ENDPOINT_ACCESS.get(request.endpoint)
    if access is None:
        current_app.logger.error("endpoint %r has no access rule", request.endpoint)
        abort(403)
    actor = signed_in()
    if may_reach(actor, access):
        return _too_many_saves(actor) if isinstance(actor, SignedIn) else None
    if actor is None:
        return _unauthorized()
    abort(403)  # logged as a security event by the 403 handler (workshop.errors)
    return None  # unreachable: abort raises


def sign_in(account: Account) -> None:
    """Open a fresh server-side session for ``account`` in this browser, ending the one it
    held before (ASVS 7.2.4)."""
    previous = session.get("_user_id")  # Flask-Login's key: the token of the last sign-in
    if isinstance(previous, str) and previous:
        # Dropping it from the cookie is not enough: a copy of the old cookie (a shared
        # computer's, a stolen one) would stay valid until it expired. Ended whoever it was.
        services.end_session(previous)
    hours = current_app.config["SESSION_LIFETIME_HOURS"][account.role.value]
    token = services.open_session(account, hours=hours)
    keep = {k: session[k] for k in ("browser_id",) if k in session}
    session.clear()  # a new sign-in never inherits an old session's state
    session.update(keep)
    session[SEEN_KEY] = int(time.time())
    account.session_token = token
    login_user(account)


def sign_out() -> None:
    account = acting_account()
    if account is not None and account.session_token:
        services.end_session(account.session_token)
    logout_user()
    session.clear()


def browser_id() -> str:
    """A random id for this browser, so wrong codes are counted per person, not per room."""
    if "browser_id" not in session:
        session["browser_id"] = secrets.token_urlsafe(16)
    return str(session["browser_id"])
