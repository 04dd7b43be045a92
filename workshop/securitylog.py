"""The security log: one line per event an operator may need to see (ASVS 5.0 16.3).

Denied objects, failed CSRF checks, wrong passwords and codes, and refusals by a rate limit go
to the ``workshop.security`` logger, each as ``event=… endpoint=… account=… address=…`` plus a
few named details. Never a password, a code or an e-mail: a person who typed their password
into the e-mail field must not find it in a log file.

Each line is written to standard error with its time in UTC (``configure``, docs/audit.md):
``2026-11-25T09:14:03Z WARNING workshop.security event=login_failed …``.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import TextIO

from flask import has_request_context, request
from flask_login import current_user

logger = logging.getLogger("workshop.security")

# ISO 8601 in UTC with the Z: one reading whatever the server's time zone (a Kyiv server moves
# its clock twice a year), and lines from several hosts sort together.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class _Stderr(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time of the line, not the one at start-up:
    a handler made once per process outlives anything that swaps the stream (a test runner's
    capture), and must not write into a stream that has since been closed."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr


def configure() -> None:
    """Give the security log its own timestamped line on standard error, unless the operator
    has given it a handler already (a logging configuration of their own wins). Once per
    process: ``create_app`` runs again for every worker, CLI command and test."""
    if logger.handlers:
        return
    handler = _Stderr()
    formatter = logging.Formatter(LINE_FORMAT, datefmt=TIME_FORMAT)
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)  # its own: a host's quieter root level must not drop it
    # The line is written here, once. Passed up, it would be written again by Flask's own
    # handler on the "workshop" logger (added when anything first logs through app.logger, with
    # a local time) and by any handler a host puts on the root logger.
    logger.propagate = False


# Values come partly from the request; anything outside this set is replaced so nobody can
# forge a second log line or hide one.
_UNSAFE = re.compile(r"[^A-Za-z0-9._:/\-]")


def _clean(value: object) -> str:
    text = "-" if value is None else "_".join(str(value).split(" "))
    return _UNSAFE.sub("?", text)[:100] or "-"


def event(name: str, /, *, account_id: int | None = None, **details: object) -> None:
    """Log one security event about the current request (its endpoint, account and address)."""
    fields: dict[str, object] = {"event": name}
    if has_request_context():
        if account_id is None and current_user and current_user.is_authenticated:
            account_id = current_user.id
        fields |= {
            "endpoint": request.endpoint,
            "method": request.method,
            "account": account_id,
            # After ProxyFix: the client as the trusted proxy saw it, not a header it sent.
            "address": request.remote_addr,
        }
    fields |= details
    logger.warning(" ".join(f"{key}={_clean(value)}" for key, value in fields.items()))
