"""What changed between two versions' snapshots, worked out once when a version is made.

Changes are stored as plain keys (question, side, row counts), not sentences: the page names
them in the reader's language with the method's labels (``describe``), so a version made in a
Ukrainian session reads in English for the partner head.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from workshop.documents.snapshot import Snapshot
from workshop.method.definition import Method

Change = dict[str, Any]
_INSTITUTION_FIELDS = ("name_uk", "name_en", "country", "region", "city_uk", "city_en", "profile")


def _rows_by_id(value: Any) -> dict[str, Any] | None:
    """A table's rows by their ids, or None when the value is not a table with row ids."""
    if not isinstance(value, list) or not all(isinstance(r, dict) and "row" in r for r in value):
        return None
    return {str(r["row"]): r for r in value}


def _answer_change(key: str, side: str, old: Any, new: Any) -> Change | None:
    if old == new:
        return None
    change: Change = {"kind": "answer", "question": key, "side": side}
    if old is None:
        change["change"] = "added"
    elif new is None:
        change["change"] = "removed"
    else:
        change["change"] = "changed"
        before, after = _rows_by_id(old), _rows_by_id(new)
        if before is not None and after is not None:
            change["rows"] = {
                "added": len(after.keys() - before.keys()),
                "removed": len(before.keys() - after.keys()),
                "changed": sum(1 for k in before.keys() & after.keys() if before[k] != after[k]),
            }
    return change


def _institution_changes(old: Snapshot, new: Snapshot) -> list[Change]:
    return [
        {"kind": "institution", "side": side, "field": field}
        for side in ("ua", "partner")
        for field in _INSTITUTION_FIELDS
        if old["institutions"][side].get(field) != new["institutions"][side].get(field)
    ]


def changes(old: Snapshot, new: Snapshot) -> list[Change]:
    """Answers added, changed or removed (with rows for tables), institution details and stage
    states that differ, in a stable order."""
    found = _institution_changes(old, new)
    if old["partnership"] != new["partnership"]:
        found.append({"kind": "partnership"})
    old_answers, new_answers = old["answers"], new["answers"]
    for key in sorted(old_answers.keys() | new_answers.keys()):
        sides = old_answers.get(key, {}).keys() | new_answers.get(key, {}).keys()
        for side in sorted(sides):
            change = _answer_change(
                key, side, old_answers.get(key, {}).get(side), new_answers.get(key, {}).get(side)
            )
            if change:
                found.append(change)
    for stage, status in new["stages"].items():
        if old["stages"].get(stage) != status:
            found.append(
                {"kind": "stage", "stage": stage, "from": old["stages"].get(stage), "to": status}
            )
    if old.get("votes") != new.get("votes"):
        found.append({"kind": "votes"})
    return found


@dataclass(frozen=True)
class Described:
    where: str  # "Stage 1 · Shared vision and objectives"
    what: str  # "Shared vision (in English): changed"


def _side(side: str) -> str:
    return {"ua": _("Ukrainian side"), "partner": _("Partner side")}.get(side, "")


def _field_label(field: str) -> str:
    return {
        "name_uk": _("name in Ukrainian"),
        "name_en": _("name in English"),
        "country": _("country"),
        "region": _("region"),
        "city_uk": _("city in Ukrainian"),
        "city_en": _("city in English"),
        "profile": _("profile"),
    }.get(field, field)


def _verb(change: str) -> str:
    return {"added": _("added"), "changed": _("changed"), "removed": _("removed")}[change]


def describe(found: Iterable[Change], method: Method, lang: str) -> list[Described]:
    """The changes as the reader's words, with the method's stage, section and question names."""
    out: list[Described] = []
    for change in found:
        kind = change.get("kind")
        if kind == "answer":
            question = method.question(change["question"])
            place = method.section_of(change["question"])
            if question is None or place is None:
                where, label = _("Answers no longer in the method"), change["question"]
            else:
                stage, section = place
                where = _("Stage %(n)s · %(section)s", n=stage.number, section=section.title(lang))
                label = question.label(lang)
            if change.get("side"):
                label = f"{label} ({_side(change['side'])})"
            what = _verb(change["change"])
            rows = change.get("rows")
            if rows:
                parts = [
                    ngettext("%(num)s row added", "%(num)s rows added", rows["added"])
                    if rows["added"]
                    else "",
                    ngettext("%(num)s row changed", "%(num)s rows changed", rows["changed"])
                    if rows["changed"]
                    else "",
                    ngettext("%(num)s row removed", "%(num)s rows removed", rows["removed"])
                    if rows["removed"]
                    else "",
                ]
                what = ", ".join(p for p in parts if p) or what
            out.append(Described(where, f"{label}: {what}"))
        elif kind == "institution":
            field = _field_label(change["field"])
            out.append(Described(_("Institutions"), f"{_side(change['side'])}: {field}"))
        elif kind == "partnership":
            out.append(Described(_("Partnership"), _("memorandum date or focus areas changed")))
        elif kind == "stage":
            stage = method.stage(change["stage"])
            name = stage.title(lang) if stage else change["stage"]
            out.append(Described(_("Review"), _("%(stage)s: review state changed", stage=name)))
        elif kind == "votes":
            out.append(Described(_("Review"), _("dot-vote results changed")))
    return out
