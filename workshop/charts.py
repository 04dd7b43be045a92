"""Charts drawn on the server as SVG: both sides' ratings, weighted scores, a Gantt timeline.

Each function is a pure function of plain values (labels already in the reader's language) and
returns a ``model.Chart``: the SVG text, its alt text and a table of the same data, so a reader
who cannot see the picture (or prints it in black and white) loses nothing. The documents embed
the SVG as an ``<img>`` (that is what gives a tagged PDF its /Alt); web dashboards may inline it.

Drawing rules, the same for every chart: 1 unit is a quarter of a millimetre at the width the
caller names (so text keeps its size on A4 portrait and landscape); every piece of user text is
escaped here, since svg.py writes text as given; series differ by how their bars are drawn
(solid, light with a dark outline, dashed outline) and by label, never by colour alone, and
every outline and text colour passes 4.5:1 on white.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import svg
from babel import dates
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from workshop.documents import model

# Units per millimetre, and the widths of an A4 page's text block (15 mm margins).
UNITS_PER_MM = 4
PORTRAIT_WIDTH = 180 * UNITS_PER_MM
LANDSCAPE_WIDTH = 267 * UNITS_PER_MM

FONT = "DejaVu Sans"
FONT_SIZE = 11  # units: ≈ 7.8 pt at the natural width
CHAR_WIDTH = 0.62  # DejaVu Sans' average advance per font size, Cyrillic and Latin alike
INK = "#1a1a1a"
MUTED = "#555555"  # 7.5:1 on white
GRID = "#c8c8c8"
# How each series' bars are drawn: (fill, outline, dashes). Dark blue solid (8.6:1 on white),
# light with a dark orange outline (4.9:1), white with a dashed dark green outline (6.4:1): apart
# in greyscale. Not pattern fills: WeasyPrint takes as long over one patterned bar as over a
# line of text.
SERIES: tuple[tuple[str, str, str | None], ...] = (
    ("#1f4e79", "#1f4e79", None),
    ("#f8dcc2", "#a04800", None),
    ("#ffffff", "#2e6b30", "3 2"),
)
LOCALES = {"uk": "uk", "en": "en_GB"}


@dataclass(frozen=True)
class Group:
    """One row of a grouped bar chart: a label and one value (or None) per series."""

    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Task:
    """One activity on the timeline. ``start``/``end`` are None when missing or not a date;
    ``start_text``/``end_text`` are what the table shows either way."""

    group: str  # the objective, in full on its band in the chart
    label: str
    start: date | None
    end: date | None
    start_text: str = ""
    end_text: str = ""
    lead: str = ""  # the lead side's label, shown in the table
    series: int = 0  # which of SERIES draws the bar (the lead side)
    # How the table names the group ("Objective 2"): repeated in full on every activity's row,
    # the objective's text would fill the table.
    group_short: str = ""


# Characters XML does not allow at all: an SVG holding one would not be drawn. Answers are
# cleaned of them on entry; names imported from spreadsheets are not always.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(text: str) -> str:
    """User text for an SVG text node (svg.py writes it as given)."""
    return svg.escape(_NOT_XML.sub("", text))


def _fits(width: float, size: float = FONT_SIZE) -> int:
    """How many characters of text fit in ``width`` units."""
    return max(4, int(width / (size * CHAR_WIDTH)))


def wrap(text: str, limit: int, lines: int = 2) -> list[str]:
    """``text`` in at most ``lines`` lines of ``limit`` characters, the last cut with "…".

    Words longer than a line are cut too: a URL or a long token never runs out of the chart.
    """
    words = " ".join(text.split()).split(" ")
    out: list[str] = []
    current = ""
    for word in words:
        while len(word) > limit:
            if current:
                out.append(current)
                current = ""
            out.append(word[:limit])
            word = word[limit:]
        candidate = f"{current} {word}".strip()
        if len(candidate) <= limit:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    if len(out) > lines:
        last = out[lines - 1]
        out = [*out[: lines - 1], (last[: limit - 1].rstrip() + "…")]
    return out or [""]


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = FONT_SIZE,
    anchor: str = "start",
    bold: bool = False,
    fill: str = INK,
) -> svg.Text:
    return svg.Text(
        x=round(x, 1),
        y=round(y, 1),
        text=_escape(text),
        font_size=size,
        font_weight="bold" if bold else None,
        text_anchor=anchor,  # type: ignore[arg-type]
        fill=fill,
    )


def _look(series: int) -> dict[str, Any]:
    """The svg.Rect arguments that draw a bar of this series."""
    fill, outline, dashes = SERIES[series % len(SERIES)]
    look: dict[str, Any] = {"fill": fill, "stroke": outline, "stroke_width": 1.2}
    if dashes:
        look["stroke_dasharray"] = [float(d) for d in dashes.split()]
    return look


def _swatch(x: float, y: float, series: int, label: str) -> list[svg.Element]:
    return [
        svg.Rect(x=x, y=y, width=16, height=10, **_look(series)),
        _text(x + 21, y + 9, label),
    ]


def _legend(x: float, y: float, labels: Sequence[str], series: Sequence[int]) -> list[svg.Element]:
    """The series' swatches in a row, each as wide as its label needs."""
    out: list[svg.Element] = []
    for label, index in zip(labels, series, strict=True):
        out += _swatch(x, y, index, label)
        x += 21 + len(label) * FONT_SIZE * CHAR_WIDTH + 18
    return out


def _document(
    width: float,
    height: float,
    title: str,
    desc: str,
    body: list[svg.Element],
) -> str:
    """The SVG text: <title> and <desc> first (what a screen reader and the PDF's alt read)."""
    drawing = svg.SVG(
        viewBox=svg.ViewBoxSpec(0, 0, round(width), round(height)),
        width=f"{width / UNITS_PER_MM:.1f}mm",
        height=f"{height / UNITS_PER_MM:.1f}mm",
        elements=[
            svg.Title(text=_escape(title)),
            svg.Desc(text=_escape(desc)),
            svg.Rect(x=0, y=0, width=round(width), height=round(height), fill="#ffffff"),
            *body,
        ],
        # Constants only: svg.py writes extra attributes as given.
        extra={"role": "img", "font-family": FONT, "font-size": str(FONT_SIZE)},
    )
    return str(drawing)


def data_uri(chart: model.Chart) -> str:
    """The chart as a data: URL for an ``<img src>`` (base64: nothing in it needs escaping)."""
    return "data:image/svg+xml;base64," + base64.b64encode(chart.svg.encode()).decode("ascii")


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _grouped_bars(
    groups: Sequence[Group],
    series: Sequence[str],
    *,
    maximum: float,
    ticks: Sequence[float],
    title: str,
    desc: str,
    note: str,
    width: float,
    show_values: bool,
) -> str:
    """Horizontal bars, one group per row, one bar per series; the value written at each bar
    where it does not fall on a grid line (each written value costs as much as a label)."""
    label_width = width * 0.34
    left = label_width + 10
    right = width - 34
    bar, gap, group_gap = 10, 2, 9
    group_height = len(series) * bar + (len(series) - 1) * gap + group_gap
    top = 50
    limit = _fits(label_width)

    def x_of(value: float) -> float:
        return left + (right - left) * max(0.0, min(value, maximum)) / maximum

    body: list[svg.Element] = _legend(left, 6, series, range(len(series)))
    for tick in ticks:
        x = x_of(tick)
        body.append(
            svg.Line(
                x1=x,
                y1=top - 6,
                x2=x,
                y2=top + len(groups) * group_height - 4,
                stroke=GRID,
                stroke_width=0.8,
            )
        )
        body.append(_text(x, top - 10, _number(tick), anchor="middle", fill=MUTED))
    for row, group in enumerate(groups):
        y = top + row * group_height
        lines = wrap(group.label, limit)
        block = len(series) * bar + (len(series) - 1) * gap
        first = y + block / 2 - (len(lines) - 1) * FONT_SIZE * 0.6 + FONT_SIZE * 0.35
        for n, line in enumerate(lines):
            body.append(_text(label_width, first + n * FONT_SIZE * 1.2, line, anchor="end"))
        for index, value in enumerate(group.values):
            by = y + index * (bar + gap)
            if value is None:
                body.append(_text(left + 2, by + bar - 1.5, "—", fill=MUTED, size=FONT_SIZE - 1))
                continue
            body.append(
                svg.Rect(
                    x=left,
                    y=by,
                    width=round(max(x_of(value) - left, 1.5), 1),
                    height=bar,
                    **_look(index),
                )
            )
            if show_values:
                body.append(
                    _text(x_of(value) + 3, by + bar - 1.5, _number(value), size=FONT_SIZE - 1)
                )
    bottom = top + len(groups) * group_height + 6
    body.append(svg.Line(x1=left, y1=top - 6, x2=left, y2=bottom - 10, stroke=INK, stroke_width=1))
    for n, line in enumerate(wrap(note, _fits(width - left), 3)):
        body.append(_text(left, bottom + 8 + n * FONT_SIZE * 1.2, line, fill=MUTED))
    return _document(width, bottom + 8 + 3 * FONT_SIZE * 1.2, title, desc, body)


def ratings_by_area(
    areas: Sequence[Group],
    *,
    sides: tuple[str, str],
    scale: Sequence[str],
    lang: str,
    width: float = PORTRAIT_WIDTH,
) -> model.Chart:
    """Both sides' 0–3 status per assessment area, as grouped bars with a legend."""
    with force_locale(lang):
        title = _("How each side rates itself, per assessment area")
        rated = [a for a in areas if any(v is not None for v in a.values)]
        low = [
            ngettext(
                "%(side)s: %(num)d area rated 0 or 1",
                "%(side)s: %(num)d areas rated 0 or 1",
                sum(1 for a in areas if a.values[i] is not None and (a.values[i] or 0) <= 1),
                side=side,
            )
            for i, side in enumerate(sides)
        ]
        desc = " ".join(
            [
                ngettext(
                    "Horizontal bars, 0 to 3, for %(num)d area;",
                    "Horizontal bars, 0 to 3, for %(num)d areas;",
                    len(areas),
                ),
                ngettext("%(num)d has a rating.", "%(num)d have a rating.", len(rated)),
                "; ".join(low) + ".",
            ]
        )
        note = _("Scale: %(scale)s.", scale=", ".join(scale))
        text = _grouped_bars(
            areas,
            sides,
            maximum=3,
            ticks=[0, 1, 2, 3],
            title=title,
            desc=desc,
            note=note,
            width=width,
            show_values=False,
        )
        table = model.Table(
            caption=title,
            headers=(_("Assessment area"), *sides),
            rows=tuple(
                (a.label, *(scale[int(v)] if v is not None else _("not rated") for v in a.values))
                for a in areas
            ),
        )
        alt = f"{title}. {desc} " + _("The table below gives the same data.")
    return model.Chart(svg=text, alt=alt, table=table)


def weighted_scores(
    candidates: Sequence[Group],
    *,
    sides: tuple[str, str],
    maximum: int,
    lang: str,
    width: float = PORTRAIT_WIDTH,
) -> model.Chart:
    """Each candidate priority's weighted total as each side scored it, out of ``maximum``."""
    with force_locale(lang):
        title = _("Weighted scores of the candidate priorities, per side")
        best = max(candidates, key=lambda c: sum(v or 0 for v in c.values), default=None)
        desc = " ".join(
            [
                ngettext(
                    "Horizontal bars for %(num)d candidate,",
                    "Horizontal bars for %(num)d candidates,",
                    len(candidates),
                ),
                ngettext("out of %(num)d point.", "out of %(num)d points.", maximum),
            ]
        )
        if best is not None:
            desc += " " + _("Highest combined: %(name)s.", name=best.label)
        step = _tick_step(maximum)
        ticks = [float(t) for t in range(0, maximum + 1, step)]
        note = _(
            "Each criterion scored 1–5 and multiplied by its weight; maximum %(max)d.", max=maximum
        )
        text = _grouped_bars(
            candidates,
            sides,
            maximum=maximum,
            ticks=ticks,
            title=title,
            desc=desc,
            note=note,
            width=width,
            show_values=True,
        )
        table = model.Table(
            caption=title,
            headers=(_("Candidate"), *sides, _("Combined")),
            rows=tuple(
                (c.label, *(_number(v) for v in c.values), _number(sum(v or 0 for v in c.values)))
                for c in candidates
            ),
            numeric=(1, 2, 3),
        )
        alt = f"{title}. {desc} " + _("The table below gives the same data.")
    return model.Chart(svg=text, alt=alt, table=table)


def counts(
    items: Sequence[tuple[str, int]],
    *,
    title: str,
    label_header: str,
    count_header: str,
    lang: str,
    desc: str = "",
    width: float = PORTRAIT_WIDTH,
) -> model.Chart:
    """One count per row as horizontal bars, in the order given (dot votes per candidate,
    partnerships per stage or priority area), each count written at its bar, and the same data
    as a table. ``count_header`` names the axis and the table's column."""
    with force_locale(lang):
        maximum = max((n for _label, n in items), default=0)
        if not desc:
            desc = ngettext(
                "Horizontal bars for %(num)d row.", "Horizontal bars for %(num)d rows.", len(items)
            )
            if maximum:
                top = next(label for label, n in items if n == maximum)
                desc += " " + _("Highest: %(name)s, %(count)d.", name=top, count=maximum)
        body, height = _count_bars(items, count_header, max(maximum, 1), width)
        text = _document(width, height, title, desc, body)
        table = model.Table(
            caption=title,
            headers=(label_header, count_header),
            rows=tuple((label, str(n)) for label, n in items),
            numeric=(1,),
        )
        alt = f"{title}. {desc} " + _("The table below gives the same data.")
    return model.Chart(svg=text, alt=alt, table=table)


def _count_bars(
    items: Sequence[tuple[str, int]], axis: str, maximum: int, width: float
) -> tuple[list[svg.Element], float]:
    """One bar per row, as tall as its label's lines need: a label of two lines never runs
    into the next row's."""
    label_width = width * 0.4
    left, right = label_width + 10, width - 34
    top, bar, line = 34, 10, FONT_SIZE * 1.2
    limit = _fits(label_width)

    def x_of(value: float) -> float:
        return left + (right - left) * value / maximum

    body: list[svg.Element] = [_text(left, 12, axis, fill=MUTED)]
    rows: list[svg.Element] = []
    y = top
    for label, n in items:
        lines = wrap(label, limit)
        height = max(bar + 8, len(lines) * line + 6)
        middle = y + height / 2
        first = middle - (len(lines) - 1) * line / 2 + FONT_SIZE * 0.35
        for k, text in enumerate(lines):
            rows.append(_text(label_width, first + k * line, text, anchor="end"))
        rows.append(
            svg.Rect(
                x=left,
                y=round(middle - bar / 2, 1),
                width=round(max(x_of(n) - left, 1.5), 1),
                height=bar,
                **_look(0),
            )
        )
        rows.append(_text(x_of(n) + 3, middle + FONT_SIZE * 0.35, str(n), size=FONT_SIZE - 1))
        y += height
    for tick in range(0, maximum + 1, _tick_step(maximum)):
        x = x_of(tick)
        body.append(svg.Line(x1=x, y1=top - 4, x2=x, y2=y, stroke=GRID, stroke_width=0.8))
        body.append(_text(x, top - 8, str(tick), anchor="middle", fill=MUTED))
    body += rows
    body.append(svg.Line(x1=left, y1=top - 4, x2=left, y2=y, stroke=INK, stroke_width=1))
    return body, y + 8


def _tick_step(maximum: int) -> int:
    # At most about five labelled ticks: each label costs as much to draw as a line of text.
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if maximum / step <= 5:
            return step
    return max(1, maximum // 10)


# --- Gantt -------------------------------------------------------------------------------------


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _days_in_month(index: int) -> int:
    following = _month_start(index + 1)
    return (following - _month_start(index)).days


def _position(day: date, first: int, month_width: float) -> float:
    """Where a day falls: months are equal widths, a day its share of its month."""
    index = _month_index(day)
    return (index - first + (day.day - 1) / _days_in_month(index)) * month_width


def span_of(tasks: Sequence[Task], start: date | None, end: date | None) -> tuple[date, date]:
    """The months the timeline shows: the plan's own span when known, else the tasks' dates."""
    days = [d for t in tasks for d in (t.start, t.end) if d is not None]
    first = start or (min(days) if days else date(2000, 1, 1))
    last = end or (max(days) if days else first)
    if last < first:
        last = first
    return first, last


def gantt(
    tasks: Sequence[Task],
    *,
    start: date | None,
    end: date | None,
    lang: str,
    width: float = PORTRAIT_WIDTH,
    leads: Sequence[tuple[str, int]] = (),
    caption: str = "",
) -> model.Chart:
    """Activities as bars over the plan's months, grouped by objective.

    Bars are clipped to the span (an arrow marks a clipped end); an activity without valid
    dates has no bar and says so in the table, which always holds every activity with its
    dates as given. ``leads`` is the legend: each lead side's label and series.
    """
    with force_locale(lang):
        first_day, last_day = span_of(tasks, start, end)
        title = caption or _("Timeline of the activities")
        drawn = [t for t in tasks if t.start and t.end and t.start <= t.end]
        desc = ngettext(
            "Gantt chart from %(start)s to %(end)s: %(num)d activity, %(drawn)d with dates.",
            "Gantt chart from %(start)s to %(end)s: %(num)d activities, %(drawn)d with dates.",
            len(tasks),
            start=_month_year(first_day, lang),
            end=_month_year(last_day, lang),
            drawn=len(drawn),
        )
        body, height = _gantt_body(tasks, first_day, last_day, lang, width, leads)
        text = _document(width, height, title, desc, body)
        notes = [_task_note(t, first_day, last_day) for t in tasks]
        headers: tuple[str, ...] = (
            _("Objective"),
            _("Activity"),
            _("Lead side"),
            _("Start"),
            _("End"),
        )
        rows = [
            (t.group_short or t.group, t.label, t.lead, t.start_text, t.end_text) for t in tasks
        ]
        if any(notes):  # a column of blanks would only take width from the others
            headers += (_("Note"),)
            rows = [(*row, note) for row, note in zip(rows, notes, strict=True)]
        table = model.Table(caption=title, headers=headers, rows=tuple(rows))
        alt = f"{title}. {desc} " + _("The table below gives the same data.")
    return model.Chart(svg=text, alt=alt, table=table)


def _task_note(task: Task, first: date, last: date) -> str:
    if task.start is None or task.end is None:
        return _("No valid start and end date: not in the chart.")
    if task.end < task.start:
        return _("Ends before it starts: not in the chart.")
    if task.start < first or task.end > last:
        return _("Runs outside the plan's span: cut at its edge.")
    return ""


def _month_year(day: date, lang: str) -> str:
    # Inside a sentence ("from … to …"): the month's format form, which Ukrainian declines
    # ("з січня 2024"); LLLL is the stand-alone form a heading would use ("січень 2024").
    return dates.format_date(day, "MMMM y", locale=_locale(lang))


def _gantt_body(
    tasks: Sequence[Task],
    first_day: date,
    last_day: date,
    lang: str,
    width: float,
    leads: Sequence[tuple[str, int]],
) -> tuple[list[svg.Element], float]:
    label_width = width * 0.36
    left, right = label_width + 8, width - 8
    first, last = _month_index(first_day), _month_index(last_day)
    months = last - first + 1
    month_width = (right - left) / months
    line, group_row = FONT_SIZE * 1.15, 18
    top = 52  # below the legend and the two rows of year and month ticks
    body: list[svg.Element] = (
        _legend(left, 4, [label for label, _n in leads], [n for _label, n in leads])
        if leads
        else []
    )
    # Rows first (their count fixes the grid's height), then the grid behind them.
    bands: list[svg.Element] = []
    rows: list[svg.Element] = []
    y = top + 2
    current_group: str | None = None
    limit = _fits(label_width - 14)
    for task in tasks:
        if task.group != current_group:
            current_group = task.group
            # The objective across the whole width, on a band so the grid does not cross it.
            bands.append(
                svg.Rect(x=0, y=y + 2, width=round(width), height=group_row - 2, fill="#e9eef4")
            )
            rows.append(_text(4, y + 14, wrap(task.group, _fits(width - 8), 1)[0], bold=True))
            y += group_row
        lines = wrap(task.label, limit, 2)
        height = max(16.0, len(lines) * line + 5)
        for n, text in enumerate(lines):
            rows.append(_text(12, y + 11.5 + n * line, text))
        rows += _bar(task, y, left, right, first, month_width, first_day, last_day)
        y += height
    bottom = y + 4
    body += bands
    body += _ticks(first, months, left, right, month_width, top, bottom, lang)
    body += rows
    body.append(svg.Line(x1=left, y1=top, x2=right, y2=top, stroke=INK, stroke_width=1))
    return body, bottom + 4


def _ticks(
    first: int,
    months: int,
    left: float,
    right: float,
    month_width: float,
    top: float,
    bottom: float,
    lang: str,
) -> list[svg.Element]:
    """Month lines and labels (every month, quarter or year as room allows) and year labels,
    each label only where it fits before the right edge."""
    names = dates.get_month_names("abbreviated", context="stand-alone", locale=_locale(lang))
    every = 1 if month_width >= 26 else 3 if month_width * 3 >= 26 else 12
    out: list[svg.Element] = []
    small = FONT_SIZE - 2
    for n in range(months + 1):
        index = first + n
        x = left + n * month_width
        january = index % 12 == 0
        if january or n in (0, months) or index % every == 0:
            out.append(
                svg.Line(
                    x1=x,
                    y1=top - (16 if january or n == 0 else 6),
                    x2=x,
                    y2=bottom,
                    stroke=MUTED if january else GRID,
                    stroke_width=1 if january else 0.6,
                )
            )
        if n == months:
            continue
        name = str(names[index % 12 + 1]).rstrip(".")
        centre = x + month_width * every / 2
        if every < 12 and index % every == 0 and centre + len(name) * small * 0.32 <= right:
            out.append(_text(centre, top - 5, name, anchor="middle", size=small, fill=MUTED))
        year = str(index // 12)
        if (january or n == 0) and x + 3 + len(year) * FONT_SIZE * CHAR_WIDTH <= right + 6:
            out.append(_text(x + 3, top - 20, year, bold=True, size=FONT_SIZE - 1))
    return out


def _locale(lang: str) -> str:
    return LOCALES.get(lang, "uk")


def _bar(
    task: Task,
    y: float,
    left: float,
    right: float,
    first: int,
    month_width: float,
    first_day: date,
    last_day: date,
) -> list[svg.Element]:
    if task.start is None or task.end is None or task.end < task.start:
        return [_text(left + 2, y + 11.5, "—", fill=MUTED)]
    if task.end < first_day or task.start > last_day:
        edge = left + 2 if task.end < first_day else right - 10
        return [_text(edge, y + 11.5, "◀" if task.end < first_day else "▶", fill=MUTED)]
    start = max(task.start, first_day)
    end = min(task.end, last_day)
    x1 = left + _position(start, first, month_width)
    # A bar reaches to the end of its last day, and a one-day activity stays visible.
    x2 = left + _position(end, first, month_width) + month_width / _days_in_month(_month_index(end))
    x2 = min(max(x2, x1 + 3), right)
    out: list[svg.Element] = [
        svg.Rect(x=round(x1, 1), y=y + 3, width=round(x2 - x1, 1), height=10, **_look(task.series))
    ]
    if task.start < first_day:
        out.append(svg.Polygon(points=[x1, y + 3, x1 - 5, y + 8, x1, y + 13], fill=INK))
    if task.end > last_day:
        out.append(svg.Polygon(points=[x2, y + 3, x2 + 5, y + 8, x2, y + 13], fill=INK))
    return out
