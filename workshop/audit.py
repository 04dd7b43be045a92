"""Writing the audit trail, and showing its values safely as text (docs/audit.md).

Events about a change go into the change's own unit of work (``record``): committed with it,
gone with it when it fails. A refusal (``refused``) has no change to go with, and its request's
transaction is about to be thrown away, so it is written in a short transaction of its own
(``record_apart``) that can never turn the refusal into a server error.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from workshop.extensions import db
from workshop.models import Account, AuditEvent, Partnership, Seminar
from workshop.models.base import utcnow

logger = logging.getLogger("workshop.audit")

# Details are for reading, not archiving: a pasted essay or a crafted 10,000-character value
# is cut, so one request cannot grow the table by megabytes. The cut is marked.
MAX_VALUE_CHARS = 500
MAX_ITEMS = 50
MAX_DETAILS_CHARS = 4000
CUT = "…"


def record(
    action: str,
    *,
    actor: Account | None,
    obj: Any = None,
    **details: Any,
) -> None:
    """Add an audit event to the current unit of work (committed with the change it describes)."""
    seminar_id, partnership_id = _places(obj, details)
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor is not None else None,
            action=action[:60],
            object_type=type(obj).__name__.lower()[:40] if obj is not None else None,
            object_id=getattr(obj, "id", None),
            seminar_id=seminar_id,
            partnership_id=partnership_id,
            details=bounded(details),
        )
    )


def record_apart(
    action: str,
    *,
    actor_id: int | None,
    object_type: str | None = None,
    object_id: int | None = None,
    **details: Any,
) -> bool:
    """Store one event in its own short transaction, whatever the request's own session is
    doing; False (and a log line) when it could not be stored. Never raises."""
    row = {
        "at": utcnow(),
        "actor_id": actor_id,
        "action": action[:60],
        "object_type": object_type[:40] if object_type else None,
        "object_id": object_id,
        "seminar_id": None,
        "partnership_id": None,
        "details": bounded(details),
    }
    try:
        _free_sqlite_writer()
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # A refusal must answer promptly: wait for no lock, whatever holds it.
                connection.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
                connection.execute(sa.text("SET LOCAL statement_timeout = '5s'"))
            connection.execute(sa.insert(AuditEvent.__table__), [row])
    except Exception:  # the trail failing must not fail the refusal itself
        logger.warning("audit event not stored: action=%s", safe_text(action), exc_info=True)
        return False
    return True


def refused(status: int) -> None:
    """Record a refused authorisation (a 403, or a 404 from a matched route: see errors.py)."""
    try:
        actor_id = current_user.id if current_user and current_user.is_authenticated else None
        object_type, object_id = _object_in_address()
        record_apart(
            "access_denied" if status == 403 else "object_not_found",
            actor_id=actor_id,
            object_type=object_type,
            object_id=object_id,
            status=status,
            endpoint=request.endpoint,
            method=request.method,
            path=request.path,
            address=request.remote_addr,
        )
    except Exception:  # e.g. the account could not be read on a broken session
        logger.warning("refusal not recorded", exc_info=True)


def _free_sqlite_writer() -> None:
    """SQLite has one writer: if this request's own connection has written, the separate
    transaction would wait for it until the busy timeout. The request is failing and its
    changes are thrown away at teardown anyway, so they are thrown away now."""
    if db.engine.dialect.name != "sqlite" or not db.session().in_transaction():
        return
    try:
        raw = db.session.connection().connection.dbapi_connection
        writing = bool(getattr(raw, "in_transaction", True))
    except Exception:  # a broken transaction: rolled back below
        writing = True
    if writing:
        db.session.rollback()


def _object_in_address() -> tuple[str | None, int | None]:
    """The object a refused address named (``/partnerships/7`` → partnership 7), if any."""
    if not has_request_context():
        return None, None
    for name, value in (request.view_args or {}).items():
        if name.endswith("_id") and isinstance(value, int):
            kind = name.removesuffix("_id")
            return _ADDRESS_NAMES.get(kind, kind)[:40], value
    return None, None


# Names in addresses that differ from the model's, so one filter finds both kinds of event.
_ADDRESS_NAMES = {"batch": "importbatch", "version": "documentversion"}


def _places(obj: Any, details: dict[str, Any]) -> tuple[int | None, int | None]:
    """The seminar and partnership an event happened in, as far as its object tells."""
    seminar_id = details.get("seminar_id")
    partnership_id = details.get("partnership")
    if isinstance(obj, Seminar):
        seminar_id = obj.id
    elif isinstance(getattr(obj, "seminar_id", None), int):
        seminar_id = obj.seminar_id
    if isinstance(obj, Partnership):
        partnership_id = obj.id
    elif isinstance(getattr(obj, "partnership_id", None), int):
        partnership_id = obj.partnership_id
    return (
        seminar_id if isinstance(seminar_id, int) else None,
        partnership_id if isinstance(partnership_id, int) else None,
    )


def bounded(details: dict[str, Any]) -> dict[str, Any]:
    """Details as plain JSON values, each cut to a readable size, the whole under a limit."""
    kept: dict[str, Any] = {}
    size = 0
    for key, value in details.items():
        plain = _plain(value)
        cost = len(json.dumps(plain, ensure_ascii=False)) + len(str(key)) + 4
        if size + cost > MAX_DETAILS_CHARS:
            kept["cut"] = True
            break
        kept[str(key)[:40]] = plain
        size += cost
    return kept


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_VALUE_CHARS else value[:MAX_VALUE_CHARS] + CUT
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(getattr(item, "id", item)) for item in list(value)[:MAX_ITEMS]]
        return [*items, CUT] if len(value) > MAX_ITEMS else items
    if isinstance(value, dict):
        return {str(k)[:40]: _plain(v) for k, v in list(value.items())[:MAX_ITEMS]}
    if hasattr(value, "id"):  # a model object: its id, not its text
        return getattr(value, "id", None)
    return _plain(str(value))


# Characters that would start a formula when a value is opened in a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@")
# Invisible characters that reorder or hide text (Trojan Source), beyond the control characters.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def safe_text(value: Any, limit: int = 300) -> str:
    """A value as one line of visible text that cannot pass for another entry: newlines and
    every control, format or direction character written as an escape (``\\n``, ``\\u202e``),
    backslashes doubled so an escape cannot be faked, a leading formula sign neutralised with
    an apostrophe, and long text cut."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    cut = len(text) > limit
    out: list[str] = []
    for char in text[:limit]:
        if char == "\\":
            out.append("\\\\")
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif char in _BIDI or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    shown = "".join(out) + (CUT if cut else "")
    return "'" + shown if shown.startswith(_FORMULA_START) else shown
