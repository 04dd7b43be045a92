"""The TPI method as data: stages → sections → questions, in Ukrainian and English.

A method version is a YAML file in ``versions/``. It is read once, checked thoroughly (a broken
definition never reaches a user) and turned into frozen dataclasses. Rendering, validating and
storing answers work from these objects alone, so a new question needs no new code.

The checking is strict on purpose: an unknown key, a value of the wrong type, an impossible
limit or a reference to nothing is a ``MethodError`` listing every such problem with its place
in the file (``schema`` says what may appear where; ``roles`` what the engine's features need).
docs/method-format.md is the same format written for method authors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from workshop.method import roles
from workshop.method.schema import (
    CHOICE_TYPES,
    COLUMN_TYPES,
    LANGS,
    QUESTION_TYPES,
    ROOT,
    TEXT_LIMITS,
    TEXT_TYPES,
    At,
    Problem,
    Reader,
    Segment,
    hint,
    read_yaml,
)
from workshop.recommendations.conditions import Rule
from workshop.recommendations.loading import RulesReader

__all__ = [
    "COLUMN_TYPES",
    "CURRENT_VERSION",
    "INSIGHTS",
    "LANGS",
    "PREFILLS",
    "QUESTION_TYPES",
    "TEXT_LIMITS",
    "VERSIONS_DIR",
    "Choice",
    "Method",
    "MethodError",
    "PerLinkedRow",
    "Problem",
    "Question",
    "Section",
    "Stage",
    "Text",
    "available_versions",
    "load",
    "load_file",
    "parse",
    "parse_text",
]

VERSIONS_DIR = Path(__file__).parent / "versions"
INSIGHTS = set(roles.INSIGHTS)
PREFILLS = set(roles.PREFILLS)
DEFAULT_MAX_ROWS = 50


class MethodError(Exception):
    """A method definition that must not be used, with every problem found in it."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Text:
    uk: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.uk if lang == "uk" else self.en


@dataclass(frozen=True)
class Choice:
    id: str
    label: Text


@dataclass(frozen=True)
class PerLinkedRow:
    """How many rows of this table must name each row of the linked table, at submission."""

    min: int = 0
    max: int | None = None


@dataclass(frozen=True)
class Question:
    """A question, or a column of a table question (columns have no columns of their own)."""

    key: str
    type: str
    label: Text
    help: Text | None = None
    example: Text | None = None
    required: bool = False
    per_side: bool = False  # each hospital answers for itself
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    unit: Text | None = None
    choices: tuple[Choice, ...] = ()
    columns: tuple[Question, ...] = ()
    rows: tuple[Choice, ...] = ()  # a table with one fixed row per item (e.g. assessment areas)
    max_rows: int = DEFAULT_MAX_ROWS
    min_rows: int = 0  # checked when the stage is submitted, never while drafting
    weight: int | None = None  # a scoring criterion's weight in a weighted total
    prefill: str | None = None  # a rule that proposes rows from an earlier stage's answers
    # A column whose value names a row of another table ("ref", or a choice among a fixed-row
    # table's items): where the row came from. ``show`` lists the columns that name that row.
    link: str | None = None
    show: tuple[str, ...] = ()
    item: Text | None = None  # what one row of a table is called ("Gap", "Objective")
    role: str | None = None  # what the engine knows it as (see roles.py)
    # A fixed-row table also gets one row per row of this shared repeatable table, after its
    # fixed rows (the areas a pair adds to the default ones).
    more_rows: str | None = None
    per_linked_row: PerLinkedRow | None = None  # a linking column: rows per linked row

    @property
    def text_limit(self) -> int:
        return self.max_length or TEXT_LIMITS.get(self.type, 300)

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)

    def column_for(self, role: str) -> Question | None:
        """This table's column with that column role."""
        return next((c for c in self.columns if c.role == role), None)


@dataclass(frozen=True)
class Section:
    key: str
    title: Text
    help: Text | None
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Stage:
    key: str
    number: int
    title: Text
    intro: Text | None
    sections: tuple[Section, ...]
    insights: tuple[str, ...] = ()  # computed views shown with the stage (see groupwork.insights)
    # Dot voting over the candidates named in this table question, with this many dots each.
    vote_on: str | None = None
    vote_budget: int = 0

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]


@dataclass(frozen=True)
class Method:
    version: str
    title: Text
    stages: tuple[Stage, ...]
    recommendations: tuple[Rule, ...] = ()  # for the heads (workshop.recommendations)
    _questions: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)
    _roles: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    def stage(self, key: str) -> Stage | None:
        return next((s for s in self.stages if s.key == key), None)

    def question(self, key: str) -> Question | None:
        return self._questions.get(key)

    def by_role(self, role: str) -> Question | None:
        """The question the method gives this role (see roles.py), if any."""
        return self._roles.get(role)

    def section_of(self, key: str) -> tuple[Stage, Section] | None:
        for stage in self.stages:
            for section in stage.sections:
                if any(q.key == key for q in section.questions):
                    return stage, section
        return None


_UNKNOWN = Text(uk="?", en="?")


def _name(raw: Any, key: str) -> str | None:
    """An item's key or id, to name it in a path, when it has a usable one."""
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if isinstance(value, str) and value else None


def _text(pair: tuple[str, str] | None) -> Text | None:
    return None if pair is None else Text(uk=pair[0], en=pair[1])


class _Builder:
    """Turns checked raw values into dataclasses; where a part is broken, it is reported and a
    stand-in keeps the rest checkable."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.lists: dict[str, tuple[Choice, ...]] = {}
        # Where each part was read: ("stage", key), ("question", key), ("again", key) for a
        # repeated question key, ("column", table, key).
        self.places: dict[tuple[str, ...], At] = {}
        self.stage_index: dict[str, int] = {}  # question key → its stage's position
        self.advice = RulesReader(reader)

    def problem(self, at: At, message: str) -> None:
        self.reader.problem(at, message)

    def method(self, raw: Any) -> Method | None:
        found = self.reader.mapping(raw, ROOT, "method")
        if found is None:
            return None
        values = self.reader.fields(found, ROOT, "method")
        for name, items in (values.get("lists") or {}).items():
            self.lists[name] = self.choice_items(items, ROOT.key("lists").key(name))
        stages_at = ROOT.key("stages")
        stages = [
            self.stage(item, stages_at.item(n, _name(item, "key")), n)
            for n, item in enumerate(values.get("stages") or [])
        ]
        built = [s for s in stages if s is not None]
        self.unique([s.key for s in built], stages_at, "stage keys")
        questions = self.all_questions(built)
        return Method(
            version=values.get("version", "?"),
            title=_text(values.get("title")) or _UNKNOWN,
            stages=tuple(built),
            recommendations=self.advice.rules(values.get("recommendations")),
            _questions=questions,
            _roles=_roles_of(questions.values()),
        )

    def all_questions(self, stages: list[Stage]) -> dict[str, Question]:
        """Question keys are unique in the whole method: answers are stored under them."""
        questions: dict[str, Question] = {}
        for stage in stages:
            for question in stage.questions():
                if question.key.startswith("?"):
                    continue  # its key is broken, and already reported
                if question.key in questions:
                    first = self.places[("question", question.key)]
                    self.problem(
                        self.place(question.key, None, "key", second=True),
                        f"repeated keys ['{question.key}']: a question key is used once in the "
                        f"whole method (first at {first})",
                    )
                    continue
                questions[question.key] = question
        return questions

    def place(
        self,
        question: str,
        column: str | None = None,
        key: str | None = None,
        *,
        second: bool = False,
    ) -> At:
        """Where a question (or its column, or one of their keys) was read."""
        at = self.places.get(("again" if second else "question", question), ROOT)
        if column is not None:
            at = self.places.get(("column", question, column), at)
        return at.key(key) if key else at

    def stage(self, raw: Any, at: At, index: int) -> Stage | None:
        found = self.reader.mapping(raw, at, "stage")
        if found is None:
            return None
        values = self.reader.fields(found, at, "stage")
        key = values.get("key", f"?{index}")
        self.places[("stage", key)] = at
        if values.get("number", index + 1) != index + 1:
            self.problem(
                at.key("number"),
                f"stages are numbered in the order they appear: this one must be {index + 1}",
            )
        sections_at = at.key("sections")
        sections = [
            self.section(item, sections_at.item(n, _name(item, "key")), index)
            for n, item in enumerate(values.get("sections") or [])
        ]
        built = tuple(s for s in sections if s is not None)
        self.unique([s.key for s in built], sections_at, "section keys")
        vote_on, budget = self.voting(values.get("voting"), at.key("voting"))
        return Stage(
            key=key,
            number=index + 1,
            title=_text(values.get("title")) or _UNKNOWN,
            intro=_text(values.get("intro")),
            sections=built,
            insights=values.get("insights", ()),
            vote_on=vote_on,
            vote_budget=budget,
        )

    def voting(self, raw: Any, at: At) -> tuple[str | None, int]:
        found = self.reader.mapping(raw, at, "voting") if raw is not None else None
        if found is None:
            return None, 0
        values = self.reader.fields(found, at, "voting")
        return values.get("candidates"), values.get("budget", 0)

    def section(self, raw: Any, at: At, stage_index: int) -> Section | None:
        found = self.reader.mapping(raw, at, "section")
        if found is None:
            return None
        values = self.reader.fields(found, at, "section")
        questions_at = at.key("questions")
        questions = [
            self.question(item, questions_at.item(n, _name(item, "key")), stage_index)
            for n, item in enumerate(values.get("questions") or [])
        ]
        return Section(
            key=values.get("key", "?"),
            title=_text(values.get("title")) or _UNKNOWN,
            help=_text(values.get("help")),
            questions=tuple(q for q in questions if q is not None),
        )

    def question(
        self, raw: Any, at: At, stage_index: int, table: str | None = None
    ) -> Question | None:
        level = "question" if table is None else "column"
        found = self.reader.mapping(raw, at, level)
        if found is None:
            return None
        values = self.reader.fields(found, at, level)
        key, kind = values.get("key", "?"), values.get("type", "?")
        if table is None:
            again = ("question", key) in self.places
            self.places[("again" if again else "question", key)] = at
            self.stage_index.setdefault(key, stage_index)
        else:
            self.places[("column", table, key)] = at
        self.check_limits(values, at)
        columns = self.columns(values, found, at, stage_index) if kind == "table" else ()
        rows = self.choices(values["rows"], at.key("rows")) if "rows" in values else ()
        fewest = values.get("min_rows", 0)
        if rows and fewest > len(rows) and "more_rows" not in values:
            self.problem(
                at.key("min_rows"), f"min_rows ({fewest}) is above the {len(rows)} fixed rows"
            )
        return Question(
            key=key,
            type=kind,
            label=_text(values.get("label")) or _UNKNOWN,
            help=_text(values.get("help")),
            example=_text(values.get("example")),
            required=values.get("required", False),
            per_side=values.get("per_side", False),
            max_length=values.get("max_length"),
            min=values.get("min"),
            max=values.get("max"),
            unit=_text(values.get("unit")),
            choices=self.question_choices(values, kind, at),
            columns=columns,
            rows=rows,
            max_rows=values.get("max_rows", DEFAULT_MAX_ROWS),
            min_rows=fewest,
            weight=values.get("weight"),
            prefill=values.get("prefill"),
            link=values.get("link"),
            show=values.get("show", ()),
            item=_text(values.get("item")),
            role=values.get("role"),
            more_rows=values.get("more_rows"),
            per_linked_row=self.per_linked_row(values.get("per_linked_row"), at),
        )

    def check_limits(self, values: dict[str, Any], at: At) -> None:
        """Limits that cannot all hold, or that mean nothing for this table."""
        low, high = values.get("min"), values.get("max")
        if low is not None and high is not None and low > high:
            self.problem(at.key("min"), f"min is above max ({_plain(low)} > {_plain(high)})")
        fewest, most = values.get("min_rows", 0), values.get("max_rows")
        if most is not None and fewest > most:
            self.problem(at.key("min_rows"), f"min_rows ({fewest}) is above max_rows ({most})")
        if "rows" in values and most is not None:
            self.problem(
                at.key("max_rows"),
                "a table with fixed rows has exactly those rows; remove max_rows",
            )
        if "more_rows" in values and "rows" not in values:
            self.problem(
                at.key("more_rows"),
                "more_rows adds rows after a table's fixed rows; this table has no 'rows'",
            )
        if values.get("type") == "ref" and "link" not in values:
            self.problem(
                at,
                "a ref column needs 'link' and 'show': the table whose row it names, and the "
                "columns that name that row ('show' is not needed for a fixed-row table)",
            )

    def columns(
        self, values: dict[str, Any], raw: dict[Any, Any], at: At, stage_index: int
    ) -> tuple[Question, ...]:
        if "columns" not in values:
            if "columns" not in raw:  # else its value was wrong, and that is reported
                self.problem(at.key("columns"), "a table needs columns")
            return ()
        key = values.get("key", "?")
        columns_at = at.key("columns")
        columns = [
            self.question(item, columns_at.item(n, _name(item, "key")), stage_index, table=key)
            for n, item in enumerate(values["columns"])
        ]
        built = tuple(c for c in columns if c is not None)
        self.unique([c.key for c in built], columns_at, "column keys")
        return built

    def question_choices(self, values: dict[str, Any], kind: str, at: At) -> tuple[Choice, ...]:
        if kind not in CHOICE_TYPES:
            return ()
        if "choices" not in values:
            self.problem(
                at.key("choices"),
                f"a {kind} question needs choices: a list's name or a list of {{id, uk, en}}",
            )
            return ()
        return self.choices(values["choices"], at.key("choices"))

    def choices(self, raw: str | list[Any], at: At) -> tuple[Choice, ...]:
        """A list named in ``lists``, or choices written in place."""
        if isinstance(raw, list):
            return self.choice_items(raw, at)
        if raw not in self.lists:
            self.problem(at, f"unknown list '{raw}'{hint(raw, self.lists)}")
            return ()
        return self.lists[raw]

    def choice_items(self, raw: Any, at: At) -> tuple[Choice, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem(at, "needs a non-empty list of choices, each {id, uk, en}")
            return ()
        made = []
        for n, item in enumerate(raw):
            item_at = at.item(n, _name(item, "id"))
            found = self.reader.mapping(item, item_at, "list item")
            values = self.reader.fields(found, item_at, "list item") if found is not None else {}
            if {"id", "uk", "en"} <= set(values):
                label = Text(uk=values["uk"], en=values["en"])
                made.append(Choice(id=values["id"], label=label))
        self.unique([c.id for c in made], at, "ids")
        return tuple(made)

    def per_linked_row(self, raw: Any, at: At) -> PerLinkedRow | None:
        at = at.key("per_linked_row")
        found = self.reader.mapping(raw, at, "per_linked_row") if raw is not None else None
        if found is None:
            return None
        values = self.reader.fields(found, at, "per_linked_row")
        fewest, most = values.get("min", 0), values.get("max")
        if most is not None and fewest > most:
            self.problem(at.key("min"), f"min ({fewest}) is above max ({most})")
        if not found:
            self.problem(at, "says nothing: give 'min', 'max' or both")
        elif fewest == 0 and "max" not in found:
            self.problem(at, "min 0 and no max asks for nothing: give a min above 0 or a max")
        return PerLinkedRow(min=fewest, max=most)

    def unique(self, keys: list[str], at: At, what: str) -> None:
        repeated = sorted({k for k in keys if keys.count(k) > 1 and not k.startswith("?")})
        if repeated:
            self.problem(at, f"repeated {what} {repeated}: each must be different")


def _plain(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


def _roles_of(questions: Iterable[Question]) -> dict[str, Question]:
    """Each role's question; a role given twice is reported by roles.check, the first wins."""
    found: dict[str, Question] = {}
    for question in questions:
        if question.role is not None:
            found.setdefault(question.role, question)
    return found


class _Links:
    """How the parts refer to each other: links, more_rows, voting. Needs the whole method."""

    def __init__(self, builder: _Builder, method: Method) -> None:
        self.builder = builder
        self.method = method

    def check(self) -> None:
        for stage_index, stage in enumerate(self.method.stages):
            self.voting(stage)
            for question in stage.questions():
                if question.more_rows is not None:
                    self.more_rows(question, stage_index)
                for column in question.columns:
                    self.link(question, column, stage_index)

    def later(self, key: str, stage_index: int) -> bool:
        return self.builder.stage_index.get(key, 0) > stage_index

    def tables(self) -> list[str]:
        return [q.key for q in self.method._questions.values() if q.type == "table"]

    def voting(self, stage: Stage) -> None:
        if stage.vote_on is None:
            return
        at = self.builder.places.get(("stage", stage.key), ROOT).key("voting").key("candidates")
        target = next((q for q in stage.questions() if q.key == stage.vote_on), None)
        if target is None:
            self.builder.problem(
                at,
                f"votes on unknown question '{stage.vote_on}': it must be a table of this stage"
                f"{hint(stage.vote_on, [q.key for q in stage.questions()])}",
            )
        elif target.type != "table":
            self.builder.problem(at, f"votes on '{target.key}', which is not a table")

    def more_rows(self, table: Question, stage_index: int) -> None:
        at = self.builder.place(table.key, None, "more_rows")
        source = self.method.question(table.more_rows or "")
        if source is None:
            self.builder.problem(
                at, f"no question '{table.more_rows}'{hint(table.more_rows, self.tables())}"
            )
        elif source.type != "table" or source.rows or source.per_side:
            self.builder.problem(
                at, f"'{source.key}' must be a table whose rows people add, answered together"
            )
        elif self.later(source.key, stage_index):
            self.builder.problem(at, f"'{source.key}' comes in a later stage")
        elif _row_namer(source) is None:
            self.builder.problem(
                at,
                f"'{source.key}' needs a text column (or one with role 'name') to name the rows "
                "it adds",
            )

    def link(self, table: Question, column: Question, stage_index: int) -> None:
        if column.link is None:
            if column.per_linked_row is not None:
                self.builder.problem(
                    self.builder.place(table.key, column.key, "per_linked_row"),
                    "counts rows per row of the linked table; this column has no 'link'",
                )
            return
        at = self.builder.place(table.key, column.key, "link")
        target = self.method.question(column.link)
        if target is None or target.type != "table":
            self.builder.problem(
                at,
                f"links to '{column.link}', which is not a table{hint(column.link, self.tables())}",
            )
        elif self.later(target.key, stage_index):
            self.builder.problem(at, f"links to '{target.key}', which comes in a later stage")
        elif column.type == "ref":
            self.ref(table, column, target)
        else:
            self.linked_choice(table, column, target)

    def ref(self, table: Question, column: Question, target: Question) -> None:
        at = self.builder.place(table.key, column.key)
        if target.rows:
            if column.show:
                self.builder.problem(
                    at.key("show"),
                    f"'{target.key}' has fixed rows, named by their labels: remove 'show'",
                )
            return
        names = {c.key for c in target.columns}
        if target.per_side:
            self.builder.problem(
                at.key("link"),
                f"a ref needs a shared repeatable table (or a fixed-row one): '{target.key}' is "
                "answered by each side separately, so its rows differ by side",
            )
        elif not column.show:
            self.builder.problem(
                at,
                f"a ref column needs 'link' and 'show': 'show' names the columns of "
                f"'{target.key}' that name its rows",
            )
        elif set(column.show) - names:
            unknown = sorted(set(column.show) - names)
            self.builder.problem(
                at.key("show"),
                f"a ref needs a shared repeatable table and its columns: '{target.key}' has no "
                f"column {unknown}{hint(unknown[0], names)}",
            )

    def linked_choice(self, table: Question, column: Question, target: Question) -> None:
        at = self.builder.place(table.key, column.key)
        missing = [r.id for r in target.rows if column.choice(r.id) is None]
        if not target.rows or missing:
            self.builder.problem(
                at.key("choices"),
                f"a linked choice must list the table's fixed rows: '{target.key}' "
                + (f"has rows {missing} that are not choices" if missing else "has no fixed rows"),
            )
        if target.more_rows:
            self.builder.problem(
                at.key("type"),
                f"'{target.key}' also has rows from '{target.more_rows}', which a choice cannot "
                "name: make this a ref column",
            )


def _row_namer(table: Question) -> Question | None:
    """The column whose text names a row: the 'name' role, else the first text column."""
    return table.column_for("name") or next(
        (c for c in table.columns if c.type in TEXT_TYPES), None
    )


def _place_role_problems(builder: _Builder, method: Method) -> None:
    for found in roles.check(method):
        if found.stage is not None:
            at = builder.places.get(("stage", found.stage), ROOT)
            at = at.key(found.field) if found.field else at
        else:
            at = builder.place(found.question or "", found.column, found.field)
        builder.problem(at, found.message)


def parse(
    raw: Any,
    *,
    source: str = "<method>",
    lines: Mapping[tuple[Segment, ...], int] | None = None,
    problems: list[Problem] | None = None,
) -> Method:
    """Build a Method from its YAML data; raise MethodError listing every problem found.

    ``lines`` (from ``schema.read_yaml``) puts line numbers in the messages; ``problems`` are
    ones already found in the file (by YAML), reported with the rest.
    """
    reader = Reader(lines)
    builder = _Builder(reader)
    method = builder.method(raw)
    if method is not None:
        _Links(builder, method).check()
        _place_role_problems(builder, method)
        builder.advice.check(method)
    found = sorted([*(problems or []), *reader.problems], key=_by_line)
    if found or method is None:
        raise MethodError(_said(source, found), tuple(found))
    return method


def _by_line(problem: Problem) -> tuple[bool, int]:
    return problem.line is None, problem.line or 0


def _said(source: str, problems: list[Problem]) -> str:
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return f"{source}: {count}:\n- " + "\n- ".join(map(str, problems))


def parse_text(text: str, *, source: str = "<method>", version: str | None = None) -> Method:
    """Build a Method from a method file's text, with line numbers in any problems.

    ``version``: what the file's name says its version is, if it says one.
    """
    raw, lines, problems = read_yaml(text)
    if raw is None and problems:
        raise MethodError(_said(source, problems), tuple(problems))
    said = raw.get("version") if isinstance(raw, dict) else None
    if version is not None and isinstance(said, str) and said != version:
        # A copied file with its version left unchanged would stand in for the published one.
        problems.append(
            Problem(
                "version",
                f"the file is named for version {version} but says '{said}'",
                lines.get(("version",)),
            )
        )
    return parse(raw, source=source, lines=lines, problems=problems)


def load_file(path: Path) -> Method:
    """A method file anywhere (``flask workshop check-method``). A file named like a published
    version (tpi-<version>.yaml) must say that version."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MethodError(f"{path.name}: cannot be read: {error}") from error
    named = path.name.startswith("tpi-") and path.suffix == ".yaml"
    version = path.name.removeprefix("tpi-").removesuffix(".yaml") if named else None
    return parse_text(text, source=path.name, version=version)


@cache
def load(version: str) -> Method:
    """The method of this version, read and checked once per process."""
    path = VERSIONS_DIR / f"tpi-{version}.yaml"
    # A version is a name like 2024.2, never a path: nothing outside versions/ is read.
    if not re.fullmatch(r"[0-9]{4}\.[0-9]{1,3}", version) or not path.is_file():
        raise MethodError(f"no method version {version!r}")
    return load_file(path)


def check_all() -> list[Method]:
    """Every published version, checked: the app refuses to start with a broken one, so no
    person ever meets a method mistake halfway through a seminar."""
    return [load(version) for version in available_versions()]


def available_versions() -> list[str]:
    return sorted(p.stem.removeprefix("tpi-") for p in VERSIONS_DIR.glob("tpi-*.yaml"))


CURRENT_VERSION = "2024.2"  # what new partnerships start on
