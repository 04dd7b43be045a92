"""Response headers every page carries, and a guard for redirect targets."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_login import current_user

# Everything is served by the app itself: no other origin is ever needed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Flask-WTF checks the Referer over HTTPS, so "no-referrer" would break every form.
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if current_user and current_user.is_authenticated and request.endpoint != "static":
        # Pages about someone's partnership must not stay in a shared computer's cache.
        response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


def safe_redirect_target(target: str | None) -> str | None:
    """Return ``target`` only if it is a path on this site; never another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
