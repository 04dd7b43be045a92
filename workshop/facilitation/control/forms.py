"""Reading what the control page's forms post: minutes, a notice, a button's choice.

Each reader returns a clean value or raises ``ControlError`` naming the field, with a message
for the person; a button with a value no page offers is a tampered form (None: the view says
400).
"""

from __future__ import annotations

import unicodedata

from flask_babel import gettext as _
from flask_babel import ngettext

from workshop.facilitation.control.services import MINUTES, NOTICE_CHARS, ControlError
from workshop.numbers import whole_number


def minutes(raw: str | None, field: str) -> int:
    low, high = MINUTES
    number = whole_number((raw or "").strip(), low=low, high=high)
    if number is None:
        raise ControlError(
            _("Enter a whole number of minutes from %(low)d to %(high)d.", low=low, high=high),
            field=field,
        )
    return number


def notice(raw: str | None) -> str:
    """The notice as it will be shown: spaces tidied, lines kept (at most two in a row)."""
    shown = "".join(ch for ch in raw or "" if ch == "\n" or unicodedata.category(ch) != "Cc")
    lines = [" ".join(line.split()) for line in shown.split("\n")]
    text = "\n".join(lines).strip()
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    if not text:
        raise ControlError(_("Write the notice."), field="notice-text")
    if len(text) > NOTICE_CHARS:
        raise ControlError(
            ngettext(
                "A notice has at most %(num)d character; this one has %(count)d.",
                "A notice has at most %(num)d characters; this one has %(count)d.",
                NOTICE_CHARS,
                count=len(text),
            ),
            field="notice-text",
        )
    return text


def choice(raw: str | None, allowed: tuple[str, ...]) -> str | None:
    return raw if raw in allowed else None
