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
    method = method or definition.load(partnership.method_version)
    cycle = partnership.cycle
    keys = [q.key for stage in method.stages for q in stage.questions()]
    answers: dict[str, dict[str, Any]] = {}
    rows = db.session.execute(
        sa.select(Answer.question_key, Answer.side, Answer.value)
        .where(
            Answer.partnership_id == partnership.id,
            Answer.cycle == cycle,
            Answer.question_key.in_(keys),
        )
        .order_by(Answer.question_key, Answer.side)
    )
    for key, side, value in rows:
        if not _empty(value):
            answers.setdefault(key, {})[side] = value
    runs = {
        run.stage_key: run
        for run in db.session.scalars(
            sa.select(StageRun).where(
                StageRun.partnership_id == partnership.id, StageRun.cycle == cycle
            )
        )
    }
    votes: dict[str, dict[str, int]] = {}
    revealed = [key for key, run in runs.items() if run.votes_revealed]
    if revealed:
        for stage_key, candidate, dots in db.session.execute(
            sa.select(Vote.stage_key, Vote.candidate, sa.func.sum(Vote.dots))
            .where(
                Vote.partnership_id == partnership.id,
                Vote.cycle == cycle,
                Vote.stage_key.in_(revealed),
            )
            .group_by(Vote.stage_key, Vote.candidate)
        ):
            votes.setdefault(stage_key, {})[candidate] = int(dots)
    return {
        "format": FORMAT,
        "method_version": method.version,
        "partnership": {
            "id": partnership.id,
            "cycle": cycle,
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
