"""What gunicorn.conf.py needs from the app: the default number of workers, an access log that
never writes a code or a token, and forked workers that open their own connections."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import Any

from flask import Flask
from gunicorn.glogging import Logger

from workshop.extensions import db

ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# Job and document-verification tokens are secrets.token_urlsafe(32): 43 characters. No page
# or static file has a path segment this long, so any such segment is taken for a token.
_TOKEN = re.compile(r"(?<=/)[A-Za-z0-9_-]{32,}(?=/|\.|$)")
# Request headers a log format could name (%({cookie}i)s) that carry a session or a password.
_PRIVATE_HEADERS = ("{cookie}i", "{authorization}i", "{x-csrftoken}i")


def cores() -> int:
    """CPUs this process may run on (a container's or taskset's limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    """gunicorn's advice and P9: two per core, and one more to serve while another waits."""
    return 2 * cores() + 1


def redact(path: str) -> str:
    """``path`` without its query string, and with token segments written as ``[token]``."""
    return _TOKEN.sub("[token]", path.split("?", 1)[0])


class AccessLogger(Logger):
    """gunicorn's logger, with request lines and referrers cut down to their redacted paths.

    Join codes travel in query strings (a QR code on the projector opens ``/join?code=…``),
    tokens in paths; whatever ``access_log_format`` an operator picks, neither reaches the log.
    """

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        path = redact(environ.get("PATH_INFO") or "")
        atoms["U"] = path
        atoms["q"] = "-"
        atoms["r"] = f"{atoms['m']} {path} {atoms['H']}"
        referrer = environ.get("HTTP_REFERER")
        atoms["f"] = atoms["{referer}i"] = redact(referrer) if referrer else "-"
        for name in [*_PRIVATE_HEADERS, *(name for name in atoms if name.endswith("}e"))]:
            atoms.pop(name, None)  # the WSGI environ repeats the query string and the cookies
        return atoms


def forget_inherited_connections(app: object) -> None:
    """In a freshly forked worker: drop the pooled connections copied from the parent without
    closing them (the parent's sockets), so this worker opens its own (SQLAlchemy's rule).
    Any other WSGI app (the load test's hello-world, served with the same settings) has none."""
    if not isinstance(app, Flask) or "sqlalchemy" not in app.extensions:
        return
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
