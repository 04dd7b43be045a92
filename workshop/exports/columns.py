"""What every export holds, said once: the exports page, the workbook's "columns" sheet and the
writers all read these tables (docs/exports.md says the same for people, and a test checks that
it lists the same columns in the same order)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Column:
    key: str
    meaning: LazyString
    # Written as a number (a number cell in the workbook, digits in the CSV), never escaped.
    numeric: bool = False


# Which partnership a line is about, in the long format and on every stage sheet alike.
_PAIR: tuple[Column, ...] = (
    Column("partnership_id", _l("The partnership's id in the workshop."), numeric=True),
    Column("ua_institution_en", _l("The Ukrainian hospital's name in English.")),
    Column("ua_institution_uk", _l("The Ukrainian hospital's name in Ukrainian (may be empty).")),
    Column("partner_institution_en", _l("The partner hospital's name in English.")),
    Column(
        "partner_institution_uk", _l("The partner hospital's name in Ukrainian (may be empty).")
    ),
)

# The long format: one line per answer cell. The order is part of the format: never reorder,
# only add at the end (and say so in docs/exports.md).
LONG_COLUMNS: tuple[Column, ...] = (
    Column("seminar_id", _l("The seminar's id in the workshop."), numeric=True),
    *_PAIR,
    Column("method_version", _l("The TPI method version the partnership works on, e.g. 2024.2.")),
    Column(
        "cycle",
        _l("The TPI cycle the answer belongs to: the partnership's current cycle."),
        numeric=True,
    ),
    Column("stage_key", _l("The stage's key in the method, e.g. needs.")),
    Column("stage_number", _l("The stage's number, 1 to 6."), numeric=True),
    Column("section_key", _l("The section's key in the method.")),
    Column("question_key", _l("The question's key in the method: the same in every export.")),
    Column(
        "question_type",
        _l(
            "The question's type: text, long_text, single_choice, multi_choice, status, score, "
            "number, date, person or table."
        ),
    ),
    Column(
        "side",
        _l(
            "Who gave the answer: shared (both hospitals together), ua (the Ukrainian hospital) "
            "or partner (the partner hospital)."
        ),
    ),
    Column(
        "row_id",
        _l(
            "For a table: the row's id, which never changes (an item of the method's list, or "
            "a random id for a row people added). Empty otherwise."
        ),
    ),
    Column(
        "row_number",
        _l("For a table: the row's place in the table, from 1. Empty otherwise."),
        numeric=True,
    ),
    Column(
        "row_label_en",
        _l(
            "For a table with a fixed list of rows: the row's name in English (for a row the "
            "pair added to the list, what they typed). Empty otherwise."
        ),
    ),
    Column("row_label_uk", _l("The same in Ukrainian.")),
    Column(
        "column_key",
        _l("For a table: the column's key. For a person: name, role or email. Empty otherwise."),
    ),
    Column(
        "value_type",
        _l(
            "The type of this one value: the question's type, or the column's for a table cell "
            "(ref: the id of a row of another table); text for a person's parts; json for an "
            "answer to a question the method no longer has."
        ),
    ),
    Column(
        "choice_number",
        _l(
            "For a multiple choice, one line per option chosen: its place among them, from 1. "
            "Empty otherwise."
        ),
        numeric=True,
    ),
    Column(
        "value",
        _l(
            "The value: text as typed; a choice by its key; a 0–3 status, a 1–5 score or a "
            "number as a number; a date as YYYY-MM-DD; a reference by the row id it names."
        ),
    ),
    Column(
        "value_label_en",
        _l(
            "For a choice, a status or a reference: what the value means, in English. Empty "
            "otherwise."
        ),
    ),
    Column("value_label_uk", _l("The same in Ukrainian.")),
    Column(
        "answer_version",
        _l("How many times the whole answer was saved (its version)."),
        numeric=True,
    ),
    Column("updated_at", _l("When the answer was last saved: ISO 8601, UTC (…Z).")),
    Column(
        "updated_by_id",
        _l("The id of the person who saved it last (empty if unknown)."),
        numeric=True,
    ),
    Column("updated_by", _l("Their name as shown in the workshop.")),
)

LONG_KEYS: tuple[str, ...] = tuple(c.key for c in LONG_COLUMNS)

# The first columns of every stage sheet of the workbook; one column per question follows.
WIDE_COLUMNS: tuple[Column, ...] = (
    *_PAIR,
    Column("method_version", _l("The TPI method version the partnership works on.")),
    Column("cycle", _l("The partnership's current TPI cycle."), numeric=True),
    Column(
        "side",
        _l(
            "shared: the answers both hospitals give together; ua and partner: each hospital's "
            "own answers."
        ),
    ),
)

# The codebook sheet: every question (and table column) of the method versions in the file.
QUESTION_COLUMNS: tuple[Column, ...] = (
    Column("method_version", _l("The method version.")),
    Column("stage_number", _l("The stage's number."), numeric=True),
    Column("stage_key", _l("The stage's key.")),
    Column("section_key", _l("The section's key.")),
    Column("question_key", _l("The question's key.")),
    Column("column_key", _l("For a table's column: its key.")),
    Column("type", _l("The type of the question or column.")),
    Column("per_side", _l("yes: each hospital answers for itself.")),
    Column("label_en", _l("The wording in English.")),
    Column("label_uk", _l("The wording in Ukrainian.")),
)


@dataclass(frozen=True)
class Part:
    """One part of the JSON export (a key at its top level)."""

    key: str
    meaning: LazyString


JSON_PARTS: tuple[Part, ...] = (
    Part("format", _l("Always “twinning-workshop/seminar”.")),
    Part("format_version", _l("The format's version, now 1.")),
    Part("exported_at", _l("When the file was made (ISO 8601, UTC).")),
    Part("seminar", _l("The seminar: titles, dates, venues, the round and the notice.")),
    Part("institutions", _l("Every hospital of its partnerships, with all its details.")),
    Part(
        "partnerships",
        _l("Its partnerships: the two hospitals, method version, current cycle and every cycle."),
    ),
    Part(
        "people",
        _l(
            "Everybody the file names (by id), with their name and role; an e-mail only where "
            "you may see it."
        ),
    ),
    Part(
        "facilitators",
        _l("The seminar's facilitators: names, and e-mails where you may see them."),
    ),
    Part("memberships", _l("Who sits at which table, on which side, by name (never a code).")),
    Part("seminar_stages", _l("Stages opened or closed for the whole room.")),
    Part("stage_runs", _l("Each table's progress through each stage, with every review step.")),
    Part("answers", _l("Every answer of every cycle, with every saved revision: who and when.")),
    Part("comments", _l("Every comment and reply.")),
    Part("votes", _l("Dot votes as totals per candidate: never who voted.")),
    Part("plenary_rounds", _l("The room-wide rounds on principles and priority areas.")),
    Part("proposals", _l("The tables' proposals, merges and their vote totals.")),
    Part("help_requests", _l("When a table asked for help, and when it was answered.")),
    Part(
        "document_versions",
        _l(
            "Each document version: number, content hash, snapshot, sign-offs and the files' "
            "hashes (not the files)."
        ),
    ),
)
