"""The audit trail (issue 11, R9): each kind of event lands, values cannot forge lines, the
admin view's permissions and filters, and pruning to the retention period."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.factories import PASSWORD
from tests.querycount import count_queries
from workshop import audit, securitylog
from workshop.auditlog import actions, services
from workshop.documents import services as documents
from workshop.extensions import db
from workshop.groupwork.review.workflow import MOVES
from workshop.models import Account, Answer, AuditEvent, Job, Role, StageRun, StageStatus

Login = Callable[[Account], FlaskClient]
EN = {"Accept-Language": "en"}
HOSTILE = "ok\n2026-01-01 12:00 login admin@example.org\r=cmd|' /C calc'!A0 \u202eevil\u2066"


def events(action: str | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def actions_stored() -> list[str]:
    return [e.action for e in events()]


def test_sign_ins_land_with_both_outcomes(client: FlaskClient) -> None:
    account = factories.make_account(role=Role.FACILITATOR, email="fac@example.org")
    db.session.commit()
    client.post("/login", data={"email": "fac@example.org", "password": "nope"})
    client.post("/login", data={"email": "fac@example.org", "password": PASSWORD})
    client.post("/resume", data={"code": "ABCD-EFGH-JKLM"})
    assert actions_stored() == ["login_failed", "login", "resume_failed"]
    failed, ok, _resume = events()
    # The account the address matched, never the text typed (it could be a password).
    assert (failed.actor_id, failed.object_id, failed.details) == (
        None,
        account.id,
        {"known_account": True},
    )
    assert (ok.actor_id, ok.object_type, ok.object_id) == (account.id, "account", account.id)
    assert "ABCD" not in str(_resume.details)  # never the code typed


def test_refused_authorisations_land_and_never_become_a_server_error(
    world: factories.World, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(world.participant)
    assert login(world.participant).get(f"/seminars/{world.seminar.id}").status_code == 403
    staff = login(world.facilitator)
    assert staff.get(f"/seminars/{world.other_seminar.id}").status_code == 404
    denied, missing = events()
    assert (denied.action, denied.actor_id) == ("access_denied", world.participant.id)
    assert denied.details["status"] == 403 and denied.details["endpoint"] == "seminars.detail"
    assert (missing.action, missing.object_type, missing.object_id) == (
        "object_not_found",
        "seminar",
        world.other_seminar.id,
    )

    # A request that wrote before it was refused (its writes are thrown away at teardown): the
    # refusal is stored at once, not after waiting for that request's lock on SQLite.
    db.session.add(Answer(partnership_id=world.partnership.id, question_key="x", value="draft"))
    db.session.flush()
    started = time.monotonic()
    assert staff.get(f"/seminars/{world.other_seminar.id}").status_code == 404
    assert time.monotonic() - started < 2
    db.session.rollback()
    assert len(events("object_not_found")) == 2

    # The trail failing (a database gone) leaves the refusal a refusal.
    def broken() -> None:
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is gone"))

    monkeypatch.setattr(audit, "_free_sqlite_writer", broken)
    assert staff.get(f"/seminars/{world.other_seminar.id}").status_code == 404
    assert len(events("object_not_found")) == 2


def test_role_and_account_changes_land(world: factories.World, login: Login) -> None:
    admin = login(world.admin)
    created = admin.post(
        "/accounts/new",
        data={
            "display_name": "New Lead",
            "email": "lead@example.org",
            "role": "admin",
            "password": "a long first password",
        },
    )
    assert created.status_code == 302
    switched = admin.post(f"/accounts/{world.facilitator.id}/active", data={"confirm": "yes"})
    assert switched.status_code == 302
    made, off = events()
    assert (made.action, made.actor_id, made.details) == (
        "account_created",
        world.admin.id,
        {"role": "admin"},
    )
    assert (off.action, off.object_id) == ("account_disabled", world.facilitator.id)


def test_stage_transitions_approvals_and_bulk_approve_land(
    world: factories.World, login: Login
) -> None:
    run = StageRun(partnership_id=world.partnership.id, stage_key="agreement")
    run.status = StageStatus.SUBMITTED
    db.session.add(run)
    db.session.commit()
    staff = login(world.facilitator)
    queued = staff.post(
        f"/seminars/{world.seminar.id}/queue/approve", data={"run": run.id, "confirm": "yes"}
    )
    assert queued.status_code in (302, 303)
    reopened = staff.post(
        f"/partnerships/{world.partnership.id}/stages/agreement/review",
        data={"action": "reopen", "reason": "Add the letter", "confirm": "yes"},
    )
    assert reopened.status_code == 302
    approve, bulk, reopen = events()
    assert (approve.action, approve.object_type, approve.partnership_id) == (
        "stage_approve",
        "stagerun",
        world.partnership.id,
    )
    assert (bulk.action, bulk.details["approved"], bulk.details["partnerships"]) == (
        "bulk_approved",
        1,
        [world.partnership.id],
    )
    assert reopen.action == "stage_reopen" and reopen.actor_id == world.facilitator.id
    assert (reopen.details["from_status"], reopen.details["to_status"]) == ("approved", "reopened")


def test_sign_off_download_and_export_land(world: factories.World, login: Login) -> None:
    head = factories.make_account(role=Role.HEAD, institution=world.partnership.ua_institution)
    db.session.commit()
    client = login(head)
    assert client.post(f"/partnerships/{world.partnership.id}/documents/versions").status_code
    version = documents.latest(world.partnership.id)
    assert version is not None
    signed = client.post(
        f"/documents/{version.id}/sign", data={"position": "Director", "password": PASSWORD}
    )
    assert signed.status_code == 303
    assert client.get(f"/documents/{version.id}/action_plan/uk.xlsx").status_code == 200
    staff = login(world.facilitator)
    assert staff.get(f"/seminars/{world.seminar.id}/exports/answers.csv").status_code == 200
    job = Job(
        token="t" * 43,
        kind="seminar_zip",
        params={"seminar_id": world.seminar.id},
        state="done",
        result=b"PK",
        result_name="seminar.zip",
        created_by_id=world.facilitator.id,
    )
    db.session.add(job)
    db.session.commit()
    assert staff.get(f"/jobs/{job.token}/result").status_code == 200
    stored = {e.action: e for e in events()}
    assert {"document_version", "signed", "document_downloaded", "exported"} <= set(stored)
    taken = stored["job_downloaded"]
    assert (taken.actor_id, taken.seminar_id, taken.details["file"]) == (
        world.facilitator.id,
        world.seminar.id,
        "seminar.zip",
    )
    download = stored["document_downloaded"]
    assert (download.actor_id, download.object_id, download.partnership_id) == (
        head.id,
        version.id,
        world.partnership.id,
    )
    assert download.details["fmt"] == "xlsx"
    export = stored["exported"]
    assert (export.actor_id, export.seminar_id, export.details) == (
        world.facilitator.id,
        world.seminar.id,
        {"what": "answers.csv"},
    )


def test_hostile_values_are_kept_as_data_and_shown_as_one_inert_line(
    world: factories.World, login: Login, caplog: pytest.LogCaptureFixture
) -> None:
    audit.record("login_failed", actor=None, email=HOSTILE, essay="A" * 10_000, more=["x"] * 99)
    db.session.commit()
    (stored,) = events()
    assert stored.details["email"] == HOSTILE  # the database keeps exactly what was sent
    assert len(stored.details["essay"]) == audit.MAX_VALUE_CHARS + 1  # cut, and marked
    assert len(stored.details["more"]) == audit.MAX_ITEMS + 1

    shown = audit.safe_text(HOSTILE)
    assert "\n" not in shown and "\r" not in shown and "\u202e" not in shown
    assert "\u2066" not in shown and "\\n2026-01-01" in shown and "\\u202e" in shown
    assert audit.safe_text("=cmd").startswith("'=") and audit.safe_text("@x") == "'@x"
    assert audit.safe_text("a\\nb") == "a\\\\nb"  # a typed backslash cannot fake an escape
    assert len(audit.safe_text("B" * 10_000)) == 301

    page = login(world.admin).get("/admin/audit", headers=EN).get_data(as_text=True)
    row = re.search(r"<td class=\"details\">(.*?)</td>", page, re.S)
    assert row is not None
    assert "\n" not in row.group(1) and "\u202e" not in row.group(1)
    assert "&#39;=cmd" not in row.group(1)  # the formula is inside the value, not its start
    assert "\\n2026-01-01 12:00 login" in row.group(1)
    csv_text = login(world.admin).get("/admin/audit.csv").get_data(as_text=True)
    assert len(csv_text.splitlines()) == 2  # the header and one event, however hostile
    assert "\u202e" not in csv_text and "\\u202e" in csv_text

    with caplog.at_level(logging.WARNING, logger="workshop.security"):
        securitylog.event("login_failed", detail=HOSTILE)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "workshop.security"]
    assert "\n" not in line and "\r" not in line and "\u202e" not in line


def test_only_admins_read_the_audit_log(app: Flask, world: factories.World, login: Login) -> None:
    assert app.test_client().get("/admin/audit").status_code == 302
    for who in (world.participant, world.head, world.facilitator):
        assert login(who).get("/admin/audit").status_code == 403
    page = login(world.admin).get("/admin/audit", headers=EN)
    assert page.status_code == 200 and "Audit log" in page.get_data(as_text=True)


def _many(world: factories.World, count: int) -> None:
    start = datetime(2026, 3, 1, 10, tzinfo=UTC)
    rows = [
        {
            "at": start + timedelta(hours=i),
            "actor_id": world.facilitator.id if i % 2 else world.admin.id,
            "action": "stage_approve" if i % 3 else "access_denied",
            "object_type": "stagerun",
            "object_id": i,
            "seminar_id": None,
            "partnership_id": world.partnership.id if i % 5 == 0 else world.other_partnership.id,
            "details": {"n": i},
        }
        for i in range(count)
    ]
    db.session.execute(sa.insert(AuditEvent), rows)
    db.session.commit()


def _queries(statements: list[str]) -> list[str]:
    return [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))]


def _shown(client: FlaskClient, **args: str) -> tuple[int, list[str]]:
    response = client.get("/admin/audit", query_string=args, headers=EN)
    return response.status_code, re.findall(r"n:</span> (\d+)</span>", response.get_data(True))


def test_filters_pages_and_a_constant_number_of_queries(
    world: factories.World, login: Login
) -> None:
    admin = login(world.admin)
    _many(world, 10)
    admin.get("/admin/audit")
    with count_queries() as few:
        assert _shown(admin)[1] == [str(i) for i in range(9, -1, -1)]  # newest first
    db.session.execute(sa.delete(AuditEvent))
    _many(world, 250)
    with count_queries() as many:
        status, first = _shown(admin)
    assert status == 200 and len(first) == 100 and first[0] == "249"
    # The session, the seminars for the filter, one page of events: whatever the table holds.
    assert len(_queries(many)) == len(_queries(few)) == 3

    page = admin.get("/admin/audit", headers=EN).get_data(as_text=True)
    older = re.search(r'href="(/admin/audit\?before=\d+)"', page)
    assert older is not None
    assert _shown(admin, before=older.group(1).split("=")[1])[1][0] == "149"

    by_action = _shown(admin, action="access_denied", actor=world.admin.email)[1]
    assert by_action and all(int(n) % 3 == 0 and int(n) % 2 == 0 for n in by_action)
    assert _shown(admin, outcome="refused")[1][:2] == ["249", "246"]
    assert _shown(admin, object_type="stagerun", object_id="7")[1] == ["7"]
    seminar = _shown(admin, seminar=str(world.seminar.id))[1]
    assert seminar[:2] == ["245", "240"]  # our partnership's events only
    # 1 March 2026, 10:00 UTC is 12:00 in Kyiv: event n is n hours later. A Kyiv day ends at
    # 22:00 UTC, so 2 March holds events 12–35, written as the reader writes it or ISO.
    assert _shown(admin, **{"from": "02.03.2026", "to": "2026-03-02"})[1][-1] == "12"
    assert _shown(admin, **{"from": "02/03/2026", "to": "02.03.2026"})[1][0] == "35"

    csv_file = admin.get("/admin/audit.csv", query_string={"object_id": "7"})
    lines = csv_file.get_data(as_text=True).splitlines()
    assert csv_file.status_code == 200 and len(lines) == 2
    assert lines[1].split(",")[2] == "stage_approve"
    assert events("exported")[-1].details["filters"] == {"object_id": "7"}

    bad = admin.get("/admin/audit?from=31.02.2026&to=nonsense&seminar=999999", headers=EN)
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert text.count("Enter a date as day, month and year") == 2
    edges = admin.get("/admin/audit?from=0001-01-01&to=31.12.9999&before=x&actor=nobody")
    assert edges.status_code == 422
    assert 'id="f-seminar-error"' in text and 'aria-invalid="true"' in text


def test_every_action_the_code_writes_has_a_name_in_both_languages() -> None:
    written: set[str] = set()
    for path in Path(audit.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r"audit\.record\(\s*\"([a-z_]+)\"", text))
    written |= {f"stage_{move}" for move in MOVES} | {"access_denied", "object_not_found"}
    written |= {"join_opened", "join_closed", "account_enabled", "account_disabled"}
    written |= {"votes_revealed", "votes_hidden", "audit_pruned"}
    assert written - set(actions.ACTIONS) == set()


def test_prune_deletes_what_is_older_than_the_retention_and_says_so(
    app: Flask, world: factories.World
) -> None:
    now = datetime.now(UTC)
    for days in (800, 40, 1):
        audit.record("login", actor=world.admin, obj=world.admin, age=days)
    db.session.flush()
    for event, days in zip(events(), (800, 40, 1), strict=True):
        event.at = now - timedelta(days=days)
    db.session.commit()
    assert services.retention_days() == 730
    runner = app.test_cli_runner()
    result = runner.invoke(args=["workshop", "audit", "prune"])
    assert result.exit_code == 0 and "Deleted 1 audit event" in result.output
    assert [e.details.get("age") for e in events()] == [40, 1, None]
    app.config["AUDIT_RETENTION_DAYS"] = 30
    assert runner.invoke(args=["workshop", "audit", "prune"]).exit_code == 0
    assert [e.action for e in events()] == ["login", "audit_pruned", "audit_pruned"]
    assert events()[-1].details["deleted"] == 1
    app.config["AUDIT_RETENTION_DAYS"] = "soon"
    assert runner.invoke(args=["workshop", "audit", "prune"]).exit_code != 0
