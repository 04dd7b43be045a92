"""The full JSON export of a seminar, written as it is read.

One object; its keys in ``columns.JSON_PARTS`` order; every list item on its own line, keys in
a fixed order, stored JSON values with their keys sorted. docs/exports.md describes every part.
This is version 1 of the format, for people; a backup (workshop/backup, docs/backup.md) is
version 2, with every column a restore needs, and is what `flask workshop import` reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from workshop.exports import json_reads
from workshop.exports.cells import moment
from workshop.models import Account, Seminar, utcnow

FORMAT = "twinning-workshop/seminar"
FORMAT_VERSION = 1


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def parts(seminar: Seminar, actor: Account) -> dict[str, Callable[[], Any]]:
    """Each top-level key with what reads it (called in turn, as the file is written). The
    keys are ``columns.JSON_PARTS``'s, in its order (a test holds them together)."""
    sid = seminar.id
    return {
        "format": lambda: FORMAT,
        "format_version": lambda: FORMAT_VERSION,
        "exported_at": lambda: moment(utcnow(), "microseconds"),
        "seminar": lambda: json_reads.seminar(seminar),
        "institutions": lambda: json_reads.institutions(sid),
        "partnerships": lambda: json_reads.partnerships(sid),
        "people": lambda: json_reads.people(sid, actor),
        "facilitators": lambda: json_reads.facilitators(sid, actor),
        "memberships": lambda: json_reads.memberships(sid),
        "seminar_stages": lambda: json_reads.seminar_stages(sid),
        "stage_runs": lambda: json_reads.stage_runs(sid),
        "answers": lambda: json_reads.answers(sid),
        "comments": lambda: json_reads.comments(sid),
        "votes": lambda: json_reads.votes(sid),
        "plenary_rounds": lambda: json_reads.plenary_rounds(sid),
        "proposals": lambda: json_reads.proposals(sid),
        "help_requests": lambda: json_reads.help_requests(sid),
        "document_versions": lambda: json_reads.document_versions(sid),
    }


def _list(items: Iterable[Any]) -> Iterator[str]:
    yield "["
    first = True
    for item in items:
        yield ("\n  " if first else ",\n  ") + _dump(item)
        first = False
    yield "]" if first else "\n]"


def chunks(seminar: Seminar, actor: Account) -> Iterator[str]:
    """The file, a piece at a time."""
    yield "{"
    for n, (key, read) in enumerate(parts(seminar, actor).items()):
        yield ("\n" if n == 0 else ",\n") + _dump(key) + ": "
        value = read()
        if isinstance(value, list | Iterator):
            yield from _list(value)
        else:
            yield _dump(value)
    yield "\n}\n"
