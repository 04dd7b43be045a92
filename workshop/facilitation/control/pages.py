"""Drawing the control page and the projector view (whole, or the projector's live part)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template, url_for

from workshop import codes, live
from workshop.documents.qr import data_uri, qr_svg
from workshop.facilitation.control import queries
from workshop.facilitation.control.services import MINUTES, NOTICE_CHARS
from workshop.facilitation.plenary import queries as plenary
from workshop.i18n import current_lang, localized
from workshop.models import Seminar, utcnow

CONTROL_PAGE = "facilitation/control/page.html"
PROJECTOR_PAGE = "facilitation/control/projector.html"
PROJECTOR_LIVE = "facilitation/control/_projector_live.html"


def _countdown(seminar: Seminar) -> dict[str, Any]:
    ends = seminar.round_ends_at
    left = max(0, int((ends - utcnow()).total_seconds())) if ends else 0
    return {
        "ends_at": ends,
        "ends_label": queries.clock(ends),
        "seconds_left": left,
        "shown_left": f"{left // 3600}:{left // 60 % 60:02d}:{left % 60:02d}"
        if left >= 3600
        else f"{left // 60:02d}:{left % 60:02d}",
    }


def control(
    seminar: Seminar,
    *,
    problems: Mapping[str, str] | None = None,
    typed: Mapping[str, str] | None = None,
) -> str:
    """The control page; after a refusal, each message by its field and what was typed."""
    state = queries.room(seminar)
    return render_template(
        CONTROL_PAGE,
        seminar=seminar,
        room=state,
        round=state.stage(seminar.round_stage_key),
        countdown=_countdown(seminar),
        notice_at=queries.clock(seminar.notice_at),
        problems=problems or {},
        typed=typed or {},
        minutes_range=MINUTES,
        notice_chars=NOTICE_CHARS,
        lang=current_lang(),
    )


def join_url(seminar: Seminar) -> str:
    """The join page with the seminar's code filled in (auth.join reads ``?code=``)."""
    return url_for("auth.join", code=codes.grouped(seminar.join_code), _external=True)


def _projector_context(seminar: Seminar) -> dict[str, Any]:
    found = queries.tables(seminar.id)
    stages = {s.key: s for s in queries.room_stages(found)}
    url = join_url(seminar)
    title = localized(seminar, "title")
    return {
        "seminar": seminar,
        "title": title,
        "revision": seminar.revision,
        "join_url": url,
        "join_qr": data_uri(qr_svg(url, title)) if seminar.join_open else None,
        "round_stage": stages.get(seminar.round_stage_key or ""),
        "countdown": _countdown(seminar),
        "notice_at": queries.clock(seminar.notice_at),
        "lang": current_lang(),
        "poll_url": url_for("control.projector_live", seminar_id=seminar.id),
        "poll_every": live.poll_every(),
        "now": utcnow().replace(microsecond=0).isoformat(),
        **plenary.projector_context(seminar),  # the plenary's part of the projector
    }


def projector(seminar: Seminar, *, fragment: bool = False) -> str:
    """The projector view, or (``fragment``) only its live part for a poll."""
    return render_template(
        PROJECTOR_LIVE if fragment else PROJECTOR_PAGE, **_projector_context(seminar)
    )
