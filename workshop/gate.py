"""The one gate all input passes before any view sees it: text that cannot be stored or shown
is refused here, once, for every route."""

from __future__ import annotations

from flask import Flask, abort, request


def refuse_nul_bytes() -> None:
    """Refuse text with a NUL character: nobody types one, and PostgreSQL cannot store it."""
    fields = [*request.args.values(), *request.form.values()]
    if any("\x00" in value for value in fields):
        abort(400)
    if request.is_json and b"\\u0000" in request.get_data(cache=True):
        abort(400)


def init_app(app: Flask) -> None:
    # Runs before the endpoint access check, so even refused requests never reach a query.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_bytes)
