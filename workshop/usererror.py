"""The one kind of error a person can fix themselves.

Services raise a ``UserError`` (or a subclass naming the feature) with a message already in the
person's language; views catch it and show the message next to what caused it, keeping what was
typed. Anything else that escapes is a bug and becomes the generic error page.
"""

from __future__ import annotations


class UserError(Exception):
    """``message`` for the person; ``field``, where known, names the form field it belongs to."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
