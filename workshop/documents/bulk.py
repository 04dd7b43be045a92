"""Documents made in the background (workshop.jobs): one PDF, or a whole seminar as one ZIP.

Each handler checks again, when it runs, that its starter may still see what it makes: the
job may have waited, or been started again, after they lost access.
"""

from __future__ import annotations

import io
import zipfile

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from workshop.documents import services
from workshop.documents.services import slug
from workshop.extensions import db
from workshop.i18n import partnership_label
from workshop.jobs import services as jobs
from workshop.jobs.services import JobError
from workshop.models import Account, DocumentVersion, Job, Partnership, Seminar
from workshop.permissions import can_manage_seminar, can_view_partnership
from workshop.usererror import UserError

# What the ZIP holds for each partnership: kind, format, language.
PARTS = (
    ("vision", "pdf", "both"),
    ("action_plan", "pdf", "both"),
    ("action_plan", "xlsx", "uk"),
    ("action_plan", "xlsx", "en"),
)
FAILED_NAME = "FAILED.txt"


def start_seminar_zip(seminar: Seminar, *, actor: Account) -> Job:
    """Queue the ZIP of every partnership's documents in ``seminar``. Flushes; caller commits."""
    return jobs.start("seminar_zip", {"seminar_id": seminar.id}, actor=actor)


def seminar_zip(job: Job, actor_id: int) -> None:
    """Every partnership's vision and action plan in one ZIP, a folder each. A partnership
    whose documents cannot be made is named with why, on the page and in FAILED.txt; the
    others are made all the same."""
    actor = db.session.get(Account, actor_id)
    seminar = jobs.param_object(Seminar, job, "seminar_id")
    if seminar is None or actor is None or not actor.active:
        raise JobError(_("This seminar's documents can no longer be made."))
    if not can_manage_seminar(actor, seminar):
        raise JobError(_("You no longer run this seminar, so its documents were not made."))
    ids = sorted(p.id for p in seminar.partnerships)
    name = f"{slug(seminar.title_en, 'seminar')}-{seminar.id}-documents.zip"
    jobs.report(job, total=len(ids))
    buffer = io.BytesIO()
    failed: list[tuple[str, str]] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, partnership_id in enumerate(ids, start=1):
            partnership = db.session.get(Partnership, partnership_id)
            problem = _add(archive, partnership, actor) if partnership is not None else None
            if problem is not None:
                failed.append(problem)
            jobs.report(job, done=number, failure=problem)
        if failed:
            archive.writestr(FAILED_NAME, _failed_text(failed))
    job.result = buffer.getvalue()
    job.result_name = name


def _add(
    archive: zipfile.ZipFile, partnership: Partnership, actor: Account
) -> tuple[str, str] | None:
    """Put the partnership's files into its folder; what failed and why, if they cannot be."""
    label = partnership_label(partnership)
    folder = folder_name(partnership)
    try:
        files = _files(partnership, actor)
    except StaleDataError:
        raise  # the job was started again elsewhere: this run stops (jobs.services)
    except UserError as error:
        db.session.rollback()
        return label, str(error.message)
    except Exception:  # one partnership's bug must not cost the seminar the others'
        db.session.rollback()
        current_app.logger.exception("documents of partnership %s failed", partnership.id)
        return label, _("They could not be made because of an error on our side.")
    for name, data in files:
        archive.writestr(f"{folder}/{name}", data)
    return None


def _files(partnership: Partnership, actor: Account) -> list[tuple[str, bytes]]:
    version = services.current_version(partnership, actor=actor)
    # Committed at once, and after each file: rendering takes seconds, and on SQLite an open
    # write would hold up every other writer (people saving answers) all that time.
    db.session.commit()
    made = []
    for kind, fmt, lang in PARTS:
        file = services.file_for(version, kind, fmt, lang, actor=actor)
        made.append((services.download_name(file), file.data))
        db.session.commit()
    return made


def _failed_text(failed: list[tuple[str, str]]) -> bytes:
    lines = [_("The documents of these partnerships could not be made:"), ""]
    lines += [f"- {what}: {why}" for what, why in failed]
    # With a byte-order mark and CRLF: the way Windows' Notepad reads UTF-8 without guessing.
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def folder_name(partnership: Partnership) -> str:
    """Both hospitals' English names and the partnership's id, e.g. ``okhmatdyt_karolinska_7``."""
    ua = slug(partnership.ua_institution.name_en, "hospital")
    partner = slug(partnership.partner_institution.name_en, "partner")
    return f"{ua}_{partner}_{partnership.id}"


def render_file(job: Job, actor_id: int) -> None:
    """One file of a version (a PDF takes seconds), stored for every later download."""
    actor = db.session.get(Account, actor_id)
    version = jobs.param_object(DocumentVersion, job, "version_id")
    partnership = db.session.get(Partnership, version.partnership_id) if version else None
    if version is None or partnership is None or actor is None or not actor.active:
        raise JobError(_("This document can no longer be made."))
    if not can_view_partnership(actor, partnership):
        raise JobError(_("You can no longer see this partnership's documents."))
    jobs.report(job, total=1)
    kind, fmt, lang = (str(job.params.get(key)) for key in ("kind", "fmt", "lang"))
    file = services.file_for(version, kind, fmt, lang, actor=actor)
    db.session.flush()
    job.result_file_id = file.id
    job.result_name = services.download_name(file)
    job.done = 1
