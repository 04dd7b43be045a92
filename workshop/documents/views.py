"""Documents: the heads' portal, a partnership's versions and files, signing, verification."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from workshop.auth.services import AuthError
from workshop.auth.sessions import acting_account
from workshop.documents import diff, queries, services, snapshot
from workshop.documents.forms import SignForm
from workshop.documents.services import DocumentError
from workshop.extensions import db
from workshop.groupwork.review.queries import runs
from workshop.groupwork.review.workflow import is_open
from workshop.i18n import current_lang
from workshop.method.definition import load
from workshop.models import Account, DocumentVersion, Partnership, Role
from workshop.partnerships.queries import visible_partnership_page
from workshop.permissions import can_view_partnership, may_sign

bp = Blueprint("documents", __name__)


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits signed-in people only
    return actor


def _partnership(partnership_id: int) -> Partnership:
    partnership = db.get_or_404(Partnership, partnership_id)
    if not can_view_partnership(_actor(), partnership):
        abort(404)  # not 403: do not confirm that somebody else's partnership exists
    return partnership


def _version(version_id: int) -> tuple[DocumentVersion, Partnership]:
    version = db.get_or_404(DocumentVersion, version_id)
    return version, _partnership(version.partnership_id)


@bp.get("/documents/")
def portal() -> str:
    """Each partnership the person may see, with where its documents stand."""
    actor = _actor()
    # A page at a time (workshop.paging): staff may see a whole programme's partnerships.
    shown = visible_partnership_page(actor, request.args.get("page", 1, type=int))
    partnerships = shown.rows
    advice = {}
    if actor.role is Role.HEAD:  # a head has a handful: the recommendations fit on the page
        from workshop.recommendations import rules

        taken = snapshot.take_many(partnerships)  # the same three queries for every head
        for p in partnerships:
            method = load(p.method_version)
            advice[p.id] = rules.applicable(taken[p.id], method, current_lang())
    return render_template(
        "documents/portal.html",
        partnerships=partnerships,
        shown=shown,
        summaries=queries.summaries(p.id for p in partnerships),
        advice=advice,
    )


def _page(partnership: Partnership, form: SignForm | None = None, status: int = 200):
    from workshop.recommendations import rules

    actor = _actor()
    method = load(partnership.method_version)
    all_versions = services.versions(partnership.id)
    standing = services.standing(partnership, all_versions)
    lang = current_lang()
    by_key = runs(partnership.id, partnership.cycle)
    signable = (
        standing.latest is not None
        and not standing.data_changed
        and may_sign(actor, partnership)
        and not any(
            s.side == services.side_of(actor, partnership) for s in standing.latest.signoffs
        )
    )
    return render_template(
        "documents/partnership.html",
        partnership=partnership,
        method=method,
        runs=by_key,
        stage_open={s.key: is_open(method, s, by_key) for s in method.stages},
        advice=rules.applicable(snapshot.take(partnership, method), method, lang),
        versions=all_versions,
        standing=standing,
        changes={v.id: diff.describe(v.changes, method, lang) for v in all_versions},
        formats=services.FORMATS,
        signable=signable,
        form=form or SignForm(),
        agreed=services.agreed,
    ), status


@bp.get("/partnerships/<int:partnership_id>/documents")
def partnership(partnership_id: int):
    return _page(_partnership(partnership_id))


@bp.post("/partnerships/<int:partnership_id>/documents/versions")
def make_version(partnership_id: int) -> Response:
    """Make a version of the current data (or find the one that already holds it)."""
    found = _partnership(partnership_id)
    version = services.current_version(found, actor=_actor())
    db.session.commit()
    return redirect(
        url_for("documents.partnership", partnership_id=found.id, _anchor=f"v{version.number}"),
        303,
    )


@bp.get("/documents/<int:version_id>/<kind>/<lang>.<fmt>")
def download(version_id: int, kind: str, lang: str, fmt: str) -> Response:
    """The stored file; made now when it is light (a workbook), else in a background job (the
    job's page follows it until the file is there)."""
    version, _found = _version(version_id)
    if not services.known(kind, fmt, lang):
        abort(404)
    file = services.stored(version, kind, fmt, lang)
    if file is None and fmt not in services.MADE_AT_ONCE:
        from workshop.jobs import services as jobs

        job = jobs.start(
            "render_file",
            {"version_id": version.id, "kind": kind, "fmt": fmt, "lang": lang},
            actor=_actor(),
        )
        db.session.commit()
        return redirect(url_for("jobs.progress", token=job.token), 303)
    if file is None:
        file = services.file_for(version, kind, fmt, lang, actor=_actor())
    services.downloaded(file, actor=_actor())
    # Read before the commit expires the row: the bytes are not fetched a second time.
    data, name, etag = file.data, services.download_name(file), file.sha256
    db.session.commit()
    return send_file(
        BytesIO(data),
        mimetype=services.MEDIA_TYPES[fmt],
        as_attachment=True,
        download_name=name,
        etag=etag,
        conditional=True,
    )


@bp.post("/documents/<int:version_id>/sign")
def sign(version_id: int):
    version, found = _version(version_id)
    actor = _actor()
    if not may_sign(actor, found):
        abort(403)
    form = SignForm()
    if not form.validate_on_submit():
        return _page(found, form, 400)
    try:
        services.sign(
            version,
            found,
            actor=actor,
            position=form.position.data or "",
            password=form.password.data or "",
        )
    except (DocumentError, AuthError) as error:
        db.session.commit()  # a wrong password counts: its failure record is all that is kept
        field = form.password if error.field == "password" else form.position
        field.errors = [*field.errors, error.message]
        if error.field != "password":
            form.form_errors.append(error.message)
        status = 429 if getattr(error, "retry_after", 0) else 400
        return _page(found, form, status)
    db.session.commit()
    return redirect(
        url_for("documents.partnership", partnership_id=found.id, _anchor=f"v{version.number}"),
        303,
    )


@bp.get("/verify/<token>")
def verify(token: str) -> str:
    """What anybody holding a printout may check: that this version exists, its content hash,
    and who signed it. The address carries a secret token printed only on the document."""
    version = queries.by_token(token)
    if version is None:
        abort(404)
    newest = services.latest(version.partnership_id)
    return render_template(
        "documents/verify.html",
        version=version,
        people=version.snapshot["institutions"],
        is_latest=newest is not None and newest.id == version.id,
        newest=newest,
        agreed=services.agreed(version),
        files=sorted(version.files, key=lambda f: (f.kind, f.fmt, f.language, f.seal)),
        method=load(version.method_version),
        requested=request.path,
    )
