"""Every route, every kind of person: who gets in, who is sent to sign in, who is refused.

The table below must name every endpoint and method of the app: a new route without an entry
fails ``test_every_route_is_in_the_table``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask, url_for
from flask.testing import FlaskClient

from tests.factories import World, facilitator_comment
from workshop.auth.services import open_session
from workshop.documents import services as documents
from workshop.extensions import db
from workshop.models import Account, ImportBatch, Job, Throttle
from workshop.permissions import ENDPOINT_ACCESS

ROLES = (
    "anon",
    "participant",
    "other_participant",
    "head",
    "other_head",
    "facilitator",
    "other_facilitator",
    "admin",
)
LOGIN = 302  # anonymous people are sent to sign in


@dataclass(frozen=True)
class Case:
    method: str
    url: Callable[[World], str]
    expected: dict[str, int]


def expect(default: int, **by_role: int) -> dict[str, int]:
    return {role: by_role.get(role, default) for role in ROLES}


STAFF_PAGE = expect(403, anon=LOGIN, facilitator=200, other_facilitator=200, admin=200)
OUR_SEMINAR_PAGE = expect(403, anon=LOGIN, facilitator=200, other_facilitator=404, admin=200)
ADMIN_PAGE = expect(403, anon=LOGIN, admin=200)
OUR_SEMINAR_CONTROL = expect(403, anon=LOGIN, facilitator=400, other_facilitator=404, admin=400)
OUR_TABLE_PAGE = expect(404, anon=LOGIN, participant=200)
SIGNED_IN_HOME = expect(302, anon=200)
OUR_PARTNERSHIP_PAGE = expect(
    404, anon=LOGIN, participant=200, head=200, facilitator=200, admin=200
)  # the start page sends signed-in people to their work


def our_member(world: World) -> int:
    return next(m.id for m in world.participant.memberships)


CASES: dict[tuple[str, str], Case] = {
    ("main.index", "GET"): Case("GET", lambda w: url_for("main.index"), SIGNED_IN_HOME),
    ("main.health", "GET"): Case("GET", lambda w: url_for("main.health"), expect(200)),
    ("static", "GET"): Case(
        "GET", lambda w: url_for("static", filename="css/app.css"), expect(200)
    ),
    ("prefs.language", "POST"): Case("POST", lambda w: url_for("prefs.language"), expect(302)),
    ("prefs.display", "POST"): Case("POST", lambda w: url_for("prefs.display"), expect(302)),
    ("auth.login", "GET"): Case("GET", lambda w: url_for("auth.login"), expect(200)),
    ("auth.login", "POST"): Case("POST", lambda w: url_for("auth.login"), expect(422)),
    ("auth.logout", "POST"): Case("POST", lambda w: url_for("auth.logout"), expect(302)),
    ("auth.join", "GET"): Case("GET", lambda w: url_for("auth.join"), expect(200)),
    ("auth.join", "POST"): Case("POST", lambda w: url_for("auth.join"), expect(422)),
    ("auth.join_details", "GET"): Case("GET", lambda w: url_for("auth.join_details"), expect(302)),
    ("auth.join_details", "POST"): Case(
        "POST", lambda w: url_for("auth.join_details"), expect(302)
    ),
    # One's own password: every account that has one; participants have none (404).
    ("auth.password", "GET"): Case(
        "GET",
        lambda w: url_for("auth.password"),
        expect(200, anon=LOGIN, participant=404, other_participant=404),
    ),
    ("auth.password", "POST"): Case(
        "POST",
        lambda w: url_for("auth.password"),
        expect(422, anon=LOGIN, participant=404, other_participant=404),
    ),
    ("auth.resume", "GET"): Case("GET", lambda w: url_for("auth.resume"), expect(200)),
    ("auth.resume", "POST"): Case("POST", lambda w: url_for("auth.resume"), expect(422)),
    ("auth.welcome", "GET"): Case(
        "GET",
        lambda w: url_for("auth.welcome"),
        expect(403, anon=LOGIN, participant=302, other_participant=302),
    ),
    ("partnerships.index", "GET"): Case(
        "GET",
        lambda w: url_for("partnerships.index"),
        expect(200, anon=LOGIN, participant=302, other_participant=302),
    ),
    ("partnerships.detail", "GET"): Case(
        "GET",
        lambda w: url_for("partnerships.detail", partnership_id=w.partnership.id),
        expect(200, anon=LOGIN, other_participant=404, other_head=404, other_facilitator=404),
    ),
    ("partnerships.new", "GET"): Case("GET", lambda w: url_for("partnerships.new"), STAFF_PAGE),
    ("partnerships.new", "POST"): Case(
        "POST",
        lambda w: url_for("partnerships.new"),
        expect(403, anon=LOGIN, facilitator=422, other_facilitator=422, admin=422),
    ),
    ("institutions.index", "GET"): Case("GET", lambda w: url_for("institutions.index"), STAFF_PAGE),
    ("institutions.new", "GET"): Case("GET", lambda w: url_for("institutions.new"), STAFF_PAGE),
    ("institutions.new", "POST"): Case(
        "POST",
        lambda w: url_for("institutions.new"),
        expect(403, anon=LOGIN, facilitator=422, other_facilitator=422, admin=422),
    ),
    ("institutions.edit", "GET"): Case(
        "GET",
        lambda w: url_for("institutions.edit", institution_id=w.partnership.ua_institution_id),
        # Another seminar's hospital is listed for everybody, and edited by its own people.
        expect(403, anon=LOGIN, facilitator=200, admin=200),
    ),
    ("institutions.edit", "POST"): Case(
        "POST",
        lambda w: url_for("institutions.edit", institution_id=w.partnership.ua_institution_id),
        expect(403, anon=LOGIN, facilitator=422, admin=422),
    ),
    ("seminars.index", "GET"): Case("GET", lambda w: url_for("seminars.index"), STAFF_PAGE),
    ("seminars.new", "GET"): Case("GET", lambda w: url_for("seminars.new"), STAFF_PAGE),
    ("seminars.new", "POST"): Case(
        "POST",
        lambda w: url_for("seminars.new"),
        expect(403, anon=LOGIN, facilitator=422, other_facilitator=422, admin=422),
    ),
    ("seminars.detail", "GET"): Case(
        "GET", lambda w: url_for("seminars.detail", seminar_id=w.seminar.id), OUR_SEMINAR_PAGE
    ),
    ("seminars.edit", "GET"): Case(
        "GET", lambda w: url_for("seminars.edit", seminar_id=w.seminar.id), OUR_SEMINAR_PAGE
    ),
    ("seminars.edit", "POST"): Case(
        "POST",
        lambda w: url_for("seminars.edit", seminar_id=w.seminar.id),
        # An empty post keeps the stored values (nothing typed, nothing lost).
        expect(403, anon=LOGIN, facilitator=302, other_facilitator=404, admin=302),
    ),
    # Destructive buttons first ask (200) what they would do; see tests/test_confirm.py.
    ("seminars.rotate_code", "POST"): Case(
        "POST",
        lambda w: url_for("seminars.rotate_code", seminar_id=w.seminar.id),
        expect(403, anon=LOGIN, facilitator=200, other_facilitator=404, admin=200),
    ),
    ("seminars.set_join_open", "POST"): Case(
        "POST",
        lambda w: url_for("seminars.set_join_open", seminar_id=w.seminar.id),
        expect(403, anon=LOGIN, facilitator=200, other_facilitator=404, admin=200),
    ),
    ("seminars.add_partnership", "POST"): Case(
        "POST",
        lambda w: url_for("seminars.add_partnership", seminar_id=w.seminar.id),
        expect(403, anon=LOGIN, facilitator=422, other_facilitator=404, admin=422),
    ),
    ("seminars.add_facilitator", "POST"): Case(
        "POST",
        lambda w: url_for("seminars.add_facilitator", seminar_id=w.seminar.id),
        expect(403, anon=LOGIN, facilitator=422, other_facilitator=404, admin=422),
    ),
    ("seminars.remove_facilitator", "POST"): Case(
        "POST",
        lambda w: url_for(
            "seminars.remove_facilitator", seminar_id=w.seminar.id, account_id=w.facilitator.id
        ),
        # The seminar's only facilitator cannot leave it unrun; an admin may (after the question).
        expect(403, anon=LOGIN, facilitator=422, other_facilitator=404, admin=200),
    ),
    ("seminars.remove_member", "POST"): Case(
        "POST",
        lambda w: url_for(
            "seminars.remove_member", seminar_id=w.seminar.id, membership_id=our_member(w)
        ),
        expect(403, anon=LOGIN, facilitator=200, other_facilitator=404, admin=200),
    ),
    ("imports.new", "GET"): Case("GET", lambda w: url_for("imports.new"), STAFF_PAGE),
    ("imports.new", "POST"): Case(
        "POST",
        lambda w: url_for("imports.new"),
        expect(403, anon=LOGIN, facilitator=422, other_facilitator=422, admin=422),
    ),
    ("imports.template", "GET"): Case("GET", lambda w: url_for("imports.template"), STAFF_PAGE),
    ("imports.preview", "GET"): Case(
        "GET",
        lambda w: url_for("imports.preview", batch_id=_batch_of(w.facilitator)),
        OUR_SEMINAR_PAGE,
    ),
    ("imports.confirm", "POST"): Case(
        "POST",
        lambda w: url_for("imports.confirm", batch_id=_batch_of(w.facilitator)),
        expect(403, anon=LOGIN, facilitator=302, other_facilitator=404, admin=302),
    ),
    ("stage.page", "GET"): Case(
        "GET",
        lambda w: url_for("stage.page", partnership_id=w.partnership.id, stage_key="needs"),
        expect(200, anon=LOGIN, other_participant=404, other_head=404, other_facilitator=404),
    ),
    ("stage.save_section", "POST"): Case(
        "POST",
        lambda w: url_for(
            "stage.save_section",
            partnership_id=w.partnership.id,
            stage_key="agreement",
            section_key="memorandum",
        ),
        expect(403, anon=LOGIN, participant=302, other_participant=404),
    ),
    ("answers.autosave", "POST"): Case(
        "POST",
        lambda w: url_for("answers.autosave", partnership_id=w.partnership.id),
        # An empty body is refused before anything is looked up.
        expect(403, anon=LOGIN, participant=400, other_participant=400),
    ),
    ("trace.page", "GET"): Case(
        "GET",
        lambda w: url_for("trace.page", partnership_id=w.partnership.id),
        expect(200, anon=LOGIN, other_participant=404, other_head=404, other_facilitator=404),
    ),
    ("answers.history", "GET"): Case(
        "GET",
        lambda w: url_for(
            "answers.history",
            partnership_id=w.partnership.id,
            question_key="outage_plan",
        ),
        expect(200, anon=LOGIN, other_participant=404, other_head=404, other_facilitator=404),
    ),
    ("answers.restore", "POST"): Case(
        "POST",
        lambda w: url_for(
            "answers.restore", partnership_id=w.partnership.id, question_key="outage_plan"
        ),
        expect(403, anon=LOGIN, participant=400, other_participant=404),
    ),
    ("answers.csrf_token", "GET"): Case(
        "GET",
        lambda w: url_for("answers.csrf_token", partnership_id=w.partnership.id),
        expect(200, anon=LOGIN),
    ),
    ("review.submit", "POST"): Case(
        "POST",
        lambda w: url_for("review.submit", partnership_id=w.partnership.id, stage_key="agreement"),
        # Required questions are unanswered: the table is told which, nothing moves.
        expect(403, anon=LOGIN, participant=422, other_participant=404),
    ),
    ("stage.here", "POST"): Case(
        "POST",
        lambda w: url_for("stage.here", partnership_id=w.partnership.id, stage_key="agreement"),
        expect(200, anon=LOGIN, other_participant=404, other_head=404, other_facilitator=404),
    ),
    ("voting.vote", "POST"): Case(
        "POST",
        lambda w: url_for("voting.vote", partnership_id=w.partnership.id, stage_key="priorities"),
        # An empty ballot is a valid "no dots" ballot.
        expect(403, anon=LOGIN, participant=302, other_participant=404),
    ),
    ("voting.reveal", "POST"): Case(
        "POST",
        lambda w: url_for("voting.reveal", partnership_id=w.partnership.id, stage_key="priorities"),
        expect(403, anon=LOGIN, facilitator=302, admin=302, other_facilitator=404),
    ),
    ("stage.take_suggestions", "POST"): Case(
        "POST",
        lambda w: url_for(
            "stage.take_suggestions",
            partnership_id=w.partnership.id,
            stage_key="priorities",
            question_key="gap_table",
        ),
        # Stage 3 is not open yet for this table: refused as locked, nothing added.
        expect(403, anon=LOGIN, participant=423, other_participant=404),
    ),
    ("review.decide", "POST"): Case(
        "POST",
        lambda w: url_for("review.decide", partnership_id=w.partnership.id, stage_key="agreement"),
        expect(403, anon=LOGIN, facilitator=422, admin=422, other_facilitator=404),
    ),
    ("review.comment", "POST"): Case(
        "POST",
        lambda w: url_for("review.comment", partnership_id=w.partnership.id, stage_key="agreement"),
        expect(
            403,
            anon=LOGIN,
            participant=422,
            facilitator=422,
            admin=422,
            other_participant=404,
            other_head=404,
            other_facilitator=404,
        ),
    ),
    ("review.resolve_comment", "POST"): Case(
        "POST",
        lambda w: url_for(
            "review.resolve_comment",
            partnership_id=w.partnership.id,
            comment_id=facilitator_comment(w),
        ),
        expect(
            403,
            anon=LOGIN,
            participant=302,
            facilitator=302,
            admin=302,
            other_participant=404,
            other_head=404,
            other_facilitator=404,
        ),
    ),
    ("accounts.index", "GET"): Case("GET", lambda w: url_for("accounts.index"), ADMIN_PAGE),
    ("accounts.new", "GET"): Case("GET", lambda w: url_for("accounts.new"), ADMIN_PAGE),
    ("accounts.new", "POST"): Case(
        "POST", lambda w: url_for("accounts.new"), expect(403, anon=LOGIN, admin=422)
    ),
    ("accounts.set_active", "POST"): Case(
        "POST",
        lambda w: url_for("accounts.set_active", account_id=w.other_head.id),
        expect(403, anon=LOGIN, admin=200),
    ),
    # Documents follow the partnership: its people, its heads, its seminar's facilitators.
    ("documents.portal", "GET"): Case(
        "GET", lambda w: url_for("documents.portal"), expect(200, anon=LOGIN)
    ),
    ("documents.partnership", "GET"): Case(
        "GET",
        lambda w: url_for("documents.partnership", partnership_id=w.partnership.id),
        OUR_PARTNERSHIP_PAGE,
    ),
    ("documents.make_version", "POST"): Case(
        "POST",
        lambda w: url_for("documents.make_version", partnership_id=w.partnership.id),
        {**OUR_PARTNERSHIP_PAGE, **{r: 303 for r, c in OUR_PARTNERSHIP_PAGE.items() if c == 200}},
    ),
    ("documents.download", "GET"): Case(
        "GET",
        lambda w: url_for(
            "documents.download",
            version_id=_version_of(w),
            kind="action_plan",
            lang="en",
            fmt="xlsx",
        ),
        OUR_PARTNERSHIP_PAGE,
    ),
    # Only a head of one of the two hospitals signs (here with an empty form: 400).
    ("documents.sign", "POST"): Case(
        "POST",
        lambda w: url_for("documents.sign", version_id=_version_of(w)),
        {**OUR_PARTNERSHIP_PAGE, "participant": 403, "facilitator": 403, "admin": 403, "head": 400},
    ),
    # Anybody holding the printout: the address carries the version's secret token.
    ("documents.verify", "GET"): Case(
        "GET",
        lambda w: url_for("documents.verify", token=_version_token(w)),
        expect(200),
    ),
    # A job is its starter's (here the facilitator's) and admins'; anybody else: not found.
    ("jobs.progress", "GET"): Case(
        "GET",
        lambda w: url_for("jobs.progress", token=_job_of(w.facilitator, "running")),
        expect(404, anon=LOGIN, facilitator=200, admin=200),
    ),
    ("jobs.result", "GET"): Case(
        "GET",
        lambda w: url_for("jobs.result", token=_job_of(w.facilitator, "done")),
        expect(404, anon=LOGIN, facilitator=200, admin=200),
    ),
    ("jobs.restart", "POST"): Case(
        "POST",
        lambda w: url_for("jobs.restart", token=_job_of(w.facilitator, "failed")),
        expect(404, anon=LOGIN, facilitator=303, admin=303),
    ),
    ("jobs.seminar_documents", "POST"): Case(
        "POST",
        lambda w: url_for("jobs.seminar_documents", seminar_id=w.seminar.id),
        expect(403, anon=LOGIN, facilitator=303, other_facilitator=404, admin=303),
    ),
    # The live room (issue 10). A control with no button named is a bad request (400) for
    # whoever may use it; a table's own pages are for the people seated there.
    ("control.page", "GET"): Case(
        "GET", lambda w: url_for("control.page", seminar_id=w.seminar.id), OUR_SEMINAR_PAGE
    ),
    ("control.projector", "GET"): Case(
        "GET", lambda w: url_for("control.projector", seminar_id=w.seminar.id), OUR_SEMINAR_PAGE
    ),
    ("control.projector_live", "GET"): Case(
        "GET",
        lambda w: url_for("control.projector_live", seminar_id=w.seminar.id),
        OUR_SEMINAR_PAGE,
    ),
    **{
        (f"control.{name}", "POST"): Case(
            "POST",
            lambda w, name=name: url_for(f"control.{name}", seminar_id=w.seminar.id),
            OUR_SEMINAR_CONTROL,
        )
        for name in ("stage", "countdown", "notice", "votes")
    },
    ("control.table_live", "GET"): Case(
        "GET",
        lambda w: url_for("control.table_live", partnership_id=w.partnership.id),
        OUR_TABLE_PAGE,
    ),
    ("control.ask_help", "POST"): Case(
        "POST",
        lambda w: url_for("control.ask_help", partnership_id=w.partnership.id),
        expect(404, anon=LOGIN, participant=302),
    ),
    ("plenary.table", "GET"): Case(
        "GET", lambda w: url_for("plenary.table", partnership_id=w.partnership.id), OUR_TABLE_PAGE
    ),
    ("plenary.table", "POST"): Case(
        "POST",
        lambda w: url_for("plenary.table", partnership_id=w.partnership.id),
        expect(404, anon=LOGIN, participant=400),
    ),
    ("plenary.table_changes", "GET"): Case(
        "GET",
        lambda w: url_for("plenary.table_changes", partnership_id=w.partnership.id),
        OUR_TABLE_PAGE,
    ),
    ("plenary.manage", "GET"): Case(
        "GET", lambda w: url_for("plenary.manage", seminar_id=w.seminar.id), OUR_SEMINAR_PAGE
    ),
    ("plenary.changes", "GET"): Case(
        "GET", lambda w: url_for("plenary.changes", seminar_id=w.seminar.id), OUR_SEMINAR_PAGE
    ),
    ("plenary.export", "GET"): Case(
        "GET",
        lambda w: url_for("plenary.export", seminar_id=w.seminar.id, fmt="xlsx"),
        OUR_SEMINAR_PAGE,
    ),
    **{
        (f"plenary.{name}", "POST"): Case(
            "POST",
            lambda w, name=name: url_for(f"plenary.{name}", seminar_id=w.seminar.id),
            OUR_SEMINAR_CONTROL,
        )
        for name in ("merge", "split", "set_state")
    },
    **{
        (f"{name}", "GET"): Case(
            "GET", lambda w, name=name: url_for(name, seminar_id=w.seminar.id), OUR_SEMINAR_PAGE
        )
        for name in ("dashboard.page", "dashboard.changes", "queue.page")
    },
    ("dashboard.answer_help", "POST"): Case(
        "POST",
        lambda w: url_for("dashboard.answer_help", seminar_id=w.seminar.id),
        OUR_SEMINAR_CONTROL,
    ),
    **{
        (f"{name}", "POST"): Case(
            "POST",
            lambda w, name=name: url_for(name, seminar_id=w.seminar.id),
            expect(403, anon=LOGIN, facilitator=422, other_facilitator=404, admin=422),
        )
        for name in ("dashboard.set_stuck_minutes", "queue.approve")
    },
    ("partnership_view.page", "GET"): Case(
        "GET",
        lambda w: url_for("partnership_view.page", partnership_id=w.partnership.id),
        OUR_PARTNERSHIP_PAGE,
    ),
    ("programme.page", "GET"): Case("GET", lambda w: url_for("programme.page"), ADMIN_PAGE),
    # Audit log (issue 11): the programme lead's alone.
    ("auditlog.page", "GET"): Case("GET", lambda w: url_for("auditlog.page"), ADMIN_PAGE),
    ("auditlog.csv_file", "GET"): Case("GET", lambda w: url_for("auditlog.csv_file"), ADMIN_PAGE),
    ("exports.page", "GET"): Case(
        "GET", lambda w: url_for("exports.page", seminar_id=w.seminar.id), OUR_SEMINAR_PAGE
    ),
    ("exports.answers", "GET"): Case(
        "GET",
        lambda w: url_for("exports.answers", seminar_id=w.seminar.id, fmt="csv"),
        OUR_SEMINAR_PAGE,
    ),
    ("exports.seminar_json", "GET"): Case(
        "GET", lambda w: url_for("exports.seminar_json", seminar_id=w.seminar.id), OUR_SEMINAR_PAGE
    ),
}


def _version_of(world: World) -> int:
    version = documents.current_version(world.partnership, actor=None)
    db.session.commit()
    return version.id


def _version_token(world: World) -> str:
    version = documents.current_version(world.partnership, actor=None)
    db.session.commit()
    return version.verify_token


def _job_of(account: Account, state: str) -> str:
    """The token of a seminar ZIP job ``account`` started, in ``state`` (done: with its ZIP)."""
    job = Job(
        token=secrets.token_urlsafe(32),
        kind="seminar_zip",
        params={},
        state=state,
        created_by_id=account.id,
        result=b"PK\x05\x06" + bytes(18) if state == "done" else None,
        result_name="documents.zip",
    )
    db.session.add(job)
    db.session.commit()
    return job.token


def _batch_of(account: Account) -> int:
    batch = ImportBatch(created_by_id=account.id, filename="x.csv", rows=[])
    db.session.add(batch)
    db.session.commit()
    return batch.id


def test_every_route_is_in_the_table(app: Flask) -> None:
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method in {"GET", "POST"}
    }
    assert routes - set(CASES) == set(), "routes without a permission entry"
    assert set(CASES) - routes == set(), "entries for routes that do not exist"


def test_every_endpoint_has_an_access_rule(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ENDPOINT_ACCESS)


def _signed_in(app: Flask, role: str, world: World) -> FlaskClient:
    """A new browser: nobody signed in (``anon``), or the world's person of that role."""
    client = app.test_client()
    if role != "anon":
        token = open_session(getattr(world, role), hours=8)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
    return client


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda k: f"{k[1]} {k[0]}")
def test_access(key: tuple[str, str], app: Flask, world: World) -> None:
    """Every kind of person in turn, each in a browser of their own, on one world (a world per
    person cost eight times as much): every answer that is not the expected one is listed."""
    case = CASES[key]
    wrong = []
    for role in ROLES:
        # Earlier refusals count towards a rate limit: each person starts with none.
        db.session.execute(sa.delete(Throttle))
        client = _signed_in(app, role, world)
        url = case.url(world)
        response = client.open(url, method=case.method)
        response.close()  # static files are streamed from an open file
        where = f"{role} {case.method} {url}: expected {case.expected[role]}"
        if response.status_code != case.expected[role]:
            wrong.append(f"{where}, got {response.status_code}")
        elif (
            role == "anon"
            and case.expected[role] == LOGIN
            and ENDPOINT_ACCESS[key[0]].value != "public"
            and "/login" not in response.headers["Location"]
        ):
            wrong.append(f"{where} to sign in, sent to {response.headers['Location']}")
    assert wrong == [], f"{key[1]} {key[0]}:\n" + "\n".join(wrong)


def test_a_participant_removed_by_the_facilitator_is_out_at_once(
    app: Flask, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    participant = login(world.participant)
    page = url_for("partnerships.detail", partnership_id=world.partnership.id)
    assert participant.get(page).status_code == 200
    facilitator = app.test_client()
    token = open_session(world.facilitator, hours=1)
    db.session.commit()
    with facilitator.session_transaction() as session:
        session["_user_id"] = token
    removed = facilitator.post(
        url_for(
            "seminars.remove_member", seminar_id=world.seminar.id, membership_id=our_member(world)
        ),
        data={"confirm": "yes"},
    )
    assert removed.status_code == 302
    response = participant.get(page)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
