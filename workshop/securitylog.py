"""The security log: one line per event an operator may need to see (ASVS 5.0 16.3).

Denied objects, failed CSRF checks, wrong passwords and codes, and refusals by a rate limit go
to the ``workshop.security`` logger, each as ``event=… endpoint=… account=… address=…`` plus a
few named details. Never a password, a code or an e-mail: a person who typed their password
into the e-mail field must not find it in a log file.
"""

from __future__ import annotations

import logging
import re

from flask import has_request_context, request
from flask_login import current_user

logger = logging.getLogger("workshop.security")

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
