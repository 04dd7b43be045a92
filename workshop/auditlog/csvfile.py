"""The audit log as a CSV file: every value one inert cell (see workshop.audit.safe_text)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from workshop.audit import safe_text
from workshop.auditlog import actions
from workshop.auditlog.queries import Row

# A file for an auditor's question, not a backup: the newest this many events matching.
MAX_ROWS = 10_000
COLUMNS = (
    "id",
    "at_utc",
    "action",
    "outcome",
    "actor_id",
    "actor_email",
    "object_type",
    "object_id",
    "seminar_id",
    "partnership_id",
    "details",
)


def chunks(rows: list[Row]) -> Iterator[str]:
    yield "\ufeff" + _line(list(COLUMNS))  # the BOM: Excel then reads UTF-8
    for r in rows:
        yield _line(
            [
                r.id,
                r.at.isoformat(timespec="seconds"),
                r.action,
                actions.outcome(r.action),
                r.actor_id,
                r.actor_email,
                r.object_type,
                r.object_id,
                r.seminar_id,
                r.partnership_id,
                r.details,
            ]
        )


def _line(values: list[object]) -> str:
    out = io.StringIO()
    cells = [safe_text(v, 1000) if isinstance(v, str | dict) else safe_text(v) for v in values]
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()
