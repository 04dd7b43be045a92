"""Reading where documents stand, for lists: one query however many partnerships."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from workshop.extensions import db
from workshop.models import DocumentVersion, SignOff

SIDES = frozenset({"ua", "partner"})


@dataclass(frozen=True)
class Summary:
    latest: int | None  # the newest version's number
    agreed: int | None  # the newest version both heads signed
    signatures_on_latest: int


def summaries(partnership_ids: Iterable[int]) -> dict[int, Summary]:
    """For each partnership: its latest version number, its agreed version, and how many heads
    signed the latest. Two queries for any number of partnerships."""
    ids = list(partnership_ids)
    if not ids:
        return {}
    versions = db.session.execute(
        sa.select(DocumentVersion.partnership_id, DocumentVersion.id, DocumentVersion.number)
        .where(DocumentVersion.partnership_id.in_(ids))
        .order_by(DocumentVersion.partnership_id, DocumentVersion.number)
    ).all()
    sides: dict[int, set[str]] = {}
    for version_id, side in db.session.execute(
        sa.select(SignOff.version_id, SignOff.side)
        .join(DocumentVersion, DocumentVersion.id == SignOff.version_id)
        .where(DocumentVersion.partnership_id.in_(ids))
    ):
        sides.setdefault(version_id, set()).add(side)
    latest: dict[int, tuple[int, int]] = {}
    agreed: dict[int, int] = {}
    for partnership_id, version_id, number in versions:  # ascending: the last one wins
        latest[partnership_id] = (version_id, number)
        if sides.get(version_id, set()) >= SIDES:
            agreed[partnership_id] = number
    return {
        pid: Summary(
            latest=latest[pid][1] if pid in latest else None,
            agreed=agreed.get(pid),
            signatures_on_latest=len(sides.get(latest[pid][0], ())) if pid in latest else 0,
        )
        for pid in ids
    }


def by_token(token: str) -> DocumentVersion | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        sa.select(DocumentVersion).where(DocumentVersion.verify_token == token)
    )
