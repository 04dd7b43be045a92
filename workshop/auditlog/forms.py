"""The audit log's filters: read from the address, each problem said next to its field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from workshop.auditlog.actions import ACTIONS, OBJECT_TYPES, OUTCOMES
from workshop.numbers import whole_number

KYIV = ZoneInfo("Europe/Kyiv")
# A date as people type it here: ISO from a date picker, or day first with dots, slashes or
# hyphens as both languages write it (15.01.2026, 15/01/2026). Never month first.
_DAY_FIRST = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


@dataclass
class Filters:
    """What the reader asked for; ``raw`` is what they typed, shown back in the form."""

    raw: dict[str, str]
    action: str | None = None
    outcome: str | None = None
    actor_id: int | None = None
    actor_email: str | None = None
    object_type: str | None = None
    object_id: int | None = None
    seminar_id: int | None = None
    since: datetime | None = None  # UTC, inclusive
    until: datetime | None = None  # UTC, exclusive
    before: int | None = None  # the page: events older than this id
    errors: dict[str, str] = field(default_factory=dict)

    def address(self, **changed: Any) -> dict[str, str]:
        """The filters as query arguments, for the next page's link."""
        kept = {k: v for k, v in self.raw.items() if v and k != "before"}
        return kept | {k: str(v) for k, v in changed.items() if v is not None}


FIELDS = ("action", "outcome", "actor", "object_type", "object_id", "seminar", "from", "to")


def read(args: MultiDict[str, str], seminar_ids: set[int]) -> Filters:
    raw = {name: args.get(name, "").strip()[:200] for name in (*FIELDS, "before")}
    found = Filters(raw=raw)
    errors = found.errors
    found.action = _choice(raw, "action", ACTIONS, errors, _("Choose an action from the list."))
    found.outcome = _choice(raw, "outcome", OUTCOMES, errors, _("Choose an outcome from the list."))
    found.object_type = _choice(
        raw, "object_type", OBJECT_TYPES, errors, _("Choose a kind of object from the list.")
    )
    _actor(raw["actor"], found)
    if raw["object_id"]:
        found.object_id = whole_number(raw["object_id"], low=1)
        if found.object_id is None:
            errors["object_id"] = _("Enter the object's number, e.g. 12.")
    if raw["seminar"]:
        found.seminar_id = whole_number(raw["seminar"], low=1)
        if found.seminar_id not in seminar_ids:
            found.seminar_id = None
            errors["seminar"] = _("Choose a seminar from the list.")
    since, until = _day(raw["from"], "from", errors), _day(raw["to"], "to", errors)
    if since and until and until < since:
        errors["to"] = _("The last day cannot be before the first.")
    found.since = _start_utc(since) if since else None
    found.until = _start_utc(until + timedelta(days=1)) if until else None
    # A page address that is not a number is an old or edited link: the newest page instead.
    found.before = whole_number(raw["before"], low=1) if raw["before"] else None
    return found


def _choice(
    raw: dict[str, str], name: str, known: Any, errors: dict[str, str], message: str
) -> str | None:
    """One of a list's values, or None with ``message`` when something else was sent."""
    if not raw[name]:
        return None
    if raw[name] in known:
        return raw[name]
    errors[name] = message
    return None


def _actor(text: str, found: Filters) -> None:
    if not text:
        return
    number = whole_number(text.removeprefix("#"), low=1)
    if number is not None:
        found.actor_id = number
    elif _EMAIL.fullmatch(text):
        found.actor_email = text.lower()
    else:
        found.errors["actor"] = _("Enter an account number or an e-mail address.")


def _day(text: str, name: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    parts: tuple[int, int, int] | None = None
    if matched := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in matched.groups())
        parts = (year, month, day)
    elif matched := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in matched.groups())
        parts = (year, month, day)
    # Years far off are typos, and at the calendar's ends a Kyiv day has no UTC start.
    if parts is not None and 1900 <= parts[0] <= 2999:
        try:
            return date(*parts)
        except ValueError:
            pass
    errors[name] = _("Enter a date as day, month and year, e.g. 15.01.2026.")
    return None


def _start_utc(day: date) -> datetime:
    """The moment a Kyiv day starts, in UTC: the reader's days are Kyiv days."""
    return datetime.combine(day, time(), tzinfo=KYIV).astimezone(UTC)
