"""Roles: what a question or a column *is for*, so the engine never names a method's keys.

A method file marks its needs matrix with ``role: needs_matrix`` and the matrix's "we can share"
column with ``role: offers``; the insights, the prefill rules and voting find what they work on
through ``Method.by_role`` and ``Question.column_for``. Renaming a key in a new method version
then changes nothing in Python, and a method that lacks what a feature needs is refused at load
with the missing part named, instead of the feature quietly showing nothing.

Everything here is data (the tables below) plus ``check``, which the loader runs on every
method. docs/method-format.md describes the same tables for method authors.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # definition imports this module; the check only reads its objects
    from workshop.method.definition import Method, Question, Stage

TEXTUAL = frozenset({"text", "long_text"})


@dataclass(frozen=True)
class ColumnRole:
    name: str
    types: frozenset[str]
    what: str  # for the documentation and messages
    optional: bool = False
    links_to: str | None = None  # the question role of the table whose rows it names


@dataclass(frozen=True)
class QuestionRole:
    name: str
    type: str
    what: str
    per_side: bool | None = None  # None: either shared or answered by each side
    fixed_rows: bool | None = None  # tables: one row per list item, or rows people add
    columns: tuple[ColumnRole, ...] = ()
    criteria: bool = False  # needs score columns with a weight: its scoring criteria


@dataclass(frozen=True)
class Feature:
    """An insight, a prefill rule or voting, and the roles it works on."""

    name: str
    needs: tuple[str, ...]  # question roles that must exist, in this stage or an earlier one
    optional: tuple[str, ...] = ()  # used when present
    on: str | None = None  # the role of the table that names it (prefill, voting)


def _ref(name: str, target: str, what: str, *, optional: bool = False) -> ColumnRole:
    return ColumnRole(name, frozenset({"ref"}), what, optional=optional, links_to=target)


def _one(name: str, kind: str, what: str) -> ColumnRole:
    return ColumnRole(name, frozenset({kind}), what)


QUESTION_ROLES: dict[str, QuestionRole] = {
    role.name: role
    for role in (
        QuestionRole(
            "needs_matrix",
            "table",
            "each side rates itself per assessment area",
            per_side=True,
            fixed_rows=True,
            columns=(
                _one("status", "status", "the side's 0–3 rating of the area"),
                ColumnRole("wants", TEXTUAL, "what the side wants to learn"),
                ColumnRole("offers", TEXTUAL, "what the side can share"),
            ),
        ),
        QuestionRole(
            "gaps",
            "table",
            "gaps between desired and current practice",
            per_side=False,
            fixed_rows=False,
            columns=(
                ColumnRole(
                    "area",
                    frozenset({"single_choice", "ref"}),
                    "the assessment area (a choice linked to the needs matrix, or a ref to it)",
                    links_to="needs_matrix",
                ),
            ),
        ),
        QuestionRole(
            "candidates",
            "table",
            "candidate priorities, scored on weighted criteria",
            fixed_rows=False,
            criteria=True,
            columns=(
                _one("name", "text", "the candidate's name"),
                _ref("gap", "gaps", "the gap it would close", optional=True),
            ),
        ),
        QuestionRole(
            "priorities",
            "table",
            "the priorities the pair confirms",
            per_side=False,
            fixed_rows=False,
            columns=(
                _one("name", "text", "the priority's name"),
                _ref("gap", "gaps", "the gap it closes", optional=True),
            ),
        ),
        QuestionRole(
            "objectives",
            "table",
            "SMART objectives, each serving a priority",
            per_side=False,
            fixed_rows=False,
            columns=(
                _ref("priority", "priorities", "the priority it serves"),
                _one("indicator", "text", "the indicator's name"),
                _one("target", "number", "the indicator's target value"),
                _one("target_on", "date", "when the target is due"),
                _one("baseline_on", "date", "when the baseline was measured"),
            ),
        ),
        QuestionRole(
            "activities",
            "table",
            "activities, each serving an objective",
            per_side=False,
            fixed_rows=False,
            columns=(
                _ref("objective", "objectives", "the objective it serves"),
                _one("owner", "text", "the responsible person"),
                _one("starts_on", "date", "start date"),
                _one("ends_on", "date", "end date"),
            ),
        ),
        QuestionRole("plan_start", "date", "the day the action plan starts", per_side=False),
        QuestionRole("plan_horizon", "number", "the plan's length in months", per_side=False),
    )
}

# Column roles any table may use, with a role or without: "name" labels the rows a table lends
# to another through ``more_rows`` (the areas a pair adds to the needs matrix).
ANY_TABLE: dict[str, ColumnRole] = {"name": _one("name", "text", "the text that names a row")}

COLUMN_ROLES: frozenset[str] = frozenset(
    {column.name for role in QUESTION_ROLES.values() for column in role.columns} | set(ANY_TABLE)
)

INSIGHTS: dict[str, Feature] = {
    "needs_offers": Feature("needs_offers", needs=("needs_matrix",)),
    "score_summary": Feature("score_summary", needs=("candidates",)),
    "smart_check": Feature(
        "smart_check",
        needs=("objectives", "activities"),
        optional=("plan_start", "plan_horizon"),
    ),
}

PREFILLS: dict[str, Feature] = {
    "gaps_from_needs": Feature("gaps_from_needs", needs=("needs_matrix",), on="gaps"),
    "candidates_from_gaps": Feature("candidates_from_gaps", needs=("gaps",), on="candidates"),
    "priorities_from_candidates": Feature(
        "priorities_from_candidates", needs=("candidates",), on="priorities"
    ),
    "objectives_from_priorities": Feature(
        "objectives_from_priorities", needs=("priorities",), on="objectives"
    ),
}

VOTING = Feature("voting", needs=("candidates",), on="candidates")


@dataclass(frozen=True)
class RoleProblem:
    """A problem found by ``check``, placed by keys: the loader turns them into file paths."""

    message: str
    question: str | None = None  # a question's key
    column: str | None = None  # one of its columns
    stage: str | None = None  # or a stage's key
    field: str | None = None  # the key within that part the problem is about


def check(method: Method) -> list[RoleProblem]:
    """Every way the method's roles fall short of what the roles and the features need."""
    problems: list[RoleProblem] = []
    first: dict[str, str] = {}
    for question in _all_questions(method):
        if question.role is not None and question.role in first:
            problems.append(
                RoleProblem(
                    f"role '{question.role}' is already given to '{first[question.role]}'; "
                    "each question role is used at most once per method",
                    question.key,
                    field="role",
                )
            )
        elif question.role is not None:
            first[question.role] = question.key
        problems += _check_question(method, question)
    problems += _check_features(method)
    return problems


def _all_questions(method: Method) -> Iterator[Question]:
    for stage in method.stages:
        yield from stage.questions()


def _check_question(method: Method, question: Question) -> list[RoleProblem]:
    role = QUESTION_ROLES.get(question.role or "")
    if role is None:
        return _check_roleless_columns(method, question)
    return _check_shape(question, role) + _check_columns(method, question, role)


def _check_roleless_columns(method: Method, question: Question) -> list[RoleProblem]:
    problems = []
    seen: set[str] = set()
    for column in question.columns:
        if column.role in seen:
            problems.append(_twice(question, column))
        elif column.role in ANY_TABLE:
            problems += _check_column(method, question, column, ANY_TABLE[column.role])
        elif column.role is not None:
            problems.append(
                RoleProblem(
                    f"column role '{column.role}' means something only in a table with a role; "
                    "give the table one",
                    question.key,
                    column.key,
                    field="role",
                )
            )
        seen |= {column.role} if column.role else set()
    return problems


def _twice(table: Question, column: Question) -> RoleProblem:
    return RoleProblem(
        f"column role '{column.role}' is given to two columns of this table",
        table.key,
        column.key,
        field="role",
    )


def _check_shape(question: Question, role: QuestionRole) -> list[RoleProblem]:
    wrong = []
    if question.type != role.type:
        wrong.append(f"must be a {role.type} question (this one is {question.type})")
    elif role.per_side is True and not question.per_side:
        wrong.append("must be answered by each side (per_side: true)")
    elif role.per_side is False and question.per_side:
        wrong.append("must be answered together, not per side")
    if role.fixed_rows is True and question.type == "table" and not question.rows:
        wrong.append("needs fixed rows ('rows:' naming a list)")
    elif role.fixed_rows is False and question.rows:
        wrong.append("must have rows that people add, not fixed 'rows'")
    if role.criteria and question.type == "table" and not any(c.weight for c in question.columns):
        wrong.append("needs criteria: score columns with a 'weight'")
    said = f"a question with role '{role.name}' ({role.what})"
    return [RoleProblem(f"{said} {w}", question.key, field="role") for w in wrong]


def _check_columns(method: Method, question: Question, role: QuestionRole) -> list[RoleProblem]:
    problems = []
    wanted = {c.name: c for c in role.columns}
    seen: set[str] = set()
    for column in question.columns:
        if column.role is None:
            continue
        need = wanted.get(column.role)
        if need is None:
            problems.append(
                RoleProblem(
                    f"column role '{column.role}' does not belong in a '{role.name}' table; "
                    f"its column roles are: {', '.join(wanted) or 'none'}",
                    question.key,
                    column.key,
                    field="role",
                )
            )
        elif column.role in seen:
            problems.append(_twice(question, column))
        else:
            problems += _check_column(method, question, column, need)
        seen.add(column.role)
    for name, need in wanted.items():
        if name not in seen and not need.optional:
            problems.append(
                RoleProblem(
                    f"a '{role.name}' table needs a column with role '{name}' ({need.what})",
                    question.key,
                    field="columns",
                )
            )
    return problems


def _check_column(
    method: Method, table: Question, column: Question, need: ColumnRole
) -> list[RoleProblem]:
    def problem(message: str, field: str = "role") -> RoleProblem:
        return RoleProblem(message, table.key, column.key, field=field)

    if column.type not in need.types:
        kinds = " or ".join(sorted(need.types))
        return [problem(f"column role '{need.name}' must be a {kinds} column, not {column.type}")]
    if need.links_to is None:
        return []
    target = method.by_role(need.links_to)
    if target is None:
        return [
            problem(
                f"column role '{need.name}' links to the table with role '{need.links_to}', "
                "and no question has that role"
            )
        ]
    linked = method.question(column.link or "")
    if column.link is not None and (linked is None or linked.type != "table"):
        return []  # a link to nothing: the loader says so, and what it should be is no news
    if column.link != target.key:
        now = f"not '{column.link}'" if column.link else "and has no 'link'"
        return [
            problem(
                f"column role '{need.name}' must link to '{target.key}' (the table with role "
                f"'{need.links_to}'), {now}",
                field="link",
            )
        ]
    return []


def _check_features(method: Method) -> list[RoleProblem]:
    problems = []
    for stage in method.stages:
        for name in stage.insights:
            problems += _check_needs(method, stage, INSIGHTS[name], f"insight '{name}'", None)
        for question in stage.questions():
            if question.prefill in PREFILLS:
                feature = PREFILLS[question.prefill]
                what = f"prefill '{question.prefill}'"
                problems += _check_needs(method, stage, feature, what, question)
        voted = method.question(stage.vote_on or "")
        if voted is not None and voted.type == "table":
            problems += _check_needs(method, stage, VOTING, "voting", voted)
    return problems


def _check_needs(
    method: Method, stage: Stage, feature: Feature, what: str, table: Question | None
) -> list[RoleProblem]:
    def problem(message: str) -> RoleProblem:
        if table is None or feature is VOTING:
            field = "voting" if feature is VOTING else "insights"
            return RoleProblem(message, stage=stage.key, field=field)
        return RoleProblem(message, table.key, field="prefill")

    problems = []
    if feature.on is not None and table is not None and table.role != feature.on:
        problems.append(
            problem(
                f"{what} works on a table with role '{feature.on}'; "
                f"'{table.key}' has {_role_said(table.role)}"
            )
        )
    for role in (*feature.needs, *feature.optional):
        found = method.by_role(role)
        if found is None and role in feature.needs:
            problems.append(problem(f"{what} needs a question with role '{role}'; none has it"))
        elif found is not None and _position(method, found.key) > _index(method, stage):
            problems.append(
                problem(f"{what} needs '{found.key}' (role '{role}'), which comes in a later stage")
            )
    return problems


def _role_said(role: str | None) -> str:
    return f"role '{role}'" if role else "no role"


def _position(method: Method, key: str) -> int:
    """Where the stage a question is in comes in the method (stage numbers are checked
    elsewhere and may be wrong here)."""
    found = method.section_of(key)
    return _index(method, found[0]) if found else 0


def _index(method: Method, stage: Stage) -> int:
    # By identity: two stages may be equal field by field while the file is broken.
    return next((n for n, s in enumerate(method.stages) if s is stage), 0)
