"""Where every table row came from and what it led to: need → gap → priority → objective →
activity.

The links are the method's own: a column that names a row of an earlier table (``link:``). So
the lineage is read off the stored answers, with nothing kept beside them that could drift.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from workshop.method.definition import Choice, Method, Question, Stage
from workshop.method.rows import table_rows

LABEL_LENGTH = 90
NameKey = tuple[str, str]  # (table question key, row id)


@dataclass(frozen=True)
class Item:
    table: Question
    row: str
    label: str
    sides: tuple[str, ...]  # where each hospital answers its own table, whose rows these are
    statuses: tuple[tuple[str, int], ...] = ()  # each side's 0–3 rating, where the row has one

    @property
    def anchor(self) -> str:
        return f"trace-{self.table.key}-{self.row}"


@dataclass
class Lineage:
    items: dict[NameKey, Item] = field(default_factory=dict)
    parents: dict[NameKey, list[NameKey]] = field(default_factory=dict)
    children: dict[NameKey, list[NameKey]] = field(default_factory=dict)
    # A link to a row that was removed since: kept visible, never silently dropped.
    dangling: set[NameKey] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)  # the tables that take part
    targets: set[str] = field(default_factory=set)  # the tables later rows point at

    def tracks(self, table: str) -> bool:
        """Whether rows of ``table`` can lead somewhere (and so show what they led to)."""
        return table in self.targets

    def tracks_any(self, stage: Stage) -> bool:
        return any(q.key in self.keys for q in stage.questions())

    def label(self, table: str, row: Any) -> str | None:
        item = self.items.get((table, str(row)))
        return item.label if item else None

    def options(self, table: str) -> list[Item]:
        """The rows a reference to ``table`` can name, in the table's order."""
        return [item for (key, _row), item in self.items.items() if key == table]

    def came_from(self, table: str, row: str) -> list[Item]:
        return [self.items[k] for k in self.parents.get((table, row), [])]

    def led_to(self, table: str, row: str) -> list[Item]:
        return [self.items[k] for k in self.children.get((table, row), [])]

    def lost_parent(self, table: str, row: str) -> bool:
        return (table, row) in self.dangling

    def roots(self) -> list[Item]:
        """First-step rows that led somewhere: the start of each chain."""
        return [
            item
            for key, item in self.items.items()
            if not _links(item.table) and self.children.get(key)
        ]

    def unlinked(self) -> list[Item]:
        """Rows that should say where they came from but do not (or lost their source)."""
        return [
            item
            for key, item in self.items.items()
            if _links(item.table) and not self.parents.get(key)
        ]


def _links(table: Question) -> list[Question]:
    return [c for c in table.columns if c.link]


def tables(method: Method) -> list[Question]:
    """The tables that take part in lineage, in the method's order."""
    targets = {c.link for q in _all_tables(method) for c in _links(q)}
    return [q for q in _all_tables(method) if _links(q) or q.key in targets]


def keys(method: Method) -> list[str]:
    """The answers the lineage reads: its tables, and the tables that add rows to them."""
    found = [t.key for t in tables(method)]
    return found + [t.more_rows for t in tables(method) if t.more_rows and t.more_rows not in found]


def _all_tables(method: Method) -> Iterable[Question]:
    return (q for s in method.stages for q in s.questions() if q.type == "table")


def _cell_text(column: Question, value: Any, lang: str, items: dict[str, list[Choice]]) -> str:
    if column.type == "single_choice":
        choice = column.choice(str(value))
        return choice.label(lang) if choice else str(value)
    if column.type == "ref" and column.link in items:
        # A reference to a fixed list's row (a gap's area) reads as the row's name.
        named = next((r for r in items[column.link] if r.id == str(value)), None)
        return named.label(lang) if named else str(value)
    return " ".join(str(value).split())


def _namers(method: Method, table: Question) -> list[Question]:
    """The columns that name a row: what references to this table show, else its first text."""
    shown = next(
        (c.show for q in _all_tables(method) for c in q.columns if c.link == table.key and c.show),
        (),
    )
    if shown:
        return [c for c in table.columns if c.key in shown]
    return [c for c in table.columns if c.type in {"text", "long_text"}][:1]


def _label(
    method: Method,
    table: Question,
    row: dict[str, Any],
    lang: str,
    items: dict[str, list[Choice]],
) -> str:
    fixed = next((r.label(lang) for r in items.get(table.key, []) if r.id == row.get("row")), None)
    if fixed is not None:
        return fixed
    parts = [
        _cell_text(c, row[c.key], lang, items) for c in _namers(method, table) if row.get(c.key)
    ]
    text = " — ".join(parts) or "…"
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1].rstrip() + "…"


def build(method: Method, values: dict[tuple[str, str], Any], lang: str) -> Lineage:
    """The lineage of every linked row, from stored values keyed by (question key, side)."""
    chained = tables(method)
    # A fixed list's items, with the rows a pair added to it, name their rows.
    items = {t.key: table_rows(method, t, values) for t in chained if t.rows}
    lineage = Lineage(
        keys={t.key for t in chained},
        targets={str(c.link) for t in chained for c in _links(t)},
    )
    for table in chained:
        for side, row in _rows(values, table):
            name = (table.key, str(row["row"]))
            known = lineage.items.get(name)
            rated = [
                (side, row[c.key]) for c in table.columns if c.type == "status" and c.key in row
            ]
            lineage.items[name] = Item(
                table,
                name[1],
                _label(method, table, row, lang, items),
                (*known.sides, side) if known else (side,),
                (*known.statuses, *rated[:1]) if known else tuple(rated[:1]),
            )
    by_key = {t.key: t for t in chained}
    for table in chained:
        for _side, row in _rows(values, table):
            _link_row(lineage, table, row, by_key, items, lang)
    return lineage


def _rows(values: dict[tuple[str, str], Any], table: Question) -> Iterable[tuple[str, dict]]:
    """Each stored row of ``table`` that has an id, with the side whose answer holds it."""
    for (key, side), rows in values.items():
        if key == table.key and isinstance(rows, list):
            yield from ((side, r) for r in rows if isinstance(r, dict) and r.get("row"))


def _link_row(
    lineage: Lineage,
    table: Question,
    row: dict,
    by_key: dict[str, Question],
    items: dict[str, list[Choice]],
    lang: str,
) -> None:
    name = (table.key, str(row["row"]))
    for column in _links(table):
        target = row.get(column.key)
        if not target:
            continue
        parent = (str(column.link), str(target))
        source = by_key[str(column.link)]
        fixed = next((r for r in items.get(source.key, []) if r.id == parent[1]), None)
        if parent not in lineage.items and fixed is not None:
            # An item of a fixed list (an assessment area) exists even if nobody rated it.
            lineage.items[parent] = Item(source, fixed.id, fixed.label(lang), ())
        if parent not in lineage.items:
            lineage.dangling.add(name)
        elif parent not in lineage.parents.get(name, []):
            lineage.parents.setdefault(name, []).append(parent)
            lineage.children.setdefault(parent, []).append(name)
