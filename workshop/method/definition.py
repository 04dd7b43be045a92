"""The TPI method as data: stages → sections → questions, in Ukrainian and English.

A method version is a YAML file in ``versions/``. It is read once, checked thoroughly (a broken
definition never reaches a user) and turned into frozen dataclasses. Rendering, validating and
storing answers work from these objects alone, so a new question needs no new code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

VERSIONS_DIR = Path(__file__).parent / "versions"
LANGS = ("uk", "en")
QUESTION_TYPES = {
    "text",  # one line
    "long_text",
    "single_choice",
    "multi_choice",
    "status",  # 0–3: not in place · partly · mostly · fully
    "score",  # 1–5
    "number",  # with a unit, optional min/max
    "date",
    "person",  # name, role, e-mail
    "table",  # rows of typed columns, repeatable or one row per item of a list
}
# "ref" names a row of an earlier repeatable table, by the row's stable id.
COLUMN_TYPES = (QUESTION_TYPES - {"table", "person"}) | {"ref"}
INSIGHTS = {"needs_offers", "score_summary", "smart_check"}
PREFILLS = {
    "gaps_from_needs",
    "candidates_from_gaps",
    "priorities_from_candidates",
    "objectives_from_priorities",
}
TEXT_LIMITS = {"text": 300, "long_text": 5000}


class MethodError(Exception):
    """A method definition that must not be used, with every problem found in it."""


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
    max_rows: int = 50
    min_rows: int = 0  # checked when the stage is submitted, never while drafting
    weight: int | None = None  # a scoring criterion's weight in a weighted total
    prefill: str | None = None  # a rule that proposes rows from an earlier stage's answers
    # A column whose value names a row of another table ("ref", or a choice among a fixed-row
    # table's items): where the row came from. ``show`` lists the columns that name that row.
    link: str | None = None
    show: tuple[str, ...] = ()
    item: Text | None = None  # what one row of a table is called ("Gap", "Objective")

    @property
    def text_limit(self) -> int:
        return self.max_length or TEXT_LIMITS.get(self.type, 300)

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


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
    _questions: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    def stage(self, key: str) -> Stage | None:
        return next((s for s in self.stages if s.key == key), None)

    def question(self, key: str) -> Question | None:
        return self._questions.get(key)

    def section_of(self, key: str) -> tuple[Stage, Section] | None:
        for stage in self.stages:
            for section in stage.sections:
                if any(q.key == key for q in section.questions):
                    return stage, section
        return None


class _Reader:
    """Turns raw YAML into dataclasses, collecting every problem instead of stopping at one."""

    def __init__(self, lists: dict[str, Any]) -> None:
        self.lists = lists
        self.problems: list[str] = []

    def text(self, raw: Any, where: str, *, optional: bool = False) -> Text | None:
        if raw is None and optional:
            return None
        if not isinstance(raw, dict) or any(not str(raw.get(lang) or "").strip() for lang in LANGS):
            self.problems.append(f"{where}: needs non-empty 'uk' and 'en' text")
            return Text(uk="?", en="?")
        # A comma in an unquoted YAML flow mapping silently cuts the text and adds a stray key.
        if set(raw) - {*LANGS, "id"}:
            self.problems.append(f"{where}: unexpected keys {sorted(set(raw) - {*LANGS, 'id'})}")
        return Text(uk=str(raw["uk"]).strip(), en=str(raw["en"]).strip())

    def choices(self, raw: Any, where: str) -> tuple[Choice, ...]:
        if isinstance(raw, str):
            if raw not in self.lists:
                self.problems.append(f"{where}: unknown list {raw!r}")
                return ()
            raw = self.lists[raw]
        if not isinstance(raw, list) or not raw:
            self.problems.append(f"{where}: needs a non-empty list of choices")
            return ()
        made = tuple(
            Choice(id=str(item.get("id")), label=self.text(item, f"{where}[{n}]"))  # type: ignore[arg-type]
            for n, item in enumerate(raw)
            if isinstance(item, dict)
        )
        ids = [c.id for c in made]
        if len(set(ids)) != len(ids) or "None" in ids:
            self.problems.append(f"{where}: choice ids must be present and unique")
        return made

    def question(self, raw: dict[str, Any], where: str, *, column: bool = False) -> Question:
        key = str(raw.get("key", ""))
        kind = str(raw.get("type", ""))
        where = f"{where}.{key or '?'}"
        # Starting with a letter keeps ``_remove`` (a row's remove box) free of any column.
        if not key.replace("_", "").isalnum() or not key.islower() or not key[:1].isalpha():
            self.problems.append(f"{where}: key must be lower_snake_case")
        allowed = COLUMN_TYPES if column else QUESTION_TYPES
        if kind not in allowed:
            self.problems.append(f"{where}: unknown type {kind!r}")
        choices: tuple[Choice, ...] = ()
        if kind in {"single_choice", "multi_choice"}:
            choices = self.choices(raw.get("choices"), where)
        columns: tuple[Question, ...] = ()
        rows: tuple[Choice, ...] = ()
        if kind == "table":
            raw_columns = raw.get("columns") or []
            if not raw_columns:
                self.problems.append(f"{where}: a table needs columns")
            columns = tuple(self.question(c, where, column=True) for c in raw_columns)
            self.unique([c.key for c in columns], where)
            if raw.get("rows") is not None:
                rows = self.choices(raw.get("rows"), f"{where}.rows")
        low, high = raw.get("min"), raw.get("max")
        if low is not None and high is not None and float(low) > float(high):
            self.problems.append(f"{where}: min is above max")
        return Question(
            key=key,
            type=kind,
            label=self.text(raw.get("label"), f"{where}.label"),  # type: ignore[arg-type]
            help=self.text(raw.get("help"), f"{where}.help", optional=True),
            example=self.text(raw.get("example"), f"{where}.example", optional=True),
            required=bool(raw.get("required", False)),
            per_side=bool(raw.get("per_side", False)),
            max_length=raw.get("max_length"),
            min=None if low is None else float(low),
            max=None if high is None else float(high),
            unit=self.text(raw.get("unit"), f"{where}.unit", optional=True),
            choices=choices,
            columns=columns,
            rows=rows,
            max_rows=int(raw.get("max_rows", 50)),
            min_rows=int(raw.get("min_rows", 0)),
            weight=raw.get("weight"),
            prefill=self.prefill(raw.get("prefill"), kind, where),
            link=self.link(raw, kind, where),
            item=self.text(raw.get("item"), f"{where}.item", optional=True),
            show=tuple(raw["show"] if isinstance(raw.get("show"), list) else [raw.get("show")])
            if raw.get("show")
            else (),
        )

    def link(self, raw: dict[str, Any], kind: str, where: str) -> str | None:
        target = raw.get("link")
        if kind == "ref" and not target:
            self.problems.append(f"{where}: a ref column needs 'link' and 'show'")
        if target is not None and kind not in {"ref", "single_choice"}:
            self.problems.append(f"{where}: only ref and single_choice columns can link")
        return None if target is None else str(target)

    def prefill(self, name: Any, kind: str, where: str) -> str | None:
        if name is None:
            return None
        if name not in PREFILLS or kind != "table":
            self.problems.append(f"{where}: unknown prefill {name!r} (tables only)")
        return str(name)

    def stage(self, stage_raw: dict[str, Any], n: int) -> Stage:
        key = str(stage_raw.get("key", ""))
        sections = []
        for section_raw in stage_raw.get("sections") or []:
            where = f"{key}.{section_raw.get('key', '?')}"
            questions = tuple(self.question(q, where) for q in section_raw.get("questions") or [])
            if not questions:
                self.problems.append(f"{where}: a section needs questions")
            sections.append(
                Section(
                    key=str(section_raw.get("key", "")),
                    title=self.text(section_raw.get("title"), f"{where}.title"),  # type: ignore[arg-type]
                    help=self.text(section_raw.get("help"), f"{where}.help", optional=True),
                    questions=questions,
                )
            )
        self.unique([s.key for s in sections], key)
        insights = tuple(stage_raw.get("insights") or ())
        for unknown in set(insights) - INSIGHTS:
            self.problems.append(f"{key}: unknown insight {unknown!r}")
        voting = stage_raw.get("voting") or {}
        if voting and (not isinstance(voting.get("budget"), int) or voting["budget"] < 1):
            self.problems.append(f"{key}: voting needs a whole-number budget of dots")
        return Stage(
            key=key,
            number=int(stage_raw.get("number", n)),
            title=self.text(stage_raw.get("title"), f"{key}.title"),  # type: ignore[arg-type]
            intro=self.text(stage_raw.get("intro"), f"{key}.intro", optional=True),
            sections=tuple(sections),
            insights=insights,
            vote_on=voting.get("candidates"),
            vote_budget=int(voting.get("budget") or 0),
        )

    def unique(self, keys: list[str], where: str) -> None:
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            self.problems.append(f"{where}: repeated keys {repeated}")


def parse(raw: dict[str, Any], *, source: str = "<method>") -> Method:
    """Build a Method from its YAML data; raise MethodError listing every problem found."""
    reader = _Reader(raw.get("lists") or {})
    stages = [reader.stage(stage_raw, n) for n, stage_raw in enumerate(raw.get("stages") or [], 1)]
    if not stages:
        reader.problems.append("a method needs stages")
    reader.unique([s.key for s in stages], "stages")
    all_questions = [q for s in stages for q in s.questions()]
    reader.unique([q.key for q in all_questions], "questions")
    by_key = {q.key: q for q in all_questions}
    for question in all_questions:
        for column in question.columns:
            _check_link(column, by_key, f"{question.key}.{column.key}", reader.problems)
    for stage in stages:
        if stage.vote_on and stage.vote_on not in {q.key for q in stage.questions()}:
            reader.problems.append(f"{stage.key}: votes on unknown question {stage.vote_on!r}")
    if not str(raw.get("version") or "").strip():
        reader.problems.append("the method needs a version")
    if reader.problems:
        raise MethodError(f"{source}:\n- " + "\n- ".join(reader.problems))
    return Method(
        version=str(raw["version"]),
        title=reader.text(raw.get("title"), "title"),  # type: ignore[arg-type]
        stages=tuple(stages),
        _questions={q.key: q for q in all_questions},
    )


def _check_link(
    column: Question, questions: dict[str, Question], where: str, problems: list[str]
) -> None:
    """A link must point at a table; a ref at a repeatable one, named by its own columns."""
    if column.link is None:
        return
    target = questions.get(column.link)
    if target is None or target.type != "table":
        problems.append(f"{where}: links to {column.link!r}, which is not a table")
        return
    if column.type == "ref":
        names = {c.key for c in target.columns}
        if target.rows or target.per_side or not column.show or set(column.show) - names:
            problems.append(f"{where}: a ref needs a shared repeatable table and its columns")
    elif not target.rows or {r.id for r in target.rows} - {c.id for c in column.choices}:
        problems.append(f"{where}: a linked choice must list the table's fixed rows")


@cache
def load(version: str) -> Method:
    """The method of this version, read and checked once per process."""
    path = VERSIONS_DIR / f"tpi-{version}.yaml"
    if not path.is_file():
        raise MethodError(f"no method version {version!r}")
    with path.open(encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle), source=path.name)


def available_versions() -> list[str]:
    return sorted(p.stem.removeprefix("tpi-") for p in VERSIONS_DIR.glob("tpi-*.yaml"))


CURRENT_VERSION = "2024.1"
