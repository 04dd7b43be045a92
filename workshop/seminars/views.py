"""The facilitator's seminar pages."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workshop import codes, confirm
from workshop.auth.sessions import acting_account
from workshop.documents.queries import summaries as document_summaries
from workshop.extensions import db
from workshop.groupwork.review.queries import under_revision
from workshop.i18n import current_lang, localized, partnership_label
from workshop.method.definition import load
from workshop.models import Account, Membership, Partnership, Seminar
from workshop.permissions import can_manage_seminar, may_remove_facilitator, may_remove_member
from workshop.seminars import offers, queries, services
from workshop.seminars.forms import (
    AddFacilitatorForm,
    AddPartnershipForm,
    ConfirmForm,
    JoinOpenForm,
    SeminarForm,
)

bp = Blueprint("seminars", __name__, url_prefix="/seminars")


def _actor() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits staff only
    return actor


def _managed_seminar(seminar_id: int) -> Seminar:
    seminar = db.get_or_404(Seminar, seminar_id)
    if not can_manage_seminar(_actor(), seminar):
        abort(404)  # another facilitator's seminar is not confirmed to exist
    return seminar


def _checked_button(seminar_id: int) -> Seminar:
    """The seminar of a one-button action, with the button's token checked."""
    seminar = _managed_seminar(seminar_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return seminar


def _revising(partnerships: Sequence[Partnership]) -> dict[int, list[str]]:
    """Per partnership, the stages being revised after approval, as "N. title" to show."""
    lang = current_lang()
    found = under_revision([p.id for p in partnerships])
    named: dict[int, list[str]] = {}
    for partnership in partnerships:
        method = load(partnership.method_version)
        stages = [s for k in found.get(partnership.id, []) if (s := method.stage(k)) is not None]
        for stage in sorted(stages, key=lambda s: s.number):  # in the method's order
            named.setdefault(partnership.id, []).append(f"{stage.number}. {stage.title(lang)}")
    return named


def _detail(
    seminar: Seminar,
    status: int = 200,
    *,
    add_partnership: AddPartnershipForm | None = None,
    add_facilitator: AddFacilitatorForm | None = None,
    facilitator_error: str | None = None,
) -> tuple[str, int]:
    """The seminar page; a form that was just posted comes back with its errors."""
    actor = _actor()
    add_partnership = add_partnership or AddPartnershipForm()
    add_partnership.partnership.choices = offers.partnership_options(actor, seminar)
    add_facilitator = add_facilitator or AddFacilitatorForm()
    add_facilitator.account.choices = offers.facilitator_options(actor, seminar)
    # A page of partnerships, and the people at them: a constant number of queries and a page
    # of a readable size whatever the seminar's size (a form posted back shows the first page).
    shown = queries.partnership_page(seminar, request.args.get("page", 1, type=int))
    ids = [p.id for p in shown.rows]
    page = render_template(
        "seminars/detail.html",
        seminar=seminar,
        add_partnership=add_partnership,
        add_facilitator=add_facilitator,
        facilitator_error=facilitator_error,
        shown=shown,
        on_page={p.id: p for p in shown.rows},
        members=queries.seminar_members(seminar, ids),
        revising=_revising(shown.rows),
        documents=document_summaries(ids),
    )
    return page, status


def _back_url(seminar: Seminar, anchor: str | None = None) -> str:
    return url_for("seminars.detail", seminar_id=seminar.id, _anchor=anchor)


@bp.get("/")
def index() -> str:
    seminars = queries.seminars_managed_by(_actor())
    return render_template(
        "seminars/index.html",
        seminars=seminars,
        counts=queries.partnership_counts([s.id for s in seminars]),
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response | tuple[str, int]:
    return _edit(None)


@bp.route("/<int:seminar_id>/edit", methods=["GET", "POST"])
def edit(seminar_id: int) -> str | Response | tuple[str, int]:
    return _edit(_managed_seminar(seminar_id))


def _edit(seminar: Seminar | None) -> str | Response | tuple[str, int]:
    form = SeminarForm(obj=seminar)
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("seminars/edit.html", form=form, seminar=seminar), status
    data = services.SeminarData(
        title_uk=form.title_uk.data,
        title_en=form.title_en.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        venue_uk=form.venue_uk.data,
        venue_en=form.venue_en.data,
    )
    saved = services.save_seminar(data, actor=_actor(), seminar=seminar)
    db.session.commit()
    flash(_("Seminar saved."), "success")
    return redirect(url_for("seminars.detail", seminar_id=saved.id))


@bp.get("/<int:seminar_id>")
def detail(seminar_id: int) -> tuple[str, int]:
    return _detail(_managed_seminar(seminar_id))


def _done(seminar: Seminar, message: str, anchor: str | None = None) -> Response:
    db.session.commit()
    flash(message, "success")
    return redirect(_back_url(seminar, anchor))


@bp.post("/<int:seminar_id>/code/rotate")
def rotate_code(seminar_id: int) -> Response | tuple[str, int]:
    seminar = _checked_button(seminar_id)
    if not confirm.confirmed():
        return confirm.ask(
            title=_("Make a new join code?"),
            consequences=[
                _(
                    "The code %(code)s stops working at once, also for anybody who typed it "
                    "and has not finished joining: they need the new code.",
                    code=codes.grouped(seminar.join_code),
                ),
                _("People already at the tables stay signed in and keep their return codes."),
            ],
            yes=_("Yes, make a new code"),
            back=_back_url(seminar, "code-title"),
        )
    services.rotate_join_code(seminar, actor=_actor())
    return _done(
        seminar,
        _("New code: %(code)s. The old code no longer works.", code=seminar.join_code),
        "code-title",
    )


@bp.post("/<int:seminar_id>/code/open")
def set_join_open(seminar_id: int) -> Response | tuple[str, int]:
    seminar = _managed_seminar(seminar_id)
    form = JoinOpenForm()
    if not form.validate_on_submit():
        abort(400)
    closing = seminar.join_open and not form.open.data
    if closing and not confirm.confirmed():
        return confirm.ask(
            title=_("Close joining?"),
            consequences=[
                _(
                    "Nobody can join «%(seminar)s» with its code until you open joining again, "
                    "also anybody who typed it and has not finished joining.",
                    seminar=localized(seminar, "title"),
                ),
                _(
                    "People already at the tables keep working and come back with their "
                    "return codes."
                ),
            ],
            yes=_("Yes, close joining"),
            back=_back_url(seminar, "code-title"),
        )
    services.set_join_open(seminar, form.open.data, actor=_actor())
    message = _("Joining is open.") if form.open.data else _("Joining is closed.")
    return _done(seminar, message, "code-title")


@bp.post("/<int:seminar_id>/partnerships")
def add_partnership(seminar_id: int) -> Response | tuple[str, int]:
    seminar = _managed_seminar(seminar_id)
    form = AddPartnershipForm()
    if not form.validate_on_submit():
        return _detail(seminar, 422, add_partnership=form)
    try:
        services.add_partnership(seminar, form.partnership.data, actor=_actor())
    except services.SeminarError as error:
        form.partnership.errors = [*form.partnership.errors, error.message]
        return _detail(seminar, 422, add_partnership=form)
    return _done(seminar, _("Partnership added to the seminar."), "pships-title")


@bp.post("/<int:seminar_id>/facilitators")
def add_facilitator(seminar_id: int) -> Response | tuple[str, int]:
    seminar = _managed_seminar(seminar_id)
    form = AddFacilitatorForm()
    if not form.validate_on_submit():
        return _detail(seminar, 422, add_facilitator=form)
    try:
        services.add_facilitator(seminar, form.account.data, actor=_actor())
    except services.SeminarError as error:
        form.account.errors = [*form.account.errors, error.message]
        return _detail(seminar, 422, add_facilitator=form)
    return _done(seminar, _("Facilitator added."), "fac-title")


@bp.post("/<int:seminar_id>/facilitators/<int:account_id>/remove")
def remove_facilitator(seminar_id: int, account_id: int) -> Response | tuple[str, int]:
    seminar = _checked_button(seminar_id)
    actor = _actor()
    account = db.session.get(Account, account_id)
    if account is None or not may_remove_facilitator(actor, seminar, account):
        abort(404)
    try:
        services.refuse_leaving_unrun(seminar, account, actor=actor)
    except services.SeminarError as error:
        return _detail(seminar, 422, facilitator_error=str(error.message))
    name, title = account.display_name, localized(seminar, "title")
    if not confirm.confirmed():
        consequences = [
            _(
                "%(name)s no longer runs «%(seminar)s»: its page, its join code and its people "
                "are closed to them at once.",
                name=name,
                seminar=title,
            ),
            _(
                "They no longer see or review its partnerships, unless another seminar they "
                "run has them. Nothing they wrote or decided is removed."
            ),
        ]
        if account.id == actor.id:
            consequences.append(_("This is you: you will not see this seminar any more."))
        return confirm.ask(
            title=_("Remove %(name)s as a facilitator?", name=name),
            consequences=consequences,
            yes=_("Yes, remove %(name)s", name=name),
            back=_back_url(seminar, "fac-title"),
        )
    services.remove_facilitator(seminar, account, actor=actor)
    message = _("%(name)s no longer facilitates this seminar.", name=name)
    if account.id == actor.id and not can_manage_seminar(actor, seminar):
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("seminars.index"))
    return _done(seminar, message, "fac-title")


@bp.post("/<int:seminar_id>/members/<int:membership_id>/remove")
def remove_member(seminar_id: int, membership_id: int) -> Response | tuple[str, int]:
    seminar = _checked_button(seminar_id)
    membership = db.session.get(Membership, membership_id)
    if membership is None or not may_remove_member(_actor(), seminar, membership):
        abort(404)
    name = membership.account.display_name
    if not confirm.confirmed():
        return confirm.ask(
            title=_("Remove %(name)s?", name=name),
            consequences=[
                _(
                    "%(name)s loses their seat at %(partnership)s and is signed out at once.",
                    name=name,
                    partnership=partnership_label(membership.partnership),
                ),
                _(
                    "Their return code no longer opens this partnership. What they wrote stays "
                    "with the table."
                ),
            ],
            yes=_("Yes, remove %(name)s", name=name),
            back=_back_url(seminar, "people-title"),
        )
    services.remove_member(membership, actor=_actor())
    return _done(seminar, _("%(name)s was removed and signed out.", name=name), "people-title")
