"""Document versions, what changed between them, signing, verifying and who may do what."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_babel import force_locale

from tests import factories
from tests.factories import PASSWORD
from workshop.documents import diff, services, snapshot
from workshop.extensions import db
from workshop.method.definition import load
from workshop.models import (
    Account,
    Answer,
    DocumentVersion,
    Partnership,
    Role,
    SignOff,
    StageRun,
    StageStatus,
)

Login = Callable[[Account], FlaskClient]


def _answer(partnership: Partnership, key: str, value: object, side: str = "") -> None:
    found = db.session.scalar(
        sa.select(Answer).where(
            Answer.partnership_id == partnership.id, Answer.question_key == key, Answer.side == side
        )
    )
    if found is None:
        db.session.add(
            Answer(partnership_id=partnership.id, question_key=key, side=side, value=value)
        )
    else:
        found.value = value
    db.session.commit()


def _heads(partnership: Partnership) -> tuple[Account, Account]:
    ua = factories.make_account(role=Role.HEAD, institution=partnership.ua_institution)
    partner = factories.make_account(role=Role.HEAD, institution=partnership.partner_institution)
    db.session.commit()
    return ua, partner


EN = {"Accept-Language": "en"}


def _make_version(client: FlaskClient, partnership: Partnership) -> DocumentVersion:
    response = client.post(f"/partnerships/{partnership.id}/documents/versions")
    assert response.status_code == 303
    version = services.latest(partnership.id)
    assert version is not None
    return version


def _sign(client: FlaskClient, version: DocumentVersion, password: str = PASSWORD, **extra: str):
    return client.post(
        f"/documents/{version.id}/sign",
        data={"position": extra.get("position", "Director General"), "password": password},
        headers=EN,
    )


def test_same_data_is_the_same_version_and_a_change_makes_a_new_one_that_says_what(
    world: factories.World, login: Login
) -> None:
    partnership = world.partnership
    _answer(partnership, "shared_vision_en", "Safer trauma care for children.")
    client = login(world.participant)
    first = _make_version(client, partnership)
    assert first.number == 1
    assert first.draft  # nothing approved yet
    assert first.content_hash == snapshot.content_hash(snapshot.take(partnership))
    assert _make_version(client, partnership).id == first.id  # nothing changed: no new version

    _answer(partnership, "shared_vision_en", "Safer trauma and burn care for children.")
    _answer(partnership, "can_offer", "Blackout drills.", side="ua")
    second = _make_version(client, partnership)
    assert second.number == 2
    assert second.content_hash != first.content_hash
    assert first.snapshot["answers"]["shared_vision_en"][""] == "Safer trauma care for children."

    method = load(partnership.method_version)
    with force_locale("en"):
        said = [(d.where, d.what) for d in diff.describe(second.changes, method, "en")]
    assert ("Stage 1 · Shared vision and objectives", "Shared vision (in English): changed") in said
    assert (
        "Stage 1 · Each side's own goals",
        "What we can offer (Ukrainian side): added",
    ) in said
    page = client.get(f"/partnerships/{partnership.id}/documents", headers=EN).get_data(
        as_text=True
    )
    assert "What changed since version 1" in page
    assert "Shared vision (in English): changed" in page


def test_table_changes_are_counted_by_rows() -> None:
    old = {
        "institutions": {"ua": {}, "partner": {}},
        "partnership": {},
        "stages": {},
        "votes": {},
        "answers": {"activities": {"": [{"row": "a", "x": 1}, {"row": "b", "x": 2}]}},
    }
    new = {
        **old,
        "answers": {"activities": {"": [{"row": "a", "x": 9}, {"row": "c", "x": 3}]}},
    }
    (change,) = diff.changes(old, new)
    assert change["rows"] == {"added": 1, "removed": 1, "changed": 1}


def test_both_heads_sign_and_the_version_is_agreed_then_a_change_leaves_it_signed(
    world: factories.World, login: Login
) -> None:
    partnership = world.partnership
    _answer(partnership, "outage_plan", "Meet next day, same time.")
    ua_head, partner_head = _heads(partnership)
    client = login(ua_head)
    version = _make_version(client, partnership)
    assert _sign(client, version).status_code == 303
    assert _sign(client, version).status_code == 400  # twice: refused
    assert db.session.scalar(sa.select(sa.func.count(SignOff.id))) == 1

    client = login(partner_head)
    page = client.get(f"/partnerships/{partnership.id}/documents", headers=EN).get_data(
        as_text=True
    )
    assert "Sign version 1" in page
    assert _sign(client, version).status_code == 303
    db.session.expire_all()
    assert services.agreed(version)
    assert {s.side for s in version.signoffs} == {"ua", "partner"}
    verify = client.get(f"/verify/{version.verify_token}", headers=EN).get_data(as_text=True)
    assert "both heads signed this version" in verify
    assert ua_head.display_name in verify and partner_head.display_name in verify

    # The facilitator sees it on the seminar page, and is told before reopening a stage.
    staff = login(world.facilitator)
    seminar_page = staff.get(f"/seminars/{world.seminar.id}", headers=EN).get_data(as_text=True)
    assert "documents agreed: version 1" in seminar_page
    db.session.add(
        StageRun(partnership_id=partnership.id, stage_key="agreement", status=StageStatus.APPROVED)
    )
    db.session.commit()
    asked = staff.post(
        f"/partnerships/{partnership.id}/stages/agreement/review",
        data={"action": "reopen", "reason": "Add the ministry letter"},
        headers=EN,
    )
    assert asked.status_code == 200
    assert "Version 1 of the documents is signed. It stays exactly as it was" in asked.get_data(
        as_text=True
    )
    client = login(partner_head)

    _answer(partnership, "outage_plan", "Meet next day; the coordinator has a generator.")
    newer = _make_version(client, partnership)
    assert newer.number == 2 and not newer.signoffs
    db.session.expire_all()
    signed = db.session.get(DocumentVersion, version.id)
    assert signed is not None and services.agreed(signed)
    assert signed.snapshot["answers"]["outage_plan"][""] == "Meet next day, same time."
    page = client.get(f"/partnerships/{partnership.id}/documents", headers=EN).get_data(
        as_text=True
    )
    assert "Agreed: both heads signed version 1." in page


@pytest.mark.parametrize("case", ["wrong_password", "not_latest", "data_changed", "other_head"])
def test_a_refused_signature_stores_nothing_and_says_why(
    world: factories.World, login: Login, case: str
) -> None:
    partnership = world.partnership
    ua_head, _partner = _heads(partnership)
    client = login(ua_head)
    version = _make_version(client, partnership)
    expected = 400
    if case == "not_latest":
        _answer(partnership, "outage_plan", "Generators.")
        _make_version(client, partnership)
    if case == "data_changed":
        _answer(partnership, "outage_plan", "Generators.")
    if case == "other_head":
        client = login(world.other_head)
        expected = 404  # another institution's partnership: not even shown to exist
    response = _sign(client, version, "not my password" if case == "wrong_password" else PASSWORD)
    assert response.status_code == expected
    text = response.get_data(as_text=True)
    message = {
        "wrong_password": "That password is not right.",
        "not_latest": "Only the latest version can be signed: version 2 is newer.",
        "data_changed": "The answers changed after version 1 was made.",
        "other_head": "",
    }[case]
    assert message in text
    assert db.session.scalar(sa.select(sa.func.count(SignOff.id))) == 0


def test_only_heads_of_the_two_hospitals_may_sign(world: factories.World, login: Login) -> None:
    partnership = world.partnership
    version = _make_version(login(world.participant), partnership)
    for person in (world.participant, world.facilitator, world.admin):
        assert _sign(login(person), version).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(SignOff.id))) == 0


def test_who_sees_which_documents(world: factories.World, login: Login) -> None:
    ours = _make_version(login(world.participant), world.partnership)
    theirs = _make_version(login(world.other_participant), world.other_partnership)
    allowed = {
        world.participant: ours,
        world.head: ours,
        world.facilitator: ours,
        world.other_facilitator: theirs,
        world.other_head: theirs,
        world.other_participant: theirs,
    }
    for person, version in allowed.items():
        client = login(person)
        other = theirs if version is ours else ours
        assert client.get(f"/partnerships/{version.partnership_id}/documents").status_code == 200
        assert client.get(f"/partnerships/{other.partnership_id}/documents").status_code == 404
        assert (
            client.post(f"/partnerships/{other.partnership_id}/documents/versions").status_code
            == 404
        )
        assert client.get(f"/documents/{other.id}/action_plan/uk.xlsx").status_code == 404
    admin = login(world.admin)
    for version in (ours, theirs):
        assert admin.get(f"/partnerships/{version.partnership_id}/documents").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/verify/x",
        "/verify/" + "a" * 500,
        "/verify/%ff%fe",
        "/documents/1/vision/xx.pdf",
        "/documents/1/letter/uk.pdf",
        "/documents/99999999999/vision/uk.pdf",
    ],
)
def test_unknown_or_hostile_document_addresses_are_404(
    world: factories.World, login: Login, path: str
) -> None:
    _make_version(login(world.participant), world.partnership)
    assert login(world.participant).get(path).status_code == 404


def test_a_head_starts_at_the_portal_with_their_partnerships_only(
    world: factories.World, login: Login
) -> None:
    client = login(world.head)
    assert client.get("/").headers["Location"].endswith("/documents/")
    page = client.get("/documents/", headers=EN).get_data(as_text=True)
    assert world.partnership.ua_institution.name_en in page
    assert world.other_partnership.partner_institution.name_en not in page
    assert "Recommendations for the heads" in page


def test_a_word_file_is_made_in_the_background_and_then_served_as_stored(
    world: factories.World, login: Login
) -> None:
    from workshop.jobs import services as jobs
    from workshop.models import Job

    client = login(world.head)
    version = _make_version(client, world.partnership)
    address = f"/documents/{version.id}/vision/uk.docx"
    asked = client.get(address, headers=EN)
    assert asked.status_code == 303
    assert asked.headers["Location"].startswith("/jobs/")
    job = db.session.scalar(sa.select(Job))
    assert job is not None
    jobs.run(job.id)
    first = client.get(address)
    assert first.status_code == 200
    assert first.data[:2] == b"PK"  # a Word file is a ZIP
    assert first.headers["Content-Disposition"].endswith("_vision_v1_uk.docx")
    again = client.get(address)
    assert again.data == first.data
