"""The programme overview across seminars (HTTP only): the programme lead's (admins') page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from workshop.i18n import current_lang
from workshop.numbers import whole_number
from workshop.overview.blocks import template_helpers
from workshop.overview.programme import picture, queries

bp = Blueprint("programme", __name__)


@bp.get("/programme")
def page() -> tuple[str, int]:
    seminars = queries.seminars()
    raw = request.args.get("seminar", "").strip()
    chosen, problem = None, None
    if raw:
        number = whole_number(raw, low=1)
        chosen = next((s for s in seminars if s.id == number), None)
        if chosen is None:
            # A seminar the page never offered (a typo in a shared link): said next to the
            # filter, and the whole programme shown instead.
            problem = _("There is no seminar “%(value)s”: showing every seminar.", value=raw[:40])
    shown = picture.build(chosen.id if chosen else None, current_lang())
    return render_template(
        "overview/programme.html",
        picture=shown,
        seminars=seminars,
        chosen=chosen,
        problem=problem,
        **template_helpers(),
    ), 422 if problem else 200
