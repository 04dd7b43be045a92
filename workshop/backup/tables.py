"""Which tables a backup file holds, which rows belong to one seminar, and how a value is
written as JSON and read back.

Every table of the models is named here exactly once: in ``SEMINAR_ROWS`` (rows of one
seminar), ``PEOPLE`` (accounts and hospitals, taken as the seminar's rows name them) or
``LEFT_OUT`` (never in a file). A test holds that, so a new table forces a decision.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from workshop.exports.json_reads import plain
from workshop.models import Base

# Short-lived or rebuilt by the app, and some of them secret: restoring them would revive
# sign-ins (sessions), old rate limits (throttle), people "on the page" (presence) or queued
# work that already ran or can be asked for again (jobs and their result files' bytes).
LEFT_OUT = frozenset({"auth_session", "throttle", "presence", "job"})

PEOPLE = frozenset({"account", "institution"})

Where = Callable[[sa.Table, int], sa.ColumnElement[bool]]


def table(name: str) -> sa.Table:
    return Base.metadata.tables[name]


def seminar_partnerships(seminar_id: int) -> sa.Select[Any]:
    link = table("seminar_partnership")
    return sa.select(link.c.partnership_id).where(link.c.seminar_id == seminar_id)


def _of_seminar(t: sa.Table, sid: int) -> sa.ColumnElement[bool]:
    return t.c.seminar_id == sid


def _of_partnerships(t: sa.Table, sid: int) -> sa.ColumnElement[bool]:
    return t.c.partnership_id.in_(seminar_partnerships(sid))


def _under(parent: str, column: str) -> Where:
    """Rows whose ``column`` names a row of ``parent`` that belongs to the seminar's tables."""

    def where(t: sa.Table, sid: int) -> sa.ColumnElement[bool]:
        p = table(parent)
        return t.c[column].in_(sa.select(p.c.id).where(_of_partnerships(p, sid)))

    return where


def _audit(t: sa.Table, sid: int) -> sa.ColumnElement[bool]:
    return sa.or_(t.c.seminar_id == sid, _of_partnerships(t, sid))


SEMINAR_ROWS: dict[str, Where] = {
    "seminar": lambda t, sid: t.c.id == sid,
    "seminar_partnership": _of_seminar,
    "seminar_facilitator": _of_seminar,
    "seminar_stage": _of_seminar,
    "plenary_round": _of_seminar,
    "proposal": _of_seminar,
    "proposal_vote": _of_seminar,
    "help_request": _of_seminar,
    "import_batch": _of_seminar,
    "partnership": lambda t, sid: t.c.id.in_(seminar_partnerships(sid)),
    "cycle": _of_partnerships,
    "answer": _of_partnerships,
    "stage_run": _of_partnerships,
    "comment": _of_partnerships,
    "vote": _of_partnerships,
    "membership": _of_partnerships,
    "document_version": _of_partnerships,
    "answer_revision": _under("answer", "answer_id"),
    "stage_event": _under("stage_run", "run_id"),
    "document_file": _under("document_version", "version_id"),
    "sign_off": _under("document_version", "version_id"),
    "audit_event": _audit,
}


def backed_up() -> list[sa.Table]:
    """The tables a file holds, parents before children (the order rows are inserted in)."""
    return [t for t in Base.metadata.sorted_tables if t.name not in LEFT_OUT]


def encode(value: Any) -> Any:
    """A stored value as JSON holds it: the web export's encoding (ISO dates, UTC instants with
    microseconds, stored JSON with its keys sorted), and bytes in base64."""
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return plain(value)


def decoder(column: sa.Column[Any]) -> Callable[[Any], Any]:
    """Reads back what ``encode`` wrote for this column (raises ValueError on a bad value)."""
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.DateTime):
        return lambda v: None if v is None else _instant(v)
    if isinstance(kind, sa.Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(kind, sa.LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v, validate=True)
    if isinstance(kind, sa.JSON):
        # SQL NULL, not a JSON null: what the app stores when it leaves the value unset.
        return lambda v: sa.null() if v is None else v
    return lambda v: v


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment
