"""What a request at a partnership's table may reach: the person, the partnership, the stage.

Every group-work view starts here, so the object rules of ``workshop.permissions`` are applied
the same way in every room (a partnership another person may not see is a 404, never a 403
that would confirm it exists).
"""

from __future__ import annotations

from flask import abort, redirect, url_for
from werkzeug.wrappers import Response

from workshop.auth.sessions import acting_account, signed_in
from workshop.auth.signed_in import Seat, SignedIn, Table
from workshop.extensions import db
from workshop.method.definition import Method, Question, Stage, load
from workshop.models import SHARED, Account, Membership, Partnership
from workshop.numbers import whole_number
from workshop.permissions import can_view_partnership, participant_seat, seat_at


def acting() -> Account:
    actor = acting_account()
    assert actor is not None  # noqa: S101 - the access table admits signed-in people only
    return actor


def acting_person() -> Account | SignedIn:
    """Who acts, without making the account an object for it (see ``table_for_save``)."""
    person = signed_in()
    assert person is not None  # noqa: S101 - the access table admits signed-in people only
    return person


def load_partnership(partnership_id: int) -> tuple[Partnership, Method, Membership | None]:
    """The partnership (404 unless the person may see it), its method, and their seat at it."""
    actor = acting()  # first: loading the person also loads their seats' partnerships
    partnership = db.get_or_404(Partnership, partnership_id)
    if not can_view_partnership(actor, partnership):
        abort(404)
    return partnership, load(partnership.method_version), seat_at(actor, partnership)


def table_for_save(
    partnership_id: int,
) -> tuple[Partnership | Table, Method, Membership | Seat]:
    """Where an autosave goes: the table, its method and the person's seat; 404 unless they may
    see the partnership, 403 unless they sit at it.

    A seated participant's seat and table come from the session check's plain values, so the
    request makes no object (auth/signed_in.py); anybody else takes ``load_partnership``.
    """
    person = signed_in()
    if isinstance(person, SignedIn) and (seat := participant_seat(person, partnership_id)):
        return seat.table, load(seat.table.method_version), seat
    partnership, method, membership = load_partnership(partnership_id)
    if membership is None:
        abort(403)
    return partnership, method, membership


def shown_cycle(partnership: Partnership, raw: str | None) -> int:
    """The cycle a page asks to show (``?cycle=N``): the current one unless an earlier is named;
    a cycle the partnership has not reached is a 404."""
    if raw is None:
        return partnership.cycle
    cycle = whole_number(raw, low=1, high=partnership.cycle)
    if cycle is None:
        abort(404)
    return cycle


def load_stage(method: Method, stage_key: str) -> Stage:
    stage = method.stage(stage_key)
    if stage is None:
        abort(404)
    return stage


def question_for_seat(method: Method, key: str, seat: Membership | Seat) -> tuple[Question, str]:
    """The question and the side this seat answers it for (shared questions: both sides)."""
    question = method.question(key)
    if question is None:
        abort(404)
    return question, seat.side.value if question.per_side else SHARED


def stage_of(method: Method, question: Question) -> Stage:
    located = method.section_of(question.key)
    assert located is not None  # noqa: S101 - every question sits in a section
    return located[0]


def back_to(partnership: Partnership, stage: Stage, anchor: str = "review") -> Response:
    return redirect(
        url_for("stage.page", partnership_id=partnership.id, stage_key=stage.key, _anchor=anchor)
    )
