"""Stable ids for the rows of repeatable tables.

A row keeps its id for life, whatever its position: later stages refer to it (an objective
names the priority it serves), and the trace view follows these references both ways.
"""

from __future__ import annotations

import re
import secrets

# Short and URL-safe: ids appear in form field names and in page anchors.
ROW_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,23}$")
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def new_row_id() -> str:
    """A fresh id: 10 characters from 32, about 50 bits, so two tables never pick the same."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(10))


def is_row_id(value: object) -> bool:
    return isinstance(value, str) and ROW_ID.match(value) is not None
