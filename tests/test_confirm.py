"""Every action that removes or overwrites asks first, without JavaScript, and says what happens.

Each case posts the button as the page sends it: the answer is a page (200) that says in plain
words what will happen, and nothing stored has changed. Then the "Yes" form of that page is
posted back exactly as a browser would send it (its action, its hidden fields), and the action
happens. Cancel leads back to where the action was started.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from tests.factories import World, make_account
from workshop.extensions import db
from workshop.models import Account, Answer, AuthSession, Role, StageRun, StageStatus, utcnow

EN = {"Accept-Language": "en"}


@dataclass
class YesForm:
    action: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)
    cancel: str = ""


class _ConfirmPage(HTMLParser):
    """The form that carries ``confirm=yes``, and the Cancel link beside it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[YesForm] = []
        self._form: YesForm | None = None
        self._in_button = False
        self._link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = YesForm(action=a.get("action", ""))
        elif self._form is not None and tag == "input" and a.get("type") == "hidden":
            self._form.fields.append((a["name"], a.get("value", "")))
        elif self._form is not None and tag == "button":
            self._in_button = True
            self._form.buttons.append("")
        elif self._form is not None and tag == "a":
            self._link = a.get("href", "")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._in_button:
            self._form.buttons[-1] += data
        if self._form is not None and self._link is not None and data.strip() == "Cancel":
            self._form.cancel = self._link

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._in_button = False
        elif tag == "a":
            self._link = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def yes_form(response: TestResponse) -> YesForm:
    parser = _ConfirmPage()
    parser.feed(response.get_data(as_text=True))
    found = [f for f in parser.forms if ("confirm", "yes") in f.fields]
    assert len(found) == 1, "the page has no single confirming form"
    return found[0]


def asks(response: TestResponse, *expected: str) -> YesForm:
    """The answer is the question, saying ``expected``; returns its "Yes" form."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    page = " ".join(html.unescape(response.get_data(as_text=True)).split())
    for words in expected:
        assert words in page, words
    form = yes_form(response)
    assert form.cancel, "no way back"
    assert form.buttons and form.buttons[0].strip().startswith("Yes")
    return form


def say_yes(client: FlaskClient, form: YesForm) -> TestResponse:
    """Post the confirmation page's form as the browser would."""
    return client.post(form.action, data=MultiDict(form.fields), headers=EN)


def test_removing_a_participant_asks_and_says_they_are_signed_out(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    seat = next(m for m in world.participant.memberships)
    client = login(world.facilitator)
    asked = client.post(f"/seminars/{world.seminar.id}/members/{seat.id}/remove", headers=EN)
    name = world.participant.display_name
    form = asks(asked, f"Remove {name}?", "loses their seat at", "signed out at once")
    assert form.cancel.startswith(f"/seminars/{world.seminar.id}")
    db.session.expire_all()
    assert seat.active and world.participant.active

    assert say_yes(client, form).status_code == 302
    db.session.expire_all()
    assert not seat.active
    assert not world.participant.active


def test_a_new_join_code_is_made_only_after_saying_yes(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    old = world.seminar.join_code
    client = login(world.facilitator)
    asked = client.post(f"/seminars/{world.seminar.id}/code/rotate", headers=EN)
    form = asks(asked, "Make a new join code?", "stops working at once")
    db.session.expire_all()
    assert world.seminar.join_code == old
    assert say_yes(client, form).status_code == 302
    db.session.expire_all()
    assert world.seminar.join_code != old


def test_closing_joining_asks_but_opening_it_does_not(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.facilitator)
    url = f"/seminars/{world.seminar.id}/code/open"
    form = asks(client.post(url, headers=EN), "Close joining?", "Nobody can join")
    db.session.expire_all()
    assert world.seminar.join_open is True
    assert say_yes(client, form).status_code == 302
    db.session.expire_all()
    assert world.seminar.join_open is False
    assert client.post(url, data={"open": "y"}).status_code == 302
    db.session.expire_all()
    assert world.seminar.join_open is True


def test_removing_a_facilitator_asks_then_closes_the_seminar_to_them(
    world: World, login: Callable[[Account], FlaskClient], app: object
) -> None:
    colleague = make_account(role=Role.FACILITATOR)
    world.seminar.facilitators.append(colleague)
    db.session.commit()
    client = login(world.facilitator)
    asked = client.post(
        f"/seminars/{world.seminar.id}/facilitators/{colleague.id}/remove", headers=EN
    )
    form = asks(asked, f"Remove {colleague.display_name} as a facilitator?", "no longer runs")
    db.session.expire_all()
    assert colleague in world.seminar.facilitators
    assert say_yes(client, form).status_code == 302
    db.session.expire_all()
    assert colleague not in world.seminar.facilitators
    assert login(colleague).get(f"/seminars/{world.seminar.id}").status_code == 404


def test_switching_an_account_off_asks_and_names_it(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    login(world.other_head)  # the head is signed in somewhere
    client = login(world.admin)
    asked = client.post(f"/accounts/{world.other_head.id}/active", headers=EN)
    form = asks(asked, "signed out everywhere at once", world.other_head.email or "")
    db.session.expire_all()
    assert world.other_head.active
    open_sessions = sa.select(sa.func.count(AuthSession.id)).where(
        AuthSession.account_id == world.other_head.id, AuthSession.revoked_at.is_(None)
    )
    assert db.session.scalar(open_sessions) == 1
    assert say_yes(client, form).status_code == 302
    db.session.expire_all()
    assert not world.other_head.active
    assert db.session.scalar(open_sessions) == 0
    # Switching on takes nothing away: no question.
    switched_on = client.post(f"/accounts/{world.other_head.id}/active", data={"active": "y"})
    assert switched_on.status_code == 302
    db.session.expire_all()
    assert world.other_head.active


def _approved(world: World) -> StageRun:
    run = StageRun(
        partnership_id=world.partnership.id,
        stage_key="agreement",
        status=StageStatus.APPROVED,
        first_approved_at=utcnow(),
    )
    db.session.add(run)
    db.session.commit()
    return run


def test_reopening_a_stage_asks_with_the_reason_and_keeps_it_for_the_yes(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    run = _approved(world)
    client = login(world.facilitator)
    url = f"/partnerships/{world.partnership.id}/stages/agreement/review"
    asked = client.post(
        url, data={"action": "reopen", "reason": "Fix the director's name"}, headers=EN
    )
    form = asks(asked, "Reopen stage 1.", "The stage is unlocked", "«Fix the director's name»")
    assert ("action", "reopen") in form.fields
    assert ("reason", "Fix the director's name") in form.fields
    db.session.expire_all()
    assert run.status is StageStatus.APPROVED
    assert run.events == []
    assert say_yes(client, form).status_code == 302
    db.session.expire_all()
    assert run.status is StageStatus.REOPENED
    assert [e.reason for e in run.events] == ["Fix the director's name"]


def test_a_reopening_that_cannot_happen_is_refused_before_any_question(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    run = _approved(world)
    client = login(world.facilitator)
    url = f"/partnerships/{world.partnership.id}/stages/agreement/review"
    refused = client.post(url, data={"action": "reopen", "reason": " "}, headers=EN)
    assert refused.status_code == 422
    assert "Give a reason" in refused.get_data(as_text=True)
    assert 'name="confirm"' not in refused.get_data(as_text=True)
    db.session.expire_all()
    assert run.status is StageStatus.APPROVED


def _answer(world: World) -> Answer | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Answer).where(
            Answer.partnership_id == world.partnership.id, Answer.question_key == "outage_plan"
        )
    )


def test_bringing_back_an_old_version_asks_and_says_what_is_replaced(
    world: World, login: Callable[[Account], FlaskClient]
) -> None:
    client = login(world.participant)
    url = f"/partnerships/{world.partnership.id}/answers"
    for version, text in enumerate(("first words", "second words")):
        saved = client.post(
            url, json={"question": "outage_plan", "value": text, "base_version": version}
        )
        assert saved.status_code == 200
    restore = f"/partnerships/{world.partnership.id}/answers/outage_plan/restore"
    asked = client.post(restore, data={"version": "1", "base_version": "2"}, headers=EN)
    form = asks(asked, "Bring back version 1?", "(version 2) is replaced by version 1")
    assert "/answers/outage_plan/history" in form.cancel
    stored = _answer(world)
    assert stored is not None and (stored.value, stored.version) == ("second words", 2)
    assert say_yes(client, form).status_code == 302
    stored = _answer(world)
    assert stored is not None and (stored.value, stored.version) == ("first words", 3)
