"""What the documents say: a snapshot and its method made into a ``model.Document`` in one
language (uk or en). Renderers (documents.html for the PDF, the DOCX writer) read only that.

Every word comes from the catalogue (gettext, in the document's language) or from the method
and the answers; nothing here touches the database or the request.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from workshop.documents import model
from workshop.documents.content import action_plan as plan_document
from workshop.documents.content import vision as vision_document
from workshop.documents.content.common import parties
from workshop.documents.content.source import Source
from workshop.documents.snapshot import Snapshot
from workshop.method.definition import Method

LANGS = ("uk", "en")

__all__ = ["LANGS", "action_plan", "vision"]


def _check(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"documents are made in {LANGS}, not {lang!r}")


def vision(
    snapshot: Snapshot,
    method: Method,
    lang: str,
    meta: model.Meta,
    recommendations: tuple[model.Recommendation, ...],
) -> model.Document:
    """The strategic vision in ``lang``."""
    _check(lang)
    with force_locale(lang):
        src = Source(snapshot, method, lang)
        return model.Document(
            kind="vision",
            lang=lang,
            title=_("Strategic vision of the partnership"),
            parties=parties(src),
            meta=meta,
            sections=vision_document.build(src, meta, recommendations),
        )


def action_plan(snapshot: Snapshot, method: Method, lang: str, meta: model.Meta) -> model.Document:
    """The action plan in ``lang``."""
    _check(lang)
    with force_locale(lang):
        src = Source(snapshot, method, lang)
        return model.Document(
            kind="action_plan",
            lang=lang,
            title=_("Action plan of the partnership"),
            parties=parties(src),
            meta=meta,
            sections=plan_document.build(src),
        )
