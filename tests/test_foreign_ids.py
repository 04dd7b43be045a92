"""Ids of objects a person may not touch, wherever a request can carry them, at every route that
changes something: refused (403, 404 or 422), never a 5xx, and nothing stored changes.

Outside testing found a facilitator taking over another seminar's partnership with an id in a
form body: the endpoint table (``permissions.ENDPOINT_ACCESS``) cannot see bodies. So every
POST route of the app is walked here, as every kind of person, with ids of others' objects in
the path, in the form body and in a JSON body. ``PROBES`` names the ids each route can be given;
``NAMES_NO_OBJECT`` the routes whose requests name no object (with why). A new POST route in
neither fails ``test_every_state_changing_route_is_walked``.

What is foreign depends on who asks: another seminar's seminar, partnership, hospital and
import for a facilitator, head or participant; for an admin, who may touch every one of those,
ids that name nothing or the wrong kind of thing (a seat of another seminar under this
seminar's address, a head's account as a facilitator, another partnership's comment).
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests import hostile
from tests.factories import (
    PASSWORD,
    World,
    build_world,
    facilitator_comment,
    make_account,
    make_institution,
    make_partnership,
)
from workshop.auth.services import open_session
from workshop.documents import services as documents
from workshop.extensions import db
from workshop.models import (
    Account,
    Comment,
    HelpRequest,
    ImportBatch,
    Job,
    PlenaryKind,
    Proposal,
    Role,
    StageRun,
    StageStatus,
    Throttle,
)
from workshop.permissions import ENDPOINT_ACCESS, Access

EN = {"Accept-Language": "en"}
MISSING = 2**31 - 1  # a well-formed id no row has
ROLES = ("anon", "participant", "head", "facilitator", "admin")
# Rate limits count refusals, and the audit trail records them (R9): that is what they are for
# (tests/test_audit_log.py checks what the trail says).
NEVER_COMPARED = frozenset({"throttle", "audit_event"})
REFUSED = {403, 404, 422}
# A body in an encoding the route does not read is refused before any id is looked at.
WRONG_ENCODING = {400, 415}
JSON_ROUTES = frozenset({"answers.autosave"})


@dataclass(frozen=True)
class Scene:
    """What one person may touch (``own_*``) and ids they may not (``foreign_*``)."""

    world: World
    own_seminar: int
    own_partnership: int
    foreign_seminar: int
    foreign_partnership: int
    foreign_institution: int
    foreign_batch: int
    # Wrong for everybody, admins included:
    other_seminars_seat: int  # under our seminar's address
    other_partnerships_comment: int  # under our partnership's address
    not_our_facilitator: int  # a facilitator of another seminar, to "remove" from ours
    not_a_facilitator: int  # a head's account, to "add" as a facilitator
    participant_account: int  # not on the admin's list of accounts
    free_ua: int  # a pair no partnership has yet, so only the seminar decides
    free_partner: int
    other_seminars_proposal: int  # a plenary proposal, named under our seminar's address
    other_seminars_help: int  # a help request, likewise
    other_seminars_submission: int  # a submitted stage run of another seminar's table
    sheet: bytes  # a spreadsheet that imports cleanly


def build_scene(role: str, sheet: bytes) -> Scene:
    return build_scenes(sheet)[role]


def build_scenes(sheet: bytes) -> dict[str, Scene]:
    """One world and its foreign objects, seen by each role (committed)."""
    world = build_world()
    comment = Comment(
        partnership_id=world.other_partnership.id,
        stage_key="agreement",
        section_key="people",
        body="Who signs?",
        author_id=world.other_facilitator.id,
    )
    batch = ImportBatch(created_by_id=world.other_facilitator.id, filename="x.csv", rows=[])
    proposal = Proposal(
        seminar_id=world.other_seminar.id,
        kind=PlenaryKind.PRINCIPLE,
        partnership_id=world.other_partnership.id,
        text="Two-way learning",
    )
    help_request = HelpRequest(
        seminar_id=world.other_seminar.id, partnership_id=world.other_partnership.id
    )
    submitted = StageRun(
        partnership_id=world.other_partnership.id,
        stage_key="agreement",
        status=StageStatus.SUBMITTED,
    )
    db.session.add_all([comment, batch, proposal, help_request, submitted])
    free_ua, free_partner = make_institution(country="UA"), make_institution(country="FR")
    db.session.commit()

    def seen_by(admin: bool) -> Scene:
        return Scene(
            world=world,
            own_seminar=world.seminar.id,
            own_partnership=world.partnership.id,
            foreign_seminar=MISSING if admin else world.other_seminar.id,
            foreign_partnership=MISSING if admin else world.other_partnership.id,
            foreign_institution=MISSING if admin else world.other_partnership.ua_institution_id,
            foreign_batch=MISSING if admin else batch.id,
            other_seminars_seat=next(m.id for m in world.other_participant.memberships),
            other_partnerships_comment=comment.id,
            not_our_facilitator=world.other_facilitator.id,
            not_a_facilitator=world.head.id,
            participant_account=world.participant.id,
            free_ua=free_ua.id,
            free_partner=free_partner.id,
            other_seminars_proposal=proposal.id,
            other_seminars_help=help_request.id,
            other_seminars_submission=submitted.id,
            sheet=sheet,
        )

    return {role: seen_by(role == "admin") for role in ROLES}


Body = dict[str, Any]


@dataclass(frozen=True)
class Probe:
    """One request naming a foreign id: where it goes and what it carries."""

    what: str
    url: Callable[[Scene], str]
    body: Callable[[Scene], Body] = lambda s: {}


def _seminar(s: Scene) -> Body:
    return {
        "title_uk": "Семінар",
        "title_en": "Seminar",
        "starts_on": "2024-03-01",
        "ends_on": "2024-03-02",
    }


def _institution(s: Scene) -> Body:
    return {"name_uk": "Лікарня", "name_en": "Renamed", "country": "UA", "oblast": "UA-46"}


def _pair(s: Scene, **changes: object) -> Body:
    return {
        "ua_institution": s.free_ua,
        "partner_institution": s.free_partner,
        "seminar": s.own_seminar,
        **changes,
    }


def _someone_elses_job(s: Scene) -> str:
    """A failed job (one that may be started again) of another facilitator; for an admin, who
    may restart anybody's, a token no job has."""
    if s.foreign_seminar == MISSING:
        return "A" * 43
    job = Job(
        token=secrets.token_urlsafe(32),
        kind="seminar_zip",
        params={"seminar_id": s.world.other_seminar.id},
        state="failed",
        created_by_id=s.world.other_facilitator.id,
    )
    db.session.add(job)
    db.session.commit()
    return job.token


def _p(s: Scene, tail: str, foreign: bool = True) -> str:
    return f"/partnerships/{s.foreign_partnership if foreign else s.own_partnership}{tail}"


def _foreign_version(s: Scene) -> int:
    """A document version of another partnership; for an admin, who sees them all, an id no
    version has."""
    if s.foreign_partnership == MISSING:
        return MISSING
    version = documents.current_version(s.world.other_partnership, actor=None)
    db.session.commit()
    return version.id


def _seminar_probe(tail: str, body: Callable[[Scene], Body] = lambda s: {}) -> list[Probe]:
    return [Probe("another seminar", lambda s: f"/seminars/{s.foreign_seminar}{tail}", body)]


def _table_probe(tail: str, body: Callable[[Scene], Body] = lambda s: {}) -> list[Probe]:
    return [Probe("another table", lambda s: f"/tables/{s.foreign_partnership}{tail}", body)]


PROBES: dict[str, list[Probe]] = {
    # The live room (issue 10): every control names its seminar in the path; a table's
    # requests name the table; the plenary's body names proposals.
    "control.stage": _seminar_probe(
        "/control/stages", lambda s: {"stage": "needs", "action": "open"}
    ),
    "control.countdown": _seminar_probe(
        "/control/countdown", lambda s: {"action": "start", "minutes": "10"}
    ),
    "control.notice": _seminar_probe(
        "/control/notice", lambda s: {"action": "send", "notice": "Coffee"}
    ),
    "control.votes": _seminar_probe(
        "/control/votes", lambda s: {"stage": "priorities", "action": "reveal"}
    ),
    "control.ask_help": _table_probe("/help"),
    "plenary.table": _table_probe(
        "/plenary", lambda s: {"action": "propose", "kind": "principle", "text": "Trust"}
    ),
    "plenary.merge": [
        Probe(
            "another seminar's proposals in the body",
            lambda s: f"/seminars/{s.own_seminar}/plenary/merge",
            lambda s: {
                "kind": "principle",
                "merge": [str(s.other_seminars_proposal), str(s.other_seminars_proposal)],
                "keep": str(s.other_seminars_proposal),
            },
        ),
        *_seminar_probe("/plenary/merge", lambda s: {"kind": "principle"}),
    ],
    "plenary.split": [
        Probe(
            "another seminar's proposal in the body",
            lambda s: f"/seminars/{s.own_seminar}/plenary/split",
            lambda s: {"kind": "principle", "proposal": str(s.other_seminars_proposal)},
        ),
    ],
    "dashboard.answer_help": [
        Probe(
            "another seminar's help request",
            lambda s: f"/seminars/{s.own_seminar}/dashboard/help",
            lambda s: {"help_request": s.other_seminars_help},
        ),
        *_seminar_probe("/dashboard/help", lambda s: {"help_request": s.other_seminars_help}),
    ],
    "dashboard.set_stuck_minutes": _seminar_probe(
        "/dashboard/stuck", lambda s: {"stuck_minutes": "5"}
    ),
    "queue.approve": [
        Probe(
            "another seminar's submission",
            lambda s: f"/seminars/{s.own_seminar}/queue/approve",
            lambda s: {"run": s.other_seminars_submission},
        ),
        *_seminar_probe("/queue/approve", lambda s: {"run": s.other_seminars_submission}),
    ],
    "plenary.set_state": _seminar_probe(
        "/plenary/state", lambda s: {"kind": "principle", "action": "vote", "dots": "3"}
    ),
    "documents.make_version": [
        Probe("another partnership", lambda s: _p(s, "/documents/versions"))
    ],
    "documents.sign": [
        Probe(
            "another partnership's version",
            lambda s: f"/documents/{_foreign_version(s)}/sign",
            lambda s: {"position": "Director", "password": PASSWORD},
        )
    ],
    "seminars.edit": [
        Probe("another seminar", lambda s: f"/seminars/{s.foreign_seminar}/edit", _seminar)
    ],
    "seminars.rotate_code": [
        Probe("another seminar", lambda s: f"/seminars/{s.foreign_seminar}/code/rotate")
    ],
    "seminars.set_join_open": [
        Probe("another seminar", lambda s: f"/seminars/{s.foreign_seminar}/code/open")
    ],
    "seminars.add_partnership": [
        Probe(
            "another seminar's partnership in the body",
            lambda s: f"/seminars/{s.own_seminar}/partnerships",
            lambda s: {"partnership": s.foreign_partnership},
        ),
        Probe(
            "another seminar in the path",
            lambda s: f"/seminars/{s.foreign_seminar}/partnerships",
            lambda s: {"partnership": s.own_partnership},
        ),
    ],
    "seminars.add_facilitator": [
        Probe(
            "a head's account in the body",
            lambda s: f"/seminars/{s.own_seminar}/facilitators",
            lambda s: {"account": s.not_a_facilitator},
        ),
        Probe(
            "another seminar in the path",
            lambda s: f"/seminars/{s.foreign_seminar}/facilitators",
            lambda s: {"account": s.not_our_facilitator},
        ),
    ],
    "seminars.remove_facilitator": [
        Probe(
            "another seminar's facilitator",
            lambda s: f"/seminars/{s.own_seminar}/facilitators/{s.not_our_facilitator}/remove",
        ),
        Probe(
            "another seminar in the path",
            lambda s: f"/seminars/{s.foreign_seminar}/facilitators/{s.not_our_facilitator}/remove",
        ),
    ],
    "seminars.remove_member": [
        Probe(
            "another seminar's seat",
            lambda s: f"/seminars/{s.own_seminar}/members/{s.other_seminars_seat}/remove",
        )
    ],
    "jobs.seminar_documents": [
        Probe("another seminar", lambda s: f"/seminars/{s.foreign_seminar}/documents")
    ],
    "jobs.restart": [
        Probe("somebody else's job", lambda s: f"/jobs/{_someone_elses_job(s)}/restart")
    ],
    "institutions.edit": [
        Probe(
            "another seminar's hospital",
            lambda s: f"/institutions/{s.foreign_institution}/edit",
            _institution,
        )
    ],
    "partnerships.new": [
        Probe(
            "another seminar in the body",
            lambda s: "/partnerships/new",
            lambda s: _pair(s, seminar=s.foreign_seminar),
        ),
        Probe(
            "a hospital that does not exist",
            lambda s: "/partnerships/new",
            lambda s: _pair(s, ua_institution=MISSING),
        ),
    ],
    "imports.new": [
        Probe(
            "another seminar in the body",
            lambda s: "/imports/new",
            lambda s: {
                "seminar": s.foreign_seminar,
                "file": (io.BytesIO(s.sheet), "pairs.csv"),
            },
        )
    ],
    "imports.confirm": [
        Probe("somebody else's import", lambda s: f"/imports/{s.foreign_batch}/confirm")
    ],
    "accounts.new": [
        Probe(
            "a hospital that does not exist",
            lambda s: "/accounts/new",
            lambda s: {
                "display_name": "New head",
                "email": "new.head@example.org",
                "role": "head",
                "institution": MISSING,
                "password": "a long enough first password",
            },
        )
    ],
    "accounts.set_active": [
        Probe("a participant's account", lambda s: f"/accounts/{s.participant_account}/active")
    ],
    "stage.save_section": [
        Probe("another partnership", lambda s: _p(s, "/stages/agreement/memorandum"))
    ],
    "stage.take_suggestions": [
        Probe("another partnership", lambda s: _p(s, "/stages/priorities/prefill/gap_table"))
    ],
    "stage.here": [Probe("another partnership", lambda s: _p(s, "/stages/agreement/presence"))],
    "answers.autosave": [
        Probe(
            "another partnership",
            lambda s: _p(s, "/answers"),
            lambda s: {"question": "outage_plan", "value": "taken over", "base_version": 0},
        )
    ],
    "answers.restore": [
        Probe(
            "another partnership",
            lambda s: _p(s, "/answers/outage_plan/restore"),
            lambda s: {"version": 1, "base_version": 1},
        )
    ],
    "review.submit": [Probe("another partnership", lambda s: _p(s, "/stages/agreement/submit"))],
    "review.decide": [
        Probe(
            "another partnership",
            lambda s: _p(s, "/stages/agreement/review"),
            lambda s: {"action": "approve"},
        )
    ],
    "review.comment": [
        Probe(
            "another partnership",
            lambda s: _p(s, "/stages/agreement/comments"),
            lambda s: {"section": "people", "body": "Hello"},
        ),
        Probe(
            "another partnership's thread in the body",
            lambda s: _p(s, "/stages/agreement/comments", foreign=False),
            lambda s: {"thread": s.other_partnerships_comment, "body": "A reply"},
        ),
    ],
    "review.resolve_comment": [
        Probe(
            "another partnership's comment",
            lambda s: _p(s, f"/comments/{s.other_partnerships_comment}/resolve", foreign=False),
            lambda s: {"resolved": "1"},
        )
    ],
    "voting.vote": [
        Probe("another partnership", lambda s: _p(s, "/stages/priorities/votes")),
        Probe(
            "a candidate row not of this table",
            lambda s: _p(s, "/stages/priorities/votes", foreign=False),
            lambda s: {"candidate": "rowOfAnotherTable", "dots": "1"},
        ),
    ],
    "voting.reveal": [
        Probe(
            "another partnership",
            lambda s: _p(s, "/stages/priorities/votes/reveal"),
            lambda s: {"revealed": "1"},
        )
    ],
    "auth.join_details": [
        Probe(
            "another seminar's partnership, joining ours",
            lambda s: "/join/details",
            lambda s: {
                "partnership": s.foreign_partnership,
                "side": "ua",
                "display_name": "Somebody",
            },
        )
    ],
}

NAMES_NO_OBJECT: dict[str, str] = {
    "auth.login": "an e-mail and a password",
    "auth.logout": "the session's own",
    "auth.join": "a seminar's code, the secret that is the access",
    "auth.resume": "a return code, the secret that is the access",
    "auth.password": "the signed-in person's own password; no id is sent",
    "prefs.language": "a language",
    "prefs.display": "display settings",
    "seminars.new": "a new seminar's details",
    "institutions.new": "a new hospital's details",
}


def _post_endpoints(app: Flask) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}


def test_every_state_changing_route_is_walked(app: Flask) -> None:
    endpoints = _post_endpoints(app)
    assert set(PROBES) | set(NAMES_NO_OBJECT) == endpoints
    assert not set(PROBES) & set(NAMES_NO_OBJECT)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every committed row of every table, read on a connection of its own."""
    return hostile.snapshot(NEVER_COMPARED)


def _send(client: FlaskClient, url: str, body: Body, encoding: str) -> TestResponse:
    # Always "yes": the refusal must come from the object rule, not from a question asked.
    fields = {**body, "confirm": "yes"}
    if encoding == "json":
        text = json.dumps({k: v for k, v in fields.items() if not isinstance(v, tuple)})
        headers = {**EN, "Accept": "application/json"}
        return client.post(url, data=text, content_type="application/json", headers=headers)
    return client.post(url, data=fields, headers=EN)


def _start_joining(client: FlaskClient, scene: Scene) -> None:
    """A join at our seminar is under way (the code typed), so the seat form is what answers."""
    started = client.post("/join", data={"code": scene.world.seminar.join_code}, headers=EN)
    assert started.status_code == 302, started.get_data(as_text=True)[:300]


CASES = [(endpoint, i) for endpoint, probes in sorted(PROBES.items()) for i in range(len(probes))]


def _browser(app: Flask, role: str, scene: Scene) -> FlaskClient:
    """A new browser: nobody signed in (``anon``), or the scene's person of that role."""
    client = app.test_client()
    if role != "anon":
        token = open_session(getattr(scene.world, role), hours=8)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
    return client


@pytest.mark.parametrize(
    ("endpoint", "index"), CASES, ids=[f"{e}-{PROBES[e][i].what}" for e, i in CASES]
)
def test_a_foreign_id_is_refused_and_nothing_changes(
    app: Flask, login: Callable[[Account], FlaskClient], endpoint: str, index: int
) -> None:
    """Every kind of person in turn, each request in a browser of its own, on one world (a
    world per person cost five times as much): a refusal changes nothing, so each person finds
    the world as the previous one left it; each request is compared with what was there just
    before it. Every wrong answer is listed."""
    sheet = b""
    if endpoint == "imports.new":
        world_for_sheet = build_world()
        db.session.commit()
        sheet = login(world_for_sheet.admin).get("/imports/template.csv").data
    scenes = build_scenes(sheet)
    probe = PROBES[endpoint][index]
    wrong: list[str] = []
    for role in ROLES:
        scene = scenes[role]
        # Earlier refusals count towards a rate limit: each person starts with none.
        db.session.execute(sa.delete(Throttle))
        db.session.commit()
        for encoding in ("form", "json"):
            client = _browser(app, role, scene)
            if endpoint == "auth.join_details":
                _start_joining(client, scene)
            url = probe.url(scene)
            before = snapshot()
            response = _send(client, url, probe.body(scene), encoding)
            after = snapshot()
            wrong += _wrong(endpoint, role, encoding, url, probe, response, before, after)
    assert wrong == [], "\n".join(wrong)


def _wrong(
    endpoint: str,
    role: str,
    encoding: str,
    url: str,
    probe: Probe,
    response: TestResponse,
    before: dict[str, list[tuple[Any, ...]]],
    after: dict[str, list[tuple[Any, ...]]],
) -> list[str]:
    """What is wrong with one refused request's answer and its effect (nothing: [])."""
    status = response.status_code
    where = f"{role} {encoding} POST {url} ({probe.what}): got {status}"
    if status >= 500:
        return [f"{where}, a server error"]
    wrong_encoding = (encoding == "json") != (endpoint in JSON_ROUTES)
    allowed = REFUSED | (WRONG_ENCODING if wrong_encoding else set())
    if role == "anon" and ENDPOINT_ACCESS[endpoint] is not Access.PUBLIC:
        # Sent to sign in (a script is told so: 401), or refused before that for its body.
        allowed = {401} | (WRONG_ENCODING if wrong_encoding else set())
        if status == 302:
            if "/login" not in response.headers["Location"]:
                return [f"{where} to {response.headers['Location']}, not to sign in"]
            allowed = {302}
    found = []
    if status not in allowed:
        page = response.get_data(as_text=True)[:300]
        found.append(f"{where}, expected one of {sorted(allowed)}: {page}")
    changed = [name for name in before if before[name] != after[name]]
    if changed:
        found.append(f"{where} changed {changed}")
    return found


BODY_PROBES = {
    "seminars.add_partnership": 0,
    "seminars.add_facilitator": 0,
    "partnerships.new": 0,
    "imports.new": 0,
    "review.comment": 1,
}


def _owned(scene: Scene, world: World, endpoint: str, body: Body) -> Body:
    """The same body with the foreign id swapped for one the facilitator may use."""
    swaps: dict[str, dict[str, object]] = {
        "seminars.add_partnership": {"partnership": _unplaced(world)},
        "seminars.add_facilitator": {"account": _free_facilitator()},
        "partnerships.new": {"seminar": scene.own_seminar},
        "imports.new": {"seminar": scene.own_seminar},
        "review.comment": {"thread": facilitator_comment(world)},
    }
    return {**body, **swaps[endpoint]}


def _unplaced(world: World) -> int:
    partnership = make_partnership()
    db.session.commit()
    return partnership.id


def _free_facilitator() -> int:
    account = make_account(role=Role.FACILITATOR)
    db.session.commit()
    return account.id


@pytest.mark.parametrize("endpoint", sorted(BODY_PROBES))
def test_the_same_body_with_an_id_the_facilitator_may_use_is_accepted(
    client: FlaskClient, login: Callable[[Account], FlaskClient], endpoint: str
) -> None:
    """The control: what was refused above was the id, not the rest of the body."""
    sheet = b""
    if endpoint == "imports.new":
        world_for_sheet = build_world()
        db.session.commit()
        sheet = login(world_for_sheet.admin).get("/imports/template.csv").data
    scene = build_scene("facilitator", sheet)
    probe = PROBES[endpoint][BODY_PROBES[endpoint]]
    login(scene.world.facilitator)
    body = _owned(scene, scene.world, endpoint, probe.body(scene))
    response = _send(client, probe.url(scene), body, "form")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
