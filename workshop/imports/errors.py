"""The error an organiser's unreadable spreadsheet raises, shared by the file readers."""

from __future__ import annotations

from workshop.usererror import UserError


class UnreadableFile(UserError):
    """A spreadsheet that cannot be read, with why, for the person who uploaded it."""
