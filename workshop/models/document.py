"""Generated documents: immutable versions of a partnership's data, their files, and sign-offs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workshop.models.base import Base, utcnow

if TYPE_CHECKING:
    from workshop.models.account import Account


class DocumentVersion(Base):
    """One snapshot of a partnership's data that documents are made from; never changed.

    ``content_hash`` is the SHA-256 of the snapshot written canonically: it names the content,
    so every file of the version (PDF, DOCX, XLSX, any language) prints the same hash, and a
    sign-off binds the person to this content whatever file they read it in.
    """

    __tablename__ = "document_version"
    __table_args__ = (sa.UniqueConstraint("partnership_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"), index=True)
    cycle: Mapped[int] = mapped_column(default=1)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    method_version: Mapped[str] = mapped_column(sa.String(20))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    # A draft until every stage the vision draws on was approved when the version was made.
    draft: Mapped[bool] = mapped_column(default=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # What changed since the version before (documents.diff), worked out once when made.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # The secret part of the verification address printed as a QR code: holding a printout is
    # what lets a stranger open the page, so it must not be guessable from the number.
    verify_token: Mapped[str] = mapped_column(sa.String(43), unique=True)

    created_by: Mapped[Account | None] = relationship()
    files: Mapped[list[DocumentFile]] = relationship(back_populates="version")
    signoffs: Mapped[list[SignOff]] = relationship(
        back_populates="version", order_by="(SignOff.signed_at, SignOff.id)"
    )


class DocumentFile(Base):
    """The bytes of one rendering of a version, stored once and served as stored.

    ``seal`` names the sign-offs printed in it ("" for none), so a signed copy is a file of its
    own and the unsigned one stays as it was.
    """

    __tablename__ = "document_file"
    __table_args__ = (sa.UniqueConstraint("version_id", "kind", "fmt", "language", "seal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_version.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # vision · action_plan
    fmt: Mapped[str] = mapped_column(sa.String(5))  # pdf · docx · xlsx
    language: Mapped[str] = mapped_column(sa.String(4))  # uk · en · both
    seal: Mapped[str] = mapped_column(sa.String(64), default="")
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))

    version: Mapped[DocumentVersion] = relationship(back_populates="files")


class SignOff(Base):
    """A hospital head's signature on a version, given by entering their password again."""

    __tablename__ = "sign_off"
    __table_args__ = (sa.UniqueConstraint("version_id", "institution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_version.id"), index=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"))
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("institution.id"))
    side: Mapped[str] = mapped_column(sa.String(10))  # ua · partner
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[str] = mapped_column(sa.String(200))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[DocumentVersion] = relationship(back_populates="signoffs")
    account: Mapped[Account] = relationship()


class Job(Base):
    """A background job (a render, a seminar's ZIP): its progress, failures and result.

    The state lives here, not in a worker's memory, so any web process can show the progress
    page and the job survives the process that queued it. How workers claim, report and give
    up a job: workshop/jobs/services.py.
    """

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unguessable, for the progress page's address.
    token: Mapped[str] = mapped_column(sa.String(43), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The language of the person who started it: its messages and files are written in it.
    locale: Mapped[str] = mapped_column(sa.String(5), default="uk", server_default="uk")
    state: Mapped[str] = mapped_column(sa.String(10), default="queued")  # running · done · failed
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # What went wrong, one entry per failed part: {"what": ..., "why": ...}, shown as written.
    # "what" is empty when the job as a whole failed.
    failures: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    result_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_file.id"))
    result: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    result_name: Mapped[str | None] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # The worker's last sign of life (claimed, progress): long ago while running means it died.
    touched_at: Mapped[datetime | None]
    # Bumped by every write and checked by it (SQLAlchemy's version counter): a worker whose
    # job was started again elsewhere finds the row changed at its next write, and stops.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")

    __mapper_args__ = {"version_id_col": revision}
