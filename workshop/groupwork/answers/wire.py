"""The wire format between a stage page and the server, defined once.

Form fields are named ``q.<key>`` for a question, ``q.<key>.<part>`` for a person's
name/role/e-mail, ``q.<key>.<row>.<column>`` for a table cell (``<column>`` is ``_remove`` for a
row's "remove" box) and ``v.<key>`` for the version the page showed. Rows of repeatable tables
carry stable ids from one alphabet. The page's script learns all of this from ``for_page()``
(rendered into the page as JSON), so Python and JavaScript cannot drift apart.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

QUESTION_PREFIX = "q"
VERSION_PREFIX = "v"
SEPARATOR = "."
REMOVE = "_remove"  # a row's "remove" box, ``q.<key>.<row>._remove``
PERSON_FIELDS = ("name", "role", "email")

# Short and URL-safe: ids appear in form field names and in page anchors. Rows of fixed tables
# use the method's item ids (``ipc``), which match the same pattern.
# The pattern is handed to the page's script as is, so it is written for both ``re`` and
# JavaScript's ``RegExp``. Python's ``$`` also matches before a final newline (JavaScript's does
# not): ``ROW_ID`` ends at ``\Z`` instead, so both refuse ``"ipc\n"`` alike.
ROW_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,23}$"
ROW_ID = re.compile(ROW_ID_PATTERN.removesuffix("$") + r"\Z")
# Fresh ids: 10 characters from 32 (no look-alikes), about 50 bits, so two tables never clash.
ROW_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
ROW_ID_LENGTH = 10


def new_row_id() -> str:
    return "".join(secrets.choice(ROW_ID_ALPHABET) for _ in range(ROW_ID_LENGTH))


def is_row_id(value: object) -> bool:
    return isinstance(value, str) and ROW_ID.fullmatch(value) is not None


def field_name(key: str, *parts: object) -> str:
    return SEPARATOR.join([QUESTION_PREFIX, key, *map(str, parts)])


def version_name(key: str) -> str:
    return f"{VERSION_PREFIX}{SEPARATOR}{key}"


def for_page() -> dict[str, Any]:
    """What ``static/js/autosave.js`` needs to read and write the same names.

    The stage page carries it as a JSON block (``<script type="application/json"
    id="wire-format">``); the script does nothing without it rather than guess.
    ``rowIdPattern`` is written so that Python's ``re`` and JavaScript's ``RegExp`` read it alike.
    """
    return {
        "question": QUESTION_PREFIX,
        "version": VERSION_PREFIX,
        "separator": SEPARATOR,
        "remove": REMOVE,
        "person": list(PERSON_FIELDS),
        "rowIdPattern": ROW_ID_PATTERN,
        "rowIdAlphabet": ROW_ID_ALPHABET,
        "rowIdLength": ROW_ID_LENGTH,
    }
