"""The action plan as an Excel workbook: one row per activity, in stable columns.

People keep working on the plan in Excel (filtering by lead side, tracking status), and other
tools read the file, so the columns are fixed and documented (docs/documents.md): the plan's
own columns found by their roles in the method, then the activities table's other columns in
the method's order under their method keys. The "About" sheet names the partnership, the
version and every column's key, so a reader can map the columns without knowing the language.

The file is made from the snapshot alone, and the same snapshot and version give the same
bytes (documents.ooxml): a stored version re-made must match its printed checksum.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from workshop.documents import model
from workshop.documents.ooxml import stable_zip, utc_naive
from workshop.method.definition import Method, Question
from workshop.method.rows import SHARED, typed_label

# Date formats as Excel codes: what each language's readers write by hand.
DATE_FORMATS = {"uk": "dd.mm.yyyy", "en": "yyyy-mm-dd"}
SPARE_ROWS = 200  # rows below the plan that keep the drop-downs, for activities added in Excel
LISTS_SHEET = "lists"  # hidden: the drop-downs' options (a list in a formula cannot hold commas)
WIDEST = 60  # characters: a wider column pushes the rest off a laptop screen; text wraps
LANG_TAGS = {"uk": "uk-UA", "en": "en-GB"}

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="7F7F7F"))
_WRAP = Alignment(wrap_text=True, vertical="top")


def statuses() -> list[str]:
    """An activity's status as stage 5 will track it, in the current language."""
    return [_("Not started"), _("On track"), _("Delayed"), _("Done"), _("Dropped")]


@dataclass(frozen=True)
class Column:
    key: str  # stable across languages: the About sheet lists it beside the header
    header: str
    kind: str  # text · date · number
    value: Callable[[Mapping[str, Any]], Any]  # activity row → cell value


class _Plan:
    """The plan's tables in the snapshot, joined activity → objective → priority by refs."""

    def __init__(self, snapshot: Mapping[str, Any], method: Method, lang: str) -> None:
        self.method = method
        self.lang = lang
        self.answers: Mapping[str, Mapping[str, Any]] = snapshot.get("answers") or {}
        self.activities = method.by_role("activities")
        self.objectives = method.by_role("objectives")
        self.priorities = method.by_role("priorities")

    def rows(self, table: Question | None) -> list[dict[str, Any]]:
        stored = self.answers.get(table.key, {}).get(SHARED) if table else None
        return [r for r in stored if isinstance(r, dict)] if isinstance(stored, list) else []

    def linked(self, ref: Question | None, row: Mapping[str, Any]) -> dict[str, Any]:
        """The row of the linked table that ``ref`` names in ``row`` ({} when none or removed)."""
        if ref is None or not row.get(ref.key):
            return {}
        target = self.method.question(ref.link or "")
        return next((r for r in self.rows(target) if r.get("row") == row[ref.key]), {})

    def cell(self, column: Question | None, row: Mapping[str, Any]) -> Any:
        """A cell as the workbook holds it: a date, a number, or text in the file's language."""
        if column is None:
            return None
        value = row.get(column.key)
        if value is None or value == "" or value == []:
            return None
        if column.type == "date":
            try:
                return date.fromisoformat(value)
            except (TypeError, ValueError):
                return str(value)
        if column.type in ("single_choice", "multi_choice"):
            chosen = value if isinstance(value, list) else [value]
            return "; ".join(c.label(self.lang) for c in column.choices if c.id in chosen)
        if column.type == "ref":
            return self.ref_name(column, row)
        return value

    def ref_name(self, ref: Question, row: Mapping[str, Any]) -> str | None:
        target = self.method.question(ref.link or "")
        linked = self.linked(ref, row)
        if target is None or not linked:
            return None
        if target.rows:
            return next((c.label(self.lang) for c in target.rows if c.id == linked["row"]), None)
        shown = [str(linked[k]) for k in ref.show if linked.get(k) not in (None, "")]
        if shown:
            return " — ".join(shown)
        typed = typed_label(target, linked)
        return typed.uk if typed else None


def _namer(table: Question) -> Question | None:
    """The column whose text names an activity: its 'name' role, else its first text column."""
    return table.column_for("name") or next(
        (c for c in table.columns if c.type in ("text", "long_text")), None
    )


def lead_column(table: Question | None) -> Question | None:
    """The activities' lead side: the choice column whose options are the two sides (and
    joint). The method gives it no role, so it is recognised by its choices."""
    if table is None:
        return None
    return next(
        (
            c
            for c in table.columns
            if c.type == "single_choice" and {"ua", "partner"} <= {x.id for x in c.choices}
        ),
        None,
    )


def _kind(column: Question | None) -> str:
    if column is not None and column.type == "date":
        return "date"
    if column is not None and column.type in ("number", "score", "status"):
        return "number"
    return "text"


def columns(plan: _Plan) -> list[Column]:
    """The workbook's columns, in their documented order (docs/documents.md)."""
    lang = plan.lang
    activities, objectives, priorities = plan.activities, plan.objectives, plan.priorities

    def role(table: Question | None, name: str) -> Question | None:
        return table.column_for(name) if table else None

    def label(column: Question | None, fallback: str) -> str:
        return column.label(lang) if column else fallback

    to_objective = role(activities, "objective")
    to_priority = role(objectives, "priority")
    priority_name = role(priorities, "name")
    indicator, target = role(objectives, "indicator"), role(objectives, "target")
    target_on = role(objectives, "target_on")
    namer = _namer(activities) if activities else None
    lead = lead_column(activities)
    owner, starts, ends = (role(activities, r) for r in ("owner", "starts_on", "ends_on"))

    def objective_cell(column: Question | None) -> Callable[[Mapping[str, Any]], Any]:
        return lambda row: plan.cell(column, plan.linked(to_objective, row))

    def priority(row: Mapping[str, Any]) -> Any:
        return plan.cell(priority_name, plan.linked(to_priority, plan.linked(to_objective, row)))

    def own(column: Question | None) -> Callable[[Mapping[str, Any]], Any]:
        return lambda row: plan.cell(column, row)

    fixed = [
        Column("number", _("No."), "number", lambda row: None),  # numbered when written
        Column("priority", label(priority_name, _("Priority")), "text", priority),
        Column("objective", label(to_objective, _("Objective")), "text", own(to_objective)),
        Column("indicator", label(indicator, _("Indicator")), "text", objective_cell(indicator)),
        Column("target", label(target, _("Target")), _kind(target), objective_cell(target)),
        Column("target_on", label(target_on, _("Target date")), "date", objective_cell(target_on)),
        Column("activity", label(namer, _("Activity")), "text", own(namer)),
        Column("lead_side", label(lead, _("Lead side")), "text", own(lead)),
        Column("responsible", label(owner, _("Responsible person")), "text", own(owner)),
        Column("starts_on", label(starts, _("Start")), "date", own(starts)),
        Column("ends_on", label(ends, _("End")), "date", own(ends)),
        Column("status", _("Status"), "text", lambda row: statuses()[0]),
    ]
    used = {c.key for c in (to_objective, namer, lead, owner, starts, ends) if c is not None}
    taken = {c.key for c in fixed}
    rest = [c for c in (activities.columns if activities else ()) if c.key not in used]
    return fixed + [
        Column(f"activity_{c.key}" if c.key in taken else c.key, c.label(lang), _kind(c), own(c))
        for c in rest
    ]


def _text(cell: Cell, value: str) -> None:
    # Text as typed, never a formula: "=HYPERLINK(…)" in an activity stays text in Excel.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"


def _put(cell: Cell, value: Any, lang: str) -> None:
    if value is None:
        return
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMATS.get(lang, "yyyy-mm-dd")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        cell.value = value
    else:
        _text(cell, str(value))
        cell.alignment = _WRAP


def _width(column: Column, values: list[Any]) -> float:
    if column.kind == "date":
        return 12
    if column.key == "number":
        return 6
    longest = max(
        [len(column.header) // 2, *(len(str(v)) for v in values if v is not None)], default=0
    )
    return float(min(WIDEST, max(10, longest + 2)))


def _plan_sheet(sheet: Worksheet, plan: _Plan, cols: list[Column]) -> None:
    sheet.title = _("Action plan")[:31]
    for index, column in enumerate(cols, start=1):
        cell = sheet.cell(row=1, column=index)
        _text(cell, column.header)
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _HEADER_BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    activities = plan.rows(plan.activities)
    values = [[column.value(row) for column in cols] for row in activities]
    for number, row_values in enumerate(values, start=1):
        row_values[0] = number
        for index, value in enumerate(row_values, start=1):
            _put(sheet.cell(row=number + 1, column=index), value, plan.lang)
    for index, column in enumerate(cols, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _width(column, [v[index - 1] for v in values])
    last = get_column_letter(len(cols))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{len(values) + 1}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _drop_downs(book: Workbook, sheet: Worksheet, cols: list[Column], plan: _Plan) -> None:
    """Status and lead side as drop-downs, their options on a hidden sheet."""
    lead = lead_column(plan.activities)
    options = {
        "status": statuses(),
        "lead_side": [c.label(plan.lang) for c in lead.choices] if lead else [],
    }
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    last_row = max(sheet.max_row, 1) + SPARE_ROWS
    for number, (key, items) in enumerate(options.items(), start=1):
        if not items:
            continue
        letter = get_column_letter(number)
        for row, item in enumerate(items, start=1):
            _text(lists.cell(row=row, column=number), item)
        rule = DataValidation(
            type="list",
            formula1=f"{LISTS_SHEET}!${letter}$1:${letter}${len(items)}",
            allow_blank=True,
            showErrorMessage=True,
            error=_("Choose one of the options."),
        )
        where = get_column_letter(next(i for i, c in enumerate(cols, 1) if c.key == key))
        rule.add(f"{where}2:{where}{last_row}")
        sheet.add_data_validation(rule)


def _name(institution: Mapping[str, Any], lang: str) -> str:
    other = "en" if lang == "uk" else "uk"
    return str(institution.get(f"name_{lang}") or institution.get(f"name_{other}") or "")


def _about_sheet(
    book: Workbook, snapshot: Mapping[str, Any], meta: model.Meta, cols: list[Column], lang: str
) -> None:
    about = book.create_sheet(_("About this file")[:31])
    institutions = snapshot.get("institutions") or {}
    ua, partner = (_name(institutions.get(side) or {}, lang) for side in ("ua", "partner"))
    facts: list[tuple[str, Any]] = [
        (_("Partnership"), f"{ua} — {partner}"),
        (_("Ukrainian hospital"), ua),
        (_("Partner hospital"), partner),
        (_("Version"), meta.number),
        (_("Made"), utc_naive(meta.made_at)),
        (_("Content hash (SHA-256)"), meta.content_hash),
        (_("Method"), f"{meta.method_title} · {meta.method_version}".strip(" ·")),
        (_("Check a document"), meta.verify_url),
    ]
    if meta.draft:
        facts.append((_("draft"), _("Not every stage is approved yet.")))
    for number, (label, value) in enumerate(facts, start=1):
        _text(about.cell(row=number, column=1), label)
        about.cell(row=number, column=1).font = _HEADER_FONT
        cell = about.cell(row=number, column=2)
        if isinstance(value, str):
            _text(cell, value)
        else:
            cell.value = value
        if label == _("Made"):
            cell.number_format = 'yyyy-mm-dd hh:mm "UTC"'
        cell.alignment = Alignment(horizontal="left")
    start = len(facts) + 2
    for index, header in enumerate((_("Column"), _("Heading"), _("Key")), start=1):
        _text(about.cell(row=start, column=index), header)
        about.cell(row=start, column=index).font = _HEADER_FONT
    for number, column in enumerate(cols, start=start + 1):
        about.cell(row=number, column=1).value = get_column_letter(number - start)
        _text(about.cell(row=number, column=2), column.header)
        _text(about.cell(row=number, column=3), column.key)
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 70
    about.column_dimensions["C"].width = 24


def _properties(book: Workbook, snapshot: Mapping[str, Any], meta: model.Meta, lang: str) -> None:
    institutions = snapshot.get("institutions") or {}
    ua, partner = (_name(institutions.get(side) or {}, lang) for side in ("ua", "partner"))
    made = utc_naive(meta.made_at)
    props = book.properties
    props.title = f"{_('Action plan')} — {ua} — {partner}"
    props.subject = meta.method_title or None
    props.creator = "Twinning Workshop"
    props.lastModifiedBy = None
    props.language = LANG_TAGS.get(lang, lang)
    props.identifier = meta.content_hash
    props.version = str(meta.number)
    props.created = made
    props.modified = made


def _save(book: Workbook) -> bytes:
    # ExcelWriter rather than Workbook.save: save() stamps "modified" with the present time.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return buffer.getvalue()


def action_plan_xlsx(
    snapshot: Mapping[str, Any], method: Method, lang: str, meta: model.Meta
) -> bytes:
    """The action plan of ``snapshot`` as XLSX bytes in ``lang`` (uk · en)."""
    with force_locale(lang):
        plan = _Plan(snapshot, method, lang)
        cols = columns(plan)
        book = Workbook()
        sheet = book.active
        assert sheet is not None  # noqa: S101 - a new workbook has its one sheet
        _plan_sheet(sheet, plan, cols)
        _about_sheet(book, snapshot, meta, cols, lang)
        _drop_downs(book, sheet, cols, plan)
        _properties(book, snapshot, meta, lang)
    return stable_zip(_save(book), meta.made_at)
