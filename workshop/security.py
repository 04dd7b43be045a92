"""What every request and response needs to be safe: the client's real address behind a proxy,
response headers, cookie flags, and a guard for redirect targets."""

from __future__ import annotations

import time
import unicodedata
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, Request, Response, current_app, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import WSGIRequestHandler

from workshop import config

# Everything is served by the app itself: no other origin is ever needed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# The app uses no device feature; a script injected despite the CSP still gets none of them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
SERVER_NAME = "Twinning Workshop"
# A year, for the site's host and the names under it (ASVS 3.4.1 at L2). A browser applies
# includeSubDomains below the host that sent it, never beside or above it; the workshop gets a
# host of its own (twinning.example.org in docs/deployment.md), so only names beneath that host
# are pinned, never the organisation's other sites. Served at a bare domain (example.org) it
# would pin every site under that domain for a year: docs/deployment.md warns against that.
# No "preload": a browser's built-in list outlives the deployment, and is the domain owner's call.
HSTS = "max-age=31536000; includeSubDomains"


# Flask-WTF checks the Referer over HTTPS, so "no-referrer" would break every form.
_EVERY_RESPONSE = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    # One pass over the few headers a view set; every autosave's answer goes through here.
    present = {name.lower() for name, _value in headers.items()}
    headers.extend(
        [(name, value) for name, value in _EVERY_RESPONSE if name.lower() not in present]
    )
    secure = request.is_secure or current_app.config["SESSION_COOKIE_SECURE"]
    if secure and "strict-transport-security" not in present:
        # On every response of a site served over HTTPS, not only those that look like HTTPS
        # here: behind a TLS proxy with TRUSTED_PROXIES wrong every request looks like plain
        # HTTP, and the header would silently vanish. Browsers ignore it over plain HTTP, so
        # sending it there is harmless (ASVS 3.4.1).
        headers.add("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        # Pages about someone's partnership must not stay in a shared computer's cache, and a
        # form's CSRF token or a return code must not be kept by a shared proxy's cache. Only
        # a page for nobody in particular may keep a caching rule its view set.
        if "cache-control" not in present:
            headers.add("Cache-Control", "no-store")
        elif current_user and current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
    if "vary" in present:
        response.vary.add("Cookie")
    else:
        headers.add("Vary", "Cookie")
    if secure:
        _secure_cookies(response)
    return response


def _secure_cookies(response: Response) -> None:
    """Over HTTPS every cookie we set is Secure, whichever view set it (language, display…)."""
    cookies = response.headers.getlist("Set-Cookie")
    if not cookies:
        return
    response.headers.remove("Set-Cookie")
    for cookie in cookies:
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        response.headers.add(
            "Set-Cookie", cookie if "secure" in attributes else f"{cookie}; Secure"
        )


VERIFIED_COOKIES = 4096  # cookies a worker remembers as checked; then it starts afresh


def _keys(app: Flask) -> tuple[object, ...]:
    return (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, marked Secure whenever the request came over HTTPS.

    Flask writes the session cookie after every after_request function has run, so the
    rewrite in ``_secure_cookies`` cannot reach it.
    """

    def __init__(self) -> None:
        self._serializers: dict[tuple[object, ...], URLSafeTimedSerializer | None] = {}
        # Cookies whose signature this worker checked: exact cookie text (under one set of keys)
        # -> when it was signed, and what it holds. A browser sends the same cookie with every
        # autosave until the session changes, and checking it (HMAC, base64, tagged JSON) was a
        # twentieth of a save's CPU. The age is checked again on every use, as the signature's
        # own check would; a changed cookie is new text and is checked in full.
        self._verified: dict[tuple[tuple[object, ...], str], tuple[int, dict[str, Any]]] = {}

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (_keys(app), cookie)
        found = self._verified.get(key)
        if found is not None and 0 <= int(time.time()) - found[0] <= max_age:
            return self.session_class(found[1])  # a copy: the values are never containers
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:  # expired ones too
            return self.session_class()
        # Only flat sessions are kept: a list (flashed messages) would be shared, not copied.
        if isinstance(data, dict) and not any(isinstance(v, (list, dict)) for v in data.values()):
            if len(self._verified) >= VERIFIED_COOKIES:
                self._verified.clear()
            self._verified[key] = (int(signed_at.timestamp()), data)
        return self.session_class(data)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Flask builds the serializer afresh for every request (every autosave); it depends only
        # on the keys, so it is kept per set of keys.
        keys = _keys(app)
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]


def safe_redirect_target(target: str | None) -> str | None:
    """Return ``target`` only if it is a plain path on this site; None for anything else.

    Refused: another host or scheme; backslashes, which browsers read as slashes; and control,
    format and separator characters anywhere, raw or percent-encoded — a CR/LF would split the
    Location header, and a tab or line separator is dropped by browsers, so "/<TAB>/evil.example"
    would become "//evil.example".
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    decoded = target
    for _ in range(3):  # double encoding too: %250d is %0d once decoded
        decoded = unquote(decoded)
    # Raw spaces are refused too; an encoded one (%20 in a query) is a plain character.
    if _has_dangerous_character(target, spaces=True):
        return None
    if _has_dangerous_character(decoded, spaces=False):
        return None
    if not target.startswith("/") or target.startswith("//") or decoded.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# Cc control, Cf format (zero-width, bidi overrides), Zl/Zp line and paragraph separators,
# and code points that are not characters at all.
_NEVER = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def _has_dangerous_character(text: str, *, spaces: bool) -> bool:
    refused = _NEVER | {"Zs"} if spaces else _NEVER
    return any(ch == "\\" or unicodedata.category(ch) in refused for ch in text)


def _trust_proxies(app: Flask) -> None:
    """Read the client's address and scheme from the configured number of proxies' headers.

    With no proxy configured the headers are ignored: anybody can send X-Forwarded-For, and
    believing it would let a guesser pose as many addresses. The host is never taken from
    X-Forwarded-Host; nothing builds links from it (see PUBLIC_URL).
    """
    hops = config.trusted_proxies(app)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _quiet_server_header() -> None:
    """Name the development server without versions.

    Werkzeug's server writes "Werkzeug/x Python/y" into every Server header itself, before the
    app's headers, so an after_request cannot replace it; versions tell an attacker which
    published bugs to try.
    """
    WSGIRequestHandler.version_string = lambda self: SERVER_NAME  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    config.secure_transport(app)
    _trust_proxies(app)
    _quiet_server_header()
    app.session_interface = _SessionInterface()
    app.after_request(add_security_headers)
