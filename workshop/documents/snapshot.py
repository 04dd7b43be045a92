"""The plain data a partnership's documents are made from, and the hash that names it.

A snapshot is JSON (dicts, lists, strings, numbers, booleans, None) and nothing else: documents
are rendered from it, never from database objects, so a stored version can be rendered again
years later exactly as it was, and two snapshots can be compared key by key (documents.diff).
Nothing in it depends on when it was taken: the same data gives the same hash.

Shape (``FORMAT`` 1)::

    {"format": 1,
     "method_version": "2024.2",
     "partnership": {"id": 7, "cycle": 1, "memorandum_date": "2024-05-01" | None,
                     "focus_areas": ["…"]},
     "institutions": {"ua": INSTITUTION, "partner": INSTITUTION},
     "stages": {"agreement": "approved" | "submitted" | "changes_requested" | "reopened" | None,
                …every stage of the method},
     "answers": {"<question key>": {"<side>": value}},   # side "" shared, else "ua"/"partner";
                                                          # unanswered questions are absent
     "votes": {"<stage key>": {"<candidate row id or text>": dots}}}  # revealed votes only

    INSTITUTION = {"id", "name_uk", "name_en", "country", "region", "city_uk", "city_en",
                   "profile"}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from workshop.extensions import db
from workshop.method import definition
from workshop.method.definition import Method
from workshop.models import Answer, Institution, Partnership, StageRun, Vote

FORMAT = 1
Snapshot = dict[str, Any]


def _institution(institution: Institution) -> dict[str, Any]:
    return {
        "id": institution.id,
        "name_uk": institution.name_uk,
        "name_en": institution.name_en,
        "country": institution.country,
        "region": institution.region,
        "city_uk": institution.city_uk,
        "city_en": institution.city_en,
        "profile": institution.profile,
    }


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def take(partnership: Partnership, method: Method | None = None) -> Snapshot:
    """The partnership's data in its current cycle: three small queries."""
    methods = {partnership.id: method} if method is not None else None
    return take_many([partnership], methods)[partnership.id]


def take_many(
    partnerships: Sequence[Partnership], methods: Mapping[int, Method] | None = None
) -> dict[int, Snapshot]:
    """``take`` for each of ``partnerships`` (by id), each in its current cycle: the same three
    queries for any number of them (a list page must not cost a query per row). ``methods``
    gives a partnership's method where the caller has it loaded already."""
    if not partnerships:
        return {}
    by_id = {p.id: p for p in partnerships}
    method_of = {
        p.id: (methods or {}).get(p.id) or definition.load(p.method_version) for p in partnerships
    }
    current = Partnership.id.in_(list(by_id))
    keys = {
        pid: {q.key for stage in m.stages for q in stage.questions()}
        for pid, m in method_of.items()
    }
    answers: dict[int, dict[str, dict[str, Any]]] = {pid: {} for pid in by_id}
    rows = db.session.execute(
        sa.select(Answer.partnership_id, Answer.question_key, Answer.side, Answer.value)
        .join(
            Partnership,
            sa.and_(Partnership.id == Answer.partnership_id, Partnership.cycle == Answer.cycle),
        )
        .where(current)
        .order_by(Answer.partnership_id, Answer.question_key, Answer.side)
    )
    for pid, key, side, value in rows:
        if key in keys[pid] and not _empty(value):
            answers[pid].setdefault(key, {})[side] = value
    runs: dict[int, dict[str, StageRun]] = {pid: {} for pid in by_id}
    for run in db.session.scalars(
        sa.select(StageRun)
        .join(
            Partnership,
            sa.and_(Partnership.id == StageRun.partnership_id, Partnership.cycle == StageRun.cycle),
        )
        .where(current)
    ):
        runs[run.partnership_id][run.stage_key] = run
    votes: dict[int, dict[str, dict[str, int]]] = {pid: {} for pid in by_id}
    revealed = {
        (pid, key)
        for pid, found in runs.items()
        for key, run in found.items()
        if run.votes_revealed
    }
    if revealed:
        for pid, stage_key, candidate, dots in db.session.execute(
            sa.select(Vote.partnership_id, Vote.stage_key, Vote.candidate, sa.func.sum(Vote.dots))
            .join(
                Partnership,
                sa.and_(Partnership.id == Vote.partnership_id, Partnership.cycle == Vote.cycle),
            )
            .where(Partnership.id.in_(sorted({pid for pid, _key in revealed})))
            .group_by(Vote.partnership_id, Vote.stage_key, Vote.candidate)
        ):
            if (pid, stage_key) in revealed:
                votes[pid].setdefault(stage_key, {})[candidate] = int(dots)
    return {
        pid: _snapshot(by_id[pid], method_of[pid], answers[pid], runs[pid], votes[pid])
        for pid in by_id
    }


def _snapshot(
    partnership: Partnership,
    method: Method,
    answers: dict[str, dict[str, Any]],
    runs: dict[str, StageRun],
    votes: dict[str, dict[str, int]],
) -> Snapshot:
    return {
        "format": FORMAT,
        "method_version": method.version,
        "partnership": {
            "id": partnership.id,
            "cycle": partnership.cycle,
            "memorandum_date": (
                partnership.memorandum_date.isoformat() if partnership.memorandum_date else None
            ),
            "focus_areas": list(partnership.focus_areas or []),
        },
        "institutions": {
            "ua": _institution(partnership.ua_institution),
            "partner": _institution(partnership.partner_institution),
        },
        "stages": {
            stage.key: (
                runs[stage.key].status.value
                if stage.key in runs and runs[stage.key].status
                else None
            )
            for stage in method.stages
        },
        "answers": answers,
        "votes": votes,
    }


def canonical(snapshot: Snapshot) -> bytes:
    """The one way a snapshot is written for hashing: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def content_hash(snapshot: Snapshot) -> str:
    return hashlib.sha256(canonical(snapshot)).hexdigest()


def all_approved(snapshot: Snapshot) -> bool:
    """Whether every stage the documents draw on was approved: until then they are drafts."""
    return all(status == "approved" for status in snapshot["stages"].values())
