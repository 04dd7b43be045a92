"""Moving a partnership's answers from one method version to the next, by a mapping file.

A mapping is data, one file per pair of versions (``versions/moves/<from>-to-<to>.yaml``): for
each question of the old method whose answer does not simply stay where it is, a rule saying
where it goes. ``load_mapping`` checks the file against both methods and refuses it, listing
every problem, unless every old question is accounted for and every target exists and can hold
what arrives. ``plan`` applies a mapping to one partnership's answers and returns the new
answers with a report of what went where; it touches no database (the engine stores a plan's
``changed`` answers as new revisions). docs/method-moves.md is the format for method authors.

What this module promises: no word a person typed is lost. A value lands in an empty place; in
a text place that already holds something else it is added on a new line (with the rule's
label); elsewhere the rule must say where it goes when its place is taken (``if_taken``, a text
place), or the mapping is refused. Dropping a question or a column needs a reason, and every
dropped value is in the report. Row ids never change, so links between rows still hold. Every
new value passes the new method's ``clean`` before a plan is returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from workshop.method.definition import VERSIONS_DIR, Method, Question, Text, load
from workshop.method.schema import (
    CHOICE_TYPES,
    ROOT,
    TEXT_TYPES,
    At,
    Field,
    Problem,
    Reader,
    hint,
    read_yaml,
    shown,
)

__all__ = [
    "MOVES_DIR",
    "ColumnRule",
    "Mapping",
    "MoveError",
    "MovePlan",
    "Moved",
    "Place",
    "Rule",
    "available_moves",
    "load_mapping",
    "parse_mapping",
    "parse_mapping_text",
    "plan",
]

MOVES_DIR = VERSIONS_DIR / "moves"
SHARED = ""  # the side of a shared answer (models.SHARED; this module stays free of the database)
SIDES = ("ua", "partner")

# What an answer of one type may become. A choice never becomes text: its words are the
# method's, not the person's, and another version may word them differently.
FITS: dict[str, frozenset[str]] = {
    "text": frozenset({"text", "long_text"}),
    "long_text": frozenset({"text", "long_text"}),  # if the new limit is as long
    "number": frozenset({"number", "text", "long_text"}),
    "date": frozenset({"date", "text", "long_text"}),
    "status": frozenset({"status", "number", "text", "long_text"}),
    "score": frozenset({"score", "number", "text", "long_text"}),
    "single_choice": frozenset({"single_choice", "multi_choice", "ref"}),
    "multi_choice": frozenset({"multi_choice"}),
    "ref": frozenset({"ref"}),
    "person": frozenset({"person"}),
    "table": frozenset({"table"}),
}

_TOP_KEYS = ("from", "to", "rules")
_RULE_KEYS = ("question", "to", "if_taken", "label", "drop", "why", "choices", "columns")
_COLUMN_KEYS = ("column", "to", "drop", "why", "label", "choices")
_PLACE_KEYS = ("question", "row", "column")
_VERSION = Field("version")
_KEY = Field("key")
_ID = Field("id")
_TEXT = Field("text")


class MoveError(Exception):
    """A mapping that must not be used, or answers that cannot move, with every problem found."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Place:
    """Where a value goes in the new method: a question, or one cell of a fixed-row table."""

    question: str
    row: str | None = None
    column: str | None = None

    @property
    def is_cell(self) -> bool:
        return self.row is not None

    def __str__(self) -> str:
        return " › ".join(p for p in (self.question, self.row, self.column) if p)


@dataclass(frozen=True)
class ColumnRule:
    """Where one column of an old table goes in the new table: ``to`` a column, or dropped."""

    column: str
    to: str | None  # None: dropped, for the reason in ``why``
    why: str | None = None
    label: Text | None = None  # names the value when it is added to text already there
    choices: dict[str, str] = field(default_factory=dict, hash=False)  # old choice id → new


@dataclass(frozen=True)
class Rule:
    """Where one old question's answer goes; ``to`` None: dropped, for the reason in ``why``."""

    question: str
    to: Place | None
    why: str | None = None
    if_taken: Place | None = None  # a text place for the value when ``to`` holds another one
    label: Text | None = None
    choices: dict[str, str] = field(default_factory=dict, hash=False)
    columns: tuple[ColumnRule, ...] = ()  # tables: one per old column
    written: bool = False  # in the file, rather than the default "stays where it is"


@dataclass(frozen=True)
class Mapping:
    """A checked mapping: one rule for every question of the old method, in its order."""

    from_version: str
    to_version: str
    rules: tuple[Rule, ...]

    def rule(self, question: str) -> Rule | None:
        return next((r for r in self.rules if r.question == question), None)


@dataclass(frozen=True)
class Moved:
    """One line of a plan's report.

    ``how``: copied (same place) · moved (another place) · kept (the same value was already
    there) · appended (added to the text already there) · noted (its place held another value,
    so it was written into the rule's ``if_taken``) · dropped (the mapping's reason in ``why``).
    """

    source: str  # "activities › resources"
    side: str
    target: str | None
    how: str
    why: str | None = None


@dataclass(frozen=True)
class MovePlan:
    """A partnership's answers in the new version, and what changes to get there.

    ``values`` has the shape of ``plan``'s input: (question key, side) → stored value.
    ``changed`` is what must be written: every answer whose value differs from the one stored
    under the same key and side, None where an answer must be cleared (its key is gone, or now
    means something else and nothing moved into it).
    """

    from_version: str
    to_version: str
    values: dict[tuple[str, str], Any]
    changed: dict[tuple[str, str], Any]
    report: tuple[Moved, ...]


# --- reading and checking a mapping -------------------------------------------------------


def _said(source: str, problems: list[Problem]) -> str:
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return f"{source}: {count}:\n- " + "\n- ".join(map(str, problems))


def _by_line(problem: Problem) -> tuple[bool, int]:
    return problem.line is None, problem.line or 0


def _textual(question: Question) -> bool:
    return question.type in TEXT_TYPES


class _Checker:
    """Reads a mapping's raw data and checks it against both methods, collecting every problem."""

    def __init__(self, old: Method, new: Method, reader: Reader) -> None:
        self.old, self.new = old, new
        self.reader = reader
        self.places: dict[str, At] = {}  # old question key → where its rule was read
        self.targets: dict[str, Place | None] = {}  # old question key → where it goes
        self.broken: set[str] = set()  # rules already refused: no more is said about them

    def problem(self, at: At, message: str) -> None:
        self.reader.problem(at, message)

    # reading

    def mapping(self, raw: Any) -> Mapping | None:
        found = self.keys(raw, ROOT, _TOP_KEYS, ("from", "to"), "mapping")
        if found is None:
            return None
        for name, method in (("from", self.old), ("to", self.new)):
            version = self.reader.convert(_VERSION, found.get(name), ROOT.key(name))
            if version is not None and version != method.version:
                self.problem(
                    ROOT.key(name),
                    f"says version {version}, but the method it is checked against is "
                    f"{method.version}",
                )
        written: dict[str, Rule] = {}
        raw_rules = found.get("rules", [])
        if not isinstance(raw_rules, list):
            self.problem(ROOT.key("rules"), f"must be a list of rules, got {shown(raw_rules)}")
            raw_rules = []
        for n, item in enumerate(raw_rules):
            name = item.get("question") if isinstance(item, dict) else None
            at = ROOT.key("rules").item(n, name if isinstance(name, str) else None)
            rule = self.rule(item, at)
            if rule is None:
                continue
            if rule.question in written:
                self.problem(
                    at.key("question"),
                    f"'{rule.question}' already has a rule (at {self.places[rule.question]}); "
                    "give each old question one rule",
                )
                continue
            written[rule.question] = rule
            self.places[rule.question] = at
        rules = tuple(
            _with_all_columns(written.get(q.key) or Rule(q.key, Place(q.key)), q)
            for q in self.old._questions.values()
        )
        return Mapping(self.old.version, self.new.version, rules)

    def keys(
        self, raw: Any, at: At, allowed: tuple[str, ...], required: tuple[str, ...], what: str
    ) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.problem(at, f"must be a mapping of {what} keys, got {shown(raw)}")
            return None
        for name in raw:
            if name not in allowed:
                self.problem(
                    at.key(str(name)),
                    f"unknown key{hint(name, allowed)}; a {what} takes {', '.join(allowed)}",
                )
        for name in required:
            if name not in raw:
                self.problem(at.key(name), f"is missing: every {what} needs '{name}'")
        return {str(k): v for k, v in raw.items() if k in allowed}

    def reason(self, raw: Any, at: At) -> str | None:
        if isinstance(raw, str) and raw.strip():
            return " ".join(raw.split())
        self.problem(at, f"needs a sentence saying why, got {shown(raw)}")
        return None

    def label(self, raw: Any, at: At) -> Text | None:
        pair = self.reader.convert(_TEXT, raw, at)
        return Text(uk=pair[0], en=pair[1]) if pair else None

    def choice_map(self, raw: Any, at: At, source: Question | None) -> dict[str, str]:
        if not isinstance(raw, dict):
            self.problem(at, f"must map old choice ids to new ones, got {shown(raw)}")
            return {}
        known = [c.id for c in source.choices] if source is not None else []
        found = {}
        for old_id, new_id in raw.items():
            old_ok = self.reader.convert(_ID, old_id, at.key(str(old_id)))
            new_ok = self.reader.convert(_ID, new_id, at.key(str(old_id)))
            if old_ok is None or new_ok is None:
                continue
            if source is not None and old_ok not in known:
                self.problem(
                    at.key(old_ok),
                    f"'{source.key}' has no choice '{old_ok}'{hint(old_ok, known)}",
                )
                continue
            found[old_ok] = new_ok
        return found

    def place(self, raw: Any, at: At) -> Place | None:
        """``to: key`` or ``to: {question, row, column}`` (one cell of a fixed-row table)."""
        if isinstance(raw, str):
            key = self.reader.convert(_KEY, raw, at)
            return Place(key) if key else None
        found = self.keys(raw, at, _PLACE_KEYS, ("question",), "place")
        if found is None:
            return None
        if ("row" in found) != ("column" in found):
            self.problem(at, "a cell needs both 'row' and 'column'; a question needs neither")
            return None
        key = self.reader.convert(_KEY, found.get("question"), at.key("question"))
        row = self.reader.convert(_ID, found["row"], at.key("row")) if "row" in found else None
        column = (
            self.reader.convert(_KEY, found["column"], at.key("column"))
            if "column" in found
            else None
        )
        if key is None or ("row" in found and (row is None or column is None)):
            return None
        return Place(key, row, column)

    def rule(self, raw: Any, at: At) -> Rule | None:
        found = self.keys(raw, at, _RULE_KEYS, ("question",), "rule")
        if found is None or "question" not in found:
            return None
        key = self.reader.convert(_KEY, found["question"], at.key("question"))
        if key is None:
            return None
        source = self.old.question(key)
        if source is None:
            self.problem(
                at.key("question"),
                f"{self.old.version} has no question '{key}'{hint(key, self.old._questions)}",
            )
            return None
        why = self.reason(found["why"], at.key("why")) if "why" in found else None
        if "drop" in found:
            extra = sorted(set(found) & {"to", "if_taken", "label", "choices", "columns"})
            if extra:
                self.problem(at.key("drop"), f"a dropped question goes nowhere: remove {extra}")
            return Rule(key, None, why=self.reason(found["drop"], at.key("drop")), written=True)
        to = self.place(found["to"], at.key("to")) if "to" in found else Place(key)
        if_taken = (
            self.place(found["if_taken"], at.key("if_taken")) if "if_taken" in found else None
        )
        if to is None or ("if_taken" in found and if_taken is None):
            return None
        columns: tuple[ColumnRule, ...] = ()
        if "columns" in found:
            columns = self.column_rules(found["columns"], at.key("columns"), source)
        return Rule(
            key,
            to,
            why=why,
            if_taken=if_taken,
            label=self.label(found["label"], at.key("label")) if "label" in found else None,
            choices=(
                self.choice_map(found["choices"], at.key("choices"), source)
                if "choices" in found
                else {}
            ),
            columns=columns,
            written=True,
        )

    def column_rules(self, raw: Any, at: At, source: Question) -> tuple[ColumnRule, ...]:
        if source.type != "table":
            self.problem(at, f"'{source.key}' is a {source.type} question, not a table")
            return ()
        if not isinstance(raw, list):
            self.problem(at, f"must be a list of column rules, got {shown(raw)}")
            return ()
        made: dict[str, ColumnRule] = {}
        for n, item in enumerate(raw):
            name = item.get("column") if isinstance(item, dict) else None
            item_at = at.item(n, name if isinstance(name, str) else None)
            found = self.keys(item, item_at, _COLUMN_KEYS, ("column",), "column rule")
            if found is None or "column" not in found:
                continue
            key = self.reader.convert(_KEY, found["column"], item_at.key("column"))
            column = next((c for c in source.columns if c.key == key), None)
            if key is None:
                continue
            if column is None:
                names = [c.key for c in source.columns]
                self.problem(
                    item_at.key("column"),
                    f"'{source.key}' has no column '{key}'{hint(key, names)}",
                )
                continue
            if key in made:
                self.problem(item_at.key("column"), f"column '{key}' already has a rule")
                continue
            why = self.reason(found["why"], item_at.key("why")) if "why" in found else None
            if "drop" in found:
                extra = sorted(set(found) & {"to", "label", "choices"})
                if extra:
                    self.problem(
                        item_at.key("drop"), f"a dropped column goes nowhere: remove {extra}"
                    )
                made[key] = ColumnRule(
                    key, None, why=self.reason(found["drop"], item_at.key("drop"))
                )
                continue
            to = self.reader.convert(_KEY, found["to"], item_at.key("to")) if "to" in found else key
            made[key] = ColumnRule(
                key,
                to or key,
                why=why,
                label=self.label(found["label"], item_at.key("label"))
                if "label" in found
                else None,
                choices=(
                    self.choice_map(found["choices"], item_at.key("choices"), column)
                    if "choices" in found
                    else {}
                ),
            )
            self.places[f"{source.key}.{key}"] = item_at
        return tuple(made.values())

    # checking against the new method

    def where(self, rule: Rule, key: str = "to") -> At:
        at = self.places.get(rule.question)
        return at.key(key) if at is not None else ROOT.key("rules")

    def check(self, mapping: Mapping) -> None:
        self.targets = {r.question: r.to for r in mapping.rules}
        for rule in mapping.rules:
            if rule.to is not None:
                before = len(self.reader.problems)
                self.check_rule(rule)
                if len(self.reader.problems) > before:
                    self.broken.add(rule.question)
        self.collisions(mapping)

    def target(self, place: Place, at: At) -> tuple[Question, Question] | None:
        """The new question a place names and the question or column that holds its value."""
        question = self.new.question(place.question)
        if question is None:
            self.problem(
                at,
                f"{self.new.version} has no question '{place.question}'"
                f"{hint(place.question, self.new._questions)}",
            )
            return None
        if not place.is_cell:
            return question, question
        rows = [r.id for r in question.rows]
        column = next((c for c in question.columns if c.key == place.column), None)
        if question.type != "table" or not rows:
            self.problem(at, f"'{question.key}' is not a table with fixed rows: it has no cells")
        elif place.row not in rows:
            self.problem(
                at.key("row"),
                f"'{question.key}' has no row '{place.row}'{hint(place.row, rows)}",
            )
        elif column is None:
            names = [c.key for c in question.columns]
            self.problem(
                at.key("column"),
                f"'{question.key}' has no column '{place.column}'{hint(place.column, names)}",
            )
        else:
            return question, column
        return None

    def check_rule(self, rule: Rule) -> None:
        source = self.old.question(rule.question)
        if source is None or rule.to is None:
            return
        at = self.where(rule)
        if not rule.written:  # the default: the answer stays under its key
            same = self.new.question(rule.question)
            if same is None:
                self.problem(
                    at,
                    f"'{rule.question}' ({self.stage_of(rule.question)}) is not in "
                    f"{self.new.version}: add a rule saying where its answer goes ('to') or "
                    "why it may go ('drop')",
                )
                return
            if same.type not in FITS[source.type]:
                self.problem(
                    at,
                    f"'{rule.question}' changes from {source.type} to {same.type} in "
                    f"{self.new.version}: add a rule saying where its answer goes",
                )
                return
        found = self.target(rule.to, at)
        if found is None:
            return
        holder, destination = found
        what = f"'{rule.question}' → '{rule.to}'"
        if source.per_side != holder.per_side:
            self.problem(at, f"{what}: {_sides(source)}, but '{holder.key}' is {_sides(holder)}")
        fitted = self.fits(source, destination, rule.choices, at, what)
        if fitted and source.type == "table" and destination.type == "table":
            self.check_columns(rule, source, destination)
        if rule.if_taken is not None:
            self.check_if_taken(rule, rule.if_taken, source)

    def stage_of(self, key: str) -> str:
        found = self.old.section_of(key)
        return f"stage {found[0].number}, {found[0].key}" if found else "?"

    def fits(
        self, source: Question, target: Question, choices: dict[str, str], at: At, what: str
    ) -> bool:
        """Whether every value ``source`` may hold becomes a value ``target`` can hold."""
        if target.type not in FITS[source.type]:
            self.problem(at, f"{what}: a {source.type} answer cannot become {target.type}")
            return False
        problems_before = len(self.reader.problems)
        if _textual(source) and _textual(target) and target.text_limit < source.text_limit:
            self.problem(
                at,
                f"{what}: up to {source.text_limit} characters may not fit in {target.text_limit}",
            )
        if source.type in CHOICE_TYPES:
            options = self.options(target, at, what)
            missing = [
                choices.get(c.id, c.id)
                for c in source.choices
                if choices.get(c.id, c.id) not in options
            ]
            if options is not None and missing:
                self.problem(
                    at,
                    f"{what}: choices {missing} are not among the new ones; map them "
                    "('choices: {old: new}')",
                )
        if source.type == "ref":
            moved = self.targets.get(source.link or "")
            if moved is None or moved.is_cell or moved.question != target.link:
                self.problem(
                    at,
                    f"{what}: names rows of '{source.link}', which moves to "
                    f"{f'{moved}' if moved else 'nowhere'}, but the new column names rows of "
                    f"'{target.link}'",
                )
        if source.type == "table":
            self.check_rows(source, target, at, what)
        return len(self.reader.problems) == problems_before

    def options(self, target: Question, at: At, what: str) -> set[str] | None:
        if target.type in CHOICE_TYPES:
            return {c.id for c in target.choices}
        linked = self.new.question(target.link or "")
        if linked is None or not linked.rows:
            self.problem(
                at,
                f"{what}: a choice becomes a ref only to a table with fixed rows (the choice ids "
                f"are its row ids); '{target.link}' has none",
            )
            return None
        return {r.id for r in linked.rows}

    def check_rows(self, source: Question, target: Question, at: At, what: str) -> None:
        if bool(source.rows) != bool(target.rows):
            said = {True: "fixed rows", False: "rows people add"}
            self.problem(
                at,
                f"{what}: a table with {said[bool(source.rows)]} cannot become one with "
                f"{said[bool(target.rows)]}",
            )
            return
        kept = {r.id for r in target.rows}
        missing = [r.id for r in source.rows if r.id not in kept]
        if missing:
            self.problem(at, f"{what}: rows {missing} are not rows of the new table")

    def check_columns(self, rule: Rule, source: Question, target: Question) -> None:
        names = [c.key for c in target.columns]
        for old, crule in zip(source.columns, rule.columns, strict=True):
            place = self.places.get(f"{source.key}.{old.key}")
            at = place or self.where(rule, "columns")
            if crule.to is None:
                continue
            new = next((c for c in target.columns if c.key == crule.to), None)
            what = f"'{source.key}' column '{old.key}' → '{target.key}' column '{crule.to}'"
            if new is None and place is None:
                self.problem(
                    at,
                    f"column '{old.key}' of '{source.key}' is not in {self.new.version}'s "
                    f"'{target.key}': add a column rule saying where its values go ('to') or "
                    "why they may go ('drop')",
                )
            elif new is None:
                self.problem(
                    at.key("to"),
                    f"'{target.key}' has no column '{crule.to}'{hint(crule.to, names)}",
                )
            elif place is None and new.type not in FITS[old.type]:
                self.problem(
                    at,
                    f"column '{old.key}' of '{source.key}' changes from {old.type} to "
                    f"{new.type}: add a column rule saying where its values go",
                )
            else:
                self.fits(old, new, crule.choices, at, what)
        into: dict[str, list[str]] = {}
        for crule in rule.columns:
            if crule.to is not None:
                into.setdefault(crule.to, []).append(crule.column)
        for key, sources in into.items():
            new = next((c for c in target.columns if c.key == key), None)
            if len(sources) > 1 and new is not None and not _textual(new):
                self.problem(
                    self.where(rule, "columns"),
                    f"columns {sources} of '{source.key}' all go into '{key}', a {new.type} "
                    "column that holds one value: only a text column takes several",
                )

    def check_if_taken(self, rule: Rule, place: Place, source: Question) -> None:
        at = self.where(rule, "if_taken")
        found = self.target(place, at)
        if found is None:
            return
        holder, destination = found
        if destination.type not in TEXT_TYPES:
            self.problem(
                at,
                f"'{place}' is a {destination.type} place; 'if_taken' must be a text "
                "place, where the value is added as a line of its own",
            )
        if holder.per_side != source.per_side:
            self.problem(
                at, f"'{rule.question}' is {_sides(source)}, '{holder.key}' is {_sides(holder)}"
            )
        if rule.label is None:
            self.problem(
                self.where(rule, "if_taken"),
                "a value written into text needs a 'label' {uk, en} saying what it is",
            )
        if source.type in CHOICE_TYPES or source.type in {"table", "person", "ref"}:
            self.problem(at, f"a {source.type} answer cannot be written as a line of text")

    def collisions(self, mapping: Mapping) -> None:
        """Places that more than one old answer goes into: the later ones need somewhere to go
        when the place already holds a different value."""
        wholes: dict[str, list[Rule]] = {}
        cells: dict[Place, list[Rule]] = {}
        for rule in mapping.rules:
            if rule.question in self.broken or rule.to is None:
                continue
            if rule.to.is_cell:
                cells.setdefault(rule.to, []).append(rule)
            else:
                wholes.setdefault(rule.to.question, []).append(rule)
        for key, rules in wholes.items():
            target = self.new.question(key)
            if target is not None and len(rules) > 1:
                self.shared_question(target, _arrival_order(rules))
        for place, rules in cells.items():
            self.shared_cell(place, rules, taken=len(rules) > 1 or place.question in wholes)

    def shared_question(self, target: Question, rules: list[Rule]) -> None:
        for rule in rules[1:]:  # the first arrives in an empty place
            others = [r.question for r in rules if r is not rule]
            if target.type == "table":
                self.problem(
                    self.where(rule),
                    f"'{rule.question}' and {others} all go into the table '{target.key}': rows "
                    "of two tables are not merged",
                )
            elif not _textual(target) and rule.if_taken is None:
                self.problem(
                    self.where(rule),
                    f"'{rule.question}' goes into '{target.key}', which also receives {others}: "
                    "say where its value goes when the two differ ('if_taken', a text place, "
                    "and a 'label')",
                )

    def shared_cell(self, place: Place, rules: list[Rule], *, taken: bool) -> None:
        table = self.new.question(place.question)
        column = table and next((c for c in table.columns if c.key == place.column), None)
        if column is None or _textual(column) or not taken:
            return
        for rule in rules:
            if rule.if_taken is None:
                self.problem(
                    self.where(rule),
                    f"'{rule.question}' goes into '{place}', which may already hold a value: "
                    "say where its value goes when they differ ('if_taken' and 'label')",
                )


def _with_all_columns(rule: Rule, source: Question) -> Rule:
    """A table's rule with one column rule per old column, in order: unnamed ones stay put."""
    if source.type != "table" or rule.to is None:
        return rule
    written = {c.column: c for c in rule.columns}
    columns = tuple(written.get(c.key) or ColumnRule(c.key, c.key) for c in source.columns)
    return replace(rule, columns=columns)


def _sides(question: Question) -> str:
    return "answered by each side" if question.per_side else "answered together"


def _arrival_order(rules: list[Rule]) -> list[Rule]:
    """The answer already under the target's key arrives first; the others join it in order."""
    return sorted(rules, key=lambda r: r.to is None or r.question != r.to.question)


def parse_mapping(
    raw: Any,
    old: Method,
    new: Method,
    *,
    source: str = "<mapping>",
    lines: dict[tuple[Any, ...], int] | None = None,
    problems: list[Problem] | None = None,
) -> Mapping:
    """A checked Mapping from a mapping file's data; MoveError listing every problem found."""
    reader = Reader(lines)
    checker = _Checker(old, new, reader)
    mapping = checker.mapping(raw)
    if mapping is not None:
        checker.check(mapping)
    found = sorted([*(problems or []), *reader.problems], key=_by_line)
    if found or mapping is None:
        raise MoveError(_said(source, found), tuple(found))
    return mapping


def parse_mapping_text(
    text: str, old: Method, new: Method, *, source: str = "<mapping>"
) -> Mapping:
    raw, lines, problems = read_yaml(text)
    if raw is None and problems:
        raise MoveError(_said(source, problems), tuple(problems))
    return parse_mapping(raw, old, new, source=source, lines=lines, problems=problems)


@cache
def load_mapping(from_version: str, to_version: str) -> Mapping:
    """The mapping from one published method version to another, checked against both."""
    path = MOVES_DIR / f"{from_version}-to-{to_version}.yaml"
    if not path.is_file():
        raise MoveError(f"no mapping from method {from_version} to {to_version}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MoveError(f"{path.name}: cannot be read: {error}") from error
    return parse_mapping_text(text, load(from_version), load(to_version), source=path.name)


def available_moves() -> list[tuple[str, str]]:
    """(from, to) of every mapping file."""
    found = []
    for path in sorted(MOVES_DIR.glob("*-to-*.yaml")):
        before, _, after = path.stem.partition("-to-")
        found.append((before, after))
    return found


# --- applying a mapping -------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _line(value: Any, label: Text | None) -> str:
    """A value written as text: labelled in both languages, so neither reader is left out."""
    text = _plain(value)
    return f"{label.uk} / {label.en}: {text}" if label else text


def _join(current: Any, line: str, kind: str) -> str:
    current = _plain(current)
    if line in current:
        return current
    return f"{current}\n{line}" if kind == "long_text" else f"{current} · {line}"


def _clean_function() -> tuple[Any, type[Exception]]:
    """The answer cleaner, imported late (it needs Flask-Babel) from where it lives now."""
    try:
        from workshop.groupwork.answers.values import InvalidAnswer, clean
    except ImportError:  # before the groupwork package was split
        from workshop.groupwork.values import (  # type: ignore[import-not-found,no-redef]
            InvalidAnswer,
            clean,
        )
    return clean, InvalidAnswer


class _Mover:
    def __init__(self, old: Method, new: Method, mapping: Mapping) -> None:
        self.old, self.new, self.mapping = old, new, mapping
        self.values: dict[tuple[str, str], Any] = {}
        self.report: list[Moved] = []
        self.problems: list[Problem] = []
        # Values whose place held another one: (rule, its if_taken place, side, the line).
        self.notes: list[tuple[Rule, Place, str, str]] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def run(self, given: dict[tuple[str, str], Any]) -> MovePlan:
        self.check_given(given)
        for rule in self.ordered():
            source = _question(self.old, rule.question)
            for side in SIDES if source.per_side else (SHARED,):
                value = given.get((rule.question, side))
                if not _empty(value):
                    self.move(rule, source, side, value)
        for rule, place, side, line in self.notes:
            self.put(place, side, line, self.holding(place), label=None)
            self.report.append(Moved(rule.question, side, str(place), "noted", rule.why))
        cleaned = self.cleaned()
        if self.problems:
            raise MoveError(_said("answers", self.problems), tuple(self.problems))
        changed = {k: v for k, v in cleaned.items() if given.get(k) != v}
        changed |= {k: None for k, v in given.items() if k not in cleaned and not _empty(v)}
        return MovePlan(self.old.version, self.new.version, cleaned, changed, tuple(self.report))

    def check_given(self, given: dict[tuple[str, str], Any]) -> None:
        for key, side in given:
            question = self.old.question(key)
            if question is None:
                self.problem(key, f"method {self.old.version} has no question '{key}'")
            elif side not in (SIDES if question.per_side else (SHARED,)):
                self.problem(key, f"is {_sides(question)}; side {side!r} is not one of its sides")

    def ordered(self) -> list[Rule]:
        """Drops, then answers staying under their key, then the ones joining them, then cells."""

        def rank(rule: Rule) -> int:
            if rule.to is None:
                return 0
            if rule.to.is_cell:
                return 3
            return 1 if rule.to.question == rule.question else 2

        return sorted(self.mapping.rules, key=rank)

    def holding(self, place: Place) -> Question:
        """The new question or column that holds a place's value."""
        question = _question(self.new, place.question)
        if place.is_cell:
            return next(c for c in question.columns if c.key == place.column)
        return question

    def move(self, rule: Rule, source: Question, side: str, value: Any) -> None:
        if rule.to is None:
            self.report.append(Moved(rule.question, side, None, "dropped", rule.why))
            return
        target = self.holding(rule.to)
        if source.type == "table":
            value = self.table(rule, source, target, side, value)
        else:
            value = self.cell(source, target, value, rule.choices)
        how = self.put(rule.to, side, value, target, rule.label)
        if how == "taken" and rule.if_taken is not None:
            self.notes.append((rule, rule.if_taken, side, _line(value, rule.label)))
            return
        if how == "taken":  # the mapping's check makes this impossible
            self.problem(rule.question, f"'{rule.to}' already holds another value")
            return
        if how == "placed":
            how = "copied" if str(rule.to) == rule.question else "moved"
        self.report.append(Moved(rule.question, side, str(rule.to), how, rule.why))

    def put(self, place: Place, side: str, value: Any, target: Question, label: Text | None) -> str:
        """Writes a value into its place: placed · kept · appended, or taken (not written)."""
        holder: dict[Any, Any] = self.values
        name: Any = (place.question, side)
        if place.is_cell:
            rows = self.values.setdefault(name, [])
            row = next((r for r in rows if r.get("row") == place.row), None)
            if row is None:
                row = {"row": place.row}
                rows.append(row)
            holder, name = row, place.column
        current = holder.get(name)
        if _empty(current):
            holder[name] = value
            return "placed"
        if current == value:
            return "kept"
        if _textual(target):
            holder[name] = _join(current, _line(value, label), target.type)
            return "appended"
        return "taken"

    def cell(self, source: Question, target: Question, value: Any, choices: dict[str, str]) -> Any:
        """One value of ``source``'s type as a value of ``target``'s (the mapping fits them)."""
        if source.type == "single_choice":
            value = choices.get(value, value)
            return [value] if target.type == "multi_choice" else value
        if source.type == "multi_choice" and isinstance(value, list):
            return [choices.get(v, v) for v in value]
        if _textual(target) and not _textual(source):
            return _plain(value)
        return value

    def table(
        self, rule: Rule, source: Question, target: Question, side: str, rows: Any
    ) -> list[dict[str, Any]]:
        where = f"{source.key} ({side or 'shared'})"
        if not isinstance(rows, list) or any(not isinstance(r, dict) for r in rows):
            self.problem(where, "is not a list of rows")
            return []
        used: set[ColumnRule] = set()
        moved = []
        for row in rows:
            unknown = sorted(set(row) - {c.key for c in source.columns} - {"row"})
            if unknown or not row.get("row"):
                self.problem(where, f"row {row.get('row')!r}: no id, or unknown columns {unknown}")
                continue
            moved.append(self.row(rule, source, target, row, used))
        for crule in rule.columns:
            if crule in used and crule.to != crule.column:
                self.report.append(
                    Moved(
                        f"{source.key} › {crule.column}",
                        side,
                        f"{target.key} › {crule.to}" if crule.to else None,
                        "dropped" if crule.to is None else "moved",
                        crule.why,
                    )
                )
        return moved

    def row(
        self,
        rule: Rule,
        source: Question,
        target: Question,
        row: dict[str, Any],
        used: set[ColumnRule],
    ) -> dict[str, Any]:
        """One row in the new table, under the same id (so links to it still hold)."""
        new_row: dict[str, Any] = {"row": row["row"]}
        # The column staying under its key arrives first; the ones joining it, after.
        for crule in sorted(rule.columns, key=lambda c: c.to != c.column):
            value = row.get(crule.column)
            if _empty(value):
                continue
            used.add(crule)
            if crule.to is None:
                continue
            column = next(c for c in target.columns if c.key == crule.to)
            old = next(c for c in source.columns if c.key == crule.column)
            value = self.cell(old, column, value, crule.choices)
            current = new_row.get(crule.to)
            if _empty(current):
                new_row[crule.to] = value
            elif current != value:
                new_row[crule.to] = _join(current, _line(value, crule.label), column.type)
        return new_row

    def cleaned(self) -> dict[tuple[str, str], Any]:
        clean, invalid = _clean_function()
        found = {}
        for (key, side), value in self.values.items():
            question = _question(self.new, key)
            if question.type == "table" and question.rows:
                value = _fixed_order(question, value)
            try:
                stored = clean(question, value)
            except invalid as error:
                message = getattr(error, "message", str(error))
                self.problem(
                    f"{key} ({side or 'shared'})", f"does not fit {self.new.version}: {message}"
                )
                continue
            if stored is not None:
                found[(key, side)] = stored
        return found


def _question(method: Method, key: str) -> Question:
    """A question the checked mapping names (a MoveError if the method lacks it after all)."""
    question = method.question(key)
    if question is None:
        raise MoveError(f"method {method.version} has no question '{key}'")
    return question


def _fixed_order(table: Question, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A fixed-row table's rows in the method's order; rows a pair added keep theirs, after."""
    order = {r.id: n for n, r in enumerate(table.rows)}
    return sorted(rows, key=lambda r: order.get(r.get("row"), len(order)))


def plan(
    old: Method, new: Method, mapping: Mapping, values: dict[tuple[str, str], Any]
) -> MovePlan:
    """One partnership's answers under ``old`` (question key, side) → value, moved to ``new``.

    Raises MoveError listing every answer that cannot move (an unknown question or side, a
    value the new method's ``clean`` refuses); the answers themselves are left untouched.
    """
    if (old.version, new.version) != (mapping.from_version, mapping.to_version):
        raise MoveError(
            f"the mapping moves {mapping.from_version} → {mapping.to_version}, "
            f"not {old.version} → {new.version}"
        )
    return _Mover(old, new, mapping).run(values)
