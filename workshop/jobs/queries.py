"""Reading jobs for their pages: by token, what a job is about, and what it made."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from workshop.extensions import db
from workshop.i18n import localized
from workshop.jobs import services
from workshop.models import Account, DocumentFile, DocumentVersion, Job, Partnership, Seminar
from workshop.permissions import can_manage_seminar, can_view_partnership

# What secrets.token_urlsafe(32) makes. Anything else names no job and is never looked up.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
ZIP = "application/zip"


def by_token(token: str) -> Job | None:
    if not _TOKEN.fullmatch(token):
        return None
    return db.session.scalar(sa.select(Job).where(Job.token == token))


def queued_ids() -> list[int]:
    """Jobs waiting for a worker, oldest first."""
    return list(db.session.scalars(sa.select(Job.id).where(Job.state == "queued").order_by(Job.id)))


@dataclass(frozen=True)
class JobPage:
    """What the progress page says about a job, for the person looking at it."""

    title: str
    back: tuple[str, str] | None  # (label, address) of the page the job was started from
    stalled: bool
    live: bool  # queued or running, and not stalled: worth checking again
    restartable: bool


def page(job: Job, viewer: Account) -> JobPage:
    title, back = _about(job, viewer)
    stalled = services.stalled(job)
    return JobPage(
        title=title,
        back=back,
        stalled=stalled,
        live=job.state in services.UNFINISHED and not stalled,
        restartable=services.restartable(job),
    )


def _about(job: Job, viewer: Account) -> tuple[str, tuple[str, str] | None]:
    """The job's title, and a way back to where it was started if the viewer may go there."""
    if job.kind == "seminar_zip":
        seminar = services.param_object(Seminar, job, "seminar_id")
        if seminar is not None:
            title = _("All documents of «%(seminar)s»", seminar=localized(seminar, "title"))
            if can_manage_seminar(viewer, seminar):
                url = url_for("seminars.detail", seminar_id=seminar.id)
                return title, (_("Back to the seminar"), url)
            return title, None
    if job.kind == "render_file":
        version = services.param_object(DocumentVersion, job, "version_id")
        partnership = db.session.get(Partnership, version.partnership_id) if version else None
        if version is not None and partnership is not None:
            names = {"vision": _("Strategic vision"), "action_plan": _("Action plan")}
            document = names.get(str(job.params.get("kind")), _("Document"))
            title = _("%(document)s, version %(n)s", document=document, n=version.number)
            if can_view_partnership(viewer, partnership):
                url = url_for("documents.partnership", partnership_id=partnership.id)
                return title, (_("Back to the documents"), url)
            return title, None
    return _("Your download"), None


@dataclass(frozen=True)
class Download:
    data: bytes
    name: str
    mimetype: str


def result(job: Job) -> Download | None:
    """What a finished job made, to download; None before it is done."""
    if job.state != services.DONE:
        return None
    if job.result_file_id is not None:
        from workshop.documents.services import MEDIA_TYPES, download_name

        file = db.session.get(DocumentFile, job.result_file_id)
        if file is None:
            return None
        return Download(file.data, download_name(file), MEDIA_TYPES[file.fmt])
    if job.result is None:
        return None
    return Download(job.result, job.result_name or f"download-{job.id}.zip", ZIP)
