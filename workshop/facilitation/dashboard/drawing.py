"""Drawing the dashboard: the whole page, or only its live part for a poll."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from babel import dates
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone

from workshop import geo, live
from workshop.facilitation.dashboard import board, filters
from workshop.facilitation.dashboard.board import Status
from workshop.facilitation.dashboard.forms import StuckMinutesForm
from workshop.facilitation.dashboard.stamp import stamp
from workshop.facilitation.plenary import labels
from workshop.i18n import current_lang
from workshop.models import Seminar, utcnow

PAGE = "facilitation/dashboard/page.html"
LIVE = "facilitation/dashboard/_live.html"
_LOCALES = {"uk": "uk", "en": "en_GB"}


def status_labels() -> dict[Status, str]:
    return {
        Status.NOT_STARTED: _("not started"),
        Status.IN_PROGRESS: _("in progress"),
        Status.SUBMITTED: _("submitted"),
        Status.CHANGES_REQUESTED: _("changes requested"),
        Status.APPROVED: _("approved"),
        Status.REOPENED: _("reopened"),
    }


def _words() -> dict[str, str]:
    """What every row says, translated once per page (formatted in the template)."""
    return {
        "ua": _("UA %(done)d/%(all)d"),
        "partner": _("Partner %(done)d/%(all)d"),
        "required": _("%(done)d/%(all)d required"),
        "since": _("since %(time)s"),
        "nothing": _("nothing yet"),
        "answered": _("Answered"),
        "present": _("At the table now:"),
        "stage": _("stage %(n)s"),
    }


def _clock(now: datetime, lang: str) -> Callable[[datetime | None], str]:
    """A moment, short: "14:05" today (Kyiv time), with the day before that."""
    today = to_user_timezone(now).date()
    locale = _LOCALES.get(lang, "uk")

    def clock(moment: datetime | None) -> str:
        if moment is None:
            return ""
        local = to_user_timezone(moment)
        if local.date() == today:
            return local.strftime("%H:%M")
        return dates.format_datetime(local, format="short", locale=locale)

    return clock


class _Links:
    """Links to one page per table, made from one URL with a placeholder: a page of a hundred
    tables would spend more time building 500 links one by one than on all of its queries."""

    ID, KEY = "987654321", "STAGEKEY"

    def __init__(self, endpoint: str, **values: str) -> None:
        self._pattern = url_for(endpoint, partnership_id=int(self.ID), **values)

    def __call__(self, partnership_id: int, stage_key: str = "", anchor: str = "") -> str:
        url = self._pattern.replace(self.ID, str(partnership_id)).replace(self.KEY, stage_key)
        return f"{url}#{anchor}" if anchor else url


def render(
    seminar: Seminar,
    *,
    fragment: bool = False,
    stuck_form: StuckMinutesForm | None = None,
) -> tuple[str, str]:
    """The page (or its live part) for the filters in the query string, and its stamp."""
    lang = current_lang()
    now = utcnow()
    drawn = board.build(seminar)
    choice = filters.read(request.args, drawn.columns)
    shown = filters.show(drawn, choice, lang)
    context = {
        "seminar": seminar,
        "seminar_now": now,
        "board": drawn,
        "columns": [c for c in drawn.columns if choice.stage in (None, c.key)],
        "stage_numbers": {c.key: c.number for c in drawn.columns},
        "shown": shown,
        "choice": choice,
        "status_labels": status_labels(),
        "words": _words(),
        "label": lambda row: filters.label(row, lang),
        "proposer": _proposer(drawn, lang),
        "kind_short": labels.kind_short,
        "region_name": lambda code: geo.region_name(code, lang),
        "clock": _clock(now, lang),
        "stage_url": _Links("stage.page", stage_key=_Links.KEY),
        "table_url": _Links("partnerships.detail"),
        "changes_url": url_for("dashboard.changes", seminar_id=seminar.id, **choice.args()),
        "here_url": url_for("dashboard.page", seminar_id=seminar.id, **choice.args()),
        "help_url": url_for("dashboard.answer_help", seminar_id=seminar.id, **choice.args()),
        "stamp": stamp(seminar.revision, now),
        "poll_every": live.poll_every(),
    }
    if fragment:
        return render_template(LIVE, **context), context["stamp"]
    form = stuck_form or StuckMinutesForm(data={"stuck_minutes": str(seminar.stuck_minutes)})
    page = render_template(
        PAGE,
        stuck_form=form,
        oblasts=_with_chosen(filters.oblast_options(drawn, lang), choice.oblast, lang),
        countries=_with_chosen(filters.country_options(drawn, lang), choice.country, lang),
        sorts=filters.SORTS,
        statuses=list(Status),
        **context,
    )
    return page, context["stamp"]


def _proposer(drawn: board.Board, lang: str) -> Callable[[int | None], str]:
    """The table that made a proposal, named as its row is (only the few shown are asked)."""
    rows = {row.table.id: row for row in drawn.rows}
    return lambda partnership_id: (
        filters.label(rows[partnership_id], lang) if partnership_id in rows else ""
    )


def _with_chosen(
    options: list[tuple[str, str]], chosen: str | None, lang: str
) -> list[tuple[str, str]]:
    """The options, with the chosen oblast or country among them even when no table has it."""
    if chosen and all(code != chosen for code, _label in options):
        name = geo.region_name if chosen in geo.UA_REGIONS else geo.country_name
        return [(chosen, name(chosen, lang)), *options]
    return options
