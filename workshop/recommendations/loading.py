"""Reading a method file's ``recommendations:`` block into rules, and checking what they name.

The method loader (method.definition) calls ``RulesReader.rules`` while it reads the file and
``RulesReader.check`` once the whole method is built, so a rule naming a question, a column or
a choice that does not exist is refused at load with its place in the file, like every other
mistake in a method file: a rule that silently never applies would be found by nobody.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workshop.method.schema import CHOICE_TYPES, LEVELS, ROOT, At, Reader, hint
from workshop.recommendations.conditions import (
    AnyOf,
    ChoiceIn,
    Condition,
    Missing,
    NoSideIn,
    OneSideOnly,
    OneWayExchange,
    RowsMissing,
    RowsWith,
    Rule,
)

if TYPE_CHECKING:
    from workshop.method.definition import Method, Question

# Every key of a condition except "side", which qualifies "missing".
KINDS = tuple(name for name in LEVELS["condition"] if name != "side")
_DETAILED = ("choice_in", "rows_with", "rows_missing", "no_side_in")  # take a mapping


def _name(raw: Any) -> str | None:
    value = raw.get("key") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and value else None


class RulesReader:
    """Builds the rules from raw values, remembering where each condition was written."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.places: list[tuple[Condition, At]] = []

    def problem(self, at: At, message: str) -> None:
        self.reader.problem(at, message)

    def rules(self, raw: list[Any] | None) -> tuple[Rule, ...]:
        """The rules of a checked ``recommendations`` list (None: the method has none)."""
        # Here, not at the top: definition imports this module before it defines Text.
        from workshop.method.definition import Text

        at = ROOT.key("recommendations")
        built: list[Rule] = []
        for index, item in enumerate(raw or []):
            item_at = at.item(index, _name(item))
            found = self.reader.mapping(item, item_at, "recommendation")
            if found is None:
                continue
            values = self.reader.fields(found, item_at, "recommendation")
            when = self.condition(values["when"], item_at.key("when")) if "when" in values else None
            if when is not None and "key" in values and "text" in values:
                built.append(Rule(values["key"], when, Text(*values["text"])))
        keys = [rule.key for rule in built]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            self.problem(at, f"repeated keys {repeated}: each recommendation needs its own key")
        return tuple(built)

    def condition(self, raw: Any, at: At) -> Condition | None:
        """One condition: a mapping with exactly one kind as its key."""
        if not isinstance(raw, dict):
            self.problem(at, f"must be a condition: a mapping with one of {', '.join(KINDS)}")
            return None
        kinds = [name for name in raw if name != "side"]
        unknown = [name for name in kinds if name not in KINDS]
        for name in unknown:
            self.problem(
                at.key(str(name)),
                f"unknown condition '{name}'{hint(name, KINDS)}; known: {', '.join(KINDS)}",
            )
        if unknown:
            return None
        if not kinds:
            self.problem(at, f"names no condition: give one of {', '.join(KINDS)}")
            return None
        if len(kinds) > 1:
            self.problem(
                at,
                f"names {len(kinds)} conditions {sorted(map(str, kinds))}: give exactly one, "
                "or list several under 'any'",
            )
            return None
        kind = str(kinds[0])
        if "side" in raw and kind != "missing":
            self.problem(at.key("side"), f"'side' goes with 'missing', not with '{kind}'")
        values = self.reader.fields(raw, at, "condition")
        if kind not in values:
            return None  # its value was of the wrong type, and that is reported
        built = self.build(kind, values, at)
        if built is not None:
            self.places.append((built, at))
        return built

    def build(self, kind: str, values: dict[str, Any], at: At) -> Condition | None:
        value = values[kind]
        if kind == "missing":
            return Missing(value, values.get("side", "any"))
        if kind == "one_side_only":
            return OneSideOnly(value)
        if kind == "one_way_exchange":
            if value is not True:
                self.problem(at.key(kind), "write 'one_way_exchange: true', or leave it out")
                return None
            return OneWayExchange()
        if kind == "any":
            items = [self.condition(item, at.key("any").item(n)) for n, item in enumerate(value)]
            found = [item for item in items if item is not None]
            return AnyOf(tuple(found)) if len(found) == len(items) else None
        return self.detailed(kind, value, at.key(kind))

    def detailed(self, kind: str, raw: Any, at: At) -> Condition | None:
        found = self.reader.mapping(raw, at, kind)
        if found is None:
            return None
        values = self.reader.fields(found, at, kind)
        if any(name not in values for name, spec in LEVELS[kind].items() if spec.required):
            return None  # missing or wrong, and reported
        if kind == "choice_in":
            return ChoiceIn(values["question"], values["values"])
        if kind == "rows_with":
            return RowsWith(values["question"], values["column"], values["values"])
        if kind == "rows_missing":
            return RowsMissing(values["question"], values["column"])
        return NoSideIn(values["question"], values["column"], values["side"])

    # -- What the rules name must exist in the method ------------------------------------------

    def check(self, method: Method) -> None:
        """Report every question, column, choice or side a rule names that the method lacks."""
        for condition, at in self.places:
            if isinstance(condition, Missing):
                self.check_missing(method, condition, at)
            elif isinstance(condition, OneSideOnly):
                question = self.question(method, condition.question, at.key("one_side_only"))
                if question is not None and not question.per_side:
                    self.problem(
                        at.key("one_side_only"),
                        f"'{question.key}' is answered together: one_side_only needs a question "
                        "each side answers (per_side: true)",
                    )
            elif isinstance(condition, OneWayExchange):
                if method.by_role("needs_matrix") is None:
                    self.problem(
                        at.key("one_way_exchange"),
                        "reads the needs matrix, and no question has role 'needs_matrix'",
                    )
            elif isinstance(condition, ChoiceIn):
                self.check_choice_in(method, condition, at.key("choice_in"))
            elif isinstance(condition, RowsWith | RowsMissing | NoSideIn):
                self.check_rows(method, condition, at)

    def check_missing(self, method: Method, condition: Missing, at: At) -> None:
        question = self.question(method, condition.question, at.key("missing"))
        if question is not None and condition.side in ("ua", "partner") and not question.per_side:
            self.problem(
                at.key("side"),
                f"'{question.key}' is answered together, not by each side: leave 'side' out",
            )

    def check_choice_in(self, method: Method, condition: ChoiceIn, at: At) -> None:
        question = self.question(method, condition.question, at.key("question"))
        if question is None:
            return
        if question.type not in CHOICE_TYPES:
            self.problem(
                at.key("question"),
                f"'{question.key}' is a {question.type} question; choice_in needs a "
                "single_choice or multi_choice one",
            )
            return
        self.choices(question, condition.values, at.key("values"))

    def check_rows(
        self, method: Method, condition: RowsWith | RowsMissing | NoSideIn, at: At
    ) -> None:
        kind = {RowsWith: "rows_with", RowsMissing: "rows_missing", NoSideIn: "no_side_in"}[
            type(condition)
        ]
        at = at.key(kind)
        table = self.question(method, condition.question, at.key("question"))
        if table is None:
            return
        if table.type != "table":
            self.problem(
                at.key("question"),
                f"'{table.key}' is a {table.type} question; {kind} needs a table",
            )
            return
        if isinstance(condition, RowsMissing):
            for name in condition.columns:
                self.column(table, name, at.key("column"))
            return
        column = self.column(table, condition.column, at.key("column"))
        if column is None:
            return
        wanted = CHOICE_TYPES if isinstance(condition, RowsWith) else frozenset({"single_choice"})
        if column.type not in wanted:
            self.problem(
                at.key("column"),
                f"column '{column.key}' of '{table.key}' is {column.type}; {kind} needs a "
                f"{' or '.join(sorted(wanted))} column",
            )
            return
        if isinstance(condition, RowsWith):
            self.choices(column, condition.values, at.key("values"))
        else:
            self.choices(column, condition.sides, at.key("side"))

    def question(self, method: Method, key: str, at: At) -> Question | None:
        question = method.question(key)
        if question is None:
            keys = [q.key for stage in method.stages for q in stage.questions()]
            self.problem(at, f"no question '{key}'{hint(key, keys)}")
        return question

    def column(self, table: Question, key: str, at: At) -> Question | None:
        column = next((c for c in table.columns if c.key == key), None)
        if column is None:
            names = [c.key for c in table.columns]
            self.problem(
                at,
                f"'{table.key}' has no column '{key}'{hint(key, names)}; "
                f"its columns: {', '.join(names)}",
            )
        return column

    def choices(self, question: Question, values: tuple[str, ...], at: At) -> None:
        ids = [c.id for c in question.choices]
        for value in values:
            if value not in ids:
                self.problem(
                    at,
                    f"'{value}' is not a choice of '{question.key}'{hint(value, ids)}; "
                    f"its choices: {', '.join(ids)}",
                )
