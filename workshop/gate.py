"""The one gate all input passes before any view sees it: text that cannot be stored or shown
is refused here, once, for every route.

Two kinds of text are refused wherever they arrive (query arguments, form fields and their
names, uploaded file names, path segments, every string and key of a JSON body): a NUL
character (nobody types one, and PostgreSQL cannot store it) and a lone surrogate (JSON's
``"\\ud800"``: Python keeps it, but it cannot be encoded as UTF-8, so every page showing it
would fail for every reader, for good). JSON bodies are also bounded in size and nesting before
they are parsed, so no view ever meets a body that exhausts the parser.

A page's script gets JSON it can show (``{"error": …}``, the autosave's shape); a form gets
the error page. Both in the person's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from flask import Flask, current_app, jsonify, render_template, request
from flask import Request as FlaskRequest
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

# No page sends JSON nested more than a few levels (a table: object → list → row → list).
MAX_JSON_DEPTH = 32
# Above any save a page sends (the autosave refuses more than 64 KB with its own message);
# this bounds what is parsed when no Content-Length says the size up front.
MAX_JSON_BYTES = 256 * 1024

View = TypeVar("View", bound=Callable[..., Any])

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# What matters for nesting: an escape (skipped whole, so ``\"`` never ends a string), a quote,
# a bracket. Everything else is skipped by the regex engine, so the scan stays linear.
_JSON_TOKEN = re.compile(rb'\\.|["\[\]{}]', re.DOTALL)


def takes_json(view: View) -> View:
    """Mark a view that reads a JSON body. Any other view refuses one before it runs: Flask-WTF
    would read a JSON body as the form's fields, and a list or a number there is a 500."""
    view.takes_json = True  # type: ignore[attr-defined]
    return view


def storable(text: str) -> bool:
    """Whether ``text`` can be kept and shown: no NUL, nothing that is not UTF-8."""
    return _UNSTORABLE.search(text) is None


def too_deep(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON ``data`` nests deeper than ``limit``, found without parsing it.

    The parser recurses once per level and fails with a RecursionError about a thousand
    levels down; counting brackets outside strings first is linear and cannot.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False  # not enough brackets to nest that deep, strings or not (the usual save)
    depth = 0
    in_string = False
    for token in _JSON_TOKEN.finditer(data):
        char = token.group()
        if char == b'"':
            in_string = not in_string
        elif in_string or len(char) > 1:
            continue
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def json_texts(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON value, keys included, walked without recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from item.keys()
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _refuse(status: int, title: str, message: str) -> tuple[Response | str, int]:
    if _wants_json():
        return jsonify(error=message), status
    return render_template("errors/error.html", title=title, message=message), status


def _unstorable() -> tuple[Response | str, int]:
    # 422 for a script: the autosave shows the message next to the question and drops the save
    # (a 400 would be taken for an expired token and retried).
    return _refuse(
        422 if _wants_json() else 400,
        _("Some text could not be read"),
        _(
            "It has a character that cannot be saved, often left by copying from another "
            "program. Retype the text and save again."
        ),
    )


def _check_json() -> tuple[Response | str, int] | None:
    """The body of a script's request; the answers are JSON, like the autosave's own."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and not getattr(view, "takes_json", False):
        return jsonify(error=_("This address takes a form, not JSON.")), 415
    # Set before the body stream is first touched: the stream takes its limit when made.
    request.max_content_length = min(MAX_JSON_BYTES, request.max_content_length or MAX_JSON_BYTES)
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:
        return jsonify(error=_("This is too long to save at once. Shorten it and save again.")), 413
    if too_deep(data):
        return jsonify(error=_("The save could not be read; reload the page.")), 400
    body = request.get_json(silent=True)  # cached: the view reads this same parse
    if may_hold_unstorable(data) and not all(storable(text) for text in json_texts(body)):
        return _unstorable()
    return None


def may_hold_unstorable(data: bytes) -> bool:
    """Whether a JSON body could parse to text that is not storable; False rules it out.

    Parsed, such text comes only from an escape (``\\u0000``, ``\\ud800``), a raw NUL, or
    the raw bytes of a surrogate, which Python's JSON parser lets through (it decodes with
    ``surrogatepass``): their UTF-8 form begins with 0xED. A body in UTF-16 or UTF-32 has NUL
    bytes. The usual save has none of these, and skips the walk through every string.
    """
    return b"\\u" in data or b"\x00" in data or b"\xed" in data


def _texts_outside_json(*, form: bool) -> Iterable[str]:
    found: list[object] = [
        *(text for pair in request.args.items(multi=True) for text in pair),
        *(request.view_args or {}).values(),
    ]
    if form:
        uploads = request.files.items(multi=True)
        found += [
            *(text for pair in request.form.items(multi=True) for text in pair),
            *(text for name, upload in uploads for text in (name, upload.filename)),
        ]
    # Multipart names the parser could not read come as None; ids come as numbers.
    return (text for text in found if isinstance(text, str))


def refuse_unstorable_input() -> tuple[Response | str, int] | None:
    """Refuse a request carrying text that cannot be stored, or JSON too big or deep to parse."""
    is_json = request.is_json
    if is_json:
        refused = _check_json()
        if refused is not None:
            return refused
    # A JSON body is the whole body: werkzeug reads form fields and files only from a form's
    # body, so an autosave has none to look at (and skips the form parser's setup).
    if not all(storable(text) for text in _texts_outside_json(form=not is_json)):
        return _unstorable()
    return None


class Request(FlaskRequest):
    """Flask's request, knowing that a JSON body carries no form fields."""

    @property
    def want_form_data_parsed(self) -> bool:
        # werkzeug builds a form parser for any body with a content type, only to find that a
        # JSON one has no fields; the CSRF check looks in the form first on every autosave.
        return not self.is_json and super().want_form_data_parsed


def init_app(app: Flask) -> None:
    app.request_class = Request
    # Runs before the endpoint access check, so even refused requests never reach a query.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unstorable_input)
