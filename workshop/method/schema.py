"""The method file's format: every key at every level, its type, and how a mistake is said.

``LEVELS`` is the one table of what a method file may contain (docs/method-format.md describes
the same keys for method authors; a test keeps the two in step). ``Reader`` checks raw YAML
values against it and collects *every* problem with its place in the file, so an author fixes a
file in one pass instead of one crash at a time. Turning checked values into the method's
dataclasses, and checking how the parts refer to each other, is ``definition``'s work.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from workshop.method import roles

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
# "ref" names a row of another table, by the row's id.
COLUMN_TYPES = (QUESTION_TYPES - {"table", "person"}) | {"ref"}
TEXT_TYPES = frozenset({"text", "long_text"})
CHOICE_TYPES = frozenset({"single_choice", "multi_choice"})
LINKING_TYPES = frozenset({"ref", "single_choice"})
TEXT_LIMITS = {"text": 300, "long_text": 5000}

# Keys end up in form field names and database columns (stage and section keys: 40 characters);
# a fixed row's id is a row id on the wire (answers.wire.ROW_ID_PATTERN: at most 24).
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
KEY_LENGTH = 40
ID_LENGTH = 24
VERSION_LENGTH = 20  # Partnership.method_version
# Limits past which a number is a typo rather than a wish (max_rows: 2000 for 20).
MAX_ROWS = 500
MAX_LENGTH = 20_000
MAX_WEIGHT = 100
MAX_BUDGET = 100
MAX_NUMBER = 1e12  # what an answer may hold (answers.values)

Segment = str | int


@dataclass(frozen=True)
class Field:
    """One key of one level: what its value must be, and which question types may carry it."""

    kind: str  # text · string · key · keys · id · bool · whole · number · one_of · names · …
    required: bool = False
    low: int | None = None  # for whole numbers
    high: int | None = None
    options: frozenset[str] = frozenset()  # for one_of and names
    what: str = ""  # what one option is called in a message ("type", "insight")
    only: frozenset[str] | None = None  # the question/column types this key belongs to


def _one_of(options: Iterable[str], what: str, **kw: Any) -> Field:
    return Field("one_of", options=frozenset(options), what=what, **kw)


_TABLE = frozenset({"table"})
_NUMBER = frozenset({"number"})

LEVELS: dict[str, dict[str, Field]] = {
    "method": {
        "version": Field("version", required=True),
        "title": Field("text", required=True),
        "lists": Field("lists"),
        "stages": Field("list", required=True),
        "recommendations": Field("list"),
    },
    "list item": {
        "id": Field("id", required=True),
        "uk": Field("string", required=True),
        "en": Field("string", required=True),
    },
    "text": {
        "uk": Field("string", required=True),
        "en": Field("string", required=True),
    },
    "stage": {
        "key": Field("key", required=True),
        "number": Field("whole", low=1, high=99),
        "title": Field("text", required=True),
        "intro": Field("text"),
        "insights": Field("names", options=frozenset(roles.INSIGHTS), what="insight"),
        "voting": Field("mapping"),
        "sections": Field("list", required=True),
    },
    "voting": {
        "candidates": Field("key", required=True),
        "budget": Field("whole", required=True, low=1, high=MAX_BUDGET),
    },
    "section": {
        "key": Field("key", required=True),
        "title": Field("text", required=True),
        "help": Field("text"),
        "questions": Field("list", required=True),
    },
    "question": {
        "key": Field("key", required=True),
        "type": _one_of(QUESTION_TYPES, "type", required=True),
        "label": Field("text", required=True),
        "help": Field("text"),
        "example": Field("text"),
        "required": Field("bool"),
        "per_side": Field("bool"),
        "role": _one_of(roles.QUESTION_ROLES, "question role"),
        "max_length": Field("whole", low=1, high=MAX_LENGTH, only=TEXT_TYPES),
        "min": Field("number", only=_NUMBER),
        "max": Field("number", only=_NUMBER),
        "unit": Field("text", only=_NUMBER),
        "choices": Field("choices", only=CHOICE_TYPES),
        "item": Field("text", only=_TABLE),
        "columns": Field("list", only=_TABLE),
        "rows": Field("choices", only=_TABLE),
        "more_rows": Field("key", only=_TABLE),
        "min_rows": Field("whole", low=0, high=MAX_ROWS, only=_TABLE),
        "max_rows": Field("whole", low=1, high=MAX_ROWS, only=_TABLE),
        "prefill": _one_of(roles.PREFILLS, "prefill rule", only=_TABLE),
    },
    "column": {
        "key": Field("key", required=True),
        "type": _one_of(COLUMN_TYPES, "column type", required=True),
        "label": Field("text", required=True),
        "required": Field("bool"),
        "role": _one_of(roles.COLUMN_ROLES, "column role"),
        "max_length": Field("whole", low=1, high=MAX_LENGTH, only=TEXT_TYPES),
        "min": Field("number", only=_NUMBER),
        "max": Field("number", only=_NUMBER),
        "unit": Field("text", only=_NUMBER),
        "choices": Field("choices", only=CHOICE_TYPES),
        "weight": Field("whole", low=1, high=MAX_WEIGHT, only=frozenset({"score"})),
        "link": Field("key", only=LINKING_TYPES),
        "show": Field("keys", only=frozenset({"ref"})),
        "per_linked_row": Field("mapping", only=LINKING_TYPES),
    },
    "per_linked_row": {
        "min": Field("whole", low=0, high=MAX_ROWS),
        "max": Field("whole", low=1, high=MAX_ROWS),
    },
    # Recommendations for the heads: a rule applies when its condition holds for the answers.
    # A condition is one kind (its key) with that kind's details; workshop.recommendations
    # checks what they name and evaluates them.
    "recommendation": {
        "key": Field("key", required=True),
        "when": Field("mapping", required=True),
        "text": Field("text", required=True),
    },
    "condition": {
        "missing": Field("key"),
        "side": _one_of(("ua", "partner", "any"), "side"),  # with missing, for per-side questions
        "one_side_only": Field("key"),
        "choice_in": Field("mapping"),
        "rows_with": Field("mapping"),
        "rows_missing": Field("mapping"),
        "no_side_in": Field("mapping"),
        "one_way_exchange": Field("bool"),
        "any": Field("list"),
    },
    "choice_in": {
        "question": Field("key", required=True),
        "values": Field("keys", required=True),
    },
    "rows_with": {
        "question": Field("key", required=True),
        "column": Field("key", required=True),
        "values": Field("keys", required=True),
    },
    "rows_missing": {
        "question": Field("key", required=True),
        "column": Field("keys", required=True),
    },
    "no_side_in": {
        "question": Field("key", required=True),
        "column": Field("key", required=True),
        "side": Field("keys", required=True),
    },
}


def known_keys() -> set[str]:
    """Every key a method file may use anywhere (for the documentation's test)."""
    return {name for fields in LEVELS.values() for name in fields}


@dataclass(frozen=True)
class At:
    """A place in the file, both as the keys to reach it and as a person reads it."""

    keys: tuple[Segment, ...] = ()
    shown: tuple[str, ...] = ()

    def key(self, name: str) -> At:
        return At((*self.keys, name), (*self.shown, name))

    def item(self, index: int, name: str | None = None) -> At:
        # "stages" + 2 reads "stages[2] (priorities)": the index finds it, the key names it.
        last = self.shown[-1] if self.shown else ""
        label = f"{last}[{index}]" + (f" ({name})" if name else "")
        return At((*self.keys, index), (*self.shown[:-1], label))

    def __str__(self) -> str:
        return " › ".join(self.shown)


ROOT = At()


@dataclass(frozen=True)
class Problem:
    """One mistake in a method file: where, what, and the line when the file was read here."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        line = f" (line {self.line})" if self.line else ""
        return f"{where}{self.message}{line}"


def shown(value: Any) -> str:
    """What a value is, said for someone who wrote it in YAML."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        # YAML reads a bare yes/no/on/off as true/false, which surprises in an id or a text.
        return f"the yes/no value {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "…"
        return f'the text "{text}"'
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def hint(word: Any, options: Iterable[str]) -> str:
    """' (did you mean 'required'?)' when ``word`` looks like a misspelt option, else ''."""
    close = difflib.get_close_matches(str(word), sorted(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _quote_hint(value: Any) -> str:
    return " — put it in quotes" if isinstance(value, bool | int | float | date) else ""


class Reader:
    """Checks raw values against ``LEVELS``, collecting every problem with its place."""

    def __init__(self, lines: Mapping[tuple[Segment, ...], int] | None = None) -> None:
        self.lines = lines or {}
        self.problems: list[Problem] = []

    def problem(self, at: At, message: str) -> None:
        self.problems.append(Problem(str(at), message, self._line(at.keys)))

    def _line(self, keys: tuple[Segment, ...]) -> int | None:
        # A missing key has no line of its own: the nearest enclosing part that has one.
        while keys:
            if keys in self.lines:
                return self.lines[keys]
            keys = keys[:-1]
        return None

    def mapping(self, raw: Any, at: At, level: str) -> dict[Any, Any] | None:
        """``raw`` when it is a mapping of this level, after reporting unknown and missing keys."""
        fields = LEVELS[level]
        if not isinstance(raw, dict):
            self.problem(at, f"must be a mapping of {level} keys, got {shown(raw)}")
            return None
        if level == "text" and set(raw) - set(LANGS):
            # A comma in unquoted flow text ({uk: a, b, en: c}) cuts the text and adds a key.
            self.problem(
                at,
                f"unexpected keys {sorted(map(str, set(raw) - set(LANGS)))}: a text has only "
                "'uk' and 'en' (text with a comma or colon must be in quotes)",
            )
        elif level != "text":
            for name in raw:
                if name not in fields:
                    self.problem(at.key(str(name)), f"unknown key{hint(name, fields)}")
        for name, spec in fields.items():
            # A text's missing language is said by _string, with the other empty ones.
            if spec.required and name not in raw and level != "text":
                self.problem(at.key(name), f"is missing: every {level} needs '{name}'")
        return raw

    def fields(self, raw: dict[Any, Any], at: At, level: str) -> dict[str, Any]:
        """The level's keys present in ``raw`` with values of the right type, converted."""
        fields = LEVELS[level]
        typed = "type" in fields and "type" in raw
        kind = self.convert(fields["type"], raw["type"], at.key("type")) if typed else None
        found: dict[str, Any] = {} if kind is None else {"type": kind}
        for name, spec in fields.items():
            if name not in raw or name == "type":
                continue
            if kind is not None and spec.only is not None and kind not in spec.only:
                owners = " and ".join(sorted(spec.only))
                self.problem(
                    at.key(name), f"only {owners} {level}s take '{name}'; this one is {kind}"
                )
                continue
            value = self.convert(spec, raw[name], at.key(name))
            if value is not None:
                found[name] = value
        return found

    def convert(self, spec: Field, value: Any, at: At) -> Any:
        """The checked value, or None after reporting why it cannot be used."""
        return getattr(self, f"_{spec.kind}")(spec, value, at)

    def _text(self, spec: Field, value: Any, at: At) -> tuple[str, str] | None:
        raw = self.mapping(value, at, "text") if isinstance(value, dict) else None
        if raw is None:
            if not isinstance(value, dict):
                self.problem(
                    at,
                    f"needs non-empty 'uk' and 'en' text, got {shown(value)}; "
                    "write {uk: …, en: …}",
                )
            return None
        texts = [self.convert(LEVELS["text"][lang], raw.get(lang), at.key(lang)) for lang in LANGS]
        if None in texts:
            return None
        return texts[0], texts[1]

    def _string(self, spec: Field, value: Any, at: At) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, str) or value is None:
            self.problem(at, "needs non-empty 'uk' and 'en' text; this one is missing or empty")
        else:
            self.problem(at, f"must be text, got {shown(value)}{_quote_hint(value)}")
        return None

    def _version(self, spec: Field, value: Any, at: At) -> str | None:
        if not isinstance(value, str) or not value.strip():
            # 2024.1 unquoted is a number, and a number loses its trailing zeros (2024.10).
            self.problem(
                at, f'the method needs a version as text, like "2024.2"; got {shown(value)}'
            )
            return None
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.\-]*", value) or len(value) > VERSION_LENGTH:
            self.problem(
                at,
                "a version is letters, digits, dots and dashes, at most "
                f"{VERSION_LENGTH} characters; got {shown(value)}",
            )
            return None
        return value

    def _identifier(self, value: Any, at: At, length: int, what: str) -> str | None:
        if not isinstance(value, str):
            self.problem(at, f"{what} must be text, got {shown(value)}{_quote_hint(value)}")
            return None
        if not KEY_PATTERN.fullmatch(value) or len(value) > length:
            self.problem(
                at,
                f"{what} must be lower_snake_case: small Latin letters, digits and _, starting "
                f"with a letter, at most {length} characters; got '{value}'",
            )
            return None
        return value

    def _key(self, spec: Field, value: Any, at: At) -> str | None:
        return self._identifier(value, at, KEY_LENGTH, "a key")

    def _id(self, spec: Field, value: Any, at: At) -> str | None:
        return self._identifier(value, at, ID_LENGTH, "an id")

    def _keys(self, spec: Field, value: Any, at: At) -> tuple[str, ...] | None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            self.problem(at, f"must be a key or a list of keys, got {shown(value)}")
            return None
        keys = [self._key(spec, item, at) for item in items]
        return None if None in keys else tuple(k for k in keys if k is not None)

    def _bool(self, spec: Field, value: Any, at: At) -> bool | None:
        if isinstance(value, bool):
            return value
        self.problem(at, f"must be true or false, got {shown(value)}")
        return None

    def _whole(self, spec: Field, value: Any, at: At) -> int | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(at, f"must be a whole number, got {shown(value)}")
            return None
        if spec.low is not None and value < spec.low:
            self.problem(at, f"must be at least {spec.low}, got {value}")
            return None
        if spec.high is not None and value > spec.high:
            self.problem(at, f"must be at most {spec.high}, got {value}")
            return None
        return value

    def _number(self, spec: Field, value: Any, at: At) -> float | None:
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
            or abs(value) > MAX_NUMBER
        ):
            self.problem(at, f"must be a number, got {shown(value)}")
            return None
        return float(value)

    def _one_of(self, spec: Field, value: Any, at: At) -> str | None:
        if isinstance(value, str) and value in spec.options:
            return value
        if not isinstance(value, str):
            self.problem(at, f"must be the name of a {spec.what}, got {shown(value)}")
            return None
        self.problem(
            at,
            f"unknown {spec.what} '{value}'{hint(value, spec.options)}; "
            f"known: {', '.join(sorted(spec.options))}",
        )
        return None

    def _names(self, spec: Field, value: Any, at: At) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.problem(at, f"must be a list of {spec.what} names, got {shown(value)}")
            return None
        names = [self._one_of(spec, item, at.item(n)) for n, item in enumerate(value)]
        repeated = sorted({n for n in names if n is not None and names.count(n) > 1})
        if repeated:
            self.problem(at, f"names {repeated} more than once")
        return tuple(dict.fromkeys(n for n in names if n is not None))

    def _list(self, spec: Field, value: Any, at: At) -> list[Any] | None:
        if not isinstance(value, list) or not value:
            self.problem(
                at, f"must be a non-empty list (each item starting with -), got {shown(value)}"
            )
            return None
        return value

    def _mapping(self, spec: Field, value: Any, at: At) -> dict[Any, Any] | None:
        if not isinstance(value, dict):
            self.problem(at, f"must be a mapping, got {shown(value)}")
            return None
        return value

    def _lists(self, spec: Field, value: Any, at: At) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(at, f"must be a mapping of list names to lists, got {shown(value)}")
            return None
        named = {}
        for name, items in value.items():
            key = self._key(spec, name, at.key(str(name)))
            if key is not None:
                named[key] = items
        return named

    def _choices(self, spec: Field, value: Any, at: At) -> str | list[Any] | None:
        if isinstance(value, str | list):
            return value
        self.problem(
            at, f"must be the name of a list or a list of {{id, uk, en}}, got {shown(value)}"
        )
        return None


# libyaml when PyYAML was built with it: the same results, several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> tuple[Any, dict[tuple[Segment, ...], int], list[Problem]]:
    """The file's data, the line of every key and item, and what YAML itself found wrong."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[tuple[Segment, ...], int] = {}
        problems: list[Problem] = []
        if node is not None:
            _walk(node, (), lines, problems, set())
        # Constructing after the walk: merge keys (<<) rewrite the nodes in place.
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = f"the file is not valid YAML: {error.problem or error.context}"
        return None, {}, [Problem("", message, mark.line + 1 if mark else None)]
    except yaml.YAMLError as error:
        return None, {}, [Problem("", f"the file is not valid YAML: {error}")]
    finally:
        loader.dispose()
    return data, lines, problems


def _walk(
    node: yaml.Node,
    keys: tuple[Segment, ...],
    lines: dict[tuple[Segment, ...], int],
    problems: list[Problem],
    open_nodes: set[int],
) -> None:
    # An alias may point back at a node that contains it; the data then repeats forever.
    if id(node) in open_nodes:
        return
    open_nodes.add(id(node))
    lines.setdefault(keys, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            line = key_node.start_mark.line + 1
            if name in seen and name != "<<":
                # PyYAML keeps the last of two equal keys without a word; that hides edits.
                problems.append(
                    Problem(
                        str(_at(keys).key(name)),
                        f"appears twice in one mapping (first on line {seen[name]}); "
                        "YAML would silently keep only the last one",
                        line,
                    )
                )
            seen.setdefault(name, line)
            lines.setdefault((*keys, name), line)
            _walk(value_node, (*keys, name), lines, problems, open_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*keys, index), lines, problems, open_nodes)
    open_nodes.discard(id(node))


def _at(keys: tuple[Segment, ...]) -> At:
    at = ROOT
    for key in keys:
        at = at.item(key) if isinstance(key, int) else at.key(key)
    return at
