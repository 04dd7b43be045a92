"""The conditions a recommendation rule is written in: a small, fixed vocabulary.

A method author combines these in YAML; ``rules`` evaluates them. Each is a frozen dataclass
that names questions and columns by key, exactly as the method file does, so a rule reads the
same in the file, in a problem message and in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # definition imports this module (Method.recommendations)
    from workshop.method.definition import Text

SIDES = ("ua", "partner")


@dataclass(frozen=True)
class Missing:
    """The question is not answered; for a per-side question, by ``side`` (or by either)."""

    question: str
    side: str = "any"  # ua · partner · any


@dataclass(frozen=True)
class OneSideOnly:
    """A per-side question answered by one side and not by the other."""

    question: str


@dataclass(frozen=True)
class ChoiceIn:
    """A choice question answered with one of ``values``."""

    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class RowsWith:
    """Rows of a table whose choice ``column`` holds one of ``values``."""

    question: str
    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class RowsMissing:
    """Rows of a table with any of ``columns`` left empty."""

    question: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class NoSideIn:
    """A table with no row whose side ``column`` names one of ``sides``."""

    question: str
    column: str
    sides: tuple[str, ...]


@dataclass(frozen=True)
class OneWayExchange:
    """The needs ↔ offers exchange (groupwork insights) flows in one direction only."""


@dataclass(frozen=True)
class AnyOf:
    """Holds when at least one of its conditions does."""

    conditions: tuple[Condition, ...]


Condition = (
    Missing | OneSideOnly | ChoiceIn | RowsWith | RowsMissing | NoSideIn | OneWayExchange | AnyOf
)


@dataclass(frozen=True)
class Rule:
    """One recommendation: it applies when ``when`` holds for a partnership's answers."""

    key: str
    when: Condition
    text: Text
