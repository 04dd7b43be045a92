"""Making document versions, storing their files once, and signing them.

A version is made from the partnership's data when somebody asks for documents and the data
differs from the latest version's (documents.snapshot names data by its hash). Its files are
rendered on first request and stored; every later download serves the stored bytes. A signature
belongs to a version: changing the data afterwards makes a new, unsigned version and leaves the
signed one exactly as it was.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from workshop import audit, securitylog, throttle
from workshop.auth import limits
from workshop.auth.services import refuse_if_throttled
from workshop.documents import diff, model, snapshot
from workshop.documents.queries import SIDES
from workshop.extensions import db
from workshop.method import definition
from workshop.method.definition import Method
from workshop.models import Account, DocumentFile, DocumentVersion, Partnership, SignOff
from workshop.usererror import UserError

# What can be made of a version: kind → format → languages.
FORMATS: dict[str, dict[str, tuple[str, ...]]] = {
    "vision": {"pdf": ("uk", "en", "both"), "docx": ("uk", "en", "both")},
    "action_plan": {"pdf": ("uk", "en", "both"), "xlsx": ("uk", "en")},
}
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Made inside the request that asks for them: a workbook takes milliseconds. PDFs take seconds
# and a two-language Word file with its side-by-side tables as long: those go to a job.
MADE_AT_ONCE = frozenset({"xlsx"})


class DocumentError(UserError):
    """A document request the person can act on: signing refused, a file that cannot be made."""


def known(kind: str, fmt: str, lang: str) -> bool:
    return lang in FORMATS.get(kind, {}).get(fmt, ())


def latest(partnership_id: int) -> DocumentVersion | None:
    return db.session.scalar(
        sa.select(DocumentVersion)
        .where(DocumentVersion.partnership_id == partnership_id)
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    )


def versions(partnership_id: int) -> list[DocumentVersion]:
    """Every version of the partnership's documents, newest first, with sign-offs and files."""
    return list(
        db.session.scalars(
            sa.select(DocumentVersion)
            .where(DocumentVersion.partnership_id == partnership_id)
            .options(
                sa.orm.selectinload(DocumentVersion.signoffs),
                sa.orm.selectinload(DocumentVersion.created_by),
            )
            .order_by(DocumentVersion.number.desc())
        )
    )


@dataclass(frozen=True)
class Standing:
    """Where a partnership's documents stand: what the heads see at a glance."""

    latest: DocumentVersion | None
    agreed: DocumentVersion | None  # the newest version both heads signed
    data_changed: bool  # the answers differ from the latest version's


def agreed(version: DocumentVersion) -> bool:
    return {s.side for s in version.signoffs} >= SIDES


def standing(partnership: Partnership, all_versions: list[DocumentVersion]) -> Standing:
    newest = all_versions[0] if all_versions else None
    current = snapshot.content_hash(snapshot.take(partnership))
    return Standing(
        latest=newest,
        agreed=next((v for v in all_versions if agreed(v)), None),
        data_changed=newest is None or newest.content_hash != current,
    )


def current_version(partnership: Partnership, *, actor: Account | None) -> DocumentVersion:
    """The version of the partnership's current data: the latest one if nothing changed since,
    else a new one that says what changed. Flushes; the caller commits."""
    method = definition.load(partnership.method_version)
    taken = snapshot.take(partnership, method)
    digest = snapshot.content_hash(taken)
    newest = latest(partnership.id)
    if newest is not None and newest.content_hash == digest:
        return newest
    version = DocumentVersion(
        partnership_id=partnership.id,
        cycle=partnership.cycle,
        number=(newest.number + 1) if newest else 1,
        created_by_id=actor.id if actor else None,
        method_version=method.version,
        content_hash=digest,
        draft=not snapshot.all_approved(taken),
        snapshot=taken,
        changes=diff.changes(newest.snapshot, taken) if newest else [],
        verify_token=secrets.token_urlsafe(32),
    )
    db.session.add(version)
    db.session.flush()
    audit.record("document_version", actor=actor, obj=version, number=version.number)
    return version


def seal(version: DocumentVersion, kind: str) -> str:
    """Which sign-offs a file of ``kind`` prints: the vision's signature block shows them."""
    if kind != "vision" or not version.signoffs:
        return ""
    names = "|".join(f"{s.id}:{s.side}:{s.content_hash}" for s in version.signoffs)
    return hashlib.sha256(names.encode()).hexdigest()


def verify_url(version: DocumentVersion) -> str:
    """The verification page's address, printed as a QR code. Built from the configured public
    address, never from the request's Host (a forged Host would print a forged address)."""
    base = (current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/")
    return f"{base}/verify/{version.verify_token}"


def meta(version: DocumentVersion, method: Method, lang: str, kind: str) -> model.Meta:
    signed = kind == "vision"
    return model.Meta(
        number=version.number,
        made_at=version.created_at,
        content_hash=version.content_hash,
        verify_url=verify_url(version),
        draft=version.draft,
        method_title=method.title(lang),
        method_version=method.version,
        signatures=tuple(
            model.Signature(s.side, s.name, s.position, s.signed_at, s.content_hash)
            for s in version.signoffs
        )
        if signed
        else (),
    )


def stored(version: DocumentVersion, kind: str, fmt: str, lang: str) -> DocumentFile | None:
    return db.session.scalar(
        sa.select(DocumentFile).where(
            DocumentFile.version_id == version.id,
            DocumentFile.kind == kind,
            DocumentFile.fmt == fmt,
            DocumentFile.language == lang,
            DocumentFile.seal == seal(version, kind),
        )
    )


def _documents(version: DocumentVersion, method: Method, kind: str, lang: str) -> list[Any]:
    from workshop.documents import content
    from workshop.recommendations import rules

    docs = []
    for one in ("uk", "en") if lang == "both" else (lang,):
        with force_locale(one):
            info = meta(version, method, one, kind)
            if kind == "vision":
                advice = rules.applicable(version.snapshot, method, one)
                docs.append(content.vision(version.snapshot, method, one, info, advice))
            else:
                docs.append(content.action_plan(version.snapshot, method, one, info))
    return docs


def render(version: DocumentVersion, kind: str, fmt: str, lang: str) -> bytes:
    """The bytes of one file of the version, made now (slow for PDFs: run it in a job)."""
    from workshop.documents import docx, pdf, xlsx

    method = definition.load(version.method_version)
    if fmt == "xlsx":
        with force_locale(lang):
            return xlsx.action_plan_xlsx(
                version.snapshot, method, lang, meta(version, method, lang, kind)
            )
    if fmt == "docx":
        return docx.vision_docx(_documents(version, method, kind, lang))
    return pdf.render_pdf(page_html(version, kind, lang, method))


def page_html(version: DocumentVersion, kind: str, lang: str, method: Method | None = None) -> str:
    """The HTML a PDF of the version is printed from: all of our work before WeasyPrint's."""
    from workshop.documents import html

    method = method or definition.load(version.method_version)
    docs = _documents(version, method, kind, lang)
    with force_locale("uk" if lang == "both" else lang):
        return html.vision_html(docs) if kind == "vision" else html.action_plan_html(docs)


def file_for(
    version: DocumentVersion, kind: str, fmt: str, lang: str, *, actor: Account | None
) -> DocumentFile:
    """The stored file, made and stored first if it is not there yet. Two people asking at once
    both render, and the second finds the first one's row and keeps it: stored bytes never
    change once a download may have served them."""
    if not known(kind, fmt, lang):
        raise DocumentError(_l("There is no such document."))
    found = stored(version, kind, fmt, lang)
    if found is not None:
        return found
    data = render(version, kind, fmt, lang)
    made = DocumentFile(
        version_id=version.id,
        kind=kind,
        fmt=fmt,
        language=lang,
        seal=seal(version, kind),
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        created_by_id=actor.id if actor else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(made)
    except sa.exc.IntegrityError:
        found = stored(version, kind, fmt, lang)
        if found is None:
            raise
        return found
    return made


def downloaded(file: DocumentFile, *, actor: Account | None) -> None:
    """The audit trail keeps who took which file (issue 11, R9)."""
    audit.record(
        "document_downloaded",
        actor=actor,
        obj=file.version,
        file=file.id,
        kind=file.kind,
        fmt=file.fmt,
        lang=file.language,
    )


def slug(text: str, fallback: str) -> str:
    """Lower-case ASCII letters, digits and hyphens, for file and folder names on any system."""
    # Accents come off (é → e); any other letter (Cyrillic) or sign separates words, as a space.
    plain = "".join(
        c if c.isascii() else "" if unicodedata.combining(c) else " "
        for c in unicodedata.normalize("NFKD", text)
    )
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:40].strip("-") or fallback


def download_name(file: DocumentFile) -> str:
    """partnership, kind, version and language: stable for the same file, ASCII-safe."""
    version = file.version
    people = version.snapshot["institutions"]
    ua, partner = (
        slug(people["ua"]["name_en"], "hospital"),
        slug(people["partner"]["name_en"], "partner"),
    )
    pair = f"{ua}_{partner}"
    signed = "-signed" if file.seal else ""
    kind = file.kind.replace("_", "-")
    return f"{pair}_{kind}_v{version.number}{signed}_{file.language}.{file.fmt}"


# -- Signing -----------------------------------------------------------------------------------


def side_of(actor: Account, partnership: Partnership) -> str | None:
    """The side a head signs for: the one their institution is on, if either."""
    if actor.institution_id is None:
        return None
    if actor.institution_id == partnership.ua_institution_id:
        return "ua"
    if actor.institution_id == partnership.partner_institution_id:
        return "partner"
    return None


def sign(
    version: DocumentVersion,
    partnership: Partnership,
    *,
    actor: Account,
    position: str,
    password: str,
) -> SignOff:
    """Sign ``version`` for the actor's institution after checking their password again.

    Refused, with nothing stored, when it is not the latest version, when the data changed
    since it was made (the head would sign what the documents no longer say), when their
    institution signed it already, or when the password is wrong (slowed like a sign-in)."""
    side = side_of(actor, partnership)
    if side is None or version.partnership_id != partnership.id:
        raise DocumentError(_l("Only a head of one of the two hospitals can sign."))
    newest = latest(partnership.id)
    if newest is None or newest.id != version.id:
        raise DocumentError(
            _l("Only the latest version can be signed: version %(n)s is newer.", n=newest.number)
            if newest
            else _l("There is no such document.")
        )
    if any(s.side == side for s in version.signoffs):
        raise DocumentError(_l("Your hospital has already signed this version."))
    if snapshot.content_hash(snapshot.take(partnership)) != version.content_hash:
        raise DocumentError(
            _l(
                "The answers changed after version %(n)s was made. Make a new version, read it, "
                "and sign that one.",
                n=version.number,
            )
        )
    limit = limits.own_password(actor.id)
    refuse_if_throttled([limit], "password")
    if not actor.password_hash or not check_password_hash(actor.password_hash, password):
        throttle.record_all([limit])
        securitylog.event("sign_password_failed", account_id=actor.id)
        audit.record("sign_refused", actor=actor, obj=version)
        raise DocumentError(_l("That password is not right."), field="password")
    throttle.clear(limit.key)
    signoff = SignOff(
        version_id=version.id,
        account_id=actor.id,
        institution_id=actor.institution_id,
        side=side,
        name=actor.display_name,
        position=position.strip(),
        content_hash=version.content_hash,
    )
    db.session.add(signoff)
    db.session.flush()
    db.session.refresh(version)
    audit.record("signed", actor=actor, obj=version, number=version.number, side=side)
    return signoff
