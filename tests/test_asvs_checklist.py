"""The ASVS 5.0.0 checklist (docs/asvs.md, goal R1) stays fit for its review at each release.

A checklist is only worth reviewing if it cannot quietly rot: an id mistyped or listed twice, a
status other than pass, N/A or exception, a pass that names no file, a file cited that has since
moved, an exception without its reason and plan, a chapter left out, counts at the top that no
longer add up. Each of those fails here and names the row. No app is needed: the file is read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKLIST = ROOT / "docs" / "asvs.md"

REQUIREMENTS = ("ID", "Level", "Requirement (paraphrased)", "Status", "Evidence")
COUNTS = ("Chapter", "pass", "N/A", "exception")
STATUSES = ("pass", "N/A", "exception")
LEVELS = ("L1", "L2")  # L3 is out of scope, and the checklist says so
CHAPTERS = range(1, 18)  # V1 to V17
ID = re.compile(r"v5\.0\.0-(\d+)\.\d+\.\d+")
CHAPTER_HEADING = re.compile(r"## V(\d+) ")
CODE = re.compile(r"`([^`\n]+)`")
# A file in this repository: no leading slash, at least one folder, and an ending (.py, .md).
# Addresses ("/login"), media types ("text/csv") and folders ("static/js/") are not files.
FILE = re.compile(r"[\w-][\w.-]*(?:/[\w.-]+)*/[\w.-]*\.[A-Za-z0-9]+")
# Multi-factor authentication is 6.3.3 in the released 5.0.0. Drafts, and goal R1's wording,
# called it 6.3.2, a number the release gave to "no default accounts": both rows must be there,
# and the MFA one must stay a written exception (participants are exempt by decision).
MFA = "v5.0.0-6.3.3"
DEFAULT_ACCOUNTS = "v5.0.0-6.3.2"
EXCEPTION_PARTS = ("**Accepted", "**Why:**", "**Plan:**")


@dataclass(frozen=True)
class Row:
    """One table row: its line (for messages), the chapter heading above it, its cells."""

    line: int
    chapter: int | None
    cells: tuple[str, ...]

    def cell(self, index: int) -> str:
        return self.cells[index] if index < len(self.cells) else ""

    @property
    def where(self) -> str:
        return f"docs/asvs.md:{self.line} ({self.cell(0)})"

    @property
    def id(self) -> str:
        return self.cell(0)

    @property
    def level(self) -> str:
        return self.cell(1)

    @property
    def status(self) -> str:
        return self.cell(3)

    @property
    def evidence(self) -> str:
        return self.cell(4)


def _cells(line: str) -> tuple[str, ...]:
    return tuple(cell.strip() for cell in line.strip().strip("|").split("|"))


def rows_under(header: tuple[str, ...]) -> list[Row]:
    """Every body row of every table in the checklist whose header row is ``header``."""
    found: list[Row] = []
    chapter: int | None = None
    in_table = False
    for number, line in enumerate(CHECKLIST.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("## "):
            heading = CHAPTER_HEADING.match(line)
            chapter = int(heading.group(1)) if heading else None
        if not line.startswith("|"):
            in_table = False
            continue
        cells = _cells(line)
        if cells == header:
            in_table = True
        elif in_table and not set("".join(cells)) <= set("-: "):  # not the |---| line
            found.append(Row(number, chapter, cells))
    return found


@cache
def requirements() -> list[Row]:
    return rows_under(REQUIREMENTS)


def cited_files(text: str) -> list[str]:
    """The repository files named in backticks in ``text``."""
    return [code for code in CODE.findall(text) if FILE.fullmatch(code)]


def _listed(problems: list[str]) -> str:
    return "\n".join(problems)


def test_the_requirements_are_tables_of_five_columns() -> None:
    rows = requirements()
    assert len(rows) > 100, "docs/asvs.md has lost its requirement tables (header row changed?)"
    bad = [f"{r.where}: {len(r.cells)} cells, not 5" for r in rows if len(r.cells) != 5]
    assert not bad, _listed(bad)


def test_every_id_is_a_5_0_0_id_and_appears_once() -> None:
    rows = requirements()
    bad = [f"{r.where}: the id must read v5.0.0-X.Y.Z" for r in rows if not ID.fullmatch(r.id)]
    twice = [f"{i} is listed {n} times" for i, n in Counter(r.id for r in rows).items() if n > 1]
    assert not bad + twice, _listed(bad + twice)


def test_every_level_is_one_in_scope() -> None:
    bad = [
        f"{r.where}: level {r.level!r}, not L1 or L2"
        for r in requirements()
        if r.level not in LEVELS
    ]
    assert not bad, _listed(bad)


def test_every_status_is_pass_na_or_exception() -> None:
    bad = [
        f"{r.where}: status {r.status!r}; use one of {', '.join(STATUSES)}"
        for r in requirements()
        if r.status not in STATUSES
    ]
    assert not bad, _listed(bad)


def test_every_pass_names_a_file() -> None:
    """A pass must say where the control lives, so the next review can find it again."""
    bad = [
        f"{r.where}: a pass must cite at least one repository file in backticks"
        for r in requirements()
        if r.status == "pass" and not cited_files(r.evidence)
    ]
    assert not bad, _listed(bad)


def test_every_file_cited_exists() -> None:
    """A cited file that moved or was renamed turns the evidence into a dead end."""
    cited = cited_files(CHECKLIST.read_text(encoding="utf-8"))
    missing = sorted({path for path in cited if not (ROOT / path).is_file()})
    assert not missing, "docs/asvs.md cites files that do not exist:\n" + _listed(missing)


def test_every_exception_says_what_is_accepted_why_and_the_plan() -> None:
    bad = []
    for row in requirements():
        if row.status != "exception":
            continue
        absent = [part.strip("*:") for part in EXCEPTION_PARTS if part not in row.evidence]
        if absent:
            bad.append(f"{row.where}: an exception must say {', '.join(absent)}")
        elif len(row.evidence.split()) < 12:
            bad.append(f"{row.where}: an exception needs a reason, not just its labels")
    assert not bad, _listed(bad)


def test_every_na_says_why_it_does_not_apply() -> None:
    bad = [
        f"{r.where}: N/A needs a sentence saying why"
        for r in requirements()
        if r.status == "N/A" and len(r.evidence.split()) < 3
    ]
    assert not bad, _listed(bad)


def test_multi_factor_authentication_is_a_written_exception() -> None:
    by_id = {row.id: row for row in requirements()}
    assert DEFAULT_ACCOUNTS in by_id, f"{DEFAULT_ACCOUNTS} (no default accounts) is not listed"
    mfa = by_id.get(MFA)
    assert mfa is not None, f"{MFA} (multi-factor authentication) is not listed"
    assert mfa.status == "exception", (
        f"{mfa.where}: MFA stays an exception until everybody has it; participants are exempt "
        "by decision, and that decision must stay written down"
    )
    assert "participant" in mfa.evidence.lower(), f"{mfa.where}: the participants' exemption"


def test_every_chapter_is_assessed_under_its_own_heading() -> None:
    rows = requirements()
    present = {row.chapter for row in rows}
    missing = [f"V{n}" for n in CHAPTERS if n not in present]
    assert not missing, "chapters with no assessed row: " + ", ".join(missing)
    misplaced = [
        f"{r.where}: listed under V{r.chapter}"
        for r in rows
        if (found := ID.fullmatch(r.id)) and int(found.group(1)) != r.chapter
    ]
    assert not misplaced, _listed(misplaced)


def test_the_counts_at_the_top_match_the_rows() -> None:
    """The counts are what a reader sees first; they must not drift from the rows."""
    counted = Counter((row.chapter, row.status) for row in requirements())
    stated = rows_under(COUNTS)
    names = [row.cell(0) for row in stated]
    assert names == [*(f"V{n}" for n in CHAPTERS), "Total"], f"the counts table lists {names}"
    wrong = []
    for row in stated:
        chapters = list(CHAPTERS) if row.cell(0) == "Total" else [int(row.cell(0)[1:])]
        actual = [str(sum(counted[(c, status)] for c in chapters)) for status in STATUSES]
        if list(row.cells[1:]) != actual:
            wrong.append(f"{row.where}: says {list(row.cells[1:])}, the rows give {actual}")
    assert not wrong, _listed(wrong)
